"""The models that ship with the project: domain (§5.4.2), type (§5.4.1), sub-category.

The shipped models live in ``models/<kind>/`` inside the package, built by ``make models``
(:mod:`hotline.nlp.build_models`): the domain model from real labelled appeals mapped to
§5.4.2 plus seed appeals for the domains those lack, the type model from the seed appeals
and keywords alone.  Seed appeals are ``seed/appeals/*.txt`` (one file per domain,
``type<TAB>text`` per line, written for this project in a caller's voice) and the keyword
lexicons ``seed/lexicon.json``; each keyword is one more short training example.

Should a shipped model be missing or unreadable (a stripped install), the model is trained
from the seeds on first use (about a second) and cached in ``<cache>/<kind>-<hash>/``, the
hash covering the seed files, the label list and the classifier's format and
configuration.  The cache directory is ``$HOTLINE_MODEL_DIR``, else ``var/models`` at the
project root, else a temporary directory; if it cannot be written the model is kept in
memory.

A centre's own model (trained with ``hotline model train`` or
:func:`hotline.nlp.classifier.train_from_records`) replaces the default by passing its
directory as ``model_dir``.

The domain and type models predict the Chinese labels of the taxonomy (``城乡建设``,
``投诉``) so that evaluation against a centre's CSV compares strings; the ``suggest_*``
functions map them back to codes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from hotline.nlp.classifier import FORMAT, Config, ModelError, TextClassifier, train
from hotline.nlp.suggestion import Suggestion
from hotline.nlp.text import key_text, ngram_keys, normalise
from hotline.rules.choices import Vocabulary
from hotline.rules.taxonomy import APPEAL_TYPES, DEFAULT_SUBCATEGORIES, DOMAINS

SEED_DIR = Path(__file__).parent / "seed"
SHIPPED_DIR = Path(__file__).parent / "models"
KINDS = ("domain", "type")
SEED_CONFIG = Config(min_df=1)

_lock = threading.Lock()
_models: dict[tuple[str, str], TextClassifier] = {}


def _vocabulary(kind: str) -> Vocabulary:
    if kind == "domain":
        return DOMAINS
    if kind == "type":
        return APPEAL_TYPES
    raise ValueError(f"unknown default model {kind!r}; expected one of {KINDS}")


@lru_cache(maxsize=1)
def lexicon() -> dict[str, dict[str, list[str]]]:
    """The keyword lexicons of ``seed/lexicon.json`` (domain, type, subcategory → words)."""
    data = json.loads((SEED_DIR / "lexicon.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def seed_appeals() -> list[tuple[str | None, str, str]]:
    """``(domain code or None, type code, text)`` for every seed appeal."""
    rows: list[tuple[str | None, str, str]] = []
    for path in sorted((SEED_DIR / "appeals").glob("*.txt")):
        domain = path.stem if path.stem in DOMAINS else None
        if domain is None and path.stem != "invalid":
            raise ModelError(f"seed file {path.name}: file name is not a domain code")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            type_code, sep, text = line.partition("\t")
            if not sep or type_code not in APPEAL_TYPES or not text.strip():
                raise ModelError(f"{path.name}:{n}: expected '<type code><TAB><text>'")
            rows.append((domain, type_code, text.strip()))
    return rows


def training_set(kind: str, domains: Iterable[str] | None = None) -> tuple[list[str], list[str]]:
    """Seed texts and Chinese labels of the ``kind`` model (of ``domains`` only, if given)."""
    vocab = _vocabulary(kind)
    wanted = None if domains is None else set(domains)
    texts: list[str] = []
    labels: list[str] = []
    for domain, type_code, text in seed_appeals():
        code = domain if kind == "domain" else type_code
        if code is None or (wanted is not None and domain not in wanted):
            continue
        texts.append(text)
        labels.append(vocab.label(code))
    for code, words in lexicon()[kind].items():
        if wanted is not None and code not in wanted:
            continue
        for word in words:
            texts.append(word)
            labels.append(vocab.label(code))
    return texts, labels


def seed_hash(kind: str) -> str:
    """Hash of everything the default ``kind`` model is made from."""
    h = hashlib.sha256()
    h.update(f"{kind}|{FORMAT}|{json.dumps(asdict(SEED_CONFIG), sort_keys=True)}".encode())
    h.update("|".join(t.label for t in _vocabulary(kind)).encode())
    for path in sorted(SEED_DIR.rglob("*")):
        if path.is_file():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    """Where default models are cached (see the module docstring)."""
    env = os.environ.get("HOTLINE_MODEL_DIR")
    if env:
        return Path(env)
    project = Path(__file__).resolve().parents[2]
    if (project / "pyproject.toml").exists() and os.access(project, os.W_OK):
        return project / "var" / "models"
    return Path(tempfile.gettempdir()) / "hotline-models"


def shipped_model(kind: str) -> TextClassifier | None:
    """The model shipped in the package for ``kind``, or None if it is missing or broken."""
    _vocabulary(kind)
    key = (kind, "shipped")
    with _lock:
        if key not in _models:
            try:
                _models[key] = TextClassifier.load(SHIPPED_DIR / kind)
            except ModelError:
                return None
        return _models[key]


def default_model(kind: str = "domain", model_dir: str | Path | None = None) -> TextClassifier:
    """The model for ``kind``: ``model_dir`` if given, else the shipped model, else one
    trained from the seeds (once, then cached)."""
    if model_dir is not None:
        key = (kind, str(Path(model_dir).resolve()))
        with _lock:
            if key not in _models:
                _models[key] = TextClassifier.load(model_dir)
            return _models[key]
    shipped = shipped_model(kind)
    if shipped is not None:
        return shipped
    return seed_model(kind)


def seed_model(kind: str) -> TextClassifier:
    """The ``kind`` model trained from the seeds alone (cached by :func:`seed_hash`)."""
    digest = seed_hash(kind)
    key = (kind, digest)
    with _lock:
        if key in _models:
            return _models[key]
        target = cache_dir() / f"{kind}-{digest}"
        model = None
        if (target / "meta.json").exists():
            try:
                model = TextClassifier.load(target)
            except ModelError:
                model = None  # corrupt cache: retrain below
        if model is None:
            texts, labels = training_set(kind)
            model = train(texts, labels, config=SEED_CONFIG)
            _save_quietly(model, target, {"source": "seed", "seed_hash": digest, "kind": kind})
        _models[key] = model
        return model


def _save_quietly(model: TextClassifier, target: Path, meta: dict[str, Any]) -> None:
    """Save via a temporary sibling and rename, so readers never see half a model."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        model.save(tmp, meta)
        try:
            tmp.rename(target)
        except OSError:  # another process won the race; its model is identical
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        model.meta.update(meta)  # read-only deployment: keep it in memory only


