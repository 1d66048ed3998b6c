"""Appeals prepared once for every analysis: sorted, normalised, vectorised, placed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from hotline.hotspots.config import HotspotConfig
from hotline.hotspots.features import tfidf_matrix
from hotline.hotspots.places import (
    DISTRICT,
    SPOT,
    TOWN,
    Place,
    extract_places,
    strip_admin_names,
)
from hotline.hotspots.records import Appeal
from hotline.hotspots.text import clauses, normalise, tag, words_many

_EPOCH_DAY = 86_400.0


@dataclass
class Corpus:
    """The appeals in time order with everything the analyses share.

    ``districts`` and ``spots`` are binary row-per-appeal matrices used to tell whether two
    appeals speak of different places: districts by name, estates/roads/villages by the
    bigrams of their names, so "丽发新城" and "丽发新城小区" overlap.
    """

    appeals: list[Appeal]
    days: np.ndarray
    titles: list[str]
    heads: list[str]
    matrix: sparse.csr_matrix
    places: list[tuple[Place, ...]]
    districts: sparse.csr_matrix
    spots: sparse.csr_matrix
    areas: np.ndarray
    categories: np.ndarray
    duplicate: np.ndarray
    spot_cores: list[tuple[str, ...]]
    _words: dict[int, list[str]] = field(default_factory=dict, repr=False)
    _tagged: dict[int, list[tuple[str, str]]] = field(default_factory=dict, repr=False)
    _area_names: dict[str, str] | None = field(default=None, repr=False)

    def area_names(self) -> dict[str, str]:
        """Work-order area → its name, where the records gave one."""
        if self._area_names is None:
            self._area_names = {a.area: a.area_name for a in self.appeals if a.area and a.area_name}
        return self._area_names

    def __len__(self) -> int:
        return len(self.appeals)

    def topic_text(self, index: int) -> str:
        """What the appeal is about, for words a person reads (labels, rising terms).

        The title says what the matter is; without one, the opening of the body does.
        City and district names are taken out: they are shown as places, and coded ones
        glue onto their neighbours in segmentation ("A市伊景园" gives "市伊").
        """
        return strip_admin_names(self.titles[index] or self.heads[index][:80])

    def words(self, indices: Sequence[int] | np.ndarray, workers: int = 1) -> list[list[str]]:
        """Content words of ``topic_text`` for each index, segmented once and cached."""
        missing = sorted({int(i) for i in indices} - self._words.keys())
        if missing:
            segmented = words_many([self.topic_text(i) for i in missing], workers)
            self._words.update(zip(missing, segmented, strict=True))
        return [self._words[int(i)] for i in indices]

    def tagged(self, index: int) -> list[tuple[str, str]]:
        """Words of ``topic_text`` with their part-of-speech tags, segmented once."""
        if index not in self._tagged:
            self._tagged[index] = tag(self.topic_text(index))
        return self._tagged[index]

    def adjust(
        self, left: np.ndarray, right: np.ndarray, similarity: np.ndarray, config: HotspotConfig
    ) -> np.ndarray:
        """Similarity of each pair after place, area and category rules (see config)."""
        out = similarity.astype(np.float32, copy=True)
        veto = _conflict(self.districts, left, right)
        if config.respect_area:
            veto |= _code_conflict(self.areas, left, right)
        if config.respect_category:
            veto |= _code_conflict(self.categories, left, right)
        out[veto] = 0.0
        out[self._spot_conflict(left, right)] *= config.place_penalty
        return out

    def _spot_conflict(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Both name estates/roads/villages, none shared, and neither text names the other's.

        The last test catches one place called two ways: an appeal titled by its road
        usually names the estate in its body, and then the two are not in conflict.
        """
        conflict = _conflict(self.spots, left, right)
        for k in np.flatnonzero(conflict):
            i, j = int(left[k]), int(right[k])
            text_i = self.titles[i] + " " + self.heads[i]
            text_j = self.titles[j] + " " + self.heads[j]
            if any(c in text_j for c in self.spot_cores[i]) or any(
                c in text_i for c in self.spot_cores[j]
            ):
                conflict[k] = False
        return conflict


