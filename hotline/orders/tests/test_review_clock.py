"""The review/dispatch clock of §6.2 through the actions: emergency orders (§6.4.4) get the
centre's 30-minute limit, and a return to intake stops the clock until the agent submits
the order again."""

from __future__ import annotations

from datetime import datetime

import pytest

from hotline.orders import actions as act
from hotline.orders.models import Deadline
from hotline.rules.calendar import SHANGHAI
from hotline.supervision import sweep

OUTAGE = {"emergency_kind": "a_utility_outage", "title": "康乐小区整片停水"}


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def dispatch_clocks(order) -> list[Deadline]:
    return list(Deadline.objects.filter(order=order, kind="dispatch").order_by("pk"))


@pytest.mark.clause("6.4.4", "6.2")
def test_an_emergency_order_accepted_on_sunday_is_due_for_dispatch_in_30_minutes(agent, appeal):
    """The measured fault: a water cut accepted on a Sunday could wait until Tuesday 00:00."""
    order = act.do_create_order(agent, {**appeal, **OUTAGE}, now=sh(2026, 11, 29, 10, 0))
    (clock,) = dispatch_clocks(order)
    assert clock.due_at == sh(2026, 11, 29, 10, 30) and clock.basis == "minutes"
    assert clock.warn_at == sh(2026, 11, 29, 10, 22, 30)  # 75 % of the limit
    general = act.do_create_order(agent, appeal, now=sh(2026, 11, 29, 10, 0))
    assert dispatch_clocks(general)[0].due_at == sh(2026, 12, 1, 0, 0)


@pytest.mark.clause("6.4.4")
def test_the_emergency_review_limit_is_the_centres_setting(agent, appeal, settings):
    settings.HOTLINE_POLICY = {**settings.HOTLINE_POLICY, "emergency_dispatch_minutes": 45}
    order = act.do_create_order(agent, {**appeal, **OUTAGE}, now=sh(2026, 11, 29, 10, 0))
    assert dispatch_clocks(order)[0].due_at == sh(2026, 11, 29, 10, 45)


@pytest.mark.clause("6.4.4")
def test_marking_an_order_as_an_emergency_during_intake_shortens_its_clock(agent, appeal):
    """Flagged as a water cut 10 minutes after acceptance: 20 minutes are left, not a day."""
    order = act.do_create_order(agent, appeal, now=sh(2026, 11, 23, 10, 0))
    act.do_update(order, agent, OUTAGE, now=sh(2026, 11, 23, 10, 10))
    old, new = dispatch_clocks(order)
    assert old.superseded_at == sh(2026, 11, 23, 10, 10)
    assert new.active and new.start_at == sh(2026, 11, 23, 10, 0)
    assert new.due_at == sh(2026, 11, 23, 10, 30)


@pytest.mark.clause("6.2")
def test_return_to_intake_pauses_the_review_clock_and_resubmission_resumes_it(
    agent, reviewer, appeal, org
):
    """Accepted Monday 10:00 (due Tuesday 10:00), returned at 16:00 with 18 working hours
    left; while with the agent the clock is not running, nobody is reminded of it; the agent
    resubmits Wednesday 09:00 and the reviewer has the 18 hours left — to Thursday 03:00."""
    order = act.do_create_order(agent, appeal, now=sh(2026, 11, 23, 10, 0))
    act.do_submit(order, agent, now=sh(2026, 11, 23, 10, 5))
    act.do_return_to_intake(order, reviewer, reason="地址不具体", now=sh(2026, 11, 23, 16, 0))
    (stopped,) = dispatch_clocks(order)
    assert stopped.superseded_at == sh(2026, 11, 23, 16, 0)
    # Tuesday 11:00, past the original limit: the sweep has no running dispatch clock to chase
    report = sweep.run(now=sh(2026, 11, 24, 11, 0), deliver=False)
    assert (report.warning, report.overdue) == (0, 0)

    act.do_update(order, agent, {"address": "康乐小区3号楼2单元"}, now=sh(2026, 11, 25, 8, 0))
    act.do_submit(order, agent, now=sh(2026, 11, 25, 9, 0))
    clocks = dispatch_clocks(order)
    running = clocks[-1]
    assert running.active and running.start_at == sh(2026, 11, 23, 10, 0)
    assert running.due_at == sh(2026, 11, 26, 3, 0)
    assert running.paused == [
        [sh(2026, 11, 23, 16, 0).isoformat(), sh(2026, 11, 25, 9, 0).isoformat()]
    ]
    explained = act.as_rule_deadline(running).explanation()
    assert "退回受理期间暂停计时：11-23 16:00至11-25 09:00" in explained
    act.do_dispatch(order, reviewer, lead_unit=org.zjj, now=sh(2026, 11, 25, 20, 0))
    running.refresh_from_db()
    assert running.met_at == sh(2026, 11, 25, 20, 0) and running.met_at <= running.due_at


@pytest.mark.clause("6.2")
def test_an_order_submitted_straight_from_intake_keeps_its_running_clock(agent, appeal):
    order = act.do_create_order(agent, appeal, now=sh(2026, 11, 23, 10, 0))
    act.do_submit(order, agent, now=sh(2026, 11, 23, 10, 5))
    (clock,) = dispatch_clocks(order)
    assert clock.active and clock.due_at == sh(2026, 11, 24, 10, 0) and clock.paused == []
