"""The supervisors' API (§6.5): the board by light, unit and age, counts per unit, who may
see what, notices per unit, and a ladder that is configuration, not code."""

from __future__ import annotations

import pytest
import time_machine

from hotline.orders import actions
from hotline.supervision import sweep
from hotline.supervision.models import LadderStep, SupervisionRecord
from hotline.supervision.tests.conftest import MONDAY, sh


def test_the_board_sorts_red_first_and_filters_by_unit_light_and_emergency(
    as_, dispatch, clerk, reviewer, supervisor, phones, gateway
):
    """Overdue before warning, the earliest running deadline first; ``unit`` takes the subtree;
    ``sort=age`` puts the oldest first; counts per unit include the centre's own
    dispatch deadline (§6.2)."""
    old = dispatch(MONDAY)  # feedback overdue on 03-09 09:00
    new = dispatch(sh(2026, 3, 4, 9, 0))  # feedback due 03-11 09:00, yellow from 03-10 03:00
    for o in (old, new):
        actions.do_sign(o, clerk, now=sh(2026, 3, 4, 9, 0))
    other = dispatch(sh(2026, 3, 4, 9, 0))
    actions.do_unit_return(other, clerk, reason="不属本单位职责", now=sh(2026, 3, 4, 10, 0))
    boss = as_(supervisor)
    with time_machine.travel(sh(2026, 3, 10, 9, 0), tick=False):
        board = boss.ok("get", "/supervision/board")
        # the returned order's dispatch limit (03-05 10:00) is the oldest overdue one
        assert [r["number"] for r in board["results"]] == [other.number, old.number, new.number]
        assert [r["light"] for r in board["results"]] == ["overdue", "overdue", "warning"]
        assert board["results"][1]["overdue_minutes"] == 24 * 60
        by_unit = boss.ok("get", f"/supervision/board?unit={phones.zjj.code}")
        assert {r["number"] for r in by_unit["results"]} == {old.number, new.number}
        by_gov = boss.ok("get", f"/supervision/board?unit={phones.district_gov.pk}")
        assert by_gov["count"] == 2  # the parent unit sees its sub-units
        assert boss.ok("get", "/supervision/board?light=warning")["count"] == 1
        assert boss.ok("get", "/supervision/board?emergency=true")["count"] == 0
        aged = boss.ok("get", "/supervision/board?sort=age")
        assert aged["results"][0]["number"] == old.number
        counts = {c["unit_name"]: c for c in boss.ok("get", "/supervision/units")}
        assert (
            counts["海勃湾区住房和城乡建设局"]["overdue"],
            counts["海勃湾区住房和城乡建设局"]["warning"],
        ) == (1, 1)
        assert "12345热线中心（审核派转、回访）" in counts  # the returned order's dispatch clock
        scoped = boss.ok("get", f"/supervision/units?unit={phones.district_gov.code}")
        assert [c["unit_name"] for c in scoped] == ["海勃湾区住房和城乡建设局"]


def test_units_and_citizens_cannot_read_the_board_but_units_read_their_notices(
    as_, dispatch, clerk, other_clerk, supervisor, gateway
):
    """A 承办单位 user sees only notices to its own unit (and below); the board, the outbox
    and the supervision status are the centre's."""
    order = dispatch()
    sweep.run(now=sh(2026, 3, 9, 10, 0), gateway=gateway)
    for path in ("/supervision/board", "/supervision/units", f"/supervision/orders/{order.number}"):
        r = as_(clerk).get(path)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert as_(clerk).get("/supervision/outbox").status_code == 403
    mine = as_(clerk).ok("get", "/supervision/notices")
    assert mine["count"] >= 2 and all(
        n["unit"] == "海勃湾区住房和城乡建设局" for n in mine["results"]
    )
    assert as_(other_clerk).ok("get", "/supervision/notices")["count"] == 0
    r = as_(other_clerk).post(f"/supervision/notices/{mine['results'][0]['id']}/read")
    assert r.status_code == 404
    sup = as_(supervisor).ok("get", "/supervision/notices?unread=true")
    assert sup["unread"] >= 1 and all(n["unit"] is None for n in sup["results"])


@pytest.mark.clause("6.5")
def test_supervision_before_the_deadline_is_refused_and_bad_input_is_a_field_error(
    as_, dispatch, clerk, supervisor
):
    """§6.5 "针对超期工单": a step on an order that is not overdue is refused with the
    reason (409); on an overdue order, bad input gets a Chinese field error (422).  Nothing
    is saved either way."""
    order = dispatch()
    actions.do_sign(order, clerk, now=sh(2026, 3, 2, 10, 0))
    with time_machine.travel(sh(2026, 3, 3, 9, 0), tick=False):
        r = as_(supervisor).post(f"/supervision/orders/{order.number}/steps", {})
        assert r.status_code == 409 and "尚未超期" in r.json()["message"]
    with time_machine.travel(sh(2026, 3, 10, 9, 0), tick=False):  # feedback due 03-09 09:00
        LadderStep.objects.filter(track="general").update(active=False)  # nothing to suggest
        r = as_(supervisor).post(f"/supervision/orders/{order.number}/steps", {})
        assert r.status_code == 422 and "method" in r.json()["fields"]
        r = as_(supervisor).post(f"/supervision/orders/{order.number}/steps", {"method": "other"})
        assert r.status_code == 422 and "other_form" in r.json()["fields"]
    assert not SupervisionRecord.objects.filter(order=order).exists()


@pytest.mark.clause("6.5")
def test_the_ladder_is_configuration_an_admin_edit_changes_what_the_sweep_does(
    as_, dispatch, clerk, supervisor, gateway
):
    """§6.5 a–d are rows the administrator edits: here SMS supervision (by SMS and WeChat)
    becomes the first, automatic rung, and the sweep follows the new ladder."""
    LadderStep.objects.filter(track="general").delete()
    LadderStep.objects.create(
        track="general",
        position=1,
        method="sms",
        after_minutes=0,
        automatic=True,
        recipients="head",
        channels="sms,wechat",
    )
    ladder = as_(supervisor).ok("get", "/supervision/ladder")
    assert [s["method"] for s in ladder["general"]] == ["sms"]
    assert [s["method"] for s in ladder["emergency"]] == ["smart", "sms", "sms"]  # seeded
    order = dispatch()
    actions.do_sign(order, clerk, now=sh(2026, 3, 2, 10, 0))
    sweep.run(now=sh(2026, 3, 9, 13, 0), gateway=gateway)
    assert SupervisionRecord.objects.get(order=order).method == "sms"
    sent = {(m.channel, m.to) for m in gateway.sent}
    assert {("sms", "13900000003"), ("wechat", "13900000003")} <= sent


def test_the_admin_edits_the_ladder_and_sees_the_outbox(admin_user, client):
    """The ladder, the outbox (with its dead letters) and the notices are in the admin; a
    rung naming an unknown recipient or channel is refused with Chinese field errors."""
    import pytest
    from django.core.exceptions import ValidationError

    client.force_login(admin_user)
    for url in (
        "/admin/supervision/ladderstep/",
        "/admin/supervision/message/?state__exact=dead",
        "/admin/supervision/notice/",
        "/admin/supervision/sweepmark/",
    ):
        assert client.get(url).status_code == 200, url
    step = LadderStep(
        track="general", position=9, method="other", recipients="mayor", channels="fax"
    )
    with pytest.raises(ValidationError) as err:
        step.full_clean()
    assert {"recipients", "channels", "other_form"} <= set(err.value.message_dict)
    assert "未知的督办对象" in err.value.message_dict["recipients"][0]
