"""An order left alone, end to end through the API with a moving clock: yellow, red,
automatic reminders, 2 phone reminders → 督办 (§6.5), then the ladder §6.5 a → b → c → d."""

from __future__ import annotations

import pytest
import time_machine

from hotline.orders import actions
from hotline.orders.models import Event
from hotline.supervision import sweep
from hotline.supervision.models import Notice, SupervisionRecord
from hotline.supervision.tests.conftest import sh


def row(board: dict, number: str) -> dict:
    rows = [r for r in board["results"] if r["number"] == number]
    assert rows, board
    return rows[0]


@pytest.mark.clause("6.5")
def test_an_order_left_alone_climbs_the_whole_ladder(as_, dispatch, clerk, supervisor, gateway):
    """§6.5: late order → phone reminders ×2 → supervision: a) smart (by the system),
    b) phone to handlers, 分管领导, 单位负责人 (suggested, taken by the 督办员), c) SMS to the
    department and its leaders (by the system), d) other forms (suggested)."""
    boss, unit = as_(supervisor), as_(clerk)
    with time_machine.travel(sh(2026, 3, 2, 9, 0), tick=False) as clock:
        order = dispatch()
        n = order.number
        actions.do_sign(order, clerk)

        clock.move_to(sh(2026, 3, 5, 12, 0))
        sweep.run(gateway=gateway)
        assert row(boss.ok("get", "/supervision/board?light=all"), n)["light"] == "normal"
        assert boss.ok("get", "/supervision/board")["count"] == 0

        # yellow (75 % of 5 working days): the unit sees a notice
        clock.move_to(sh(2026, 3, 6, 8, 0))
        sweep.run(gateway=gateway)
        sweep.run(gateway=gateway)  # a second sweep adds nothing
        notices = unit.ok("get", "/supervision/notices")
        assert notices["unread"] == 1 and notices["results"][0]["title"] == f"即将超期：{n}"
        assert row(boss.ok("get", "/supervision/board"), n)["light"] == "warning"
        counts = boss.ok("get", "/supervision/units")
        assert counts[0]["unit_name"] == "海勃湾区住房和城乡建设局"
        assert (counts[0]["warning"], counts[0]["overdue"]) == (1, 0)
        read = unit.ok("post", f"/supervision/notices/{notices['results'][0]['id']}/read")
        assert read["read_at"]

        # red: the unit is reminded by notice and SMS, the order API shows it
        clock.move_to(sh(2026, 3, 9, 9, 30))
        sweep.run(gateway=gateway)
        assert [m.to for m in gateway.sent] == ["0473-3100001"]
        detail = unit.ok("get", f"/orders/{n}")
        assert detail["deadline_state"] == "overdue"
        r = row(boss.ok("get", "/supervision/board?light=overdue"), n)
        assert r["overdue_minutes"] == 30 and r["next_step"]["method"] == "smart"
        assert not r["next_step"]["is_due"]  # the grace period: 4 working hours
        assert boss.ok("get", "/supervision/units")[0]["overdue"] == 1

        # §6.5: two phone reminders without a result → supervision, at once
        boss.ok("post", f"/supervision/orders/{n}/reminders", {"contact_name": "刘洋"})
        clock.move_to(sh(2026, 3, 9, 10, 0))
        status = boss.ok("post", f"/supervision/orders/{n}/reminders", {"result": "无人接听"})
        assert status["reminder_count"] == 2 and status["supervised_at"]
        assert status["next_step"]["method"] == "smart" and status["next_step"]["is_due"]
        assert "电话催办2次" in status["next_step"]["reason"]
        assert Event.objects.filter(order=order, action="enter_supervision").count() == 1

        # a) smart supervision, taken by the system
        clock.move_to(sh(2026, 3, 9, 10, 1))
        assert sweep.run(gateway=gateway).rungs == 1
        assert sweep.run(gateway=gateway).rungs == 0
        smart = SupervisionRecord.objects.get(order=order)
        assert (smart.method, smart.by) == ("smart", None)
        assert Notice.objects.filter(unit=order.lead_unit, kind="supervision").count() == 1
        status = boss.ok("get", f"/supervision/orders/{n}")
        nxt = status["next_step"]
        assert (nxt["method"], nxt["automatic"], nxt["is_due"]) == ("phone", False, False)
        assert {c["phone"] for c in nxt["contacts"]} == {"13900000001", "0473-3100001"}

        # b) phone supervision: suggested to the supervisors when due, taken by a person
        for at, contact in [
            (sh(2026, 3, 9, 14, 1), "13900000001"),  # handlers
            (sh(2026, 3, 9, 18, 1), "13900000002"),  # 分管领导
            (sh(2026, 3, 9, 22, 1), "13900000003"),  # 单位负责人
        ]:
            clock.move_to(at)
            assert sweep.run(gateway=gateway).suggestions == 1
            assert sweep.run(gateway=gateway).suggestions == 0
            r = row(boss.ok("get", "/supervision/board"), n)
            assert r["next_step"]["method"] == "phone" and r["next_step"]["is_due"]
            status = boss.ok("post", f"/supervision/orders/{n}/steps", {"result": "未见回复"})
            assert contact in status["records"][-1]["target"]
            assert status["records"][-1]["by"] == "赵磊"
        assert Notice.objects.filter(role="supervisor", kind="suggestion").count() == 3

        # c) SMS supervision of the department and its leaders, by the system
        assert status["next_step"]["method"] == "sms"
        clock.move_to(sh(2026, 3, 10, 6, 1))  # 8 working hours later
        sent_before = len(gateway.sent)
        assert sweep.run(gateway=gateway).rungs == 1
        sms = sorted(m.to for m in gateway.sent[sent_before:])
        assert sms == ["0473-3100001", "13900000002", "13900000003"]
        assert all("短信督办" in m.body for m in gateway.sent[sent_before:])

        # d) other forms: suggested a working day later
        clock.move_to(sh(2026, 3, 11, 6, 1))
        assert sweep.run(gateway=gateway).suggestions == 1
        status = boss.ok("get", f"/supervision/orders/{n}")
        assert status["next_step"]["method"] == "other"
        assert status["next_step"]["other_form"] == "notification"
        assert [s["reached"] for s in status["ladder"]] == [True] * 5 + [False]
        status = boss.ok("post", f"/supervision/orders/{n}/steps", {"content": "约谈单位负责人"})
        assert status["next_step"] is None  # the top of the ladder
        methods = [r["method"] for r in status["records"]]
        assert methods == ["smart", "phone", "phone", "phone", "sms", "other"]


