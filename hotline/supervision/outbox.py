"""The outbox (SPEC §5): every SMS, WeChat and in-system message is first a row written in
the same transaction as the work that produced it, then delivered by whichever worker
claims it.

Exactly-once, step by step:

1. *Queue*: ``add`` inserts rows keyed by an idempotency key (unique), ignoring keys that
   exist — a producer that runs twice queues nothing new.
2. *Claim*: a worker takes a waiting row by compare-and-set on its ``version``
   (``UPDATE … WHERE id = ? AND version = ?``) and sets a lease; of two workers exactly one
   changes the row, the other moves on (no lock held while sending).
3. *Send*: outside any transaction, through the gateway, which is told the key.
4. *Record*: ``sent`` (or a retry time, or dead) by compare-and-set on the claim token;
   a batch is claimed by one conditional ``UPDATE`` and recorded in one transaction.  If
   the worker died before this, the lease expires and another worker sends again with the
   same key — the gateway drops the duplicate (``FileGateway`` by an exclusive file per
   key; a real provider by its idempotency key).
5. In-system notices need no gateway: the ``Notice`` row is created in the same transaction
   as the ``sent`` mark and is one-to-one with the message, so it exists exactly once.

Failures retry with exponential back-off (``retry_base_seconds`` × 2ⁿ, capped) and after
``max_attempts`` the row is dead-lettered, visible to admins, who may retry it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from hotline import clock
from hotline.supervision.gateways import (
    Gateway,
    Outgoing,
    PermanentFailure,
    default_gateway,
)
from hotline.supervision.models import Message, Notice
from hotline.supervision.notify import Draft

log = logging.getLogger(__name__)


def conf(name: str):
    return settings.HOTLINE_OUTBOX[name]


def add(drafts: Iterable[Draft], now: datetime) -> int:
    """Queue drafts; a key already queued is ignored.  Call inside the producer's
    transaction.  Returns how many drafts were offered."""
    rows = [
        Message(
            key=d.key,
            channel=d.channel,
            to=d.to,
            to_name=d.to_name,
            unit_id=d.unit_id,
            user_id=d.user_id,
            role=d.role,
            order_id=d.order_id,
            kind=d.kind,
            level=d.level,
            subject=d.subject,
            body=d.body,
            next_attempt_at=now,
            created_at=now,
        )
        for d in drafts
    ]
    Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base × 2^(attempts − 1), capped."""
    seconds = conf("retry_base_seconds") * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, conf("retry_max_seconds")))


def _waiting(now: datetime) -> Q:
    return Q(state="pending", next_attempt_at__lte=now) | Q(state="sending", lease_until__lte=now)


@dataclass
class Claimed:
    message: Message
    token: str


def claim(pk: int, version: int, now: datetime, token: str) -> Claimed | None:
    """Compare-and-set: take the row only if nobody changed it since it was read."""
    changed = (
        Message.objects.filter(pk=pk, version=version)
        .filter(_waiting(now))
        .update(
            state="sending",
            version=F("version") + 1,
            claim=token,
            lease_until=now + timedelta(seconds=conf("lease_seconds")),
            attempts=F("attempts") + 1,
        )
    )
    if changed != 1:
        return None  # another worker got there first
    return Claimed(Message.objects.get(pk=pk), token)


def _finish(c: Claimed, now: datetime, **fields) -> bool:
    return (
        Message.objects.filter(pk=c.message.pk, claim=c.token, state="sending").update(
            version=F("version") + 1, lease_until=None, **fields
        )
        == 1
    )


def send(c: Claimed, gateway: Gateway, now: datetime) -> str:
    """Deliver one claimed message; returns the resulting state."""
    m = c.message
    if m.channel == "system":
        with transaction.atomic():
            if not _finish(c, now, state="sent", sent_at=now, provider_ref="notice"):
                return "lost"
            Notice.objects.create(
                message=m,
                unit_id=m.unit_id if m.to.startswith("unit:") else None,
                user_id=m.user_id if m.to.startswith("user:") else None,
                role=m.role,
                order_id=m.order_id,
                kind=m.kind,
                level=m.level,
                title=m.subject,
                body=m.body,
                created_at=now,
            )
        return "sent"
    try:
        ref = gateway.send(Outgoing(m.key, m.channel, m.to, m.to_name, m.subject, m.body))
    except Exception as exc:  # every failure is recorded; none is lost
        return _failed(c, exc, now)
    return "sent" if _finish(c, now, state="sent", sent_at=now, provider_ref=ref) else "lost"


