"""What the transition table cannot see: whether *this* user may take an action on *this*
order *now* — one guard per action that needs one, each returning the error that explains
the refusal (or None).

The table (``hotline.rules.lifecycle``) says which role may take which action from which
state.  The guards add the facts of one order: the unit that holds it (a clerk acts for
the units it was dispatched to, and a former unit no longer acts at all), pending
requests, callbacks made, merged orders, and the time (§6.5: 督办 only for overdue
orders).  ``actions.base.check_transition`` raises what a guard returns and
``queries.allowed_actions`` offers only what passes, so what the workbench and the API
offer is exactly what the server then accepts — ``orders/tests/test_table_and_actions_agree.py``
proves it over every state × role × action.

Reads only; imports no action module (the actions import this)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db.models import Q, Sum

from hotline.orders.errors import ActionError, Conflict, Forbidden, ValidationFailed
from hotline.orders.models import (
    Assignment,
    Deadline,
    ExtensionRequest,
    OrderLink,
    SuspensionRequest,
    WorkOrder,
)
from hotline.org.models import Unit, User
from hotline.rules import deadlines as dl
from hotline.rules import ladder, lifecycle, screening

Guard = Callable[[WorkOrder, User | None, datetime], ActionError | None]


def policy() -> dl.Policy:
    """The centre's configured limits (``settings.HOTLINE_POLICY``)."""
    return dl.Policy(**settings.HOTLINE_POLICY)


# ---------------------------------------------------------------------------
# Which unit a clerk acts for


def acting_unit(order: WorkOrder, actor: User | None, *, lead_only: bool = True) -> Unit | None:
    """The unit ``actor`` acts for on ``order``.  A unit user acts only for a unit the order
    is dispatched to now — its own, or one below it (a parent acting for a sub-unit); for
    ``lead_only`` steps, the lead unit.  Centre staff act for the lead unit.  Raises
    ``Forbidden``."""
    if actor is None or actor.effective_role != "unit":
        return order.lead_unit
    if actor.unit is None:
        raise Forbidden("该账号未关联承办单位")
    units = (
        [order.lead_unit]
        if lead_only
        else [
            a.unit for a in order.assignments.filter(ended_at__isnull=True).select_related("unit")
        ]
    )
    for unit in units:
        if unit is not None and unit.path.startswith(actor.unit.path):
            return unit
    raise Forbidden("该工单不由本单位承办")


