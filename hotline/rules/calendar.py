"""Working days on mainland China's official calendar (§6.2, §6.4; SPEC §4).

A working day is a weekday that is not a statutory holiday, or a weekend day that the
State Council declared an adjusted working day (调休上班).  The calendar data is injected —
this module never reads a library, a file or the database — so the app can seed it from
``chinesecalendar`` and let the administrator add next year's arrangement.

A date in a year outside ``known_years`` raises ``CalendarYearUnknown``: an unknown year is
never silently treated as an ordinary week.  ``provisional()`` gives the explicit,
marked fallback the deadlines module uses (weekends only for unknown years).

All instants are timezone-aware; they are converted to Asia/Shanghai, where the calendar
lives, and returned in Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)
DAY_SECONDS = 86_400


class CalendarYearUnknown(LookupError):
    """The working-day arrangement of ``year`` has not been loaded."""

    def __init__(self, year: int) -> None:
        super().__init__(f"{year} 年的节假日安排尚未录入，无法计算工作日")
        self.year = year


class NaiveDatetimeError(ValueError):
    """A naive datetime reached the calendar; every instant must carry its zone."""


@dataclass(frozen=True)
class SkippedDay:
    """A non-working day jumped over while counting, with the reason shown to users."""

    day: date
    reason: str  # "周末" or "法定节假日" (or "周末（暂按）" for a provisional year)


def to_shanghai(t: datetime) -> datetime:
    if t.tzinfo is None or t.tzinfo.utcoffset(t) is None:
        raise NaiveDatetimeError("working-day arithmetic needs an aware datetime")
    return t.astimezone(SHANGHAI)


class WorkingCalendar:
    """Which days are working days, for the years it knows.

    ``holidays``: days off (statutory holidays, including the weekend days of a holiday
    block).  ``workdays``: weekend days that are working days (调休上班).  ``known_years``:
    years whose arrangement is loaded; other years raise ``CalendarYearUnknown`` unless the
    calendar is ``provisional()``.
    """

    def __init__(
        self,
        holidays: Iterable[date],
        workdays: Iterable[date],
        known_years: Iterable[int],
        *,
        weekends_only_for_unknown: bool = False,
    ) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.known_years = frozenset(known_years)
        self.weekends_only_for_unknown = weekends_only_for_unknown
        clash = self.holidays & self.workdays
        if clash:
            raise ValueError(f"days both holiday and working day: {sorted(clash)}")

    def provisional(self) -> WorkingCalendar:
        """The same data, but unknown years count weekends only (a marked guess)."""
        return WorkingCalendar(
            self.holidays, self.workdays, self.known_years, weekends_only_for_unknown=True
        )

    def knows(self, d: date) -> bool:
        return d.year in self.known_years

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a working day.  Raises ``CalendarYearUnknown`` for unknown years."""
        if d.year not in self.known_years:
            if not self.weekends_only_for_unknown:
                raise CalendarYearUnknown(d.year)
            return d.weekday() < 5
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def why_not_working(self, d: date) -> str:
        """The Chinese reason a non-working day is off, for explanations."""
        if d.year not in self.known_years:
            return "周末（该年安排未录入，暂按周末计）"
        if d in self.holidays:
            return "法定节假日"
        return "周末"

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += DAY
        while not self.is_working_day(d):
            d += DAY
        return d

    def count_from(self, t: datetime) -> tuple[datetime, list[SkippedDay]]:
        """The instant counting starts at: ``t`` itself on a working day, otherwise 00:00 of
        the next working day (SPEC §4), with the non-working days jumped over."""
        local = to_shanghai(t)
        skipped: list[SkippedDay] = []
        d = local.date()
        if self.is_working_day(d):
            return local, skipped
        while not self.is_working_day(d):
            skipped.append(SkippedDay(d, self.why_not_working(d)))
            d += DAY
        return datetime.combine(d, time(0), tzinfo=SHANGHAI), skipped

    def add_working_days(self, t: datetime, n: int) -> datetime:
        """``n`` working days after ``t`` (SPEC §4).

        If ``t`` falls on a working day, the result is the same clock time on the ``n``-th
        following working day.  If ``t`` falls on a non-working day, counting starts at
        00:00 of the next working day — so Saturday + 1 working day is the following
        Tuesday 00:00 when Monday is a working day.  ``n == 0`` returns the start instant.
        """
        return self.explain_working_days(t, n)[0]

    def explain_working_days(self, t: datetime, n: int) -> tuple[datetime, list[SkippedDay]]:
        """``add_working_days`` plus every non-working day it skipped, in order."""
        if n < 0:
            raise ValueError("n must be >= 0")
        start, skipped = self.count_from(t)
        d = start.date()
        for _ in range(n):
            d += DAY
            while not self.is_working_day(d):
                skipped.append(SkippedDay(d, self.why_not_working(d)))
                d += DAY
        return datetime.combine(d, start.timetz()), skipped

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Seconds of working-day time in ``[a, b)``; 0 if ``b <= a``.

        Used to say how much of a working-day limit has elapsed: a 5-working-day limit
        that spans the National Day week is not 75 % used after a week of holiday.
        """
        a, b = to_shanghai(a), to_shanghai(b)
        if b <= a:
            return 0.0
        total = 0.0
        d = a.date()
        while d <= b.date():
            if self.is_working_day(d):
                day_start = datetime.combine(d, time(0), tzinfo=SHANGHAI)
                lo = max(a, day_start)
                hi = min(b, day_start + DAY)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            d += DAY
        return total

    def after_working_seconds(self, a: datetime, seconds: float) -> datetime:
        """The instant at which ``seconds`` of working-day time have passed since ``a``."""
        a = to_shanghai(a)
        remaining = seconds
        cursor = a
        while True:
            d = cursor.date()
            day_end = datetime.combine(d, time(0), tzinfo=SHANGHAI) + DAY
            if self.is_working_day(d):
                available = (day_end - cursor).total_seconds()
                if remaining <= available:
                    return cursor + timedelta(seconds=remaining)
                remaining -= available
            cursor = day_end

    def working_days_left(self, now: datetime, due: datetime) -> int:
        """Whole working days from ``now`` to ``due`` (at least 1), used when a hang-up ends
        early and the unit gets back the time it had left (§6.4.1)."""
        seconds = self.working_seconds_between(now, due)
        return max(1, -(-int(seconds) // DAY_SECONDS))
