"""Plumbing every order action shares: the row lock, the transition check against
``hotline.rules.lifecycle``, the timeline event, deadlines, numbering and input validation.

Actions elsewhere (this package, and other apps' ``actions`` modules such as supervision)
build on these; views and API endpoints never do."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F

from hotline import clock
from hotline.calendars.services import working_calendar
from hotline.catalog.models import Category
from hotline.orders import guards
from hotline.orders.errors import ValidationFailed, from_rules
from hotline.orders.models import (
    Assignment,
    Deadline,
    Event,
    OrderSequence,
    WorkOrder,
)
from hotline.org.models import Area, Unit, User
from hotline.rules import deadlines as dl
from hotline.rules import lifecycle, limits, screening, taxonomy
from hotline.rules.calendar import SHANGHAI

log = logging.getLogger(__name__)


# Fields an agent fills on the electronic work order (§6.1).
ORDER_FIELDS = (
    "channel",
    "appeal_type",
    "category",
    "title",
    "content",
    "address",
    "area",
    "latitude",
    "longitude",
    "component_type",
    "event_time",
    "people",
    "cause",
    "course",
    "demand",
    "citizen_name",
    "citizen_phone",
    "citizen_address",
    "display_mode",
    "urgency",
    "emergency_kind",
)


# Hooks other apps register to run after an action commits, e.g. the supervision worker
# notifying the emergency department (§6.4.4).  Called as hook(action, order, event).
after_commit_hooks: list[Callable[[str, WorkOrder, Event], None]] = []

# Hooks other apps register to run *inside* the action's transaction, right after its
# timeline event is written: work that must commit or roll back with the action — the
# citizen's SMS queued in the outbox, the smart-callback survey planned when an order
# reaches 待回访 (``hotline.callbacks``).  Called as hook(action, order, event).
event_hooks: list[Callable[[str, WorkOrder, Event], None]] = []


policy = guards.policy
acting_unit = guards.acting_unit


def role_of(actor: User | None) -> str:
    return lifecycle.SYSTEM if actor is None else actor.effective_role


def resolve_now(now: datetime | None) -> datetime:
    return now or clock.now()


def lock_order(order: WorkOrder | int) -> WorkOrder:
    pk = order.pk if isinstance(order, WorkOrder) else order
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=pk)


def check_transition(
    order: WorkOrder, action: str, actor: User | None, now: datetime | None = None
) -> lifecycle.Transition:
    """The transition table first (may this role take this action from this state?), then
    the action's guard (may this user, on this order, now? — ``hotline.orders.guards``)."""
    try:
        t = lifecycle.transition(action, order.state, role_of(actor))
    except (lifecycle.IllegalTransition, lifecycle.RoleNotAllowed) as exc:
        raise from_rules(exc) from None
    refused = guards.problem(action, order, actor, resolve_now(now))
    if refused is not None:
        raise refused
    return t


def record_event(
    order: WorkOrder,
    actor: User | None,
    action: str,
    now: datetime,
    *,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    unit: Unit | None = None,
) -> Event:
    event = Event.objects.create(
        order=order,
        at=now,
        actor=actor,
        actor_role=role_of(actor),
        actor_name=actor.display_name if actor else "系统",
        unit=unit or (actor.unit if actor and actor.effective_role == "unit" else None),
        action=action,
        from_state=from_state,
        to_state=to_state or from_state,
        note=note,
        data=data or {},
    )
    for in_transaction in event_hooks:
        in_transaction(action, order, event)
    for hook in after_commit_hooks:
        transaction.on_commit(lambda h=hook: h(action, order, event))
    return event


def move_state(
    order: WorkOrder,
    actor: User | None,
    action: str,
    now: datetime,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    unit: Unit | None = None,
    extra_fields: Iterable[str] = (),
) -> Event:
    """Apply the table's target state (if any), save and write the event."""
    t = lifecycle.TRANSITIONS_BY_ACTION[action]
    before = order.state
    if t.target:
        order.state = t.target
    order.save(update_fields=["state", "updated_at", *extra_fields])
    return record_event(
        order,
        actor,
        action,
        now,
        from_state=before,
        to_state=order.state,
        note=note,
        data=data,
        unit=unit,
    )


