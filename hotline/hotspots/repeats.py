"""Repeated appeals: one citizen, one fact, several appeals (§4.2 b, SPEC §7).

Within each citizen's appeals, two are linked when their adjusted similarity (places and
areas must agree, as for groups) reaches ``repeat_similarity`` and they are at most
``repeat_window_days`` apart; linked appeals form a chain.  A citizen writing about five
different matters gives no chain; the same matter five times gives one chain of five.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from hotline.hotspots.config import HotspotConfig
from hotline.hotspots.corpus import Corpus
from hotline.hotspots.features import row_dots
from hotline.hotspots.report import RepeatChain


def repeat_chains(corpus: Corpus, config: HotspotConfig) -> list[RepeatChain]:
    """Chains of two or more similar appeals per citizen, longest first."""
    by_citizen: dict[str, list[int]] = defaultdict(list)
    for i, appeal in enumerate(corpus.appeals):
        if appeal.citizen:
            by_citizen[appeal.citizen].append(i)
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
    sim = corpus.adjust(left, right, row_dots(corpus.matrix, left, right), config)
    near = np.abs(corpus.days[left] - corpus.days[right]) <= config.repeat_window_days
    keep = (sim >= config.repeat_similarity) & near
    left, right, sim = left[keep], right[keep], sim[keep]

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
