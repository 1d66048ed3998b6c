"""``GET /metrics``: Prometheus text format (prometheus_client), for scraping.

Two kinds of figures:

* **Requests** — ``hotline_http_requests_total{method,route,status}`` and
  ``hotline_http_request_duration_seconds{method,route}`` (a histogram), counted by the
  ``RequestMetrics`` middleware in each process.  ``route`` is the URL pattern
  (``api/v1/orders/<number>``), never the path with its values.  Several gunicorn workers
  count in shared files when ``PROMETHEUS_MULTIPROC_DIR`` is set — ``hotline run`` sets it
  (``VAR_DIR/prometheus``, emptied at start) for its gunicorn — so one scrape sums them all.
* **State** — computed from the database at scrape time by ``StateCollector``, so every
  process and machine answers the same: orders by state, running deadlines due soon
  (yellow) or overdue (red), sweep lag, outbox backlog and the age of its oldest message,
  dead letters, whether the database and the task queue answer, demo data present.

Access: ``Authorization: Bearer $HOTLINE_METRICS_TOKEN``.  Without the header (or with a
wrong token) 401; with no token configured ``/metrics`` is open in debug and switched off
(404) in production.
"""

from __future__ import annotations

import hmac
import math
import os
import time
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from hotline import clock
from hotline.common.unavailable import UNAVAILABLE

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "hotline_http_requests",
    "HTTP requests answered, by method, URL pattern and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "hotline_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and URL pattern",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return match.route
    if request.path.startswith(settings.STATIC_URL or "/static/"):
        return "static"
    return "unmatched"


class RequestMetrics:
    """Counts every request and its duration (``/metrics`` itself included)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = route_of(request)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        return response


class StateCollector(Collector):
    """Gauges read from the database at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from hotline.system import health

        up = GaugeMetricFamily(
            "hotline_dependency_up", "1 when the dependency answers", labels=["dependency"]
        )
        database = health.check_database()
        queue = health.check_queue()
        up.add_metric(["database"], 1 if database["ok"] else 0)
        up.add_metric(["queue"], 1 if queue["ok"] else 0)
        yield up
        if queue["ok"]:
            yield GaugeMetricFamily(
                "hotline_queue_pending", "Tasks waiting in the task queue", value=queue["pending"]
            )
        if not database["ok"]:
            return
        try:
            yield from self._from_database()
        except UNAVAILABLE:
            return

    def _from_database(self) -> Iterator[GaugeMetricFamily]:
        from hotline.demo.detect import demo_data_present
        from hotline.orders.models import Deadline, WorkOrder
        from hotline.supervision import heartbeat
        from hotline.supervision.models import Message
        from hotline.system import health

        now = clock.now()
        orders = GaugeMetricFamily("hotline_orders", "Work orders by state", labels=["state"])
        for row in WorkOrder.objects.order_by().values("state").annotate(n=Count("id")):
            orders.add_metric([row["state"]], row["n"])
        yield orders

        lights = GaugeMetricFamily(
            "hotline_deadlines",
            "Running deadlines due soon (warning, yellow) or past due (overdue, red), by kind",
            labels=["kind", "light"],
        )
        rows = (
            Deadline.objects.active()
            .filter(warn_at__lte=now)
            .order_by()
            .values("kind")
            .annotate(
                overdue=Count("id", filter=Q(due_at__lte=now)),
                warning=Count("id", filter=Q(due_at__gt=now)),
            )
        )
        for row in rows:
            lights.add_metric([row["kind"], "warning"], row["warning"])
            lights.add_metric([row["kind"], "overdue"], row["overdue"])
        yield lights

        beat = heartbeat.pulse(heartbeat.SWEEP, now)
        yield GaugeMetricFamily(
            "hotline_sweep_lag_seconds",
            "Seconds since the last completed sweep (NaN: never)",
            value=math.nan if beat.lag_seconds is None else beat.lag_seconds,
        )
        backlog, age = health.outbox_state(now)
        yield GaugeMetricFamily(
            "hotline_outbox_backlog", "Outbox messages waiting to be sent", value=backlog
        )
        yield GaugeMetricFamily(
            "hotline_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox message waiting to be sent (0: none)",
            value=age or 0.0,
        )
        yield GaugeMetricFamily(
            "hotline_outbox_dead",
            "Dead-lettered outbox messages",
            value=Message.objects.filter(state="dead").count(),
        )
        yield GaugeMetricFamily(
            "hotline_demo_data",
            "1 when the demo's published accounts or keys are present",
            value=1 if demo_data_present() else 0,
        )


STATE = StateCollector()


def registry() -> CollectorRegistry:
    """What one scrape reports: this process's request counts (or every gunicorn worker's,
    in multiprocess mode) and the state from the database."""
    out = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(out)
    else:
        out.register(REGISTRY)
    out.register(STATE)
    return out


def allowed(request: HttpRequest) -> bool | None:
    """True: answer; False: 401; None: switched off (404)."""
    token = settings.HOTLINE_METRICS_TOKEN
    if not token:
        return True if settings.DEBUG else None
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


def metrics_view(request: HttpRequest) -> HttpResponse:
    access = allowed(request)
    if access is None:
        raise Http404("metrics disabled")
    if not access:
        response = JsonResponse(
            {"code": "unauthenticated", "message": "需要有效的 HOTLINE_METRICS_TOKEN"},
            status=401,
            json_dumps_params={"ensure_ascii": False},
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
