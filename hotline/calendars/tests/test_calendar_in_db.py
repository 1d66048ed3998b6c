"""SPEC §4: the calendar lives in the database, seeded from chinesecalendar, extended by the
administrator; a year not loaded makes deadlines provisional, never a silent guess."""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from django.urls import reverse

from hotline.calendars.models import CalendarDay, CalendarYear
from hotline.calendars.services import package_years, working_calendar
from hotline.orders import actions
from hotline.orders.models import Deadline
from hotline.rules.calendar import SHANGHAI


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_every_year_the_package_knows_is_seeded(db):
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(package_years()) <= years
    assert {2004, 2026} <= years and 2027 not in years
    cal = working_calendar()
    assert cal.is_working_day(date(2026, 10, 10))  # 调休上班
    assert not cal.is_working_day(date(2026, 10, 1))
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"


def test_deadline_into_an_unloaded_year_is_provisional_and_recomputed_when_loaded(
    agent, reviewer, org, appeal, django_capture_on_commit_callbacks
):
    """A dispatch at the end of 2026 runs into 2027 (not in chinesecalendar): the deadline
    is computed on weekends only and marked provisional; once the administrator enters
    2027's 元旦 and marks the year loaded, it is recomputed and the timeline says so."""
    with time_machine.travel(sh(2026, 12, 30, 10, 0), tick=False):
        order = actions.do_create_order(agent, appeal)
        actions.do_submit(order, agent)
        actions.do_dispatch(order, reviewer, lead_unit=org.zjj)
    feedback = Deadline.objects.get(order=order, kind="feedback")
    assert feedback.provisional
    assert feedback.due_at == sh(2027, 1, 6, 10, 0)  # Thu 31, Fri 1, Mon 4, Tue 5, Wed 6

    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(date=date(2027, 1, 1), kind="holiday", name="元旦")
        CalendarYear.objects.create(year=2027, source="admin", note="国务院办公厅通知")
    feedback.refresh_from_db()
    assert not feedback.provisional
    assert feedback.due_at == sh(2027, 1, 7, 10, 0)  # 1 Jan is now a holiday
    event = order.events.get(action="deadline_recomputed")
    assert event.data["old_due"].startswith("2027-01-06") and event.actor is None


def test_provisional_flag_and_explanation_reach_the_api(client, agent, appeal):
    from hotline.org.models import ApiToken

    _, key = ApiToken.issue(agent)
    with time_machine.travel(sh(2026, 12, 31, 9, 0), tick=False):
        r = client.post(
            "/api/v1/orders",
            appeal,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    body = r.json()
    assert body["provisional"] is True
    dispatch = body["deadlines"][0]
    assert dispatch["provisional"] and "2027 年节假日安排尚未录入" in dispatch["explanation"]


def test_admin_warns_from_1_november_that_next_year_is_missing(client, admin_user):
    # signed in at each instant: a session begun on the real date may have expired there
    with time_machine.travel(sh(2026, 10, 31, 12, 0), tick=False):
        client.force_login(admin_user)
        assert "2027 年的节假日" not in client.get(reverse("admin:index")).content.decode()
    with time_machine.travel(sh(2026, 11, 1, 9, 0), tick=False):
        client.force_login(admin_user)
        page = client.get(reverse("admin:index")).content.decode()
        assert "2027 年的节假日与调休安排尚未录入" in page


def test_admin_cannot_mark_a_year_loaded_before_entering_its_holidays(admin_client):
    url = reverse("admin:calendars_calendaryear_add")
    page = admin_client.post(url, {"year": 2027, "source": "admin", "note": ""}).content.decode()
    assert "请先在“节假日与调休”中录入 2027 年" in page
    assert not CalendarYear.objects.filter(year=2027).exists()
    CalendarDay.objects.create(date=date(2027, 1, 1), kind="holiday", name="元旦")
    response = admin_client.post(url, {"year": 2027, "source": "admin", "note": ""})
    assert response.status_code == 302 and CalendarYear.objects.filter(year=2027).exists()


def test_calendar_endpoint_lists_a_years_days(client, agent):
    from hotline.org.models import ApiToken

    _, key = ApiToken.issue(agent)
    body = client.get("/api/v1/calendar/2026", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert body["known"] is True
    assert {"date": "2026-10-10", "kind": "workday", "name": "国庆节"} in body["days"]
    assert (
        client.get("/api/v1/calendar/2027", HTTP_AUTHORIZATION=f"Bearer {key}").json()["known"]
        is False
    )
