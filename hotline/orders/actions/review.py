"""Review (§6.2): the reviewer returns a non-compliant order to intake."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from hotline.orders.actions.base import (
    check_transition,
    lock_order,
    move_state,
    resolve_now,
    supersede_deadlines,
)
from hotline.orders.errors import ValidationFailed
from hotline.orders.models import (
    WorkOrder,
)
from hotline.org.models import User


@transaction.atomic
def do_return_to_intake(
    order: WorkOrder | int, actor: User, *, reason: str, now: datetime | None = None
) -> WorkOrder:
    """The reviewer returns a non-compliant order to intake with a reason (§6.2).  The
    review clock stops until the agent submits the order again (the centre's reading:
    the agent's fixing time does not count against the reviewer's 1 working day)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "return_to_intake", actor, now)
    if not reason.strip():
        raise ValidationFailed({"reason": "退回受理须说明原因（§6.2）"})
    supersede_deadlines(order, ["dispatch"], now)
    move_state(order, actor, "return_to_intake", now, note=reason.strip())
    return order
