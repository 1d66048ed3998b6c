"""The learning record (SPEC §9): every confirmation or correction of a suggestion.

When an agent confirms an order (``create`` or ``accept``: the intake form or the API), the
suggestions for the text that was saved are compared with the values saved, one
:class:`SuggestionFeedback` row per field.  A dispatch compares the suggested lead unit
with the unit chosen; a link or merge records that a duplicate hint was taken.  Clients
that show suggestions themselves post their own rows (``POST /api/v1/intelligence/feedback``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from hotline import clock
from hotline.intelligence.models import SuggestionFeedback

log = logging.getLogger(__name__)

INTAKE_FIELDS = ("appeal_type", "domain", "category", "urgency", "emergency_kind", "area")
# A not-accepted reason (§5.3) is confirmed by rejecting the call, corrected by accepting it.
REJECT_FIELDS = ("not_accepted_reason",)


def _saved(order, field: str) -> str:
    if field == "category":
        return order.category.code if order.category_id else ""
    if field == "area":
        return order.area.code if order.area_id else ""
    return getattr(order, field) or ""


def record_intake(
    order,
    actor,
    *,
    source: str = "intake",
    now: datetime | None = None,
    fields: tuple[str, ...] = INTAKE_FIELDS + REJECT_FIELDS,
) -> int:
    """Compare what would be suggested for the saved text with what was saved."""
    from hotline.intelligence import services

    now = now or clock.now()
    result = services.suggest(
        order.title,
        order.content,
        phone=order.citizen_phone,
        at=order.created_at or now,
        address=order.address,
        with_units=False,
        with_duplicates=False,
    )
    tops = services.top_values(result)
    rows = []
    for field in fields:
        if field not in tops:
            continue
        suggested, confidence = tops[field]
        chosen = _saved(order, field)
        if field == "area" and not chosen:
            continue  # nothing confirmed
        if field == "not_accepted_reason" and not (suggested or chosen):
            continue  # nothing suggested, nothing chosen: no signal
        rows.append(
            SuggestionFeedback(
                order=order,
                field=field,
                suggested=suggested,
                confidence=confidence,
                model_version=result["model_version"],
                chosen=chosen,
                accepted=_same(field, suggested, chosen),
                source=source,
                actor=actor,
                at=now,
            )
        )
    SuggestionFeedback.objects.bulk_create(rows)
    return len(rows)


def _same(field: str, suggested: str, chosen: str) -> bool:
    if field == "area" and suggested and chosen:
        # a suggested community whose street was chosen (or the reverse) counts as agreeing
        from hotline.intelligence.services import areas

        by_code = {a.code: a for a in areas().values()}
        s, c = by_code.get(suggested), by_code.get(chosen)
        if s and c:
            return s.path.startswith(c.path) or c.path.startswith(s.path)
    return suggested == chosen


def record_dispatch(order, actor, *, now: datetime | None = None) -> int:
    from hotline.intelligence.routing import suggest_units

    if not order.lead_unit_id:
        return 0
    units = suggest_units(order)
    if not units:
        return 0
    top = units[0]
    SuggestionFeedback.objects.create(
        order=order,
        field="lead_unit",
        suggested=top.code,
        confidence=round(min(top.score, 1.0), 3),
        model_version="routing",
        chosen=order.lead_unit.code,
        accepted=top.unit_id == order.lead_unit_id,
        source="dispatch",
        actor=actor,
        at=now or clock.now(),
    )
    return 1


def record_duplicate(order, actor, main_number: str, *, now: datetime | None = None) -> None:
    SuggestionFeedback.objects.create(
        order=order,
        field="duplicate",
        suggested=main_number,
        chosen=main_number,
        accepted=True,
        model_version="dedup",
        source="intake",
        actor=actor,
        at=now or clock.now(),
    )


def on_action(action: str, order, event) -> None:
    """``actions.after_commit_hooks``: record feedback after a person confirmed an order.
    A failure here must never undo or block the action that already committed."""
    actor = event.actor
    if actor is None:
        return
    try:
        if action in ("create", "accept"):
            record_intake(order, actor, now=event.at)
        elif action in ("reject", "recorded_rejected"):
            record_intake(order, actor, now=event.at, fields=REJECT_FIELDS)
        elif action == "dispatch":
            record_dispatch(order, actor, now=event.at)
        elif action in ("merge", "link_duplicate"):
            record_duplicate(order, actor, (event.data or {}).get("main", ""), now=event.at)
    except Exception:
        log.exception("could not record suggestion feedback for %s", order.number)


def accuracy(weeks: int = 8, now: datetime | None = None) -> dict[str, Any]:
    """Accuracy by field and by ISO week over the last ``weeks`` weeks (for the admin)."""
    now = now or clock.now()
    since = now - timedelta(weeks=weeks)
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    week_keys: set[str] = set()
    rows = SuggestionFeedback.objects.filter(at__gte=since).values_list("field", "accepted", "at")
    for field, accepted, at in rows.iterator():
        year, week, _ = at.isocalendar()
        key = f"{year}-W{week:02d}"
        week_keys.add(key)
        cell = table[field][key]
        cell[0] += int(accepted)
        cell[1] += 1
        totals[field][0] += int(accepted)
        totals[field][1] += 1
    weeks_sorted = sorted(week_keys)
    labels = dict(SuggestionFeedback.FIELDS)
    out_rows = []
    for field, _ in SuggestionFeedback.FIELDS:
        if field not in totals:
            continue
        ok, n = totals[field]
        out_rows.append(
            {
                "field": field,
                "label": labels[field],
                "n": n,
                "accuracy": round(ok / n, 3) if n else None,
                "weeks": [
                    (
                        {
                            "n": table[field][w][1],
                            "accuracy": round(table[field][w][0] / table[field][w][1], 3),
                        }
                        if table[field][w][1]
                        else None
                    )
                    for w in weeks_sorted
                ],
            }
        )
    return {"weeks": weeks_sorted, "rows": out_rows}
