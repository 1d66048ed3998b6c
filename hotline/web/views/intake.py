"""受理员: the intake form (§6.1), channel drafts (待受理), the caller's earlier orders and
the suggestions panel."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
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
from hotline.web.models import FormSubmission, IntakeDraft
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


# ---------------------------------------------------------------------------
# autosave (issue 16): the form as typed, per agent and form, on the server


def _draft_values(data) -> dict[str, str]:
    """The intake fields of a POST, each bounded as its field is (files are not kept)."""
    out: dict[str, str] = {}
    for name, fld in f.IntakeForm.base_fields.items():
        value = data.get(name)
        if value is None:
            continue
        bound = getattr(fld, "max_length", None) or 64
        out[name] = str(value)[:bound]
    return out


def _load_draft(user, order: WorkOrder | None) -> IntakeDraft | None:
    """The agent's autosaved draft of this form, unless it is stale: its form was submitted
    since (an autosave that raced the submit), or the order changed after it was saved."""
    draft = IntakeDraft.objects.filter(user=user, number=order.number if order else "").first()
    if draft is None:
        return None
    token = draft.data.get(once.FIELD, "")
    stale = bool(token) and FormSubmission.objects.filter(token=token).exists()
    if order is not None and order.updated_at and draft.saved_at < order.updated_at:
        stale = True
    if stale or not _draft_values(draft.data):
        draft.delete()
        return None
    return draft


def _drop_draft(user, number: str) -> None:
    IntakeDraft.objects.filter(user=user, number=number).delete()


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
    # the actions lock and return the order: keep theirs, so the message names the state
    # the order is in now (it read "（已受理）" beside 待审核)
    if button == "submit":
        order = act.do_submit(order, user)
    elif button == "direct":
        order = act.do_direct_close(order, user, answer=direct.cleaned_data["answer"])
        for hook in hooks.direct_close_hooks:
            hook(order, user, direct.cleaned_data)
    return order


def _intake(request, order: WorkOrder | None):
    initial = _initial(order)
    draft = None
    if request.method != "POST":
        draft = _load_draft(request.user, order)
        if draft is not None:
            initial.update(_draft_values(draft.data))
    form = f.IntakeForm(request.POST or None, initial=initial)
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
                _drop_draft(request.user, order.number if order else "")
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
        "draft": draft,
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
        messages.info(request, f"工单 {order.number} 当前状态：{order.state_label}，不在受理环节。")
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
    values: dict = {
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
    # a queued order's own form: it is no duplicate of itself
    number = request.POST.get("number", "")[:20]
    if number:
        order = oq.visible_orders(request.user).filter(number=number).only("pk").first()
        if order is not None:
            values["order"] = order.pk
    return render(
        request,
        "web/intake/_assist.html",
        {
            "suggestions": hooks.suggestions_for(request.user, values),
            "duplicates": hooks.duplicates_for(request.user, values),
            "providers": bool(hooks.suggestion_providers or hooks.duplicate_providers),
        },
    )


@role_required("agent")
@require_POST
def autosave(request):
    """The intake form as typed, kept for its agent (every few seconds and on leaving a
    field): ``number`` names a queued order's form, empty the new-call form.  ``discard``
    drops it (放弃草稿).  Answers 204 — or the time saved, for the status line."""
    number = request.POST.get("number", "")[:20]
    if number:
        order = visible_order(request, number)
        if order.state not in ("draft", "accepted", "returned"):
            return HttpResponse(status=409)
    if request.POST.get("discard"):
        _drop_draft(request.user, number)
        if request.headers.get("HX-Request") or request.headers.get("X-Autosave"):
            return HttpResponse(status=204)
        messages.info(request, "已放弃自动保存的草稿。")
        return redirect(
            reverse("web:intake_edit", args=[number]) if number else reverse("web:intake")
        )
    values = _draft_values(request.POST)
    token = request.POST.get(once.FIELD, "")[:64]
    if token and FormSubmission.objects.filter(token=token).exists():
        return HttpResponse(status=409)  # the form was submitted meanwhile: nothing to keep
    now = clock.now()
    IntakeDraft.objects.update_or_create(
        user=request.user,
        number=number,
        defaults={"data": {**values, once.FIELD: token}, "saved_at": now},
    )
    return JsonResponse({"saved_at": timezone.localtime(now).strftime("%H:%M:%S")})
