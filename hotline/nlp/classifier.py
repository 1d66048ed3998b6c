"""A trainable text classifier for any label set a centre brings.

Design (measured in ``docs/intelligence.md``):

* Features: two TF-IDF blocks of character 1–3-grams — the whole appeal, and its *head*
  (title, or the first 40 characters when the title was glued to the body) at half weight.
  N-grams are hashed into ``2**hash_bits`` buckets (``Config.hash_bits``), so a saved
  model holds bucket numbers and weights, never an n-gram of its training text.
* Estimator: a linear model (ridge by default, class-balanced).  Training uses
  scikit-learn for the solver only; the model is plain arrays (``weights.npz``: n-gram
  keys, IDF, coefficients), so loading needs neither pickle nor scikit-learn and takes
  tens of milliseconds, and inference is a handful of numpy operations.
* Memory: the TF-IDF vectors of the training appeals are kept (as a feature → appeal
  index); the cosine-weighted votes of the ``knn_k`` most similar ones, divided by each
  label's share of the training set, are added to the linear scores with weight
  ``knn_weight`` (relative to the spread of each part on the training set).  The linear
  model knows which words mean what; the neighbours catch what a linear model averages
  away — an appeal much like a few labelled ones (the same estate, the same programme).
* Confidence: a softmax over the linear scores with one temperature fitted on
  out-of-fold scores (minimum log-loss) — "calibrated-ish": on held-out data the top
  label's confidence tracks its accuracy, it is not a guarantee.
* Evidence: because the model is linear, the score of a label is a sum over the n-grams
  of the appeal; the largest terms are the words that drove it.

One serialised form: :meth:`TextClassifier.to_bytes` / :meth:`TextClassifier.from_bytes`
(an ``.npz`` with the arrays and the metadata, no pickle).  A model directory holds it as
``weights.npz`` beside ``meta.json``, a readable copy of the metadata with the sha256 of
the weights; a deployment that shares models through its database or object storage keeps
the bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import platform
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from hotline.nlp.text import hash_keys, head, key_text, ngram_keys, normalise

# /3: hashed n-grams and the metadata inside the weights; /2 added the neighbour memory
# (``mem_*`` arrays); /1 was the linear part alone.  /1 and /2 stored n-gram keys.
FORMAT = "hotline-linear-text/3"
_UNHASHED = ("hotline-linear-text/2", "hotline-linear-text/1")
_READABLE = (FORMAT, *_UNHASHED)
WEIGHTS_FILE = "weights.npz"
META_FILE = "meta.json"
# Function characters trimmed from the ends of an n-gram before it is shown as evidence
# ("的路灯" reads as "路灯"); the model itself is unchanged.
_FILLER = "的了我在是有和也就都还着过吗呢吧啊你他她们这那个一"


class ModelError(Exception):
    """A model directory is missing, corrupt or of an unknown format."""


@dataclass(frozen=True)
class Config:
    """Training configuration; stored in ``meta.json`` so a model says how it was made."""

    ngram_max: int = 3
    head_ngram_max: int = 2
    head_size: int = 40
    head_weight: float = 0.5
    min_df: int = 2
    max_chars: int = 1000
    estimator: str = "ridge"  # "ridge" | "svm" | "ridge+svm"
    alpha: float = 0.5  # ridge regularisation
    c: float = 0.3  # svm regularisation
    calibration_folds: int = 3
    seed: int = 0
    knn_k: int = 10  # neighbours voting (0: linear model only)
    knn_weight: float = 0.3  # their weight, relative to the linear scores' spread
    # Bound on the appeals kept: the vote's cost grows with them (~0.4 ms per 1 000 at
    # p99 on one core), so a larger training set keeps a random 5 000 within the 5 ms budget.
    knn_max_docs: int = 5000
    knn_max_df: float = 0.2  # n-grams in a larger share of appeals are left out of the vote
    # Feature hashing: 2**20 buckets for the two blocks' n-grams (0: the n-gram keys
    # themselves, as models of format /1 and /2 stored them).
    hash_bits: int = 20


@dataclass(frozen=True)
class Evidence:
    """One n-gram of the appeal and how much it pushed the predicted label."""

    text: str
    weight: float


@dataclass(frozen=True)
class Ranked:
    label: str
    confidence: float


@dataclass(frozen=True)
class Prediction:
    """Labels ranked by confidence, and the words that drove the top one."""

    ranked: list[Ranked]
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.ranked[0].label

    @property
    def confidence(self) -> float:
        return self.ranked[0].confidence

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "confidence": self.confidence,
            "ranked": [asdict(r) for r in self.ranked],
            "evidence": [asdict(e) for e in self.evidence],
        }


# ---------------------------------------------------------------------------------------
# Features: two blocks of n-gram keys (see ``hotline.nlp.text``), each with its own
# vocabulary: the whole appeal, and its head.


def _blocks(title: str, text: str, cfg: Config) -> tuple[np.ndarray, np.ndarray]:
    # Long letters state their topic early; the cap also bounds the worst-case latency.
    full = normalise(f"{title} {text}" if title else text)[: cfg.max_chars]
    hd = normalise(head(title, text, cfg.head_size))
    return ngram_keys(full, 1, cfg.ngram_max), ngram_keys(hd, 1, cfg.head_ngram_max)


@dataclass(frozen=True)
class Memory:
    """The training appeals kept for the neighbour vote, indexed by feature.

    ``indptr``/``docs``/``values``: a CSR matrix of features × appeals (the transposed
    TF-IDF matrix); ``norms``: each appeal's vector norm; ``label_idx``: its label;
    ``prior``: each label's share; ``scale``: the vote's weight in score units.
    """

    indptr: np.ndarray
    docs: np.ndarray
    values: np.ndarray
    norms: np.ndarray
    label_idx: np.ndarray
    prior: np.ndarray
    k: int
    scale: float

    def vote(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        """Scores of one appeal (its sparse features) from its nearest training appeals."""
        n_labels = len(self.prior)
        starts = self.indptr[idx]
        lens = self.indptr[idx + 1] - starts
        total = int(lens.sum())
        kept = val[lens > 0]
        xnorm = float(np.sqrt(kept @ kept))
        if total == 0 or xnorm == 0:
            return np.zeros(n_labels)
        # Positions of every posting of the appeal's features, without a Python loop.
        pos = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
        sims: np.ndarray = np.bincount(
            self.docs[pos],
            weights=self.values[pos] * np.repeat(val, lens),
            minlength=len(self.norms),
        ).astype(np.float64) / (self.norms * xnorm)
        votes: np.ndarray = self._tally(sims[None, :])[0]
        return votes

    def _tally(self, sims: np.ndarray) -> np.ndarray:
        """Votes from rows of cosine similarities (queries × kept appeals)."""
        k = min(self.k, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        out = np.zeros((sims.shape[0], len(self.prior)))
        for j in range(k):  # k is small; each step is vectorised over the queries
            col = top[:, j]
            np.add.at(
                out, (np.arange(len(col)), self.label_idx[col]), sims[np.arange(len(col)), col]
            )
        votes: np.ndarray = out / self.prior
        return votes

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "mem_indptr": self.indptr,
            "mem_docs": self.docs,
            "mem_values": self.values,
            "mem_norms": self.norms,
            "mem_labels": self.label_idx,
            "mem_prior": self.prior,
            "mem_k": np.array([self.k]),
            "mem_scale": np.array([self.scale]),
        }

    @classmethod
    def from_arrays(cls, z: Any) -> Memory | None:
        if "mem_indptr" not in z.files:
            return None
        return cls(
            z["mem_indptr"],
            z["mem_docs"],
            z["mem_values"],
            z["mem_norms"],
            z["mem_labels"],
            z["mem_prior"],
            int(z["mem_k"][0]),
            float(z["mem_scale"][0]),
        )


def _features_of(keys: np.ndarray, bits: int) -> np.ndarray:
    """The feature of each n-gram key: its hash bucket, or the key itself (``bits == 0``)."""
    return hash_keys(keys, bits) if bits else keys


def _tfidf_row(
    keys: np.ndarray, vocab: np.ndarray, idf: np.ndarray, weight: float, bits: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block: (feature indices, sublinear TF × IDF L2-normalised × weight, and for each
    feature one n-gram key of the text that produced it — what evidence shows)."""
    features = _features_of(keys, bits)
    uniq, first, tf = np.unique(features, return_index=True, return_counts=True)
    pos = np.searchsorted(vocab, uniq)
    pos[pos == len(vocab)] = 0
    found = vocab[pos] == uniq if len(vocab) else np.zeros(len(uniq), dtype=bool)
    idx = pos[found]
    val = (1.0 + np.log(tf[found].astype(np.float64))) * idf[idx]
    norm = float(np.sqrt(val @ val))
    if norm > 0:
        val *= weight / norm
    return idx, val, keys[first[found]]


