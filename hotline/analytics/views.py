"""Leaders' pages: dashboard, assessment with drill-down, wall screen, monthly report,
concentrated issues.  Thin: parse, authorise, call ``assessment``/``dashboard``, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from hotline import clock
from hotline.analytics import access, assessment, concentrated, dashboard, matters
from hotline.analytics import callbacks as callback_figures
from hotline.analytics.metrics import METRICS, OPEN_OVERDUE_HELP, OPEN_OVERDUE_LABEL
from hotline.analytics.periods import Period, local_day
from hotline.common.http import page_param, safe_next
from hotline.orders.errors import ActionError
from hotline.orders.models import WorkOrder
from hotline.orders.privacy import titles_for
from hotline.org.models import Unit
from hotline.rules import taxonomy


def _period(request: HttpRequest) -> Period:
    today = local_day(clock.now())
    g = request.GET
    try:
        return Period.parse(g.get("month"), g.get("start"), g.get("end"), today)
    except ValueError:
        return Period(today.replace(day=1), today)


def _centre_only(request: HttpRequest) -> HttpResponse | None:
    if request.user.effective_role not in access.CENTRE_ROLES:
        return render(
            request,
            "analytics/denied.html",
            {"message": "本页面仅限中心人员和领导查看"},
            status=403,
        )
    return None


def _query(period: Period, **extra) -> str:
    from urllib.parse import urlencode

    if period.label.endswith("月") and "至" not in period.label:
        params = {"month": f"{period.first:%Y-%m}"}
    else:
        params = {"start": period.first.isoformat(), "end": period.last.isoformat()}
    params.update({k: v for k, v in extra.items() if v not in (None, "", False)})
    return urlencode(params)


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    if denied := _centre_only(request):
        return denied
    period = _period(request)
    data = dashboard.dashboard(period)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "period": period,
            "data": data,
            "month": f"{period.first:%Y-%m}",
            "callbacks": callback_figures.figures(period.start, period.end),
        },
    )


@login_required
def callbacks_page(request: HttpRequest) -> HttpResponse:
    """回访分析: satisfaction by callback method and mode, the survey response rate, what
    became of the surveys, which callbacks the assessment counts (§6.8.2, §6.8.3)."""
    if denied := _centre_only(request):
        return denied
    period = _period(request)
    return render(
        request,
        "analytics/callbacks.html",
        {
            "period": period,
            "month": f"{period.first:%Y-%m}",
            "callbacks": callback_figures.figures(period.start, period.end),
        },
    )


@login_required
def assessment_page(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    subunits = request.GET.get("subunits") in {"1", "true", "on"}
    try:
        scope = access.scope_for(request.user, request.GET.get("unit"))
    except ActionError as exc:
        return render(request, "analytics/denied.html", {"message": exc.message}, status=exc.status)
    result = assessment.assess(period, scope=scope, include_subunits=subunits)
    columns = [(m.code, m.label, m.help) for m in METRICS.values()]
    columns.append(("open_overdue", OPEN_OVERDUE_LABEL, OPEN_OVERDUE_HELP))
    columns += [(c.code, c.label, c.help) for c in assessment.EXTRA_COLUMNS]
    extra_urls = {c.code: reverse(c.url) if c.url else "" for c in assessment.EXTRA_COLUMNS}
    drill_url = reverse("analytics:drill")
    rows = []
    for r in [*result.rows, result.total]:
        query = _query(period, unit=r.unit.code, subunits=subunits)
        cells = [
            (
                code,
                r.open_overdue
                if code == "open_overdue"
                else r.extra.get(code, r.counts.get(code, 0)),
                f"{extra_urls[code]}?unit={r.unit.code}"
                if code in extra_urls
                else f"{drill_url}?{query}&metric={code}",
            )
            for code, _l, _h in columns
        ]
        rows.append(
            {
                "row": r,
                "is_total": r is result.total,
                "rates": [(c, r.rates.get(c)) for c in assessment.RATES],
                "cells": cells,
                "drill": query,
            }
        )
    return render(
        request,
        "analytics/assessment.html",
        {
            "result": result,
            "period": period,
            "month": f"{period.first:%Y-%m}",
            "columns": columns,
            "rates": [(c, v[0]) for c, v in assessment.RATES.items()],
            "weights": [(v[0], int(v[3] * 100)) for v in assessment.RATES.values()],
            "tiers": assessment.tiers(),
            "min_orders": assessment.min_orders(),
            "rows": rows,
            "subunits": subunits,
            "scope": scope,
            "export_query": _query(period, unit=scope.code if scope else "", subunits=subunits),
        },
    )


@login_required
def drill_page(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    metric = request.GET.get("metric", "")
    subunits = request.GET.get("subunits") in {"1", "true", "on"}
    try:
        unit = access.scope_for(request.user, request.GET.get("unit"))
        if unit is None or (metric != "open_overdue" and metric not in METRICS):
            raise ValueError
    except (ActionError, ValueError):
        return render(
            request, "analytics/denied.html", {"message": "请从考核表中选择单位和指标"}, status=400
        )
    rows = assessment.drill(metric, period, unit, include_subunits=subunits)
    page = Paginator(rows.order_by("m_at", "pk").values("m_order", "m_at"), 100).get_page(
        page_param(request)
    )
    orders = WorkOrder.objects.select_related("lead_unit").in_bulk([r["m_order"] for r in page])
    titles = titles_for(request.user, orders.values())
    label = OPEN_OVERDUE_LABEL if metric == "open_overdue" else METRICS[metric].label
    help_text = OPEN_OVERDUE_HELP if metric == "open_overdue" else METRICS[metric].help
    return render(
        request,
        "analytics/drill.html",
        {
            "period": period,
            "unit": unit,
            "label": label,
            "help": help_text,
            "page": page,
            "items": [(r["m_at"], orders[r["m_order"]], titles[r["m_order"]]) for r in page],
            "query": _query(period, unit=unit.code, metric=metric, subunits=subunits),
        },
    )


@login_required
def wall_page(request: HttpRequest) -> HttpResponse:
    if denied := _centre_only(request):
        return denied
    return render(request, "analytics/wall.html", {"data": dashboard.wall()})


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    """The monthly report, laid out for printing (A4)."""
    if denied := _centre_only(request):
        return denied
    period = _period(request)
    result = assessment.assess(period)
    previous = assessment.assess(period.previous(), only_active=False)
    data = dashboard.dashboard(period)
    ranked = [r for r in result.rows if r.rank is not None]
    tiers: dict[str, int] = {}
    for r in ranked:
        tiers[r.tier_label] = tiers.get(r.tier_label, 0) + 1
    return render(
        request,
        "analytics/report.html",
        {
            "period": period,
            "result": result,
            "previous": previous,
            "data": data,
            "top": ranked[:10],
            "ranked_count": len(ranked),
            "bottom": list(reversed(ranked[-10:])) if len(ranked) > 10 else [],
            "tier_counts": tiers,
            "rates": [
                (v[0], result.total.rates.get(c), previous.total.rates.get(c))
                for c, v in assessment.RATES.items()
            ],
            "centre": settings.HOTLINE_CENTRE_NAME,
            "weights": [(v[0], int(v[3] * 100)) for v in assessment.RATES.values()],
            "min_orders": assessment.min_orders(),
        },
    )


@login_required
def hotspots_page(request: HttpRequest) -> HttpResponse:
    """Concentrated issues (§4.2 b): the latest analysis of the period, and the long-term
    matters handed to units."""
    if denied := _centre_only(request):
        return denied
    period = _period(request)
    domain = request.GET.get("domain", "")
    run = concentrated.latest(period, domain)
    units = list(Unit.objects.filter(active=True).exclude(kind="centre").order_by("path"))
    return render(
        request,
        "analytics/hotspots.html",
        {
            "period": period,
            "month": f"{period.first:%Y-%m}",
            "domain": domain,
            "domains": taxonomy.DOMAINS.choices(),
            "run": run,
            "groups": (run.report["groups"] if run else [])[:50],
            "units": units,
            "may_manage": access.may_manage(request.user),
            "matters": list(matters.visible(request.user)[:200]),
        },
    )


@login_required
@require_POST
def hotspots_analyse(request: HttpRequest) -> HttpResponse:
    if not access.may_manage(request.user):
        return render(request, "analytics/denied.html", {"message": "无权发起分析"}, status=403)
    period = _period(request)
    domain = request.GET.get("domain", "")
    run = concentrated.analyse(period, domain=domain)
    messages.success(request, f"已分析 {run.records} 件工单（{run.seconds} 秒）")
    return redirect(f"{reverse('analytics:hotspots')}?{_query(period, domain=domain)}")


@login_required
@require_POST
def hand_over(request: HttpRequest) -> HttpResponse:
    """Hand one group to a unit as a long-term matter."""
    p = request.POST
    try:
        m = matters.do_hand_over(
            request.user,
            title=p.get("title", ""),
            unit=p.get("unit", ""),
            orders=p.getlist("orders"),
            summary=p.get("summary", ""),
            places=[x for x in p.get("places", "").split("、") if x],
            group_key=p.get("group_key", "")[:64],
        )
    except ActionError as exc:
        messages.error(request, "；".join(exc.fields.values()) if exc.fields else exc.message)
    else:
        messages.success(request, f"已交办{m.unit.name}：{m.title}")
    return redirect(safe_next(request, request.POST.get("next"), reverse("analytics:hotspots")))
