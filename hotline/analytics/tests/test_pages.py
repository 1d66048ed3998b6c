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


def test_the_report_speaks_to_leaders_not_to_developers(browser, leader, org):
    browser.force_login(leader)
    html = browser.get("/analytics/report/?month=2026-03").content.decode()
    assert "docs/" not in html and ".md" not in html
    assert "考核口径" in html and "不参与排名" in html
    assert '<label for="report-month">月份</label>' in html


def test_the_wall_is_a_page_of_its_own_with_today_and_a_live_tail(browser, leader, org, march):
    """No workbench shell; the daily chart's last day is today; the tail lists the latest
    orders without personal data."""
    from hotline.analytics import dashboard
    from hotline.analytics.periods import local_day

    browser.force_login(leader)
    html = browser.get("/analytics/wall/").content.decode()
    assert 'class="wb-nav' not in html and "wb-header" not in html
    assert "data-fullscreen" in html and "analytics/wall.css" in html
    data = dashboard.wall(march.now)
    assert data["last30"]["trend"][-1]["day"] == local_day(march.now).isoformat()
    newest_first = sorted(
        [march.a, march.b, march.c, march.d, march.e, march.f],
        key=lambda o: (o.created_at, o.pk),
        reverse=True,
    )
    assert [row["number"] for row in data["tail"]] == [o.number for o in newest_first]
    assert all("citizen" not in key for row in data["tail"] for key in row)
    assert "王建军" not in str(data["tail"])
