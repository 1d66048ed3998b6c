"""A retried POST never creates a second order.  A client's own key (``Idempotency-Key``
header or ``idempotency_key``) is scoped by ``device_id``; a plain GeoReport client that
sends none is matched on everything it posted, the same day."""

from __future__ import annotations

from datetime import datetime

import time_machine

from hotline.open311.tests.conftest import errors_json
from hotline.orders.models import WorkOrder
from hotline.rules.calendar import SHANGHAI


def at(hour: int, day: int = 2) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=SHANGHAI)


def test_a_plain_retry_returns_the_first_request(city_app, leaking_roof):
    with time_machine.travel(at(9), tick=False) as clock:
        first = city_app.post_ok(**leaking_roof)
        clock.move_to(at(9).replace(minute=2))
        again = city_app.post_ok(**leaking_roof)
        assert again["service_request_id"] == first["service_request_id"]
        assert WorkOrder.objects.count() == 1
        other = city_app.post_ok(**{**leaking_roof, "description": "楼道灯也坏了。"})
        assert other["service_request_id"] != first["service_request_id"]
        # the same report the next day is a new report
        clock.move_to(at(9, day=3))
        later = city_app.post_ok(**leaking_roof)
        assert later["service_request_id"] != first["service_request_id"]
        assert WorkOrder.objects.count() == 3


def test_client_key_scoped_by_device(city_app, leaking_roof):
    with time_machine.travel(at(10), tick=False):
        body = {**leaking_roof, "device_id": "phone-A"}
        headers = {"Idempotency-Key": "req-001"}
        first = city_app.post_ok(headers=headers, **body)
        assert city_app.post_ok(headers=headers, **body) == first
        # the key as a parameter works the same way
        assert city_app.post_ok(idempotency_key="req-001", **body) == first
        # another device may use the same key for its own request
        other = city_app.post_ok(headers=headers, **{**body, "device_id": "phone-B"})
        assert other["service_request_id"] != first["service_request_id"]
        # one key, a different request: refused, nothing created
        r = city_app.post(headers=headers, **{**body, "description": "另一件事。"})
        assert r.status_code == 409
        assert errors_json(r)[0]["code"] == 409
        assert WorkOrder.objects.count() == 2
