"""Working through lists: saved filters of 工单查询, its xlsx export, bulk sign (units)
and bulk dispatch of confidently routed orders (reviewers).

Bulk actions run each order through its own ``do_*`` action in its own transaction
(``run_action``): one order that cannot be signed or dispatched — taken by someone else,
no longer the user's, refused by a guard — is reported on its line and the others stand.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from hotline import clock
from hotline.analytics import exports
from hotline.orders import actions as act
from hotline.orders import queries as oq
from hotline.org.models import Unit
from hotline.rules.calendar import to_shanghai
from hotline.web import forms as f
from hotline.web import once, sorting
from hotline.web import queries as wq
from hotline.web import worklist as wl
from hotline.web.models import SavedFilter
from hotline.web.views.common import role_required, run_action, staff_required

# ---------------------------------------------------------------------------
# saved filters

MAX_SAVED_FILTERS = 20


def filter_units(user):
    units = Unit.objects.filter(active=True).exclude(kind="centre").only("code", "name")
    return wq.unit_scope(user) if user.effective_role == "unit" else units


def clean_query(raw: str) -> str:
    """The part of a list's query string worth saving: its filter fields and its sort —
    not a caller's phone number (personal data is not kept in saved filters)."""
    allowed = (set(f.FilterForm.base_fields) - {"phone"}) | {"sort"}
    src = QueryDict(raw[:2000])
    out = QueryDict(mutable=True)
    for key in src:
        if key in allowed:
            values = [v for v in src.getlist(key) if v]
            if key == "sort":
                values = [v for v in values if v.removeprefix("-") in sorting.SORTS][:1]
            if values:
                out.setlist(key, values)
    return out.urlencode()[:1000]


def saved_filters(user) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(user=user))


@staff_required
@require_POST
def save_filter(request):
    name = request.POST.get("name", "").strip()
    query = clean_query(request.POST.get("query", ""))
    back = reverse("web:orders") + (f"?{query}" if query else "")
    if not name or len(name) > 40:
        messages.warning(request, "常用筛选的名称须为 1 到 40 个字")
        return redirect(back)
    mine = SavedFilter.objects.filter(user=request.user)
    if not mine.filter(name=name).exists() and mine.count() >= MAX_SAVED_FILTERS:
        messages.warning(request, f"常用筛选最多保存 {MAX_SAVED_FILTERS} 个，请先删除不用的")
        return redirect(back)
    try:
        with transaction.atomic():
            SavedFilter.objects.update_or_create(
                user=request.user,
                name=name,
                defaults={"query": query, "created_at": clock.now()},
            )
    except IntegrityError:  # the same name saved twice at once: the first one stands
        pass
    messages.success(request, f"已保存常用筛选：{name}")
    return redirect(back)


@staff_required
@require_POST
def delete_filter(request, pk: int):
    deleted, _ = SavedFilter.objects.filter(user=request.user, pk=pk).delete()
    if not deleted:
        raise Http404("常用筛选不存在")
    messages.success(request, "已删除常用筛选")
    return redirect("web:orders")


# ---------------------------------------------------------------------------
# export


@staff_required
def export_orders(request):
    """工单查询 as xlsx: the orders the viewer may see, filtered and sorted as the list,
    as the viewer sees them (``worklist.export_rows``), at most ``EXPORT_MAX_ROWS``."""
    now = clock.now()
    form = f.FilterForm(request.GET or None, units=filter_units(request.user))
    sort = sorting.sort_param(request)
    qs = oq.filter_orders(oq.visible_orders(request.user), form.params(), now, user=request.user)
    qs = sorting.apply(qs.order_by("-created_at", "-id"), sort)
    return exports.xlsx_response(
        f"工单查询_{to_shanghai(now):%Y%m%d_%H%M}.xlsx",
        "工单",
        wl.EXPORT_COLUMNS,
        wl.export_rows(request.user, qs, now),
    )


# ---------------------------------------------------------------------------
# bulk actions


@dataclass
class BulkLine:
    number: str
    ok: bool
    message: str


