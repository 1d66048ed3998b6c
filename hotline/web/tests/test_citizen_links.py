"""The citizen's SMS links and the callback desk (§6.8.2): the one-time survey page, the
tracking link with its opt-out, the rating on the tracking page, the callback queue's tabs,
the unmatched replies, the survey history on the order page."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.callbacks import actions as cba
from hotline.callbacks.models import InboundSms, SmsOptOut, Survey
from hotline.orders.models import Callback

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.HOTLINE_CALLBACK = {
        **settings.HOTLINE_CALLBACK,
        "public_url": "http://12345.cn",
        "smart_callback": True,
        "notify_citizens": True,
    }


@pytest.fixture
def waiting(flow):
    order = flow.pending_callback()
    return order, Survey.objects.get(order=order)


def test_the_survey_page_takes_one_answer_and_then_thanks(waiting):
    order, survey = waiting
    c = Client()
    page = c.get(f"/portal/s/{survey.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("满意", "基本满意", "不满意", "已解决", "未解决"):
        assert label in html
    assert order.number in html and PHONE not in html and order.citizen_name not in html
    # a button without the resolution: the field is named, nothing saved
    r = c.post(f"/portal/s/{survey.token}/", {"satisfaction": "satisfied"})
    assert r.status_code == 422 and "请选择问题是否已解决" in r.content.decode()
    assert not Callback.objects.filter(order=order).exists()
    r = c.post(
        f"/portal/s/{survey.token}/",
        {"satisfaction": "satisfied", "resolution": "resolved", "comment": "师傅很负责"},
    )
    assert r.status_code == 302 and r["Location"] == f"/portal/s/{survey.token}/"
    order.refresh_from_db()
    assert order.state == "closed"
    assert "师傅很负责" in Callback.objects.get(order=order).note
    done = c.get(f"/portal/s/{survey.token}/")
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    # posting again changes nothing
    r = c.post(
        f"/portal/s/{survey.token}/", {"satisfaction": "unsatisfied", "resolution": "unresolved"}
    )
    assert Callback.objects.filter(order=order).count() == 1


def test_an_expired_survey_link_says_so_and_unknown_links_are_rate_limited(
    waiting, time_machine, settings
):
    order, survey = waiting
    time_machine.move_to(survey.due_at, tick=False)
    r = Client().get(f"/portal/s/{survey.token}/")
    assert r.status_code == 410 and "12345" in r.content.decode()
    limit = settings.HOTLINE_WEB["portal_track_failures"]
    c = Client()
    statuses = [c.get(f"/portal/s/guess{i:04d}/").status_code for i in range(limit + 1)]
    assert statuses[:limit] == [404] * limit and statuses[-1] == 429


def test_the_tracking_link_shows_progress_and_lets_the_citizen_rate_and_opt_out(flow):
    order = flow.pending_callback()
    link = order.tracking_link
    c = Client()
    r = c.get(f"/portal/t/{link.token}/")
    html = r.content.decode()
    assert r.status_code == 200 and order.number in html and "已派转承办单位办理" in html
    # no personal data and not even the appeal's words on a link that may be forwarded
    assert PHONE not in html and order.citizen_name not in html and order.content not in html
    assert "您的问题解决了吗" in html
    token = html.split('name="rate-token" value="')[1].split('"')[0]
    r = c.post(
        "/portal/rate/",
        {
            "rate-token": token,
            "rate-resolution": "unresolved",
            "rate-comment": "还在漏",
            "back": f"/portal/t/{link.token}/",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/portal/t/{link.token}/"
    order.refresh_from_db()
    assert order.state == "pending_callback"
    assert Callback.objects.get(order=order).resolution == "unresolved"
    after = c.get(f"/portal/t/{link.token}/").content.decode()
    assert "感谢您的评价" in after and "您的问题解决了吗" not in after
    # opt out of SMS
    r = c.post(f"/portal/t/{link.token}/", {"action": "opt_out"})
    assert r.status_code == 302
    assert SmsOptOut.objects.filter(phone=PHONE, via="portal").exists()
    assert 'data-testid="opted-out"' in c.get(f"/portal/t/{link.token}/").content.decode()


def test_a_forged_or_stale_rating_token_is_refused(flow):
    order = flow.pending_callback()
    r = Client().post("/portal/rate/", {"rate-token": "forged", "rate-resolution": "resolved"})
    assert r.status_code == 410
    order.refresh_from_db()
    assert order.state == "pending_callback"


def test_the_tracking_page_offers_the_rating_while_the_order_waits_for_its_callback(flow):
    order = flow.pending_callback()
    c = Client()
    r = c.post("/portal/track/", {"number": order.number, "phone": PHONE})
    html = r.content.decode()
    assert "您的问题解决了吗" in html
    token = html.split('name="rate-token" value="')[1].split('"')[0]
    r = c.post("/portal/rate/", {"rate-token": token, "rate-resolution": "resolved"})
    assert r.status_code == 302 and r["Location"] == "/portal/rated/"
    assert "感谢您的评价" in c.get("/portal/rated/").content.decode()
    order.refresh_from_db()
    assert order.state == "closed"
    # a handled order offers no rating
    html = c.post("/portal/track/", {"number": order.number, "phone": PHONE}).content.decode()
    assert "您的问题解决了吗" not in html


def test_the_callback_queue_splits_smart_and_manual_and_the_desk_reads_unmatched_replies(
    flow, web, callback_agent
):
    smart = flow.pending_callback()
    manual = flow.pending_callback(appeal_type="complaint", title="投诉物业")
    cba.receive_sms("fakesms", "m-1", "13700000000", text="你好")
    c = web(callback_agent)
    tabs = {t: c.get(f"/callbacks/?tab={t}").content.decode() for t in ("manual", "smart")}
    assert f'data-number="{manual.number}"' in tabs["manual"]
    assert f'data-number="{smart.number}"' not in tabs["manual"]
    assert f'data-number="{smart.number}"' in tabs["smart"]
    home = c.get("/callbacks/").content.decode()
    assert "短信回复待处理" in home and 'data-count="link-1">1<' in home
    desk = c.get("/callbacks/replies/").content.decode()
    assert "13700000000" in desk and "你好" in desk
    reply = InboundSms.objects.get(message_id="m-1")
    r = c.post("/callbacks/replies/", {"reply": reply.pk, "note": "打错了"})
    assert r.status_code == 302
    reply.refresh_from_db()
    assert reply.handled_by == callback_agent and reply.handled_note == "打错了"
    assert "13700000000" not in c.get("/callbacks/replies/").content.decode()
    assert "13700000000" in c.get("/callbacks/replies/?handled=1").content.decode()
    assert c.post("/callbacks/replies/", {"reply": "x"}).status_code == 404


def test_the_order_page_shows_the_survey_history(flow, web, callback_agent):
    order = flow.pending_callback()
    cba.receive_sms("fakesms", "m-1", PHONE, text="1")
    cba.receive_sms("fakesms", "m-2", PHONE, text="B")
    html = web(callback_agent).get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="surveys"' in html
    assert "短信“1”" in html and "短信“B”" in html
    assert "问题未解决" in html  # why it came to a person
    assert "原始回复：B" in html
