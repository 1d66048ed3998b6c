"""Near-duplicate orders for an appeal (查重, SPEC §9) and "the same citizen raising the
same fact again" (§6.6.3 c).

Candidates are pre-filtered by one database query, then scored by
:mod:`hotline.nlp.dedup` (text + place + time + citizen):

* open orders (not closed, rejected or merged) created in the last ``OPEN_WINDOW_DAYS``
  in the same district or of the same category;
* any order of the same phone number in the last ``REPEAT_WINDOW_DAYS`` — closed ones
  included: a fact already handled and replied to, raised again, is §6.6.3 c.

At most ``MAX_CANDIDATES`` rows (the newest) are scored per query.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from hotline import clock
from hotline.intelligence.services import areas, categories
from hotline.nlp.dedup import Appeal, DedupIndex
from hotline.rules import lifecycle

OPEN_WINDOW_DAYS = 30
REPEAT_WINDOW_DAYS = 365
MAX_CANDIDATES = 300
MIN_SCORE = 0.35


_indexes: OrderedDict[tuple, DedupIndex] = OrderedDict()
_lock = threading.Lock()


def _index(rows: list[dict[str, Any]]) -> DedupIndex:
    """The candidates' index, reused while the same rows (same ids, unchanged) come back —
    as they do while an agent keeps typing the same call.  Building it is the costly part
    (~0.4 ms per candidate); a query on a built index is about a millisecond."""
    key = tuple((r["id"], r["updated_at"]) for r in rows)
    with _lock:
        if key in _indexes:
            _indexes.move_to_end(key)
            return _indexes[key]
    index = DedupIndex(
        Appeal(
            id=r["id"],
            text=r["content"],
            title=r["title"],
            area_id=r["area_id"],
            address=r["address"],
            time=r["created_at"],
            phone=r["citizen_phone"],
        )
        for r in rows
    )
    with _lock:
        _indexes[key] = index
        while len(_indexes) > 16:
            _indexes.popitem(last=False)
    return index


@dataclass
class DuplicateOrder:
    id: int
    number: str
    title: str
    state: str
    state_label: str
    score: float
    near_duplicate: bool
    repeat: bool
    same_citizen: bool
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "state": self.state,
            "state_label": self.state_label,
            "score": self.score,
            "near_duplicate": self.near_duplicate,
            "repeat": self.repeat,
            "same_citizen": self.same_citizen,
            "reasons": list(self.reasons),
        }

    @property
    def reason(self) -> str:
        head = [] if self.repeat else ["疑似同一问题"]
        return "；".join([*head, *self.reasons])


def _district_path(area_code: str) -> str | None:
    info = next((a for a in areas().values() if a.code == area_code), None)
    if info is None:
        return None
    parts = info.path.strip("/").split("/")
    return "/" + "/".join(parts[:2]) + "/" if len(parts) >= 2 else info.path


def candidate_orders(values: dict[str, Any], now: datetime, exclude: int | None = None):
    from hotline.orders.models import WorkOrder

    open_states = list(lifecycle.OPEN - {"merged"})
    recent = now - timedelta(days=OPEN_WINDOW_DAYS)
    scope = Q()
    district = _district_path(values.get("area") or "")
    if district:
        scope |= Q(area__path__startswith=district)
    cat = categories().get(values.get("category") or "")
    if cat is not None:
        scope |= Q(category_id=cat.id)
    q = Q(state__in=open_states, created_at__gte=recent)
    if scope:
        q &= scope
    phone = (values.get("phone") or "").strip()
    if phone:
        q |= Q(citizen_phone=phone, created_at__gte=now - timedelta(days=REPEAT_WINDOW_DAYS))
    qs = WorkOrder.objects.filter(q).exclude(state__in=["rejected", "merged", "draft"])
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(
        qs.order_by("-created_at").values(
            "id",
            "number",
            "title",
            "content",
            "address",
            "area_id",
            "created_at",
            "citizen_phone",
            "state",
            "updated_at",
        )[:MAX_CANDIDATES]
    )


def find_duplicate_orders(
    values: dict[str, Any], *, user=None, exclude: int | None = None, limit: int = 5
) -> list[DuplicateOrder]:
    """Orders that may be the same matter as ``values`` (title, content, phone, address,
    category, area codes, at), best first.  Only orders ``user`` may see are listed."""
    now = values.get("at") or clock.now()
    text = f"{values.get('content') or ''}"
    if len(text.strip()) + len((values.get("title") or "").strip()) < 4:
        return []
    rows = candidate_orders(values, now, exclude)
    if user is not None and rows:
        from hotline.orders.queries import visible_orders

        seen = set(
            visible_orders(user).filter(pk__in=[r["id"] for r in rows]).values_list("pk", flat=True)
        )
        rows = [r for r in rows if r["id"] in seen]
    if not rows:
        return []
    area = next((a for a in areas().values() if a.code == values.get("area")), None)
    index = _index(rows)
    appeal = Appeal(
        text=text,
        title=values.get("title") or "",
        area_id=area.id if area else None,
        address=values.get("address") or "",
        time=now,
        phone=values.get("phone") or "",
    )
    by_id = {r["id"]: r for r in rows}
    out = []
    for c in index.query(appeal, limit=limit * 3, min_score=MIN_SCORE):
        r = by_id[c.id]
        closed = r["state"] not in lifecycle.OPEN
        if closed and not c.repeat:
            continue  # a closed order matters only as the same citizen's earlier appeal
        if not (c.near_duplicate or c.repeat):
            continue
        out.append(
            DuplicateOrder(
                id=r["id"],
                number=r["number"],
                title=r["title"],
                state=r["state"],
                state_label=lifecycle.STATES.label(r["state"]),
                score=c.score,
                near_duplicate=c.near_duplicate,
                repeat=c.repeat,
                same_citizen=c.same_citizen,
                reasons=list(c.reasons),
            )
        )
    return out[:limit]
