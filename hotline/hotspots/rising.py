"""Rising topics: what the latest period has much more of than the periods before.

Periods are cut back from ``now``: the latest is ``(now − d, now]``, baseline period ``k``
is ``(now − (k+1)·d, now − k·d]`` for ``k = 1 … B`` (``d = rising_days``, ``B =
baseline_periods``).  The statistic is ``stats.rising_statistic``.

Terms are the content words of each appeal's title (the opening of its body when it has
no title), and they count distinct citizens, not appeals, so one person writing five
times this week does not make a trend.  A term whose appeals this period are mostly those of a term
already listed is folded into it as ``related``, so one event ("丽发新城" "搅拌站"
"粉尘") shows as one line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from hotline.hotspots.config import HotspotConfig
from hotline.hotspots.corpus import Corpus
from hotline.hotspots.report import Group, RisingTopic
from hotline.hotspots.stats import rising_statistic

_RELATED_SHARE = 0.6
_EXAMPLES = 3


@dataclass(frozen=True)
class _Periods:
    """Period number of each appeal: 0 the latest, 1 … B the baseline, -1 outside."""

    index: np.ndarray
    count: int

    @classmethod
    def cut(cls, corpus: Corpus, now: datetime, config: HotspotConfig) -> _Periods:
        length = timedelta(days=config.rising_days).total_seconds() / 86_400
        end = now.timestamp() / 86_400
        age = end - corpus.days
        index = np.floor(np.where(age > 0, age, 0) / length).astype(np.int64)
        # (now − d, now] is period 0: an appeal at exactly now − d belongs to period 1.
        on_edge = (age > 0) & (np.mod(age, length) == 0)
        index[on_edge] -= 1
        count = config.baseline_periods + 1
        index[(age < 0) | (index >= count)] = -1
        return cls(index, count)


def rising_terms(corpus: Corpus, now: datetime, config: HotspotConfig) -> list[RisingTopic]:
    """Words used by many more citizens in the latest period than the baseline predicts."""
    periods = _Periods.cut(corpus, now, config)
    window = np.flatnonzero(periods.index >= 0)
    if not len(window):
        return []
    citizens_by: dict[tuple[str, int], set[str]] = defaultdict(set)
    appeals_by: dict[str, list[int]] = defaultdict(list)
    totals: list[set[str]] = [set() for _ in range(periods.count)]
    for i, ws in zip(window, corpus.words(window, config.workers), strict=True):
        period = int(periods.index[i])
        citizen = corpus.appeals[i].citizen or f"\0{i}"
        totals[period].add(citizen)
        for word in set(ws):
            citizens_by[word, period].add(citizen)
            if period == 0:
                appeals_by[word].append(int(i))
    total_counts = [len(t) for t in totals]

    found: list[tuple[RisingTopic, set[int]]] = []
    for word in sorted(appeals_by):
        counts = [len(citizens_by.get((word, p), ())) for p in range(periods.count)]
        topic = _topic("term", word, counts, total_counts, appeals_by[word], corpus, config)
        if topic is not None:
            found.append((topic, set(appeals_by[word])))
    found.sort(key=lambda tc: (-tc[0].z, -tc[0].current, tc[0].key))
    return _fold_related(found, config.rising_limit)


def rising_groups(
    corpus: Corpus,
    groups: Sequence[tuple[Group, np.ndarray]],
    now: datetime,
    config: HotspotConfig,
) -> list[RisingTopic]:
    """Groups with many more appeals in the latest period than the baseline predicts."""
    periods = _Periods.cut(corpus, now, config)
    real = ~corpus.duplicate
    totals = [int(np.sum((periods.index == p) & real)) for p in range(periods.count)]
    found = []
    for group, indices in groups:
        indices = indices[real[indices]]
        where = periods.index[indices]
        counts = [int(np.sum(where == p)) for p in range(periods.count)]
        latest = [int(i) for i in indices[where == 0]]
        topic = _topic("group", group.label, counts, totals, latest, corpus, config)
        if topic is not None:
            found.append(topic)
    found.sort(key=lambda t: (-t.z, -t.current, t.key))
    return found[: config.rising_limit]


def _topic(
    kind: str,
    key: str,
    counts: list[int],
    totals: list[int],
    latest: list[int],
    corpus: Corpus,
    config: HotspotConfig,
) -> RisingTopic | None:
    current, baseline = counts[0], counts[1:]
    if current < config.rising_min_count:
        return None
    expected, ratio, z = rising_statistic(current, baseline, totals[0], totals[1:])
    if z < config.rising_min_z:
        return None
    examples = sorted(latest, key=lambda i: (-corpus.days[i], i))[:_EXAMPLES]
    return RisingTopic(
        kind=kind,
        key=key,
        current=current,
        baseline=tuple(reversed(baseline)),
        expected=round(expected, 3),
        ratio=round(ratio, 3),
        z=round(z, 3),
        example_ids=tuple(corpus.appeals[i].id for i in examples),
    )


def _fold_related(found: list[tuple[RisingTopic, set[int]]], limit: int) -> list[RisingTopic]:
    kept: list[tuple[RisingTopic, set[int], list[str]]] = []
    for topic, appeals in found:
        for _, leader_appeals, related in kept:
            if len(appeals & leader_appeals) >= _RELATED_SHARE * len(appeals):
                related.append(topic.key)
                break
        else:
            kept.append((topic, appeals, []))
    return [replace(topic, related=tuple(related)) for topic, _, related in kept[:limit]]