def open_deadline(
    order: WorkOrder, d: dl.Deadline, *, assignment: Assignment | None = None
) -> Deadline:
    cal = working_calendar()
    warn = dl.warning_at(d.start, d.due, d.basis, cal, policy().warning_share)
    return Deadline.objects.create(
        order=order,
        assignment=assignment,
        kind=d.kind,
        start_at=d.start,
        due_at=d.due,
        warn_at=warn,
        basis=d.basis,
        amount=d.amount,
        clause=d.clause,
        rule=d.rule,
        skipped=[{"day": s.day.isoformat(), "reason": s.reason} for s in d.skipped],
        paused=[
            [a.astimezone(SHANGHAI).isoformat(), b.astimezone(SHANGHAI).isoformat()]
            for a, b in d.paused
        ],
        provisional=d.provisional,
    )


def dispatch_clock(order: WorkOrder, start: datetime, paused: tuple[dl.Pause, ...] = ()):
    """The review/dispatch limit of ``order`` from ``start`` (§6.2; emergency orders
    §6.4.4), with the spans it stood still while back with intake."""
    return dl.dispatch_deadline(
        start, working_calendar(), emergency=order.is_emergency, policy=policy(), paused=paused
    )


def open_dispatch_clock(order: WorkOrder, now: datetime) -> Deadline:
    """A fresh review/dispatch clock from ``now`` (acceptance, 退单, 取消并单)."""
    return open_deadline(order, dispatch_clock(order, now))


