"""Input every part of the system refuses before a view sees it."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, JsonResponse

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
