"""Retention (PIPL Art. 19: personal information is kept no longer than its purpose needs):
the citizen's personal data of orders finished more than ``HOTLINE_RETENTION_YEARS`` ago
is anonymised, and everything statistics need stays.

What a purge does to each such order (closed, or not accepted, before the cutoff):

* the citizen's name, phone and contact address are emptied;
* every free text — the order's (title, content, place, people, cause, course, demand,
  answers), its replies, callbacks, extension and hang-up requests, its timeline's notes and
  data, and whatever other apps register in ``retention_hooks`` (supervision records,
  messages, notices) — goes through ``hotline.rules.pii.mask_text`` in ``redact`` style,
  with the citizen's own name, phone and home address hidden wherever they appear;
* the channel's extra fields (Open311 e-mail, device) are dropped;
* ``personal_data_purged_at`` is set, so no order is purged twice.

States, categories, units, timestamps, deadlines, callbacks' satisfaction — the statistics
and the assessment — are untouched.  Timeline events are append-only: the database lets
only their ``note`` and ``data`` change, only while the purge's own ``EventRedactionPermit``
row exists inside its transaction (migration ``0005_i14_privacy``).

Every run writes a ``RetentionRun`` (dry runs too), and logs a line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Q, QuerySet

from hotline.orders.actions.base import resolve_now
from hotline.orders.models import (
    Callback,
    Event,
    EventRedactionPermit,
    ExtensionRequest,
    Reply,
    RetentionRun,
    SuspensionRequest,
    WorkOrder,
)
from hotline.rules import pii

log = logging.getLogger(__name__)

BATCH = 200

# Texts of the order itself that may hold personal data.
ORDER_TEXTS = (
    "title",
    "content",
    "address",
    "event_time",
    "people",
    "cause",
    "course",
    "demand",
    "direct_answer",
    "rejection_note",
)
CITIZEN_FIELDS = ("citizen_name", "citizen_phone", "citizen_address")

Redact = Callable[[str, WorkOrder], str]
# Other apps' texts about an order: hook(orders, redact) rewrites them inside the purge's
# transaction, before the citizen fields are emptied (supervision registers one).
retention_hooks: list[Callable[[list[WorkOrder], Redact], None]] = []


def retention_years() -> int:
    return int(getattr(settings, "HOTLINE_RETENTION_YEARS", 5))


def cutoff_for(now: datetime, years: int) -> datetime:
    """``now`` less ``years`` calendar years (29 February becomes the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def due_for_purge(now: datetime, years: int) -> QuerySet[WorkOrder]:
    """Orders finished before the cutoff whose personal data is still there: closed (办结,
    merged duplicates close with their main order) or not accepted (§5.3)."""
    cutoff = cutoff_for(now, years)
    return WorkOrder.objects.filter(personal_data_purged_at__isnull=True).filter(
        Q(state="closed", closed_at__lt=cutoff) | Q(state="rejected", created_at__lt=cutoff)
    )


def redact(text: str, order: WorkOrder) -> str:
    """``text`` without the personal data of ``order``'s citizen or anyone else."""
    return pii.mask_text(text, style="redact", known=pii.Known.of(order))


def _redact_value(value: Any, order: WorkOrder) -> Any:
    if isinstance(value, str):
        return redact(value, order)
    if isinstance(value, list):
        return [_redact_value(v, order) for v in value]
    if isinstance(value, dict):
        return {
            k: (["", ""] if k in CITIZEN_FIELDS else _redact_value(v, order))
            for k, v in value.items()
        }
    return value


def _rewrite(qs: QuerySet, fields: tuple[str, ...], order: WorkOrder) -> None:
    for row in qs:
        changed = {f: redact(getattr(row, f), order) for f in fields}
        changed = {f: v for f, v in changed.items() if v != getattr(row, f)}
        if changed:
            type(row).objects.filter(pk=row.pk).update(**changed)


def _purge_one(order: WorkOrder, now: datetime) -> None:
    _rewrite(
        Reply.objects.filter(order=order),
        (
            "handling_situation",
            "citizen_contact",
            "investigation",
            "opinion",
            "explanation",
            "public_note",
            "verdict_note",
        ),
        order,
    )
    _rewrite(Callback.objects.filter(order=order), ("note", "raw_reply"), order)
    for model in (ExtensionRequest, SuspensionRequest):
        _rewrite(model.objects.filter(order=order), ("reason", "decision_note"), order)
    for event in Event.objects.filter(order=order):
        note = redact(event.note, order)
        data = _redact_value(event.data, order)
        if note != event.note or data != event.data:
            Event.objects.filter(pk=event.pk).update(note=note, data=data)
    try:
        submission = order.channel_submission
    except ObjectDoesNotExist:  # not sent in by a channel client
        submission = None
    if submission is not None and submission.extra:
        type(submission).objects.filter(pk=submission.pk).update(extra={})
    values = {f: redact(getattr(order, f), order) for f in ORDER_TEXTS}
    values.update({f: "" for f in CITIZEN_FIELDS})
    WorkOrder.objects.filter(pk=order.pk).update(personal_data_purged_at=now, **values)


def do_purge_personal_data(
    *,
    now: datetime | None = None,
    years: int | None = None,
    dry_run: bool = False,
    trigger: str = "command",
) -> RetentionRun:
    """Anonymise the personal data of every order finished more than ``years`` (default
    ``HOTLINE_RETENTION_YEARS``) before ``now``; with ``dry_run``, only count them.  In
    batches of ``BATCH`` orders, each one transaction; the run is recorded either way."""
    now = resolve_now(now)
    years = retention_years() if years is None else years
    if years < 1:
        raise ValueError("HOTLINE_RETENTION_YEARS must be at least 1")
    run = RetentionRun.objects.create(
        started_at=now,
        cutoff=cutoff_for(now, years),
        years=years,
        dry_run=dry_run,
        trigger=trigger,
    )
    done = 0
    try:
        if dry_run:
            done = due_for_purge(now, years).count()
        else:
            while True:
                with transaction.atomic():
                    batch = list(
                        due_for_purge(now, years)
                        .select_for_update(of=("self",))
                        .order_by("pk")[:BATCH]
                    )
                    if not batch:
                        break
                    permit = EventRedactionPermit.objects.create(run=run)
                    for hook in retention_hooks:
                        hook(batch, redact)
                    for order in batch:
                        _purge_one(order, now)
                    permit.delete()
                done += len(batch)
    except Exception as exc:
        RetentionRun.objects.filter(pk=run.pk).update(
            orders=done, finished_at=resolve_now(None), error=repr(exc)[:2000]
        )
        log.exception("retention purge failed after %s orders", done)
        raise
    RetentionRun.objects.filter(pk=run.pk).update(orders=done, finished_at=resolve_now(None))
    run.refresh_from_db()
    log.info(
        "retention purge%s: %s orders finished before %s anonymised (%s years)",
        " (dry run)" if dry_run else "",
        done,
        run.cutoff.isoformat(),
        years,
    )
    return run
