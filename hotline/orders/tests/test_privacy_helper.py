"""The Django helper of the masking policy: search rules, notices to units, hotspots, the
intake page's access-log row, the access log's export and admin."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
import time_machine
from django.test import Client

from hotline.orders import actions as act
from hotline.orders import privacy
from hotline.orders.models import PersonalInfoAccess, WorkOrder
from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)


def _confidential(agent, appeal, **extra):
    return act.do_create_order(agent, {**appeal, "display_mode": "confidential", **extra}, now=NOW)


def test_a_units_search_by_phone_or_name_never_matches_a_confidential_citizen(
    agent, reviewer, clerk, appeal, org
):
    """§6.1.6: the rule i20's search box calls too (``privacy.citizen_search``)."""
    secret = _confidential(agent, appeal, content="王建军家楼顶漏水，电话13812345678")
    public = act.do_create_order(
        agent, {**appeal, "content": "王建军家楼顶漏水，电话13812345678"}, now=NOW
    )
    for o in (secret, public):
        act.do_submit(o, agent, now=NOW)
        act.do_dispatch(o, reviewer, lead_unit=org.zjj, now=NOW)
    mine = privacy.visible_orders(clerk)

    def found(**kw):
        return set(privacy.citizen_search(mine, clerk, **kw).values_list("pk", flat=True))

    assert found(phone="13812345678") == {public.pk}
    assert found(name="王建军") == {public.pk}
    assert found(text="建军") == {public.pk}  # part of the citizen's name
    assert found(text="5678") == {public.pk}  # digits could probe the phone
    assert found(text="楼顶漏水") == {secret.pk, public.pk}  # an ordinary word finds both
    assert found(text=secret.number) == {secret.pk}  # the number always
    everything = privacy.visible_orders(reviewer)
    assert privacy.citizen_search(everything, reviewer, phone="13812345678").count() == 2
    # without a user: the strictest answer
    assert privacy.citizen_search(everything, None, phone="13812345678").count() == 1


def test_notices_to_units_mask_a_confidential_title(agent, appeal, org):
    from hotline.supervision import notify

    order = _confidential(agent, appeal, title="13812345678王先生反映漏水")
    text = notify.deadline_text("warning", "feedback", order, NOW, NOW)
    assert "13812345678" not in text.body and "138****5678" in text.body
    public = act.do_create_order(agent, {**appeal, "title": "13812345678王先生反映漏水"}, now=NOW)
    assert "13812345678" in notify.deadline_text("warning", "feedback", public, NOW, NOW).body


def test_hotspot_reports_carry_no_personal_data(db):
    from hotline.analytics.concentrated import enrich

    report = {
        "groups": [
            {
                "label": "13812345678漏水",
                "terms": ["13812345678"],
                "place": "康乐小区",
                "member_ids": [],
                "representative_id": 0,
                "units": [],
                "categories": [],
                "places": [],
            }
        ],
        "rising_terms": [{"key": "13812345678", "related": [], "example_ids": []}],
        "rising_groups": [],
        "repeats": [{"citizen": "13812345678", "member_ids": [], "title": "电话13812345678"}],
    }
    out = str(enrich(report, []))
    assert "13812345678" not in out and "138****5678" in out


def test_the_intake_page_writes_an_access_log_row(agent, appeal):
    """The agent's intake edit page shows name and phone as stored: logged."""
    order = act.do_create_order(agent, appeal)
    c = Client()
    c.force_login(agent)
    assert c.get(f"/intake/{order.number}/").status_code == 200
    row = PersonalInfoAccess.objects.get(order=order)
    assert (row.user, row.via, row.purpose) == (agent, "web:intake_edit", "intake")
    assert {"citizen_name", "citizen_phone"} <= set(row.fields)


def test_admins_and_leaders_filter_and_export_the_access_log(agent, leader, admin_user, appeal):
    from hotline.org.models import ApiToken

    order = act.do_create_order(agent, appeal)
    other = act.do_create_order(agent, appeal)
    with time_machine.travel(NOW, tick=False):
        privacy.seen_by(agent, order, via="web:order_detail")
        privacy.seen_by(agent, other, via="api:order_detail")
    _, key = ApiToken.issue(leader, "audit")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    rows = c.get("/api/v1/privacy/access-log", {"via": "api:", "date_from": "2026-11-03"}).json()
    assert [r["order"] for r in rows["results"]] == [other.number]
    assert c.get("/api/v1/privacy/access-log", {"field": "citizen_phone"}).json()["count"] == 2
    assert c.get("/api/v1/privacy/access-log", {"date_from": "2026-11-04"}).json()["count"] == 0
    bad = c.get("/api/v1/privacy/access-log", {"purpose": "curiosity"})
    assert bad.status_code == 422 and "purpose" in bad.json()["fields"]
    export = c.get("/api/v1/privacy/access-log.xlsx", {"user": "t_agent"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:5] == ["查看时间", "查看人", "姓名", "角色", "工单编号"]
    assert {v[4] for v in values[1:]} == {order.number, other.number}
    # the admin lists it and exports the selection as CSV
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get("/admin/orders/personalinfoaccess/", {"purpose__exact": "intake"})
    assert page.status_code == 200 and order.number in page.content.decode()
    csv = admin.post(
        "/admin/orders/personalinfoaccess/",
        {
            "action": "export_access_csv",
            "_selected_action": list(PersonalInfoAccess.objects.values_list("pk", flat=True)),
        },
    )
    assert csv.status_code == 200 and other.number in csv.content.decode("utf-8-sig")
    assert WorkOrder.objects.count() == 2
