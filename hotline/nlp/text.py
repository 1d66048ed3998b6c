"""The one text normaliser and the character n-grams every text model shares.

Every package that reads appeal text — the classifier and duplicate finder here, the
knowledge search (``hotline.search``) and the concentrated-issue analysis
(``hotline.hotspots``) — normalises it with :func:`normalise`, so ``Ａ３区`` and ``a3区``,
a full-width and a half-width question mark, are the same everywhere.  Word segmentation
is :mod:`hotline.nlp.segment` (one segmenter for all of them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np

_SPACE = re.compile(r"\s+")
# Links and masked runs ("*****", "xxxx", "××") carry no topic and no place: a link is a
# different string in every appeal, a mask stands for a name or a number someone removed.
_NOISE = re.compile(r"(?:https?://|www\.)[!-~]+|\*{2,}|x{4,}|×{2,}")


def normalise(text: str | None) -> str:
    """NFKC (full-width letters, digits and punctuation become ASCII), lower case, links
    and masked runs removed, runs of white space collapsed to one space, stripped."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if "*" in text or "x" in text or "×" in text or "www" in text or "//" in text:
        text = _NOISE.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


# N-grams are coded as integers: each character is a code point (< 2**21), so up to three
# of them pack into one int64 without collision, and a 1-, 2- and 3-gram never share a
# key (a longer one is always >= 2**21 or 2**42).  Counting and vocabulary look-ups are
# then numpy operations on arrays instead of Python dict look-ups on strings: tens of
# microseconds per appeal instead of milliseconds.
_BITS = 21
_MASK = (1 << _BITS) - 1
MAX_N = 3
_ZERO, _NINE, _SPACE_CP = ord("0"), ord("9"), ord(" ")
# Characters that carry no topic: punctuation, symbols, spaces.  N-grams containing one are
# dropped so the features (and the "words that drove it") stay readable.
_NON_WORD = re.compile(r"[\W_]", re.UNICODE)


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as an int64 array."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def ngram_keys(text: str, n_min: int = 1, n_max: int = 3) -> np.ndarray:
    """Integer keys of the character n-grams of ``text`` (already normalised).

    N-grams never span punctuation or a space, so none of them mixes two phrases.  A run
    of digits counts as one ``0``: numbers in appeals are dates, phone numbers and amounts,
    which say nothing about the topic and would only make the features sparse.
    """
    if not 1 <= n_min <= n_max <= MAX_N:
        raise ValueError(f"n-gram sizes must satisfy 1 <= n_min <= n_max <= {MAX_N}")
    cp = code_points(_NON_WORD.sub(" ", text))
    digit = (cp >= _ZERO) & (cp <= _NINE)
    if digit.any():
        cp = np.where(digit, _ZERO, cp)
        follows = np.zeros(len(cp), dtype=bool)
        follows[1:] = digit[1:] & digit[:-1]
        cp = cp[~follows]
    ok = cp != _SPACE_CP  # punctuation and symbols were turned into spaces above
    parts: list[np.ndarray] = []
    for n in range(n_min, n_max + 1):
        if len(cp) < n:
            break
        span = len(cp) - n + 1
        key = cp[:span].copy()
        valid = ok[:span].copy()
        for j in range(1, n):
            key = (key << _BITS) | cp[j : j + span]
            valid &= ok[j : j + span]
        parts.append(key[valid])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def key_text(key: int) -> str:
    """The n-gram string a key stands for (inverse of :func:`ngram_keys`)."""
    chars = []
    while key:
        chars.append(chr(key & _MASK))
        key >>= _BITS
    return "".join(reversed(chars))


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def hash_keys(keys: np.ndarray, bits: int) -> np.ndarray:
    """Fold n-gram keys into ``2**bits`` buckets (Fibonacci hashing: one multiply, one
    shift).  A model that stores buckets instead of keys holds no n-gram of its training
    text, and the space stays bounded however much text it has seen."""
    mixed = keys.astype(np.uint64) * _GOLDEN
    return (mixed >> np.uint64(64 - bits)).astype(np.int64)


def head(title: str, text: str, size: int = 40) -> str:
    """The part of an appeal that states what it is about.

    The title when there is one; otherwise the first ``size`` characters of the body,
    because many channels (and older exports) glue the title to the front of the body.
    """
    title = (title or "").strip()
    return title if title else (text or "").strip()[:size]


# Words every appeal uses and no knowledge entry is about: a suggestion matched on them
# alone (找, 不, 路, 老人 …) is noise on the intake form (issue 16).
APPEAL_STOPWORDS = frozenset(
    "老人 老年人 孩子 小孩 家里 问题 反映 希望 请问 怎么 怎么办 什么 为什么 没有 可以 能不能 不能"
    " 我们 你们 他们 现在 已经 一直 需要 情况 相关 部门 处理 解决 市民 居民 群众 领导 政府"
    " 谢谢 你好 您好 工作 时间 今天 昨天 晚上 早上 上午 下午 这个 那个 一下 还是 但是 因为"
    " 所以 如果 就是 不是 这里 那里 哪里 出现 发现 影响 严重 非常 很多 已经 一个 多次".split()
)


# Characters that carry the grammar of a question, not its subject ("找谁", "不知道").
APPEAL_FUNCTION_CHARS = frozenset(
    "找谁不没了的是在有我你他她它们这那哪么怎吗呢吧啊和与及就也都还又很太请问想要会能可以知道看见"
)


def meaningful_terms(terms: Iterable[str]) -> list[str]:
    """The matched terms that say what an appeal is about: not a word every appeal uses,
    and at least two characters left once the grammar of the question is taken out."""
    out = []
    for t in terms:
        t = t.strip()
        if t in APPEAL_STOPWORDS:
            continue
        if len([c for c in t if c not in APPEAL_FUNCTION_CHARS]) >= 2:
            out.append(t)
    return out
