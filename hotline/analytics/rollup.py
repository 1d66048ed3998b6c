"""Daily roll-ups: seal finished days into ``UnitDay`` and ``VolumeDay``.

A day can be sealed once it is over: everything counted on it has happened (a missed
deadline is dated by its due time, which is past).  ``refresh`` recomputes every day from
one day before the watermark up to yesterday (Shanghai) — the day before is re-sealed to
pick up actions recorded late — replacing the rows of each chunk in one transaction, then
moves the watermark.  Readers add live counts for the days after the watermark, so the
job only makes pages faster; it never changes what they show.

Cost at intake: nothing.  The actions write no extra row; the job reads the day's rows
through indexes on the dating columns (see the migration) once a day, or every few minutes
from ``hotline run``'s roll-up loop.
"""

from __future__ import annotations

import sys
import time as _time
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Func, IntegerField, Min, Value
from django.db.models.functions import Cast, ExtractHour, TruncDate

from hotline import clock
from hotline.analytics import metrics
from hotline.analytics.models import UNIT_COUNTERS, RollupState, UnitDay, VolumeDay
from hotline.analytics.periods import day_start, local_day
from hotline.orders.models import WorkOrder
from hotline.rules.calendar import SHANGHAI

STATE = "main"
RECHECK_DAYS = 1

# dimension → the expression it groups registered orders by
VOLUME_DIMENSIONS = ("channel", "appeal_type", "domain", "area", "hour")


def local_date(field: str):
    """The Shanghai date of a timestamp column, computed by the database.  SQLite gets the
    native ``date(col, '+8 hours')`` — Asia/Shanghai has kept UTC+8 without daylight
    saving since 1991 — instead of Django's per-row Python time-zone function."""
    if connection.vendor == "sqlite":
        return Func(F(field), Value("+8 hours"), function="date", output_field=DateField())
    return TruncDate(field, tzinfo=SHANGHAI)


def local_hour(field: str):
    """The Shanghai hour (0–23) of a timestamp column (see ``local_date``)."""
    if connection.vendor == "sqlite":
        return Cast(
            Func(Value("%H"), F(field), Value("+8 hours"), function="strftime"),
            IntegerField(),
        )
    return ExtractHour(field, tzinfo=SHANGHAI)


def _volume_key(dimension: str):
    if dimension == "hour":
        return local_hour("created_at")
    return F("area_id" if dimension == "area" else dimension)


def unit_counts(
    first: date, last: date, now: datetime, *, by_day: bool
) -> dict[tuple[int, date | None], dict[str, int]]:
    """Counters per (unit, day) — or per (unit, None) when ``by_day`` is false — counted
    live from the rows of ``metrics`` between Shanghai days ``first`` and ``last``."""
    out: dict[tuple[int, date | None], dict[str, int]] = defaultdict(dict)
    start, end = day_start(first), day_start(last + timedelta(days=1))
    for code in UNIT_COUNTERS:
        qs = metrics.rows(code, start, end, now)
        if by_day:
            qs = qs.annotate(m_day=local_date("m_at"))
            grouped = qs.values("m_unit", "m_day").annotate(n=Count("pk")).order_by()
            for r in grouped:
                if r["m_unit"] is not None:
                    out[(r["m_unit"], r["m_day"])][code] = r["n"]
        else:
            for r in qs.values("m_unit").annotate(n=Count("pk")).order_by():
                if r["m_unit"] is not None:
                    out[(r["m_unit"], None)][code] = r["n"]
    return out


def volume_counts(
    first: date, last: date, *, by_day: bool
) -> dict[tuple[date | None, str, str], int]:
    """Orders registered per (day, dimension, key), counted live."""
    start, end = day_start(first), day_start(last + timedelta(days=1))
    qs = WorkOrder.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    if by_day:
        qs = qs.annotate(m_day=local_date("created_at"))
    out: dict[tuple[date | None, str, str], int] = {}
    for dim in VOLUME_DIMENSIONS:
        fields = ["m_day", "k"] if by_day else ["k"]
        for r in qs.annotate(k=_volume_key(dim)).values(*fields).annotate(n=Count("pk")):
            key = "" if r["k"] is None else str(r["k"])
            out[(r.get("m_day"), dim, key)] = r["n"]
    return out


def watermark() -> date | None:
    row = RollupState.objects.filter(name=STATE).first()
    return row.through if row else None


def seal(first: date, last: date, now: datetime) -> None:
    """Replace the roll-up rows of ``first`` … ``last`` in one transaction."""
    units = unit_counts(first, last, now, by_day=True)
    volume = volume_counts(first, last, by_day=True)
    with transaction.atomic():
        UnitDay.objects.filter(day__gte=first, day__lte=last).delete()
        VolumeDay.objects.filter(day__gte=first, day__lte=last).delete()
        UnitDay.objects.bulk_create(
            [UnitDay(unit_id=u, day=d, **c) for (u, d), c in units.items()], batch_size=2000
        )
        VolumeDay.objects.bulk_create(
            [VolumeDay(day=d, dimension=dim, key=k, count=n) for (d, dim, k), n in volume.items()],
            batch_size=2000,
        )


def refresh(
    now: datetime | None = None,
    *,
    since: date | None = None,
    chunk_days: int = 31,
    progress=None,
) -> tuple[date, date] | None:
    """Seal every day from ``since`` (default: one day before the watermark, or the first
    order's day) through yesterday.  Returns the days sealed, or None if none were due."""
    now = now or clock.now()
    last = local_day(now) - timedelta(days=1)
    through = watermark()
    if since is None:
        if through is not None:
            since = through - timedelta(days=RECHECK_DAYS)
        else:
            earliest = WorkOrder.objects.aggregate(m=Min("created_at"))["m"]
            since = local_day(earliest) if earliest else last
    if since > last:
        return None
    day = since
    while day <= last:
        chunk_last = min(last, day + timedelta(days=chunk_days - 1))
        seal(day, chunk_last, now)
        if progress:
            progress(day, chunk_last)
        day = chunk_last + timedelta(days=1)
    RollupState.objects.update_or_create(
        name=STATE, defaults={"through": max(last, through or last), "refreshed_at": now}
    )
    return since, last


def reset() -> None:
    with transaction.atomic():
        UnitDay.objects.all().delete()
        VolumeDay.objects.all().delete()
        RollupState.objects.filter(name=STATE).delete()


def rollup_process() -> list[str]:
    """``hotline run``: the roll-up loop, sealing finished days every ten minutes."""
    return [sys.executable, "-m", "hotline.cli", "rollup", "--loop", "600"]


def loop(every: int) -> None:  # pragma: no cover - a long-running process
    while True:
        refresh()
        _time.sleep(every)
