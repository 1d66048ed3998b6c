"""Errors as the spec's list of {code, description}, in the format the path asked for:
400 missing/invalid parameter, 403 bad or missing api_key, 404 unknown service or request,
429 rate limited.  An empty parameter counts as absent."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from hotline.open311.tests.conftest import errors_json, errors_xml
from hotline.orders.models import WorkOrder
from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

PARSE = {"json": errors_json, "xml": errors_xml}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_or_bad_api_key_is_403_and_creates_nothing(city_app, leaking_roof, fmt):
    for key in (None, "", "hk_not-a-key"):
        r = city_app.post(fmt, key=key, **leaking_roof)
        assert r.status_code == 403
        (err,) = PARSE[fmt](r)
        assert err["code"] == 403 and "api_key" in err["description"]
    assert not WorkOrder.objects.exists()


def test_disabled_client_is_403(city_app, leaking_roof):
    from hotline.channels.models import ChannelClient

    ChannelClient.objects.update(enabled=False)
    assert city_app.post(**leaking_roof).status_code == 403


def test_api_key_in_the_query_string_is_accepted(city_app, leaking_roof):
    r = city_app.http.post(f"/open311/v2/requests.json?api_key={city_app.api_key}", leaking_roof)
    assert r.status_code == 200, r.content.decode()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_service_code_and_location_are_400_listed_together(city_app, fmt):
    r = city_app.post(fmt, description="路灯不亮", phone="13900001111")
    assert r.status_code == 400
    descriptions = [e["description"] for e in PARSE[fmt](r)]
    assert any("service_code" in d for d in descriptions)
    assert any("lat" in d and "address_string" in d for d in descriptions)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_empty_parameters_count_as_absent(city_app, leaking_roof, fmt):
    """``lat=&long=&address_string=`` is no location at all; ``service_code=`` no service."""
    r = city_app.post(fmt, **{**leaking_roof, "lat": "", "long": " ", "address_string": ""})
    assert r.status_code == 400
    assert "须提供位置" in PARSE[fmt](r)[0]["description"]
    r = city_app.post(fmt, **{**leaking_roof, "service_code": ""})
    assert r.status_code == 400 and "service_code" in PARSE[fmt](r)[0]["description"]
    # empty optional parameters are simply not there: the request goes through
    row = city_app.post_ok(**{**leaking_roof, "address_string": "", "email": "", "device_id": ""})
    assert WorkOrder.objects.get(number=row["service_request_id"]).address == ""
    # and an empty filter filters nothing
    assert city_app.get_json("requests", status="", service_code="", start_date="") == []


def test_invalid_parameters_are_400(city_app, leaking_roof):
    cases = [
        ({"lat": "abc"}, "lat"),
        ({"lat": "91"}, "lat"),
        ({"long": ""}, "lat 与 long 须同时提供"),
        ({"address_id": "nowhere"}, "address_id"),
        ({"attribute[urgency]": "panic"}, "attribute[urgency]"),
        ({"phone": "call me"}, "phone"),
    ]
    for change, expected in cases:
        r = city_app.post(**{**leaking_roof, **change})
        assert r.status_code == 400, (change, r.content.decode())
        assert any(expected in e["description"] for e in errors_json(r)), (change, r.json())
    assert not WorkOrder.objects.exists()


def test_a_request_without_phone_is_400_naming_the_parameter(city_app, leaking_roof):
    body = {k: v for k, v in leaking_roof.items() if k != "phone"}
    r = city_app.post(**body)
    assert r.status_code == 400
    assert errors_json(r)[0]["description"].startswith("参数 phone：")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(city_app, leaking_roof, fmt):
    r = city_app.get("services/no_such_service", fmt)
    assert r.status_code == 404 and PARSE[fmt](r)[0]["code"] == 404
    r = city_app.post(fmt, **{**leaking_roof, "service_code": "no_such_service"})
    assert r.status_code == 404 and "no_such_service" in PARSE[fmt](r)[0]["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_and_token_are_404(city_app, fmt):
    r = city_app.get("requests/20990101000001", fmt)
    assert r.status_code == 404 and PARSE[fmt](r)[0]["code"] == 404
    r = city_app.get("tokens/20990101000001.forged", fmt)
    assert r.status_code == 404 and PARSE[fmt](r)[0]["code"] == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(city_app, fmt):
    for params in (
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-11-10T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"},
    ):
        r = city_app.get("requests", fmt, **params)
        assert r.status_code == 400, params
        assert PARSE[fmt](r)[0]["code"] == 400


def test_unknown_resource_and_format_are_404_in_the_spec_form(city_app):
    r = city_app.http.get("/open311/v2/services.csv")
    assert r.status_code == 404 and errors_xml(r)[0]["code"] == 404
    r = city_app.http.get("/open311/v2/whatever.json")
    assert r.status_code == 404 and errors_json(r)[0]["code"] == 404


def test_wrong_method_is_405(city_app):
    r = city_app.http.post("/open311/v2/services.json")
    assert r.status_code == 405 and errors_json(r)[0]["code"] == 405
    assert r["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_rate_limited_client_gets_429_with_retry_after(city_app, leaking_roof, fmt):
    from hotline.channels.models import ChannelClient

    ChannelClient.objects.update(rate_limit_per_minute=1)
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, 10, tzinfo=SHANGHAI), tick=False):
        assert city_app.post(fmt, **leaking_roof).status_code == 200
        r = city_app.post(fmt, **{**leaking_roof, "description": "另一件事：楼道灯不亮。"})
    assert r.status_code == 429
    assert PARSE[fmt](r)[0]["code"] == 429
    assert int(r["Retry-After"]) >= 1
    assert WorkOrder.objects.count() == 1


def test_reads_are_limited_per_client_address(city_app, settings):
    settings.HOTLINE_OPEN311_READS_PER_MINUTE = 2
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, 10, tzinfo=SHANGHAI), tick=False):
        assert city_app.get("requests").status_code == 200
        assert city_app.get("requests/20261102000001").status_code == 404
        r = city_app.get("requests", "xml")
        assert r.status_code == 429
        assert errors_xml(r)[0]["code"] == 429 and int(r["Retry-After"]) >= 1