# ---------------------------------------------------------------------------------------


class TextClassifier:
    """A linear classifier over character n-grams.  Build with :func:`train` or :meth:`load`."""

    def __init__(
        self,
        labels: list[str],
        vocab: list[np.ndarray],
        idf: list[np.ndarray],
        coef: np.ndarray,
        intercept: np.ndarray,
        temperature: float,
        config: Config,
        meta: dict[str, Any] | None = None,
        memory: Memory | None = None,
    ) -> None:
        self.labels = list(labels)
        self.config = config
        self.temperature = float(temperature)
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)
        # Rows per feature: gathering the few hundred features of one appeal is then a
        # contiguous row gather instead of a strided column gather.
        self._coef_t = np.ascontiguousarray(self.coef.T)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self._vocab = [np.asarray(v, dtype=np.int64) for v in vocab]
        self._idf = [np.asarray(i, dtype=np.float64) for i in idf]
        # Offsets of each block inside the concatenated feature space.
        self._offsets = [0, len(vocab[0])]
        self._weights = [1.0, config.head_weight]
        self.meta = meta or {}
        self.memory = memory

    # -- inference ----------------------------------------------------------------------

    def _features(self, title: str, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sparse feature vector of one appeal as (indices, values), like TfidfVectorizer,
        and the n-gram key behind each feature."""
        all_idx: list[np.ndarray] = []
        all_val: list[np.ndarray] = []
        all_keys: list[np.ndarray] = []
        for b, keys in enumerate(_blocks(title, text, self.config)):
            idx, val, src = _tfidf_row(
                keys, self._vocab[b], self._idf[b], self._weights[b], self.config.hash_bits
            )
            all_idx.append(idx + self._offsets[b])
            all_val.append(val)
            all_keys.append(src)
        return np.concatenate(all_idx), np.concatenate(all_val), np.concatenate(all_keys)

    def scores(self, text: str, title: str = "") -> np.ndarray:
        idx, val, _ = self._features(title, text)
        out: np.ndarray = val @ self._coef_t[idx] + self.intercept
        if self.memory is not None:
            out = out + self.memory.scale * self.memory.vote(idx, val)
        return out

    def _softmax(self, s: np.ndarray) -> np.ndarray:
        z = s / self.temperature
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
        return out

    def predict(
        self, text: str, title: str = "", top_k: int = 3, n_evidence: int = 5
    ) -> Prediction:
        """Ranked labels with confidence, and the n-grams that pushed the top label most."""
        idx, val, keys = self._features(title, text)
        contrib = self._coef_t[idx] * val[:, None]  # (features of this appeal, labels)
        s = contrib.sum(axis=0) + self.intercept
        if self.memory is not None:
            s = s + self.memory.scale * self.memory.vote(idx, val)
        p = self._softmax(s)
        order = np.argsort(-p)[: max(1, top_k)]
        ranked = [Ranked(self.labels[i], round(float(p[i]), 4)) for i in order]
        evidence = self._evidence(keys, contrib[:, order[0]], n_evidence) if len(idx) else []
        return Prediction(ranked, evidence)

    def predict_label(self, text: str, title: str = "") -> str:
        return self.labels[int(np.argmax(self.scores(text, title)))]

    def _evidence(self, keys: np.ndarray, contrib: np.ndarray, n: int) -> list[Evidence]:
        """Top positive contributions, merged so that "路灯" and "路" are not both shown.

        Head and body n-grams of the same string add up; a string inside a longer one
        already shown is folded into it (the longer one is what a person reads).
        """
        top = np.argsort(-contrib)[: n * 6]  # enough candidates to merge into n strings
        totals: dict[str, float] = {}
        for key, c in zip(keys[top].tolist(), contrib[top].tolist(), strict=True):
            if c > 0:
                gram = key_text(key)
                tok = gram.strip(_FILLER) or gram
                totals[tok] = totals.get(tok, 0.0) + c
        shown: list[list[Any]] = []
        for tok, w in sorted(totals.items(), key=lambda kv: -kv[1]):
            container = next((s for s in shown if tok in s[0]), None)
            if container is not None:
                container[1] += w
                continue
            if len(tok) == 1 and len(shown) >= 1:
                continue  # single characters explain little once real words are listed
            inside = [s for s in shown if s[0] in tok]
            for s in inside:
                w += s[1]
                shown.remove(s)
            shown.append([tok, w])
            if len(shown) >= n * 2:
                break
        shown.sort(key=lambda s: -s[1])
        return [Evidence(t, round(w, 4)) for t, w in shown[:n]]

    # -- persistence --------------------------------------------------------------------

    def to_bytes(self, extra_meta: dict[str, Any] | None = None) -> bytes:
        """The model as one ``.npz`` blob (arrays and metadata; no pickle).

        This and :meth:`from_bytes` are the one serialised form of a model: a directory
        (:meth:`save`) holds these bytes, and so may a database row or a storage object.
        """
        meta = dict(self.meta)
        meta.update(extra_meta or {})
        meta.update(
            {
                "format": FORMAT,
                "labels": self.labels,
                "config": asdict(self.config),
                "n_features": int(self.coef.shape[1]),
            }
        )
        meta.pop("sha256", None)
        arrays: dict[str, np.ndarray] = {
            "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8),
            "coef": self.coef.astype(np.float32),
            "intercept": self.intercept,
            "temperature": np.array([self.temperature]),
        }
        for b, (vocab, idf) in enumerate(zip(self._vocab, self._idf, strict=True)):
            arrays[f"vocab{b}"] = vocab
            arrays[f"idf{b}"] = idf
        if self.memory is not None:
            arrays.update(self.memory.arrays())
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        self.meta = meta
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, meta: dict[str, Any] | None = None) -> TextClassifier:
        """A model from :meth:`to_bytes` output (``meta`` only for the weights of a format
        /1 or /2 directory, which kept their metadata in ``meta.json`` alone)."""
        try:
            z = np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise ModelError(f"not a model file: {exc}") from None
        with z:
            if "meta" in z.files:
                meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            if meta is None:
                raise ModelError("model file without metadata")
            if meta.get("format") not in _READABLE:
                raise ModelError(f"unknown model format {meta.get('format')!r}")
            coef = z["coef"]
            intercept = z["intercept"]
            temperature = float(z["temperature"][0])
            idf = [z["idf0"], z["idf1"]]
            vocab = [z["vocab0"], z["vocab1"]]
            memory = Memory.from_arrays(z)
        known = {f for f in Config.__dataclass_fields__}
        settings = {k: v for k, v in meta.get("config", {}).items() if k in known}
        if meta["format"] in _UNHASHED:
            settings["hash_bits"] = 0
        config = Config(**settings)
        return cls(meta["labels"], vocab, idf, coef, intercept, temperature, config, meta, memory)

    def save(self, directory: str | Path, extra_meta: dict[str, Any] | None = None) -> Path:
        """Write ``weights.npz`` (:meth:`to_bytes`) and ``meta.json`` to ``directory``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        data = self.to_bytes(extra_meta)
        (out / WEIGHTS_FILE).write_bytes(data)
        meta = dict(self.meta, sha256=hashlib.sha256(data).hexdigest())
        (out / META_FILE).write_text(
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        self.meta = meta
        return out

    @classmethod
    def load(cls, directory: str | Path, verify: bool = True) -> TextClassifier:
        """Load a model directory; raises :class:`ModelError` with a readable message."""
        d = Path(directory)
        try:
            meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(f"模型目录缺少 {META_FILE}: {d} (no model here)") from None
        except json.JSONDecodeError as exc:
            raise ModelError(f"{d / META_FILE} is not valid JSON: {exc}") from None
        if meta.get("format") not in _READABLE:
            raise ModelError(f"unknown model format {meta.get('format')!r} in {d}")
        try:
            data = (d / WEIGHTS_FILE).read_bytes()
        except FileNotFoundError:
            raise ModelError(f"模型目录缺少 {WEIGHTS_FILE}: {d}") from None
        if verify and meta.get("sha256") != hashlib.sha256(data).hexdigest():
            raise ModelError(f"model files in {d} do not match the sha256 in {META_FILE}")
        model = cls.from_bytes(data, meta)
        model.meta = meta
        return model


# ---------------------------------------------------------------------------------------
# Training (scikit-learn is imported here only, never on the inference path).


def _fit_linear(X: Any, y: np.ndarray, n_labels: int, cfg: Config) -> tuple[np.ndarray, np.ndarray]:
    """Fit the estimator; return (coef, intercept) with one row per label, in label order.

    ``ridge+svm`` averages the two models after scaling each to unit score spread on the
    training set; the average of linear models is still one linear model.
    """
    if cfg.estimator == "ridge+svm":
        parts = []
        for name in ("ridge", "svm"):
            coef, intercept = _fit_linear(X, y, n_labels, replace(cfg, estimator=name))
            spread = float(np.std(X @ coef.T + intercept)) or 1.0
            parts.append((coef / spread, intercept / spread))
        return (parts[0][0] + parts[1][0]) / 2, (parts[0][1] + parts[1][1]) / 2
    if cfg.estimator == "svm":
        from sklearn.svm import LinearSVC

        model: Any = LinearSVC(C=cfg.c, class_weight="balanced", random_state=cfg.seed)
    elif cfg.estimator == "ridge":
        from scipy import sparse
        from sklearn.linear_model import RidgeClassifier

        # The intercept is a constant feature instead of sklearn's fit_intercept, which on
        # sparse input makes sparse_cg three times slower; it is then lightly regularised.
        model = RidgeClassifier(
            alpha=cfg.alpha, class_weight="balanced", solver="sparse_cg", fit_intercept=False
        )
        model.fit(sparse.hstack([X, np.ones((X.shape[0], 1))]).tocsr(), y)
        full = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
        return _two_rows(full[:, :-1], full[:, -1], n_labels)
    else:
        raise ValueError(f"unknown estimator {cfg.estimator!r} (ridge | svm | ridge+svm)")
    model.fit(X, y)
    coef = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
    return _two_rows(coef, np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64)), n_labels)


