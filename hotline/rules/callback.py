"""Smart callback (§6.8.2: 电话、短信、微信 … 人工或智能) as tables you can read in one screen.

Four small tables, each row citing its clause:

* ``DEFAULT_POLICY`` — when an order reaches 待回访, which callback it gets: the first row
  whose conditions fit the order *and* whose method can reach the citizen decides.  The
  administrator replaces the rows in the admin (``callbacks.CallbackRule``); these are the
  rows that apply while none are configured.
* ``REPLY_CODES`` — what a citizen's SMS reply means (1 满意 2 基本满意 3 不满意; A 已解决
  B 未解决; TD 退订).
* ``VERDICTS`` — what an answer leads to: the order closes (§6.7.2), the survey asks once
  more for the missing half, or a callback agent takes over.
* ``counts_in_assessment`` — which callbacks the unit assessment counts.

Pure Python: the Django app ``hotline.callbacks`` persists the rows, sends the surveys
through the outbox and calls the order actions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hotline.rules.choices import Term, Vocabulary

MANUAL, SMART = "manual", "smart"
PHONE, SMS, WECHAT, OTHER = "phone", "sms", "wechat", "other"

# ---------------------------------------------------------------------------
# 1. The policy: manual or smart, by channel, domain, type, urgency and reopen count.


@dataclass(frozen=True)
class CallbackCase:
    """What the policy looks at on an order that has just reached 待回访 (§6.7.2).

    ``mobile`` is the citizen's mobile number when they gave one (and did not opt out of
    SMS); ``wechat`` their WeChat id (openid) when the appeal came through the mini-program.
    """

    channel: str
    appeal_type: str
    domain: str
    urgency: str
    emergency: bool
    reopen_count: int
    mobile: str = ""
    wechat: str = ""


@dataclass(frozen=True)
class PolicyRow:
    """One row of the callback policy.  Empty condition sets match anything;
    ``emergency`` None matches both; ``min_reopens`` 0 matches every order."""

    label: str
    method: str
    mode: str
    clause: str
    channels: frozenset[str] = field(default_factory=frozenset)
    appeal_types: frozenset[str] = field(default_factory=frozenset)
    domains: frozenset[str] = field(default_factory=frozenset)
    urgencies: frozenset[str] = field(default_factory=frozenset)
    emergency: bool | None = None
    min_reopens: int = 0

    def __post_init__(self) -> None:
        if self.method not in (PHONE, SMS, WECHAT, OTHER):
            raise ValueError(f"unknown callback method {self.method!r}")
        if self.mode not in (MANUAL, SMART):
            raise ValueError(f"unknown callback mode {self.mode!r}")
        if self.mode == SMART and self.method not in (SMS, WECHAT):
            raise ValueError("a smart callback is a survey sent by SMS or WeChat")

    def fits(self, case: CallbackCase) -> bool:
        """The order matches every condition of the row."""
        return (
            (not self.channels or case.channel in self.channels)
            and (not self.appeal_types or case.appeal_type in self.appeal_types)
            and (not self.domains or case.domain in self.domains)
            and (not self.urgencies or case.urgency in self.urgencies)
            and (self.emergency is None or self.emergency == case.emergency)
            and case.reopen_count >= self.min_reopens
        )

    def reaches(self, case: CallbackCase) -> bool:
        """The row's method can reach this citizen: an SMS survey needs a mobile number,
        a WeChat survey a WeChat id; a person can always try the phone."""
        if self.mode == MANUAL:
            return True
        return bool(case.mobile) if self.method == SMS else bool(case.wechat)


DEFAULT_POLICY: tuple[PolicyRow, ...] = (
    PolicyRow("应急类工单由回访员电话回访", PHONE, MANUAL, "§6.4.4, §6.8.2", emergency=True),
    PolicyRow(
        "投诉、举报由回访员电话回访",
        PHONE,
        MANUAL,
        "§5.4.1 c–d, §6.8.2",
        appeal_types=frozenset({"complaint", "report"}),
    ),
    PolicyRow("重办过的工单由回访员电话回访", PHONE, MANUAL, "§6.8 [beyond]", min_reopens=1),
    PolicyRow("小程序诉求发微信评价", WECHAT, SMART, "§6.8.2", channels=frozenset({"miniprogram"})),
    PolicyRow("留有手机号码的发短信评价", SMS, SMART, "§6.8.2"),
)
# When no row fits (or none can reach the citizen) a person calls: §6.7.2 needs a callback.
FALLBACK = PolicyRow("其余由回访员电话回访", PHONE, MANUAL, "§6.7.2, §6.8.2")


@dataclass(frozen=True)
class Choice:
    """The policy's answer: how to call back, and the row that said so."""

    method: str
    mode: str
    row: PolicyRow

    @property
    def smart(self) -> bool:
        return self.mode == SMART


