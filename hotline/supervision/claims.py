"""Who is still holding an outbox claim: a lock tied to the sender's life, not to a clock.

A sender takes a *hold* on its claim token before it claims any message and keeps it until
every message of the claim is recorded.  Another worker that finds a message "sending" with
an expired lease takes it over only if nobody holds its token — so a claim cannot expire
under a sender that is alive, however long the gateway or a deadlock retry takes; a sender
that died (process gone, database session gone) leaves its hold behind at once.

* PostgreSQL: a session-level advisory lock (``pg_advisory_lock(ns, key)``), released by
  PostgreSQL when the session ends.  Needs session pooling (not pgbouncer's transaction mode).
* SQLite: an exclusive ``flock`` on a file per token under ``HOTLINE_OUTBOX["claims_dir"]``,
  released by the kernel when the process ends.  A SQLite database lives on one machine, so
  every worker sees the same files.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

# the first half of every advisory-lock key hotline takes for outbox claims
ADVISORY_NAMESPACE = 12345


def _key(token: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(token.encode(), digest_size=4).digest(), "big", signed=True
    )


def _claims_dir() -> Path:
    path = Path(settings.HOTLINE_OUTBOX["claims_dir"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file(token: str) -> Path:
    return _claims_dir() / f"{hashlib.sha1(token.encode()).hexdigest()}.lock"


class Hold:
    """The sender's side: ``acquire`` before claiming, ``release`` when done.  ``renew``
    takes the hold again on a new database session (after a dropped connection)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self._fd: int | None = None

    def acquire(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_lock(%s, %s)", [ADVISORY_NAMESPACE, _key(self.token)]
                )
            return
        fd = os.open(_file(self.token), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._fd = fd

    def renew(self) -> None:
        if connection.vendor == "postgresql":
            self.acquire()  # the old session (and its lock) is gone; take it on the new one

    def release(self) -> None:
        if connection.vendor == "postgresql":
            with contextlib.suppress(Exception):  # a dead session released it already
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s, %s)",
                        [ADVISORY_NAMESPACE, _key(self.token)],
                    )
            return
        if self._fd is not None:
            with contextlib.suppress(FileNotFoundError):
                _file(self.token).unlink()
            os.close(self._fd)  # closing drops the flock
            self._fd = None


@contextlib.contextmanager
def holding(token: str) -> Iterator[Hold]:
    hold = Hold(token)
    hold.acquire()
    try:
        yield hold
    finally:
        hold.release()


def held(token: str) -> bool:
    """Is a live sender still holding ``token``?  Non-blocking; a token nobody ever held
    (a claim taken without a hold, or by a sender that died) is not held."""
    if not token:
        return False
    if connection.vendor == "postgresql":
        key = [ADVISORY_NAMESPACE, _key(token)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
            got = cursor.fetchone()[0]
            if got:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        return not got
    path = _file(token)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # the holder died: tidy its file
        return False
    finally:
        os.close(fd)
