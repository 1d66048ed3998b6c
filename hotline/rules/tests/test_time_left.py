"""Lists say how much working time is left or how long an order is overdue, and read a
midnight due time as the end of the day before (issue 16 item 5)."""

from datetime import UTC, datetime, timedelta

from hotline.rules import deadlines as dl
from hotline.rules.calendar import SHANGHAI


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_working_day_limits_count_working_time_only(cal):
    # due Monday 2026-11-30 10:00, seen on Friday 11-27 21:00: the weekend does not count
    due = sh(2026, 11, 30, 10)
    now = sh(2026, 11, 27, 21)
    assert dl.remaining_text(due, now, basis="working_days", cal=cal) == "剩余 13小时"
    # clock time would say two and a half days
    assert dl.remaining_text(due, now) == "剩余 2天13小时"


def test_overdue_over_a_weekend_is_measured_in_working_days(cal):
    due = sh(2026, 11, 26, 0)  # the end of Wednesday 11-25
    now = sh(2026, 11, 30, 0)  # Monday 00:00: Thursday and Friday passed, not the weekend
    assert dl.remaining_text(due, now, basis="working_days", cal=cal) == "超期 2天"
    assert dl.remaining_text(due, now) == "超期 4天"


def test_overdue_across_national_day_2026_counts_the_working_days(cal):
    due = sh(2026, 9, 30, 12)
    now = sh(2026, 10, 9, 12)  # Oct 1–7 holidays; Oct 8 and the morning of Oct 9 count
    assert dl.remaining_text(due, now, basis="working_days", cal=cal) == "超期 2天"


def test_natural_limits_count_clock_time(cal):
    due = sh(2026, 11, 28, 12)  # a Saturday: an emergency order's 2 hours run anyway
    assert (
        dl.remaining_text(due, sh(2026, 11, 28, 10, 30), basis="hours", cal=cal) == "剩余 1小时30分"
    )
    assert dl.remaining_text(due, sh(2026, 11, 28, 12, 25), basis="minutes", cal=cal) == (
        "超期 25分钟"
    )


def test_spans_keep_two_units_and_drop_a_zero():
    assert dl.span_text(timedelta(days=1, hours=3).total_seconds()) == "1天3小时"
    assert dl.span_text(timedelta(days=2).total_seconds()) == "2天"
    assert dl.span_text(timedelta(hours=5).total_seconds()) == "5小时"
    assert dl.span_text(30) == "不足1分钟"
    assert dl.remaining_text(sh(2026, 12, 1, 10), sh(2026, 12, 1, 10)) == "超期 不足1分钟"


def test_a_year_the_calendar_does_not_know_falls_back_to_clock_time(cal):
    due = sh(2031, 3, 5, 10)
    assert dl.remaining_text(due, sh(2031, 3, 3, 10), basis="working_days", cal=cal) == ("剩余 2天")


def test_midnight_is_the_end_of_the_day_before():
    assert dl.due_text(sh(2026, 12, 8, 0, 0)) == "12-07 24:00"
    assert dl.due_text(sh(2026, 12, 8, 0, 0), year=True) == "2026-12-07 24:00"
    assert dl.due_text(sh(2027, 1, 1, 0, 0), year=True) == "2026-12-31 24:00"
    assert dl.due_text(sh(2026, 12, 8, 0, 1)) == "12-08 00:01"
    assert dl.due_text(sh(2026, 12, 8, 16, 30)) == "12-08 16:30"
    # an instant in UTC is read in Shanghai time: 16:00 UTC is midnight in Shanghai
    assert dl.due_text(datetime(2026, 12, 7, 16, 0, tzinfo=UTC)) == "12-07 24:00"


def test_the_explanation_says_24_00_for_a_midnight_due_time(cal):
    d = dl.feedback_deadline(sh(2026, 11, 23, 0, 0), False, cal)
    assert d.due == sh(2026, 11, 30, 0, 0)  # Monday 00:00: the weekend skipped
    assert "截止 2026-11-29 24:00" in d.explanation()


def test_no_working_time_left_before_a_weekend_due_time_is_not_overdue(cal):
    due = sh(2026, 11, 30, 0, 0)  # the limit ran out with Friday's working time
    now = sh(2026, 11, 28, 10)  # Saturday: no working time left, and not late yet
    assert (
        dl.remaining_text(due, now, basis="working_days", cal=cal) == "剩余 0小时（非工作日不计时）"
    )