def _suggest(
    kind: str, text: str, title: str, top_k: int, model_dir: str | Path | None
) -> list[Suggestion]:
    vocab = _vocabulary(kind)
    prediction = default_model(kind, model_dir).predict(text, title, top_k=top_k)
    words = [e.text for e in prediction.evidence]
    out = []
    for i, ranked in enumerate(prediction.ranked):
        term = vocab.by_label(ranked.label)
        code = term.code if term else ranked.label
        clause = term.clause if term else ""
        out.append(
            Suggestion(code, ranked.label, ranked.confidence, words if i == 0 else [], clause)
        )
    return out


def suggest_domain(
    text: str, title: str = "", top_k: int = 3, model_dir: str | Path | None = None
) -> list[Suggestion]:
    """§5.4.2 domains, best first; the first carries the words that drove it."""
    return _suggest("domain", text, title, top_k, model_dir)


def suggest_type(
    text: str, title: str = "", top_k: int = 3, model_dir: str | Path | None = None
) -> list[Suggestion]:
    """§5.4.1 types (咨询 求助 投诉 举报 建议 表扬 无效), best first."""
    return _suggest("type", text, title, top_k, model_dir)


@lru_cache(maxsize=8192)
def _keyword(word: str) -> str:
    """A lexicon keyword normalised once (the lexicon is read on every suggestion)."""
    return normalise(word)


def suggest_subcategory(
    domain: str,
    text: str,
    title: str = "",
    subcategories: list[tuple[str, str]] | None = None,
    keywords: dict[str, list[str]] | None = None,
    top_k: int = 3,
) -> list[Suggestion]:
    """Sub-categories under ``domain`` (a code), ranked by lexicon hits.

    ``subcategories`` is the centre's tree as ``(code, label)`` pairs (default: the
    project's ``DEFAULT_SUBCATEGORIES``); ``keywords`` adds or replaces keywords per code.
    A sub-category without keywords is matched by the character bigrams of its label.
    Returns an empty list when nothing matched.
    """
    subs = subcategories if subcategories is not None else DEFAULT_SUBCATEGORIES.get(domain, [])
    words_by_code = dict(lexicon()["subcategory"])
    words_by_code.update(keywords or {})
    full = normalise(f"{title} {text}")
    scored = []
    for code, label in subs:
        matched = [w for w in words_by_code.get(code, []) if _keyword(w) in full]
        score = float(len(matched))
        if not matched:  # fall back on the label itself: 路灯照明 → 路灯, 灯照, 照明
            grams = {key_text(int(k)) for k in ngram_keys(normalise(label), 2, 2)}
            matched = [g for g in grams if g in full]
            score = 0.5 * len(matched)
        if score > 0:
            scored.append((score, code, label, matched))
    if not scored:
        return []
    total = sum(s[0] for s in scored) + 1.0
    scored.sort(key=lambda s: -s[0])
    return [
        Suggestion(code, label, round(score / total, 3), matched, "")
        for score, code, label, matched in scored[:top_k]
    ]


def warm() -> None:
    """Load (training if needed) the default models, so the first request is fast.

    Call it from a worker or at process start-up, never on the request path.
    """
    for kind in KINDS:
        default_model(kind)
    from hotline.nlp import screening

    screening.screen("预热")