def retime_dispatch_clock(order: WorkOrder, now: datetime, *, resume: bool = False) -> None:
    """Recompute the review/dispatch clock from where it started: when the order became an
    emergency order (or stopped being one) during intake, or — ``resume`` — when a returned
    order is submitted again and its paused clock runs on (§6.2, the centre's reading: the
    agent's fixing time does not count against the reviewer)."""
    last = (
        Deadline.objects.filter(order=order, kind="dispatch", met_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None:
        return
    paused = tuple((datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in last.paused)
    if resume:
        if last.superseded_at is None:
            return  # it never stopped
        paused += ((last.superseded_at, now),)
    elif last.superseded_at is not None:
        return  # stopped (returned): it is recomputed when the order is submitted again
    else:
        last.superseded_at = now
        last.save(update_fields=["superseded_at"])
    open_deadline(order, dispatch_clock(order, last.start_at, paused))


def meet_deadlines(order: WorkOrder, kinds: Iterable[str], now: datetime, **filters) -> int:
    return (
        Deadline.objects.active()
        .filter(order=order, kind__in=list(kinds), **filters)
        .update(met_at=now)
    )


def supersede_deadlines(order: WorkOrder, kinds: Iterable[str], now: datetime, **filters) -> int:
    return (
        Deadline.objects.active()
        .filter(order=order, kind__in=list(kinds), **filters)
        .update(superseded_at=now)
    )


def current_feedback(order: WorkOrder) -> Deadline | None:
    return (
        Deadline.objects.active()
        .filter(order=order, kind__in=["feedback", "extension"])
        .order_by("-due_at")
        .first()
    )


def next_number(now: datetime) -> str:
    """A readable, unique order number: the Shanghai date and a 6-digit daily sequence
    (``20261010000042``).  Must run inside the creating transaction: the sequence row stays
    locked until it commits, so two intakes never get the same number."""
    day = now.astimezone(SHANGHAI).date()
    OrderSequence.objects.bulk_create([OrderSequence(day=day, last=0)], ignore_conflicts=True)
    OrderSequence.objects.filter(day=day).update(last=F("last") + 1)
    seq = OrderSequence.objects.get(day=day).last
    return f"{day:%Y%m%d}{seq:06d}"


def _clean_order_fields(values: dict[str, Any], *, require: bool) -> dict[str, Any]:
    """Normalise the §6.1 fields, resolve foreign keys and check codes.  With ``require``,
    the §6.1.5 required fields must be present.  Raises ``ValidationFailed``."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in ORDER_FIELDS:
        if name not in values:
            continue
        v = values[name]
        if isinstance(v, str):
            v = v.strip()
        elif v is None and name in _TEXT_FIELDS:
            v = ""  # a JSON null clears a text field, as an empty string does
        out[name] = v
    vocab = {
        "channel": taxonomy.CHANNELS,
        "appeal_type": taxonomy.APPEAL_TYPES,
        "display_mode": taxonomy.DISPLAY_MODES,
        "urgency": taxonomy.URGENCY,
        "emergency_kind": screening.EMERGENCY_KINDS,
        "component_type": taxonomy.COMPONENT_TYPES,
    }
    for name, vocabulary in vocab.items():
        v = out.get(name)
        if v and v not in vocabulary:
            errors[name] = f"“{v}”不是有效的{_LABELS.get(name, name)}"
    cat = out.get("category")
    if cat not in (None, ""):
        category = cat if isinstance(cat, Category) else _category(cat)
        if category is None:
            errors["category"] = "诉求分类不存在或已停用"
        else:
            out["category"] = category
            out["domain"] = category.domain
    elif "category" in out:
        out["category"] = None
    area = out.get("area")
    if area not in (None, ""):
        resolved = area if isinstance(area, Area) else _area(area)
        if resolved is None:
            errors["area"] = "所属区域不存在"
        else:
            out["area"] = resolved
    elif "area" in out:
        out["area"] = None
    for coord, lo, hi in (("latitude", -90, 90), ("longitude", -180, 180)):
        v = out.get(coord)
        if v in ("", None):
            if coord in out:
                out[coord] = None
            continue
        try:
            if not lo <= float(v) <= hi:
                raise ValueError
        except (TypeError, ValueError):
            errors[coord] = f"{_LABELS[coord]}须在 {lo} 到 {hi} 之间"
    phone = out.get("citizen_phone")
    if phone and not _looks_like_phone(phone):
        errors["citizen_phone"] = "联系电话格式不正确"
    # every entrance ends here: the bounds of ``rules.limits`` hold whatever the adapter
    for name, message in limits.text_errors(out).items():
        errors.setdefault(name, message)
    if require:
        errors.update(
            {k: v for k, v in screening.missing_required_fields(out).items() if k not in errors}
        )
    if errors:
        raise ValidationFailed(errors)
    return out


# The work order's text fields (never NULL in the database).
_TEXT_FIELDS = frozenset(
    f.name
    for f in WorkOrder._meta.get_fields()
    if f.name in ORDER_FIELDS and f.get_internal_type() in {"CharField", "TextField"}
)

_LABELS = {
    "channel": "诉求来源",
    "appeal_type": "诉求类型",
    "display_mode": "个人信息显示方式",
    "urgency": "紧急程度",
    "emergency_kind": "应急类型",
    "component_type": "部件类型",
    "latitude": "纬度",
    "longitude": "经度",
}


def _looks_like_phone(phone: str) -> bool:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return 5 <= len(digits) <= 20 and all(ch.isdigit() or ch in "+-() " for ch in phone)


def _category(value: Any) -> Category | None:
    q = Category.objects.filter(active=True)
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return q.filter(pk=int(value)).first()
    return q.filter(code=value).first()


def _area(value: Any) -> Area | None:
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return Area.objects.filter(pk=int(value)).first()
    return Area.objects.filter(code=value).first()


def _apply(order: WorkOrder, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set fields on the order; return ``{field: [old, new]}`` for the timeline."""
    changes: dict[str, list[Any]] = {}
    for name, value in fields.items():
        old = getattr(order, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(order, name, value)
    if order.emergency_kind and order.urgency == "normal":
        # §6.4.4: an emergency order is never filed as merely "一般".
        order.urgency = "very_urgent"
    return changes


def _plain(v: Any) -> Any:
    if hasattr(v, "pk"):
        return str(v)
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)
