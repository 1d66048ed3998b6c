"""§6.5 (SPEC §5): every running deadline is watched — yellow at the configured share of
its limit, red when due — and whoever owes it is reminded once per light."""

from __future__ import annotations

import pytest

from hotline.orders import actions
from hotline.orders.models import Deadline, Event
from hotline.supervision import sweep
from hotline.supervision.models import Message, Notice, SweepMark
from hotline.supervision.tests.conftest import MONDAY, sh


def messages(**filters) -> list[str]:
    return sorted(Message.objects.filter(**filters).values_list("key", flat=True))


@pytest.mark.clause("6.4.2", "6.5")
def test_a_dispatched_order_turns_yellow_then_red_and_the_unit_is_reminded_once_each(
    dispatch, clerk, gateway
):
    """§6.4.2 feedback in 5 working days; yellow at 75 % (SPEC §5 [beyond]), red when due;
    the unit gets an in-system notice at yellow and a notice and an SMS at red (§6.5 a)."""
    order = dispatch()
    actions.do_sign(order, clerk, now=sh(2026, 3, 2, 10, 0))
    feedback = Deadline.objects.get(order=order, kind="feedback")
    assert feedback.warn_at == sh(2026, 3, 6, 3, 0)  # 90 of 120 working hours
    assert feedback.due_at == sh(2026, 3, 9, 9, 0)

    assert sweep.run(now=sh(2026, 3, 6, 2, 59), gateway=gateway).warning == 0
    report = sweep.run(now=sh(2026, 3, 6, 3, 0), gateway=gateway)
    assert (report.warning, report.overdue) == (1, 0)
    assert messages(channel="system") == [
        f"d{feedback.pk}:warning:system:unit:{order.lead_unit_id}"
    ]
    notice = Notice.objects.get(unit=order.lead_unit)
    assert notice.title == f"即将超期：{order.number}" and "03-09 09:00" in notice.body

    report = sweep.run(now=sh(2026, 3, 9, 9, 0), gateway=gateway)
    assert (report.warning, report.overdue) == (0, 1)
    assert [m.to for m in gateway.sent] == ["0473-3100001"]  # the unit's phone on file
    assert "已于03-09 09:00到期" in gateway.sent[0].body
    # supervisors are not sent a notice per late deadline: they have the board
    assert not Notice.objects.filter(role="supervisor").exists()
    lines = Event.objects.filter(order=order, action="auto_remind").order_by("at")
    assert [e.data["stage"] for e in lines] == ["warning", "overdue"]
    assert lines[0].action_label == "系统自动提醒"


def test_a_deadline_first_seen_already_overdue_gets_only_the_red_reminder(dispatch, gateway):
    """A worker that was down does not send a stale "about to expire" after the fact."""
    order = dispatch()
    sweep.run(now=sh(2026, 3, 10, 9, 0), gateway=gateway)
    stages = sorted(SweepMark.objects.filter(order=order).values_list("stage", flat=True))
    assert stages.count("warning") == 0 and stages.count("overdue") == 2  # sign, feedback


@pytest.mark.clause("6.2", "6.3", "6.4.1", "6.4.2", "6.5")
def test_every_deadline_kind_is_watched_and_its_owner_reminded(
    agent, reviewer, clerk, callback_agent, appeal, phones, gateway
):
    """Dispatch (§6.2, reviewers), sign-for (§6.3, the unit), feedback (§6.4.2), extension
    end (§6.4.1), hang-up end (§6.4.1) and callback (§6.8, callback agents) all turn red
    and remind whoever owes them."""
    at = MONDAY
    # dispatch deadline: accepted, never dispatched
    waiting = actions.do_create_order(agent, appeal, now=at)
    # extension: signed, extended by 1 working day, never replied
    extended = actions.do_create_order(agent, appeal, now=at)
    actions.do_submit(extended, agent, now=at)
    actions.do_dispatch(extended, reviewer, lead_unit=phones.zjj, now=at)
    actions.do_sign(extended, clerk, now=at)
    actions.do_request_extension(extended, clerk, days=1, reason="需现场勘查", now=at)
    actions.do_decide_extension(extended, reviewer, approve=True, now=at)
    # hang-up: suspended for 3 natural days, never resumed
    hung = actions.do_create_order(agent, appeal, now=at)
    actions.do_submit(hung, agent, now=at)
    actions.do_dispatch(hung, reviewer, lead_unit=phones.zjj, now=at)
    actions.do_sign(hung, clerk, now=at)
    actions.do_request_suspension(hung, clerk, days=3, reason="行政复议期间", now=at)
    actions.do_decide_suspension(hung, reviewer, approve=True, now=at)
    # callback: replied and accepted, never called back
    replied = actions.do_create_order(agent, appeal, now=at)
    actions.do_submit(replied, agent, now=at)
    actions.do_dispatch(replied, reviewer, lead_unit=phones.zjj, now=at)
    actions.do_sign(replied, clerk, now=at)
    actions.do_reply(
        replied,
        clerk,
        handling_situation="已维修",
        citizen_contact="已电话告知",
        investigation="现场查看属实",
        opinion="已完成防水",
        now=at,
    )
    actions.do_accept_reply(replied, reviewer, now=at)

    sweep.run(now=sh(2026, 3, 20, 9, 0), gateway=gateway)
    marked = set(
        SweepMark.objects.filter(stage="overdue").values_list("order_id", "deadline__kind")
    )
    overdue = {
        (waiting.pk, "dispatch"),
        (extended.pk, "extension"),
        (hung.pk, "hang_up"),
        (replied.pk, "callback"),
    }
    assert overdue <= marked
    reminders = Notice.objects.filter(kind__startswith="deadline_").exclude(role="")
    assert set(reminders.values_list("role", flat=True)) == {"reviewer", "callback"}
    units = Notice.objects.filter(unit=phones.zjj).values_list("order_id", flat=True)
    assert {extended.pk, hung.pk} <= set(units)


def test_met_deadlines_are_not_watched(dispatch, clerk, gateway):
    """A unit that signed and replied in time hears nothing from the sweep."""
    order = dispatch()
    actions.do_sign(order, clerk, now=sh(2026, 3, 2, 10, 0))
    actions.do_reply(
        order,
        clerk,
        handling_situation="已维修",
        citizen_contact="已电话告知",
        investigation="现场查看属实",
        opinion="已完成防水",
        now=sh(2026, 3, 3, 10, 0),
    )
    report = sweep.run(now=sh(2026, 3, 10, 10, 0), gateway=gateway)
    assert (report.warning, report.overdue, report.rungs) == (0, 0, 0)
    assert not Message.objects.filter(order=order).exists()
