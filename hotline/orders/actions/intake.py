"""Intake (§5, §6.1): create, draft, accept, reject, update, direct close, submit for review."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from hotline.orders.actions.base import (
    ORDER_FIELDS,
    _apply,
    _clean_order_fields,
    check_transition,
    lock_order,
    meet_deadlines,
    move_state,
    next_number,
    open_dispatch_clock,
    record_event,
    resolve_now,
    retime_dispatch_clock,
    supersede_deadlines,
)
from hotline.orders.errors import ValidationFailed
from hotline.orders.models import (
    WorkOrder,
)
from hotline.org.models import User
from hotline.rules import screening


@transaction.atomic
def do_create_order(
    actor: User, values: dict[str, Any], *, now: datetime | None = None
) -> WorkOrder:
    """An agent records and accepts an appeal (§6.1.1): the electronic work order with the
    §6.1.5 required fields; the dispatch clock of §6.2 starts."""
    now = resolve_now(now)
    check_transition(WorkOrder(state="draft"), "create", actor)
    fields = _clean_order_fields({"channel": "phone", **values}, require=True)
    order = WorkOrder(state="accepted", created_at=now, accepted_at=now, created_by=actor)
    _apply(order, fields)
    order.number = next_number(now)
    order.save()
    record_event(
        order,
        actor,
        "create",
        now,
        from_state="",
        to_state="accepted",
        data={"channel": order.channel},
    )
    open_dispatch_clock(order, now)
    return order


@transaction.atomic
def do_create_draft(
    values: dict[str, Any],
    *,
    actor: User | None = None,
    now: datetime | None = None,
    note: str = "",
) -> WorkOrder:
    """A channel submission (portal, app, mini-program, grid worker; §5.1) waiting for an
    agent's acceptance check.  Only the fields present are checked; nothing is required yet."""
    now = resolve_now(now)
    fields = _clean_order_fields(values, require=False)
    if fields.get("channel") is None:
        raise ValidationFailed({"channel": "请指明诉求来源渠道"})
    order = WorkOrder(state="draft", created_at=now, created_by=actor)
    _apply(order, fields)
    order.number = next_number(now)
    order.save()
    record_event(
        order,
        actor,
        "submit_draft",
        now,
        from_state="",
        to_state="draft",
        note=note,
        data={"channel": order.channel},
    )
    return order


@transaction.atomic
def do_record_rejected(
    actor: User,
    values: dict[str, Any],
    *,
    reason: str,
    note: str = "",
    emergency_line: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """A call that is not accepted (§5.3) is still recorded, with its reason, and stays
    searchable.  The §6.1.5 fields are not required (an empty call has none)."""
    now = resolve_now(now)
    check_transition(WorkOrder(state="draft"), "reject", actor)
    fields = _clean_order_fields({"channel": "phone", **values}, require=False)
    reason_fields = _clean_rejection(reason, note, emergency_line)
    order = WorkOrder(state="rejected", created_at=now, created_by=actor, **reason_fields)
    _apply(order, fields)
    order.number = next_number(now)
    order.save()
    record_event(
        order,
        actor,
        "recorded_rejected",
        now,
        from_state="",
        to_state="rejected",
        note=note,
        data={"reason": reason, "emergency_line": emergency_line},
    )
    return order


def _clean_rejection(reason: str, note: str, emergency_line: str) -> dict[str, str]:
    errors = {}
    if reason not in screening.NOT_ACCEPTED_REASONS:
        errors["reason"] = "请选择不予受理的原因（§5.3 a–g）"
    if reason == "d_emergency_line" and emergency_line not in screening.EMERGENCY_LINES:
        errors["emergency_line"] = "属于紧急热线受理范围的，请选择应转接的热线（110/119/120/122）"
    if emergency_line and emergency_line not in screening.EMERGENCY_LINES:
        errors["emergency_line"] = "紧急热线只能是 110、119、120 或 122"
    if errors:
        raise ValidationFailed(errors)
    return {
        "not_accepted_reason": reason,
        "rejection_note": note.strip(),
        "emergency_line": emergency_line if reason == "d_emergency_line" else "",
    }


@transaction.atomic
def do_accept(
    order: WorkOrder | int,
    actor: User,
    values: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> WorkOrder:
    """An agent accepts a channel submission (§6.1.1) after completing the §6.1.5 fields."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "accept", actor, now)
    current = {name: getattr(order, name) for name in ORDER_FIELDS}
    fields = _clean_order_fields({**current, **(values or {})}, require=True)
    changes = _apply(order, fields)
    order.accepted_at = now
    move_state(
        order,
        actor,
        "accept",
        now,
        data={"changes": changes},
        extra_fields=[*fields, "domain", "urgency", "accepted_at"],
    )
    open_dispatch_clock(order, now)
    return order


@transaction.atomic
def do_update(
    order: WorkOrder | int, actor: User, values: dict[str, Any], *, now: datetime | None = None
) -> WorkOrder:
    """Correct the work order while it is still with intake (draft, accepted, returned)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "update", actor, now)
    current = {name: getattr(order, name) for name in ORDER_FIELDS}
    fields = _clean_order_fields({**current, **values}, require=order.state != "draft")
    emergency = order.is_emergency
    changes = _apply(order, fields)
    if changes:
        move_state(
            order,
            actor,
            "update",
            now,
            data={"changes": changes},
            extra_fields=[*fields, "domain", "urgency"],
        )
    if order.is_emergency != emergency:  # §6.4.4: the review limit follows the flag
        retime_dispatch_clock(order, now)
    return order


@transaction.atomic
def do_reject(
    order: WorkOrder | int,
    actor: User,
    *,
    reason: str,
    note: str = "",
    emergency_line: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """Not accepted (§5.3 a–g): the reason is recorded; an emergency-line matter names the
    line the caller is transferred to (§5.3 d)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "reject", actor, now)
    for k, v in _clean_rejection(reason, note, emergency_line).items():
        setattr(order, k, v)
    supersede_deadlines(order, ["dispatch"], now)
    move_state(
        order,
        actor,
        "reject",
        now,
        note=note,
        data={"reason": reason, "emergency_line": order.emergency_line},
        extra_fields=["not_accepted_reason", "rejection_note", "emergency_line"],
    )
    return order


@transaction.atomic
def do_direct_close(
    order: WorkOrder | int, actor: User, *, answer: str, now: datetime | None = None
) -> WorkOrder:
    """Direct handling (直办): the agent answers on the call and the order closes at once
    (§6.7.1)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "direct_close", actor, now)
    if not answer.strip():
        raise ValidationFailed({"answer": "直办结案须填写答复内容"})
    order.direct_answer = answer.strip()
    order.closed_at = now
    meet_deadlines(order, ["dispatch"], now)
    move_state(
        order,
        actor,
        "direct_close",
        now,
        note=answer.strip(),
        extra_fields=["direct_answer", "closed_at"],
    )
    return order


@transaction.atomic
def do_submit(order: WorkOrder | int, actor: User, *, now: datetime | None = None) -> WorkOrder:
    """Send an accepted order to review (§6.2)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "submit", actor, now)
    _clean_order_fields({n: getattr(order, n) for n in ORDER_FIELDS}, require=True)
    returned = order.state == "returned"
    order.submitted_at = now
    move_state(order, actor, "submit", now, extra_fields=["submitted_at"])
    if returned:  # the review clock stopped when it was returned; it runs on now (§6.2)
        retime_dispatch_clock(order, now, resume=True)
    return order
