"""Handling (§6.4): sign, return, extension, suspension (挂单), reply, no further handling, reverify."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from hotline.calendars.services import working_calendar
from hotline.orders.actions.base import (
    acting_unit,
    check_transition,
    current_feedback,
    lock_order,
    meet_deadlines,
    move_state,
    open_deadline,
    open_dispatch_clock,
    policy,
    resolve_now,
    supersede_deadlines,
)
from hotline.orders.errors import Conflict, ValidationFailed
from hotline.orders.guards import extension_days_used, pending_co_assignment
from hotline.orders.models import (
    Assignment,
    ExtensionRequest,
    Reply,
    SuspensionRequest,
    WorkOrder,
)
from hotline.org.models import Unit, User
from hotline.rules import deadlines as dl
from hotline.rules import screening


@transaction.atomic
def do_sign(order: WorkOrder | int, actor: User, *, now: datetime | None = None) -> WorkOrder:
    """The lead unit signs for the order (签收) and starts handling it."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "sign", actor, now)
    unit = acting_unit(order, actor)
    Assignment.objects.filter(order=order, unit=order.lead_unit, ended_at__isnull=True).update(
        signed_at=now, signed_by=actor
    )
    meet_deadlines(order, ["sign"], now, assignment__unit=order.lead_unit)
    order.signed_at = now
    move_state(order, actor, "sign", now, unit=unit, extra_fields=["signed_at"])
    return order


@transaction.atomic
def do_co_sign(order: WorkOrder | int, actor: User, *, now: datetime | None = None) -> WorkOrder:
    """A co-unit (协办) signs for its part; the order's state does not change."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "co_sign", actor, now)
    task = pending_co_assignment(order, actor)  # the guard checked there is one
    assert task is not None
    unit = task.unit
    Assignment.objects.filter(pk=task.pk).update(signed_at=now, signed_by=actor)
    meet_deadlines(order, ["sign"], now, assignment__unit=unit)
    move_state(order, actor, "co_sign", now, unit=unit)
    return order


@transaction.atomic
def do_unit_return(
    order: WorkOrder | int, actor: User, *, reason: str, now: datetime | None = None
) -> WorkOrder:
    """退单: the unit returns a misrouted order to the centre for re-dispatch.  Its
    assignments end, its clocks stop, and a new dispatch clock starts (§6.2)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "unit_return", actor, now)
    if not reason.strip():
        raise ValidationFailed({"reason": "退单须说明理由"})
    unit = acting_unit(order, actor)
    Assignment.objects.filter(order=order, ended_at__isnull=True).update(
        ended_at=now, end_reason="unit_return"
    )
    supersede_deadlines(order, ["sign", "feedback", "extension"], now)
    order.lead_unit = None
    move_state(
        order, actor, "unit_return", now, note=reason.strip(), unit=unit, extra_fields=["lead_unit"]
    )
    open_dispatch_clock(order, now)
    return order


@transaction.atomic
def do_request_extension(
    order: WorkOrder | int, actor: User, *, days: int, reason: str, now: datetime | None = None
) -> ExtensionRequest:
    """A complex order may be extended by at most 5 working days in all (§6.4.1)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "request_extension", actor, now)
    unit = acting_unit(order, actor)
    used = extension_days_used(order)  # below the limit: the guard checked
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= dl.MAX_EXTENSION_WORKING_DAYS - used:
        left = dl.MAX_EXTENSION_WORKING_DAYS - used
        errors["days"] = (
            f"延期须为1至{left}个工作日（§6.4.1：延期一般不超过5个工作日，已延期{used}天）"
        )
    if not reason.strip():
        errors["reason"] = "请说明延期理由"
    if errors:
        raise ValidationFailed(errors)
    return _file_request(
        ExtensionRequest, "request_extension", order, unit, actor, days, reason, now
    )


def _file_request(model, action: str, order, unit, actor, days: int, reason: str, now):
    """A unit's request for more time (延期 or 挂单, §6.4.1) and the order's move to await
    the centre's decision, with the request on the timeline."""
    req = model.objects.create(
        order=order,
        unit=unit,
        days=days,
        reason=reason.strip(),
        requested_by=actor,
        requested_at=now,
    )
    move_state(
        order,
        actor,
        action,
        now,
        note=reason.strip(),
        data={"days": days, "request": req.pk},
        unit=unit,
    )
    return req


def _pending(model, order: WorkOrder):
    req = (
        model.objects.select_for_update()
        .filter(order=order, decision="pending")
        .order_by("-requested_at")
        .first()
    )
    if req is None:
        raise Conflict("没有待审批的申请", state=order.state)
    return req


