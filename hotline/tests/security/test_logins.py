"""Logins (issue 15 item 1): brute force is stopped on every login path, weak passwords are
refused everywhere a password is set, API tokens expire and die with the password, and a
staff session lasts a working day.

The 受理员 (``agent``) is the usual victim: a script guesses her password.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from hotline import clock
from hotline.org.models import ApiToken

PASSWORD = "Kangle-Roof-2026"
WRONG = "not-her-password"
ATTACKER = "203.0.113.9"
COLLEAGUE = "198.51.100.7"


@pytest.fixture
def victim(agent):
    agent.set_password(PASSWORD)
    agent.save()
    return agent


def web_login(client: Client, username: str, password: str, ip: str = ATTACKER):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def admin_login(client: Client, username: str, password: str, ip: str = ATTACKER):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def token_login(client: Client, username: str, password: str, ip: str = ATTACKER):
    return client.post(
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def succeeded(path: str, response) -> bool:
    if path == "token":
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302  # a sign-in redirects; a failure re-renders


PATHS = {"web": web_login, "admin": admin_login, "token": token_login}


@pytest.fixture(params=sorted(PATHS))
def path(request, victim):
    if request.param == "admin":
        victim.is_staff = True  # only staff pass /admin/login/; others fail like a bad guess
        victim.save()
    return request.param


def test_the_defaults_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_six_wrong_passwords_lock_the_account_for_that_client(path, victim, caplog):
    login = PATHS[path]
    attacker = Client()
    caplog.set_level(logging.WARNING, logger="hotline.security")
    answers = [login(attacker, victim.username, WRONG).status_code for _ in range(6)]
    # four ordinary refusals, then the fifth failure locks and every later try is 429
    assert answers[:4] == ([401] * 4 if path == "token" else [200] * 4)
    assert answers[4:] == [429, 429]

    # now even the right password is refused from that address, with the Chinese message
    locked = login(attacker, victim.username, PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    text = locked.content.decode()
    assert "登录失败次数过多" in text and "锁定 15 分钟" in text
    if path == "token":
        assert locked.json()["code"] == "locked_out"

    # one log line for the one lock-out, however often the attacker kept trying
    lines = [r for r in caplog.records if "locked out" in r.getMessage()]
    assert len(lines) == 1
    assert victim.username in lines[0].getMessage() and ATTACKER in lines[0].getMessage()

    # the agent at her own desk (another address) still signs in
    assert succeeded(path, login(Client(), victim.username, PASSWORD, ip=COLLEAGUE))


def test_the_lock_is_per_username(path, victim, reviewer):
    reviewer.set_password(PASSWORD)
    reviewer.is_staff = victim.is_staff
    reviewer.save()
    login = PATHS[path]
    attacker = Client()
    for _ in range(5):
        login(attacker, victim.username, WRONG)
    assert succeeded(path, login(attacker, reviewer.username, PASSWORD))


def test_the_lock_ends_after_fifteen_minutes(path, victim):
    login = PATHS[path]
    with time_machine.travel(clock.now(), tick=False) as traveller:
        attacker = Client()
        for _ in range(5):
            login(attacker, victim.username, WRONG)
        traveller.shift(timedelta(minutes=14))
        assert login(attacker, victim.username, PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=2))
        assert succeeded(path, login(attacker, victim.username, PASSWORD))


def test_a_success_before_the_limit_starts_the_count_again(victim):
    client = Client()
    for _ in range(4):
        web_login(client, victim.username, WRONG)
    assert succeeded("web", web_login(client, victim.username, PASSWORD))
    for _ in range(4):
        web_login(Client(), victim.username, WRONG)
    assert succeeded("web", web_login(Client(), victim.username, PASSWORD))


def test_an_administrator_unlocks_the_account_in_the_admin(victim, admin_user):
    attacker = Client()
    for _ in range(5):
        web_login(attacker, victim.username, WRONG)
    assert web_login(attacker, victim.username, PASSWORD).status_code == 429

    admin = Client()
    admin.force_login(admin_user)
    r = admin.post(
        "/admin/org/user/",
        {"action": "unlock_login", "_selected_action": [victim.pk]},
        follow=True,
    )
    assert "已解除 1 个用户的登录锁定" in r.content.decode()
    assert succeeded("web", web_login(attacker, victim.username, PASSWORD))


# --- passwords ----------------------------------------------------------------------------

WEAK = {
    "aaaaaaaa": "太短",
    "aaaaaaaaaa": "太常见",  # ten characters, but on the common-password list
    "4829105736": "全都是数字",
    "t_agent_2026": "太相似",  # like the username
}


@pytest.mark.parametrize("password", sorted(WEAK))
def test_createuser_refuses_a_weak_password(org, password, tmp_path):
    secret = tmp_path / "password"
    secret.write_text(password.replace("t_agent", "new_agent") + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("createuser", "new_agent", "--role", "agent", "--password-file", str(secret))
    assert "密码不符合要求" in str(refused.value)


def test_createuser_accepts_a_strong_password(org, tmp_path):
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    call_command("createuser", "new_agent", "--role", "agent", "--password-file", str(secret))
    from hotline.org.models import User

    assert User.objects.get(username="new_agent").check_password(PASSWORD)


@pytest.mark.parametrize("password", sorted(WEAK))
def test_the_admin_refuses_a_weak_password_even_for_an_admin(admin_user, password):
    client = Client()
    client.force_login(admin_user)
    r = client.post(
        f"/admin/org/user/{admin_user.pk}/password/",
        {
            "password1": password.replace("t_agent", "t_admin"),
            "password2": password.replace("t_agent", "t_admin"),
            "usable_password": "true",
        },
    )
    assert r.status_code == 200  # the form again, with the validators' messages
    assert "errorlist" in r.content.decode()
    admin_user.refresh_from_db()
    assert not admin_user.has_usable_password()


def test_a_staff_member_changes_the_password_on_the_workbench(victim):
    client = Client()
    client.force_login(victim)
    weak = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)
    strong = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Haibowan-Lamp-88",
            "new_password2": "Haibowan-Lamp-88",
        },
    )
    assert strong.status_code == 302
    victim.refresh_from_db()
    assert victim.check_password("Haibowan-Lamp-88")


# --- API tokens ---------------------------------------------------------------------------


def api_me(key: str):
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me")


def test_a_token_expires_after_ninety_days(victim):
    with time_machine.travel(clock.now(), tick=False) as traveller:
        r = token_login(Client(), victim.username, PASSWORD)
        key = r.json()["token"]
        assert r.json()["expires_at"]
        traveller.shift(timedelta(days=89, hours=23))
        assert api_me(key).status_code == 200
        traveller.shift(timedelta(hours=2))
        refused = api_me(key)
        assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"


def test_a_new_password_revokes_every_token(victim):
    _, first = ApiToken.issue(victim, "script")
    _, second = ApiToken.issue(victim, "laptop")
    assert api_me(first).status_code == 200
    victim.set_password("Another-Strong-Pass-1")
    victim.save()
    assert api_me(first).status_code == 401 and api_me(second).status_code == 401
    assert set(ApiToken.objects.values_list("revoked_reason", flat=True)) == {"password_changed"}


def test_deactivating_the_user_revokes_the_tokens_for_good(victim):
    _, key = ApiToken.issue(victim, "script")
    victim.is_active = False
    victim.save()
    assert api_me(key).status_code == 401
    victim.is_active = True  # coming back does not bring the old token back
    victim.save()
    assert api_me(key).status_code == 401
    assert ApiToken.objects.get().revoked_reason == "deactivated"


def test_saving_the_user_for_anything_else_keeps_the_tokens(victim):
    _, key = ApiToken.issue(victim, "script")
    victim.phone = "13800000000"
    victim.save()
    assert api_me(key).status_code == 200


def test_hotline_token_revoke_by_prefix_user_or_all(victim, reviewer):
    one, key_one = ApiToken.issue(victim, "one")
    _, key_two = ApiToken.issue(victim, "two")
    _, key_three = ApiToken.issue(reviewer, "three")

    call_command("token", "revoke", one.prefix)
    assert api_me(key_one).status_code == 401 and api_me(key_two).status_code == 200

    call_command("token", "revoke", "--user", victim.username)
    assert api_me(key_two).status_code == 401 and api_me(key_three).status_code == 200

    call_command("token", "revoke", "--all")
    assert api_me(key_three).status_code == 401
    assert not ApiToken.objects.usable().exists()

    with pytest.raises(CommandError):
        call_command("token", "revoke")  # nothing named: refuse rather than guess
    with pytest.raises(CommandError):
        call_command("token", "revoke", "nosuchpf")


def test_hotline_token_list_shows_prefix_and_status_never_the_key(victim, capsys):
    token, key = ApiToken.issue(victim, "script")
    call_command("token", "list")
    out = capsys.readouterr().out
    assert token.prefix in out and "有效" in out and key not in out


# --- sessions ------------------------------------------------------------------------------


def test_a_staff_session_lasts_twelve_hours(victim):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    with time_machine.travel(clock.now(), tick=False) as traveller:
        client = Client()
        assert succeeded("web", web_login(client, victim.username, PASSWORD))
        assert client.get("/orders/").status_code == 200
        traveller.shift(timedelta(hours=11, minutes=59))
        assert client.get("/orders/").status_code == 200
        traveller.shift(timedelta(hours=12, minutes=2))
        r = client.get("/orders/")
        assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_a_request_without_a_client_address_still_signs_in(victim):
    """No REMOTE_ADDR (a unit test's force_login, an odd proxy): axes counts it under no
    address instead of storing "unknown" in its IP address column (PostgreSQL refuses)."""
    from hotline.common.lockout import client_address

    assert succeeded("web", web_login(Client(), victim.username, PASSWORD, ip=""))
    assert web_login(Client(), victim.username, WRONG, ip="").status_code == 200
    client = Client()
    client.force_login(victim)
    assert client.get("/orders/").status_code == 200

    from django.test import RequestFactory

    assert client_address(RequestFactory().get("/", REMOTE_ADDR="not-an-address")) is None
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")) == ATTACKER
