"""§6.5 as written — "针对超期工单，热线服务机构可先通过电话联系相关承办单位；经电话催办2次后，
仍然未回复处理结果的工单，将进行督办" — and one supervision path for every entrance.

* a call to the unit before any of its deadlines passed is a 提醒: recorded, but neither a
  催办 nor 督办, and not in the assessment;
* 督办 is refused on an order that is not overdue, from every entrance;
* the web form, ``/api/v1/orders/{n}/supervision``, ``/api/v1/supervision/orders/{n}/steps``
  and the sweep take a step through the same ``do_supervise``, with the same effects."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from hotline.analytics import assessment
from hotline.analytics.periods import Period
from hotline.orders import actions
from hotline.orders.models import Event, WorkOrder
from hotline.supervision import actions as sup
from hotline.supervision import sweep
from hotline.supervision.models import LadderStep, Message, Reminder, SupervisionRecord
from hotline.supervision.tests.conftest import sh

# Dispatched Monday 03-02 09:00 and signed at 10:00: feedback due Monday 03-09 09:00.
SIGNED = sh(2026, 3, 2, 10, 0)
BEFORE = sh(2026, 3, 3, 9, 0)  # handling, feedback due in 4 working days
AFTER = sh(2026, 3, 10, 9, 0)  # a day overdue


@pytest.fixture
def handling(dispatch, clerk):
    """An order of 住建局 in 办理中, signed on time."""
    order = dispatch()
    actions.do_sign(order, clerk, now=SIGNED)
    return order


@pytest.mark.clause("6.5")
def test_two_calls_before_the_deadline_are_reminders_not_supervision(handling, supervisor, org):
    """The measured fault: two unanswered calls put an order in 办理中 (feedback due in
    days) under 督办, and it counted against the unit.  Now they are 提醒."""
    for hour in (9, 15):
        sup.do_remind(handling, supervisor, result="无人接听", now=sh(2026, 3, 3, hour, 0))
    order = WorkOrder.objects.get(pk=handling.pk)
    assert order.supervised_at is None and order.reminder_count == 0
    assert list(Reminder.objects.filter(order=order).values_list("kind", flat=True)) == [
        "prompt",
        "prompt",
    ]
    assert not Event.objects.filter(order=order, action="enter_supervision").exists()
    prompts = Event.objects.filter(order=order, action="prompt")
    assert prompts.count() == 2 and prompts[0].action_label == "电话提醒"
    march = assessment.assess(Period.month(2026, 3), now=sh(2026, 3, 31, 12, 0))
    zjj = next(r for r in march.rows if r.unit.pk == org.zjj.pk)
    assert zjj.counts["supervised"] == 0


@pytest.mark.clause("6.5")
def test_two_unanswered_calls_after_the_deadline_put_the_order_under_supervision(
    handling, supervisor, org
):
    """After the deadline the same calls are 催办; the second without a result → 督办,
    which counts in the unit's assessment."""
    sup.do_remind(handling, supervisor, result="无人接听", now=BEFORE)  # a 提醒 first
    first = sup.do_remind(handling, supervisor, result="无人接听", now=AFTER)
    assert first.kind == "urge"
    assert WorkOrder.objects.get(pk=handling.pk).supervised_at is None  # one 催办 so far
    sup.do_remind(handling, supervisor, result="仍未回复", now=sh(2026, 3, 10, 15, 0))
    order = WorkOrder.objects.get(pk=handling.pk)
    assert order.reminder_count == 2 and order.supervised_at == sh(2026, 3, 10, 15, 0)
    assert Event.objects.filter(order=order, action="enter_supervision").count() == 1
    march = assessment.assess(Period.month(2026, 3), now=sh(2026, 3, 31, 12, 0))
    zjj = next(r for r in march.rows if r.unit.pk == org.zjj.pk)
    assert zjj.counts["supervised"] == 1


