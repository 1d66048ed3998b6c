"""受理员: the intake form (§6.1), channel drafts (待受理), the caller's earlier orders and
the suggestions panel."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from hotline import clock
from hotline.common import hooks
from hotline.common.http import page_param
from hotline.orders import actions as act
from hotline.orders import privacy
from hotline.orders import queries as oq
from hotline.orders.actions import ORDER_FIELDS
from hotline.orders.errors import ValidationFailed
from hotline.orders.models import WorkOrder
from hotline.rules import limits
from hotline.web import forms as f
from hotline.web import once
from hotline.web import queries as wq
from hotline.web.views.common import (
    page_size,
    role_required,
    run_action_with_files,
    visible_order,
)

# The buttons of the intake form.  ``submit`` is the default (Ctrl+Enter).
INTAKE_BUTTONS = {
    "submit": "受理并提交审核",
    "accept": "仅受理（暂不提交）",
    "direct": "直办结案",
    "reject": "不予受理",
}


def _initial(order: WorkOrder | None) -> dict:
    if order is None:
        return {}
    out = {name: getattr(order, name) for name in ORDER_FIELDS if name in f.ORDER_FIELD_NAMES}
    out["category"] = order.category.code if order.category_id else ""
    out["area"] = order.area.code if order.area_id else ""
    return out


def _attach_all(order: WorkOrder, user, uploads) -> None:
    for upload in uploads:
        act.do_attach(order, user, upload, purpose="appeal")


def _handle(request, order: WorkOrder | None, button: str, values: dict, reject, direct, uploads):
    """One intake decision in one transaction: create or update the order, link the files
    (stored before the transaction), then submit, close directly or reject it.  Any error
    undoes all of it."""
    user = request.user
    if button == "reject":
        args = {
            "reason": reject.cleaned_data["reason"],
            "note": reject.cleaned_data["note"],
            "emergency_line": reject.cleaned_data["emergency_line"],
        }
        if order is None:
            # a call not accepted is still recorded (§5.3); its files are not kept
            return act.do_record_rejected(user, values, **args)
        _attach_all(order, user, uploads)
        return act.do_reject(order, user, **args)
    if order is None:
        order = act.do_create_order(user, values)
    elif order.state == "draft":
        order = act.do_accept(order, user, values)
    else:
        order = act.do_update(order, user, values)
    _attach_all(order, user, uploads)
    if button == "submit":
        act.do_submit(order, user)
    elif button == "direct":
        act.do_direct_close(order, user, answer=direct.cleaned_data["answer"])
        for hook in hooks.direct_close_hooks:
            hook(order, user, direct.cleaned_data)
    return order


def _intake(request, order: WorkOrder | None):
    form = f.IntakeForm(request.POST or None, initial=_initial(order))
    reject = f.RejectForm(request.POST or None, prefix="reject")
    direct = f.DirectForm(request.POST or None, prefix="direct")
    status, conflict = 200, ""
    if request.method == "POST":
        button = request.POST.get("button", "submit")
        if button not in INTAKE_BUTTONS:
            button = "submit"
        valid = form.is_valid() & reject.is_valid() & direct.is_valid()
        if valid:
            outcome = run_action_with_files(
                request.FILES.getlist("attachments"),
                _handle,
                request,
                order,
                button,
                form.values(),
                reject,
                direct,
            )
            if outcome.ok:
                done = outcome.result
                messages.success(
                    request, f"{INTAKE_BUTTONS[button]}：工单 {done.number}（{done.state_label}）"
                )
                if order is None and button in ("submit", "reject", "direct"):
                    return redirect(reverse("web:intake") + f"?last={done.number}")
                return redirect(reverse("web:order", args=[done.number]))
            exc = outcome.validation
            if exc is not None:
                _show(exc, form, reject, direct)
            status, conflict = outcome.status, outcome.conflict
        else:
            status = 422
    last = None
    if number := request.GET.get("last"):
        last = oq.visible_orders(request.user).filter(number=number).first()
    queues = wq.intake_queues(request.user)
    ctx = {
        "form": form,
        "reject": reject,
        "direct": direct,
        "order": order,
        "buttons": INTAKE_BUTTONS,
        "conflict": conflict,
        "last": last,
        "draft_count": queues["draft"].count(),
        "returned_count": queues["returned"].count(),
        "history": wq.phone_history(
            request.user, form["citizen_phone"].value() or "", exclude=order.pk if order else None
        ),
        "knowledge_search_url": hooks.KNOWLEDGE_SEARCH_URL,
        "providers": bool(hooks.suggestion_providers or hooks.duplicate_providers),
        "attachments": list(order.attachments.all()) if order else [],
    }
    return render(request, "web/intake/form.html", ctx, status=status)


def _show(exc, form, reject, direct) -> None:
    """Each action error beside its input: the §5.3 reason in the not-accepted box, the
    direct answer in the direct-handling box, the rest (files included) on the order form."""
    boxes = {"reason": reject, "emergency_line": reject, "answer": direct}
    rest = {}
    for name, message in exc.fields.items():
        if name in boxes:
            boxes[name].add_error(name, message)
        else:
            rest[name] = message
    if rest or not exc.fields:
        form.show_errors(ValidationFailed(rest, exc.message), {"file": "attachments"})


@role_required("agent")
@once.one_time(same_content=True)
def intake_new(request):
    return _intake(request, None)


@role_required("agent")
@once.one_time
def intake_edit(request, number: str):
    order = visible_order(request, number)
    if order.state not in ("draft", "accepted", "returned"):
        messages.info(request, f"工单 {order.number} 已{order.state_label}，不在受理环节。")
        return redirect(reverse("web:order", args=[order.number]))
    # the form shows the citizen's name, phone and address as stored: an unmasked view
    privacy.seen_by(request.user, order, via="web:intake_edit")
    return _intake(request, order)


@role_required("agent")
def intake_queue(request):
    tab = request.GET.get("tab", "draft")
    queues = wq.intake_queues(request.user)
    if tab not in queues:
        tab = "draft"
    page = wq.paginate(
        queues[tab], page_param(request), page_size(request, 30), clock.now(), request.user
    )
    tabs = [
        ("draft", "待受理（渠道提交）", queues["draft"].count()),
        ("returned", "退回受理", queues["returned"].count()),
        ("accepted", "已受理未提交", queues["accepted"].count()),
    ]
    return render(
        request,
        "web/queue.html",
        {
            "title": "受理队列",
            "tabs": tabs,
            "tab": tab,
            "page": page,
            "row_link": "intake",
            "intro": "门户、客户端、小程序和网格员提交的诉求在此等待受理（§5.1、§6.1.1）；审核退回的工单在此修改后重新提交（§6.2）。",
        },
    )


@role_required("agent")
def phone_history(request):
    """htmx: the caller's earlier orders, as the phone number is typed."""
    exclude = request.GET.get("exclude")
    orders = wq.phone_history(
        request.user,
        request.GET.get("citizen_phone", ""),
        exclude=int(exclude) if exclude and exclude.isdigit() else None,
    )
    return render(request, "web/intake/_history.html", {"history": orders, "searched": True})


@role_required("agent")
@require_POST
def assist(request):
    """htmx: the suggestions and duplicate hints for what has been typed so far."""
    # suggestions read at most what the order may hold: a pasted megabyte is not analysed
    values = {
        k: request.POST.get(k, "")[:bound]
        for k, bound in (
            ("title", limits.ORDER_TEXT_BY_FIELD["title"].everywhere),
            ("content", limits.ORDER_TEXT_BY_FIELD["content"].everywhere),
            ("address", limits.ORDER_TEXT_BY_FIELD["address"].everywhere),
            ("category", 64),
            ("area", 64),
            ("citizen_phone", limits.ORDER_TEXT_BY_FIELD["citizen_phone"].everywhere),
        )
    }
    return render(
        request,
        "web/intake/_assist.html",
        {
            "suggestions": hooks.suggestions_for(request.user, values),
            "duplicates": hooks.duplicates_for(request.user, values),
            "providers": bool(hooks.suggestion_providers or hooks.duplicate_providers),
        },
    )
