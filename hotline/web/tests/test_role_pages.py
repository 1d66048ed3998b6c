"""Each role lands on its own page, sees its own navigation and cannot open the others'."""

from __future__ import annotations

import pytest
from django.test import Client

ROLE_PAGES = {
    "agent": "/intake/",
    "reviewer": "/review/",
    "clerk": "/inbox/",
    "supervisor": "/supervision/",
    "callback_agent": "/callbacks/",
    "leader": "/analytics/",
}


def test_anonymous_visitors_are_sent_to_the_login_page(db):
    r = Client().get("/review/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert Client().get("/login/").status_code == 200


def test_login_form_signs_in_with_a_password_and_lands_on_the_role_home(reviewer):
    reviewer.set_password("hotline12345")
    reviewer.save()
    c = Client()
    bad = c.post("/login/", {"username": "t_reviewer", "password": "wrong"})
    assert "用户名或密码不正确" in bad.content.decode()
    r = c.post("/login/", {"username": "t_reviewer", "password": "hotline12345"}, follow=True)
    assert r.redirect_chain[-1][0] == "/review/"
    assert "审核派转" in r.content.decode()


@pytest.mark.parametrize("persona,page", ROLE_PAGES.items())
def test_home_redirects_each_role_to_its_own_page(request, web, persona, page):
    user = request.getfixturevalue(persona)
    r = web(user).get("/")
    assert r.status_code == 302 and r["Location"] == page
    assert web(user).get(page).status_code == 200


@pytest.mark.parametrize("persona", ROLE_PAGES)
def test_role_pages_of_other_roles_are_forbidden(request, web, persona):
    """A role may open only its own work page (leader also reads the supervision board;
    reviewer and supervisor also read the dashboard)."""
    user = request.getfixturevalue(persona)
    allowed = {ROLE_PAGES[persona]}
    if persona == "leader":
        allowed.add("/supervision/")
    if persona != "clerk":  # 数据看板 is for everyone at the centre (hotline.analytics)
        allowed.add("/analytics/")
    c = web(user)
    for page in set(ROLE_PAGES.values()) - allowed:
        r = c.get(page)
        assert r.status_code == 403, (persona, page)
        assert "无权" in r.content.decode() or "仅限中心人员" in r.content.decode()


def test_administrator_opens_every_role_page_and_the_admin_link(web, admin_user):
    c = web(admin_user)
    for page in ROLE_PAGES.values():
        assert c.get(page).status_code == 200, page
    assert 'href="/admin/"' in c.get("/analytics/").content.decode()


def test_navigation_is_built_for_the_role(web, agent, clerk):
    agent_page = web(agent).get("/intake/").content.decode()
    assert "登记工单" in agent_page and "受理队列" in agent_page and "审核派转" not in agent_page
    unit_page = web(clerk).get("/inbox/").content.decode()
    assert "本单位工单" in unit_page and "登记工单" not in unit_page
    assert "海勃湾区住房和城乡建设局" in unit_page  # who is signed in, and for which unit


def test_navigation_takes_items_added_by_other_apps(web, leader, monkeypatch):
    """Other engineers add pages by appending a NavItem; no template changes."""
    from hotline.web import nav

    monkeypatch.setattr(
        nav, "NAV", [*nav.NAV, nav.NavItem("kb", "知识库", "/kb/", frozenset({"leader"}))]
    )
    page = web(leader).get("/analytics/").content.decode()
    assert 'href="/kb/"' in page and "知识库" in page


def test_logout_is_a_post_and_ends_the_session(web, agent):
    c = web(agent)
    r = c.post("/logout/")
    assert r.status_code == 302 and r["Location"] == "/login/"
    assert c.get("/intake/").status_code == 302
