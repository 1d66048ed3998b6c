"""Near-duplicate open orders, and "same citizen, same fact again" (§6.6.3 c).

This module holds the project's one same-citizen-same-fact detector: :func:`is_repeat`
and the text similarity of :class:`DedupIndex`.  The intake's duplicate hints
(``hotline.intelligence.duplicates``) and the repeated-appeal chains of the concentrated-
issue analysis (``hotline.hotspots.repeats``) both decide with it.

Given a new appeal and the recent open orders (a few thousand), score each candidate by

* text similarity — cosine of IDF-weighted character-bigram vectors (IDF from the
  candidate set, so greetings and boilerplate count for little);
* same place — same area id, or overlapping address strings;
* time proximity — ``exp(-hours / 72)``: three days apart counts ~0.37;
* same citizen — the same phone number (digits compared, country code dropped).

``score = 0.65·text + 0.15·place + 0.10·time + 0.10·citizen``.  Flags, for the agent:
``near_duplicate`` (text ≥ 0.8, or text ≥ 0.5 at the same place) and ``repeat``
(:func:`is_repeat`: same citizen, text ≥ 0.5, at most a year apart and not about two
different places — the §6.6.3 c case of the same fact raised again).

:class:`DedupIndex` builds the candidate matrix once (reuse it across requests while the
candidate set is unchanged); a query is then one sparse matrix–vector product.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from hotline.nlp.text import ngram_keys, normalise

W_TEXT, W_PLACE, W_TIME, W_CITIZEN = 0.65, 0.15, 0.10, 0.10
TIME_SCALE_HOURS = 72.0
NEAR_DUPLICATE_TEXT = 0.8
SAME_PLACE_TEXT = 0.5
REPEAT_TEXT = 0.4
REPEAT_WINDOW_DAYS = 365.0


@dataclass(frozen=True)
class Appeal:
    """The fields dedup compares; the Django side fills it from an order or a form."""

    id: Any = None
    text: str = ""
    title: str = ""
    area_id: Any = None
    address: str = ""
    time: datetime | None = None
    phone: str = ""

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> Appeal:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in row.items() if k in known})


@dataclass(frozen=True)
class DuplicateCandidate:
    """One open order that may be the same matter, with the parts of its score."""

    id: Any
    score: float
    text_similarity: float
    same_place: float
    hours_apart: float | None
    same_citizen: bool
    near_duplicate: bool
    repeat: bool
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": self.score,
            "text_similarity": self.text_similarity,
            "same_place": self.same_place,
            "hours_apart": self.hours_apart,
            "same_citizen": self.same_citizen,
            "near_duplicate": self.near_duplicate,
            "repeat": self.repeat,
            "reasons": list(self.reasons),
        }


def _as_appeal(a: Appeal | Mapping[str, Any]) -> Appeal:
    return a if isinstance(a, Appeal) else Appeal.from_mapping(a)


def phone_key(phone: str) -> str:
    """Digits of a phone number without a leading +86/86 country code."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def citizen_key(value: Any) -> str:
    """What identifies a citizen across appeals: a phone number's digits (``+86 138-…``
    and ``138…`` are one person), else the identifier as given (a portal user id)."""
    text = str(value or "").strip()
    if not text:
        return ""
    digits = phone_key(text)
    phone_like = len(digits) >= 7 and not re.search(r"[^\d\s+()\-]", text)
    return digits if phone_like else text


def is_repeat(
    same_citizen: Any,
    text_similarity: Any,
    days_apart: Any = 0.0,
    different_place: Any = False,
) -> Any:
    """The same citizen raising the same fact again (§6.6.3 c): one citizen, texts at least
    ``REPEAT_TEXT`` alike (:meth:`DedupIndex.text_similarities`), at most
    ``REPEAT_WINDOW_DAYS`` apart, and not about two different places (the caller knows its
    places: the work order's area, the estates named in the text).

    Works on scalars and, element-wise, on numpy arrays of pairs.  ``days_apart`` may be
    ``None`` (or NaN) when a time is unknown: then only the text and the citizen count.
    """
    days = np.abs(np.asarray(np.nan if days_apart is None else days_apart, dtype=np.float64))
    result = (
        np.asarray(same_citizen, dtype=bool)
        & (np.asarray(text_similarity, dtype=np.float64) >= REPEAT_TEXT)
        & ~(days > REPEAT_WINDOW_DAYS)
        & ~np.asarray(different_place, dtype=bool)
    )
    return bool(result) if result.ndim == 0 else result


def _bigrams(a: Appeal) -> np.ndarray:
    return np.unique(ngram_keys(normalise(f"{a.title} {a.text}"), 2, 2))


def _address_similarity(x: str, y: str) -> float:
    if not x or not y:
        return 0.0
    a = set(ngram_keys(normalise(x), 2, 2).tolist())
    b = set(ngram_keys(normalise(y), 2, 2).tolist())
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


