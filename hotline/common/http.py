"""Answers that several entrances share: a refusal in the shape of the entrance it came in by,
and the check of a redirect target.

``refusal`` speaks the API's ``{"code", "message", "fields"?}`` under ``/api/``, the Open311
error list (JSON or XML by suffix) under ``/open311/``, and a Chinese page everywhere else, so
a middleware or a helper can refuse before any view runs and the client still gets what its
own entrance promises.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme


def refusal(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    path = request.path
    response: HttpResponse
    if path.startswith("/api/"):
        body: dict = {"code": code, "message": message}
        if field:
            body["fields"] = {field: message}
        response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    elif path.startswith("/open311/"):
        if path.endswith(".xml"):
            response = HttpResponse(
                '<?xml version="1.0" encoding="utf-8"?><errors><error>'
                f"<code>{status}</code><description>{escape(message)}</description>"
                "</error></errors>",
                status=status,
                content_type="text/xml; charset=utf-8",
            )
        else:
            response = HttpResponse(
                json.dumps([{"code": status, "description": message}], ensure_ascii=False),
                status=status,
                content_type="application/json; charset=utf-8",
            )
    else:
        response = HttpResponse(
            render_to_string("refused.html", {"message": message, "status": status}),
            status=status,
        )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def safe_next(request: HttpRequest, target: str | None, fallback: str) -> str:
    """``target`` when it points into this site (same host, http(s) as the request), else
    ``fallback`` — never an open redirect to another site, whatever the form was sent."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class InvalidParameter(BadRequest):
    """A query parameter a page cannot use (``?page=abc``, ``?size=-1``): 400 with this
    Chinese message (``bad_request``), never a server error."""


def int_param(request: HttpRequest, name: str, default: int, lo: int, hi: int, label: str) -> int:
    """An integer query parameter within ``lo``..``hi``; absent or empty gives ``default``."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or not lo <= int(raw) <= hi:
        raise InvalidParameter(f"参数 {name}（{label}）须为 {lo} 到 {hi:,} 之间的整数")
    return int(raw)


MAX_PAGE = 100_000


def page_param(request: HttpRequest, name: str = "page") -> int:
    """The page a list shows (1-based); a page past the end shows the last one."""
    return int_param(request, name, 1, 1, MAX_PAGE, "页码")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: our own refusals say what was wrong; anything else stays generic."""
    message = str(exception) if isinstance(exception, InvalidParameter) else "请求无效"
    return refusal(request, 400, "bad_request", message)
