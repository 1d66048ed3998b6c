"""Every time limit of §6.2 and §6.4, computed from a start instant and a calendar.

Nothing here reads the clock: callers pass the start instant (and ``now`` where the answer
depends on it).  Each computed ``Deadline`` explains itself — rule, clause, start instant and
the non-working days skipped — so the UI and the API can show why a date is what it is.

Limits:

* dispatch (审核派转): 1 working day after acceptance (§6.2); for emergency orders (§6.4.4)
  the centre's emergency limit, 30 natural minutes by default — the centre's reading of the
  standard (see ``dispatch_deadline``); the clock stops while an order is back with intake
  (退回受理) and runs on with the time left when it is submitted again;
* feedback (反馈): 2 natural hours after dispatch for emergency orders, 5 working days for
  general orders (§6.4.2);
* extension (延期): at most 5 working days added to the feedback deadline (§6.4.1);
* hang-up (挂单): at most 90 natural days (§6.4.1);
* sign-for (签收) and callback (回访): not fixed by the standard; ``Policy`` holds the
  centre's limits with defaults common in 12345 practice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal

from hotline.rules.calendar import (
    SHANGHAI,
    CalendarYearUnknown,
    SkippedDay,
    WorkingCalendar,
    to_shanghai,
)
from hotline.rules.choices import Term, Vocabulary

DISPATCH_WORKING_DAYS = 1  # §6.2
FEEDBACK_WORKING_DAYS = 5  # §6.4.2, general orders
EMERGENCY_FEEDBACK_HOURS = 2  # §6.4.2, emergency orders
MAX_EXTENSION_WORKING_DAYS = 5  # §6.4.1
MAX_HANG_UP_NATURAL_DAYS = 90  # §6.4.1

DEADLINE_KINDS = Vocabulary(
    "deadline_kind",
    [
        Term("dispatch", "审核派转时限", "§6.2"),
        Term("sign", "签收时限", "§6.3"),
        Term("feedback", "办理反馈时限", "§6.4.2"),
        Term("extension", "延期办理时限", "§6.4.1"),
        Term("hang_up", "挂单到期", "§6.4.1"),
        Term("callback", "回访时限", "§6.8"),
    ],
)

DEADLINE_STATES = Vocabulary(
    "deadline_state",
    [
        Term("normal", "正常", "", "success"),
        Term("warning", "即将超期", "", "warning"),
        Term("overdue", "已超期", "§6.5", "danger"),
        Term("met", "按时完成", "", "secondary"),
        Term("met_late", "超期完成", "§6.5", "dark"),
    ],
)

Basis = Literal["working_days", "hours", "minutes", "natural_days"]
# A stretch of time that does not count against a limit: (stopped at, running again at).
Pause = tuple[datetime, datetime]


@dataclass(frozen=True)
class Policy:
    """A centre's configurable limits.  The standard's own limits are the defaults and the
    maxima; sign-for and callback limits are the centre's choice."""

    sign_working_days: int = 1
    emergency_sign_minutes: int = 30
    # §6.2 + §6.4.4, the centre's reading: an emergency order is reviewed and dispatched
    # within minutes, not within the general 1 working day (see ``dispatch_deadline``).
    emergency_dispatch_minutes: int = 30
    callback_working_days: int = 2
    reverify_working_days: int = 2
    warning_share: float = 0.75
    max_callback_attempts: int = 3
    reopen_on_unsatisfied: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.warning_share < 1:
            raise ValueError("warning_share must be between 0 and 1")
        if self.sign_working_days < 0 or self.callback_working_days < 0:
            raise ValueError("limits must not be negative")
        if self.emergency_dispatch_minutes < 1 or self.emergency_sign_minutes < 1:
            raise ValueError("emergency limits must be at least one minute")


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Deadline:
    """One computed time limit.

    ``provisional`` is True when the limit ran into a year whose holidays are not loaded:
    it was computed on weekends only and must be recomputed once the year is loaded.
    """

    kind: str
    start: datetime
    due: datetime
    basis: Basis
    amount: int
    clause: str
    rule: str
    skipped: tuple[SkippedDay, ...] = ()
    provisional: bool = False
    unknown_years: tuple[int, ...] = field(default=())
    paused: tuple[Pause, ...] = ()

    @property
    def label(self) -> str:
        return DEADLINE_KINDS.label(self.kind)

    def explanation(self) -> str:
        """A sentence in Chinese: rule, clause, start instant, days skipped."""
        start = to_shanghai(self.start).strftime("%Y-%m-%d %H:%M")
        due = due_text(self.due, year=True)
        unit = {
            "working_days": "个工作日",
            "hours": "个自然小时",
            "minutes": "分钟",
            "natural_days": "个自然日",
        }[self.basis]
        text = f"{self.rule}（{self.clause}）：自 {start} 起 {self.amount}{unit}，截止 {due}"
        if self.skipped:
            days = "、".join(f"{s.day:%m-%d}{s.reason}" for s in self.skipped)
            text += f"；跳过非工作日 {len(self.skipped)} 天：{days}"
        if self.paused:
            spans = "、".join(
                f"{to_shanghai(a):%m-%d %H:%M}至{to_shanghai(b):%m-%d %H:%M}"
                for a, b in self.paused
            )
            text += f"；退回受理期间暂停计时：{spans}"
        if self.provisional:
            years = "、".join(str(y) for y in self.unknown_years)
            text += f"；{years} 年节假日安排尚未录入，暂按周末计算，录入后将重新计算"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "basis": self.basis,
            "amount": self.amount,
            "clause": self.clause,
            "rule": self.rule,
            "skipped": [{"day": s.day.isoformat(), "reason": s.reason} for s in self.skipped],
            "provisional": self.provisional,
            "unknown_years": list(self.unknown_years),
            "paused": [[a.isoformat(), b.isoformat()] for a, b in self.paused],
            "explanation": self.explanation(),
        }


