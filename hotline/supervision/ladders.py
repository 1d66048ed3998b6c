"""The configured ladders, read for the rules' ``plan``: which track an order climbs, the
rungs of each track (admin rows or the built-in defaults), the clock each track measures
its waits with, and since when an order is behind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from hotline.calendars.services import working_calendar
from hotline.rules import ladder as rl
from hotline.rules.calendar import CalendarYearUnknown
from hotline.supervision import defaults

# Deadlines the lead unit answers for; dispatch and callback limits are the centre's own.
UNIT_KINDS = ("sign", "feedback", "extension", "hang_up")


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

    def start_on(self, track: str) -> str:
        return settings.HOTLINE_SUPERVISION[f"{track}_start_on"]

    def start_after(self, track: str) -> timedelta:
        return timedelta(minutes=settings.HOTLINE_SUPERVISION[f"{track}_start_after_minutes"])

    def advance(self, track: str) -> rl.Advance:
        return rl.natural if track == "emergency" else working_time

    def behind_since(
        self, track: str, deadlines: Iterable[tuple[str, datetime, datetime]], now: datetime
    ) -> datetime | None:
        """Since when the order is behind: the earliest due (or, for a track that starts on
        warning, warning) instant already passed among the unit's running deadlines
        ``(kind, due_at, warn_at)``."""
        warn = self.start_on(track) == "warning"
        instants = [
            (w if warn else d)
            for kind, d, w in deadlines
            if kind in UNIT_KINDS and (w if warn else d) <= now
        ]
        return min(instants, default=None)

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
            behind_since=self.behind_since(track, deadlines, now),
            supervised_at=order.supervised_at,
            start_after=self.start_after(track),
            advance=self.advance(track),
        )
