"""§6.2, §6.4.1, §6.4.2 time limits, explained."""

from datetime import datetime, timedelta

import pytest

from hotline.rules import deadlines as dl
from hotline.rules.calendar import SHANGHAI


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.clause("6.2")
def test_dispatch_is_due_one_working_day_after_acceptance(cal):
    """§6.2: a compliant order is dispatched within 1 working day."""
    d = dl.dispatch_deadline(sh(2026, 11, 27, 16, 0), cal)  # Friday
    assert d.due == sh(2026, 11, 30, 16, 0)  # Monday
    assert d.clause == "§6.2"
    assert "跳过非工作日 2 天" in d.explanation()


@pytest.mark.clause("6.4.2")
def test_general_feedback_is_due_five_working_days_after_dispatch(cal):
    """§6.4.2: general orders give feedback within 5 working days."""
    d = dl.feedback_deadline(sh(2026, 11, 23, 10, 0), False, cal)
    assert d.due == sh(2026, 11, 30, 10, 0)
    assert d.basis == "working_days" and d.amount == 5


@pytest.mark.clause("6.4.2")
def test_general_feedback_across_national_day_2026(cal):
    """§6.4.2 across 国庆 2026: dispatched Sep 30 10:00 → due Oct 13 10:00, because Oct 1–7
    are holidays, Oct 10 (Saturday) is an adjusted working day and Oct 11 is off."""
    d = dl.feedback_deadline(sh(2026, 9, 30, 10, 0), False, cal)
    assert d.due == sh(2026, 10, 13, 10, 0)
    text = d.explanation()
    assert "10-01法定节假日" in text and "10-11周末" in text and "10-10" not in text


@pytest.mark.clause("6.4.2")
def test_emergency_feedback_is_due_two_natural_hours_after_dispatch(cal):
    """§6.4.2: emergency orders give feedback within 2 hours, holidays or not."""
    d = dl.feedback_deadline(sh(2026, 10, 3, 23, 30), True, cal)
    assert d.due == sh(2026, 10, 4, 1, 30)
    assert d.basis == "hours" and not d.skipped


@pytest.mark.clause("6.4.1")
def test_extension_adds_at_most_five_working_days(cal):
    """§6.4.1: an extension is normally at most 5 working days."""
    d = dl.extension_deadline(sh(2026, 11, 30, 10, 0), 5, cal)
    assert d.due == sh(2026, 12, 7, 10, 0)
    with pytest.raises(dl.LimitExceeded):
        dl.extension_deadline(sh(2026, 11, 30, 10, 0), 6, cal)
    with pytest.raises(dl.LimitExceeded):
        dl.extension_deadline(sh(2026, 11, 30, 10, 0), 0, cal)


@pytest.mark.clause("6.4.1")
def test_hang_up_lasts_at_most_ninety_natural_days():
    """§6.4.1: hang-up (挂单) at most 90 natural days."""
    d = dl.hang_up_deadline(sh(2026, 11, 1, 9, 0), 90)
    assert d.due == sh(2027, 1, 30, 9, 0)
    with pytest.raises(dl.LimitExceeded):
        dl.hang_up_deadline(sh(2026, 11, 1, 9, 0), 91)


def test_deadline_into_unknown_year_is_provisional_and_says_so(cal):
    """SPEC §4: never a silent guess — a deadline running into 2027 is marked provisional."""
    d = dl.feedback_deadline(sh(2026, 12, 29, 10, 0), False, cal)
    assert d.provisional and d.unknown_years == (2027,)
    assert d.due == sh(2027, 1, 5, 10, 0)  # weekends only: Jan 1 (Fri) counts for now
    assert "2027 年节假日安排尚未录入" in d.explanation()


def test_recompute_turns_provisional_into_definite_once_year_is_known(cal):
    from datetime import date

    from hotline.rules.calendar import WorkingCalendar

    d = dl.feedback_deadline(sh(2026, 12, 29, 10, 0), False, cal)
    fuller = WorkingCalendar(
        set(cal.holidays) | {date(2027, 1, 1)}, cal.workdays, set(cal.known_years) | {2027}
    )
    fresh = dl.recompute(d, fuller)
    assert not fresh.provisional
    assert fresh.due == sh(2027, 1, 6, 10, 0)  # Jan 1 2027 is now a holiday


