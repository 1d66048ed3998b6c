"""A named lock held across processes and machines, for jobs that must run one at a time
(``hotline migrate`` on several app servers, the roll-up loop on several workers).

PostgreSQL: a session-level advisory lock on a connection of its own, so the lock's life
does not depend on the default connection being recycled; if the process dies the server
ends the session and the lock with it.  SQLite serves one machine: an ``flock`` on a file
beside the database, released by the kernel if the process dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections


def _key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def exclusive(name: str, *, wait: bool, using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Hold the lock ``name`` for the block.  Yields True when held; with ``wait=False``
    yields False at once if another process holds it (the block should then skip its
    work)."""
    if connections[using].vendor == "postgresql":
        with _advisory(name, wait, using) as held:
            yield held
    else:
        with _file_lock(name, wait, using) as held:
            yield held


@contextmanager
def _advisory(name: str, wait: bool, using: str) -> Iterator[bool]:
    conn = connections.create_connection(using)
    try:
        with conn.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_lock(%s)", [_key(name)])
                held = True
            else:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
                held = bool(cursor.fetchone()[0])
        yield held
    finally:
        conn.close()  # ending the session releases the lock


def _lock_path(name: str, using: str) -> Path:
    database = str(connections[using].settings_dict.get("NAME") or "")
    folder = Path(database).parent if database and Path(database).parent.is_dir() else None
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return (folder or Path(tempfile.gettempdir())) / f".{Path(database).name}.{safe}.lock"


@contextmanager
def _file_lock(name: str, wait: bool, using: str) -> Iterator[bool]:
    fd = os.open(_lock_path(name, using), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            held = True
        except BlockingIOError:
            held = False
        yield held
    finally:
        os.close(fd)  # closing the descriptor releases the lock
