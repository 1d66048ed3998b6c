"""A repeated portal form in a real browser files nothing twice (issue 13 item 5): the
receipt by POST/redirect/GET (F5 only shows it again), back + resubmit of the form the
browser restored, a double click.  (The staff forms' one-time tokens are proven request by
request in ``test_once.py``: a browser rarely sends a double click twice.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hotline.orders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_portal(pg, title: str) -> None:
    pg.fill("#id_title", title)
    pg.fill("#id_content", "康乐小区3号楼顶楼防水层老化，连续下雨后屋内漏水严重，请尽快维修。")
    pg.fill("#id_address", "海勃湾区新华街道康乐小区3号楼")
    pg.select_option("#id_appeal_type", "help")
    pg.fill("#id_citizen_name", "李娜")
    pg.fill("#id_citizen_phone", "13987654321")
    pg.get_by_label("我已阅读并同意上方的《个人信息保护说明》").check()


def test_the_portal_files_one_appeal_however_the_citizen_repeats_it(person, org):
    citizen = person(None, "repeat-citizen")
    pg = citizen.page
    citizen.open("/portal/")
    fill_portal(pg, "楼顶漏水")
    pg.get_by_role("button", name="提交诉求").click()
    number = pg.get_by_test_id("portal-number").inner_text().strip()
    assert "/portal/submitted/" in pg.url  # the receipt is a page of its own (PRG)

    pg.reload()  # F5 on the receipt
    expect(pg.get_by_test_id("portal-number")).to_have_text(number)

    pg.go_back()  # back to the form the browser restored, and send it again
    expect(pg.locator("#id_title")).to_have_value("楼顶漏水")
    pg.get_by_role("button", name="提交诉求").click()
    expect(pg.get_by_test_id("portal-number")).to_have_text(number)
    expect(pg.get_by_role("status")).to_contain_text("没有重复办理")
    assert WorkOrder.objects.count() == 1

    # a double click on a new appeal: one order, and the receipt of it
    citizen.open("/portal/")
    fill_portal(pg, "路灯不亮")
    pg.get_by_role("button", name="提交诉求").dblclick()
    expect(pg.get_by_test_id("portal-number")).not_to_have_text(number)
    assert WorkOrder.objects.count() == 2
    assert WorkOrder.objects.filter(title="路灯不亮").count() == 1
