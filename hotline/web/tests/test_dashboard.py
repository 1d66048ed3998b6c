"""领导's one dashboard (issue 16 item 6): 数据看板 of ``hotline.analytics``, its figures
from the daily roll-ups and ``hotline.analytics.metrics``; the old ``/dashboard/`` address
sends there."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from hotline import clock
from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def dashboard_data(page: str) -> dict:
    m = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S)
    assert m, "the dashboard embeds its figures"
    return json.loads(m.group(1))


@pytest.mark.parametrize("persona", ["leader", "reviewer", "supervisor", "admin_user"])
def test_the_old_address_sends_leaders_to_the_one_dashboard(request, web, persona):
    c = web(request.getfixturevalue(persona))
    r = c.get("/dashboard/")
    assert r.status_code == 302 and r["Location"] == "/analytics/"
    page = c.get("/analytics/").content.decode()
    assert "统计概览" not in page  # no second implementation left in the navigation
    assert 'href="/analytics/"' in page


def test_dashboard_is_for_leaders_not_units(web, clerk, agent, callback_agent):
    for user in (clerk, agent, callback_agent):
        assert web(user).get("/dashboard/").status_code == 403


def test_the_dashboard_counts_orders_by_channel_type_domain_and_area(web, leader, flow, org):
    hour_ago = clock.now() - timedelta(hours=1)  # the live count runs up to now, exclusive
    flow.pending_review(at=hour_ago)
    flow.pending_review(at=hour_ago, channel="grid", appeal_type="complaint", category="noise")
    today = clock.now().astimezone(SHANGHAI).date()
    span = {"start": (today - timedelta(days=60)).isoformat(), "end": today.isoformat()}
    data = dashboard_data(web(leader).get("/analytics/", span).content.decode())
    by = {dim: {r["name"]: r["value"] for r in rows} for dim, rows in data["by"].items()}
    assert by["channel"]["热线电话"] == 1 and by["channel"]["网格员采集"] == 1
    assert by["domain"] == {"住房保障": 1, "环境保护": 1} | {
        k: v for k, v in by["domain"].items() if k not in {"住房保障", "环境保护"}
    }
    assert by["appeal_type"]["求助"] == 1 and by["appeal_type"]["投诉"] == 1
    assert by["area"]["海勃湾区"] == 2
    assert data["registered"] == sum(by["channel"].values())
