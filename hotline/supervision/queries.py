"""Reads for supervisors (§6.5): the board of late orders, counts per unit, one order's
supervision status.  Lights are derived at ``now`` from the running deadlines, never
stored."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q
from django.db.models.functions import Coalesce

from hotline.orders import queries as oq
from hotline.orders.models import Deadline, WorkOrder
from hotline.org.models import Unit
from hotline.rules import deadlines as dl
from hotline.rules import ladder as rl
from hotline.rules import lifecycle, taxonomy
from hotline.supervision import sweep
from hotline.supervision.ladders import Ladders, contacts, ladder_inputs, track_of
from hotline.supervision.models import Message, SupervisionRecord

LIGHTS = ("attention", "overdue", "warning", "normal", "all")
RANK = {"normal": 0, "warning": 1, "overdue": 2}
CENTRE_LABEL = "12345热线中心（审核派转、回访）"


def board_queryset(
    now: datetime,
    *,
    light: str = "attention",
    unit: str | None = None,
    emergency: bool | None = None,
    kind: str | None = None,
    sort: str = "due",
):
    """Orders with running deadlines, filtered by light and unit, most urgent first.

    ``attention`` (the default) is yellow or red; ``sort`` is ``due`` (red first, then
    the earliest running deadline), ``age`` (accepted longest ago first) or ``unit``."""
    active = Deadline.objects.active()
    if kind:
        active = active.filter(kind=kind)
    qs = WorkOrder.objects.filter(state__in=lifecycle.OPEN)
    if light == "attention":
        qs = qs.filter(pk__in=active.filter(warn_at__lte=now).values("order_id"))
    elif light == "all":
        qs = qs.filter(pk__in=active.values("order_id"))
    else:
        qs = oq.filter_orders(qs, {"deadline_state": light}, now)
        if kind:
            qs = qs.filter(pk__in=active.values("order_id"))
    params: dict[str, Any] = {}
    if unit:
        params["unit"] = unit
    if emergency:
        params["emergency"] = True
    qs = oq.filter_orders(qs, params, now) if params else qs
    mine = active.filter(order=OuterRef("pk"))
    qs = qs.annotate(
        late=Exists(mine.filter(due_at__lte=now)),
        next_due_at=Min(
            "deadlines__due_at",
            filter=Q(deadlines__met_at__isnull=True, deadlines__superseded_at__isnull=True),
        ),
    ).select_related("lead_unit")
    order_by = {
        "due": ["-late", "next_due_at", "pk"],
        "age": ["accepted_at", "created_at", "pk"],
        "unit": ["lead_unit__path", "-late", "next_due_at", "pk"],
    }[sort]
    return qs.order_by(*order_by)


def board_rows(orders: list[WorkOrder], now: datetime) -> list[dict[str, Any]]:
    """One row per order: lights, running deadlines, reminders, ladder position and the
    suggested next rung — a fixed number of queries for the whole page."""
    ids = [o.pk for o in orders]
    deadlines: dict[int, list] = defaultdict(list)
    for d in (
        Deadline.objects.active()
        .filter(order_id__in=ids)
        .select_related("assignment__unit")
        .order_by("due_at")
    ):
        deadlines[d.order_id].append(d)
    ladders = Ladders.load()
    dls, taken = ladder_inputs(ids)
    last_record = {}
    for r in SupervisionRecord.objects.filter(order_id__in=ids).order_by("at", "pk"):
        last_record[r.order_id] = r
    rows = []
    for o in orders:
        views = [oq.deadline_view(d, now) for d in deadlines[o.pk]]
        light = oq.worst_state(views)
        overdue_since = min((v.due_at for v in views if v.state == "overdue"), default=None)
        plan = ladders.plan(o, dls[o.pk], taken[o.pk], now)
        rows.append(
            {
                "number": o.number,
                "title": o.title,
                "state": {"code": o.state, "label": o.state_label},
                "urgency": {"code": o.urgency, "label": taxonomy.URGENCY.label(o.urgency)},
                "emergency": o.is_emergency,
                "lead_unit": _unit(o.lead_unit),
                "light": light,
                "light_label": dl.DEADLINE_STATES.label(light) if light else "",
                "next_due_at": getattr(o, "next_due_at", None),
                "overdue_minutes": int((now - overdue_since).total_seconds() // 60)
                if overdue_since
                else 0,
                "age_hours": round(
                    (now - (o.accepted_at or o.created_at)).total_seconds() / 3600, 1
                ),
                "reminder_count": o.reminder_count,
                "supervised_at": o.supervised_at,
                "deadlines": [_deadline(v) for v in views],
                "last_step": _record(last_record.get(o.pk)),
                "next_step": plan_out(plan, o, now, with_contacts=False),
            }
        )
    return rows


def _unit(u: Unit | None) -> dict[str, Any] | None:
    return {"id": u.pk, "code": u.code, "name": u.name} if u else None


def _deadline(v: oq.DeadlineView) -> dict[str, Any]:
    return {
        "id": v.id,
        "kind": v.kind,
        "label": v.label,
        "unit": v.unit,
        "due_at": v.due_at,
        "warn_at": v.warn_at,
        "state": v.state,
        "state_label": v.state_label,
        "remaining": v.remaining,
        "clause": v.clause,
    }


def _record(r: SupervisionRecord | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "id": r.pk,
        "method": r.method,
        "method_label": taxonomy.SUPERVISION_METHODS.label(r.method),
        "other_form": r.other_form,
        "at": r.at,
        "by": r.by.display_name if r.by_id else "系统",
        "target": r.target,
        "content": r.content,
        "result": r.result,
        "effective": r.effective,
    }


def plan_out(
    plan: rl.Plan | None, order: WorkOrder, now: datetime, *, with_contacts: bool = True
) -> dict[str, Any] | None:
    if plan is None:
        return None
    out: dict[str, Any] = {
        "key": plan.key,
        "position": plan.position + 1,
        "round": plan.round,
        "method": plan.step.method,
        "other_form": plan.step.other_form,
        "label": plan.step.label,
        "automatic": plan.step.automatic,
        "due_at": plan.due_at,
        "is_due": plan.is_due(now),
        "reason": plan.reason,
    }
    if with_contacts:
        out["contacts"] = contacts(order, plan.step)
    return out


def unit_counts(now: datetime, *, unit: str | None = None) -> list[dict[str, Any]]:
    """Orders in warning and overdue per responsible unit: the unit a sign-for deadline was
    given to, the lead unit for feedback, extension and hang-up; the centre itself for its
    dispatch and callback deadlines.  An order counts once per unit, by its worst light."""
    rows = (
        Deadline.objects.active()
        .filter(warn_at__lte=now)
        .annotate(
            responsible=Coalesce("assignment__unit_id", "order__lead_unit_id"),
        )
        .values_list("order_id", "responsible", "kind", "due_at")
    )
    worst: dict[tuple[int | None, int], int] = {}
    for order_id, responsible, kind, due in rows:
        if kind in sweep.CENTRE_OWNER:
            responsible = None
        rank = RANK["overdue"] if due <= now else RANK["warning"]
        key = (responsible, order_id)
        worst[key] = max(worst.get(key, 0), rank)
    counts: dict[int | None, dict[str, int]] = defaultdict(lambda: {"warning": 0, "overdue": 0})
    for (responsible, _), rank in worst.items():
        counts[responsible]["overdue" if rank == RANK["overdue"] else "warning"] += 1
    units = Unit.objects.in_bulk([u for u in counts if u is not None])
    scope = None
    if unit:
        scope = (
            Unit.objects.filter(pk=unit).first()
            if str(unit).isdigit()
            else Unit.objects.filter(code=unit).first()
        )
        if scope is None:
            return []
    out = []
    for uid, c in counts.items():
        u = units.get(uid) if uid is not None else None
        if scope is not None and (u is None or not u.path.startswith(scope.path)):
            continue
        out.append(
            {
                "unit": _unit(u),
                "unit_name": u.name if u else CENTRE_LABEL,
                "warning": c["warning"],
                "overdue": c["overdue"],
            }
        )
    out.sort(key=lambda r: (-r["overdue"], -r["warning"], r["unit_name"]))
    return out


def order_status(order: WorkOrder, now: datetime) -> dict[str, Any]:
    """Everything a supervisor needs on one order (§6.5): lights, reminders, the steps
    taken, where the order stands on its ladder, the suggested next rung with the people to
    contact, and the messages sent about it."""
    ladders = Ladders.load()
    track = track_of(order)
    dls, taken = ladder_inputs([order.pk])
    plan = ladders.plan(order, dls[order.pk], taken[order.pk], now)
    at = rl.position(ladders.steps.get(track, []), taken[order.pk])
    views = oq.order_deadlines(order, now)
    return {
        "number": order.number,
        "title": order.title,
        "state": {"code": order.state, "label": order.state_label},
        "emergency": order.is_emergency,
        "lead_unit": _unit(order.lead_unit),
        "light": oq.worst_state(views),
        "deadlines": [_deadline(v) for v in views if not v.superseded and v.met_at is None],
        "reminder_count": order.reminder_count,
        "supervised_at": order.supervised_at,
        "reminders": [
            {
                "id": r.pk,
                "at": r.at,
                "by": r.by.display_name if r.by_id else "系统",
                "contact_name": r.contact_name,
                "contact_phone": r.contact_phone,
                "result": r.result,
                "answered": r.answered,
            }
            for r in order.reminders.select_related("by")
        ],
        "records": [_record(r) for r in order.supervision_records.select_related("by")],
        "track": track,
        "ladder": [
            {
                "position": i + 1,
                "label": s.label,
                "method": s.method,
                "automatic": s.automatic,
                "after_minutes": int(s.after.total_seconds() // 60),
                "repeat_minutes": int(s.repeat.total_seconds() // 60) if s.repeat else None,
                "reached": i <= at.position,
            }
            for i, s in enumerate(ladders.steps.get(track, []))
        ],
        "cycle": at.cycle,
        "next_step": plan_out(plan, order, now),
        "messages": [
            message_out(m) for m in Message.objects.filter(order=order).order_by("created_at", "pk")
        ],
    }


def message_out(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk,
        "key": m.key,
        "channel": m.channel,
        "to": m.to,
        "to_name": m.to_name,
        "order": m.order.number if m.order_id else None,
        "kind": m.kind,
        "subject": m.subject,
        "body": m.body,
        "state": m.state,
        "state_label": m.get_state_display(),
        "attempts": m.attempts,
        "next_attempt_at": m.next_attempt_at,
        "last_error": m.last_error,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
        "dead_at": m.dead_at,
    }
