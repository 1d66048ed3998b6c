"""The production topology, for real (issue 12 "Done when").

The wheel from ``make dist`` is installed into a clean virtualenv (no checkout on the path,
no extras); the example environment file ``deploy/hotline.env`` configures it, pointed at
this test's own PostgreSQL database and Redis; ``hotline migrate`` runs on two "machines"
at once; two app servers (``hotline run --role web``, two gunicorn workers each, their
own VAR_DIR as on separate machines) and one ``--role worker`` start; Debian's nginx runs
``deploy/nginx/hotline.conf`` (test addresses substituted) with a self-signed certificate.
Everything is driven through https://127.0.0.1:PORT, as a citizen and as staff.

Clients come from distinct loopback addresses (127.0.0.2, 127.0.0.3 …: all of 127/8 is
local on Linux), so nginx's X-Forwarded-For carries distinct citizens while nginx itself
reaches the app servers from 127.0.0.1, the trusted proxy.

Runs once, from ``make test-deploy`` (part of ``make test``); every wait is bounded and the
processes, the database and the Redis database are removed even when a step fails.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
import redis
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parents[2]
NGINX = Path("/usr/sbin/nginx")
MIME_TYPES = Path("/etc/nginx/mime.types")
PASSWORD = "Topology-test-passw0rd"
CITIZEN_PHONE = "13912345678"
CITIZEN_NAME = "欧阳测试"
CITIZEN_ID = "150302199001011234"
PORTAL_LIMIT = 2
READY_SECONDS = 120
# what the first admin opens (the role pages of staff render the same templates)
PAGES = (
    "/",
    "/orders/",
    "/intake/",
    "/review/",
    "/inbox/",
    "/supervision/",
    "/callbacks/",
    "/dashboard/",
    "/analytics/",
    "/analytics/assessment/",
    "/analytics/hotspots/",
    "/analytics/report/",
    "/analytics/wall/",
    "/knowledge/",
    "/admin/",
    "/admin/org/unit/",
    "/api/docs",
    "/portal/track/",
)


_STARTED = time.monotonic()


def step(what: str) -> None:
    """Progress on stdout (shown with -s): where the minutes go."""
    print(f"[{time.monotonic() - _STARTED:6.1f}s] {what}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check: Callable[[], bool], timeout: float, procs=()) -> None:
    """Poll ``check`` until true; fail naming ``what`` after ``timeout`` seconds or as soon
    as one of ``procs`` has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.popen.poll() is not None:
                pytest.fail(
                    f"{proc.name} exited ({proc.popen.returncode}) while waiting for {what}:\n{proc.tail()}"
                )
        try:
            if check():
                return
        except (requests.RequestException, OSError, psycopg.Error):
            pass
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


