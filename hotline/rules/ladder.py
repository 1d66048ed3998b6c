"""The supervision ladder of §6.5 as a pure function: given the configured steps, the steps
already taken on an order and since when the order has been behind, which step comes next,
and when.

§6.5: late orders are first chased by phone (催办); after 2 reminders without a result the
order goes under supervision (督办), which escalates: a) smart supervision (the system's own
reminders to the unit), b) phone supervision (the handlers, then the unit's leaders),
c) SMS supervision (the department and its leaders), d) other forms (joint meeting, on-site
coordination, 政风热线, media, notification and interview).  Which steps, in which order and
how long to wait before each is the centre's configuration (a list of ``Step``); this module
only says how to climb it.  Nothing here reads the clock or the database.

The rules of the climb:

* The ladder runs only while the order is *overdue* (§6.5 "针对超期工单"): a running
  deadline the unit answers for has passed.  An order that caught up pauses the ladder.
  Before that, the unit is only reminded (提醒: the sweep's yellow notices, a supervisor's
  call), which is neither 催办 nor 督办 and does not count in the assessment.
* It starts ``start_after`` after the order fell behind, or at once when the order entered
  supervision through 2 unanswered phone reminders (§6.5), whichever is earlier.
* Each step is due ``after`` its predecessor was taken without a result.  A step taken by a
  person counts like one taken by the system: the steps taken are matched to the ladder by
  their method, in order; a step of a method the ladder has already passed keeps the
  position but restarts the waiting time.
* A step marked *effective* (the unit responded) ends the cycle: if the order is still
  behind, the ladder starts again from its first step, ``start_after`` later.
* The last step may repeat (``repeat``) until the unit replies — the emergency track does
  that (§6.4.4: escalate per the emergency mechanism until handled).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline.rules.choices import Term, Vocabulary
from hotline.rules.taxonomy import OTHER_SUPERVISION_FORMS, SUPERVISION_METHODS

# Whom a step reaches (§6.5 a–c, §6.4.4).
RECIPIENTS = Vocabulary(
    "supervision_recipient",
    [
        Term("handlers", "承办人员", "§6.5 a"),
        Term("unit", "单位联络人", "§6.5 b"),
        Term("leader", "分管领导", "§6.5 b"),
        Term("head", "单位负责人", "§6.5 b"),
        Term("emergency", "应急部门", "§6.4.4"),
        Term("supervisors", "督办岗", "§6.5"),
    ],
)

# How a message travels (SPEC §5: one outbox for SMS, WeChat and in-system messages).
CHANNELS = Vocabulary(
    "message_channel",
    [
        Term("system", "站内通知", "§6.5 a", "info"),
        Term("sms", "短信", "§6.5 c", "warning"),
        Term("wechat", "微信", "§6.5", "success"),
    ],
)

# Which ladder an order climbs.
TRACKS = Vocabulary(
    "supervision_track",
    [
        Term("general", "一般工单", "§6.5"),
        Term("emergency", "应急工单", "§6.4.4"),
    ],
)

Advance = Callable[[datetime, timedelta], datetime]

# Deadlines the lead unit answers for (sign-for, feedback, extension end, hang-up end);
# the dispatch and callback limits are the centre's own and are not supervised (§6.5).
UNIT_DEADLINE_KINDS = ("sign", "feedback", "extension", "hang_up")

# A supervisor's phone call to the unit (§6.5): 催办 when the order is overdue — two of
# them without a result put it under 督办 — and a mere 提醒 before any deadline passed.
REMINDER_KINDS = Vocabulary(
    "reminder_kind",
    [
        Term("urge", "电话催办", "§6.5", "danger"),
        Term("prompt", "电话提醒", "§6.5 [beyond]", "info"),
    ],
)


def overdue_since(deadlines: Iterable[tuple[str, datetime]], now: datetime) -> datetime | None:
    """Since when an order is overdue in the sense of §6.5: the earliest ``due`` instant
    already passed among its running deadlines ``(kind, due)`` that the unit answers for;
    None while none has passed (or the unit caught up)."""
    return min(
        (due for kind, due in deadlines if kind in UNIT_DEADLINE_KINDS and due <= now),
        default=None,
    )


def reminder_kind(overdue: datetime | None) -> str:
    """§6.5: "针对超期工单 … 电话催办" — a call about an overdue order is a 催办; a call
    before any deadline passed is a 提醒 (``prompt``) that counts neither toward the two
    催办 that lead to 督办 nor in the unit's assessment."""
    return "urge" if overdue is not None else "prompt"


def enters_supervision(unanswered_urges: int) -> bool:
    """§6.5: "经电话催办2次后，仍然未回复处理结果的工单，将进行督办"."""
    return unanswered_urges >= REMINDERS_BEFORE_SUPERVISION


REMINDERS_BEFORE_SUPERVISION = 2  # §6.5


def natural(start: datetime, span: timedelta) -> datetime:
    """Natural (clock) time: ``start + span``."""
    return start + span


@dataclass(frozen=True)
class Step:
    """One rung: the method (§6.5 a–d), how long after the previous rung it is due, whether
    the system takes it by itself, whom it reaches and by which channels."""

    method: str
    after: timedelta
    automatic: bool = False
    other_form: str = ""
    recipients: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    repeat: timedelta | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.method not in SUPERVISION_METHODS:
            raise ValueError(f"unknown supervision method {self.method!r}")
        if self.other_form and self.other_form not in OTHER_SUPERVISION_FORMS:
            raise ValueError(f"unknown other supervision form {self.other_form!r}")
        if self.after < timedelta(0) or (self.repeat is not None and self.repeat <= timedelta(0)):
            raise ValueError("waiting times must not be negative, repeats must be positive")
        for r in self.recipients:
            if r not in RECIPIENTS:
                raise ValueError(f"unknown recipient {r!r}")
        for c in self.channels:
            if c not in CHANNELS:
                raise ValueError(f"unknown channel {c!r}")

    @property
    def label(self) -> str:
        label = SUPERVISION_METHODS.label(self.method)
        if self.other_form:
            label += f"（{OTHER_SUPERVISION_FORMS.label(self.other_form)}）"
        who = "、".join(RECIPIENTS.label(r) for r in self.recipients if r != "supervisors")
        return f"{label}：{who}" if who else label


