"""Middleware of the whole system: the access log, and input every part of the system
refuses before a view sees it."""

from __future__ import annotations

import json
import logging
import time
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, JsonResponse

from hotline.common.client_ip import client_ip

access_log = logging.getLogger("hotline.access")


class AccessLog:
    """One line per request on the ``hotline.access`` logger (``HOTLINE_ACCESS_LOG``):

        2026-03-09T14:00:00+0800 203.0.113.7 user=12 "POST /portal/track/" 404 35ms

    the client address as every rate limit sees it (``client_ip``, proxy-aware), the user's
    id (``-`` when anonymous; ``channelclient:7`` for a channel key), method, path, status and duration.  The query string is
    reduced to its parameter names (``/api/v1/orders?phone=&page=``): values such as a
    phone number searched for never reach the log.  First in the middleware list, so
    redirects to HTTPS and refusals are logged too.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                '%s user=%s "%s %s" %s %dms',
                client_ip(request),
                self._user_id(request),
                request.method,
                self._path(request),
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
        return response

    @staticmethod
    def _user_id(request: HttpRequest) -> str:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return str(user.pk)
        # an API caller that is not a person (a channel client's key): its kind and id
        caller = getattr(request, "auth", None)
        if caller is not None and getattr(caller, "pk", None) is not None:
            return f"{type(caller).__name__.lower()}:{caller.pk}"
        return "-"

    @staticmethod
    def _path(request: HttpRequest) -> str:
        path = request.path.replace("\x00", "").replace('"', "%22")
        names = sorted({name for name in request.GET if name})
        if names:
            path += "?" + "&".join(f"{name}=" for name in names)
        return path


MESSAGE = "输入中含有空字符（\\0），请删除后重试"


class RejectNullCharacters:
    """A NUL character in a parameter is refused with 400 and a clear message.

    PostgreSQL cannot store NUL in text and raises on the query, which would be a server
    error; SQLite would store it silently.  Django's forms already refuse it
    (``ProhibitNullCharactersValidator``); this covers query strings, form fields and JSON
    bodies of the API, the Open311 server and every page, the same way on both databases.
    File contents (multipart files) are not inspected: binary files contain NUL bytes.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = self._offending_field(request)
        if field is not None:
            return self._refuse(request, field)
        return self.get_response(request)

    @staticmethod
    def _offending_field(request: HttpRequest) -> str | None:
        if "\x00" in request.path:
            return "path"
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", "")
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        content_type = request.content_type or ""
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            for name, values in request.POST.lists():
                if "\x00" in name or any("\x00" in v for v in values):
                    return name.replace("\x00", "")
        elif content_type.endswith("json"):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body.lower():
                return "body"
        return None

    @staticmethod
    def _refuse(request: HttpRequest, field: str) -> HttpResponse:
        path = request.path.replace("\x00", "")
        if path.startswith("/api/"):
            return JsonResponse(
                {"code": "invalid_character", "message": MESSAGE, "fields": {field: MESSAGE}},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        if path.startswith("/open311/"):
            if path.endswith(".xml"):
                body = (
                    '<?xml version="1.0" encoding="utf-8"?><errors><error><code>400</code>'
                    f"<description>{escape(MESSAGE)}</description></error></errors>"
                )
                return HttpResponse(body, status=400, content_type="text/xml; charset=utf-8")
            return HttpResponse(
                json.dumps([{"code": 400, "description": MESSAGE}], ensure_ascii=False),
                status=400,
                content_type="application/json; charset=utf-8",
            )
        return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