def choose(case: CallbackCase, rows: Sequence[PolicyRow] = DEFAULT_POLICY) -> Choice:
    """The first row that fits the order and can reach the citizen decides (§6.8.2).

    A row that fits but cannot reach (an SMS survey for a landline) is passed over, so the
    next row — in the end a person with a phone — takes the order."""
    for row in rows:
        if row.fits(case) and row.reaches(case):
            return Choice(row.method, row.mode, row)
    return Choice(FALLBACK.method, FALLBACK.mode, FALLBACK)


# Mainland mobile numbers: 11 digits starting 13–19, optionally written with +86 / 0086 and
# spaces or dashes.  One bounded pattern, linear time.
_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")


def mobile_number(phone: str) -> str:
    """The 11-digit mobile number in ``phone``, or "" for a landline or anything else (SMS
    reaches mobiles only)."""
    compact = "".join(ch for ch in (phone or "")[:40] if ch not in " -()")
    m = _MOBILE.fullmatch(compact)
    return m.group(1) if m else ""


# ---------------------------------------------------------------------------
# 2. Reply codes.

SATISFACTION_CODES: dict[str, str] = {
    "1": "satisfied",
    "2": "basically_satisfied",
    "3": "unsatisfied",
}
RESOLUTION_CODES: dict[str, str] = {"A": "resolved", "B": "unresolved"}
# The words citizens actually send, longest first so 不满意 is never read as 满意.
SATISFACTION_WORDS: tuple[tuple[str, str], ...] = (
    ("基本满意", "basically_satisfied"),
    ("比较满意", "basically_satisfied"),
    ("非常不满意", "unsatisfied"),
    ("不满意", "unsatisfied"),
    ("非常满意", "satisfied"),
    ("满意", "satisfied"),
)
RESOLUTION_WORDS: tuple[tuple[str, str], ...] = (
    ("没有解决", "unresolved"),
    ("没解决", "unresolved"),
    ("未解决", "unresolved"),
    ("已解决", "resolved"),
    ("解决了", "resolved"),
)
# Replies that mean "send me no more messages" (the carriers' convention: 回TD退订).
OPT_OUT_WORDS = frozenset({"TD", "T", "退订", "退订短信"})

# Characters that change nothing around a word ("我很满意了", "问题已解决", "1A谢谢你们").
# Anything else — "不太满意" leaves 不太 — is not understood and goes to a person.
_FILLERS = frozenset("我很了的啊呀吧都问题谢你们")

REPLY_CODES = Vocabulary(
    "reply_code",
    [
        Term("1", "满意", "§6.8.3"),
        Term("2", "基本满意", "§6.8.3"),
        Term("3", "不满意", "§6.8.3"),
        Term("A", "已解决", "§6.8.3"),
        Term("B", "未解决", "§6.8.3"),
        Term("TD", "退订短信", "[beyond: 个人信息保护法 §44]"),
    ],
)


@dataclass(frozen=True)
class ParsedReply:
    """What a reply says.  ``understood`` is False for text that holds no code at all, or
    codes that contradict each other (``13``, ``AB``)."""

    satisfaction: str = ""
    resolution: str = ""
    opt_out: bool = False
    understood: bool = False


def parse_reply(text: str) -> ParsedReply:
    """Read a citizen's reply: a satisfaction digit and/or a resolution letter, in either
    order, full-width or half-width, with or without spaces (``1A``, ``１ａ``, ``a 1``), or
    the Chinese words (``满意 已解决``).  Anything else is not understood."""
    norm = unicodedata.normalize("NFKC", text or "")[:200].strip().upper()
    compact = "".join(ch for ch in norm if not ch.isspace() and ch not in ",，.。!！、;；:：")
    if compact in OPT_OUT_WORDS:
        return ParsedReply(opt_out=True, understood=True)
    sats: set[str] = set()
    ress: set[str] = set()
    rest = compact
    for word, value in RESOLUTION_WORDS:
        if word in rest:
            ress.add(value)
            rest = rest.replace(word, "")
    for word, value in SATISFACTION_WORDS:
        if word in rest:
            sats.add(value)
            rest = rest.replace(word, "")
    for ch in rest:
        if ch in _FILLERS:
            continue
        if ch in SATISFACTION_CODES:
            sats.add(SATISFACTION_CODES[ch])
        elif ch in RESOLUTION_CODES:
            ress.add(RESOLUTION_CODES[ch])
        else:
            return ParsedReply()  # anything else: a person reads it
    if len(sats) > 1 or len(ress) > 1 or not (sats or ress):
        return ParsedReply()
    return ParsedReply(
        satisfaction=next(iter(sats), ""), resolution=next(iter(ress), ""), understood=True
    )


# ---------------------------------------------------------------------------
# 3. Verdicts: what an answer leads to.

CLOSE, ASK_AGAIN, TO_PERSON = "close", "ask_again", "to_person"

# Where an answer came from: an SMS reply, the one-time survey page, the citizen's own
# rating on the portal's tracking page (已解决 / 未解决 only).
SOURCES = Vocabulary(
    "survey_source",
    [
        Term("sms", "短信回复", "§6.8.2"),
        Term("link", "评价页面", "§6.8.2"),
        Term("self_rating", "市民自评", "§6.8 [beyond]"),
    ],
)

