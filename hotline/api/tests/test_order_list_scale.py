"""Big lists (docs/search.md): a bounded count, keyset cursors, relevance order."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hotline.orders import actions as act
from hotline.orders import queries as oq
from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)


def _orders(agent, appeal, titles):
    # two orders share each instant: the cursor must break ties by id
    return [
        act.do_create_order(agent, {**appeal, "title": t}, now=NOW + timedelta(minutes=i // 2))
        for i, t in enumerate(titles)
    ]


def test_cursor_pages_walk_the_whole_list_once(as_, agent, reviewer, appeal, monkeypatch):
    made = _orders(agent, appeal, [f"路灯不亮{i}" for i in range(7)])
    monkeypatch.setattr(oq, "COUNT_CAP", 5)
    api = as_(reviewer)
    first = api.get("/orders", page_size=3).json()
    assert first["count"] == 5 and first["count_capped"] is True
    seen = [o["number"] for o in first["results"]]
    cursor = first["next"]
    while cursor:
        body = api.get("/orders", page_size=3, after=cursor).json()
        seen += [o["number"] for o in body["results"]]
        cursor = body["next"]
    newest_first = sorted(made, key=lambda o: (o.created_at, o.pk), reverse=True)
    assert seen == [o.number for o in newest_first]
    bad = api.get("/orders", after="yesterday_1")
    assert bad.status_code == 422 and "after" in bad.json()["fields"]
    deep = api.get("/orders", page=3, page_size=3)
    assert deep.status_code == 422 and "page" in deep.json()["fields"]


def test_relevance_puts_a_title_match_before_a_content_match(as_, agent, reviewer, appeal):
    in_title = act.do_create_order(
        agent, {**appeal, "title": "井盖缺失", "content": "请尽快处理"}, now=NOW
    )
    in_content = act.do_create_order(
        agent,
        {**appeal, "title": "道路问题", "content": "路口井盖缺失"},
        now=NOW + timedelta(hours=1),
    )
    api = as_(reviewer)
    by_date = [o["number"] for o in api.get("/orders", q="井盖").json()["results"]]
    assert by_date == [in_content.number, in_title.number]
    ranked = api.get("/orders", q="井盖", sort="relevance").json()
    assert [o["number"] for o in ranked["results"]] == [in_title.number, in_content.number]
    assert ranked["next"] is None


def test_the_search_box_takes_an_order_number(as_, agent, reviewer, appeal):
    order, _ = _orders(agent, appeal, ["路灯不亮", "井盖缺失"])
    body = as_(reviewer).get("/orders", q=order.number).json()
    assert [o["number"] for o in body["results"]] == [order.number]
