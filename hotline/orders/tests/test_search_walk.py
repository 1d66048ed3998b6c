"""A common word's newest matches from slices of the newest orders (``queries.walk_newest``,
docs/search.md): the same rows in the same order as through the index, on every page, for
centre staff and for a unit under the confidentiality rule."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client

from hotline.orders import actions as act
from hotline.orders import queries as oq
from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)
WORD = "梧桐巷"


@pytest.fixture
def history(agent, reviewer, appeal, org):
    """24 orders a minute apart, the word in the title of two in three; one of them is a
    confidential citizen's who lives there (a unit must not find it through the word)."""
    made = []
    for i in range(24):
        fields = {**appeal, "title": f"{WORD}路灯不亮{i}" if i % 3 else f"井盖破损{i}"}
        if i == 4:
            fields.update(display_mode="confidential", citizen_address=f"{WORD}7号")
        order = act.do_create_order(agent, fields, now=NOW + timedelta(minutes=i))
        act.do_submit(order, agent, now=NOW + timedelta(minutes=i))
        act.do_dispatch(order, reviewer, lead_unit=org.zjj, now=NOW + timedelta(minutes=i))
        made.append(order)
    return made


def _lists(user, q: str = WORD):
    visible = oq.visible_orders(user)
    base = oq.filter_orders(visible, {}, NOW, user=user)
    matched = oq.filter_orders(visible, {"q": q}, NOW, user=user, indexed=False)
    indexed = oq.filter_orders(visible, {"q": q}, NOW, user=user)
    expected = list(indexed.order_by("-created_at", "-id").values_list("pk", flat=True))
    return base, matched, expected


def _walk_spy(monkeypatch) -> list:
    """A count cap of 12 and small slices; the (offset, limit) of every walk recorded."""
    calls: list = []
    walk = oq.walk_newest

    def spy(*args, **kwargs):
        calls.append(args[2:4])
        return walk(*args, **kwargs)

    monkeypatch.setattr(oq, "walk_newest", spy)
    monkeypatch.setattr(oq, "SEARCH_COUNT_CAP", 12)
    monkeypatch.setattr(oq, "WALK_FIRST", 2)
    monkeypatch.setattr(oq, "WALK_MAX_SLICE", 4)
    return calls


@pytest.mark.parametrize("who", ["reviewer", "clerk"])
def test_the_walk_finds_what_the_index_finds_page_by_page(history, request, who):
    user = request.getfixturevalue(who)
    base, matched, expected = _lists(user)
    assert len(expected) == 15 + (who == "reviewer")  # the unit misses the confidential one
    for offset in range(0, 18, 5):
        got = oq.walk_newest(base, matched, offset, 5, first=2, largest=4)
        assert got == expected[offset : offset + 5]
    # slices too few for the page: the caller is told to use the index
    assert oq.walk_newest(base, matched, 6, 5, first=2, largest=2, budget=4) is None


def test_the_list_page_walks_for_a_word_past_the_count_cap(history, reviewer, monkeypatch):
    calls = _walk_spy(monkeypatch)
    _, _, expected = _lists(reviewer)
    numbers = dict(history[0].__class__.objects.values_list("pk", "number"))
    c = Client()
    c.force_login(reviewer)
    for page in (1, 2, 3):
        r = c.get("/orders/", {"q": WORD, "size": 5, "page": page})
        shown = [row.order.pk for row in r.context["page"].object_list]
        assert shown == expected[(page - 1) * 5 : page * 5]
        assert numbers[shown[0]] in r.content.decode()
    # the count stops at the cap (12+): the pager offers its pages, the walk fills them
    assert calls == [(0, 5), (5, 5), (10, 5)]
    # a rare word (under the cap), a column sort and a two-character word (one bigram: the
    # database's own plan is right) go through the index as before
    c.get("/orders/", {"q": "路灯不亮10", "size": 5})
    c.get("/orders/", {"q": WORD, "size": 5, "sort": "-created_at"})
    r = c.get("/orders/", {"q": "梧桐", "size": 5})
    assert [row.order.pk for row in r.context["page"].object_list] == expected[:5]
    assert len(calls) == 3


@pytest.mark.parametrize("who", ["reviewer", "clerk"])
def test_the_api_list_walks_too_by_page_and_by_cursor(history, request, who, monkeypatch):
    from hotline.api.tests.conftest import Api

    user = request.getfixturevalue(who)
    calls = _walk_spy(monkeypatch)
    _, _, expected = _lists(user)
    numbers = dict(history[0].__class__.objects.values_list("pk", "number"))
    api = Api(user)
    by_page = []
    for page in (1, 2, 3, 4):
        body = api.get("/orders", q=WORD, page_size=5, page=page).json()
        assert body["count"] == 12 and body["count_capped"]
        by_page += [r["number"] for r in body["results"]]
    assert by_page == [numbers[pk] for pk in expected]
    by_cursor, after = [], None
    while True:
        body = api.get("/orders", q=WORD, page_size=5, **({"after": after} if after else {}))
        by_cursor += [r["number"] for r in body.json()["results"]]
        after = body.json()["next"]
        if not after:
            break
    assert by_cursor == by_page
    assert (0, 5) in calls and (15, 5) in calls and len(calls) == 4 + len(by_cursor) // 5 + 1
    # the unit's list never shows the confidential citizen's order it found no word in
    assert (numbers[history[4].pk] in by_page) == (who == "reviewer")
