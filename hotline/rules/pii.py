"""Personal data inside free text: find it and mask it (§6.1.6 个人信息显示方式, PIPL).

A citizen who asks for confidentiality often types their phone or ID number into the appeal
itself; a unit's reply may repeat it.  ``mask_text`` hides what this module finds:

* mobile numbers (11 digits, ``1[3-9]…``, with or without ``+86``), landlines with their area
  code (``0473-1234567``, ``(0473)1234567``) and local numbers after a cue (电话、座机 …);
* 18-digit ID-card numbers (and the old 15-digit ones) whose birth date is plausible, the
  last digit may be ``X``;
* bank-card numbers (16–19 digits);
* e-mail addresses;
* for public output (``style="redact"``), names and home addresses after a cue
  (我叫王建军, 家住康乐小区5号楼).

Digits count however they are typed: half- or full-width (１３９…), in Chinese numerals as
people read a phone aloud (一三九零四七三幺二三四), and spaced or hyphenated in any grouping
(139 0473 1234, 1 3 9 0 …, 150302 19850715 0021).

**Linear time.**  Every text comes from outside, so nothing here may backtrack: the patterns
run on RE2 (``google-re2``), whose matching time is linear in the input by construction
(except the digit-group tokenizer, a single repeated character class, see ``_TOKENS``), and
the digit grouping looks at most ``MAX_DIGITS`` groups ahead of each group.  The rule tests
prove it on 100,000-character adversarial strings.  Never switch a pattern here to Python's
``re``: ``[\\w.+-]+@…`` alone takes seconds on 20,000 letters there.

Pure functions, no Django: the masking policy (``hotline.rules.masking``) decides who gets
the original and who gets ``mask_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import re2

from hotline.rules.choices import Term, Vocabulary

KINDS = Vocabulary(
    "pii",
    [
        Term("mobile", "手机号码", "PIPL Art. 28"),
        Term("landline", "固定电话", "PIPL Art. 28"),
        Term("id_card", "身份证号", "PIPL Art. 28"),
        Term("bank_card", "银行卡号", "PIPL Art. 28"),
        Term("email", "电子邮箱", "PIPL Art. 4"),
        Term("name", "姓名", "§6.1.4, PIPL Art. 4"),
        Term("home_address", "住址", "§6.1.4, PIPL Art. 4"),
    ],
)

Style = Literal["partial", "redact"]

# What "redact" (public output) puts in place of each kind.
PLACEHOLDERS = {
    "mobile": "[电话已隐去]",
    "landline": "[电话已隐去]",
    "id_card": "[证件号已隐去]",
    "bank_card": "[银行卡号已隐去]",
    "email": "[邮箱已隐去]",
    "home_address": "[地址已隐去]",
}
ADDRESS_HIDDEN = PLACEHOLDERS["home_address"]

MAX_DIGITS = 19  # the longest number looked for (a bank card)
_MAX_GAP = 3  # separator characters allowed between two digit groups of one number

# ---------------------------------------------------------------------------------------
# normalising: one character in, one character out, so offsets stay those of the original

_CJK_DIGITS = {"〇": "0", "零": "0", "○": "0", "一": "1", "幺": "1", "二": "2", "三": "3"}
_CJK_DIGITS.update({"四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"})
_FULL_WIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
_FULL_WIDTH["\u3000"] = " "
_TABLE = str.maketrans(_FULL_WIDTH)
_SEPARATORS = frozenset(" -‐‑–—_()/\u00a0\t")


def normalise(text: str) -> str:
    """Full-width ASCII (digits, letters, ``＠``, ``－``, ``（）``) and the ideographic space
    as their half-width forms; every other character unchanged.  Same length as ``text``."""
    return text.translate(_TABLE)


# ---------------------------------------------------------------------------------------
# patterns (RE2: linear time)

# Digit groups: one character class repeated, which no engine can backtrack on (each
# character is looked at once), so Python's ``re`` is used for its speed: RE2's Python
# match objects cost ~10 µs each, and a text of spaced digits has one group per character.
_TOKENS = re.compile(r"[0-9]+|[〇零○一幺二三四五六七八九]+")
_CJK_RUN = re2.compile(r"[〇零○一幺二三四五六七八九]{3}")
_EMAIL = re2.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# A phone's cue: a 7–8 digit number without area code is a phone only after one of these.
_PHONE_CUES = ("电话", "座机", "固话", "联系方式", "号码", "手机", "联系", "致电", "tel", "Tel")

# Common surnames: a name after a cue must start with one (我是业主 is not a name).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿"
    "关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华"
    "喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗"
    "瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
)
_SURNAME_CLASS = "".join(sorted(set(SURNAMES)))
_NAME = re2.compile(
    r"(?:我叫|我是|本人是|本人叫|本人姓名|名叫|姓名|联系人|来电人|报案人|举报人|投诉人)"
    r"[：:是为\s]{0,2}((?:" + "|".join(_COMPOUND_SURNAMES) + r"|[" + _SURNAME_CLASS + r"])"
    r"[\p{Han}]{1,2})"
)
_HOME = re2.compile(
    r"(?:家住|住在|居住在|现住|家庭住址|家庭地址|住址|联系地址|我家在)[：:是为\s]{0,2}"
    r"([^，。；、,;！!？?\s（()）]{2,40})"
)


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: ``text[start:end]`` of the original text; ``value`` is
    the normalised form (digits only for numbers)."""

    kind: str
    start: int
    end: int
    value: str


