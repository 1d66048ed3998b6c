"""What a citizen may see of their own order (the portal's tracking page, the channel API's
status and tracking, Open311): the steps, the unit's public answer — never a note, a staff
name or anyone's personal data."""

from __future__ import annotations

from hotline.orders.models import Reply, WorkOrder

PUBLIC_STEPS = {
    "submit_draft": "诉求已提交",
    "create": "热线已受理",
    "accept": "热线已受理",
    "reject": "不予受理",
    "recorded_rejected": "不予受理",
    "direct_close": "已答复并办结",
    "dispatch": "已派转承办单位办理",
    "sign": "承办单位已签收",
    "reply": "承办单位已答复",
    "no_further_handling": "承办单位已作出说明",
    "record_callback": "热线已回访",
    "close": "已办结",
    "reopen": "重新办理",
}


def track_lookup(number: str, phone: str) -> WorkOrder | None:
    """The order with this number AND the phone given at submission, else None (a wrong
    pair and an unknown number look the same).  Used by the portal and the channel API."""
    number, phone = (number or "").strip(), (phone or "").strip()
    if not number or not phone:
        return None
    return (
        WorkOrder.objects.select_related("lead_unit")
        .filter(number=number, citizen_phone=phone)
        .exclude(citizen_phone="")
        .first()
    )


def public_timeline(order: WorkOrder) -> list[dict]:
    """The steps a citizen sees: what happened and when, with the unit's name for dispatch —
    never a note, a staff name or anyone's personal data."""
    out = []
    for e in order.events.select_related("unit").order_by("at", "id"):
        label = PUBLIC_STEPS.get(e.action)
        if not label:
            continue
        unit = e.unit.name if e.action in ("dispatch", "sign", "reply") and e.unit_id else ""
        out.append({"at": e.at, "label": label, "unit": unit})
    return out


def public_replies(order: WorkOrder) -> list[Reply]:
    """Answers fit for the citizen (``public_note``), except one sent back for re-verification."""
    return list(
        order.replies.exclude(verdict="reverify").exclude(public_note="").select_related("unit")
    )
