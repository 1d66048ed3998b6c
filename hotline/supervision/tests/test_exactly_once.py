"""The sweep is idempotent and safe with several workers (SPEC §5, §6.5): running it twice,
on two workers at once, or again after a worker died in the middle never doubles a
warning, a reminder, a rung or a message, and never loses one.

Every test runs on both databases.  The deterministic ones replay the interleavings that
matter (a second sweep that read its work before the first committed; a crash between
steps); the threaded ones race real workers — on PostgreSQL row locks and unique indexes
decide, on SQLite the IMMEDIATE transactions queue the writers (WAL file database)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from hotline.orders import actions
from hotline.orders.models import Event
from hotline.supervision import actions as supervision_actions
from hotline.supervision import outbox, sweep
from hotline.supervision.ladders import Ladders
from hotline.supervision.models import Message, Notice, SupervisionRecord, SweepMark
from hotline.supervision.tests.conftest import MONDAY, sh

LATE = sh(2026, 3, 9, 14, 0)  # feedback overdue since 09:00, smart rung due at 13:00


def products() -> dict[str, int]:
    return {
        "marks": SweepMark.objects.count(),
        "messages": Message.objects.count(),
        "notices": Notice.objects.count(),
        "records": SupervisionRecord.objects.count(),
        "events": Event.objects.filter(action="auto_remind").count(),
    }


@pytest.fixture
def late_orders(dispatch, clerk):
    """Five orders signed on Monday and never replied to."""
    orders = [dispatch() for _ in range(5)]
    for o in orders:
        actions.do_sign(o, clerk, now=sh(2026, 3, 2, 10, 0))
    return orders


def test_running_the_sweep_twice_changes_nothing_the_second_time(late_orders, gateway):
    sweep.run(now=LATE, gateway=gateway)
    first = products()
    assert first["records"] == 5 and first["events"] == 5
    report = sweep.run(now=LATE, gateway=gateway)
    assert (report.warning, report.overdue, report.rungs, report.suggestions) == (0, 0, 0, 0)
    assert products() == first
    assert len(gateway.sent) == len({m.key for m in gateway.sent})


def test_a_second_sweep_that_read_its_work_before_the_first_committed_does_nothing(
    late_orders, gateway, monkeypatch
):
    """Sweep B lists the overdue deadlines, then sweep A does them and commits, then B
    tries: B's marks conflict with A's, so B produces nothing and ends."""
    stale = sweep.candidates("overdue", LATE)
    sweep.remind_deadlines("overdue", LATE, "sweep-a")
    after_a = products()
    calls = iter([stale])
    real = sweep.candidates
    monkeypatch.setattr(sweep, "candidates", lambda s, n: next(calls, None) or real(s, n))
    assert sweep.remind_deadlines("overdue", LATE, "sweep-b") == 0
    assert products() == after_a
    # the same for a rung: B planned the smart rung before A took it
    ladders = Ladders.load()
    order = late_orders[0]
    assert sweep.take_rung(order.pk, ladders, LATE, "sweep-a") == 1
    assert sweep.take_rung(order.pk, ladders, LATE, "sweep-b") == 0
    assert SupervisionRecord.objects.filter(order=order).count() == 1


def test_a_worker_killed_between_steps_loses_nothing(late_orders, gateway, monkeypatch):
    """The worker dies after queueing the first overdue notices (inside the transaction that
    also holds their marks): everything of that transaction is gone, and the next sweep
    does it all — once."""
    real_add = outbox.add

    def dies(drafts, now):
        real_add(drafts, now)
        raise SystemExit("worker killed")

    monkeypatch.setattr(outbox, "add", dies)
    with pytest.raises(SystemExit):
        sweep.run(now=LATE, gateway=gateway)
    assert products() == {"marks": 0, "messages": 0, "notices": 0, "records": 0, "events": 0}
    monkeypatch.setattr(outbox, "add", real_add)
    sweep.run(now=LATE, gateway=gateway)
    assert products()["records"] == 5 and products()["events"] == 5
    assert Counter(m.key for m in gateway.sent).most_common(1)[0][1] == 1


def test_a_worker_killed_while_taking_a_rung_loses_nothing(late_orders, gateway, monkeypatch):
    """Killed after the supervision record was written but before its messages: the rung's
    transaction rolls back (record, mark, event) and the next sweep takes it once."""
    sweep.run(now=sh(2026, 3, 9, 12, 0), gateway=gateway)  # reminders only, no rung yet
    before = products()
    # the rung's messages are queued by the one supervision path the sweep goes through
    real = supervision_actions.rung_drafts
    monkeypatch.setattr(
        supervision_actions, "rung_drafts", lambda *a: (_ for _ in ()).throw(SystemExit())
    )
    with pytest.raises(SystemExit):
        sweep.run(now=LATE, gateway=gateway)
    assert products() == before
    monkeypatch.setattr(supervision_actions, "rung_drafts", real)
    assert sweep.run(now=LATE, gateway=gateway).rungs == 5
    assert SupervisionRecord.objects.count() == 5


def _race(n_threads: int, fn) -> list:
    barrier = threading.Barrier(n_threads)
    results: list = []
    errors: list = []

    def worker():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


class ThreadSafeGateway:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: list[str] = []

    def send(self, message):
        with self.lock:
            self.keys.append(message.key)
        return "ok"


@pytest.mark.django_db(transaction=True)
def test_three_workers_sweeping_at_once_never_double_anything(
    agent, reviewer, clerk, appeal, phones
):
    """Three threads run the whole sweep (reminders, rungs, delivery) at the same instant on
    12 late orders: every deadline reminded once, every rung taken once, every message
    queued once and handed to the gateway once."""
    orders = []
    for _ in range(12):
        o = actions.do_create_order(agent, appeal, now=MONDAY)
        actions.do_submit(o, agent, now=MONDAY)
        actions.do_dispatch(o, reviewer, lead_unit=phones.zjj, now=MONDAY)
        actions.do_sign(o, clerk, now=sh(2026, 3, 2, 10, 0))
        orders.append(o)
    gateway = ThreadSafeGateway()
    reports = _race(3, lambda: sweep.run(now=LATE, gateway=gateway))
    assert sum(r.overdue for r in reports) == 12
    assert sum(r.rungs for r in reports) == 12
    assert SupervisionRecord.objects.count() == 12
    assert Event.objects.filter(action="auto_remind").count() == 12
    sms = Message.objects.filter(channel="sms")
    assert sms.count() == 12 and set(sms.values_list("state", flat=True)) == {"sent"}
    assert Counter(gateway.keys) == Counter(sms.values_list("key", flat=True))
    assert Notice.objects.count() == Message.objects.filter(channel="system").count()


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_the_outbox_send_each_message_once(db):
    outbox.add(
        [
            outbox.Draft(
                key=f"race{i}",
                channel="sms" if i % 2 else "system",
                to=f"1390000{i:04d}" if i % 2 else "role:supervisor",
                to_name="值班员",
                kind="test",
                level="info",
                subject="s",
                body="b",
                role="" if i % 2 else "supervisor",
            )
            for i in range(60)
        ],
        MONDAY,
    )
    gateway = ThreadSafeGateway()
    reports = _race(2, lambda: outbox.deliver_due(now=MONDAY, gateway=gateway))
    assert sum(r.sent for r in reports) == 60
    assert sorted(gateway.keys) == sorted(f"race{i}" for i in range(1, 60, 2))
    assert Notice.objects.count() == 30
