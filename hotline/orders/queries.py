"""Reading work orders: who may see which (``privacy``), deadline lights, list filters.
Pure reads; changes live in ``actions``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from hotline import clock
from hotline.calendars.services import working_calendar
from hotline.orders import fulltext, guards, privacy
from hotline.orders.actions import as_rule_deadline, policy
from hotline.orders.errors import ActionError, from_rules
from hotline.orders.models import Deadline, WorkOrder
from hotline.org.models import Unit, User
from hotline.rules import deadlines as dl
from hotline.rules import lifecycle, pii

CENTRE_ROLES = privacy.CENTRE_ROLES
# Who may see what of an order lives in ``hotline.orders.privacy`` (the masking policy of
# ``hotline.rules.masking``); these names stay here for the readers that import them.
visible_orders = privacy.visible_orders
former_orders = privacy.former_orders
mask_name = pii.mask_name
mask_phone = pii.mask_phone
Citizen = privacy.Citizen


def can_see(user: User, order: WorkOrder) -> bool:
    return visible_orders(user).filter(pk=order.pk).exists()


def may_see_personal_info(user: User, order: WorkOrder) -> bool:
    """Whether ``user`` sees ``order``'s citizen as stored (§6.1.6; the policy table)."""
    return not privacy.view_for(user, order).masked


def citizen_for(user: User, order: WorkOrder, *, via: str, now: datetime | None = None) -> Citizen:
    """The citizen block as ``user`` may see it; logs the view when shown unmasked."""
    return privacy.seen_by(user, order, via=via, now=now).citizen


# ---------------------------------------------------------------------------
# deadlines as shown


@dataclass(frozen=True)
class DeadlineView:
    id: int
    kind: str
    label: str
    unit: str
    start_at: datetime
    due_at: datetime
    warn_at: datetime
    met_at: datetime | None
    superseded: bool
    state: str
    state_label: str
    colour: str
    remaining: str
    provisional: bool
    explanation: str
    clause: str


def deadline_view(d: Deadline, now: datetime) -> DeadlineView:
    state = (
        "superseded"
        if d.superseded_at
        else dl.deadline_state(d.due_at, now, warn_at=d.warn_at, met_at=d.met_at)
    )
    label = dl.DEADLINE_STATES.label(state) if state != "superseded" else "已失效"
    colour = dl.DEADLINE_STATES.colour(state) if state != "superseded" else "light"
    return DeadlineView(
        id=d.pk,
        kind=d.kind,
        label=d.get_kind_display(),
        unit=d.assignment.unit.name if d.assignment_id else "",
        start_at=d.start_at,
        due_at=d.due_at,
        warn_at=d.warn_at,
        met_at=d.met_at,
        superseded=bool(d.superseded_at),
        state=state,
        state_label=label,
        colour=colour,
        remaining=(
            dl.remaining_text(d.due_at, now, basis=d.basis, cal=working_calendar())
            if d.active
            else ""
        ),
        provisional=d.provisional,
        explanation=as_rule_deadline(d).explanation(),
        clause=d.clause,
    )


def order_deadlines(order: WorkOrder, now: datetime | None = None) -> list[DeadlineView]:
    now = now or clock.now()
    qs = order.deadlines.select_related("assignment__unit").order_by("start_at", "id")
    return [deadline_view(d, now) for d in qs]


def worst_state(views: list[DeadlineView]) -> str:
    """The most urgent light among running deadlines: overdue > warning > normal."""
    running = [v.state for v in views if not v.superseded and v.met_at is None]
    for s in ("overdue", "warning", "normal"):
        if s in running:
            return s
    return ""


# ---------------------------------------------------------------------------
# list filters (used by the API and the web lists)

FILTERS = (
    "state",
    "unit",
    "domain",
    "urgency",
    "channel",
    "deadline_state",
    "date_from",
    "date_to",
    "q",
    "emergency",
    "phone",
)


def filter_orders(
    qs: QuerySet[WorkOrder],
    params: dict[str, Any],
    now: datetime | None = None,
    *,
    user: User | None = None,
    indexed: bool = True,
) -> QuerySet[WorkOrder]:
    """Apply list filters.  ``deadline_state`` is derived at ``now`` from running
    deadlines (overdue: due passed; warning: warn passed, due not yet).  ``phone`` and
    ``q`` search the citizen and the texts through ``privacy.citizen_search``: for a unit
    user (or no user) they never match a confidential order's personal data."""
    now = now or clock.now()
    if v := params.get("state"):
        states = [s for s in str(v).split(",") if s in lifecycle.STATES]
        qs = qs.filter(state__in=states)
    if v := params.get("unit"):
        unit = (
            Unit.objects.filter(pk=v).first()
            if str(v).isdigit()
            else Unit.objects.filter(code=v).first()
        )
        if unit is None:
            return qs.none()
        qs = qs.filter(lead_unit__path__startswith=unit.path)
    if v := params.get("domain"):
        qs = qs.filter(domain=v)
    if v := params.get("urgency"):
        qs = qs.filter(urgency=v)
    if v := params.get("channel"):
        qs = qs.filter(channel=v)
    if params.get("emergency") in (True, "1", "true", "yes"):
        qs = qs.exclude(emergency_kind="")
    if params.get("phone") or params.get("q"):
        qs = privacy.citizen_search(
            qs,
            user,
            phone=str(params.get("phone") or ""),
            text=str(params.get("q") or ""),
            indexed=indexed,
        )
    if v := params.get("date_from"):
        qs = qs.filter(created_at__date__gte=v)
    if v := params.get("date_to"):
        qs = qs.filter(created_at__date__lte=v)
    if v := params.get("deadline_state"):
        active = Deadline.objects.active().filter(order=OuterRef("pk"))
        if v == "overdue":
            qs = qs.filter(Exists(active.filter(due_at__lte=now)))
        elif v == "warning":
            qs = qs.filter(Exists(active.filter(warn_at__lte=now, due_at__gt=now))).exclude(
                Exists(active.filter(due_at__lte=now))
            )
        elif v == "normal":
            qs = qs.filter(Exists(active)).exclude(Exists(active.filter(warn_at__lte=now)))
        else:
            return qs.none()
    return qs


