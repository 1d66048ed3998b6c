"""``/api/v1/privacy``: the personal-info access log (PIPL Art. 51; SPEC §2) for
administrators and leaders — browse and filter it, export it as xlsx — and the runs of the
retention purge.  Who sees which citizen field is the masking policy
(``hotline.rules.masking``), applied by ``hotline.orders.privacy``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from hotline.analytics import exports
from hotline.api.schemas import ERRORS
from hotline.api.serializers import localise
from hotline.orders import privacy
from hotline.orders.errors import Forbidden, ValidationFailed
from hotline.orders.models import FIELD_LABELS, RetentionRun
from hotline.rules import masking, taxonomy
from hotline.rules.calendar import SHANGHAI

router = Router(tags=["privacy"])


class AccessLogParams(Schema):
    user: str | None = Field(None, max_length=150, description="查看人 id 或用户名")
    order: str | None = Field(None, max_length=20, description="工单编号")
    via: str | None = Field(None, max_length=100, description="途径前缀，如 api: 或 web:")
    purpose: str | None = Field(None, max_length=16, description="目的代码")
    role: str | None = Field(None, max_length=16, description="查看人角色")
    field: str | None = Field(None, max_length=32, description="查看的字段")
    date_from: date | None = Field(None, description="起始日期（含）")
    date_to: date | None = Field(None, description="截止日期（含）")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=500)


class UserRef(Schema):
    id: int
    username: str
    name: str


class PurposeOut(Schema):
    code: str
    label: str


class AccessOut(Schema):
    id: int
    at: datetime
    user: UserRef | None
    role: str
    order: str
    via: str
    purpose: PurposeOut | None
    fields: list[str]


class AccessPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AccessOut]


class RunOut(Schema):
    id: int
    started_at: datetime
    finished_at: datetime | None
    cutoff: datetime
    years: int
    dry_run: bool
    orders: int
    trigger: str
    error: str


def _audit(request: HttpRequest) -> None:
    if request.auth.effective_role not in privacy.AUDIT_ROLES:
        raise Forbidden("个人信息查看记录仅限管理员和领导查阅")


def _log(params: AccessLogParams):
    if params.purpose and params.purpose not in masking.PURPOSES:
        raise ValidationFailed({"purpose": "没有这个目的代码"})
    if params.role and params.role not in taxonomy.ROLES:
        raise ValidationFailed({"role": "没有这个角色"})
    if params.field and params.field not in FIELD_LABELS:
        raise ValidationFailed({"field": "只能是 " + "、".join(FIELD_LABELS)})
    if params.date_from and params.date_to and params.date_to < params.date_from:
        raise ValidationFailed({"date_to": "截止日期不能早于起始日期"})

    def day(d: date | None, plus: int = 0) -> datetime | None:
        return datetime.combine(d + timedelta(days=plus), time.min, SHANGHAI) if d else None

    return privacy.access_log(
        user=params.user,
        order=params.order,
        via=params.via,
        purpose=params.purpose,
        role=params.role,
        field=params.field,
        start=day(params.date_from),
        end=day(params.date_to, 1),
    )


@router.get(
    "/access-log",
    response={200: AccessPage, **ERRORS},
    summary="个人信息查看记录（谁、何时、哪张工单、哪些字段、经由何处、目的）",
)
def access_log(request: HttpRequest, params: Query[AccessLogParams]) -> dict[str, Any]:
    _audit(request)
    qs = _log(params)
    count = qs.count()
    start = (params.page - 1) * params.page_size
    rows = [privacy.access_row(r) for r in qs[start : start + params.page_size]]
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "results": localise(rows),
    }


EXPORT_HEADERS = [
    ("查看时间", 17),
    ("查看人", 14),
    ("姓名", 10),
    ("角色", 8),
    ("工单编号", 16),
    ("途径", 24),
    ("目的", 10),
    ("查看的个人信息", 30),
]


@router.get(
    "/access-log.xlsx", response={200: None, **ERRORS}, summary="导出个人信息查看记录（xlsx）"
)
def export_access_log(request: HttpRequest, params: Query[AccessLogParams]):
    _audit(request)
    qs = _log(params)

    def rows():
        for r in qs.iterator(chunk_size=2000):
            yield [
                r.at.astimezone(SHANGHAI).replace(tzinfo=None),
                r.user.username if r.user_id else "",
                r.user.display_name if r.user_id else "",
                taxonomy.ROLES.label(r.role) if r.role else "",
                r.order.number,
                r.via,
                masking.PURPOSES.label(r.purpose) if r.purpose else "",
                r.fields_label,
            ]

    return exports.xlsx_response(
        "个人信息查看记录.xlsx", "个人信息查看记录", EXPORT_HEADERS, rows()
    )


@router.get(
    "/retention-runs",
    response={200: list[RunOut], **ERRORS},
    summary="个人信息保存期限清理记录（每次运行一条）",
)
def retention_runs(request: HttpRequest, limit: int = Query(50, ge=1, le=500)):
    _audit(request)
    return localise(
        [
            {
                "id": r.pk,
                "started_at": r.started_at,
                "finished_at": r.finished_at,
                "cutoff": r.cutoff,
                "years": r.years,
                "dry_run": r.dry_run,
                "orders": r.orders,
                "trigger": r.trigger,
                "error": r.error,
            }
            for r in RetentionRun.objects.all()[:limit]
        ]
    )


__all__ = ["router"]