def build_corpus(appeals: Sequence[Appeal], config: HotspotConfig) -> Corpus:
    """Sort by time (then id, for determinism) and prepare vectors and places."""
    ordered = sorted(appeals, key=lambda a: (a.time, str(a.id)))
    titles = [normalise(a.title) for a in ordered]
    # NFKC rarely changes length much: normalising a little more than is kept is enough.
    heads = [normalise(a.text[: config.body_chars + 20])[: config.body_chars] for a in ordered]
    matrix = tfidf_matrix(
        [clauses(t) for t in titles],
        [clauses(h) for h in heads],
        title_weight=config.title_weight,
    )
    days = np.array([a.time.timestamp() / _EPOCH_DAY for a in ordered], dtype=np.float64)

    places: list[tuple[Place, ...]] = []
    district_keys: list[set[str]] = []
    spot_keys: list[set[str]] = []
    spot_cores: list[tuple[str, ...]] = []
    for appeal in ordered:
        in_title = extract_places(appeal.title)
        in_head = extract_places(appeal.text[: config.body_chars])
        places.append(tuple(_unique(in_title + in_head)))
        # The title names the place the appeal is about; the body often names others in
        # passing ("我从A3区搬到A5区"), so it only counts when the title names none.
        district_keys.append(
            {p.name for p in in_title if p.level == DISTRICT}
            or {p.name for p in in_head if p.level == DISTRICT}
        )
        spot_keys.append(_spot_bigrams(in_title) or _spot_bigrams(in_head))
        fine = [p for p in in_title if p.level in (SPOT, TOWN)] or [
            p for p in in_head if p.level in (SPOT, TOWN)
        ]
        spot_cores.append(tuple(sorted({p.core.lower() for p in fine})))

    return Corpus(
        appeals=ordered,
        days=days,
        titles=titles,
        heads=heads,
        matrix=matrix,
        places=places,
        districts=_binary(district_keys),
        spots=_binary(spot_keys),
        areas=_codes([a.area for a in ordered]),
        categories=_codes([a.category for a in ordered]),
        duplicate=_duplicates(ordered),
        spot_cores=spot_cores,
    )


def _unique(places: list[Place]) -> list[Place]:
    seen: set[str] = set()
    out = []
    for place in places:
        if place.name not in seen:
            seen.add(place.name)
            out.append(place)
    return out


def _spot_bigrams(places: list[Place]) -> set[str]:
    keys: set[str] = set()
    for place in places:
        if place.level in (SPOT, TOWN):
            core = place.core
            keys.update(core[i : i + 2] for i in range(max(len(core) - 1, 1)))
    return keys


def _binary(keys: list[set[str]]) -> sparse.csr_matrix:
    vocabulary: dict[str, int] = {}
    indptr, indices = [0], []
    for row in keys:
        indices.extend(sorted(vocabulary.setdefault(k, len(vocabulary)) for k in row))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix(
        (data, np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
        shape=(len(keys), max(len(vocabulary), 1)),
    )


def _codes(values: list[str | None]) -> np.ndarray:
    """Each distinct value as an integer code, -1 for missing."""
    table: dict[str, int] = {}
    return np.array(
        [-1 if v is None else table.setdefault(v, len(table)) for v in values], dtype=np.int64
    )


def _duplicates(ordered: list[Appeal]) -> np.ndarray:
    """True for a record whose text and minute repeat an earlier record's.

    Nobody types the same text twice within the same minute from two accounts: such rows
    are one appeal entered twice (two channels, a re-import), so they count once in heat.
    """
    seen: set[tuple[str, str]] = set()
    flags = np.zeros(len(ordered), dtype=bool)
    for k, appeal in enumerate(ordered):
        text = " ".join((appeal.text or appeal.title).split())
        key = (text, appeal.time.isoformat()[:16])
        if key in seen:
            flags[k] = True
        seen.add(key)
    return flags


def _conflict(keys: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    has = np.diff(keys.indptr) > 0
    both = has[left] & has[right]
    overlap = np.zeros(len(left), dtype=bool)
    if both.any():
        a, b = keys[left[both]], keys[right[both]]
        overlap[both] = np.asarray(a.multiply(b).sum(axis=1)).ravel() > 0
    conflict: np.ndarray = both & ~overlap
    return conflict


def _code_conflict(codes: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    a, b = codes[left], codes[right]
    conflict: np.ndarray = (a >= 0) & (b >= 0) & (a != b)
    return conflict
