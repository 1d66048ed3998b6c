"""Suggestions for one appeal, from the pure ``hotline.nlp`` package and the centre's data
(SPEC §9).  Nothing here decides: the intake form and the API show each suggestion with its
confidence and the words behind it, and a person confirms.

Process-wide caches keep the expensive parts off the request path:

* the classifiers — the default models (trained from the seeds on first use, then loaded
  from ``var/models``) or the centre's retrained ones (:class:`ModelVersion`); ``warm()``
  loads them at start-up of ``hotline run``/the worker;
* the gazetteer of the ``Area`` table and the category tree — rebuilt after an ``Area`` or
  ``Category`` row changes (signals) and at most every ``CACHE_SECONDS`` in any case (other
  processes see an edit within that time).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline import clock
from hotline.nlp import defaults
from hotline.nlp.extract import Gazetteer, extract
from hotline.nlp.screening import screen
from hotline.nlp.suggestion import Suggestion
from hotline.rules import screening as rules_screening
from hotline.rules import taxonomy

CACHE_SECONDS = 300.0

_lock = threading.Lock()
_cache: dict[str, tuple[float, Any]] = {}


def _cached(key: str, build, ttl: float = CACHE_SECONDS):
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    value = build()
    with _lock:
        _cache[key] = (now, value)
    return value


def invalidate(*keys: str) -> None:
    """Forget cached tables (all when no key is given)."""
    with _lock:
        for key in keys or list(_cache):
            _cache.pop(key, None)


# ---------------------------------------------------------------------------
# the centre's tables


def gazetteer() -> Gazetteer:
    """The ``Area`` table as a gazetteer (district → street → community), cached."""

    def build() -> Gazetteer:
        from hotline.org.models import Area

        rows = Area.objects.values("id", "name", "level", "parent_id", "aliases")
        return Gazetteer.from_rows(rows)

    return _cached("gazetteer", build)


@dataclass(frozen=True)
class AreaInfo:
    id: int
    code: str
    name: str
    path: str
    full_name: str


def areas() -> dict[int, AreaInfo]:
    def build() -> dict[int, AreaInfo]:
        from hotline.org.models import Area

        rows = list(Area.objects.values("id", "code", "name", "path", "parent_id"))
        by_id = {r["id"]: r for r in rows}
        out = {}
        for r in rows:
            names, cur = [], r
            while cur is not None:
                names.append(cur["name"])
                cur = by_id.get(cur["parent_id"])
            out[r["id"]] = AreaInfo(r["id"], r["code"], r["name"], r["path"], "/".join(names[::-1]))
        return out

    return _cached("areas", build)


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    domain: str
    path: str
    full_name: str


def categories() -> dict[str, CategoryInfo]:
    """Active categories by code."""

    def build() -> dict[str, CategoryInfo]:
        from hotline.catalog.models import Category

        rows = list(
            Category.objects.filter(active=True).values(
                "id", "code", "name", "domain", "path", "parent_id"
            )
        )
        by_id = {r["id"]: r for r in rows}
        out = {}
        for r in rows:
            parent = by_id.get(r["parent_id"])
            full = f"{parent['name']}/{r['name']}" if parent else r["name"]
            out[r["code"]] = CategoryInfo(
                r["id"], r["code"], r["name"], r["domain"], r["path"], full
            )
        return out

    return _cached("categories", build)


def subcategory_tree() -> dict[str, list[tuple[str, str]]]:
    """Domain code → the centre's sub-categories as (code, name) pairs."""
    tree: dict[str, list[tuple[str, str]]] = {}
    for c in categories().values():
        if c.code != c.domain:
            tree.setdefault(c.domain, []).append((c.code, c.name))
    return tree


