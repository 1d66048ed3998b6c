"""Middleware every request passes: no caching of what we answer, no oversized bodies.

``SecurityHeaders`` — pages and API answers carry citizens' names, phones and appeals: no
browser, proxy or shared computer may keep a copy, so every answer that does not say
otherwise gets ``Cache-Control: no-store`` (static files are served before this, by
WhiteNoise, and stay cacheable).  X-Frame-Options and Referrer-Policy come from Django's own
middleware (settings ``X_FRAME_OPTIONS``, ``SECURE_REFERRER_POLICY``).

``LimitRequestBody`` — a body larger than its entrance allows is refused from its
``Content-Length`` with 413 before a byte of it is read: a form or JSON body at most
``DATA_UPLOAD_MAX_MEMORY_SIZE``; a multipart upload at most the public submission total
(portal, Open311, channel API) or the largest attachment kind (staff), plus that allowance
for the form fields.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from hotline.common.http import refusal
from hotline.rules.limits import megabytes

PUBLIC_PREFIXES = ("/portal/", "/open311/", "/api/v1/channel/")


class SecurityHeaders:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


def body_limit(request: HttpRequest) -> tuple[int, str]:
    """The largest body this request may carry, and how the refusal names it."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if (request.content_type or "") != "multipart/form-data":
        return fields, f"请求内容不能超过 {megabytes(fields)}"
    if request.path.startswith(PUBLIC_PREFIXES):
        total = settings.HOTLINE_PUBLIC_UPLOADS["max_total"]
        return total + fields, f"一次提交的附件总大小不能超过 {megabytes(total)}"
    largest = max(settings.HOTLINE_ATTACHMENT_LIMITS.values())
    return largest + fields, f"上传的文件不能超过 {megabytes(largest)}"


class LimitRequestBody:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
            if length < 0:
                raise ValueError
        except ValueError:
            return refusal(request, 400, "bad_request", "请求头 Content-Length 无效")
        limit, message = body_limit(request)
        if length > limit:
            return refusal(request, 413, "too_large", f"请求过大：{message}")
        return self.get_response(request)
