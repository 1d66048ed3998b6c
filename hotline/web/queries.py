"""Reads for the workbench pages: queues, the supervision board, the dashboard, the unit
picker and the citizen's view of an order.  Every list page costs a fixed number of
queries whatever its size: one count, one page (with its foreign keys joined), one for the
deadline lights of the whole page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.functional import cached_property

from hotline.callbacks import queries as cq
from hotline.catalog.models import Category
from hotline.orders import privacy
from hotline.orders import queries as oq
from hotline.orders.models import Assignment, Deadline, OrderLink, WorkOrder
from hotline.org.models import Area, Unit, User
from hotline.rules import deadlines as dl
from hotline.rules import lifecycle, taxonomy

RANK = {"normal": 0, "warning": 1, "overdue": 2}


def lights(ids: list[int], now: datetime) -> dict[int, tuple[str, datetime, str]]:
    """The worst running-deadline light of each order, that deadline's due time and its
    basis (working days or clock time), in one query for the whole page."""
    by_order: dict[int, list[tuple[str, datetime, str]]] = defaultdict(list)
    for oid, due, warn, basis in (
        Deadline.objects.active()
        .filter(order_id__in=ids)
        .values_list("order_id", "due_at", "warn_at", "basis")
    ):
        by_order[oid].append((dl.deadline_state(due, now, warn_at=warn), due, basis))
    return {
        oid: max(rows, key=lambda r: (RANK[r[0]], -r[1].timestamp()))
        for oid, rows in by_order.items()
    }


@dataclass
class Row:
    """An order as a list shows it: the order plus its light."""

    order: WorkOrder
    title: str  # as the viewer may read it (``privacy.list_view``)
    light: str
    light_label: str
    light_colour: str
    due_at: datetime | None
    basis: str = ""  # of the running deadline shown: working days or clock time
    request: dict | None = None  # 延期/挂单审批: the pending request (days, reason, unit)


class BoundedPaginator(Paginator):
    """Counts at most ``COUNT_CAP + 1`` rows (``oq.bounded_count``): a list over years of
    history says "10,000+" and offers the pages of its first 10,000 rows (the filters and
    the search box narrow it), so no page costs a scan of the table."""

    capped = False
    cap: int | None = None
    # (the list without the words, the list with the words checked on the texts): a word
    # in more orders than the count's cap is looked for in slices of the newest orders
    # (oq.walk_newest) instead of through the index
    walk: tuple[QuerySet[WorkOrder], QuerySet[WorkOrder]] | None = None
    # a word the statistics know to be in far more orders than the cap (oq.known_common)
    known_common = False

    @cached_property
    def count(self) -> int:
        n, self.capped = oq.bounded_count(
            self.object_list, self.cap, known_common=self.known_common
        )
        return n

    def get_page(self, number):
        if number in (None, "", 1, "1"):  # Paginator.get_page would count first
            return self.page(1)
        return super().get_page(number)

    def page(self, number):
        if self.walk is None and str(number) == "1" and "count" not in self.__dict__:
            # the first page first: a short one is the whole list and its length the count
            # (an order number, a caller's few orders, a narrow filter: no count query)
            rows = list(self.object_list[: self.per_page])
            if len(rows) < self.per_page:
                self.__dict__["count"] = len(rows)
            self.validate_number(1)
            return self._get_page(rows, 1, self)
        number = self.validate_number(number)
        if self.walk is None or not self.capped:
            return super().page(number)
        base, matched = self.walk
        bottom = (number - 1) * self.per_page
        ids = oq.walk_newest(base, matched, bottom, self.per_page)
        if ids is None:  # rare among the newest orders: the index is the faster way
            return super().page(number)
        return self._get_page(oq.in_order_of(ids, "lead_unit", "category", "area"), number, self)

    @property
    def count_label(self) -> str:
        return f"{self.count:,}+" if self.capped else str(self.count)


def paginate(
    qs: QuerySet[WorkOrder],
    page: str | int | None,
    size: int,
    now: datetime,
    user: User,
    *,
    count_cap: int | None = None,
    walk: tuple[QuerySet[WorkOrder], QuerySet[WorkOrder]] | None = None,
    known_common: bool = False,
) -> Page:
    """A page of orders, each wrapped in a ``Row`` with its deadline light and its title as
    ``user`` may read it.  The count is bounded (``BoundedPaginator``, at ``count_cap``);
    ``walk`` and ``known_common`` as ``BoundedPaginator``'s."""
    qs = qs.select_related("lead_unit", "category", "area")
    paginator = BoundedPaginator(qs, size)
    paginator.cap = count_cap
    paginator.walk = walk
    paginator.known_common = known_common
    p = paginator.get_page(page)
    found = lights([o.pk for o in p.object_list], now)
    rows = []
    for o in p.object_list:
        state, due, basis = found.get(o.pk, ("", None, ""))
        rows.append(
            Row(
                o,
                privacy.list_view(user, o).text(o.title),
                state,
                dl.DEADLINE_STATES.label(state) if state else "",
                dl.DEADLINE_STATES.colour(state) if state else "",
                due,
                basis,
            )
        )
    p.object_list = rows
    return p


