"""``/metrics`` (issue 13): Prometheus text through prometheus_client, behind
``HOTLINE_METRICS_TOKEN``; the state gauges come from the database at scrape time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from hotline.supervision import heartbeat

pytestmark = pytest.mark.usefixtures("now")


def _samples(text: str) -> dict[tuple, float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_are_off_in_production_without_a_token_and_need_the_token_when_set(db, settings):
    settings.DEBUG = False
    settings.HOTLINE_METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    settings.HOTLINE_METRICS_TOKEN = "s3cret-token"
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_metrics_count_requests_and_read_orders_deadlines_sweep_and_outbox(
    agent, appeal, now, settings
):
    from hotline.orders import actions

    settings.HOTLINE_METRICS_TOKEN = "t"
    actions.do_create_order(agent, appeal, now=now - timedelta(days=30))
    heartbeat.beat(heartbeat.SWEEP, now - timedelta(seconds=90))
    client = Client()
    client.get("/api/v1/health")
    samples = _samples(client.get("/metrics", HTTP_AUTHORIZATION="Bearer t").content.decode())
    health = [
        v
        for (name, labels), v in samples.items()
        if name == "hotline_http_requests_total" and ("route", "api/v1/health") in labels
    ]
    assert health and health[0] >= 1
    assert any(name == "hotline_http_request_duration_seconds_count" for name, _ in samples)
    assert sum(v for (name, _), v in samples.items() if name == "hotline_orders") == 1
    assert samples[("hotline_sweep_lag_seconds", ())] == 90
    assert samples[("hotline_outbox_backlog", ())] >= 0
    assert samples[("hotline_dependency_up", (("dependency", "database"),))] == 1
    assert samples[("hotline_dependency_up", (("dependency", "queue"),))] == 1
    assert any(name == "hotline_deadlines" for name, _ in samples)
