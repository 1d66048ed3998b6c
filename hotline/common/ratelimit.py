"""A small fixed-window counter on Django's cache, for the public portal: enough to stop a
script from guessing (number, phone) pairs or flooding the intake queue."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _key(scope: str, ident: str) -> str:
    return f"hotline:rl:{scope}:{ident}"


def window_seconds() -> int:
    return settings.HOTLINE_WEB["portal_window_minutes"] * 60


def count(scope: str, ident: str) -> int:
    return int(cache.get(_key(scope, ident), 0))


def add(scope: str, ident: str) -> int:
    key = _key(scope, ident)
    if cache.add(key, 1, window_seconds()):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds())
        return 1


def exceeded(scope: str, ident: str, limit: int) -> bool:
    return count(scope, ident) >= limit


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"
