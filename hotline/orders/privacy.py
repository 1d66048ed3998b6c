"""The one Django helper of the masking policy (``hotline.rules.masking``): who the viewer
is to an order, what they see of it, which orders their search may match, and the
personal-info access log.

Every surface goes through here — API serializers, workbench pages, exports, the timeline,
search and filters, notifications, Open311, the portal, hotspots:

* ``view_for(user, order)`` → an ``OrderView``: the citizen block (``citizen``), every free
  text as the viewer may read it (``text``), which replies, events and assignments a former
  unit keeps (its own part), the timeline's data with citizen changes masked;
* ``visible_orders(user)`` / ``former_orders(user)`` — what a user lists, and what a former
  unit may still open as a read-only summary;
* ``citizen_search(qs, user, phone=…, name=…, text=…)`` and ``text_match_q`` — a unit's
  search or filter by phone or name never matches the citizen fields of a confidential
  order (for i20's indexed search box too);
* ``log_access`` — one ``PersonalInfoAccess`` row per unmasked view or export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from hotline import clock
from hotline.orders import fulltext
from hotline.orders.models import Assignment, PersonalInfoAccess, WorkOrder
from hotline.org.models import Unit, User
from hotline.rules import masking, pii

CENTRE_ROLES = masking.CENTRE_ROLES
CITIZEN_FIELDS = ("citizen_name", "citizen_phone", "citizen_address")
# Free texts of an order that may carry personal data the citizen or a unit typed in.
ORDER_TEXTS = ("title", "content", "people", "cause", "course", "demand", "direct_answer")


# ---------------------------------------------------------------------------
# who the viewer is


def unit_scope(user: User) -> QuerySet[Unit]:
    """The user's unit and the units below it (a parent unit acts for its sub-units)."""
    if user.effective_role != "unit" or not user.unit_id:
        return Unit.objects.none()
    return Unit.objects.filter(path__startswith=user.unit.path)


def relation(user: User, order: WorkOrder) -> str:
    """The viewer row of ``hotline.rules.masking`` for a staff user and an order."""
    role = user.effective_role
    if role in CENTRE_ROLES:
        return masking.CENTRE
    if role != "unit" or not user.unit_id:
        return masking.UNRELATED
    rows: dict[object, list[masking.AssignmentFact]] = defaultdict(list)
    for unit_id, role_, ended_at, reason in (
        Assignment.objects.filter(order=order, unit__in=unit_scope(user))
        .order_by("id")
        .values_list("unit_id", "role", "ended_at", "end_reason")
    ):
        rows[unit_id].append(masking.AssignmentFact(role_, ended_at is not None, reason))
    return masking.relation_of(rows)


def _held_by(units: QuerySet[Unit]) -> Exists:
    """Orders whose latest assignment row of some unit in ``units`` was not ended by 退单 or
    改派 (``masking.relation_of``, in SQL): the unit still holds or completed it."""
    taken_later = Assignment.objects.filter(
        order=OuterRef("order"),
        unit=OuterRef("unit"),
        id__gte=OuterRef("id"),
        end_reason__in=masking.TAKEN_AWAY,
    )
    return Exists(
        Assignment.objects.filter(order=OuterRef("pk"), unit__in=units).exclude(Exists(taken_later))
    )


def visible_orders(user: User) -> QuerySet[WorkOrder]:
    """Orders ``user`` lists and opens in full.  Centre staff see all; a handling-unit user
    sees the orders its unit (or a unit below it) leads, co-handles or completed (SPEC §1) —
    not those it returned or lost to a re-dispatch (``former_orders``)."""
    qs = WorkOrder.objects.all()
    role = user.effective_role
    if role in CENTRE_ROLES:
        return qs
    if role == "unit" and user.unit_id:
        return qs.filter(_held_by(unit_scope(user)))
    return qs.none()


def former_orders(user: User) -> QuerySet[WorkOrder]:
    """Orders a unit once had and no longer holds: it may open them only as a read-only
    summary of its own part (docs/privacy.md)."""
    if user.effective_role != "unit" or not user.unit_id:
        return WorkOrder.objects.none()
    units = unit_scope(user)
    return WorkOrder.objects.filter(
        Exists(Assignment.objects.filter(order=OuterRef("pk"), unit__in=units))
    ).exclude(_held_by(units))


