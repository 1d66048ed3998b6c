"""Uploads (issue 13): hashed once as they arrive, a big one read at a bounded pace and
flushed to the disk as it goes, the stored file on the disk before its order commits."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from hotline.common import uploads
from hotline.common.uploads import MB, Pacer
from hotline.orders import attachments
from hotline.orders.models import WorkOrder

pytestmark = pytest.mark.usefixtures("now")

VIDEO_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def video(megabytes: int) -> bytes:
    """An MP4 as far as the type sniffer can tell, with varied bytes after the header."""
    body = hashlib.sha256(b"seed").digest() * (megabytes * MB // 32)
    return VIDEO_HEAD + body[len(VIDEO_HEAD) :]


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_pacer_lets_the_burst_through_then_holds_the_rate():
    clock = FakeTime()
    pacer = Pacer(10 * MB, 5 * MB, monotonic=clock.monotonic, sleep=clock.sleep)
    pacer.add(5 * MB)
    assert clock.slept == []  # a photo-sized file never waits
    pacer.add(MB)
    assert clock.slept == [pytest.approx(0.1)]  # 1 MB beyond the burst at 10 MB/s
    clock.now += 2.0  # a slow network: already behind the pace, no wait
    pacer.add(MB)
    assert len(clock.slept) == 1
    assert Pacer(0, 0, monotonic=clock.monotonic).wait_for(10**9) == 0  # 0 = off


def _post_video(key: str, data: bytes):
    return Client().post(
        "/api/v1/channel/appeals/multipart",
        {
            "content": "小区门口积水严重，附现场视频。",
            "phone": "13900002222",
            "attachments": [SimpleUploadedFile("现场.mp4", data, content_type="video/mp4")],
        },
        HTTP_X_API_KEY=key,
    )


def test_a_big_upload_is_hashed_once_paced_and_flushed_as_it_arrives(portal_app, monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(
        uploads,
        "pacer",
        lambda: Pacer(10 * MB, 5 * MB, monotonic=clock.monotonic, sleep=clock.sleep),
    )
    flushed: list[int] = []
    monkeypatch.setattr(uploads.os, "fdatasync", lambda fd: flushed.append(fd))
    fsynced: list[int] = []
    real_fsync = attachments.os.fsync
    monkeypatch.setattr(attachments.os, "fsync", lambda fd: (fsynced.append(fd), real_fsync(fd)))
    reread: list[str] = []
    monkeypatch.setattr(attachments, "hashlib", SimpleNamespace(sha256=lambda *a: reread.append(a)))

    data = video(17)
    r = _post_video(portal_app.raw_key, data)

    assert r.status_code == 201, r.content
    stored = WorkOrder.objects.get(number=r.json()["number"]).attachments.get()
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert reread == []  # the digest came from the upload handler, not a second read
    assert sum(clock.slept) == pytest.approx((17 - 5) / 10)  # 12 MB beyond the burst
    assert len(flushed) == 2  # every 8 MB of the 17
    assert len(fsynced) == 2  # the stored file and its directory, before linking


@override_settings(HOTLINE_UPLOAD_MB_PER_S=0)
def test_a_small_file_kept_in_memory_is_hashed_too(portal_app):
    data = video(1)
    r = _post_video(portal_app.raw_key, data)
    assert r.status_code == 201, r.content
    stored = WorkOrder.objects.get(number=r.json()["number"]).attachments.get()
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_a_file_made_elsewhere_is_read_for_its_digest():
    made = SimpleUploadedFile("a.txt", b"hello")
    assert attachments.digest(made) == hashlib.sha256(b"hello").hexdigest()
    made.sha256 = "f" * 64  # what the upload handlers set
    assert attachments.digest(made) == "f" * 64


def test_only_a_local_disk_is_flushed(monkeypatch, tmp_path):
    from django.core.files.storage import FileSystemStorage, InMemoryStorage

    synced: list[int] = []
    monkeypatch.setattr(attachments.os, "fsync", lambda fd: synced.append(fd))
    memory = InMemoryStorage()
    attachments.durable(memory, memory.save("x.txt", SimpleUploadedFile("x.txt", b"x")))
    assert synced == []  # not a local file (as S3): stored when save returns
    disk = FileSystemStorage(location=str(tmp_path))
    attachments.durable(disk, disk.save("x.txt", SimpleUploadedFile("x.txt", b"x")))
    assert len(synced) == 2  # the file and its directory
