"""Open311 GeoReport v2 at ``/open311/v2/`` — plain Django views, because the spec's
resources end in ``.json``/``.xml`` and ``POST requests`` is form-encoded.

Every view answers in the format of its suffix; errors are the spec's list of
``{code, description}`` (400 missing or invalid parameter, 403 bad or missing ``api_key``,
404 unknown service or request, 429 rate limited).  An empty parameter counts as absent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from functools import wraps

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from hotline import clock
from hotline.channels import services as channel
from hotline.common import ratelimit
from hotline.open311 import definitions, intake, present
from hotline.open311.render import errors, respond, w3
from hotline.orders.errors import ActionError
from hotline.orders.models import WorkOrder
from hotline.rules.calendar import SHANGHAI

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the service list's shape (the attributes of ``definitions.ATTRIBUTES``) last changed;
# the discovery ``changeset`` tells clients to refresh cached definitions.  Bump it with them.
DEFINITIONS_CHANGED = datetime(2026, 11, 27, tzinfo=SHANGHAI)
TOKEN_SIGNER = signing.Signer(salt="hotline.open311.token", sep=".")
MAX_LISTED = 100  # numbers or service codes in one ``GET requests``


def _methods(*allowed: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            if request.method not in allowed:
                response = errors(fmt, 405, f"不支持 {request.method} 方法")
                response["Allow"] = ", ".join(allowed)
                return response
            return view(request, *args, fmt=fmt, **kwargs)

        return csrf_exempt(never_cache(wrapper))

    return decorate


def _param(request: HttpRequest, name: str) -> str | None:
    """A parameter from the body (POST) or the query string; empty counts as absent."""
    for source in (request.POST, request.GET) if request.method == "POST" else (request.GET,):
        value = source.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def _list(request: HttpRequest, name: str) -> list[str]:
    raw = _param(request, name)
    return [p.strip() for p in raw.split(",") if p.strip()] if raw else []


def parse_w3(raw: str) -> datetime:
    """A W3C datetime (``2026-11-01T08:00:00+08:00``, ``…Z``) or a date; no offset means
    Asia/Shanghai.  A ``+`` left unencoded in a query string arrives as a space: put back."""
    text = raw.strip().replace(" ", "+")
    try:
        value = parse_datetime(text)
        if value is None:
            day = parse_date(text)
            if day is None:
                raise ValueError
            value = datetime.combine(day, time.min)
    except ValueError:
        raise ValueError(raw) from None
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


# ---------------------------------------------------------------------------
# discovery and services


@_methods("GET", "HEAD")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    changeset = w3(DEFINITIONS_CHANGED)
    data = {
        "changeset": changeset,
        "contact": "12345 政务服务便民热线中心",
        "key_service": "向热线中心管理员申请 API key（hotline apikey create --name 名称 --channel 渠道）",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, data, root="discovery")


@_methods("GET", "HEAD")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, definitions.services(), root="services", item="service")


@_methods("GET", "HEAD")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = definitions.find_service(code)
    if category is None:
        return errors(fmt, 404, f"服务 service_code={code} 不存在")
    return respond(fmt, definitions.definition(category), root="service_definition")


# ---------------------------------------------------------------------------
# service requests


def _too_many(fmt: str, exc) -> HttpResponse:
    response = errors(fmt, 429, exc.message)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _throttled(request: HttpRequest, fmt: str) -> HttpResponse | None:
    """Reads of service requests need no key, so they are limited per client address
    (``HOTLINE_OPEN311_READS_PER_MINUTE``, default 120): enough for an app, not for a
    script walking the order numbers."""
    limit = getattr(settings, "HOTLINE_OPEN311_READS_PER_MINUTE", 120)
    try:
        channel.hit(f"open311:{ratelimit.client_ip(request)}", limit)
    except channel.RateLimited as exc:
        return _too_many(fmt, exc)
    return None


def _reader(request: HttpRequest, fmt: str):
    """The channel client whose ``api_key`` came with a read (it also sees its own
    submissions in full), None without a key, or a 403 response for a bad key."""
    raw = _param(request, "api_key")
    if raw is None:
        return None, None
    client = channel.authenticate_key(raw, now=clock.now())
    if client is None:
        return None, errors(fmt, 403, "api_key 无效、已停用或缺失")
    return client, None


@_methods("GET", "HEAD", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    if (limited := _throttled(request, fmt)) is not None:
        return limited
    client, denied = _reader(request, fmt)
    if denied is not None:
        return denied
    numbers = _list(request, "service_request_id")
    statuses = _list(request, "status")
    codes = _list(request, "service_code")
    if len(numbers) > MAX_LISTED or len(codes) > MAX_LISTED:
        return errors(
            fmt, 400, f"参数 service_request_id、service_code 每个最多 {MAX_LISTED} 项（逗号分隔）"
        )
    bad = [s for s in statuses if s not in ("open", "closed")][:5]
    problems = (
        [f"参数 status 只能是 open、closed（逗号分隔），收到 {', '.join(b[:20] for b in bad)}"]
        if bad
        else []
    )
    bounds: dict[str, datetime | None] = {}
    for name in ("start_date", "end_date"):
        raw = _param(request, name)
        try:
            bounds[name] = parse_w3(raw) if raw else None
        except ValueError:
            problems.append(f"参数 {name} 须为 W3C 日期时间，如 2026-11-01T00:00:00+08:00")
    start, end = bounds.get("start_date"), bounds.get("end_date")
    if start and end and end < start:
        problems.append("参数 end_date 不能早于 start_date")
    if problems and not numbers:
        return errors(fmt, 400, *problems)
    orders = present.search(
        numbers=numbers,
        service_codes=codes,
        start=start,
        end=end,
        statuses=statuses,
        now=clock.now(),
        client=client,
    )
    misses: list = []
    rows = [present.as_request(o, client, misses) for o in orders]
    present.remember(misses)
    return respond(fmt, rows, root="service_requests", item="request")


@_methods("GET", "HEAD")
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    if (limited := _throttled(request, fmt)) is not None:
        return limited
    client, denied = _reader(request, fmt)
    if denied is not None:
        return denied
    order = present.by_number(number, client)
    if order is None:
        return errors(fmt, 404, f"服务请求 service_request_id={number} 不存在")
    misses: list = []
    rows = [present.as_request(order, client, misses)]
    present.remember(misses)
    return respond(fmt, rows, root="service_requests", item="request")


@_methods("GET", "HEAD")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    if (limited := _throttled(request, fmt)) is not None:
        return limited
    try:
        number = TOKEN_SIGNER.unsign(token)
    except signing.BadSignature:
        number = ""
    # a token is the submitter's receipt: it names the request, whatever its state, and
    # says nothing else about it
    order = WorkOrder.objects.filter(number=number).only("number").first() if number else None
    if order is None:
        return errors(fmt, 404, f"token={token} 不存在")
    rows = [{"service_request_id": order.number, "token": token}]
    return respond(fmt, rows, root="service_requests", item="request")


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    now = clock.now()
    client = channel.authenticate_key(_param(request, "api_key") or "", now=now)
    if client is None:
        return errors(fmt, 403, "api_key 无效、已停用或缺失")
    try:
        channel.check_rate(client, now=now)
    except channel.RateLimited as exc:
        return _too_many(fmt, exc)

    params = {}
    for name in set(request.POST) | set(request.GET):
        value = _param(request, name)
        if value is not None and not name.startswith("attribute["):
            params[name] = value
    attributes = {
        name[len("attribute[") : -1]: value
        for name in set(request.POST) | set(request.GET)
        if name.startswith("attribute[") and name.endswith("]")
        if (value := _param(request, name)) is not None
    }
    # GeoReport v2 only knows ``media_url``; the common "media handling" extension posts
    # the photo itself as multipart ``media`` — sniffed and size-checked by the intake.
    files = request.FILES.getlist("media")
    parsed = intake.parse(
        params,
        attributes,
        header_key=request.headers.get("Idempotency-Key", "").strip(),
        now=now,
        files=files,
    )
    if isinstance(parsed, intake.Problems):
        status, descriptions = parsed.first()  # type: ignore[misc]
        return errors(fmt, status, *descriptions)
    try:
        order, _created = channel.submit_appeal(
            client, parsed.data, files, idempotency_key=parsed.idempotency_key, now=now
        )
    except ActionError as exc:
        return _action_error(fmt, exc)
    row = {
        "service_request_id": order.number,
        "token": TOKEN_SIGNER.sign(order.number),
        "service_notice": present.notice(order),
        "account_id": None,
    }
    return respond(fmt, [row], root="service_requests", item="request")


def _action_error(fmt: str, exc: ActionError) -> HttpResponse:
    status = 400 if exc.status == 422 else exc.status
    if exc.fields:
        descriptions = [
            f"参数 {intake.param_of(name)}：{message}" for name, message in exc.fields.items()
        ]
    else:
        descriptions = [exc.message]
    return errors(fmt, status, *descriptions)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in the spec's error form (XML, the format
    every GeoReport server must speak, unless the path asked for JSON)."""
    fmt = "json" if rest.endswith(".json") else "xml"
    return errors(fmt, 404, "没有这个资源；见 /open311/v2/discovery.xml")