# ---------------------------------------------------------------------------------------
# numbers


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    digits: str


def _tokens(norm: str) -> list[_Token]:
    out = []
    for m in _TOKENS.finditer(norm):
        s = m.group(0)
        digits = s if s[0].isascii() else "".join(_CJK_DIGITS[c] for c in s)
        out.append(_Token(m.start(), m.end(), digits))
    return out


def _joinable(norm: str, a: _Token, b: _Token) -> bool:
    """Two digit groups belong to one number when nothing but a few separators lies
    between them (none: an Arabic group right after a Chinese-numeral one)."""
    gap = b.start - a.end
    return gap <= _MAX_GAP and all(c in _SEPARATORS for c in norm[a.end : b.start])


def _plausible_date(year: int, month: str, day: str) -> bool:
    return 1900 <= year <= 2099 and "01" <= month <= "12" and "01" <= day <= "31"


def _is_id_card(d: str) -> bool:
    """18 characters (17 digits and a digit or X) with a birth date at 7–14, or the old
    15 digits with yymmdd at 7–12 (GB 11643)."""
    if len(d) == 18:
        return _plausible_date(int(d[6:10]), d[10:12], d[12:14])
    if len(d) == 15 and d.isdigit():
        return _plausible_date(1900 + int(d[6:8]), d[8:10], d[10:12])
    return False


def _is_landline(d: str) -> bool:
    """Area code (3 digits for 010, 02x; 4 otherwise) and a 7–8 digit local number
    (real ones start with 2–9; any but 0 is accepted: hiding too much is the safe side)."""
    if not d.startswith("0") or len(d) < 10:
        return False
    area = 3 if d[1] in "12" else 4
    local = d[area:]
    return 7 <= len(local) <= 8 and local[0] != "0"


def classify_number(digits: str, *, cue: bool = False) -> str | None:
    """The kind of personal number ``digits`` is (``X`` allowed last), or None."""
    n = len(digits)
    if digits.endswith(("X", "x")):
        return "id_card" if n == 18 and _is_id_card(digits[:17] + "X") else None
    if n == 11 and digits[0] == "1" and digits[1] in "3456789":
        return "mobile"
    if n == 13 and digits.startswith("86") and digits[3] in "3456789" and digits[2] == "1":
        return "mobile"
    if n in (18, 15) and _is_id_card(digits):
        return "id_card"
    if 16 <= n <= 19:
        return "bank_card"
    if _is_landline(digits):
        return "landline"
    if cue and n in (7, 8) and digits[0] in "23456789":
        return "landline"
    return None


_CUE = re2.compile("|".join(_PHONE_CUES))
_CANDIDATE_LENGTHS = frozenset({7, 8, 10, 11, 12, 13, 15, 16, 17, 18, 19})


def _cue_before(norm: str, tokens: list[_Token]) -> list[bool]:
    """For each digit group: does a phone cue end at most 8 characters before it?"""
    ends = [m.end() for m in _CUE.finditer(norm)]
    out = []
    k = 0
    last = -(10**9)
    for t in tokens:
        while k < len(ends) and ends[k] <= t.start:
            last = ends[k]
            k += 1
        out.append(t.start - last <= 8)
    return out


def _numbers(norm: str) -> list[Finding]:
    """Greedy, left to right: from each digit group, the longest run of joinable groups
    (at most ``MAX_DIGITS`` digits) that is a personal number; its groups are used up.
    Each group is looked at from at most ``MAX_DIGITS`` starting groups: linear."""
    tokens = _tokens(norm)
    n = len(tokens)
    joins = [_joinable(norm, tokens[k], tokens[k + 1]) for k in range(n - 1)]
    cues = _cue_before(norm, tokens)
    found: list[Finding] = []
    i = 0
    while i < n:
        best: tuple[int, str, str, int] | None = None  # (last group, kind, value, end)
        digits = ""
        cue = cues[i]
        j = i
        while j < n:
            if j > i and not joins[j - 1]:
                break
            digits += tokens[j].digits
            size = len(digits)
            if size > MAX_DIGITS:
                break
            end = tokens[j].end
            if size == 17 and end < len(norm) and norm[end] in "Xx" and _is_id_card(digits + "X"):
                best = (j, "id_card", digits + "X", end + 1)
            elif size in _CANDIDATE_LENGTHS and (kind := classify_number(digits, cue=cue)):
                best = (j, kind, digits, end)
            j += 1
        if best is None:
            i += 1
            continue
        last, kind, value, end = best
        start = tokens[i].start
        if kind == "mobile" and start > 0 and norm[start - 1] == "+":
            start -= 1
        found.append(Finding(kind, start, end, value))
        i = last + 1
    return found


