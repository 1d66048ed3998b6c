"""Done-when of issue 6: a third-party app using only the GeoReport v2 spec lists services,
reads a definition, posts a request, follows it through the centre's work to closure and
reads the outcome — in JSON and in XML."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

import pytest
import time_machine

from hotline.open311.tests.conftest import PERSONAL
from hotline.orders import actions as act
from hotline.orders.models import WorkOrder
from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_discovery_points_to_this_endpoint_in_both_formats(city_app):
    data = city_app.get_json("discovery")
    (endpoint,) = data["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = city_app.get_xml("discovery")
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert root.findtext("changeset") == data["changeset"]


@pytest.mark.clause("5.4.2")
def test_services_are_the_leaves_of_the_category_tree_grouped_by_domain(city_app):
    services = city_app.get_json("services")
    by_code = {s["service_code"]: s for s in services}
    lamp = by_code["street_light"]
    assert lamp == {
        "service_code": "street_light",
        "service_name": "路灯照明",
        "description": "城乡建设 · 路灯照明",
        "metadata": True,
        "type": "realtime",
        "keywords": lamp["keywords"],
        "group": "城乡建设",
    }
    assert "路灯" in lamp["keywords"].split(",")
    assert "urban_rural" not in by_code  # a domain with sub-categories is a group
    assert services[0]["group"] == "公共安全"  # §5.4.2 a first
    root = city_app.get_xml("services")
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert codes == [s["service_code"] for s in services]
    assert root.find("service/metadata").text == "true"


def test_service_definition_lists_attributes_with_values(city_app):
    definition = city_app.get_json("services/street_light")
    assert definition["service_code"] == "street_light"
    attrs = {a["code"]: a for a in definition["attributes"]}
    assert [a["order"] for a in definition["attributes"]] == list(
        range(1, len(definition["attributes"]) + 1)
    )
    assert attrs["emergency_notice"]["variable"] is False
    urgency = attrs["urgency"]
    assert urgency["datatype"] == "singlevaluelist" and urgency["required"] is False
    assert urgency["values"] == [
        {"key": "normal", "name": "一般"},
        {"key": "urgent", "name": "紧急"},
        {"key": "very_urgent", "name": "非常紧急"},
    ]
    assert [v["key"] for v in attrs["display_mode"]["values"]] == ["public", "confidential"]
    root = city_app.get_xml("services/street_light")
    assert root.tag == "service_definition"
    xml_attr = [a for a in root.findall("attributes/attribute") if a.findtext("code") == "urgency"]
    assert [v.findtext("key") for v in xml_attr[0].findall("values/value")] == [
        "normal",
        "urgent",
        "very_urgent",
    ]


@pytest.mark.clause("5.1")
def test_post_follow_to_closure_and_read_the_outcome(
    city_app, leaking_roof, agent, reviewer, clerk, callback_agent, org
):
    """Posted with lat/long and attributes; the centre accepts, dispatches to 海勃湾区住建局,
    the unit replies, the centre accepts the reply, calls back and closes."""
    with time_machine.travel(sh(2026, 11, 2, 9, 0), tick=False) as clock:
        row = city_app.post_ok(
            **leaking_roof,
            **{"attribute[display_mode]": "confidential", "attribute[urgency]": "urgent"},
        )
        number = row["service_request_id"]
        assert set(row) == {"service_request_id", "token", "service_notice", "account_id"}
        assert row["account_id"] is None
        assert "待受理" in row["service_notice"]

        # the token resolves to the same request
        (tok,) = city_app.get_json(f"tokens/{row['token']}")
        assert tok == {"service_request_id": number, "token": row["token"]}

        # a confidential draft: the public never sees it, the app that sent it does
        assert city_app.get(f"requests/{number}").status_code == 404
        (req,) = city_app.get_json(f"requests/{number}", key="default")
        assert list(req) == REQUEST_FIELDS
        assert req["status"] == "open"
        assert req["service_code"] == "housing_maintenance"
        assert req["service_name"] == "房屋维修"
        assert req["lat"] == pytest.approx(39.6553) and req["long"] == pytest.approx(106.7941)
        assert req["requested_datetime"] == "2026-11-02T09:00:00+08:00"
        assert req["agency_responsible"] is None and req["status_notes"] is None

        order = WorkOrder.objects.get(number=number)
        assert order.channel == "app" and order.state == "draft"
        assert order.display_mode == "confidential"
        assert order.citizen_name == "李秀英" and order.citizen_phone == "13900001111"
        assert order.title == "康乐小区3号楼顶楼防水层老化，一下雨就往屋里漏水"
        assert order.channel_submission.extra["open311"] == {
            "email": "lixiuying@example.com",
            "urgency": "urgent",
        }

        # 受理员 completes the address and accepts; 审核员 dispatches to 住建局
        clock.move_to(sh(2026, 11, 2, 9, 30))
        act.do_accept(order, agent, {"address": "海勃湾区新华街道康乐社区康乐小区3号楼"})
        act.do_submit(order, agent)
        clock.move_to(sh(2026, 11, 2, 10, 0))
        act.do_dispatch(order, reviewer, lead_unit=org.zjj)
        (req,) = city_app.get_json(f"requests/{number}", key="default")
        assert req["status"] == "open"
        assert req["agency_responsible"] == "海勃湾区住房和城乡建设局"
        assert req["expected_datetime"] == "2026-11-09T10:00:00+08:00"  # §6.4.2: 5 working days
        assert req["address"] == "海勃湾区新华街道康乐社区康乐小区3号楼"

        # 住建局 signs, replies; the centre accepts the reply, calls back and closes
        clock.move_to(sh(2026, 11, 3, 9, 0))
        act.do_sign(order, clerk)
        clock.move_to(sh(2026, 11, 5, 15, 0))
        act.do_reply(
            order,
            clerk,
            handling_situation="已组织施工队对3号楼屋面重做防水。",
            citizen_contact="已电话联系李秀英（13900001111）说明维修安排。",
            investigation="现场查看屋面防水层老化开裂，属维修基金使用范围。",
            opinion="11月10日前完成维修。",
            public_note="已对3号楼屋面重做防水，11月10日前完工。",
        )
        act.do_accept_reply(order, reviewer)
        clock.move_to(sh(2026, 11, 11, 10, 0))
        act.do_record_callback(
            order, callback_agent, method="phone", satisfaction="satisfied", resolution="resolved"
        )
        act.do_close(order, callback_agent)

        (req,) = city_app.get_json(f"requests/{number}", key="default")
        assert req["status"] == "closed"
        assert req["status_notes"] == "已对3号楼屋面重做防水，11月10日前完工。"
        assert req["agency_responsible"] == "海勃湾区住房和城乡建设局"
        assert req["expected_datetime"] is None
        assert req["updated_datetime"] == "2026-11-11T10:00:00+08:00"

        root = city_app.get_xml(f"requests/{number}", key="default")
        assert root.tag == "service_requests"
        (el,) = root.findall("request")
        assert [child.tag for child in el] == REQUEST_FIELDS
        assert el.findtext("service_request_id") == number
        assert el.findtext("status") == "closed"
        assert el.findtext("status_notes") == "已对3号楼屋面重做防水，11月10日前完工。"
        assert el.findtext("agency_responsible") == "海勃湾区住房和城乡建设局"
        assert el.findtext("zipcode") == ""

        # the closed request is in the list, filtered by status and service
        listed = city_app.get_json(
            "requests", key="default", status="closed", service_code="housing_maintenance"
        )
        assert [r["service_request_id"] for r in listed] == [number]
        for fmt in ("json", "xml"):
            body = city_app.get(f"requests/{number}", fmt, key="default").content.decode()
            for secret in PERSONAL:
                assert secret not in body
        # confidential (§6.1.6): never in the public list, 404 by number
        assert city_app.get_json("requests", status="closed") == []
        assert city_app.get(f"requests/{number}").status_code == 404


def test_post_with_address_string_in_xml(city_app, org):
    r = city_app.post(
        "xml",
        service_code="street_light",
        address_string="海勃湾区新华街道康乐小区南门",
        description="南门外路灯连续三天不亮。",
        phone="13900002222",
        **{"attribute[title]": "南门路灯不亮", "attribute[appeal_type]": "help"},
    )
    assert r.status_code == 200, r.content.decode()
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    order = WorkOrder.objects.get(number=number)
    assert order.address == "海勃湾区新华街道康乐小区南门"
    assert order.title == "南门路灯不亮" and order.appeal_type == "help"
    assert order.latitude is None
    (req,) = city_app.get_json(f"requests/{number}", key="default")
    assert req["address"] == "海勃湾区新华街道康乐小区南门" and req["lat"] is None


def test_post_with_address_id_uses_the_area(city_app, org):
    row = city_app.post_ok(
        service_code="street_light",
        address_id="t-kangle",
        description="社区广场路灯不亮。",
        phone="13900003333",
        media_url="https://img.example.org/lamp.jpg",
    )
    order = WorkOrder.objects.get(number=row["service_request_id"])
    assert order.area == org.community
    assert order.address == "乌海市海勃湾区新华街道康乐社区"
    (req,) = city_app.get_json(f"requests/{order.number}", key="default")
    assert req["address_id"] == "t-kangle"
    assert req["media_url"] == "https://img.example.org/lamp.jpg"


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_a_photo_posted_as_multipart_media_is_attached(city_app, leaking_roof):
    """The "media handling" extension: the app posts the photo itself."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("roof.jpg", PNG, content_type="image/jpeg")
    row = city_app.post_ok(**leaking_roof, media=photo)
    order = WorkOrder.objects.get(number=row["service_request_id"])
    (attachment,) = order.attachments.all()
    assert attachment.kind == "image" and attachment.content_type == "image/png"

    program = SimpleUploadedFile("roof.jpg", b"MZ\x90\x00" + bytes(200), content_type="image/jpeg")
    r = city_app.post(**{**leaking_roof, "description": "再报一次"}, media=program)
    assert r.status_code == 400, r.content.decode()
    assert r.json()[0]["description"].startswith("参数 media[0]：")
    assert WorkOrder.objects.count() == 1
