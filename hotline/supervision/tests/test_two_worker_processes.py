"""Two worker *processes* — two machines, each with its own ``var/`` and its own drop folder
for the file SMS gateway — sweep the same due orders at the same instant (issue 13 item 7):
every reminder, rung and message exists once and every SMS is delivered once.

Each process is ``hotline worker --once`` started as a real subprocess on the test database,
its clock fixed with time-machine (the sweep's outcome must not depend on today's date)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hotline.orders import actions
from hotline.orders.models import Event
from hotline.supervision.models import GatewayDelivery, Message, Notice, SupervisionRecord
from hotline.supervision.tests.conftest import MONDAY, sh

LATE = sh(2026, 3, 9, 14, 0)  # a week after dispatch: feedback overdue, the smart rung due

WORKER = """
import sys, django, time_machine
from datetime import datetime
django.setup()
from django.core.management import call_command
with time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=False):
    call_command("worker", "--once")
"""


def database_url() -> str:
    """The test database, as the URL a server process is given."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_on_the_same_due_orders_send_each_message_once(
    agent, reviewer, clerk, appeal, phones, tmp_path
):
    for _ in range(6):
        o = actions.do_create_order(agent, appeal, now=MONDAY)
        actions.do_submit(o, agent, now=MONDAY)
        actions.do_dispatch(o, reviewer, lead_unit=phones.zjj, now=MONDAY)
        actions.do_sign(o, clerk, now=sh(2026, 3, 2, 10, 0))
    machines = [tmp_path / "machine-a", tmp_path / "machine-b"]
    procs = []
    for var in machines:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hotline.settings",
            "HOTLINE_DATABASE_URL": database_url(),
            "HOTLINE_VAR_DIR": str(var),
            "HOTLINE_MESSAGE_GATEWAY": "file",
            "HOTLINE_DEBUG": "true",
        }
        env.pop("HOTLINE_REDIS_URL", None)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER, LATE.isoformat()],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-3000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))

    assert sum(r["overdue"] for r in reports) == 6  # each deadline reminded by one of them
    assert sum(r["rungs"] for r in reports) == 6
    assert SupervisionRecord.objects.count() == 6
    assert Event.objects.filter(action="auto_remind").count() == 6
    sms = Message.objects.filter(channel="sms")
    assert sms.count() >= 6 and set(sms.values_list("state", flat=True)) == {"sent"}
    assert sum(r["delivery"]["sent"] for r in reports) == Message.objects.count()
    # every SMS written once, across both machines' drop folders, and known to the database
    files = [f for var in machines for f in Path(var, "outbox").glob("*.json")]
    keys = Counter(json.loads(f.read_text(encoding="utf-8"))["key"] for f in files)
    assert keys == Counter(sms.values_list("key", flat=True))
    assert GatewayDelivery.objects.count() == sms.count()
    assert Notice.objects.count() == Message.objects.filter(channel="system").count()
