"""§6.4.4 emergency orders: reported to the emergency department at once, a 2-hour
feedback clock (§6.4.2), and escalation that repeats until the unit replies."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from hotline.orders import actions
from hotline.supervision import sweep
from hotline.supervision.models import Message, Notice, SupervisionRecord, SweepMark
from hotline.supervision.tests.conftest import sh

OUTAGE = {"emergency_kind": "a_utility_outage", "title": "康乐小区整片停水"}


@pytest.mark.clause("6.4.4")
def test_the_emergency_department_hears_at_acceptance_and_at_dispatch(
    as_, agent, reviewer, appeal, phones, django_capture_on_commit_callbacks
):
    """§6.4.4: flagged on acceptance, reported to the emergency department at once (after
    the action commits, not at the next sweep), again when dispatched, never twice."""
    a, r = as_(agent), as_(reviewer)
    with time_machine.travel(sh(2026, 3, 2, 9, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            order = a.ok("post", "/orders", {**appeal, **OUTAGE}, status=201)
        n = order["number"]
        assert order["emergency"] and order["urgency"]["code"] == "very_urgent"
        notice = Notice.objects.get(unit=phones.emergency)
        assert notice.kind == "emergency" and "区域性水、电、气、暖、网" in notice.body
        sms = Message.objects.get(channel="sms", to="0473-3110000")
        assert sms.state == "sent"  # delivered by the worker task the hook enqueued

        with django_capture_on_commit_callbacks(execute=True):
            a.ok("post", f"/orders/{n}/submit")
            r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": phones.zjj.pk})
        second = Notice.objects.filter(unit=phones.emergency).order_by("pk").last()
        assert "已派转海勃湾区住房和城乡建设局" in second.body and "2小时内反馈" in second.body
        assert Notice.objects.filter(unit=phones.emergency).count() == 2
        # the sweep's safety net finds nothing left to report
        assert sweep.run().emergency == 0


def test_a_report_lost_with_a_dying_process_is_made_by_the_next_sweep(agent, appeal, phones):
    """If the process died between commit and the hook, the sweep reports the order."""
    order = actions.do_create_order(agent, {**appeal, **OUTAGE}, now=sh(2026, 3, 2, 9, 0))
    assert not SweepMark.objects.filter(order=order).exists()  # the hook never ran
    assert sweep.run(now=sh(2026, 3, 2, 9, 1)).emergency == 1
    assert sweep.run(now=sh(2026, 3, 2, 9, 2)).emergency == 0
    assert Notice.objects.filter(unit=phones.emergency, kind="emergency").count() == 1


@pytest.mark.clause("6.4.2", "6.4.4", "6.5")
def test_an_unsigned_emergency_order_escalates_within_its_two_hours(
    as_, dispatch, clerk, supervisor, gateway
):
    """§6.4.2/§6.4.4: dispatched 09:00, feedback due 11:00.  Not signed in its 30 minutes,
    the order is overdue (§6.5: supervision is for overdue orders) and climbs the emergency
    ladder while still inside the 2 hours — handlers and unit, then 分管领导 and the
    emergency department, then 单位负责人 every 30 minutes — until the unit replies."""
    start = sh(2026, 3, 2, 9, 0)
    order = dispatch(start, **OUTAGE)
    assert order.is_emergency
    taken_at = []
    with time_machine.travel(start, tick=False) as clock:
        for minute in range(0, 125, 1):
            clock.move_to(start + timedelta(minutes=minute))
            if minute == 116:
                actions.do_sign(order, clerk)
                actions.do_reply(
                    order,
                    clerk,
                    handling_situation="已抢修恢复供水",
                    citizen_contact="已电话告知",
                    investigation="主管爆裂",
                    opinion="已更换管段",
                )
            if sweep.run(gateway=gateway).rungs:
                taken_at.append(minute)
    # the sign-for limit (30 min) passes unsigned: overdue, the ladder starts at once; the
    # 22.5-minute warning before it was only a reminder (提醒), not 督办
    assert taken_at == [30, 45, 60, 90]
    records = list(SupervisionRecord.objects.filter(order=order).order_by("at"))
    assert [r.method for r in records] == ["smart", "sms", "sms", "sms"]
    assert all(r.at < start + timedelta(hours=2) for r in records)
    phones_reached = {m.to for m in gateway.sent}
    assert {"13900000001", "0473-3100001", "13900000002", "13900000003", "0473-3110000"} <= (
        phones_reached
    )
    status = as_(supervisor).ok("get", f"/supervision/orders/{order.number}")
    assert status["track"] == "emergency" and status["next_step"] is None
