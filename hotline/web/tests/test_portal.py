"""The citizen portal (§5.1 门户网站): submit without an account, follow the order with its
number and phone — never anyone else's data, never internal notes."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from hotline.orders import actions as act
from hotline.orders.models import WorkOrder
from hotline.web.tests.conftest import REPLY, png

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

APPEAL = {
    "title": "小区门口井盖缺失",
    "content": "新华街道康乐小区南门外人行道井盖缺失，晚上很危险。",
    "address": "海勃湾区新华街道康乐小区南门",
    "appeal_type": "help",
    "citizen_name": "李娜",
    "citizen_phone": "13987654321",
    "display_mode": "confidential",
    "consent": "on",
}


@pytest.mark.clause("5.1", "6.1.2")
def test_citizen_submits_an_appeal_with_a_photo_and_gets_its_number(db):
    """§5.1, §6.1.2: a portal submission becomes a draft (待受理) with channel portal."""
    r = Client().post("/portal/", {**APPEAL, "attachments": [png()]}, follow=True)
    assert r.status_code == 200 and r.redirect_chain[0][1] == 302  # POST/redirect/GET
    order = WorkOrder.objects.get()
    assert order.state == "draft" and order.channel == "portal"
    assert order.display_mode == "confidential" and order.created_by is None
    assert order.attachments.get().kind == "image"
    assert order.number in r.content.decode() and "诉求已提交" in r.content.decode()


def test_portal_form_errors_are_in_chinese_and_nothing_is_saved(db):
    r = Client().post("/portal/", {**APPEAL, "title": "", "citizen_phone": ""})
    assert r.status_code == 422
    page = r.content.decode()
    assert "这个字段是必填项" in page
    r = Client().post("/portal/", {**APPEAL, "citizen_phone": "电话"})
    assert r.status_code == 422 and "联系电话格式不正确" in r.content.decode()
    assert not WorkOrder.objects.exists()


def test_the_portal_tells_what_is_collected_and_asks_for_consent_before_submitting(db, settings):
    """PIPL Art. 14, 17: what is collected, why, for how long, whom to contact; no
    submission without consent."""
    settings.HOTLINE_RETENTION_YEARS = 7
    settings.HOTLINE_PRIVACY_CONTACT = "拨打 12345 转 9 号键"
    page = Client().get("/portal/").content.decode()
    for words in (
        "个人信息保护说明",
        "收集什么",
        "为什么收集",
        "保存 7 年",
        "拨打 12345 转 9 号键",
    ):
        assert words in page
    r = Client().post("/portal/", {k: v for k, v in APPEAL.items() if k != "consent"})
    assert r.status_code == 422
    assert "请阅读个人信息保护说明，勾选同意后再提交" in r.content.decode()
    assert not WorkOrder.objects.exists()
    assert Client().post("/portal/", APPEAL).status_code == 302  # to the receipt
    assert "已同意个人信息保护说明" in WorkOrder.objects.get().events.get().note


def test_a_refused_attachment_undoes_the_submission(db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 60)
    r = Client().post("/portal/", {**APPEAL, "attachments": [bad]})
    assert r.status_code == 422 and "不支持的文件类型" in r.content.decode()
    assert not WorkOrder.objects.exists()


def test_tracking_shows_progress_and_the_public_reply_only(db, flow, agent, reviewer, clerk):
    """The citizen sees steps, the unit's name and ``Reply.public_note``; not the internal
    reply parts, notes, staff names or the citizen data of the order."""
    order = flow.handling(citizen_phone="13987654321", citizen_name="李娜")
    act.do_comment(order, reviewer, note="内部备注：该市民多次来电")
    act.do_reply(order, clerk, **REPLY)
    r = Client().post("/portal/track/", {"number": order.number, "phone": "13987654321"})
    assert r.status_code == 200
    page = r.content.decode()
    assert REPLY["public_note"] in page
    assert "海勃湾区住房和城乡建设局" in page and "已派转承办单位办理" in page
    for secret in (
        REPLY["investigation"],
        "内部备注",
        "王强",
        "张敏",
        "刘洋",
        "李娜",
        "13987654321",
    ):
        assert secret not in page.replace('value="13987654321"', ""), secret


def test_reply_sent_back_for_reverification_is_not_shown_to_the_citizen(db, flow, reviewer):
    order = flow.replied(citizen_phone="13987654321")
    act.do_reverify(order, reviewer, reason="与市民反映不符")
    page = (
        Client()
        .post("/portal/track/", {"number": order.number, "phone": "13987654321"})
        .content.decode()
    )
    assert REPLY["public_note"] not in page


def test_wrong_phone_and_unknown_number_look_the_same(db, flow):
    order = flow.pending_review()
    wrong = Client().post("/portal/track/", {"number": order.number, "phone": "13000000000"})
    unknown = Client().post("/portal/track/", {"number": "20990101000001", "phone": "13812345678"})
    assert wrong.status_code == unknown.status_code == 404
    msg = "未找到与该编号和手机号码匹配的诉求"
    assert msg in wrong.content.decode() and msg in unknown.content.decode()
    assert order.title not in wrong.content.decode()


def test_both_number_and_phone_are_required(db, flow):
    order = flow.pending_review()
    r = Client().post("/portal/track/", {"number": order.number, "phone": ""})
    assert r.status_code == 422 and order.title not in r.content.decode()


@override_settings(
    HOTLINE_WEB={
        "page_size": 30,
        "portal_track_failures": 3,
        "portal_submissions": 2,
        "portal_window_minutes": 60,
    }
)
def test_guessing_numbers_is_stopped_after_repeated_failures(db, flow):
    """Anti-enumeration: after N failed lookups from one address, even a right pair waits."""
    order = flow.pending_review()
    c = Client()
    for i in range(3):
        assert (
            c.post(
                "/portal/track/", {"number": f"2026010100000{i}", "phone": "13800000000"}
            ).status_code
            == 404
        )
    r = c.post("/portal/track/", {"number": order.number, "phone": "13812345678"})
    assert r.status_code == 429 and "操作过于频繁" in r.content.decode()
    assert order.title not in r.content.decode()


@override_settings(
    HOTLINE_WEB={
        "page_size": 30,
        "portal_track_failures": 3,
        "portal_submissions": 2,
        "portal_window_minutes": 60,
    }
)
def test_submissions_from_one_address_are_limited(db):
    c = Client()
    # (different appeals: the same one sent again is a repeat, answered with its receipt)
    assert c.post("/portal/", {**APPEAL, "title": "第一条"}).status_code == 302
    assert c.post("/portal/", {**APPEAL, "title": "第二条"}).status_code == 302
    r = c.post("/portal/", {**APPEAL, "title": "第三条"})
    assert r.status_code == 429
    assert WorkOrder.objects.count() == 2


def test_portal_needs_no_login_but_keeps_csrf(db):
    assert Client().get("/portal/").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/portal/", APPEAL).status_code == 403
    assert not WorkOrder.objects.exists()
