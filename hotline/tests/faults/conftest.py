"""The fault suite's stack (issue 13 item 7): real processes on PostgreSQL + Redis.

``hotline run --role all`` from this checkout (gunicorn, the worker and the roll-up loop under
one supervisor) on a database of its own (``<HOTLINE_DATABASE_URL's name>_faults``) and the
Redis database of ``HOTLINE_FAULTS_REDIS_URL``, reached through ``RedisGate`` — a TCP relay
the tests can cut, so Redis can be made unreachable for this stack alone (the Redis server
may be shared).  Outgoing SMS go to ``Provider``, an HTTP gateway that counts every request
per idempotency key: a duplicate is seen even if the key would have saved it.

Runs only when selected (``-m faults``, ``make test-faults``); every wait is bounded and the
processes, the database and the Redis database are removed even when a step fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
import redis
import requests

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
SEED = Path(__file__).with_name("seed.py")


def _topology():
    """The deploy topology test's process helpers (free ports, bounded waits, stopping
    process groups, creating and dropping a database), reused rather than repeated."""
    spec = importlib.util.spec_from_file_location(
        "hotline_topology_helpers", ROOT / "deploy" / "tests" / "test_topology.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


topology = _topology()
free_port = topology.free_port
wait_for = topology.wait_for
Proc = topology.Proc


def pytest_collection_modifyitems(config, items):
    """Deselected unless asked for by marker (``-m faults``): they take minutes and need
    PostgreSQL and Redis.  Deselection, not a skip: the default run does not list them."""
    wanted = "faults" in (config.option.markexpr or "") and "not faults" not in (
        config.option.markexpr or ""
    )
    if wanted:
        return
    keep = [i for i in items if not i.get_closest_marker("faults")]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i.get_closest_marker("faults")])
        items[:] = keep


# ---------------------------------------------------------------------------
# Redis behind a relay the test can cut


class RedisGate:
    """Relays 127.0.0.1:port ↔ the real Redis.  ``cut()`` closes every relayed connection
    and refuses new ones (accepted and closed at once) until ``restore()``."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open = True
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                self._close(s)

    def _close(self, s: socket.socket) -> None:
        with self.lock:
            self.sockets.discard(s)
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def cut(self) -> None:
        self.open = False
        with self.lock:
            live = list(self.sockets)
        for s in live:
            self._close(s)

    def restore(self) -> None:
        self.open = True

    def stop(self) -> None:
        self.stopped = True
        self.cut()
        self.server.close()


# ---------------------------------------------------------------------------
# the SMS provider