# ---------------------------------------------------------------------------
# what the viewer sees


@dataclass(frozen=True)
class Citizen:
    """The citizen block as one viewer sees it.  ``masked`` when anything is not as
    stored; ``hidden`` when nothing of it may be shown (a former unit)."""

    name: str
    phone: str
    address: str
    masked: bool
    hidden: bool = False


def _field(value: str, form: str, mask) -> str:
    if form == masking.FULL:
        return value
    if form == masking.MASKED:
        return mask(value)
    return ""


@dataclass
class OrderView:
    """How one viewer sees one order: the policy row applied to its fields and texts."""

    order: WorkOrder
    viewer: str
    visibility: masking.Visibility
    scope: frozenset[int] = frozenset()
    known: pii.Known = field(default_factory=pii.Known)

    @property
    def own_part(self) -> bool:
        """A former unit's read-only summary: its own assignments, events, replies and
        requests; no citizen, no appeal text, no other unit's reply."""
        return self.visibility.order == masking.OWN_PART

    @property
    def masked(self) -> bool:
        return not self.visibility.sees_citizen

    @property
    def access(self) -> str:
        """``full``, ``masked`` or ``own_part`` — what the API tells a client."""
        return "own_part" if self.own_part else ("masked" if self.masked else "full")

    @property
    def citizen(self) -> Citizen:
        v, o = self.visibility, self.order
        return Citizen(
            _field(o.citizen_name, v.name, pii.mask_name),
            _field(o.citizen_phone, v.phone, pii.mask_phone),
            _field(o.citizen_address, v.address, lambda s: ""),
            masked=v.unmasked != CITIZEN_FIELDS,
            hidden=v.name == v.phone == v.address == masking.HIDDEN,
        )

    def text(self, value: str | None) -> str:
        """A free text of the order (or of its replies, notes, timeline) as this viewer may
        read it: the original, or with personal data masked (staff) or redacted (public)."""
        if not value:
            return value or ""
        form = self.visibility.text
        if form == masking.ORIGINAL:
            return value
        style: pii.Style = "redact" if form == masking.REDACTED else "partial"
        return pii.mask_text(value, style=style, known=self.known)

    def mine(self, unit_id: int | None) -> bool:
        return unit_id is not None and unit_id in self.scope

    def keeps(self, unit_id: int | None) -> bool:
        """Whether a row written by or for ``unit_id`` (a reply, an event, an assignment,
        a request) is shown: everything, except to a former unit, which keeps its own."""
        return not self.own_part or self.mine(unit_id)

    def own_deadline_ids(self) -> set[int]:
        """The deadlines of this viewer's own assignments (a former unit's summary)."""
        rows = self.order.deadlines.filter(assignment__unit__in=self.scope)
        return set(rows.values_list("pk", flat=True))

    def event_data(self, data: dict[str, Any]) -> dict[str, Any]:
        """A timeline event's data: the old and new values of a changed citizen field in
        the viewer's form (a unit on a confidential order sees 139****5555 → 138****1234),
        every other text masked like the order's."""
        if not self.masked or not data:
            return data
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key == "changes" and isinstance(value, dict):
                out[key] = {name: self._change(name, pair) for name, pair in value.items()}
            else:
                out[key] = self._value(value)
        return out

    def _change(self, name: str, pair: Any) -> Any:
        forms = {
            "citizen_name": (self.visibility.name, pii.mask_name),
            "citizen_phone": (self.visibility.phone, pii.mask_phone),
            "citizen_address": (self.visibility.address, lambda s: ""),
        }
        if name in forms and isinstance(pair, list):
            form, mask = forms[name]
            return [_field(v or "", form, mask) if isinstance(v, str) else v for v in pair]
        return self._value(pair)

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._value(v) for v in value]
        if isinstance(value, dict):
            return {k: self._value(v) for k, v in value.items()}
        return value

    def personal_fields_shown(self) -> list[str]:
        """What this view shows of the citizen as stored, for the access log: the citizen
        fields that are not empty, and ``text`` when an order text holds personal data."""
        shown = [f for f in self.visibility.unmasked if getattr(self.order, f, "")]
        if self.visibility.text == masking.ORIGINAL and any(
            pii.contains_personal_data(getattr(self.order, f, "") or "") for f in ORDER_TEXTS
        ):
            shown.append("text")
        return shown


