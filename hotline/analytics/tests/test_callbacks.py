"""Callback analytics (§6.8.2, §6.8.3): a hand-counted week of five orders — satisfaction by
method and mode, the survey response rate, why surveys went to a person, and which
callbacks the assessment counts (docs/callback.md §5)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client

from hotline.analytics import callbacks as figures
from hotline.analytics.periods import Period
from hotline.callbacks import actions as cba
from hotline.orders import actions as act
from hotline.rules.calendar import SHANGHAI
from hotline.web.tests.conftest import Flow


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


MONDAY = sh(2026, 3, 2, 9, 0)
PERIOD = Period.month(2026, 3)


@pytest.fixture
def week(agent, reviewer, clerk, callback_agent, org, appeal, settings, time_machine):
    """A: SMS 1A (closes). B: SMS 3, then a person calls (基本满意, not counted again).
    C: a complaint, called by a person (不满意, 未解决). D: no answer in 24 h. E: still out."""
    settings.HOTLINE_CALLBACK = {**settings.HOTLINE_CALLBACK, "smart_callback": True}
    flow = Flow(agent, reviewer, clerk, callback_agent, org, appeal)
    time_machine.move_to(MONDAY, tick=False)
    a = flow.pending_callback(citizen_phone="13800000001")
    b = flow.pending_callback(citizen_phone="13800000002")
    c = flow.pending_callback(citizen_phone="13800000003", appeal_type="complaint")
    d = flow.pending_callback(citizen_phone="13800000004")
    time_machine.move_to(MONDAY + timedelta(hours=2), tick=False)
    cba.receive_sms("p", "a", "13800000001", text="1A")
    cba.receive_sms("p", "b", "13800000002", text="3")
    act.do_record_callback(
        c, callback_agent, method="phone", satisfaction="unsatisfied", resolution="unresolved"
    )
    time_machine.move_to(MONDAY + timedelta(hours=3), tick=False)
    act.do_record_callback(
        b, callback_agent, method="phone", satisfaction="basically_satisfied", resolution="resolved"
    )
    time_machine.move_to(MONDAY + timedelta(hours=25), tick=False)
    cba.expire_surveys()
    e = flow.pending_callback(citizen_phone="13800000005")
    time_machine.move_to(MONDAY + timedelta(days=3), tick=False)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_survey_counters_and_the_response_rate(week):
    f = figures.figures(PERIOD.start, PERIOD.end)
    assert f["surveys"] == {
        "survey_sent": 4,  # A B D E (C went to a person)
        "survey_answered": 2,  # A B
        "survey_waiting": 1,  # E
        "survey_closed": 1,  # A
        "survey_to_person": 2,  # B (不满意) D (超时)
    }
    assert f["response_rate"] == 66.7  # 2 ÷ (4 − 1)
    assert {e["reason"]: e["count"] for e in f["escalations"]} == {"unsatisfied": 1, "timeout": 1}
    # smart share of the reached callbacks: A, B by SMS; B, C by phone
    assert f["smart_share"] == 50.0


def test_satisfaction_by_method_and_mode_counts_the_first_answer_of_each_round(week):
    rows = {
        (r["method"], r["mode"]): r for r in figures.by_method_and_mode(PERIOD.start, PERIOD.end)
    }
    assert set(rows) == {("sms", "smart"), ("phone", "manual")}
    sms = rows[("sms", "smart")]
    assert (sms["reached"], sms["assessed"], sms["satisfied"], sms["unsatisfied"]) == (2, 2, 1, 1)
    assert (sms["satisfaction_rate"], sms["resolution_rate"]) == (50.0, 100.0)
    phone = rows[("phone", "manual")]
    # B's phone call came after B's SMS answer in the same round: shown, not counted again
    assert (phone["reached"], phone["assessed"], phone["basically_satisfied"]) == (2, 1, 0)
    assert (phone["satisfaction_rate"], phone["resolution_rate"]) == (0.0, 0.0)


def test_survey_metrics_are_charged_to_the_lead_unit(week, org):
    rows = figures.survey_rows("survey_sent", PERIOD.start, PERIOD.end, units=[org.zjj.pk])
    assert rows.count() == 4
    assert (
        figures.survey_rows("survey_sent", PERIOD.start, PERIOD.end, units=[org.szyh.pk]).count()
        == 0
    )


def test_the_pages_and_the_api_show_the_figures_to_the_centre_only(week, leader, clerk):
    from hotline.org.models import ApiToken

    c = Client()
    c.force_login(leader)
    html = c.get("/analytics/callbacks/?month=2026-03").content.decode()
    assert '<td data-survey="survey_to_person">2</td>' in html
    assert '<td data-reason="timeout">1</td>' in html
    assert (
        '<b data-kpi="response_rate">66.7%</b>'
        in c.get("/analytics/?month=2026-03").content.decode()
    )
    _, token = ApiToken.issue(leader, "t")
    data = c.get(
        "/api/v1/analytics/callbacks?month=2026-03", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert data["surveys"]["survey_sent"] == 4 and data["response_rate"] == 66.7
    unit = Client()
    unit.force_login(clerk)
    assert unit.get("/analytics/callbacks/").status_code == 403
    _, token = ApiToken.issue(clerk, "t")
    r = unit.get("/api/v1/analytics/callbacks", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 403


def test_the_figures_are_the_same_from_the_roll_ups(week, leader):
    """Sealed days read the callback counts from ``VolumeDay`` (dimension ``callback``):
    the same figures as counting the callbacks live, half sealed or all of it."""
    from hotline.analytics import rollup
    from hotline.analytics.models import VolumeDay

    live = figures.figures(PERIOD.start, PERIOD.end)
    rollup.refresh(MONDAY + timedelta(hours=2, minutes=30))  # A B C's answers sealed, not B's call
    assert rollup.watermark() is not None
    assert VolumeDay.objects.filter(dimension=rollup.CALLBACK_DIMENSION).count() >= 2
    assert figures.figures(PERIOD.start, PERIOD.end) == live
    rollup.refresh(MONDAY + timedelta(days=3))
    sealed_rows = VolumeDay.objects.filter(dimension=rollup.CALLBACK_DIMENSION)
    assert sum(r.count for r in sealed_rows) == 4  # A, B by SMS; B, C by phone
    assert figures.figures(PERIOD.start, PERIOD.end) == live
    # and the dashboard's volume charts do not take the callback rows for a dimension
    c = Client()
    c.force_login(leader)
    html = c.get("/analytics/?month=2026-03").content.decode()
    assert '<b data-kpi="response_rate">66.7%</b>' in html
