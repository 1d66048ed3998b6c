"""领导's dashboard (SPEC §7): volume by channel, type, domain and area, on-time and
satisfaction rates, from simple aggregates."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from hotline import clock
from hotline.orders import actions as act
from hotline.web.tests.conftest import REPLY

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def charts(page: str) -> dict:
    m = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def test_dashboard_counts_orders_by_channel_type_domain_and_area(web, leader, flow, org):
    flow.pending_review()
    flow.pending_review(channel="grid", appeal_type="complaint", category="noise")
    act.do_create_draft({"channel": "portal", "title": "门户诉求"})
    page = web(leader).get("/dashboard/").content.decode()
    data = charts(page)
    assert {r["name"]: r["value"] for r in data["channel"]} == {
        "热线电话": 1,
        "网格员采集": 1,
        "门户网站": 1,
    }
    assert {r["name"]: r["value"] for r in data["domain"]} == {"住房保障": 1, "环境保护": 1}
    assert {r["name"]: r["value"] for r in data["type"]} == {"求助": 1, "投诉": 1}
    assert {r["name"]: r["value"] for r in data["area"]} == {"海勃湾区": 2, "未填区域": 1}
    assert sum(data["trend"]["values"]) == 3
    assert "echarts.min.js" in page


@pytest.mark.clause("6.4.2", "6.8.3")
def test_dashboard_rates_on_time_feedback_and_satisfaction(web, leader, flow, callback_agent):
    """按时反馈率 counts replies before the §6.4.2 limit; 满意率 counts 满意 + 基本满意 of
    citizens reached (§6.8.3)."""
    on_time = flow.pending_callback()
    act.do_record_callback(
        on_time,
        callback_agent,
        method="phone",
        outcome="reached",
        satisfaction="satisfied",
        resolution="resolved",
    )
    late = flow.overdue(days=12)
    act.do_reply(late, flow.clerk, **REPLY)
    act.do_accept_reply(late, flow.reviewer)
    act.do_record_callback(
        late,
        callback_agent,
        method="phone",
        outcome="reached",
        satisfaction="unsatisfied",
        resolution="unresolved",
    )
    start = (clock.now() - timedelta(days=20)).date().isoformat()
    page = web(leader).get("/dashboard/", {"from": start}).content.decode()
    kpis = re.sub(r"\s+", " ", page[page.index('data-testid="kpis"') :][:3000])
    assert '50.0%</div><div class="wb-stat-label">按时反馈率' in kpis
    assert '50.0%</div><div class="wb-stat-label">满意率 · 解决率 50.0%' in kpis


def test_dashboard_is_for_leaders_not_units(web, clerk, agent, callback_agent):
    for user in (clerk, agent, callback_agent):
        assert web(user).get("/dashboard/").status_code == 403


def test_bad_dates_fall_back_to_the_last_30_days(web, leader):
    r = web(leader).get("/dashboard/", {"from": "not-a-date", "to": "2026-13-45"})
    assert r.status_code == 200
