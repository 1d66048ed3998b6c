"""The one place hotline reads the wall clock.

Rules never call this; actions take an optional ``now`` and fall back to ``clock.now()``,
so tests move time with time-machine and demo data is written at chosen instants.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