def view_as(viewer: str, order: WorkOrder, scope: Iterable[int] = ()) -> OrderView:
    """The view of a viewer row that is not a staff user (public, submitter, citizen), or of
    a staff relation already known."""
    return OrderView(
        order,
        viewer,
        masking.visibility(viewer, order.display_mode),
        frozenset(scope),
        pii.Known.of(order),
    )


def list_view(user: User | None, order: WorkOrder) -> OrderView:
    """How a list row shows ``order`` to ``user`` without a query per row.  Lists hold the
    orders a user holds (``visible_orders``), so a unit is the lead or a co-unit there; a
    list without a user shows what a unit would see."""
    if user is not None and user.effective_role in CENTRE_ROLES:
        return view_as(masking.CENTRE, order)
    return view_as(masking.LEAD, order)


def titles_for(user: User, orders: Iterable[WorkOrder]) -> dict[int, str]:
    """Each order's title as ``user`` may read it, in two queries for any number of orders
    that may include ones the user's unit no longer holds (an assessment drill-down): those
    are redacted like a former unit's summary."""
    orders = list(orders)
    if user.effective_role in CENTRE_ROLES:
        return {o.pk: o.title for o in orders}
    held = set(
        visible_orders(user).filter(pk__in=[o.pk for o in orders]).values_list("pk", flat=True)
    )
    return {
        o.pk: view_as(masking.LEAD if o.pk in held else masking.FORMER, o).text(o.title)
        for o in orders
    }


def view_for(user: User, order: WorkOrder) -> OrderView:
    """How ``user`` sees ``order``."""
    viewer = relation(user, order)
    scope = unit_scope(user).values_list("pk", flat=True) if viewer != masking.CENTRE else []
    return view_as(viewer, order, scope)


def unit_text(order: WorkOrder, text: str) -> str:
    """A text about ``order`` sent to a handling unit (SMS, in-system notices): masked as
    the order's lead unit would see it."""
    return view_as(masking.LEAD, order).text(text)


# ---------------------------------------------------------------------------
# search and filters


def searchable_modes(user: User | None) -> list[str] | None:
    """The display modes of orders whose citizen fields ``user`` may search (None: all).
    From the policy: the modes in which every handling unit sees the citizen as stored.
    Without a user, the strictest answer."""
    if user is not None and user.effective_role in CENTRE_ROLES:
        return None
    return [
        mode
        for mode in masking.MODES
        if all(masking.visibility(v, mode).sees_citizen for v in (masking.LEAD, masking.CO))
    ]


def _modes_q(modes: list[str] | None) -> Q:
    return Q() if modes is None else Q(display_mode__in=modes)


def text_match_q(user: User | None, term: str, match: Q) -> Q:
    """Wrap a free-text match (``match``: title/content/address contains ``term``, or an
    index lookup) so that a unit never finds a confidential order through personal data:
    on such orders a term that could probe it (digits, ``@``, Chinese numerals — see
    ``pii.looks_personal``) or that is part of the citizen's name or home address does not
    match.  Centre staff match everything."""
    modes = searchable_modes(user)
    if modes is None:
        return match
    open_modes = Q(display_mode__in=modes)
    if pii.looks_personal(term):
        return match & open_modes
    in_citizen = Q(citizen_name__icontains=term) | Q(citizen_address__icontains=term)
    return match & (open_modes | ~in_citizen)


def citizen_search(
    qs: QuerySet[WorkOrder],
    user: User | None,
    *,
    phone: str | None = None,
    name: str | None = None,
    text: str | None = None,
    indexed: bool = True,
) -> QuerySet[WorkOrder]:
    """The one rule for searching by the citizen: ``phone`` and ``name`` match the citizen
    fields, ``text`` the order number exactly or the title, content and address.  A unit's
    search or filter by phone or name never matches the citizen fields of a confidential
    order (§6.1.6) — otherwise 421 requests recover a masked phone."""
    modes = searchable_modes(user)
    if phone:
        qs = qs.filter(_modes_q(modes), citizen_phone=phone.strip())
    if name:
        qs = qs.filter(_modes_q(modes), citizen_name=name.strip())
    if text:
        qs = text_search(qs, user, text, indexed=indexed)
    return qs


