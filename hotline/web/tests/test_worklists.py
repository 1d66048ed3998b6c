"""Queues and lists (issue 16 item 5): time left, midnight due times, sorting, saved
filters, next order after an action, bulk sign and dispatch, the xlsx export, the
approval list and the supervision board's columns."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from hotline import clock
from hotline.calendars.services import working_calendar
from hotline.common import hooks
from hotline.orders import actions as act
from hotline.orders.models import Deadline, WorkOrder
from hotline.rules import deadlines as dl
from hotline.rules.calendar import to_shanghai
from hotline.web.models import SavedFilter

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def row_of(page: str, number: str) -> str:
    m = re.search(rf'<tr data-number="{number}">(.*?)</tr>', page, re.S)
    assert m, f"{number} not listed"
    return m.group(1)


def cell(row: str, testid: str) -> str:
    m = re.search(rf'data-testid="{testid}">(.*?)</(?:td|div)>', row, re.S)
    assert m, testid
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


# ---------------------------------------------------------------------------
# time left, midnight


def test_queue_rows_show_working_time_left_and_the_due_time(web, clerk, flow):
    order = flow.dispatched()
    d = Deadline.objects.active().filter(order=order).order_by("due_at").first()
    page = web(clerk).get("/inbox/", {"tab": "to_sign"}).content.decode()
    row = row_of(page, order.number)
    expected = dl.remaining_text(d.due_at, clock.now(), basis=d.basis, cal=working_calendar())
    assert cell(row, "time-left") == expected
    assert expected.startswith("剩余 ")
    assert cell(row, "due") == dl.due_text(d.due_at)


def test_an_overdue_order_says_by_how_much(web, supervisor, flow):
    order = flow.overdue(days=14)
    page = web(supervisor).get("/orders/", {"deadline_state": "overdue"}).content.decode()
    assert cell(row_of(page, order.number), "time-left").startswith("超期 ")


def test_a_midnight_due_time_reads_as_the_end_of_the_day_before(web, reviewer, flow):
    # accepted at 00:00 on Tuesday 03-10: dispatch is due 03-11 00:00, the end of 03-10
    midnight = to_shanghai(clock.now()).replace(hour=0, minute=0)
    order = flow.pending_review(at=midnight)
    page = web(reviewer).get("/review/").content.decode()
    assert cell(row_of(page, order.number), "due") == "03-10 24:00"
    detail = web(reviewer).get(f"/orders/{order.number}/").content.decode()
    assert "截止 2026-03-10 24:00" in detail
    assert "03-11 00:00" not in page + detail


# ---------------------------------------------------------------------------
# sorting


def test_lists_sort_by_a_whitelisted_column_both_ways(web, reviewer, flow):
    a = flow.pending_review(title="甲")
    b = flow.pending_review(title="乙")
    w = web(reviewer)

    def order(**params):
        page = w.get("/orders/", params).content.decode()
        return [
            n for n in re.findall(r'<tr data-number="([^"]+)"', page) if n in (a.number, b.number)
        ]

    assert order(sort="number") == sorted([a.number, b.number])
    assert order(sort="-number") == sorted([a.number, b.number], reverse=True)
    page = w.get("/orders/", {"sort": "number"}).content.decode()
    assert 'aria-sort="ascending"' in page and 'name="sort" value="-number"' in page
    assert w.get("/review/", {"sort": "-due"}).status_code == 200
    assert w.get("/supervision/", {"sort": "reminders"}).status_code in (200, 403)


def test_an_unknown_sort_key_is_refused_with_400(web, reviewer):
    w = web(reviewer)
    for bad in ("title", "citizen_phone", "-id; drop", "lead_unit__password"):
        r = w.get("/orders/", {"sort": bad})
        assert r.status_code == 400
        assert "排序" in r.content.decode()
    assert w.get("/review/", {"sort": "citizen_name"}).status_code == 400


# ---------------------------------------------------------------------------
# saved filters


def test_saved_filters_are_per_user_and_keep_only_filter_fields(web, reviewer, supervisor):
    w = web(reviewer)
    r = w.post(
        "/orders/filters/",
        {"name": "超期住建", "query": "deadline_state=overdue&sort=-due&evil=1&page=3"},
    )
    assert r.status_code == 302
    saved = SavedFilter.objects.get(user=reviewer)
    assert saved.query == "deadline_state=overdue&sort=-due"
    page = w.get("/orders/").content.decode()
    assert 'data-saved-filter="超期住建"' in page
    assert "/orders/?deadline_state=overdue&amp;sort=-due" in page
    # another user neither sees nor deletes it
    other = web(supervisor)
    assert "超期住建" not in other.get("/orders/").content.decode()
    assert other.post(f"/orders/filters/{saved.pk}/delete/").status_code == 404
    # the same name again replaces it; deleting removes it
    w.post("/orders/filters/", {"name": "超期住建", "query": "state=handling"})
    assert SavedFilter.objects.get(user=reviewer).query == "state=handling"
    assert w.post(f"/orders/filters/{saved.pk}/delete/").status_code == 302
    assert not SavedFilter.objects.filter(user=reviewer).exists()


def test_a_saved_filter_needs_a_name(web, reviewer):
    r = web(reviewer).post(
        "/orders/filters/", {"name": " ", "query": "state=handling"}, follow=True
    )
    assert "名称须为 1 到 40 个字" in r.content.decode()
    assert not SavedFilter.objects.exists()


# ---------------------------------------------------------------------------
# next order


def _dispatch(w, order, **extra):
    from hotline.web.once import new_token

    return w.post(
        f"/orders/{order.number}/act/dispatch/",
        {"dispatch-lead_unit": order_unit_code(), "form_token": new_token(), **extra},
    )


def order_unit_code():
    from hotline.org.models import Unit

    return Unit.objects.get(code="t-hbw-zjj").pk


def test_after_an_action_the_next_order_of_the_queue_opens(web, reviewer, flow):
    first = flow.pending_review(at=clock.now() - timedelta(hours=3), title="先到")
    second = flow.pending_review(at=clock.now() - timedelta(hours=2), title="后到")
    w = web(reviewer)
    page = w.get(f"/orders/{first.number}/", {"queue": "review.pending_review"}).content.decode()
    assert 'data-testid="next-order"' in page and f"/orders/{second.number}/?queue=" in page
    assert 'name="queue" value="review.pending_review"' in page
    r = _dispatch(w, first, queue="review.pending_review", advance=["0", "1"])
    assert r.status_code == 302, r.content.decode()[:500]
    assert r["Location"] == f"/orders/{second.number}/?queue=review.pending_review"
    # the last one: back to the queue, which is empty now
    r = _dispatch(w, second, queue="review.pending_review", advance=["0", "1"])
    assert r["Location"] == "/review/?tab=pending_review"


def test_next_order_is_off_until_ticked_and_then_remembered(web, reviewer, flow):
    first = flow.pending_review(at=clock.now() - timedelta(hours=3))
    second = flow.pending_review(at=clock.now() - timedelta(hours=2))
    third = flow.pending_review(at=clock.now() - timedelta(hours=1))
    w = web(reviewer)
    box = r'name="advance" value="1" id="advance-[a-z_]+" data-advance( checked)?>'
    page = w.get(f"/orders/{first.number}/", {"queue": "review.pending_review"}).content.decode()
    assert re.search(box, page).group(1) is None  # off by default
    r = _dispatch(w, first, queue="review.pending_review", advance="0")
    assert r["Location"] == f"/orders/{first.number}/?queue=review.pending_review"
    r = _dispatch(w, second, queue="review.pending_review", advance=["0", "1"])
    assert r["Location"] == f"/orders/{third.number}/?queue=review.pending_review"
    # remembered for the session: the box is drawn ticked from now on
    page = w.get(f"/orders/{third.number}/", {"queue": "review.pending_review"}).content.decode()
    assert re.search(box, page).group(1) == " checked"


def test_a_queue_of_another_role_is_not_followed(web, clerk, flow):
    order = flow.dispatched()
    page = web(clerk).get(f"/orders/{order.number}/", {"queue": "review.pending_review"})
    assert 'data-testid="queue-nav"' not in page.content.decode()


# ---------------------------------------------------------------------------
# bulk sign


def test_bulk_sign_signs_each_order_on_its_own(web, clerk, flow, org):
    a = flow.dispatched()
    b = flow.dispatched()
    foreign = flow.dispatched(unit=org.szyh)  # another unit's order
    taken = flow.handling()  # already signed
    page = web(clerk).get("/inbox/", {"tab": "to_sign"}).content.decode()
    assert 'data-testid="bulk-sign"' in page and 'form="bulk-sign"' in page
    r = web(clerk).post(
        "/inbox/sign/", {"orders": [a.number, foreign.number, taken.number, b.number]}
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "成功 <strong>2</strong> 件" in body
    assert re.search(rf'data-number="{a.number}" data-ok="1"', body)
    assert re.search(rf'data-number="{foreign.number}" data-ok="0"', body)
    assert re.search(rf'data-number="{taken.number}" data-ok="0"', body)
    states = dict(WorkOrder.objects.values_list("number", "state"))
    assert states[a.number] == states[b.number] == "handling"
    assert states[foreign.number] == "dispatched"


def test_bulk_sign_is_for_units_only(web, reviewer, flow):
    order = flow.dispatched()
    assert web(reviewer).post("/inbox/sign/", {"orders": [order.number]}).status_code == 403


# ---------------------------------------------------------------------------
# bulk dispatch


@pytest.fixture
def confident(monkeypatch, org):
    """A routing provider sure of 海勃湾区住建局 for orders whose title says so."""

    def provider(user, order):
        if "确定" in order.title:
            return [hooks.UnitHint(org.zjj.pk, org.zjj.name, ("测试依据",), 0.95)]
        return [
            hooks.UnitHint(org.zjj.pk, org.zjj.name, (), 0.6),
            hooks.UnitHint(org.szyh.pk, org.szyh.name, (), 0.5),
        ]

    monkeypatch.setattr(hooks, "unit_suggestion_providers", [provider])


def test_bulk_dispatch_offers_only_confident_orders(web, reviewer, flow, confident):
    sure = flow.pending_review(title="确定的楼顶漏水")
    unsure = flow.pending_review(title="说不清的问题")
    w = web(reviewer)
    page = w.get("/review/dispatch/").content.decode()
    assert f'data-number="{sure.number}"' in page
    assert f'data-number="{unsure.number}"' not in page
    r = w.post(
        "/review/dispatch/",
        {
            "orders": [sure.number, unsure.number],
            f"unit-{sure.number}": "t-hbw-zjj",
            f"unit-{unsure.number}": "t-hbw-zjj",
        },
    )
    body = r.content.decode()
    assert re.search(rf'data-number="{sure.number}" data-ok="1"', body)
    assert re.search(rf'data-number="{unsure.number}" data-ok="0"', body)
    sure.refresh_from_db()
    unsure.refresh_from_db()
    assert sure.state == "dispatched" and sure.lead_unit.code == "t-hbw-zjj"
    assert unsure.state == "pending_review"


def test_bulk_dispatch_refuses_a_unit_other_than_the_suggestion(web, reviewer, flow, confident):
    sure = flow.pending_review(title="确定的楼顶漏水")
    body = (
        web(reviewer)
        .post("/review/dispatch/", {"orders": [sure.number], f"unit-{sure.number}": "t-hbw-szyh"})
        .content.decode()
    )
    assert "派单建议已变化" in body
    sure.refresh_from_db()
    assert sure.state == "pending_review"


# ---------------------------------------------------------------------------
# export


def _sheet(response) -> list[list]:
    data = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_export_is_scoped_masked_and_formula_safe(web, clerk, reviewer, flow, org):
    mine = flow.handling(
        title='=HYPERLINK("http://x","点我") 电话13912345678', display_mode="confidential"
    )
    theirs = flow.dispatched(unit=org.szyh, title="别的单位的工单")
    r = web(clerk).get("/orders/export/")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(r)
    header, body = rows[0], rows[1:]
    assert "剩余/超期" in header and "催办次数" in header
    numbers = [row[0] for row in body]
    assert mine.number in numbers and theirs.number not in numbers
    row = body[numbers.index(mine.number)]
    title = row[header.index("诉求问题")]
    assert title.startswith("'=")  # written as text, never run
    # as the unit's list shows it: a confidential order's title with the phone masked
    assert "13912345678" not in title
    listed = cell(row_of(web(clerk).get("/orders/").content.decode(), mine.number), "title")
    assert title == "'" + html.unescape(listed)
    assert row[header.index("联系电话")] in ("138****5678", "")
    assert "13812345678" not in str(rows)
    # the centre sees every order, and the filters and the sort apply
    rows = _sheet(web(reviewer).get("/orders/export/", {"state": "dispatched"}))
    assert [r[0] for r in rows[1:]] == [theirs.number]


def test_export_refuses_an_unknown_sort(web, reviewer):
    assert web(reviewer).get("/orders/export/", {"sort": "citizen_phone"}).status_code == 400


# ---------------------------------------------------------------------------
# approvals and the supervision board


def test_the_approval_list_shows_days_reason_and_the_running_deadline(web, reviewer, clerk, flow):
    order = flow.handling()
    act.do_request_extension(order, clerk, days=3, reason="需协调供水公司联合检修")
    page = web(reviewer).get("/review/", {"tab": "requests"}).content.decode()
    row = row_of(page, order.number)
    assert "延期 3个工作日" in cell(row, "request")
    assert "需协调供水公司联合检修" in row
    assert cell(row, "time-left").startswith("剩余 ")
    assert cell(row, "due") != "—"


def test_the_supervision_board_shows_reminders_and_supervision(web, supervisor, flow):
    from hotline.supervision import actions as sup

    order = flow.overdue(days=14)
    sup.do_remind(order, supervisor, result="请尽快办理")
    page = web(supervisor).get("/supervision/").content.decode()
    assert "催办次数" in page and ">督办<" in page
    row = row_of(page, order.number)
    assert cell(row, "reminders") == "1"


def test_export_follows_the_sort_and_stops_at_the_row_cap(web, reviewer, flow, monkeypatch):
    from hotline.web import worklist

    made = [flow.pending_review(title=f"导出{i}") for i in range(3)]
    rows = _sheet(web(reviewer).get("/orders/export/", {"sort": "-number"}))
    numbers = [r[0] for r in rows[1:]]
    assert numbers == sorted((o.number for o in made), reverse=True)
    assert all(r[rows[0].index("剩余/超期")].startswith("剩余 ") for r in rows[1:])
    monkeypatch.setattr(worklist, "EXPORT_MAX_ROWS", 2)
    rows = _sheet(web(reviewer).get("/orders/export/", {"sort": "due"}))
    assert len(rows) == 1 + 2


@pytest.mark.parametrize(
    "persona, key",
    [("reviewer", "review"), ("clerk", "inbox"), ("callback_agent", "callbacks")],
)
def test_every_tab_of_every_queue_opens_its_orders_with_a_next_link(
    request, web, flow, persona, key
):
    from hotline.web import worklist

    user = request.getfixturevalue(persona)
    order = flow.pending_callback()
    w = web(user)
    for tab in worklist.QUEUES[key].tabs:
        r = w.get(f"/orders/{order.number}/", {"queue": f"{key}.{tab}"})
        assert r.status_code in (200, 404), (key, tab)
        if r.status_code == 200:
            assert 'data-testid="queue-nav"' in r.content.decode(), (key, tab)
