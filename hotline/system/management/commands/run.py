"""``hotline run --role web|worker|all``: start this machine's share of hotline.

* ``web`` — gunicorn only (the app servers behind the proxy).  Never migrates: it refuses
  to start while migrations are pending (run ``hotline migrate`` first).  Collects the
  static files first when they were never collected or changed since
  (``hotline.common.staticfiles``: hashed names, compressed, cached a year).
* ``worker`` — the task worker (deadline sweep, supervision ladder, outbox) and the roll-up
  loop.  Any number of machines may run it; the roll-up seals on one of them at a time
  (``hotline.analytics.rollup.tick``).  Also refuses to start with pending migrations.
* ``all`` — one machine does everything (the embedded default of ``make run``): migrate,
  in debug load the demo centre into an empty database, then web + worker + roll-up.

The children are listed by ``processes(role, …)`` and started and watched in one place
(``Command._start`` / ``Command._wait``): when one ends, the others are stopped and the
command exits, so the service manager (systemd: ``Restart=``) restarts the whole set.

Outside debug the demo centre is never loaded, and a database that holds the demo's
published passwords or keys makes every start warn loudly (``hotline.demo.detect``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from hotline.common import staticfiles
from hotline.demo import detect
from hotline.orders.models import WorkOrder
from hotline.system import deploy

log = logging.getLogger("hotline.run")

ROLES = ("web", "worker", "all")


def gunicorn_process(host: str, port: int, workers: int) -> list[str]:
    """The app server.  Its own access log stays off: ``AccessLog`` middleware writes one
    line per request with the proxy-aware client address and the user (settings)."""
    return [
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
        "--graceful-timeout",
        "30",
        "--error-logfile",
        "-",
    ]


def worker_process() -> list[str]:
    """The task worker (deadline sweep, supervision ladder, outbox)."""
    return [sys.executable, "-m", "hotline.cli", "worker"]


def rollup_process() -> list[str]:
    """The roll-up loop, sealing finished days every ten minutes (docs/assessment.md)."""
    return [sys.executable, "-m", "hotline.cli", "rollup", "--loop", "600"]


def processes(role: str, *, host: str, port: int, workers: int) -> list[tuple[str, list[str]]]:
    """The long-running children of ``hotline run --role ROLE``, by name."""
    children = []
    if role in ("web", "all"):
        children.append(("web", gunicorn_process(host, port, workers)))
    if role in ("worker", "all"):
        children += [("worker", worker_process()), ("rollup", rollup_process())]
    return children


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise CommandError(f"{name}={value!r}: expected a whole number") from None


class Command(BaseCommand):
    help = "启动服务：--role web 仅网页服务，worker 后台任务与汇总，all 单机全部（默认）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--role",
            choices=ROLES,
            default=os.environ.get("HOTLINE_ROLE") or "all",
            help="web | worker | all（默认 all，或环境变量 HOTLINE_ROLE）",
        )
        parser.add_argument("--host", default=os.environ.get("HOTLINE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=_env_int("HOTLINE_PORT", 8000))
        parser.add_argument(
            "--workers", type=int, default=_env_int("HOTLINE_WORKERS", 2), help="gunicorn 进程数"
        )
        parser.add_argument("--no-demo", action="store_true", help="空库时也不载入演示数据")
        parser.add_argument("--check", action="store_true", help="只做准备工作，不启动服务")

    def handle(self, *args, role, host, port, workers, no_demo, check, **opts):
        if role not in ROLES:
            raise CommandError(f"HOTLINE_ROLE={role!r}: expected one of {', '.join(ROLES)}")
        if role == "all":
            deploy.migrate(verbosity=0, say=self.stdout.write)
            if settings.HOTLINE_DEMO_ALLOWED and not no_demo and not WorkOrder.objects.exists():
                self.stdout.write("空数据库：载入演示数据 …")
                call_command("demo")
        else:
            pending = deploy.pending_migrations()
            if pending:
                raise CommandError(
                    f"数据库有 {len(pending)} 个未执行的迁移（{', '.join(pending[:3])}"
                    f"{' …' if len(pending) > 3 else ''}）：请先运行 hotline migrate，"
                    f"再启动 --role {role}"
                )
        self._warn_about_demo_data()
        if check:
            return
        if role in ("web", "all"):
            # hashed, compressed static files and their manifest (hotline.common.staticfiles)
            staticfiles.collect_if_stale(say=self.stdout.write)
        children = [
            self._start(name, argv)
            for name, argv in processes(role, host=host, port=port, workers=workers)
        ]
        if role != "worker":
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nhotline 已启动（{role}）： http://{host}:{port}/  "
                    "（管理后台 /admin/，接口文档 /api/docs）"
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("\nhotline 后台任务已启动（worker + rollup）"))
        if settings.HOTLINE_DEMO_ALLOWED and role == "all" and not no_demo:
            self.stdout.write("演示账号见 README（密码均为 hotline12345）。")
        self.stdout.write("按 Ctrl+C 停止。\n")
        self._wait(children)

    def _warn_about_demo_data(self) -> None:
        if settings.HOTLINE_DEMO_ALLOWED:
            return
        demo = detect.demo_data(fresh=True)
        if not demo.present:
            return
        message = detect.WARNING.format(what=demo.describe())
        bar = "!" * 72
        self.stderr.write(f"\n{bar}\n{message}\n{bar}\n")
        log.warning("%s", message)

    @staticmethod
    def _start(name: str, argv: list[str]) -> tuple[str, subprocess.Popen]:
        return name, subprocess.Popen(argv)

    def _wait(self, children: list[tuple[str, subprocess.Popen]]) -> None:
        """Until SIGTERM / Ctrl+C, or until a child ends on its own: then stop the others
        and fail, so the service manager restarts the set."""
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True
            for _name, child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while True:
                for name, child in children:
                    code = child.poll()
                    if code is not None:
                        crashed = not stopping
                        stop()
                        for _n, c in children:
                            c.wait()
                        if crashed:
                            raise CommandError(
                                f"{name} 进程意外退出（退出码 {code}），已停止其余进程"
                            )
                        return
                try:
                    children[0][1].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
        except KeyboardInterrupt:
            stop()
            for _n, c in children:
                c.wait()
