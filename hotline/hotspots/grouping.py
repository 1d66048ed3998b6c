"""Groups of similar appeals: link, split what chained, describe for a reader.

1. Link: pairs of appeals with cosine >= ``link_similarity`` within ``window_days``
   (``features.similar_pairs``), after the place/area/category rules of ``Corpus.adjust``.
2. Connected components of those links.  Components above ``max_component`` are split by
   raising the link threshold in steps of 0.05 until every piece fits.
3. Inside each component, average-linkage clustering on the adjusted similarities, cut
   where the members of a cluster are on average less than ``group_similarity`` alike.
   Single links chain ("噪音扰民 in estate X" ~ "噪音扰民 in estate Y" ~ …); the average
   does not.
4. Keep clusters with at least ``min_group_size`` appeals from ``min_group_citizens``
   citizens: fewer is a case, or one person's repeats, not a concentrated issue.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components

from hotline.hotspots.config import HotspotConfig
from hotline.hotspots.corpus import Corpus
from hotline.hotspots.features import row_dots, similar_pairs
from hotline.hotspots.places import DISTRICT, strip_admin_names
from hotline.hotspots.report import Group
from hotline.hotspots.stats import heat_score, trend_series
from hotline.hotspots.text import noun_phrases, phrase_idf

_SPLIT_STEP = 0.05
_PLACE_SHARE = 0.4  # a place names the group when at least this share of members name it
_IDF_SAMPLE = 2000
_LABEL_SAMPLE = 40  # members read to label a group: shared words show in any 40
_CODED_WORD = re.compile(r"^[a-z]{1,2}\d{0,3}[省市区县]?$")


def cluster(corpus: Corpus, config: HotspotConfig) -> list[np.ndarray]:
    """Member indices (into ``corpus``) of each cluster, before size filtering."""
    n = len(corpus)
    pairs = similar_pairs(
        corpus.matrix,
        corpus.days,
        threshold=config.link_similarity,
        window_days=config.window_days,
        neighbours=config.neighbours,
    )
    sim = corpus.adjust(pairs.left, pairs.right, pairs.similarity, config)
    keep = sim >= config.link_similarity
    left, right, sim = pairs.left[keep], pairs.right[keep], sim[keep]

    components = [
        np.sort(members)
        for members in _components(n, left, right, sim, config.link_similarity, config)
        if len(members) >= config.min_group_size
    ]
    return _average_linkage(corpus, components, config)


def _components(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    sim: np.ndarray,
    threshold: float,
    config: HotspotConfig,
) -> list[np.ndarray]:
    """Connected components, too-large ones split by raising the threshold."""
    graph = sparse.coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.r_[0, np.flatnonzero(np.diff(labels[order])) + 1, n]
    out: list[np.ndarray] = []
    for b in range(count):
        members = order[bounds[b] : bounds[b + 1]]
        if len(members) <= config.max_component or threshold + _SPLIT_STEP > 1.0:
            out.append(members)
            continue
        # Re-run on the component alone with a stricter threshold.
        inside = np.isin(left, members) & (sim >= threshold + _SPLIT_STEP)
        local = {int(g): k for k, g in enumerate(members)}
        sub_left = np.array([local[int(x)] for x in left[inside]], dtype=np.int64)
        sub_right = np.array([local[int(x)] for x in right[inside]], dtype=np.int64)
        for sub in _components(
            len(members), sub_left, sub_right, sim[inside], threshold + _SPLIT_STEP, config
        ):
            out.append(members[sub])
    return out


def _average_linkage(
    corpus: Corpus, components: list[np.ndarray], config: HotspotConfig
) -> list[np.ndarray]:
    """Cut each component by average linkage on its adjusted pairwise similarities.

    All pairs of all components are scored in one vectorised pass (pairs are laid out in
    the condensed order scipy expects), which avoids per-component sparse overhead when
    there are thousands of small components.
    """
    if not components:
        return []
    lefts, rights = [], []
    for members in components:
        a, b = np.triu_indices(len(members), k=1)
        lefts.append(members[a])
        rights.append(members[b])
    left, right = np.concatenate(lefts), np.concatenate(rights)
    sim = corpus.adjust(left, right, row_dots(corpus.matrix, left, right), config)
    distance = np.clip(1.0 - sim, 0.0, 1.0).astype(np.float64)

    clusters: list[np.ndarray] = []
    offset = 0
    for members in components:
        pairs = len(members) * (len(members) - 1) // 2
        tree = linkage(distance[offset : offset + pairs], method="average")
        offset += pairs
        labels = fcluster(tree, t=1.0 - config.group_similarity, criterion="distance")
        clusters.extend(members[labels == label] for label in np.unique(labels))
    return clusters


def keep_groups(
    corpus: Corpus, clusters: list[np.ndarray], config: HotspotConfig
) -> list[np.ndarray]:
    """Clusters big and broad enough to be a concentrated issue."""
    kept = []
    for members in clusters:
        real = members[~corpus.duplicate[members]]
        if (
            len(real) >= config.min_group_size
            and _citizens(corpus, real) >= config.min_group_citizens
        ):
            kept.append(members)
    return kept


def _citizens(corpus: Corpus, members: np.ndarray) -> int:
    keys = {corpus.appeals[i].citizen or f"\0{i}" for i in members}
    return len(keys)


def describe_groups(
    corpus: Corpus, groups: Sequence[np.ndarray], now: datetime, config: HotspotConfig
) -> list[tuple[Group, np.ndarray]]:
    """A readable ``Group`` for each member array, hottest first, with its members."""
    zone = ZoneInfo(config.timezone)
    member_words = _member_words(corpus, groups, config)
    idf = _reference_idf(corpus, config) if groups else {"": 1.0}
    described = [
        (_describe(corpus, members, member_words, idf, now, zone, config), np.sort(members))
        for members in groups
    ]
    described.sort(key=lambda gm: (-gm[0].heat, gm[0].first, str(gm[0].member_ids[0])))
    return described


def _member_words(
    corpus: Corpus, groups: Sequence[np.ndarray], config: HotspotConfig
) -> dict[int, list[str]]:
    """Noun phrases of the members that label each group (an even sample of big groups)."""
    indices = sorted({int(i) for members in groups for i in _label_sample(members)})
    return {i: noun_phrases(corpus.tagged(i)) for i in indices}


def _label_sample(members: np.ndarray) -> np.ndarray:
    if len(members) <= _LABEL_SAMPLE:
        return members
    return np.sort(members)[np.linspace(0, len(members) - 1, _LABEL_SAMPLE).astype(np.int64)]


def _reference_idf(corpus: Corpus, config: HotspotConfig) -> dict[str, float]:
    """Inverse document frequency of words over an evenly spaced sample of appeals."""
    n = len(corpus)
    sample = np.unique(np.linspace(0, n - 1, min(n, _IDF_SAMPLE)).astype(np.int64))
    frequency: Counter[str] = Counter()
    for ws in corpus.words(sample, config.workers):
        frequency.update(set(ws))
    size = len(sample)
    return {w: math.log((size + 1) / (c + 1)) + 1.0 for w, c in frequency.items()} | {
        "": math.log(size + 1) + 1.0  # the idf of a word the sample never saw
    }


def _describe(
    corpus: Corpus,
    members: np.ndarray,
    member_words: dict[int, list[str]],
    idf: dict[str, float],
    now: datetime,
    zone: ZoneInfo,
    config: HotspotConfig,
) -> Group:
    members = np.sort(members)
    appeals = [corpus.appeals[i] for i in members]
    real = members[~corpus.duplicate[members]]
    real_appeals = [corpus.appeals[i] for i in real]
    citizens = _citizens(corpus, real)
    likes = sum(max(a.likes, 0) for a in real_appeals)
    last = appeals[-1].time
    places = Counter(p.name for i in members for p in corpus.places[i])
    place = _dominant_place(corpus, members)
    named = tuple(name for name, count in places.items() if count >= 2) + place
    terms = _key_terms(_label_sample(members), member_words, idf, named)
    label_place = " ".join(place) if place else ""
    label_terms = " ".join(terms[: config.label_terms])
    if label_place and label_terms:
        label = f"{label_place} / {label_terms}"
    else:
        label = label_place or label_terms or _title_label(corpus, members)
    return Group(
        label=label,
        terms=terms,
        place=label_place or None,
        member_ids=tuple(a.id for a in appeals),
        representative_id=corpus.appeals[_representative(corpus, members)].id,
        size=len(members),
        duplicates=int(corpus.duplicate[members].sum()),
        citizens=citizens,
        likes=likes,
        first=appeals[0].time,
        last=last,
        places=tuple(sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[:8]),
        units=_tally(a.unit for a in appeals),
        categories=_tally(a.category for a in appeals),
        heat=round(
            heat_score(
                appeals=len(real),
                citizens=citizens,
                likes=likes,
                age_days=(now - last).total_seconds() / 86_400,
                repeat_weight=config.repeat_weight,
                likes_weight=config.likes_weight,
                half_life_days=config.half_life_days,
            ),
            3,
        ),
        trend=trend_series((a.time for a in appeals), config.trend, zone),
    )


def _title_label(corpus: Corpus, members: np.ndarray) -> str:
    """A group with neither place nor terms is named by its representative's title, as
    written (admin names out: they would be the place)."""
    appeal = corpus.appeals[_representative(corpus, members)]
    title = " ".join(strip_admin_names(appeal.title or appeal.text[:60]).split())
    return title[:30]


def _tally(values: Iterable[str | None]) -> tuple[tuple[str, int], ...]:
    counts = Counter(v for v in values if v)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _dominant_place(corpus: Corpus, members: np.ndarray) -> tuple[str, ...]:
    """The district (or work-order area) and the estate/road/village most members name."""
    size = len(members)
    need = max(2, math.ceil(size * _PLACE_SHARE))
    chosen: list[str] = []

    # A work-order area counts by its id and is shown by its name; a bare id is no label.
    names = corpus.area_names()
    areas = Counter(
        names.get(a.area) or a.area
        for a in (corpus.appeals[i] for i in members)
        if a.area and (a.area in names or not a.area.isdigit())
    )
    districts = Counter(p.name for i in members for p in corpus.places[i] if p.level == DISTRICT)
    for counts in (areas, districts):
        if counts:
            name, count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if count >= need:
                chosen.append(name)
                break

    # Estates, roads, villages: counted by how many members' texts contain the name's core,
    # not by how many had it extracted, since extraction misses names without a suffix in
    # some texts.  Titles count first (a body's names are often passing mentions or carry
    # a verb glued on: "一下雨建设路"); among names nearly as well supported as the best,
    # the longest wins ("伊景园滨河苑" over "滨河苑").
    spelling = Counter(p.name for i in members for p in corpus.places[i] if p.rank >= 2)
    cores = {p.core.lower(): p.name for i in members for p in corpus.places[i] if p.rank >= 2}
    titles = [corpus.titles[i] for i in members]
    texts = [f"{corpus.titles[i]} {corpus.heads[i]}" for i in members]
    support = {c: (sum(c in t for t in titles), sum(c in t for t in texts)) for c in cores}
    for level in (0, 1):
        best = max((s[level] for s in support.values()), default=0)
        floor = max(need, math.ceil(0.8 * best))
        candidates = [c for c, s in support.items() if s[level] >= floor]
        if candidates:
            core = min(candidates, key=lambda c: (-len(c), -support[c][level], c))
            variants = [n for n in spelling if n.lower().startswith(core)]
            chosen.append(
                min(variants, key=lambda n: (-spelling[n], n)) if variants else cores[core]
            )
            break
    return tuple(chosen)


def _key_terms(
    members: np.ndarray,
    member_words: dict[int, list[str]],
    idf: dict[str, float],
    names: tuple[str, ...],
) -> tuple[str, ...]:
    """Noun phrases most characteristic of the group: share of members using it × idf.

    A phrase is scored by its rarest word (``phrase_idf``) and a longer phrase used by as
    many members wins over its parts ("捆绑销售车位" over "车位").  Phrases inside the
    group's place names are left out ("劳动东路" segments into "劳动" "东路"): the place is
    shown separately, the terms should say what happened there.
    """
    frequency: Counter[str] = Counter()
    for i in members:
        frequency.update(set(member_words[int(i)]))
    need = 2 if len(members) >= 2 else 1
    scored = []
    for phrase, count in frequency.items():
        if count < need or _CODED_WORD.match(phrase):
            continue
        if any(_overlaps(phrase, name) for name in names):
            continue
        scored.append((-(count / len(members)) * phrase_idf(phrase, idf), phrase))
    scored.sort()
    chosen: list[str] = []
    for _, phrase in scored:
        # "搅拌站" and "搅拌", "国际早教" and "早教中心" say the same thing twice.
        if not any(_overlaps(phrase, c) for c in chosen):
            chosen.append(phrase)
        if len(chosen) == 5:
            break
    return tuple(chosen)


def _overlaps(phrase: str, name: str) -> bool:
    """One inside the other, or one running on into the other ("东路魅力" after the place
    "劳动东路": a phrase cut across a name)."""
    if phrase in name or name in phrase:
        return True
    return any(
        phrase.startswith(name[-k:]) or name.startswith(phrase[-k:])
        for k in range(2, min(len(phrase), len(name)))
    )


def _representative(corpus: Corpus, members: np.ndarray) -> int:
    """The member with the highest mean similarity to the others (ties: the earliest)."""
    rows = corpus.matrix[members]
    mean = np.asarray((rows @ rows.T).sum(axis=1)).ravel()
    return int(members[int(np.argmax(mean))])
