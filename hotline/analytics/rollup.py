"""Daily roll-ups: seal finished days into ``UnitDay`` and ``VolumeDay`` (orders by
channel, type, domain, area and hour; reached callbacks by method, mode and answer).

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

import logging
import time as _time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import close_old_connections, connection, transaction
from django.db.models import Count, DateField, F, Func, IntegerField, Min, Value
from django.db.models.functions import Cast, ExtractHour, TruncDate

from hotline import clock
from hotline.analytics import metrics
from hotline.analytics.models import UNIT_COUNTERS, RollupState, UnitDay, VolumeDay
from hotline.analytics.periods import day_start, local_day
from hotline.common.locks import exclusive
from hotline.orders.models import WorkOrder
from hotline.rules.calendar import SHANGHAI

log = logging.getLogger(__name__)

STATE = "main"
RECHECK_DAYS = 1
# Seal up to a little before now: an action commits within moments of its ``now``.
LAG = timedelta(minutes=2)

# dimension → the expression it groups registered orders by
VOLUME_DIMENSIONS = ("channel", "appeal_type", "domain", "area", "hour")
# reached callbacks by their time, keyed "method|mode|assessed|satisfaction|resolution"
# (``callback_key``): the callback figures of a month read ~30 × a few dozen rows instead
# of every callback of the month (35 ms at 14,000 orders a day, and growing with it)
CALLBACK_DIMENSION = "callback"
CALLBACK_FIELDS = ("method", "mode", "assessed", "satisfaction", "resolution")


def callback_key(row: dict) -> str:
    return "|".join(
        ("1" if row[f] else "0") if f == "assessed" else str(row[f] or "") for f in CALLBACK_FIELDS
    )


def parse_callback_key(key: str) -> dict:
    values = dict(zip(CALLBACK_FIELDS, key.split("|"), strict=True))
    return {**values, "assessed": values["assessed"] == "1"}


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
    start: datetime, end: datetime, now: datetime, *, by_day: bool
) -> dict[tuple[int, date | None], dict[str, int]]:
    """Counters per (unit, day) — or per (unit, None) when ``by_day`` is false — counted
    live from the rows of ``metrics`` dated in ``[start, end)`` as known at ``now``.  The
    five callback counters are read in one grouped query (the same rows as their
    metrics: reached callbacks by satisfaction and by resolution)."""
    out: dict[tuple[int, date | None], dict[str, int]] = defaultdict(dict)
    keys = ["m_unit", "m_day"] if by_day else ["m_unit"]

    def grouped(qs, *extra: str):
        if by_day:
            qs = qs.annotate(m_day=local_date("m_at"))
        return qs.values(*keys, *extra).annotate(n=Count("pk")).order_by()

    for code in UNIT_COUNTERS:
        if code in metrics.CALLBACK_COUNTERS:
            continue
        for r in grouped(metrics.rows(code, start, end, now)):
            if r["m_unit"] is not None:
                out[(r["m_unit"], r.get("m_day"))][code] = r["n"]
    callbacks = metrics.callbacks().filter(m_at__gte=start, m_at__lt=end)
    for r in grouped(callbacks, "satisfaction", "resolution"):
        if r["m_unit"] is None:
            continue
        counts = out[(r["m_unit"], r.get("m_day"))]
        for field in ("satisfaction", "resolution"):
            code = metrics.CALLBACK_COUNTERS_BY_VALUE.get((field, r[field]))
            if code:
                counts[code] = counts.get(code, 0) + r["n"]
    return out


def volume_counts(
    start: datetime, end: datetime, *, by_day: bool
) -> dict[tuple[date | None, str, str], int]:
    """Orders registered in ``[start, end)`` per (day, dimension, key), counted live."""
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


def callback_counts(
    start: datetime, end: datetime, *, by_day: bool
) -> dict[tuple[date | None, str], int]:
    """Reached callbacks made in ``[start, end)`` per (day, ``callback_key``), counted
    live."""
    from hotline.orders.models import Callback

    qs = Callback.objects.filter(outcome="reached", at__gte=start, at__lt=end).order_by()
    fields = list(CALLBACK_FIELDS)
    if by_day:
        qs = qs.annotate(m_day=local_date("at"))
        fields.append("m_day")
    out: dict[tuple[date | None, str], int] = defaultdict(int)
    for r in qs.values(*fields).annotate(n=Count("pk")):
        out[(r.get("m_day"), callback_key(r))] += r["n"]
    return out


def callbacks_in(start: datetime, end: datetime) -> dict[str, int]:
    """Reached callbacks of the day-aligned span ``[start, end)`` per ``callback_key``:
    the sealed days from the roll-up rows, the rest counted live up to ``end`` (a callback
    is a fact once recorded: nothing to cut at "now", and one recorded at this very
    instant counts)."""
    parts = split(start, end, end)
    out: dict[str, int] = defaultdict(int)
    if parts.sealed:
        first, last = parts.sealed
        for key, n in VolumeDay.objects.filter(
            day__gte=first, day__lte=last, dimension=CALLBACK_DIMENSION
        ).values_list("key", "count"):
            out[key] += n
    if parts.live:
        for (_day, key), n in callback_counts(*parts.live, by_day=False).items():
            out[key] += n
    return out


def watermark() -> datetime | None:
    """The instant the roll-ups are sealed up to: days before its Shanghai day are
    complete in ``UnitDay``/``VolumeDay``; its own day's rows cover midnight to it."""
    row = RollupState.objects.filter(name=STATE).first()
    return row.sealed_until if row else None


