"""``hotline run``: migrate, load the demo centre into an empty database, serve.

The web server is gunicorn (the same server production uses); the SQLite file is shared by
its workers, which is why the SQLite settings use WAL and IMMEDIATE transactions.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def worker_process() -> list[str] | None:
    """The task worker (deadline sweep, supervision ladder, outbox), unless told not to."""
    if os.environ.get("HOTLINE_RUN_WORKER", "true").lower() in {"0", "false", "no"}:
        return None
    return [sys.executable, "-m", "hotline.cli", "worker"]


def rollup_process() -> list[str]:
    """The roll-up loop, sealing finished days every ten minutes (docs/assessment.md)."""
    return [sys.executable, "-m", "hotline.cli", "rollup", "--loop", "600"]


# The long-running processes started beside the web server: each entry returns an argv
# list, or None to skip.
EXTRA_PROCESSES: list = [worker_process, rollup_process]


class Command(BaseCommand):
    help = "迁移数据库，空库时载入演示数据，然后启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOTLINE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HOTLINE_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=2, help="gunicorn 进程数")
        parser.add_argument("--no-demo", action="store_true", help="空库时也不载入演示数据")
        parser.add_argument("--check", action="store_true", help="只做准备工作，不启动服务")

    def handle(self, *args, host, port, workers, no_demo, check, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("calendar_sync", verbosity=0)
        from hotline.orders.models import WorkOrder

        if not no_demo and not WorkOrder.objects.exists():
            self.stdout.write("空数据库：载入演示数据 …")
            call_command("demo")
        if check:
            return
        children = [self._gunicorn(host, port, workers)]
        for factory in EXTRA_PROCESSES:
            argv = factory()
            if argv:
                children.append(subprocess.Popen(argv))
        self.stdout.write(
            self.style.SUCCESS(
                f"\nhotline 已启动： http://{host}:{port}/  （管理后台 /admin/，接口文档 /api/docs）"
            )
        )
        self.stdout.write("演示账号见 README（密码均为 hotline12345）。按 Ctrl+C 停止。\n")
        self._wait(children)

    def _gunicorn(self, host: str, port: int, workers: int) -> subprocess.Popen:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "hotline.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--timeout",
            "60",
            "--access-logfile",
            "-" if settings.DEBUG else "/dev/null",
        ]
        return subprocess.Popen(argv)

    def _wait(self, children: list[subprocess.Popen]) -> None:
        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while True:
                for child in children:
                    if child.poll() is not None:
                        stop()
                        for c in children:
                            c.wait()
                        return
                try:
                    children[0].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
        except KeyboardInterrupt:
            stop()
            for c in children:
                c.wait()