# ---------------------------------------------------------------------------
# queues


def queue_order(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Most urgent first: the earliest running deadline, then the oldest order."""
    return oq.next_due(qs).order_by("next_due_at", "created_at", "id")


def intake_queues(user: User) -> dict[str, QuerySet[WorkOrder]]:
    """受理员: channel drafts to accept (待受理), orders the reviewer returned, orders accepted
    but not yet sent to review."""
    base = oq.visible_orders(user)
    return {
        "draft": base.filter(state="draft").order_by("created_at", "id"),
        "returned": queue_order(base.filter(state="returned")),
        "accepted": queue_order(base.filter(state="accepted")),
    }


def review_queues(user: User) -> dict[str, QuerySet[WorkOrder]]:
    """审核员: review and dispatch by the dispatch deadline (§6.2), decide extension and
    hang-up requests (§6.4.1), accept replies or send them for re-verification (§6.6)."""
    base = oq.visible_orders(user)
    return {
        "pending_review": queue_order(base.filter(state="pending_review")),
        "requests": queue_order(
            base.filter(state__in=["extension_requested", "suspension_requested"])
        ),
        "replied": queue_order(base.filter(state="replied")),
    }


def unit_scope(user: User) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(path__startswith=user.unit.path)
        if user.unit_id
        else Unit.objects.none()
    )


HANDLING = ["handling", "extension_requested", "suspension_requested", "suspended", "reverify"]


def inbox_queues(user: User, now: datetime) -> dict[str, QuerySet[WorkOrder]]:
    """承办单位: to sign (lead or co-unit), in hand, due soon, overdue, answered."""
    base = oq.visible_orders(user)
    units = unit_scope(user).values("pk")
    to_sign = Assignment.objects.filter(
        order=OuterRef("pk"), unit__in=units, ended_at__isnull=True, signed_at__isnull=True
    )
    mine = base.filter(lead_unit__in=units)
    return {
        "to_sign": queue_order(base.filter(Exists(to_sign)).exclude(state__in=["closed"])),
        "handling": queue_order(mine.filter(state__in=HANDLING)),
        "warning": queue_order(
            oq.filter_orders(
                mine.filter(state__in=lifecycle.WITH_UNIT), {"deadline_state": "warning"}, now
            )
        ),
        "overdue": queue_order(
            oq.filter_orders(
                mine.filter(state__in=lifecycle.WITH_UNIT), {"deadline_state": "overdue"}, now
            )
        ),
        "answered": base.filter(state__in=["replied", "pending_callback", "closed"]).order_by(
            "-replied_at", "-id"
        ),
    }


def callback_queues(user: User) -> dict[str, QuerySet[WorkOrder]]:
    """回访员: orders whose reply was accepted wait for the callback (§6.7.2, §6.8) — all of
    them, those a person must call (the policy chose a person, or the survey came back
    unsatisfied, unresolved, not understood or unanswered), those whose answer was negative
    (candidates for 重办), and those whose SMS/WeChat survey is still out (§6.8.2)."""
    base = oq.visible_orders(user)
    waiting = (
        base.filter(
            Q(state="pending_callback")
            | Q(
                Exists(
                    OrderLink.objects.filter(
                        order=OuterRef("pk"),
                        kind="merge",
                        ended_at__isnull=True,
                        main__state="pending_callback",
                    )
                ),
                state="merged",
            )
        )
        # merged orders (并单) wait with their main order: each citizen is called back
    )
    return {
        "pending_callback": queue_order(waiting),
        "manual": queue_order(waiting.filter(~cq.waiting_survey_exists())),
        "negative": queue_order(base.filter(cq.negative_answer_exists(), state="pending_callback")),
        "smart": queue_order(waiting.filter(cq.waiting_survey_exists())),
        "replied": queue_order(base.filter(state="replied")),
    }


# ---------------------------------------------------------------------------
# supervision board (§6.5)


@dataclass
class UnitLights:
    unit_id: int
    unit: str
    warning: int
    overdue: int


def board(now: datetime) -> list[UnitLights]:
    """Orders with a unit whose running deadline is near (yellow) or past (red), counted per
    lead unit; red first."""
    rows = (
        Deadline.objects.active()
        .filter(
            warn_at__lte=now, order__state__in=lifecycle.WITH_UNIT, order__lead_unit__isnull=False
        )
        .values("order__lead_unit", "order__lead_unit__name")
        .annotate(
            overdue=Count("order", distinct=True, filter=Q(due_at__lte=now)),
            warning=Count("order", distinct=True, filter=Q(due_at__gt=now)),
        )
    )
    out = [
        UnitLights(r["order__lead_unit"], r["order__lead_unit__name"], r["warning"], r["overdue"])
        for r in rows
    ]
    out.sort(key=lambda u: (-u.overdue, -u.warning, u.unit))
    return out


def board_orders(user: User, now: datetime, light: str, unit: str | None) -> QuerySet[WorkOrder]:
    qs = oq.visible_orders(user).filter(state__in=lifecycle.WITH_UNIT)
    params = {"deadline_state": light if light in ("warning", "overdue") else "overdue"}
    if unit:
        params["unit"] = unit
    return queue_order(oq.filter_orders(qs, params, now))


# ---------------------------------------------------------------------------
# units for dispatch (§6.3)


def units_with_scope(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    return (
        qs.filter(active=True)
        .exclude(kind="centre")
        .prefetch_related("areas", "categories")
        .order_by("path")
    )


def recommended_units(order: WorkOrder, limit: int = 8) -> list[Unit]:
    """Units responsible for the order's category whose jurisdiction covers its area (the
    closest first), then the other units responsible for the category; with no such
    unit, the units whose jurisdiction covers the place (§6.3: nature of the problem,
    responsible unit, territory)."""
    area_paths: list[str] = []
    if order.area_id:
        path = order.area.path
        area_paths = [
            "/" + "/".join(path.strip("/").split("/")[:i]) + "/" for i in range(1, path.count("/"))
        ]
    units: list[Unit] = []
    if order.category_id:
        units = list(
            units_with_scope(Unit.objects.filter(categories=order.category).distinct())[:50]
        )
    if not units and area_paths:
        units = list(
            units_with_scope(Unit.objects.filter(areas__path__in=area_paths).distinct())[:50]
        )
    if area_paths:
        # the closest jurisdiction first: a district's bureau before the city's
        units.sort(
            key=lambda u: -max((a.depth for a in u.areas.all() if a.path in area_paths), default=0)
        )
    return units[:limit]


def search_units(q: str, limit: int = 20) -> list[Unit]:
    q = q.strip()
    qs = Unit.objects.all()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(short_name__icontains=q)
            | Q(code__icontains=q)
            | Q(areas__name__icontains=q)
            | Q(categories__name__icontains=q)
        ).distinct()
    return list(units_with_scope(qs)[:limit])


# ---------------------------------------------------------------------------
# intake helpers


def phone_history(user: User, phone: str, *, exclude: int | None = None, limit: int = 10):
    """Earlier orders of the caller with this phone number (newest first)."""
    phone = phone.strip()
    if len(phone) < 5:
        return []
    qs = privacy.citizen_search(oq.visible_orders(user), user, phone=phone)
    qs = qs.select_related("category")
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("-created_at")[:limit])


def categories_by_domain() -> list[tuple[str, list[Category]]]:
    """Active sub-categories grouped under their §5.4.2 domain, for a select's optgroups."""
    groups: dict[str, list[Category]] = defaultdict(list)
    for c in Category.objects.filter(active=True).order_by("path"):
        groups[c.domain].append(c)
    return [
        (taxonomy.DOMAINS.label(d), [c for c in groups[d] if not c.is_domain] or groups[d])
        for d in taxonomy.DOMAINS.codes
        if groups.get(d)
    ]


def areas_indented() -> list[tuple[str, str]]:
    return [(a.code, "　" * (a.depth - 1) + a.name) for a in Area.objects.order_by("path")]