def test_sign_and_callback_limits_follow_centre_policy(cal):
    p = dl.Policy(sign_working_days=2, callback_working_days=3, emergency_sign_minutes=15)
    assert dl.sign_deadline(sh(2026, 11, 23, 9), False, cal, p).due == sh(2026, 11, 25, 9)
    assert dl.sign_deadline(sh(2026, 11, 23, 9), True, cal, p).due == sh(2026, 11, 23, 9, 15)
    assert dl.callback_deadline(sh(2026, 11, 23, 9), cal, p).due == sh(2026, 11, 26, 9)


@pytest.mark.clause("6.6.2")
def test_reverify_answer_has_its_own_limit(cal):
    """§6.6.2: the unit verifies again within the centre's working days."""
    d = dl.reverify_deadline(sh(2026, 11, 23, 9), cal, dl.Policy(reverify_working_days=2))
    assert d.due == sh(2026, 11, 25, 9) and d.clause == "§6.6.2"


def test_warning_comes_at_the_share_of_working_time_not_clock_time(cal):
    """A limit spanning 国庆 does not turn yellow during the holiday."""
    d = dl.feedback_deadline(sh(2026, 9, 30, 0, 0), False, cal)
    warn = dl.warning_at(d.start, d.due, d.basis, cal, 0.75)
    assert warn > sh(2026, 10, 8)
    natural = dl.warning_at(sh(2026, 10, 3, 0), sh(2026, 10, 3, 2), "hours", None, 0.75)
    assert natural == sh(2026, 10, 3, 1, 30)


@pytest.mark.parametrize(
    ("now_offset", "met", "expected"),
    [
        (timedelta(hours=-3), None, "normal"),
        (timedelta(hours=-1), None, "warning"),
        (timedelta(hours=0), None, "overdue"),
        (timedelta(hours=5), None, "overdue"),
        (timedelta(hours=5), timedelta(hours=-1), "met"),
        (timedelta(hours=5), timedelta(hours=1), "met_late"),
    ],
)
def test_deadline_state_is_derived_from_timestamps(now_offset, met, expected):
    due = sh(2026, 11, 27, 12)
    state = dl.deadline_state(
        due,
        due + now_offset,
        warn_at=due - timedelta(hours=2),
        met_at=due + met if met is not None else None,
    )
    assert state == expected


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError):
        dl.Policy(warning_share=1.5)


def test_remaining_text_reads_in_chinese():
    due = sh(2026, 11, 27, 12)
    assert dl.remaining_text(due, due - timedelta(days=2, hours=3)) == "剩余 2天3小时"
    assert dl.remaining_text(due, due + timedelta(hours=5, minutes=10)) == "超期 5小时10分"


@pytest.mark.clause("6.2", "6.4.4")
def test_an_emergency_order_is_dispatched_within_thirty_natural_minutes(cal):
    """§6.4.4 with §6.2, the centre's reading: an estate-wide water cut accepted on a Sunday
    is not left until Tuesday 00:00 (1 working day) before its 2-hour feedback clock even
    starts — it is reviewed and dispatched within 30 minutes, weekend or not."""
    sunday = sh(2026, 11, 29, 10, 0)
    general = dl.dispatch_deadline(sunday, cal)
    assert general.due == sh(2026, 12, 1, 0, 0)  # counting starts Monday 00:00
    d = dl.dispatch_deadline(sunday, cal, emergency=True)
    assert d.due == sh(2026, 11, 29, 10, 30)
    assert (d.basis, d.amount, d.clause) == ("minutes", 30, "§6.2, §6.4.4")
    assert "中心规定" in d.explanation()
    quicker = dl.Policy(emergency_dispatch_minutes=15)
    assert dl.dispatch_deadline(sunday, cal, emergency=True, policy=quicker).due == sh(
        2026, 11, 29, 10, 15
    )
    with pytest.raises(ValueError):
        dl.Policy(emergency_dispatch_minutes=0)


