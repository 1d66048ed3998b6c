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
(``Supervisor``).  The worker and the roll-up loop are *supervised*: one that dies (a crash,
``kill -9``, the out-of-memory killer) is logged and started again after a back-off that
doubles from one second up to ``HOTLINE_CHILD_BACKOFF_MAX`` seconds (default 60; it starts
again from one second once the child has run a minute), and it never takes gunicorn down.
Only gunicorn ending on its own ends the command (with the others stopped), so the service
manager (systemd: ``Restart=``) restarts the set; SIGTERM / Ctrl+C stop everything.

Outside debug the demo centre is never loaded, and a database that holds the demo's
published passwords or keys makes every start warn loudly (``hotline.demo.detect``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

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
    line per request with the proxy-aware client address and the user (settings).  Eight
    threads per worker (``HOTLINE_THREADS``): a big upload holds its thread while it
    arrives at its paced rate (hotline.common.uploads), mostly waiting, not computing."""
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
        str(_env_int("HOTLINE_THREADS", 8)),
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
    """The roll-up loop, sealing finished days every ten minutes (docs/assessment.md;
    ``HOTLINE_ROLLUP_SECONDS`` changes the interval)."""
    every = _env_int("HOTLINE_ROLLUP_SECONDS", 600)
    return [sys.executable, "-m", "hotline.cli", "rollup", "--loop", str(max(1, every))]


def processes(role: str, *, host: str, port: int, workers: int) -> list[tuple[str, list[str]]]:
    """The long-running children of ``hotline run --role ROLE``, by name."""
    children = []
    if role in ("web", "all"):
        children.append(("web", gunicorn_process(host, port, workers)))
    if role in ("worker", "all"):
        children += [("worker", worker_process()), ("rollup", rollup_process())]
    return children


def _prometheus_dir() -> None:
    """gunicorn's workers count requests for ``/metrics`` in shared files
    (prometheus_client's multiprocess mode): ``PROMETHEUS_MULTIPROC_DIR``, by default
    ``VAR_DIR/prometheus``, emptied at every start (counters restart from zero, as
    Prometheus expects of a restarted target)."""
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.VAR_DIR / "prometheus")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


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
        if role != "worker":
            _prometheus_dir()
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
    def _start(name: str, argv: list[str]) -> Child:
        return Child(name, argv, supervised=name in SUPERVISED).start()

    def _wait(self, children: list[Child]) -> None:
        try:
            Supervisor(children, backoff_max=_env_int("HOTLINE_CHILD_BACKOFF_MAX", 60)).run()
        except ChildFailed as exc:
            raise CommandError(str(exc)) from None


# The children that are restarted when they die; the others (gunicorn) end the command.
SUPERVISED = frozenset({"worker", "rollup"})
# A child that ran this long before dying starts again after the shortest back-off.
STABLE_SECONDS = 60.0


class ChildFailed(Exception):
    """A child that is not supervised (gunicorn) ended on its own."""


@dataclass
class Child:
    name: str
    argv: list[str]
    supervised: bool
    popen: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = 0.0  # the next back-off, seconds; 0 before the first failure
    restart_at: float | None = None  # monotonic time of the next start, while dead

    def start(self) -> Child:
        self.popen = subprocess.Popen(self.argv)
        self.started_at = time.monotonic()
        self.restart_at = None
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


class Supervisor:
    """Watch the children until SIGTERM / Ctrl+C: restart a supervised child that died
    (after its back-off, logged on ``hotline.run``), fail when gunicorn ends."""

    def __init__(self, children: list[Child], *, backoff_max: float = 60.0) -> None:
        self.children = children
        self.backoff_max = max(1.0, float(backoff_max))
        self.stopping = False

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._on_sigterm)
        try:
            while not self.stopping:
                self.step(time.monotonic())
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def _on_sigterm(self, *_args) -> None:
        self.stopping = True

    def step(self, now: float) -> None:
        """One look at every child (``now``: ``time.monotonic()``)."""
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    log.warning("restarting %s (restart %d)", child.name, child.restarts)
                    try:
                        child.start()
                    except OSError:  # could not even start (no memory, no processes left)
                        log.exception("could not start %s", child.name)
                        child.backoff = min(max(child.backoff, 1.0) * 2, self.backoff_max)
                        child.restart_at = now + child.backoff
                continue
            assert child.popen is not None
            code = child.popen.poll()
            if code is None:
                continue
            if not child.supervised:
                raise ChildFailed(f"{child.name} 进程意外退出（退出码 {code}），已停止其余进程")
            ran = now - child.started_at
            child.backoff = (
                1.0
                if ran >= STABLE_SECONDS or not child.backoff
                else min(child.backoff * 2, self.backoff_max)
            )
            child.restart_at = now + child.backoff
            log.error(
                "%s exited (code %s) after %.0f s; restarting in %.0f s",
                child.name,
                code,
                ran,
                child.backoff,
            )

    def stop(self) -> None:
        for child in self.children:
            if child.alive():
                assert child.popen is not None
                child.popen.terminate()
        for child in self.children:
            if child.popen is None:
                continue
            try:
                child.popen.wait(timeout=40)
            except subprocess.TimeoutExpired:
                child.popen.kill()
                child.popen.wait()