def _two_rows(
    coef: np.ndarray, intercept: np.ndarray, n_labels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Binary models keep one row (score of label 1 vs label 0); give each label a row."""
    if n_labels == 2 and coef.shape[0] == 1:
        return np.vstack([-coef[0] / 2, coef[0] / 2]), np.array(
            [-intercept[0] / 2, intercept[0] / 2]
        )
    return coef, intercept


class _Vectoriser:
    """Fits the vocabulary (n-grams in at least ``min_df`` appeals) and IDF of both blocks.

    Same formulas as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` (smooth IDF,
    L2 norm), written out so that training and :class:`TextClassifier` share one code path.
    """

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.weights = (1.0, cfg.head_weight)
        self.vocab: list[np.ndarray] = []
        self.idf: list[np.ndarray] = []

    def fit_transform(self, docs: Sequence[tuple[np.ndarray, np.ndarray]]) -> Any:
        n = len(docs)
        self.vocab, self.idf = [], []
        bits = self.cfg.hash_bits
        for b in range(2):
            uniq = [np.unique(_features_of(d[b], bits)) for d in docs]
            keys, df = np.unique(np.concatenate(uniq), return_counts=True)
            keep = df >= self.cfg.min_df
            self.vocab.append(keys[keep])
            self.idf.append(np.log((1.0 + n) / (1.0 + df[keep])) + 1.0)
        return self.transform(docs)

    def transform(self, docs: Sequence[tuple[np.ndarray, np.ndarray]]) -> Any:
        from scipy import sparse

        mats = []
        for b in range(2):
            rows = [
                _tfidf_row(d[b], self.vocab[b], self.idf[b], self.weights[b], self.cfg.hash_bits)
                for d in docs
            ]
            indptr = np.cumsum([0] + [len(r[0]) for r in rows])
            indices = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int64)
            data = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0)
            shape = (len(docs), len(self.vocab[b]))
            mats.append(sparse.csr_matrix((data, indices, indptr), shape=shape))
        return sparse.hstack(mats).tocsr()


def _fit_temperature(scores: np.ndarray, y_idx: np.ndarray) -> float:
    """The softmax temperature minimising log-loss of out-of-fold scores."""
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        z = scores / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y_idx)), y_idx].mean())

    res = minimize_scalar(nll, bounds=(math.log(0.005), math.log(5.0)), method="bounded")
    return float(math.exp(res.x))


def _memory(
    X: Any, y_idx: np.ndarray, n_labels: int, cfg: Config, coef: np.ndarray, intercept: np.ndarray
) -> Memory | None:
    """Keep the training vectors for the neighbour vote and fix the vote's weight.

    Both parts are put on one scale by their spread on the training set — the linear
    scores as they are, the votes leaving each appeal's own vote out — so ``knn_weight``
    means the same for any data set.
    """
    if cfg.knn_k <= 0 or cfg.knn_weight <= 0 or X.shape[0] <= cfg.knn_k:
        return None
    rng = np.random.default_rng(cfg.seed)
    keep = np.arange(X.shape[0])
    if len(keep) > cfg.knn_max_docs:
        keep = np.sort(rng.choice(keep, cfg.knn_max_docs, replace=False))
    from scipy import sparse

    linear_spread = float(np.std(X @ coef.T + intercept)) or 1.0
    Xk = X[keep]
    df = np.diff(Xk.T.tocsr().indptr)
    mask = (df > 0) & (df <= cfg.knn_max_df * len(keep))
    X = X @ sparse.diags(mask.astype(np.float64))  # the vote's view: common n-grams left out
    X.eliminate_zeros()
    Xk = X[keep]
    xt = Xk.T.tocsr()
    norms = np.sqrt(np.asarray(Xk.multiply(Xk).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    counts = np.bincount(y_idx[keep], minlength=n_labels).astype(np.float64)
    prior = np.maximum(counts, 1.0) / len(keep)
    mem = Memory(
        xt.indptr.astype(np.int64),
        xt.indices.astype(np.int32),
        xt.data.astype(np.float32),
        norms,
        y_idx[keep].astype(np.int32),
        prior,
        cfg.knn_k,
        1.0,
    )
    # Spread of the votes on (a sample of) the kept appeals, each without itself.
    probe = keep if len(keep) <= 2000 else np.sort(rng.choice(keep, 2000, replace=False))
    votes = []
    for start in range(0, len(probe), 500):
        rows = probe[start : start + 500]
        sims = (X[rows] @ xt).toarray() / np.outer(
            np.sqrt(np.asarray(X[rows].multiply(X[rows]).sum(axis=1)).ravel()).clip(1e-12), norms
        )
        sims[np.arange(len(rows)), np.searchsorted(keep, rows)] = -np.inf  # not itself
        votes.append(mem._tally(sims))
    vote_spread = float(np.std(np.concatenate(votes))) or 1.0
    return replace(mem, scale=cfg.knn_weight * linear_spread / vote_spread)


def _memory_votes(Xq: Any, mem: Memory) -> np.ndarray:
    """Neighbour votes for many appeals at once (training-time twin of ``Memory.vote``)."""
    from scipy import sparse

    xt = sparse.csr_matrix(
        (mem.values, mem.docs, mem.indptr), shape=(len(mem.indptr) - 1, len(mem.norms))
    )
    Xq = Xq @ sparse.diags((np.diff(mem.indptr) > 0).astype(np.float64))
    qn = np.sqrt(np.asarray(Xq.multiply(Xq).sum(axis=1)).ravel())
    qn[qn == 0] = 1.0
    out = []
    for start in range(0, Xq.shape[0], 500):
        sims = (Xq[start : start + 500] @ xt).toarray() / np.outer(
            qn[start : start + 500], mem.norms
        )
        out.append(mem._tally(sims))
    return np.concatenate(out) if out else np.zeros((0, len(mem.prior)))


def _oof_scores(
    docs: list[tuple[np.ndarray, np.ndarray]], y_idx: np.ndarray, n_labels: int, cfg: Config
) -> np.ndarray | None:
    """Out-of-fold linear scores, or None when a class is too small to split."""
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(y_idx, minlength=n_labels)
    folds = min(cfg.calibration_folds, int(counts.min()))
    if folds < 2:
        return None
    out = np.zeros((len(docs), n_labels))
    skf = StratifiedKFold(folds, shuffle=True, random_state=cfg.seed)
    for tr, te in skf.split(np.zeros(len(docs)), y_idx):
        vec = _Vectoriser(cfg)
        Xtr = vec.fit_transform([docs[i] for i in tr])
        coef, intercept = _fit_linear(Xtr, y_idx[tr], n_labels, cfg)
        Xte = vec.transform([docs[i] for i in te])
        out[te] = Xte @ coef.T + intercept
        mem = _memory(Xtr, y_idx[tr], n_labels, cfg, coef, intercept)
        if mem is not None:
            out[te] += mem.scale * _memory_votes(Xte, mem)
    return out


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    titles: Sequence[str] | None = None,
    config: Config | None = None,
    calibrate: bool = True,
) -> TextClassifier:
    """Train on the label set found in ``labels`` (any strings, at least two distinct)."""
    cfg = config or Config()
    if len(texts) != len(labels) or (titles is not None and len(titles) != len(texts)):
        raise ValueError("texts, labels and titles must have the same length")
    label_list = sorted(set(labels))
    if len(label_list) < 2:
        raise ValueError("need at least two distinct labels to train a classifier")
    titles = titles if titles is not None else [""] * len(texts)
    docs = [_blocks(t or "", x or "", cfg) for t, x in zip(titles, texts, strict=True)]
    pos = {label: i for i, label in enumerate(label_list)}
    y_idx = np.array([pos[label] for label in labels])
    if min(cfg.min_df, len(docs)) > 1 and len(docs) < 50:
        cfg = Config(**{**asdict(cfg), "min_df": 1})  # tiny sets: every n-gram counts

    vec = _Vectoriser(cfg)
    X = vec.fit_transform(docs)
    coef, intercept = _fit_linear(X, y_idx, len(label_list), cfg)
    memory = _memory(X, y_idx, len(label_list), cfg, coef, intercept)
    temperature = 0.1
    if calibrate:
        oof = _oof_scores(docs, y_idx, len(label_list), cfg)
        if oof is not None:
            temperature = _fit_temperature(oof, y_idx)
    meta = {
        "n_train": len(docs),
        "label_counts": {label: int((y_idx == i).sum()) for i, label in enumerate(label_list)},
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
    }
    return TextClassifier(
        label_list, vec.vocab, vec.idf, coef, intercept, temperature, cfg, meta, memory
    )


def train_from_records(
    records: Iterable[tuple[str, str, str]],
    out_dir: str | Path,
    config: Config | None = None,
    extra_meta: dict[str, Any] | None = None,
) -> TextClassifier:
    """Train from ``(title, text, label)`` tuples (e.g. confirmed orders) and save to ``out_dir``.

    Records with an empty label or empty title+text are skipped.
    """
    titles: list[str] = []
    texts: list[str] = []
    labels: list[str] = []
    for title, text, label in records:
        if not (label or "").strip() or not ((title or "").strip() or (text or "").strip()):
            continue
        titles.append(title or "")
        texts.append(text or "")
        labels.append(label.strip())
    model = train(texts, labels, titles, config)
    model.save(out_dir, extra_meta)
    return model


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    titles: Sequence[str] | None = None,
    config: Config | None = None,
    folds: int = 5,
    seed: int = 0,
) -> dict[str, Any]:
    """Stratified k-fold estimate of the whole pipeline: accuracy, macro-F1, per-class F1.

    Every fold fits its own vocabulary, IDF and model on the training part only.
    """
    from sklearn.model_selection import StratifiedKFold

    cfg = config or Config()
    titles = titles if titles is not None else [""] * len(texts)
    y = np.array(labels)
    pred = np.empty(len(y), dtype=object)
    skf = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for tr, te in skf.split(np.zeros(len(y)), y):
        model = train(
            [texts[i] for i in tr], [labels[i] for i in tr], [titles[i] for i in tr], cfg, False
        )
        for i in te:
            pred[i] = model.predict_label(texts[i], titles[i])
    return metrics(list(y), list(pred))


def metrics(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the labels present in ``truth``, and a per-class table."""
    labels = sorted(set(truth))
    per_class: dict[str, dict[str, float | int]] = {}
    f1s = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        per_class[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    n = len(truth)
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    return {
        "n": n,
        "accuracy": round(correct / n, 4) if n else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "per_class": per_class,
    }


def _versions() -> dict[str, str]:
    import scipy
    import sklearn

    return {
        "format": FORMAT,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
    }