class DedupIndex:
    """Candidates prepared for repeated queries."""

    def __init__(self, candidates: Iterable[Appeal | Mapping[str, Any]]) -> None:
        from scipy import sparse

        self.candidates: list[Appeal] = [_as_appeal(c) for c in candidates]
        keys = [_bigrams(c) for c in self.candidates]
        n = len(keys)
        if keys and sum(len(k) for k in keys):
            self.vocab, df = np.unique(np.concatenate(keys), return_counts=True)
        else:
            self.vocab, df = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        self.idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        indptr = np.cumsum([0] + [len(k) for k in keys])
        indices = np.searchsorted(self.vocab, np.concatenate(keys)) if n else np.zeros(0, int)
        data = self.idf[indices] if n else np.zeros(0)
        m = sparse.csr_matrix((data, indices, indptr), shape=(n, len(self.vocab)))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.matrix = (sparse.diags(1.0 / norms) @ m).tocsr()
        self._phones = [citizen_key(c.phone) for c in self.candidates]
        self._by_phone: dict[str, list[int]] = {}
        for i, p in enumerate(self._phones):
            if p:
                self._by_phone.setdefault(p, []).append(i)

    def __len__(self) -> int:
        return len(self.candidates)

    def pair_similarities(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Text similarity of candidate pairs ``(left[k], right[k])`` (indices)."""
        a, b = self.matrix[left], self.matrix[right]
        return np.asarray(a.multiply(b).sum(axis=1)).ravel()

    def text_similarities(self, appeal: Appeal | Mapping[str, Any]) -> np.ndarray:
        """Cosine similarity of ``appeal`` to every candidate, in candidate order."""
        keys = _bigrams(_as_appeal(appeal))
        if not len(self.vocab) or not len(keys):
            return np.zeros(len(self.candidates))
        pos = np.searchsorted(self.vocab, keys)
        pos[pos == len(self.vocab)] = 0
        pos = pos[self.vocab[pos] == keys]
        # Bigrams the candidates never saw still count in the query's norm, at the
        # largest IDF: a text with much that is new is less similar.
        unseen = len(keys) - len(pos)
        max_idf = float(np.log(1.0 + len(self.candidates)) + 1.0)
        q = np.zeros(len(self.vocab))
        q[pos] = self.idf[pos]
        norm = math.sqrt(float(self.idf[pos] @ self.idf[pos]) + unseen * max_idf**2) or 1.0
        return np.asarray(self.matrix @ q).ravel() / norm

    def query(
        self,
        appeal: Appeal | Mapping[str, Any],
        limit: int = 10,
        min_score: float = 0.35,
        exclude_id: Any = None,
    ) -> list[DuplicateCandidate]:
        """Candidates scoring at least ``min_score``, best first (at most ``limit``)."""
        a = _as_appeal(appeal)
        text = self.text_similarities(a)
        # Only candidates with some textual or citizen overlap are scored in Python.
        phone = citizen_key(a.phone)
        rows = set(np.nonzero(text >= 0.2)[0].tolist())
        if phone:
            rows.update(self._by_phone.get(phone, []))
        out = []
        for i in rows:
            c = self.candidates[i]
            if exclude_id is not None and c.id == exclude_id:
                continue
            out.append(_score(a, c, float(text[i]), phone, self._phones[i]))
        out = [d for d in out if d.score >= min_score or d.repeat or d.near_duplicate]
        out.sort(key=lambda d: -d.score)
        return out[:limit]


def _score(a: Appeal, c: Appeal, text: float, phone: str, c_phone: str) -> DuplicateCandidate:
    reasons = [f"文本相似度 {text:.2f}"]
    if a.area_id is not None and a.area_id == c.area_id:
        place = 1.0
        reasons.append("同一区域")
    else:
        place = _address_similarity(a.address, c.address)
        if place >= 0.5:
            reasons.append("地址相近")
        else:
            place = 0.0
    hours = None
    closeness = 0.0
    # Naive and aware datetimes cannot be compared; a missing or naive time just
    # contributes nothing (the Django side passes aware UTC datetimes).
    if (
        a.time is not None
        and c.time is not None
        and (a.time.tzinfo is None) == (c.time.tzinfo is None)
    ):
        hours = abs((a.time - c.time).total_seconds()) / 3600.0
        closeness = math.exp(-hours / TIME_SCALE_HOURS)
        if hours <= 72:
            reasons.append(f"时间相隔 {hours:.0f} 小时")
    same_citizen = bool(phone) and phone == c_phone
    if same_citizen:
        reasons.append("同一来电号码")
    score = W_TEXT * text + W_PLACE * place + W_TIME * closeness + W_CITIZEN * same_citizen
    near = text >= NEAR_DUPLICATE_TEXT or (text >= SAME_PLACE_TEXT and place >= 0.5)
    # Area ids are nested (a community inside a street), so two different ids do not make
    # two places here; the time window is the candidate query's (a year) and this one.
    repeat = is_repeat(same_citizen, text, None if hours is None else hours / 24)
    if repeat:
        reasons.append("同一诉求人以同一事实重复反映（§6.6.3 c）")
    return DuplicateCandidate(
        c.id,
        round(score, 4),
        round(text, 4),
        round(place, 3),
        None if hours is None else round(hours, 2),
        same_citizen,
        near,
        repeat,
        reasons,
    )


def find_duplicates(
    appeal: Appeal | Mapping[str, Any],
    candidates: Sequence[Appeal | Mapping[str, Any]],
    limit: int = 10,
    min_score: float = 0.35,
) -> list[DuplicateCandidate]:
    """One-off form of :meth:`DedupIndex.query` (builds the index for this call)."""
    return DedupIndex(candidates).query(appeal, limit=limit, min_score=min_score)
