"""Calendar changes: drop the cached calendar and tell listeners (provisional deadlines)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from hotline.calendars import services
from hotline.calendars.models import CalendarDay, CalendarYear

# Sent after commit whenever the calendar changed; receivers recompute what depended on it.
# A transaction touching many rows sends it once per row; receivers must be idempotent
# (recomputing provisional deadlines is, and costs one indexed query when none are left).
calendar_changed = Signal()


def notify_changed() -> None:
    services.invalidate()

    def send() -> None:
        services.invalidate()
        calendar_changed.send(sender=CalendarYear)

    transaction.on_commit(send)


@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=CalendarDay)
def _changed(sender, **kwargs) -> None:
    notify_changed()
