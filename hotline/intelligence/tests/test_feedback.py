"""The learning record: confirmations and corrections, and accuracy by field and week."""

from datetime import datetime

import pytest
import time_machine

from hotline.intelligence.feedback import accuracy
from hotline.intelligence.models import SuggestionFeedback
from hotline.orders import actions as act
from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

LAMP = {
    "title": "路灯不亮",
    "content": "新华街道康乐社区康乐小区门口的路灯坏了好几天，晚上一片漆黑。",
    "category": "street_light",
    "appeal_type": "help",
    "area": "t-kangle",
}


def test_confirming_an_order_records_each_field(flow, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = flow.accepted(**LAMP)
    rows = {r.field: r for r in SuggestionFeedback.objects.filter(order=order)}
    assert {"appeal_type", "domain", "category", "urgency", "area"} <= set(rows)
    assert rows["domain"].suggested == "urban_rural" and rows["domain"].accepted
    assert rows["area"].chosen == "t-kangle" and rows["area"].accepted
    assert rows["category"].chosen == "street_light"
    assert rows["domain"].actor == agent and rows["domain"].model_version == "default"
    assert 0 < rows["domain"].confidence <= 1


def test_a_correction_is_recorded_as_not_accepted(flow, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = flow.accepted(**{**LAMP, "category": "property_management"})
    row = SuggestionFeedback.objects.get(order=order, field="domain")
    assert row.suggested == "urban_rural" and row.chosen == "housing" and not row.accepted


def test_dispatch_records_the_unit_suggestion(
    flow, reviewer, org, lamp, django_capture_on_commit_callbacks
):
    o = flow.pending_review(**LAMP, component_type="street_lamp")
    with django_capture_on_commit_callbacks(execute=True):
        act.do_dispatch(o, reviewer, lead_unit=org.zjj)
    row = SuggestionFeedback.objects.get(order=o, field="lead_unit")
    assert row.suggested == org.szyh.code and row.chosen == org.zjj.code and not row.accepted


def test_feedback_never_breaks_an_action(flow, monkeypatch, django_capture_on_commit_callbacks):
    from hotline.intelligence import services

    def boom(*a, **k):
        raise RuntimeError("model missing")

    monkeypatch.setattr(services, "suggest", boom)
    with django_capture_on_commit_callbacks(execute=True):
        order = flow.accepted(**LAMP)
    assert order.pk and not SuggestionFeedback.objects.exists()


@pytest.mark.django_db
def test_accuracy_by_field_and_week(agent):
    def row(day, field, ok):
        SuggestionFeedback.objects.create(
            field=field,
            suggested="a",
            chosen="a" if ok else "b",
            accepted=ok,
            actor=agent,
            at=datetime(2026, 11, day, 10, tzinfo=SHANGHAI),
        )

    for day, field, ok in [
        (16, "domain", True),
        (17, "domain", False),
        (24, "domain", True),
        (24, "domain", True),
        (25, "urgency", True),
    ]:
        row(day, field, ok)
    with time_machine.travel(datetime(2026, 11, 27, tzinfo=SHANGHAI), tick=False):
        result = accuracy()
    assert result["weeks"] == ["2026-W47", "2026-W48"]
    domain = next(r for r in result["rows"] if r["field"] == "domain")
    assert domain["n"] == 4 and domain["accuracy"] == 0.75
    assert domain["weeks"] == [{"n": 2, "accuracy": 0.5}, {"n": 2, "accuracy": 1.0}]


def test_admin_shows_the_accuracy_table(client, admin_user, agent):
    SuggestionFeedback.objects.create(
        field="domain",
        suggested="a",
        chosen="a",
        accepted=True,
        actor=agent,
        at=datetime.now(tz=SHANGHAI),
    )
    client.force_login(admin_user)
    page = client.get("/admin/intelligence/suggestionfeedback/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="accuracy"' in html and "归口分类" in html and "100%" in html
    assert client.get("/admin/intelligence/routingrule/").status_code == 200
    assert client.get("/admin/intelligence/routingrule/add/").status_code == 200


def test_rejecting_a_call_confirms_the_not_accepted_suggestion(
    agent, org, django_capture_on_commit_callbacks
):
    """§5.3 d: a fire is the 119's; the agent transfers the caller and records it."""
    with django_capture_on_commit_callbacks(execute=True):
        order = act.do_record_rejected(
            agent,
            {"channel": "phone", "title": "着火了", "content": "楼下饭店着火了，浓烟很大，快打119"},
            reason="d_emergency_line",
            emergency_line="119",
        )
    row = SuggestionFeedback.objects.get(order=order, field="not_accepted_reason")
    assert row.suggested == row.chosen == "d_emergency_line" and row.accepted
    assert not SuggestionFeedback.objects.filter(order=order, field="domain").exists()


def test_accepting_a_call_flagged_as_out_of_scope_is_a_correction(
    flow, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = flow.accepted(content="楼道里有烟味，像是着火了，已经打了119，想问物业为什么不管")
    row = SuggestionFeedback.objects.filter(order=order, field="not_accepted_reason").first()
    assert row is not None and row.chosen == "" and not row.accepted


def test_admin_edits_the_routing_catalogue(client, admin_user, org):
    from hotline.catalog.models import Category
    from hotline.intelligence.models import RoutingRule

    client.force_login(admin_user)
    r = client.post(
        "/admin/intelligence/routingrule/add/",
        {
            "category": Category.objects.get(code="street_light").pk,
            "area": org.district.pk,
            "component_type": "street_lamp",
            "keyword": "",
            "unit": org.szyh.pk,
            "priority": 10,
            "enabled": "on",
            "note": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    rule = RoutingRule.objects.get()
    assert str(rule) == "规则：城乡建设/路灯照明 · 海勃湾区 · 路灯 → 海勃湾区市政养护中心"
