"""The intelligence endpoints (SPEC §9), mounted on ``/api/v1``:

* ``POST /api/v1/intelligence/suggest`` — suggestions, elements, units, duplicates;
* ``POST /api/v1/intelligence/feedback`` — record a confirmation or correction;
* ``POST /api/v1/orders/{number}/link``, ``/merge``, ``/unmerge`` — 并单 (§6.6.3 c).

Errors are the API's structured JSON (``hotline.orders.errors``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema, Status

from hotline import clock
from hotline.api import schemas as s
from hotline.intelligence import services
from hotline.intelligence.models import SuggestionFeedback
from hotline.orders import actions, queries
from hotline.orders.errors import Forbidden, NotFound, ValidationFailed
from hotline.orders.models import WorkOrder
from hotline.rules import limits

router = Router(tags=["intelligence"])

CENTRE = {"agent", "reviewer", "supervisor", "callback", "admin", "leader"}


class SuggestIn(Schema):
    title: str = Field("", max_length=limits.ORDER_TEXT_BY_FIELD["title"].everywhere)
    content: str = Field("", max_length=limits.ORDER_TEXT_BY_FIELD["content"].everywhere)
    phone: str = Field("", max_length=limits.ORDER_TEXT_BY_FIELD["citizen_phone"].everywhere)
    address: str = Field("", max_length=limits.ORDER_TEXT_BY_FIELD["address"].everywhere)
    category: s.Code = ""
    area: s.Code = ""
    at: datetime | None = None


class FeedbackIn(Schema):
    order: s.Code | None = None
    field: s.Code
    suggested: s.Short = ""
    chosen: s.Short = ""
    confidence: float | None = None
    model_version: s.Code = ""


class DuplicateIn(Schema):
    main: s.Code
    reason: s.Note = ""
    score: float | None = None


class UnmergeIn(Schema):
    reason: s.Note


class LinkOut(Schema):
    order: str
    state: str
    state_label: str
    main: str | None = None
    kind: str | None = None


def _get(request, number: str) -> WorkOrder:
    order = queries.visible_orders(request.auth).filter(number=number).first()
    if order is None:
        raise NotFound("工单不存在或无权查看")
    return order


def _centre(request) -> None:
    if request.auth.effective_role not in CENTRE:
        raise Forbidden("智能建议仅供热线中心工作人员使用")


@router.post(
    "/intelligence/suggest",
    response={200: dict, **s.ERRORS},
    summary="智能建议：分类、紧急程度、要素、承办单位、重复工单",
)
def suggest(request, payload: SuggestIn) -> dict[str, Any]:
    _centre(request)
    if not (payload.title.strip() or payload.content.strip()):
        raise ValidationFailed({"content": "请提供诉求问题或诉求内容"})
    at = payload.at or clock.now()
    if at.tzinfo is None:
        raise ValidationFailed({"at": "来电时间须带时区，如 2026-11-27T09:30:00+08:00"})
    return services.suggest(
        payload.title,
        payload.content,
        phone=payload.phone,
        at=at,
        address=payload.address,
        category=payload.category,
        area=payload.area,
        user=request.auth,
    )


@router.post(
    "/intelligence/feedback",
    response={201: dict, **s.ERRORS},
    summary="记录建议的采纳或更正",
)
def feedback(request, payload: FeedbackIn):
    _centre(request)
    fields = dict(SuggestionFeedback.FIELDS)
    if payload.field not in fields:
        raise ValidationFailed({"field": f"未知字段，可选：{'、'.join(fields)}"})
    order = _get(request, payload.order) if payload.order else None
    row = SuggestionFeedback.objects.create(
        order=order,
        field=payload.field,
        suggested=payload.suggested,
        chosen=payload.chosen,
        confidence=payload.confidence,
        model_version=payload.model_version,
        accepted=payload.suggested == payload.chosen,
        source="api",
        actor=request.auth,
        at=clock.now(),
    )
    return Status(201, {"id": row.pk, "accepted": row.accepted})


def _out(order: WorkOrder, link=None) -> dict[str, Any]:
    order.refresh_from_db(fields=["state"])
    return {
        "order": order.number,
        "state": order.state,
        "state_label": order.state_label,
        "main": link.main.number if link is not None else None,
        "kind": link.kind if link is not None else None,
    }


@router.post(
    "/orders/{number}/link", response={200: LinkOut, **s.ERRORS}, summary="关联重复工单（§6.6.3 c）"
)
def link(request, number: str, payload: DuplicateIn):
    order = _get(request, number)
    main = _get(request, payload.main)
    row = actions.do_link_duplicate(
        order, request.auth, main=main, reason=payload.reason, score=payload.score
    )
    return _out(order, row)


@router.post(
    "/orders/{number}/merge", response={200: LinkOut, **s.ERRORS}, summary="并单（§6.6.3 c）"
)
def merge(request, number: str, payload: DuplicateIn):
    order = _get(request, number)
    main = _get(request, payload.main)
    row = actions.do_merge(
        order, request.auth, main=main, reason=payload.reason, score=payload.score
    )
    return _out(order, row)


@router.post("/orders/{number}/unmerge", response={200: LinkOut, **s.ERRORS}, summary="取消并单")
def unmerge(request, number: str, payload: UnmergeIn):
    order = _get(request, number)
    actions.do_unmerge(order, request.auth, reason=payload.reason)
    return _out(order)
