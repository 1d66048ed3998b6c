"""Every change to a work order, one ``do_*`` function each.

Each action runs in one transaction: it locks the order row (``select_for_update``; on
SQLite the IMMEDIATE transaction serialises writers), asks ``hotline.rules.lifecycle``
whether the actor's role may take the action from the current state, validates its input
against the standard, changes the rows, opens/closes the order's deadlines and appends one
timeline ``Event`` (who, when, what, from, to).  Whatever the entry point — web form, API,
command or worker — it comes through here; nothing is half-saved.

``now`` is injectable everywhere (demo data, tests); it defaults to ``hotline.clock.now()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from hotline import clock
from hotline.calendars.services import working_calendar
from hotline.catalog.models import Category
from hotline.orders.errors import ActionError, Conflict, Forbidden, ValidationFailed, from_rules
from hotline.orders.models import (
    Assignment,
    Callback,
    Deadline,
    Event,
    ExtensionRequest,
    OrderLink,
    OrderSequence,
    Reply,
    SuspensionRequest,
    WorkOrder,
)
from hotline.org.models import Area, Unit, User
from hotline.rules import deadlines as dl
from hotline.rules import lifecycle, screening, taxonomy
from hotline.rules.calendar import SHANGHAI
from hotline.supervision.models import Reminder, SupervisionRecord

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


def policy() -> dl.Policy:
    return dl.Policy(**settings.HOTLINE_POLICY)


def role_of(actor: User | None) -> str:
    return lifecycle.SYSTEM if actor is None else actor.effective_role


# ---------------------------------------------------------------------------
# plumbing


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def _lock(order: WorkOrder | int) -> WorkOrder:
    pk = order.pk if isinstance(order, WorkOrder) else order
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=pk)


def _check(order: WorkOrder, action: str, actor: User | None) -> lifecycle.Transition:
    try:
        return lifecycle.transition(action, order.state, role_of(actor))
    except (lifecycle.IllegalTransition, lifecycle.RoleNotAllowed) as exc:
        raise from_rules(exc) from None


def _unit_scope(order: WorkOrder, actor: User | None, *, lead_only: bool = True) -> Unit | None:
    """A unit user may act only for its own unit (or a parent acting for a sub-unit)."""
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


def _event(
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
    for hook in after_commit_hooks:
        transaction.on_commit(lambda h=hook: h(action, order, event))
    return event


def _move(
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
    return _event(
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


def _open_deadline(
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
        provisional=d.provisional,
    )


def _meet(order: WorkOrder, kinds: Iterable[str], now: datetime, **filters) -> int:
    return (
        Deadline.objects.active()
        .filter(order=order, kind__in=list(kinds), **filters)
        .update(met_at=now)
    )


def _supersede(order: WorkOrder, kinds: Iterable[str], now: datetime, **filters) -> int:
    return (
        Deadline.objects.active()
        .filter(order=order, kind__in=list(kinds), **filters)
        .update(superseded_at=now)
    )


def _current_feedback(order: WorkOrder) -> Deadline | None:
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


# ---------------------------------------------------------------------------
# input validation (§6.1)


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
    if out.get("title") and len(out["title"]) > 200:
        errors["title"] = "诉求问题不能超过200字"
    if require:
        errors.update(
            {k: v for k, v in screening.missing_required_fields(out).items() if k not in errors}
        )
    if errors:
        raise ValidationFailed(errors)
    return out


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


# ---------------------------------------------------------------------------
# intake (§5, §6.1)


@transaction.atomic
def do_create_order(
    actor: User, values: dict[str, Any], *, now: datetime | None = None
) -> WorkOrder:
    """An agent records and accepts an appeal (§6.1.1): the electronic work order with the
    §6.1.5 required fields; the dispatch clock of §6.2 starts."""
    now = _now(now)
    _check(WorkOrder(state="draft"), "create", actor)
    fields = _clean_order_fields({"channel": "phone", **values}, require=True)
    order = WorkOrder(state="accepted", created_at=now, accepted_at=now, created_by=actor)
    _apply(order, fields)
    order.number = next_number(now)
    order.save()
    _event(
        order,
        actor,
        "create",
        now,
        from_state="",
        to_state="accepted",
        data={"channel": order.channel},
    )
    _open_deadline(order, dl.dispatch_deadline(now, working_calendar()))
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
    now = _now(now)
    fields = _clean_order_fields(values, require=False)
    if fields.get("channel") is None:
        raise ValidationFailed({"channel": "请指明诉求来源渠道"})
    order = WorkOrder(state="draft", created_at=now, created_by=actor)
    _apply(order, fields)
    order.number = next_number(now)
    order.save()
    _event(
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
    now = _now(now)
    _check(WorkOrder(state="draft"), "reject", actor)
    fields = _clean_order_fields({"channel": "phone", **values}, require=False)
    reason_fields = _clean_rejection(reason, note, emergency_line)
    order = WorkOrder(state="rejected", created_at=now, created_by=actor, **reason_fields)
    _apply(order, fields)
    order.number = next_number(now)
    order.save()
    _event(
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
    now = _now(now)
    order = _lock(order)
    _check(order, "accept", actor)
    current = {name: getattr(order, name) for name in ORDER_FIELDS}
    fields = _clean_order_fields({**current, **(values or {})}, require=True)
    changes = _apply(order, fields)
    order.accepted_at = now
    _move(
        order,
        actor,
        "accept",
        now,
        data={"changes": changes},
        extra_fields=[*fields, "domain", "urgency", "accepted_at"],
    )
    _open_deadline(order, dl.dispatch_deadline(now, working_calendar()))
    return order


@transaction.atomic
def do_update(
    order: WorkOrder | int, actor: User, values: dict[str, Any], *, now: datetime | None = None
) -> WorkOrder:
    """Correct the work order while it is still with intake (draft, accepted, returned)."""
    now = _now(now)
    order = _lock(order)
    _check(order, "update", actor)
    current = {name: getattr(order, name) for name in ORDER_FIELDS}
    fields = _clean_order_fields({**current, **values}, require=order.state != "draft")
    changes = _apply(order, fields)
    if changes:
        _move(
            order,
            actor,
            "update",
            now,
            data={"changes": changes},
            extra_fields=[*fields, "domain", "urgency"],
        )
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
    now = _now(now)
    order = _lock(order)
    _check(order, "reject", actor)
    _refuse_with_merged(order, "不予受理")
    for k, v in _clean_rejection(reason, note, emergency_line).items():
        setattr(order, k, v)
    _supersede(order, ["dispatch"], now)
    _move(
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
    now = _now(now)
    order = _lock(order)
    _check(order, "direct_close", actor)
    _refuse_with_merged(order, "直办结案")
    if not answer.strip():
        raise ValidationFailed({"answer": "直办结案须填写答复内容"})
    order.direct_answer = answer.strip()
    order.closed_at = now
    _meet(order, ["dispatch"], now)
    _move(
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
    now = _now(now)
    order = _lock(order)
    _check(order, "submit", actor)
    _clean_order_fields({n: getattr(order, n) for n in ORDER_FIELDS}, require=True)
    order.submitted_at = now
    _move(order, actor, "submit", now, extra_fields=["submitted_at"])
    return order


# ---------------------------------------------------------------------------
# review and dispatch (§6.2, §6.3)


@transaction.atomic
def do_return_to_intake(
    order: WorkOrder | int, actor: User, *, reason: str, now: datetime | None = None
) -> WorkOrder:
    """The reviewer returns a non-compliant order to intake with a reason (§6.2)."""
    now = _now(now)
    order = _lock(order)
    _check(order, "return_to_intake", actor)
    if not reason.strip():
        raise ValidationFailed({"reason": "退回受理须说明原因（§6.2）"})
    _move(order, actor, "return_to_intake", now, note=reason.strip())
    return order


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
    now = _now(now)
    order = _lock(order)
    _check(order, "dispatch", actor)
    lead = _unit(lead_unit, "lead_unit")
    cos = [_unit(u, "co_units") for u in co_units]
    if lead.kind == "centre":
        raise ValidationFailed({"lead_unit": "不能派转给热线服务机构本身"})
    if any(c.pk == lead.pk for c in cos) or len({c.pk for c in cos}) != len(cos):
        raise ValidationFailed({"co_units": "协办单位不能与主办单位重复"})
    cal = working_calendar()
    _meet(order, ["dispatch"], now)
    order.lead_unit = lead
    order.dispatched_at = now
    order.signed_at = None
    _move(
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
        _open_deadline(
            order, dl.sign_deadline(now, order.is_emergency, cal, policy()), assignment=a
        )
    _open_deadline(order, dl.feedback_deadline(now, order.is_emergency, cal))
    return order


def _unit(value: Unit | int, field: str) -> Unit:
    unit = value if isinstance(value, Unit) else Unit.objects.filter(pk=value).first()
    if unit is None or not unit.active:
        raise ValidationFailed({field: "承办单位不存在或已停用"})
    return unit


# ---------------------------------------------------------------------------
# handling (§6.4)


@transaction.atomic
def do_sign(order: WorkOrder | int, actor: User, *, now: datetime | None = None) -> WorkOrder:
    """The lead unit signs for the order (签收) and starts handling it."""
    now = _now(now)
    order = _lock(order)
    _check(order, "sign", actor)
    unit = _unit_scope(order, actor)
    Assignment.objects.filter(order=order, unit=order.lead_unit, ended_at__isnull=True).update(
        signed_at=now, signed_by=actor
    )
    _meet(order, ["sign"], now, assignment__unit=order.lead_unit)
    order.signed_at = now
    _move(order, actor, "sign", now, unit=unit, extra_fields=["signed_at"])
    return order


@transaction.atomic
def do_co_sign(order: WorkOrder | int, actor: User, *, now: datetime | None = None) -> WorkOrder:
    """A co-unit (协办) signs for its part; the order's state does not change."""
    now = _now(now)
    order = _lock(order)
    _check(order, "co_sign", actor)
    unit = _unit_scope(order, actor, lead_only=False)
    updated = Assignment.objects.filter(
        order=order, unit=unit, role="co", ended_at__isnull=True, signed_at__isnull=True
    ).update(signed_at=now, signed_by=actor)
    if not updated:
        raise Conflict("本单位没有待签收的协办任务", state=order.state)
    _meet(order, ["sign"], now, assignment__unit=unit)
    _move(order, actor, "co_sign", now, unit=unit)
    return order


