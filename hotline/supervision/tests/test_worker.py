"""The background worker (huey): the periodic sweep goes through a real queue — huey's
immediate mode, a SQLite queue file, and Redis at 127.0.0.1:6379 — and a real huey worker
executes it.  ``hotline worker --once`` and ``hotline run``'s extra process are wired up."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from huey.consumer import Consumer

from hotline.orders import actions
from hotline.supervision.models import SupervisionRecord, SweepMark
from hotline.supervision.tests.conftest import sh
from hotline.supervision.worker import HOUSEKEEPING_MINUTE, build_huey, register


def huey_time(*args) -> datetime:
    """huey's scheduler works in naive UTC."""
    return datetime(*args, tzinfo=UTC).replace(tzinfo=None)


@pytest.fixture
def late_order(dispatch, clerk):
    order = dispatch()
    actions.do_sign(order, clerk, now=sh(2026, 3, 2, 10, 0))
    return order


def run_one_minute(huey, at: datetime) -> None:
    """What a consumer does each minute: its scheduler enqueues the periodic tasks due at
    ``at``, then a worker dequeues and executes them."""
    consumer = Consumer(huey, workers=1, periodic=True, check_worker_health=False)
    consumer._create_scheduler().enqueue_periodic_tasks(at)
    assert len(huey) == 2  # the sweep and the smart callback's check (callbacks.tick)
    worker = consumer._create_worker()
    while len(huey):
        worker.loop()


def test_the_sweep_is_a_periodic_task_every_minute_by_default():
    huey = build_huey(immediate=True, name=f"t-{uuid.uuid4().hex}")
    tasks = register(huey)
    for minute in range(60):
        due = huey.read_periodic(huey_time(2026, 3, 2, 9, minute))
        hourly = ["housekeeping"] if minute == HOUSEKEEPING_MINUTE else []
        assert sorted(t.name for t in due) == sorted(
            ["callbacks.tick", "supervision.sweep", *hourly]
        )
    assert set(tasks) == {"sweep", "deliver", "housekeeping", "purge", "callbacks.tick"}


def test_immediate_mode_runs_the_sweep_in_process(late_order, time_machine):
    """§6.5 through huey's immediate mode: calling the task runs the sweep."""
    time_machine.move_to(sh(2026, 3, 9, 14, 0), tick=False)
    huey = build_huey(immediate=True, name=f"t-{uuid.uuid4().hex}")
    register(huey)["sweep"]()
    assert SupervisionRecord.objects.filter(order=late_order, method="smart").count() == 1


def test_a_sqlite_queue_and_a_real_worker_run_the_sweep(late_order, time_machine, tmp_path):
    """The embedded default: the queue is a SQLite file under var/."""
    time_machine.move_to(sh(2026, 3, 9, 14, 0), tick=False)
    huey = build_huey(redis_url="", sqlite_path=str(tmp_path / "tasks.sqlite3"), immediate=False)
    register(huey)
    run_one_minute(huey, huey_time(2026, 3, 9, 6, 0))
    assert SweepMark.objects.filter(order=late_order, stage="rung").count() == 1


def test_a_redis_queue_and_a_real_worker_run_the_sweep(late_order, time_machine):
    """Production: the queue in Redis (127.0.0.1:6379), shared by workers on any machine.
    Two consumers each enqueue the minute's sweep; the second run finds nothing to do."""
    time_machine.move_to(sh(2026, 3, 9, 14, 0), tick=False)
    huey = build_huey(
        redis_url="redis://127.0.0.1:6379/15", name=f"hotline-test-{uuid.uuid4().hex}"
    )
    register(huey)
    try:
        at = huey_time(2026, 3, 9, 6, 0)
        consumers = [Consumer(huey, workers=1, check_worker_health=False) for _ in range(2)]
        for c in consumers:
            c._create_scheduler().enqueue_periodic_tasks(at)
        assert len(huey) == 4  # each consumer: the sweep and callbacks.tick
        worker = consumers[0]._create_worker()
        while len(huey):
            worker.loop()
        assert SupervisionRecord.objects.filter(order=late_order).count() == 1
        assert SweepMark.objects.filter(order=late_order, stage="rung").count() == 1
    finally:
        huey.storage.flush_all()


def test_worker_once_prints_the_sweep_report(late_order, time_machine):
    """``hotline worker --once``: one sweep now, its report as JSON (for cron or checks)."""
    time_machine.move_to(sh(2026, 3, 9, 14, 0), tick=False)
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    report = json.loads(out.getvalue())
    assert report["overdue"] == 1 and report["rungs"] == 1
    assert report["delivery"]["sent"] >= 1


def test_hotline_run_starts_the_worker_beside_the_web_server_or_alone():
    from hotline.system.management.commands.run import processes

    def started(role):
        return {name: argv for name, argv in processes(role, host="h", port=1, workers=1)}

    assert started("all")["worker"][-3:] == ["-m", "hotline.cli", "worker"]
    assert started("worker")["worker"][-3:] == ["-m", "hotline.cli", "worker"]
    assert "worker" not in started("web")
