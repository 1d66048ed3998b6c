"""Who sees what (SPEC §1, §2): unit scope, masking of confidential personal info (§6.1.6)
and the log of every unmasked view."""

from __future__ import annotations

import pytest

from hotline.orders.models import PersonalInfoAccess

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def _dispatched(as_, agent, reviewer, appeal, unit, **extra):
    a = as_(agent)
    n = a.ok("post", "/orders", {**appeal, **extra}, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    as_(reviewer).ok("post", f"/orders/{n}/dispatch", {"lead_unit": unit.pk})
    return n


@pytest.mark.clause("4.2")
def test_unit_sees_only_orders_dispatched_to_it(
    as_, agent, reviewer, clerk, other_clerk, appeal, org
):
    """§4.2: a handling unit (承办单位) handles — and sees — the orders dispatched to it."""
    n = _dispatched(as_, agent, reviewer, appeal, org.zjj)
    assert as_(clerk).get(f"/orders/{n}").status_code == 200
    resp = as_(other_clerk).get(f"/orders/{n}")
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    assert as_(other_clerk).get("/orders").json()["count"] == 0
    assert [o["number"] for o in as_(clerk).get("/orders").json()["results"]] == [n]


def test_parent_unit_sees_its_sub_units_orders(as_, agent, reviewer, district_clerk, appeal, org):
    """A unit user sees orders of its unit and the units below it."""
    n = _dispatched(as_, agent, reviewer, appeal, org.zjj)
    assert as_(district_clerk).get(f"/orders/{n}").status_code == 200


def test_unit_cannot_act_for_a_unit_that_does_not_hold_the_order(
    as_, agent, reviewer, other_clerk, appeal, org
):
    n = _dispatched(as_, agent, reviewer, appeal, org.zjj)
    assert as_(other_clerk).post(f"/orders/{n}/sign").status_code == 404


@pytest.mark.clause("6.1.6")
def test_confidential_order_is_masked_for_the_unit_and_its_view_not_logged(
    as_, agent, reviewer, clerk, appeal, org
):
    """§6.1.6 display mode 保密: the handling unit sees a masked name and phone."""
    n = _dispatched(as_, agent, reviewer, appeal, org.zjj, display_mode="confidential")
    PersonalInfoAccess.objects.all().delete()
    citizen = as_(clerk).get(f"/orders/{n}").json()["citizen"]
    assert citizen == {"name": "王**", "phone": "138****5678", "address": "", "masked": True}
    assert not PersonalInfoAccess.objects.exists()


def test_every_unmasked_view_is_logged(as_, agent, reviewer, clerk, appeal, org):
    """SPEC §2 [beyond, PIPL]: every view of unmasked personal info is logged."""
    n = _dispatched(as_, agent, reviewer, appeal, org.zjj)
    before = PersonalInfoAccess.objects.count()
    citizen = as_(clerk).get(f"/orders/{n}").json()["citizen"]
    assert citizen["phone"] == "13812345678" and not citizen["masked"]
    as_(reviewer).get(f"/orders/{n}")
    rows = list(PersonalInfoAccess.objects.order_by("id")[before:])
    assert [(r.user.username, r.via) for r in rows] == [
        ("t_zjj", "api:order_detail"),
        ("t_reviewer", "api:order_detail"),
    ]


def test_list_never_carries_personal_info(as_, agent, appeal):
    as_(agent).ok("post", "/orders", appeal, status=201)
    body = as_(agent).get("/orders").content.decode()
    assert "13812345678" not in body and "王建军" not in body


def test_callers_earlier_orders_by_phone(as_, agent, appeal):
    a = as_(agent)
    a.ok("post", "/orders", appeal, status=201)
    a.ok("post", "/orders", {**appeal, "citizen_phone": "13900000000"}, status=201)
    assert a.get("/orders", phone="13812345678").json()["count"] == 1


def test_list_filters_by_deadline_state(as_, agent, reviewer, clerk, appeal, org):
    import time_machine

    from hotline.api.tests.test_lifecycle_paths import sh

    with time_machine.travel(sh(2026, 11, 2, 9, 0), tick=False) as clock:
        n = _dispatched(as_, agent, reviewer, appeal, org.zjj)
        a = as_(agent)
        assert a.get("/orders", deadline_state="normal").json()["count"] == 1
        clock.move_to(sh(2026, 11, 3, 10, 0))  # sign-for limit (1 working day) passed
        assert a.get("/orders", deadline_state="overdue").json()["count"] == 1
        as_(clerk).ok("post", f"/orders/{n}/sign")  # signed late: the feedback clock is fine
        assert a.get("/orders", deadline_state="normal").json()["count"] == 1
        clock.move_to(sh(2026, 11, 6, 12, 0))
        warn = a.get("/orders", deadline_state="warning").json()
        assert [o["number"] for o in warn["results"]] == [n] and warn["results"][0][
            "deadline_state"
        ] == "warning"
        clock.move_to(sh(2026, 11, 10, 9, 0))
        assert a.get("/orders", deadline_state="overdue").json()["count"] == 1
        assert a.get("/orders", deadline_state="warning").json()["count"] == 0


def test_token_is_required_and_obtained_with_password(client, agent):
    agent.set_password("correct horse battery")
    agent.save()
    assert client.get("/api/v1/orders").status_code == 401
    bad = client.post(
        "/api/v1/auth/token",
        {"username": "t_agent", "password": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 401 and bad.json()["code"] == "bad_credentials"
    good = client.post(
        "/api/v1/auth/token",
        {"username": "t_agent", "password": "correct horse battery"},
        content_type="application/json",
    )
    token = good.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["role"] == "agent" and me["role_label"] == "受理员"


def test_openapi_document_is_served(client):
    doc = client.get("/api/openapi.json").json()
    assert "/api/v1/orders/{number}/dispatch" in doc["paths"]
    assert doc["info"]["title"].startswith("hotline")