def model_dirs() -> dict[str, Any]:
    """The active retrained model of each kind (``None``: the default model)."""

    def build() -> dict[str, Any]:
        from hotline.intelligence import artifacts
        from hotline.intelligence.models import ModelVersion

        out: dict[str, Any] = {"domain": None, "type": None, "version": "default"}
        versions = []
        for mv in ModelVersion.objects.filter(active=True).defer("artifact"):
            # this machine's copy, or the files unpacked from the database (any server)
            directory = artifacts.local_dir(mv)
            if directory is not None and (directory / "meta.json").exists():
                out[mv.kind] = str(directory)
                versions.append(f"{mv.kind}:{mv.version}")
        if versions:
            out["version"] = " ".join(sorted(versions))
        return out

    return _cached("models", build, ttl=60.0)


def warm() -> float:
    """Load the classifiers and the tables; returns the seconds it took.  Called at start-up
    of long-running processes, never on a request."""
    start = time.perf_counter()
    defaults.warm()
    dirs = model_dirs()
    for kind in ("domain", "type"):
        if dirs[kind]:
            defaults.default_model(kind, dirs[kind])
    gazetteer()
    categories()
    areas()
    return time.perf_counter() - start


# ---------------------------------------------------------------------------
# suggestions


def _s(s: Suggestion) -> dict[str, Any]:
    return s.as_dict()


COMPONENT_WORDS = {
    "street_lamp": ["路灯"],
    "manhole_cover": ["井盖", "窨井"],
    "traffic_light": ["红绿灯", "信号灯"],
    "bus_stop": ["公交站", "站亭", "站牌"],
    "water_pipe": ["水管", "供水管", "自来水管"],
    "gas_pipe": ["燃气管", "天然气管", "煤气管"],
    "heating_pipe": ["暖气管", "供热管"],
    "power_line": ["电线", "电缆", "线路"],
    "green_belt": ["绿化带", "草坪", "树木"],
    "road_surface": ["路面", "坑洼", "塌陷"],
    "trash_bin": ["垃圾桶", "垃圾箱"],
    "telecom_cable": ["网线", "光缆", "通信线"],
}


def suggest_component_type(text: str) -> dict[str, Any] | None:
    """The city component (部件) the appeal is about, by its words (for routing rules)."""
    best = None
    for code, words in COMPONENT_WORDS.items():
        hit = [w for w in words if w in text]
        if hit and (best is None or len(hit) > len(best["matched"])):
            best = {
                "code": code,
                "label": taxonomy.COMPONENT_TYPES.label(code),
                "confidence": 0.6,
                "matched": hit,
            }
    return best


