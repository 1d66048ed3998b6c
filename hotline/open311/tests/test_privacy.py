"""Personal data — the citizen's name, phone, address, e-mail, ID number — never appears in
any Open311 response, even where the citizen or a unit wrote it into free text, however it
was typed; a confidential order is not published at all (§6.1.6, PIPL)."""

from __future__ import annotations

from datetime import datetime

import time_machine

from hotline.open311.present import scrub
from hotline.orders import actions as act
from hotline.orders.models import WorkOrder
from hotline.rules.calendar import SHANGHAI

ID_NUMBER = "150302198507150021"
SECRETS = [
    "王建军",
    "13812345678",
    "１３８１２３４５６７８",
    "一三八一二三四五六七八",
    "jianjun@example.com",
    ID_NUMBER,
    "150302 19850715 0021",
    "海勃湾区人民路88号",
    "康乐小区5号楼3单元",
    "6222021234567890123",
]


def test_nothing_personal_in_any_response(city_app, agent, reviewer, clerk, appeal, org):
    """A public phone appeal whose content names the citizen, repeats the phone (also in
    full-width digits and Chinese numerals) and the ID number (also spaced); the unit's
    public reply mentions the phone again.  A confidential order of the same citizen is
    not published at all."""
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        order = act.do_create_order(
            agent,
            {
                **appeal,
                "citizen_address": "海勃湾区人民路88号",
                "content": (
                    "我是王建军，住海勃湾区人民路88号，身份证150302198507150021，"
                    "电话13812345678，邮箱jianjun@example.com。康乐小区3号楼顶楼漏水。"
                    "也可拨１３８１２３４５６７８或一三八一二三四五六七八，"
                    "身份证150302 19850715 0021，我母亲家住康乐小区5号楼3单元，"
                    "卡号6222021234567890123。"
                ),
            },
        )
        hidden = act.do_create_order(
            agent, {**appeal, "display_mode": "confidential", "title": "王建军反映漏水"}
        )
        act.do_submit(order, agent)
        act.do_dispatch(order, reviewer, lead_unit=org.zjj)
        act.do_sign(order, clerk)
        act.do_reply(
            order,
            clerk,
            handling_situation="已维修。",
            citizen_contact="已电话联系。",
            investigation="屋面老化。",
            opinion="已修复。",
            public_note="已与王建军先生（138-1234-5678）约定上门维修，屋面已修复。",
        )
        posted = city_app.post(
            "xml",
            service_code="street_light",
            address_string="康乐小区南门",
            description="路灯不亮，请联系王建军 13812345678",
            first_name="建军",
            last_name="王",
            phone="13812345678",
            email="jianjun@example.com",
            account_id=ID_NUMBER,
        )
        assert posted.status_code == 200
        bodies = [posted.content.decode()]
        for fmt in ("json", "xml"):
            bodies.append(city_app.get(f"requests/{order.number}", fmt).content.decode())
            assert city_app.get(f"requests/{hidden.number}", fmt).status_code == 404
            bodies.append(city_app.get("requests", fmt).content.decode())
            bodies.append(
                city_app.get(
                    "requests",
                    fmt,
                    service_request_id=",".join(WorkOrder.objects.values_list("number", flat=True)),
                ).content.decode()
            )
    for body in bodies:
        assert hidden.number not in body
        for secret in SECRETS:
            assert secret not in body, (secret, body)
    (req,) = city_app.get_json(f"requests/{order.number}")
    assert "王**" in req["description"] and "[证件号已隐去]" in req["description"]
    assert "[电话已隐去]" in req["description"] and "[邮箱已隐去]" in req["description"]
    assert "住[地址已隐去]" in req["description"]
    assert "家住[地址已隐去]" in req["description"]
    assert "[银行卡号已隐去]" in req["description"]
    assert req["status_notes"] == "已与王**先生（[电话已隐去]）约定上门维修，屋面已修复。"


def test_scrub_keeps_ordinary_numbers():
    order = WorkOrder(citizen_name="李秀英", citizen_phone="0473-1234567")
    text = "3号楼2单元，共15户，李秀英家电话0473-1234567，门牌12号"
    assert scrub(text, order) == "3号楼2单元，共15户，李**家电话[电话已隐去]，门牌12号"
