"""A channel client that sends no Idempotency-Key and retries after a time-out gets its first
order back, not a second one (issue 13 item 5: 37 of 37 such retries used to duplicate the
appeal).  The request's fingerprint — its fields and files — is its implicit key for
``HOTLINE_CHANNEL_IMPLICIT_KEY_MINUTES`` (10); after that the same body is a new appeal.

And the fault test of item 7: 8 clients × 100 appeals, each sent and then retried as if the
first answer was lost, half with a key and half without — through the whole HTTP stack, on
both databases — every appeal exists exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from hotline import clock
from hotline.channels import services
from hotline.channels.models import ChannelClient, IdempotencyRecord
from hotline.orders.models import WorkOrder

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def send(key: str, body: dict, idempotency_key: str | None = None):
    headers = {"X-Api-Key": key}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return Client().post(
        "/api/v1/channel/appeals", body, content_type="application/json", headers=headers
    )


def test_a_retry_without_a_key_returns_the_first_order(portal_app, citizen_appeal):
    first = send(portal_app.raw_key, citizen_appeal)
    assert first.status_code == 201 and first.json()["created"] is True
    retry = send(portal_app.raw_key, citizen_appeal)  # the first answer never arrived
    assert retry.status_code == 200
    assert retry.json()["number"] == first.json()["number"] and retry.json()["created"] is False
    assert WorkOrder.objects.count() == 1
    # anything different is another appeal
    other = send(portal_app.raw_key, {**citizen_appeal, "content": "另一处路灯也不亮。"})
    assert other.status_code == 201 and WorkOrder.objects.count() == 2


def test_the_same_body_after_the_window_is_a_new_appeal(portal_app, citizen_appeal, settings):
    t0 = clock.now()
    first, created = services.submit_appeal(portal_app, citizen_appeal, now=t0)
    later = t0 + timedelta(minutes=settings.HOTLINE_CHANNEL_IMPLICIT_KEY_MINUTES, seconds=1)
    again, created_again = services.submit_appeal(portal_app, citizen_appeal, now=later)
    assert created and created_again and again.pk != first.pk
    # and a retry of the new one finds the new one
    retry, created_retry = services.submit_appeal(
        portal_app, citizen_appeal, now=later + timedelta(seconds=30)
    )
    assert retry.pk == again.pk and not created_retry
    assert IdempotencyRecord.objects.filter(client=portal_app).count() == 2


def test_implicit_keys_belong_to_one_client(portal_app, grid_app, citizen_appeal):
    a, _ = services.submit_appeal(portal_app, citizen_appeal)
    b, _ = services.submit_appeal(grid_app, citizen_appeal)
    assert a.pk != b.pk


def test_implicit_keys_can_be_turned_off(portal_app, citizen_appeal, settings):
    settings.HOTLINE_CHANNEL_IMPLICIT_KEY_MINUTES = 0
    services.submit_appeal(portal_app, citizen_appeal)
    services.submit_appeal(portal_app, citizen_appeal)
    assert WorkOrder.objects.count() == 2


def test_an_explicit_key_still_decides(portal_app, citizen_appeal):
    """Two keys are two appeals even with the same body (a client that means it)."""
    a, _ = services.submit_appeal(portal_app, citizen_appeal, idempotency_key="a")
    b, _ = services.submit_appeal(portal_app, citizen_appeal, idempotency_key="b")
    c, created = services.submit_appeal(portal_app, citizen_appeal)
    assert len({a.pk, b.pk, c.pk}) == 3 and created


@pytest.mark.django_db(transaction=True)
def test_eight_retries_racing_without_a_key_create_one_order(portal_app, citizen_appeal):
    barrier = threading.Barrier(8)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def retry():
        try:
            barrier.wait(timeout=10)
            numbers.append(services.submit_appeal(portal_app, citizen_appeal)[0].number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(numbers)) == 1 and WorkOrder.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_eight_clients_sending_a_hundred_appeals_each_with_retries_lose_and_double_none(org):
    """Item 7: 8 threads × 100 intakes, each retried once, through the HTTP API."""
    client, key = ChannelClient.issue("压测客户端", "app", rate_limit_per_minute=1_000_000)
    threads_n, per_thread = 8, 100
    barrier = threading.Barrier(threads_n)
    answers: list[tuple[str, str]] = []  # (appeal id, order number) of every 2xx answer
    errors: list[str] = []
    lock = threading.Lock()

    def sender(t: int):
        try:
            barrier.wait(timeout=30)
            for i in range(per_thread):
                appeal = f"t{t}-{i}"
                body = {
                    "content": f"第{t}号客户端的第{i}条诉求：康乐小区{i}号楼前路灯不亮。",
                    "phone": f"139{t:02d}{i:06d}",
                    "extra": {"ref": appeal},
                }
                idem = appeal if i % 2 else None  # half with a key, half without
                for _attempt in range(2):  # the first answer is lost: the client retries
                    r = send(key, body, idem)
                    with lock:
                        if r.status_code in (200, 201):
                            answers.append((appeal, r.json()["number"]))
                        else:
                            errors.append(f"{r.status_code} {r.content[:200]!r}")
        finally:
            connection.close()

    workers = [threading.Thread(target=sender, args=(t,)) for t in range(threads_n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors[:5]
    by_appeal: dict[str, set[str]] = {}
    for appeal, number in answers:
        by_appeal.setdefault(appeal, set()).add(number)
    assert len(by_appeal) == threads_n * per_thread  # 0 lost
    assert all(len(numbers) == 1 for numbers in by_appeal.values())  # every retry: same order
    orders = WorkOrder.objects.filter(channel_submission__client=client)
    assert orders.count() == threads_n * per_thread  # 0 doubled
    refs = Counter(orders.values_list("channel_submission__extra__ref", flat=True))
    assert set(refs.values()) == {1}
