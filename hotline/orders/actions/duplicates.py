"""Duplicates (并单, §6.6.3 c): link and merge orders, and undo a merge."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from hotline.orders.actions.base import (
    check_transition,
    move_state,
    open_dispatch_clock,
    record_event,
    resolve_now,
    supersede_deadlines,
)
from hotline.orders.errors import Conflict, ValidationFailed
from hotline.orders.guards import (  # noqa: F401  (re-exported: the duplicates' reads)
    called_back,
    merge_main,
    merged_orders,
    refuse_with_merged,
)
from hotline.orders.models import (
    OrderLink,
    WorkOrder,
)
from hotline.org.models import User
from hotline.rules import deadlines as dl
from hotline.rules import lifecycle


def _lock_pair(a: WorkOrder | int, b: WorkOrder | int) -> tuple[WorkOrder, WorkOrder]:
    """Lock two orders in primary-key order, so two agents merging the same pair in
    opposite directions wait for each other instead of deadlocking."""
    pa = a.pk if isinstance(a, WorkOrder) else a
    pb = b.pk if isinstance(b, WorkOrder) else b
    if pa == pb:
        raise ValidationFailed({"main": "不能与本工单自身关联"})
    rows = {
        o.pk: o
        for o in WorkOrder.objects.select_for_update(of=("self",))
        .filter(pk__in=[pa, pb])
        .order_by("pk")
    }
    if pa not in rows or pb not in rows:
        raise ValidationFailed({"main": "主工单不存在"})
    return rows[pa], rows[pb]


def _main_order(value: WorkOrder | int | str) -> int:
    if isinstance(value, WorkOrder):
        return value.pk
    if isinstance(value, str):  # an order number as typed by a person
        pk = WorkOrder.objects.filter(number=value.strip()).values_list("pk", flat=True).first()
        if pk is None:
            raise ValidationFailed({"main": f"找不到工单 {value}"})
        return pk
    return int(value)


def _check_main(main: WorkOrder) -> None:
    if main.state not in lifecycle.OPEN or main.state == "merged":
        raise ValidationFailed(
            {"main": f"主工单 {main.number} 当前为“{main.state_label}”，只能关联在办工单"}
        )


# kind of link → (the duplicate's lifecycle action, the main order's timeline event)
_LINK_STEPS = {"link": ("link_duplicate", "duplicate_linked"), "merge": ("merge", "merged_in")}


def _record_link(
    order: WorkOrder,
    main_order: WorkOrder,
    kind: str,
    actor: User,
    now: datetime,
    *,
    reason: str,
    score: float | None,
) -> OrderLink:
    """The link row, the duplicate's transition and the main order's event (§6.6.3 c)."""
    action, main_event = _LINK_STEPS[kind]
    link = OrderLink.objects.create(
        order=order,
        main=main_order,
        kind=kind,
        reason=reason.strip(),
        score=score,
        previous_state=order.state,
        created_at=now,
        created_by=actor,
    )
    move_state(order, actor, action, now, note=reason.strip(), data={"main": main_order.number})
    record_event(
        main_order,
        actor,
        main_event,
        now,
        from_state=main_order.state,
        note=reason.strip(),
        data={"duplicate": order.number},
    )
    return link


@transaction.atomic
def do_link_duplicate(
    order: WorkOrder | int,
    actor: User,
    *,
    main: WorkOrder | int | str,
    reason: str = "",
    score: float | None = None,
    now: datetime | None = None,
) -> OrderLink:
    """Record that ``order`` is about the same matter as ``main`` (§6.6.3 c); both keep
    their own handling.  One event on each order's timeline."""
    now = resolve_now(now)
    order, main_order = _lock_pair(order, _main_order(main))
    check_transition(order, "link_duplicate", actor, now)
    _check_main(main_order)
    if OrderLink.objects.filter(order=order, main=main_order, ended_at__isnull=True).exists():
        raise Conflict(f"已与工单 {main_order.number} 关联", state=order.state)
    return _record_link(order, main_order, "link", actor, now, reason=reason, score=score)


@transaction.atomic
def do_merge(
    order: WorkOrder | int,
    actor: User,
    *,
    main: WorkOrder | int | str,
    reason: str = "",
    score: float | None = None,
    now: datetime | None = None,
) -> OrderLink:
    """并单: handle ``order`` under ``main`` (§6.6.3 c: the same fact is not handled twice).
    Its running deadlines are superseded; its citizen is called back with the main order
    and it closes with it.  One event on each order."""
    now = resolve_now(now)
    order, main_order = _lock_pair(order, _main_order(main))
    check_transition(order, "merge", actor, now)
    _check_main(main_order)
    if merge_main(main_order) is not None:
        raise ValidationFailed({"main": f"工单 {main_order.number} 已并入其他工单"})
    OrderLink.objects.filter(order=order, main=main_order, ended_at__isnull=True).update(
        ended_at=now, ended_by=actor
    )  # a link between the pair becomes the merge
    supersede_deadlines(order, list(dl.DEADLINE_KINDS.codes), now)
    return _record_link(order, main_order, "merge", actor, now, reason=reason, score=score)


@transaction.atomic
def do_unmerge(
    order: WorkOrder | int, actor: User, *, reason: str, now: datetime | None = None
) -> WorkOrder:
    """取消并单: the order returns to intake (accepted) with a fresh dispatch deadline."""
    now = resolve_now(now)
    pk = order.pk if isinstance(order, WorkOrder) else order
    current = WorkOrder.objects.get(pk=pk)
    check_transition(current, "unmerge", actor, now)  # the guard: it is merged into a main
    main = merge_main(current)
    assert main is not None
    order, main_order = _lock_pair(pk, main.pk)
    check_transition(order, "unmerge", actor, now)  # again, under the lock
    link = OrderLink.objects.get(order=order, main=main_order, kind="merge", ended_at__isnull=True)
    if not reason.strip():
        raise ValidationFailed({"reason": "请说明取消并单的理由"})
    OrderLink.objects.filter(pk=link.pk).update(ended_at=now, ended_by=actor)
    move_state(order, actor, "unmerge", now, note=reason.strip(), data={"main": main_order.number})
    open_dispatch_clock(order, now)
    record_event(
        main_order,
        actor,
        "unmerged_out",
        now,
        from_state=main_order.state,
        note=reason.strip(),
        data={"duplicate": order.number},
    )
    return order
