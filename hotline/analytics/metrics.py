"""What each number of the unit assessment counts (§4.1 b), written once.

Every counter is a set of *rows* — a dispatch, a deadline, a request, a callback, an
event — each with the unit it is charged to (``m_unit``), the instant that dates it
(``m_at``) and its order (``m_order``).  The live count, the daily roll-up and the
drill-down list are all made from these same querysets, so a number on a page and the
orders behind it cannot disagree.

Dating: a thing counts in the period in which it happened — a dispatch at its dispatch
time, an on-time sign-for or reply at the moment it was done, a *missed* deadline at its
due time.  A deadline missed is missed whether the order is still open or was finished
late: an active deadline whose due time has passed counts as missed (the open, overdue
orders that counting only closed orders would hide).  A deadline superseded before its
due time (an approved extension or hang-up, a 退单) is neither on time nor missed.

Unit: sign-for deadlines belong to their assignment's unit (lead or co-unit); feedback
and extension deadlines, callbacks and supervision belong to the order's lead unit at that
instant — the lead assignment most recently dispatched at or before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BigIntegerField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from hotline.orders.models import (
    Assignment,
    Callback,
    Deadline,
    Event,
    ExtensionRequest,
    SuspensionRequest,
    WorkOrder,
)

UNIT_DEADLINES = ("sign", "feedback", "extension")
REPLY_DEADLINES = ("feedback", "extension")

# met by its due time
ON_TIME = Q(met_at__isnull=False, met_at__lte=F("due_at"))
# met after its due time, or never met and not superseded before it
MISSED = (
    Q(met_at__gt=F("due_at"))
    | Q(met_at__isnull=True, superseded_at__isnull=True)
    | Q(met_at__isnull=True, superseded_at__gt=F("due_at"))
)


def lead_unit_at(order_ref: str, at_ref: str) -> Subquery:
    """The unit of the order's lead assignment most recently dispatched at or before the
    instant ``at_ref`` (both are names on the outer row)."""
    return Subquery(
        Assignment.objects.filter(
            order_id=OuterRef(order_ref), role="lead", dispatched_at__lte=OuterRef(at_ref)
        )
        .order_by("-dispatched_at", "-id")
        .values("unit_id")[:1],
        output_field=BigIntegerField(),
    )


@dataclass(frozen=True)
class Metric:
    """One counter: its code, Chinese label, how it is counted (shown on the page and in
    ``docs/assessment.md``), and the rows it counts."""

    code: str
    label: str
    help: str
    rows: Callable[[], QuerySet]
    # rows dated by a due time count only once that time has passed
    until_now: bool = False


def _received() -> QuerySet:
    return Assignment.objects.filter(role="lead").annotate(
        m_unit=F("unit_id"), m_at=F("dispatched_at"), m_order=F("order_id")
    )


def _sign(q: Q, dated: str) -> Callable[[], QuerySet]:
    def rows() -> QuerySet:
        return (
            Deadline.objects.filter(kind="sign", assignment__isnull=False)
            .filter(q)
            .annotate(m_unit=F("assignment__unit_id"), m_at=F(dated), m_order=F("order_id"))
        )

    return rows


def _reply(q: Q, dated: str) -> Callable[[], QuerySet]:
    def rows() -> QuerySet:
        return (
            Deadline.objects.filter(kind__in=REPLY_DEADLINES)
            .filter(q)
            .annotate(m_unit=lead_unit_at("order_id", dated), m_at=F(dated), m_order=F("order_id"))
        )

    return rows


def _decided(model) -> Callable[[], QuerySet]:
    def rows() -> QuerySet:
        return model.objects.filter(decision="approved").annotate(
            m_unit=F("unit_id"), m_at=F("decided_at"), m_order=F("order_id")
        )

    return rows


def _returned() -> QuerySet:
    return Assignment.objects.filter(role="lead", end_reason="unit_return").annotate(
        m_unit=F("unit_id"), m_at=F("ended_at"), m_order=F("order_id")
    )


def _supervised() -> QuerySet:
    return WorkOrder.objects.filter(supervised_at__isnull=False).annotate(
        m_unit=lead_unit_at("pk", "supervised_at"), m_at=F("supervised_at"), m_order=F("pk")
    )


def _reopened() -> QuerySet:
    return Event.objects.filter(action="reopen").annotate(
        m_unit=F("unit_id"), m_at=F("at"), m_order=F("order_id")
    )


def _callback(**filters) -> Callable[[], QuerySet]:
    # only the callbacks the assessment counts: reached, first answer of the round
    # (``Callback.assessed``, ``rules.callback.counts_in_assessment``; docs/callback.md)
    def rows() -> QuerySet:
        return Callback.objects.filter(outcome="reached", assessed=True, **filters).annotate(
            m_unit=lead_unit_at("order_id", "at"), m_at=F("at"), m_order=F("order_id")
        )

    return rows


def callbacks() -> QuerySet:
    """Every callback the assessment counts — it reached the citizen and was the first
    answer of its round, manual or smart — charged and dated (the five callback counters
    split these rows by satisfaction and by resolution)."""
    return _callback()()


CALLBACK_COUNTERS_BY_VALUE = {
    ("satisfaction", "satisfied"): "satisfied",
    ("satisfaction", "basically_satisfied"): "basically_satisfied",
    ("satisfaction", "unsatisfied"): "unsatisfied",
    ("resolution", "resolved"): "resolved",
    ("resolution", "unresolved"): "unresolved",
}
CALLBACK_COUNTERS = frozenset(CALLBACK_COUNTERS_BY_VALUE.values())

METRICS: dict[str, Metric] = {
    m.code: m
    for m in [
        Metric("received", "派件量", "派给本单位主办的次数（按派转时间；重办再派计入）", _received),
        Metric(
            "sign_on_time",
            "按时签收",
            "签收时限内签收的派转（主办、协办均计，按签收时间）",
            _sign(ON_TIME, "met_at"),
        ),
        Metric(
            "sign_missed",
            "超时签收",
            "签收时限已过仍未签收或超时才签收的派转（按截止时间）",
            _sign(MISSED, "due_at"),
            until_now=True,
        ),
        Metric(
            "reply_on_time",
            "按时答复",
            "办理反馈/延期时限内答复的（按答复时间，§6.4.2）",
            _reply(ON_TIME, "met_at"),
        ),
        Metric(
            "reply_missed",
            "超期",
            "办理反馈/延期时限已过仍未答复（含在办）或超期才答复的（按截止时间，§6.5）",
            _reply(MISSED, "due_at"),
            until_now=True,
        ),
        Metric(
            "extended",
            "延期",
            "经中心批准的延期申请（按批准时间，§6.4.1）",
            _decided(ExtensionRequest),
        ),
        Metric(
            "suspended",
            "挂单",
            "经中心批准的挂单申请（按批准时间，§6.4.1）",
            _decided(SuspensionRequest),
        ),
        Metric("returned", "退单", "本单位退回中心重新派转的（按退单时间）", _returned),
        Metric("supervised", "督办", "转入督办的工单（按转入督办时间，§6.5）", _supervised),
        Metric("reopened", "重办", "回访不满意退回重办的（按重办时间）", _reopened),
        Metric(
            "satisfied",
            "满意",
            "回访评价为满意的（按回访时间，§6.8.3）",
            _callback(satisfaction="satisfied"),
        ),
        Metric(
            "basically_satisfied",
            "基本满意",
            "回访评价为基本满意的（§6.8.3）",
            _callback(satisfaction="basically_satisfied"),
        ),
        Metric(
            "unsatisfied",
            "不满意",
            "回访评价为不满意的（§6.8.3）",
            _callback(satisfaction="unsatisfied"),
        ),
        Metric(
            "resolved", "已解决", "回访认定已解决的（§6.8.3）", _callback(resolution="resolved")
        ),
        Metric(
            "unresolved", "未解决", "回访认定未解决的（§6.8.3）", _callback(resolution="unresolved")
        ),
    ]
}


def rows(
    code: str,
    start: datetime,
    end: datetime,
    now: datetime,
    units: Iterable[int] | None = None,
) -> QuerySet:
    """The rows ``code`` counts in ``[start, end)`` as known at ``now``, optionally only
    those charged to ``units``."""
    metric = METRICS[code]
    qs = metric.rows().filter(m_at__gte=start, m_at__lt=min(end, now) if metric.until_now else end)
    if units is not None:
        qs = qs.filter(m_unit__in=list(units))
    return qs


def open_overdue(now: datetime, units: Iterable[int] | None = None) -> QuerySet:
    """当前超期在办: running sign-for, feedback and extension deadlines already past due at
    ``now`` — read through the partial index on active deadlines' ``due_at``.

    A running feedback/extension deadline belongs to the order's *current* lead unit: every
    re-dispatch or 退单 supersedes it, so a join replaces the per-row "lead unit at due time"
    subquery the dated counters need."""
    qs = (
        Deadline.objects.active()
        .filter(due_at__lt=now, kind__in=UNIT_DEADLINES)
        .annotate(
            m_unit=Coalesce(
                F("assignment__unit_id"),
                F("order__lead_unit_id"),
                output_field=BigIntegerField(),
            ),
            m_at=F("due_at"),
            m_order=F("order_id"),
        )
    )
    if units is not None:
        qs = qs.filter(m_unit__in=list(units))
    return qs


OPEN_OVERDUE_LABEL = "当前超期在办"
OPEN_OVERDUE_HELP = "此刻仍在办且已过签收/反馈/延期时限的时限数（不受统计期限制）"

__all__ = ["METRICS", "Metric", "open_overdue", "rows"]
