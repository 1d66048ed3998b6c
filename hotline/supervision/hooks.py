"""After-commit hooks on order actions (``actions.after_commit_hooks``)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# §6.4.4: the emergency department is told when an emergency order is recorded or accepted,
# when an order becomes an emergency on correction, and whenever one is (re)dispatched.
EMERGENCY_ACTIONS = {"create", "accept", "update", "dispatch", "reopen"}


def on_order_event(action: str, order, event) -> None:
    if action not in EMERGENCY_ACTIONS or not order.emergency_kind:
        return
    try:
        from hotline.supervision.sweep import report_emergency
        from hotline.supervision.worker import TASKS

        if report_emergency(order.pk):
            TASKS["deliver"]()
    except Exception:
        # The order is committed; the next sweep's safety net reports it (sweep step 3).
        log.exception("emergency report for order %s deferred to the sweep", order.pk)


def redact_for_retention(orders, redact) -> None:
    """The retention purge (``orders.actions.retention``): supervision's own texts about the
    purged orders — reminders, supervision records, outbox messages, notices — lose the
    citizen's personal data with the order's."""
    from hotline.supervision.models import Message, Notice, Reminder, SupervisionRecord

    texts = (
        (Reminder, ("result",)),
        (SupervisionRecord, ("content", "result")),
        (Message, ("subject", "body")),
        (Notice, ("title", "body")),
    )
    for order in orders:
        for model, fields in texts:
            for row in model.objects.filter(order=order):
                changed = {f: redact(getattr(row, f), order) for f in fields}
                changed = {f: v for f, v in changed.items() if v != getattr(row, f)}
                if changed:
                    model.objects.filter(pk=row.pk).update(**changed)