def _working(
    kind: str, start: datetime, n: int, cal: WorkingCalendar, clause: str, rule: str
) -> Deadline:
    """n working days after start; falls back to a provisional answer for unknown years."""
    try:
        due, skipped = cal.explain_working_days(start, n)
        return Deadline(kind, start, due, "working_days", n, clause, rule, tuple(skipped))
    except CalendarYearUnknown:
        pass
    due, skipped = cal.provisional().explain_working_days(start, n)
    years = sorted({d.year for d in _days(start, due)} - set(cal.known_years))
    return Deadline(
        kind,
        start,
        due,
        "working_days",
        n,
        clause,
        rule,
        tuple(skipped),
        provisional=True,
        unknown_years=tuple(years),
    )


def _days(a: datetime, b: datetime) -> list[date]:
    first, last = to_shanghai(a).date(), to_shanghai(b).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _natural(
    kind: str, start: datetime, delta: timedelta, basis: Basis, amount: int, clause: str, rule: str
) -> Deadline:
    start = to_shanghai(start)
    return Deadline(kind, start, start + delta, basis, amount, clause, rule)


def dispatch_deadline(
    accepted_at: datetime,
    cal: WorkingCalendar,
    *,
    emergency: bool = False,
    policy: Policy = DEFAULT_POLICY,
    paused: tuple[Pause, ...] = (),
) -> Deadline:
    """§6.2: a compliant order is dispatched within 1 working day of acceptance.

    Emergency orders (§6.4.4) — the centre's reading of the standard: §6.2 names one limit
    for review, but §6.4.4 sends emergency orders to be handled "按应急处置机制及规定时限"
    and §6.4.2 gives the unit 2 natural hours for feedback, a clock that only starts at
    dispatch.  A working day of review (accepted on a Sunday: dispatched by Tuesday 00:00)
    would leave an estate without water for days before that clock even starts, so an
    emergency order is reviewed and dispatched within ``policy.emergency_dispatch_minutes``
    natural minutes (30 by default, ``HOTLINE_EMERGENCY_DISPATCH_MINUTES``).

    ``paused``: the spans the order spent back with intake (退回受理, §6.2).  The reviewer
    is not charged with the agent's fixing time: the clock stops when the order is
    returned and runs on with the time that was left when it is submitted again."""
    if emergency:
        m = policy.emergency_dispatch_minutes
        d = _natural(
            "dispatch",
            accepted_at,
            timedelta(minutes=m),
            "minutes",
            m,
            "§6.2, §6.4.4",
            "应急工单审核派转（中心规定时限）",
        )
    else:
        d = _working(
            "dispatch",
            accepted_at,
            DISPATCH_WORKING_DAYS,
            cal,
            "§6.2",
            "审核合格后1个工作日内派转",
        )
    return with_pauses(d, paused, cal)


def with_pauses(d: Deadline, paused: tuple[Pause, ...], cal: WorkingCalendar) -> Deadline:
    """``d`` with its clock stopped during each span of ``paused`` (in order).

    A limit still running when it stopped keeps the time that was left: working-day time
    for working-day limits (a pause over a weekend costs nothing extra), clock time for
    natural limits.  A limit already overdue when it stopped stays overdue by as much: its
    due instant moves on by the length of the pause."""
    due, provisional, years = d.due, d.provisional, set(d.unknown_years)
    for stopped, resumed in paused:
        if resumed <= stopped:
            continue
        if d.basis != "working_days":
            due = to_shanghai(due + (resumed - stopped))
            continue
        try:
            due = _resume_working(due, stopped, resumed, cal)
        except CalendarYearUnknown:
            guess = cal.provisional()
            due = _resume_working(due, stopped, resumed, guess)
            provisional = True
            years |= {x.year for x in _days(stopped, due)} - set(cal.known_years)
    return replace(
        d,
        due=due,
        paused=tuple(paused),
        provisional=provisional,
        unknown_years=tuple(sorted(years)),
    )


