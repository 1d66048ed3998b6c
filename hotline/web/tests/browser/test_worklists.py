"""Working through lists in Chromium (issue 16 item 5): a reviewer acts on an order from
the queue and lands on the next one; a unit ticks the page and signs in bulk; 工单查询
sorts by a column header and saves a filter; the supervision board's last column is not
clipped at 1440 px; rows say how much time is left."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hotline import clock
from hotline.orders.models import WorkOrder
from hotline.web.models import SavedFilter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_acts_and_the_next_order_of_the_queue_opens(person, flow, reviewer):
    first = flow.pending_review(at=clock.now() - timedelta(minutes=30), title="先到的工单")
    second = flow.pending_review(at=clock.now() - timedelta(minutes=20), title="后到的工单")
    desk = person(reviewer, "worklists-reviewer")
    pg = desk.page
    desk.open("/review/")
    expect(
        pg.locator(f'tr[data-number="{first.number}"] [data-testid="time-left"]')
    ).to_contain_text("剩余")
    pg.get_by_role("link", name=first.number).click()
    expect(pg.get_by_test_id("queue-nav")).to_contain_text("审核派转 · 待审核派转")
    expect(pg.get_by_test_id("next-order")).to_be_visible()
    desk.shot("order-from-queue")
    panel = pg.locator('details[data-action="return_to_intake"]')
    panel.locator("summary").click()
    panel.locator("textarea, input[type=text]").first.fill("诉求地址不完整，请补充门牌号")
    panel.locator("input[data-advance]").check()  # 办完自动打开下一单
    panel.get_by_role("button", name="退回受理").click()
    expect(pg.get_by_test_id("order-number")).to_have_text(second.number)
    expect(pg.get_by_role("status")).to_contain_text("下一单")
    assert WorkOrder.objects.get(pk=first.pk).state == "returned"
    # 下一单 → skips without acting: with one order left there is no next one
    expect(pg.get_by_test_id("next-order")).to_have_count(0)


def test_a_unit_ticks_the_page_and_signs_in_bulk(person, flow, clerk):
    orders = [flow.dispatched(title=f"待签收工单{i}") for i in range(3)]
    desk = person(clerk, "worklists-unit")
    pg = desk.page
    desk.open("/inbox/?tab=to_sign")
    pg.get_by_label("全选本页").check()
    for o in orders:
        expect(pg.get_by_label(f"选择 {o.number}")).to_be_checked()
    pg.get_by_label(f"选择 {orders[2].number}").uncheck()
    pg.get_by_role("button", name="批量签收所选").click()
    expect(pg.get_by_test_id("bulk-summary")).to_contain_text("成功 2 件")
    desk.shot("bulk-sign-result")
    states = dict(
        WorkOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("pk", "state")
    )
    assert [states[o.pk] for o in orders] == ["handling", "handling", "dispatched"]


def test_the_order_list_sorts_by_a_header_and_saves_the_filter(person, flow, reviewer):
    made = [flow.pending_review(title=f"排序工单{i}") for i in range(3)]
    desk = person(reviewer, "worklists-orders")
    pg = desk.page
    desk.open("/orders/?state=pending_review")
    pg.locator('button[data-sort="number"]').click()
    expect(pg.locator('th[aria-sort="ascending"]')).to_contain_text("工单编号")
    assert "sort=number" in pg.url and "state=pending_review" in pg.url
    numbers = pg.locator("#order-results tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.number)"
    )
    assert numbers == sorted(o.number for o in made)
    pg.locator('button[data-sort="number"]').click()
    expect(pg.locator('th[aria-sort="descending"]')).to_contain_text("工单编号")
    pg.get_by_label("常用筛选名称").fill("待审核倒序")
    pg.get_by_role("button", name="保存", exact=True).click()
    expect(pg.locator('[data-saved-filter="待审核倒序"]')).to_be_visible()
    saved = SavedFilter.objects.get(user=reviewer)
    assert "state=pending_review" in saved.query and "sort=-number" in saved.query
    desk.shot("saved-filter")


def test_the_supervision_board_is_not_clipped_at_1440(person, flow, supervisor):
    from hotline.supervision import actions as sup

    late = flow.overdue(days=14, title="小区污水井冒水，多次反映仍未处理，影响居民出行")
    sup.do_remind(late, supervisor, result="已电话催办")
    desk = person(supervisor, "worklists-board")
    pg = desk.page
    desk.open("/supervision/")
    row = pg.locator(f'tr[data-number="{late.number}"]')
    expect(row.get_by_test_id("reminders")).to_have_text("1")
    expect(row.get_by_test_id("time-left")).to_contain_text(re.compile("超期"))
    table = pg.get_by_test_id("order-table")
    clipped = table.evaluate("el => el.scrollWidth > el.clientWidth + 1")
    assert not clipped, "the board's order table scrolls sideways at 1440 px"
    last = table.locator("thead th").last
    box, frame = last.bounding_box(), table.bounding_box()
    assert box and frame and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    desk.shot("supervision-board")
