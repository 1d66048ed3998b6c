"""The unit assessment (考核评价, §4.1 b): counters, the 三率, a score, a ranking with ties
and tiers — for every unit, for any period, fast on a big city's history.

Counters come from the daily roll-up for sealed days and are counted live for the days
after the watermark (``rollup``); "overdue still open" is a snapshot read from the partial
index of active deadlines.  Formulas: ``docs/assessment.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Sum

from hotline import clock
from hotline.analytics import metrics, rollup
from hotline.analytics.models import UNIT_COUNTERS, UnitDay
from hotline.analytics.periods import Period
from hotline.org.models import Unit

# rate code → (label, numerator counters, denominator counters, weight in the score)
RATES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], float]] = {
    "response_rate": ("响应率", ("sign_on_time",), ("sign_on_time", "sign_missed"), 0.2),
    "on_time_rate": ("按时办结率", ("reply_on_time",), ("reply_on_time", "reply_missed"), 0.2),
    "resolution_rate": ("解决率", ("resolved",), ("resolved", "unresolved"), 0.3),
    "satisfaction_rate": (
        "满意率",
        ("satisfied", "basically_satisfied"),
        ("satisfied", "basically_satisfied", "unsatisfied"),
        0.3,
    ),
}

DEFAULT_TIERS = [(90.0, "excellent", "优秀"), (80.0, "good", "良好"), (60.0, "fair", "一般")]
POOR = ("poor", "较差")


@dataclass(frozen=True)
class ExtraColumn:
    """A per-unit snapshot count another app adds to the table, e.g. the knowledge base's
    entries past their review date (§4.2 c).  ``counts(now) -> {unit_id: n}`` (each unit's
    own); ``url`` is a URL name of the page listing them, opened with ``?unit=<code>``.
    Shown and exported, not part of the score."""

    code: str
    label: str
    help: str
    counts: Callable[[datetime], dict[int, int]]
    url: str = ""


EXTRA_COLUMNS: list[ExtraColumn] = []


def tiers() -> list[tuple[float, str, str]]:
    """Tier thresholds on the 0–100 score, highest first; below the last is 较差."""
    return sorted(getattr(settings, "HOTLINE_ASSESSMENT_TIERS", DEFAULT_TIERS), key=lambda t: -t[0])


def rate(counts: dict[str, int], code: str) -> float | None:
    """A rate in [0, 1], or None when its denominator is zero (nothing to judge)."""
    _label, num, den, _w = RATES[code]
    d = sum(counts.get(c, 0) for c in den)
    if d == 0:
        return None
    return sum(counts.get(c, 0) for c in num) / d


def score(rates: dict[str, float | None]) -> float | None:
    """The weighted mean of the rates a unit has, on 0–100, rounded to one decimal; the
    weights of rates without a denominator are shared among the others."""
    parts = [(RATES[c][3], v) for c, v in rates.items() if v is not None]
    weight = sum(w for w, _ in parts)
    if not weight:
        return None
    return round(100 * sum(w * v for w, v in parts) / weight, 1)


def min_orders() -> int:
    """Units with fewer orders to sign in the period than this are listed but not ranked
    (``HOTLINE_ASSESSMENT_MIN_ORDERS``): one order signed on time is no 100-point record."""
    return int(getattr(settings, "HOTLINE_ASSESSMENT_MIN_ORDERS", 5))


def tier_of(value: float | None) -> tuple[str, str]:
    if value is None:
        return ("", "—")
    for threshold, code, label in tiers():
        if value >= threshold:
            return (code, label)
    return POOR


def competition_ranks(values: list[float | None]) -> list[int | None]:
    """Standard competition ranking ("1224"): equal values share a rank, the next rank
    skips; None is not ranked.  ``[90, 90, 80, None]`` → ``[1, 1, 3, None]``."""
    ranked = sorted((v for v in values if v is not None), reverse=True)
    first_at: dict[float, int] = {}
    for i, v in enumerate(ranked, 1):
        first_at.setdefault(v, i)
    return [None if v is None else first_at[v] for v in values]


@dataclass
class Row:
    unit: Unit
    counts: dict[str, int]
    open_overdue: int
    rates: dict[str, float | None] = field(default_factory=dict)
    score: float | None = None
    rank: int | None = None
    tier: str = ""
    tier_label: str = "—"
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def evaluated(self) -> int:
        return sum(self.counts.get(c, 0) for c in RATES["satisfaction_rate"][2])

    @property
    def volume(self) -> int:
        """The orders the unit had to sign in the period, as lead or co-unit (the response
        rate's denominator): what the minimum volume of the ranking is measured on."""
        return sum(self.counts.get(c, 0) for c in RATES["response_rate"][2])

    @property
    def active(self) -> bool:
        return any(self.counts.values()) or self.open_overdue > 0 or any(self.extra.values())


@dataclass
class Assessment:
    period: Period
    now: datetime
    rows: list[Row]
    total: Row
    include_subunits: bool
    scope: Unit | None
    sealed_until: datetime | None


def rank_rows(rows: list[Row], floor: int) -> list[Row]:
    """Rank the scored rows with at least ``floor`` orders (``Row.volume``) and put them in
    order (docs/assessment.md §2): by rank; equal scores share the rank and are listed by
    volume (more first), then by name.  The unranked follow — scored rows under the floor,
    by score, volume and name, then rows without a score."""
    eligible = [r.score if r.volume >= floor else None for r in rows]
    for r, rank in zip(rows, competition_ranks(eligible), strict=True):
        r.rank = rank
    return sorted(
        rows,
        key=lambda r: (
            r.rank is None,
            r.rank or 0,
            r.score is None,
            -(r.score or 0),
            -r.volume,
            r.unit.name,
            r.unit.path,
        ),
    )


def own_counts(period: Period, now: datetime) -> dict[int, dict[str, int]]:
    """Each unit's own counters for the period: roll-up rows for what is sealed, a live
    count from the watermark to ``now``."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(UNIT_COUNTERS, 0))
    parts = rollup.split(period.start, period.end, now)
    if parts.sealed:
        first, last = parts.sealed
        rows = (
            UnitDay.objects.filter(day__gte=first, day__lte=last)
            .values("unit_id")
            .annotate(**{c: Sum(c) for c in UNIT_COUNTERS})
            .order_by()
        )
        for r in rows:
            for c in UNIT_COUNTERS:
                out[r["unit_id"]][c] += r[c] or 0
    if parts.live:
        for (unit_id, _), counts in rollup.unit_counts(*parts.live, now, by_day=False).items():
            for c, n in counts.items():
                out[unit_id][c] += n
    return out


def open_overdue_counts(now: datetime) -> dict[int, int]:
    return {
        r["m_unit"]: r["n"]
        for r in metrics.open_overdue(now).values("m_unit").annotate(n=Count("pk")).order_by()
        if r["m_unit"] is not None
    }


def assess(
    period: Period,
    *,
    now: datetime | None = None,
    scope: Unit | None = None,
    include_subunits: bool = False,
    only_active: bool = True,
) -> Assessment:
    """Assess every handling unit (or ``scope`` and its sub-units) for ``period``.

    With ``include_subunits`` each row adds up the unit and everything below it (a district
    government with its departments and streets); otherwise each row is the unit's own.
    Rows are ranked by score among the rows shown."""
    now = now or clock.now()
    units = list(Unit.objects.exclude(kind="centre").order_by("path"))
    if scope is not None:
        units = [u for u in units if u.path.startswith(scope.path)]
    own = own_counts(period, now)
    overdue = open_overdue_counts(now)
    extras = {c.code: c.counts(now) for c in EXTRA_COLUMNS}

    if include_subunits:
        # add every unit's own counts to itself and each ancestor shown
        by_path = {u.path: u.pk for u in units}
        summed: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(UNIT_COUNTERS, 0))
        summed_overdue: dict[int, int] = defaultdict(int)
        for v in Unit.objects.values("pk", "path"):
            mine, late = own.get(v["pk"]), overdue.get(v["pk"], 0)
            if not mine and not late:
                continue
            parts = v["path"].strip("/").split("/")
            for i in range(1, len(parts) + 1):
                target = by_path.get("/" + "/".join(parts[:i]) + "/")
                if target is None:
                    continue
                for k, n in (mine or {}).items():
                    summed[target][k] += n
                summed_overdue[target] += late
        own_rows, overdue_rows = summed, summed_overdue
        extra_rows = {code: _sum_up(values, by_path) for code, values in extras.items()}
    else:
        own_rows, overdue_rows, extra_rows = own, overdue, extras

    def counts_for(u: Unit) -> tuple[dict[str, int], int]:
        return (
            dict(own_rows.get(u.pk) or dict.fromkeys(UNIT_COUNTERS, 0)),
            overdue_rows.get(u.pk, 0),
        )

    rows = [Row(u, *counts_for(u)) for u in units]
    for r in rows:
        r.extra = {code: values.get(r.unit.pk, 0) for code, values in extra_rows.items()}
    if only_active:
        rows = [r for r in rows if r.active]
    for r in rows:
        r.rates = {code: rate(r.counts, code) for code in RATES}
        r.score = score(r.rates)
        r.tier, r.tier_label = tier_of(r.score)
    rows = rank_rows(rows, min_orders())
    # the total counts each unit once, whatever the rows add up
    tc = dict.fromkeys(UNIT_COUNTERS, 0)
    for u in units:
        for k, n in (own.get(u.pk) or {}).items():
            tc[k] += n
    total = Row(Unit(name="合计", code="total"), tc, sum(overdue.get(u.pk, 0) for u in units))
    total.extra = {code: sum(v.get(u.pk, 0) for u in units) for code, v in extras.items()}
    total.rates = {code: rate(tc, code) for code in RATES}
    total.score = score(total.rates)
    total.tier, total.tier_label = tier_of(total.score)
    return Assessment(period, now, rows, total, include_subunits, scope, rollup.watermark())


def _sum_up(values: dict[int, int], by_path: dict[str, int]) -> dict[int, int]:
    """Each unit's own ``values`` added to itself and every ancestor shown."""
    out: dict[int, int] = defaultdict(int)
    paths = dict(Unit.objects.filter(pk__in=list(values)).values_list("pk", "path"))
    for pk, n in values.items():
        parts = paths.get(pk, "").strip("/").split("/")
        for i in range(1, len(parts) + 1):
            target = by_path.get("/" + "/".join(parts[:i]) + "/")
            if target is not None:
                out[target] += n
    return out


def drill(
    code: str,
    period: Period,
    unit: Unit,
    *,
    now: datetime | None = None,
    include_subunits: bool = False,
):
    """The rows behind one number of the table — exactly those it counted, each with its
    order.  ``code`` is a counter or ``open_overdue``."""
    now = now or clock.now()
    units = (
        Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)
        if include_subunits
        else [unit.pk]
    )
    if code == "open_overdue":
        return metrics.open_overdue(now, units)
    if code not in metrics.METRICS:
        raise KeyError(code)
    return metrics.rows(code, period.start, min(period.end, now), now, units)
