"""The intake page's suggestions panel, duplicate hints and the dispatch panel's unit
suggestions (``hotline.common.hooks``), filled from :func:`services.suggest`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from hotline import clock
from hotline.common import hooks
from hotline.intelligence import services
from hotline.rules import screening as rules_screening
from hotline.rules import taxonomy

_recent: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_lock = threading.Lock()


def _result(user, values: dict[str, Any]) -> dict[str, Any]:
    """One computation serves both providers of the same request (the last few kept)."""
    key = (getattr(user, "pk", None), *(str(values.get(k, "")) for k in sorted(values)))
    with _lock:
        if key in _recent:
            return _recent[key]
    result = services.suggest(
        values.get("title", ""),
        values.get("content", ""),
        phone=values.get("citizen_phone", ""),
        address=values.get("address", ""),
        category=values.get("category", ""),
        area=values.get("area", ""),
        at=clock.now(),
        user=user,
        exclude_order=values.get("order"),
        with_units="order" not in values,
    )
    with _lock:
        _recent[key] = result
        while len(_recent) > 32:
            _recent.popitem(last=False)
    return result


def _why(row: dict[str, Any]) -> str:
    conf = f"置信度 {row['confidence']:.0%}" if row.get("confidence") is not None else ""
    words = "、".join(row.get("matched") or [])
    return "；".join(x for x in (conf, f"依据：{words}" if words else "") if x)


def suggestion_provider(user, values: dict[str, Any]) -> list[hooks.Suggestion]:
    if len((values.get("title") or "") + (values.get("content") or "")) < 4:
        return []
    r = _result(user, values)
    out: list[hooks.Suggestion] = []
    S = hooks.Suggestion
    if r["type"]:
        t = r["type"][0]
        out.append(S("appeal_type", t["code"], f"诉求类型：{t['label']}", _why(t), t["confidence"]))
    for c in r["category"][:2]:
        if c["code"] == c.get("domain"):  # no sub-category matched: the domain, to narrow down
            why = "；".join(x for x in (_why(c), "请在该类下选择具体分类") if x)
            out.append(S("domain", c["code"], f"归口分类：{c['label']}", why, c["confidence"]))
        else:
            out.append(
                S("category", c["code"], f"诉求分类：{c['label']}", _why(c), c["confidence"])
            )
    u = r["urgency"]
    out.append(
        S(
            "urgency",
            u["code"],
            f"紧急程度：{taxonomy.URGENCY.label(u['code'])}",
            _why(u),
            u["confidence"],
        )
    )
    for e in r["emergency_kind"][:1]:
        out.append(
            S(
                "emergency_kind",
                e["code"],
                f"应急类型：{e['label']}（{e['clause']}）",
                _why(e),
                e["confidence"],
            )
        )
    for n in r["not_accepted_reason"][:1]:
        label = rules_screening.NOT_ACCEPTED_REASONS.label(n["code"])
        line = (n.get("extra") or {}).get("line")
        extra = f"，请转接 {line}" if line else ""
        out.append(
            S("reject-reason", n["code"], f"可能不予受理：{label}{extra}", _why(n), n["confidence"])
        )
    el = r["elements"]
    for a in el["areas"][:1]:
        if a.get("code"):
            out.append(
                S("area", a["code"], f"所属区域：{a['full_name']}", _why(a), a["confidence"])
            )
    # one address and one time, offered only when trustworthy (hotline.nlp.extract:
    # suggest_address / suggest_time, measured on hand-annotated appeals)
    if el.get("address"):
        p = el["address"]
        out.append(S("address", p, f"发生地址：{p}", "从诉求内容中提取（§6.1.6）"))
    for t in [el["event_time"]] if el.get("event_time") else []:
        start = (t.get("start") or "")[:16].replace("T", " ")
        out.append(
            S(
                "event_time",
                f"{t['text']}（{start}）",
                f"事发时间：{t['text']} → {start}",
                "相对来电时间推算（§6.1.6）",
            )
        )
    phone = (values.get("citizen_phone") or "").strip()
    for p in el["phones"][:1]:
        if p["number"] != phone:
            out.append(
                S("citizen_phone", p["number"], f"联系电话：{p['number']}", "从诉求内容中提取")
            )
    for unit in r["units"]:
        out.append(
            S(
                "unit",
                "",
                f"建议承办单位：{unit['name']}",
                "；".join(unit["reasons"]),
                unit["score"],
            )
        )
    return out


def duplicate_provider(user, values: dict[str, Any]) -> list[hooks.DuplicateHint]:
    if len((values.get("title") or "") + (values.get("content") or "")) < 4:
        return []
    r = _result(user, values)
    hints = []
    for d in r["duplicates"]:
        why = "；".join(d["reasons"])
        if not d["repeat"]:
            why = f"疑似同一问题；{why}"
        hints.append(hooks.DuplicateHint(d["number"], d["title"], d["state_label"], why))
    return hints


def unit_provider(user, order) -> list[hooks.UnitHint]:
    from hotline.intelligence.routing import suggest_units

    return [
        hooks.UnitHint(u.unit_id, u.name, tuple(u.reasons), round(u.score, 3))
        for u in suggest_units(order)
    ]