# ---------------------------------------------------------------------------
# big lists: bounded counts, the list order, keyset cursors (docs/search.md)

COUNT_CAP = 10_000
# a keyword's matches are counted to 1,000: counting further reads the word's whole posting
# list and the rows behind it, which grows with the history for a common word
SEARCH_COUNT_CAP = 1_000
# "by relevance" ranks the newest matches only, so a common word costs the same at any size
RELEVANCE_WINDOW = 2_000
# a common word's newest matches are looked for in slices of the newest orders (walk_newest):
# the first slice, the largest, and how many orders to read before giving up on the walk
WALK_FIRST, WALK_MAX_SLICE, WALK_BUDGET = 2_000, 20_000, 100_000


def walk_newest(
    base: QuerySet[WorkOrder],
    matched: QuerySet[WorkOrder],
    offset: int,
    limit: int,
    *,
    first: int | None = None,
    largest: int | None = None,
    budget: int | None = None,
) -> list[int] | None:
    """The ids of rows ``offset`` to ``offset + limit`` of ``matched`` newest first, found by
    reading ``base`` (the same list without the words) newest first in slices — 2,000 rows,
    then twice as many each time up to 20,000 — and keeping the ids ``matched`` holds in each
    slice.  ``matched`` must be ``base`` with the words checked on the texts
    (``filter_orders(..., indexed=False)``).

    Why: for a word in thousands of orders the bigram index hands PostgreSQL every match in
    the history, and it reads them all to keep the newest 30 (468 ms at 1 M orders for a
    place in 3.4 % of them); a slice of the newest orders holds the page after a few thousand
    rows.  ``None`` when ``budget`` rows were read without filling the page: the caller uses
    the index then (a word that is rare in the recent orders)."""
    first = first or WALK_FIRST
    largest = largest or WALK_MAX_SLICE
    budget = budget or WALK_BUDGET
    want = offset + limit
    found: list[int] = []
    after: tuple | None = None
    read, size = 0, first
    while len(found) < want:
        if read >= budget:
            return None
        window = base.order_by("-created_at", "-id")
        if after is not None:
            window = window.filter(
                Q(created_at__lt=after[0]) | Q(created_at=after[0], id__lt=after[1])
            )
        keys = list(window.values_list("created_at", "id")[:size])
        if not keys:
            break
        read += len(keys)
        ids = [k[1] for k in keys]
        # the slice is every row of ``base`` between its first and last instants: the
        # matches among it by that range (an index range, not a list of 20,000 ids), kept
        # to the slice's own ids (rows sharing a boundary instant may lie outside it)
        in_slice = matched.filter(created_at__gte=keys[-1][0], created_at__lte=keys[0][0])
        hits = set(in_slice.values_list("pk", flat=True)) & set(ids)
        found += [i for i in ids if i in hits]
        if len(keys) < size:
            break
        after = keys[-1]
        size = min(size * 2, largest)
    return found[offset:want]


def keyword_walk(
    visible: QuerySet[WorkOrder], params: dict[str, Any], now, *, user
) -> tuple[QuerySet[WorkOrder], QuerySet[WorkOrder]] | None:
    """For words in the search box (newest-first lists): the list without them and the
    list with them checked on the texts, as ``walk_newest`` takes them.  Only for a word of
    three or more characters: a two-character word is one bigram, whose frequency
    PostgreSQL knows, and its own plan already reads the newest orders first."""
    if count_cap(params) != SEARCH_COUNT_CAP:
        return None
    if not any(len(fulltext.bigrams(t)) > 1 for t in fulltext.terms(str(params.get("q")))):
        return None
    base = filter_orders(visible, {**params, "q": ""}, now, user=user)
    return base, filter_orders(visible, params, now, user=user, indexed=False)


def in_order_of(ids: list[int], *related: str) -> list[WorkOrder]:
    """The orders ``ids`` (a walked page: ``walk_newest``) in that order, fetched by id
    alone — the ids are already of the list, and the list's own query would bring back
    the index condition and its plan."""
    by_id = {o.pk: o for o in WorkOrder.objects.filter(pk__in=ids).select_related(*related)}
    return [by_id[i] for i in ids if i in by_id]