def text_search(
    qs: QuerySet[WorkOrder], user: User | None, text: str, *, indexed: bool = True
) -> QuerySet[WorkOrder]:
    """The search box: an order number or a phone number is looked up by its index alone;
    anything else goes to the bigram full-text index (``hotline.orders.fulltext``), each
    term under ``text_match_q``'s rule for confidential orders."""
    kind, value = fulltext.classify(text)
    if kind == "number":
        return qs.filter(number=value)
    if kind == "phone":
        digits = value.replace("-", "")
        return qs.filter(_modes_q(searchable_modes(user)), citizen_phone__in={value, digits})
    if kind == "":
        return qs
    for term in fulltext.terms(value):
        qs = qs.filter(text_match_q(user, term, fulltext.term_match(term, indexed=indexed)))
    return qs


# ---------------------------------------------------------------------------
# the access log


def log_access(
    user: User | None,
    order: WorkOrder,
    fields: Iterable[str],
    *,
    via: str,
    purpose: str = "",
    now: datetime | None = None,
) -> PersonalInfoAccess | None:
    """One row per unmasked view or export of ``order``'s personal data (PIPL Art. 51,
    SPEC §2): who, when, which fields, through which page or endpoint, for what purpose."""
    shown = list(fields)
    if not shown:
        return None
    role = user.effective_role if user is not None else ""
    return PersonalInfoAccess.objects.create(
        order=order,
        user=user,
        role=role,
        at=now or clock.now(),
        via=via[:100],
        fields=shown,
        purpose=purpose or masking.purpose_for_role(role),
    )


def seen_by(user: User, order: WorkOrder, *, via: str, now: datetime | None = None) -> OrderView:
    """``view_for`` plus the access-log row when the view shows personal data unmasked:
    what every page and endpoint that shows one order calls."""
    view = view_for(user, order)
    log_access(user, order, view.personal_fields_shown(), via=via, now=now)
    return view


def log_export(
    user: User,
    orders: Iterable[WorkOrder],
    fields: list[str],
    *,
    via: str,
    purpose: str,
    now: datetime | None = None,
) -> int:
    """One access-log row per exported order (an export of personal data)."""
    now = now or clock.now()
    rows = [
        PersonalInfoAccess(
            order=o,
            user=user,
            role=user.effective_role,
            at=now,
            via=via[:100],
            fields=fields,
            purpose=purpose,
        )
        for o in orders
    ]
    PersonalInfoAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# ---------------------------------------------------------------------------
# reading the access log (admin, ``/api/v1/privacy/access-log``)

AUDIT_ROLES = frozenset({"admin", "leader"})


def access_log(
    *,
    user: str | int | None = None,
    order: str | None = None,
    via: str | None = None,
    purpose: str | None = None,
    role: str | None = None,
    field: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[PersonalInfoAccess]:
    """The access log, newest first, filtered: ``user`` (id or username), ``order``
    (number), ``via`` (prefix, e.g. ``api:``), ``purpose``, ``role``, ``field`` (one of
    the logged fields), ``start`` ≤ at < ``end``."""
    qs = PersonalInfoAccess.objects.select_related("user", "order").order_by("-at", "-id")
    if user not in (None, ""):
        qs = qs.filter(user_id=int(user)) if str(user).isdigit() else qs.filter(user__username=user)
    if order:
        qs = qs.filter(order__number=order)
    if via:
        qs = qs.filter(via__startswith=via)
    if purpose:
        qs = qs.filter(purpose=purpose)
    if role:
        qs = qs.filter(role=role)
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
    if field:
        # JSON containment is not portable to SQLite; the list is short, so match its text
        qs = qs.filter(fields__icontains=f'"{field}"')
    return qs


def access_row(row: PersonalInfoAccess) -> dict[str, Any]:
    """One log row as the API and the exports show it."""
    return {
        "id": row.pk,
        "at": row.at,
        "user": (
            {"id": row.user_id, "username": row.user.username, "name": row.user.display_name}
            if row.user_id
            else None
        ),
        "role": row.role,
        "order": row.order.number,
        "via": row.via,
        "purpose": {"code": row.purpose, "label": masking.PURPOSES.label(row.purpose)}
        if row.purpose
        else None,
        "fields": list(row.fields or []),
    }
