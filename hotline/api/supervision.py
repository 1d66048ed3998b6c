"""Supervision endpoints (``/api/v1/supervision/…``, §6.5, §6.4.4).

* ``GET  /board`` — orders by deadline light, unit and age, with the suggested next rung;
* ``GET  /units`` — orders in warning / overdue per responsible unit;
* ``GET  /orders/{number}`` — one order's supervision status, ladder and contacts;
* ``POST /orders/{number}/reminders`` — record a phone reminder (电话催办);
* ``POST /orders/{number}/steps`` — take a supervision step (the suggested one by default);
* ``GET  /ladder`` — the configured ladders;
* ``GET  /outbox``, ``POST /outbox/{id}/retry`` — the message outbox and its dead letters;
* ``GET  /notices``, ``POST /notices/{id}/read`` — in-system notices for the current user.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from hotline import clock
from hotline.api import schemas as s
from hotline.api.serializers import localise
from hotline.orders.errors import Forbidden, NotFound
from hotline.orders.models import WorkOrder
from hotline.rules import ladder as rl
from hotline.supervision import actions, queries
from hotline.supervision.ladders import Ladders
from hotline.supervision.models import MESSAGE_STATES, Message

router = Router(tags=["supervision"])

BOARD_ROLES = {"supervisor", "admin", "leader", "reviewer", "callback"}
OUTBOX_ROLES = {"supervisor", "admin"}


def _require(request, roles: set[str]) -> None:
    if request.auth.effective_role not in roles:
        raise Forbidden("无权查看督办信息")


def _order(request, number: str) -> WorkOrder:
    _require(request, BOARD_ROLES)
    order = WorkOrder.objects.select_related("lead_unit").filter(number=number).first()
    if order is None:
        raise NotFound("工单不存在或无权查看")
    return order


# --- schemas ------------------------------------------------------------------------------


class BoardParams(Schema):
    light: Literal["attention", "overdue", "warning", "normal", "all"] = Field(
        "attention", description="attention=即将超期+已超期（默认）"
    )
    unit: str | None = Field(None, max_length=64, description="承办单位 id 或编码（含下级单位）")
    emergency: bool | None = None
    kind: Literal["dispatch", "sign", "feedback", "extension", "hang_up", "callback"] | None = None
    sort: Literal["due", "age", "unit"] = "due"
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


class StepOut(Schema):
    key: str
    position: int
    round: int
    method: str
    other_form: str
    label: str
    automatic: bool
    due_at: datetime
    is_due: bool
    reason: str
    contacts: list[dict[str, str]] | None = None


class RecordOut(Schema):
    id: int
    method: str
    method_label: str
    other_form: str
    at: datetime
    by: str
    target: str
    content: str
    result: str
    effective: bool


class BoardDeadline(Schema):
    id: int
    kind: str
    label: str
    unit: str
    due_at: datetime
    warn_at: datetime
    state: str
    state_label: str
    remaining: str
    clause: str


class BoardRow(Schema):
    number: str
    title: str
    state: s.Labelled
    urgency: s.Labelled
    emergency: bool
    lead_unit: s.UnitRef | None
    light: str = Field(..., description="worst running deadline: overdue/warning/normal")
    light_label: str
    next_due_at: datetime | None
    overdue_minutes: int
    age_hours: float
    reminder_count: int
    supervised_at: datetime | None
    deadlines: list[BoardDeadline]
    last_step: RecordOut | None
    next_step: StepOut | None


class BoardPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[BoardRow]


class UnitCount(Schema):
    unit: s.UnitRef | None
    unit_name: str
    warning: int
    overdue: int


class MessageOut(Schema):
    id: int
    key: str
    channel: str
    to: str
    to_name: str
    order: str | None
    kind: str
    subject: str
    body: str
    state: str
    state_label: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    dead_at: datetime | None


class ReminderOut(Schema):
    id: int
    at: datetime
    by: str
    contact_name: str
    contact_phone: str
    result: str
    answered: bool


class LadderRung(Schema):
    position: int
    label: str
    method: str
    automatic: bool
    after_minutes: int
    repeat_minutes: int | None
    reached: bool


class StatusOut(Schema):
    number: str
    title: str
    state: s.Labelled
    emergency: bool
    lead_unit: s.UnitRef | None
    light: str
    deadlines: list[BoardDeadline]
    reminder_count: int
    supervised_at: datetime | None
    reminders: list[ReminderOut]
    records: list[RecordOut]
    track: str
    ladder: list[LadderRung]
    cycle: int
    next_step: StepOut | None
    messages: list[MessageOut]


class OutboxParams(Schema):
    state: Literal["pending", "sending", "sent", "dead"] | None = None
    channel: Literal["system", "sms", "wechat"] | None = None
    order: str | None = Field(None, max_length=20)
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class OutboxPage(Schema):
    count: int
    counts: dict[str, int]
    results: list[MessageOut]


class NoticeOut(Schema):
    id: int
    kind: str
    level: str
    title: str
    body: str
    order: str | None
    unit: str | None
    created_at: datetime
    read_at: datetime | None


class NoticePage(Schema):
    count: int
    unread: int
    results: list[NoticeOut]


class LadderStepOut(Schema):
    position: int
    method: str
    label: str
    other_form: str
    after_minutes: int
    repeat_minutes: int | None
    automatic: bool
    recipients: list[str]
    channels: list[str]
    note: str


# --- board --------------------------------------------------------------------------------


@router.get(
    "/board", response={200: BoardPage, **s.ERRORS}, summary="督办看板（按预警状态、单位、时长）"
)
def board(request, params: Query[BoardParams]):
    _require(request, BOARD_ROLES)
    now = clock.now()
    qs = queries.board_queryset(
        now,
        light=params.light,
        unit=params.unit,
        emergency=params.emergency,
        kind=params.kind,
        sort=params.sort,
    )
    count = qs.count()
    start = (params.page - 1) * params.page_size
    page = list(qs[start : start + params.page_size])
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "results": localise(queries.board_rows(page, now)),
    }


@router.get("/units", response={200: list[UnitCount], **s.ERRORS}, summary="各单位预警、超期工单数")
def units(request, unit: s.Code | None = None):
    _require(request, BOARD_ROLES)
    return queries.unit_counts(clock.now(), unit=unit)


@router.get("/orders/{number}", response={200: StatusOut, **s.ERRORS}, summary="工单督办情况与建议")
def status(request, number: str):
    order = _order(request, number)
    return localise(queries.order_status(order, clock.now()))


@router.post(
    "/orders/{number}/reminders",
    response={200: StatusOut, **s.ERRORS},
    summary="记录电话催办（§6.5，2次未回复转入督办）",
)
def remind(request, number: str, payload: s.ReminderIn):
    order = _order(request, number)
    actions.do_remind(order, request.auth, **payload.dict())
    return localise(queries.order_status(WorkOrder.objects.get(pk=order.pk), clock.now()))


@router.post(
    "/orders/{number}/steps",
    response={200: StatusOut, **s.ERRORS},
    summary="执行督办步骤（默认系统建议的下一步，§6.5 a–d）",
)
def take_step(request, number: str, payload: s.SupervisionIn):
    order = _order(request, number)
    actions.do_supervise(order, request.auth, **payload.dict())
    return localise(queries.order_status(WorkOrder.objects.get(pk=order.pk), clock.now()))


@router.get(
    "/ladder",
    response={200: dict[str, list[LadderStepOut]], **s.ERRORS},
    summary="督办升级阶梯配置",
)
def ladder(request):
    _require(request, BOARD_ROLES)
    ladders = Ladders.load()
    return {
        track: [
            {
                "position": i + 1,
                "method": st.method,
                "label": st.label,
                "other_form": st.other_form,
                "after_minutes": int(st.after.total_seconds() // 60),
                "repeat_minutes": int(st.repeat.total_seconds() // 60) if st.repeat else None,
                "automatic": st.automatic,
                "recipients": list(st.recipients),
                "channels": list(st.channels),
                "note": st.note,
            }
            for i, st in enumerate(steps)
        ]
        for track, steps in ladders.steps.items()
        if track in rl.TRACKS
    }


# --- outbox -------------------------------------------------------------------------------


@router.get("/outbox", response={200: OutboxPage, **s.ERRORS}, summary="消息发件箱（含死信）")
def outbox(request, params: Query[OutboxParams]):
    _require(request, OUTBOX_ROLES)
    qs = Message.objects.select_related("order")
    if params.state:
        qs = qs.filter(state=params.state)
    if params.channel:
        qs = qs.filter(channel=params.channel)
    if params.order:
        qs = qs.filter(order__number=params.order)
    from django.db.models import Count

    counts = {code: 0 for code, _ in MESSAGE_STATES}
    for row in Message.objects.values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    start = (params.page - 1) * params.page_size
    page = list(qs.order_by("-created_at", "-pk")[start : start + params.page_size])
    return {
        "count": qs.count(),
        "counts": counts,
        "results": localise([queries.message_out(m) for m in page]),
    }


@router.post(
    "/outbox/{message_id}/retry", response={200: MessageOut, **s.ERRORS}, summary="重发死信"
)
def retry(request, message_id: int):
    message = actions.do_retry_message(message_id, request.auth)
    return localise(queries.message_out(message))


# --- notices ------------------------------------------------------------------------------


def _notice(n) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "level": n.level,
        "title": n.title,
        "body": n.body,
        "order": n.order.number if n.order_id else None,
        "unit": n.unit.name if n.unit_id else None,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get("/notices", response={200: NoticePage, **s.ERRORS}, summary="我的站内通知")
def notices(request, unread: bool = False, limit: int = Query(50, ge=1, le=200)):
    qs = actions.visible_notices(request.auth).select_related("order", "unit")
    unread_count = qs.filter(read_at__isnull=True).count()
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return {
        "count": qs.count(),
        "unread": unread_count,
        "results": localise([_notice(n) for n in qs.order_by("-created_at", "-pk")[:limit]]),
    }


@router.post(
    "/notices/{notice_id}/read", response={200: NoticeOut, **s.ERRORS}, summary="标记通知已读"
)
def read(request, notice_id: int):
    return localise(_notice(actions.do_read_notice(notice_id, request.auth)))


__all__ = ["router"]
