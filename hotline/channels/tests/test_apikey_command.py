"""``hotline apikey``: the key alone on the last line, usable at once, revocable."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.channels import services
from hotline.channels.models import ChannelClient


def _run(*args) -> str:
    out = io.StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_alone_on_its_last_line(db):
    out = _run("create", "--name", "网格通", "--channel", "grid", "--rate", "30", "--auto-accept")
    key = out.rstrip("\n").splitlines()[-1]
    assert key.startswith("hk_") and " " not in key
    client = services.authenticate_key(key)
    assert client is not None and client.channel == "grid" and client.auto_accept
    assert client.rate_limit_per_minute == 30
    listing = _run("list")
    assert client.key_prefix in listing and key not in listing
    _run("revoke", client.key_prefix)
    assert services.authenticate_key(key) is None
    assert "revoked" in _run("list")


def test_unknown_channel_is_refused(db):
    with pytest.raises(CommandError, match="unknown channel") as exc:
        _run("create", "--name", "x", "--channel", "fax")
    assert "portal" in str(exc.value) and "未知渠道" in str(exc.value)
    assert not ChannelClient.objects.exists()


def test_the_hotline_command_exits_non_zero_on_an_unknown_channel(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hotline.settings_test"}
    env["HOTLINE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "hotline.cli",
            "apikey",
            "create",
            "--name",
            "x",
            "--channel",
            "fax",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert r.returncode != 0 and "unknown channel" in r.stderr
