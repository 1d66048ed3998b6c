"""The knowledge-base search engine: BM25F over words, character pairs and pinyin pairs.

An entry is a mapping with ``id`` (any hashable, JSON-serialisable value) and the text
fields ``title``, ``questions`` (the ways citizens phrase it: a list, or one string),
``keywords`` (a list, or one string split on commas and spaces), ``category``,
``owner_unit`` and ``answer``.  Missing fields are empty.

Scoring is BM25F (Robertson & Zaragoza): a term's frequency in each field is weighted
(title and question forms above the answer) and normalised by the field's length before
one shared saturation, so a term repeated across fields does not count twice over.  Word,
bigram and pinyin terms live in one column space and differ only in the weight a query
gives them.  All per-document values are precomputed into a sparse term × document
matrix, so a query is a sparse row selection and one matrix-vector product.

Incremental changes (``add`` replaces an entry with the same id, ``remove`` deletes one)
are searchable at once.  Added entries go to a small pending segment, scored with the
collection statistics of the moment; a removal leaves a tombstone.  When the pending
segment outgrows ``Params.merge_threshold`` (or on ``optimize()`` / ``save()``) it is
merged into the main segment and all length normalisation is recomputed from the stored
raw term counts, so the index then equals one built from scratch.

The engine is thread-safe (one lock); it reads no database and imports no Django.
"""

from __future__ import annotations

import bisect
import functools
import html
import json
import math
import re
import threading
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from hotline.nlp.text import code_points, normalise

from . import rerank
from .analysis import (
    BIGRAM,
    PINYIN,
    SYLLABLES,
    WORD,
    Analyzer,
    decode_key,
    default_synonyms,
    default_user_words,
    is_pinyin_key,
    pinyin_pair,
)

FIELDS = ("title", "questions", "keywords", "meta", "answer")
TITLE, QUESTIONS, KEYWORDS, META, ANSWER = range(len(FIELDS))
FORMAT_VERSION = 1
_HIGHLIGHT_TERMS = 24

EntryFilter = Callable[[Any], bool] | Collection[Any] | None


class IndexMismatchError(ValueError):
    """A saved index was built with another analysis (dictionary, synonyms, versions)."""


