"""Configuration fails loudly at start; the ``hotline`` command wraps Django's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from hotline.settings import envbool


def run_hotline(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=300,  # generous: a loaded CI machine builds the demo centre slowly
    )


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_envbool_refuses_anything_but_true_or_false(monkeypatch, value):
    monkeypatch.setenv("HOTLINE_X", value)
    with pytest.raises(ImproperlyConfigured, match="HOTLINE_X"):
        envbool("HOTLINE_X", False)


def test_envbool_reads_true_and_false(monkeypatch):
    monkeypatch.setenv("HOTLINE_X", "False")
    assert envbool("HOTLINE_X", True) is False
    monkeypatch.setenv("HOTLINE_X", "yes")
    assert envbool("HOTLINE_X", False) is True


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"HOTLINE_DEBUG": "perhaps"}, "HOTLINE_DEBUG"),
        ({"HOTLINE_DATABASE_URL": "mysql://x@y/z"}, "HOTLINE_DATABASE_URL"),
        ({"HOTLINE_REDIS_URL": "http://localhost:6379"}, "HOTLINE_REDIS_URL"),
        ({"HOTLINE_DEBUG": "false", "HOTLINE_SECRET_KEY": "short"}, "HOTLINE_SECRET_KEY"),
        ({"HOTLINE_WARNING_PERCENT": "150"}, "HOTLINE_WARNING_PERCENT"),
    ],
)
def test_bad_configuration_stops_hotline_with_a_clear_message(env, needle, tmp_path):
    result = run_hotline("manage", "check", HOTLINE_VAR_DIR=str(tmp_path), **env)
    assert result.returncode == 2
    assert needle in result.stderr and "配置错误" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = run_hotline(
        "manage",
        "check",
        HOTLINE_VAR_DIR=str(tmp_path),
        HOTLINE_DEBUG="false",
        HOTLINE_SECRET_KEY="",
    )
    assert (
        result.returncode == 2
        and "HOTLINE_SECRET_KEY (or HOTLINE_SECRET_KEY_FILE) must be set" in result.stderr
    )


def test_help_lists_the_commands():
    result = run_hotline("--help")
    assert result.returncode == 0
    for word in ("run", "demo", "createuser", "manage"):
        assert word in result.stdout


def test_run_check_migrates_and_loads_demo_into_an_empty_database(tmp_path):
    """``hotline run`` prepares an empty database with the demo centre (here without
    serving: ``--check``)."""
    env = {
        "HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "HOTLINE_VAR_DIR": str(tmp_path),
    }
    result = run_hotline("run", "--check", **env)
    assert result.returncode == 0, result.stderr
    assert "演示数据已载入" in result.stdout
    assert (
        "321 张工单" in result.stdout
    )  # 300 random histories, one showcase order per state, 4 duplicate-pair orders
    again = run_hotline("run", "--check", **env)  # a second start leaves the data alone
    assert again.returncode == 0 and "演示数据已载入" not in again.stdout
