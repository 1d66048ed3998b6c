"""SQLite shared by several processes (gunicorn workers + the task worker) must not fail
with "database is locked": WAL, a busy timeout and IMMEDIATE transactions (settings).

This test always uses its own SQLite file, whatever database the suite runs on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

WORKER = textwrap.dedent(
    """
    import os, sys
    import django
    django.setup()
    from hotline.orders import actions
    from hotline.org.models import User
    agent = User.objects.get(username="mp_agent")
    values = {"category": "street_light", "title": "路灯不亮", "content": "多盏路灯不亮",
              "address": "海勃湾区人民路", "citizen_phone": "13800000000"}
    numbers = []
    for i in range(int(sys.argv[1])):
        order = actions.do_create_order(agent, dict(values, title=f"路灯不亮 {os.getpid()}-{i}"))
        actions.do_submit(order, agent)
        numbers.append(order.number)
    print(" ".join(numbers))
    """
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HOTLINE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    env["HOTLINE_VAR_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "hotline.settings"
    return env


def test_sqlite_file_uses_wal_and_immediate_transactions(tmp_path):
    env = _env(tmp_path)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.db import connection as c;"
            "cur=c.cursor(); cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0], c.transaction_mode)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["wal", "IMMEDIATE"]


@pytest.mark.slow
def test_four_processes_write_one_sqlite_file_without_lock_errors(tmp_path):
    env = _env(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "hotline.cli", "manage", "migrate", "-v", "0"], env=env, check=True
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "hotline.cli",
            "createuser",
            "mp_agent",
            "--role",
            "agent",
            "--password-file",
            "-",
        ],
        env=env,
        check=True,
        capture_output=True,
        input=b"a-long-password\n",
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, "15"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for (_out, err), p in zip(results, procs, strict=True):
        assert p.returncode == 0, err
        assert "database is locked" not in err
    numbers = [n for out, _ in results for n in out.split()]
    assert len(numbers) == 60 and len(set(numbers)) == 60