class Provider:
    """An HTTP SMS gateway that accepts everything and counts requests per key."""

    def __init__(self) -> None:
        counts: Counter[str] = Counter()
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                with lock:
                    counts[self.headers.get("Idempotency-Key", "")] += 1
                body = json.dumps({"id": secrets.token_hex(6)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.counts = counts
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


# ---------------------------------------------------------------------------
# the stack


def _database_url() -> str:
    url = os.environ.get("HOTLINE_DATABASE_URL", "")
    if urlparse(url).scheme.startswith("postgres"):
        parsed = urlparse(url)
        name = parsed.path.lstrip("/") or "hotline"
        return parsed._replace(path=f"/{name}_faults").geturl()
    return "postgres://postgres@127.0.0.1:5432/hotline_faults"


def children_of(pid: int) -> dict[str, int]:
    """The live children of ``pid`` by role: web (gunicorn's master), worker, rollup."""
    out: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid = fields[0], int(fields[1])
        if ppid != pid or state == "Z":
            continue
        for role, needle in (
            ("web", "gunicorn"),
            ("worker", "cli worker"),
            ("rollup", "cli rollup"),
        ):
            if needle in cmdline:
                out[role] = int(entry.name)
    return out


@dataclass
class Stack:
    base: str
    env: dict[str, str]
    db_url: str
    redis_url: str  # the real Redis (not through the gate)
    gate: RedisGate
    provider: Provider
    folder: Path
    channel_key: str = ""
    procs: list = field(default_factory=list)

    def hotline(self, *args: str, env=None, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(BIN / "hotline"), *args],
            env=env or self.env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, (
            f"hotline {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        )
        return result

    def start(self, name: str, *args: str, env=None) -> object:
        log = self.folder / f"{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(
                [str(BIN / "hotline"), *args],
                env=env or self.env,
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def sql(self, query: str, params=()) -> list[tuple]:
        with psycopg.connect(self.db_url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    def admin_sql(self, query: str) -> None:
        with psycopg.connect(topology._admin_url(self.db_url), autocommit=True) as conn:
            conn.execute(query)

    def enqueue_sweeps(self, n: int = 1) -> None:
        """Put ``n`` sweeps on the stack's queue (the real Redis), as the scheduler does."""
        from hotline.supervision.worker import build_huey, register

        tasks = register(build_huey(redis_url=self.redis_url, immediate=False))
        for _ in range(n):
            tasks["sweep"]()

    def last_sweep(self):
        rows = self.sql("SELECT at FROM supervision_heartbeat WHERE name = 'sweep'")
        return rows[0][0] if rows else None

    @property
    def run(self):
        """The ``hotline run --role all`` process."""
        return self.procs[0]

    def children(self) -> dict[str, int]:
        return children_of(self.run.popen.pid)

    def logs(self) -> str:
        return "\n".join(p.tail(60) for p in self.procs)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    redis_url = os.environ.get("HOTLINE_FAULTS_REDIS_URL", "redis://127.0.0.1:6379/2")
    parsed = urlparse(redis_url)
    db_url = _database_url()
    folder = Path(tempfile.mkdtemp(prefix="hotline-faults-"))
    real = redis.Redis.from_url(redis_url)
    gate = RedisGate((parsed.hostname or "127.0.0.1", parsed.port or 6379))
    provider = Provider()
    s: Stack | None = None
    try:
        topology._recreate_database(db_url)
        real.flushdb()
        env = {
            "PATH": f"{BIN}:/usr/bin:/bin",
            "HOME": str(folder),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),
            "HOTLINE_DEBUG": "false",
            "HOTLINE_SECRET_KEY": secrets.token_urlsafe(50),
            "HOTLINE_ALLOWED_HOSTS": "127.0.0.1",
            "HOTLINE_DATABASE_URL": db_url,
            "HOTLINE_REDIS_URL": f"redis://127.0.0.1:{gate.port}{parsed.path or '/0'}",
            "HOTLINE_VAR_DIR": str(folder / "var"),
            "HOTLINE_HOST": "127.0.0.1",
            "HOTLINE_PORT": str(free_port()),
            "HOTLINE_WORKERS": "2",
            "HOTLINE_MESSAGE_GATEWAY": "http",
            "HOTLINE_MESSAGE_GATEWAY_URL": provider.url,
            "HOTLINE_NOTIFY_CITIZENS": "false",
            "HOTLINE_CHILD_BACKOFF_MAX": "4",
            "HOTLINE_ROLLUP_SECONDS": "3",
            "HOTLINE_METRICS_TOKEN": "faults-metrics",
            "HOTLINE_ACCESS_LOG": "off",
        }
        s = Stack(
            base=f"http://127.0.0.1:{env['HOTLINE_PORT']}",
            env=env,
            db_url=db_url,
            redis_url=redis_url,
            gate=gate,
            provider=provider,
            folder=folder,
        )
        s.hotline("migrate")
        out = s.hotline(
            "apikey", "create", "--name", "故障测试", "--channel", "app", "--rate", "100000"
        )
        s.channel_key = out.stdout.strip().splitlines()[-1]
        run = s.start("run", "run", "--role", "all")
        wait_for(
            "the app server",
            lambda: requests.get(f"{s.base}/api/v1/health", timeout=5).status_code == 200,
            120,
            [run],
        )
        wait_for(
            "worker and rollup children", lambda: len(children_of(run.popen.pid)) == 3, 60, [run]
        )
        yield s
    finally:
        if s is not None:
            topology._stop(s.procs)
        gate.stop()
        provider.stop()
        try:
            real.flushdb()
        except redis.RedisError:
            pass
        try:
            topology._drop_database(db_url)
        except psycopg.Error:
            pass
