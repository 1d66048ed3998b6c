"""A NUL character never reaches the database (PostgreSQL would fail the query with a
server error; SQLite would store it): every entrance answers 400 with a clear message."""

import json

import pytest

from hotline.system.middleware import MESSAGE


@pytest.mark.django_db
def test_api_json_body_with_nul_is_a_structured_400(client):
    r = client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": "agent\u0000", "password": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json() == {
        "code": "invalid_character",
        "message": MESSAGE,
        "fields": {"body": MESSAGE},
    }


@pytest.mark.django_db
def test_query_string_with_nul_names_the_parameter(client, agent):
    client.force_login(agent)
    r = client.get("/api/v1/orders", {"q": "路灯\x00"})
    assert r.status_code == 400 and r.json()["fields"] == {"q": MESSAGE}
    page = client.get("/orders/", {"q": "路灯\x00"})
    assert page.status_code == 400 and MESSAGE in page.content.decode()


@pytest.mark.django_db
def test_open311_form_post_with_nul_answers_in_the_requested_format(client):
    r = client.post("/open311/v2/requests.xml", {"service_code": "x", "description": "a\x00b"})
    assert r.status_code == 400
    assert "<code>400</code>" in r.content.decode() and MESSAGE in r.content.decode()
    r = client.post("/open311/v2/requests.json", {"service_code": "x", "description": "a\x00b"})
    assert r.status_code == 400 and r.json() == [{"code": 400, "description": MESSAGE}]


@pytest.mark.django_db
def test_ordinary_input_passes(client):
    r = client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": "nobody", "password": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 401