ESCALATION_REASONS = Vocabulary(
    "escalation_reason",
    [
        Term("unsatisfied", "服务对象不满意", "§6.8.3", "danger"),
        Term("unresolved", "问题未解决", "§6.8.3", "danger"),
        Term("unparsable", "回复无法识别", "§6.8.2", "warning"),
        Term("incomplete", "回复不完整", "§6.8.2", "warning"),
        Term("timeout", "超时未回复", "§6.8.1", "warning"),
        Term("send_failed", "评价消息发送失败", "§6.8.1", "secondary"),
        Term("opted_out", "服务对象退订短信", "§6.8.1", "secondary"),
        Term("close_blocked", "不能自动结案", "§6.7.2", "secondary"),
    ],
)


@dataclass(frozen=True)
class VerdictRow:
    decision: str
    satisfaction: frozenset[str]  # "" stands for "not answered"
    resolution: frozenset[str]
    sources: frozenset[str]
    reason: str  # an ESCALATION_REASONS code for TO_PERSON rows
    clause: str
    label: str


_ANY_SOURCE = frozenset(SOURCES.codes)
_ANY_SAT = frozenset({"", "satisfied", "basically_satisfied", "unsatisfied"})
_ANY_RES = frozenset({"", "resolved", "unresolved"})

VERDICTS: tuple[VerdictRow, ...] = (
    VerdictRow(
        TO_PERSON,
        frozenset({"unsatisfied"}),
        _ANY_RES,
        _ANY_SOURCE,
        "unsatisfied",
        "§6.8",
        "不满意：转回访员，必要时重办",
    ),
    VerdictRow(
        TO_PERSON,
        _ANY_SAT,
        frozenset({"unresolved"}),
        _ANY_SOURCE,
        "unresolved",
        "§6.8",
        "未解决：转回访员，必要时重办",
    ),
    VerdictRow(
        CLOSE,
        frozenset({"satisfied", "basically_satisfied"}),
        frozenset({"resolved"}),
        _ANY_SOURCE,
        "",
        "§6.7.2",
        "满意或基本满意且已解决：自动结案",
    ),
    VerdictRow(
        CLOSE,
        frozenset({""}),
        frozenset({"resolved"}),
        frozenset({"self_rating"}),
        "",
        "§6.7.2, §6.8 [beyond]",
        "市民在进度页自评已解决：自动结案",
    ),
    VerdictRow(
        ASK_AGAIN,
        _ANY_SAT,
        _ANY_RES,
        frozenset({"sms"}),
        "incomplete",
        "§6.8.3",
        "只答了一半：短信追问一次",
    ),
)


@dataclass(frozen=True)
class Verdict:
    decision: str
    reason: str
    row: VerdictRow | None


def verdict(satisfaction: str, resolution: str, source: str) -> Verdict:
    """What an understood answer leads to; the first matching row decides.  No row
    matching (half an answer on the survey page) sends the order to a person."""
    for row in VERDICTS:
        if (
            satisfaction in row.satisfaction
            and resolution in row.resolution
            and source in row.sources
        ):
            return Verdict(row.decision, row.reason, row)
    return Verdict(TO_PERSON, "incomplete", None)


def may_ask_again(followups_sent: int, max_followups: int) -> bool:
    """An incomplete SMS answer is followed up at most ``max_followups`` times; after that
    a person calls."""
    return followups_sent < max_followups


def survey_due(sent_at: datetime, hours: int) -> datetime:
    """A survey not answered within ``hours`` natural hours goes to a callback agent and
    counts as one unanswered attempt (§6.8.1; three make 未联系上, ``lifecycle``)."""
    return sent_at + timedelta(hours=hours)


# ---------------------------------------------------------------------------
# 4. What the assessment counts.


def counts_in_assessment(outcome: str, reached_before_in_round: int) -> bool:
    """§4.1 b / §6.8.3: a callback counts in the unit assessment when it reached the
    citizen and is the *first* answer of its round (from 答复认定 to 结案 or 重办) — manual
    or smart, phone, SMS, WeChat or the citizen's own rating alike.  A later callback in the
    same round (a person calling after an unsatisfied SMS reply) is recorded and shown but
    not counted again, so one answer is never counted twice and a unit cannot improve its
    score by having the centre call once more.  Unreached attempts never count."""
    return outcome == "reached" and reached_before_in_round == 0


# ---------------------------------------------------------------------------
# 5. Citizen messages: one SMS segment is 70 characters (GSM 03.38 UCS-2).

SMS_SEGMENT = 70


def fit_sms(required: str, optional: Iterable[str] = ()) -> str:
    """``required`` plus each optional tail that still fits in one SMS segment."""
    text = required
    for tail in optional:
        if len(text) + len(tail) <= SMS_SEGMENT:
            text += tail
    return text
