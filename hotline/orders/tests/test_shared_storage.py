"""Attachments on S3-compatible storage, for several machines (issue 13 item 6), tested
against a real S3 server: moto's, started here as an HTTP server on a free loopback port,
spoken to by django-storages through boto3 exactly as MinIO or a cloud object store would be.

The storage is configured the way an operator does it — ``HOTLINE_STORAGE=s3`` and the
``HOTLINE_S3_*`` variables read by the project's settings — and each "machine" has its own
empty local media folder, so nothing can pass through a shared disk."""

from __future__ import annotations

import uuid
from datetime import timedelta

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from moto.server import ThreadedMotoServer

from hotline import clock
from hotline import settings as project_settings
from hotline.orders import attachments
from hotline.orders.models import WorkOrder
from hotline.web.tests.conftest import PNG, png_picture

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

KEYS = {"aws_access_key_id": "hotline-test", "aws_secret_access_key": "hotline-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    """A fresh private bucket, and the project configured to keep attachments in it."""
    name = f"hotline-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=name)
    for var, value in {
        "HOTLINE_STORAGE": "s3",
        "HOTLINE_S3_BUCKET": name,
        "HOTLINE_S3_ENDPOINT_URL": s3_endpoint,
        "HOTLINE_S3_REGION": "us-east-1",
        "HOTLINE_S3_ACCESS_KEY": KEYS["aws_access_key_id"],
        "HOTLINE_S3_SECRET_KEY": KEYS["aws_secret_access_key"],
        "HOTLINE_S3_PREFIX": "centre/",
    }.items():
        monkeypatch.setenv(var, value)
    settings.STORAGES = {**settings.STORAGES, "default": project_settings._file_storage()}
    settings.MEDIA_ROOT = tmp_path / "machine-a"

    def objects() -> list[str]:
        listed = client.list_objects_v2(Bucket=name).get("Contents", [])
        return sorted(o["Key"] for o in listed)

    return objects


def test_a_file_uploaded_on_one_server_is_downloaded_on_another(bucket, settings, tmp_path, agent):
    """A citizen's photo is filed through the portal on server A; an agent opens it on
    server B, whose local disk never saw it (it was a 500 there before)."""
    picture = png_picture()
    r = Client().post(
        "/portal/",
        {
            "title": "小区门口井盖缺失",
            "content": "新华街道康乐小区南门外人行道井盖缺失，晚上很危险。",
            "address": "海勃湾区新华街道康乐小区南门",
            "citizen_name": "李娜",
            "citizen_phone": "13987654321",
            "display_mode": "public",
            "appeal_type": "help",
            "consent": "on",
            "attachments": [SimpleUploadedFile("井盖.png", picture, content_type="image/png")],
        },
    )
    assert r.status_code == 302  # to the receipt
    att = WorkOrder.objects.get().attachments.get()
    [key] = bucket()
    assert key == f"centre/{att.file.name}" and key.startswith("centre/attachments/")
    assert not (tmp_path / "machine-a").exists()  # nothing on server A's disk

    settings.MEDIA_ROOT = tmp_path / "machine-b"
    server_b = Client()
    server_b.force_login(agent)
    r = server_b.get(f"/orders/{att.order.number}/files/{att.pk}/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == picture
    assert r["Content-Type"] == "image/png"


def test_orphans_are_removed_from_the_bucket(db, bucket):
    now = clock.now()
    staged = attachments.stage(
        SimpleUploadedFile("孤儿.png", PNG, content_type="image/png"), now=now
    )
    assert bucket() == [f"centre/{staged.name}"]
    assert attachments.purge_orphans(now=now + timedelta(hours=2)) == 1
    assert bucket() == []


def test_a_bad_storage_setting_stops_the_server(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("HOTLINE_STORAGE", "s3")
    monkeypatch.delenv("HOTLINE_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="HOTLINE_S3_BUCKET"):
        project_settings._file_storage()
    monkeypatch.setenv("HOTLINE_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="expected filesystem or s3"):
        project_settings._file_storage()
