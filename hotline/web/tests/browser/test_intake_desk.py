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
    button = pg.locator('#assist-panel [data-apply-field="address"]')
    expect(button).to_have_text("替换")
    expect(button).to_have_attribute("title", "替换已填写的“康乐小区东门岗亭旁”")
    suggested = button.get_attribute("data-apply-value")
    assert suggested and suggested != "康乐小区东门岗亭旁"
    expect(pg.locator("#id_address")).to_have_value("康乐小区东门岗亭旁")
    button.click()  # the explicit 替换
    expect(pg.locator("#id_address")).to_have_value(suggested)
    expect(button).to_have_text("采用")
