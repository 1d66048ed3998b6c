"""Order list, order detail with its action panel, the action endpoint, attachments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from hotline import clock
from hotline.callbacks import queries as cq
from hotline.common import downloads, hooks
from hotline.common.http import page_param
from hotline.orders import actions as act
from hotline.orders import privacy
from hotline.orders import queries as oq
from hotline.orders.models import WorkOrder
from hotline.org.models import Unit
from hotline.rules import screening, taxonomy
from hotline.supervision import actions as sup
from hotline.web import forms as f
from hotline.web import once, sorting
from hotline.web import queries as wq
from hotline.web import worklist as wl
from hotline.web.views import worklists
from hotline.web.views.common import page_size, run_action, staff_required, visible_order

# ---------------------------------------------------------------------------
# the list


@staff_required
def order_list(request):
    now = clock.now()
    units = Unit.objects.filter(active=True).exclude(kind="centre").only("code", "name")
    if request.user.effective_role == "unit":
        units = wq.unit_scope(request.user)
    form = f.FilterForm(request.GET or None, units=units)
    # "relevance" (keyword matches ranked, oq.list_order) or a column of sorting.SORTS
    relevance = request.GET.get("sort", "").strip() == "relevance"
    sort = "" if relevance else sorting.sort_param(request)
    params = form.params()
    visible = oq.visible_orders(request.user)
    qs = oq.filter_orders(visible, params, now, user=request.user)
    page = wq.paginate(
        sorting.apply(
            oq.list_order(qs, q=params.get("q"), sort="relevance" if relevance else None), sort
        ),
        page_param(request),
        page_size(request, settings.HOTLINE_WEB["page_size"]),
        now,
        request.user,
        count_cap=oq.count_cap(params),
        known_common=oq.known_common(params, request.user),
        walk=None
        if sort or relevance
        else oq.keyword_walk(visible, params, now, user=request.user),
    )
    query = request.GET.copy()
    query.pop("page", None)
    base = query.copy()
    base.pop("sort", None)
    ctx = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort_base": base.urlencode(),
        "sort_form": "order-filter",
        "sort": sort,
        "now": now,
        "saved_filters": worklists.saved_filters(request.user),
        "filter_query": worklists.clean_query(query.urlencode()),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "order-results":
        return render(request, "web/orders/_results.html", ctx)
    return render(request, "web/orders/list.html", ctx)


# ---------------------------------------------------------------------------
# actions offered on the detail page


@dataclass(frozen=True)
class UiAction:
    """How the workbench offers one lifecycle action: its form and how to call it."""

    label: str
    form: type[f.WorkbenchForm]
    run: Callable[[WorkOrder, Any, dict, Any], Any]
    style: str = "primary"
    hint: str = ""
    files: bool = False


def _reply(order, user, d, request):
    reply = act.do_reply(
        order,
        user,
        handling_situation=d["handling_situation"],
        citizen_contact=d["citizen_contact"],
        investigation=d["investigation"],
        opinion=d["opinion"],
        public_note=d["public_note"],
    )
    for upload in request.FILES.getlist("reply-file"):
        act.do_attach(order, user, upload, purpose="reply", reply=reply)
    return reply


def _no_further(order, user, d, request):
    if d.get("document"):
        act.do_attach(order, user, d["document"], purpose="explanation")
    return act.do_no_further_handling(
        order, user, reason=d["reason"], explanation=d["explanation"], public_note=d["public_note"]
    )


def _sign(order, user, d, request):
    return act.do_sign(order, user)


def _direct(order, user, d, request):
    out = act.do_direct_close(order, user, answer=d["answer"])
    for hook in hooks.direct_close_hooks:
        hook(out, user, d)
    return out


ACTION_UI: dict[str, UiAction] = {
    "submit": UiAction("提交审核", f.EmptyForm, lambda o, u, d, r: act.do_submit(o, u)),
    "direct_close": UiAction(
        "直办结案", f.DirectForm, _direct, "success", "§6.7.1 直办的工单办理结束即可结案"
    ),
    "reject": UiAction(
        "不予受理",
        f.RejectForm,
        lambda o, u, d, r: act.do_reject(
            o, u, reason=d["reason"], note=d["note"], emergency_line=d["emergency_line"]
        ),
        "outline-danger",
        "§5.3 a–g；属于紧急热线范围的请转接对应热线（§5.3 d）",
    ),
    "return_to_intake": UiAction(
        "退回受理",
        f.ReasonForm,
        lambda o, u, d, r: act.do_return_to_intake(o, u, reason=d["reason"]),
        "outline-warning",
        "§6.2 不符合派转要求的工单退回受理席",
    ),
    "dispatch": UiAction(
        "派转",
        f.DispatchForm,
        lambda o, u, d, r: act.do_dispatch(
            o, u, lead_unit=d["lead_unit"], co_units=d["co_units"], note=d["note"]
        ),
        "primary",
        "§6.3 按问题性质、职责和属地派转，1个工作日内完成（§6.2）",
    ),
    "sign": UiAction("签收", f.EmptyForm, _sign, "primary"),
    "co_sign": UiAction("协办签收", f.EmptyForm, lambda o, u, d, r: act.do_co_sign(o, u)),
    "unit_return": UiAction(
        "退单",
        f.ReasonForm,
        lambda o, u, d, r: act.do_unit_return(o, u, reason=d["reason"]),
        "outline-warning",
        "非本单位职责的工单退回热线中心重新派转",
    ),
    "request_extension": UiAction(
        "申请延期",
        f.ExtensionForm,
        lambda o, u, d, r: act.do_request_extension(o, u, days=d["days"], reason=d["reason"]),
        "outline-primary",
        "§6.4.1 复杂疑难诉求延期一般不超过5个工作日",
    ),
    "approve_extension": UiAction(
        "批准延期",
        f.NoteForm,
        lambda o, u, d, r: act.do_decide_extension(o, u, approve=True, note=d["note"]),
        "success",
    ),
    "deny_extension": UiAction(
        "驳回延期",
        f.NoteForm,
        lambda o, u, d, r: act.do_decide_extension(o, u, approve=False, note=d["note"]),
        "outline-danger",
    ),
    "request_suspension": UiAction(
        "申请挂单",
        f.SuspensionForm,
        lambda o, u, d, r: act.do_request_suspension(o, u, days=d["days"], reason=d["reason"]),
        "outline-primary",
        "§6.4.1 法律法规有明确办理时限的诉求可申请挂单，最长90个自然日",
    ),
    "approve_suspension": UiAction(
        "批准挂单",
        f.NoteForm,
        lambda o, u, d, r: act.do_decide_suspension(o, u, approve=True, note=d["note"]),
        "success",
    ),
    "deny_suspension": UiAction(
        "驳回挂单",
        f.NoteForm,
        lambda o, u, d, r: act.do_decide_suspension(o, u, approve=False, note=d["note"]),
        "outline-danger",
    ),
    "resume": UiAction(
        "恢复办理", f.NoteForm, lambda o, u, d, r: act.do_resume(o, u, note=d["note"])
    ),
    "reply": UiAction("答复", f.ReplyForm, _reply, "primary", "§6.4.3 a–d 四项均须填写", True),
    "no_further_handling": UiAction(
        "不再办理",
        f.NoFurtherForm,
        _no_further,
        "outline-secondary",
        "§6.6.3 须向热线提交正式书面说明（文字或上传文件）",
        True,
    ),
    "accept_reply": UiAction(
        "答复认定通过",
        f.NoteForm,
        lambda o, u, d, r: act.do_accept_reply(o, u, note=d["note"]),
        "success",
        "§6.6 认定后进入回访",
    ),
    "reverify": UiAction(
        "再次核实",
        f.ReasonForm,
        lambda o, u, d, r: act.do_reverify(o, u, reason=d["reason"]),
        "outline-warning",
        "§6.6.2 答复与服务对象反映情况存在出入",
    ),
    "remind": UiAction(
        "记录电话催办",
        f.ReminderForm,
        lambda o, u, d, r: sup.do_remind(o, u, **d),
        "warning",
        "§6.5 超期工单电话催办2次仍未回复处理结果的转入督办；未超期的记为提醒",
    ),
    "supervise": UiAction(
        "记录督办",
        f.SuperviseForm,
        lambda o, u, d, r: sup.do_supervise(o, u, **d),
        "danger",
        "§6.5 仅限超期工单；督办方式留空则执行系统建议的下一步（a 智能 → b 电话 → c 短信 → d 其他）",
    ),
    "link_duplicate": UiAction(
        "关联重复工单",
        f.DuplicateForm,
        lambda o, u, d, r: act.do_link_duplicate(o, u, main=d["main"], reason=d["reason"]),
        "outline-secondary",
        "同一问题的工单互相关联，各自办理（§6.6.3 c）",
    ),
    "merge": UiAction(
        "并单",
        f.DuplicateForm,
        lambda o, u, d, r: act.do_merge(o, u, main=d["main"], reason=d["reason"]),
        "outline-warning",
        "并入主工单：随主工单办理，主工单答复后仍回访本工单的服务对象（§6.6.3 c）",
    ),
    "unmerge": UiAction(
        "取消并单",
        f.UnmergeForm,
        lambda o, u, d, r: act.do_unmerge(o, u, reason=d["reason"]),
        "outline-danger",
        "恢复为独立工单，回到受理环节重新提交审核",
    ),
    "record_callback": UiAction(
        "记录回访",
        f.CallbackForm,
        lambda o, u, d, r: act.do_record_callback(o, u, **d),
        "primary",
        "§6.8 回访办理情况、满意程度和解决程度",
    ),
    "close": UiAction(
        "回访结案",
        f.NoteForm,
        lambda o, u, d, r: act.do_close(o, u, note=d["note"]),
        "success",
        "§6.7.2 转办工单回访后方可结案",
    ),
    "reopen": UiAction(
        "重办",
        f.ReasonForm,
        lambda o, u, d, r: act.do_reopen(o, u, reason=d["reason"]),
        "outline-danger",
        "服务对象不满意时退回原承办单位重新办理",
    ),
    "comment": UiAction(
        "添加备注",
        f.RequiredNoteForm,
        lambda o, u, d, r: act.do_comment(o, u, note=d["note"]),
        "outline-secondary",
    ),
    "attach": UiAction(
        "上传附件",
        f.AttachForm,
        lambda o, u, d, r: act.do_attach(o, u, d["file"], purpose=d["purpose"]),
        "outline-secondary",
        "§6.1.2 语音、图片、视频、文字",
        True,
    ),
}

# The order of the panels on the detail page, and which one opens by itself: the step the
# viewer most likely came to take.
PANEL_ORDER = [
    "dispatch",
    "return_to_intake",
    "sign",
    "co_sign",
    "reply",
    "no_further_handling",
    "request_extension",
    "request_suspension",
    "resume",
    "unit_return",
    "approve_extension",
    "deny_extension",
    "approve_suspension",
    "deny_suspension",
    "accept_reply",
    "reverify",
    "remind",
    "supervise",
    "record_callback",
    "close",
    "reopen",
    "submit",
    "direct_close",
    "reject",
    "merge",
    "link_duplicate",
    "unmerge",
    "comment",
    "attach",
]
OPENS = {
    "dispatch",
    "sign",
    "co_sign",
    "reply",
    "approve_extension",
    "approve_suspension",
    "accept_reply",
    "remind",
    "record_callback",
    "submit",
    "resume",
}

# Actions taken on the intake page (the full §6.1 form) rather than in the panel.
INTAKE_ACTIONS = {"accept", "update"}


def offered_actions(user, order: WorkOrder) -> list[str]:
    """What the detail page offers: the transition table and the actions' guards for this
    user on this order now (``orders.queries.allowed_actions``) — what the server accepts."""
    return oq.allowed_actions(user, order)


# ---------------------------------------------------------------------------
# detail


def detail_context(request, order: WorkOrder, *, bound: dict | None = None) -> dict:
    now = clock.now()
    user = request.user
    view = privacy.seen_by(user, order, via="web:order_detail", now=now)
    keeps = view.keeps
    names = [] if view.own_part else offered_actions(user, order)
    panels = []
    names = sorted(names, key=lambda n: PANEL_ORDER.index(n) if n in PANEL_ORDER else 99)
    for name in names:
        ui = ACTION_UI.get(name)
        if ui is None:
            continue
        form = (bound or {}).get(name) or ui.form(prefix=name)
        panels.append({"name": name, "ui": ui, "form": form, "open": name in (bound or {})})
    if bound is None and panels and panels[0]["name"] in OPENS:
        panels[0]["open"] = True
    deadlines = oq.order_deadlines(order, now)
    if view.own_part:
        mine = view.own_deadline_ids()
        deadlines = [d for d in deadlines if d.id in mine]
    events = [e for e in order.events.select_related("unit") if keeps(e.unit_id)]
    ctx = {
        "order": order,
        "now": now,
        "view": view,
        "citizen": view.citizen,
        "deadlines": deadlines,
        "worst": oq.worst_state(deadlines),
        "panels": panels,
        "intake_link": bool(INTAKE_ACTIONS & set(names)),
        "events": [(e, view.event_data(e.data)) for e in events],
        "assignments": [a for a in order.assignments.select_related("unit") if keeps(a.unit_id)],
        "replies": [
            r
            for r in order.replies.select_related("unit").prefetch_related("attachments")
            if keeps(r.unit_id)
        ],
        "callbacks": [] if view.own_part else list(order.callbacks.select_related("by")),
        "surveys": [] if view.own_part else cq.surveys_for(order),
        "extension_requests": [
            r for r in order.extension_requests.select_related("unit") if keeps(r.unit_id)
        ],
        "suspension_requests": [
            r for r in order.suspension_requests.select_related("unit") if keeps(r.unit_id)
        ],
        "reminders": [r for r in order.reminders.select_related("unit", "by") if keeps(r.unit_id)],
        "supervision_records": [
            s for s in order.supervision_records.select_related("unit", "by") if keeps(s.unit_id)
        ],
        "attachments": [] if view.own_part else list(order.attachments.all()),
        "emergency_kind_label": screening.EMERGENCY_KINDS.label(order.emergency_kind),
        "not_accepted_label": screening.NOT_ACCEPTED_REASONS.label(order.not_accepted_reason),
        "urgency_colour": taxonomy.URGENCY.colour(order.urgency),
    }
    if {"merge", "link_duplicate"} & set(names):
        ctx["duplicate_candidates"] = hooks.duplicates_for(
            user,
            {
                "title": order.title,
                "content": order.content,
                "address": order.address,
                "category": order.category.code if order.category_id else "",
                "area": order.area.code if order.area_id else "",
                "citizen_phone": order.citizen_phone,
                "order": order.pk,
            },
        )
    ctx["queue"] = queue_context(request, order, now)
    if "dispatch" in names:
        ctx["recommended_units"] = wq.recommended_units(order)
        ctx["unit_suggestions"] = hooks.unit_suggestions_for(user, order)
    return ctx


def queue_context(request, order: WorkOrder, now) -> dict | None:
    """The queue the order was opened from (``?queue=``), its 下一单 and whether the
    agent turned 办完自动打开下一单 on (remembered per session; off until ticked)."""
    src = request.POST if request.method == "POST" else request.GET
    ref = wl.queue_ref(request.user, src.get("queue"), src.get("sort"))
    if ref is None:
        return None
    ids = wl.queue_ids(request.user, ref, now)
    return {
        "ref": ref,
        "next": wl.number_of(wl.next_in(ids, order.pk, ids)),
        "advance": request.session.get("advance_next", False),
    }


@staff_required
def order_detail(request, number: str):
    order = visible_order(request, number, former=True)
    return render(request, "web/orders/detail.html", detail_context(request, order))


@staff_required
@require_POST
@once.one_time
def order_act(request, number: str, action: str):
    """Run one action from the detail page.  Success → back to the page with a message;
    bad input → the page again with the errors beside the fields (422); a conflict → the
    page with the reason and the order's current state (409)."""
    order = visible_order(request, number)
    ui = ACTION_UI.get(action)
    if ui is None:
        raise Http404("未知操作")
    form = ui.form(request.POST, request.FILES, prefix=action)
    status = 422
    conflict = ""
    ref = wl.queue_ref(request.user, request.POST.get("queue"), request.POST.get("sort"))
    advance = ref is not None and request.POST.getlist("advance")[-1:] == ["1"]
    if ref is not None:
        request.session["advance_next"] = advance
    before = wl.queue_ids(request.user, ref, clock.now()) if ref and advance else []
    if form.is_valid():
        outcome = run_action(ui.run, order, request.user, form.cleaned_data, request)
        if outcome.ok:
            done = f"已{ui.label}：{order.number}"
            here = reverse("web:order", args=[order.number])
            if ref is None:
                messages.success(request, done)
                return redirect(here)
            if not advance:
                messages.success(request, done)
                return redirect(f"{here}?{ref.query()}")
            after = wl.queue_ids(request.user, ref, clock.now())
            nxt = wl.number_of(wl.next_in(before, order.pk, after))
            if nxt is None:
                messages.success(request, f"{done}。“{ref.label}”已没有其他工单")
                return redirect(ref.list_url())
            messages.success(request, f"{done}。已打开“{ref.label}”的下一单")
            return redirect(f"{reverse('web:order', args=[nxt])}?{ref.query()}")
        if outcome.validation:
            form.show_errors(
                outcome.validation, {"file": "file" if "file" in form.fields else "document"}
            )
        status, conflict = outcome.status, outcome.conflict
    order = visible_order(request, number)  # fresh state after a failed attempt
    ctx = detail_context(request, order, bound={} if conflict else {action: form})
    ctx["conflict"] = conflict
    return render(request, "web/orders/detail.html", ctx, status=status)


@staff_required
def attachment(request, number: str, pk: int):
    """An attachment, only for users who may see its order (§6.1.2)."""
    order = visible_order(request, number)
    att = order.attachments.filter(pk=pk).first()
    if att is None:
        raise Http404("附件不存在")
    return downloads.file_response(att)