def _resume_working(
    due: datetime, stopped: datetime, resumed: datetime, cal: WorkingCalendar
) -> datetime:
    if due > stopped:
        return cal.after_working_seconds(resumed, cal.working_seconds_between(stopped, due))
    return cal.after_working_seconds(due, cal.working_seconds_between(stopped, resumed))


def sign_deadline(
    dispatched_at: datetime, emergency: bool, cal: WorkingCalendar, policy: Policy = DEFAULT_POLICY
) -> Deadline:
    """Sign-for limit (centre policy): working days for general orders, minutes for
    emergency orders, whose whole 2-hour feedback clock (§6.4.2) leaves no room for days."""
    if emergency:
        m = policy.emergency_sign_minutes
        return _natural(
            "sign", dispatched_at, timedelta(minutes=m), "minutes", m, "§6.4.4", "应急工单签收"
        )
    return _working(
        "sign", dispatched_at, policy.sign_working_days, cal, "§6.3", "派转后按中心规定时限签收"
    )


def feedback_deadline(dispatched_at: datetime, emergency: bool, cal: WorkingCalendar) -> Deadline:
    """§6.4.2: emergency orders give feedback within 2 natural hours of dispatch; general
    orders within 5 working days of dispatch."""
    if emergency:
        h = EMERGENCY_FEEDBACK_HOURS
        return _natural(
            "feedback",
            dispatched_at,
            timedelta(hours=h),
            "hours",
            h,
            "§6.4.2",
            "应急类诉求2小时内反馈",
        )
    return _working(
        "feedback", dispatched_at, FEEDBACK_WORKING_DAYS, cal, "§6.4.2", "一般诉求5个工作日内反馈"
    )


class LimitExceeded(ValueError):
    """A requested extension or hang-up is longer than the standard allows."""


def extension_deadline(current_due: datetime, days: int, cal: WorkingCalendar) -> Deadline:
    """§6.4.1: an approved extension adds at most 5 working days to the feedback deadline."""
    if not 1 <= days <= MAX_EXTENSION_WORKING_DAYS:
        raise LimitExceeded(f"延期天数须为1至{MAX_EXTENSION_WORKING_DAYS}个工作日（§6.4.1）")
    return _working(
        "extension", current_due, days, cal, "§6.4.1", "复杂疑难诉求延期，一般不超过5个工作日"
    )


def hang_up_deadline(start: datetime, days: int) -> Deadline:
    """§6.4.1: a matter with a statutory time limit may hang up for at most 90 natural days."""
    if not 1 <= days <= MAX_HANG_UP_NATURAL_DAYS:
        raise LimitExceeded(f"挂单天数须为1至{MAX_HANG_UP_NATURAL_DAYS}个自然日（§6.4.1）")
    return _natural(
        "hang_up",
        start,
        timedelta(days=days),
        "natural_days",
        days,
        "§6.4.1",
        "法定时限事项挂单，最长不超过90个自然日",
    )


def resumed_feedback_deadline(
    resumed_at: datetime, working_days_left: int, cal: WorkingCalendar
) -> Deadline:
    """After a hang-up ends, the unit gets back the working days it had left (§6.4.1)."""
    return _working(
        "feedback", resumed_at, working_days_left, cal, "§6.4.1", "挂单结束后恢复剩余办理时限"
    )


def callback_deadline(
    replied_at: datetime, cal: WorkingCalendar, policy: Policy = DEFAULT_POLICY
) -> Deadline:
    """Callback limit (centre policy, §6.7.2/§6.8): a transferred order is called back within
    the centre's working days after the reply is accepted."""
    return _working(
        "callback",
        replied_at,
        policy.callback_working_days,
        cal,
        "§6.8",
        "答复后按中心规定时限回访",
    )


def reverify_deadline(
    asked_at: datetime, cal: WorkingCalendar, policy: Policy = DEFAULT_POLICY
) -> Deadline:
    """§6.6.2: when a reply differs from the citizen's account the centre asks the unit to
    verify again; the unit answers within the centre's working days."""
    return _working(
        "feedback",
        asked_at,
        policy.reverify_working_days,
        cal,
        "§6.6.2",
        "答复与反映情况不符，再次核实后答复",
    )


