"""§6.5 the supervision ladder and §6.4.4 emergency escalation, as a pure function."""

from datetime import datetime, timedelta

import pytest

from hotline.rules import ladder as rl
from hotline.rules.calendar import SHANGHAI

H = timedelta(hours=1)
M = timedelta(minutes=1)


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


GENERAL = [
    rl.Step("smart", 0 * H, automatic=True, recipients=("handlers",), channels=("system",)),
    rl.Step("phone", 4 * H, recipients=("handlers",)),
    rl.Step("phone", 4 * H, recipients=("leader",)),
    rl.Step("sms", 8 * H, automatic=True, recipients=("unit", "leader"), channels=("sms",)),
    rl.Step("other", 24 * H, other_form="notification"),
]
EMERGENCY = [
    rl.Step("smart", 0 * M, automatic=True),
    rl.Step("sms", 15 * M, automatic=True, recipients=("leader", "emergency")),
    rl.Step("sms", 15 * M, automatic=True, recipients=("head",), repeat=30 * M),
]
DUE = sh(2026, 3, 9, 9, 0)


@pytest.mark.clause("6.5")
def test_an_order_that_is_not_behind_has_no_rung_to_climb():
    """§6.5 supervises late orders only: nothing behind, nothing planned."""
    assert rl.plan(GENERAL, [], behind_since=None) is None
    assert rl.plan([], [], behind_since=DUE) is None


@pytest.mark.clause("6.5")
def test_smart_supervision_starts_after_the_grace_period_once_overdue():
    """§6.5 a: the system's own supervision is the first rung, due ``start_after`` after
    the order fell behind."""
    p = rl.plan(GENERAL, [], behind_since=DUE, start_after=4 * H)
    assert p is not None and p.step.method == "smart" and p.position == 0
    assert p.due_at == DUE + 4 * H
    assert not p.is_due(DUE + 3 * H) and p.is_due(DUE + 4 * H)
    assert p.key == "0.0.0"


@pytest.mark.clause("6.5")
def test_two_unanswered_phone_reminders_start_supervision_at_once():
    """§6.5: after 2 phone reminders without a result the order goes under supervision."""
    entered = DUE + H
    p = rl.plan(GENERAL, [], behind_since=DUE, supervised_at=entered, start_after=24 * H)
    assert p.due_at == entered and "电话催办2次" in p.reason


@pytest.mark.clause("6.5")
def test_each_rung_without_result_escalates_to_the_next():
    """§6.5 b–d: phone (handlers, then leaders), SMS, then other forms, each after its wait."""
    t0 = DUE + 4 * H
    taken = [rl.Taken("smart", t0)]
    p = rl.plan(GENERAL, taken, behind_since=DUE, start_after=4 * H)
    assert (p.position, p.step.method, p.due_at) == (1, "phone", t0 + 4 * H)
    assert "未见成效" in p.reason
    taken += [rl.Taken("phone", t0 + 5 * H), rl.Taken("phone", t0 + 9 * H)]
    p = rl.plan(GENERAL, taken, behind_since=DUE, start_after=4 * H)
    assert (p.position, p.step.method, p.due_at) == (3, "sms", t0 + 17 * H)
    taken.append(rl.Taken("sms", t0 + 17 * H))
    p = rl.plan(GENERAL, taken, behind_since=DUE, start_after=4 * H)
    assert (p.step.method, p.step.other_form) == ("other", "notification")
    taken.append(rl.Taken("other", t0 + 41 * H))
    assert rl.plan(GENERAL, taken, behind_since=DUE, start_after=4 * H) is None  # the top


@pytest.mark.clause("6.5")
def test_a_person_may_skip_ahead_and_the_ladder_follows():
    """A supervisor who goes straight to SMS supervision (§6.5 c) moves the order there."""
    taken = [rl.Taken("sms", DUE + H)]
    assert rl.position(GENERAL, taken).position == 3
    p = rl.plan(GENERAL, taken, behind_since=DUE)
    assert p.step.method == "other" and p.due_at == DUE + 25 * H


def test_an_extra_step_of_a_passed_method_restarts_the_wait_but_keeps_the_rung():
    taken = [rl.Taken("smart", DUE), rl.Taken("phone", DUE + H), rl.Taken("smart", DUE + 2 * H)]
    at = rl.position(GENERAL, taken)
    assert at.position == 1 and at.last_at == DUE + 2 * H
    assert rl.plan(GENERAL, taken, behind_since=DUE).due_at == DUE + 6 * H


def test_an_effective_step_ends_the_cycle_and_a_still_late_order_starts_again():
    """A step with a result ends the escalation; if the order is still behind, the ladder
    starts over from smart supervision after the grace period, under a new cycle key."""
    taken = [rl.Taken("smart", DUE), rl.Taken("phone", DUE + H, effective=True)]
    p = rl.plan(GENERAL, taken, behind_since=DUE, start_after=4 * H)
    assert (p.cycle, p.position, p.step.method) == (1, 0, "smart")
    assert p.due_at == DUE + 5 * H and p.key == "1.0.0"