@transaction.atomic
def do_decide_extension(
    order: WorkOrder | int,
    actor: User,
    *,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """The centre approves or denies an extension (§6.4.1).  Approval replaces the feedback
    deadline with one ``days`` working days after the old one."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "approve_extension" if approve else "deny_extension", actor, now)
    req = _pending(ExtensionRequest, order)
    if not approve and not note.strip():
        raise ValidationFailed({"note": "驳回延期须说明理由"})
    req.decision = "approved" if approve else "denied"
    req.decided_by, req.decided_at, req.decision_note = actor, now, note.strip()
    req.save()
    data: dict[str, Any] = {"days": req.days, "request": req.pk}
    if approve:
        current = current_feedback(order)
        base = current.due_at if current else now
        supersede_deadlines(order, ["feedback", "extension"], now)
        new = open_deadline(order, dl.extension_deadline(base, req.days, working_calendar()))
        data["new_due"] = new.due_at.isoformat()
    move_state(
        order,
        actor,
        "approve_extension" if approve else "deny_extension",
        now,
        note=note,
        data=data,
    )
    return order


@transaction.atomic
def do_request_suspension(
    order: WorkOrder | int, actor: User, *, days: int, reason: str, now: datetime | None = None
) -> SuspensionRequest:
    """Hang-up (挂单) for a matter with a statutory time limit: at most 90 natural days
    (§6.4.1), on approval by the centre."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "request_suspension", actor, now)
    unit = acting_unit(order, actor)
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= dl.MAX_HANG_UP_NATURAL_DAYS:
        errors["days"] = f"挂单时间须为1至{dl.MAX_HANG_UP_NATURAL_DAYS}个自然日（§6.4.1）"
    if not reason.strip():
        errors["reason"] = "请说明挂单理由及法定办理时限依据"
    if errors:
        raise ValidationFailed(errors)
    return _file_request(
        SuspensionRequest, "request_suspension", order, unit, actor, days, reason, now
    )


@transaction.atomic
def do_decide_suspension(
    order: WorkOrder | int,
    actor: User,
    *,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """The centre approves or denies a hang-up.  On approval the feedback clock stops — the
    working days left are kept — and the hang-up clock (≤ 90 natural days) starts."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "approve_suspension" if approve else "deny_suspension", actor, now)
    req = _pending(SuspensionRequest, order)
    if not approve and not note.strip():
        raise ValidationFailed({"note": "驳回挂单须说明理由"})
    req.decision = "approved" if approve else "denied"
    req.decided_by, req.decided_at, req.decision_note = actor, now, note.strip()
    data: dict[str, Any] = {"days": req.days, "request": req.pk}
    if approve:
        current = current_feedback(order)
        cal = working_calendar()
        if current is not None:
            try:
                req.working_days_left = cal.working_days_left(now, current.due_at)
            except Exception:  # unknown year: keep the standard's full general limit
                req.working_days_left = dl.FEEDBACK_WORKING_DAYS
        else:
            req.working_days_left = dl.FEEDBACK_WORKING_DAYS
        supersede_deadlines(order, ["feedback", "extension"], now)
        hang = open_deadline(order, dl.hang_up_deadline(now, req.days))
        data.update(working_days_left=req.working_days_left, until=hang.due_at.isoformat())
    req.save()
    move_state(
        order,
        actor,
        "approve_suspension" if approve else "deny_suspension",
        now,
        note=note,
        data=data,
    )
    return order


@transaction.atomic
def do_resume(
    order: WorkOrder | int, actor: User, *, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """A hung-up order resumes: the unit gets back the working days it had left (§6.4.1)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "resume", actor, now)
    unit = acting_unit(order, actor)
    req = (
        SuspensionRequest.objects.select_for_update()
        .filter(order=order, decision="approved", resumed_at__isnull=True)
        .order_by("-requested_at")
        .first()
    )
    left = (req.working_days_left if req else None) or dl.FEEDBACK_WORKING_DAYS
    if req:
        req.resumed_at = now
        req.save(update_fields=["resumed_at"])
    meet_deadlines(order, ["hang_up"], now)
    new = open_deadline(order, dl.resumed_feedback_deadline(now, left, working_calendar()))
    move_state(
        order,
        actor,
        "resume",
        now,
        note=note,
        data={"working_days_left": left, "new_due": new.due_at.isoformat()},
        unit=unit,
    )
    return order


@transaction.atomic
def do_reply(
    order: WorkOrder | int,
    actor: User,
    *,
    handling_situation: str,
    citizen_contact: str,
    investigation: str,
    opinion: str,
    public_note: str = "",
    now: datetime | None = None,
) -> Reply:
    """The lead unit replies with all four parts of §6.4.3 a–d — part b records how it
    contacted the citizen (§6.6.1) — and the feedback deadline of §6.4.2 is met (or met
    late)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "reply", actor, now)
    unit = acting_unit(order, actor)
    parts = {
        "handling_situation": handling_situation,
        "citizen_contact": citizen_contact,
        "investigation": investigation,
        "opinion": opinion,
    }
    missing = screening.missing_reply_parts(parts)
    if missing:
        raise ValidationFailed(
            {
                code: f"答复须包含“{screening.REPLY_PARTS.label(code)}”（{screening.REPLY_PARTS[code].clause}）"
                for code in missing
            }
        )
    reply = Reply.objects.create(
        order=order,
        unit=unit,
        kind="reply",
        replied_by=actor,
        replied_at=now,
        public_note=(public_note or handling_situation).strip(),
        **{k: v.strip() for k, v in parts.items()},
    )
    _finish_reply(order, actor, "reply", now, unit, reply)
    return reply


@transaction.atomic
def do_no_further_handling(
    order: WorkOrder | int,
    actor: User,
    *,
    reason: str,
    explanation: str = "",
    public_note: str = "",
    now: datetime | None = None,
) -> Reply:
    """不再办理 (§6.6.3 a–d): the unit explains to the citizen and submits a formal written
    explanation — as text, or as a document uploaded beforehand with purpose
    ``explanation`` (``do_attach``), which is then linked to this statement."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "no_further_handling", actor, now)
    unit = acting_unit(order, actor)
    errors = {}
    if reason not in screening.NO_FURTHER_HANDLING_REASONS:
        errors["reason"] = "请选择不再办理的情形（§6.6.3 a–d）"
    documents = order.attachments.filter(
        purpose="explanation",
        reply__isnull=True,
        uploaded_at__gte=order.dispatched_at or order.created_at,
    )
    if not explanation.strip() and not documents.exists():
        errors["explanation"] = "须提交正式书面说明（文字或上传说明文件，§6.6.3）"
    if errors:
        raise ValidationFailed(errors)
    reply = Reply.objects.create(
        order=order,
        unit=unit,
        kind="no_further_handling",
        no_further_reason=reason,
        explanation=explanation.strip(),
        public_note=(public_note or explanation).strip(),
        replied_by=actor,
        replied_at=now,
    )
    documents.update(reply=reply)
    _finish_reply(order, actor, "no_further_handling", now, unit, reply)
    return reply


def _finish_reply(
    order: WorkOrder, actor: User, action: str, now: datetime, unit: Unit | None, reply: Reply
) -> None:
    meet_deadlines(order, ["feedback", "extension"], now)
    order.replied_at = now
    move_state(
        order,
        actor,
        action,
        now,
        unit=unit,
        data={"reply": reply.pk, "kind": reply.kind},
        extra_fields=["replied_at"],
    )


@transaction.atomic
def do_accept_reply(
    order: WorkOrder | int, actor: User, *, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """答复认定: the centre accepts the unit's reply (§6.6); the callback clock starts."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "accept_reply", actor, now)
    reply = order.replies.order_by("-replied_at", "-id").first()
    if reply:
        reply.verdict, reply.verdict_by, reply.verdict_at, reply.verdict_note = (
            "accepted",
            actor,
            now,
            note,
        )
        reply.save()
    order.reply_accepted_at = now
    move_state(order, actor, "accept_reply", now, note=note, extra_fields=["reply_accepted_at"])
    open_deadline(order, dl.callback_deadline(now, working_calendar(), policy()))
    return order


@transaction.atomic
def do_reverify(
    order: WorkOrder | int, actor: User, *, reason: str, now: datetime | None = None
) -> WorkOrder:
    """The reply differs from the citizen's account: the centre contacts the unit again to
    verify (§6.6.2) and the unit answers within the centre's limit."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "reverify", actor, now)
    if not reason.strip():
        raise ValidationFailed({"reason": "请说明答复与反映情况的出入（§6.6.2）"})
    reply = order.replies.order_by("-replied_at", "-id").first()
    if reply:
        reply.verdict, reply.verdict_by, reply.verdict_at, reply.verdict_note = (
            "reverify",
            actor,
            now,
            reason,
        )
        reply.save()
    move_state(order, actor, "reverify", now, note=reason.strip(), unit=order.lead_unit)
    open_deadline(order, dl.reverify_deadline(now, working_calendar(), policy()))
    return order
