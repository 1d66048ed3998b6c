"""Working through a list: the queues an order can be reached from (for 下一单), the
routing suggestion confident enough for bulk dispatch, and the rows of the 工单查询 export.

Next order (docs/workbench.md): an order opened from a queue carries ``?queue=KEY.TAB``
(and the queue's ``sort``).  After a successful action on it the agent lands on the next
order of that queue — the one below it when the page was drawn, wrapping round to the top,
skipping any that left the queue meanwhile — when 办完自动打开下一单 is ticked (remembered
for the session); the detail page always offers a 下一单 link to the next order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from hotline.calendars.services import working_calendar
from hotline.common import hooks
from hotline.orders import privacy
from hotline.orders.models import WorkOrder
from hotline.org.models import User
from hotline.rules import deadlines as dl
from hotline.rules import lifecycle, taxonomy
from hotline.web import queries as wq
from hotline.web import sorting

# ---------------------------------------------------------------------------
# queues (for 下一单)


@dataclass(frozen=True)
class Queue:
    title: str
    url_name: str
    roles: frozenset[str]
    tabs: dict[str, str]
    lists: Callable[[User, datetime], dict[str, QuerySet[WorkOrder]]]


QUEUES: dict[str, Queue] = {
    "review": Queue(
        "审核派转",
        "web:review",
        frozenset({"reviewer"}),
        {"pending_review": "待审核派转", "requests": "延期/挂单审批", "replied": "答复认定"},
        lambda user, now: wq.review_queues(user),
    ),
    "inbox": Queue(
        "本单位工单",
        "web:inbox",
        frozenset({"unit"}),
        {
            "to_sign": "待签收",
            "handling": "办理中",
            "warning": "即将超期",
            "overdue": "已超期",
            "answered": "已答复",
        },
        wq.inbox_queues,
    ),
    "callbacks": Queue(
        "回访",
        "web:callbacks",
        frozenset({"callback"}),
        {
            "pending_callback": "全部待回访",
            "manual": "待人工回访",
            "negative": "不满意/未解决",
            "smart": "智能回访中",
            "replied": "待答复认定",
        },
        lambda user, now: wq.callback_queues(user),
    ),
}
NEXT_WINDOW = 500  # the next order is looked for among the first 500 of the queue


@dataclass(frozen=True)
class QueueRef:
    """An order's place in a queue: which queue, which tab, which sort."""

    key: str
    tab: str
    sort: str = ""

    @property
    def queue(self) -> Queue:
        return QUEUES[self.key]

    @property
    def label(self) -> str:
        return f"{self.queue.title} · {self.queue.tabs[self.tab]}"

    @property
    def value(self) -> str:
        return f"{self.key}.{self.tab}"

    def query(self) -> str:
        """The query string an order link from this queue carries."""
        return f"queue={self.value}" + (f"&sort={self.sort}" if self.sort else "")

    def list_url(self) -> str:
        from django.urls import reverse

        return f"{reverse(self.queue.url_name)}?tab={self.tab}" + (
            f"&sort={self.sort}" if self.sort else ""
        )


def queue_ref(user: User, value: str | None, sort: str | None = "") -> QueueRef | None:
    """The queue named by ``value`` ("review.pending_review") if ``user`` works that
    queue; None for anything else (a stale or foreign link is simply not followed)."""
    key, _, tab = (value or "").partition(".")
    queue = QUEUES.get(key)
    if queue is None or tab not in queue.tabs:
        return None
    if user.effective_role not in queue.roles | {"admin"}:
        return None
    sort = sort or ""
    if sort and sort.removeprefix("-") not in sorting.SORTS:
        sort = ""
    return QueueRef(key, tab, sort)


def queue_ids(user: User, ref: QueueRef, now: datetime) -> list[int]:
    qs = sorting.apply(ref.queue.lists(user, now)[ref.tab], ref.sort)
    return list(qs.values_list("pk", flat=True)[:NEXT_WINDOW])


def next_in(before: list[int], current: int, after: Iterable[int]) -> int | None:
    """The order to open after ``current``: the first below it in ``before`` (the queue
    as it was), then from the top, that is still in the queue (``after``)."""
    still = set(after)
    if current in before:
        i = before.index(current)
        candidates = before[i + 1 :] + before[:i]
    else:
        candidates = before
    candidates += [pk for pk in after if pk not in before]
    return next((pk for pk in candidates if pk in still and pk != current), None)


def number_of(pk: int | None) -> str | None:
    if pk is None:
        return None
    return WorkOrder.objects.filter(pk=pk).values_list("number", flat=True).first()


# ---------------------------------------------------------------------------
# bulk dispatch: only where the routing suggestion is confident

CONFIDENT_SCORE = 0.8  # the first suggestion scores at least this …
CONFIDENT_MARGIN = 0.2  # … and leads the second by at least this
BULK_DISPATCH_MAX = 50  # orders offered (and accepted) per bulk dispatch


