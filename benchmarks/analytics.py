"""Benchmark the leaders' pages on a big city's history.

    python benchmarks/analytics.py [--orders N] [--days D] [--database sqlite|postgres]
                                   [--export-rows R] [--keep]

Builds a fresh database (SQLite file under var/bench/, or the PostgreSQL database
``hl_analytics_bench``), writes N orders of history over D days with ``hotline history``'s
generator, seals the roll-ups, then times (median of 3 runs):

* the monthly assessment of all units (roll-up for sealed days + live count of today +
  the open-overdue snapshot),
* the dashboard's queries for the month and the wall screen,
* an xlsx export of R rows (the orders' rows, cycled if the database holds fewer) — time
  and peak memory (growth of the process's peak RSS).

The roll-up's size depends on units × days, not on orders, and the live part on one
day's orders; so a run with the *density* of a big city (orders per day) measures what a
10-million-order history costs even when N is smaller.  The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--orders", type=int, default=100_000)
    p.add_argument("--days", type=int, default=7, help="history length; density = orders/days")
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/hl_analytics_bench")
    p.add_argument("--export-rows", type=int, default=1_000_000)
    p.add_argument("--keep", action="store_true", help="reuse an existing benchmark database")
    args = p.parse_args()

    from benchmarks._db import use_bench_database

    use_bench_database(args.database, f"analytics_{args.orders}.sqlite3", args.pg, keep=args.keep)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hotline import clock
    from hotline.analytics import assessment, dashboard, exports, rollup
    from hotline.analytics.periods import Period, day_start, local_day
    from hotline.demo import history
    from hotline.orders.models import WorkOrder

    call_command("migrate", verbosity=0)
    figures: dict = {
        "database": connection.vendor,
        "orders_requested": args.orders,
        # the machine is shared: wall times grow with the load; CPU times are this process's
        "load_average_at_start": os.getloadavg()[0],
    }
    existing = WorkOrder.objects.count()
    if existing == 0:
        from hotline.demo import build

        build.build_organisation()
        t, cpu = time.perf_counter(), time.process_time()
        made = history.generate(args.orders, days=args.days, batch=20_000)
        took = time.perf_counter() - t
        figures.update(
            generate_seconds=round(took, 1),
            generate_cpu_seconds=round(time.process_time() - cpu, 1),
            generate_orders_per_second=round(made / took),
        )
        existing = made
    figures["orders"] = existing
    figures["orders_per_day"] = round(existing / args.days)
    t, cpu = time.perf_counter(), time.process_time()
    rollup.refresh()
    figures["rollup_seal_seconds"] = round(time.perf_counter() - t, 2)
    figures["rollup_seal_cpu_seconds"] = round(time.process_time() - cpu, 2)
    now = clock.now()
    today = local_day(now)
    month = Period.month(today.year, today.month)

    def timed(fn, n: int = 3) -> float:
        """Median wall seconds of ``n`` runs."""
        runs = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        return round(statistics.median(runs), 3)

    result = assessment.assess(month, now=now)
    figures["units_assessed"] = len(result.rows)
    figures["monthly_assessment_seconds"] = timed(lambda: assessment.assess(month, now=now))
    figures["monthly_assessment_subunits_seconds"] = timed(
        lambda: assessment.assess(month, now=now, include_subunits=True)
    )
    w = rollup.watermark()
    figures["live_tail_minutes"] = round((now - w).total_seconds() / 60, 1)
    figures["live_tail_seconds"] = timed(lambda: rollup.unit_counts(w, now, now, by_day=False))
    # what the live part costs when the roll-up is a day behind (the job has not run today)
    figures["live_whole_day_seconds"] = timed(
        lambda: rollup.unit_counts(day_start(today), now, now, by_day=False)
    )
    figures["dashboard_month_seconds"] = timed(lambda: dashboard.dashboard(month, now))
    figures["wall_seconds"] = timed(lambda: dashboard.wall(now))

    rows_source = WorkOrder.objects.all()
    before = rss_mib()
    peak = [before]

    def sampled(rows):
        for i, row in enumerate(rows):
            if i % 10_000 == 0:
                peak[0] = max(peak[0], rss_mib())
            yield row

    t, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as out:
        rows = sampled(
            islice(
                cycle_rows(exports.order_rows(rows_source), exports, rows_source),
                args.export_rows,
            )
        )
        n = exports.write_sheet(out, "工单", exports.order_headers(), rows)
        size = out.seek(0, 2)
    figures.update(
        export_rows=n,
        export_seconds=round(time.perf_counter() - t, 1),
        export_cpu_seconds=round(time.process_time() - cpu, 1),
        export_mib=round(size / 2**20, 1),
        export_rss_before_mib=round(before, 1),
        export_rss_peak_mib=round(max(peak[0], rss_mib()), 1),
    )
    print(json.dumps(figures, ensure_ascii=False))


def rss_mib() -> float:
    """The process's resident memory now (Linux), in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cycle_rows(first, exports, qs):
    """The orders' export rows, then the same rows again until the count is reached."""
    yield from first
    while True:
        yield from exports.order_rows(qs)


if __name__ == "__main__":
    main()
