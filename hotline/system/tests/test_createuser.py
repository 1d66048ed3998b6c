"""The first admin of a new centre: ``hotline createuser NAME --role admin`` (issue 12)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from hotline.org.models import User


def test_the_first_admin_reads_the_password_from_a_file_and_may_configure_everything(db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("Centre-admin-2026\n")
    out = io.StringIO()
    call_command(
        "createuser", "zhang.wei", "--role", "admin", "--password-file", str(secret), stdout=out
    )
    user = User.objects.get(username="zhang.wei")
    assert user.is_superuser and user.is_staff and user.effective_role == "admin"
    login = RequestFactory().post("/login/")  # the lock-out backend (axes) needs the request
    assert authenticate(login, username="zhang.wei", password="Centre-admin-2026") == user
    assert "已创建 zhang.wei（管理员）" in out.getvalue()


def test_the_password_can_come_on_standard_input(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Agent-password-1\n"))
    call_command("createuser", "agent7", "--role", "agent", "--password-file", "-")
    user = User.objects.get(username="agent7")
    assert not user.is_staff and user.check_password("Agent-password-1")


def test_a_password_the_validators_refuse_creates_nobody(db, tmp_path):
    short = tmp_path / "pw"
    short.write_text("abc123\n")
    with pytest.raises(CommandError, match="密码不符合要求"):
        call_command("createuser", "boss", "--role", "admin", "--password-file", str(short))
    assert not User.objects.exists()


def test_without_a_terminal_or_a_file_it_says_how(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--password-file"):
        call_command("createuser", "boss", "--role", "admin")


def test_the_prompt_asks_twice(db, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    answers = iter(["Centre-admin-2026", "Centre-admin-2027"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="两次输入的密码不一致"):
        call_command("createuser", "boss", "--role", "admin")
    answers = iter(["Centre-admin-2026", "Centre-admin-2026"])
    call_command("createuser", "boss", "--role", "admin")
    assert User.objects.get(username="boss").check_password("Centre-admin-2026")


def test_an_empty_or_missing_password_file_is_refused(db, tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(CommandError, match="第一行为空"):
        call_command("createuser", "boss", "--role", "admin", "--password-file", str(empty))
    with pytest.raises(CommandError, match="无法读取密码文件"):
        call_command(
            "createuser", "boss", "--role", "admin", "--password-file", str(tmp_path / "no")
        )
