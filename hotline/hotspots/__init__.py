"""Concentrated issues (集中诉求, 热点) in citizens' appeals — §4.2 b of the standard.

Pure Python: no Django, no clock, no database.  The analytics app passes plain records
and the moment the analysis is for; everything else is computed here.

    report = find_hotspots(rows, now=now)          # groups, rising topics, repeats
    report.groups[0].label                         # "A5区 魅力之城小区 / 油烟 扰民"
    report.to_dict()                               # JSON for the dashboard

``rows`` may be ``Appeal`` objects, dicts or model instances (see ``records.to_appeal``
for the field names accepted).  Method and formulas: ``docs/hotspots.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from hotline.hotspots.config import HotspotConfig
from hotline.hotspots.corpus import Corpus, build_corpus
from hotline.hotspots.grouping import cluster, describe_groups, keep_groups
from hotline.hotspots.places import Place, extract_places
from hotline.hotspots.records import Appeal, NaiveTimeError, to_appeal, to_appeals
from hotline.hotspots.repeats import repeat_chains
from hotline.hotspots.report import Group, HotspotReport, RepeatChain, RisingTopic, TrendPoint
from hotline.hotspots.rising import rising_groups, rising_terms

__all__ = [
    "Appeal",
    "Group",
    "HotspotConfig",
    "HotspotReport",
    "NaiveTimeError",
    "Place",
    "RepeatChain",
    "RisingTopic",
    "TrendPoint",
    "extract_places",
    "find_hotspots",
    "group_appeals",
    "repeated_appeals",
    "rising_topics",
    "to_appeal",
]


def find_hotspots(
    records: Iterable[Any],
    *,
    now: datetime | None = None,
    config: HotspotConfig | None = None,
) -> HotspotReport:
    """Groups, rising terms and groups, and repeated appeals, computed on one corpus.

    ``now`` is the end of the analysed period (aware); it defaults to the latest appeal's
    time, never to the clock.  Appeals after ``now`` are ignored.
    """
    config = config or HotspotConfig()
    corpus, now = _prepare(records, now, config)
    members = keep_groups(corpus, cluster(corpus, config), config)
    described = describe_groups(corpus, members, now, config)
    groups = [g for g, _ in described]
    return HotspotReport(
        now=now,
        appeals=len(corpus),
        groups=tuple(groups),
        rising_terms=tuple(rising_terms(corpus, now, config)),
        rising_groups=tuple(rising_groups(corpus, described, now, config)),
        repeats=tuple(repeat_chains(corpus, config)),
    )


def group_appeals(
    records: Iterable[Any],
    *,
    now: datetime | None = None,
    config: HotspotConfig | None = None,
) -> list[Group]:
    """Only the groups of similar appeals, hottest first."""
    config = config or HotspotConfig()
    corpus, now = _prepare(records, now, config)
    members = keep_groups(corpus, cluster(corpus, config), config)
    return [group for group, _ in describe_groups(corpus, members, now, config)]


def rising_topics(
    records: Iterable[Any],
    *,
    now: datetime | None = None,
    config: HotspotConfig | None = None,
) -> list[RisingTopic]:
    """Only the rising terms of the period ending at ``now`` (no grouping: cheap weekly)."""
    config = config or HotspotConfig()
    corpus, now = _prepare(records, now, config)
    return rising_terms(corpus, now, config)


def repeated_appeals(
    records: Iterable[Any], *, config: HotspotConfig | None = None
) -> list[RepeatChain]:
    """Only the chains of repeated appeals by one citizen about one fact."""
    config = config or HotspotConfig()
    corpus = build_corpus(to_appeals(records), config)
    return repeat_chains(corpus, config)


def _prepare(
    records: Iterable[Any], now: datetime | None, config: HotspotConfig
) -> tuple[Corpus, datetime]:
    appeals = to_appeals(records)
    if now is None:
        if not appeals:
            raise ValueError("no appeals and no `now`: nothing to analyse")
        now = max(a.time for a in appeals)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise NaiveTimeError("`now` must be timezone-aware")
    appeals = [a for a in appeals if a.time <= now]
    return build_corpus(appeals, config), now
