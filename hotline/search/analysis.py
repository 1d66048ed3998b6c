"""Text analysis for the knowledge-base search: Chinese text in, index terms out.

Every text yields three kinds of term, which share one column space in the index:

``WORD``
    Words from jieba's search mode (:mod:`hotline.nlp.segment`, the project's one
    segmenter).  The app's own vocabulary — place names, unit
    names, policy terms — is added to the dictionary so ``雨花区住建局`` is not cut into
    ``住/建/局``.  A word that belongs to a synonym group is replaced by the group's first
    member, at index and at query time alike, so ``医疗保险`` and ``医保`` are one term.
``BIGRAM``
    Overlapping pairs of Chinese characters.  They match where segmentation disagrees
    between a short query and a long answer, and they make an unfinished query
    (``住房公``) or a misspelled one still share most of its terms with the entry.
``PINYIN``
    Overlapping pairs of toneless syllables, one syllable per character (the character's
    most common reading).  A homophone typo (``公基金`` for ``公积金``, what an IME
    produces when the agent picks the wrong candidate) keeps all its pinyin pairs.
    Index and query use the same per-character reading, so a polyphone read "wrongly"
    still matches itself.

Bigram and pinyin terms are computed with numpy over whole batches of texts, words
through a dictionary lookup per token; this keeps a 50,000-entry build in seconds.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.metadata import version as _version

import numpy as np
from pypinyin import lazy_pinyin

from hotline.nlp import segment
from hotline.nlp.text import code_points
from hotline.nlp.text import normalise as normalize

WORD, BIGRAM, PINYIN = 0, 1, 2
KIND_NAMES = ("word", "bigram", "pinyin")

# Bump when analysis changes in a way that makes a saved index unreadable by this code.
ANALYSIS_VERSION = 1

# Bigram keys are (cp1 << 21) | cp2, below 2**42.  Pinyin keys carry a flag bit above
# them and the letters of both syllables, five bits a letter (a syllable has at most six),
# so a key means the same in every process and in a saved index.
_PINYIN_FLAG = np.int64(1) << np.int64(62)
_CP_BITS = np.int64(21)
_CP_MASK = (np.int64(1) << _CP_BITS) - 1
_SYL_BITS = np.int64(30)
_SYL_MASK = (np.int64(1) << _SYL_BITS) - 1

_SEPARATOR = "\n"  # joins texts of a batch; not a Chinese character, so no pair crosses it
_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$")


def is_han(cps: np.ndarray) -> np.ndarray:
    """Which code points are Chinese characters (unified ideographs and extensions)."""
    return (
        ((cps >= 0x4E00) & (cps <= 0x9FFF))
        | ((cps >= 0x3400) & (cps <= 0x4DBF))
        | ((cps >= 0xF900) & (cps <= 0xFAFF))
        | ((cps >= 0x20000) & (cps <= 0x2FFFF))
    )


def syllable_code(syllable: str) -> int:
    """A toneless syllable (``zhuang``, ``lv``) packed into 30 bits; 0 is no syllable."""
    code = 0
    for i, letter in enumerate(syllable):
        code |= (ord(letter) - 96) << (5 * i)
    return code


def syllable_name(code: int) -> str:
    letters = []
    while code:
        letters.append(chr((code & 31) + 96))
        code >>= 5
    return "".join(letters)


class _Syllables:
    """Character → code of its toneless syllable, filled in as new characters are seen.

    Shared by all analyzers: the mapping only depends on pypinyin's data.
    """

    _UNSEEN, _NONE = -2, -1
    _SIZE = 0x30000

    def __init__(self) -> None:
        self.table = np.full(self._SIZE, self._UNSEEN, dtype=np.int32)
        self._lock = threading.Lock()

    def of(self, cps: np.ndarray) -> np.ndarray:
        """Syllable codes for code points; -1 where there is none (not Chinese, unknown)."""
        inside = cps < self._SIZE
        clipped = np.where(inside, cps, 0)
        codes = self.table[clipped]
        unseen = (codes == self._UNSEEN) & inside & is_han(cps)
        if unseen.any():
            self._learn(np.unique(cps[unseen]))
            codes = self.table[clipped]
        return np.where(inside & (codes >= 0), codes, self._NONE).astype(np.int64)

    def _learn(self, cps: np.ndarray) -> None:
        with self._lock:
            for cp in cps.tolist():
                reading = lazy_pinyin(chr(cp))[0]
                ok = reading.isascii() and reading.isalpha() and len(reading) <= 6
                self.table[cp] = syllable_code(reading.lower()) if ok else self._NONE
            # Non-Chinese code points stay UNSEEN in the table but are masked by is_han.


SYLLABLES = _Syllables()


def decode_key(key: int) -> str:
    """Readable form of a bigram or pinyin key (for matched terms and debugging)."""
    if key & int(_PINYIN_FLAG):
        mask = int(_SYL_MASK)
        return f"{syllable_name((key >> int(_SYL_BITS)) & mask)} {syllable_name(key & mask)}"
    return chr(key >> int(_CP_BITS)) + chr(key & int(_CP_MASK))


def pinyin_pair(key: int) -> tuple[int, int]:
    """The two syllable codes of a pinyin key."""
    mask = int(_SYL_MASK)
    return (key >> int(_SYL_BITS)) & mask, key & mask


def is_pinyin_key(key: int) -> bool:
    return bool(key & int(_PINYIN_FLAG))


@dataclass(frozen=True, slots=True)
class CharTerms:
    """Bigram and pinyin keys of a batch: ``doc[i]`` is the text that ``key[i]`` came from,
    ``pos[i]`` the offset of the pair's first character in that text."""

    doc: np.ndarray
    key: np.ndarray
    pos: np.ndarray


