"""The one-time survey page on a phone (390×844, §6.8.2): the citizen opens the SMS link,
taps 已解决 and the large 满意 button — the order closes by itself (§6.7.2); the link is
then spent.  A second citizen's 不满意 puts the order before a callback agent (§6.8)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hotline.callbacks.models import Survey
from hotline.orders import actions as act
from hotline.web.tests.conftest import REPLY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _smart(settings):
    settings.HOTLINE_CALLBACK = {
        **settings.HOTLINE_CALLBACK,
        "smart_callback": True,
        "public_url": "http://12345.cn",
    }


def _pending_callback(agent, reviewer, clerk, org, appeal, **values):
    order = act.do_create_order(agent, {**appeal, **values})
    act.do_submit(order, agent)
    act.do_dispatch(order, reviewer, lead_unit=org.zjj)
    act.do_sign(order, clerk)
    act.do_reply(order, clerk, **REPLY)
    return act.do_accept_reply(order, reviewer)


def test_a_citizen_answers_the_survey_on_a_phone(person, agent, reviewer, clerk, org, appeal):
    order = _pending_callback(agent, reviewer, clerk, org, appeal)
    survey = Survey.objects.get(order=order)
    citizen = person(None, "30-survey-phone")
    pg = citizen.page
    pg.set_viewport_size(PHONE_VIEWPORT)
    citizen.open(f"/portal/s/{survey.token}/")
    expect(pg.get_by_role("heading", name="请评价诉求办理情况")).to_be_visible()
    expect(pg.get_by_text(REPLY["public_note"])).to_be_visible()

    # the page fits the phone: no sideways scrolling, large buttons a thumb can hit
    assert pg.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    for name in ("满意", "基本满意", "不满意"):
        box = pg.get_by_role("button", name=name, exact=True).bounding_box()
        assert box is not None and box["height"] >= 48 and box["width"] >= 300, (name, box)
    citizen.shot("survey")

    # 满意 without saying whether it is solved: the page asks for it, nothing is saved
    pg.get_by_role("button", name="满意", exact=True).click()
    expect(pg.locator("[data-error-summary]")).to_contain_text("请选择问题是否已解决")
    citizen.shot("survey-error")

    pg.get_by_text("已解决", exact=True).click()
    pg.fill("#id_comment", "维修很及时")
    pg.get_by_role("button", name="满意", exact=True).click()
    expect(pg.get_by_test_id("survey-done")).to_contain_text(order.number)
    citizen.shot("survey-done")
    order.refresh_from_db()
    assert order.state == "closed"
    assert order.callbacks.get().note.endswith("维修很及时")

    # reloading shows the thanks again and cannot answer twice
    citizen.open(f"/portal/s/{survey.token}/")
    expect(pg.get_by_role("button", name="满意", exact=True)).to_have_count(0)


def test_an_unsatisfied_citizen_puts_the_order_before_a_callback_agent(
    person, agent, reviewer, clerk, callback_agent, org, appeal
):
    order = _pending_callback(agent, reviewer, clerk, org, appeal, citizen_phone="13911112222")
    survey = Survey.objects.get(order=order)
    citizen = person(None, "31-survey-unsatisfied")
    pg = citizen.page
    pg.set_viewport_size(PHONE_VIEWPORT)
    citizen.open(f"/portal/s/{survey.token}/")
    pg.get_by_text("未解决", exact=True).click()
    pg.get_by_role("button", name="不满意", exact=True).click()
    expect(pg.get_by_test_id("survey-done")).to_contain_text("回访员会尽快与您联系")

    desk = person(callback_agent, "32-callback-desk")
    desk.open("/callbacks/?tab=negative")
    expect(desk.page.locator(f'tr[data-number="{order.number}"]')).to_be_visible()
    desk.page.locator(f'tr[data-number="{order.number}"] a').first.click()
    expect(desk.page.get_by_test_id("surveys")).to_contain_text("服务对象不满意")
    desk.shot("order-with-survey")
