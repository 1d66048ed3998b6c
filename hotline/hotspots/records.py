"""The plain record the hotspot analysis reads, and how anything else becomes one.

The analytics app hands us rows from the database (dicts from ``.values()``, model
instances or these dataclasses); benchmarks hand us CSV rows.  ``to_appeal`` accepts all
of them so that neither side has to know the other's field names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

AppealId = str | int


class NaiveTimeError(ValueError):
    """An appeal's time has no zone: weeks and days could not be cut honestly."""


@dataclass(frozen=True, slots=True)
class Appeal:
    """One citizen appeal as the analysis sees it.

    ``citizen`` is whatever identifies the person (phone number, user id); ``area`` is a
    place string or an area id from the work order, which is trusted more than places
    found in the text, and ``area_name`` the area's name for a reader (a group's label
    never shows a bare id).  ``category`` is the domain or sub-category code.
    """

    id: AppealId
    title: str
    text: str
    time: datetime
    category: str | None = None
    area: str | None = None
    citizen: str | None = None
    likes: int = 0
    unit: str | None = None
    area_name: str | None = None


# Accepted spellings of each field, first match wins.  Kept short on purpose: callers with
# other names should build ``Appeal`` themselves.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "pk"),
    "title": ("title", "subject"),
    "text": ("text", "body", "content"),
    "time": ("time", "created_at", "received_at"),
    "category": ("category", "domain"),
    "area": ("area", "place", "area_id"),
    "citizen": ("citizen", "user", "phone", "citizen_id", "user_id"),
    "likes": ("likes",),
    "unit": ("unit", "unit_id"),
    "area_name": ("area_name", "area__name"),
}


def _field(row: Any, name: str) -> Any:
    for key in _ALIASES[name]:
        if isinstance(row, Mapping):
            if key in row:
                return row[key]
        elif hasattr(row, key):
            return getattr(row, key)
    return None


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def to_appeal(row: Appeal | Mapping[str, Any] | Any) -> Appeal:
    """Build an ``Appeal`` from a dataclass, a mapping or any object with attributes.

    Raises ``NaiveTimeError`` for a time without a zone and ``ValueError`` when the id or
    the time is missing.
    """
    if isinstance(row, Appeal):
        appeal = row
    else:
        appeal_id = _field(row, "id")
        moment = _field(row, "time")
        if appeal_id is None or moment is None:
            raise ValueError(f"an appeal needs an id and a time: {row!r}")
        likes = _field(row, "likes")
        appeal = Appeal(
            id=appeal_id,
            title=str(_field(row, "title") or ""),
            text=str(_field(row, "text") or ""),
            time=moment,
            category=_optional_str(_field(row, "category")),
            area=_optional_str(_field(row, "area")),
            citizen=_optional_str(_field(row, "citizen")),
            likes=int(likes or 0),
            unit=_optional_str(_field(row, "unit")),
            area_name=_optional_str(_field(row, "area_name")),
        )
    if not isinstance(appeal.time, datetime):
        raise ValueError(f"appeal {appeal.id!r}: time must be a datetime")
    if appeal.time.tzinfo is None or appeal.time.utcoffset() is None:
        raise NaiveTimeError(f"appeal {appeal.id!r}: time must be timezone-aware")
    return appeal


def to_appeals(rows: Iterable[Appeal | Mapping[str, Any] | Any]) -> list[Appeal]:
    """``to_appeal`` for each row; ids must be unique."""
    appeals = [to_appeal(row) for row in rows]
    seen: set[AppealId] = set()
    for appeal in appeals:
        if appeal.id in seen:
            raise ValueError(f"duplicate appeal id {appeal.id!r}")
        seen.add(appeal.id)
    return appeals
