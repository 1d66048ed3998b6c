"""The configured ladders, read for the rules' ``plan``: which track an order climbs, the
rungs of each track (admin rows or the built-in defaults) and the clock each track measures
its waits with.  A ladder runs only while the order is overdue (§6.5,
``rules.ladder.overdue_since``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from hotline.calendars.services import working_calendar
from hotline.orders.guards import unit_deadlines
from hotline.orders.models import WorkOrder
from hotline.rules import ladder as rl
from hotline.rules.calendar import CalendarYearUnknown
from hotline.supervision import defaults, notify
from hotline.supervision.models import SupervisionRecord


def track_of(order) -> str:
    """§6.4.4: emergency orders climb the emergency ladder."""
    return "emergency" if order.emergency_kind else "general"


def _default_steps(track: str) -> list[rl.Step]:
    from hotline.supervision.models import LadderStep

    return [LadderStep(**row).as_step() for row in defaults.rows() if row["track"] == track]


def load_steps(track: str) -> list[rl.Step]:
    """The active rungs of ``track`` in order; the built-in ladder while the administrator
    has no rows for the track."""
    from hotline.supervision.models import LadderStep

    rows = list(LadderStep.objects.filter(track=track).order_by("position", "id"))
    if not rows:
        return _default_steps(track)
    return [r.as_step() for r in rows if r.active]


def working_time(start: datetime, span: timedelta) -> datetime:
    """Working-day time (weekends, holidays skipped, 调休 counted) — falls back to clock time
    for a year whose holidays are not loaded."""
    try:
        return working_calendar().after_working_seconds(start, span.total_seconds())
    except CalendarYearUnknown:
        return start + span


@dataclass
class Ladders:
    """Both tracks, loaded once per sweep or request."""

    steps: dict[str, list[rl.Step]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Ladders:
        return cls({t.code: load_steps(t.code) for t in rl.TRACKS})

    def start_after(self, track: str) -> timedelta:
        return timedelta(minutes=settings.HOTLINE_SUPERVISION[f"{track}_start_after_minutes"])

    def advance(self, track: str) -> rl.Advance:
        return rl.natural if track == "emergency" else working_time

    def plan(
        self,
        order,
        deadlines: Iterable[tuple[str, datetime, datetime]],
        taken: Iterable[rl.Taken],
        now: datetime,
    ) -> rl.Plan | None:
        track = track_of(order)
        return rl.plan(
            self.steps.get(track, []),
            list(taken),
            behind_since=rl.overdue_since([(kind, due) for kind, due, _ in deadlines], now),
            supervised_at=order.supervised_at,
            start_after=self.start_after(track),
            advance=self.advance(track),
        )


def ladder_inputs(order_ids: list[int]):
    """Deadlines ``(kind, due, warn)`` and steps taken, per order, in two queries."""
    dls: dict[int, list] = defaultdict(list)
    for oid, kind, due, warn in (
        unit_deadlines()
        .filter(order_id__in=order_ids)
        .values_list("order_id", "kind", "due_at", "warn_at")
    ):
        dls[oid].append((kind, due, warn))
    taken: dict[int, list[rl.Taken]] = defaultdict(list)
    for oid, method, at, effective in (
        SupervisionRecord.objects.filter(order_id__in=order_ids)
        .order_by("at", "pk")
        .values_list("order_id", "method", "at", "effective")
    ):
        taken[oid].append(rl.Taken(method, at, effective))
    return dls, taken


def rung_drafts(key: str, text: notify.Text, order: WorkOrder, step: rl.Step):
    return notify.drafts(
        key,
        text,
        order=order,
        unit=order.lead_unit,
        recipients=step.recipients,
        channels=step.channels,
    )


def contacts(order: WorkOrder, step: rl.Step) -> list[dict[str, str]]:
    """Whom a rung reaches, with names and phone numbers on file (for the board and for
    the record's ``target``)."""
    unit = order.lead_unit
    out: list[dict[str, str]] = []
    for who in step.recipients:
        label = rl.RECIPIENTS.label(who)
        if who == "handlers" and unit:
            out += [
                {"who": who, "label": label, "name": u.display_name, "phone": u.phone}
                for u in notify.unit_handlers(unit)
            ] or [{"who": who, "label": label, "name": unit.name, "phone": unit.phone}]
        elif who == "unit" and unit:
            out.append({"who": who, "label": label, "name": unit.contact_name, "phone": unit.phone})
        elif who == "leader" and unit:
            out.append(
                {"who": who, "label": label, "name": unit.leader_name, "phone": unit.leader_phone}
            )
        elif who == "head" and unit:
            out.append(
                {"who": who, "label": label, "name": unit.head_name, "phone": unit.head_phone}
            )
        elif who == "emergency":
            out += [
                {"who": who, "label": label, "name": e.name, "phone": e.phone}
                for e in notify.emergency_depts()
            ]
    return out


def contacts_text(order: WorkOrder, step: rl.Step) -> str:
    parts = [
        f"{c['label']}{c['name']}{c['phone'] and ' ' + c['phone']}" for c in contacts(order, step)
    ]
    return "；".join(parts)[:100]
