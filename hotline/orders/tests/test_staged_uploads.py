"""Attachments are stored outside the transaction that numbers the order (issue 13 item 4):
a large upload is hashed and written first, then the order is numbered and its files linked
in one short transaction — so plain intake elsewhere never waits behind a video.  Files that
end up linked to nothing are removed: at once when the action fails, by the worker's
periodic purge when a process died in between.

The blocking test holds a real upload inside the storage write (the slow part) and runs a
plain intake beside it, through each entrance that files appeals with attachments: the
channel API, the citizen portal and the agent's intake form."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from hotline import clock
from hotline.channels.models import ChannelClient
from hotline.orders import actions, attachments
from hotline.orders.models import Attachment, PendingUpload, WorkOrder
from hotline.web.tests.conftest import PNG

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

PORTAL = {
    "title": "小区门口井盖缺失",
    "content": "新华街道康乐小区南门外人行道井盖缺失，晚上很危险。",
    "address": "海勃湾区新华街道康乐小区南门",
    "appeal_type": "help",
    "citizen_name": "李娜",
    "citizen_phone": "13987654321",
    "display_mode": "public",
    "consent": "on",  # the privacy notice accepted
}


def photo(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class SlowStorage:
    """Holds the first file written to storage until ``release()`` — an upload of 100 MB
    being written (as slow as the test likes)."""

    def __init__(self, monkeypatch) -> None:
        self.entered = threading.Event()
        self.gate = threading.Event()
        real = FileSystemStorage._save

        def slow_save(storage, name, content):
            if not self.entered.is_set():
                self.entered.set()
                assert self.gate.wait(60), "the test never released the upload"
            return real(storage, name, content)

        monkeypatch.setattr(FileSystemStorage, "_save", slow_save)

    def release(self) -> None:
        self.gate.set()


def in_thread(fn) -> tuple[threading.Thread, list]:
    out: list = []

    def run():
        try:
            out.append(fn())
        except BaseException as exc:  # reported by the caller
            out.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    return t, out


@pytest.fixture
def channel_key(org):
    _, key = ChannelClient.issue("市民App", "app", rate_limit_per_minute=1000)
    return key


def via_channel_api(key, agent):
    return lambda: Client().post(
        "/api/v1/channel/appeals/multipart",
        {
            "content": "康乐小区南门外的路灯连续三天晚上不亮。",
            "phone": "13900001111",
            "attachments": [photo()],
        },
        headers={"X-Api-Key": key},
    )


def via_portal(key, agent):
    return lambda: Client().post("/portal/", {**PORTAL, "attachments": [photo()]})


def via_intake_form(key, agent):
    def post():
        client = Client()
        client.force_login(agent)
        return client.post(
            "/intake/",
            {
                "channel": "phone",
                "appeal_type": "help",
                "category": "housing_maintenance",
                "title": "老旧小区楼顶漏水",
                "content": "康乐小区3号楼顶楼防水层老化，一下雨就往屋里漏水。",
                "address": "海勃湾区新华街道康乐社区康乐小区3号楼",
                "area": "t-kangle",
                "citizen_name": "王建军",
                "citizen_phone": "13812345678",
                "display_mode": "public",
                "urgency": "normal",
                "button": "accept",
                "attachments": [photo()],
            },
        )

    return post


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("entrance", [via_channel_api, via_portal, via_intake_form])
def test_a_big_upload_does_not_hold_the_days_order_number(
    entrance, media, monkeypatch, channel_key, agent, appeal
):
    """While one appeal's file is still being written, a plain intake elsewhere gets its
    number and commits; the upload's order is numbered after its file is stored."""
    slow = SlowStorage(monkeypatch)
    upload_thread, upload_out = in_thread(entrance(channel_key, agent))
    try:
        assert slow.entered.wait(30), "the upload never reached the storage"
        plain_thread, plain_out = in_thread(lambda: actions.do_create_order(agent, appeal))
        plain_thread.join(timeout=15)
        assert not plain_thread.is_alive(), "plain intake waited behind the upload"
        [plain] = plain_out
        assert isinstance(plain, WorkOrder), plain
        assert not Attachment.objects.exists()  # the upload is still being written
    finally:
        slow.release()
        upload_thread.join(timeout=30)
    [response] = upload_out
    assert response.status_code in (200, 201, 302), getattr(response, "content", response)
    uploaded = WorkOrder.objects.exclude(pk=plain.pk).get()
    assert uploaded.number > plain.number  # numbered after its file was stored
    assert uploaded.attachments.get().size == len(PNG)
    assert not PendingUpload.objects.exists()
    assert len(stored_files(media)) == 1


def test_a_failed_submission_keeps_no_file(db, media):
    """The file is stored before the order is created; when the order then fails (a bad
    phone number), the stored file is removed at once."""
    r = Client().post("/portal/", {**PORTAL, "citizen_phone": "电话", "attachments": [photo()]})
    assert r.status_code == 422 and "联系电话格式不正确" in r.content.decode()
    assert not WorkOrder.objects.exists()
    assert stored_files(media) == [] and not PendingUpload.objects.exists()


def test_a_refused_second_file_removes_the_first(db, media, channel_key):
    bad = SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 60)
    r = Client().post(
        "/api/v1/channel/appeals/multipart",
        {"content": "路灯不亮", "phone": "13900001111", "attachments": [photo(), bad]},
        headers={"X-Api-Key": channel_key},
    )
    assert r.status_code == 422 and "files[1]" in r.json()["fields"]
    assert stored_files(media) == [] and not PendingUpload.objects.exists()


def test_orphans_left_by_a_dead_process_are_purged_after_an_hour(db, media, agent, appeal):
    """A process stored a file and died before linking it: the file stays until the purge
    finds its ``PendingUpload`` row older than an hour; linked files are never touched."""
    now = clock.now()
    orphan = attachments.stage(photo("孤儿.png"), now=now)  # …and the process dies
    order = actions.do_create_order(agent, appeal, now=now)
    kept = actions.do_attach(order, agent, photo("保留.png"), now=now)
    assert len(stored_files(media)) == 2
    assert attachments.purge_orphans(now=now + timedelta(minutes=30)) == 0
    assert len(stored_files(media)) == 2
    assert attachments.purge_orphans(now=now + timedelta(minutes=61)) == 1
    assert [p.name for p in stored_files(media)] == [Path(kept.file.name).name]
    assert not PendingUpload.objects.filter(pk=orphan.pending_id).exists()
    assert kept.file.storage.exists(kept.file.name)


def test_the_worker_purges_orphans_every_hour(db, media):
    from hotline.supervision.worker import build_huey, register

    stale = clock.now() - timedelta(hours=2)
    attachments.stage(photo(), now=stale)
    huey = build_huey(immediate=True, name="t-housekeeping")
    register(huey)["housekeeping"]()
    assert stored_files(media) == [] and not PendingUpload.objects.exists()
