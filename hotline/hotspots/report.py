"""What the analysis returns: plain frozen dataclasses that serialise to JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from hotline.hotspots.records import AppealId


@dataclass(frozen=True)
class TrendPoint:
    """Appeals of a group in the day or week (Monday) starting on ``start``, local time."""

    start: date
    count: int


@dataclass(frozen=True)
class Group:
    """A concentrated issue: similar appeals about one matter, place and time.

    ``size`` counts member records; ``duplicates`` of them repeat another member's text at
    the same moment (the same appeal entered twice) and do not add to the heat.
    ``citizens`` counts distinct citizens (an appeal without a citizen key counts as its
    own citizen).  ``places``, ``units`` and ``categories`` are ``(value, count)`` pairs,
    most frequent first.  ``representative_id`` is the member most like the others.
    """

    label: str
    terms: tuple[str, ...]
    place: str | None
    member_ids: tuple[AppealId, ...]
    representative_id: AppealId
    size: int
    duplicates: int
    citizens: int
    likes: int
    first: datetime
    last: datetime
    places: tuple[tuple[str, int], ...]
    units: tuple[tuple[str, int], ...]
    categories: tuple[tuple[str, int], ...]
    heat: float
    trend: tuple[TrendPoint, ...]

    @property
    def span_days(self) -> float:
        return (self.last - self.first).total_seconds() / 86_400


@dataclass(frozen=True)
class RisingTopic:
    """A term or group whose count in the latest period is high against the periods before.

    ``current`` is the count in the latest period, ``expected`` the count the baseline
    predicts for it (volume-adjusted), ``ratio`` = (current + 1) / (expected + 1) and
    ``z`` = (current − expected) / √expected, the Poisson z-score.  For terms the counts
    are distinct citizens; for groups they are member records.
    """

    kind: str  # "term" or "group"
    key: str  # the word, or the group's label
    current: int
    baseline: tuple[int, ...]  # oldest period first
    expected: float
    ratio: float
    z: float
    example_ids: tuple[AppealId, ...]
    related: tuple[str, ...] = ()  # terms folded into this one: mostly the same appeals


@dataclass(frozen=True)
class RepeatChain:
    """Appeals by one citizen about one fact, oldest first."""

    citizen: str
    member_ids: tuple[AppealId, ...]
    first: datetime
    last: datetime
    similarity: float  # the lowest similarity among the links that join the chain
    title: str


@dataclass(frozen=True)
class HotspotReport:
    """Everything ``find_hotspots`` found, for the period ending at ``now``."""

    now: datetime
    appeals: int
    groups: tuple[Group, ...]  # hottest first
    rising_terms: tuple[RisingTopic, ...]  # highest z first
    rising_groups: tuple[RisingTopic, ...]
    repeats: tuple[RepeatChain, ...]  # longest first

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes and dates as ISO strings."""
        out: dict[str, Any] = _jsonable(asdict(self))
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
