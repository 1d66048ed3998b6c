"""Headers, redirects, pagination and the API documentation (issue 15 items 4 and 6).

* Every page and API answer carries ``Cache-Control: no-store`` (citizens' names, phones
  and appeals must stay off shared computers and proxies), ``X-Frame-Options: DENY`` and
  ``Referrer-Policy: same-origin``; static files stay cacheable.
* A ``next`` that points to another site is ignored (the hotspot hand-over form was an
  open redirect).
* A bad ``page``, ``size``, ``offset`` or ``limit`` is a 4xx with a Chinese message,
  never a 500 — on every list of the workbench and the API (schemathesis covers the API's
  schema; this covers the values that used to reach the database).
* ``/api/docs`` and ``/api/openapi.json`` need a login unless ``HOTLINE_PUBLIC_API_DOCS``.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from hotline.org.models import ApiToken

pytestmark = pytest.mark.usefixtures("now")


def _assert_private(response) -> None:
    cache = response["Cache-Control"]
    assert "no-store" in cache, cache
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_with_personal_data_are_never_cached(web, agent, appeal):
    from hotline.orders import actions

    order = actions.do_create_order(agent, appeal)
    client = web(agent)
    for url in ("/orders/", f"/orders/{order.number}/", "/intake/", "/intake/queue/"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "王建军" in r.content.decode() or url != f"/orders/{order.number}/"
        _assert_private(r)


def test_api_answers_are_never_cached(agent, appeal, as_api):
    from hotline.orders import actions

    order = actions.do_create_order(agent, appeal)
    api = as_api(agent)
    for path in ("/orders", f"/orders/{order.number}", "/me"):
        r = api.get(path)
        assert r.status_code == 200, path
        _assert_private(r)


def test_public_pages_and_open311_are_never_cached(db):
    for url in (
        "/portal/",
        "/portal/track/",
        "/login/",
        "/open311/v2/services.json",
        "/open311/v2/requests.json",
    ):
        r = Client().get(url)
        assert r.status_code == 200, url
        _assert_private(r)


def test_errors_are_not_cached_either(db):
    r = Client().get("/orders/nope/")
    assert r.status_code in (302, 404)
    _assert_private(r)


def test_static_files_stay_cacheable(db):
    r = Client().get("/static/web/workbench.css")
    assert r.status_code == 200
    assert "no-store" not in r.get("Cache-Control", "")


# --- redirects ------------------------------------------------------------------------------

FOREIGN = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example/phish",
    "http:/\\evil.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", FOREIGN)
def test_the_hotspot_hand_over_form_does_not_redirect_to_another_site(web, leader, target):
    r = web(leader).post("/analytics/hotspots/hand-over/", {"title": "", "next": target})
    assert r.status_code == 302
    assert r["Location"] == "/analytics/hotspots/"


def test_the_hotspot_hand_over_form_goes_back_to_a_page_of_ours(web, leader):
    own = "/analytics/hotspots/?month=2026-03"
    r = web(leader).post("/analytics/hotspots/hand-over/", {"title": "", "next": own})
    assert r["Location"] == own


@pytest.mark.parametrize("target", FOREIGN)
def test_a_knowledge_step_does_not_redirect_to_another_site(web, clerk, target):
    from hotline.knowledge import actions
    from hotline.knowledge.tests.conftest import FUND

    entry = actions.do_create(clerk, FUND)
    r = web(clerk).post(f"/knowledge/{entry.pk}/act/submit/", {"next": target})
    assert r.status_code == 302
    assert r["Location"] == f"/knowledge/{entry.pk}/"


@pytest.mark.parametrize("target", FOREIGN)
def test_the_login_page_does_not_redirect_to_another_site(agent, target):
    agent.set_password("Kangle-Roof-2026")
    agent.save()
    r = Client().post(
        "/login/", {"username": agent.username, "password": "Kangle-Roof-2026", "next": target}
    )
    assert (
        r.status_code == 302 and "evil" not in r["Location"] and "javascript" not in r["Location"]
    )


# --- pagination -----------------------------------------------------------------------------

BAD_NUMBERS = ["abc", "-1", "0", "1e3", "9" * 30, "1.5", "１", "%00"]

WEB_LISTS = {
    "/orders/": "agent",
    "/intake/queue/": "agent",
    "/review/": "reviewer",
    "/inbox/": "clerk",
    "/supervision/": "supervisor",
    "/callbacks/": "callback_agent",
    "/knowledge/": "agent",
}


# (url, parameter): every paged list reads ?page; all but the knowledge list read ?size
WEB_PARAMS = [(url, p) for url in sorted(WEB_LISTS) for p in ("page", "size")]
WEB_PARAMS.remove(("/knowledge/", "size"))  # a fixed page size: ?size is not read there


@pytest.mark.parametrize(("url", "param"), WEB_PARAMS)
def test_a_bad_page_or_size_on_a_workbench_list_is_a_400_never_a_500(request, web, url, param):
    client = web(request.getfixturevalue(WEB_LISTS[url]))
    assert client.get(url, {param: " "}).status_code == 200  # empty means the default
    for value in BAD_NUMBERS:
        r = client.get(url, {param: value})
        assert r.status_code == 400, (url, param, value, r.status_code)
        page = r.content.decode()
        assert "须为" in page and "之间的整数" in page, page[:300]


@pytest.mark.parametrize("url", sorted(WEB_LISTS))
def test_a_page_past_the_end_shows_the_last_page(request, web, url):
    user = request.getfixturevalue(WEB_LISTS[url])
    assert web(user).get(url, {"page": "99999"}).status_code == 200


def test_a_bad_page_on_the_drill_down_page_is_a_400(web, leader, org):
    r = web(leader).get(
        "/analytics/assessment/orders/", {"metric": "received", "unit": org.zjj.code, "page": "x"}
    )
    assert r.status_code == 400


API_PAGING = [
    ("/orders", {"page": "0"}),
    ("/orders", {"page": "-1"}),
    ("/orders", {"page": "9" * 30}),
    ("/orders", {"page_size": "100000"}),
    ("/orders", {"page_size": "abc"}),
    ("/supervision/board", {"page": "-5"}),
    ("/supervision/outbox", {"page_size": "0"}),
    ("/supervision/notices", {"limit": "-1"}),
    ("/analytics/assessment/orders", {"offset": "-1"}),
    ("/analytics/assessment/orders", {"offset": "9" * 30}),
    ("/analytics/assessment/orders", {"limit": "0"}),
    ("/analytics/assessment/orders", {"limit": "abc"}),
    ("/knowledge/search", {"q": "公积金", "limit": "-3"}),
    ("/channel/updates", {"limit": "0"}),
]


@pytest.mark.parametrize(("path", "params"), API_PAGING)
def test_bad_paging_in_the_api_is_a_422_never_a_500(admin_user, org, portal_app, path, params):
    if path.startswith("/channel/"):
        client = Client(HTTP_X_API_KEY=portal_app.raw_key)
    else:
        _, key = ApiToken.issue(admin_user, "paging")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    if path.startswith("/analytics/assessment/orders"):
        params = {"metric": "received", "unit": org.zjj.code, **params}
    r = client.get(f"/api/v1{path}", params)
    assert r.status_code == 422, (path, params, r.status_code, r.content[:200])
    assert r.json()["code"] == "invalid" and r.json()["fields"]


# --- API documentation ----------------------------------------------------------------------


@override_settings(HOTLINE_PUBLIC_API_DOCS=False)
def test_api_docs_need_a_login_in_production(db):
    r = Client().get("/api/docs")
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=/api/docs")
    r = Client().get("/api/openapi.json")
    assert r.status_code == 401 and r.json()["message"] == "接口文档需要登录后查看"


@override_settings(HOTLINE_PUBLIC_API_DOCS=False)
def test_signed_in_staff_and_token_holders_read_the_api_docs(web, agent):
    assert web(agent).get("/api/docs").status_code == 200
    assert web(agent).get("/api/openapi.json").status_code == 200
    _, key = ApiToken.issue(agent, "docs")
    r = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/openapi.json")
    assert r.status_code == 200 and "paths" in r.json()


@override_settings(HOTLINE_PUBLIC_API_DOCS=True)
def test_public_api_docs_when_switched_on(db):
    assert Client().get("/api/docs").status_code == 200
    assert Client().get("/api/openapi.json").status_code == 200
