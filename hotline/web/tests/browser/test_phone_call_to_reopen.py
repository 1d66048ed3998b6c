"""A phone call taken from the keyboard, through review, dispatch to a lead and a co-unit,
extension, supervision of a late unit, reply, callback and reopening — each step as the
role that does it, each role seeing only what it may."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hotline.orders.models import WorkOrder
from hotline.web.tests.conftest import REPLY, WAV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def state(p, code: str) -> None:
    expect(p.page.get_by_test_id("order-state")).to_have_attribute("data-state", code)


def submit(p, action: str) -> None:
    panel = p.page.locator(f'details[data-action="{action}"]')
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.locator("button[type=submit]").click()


def test_phone_call_from_keyboard_to_supervision_callback_and_reopening(
    person, flow, agent, reviewer, clerk, supervisor, callback_agent, leader, org
):
    earlier = flow.pending_review(title="楼道灯不亮")  # the same caller called before
    late = flow.overdue(title="小区污水井冒水")  # a late order of 住建局 for the board
    agent.set_password("hotline12345")
    agent.save()

    # 受理员 signs in through the login page and takes the call with the keyboard
    desk = person(None, "11-agent")
    desk.open("/login/")
    desk.shot("login")
    pg = desk.page
    pg.fill("#id_username", agent.username)
    pg.fill("#id_password", "hotline12345")
    pg.keyboard.press("Enter")
    expect(pg.locator("#id_citizen_phone")).to_be_focused()
    pg.keyboard.type("13812345678")
    expect(pg.get_by_test_id("phone-history")).to_contain_text(earlier.number)
    pg.keyboard.press("Tab")
    expect(pg.locator("#id_citizen_name")).to_be_focused()
    pg.keyboard.type("王建军")
    pg.keyboard.press("Control+Enter")  # required fields still empty: §6.1.5
    summary = pg.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    for message in ("诉求分类为必填项", "诉求问题为必填项", "发生地址为必填项", "诉求内容为必填项"):
        expect(summary).to_contain_text(message)
    expect(pg.locator("#id_citizen_name")).to_have_value("王建军")
    desk.shot("intake-errors")
    assert not WorkOrder.objects.filter(title="").exists()

    pg.get_by_label("保密").check()
    pg.get_by_label("紧急", exact=True).check()
    pg.select_option("#id_appeal_type", "complaint")
    pg.select_option("#id_category", "housing_maintenance")
    pg.fill("#id_title", "顶楼漏水一直没人修")
    pg.fill("#id_content", "康乐小区3号楼顶楼漏水两个月，物业一直推脱，屋内墙面发霉。")
    pg.fill("#id_demand", "尽快维修屋顶")
    pg.fill("#id_address", "海勃湾区新华街道康乐小区3号楼")
    pg.select_option("#id_area", "t-kangle")
    pg.set_input_files(
        "#id_attachments", files=[{"name": "来电录音.wav", "mimeType": "audio/wav", "buffer": WAV}]
    )
    desk.shot("intake-filled")
    pg.locator("#id_demand").focus()
    pg.keyboard.press("Control+Enter")
    number = pg.get_by_test_id("last-number").inner_text().strip()
    expect(pg.locator("#id_citizen_phone")).to_be_focused()  # ready for the next call
    desk.shot("intake-next-call")
    order = WorkOrder.objects.get(number=number)
    assert order.state == "pending_review" and order.attachments.get().kind == "voice"

    # 审核员: searches units by responsibility, one lead and one co-unit
    rev = person(reviewer, "12-reviewer")
    rev.open(f"/orders/{number}/")
    pg = rev.page
    expect(pg.locator("audio")).to_have_count(1)
    pg.fill("#unit-search", "养护")
    row = pg.locator(f'tr[data-unit="{org.szyh.code}"]')
    expect(row).to_contain_text("路灯")
    row.get_by_role("button", name="加为协办").click()
    pg.fill("#unit-search", "住房")
    pg.locator(f'tr[data-unit="{org.zjj.code}"]').get_by_role("button", name="设为主办").click()
    expect(pg.locator("[data-co-list]")).to_contain_text(org.szyh.name)
    rev.shot("dispatch-search")
    submit(rev, "dispatch")
    state(rev, "dispatched")
    assert sorted(order.assignments.values_list("unit__code", "role")) == sorted(
        [(org.zjj.code, "lead"), (org.szyh.code, "co")]
    )

    # 承办单位 (lead): masked citizen; signs and asks for 3 more working days
    unit = person(clerk, "13-unit")
    unit.open(f"/orders/{number}/")
    pg = unit.page
    expect(pg.get_by_test_id("citizen-phone")).to_have_text("138****5678")
    submit(unit, "sign")
    state(unit, "handling")
    pg.locator('details[data-action="request_extension"] summary').click()
    pg.fill("#id_request_extension-days", "3")
    pg.fill("#id_request_extension-reason", "需联系物业和施工单位共同勘查屋面")
    submit(unit, "request_extension")
    state(unit, "extension_requested")

    # 审核员 approves the extension from the requests tab
    rev.open("/review/?tab=requests")
    rev.page.keyboard.press("?")  # the shortcut help lists this page's keys
    expect(rev.page.locator("#shortcut-help")).to_contain_text("延期/挂单审批")
    rev.page.keyboard.press("Escape")
    rev.page.locator(f'tr[data-number="{number}"] a').first.click()
    expect(rev.page.locator('details[data-action="approve_extension"]')).to_contain_text("3")
    submit(rev, "approve_extension")
    state(rev, "handling")
    expect(rev.page.get_by_test_id("deadlines")).to_contain_text("延期办理时限")
    rev.shot("detail-extended")

    # 督办员: the board shows 住建局 in red; two reminders, then SMS supervision (§6.5)
    sup = person(supervisor, "14-supervisor")
    sup.open("/supervision/")
    board = sup.page.get_by_test_id("board-units")
    expect(board).to_contain_text(org.zjj.name)
    sup.shot("board")
    sup.page.locator(f'tr[data-number="{late.number}"] a').first.click()
    pg = sup.page
    for result in ("办理人未接听", "答应今天回复，仍未回复"):
        pg.fill("#id_remind-contact_name", "刘洋")
        pg.fill("#id_remind-result", result)
        submit(sup, "remind")
        expect(pg.locator("#h-supervision")).to_be_visible()
    expect(pg.locator(".badge", has_text="督办中")).to_be_visible()
    pg.keyboard.press("Alt+2")  # the second action panel: 记录督办
    expect(pg.locator('details[data-action="supervise"]')).to_have_attribute("open", "")
    pg.select_option("#id_supervise-method", "sms")
    pg.fill("#id_supervise-target", "分管副局长")
    pg.fill("#id_supervise-content", "请于今日17时前答复")
    submit(sup, "supervise")
    expect(pg.locator("#h-supervision").locator("..")).to_contain_text("短信督办")
    sup.shot("supervised")

    # 承办单位 replies; 回访员 accepts, the citizen is unsatisfied: reopened (重办)
    unit.open(f"/orders/{number}/")
    for name, text in REPLY.items():
        unit.page.fill(f"#id_reply-{name}", text)
    submit(unit, "reply")
    state(unit, "replied")

    cb = person(callback_agent, "15-callback")
    cb.open("/callbacks/?tab=replied")
    cb.page.locator(f'tr[data-number="{number}"] a').first.click()
    submit(cb, "accept_reply")
    state(cb, "pending_callback")
    pg = cb.page
    pg.select_option("#id_record_callback-satisfaction", "unsatisfied")
    pg.select_option("#id_record_callback-resolution", "unresolved")
    submit(cb, "record_callback")
    pg.locator('details[data-action="reopen"] summary').click()
    pg.fill("#id_reopen-reason", "市民反映屋顶仍在漏水")
    submit(cb, "reopen")
    state(cb, "dispatched")
    cb.shot("reopened")

    # 领导: the dashboard draws its charts
    boss = person(leader, "16-leader")
    boss.open("/dashboard/")  # the old address: the one dashboard, 数据看板
    expect(boss.page.locator("#c-channel canvas")).to_have_count(1)
    expect(boss.page.locator(".kpis").first).to_contain_text("来件量")
    boss.shot("dashboard")

    # 审核员: the order list, filtered through htmx; "/" jumps to the search box
    rev.open("/orders/")
    rev.page.keyboard.press("/")
    expect(rev.page.locator("#id_q")).to_be_focused()
    rev.page.select_option("#id_urgency", "urgent")
    expect(rev.page.locator(f'tr[data-number="{number}"]')).to_be_visible()
    expect(rev.page.locator(f'tr[data-number="{earlier.number}"]')).to_have_count(0)
    assert "urgency=urgent" in rev.page.url
    rev.shot("orders-filtered")
