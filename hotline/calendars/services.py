"""Build the rules' ``WorkingCalendar`` from the database, cached per process.

The cache is dropped when calendar rows change in this process (signals) and otherwise
lives ``CACHE_SECONDS``, so another process's admin edit is seen within a minute.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime

from django.db import transaction

from hotline.calendars.models import CalendarDay, CalendarYear
from hotline.rules.calendar import SHANGHAI, WorkingCalendar

CACHE_SECONDS = 60
_lock = threading.Lock()
_cached: tuple[float, WorkingCalendar] | None = None

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def working_calendar() -> WorkingCalendar:
    """The current calendar (cached)."""
    global _cached
    with _lock:
        if _cached and time.monotonic() - _cached[0] < CACHE_SECONDS:
            return _cached[1]
    cal = load_calendar()
    with _lock:
        _cached = (time.monotonic(), cal)
    return cal


def load_calendar() -> WorkingCalendar:
    holidays, workdays = [], []
    for d, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == "holiday" else workdays).append(d)
    years = CalendarYear.objects.values_list("year", flat=True)
    return WorkingCalendar(holidays, workdays, years)


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None


def package_years() -> list[int]:
    """Years the installed ``chinesecalendar`` package knows."""
    import chinese_calendar

    return sorted(
        {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    )


def sync_from_package(year_model=CalendarYear, day_model=CalendarDay) -> list[int]:
    """Load every year the ``chinesecalendar`` package knows and the database does not.

    Years already present are left alone: the administrator's edits win.  Returns the years
    added.  Takes the models as arguments so a data migration can call it.
    """
    import chinese_calendar

    known = set(year_model.objects.values_list("year", flat=True))
    added = [y for y in package_years() if y not in known]
    if not added:
        return []
    wanted = set(added)
    rows = []
    for source, kind in (
        (chinese_calendar.holidays, "holiday"),
        (chinese_calendar.workdays, "workday"),
    ):
        for d, name in source.items():
            if d.year in wanted:
                rows.append(day_model(date=d, kind=kind, name=HOLIDAY_NAMES.get(name, name or "")))
    with transaction.atomic():
        day_model.objects.bulk_create(rows, ignore_conflicts=True)
        year_model.objects.bulk_create(
            [year_model(year=y, source="chinesecalendar") for y in added], ignore_conflicts=True
        )
    return added


def missing_next_year(today: date) -> int | None:
    """From 1 November, the next year if its arrangement is not loaded yet (else None)."""
    if today.month < 11:
        return None
    nxt = today.year + 1
    if CalendarYear.objects.filter(year=nxt).exists():
        return None
    return nxt


def today_in_shanghai(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()