@dataclass(frozen=True)
class Split:
    """How a read of ``[start, end)`` is answered: roll-up rows of days ``sealed`` (first,
    last) and a live count of ``live`` (start, end)."""

    sealed: tuple[date, date] | None
    live: tuple[datetime, datetime] | None


def split(start: datetime, end: datetime, now: datetime) -> Split:
    """Split a day-aligned span into its sealed days and its live remainder (to ``now``)."""
    w = watermark()
    end = min(end, now)
    sealed = None
    live_start = start
    if w is not None and start < w:
        last = min(local_day(end - timedelta(microseconds=1)), local_day(w))
        if local_day(start) <= last:
            sealed = (local_day(start), last)
        live_start = w
    live = (live_start, end) if live_start < end else None
    return Split(sealed, live)


def seal(first: date, last: date, until: datetime) -> None:
    """Replace the roll-up rows of days ``first`` … ``last`` (the last one up to ``until``)
    in one transaction."""
    start, end = day_start(first), min(day_start(last + timedelta(days=1)), until)
    units = unit_counts(start, end, until, by_day=True)
    volume = volume_counts(start, end, by_day=True)
    for (d, key), n in callback_counts(start, end, by_day=True).items():
        volume[(d, CALLBACK_DIMENSION, key)] = n
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
    """Seal everything up to ``now`` minus ``LAG`` (to the minute): from ``since``
    (default: the day before the watermark's day, or the first order's day) through the
    watermark's new day, whose rows then cover midnight to the new watermark.  Returns the
    days sealed."""
    now = now or clock.now()
    until = (now - LAG).replace(second=0, microsecond=0)
    last = local_day(until)
    previous = watermark()
    if since is None:
        if previous is not None:
            since = local_day(previous) - timedelta(days=RECHECK_DAYS)
        else:
            earliest = WorkOrder.objects.aggregate(m=Min("created_at"))["m"]
            since = local_day(earliest) if earliest else last
    if previous is not None and previous > until:
        return None  # never move the watermark back
    since = min(since, last)
    day = since
    while day <= last:
        chunk_last = min(last, day + timedelta(days=chunk_days - 1))
        seal(day, chunk_last, until)
        if progress:
            progress(day, chunk_last)
        day = chunk_last + timedelta(days=1)
    RollupState.objects.update_or_create(
        name=STATE, defaults={"sealed_until": until, "refreshed_at": now}
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")  # keeps the planner's statistics current
    return since, last


def reset() -> None:
    with transaction.atomic():
        UnitDay.objects.all().delete()
        VolumeDay.objects.all().delete()
        RollupState.objects.filter(name=STATE).delete()


LOCK = "hotline.analytics.rollup"


def tick() -> bool:
    """One turn of the loop: seal what is due unless another process (on any machine) is
    sealing now.  Returns whether this process did the work."""
    if not connection.in_atomic_block:  # never drop a caller's transaction (tests)
        close_old_connections()
    with exclusive(LOCK, wait=False) as held:
        if held:
            refresh()
        return held


def loop(every: int) -> None:  # pragma: no cover - a long-running process
    """Every ``every`` seconds, ``tick()``; one failed turn is logged and the loop goes on
    (the next turn re-seals from the watermark)."""
    while True:
        try:
            tick()
        except Exception:
            log.exception("roll-up turn failed; retrying in %s s", every)
        _time.sleep(every)
