"""``/api/v1/analytics``: the assessment, its drill-down, dashboard and wall-screen data,
xlsx exports, and long-term matters (§4.1 b, §4.2 b)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hotline import clock
from hotline.analytics import access, assessment, concentrated, dashboard, exports, matters
from hotline.analytics import callbacks as callback_figures
from hotline.analytics.metrics import METRICS, OPEN_OVERDUE_HELP, OPEN_OVERDUE_LABEL
from hotline.analytics.periods import local_day
from hotline.api import schemas as s
from hotline.api.schemas import ERRORS
from hotline.orders import privacy, queries
from hotline.orders.errors import Forbidden, ValidationFailed
from hotline.orders.models import WorkOrder
from hotline.rules import lifecycle, masking
from hotline.rules.calendar import SHANGHAI

router = Router(tags=["analytics"])

# Every answer the endpoints can give, so the OpenAPI schema covers the errors too.
JSON = {200: dict, **ERRORS}
FILE = {200: None, **ERRORS}


def _period(month, start, end):
    return access.period_or_error(month, start, end, local_day(clock.now()))


def row_out(r: assessment.Row) -> dict:
    return {
        "unit": {"id": r.unit.pk, "code": r.unit.code, "name": r.unit.name},
        "counts": r.counts,
        "open_overdue": r.open_overdue,
        "extra": r.extra,
        "rates": r.rates,
        "score": r.score,
        "rank": r.rank,
        "volume": r.volume,
        "tier": {"code": r.tier, "label": r.tier_label},
    }


def assessment_out(result: assessment.Assessment) -> dict:
    return {
        "period": {
            "first": result.period.first.isoformat(),
            "last": result.period.last.isoformat(),
            "label": result.period.label,
        },
        "now": result.now.astimezone(SHANGHAI).isoformat(),
        "include_subunits": result.include_subunits,
        "sealed_until": (
            result.sealed_until.astimezone(SHANGHAI).isoformat() if result.sealed_until else None
        ),
        "metrics": [{"code": m.code, "label": m.label, "help": m.help} for m in METRICS.values()]
        + [{"code": "open_overdue", "label": OPEN_OVERDUE_LABEL, "help": OPEN_OVERDUE_HELP}]
        + [{"code": c.code, "label": c.label, "help": c.help} for c in assessment.EXTRA_COLUMNS],
        "rates": [{"code": c, "label": v[0], "weight": v[3]} for c, v in assessment.RATES.items()],
        "tiers": [{"min": t, "code": c, "label": lb} for t, c, lb in assessment.tiers()],
        "rows": [row_out(r) for r in result.rows],
        "total": row_out(result.total),
    }


def _assess(request, month, start, end, unit, subunits):
    scope = access.scope_for(request.auth, unit)
    return assessment.assess(_period(month, start, end), scope=scope, include_subunits=subunits)


@router.get(
    "/assessment", response=JSON, summary="单位考核：各项计数、三率、得分、排名与等次（§4.1 b）"
)
def get_assessment(
    request: HttpRequest,
    month: s.Code | None = None,
    start: s.Code | None = None,
    end: s.Code | None = None,
    unit: s.Code | None = None,
    subunits: bool = False,
):
    return assessment_out(_assess(request, month, start, end, unit, subunits))


@router.get("/assessment.xlsx", response=FILE, summary="导出考核表（xlsx）")
def export_assessment(
    request: HttpRequest,
    month: s.Code | None = None,
    start: s.Code | None = None,
    end: s.Code | None = None,
    unit: s.Code | None = None,
    subunits: bool = False,
):
    result = _assess(request, month, start, end, unit, subunits)
    return exports.xlsx_response(
        f"单位考核_{result.period.label}.xlsx",
        "单位考核",
        exports.assessment_headers(),
        exports.assessment_rows(result),
    )


def _drill_rows(request, metric, unit, month, start, end, subunits):
    if metric != "open_overdue" and metric not in METRICS:
        raise ValidationFailed({"metric": "没有这个考核指标"})
    scope = access.scope_for(request.auth, unit)
    if scope is None:
        raise ValidationFailed({"unit": "请指定单位"})
    period = _period(month, start, end)
    return assessment.drill(metric, period, scope, include_subunits=subunits)


@router.get("/assessment/orders", response=JSON, summary="考核数字下钻：恰好是被计数的那些工单")
def drill_down(
    request: HttpRequest,
    metric: s.Code,
    unit: s.Code,
    month: s.Code | None = None,
    start: s.Code | None = None,
    end: s.Code | None = None,
    subunits: bool = False,
    limit: s.Limit = 50,
    offset: s.Offset = 0,
):
    rows = _drill_rows(request, metric, unit, month, start, end, subunits)
    total = rows.count()
    page = list(
        rows.order_by("m_at", "pk").values("m_order", "m_at", "m_unit")[offset : offset + limit]
    )
    orders = WorkOrder.objects.in_bulk([r["m_order"] for r in page])
    titles = privacy.titles_for(request.auth, orders.values())
    return {
        "metric": metric,
        "count": total,
        "items": [
            {
                "number": orders[r["m_order"]].number,
                "title": titles[r["m_order"]],
                "state": orders[r["m_order"]].state,
                "state_label": lifecycle.STATES.label(orders[r["m_order"]].state),
                "at": r["m_at"].astimezone(SHANGHAI).isoformat(),
                "unit_id": r["m_unit"],
            }
            for r in page
        ],
    }


@router.get("/assessment/orders.xlsx", response=FILE, summary="导出下钻工单（xlsx）")
def drill_down_export(
    request: HttpRequest,
    metric: s.Code,
    unit: s.Code,
    month: s.Code | None = None,
    start: s.Code | None = None,
    end: s.Code | None = None,
    subunits: bool = False,
):
    rows = _drill_rows(request, metric, unit, month, start, end, subunits)
    qs = WorkOrder.objects.filter(pk__in=rows.values("m_order"))
    return exports.xlsx_response(
        f"考核下钻_{metric}.xlsx", "工单", exports.order_headers(), exports.order_rows(qs)
    )


@router.get(
    "/orders.xlsx",
    response=FILE,
    summary="按当前筛选条件导出工单（xlsx，流式；默认不含个人信息，personal=true 含个人信息并逐单记录）",
)
def export_orders(
    request: HttpRequest,
    state: s.Code | None = None,
    unit: s.Code | None = None,
    domain: s.Code | None = None,
    urgency: s.Code | None = None,
    channel: s.Code | None = None,
    deadline_state: s.Code | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: s.Search | None = None,
    emergency: bool | None = None,
    phone: s.Code | None = None,
    personal: bool = False,
    purpose: s.Code = "export",
):
    """``personal=true`` adds the citizen's name, phone and address and leaves the texts
    unmasked: centre staff only, with a ``purpose`` (``masking.PURPOSES``); every order
    exported writes one personal-info access-log row."""
    params = {
        k: v
        for k, v in locals().items()
        if k not in ("request", "personal", "purpose") and v not in (None, "")
    }
    if personal:
        if request.auth.effective_role not in privacy.CENTRE_ROLES:
            raise Forbidden("只有热线中心人员可以导出个人信息")
        if purpose not in masking.PURPOSES:
            raise ValidationFailed({"purpose": "请选择导出个人信息的目的"})
    now = clock.now()
    qs = queries.filter_orders(queries.visible_orders(request.auth), params, user=request.auth)
    seen: list[int] = []
    response = exports.xlsx_response(
        f"工单导出_{local_day(now):%Y%m%d}.xlsx",
        "工单",
        exports.order_headers(personal=personal),
        exports.order_rows(qs, personal=personal, seen=seen),
    )
    if personal:
        privacy.log_export(
            request.auth,
            (WorkOrder(pk=pk) for pk in seen),
            list(privacy.CITIZEN_FIELDS) + ["text"],
            via="api:orders.xlsx",
            purpose=purpose,
            now=now,
        )
    return response


@router.get("/dashboard", response=JSON, summary="数据看板：来件量分布与趋势、按时率与满意率趋势")
def get_dashboard(
    request: HttpRequest,
    month: s.Code | None = None,
    start: s.Code | None = None,
    end: s.Code | None = None,
):
    if request.auth.effective_role not in access.CENTRE_ROLES:
        raise Forbidden("数据看板仅限中心人员和领导查看")
    return dashboard.dashboard(_period(month, start, end))


@router.get(
    "/callbacks",
    response=JSON,
    summary="回访分析：智能回访答复率、转人工原因、按回访方式的满意度（§6.8.2、§6.8.3）",
)
def get_callbacks(
    request: HttpRequest,
    month: s.Code | None = None,
    start: s.Code | None = None,
    end: s.Code | None = None,
):
    if request.auth.effective_role not in access.CENTRE_ROLES:
        raise Forbidden("回访分析仅限中心人员和领导查看")
    period = _period(month, start, end)
    return {
        "period": {
            "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            "label": period.label,
        },
        **callback_figures.figures(period.start, period.end),
    }


@router.get("/wall", response=JSON, summary="大屏：今日来件、在办、超期与近30天趋势")
def get_wall(request: HttpRequest):
    if request.auth.effective_role not in access.CENTRE_ROLES:
        raise Forbidden("大屏数据仅限中心人员和领导查看")
    return dashboard.wall()


# --- concentrated issues (§4.2 b) ---------------------------------------------------------


def run_out(run) -> dict:
    return {
        "period": {"first": run.first.isoformat(), "last": run.last.isoformat()},
        "domain": run.domain,
        "records": run.records,
        "truncated": run.truncated,
        "computed_at": run.computed_at.astimezone(SHANGHAI).isoformat(),
        "seconds": run.seconds,
        **run.report,
    }


@router.get(
    "/hotspots",
    response=JSON,
    summary="集中诉求：相似诉求分组、上升话题、重复诉求（最近一次分析，§4.2 b）",
)
def get_hotspots(
    request: HttpRequest,
    month: s.Code | None = None,
    start: s.Code | None = None,
    end: s.Code | None = None,
    domain: s.Code = "",
):
    if request.auth.effective_role not in access.CENTRE_ROLES:
        raise Forbidden("集中诉求分析仅限中心人员和领导查看")
    run = concentrated.latest(_period(month, start, end), domain)
    if run is None:
        return {
            "records": 0,
            "computed_at": None,
            "groups": [],
            "rising_terms": [],
            "rising_groups": [],
            "repeats": [],
        }
    return run_out(run)


@router.post("/hotspots/analyse", response=JSON, summary="重新分析集中诉求（耗时随工单量增长）")
def analyse_hotspots(
    request: HttpRequest,
    month: s.Code | None = None,
    start: s.Code | None = None,
    end: s.Code | None = None,
    domain: s.Code = "",
):
    if not access.may_manage(request.auth):
        raise Forbidden("只有中心审核、督办人员和领导可以发起分析")
    return run_out(concentrated.analyse(_period(month, start, end), domain=domain))


class MatterIn(Schema):
    title: s.Short
    unit: int | s.Code
    orders: list[s.Code] = Field([], max_length=1000)
    summary: s.Note = ""
    places: list[s.Short] = Field([], max_length=100)
    group_key: s.Short = ""
    due_date: date | None = None


class MatterStep(Schema):
    state: s.Code
    note: s.Note = ""


@router.get("/matters", response={200: list[dict], **ERRORS}, summary="长效问题交办清单")
def list_matters(request: HttpRequest, state: s.Code | None = None):
    return [matters.matter_out(m) for m in matters.visible(request.auth, state)]


@router.post(
    "/matters", response={201: dict, **ERRORS}, summary="将集中诉求交办给单位作为长效问题（§4.2 b）"
)
def create_matter(request: HttpRequest, payload: MatterIn):
    m = matters.do_hand_over(request.auth, **payload.dict())
    return Status(201, matters.matter_out(m))


@router.get("/matters/{matter_id}", response=JSON, summary="长效问题详情与轨迹")
def get_matter(request: HttpRequest, matter_id: int):
    return matters.matter_out(matters.get_visible(request.auth, matter_id), timeline=True)


@router.post(
    "/matters/{matter_id}/progress", response=JSON, summary="长效问题推进：认领、整改完成、销号"
)
def progress_matter(request: HttpRequest, matter_id: int, payload: MatterStep):
    m = matters.do_progress(request.auth, matter_id, state=payload.state, note=payload.note)
    return matters.matter_out(m, timeline=True)
