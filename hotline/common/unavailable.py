"""When the database or the task queue does not answer: 503 with ``Retry-After``, in the
shape of the entrance the request came in by, never Django's HTML 500 page.

* ``/api/…`` (staff and channel API): ``{"code": "unavailable", "message", "retry_after"}``
  — the API's documented error body, as 429 ``rate_limited`` has it.
* ``/open311/…``: the Open311 error list (JSON or XML by suffix) with code 503.
* ``/health``: the health report's own JSON (``hotline.system.health``).
* every page: a Chinese page (``503.html``) rendered without the database.

Three ways in, so that no path misses it: the django-ninja API's exception handlers (the
API catches its views' exceptions itself), ``UnavailableMiddleware.process_exception`` for
every other view (also in debug), and ``handler500`` (``server_error``) for an exception
raised anywhere else — a middleware reading the session, saving it, checking a lock-out.

A client reading 503 knows to retry later (the same request with the same idempotency key);
a 500 stays a bug.
"""

from __future__ import annotations

import json
import logging
import sys
from xml.sax.saxutils import escape

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("hotline.unavailable")

# Seconds a client should wait before trying again (``Retry-After``).
RETRY_AFTER = 30
MESSAGE = "服务暂时不可用（数据库或任务队列无响应），请稍后重试"

# What "a dependency does not answer" looks like: Django wraps the driver's connection
# errors (psycopg, sqlite3) into these two; redis-py raises its own.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
)


def is_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, UNAVAILABLE)


def unavailable_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """The 503 answer for ``request``, in its entrance's shape; logs the cause once."""
    log.warning(
        "503 for %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__ if exc else "-",
        str(exc).strip().splitlines()[0] if exc and str(exc).strip() else "",
    )
    path = request.path
    response: HttpResponse
    if path.startswith("/api/"):
        response = JsonResponse(
            {"code": "unavailable", "message": MESSAGE, "retry_after": RETRY_AFTER},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    elif path.startswith("/open311/"):
        if path.endswith(".xml"):
            response = HttpResponse(
                '<?xml version="1.0" encoding="utf-8"?><errors><error><code>503</code>'
                f"<description>{escape(MESSAGE)}</description></error></errors>",
                status=503,
                content_type="text/xml; charset=utf-8",
            )
        else:
            response = HttpResponse(
                json.dumps([{"code": 503, "description": MESSAGE}], ensure_ascii=False),
                status=503,
                content_type="application/json; charset=utf-8",
            )
    elif path.rstrip("/") in ("/health", "/metrics"):
        response = JsonResponse(
            {"status": "unavailable", "code": "unavailable", "message": MESSAGE},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(
            render_to_string("503.html", {"retry_after": RETRY_AFTER}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class UnavailableMiddleware:
    """A view's database or Redis connection error becomes the 503 answer (in debug too)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_unavailable(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """``handler500``: the exception being handled is a dependency's → 503; anything else
    is Django's own 500."""
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        return unavailable_response(request, exc)
    return defaults.server_error(request, *args, **kwargs)
