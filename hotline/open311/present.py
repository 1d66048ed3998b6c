"""Work orders as GeoReport service requests, and the ``GET requests`` query.

What a request shows (docs/open311.md):

* ``status`` — ``closed`` once the order is closed (办结, §6.7) or not accepted (§5.3, the
  terminal states), ``open`` in every other state.
* ``status_notes`` — the public part of the reply (``Reply.public_note``, the latest answer
  not sent back for re-verification), the direct answer of a directly handled order
  (§6.7.1), or the §5.3 reason of a rejected one; never an internal note.
* ``agency_responsible`` — the lead unit (主办单位); ``expected_datetime`` — the running
  feedback (or extension) deadline (§6.4.2); ``address_id`` — the area code.
* The citizen's name, phone, address, e-mail and ID numbers never appear: free text
  (description, address, notes) goes through ``scrub``, which hides the citizen's own name,
  every phone number, ID-card number and e-mail address it finds.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet

from hotline.nlp.extract import extract_phones
from hotline.open311.render import w3
from hotline.orders.models import Deadline, Reply, WorkOrder
from hotline.orders.queries import mask_name
from hotline.rules import lifecycle, screening

CLOSED_STATES = frozenset({"closed"}) | lifecycle.TERMINAL
DEFAULT_SPAN = timedelta(days=90)  # GeoReport v2: "a span of 90 days or first 1000 requests"
DEFAULT_LIMIT = 1000

_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub(text: str, order: WorkOrder) -> str:
    """``text`` without the citizen's personal data: their name (masked), phone numbers,
    ID-card numbers, e-mail addresses and their contact address (hidden)."""
    if not text:
        return text
    text = _ID_CARD.sub("[证件号已隐去]", text)
    text = _EMAIL.sub("[邮箱已隐去]", text)
    for phone in reversed(extract_phones(text)):
        text = text[: phone.start] + "[电话已隐去]" + text[phone.end :]
    name = (order.citizen_name or "").strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    phone = (order.citizen_phone or "").strip()
    if len(phone) >= 5:
        text = text.replace(phone, "[电话已隐去]")
    home = (order.citizen_address or "").strip()
    if len(home) >= 4 and home != (order.address or "").strip():
        # the contact address is personal; the place of the problem is what is reported
        text = text.replace(home, "[地址已隐去]")
    return text


def is_open(order: WorkOrder) -> bool:
    return order.state not in CLOSED_STATES


def notice(order: WorkOrder) -> str:
    """What happens next, in one line (``service_notice``)."""
    label = lifecycle.STATES.label(order.state)
    if order.state == "draft":
        return f"{label}：已收到，等待热线受理员审核受理（§6.1.1）。"
    if order.state == "rejected":
        return f"{label}（§5.3）。"
    if order.state == "closed":
        return f"{label}。"
    if order.lead_unit_id:
        return f"{label}：由{order.lead_unit.name}办理。"
    return f"{label}。"


def _latest_public_reply(order: WorkOrder) -> Reply | None:
    replies = getattr(order, "open311_replies", None)
    if replies is None:
        replies = list(public_replies_qs().filter(order=order))
    return replies[-1] if replies else None


def _feedback(order: WorkOrder) -> Deadline | None:
    rows = getattr(order, "open311_feedback", None)
    if rows is None:
        rows = list(feedback_qs().filter(order=order))
    return max(rows, key=lambda d: d.due_at) if rows else None


def status_notes(order: WorkOrder) -> str | None:
    if order.state == "rejected":
        reason = order.not_accepted_reason
        return f"不予受理：{screening.NOT_ACCEPTED_REASONS.label(reason)}" if reason else "不予受理"
    reply = _latest_public_reply(order)
    if reply is not None:
        return scrub(reply.public_note, order)
    if order.state == "closed" and order.direct_answer:
        return scrub(order.direct_answer, order)
    return None


def _media_url(order: WorkOrder) -> str | None:
    try:
        submission = order.channel_submission
    except ObjectDoesNotExist:  # not sent in by a channel client (phone intake, portal)
        return None
    extra = (submission.extra or {}).get("open311") or {}
    return extra.get("media_url") or None


def _coord(v: Any) -> float | None:
    return None if v is None else float(v)


def as_request(order: WorkOrder) -> dict[str, Any]:
    """One service request, with the fields of GeoReport v2 in the spec's order."""
    category = order.category
    feedback = _feedback(order) if is_open(order) else None
    return {
        "service_request_id": order.number,
        "status": "open" if is_open(order) else "closed",
        "status_notes": status_notes(order),
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        "description": scrub(order.content or order.title, order) or None,
        "agency_responsible": order.lead_unit.name if order.lead_unit_id else None,
        "service_notice": notice(order),
        "requested_datetime": w3(order.created_at),
        "updated_datetime": w3(order.updated_at),
        "expected_datetime": w3(feedback.due_at) if feedback else None,
        "address": scrub(order.address, order) or None,
        "address_id": order.area.code if order.area_id else None,
        "zipcode": None,
        "lat": _coord(order.latitude),
        "long": _coord(order.longitude),
        "media_url": _media_url(order),
    }


# ---------------------------------------------------------------------------
# reading


def public_replies_qs() -> QuerySet[Reply]:
    return (
        Reply.objects.exclude(verdict="reverify")
        .exclude(public_note="")
        .order_by("replied_at", "id")
    )


def feedback_qs() -> QuerySet[Deadline]:
    return Deadline.objects.active().filter(kind__in=["feedback", "extension"])


def base_queryset() -> QuerySet[WorkOrder]:
    """Orders with everything ``as_request`` reads, in a fixed number of queries."""
    return WorkOrder.objects.select_related(
        "category", "lead_unit", "area", "channel_submission"
    ).prefetch_related(
        Prefetch("replies", queryset=public_replies_qs(), to_attr="open311_replies"),
        Prefetch("deadlines", queryset=feedback_qs(), to_attr="open311_feedback"),
    )


def _has_submissions() -> bool:
    return any(getattr(f, "name", "") == "channel_submission" for f in WorkOrder._meta.get_fields())


def by_number(number: str) -> WorkOrder | None:
    return base_queryset().filter(number=number).first() if number else None


def search(
    *,
    numbers: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
    now: datetime,
) -> list[WorkOrder]:
    """``GET requests``.  ``numbers`` overrides every other filter (spec) and finds any
    order by its number.  Otherwise the list holds accepted orders only — a channel's draft
    is not published before an agent has accepted it — within ``start``/``end``
    (default: the last 90 days; one bound given, 90 days from it), newest first, at most
    1000."""
    qs = base_queryset().order_by("-created_at", "-id")
    if numbers:
        return list(qs.filter(number__in=numbers)[:DEFAULT_LIMIT])
    qs = qs.filter(accepted_at__isnull=False)
    if start is None and end is None:
        end = now
    if start is None:
        start = end - DEFAULT_SPAN  # type: ignore[operator]
    if end is None:
        end = start + DEFAULT_SPAN
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    wanted = set(statuses or ())
    if wanted == {"closed"}:
        qs = qs.filter(state__in=CLOSED_STATES)
    elif wanted == {"open"}:
        qs = qs.exclude(state__in=CLOSED_STATES)
    return list(qs[:DEFAULT_LIMIT])
