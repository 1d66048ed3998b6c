"""Calendar changes: deadlines computed on a provisional calendar are recomputed when a year is loaded."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from hotline.calendars.services import working_calendar
from hotline.orders.actions.base import policy, record_event, resolve_now
from hotline.orders.models import (
    Deadline,
)
from hotline.rules import deadlines as dl
from hotline.rules.calendar import SHANGHAI


def recompute_provisional_deadlines(*, now: datetime | None = None) -> int:
    """Once a year's holidays are loaded, recompute every running provisional deadline and
    note it on the order's timeline.  Returns how many changed."""
    now = resolve_now(now)
    cal = working_calendar()
    changed = 0
    ids = list(Deadline.objects.active().filter(provisional=True).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            d = Deadline.objects.select_for_update().filter(pk=pk, provisional=True).first()
            if d is None or not d.active:
                continue
            fresh = dl.recompute(_as_rule(d), cal)
            if fresh.provisional:
                continue
            old_due = d.due_at
            d.due_at = fresh.due
            d.warn_at = dl.warning_at(
                fresh.start, fresh.due, fresh.basis, cal, policy().warning_share
            )
            d.skipped = [{"day": s.day.isoformat(), "reason": s.reason} for s in fresh.skipped]
            d.provisional = False
            d.save(update_fields=["due_at", "warn_at", "skipped", "provisional"])
            order = d.order
            record_event(
                order,
                None,
                "deadline_recomputed",
                now,
                from_state=order.state,
                note=f"{d.get_kind_display()}按新录入的节假日安排重新计算",
                data={
                    "deadline": d.pk,
                    "old_due": old_due.isoformat(),
                    "new_due": d.due_at.isoformat(),
                },
            )
            changed += 1
    return changed


def _as_rule(d: Deadline) -> dl.Deadline:
    from datetime import date

    from hotline.rules.calendar import SkippedDay

    return dl.Deadline(
        kind=d.kind,
        start=d.start_at,
        due=d.due_at,
        basis=d.basis,  # type: ignore[arg-type]
        amount=d.amount,
        clause=d.clause,
        rule=d.rule,
        skipped=tuple(SkippedDay(date.fromisoformat(s["day"]), s["reason"]) for s in d.skipped),
        provisional=d.provisional,
        unknown_years=tuple(),
        paused=tuple((datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in d.paused),
    )


def as_rule_deadline(d: Deadline) -> dl.Deadline:
    """The rules' view of a stored deadline (for explanations)."""
    rule = _as_rule(d)
    if d.provisional:
        cal = working_calendar()
        years = sorted(
            {int(s["day"][:4]) for s in d.skipped} | {d.due_at.astimezone(SHANGHAI).year}
        )
        rule = dl.Deadline(
            **{
                **rule.__dict__,
                "unknown_years": tuple(y for y in years if y not in cal.known_years),
            }
        )
    return rule