@dataclass(frozen=True)
class Confident:
    order: WorkOrder
    title: str
    unit_id: int
    unit_name: str
    score: float
    reasons: tuple[str, ...]


def confident_unit(user: User, order: WorkOrder) -> hooks.UnitHint | None:
    """The routing suggestion for ``order`` when it is confident: the first suggestion
    scores ``CONFIDENT_SCORE`` or more, leads the second by ``CONFIDENT_MARGIN``, and is a
    unit responsible for the order's category (``wq.recommended_units``).  Anything less
    is left to a reviewer's eye on the order page."""
    hints = [h for h in hooks.unit_suggestions_for(user, order) if h.score is not None]
    if not hints:
        return None
    hints.sort(key=lambda h: -(h.score or 0))
    top = hints[0]
    second = hints[1].score or 0 if len(hints) > 1 else 0.0
    if (top.score or 0) < CONFIDENT_SCORE or (top.score or 0) - second < CONFIDENT_MARGIN:
        return None
    if top.unit_id not in {u.pk for u in wq.recommended_units(order, limit=50)}:
        return None
    return top


def confident_orders(user: User, limit: int = BULK_DISPATCH_MAX) -> list[Confident]:
    """The reviewer's orders waiting for dispatch whose suggestion is confident, most
    urgent first."""
    qs = wq.review_queues(user)["pending_review"].select_related("category", "area")
    out = []
    for order in qs[:limit]:
        hint = confident_unit(user, order)
        if hint is not None:
            out.append(
                Confident(
                    order,
                    privacy.list_view(user, order).text(order.title),
                    hint.unit_id,
                    hint.name,
                    hint.score or 0.0,
                    tuple(hint.reasons),
                )
            )
    return out


# ---------------------------------------------------------------------------
# the 工单查询 export

EXPORT_MAX_ROWS = 50_000  # docs/workbench.md: narrow the filter for more

EXPORT_COLUMNS: list[tuple[str, int]] = [
    ("工单编号", 16),
    ("登记时间", 17),
    ("状态", 10),
    ("诉求来源", 10),
    ("诉求类型", 8),
    ("归口分类", 10),
    ("紧急程度", 8),
    ("诉求问题", 36),
    ("发生地址", 30),
    ("联系人", 10),
    ("联系电话", 14),
    ("主办单位", 24),
    ("截止", 17),
    ("剩余/超期", 14),
    ("催办次数", 8),
    ("督办", 6),
]


def export_rows(
    user: User, qs: QuerySet[WorkOrder], now: datetime, chunk: int = 2000
) -> Iterator[list[Any]]:
    """The export's rows: each order as ``user`` sees it in the list — the title and the
    address through the viewer's masking (``privacy.list_view``), the citizen's name and
    phone in the form the viewer's row of the masking policy gives (masked, or empty where
    hidden), never more than the order page would show them."""
    cal = working_calendar()
    qs = qs.select_related("lead_unit")[:EXPORT_MAX_ROWS]
    labels = {
        "state": dict(lifecycle.STATES.choices()),
        "channel": dict(taxonomy.CHANNELS.choices()),
        "appeal_type": dict(taxonomy.APPEAL_TYPES.choices()),
        "domain": dict(taxonomy.DOMAINS.choices()),
        "urgency": dict(taxonomy.URGENCY.choices()),
    }
    batch: list[WorkOrder] = []

    def flush() -> Iterator[list[Any]]:
        found = wq.lights([o.pk for o in batch], now)
        for o in batch:
            view = privacy.list_view(user, o)
            citizen = _list_citizen(view)
            _state, due, basis = found.get(o.pk, ("", None, ""))
            yield [
                o.number,
                o.created_at.astimezone(dl.SHANGHAI).replace(tzinfo=None),
                labels["state"].get(o.state, o.state),
                labels["channel"].get(o.channel, o.channel),
                labels["appeal_type"].get(o.appeal_type, o.appeal_type),
                labels["domain"].get(o.domain, o.domain),
                labels["urgency"].get(o.urgency, o.urgency),
                view.text(o.title),
                view.text(o.address),
                citizen[0],
                citizen[1],
                o.lead_unit.name if o.lead_unit_id else "",
                dl.due_text(due, year=True) if due else "",
                dl.remaining_text(due, now, basis=basis, cal=cal) if due else "",
                o.reminder_count,
                "是" if o.supervised_at else "",
            ]

    for o in qs.iterator(chunk_size=chunk):
        batch.append(o)
        if len(batch) >= chunk:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def _list_citizen(view: privacy.OrderView) -> tuple[str, str]:
    """The citizen's name and phone as a list may show them: never the full value (an
    export leaves the system; the full record is the API's audited personal export)."""
    from hotline.rules import pii

    c = view.citizen
    if c.hidden:
        return "", ""
    return pii.mask_name(view.order.citizen_name or "") if c.name else "", (
        pii.mask_phone(view.order.citizen_phone or "") if c.phone else ""
    )