def _scope(lead_only: bool) -> Guard:
    def guard(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
        try:
            acting_unit(order, actor, lead_only=lead_only)
        except Forbidden as exc:
            return exc
        return None

    guard.__doc__ = (
        "A clerk acts only for the lead unit it belongs to (or a unit above it)."
        if lead_only
        else "A clerk acts only while its unit (or one below it) holds a running assignment."
    )
    return guard


_lead_unit_only = _scope(True)
_assigned_unit_only = _scope(False)


def pending_co_assignment(order: WorkOrder, actor: User | None) -> Assignment | None:
    """The co-unit task (协办) of the actor's unit that still waits to be signed for."""
    if actor is None or actor.effective_role != "unit" or actor.unit is None:
        return None
    return (
        Assignment.objects.filter(
            order=order,
            role="co",
            ended_at__isnull=True,
            signed_at__isnull=True,
            unit__path__startswith=actor.unit.path,
        )
        .select_related("unit")
        .order_by("pk")
        .first()
    )


def _co_sign(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.3 [beyond]: only a co-unit signs for its part, once."""
    problem = _assigned_unit_only(order, actor, now)
    if problem is not None:
        return problem
    if pending_co_assignment(order, actor) is None:
        return Conflict("本单位没有待签收的协办任务", state=order.state)
    return None


def _submit(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.1.5: an order goes to review only with its required fields — a channel
    submission merged before it was accepted and then unmerged may still lack them."""
    missing = screening.missing_required_fields(
        {name: getattr(order, name) for name in screening.REQUIRED_ORDER_FIELDS}
    )
    if missing:
        return ValidationFailed(missing)
    return None


# ---------------------------------------------------------------------------
# Requests, callbacks, merges


def extension_days_used(order: WorkOrder) -> int:
    approved = ExtensionRequest.objects.filter(order=order, decision="approved")
    return approved.aggregate(n=Sum("days"))["n"] or 0


def _request_extension(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.4.1: extensions add up to at most 5 working days."""
    problem = _lead_unit_only(order, actor, now)
    if problem is not None:
        return problem
    used = extension_days_used(order)
    if used >= dl.MAX_EXTENSION_WORKING_DAYS:
        return Conflict(f"已延期{used}个工作日，达到上限（§6.4.1）", state=order.state)
    return None


def _pending(model) -> Guard:
    def guard(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
        if not model.objects.filter(order=order, decision="pending").exists():
            return Conflict("没有待审批的申请", state=order.state)
        return None

    guard.__doc__ = "§6.4.1: the centre decides a request the unit filed."
    return guard


def merge_main(order: WorkOrder) -> WorkOrder | None:
    """The main order ``order`` is merged into (并单, §6.6.3 c), if any."""
    link = (
        OrderLink.objects.filter(order=order, kind="merge", ended_at__isnull=True)
        .select_related("main")
        .first()
    )
    return link.main if link else None


def merged_orders(main: WorkOrder) -> list[WorkOrder]:
    """The orders merged into ``main``."""
    return list(
        WorkOrder.objects.filter(
            state="merged",
            duplicate_links__main=main,
            duplicate_links__kind="merge",
            duplicate_links__ended_at__isnull=True,
        ).order_by("pk")
    )


def has_merged_orders(order: WorkOrder) -> bool:
    return OrderLink.objects.filter(main=order, kind="merge", ended_at__isnull=True).exists()


def called_back(order: WorkOrder, main: WorkOrder) -> bool:
    """§6.7.2 for a merged citizen: reached once since the main order's reply was accepted,
    or unreachable after the centre's maximum attempts."""
    cbs = order.callbacks.filter(at__gte=main.reply_accepted_at or order.created_at)
    reached = cbs.filter(outcome="reached").count()
    failed = cbs.exclude(outcome="reached").count()
    return lifecycle.may_close_after_callback(reached, failed, policy().max_callback_attempts)


def refuse_with_merged(order: WorkOrder, what: str) -> ActionError | None:
    if has_merged_orders(order):
        return Conflict(
            f"已有工单并入本工单，并入的服务对象须随主工单答复和回访；请先取消并单再{what}",
            state=order.state,
        )
    return None


def _reject(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.6.3 c: citizens merged into this order are answered with it."""
    return refuse_with_merged(order, "不予受理")


def _direct_close(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.6.3 c: citizens merged into this order are answered with it."""
    return refuse_with_merged(order, "直办结案")


def _merge(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.6.3 c: an order others were merged into is a main order; it is not merged itself."""
    if has_merged_orders(order):
        return Conflict("已有工单并入本工单，本工单不能再并入其他工单", state=order.state)
    return None


def _unmerge(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    if merge_main(order) is None:
        return Conflict("该工单没有并入其他工单", state=order.state)
    return None


def _record_callback(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.6.3 c: a merged order's citizen is called back once its main order's reply was
    accepted."""
    if order.state == "merged":
        main = merge_main(order)
        if main is None or main.state not in ("pending_callback", "closed"):
            return Conflict("并单工单在主工单答复认定后随主工单回访（§6.6.3 c）", state=order.state)
    return None


def _close(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.7.2: a transferred order closes only after the citizen — and every citizen merged
    into it — was called back (or could not be reached after the centre's attempts)."""
    since = order.reply_accepted_at or order.created_at
    cbs = order.callbacks.filter(at__gte=since)
    reached = cbs.filter(outcome="reached").count()
    failed = cbs.exclude(outcome="reached").count()
    attempts = policy().max_callback_attempts
    if not lifecycle.may_close_after_callback(reached, failed, attempts):
        return Conflict(
            f"转办工单须回访服务对象后方可结案（§6.7.2）；未联系上的须尝试{attempts}次",
            state=order.state,
        )
    waiting = [m.number for m in merged_orders(order) if not called_back(m, order)]
    if waiting:
        return Conflict(
            "并入本工单的服务对象也须回访后方可结案（§6.7.2、§6.6.3 c）：" + "、".join(waiting),
            state=order.state,
        )
    return None


def previous_units(order: WorkOrder) -> list[tuple[Unit, str]]:
    """The units of the order's latest dispatch (not those that returned it), with their
    roles — whom a reopened order goes back to."""
    previous = list(
        Assignment.objects.filter(order=order)
        .exclude(end_reason="unit_return")
        .select_related("unit")
        .order_by("-dispatched_at", "id")
    )
    latest_at = previous[0].dispatched_at if previous else None
    units = [(a.unit, a.role) for a in previous if a.dispatched_at == latest_at]
    if not units and order.lead_unit:
        units = [(order.lead_unit, "lead")]
    return units


def _reopen(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """重办 sends the order back to the units that handled it; a directly handled order
    (§6.7.1) has none."""
    if not any(role == "lead" for _, role in previous_units(order)):
        return Conflict("找不到原承办单位，请重新派转", state=order.state)
    return None


# ---------------------------------------------------------------------------
# Supervision (§6.5): only overdue orders are chased and supervised


def unit_deadlines():
    """The running deadlines the lead unit answers for (§6.5)."""
    return Deadline.objects.active().filter(
        Q(assignment__isnull=True) | Q(assignment__role="lead"),
        kind__in=ladder.UNIT_DEADLINE_KINDS,
    )


def overdue_since(order: WorkOrder, now: datetime) -> datetime | None:
    """Since when ``order`` is overdue in the sense of §6.5 (None: it is not)."""
    rows = unit_deadlines().filter(order=order).values_list("kind", "due_at")
    return ladder.overdue_since(list(rows), now)


def _remind(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.5: the reminder goes to the unit holding the order."""
    if order.lead_unit_id is None:
        return Conflict("工单尚未派转，无法催办", state=order.state)
    return None


def _supervise(order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """§6.5 "针对超期工单 … 进行督办": supervision is for orders a deadline of the unit has
    passed; before that the unit is only reminded (提醒)."""
    if order.lead_unit_id is None:
        return Conflict("工单尚未派转至承办单位，无法督办", state=order.state)
    if overdue_since(order, now) is None:
        return Conflict(
            "工单尚未超期，不能督办（§6.5：督办针对超期工单；超期前联系单位记为提醒）",
            state=order.state,
        )
    return None


GUARDS: dict[str, Guard] = {
    "reject": _reject,
    "direct_close": _direct_close,
    "submit": _submit,
    "sign": _lead_unit_only,
    "co_sign": _co_sign,
    "unit_return": _lead_unit_only,
    "request_extension": _request_extension,
    "approve_extension": _pending(ExtensionRequest),
    "deny_extension": _pending(ExtensionRequest),
    "request_suspension": _lead_unit_only,
    "approve_suspension": _pending(SuspensionRequest),
    "deny_suspension": _pending(SuspensionRequest),
    "resume": _lead_unit_only,
    "reply": _lead_unit_only,
    "no_further_handling": _lead_unit_only,
    "remind": _remind,
    "supervise": _supervise,
    "record_callback": _record_callback,
    "close": _close,
    "reopen": _reopen,
    "merge": _merge,
    "unmerge": _unmerge,
    "comment": _assigned_unit_only,
    "attach": _assigned_unit_only,
}


def problem(action: str, order: WorkOrder, actor: User | None, now: datetime) -> ActionError | None:
    """Why ``actor`` may not take ``action`` on ``order`` at ``now`` although the table lets
    its role take it from this state — or None."""
    guard = GUARDS.get(action)
    if guard is None or order.pk is None:
        return None
    return guard(order, actor, now)
