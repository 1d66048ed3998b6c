"""The small formulas of the report, kept apart so each can be read and tested alone."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hotline.hotspots.report import TrendPoint


def heat_score(
    *,
    appeals: int,
    citizens: int,
    likes: int,
    age_days: float,
    repeat_weight: float,
    likes_weight: float,
    half_life_days: float,
) -> float:
    """How hot a group is: breadth first, persistence and support next, fresh above stale.

    ``heat = (C + r·(N − C) + l·ln(1 + L)) · (1 + 2^(−a/h)) / 2``

    * ``C`` distinct citizens — breadth is what makes an issue concentrated;
    * ``N − C`` further appeals by citizens already counted, weighted ``r`` (default ¼):
      persistence matters, but one person writing ten times is not ten people;
    * ``L`` likes, on a log scale because likes are very skewed (median 0, some in the
      thousands): 1,000 likes weigh about as much as 14 citizens with the default ``l = 2``;
    * ``a`` days from the group's last appeal to the report's ``now``, ``h`` the half-life:
      a group active today keeps its full weight, a long-finished one keeps half, so a
      big old issue still ranks but a fresh one of the same size ranks above it.
    """
    base = citizens + repeat_weight * max(appeals - citizens, 0)
    base += likes_weight * math.log1p(max(likes, 0))
    recency = 2.0 ** (-max(age_days, 0.0) / half_life_days)
    return float(base * (1.0 + recency) / 2.0)


def bucket_start(moment: datetime, granularity: str, zone: ZoneInfo) -> date:
    """The local day, or the Monday of the local week, that ``moment`` falls in."""
    day = moment.astimezone(zone).date()
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day


def trend_series(
    moments: Iterable[datetime], granularity: str, zone: ZoneInfo
) -> tuple[TrendPoint, ...]:
    """Counts per day or week from the first bucket to the last, empty buckets included."""
    counts = Counter(bucket_start(m, granularity, zone) for m in moments)
    if not counts:
        return ()
    step = timedelta(days=7 if granularity == "week" else 1)
    start, stop = min(counts), max(counts)
    series = []
    while start <= stop:
        series.append(TrendPoint(start, counts.get(start, 0)))
        start += step
    return tuple(series)


def rising_statistic(
    current: int,
    baseline: Sequence[int],
    current_total: int,
    baseline_totals: Sequence[int],
) -> tuple[float, float, float]:
    """``(expected, ratio, z)`` for a count in the latest period against earlier periods.

    The expected count applies the topic's share of the baseline volume to the latest
    period's volume, so a busy week (a holiday backlog, a storm) does not make every
    topic look like it is rising::

        expected = T_now · (Σ baseline + ½) / (Σ baseline_totals + 1)
        ratio    = (current + 1) / (expected + 1)
        z        = (current − expected) / √max(expected, 1)

    The ½ keeps a topic never seen before from having an expectation of exactly zero.
    Counts are treated as Poisson, whose variance equals its mean; the variance is
    floored at 1 so that a brand-new topic needs several appeals (four at z ≥ 3), not one,
    to count as rising.
    """
    if current_total <= 0:
        return 0.0, 0.0, 0.0
    share = (sum(baseline) + 0.5) / (sum(baseline_totals) + 1.0)
    expected = current_total * share
    ratio = (current + 1.0) / (expected + 1.0)
    z = (current - expected) / math.sqrt(max(expected, 1.0))
    return expected, ratio, z
