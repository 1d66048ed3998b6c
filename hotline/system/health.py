"""``GET /health``: is this installation doing its job?  JSON, 200 when every check holds,
503 (with ``Retry-After``) when one does not — for monitoring and alerting (docs/operations.md).

Checks, each ``{"ok": bool, …}``:

* ``database`` — ``SELECT 1`` answers (and which database it is).
* ``queue`` — the task queue answers: Redis ``LLEN`` of the queue when huey uses Redis
  (``HOTLINE_REDIS_URL``), the SQLite queue file otherwise; ``pending`` tasks.
* ``sweep`` — the last completed sweep (``heartbeat``) is at most five minutes old.
* ``outbox`` — the oldest message waiting to be sent is younger than
  ``HOTLINE_HEALTH_OUTBOX_MAX_AGE_MINUTES`` (default 30); ``backlog`` and the age in seconds.

and ``demo_data`` (the demo's published passwords or keys are in the database; reported, it
does not fail the check — in debug it is the normal case).

The load balancer's probe stays ``/api/v1/health`` (this server and its database answer):
a stalled worker must page an operator, not take every app server out of rotation.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.http import HttpRequest, JsonResponse

from hotline import clock
from hotline.common.unavailable import RETRY_AFTER, UNAVAILABLE

log = logging.getLogger(__name__)

# the Redis client of the checks: short time-outs, so /health answers even when Redis hangs
_redis_client = None


def outbox_max_age() -> timedelta:
    return timedelta(minutes=getattr(settings, "HOTLINE_HEALTH_OUTBOX_MAX_AGE_MINUTES", 30))


def _error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except UNAVAILABLE as exc:
        return {"ok": False, "vendor": connection.vendor, "error": _error(exc)}


def _redis():
    global _redis_client
    if _redis_client is None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # one immediate retry: a connection killed under the pool reconnects at once, a
        # Redis that is down is reported within seconds (not after redis-py's back-offs)
        _redis_client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=2,
            socket_timeout=2,
            retry=Retry(NoBackoff(), 1),
        )
    return _redis_client


def check_queue() -> dict[str, Any]:
    from hotline.supervision.worker import HUEY

    backend = "redis" if settings.REDIS_URL else "sqlite"
    try:
        if backend == "redis":
            pending = int(_redis().llen(HUEY.storage.queue_key))
        else:
            pending = int(HUEY.pending_count())
        return {"ok": True, "backend": backend, "pending": pending}
    except Exception as exc:  # any failure of the queue is the answer, not a crash
        return {"ok": False, "backend": backend, "error": _error(exc)}


def check_sweep(now: datetime) -> dict[str, Any]:
    from hotline.supervision import heartbeat

    beat = heartbeat.pulse(heartbeat.SWEEP, now)
    return {
        "ok": not beat.stale,
        "last_completed_at": beat.last.isoformat() if beat.last else None,
        "lag_seconds": None if beat.lag_seconds is None else round(beat.lag_seconds),
        "max_lag_seconds": int(heartbeat.STALE_AFTER.total_seconds()),
    }


def outbox_state(now: datetime) -> tuple[int, float | None]:
    """Messages waiting to be sent, and the age in seconds of the oldest."""
    from hotline.supervision.models import Message

    waiting = Message.objects.filter(state__in=("pending", "sending"))
    agg = waiting.aggregate(oldest=Min("created_at"))
    backlog = waiting.count()
    oldest = agg["oldest"]
    return backlog, None if oldest is None else max(0.0, (now - oldest).total_seconds())


def check_outbox(now: datetime) -> dict[str, Any]:
    backlog, age = outbox_state(now)
    limit = outbox_max_age().total_seconds()
    return {
        "ok": age is None or age <= limit,
        "backlog": backlog,
        "oldest_pending_age_seconds": None if age is None else round(age),
        "max_age_seconds": int(limit),
    }


def report(now: datetime | None = None) -> dict[str, Any]:
    """Every check; ``status`` is ``ok`` when each holds, else ``unavailable``."""
    now = now or clock.now()
    started = time.monotonic()
    checks: dict[str, dict[str, Any]] = {"database": check_database(), "queue": check_queue()}
    demo: bool | None = None
    if checks["database"]["ok"]:
        for name, fn in (("sweep", check_sweep), ("outbox", check_outbox)):
            try:
                checks[name] = fn(now)
            except UNAVAILABLE as exc:
                checks[name] = {"ok": False, "error": _error(exc)}
        try:
            from hotline.demo.detect import demo_data_present

            demo = demo_data_present()
        except UNAVAILABLE:
            demo = None
    else:
        for name in ("sweep", "outbox"):
            checks[name] = {"ok": False, "error": "数据库无响应，无法检查"}
    ok = all(c["ok"] for c in checks.values())
    return {
        "status": "ok" if ok else "unavailable",
        "time": now.isoformat(),
        "checks": checks,
        "database": connection.vendor,
        "demo_data": demo,
        "took_ms": round((time.monotonic() - started) * 1000, 1),
    }


def health_view(request: HttpRequest) -> JsonResponse:
    body = report()
    ok = body["status"] == "ok"
    if not ok:
        failed = [name for name, c in body["checks"].items() if not c["ok"]]
        log.warning("health: failing checks %s", ", ".join(failed))
    response = JsonResponse(
        body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False}
    )
    if not ok:
        response["Retry-After"] = str(RETRY_AFTER)
    return response