@transaction.atomic
def do_unit_return(
    order: WorkOrder | int, actor: User, *, reason: str, now: datetime | None = None
) -> WorkOrder:
    """退单: the unit returns a misrouted order to the centre for re-dispatch.  Its
    assignments end, its clocks stop, and a new dispatch clock starts (§6.2)."""
    now = _now(now)
    order = _lock(order)
    _check(order, "unit_return", actor)
    if not reason.strip():
        raise ValidationFailed({"reason": "退单须说明理由"})
    unit = _unit_scope(order, actor)
    Assignment.objects.filter(order=order, ended_at__isnull=True).update(
        ended_at=now, end_reason="unit_return"
    )
    _supersede(order, ["sign", "feedback", "extension"], now)
    order.lead_unit = None
    _move(
        order, actor, "unit_return", now, note=reason.strip(), unit=unit, extra_fields=["lead_unit"]
    )
    _open_deadline(order, dl.dispatch_deadline(now, working_calendar()))
    return order


@transaction.atomic
def do_request_extension(
    order: WorkOrder | int, actor: User, *, days: int, reason: str, now: datetime | None = None
) -> ExtensionRequest:
    """A complex order may be extended by at most 5 working days in all (§6.4.1)."""
    now = _now(now)
    order = _lock(order)
    _check(order, "request_extension", actor)
    unit = _unit_scope(order, actor)
    used = sum(order.extension_requests.filter(decision="approved").values_list("days", flat=True))
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= dl.MAX_EXTENSION_WORKING_DAYS - used:
        left = dl.MAX_EXTENSION_WORKING_DAYS - used
        errors["days"] = (
            f"延期须为1至{left}个工作日（§6.4.1：延期一般不超过5个工作日，已延期{used}天）"
            if left > 0
            else f"已延期{used}个工作日，达到上限（§6.4.1）"
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
    _move(
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
    now = _now(now)
    order = _lock(order)
    _check(order, "approve_extension" if approve else "deny_extension", actor)
    req = _pending(ExtensionRequest, order)
    if not approve and not note.strip():
        raise ValidationFailed({"note": "驳回延期须说明理由"})
    req.decision = "approved" if approve else "denied"
    req.decided_by, req.decided_at, req.decision_note = actor, now, note.strip()
    req.save()
    data: dict[str, Any] = {"days": req.days, "request": req.pk}
    if approve:
        current = _current_feedback(order)
        base = current.due_at if current else now
        _supersede(order, ["feedback", "extension"], now)
        new = _open_deadline(order, dl.extension_deadline(base, req.days, working_calendar()))
        data["new_due"] = new.due_at.isoformat()
    _move(
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
    now = _now(now)
    order = _lock(order)
    _check(order, "request_suspension", actor)
    unit = _unit_scope(order, actor)
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
    now = _now(now)
    order = _lock(order)
    _check(order, "approve_suspension" if approve else "deny_suspension", actor)
    req = _pending(SuspensionRequest, order)
    if not approve and not note.strip():
        raise ValidationFailed({"note": "驳回挂单须说明理由"})
    req.decision = "approved" if approve else "denied"
    req.decided_by, req.decided_at, req.decision_note = actor, now, note.strip()
    data: dict[str, Any] = {"days": req.days, "request": req.pk}
    if approve:
        current = _current_feedback(order)
        cal = working_calendar()
        if current is not None:
            try:
                req.working_days_left = cal.working_days_left(now, current.due_at)
            except Exception:  # unknown year: keep the standard's full general limit
                req.working_days_left = dl.FEEDBACK_WORKING_DAYS
        else:
            req.working_days_left = dl.FEEDBACK_WORKING_DAYS
        _supersede(order, ["feedback", "extension"], now)
        hang = _open_deadline(order, dl.hang_up_deadline(now, req.days))
        data.update(working_days_left=req.working_days_left, until=hang.due_at.isoformat())
    req.save()
    _move(
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
    now = _now(now)
    order = _lock(order)
    _check(order, "resume", actor)
    unit = _unit_scope(order, actor)
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
    _meet(order, ["hang_up"], now)
    new = _open_deadline(order, dl.resumed_feedback_deadline(now, left, working_calendar()))
    _move(
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
    now = _now(now)
    order = _lock(order)
    _check(order, "reply", actor)
    unit = _unit_scope(order, actor)
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
    now = _now(now)
    order = _lock(order)
    _check(order, "no_further_handling", actor)
    unit = _unit_scope(order, actor)
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
    _meet(order, ["feedback", "extension"], now)
    order.replied_at = now
    _move(
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
    now = _now(now)
    order = _lock(order)
    _check(order, "accept_reply", actor)
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
    _move(order, actor, "accept_reply", now, note=note, extra_fields=["reply_accepted_at"])
    _open_deadline(order, dl.callback_deadline(now, working_calendar(), policy()))
    return order


@transaction.atomic
def do_reverify(
    order: WorkOrder | int, actor: User, *, reason: str, now: datetime | None = None
) -> WorkOrder:
    """The reply differs from the citizen's account: the centre contacts the unit again to
    verify (§6.6.2) and the unit answers within the centre's limit."""
    now = _now(now)
    order = _lock(order)
    _check(order, "reverify", actor)
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
    _move(order, actor, "reverify", now, note=reason.strip(), unit=order.lead_unit)
    _open_deadline(order, dl.reverify_deadline(now, working_calendar(), policy()))
    return order


# ---------------------------------------------------------------------------
# supervision records (§6.5) — the data; the automatic sweep builds on these


@transaction.atomic
def do_remind(
    order: WorkOrder | int,
    actor: User | None,
    *,
    contact_name: str = "",
    contact_phone: str = "",
    result: str = "",
    answered: bool = False,
    now: datetime | None = None,
) -> Reminder:
    """A phone reminder to the unit (电话催办, §6.5).  After 2 reminders without a result the
    order goes under supervision (督办)."""
    now = _now(now)
    order = _lock(order)
    _check(order, "remind", actor)
    unit = order.lead_unit
    if unit is None:
        raise Conflict("工单尚未派转，无法催办", state=order.state)
    reminder = Reminder.objects.create(
        order=order,
        unit=unit,
        by=actor,
        at=now,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        result=result.strip(),
        answered=answered,
    )
    order.reminder_count = F("reminder_count") + 1
    fields = ["reminder_count"]
    unanswered = Reminder.objects.filter(order=order, answered=False).count()
    enter = order.supervised_at is None and unanswered >= lifecycle.reminders_before_supervision()
    if enter:
        order.supervised_at = now
        fields.append("supervised_at")
    _move(
        order,
        actor,
        "remind",
        now,
        note=result,
        data={"reminder": reminder.pk, "answered": answered, "unanswered": unanswered},
        unit=unit,
        extra_fields=fields,
    )
    if enter:
        _event(
            order,
            actor,
            "enter_supervision",
            now,
            from_state=order.state,
            note=f"电话催办{unanswered}次仍未回复处理结果，转入督办（§6.5）",
            unit=unit,
        )
    order.refresh_from_db(fields=["reminder_count"])
    return reminder


@transaction.atomic
def do_supervise(
    order: WorkOrder | int,
    actor: User | None,
    *,
    method: str,
    other_form: str = "",
    target: str = "",
    content: str = "",
    result: str = "",
    effective: bool = False,
    now: datetime | None = None,
) -> SupervisionRecord:
    """One supervision step (§6.5 a–d), recorded with who, when, whom and the result."""
    now = _now(now)
    order = _lock(order)
    _check(order, "supervise", actor)
    errors = {}
    if method not in taxonomy.SUPERVISION_METHODS:
        errors["method"] = "请选择督办方式（§6.5 a–d）"
    if method == "other" and other_form not in taxonomy.OTHER_SUPERVISION_FORMS:
        errors["other_form"] = (
            "其他形式督办须选择具体形式（联席会议、现场协调、政风热线、媒体监督、通报约谈）"
        )
    unit = order.lead_unit
    if unit is None:
        errors["order"] = "工单尚未派转至承办单位"
    if errors:
        raise ValidationFailed(errors)
    record = SupervisionRecord.objects.create(
        order=order,
        unit=unit,
        method=method,
        other_form=other_form if method == "other" else "",
        by=actor,
        at=now,
        target=target.strip(),
        content=content.strip(),
        result=result.strip(),
        effective=effective,
    )
    fields = []
    if order.supervised_at is None:
        order.supervised_at = now
        fields.append("supervised_at")
    _move(
        order,
        actor,
        "supervise",
        now,
        note=content,
        data={
            "record": record.pk,
            "method": method,
            "other_form": record.other_form,
            "target": target,
        },
        unit=unit,
        extra_fields=fields,
    )
    return record


# ---------------------------------------------------------------------------
# callback and closing (§6.7, §6.8)


@transaction.atomic
def do_record_callback(
    order: WorkOrder | int,
    actor: User,
    *,
    method: str,
    mode: str = "manual",
    outcome: str = "reached",
    satisfaction: str = "",
    resolution: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Callback:
    """A callback attempt (§6.8.1–§6.8.3).  When the citizen was reached, satisfaction and
    resolution are both required."""
    now = _now(now)
    order = _lock(order)
    _check(order, "record_callback", actor)
    if order.state == "merged":
        main = _merge_main(order)
        if main is None or main.state not in ("pending_callback", "closed"):
            raise Conflict("并单工单在主工单答复认定后随主工单回访（§6.6.3 c）", state=order.state)
    errors = {}
    if method not in taxonomy.CALLBACK_METHODS:
        errors["method"] = "请选择回访方式（§6.8.2）"
    if mode not in taxonomy.CALLBACK_MODES:
        errors["mode"] = "请选择人工或智能回访（§6.8.2）"
    if outcome not in taxonomy.CALLBACK_OUTCOMES:
        errors["outcome"] = "请选择回访结果"
    if outcome == "reached":
        if satisfaction not in taxonomy.SATISFACTION:
            errors["satisfaction"] = "请选择满意程度（§6.8.3）"
        if resolution not in taxonomy.RESOLUTION:
            errors["resolution"] = "请选择解决程度（§6.8.3）"
    if errors:
        raise ValidationFailed(errors)
    if outcome != "reached":
        satisfaction = resolution = ""
    cb = Callback.objects.create(
        order=order,
        method=method,
        mode=mode,
        outcome=outcome,
        satisfaction=satisfaction,
        resolution=resolution,
        note=note.strip(),
        by=actor,
        at=now,
    )
    if outcome == "reached" or _callback_attempts_exhausted(order):
        _meet(order, ["callback"], now)
    _move(
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
    order: WorkOrder | int, actor: User, *, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """A transferred order closes only after the unit replied and the citizen was called
    back (§6.7.2); a citizen unreachable after the centre's maximum attempts does not block it."""
    now = _now(now)
    order = _lock(order)
    _check(order, "close", actor)
    since = order.reply_accepted_at or order.created_at
    cbs = order.callbacks.filter(at__gte=since)
    reached = cbs.filter(outcome="reached").count()
    failed = cbs.exclude(outcome="reached").count()
    if not lifecycle.may_close_after_callback(reached, failed, policy().max_callback_attempts):
        raise Conflict(
            f"转办工单须回访服务对象后方可结案（§6.7.2）；未联系上的须尝试{policy().max_callback_attempts}次",
            state=order.state,
        )
    merged = _merged_orders(order)
    waiting = [m.number for m in merged if not _called_back(m, order)]
    if waiting:
        raise Conflict(
            "并入本工单的服务对象也须回访后方可结案（§6.7.2、§6.6.3 c）：" + "、".join(waiting),
            state=order.state,
        )
    order.closed_at = now
    Assignment.objects.filter(order=order, ended_at__isnull=True).update(
        ended_at=now, end_reason="completed"
    )
    _meet(order, ["callback"], now)
    _move(
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
        _event(
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
    now = _now(now)
    order = _lock(order)
    _check(order, "reopen", actor)
    if not reason.strip():
        raise ValidationFailed({"reason": "请说明重办理由"})
    previous = list(
        Assignment.objects.filter(order=order)
        .exclude(end_reason="unit_return")
        .order_by("-dispatched_at", "id")
    )
    latest_at = previous[0].dispatched_at if previous else None
    units = [(a.unit, a.role) for a in previous if a.dispatched_at == latest_at]
    if not units and order.lead_unit:
        units = [(order.lead_unit, "lead")]
    if not units:
        raise Conflict("找不到原承办单位，请重新派转", state=order.state)
    Assignment.objects.filter(order=order, ended_at__isnull=True).update(
        ended_at=now, end_reason="completed"
    )
    _supersede(order, ["callback"], now)
    cal = working_calendar()
    order.reopen_count = F("reopen_count") + 1
    order.dispatched_at = now
    order.signed_at = order.replied_at = order.reply_accepted_at = order.closed_at = None
    order.lead_unit = next(u for u, r in units if r == "lead")
    _move(
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
        _open_deadline(
            order, dl.sign_deadline(now, order.is_emergency, cal, policy()), assignment=a
        )
    _open_deadline(order, dl.feedback_deadline(now, order.is_emergency, cal))
    order.refresh_from_db(fields=["reopen_count"])
    return order


@transaction.atomic
def do_comment(
    order: WorkOrder | int, actor: User, *, note: str, now: datetime | None = None
) -> Event:
    """A note on the timeline (a co-unit's opinion, an agent's remark)."""
    now = _now(now)
    order = _lock(order)
    _check(order, "comment", actor)
    if actor.effective_role == "unit":
        _unit_scope(order, actor, lead_only=False)
    if not note.strip():
        raise ValidationFailed({"note": "备注内容不能为空"})
    return _move(order, actor, "comment", now, note=note.strip())


# ---------------------------------------------------------------------------
# duplicates: link and merge (并单, §6.6.3 c)


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


def _merge_main(order: WorkOrder) -> WorkOrder | None:
    link = (
        OrderLink.objects.filter(order=order, kind="merge", ended_at__isnull=True)
        .select_related("main")
        .first()
    )
    return link.main if link else None


def _merged_orders(main: WorkOrder) -> list[WorkOrder]:
    return list(
        WorkOrder.objects.filter(
            state="merged",
            duplicate_links__main=main,
            duplicate_links__kind="merge",
            duplicate_links__ended_at__isnull=True,
        ).order_by("pk")
    )


def _called_back(order: WorkOrder, main: WorkOrder) -> bool:
    """§6.7.2 for a merged citizen: reached once since the main order's reply was accepted,
    or unreachable after the centre's maximum attempts."""
    cbs = order.callbacks.filter(at__gte=main.reply_accepted_at or order.created_at)
    reached = cbs.filter(outcome="reached").count()
    failed = cbs.exclude(outcome="reached").count()
    return lifecycle.may_close_after_callback(reached, failed, policy().max_callback_attempts)


def _refuse_with_merged(order: WorkOrder, what: str) -> None:
    if OrderLink.objects.filter(main=order, kind="merge", ended_at__isnull=True).exists():
        raise Conflict(
            f"已有工单并入本工单，并入的服务对象须随主工单答复和回访；请先取消并单再{what}",
            state=order.state,
        )


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
    _move(order, actor, action, now, note=reason.strip(), data={"main": main_order.number})
    _event(
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
    now = _now(now)
    order, main_order = _lock_pair(order, _main_order(main))
    _check(order, "link_duplicate", actor)
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
    now = _now(now)
    order, main_order = _lock_pair(order, _main_order(main))
    _check(order, "merge", actor)
    _check_main(main_order)
    if _merge_main(main_order) is not None:
        raise ValidationFailed({"main": f"工单 {main_order.number} 已并入其他工单"})
    if OrderLink.objects.filter(main=order, kind="merge", ended_at__isnull=True).exists():
        raise ValidationFailed({"main": "已有工单并入本工单，本工单不能再并入其他工单"})
    OrderLink.objects.filter(order=order, main=main_order, ended_at__isnull=True).update(
        ended_at=now, ended_by=actor
    )  # a link between the pair becomes the merge
    _supersede(order, list(dl.DEADLINE_KINDS.codes), now)
    return _record_link(order, main_order, "merge", actor, now, reason=reason, score=score)


@transaction.atomic
def do_unmerge(
    order: WorkOrder | int, actor: User, *, reason: str, now: datetime | None = None
) -> WorkOrder:
    """取消并单: the order returns to intake (accepted) with a fresh dispatch deadline."""
    now = _now(now)
    pk = order.pk if isinstance(order, WorkOrder) else order
    link = OrderLink.objects.filter(order_id=pk, kind="merge", ended_at__isnull=True).first()
    if link is None:
        current = order if isinstance(order, WorkOrder) else WorkOrder.objects.get(pk=pk)
        _check(current, "unmerge", actor)
        raise Conflict("该工单没有并入其他工单", state=current.state)
    order, main_order = _lock_pair(pk, link.main_id)
    _check(order, "unmerge", actor)
    if not reason.strip():
        raise ValidationFailed({"reason": "请说明取消并单的理由"})
    OrderLink.objects.filter(pk=link.pk).update(ended_at=now, ended_by=actor)
    _move(order, actor, "unmerge", now, note=reason.strip(), data={"main": main_order.number})
    _open_deadline(order, dl.dispatch_deadline(now, working_calendar()))
    _event(
        main_order,
        actor,
        "unmerged_out",
        now,
        from_state=main_order.state,
        note=reason.strip(),
        data={"duplicate": order.number},
    )
    return order


# ---------------------------------------------------------------------------
# calendar changes


def recompute_provisional_deadlines(*, now: datetime | None = None) -> int:
    """Once a year's holidays are loaded, recompute every running provisional deadline and
    note it on the order's timeline.  Returns how many changed."""
    now = _now(now)
    cal = working_calendar()
    changed = 0
    ids = list(Deadline.objects.active().filter(provisional=True).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            d = Deadline.objects.select_for_update().filter(pk=pk, provisional=True).first()
            if d is None or not d.active:
                continue
            fresh = dl.recompute(_as_rule(d), cal)
            if fresh.provisional:
                continue
            old_due = d.due_at
            d.due_at = fresh.due
            d.warn_at = dl.warning_at(
                fresh.start, fresh.due, fresh.basis, cal, policy().warning_share
            )
            d.skipped = [{"day": s.day.isoformat(), "reason": s.reason} for s in fresh.skipped]
            d.provisional = False
            d.save(update_fields=["due_at", "warn_at", "skipped", "provisional"])
            order = d.order
            _event(
                order,
                None,
                "deadline_recomputed",
                now,
                from_state=order.state,
                note=f"{d.get_kind_display()}按新录入的节假日安排重新计算",
                data={
                    "deadline": d.pk,
                    "old_due": old_due.isoformat(),
                    "new_due": d.due_at.isoformat(),
                },
            )
            changed += 1
    return changed


def _as_rule(d: Deadline) -> dl.Deadline:
    from datetime import date

    from hotline.rules.calendar import SkippedDay

    return dl.Deadline(
        kind=d.kind,
        start=d.start_at,
        due=d.due_at,
        basis=d.basis,  # type: ignore[arg-type]
        amount=d.amount,
        clause=d.clause,
        rule=d.rule,
        skipped=tuple(SkippedDay(date.fromisoformat(s["day"]), s["reason"]) for s in d.skipped),
        provisional=d.provisional,
        unknown_years=tuple(),
    )


def as_rule_deadline(d: Deadline) -> dl.Deadline:
    """The rules' view of a stored deadline (for explanations)."""
    rule = _as_rule(d)
    if d.provisional:
        cal = working_calendar()
        years = sorted(
            {int(s["day"][:4]) for s in d.skipped} | {d.due_at.astimezone(SHANGHAI).year}
        )
        rule = dl.Deadline(
            **{
                **rule.__dict__,
                "unknown_years": tuple(y for y in years if y not in cal.known_years),
            }
        )
    return rule


__all__ = [name for name in globals() if name.startswith("do_")] + [
    "ActionError",
    "after_commit_hooks",
    "next_number",
    "recompute_provisional_deadlines",
]


@transaction.atomic
def do_attach(
    order: WorkOrder | int,
    actor: User | None,
    upload,
    *,
    purpose: str = "appeal",
    reply: Reply | None = None,
    now: datetime | None = None,
):
    """Store a voice, image, video or document file on the order (§6.1.2) after sniffing its
    type and checking its size.  The file is written before its row; if saving the row
    fails the file is removed again.  (A file orphaned by a later rollback of an enclosing
    transaction is harmless: nothing refers to it.)"""
    from hotline.orders import attachments
    from hotline.orders.models import Attachment

    now = _now(now)
    order = _lock(order)
    _check(order, "attach", actor)
    if actor is not None and actor.effective_role == "unit":
        _unit_scope(order, actor, lead_only=False)
    if purpose not in dict(Attachment.PURPOSES):
        raise ValidationFailed({"purpose": "附件用途无效"})
    sniffed = attachments.check(upload)
    att = Attachment(
        order=order,
        reply=reply,
        kind=sniffed.kind,
        purpose=purpose,
        original_name=(getattr(upload, "name", "") or "file")[-200:],
        content_type=sniffed.content_type,
        size=sniffed.size,
        sha256=sniffed.sha256,
        uploaded_by=actor,
        uploaded_at=now,
    )
    att.file.save(att.original_name, upload, save=False)
    try:
        att.save()
        _event(
            order,
            actor,
            "attachment",
            now,
            from_state=order.state,
            data={
                "attachment": att.pk,
                "kind": att.kind,
                "name": att.original_name,
                "purpose": purpose,
            },
        )
    except BaseException:
        att.file.storage.delete(att.file.name)
        raise
    return att
