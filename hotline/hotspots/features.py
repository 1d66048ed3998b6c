"""TF-IDF vectors over character bigrams, and the similar pairs among them.

Why bigrams rather than jieba words for similarity: they need no dictionary, so estate
and village names jieba has never seen ("伊景园滨河苑") still match letter for letter,
and they are about ten times cheaper than segmentation, which matters at 100k appeals
on two cores.  The title carries the matter in a few characters, so it is weighted above
the body, and only the head of the body is read: the first sentences say what the appeal
is about; the rest is narrative that mostly adds noise.

Similar pairs are found without comparing everything with everything:

* appeals are sorted by time and a block of them is only compared with the appeals
  within ``window_days`` of it — a concentrated issue is a burst, and a longer one is
  still chained together by its members in between;
* the comparison first uses only the rarer bigrams (those in at most ``max_df`` of the
  appeals).  Common bigrams ("问题", "小区") make the sparse product dense and slow while
  saying little about sameness; pairs that pass this cheap screen are then scored on the
  full vectors, so the similarity we report is the true cosine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Pairs:
    """Similar pairs ``(left[k], right[k])`` with cosine ``similarity[k]``, left < right."""

    left: np.ndarray
    right: np.ndarray
    similarity: np.ndarray

    def __len__(self) -> int:
        return len(self.left)


def tfidf_matrix(
    titles: Sequence[str], bodies: Sequence[str], *, title_weight: float
) -> sparse.csr_matrix:
    """Row-normalised TF-IDF of character bigrams, title weighted ``title_weight`` : 1.

    Texts are expected normalised and cut into clauses (``text.clauses``): a bigram never
    spans a space.  Term frequency is sublinear (``1 + ln tf``) so a word repeated in a
    long body does not drown the rest; idf is the smoothed ``ln((1 + n)/(1 + df)) + 1``
    over titles and bodies together.
    """
    n = len(titles)
    counts = bigram_counts([*titles, *bodies])
    counts.data = 1.0 + np.log(counts.data)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1.0 + 2 * n) / (1.0 + df)) + 1.0).astype(np.float32)
    weighted = counts @ sparse.diags(idf)
    matrix = (title_weight * _unit_rows(weighted[:n]) + _unit_rows(weighted[n:])).tocsr()
    return _unit_rows(matrix)


def bigram_counts(texts: Sequence[str]) -> sparse.csr_matrix:
    """Counts of adjacent character pairs per text (vectorised: no Python loop per char).

    Pairs containing a space are skipped.  Columns are the distinct bigrams in order of
    their code, so the same texts always give the same matrix.
    """
    if not texts:
        return sparse.csr_matrix((0, 0), dtype=np.float32)
    # One code-point array for all texts, each followed by a space so no pair spans two.
    joined = " ".join(texts) + " "
    chars = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    owner = np.repeat(np.arange(len(texts)), lengths)
    space = chars == ord(" ")
    valid = ~space[:-1] & ~space[1:]
    codes = (chars[:-1] << 21 | chars[1:])[valid]
    rows = owner[:-1][valid]
    vocabulary, columns = np.unique(codes, return_inverse=True)
    counts = sparse.coo_matrix(
        (np.ones(len(codes), dtype=np.float32), (rows, columns)),
        shape=(len(texts), len(vocabulary)),
    ).tocsr()
    counts.sum_duplicates()
    return counts


def _unit_rows(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix(matrix, dtype=np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sparse.diags(1.0 / norms) @ matrix).tocsr().astype(np.float32)


def similar_pairs(
    matrix: sparse.csr_matrix,
    days: np.ndarray,
    *,
    threshold: float,
    window_days: float,
    neighbours: int,
    max_df: float = 0.02,
    screen: float = 0.5,
    block: int = 1024,
) -> Pairs:
    """Pairs with cosine >= ``threshold`` whose times are at most ``window_days`` apart.

    ``days`` must be sorted ascending (rows in time order).  Each row keeps at most
    ``neighbours`` partners (its most similar ones), which bounds the work and the graph
    for bursts of near-identical appeals without losing their connectedness.
    ``screen`` is the fraction of ``threshold`` the rare-bigram score must reach for the
    pair to be scored in full.
    """
    n = matrix.shape[0]
    if n < 2:
        empty = np.empty(0, dtype=np.int64)
        return Pairs(empty, empty, np.empty(0, dtype=np.float32))
    if np.any(np.diff(days) < 0):
        raise ValueError("rows must be sorted by time")
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    rare = document_frequency <= max(max_df * n, 20)
    screened = (matrix @ sparse.diags(rare.astype(np.float32))).tocsr()
    screened.eliminate_zeros()
    screened_t = screened.T.tocsr()

    lefts, rights, sims = [], [], []
    for start in range(0, n, block):
        stop = min(start + block, n)
        lo = int(np.searchsorted(days, days[start] - window_days, side="left"))
        hi = int(np.searchsorted(days, days[stop - 1] + window_days, side="right"))
        product = (screened[start:stop] @ screened_t[:, lo:hi]).tocoo()
        keep = product.data >= threshold * screen
        rows = product.row[keep] + start
        cols = product.col[keep] + lo
        keep = (rows != cols) & (np.abs(days[rows] - days[cols]) <= window_days)
        rows, cols = rows[keep], cols[keep]
        if not len(rows):
            continue
        full = row_dots(matrix, rows, cols)
        keep = full >= threshold
        lefts.append(rows[keep])
        rights.append(cols[keep])
        sims.append(full[keep])
    if not lefts:
        empty = np.empty(0, dtype=np.int64)
        return Pairs(empty, empty, np.empty(0, dtype=np.float32))
    rows = np.concatenate(lefts)
    cols = np.concatenate(rights)
    sim = np.concatenate(sims)
    rows, cols, sim = _top_neighbours(rows, cols, sim, neighbours)
    left, right = np.minimum(rows, cols), np.maximum(rows, cols)
    # Each pair was seen from both ends; keep it once.
    order = np.lexsort((right, left))
    left, right, sim = left[order], right[order], sim[order]
    first = np.ones(len(left), dtype=bool)
    first[1:] = (left[1:] != left[:-1]) | (right[1:] != right[:-1])
    return Pairs(left[first], right[first], sim[first])


def row_dots(matrix: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosine of each ``(rows[k], cols[k])`` pair (rows of ``matrix`` are unit vectors)."""
    out = np.empty(len(rows), dtype=np.float32)
    step = 200_000
    for s in range(0, len(rows), step):
        a = matrix[rows[s : s + step]]
        b = matrix[cols[s : s + step]]
        out[s : s + step] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return out


def _top_neighbours(
    rows: np.ndarray, cols: np.ndarray, sim: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row keep its ``k`` most similar partners (ties by partner index)."""
    order = np.lexsort((cols, -sim, rows))
    rows, cols, sim = rows[order], cols[order], sim[order]
    starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    keep = rank < k
    return rows[keep], cols[keep], sim[keep]
