"""Which unit should handle an order (智能派单, §6.3: nature, responsibility, territory).

Three sources, ranked by :mod:`hotline.rules.routing` — jurisdiction first:

* the units' declared responsibilities (categories) and jurisdictions (areas): a unit whose
  jurisdiction contains the order's area and which answers for its category comes first,
  the closest jurisdiction before the wider one ("属地：管辖海勃湾区（含康乐社区），职责含
  城乡建设/房屋维修");
* the routing catalogue the administrator keeps (:class:`RoutingRule`, 派单目录):
  "规则：城乡建设/路灯 · 海勃湾区 → 区市政养护中心" — a rule names a responsible unit;
* what past confirmed dispatches teach (:class:`RoutingStat`): "87% 的同类工单派给…",
  counted per (category, area, unit) when the lead unit signs for an order — so a
  suggestion reads a handful of counter rows, never the order history.  Only history
  within the order's area ranks a unit (second tier); city-wide figures are a hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from hotline.intelligence.models import RoutingRule, RoutingStat
from hotline.intelligence.services import areas, categories
from hotline.rules import routing as rules

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
    tier: int = rules.TIER_OTHER
    jurisdiction: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "code": self.code,
            "name": self.name,
            "score": round(self.score, 3),
            "share": self.share,
            "reasons": list(self.reasons),
            "sources": list(self.sources),
            "tier": self.tier,
            "tier_label": rules.TIER_LABELS[self.tier],
            "jurisdiction": self.jurisdiction,
        }


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _depth(path: str) -> int:
    return path.strip("/").count("/") + 1


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
    """The ranked units for an order (or its values), each with its reasons: every unit
    with jurisdiction and responsibility first, then local history, filled to ``limit``."""
    from hotline.org.models import Unit

    v = _values(order_or_values)
    cat = categories().get(v.get("category") or "")
    area_by_code = {a.code: a for a in areas().values()}
    area = area_by_code.get(v.get("area") or "")
    text = v.get("text") or ""
    component = v.get("component_type") or ""
    found: dict[int, rules.Candidate] = {}
    sources: dict[int, list[str]] = {}
    rule_reasons: dict[int, list[str]] = {}
    history_reasons: dict[int, str] = {}

    def entry(unit_id: int) -> rules.Candidate:
        if unit_id not in found:
            found[unit_id] = rules.Candidate(unit_id, "")
            sources[unit_id] = []
        return found[unit_id]

    # 1. the routing catalogue
    for rule in RoutingRule.objects.filter(enabled=True).select_related("category", "area", "unit"):
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
        c = entry(rule.unit_id)
        score = 0.6 + 0.05 * conditions - min(rule.priority, 1000) / 10000
        c.rule = max(c.rule or 0.0, score)
        if "rule" not in sources[rule.unit_id]:
            sources[rule.unit_id].append("rule")
        rule_reasons.setdefault(rule.unit_id, []).append(rule.describe())

    # 2. what confirmed dispatches of similar orders teach: the most specific level of the
    # order's area with enough history; levels at the top of the tree (the whole city) and
    # the count without area are city-wide, not local
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
            info = areas().get(level) if level else None
            where = info.name if info else "全市"
            local = info is not None and (_depth(info.path) > 1 or _depth(area.path) == 1)
            for r in sorted(group, key=lambda r: -r.count)[:5]:
                if total <= 0 or r.count <= 0:
                    continue
                share = r.count / total
                c = entry(r.unit_id)
                c.share = round(share, 3)
                c.local_history = local
                sources[r.unit_id].append("history")
                history_reasons[r.unit_id] = (
                    f"{round(share * 100)}% 的同类工单（{cat.full_name} · {where}，共 {total} 件）派给此单位"
                )

    # 3. declared responsibility and jurisdiction: one query for the units (responsible
    # ones annotated), one for their areas
    duty_q = Q()
    duty = None
    if cat is not None:
        duty = Exists(
            Unit.categories.through.objects.filter(unit_id=OuterRef("pk"), category_id=cat.id)
        )
        duty_q = Q(is_duty=True, active=True) & ~Q(kind="centre")
    qs = Unit.objects.all()
    if duty is not None:
        qs = qs.annotate(is_duty=duty).filter(Q(pk__in=list(found)) | duty_q)
    else:
        qs = qs.filter(pk__in=list(found))
    units = {u.pk: u for u in qs.only("id", "code", "name", "active", "kind")}
    if not units:
        return []
    unit_areas: dict[int, list[int]] = {}
    for uid, aid in Unit.areas.through.objects.filter(unit_id__in=list(units)).values_list(
        "unit_id", "area_id"
    ):
        unit_areas.setdefault(uid, []).append(aid)
    all_areas = areas()
    contains = set(_ancestor_paths(area.path)) if area else set()
    for uid, unit in units.items():
        c = entry(uid)
        c.name = unit.name
        c.duty = bool(getattr(unit, "is_duty", False))
        declared = [all_areas[a] for a in unit_areas.get(uid, []) if a in all_areas]
        if not declared:
            c.cover_depth = 0  # no declared area: the whole territory
        elif area is not None:
            covering = [a for a in declared if a.path in contains]
            if covering:
                best = max(covering, key=lambda a: _depth(a.path))
                c.cover_depth, c.cover_name = _depth(best.path), best.name
        if c.duty:
            sources[uid].append("duty")

    # a unit responsible elsewhere, with no rule or history here, is not a suggestion
    kept = [
        c
        for uid, c in found.items()
        if uid in units
        and units[uid].active
        and (c.covers or c.rule is not None or c.share or area is None)
    ]
    ranked = rules.rank(kept, has_area=area is not None, limit=limit)
    out = []
    for c in ranked:
        tier = c.tier(area is not None)
        reasons: list[str] = list(rule_reasons.get(c.unit_id, []))
        if c.duty and tier == rules.TIER_JURISDICTION and area is not None:
            reasons.append(rules.jurisdiction_reason(c, cat.full_name if cat else "", area.name))
        elif c.duty and area is not None:
            reasons.append(f"职责：{cat.full_name if cat else ''}（管辖区域不含{area.name}）")
        elif c.duty:
            reasons.append(f"职责：{cat.full_name if cat else ''}")
        if c.unit_id in history_reasons:
            reasons.append(history_reasons[c.unit_id])
        out.append(
            UnitSuggestion(
                c.unit_id,
                units[c.unit_id].code,
                c.name,
                score=c.score(),
                reasons=reasons,
                sources=sources[c.unit_id],
                share=c.share,
                tier=tier,
                jurisdiction=c.covers and area is not None,
            )
        )
    return out


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
