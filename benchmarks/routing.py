"""Dispatch suggestions on the demo centre (issue 16): does the first suggestion have
jurisdiction?

Builds a throwaway SQLite database with the demo centre (``BENCH_ORDERS`` orders, default
300; its routing catalogue and learned counts included), then asks
``hotline.intelligence.routing.suggest_units`` for every order that has an area and a
category, as the dispatch panel does.  Counted:

* ``jurisdiction_share``: the first suggested unit's jurisdiction (its areas, or none
  declared = the whole city) contains the order's area — the figure the issue asks ≥ 95 %;
* ``responsible_share``: the first unit also answers for the order's category (declared
  responsibility or a catalogue rule);
* ``agrees_with_lead_share``: the first unit is the lead unit the order was dispatched to
  (demo history; informative only — the demo routes some matters to street offices).

Prints one line per miss (at most 20), then one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TMP = tempfile.mkdtemp(prefix="hotline-bench-")
os.environ["HOTLINE_VAR_DIR"] = TMP
os.environ["HOTLINE_DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

THRESHOLD = 0.95


def main() -> None:
    from hotline.demo.build import build
    from hotline.intelligence.models import RoutingRule
    from hotline.intelligence.routing import suggest_units
    from hotline.orders.models import WorkOrder
    from hotline.org.models import Unit

    orders = int(os.environ.get("BENCH_ORDERS", "300"))
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    build(orders=orders)
    print(f"demo centre built in {time.perf_counter() - t:.0f} s", file=sys.stderr)

    unit_paths = {
        u.pk: [a.path for a in u.areas.all()] for u in Unit.objects.prefetch_related("areas")
    }
    unit_cats = {
        u.pk: {c.path for c in u.categories.all()}
        for u in Unit.objects.prefetch_related("categories")
    }
    rule_units = set(RoutingRule.objects.filter(enabled=True).values_list("unit_id", flat=True))
    rows = WorkOrder.objects.filter(area__isnull=False, category__isnull=False).select_related(
        "area", "category", "lead_unit"
    )
    total = juris = responsible = agrees = dispatched = 0
    misses = []
    times = []
    for order in rows.iterator():
        start = time.perf_counter()
        units = suggest_units(order)
        times.append((time.perf_counter() - start) * 1000)
        total += 1
        if not units:
            misses.append((order.number, order.area.name, order.category.name, "（无建议）"))
            continue
        first = units[0]
        paths = unit_paths.get(first.unit_id, [])
        has = not paths or any(order.area.path.startswith(p) for p in paths)
        juris += has
        responsible += has and (
            any(order.category.path.startswith(p) for p in unit_cats.get(first.unit_id, ()))
            or first.unit_id in rule_units
        )
        if order.lead_unit_id:
            dispatched += 1
            agrees += first.unit_id == order.lead_unit_id
        if not has:
            misses.append((order.number, order.area.name, order.category.name, first.name))
    for m in misses[:20]:
        print("miss:", *m)
    times.sort()
    share = juris / total if total else 0.0
    print(
        json.dumps(
            {
                "benchmark": "routing",
                "orders_with_area": total,
                "jurisdiction_share": round(share, 4),
                "responsible_share": round(responsible / total, 4) if total else 0.0,
                "agrees_with_lead_share": round(agrees / dispatched, 4) if dispatched else 0.0,
                "threshold": THRESHOLD,
                "ok": share >= THRESHOLD,
                "median_ms": round(times[len(times) // 2], 2) if times else None,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
