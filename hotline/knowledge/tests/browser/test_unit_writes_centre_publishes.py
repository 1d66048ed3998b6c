"""A unit clerk writes an entry (a field error first), submits it; the centre publishes it
from the moderation queue; an agent finds it on the 知识库 page as they type."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hotline.knowledge.models import Entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_unit_writes_centre_publishes_agent_finds(person, clerk, supervisor, agent, org):
    desk = person(clerk, "k2-clerk")
    pg = desk.page
    desk.open("/knowledge/new/")
    pg.fill("#id_title", "住宅专项维修资金使用流程")
    pg.fill("#id_questions", "楼顶漏水能用维修基金吗\n维修资金怎么申请使用")
    pg.select_option("#id_category", "housing_maintenance")
    pg.fill("#id_review_on", "2026-12-31")
    pg.get_by_role("button", name="保存").click()  # the answer is missing
    summary = pg.locator("[data-error-summary]")
    expect(summary).to_contain_text("答复口径为必填项")
    expect(pg.locator("#id_title")).to_have_value("住宅专项维修资金使用流程")
    desk.shot("form-error")
    pg.fill("#id_answer", "共用部位保修期满后维修，经业主双三分之二表决同意，向区住建局申请拨付。")
    pg.get_by_role("button", name="保存").click()
    expect(pg.locator("h1")).to_contain_text("住宅专项维修资金使用流程")
    pg.locator("[data-act=submit]").click()
    expect(pg.locator("[data-code=pending]").first).to_be_visible()
    desk.shot("submitted")

    centre = person(supervisor, "k2-supervisor")
    centre.open("/knowledge/review/")
    row = centre.page.get_by_test_id("moderation").locator("tr", has_text="维修资金")
    centre.shot("moderation")
    row.get_by_role("button", name="审核发布").click()
    expect(centre.page.get_by_test_id("moderation")).to_contain_text("没有待审核的条目")
    assert Entry.objects.get().state == "published"

    reader = person(agent, "k2-agent")
    reader.open("/knowledge/")
    reader.page.locator("#knowledge-search").press_sequentially("维修基金")
    results = reader.page.get_by_test_id("knowledge-results")
    expect(results).to_contain_text("使用流程")
    expect(results.locator("mark").first).to_be_visible()
    reader.shot("search")
