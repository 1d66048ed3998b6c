"""Concentrated issues end to end through Django, on the real messages of
``teddy2020_hot.csv`` (4,326 messages of a provincial message board, 2019).

    python benchmarks/hotspots_django.py [--database sqlite|postgres]

Loads the messages as work orders into a fresh database (title, body as content, time,
the poster's id as the citizen), then runs what the 集中诉求 page runs —
``concentrated.analyse``: read the period's orders, ``hotline.hotspots.find_hotspots``,
enrich with order numbers and unit names, store the run — and times each part.  It also
runs the package straight on the CSV rows and checks that the database path finds exactly
the same groups and repeat chains (the integration adds and loses nothing).  The method's
own quality is judged in ``docs/hotspots.md``; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._data import shared_data  # noqa: E402


def data_file() -> Path:
    return shared_data() / "teddy2020_hot.csv"


def parse_time(text: str, tz) -> datetime:
    for layout in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), layout).replace(tzinfo=tz)
        except ValueError:
            continue
    raise ValueError(f"unknown time layout: {text!r}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/hl_analytics_hot")
    args = p.parse_args()
    from benchmarks._db import use_bench_database

    use_bench_database(args.database, "hotspots.sqlite3", args.pg)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hotline.analytics import concentrated
    from hotline.analytics.periods import Period, local_day
    from hotline.demo import build
    from hotline.hotspots import find_hotspots
    from hotline.orders.models import WorkOrder
    from hotline.rules.calendar import SHANGHAI

    call_command("migrate", verbosity=0)
    build.build_organisation()
    with open(data_file(), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    orders = []
    for i, r in enumerate(rows, 1):
        t = parse_time(r["time"], SHANGHAI)
        orders.append(
            WorkOrder(
                number=f"H{i:08d}",
                state="closed",
                channel="portal",
                title=r["title"][:200],
                content=r["body"],
                citizen_phone=r["user"][:30],
                created_at=t,
                accepted_at=t,
            )
        )
    t0 = time.perf_counter()
    WorkOrder.objects.bulk_create(orders, batch_size=2000)
    load = time.perf_counter() - t0
    ids = {o.number: o.pk for o in WorkOrder.objects.only("pk", "number")}
    csv_id_of = {ids[f"H{i:08d}"]: r["id"] for i, r in enumerate(rows, 1)}
    first = min(o.created_at for o in orders)
    last = max(o.created_at for o in orders)
    period = Period(local_day(first), local_day(last))

    t0 = time.perf_counter()
    records = concentrated.appeals(period)
    read = time.perf_counter() - t0
    t0 = time.perf_counter()
    run = concentrated.analyse(period, now=period.end)
    total = time.perf_counter() - t0

    direct = find_hotspots(
        [
            {
                "id": r["id"],
                "title": r["title"][:200],
                "text": r["body"],
                "time": parse_time(r["time"], SHANGHAI),
                "citizen": r["user"][:30],
            }
            for r in rows
        ],
        now=period.end,
    )
    via_db = {frozenset(csv_id_of[i] for i in g["member_ids"]) for g in run.report["groups"]}
    straight = {frozenset(g.member_ids) for g in direct.groups}
    chains_db = {tuple(csv_id_of[i] for i in c["member_ids"]) for c in run.report["repeats"]}
    chains = {tuple(c.member_ids) for c in direct.repeats}
    groups = run.report["groups"]
    print(f"== {len(groups)} groups from {run.records} orders ({connection.vendor}) ==")
    for g in groups[:10]:
        print(f"  {g['label']}: {g['size']} orders, {g['citizens']} citizens, heat {g['heat']:.1f}")
    print(
        f"== {len(run.report['repeats'])} repeat chains; rising terms: "
        f"{[t['key'] for t in run.report['rising_terms'][:5]]}"
    )
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "messages": len(rows),
                "orders_analysed": run.records,
                "load_seconds": round(load, 2),
                "read_seconds": round(read, 2),
                "analyse_store_seconds": round(total, 2),
                "groups": len(groups),
                "largest_group": groups[0]["size"] if groups else 0,
                "repeat_chains": len(run.report["repeats"]),
                "same_groups_as_package_on_csv": via_db == straight,
                "same_repeats_as_package_on_csv": chains_db == chains,
                "records_read": len(records),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
