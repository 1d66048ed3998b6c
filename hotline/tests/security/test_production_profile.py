"""Issue 15's "done when", in the production profile: a separate process started with
``HOTLINE_DEBUG=false`` (and a secret key, as production has) on its own SQLite file.

* 6 wrong passwords lock the account for that client on /login/, /admin/login/ and
  ``POST /api/v1/auth/token`` — the right password is then refused with 429;
* /api/docs and /api/openapi.json need a login (``HOTLINE_PUBLIC_API_DOCS`` unset);
* a 100,000-character adversarial appeal to the portal is refused (422) and a page carries
  the security headers.

The time of the refusal is measured by ``benchmarks/hardening.py``.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from hotline.org.models import User

    setup_test_environment()
    call_command("migrate", verbosity=0)
    out = {"debug": settings.DEBUG, "public_docs": settings.HOTLINE_PUBLIC_API_DOCS}
    PASSWORD = "Prod-Profile-2026"
    for n, path in enumerate(["/login/", "/admin/login/", "/api/v1/auth/token"]):
        user = User(username=f"prod_{n}", role="agent", is_staff=True)
        user.set_password(PASSWORD)
        user.save()
        def attempt(client, password, ip):
            if path.startswith("/api/"):
                body = json.dumps({"username": user.username, "password": password})
                return client.post(path, body, content_type="application/json", REMOTE_ADDR=ip)
            return client.post(path, {"username": user.username, "password": password},
                               REMOTE_ADDR=ip)
        attacker = Client()
        wrong = [attempt(attacker, "wrong-password!", "203.0.113.5").status_code
                 for _ in range(6)]
        right = attempt(attacker, PASSWORD, "203.0.113.5")
        elsewhere = attempt(Client(), PASSWORD, "198.51.100.8")
        out[path] = {"wrong": wrong, "right": right.status_code,
                     "elsewhere": elsewhere.status_code}
    anonymous = Client()
    out["docs"] = anonymous.get("/api/docs").status_code
    out["schema"] = anonymous.get("/api/openapi.json").status_code
    portal = anonymous.post("/portal/", {
        "title": "井盖缺失", "content": "a@" * 50000, "address": "康乐小区南门",
        "citizen_name": "李娜", "citizen_phone": "13987654321", "display_mode": "public"})
    out["portal"] = portal.status_code
    page = anonymous.get("/portal/")
    out["headers"] = {k: page.get(k, "") for k in
                      ("Cache-Control", "X-Frame-Options", "Referrer-Policy")}
    print(json.dumps(out))
    """
)


@pytest.mark.slow
def test_the_production_profile_locks_out_on_every_login_path(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hotline.settings",
        "HOTLINE_DEBUG": "false",
        "HOTLINE_SECRET_KEY": secrets.token_urlsafe(50),
        "HOTLINE_ALLOWED_HOSTS": "testserver",
        "HOTLINE_VAR_DIR": str(tmp_path),
        "HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    env.pop("HOTLINE_PUBLIC_API_DOCS", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["debug"] is False and out["public_docs"] is False
    for path in ("/login/", "/admin/login/", "/api/v1/auth/token"):
        result = out[path]
        assert result["wrong"][-2:] == [429, 429], (path, result)
        assert result["right"] == 429, (path, result)  # locked for that client
        assert result["elsewhere"] in (200, 302), (path, result)  # not for the real user
    assert out["docs"] == 302 and out["schema"] == 401
    assert out["portal"] == 422
    assert "no-store" in out["headers"]["Cache-Control"]
    assert out["headers"]["X-Frame-Options"] == "DENY"
    assert out["headers"]["Referrer-Policy"] == "same-origin"
