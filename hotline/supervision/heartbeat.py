"""The sweep's heartbeat: when the last sweep completed, and whether that is too long ago.

The sweep writes its completion time (the injected clock) at the end of every run
(``beat``); ``/health`` answers 503 and the 督办员's board shows a red banner
(督办引擎已停止 N 分钟) when it is older than ``STALE_AFTER`` — a stalled or stopped
worker, a queue that does not deliver, a database the worker cannot reach.  A database that
never saw a sweep counts as stalled too (the worker runs one as it starts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline import clock
from hotline.supervision.models import Heartbeat

SWEEP = "sweep"
STALE_AFTER = timedelta(minutes=5)


def beat(name: str = SWEEP, at: datetime | None = None) -> None:
    """Record that ``name`` completed a turn at ``at`` (default: now); one atomic upsert, so
    two workers finishing together do not collide."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=at or clock.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at"],
    )


@dataclass(frozen=True)
class Pulse:
    last: datetime | None  # when the last turn completed; None: never
    now: datetime

    @property
    def lag_seconds(self) -> float | None:
        return None if self.last is None else max(0.0, (self.now - self.last).total_seconds())

    @property
    def stale(self) -> bool:
        return self.last is None or self.now - self.last > STALE_AFTER

    @property
    def stopped_minutes(self) -> int | None:
        """Whole minutes since the last completed turn, when stale (for the banner)."""
        if not self.stale or self.last is None:
            return None
        return int((self.now - self.last).total_seconds() // 60)


def pulse(name: str = SWEEP, now: datetime | None = None) -> Pulse:
    row = Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
    return Pulse(last=row, now=now or clock.now())
