"""Intake never loses a call (issue 16): the form as typed is kept on the server per agent
and form, comes back after a new sign-in, and goes when the form is saved."""

from __future__ import annotations

import re

import pytest

from hotline import clock
from hotline.web.models import FormSubmission, IntakeDraft

pytestmark = pytest.mark.usefixtures("now")

TYPED = {
    "citizen_phone": "13812345678",
    "citizen_name": "王建军",
    "title": "楼道灯不亮",
    "content": "康乐小区3号楼楼道灯坏了一个星期。",
    "address": "康乐小区3号楼",
    "urgency": "urgent",
}


def token_of(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def test_a_draft_comes_back_after_signing_in_again_elsewhere(web, agent):
    first = web(agent)
    token = token_of(first.get("/intake/").content.decode())
    r = first.post("/intake/autosave/", {**TYPED, "form_token": token, "number": ""})
    assert r.status_code == 200 and "saved_at" in r.json()
    draft = IntakeDraft.objects.get(user=agent, number="")
    assert draft.data["citizen_name"] == "王建军" and draft.data["form_token"] == token
    # another machine, a new session
    page = web(agent).get("/intake/").content.decode()
    assert 'data-testid="draft-restored"' in page
    assert 'value="王建军"' in page and "康乐小区3号楼楼道灯坏了一个星期。" in page
    assert re.search(r'value="urgent"[^>]*checked', page)


def test_only_its_author_sees_a_draft(web, agent):
    from conftest import _user

    web(agent).post("/intake/autosave/", {**TYPED, "number": ""})
    other = _user("t_agent2", "agent", agent.unit)
    page = web(other).get("/intake/").content.decode()
    assert "王建军" not in page and "draft-restored" not in page


def test_saving_the_form_drops_the_draft_and_a_late_autosave_is_refused(web, agent, appeal):
    c = web(agent)
    token = token_of(c.get("/intake/").content.decode())
    c.post("/intake/autosave/", {**TYPED, "form_token": token})
    r = c.post("/intake/", {**appeal, "button": "submit", "form_token": token})
    assert r.status_code == 302
    assert not IntakeDraft.objects.exists()
    # an autosave that raced the submit is not kept, nor shown on the next call
    assert c.post("/intake/autosave/", {**TYPED, "form_token": token}).status_code == 409
    IntakeDraft.objects.create(
        user=agent, number="", data={**TYPED, "form_token": token}, saved_at=clock.now()
    )
    assert FormSubmission.objects.filter(token=token).exists()
    assert "draft-restored" not in c.get("/intake/").content.decode()
    assert not IntakeDraft.objects.exists()


def test_discarding_a_draft(web, agent):
    c = web(agent)
    c.post("/intake/autosave/", {**TYPED, "number": ""})
    r = c.post("/intake/autosave/", {"number": "", "discard": "1"})
    assert r.status_code == 302 and not IntakeDraft.objects.exists()


def test_a_queued_orders_form_keeps_its_own_draft(web, agent, flow):
    order = flow.accepted()
    c = web(agent)
    c.post("/intake/autosave/", {**TYPED, "number": order.number, "title": "改过的问题"})
    assert "改过的问题" in c.get(f"/intake/{order.number}/").content.decode()
    assert "改过的问题" not in c.get("/intake/").content.decode()


def test_autosave_is_bounded_and_for_agents_only(web, agent, reviewer):
    c = web(agent)
    c.post("/intake/autosave/", {"title": "长" * 10_000, "unknown": "x"})
    data = IntakeDraft.objects.get().data
    assert len(data["title"]) <= 200 and "unknown" not in data
    assert web(reviewer).post("/intake/autosave/", TYPED).status_code in (302, 403)
