"""Concentrated issues (§4.2 b) from the database: feed the period's appeals to the
pure-Python ``hotline.hotspots`` package, keep the result, and show groups with their
orders, places, units and trend, rising topics and repeated appeals of one citizen.

The analysis costs seconds for thousands of appeals and minutes for a hundred thousand
(``docs/hotspots.md``), so it runs from ``hotline hotspots`` (or the page's button) and
its result is stored in ``HotspotRun``; the page reads the latest run.  At most
``HOTLINE_HOTSPOT_MAX_RECORDS`` of the period's most recent appeals are analysed.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from typing import Any

from django.conf import settings

from hotline import clock
from hotline.analytics.models import HotspotRun
from hotline.analytics.periods import Period
from hotline.orders.models import WorkOrder
from hotline.org.models import Area, Unit
from hotline.rules import pii, taxonomy

DEFAULT_MAX_RECORDS = 20_000


def max_records() -> int:
    return int(getattr(settings, "HOTLINE_HOTSPOT_MAX_RECORDS", DEFAULT_MAX_RECORDS))


def appeals(period: Period, *, domain: str = "", limit: int | None = None) -> list[dict]:
    """The period's accepted appeals as the records ``hotline.hotspots`` reads, the most
    recent first when there are more than ``limit``."""
    qs = WorkOrder.objects.filter(created_at__gte=period.start, created_at__lt=period.end).exclude(
        state__in=["draft", "rejected"]
    )
    if domain:
        qs = qs.filter(domain=domain)
    rows = qs.order_by("-created_at").values(
        "id",
        "title",
        "content",
        "created_at",
        "domain",
        "area_id",
        "area__name",
        "citizen_phone",
        "lead_unit_id",
    )[: limit or max_records()]
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "text": r["content"],
            "time": r["created_at"],
            "category": r["domain"] or None,
            "area": str(r["area_id"]) if r["area_id"] else None,
            "area_name": r["area__name"],
            "citizen": r["citizen_phone"] or None,
            "unit": str(r["lead_unit_id"]) if r["lead_unit_id"] else None,
        }
        for r in rows
    ]


def analyse(
    period: Period, *, domain: str = "", now: datetime | None = None, config=None
) -> HotspotRun:
    """Run the analysis on the period's appeals and store it."""
    from hotline.hotspots import HotspotConfig, find_hotspots

    now = now or clock.now()
    limit = max_records()
    records = appeals(period, domain=domain, limit=limit)
    started = time.perf_counter()
    end = min(period.end, now)
    report = find_hotspots(records, now=end, config=config or HotspotConfig()) if records else None
    data = enrich(report.to_dict() if report else _empty(end), records)
    return HotspotRun.objects.create(
        first=period.first,
        last=period.last,
        domain=domain,
        records=len(records),
        truncated=len(records) >= limit,
        computed_at=now,
        seconds=round(time.perf_counter() - started, 2),
        report=data,
    )


def latest(period: Period, domain: str = "") -> HotspotRun | None:
    return HotspotRun.objects.filter(first=period.first, last=period.last, domain=domain).first()


def _empty(now: datetime) -> dict:
    return {
        "now": now.isoformat(),
        "appeals": 0,
        "groups": [],
        "rising_terms": [],
        "rising_groups": [],
        "repeats": [],
    }


def enrich(report: dict[str, Any], records: list[dict]) -> dict[str, Any]:
    """Order numbers for member ids, unit and area names for their ids, domain labels,
    masked phone numbers for citizens (repeats are shown to staff who need no number), and
    personal data masked in every text taken from the appeals (labels, terms, places,
    titles): an analysis of many appeals needs nobody's phone, and its groups are handed
    to units as long-term matters."""
    ids = {r["id"] for r in records}
    numbers = dict(WorkOrder.objects.filter(pk__in=ids).values_list("pk", "number"))
    units = {str(k): v for k, v in Unit.objects.values_list("pk", "name")}
    areas = {str(k): v for k, v in Area.objects.values_list("pk", "name")}

    def label(kind: str, value: str) -> str:
        if kind == "units":
            return units.get(value, value)
        if kind == "categories":
            return taxonomy.DOMAINS.label(value) if value in taxonomy.DOMAINS else value
        return areas.get(value, value)

    unit_of = {r["id"]: r["unit"] for r in records if r["unit"]}
    mask = pii.mask_text
    for g in report["groups"]:
        g["label"] = mask(g["label"])
        g["terms"] = [mask(t) for t in g["terms"]]
        g["place"] = mask(g["place"]) if g.get("place") else g.get("place")
        g["orders"] = [numbers.get(i, str(i)) for i in g["member_ids"]]
        g["representative"] = numbers.get(g["representative_id"], str(g["representative_id"]))
        for kind in ("units", "categories", "places"):
            g[kind] = [[mask(label(kind, str(v))), n] for v, n in g[kind]]
        top = Counter(unit_of[i] for i in g["member_ids"] if i in unit_of).most_common(1)
        g["suggested_unit"] = int(top[0][0]) if top else None
    for t in report["rising_terms"] + report["rising_groups"]:
        t["key"] = mask(t["key"])
        t["related"] = [mask(r) for r in t.get("related", [])]
        t["examples"] = [numbers.get(i, str(i)) for i in t["example_ids"]]
    for chain in report["repeats"]:
        chain["orders"] = [numbers.get(i, str(i)) for i in chain["member_ids"]]
        chain["citizen"] = pii.mask_phone(chain["citizen"] or "")
        chain["title"] = mask(chain["title"])
    return report