@dataclass(frozen=True)
class Taken:
    """A supervision step already recorded on the order."""

    method: str
    at: datetime
    effective: bool = False


@dataclass(frozen=True)
class Plan:
    """The next rung of one order: which, from when, and why.

    ``key`` names the rung uniquely for the order (cycle, position, round): the sweep and
    the supervisors use it so that one rung is never taken twice."""

    position: int
    round: int
    cycle: int
    step: Step
    due_at: datetime
    reason: str

    def is_due(self, now: datetime) -> bool:
        return now >= self.due_at

    @property
    def key(self) -> str:
        return f"{self.cycle}.{self.position}.{self.round}"


@dataclass(frozen=True)
class Position:
    """Where an order stands on the ladder in its current cycle."""

    cycle: int
    position: int  # -1: no rung of this cycle taken yet
    round: int
    last_at: datetime | None
    restarted_at: datetime | None  # the effective step that opened this cycle


def position(ladder: Sequence[Step], taken: Sequence[Taken]) -> Position:
    """Match the steps taken to the ladder (see the module docstring)."""
    taken = sorted(taken, key=lambda t: t.at)
    cycle = sum(1 for t in taken if t.effective)
    last_effective = max((i for i, t in enumerate(taken) if t.effective), default=-1)
    current = taken[last_effective + 1 :]
    pos, rnd = -1, 0
    for t in current:
        nxt = next((i for i in range(pos + 1, len(ladder)) if ladder[i].method == t.method), None)
        if nxt is not None:
            pos, rnd = nxt, 0
        elif pos >= 0 and ladder[pos].method == t.method:
            rnd += 1
    return Position(
        cycle=cycle,
        position=pos,
        round=rnd,
        last_at=current[-1].at if current else None,
        restarted_at=taken[last_effective].at if last_effective >= 0 else None,
    )


def landing(ladder: Sequence[Step], taken: Sequence[Taken], new: Taken) -> str | None:
    """The key of the rung a new step lands on, or None when it lands on none.

    A step taken by hand counts like the rung it matches (see the module docstring): a
    supervisor who records an SMS supervision while the ladder suggests a phone call has
    taken the SMS rung, so that rung's messages must go out with it.  A step of a method
    the ladder has already passed lands on no rung.  The step is placed as if without
    result: one that was *effective* still took its rung before it ended the cycle."""
    before = position(ladder, taken)
    after = position(ladder, [*taken, Taken(new.method, new.at, False)])
    if after.position < 0 or (after.position, after.round) == (before.position, before.round):
        return None
    return f"{after.cycle}.{after.position}.{after.round}"


def plan(
    ladder: Sequence[Step],
    taken: Sequence[Taken],
    *,
    behind_since: datetime | None,
    supervised_at: datetime | None = None,
    start_after: timedelta = timedelta(0),
    advance: Advance = natural,
) -> Plan | None:
    """The next rung for an order, or None.

    * None when the ladder is empty, when the order is not behind (``behind_since`` is
      None: nothing to supervise, or it caught up), or when the last rung was taken and
      does not repeat (the top of the ladder: only people can go on).
    * ``advance(start, span)`` measures the waiting times: natural time by default; the
      general track passes a working-time clock so that a weekend is not counted as a
      day without result.
    """
    if not ladder or behind_since is None:
        return None
    at = position(ladder, taken)
    if at.last_at is None:
        if at.restarted_at is not None:
            start = advance(at.restarted_at, start_after)
            reason = "上次督办见效后工单仍未按时办理，重新开始督办（§6.5）"
        else:
            start = advance(behind_since, start_after)
            reason = "工单超期未办理，开始督办（§6.5）"
            if supervised_at is not None and supervised_at < start:
                start = supervised_at
                reason = "电话催办2次仍未回复处理结果，转入督办（§6.5）"
        first = ladder[0]
        return Plan(0, 0, at.cycle, first, advance(start, first.after), reason)
    if at.position + 1 < len(ladder):
        nxt = at.position + 1
        step = ladder[nxt]
        previous = ladder[at.position].label if at.position >= 0 else "上一步督办"
        return Plan(
            nxt,
            0,
            at.cycle,
            step,
            advance(at.last_at, step.after),
            f"{previous}未见成效，逐级升级（§6.5）",
        )
    last = ladder[at.position]
    if last.repeat is None:
        return None
    return Plan(
        at.position,
        at.round + 1,
        at.cycle,
        last,
        advance(at.last_at, last.repeat),
        f"承办单位仍未答复，再次{last.label}（§6.4.4）",
    )


__all__ = [
    "CHANNELS",
    "RECIPIENTS",
    "REMINDERS_BEFORE_SUPERVISION",
    "REMINDER_KINDS",
    "TRACKS",
    "UNIT_DEADLINE_KINDS",
    "Advance",
    "Plan",
    "Position",
    "Step",
    "Taken",
    "enters_supervision",
    "landing",
    "natural",
    "overdue_since",
    "plan",
    "position",
    "reminder_kind",
]