def bounded_count(
    qs: QuerySet, cap: int | None = None, *, known_common: bool = False
) -> tuple[int, bool]:
    """How many rows, counting at most ``cap + 1`` (default ``COUNT_CAP + 1``) of them:
    ``(n, capped)``; a capped list says "10,000+" instead of scanning the rest of the
    history.  ``known_common`` (see ``known_common``): capped without counting."""
    cap = COUNT_CAP if cap is None else cap
    if known_common:
        return cap, True
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


# a word the statistics put in this many times the search count's cap is not counted
COMMON_MARGIN = 10


def known_common(params: dict[str, Any], user: User) -> bool:
    """A centre user's search for one two-character word and nothing else, a word that
    PostgreSQL's statistics put in at least ``COMMON_MARGIN`` × ``SEARCH_COUNT_CAP``
    orders: its count would stop at the cap, so it is not taken (``bounded_count`` with
    ``known_common``).  Counting to the cap reads the word's whole posting list, which
    grows with history (路灯: 1 ms at 100,000 orders, 6 ms at 1 M); a longer word is
    walked instead (``keyword_walk``), and any other filter or a unit's own orders may
    hold far fewer matches than the statistics of the whole table suggest, so they count."""
    if user.effective_role not in CENTRE_ROLES or count_cap(params) != SEARCH_COUNT_CAP:
        return False
    if any(v not in (None, "", []) for k, v in params.items() if k != "q"):
        return False
    words = fulltext.terms(str(params.get("q")))
    grams = fulltext.bigrams(words[0]) if len(words) == 1 else []
    if len(grams) != 1 or len(words[0]) != 2:
        return False
    rows = fulltext.common_gram_rows(grams[0])
    return rows is not None and rows >= COMMON_MARGIN * SEARCH_COUNT_CAP


def count_cap(params: dict[str, Any]) -> int:
    """The bound of a list's count: lower when the search box holds words."""
    q = params.get("q")
    return SEARCH_COUNT_CAP if q and fulltext.classify(str(q))[0] == "text" else COUNT_CAP


def list_order(
    qs: QuerySet[WorkOrder], *, q: str | None = None, sort: str | None = None
) -> QuerySet[WorkOrder]:
    """Newest first (an index range on ``created_at, id``); with a keyword and
    ``sort="relevance"``, the newest ``RELEVANCE_WINDOW`` matches ranked by where the words
    occur (title, then address, then content; ``fulltext.relevance``), newest first among
    equals."""
    newest = qs.order_by("-created_at", "-id")
    if sort != "relevance" or not q or fulltext.classify(q)[0] != "text":
        return newest
    window = list(newest.values_list("pk", flat=True)[:RELEVANCE_WINDOW])
    ranked = fulltext.relevance(WorkOrder.objects.filter(pk__in=window), q)
    return ranked.order_by("-relevance", "-created_at", "-id")


def cursor_of(order: WorkOrder) -> str:
    """The keyset cursor after ``order`` in the newest-first list."""
    return f"{order.created_at.isoformat()}_{order.pk}"


def after_cursor(qs: QuerySet[WorkOrder], cursor: str) -> QuerySet[WorkOrder]:
    """The orders after ``cursor`` in the newest-first list (keyset: no OFFSET, so page
    10,000 costs what page 1 does).  A malformed cursor raises ``ValueError``."""
    stamp, _, pk = cursor.rpartition("_")
    at = datetime.fromisoformat(stamp)
    if at.tzinfo is None or not pk.isdigit():
        raise ValueError(cursor)
    return qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=int(pk)))


def next_due(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Annotate each order with its earliest running deadline (for sorting queues)."""
    from django.db.models import Min

    return qs.annotate(
        next_due_at=Min(
            "deadlines__due_at",
            filter=Q(deadlines__met_at__isnull=True, deadlines__superseded_at__isnull=True),
        )
    )


def refusal(
    user: User, order: WorkOrder, action: str, now: datetime | None = None
) -> ActionError | None:
    """Why ``user`` may not take ``action`` on ``order`` at ``now`` — the transition table
    (the role never may, or not from this state) or the action's guard (``guards``) — or
    None when the action is open to them.  The action itself raises the same error."""
    try:
        lifecycle.transition(action, order.state, user.effective_role)
    except (lifecycle.IllegalTransition, lifecycle.RoleNotAllowed) as exc:
        return from_rules(exc)
    return guards.problem(action, order, user, now or clock.now())


def allowed_actions(user: User, order: WorkOrder, now: datetime | None = None) -> list[str]:
    """Actions the UI offers ``user`` on ``order``: the transition table for the role and
    state, then each action's guard (unit scope, pending requests, callbacks, §6.5 overdue).
    ``create`` is not an action on an existing order."""
    now = now or clock.now()
    return [
        a
        for a in lifecycle.allowed_actions(order.state, user.effective_role)
        if a != "create" and guards.problem(a, order, user, now) is None
    ]


def policy_dict() -> dict[str, Any]:
    return policy().__dict__
