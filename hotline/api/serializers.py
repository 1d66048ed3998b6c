"""Model → API dicts.  Personal info goes through ``queries.citizen_for`` so it is masked
or logged exactly as in the web UI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from hotline.orders import queries
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


def summary(order: WorkOrder, deadline_state: str = "") -> dict[str, Any]:
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
            "title": order.title,
            "address": order.address,
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


def detail(order: WorkOrder, user: User, now: datetime) -> dict[str, Any]:
    deadlines = queries.order_deadlines(order, now)
    citizen = queries.citizen_for(user, order, via="api:order_detail", now=now)
    out = summary(order, queries.worst_state(deadlines))
    out.update(
        content=order.content,
        area=unit_ref(order.area),
        latitude=order.latitude,
        longitude=order.longitude,
        component_type=order.component_type,
        event_time=order.event_time,
        people=order.people,
        cause=order.cause,
        course=order.course,
        demand=order.demand,
        display_mode=order.display_mode,
        citizen=citizen.__dict__,
        not_accepted_reason=order.not_accepted_reason,
        emergency_line=order.emergency_line,
        rejection_note=order.rejection_note,
        direct_answer=order.direct_answer,
        reminder_count=order.reminder_count,
        supervised_at=order.supervised_at,
        reopen_count=order.reopen_count,
        provisional=any(d.provisional and not d.superseded and d.met_at is None for d in deadlines),
        allowed_actions=queries.allowed_actions(user, order),
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
        ],
        replies=[
            {
                "id": r.pk,
                "kind": r.kind,
                "unit": r.unit.name,
                "handling_situation": r.handling_situation,
                "citizen_contact": r.citizen_contact,
                "investigation": r.investigation,
                "opinion": r.opinion,
                "no_further_reason": r.no_further_reason,
                "explanation": r.explanation,
                "public_note": r.public_note,
                "replied_at": r.replied_at,
                "verdict": r.verdict,
            }
            for r in order.replies.select_related("unit")
        ],
        callbacks=[
            {
                "id": c.pk,
                "method": c.method,
                "mode": c.mode,
                "outcome": c.outcome,
                "satisfaction": c.satisfaction,
                "resolution": c.resolution,
                "note": c.note,
                "at": c.at,
            }
            for c in order.callbacks.all()
        ],
        attachments=[
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
        extension_requests=[_request(r) for r in order.extension_requests.all()],
        suspension_requests=[_request(r) for r in order.suspension_requests.all()],
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
                "note": e.note,
                "data": e.data,
            }
            for e in order.events.select_related("unit")
        ],
    )
    return localise(out)


def _request(r) -> dict[str, Any]:
    return {
        "id": r.pk,
        "days": r.days,
        "reason": r.reason,
        "decision": r.decision,
        "requested_at": r.requested_at,
        "decided_at": r.decided_at,
    }


__all__ = ["detail", "labelled", "screening", "summary", "unit_ref", "user_out"]
