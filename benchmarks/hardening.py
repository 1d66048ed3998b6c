"""Hardening figures of issue 15, measured in the production profile (``HOTLINE_DEBUG=false``).

    python benchmarks/hardening.py [--database sqlite|postgres] [--pg URL] [--orders 1000]
                                   [--runs 5] [--adversarial-orders 3]

On a fresh database (SQLite under var/bench/, or PostgreSQL ``hl_hardening_bench``), through
Django's test client (no network: our code and our queries):

* ``portal_refusal_ms`` — a 100,000-character adversarial appeal posted to the citizen
  portal is refused (422, content over 5,000): median of ``--runs``, after one warm-up
  request; target under 100 ms.  One figure per adversarial string, the worst reported.
* ``open311_list_ms`` — ``GET /open311/v2/requests.json`` answering ``--orders`` accepted
  appeals of the maximum length: 5,000 characters (the portal's bound) and 20,000 (the
  bound of every other entrance), ordinary Chinese text with phone numbers and e-mail
  addresses for the scrubber to hide; target under 1 s for 1,000.  ``ms`` is the median of
  the reads after the first; ``first_read_ms`` the first read, which redacts every
  description and keeps it (``open311.models.PublicText``).
* ``open311_adversarial_ms`` — the same list over ``--adversarial-orders`` appeals of
  20,000 characters built against the scrubber's patterns (long runs of word characters
  and dots): this is the figure the privacy rewrite of the scrubber (issue 14) moves.
* ``lockout`` — whether 6 wrong passwords lock the account for that client on /login/,
  /admin/login/ and ``POST /api/v1/auth/token`` (the right password is then refused).

Prints one line per figure, then one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench-Harden-2026"
ADVERSARIAL = {
    "word run": "a" * 100_000,
    "e-mail prefix": "a." * 50_000,
    "at signs": "a@" * 50_000,
    "digits": "1" * 100_000,
    "phone-like": "138-" * 25_000,
}
SENTENCE = (
    "康乐小区3号楼顶楼防水层老化，一下雨就往屋里漏水，联系电话13812345678，"
    "邮箱wangjianjun@example.com，物业说要等维修基金审批，已经拖了三个月。"
)


def text_of(length: int, unit: str = SENTENCE) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def make_orders(count: int, length: int, unit: str, first: int) -> None:
    """``count`` accepted portal appeals of ``length`` characters (bulk: the list is what is
    measured, not intake)."""
    from hotline import clock
    from hotline.catalog.models import Category
    from hotline.orders.models import WorkOrder

    now = clock.now()
    category = Category.objects.filter(active=True, parent__isnull=False).first()
    WorkOrder.objects.bulk_create(
        [
            WorkOrder(
                number=f"29{first + i:012d}",
                state="accepted",
                channel="portal",
                category=category,
                domain=category.domain if category else "",
                title="楼顶漏水"[:200],
                content=text_of(length, unit),
                address=text_of(500, "海勃湾区新华街道康乐社区康乐小区3号楼"),
                citizen_name="王建军",
                citizen_phone="13812345678",
                created_at=now,
                accepted_at=now,
            )
            for i in range(count)
        ],
        batch_size=200,
    )


def lockout(client_factory) -> dict[str, bool]:
    """6 wrong passwords from one address on each login path, then the right one."""
    from hotline.org.models import User

    results = {}
    for n, path in enumerate(("/login/", "/admin/login/", "/api/v1/auth/token")):
        user = User(username=f"bench_{n}", role="agent", is_staff=True)
        user.set_password(PASSWORD)
        user.save()
        client = client_factory()
        ip = f"203.0.113.{n + 1}"

        def attempt(password: str, path=path, client=client, user=user, ip=ip):
            if path.startswith("/api/"):
                body = json.dumps({"username": user.username, "password": password})
                return client.post(path, body, content_type="application/json", REMOTE_ADDR=ip)
            return client.post(
                path, {"username": user.username, "password": password}, REMOTE_ADDR=ip
            )

        for _ in range(6):
            attempt("wrong-password!")
        right = attempt(PASSWORD)
        results[path] = right.status_code == 429
    return results


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/hl_hardening_bench")
    p.add_argument("--orders", type=int, default=1000)
    p.add_argument("--adversarial-orders", type=int, default=3)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()

    os.environ["HOTLINE_DEBUG"] = "false"
    os.environ["HOTLINE_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["HOTLINE_ALLOWED_HOSTS"] = "testserver,localhost"
    from benchmarks._db import use_bench_database

    use_bench_database(args.database, "hardening.sqlite3", args.pg)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from hotline.orders.models import WorkOrder

    assert not settings.DEBUG
    setup_test_environment()
    settings.HOTLINE_OPEN311_READS_PER_MINUTE = 10**6
    settings.HOTLINE_WEB = {**settings.HOTLINE_WEB, "portal_submissions": 10**6}
    call_command("migrate", verbosity=0)

    figures: dict = {"debug": settings.DEBUG, "database": args.database}

    # 1. the portal refuses a 100,000-character adversarial appeal
    client = Client()
    client.get("/portal/")  # imports the URLconf: not timed
    refusal = {}
    for name, content in ADVERSARIAL.items():
        data = {
            "title": "井盖缺失",
            "content": content,
            "address": "康乐小区南门",
            "citizen_name": "李娜",
            "citizen_phone": "13987654321",
            "display_mode": "public",
        }

        def post(data=data):
            r = client.post("/portal/", data)
            assert r.status_code == 422, r.status_code

        refusal[name] = median_ms(post, args.runs)
    assert not WorkOrder.objects.exists()
    figures["portal_refusal_ms"] = max(refusal.values())
    figures["portal_refusal_ms_by_string"] = refusal
    print(f"portal refuses 100k adversarial appeal: {refusal}", file=sys.stderr)

    # 2. the Open311 list of maximum-length appeals
    def list_ms() -> tuple[float, int]:
        rows = 0

        def get():
            nonlocal rows
            r = client.get("/open311/v2/requests.json")
            assert r.status_code == 200, r.status_code
            rows = len(json.loads(r.content))

        # the first read redacts every description and keeps it (open311.models.PublicText);
        # the median of the following reads is what a client polling the list sees
        cold = median_ms(get, 1)
        ms = median_ms(get, args.runs)
        return ms, cold, rows

    listing = {}
    for length in (5_000, 20_000):
        WorkOrder.objects.all().delete()
        make_orders(args.orders, length, SENTENCE, 0)
        ms, cold, rows = list_ms()
        listing[str(length)] = {"ms": ms, "first_read_ms": cold, "rows": rows}
        print(
            f"open311 list, {rows} appeals of {length:,} characters: {ms} ms "
            f"(first read, redacting them all: {cold} ms)",
            file=sys.stderr,
        )
    figures["open311_list_ms"] = listing

    WorkOrder.objects.all().delete()
    make_orders(args.adversarial_orders, 20_000, "a.", 0)
    ms, cold, rows = list_ms()
    figures["open311_adversarial_ms"] = {
        "ms": ms,
        "first_read_ms": cold,
        "rows": rows,
        "length": 20_000,
    }
    print(f"open311 list, {rows} adversarial appeals of 20,000: {ms} ms", file=sys.stderr)

    # 3. lock-out on every login path
    figures["lockout"] = lockout(Client)
    print(f"locked after 6 wrong passwords: {figures['lockout']}", file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
