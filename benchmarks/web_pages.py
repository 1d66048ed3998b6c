"""Workbench pages on a demo centre: median server time and SQL queries per page.

Builds a throwaway SQLite database (the demo centre with ``BENCH_ORDERS`` orders, default
200) in a temporary directory, signs in as each demo role and requests its pages through
Django's test client.  Prints one line per page, then one JSON object.  The query count of
a list page must not depend on its page size (``/orders/?size=20`` vs ``?size=100``).
"""

from __future__ import annotations

import json
import os
import statistics
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = 5


def measure(client: Client, url: str) -> tuple[float, int]:
    times, queries = [], 0
    for _ in range(RUNS):
        connection.queries_log.clear()  # the demo build filled the bounded log
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def main() -> None:
    from hotline.demo.build import build
    from hotline.orders.models import WorkOrder
    from hotline.org.models import User

    setup_test_environment()
    orders = int(os.environ.get("BENCH_ORDERS", "200"))
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    build(orders=orders)
    print(f"demo centre built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    busy = WorkOrder.objects.order_by("-reminder_count", "-id").first()
    pages = {
        "agent": ["/intake/", "/intake/queue/"],
        "reviewer": [
            "/review/",
            f"/orders/{busy.number}/",
            "/orders/?size=20",
            "/orders/?size=100",
        ],
        "haibowan-zjj": ["/inbox/", "/inbox/?tab=overdue"],
        "supervisor": ["/supervision/"],
        "callback": ["/callbacks/"],
        "leader": ["/dashboard/"],
    }
    results = {}
    for username, urls in pages.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in urls:
            ms, queries = measure(client, url)
            results[f"{username} {url}"] = {"ms": round(ms, 1), "queries": queries}
            print(f"{username:14} {url:40} {ms:7.1f} ms {queries:3} queries")
    small = results["reviewer /orders/?size=20"]["queries"]
    large = results["reviewer /orders/?size=100"]["queries"]
    print(
        json.dumps(
            {
                "benchmark": "web_pages",
                "orders": WorkOrder.objects.count(),
                "runs": RUNS,
                "median_ms_max": max(r["ms"] for r in results.values()),
                "list_queries_size20": small,
                "list_queries_size100": large,
                "pages": results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
