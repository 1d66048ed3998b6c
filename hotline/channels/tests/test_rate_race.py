"""The channel rate limit under concurrent requests (both databases; the race that was
measured is PostgreSQL's): bursts below the limit are never rejected, a burst above it lets
exactly ``limit`` requests through.

Each burst opens a fresh one-minute window, the case that failed: every request of the
burst finds no row for the window, and the old "update, else look, else insert" code let a
request that looked just after another inserted the row believe the window was full."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection

from hotline.channels import services
from hotline.channels.models import RateCounter
from hotline.rules.calendar import SHANGHAI

THREADS = 16  # connections on the shared PostgreSQL stay few; each thread sends a share
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def burst(bucket: str, limit: int, requests: int, now: datetime) -> tuple[int, int]:
    """``requests`` hits from ``THREADS`` threads released together; (accepted, rejected)."""
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    counts = {"ok": 0, "limited": 0}
    errors: list[BaseException] = []

    def worker(share: int) -> None:
        try:
            barrier.wait(timeout=20)
            for _ in range(share):
                try:
                    services.hit(bucket, limit, now=now)
                    outcome = "ok"
                except services.RateLimited:
                    outcome = "limited"
                with lock:
                    counts[outcome] += 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    shares = [requests // THREADS + (1 if i < requests % THREADS else 0) for i in range(THREADS)]
    threads = [threading.Thread(target=worker, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return counts["ok"], counts["limited"]


@pytest.mark.django_db(transaction=True)
def test_bursts_below_the_limit_at_the_start_of_a_minute_are_never_rejected():
    """Five bursts of 32 requests against a limit of 40, each at the first instant of a new
    minute (the measured failure: 2 of 5 bursts had rejections)."""
    for minute in range(5):
        at = T0 + timedelta(minutes=minute)
        assert burst("client:burst", 40, 32, at) == (32, 0)
        assert RateCounter.objects.get(bucket="client:burst", window_start=at).count == 32
    # the first request of each window dropped the older ones
    assert RateCounter.objects.filter(bucket="client:burst").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_burst_above_the_limit_lets_exactly_the_limit_through():
    at = T0 + timedelta(seconds=5)
    assert burst("client:over", 20, 32, at) == (20, 12)
    row = RateCounter.objects.get(bucket="client:over")
    assert row.count == 20 and row.window_start == T0
    # the next minute starts afresh
    assert services.hit("client:over", 20, now=T0 + timedelta(minutes=1)) == 19


def test_the_answer_says_how_many_requests_are_left_and_when_to_retry(db):
    at = T0 + timedelta(seconds=45, milliseconds=200)
    assert [services.hit("client:left", 3, now=at) for _ in range(3)] == [2, 1, 0]
    with pytest.raises(services.RateLimited) as limited:
        services.hit("client:left", 3, now=at)
    assert limited.value.retry_after == 15


@pytest.mark.django_db(transaction=True)
def test_the_counter_commits_without_waiting_for_the_disk_on_postgresql():
    """Every request of a client adds to one row; its commit must not wait for a WAL flush
    while it holds that row (one slow flush queued the client's requests behind it).  The
    setting is for the counter's own transaction only: inside an outer transaction (an
    order's) nothing changes, and the session keeps its durable default."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as alone:
        services.hit("disk", 5, now=T0)
    with transaction.atomic(), CaptureQueriesContext(connection) as inside:
        services.hit("disk", 5, now=T0)
    assert RateCounter.objects.get(bucket="disk").count == 2
    said = " ".join(q["sql"] for q in alone.captured_queries)
    assert ("synchronous_commit TO OFF" in said) == (connection.vendor == "postgresql")
    assert "synchronous_commit" not in " ".join(q["sql"] for q in inside.captured_queries)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