@pytest.mark.clause("6.2")
def test_return_to_intake_stops_the_review_clock_and_resubmission_runs_it_on(cal):
    """§6.2: accepted Monday 10:00, due Tuesday 10:00.  Returned Monday 16:00 with 18 hours
    of working-day time left; the agent fixes it over the weekend and resubmits Monday
    09:00 — the reviewer has the 18 hours left, to Tuesday 03:00, not a day already gone."""
    accepted = sh(2026, 11, 23, 10, 0)
    returned, resubmitted = sh(2026, 11, 23, 16, 0), sh(2026, 11, 30, 9, 0)
    d = dl.dispatch_deadline(accepted, cal, paused=((returned, resubmitted),))
    assert d.start == accepted and d.due == sh(2026, 12, 1, 3, 0)
    assert "退回受理期间暂停计时：11-23 16:00至11-30 09:00" in d.explanation()
    assert d.as_dict()["paused"] == [[returned.isoformat(), resubmitted.isoformat()]]
    # resubmitted on a Saturday: the time left starts running on Monday
    weekend = dl.dispatch_deadline(accepted, cal, paused=((returned, sh(2026, 11, 28, 9, 0)),))
    assert weekend.due == sh(2026, 11, 30, 18, 0)
    # two returns: both spans stand still
    twice = dl.dispatch_deadline(
        accepted,
        cal,
        paused=((returned, sh(2026, 11, 24, 9, 0)), (sh(2026, 11, 24, 12, 0), resubmitted)),
    )
    # 6 hours used on Monday, 3 more on Tuesday 09:00–12:00: 15 left from Monday 30 09:00
    assert twice.due == sh(2026, 12, 1, 0, 0)


@pytest.mark.clause("6.2")
def test_an_order_returned_after_its_review_limit_stays_late_by_as_much(cal):
    """A clock already overdue at the return does not start afresh: it stays 2 hours late
    and the pause is not counted; a natural-time (emergency) clock keeps its minutes."""
    accepted = sh(2026, 11, 23, 10, 0)  # due Tuesday 10:00
    returned, resubmitted = sh(2026, 11, 24, 12, 0), sh(2026, 11, 25, 9, 0)
    d = dl.dispatch_deadline(accepted, cal, paused=((returned, resubmitted),))
    assert d.due == sh(2026, 11, 25, 7, 0) and resubmitted - d.due == timedelta(hours=2)
    e = dl.dispatch_deadline(
        accepted, cal, emergency=True, paused=((sh(2026, 11, 23, 10, 10), sh(2026, 11, 23, 11, 0)),)
    )
    assert e.due == sh(2026, 11, 23, 11, 20)  # 20 minutes were left


@pytest.mark.clause("6.2")
def test_a_paused_clock_into_an_unloaded_year_is_provisional_and_recomputed(cal):
    """Resubmitted on 2026-12-31 with most of the day left: the rest runs into 2027, whose
    holidays are not loaded — provisional, and recomputed (pauses kept) once they are."""
    from hotline.rules.calendar import WorkingCalendar

    accepted = sh(2026, 12, 30, 10, 0)
    paused = ((sh(2026, 12, 30, 11, 0), sh(2026, 12, 31, 9, 0)),)
    d = dl.dispatch_deadline(accepted, cal, paused=paused)
    assert d.provisional and d.unknown_years == (2027,)
    assert d.due == sh(2027, 1, 1, 8, 0)  # 23 hours left, weekends only for 2027
    known = WorkingCalendar(
        set(cal.holidays) | {sh(2027, 1, 1, 0, 0).date()}, cal.workdays, {*cal.known_years, 2027}
    )
    fresh = dl.recompute(d, known)
    assert not fresh.provisional and fresh.paused == paused
    assert fresh.due == sh(2027, 1, 4, 8, 0)  # 1 January is a holiday, then the weekend
