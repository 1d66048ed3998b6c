"""The channel API (``/api/v1/channel/``): outside systems submit appeals and follow them (§5.1).

Authentication is the client's API key, in ``X-Api-Key: <key>`` or
``Authorization: ApiKey <key>``.  Every authenticated request counts against the client's
per-minute limit.  Errors are the staff API's JSON shape ``{"code", "message", "fields"?}``:
401 no or unknown key, 403 disabled client, 404 unknown order (or another client's), 409
idempotency key reused with another body, 422 invalid input (field errors in Chinese), 429 too
many requests (with ``Retry-After``).  The public tracking endpoint needs no key and is limited
per client address.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import APIKeyHeader
from pydantic import field_validator

from hotline import clock
from hotline.api.schemas import ErrorOut
from hotline.channels import services
from hotline.channels.models import ChannelClient
from hotline.common import ratelimit
from hotline.orders import public
from hotline.orders.errors import ActionError, NotFound, ValidationFailed
from hotline.orders.models import WorkOrder


class Unauthenticated(ActionError):
    code = "invalid_api_key"
    status = 401


class ClientDisabled(ActionError):
    code = "client_disabled"
    status = 403


class ChannelKeyAuth(APIKeyHeader):
    """``X-Api-Key: <key>`` (or ``Authorization: ApiKey <key>``) of an enabled channel client."""

    param_name = "X-Api-Key"

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.headers.get("X-Api-Key")
        if key:
            return key
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        return value.strip() if scheme.lower() == "apikey" else None

    def authenticate(self, request: HttpRequest, key: str | None) -> ChannelClient:
        if not key:
            raise Unauthenticated("缺少 API 密钥：请在 X-Api-Key 请求头中提供")
        now = clock.now()
        client = services.lookup_key(key)
        if client is None:
            raise Unauthenticated("API 密钥无效")
        if not client.enabled:
            raise ClientDisabled("该渠道接入方已停用，请联系热线中心")
        services.mark_used(client, now=now)
        services.check_rate(client, now=now)
        return client


router = Router(tags=["channel"], auth=ChannelKeyAuth())

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class ChannelAppealIn(Schema):
    """An appeal as a citizen (or a grid worker) entered it (§6.1).  ``title`` or ``content``
    and ``phone`` are required; the agent completes the rest when accepting."""

    title: str = Field("", max_length=200, description="诉求问题")
    content: str = Field("", max_length=20000, description="诉求内容")
    address: str = Field("", max_length=500, description="发生地址")
    lat: float | None = Field(None, ge=-90, le=90, description="纬度（WGS-84）")
    lng: float | None = Field(None, ge=-180, le=180, description="经度（WGS-84）")
    citizen_name: str = Field("", max_length=50, description="市民姓名")
    phone: str = Field("", max_length=30, description="联系电话（查询进度时需要）")
    citizen_address: str = Field("", max_length=300, description="联系地址")
    display_mode: Literal["public", "confidential"] = Field(
        "public", description="个人信息显示方式 §6.1.6：public 公开，confidential 保密"
    )
    category: str | None = Field(None, max_length=64, description="诉求分类编码（可选）")
    area: str | None = Field(None, max_length=64, description="行政区划编码（可选）")
    appeal_type: str = Field("", max_length=16, description="诉求类型 §5.4.1（可选）")
    component_type: str = Field("", max_length=32, description="部件类型（网格员上报）")
    event_time: str = Field("", max_length=100, description="事发时间")
    extra: dict[str, Any] = Field(
        default_factory=dict, description="接入方自有字段（如设备、参考编号），原样保存"
    )
    idempotency_key: str | None = Field(
        None, max_length=200, description="幂等键；也可用 Idempotency-Key 请求头"
    )


class ChannelAppealForm(Schema):
    """The multipart form: the fields of ``ChannelAppealIn``; ``extra`` as a JSON string."""

    title: str = Field("", max_length=200)
    content: str = Field("", max_length=20000)
    address: str = Field("", max_length=500)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    citizen_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    citizen_address: str = Field("", max_length=300)
    display_mode: Literal["public", "confidential"] = "public"
    category: str | None = Field(None, max_length=64)
    area: str | None = Field(None, max_length=64)
    appeal_type: str = Field("", max_length=16)
    component_type: str = Field("", max_length=32)
    event_time: str = Field("", max_length=100)
    extra: str = Field("", max_length=5000, description="JSON 对象")
    idempotency_key: str | None = Field(None, max_length=200)

    @field_validator("lat", "lng", "category", "area", "idempotency_key", mode="before")
    @classmethod
    def _empty_is_absent(cls, v):
        # an HTML form sends an empty input as "", which means "not given"
        return None if isinstance(v, str) and not v.strip() else v


class ChannelAppealOut(Schema):
    number: str = Field(..., description="工单编号，查询进度用")
    state: str
    state_label: str
    created: bool = Field(..., description="false：同一幂等键的重试，返回的是原工单")
    attachments: int
    status_url: str


class ChannelReplyOut(Schema):
    at: datetime
    unit: str
    text: str


class ChannelStepOut(Schema):
    at: datetime
    label: str
    unit: str


class ChannelStatusOut(Schema):
    """The public progress of an order: no personal data, no staff names, no notes."""

    number: str
    state: str
    state_label: str
    open: bool
    channel: str
    channel_label: str
    title: str
    handling_unit: str
    created_at: datetime
    accepted_at: datetime | None
    dispatched_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    expected_at: datetime | None = Field(None, description="当前办理反馈时限")
    reply: str = Field(..., description="最新的公开答复")
    replies: list[ChannelReplyOut]
    steps: list[ChannelStepOut]


class ChannelUpdatesParams(Schema):
    since: datetime | None = Field(None, description="只返回此时间之后有变化的工单")
    limit: int = Field(50, ge=1, le=200)


class ChannelUpdatesOut(Schema):
    items: list[ChannelStatusOut]
    next_since: datetime | None = Field(None, description="下一次查询用的 since")


class ChannelTrackIn(Schema):
    number: str = Field(..., min_length=1, max_length=20, description="工单编号")
    phone: str = Field(..., min_length=1, max_length=30, description="提交时留下的联系电话")


IdempotencyHeader = Annotated[
    str | None,
    Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        description="幂等键：同一键重试返回原工单，不会重复建单",
    ),
]


def _appeal_out(order: WorkOrder, created: bool, files: int) -> dict[str, Any]:
    return {
        "number": order.number,
        "state": order.state,
        "state_label": order.state_label,
        "created": created,
        "attachments": files if created else order.attachments.count(),
        "status_url": f"/api/v1/channel/appeals/{order.number}",
    }


def _submit(request: HttpRequest, data: dict[str, Any], files, key: str | None):
    order, created = services.submit_appeal(request.auth, data, files, idempotency_key=key)
    return Status(201 if created else 200, _appeal_out(order, created, len(files)))


SUBMIT = {200: ChannelAppealOut, 201: ChannelAppealOut, **ERRORS}


@router.post("/appeals", response=SUBMIT, summary="提交诉求（JSON）")
def submit_json(request, payload: ChannelAppealIn, idempotency_key: IdempotencyHeader = None):
    data = payload.dict(exclude={"idempotency_key"})
    return _submit(request, data, [], idempotency_key or payload.idempotency_key)


@router.post("/appeals/multipart", response=SUBMIT, summary="提交诉求（表单，可带附件）")
def submit_multipart(
    request,
    payload: Form[ChannelAppealForm],
    attachments: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    idempotency_key: IdempotencyHeader = None,
):
    data = payload.dict(exclude={"idempotency_key"})
    raw = data.pop("extra") or ""
    if raw:
        try:
            data["extra"] = json.loads(raw)
        except ValueError:
            raise ValidationFailed({"extra": "须为 JSON 对象"}) from None
    limit = getattr(settings, "HOTLINE_CHANNEL_MAX_FILES", 9)
    files = list(attachments or [])
    if len(files) > limit:
        raise ValidationFailed({"attachments": f"附件最多 {limit} 个"})
    return _submit(request, data, files, idempotency_key or payload.idempotency_key)


def _own(request, number: str) -> WorkOrder:
    order = (
        services.client_orders(request.auth)
        .select_related("lead_unit")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise NotFound("工单不存在，或不是由本接入方提交的")
    return order


@router.get(
    "/appeals/{number}",
    response={200: ChannelStatusOut, **ERRORS},
    summary="查询本接入方提交的诉求",
)
def appeal_status(request, number: str):
    return services.public_status(_own(request, number))


@router.get(
    "/updates",
    response={200: ChannelUpdatesOut, **ERRORS},
    summary="本接入方提交的诉求中，自某时起有变化的（答复、状态、进度）",
)
def updates(request, params: Query[ChannelUpdatesParams]):
    qs = services.client_orders(request.auth).select_related("lead_unit")
    if params.since is not None:
        qs = qs.filter(updated_at__gt=params.since)
    orders = list(qs.order_by("updated_at", "id")[: params.limit])
    items = [services.public_status(o) for o in orders]
    return {"items": items, "next_since": orders[-1].updated_at if orders else params.since}


@router.post(
    "/track",
    auth=None,
    response={200: ChannelStatusOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="市民凭工单编号和手机号查询进度（无需密钥，按来源地址限流）",
)
def track(request, payload: ChannelTrackIn):
    services.hit(
        f"track:{ratelimit.client_ip(request)}",
        getattr(settings, "HOTLINE_CHANNEL_TRACK_PER_MINUTE", 20),
    )
    order = public.track_lookup(payload.number, payload.phone)
    if order is None:
        raise NotFound("未找到与该编号和手机号码匹配的诉求，请核对后重试")
    return services.public_status(order)