class FromAddress(HTTPAdapter):
    """Connect from a chosen local address (a distinct citizen on loopback)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def session_from(address: str, ca: Path) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE would override the test's certificate
    s.verify = str(ca)
    s.mount("https://", FromAddress(address))
    s.mount("http://", FromAddress(address))
    return s


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


@dataclass
class Stack:
    base: str  # https://127.0.0.1:PORT (nginx)
    http_base: str  # http://127.0.0.1:PORT (nginx's redirecting server)
    apps: list[str]  # http://127.0.0.1:PORT of each app server, direct
    ca: Path
    venv: Path
    env: dict[str, str]
    db_url: str
    procs: list[Proc] = field(default_factory=list)
    channel_key: str = ""

    def hotline(self, *args: str, input: str | None = None, timeout: float = 180, env=None):
        return subprocess.run(
            [str(self.venv / "bin" / "hotline"), *args],
            env=env or self.env,
            cwd=self.env["HOME"],
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def client(self, address: str = "127.0.0.2") -> requests.Session:
        return session_from(address, self.ca)

    def logs(self) -> str:
        return "\n".join(p.log.read_text(errors="replace") for p in self.procs if p.log.exists())


# ---------------------------------------------------------------------------
# set-up pieces


def _wheel() -> Path:
    """The wheel of ``make dist`` (built now if missing or older than the sources)."""
    sources = [
        p for p in (ROOT / "hotline").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    newest = max(p.stat().st_mtime for p in sources + [ROOT / "pyproject.toml"])
    wheels = sorted((ROOT / "dist").glob("hotline-*.whl"))
    if len(wheels) != 1 or wheels[0].stat().st_mtime < newest:
        subprocess.run(
            ["make", "-s", "dist"], cwd=ROOT, check=True, timeout=300, capture_output=True
        )
        wheels = sorted((ROOT / "dist").glob("hotline-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _check_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "hotline/templates/base.html",
        "hotline/web/static/vendor/htmx/htmx.min.js",
        "hotline/web/static/vendor/echarts/echarts.min.js",
        "hotline/web/templates/web/portal/submit.html",
        "hotline/common/migrations/0001_i12_rate_window.py",
        "hotline/orders/migrations/0001_initial.py",
    ):
        assert needed in names, f"{needed} missing from {wheel.name}"
    assert not [n for n in names if "/tests/" in n], "tests are not shipped"


def _install(wheel: Path, venv: Path) -> None:
    """A clean venv (no pip of its own, nothing from the checkout) with the wheel and its
    declared dependencies only, installed by the project's pip (``--no-compile``: byte-code
    is written on first import instead, which saves most of the install's CPU time)."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = str(venv / "bin" / "python")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "-q",
            "--no-compile",
            str(wheel),
        ],
        check=True,
        timeout=600,
    )


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    crt, pem = folder / "hotline.crt", folder / "hotline.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pem.chmod(0o600)
    return crt, pem


def _replace(text: str, old: str, new: str, count: int = 1) -> str:
    """Substitute a line of the shipped config; fails if the config no longer has it."""
    assert text.count(old) == count, f"deploy/nginx/hotline.conf: expected {count}× {old!r}"
    return text.replace(old, new)


def _nginx_conf(
    folder: Path, *, https: int, http: int, apps: list[int], crt: Path, key: Path, static: Path
) -> Path:
    site = (ROOT / "deploy" / "nginx" / "hotline.conf").read_text()
    site = _replace(site, "server 10.0.0.11:8000", f"server 127.0.0.1:{apps[0]}")
    site = _replace(site, "server 10.0.0.12:8000", f"server 127.0.0.1:{apps[1]}")
    site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = _replace(site, "listen 80;", f"listen 127.0.0.1:{http};")
    site = _replace(site, "server_name 12345.example.gov.cn;", "server_name 127.0.0.1;", 2)
    site = _replace(site, "/etc/ssl/certs/hotline.crt", str(crt))
    site = _replace(site, "/etc/ssl/private/hotline.key", str(key))
    site = _replace(site, "alias /var/lib/hotline/static/;", f"alias {static}/;")
    site = _replace(site, "/var/log/nginx/hotline.access.log", str(folder / "access.log"))
    site = _replace(site, "/var/log/nginx/hotline.error.log", str(folder / "error.log"))
    (folder / "site.conf").write_text(site)
    temp = {k: folder / k for k in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for p in temp.values():
        p.mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "main-error.log"} notice;
