"""Demo data only on request (issue 12): the demo's published password and keys are found
wherever they are, and refused outside debug."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from hotline.channels.demo import demo_key
from hotline.channels.models import ChannelClient
from hotline.demo import centre, detect
from hotline.org.models import User


@pytest.fixture(autouse=True)
def _fresh_detection(monkeypatch):
    monkeypatch.setattr(detect, "_cached", None)


def _demo_admin(password: str = centre.PASSWORD) -> User:
    user = User(username="admin", role="admin", is_staff=True, is_superuser=True)
    user.set_password(password)
    user.save()
    return user


def test_a_clean_database_holds_no_demo_data(db, agent):
    found = detect.find()
    assert not found.present and found.users == 0 and found.keys == 0


def test_accounts_with_the_published_password_are_found_and_counted(db):
    admin = _demo_admin()
    # the demo gives every account the one hash it computed once
    User.objects.create(username="haibowan-zjj", role="unit", password=admin.password)
    found = detect.find()
    assert found.users == 2 and found.present
    assert "2 个使用公开演示密码的账号" in found.describe()


def test_an_admin_called_admin_with_its_own_password_is_not_demo_data(db):
    _demo_admin("a-real-centre-password")
    assert not detect.find().present


def test_published_channel_keys_are_found(db):
    ChannelClient.issue("网格员终端", "grid", raw_key=demo_key("grid"))
    ChannelClient.issue("门户", "portal")
    found = detect.find()
    assert found.keys == 1 and found.users == 0
    assert "hk_demo_" in found.describe()


def test_health_reports_demo_data(db):
    assert Client().get("/api/v1/health").json()["demo_data"] is False
    _demo_admin()
    assert detect.demo_data().present is False  # remembered for a minute …
    assert detect.demo_data(fresh=True).present is True  # … unless asked afresh
    assert Client().get("/api/v1/health").json()["demo_data"] is True


def test_demo_keys_are_refused_outside_debug_wherever_they_came_from(db):
    ChannelClient.issue("网格员终端", "grid", raw_key=demo_key("grid"))
    headers = {"HTTP_X_API_KEY": demo_key("grid")}
    with override_settings(HOTLINE_DEMO_ALLOWED=True):
        assert Client().get("/api/v1/channel/updates", **headers).status_code == 200
    with override_settings(HOTLINE_DEMO_ALLOWED=False):
        r = Client().get("/api/v1/channel/updates", **headers)
        assert r.status_code == 401 and r.json()["code"] == "invalid_api_key"


@override_settings(HOTLINE_DEMO_ALLOWED=False)
def test_hotline_demo_refuses_in_production_without_force(db):
    with pytest.raises(CommandError, match="--force"):
        call_command("demo")
    assert not User.objects.exists()


@override_settings(HOTLINE_DEMO_ALLOWED=False)
def test_the_admin_warns_about_demo_data_on_every_page(db, admin_user):
    _demo_admin()
    c = Client()
    c.force_login(admin_user)
    page = c.get("/admin/").content.decode()
    assert "数据库中有演示数据" in page and "1 个使用公开演示密码的账号" in page
