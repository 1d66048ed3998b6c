"""Order search and lists at provincial scale (issue 20, docs/search.md).

Builds (or reuses, ``--keep``) one PostgreSQL database per size with ``hotline history``
(COPY), warms it, then times what an agent and a leader do, through the real views (the
Django test client, signed in as the demo reviewer / leader):

* ``rare_keyword``      a community name in the search box (a few hundred matches at 1 M)
* ``no_match``          ``zzqqxx`` (the issue's sequential scan)
* ``common_2char``      路灯 (a two-character word in a few per cent of the orders)
* ``order_number``      a 14-digit number from the middle of the history
* ``phone``             a citizen's phone number
* ``filtered_list``     工单查询 filtered by state and domain, and the plain list
* ``api_list``          the API list with a keyword (bounded count + keyset cursor)
* ``dashboard``         数据看板 (the one leader dashboard, from the roll-ups)

Each kind is run ``--runs`` times after one warm-up; p50 and p99 in milliseconds per size,
and the ratio t(largest)/t(smallest) of the p50s.  Also compares, on the smallest size,
the bigram tsvector index against a pg_trgm GIN index on the same text (``--trgm``).

Each size runs in its own process (Django binds one database per process); the parent
prints one JSON line last.

    .venv/bin/python benchmarks/search_scale.py --sizes 100000,1000000 --keep --trgm
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GOAL_P99_MS = 100
GOAL_NUMBER_MS = 10
GOAL_RATIO = 1.5


def _label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 2)


def one(size: int, url: str, keep: bool, runs: int, trgm: bool, build_: bool = True) -> dict:
    """Build (unless kept) and measure one size, in this process."""
    from benchmarks._db import ensure_pg, recreate_pg

    os.environ["HOTLINE_DATABASE_URL"] = url
    os.environ.setdefault("HOTLINE_VAR_DIR", str(REPO / "var" / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    os.environ.setdefault("HOTLINE_ALLOWED_HOSTS", "testserver,localhost")
    out: dict = {"orders_requested": size}
    if keep:
        ensure_pg(url)
    else:
        recreate_pg(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from hotline.analytics import rollup
    from hotline.demo import build, history
    from hotline.orders.models import WorkOrder
    from hotline.org.models import User

    call_command("migrate", verbosity=0)
    # this process serves the pages as a gunicorn worker does: the app loaded through
    # hotline.wsgi, its long-lived objects set aside from the garbage collector
    import hotline.wsgi  # noqa: F401

    have = WorkOrder.objects.count()
    if build_ and have < size * 0.9:
        if not User.objects.filter(role="reviewer").exists():
            build.build_organisation()
        t = time.perf_counter()
        made = history.generate(size - have, batch=50_000)
        took = time.perf_counter() - t
        out["generate_seconds"] = round(took, 1)
        out["generate_orders_per_second"] = round(made / took)
        t = time.perf_counter()
        rollup.refresh()
        out["rollup_seconds"] = round(time.perf_counter() - t, 1)
        have += made
    out["orders"] = have
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        out["database_bytes"] = cursor.fetchone()[0]

    reviewer = User.objects.filter(role="reviewer", is_active=True).order_by("id").first()
    leader = User.objects.filter(role="leader", is_active=True).order_by("id").first()
    agent_c, leader_c = Client(), Client()
    agent_c.force_login(reviewer)
    leader_c.force_login(leader or reviewer)
    mid = WorkOrder.objects.order_by("id").values("number", "citizen_phone")[have // 2]
    # a rare word: the place named in the fewest orders (one grouped scan, set-up only)
    from django.db.models import Count
    from django.db.models.functions import Length

    rare = (
        WorkOrder.objects.annotate(k=Length("address"))
        .filter(k__gte=3)
        .values("address")
        .annotate(n=Count("id"))
        .order_by("n")
        .values_list("address", flat=True)
        .first()
    ) or "康乐社区"
    out["rare_keyword"] = rare

    kinds = {
        "rare_keyword": (agent_c, "/orders/", {"q": rare}),
        "no_match": (agent_c, "/orders/", {"q": "zzqqxx"}),
        "common_2char": (agent_c, "/orders/", {"q": "路灯"}),
        "common_2char_relevance": (agent_c, "/orders/", {"q": "路灯", "sort": "relevance"}),
        "order_number": (agent_c, "/orders/", {"q": mid["number"]}),
        "phone": (agent_c, "/orders/", {"q": mid["citizen_phone"]}),
        "filtered_list": (agent_c, "/orders/", {"state": "closed", "domain": "environment"}),
        "plain_list": (agent_c, "/orders/", {}),
        "api_list": (agent_c, "/api/v1/orders", {"q": "路灯", "page_size": 20}),
        "dashboard": (leader_c, "/analytics/", {}),
    }
    timings: dict[str, dict] = {}
    for kind, (client, path, params) in kinds.items():
        r = client.get(path, params)
        assert r.status_code == 200, (kind, r.status_code)
        runs_ms = []
        for _ in range(runs):
            t = time.perf_counter()
            r = client.get(path, params)
            runs_ms.append(1000 * (time.perf_counter() - t))
        timings[kind] = {"p50": _pct(runs_ms, 0.5), "p99": _pct(runs_ms, 0.99)}
    # the order number by its query alone (what the search box runs), not the page
    from hotline.orders import privacy

    qs = privacy.citizen_search(privacy.visible_orders(reviewer), reviewer, text=mid["number"])
    list(qs.values_list("pk", flat=True))
    runs_ms = []
    for _ in range(runs):
        t = time.perf_counter()
        list(qs.values_list("pk", flat=True))
        runs_ms.append(1000 * (time.perf_counter() - t))
    timings["order_number_query"] = {"p50": _pct(runs_ms, 0.5), "p99": _pct(runs_ms, 0.99)}
    out["timings_ms"] = timings
    if trgm:
        out["trgm_vs_bigram"] = compare_trgm(connection, rare, runs)
    return out


def compare_trgm(connection, rare: str, runs: int) -> dict:
    """The same keyword counts answered by the bigram tsvector GIN and by a pg_trgm GIN
    (built here, dropped after): build time, size, and query times."""
    from hotline.orders import fulltext

    text = "(title || ' ' || content || ' ' || address)"
    res: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        t = time.perf_counter()
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS bench_trgm ON orders_workorder USING gin ({text} gin_trgm_ops)"
        )
        res["trgm_build_s"] = round(time.perf_counter() - t, 1)
        cursor.execute("ANALYZE orders_workorder")
        cursor.execute(
            "SELECT pg_relation_size('bench_trgm'), pg_relation_size(%s)", [fulltext.GIN_INDEX]
        )
        res["trgm_index_bytes"], res["bigram_index_bytes"] = cursor.fetchone()
        for word in (rare, "路灯", "zzqqxx"):
            grams = fulltext.bigrams(word)
            queries = {
                "bigram": (
                    "SELECT count(*) FROM orders_workorder WHERE search_grams @@ %s::tsquery",
                    [fulltext._tsquery(grams)],
                ),
                "trgm": (
                    f"SELECT count(*) FROM orders_workorder WHERE {text} LIKE %s",
                    [f"%{word}%"],
                ),
            }
            for name, (sql, params) in queries.items():
                cursor.execute(sql, params)
                n = cursor.fetchone()[0]
                ms = []
                for _ in range(max(3, runs // 3)):
                    t = time.perf_counter()
                    cursor.execute(sql, params)
                    cursor.fetchone()
                    ms.append(1000 * (time.perf_counter() - t))
                res[f"{name}:{word}"] = {"matches": n, "p50_ms": _pct(ms, 0.5)}
        cursor.execute("DROP INDEX bench_trgm")
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100000,1000000")
    p.add_argument("--pg-prefix", default="postgres://postgres@127.0.0.1:5432/hl_i20_bench_")
    p.add_argument("--keep", action="store_true", help="reuse the databases (build if short)")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--trgm", action="store_true", help="also compare pg_trgm on the first size")
    p.add_argument("--no-build", action="store_true", help="measure the kept databases as they are")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        url = args.pg_prefix + _label(args.one)
        found = one(args.one, url, args.keep, args.runs, args.trgm, not args.no_build)
        print(json.dumps(found))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for i, size in enumerate(sizes):
        cmd = [sys.executable, __file__, "--one", str(size), "--pg-prefix", args.pg_prefix]
        cmd += ["--runs", str(args.runs)] + (["--keep"] if args.keep else [])
        cmd += ["--no-build"] if args.no_build else []
        cmd += ["--trgm"] if args.trgm and i == 0 else []
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(done.returncode)
        results[_label(size)] = json.loads(done.stdout.strip().splitlines()[-1])
    # the goal is set at 1 M orders against 100 k; bigger sizes are reported with
    # the ratio to the size before them
    labels = [_label(n) for n in sizes]
    big = "1m" if "1m" in labels else labels[-1]
    small = labels[labels.index(big) - 1] if labels.index(big) else labels[0]
    summary_sizes = {k: v["orders"] for k, v in results.items()}
    summary: dict = {
        "benchmark": "search_scale",
        "database": "postgresql",
        "orders": summary_sizes,
        "sizes": results,
    }

    def ratios_of(lo: str, hi: str) -> dict:
        out = {}
        for kind, t in results[hi]["timings_ms"].items():
            base = results[lo]["timings_ms"][kind]["p50"]
            out[kind] = round(t["p50"] / base, 2) if base else None
        return out

    ratios = ratios_of(small, big)
    goals = {
        kind: t["p99"] < (GOAL_NUMBER_MS if kind == "order_number_query" else GOAL_P99_MS)
        for kind, t in results[big]["timings_ms"].items()
    }
    summary["ratio_p50"] = {"of": f"{big}/{small}", **ratios}
    for lo, hi in zip(labels, labels[1:], strict=False):
        if (lo, hi) != (small, big):
            summary.setdefault("ratio_p50_more", {})[f"{hi}/{lo}"] = ratios_of(lo, hi)
    summary["p99_under_goal"] = {"at": big, **goals}
    summary["ratio_goal_met"] = {k: (v is not None and v <= GOAL_RATIO) for k, v in ratios.items()}
    summary["load_average"] = os.getloadavg()[0]
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
