"""A citizen's portal appeal, followed in a real browser through every desk: the agent
accepts the draft (§5.1, §6.1.1), the reviewer dispatches (§6.2, §6.3), the unit signs and
replies with §6.4.3 a–d, the reviewer accepts the reply (§6.6), the callback agent calls
back and closes (§6.7.2, §6.8) — and the citizen reads the public reply."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hotline.orders.models import WorkOrder
from hotline.web.tests.conftest import REPLY, png_picture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def state(p, code: str) -> None:
    expect(p.page.get_by_test_id("order-state")).to_have_attribute("data-state", code)


def test_portal_appeal_travels_from_citizen_to_callback_and_back_to_the_citizen(
    person, agent, reviewer, clerk, other_clerk, callback_agent, org
):
    # 市民: submits through the portal, confidentially, with a photo
    citizen = person(None, "01-citizen")
    citizen.open("/portal/")
    pg = citizen.page
    expect(pg.get_by_role("heading", name="提交诉求")).to_be_visible()
    pg.get_by_role("button", name="提交诉求").click()  # empty → Chinese errors
    expect(pg.locator("[data-error-summary]")).to_contain_text("这个字段是必填项")
    citizen.shot("portal-errors")
    pg.fill("#id_title", "楼顶防水层老化漏水")
    pg.fill("#id_content", "康乐小区3号楼顶楼防水层老化，连续下雨后屋内漏水严重，请尽快维修。")
    pg.fill("#id_address", "海勃湾区新华街道康乐小区3号楼")
    pg.select_option("#id_appeal_type", "help")
    pg.fill("#id_citizen_name", "李娜")
    pg.fill("#id_citizen_phone", "13987654321")
    pg.get_by_label("保密").check()
    expect(pg.get_by_test_id("privacy-notice")).to_contain_text("保存多久")
    pg.get_by_label("我已阅读并同意上方的《个人信息保护说明》").check()
    pg.set_input_files(
        "#id_attachments",
        files=[{"name": "漏水照片.png", "mimeType": "image/png", "buffer": png_picture()}],
    )
    citizen.shot("portal-submit")
    pg.get_by_role("button", name="提交诉求").click()
    number = pg.get_by_test_id("portal-number").inner_text().strip()
    citizen.shot("portal-submitted")
    assert WorkOrder.objects.get(number=number).channel == "portal"

    # 受理员: the draft waits in 待受理; completes the classification and accepts it
    desk = person(agent, "02-agent")
    desk.open("/intake/queue/")
    expect(desk.page.locator(f'tr[data-number="{number}"]')).to_be_visible()
    desk.shot("intake-queue")
    desk.page.locator(f'tr[data-number="{number}"] a').first.click()
    pg = desk.page
    expect(pg.locator("#id_title")).to_have_value("楼顶防水层老化漏水")
    pg.select_option("#id_category", "housing_maintenance")
    pg.select_option("#id_area", "t-kangle")
    desk.shot("intake-draft")
    pg.locator("#id_title").focus()
    pg.keyboard.press("Control+Enter")  # 受理并提交审核
    state(desk, "pending_review")
    expect(pg.get_by_test_id("order-number")).to_have_text(number)

    # 审核员: the review queue, the unit picker with jurisdiction and responsibilities
    rev = person(reviewer, "03-reviewer")
    rev.open("/review/")
    expect(rev.page.locator(f'tr[data-number="{number}"]')).to_be_visible()
    rev.shot("review-queue")
    rev.open(f"/orders/{number}/")
    pg = rev.page
    row = pg.locator(f'tr[data-unit="{org.zjj.code}"]')
    expect(row).to_contain_text("房屋维修")
    row.get_by_role("button", name="设为主办").click()
    expect(pg.locator("[data-lead-name]")).to_have_text(org.zjj.name)
    pg.fill("#id_dispatch-note", "请核实维修，注意市民要求保密。")
    rev.shot("review-dispatch")
    pg.locator('details[data-action="dispatch"] button[type=submit]').click()
    state(rev, "dispatched")

    # 承办单位: sees the confidential citizen masked; another unit cannot see the order
    outsider = person(other_clerk, "04-other-unit")
    assert outsider.open(f"/orders/{number}/").status == 404
    expect(outsider.page.get_by_role("heading")).to_contain_text("不存在")
    outsider.shot("not-found")

    unit = person(clerk, "05-unit")
    unit.open("/inbox/")
    expect(unit.page.locator(f'tr[data-number="{number}"]')).to_be_visible()
    unit.shot("inbox")
    unit.open(f"/orders/{number}/")
    pg = unit.page
    expect(pg.get_by_test_id("citizen-phone")).to_have_text("139****4321")
    expect(pg.get_by_test_id("citizen-name")).to_have_text("李*")
    expect(pg.locator("img[alt='漏水照片.png']")).to_be_visible()
    assert "13987654321" not in pg.content()
    unit.shot("detail-masked")
    pg.locator('details[data-action="sign"] button[type=submit]').click()
    state(unit, "handling")
    pg.locator('details[data-action="reply"] button[type=submit]').click()  # all empty
    expect(pg.locator("[data-error-summary]")).to_contain_text("§6.4.3 a")
    unit.shot("reply-errors")
    for name, text in REPLY.items():
        pg.fill(f"#id_reply-{name}", text)
    pg.locator('details[data-action="reply"] button[type=submit]').click()
    state(unit, "replied")

    # 审核员: 答复认定
    rev.open("/review/?tab=replied")
    rev.page.locator(f'tr[data-number="{number}"] a').first.click()
    rev.page.locator('details[data-action="accept_reply"] button[type=submit]').click()
    state(rev, "pending_callback")

    # 回访员: calls back, records satisfaction and resolution, closes
    cb = person(callback_agent, "06-callback")
    cb.open("/callbacks/")
    cb.shot("callback-queue")
    cb.page.locator(f'tr[data-number="{number}"] a').first.click()
    pg = cb.page
    expect(pg.get_by_test_id("citizen-phone")).to_have_text("13987654321")  # centre staff
    pg.select_option("#id_record_callback-satisfaction", "satisfied")
    pg.select_option("#id_record_callback-resolution", "resolved")
    pg.fill("#id_record_callback-note", "市民表示已修好，满意。")
    cb.shot("callback-form")
    pg.locator('details[data-action="record_callback"] button[type=submit]').click()
    expect(pg.locator("#h-callbacks")).to_be_visible()
    pg.locator('details[data-action="close"] summary').click()
    pg.locator('details[data-action="close"] button[type=submit]').click()
    state(cb, "closed")
    cb.shot("closed")

    # 市民: tracks with number + phone and reads the public reply only
    citizen.open("/portal/track/")
    pg = citizen.page
    pg.fill("#id_number", number)
    pg.fill("#id_phone", "13900000000")
    pg.get_by_role("button", name="查询").click()
    expect(pg.locator("[data-error-summary]")).to_contain_text("未找到")
    pg.fill("#id_phone", "13987654321")
    pg.get_by_role("button", name="查询").click()
    progress = pg.get_by_test_id("progress")
    expect(progress).to_contain_text(REPLY["public_note"])
    expect(progress).to_contain_text("已办结")
    expect(progress).not_to_contain_text(REPLY["investigation"])
    expect(progress).not_to_contain_text("李娜")
    citizen.shot("portal-track")
