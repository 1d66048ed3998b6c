"""Model → API dicts.  Every order goes through ``privacy.seen_by`` (the masking policy):
the citizen block, every free text and the timeline are what the viewer may see, a former
unit gets the summary of its own part, and an unmasked view is logged — exactly as in the
web UI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from hotline.orders import privacy, queries
from hotline.orders.models import WorkOrder
from hotline.org.models import User
from hotline.rules import lifecycle, screening, taxonomy
from hotline.rules.calendar import SHANGHAI


def localise(obj: Any) -> Any:
    """Datetimes leave the API in Asia/Shanghai (``+08:00``): what people read and compare
    with the wall clock; the instant is the same as the stored UTC one."""
    if isinstance(obj, datetime):
        return obj.astimezone(SHANGHAI)
    if isinstance(obj, dict):
        return {k: localise(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [localise(v) for v in obj]
    return obj


def labelled(vocab, code: str) -> dict[str, str] | None:
    return {"code": code, "label": vocab.label(code)} if code else None


def unit_ref(unit) -> dict[str, Any] | None:
    return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit else None


def user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.display_name,
        "role": user.effective_role,
        "role_label": user.role_label,
        "unit_id": user.unit_id,
        "unit_name": user.unit.name if user.unit_id else None,
    }


def summary(
    order: WorkOrder, deadline_state: str = "", view: privacy.OrderView | None = None
) -> dict[str, Any]:
    """One order in a list.  The title goes through the viewer's ``view`` (lists pass one
    built from the list's policy, ``list_view``)."""
    text = view.text if view is not None else (lambda s: s)
    return localise(
        {
            "number": order.number,
            "state": labelled(lifecycle.STATES, order.state),
            "channel": labelled(taxonomy.CHANNELS, order.channel),
            "appeal_type": labelled(taxonomy.APPEAL_TYPES, order.appeal_type),
            "domain": labelled(taxonomy.DOMAINS, order.domain),
            "category": {"code": order.category.code, "label": order.category.name}
            if order.category_id
            else None,
            "title": text(order.title),
            "address": text(order.address),
            "urgency": labelled(taxonomy.URGENCY, order.urgency),
            "emergency": order.is_emergency,
            "emergency_kind": order.emergency_kind,
            "lead_unit": unit_ref(order.lead_unit),
            "created_at": order.created_at,
            "accepted_at": order.accepted_at,
            "dispatched_at": order.dispatched_at,
            "closed_at": order.closed_at,
            "deadline_state": deadline_state,
        }
    )


list_view = privacy.list_view


def detail(order: WorkOrder, user: User, now: datetime) -> dict[str, Any]:
    view = privacy.seen_by(user, order, via="api:order_detail", now=now)
    text = view.text
    own = view.own_part
    deadlines = queries.order_deadlines(order, now)
    if own:
        mine = view.own_deadline_ids()
        deadlines = [d for d in deadlines if d.id in mine]
    out = summary(order, queries.worst_state(deadlines), view)
    out.update(
        access=view.access,
        content="" if own else text(order.content),
        area=unit_ref(order.area),
        latitude=order.latitude,
        longitude=order.longitude,
        component_type=order.component_type,
        event_time="" if own else text(order.event_time),
        people="" if own else text(order.people),
        cause="" if own else text(order.cause),
        course="" if own else text(order.course),
        demand="" if own else text(order.demand),
        display_mode=order.display_mode,
        citizen={
            k: v for k, v in view.citizen.__dict__.items() if k in ("name", "phone", "address")
        }
        | {"masked": view.citizen.masked},
        not_accepted_reason=order.not_accepted_reason,
        emergency_line=order.emergency_line,
        rejection_note="" if own else text(order.rejection_note),
        direct_answer="" if own else text(order.direct_answer),
        reminder_count=order.reminder_count,
        supervised_at=order.supervised_at,
        reopen_count=order.reopen_count,
        provisional=any(d.provisional and not d.superseded and d.met_at is None for d in deadlines),
        allowed_actions=[] if own else queries.allowed_actions(user, order),
        deadlines=[d.__dict__ for d in deadlines],
        assignments=[
            {
                "id": a.pk,
                "unit": unit_ref(a.unit),
                "role": a.role,
                "dispatched_at": a.dispatched_at,
                "signed_at": a.signed_at,
                "ended_at": a.ended_at,
                "end_reason": a.end_reason,
            }
            for a in order.assignments.select_related("unit")
            if view.keeps(a.unit_id)
        ],
        replies=[
            {
                "id": r.pk,
                "kind": r.kind,
                "unit": r.unit.name,
                "handling_situation": text(r.handling_situation),
                "citizen_contact": text(r.citizen_contact),
                "investigation": text(r.investigation),
                "opinion": text(r.opinion),
                "no_further_reason": r.no_further_reason,
                "explanation": text(r.explanation),
                "public_note": text(r.public_note),
                "replied_at": r.replied_at,
                "verdict": r.verdict,
            }
            for r in order.replies.select_related("unit")
            if view.keeps(r.unit_id)
        ],
        callbacks=[]
        if own
        else [
            {
                "id": c.pk,
                "method": c.method,
                "mode": c.mode,
                "outcome": c.outcome,
                "satisfaction": c.satisfaction,
                "resolution": c.resolution,
                "note": text(c.note),
                "at": c.at,
            }
            for c in order.callbacks.all()
        ],
        attachments=[]
        if own
        else [
            {
                "id": a.pk,
                "kind": a.kind,
                "purpose": a.purpose,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "uploaded_at": a.uploaded_at,
                "url": reverse(
                    "api-1:attachment_download",
                    kwargs={"number": order.number, "attachment_id": a.pk},
                ),
            }
            for a in order.attachments.all()
        ],
        extension_requests=[
            _request(r, text) for r in order.extension_requests.all() if view.keeps(r.unit_id)
        ],
        suspension_requests=[
            _request(r, text) for r in order.suspension_requests.all() if view.keeps(r.unit_id)
        ],
        timeline=[
            {
                "id": e.pk,
                "at": e.at,
                "actor": e.actor_name,
                "actor_role": e.actor_role,
                "unit": e.unit.name if e.unit_id else None,
                "action": e.action,
                "action_label": e.action_label,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": text(e.note),
                "data": view.event_data(e.data),
            }
            for e in order.events.select_related("unit")
            if view.keeps(e.unit_id)
        ],
    )
    return localise(out)


def _request(r, text) -> dict[str, Any]:
    return {
        "id": r.pk,
        "days": r.days,
        "reason": text(r.reason),
        "decision": r.decision,
        "requested_at": r.requested_at,
        "decided_at": r.decided_at,
    }


__all__ = ["detail", "labelled", "screening", "summary", "unit_ref", "user_out"]
