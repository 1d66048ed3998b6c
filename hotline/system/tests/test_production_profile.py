"""The production profile (issue 12): settings that refuse to start wrong, HTTPS behind a
proxy, the deployment check silent on the documented configuration, process roles,
``hotline migrate`` as the deploy step, and no demo data unless asked for in debug.

These start ``hotline`` as a separate process (settings are read once, at start) on their
own SQLite file, whatever database the suite runs on."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from hotline.settings import default_var_dir

ROOT = Path(__file__).resolve().parents[3]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """``deploy/hotline.env`` as an operator fills it in, on a SQLite file in ``tmp_path``."""
    # nothing of the test process's own configuration (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment check rightly refuses)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "DJANGO_"))}
    for line in (ROOT / "deploy" / "hotline.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    key = tmp_path / "secret_key"
    key.write_text(secrets.token_urlsafe(50))
    env.update(
        HOTLINE_SECRET_KEY_FILE=str(key),
        HOTLINE_VAR_DIR=str(tmp_path / "var"),
        HOTLINE_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="hotline.settings",
    )
    env.pop("HOTLINE_REDIS_URL", None)
    env.update(extra)
    return env


def hotline(env: dict[str, str], *args: str, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "session_secure": s.SESSION_COOKIE_SECURE,
    "csrf_secure": s.CSRF_COOKIE_SECURE,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "hsts": s.SECURE_HSTS_SECONDS,
    "proxy_header": s.SECURE_PROXY_SSL_HEADER,
    "csrf_origins": s.CSRF_TRUSTED_ORIGINS,
    "proxies": [str(n) for n in s.HOTLINE_TRUSTED_PROXIES],
    "demo_allowed": s.HOTLINE_DEMO_ALLOWED,
}))
"""


def _settings(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_https_turns_on_secure_cookies_hsts_redirect_and_the_proxy_header(tmp_path):
    env = production_env(tmp_path, HOTLINE_ALLOWED_HOSTS="12345.example.gov.cn,.wuhai.gov.cn")
    on = _settings(env)
    assert on["debug"] is False and on["demo_allowed"] is False
    assert on["session_secure"] and on["csrf_secure"] and on["ssl_redirect"]
    assert on["hsts"] == 31536000
    assert on["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert on["csrf_origins"] == ["https://12345.example.gov.cn", "https://*.wuhai.gov.cn"]
    assert on["proxies"] == ["10.0.0.10/32"]
    off = _settings({**env, "HOTLINE_HTTPS": "false"})
    assert not off["session_secure"] and not off["ssl_redirect"] and off["proxy_header"] is None


def test_the_deployment_check_is_silent_on_the_documented_configuration(tmp_path):
    """README §3 / deploy/hotline.env with HOTLINE_HTTPS=true: no warning at all."""
    env = production_env(tmp_path)
    assert env["HOTLINE_HTTPS"] == "true" and env["HOTLINE_DEBUG"] == "false"
    result = hotline(env, "manage", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_without_https_the_deployment_check_does_warn(tmp_path):
    """The check above can fail: the same configuration over plain HTTP warns."""
    result = hotline(production_env(tmp_path, HOTLINE_HTTPS="false"), "manage", "check", "--deploy")
    assert "security.W008" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"HOTLINE_ALLOWED_HOSTS": ""}, "HOTLINE_ALLOWED_HOSTS must be set"),
        ({"HOTLINE_ALLOWED_HOSTS": "*"}, "HOTLINE_ALLOWED_HOSTS='*' is refused"),
        ({"HOTLINE_SECRET_KEY_FILE": "", "HOTLINE_SECRET_KEY": "x" * 40}, "50 random characters"),
        ({"HOTLINE_SECRET_KEY_FILE": "/nonexistent/key"}, "HOTLINE_SECRET_KEY_FILE"),
        ({"HOTLINE_TRUSTED_PROXIES": "10.0.0.1,nginx"}, "HOTLINE_TRUSTED_PROXIES"),
        ({"HOTLINE_HTTPS": "sometimes"}, "HOTLINE_HTTPS"),
        ({"HOTLINE_ACCESS_LOG": "relative/access.log"}, "HOTLINE_ACCESS_LOG"),
        ({"HOTLINE_LOG_LEVEL": "LOUD"}, "HOTLINE_LOG_LEVEL"),
        ({"HOTLINE_VAR_DIR": "/proc/hotline"}, "HOTLINE_VAR_DIR"),
        ({"HOTLINE_HSTS_SECONDS": "a year"}, "HOTLINE_HSTS_SECONDS"),
    ],
)
def test_a_bad_production_setting_stops_hotline_naming_the_variable(tmp_path, extra, needle):
    result = hotline(production_env(tmp_path, **extra), "manage", "check")
    assert result.returncode == 2, result.stdout + result.stderr
    assert needle in result.stderr and "配置错误" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_var_dir_default_never_points_into_site_packages(tmp_path):
    from hotline import settings

    assert default_var_dir(True, {}) == settings.BASE_DIR / "var"
    assert default_var_dir(False, {"STATE_DIRECTORY": "/var/lib/hotline"}) == Path(
        "/var/lib/hotline"
    )
    assert default_var_dir(False, {"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "hotline"
    assert default_var_dir(False, {}) == Path.home() / ".local" / "share" / "hotline"


@pytest.mark.slow
def test_production_migrates_as_a_deploy_step_and_never_loads_demo_data(tmp_path):
    """``--role web`` refuses an unmigrated database; ``hotline migrate`` is the deploy step;
    ``hotline run`` (all) in production migrates but loads no demo centre and ``hotline
    demo`` refuses; demo credentials put there anyway make every start warn loudly."""
    env = production_env(tmp_path)
    refused = hotline(env, "run", "--role", "web", "--check")
    assert refused.returncode == 1 and "hotline migrate" in refused.stderr, refused.stderr

    migrated = hotline(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "已执行" in migrated.stdout
    assert hotline(env, "migrate", "--check").returncode == 0

    ran = hotline(env, "run", "--check")
    assert ran.returncode == 0, ran.stderr
    assert "演示" not in ran.stdout + ran.stderr
    count = "from hotline.org.models import User; from hotline.channels.models import ChannelClient; print(User.objects.count(), ChannelClient.objects.count())"
    counted = hotline(env, "manage", "shell", "-c", count).stdout.strip().splitlines()[-1]
    assert counted.split() == ["0", "0"]

    demo = hotline(env, "demo")
    assert demo.returncode != 0 and "--force" in demo.stderr

    plant = (
        "from hotline.org.models import User; from hotline.channels.models import ChannelClient; "
        "u = User(username='admin', role='admin'); u.set_password('hotline12345'); u.save(); "
        "ChannelClient.issue('网格', 'grid', raw_key='hk_demo_grid')"
    )
    assert hotline(env, "manage", "shell", "-c", plant).returncode == 0
    warned = hotline(env, "run", "--role", "web", "--check")
    assert warned.returncode == 0, warned.stderr
    assert "警告" in warned.stderr and "1 个使用公开演示密码的账号" in warned.stderr
    assert "hk_demo_" in warned.stderr
