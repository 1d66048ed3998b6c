"""A learned re-ranking of the first BM25F candidates (``benchmarks/knowledge.py``).

BM25F finds the candidates; a small linear model over a few features of each (query,
entry) pair then orders the first ``Params.rerank_depth`` of them:

``score_ratio``      the entry's BM25F score over the best one's — how close to the top;
``log_score``        ``ln(1 + score)`` — how much of the query it matched at all;
``log_rank``         ``ln(1 + BM25F rank)``;
``shared_numbers``   the share of the entry's numbers of two or more digits (a bus line,
                     a date, a law's year) that the query has too — a share, not a count,
                     so an entry listing many numbers does not collect them by chance;
``shared_places``    the share of the entry's coded place names (``a3区``, ``k9县``: the data
                     masks names so, and some centres code districts the same way) that
                     the query names too;
``other_places``     the query names places, the entry names others and none of the
                     query's — an answer about another district;
``log_length``       ``ln(1 + answer length)``: BM25F's length normalisation leaves long
                     answers, which match a long query somewhere by chance, a little ahead.

The weights are fitted (logistic regression, class-balanced) on the tuning half of the
replies benchmark and shipped in ``data/reranker.json``: numbers only, no text.  They are
features of the match, not of any one centre's wording, so they carry over to another
centre's entries; ``Params(rerank_depth=0)`` turns re-ranking off.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

FEATURES = (
    "score_ratio",
    "log_score",
    "log_rank",
    "shared_numbers",
    "shared_places",
    "other_places",
    "log_length",
)
_NUMBER = re.compile(r"\d{2,}")
# A coded admin name of normalised (lower-case) text: a letter, up to two digits, a suffix.
_CODED_PLACE = re.compile(r"(?<![a-z0-9])[a-z]\d{0,2}[市区县]")


@dataclass(frozen=True, slots=True)
class Signals:
    """What the features need from a text: its numbers and coded place names."""

    numbers: frozenset[str]
    places: frozenset[str]

    @classmethod
    def of(cls, normalised: str) -> Signals:
        return cls(
            frozenset(_NUMBER.findall(normalised)), frozenset(_CODED_PLACE.findall(normalised))
        )


def features(
    query: Signals,
    scores: np.ndarray,
    entries: list[Signals],
    answer_lengths: np.ndarray,
) -> np.ndarray:
    """Feature rows (candidates × FEATURES) of candidates in BM25F order."""
    top = float(scores[0]) if len(scores) and scores[0] > 0 else 1.0
    out = np.zeros((len(scores), len(FEATURES)))
    for k, (score, entry) in enumerate(zip(scores.tolist(), entries, strict=True)):
        shared_places = len(query.places & entry.places)
        out[k] = (
            score / top,
            math.log1p(max(score, 0.0)),
            math.log1p(k),
            len(query.numbers & entry.numbers) / max(len(entry.numbers), 1),
            shared_places / max(len(entry.places), 1),
            float(bool(query.places) and bool(entry.places) and not shared_places),
            math.log1p(float(answer_lengths[k])),
        )
    return out


@dataclass(frozen=True)
class Reranker:
    """Standardised features · coefficients; higher is better."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray

    def score(self, x: np.ndarray) -> np.ndarray:
        result: np.ndarray = ((x - self.mean) / self.scale) @ self.coef
        return result

    def as_dict(self, note: str = "") -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "note": note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Reranker:
        if list(data["features"]) != list(FEATURES):  # type: ignore[call-overload]
            raise ValueError("re-ranker features do not match this code")
        return cls(
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["coef"], dtype=np.float64),
        )


def fit(x: np.ndarray, relevant: np.ndarray) -> Reranker:
    """Fit the weights on feature rows and their relevance (scikit-learn, training only)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
    model.fit((x - mean) / scale, relevant)
    return Reranker(mean, scale, np.asarray(model.coef_[0], dtype=np.float64))


@cache
def shipped() -> Reranker | None:
    """The weights shipped in ``data/reranker.json`` (None if absent)."""
    path = resources.files("hotline.search").joinpath("data").joinpath("reranker.json")
    if not path.is_file():
        return None
    return Reranker.from_dict(json.loads(path.read_text("utf-8")))
