"""Upload handlers: every uploaded file is hashed while it arrives, and a big one is read
at a bounded pace (issue 13).

Hashing on the way in: the attachment check (SHA-256 stored with the attachment) and the
channel's idempotency fingerprint both need the file's digest; reading a 100 MB file back
twice to compute it cost as much CPU as receiving it.  The handlers set ``upload.sha256``
and ``hotline.orders.attachments.digest`` uses it.

Pacing: on a small server (2 cores) a few clients uploading big videos over a fast network
would take the CPU from everyone else — parsing, writing and hashing 100 MB is about half
a second of a core, and a client on the same switch sends it in a fraction of that.  Beyond
the first ``HOTLINE_UPLOAD_BURST_MB`` (5) of a file, reading is held to
``HOTLINE_UPLOAD_MB_PER_S`` (10) per upload: the socket's buffer fills and TCP slows the
sender, so text intake keeps its CPU and its disk.  A citizen's photo never waits; a
100 MB video takes at least ten seconds, as it would over most mobile networks anyway.
Measured with three 100 MB uploads in flight and text intake at 30/s on PostgreSQL
(benchmarks/intake.py): intake p99 ×6.5 unpaced, ×1.9 at 20 MB/s, ×1.1 at 10 MB/s.
0 turns pacing off.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import (
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)

MB = 1024 * 1024
CHUNK = 256 * 1024


class Pacer:
    """Says how long to wait so that ``received`` bytes, beyond a free ``burst``, arrive no
    faster than ``rate`` bytes per second since ``start``.  The clock and the sleep are
    passed in, so tests set them."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate, self.burst = rate, burst
        self.monotonic, self.sleep = monotonic, sleep
        self.start = monotonic()
        self.received = 0

    def wait_for(self, received: int) -> float:
        """Seconds to wait once ``received`` bytes have arrived (0 when on pace)."""
        if self.rate <= 0 or received <= self.burst:
            return 0.0
        due = self.start + (received - self.burst) / self.rate
        return max(0.0, due - self.monotonic())

    def add(self, size: int) -> None:
        self.received += size
        pause = self.wait_for(self.received)
        if pause > 0:
            self.sleep(pause)


def pacer() -> Pacer:
    return Pacer(settings.HOTLINE_UPLOAD_MB_PER_S * MB, settings.HOTLINE_UPLOAD_BURST_MB * MB)


class _Hashing:
    """Mixed into Django's two handlers: hash (and pace) each chunk this handler keeps."""

    chunk_size = CHUNK

    def new_file(self, *args, **kwargs):
        # before the parent's: the memory handler raises StopFutureHandlers when it takes
        # the file
        self._sha256 = hashlib.sha256()
        self._pacer = pacer()
        super().new_file(*args, **kwargs)  # type: ignore[misc]

    def _keep(self, raw_data: bytes) -> None:
        self._sha256.update(raw_data)
        self._pacer.add(len(raw_data))

    def file_complete(self, file_size):
        upload = super().file_complete(file_size)  # type: ignore[misc]
        if upload is not None:
            upload.sha256 = self._sha256.hexdigest()
        return upload


class MemoryHandler(_Hashing, MemoryFileUploadHandler):
    """Files up to ``FILE_UPLOAD_MAX_MEMORY_SIZE`` kept in memory, hashed as they arrive."""

    def receive_data_chunk(self, raw_data, start):
        if self.activated:
            self._keep(raw_data)
        return super().receive_data_chunk(raw_data, start)


class TemporaryFileHandler(_Hashing, TemporaryFileUploadHandler):
    """Bigger files written to a temporary file, hashed and paced as they arrive, and
    flushed to the disk every ``SYNC_EVERY`` bytes: the kernel would otherwise keep
    hundreds of megabytes in memory and write them in one burst, and every database
    commit on the same disk would wait behind that burst (the order-number row with it)."""

    SYNC_EVERY = 8 * MB

    def new_file(self, *args, **kwargs):
        self._unsynced = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self._keep(raw_data)
        super().receive_data_chunk(raw_data, start)
        self._unsynced += len(raw_data)
        if self._unsynced >= self.SYNC_EVERY:
            sync(self.file)
            self._unsynced = 0


def sync(file) -> None:
    """Flush ``file`` (an open file object) to the disk."""
    file.flush()
    os.fdatasync(file.fileno())
