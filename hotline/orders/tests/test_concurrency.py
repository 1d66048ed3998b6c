"""Safe under concurrency: order numbers under parallel intake, and two people acting on one
order at once.  Runs on both databases: on PostgreSQL row locks decide, on SQLite the
IMMEDIATE transactions queue writers on the busy timeout (WAL file database)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from hotline.orders import actions
from hotline.orders.errors import Conflict
from hotline.orders.models import Event, WorkOrder

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def _in_thread(fn):
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    return run


@pytest.mark.django_db(transaction=True)
def test_200_orders_from_8_threads_get_200_distinct_numbers(agent, appeal):
    """SPEC §2: order numbers are unique, readable and safe under concurrent intake."""
    barrier = threading.Barrier(8)

    @_in_thread
    def intake(worker: int) -> list[str]:
        barrier.wait()
        return [
            actions.do_create_order(agent, {**appeal, "title": f"并发受理 {worker}-{i}"}).number
            for i in range(25)
        ]

    with ThreadPoolExecutor(8) as pool:
        numbers = [n for batch in pool.map(intake, range(8)) for n in batch]
    assert len(numbers) == 200 and len(set(numbers)) == 200
    assert WorkOrder.objects.count() == 200
    assert Event.objects.filter(action="create").count() == 200
    day = numbers[0][:8]
    assert sorted(int(n[8:]) for n in numbers if n.startswith(day)) == list(
        range(1, 1 + sum(n.startswith(day) for n in numbers))
    )


@pytest.mark.clause("6.3")
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_dispatching_one_order_one_wins_one_conflicts(agent, reviewer, appeal, org):
    """§6.3: one dispatch; the second reviewer gets a clear conflict, not a second dispatch."""
    from conftest import _user

    second = _user("t_reviewer2", "reviewer", org.centre)
    order = actions.do_create_order(agent, appeal)
    actions.do_submit(order, agent)
    barrier = threading.Barrier(2)

    @_in_thread
    def dispatch(who, unit):
        barrier.wait()
        try:
            actions.do_dispatch(order.pk, who, lead_unit=unit)
            return "ok"
        except Conflict as exc:
            return exc

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(dispatch, [reviewer, second], [org.zjj, org.szyh]))
    wins = [r for r in results if r == "ok"]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(conflicts) == 1
    assert conflicts[0].status == 409 and conflicts[0].extra["state"] == "dispatched"
    assert "待签收" in conflicts[0].message
    order.refresh_from_db()
    assert order.assignments.count() == 1
    assert Event.objects.filter(order=order, action="dispatch").count() == 1
