"""Per-client limits shared by every process on every machine.

A fixed-window counter kept in the database (``RateWindow``): the portal's submissions and
tracking guesses, and anything else limited per client address, count in one row per
(scope, client, window), so two app servers with several gunicorn workers each see the same
count.  Nothing is kept in process memory.

The increment is one conditional ``UPDATE … SET count = count + 1 WHERE count < limit``,
atomic on PostgreSQL and SQLite; the first hit of a window creates the row (the unique
constraint settles a race between two processes) and drops the scope's finished windows.

Use ``acquire`` before the guarded work and ``release`` when the attempt should not count
(a submission the form refused, a tracking lookup that found the order): the limit holds
even when one client sends many requests at once.

``client_ip`` (the one proxy-aware client-address function) is re-exported from
``hotline.common.client_ip``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from hotline import clock
from hotline.common.client_ip import client_ip
from hotline.common.models import RateWindow

__all__ = ["acquire", "add", "client_ip", "count", "exceeded", "release", "window_start"]

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def window_start(seconds: int, now: datetime | None = None) -> datetime:
    """The start of the fixed window of ``seconds`` that contains ``now``."""
    now = now or clock.now()
    elapsed = int((now - _EPOCH).total_seconds())
    return _EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


def _rows(scope: str, ident: str, start: datetime):
    return RateWindow.objects.filter(scope=scope, ident=ident[:128], window_start=start)


def _open_window(scope: str, ident: str, start: datetime) -> bool:
    """Create the window's row with a count of one; False when another process did first."""
    try:
        with transaction.atomic():
            RateWindow.objects.create(scope=scope, ident=ident[:128], window_start=start, count=1)
    except IntegrityError:
        return False
    RateWindow.objects.filter(scope=scope, window_start__lt=start).delete()
    return True


def acquire(
    scope: str, ident: str, limit: int, *, window_seconds: int, now: datetime | None = None
) -> bool:
    """Count one use if fewer than ``limit`` were counted in this window; False (nothing
    counted) when the limit is reached."""
    if limit <= 0:
        return False
    start = window_start(window_seconds, now)
    rows = _rows(scope, ident, start)
    if rows.filter(count__lt=limit).update(count=F("count") + 1):
        return True
    if rows.exists() or not _open_window(scope, ident, start):
        # the window exists (full, or opened by another process a moment ago)
        return bool(rows.filter(count__lt=limit).update(count=F("count") + 1))
    return True


def add(scope: str, ident: str, *, window_seconds: int, now: datetime | None = None) -> int:
    """Count one use, whatever the limit; returns the window's count."""
    start = window_start(window_seconds, now)
    rows = _rows(scope, ident, start)
    if not rows.update(count=F("count") + 1) and not _open_window(scope, ident, start):
        rows.update(count=F("count") + 1)
    return count(scope, ident, window_seconds=window_seconds, now=now)


def release(scope: str, ident: str, *, window_seconds: int, now: datetime | None = None) -> None:
    """Take back one use counted by ``acquire`` in this window (never below zero)."""
    start = window_start(window_seconds, now)
    _rows(scope, ident, start).filter(count__gt=0).update(count=F("count") - 1)


def count(scope: str, ident: str, *, window_seconds: int, now: datetime | None = None) -> int:
    start = window_start(window_seconds, now)
    return _rows(scope, ident, start).values_list("count", flat=True).first() or 0


def exceeded(
    scope: str, ident: str, limit: int, *, window_seconds: int, now: datetime | None = None
) -> bool:
    return count(scope, ident, window_seconds=window_seconds, now=now) >= limit