def _numbers(request) -> list[str]:
    seen: list[str] = []
    for n in request.POST.getlist("orders"):
        n = n.strip()[:20]
        if n and n not in seen:
            seen.append(n)
    return seen[: wl.BULK_DISPATCH_MAX * 2]


def _run(request, number: str, fn, *args, **kwargs) -> BulkLine:
    outcome = run_action(fn, *args, **kwargs)
    if outcome.ok:
        return BulkLine(number, True, "")
    if outcome.validation is not None:
        text = "；".join(str(v) for v in outcome.validation.fields.values())
        return BulkLine(number, False, text or outcome.validation.message)
    return BulkLine(number, False, outcome.conflict or "未能办理")


def _guarded(fn):
    """A permission refusal on one order is that order's result, not the whole page's."""
    from django.core.exceptions import PermissionDenied

    def run(request, number, *args, **kwargs):
        try:
            return fn(request, number, *args, **kwargs)
        except PermissionDenied as exc:
            return BulkLine(number, False, str(exc) or "无权办理此工单")
        except Http404:
            return BulkLine(number, False, "工单不存在或无权查看")

    return run


@_guarded
def _sign_one(request, number: str) -> BulkLine:
    order = oq.visible_orders(request.user).filter(number=number).first()
    if order is None:
        raise Http404
    allowed = oq.allowed_actions(request.user, order)
    if "sign" in allowed:
        return _run(request, number, act.do_sign, order, request.user)
    if "co_sign" in allowed:
        return _run(request, number, act.do_co_sign, order, request.user)
    refused = oq.refusal(request.user, order, "sign")
    return BulkLine(number, False, refused.message if refused else "当前状态不能签收")


@role_required("unit")
@require_POST
@once.one_time
def bulk_sign(request):
    """批量签收: each ticked order of 待签收 signed (or co-signed) on its own."""
    numbers = _numbers(request)
    if not numbers:
        messages.warning(request, "请先勾选要签收的工单")
        return redirect(reverse("web:inbox") + "?tab=to_sign")
    lines = [_sign_one(request, n) for n in numbers]
    return _summary(request, "批量签收", lines, reverse("web:inbox") + "?tab=to_sign")


@_guarded
def _dispatch_one(request, number: str, unit_code: str) -> BulkLine:
    order = (
        oq.visible_orders(request.user)
        .select_related("category", "area")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise Http404
    hint = wl.confident_unit(request.user, order)
    unit = Unit.objects.filter(code=unit_code).first()
    if hint is None or unit is None or hint.unit_id != unit.pk:
        return BulkLine(number, False, "派单建议已变化或不再可信，请在工单页面派转")
    return _run(
        request,
        number,
        act.do_dispatch,
        order,
        request.user,
        lead_unit=unit,
        note="批量派转（智能派单建议）",
    )


@role_required("reviewer")
@once.one_time
def bulk_dispatch(request):
    """批量派转: the orders waiting for dispatch whose routing suggestion is confident
    (``worklist.confident_unit``), each dispatched to that unit on its own."""
    if request.method == "POST":
        pairs = [(n, request.POST.get(f"unit-{n}", "")[:40]) for n in _numbers(request)]
        if not pairs:
            messages.warning(request, "请先勾选要派转的工单")
            return redirect("web:bulk_dispatch")
        lines = [_dispatch_one(request, n, code) for n, code in pairs]
        return _summary(request, "批量派转", lines, reverse("web:bulk_dispatch"))
    rows = wl.confident_orders(request.user)
    units = {u.pk: u.code for u in Unit.objects.filter(pk__in={r.unit_id for r in rows})}
    return render(
        request,
        "web/bulk_dispatch.html",
        {
            "rows": [(r, units.get(r.unit_id, "")) for r in rows],
            "window": wl.BULK_DISPATCH_MAX,
            "score": wl.CONFIDENT_SCORE,
            "margin": wl.CONFIDENT_MARGIN,
        },
    )


def _summary(request, title: str, lines: list[BulkLine], back: str):
    done = sum(1 for line in lines if line.ok)
    return render(
        request,
        "web/bulk_result.html",
        {
            "title": title,
            "lines": lines,
            "done": done,
            "failed": len(lines) - done,
            "back": back,
        },
    )