events {{ worker_connections 256; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {folder / "site.conf"};
}}
"""
    )
    return conf


def _env_file() -> dict[str, str]:
    values = {}
    for line in (ROOT / "deploy" / "hotline.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _database_url() -> str:
    url = os.environ.get("HOTLINE_DATABASE_URL", "")
    if urlparse(url).scheme.startswith("postgres"):
        parsed = urlparse(url)
        name = parsed.path.lstrip("/") or "hotline"
        return parsed._replace(path=f"/{name}_deploy").geturl()
    return "postgres://postgres@127.0.0.1:5432/hotline_deploy"


def _admin_url(url: str) -> str:
    return urlparse(url)._replace(path="/postgres").geturl()


def _recreate_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start(stack: Stack, name: str, argv: list[str], env: dict[str, str], folder: Path) -> Proc:
    log = folder / f"{name}.log"
    with open(log, "wb") as out:
        popen = subprocess.Popen(
            argv,
            env=env,
            cwd=env.get("HOME", str(folder)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proc = Proc(name, popen, log)
    stack.procs.append(proc)
    return proc


def _stop(procs: list[Proc]) -> None:
    """SIGTERM each process group (``hotline run`` stops its children itself), then kill
    whatever is left after a grace period."""
    for proc in procs:
        if proc.popen.poll() is None:
            try:
                os.killpg(proc.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 20
    for proc in procs:
        try:
            proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.popen.pid, signal.SIGKILL)  # stragglers of the group
        except ProcessLookupError:
            pass
        try:
            proc.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _run_together(stack: Stack, *commands: tuple[list[str], str | None, dict | None]) -> list[str]:
    """Run ``hotline`` commands at the same time (each is mostly start-up: importing Django
    and the apps); fail with the output of any that fails.  Returns their stdouts."""
    procs = [
        subprocess.Popen(
            [str(stack.venv / "bin" / "hotline"), *args],
            env=env or stack.env,
            cwd=stack.env["HOME"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args, _input, env in commands
    ]
    outs = []
    for proc, (args, stdin, _env) in zip(procs, commands, strict=True):
        out, err = proc.communicate(stdin, timeout=300)
        assert proc.returncode == 0, f"hotline {' '.join(args)}:\n{out}\n{err}"
        outs.append(out)
    return outs


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    assert NGINX.exists(), "nginx is missing: run `make deploy-deps` (part of `make test`)"
    redis_url = os.environ.get("HOTLINE_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/1")
    db_url = _database_url()
    # world-readable (0755): nginx's workers run as an unprivileged user and read static/
    folder = Path(tempfile.mkdtemp(prefix="hotline-deploy-"))
    folder.chmod(0o755)
    stack: Stack | None = None
    queue = redis.Redis.from_url(redis_url)
    try:
        wheel = _wheel()
        _check_wheel_contents(wheel)
        step("wheel checked")
        venv = folder / "venv"
        _install(wheel, venv)
        step("wheel installed into a clean venv")
        _recreate_database(db_url)
        queue.flushdb()

        home = folder / "home"
        home.mkdir()
        secret_file = folder / "secret_key"
        secret_file.write_text(secrets.token_urlsafe(50))
        https, http, app1, app2 = (free_port() for _ in range(4))
        env = {
            "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",  # as the systemd units set it: lines reach the log at once
            **_env_file(),
        }
        assert env["HOTLINE_DEBUG"] == "false" and env["HOTLINE_HTTPS"] == "true"
        env.update(
            HOTLINE_SECRET_KEY_FILE=str(secret_file),
            HOTLINE_ALLOWED_HOSTS="127.0.0.1",
            HOTLINE_TRUSTED_PROXIES="127.0.0.1",
            HOTLINE_DATABASE_URL=db_url,
            HOTLINE_REDIS_URL=redis_url,
            HOTLINE_VAR_DIR=str(folder / "var-worker"),
            HOTLINE_HOST="127.0.0.1",
            # one gunicorn worker per app server: two servers already make two processes
            # that must agree on every count; the machine running the test has few cores
            HOTLINE_WORKERS="1",
            HOTLINE_PORTAL_SUBMISSIONS=str(PORTAL_LIMIT),
        )
        crt, key = _certificate(folder)
        stack = Stack(
            base=f"https://127.0.0.1:{https}",
            http_base=f"http://127.0.0.1:{http}",
            apps=[f"http://127.0.0.1:{app1}", f"http://127.0.0.1:{app2}"],
            ca=crt,
            venv=venv,
            env=env,
            db_url=db_url,
        )

        # an app server will not start on a database that is not migrated …
        refused = stack.hotline("run", "--role", "web", "--check")
        assert refused.returncode != 0 and "hotline migrate" in refused.stderr, refused.stderr
        # … and two machines migrating at once take turns (advisory lock)
        _run_together(stack, (["migrate"], None, None), (["migrate"], None, None))
        step("migrated twice at once")

        # a centre's first accounts, a unit, a channel client — no demo anything; and the
        # web machine collects static files for nginx, like ExecStartPre of the unit
        web1_env = {**env, "HOTLINE_VAR_DIR": str(folder / "var-web1")}
        web2_env = {**env, "HOTLINE_VAR_DIR": str(folder / "var-web2")}
        password = PASSWORD + "\n"
        outs = _run_together(
            stack,
            (["createuser", "boss", "--role", "admin", "--password-file", "-"], password, None),
            (["createuser", "agent1", "--role", "agent", "--password-file", "-"], password, None),
            (
                ["createuser", "reviewer1", "--role", "reviewer", "--password-file", "-"],
                password,
                None,
            ),
            (["apikey", "create", "--name", "市民APP", "--channel", "app"], None, None),
            (
                [
                    "manage",
                    "shell",
                    "-c",
                    "import hotline; from hotline.org.models import Unit; print('FILE', hotline.__file__); "
                    "print('UNIT', Unit.objects.create(code='t-zjj', name='海勃湾区住房和城乡建设局', "
                    "kind='department').pk)",
                ],
                None,
                None,
            ),
            (["manage", "collectstatic", "--noinput", "-v", "0"], None, web1_env),
        )
        stack.channel_key = outs[3].strip().splitlines()[-1]
        said = dict(
            line.split(" ", 1) for line in outs[4].splitlines() if line[:5] in ("FILE ", "UNIT ")
        )
        where, unit_id = said["FILE"], said["UNIT"]
        # the installed package runs, not the checkout
        assert where.startswith(str(venv)) and not where.startswith(str(ROOT)), where
        stack.env["UNIT_ID"] = unit_id
        step("accounts, unit, channel key, static files")

        hotline = str(venv / "bin" / "hotline")
        webs = [
            _start(stack, name, [hotline, "run", "--role", "web", "--port", str(port)], e, folder)
            for name, port, e in (("web1", app1, web1_env), ("web2", app2, web2_env))
        ]
        worker = _start(stack, "worker", [hotline, "run", "--role", "worker"], env, folder)
        conf = _nginx_conf(
            folder,
            https=https,
            http=http,
            apps=[app1, app2],
            crt=crt,
            key=key,
            static=folder / "var-web1" / "static",
        )
        tested = subprocess.run(
            [str(NGINX), "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30
        )
        assert tested.returncode == 0, tested.stderr
        nginx = _start(stack, "nginx", [str(NGINX), "-c", str(conf)], env, folder)

        for url in stack.apps:
            wait_for(
                f"{url}/api/v1/health",
                lambda url=url: requests.get(f"{url}/api/v1/health", timeout=5).status_code == 200,
                READY_SECONDS,
                [*webs, worker, nginx],
            )
        wait_for(
            "nginx",
            lambda: requests.get(f"{stack.base}/api/v1/health", verify=str(crt), timeout=5).ok,
            30,
            [nginx],
        )
        step("two app servers, a worker and nginx are up")
        yield stack
    finally:
        if stack is not None:
            _stop(stack.procs)
            step("processes stopped")
            if os.environ.get("HOTLINE_DEPLOY_SHOW_LOGS"):
                print(stack.logs())
        try:
            _drop_database(db_url)
        except psycopg.Error:
            pass
        step("database dropped")
        try:
            queue.flushdb()
        except redis.RedisError:
            pass
        # the venv is thousands of files: removed in the background, the test does not wait
        subprocess.Popen(
            ["rm", "-rf", "--", str(folder)],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        step("torn down")


# ---------------------------------------------------------------------------
# the tests, in the order a new centre would try things


def csrf_post(
    s: requests.Session, base: str, path: str, data: dict, headers: dict | None = None
) -> requests.Response:
    """GET the form (for the CSRF cookie and token), then POST it as a browser on
    https://… would (Referer of the https origin; the cookie sent even when the test talks
    plain HTTP straight to an app server, which a browser's Secure cookie would not be)."""
    headers = dict(headers or {})
    page = s.get(f"{base}{path}", headers=headers, timeout=30)
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the form"
    # the form's other hidden fields: its one-time token (hotline.web.once) among them
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    set_cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", ""))
    cookie = set_cookie.group(1) if set_cookie else s.cookies.get("csrftoken")
    origin = base.replace("http://", "https://")
    return s.post(
        f"{base}{path}",
        data={**hidden, **data, "csrfmiddlewaretoken": token.group(1)},
        headers={**headers, "Referer": f"{origin}{path}"},
        cookies={"csrftoken": cookie},
        allow_redirects=False,
        timeout=30,
    )


