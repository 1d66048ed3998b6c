"""``GET requests``: filters (service_request_id, service_code, start_date, end_date,
status), the default window of 90 days and limit of 1000, newest first."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.orders import actions as act
from hotline.rules.calendar import SHANGHAI


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def ids(rows) -> list[str]:
    return [r["service_request_id"] for r in rows]


@pytest.fixture
def orders(agent, appeal, city_app):
    """受理员 records: a leaking roof yesterday (open), a street lamp answered directly on
    the 10th (closed), an old roof in July, a harassing call (not accepted), and the app
    sends a draft nobody has accepted yet."""
    roof = act.do_create_order(agent, appeal, now=sh(2026, 11, 19, 9, 0))
    lamp = act.do_create_order(
        agent,
        {**appeal, "category": "street_light", "appeal_type": "consult", "title": "路灯报修"},
        now=sh(2026, 11, 10, 9, 0),
    )
    act.do_direct_close(lamp, agent, answer="已告知路灯报修流程。", now=sh(2026, 11, 10, 9, 5))
    july = act.do_create_order(agent, appeal, now=sh(2026, 7, 1, 9, 0))
    rejected = act.do_record_rejected(
        agent, {"content": "骚扰"}, reason="e_harassment_or_unclear", now=sh(2026, 11, 18, 9, 0)
    )
    with time_machine.travel(sh(2026, 11, 20, 8, 0), tick=False):
        draft = city_app.post_ok(
            service_code="street_light",
            address_string="康乐小区南门",
            description="路灯不亮",
            phone="13900001111",
        )["service_request_id"]
    return {
        "roof": roof.number,
        "lamp": lamp.number,
        "july": july.number,
        "rejected": rejected.number,
        "draft": draft,
    }


@pytest.fixture
def today():
    with time_machine.travel(sh(2026, 11, 20, 12, 0), tick=False):
        yield


def test_default_is_accepted_orders_of_the_last_90_days_newest_first(city_app, orders, today):
    assert ids(city_app.get_json("requests")) == [orders["roof"], orders["lamp"]]
    root = city_app.get_xml("requests")
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [
        orders["roof"],
        orders["lamp"],
    ]


def test_status_filter(city_app, orders, today):
    assert ids(city_app.get_json("requests", status="open")) == [orders["roof"]]
    assert ids(city_app.get_json("requests", status="closed")) == [orders["lamp"]]
    both = city_app.get_json("requests", status="open,closed")
    assert ids(both) == [orders["roof"], orders["lamp"]]
    (lamp,) = city_app.get_json("requests", status="closed")
    assert lamp["status_notes"] == "已告知路灯报修流程。"  # the direct answer (§6.7.1)


def test_service_code_filter(city_app, orders, today):
    assert ids(city_app.get_json("requests", service_code="street_light")) == [orders["lamp"]]
    assert ids(city_app.get_json("requests", service_code="housing_maintenance,street_light")) == [
        orders["roof"],
        orders["lamp"],
    ]
    assert city_app.get_json("requests", service_code="noise") == []


def test_date_filters(city_app, orders, today):
    # start only: 90 days from it
    assert ids(city_app.get_json("requests", start_date="2026-07-01T00:00:00+08:00")) == [
        orders["july"]
    ]
    # end only: 90 days up to it
    assert ids(city_app.get_json("requests", end_date="2026-11-15T00:00:00Z")) == [orders["lamp"]]
    both = city_app.get_json(
        "requests", start_date="2026-06-01T00:00:00+08:00", end_date="2026-11-30T00:00:00+08:00"
    )
    assert ids(both) == [orders["roof"], orders["lamp"], orders["july"]]
    # a "+" the client forgot to encode arrives as a space
    r = city_app.http.get("/open311/v2/requests.json?start_date=2026-11-15T00:00:00+08:00")
    assert ids(r.json()) == [orders["roof"]]


def test_service_request_id_overrides_every_other_filter(city_app, orders, today):
    """…but never what the public may not read: drafts and rejected orders are not
    published; the app that sent the draft sees it with its key."""
    wanted = f"{orders['july']},{orders['draft']},{orders['rejected']},20990101000001"
    rows = city_app.get_json("requests", service_request_id=wanted, status="closed")
    assert ids(rows) == [orders["july"]]
    rows = city_app.get_json("requests", key="default", service_request_id=wanted, status="closed")
    assert sorted(ids(rows)) == sorted([orders["july"], orders["draft"]])
    by_id = {r["service_request_id"]: r for r in rows}
    assert by_id[orders["draft"]]["status"] == "open"


def test_drafts_rejected_merged_and_confidential_orders_are_404_to_the_public(
    city_app, orders, today, agent, appeal
):
    """§6.1.6, §5.3, §6.1.1: only accepted, non-confidential orders are published."""
    secret = act.do_create_order(
        agent, {**appeal, "display_mode": "confidential"}, now=sh(2026, 11, 19, 10, 0)
    )
    main = act.do_create_order(agent, appeal, now=sh(2026, 11, 19, 11, 0))
    duplicate = act.do_create_order(agent, appeal, now=sh(2026, 11, 19, 11, 5))
    act.do_merge(duplicate, agent, main=main.number, reason="同一问题")
    for number in (orders["draft"], orders["rejected"], secret.number, duplicate.number):
        for fmt in ("json", "xml"):
            assert city_app.get(f"requests/{number}", fmt).status_code == 404, number
    listed = ids(city_app.get_json("requests", start_date="2026-11-01T00:00:00+08:00"))
    assert listed == [main.number, orders["roof"], orders["lamp"]]


def test_a_bad_key_on_a_read_is_403(city_app, orders, today):
    assert city_app.get("requests", key="wrong").status_code == 403


def test_at_most_the_limit_is_returned(city_app, orders, today, monkeypatch):
    from hotline.open311 import present

    monkeypatch.setattr(present, "DEFAULT_LIMIT", 1)
    assert ids(city_app.get_json("requests")) == [orders["roof"]]


def test_listing_costs_the_same_queries_for_2_or_12_orders(city_app, agent, appeal, today):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            city_app.get_json("requests")
        return len(ctx.captured_queries)

    for _ in range(2):
        act.do_create_order(agent, appeal, now=sh(2026, 11, 19, 9, 0))
    count()  # the first read of the minute opens the address's rate window
    few = count()
    for _ in range(10):
        act.do_create_order(agent, appeal, now=sh(2026, 11, 19, 9, 0))
    # the first read of the new orders stores their redacted texts: one statement for all
    assert count() == few + 1
    assert count() == few
