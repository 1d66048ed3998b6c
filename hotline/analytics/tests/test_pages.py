"""The leaders' pages render the hand-counted month and link every number to its orders."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client


@pytest.fixture
def browser(march):
    with time_machine.travel(march.now, tick=False):
        yield Client()


@pytest.mark.clause("4.1")
def test_assessment_page_shows_rank_tier_and_drill_links(browser, leader, org, march):
    """§4.1 b: the table a leader reads — ranking, 等次 and a link behind every number."""
    browser.force_login(leader)
    html = browser.get("/analytics/assessment/?month=2026-03").content.decode()
    assert org.zjj.name in html and "一般" in html and "优秀" in html
    assert "66.7%" in html  # 住建局's response rate 4/6
    assert "metric=reply_missed" in html and f"unit={org.zjj.code}" in html
    drill = browser.get(
        f"/analytics/assessment/orders/?month=2026-03&unit={org.zjj.code}&metric=reply_missed"
    ).content.decode()
    assert "共 3 条" in drill and march.b.number in drill and march.c.number in drill


def test_dashboard_wall_report_and_hotspots_pages_render(browser, leader, org):
    browser.force_login(leader)
    for url, text in [
        ("/analytics/?month=2026-03", "vendor/echarts/echarts.min.js"),
        ("/analytics/wall/", "analytics/wall.js"),
        ("/analytics/report/?month=2026-03", "月度报告"),
        ("/analytics/hotspots/", "长效问题"),
    ]:
        r = browser.get(url)
        assert r.status_code == 200, url
        assert text in r.content.decode(), url


def test_unit_clerk_cannot_open_the_dashboard_but_sees_its_own_assessment(browser, clerk, org):
    browser.force_login(clerk)
    assert browser.get("/analytics/").status_code == 403
    html = browser.get("/analytics/assessment/?month=2026-03").content.decode()
    assert org.zjj.name in html and org.szyh.name not in html
    assert browser.get(f"/analytics/assessment/?unit={org.szyh.code}").status_code == 403
