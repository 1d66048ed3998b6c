"""Who may write what (§4.2 c): units their own and their sub-units' entries, the centre
everything and alone publishes; agents only read."""

from __future__ import annotations

import pytest

from hotline.knowledge import actions
from hotline.knowledge.tests.conftest import FUND, LAMP
from hotline.orders.errors import Conflict, Forbidden, ValidationFailed


def test_clerk_writes_an_entry_for_its_own_unit_as_a_draft(clerk):
    entry = actions.do_create(clerk, FUND)
    assert entry.state == "draft" and entry.owner_unit == clerk.unit
    assert entry.created_by == clerk


def test_clerk_cannot_write_for_another_unit(clerk):
    with pytest.raises(ValidationFailed) as exc:
        actions.do_create(clerk, LAMP)
    assert exc.value.fields["owner_unit"] == "只能维护本单位及下级单位的知识条目"


def test_parent_unit_edits_its_sub_units_entries_and_another_unit_may_not(
    clerk, district_clerk, other_clerk
):
    entry = actions.do_create(clerk, FUND)
    actions.do_update(entry, district_clerk, {"keywords": "维修基金"})
    with pytest.raises(Forbidden):
        actions.do_update(entry, other_clerk, {"keywords": "x"})
    with pytest.raises(Forbidden):
        actions.do_submit(entry, other_clerk)


def test_agent_reads_but_cannot_write(agent, web):
    with pytest.raises(Forbidden):
        actions.do_create(agent, FUND)
    assert web(agent).get("/knowledge/new/").status_code == 403
    assert web(agent).get("/knowledge/review/").status_code == 403


def test_only_the_centre_publishes(clerk, supervisor, web):
    entry = actions.do_submit(actions.do_create(clerk, FUND), clerk)
    with pytest.raises(Forbidden):
        actions.do_publish(entry, clerk)
    assert web(clerk).get("/knowledge/review/").status_code == 403
    page = web(supervisor).get("/knowledge/review/").content.decode()
    assert FUND["title"] in page
    r = web(supervisor).post(f"/knowledge/{entry.pk}/act/publish/")
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.state == "published" and entry.published_at is not None


def test_clerk_edit_page_saves_with_chinese_field_errors(clerk, web):
    c = web(clerk)
    r = c.post("/knowledge/new/", {"title": "", "answer": "", "owner_unit": "t-hbw-zjj"})
    assert r.status_code == 422
    page = r.content.decode()
    for message in ("标题为必填项", "答复口径为必填项", "诉求分类为必填项"):
        assert message in page
    r = c.post(
        "/knowledge/new/",
        {**FUND, "effective_from": "2026-03-01", "expires_on": "2026-02-01", "review_on": ""},
    )
    assert r.status_code == 422 and "失效日期不能早于生效日期" in r.content.decode()
    r = c.post("/knowledge/new/", {**FUND, "effective_from": "2026-01-01", "review_on": ""})
    assert r.status_code == 302
    entry = clerk.unit.knowledge.get()
    assert web(clerk).get(f"/knowledge/{entry.pk}/edit/").status_code == 200


def test_unit_user_cannot_open_another_units_draft(clerk, other_clerk, web):
    entry = actions.do_create(clerk, FUND)
    assert web(other_clerk).get(f"/knowledge/{entry.pk}/").status_code == 404
    with pytest.raises(Conflict):
        actions.do_expire(entry, clerk)  # a draft cannot be expired
