"""Dashboard figures: volume by channel, type, domain, area and hour; daily trends of
volume, on-time and satisfaction rates; the wall screen's live numbers.  Sealed days are
summed from the roll-ups, the rest counted live (``rollup``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, Sum

from hotline import clock
from hotline.analytics import metrics, rollup
from hotline.analytics.assessment import RATES, rate
from hotline.analytics.models import UNIT_COUNTERS, UnitDay, VolumeDay
from hotline.analytics.periods import Period, day_start, local_day
from hotline.orders.models import WorkOrder
from hotline.org.models import Area
from hotline.rules import lifecycle, taxonomy
from hotline.rules.calendar import SHANGHAI

DIMENSION_LABELS = {
    "channel": "诉求来源",
    "appeal_type": "诉求类型",
    "domain": "归口分类",
    "area": "所属区域",
    "hour": "来件时段",
}
VOCABULARIES = {
    "channel": taxonomy.CHANNELS,
    "appeal_type": taxonomy.APPEAL_TYPES,
    "domain": taxonomy.DOMAINS,
}


def volume(period: Period, now: datetime) -> dict[tuple[date, str, str], int]:
    """Registered orders per (day, dimension, key)."""
    parts = rollup.split(period.start, period.end, now)
    out: dict[tuple[date, str, str], int] = defaultdict(int)
    if parts.sealed:
        first, last = parts.sealed
        for day, dim, key, n in VolumeDay.objects.filter(
            day__gte=first, day__lte=last, dimension__in=rollup.VOLUME_DIMENSIONS
        ).values_list("day", "dimension", "key", "count"):
            out[(day, dim, key)] += n
    if parts.live:
        for (day, dim, key), n in rollup.volume_counts(*parts.live, by_day=True).items():
            out[(day, dim, key)] += n  # type: ignore[index]
    return out


def unit_days(period: Period, now: datetime) -> dict[date, dict[str, int]]:
    """All units' counters per day."""
    parts = rollup.split(period.start, period.end, now)
    out: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(UNIT_COUNTERS, 0))
    if parts.sealed:
        first, last = parts.sealed
        for r in (
            UnitDay.objects.filter(day__gte=first, day__lte=last)
            .values("day")
            .annotate(**{c: Sum(c) for c in UNIT_COUNTERS})
            .order_by()
        ):
            for c in UNIT_COUNTERS:
                out[r["day"]][c] += r[c] or 0
    if parts.live:
        for (_u, day), counts in rollup.unit_counts(*parts.live, now, by_day=True).items():
            for c, n in counts.items():
                out[day][c] += n  # type: ignore[index]
    return out


def _district_names() -> dict[str, str]:
    """area id → the name of its district (or of itself above district level)."""
    areas = list(Area.objects.values("pk", "path", "name", "level"))
    by_code = {a["path"]: a for a in areas}
    out = {}
    for a in areas:
        parts = a["path"].strip("/").split("/")
        district = by_code.get("/" + "/".join(parts[:2]) + "/") if len(parts) >= 2 else a
        out[str(a["pk"])] = (district or a)["name"]
    return out


def _label(dim: str, key: str, districts: dict[str, str]) -> str:
    if key == "":
        return "未填"
    if dim in VOCABULARIES:
        return VOCABULARIES[dim].label(key) if key in VOCABULARIES[dim] else key
    if dim == "area":
        return districts.get(key, key)
    if dim == "hour":
        return f"{int(key):02d}时"
    return key


def dashboard(period: Period, now: datetime | None = None) -> dict:
    """Everything the dashboard draws for ``period``."""
    now = now or clock.now()
    vol = volume(period, now)
    districts = _district_names()
    by_dim: dict[str, dict[str, int]] = {d: defaultdict(int) for d in DIMENSION_LABELS}
    per_day: dict[date, int] = defaultdict(int)
    for (day, dim, key), n in vol.items():
        by_dim[dim][_label(dim, key, districts)] += n
        if dim == "channel":
            per_day[day] += n
    days = unit_days(period, now)
    trend = []
    for day in period.days():
        if day > local_day(now):
            break
        c = days.get(day) or dict.fromkeys(UNIT_COUNTERS, 0)
        trend.append(
            {
                "day": day.isoformat(),
                "registered": per_day.get(day, 0),
                **{code: _pct(rate(c, code)) for code in RATES},
            }
        )
    totals = dict.fromkeys(UNIT_COUNTERS, 0)
    for c in days.values():
        for k, n in c.items():
            totals[k] += n
    hours = by_dim["hour"]
    return {
        "period": {
            "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            "label": period.label,
        },
        "registered": sum(per_day.values()),
        "totals": totals,
        "rates": {code: _pct(rate(totals, code)) for code in RATES},
        "rate_labels": {code: RATES[code][0] for code in RATES},
        "by": {
            dim: sorted(
                ({"name": k, "value": v} for k, v in values.items()),
                key=(lambda x: x["name"]) if dim == "hour" else (lambda x: -x["value"]),
            )
            for dim, values in by_dim.items()
            if dim != "hour"
        }
        | {
            "hour": [{"name": f"{h:02d}时", "value": hours.get(f"{h:02d}时", 0)} for h in range(24)]
        },
        "dimension_labels": DIMENSION_LABELS,
        "trend": trend,
        "sealed_until": _iso(rollup.watermark()),
    }


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if t else None


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


TAIL = 12  # orders in the wall's live tail


def wall(now: datetime | None = None) -> dict:
    """The big screen: today so far, what is open and late right now, the last 30 days."""
    now = now or clock.now()
    today = local_day(now)
    start = day_start(today)
    todays = WorkOrder.objects.filter(created_at__gte=start, created_at__lt=now)
    by_channel = {
        taxonomy.CHANNELS.label(r["channel"])
        if r["channel"] in taxonomy.CHANNELS
        else r["channel"]: r["n"]
        for r in todays.values("channel").annotate(n=Count("pk")).order_by()
    }
    month = dashboard(Period(today - timedelta(days=29), today), now)
    open_states = sorted(lifecycle.OPEN)
    districts = _district_names()
    tail = [
        {
            "number": o.number,
            "at": o.created_at.astimezone(SHANGHAI).strftime(
                "%H:%M" if o.created_at >= start else "%m-%d %H:%M"
            ),
            "channel": _label("channel", o.channel, districts),
            "domain": _label("domain", o.domain, districts),
            "category": o.category.name if o.category_id else "",
            "area": districts.get(str(o.area_id), "") if o.area_id else "",
            "state": lifecycle.STATES.label(o.state) if o.state in lifecycle.STATES else o.state,
            "emergency": bool(o.emergency_kind),
        }
        # the live tail: the latest registered orders, no personal data (a wall is public)
        for o in WorkOrder.objects.filter(created_at__lt=now)
        .exclude(state="draft")
        .select_related("category")
        .order_by("-created_at", "-pk")[:TAIL]
    ]
    return {
        "now": now.astimezone(SHANGHAI).isoformat(),
        "today": {
            "registered": sum(by_channel.values()),
            "by_channel": [
                {"name": k, "value": v} for k, v in sorted(by_channel.items(), key=lambda x: -x[1])
            ],
            "closed": WorkOrder.objects.filter(closed_at__gte=start, closed_at__lt=now).count(),
        },
        "open": WorkOrder.objects.filter(state__in=open_states).count(),
        "open_overdue": metrics.open_overdue(now).values("m_order").distinct().count(),
        "emergency_open": WorkOrder.objects.filter(state__in=open_states)
        .exclude(emergency_kind="")
        .count(),
        "last30": month,
        "tail": tail,
    }
