"""Callback and closing (§6.7, §6.8): callbacks, close, reopen, comments."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F

from hotline.calendars.services import working_calendar
from hotline.orders.actions.base import (
    acting_unit,
    check_transition,
    lock_order,
    meet_deadlines,
    move_state,
    open_deadline,
    policy,
    record_event,
    resolve_now,
    supersede_deadlines,
)
from hotline.orders.errors import ValidationFailed
from hotline.orders.guards import merged_orders, previous_units
from hotline.orders.models import (
    Assignment,
    Callback,
    Event,
    WorkOrder,
)
from hotline.org.models import User
from hotline.rules import callback as callback_rules
from hotline.rules import deadlines as dl
from hotline.rules import taxonomy


@transaction.atomic
def do_record_callback(
    order: WorkOrder | int,
    actor: User | None,
    *,
    method: str,
    mode: str = "manual",
    outcome: str = "reached",
    satisfaction: str = "",
    resolution: str = "",
    note: str = "",
    raw_reply: str = "",
    now: datetime | None = None,
) -> Callback:
    """A callback attempt (§6.8.1–§6.8.3).  When a person reached the citizen, satisfaction
    and resolution are both required; a smart callback (§6.8.2, ``actor`` None: the survey
    or the citizen's own rating) records the half the citizen answered, at least one.
    Whether the assessment counts it is decided here, once (``counts_in_assessment``)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "record_callback", actor, now)
    errors = {}
    if method not in taxonomy.CALLBACK_METHODS:
        errors["method"] = "请选择回访方式（§6.8.2）"
    if mode not in taxonomy.CALLBACK_MODES:
        errors["mode"] = "请选择人工或智能回访（§6.8.2）"
    if outcome not in taxonomy.CALLBACK_OUTCOMES:
        errors["outcome"] = "请选择回访结果"
    if outcome == "reached":
        partial = actor is None and mode == "smart" and bool(satisfaction or resolution)
        if satisfaction not in taxonomy.SATISFACTION and not (partial and not satisfaction):
            errors["satisfaction"] = "请选择满意程度（§6.8.3）"
        if resolution not in taxonomy.RESOLUTION and not (partial and not resolution):
            errors["resolution"] = "请选择解决程度（§6.8.3）"
    if errors:
        raise ValidationFailed(errors)
    if outcome != "reached":
        satisfaction = resolution = ""
    since = order.reply_accepted_at or order.created_at
    reached_before = order.callbacks.filter(outcome="reached", at__gte=since).count()
    cb = Callback.objects.create(
        order=order,
        method=method,
        mode=mode,
        outcome=outcome,
        satisfaction=satisfaction,
        resolution=resolution,
        note=note.strip(),
        raw_reply=raw_reply.strip()[:2000],
        assessed=callback_rules.counts_in_assessment(outcome, reached_before),
        by=actor,
        at=now,
    )
    if outcome == "reached" or _callback_attempts_exhausted(order):
        meet_deadlines(order, ["callback"], now)
    move_state(
        order,
        actor,
        "record_callback",
        now,
        note=note,
        data={
            "callback": cb.pk,
            "outcome": outcome,
            "satisfaction": satisfaction,
            "resolution": resolution,
        },
    )
    return cb


def _callback_attempts_exhausted(order: WorkOrder) -> bool:
    failed = (
        order.callbacks.exclude(outcome="reached")
        .filter(at__gte=order.reply_accepted_at or order.created_at)
        .count()
    )
    return failed >= policy().max_callback_attempts


@transaction.atomic
def do_close(
    order: WorkOrder | int, actor: User | None, *, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """A transferred order closes only after the unit replied and the citizen was called
    back (§6.7.2); a citizen unreachable after the centre's maximum attempts does not block it."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "close", actor, now)
    merged = merged_orders(order)  # called back too: the guard checked (§6.7.2, §6.6.3 c)
    order.closed_at = now
    Assignment.objects.filter(order=order, ended_at__isnull=True).update(
        ended_at=now, end_reason="completed"
    )
    meet_deadlines(order, ["callback"], now)
    move_state(
        order,
        actor,
        "close",
        now,
        note=note,
        data={"merged": [m.number for m in merged]} if merged else None,
        extra_fields=["closed_at"],
    )
    for m in merged:  # merged orders follow their main order
        m.closed_at = now
        m.state = "closed"
        m.save(update_fields=["state", "closed_at", "updated_at"])
        record_event(
            m,
            actor,
            "close",
            now,
            from_state="merged",
            to_state="closed",
            note=f"随主工单 {order.number} 结案",
            data={"main": order.number},
        )
    return order


@transaction.atomic
def do_reopen(
    order: WorkOrder | int, actor: User, *, reason: str, now: datetime | None = None
) -> WorkOrder:
    """重办: the citizen is not satisfied; the order goes back to the same units with fresh
    sign-for and feedback clocks."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "reopen", actor, now)
    if not reason.strip():
        raise ValidationFailed({"reason": "请说明重办理由"})
    units = previous_units(order)  # the guard checked there is a lead unit to go back to
    Assignment.objects.filter(order=order, ended_at__isnull=True).update(
        ended_at=now, end_reason="completed"
    )
    supersede_deadlines(order, ["callback"], now)
    cal = working_calendar()
    order.reopen_count = F("reopen_count") + 1
    order.dispatched_at = now
    order.signed_at = order.replied_at = order.reply_accepted_at = order.closed_at = None
    order.lead_unit = next(u for u, r in units if r == "lead")
    move_state(
        order,
        actor,
        "reopen",
        now,
        note=reason.strip(),
        data={"units": [u.name for u, _ in units]},
        unit=order.lead_unit,
        extra_fields=[
            "reopen_count",
            "dispatched_at",
            "signed_at",
            "replied_at",
            "reply_accepted_at",
            "closed_at",
            "lead_unit",
        ],
    )
    for unit, role in units:
        a = Assignment.objects.create(
            order=order, unit=unit, role=role, dispatched_at=now, dispatched_by=actor, note=reason
        )
        open_deadline(order, dl.sign_deadline(now, order.is_emergency, cal, policy()), assignment=a)
    open_deadline(order, dl.feedback_deadline(now, order.is_emergency, cal))
    order.refresh_from_db(fields=["reopen_count"])
    return order


@transaction.atomic
def do_comment(
    order: WorkOrder | int, actor: User, *, note: str, now: datetime | None = None
) -> Event:
    """A note on the timeline (a co-unit's opinion, an agent's remark)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "comment", actor, now)
    if actor.effective_role == "unit":
        acting_unit(order, actor, lead_only=False)
    if not note.strip():
        raise ValidationFailed({"note": "备注内容不能为空"})
    return move_state(order, actor, "comment", now, note=note.strip())
