"""Chinese text handling: clauses, words and our own stopwords.

Text is normalised by the project's one normaliser (:func:`hotline.nlp.text.normalise`)
and cut into words by its one segmenter (:mod:`hotline.nlp.segment`).  Similarity works on
character bigrams (``features.py``), which need no dictionary and cost little; words are
used where a person reads them — group labels and rising terms — so the segmenter only
runs on the few texts that need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hotline.nlp import segment
from hotline.nlp.text import normalise

__all__ = [
    "STOPWORDS",
    "clauses",
    "is_content_word",
    "normalise",
    "noun_phrases",
    "phrase_idf",
    "tag",
    "words",
    "words_many",
]

_SPACE = re.compile(r"\s+")
# Anything that is not a letter or a digit ends a clause.  CJK ideographs count as letters.
_NOT_WORD = re.compile(r"[^\w]+|_+")


def clauses(text: str) -> str:
    """Punctuation replaced by spaces, so character n-grams never span two clauses."""
    return _SPACE.sub(" ", _NOT_WORD.sub(" ", text)).strip()


# Our stopwords: function words, and the formulas every appeal uses ("反映", "希望尽快解决",
# "相关部门") which say nothing about what the appeal is about.  Single characters are
# dropped separately, so they are not listed.
STOPWORDS: frozenset[str] = frozenset(
    """
    一个 一些 一下 一直 一样 一次 一点 上述 不是 不能 不要 不会 不到 不了 不过 不再 也是 也不
    了解 于是 什么 今天 今年 他们 以上 以下 以及 以后 以来 以前 任何 但是 你们 您好 你好 使得
    便于 保证 信息 先生 其他 其中 其实 具体 再次 几个 出现 分别 到底 到了 却是 又是 只是 只能
    只有 可以 可能 各位 同时 后来 否则 听说 告诉 哪里 因为 因此 地方 多次 多年 大家 如何 如果
    如下 存在 它们 对于 导致 将会 尤其 就是 就要 已经 希望 并且 应该 开始 当时 得到 必须 怎么
    怎样 总是 情况 想问 我们 我的 我是 我家 所有 所以 所谓 才能 或者 按照 接到 提出 搞得 方面
    时候 时间 是否 有关 有些 有人 有的 本人 来说 没有 然后 然而 现在 现已 目前 直接 相关 看到
    知道 而且 而是 能否 能够 自己 至今 虽然 要求 认为 让人 还是 还有 还要 这个 这些 这里 这样
    这种 这么 进行 造成 那个 那些 那么 非常 需要 请问 请求 反映 投诉 举报 咨询 建议 关于 问题
    领导 部门 政府 有关部门 相关部门 尽快 解决 处理 谢谢 感谢 您好 恳请 强烈 严重 重视 关注
    为什么 怎么办 是不是 有没有 能不能 可不可以 之后 之前 每天 每次 经常 一定 一起 然后 比较
    特别 希望能 给予 给予以 予以 及时 切实 落实 督促 依法 合理 合法 回复 答复 市民 群众 百姓
    老百姓 我们小区 广大 万分 期待 盼望 麻烦 帮忙 帮助 如此 多少 为何 何时 哪些 如今 此事
    此类 该事 这件 这件事 这是 那是 包括 以便 例如 比如 因而 从而 以至 甚至 并不 完全 根本
    问问 想问 请教 以东 以西 以南 以北 东侧 西侧 南侧 北侧 东面 西面 南面 北面 旁边 附近 周边
    对面 门口 一带 地区 区域 方向 位置 期间 最近 近期 近日 日前 年前 月份 上午 下午 晚上 凌晨
    十分 很多 大量 许多 不少 一般 各种 多么 真的 确实 实在 简直 根本 仍然 依然 始终 一再
    """.split()
)

_CONTENT = re.compile(r"[\u4e00-\u9fff]")


def is_content_word(word: str) -> bool:
    """A word worth showing: two or more characters, some Chinese, not a stopword."""
    return len(word) >= 2 and word not in STOPWORDS and bool(_CONTENT.search(word))


def words(text: str) -> list[str]:
    """Content words of ``text`` in order (precise-mode segmentation of the normalised text)."""
    return [w for w in segment.default().cut(normalise(text)) if is_content_word(w)]


def _words_chunk(texts: Sequence[str]) -> list[list[str]]:
    return [words(t) for t in texts]


def words_many(texts: Iterable[str], workers: int = 1) -> list[list[str]]:
    """``words`` for many texts, spread over ``workers`` processes when it pays off."""
    texts = list(texts)
    if workers <= 1 or len(texts) < 2000:
        return _words_chunk(texts)
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(texts) // (workers * 4))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [ws for part in pool.map(_words_chunk, chunks) for ws in part]


def tag(text: str) -> list[tuple[str, str]]:
    """Words of the normalised ``text`` with jieba's part-of-speech tags."""
    return segment.default().tag(normalise(text))


