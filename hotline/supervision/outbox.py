"""The outbox (SPEC §5): every SMS, WeChat and in-system message is first a row written in
the same transaction as the work that produced it, then delivered by whichever worker
claims it.

Exactly-once, step by step:

1. *Queue*: ``add`` inserts rows keyed by an idempotency key (unique), ignoring keys that
   exist — a producer that runs twice queues nothing new.  Rows go in key order, so two
   producers inserting the same keys wait for each other instead of deadlocking.
2. *Hold*: a sender first takes a hold on a fresh claim token (``claims``: a PostgreSQL
   advisory lock, or a ``flock`` on SQLite) that lives exactly as long as the sender.
3. *Claim*: it takes a batch of waiting rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and
   marks them ``sending`` with its token and a lease; two workers take disjoint rows and
   never wait on each other.  A row left ``sending`` past its lease is taken over only when
   its token is no longer held — its sender died — never from a sender that is merely slow.
4. *Send*: outside any transaction, through the gateway, which is told the key.
5. *Record*: each message is marked ``sent`` (or a retry time, or dead) right after the
   gateway answers, by compare-and-set on the claim token, and that write is retried
   through deadlocks and dropped connections.  If the sender died between send and record,
   its hold is gone; after the lease another worker sends again with the same key and the
   gateway drops the duplicate (``FileGateway`` by a database row per key; a real provider
   by its idempotency key).
6. In-system notices need no gateway: the ``Notice`` row is created in the same transaction
   as the ``sent`` mark and is one-to-one with the message, so it exists exactly once.

Failures retry with exponential back-off (``retry_base_seconds`` × 2ⁿ, capped) and after
``max_attempts`` the row is dead-lettered, visible to admins, who may retry it.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q

from hotline import clock
from hotline.supervision import claims
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
        for d in sorted(drafts, key=lambda d: d.key)
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
    lost: int = 0  # claimed, but another worker took it over (this sender was given up for dead)


def claim_batch(now: datetime, token: str, size: int, live: set[str]) -> list[Message]:
    """Claim up to ``size`` waiting messages for ``token`` in one short transaction.

    The rows are chosen with ``SELECT … FOR UPDATE SKIP LOCKED`` in id order, so two
    workers claiming at once take disjoint rows and never wait for each other (no
    deadlock: the incident where two workers deadlocked at first start and 143 messages
    went out again came from two multi-row statements locking the same rows in different
    orders).  SQLite has no row locks; its IMMEDIATE transaction serialises claims.

    A row still "sending" past its lease is taken over only if its sender no longer holds
    its claim (``claims.held``): a live sender keeps its messages however slow it is.
    Tokens found alive are added to ``live`` and skipped from then on."""
    while True:
        with transaction.atomic():
            rows = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(_waiting(now))
                .exclude(state="sending", claim__in=live)
                .order_by("next_attempt_at", "id")
                .values_list("pk", "state", "claim")[:size]
            )
            if not rows:
                return []
            alive = {c for c in {c for _, state, c in rows if state == "sending"} if claims.held(c)}
            take = [pk for pk, state, c in rows if not (state == "sending" and c in alive)]
            if take:
                Message.objects.filter(pk__in=take).update(
                    state="sending",
                    version=F("version") + 1,
                    claim=token,
                    lease_until=now + timedelta(seconds=conf("lease_seconds")),
                    attempts=F("attempts") + 1,
                )
        live |= alive
        if take:
            return list(Message.objects.filter(pk__in=take, claim=token).order_by("pk"))
        # every row read belonged to live senders: read again without them


def _persist(hold: claims.Hold, write):
    """Run one short write until it succeeds.  A deadlock victim, a serialisation failure
    or a dropped connection is retried (reconnecting, and taking the claim's hold again on
    the new session) for up to ``lease_seconds`` — a message the gateway accepted must not
    stay unrecorded, or it would be sent again."""
    delay, give_up = 0.05, time.monotonic() + conf("lease_seconds")
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block or time.monotonic() > give_up:
                raise
            log.warning("outbox: retrying a write after %s: %s", type(exc).__name__, exc)
            reconnect = not connection.is_usable() if connection.connection else True
            if reconnect:
                connection.close()
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
            if reconnect:
                with contextlib.suppress(OperationalError, InterfaceError):
                    hold.renew()


def _record_sent(m: Message, token: str, now: datetime, ref: str) -> bool:
    """One message the gateway accepted: ``sent``, if the claim is still ours."""
    return (
        Message.objects.filter(pk=m.pk, claim=token, state="sending").update(
            state="sent",
            sent_at=now,
            provider_ref=ref[:120],
            lease_until=None,
            version=F("version") + 1,
        )
        == 1
    )


def _record_notices(claimed: list[Message], token: str, now: datetime) -> int:
    """In-system messages need no gateway: the ``sent`` marks and their ``Notice`` rows are
    one transaction, so a notice exists exactly once whatever fails."""
    if not claimed:
        return 0
    with transaction.atomic():
        ours = sorted(
            Message.objects.select_for_update()
            .filter(pk__in=[m.pk for m in claimed], claim=token, state="sending")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=ours).update(
            state="sent",
            sent_at=now,
            provider_ref="notice",
            lease_until=None,
            version=F("version") + 1,
        )
        mine = set(ours)
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
                if m.pk in mine
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
    """Claim waiting messages a batch at a time and deliver them.

    The sender holds its claim token (``claims.holding``) from before the first claim to
    after the last record, so its messages cannot be taken over while it lives.  Each SMS
    or WeChat message is recorded ``sent`` right after the gateway accepts it (never a
    whole batch at the end: one failed write must not leave a batch sent but unrecorded),
    and that write is retried through deadlocks and dropped connections."""
    gateway = gateway or default_gateway()
    report = DeliveryReport()
    live: set[str] = set()
    token = uuid.uuid4().hex
    with claims.holding(token) as hold:
        while limit > 0:
            at = now or clock.now()
            claimed = _persist(hold, partial(claim_batch, at, token, min(batch, limit), live))
            if not claimed:
                break
            limit -= len(claimed)
            notices = [m for m in claimed if m.channel == "system"]
            sent = _persist(hold, partial(_record_notices, notices, token, now or clock.now()))
            report.sent += sent
            report.lost += len(notices) - sent
            for m in claimed:
                if m.channel == "system":
                    continue
                try:
                    ref = gateway.send(
                        Outgoing(m.key, m.channel, m.to, m.to_name, m.subject, m.body)
                    )
                except Exception as exc:  # every failure is recorded; none is lost
                    failed = partial(_failed, Claimed(m, token), exc, now or clock.now())
                    outcome = _persist(hold, failed)
                    setattr(report, outcome, getattr(report, outcome) + 1)
                    continue
                if _persist(hold, partial(_record_sent, m, token, now or clock.now(), ref)):
                    report.sent += 1
                else:
                    report.lost += 1
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
