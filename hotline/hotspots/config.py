"""Every knob of the analysis in one frozen object, with the reason for each default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class HotspotConfig:
    """Settings of ``find_hotspots``; the defaults suit a city centre's daily appeals.

    Similarities are cosines of character-bigram TF-IDF vectors (0 … 1).
    """

    # --- similarity and grouping -------------------------------------------------------
    # Two appeals are linked when their cosine reaches this; groups are then cut so that
    # members are on average at least ``group_similarity`` alike (average linkage), which
    # stops a chain A~B~C from pulling unrelated C into A's group.
    link_similarity: float = 0.25
    group_similarity: float = 0.15
    # Appeals further apart in time are never linked directly (a concentrated issue is a
    # burst; a long-running one is chained through the appeals in between).
    window_days: float = 30.0
    # Most similar partners kept per appeal: bounds the work on bursts of copies.
    neighbours: int = 30
    # Title weight against the body head; how much of the body is read.
    title_weight: float = 2.0
    body_chars: int = 300
    # Both appeals name estates/roads/villages, none shared, and neither text mentions the
    # other's: the similarity is multiplied by this.  Not a veto, because names are found
    # by a heuristic; strong enough that one complaint template used at two estates gives
    # two groups (a copy-paste campaign, cosine above ~0.85, still links).
    place_penalty: float = 0.3
    # Different districts named in the text, different ``area`` or different ``category``
    # given by the work order: never the same group.
    respect_area: bool = True
    respect_category: bool = False
    # Components larger than this are split by raising the link threshold before the
    # (quadratic) average linkage runs.
    max_component: int = 1500
    min_group_size: int = 3
    min_group_citizens: int = 2

    # --- heat and trend --------------------------------------------------------------
    # heat = (C + repeat_weight·(N − C) + likes_weight·ln(1 + L)) · (1 + 2^(−age/half_life)) / 2
    repeat_weight: float = 0.25
    likes_weight: float = 2.0
    half_life_days: float = 14.0
    trend: Literal["day", "week"] = "week"
    timezone: str = "Asia/Shanghai"
    label_terms: int = 2

    # --- rising topics ---------------------------------------------------------------
    # The latest ``rising_days`` days against the ``baseline_periods`` periods before.
    rising_days: int = 7
    baseline_periods: int = 8
    rising_min_count: int = 3
    rising_min_z: float = 3.0
    rising_limit: int = 20

    # Repeated appeals by one citizen are decided by the project's one detector
    # (``hotline.nlp.dedup.is_repeat``), with this analysis's place rules above.

    # --- resources ----------------------------------------------------------------------
    # Processes for jieba segmentation of many texts (labels and rising terms).
    workers: int = 1

    def __post_init__(self) -> None:
        for name in ("link_similarity", "group_similarity"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if self.group_similarity > self.link_similarity:
            raise ValueError("group_similarity cannot exceed link_similarity")
        if self.trend not in ("day", "week"):
            raise ValueError(f"trend must be 'day' or 'week', got {self.trend!r}")
        if self.rising_days < 1 or self.baseline_periods < 1:
            raise ValueError("rising_days and baseline_periods must be positive")
