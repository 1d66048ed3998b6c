"""Exactly once under faults (issue 13 item 4): the outbox never sends a message again after
a slow gateway, a deadlock or a dropped write — a claim the sender holds cannot expire under
it — and still takes over the messages of a sender that died.

The interleavings are forced, not hoped for: worker B runs *inside* worker A's gateway call,
ten minutes (five leases) later by B's clock; on PostgreSQL a real deadlock is built around
A's record of a sent message.  Threads have their own database connections, so the tests
commit (``transaction=True``)."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction

from hotline.supervision import claims, outbox
from hotline.supervision.gateways import FileGateway, Outgoing
from hotline.supervision.models import GatewayDelivery, Message
from hotline.supervision.notify import Draft
from hotline.supervision.tests.conftest import MONDAY

T0 = MONDAY
LEASE = timedelta(seconds=120)


def queue(n: int, channel: str = "sms") -> list[Message]:
    outbox.add(
        [
            Draft(
                key=f"fault{i}",
                channel=channel,
                to=f"1390000{i:04d}" if channel != "system" else "role:supervisor",
                to_name="值班员",
                kind="test",
                level="info",
                subject="督办",
                body=f"请办理{i}",
                role="supervisor" if channel == "system" else "",
            )
            for i in range(n)
        ],
        T0,
    )
    return list(Message.objects.order_by("pk"))


class Recording:
    def __init__(self, name: str = "gw") -> None:
        self.name = name
        self.keys: list[str] = []
        self.lock = threading.Lock()

    def send(self, message: Outgoing) -> str:
        with self.lock:
            self.keys.append(message.key)
        return f"{self.name}-{len(self.keys)}"


def in_thread(fn):
    """Run ``fn`` on its own connection in another thread; return what it returned."""
    out: list = []
    errors: list = []

    def run():
        try:
            out.append(fn())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=60)
    assert not t.is_alive(), "the other worker hung"
    assert not errors, errors
    return out[0]


@pytest.mark.django_db(transaction=True)
def test_a_slow_sender_keeps_its_claim_however_long_the_gateway_takes():
    """Worker A claims three SMS and its provider is slow: while A is inside the first send,
    worker B runs ten minutes later by its clock — every lease of A's batch has expired.
    B must not take them (A is alive and holds its claim); each message goes out once."""
    queue(3)
    later = T0 + 5 * LEASE
    b_gateway = Recording("b")
    b_reports: list = []

    class SlowProvider(Recording):
        def send(self, message):
            if not b_reports:
                b_reports.append(
                    in_thread(lambda: outbox.deliver_due(now=later, gateway=b_gateway))
                )
            return super().send(message)

    a_gateway = SlowProvider("a")
    report = outbox.deliver_due(now=T0, gateway=a_gateway)
    assert b_reports[0].sent == 0 and b_gateway.keys == []
    assert report.sent == 3 and report.lost == 0
    assert sorted(a_gateway.keys) == ["fault0", "fault1", "fault2"]
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
    # and nothing is left for anyone to send again
    assert outbox.deliver_due(now=later + LEASE, gateway=b_gateway).sent == 0


@pytest.mark.django_db(transaction=True)
def test_the_messages_of_a_sender_that_died_are_taken_over_after_the_lease():
    """A sender claims and dies before sending (its hold goes with it): before the lease
    ends nobody touches its messages, after it another worker sends them once."""
    queue(2)
    hold = claims.Hold("deadbeef")
    hold.acquire()
    claimed = outbox.claim_batch(T0, "deadbeef", 10, set())
    assert len(claimed) == 2
    gateway = Recording()
    assert in_thread(lambda: outbox.deliver_due(now=T0 + LEASE / 2, gateway=gateway)).sent == 0
    hold.release()  # …the process is gone
    assert in_thread(lambda: outbox.deliver_due(now=T0 + LEASE, gateway=gateway)).sent == 2
    assert Counter(gateway.keys) == {"fault0": 1, "fault1": 1}
    assert set(Message.objects.values_list("attempts", flat=True)) == {2}


@pytest.mark.django_db(transaction=True)
def test_a_sent_message_whose_record_fails_once_is_not_sent_again(monkeypatch, caplog):
    """The incident: the provider accepted the messages, then the write recording them
    failed (a deadlock) and three minutes later another worker sent them all again.  Now
    the record of each message is retried until it holds, and nothing is left to resend."""
    queue(3)
    real = outbox._record_sent
    failures = iter([OperationalError("deadlock detected")])

    def flaky(*args):
        exc = next(failures, None)
        if exc is not None:
            raise exc
        return real(*args)

    monkeypatch.setattr(outbox, "_record_sent", flaky)
    gateway = Recording()
    with caplog.at_level(logging.WARNING, logger="hotline.supervision.outbox"):
        report = outbox.deliver_due(now=T0, gateway=gateway)
    assert report.sent == 3
    assert "deadlock detected" in caplog.text
    assert in_thread(lambda: outbox.deliver_due(now=T0 + 3 * LEASE, gateway=gateway)).sent == 0
    assert Counter(gateway.keys) == {"fault0": 1, "fault1": 1, "fault2": 1}


@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_while_recording_does_not_resend(caplog):
    """PostgreSQL: another transaction locks the message row A is about to mark sent, then
    waits for A's claim hold — a lock cycle PostgreSQL breaks by aborting A's write.  A
    writes again; a worker three minutes later finds nothing to send."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlock detection are PostgreSQL's (SQLite: test above)")
    [m] = queue(1)
    locked = threading.Event()
    done = threading.Event()

    def other_transaction():
        try:
            with transaction.atomic():
                row = Message.objects.select_for_update().get(pk=m.pk)
                locked.set()
                with connection.cursor() as cursor:
                    # wait until A is blocked on this row, then close the cycle
                    for _ in range(200):
                        # statistics are a snapshot per transaction unless cleared
                        cursor.execute("SELECT pg_stat_clear_snapshot()")
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND datname = current_database() "
                            "AND query LIKE 'UPDATE %%supervision_message%%'"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.05)
                    # a transaction that would not wait forever (lock_timeout): after A is
                    # aborted as the deadlock victim, this one gives up and lets A through
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                    cursor.execute(
                        "SELECT pg_advisory_lock(%s, %s)",
                        [claims.ADVISORY_NAMESPACE, claims._key(row.claim)],
                    )
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s, %s)",
                        [claims.ADVISORY_NAMESPACE, claims._key(row.claim)],
                    )
        except OperationalError:
            pass  # its lock_timeout ran out while A, retrying, waited for the row again
        finally:
            connection.close()
            done.set()

    class Provider(Recording):
        def send(self, message):
            threading.Thread(target=other_transaction).start()
            assert locked.wait(10)
            return super().send(message)

    gateway = Provider()
    with caplog.at_level(logging.WARNING, logger="hotline.supervision.outbox"):
        report = outbox.deliver_due(now=T0, gateway=gateway)
    assert done.wait(30)
    assert report.sent == 1
    assert "deadlock detected" in caplog.text
    assert in_thread(lambda: outbox.deliver_due(now=T0 + 3 * LEASE, gateway=gateway)).sent == 0
    assert gateway.keys == ["fault0"]
    assert Message.objects.get().state == "sent"


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_take_disjoint_batches():
    """Both workers claim from the same 40 waiting rows at the same instant: every row is
    claimed by exactly one of them (PostgreSQL skips the other's locked rows, SQLite
    queues the claims)."""
    queue(40)
    barrier = threading.Barrier(2)

    def claim(token):
        def run():
            barrier.wait(timeout=10)
            with claims.holding(token):
                return [m.pk for m in outbox.claim_batch(T0, token, 40, set())]

        return run

    results: dict[str, list[int]] = {}
    threads = [
        threading.Thread(
            target=lambda t=t: (results.__setitem__(t, claim(t)()), connection.close())
        )
        for t in ("workera", "workerb")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a, b = results["workera"], results["workerb"]
    assert not set(a) & set(b) and len(a) + len(b) == 40


@pytest.mark.django_db(transaction=True)
def test_the_file_gateway_delivers_a_key_once_across_machines(tmp_path):
    """Two machines, two drop folders, one database: the same key sent on both (a worker
    that died after delivering, retried elsewhere) and racing on both at once is written
    once."""
    machine_a, machine_b = FileGateway(tmp_path / "a"), FileGateway(tmp_path / "b")
    msg = Outgoing("o1:rung:sms:139", "sms", "13900000002", "周副局长", "督办", "请办理")
    assert machine_a.send(msg) == machine_b.send(msg)
    assert len(list(tmp_path.glob("*/*.json"))) == 1
    barrier = threading.Barrier(2)
    racing = Outgoing("o2:rung:sms:139", "sms", "13900000002", "周副局长", "督办", "请办理")

    def send(gw):
        def run():
            barrier.wait(timeout=10)
            return gw.send(racing)

        return run

    threads = [
        threading.Thread(target=lambda g=g: (send(g)(), connection.close()))
        for g in (machine_a, machine_b)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(list(tmp_path.glob("*/*.json"))) == 2
    assert GatewayDelivery.objects.count() == 2
