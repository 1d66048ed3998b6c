"""``/api/v1/knowledge``: search as the workbench does (valid published entries for agents,
owners also their own), and entry CRUD for owners and the centre.  Errors are the core's
structured JSON (401/403/404/409/422 with Chinese messages)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hotline.api import schemas as s
from hotline.knowledge import actions, index
from hotline.knowledge import queries as kq
from hotline.knowledge.models import Entry
from hotline.orders.errors import NotFound
from hotline.rules import limits

router = Router(tags=["knowledge"])


class EntryIn(Schema):
    title: s.Short | None = None
    questions: (
        Annotated[str, Field(max_length=limits.KNOWLEDGE_QUESTIONS)]
        | Annotated[list[s.Short], Field(max_length=100)]
        | None
    ) = None
    keywords: Annotated[str, Field(max_length=limits.KNOWLEDGE_KEYWORDS)] | None = None
    answer: Annotated[str, Field(max_length=limits.KNOWLEDGE_ANSWER)] | None = None
    category: s.Short | None = None  # code or name
    owner_unit: s.Short | None = None  # code or name
    effective_from: date | None = None
    expires_on: date | None = None
    review_on: date | None = None


class TransitionIn(Schema):
    note: s.Note = ""


def entry_out(e: Entry, *, day: date | None = None) -> dict:
    day = day or kq.today()
    return {
        "id": e.pk,
        "title": e.title,
        "questions": e.question_list,
        "keywords": e.keywords,
        "answer": e.answer,
        "category": {"code": e.category.code, "name": e.category.name},
        "owner_unit": {"code": e.owner_unit.code, "name": e.owner_unit.name},
        "effective_from": e.effective_from.isoformat(),
        "expires_on": e.expires_on.isoformat() if e.expires_on else None,
        "review_on": e.review_on.isoformat() if e.review_on else None,
        "state": {"code": e.state, "label": e.state_label},
        "valid": e.is_valid_on(day),
        "stale": e.is_stale_on(day),
        "usage_count": e.usage_count,
        "updated_at": e.updated_at.isoformat(),
    }


def _get(request: HttpRequest, pk: int) -> Entry:
    e = (
        kq.visible_entries(request.user)
        .select_related("category", "owner_unit")
        .filter(pk=pk)
        .first()
    )
    if e is None:
        raise NotFound("知识条目不存在或无权查看")
    return e


# every answer documents the structured errors (schemathesis checks it)
OK = {200: dict, **s.ERRORS}


@router.get("/search", response=OK, summary="检索知识库（受理员只返回已发布且在有效期内的条目）")
def search_entries(request: HttpRequest, q: s.Search = "", limit: s.Limit = 10):
    results = index.search(request.user, q, limit=max(1, min(limit, 50)))
    return {
        "query": q,
        "results": [
            {
                **entry_out(r.entry),
                "score": round(r.hit.score, 4),
                "matched": r.hit.matched_terms,
                "snippet": r.hit.snippet,
            }
            for r in results
        ],
    }


@router.get("/entries", response=OK, summary="条目列表（本人可见范围；可按状态、待复核筛选）")
def list_entries(request: HttpRequest, state: s.Code = "", stale: bool = False, mine: bool = False):
    rows = kq.visible_entries(request.user).select_related("category", "owner_unit")
    if state:
        rows = rows.filter(state=state)
    if stale:
        rows = rows.filter(pk__in=kq.stale_entries().values("pk"))
    if mine:
        rows = rows.filter(owner_unit__in=kq.owned_units(request.user))
    day = kq.today()
    return {"results": [entry_out(e, day=day) for e in rows.order_by("pk")[:500]]}


@router.post("/entries", response={201: dict, **s.ERRORS}, summary="新建条目（草稿）")
def create_entry(request: HttpRequest, body: EntryIn):
    e = actions.do_create(request.user, body.dict(exclude_none=True))
    return Status(201, entry_out(e))


@router.get("/entries/{pk}", response=OK, summary="条目详情")
def get_entry(request: HttpRequest, pk: int):
    return entry_out(_get(request, pk))


@router.patch("/entries/{pk}", response=OK, summary="修改条目（责任单位及上级、热线中心）")
def update_entry(request: HttpRequest, pk: int, body: EntryIn):
    e = actions.do_update(_get(request, pk), request.user, body.dict(exclude_unset=True))
    return entry_out(_get(request, e.pk))


@router.get("/entries/{pk}/versions", response=OK, summary="版本记录")
def entry_versions(request: HttpRequest, pk: int):
    e = _get(request, pk)
    return {
        "results": [
            {
                "number": v.number,
                "action": v.action,
                "state": v.state,
                "changed": v.changed,
                "note": v.note,
                "actor": v.actor.username if v.actor else None,
                "at": v.at.isoformat(),
                "snapshot": v.snapshot,
            }
            for v in e.versions.select_related("actor")
        ]
    }


@router.post(
    "/entries/{pk}/{action}",
    response=OK,
    summary="流转：submit 提交审核、publish 发布、return 退回、expire 失效、reopen 重新编辑",
)
def transition_entry(request: HttpRequest, pk: int, action: str, body: TransitionIn):
    from hotline.knowledge.choices import TRANSITIONS

    if action not in TRANSITIONS:
        raise NotFound("未知操作")
    e = actions.do_transition(_get(request, pk), request.user, action, note=body.note)
    return entry_out(_get(request, e.pk))
