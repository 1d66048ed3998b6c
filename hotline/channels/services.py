"""What outside channels can do (§5.1): authenticate, be rate limited, submit an appeal once
(however often the network makes them retry) and read the public status of an order.

Every order change goes through ``hotline.orders.actions``; this module only adds the channel's
bookkeeping (who sent it, the idempotency key) to the same transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from hotline import clock
from hotline.channels.demo import DEMO_KEY_PREFIX
from hotline.channels.models import (
    ChannelClient,
    IdempotencyRecord,
    RateCounter,
    Submission,
    hash_key,
)
from hotline.orders import actions, attachments, public
from hotline.orders.errors import ActionError, Conflict, ValidationFailed
from hotline.orders.models import WorkOrder
from hotline.rules import lifecycle, limits, taxonomy

WINDOW = timedelta(minutes=1)
IMPLICIT = "implicit:"  # the key of a submission sent without one: its fingerprint
STALE = timedelta(hours=1)
LAST_USED_EVERY = timedelta(seconds=60)


class RateLimited(ActionError):
    """Too many requests in the current window; ``retry_after`` says how many seconds until
    the next window opens."""

    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: int, message: str = "请求过于频繁，请稍后再试") -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class IdempotencyMismatch(Conflict):
    """The same ``Idempotency-Key`` came back with a different request body."""

    code = "idempotency_key_reused"


# ---------------------------------------------------------------------------
# keys


def authenticate_key(raw_key: str, *, now: datetime | None = None) -> ChannelClient | None:
    """The enabled client owning this key, or None.  Marks ``last_used_at`` (at most once a
    minute, so a busy client does not write on every request)."""
    client = lookup_key(raw_key)
    if client is None or not client.enabled:
        return None
    mark_used(client, now=now)
    return client


def mark_used(client: ChannelClient, *, now: datetime | None = None) -> None:
    now = now or clock.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_EVERY:
        ChannelClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


def lookup_key(raw_key: str) -> ChannelClient | None:
    """The client owning this key, enabled or not (the API tells 401 from 403).  The demo's
    published keys (``hk_demo_*``) belong to no one outside debug."""
    raw_key = (raw_key or "").strip()
    if not raw_key:
        return None
    if raw_key.startswith(DEMO_KEY_PREFIX) and not settings.HOTLINE_DEMO_ALLOWED:
        return None
    return ChannelClient.objects.filter(key_hash=hash_key(raw_key)).first()


# ---------------------------------------------------------------------------
# rate limits


def check_rate(client: ChannelClient, *, now: datetime | None = None) -> int:
    """Count one request of ``client`` in the current one-minute window; raises
    ``RateLimited`` past ``rate_limit_per_minute``.  Returns the requests left."""
    return hit(f"client:{client.pk}", client.rate_limit_per_minute, now=now)


@contextlib.contextmanager
def _counter_transaction():
    """The counter's own short transaction, committed without waiting for the disk on
    PostgreSQL (``synchronous_commit off`` for this transaction only).

    Every request of a client adds one to the same row; with an ordinary commit each one
    holds that row until its WAL record is flushed, so when the disk is busy (a few big
    uploads being written) one slow flush queued every request of the client behind it:
    text intake p99 went from 26 to 340 ms (benchmarks/intake.py).  A count lost to a
    crash in the next fraction of a second lets one more request through, which a rate
    limit can afford; an order's own commit still waits for the disk.  Inside an outer
    transaction the setting would apply to it too, so there the counter is left alone."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def hit(bucket: str, limit: int, *, now: datetime | None = None) -> int:
    """A fixed-window counter kept in the database, so every gunicorn process counts in the
    same row.  Counting is ONE statement, an upsert that creates the window's row or adds
    one to it unless it is full (``INSERT … ON CONFLICT DO UPDATE … WHERE count < limit
    RETURNING count``; PostgreSQL and SQLite ≥ 3.35 both have it).

    Why one statement: the earlier "update, else see if the row exists, else insert" read
    the row between two statements, so a request that found no row to update and then saw
    the row another process had just inserted took a fresh window for a full one and
    rejected a client far below its limit at the start of a minute.  The first request of
    a window also drops the bucket's older windows."""
    now = now or clock.now()
    start = now.replace(second=0, microsecond=0)
    retry_after = max(1, int((start + WINDOW - now).total_seconds() + 0.999))
    if limit <= 0:
        raise RateLimited(retry_after)
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with _counter_transaction(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, window_start, count) VALUES (%s, %s, 1) "
            f"ON CONFLICT (bucket, window_start) DO UPDATE SET count = {table}.count + 1 "
            f"WHERE {table}.count < %s RETURNING count",
            [bucket, connection.ops.adapt_datetimefield_value(start), limit],
        )
        row = cursor.fetchone()
    if row is None:
        raise RateLimited(retry_after)
    count = int(row[0])
    if count == 1:
        # this bucket's older windows, and anyone's from over an hour ago (addresses that left)
        RateCounter.objects.filter(
            Q(bucket=bucket, window_start__lt=start) | Q(window_start__lt=start - STALE)
        ).delete()
    return limit - count