@pytest.mark.clause("6.5")
def test_the_unit_replying_stops_the_ladder(dispatch, clerk, supervisor, gateway):
    """Supervision watches late orders only: once the unit replies nothing more is sent."""
    order = dispatch()
    actions.do_sign(order, clerk, now=sh(2026, 3, 2, 10, 0))
    sweep.run(now=sh(2026, 3, 9, 14, 0), gateway=gateway)
    assert SupervisionRecord.objects.filter(order=order).count() == 1
    actions.do_reply(
        order,
        clerk,
        handling_situation="已维修",
        citizen_contact="已电话告知",
        investigation="现场查看属实",
        opinion="已完成防水",
        now=sh(2026, 3, 9, 15, 0),
    )
    report = sweep.run(now=sh(2026, 3, 12, 9, 0), gateway=gateway)
    assert (report.rungs, report.suggestions) == (0, 0)


def test_an_effective_step_restarts_the_ladder_only_if_the_order_stays_late(
    as_, dispatch, clerk, supervisor, gateway
):
    """A step with a result (the unit promised to act) ends the cycle; if the order is still
    overdue, smart supervision starts again after the grace period."""
    boss = as_(supervisor)
    order = dispatch()
    actions.do_sign(order, clerk, now=sh(2026, 3, 2, 10, 0))
    sweep.run(now=sh(2026, 3, 9, 14, 0), gateway=gateway)
    with time_machine.travel(sh(2026, 3, 9, 15, 0), tick=False):
        status = boss.ok(
            "post",
            f"/supervision/orders/{order.number}/steps",
            {"result": "分管领导承诺今日办结", "effective": True},
        )
    assert status["cycle"] == 1
    assert status["next_step"]["method"] == "smart"
    assert status["next_step"]["key"] == "1.0.0"
    assert sweep.run(now=sh(2026, 3, 9, 18, 59), gateway=gateway).rungs == 0
    assert sweep.run(now=sh(2026, 3, 9, 19, 0), gateway=gateway).rungs == 1


def test_a_step_already_taken_by_the_system_is_refused_to_a_second_taker(
    as_, dispatch, clerk, supervisor, gateway
):
    """The suggested rung is claimed by its key: the supervisor who comes second is told."""
    from hotline.supervision.actions import do_supervise
    from hotline.supervision.models import SweepMark

    order = dispatch()
    actions.do_sign(order, clerk, now=sh(2026, 3, 2, 10, 0))
    now = sh(2026, 3, 9, 14, 0)
    # the supervisor reads the plan (smart rung due) while the sweep takes it
    SweepMark.objects.create(
        key=f"o{order.pk}:rung:0.0.0", stage="rung", order=order, token="x", at=now
    )
    import pytest

    from hotline.orders.errors import Conflict

    with pytest.raises(Conflict) as err:
        do_supervise(order, supervisor, now=now)
    assert "已由系统或其他督办员完成" in err.value.message
    assert not SupervisionRecord.objects.filter(order=order).exists()
