"""SPEC §4: working days on mainland China's official calendar."""

from datetime import UTC, date, datetime

import pytest

from hotline.rules.calendar import (
    SHANGHAI,
    CalendarYearUnknown,
    NaiveDatetimeError,
    WorkingCalendar,
)


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def plain_calendar(**kw) -> WorkingCalendar:
    return WorkingCalendar(
        kw.get("holidays", set()), kw.get("workdays", set()), kw.get("years", {2026})
    )


def test_weekend_days_are_not_working_days():
    cal = plain_calendar()
    assert cal.is_working_day(date(2026, 11, 27))  # Friday
    assert not cal.is_working_day(date(2026, 11, 28))  # Saturday
    assert not cal.is_working_day(date(2026, 11, 29))  # Sunday


def test_statutory_holiday_is_not_a_working_day(cal):
    assert not cal.is_working_day(date(2026, 10, 5))  # 国庆, a Monday


def test_adjusted_working_saturday_counts_as_a_working_day(cal):
    """调休上班: Saturday 2026-10-10 is a working day after the National Day week."""
    assert date(2026, 10, 10).weekday() == 5
    assert cal.is_working_day(date(2026, 10, 10))


def test_working_day_start_keeps_clock_time_on_nth_following_working_day():
    cal = plain_calendar()
    assert cal.add_working_days(sh(2026, 11, 24, 15, 30), 1) == sh(2026, 11, 25, 15, 30)
    assert cal.add_working_days(sh(2026, 11, 26, 9, 0), 2) == sh(2026, 11, 30, 9, 0)  # Thu → Mon


def test_saturday_plus_one_working_day_is_tuesday_midnight():
    """SPEC §4: counting from a non-working day starts at 00:00 of the next working day."""
    cal = plain_calendar()
    assert cal.add_working_days(sh(2026, 11, 28, 16, 45), 1) == sh(2026, 12, 1, 0, 0)


def test_zero_working_days_from_a_weekend_is_the_next_working_day_midnight():
    cal = plain_calendar()
    assert cal.add_working_days(sh(2026, 11, 29, 10, 0), 0) == sh(2026, 11, 30, 0, 0)


@pytest.mark.clause("6.4.2")
def test_five_working_days_across_national_day_and_adjusted_saturday(cal):
    """§6.4.2 across 2026's 国庆: Sep 30 + 5 working days skips Oct 1–7 and Sunday Oct 11,
    and counts the adjusted working Saturday Oct 10."""
    due, skipped = cal.explain_working_days(sh(2026, 9, 30, 10, 0), 5)
    assert due == sh(2026, 10, 13, 10, 0)
    assert [s.day.day for s in skipped] == [1, 2, 3, 4, 5, 6, 7, 11]
    assert skipped[0].reason == "法定节假日" and skipped[-1].reason == "周末"


def test_adjusted_working_sunday_before_national_day(cal):
    """Sunday 2026-09-20 is an adjusted working day: Saturday 19th + 1 → Monday 21st 00:00."""
    assert cal.add_working_days(sh(2026, 9, 19, 12, 0), 1) == sh(2026, 9, 21, 0, 0)


def test_unknown_year_raises_instead_of_guessing(cal):
    with pytest.raises(CalendarYearUnknown) as exc:
        cal.add_working_days(sh(2026, 12, 31, 9, 0), 1)
    assert exc.value.year == 2027
    assert "2027" in str(exc.value)


def test_provisional_calendar_counts_weekends_only_for_unknown_years(cal):
    prov = cal.provisional()
    assert prov.add_working_days(sh(2026, 12, 31, 9, 0), 1) == sh(2027, 1, 1, 9, 0)
    assert prov.why_not_working(date(2027, 1, 2)).startswith("周末（该年安排未录入")


def test_naive_datetimes_are_refused():
    with pytest.raises(NaiveDatetimeError):
        plain_calendar().add_working_days(datetime(2026, 11, 27, 9, 0), 1)


def test_result_is_computed_in_shanghai_even_for_utc_input():
    """Friday 20:00 UTC is Saturday 04:00 in Shanghai: a non-working day."""
    cal = plain_calendar()
    t = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    assert cal.add_working_days(t, 1) == sh(2026, 12, 1, 0, 0)


def test_working_seconds_skip_holidays(cal):
    # Sep 30 12:00 → Oct 8 12:00: only Sep 30 afternoon and Oct 8 morning are working time
    assert cal.working_seconds_between(sh(2026, 9, 30, 12), sh(2026, 10, 8, 12)) == 24 * 3600


def test_a_day_cannot_be_both_holiday_and_workday():
    with pytest.raises(ValueError):
        WorkingCalendar({date(2026, 1, 1)}, {date(2026, 1, 1)}, {2026})
