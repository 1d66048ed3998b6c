"""The channel API as an outside system uses it: keys, intake, status, errors, limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hotline.channels.models import ChannelClient, RateCounter
from hotline.channels.tests.conftest import EXE, PNG
from hotline.orders import actions
from hotline.orders.models import WorkOrder

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

BASE = "/api/v1/channel"


def _post(key: str | None, body: dict, **headers):
    extra = {"HTTP_X_API_KEY": key} if key else {}
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return Client().post(f"{BASE}/appeals", json.dumps(body), "application/json", **extra)


def test_submit_json_then_read_status(portal_app, citizen_appeal):
    r = _post(portal_app.raw_key, citizen_appeal)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "draft" and body["created"] is True
    status = Client().get(body["status_url"], HTTP_X_API_KEY=portal_app.raw_key)
    assert status.status_code == 200
    assert status.json()["state_label"] == "待受理" and status.json()["channel"] == "portal"
    assert status.json()["steps"][0]["label"] == "诉求已提交"


def test_authorization_apikey_scheme_is_accepted(portal_app, citizen_appeal):
    r = Client().post(
        f"{BASE}/appeals",
        json.dumps(citizen_appeal),
        "application/json",
        HTTP_AUTHORIZATION=f"ApiKey {portal_app.raw_key}",
    )
    assert r.status_code == 201


def test_missing_unknown_and_disabled_keys(portal_app, citizen_appeal):
    r = _post(None, citizen_appeal)
    assert r.status_code == 401 and r.json()["code"] == "invalid_api_key"
    assert "X-Api-Key" in r.json()["message"]
    r = _post("hk_not-a-key", citizen_appeal)
    assert r.status_code == 401 and r.json()["message"] == "API 密钥无效"
    ChannelClient.objects.filter(pk=portal_app.pk).update(enabled=False)
    r = _post(portal_app.raw_key, citizen_appeal)
    assert r.status_code == 403 and r.json()["code"] == "client_disabled"
    assert not WorkOrder.objects.exists()


def test_field_errors_are_in_chinese(portal_app, citizen_appeal):
    r = _post(portal_app.raw_key, {**citizen_appeal, "lat": 100, "display_mode": "secret"})
    assert r.status_code == 422
    fields = r.json()["fields"]
    assert fields["lat"].startswith("不能大于 90") and fields["display_mode"].startswith("只能是")
    r = _post(portal_app.raw_key, {**citizen_appeal, "category": "no-such"})
    assert r.status_code == 422 and r.json()["fields"]["category"] == "诉求分类不存在或已停用"


def test_idempotency_key_header_and_field(portal_app, citizen_appeal):
    first = _post(portal_app.raw_key, citizen_appeal, **{"Idempotency-Key": "abc"})
    again = _post(portal_app.raw_key, citizen_appeal, **{"Idempotency-Key": "abc"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["number"] == first.json()["number"] and again.json()["created"] is False
    other = _post(
        portal_app.raw_key, {**citizen_appeal, "title": "别的事"}, **{"Idempotency-Key": "abc"}
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    by_field = _post(portal_app.raw_key, {**citizen_appeal, "idempotency_key": "abc"})
    assert by_field.status_code == 200 and by_field.json()["number"] == first.json()["number"]
    assert WorkOrder.objects.count() == 1


def test_multipart_with_photos_and_a_disguised_exe(portal_app, citizen_appeal):
    form = {k: v for k, v in citizen_appeal.items() if k != "extra"}
    form["extra"] = json.dumps({"ref": "X"})
    photo = SimpleUploadedFile("现场.jpg", PNG, content_type="image/jpeg")
    r = Client().post(
        f"{BASE}/appeals/multipart",
        {**form, "attachments": [photo]},
        HTTP_X_API_KEY=portal_app.raw_key,
    )
    assert r.status_code == 201, r.content
    assert r.json()["attachments"] == 1
    order = WorkOrder.objects.get(number=r.json()["number"])
    assert order.attachments.get().content_type == "image/png"
    assert order.channel_submission.extra == {"ref": "X"}
    fake = SimpleUploadedFile("photo.jpg", EXE, content_type="image/jpeg")
    r = Client().post(
        f"{BASE}/appeals/multipart",
        {**form, "attachments": [fake]},
        HTTP_X_API_KEY=portal_app.raw_key,
    )
    assert r.status_code == 422 and "不支持的文件类型" in r.json()["fields"]["files[0]"]
    assert WorkOrder.objects.count() == 1


def test_a_client_sees_only_its_own_orders(portal_app, grid_app, citizen_appeal):
    number = _post(portal_app.raw_key, citizen_appeal).json()["number"]
    r = Client().get(f"{BASE}/appeals/{number}", HTTP_X_API_KEY=grid_app.raw_key)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_updates_follow_the_reply(
    portal_app, citizen_appeal, agent, reviewer, clerk, org, now, time_machine
):
    number = _post(portal_app.raw_key, citizen_appeal).json()["number"]
    key = {"HTTP_X_API_KEY": portal_app.raw_key}
    first = Client().get(f"{BASE}/updates", **key).json()
    assert [i["number"] for i in first["items"]] == [number]
    time_machine.move_to(now + timedelta(minutes=30), tick=False)  # the unit works later on
    order = WorkOrder.objects.get(number=number)
    actions.do_accept(order, agent, {"category": "housing_maintenance"})
    actions.do_submit(order, agent)
    actions.do_dispatch(order, reviewer, lead_unit=org.zjj)
    actions.do_sign(order, clerk)
    actions.do_reply(
        order,
        clerk,
        handling_situation="已更换路灯",
        citizen_contact="已电话联系李女士",
        investigation="现场核实灯具损坏",
        opinion="已修复",
        public_note="路灯已于今日修复，感谢您的反映。",
    )
    later = Client().get(f"{BASE}/updates", {"since": first["next_since"]}, **key).json()
    item = later["items"][0]
    assert item["state"] == "replied" and item["reply"] == "路灯已于今日修复，感谢您的反映。"
    assert item["handling_unit"] == "海勃湾区住房和城乡建设局"
    text = json.dumps(later, ensure_ascii=False)
    for secret in ("李秀英", "13900001111", "已电话联系李女士", "现场核实", "刘"):
        assert secret not in text


def test_rate_limit_per_minute_with_retry_after(portal_app, citizen_appeal):
    ChannelClient.objects.filter(pk=portal_app.pk).update(rate_limit_per_minute=2)
    key = {"HTTP_X_API_KEY": portal_app.raw_key}
    with time_machine.travel(datetime(2026, 11, 2, 2, 0, 15, tzinfo=UTC), tick=False):
        assert Client().get(f"{BASE}/updates", **key).status_code == 200
        assert Client().get(f"{BASE}/updates", **key).status_code == 200
        r = Client().get(f"{BASE}/updates", **key)
        assert r.status_code == 429 and r.json()["code"] == "rate_limited"
        assert r["Retry-After"] == "45" and r.json()["retry_after"] == 45
    with time_machine.travel(datetime(2026, 11, 2, 2, 1, 0, tzinfo=UTC), tick=False):
        assert Client().get(f"{BASE}/updates", **key).status_code == 200
    # the old window's row is dropped when the new one opens
    assert RateCounter.objects.filter(bucket=f"client:{portal_app.pk}").count() == 1


def test_form_blanks_mean_absent_and_bad_bodies_are_explained(portal_app):
    key = {"HTTP_X_API_KEY": portal_app.raw_key}
    blank = {"content": "积水", "phone": "13900001111", "lat": "", "lng": "", "category": ""}
    r = Client().post(f"{BASE}/appeals/multipart", blank, **key)
    assert r.status_code == 201, r.content
    r = Client().post(f"{BASE}/appeals/multipart", {**blank, "lat": "北纬"}, **key)
    assert r.status_code == 422 and r.json()["fields"]["lat"] == "须为数字"
    r = Client().post(f"{BASE}/appeals", "{bad", "application/json", **key)
    assert r.status_code == 400 and r.json()["message"].startswith("请求体无法解析")
