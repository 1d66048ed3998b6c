"""Which unit should handle an order (智能派单, §6.3: nature, responsibility, territory).

Two sources, combined into one ranked top 3 with the reasons shown to the reviewer:

* the routing catalogue the administrator keeps (:class:`RoutingRule`, 派单目录):
  "规则：城乡建设/路灯 · 海勃湾区 → 区市政养护中心";
* what past confirmed dispatches teach (:class:`RoutingStat`): "87% 的同类工单派给…",
  counted per (category, area, unit) when the lead unit signs for an order — so a
  suggestion reads a handful of counter rows, never the order history.

Score = rule (0.6 + 0.05 per matched condition, less for a lower priority) + 0.5 × the
unit's share of similar orders (most specific area level with at least ``MIN_HISTORY``
orders) + 0.2 when the unit's declared responsibility and jurisdiction fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from hotline.intelligence.models import RoutingRule, RoutingStat
from hotline.intelligence.services import areas, categories

MIN_HISTORY = 3


@dataclass
class UnitSuggestion:
    unit_id: int
    code: str
    name: str
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    share: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "code": self.code,
            "name": self.name,
            "score": round(self.score, 3),
            "share": self.share,
            "reasons": list(self.reasons),
            "sources": list(self.sources),
        }


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _values(order_or_values: Any) -> dict[str, Any]:
    """category code, area code, component type and text of an order or a dict."""
    if isinstance(order_or_values, dict):
        v = dict(order_or_values)
        for key in ("category", "area"):
            obj = v.get(key)
            if obj is not None and hasattr(obj, "code"):
                v[key] = obj.code
        return v
    o = order_or_values
    return {
        "category": o.category.code if o.category_id else "",
        "area": o.area.code if o.area_id else "",
        "component_type": o.component_type,
        "text": f"{o.title} {o.content}",
    }


def suggest_units(order_or_values: Any, limit: int = 3) -> list[UnitSuggestion]:
    from hotline.org.models import Unit

    v = _values(order_or_values)
    cat = categories().get(v.get("category") or "")
    area_by_code = {a.code: a for a in areas().values()}
    area = area_by_code.get(v.get("area") or "")
    text = v.get("text") or ""
    component = v.get("component_type") or ""
    found: dict[int, UnitSuggestion] = {}

    def entry(unit_id: int) -> UnitSuggestion:
        if unit_id not in found:
            found[unit_id] = UnitSuggestion(unit_id, "", "")
        return found[unit_id]

    # 1. the routing catalogue
    rules = RoutingRule.objects.filter(enabled=True).select_related("category", "area", "unit")
    for rule in rules:
        conditions = 0
        if rule.category_id:
            if cat is None or not cat.path.startswith(rule.category.path):
                continue
            conditions += 1
        if rule.area_id:
            if area is None or not area.path.startswith(rule.area.path):
                continue
            conditions += 1
        if rule.component_type:
            if rule.component_type != component:
                continue
            conditions += 1
        if rule.keyword:
            if rule.keyword not in text:
                continue
            conditions += 1
        if not rule.unit.active:
            continue
        e = entry(rule.unit_id)
        score = 0.6 + 0.05 * conditions - min(rule.priority, 1000) / 10000
        if "rule" not in e.sources:
            e.score += score
            e.sources.append("rule")
        e.reasons.append(rule.describe())

    # 2. what confirmed dispatches of similar orders teach
    if cat is not None:
        levels: list[int | None] = [None, *(_area_ids(area) if area else [])]
        rows = RoutingStat.objects.filter(category_id=cat.id).filter(
            Q(area__isnull=True) | Q(area_id__in=[x for x in levels if x])
        )
        by_area: dict[int | None, list[RoutingStat]] = {}
        for r in rows:
            by_area.setdefault(r.area_id, []).append(r)
        chosen = None
        for level in reversed(levels):  # the most specific level with enough history
            group = by_area.get(level) or []
            if sum(r.count for r in group) >= MIN_HISTORY:
                chosen = (level, group)
                break
        if chosen is None:
            chosen = next(((lv, by_area[lv]) for lv in reversed(levels) if by_area.get(lv)), None)
        if chosen is not None:
            level, group = chosen
            total = sum(r.count for r in group)
            where = areas()[level].name if level else "全市"
            for r in sorted(group, key=lambda r: -r.count)[:5]:
                if total <= 0 or r.count <= 0:
                    continue
                share = r.count / total
                e = entry(r.unit_id)
                e.score += 0.5 * share
                e.share = round(share, 3)
                e.sources.append("history")
                e.reasons.append(
                    f"{round(share * 100)}% 的同类工单（{cat.full_name} · {where}，共 {total} 件）派给此单位"
                )

    # 3. declared responsibility and jurisdiction (the unit's categories and areas)
    if cat is not None:
        qs = Unit.objects.filter(active=True, categories__id=cat.id).exclude(kind="centre")
        paths = _ancestor_paths(area.path) if area else []
        for unit in qs.prefetch_related("areas").distinct()[:20]:
            covers = [a for a in unit.areas.all() if a.path in paths]
            if area and unit.areas.all() and not covers:
                continue
            e = entry(unit.pk)
            e.score += 0.2
            e.sources.append("duty")
            where = f" · 管辖{covers[-1].name}" if covers else ""
            e.reasons.append(f"职责：{cat.full_name}{where}")

    if not found:
        return []
    units = {u.pk: u for u in Unit.objects.filter(pk__in=found)}
    out = []
    for uid, e in found.items():
        unit = units.get(uid)
        if unit is None:
            continue
        e.code, e.name = unit.code, unit.name
        out.append(e)
    out.sort(key=lambda e: (-e.score, e.name))
    return out[:limit]


def _area_ids(area) -> list[int]:
    """The area's ancestors' ids and its own, top first."""
    by_path = {a.path: a.id for a in areas().values()}
    return [by_path[p] for p in _ancestor_paths(area.path) if p in by_path]


# ---------------------------------------------------------------------------
# the learned counts


def _bump(category_id: int, area_path: str | None, unit_id: int, delta: int = 1) -> None:
    by_path = {a.path: a.id for a in areas().values()}
    levels: list[int | None] = [None]
    if area_path:
        levels += [by_path[p] for p in _ancestor_paths(area_path) if p in by_path]
    for area_id in levels:
        updated = RoutingStat.objects.filter(
            category_id=category_id, area_id=area_id, unit_id=unit_id
        ).update(count=F("count") + delta)
        if not updated and delta > 0:
            try:
                with transaction.atomic():
                    RoutingStat.objects.create(
                        category_id=category_id, area_id=area_id, unit_id=unit_id, count=delta
                    )
            except Exception:  # created meanwhile by another process
                RoutingStat.objects.filter(
                    category_id=category_id, area_id=area_id, unit_id=unit_id
                ).update(count=F("count") + delta)


def on_action(action: str, order, event) -> None:
    """``actions.after_commit_hooks``: a lead unit signing for an order confirms that the
    dispatch was right — count it for (category, area, unit)."""
    if action != "sign" or not order.category_id or not order.lead_unit_id:
        return
    with transaction.atomic():
        _bump(order.category_id, order.area.path if order.area_id else None, order.lead_unit_id)


def rebuild_routing_stats() -> int:
    """Recount every confirmed dispatch (lead assignments signed for and not returned).
    Returns the number of counter rows."""
    from hotline.orders.models import Assignment

    counts: dict[tuple[int, int | None, int], int] = {}
    by_path = {a.path: a.id for a in areas().values()}
    rows = (
        Assignment.objects.filter(
            role="lead", signed_at__isnull=False, order__category__isnull=False
        )
        .exclude(end_reason="unit_return")
        .values_list("order__category_id", "order__area__path", "unit_id")
    )
    for category_id, area_path, unit_id in rows.iterator():
        levels: list[int | None] = [None]
        if area_path:
            levels += [by_path[p] for p in _ancestor_paths(area_path) if p in by_path]
        for area_id in levels:
            key = (category_id, area_id, unit_id)
            counts[key] = counts.get(key, 0) + 1
    with transaction.atomic():
        RoutingStat.objects.all().delete()
        RoutingStat.objects.bulk_create(
            [
                RoutingStat(category_id=c, area_id=a, unit_id=u, count=n)
                for (c, a, u), n in counts.items()
            ],
            batch_size=1000,
        )
    return len(counts)