def suggest(
    title: str,
    content: str,
    *,
    phone: str = "",
    at: datetime | None = None,
    address: str = "",
    category: str = "",
    area: str = "",
    user=None,
    exclude_order: int | None = None,
    with_units: bool = True,
    with_duplicates: bool = True,
) -> dict[str, Any]:
    """Everything the intake form and ``POST /api/v1/intelligence/suggest`` show for one
    appeal: type (§5.4.1), domain (§5.4.2) and the centre's category, urgency (§6.1.7),
    emergency kind (§6.4.4), not-accepted reason (§5.3), the §6.1.6 elements (times
    relative to ``at``, the call time), the handling units and near-duplicate orders.
    ``category``/``area`` are what the agent already chose (codes); they take precedence
    over the suggested ones for routing and duplicates."""
    at = at or clock.now()
    dirs = model_dirs()
    text = content or ""
    full = f"{title} {text}".strip()
    domains = defaults.suggest_domain(text, title, model_dir=dirs["domain"])
    types = defaults.suggest_type(text, title, model_dir=dirs["type"])
    tree = subcategory_tree()
    cats = categories()
    sub: list[dict[str, Any]] = []
    for d in domains[:2]:
        for s in defaults.suggest_subcategory(
            d.code, text, title, subcategories=tree.get(d.code, [])
        ):
            info = cats.get(s.code)
            if info:
                row = _s(s)
                row["confidence"] = round(s.confidence * d.confidence, 3)
                row["label"] = info.full_name
                row["domain"] = d.code
                sub.append(row)
    sub.sort(key=lambda r: -r["confidence"])
    # the domain itself is a category too: fall back on it when no sub-category matched
    category_rows = sub[:3]
    if domains and domains[0].code in cats and not category_rows:
        category_rows = [
            {
                "code": domains[0].code,
                "label": cats[domains[0].code].full_name,
                "confidence": domains[0].confidence,
                "matched": domains[0].matched,
                "clause": domains[0].clause,
                "domain": domains[0].code,
            }
        ]
    sc = screen(text, title)
    elements = extract(f"{full} {address}".strip(), at, gazetteer())
    area_info = areas()
    el = elements.as_dict()
    for a in el["areas"]:
        info = area_info.get(a["area_id"])
        a["code"] = info.code if info else ""
        a["full_name"] = info.full_name if info else a["name"]
    for t in el["times"]:
        for k in ("start", "end"):
            if isinstance(t.get(k), datetime):
                t[k] = t[k].isoformat()
    component = suggest_component_type(full)
    out: dict[str, Any] = {
        "model_version": dirs["version"],
        "at": at.isoformat(),
        "type": [_s(s) for s in types],
        "domain": [_s(s) for s in domains],
        "category": category_rows,
        "urgency": _s(sc.urgency),
        "emergency_kind": [_s(s) for s in sc.emergency_kinds],
        "not_accepted_reason": [_s(s) for s in sc.not_accepted],
        "component_type": component,
        "elements": el,
        "units": [],
        "duplicates": [],
    }
    chosen_category = (
        category if category in cats else (category_rows[0]["code"] if category_rows else "")
    )
    chosen_area = area or (el["areas"][0]["code"] if el["areas"] else "")
    if with_units and chosen_category:
        from hotline.intelligence.routing import suggest_units

        out["units"] = [
            u.as_dict()
            for u in suggest_units(
                {
                    "category": chosen_category,
                    "area": chosen_area,
                    "component_type": component["code"] if component else "",
                    "text": full,
                }
            )
        ]
    if with_duplicates:
        from hotline.intelligence.duplicates import find_duplicate_orders

        out["duplicates"] = [
            d.as_dict()
            for d in find_duplicate_orders(
                {
                    "title": title,
                    "content": text,
                    "phone": phone,
                    "address": address,
                    "category": chosen_category,
                    "area": chosen_area,
                    "at": at,
                },
                user=user,
                exclude=exclude_order,
            )
        ]
    return out


# Fields of the work order each suggestion fills, for the feedback record.
def top_values(result: dict[str, Any]) -> dict[str, tuple[str, float | None]]:
    """The first suggestion of each field as (value, confidence)."""
    out: dict[str, tuple[str, float | None]] = {}
    for field, key in (("appeal_type", "type"), ("domain", "domain"), ("category", "category")):
        if result.get(key):
            out[field] = (result[key][0]["code"], result[key][0]["confidence"])
    out["urgency"] = (result["urgency"]["code"], result["urgency"]["confidence"])
    em = result.get("emergency_kind") or []
    out["emergency_kind"] = (em[0]["code"], em[0]["confidence"]) if em else ("", None)
    na = result.get("not_accepted_reason") or []
    out["not_accepted_reason"] = (na[0]["code"], na[0]["confidence"]) if na else ("", None)
    areas_found = result["elements"]["areas"]
    if areas_found and areas_found[0].get("code"):
        out["area"] = (areas_found[0]["code"], areas_found[0]["confidence"])
    return out


def label_of(field: str, code: str) -> str:
    if not code:
        return "（无）"
    if field == "appeal_type":
        return taxonomy.APPEAL_TYPES.label(code)
    if field == "domain":
        return taxonomy.DOMAINS.label(code)
    if field == "urgency":
        return taxonomy.URGENCY.label(code)
    if field == "emergency_kind":
        return rules_screening.EMERGENCY_KINDS.label(code)
    if field == "not_accepted_reason":
        return rules_screening.NOT_ACCEPTED_REASONS.label(code)
    if field == "category":
        info = categories().get(code)
        return info.full_name if info else code
    return code