def _failed(c: Claimed, exc: Exception, now: datetime) -> str:
    """Retry later with back-off, or dead-letter after the last attempt or a permanent
    refusal."""
    m = c.message
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if isinstance(exc, PermanentFailure) or m.attempts >= conf("max_attempts"):
        _finish(c, now, state="dead", dead_at=now, last_error=error)
        log.warning("message %s dead after %s attempts: %s", m.key, m.attempts, error)
        return "dead"
    _finish(c, now, state="pending", next_attempt_at=now + backoff(m.attempts), last_error=error)
    return "retry"


@dataclass
class DeliveryReport:
    sent: int = 0
    retry: int = 0
    dead: int = 0
    lost: int = 0  # claimed, but the lease ran out and another worker took over


def claim_batch(ids: list[int], now: datetime, token: str) -> list[Message]:
    """Compare-and-set on many rows in one statement: claim those of ``ids`` that are still
    waiting (``UPDATE … WHERE id IN (…) AND <still waiting>``).  A row another worker
    claimed meanwhile no longer matches and is left alone; on PostgreSQL the second
    ``UPDATE`` waits for the first and re-checks the condition on the new row."""
    Message.objects.filter(pk__in=ids).filter(_waiting(now)).update(
        state="sending",
        version=F("version") + 1,
        claim=token,
        lease_until=now + timedelta(seconds=conf("lease_seconds")),
        attempts=F("attempts") + 1,
    )
    return list(Message.objects.filter(pk__in=ids, claim=token, state="sending").order_by("pk"))


def _finish_sent(claimed: list[Message], token: str, now: datetime, refs: dict[int, str]) -> int:
    """Record a batch as sent in one transaction — only rows still ours (compare-and-set on
    the claim) — and create the in-system notices of those rows."""
    if not claimed:
        return 0
    with transaction.atomic():
        ours = set(
            Message.objects.select_for_update()
            .filter(pk__in=[m.pk for m in claimed], claim=token, state="sending")
            .values_list("pk", flat=True)
        )
        for ref in set(refs.values()) | {"notice"}:
            pks = [m.pk for m in claimed if m.pk in ours and refs.get(m.pk, "notice") == ref]
            if pks:
                Message.objects.filter(pk__in=pks).update(
                    state="sent",
                    sent_at=now,
                    provider_ref=ref[:120],
                    lease_until=None,
                    version=F("version") + 1,
                )
        Notice.objects.bulk_create(
            [
                Notice(
                    message=m,
                    unit_id=m.unit_id if m.to.startswith("unit:") else None,
                    user_id=m.user_id if m.to.startswith("user:") else None,
                    role=m.role,
                    order_id=m.order_id,
                    kind=m.kind,
                    level=m.level,
                    title=m.subject,
                    body=m.body,
                    created_at=now,
                )
                for m in claimed
                if m.pk in ours and m.channel == "system"
            ]
        )
    return len(ours)


def deliver_due(
    *,
    now: datetime | None = None,
    gateway: Gateway | None = None,
    limit: int = 10_000,
    batch: int = 200,
) -> DeliveryReport:
    """Claim waiting messages a batch at a time, send them, record the batch."""
    gateway = gateway or default_gateway()
    report = DeliveryReport()
    seen: set[int] = set()
    while limit > 0:
        at = now or clock.now()
        ids = [
            pk
            for pk in Message.objects.filter(_waiting(at))
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[: min(batch, limit)]
            if pk not in seen
        ]
        if not ids:
            break  # nothing waiting, or only rows this call already handled
        seen.update(ids)
        token = uuid.uuid4().hex
        claimed = claim_batch(ids, at, token)
        limit -= len(claimed)
        refs: dict[int, str] = {}
        done: list[Message] = []
        for m in claimed:
            if m.channel == "system":
                done.append(m)
                continue
            c = Claimed(m, token)
            try:
                refs[m.pk] = gateway.send(
                    Outgoing(m.key, m.channel, m.to, m.to_name, m.subject, m.body)
                )
                done.append(m)
            except Exception as exc:  # every failure is recorded; none is lost
                outcome = _failed(c, exc, now or clock.now())
                setattr(report, outcome, getattr(report, outcome) + 1)
        sent = _finish_sent(done, token, now or clock.now(), refs)
        report.sent += sent
        report.lost += len(done) - sent
    return report


def retry(message: Message, *, now: datetime | None = None) -> bool:
    """An admin sends a dead letter again: back to pending with a fresh attempt budget."""
    now = now or clock.now()
    return (
        Message.objects.filter(pk=message.pk, state="dead").update(
            state="pending",
            attempts=0,
            next_attempt_at=now,
            dead_at=None,
            version=F("version") + 1,
        )
        == 1
    )
