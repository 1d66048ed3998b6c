"""Lists: filters, pagination and a fixed number of SQL queries per page whatever its size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline import clock
from hotline.orders import actions as act
from hotline.web.tests.conftest import REPLY

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def numbers(page: str, orders) -> set[str]:
    return {o.number for o in orders if f'data-number="{o.number}"' in page}


def test_filters_by_state_unit_domain_urgency_text_and_dates(web, reviewer, flow, org):
    a = flow.pending_review(title="楼顶漏水")
    b = flow.dispatched(title="噪声扰民", category="noise", urgency="urgent")
    c = flow.dispatched(title="路灯不亮", category="street_light", unit=org.szyh)
    old = flow.accepted(at=clock.now() - timedelta(days=40), title="旧工单")
    allo = [a, b, c, old]
    w = web(reviewer)

    def get(**params):
        return numbers(w.get("/orders/", params).content.decode(), allo)

    assert get() == {x.number for x in allo}
    assert get(state="pending_review") == {a.number}
    assert get(unit=org.szyh.code) == {c.number}
    assert get(domain="environment") == {b.number}
    assert get(urgency="urgent") == {b.number}
    assert get(q="路灯") == {c.number}
    assert get(q=a.number) == {a.number}
    since = (clock.now() - timedelta(days=5)).date().isoformat()
    assert old.number not in get(date_from=since)
    assert get(date_to=(clock.now() - timedelta(days=30)).date().isoformat()) == {old.number}


def test_deadline_filter_finds_overdue_orders(web, supervisor, flow):
    late = flow.overdue()
    fresh = flow.handling()
    page = web(supervisor).get("/orders/", {"deadline_state": "overdue"}).content.decode()
    assert numbers(page, [late, fresh]) == {late.number}


def test_filter_form_answers_htmx_with_the_results_fragment(web, reviewer, flow):
    flow.pending_review()
    r = web(reviewer).get(
        "/orders/",
        {"state": "pending_review"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="order-results",
    )
    page = r.content.decode()
    assert "<html" not in page and "wb-table" in page


def test_pagination_splits_the_list(web, reviewer, flow):
    made = [flow.accepted(title=f"工单{i}") for i in range(7)]
    w = web(reviewer)
    first = w.get("/orders/", {"size": 5}).content.decode()
    second = w.get("/orders/", {"size": 5, "page": 2}).content.decode()
    assert len(numbers(first, made)) == 5 and len(numbers(second, made)) == 2
    assert "共 7 条" in first and "下一页" in first


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(ctx.captured_queries)


PAGES = {
    "reviewer": ["/orders/?size=50", "/review/?size=50"],
    "clerk": ["/inbox/?size=50", "/inbox/?tab=overdue&size=50", "/orders/?size=50"],
    "supervisor": ["/supervision/?size=50", "/supervision/?light=warning&size=50"],
    "callback_agent": ["/callbacks/?size=50"],
    "agent": ["/intake/queue/?size=50"],
}


@pytest.mark.parametrize("persona", PAGES)
def test_list_pages_cost_the_same_queries_for_3_or_12_orders(request, web, flow, persona):
    """No N+1: a list page's query count does not grow with the rows it shows."""
    user = request.getfixturevalue(persona)
    c = web(user)

    def make(n):
        for _ in range(n):
            o = flow.overdue()
            act.do_reply(o, flow.clerk, **REPLY)
            flow.pending_review()
            flow.overdue()
            act.do_create_draft({"channel": "portal", "title": "门户诉求"})

    make(3)
    small = {url: _queries(c, url) for url in PAGES[persona]}
    make(9)
    large = {url: _queries(c, url) for url in PAGES[persona]}
    assert small == large


def test_list_page_stays_within_a_fixed_query_budget(
    web, reviewer, flow, django_assert_max_num_queries
):
    for _ in range(12):
        flow.overdue()
    c = web(reviewer)
    with django_assert_max_num_queries(8):
        c.get("/orders/?size=50")
    with django_assert_max_num_queries(8):
        c.get("/review/?tab=pending_review&size=50")