def test_pages_are_served_over_https_with_secure_cookies_and_hsts(stack):
    s = stack.client()
    for path in ("/login/", "/portal/"):
        r = s.get(f"{stack.base}{path}", timeout=30)
        assert r.status_code == 200, (path, r.status_code)
        assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = requests.get(f"{stack.http_base}/portal/", allow_redirects=False, timeout=30)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    assert json.loads(s.get(f"{stack.base}/api/v1/health", timeout=30).text)["demo_data"] is False

    r = csrf_post(s, stack.base, "/login/", {"username": "boss", "password": PASSWORD})
    assert r.status_code == 302, r.text[:500]
    cookies = {c.name: c for c in s.cookies}
    assert cookies["sessionid"].secure and cookies["csrftoken"].secure
    assert "HttpOnly" in r.headers["Set-Cookie"]
    # every part of the installed package renders: templates, static files and the apps
    # whose pages load on first use (xlsx, the classifier, charts) are in the wheel
    broken = {}
    for path in PAGES:
        got = s.get(f"{stack.base}{path}", timeout=60)
        if got.status_code != 200:
            broken[path] = got.status_code
    assert not broken, broken


def test_demo_credentials_do_not_exist(stack):
    s = stack.client()
    r = s.post(
        f"{stack.base}/api/v1/auth/token",
        json={"username": "admin", "password": "hotline12345"},
        timeout=30,
    )
    assert r.status_code == 401
    for channel in ("grid", "app", "portal", "phone", "miniprogram"):
        r = s.get(
            f"{stack.base}/api/v1/channel/updates",
            headers={"X-Api-Key": f"hk_demo_{channel}"},
            timeout=30,
        )
        assert r.status_code == 401, channel