# ---------------------------------------------------------------------------
# intake

# request field → work-order field (§6.1)
FIELD_MAP = {
    "title": "title",
    "content": "content",
    "address": "address",
    "lat": "latitude",
    "lng": "longitude",
    "citizen_name": "citizen_name",
    "phone": "citizen_phone",
    "citizen_address": "citizen_address",
    "display_mode": "display_mode",
    "category": "category",
    "area": "area",
    "appeal_type": "appeal_type",
    "component_type": "component_type",
    "event_time": "event_time",
}


def fingerprint(data: dict[str, Any], files: Iterable[UploadedFile] = ()) -> str:
    """A stable hash of what was submitted: the fields (key order and absent-vs-None
    ignored) and each file's bytes, so a retry with the same body matches."""
    fields = {k: v for k, v in sorted(data.items()) if v not in (None, "", {}, [])}
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode())
    for f in files:
        digest.update(b"\0" + attachments.digest(f).encode())
    return digest.hexdigest()


def submit_appeal(
    client: ChannelClient,
    data: dict[str, Any],
    files: Iterable[UploadedFile] = (),
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[WorkOrder, bool]:
    """Create the order of one appeal sent by ``client`` (§5.1): a draft awaiting an agent's
    acceptance check (§6.1.1), or accepted at once when the client is ``auto_accept`` and the
    §6.1.5 fields are complete (otherwise it stays a draft).  Attachments are sniffed and
    size-checked (§6.1.2) and stored first, outside the transaction; the order, its number
    and the links to its files are one short transaction.  An invalid file leaves no order
    and no file.

    With ``idempotency_key``, a retry returns the original order and ``created=False``; the
    same key with a different body raises ``IdempotencyMismatch`` (409).  Two racing requests
    with one key create one order: the unique (client, key) row is inserted first, so the
    second waits for the first to commit, fails, and reads the first one's order.

    Without a key, the request's fingerprint is the key — an *implicit* one, valid for
    ``HOTLINE_CHANNEL_IMPLICIT_KEY_MINUTES`` (10): a retry after a time-out (the same body
    and files from the same client) gets the original order back instead of a second one;
    the same body after the window is a new appeal (its old key is retired in the same
    transaction).  ``0`` turns implicit keys off."""
    now = now or clock.now()
    files = list(files)
    attachments.check_batch(files)
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 200:
        raise ValidationFailed({"idempotency_key": "幂等键不能超过200个字符"})
    values, extra = _values(client, data)
    window = timedelta(minutes=settings.HOTLINE_CHANNEL_IMPLICIT_KEY_MINUTES)
    implicit = key is None and window > timedelta(0)
    print_ = fingerprint(data, files) if key or implicit else ""
    # an implicit key older than the window names an earlier appeal, not this one
    since = now - window if implicit else None
    if implicit:
        key = IMPLICIT + print_
    if key is not None:
        previous = _previous(client, key, print_, since)
        if previous is not None:
            return previous, False
    # the files are checked and stored before the transaction that numbers the order, so a
    # large upload never holds the day's order-number row (nothing of them is linked, and
    # the stored files are removed, if the submission fails)
    staged = _stage(files)
    try:
        with transaction.atomic():
            record = None
            if since is not None:  # retire the earlier appeal's key: this one takes it
                IdempotencyRecord.objects.filter(
                    client=client, key=key, created_at__lte=since
                ).update(key=f"{key}:{now.timestamp():.6f}")
            if key is not None:
                record = IdempotencyRecord.objects.create(
                    client=client, key=key, fingerprint=print_, created_at=now
                )
            order = _create(client, values, extra, staged, now)
            if record is not None:
                IdempotencyRecord.objects.filter(pk=record.pk).update(order=order)
    except IntegrityError:
        if key is None:
            raise
        previous = _previous(client, key, print_, since)
        if previous is None:  # pragma: no cover - the row that won must be there now
            raise
        return previous, False
    finally:
        attachments.discard(staged)  # only those not linked
    return order, True


def _stage(files: list[UploadedFile]) -> list[attachments.Staged]:
    staged: list[attachments.Staged] = []
    try:
        for i, upload in enumerate(files):
            try:
                staged.append(attachments.stage(upload))
            except ValidationFailed as exc:
                # name the file that failed, as the client sent it
                raise ValidationFailed(
                    {f"files[{i}]": msg for msg in exc.fields.values()}, exc.message
                ) from None
    except BaseException:
        attachments.discard(staged)
        raise
    return staged


def _previous(
    client: ChannelClient, key: str, print_: str, since: datetime | None = None
) -> WorkOrder | None:
    records = IdempotencyRecord.objects.select_related("order").filter(
        client=client, key=key, order__isnull=False
    )
    if since is not None:
        records = records.filter(created_at__gt=since)
    record = records.first()
    if record is None:
        return None
    if record.fingerprint != print_:
        raise IdempotencyMismatch(
            "该幂等键已用于另一份不同内容的提交，请为新的诉求使用新的幂等键",
            order=record.order.number,
        )
    return record.order


def _values(client: ChannelClient, data: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    unknown = sorted(set(data) - set(FIELD_MAP) - {"extra"})
    if unknown:
        raise ValidationFailed({name: "不支持的字段" for name in unknown})
    extra = data.get("extra") or {}
    if not isinstance(extra, dict):
        raise ValidationFailed({"extra": "须为 JSON 对象"})
    if len(json.dumps(extra, ensure_ascii=False, default=str)) > limits.CLIENT_EXTRA_JSON:
        raise ValidationFailed(
            {"extra": f"接入方自有字段（JSON）不能超过 {limits.CLIENT_EXTRA_JSON:,} 个字符"}
        )
    values: dict[str, Any] = {"channel": client.channel}
    for name, field in FIELD_MAP.items():
        v = data.get(name)
        if v is None or v == "":
            continue
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise ValidationFailed({name: "格式错误"})
        values[field] = v
    content = str(values.get("content", "")).strip()
    if not content and not str(values.get("title", "")).strip():
        raise ValidationFailed({"content": "请填写诉求内容"})
    if "citizen_phone" not in values and client.channel != "grid":
        # the citizen tracks the appeal with number + phone and the centre calls back on it
        # (§6.8); a grid worker reports what they found, often with no citizen involved
        raise ValidationFailed({"phone": "请填写联系电话"})
    return values, extra


def _create(
    client: ChannelClient,
    values: dict[str, Any],
    extra: dict,
    files: list[attachments.Staged],
    now: datetime,
) -> WorkOrder:
    order = actions.do_create_draft(values, now=now, note=f"由渠道接入方“{client.name}”提交")
    for staged in files:
        actions.do_attach(order, None, staged, purpose="appeal", now=now)
    if client.auto_accept:
        try:
            with transaction.atomic():
                order = actions.do_accept(order, None, now=now)  # type: ignore[arg-type]
        except ValidationFailed:
            pass  # §6.1.5 fields incomplete: an agent completes and accepts it
    Submission.objects.create(client=client, order=order, extra=extra, submitted_at=now)
    return order


def client_orders(client: ChannelClient):
    """Orders this client sent in."""
    return WorkOrder.objects.filter(channel_submission__client=client)


# ---------------------------------------------------------------------------
# what a citizen (or the channel on their behalf) may see


def public_status(order: WorkOrder, *, now: datetime | None = None) -> dict[str, Any]:
    """The public progress of an order: number, state, the public part of the replies, the
    steps with their times and the running feedback deadline — never the citizen's personal
    data, a staff member's name or an internal note."""
    now = now or clock.now()
    replies = public.public_replies(order)
    feedback = (
        order.deadlines.active()
        .filter(kind__in=["feedback", "extension"])
        .order_by("-due_at")
        .first()
    )
    closed = order.state in ("closed", "rejected")
    direct = order.direct_answer if order.state == "closed" else ""
    return {
        "number": order.number,
        "state": order.state,
        "state_label": lifecycle.STATES.label(order.state),
        "open": not closed,
        "channel": order.channel,
        "channel_label": taxonomy.CHANNELS.label(order.channel),
        "title": order.title,
        "handling_unit": order.lead_unit.name if order.lead_unit_id else "",
        "created_at": order.created_at,
        "accepted_at": order.accepted_at,
        "dispatched_at": order.dispatched_at,
        "replied_at": order.replied_at,
        "closed_at": order.closed_at,
        "updated_at": order.updated_at,
        "expected_at": feedback.due_at if feedback is not None else None,
        "reply": replies[-1].public_note if replies else direct,
        "replies": [
            {"at": r.replied_at, "unit": r.unit.name if r.unit_id else "", "text": r.public_note}
            for r in replies
        ],
        "steps": [
            {"at": s["at"], "label": s["label"], "unit": s["unit"]}
            for s in public.public_timeline(order)
        ],
    }