@pytest.mark.clause("6.5")
def test_supervision_is_refused_before_the_deadline_from_every_entrance(handling, supervisor, as_):
    """409 with the reason — web form, order API, supervision API and the action alike;
    the detail page and the API do not offer it either."""
    from hotline.orders.errors import Conflict

    with pytest.raises(Conflict) as err:
        sup.do_supervise(handling, supervisor, method="phone", now=BEFORE)
    assert "尚未超期" in err.value.message
    with time_machine.travel(BEFORE, tick=False):
        api = as_(supervisor)
        for path in (
            f"/orders/{handling.number}/supervision",
            f"/supervision/orders/{handling.number}/steps",
        ):
            r = api.post(path, {"method": "phone"})
            assert r.status_code == 409 and "尚未超期" in r.json()["message"], path
        assert "supervise" not in api.ok("get", f"/orders/{handling.number}")["allowed_actions"]
        web = Client()
        web.force_login(supervisor)
        page = web.get(f"/orders/{handling.number}/").content.decode()
        assert 'data-action="supervise"' not in page and 'data-action="remind"' in page
        r = web.post(f"/orders/{handling.number}/act/supervise/", {"supervise-method": "phone"})
        assert r.status_code == 409
    assert not SupervisionRecord.objects.exists()
    with time_machine.travel(AFTER, tick=False):
        assert (
            "supervise"
            in as_(supervisor).ok("get", f"/orders/{handling.number}")["allowed_actions"]
        )


def _manual_sms_ladder():
    """The administrator's ladder: SMS supervision of the unit's leaders, taken by hand."""
    LadderStep.objects.filter(track="general").delete()
    LadderStep.objects.create(
        track="general",
        position=1,
        method="sms",
        after_minutes=0,
        automatic=False,
        recipients="leader,head",
        channels="sms",
    )


@pytest.mark.clause("6.5")
@pytest.mark.parametrize("entrance", ["order_api", "supervision_api", "web"])
def test_a_manual_sms_rung_sends_its_sms_whichever_entrance_takes_it(
    entrance, handling, supervisor, as_, gateway
):
    """The measured fault: with a manual SMS rung, the order API / web form queued 0 SMS and
    the supervision API 1, yet both wrote an SMS record — so the ladder moved on and that
    SMS was never sent.  Every entrance now takes the rung: one record, the rung claimed,
    its two SMS queued and delivered, the ladder at its top."""
    _manual_sms_ladder()
    n = handling.number
    with time_machine.travel(AFTER, tick=False):
        body = {"method": "sms", "content": "请分管领导督促办理"}
        if entrance == "order_api":
            as_(supervisor).ok("post", f"/orders/{n}/supervision", body)
        elif entrance == "supervision_api":
            as_(supervisor).ok("post", f"/supervision/orders/{n}/steps", body)
        else:
            web = Client()
            web.force_login(supervisor)
            form = {f"supervise-{k}": v for k, v in body.items()}
            assert web.post(f"/orders/{n}/act/supervise/", form).status_code == 302
        record = SupervisionRecord.objects.get(order=handling)
        assert (record.method, record.by) == ("sms", supervisor)
        assert "周副局长" in record.target and "吴局长" in record.target
        queued = Message.objects.filter(order=handling, channel="sms")
        assert sorted(queued.values_list("to", flat=True)) == ["13900000002", "13900000003"]
        sweep.run(gateway=gateway)
        assert sorted(m.to for m in gateway.sent if m.channel == "sms") == [
            "0473-3100001",  # the overdue notice to the unit, from the sweep itself
            "13900000002",
            "13900000003",
        ]
        status = as_(supervisor).ok("get", f"/supervision/orders/{n}")
        assert status["next_step"] is None  # the rung was taken: nothing suggested again
        again = as_(supervisor).post(f"/supervision/orders/{n}/steps", {})
        assert again.status_code == 422  # nothing left to suggest: a method is required


@pytest.mark.clause("6.5")
def test_the_sweep_takes_an_automatic_rung_through_the_same_path(handling, gateway):
    """The system's own step (§6.5 a) is the same ``do_supervise``: it refuses to act
    before the deadline or before the rung is due, and acts once when it is."""
    from hotline.orders.errors import Conflict

    with pytest.raises(Conflict):
        sup.do_supervise(handling, None, now=BEFORE)  # not overdue
    with pytest.raises(Conflict):
        sup.do_supervise(handling, None, now=sh(2026, 3, 9, 10, 0))  # 4-hour grace period
    late = sh(2026, 3, 9, 13, 0)
    assert sweep.run(now=late, gateway=gateway).rungs == 1
    record = SupervisionRecord.objects.get(order=handling)
    assert (record.method, record.by) == ("smart", None)
    assert sweep.run(now=late, gateway=gateway).rungs == 0


def test_the_reminder_kind_is_shown_on_the_detail_page(handling, supervisor):
    sup.do_remind(handling, supervisor, result="已提醒", now=BEFORE)
    sup.do_remind(handling, supervisor, result="已催办", now=AFTER)
    web = Client()
    web.force_login(supervisor)
    with time_machine.travel(AFTER, tick=False):
        page = web.get(f"/orders/{handling.number}/").content.decode()
    assert "电话提醒" in page and "电话催办" in page
