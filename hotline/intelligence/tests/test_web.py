"""The workbench: suggestions, elements, units and duplicates on the intake page; the
dispatch panel's unit suggestions; link / merge / unmerge on the order detail page."""

import pytest

from hotline.intelligence.models import SuggestionFeedback
from hotline.orders.models import WorkOrder

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

LAMP = {
    "title": "路灯不亮",
    "content": "新华街道康乐社区康乐小区门口的路灯昨晚开始不亮，我的电话13912345678",
}


def test_intake_panel_shows_suggestions_elements_and_units(web, agent, lamp):
    page = web(agent).post("/intake/assist/", LAMP).content.decode()
    assert 'data-testid="suggestions"' in page
    assert 'data-apply-field="category" data-apply-value="street_light"' in page
    assert 'data-apply-field="appeal_type"' in page
    assert 'data-apply-field="area" data-apply-value="t-kangle"' in page
    assert "所属区域：乌海市/海勃湾区/新华街道/康乐社区" in page
    assert 'data-apply-field="event_time"' in page  # 昨晚, relative to the call
    assert "建议承办单位：海勃湾区市政养护中心" in page
    assert "规则：城乡建设/路灯照明 · 海勃湾区 · 路灯 → 海勃湾区市政养护中心" in page
    assert "置信度" in page and "依据：" in page


def test_intake_panel_lists_a_duplicate(web, agent, flow):
    first = flow.accepted()
    page = (
        web(agent)
        .post(
            "/intake/assist/",
            {
                "title": "康乐小区3号楼楼顶漏水",
                "content": "康乐小区3号楼楼顶防水层老化，下雨屋里漏水",
                "area": "t-kangle",
                "category": "housing_maintenance",
            },
        )
        .content.decode()
    )
    assert 'data-testid="duplicates"' in page and first.number in page
    assert "疑似同一问题" in page


def test_submitting_the_intake_form_records_feedback(
    web, agent, appeal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = web(agent).post("/intake/", {**appeal, "button": "submit"})
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    fields = set(
        SuggestionFeedback.objects.filter(order=order, actor=agent).values_list("field", flat=True)
    )
    assert {"appeal_type", "domain", "category", "urgency"} <= fields


def test_dispatch_panel_shows_unit_suggestions_with_reasons(web, reviewer, flow, lamp):
    o = flow.pending_review(
        category="street_light",
        title="路灯坏了",
        content="康乐小区路灯不亮",
        component_type="street_lamp",
    )
    page = web(reviewer).get(f"/orders/{o.number}/").content.decode()
    assert 'data-testid="unit-suggestions"' in page
    assert "规则：城乡建设/路灯照明 · 海勃湾区 · 路灯 → 海勃湾区市政养护中心" in page
    assert f'data-pick-lead="{flow.org.szyh.pk}"' in page


def test_agent_merges_from_the_detail_page(web, agent, flow, django_capture_on_commit_callbacks):
    main = flow.accepted()
    dup = flow.accepted(title="同一楼顶漏水", citizen_phone="13900001111")
    c = web(agent)
    page = c.get(f"/orders/{dup.number}/").content.decode()
    assert 'data-action="merge"' in page and 'data-action="link_duplicate"' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            f"/orders/{dup.number}/act/merge/",
            {"merge-main": main.number, "merge-reason": "同一楼顶"},
        )
    assert r.status_code == 302
    dup.refresh_from_db()
    assert dup.state == "merged"
    assert SuggestionFeedback.objects.filter(
        order=dup, field="duplicate", chosen=main.number
    ).exists()
    page = c.get(f"/orders/{dup.number}/").content.decode()
    assert 'data-action="unmerge"' in page and "已并单" in page
    assert f'主工单：<a href="/orders/{main.number}/">' in page
    assert (
        f'重复工单：<a href="/orders/{dup.number}/">'
        in c.get(f"/orders/{main.number}/").content.decode()
    )
    # an unknown main order is a field error, not a crash
    other = flow.accepted(title="别的事")
    r = c.post(f"/orders/{other.number}/act/merge/", {"merge-main": "20990101999999"})
    assert r.status_code == 422 and "找不到工单" in r.content.decode()


def test_unit_users_are_not_offered_merging(web, clerk, flow):
    o = flow.handling()
    page = web(clerk).get(f"/orders/{o.number}/").content.decode()
    assert 'data-action="merge"' not in page and 'data-action="link_duplicate"' not in page


def test_detail_page_offers_the_duplicates_as_main_orders(web, agent, flow):
    main = flow.accepted()
    dup = flow.accepted(title="康乐小区3号楼楼顶漏水", citizen_phone="13900001111")
    page = web(agent).get(f"/orders/{dup.number}/").content.decode()
    assert 'data-testid="duplicate-candidate"' in page
    assert f'data-apply-field="merge-main" data-apply-value="{main.number}"' in page
    assert f'data-apply-value="{dup.number}"' not in page  # never itself


def test_a_domain_without_sub_category_is_shown_without_an_apply_button(web, agent, org):
    """A vague appeal matches no sub-category word: the domain is shown to narrow down, with
    nothing to apply (the form's select holds sub-categories)."""
    page = (
        web(agent)
        .post("/intake/assist/", {"title": "反映问题", "content": "反映一个问题希望有关部门重视"})
        .content.decode()
    )
    assert "归口分类：" in page and "请在该类下选择具体分类" in page
    assert 'data-apply-field="domain"' not in page
