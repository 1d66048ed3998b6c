"""Per-client limits counted in the database: every process and machine sees one count."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from hotline.common import ratelimit
from hotline.common.models import RateWindow

NOW = datetime(2026, 3, 9, 6, 10, tzinfo=UTC)
HOUR = 3600


def test_acquire_counts_up_to_the_limit_and_release_gives_one_back(db):
    for _ in range(3):
        assert ratelimit.acquire("portal-submit", "203.0.113.7", 3, window_seconds=HOUR, now=NOW)
    assert not ratelimit.acquire("portal-submit", "203.0.113.7", 3, window_seconds=HOUR, now=NOW)
    assert ratelimit.count("portal-submit", "203.0.113.7", window_seconds=HOUR, now=NOW) == 3
    ratelimit.release("portal-submit", "203.0.113.7", window_seconds=HOUR, now=NOW)
    assert ratelimit.acquire("portal-submit", "203.0.113.7", 3, window_seconds=HOUR, now=NOW)


def test_clients_and_scopes_count_separately(db):
    assert ratelimit.acquire("portal-submit", "203.0.113.7", 1, window_seconds=HOUR, now=NOW)
    assert not ratelimit.acquire("portal-submit", "203.0.113.7", 1, window_seconds=HOUR, now=NOW)
    assert ratelimit.acquire("portal-submit", "203.0.113.8", 1, window_seconds=HOUR, now=NOW)
    assert ratelimit.acquire("portal-track", "203.0.113.7", 1, window_seconds=HOUR, now=NOW)


def test_a_new_window_starts_from_zero_and_drops_finished_windows(db):
    for _ in range(2):
        ratelimit.acquire("portal-submit", "203.0.113.7", 2, window_seconds=HOUR, now=NOW)
    later = NOW + timedelta(hours=1)
    assert ratelimit.window_start(HOUR, later) > ratelimit.window_start(HOUR, NOW)
    assert ratelimit.acquire("portal-submit", "203.0.113.7", 2, window_seconds=HOUR, now=later)
    assert ratelimit.count("portal-submit", "203.0.113.7", window_seconds=HOUR, now=later) == 1
    assert RateWindow.objects.filter(scope="portal-submit").count() == 1


def test_add_counts_past_the_limit_and_exceeded_reads_it(db):
    for expected in (1, 2, 3):
        assert ratelimit.add("login", "u:x", window_seconds=HOUR, now=NOW) == expected
    assert ratelimit.exceeded("login", "u:x", 3, window_seconds=HOUR, now=NOW)
    assert not ratelimit.exceeded("login", "u:y", 3, window_seconds=HOUR, now=NOW)


def test_a_zero_limit_refuses_everything(db):
    assert not ratelimit.acquire("portal-submit", "x", 0, window_seconds=HOUR, now=NOW)


@pytest.mark.django_db(transaction=True)
def test_many_connections_at_once_never_count_past_the_limit():
    """Eight threads, each with its own database connection (as separate processes would
    have), race for ten slots: exactly ten succeed, on SQLite and PostgreSQL."""
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def client() -> None:
        try:
            barrier.wait()
            for _ in range(4):
                ok = ratelimit.acquire(
                    "portal-submit", "203.0.113.9", 10, window_seconds=HOUR, now=NOW
                )
                with lock:
                    results.append(ok)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 32
    assert results.count(True) == 10
    assert ratelimit.count("portal-submit", "203.0.113.9", window_seconds=HOUR, now=NOW) == 10
