"""Callback analytics (§6.8.2, §6.8.3): satisfaction by callback method and mode, the
survey response rate, what became of the surveys — and which callbacks the assessment
counts (docs/callback.md).

The survey counters are ``metrics.Metric`` rows like the assessment's: each survey is
charged to the order's lead unit when it was sent (``m_unit``), dated by its sending time
(``m_at``) — a cohort, so a response rate compares the answers to the surveys they answer.
They are counted live (surveys are few next to orders), never rolled up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from hotline.analytics import rollup
from hotline.analytics.metrics import Metric, lead_unit_at
from hotline.callbacks.models import Survey
from hotline.rules import callback as callback_rules
from hotline.rules import taxonomy


def _surveys(q: Q | None = None) -> Callable[[], QuerySet]:
    def rows() -> QuerySet:
        return Survey.objects.filter(q or Q()).annotate(
            m_unit=lead_unit_at("order_id", "created_at"),
            m_at=F("created_at"),
            m_order=F("order_id"),
        )

    return rows


SURVEY_METRICS: dict[str, Metric] = {
    m.code: m
    for m in [
        Metric("survey_sent", "发出评价", "发出的短信、微信评价（按发送时间，§6.8.2）", _surveys()),
        Metric(
            "survey_answered",
            "得到答复",
            "其中服务对象答复了的（短信回复或评价页面，按发送时间）",
            _surveys(Q(answered_at__isnull=False)),
        ),
        Metric(
            "survey_waiting",
            "等待答复",
            "其中此刻仍在等待答复的",
            _surveys(Q(state="waiting")),
        ),
        Metric(
            "survey_closed",
            "满意自动结案",
            "其中满意或基本满意且已解决、自动结案的（§6.7.2）",
            _surveys(Q(state="closed")),
        ),
        Metric(
            "survey_to_person",
            "转人工回访",
            "其中不满意、未解决、无法识别、超时未答复等转回访员的（§6.8）",
            _surveys(Q(state="to_person")),
        ),
    ]
}


def survey_rows(code: str, start: datetime, end: datetime, units: Iterable[int] | None = None):
    qs = SURVEY_METRICS[code].rows().filter(m_at__gte=start, m_at__lt=end)
    if units is not None:
        qs = qs.filter(m_unit__in=list(units))
    return qs


def response_rate(sent: int, answered: int, waiting: int) -> float | None:
    """Answered ÷ surveys whose wait is over (still-waiting surveys are neither)."""
    decided = sent - waiting
    return None if decided <= 0 else answered / decided


def _rate(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part / whole


def by_method_and_mode(
    start: datetime, end: datetime, counts: dict[str, int] | None = None
) -> list[dict]:
    """Reached callbacks in the day-aligned span ``[start, end)`` by (method, mode): how
    many, how many the assessment counts, satisfaction and resolution of the counted ones
    and their rates.  From the roll-ups for sealed days (``rollup.callbacks_in``)."""
    if counts is None:
        counts = rollup.callbacks_in(start, end)
    counted: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, n in counts.items():
        r = rollup.parse_callback_key(key)
        c = counted[(r["method"], r["mode"])]
        c["reached"] += n
        if not r["assessed"]:
            continue
        c["assessed"] += n
        if r["satisfaction"]:
            c[r["satisfaction"]] += n
            c["rated"] += n
        if r["resolution"]:
            c[r["resolution"]] += n
            c["judged"] += n
    out = []
    for method in taxonomy.CALLBACK_METHODS:
        for mode in taxonomy.CALLBACK_MODES:
            c = counted.get((method.code, mode.code))
            if not c:
                continue
            out.append(
                {
                    "method": method.code,
                    "method_label": method.label,
                    "mode": mode.code,
                    "mode_label": mode.label,
                    "reached": c["reached"],
                    "assessed": c["assessed"],
                    "satisfied": c["satisfied"],
                    "basically_satisfied": c["basically_satisfied"],
                    "unsatisfied": c["unsatisfied"],
                    "resolved": c["resolved"],
                    "unresolved": c["unresolved"],
                    "satisfaction_rate": _pct(
                        _rate(c["satisfied"] + c["basically_satisfied"], c["rated"])
                    ),
                    "resolution_rate": _pct(_rate(c["resolved"], c["judged"])),
                }
            )
    return out


def escalations(start: datetime, end: datetime) -> list[dict]:
    """Surveys sent in the period that went to a person, by reason."""
    counts = dict(
        Survey.objects.filter(state="to_person", created_at__gte=start, created_at__lt=end)
        .values_list("reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        {"reason": t.code, "label": t.label, "count": counts.get(t.code, 0)}
        for t in callback_rules.ESCALATION_REASONS
        if counts.get(t.code)
    ]


def figures(start: datetime, end: datetime) -> dict:
    """Everything the callback page and the dashboard card show for ``[start, end)``."""
    surveys = {code: survey_rows(code, start, end).count() for code in SURVEY_METRICS}
    counts = rollup.callbacks_in(start, end)
    by_mode: dict[str, int] = defaultdict(int)
    for key, n in counts.items():
        by_mode[rollup.parse_callback_key(key)["mode"]] += n
    manual, smart = by_mode["manual"], by_mode["smart"]
    return {
        "surveys": surveys,
        "survey_labels": {code: m.label for code, m in SURVEY_METRICS.items()},
        "survey_help": {code: m.help for code, m in SURVEY_METRICS.items()},
        "response_rate": _pct(
            response_rate(
                surveys["survey_sent"], surveys["survey_answered"], surveys["survey_waiting"]
            )
        ),
        "smart_share": _pct(_rate(smart, smart + manual)),
        "by_method_mode": by_method_and_mode(start, end, counts),
        "escalations": escalations(start, end),
    }


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)