@dataclass(frozen=True)
class Params:
    """Ranking parameters.  The defaults are the ones ``benchmarks/knowledge.py`` chose."""

    k1: float = 1.2
    # BM25F field weights and length-normalisation strengths, in FIELDS order.
    field_weights: tuple[float, ...] = (3.0, 3.0, 2.0, 1.0, 1.0)
    field_b: tuple[float, ...] = (0.5, 0.5, 0.3, 0.3, 0.75)
    # How much a query trusts each kind of term: WORD, BIGRAM, PINYIN.
    kind_weights: tuple[float, float, float] = (1.0, 0.5, 0.3)
    # Saturation of a term repeated in the query (long queries repeat their topic).
    query_k3: float = 1.5
    # Long queries keep only their most informative terms (by query weight × idf).
    max_query_terms: int = 64
    # An unfinished last word of a short query also matches the words it begins.
    prefix_max_query_chars: int = 8
    prefix_expansions: int = 12
    prefix_weight: float = 0.6
    merge_threshold: int = 2000
    # The first BM25F candidates re-ordered by the learned re-ranker (``rerank.py``);
    # 0 turns it off.
    rerank_depth: int = 100


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result.

    ``matched_terms`` are the parts of the query that matched (maximal runs of the query's
    characters covered by matching terms, in query order).  ``snippet`` and ``title`` are
    HTML: the entry's text escaped, matches wrapped in ``<mark>``; ``snippet`` is a window
    of the question forms or the answer around the densest matches.
    """

    id: Any
    score: float
    matched_terms: tuple[str, ...]
    snippet: str
    title: str


@dataclass(frozen=True, slots=True)
class _QueryTerm:
    col: int
    weight: float
    positions: tuple[int, ...]  # offsets in the normalized query that the term covers


@dataclass(slots=True)
class _Pending:
    raw: list[tuple[np.ndarray, np.ndarray]]  # per field: (cols, counts)
    cols: np.ndarray  # sorted, weighted row of the scoring matrix
    values: np.ndarray


def _split_keywords(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [k for k in re.split(r"[,，;；、\s]+", value) if k]
    return [str(k) for k in value if k]


def entry_fields(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """The texts of an entry, in FIELDS order (question forms one per line)."""
    questions = entry.get("questions") or ()
    if isinstance(questions, str):
        questions = [questions]
    meta = " ".join(str(entry.get(k) or "") for k in ("category", "owner_unit")).strip()
    return (
        str(entry.get("title") or ""),
        "\n".join(str(q) for q in questions if q),
        " ".join(_split_keywords(entry.get("keywords"))),
        meta,
        str(entry.get("answer") or ""),
    )


class _Grow:
    """A numpy array that grows by doubling (rows of the index, columns of the vocabulary)."""

    def __init__(self, dtype: Any, fill: Any = 0, width: int = 0) -> None:
        self.width, self.fill = width, fill
        shape = (16, width) if width else (16,)
        self.array = np.full(shape, fill, dtype=dtype)

    def ensure(self, size: int) -> np.ndarray:
        if size > len(self.array):
            grown = max(size, 2 * len(self.array))
            shape = (grown, self.width) if self.width else (grown,)
            bigger = np.full(shape, self.fill, dtype=self.array.dtype)
            bigger[: len(self.array)] = self.array
            self.array = bigger
        return self.array


class _Vocabulary:
    """Maps terms to matrix columns: words through a dict, pair keys through a sorted array."""

    def __init__(self) -> None:
        self.size = 0
        self.word_col: dict[str, int] = {}
        self._sorted_words: list[str] | None = []
        self.key_sorted = np.zeros(0, dtype=np.int64)
        self.key_col = np.zeros(0, dtype=np.int64)
        self.kind = _Grow(np.int8)
        self.key_of = _Grow(np.int64, fill=-1)
        self.word_of: dict[int, str] = {}
        self.token_col: dict[str, int] = {}  # raw jieba token → column, -1 if dropped

    def words_to_cols(self, words: Sequence[str], add: bool) -> list[int]:
        cols, new = [], []
        get = self.word_col.get
        for word in words:
            col = get(word)
            if col is None:
                if not add:
                    continue
                col = self.word_col[word] = self.size
                self.word_of[col] = word
                self.size += 1
                new.append(word)
            cols.append(col)
        if new:
            self.kind.ensure(self.size)[self.size - len(new) : self.size] = WORD
            self.key_of.ensure(self.size)
            if self._sorted_words is not None and len(new) <= 16:
                for word in new:
                    bisect.insort(self._sorted_words, word)
            else:
                self._sorted_words = None  # sorted again when next needed
        return cols

    def keys_to_cols(self, keys: np.ndarray, add: bool) -> np.ndarray:
        """Columns of ``keys`` (-1 for unknown keys when not adding)."""
        if add and len(keys):
            unique = np.unique(keys)
            at = np.searchsorted(self.key_sorted, unique)
            found = at < len(self.key_sorted)
            found[found] = self.key_sorted[at[found]] == unique[found]
            new = unique[~found]
            if len(new):
                cols = np.arange(self.size, self.size + len(new), dtype=np.int64)
                self.key_sorted = np.insert(self.key_sorted, at[~found], new)
                self.key_col = np.insert(self.key_col, at[~found], cols)
                self.kind.ensure(self.size + len(new))[cols] = np.where(
                    (new & (np.int64(1) << np.int64(62))) != 0, PINYIN, BIGRAM
                )
                self.key_of.ensure(self.size + len(new))[cols] = new
                self.size += len(new)
        if not len(self.key_sorted):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.key_sorted, keys), len(self.key_sorted) - 1)
        return np.where(self.key_sorted[at] == keys, self.key_col[at], -1)

    def words_with_prefix(self, prefix: str) -> list[str]:
        if self._sorted_words is None:
            self._sorted_words = sorted(self.word_col)
        words = self._sorted_words
        start = bisect.bisect_left(words, prefix)
        out = []
        for word in words[start:]:
            if not word.startswith(prefix):
                break
            if word != prefix:
                out.append(word)
        return out


class Engine:
    """Search over knowledge-base entries; see the module docstring.

    ``user_words`` extend the segmentation dictionary (place, unit and policy names);
    ``synonyms`` are groups of interchangeable words.  Both add to the defaults shipped
    in ``hotline/search/data/`` unless ``defaults=False``.
    """

    def __init__(
        self,
        user_words: Iterable[str] = (),
        synonyms: Iterable[Sequence[str]] = (),
        *,
        defaults: bool = True,
        params: Params | None = None,
        analyzer: Analyzer | None = None,
        reranker: rerank.Reranker | None = None,
    ) -> None:
        self.params = params or Params()
        self.reranker = reranker if reranker is not None else rerank.shipped()
        if analyzer is None:
            words = [*(default_user_words() if defaults else ()), *user_words]
            groups = [*(default_synonyms() if defaults else ()), *synonyms]
            analyzer = Analyzer(words, groups)
        self.analyzer = analyzer
        self._lock = threading.RLock()
        self._reset()

    # ------------------------------------------------------------------ state

    def _reset(self) -> None:
        nf = len(FIELDS)
        self._vocab = _Vocabulary()
        self._ids: list[Any] = []
        self._row_of: dict[Any, int] = {}
        self._texts: list[tuple[str, str, str] | None] = []
        self._lengths = _Grow(np.float32, width=nf)
        self._live = _Grow(np.bool_, fill=False)
        self._df = _Grow(np.int32)
        self._n_live = 0
        self._length_sum = np.zeros(nf, dtype=np.float64)
        self._n_main = 0
        self._raw: list[sparse.csr_matrix] = [sparse.csr_matrix((0, 0), dtype=np.float32)] * nf
        self._matrix = sparse.csr_matrix((0, 0), dtype=np.float32)  # terms × main rows
        self._pending: dict[int, _Pending] = {}
        self._delta: sparse.csr_matrix | None = None  # terms × pending span, built lazily
        self._signals: dict[int, rerank.Signals] = {}  # row → re-ranking signals, lazily

    def __len__(self) -> int:
        return self._n_live

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._row_of

    # --------------------------------------------------------------- analysis

    def _analyze(
        self, texts: Sequence[tuple[str, ...]]
    ) -> tuple[list[sparse.csr_matrix], np.ndarray]:
        """Raw per-field term counts (docs × columns) and field lengths of a batch."""
        n = len(texts)
        lengths = np.zeros((n, len(FIELDS)), dtype=np.float32)
        rows_cols: list[tuple[np.ndarray, np.ndarray]] = []
        for f in range(len(FIELDS)):
            normalized = [normalise(t[f]) for t in texts]
            lengths[:, f] = [len(t) for t in normalized]
            word_rows: list[int] = []
            word_cols: list[int] = []
            token_col = self._vocab.token_col
            for i, text in enumerate(normalized):
                if not text:
                    continue
                tokens = self.analyzer.tokens(text)
                cols = [token_col.get(t, -2) for t in tokens]
                if -2 in cols:
                    cols = [
                        self._token_to_col(t) if c == -2 else c
                        for t, c in zip(tokens, cols, strict=True)
                    ]
                cols = [c for c in cols if c >= 0]
                word_cols.extend(cols)
                word_rows.extend([i] * len(cols))
            chars = self.analyzer.char_terms(normalized)
            char_cols = self._vocab.keys_to_cols(chars.key, add=True)
            rows = np.concatenate([np.asarray(word_rows, dtype=np.int64), chars.doc])
            cols = np.concatenate([np.asarray(word_cols, dtype=np.int64), char_cols])
            rows_cols.append((rows, cols))
        size = self._vocab.size
        raw = [
            sparse.csr_matrix(
                (np.ones(len(r), dtype=np.float32), (r, c)), shape=(n, size), dtype=np.float32
            )
            for r, c in rows_cols
        ]
        for m in raw:
            m.sum_duplicates()
        return raw, lengths

    def _token_to_col(self, token: str) -> int:
        word = self.analyzer.decide(token)
        col = self._vocab.words_to_cols([word], add=True)[0] if word else -1
        self._vocab.token_col[token] = col
        return col

    def _averages(self) -> np.ndarray:
        if self._n_live == 0:
            return np.ones(len(FIELDS))
        avg = self._length_sum / self._n_live
        return np.where(avg > 0, avg, 1.0)

    def _weigh(self, raw: Sequence[sparse.csr_matrix], lengths: np.ndarray) -> sparse.csr_matrix:
        """BM25F: weighted, length-normalised frequencies summed over fields, then saturated."""
        p, avg = self.params, self._averages()
        total = None
        for f, matrix in enumerate(raw):
            weight, b = p.field_weights[f], p.field_b[f]
            if weight == 0 or matrix.nnz == 0:
                continue
            norm = 1.0 - b + b * lengths[:, f] / avg[f]
            part = sparse.diags((weight / norm).astype(np.float32)) @ matrix
            total = part if total is None else total + part
        if total is None:
            total = sparse.csr_matrix(raw[0].shape, dtype=np.float32)
        total = sparse.csr_matrix(total, dtype=np.float32)
        total.data = total.data * (p.k1 + 1.0) / (total.data + p.k1)
        return total

    # ------------------------------------------------------------- building

    def build(self, entries: Iterable[Mapping[str, Any]], batch_size: int = 2000) -> None:
        """Replace the whole index with ``entries`` (later duplicates of an id win)."""
        with self._lock:
            self._reset()
            unique: dict[Any, tuple[str, ...]] = {}
            for entry in entries:
                unique[entry["id"]] = entry_fields(entry)
            ids, texts = list(unique), list(unique.values())
            raws: list[list[sparse.csr_matrix]] = []
            lengths = []
            for start in range(0, len(texts), batch_size):
                raw, length = self._analyze(texts[start : start + batch_size])
                raws.append(raw)
                lengths.append(length)
            size = self._vocab.size
            self._raw = [
                sparse.vstack([_widen(r[f], size) for r in raws], format="csr")
                if raws
                else sparse.csr_matrix((0, size), dtype=np.float32)
                for f in range(len(FIELDS))
            ]
            all_lengths = np.concatenate(lengths) if lengths else np.zeros((0, len(FIELDS)))
            n = len(ids)
            self._ids = ids
            self._row_of = {entry_id: row for row, entry_id in enumerate(ids)}
            self._texts = [(t[TITLE], t[QUESTIONS], t[ANSWER]) for t in texts]
            self._lengths.ensure(n)[:n] = all_lengths
            self._live.ensure(n)[:n] = True
            self._n_live = self._n_main = n
            self._length_sum = all_lengths.sum(axis=0).astype(np.float64)
            self._rebuild_main()

    def _rebuild_main(self) -> None:
        n = self._n_main
        weighted = self._weigh(self._raw, self._lengths.array[:n])
        self._matrix = weighted.T.tocsr()
        self._matrix.sort_indices()
        df = self._df.ensure(self._vocab.size)
        df[:] = 0
        df[: self._matrix.shape[0]] = np.diff(self._matrix.indptr)

    def add(self, entry: Mapping[str, Any]) -> None:
        """Add ``entry``, replacing any entry with the same id; searchable at once."""
        with self._lock:
            entry_id = entry["id"]
            if entry_id in self._row_of:
                self.remove(entry_id)
            texts = entry_fields(entry)
            raw, lengths = self._analyze([texts])
            row = len(self._ids)
            self._ids.append(entry_id)
            self._row_of[entry_id] = row
            self._texts.append((texts[TITLE], texts[QUESTIONS], texts[ANSWER]))
            self._lengths.ensure(row + 1)[row] = lengths[0]
            self._live.ensure(row + 1)[row] = True
            self._n_live += 1
            self._length_sum += lengths[0]
            weighted = self._weigh(raw, lengths)
            self._pending[row] = _Pending(
                raw=[(m.indices.astype(np.int64), m.data.copy()) for m in raw],
                cols=weighted.indices.astype(np.int64),
                values=weighted.data.copy(),
            )
            np.add.at(self._df.ensure(self._vocab.size), weighted.indices, 1)
            self._delta = None
            if len(self._pending) > self.params.merge_threshold:
                self.optimize()

    def remove(self, entry_id: Any) -> bool:
        """Remove the entry with ``entry_id``; False if there was none."""
        with self._lock:
            row = self._row_of.pop(entry_id, None)
            if row is None:
                return False
            self._live.array[row] = False
            self._n_live -= 1
            self._length_sum -= self._lengths.array[row]
            self._df.array[self._row_cols(row)] -= 1
            self._texts[row] = None
            self._signals.pop(row, None)
            if self._pending.pop(row, None) is not None:
                self._delta = None
            return True

    def _row_cols(self, row: int) -> np.ndarray:
        """Sorted columns present in ``row`` (any field)."""
        pending = self._pending.get(row)
        if pending is not None:
            return pending.cols
        parts = [m.indices[m.indptr[row] : m.indptr[row + 1]] for m in self._raw]
        return np.unique(np.concatenate(parts))

    def _row_col_set(self, row: int) -> set[int]:
        pending = self._pending.get(row)
        if pending is not None:
            return set(pending.cols.tolist())
        present: set[int] = set()
        for m in self._raw:
            present.update(m.indices[m.indptr[row] : m.indptr[row + 1]].tolist())
        return present

    def optimize(self) -> None:
        """Merge pending entries, drop removed ones and renormalise: as if freshly built."""
        with self._lock:
            if len(self._ids) == self._n_main == self._n_live:
                return  # nothing pending, nothing removed
            size = self._vocab.size
            main_live = np.flatnonzero(self._live.array[: self._n_main])
            pending_rows = sorted(self._pending)
            raw = []
            for f in range(len(FIELDS)):
                parts = [_widen(self._raw[f], size)[main_live]]
                if pending_rows:
                    cols = [self._pending[r].raw[f][0] for r in pending_rows]
                    counts = [self._pending[r].raw[f][1] for r in pending_rows]
                    indptr = np.concatenate(([0], np.cumsum([len(c) for c in cols])))
                    parts.append(
                        sparse.csr_matrix(
                            (np.concatenate(counts), np.concatenate(cols), indptr),
                            shape=(len(pending_rows), size),
                        )
                    )
                raw.append(sparse.vstack(parts, format="csr"))
            keep = np.concatenate([main_live, np.asarray(pending_rows, dtype=np.int64)])
            n = len(keep)
            self._ids = [self._ids[r] for r in keep]
            self._texts = [self._texts[r] for r in keep]
            self._row_of = {entry_id: row for row, entry_id in enumerate(self._ids)}
            lengths = self._lengths.array[keep].copy()
            self._lengths.array[:n] = lengths
            live = self._live.array
            live[:] = False
            live[:n] = True
            self._raw = raw
            self._n_main = self._n_live = n
            self._length_sum = lengths.sum(axis=0).astype(np.float64)
            self._pending = {}
            self._delta = None
            self._signals = {}
            self._rebuild_main()

    # -------------------------------------------------------------- searching

    def _query_terms(self, query: str) -> list[_QueryTerm]:
        """The query's known terms with their weights (kind × idf × saturated query tf),
        the most informative ``max_query_terms`` of them, plus prefix expansions."""
        p, vocab = self.params, self._vocab
        pairs = self.analyzer.words_with_surface(query)
        word_cols = np.fromiter(
            (vocab.word_col.get(w, -1) for w, _ in pairs), dtype=np.int64, count=len(pairs)
        )
        chars = self.analyzer.char_terms([query])
        char_cols = vocab.keys_to_cols(chars.key, add=False)
        every = np.concatenate([word_cols, char_cols])
        cols, qtf = np.unique(every[every >= 0], return_counts=True)
        df = self._df.array[cols]
        cols, qtf, df = cols[df > 0], qtf[df > 0], df[df > 0]
        n = max(self._n_live, 1)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        kind_weights = np.asarray(p.kind_weights)[vocab.kind.array[cols]]
        k3 = p.query_k3
        weights = kind_weights * idf * qtf * (k3 + 1.0) / (k3 + qtf)
        if len(cols) > p.max_query_terms:
            best = np.argpartition(-weights, p.max_query_terms)[: p.max_query_terms]
            cols, weights = cols[best], weights[best]
        chosen = set(cols.tolist())
        found: dict[int, set[int]] = {}  # column → query offsets it covers
        for (_, surface), col in zip(pairs, word_cols.tolist(), strict=True):
            if col in chosen:
                at = query.find(surface)
                found.setdefault(col, set()).update(range(at, at + len(surface)) if at >= 0 else ())
        in_query = np.isin(char_cols, cols)
        for col, pos in zip(
            char_cols[in_query].tolist(), chars.pos[in_query].tolist(), strict=True
        ):
            found.setdefault(col, set()).update((pos, pos + 1))
        terms = [
            _QueryTerm(col, weight, tuple(sorted(found.get(col, ()))))
            for col, weight in zip(cols.tolist(), weights.tolist(), strict=True)
        ]
        terms.extend(self._prefix_terms(query, chosen))
        return terms

    def _prefix_terms(self, query: str, seen: set[int]) -> list[_QueryTerm]:
        """Words that the unfinished last word of a short query may become."""
        p = self.params
        if len(query) > p.prefix_max_query_chars or not query[-1].isalnum():
            return []
        pieces = self.analyzer.cut(query)
        last = pieces[-1] if pieces else ""
        if not last.strip():
            return []
        start = len(query) - len(last)
        df, n = self._df.array, max(self._n_live, 1)
        candidates = []
        for word in self._vocab.words_with_prefix(last):
            col = self._vocab.word_col[word]
            if col not in seen and df[col] > 0:
                candidates.append((int(df[col]), col))
        candidates.sort(reverse=True)
        span = tuple(range(start, len(query)))
        out = []
        for d, col in candidates[: p.prefix_expansions]:
            idf = math.log(1.0 + (n - d + 0.5) / (d + 0.5))
            out.append(_QueryTerm(col, p.kind_weights[WORD] * p.prefix_weight * idf, span))
        return out

    def _delta_matrix(self) -> sparse.csr_matrix:
        if self._delta is None:
            span = len(self._ids) - self._n_main
            rows = sorted(self._pending)
            if rows:
                cols = np.concatenate([self._pending[r].cols for r in rows])
                values = np.concatenate([self._pending[r].values for r in rows])
                local = np.repeat(
                    np.asarray(rows) - self._n_main, [len(self._pending[r].cols) for r in rows]
                )
            else:
                cols = local = np.zeros(0, dtype=np.int64)
                values = np.zeros(0, dtype=np.float32)
            self._delta = sparse.csr_matrix(
                (values, (cols, local)), shape=(self._vocab.size, span), dtype=np.float32
            )
        return self._delta

    def _scores(self, terms: Sequence[_QueryTerm]) -> np.ndarray:
        total = len(self._ids)
        scores = np.zeros(total, dtype=np.float32)
        cols = np.asarray([t.col for t in terms], dtype=np.int64)
        weights = np.asarray([t.weight for t in terms], dtype=np.float32)
        main = self._matrix
        in_main = cols < main.shape[0]
        if self._n_main and in_main.any():
            scores[: self._n_main] = main[cols[in_main]].T @ weights[in_main]
        if total > self._n_main and self._pending:
            scores[self._n_main :] = self._delta_matrix()[cols].T @ weights
        scores[~self._live.array[:total]] = 0.0
        return scores

    def search(
        self,
        query: str,
        limit: int = 10,
        filter: EntryFilter = None,
        *,
        snippet_chars: int = 100,
    ) -> list[Hit]:
        """The best ``limit`` entries for ``query``, best first.

        ``filter`` restricts results: a callable taking an entry id and returning whether
        it may be shown, or a collection of allowed ids.  A blank query, or one that shares
        no term with the index, returns ``[]``.
        """
        with self._lock:
            text = normalise(query or "").strip()
            if not text or limit <= 0 or not self._n_live:
                return []
            terms = self._query_terms(text)
            if not terms:
                return []
            scores = self._scores(terms)
            if filter is not None and not callable(filter):
                allowed = np.zeros(len(scores), dtype=bool)
                rows = [self._row_of[i] for i in filter if i in self._row_of]
                allowed[rows] = True
                scores[~allowed] = 0.0
            depth = self.params.rerank_depth if self.reranker is not None else 0
            rows = self._top_rows(scores, max(limit, depth), filter if callable(filter) else None)
            if depth and len(rows) > 1:
                assert self.reranker is not None
                order = self.reranker.score(self._candidate_features(text, rows, scores))
                # Stable: equal re-ranked scores keep their BM25F order.
                rows = [rows[k] for k in np.argsort(-order, kind="stable")]
            rows = rows[:limit]
            return [self._hit(row, float(scores[row]), terms, text, snippet_chars) for row in rows]

    def candidates(self, query: str, depth: int | None = None) -> tuple[list[Any], np.ndarray]:
        """The first ``depth`` BM25F candidates' ids and their re-ranking features (rows in
        BM25F order, columns ``rerank.FEATURES``) — what the re-ranker is trained on."""
        with self._lock:
            text = normalise(query or "").strip()
            terms = self._query_terms(text) if text and self._n_live else []
            if not terms:
                return [], np.zeros((0, len(rerank.FEATURES)))
            scores = self._scores(terms)
            rows = self._top_rows(scores, depth or self.params.rerank_depth, None)
            return [self._ids[r] for r in rows], self._candidate_features(text, rows, scores)

    def _candidate_features(self, query: str, rows: list[int], scores: np.ndarray) -> np.ndarray:
        entries = []
        for row in rows:
            signals = self._signals.get(row)
            if signals is None:
                texts = self._texts[row]
                assert texts is not None
                signals = self._signals[row] = rerank.Signals.of(normalise(" ".join(texts)))
            entries.append(signals)
        lengths = self._lengths.array[np.asarray(rows, dtype=np.int64), ANSWER]
        return rerank.features(rerank.Signals.of(query), scores[rows], entries, lengths)

    def _top_rows(
        self, scores: np.ndarray, limit: int, accept: Callable[[Any], bool] | None
    ) -> list[int]:
        candidates = np.flatnonzero(scores > 0)
        want = limit if accept is None else 4 * limit
        while True:
            best = _best(candidates, scores, want)
            if accept is None:
                return best[:limit].tolist()
            out = [row for row in best.tolist() if accept(self._ids[row])][:limit]
            if len(out) == limit or len(best) == len(candidates):
                return out
            want *= 4

    # ------------------------------------------------------------ presentation

    def _hit(
        self, row: int, score: float, terms: Sequence[_QueryTerm], query: str, width: int
    ) -> Hit:
        present = self._row_col_set(row)
        matched = [t for t in terms if t.col in present]
        runs = _runs(sorted({pos for t in matched for pos in t.positions}))
        # Long queries match many terms; the heaviest ones are enough to place the snippet.
        # A pinyin term is only worth locating by sound where no exact term matched.
        kinds = self._vocab.kind.array
        exact = {pos for t in matched if kinds[t.col] != PINYIN for pos in t.positions}
        useful = [t for t in matched if kinds[t.col] != PINYIN or not exact.issuperset(t.positions)]
        useful.sort(key=lambda t: -t.weight)
        marked = [t.col for t in useful[:_HIGHLIGHT_TERMS]]
        texts = self._texts[row]
        assert texts is not None
        title, questions, answer = texts
        snippet = ""
        for source in (questions, answer):
            spans = self._spans(source, marked)
            if spans:
                snippet = _window(source, spans, width)
                break
        if not snippet:
            snippet = html.escape(_cut(answer or questions, width))
        return Hit(
            id=self._ids[row],
            score=round(score, 4),
            matched_terms=tuple(query[a:b] for a, b in runs),
            snippet=snippet,
            title=_mark(title, self._spans(title, marked)),
        )

    def _spans(self, text: str, cols: Sequence[int]) -> list[tuple[int, int]]:
        """Where in ``text`` (original offsets) the terms of ``cols`` occur."""
        if not text or not cols:
            return []
        normalized, origin = _normalize_mapped(text)
        spans: list[tuple[int, int]] = []
        syllables = None
        kinds, keys = self._vocab.kind.array, self._vocab.key_of.array
        for col in cols:
            if kinds[col] == WORD:
                for surface in self.analyzer.surfaces(self._vocab.word_of[col]):
                    spans.extend(_find_all(normalized, surface))
                continue
            key = int(keys[col])
            if not is_pinyin_key(key):
                spans.extend(_find_all(normalized, decode_key(key)))
                continue
            if syllables is None:
                syllables = SYLLABLES.of(code_points(normalized))
            first, second = pinyin_pair(key)
            at = np.flatnonzero((syllables[:-1] == first) & (syllables[1:] == second))
            spans.extend((int(a), int(a) + 2) for a in at)
        if origin is None:
            return spans
        return [(origin[a], origin[b]) for a, b in spans]

    def highlight(self, text: str, query: str) -> str:
        """``text`` as HTML with the terms of ``query`` marked (for the app's own fields)."""
        with self._lock:
            q = normalise(query or "").strip()
            cols = [t.col for t in self._query_terms(q)] if q else []
            return _mark(text, self._spans(text, cols))

    # ------------------------------------------------------------- persistence

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (numpy ``.npz``, no pickle); merges pending first."""
        with self._lock:
            self.optimize()
            meta = {
                "format": FORMAT_VERSION,
                "fingerprint": self.analyzer.fingerprint(),
                "params": asdict(self.params),
                "fields": FIELDS,
                "ids": self._ids,
                "texts": self._texts,
                "words": [
                    self._vocab.word_of[c]
                    for c in range(self._vocab.size)
                    if c in self._vocab.word_of
                ],
            }
            vocab = self._vocab
            word_cols = np.asarray(sorted(vocab.word_of), dtype=np.int64)
            arrays: dict[str, np.ndarray] = {
                "meta": np.frombuffer(
                    json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8
                ),
                "word_cols": word_cols,
                "key_sorted": vocab.key_sorted,
                "key_col": vocab.key_col,
                "kind": vocab.kind.array[: vocab.size],
                "key_of": vocab.key_of.array[: vocab.size],
                "lengths": self._lengths.array[: self._n_main],
            }
            for f, name in enumerate(FIELDS):
                m = _widen(self._raw[f], vocab.size)
                arrays[f"{name}_data"] = m.data.astype(np.uint16)
                arrays[f"{name}_indices"] = m.indices.astype(np.int32)
                arrays[f"{name}_indptr"] = m.indptr.astype(np.int64)
            path = Path(path)
            tmp = path.with_name(path.name + ".tmp")
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)
            tmp.replace(path)

    def load(self, path: str | Path) -> None:
        """Replace this engine's index by the one saved at ``path``.

        Raises ``IndexMismatchError`` if it was built with another dictionary, synonym
        list or library version: the caller then rebuilds from its entries.
        """
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            if meta.get("format") != FORMAT_VERSION:
                raise IndexMismatchError(f"index format {meta.get('format')} is not supported")
            if meta["fingerprint"] != self.analyzer.fingerprint():
                raise IndexMismatchError("index was built with a different analysis")
            arrays = {k: data[k] for k in data.files if k != "meta"}
        with self._lock:
            self._reset()
            vocab = self._vocab
            size = len(arrays["kind"])
            vocab.size = size
            for col, word in zip(arrays["word_cols"].tolist(), meta["words"], strict=True):
                vocab.word_col[word] = col
                vocab.word_of[col] = word
            vocab._sorted_words = None
            vocab.key_sorted = arrays["key_sorted"]
            vocab.key_col = arrays["key_col"]
            vocab.kind.ensure(size)[:size] = arrays["kind"]
            vocab.key_of.ensure(size)[:size] = arrays["key_of"]
            n = len(meta["ids"])
            self._ids = [_hashable(i) for i in meta["ids"]]
            self._row_of = {entry_id: row for row, entry_id in enumerate(self._ids)}
            self._texts = [tuple(t) for t in meta["texts"]]  # type: ignore[misc]
            self._raw = [
                sparse.csr_matrix(
                    (
                        arrays[f"{name}_data"].astype(np.float32),
                        arrays[f"{name}_indices"],
                        arrays[f"{name}_indptr"],
                    ),
                    shape=(n, size),
                )
                for name in FIELDS
            ]
            lengths = arrays["lengths"]
            self._lengths.ensure(n)[:n] = lengths
            self._live.ensure(n)[:n] = True
            self._n_live = self._n_main = n
            self._length_sum = lengths.sum(axis=0).astype(np.float64)
            self._rebuild_main()

    # ------------------------------------------------------------------ report

    def stats(self) -> dict[str, int]:
        """Sizes, for the benchmark and an admin page."""
        with self._lock:
            arrays = [self._matrix.data, self._matrix.indices, self._matrix.indptr]
            for m in self._raw:
                arrays += [m.data, m.indices, m.indptr]
            arrays += [self._vocab.key_sorted, self._vocab.key_col, self._df.array]
            return {
                "entries": self._n_live,
                "pending": len(self._pending),
                "terms": self._vocab.size,
                "words": len(self._vocab.word_col),
                "postings": int(self._matrix.nnz)
                + sum(len(p.cols) for p in self._pending.values()),
                "array_bytes": int(sum(a.nbytes for a in arrays)),
            }


# ---------------------------------------------------------------------- helpers


def _widen(matrix: sparse.csr_matrix, size: int) -> sparse.csr_matrix:
    """The same rows with the vocabulary's current number of columns."""
    if matrix.shape[1] == size:
        return matrix
    return sparse.csr_matrix(
        (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], size)
    )