@pytest.mark.clause("6.4.4")
def test_emergency_escalation_repeats_until_the_unit_replies():
    """§6.4.4: every rung automatic, the last repeating every 30 minutes."""
    start = sh(2026, 3, 2, 9, 22, 30)
    taken: list[rl.Taken] = []
    times = []
    for _ in range(6):
        p = rl.plan(EMERGENCY, taken, behind_since=start)
        assert p.step.automatic
        times.append((p.position, p.round, p.due_at - start))
        taken.append(rl.Taken(p.step.method, p.due_at))
    assert times == [
        (0, 0, 0 * M),
        (1, 0, 15 * M),
        (2, 0, 30 * M),
        (2, 1, 60 * M),
        (2, 2, 90 * M),
        (2, 3, 120 * M),
    ]


def test_waits_are_measured_with_the_clock_the_track_gives():
    """General orders wait in working-day time: a weekend is not a day without result."""

    def skip_weekend(start: datetime, span: timedelta) -> datetime:
        end = start + span
        while end.weekday() >= 5:
            end += timedelta(days=1)
        return end

    friday = sh(2026, 3, 6, 20, 0)
    p = rl.plan(GENERAL, [rl.Taken("smart", friday)], behind_since=friday, advance=skip_weekend)
    assert p.due_at == sh(2026, 3, 9, 0, 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "fax"},
        {"method": "other", "other_form": "carrier_pigeon"},
        {"method": "sms", "recipients": ("mayor",)},
        {"method": "sms", "channels": ("telegram",)},
        {"method": "sms", "repeat": timedelta(0)},
    ],
)
def test_a_misconfigured_rung_is_refused(kwargs):
    with pytest.raises(ValueError):
        rl.Step(after=timedelta(0), **kwargs)


@pytest.mark.clause("6.5")
def test_an_order_is_overdue_from_its_earliest_passed_unit_deadline():
    """§6.5 "针对超期工单": only the deadlines the unit answers for count — sign-for,
    feedback, extension and hang-up end; the centre's own dispatch and callback limits
    do not make a unit's order overdue."""
    dls = [("sign", DUE - 24 * H), ("feedback", DUE), ("dispatch", DUE - 48 * H)]
    assert rl.overdue_since(dls, DUE - 25 * H) is None
    assert rl.overdue_since(dls, DUE - 24 * H) == DUE - 24 * H
    assert rl.overdue_since(dls, DUE + H) == DUE - 24 * H
    assert rl.overdue_since([("dispatch", DUE), ("callback", DUE)], DUE + H) is None
    assert rl.overdue_since([], DUE) is None


@pytest.mark.clause("6.5")
def test_a_call_before_the_deadline_is_a_reminder_and_after_it_an_urge():
    """§6.5: 电话催办 is for overdue orders; a call before any deadline passed is a 提醒
    that never leads to supervision; two unanswered 催办 do."""
    assert rl.reminder_kind(None) == "prompt"
    assert rl.reminder_kind(DUE) == "urge"
    assert rl.REMINDER_KINDS.label("prompt") == "电话提醒"
    assert not rl.enters_supervision(1) and rl.enters_supervision(2)


@pytest.mark.clause("6.5")
def test_a_step_taken_by_hand_lands_on_the_rung_of_its_method():
    """A supervisor's step is placed on the ladder like the system's: the suggested rung,
    a later rung of its method (its messages must go out with it), a repeat of the top
    rung, or no rung at all for a method the ladder has passed."""
    t = DUE + 5 * H
    assert rl.landing(GENERAL, [], rl.Taken("smart", t)) == "0.0.0"
    assert rl.landing(GENERAL, [], rl.Taken("sms", t)) == "0.3.0"  # skipping ahead
    taken = [rl.Taken("smart", t), rl.Taken("phone", t + H)]
    assert rl.landing(GENERAL, taken, rl.Taken("phone", t + 2 * H)) == "0.2.0"
    after_sms = [*taken, rl.Taken("sms", t + 3 * H)]
    assert rl.landing(GENERAL, after_sms, rl.Taken("smart", t + 4 * H)) is None  # passed
    effective = [rl.Taken("smart", t, effective=True)]
    assert rl.landing(GENERAL, effective, rl.Taken("smart", t + H)) == "1.0.0"  # new cycle
    top = [rl.Taken("smart", t), rl.Taken("sms", t + H), rl.Taken("sms", t + 2 * H)]
    assert rl.landing(EMERGENCY, top, rl.Taken("sms", t + 3 * H)) == "0.2.1"  # a repeat
    # an effective step still took its rung before it ended the cycle
    assert rl.landing(GENERAL, [], rl.Taken("smart", t, effective=True)) == "0.0.0"