# Tags of the words a label phrase may end with (nouns, place and organisation names,
# verbal and adjectival nouns, abbreviations, idioms, Latin words like "p2p") and of words
# that never stand inside one (particles, prepositions, conjunctions, pronouns, adverbs,
# time words, numerals, measure words, punctuation, modals, interjections).
_PHRASE_END = frozenset("n nr ns nt nz ng nw vn an j l eng".split())
_PHRASE_BREAK = frozenset("u uj ul uz ug ud uv p c r d t m q x w y e o".split())
_MAX_PHRASE_WORDS = 3
_MAX_PHRASE_CHARS = 8


def noun_phrases(tagged: Sequence[tuple[str, str]]) -> list[str]:
    """Phrases of one to three consecutive words that read as a noun phrase: they end in
    a noun-like word, start with no verb, hold no stopword or function word, and have two
    to eight characters ("搅拌站", "捆绑销售车位" → "销售车位", "高压线").  Labels built from
    them are words as the appeals wrote them, never a fragment cut across a word."""
    out: list[str] = []
    n = len(tagged)
    for start in range(n):
        first_word, first_tag = tagged[start]
        if first_tag.startswith("v") and first_tag != "vn":
            continue
        if start and _glued(tagged[start - 1]):
            continue  # "梅|溪湖", "农|商行": the end of a name the dictionary cut up
        text = ""
        for end in range(start, min(n, start + _MAX_PHRASE_WORDS)):
            word, pos = tagged[end]
            # A one-character word is usually a piece of a name the dictionary does not know
            # ("梅岭国际" → 梅 岭 国际): a phrase starting there would be a fragment.
            if pos in _PHRASE_BREAK or word in STOPWORDS or len(word.strip()) < 2:
                break
            if pos.startswith("v") and pos != "vn":
                break  # a verb inside ("城区增加智能") makes a clause, not a noun phrase
            text += word
            if len(text) > _MAX_PHRASE_CHARS:
                break
            if end + 1 < n and _glued(tagged[end + 1], after=True):
                continue  # "保利大都|汇", "万国|城": the start of a name cut up
            if word in _PLACE_WORDS:
                continue  # "二期小区": places are shown as places, not as terms
            if pos in _PHRASE_END and len(text) >= 2 and _CONTENT.search(text):
                out.append(text)
    return out


# Words that end place names; a phrase ending in one is a place (or a piece of one).
_PLACE_WORDS = frozenset("小区 社区 街道 新村 新城 花园 家园 广场 公寓 大厦".split())
# A single character that ends a place name ("人民路|路灯") does not glue onto what follows.
_NAME_ENDS = frozenset("路街巷村区县市镇乡苑园城")


def _glued(neighbour: tuple[str, str], after: bool = False) -> bool:
    """A one-character word next to a phrase that is likely the rest of a name."""
    word, pos = neighbour
    return (
        len(word) == 1
        and bool(_CONTENT.match(word))
        and pos not in _PHRASE_BREAK
        and not pos.startswith("v")
        and (after or word not in _NAME_ENDS)
    )


def phrase_idf(phrase: str, idf: dict[str, float]) -> float:
    """A phrase's weight: the idf of its rarest known word, a little more for each word
    more ("捆绑销售车位" over "车位" when as many members use it)."""
    parts = [w for w in segment.default().cut(phrase) if w in idf]
    base = max((idf[w] for w in parts), default=idf[""])
    return base * (1.0 + 0.15 * (len(segment.default().cut(phrase)) - 1))
