"""§6.1.6 element extraction from the free text of an appeal: phones, times, places, area.

The intake form prompts for time, place, people, cause, course and demand (§6.1.6); this
module pre-fills what text patterns can find, for the agent to confirm:

* :func:`extract_phones` — mobile and landline numbers, normalised;
* :func:`extract_times` — time expressions (今天下午三点, 昨晚, 上周五, 3月5日, 最近一周 …)
  resolved against the call time ``now`` (timezone-aware; results are in its timezone);
* :func:`extract_places` — address-like strings (…区…街道…路18号, …小区3栋);
* :class:`Gazetteer` — resolves text to the centre's own administrative areas, given as
  data (id, name, aliases, parent_id, level); the Django side passes its Area table.

Why hand-written rules rather than a library: the candidates were measured (see
``docs/nlp-libraries.md``).  jionlp parses times well but costs ~0.7–2.8 s to import,
35–107 MB of memory and ~220 MB on disk; cpca knows only the national
province/city/district list, not a centre's streets and communities, and pulls in pandas.
The patterns a hotline needs are few and live here, with tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

# ---------------------------------------------------------------------------------------
# Phones

_MOBILE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![\d])")
_LANDLINE = re.compile(
    r"(?<![\d])[(（]?(0\d{2,3})[)）]?[- ]?([2-9]\d{6,7})(?:[-转](\d{1,5}))?(?![\d])"
)
_LOCAL = re.compile(r"(?:电话|座机|固话|联系方式|号码)[是为：:\s]{0,3}([2-9]\d{6,7})(?![\d])")


@dataclass(frozen=True)
class Phone:
    """A phone number found in the text: ``number`` has no separators."""

    number: str
    kind: str  # "mobile" | "landline"
    text: str
    start: int
    end: int


def extract_phones(text: str) -> list[Phone]:
    """Mobile numbers (11 digits, 1[3-9]…), landlines with area code, local numbers after a cue."""
    found: list[Phone] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _MOBILE.finditer(text):
        found.append(Phone("".join(m.groups()), "mobile", m.group(0), m.start(), m.end()))
        taken.append(m.span())
    for m in _LANDLINE.finditer(text):
        if free(*m.span()):
            number = f"{m.group(1)}-{m.group(2)}" + (f"-{m.group(3)}" if m.group(3) else "")
            found.append(Phone(number, "landline", m.group(0), m.start(), m.end()))
            taken.append(m.span())
    for m in _LOCAL.finditer(text):
        if free(*m.span(1)):
            found.append(Phone(m.group(1), "landline", m.group(1), m.start(1), m.end(1)))
    return sorted(found, key=lambda p: p.start)


# ---------------------------------------------------------------------------------------
# Chinese numerals (enough for dates and clock times: 0–9999)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"(?:\d{1,4}|[零〇一二两三四五六七八九十百千]{1,6})"


def cn_int(s: str) -> int:
    """``"12"``, ``"十二"``, ``"二十五"``, ``"两"``, ``"二〇二四"`` → int."""
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGITS for c in s):  # digit by digit, as in years: 二〇二四
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, current = 0, 0
    for c in s:
        if c in _CN_DIGITS:
            current = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[c]
            current = 0
        else:
            raise ValueError(f"not a number: {s!r}")
    return total + current


# ---------------------------------------------------------------------------------------
# Times

_PARTS: dict[str, tuple[int, int]] = {  # part of day → [start hour, end hour)
    "凌晨": (0, 6),
    "清晨": (5, 8),
    "早上": (6, 9),
    "早晨": (6, 9),
    "上午": (8, 12),
    "中午": (11, 14),
    "下午": (13, 18),
    "傍晚": (17, 19),
    "晚上": (18, 24),
    "夜里": (20, 24),
    "夜间": (20, 24),
    "深夜": (22, 24),
    "半夜": (22, 24),
    "午夜": (23, 24),
}
_PM_PARTS = {"下午", "傍晚", "晚上", "夜里", "夜间", "深夜", "半夜", "午夜"}
_DAY_WORDS = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "昨儿": -1,
    "今天": 0,
    "今日": 0,
    "今儿": 0,
    "当天": 0,
    "明天": 1,
    "明日": 1,
    "后天": 2,
}
_DAY_PART_WORDS = {  # words that carry a day and a part of day
    "昨晚": (-1, "晚上"),
    "昨夜": (-1, "夜里"),
    "昨早": (-1, "早上"),
    "今早": (0, "早上"),
    "今晨": (0, "清晨"),
    "今晚": (0, "晚上"),
    "今夜": (0, "夜里"),
    "明早": (1, "早上"),
    "明晚": (1, "晚上"),
}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_WEEKDAYS.update({str(i): i - 1 for i in range(1, 8)})
_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "星期": 7, "个星期": 7, "个礼拜": 7, "礼拜": 7}
_UNIT_DAYS.update({"个月": 30, "月": 30, "年": 365})


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_TIME_RE = re.compile(
    rf"""
    (?P<span>(?:(?:最近|近|这|过去)(?P<span_n>{_NUM}|几|半)?|前(?P<span_n2>{_NUM}|几|半))(?P<span_unit>个月|个星期|个礼拜|天|日|周|星期|月|年)(?:以来|来|内|里|多)?)
  | (?P<ago>(?P<ago_n>{_NUM}|几|半)(?P<ago_unit>个月|个星期|天|日|周|星期|年)(?:多)?(?:前|以前|之前))
  | (?:
      (?:
        (?P<ymd>(?P<y>\d{{4}})[年/.-](?P<m>\d{{1,2}})[月/.-](?P<d>\d{{1,2}})[日号]?)
      | (?P<md>(?:(?P<md_y>今年|去年|\d{{4}}年))?(?P<md_m>{_NUM})月(?P<md_d>{_NUM})[日号])
      | (?P<month>(?P<mo_y>今年|去年|\d{{4}}年)?(?P<mo_rel>上个?|本|这个?)?(?P<mo_m>{_NUM})?月(?P<mo_pos>初|中旬|下旬|底|末)?(?=[^日号\d]|$))
      | (?P<week>(?P<week_rel>上上|上|下|本|这)?个?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天末1-7]))
      | (?P<dayword>{_alt(_DAY_WORDS)})
      | (?P<daypart>{_alt(_DAY_PART_WORDS)})
      )?
      (?P<part>{_alt(_PARTS)})?
      (?P<clock>
          (?P<hh>\d{{1,2}}):(?P<mm>\d{{2}})
        | (?P<h>{_NUM})(?:点钟?|时)(?P<min>半|一刻|三刻|(?P<mn>{_NUM})分?)?(?P<approx>多|左右)?
      )?
    )
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class TimeMention:
    """A time expression and the interval ``[start, end)`` it stands for."""

    text: str
    start: datetime
    end: datetime
    kind: str  # "point" (a day, part of day or clock time) | "span" (最近一周 …)
    offset: int  # character offset in the text

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "kind": self.kind,
            "offset": self.offset,
        }


