"""Dispatch (§6.3): the reviewer sends the order to its lead unit and co-units."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from hotline.calendars.services import working_calendar
from hotline.orders.actions.base import (
    check_transition,
    lock_order,
    meet_deadlines,
    move_state,
    open_deadline,
    policy,
    resolve_now,
)
from hotline.orders.errors import ValidationFailed
from hotline.orders.models import (
    Assignment,
    WorkOrder,
)
from hotline.org.models import Unit, User
from hotline.rules import deadlines as dl


@transaction.atomic
def do_dispatch(
    order: WorkOrder | int,
    actor: User,
    *,
    lead_unit: Unit | int,
    co_units: Iterable[Unit | int] = (),
    note: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """Dispatch to one lead unit and optional co-units (§6.3).  The sign-for and feedback
    clocks start: 2 natural hours for emergency orders, 5 working days otherwise (§6.4.2)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "dispatch", actor, now)
    lead = _unit(lead_unit, "lead_unit")
    cos = [_unit(u, "co_units") for u in co_units]
    if lead.kind == "centre":
        raise ValidationFailed({"lead_unit": "不能派转给热线服务机构本身"})
    if any(c.pk == lead.pk for c in cos) or len({c.pk for c in cos}) != len(cos):
        raise ValidationFailed({"co_units": "协办单位不能与主办单位重复"})
    cal = working_calendar()
    meet_deadlines(order, ["dispatch"], now)
    order.lead_unit = lead
    order.dispatched_at = now
    order.signed_at = None
    move_state(
        order,
        actor,
        "dispatch",
        now,
        note=note,
        data={"lead_unit": lead.name, "co_units": [c.name for c in cos]},
        unit=lead,
        extra_fields=["lead_unit", "dispatched_at", "signed_at"],
    )
    for unit, role in [(lead, "lead"), *[(c, "co") for c in cos]]:
        a = Assignment.objects.create(
            order=order, unit=unit, role=role, dispatched_at=now, dispatched_by=actor, note=note
        )
        open_deadline(order, dl.sign_deadline(now, order.is_emergency, cal, policy()), assignment=a)
    open_deadline(order, dl.feedback_deadline(now, order.is_emergency, cal))
    return order


def _unit(value: Unit | int, field: str) -> Unit:
    unit = value if isinstance(value, Unit) else Unit.objects.filter(pk=value).first()
    if unit is None or not unit.active:
        raise ValidationFailed({field: "承办单位不存在或已停用"})
    return unit
