"""Repeated appeals: one citizen, one fact, several appeals (§4.2 b, §6.6.3 c, SPEC §7).

Two appeals of one citizen are linked when the project's one same-citizen-same-fact
detector says so (:func:`hotline.nlp.dedup.is_repeat`: texts alike by the duplicate
finder's measure, at most a year apart) and this analysis sees no conflict of place
(different districts, estates or work-order areas, as for groups); linked appeals form a
chain.  A citizen writing about five different matters gives no chain; the same matter
five times gives one chain of five.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from hotline.hotspots.config import HotspotConfig
from hotline.hotspots.corpus import Corpus
from hotline.hotspots.report import RepeatChain
from hotline.nlp.dedup import Appeal as DedupAppeal
from hotline.nlp.dedup import DedupIndex, citizen_key, is_repeat


def repeat_chains(corpus: Corpus, config: HotspotConfig) -> list[RepeatChain]:
    """Chains of two or more repeated appeals per citizen, longest first."""
    by_citizen: dict[str, list[int]] = defaultdict(list)
    for i, appeal in enumerate(corpus.appeals):
        key = citizen_key(appeal.citizen)
        if key:
            by_citizen[key].append(i)
    # Every pair of appeals by the same citizen, scored at once.
    lefts, rights = [], []
    for indices in by_citizen.values():
        if len(indices) > 1:
            a, b = np.triu_indices(len(indices), k=1)
            lefts.append(np.asarray(indices)[a])
            rights.append(np.asarray(indices)[b])
    if not lefts:
        return []
    left, right = np.concatenate(lefts), np.concatenate(rights)
    # The detector's text measure, its word weights estimated on the whole corpus.
    index = DedupIndex(
        DedupAppeal(id=i, title=a.title, text=a.text) for i, a in enumerate(corpus.appeals)
    )
    text = index.pair_similarities(left, right)
    # Place rules of this analysis: a pair the grouping would veto or penalise is two facts.
    ones = np.ones(len(left), dtype=np.float32)
    different_place = corpus.adjust(left, right, ones, config) < 1.0
    days = np.abs(corpus.days[left] - corpus.days[right])
    keep = is_repeat(True, text, days, different_place)
    left, right, sim = left[keep], right[keep], text[keep]

    n = len(corpus)
    graph = sparse.coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    # Each member's best link inside its chain, for the chain's reported similarity.
    best = np.zeros(n, dtype=np.float32)
    np.maximum.at(best, left, sim)
    np.maximum.at(best, right, sim)
    sizes = np.bincount(labels, minlength=count)
    chains = []
    for label in np.flatnonzero(sizes > 1):
        members = np.flatnonzero(labels == label)
        appeals = [corpus.appeals[i] for i in members]
        chains.append(
            RepeatChain(
                citizen=str(appeals[0].citizen),
                member_ids=tuple(a.id for a in appeals),
                first=appeals[0].time,
                last=appeals[-1].time,
                similarity=round(float(best[members].min()), 3),
                title=appeals[0].title or corpus.heads[members[0]][:40],
            )
        )
    chains.sort(key=lambda c: (-len(c.member_ids), c.first, c.citizen))
    return chains
