"""Each role's home: review (审核员), inbox (承办单位), supervision board (督办员), callbacks
(回访员), and the unit picker used when dispatching."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from hotline import clock
from hotline.callbacks import actions as cba
from hotline.callbacks import queries as cq
from hotline.common.http import page_param
from hotline.orders import privacy
from hotline.orders.models import ExtensionRequest, SuspensionRequest
from hotline.rules import limits
from hotline.web import queries as wq
from hotline.web import sorting
from hotline.web import worklist as wl
from hotline.web.views.common import page_size, role_required, run_action, visible_order


def _queue(
    request,
    key: str,
    title: str,
    intro: str,
    queues: dict,
    labels: list[tuple[str, str]],
    **extra,
):
    tab = request.GET.get("tab") or labels[0][0]
    if tab not in queues:
        tab = labels[0][0]
    now = clock.now()
    sort = sorting.sort_param(request)
    page = wq.paginate(
        sorting.apply(queues[tab], sort),
        page_param(request),
        page_size(request, 30),
        now,
        request.user,
    )
    tabs = [(k, label, queues[k].count()) for k, label in labels]
    ref = wl.QueueRef(key, tab, sort)
    if key == "review" and tab == "requests":
        _attach_requests(request.user, page.object_list)
    return render(
        request,
        "web/queue.html",
        {
            "title": title,
            "intro": intro,
            "tabs": tabs,
            "tab": tab,
            "page": page,
            "now": now,
            "sort": sort,
            "sort_base": f"tab={tab}",
            "query": f"tab={tab}" + (f"&sort={sort}" if sort else ""),
            "queue_query": ref.query(),
            "approvals": key == "review" and tab == "requests",
            **extra,
        },
    )


def _attach_requests(user, rows) -> None:
    """延期/挂单审批: each row's pending request — days asked, reason (as the reviewer
    may read it), requesting unit — in two queries for the page."""
    ids = [r.order.pk for r in rows]
    found: dict[int, dict] = {}
    for model, kind, unit in (
        (ExtensionRequest, "延期", "个工作日"),
        (SuspensionRequest, "挂单", "个自然日"),
    ):
        for req in model.objects.filter(order_id__in=ids, decision="pending").select_related(
            "unit"
        ):
            found[req.order_id] = {
                "kind": kind,
                "days": f"{req.days}{unit}",
                "unit": req.unit.name,
                "reason": "",
                "raw": req.reason,
            }
    for row in rows:
        req = found.get(row.order.pk)
        if req is not None:
            req["reason"] = privacy.list_view(user, row.order).text(req.pop("raw"))
            row.request = req


@role_required("reviewer")
def review(request):
    return _queue(
        request,
        "review",
        "审核派转",
        "按派转时限排序：合格工单须在受理后1个工作日内派转（§6.2），不合格的退回受理席；"
        "承办单位的延期、挂单申请由中心审批（§6.4.1）；答复经认定后进入回访（§6.6）。",
        wq.review_queues(request.user),
        [("pending_review", "待审核派转"), ("requests", "延期/挂单审批"), ("replied", "答复认定")],
    )


@role_required("unit")
def inbox(request):
    now = clock.now()
    return _queue(
        request,
        "inbox",
        f"本单位工单 · {request.user.unit.name if request.user.unit_id else ''}",
        "签收后办理，并在时限内答复（一般诉求5个工作日，应急类2小时，§6.4.2）；"
        "情况复杂可申请延期（≤5个工作日）或挂单（≤90个自然日，§6.4.1）。",
        wq.inbox_queues(request.user, now),
        [
            ("to_sign", "待签收"),
            ("handling", "办理中"),
            ("warning", "即将超期"),
            ("overdue", "已超期"),
            ("answered", "已答复"),
        ],
    )


@role_required("callback")
def callbacks(request):
    unmatched = cq.desk_replies().count()
    return _queue(
        request,
        "callbacks",
        "回访",
        "转办工单经承办单位答复、中心认定后回访服务对象，记录满意程度和解决程度后方可结案（§6.7.2、§6.8）。"
        "按回访策略，留有手机号码的一般诉求先发短信评价（§6.8.2）：满意且已解决的自动结案，"
        "不满意、未解决、无法识别或超时未答复的转入“待人工回访”。",
        wq.callback_queues(request.user),
        [
            ("pending_callback", "全部待回访"),
            ("manual", "待人工回访"),
            ("negative", "不满意/未解决"),
            ("smart", "智能回访中"),
            ("replied", "待答复认定"),
        ],
        links=[("短信回复待处理", reverse("web:sms_replies"), unmatched)],
    )


@role_required("callback")
def sms_replies(request):
    """The callback desk's inbox of replies nobody could match, and late ones (§6.8.2)."""
    if request.method == "POST":
        pk = request.POST.get("reply", "")
        if not pk.isdigit():
            raise Http404("短信不存在")
        outcome = run_action(
            cba.do_mark_handled,
            int(pk),
            request.user,
            note=request.POST.get("note", ""),
        )
        if outcome.ok:
            messages.success(request, "已标记为已处理")
        else:
            messages.warning(request, outcome.conflict or "未能标记，请重试")
        return redirect("web:sms_replies")
    handled = request.GET.get("handled") == "1"
    page = Paginator(cq.desk_replies(handled=handled), page_size(request, 30)).get_page(
        request.GET.get("page")
    )
    return render(request, "web/sms_replies.html", {"page": page, "handled": handled})


@role_required("supervisor", "leader")
def supervision(request):
    """§6.5: the red (overdue) and yellow (due soon) orders held by units, by unit."""
    now = clock.now()
    light = request.GET.get("light", "overdue")
    unit = request.GET.get("unit") or None
    base = urlencode(
        {"light": light if light in ("warning", "overdue") else "overdue"}
        | ({"unit": unit} if unit else {})
    )
    lights = wq.board(now)
    sort = sorting.sort_param(request)
    page = wq.paginate(
        sorting.apply(wq.board_orders(request.user, now, light, unit), sort),
        page_param(request),
        page_size(request, 30),
        now,
        request.user,
    )
    return render(
        request,
        "web/supervision.html",
        {
            "units": lights,
            "light": light if light in ("warning", "overdue") else "overdue",
            "unit": unit,
            "page": page,
            "now": now,
            "sort": sort,
            "sort_base": base,
            "query": base + (f"&sort={sort}" if sort else ""),
            "board": True,
            "totals": {
                "overdue": sum(u.overdue for u in lights),
                "warning": sum(u.warning for u in lights),
            },
        },
    )


@role_required("reviewer")
def unit_search(request):
    """htmx: units matching the text, with their jurisdiction and responsibilities (§6.3)."""
    q = request.GET.get("q", "")[: limits.SEARCH_QUERY]
    units = wq.search_units(q) if q.strip() else []
    if not q.strip() and (number := request.GET.get("order")):
        units = wq.recommended_units(visible_order(request, number))
    return render(request, "web/orders/_units.html", {"units": units, "q": q})
