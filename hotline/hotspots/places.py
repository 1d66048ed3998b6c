"""Place names found in appeal text: districts, towns, estates, roads, villages.

Chinese place names end in a small set of suffixes (…区/县/市, …镇/街道, …小区/社区/村/路).
We cut the text into stretches at punctuation, at masked or coded admin names ("A3区",
"K10县") and at words that cannot start a name ("反映", "的"), then take from each stretch
the shortest run of characters that ends in a suffix.  Names that are ordinary words
("小区", "水泥路", "全市") are dropped.  The project's segmenter keeps the cuts honest: a
suffix must end a word ("路口", "路灯" and "升旗" hold a 路 or 旗 that closes no name), and a
name never starts with a time word, a numeral, a pronoun, a preposition or a verb of two or
more characters ("晚上路灯", "三盏路灯", "增加路口", "光明路路口" give no "晚上路",
"三盏路", "增加路" or "光明路路").  It is a heuristic: wrong names are outvoted when a
group's place is chosen, and ``conflict`` only vetoes a link on district-level names,
which this cuts reliably.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.nlp import segment
from hotline.nlp.text import normalise

CITY, DISTRICT, TOWN, SPOT = "city", "district", "town", "spot"
_LEVEL_RANK = {CITY: 0, DISTRICT: 1, TOWN: 2, SPOT: 3}

# Longest first, so "小区" wins over "区" and "街道" over "街".
_SUFFIX_LEVEL: dict[str, str] = {
    "自治州": CITY,
    "自治县": DISTRICT,
    "街道": TOWN,
    "小区": SPOT,
    "社区": SPOT,
    "新村": SPOT,
    "新城": SPOT,
    "花园": SPOT,
    "家园": SPOT,
    "大道": SPOT,
    "广场": SPOT,
    "大厦": SPOT,
    "公寓": SPOT,
    "省": CITY,
    "市": CITY,
    "州": CITY,
    "区": DISTRICT,
    "县": DISTRICT,
    "旗": DISTRICT,
    "镇": TOWN,
    "乡": TOWN,
    "村": SPOT,
    "路": SPOT,
    "街": SPOT,
    "巷": SPOT,
    "苑": SPOT,
}
_SUFFIXES = sorted(_SUFFIX_LEVEL, key=len, reverse=True)

# A coded admin name: one or two Latin letters, an optional number, an admin suffix.
# Real data masks names this way; some centres code districts the same way.
_CODED = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}\d{0,3})(自治州|自治县|省|市|区|县|州|旗)")

# Words after which a name may start; they never begin one.
_BREAK_WORDS = """
反映 投诉 举报 咨询 关于 请问 建议 希望 要求 位于 地处 靠近 附近 旁边 对面 周边 门口 一带
目前 现在 导致 造成 由于 因为 但是 可是 而且 并且 以及 还有 包括 其中 就是 属于 通往 前往
途经 经过 来到 回到 住在 居住 搬到 所在 整个 我们 本人 业主 居民 市民 村民
请 等 的 在 是 了 被 把 将 从 向 给 让 对 于 与 及 和 或 到 至
""".split()


def _break_pattern() -> re.Pattern[str]:
    # A lookahead on the possible first characters lets the regex skip most positions
    # without trying every word: this runs on every appeal.
    singles = "".join(w for w in _BREAK_WORDS if len(w) == 1)
    longer = sorted((w for w in _BREAK_WORDS if len(w) > 1), key=len, reverse=True)
    firsts = "".join(sorted({w[0] for w in longer}))
    return re.compile(rf"[^\w]+|_+|\d+|[{singles}]|(?=[{firsts}])(?:{'|'.join(longer)})")


_STRETCH_BREAK = _break_pattern()
_SUFFIX = re.compile("|".join(_SUFFIXES))

# Prefixes that turn a suffix into an ordinary word rather than a name.
_GENERIC_PREFIXES = frozenset(
    """
    本 该 我 全 各 此 这 那 每 城 市 片 园 景 辖 校 山 街 厂 矿 郊 超 都 门 上 马 道 公 铁 小 大
    一 沿 出 线 网 思 农 下 家 老 集 城乡 老城 新城 主城 城市 附近 周边 其他 所在 我们 整个 住宅
    安置 老旧 商品房 周围 各个 部分 多个 两个 该个 水泥 步行 高速 城区 市区 新农 美丽 社会主义新农
    乡村 农村 城镇 乡镇 花园式 生态 开发 工业 经济开发 高新技术产业开发 行政 保护 风景 旅游
    学区 校区 社区 小区 街道 村里 村级 村组 镇里 县里 区里 市里 省里 全省 全市 全县 全区 外省
    外市 外地 本地 当地 异地 各地 内地 城中 城郊 城里 进城 中心城 路边 马路 公路 铁路 道路
    一期 二期 三期 四期 五期 新区 东区 西区 南区 北区 快速 环城 绕城
    """.split()
)
_MAX_NAME = 6  # characters before the suffix; longer runs are usually a verb phrase + name


@dataclass(frozen=True, slots=True)
class Place:
    """A place name found in text: ``name`` as written, ``core`` without its suffix."""

    name: str
    core: str
    level: str

    @property
    def rank(self) -> int:
        """0 for a city, 3 for a spot: larger is finer."""
        return _LEVEL_RANK[self.level]


# Two-character words that end in a suffix but name no place ("国家中心城市" is no city).
_GENERIC_TAILS = frozenset(
    """
    城市 超市 都市 门市 夜市 集市 菜市 股市 城区 市区 片区 园区 景区 校区 辖区 山区 街区 厂区
    矿区 郊区 社区 小区 马路 公路 铁路 道路 水路 山路 小路 大路 网路 线路 思路 大街 老街 农村
    乡村 山村 城乡 家乡 老乡 下乡 城镇 乡镇 小镇 集镇
    """.split()
)


def _generic(core: str, suffix: str) -> bool:
    if core in _GENERIC_PREFIXES or (core[-1] + suffix) in _GENERIC_TAILS:
        return True
    # "我们小区", "整个社区": a generic word followed by the suffix.
    return any(core.endswith(g) and len(g) >= 2 for g in ("小区", "社区", "街道", "城区"))


# Part-of-speech tags (jieba's) of words that never belong to a place name: time, numeral,
# measure word, pronoun, preposition, conjunction, particles, adverb, distinguishing word
# (主要, 中级), punctuation, modal, interjection, onomatopoeia; 之 stays (魅力之城).
_NOT_NAME_TAGS = frozenset("t m q r p c u uj ul uz ug ud uv d b x w y e o".split())


# Words that may stand right before a name ("在幸福里小区", "我们小区"); after any other
# word that no name contains (a numeral, a verb) the name is uncertain ("十里天池小区" would
# lose its start) and none is taken.
_BEFORE_NAME_TAGS = frozenset("t r p c u uj ul uz ug ud uv d x w y e o".split())


def _words(stretch: str) -> tuple[set[int], list[tuple[int, int]], set[int]]:
    """Ends of the words of ``stretch`` that may close a name (not verbs: 升旗); the spans
    (start, end) of words no name starts at or runs through (``_NOT_NAME_TAGS``; verbs of
    two or more characters too); and the ends of those after which no name may start.
    One-character verbs stay: they are often part of a name (观沙岭, 建发泱玺雅苑)."""
    ends: set[int] = set()
    blocked: list[tuple[int, int]] = []
    uncertain: set[int] = set()
    at = 0
    for word, tag in segment.default().tag(stretch):
        end = at + len(word)
        if not tag.startswith("v") or tag == "vn":
            ends.add(end)
        if word == "路口":
            ends.add(end - 1)  # 漓楚路口: the junction of 漓楚路
        if word[-1] == "旗" and word != "旗":
            ends.discard(end)  # a banner (旗) is cut as its own word; 升旗, 红旗 are not one
        verb = tag.startswith("v") and tag != "vn"  # a verbal noun names roads: 建设路, 劳动东路
        if (tag in _NOT_NAME_TAGS and word != "之") or (verb and len(word) >= 2):
            blocked.append((at, end))
            if tag not in _BEFORE_NAME_TAGS:
                uncertain.add(end)
        at = end
    return ends, blocked, uncertain


def _names_in(stretch: str) -> list[Place]:
    """Each suffix closes a name that starts where the previous name ended.

    Walking the suffixes (rather than letting a regex grow a name from every position)
    keeps this linear in the length of the stretch.
    """
    found: list[Place] = []
    start = 0
    last_end = -1
    ends, blocked, uncertain = _words(stretch)
    for match in _SUFFIX.finditer(stretch):
        if match.end() not in ends:
            continue  # the suffix is inside a word: 路口, 路灯, 升旗
        # The name starts after the last word that cannot be part of it.
        start = max([start, *(b for a, b in blocked if start < b <= match.start())])
        if start in uncertain:
            start = match.end()
            continue
        core, suffix = stretch[start : match.start()], match.group()
        if not core and match.start() == last_end and found and len(suffix) >= 2:
            # "金色家园" + "小区": one name with two suffixes.
            previous = found.pop()
            found.append(Place(previous.name + suffix, previous.core, SPOT))
            start = last_end = match.end()
            continue
        if len(core) < 2:
            continue  # "小区" alone, or "花园" that is really the start of "花园小区"
        if any(core.startswith(other) for other in _SUFFIXES if len(other) >= 2):
            continue  # "小区临街": a name does not start with another name's suffix
        start = match.end()
        if len(core) > _MAX_NAME:
            core = core[-4:]
        if _generic(core, suffix):
            continue
        found.append(Place(core + suffix, core, _SUFFIX_LEVEL[suffix]))
        last_end = match.end()
    return found


def extract_places(text: str) -> list[Place]:
    """Place names in ``text`` in order of first appearance, without repeats."""
    text = normalise(text)
    found: list[Place] = []
    last = 0
    for match in _CODED.finditer(text):
        found.extend(_stretch_places(text[last : match.start()]))
        code, suffix = match.group(1).upper(), match.group(2)
        found.append(Place(code + suffix, code, _SUFFIX_LEVEL[suffix]))
        last = match.end()
    found.extend(_stretch_places(text[last:]))
    seen: set[str] = set()
    unique = []
    for place in found:
        if place.name not in seen:
            seen.add(place.name)
            unique.append(place)
    return unique


def _stretch_places(text: str) -> list[Place]:
    return [p for stretch in _STRETCH_BREAK.split(text) if stretch for p in _names_in(stretch)]


def same_place(a: Place, b: Place) -> bool:
    """Whether two names plausibly denote one place ("丽发新城" and "丽发新城小区")."""
    return a.core in b.name or b.core in a.name


def strip_admin_names(text: str) -> str:
    """``text`` without city- and district-level names, for picking topic words.

    Coded names glue onto their neighbours in segmentation ("A市伊景园" gives "市伊"), and
    a group's district is shown in its place, not among its words.
    """
    text = normalise(text)
    for place in extract_places(text):
        if place.rank <= 1:
            text = re.sub(re.escape(place.name), " ", text, flags=re.IGNORECASE)
    return text