def _read_lines(name: str) -> list[str]:
    text = resources.files("hotline.search").joinpath("data").joinpath(name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@cache
def default_synonyms() -> tuple[tuple[str, ...], ...]:
    """Groups shipped in ``data/synonyms.txt``: one group a line, members split by spaces."""
    return tuple(tuple(line.split()) for line in _read_lines("synonyms.txt"))


@cache
def default_user_words() -> tuple[str, ...]:
    """Government vocabulary shipped in ``data/user_words.txt`` (one word a line)."""
    return tuple(_read_lines("user_words.txt"))


@cache
def default_stopwords() -> frozenset[str]:
    return frozenset(_read_lines("stopwords.txt"))


class Analyzer:
    """Turns texts into index terms; see the module docstring for the three kinds.

    ``user_words`` are added to the segmentation dictionary; ``synonyms`` are groups of
    words that mean the same (each member is also a user word, so ``最低生活保障`` is
    kept whole and can map to ``低保``).  ``hmm`` enables jieba's guessing of unknown
    words: off by default, because it cuts a short query and a long answer differently.
    """

    def __init__(
        self,
        user_words: Iterable[str] = (),
        synonyms: Iterable[Sequence[str]] = (),
        *,
        hmm: bool = False,
        stopwords: Iterable[str] | None = None,
        kinds: Iterable[int] = (WORD, BIGRAM, PINYIN),
    ) -> None:
        self.user_words = tuple(dict.fromkeys(normalize(w).strip() for w in user_words if w))
        self.synonyms = tuple(
            tuple(dict.fromkeys(normalize(m).strip() for m in group if m.strip()))
            for group in synonyms
        )
        self.hmm = hmm
        self.stopwords = frozenset(
            normalize(w) for w in (default_stopwords() if stopwords is None else stopwords)
        )
        self.kinds = frozenset(kinds)
        self.canonical: dict[str, str] = {}
        for group in self.synonyms:
            if len(group) < 2:
                continue
            # A word in two groups joins them: keep the first canonical form seen.
            head = next((self.canonical[m] for m in group if m in self.canonical), group[0])
            for member in group:
                self.canonical.setdefault(member, head)
        self._members: dict[str, tuple[str, ...]] | None = None
        self._decisions: dict[str, str] = {}
        self._segmenter = segment.Segmenter({*self.user_words, *self.canonical}, hmm=hmm)

    def fingerprint(self) -> str:
        """Changes whenever the same text could yield different terms."""
        config = {
            "version": ANALYSIS_VERSION,
            "user_words": sorted(self.user_words),
            "synonyms": sorted(sorted(g) for g in self.synonyms),
            "hmm": self.hmm,
            "stopwords": sorted(self.stopwords),
            "kinds": sorted(self.kinds),
            "segmenter": segment.library_version(),
            "pypinyin": _version("pypinyin"),
        }
        blob = json.dumps(config, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]

    def words(self, text: str) -> list[str]:
        """Search-mode words of normalized ``text``, stopwords dropped, synonyms merged."""
        return [word for word, _ in self.words_with_surface(text)]

    def words_with_surface(self, text: str) -> list[tuple[str, str]]:
        """Like ``words``, pairing each (canonical) word with the text it came from."""
        if WORD not in self.kinds:
            return []
        decide = self._decisions.get
        out = []
        for token in self._segmenter.cut_for_search(text):
            word = decide(token)
            if word is None:
                word = self._decide(token)
            if word:
                out.append((word, token))
        return out

    def tokens(self, text: str) -> list[str]:
        """Raw search-mode tokens; ``decide`` turns each into its index word (or "")."""
        return self._segmenter.cut_for_search(text) if WORD in self.kinds else []

    def decide(self, token: str) -> str:
        word = self._decisions.get(token)
        return self._decide(token) if word is None else word

    def _decide(self, token: str) -> str:
        """The canonical word for a token, or "" to drop it; remembered per token."""
        stripped = token.strip()
        if not stripped or stripped in self.stopwords or _PUNCT_OR_SPACE.match(stripped):
            word = ""
        else:
            word = self.canonical.get(stripped, stripped)
        if len(self._decisions) < 1_000_000:  # bounded: tokens are mostly repeats
            self._decisions[token] = word
        return word

    def surfaces(self, word: str) -> tuple[str, ...]:
        """Every form that analyses to ``word``: its synonym group, or the word alone."""
        if self._members is None:
            members: dict[str, list[str]] = {}
            for member, head in self.canonical.items():
                members.setdefault(head, []).append(member)
            # Longest first, so a highlight prefers 住房公积金 over 公积金.
            self._members = {h: tuple(sorted(m, key=len, reverse=True)) for h, m in members.items()}
        return self._members.get(word, (word,))

    def cut(self, text: str) -> list[str]:
        """Plain (precise-mode) segmentation, for the last word of an unfinished query."""
        return self._segmenter.cut(text)

    def char_terms(self, texts: Sequence[str]) -> CharTerms:
        """Bigram and pinyin keys of every normalized text in ``texts``."""
        empty = np.zeros(0, dtype=np.int64)
        if not texts or not (self.kinds & {BIGRAM, PINYIN}):
            return CharTerms(empty, empty, empty)
        joined = _SEPARATOR.join(texts)
        cps = code_points(joined)
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[: len(cps)]
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        pos = np.arange(len(cps), dtype=np.int64) - starts[doc]
        docs, keys, positions = [], [], []
        if BIGRAM in self.kinds:
            han = is_han(cps)
            pair = np.flatnonzero(han[:-1] & han[1:])
            docs.append(doc[pair])
            keys.append((cps[pair] << _CP_BITS) | cps[pair + 1])
            positions.append(pos[pair])
        if PINYIN in self.kinds:
            syl = SYLLABLES.of(cps)
            pair = np.flatnonzero((syl[:-1] >= 0) & (syl[1:] >= 0))
            docs.append(doc[pair])
            keys.append(_PINYIN_FLAG | (syl[pair] << _SYL_BITS) | syl[pair + 1])
            positions.append(pos[pair])
        return CharTerms(np.concatenate(docs), np.concatenate(keys), np.concatenate(positions))
