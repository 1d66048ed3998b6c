"""At the intake form: entries suggested from the caller's words, the one the agent quoted
linked to the directly handled order (§6.7.1), its usage counted."""

from __future__ import annotations

import pytest

from hotline.common import hooks
from hotline.knowledge import actions
from hotline.knowledge.models import Entry, EntryUse
from hotline.orders.models import WorkOrder

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def consult(appeal: dict, **extra) -> dict:
    return {**appeal, "appeal_type": "consult", "button": "direct", **extra}


def test_the_knowledge_base_is_plugged_into_the_intake_form(agent, web):
    assert hooks.KNOWLEDGE_SEARCH_URL == "knowledge:suggest"
    page = web(agent).get("/intake/").content.decode()
    assert 'id="knowledge-results"' in page and "/knowledge/suggest/" in page


def test_entries_are_suggested_from_the_appeal_text(make_entry, agent, web):
    fund = make_entry()
    r = web(agent).get(
        "/knowledge/suggest/",
        {"title": "老旧小区楼顶漏水", "content": "想问维修资金能不能用来修楼顶", "knowledge_q": ""},
    )
    page = r.content.decode()
    assert f'data-knowledge-use="{fund.pk}"' in page and "根据诉求内容推荐" in page
    assert f'data-answer="{fund.answer}"' in page


@pytest.mark.clause("6.7.1")
def test_direct_close_links_the_entry_and_counts_its_use(make_entry, agent, appeal, web):
    fund = make_entry()
    r = web(agent).post(
        "/intake/",
        consult(appeal, **{"direct-answer": fund.answer, "direct-knowledge_entry": str(fund.pk)}),
    )
    assert r.status_code == 302, r.content.decode()
    order = WorkOrder.objects.get()
    assert order.state == "closed"
    use = EntryUse.objects.get()
    assert (use.entry, use.order, use.actor) == (fund, order, agent)
    fund.refresh_from_db()
    assert fund.usage_count == 1
    # the same entry again for the same order counts once
    actions.do_record_use(fund, order, agent)
    fund.refresh_from_db()
    assert fund.usage_count == 1


@pytest.mark.parametrize("state", ["draft", "expired"])
def test_quoting_an_entry_not_in_force_closes_nothing(make_entry, agent, appeal, web, state):
    entry = make_entry(state)
    r = web(agent).post(
        "/intake/",
        consult(appeal, **{"direct-answer": entry.answer, "direct-knowledge_entry": str(entry.pk)}),
    )
    assert r.status_code == 422
    assert "所引用的知识条目不存在或已失效" in r.content.decode()
    assert not WorkOrder.objects.exists() and not EntryUse.objects.exists()
    assert Entry.objects.get().usage_count == 0


def test_direct_close_without_an_entry_still_works(agent, appeal, web):
    r = web(agent).post("/intake/", consult(appeal, **{"direct-answer": "已告知办理渠道。"}))
    assert r.status_code == 302
    assert WorkOrder.objects.get().state == "closed" and not EntryUse.objects.exists()


def test_no_suggestion_on_a_single_word_or_a_word_every_appeal_uses(make_entry, agent, web):
    """Issue 16: entries were suggested on 找, 不, 路 or 老人 alone."""
    lamp = make_entry(
        title="路灯不亮报修渠道",
        questions="路灯坏了找谁\n老人晚上出门看不见路",
        keywords="路灯",
        answer="路灯故障由区市政养护中心负责，接报后24小时内修复。",
        category="street_light",
    )
    c = web(agent)
    noise = c.get(
        "/knowledge/suggest/",
        {"title": "找不到人", "content": "老人在路上摔了，不知道找谁", "knowledge_q": ""},
    ).content.decode()
    assert f'data-knowledge-use="{lamp.pk}"' not in noise
    meant = c.get(
        "/knowledge/suggest/", {"title": "路灯坏了", "content": "门口路灯不亮", "knowledge_q": ""}
    ).content.decode()
    assert f'data-knowledge-use="{lamp.pk}"' in meant
    # a search the agent types is answered as asked
    asked = c.get("/knowledge/suggest/", {"knowledge_q": "老人 路"}).content.decode()
    assert "knowledge-none" in asked or f'data-knowledge-use="{lamp.pk}"' in asked
