"""A third-party GeoReport v2 client: it knows the spec's paths and parameters and nothing
else of hotline (no staff token, no order API)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

BASE = "/open311/v2"

# The citizen behind the app's requests: none of this may ever come back out.
CITIZEN = {
    "first_name": "秀英",
    "last_name": "李",
    "phone": "13900001111",
    "email": "lixiuying@example.com",
}
PERSONAL = ["李秀英", "13900001111", "lixiuying@example.com"]


class GeoReportClient:
    """What a city app does with an Open311 endpoint and an API key."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.http = Client()

    def get(self, resource: str, fmt: str = "json", *, key: str | None = None, **params):
        """A read, anonymous by default; ``key="default"`` sends the app's own key (a key
        holder also sees its own submissions, in full)."""
        if key is not None:
            params["api_key"] = self.api_key if key == "default" else key
        return self.http.get(f"{BASE}/{resource}.{fmt}", params)

    def get_json(self, resource: str, *, key: str | None = None, **params):
        r = self.get(resource, "json", key=key, **params)
        assert r.status_code == 200, (r.status_code, r.content.decode())
        assert r["Content-Type"].startswith("application/json")
        return r.json()

    def get_xml(self, resource: str, *, key: str | None = None, **params) -> ET.Element:
        r = self.get(resource, "xml", key=key, **params)
        assert r.status_code == 200, (r.status_code, r.content.decode())
        assert r["Content-Type"].startswith("text/xml")
        assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        return ET.fromstring(r.content)

    def post(self, fmt: str = "json", *, key: str | None = "default", headers=None, **params):
        body = dict(params)
        if key is not None:
            body["api_key"] = self.api_key if key == "default" else key
        return self.http.post(f"{BASE}/requests.{fmt}", body, headers=headers or {})

    def post_ok(self, **params) -> dict:
        r = self.post(**params)
        assert r.status_code == 200, (r.status_code, r.content.decode())
        rows = r.json()
        assert isinstance(rows, list) and len(rows) == 1
        return rows[0]


def errors_json(response) -> list[dict]:
    rows = json.loads(response.content)
    assert isinstance(rows, list) and rows
    assert all(set(row) == {"code", "description"} for row in rows)
    return rows


def errors_xml(response) -> list[dict]:
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    return [
        {"code": int(e.findtext("code")), "description": e.findtext("description")}
        for e in root.findall("error")
    ]


@pytest.fixture
def city_app(org):
    """城市通 App, an outside mobile app the 管理员 registered as a channel client
    (channel ``app``) with ``hotline apikey create``; its submissions wait for an agent's
    acceptance check."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "apikey", "create", "--name", "城市通 App", "--channel", "app", "--rate", "1000", stdout=out
    )
    return GeoReportClient(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def leaking_roof():
    """A citizen reports the leaking roof of an old estate through the app."""
    return {
        "service_code": "housing_maintenance",
        "description": "康乐小区3号楼顶楼防水层老化，一下雨就往屋里漏水。",
        "lat": "39.655300",
        "long": "106.794100",
        **CITIZEN,
    }
