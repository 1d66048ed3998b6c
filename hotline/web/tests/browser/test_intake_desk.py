"""The intake desk as an agent uses it (issue 16): 采用 fills the field it names, radios
included; a typed value is never overwritten (替换 is offered); a call being typed survives
a lost session; a queued draft opens with its suggestions at the top of a sticky panel."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GAS = {
    "title": "楼道里煤气泄漏",
    "content": "康乐小区3号楼楼道里有很浓的煤气味，怀疑燃气泄漏，老人不敢开灯，请马上派人。",
}


def _intelligence_fresh():
    from hotline.intelligence import duplicates, providers, services

    services.invalidate()
    providers._recent.clear()
    duplicates._indexes.clear()


@pytest.fixture(autouse=True)
def _fresh():
    _intelligence_fresh()
    yield
    _intelligence_fresh()


def test_adopting_the_urgency_suggestion_checks_its_radio(person, agent, org):
    desk = person(agent, "16-intake-urgency")
    pg = desk.page
    desk.open("/intake/")
    pg.fill("#id_title", GAS["title"])
    pg.fill("#id_content", GAS["content"])
    pg.locator("#id_content").blur()
    panel = pg.locator("#assist-panel")
    button = panel.locator('[data-apply-field="urgency"]')
    expect(button).to_have_attribute("data-apply-value", "very_urgent")
    button.click()
    expect(pg.locator('input[name="urgency"][value="very_urgent"]')).to_be_checked()
    expect(pg.locator('input[name="urgency"][value="normal"]')).not_to_be_checked()


def test_a_typed_address_is_offered_for_replacement_never_overwritten(person, agent, org):
    desk = person(agent, "16-intake-replace")
    pg = desk.page
    desk.open("/intake/")
    pg.fill("#id_address", "康乐小区东门岗亭旁")
    pg.fill("#id_title", GAS["title"])
    pg.fill("#id_content", GAS["content"])
    pg.locator("#id_content").blur()
    pg.wait_for_load_state("networkidle")  # the panel answered for everything typed
    button = pg.locator('#assist-panel [data-apply-field="address"]')
    expect(button).to_have_text("替换")
    expect(button).to_have_attribute("title", "替换已填写的“康乐小区东门岗亭旁”")
    suggested = button.get_attribute("data-apply-value")
    assert suggested and suggested != "康乐小区东门岗亭旁"
    expect(pg.locator("#id_address")).to_have_value("康乐小区东门岗亭旁")
    button.click()  # the explicit 替换
    expect(pg.locator("#id_address")).to_have_value(suggested)
    expect(button).to_have_text("采用")


def test_a_call_being_typed_survives_a_lost_session(person, agent, org):
    from hotline.web.models import IntakeDraft

    desk = person(agent, "16-intake-autosave")
    pg = desk.page
    desk.open("/intake/")
    pg.fill("#id_citizen_phone", "13912340000")
    pg.fill("#id_citizen_name", "李秀英")
    pg.fill("#id_title", GAS["title"])
    pg.locator("#id_title").blur()  # leaving a field saves at once
    form = pg.locator("#intake-form")
    expect(form).to_have_attribute("data-autosave-state", "saved")
    expect(pg.get_by_test_id("autosave-status")).to_contain_text("已自动保存")
    pg.fill("#id_content", GAS["content"])  # typing on: saved within a few seconds
    expect(form).to_have_attribute("data-autosave-state", "saved", timeout=15_000)
    # the session is lost; the agent signs in again on another machine
    desk.context.clear_cookies()
    again = person(agent, "16-intake-restored")
    again.open("/intake/")
    expect(again.page.get_by_test_id("draft-restored")).to_be_visible()
    expect(again.page.locator("#id_citizen_name")).to_have_value("李秀英")
    expect(again.page.locator("#id_title")).to_have_value(GAS["title"])
    expect(again.page.locator("#id_content")).to_have_value(GAS["content"])
    again.shot("restored")
    assert IntakeDraft.objects.filter(user=agent).count() == 1


def test_the_tab_order_follows_the_call(person, agent, org):
    desk = person(agent, "16-intake-tabs")
    pg = desk.page
    desk.open("/intake/")
    expect(pg.locator("#id_citizen_phone")).to_be_focused()
    visited = []
    for _ in range(15):
        pg.keyboard.press("Tab")
        visited.append(pg.evaluate("document.activeElement.id"))
        if visited[-1] == "id_address":
            break
    assert visited == ["id_citizen_name", "id_category", "id_title", "id_content", "id_address"]


def test_a_queued_draft_opens_with_its_suggestions_in_view(person, agent, flow, org):
    """A portal appeal waiting in 待受理 and an open order of the same place: opening the
    draft shows suggestions and the duplicate hint at the top of the side panel, without a
    key pressed and without scrolling at 1440×900."""
    from hotline.orders import actions as act

    flow.accepted(
        title="康乐小区3号楼楼顶漏水", content="康乐小区3号楼楼顶防水层老化，下雨屋里漏水"
    )
    draft = act.do_create_draft(
        {
            "channel": "portal",
            "title": "康乐小区3号楼楼顶漏水",
            "content": "康乐小区3号楼楼顶防水层老化，下雨屋里漏水，墙面发霉",
            "address": "康乐小区3号楼",
            "area": "t-kangle",
            "category": "housing_maintenance",
            "citizen_name": "赵敏",
            "citizen_phone": "13700001111",
        }
    )
    desk = person(agent, "16-intake-queued")
    pg = desk.page
    desk.open("/intake/queue/")
    pg.locator(f'tr[data-number="{draft.number}"] a').first.click()
    panel = pg.get_by_test_id("side-panel")
    expect(panel.get_by_test_id("suggestions")).to_be_visible()
    expect(panel.get_by_test_id("duplicates")).to_contain_text("康乐小区3号楼楼顶漏水")
    assert pg.evaluate("window.scrollY") == 0  # nothing was scrolled or typed
    for testid in ("suggestions", "duplicates"):
        box = panel.get_by_test_id(testid).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + 20 < 900, (testid, box)
    desk.shot("queued-draft")
    # the panel stays in view while the agent works further down the form
    pg.locator("#id_display_mode_0").scroll_into_view_if_needed()
    assert pg.evaluate("window.scrollY") > 0
    box = panel.get_by_test_id("suggestions").bounding_box()
    assert box is not None and 0 <= box["y"] < 900
