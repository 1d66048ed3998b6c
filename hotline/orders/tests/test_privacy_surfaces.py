"""One test per surface (issue 14, item 6): a confidential order whose title and text hold the
citizen's phone and an ID number, read through every endpoint, page and export by the lead
unit, a co-unit, a former unit (it returned the order), an unrelated unit, an anonymous
Open311 client and the centre — asserting exactly who sees what (§6.1.6, PIPL).

What each answer may be:

* ``full`` — the phone and the ID number as stored (and, where the timeline's data is shown,
  the phone it replaced); a view of one order is written to the personal-info access log;
* ``masked`` — the order is there, its phone only as 139****5555, no ID number, no old phone;
  nothing logged;
* ``summary`` — a former unit's read-only own part: no citizen at all, not even masked;
* ``none`` — not found, not allowed, or simply not in the answer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import openpyxl
import pytest
import time_machine
from django.test import Client

from hotline.orders import actions as act
from hotline.orders.models import PersonalInfoAccess, WorkOrder
from hotline.rules.calendar import SHANGHAI

PHONE = "13905555555"
OLD_PHONE = "13800001111"
MASKED_PHONE = "139****5555"
ID = "150302198507150021"
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)

VIEWERS = ["centre", "lead", "co", "former", "unrelated", "anonymous"]


def _user(username: str, role: str, unit):
    from hotline.org.models import User

    user = User(username=username, role=role, unit=unit)
    user.set_unusable_password()
    user.save()
    return user


@dataclass
class Case:
    order: WorkOrder
    users: dict


@pytest.fixture
def case(org, agent, reviewer, clerk, other_clerk, appeal):
    """受理员 records a confidential appeal whose title and content repeat the caller's
    phone and an ID number, then corrects the phone; 审核员 dispatches it to 市政养护中心
    with 新华街道办事处 as co-unit; 市政养护中心 returns it (退单); it is re-dispatched to
    住建局 (lead) with 新华街道办事处 again; 住建局 signs.  自来水公司 never had it."""
    office_clerk = _user("t_office", "unit", org.street_office)
    water_clerk = _user("t_water", "unit", org.water)
    with time_machine.travel(NOW, tick=False):
        order = act.do_create_order(
            agent,
            {
                **appeal,
                "display_mode": "confidential",
                "citizen_phone": OLD_PHONE,
                "citizen_address": "康乐小区5号楼3单元",
                "title": f"王先生{PHONE}反映楼顶漏水",
                "content": f"来电人电话{PHONE}，身份证号{ID}，康乐小区3号楼顶楼漏水。",
            },
        )
        act.do_update(order, agent, {"citizen_phone": PHONE})
        act.do_submit(order, agent)
        act.do_dispatch(order, reviewer, lead_unit=org.szyh, co_units=[org.street_office])
        act.do_sign(order, other_clerk)
        act.do_unit_return(order, other_clerk, reason="不属于市政养护职责")
        act.do_dispatch(order, reviewer, lead_unit=org.zjj, co_units=[org.street_office])
        act.do_sign(order, clerk)
        act.do_comment(order, agent, note=f"市民补充：白天可拨打{PHONE}")
    users = {
        "centre": reviewer,
        "lead": clerk,
        "co": office_clerk,
        "former": other_clerk,
        "unrelated": water_clerk,
        "anonymous": None,
    }
    return Case(WorkOrder.objects.get(pk=order.pk), users)


def web(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def api(user) -> Client:
    from hotline.org.models import ApiToken

    if user is None:
        return Client()
    _, key = ApiToken.issue(user, "surface test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def body(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        data = b"".join(response.streaming_content)
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for row in sheet.iter_rows(values_only=True)
        )
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    text = response.content.decode()
    # a list page echoes the filter the viewer typed; what it found starts here
    return text.split('id="order-results"', 1)[-1]


# surface → (how to read it, the answer of each viewer in VIEWERS order)
#   one order's page or detail shows ``full`` to the centre; lists, filters and exports
#   either list the order (``full``/``masked``: its title holds the phone) or not at all.
SURFACES = {
    "web order page": (
        lambda u, n: web(u).get(f"/orders/{n}/"),
        ["full", "masked", "masked", "summary", "none", "none"],
    ),
    "web order list": (
        lambda u, n: web(u).get("/orders/"),
        ["full", "masked", "masked", "none", "none", "none"],
    ),
    "web list filtered by phone": (
        lambda u, n: web(u).get("/orders/", {"phone": PHONE}),
        ["full", "none", "none", "none", "none", "none"],
    ),
    "web list searched by phone": (
        lambda u, n: web(u).get("/orders/", {"q": PHONE[-4:]}),
        ["full", "none", "none", "none", "none", "none"],
    ),
    "web unit inbox": (
        lambda u, n: web(u).get("/inbox/", {"tab": "handling"}),
        ["none", "masked", "none", "none", "none", "none"],
    ),
    "api order detail and timeline": (
        lambda u, n: api(u).get(f"/api/v1/orders/{n}"),
        ["full", "masked", "masked", "summary", "none", "none"],
    ),
    "api order list": (
        lambda u, n: api(u).get("/api/v1/orders"),
        ["full", "masked", "masked", "none", "none", "none"],
    ),
    "api list filtered by phone": (
        lambda u, n: api(u).get("/api/v1/orders", {"phone": PHONE}),
        ["full", "none", "none", "none", "none", "none"],
    ),
    "api list searched by ID number": (
        lambda u, n: api(u).get("/api/v1/orders", {"q": ID}),
        ["full", "none", "none", "none", "none", "none"],
    ),
    "xlsx export": (
        lambda u, n: api(u).get("/api/v1/analytics/orders.xlsx"),
        ["masked", "masked", "masked", "none", "none", "none"],
    ),
    "xlsx export filtered by phone": (
        lambda u, n: api(u).get("/api/v1/analytics/orders.xlsx", {"phone": PHONE}),
        ["masked", "none", "none", "none", "none", "none"],
    ),
    "xlsx export with personal columns": (
        lambda u, n: api(u).get("/api/v1/analytics/orders.xlsx", {"personal": "true"}),
        ["full", "none", "none", "none", "none", "none"],
    ),
    "dashboard data": (
        lambda u, n: api(u).get("/api/v1/analytics/dashboard"),
        ["none", "none", "none", "none", "none", "none"],
    ),
    "wall screen data": (
        lambda u, n: api(u).get("/api/v1/analytics/wall"),
        ["none", "none", "none", "none", "none", "none"],
    ),
    "open311 request": (
        lambda u, n: Client().get(f"/open311/v2/requests/{n}.json"),
        ["none", "none", "none", "none", "none", "none"],
    ),
    "open311 list": (
        lambda u, n: Client().get("/open311/v2/requests.xml"),
        ["none", "none", "none", "none", "none", "none"],
    ),
}

SINGLE_ORDER = {"web order page", "api order detail and timeline"}


def cases():
    for surface, (_, answers) in SURFACES.items():
        for viewer, answer in zip(VIEWERS, answers, strict=True):
            yield pytest.param(surface, viewer, answer, id=f"{surface}-{viewer}")


@pytest.mark.parametrize(("surface", "viewer", "answer"), list(cases()))
def test_each_viewer_sees_exactly_its_share_of_a_confidential_citizen(
    case, surface, viewer, answer
):
    read, _ = SURFACES[surface]
    user = case.users[viewer]
    number = case.order.number
    logged = PersonalInfoAccess.objects.filter(user=user).count() if user else 0
    with time_machine.travel(NOW, tick=False):
        response = read(user, number)
    text = body(response) if response.status_code == 200 else ""

    secrets = [PHONE, ID, OLD_PHONE]
    if answer == "full":
        assert response.status_code == 200, response.status_code
        assert number in text and PHONE in text
        if surface in SINGLE_ORDER:
            assert ID in text
            new_rows = PersonalInfoAccess.objects.filter(user=user).count() - logged
            assert new_rows == 1, "an unmasked view of one order writes one access-log row"
        if surface == "api order detail and timeline":
            assert OLD_PHONE in text  # the timeline's change of phone, as stored
        return
    for secret in secrets:
        assert secret not in text, (secret, text[:2000])
    if user is not None:
        assert PersonalInfoAccess.objects.filter(user=user).count() == logged
    if answer == "masked":
        assert response.status_code == 200
        assert number in text and MASKED_PHONE in text
    elif answer == "summary":
        assert response.status_code == 200 and number in text
        assert MASKED_PHONE not in text and "康乐小区5号楼3单元" not in text
    else:
        assert answer == "none"
        assert response.status_code in (200, 302, 401, 403, 404)
        if response.status_code == 200 and surface not in ("dashboard data", "wall screen data"):
            assert number not in text


def test_the_per_surface_table_covers_every_viewer_and_answer():
    for _, answers in SURFACES.values():
        assert len(answers) == len(VIEWERS)
        assert set(answers) <= {"full", "masked", "summary", "none"}


def test_former_unit_summary_keeps_its_own_part_and_nothing_else(case):
    """Decision (docs/privacy.md): 市政养护中心 returned the order; it may open a read-only
    summary of what it did — its assignment, its sign-for and return — but not the
    citizen, the appeal's text, 住建局's part or any action."""
    c = api(case.users["former"])
    with time_machine.travel(NOW, tick=False):
        own = c.get(f"/api/v1/orders/{case.order.number}").json()
        act_response = c.post(f"/api/v1/orders/{case.order.number}/sign")
    assert own["access"] == "own_part" and own["allowed_actions"] == []
    assert own["citizen"] == {"name": "", "phone": "", "address": "", "masked": True}
    assert own["content"] == "" and own["callbacks"] == [] and own["attachments"] == []
    assert {a["unit"]["code"] for a in own["assignments"]} == {"t-hbw-szyh"}
    assert [e["action"] for e in own["timeline"]] == ["dispatch", "sign", "unit_return"]
    assert act_response.status_code == 403
    page = web(case.users["former"]).get(f"/orders/{case.order.number}/").content.decode()
    assert 'data-testid="own-part"' in page and "不属于市政养护职责" in page


def test_unmasked_views_appear_in_the_access_log_api(case, admin_user, leader):
    """Every unmasked view is in the log; admins and leaders read it through the API."""
    with time_machine.travel(NOW, tick=False):
        web(case.users["centre"]).get(f"/orders/{case.order.number}/")
        api(case.users["centre"]).get(f"/api/v1/orders/{case.order.number}")
        web(case.users["lead"]).get(f"/orders/{case.order.number}/")  # masked: not logged
        rows = api(leader).get("/api/v1/privacy/access-log", {"order": case.order.number}).json()
    assert rows["count"] == 2
    assert {r["via"] for r in rows["results"]} == {"web:order_detail", "api:order_detail"}
    first = rows["results"][0]
    assert first["user"]["username"] == "t_reviewer" and first["role"] == "reviewer"
    assert first["purpose"] == {"code": "review", "label": "审核派转"}
    assert set(first["fields"]) == {"citizen_name", "citizen_phone", "citizen_address", "text"}
    assert api(case.users["lead"]).get("/api/v1/privacy/access-log").status_code == 403


def test_former_units_drill_down_lists_its_return_without_citizen_data(case):
    """The assessment counts 市政养护中心's 退单; its drill-down lists the order with the
    title redacted as in its summary — not even 139****5555."""
    c = api(case.users["former"])
    with time_machine.travel(NOW.replace(hour=11), tick=False):  # counted up to "now"
        rows = c.get(
            "/api/v1/analytics/assessment/orders",
            {"metric": "returned", "unit": "t-hbw-szyh", "month": "2026-11"},
        ).json()
        page = web(case.users["former"]).get(
            "/analytics/assessment/orders/",
            {"metric": "returned", "unit": "t-hbw-szyh", "month": "2026-11"},
        )
    (item,) = rows["items"]
    assert item["number"] == case.order.number
    assert item["title"] == "王先生[电话已隐去]反映楼顶漏水"
    text = page.content.decode()
    assert case.order.number in text and PHONE not in text and MASKED_PHONE not in text
