"""The public tracking endpoint (number + phone): the citizen's own progress, never anyone's
personal data, and limited per address so nobody can walk the numbers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client, override_settings

from hotline.channels import services
from hotline.channels.models import RateCounter
from hotline.orders import actions

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

TRACK = "/api/v1/channel/track"


def _track(number: str, phone: str, ip: str = "10.0.0.1"):
    return Client().post(
        TRACK, json.dumps({"number": number, "phone": phone}), "application/json", REMOTE_ADDR=ip
    )


def test_number_and_phone_show_the_public_progress_only(
    portal_app, citizen_appeal, agent, reviewer, clerk, org
):
    order, _ = services.submit_appeal(portal_app, citizen_appeal)
    actions.do_accept(order, agent)
    actions.do_comment(order, agent, note="市民情绪激动，内部备注")
    actions.do_submit(order, agent)
    actions.do_dispatch(order, reviewer, lead_unit=org.zjj, note="派给住建局（内部）")
    actions.do_sign(order, clerk)
    actions.do_reply(
        order,
        clerk,
        handling_situation="内部办理情况：已派维修班组",
        citizen_contact="已与李秀英电话沟通（13900001111）",
        investigation="内部核查记录",
        opinion="内部处理意见",
        public_note="路灯已修复。",
    )
    r = _track(order.number, "13900001111")
    assert r.status_code == 200
    body = r.json()
    assert body["number"] == order.number and body["state_label"] == "已答复待认定"
    assert body["reply"] == "路灯已修复。" and body["handling_unit"] == "海勃湾区住房和城乡建设局"
    assert [s["label"] for s in body["steps"]][:2] == ["诉求已提交", "热线已受理"]
    assert body["expected_at"] is None  # the feedback deadline was met by the reply
    text = json.dumps(body, ensure_ascii=False)
    for secret in (
        "李秀英",
        "13900001111",
        citizen_appeal["address"],
        "内部",
        "张",  # the agent's family name
        "刘",  # the clerk's
        "t_agent",
    ):
        assert secret not in text, secret
    assert set(body) == set(services.public_status(order))


def test_a_wrong_phone_looks_like_an_unknown_number(portal_app, citizen_appeal):
    order, _ = services.submit_appeal(portal_app, citizen_appeal)
    wrong = _track(order.number, "13900002222")
    unknown = _track("20990101000001", "13900001111")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


@override_settings(HOTLINE_CHANNEL_TRACK_PER_MINUTE=3)
def test_tracking_is_limited_per_address(portal_app, citizen_appeal):
    order, _ = services.submit_appeal(portal_app, citizen_appeal)
    with time_machine.travel(datetime(2026, 11, 2, 2, 0, 50, tzinfo=UTC), tick=False):
        assert [_track("x", "1").status_code for _ in range(3)] == [404, 404, 404]
        r = _track(order.number, "13900001111")
        assert r.status_code == 429 and r["Retry-After"] == "10"
        assert _track(order.number, "13900001111", ip="10.0.0.2").status_code == 200
    with time_machine.travel(datetime(2026, 11, 2, 2, 1, 5, tzinfo=UTC), tick=False):
        assert _track(order.number, "13900001111").status_code == 200
    # an address that never comes back does not leave its counter behind for long
    assert RateCounter.objects.filter(bucket="track:10.0.0.2").exists()
    with time_machine.travel(datetime(2026, 11, 2, 3, 30, tzinfo=UTC), tick=False):
        assert _track(order.number, "13900001111").status_code == 200
    assert list(RateCounter.objects.values_list("bucket", flat=True)) == ["track:10.0.0.1"]
