"""The issue's "done when": a 受理员 types the caller's question into the intake form, sees
the right entry on the first screen, quotes it and closes the order as directly handled
(§6.7.1); the entry's usage count goes up."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hotline.knowledge.models import Entry, EntryUse
from hotline.knowledge.tests.conftest import LAMP
from hotline.orders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OTHERS = [
    {
        "title": "供暖期室温不达标报修",
        "questions": "暖气不热找谁\n室温不达标能退费吗",
        "answer": "供暖期卧室温度应不低于18℃，暖气不热可向热力公司报修，24小时内上门检测。",
        "category": "heating",
    },
    {
        "title": "物业服务收费投诉渠道",
        "questions": "物业费太贵找谁\n物业乱收费怎么投诉",
        "answer": "物业收费实行政府指导价，有异议可向区住建局或街道反映。",
        "category": "property_management",
    },
]


def test_agent_finds_quotes_and_closes_directly(person, make_entry, agent, org):
    fund = make_entry()
    make_entry(**LAMP)
    for values in OTHERS:
        make_entry(**values)
    make_entry("draft", title="维修资金使用新规（草稿）")

    desk = person(agent, "k1-agent")
    pg = desk.page
    desk.open("/intake/")
    pg.fill("#id_citizen_phone", "13812345678")
    pg.fill("#id_citizen_name", "王建军")
    pg.select_option("#id_appeal_type", "consult")
    pg.select_option("#id_category", "housing_maintenance")
    pg.fill("#id_address", "海勃湾区新华街道康乐小区3号楼")
    pg.locator("#id_title").press_sequentially("楼顶漏水能用维修基金修吗")
    pg.locator("#id_content").press_sequentially("顶楼漏水，想问小区的维修资金怎么申请使用。")

    # suggestions from the appeal's text: the right entry first, drafts never
    first = pg.locator("[data-testid=knowledge-suggestions] li").first
    expect(first).to_have_attribute("data-entry", str(fund.pk))
    expect(pg.get_by_test_id("knowledge-suggestions")).not_to_contain_text("草稿")
    expect(first).to_be_in_viewport()  # the first screen, beside the appeal being typed
    desk.shot("suggested")

    first.get_by_role("button", name="引用答复").click()
    expect(pg.locator("#direct-box")).to_have_attribute("open", "")
    expect(pg.locator("#id_direct-answer")).to_have_value(fund.answer)
    expect(pg.locator("#id_direct-knowledge_entry")).to_have_value(str(fund.pk))
    expect(pg.locator("[data-knowledge-chosen]")).to_contain_text(fund.title)
    desk.shot("quoted")

    pg.locator("button[name=button][value=direct]").click()
    number = pg.get_by_test_id("last-number").inner_text().strip()
    desk.shot("closed")

    order = WorkOrder.objects.get(number=number)
    assert order.state == "closed" and order.direct_answer == fund.answer
    use = EntryUse.objects.get()
    assert use.order == order and use.entry == fund and use.actor == agent
    assert Entry.objects.get(pk=fund.pk).usage_count == 1

    # the entry's page shows the use
    desk.open(f"/knowledge/{fund.pk}/")
    expect(pg.get_by_test_id("usage-count")).to_have_text("1")
    expect(pg.locator("body")).to_contain_text(number)
