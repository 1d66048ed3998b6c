"""A public description and address are redacted once per version, not on every read: the
redacted texts are kept (``open311.models.PublicText``) under a key of everything the
redaction reads, so a changed text or citizen field is redacted again and the retention
purge forgets them."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from hotline.open311.models import PublicText
from hotline.orders import actions as act
from hotline.orders.models import WorkOrder
from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")

FILLER = "楼顶防水层老化，一下雨就往屋里漏水，墙皮脱落，家里老人孩子住着很不安全。"


def long_appeal(appeal, phone: str = "13812345678") -> dict:
    content = f"我叫王建军，联系电话{phone}。" + FILLER * 20
    return {**appeal, "content": content}


def published(agent, reviewer, org, data) -> WorkOrder:
    order = act.do_create_order(agent, data)
    act.do_submit(order, agent)
    act.do_dispatch(order, reviewer, lead_unit=org.zjj)
    return order


def test_a_description_is_redacted_once_and_read_back(city_app, agent, reviewer, org, appeal):
    order = published(agent, reviewer, org, long_appeal(appeal))
    first = city_app.get_json("requests")
    (row,) = [r for r in first if r["service_request_id"] == order.number]
    assert "13812345678" not in row["description"] and "[电话已隐去]" in row["description"]
    memo = PublicText.objects.get(order=order)
    assert (memo.description, memo.address) == (row["description"], row["address"])

    # a tampered memo with the right key is what the next read returns: proof it is read
    PublicText.objects.filter(order=order).update(description="读自缓存", address="缓存地址")
    (again,) = city_app.get_json(f"requests/{order.number}")
    assert (again["description"], again["address"]) == ("读自缓存", "缓存地址")


def test_a_changed_text_or_citizen_field_is_redacted_again(city_app, agent, reviewer, org, appeal):
    order = published(agent, reviewer, org, long_appeal(appeal))
    city_app.get_json(f"requests/{order.number}")
    PublicText.objects.filter(order=order).update(description="旧的公开描述")

    WorkOrder.objects.filter(pk=order.pk).update(content=order.content + "补充：已三天。")
    (row,) = city_app.get_json(f"requests/{order.number}")
    assert row["description"].endswith("补充：已三天。")
    assert PublicText.objects.get(order=order).description == row["description"]

    # so does a changed address
    WorkOrder.objects.filter(pk=order.pk).update(address="康乐小区北门")
    (row,) = city_app.get_json(f"requests/{order.number}")
    assert row["address"] == "康乐小区北门"

    # the citizen's name changes what is hidden: the key changes with it
    PublicText.objects.filter(order=order).update(description="旧的公开描述")
    WorkOrder.objects.filter(pk=order.pk).update(citizen_name="王建")
    (row,) = city_app.get_json(f"requests/{order.number}")
    assert row["description"] != "旧的公开描述" and "王建军" not in row["description"]


def test_the_submitters_own_view_is_not_kept(city_app, agent, appeal, leaking_roof):
    mine = city_app.post_ok(**{**leaking_roof, "description": long_appeal(appeal)["content"]})
    (row,) = city_app.get_json(f"requests/{mine['service_request_id']}", key="default")
    assert "13812345678" in row["description"]  # the submitter reads what it sent
    assert not PublicText.objects.exists()


def test_the_retention_purge_forgets_the_kept_description(
    city_app, agent, reviewer, clerk, callback_agent, org, appeal
):
    with time_machine.travel(datetime(2020, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False) as clock:
        order = published(agent, reviewer, org, long_appeal(appeal))
        city_app.get_json(f"requests/{order.number}")
        assert PublicText.objects.filter(order=order).exists()
        act.do_sign(order, clerk)
        act.do_reply(
            order,
            clerk,
            handling_situation="已修复。",
            citizen_contact="已联系。",
            investigation="屋面老化。",
            opinion="已完成。",
            public_note="屋面已修复。",
        )
        act.do_accept_reply(order, reviewer)
        clock.move_to(datetime(2020, 3, 20, 10, 0, tzinfo=SHANGHAI))
        act.do_record_callback(
            order, callback_agent, method="phone", satisfaction="satisfied", resolution="resolved"
        )
        act.do_close(order, callback_agent)
    with time_machine.travel(datetime(2026, 3, 1, 3, 30, tzinfo=SHANGHAI), tick=False):
        run = act.do_purge_personal_data(years=5)
    assert run.orders == 1
    assert not PublicText.objects.filter(order=order).exists()
