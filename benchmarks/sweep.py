"""How long one supervision sweep takes, and that its cost follows the due orders, not all
open orders (§6.5, docs/supervision.md).

    python benchmarks/sweep.py                          # 100k and 1M open orders, both DBs
    python benchmarks/sweep.py --sizes 100000 --databases sqlite
    python benchmarks/sweep.py --pg-url postgres://postgres@127.0.0.1:5432/postgres

For each database and size it bulk-inserts N open orders in ``handling`` with one running
feedback deadline each (SQL ``INSERT … SELECT`` from a number series, so 1M rows take
seconds, not minutes), of which ``--due-share`` (default 1 %) are due now: half in warning,
half overdue, and ``--rung-share`` of them (default 2 %) late enough that the ladder's
first rung is due — each rung goes through ``do_supervise`` in its own savepoint, so rungs
cost far more than reminders; in steady state few orders cross a rung in the same minute.  It then times one sweep without delivery (``sweep_ms``: reminders, emergency net,
ladders), the delivery of what it queued (``deliver_ms``), and a second sweep at the same
instant (``resweep_ms``: nothing left to do — the standing cost of watching).  A third run
per database puts the largest size's due count on the smallest size, so that "1M open with
10k due" can be compared with "100k open with 10k due".

Each run is a child process on a fresh copy of a migrated template database (a file copy
for SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL).  One JSON line per run; the last
line is one JSON object with all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # a Tuesday, 14:00 in Shanghai
UNITS = 50


# ---------------------------------------------------------------------------
# child: one database, one size


def _setup(url: str) -> None:
    os.environ["HOTLINE_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    os.environ.setdefault("HOTLINE_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(url: str) -> None:
    _setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from hotline.org.models import Unit

    for i in range(UNITS):
        Unit.objects.create(
            code=f"bench-{i}",
            name=f"压测承办单位{i}",
            kind="department",
            phone=f"0473-31{i:05d}",
            leader_name="分管领导",
            leader_phone=f"1390000{i:04d}",
            head_name="负责人",
            head_phone=f"1380000{i:04d}",
        )


def _literal(field, vendor: str) -> str:
    from django.db import models

    default = field.get_default()
    if isinstance(field, models.BooleanField):
        return ("TRUE" if default else "FALSE") if vendor == "postgresql" else str(int(default))
    if isinstance(field, models.JSONField):
        return "'" + json.dumps(default) + "'"
    if isinstance(default, int):
        return str(default)
    return "'" + str(default or "").replace("'", "''") + "'"


def _ts(t: datetime, vendor: str) -> str:
    if vendor == "postgresql":
        return f"TIMESTAMPTZ '{t.isoformat()}'"
    return f"'{t.strftime('%Y-%m-%d %H:%M:%S')}'"


def _insert(model, values: dict[str, str], source: str, vendor: str) -> str:
    """``INSERT INTO table (every column) SELECT <expr per column> <source>``: columns not
    given take their null or default."""
    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f'"{f.column}"')
        if f.name in values:
            exprs.append(values[f.name])
        elif f.null:
            exprs.append("NULL")
        else:
            exprs.append(_literal(f, vendor))
    return f'INSERT INTO "{model._meta.db_table}" ({", ".join(cols)}) SELECT {", ".join(exprs)} {source}'


def generate(n: int, due: int, rung_share: float = 0.02) -> dict:
    """n open orders, ``due`` of them with a deadline in warning or overdue at NOW."""
    from django.db import connection, transaction

    from hotline.orders.models import Deadline, WorkOrder
    from hotline.org.models import Unit

    vendor = connection.vendor
    first_unit = Unit.objects.filter(code="bench-0").values_list("pk", flat=True).get()
    every = max(1, n // max(1, due))
    long_ago = NOW - timedelta(days=10)
    if vendor == "postgresql":
        series = f"FROM generate_series(1, {n}) AS s(i)"
        number = "'B' || lpad(i::text, 12, '0')"
        title = "'压测工单' || i"
        unit = f"{first_unit} + (i % {UNITS})"
    else:
        series = f"FROM (WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s)"
        number = "printf('B%012d', i)"
        title = "'压测工单' || i"
        unit = f"{first_unit} + (i % {UNITS})"
    orders = _insert(
        WorkOrder,
        {
            "number": number,
            "state": "'handling'",
            "channel": "'phone'",
            "title": title,
            "content": "'压测内容'",
            "address": "'乌海市海勃湾区'",
            "lead_unit": unit,
            "created_at": _ts(long_ago, vendor),
            "accepted_at": _ts(long_ago, vendor),
            "dispatched_at": _ts(long_ago, vendor),
            "signed_at": _ts(long_ago, vendor),
            "updated_at": _ts(long_ago, vendor),
        },
        series,
        vendor,
    )

    # due orders: id % every == 0; of those, by (id / every) % 100:
    #   < rung: overdue 2 days (the ladder's first rung is due), < 50: warning (warn passed,
    #   due in 30 min), else overdue 10 minutes (reminded, no rung yet)
    k = f"((id / {every}) % 100)"
    rung = max(0, min(50, round(rung_share * 100)))
    due_at = (
        f"CASE WHEN id % {every} <> 0 THEN {_ts(NOW + timedelta(days=3), vendor)} "
        f"WHEN {k} < {rung} THEN {_ts(NOW - timedelta(days=2), vendor)} "
        f"WHEN {k} < 50 THEN {_ts(NOW + timedelta(minutes=30), vendor)} "
        f"ELSE {_ts(NOW - timedelta(minutes=10), vendor)} END"
    )
    warn_at = (
        f"CASE WHEN id % {every} <> 0 THEN {_ts(NOW + timedelta(days=2), vendor)} "
        f"ELSE {_ts(NOW - timedelta(days=3), vendor)} END"
    )
    deadlines = _insert(
        Deadline,
        {
            "order": "id",
            "kind": "'feedback'",
            "start_at": _ts(long_ago, vendor),
            "due_at": due_at,
            "warn_at": warn_at,
            "basis": "'working_days'",
            "amount": "5",
            "clause": "'§6.4.2'",
            "rule": "'一般诉求5个工作日内反馈'",
            "skipped": "'[]'",
            "created_at": _ts(long_ago, vendor),
        },
        f'FROM "{WorkOrder._meta.db_table}"',
        vendor,
    )
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(orders)
        cursor.execute(deadlines)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "insert_s": round(time.perf_counter() - t0, 1),
        "due_now": Deadline.objects.active().filter(warn_at__lte=NOW).count(),
    }


class NullGateway:
    """Accepts every message (the benchmark measures the outbox, not a provider)."""

    def send(self, message) -> str:
        return message.key


def measure(url: str, n: int, due: int, rung_share: float) -> dict:
    _setup(url)
    from django.db import connection

    from hotline.supervision import outbox, sweep
    from hotline.supervision.models import Message

    made = generate(n, due, rung_share)
    t0, c0 = time.perf_counter(), time.process_time()
    report = sweep.run(now=NOW, deliver=False)
    sweep_ms = (time.perf_counter() - t0) * 1000
    sweep_cpu_ms = (time.process_time() - c0) * 1000
    queued = Message.objects.count()
    t0 = time.perf_counter()
    delivered = outbox.deliver_due(now=NOW, gateway=NullGateway(), limit=10**9)
    deliver_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    again = sweep.run(now=NOW, gateway=NullGateway())
    resweep_ms = (time.perf_counter() - t0) * 1000
    assert again.warning == again.overdue == again.rungs == 0, again.as_dict()
    return {
        "database": connection.vendor,
        "open_orders": n,
        "due": made["due_now"],
        "sweep_ms": round(sweep_ms),
        "sweep_cpu_ms": round(sweep_cpu_ms),
        "deliver_ms": round(deliver_ms),
        "resweep_ms": round(resweep_ms),
        "warnings": report.warning,
        "overdue": report.overdue,
        "rungs": report.rungs,
        "messages": queued,
        "sent": delivered.sent,
        "insert_s": made["insert_s"],
        "stages_ms": report.timings_ms,
    }


# ---------------------------------------------------------------------------
# parent


def _child(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def _pg(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _with_db(url: str, name: str) -> str:
    p = urlparse(url)
    return urlunparse(p._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument("--rung-share", type=float, default=0.02)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare)
        return
    if args.child:
        url, n, due, share = args.child
        print(json.dumps(measure(url, int(n), int(due), float(share)), ensure_ascii=False))
        return

    sizes = sorted(int(s) for s in args.sizes.split(","))
    runs = [(n, max(1, round(n * args.due_share))) for n in sizes]
    if len(sizes) > 1:  # the comparison point: the smallest size with the largest due count
        runs.append((sizes[0], runs[-1][1]))
    results = []
    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    try:
        for db in args.databases.split(","):
            if db == "sqlite":
                template = tmp / "template.sqlite3"
                _child("--prepare", f"sqlite:///{template}")
                urls = []
                for i, _ in enumerate(runs):
                    path = tmp / f"run{i}.sqlite3"
                    shutil.copy(template, path)
                    urls.append(f"sqlite:///{path}")
            elif db == "postgres":
                _pg(args.pg_url, "DROP DATABASE IF EXISTS hl_bench_sweep_tpl")
                _pg(args.pg_url, "CREATE DATABASE hl_bench_sweep_tpl")
                _child("--prepare", _with_db(args.pg_url, "hl_bench_sweep_tpl"))
                urls = []
                for i, _ in enumerate(runs):
                    name = f"hl_bench_sweep_{i}"
                    _pg(args.pg_url, f"DROP DATABASE IF EXISTS {name}")
                    _pg(args.pg_url, f"CREATE DATABASE {name} TEMPLATE hl_bench_sweep_tpl")
                    urls.append(_with_db(args.pg_url, name))
            else:
                raise SystemExit(f"unknown database {db!r}: use sqlite or postgres")
            for url, (n, due) in zip(urls, runs, strict=True):
                line = _child("--child", url, str(n), str(due), str(args.rung_share))
                print(line, flush=True)
                results.append(json.loads(line))
            if db == "postgres":
                for i, _ in enumerate(runs):
                    _pg(args.pg_url, f"DROP DATABASE IF EXISTS hl_bench_sweep_{i}")
                _pg(args.pg_url, "DROP DATABASE IF EXISTS hl_bench_sweep_tpl")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        json.dumps(
            {
                "benchmark": "sweep",
                "runs": [
                    {
                        k: r[k]
                        for k in (
                            "database",
                            "open_orders",
                            "due",
                            "sweep_ms",
                            "sweep_cpu_ms",
                            "deliver_ms",
                            "resweep_ms",
                            "rungs",
                            "messages",
                        )
                    }
                    for r in results
                ],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
