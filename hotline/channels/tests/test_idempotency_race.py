"""Two requests racing with one Idempotency-Key create exactly one order (both databases:
PostgreSQL waits on the unique index, SQLite on its IMMEDIATE write lock)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from hotline.channels import services
from hotline.channels.models import IdempotencyRecord, Submission
from hotline.orders.models import WorkOrder

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def _in_thread(fn):
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    return run


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_key_create_one_order(portal_app, citizen_appeal, monkeypatch):
    # Both requests look for the key before either writes: the unique constraint decides.
    barrier = threading.Barrier(2)
    original = services._previous
    looked = threading.local()

    def previous_then_wait(*args):
        found = original(*args)
        if not getattr(looked, "done", False):
            looked.done = True
            barrier.wait(timeout=10)
        return found

    monkeypatch.setattr(services, "_previous", previous_then_wait)

    @_in_thread
    def submit(_):
        order, created = services.submit_appeal(
            portal_app, citizen_appeal, idempotency_key="race-1"
        )
        return order.number, created

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(submit, range(2)))
    assert len({number for number, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    assert WorkOrder.objects.count() == 1 and Submission.objects.count() == 1
    assert IdempotencyRecord.objects.get().order.number == results[0][0]


@pytest.mark.django_db(transaction=True)
def test_eight_clients_retrying_at_once_still_get_one_order(portal_app, citizen_appeal):
    barrier = threading.Barrier(8)

    @_in_thread
    def submit(_):
        barrier.wait(timeout=10)
        return services.submit_appeal(portal_app, citizen_appeal, idempotency_key="race-8")[
            0
        ].number

    with ThreadPoolExecutor(8) as pool:
        numbers = set(pool.map(submit, range(8)))
    assert len(numbers) == 1 and WorkOrder.objects.count() == 1
