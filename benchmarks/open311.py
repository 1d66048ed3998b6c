"""Open311 GeoReport v2 on a demo centre: median server time and SQL queries per resource,
and sequential POSTs per second through the channel intake.

Builds a throwaway SQLite database (the demo centre with ``BENCH_ORDERS`` orders, default
300) in a temporary directory and calls ``/open311/v2/`` through Django's test client (no
network, one process: this measures our own code and queries).  The list's query count must
not depend on how many requests it returns.  Prints one line per resource, then one JSON
object.
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = 5


def measure(client: Client, url: str) -> tuple[float, int, int]:
    times, queries, size = [], 0, 0
    for _ in range(RUNS):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        queries, size = len(ctx.captured_queries), len(response.content)
    return statistics.median(times), queries, size


def main() -> None:
    from hotline.channels.models import ChannelClient
    from hotline.demo.build import build
    from hotline.orders.models import WorkOrder

    setup_test_environment()
    settings.HOTLINE_OPEN311_READS_PER_MINUTE = 10**6
    orders = int(os.environ.get("BENCH_ORDERS", "300"))
    posts = int(os.environ.get("BENCH_POSTS", "50"))
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    build(orders=orders)
    print(f"demo centre built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    one = WorkOrder.objects.exclude(state="draft").order_by("-id").first()
    client = Client()
    base = "/open311/v2"
    urls = [
        f"{base}/services.json",
        f"{base}/services/street_light.xml",
        f"{base}/requests/{one.number}.json",
        f"{base}/requests.json?status=open",
        f"{base}/requests.json",
        f"{base}/requests.xml",
    ]
    results = {}
    for url in urls:
        ms, queries, size = measure(client, url)
        rows = len(json.loads(client.get(url).content)) if url.endswith("requests.json") else None
        results[url.removeprefix(base + "/")] = {"ms": round(ms, 1), "queries": queries}
        extra = f" {rows} requests" if rows is not None else ""
        print(f"{url:60s} {ms:7.1f} ms {queries:3d} queries {size:8d} bytes{extra}")

    _, key = ChannelClient.issue("bench", "app", rate_limit_per_minute=10**6)
    start = time.perf_counter()
    for i in range(posts):
        r = client.post(
            f"{base}/requests.json",
            {
                "api_key": key,
                "service_code": "street_light",
                "address_string": f"海勃湾区新华街道康乐小区{i}号楼",
                "description": f"{i}号楼前路灯不亮。",
                "phone": "13900001111",
            },
        )
        assert r.status_code == 200, r.content
    per_second = posts / (time.perf_counter() - start)
    print(f"POST requests.json: {per_second:.1f}/s over {posts}", file=sys.stderr)
    print(
        json.dumps(
            {
                "benchmark": "open311",
                "database": "sqlite",
                "orders": orders,
                "pages": results,
                "post_per_second": round(per_second, 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