def test_an_appeal_comes_in_through_the_channel_api_and_is_dispatched(stack):
    s = stack.client()
    sent = s.post(
        f"{stack.base}/api/v1/channel/appeals",
        json={
            "title": "小区楼顶漏水",
            "content": f"康乐小区3号楼顶楼漏水，联系人身份证 {CITIZEN_ID}。",
            "address": "海勃湾区新华街道康乐小区3号楼",
            "citizen_name": CITIZEN_NAME,
            "phone": CITIZEN_PHONE,
        },
        headers={"X-Api-Key": stack.channel_key, "Idempotency-Key": "topology-1"},
        timeout=30,
    )
    assert sent.status_code in (200, 201), sent.text
    number = sent.json()["number"]

    def token(username: str) -> dict:
        r = s.post(
            f"{stack.base}/api/v1/auth/token",
            json={"username": username, "password": PASSWORD},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    agent, reviewer = token("agent1"), token("reviewer1")
    r = s.post(
        f"{stack.base}/api/v1/orders/{number}/accept",
        json={"category": "housing_maintenance", "appeal_type": "help"},
        headers=agent,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert (
        s.post(f"{stack.base}/api/v1/orders/{number}/submit", headers=agent, timeout=30).status_code
        == 200
    )
    r = s.post(
        f"{stack.base}/api/v1/orders/{number}/dispatch",
        json={"lead_unit": int(stack.env["UNIT_ID"])},
        headers=reviewer,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"]["code"] == "dispatched"


APPEAL = {
    "title": "路灯不亮",
    "content": "人民路路灯连续三晚不亮",
    "address": "海勃湾区人民路",
    "appeal_type": "help",
    "citizen_name": CITIZEN_NAME,
    "citizen_phone": CITIZEN_PHONE,
    "display_mode": "public",
    "consent": "on",  # the privacy notice accepted
}
ACCEPTED = 302  # the portal answers a filed appeal with its receipt (POST/redirect/GET)


def test_portal_limit_counts_each_citizen_across_both_app_servers(stack):
    """Two app servers × two workers share one count per citizen (database), citizens are
    told apart by nginx's X-Forwarded-For, and a forged header changes nothing."""
    a = stack.client("127.0.0.2")

    def appeal(n: int) -> dict:
        # a different appeal each time: the portal answers a repeat of the same form with
        # its first receipt before counting (hotline.web.once, same_content)
        return {**APPEAL, "content": f"{APPEAL['content']}（第{n}次反映）"}

    statuses = [
        csrf_post(a, stack.base, "/portal/", appeal(n)).status_code for n in range(PORTAL_LIMIT + 2)
    ]
    assert statuses == [ACCEPTED] * PORTAL_LIMIT + [429, 429], statuses
    # citizen A pretends to be someone else: nginx appends A's address, which the app reads
    forged = csrf_post(
        a, stack.base, "/portal/", appeal(9), headers={"X-Forwarded-For": "198.51.100.7"}
    )
    assert forged.status_code == 429
    b = stack.client("127.0.0.3")
    assert csrf_post(b, stack.base, "/portal/", APPEAL).status_code == ACCEPTED
    # straight to an app server from an address that is not a trusted proxy: its
    # X-Forwarded-For (naming the exhausted citizen A) is ignored, the peer is counted
    direct = stack.client("127.0.0.5")
    r = csrf_post(
        direct,
        stack.apps[0],
        "/portal/",
        APPEAL,
        headers={"X-Forwarded-For": "127.0.0.2", "X-Forwarded-Proto": "https"},
    )
    assert r.status_code == ACCEPTED


def test_static_files_come_from_nginx(stack):
    r = stack.client().get(f"{stack.base}/static/vendor/htmx/htmx.min.js", timeout=30)
    assert r.status_code == 200 and "htmx" in r.text[:2000]
    assert "max-age=604800" in r.headers["Cache-Control"]  # nginx's `expires 7d`
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "/static/" not in stack.logs()  # no app server saw the request


def test_the_worker_role_runs_the_rollup_on_postgresql_and_the_queue_on_redis(stack):
    def sealed() -> bool:
        with psycopg.connect(stack.db_url) as conn:
            return conn.execute("SELECT count(*) FROM analytics_rollupstate").fetchone()[0] > 0

    wait_for("the first roll-up", sealed, 60)
    wait_for("the worker's first sweep", lambda: "supervision.sweep" in stack.logs(), 90)
    assert "queue in Redis" in stack.logs()


def test_access_log_has_client_and_user_but_no_personal_data(stack):
    s = stack.client("127.0.0.3")
    r = s.post(
        f"{stack.base}/api/v1/auth/token",
        json={"username": "agent1", "password": PASSWORD},
        timeout=30,
    )
    bearer = {"Authorization": f"Bearer {r.json()['token']}"}
    s.get(f"{stack.base}/api/v1/orders", params={"q": CITIZEN_PHONE}, headers=bearer, timeout=30)
    wait_for("the access log line", lambda: '"GET /api/v1/orders?q=" 200' in stack.logs(), 10)
    logs = stack.logs()
    line = next(x for x in logs.splitlines() if '"GET /api/v1/orders?q=" 200' in x)
    assert " 127.0.0.3 user=" in line and "user=-" not in line
    assert ' 127.0.0.2 user=- "POST /portal/" 429' in logs
    for secret in (CITIZEN_PHONE, CITIZEN_NAME, CITIZEN_ID):
        assert secret not in logs, secret
