"""The REST API (``/api/v1/``): token authentication, the same permissions as the
workbench, every order action of §6, structured errors.

This module holds the order routes and mounts the other routers of this package (one
per app: supervision, analytics, intelligence, knowledge, channel, privacy, the SMS
provider's inbound replies).  Apps never import
the API; the API calls their actions and queries.

Errors are JSON ``{"code", "message", "fields"?, "state"?}``: 401 without a valid token,
403 for a role or unit that may not act, 404 for an order the user cannot see, 409 for an
illegal transition (with the current state), 422 for invalid input (with field errors).
"""

from __future__ import annotations

from collections import defaultdict
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, JsonResponse
from ninja import File, Form, NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer, SessionAuth

from hotline import clock
from hotline.api import schemas as s
from hotline.api import serializers as ser
from hotline.api.analytics import router as analytics_router
from hotline.api.channel import router as channel_router
from hotline.api.intelligence import router as intelligence_router
from hotline.api.knowledge import router as knowledge_router
from hotline.api.privacy import router as privacy_router
from hotline.api.sms import router as sms_router
from hotline.api.supervision import router as supervision_router
from hotline.calendars.models import CalendarDay, CalendarYear
from hotline.catalog.models import Category
from hotline.channels.services import RateLimited
from hotline.common import downloads
from hotline.common.unavailable import UNAVAILABLE, unavailable_response
from hotline.demo.detect import demo_data_present
from hotline.orders import actions, queries
from hotline.orders.errors import ActionError, Forbidden, NotFound, ValidationFailed
from hotline.orders.models import Attachment, Deadline, WorkOrder
from hotline.org.models import ApiToken, Area, Unit, User, hash_token
from hotline.rules import deadlines as dl
from hotline.supervision import actions as sup_actions


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` — tokens from ``POST /api/v1/auth/token``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """The token's user, unless the token is unknown, expired or revoked (a password
        change or deactivation revokes every token of the user) — then 401."""
        now = clock.now()
        row = (
            ApiToken.objects.usable(now)
            .select_related("user", "user__unit")
            .filter(key_hash=hash_token(token))
            .first()
        )
        if row is None:
            return None
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


def docs_access(view):
    """``/api/docs`` and ``/api/openapi.json``: anyone when ``HOTLINE_PUBLIC_API_DOCS`` (the
    default in debug), otherwise a signed-in user or a valid bearer token — the schema maps
    every operation and is no business of an anonymous visitor in production."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if (
            settings.HOTLINE_PUBLIC_API_DOCS
            or request.user.is_authenticated
            or TokenAuth()(request) is not None
        ):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse(
                {"code": "unauthenticated", "message": "接口文档需要登录后查看"},
                status=401,
                json_dumps_params={"ensure_ascii": False},
            )
        return redirect_to_login(request.get_full_path())

    return wrapper


api = NinjaAPI(
    docs_decorator=docs_access,
    title="hotline 12345 热线工单接口",
    version="1",
    description=(
        "12345 政务服务便民热线工单系统的接口。工单从受理、审核、派转、签收、办理、答复、"
        "回访到结案，全部按《12345 政务服务便民热线诉求处置规范》执行。"
    ),
    urls_namespace="api-1",
    auth=[TokenAuth(), SessionAuth()],
)


def _error(request: HttpRequest, status: int, body: dict[str, Any]):
    return api.create_response(request, body, status=status)


@api.exception_handler(ActionError)
def on_action_error(request, exc: ActionError):
    return _error(request, exc.status, exc.as_dict())


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [
            str(p)
            for p in err.get("loc", [])
            if p not in ("body", "query", "path", "form", "payload", "file")
        ]
        fields[".".join(loc) or "request"] = _zh(err)
    return _error(
        request,
        422,
        {"code": "invalid", "message": "提交的内容有误，请检查标注的字段", "fields": fields},
    )


def _zh(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    messages = {
        "missing": "必填",
        "string_too_long": f"不能超过 {ctx.get('max_length')} 个字符",
        "string_too_short": f"至少 {ctx.get('min_length')} 个字符",
        "int_parsing": "须为整数",
        "int_type": "须为整数",
        "decimal_parsing": "须为数字",
        "float_parsing": "须为数字",
        "float_type": "须为数字",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}",
        "less_than_equal": f"不能大于 {ctx.get('le')}",
        "literal_error": f"只能是 {ctx.get('expected')}",
        "bool_parsing": "须为 true 或 false",
        "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
        "date_parsing": "日期格式应为 YYYY-MM-DD",
        "too_long": f"最多 {ctx.get('max_length')} 项",
        "json_invalid": "JSON 格式错误",
        "model_attributes_type": "格式错误",
        "dict_type": "格式错误",
        "list_type": "须为列表",
        "string_type": "须为字符串",
    }
    return messages.get(kind, err.get("msg", "格式错误"))


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(
        request, 401, {"code": "unauthenticated", "message": "请先登录或提供有效的访问令牌"}
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    message = str(exc)
    if exc.status_code == 400 and message == "Cannot parse request body":
        message = "请求体无法解析：须为有效的 JSON 或表单数据"
    return _error(request, exc.status_code, {"code": "error", "message": message})


def on_unavailable(request, exc):
    """The database or Redis does not answer: 503 ``unavailable`` with ``Retry-After``
    (``hotline.common.unavailable``), the same answer every entrance gives."""
    return unavailable_response(request, exc)


for _kind in UNAVAILABLE:
    api.add_exception_handler(_kind, on_unavailable)


@api.exception_handler(WorkOrder.DoesNotExist)
def on_missing(request, exc):
    return _error(request, 404, {"code": "not_found", "message": "工单不存在或无权查看"})


# ---------------------------------------------------------------------------

v1 = Router()


@v1.get(
    "/health",
    auth=None,
    response={200: s.HealthOut, 503: s.ErrorOut},
    tags=["system"],
    summary="健康检查（本服务器与数据库；完整检查见 /health）",
)
def health(request):
    """This app server and its database answer — the load balancer's probe; 503
    ``unavailable`` with ``Retry-After`` when the database does not.  ``demo_data`` is true
    when the database holds the demo's published passwords or keys (``hotline.demo.detect``):
    never acceptable outside debug.  The whole installation (queue, sweep, outbox) is
    ``GET /health`` (docs/operations.md)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor, "demo_data": demo_data_present()}


@v1.post(
    "/auth/token",
    auth=None,
    response={200: s.TokenOut, 400: s.ErrorOut, 401: s.ErrorOut, 422: s.ErrorOut, 429: s.ErrorOut},
    tags=["auth"],
    summary="用户名密码换取访问令牌（有效期见 expires_at；连续输错密码将被锁定）",
)
def obtain_token(request, payload: s.TokenIn):
    # django-axes counts a wrong password here as on /login/; a lock-out answers 429
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return Status(401, {"code": "bad_credentials", "message": "用户名或密码错误"})
    token, key = ApiToken.issue(user, payload.name)
    return {"token": key, "expires_at": token.expires_at, "user": ser.user_out(user)}


@v1.get("/me", response={200: s.UserOut, 401: s.ErrorOut}, tags=["auth"], summary="当前用户")
def me(request):
    return ser.user_out(request.auth)


# --- reference data -----------------------------------------------------------------------


@v1.get(
    "/categories",
    response={200: list[s.CategoryOut], 401: s.ErrorOut},
    tags=["reference"],
    summary="诉求分类树",
)
def categories(request):
    return [
        {"id": c.pk, "code": c.code, "name": c.name, "domain": c.domain, "parent_id": c.parent_id}
        for c in Category.objects.filter(active=True).order_by("path")
    ]


@v1.get(
    "/areas",
    response={200: list[s.AreaOut], 401: s.ErrorOut},
    tags=["reference"],
    summary="行政区划",
)
def areas(request):
    return [
        {"id": a.pk, "code": a.code, "name": a.name, "level": a.level, "parent_id": a.parent_id}
        for a in Area.objects.order_by("path")
    ]


@v1.get(
    "/units",
    response={200: list[s.UnitOut], 400: s.ErrorOut, 401: s.ErrorOut, 422: s.ErrorOut},
    tags=["reference"],
    summary="承办单位",
)
def units(request, q: s.Search | None = None):
    qs = Unit.objects.filter(active=True).prefetch_related("areas").order_by("path")
    if q:
        qs = qs.filter(name__icontains=q)
    return [
        {
            "id": u.pk,
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "parent_id": u.parent_id,
            "areas": [a.name for a in u.areas.all()],
            "active": u.active,
        }
        for u in qs
    ]


@v1.get(
    "/calendar/{year}",
    response={200: s.CalendarYearOut, 400: s.ErrorOut, 401: s.ErrorOut, 422: s.ErrorOut},
    tags=["reference"],
    summary="某年的节假日与调休",
)
def calendar_year(request, year: int):
    if not 1900 <= year <= 2200:
        raise ActionError("年份超出范围", fields={"year": "年份须在 1900 到 2200 之间"})
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    return {
        "year": year,
        "known": CalendarYear.objects.filter(year=year).exists(),
        "days": [{"date": d.date, "kind": d.kind, "name": d.name} for d in days],
    }


# --- orders ---------------------------------------------------------------------------------

orders = Router(tags=["orders"])


def _get(request, number: str, *, former: bool = False) -> WorkOrder:
    """The order if the user holds it.  A unit that returned it or lost it to a re-dispatch
    gets 403 (it knows the order) — or, with ``former``, the order for its read-only
    summary (docs/privacy.md)."""
    order = (
        queries.visible_orders(request.auth)
        .select_related("lead_unit", "category", "area")
        .filter(number=number)
        .first()
    )
    if order is None:
        gone = queries.former_orders(request.auth).select_related("lead_unit", "category", "area")
        order = gone.filter(number=number).first()
        if order is None:
            raise NotFound("工单不存在或无权查看")
        if not former:
            raise Forbidden("本单位已不再承办该工单，只能查看本单位的办理部分")
    return order


def _detail(request, order: WorkOrder):
    order = WorkOrder.objects.select_related("lead_unit", "category", "area").get(pk=order.pk)
    return ser.detail(order, request.auth, clock.now())


R = {200: s.OrderOut, **s.ERRORS}


@orders.get("", response={200: s.OrderPage, **s.ERRORS}, summary="工单列表（可筛选）")
def list_orders(request, params: Query[s.ListParams]):
    now = clock.now()
    filters = params.dict(exclude_none=True, exclude={"sort", "after", "page", "page_size"})
    visible = queries.visible_orders(request.auth)
    qs = queries.filter_orders(visible, filters, now, user=request.auth)
    count, capped = queries.bounded_count(
        qs, queries.count_cap(filters), known_common=queries.known_common(filters, request.auth)
    )
    relevance = params.sort == "relevance" and bool(params.q)
    # a common word past the count's cap: its newest matches from slices of the newest
    # orders, as on the 工单查询 page (queries.walk_newest)
    walk = queries.keyword_walk(visible, filters, now, user=request.auth)
    walk = walk if capped and not relevance else None
    if params.after and not relevance:
        try:
            qs = queries.after_cursor(qs, params.after)
            if walk:
                base, matched = walk
                walk = (
                    queries.after_cursor(base, params.after),
                    queries.after_cursor(matched, params.after),
                )
        except ValueError:
            raise ValidationFailed({"after": "游标无效：请使用上一页返回的 next"}) from None
        start = 0
    else:
        start = (params.page - 1) * params.page_size
        if start >= queries.COUNT_CAP:
            raise ValidationFailed({"page": "页码过大：请用 after 游标翻页或缩小筛选范围"})
    ids = queries.walk_newest(*walk, start, params.page_size) if walk else None
    if ids is not None:
        page = queries.in_order_of(ids, "lead_unit", "category")
    else:
        qs = queries.list_order(qs, q=params.q, sort=params.sort).select_related(
            "lead_unit", "category"
        )
        page = list(qs[start : start + params.page_size])
    lights = _lights([o.pk for o in page], now)
    more = len(page) == params.page_size and not relevance
    return {
        "count": count,
        "count_capped": capped,
        "page": params.page,
        "page_size": params.page_size,
        "next": queries.cursor_of(page[-1]) if more else None,
        "results": [
            ser.summary(o, lights.get(o.pk, ""), ser.list_view(request.auth, o)) for o in page
        ],
    }


def _lights(ids: list[int], now) -> dict[int, str]:
    """Worst running-deadline light per order, one query for the whole page."""
    worst: dict[int, str] = {}
    rank = {"normal": 0, "warning": 1, "overdue": 2}
    by_order = defaultdict(list)
    for oid, due, warn in (
        Deadline.objects.active()
        .filter(order_id__in=ids)
        .values_list("order_id", "due_at", "warn_at")
    ):
        by_order[oid].append(dl.deadline_state(due, now, warn_at=warn))
    for oid, states in by_order.items():
        worst[oid] = max(states, key=lambda x: rank[x])
    return worst


@orders.post("", response={201: s.OrderOut, **s.ERRORS}, summary="登记受理工单（§6.1）")
def create_order(request, payload: s.OrderIn):
    order = actions.do_create_order(request.auth, payload.dict())
    return Status(201, _detail(request, order))


@orders.post(
    "/rejected", response={201: s.OrderOut, **s.ERRORS}, summary="登记不予受理的来电（§5.3）"
)
def record_rejected(request, payload: s.RecordRejectedIn):
    data = payload.dict()
    reason, note, line = data.pop("reason"), data.pop("note"), data.pop("emergency_line")
    order = actions.do_record_rejected(
        request.auth, data, reason=reason, note=note, emergency_line=line
    )
    return Status(201, _detail(request, order))


@orders.get("/{number}", response=R, summary="工单详情（含时限说明与轨迹）")
def get_order(request, number: str):
    return _detail(request, _get(request, number, former=True))


@orders.patch("/{number}", response=R, summary="修改受理中的工单")
def update_order(request, number: str, payload: s.OrderPatch):
    order = actions.do_update(_get(request, number), request.auth, payload.dict(exclude_unset=True))
    return _detail(request, order)


def _act(request, number: str, fn, **kwargs):
    order = _get(request, number)
    fn(order, request.auth, **kwargs)
    return _detail(request, order)


@orders.post("/{number}/accept", response=R, summary="受理渠道提交的诉求（§6.1.1）")
def accept(request, number: str, payload: s.OrderPatch):
    order = _get(request, number)
    actions.do_accept(order, request.auth, payload.dict(exclude_unset=True))
    return _detail(request, order)


@orders.post("/{number}/reject", response=R, summary="不予受理（§5.3）")
def reject(request, number: str, payload: s.RejectIn):
    return _act(request, number, actions.do_reject, **payload.dict())


@orders.post("/{number}/direct-close", response=R, summary="直办结案（§6.7.1）")
def direct_close(request, number: str, payload: s.AnswerIn):
    return _act(request, number, actions.do_direct_close, answer=payload.answer)


@orders.post("/{number}/submit", response=R, summary="提交审核（§6.2）")
def submit(request, number: str):
    return _act(request, number, actions.do_submit)


@orders.post("/{number}/return-to-intake", response=R, summary="审核退回受理（§6.2）")
def return_to_intake(request, number: str, payload: s.ReasonIn):
    return _act(request, number, actions.do_return_to_intake, reason=payload.reason)


@orders.post("/{number}/dispatch", response=R, summary="派转主办、协办单位（§6.3）")
def dispatch(request, number: str, payload: s.DispatchIn):
    return _act(
        request,
        number,
        actions.do_dispatch,
        lead_unit=payload.lead_unit,
        co_units=payload.co_units,
        note=payload.note,
    )


@orders.post("/{number}/sign", response=R, summary="签收")
def sign(request, number: str):
    order = _get(request, number)
    user = request.auth
    lead = order.lead_unit_id and user.unit_id and order.lead_unit.path.startswith(user.unit.path)
    if user.effective_role == "unit" and not lead:
        actions.do_co_sign(order, user)
    else:
        actions.do_sign(order, user)
    return _detail(request, order)


@orders.post("/{number}/unit-return", response=R, summary="退单（承办单位退回派转）")
def unit_return(request, number: str, payload: s.ReasonIn):
    return _act(request, number, actions.do_unit_return, reason=payload.reason)


@orders.post("/{number}/extension", response=R, summary="申请延期（§6.4.1，≤5个工作日）")
def request_extension(request, number: str, payload: s.DaysIn):
    return _act(
        request, number, actions.do_request_extension, days=payload.days, reason=payload.reason
    )


@orders.post("/{number}/extension/approve", response=R, summary="批准延期")
def approve_extension(request, number: str, payload: s.DecisionIn):
    return _act(request, number, actions.do_decide_extension, approve=True, note=payload.note)


@orders.post("/{number}/extension/deny", response=R, summary="驳回延期")
def deny_extension(request, number: str, payload: s.DecisionIn):
    return _act(request, number, actions.do_decide_extension, approve=False, note=payload.note)


@orders.post("/{number}/suspension", response=R, summary="申请挂单（§6.4.1，≤90个自然日）")
def request_suspension(request, number: str, payload: s.DaysIn):
    return _act(
        request, number, actions.do_request_suspension, days=payload.days, reason=payload.reason
    )


@orders.post("/{number}/suspension/approve", response=R, summary="批准挂单")
def approve_suspension(request, number: str, payload: s.DecisionIn):
    return _act(request, number, actions.do_decide_suspension, approve=True, note=payload.note)


@orders.post("/{number}/suspension/deny", response=R, summary="驳回挂单")
def deny_suspension(request, number: str, payload: s.DecisionIn):
    return _act(request, number, actions.do_decide_suspension, approve=False, note=payload.note)


@orders.post("/{number}/resume", response=R, summary="恢复办理（结束挂单）")
def resume(request, number: str, payload: s.NoteIn):
    return _act(request, number, actions.do_resume, note=payload.note)


@orders.post("/{number}/reply", response=R, summary="答复（§6.4.3 a–d 四项必填）")
def reply(request, number: str, payload: s.ReplyIn):
    return _act(request, number, actions.do_reply, **payload.dict())


@orders.post("/{number}/no-further-handling", response=R, summary="不再办理（§6.6.3）")
def no_further_handling(request, number: str, payload: s.NoFurtherIn):
    return _act(request, number, actions.do_no_further_handling, **payload.dict())


@orders.post("/{number}/accept-reply", response=R, summary="答复认定通过（§6.6）")
def accept_reply(request, number: str, payload: s.NoteIn):
    return _act(request, number, actions.do_accept_reply, note=payload.note)


@orders.post("/{number}/reverify", response=R, summary="再次核实（§6.6.2）")
def reverify(request, number: str, payload: s.ReasonIn):
    return _act(request, number, actions.do_reverify, reason=payload.reason)


@orders.post("/{number}/reminders", response=R, summary="记录电话催办（§6.5）")
def remind(request, number: str, payload: s.ReminderIn):
    return _act(request, number, sup_actions.do_remind, **payload.dict())


@orders.post("/{number}/supervision", response=R, summary="记录督办（§6.5 a–d）")
def supervise(request, number: str, payload: s.SupervisionIn):
    return _act(request, number, sup_actions.do_supervise, **payload.dict())


@orders.post("/{number}/callbacks", response=R, summary="记录回访（§6.8）")
def record_callback(request, number: str, payload: s.CallbackIn):
    return _act(request, number, actions.do_record_callback, **payload.dict())


@orders.post("/{number}/close", response=R, summary="回访后结案（§6.7.2）")
def close(request, number: str, payload: s.NoteIn):
    return _act(request, number, actions.do_close, note=payload.note)


@orders.post("/{number}/reopen", response=R, summary="重办")
def reopen(request, number: str, payload: s.ReasonIn):
    return _act(request, number, actions.do_reopen, reason=payload.reason)


@orders.post("/{number}/comments", response=R, summary="添加备注")
def comment(request, number: str, payload: s.NoteIn):
    return _act(request, number, actions.do_comment, note=payload.note)


@orders.post(
    "/{number}/attachments",
    response={201: s.AttachmentOut, **s.ERRORS},
    summary="上传附件（语音/图片/视频/文字，§6.1.2）",
)
def upload(
    request, number: str, file: File[UploadedFile], purpose: str = Form("appeal", max_length=64)
):
    order = _get(request, number)
    att = actions.do_attach(order, request.auth, file, purpose=purpose)
    return Status(201, _attachment(order, att))


def _attachment(order: WorkOrder, a: Attachment) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": a.pk,
        "kind": a.kind,
        "purpose": a.purpose,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "uploaded_at": a.uploaded_at,
        "url": reverse(
            "api-1:attachment_download", kwargs={"number": order.number, "attachment_id": a.pk}
        ),
    }


@orders.get(
    "/{number}/attachments/{attachment_id}",
    url_name="attachment_download",
    response={200: None, **s.ERRORS},
    summary="下载附件（仅限可查看该工单的用户）",
)
def download(request, number: str, attachment_id: int):
    order = _get(request, number)
    att = order.attachments.filter(pk=attachment_id).first()
    if att is None:
        raise NotFound("附件不存在")
    return downloads.file_response(att)


v1.add_router("/orders", orders)
v1.add_router("/supervision", supervision_router)
v1.add_router("/analytics", analytics_router)
v1.add_router("", intelligence_router)  # /intelligence/…, /orders/{number}/link|merge|unmerge
v1.add_router("/knowledge", knowledge_router)
v1.add_router("/channel/sms", sms_router)  # the SMS provider's replies (signed, §6.8.2)
v1.add_router("/channel", channel_router)
v1.add_router("/privacy", privacy_router)
api.add_router("/v1", v1)


@api.exception_handler(RateLimited)
def on_rate_limited(request, exc: RateLimited):
    """429 with ``Retry-After`` (seconds until the next window)."""
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


__all__ = ["api", "dl"]