def _hashable(value: Any) -> Hashable:
    return tuple(value) if isinstance(value, list) else value


def _best(candidates: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` best candidate rows, best first; ties go to the older row (stable)."""
    values = scores[candidates]
    if len(candidates) > k:
        kth = np.partition(-values, k - 1)[k - 1]
        keep = -values <= kth  # everything tied with the k-th stays, for stable ties
        candidates, values = candidates[keep], values[keep]
    return candidates[np.lexsort((candidates, -values))][: max(k, 0)]


def _contains(sorted_cols: np.ndarray, col: int) -> bool:
    at = int(np.searchsorted(sorted_cols, col))
    return at < len(sorted_cols) and int(sorted_cols[at]) == col


def _runs(positions: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for pos in positions:
        if runs and runs[-1][1] == pos:
            runs[-1] = (runs[-1][0], pos + 1)
        else:
            runs.append((pos, pos + 1))
    return runs


def _normalize_mapped(text: str) -> tuple[str, list[int] | None]:
    """``normalise(text)`` and, per normalised offset, the original offset (plus the end);
    ``None`` when normalisation kept every character in place (the usual case).

    Where it did not (a full-width form, a collapsed space, a removed link), the text is
    normalised character by character, so each term found maps back to the characters it
    came from."""
    whole = normalise(text)
    if len(whole) == len(text):
        return whole, None
    out, origin = [], []
    for i, ch in enumerate(text):
        n = _normalise_char(ch)
        out.append(n)
        origin.extend([i] * len(n))
    origin.append(len(text))
    return "".join(out), origin


@functools.lru_cache(maxsize=4096)
def _normalise_char(ch: str) -> str:
    return " " if ch.isspace() else (normalise(ch) or " ")


def _find_all(text: str, needle: str) -> list[tuple[int, int]]:
    spans, at = [], text.find(needle)
    while at >= 0 and needle:
        spans.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    return spans


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _mark(
    text: str, spans: Iterable[tuple[int, int]], offset: int = 0, end: int | None = None
) -> str:
    end = len(text) if end is None else end
    out, cursor = [], offset
    for a, b in _merge(spans):
        a, b = max(a, offset), min(b, end)
        if a >= b:
            continue
        out.append(html.escape(text[cursor:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        cursor = b
    out.append(html.escape(text[cursor:end]))
    return "".join(out)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width] + "…"


def _window(text: str, spans: list[tuple[int, int]], width: int) -> str:
    """The ``width``-character stretch of ``text`` holding the most matches, marked."""
    spans = _merge(spans)
    best, best_start, j = -1, 0, 0
    for i, (a, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= a + width:
            j += 1
        covered = sum(b - s for s, b in spans[i:j])
        if covered > best:
            best, best_start = covered, a
    # Start a little before the first match so it reads in context.
    start = max(0, min(best_start - width // 5, len(text) - width))
    end = min(len(text), start + width)
    body = _mark(text, spans, start, end).replace("\n", " ")
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