def _day_start(d: date, now: datetime) -> datetime:
    return datetime.combine(d, time(0), tzinfo=now.tzinfo)


def _past_date(month: int, day: int, now: datetime) -> date | None:
    """Month/day without a year: this year, or last year if that is more than a day ahead
    (appeals mostly report what already happened)."""
    for year in (now.year, now.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d <= now.date() + timedelta(days=1):
            return d
    return None


def _year(word: str | None, now: datetime) -> int | None:
    if not word:
        return None
    if word == "今年":
        return now.year
    if word == "去年":
        return now.year - 1
    return int(word.rstrip("年"))


def _span(m: re.Match[str], now: datetime) -> tuple[datetime, datetime] | None:
    n_text, unit = m.group("span_n") or m.group("span_n2"), m.group("span_unit")
    if n_text is None:
        if m.group(0).startswith("这") and unit in ("周", "星期"):  # 这周: this week so far
            monday = now.date() - timedelta(days=now.weekday())
            return _day_start(monday, now), now
        n = 1.0
    elif n_text == "几":
        n = 3.0
    elif n_text == "半":
        n = 0.5
    else:
        n = float(cn_int(n_text))
    days = n * _UNIT_DAYS[unit]
    return now - timedelta(days=days), now


def _resolve(m: re.Match[str], now: datetime) -> tuple[datetime, datetime, str] | None:
    g = m.group
    if g("span"):
        s = _span(m, now)
        return (s[0], s[1], "span") if s else None
    if g("ago"):
        n_text = g("ago_n")
        n = 3 if n_text == "几" else 0.5 if n_text == "半" else cn_int(n_text)
        if g("ago_unit") == "年" and n >= 30:  # "95年以前": the year 1995, not 95 years
            return None
        d = (now - timedelta(days=n * _UNIT_DAYS[g("ago_unit")])).date()
        return _day_start(d, now), _day_start(d, now) + timedelta(days=1), "point"

    day: date | None = None
    part = g("part")
    if g("ymd"):
        try:
            day = date(int(g("y")), int(g("m")), int(g("d")))
        except ValueError:
            return None
    elif g("md"):
        month, dom = cn_int(g("md_m")), cn_int(g("md_d"))
        year = _year(g("md_y"), now)
        if year:
            try:
                day = date(year, month, dom)
            except ValueError:
                return None
        else:
            day = _past_date(month, dom, now)
        if day is None:
            return None
    elif g("month"):
        return _month(m, now)
    elif g("week"):
        rel, wd = g("week_rel") or "", _WEEKDAYS[g("wd")]
        monday = now.date() - timedelta(days=now.weekday())
        weeks = {"上上": -2, "上": -1, "下": 1, "本": 0, "这": 0}.get(rel)
        if weeks is None:  # bare 周五: the most recent one, today included
            day = now.date() - timedelta(days=(now.weekday() - wd) % 7)
        else:
            day = monday + timedelta(days=7 * weeks + wd)
        if g("wd") == "末":
            start = _day_start(day, now)
            return start, start + timedelta(days=2), "point"
    elif g("dayword"):
        day = now.date() + timedelta(days=_DAY_WORDS[g("dayword")])
    elif g("daypart"):
        offset, part_word = _DAY_PART_WORDS[g("daypart")]
        day = now.date() + timedelta(days=offset)
        part = part or part_word

    if g("clock"):
        if g("hh"):
            hour, minute = int(g("hh")), int(g("mm"))
        else:
            hour = cn_int(g("h"))
            minute_word = g("min") or ""
            minute = {"半": 30, "一刻": 15, "三刻": 45}.get(minute_word, 0)
            if g("mn"):
                minute = cn_int(g("mn"))
        if part in _PM_PARTS and hour < 12:
            hour += 12
        elif part == "中午" and hour < 6:
            hour += 12
        if hour > 24 or minute > 59:
            return None
        if day is None:  # a bare clock time: today, or yesterday if it is still to come
            day = now.date()
            if datetime.combine(day, time(hour % 24, minute), tzinfo=now.tzinfo) > now:
                day -= timedelta(days=1)
        start = _day_start(day, now) + timedelta(hours=hour, minutes=minute)
        width = timedelta(hours=1) if (g("approx") or not (minute or g("min"))) else timedelta(0)
        return start, start + (width or timedelta(minutes=1)), "point"
    if part:
        lo, hi = _PARTS[part]
        if day is None:  # a bare part of day: today's, or yesterday's if it is still to come
            day = now.date()
            if _day_start(day, now) + timedelta(hours=lo) > now:
                day -= timedelta(days=1)
        start = _day_start(day, now)
        return start + timedelta(hours=lo), start + timedelta(hours=hi), "point"
    if day is not None:
        start = _day_start(day, now)
        return start, start + timedelta(days=1), "point"
    return None


def _month(m: re.Match[str], now: datetime) -> tuple[datetime, datetime, str] | None:
    g = m.group
    rel, month_text = g("mo_rel"), g("mo_m")
    year = _year(g("mo_y"), now) or now.year
    if rel and rel.startswith("上"):
        if month_text:
            return None
        month = now.month - 1 or 12
        year = now.year if now.month > 1 else now.year - 1
    elif rel:
        month = now.month
    elif month_text:
        month = cn_int(month_text)
        if not g("mo_y") and month > now.month:
            year -= 1
    else:
        return None
    if not 1 <= month <= 12:
        return None
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    pos = g("mo_pos")
    lo, hi = first, following
    if pos == "初":
        hi = first + timedelta(days=10)
    elif pos == "中旬":
        lo, hi = first + timedelta(days=10), first + timedelta(days=20)
    elif pos in ("下旬", "底", "末"):
        lo = first + timedelta(days=20)
    return _day_start(lo, now), _day_start(hi, now), "point"


# A clock word alone in Chinese numerals is often not a time ("一点也不"): require a cue.
_WEAK_CLOCK = re.compile(r"^[零〇一二两三四五六七八九十]+点$")


def extract_times(text: str, now: datetime) -> list[TimeMention]:
    """Time expressions in ``text`` resolved against the call time ``now`` (tz-aware).

    Days without a year, bare weekdays and bare clock times are taken in the past (an
    appeal reports what happened); "下周五", "明天" and explicit years are kept as said.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (§4: time is explicit)")
    out: list[TimeMention] = []
    for m in _TIME_RE.finditer(text):
        s = m.group(0)
        if not s or _WEAK_CLOCK.match(s):
            continue
        if s.startswith("前") and text[m.start() - 1 : m.start()] in ("提", "以", "之", "目"):
            continue  # 提前半年: ahead of time, not the last half year
        resolved = _resolve(m, now)
        if resolved:
            out.append(TimeMention(s, resolved[0], resolved[1], resolved[2], m.start()))
    return out


# ---------------------------------------------------------------------------------------
# Places

_ADDRESS_SUFFIX = _alt(
    "自治区 自治州 特别行政区 省 市 区 县 旗 盟 镇 乡 苏木 街道 办事处 社区 嘎查 村 村民组"
    " 大道 大街 路 街 巷 胡同 弄 小区 新村 花园 家园 公寓 苑 大厦 广场 市场 商场 公园"
    " 学校 小学 中学 大学 幼儿园 医院 卫生院 车站 号楼 栋 幢 单元 号 室".split()
)  # longest first, so 农贸市场 is not cut at 市
# Characters that do not occur inside a place name but do in the sentence around it
# ("摆到路上", "这条路"): a segment containing one is not an address.
_NAME_CHAR = r"(?:(?![的了到把在是有就也都很和与及至从往向对被给让请要能会不没这那每些个说看用过])[\u4e00-\u9fa5A-Za-z0-9])"
_PLACE = re.compile(
    rf"(?:{_NAME_CHAR}{{1,10}}?(?:{_ADDRESS_SUFFIX}))"
    rf"(?:(?:{_NAME_CHAR}|-){{0,10}}?(?:{_ADDRESS_SUFFIX}))*"
)
# Words before a place that belong to the sentence, not to the address.
_LEAD = re.compile(
    r"^.*(?:住在|位于|地址是|地址为|家住|就在|发生在|来自|反映|我在|我们在|在|于|的|是|时间|导致|包括|请问|问|求|现|我们|我家)(?=[\u4e00-\u9fa5A-Za-z0-9]{2})"
)
_NOT_PLACE = re.compile(
    r"^(?:[一二三四五六七八九十几多每半这那哪]+|[0-9]+|我|我们|你们|他们|现在|目前|马上|一直|有关|相关|市民|居民|领导|部门|城市)"
    r"(?:号|天|个|楼|层|站|道|里|区|市|路|点|年|月|街|中心)?$|政府$|城市$"
)
_MIN_PLACE_LEN = 3


@dataclass(frozen=True)
class Place:
    """An address-like string in the text."""

    text: str
    start: int
    end: int


# A suffix character that, with the character after it, names a thing rather than closing
# the address: "人民路路灯" is 人民路 + 路灯, never "人民路路".
_THING_AFTER = {
    "路": "灯面边段牌基况沿旁网费线口人桥",
    "街": "灯道面边坊",
    "号": "码线",
    "省": "级委政",
    "楼": "道顶梯房下上",
    "区": "域内外",
    "村": "民干委",
    "市": "民场",
}


def _trim_thing(s: str, following: str) -> str:
    """Drop a last suffix character that starts a thing word with ``following`` when what
    remains still ends like an address ("人民路路|灯" → "人民路")."""
    last = s[-1:]
    if last == "号" and following in ("线", "码"):
        return ""  # 5号线, 号码: a line or a number, not a house
    if following and following in _THING_AFTER.get(last, ""):
        rest = s[:-1]
        ends = re.search(rf"(?:{_ADDRESS_SUFFIX})$", rest)
        # 村民, 村干部: the village is named before them even without a suffix ("…喜发塘组")
        if len(rest) >= 2 and (ends or last == "村"):
            return rest
    return s


def extract_places(text: str) -> list[Place]:
    """Address-like strings: chains of names ending in 区/街道/路/小区/栋/号 …"""
    out: list[Place] = []
    for m in _PLACE.finditer(text):
        s, start = m.group(0), m.start()
        s = _trim_thing(s, text[m.end() : m.end() + 1])
        lead = _LEAD.match(s)
        if lead:
            s, start = s[lead.end() :], start + lead.end()
        if "的" in s:  # "小区门口的路灯": what follows 的 is the thing, not the place
            cut = s.rindex("的") + 1
            s, start = s[cut:], start + cut
        if len(s) < _MIN_PLACE_LEN or _NOT_PLACE.match(s):
            continue
        out.append(Place(s, start, start + len(s)))
    return out


# ---------------------------------------------------------------------------------------
# Gazetteer: the centre's own areas

_LEVEL_RANK = {"city": 0, "district": 1, "street": 2, "community": 3}
_STRIP_SUFFIXES: tuple[str, ...] = ("街道办事处", "街道", "办事处", "社区", "居委会", "村委会")
_STRIP_SUFFIXES += ("嘎查", "苏木", "镇", "乡", "区", "县", "旗", "村")


@dataclass(frozen=True)
class Area:
    """One administrative area as the Django side passes it (its Area table row)."""

    id: Any
    name: str
    level: str  # city | district | street | community
    parent_id: Any = None
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> Area:
        aliases = row.get("aliases") or ()
        if isinstance(aliases, str):
            aliases = tuple(a for a in re.split(r"[,，;；\s]+", aliases) if a)
        return cls(row["id"], row["name"], row["level"], row.get("parent_id"), tuple(aliases))


@dataclass(frozen=True)
class AreaMatch:
    """An area the text points to, with its ancestors (top first) and why."""

    area_id: Any
    name: str
    level: str
    path: list[Any]
    matched: list[str]
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "area_id": self.area_id,
            "name": self.name,
            "level": self.level,
            "path": list(self.path),
            "matched": list(self.matched),
            "confidence": self.confidence,
        }


@dataclass
class Gazetteer:
    """Resolves text to the centre's areas by their names and aliases.

    Names are looked up by sliding windows over the text (one dict look-up per position
    and name length), so cost grows with the text, not with the number of areas.
    Short forms are added automatically by dropping a suffix (新华街道 → 新华) when at
    least two characters remain; they count for less than a full name or a given alias.
    """

    areas: dict[Any, Area] = field(default_factory=dict)
    _names: dict[str, list[tuple[Any, float]]] = field(default_factory=dict, repr=False)
    _lengths: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_rows(cls, rows: Iterable[Area | Mapping[str, Any]]) -> Gazetteer:
        g = cls()
        for row in rows:
            area = row if isinstance(row, Area) else Area.from_mapping(row)
            g.areas[area.id] = area
        for area in g.areas.values():
            g._add(area.name, area.id, 1.0)
            for alias in area.aliases:
                g._add(alias, area.id, 0.9)
            for short in _short_forms(area.name):
                g._add(short, area.id, 0.6)
        g._lengths = sorted({len(n) for n in g._names}, reverse=True)
        return g

    def _add(self, name: str, area_id: Any, weight: float) -> None:
        if len(name) < 2:
            return
        entries = self._names.setdefault(name, [])
        for i, (aid, w) in enumerate(entries):
            if aid == area_id:
                entries[i] = (aid, max(w, weight))
                return
        entries.append((area_id, weight))

    def path(self, area_id: Any) -> list[Any]:
        """Ids from the top ancestor down to ``area_id``."""
        out: list[Any] = []
        seen: set[Any] = set()
        current = area_id
        while current is not None and current in self.areas and current not in seen:
            seen.add(current)
            out.append(current)
            current = self.areas[current].parent_id
        return list(reversed(out))

    def mentions(self, text: str) -> list[tuple[str, int, Any, float]]:
        """(name, offset, area id, weight) for every name found, longest match first."""
        found = []
        covered = [False] * len(text)
        for length in self._lengths:
            for i in range(len(text) - length + 1):
                if covered[i] or covered[i + length - 1]:
                    continue
                entries = self._names.get(text[i : i + length])
                if entries:
                    for area_id, weight in entries:
                        found.append((text[i : i + length], i, area_id, weight))
                    for j in range(i, i + length):
                        covered[j] = True
        return found

    def resolve(self, text: str, limit: int = 3) -> list[AreaMatch]:
        """Areas the text points to, best first.

        Each mentioned area scores its own weight plus its mentioned ancestors' weights
        (a community named together with its street beats a namesake elsewhere); deeper
        areas win ties.  When one name fits several areas, the confidence is shared.
        """
        hits = self.mentions(text)
        if not hits:
            return []
        by_area: dict[Any, tuple[float, list[str]]] = {}
        for name, _, area_id, weight in hits:
            w, names = by_area.get(area_id, (0.0, []))
            by_area[area_id] = (max(w, weight), names + ([name] if name not in names else []))
        ambiguity: dict[str, int] = {}
        for name, _, _, _ in hits:
            ambiguity[name] = ambiguity.get(name, 0) + 1
        scored = []
        for area_id, (weight, names) in by_area.items():
            path = self.path(area_id)
            support = sum(by_area[a][0] for a in path[:-1] if a in by_area)
            share = max(ambiguity[n] for n in names)
            score = (weight + support) / share
            area = self.areas[area_id]
            matched = [n for a in path if a in by_area for n in by_area[a][1]]
            depth = _LEVEL_RANK.get(area.level, 0)
            scored.append((score, depth, area, path, matched))
        scored.sort(key=lambda s: (-s[0], -s[1]))
        top = scored[0][0]
        out = []
        for score, _, area, path, matched in scored[:limit]:
            confidence = round(min(0.95, 0.5 * score / top + 0.15 * min(score, 3.0)), 3)
            out.append(AreaMatch(area.id, area.name, area.level, path, matched, confidence))
        return out


def _short_forms(name: str) -> list[str]:
    for suffix in _STRIP_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return [name[: -len(suffix)]]
    return []


# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Elements:
    """What :func:`extract` found; the intake form pre-fills from it."""

    phones: list[Phone]
    times: list[TimeMention]
    places: list[Place]
    areas: list[AreaMatch]
    # the single values offered on the form (采用), only when trustworthy
    address: Place | None = None
    event_time: TimeMention | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "phones": [{"number": p.number, "kind": p.kind, "text": p.text} for p in self.phones],
            "times": [t.as_dict() for t in self.times],
            "places": [p.text for p in self.places],
            "areas": [a.as_dict() for a in self.areas],
            "address": self.address.text if self.address else "",
            "event_time": self.event_time.as_dict() if self.event_time else None,
        }


def extract(text: str, now: datetime, gazetteer: Gazetteer | None = None) -> Elements:
    """All §6.1.6 elements this module can find in ``text``."""
    return Elements(
        phones=extract_phones(text),
        times=extract_times(text, now),
        places=extract_places(text),
        areas=gazetteer.resolve(text) if gazetteer else [],
        address=suggest_address(text),
        event_time=suggest_time(text, now),
    )


# ---------------------------------------------------------------------------------------
# The one value offered on the intake form (采用): only when it can be trusted


# Words before a place in an appeal that are the writer's, not the address's: the lead
# pattern above strips up to the last of them.
_LEAD_MORE = (
    "希望|尊重|举报|感谢|按照|依据|根据|离开|原为|代表|评为|得知|了解下|一下|咨询|想问|地处"
    "|既然|陪|本人为|本人来|本人建议|本人|最近|居住|我住|住|担任|只希望|另外|同比|推动|黑心|而"
    "|严重干扰|影响|取缔|关停|还我们|打出|发布|像|近日|外地来|均为|我县|我村|规定|部门|执行"
    "|其他|今年|去年|报考|读|连|申报|夜晚|晚上|早上|白天|上午|下午|以前的|老|他们|上完|自己|本身|提高"
)
_LEAD2 = re.compile(rf"^.*(?:{_LEAD_MORE})")
# A date before a place ("2019年C4市"), an organ after it ("L市委", "县民政局")
_DATE_HEAD = re.compile(r"^\d{2,4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?(?:秋季|春季|夏季|冬季)?")
_ORGAN_TAIL = re.compile(
    r"^(.*?[省市县区州旗])(?:[省市县区]?[\u4e00-\u9fa5]{0,4}?(?:委|政府|局|厅|法院|银行|公司|市场监督))"
)
# Masked or real admin names: "K6县", "A市A3区"
_ADMIN_TOKEN = re.compile(r"[A-Za-z]\d{0,2}\s?[省市区县州]")
# Whole candidates that name no place in particular
_GENERIC = re.compile(
    r"^(?:(?:大|小|中|全国文明|文明|周边|地级|省会|其他|整个)?城市|地级市|县级市|市县|县委县|市委市|县全县|省|市|县|区"
    r"|(?:公立|私立|民办)?(?:幼儿园|小学|中学|大学|学校)|候车室|城镇|乡村|农村|市区|城区|镇区)$"
)
# a generic tail after a named place: "A市城镇", "A市辖区", "A7县普惠性幼儿园"
_GENERIC_TAIL = re.compile(
    r"(?<=[省市县区镇])(?:小城镇|城镇|城市|辖区|市区|城区|片区|(?:二手房)?市场"
    r"|(?:普惠性|民办|公立|私立)(?:学校|幼儿园|小学|中学|大学))$"
)
# "第599号", "证号", "暗号": a number only when digits come before 号
_BAD_NUMBER = re.compile(r"[^\d一二三四五六七八九十零〇]号$|[字第年证文]\d+号$")
_WHOLE_DATE = re.compile(r"^\d{2,4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?$")
_GENERIC_ROAD = re.compile(r"(?:线路|道路|公路|马路|十字路|高速路|水泥路)$")


def _clean_place(p: Place) -> Place | None:
    s, start = p.text, p.start
    if _WHOLE_DATE.match(s):
        return None
    for pattern in (_LEAD2, _DATE_HEAD):
        m = pattern.match(s)
        if m:
            s, start = s[m.end() :], start + m.end()
    # a masked admin name a few characters in: what stands before it is the sentence's
    m = _ADMIN_TOKEN.search(s)
    if m and 0 < m.start() <= 4 and not re.search(rf"(?:{_ADDRESS_SUFFIX})$", s[: m.start()]):
        s, start = s[m.start() :], start + m.start()
    m = _ORGAN_TAIL.match(s)
    if m:
        s = m.group(1)
    m = _GENERIC_TAIL.search(s)
    if m and m.start() >= 2:
        s = s[: m.start()]
    if (
        len(s) < _MIN_PLACE_LEN
        or _GENERIC.match(s)
        or _BAD_NUMBER.search(s)
        or _NOT_PLACE.match(s)
        or s.endswith("线路")
    ):
        return None
    if _GENERIC_ROAD.search(s) and not _ADMIN_TOKEN.search(s) and len(s) <= 6:
        return None
    return Place(s, start, start + len(s))


def suggest_address(text: str) -> Place | None:
    """The address offered for 发生地址, or None when no candidate is trustworthy: the
    first candidate left after the writer's words, dates, organs, document numbers and
    generic words (城市, 小学, 道路 …) are taken off."""
    for p in extract_places(text):
        clean = _clean_place(p)
        if clean is not None:
            return clean
    return None


# A time mention that is a habit, a schedule or a range, not when the event happened:
# "每天早上", "经常晚上", "晚上不到12点", "7:30-18:00", "早晨7点以后".
_HABIT_BEFORE = re.compile(r"(?:每|每天|每到|每晚|经常|常常|天天|一般|通常|都|从|是|为)$")
_SCHEDULE_AFTER = re.compile(r"^(?:以后|以前|之前|之后|不到|很晚|左右|前|后|-|－|—|~|至|到)")
_BARE_MONTH = re.compile(r"^[一二两三四五六七八九十]+月$")


def suggest_time(text: str, now: datetime) -> TimeMention | None:
    """The event time offered for 时间, or None when no mention names one.  Habits,
    schedules and ranges are not offered, nor a bare part of day or clock time (their day
    is a guess), nor "一月" (more often a duration than January)."""
    for t in extract_times(text, now):
        before = text[max(0, t.offset - 2) : t.offset]
        after = text[t.offset + len(t.text) : t.offset + len(t.text) + 2]
        if _HABIT_BEFORE.search(before) or _SCHEDULE_AFTER.match(after):
            continue
        if _BARE_MONTH.match(t.text) and not after.startswith(("份", "初", "底")):
            continue
        bare = re.fullmatch(
            rf"(?:{_alt(_PARTS)})?(?:\d{{1,2}}:\d{{2}}|{_NUM}(?:点钟?|时).*)?", t.text
        )
        if bare:
            continue
        return t
    return None
