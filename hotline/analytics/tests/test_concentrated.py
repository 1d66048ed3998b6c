"""§4.2 b: concentrated issues from the database — similar appeals grouped with their
orders, places, units and trend, one citizen's repeats linked, a group handed to a unit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from hotline.analytics import concentrated
from hotline.analytics.models import LongTermMatter
from hotline.analytics.periods import Period
from hotline.analytics.tests.conftest import sh

NOISE = "康乐小区旁工地夜间施工噪音扰民，晚上十一点以后还在打桩，严重影响休息。"
OTHERS = [
    ("公交车不按站停靠", "8路公交车经常不按站停靠，乘客上下车不方便。"),
    ("医保报销咨询", "异地就医的医保报销需要准备哪些材料？"),
    ("路灯不亮", "人民路东段路灯连续一周不亮，夜间出行不安全。"),
]


@pytest.fixture
def noisy_month(org, agent, reviewer, appeal):
    """Six citizens complain about the same night-time piling in one week; one of them
    calls three times; three unrelated appeals."""
    from hotline.orders import actions as act

    made = []
    t = sh(2026, 3, 2, 9, 0)
    for i in range(6):
        for k in range(3 if i == 0 else 1):
            o = act.do_create_order(
                agent,
                {
                    **appeal,
                    "category": "noise",
                    "title": "康乐小区工地夜间施工噪音扰民",
                    "content": NOISE,
                    "citizen_phone": f"1381234{i:04d}",
                },
                now=t + timedelta(days=i, hours=k * 20),
            )
            act.do_submit(o, agent, now=o.created_at)
            act.do_dispatch(o, reviewer, lead_unit=org.zjj, now=o.created_at + timedelta(hours=1))
            made.append(o)
    for j, (title, content) in enumerate(OTHERS):
        act.do_create_order(
            agent,
            {**appeal, "title": title, "content": content, "citizen_phone": f"1390000{j:04d}"},
            now=t + timedelta(days=j, hours=3),
        )
    return made


@pytest.mark.clause("4.2")
def test_similar_appeals_form_one_group_with_orders_places_units_and_trend(noisy_month, org):
    """§4.2 b: the eight piling complaints are one group, charged to 住建局."""
    run = concentrated.analyse(Period.month(2026, 3), now=sh(2026, 3, 31, 12, 0))
    assert run.records == 11
    top = run.report["groups"][0]
    assert sorted(top["orders"]) == sorted(o.number for o in noisy_month)
    assert top["citizens"] == 6
    assert [org.zjj.name, 8] in top["units"] and top["suggested_unit"] == org.zjj.pk
    assert sum(p["count"] for p in top["trend"]) == 8
    assert all(len(g["orders"]) < 8 for g in run.report["groups"][1:])
    chain = next(c for c in run.report["repeats"] if len(c["orders"]) == 3)
    assert chain["citizen"] == "138****0000"  # masked (PIPL)
    assert concentrated.latest(Period.month(2026, 3)) == run


@pytest.mark.clause("4.2")
def test_a_leader_hands_a_group_to_a_unit_from_the_page(noisy_month, org, leader):
    """§4.2 b: the group becomes a long-term matter of 住建局 with its orders."""
    client = Client()
    client.force_login(leader)
    with time_machine.travel(sh(2026, 3, 31, 12, 0), tick=False):
        r = client.post("/analytics/hotspots/analyse/?month=2026-03")
        assert r.status_code == 302
        page = client.get("/analytics/hotspots/?month=2026-03").content.decode()
        assert "交办为长效问题" in page and noisy_month[0].number in page
        r = client.post(
            "/analytics/hotspots/hand-over/",
            {
                "title": "康乐小区工地夜间施工扰民",
                "unit": org.zjj.pk,
                "orders": [o.number for o in noisy_month],
                "places": "康乐小区",
            },
        )
    assert r.status_code == 302
    m = LongTermMatter.objects.get()
    assert m.unit == org.zjj and m.orders.count() == 8 and m.places == ["康乐小区"]
    assert [e.action for e in m.events.all()] == ["hand_over"]
