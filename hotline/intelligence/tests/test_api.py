"""``/api/v1/intelligence/…`` and ``/api/v1/orders/{number}/link|merge|unmerge``."""

import pytest

from hotline.intelligence.models import SuggestionFeedback

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def test_suggest_returns_everything(as_, agent, flow, lamp, now):
    """The call comes in at the frozen ``now``; the earlier order of the same caller was made
    at that instant too, so it is an open near-duplicate whatever the real date."""
    first = flow.accepted(
        title="路灯不亮", content="新华街道康乐社区康乐小区门口路灯不亮", category="street_light"
    )
    body = as_(agent).ok(
        "post",
        "/intelligence/suggest",
        {
            "title": "路灯不亮",
            "content": "新华街道康乐社区康乐小区门口路灯不亮，昨晚开始的",
            "phone": "13912345678",
            "at": now.isoformat(),
        },
    )
    assert body["domain"][0]["code"] == "urban_rural"
    assert body["category"][0]["code"] == "street_light"
    assert body["elements"]["areas"][0]["code"] == "t-kangle"
    assert body["elements"]["times"][0]["start"].startswith("2026-03-09T")  # 昨晚
    assert body["units"][0]["name"] == "海勃湾区市政养护中心"
    assert body["units"][0]["reasons"]
    assert [d["number"] for d in body["duplicates"]] == [first.number]
    for key in ("type", "urgency", "emergency_kind", "not_accepted_reason", "model_version"):
        assert key in body


def test_suggest_errors(as_, agent, clerk):
    r = as_(agent).post("/intelligence/suggest", {"title": " "})
    assert r.status_code == 422 and "content" in r.json()["fields"]
    r = as_(agent).post("/intelligence/suggest", {"title": "路灯", "at": "2026-11-27T09:30:00"})
    assert r.status_code == 422 and "at" in r.json()["fields"]
    assert as_(clerk).post("/intelligence/suggest", {"title": "路灯"}).status_code == 403


def test_link_merge_unmerge(as_, agent, flow):
    main, dup, other = (
        flow.accepted(),
        flow.accepted(title="同一楼顶"),
        flow.accepted(title="另一单"),
    )
    api = as_(agent)
    assert api.ok("post", f"/orders/{other.number}/link", {"main": main.number})["kind"] == "link"
    out = api.ok("post", f"/orders/{dup.number}/merge", {"main": main.number, "reason": "同一楼顶"})
    assert out == {
        "order": dup.number,
        "state": "merged",
        "state_label": "已并单",
        "main": main.number,
        "kind": "merge",
    }
    r = api.post(f"/orders/{dup.number}/merge", {"main": main.number})
    assert r.status_code == 409 and r.json()["state"] == "merged"
    r = api.post(f"/orders/{dup.number}/unmerge", {"reason": ""})
    assert r.status_code == 422
    assert (
        api.ok("post", f"/orders/{dup.number}/unmerge", {"reason": "不是同一栋"})["state"]
        == "accepted"
    )
    assert api.post(f"/orders/{dup.number}/merge", {"main": "20990101000001"}).status_code == 404
    detail = api.ok("get", f"/orders/{main.number}")
    assert [e["action"] for e in detail["timeline"]][-3:] == [
        "duplicate_linked",
        "merged_in",
        "unmerged_out",
    ]


def test_unit_cannot_merge(as_, clerk, flow):
    a = flow.handling()
    b = flow.handling(title="同一问题")
    r = as_(clerk).post(f"/orders/{b.number}/merge", {"main": a.number})
    assert r.status_code in (403, 409)


def test_feedback_endpoint(as_, agent, flow):
    o = flow.accepted()
    api = as_(agent)
    body = api.ok(
        "post",
        "/intelligence/feedback",
        {
            "order": o.number,
            "field": "domain",
            "suggested": "urban_rural",
            "chosen": "housing",
            "confidence": 0.7,
        },
        status=201,
    )
    assert body["accepted"] is False
    row = SuggestionFeedback.objects.get(pk=body["id"])
    assert row.source == "api" and row.actor == agent and row.order == o
    assert api.post("/intelligence/feedback", {"field": "colour"}).status_code == 422


def test_openapi_lists_the_endpoints(as_, agent):
    paths = as_(agent).client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/v1/intelligence/suggest",
        "/api/v1/intelligence/feedback",
        "/api/v1/orders/{number}/link",
        "/api/v1/orders/{number}/merge",
        "/api/v1/orders/{number}/unmerge",
    ):
        assert path in paths
