"""``/api/v1/knowledge``: search with the viewer's visibility, CRUD for owners, structured
errors."""

from __future__ import annotations

import pytest

from hotline.api.tests.conftest import Api
from hotline.knowledge.models import Entry
from hotline.knowledge.tests.conftest import FUND


def body(**extra) -> dict:
    return {**FUND, "effective_from": "2026-01-01", "review_on": "2026-12-31", **extra}


def test_search_returns_valid_entries_for_agents(make_entry, agent):
    fund = make_entry()
    make_entry("draft", title="维修资金草稿")
    out = Api(agent).ok("get", "/knowledge/search?q=维修资金怎么用")
    assert [r["id"] for r in out["results"]] == [fund.pk]
    hit = out["results"][0]
    assert hit["valid"] is True and hit["state"] == {"code": "published", "label": "已发布"}
    assert "<mark>" in hit["snippet"]


@pytest.mark.clause("4.2")
def test_owner_creates_edits_submits_and_the_centre_publishes(clerk, supervisor, other_clerk):
    api = Api(clerk)
    created = api.ok("post", "/knowledge/entries", body(), status=201)
    assert created["state"]["code"] == "draft" and created["owner_unit"]["code"] == "t-hbw-zjj"
    pk = created["id"]
    edited = api.ok("patch", f"/knowledge/entries/{pk}", {"keywords": "维修基金"})
    assert edited["keywords"] == "维修基金"
    assert api.ok("post", f"/knowledge/entries/{pk}/submit")["state"]["code"] == "pending"
    r = api.post(f"/knowledge/entries/{pk}/publish")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    out = Api(supervisor).ok("post", f"/knowledge/entries/{pk}/publish")
    assert out["state"]["code"] == "published"
    versions = api.ok("get", f"/knowledge/entries/{pk}/versions")["results"]
    assert [v["action"] for v in versions] == ["publish", "submit", "update", "create"]
    r = Api(other_clerk).patch(f"/knowledge/entries/{pk}", {"keywords": "x"})
    assert r.status_code == 403
    mine = Api(other_clerk).ok("get", "/knowledge/entries?mine=true")["results"]
    assert mine == []


def test_errors_are_structured_and_in_chinese(clerk, agent):
    r = Api(clerk).post("/knowledge/entries", body(title="", owner_unit="t-hbw-szyh"))
    assert r.status_code == 422
    assert r.json()["fields"] == {
        "title": "标题为必填项",
        "owner_unit": "只能维护本单位及下级单位的知识条目",
    }
    assert Api(agent).post("/knowledge/entries", body()).status_code == 403
    assert Api(agent).get("/knowledge/entries/12345").status_code == 404
    draft = Api(clerk).ok("post", "/knowledge/entries", body(), status=201)
    assert Api(agent).get(f"/knowledge/entries/{draft['id']}").status_code == 404
    r = Api(clerk).post(f"/knowledge/entries/{draft['id']}/expire")
    assert r.status_code == 409 and r.json()["state"] == "draft"
    assert Entry.objects.count() == 1
