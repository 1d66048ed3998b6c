"""Ranking the units an order could be dispatched to (智能派单, §6.3: nature of the problem,
responsible unit, territory) — jurisdiction first.

A reviewer trusts the first suggestion, so it must be a unit that may handle the order
where it happened.  The units come in three tiers:

1. **管辖** — units whose jurisdiction contains the order's area and which are responsible
   for its category (declared responsibilities, or a catalogue rule 派单目录 naming them);
   the closest jurisdiction first (a district's bureau before the city's), then the
   catalogue rule, then the share of similar orders they handled;
2. **本地历史** — other units that handled similar orders *within the order's area* (the
   most specific area level with history; city-wide figures do not count here);
3. the rest — a rule whose unit lies outside the area, or city-wide history — kept last,
   for the reviewer to judge.

The list is never cut before the jurisdiction units: all of them are kept (up to
``MAX_JURISDICTION``), then it is filled up to ``limit``.  Pure: no Django, plain values in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_JURISDICTION = 5

TIER_JURISDICTION = 0
TIER_LOCAL_HISTORY = 1
TIER_OTHER = 2

TIER_LABELS = {
    TIER_JURISDICTION: "属地管辖",
    TIER_LOCAL_HISTORY: "本区域历史",
    TIER_OTHER: "其他参考",
}


@dataclass
class Candidate:
    """One unit as the routing sources see it.

    ``cover_depth``: the depth of the unit's area that contains the order's area (1 = the
    city, larger = closer); 0 when the unit declares no area (the whole territory); None when
    its jurisdiction does not contain the order's area.  ``rule``: the best catalogue rule's
    score, None without one.  ``share``: the unit's share of similar orders at the history
    level used; ``local_history`` whether that level lies within the order's area."""

    unit_id: int
    name: str
    duty: bool = False
    cover_depth: int | None = None
    cover_name: str = ""
    rule: float | None = None
    share: float | None = None
    local_history: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def covers(self) -> bool:
        return self.cover_depth is not None

    def tier(self, has_area: bool) -> int:
        responsible = self.duty or self.rule is not None
        if responsible and (self.covers or not has_area):
            return TIER_JURISDICTION
        if self.share and self.local_history:
            return TIER_LOCAL_HISTORY
        return TIER_OTHER

    def score(self) -> float:
        """A single figure for the API and the feedback record (tier order decides)."""
        return (
            (0.6 if self.rule is not None else 0.0)
            + (0.3 if self.duty and self.covers else 0.0)
            + 0.05 * (self.cover_depth or 0)
            + 0.5 * (self.share or 0.0)
        )


def rank(candidates: list[Candidate], *, has_area: bool, limit: int = 3) -> list[Candidate]:
    """The candidates in the order shown: jurisdiction, then local history, then the rest;
    every jurisdiction unit kept (up to ``MAX_JURISDICTION``), the list filled to ``limit``."""

    def key(c: Candidate) -> tuple[int, int, float, float, str]:
        t = c.tier(has_area)
        if t == TIER_JURISDICTION:
            return (t, -(c.cover_depth or 0), -(c.rule or 0.0), -(c.share or 0.0), c.name)
        if t == TIER_LOCAL_HISTORY:
            return (t, 0, 0.0, -(c.share or 0.0), c.name)
        return (t, 0, -c.score(), 0.0, c.name)

    ordered = sorted(candidates, key=key)
    first = [c for c in ordered if c.tier(has_area) == TIER_JURISDICTION][:MAX_JURISDICTION]
    rest = [c for c in ordered if c.tier(has_area) != TIER_JURISDICTION]
    return first + rest[: max(0, limit - len(first))]


def jurisdiction_reason(c: Candidate, category: str, area: str) -> str:
    """Why a first-tier unit is suggested, in the reviewer's words."""
    if c.cover_depth == 0:
        where = "管辖区域不限"
    elif c.cover_name and c.cover_name != area:
        where = f"管辖{c.cover_name}（含{area}）"
    else:
        where = f"管辖{area}" if area else ""
    duty = f"职责含{category}" if c.duty else "派单目录指定"
    return "属地：" + "，".join(x for x in (where, duty) if x)
