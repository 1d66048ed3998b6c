"""Stored files (issue 15 item 5, issue 18 item 4): random names without the client's
extension, mode 0640, served only by the permission-checked views through ONE download
helper, ``Content-Disposition: attachment`` for anything but pictures, voice and video.

A citizen uploads through the portal; the 受理员 (``agent``) and the clerk of 住建局 read
the files; the clerk of 市政养护中心 (``other_clerk``) must not.
"""

from __future__ import annotations

import ast
import os
import re
import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import hotline
from hotline.common import downloads
from hotline.orders import actions
from hotline.orders.attachments import ALLOWED
from hotline.web.tests.conftest import PDF, PNG, WAV

pytestmark = pytest.mark.usefixtures("now")

RANDOM_NAME = re.compile(r"^attachments/\d{4}/\d{2}/[0-9a-f]{32}$")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def attach(order, user, name: str, data: bytes):
    return actions.do_attach(order, user, SimpleUploadedFile(name, data), purpose="appeal")


def test_a_stored_file_has_a_random_name_without_the_clients_extension(agent, appeal):
    order = actions.do_create_order(agent, appeal)
    att = attach(order, agent, "../../现场照片.php.png", PNG)
    assert RANDOM_NAME.match(att.file.name), att.file.name
    assert "php" not in att.file.name and "现场" not in att.file.name
    assert att.original_name.endswith("现场照片.php.png")  # shown on download only


def test_a_stored_file_is_readable_by_owner_and_group_only(agent, appeal):
    order = actions.do_create_order(agent, appeal)
    for data in (PNG, PDF, b"x" * (3 * 1024 * 1024)):  # small files and a spooled upload
        name = "说明.txt" if data.startswith(b"x") else "现场"
        att = attach(order, agent, name, data)
        mode = stat.S_IMODE(os.stat(att.file.path).st_mode)
        assert mode == 0o640, oct(mode)


def test_files_are_not_served_from_the_storage_folder(web, agent, appeal):
    order = actions.do_create_order(agent, appeal)
    att = attach(order, agent, "现场.png", PNG)
    for url in (f"/media/{att.file.name}", f"/{att.file.name}", f"/static/{att.file.name}"):
        assert web(agent).get(url).status_code == 404, url


DOWNLOADS = {
    "web": lambda order, att: f"/orders/{order.number}/files/{att.pk}/",
    "api": lambda order, att: f"/api/v1/orders/{order.number}/attachments/{att.pk}",
}


@pytest.mark.parametrize("via", sorted(DOWNLOADS))
@pytest.mark.parametrize(
    ("name", "data", "disposition"),
    [
        ("现场.png", PNG, "inline"),
        ("录音.wav", WAV, "inline"),
        ("说明.pdf", PDF, "attachment"),
        ("说明.html", b"<script>alert(1)</script>", "attachment"),
    ],
)
def test_every_download_is_private_nosniff_and_inline_only_for_media(
    web, agent, appeal, via, name, data, disposition
):
    order = actions.do_create_order(agent, appeal)
    att = attach(order, agent, name, data)
    r = web(agent).get(DOWNLOADS[via](order, att))
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith(f"{disposition}; filename*=UTF-8''")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Cache-Control"] == "private, no-store"
    assert r["Content-Type"] == att.content_type  # sniffed, never the client's claim
    assert b"".join(r.streaming_content) == data


@pytest.mark.parametrize("via", sorted(DOWNLOADS))
def test_a_unit_that_was_not_sent_the_order_cannot_download_its_files(
    web, flow, other_clerk, clerk, via
):
    order = flow.handling()
    att = attach(order, clerk, "现场.png", PNG)
    assert web(clerk).get(DOWNLOADS[via](order, att)).status_code == 200
    assert web(other_clerk).get(DOWNLOADS[via](order, att)).status_code == 404


def test_knowledge_files_go_through_the_same_helper(web, clerk):
    from hotline.knowledge import actions as kactions
    from hotline.knowledge.tests.conftest import FUND

    entry = kactions.do_create(clerk, FUND)
    att = kactions.do_attach(entry, clerk, SimpleUploadedFile("管理办法.pdf", PDF))
    assert re.match(r"^knowledge/\d{4}/\d{2}/[0-9a-f]{32}$", att.file.name), att.file.name
    r = web(clerk).get(f"/knowledge/{entry.pk}/files/{att.pk}/")
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["Cache-Control"] == "private, no-store" and r["X-Content-Type-Options"] == "nosniff"


def test_one_download_helper_serves_every_stored_file():
    """``FileResponse`` appears in the download helper and the xlsx export only: a fourth
    copy of the download code (with its own idea of the headers) fails here."""
    root = os.path.dirname(hotline.__file__)
    users = set()
    for folder, _dirs, files in os.walk(root):
        if "tests" in folder.split(os.sep) or "migrations" in folder.split(os.sep):
            continue
        for file in files:
            if file.endswith(".py"):
                path = os.path.join(folder, file)
                tree = ast.parse(open(path, encoding="utf-8").read())
                if any(isinstance(n, ast.Name) and n.id == "FileResponse" for n in ast.walk(tree)):
                    users.add(os.path.relpath(path, root))
    assert users == {"common/downloads.py", "analytics/exports.py"}


def test_inline_types_are_exactly_the_accepted_pictures_voice_and_video():
    media = {mime for mime, kind in ALLOWED.items() if kind in ("image", "voice", "video")}
    assert downloads.INLINE_TYPES == media
    assert not any(t.startswith(("text/", "application/")) for t in downloads.INLINE_TYPES)


def test_the_portal_upload_is_stored_the_same_way(db):
    from hotline.orders.models import Attachment
    from hotline.tests.security.test_input_bounds import PORTAL

    r = Client().post(
        "/portal/",
        {**PORTAL, "attachments": [SimpleUploadedFile("x.svg.png", PNG)]},
    )
    assert r.status_code == 302  # to the receipt
    att = Attachment.objects.get()
    assert RANDOM_NAME.match(att.file.name)
    assert stat.S_IMODE(os.stat(att.file.path).st_mode) == 0o640
