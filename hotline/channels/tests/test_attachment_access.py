"""§6.1.2: files sent in by a channel are stored behind Django's storage interface and served
only to staff who may see the order."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from hotline.channels import services
from hotline.channels.tests.conftest import PNG
from hotline.orders import actions

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def _token_client(user) -> Client:
    from hotline.org.models import ApiToken

    _, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _download(client: Client, order, att):
    return client.get(f"/api/v1/orders/{order.number}/attachments/{att.pk}")


def test_only_staff_who_see_the_order_get_its_photo(
    portal_app, citizen_appeal, agent, reviewer, clerk, other_clerk, org
):
    photo = SimpleUploadedFile("现场.jpg", PNG, content_type="image/jpeg")
    order, _ = services.submit_appeal(portal_app, citizen_appeal, [photo])
    att = order.attachments.get()
    # 受理员 sees every order; the clerk of another unit sees none before dispatch
    got = _download(_token_client(agent), order, att)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    assert _download(_token_client(clerk), order, att).status_code == 404
    actions.do_accept(order, agent)
    actions.do_submit(order, agent)
    actions.do_dispatch(order, reviewer, lead_unit=org.zjj)
    # the unit it went to may see it now; the unrelated unit still may not
    assert _download(_token_client(clerk), order, att).status_code == 200
    assert _download(_token_client(other_clerk), order, att).status_code == 404
    # no key, or a channel key, opens nothing: the file is for staff only
    assert _download(Client(), order, att).status_code == 401
    r = Client().get(
        f"/api/v1/orders/{order.number}/attachments/{att.pk}", HTTP_X_API_KEY=portal_app.raw_key
    )
    assert r.status_code == 401
    # the staff web page checks the same way
    web = Client()
    web.force_login(other_clerk)
    assert web.get(f"/orders/{order.number}/files/{att.pk}/").status_code == 404
    web.force_login(clerk)
    assert web.get(f"/orders/{order.number}/files/{att.pk}/").status_code == 200


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
def test_attachments_go_through_the_configured_storage(portal_app, citizen_appeal, agent, tmp_path):
    from django.core.files.storage import default_storage

    photo = SimpleUploadedFile("现场.jpg", PNG, content_type="image/jpeg")
    order, _ = services.submit_appeal(portal_app, citizen_appeal, [photo])
    att = order.attachments.get()
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert default_storage.exists(att.file.name)
    got = _download(_token_client(agent), order, att)
    assert b"".join(got.streaming_content) == PNG


def test_storage_setting_fails_loudly(monkeypatch):
    from hotline.settings import _file_storage

    monkeypatch.setenv("HOTLINE_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="HOTLINE_STORAGE"):
        _file_storage()
    monkeypatch.setenv("HOTLINE_STORAGE", "filesystem")
    assert _file_storage()["BACKEND"].endswith("FileSystemStorage")
