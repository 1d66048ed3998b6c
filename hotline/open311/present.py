"""Work orders as GeoReport service requests, and the ``GET requests`` query.

What a request shows (docs/open311.md):

* ``status`` — ``closed`` once the order is closed (办结, §6.7) or not accepted (§5.3, the
  terminal states), ``open`` in every other state.
* ``status_notes`` — the public part of the reply (``Reply.public_note``, the latest answer
  not sent back for re-verification), the direct answer of a directly handled order
  (§6.7.1), or the §5.3 reason of a rejected one; never an internal note.
* ``agency_responsible`` — the lead unit (主办单位); ``expected_datetime`` — the running
  feedback (or extension) deadline (§6.4.2); ``address_id`` — the area code.
* Who sees which requests is the masking policy (``hotline.rules.masking``, viewer
  ``public``): only accepted orders in display mode ``public`` are published — drafts,
  rejected, merged and confidential orders are 404 to the public — and their free text
  (description, address, notes) is redacted by ``hotline.rules.pii`` (``scrub``): the
  citizen's own name, phone and home address, every phone number however typed, ID-card and
  bank-card numbers, e-mail addresses, names and home addresses after a cue.
* A channel client that gives its ``api_key`` (viewer ``submitter``) also sees the orders it
  sent in, in any state, unredacted.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError
from django.db.models import Prefetch, Q, QuerySet

from hotline.channels.models import ChannelClient
from hotline.open311.models import PublicText
from hotline.open311.render import w3
from hotline.orders import privacy
from hotline.orders.models import Deadline, Reply, WorkOrder
from hotline.rules import lifecycle, masking, screening

CLOSED_STATES = frozenset({"closed"}) | lifecycle.TERMINAL
DEFAULT_SPAN = timedelta(days=90)  # GeoReport v2: "a span of 90 days or first 1000 requests"
DEFAULT_LIMIT = 1000

# States never published: a channel's draft before an agent accepted it (§6.1.1), an
# appeal not accepted (§5.3), a duplicate merged into its main order (§6.6.3 c).
UNPUBLISHED_STATES = frozenset({"draft", "rejected", "merged"})


def scrub(text: str, order: WorkOrder) -> str:
    """``text`` as the public may read it (``masking`` viewer ``public``: redacted)."""
    return privacy.view_as(masking.PUBLIC, order).text(text)


def viewer_of(order: WorkOrder, client: ChannelClient | None) -> str:
    """``submitter`` for the channel client that sent ``order`` in, else ``public``."""
    if client is None:
        return masking.PUBLIC
    try:
        mine = order.channel_submission.client_id == client.pk
    except ObjectDoesNotExist:
        mine = False
    return masking.SUBMITTER if mine else masking.PUBLIC


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


def status_notes(order: WorkOrder, view: privacy.OrderView | None = None) -> str | None:
    text = (view or privacy.view_as(masking.PUBLIC, order)).text
    if order.state == "rejected":
        reason = order.not_accepted_reason
        return f"不予受理：{screening.NOT_ACCEPTED_REASONS.label(reason)}" if reason else "不予受理"
    reply = _latest_public_reply(order)
    if reply is not None:
        return text(reply.public_note)
    if order.state == "closed" and order.direct_answer:
        return text(order.direct_answer)
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


# Part of every memo key: change it when ``hotline.rules.pii`` redacts differently.
MEMO_VERSION = "1"


def _memo_key(order: WorkOrder, view: privacy.OrderView) -> str:
    known = view.known
    parts = (
        MEMO_VERSION,
        order.content or order.title,
        order.address,
        known.name,
        known.phone,
        known.address,
        known.place,
    )
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=32).hexdigest()


def public_texts(
    order: WorkOrder, view: privacy.OrderView, misses: list[PublicText] | None = None
) -> tuple[str, str]:
    """The order's description and address as ``view`` may read them.  Redacted for the
    public, they come from ``PublicText`` when its key still matches (``models``);
    otherwise they are redacted now and, if ``misses`` is given, appended there for
    ``remember`` to store."""
    if view.visibility.text != masking.REDACTED:
        return view.text(order.content or order.title), view.text(order.address)
    key = _memo_key(order, view)
    try:
        memo = order.open311_public_text  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        memo = None
    if memo is not None and memo.key == key:
        return memo.description, memo.address
    description, address = view.text(order.content or order.title), view.text(order.address)
    if misses is not None:
        misses.append(PublicText(order=order, key=key, description=description, address=address))
    return description, address


def remember(misses: list[PublicText]) -> None:
    """Store the descriptions redacted by this request (one statement; a failure only
    means they are redacted again next time)."""
    if not misses:
        return
    try:
        PublicText.objects.bulk_create(
            misses,
            update_conflicts=True,
            unique_fields=["order"],
            update_fields=["key", "description", "address"],
            batch_size=500,
        )
    except DatabaseError:
        pass


def forget(orders: list[WorkOrder], redact: Any = None) -> None:
    """Retention purge hook: the redacted descriptions go with the personal data."""
    PublicText.objects.filter(order__in=[o.pk for o in orders]).delete()


def as_request(
    order: WorkOrder,
    client: ChannelClient | None = None,
    misses: list[PublicText] | None = None,
) -> dict[str, Any]:
    """One service request, with the fields of GeoReport v2 in the spec's order, as the
    public — or, for its own submissions, the channel ``client`` — may read it.  Redacted
    texts computed here are appended to ``misses`` (see ``public_texts``)."""
    view = privacy.view_as(viewer_of(order, client), order)
    description, address = public_texts(order, view, misses)
    category = order.category
    feedback = _feedback(order) if is_open(order) else None
    return {
        "service_request_id": order.number,
        "status": "open" if is_open(order) else "closed",
        "status_notes": status_notes(order, view),
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        "description": description or None,
        "agency_responsible": order.lead_unit.name if order.lead_unit_id else None,
        "service_notice": notice(order),
        "requested_datetime": w3(order.created_at),
        "updated_datetime": w3(order.updated_at),
        "expected_datetime": w3(feedback.due_at) if feedback else None,
        "address": address or None,
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
        "category", "lead_unit", "area", "channel_submission", "open311_public_text"
    ).prefetch_related(
        Prefetch("replies", queryset=public_replies_qs(), to_attr="open311_replies"),
        Prefetch("deadlines", queryset=feedback_qs(), to_attr="open311_feedback"),
    )


def _has_submissions() -> bool:
    return any(getattr(f, "name", "") == "channel_submission" for f in WorkOrder._meta.get_fields())


def published() -> Q:
    """What the public may read (``masking`` viewer ``public``): accepted orders in a
    display mode the policy publishes, not a draft, rejected or merged."""
    modes = [m for m in masking.MODES if masking.visibility(masking.PUBLIC, m).order != "none"]
    return Q(accepted_at__isnull=False, display_mode__in=modes) & ~Q(state__in=UNPUBLISHED_STATES)


def readable(client: ChannelClient | None) -> Q:
    """The published orders, plus — for a channel client — everything it sent in."""
    if client is None:
        return published()
    return published() | Q(channel_submission__client=client)


def by_number(number: str, client: ChannelClient | None = None) -> WorkOrder | None:
    if not number:
        return None
    return base_queryset().filter(readable(client), number=number).first()


def search(
    *,
    numbers: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
    now: datetime,
    client: ChannelClient | None = None,
) -> list[WorkOrder]:
    """``GET requests``.  ``numbers`` overrides every other filter (spec).  Only what
    ``readable`` allows is ever listed: published orders (accepted — a channel's draft is
    not published before an agent has accepted it —, public display mode, not rejected or
    merged) and the ``client``'s own submissions; within ``start``/``end``
    (default: the last 90 days; one bound given, 90 days from it), newest first, at most
    1000."""
    qs = base_queryset().filter(readable(client)).order_by("-created_at", "-id")
    if numbers:
        return list(qs.filter(number__in=numbers)[:DEFAULT_LIMIT])
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