# ---------------------------------------------------------------------------------------
# finding and masking


def find(text: str, *, names_and_homes: bool = False) -> list[Finding]:
    """Every piece of personal data in ``text``, in order, never overlapping.  Names and
    home addresses (after a cue) only with ``names_and_homes``."""
    if not text:
        return []
    norm = normalise(text)
    found = [Finding("email", m.start(), m.end(), m.group(0)) for m in _EMAIL.finditer(norm)]
    found += _numbers(norm)
    if names_and_homes:
        for pattern, kind in ((_NAME, "name"), (_HOME, "home_address")):
            for m in pattern.finditer(norm):
                found.append(Finding(kind, m.start(1), m.end(1), m.group(1)))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    out: list[Finding] = []
    for f in found:
        if out and f.start < out[-1].end:
            continue
        out.append(f)
    return out


def mask_name(name: str) -> str:
    """王建军 → 王**: the surname stays, the given name goes (§6.1.6)."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    """13905555555 → 139****5555; shorter numbers keep their first and last two digits."""
    digits = (phone or "").strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def _partial(f: Finding) -> str:
    v = f.value
    if f.kind == "mobile":
        d = v[2:] if len(v) == 13 else v
        return d[:3] + "****" + d[-4:]
    if f.kind == "landline":
        if len(v) >= 10:
            area = 3 if v[1] in "12" else 4
            return v[:area] + "-" + "*" * (len(v) - area - 2) + v[-2:]
        return "*" * (len(v) - 2) + v[-2:]
    if f.kind in ("id_card", "bank_card"):
        return v[:4] + "*" * (len(v) - 8) + v[-4:]
    if f.kind == "email":
        local, _, domain = v.partition("@")
        return local[:1] + "***@" + domain
    if f.kind == "name":
        return mask_name(v)
    return ADDRESS_HIDDEN


def masked_form(f: Finding, style: Style) -> str:
    """What replaces ``f``: a shape-keeping mask for staff (``partial``), a placeholder for
    the public (``redact``; names keep their surname in both)."""
    if f.kind == "name":
        return mask_name(f.value)
    if style == "redact":
        return PLACEHOLDERS[f.kind]
    return _partial(f)


@dataclass(frozen=True)
class Known:
    """The order's own citizen fields, hidden wherever they appear in its texts.
    ``place`` is where the problem is: a home address equal to it stays (it is what the
    appeal is about, and every viewer sees the 发生地址)."""

    name: str = ""
    phone: str = ""
    address: str = ""
    place: str = ""

    @classmethod
    def of(cls, values: Any) -> Known:
        """From anything with ``citizen_name``, ``citizen_phone``, ``citizen_address`` and
        ``address`` attributes (a work order)."""
        return cls(
            (getattr(values, "citizen_name", "") or "").strip(),
            (getattr(values, "citizen_phone", "") or "").strip(),
            (getattr(values, "citizen_address", "") or "").strip(),
            (getattr(values, "address", "") or "").strip(),
        )

    def replacements(self, style: Style) -> list[tuple[str, str]]:
        out = []
        if len(self.address) >= 4 and self.address != self.place:
            out.append((self.address, ADDRESS_HIDDEN))
        if len(self.phone) >= 5:
            out.append(
                (
                    self.phone,
                    PLACEHOLDERS["mobile"] if style == "redact" else mask_phone(self.phone),
                )
            )
        if len(self.name) >= 2:
            out.append((self.name, mask_name(self.name)))
        return out


def mask_text(text: str, *, style: Style = "partial", known: Known | None = None) -> str:
    """``text`` with every finding replaced (see ``masked_form``) and the order's own
    citizen name, phone and home address hidden where they appear literally."""
    if not text:
        return text
    findings = find(text, names_and_homes=style == "redact")
    parts: list[str] = []
    pos = 0
    for f in findings:
        parts.append(text[pos : f.start])
        parts.append(masked_form(f, style))
        pos = f.end
    parts.append(text[pos:])
    out = "".join(parts)
    if known is not None:
        for literal, replacement in known.replacements(style):
            out = out.replace(literal, replacement)
    return out


def contains_personal_data(text: str, known: Known | None = None) -> bool:
    """Whether ``mask_text`` would change ``text`` — the test of "was personal data shown"."""
    return bool(text) and mask_text(text, known=known) != text


def looks_personal(query: str) -> bool:
    """A search term that could probe personal data: any digit, an ``@``, or a finding.
    Used to keep such terms away from texts the searcher may only see masked."""
    norm = normalise(query or "")
    return any(c.isdigit() for c in norm) or "@" in norm or bool(_CJK_RUN.search(norm))


def kinds(findings: Iterable[Finding]) -> list[str]:
    return sorted({f.kind for f in findings})