def recompute(d: Deadline, cal: WorkingCalendar) -> Deadline:
    """Recompute a (provisional) working-day deadline with a calendar that now knows more
    (its pauses applied again)."""
    if d.basis != "working_days":
        return d
    fresh = _working(d.kind, d.start, d.amount, cal, d.clause, d.rule)
    return with_pauses(replace(fresh, start=d.start), d.paused, cal)


# ---------------------------------------------------------------------------
# Deadline state, derived from timestamps and ``now`` — never stored.


def warning_at(
    start: datetime,
    due: datetime,
    basis: str,
    cal: WorkingCalendar | None,
    share: float = DEFAULT_POLICY.warning_share,
) -> datetime:
    """The instant ``share`` of the limit has elapsed (yellow light).

    Working-day limits measure elapsed *working* time, so a holiday in the middle does not
    turn an order yellow; natural limits measure clock time.  Falls back to clock time when
    the calendar does not know a year in the interval.
    """
    if basis == "working_days" and cal is not None:
        try:
            total = cal.working_seconds_between(start, due)
            return cal.after_working_seconds(start, total * share)
        except CalendarYearUnknown:
            pass
    return to_shanghai(start) + (due - start) * share


def deadline_state(
    due: datetime,
    now: datetime,
    *,
    warn_at: datetime,
    met_at: datetime | None = None,
) -> str:
    """The light of one deadline at ``now``.

    * ``met`` / ``met_late``: the deadline was satisfied at ``met_at`` (before/after ``due``);
      once met it never changes colour again.
    * ``overdue``: not met and ``now`` is at or after ``due`` (red).
    * ``warning``: not met and ``now`` is at or after ``warn_at`` (yellow).
    * ``normal`` otherwise.
    """
    if met_at is not None:
        return "met" if met_at <= due else "met_late"
    if now >= due:
        return "overdue"
    if now >= warn_at:
        return "warning"
    return "normal"


def remaining_seconds(
    due: datetime, now: datetime, *, basis: str = "", cal: WorkingCalendar | None = None
) -> float:
    """Seconds from ``now`` to ``due`` (negative when overdue).

    A working-day limit (``basis="working_days"``) counts working-day time only, as its
    due instant was computed: a limit due on Monday 00:00 seen on Friday 21:00 has 3 hours
    left, not 51, and an order overdue since Saturday 00:00 is not more overdue on Sunday.
    Natural limits (hours, minutes, natural days) count clock time.  Falls back to clock
    time when the calendar does not know a year in between."""
    if basis == "working_days" and cal is not None:
        try:
            if due >= now:
                return cal.working_seconds_between(now, due)
            return -cal.working_seconds_between(due, now)
        except CalendarYearUnknown:
            pass
    return (due - now).total_seconds()


def span_text(seconds: float) -> str:
    """A length of time in at most two units: "2天3小时", "2天", "5小时10分", "25分钟"."""
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    return f"{minutes}分钟" if minutes else "不足1分钟"


def remaining_text(
    due: datetime, now: datetime, *, basis: str = "", cal: WorkingCalendar | None = None
) -> str:
    """ "剩余 2天3小时" / "超期 2天" — a short Chinese phrase for lists and badges; with a
    calendar, working-day limits count working time (``remaining_seconds``)."""
    left = remaining_seconds(due, now, basis=basis, cal=cal)
    if now >= due:
        return "超期 " + span_text(left)
    if left < 60 <= (due - now).total_seconds():
        # a working-day limit whose working time ran out before a weekend or holiday: it
        # is late only when the next working day starts
        return "剩余 0小时（非工作日不计时）"
    return "剩余 " + span_text(left)


def due_text(t: datetime, *, year: bool = False) -> str:
    """A due instant as staff read it, in Shanghai time.  Midnight is the end of the day
    before, never the start of the next: a limit due 12-08 00:00 reads "12-07 24:00" —
    the unit has all of 12-07, and none of 12-08."""
    local = to_shanghai(t)
    if local.hour == local.minute == local.second == 0 and local.microsecond == 0:
        day = local.date() - timedelta(days=1)
        clock_part = "24:00"
    else:
        day = local.date()
        clock_part = local.strftime("%H:%M")
    return f"{day:%Y-%m-%d} {clock_part}" if year else f"{day:%m-%d} {clock_part}"


__all__ = [
    "SHANGHAI",
    "DEADLINE_KINDS",
    "DEADLINE_STATES",
    "DEFAULT_POLICY",
    "Deadline",
    "LimitExceeded",
    "Pause",
    "Policy",
    "callback_deadline",
    "deadline_state",
    "dispatch_deadline",
    "due_text",
    "extension_deadline",
    "feedback_deadline",
    "hang_up_deadline",
    "recompute",
    "remaining_seconds",
    "remaining_text",
    "resumed_feedback_deadline",
    "reverify_deadline",
    "sign_deadline",
    "span_text",
    "warning_at",
    "with_pauses",
]
