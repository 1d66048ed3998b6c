"""Content-Security-Policy (issue 15 item 4): every page says where script and style may
come from — this origin only, nothing inline, no eval — and the templates keep to it: no
inline ``<script>`` or ``<style>``, no ``style=""`` or ``on…=""`` attribute anywhere.
The browser tests fail on any violation the policy reports (browser/fixtures.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.usefixtures("now")

PACKAGE = Path(settings.BASE_DIR) / "hotline"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _assert_strict(response, url: str) -> None:
    policy = _policy(response)
    for directive in ("script-src", "style-src"):
        assert policy[directive] == ["'self'"], (url, directive, policy[directive])
    assert policy["default-src"] == ["'self'"], url
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], url
    assert "unsafe" not in response["Content-Security-Policy"], url


@pytest.mark.parametrize(
    "role, urls",
    [
        ("agent", ["/intake/", "/intake/queue/", "/orders/", "/knowledge/"]),
        ("reviewer", ["/review/", "/orders/"]),
        ("clerk", ["/inbox/", "/analytics/assessment/"]),
        ("supervisor", ["/supervision/"]),
        ("callback_agent", ["/callbacks/"]),
        (
            "leader",
            [
                "/analytics/",
                "/analytics/assessment/",
                "/analytics/report/",
                "/analytics/hotspots/",
                "/analytics/wall/",
            ],
        ),
    ],
)
def test_main_pages_carry_a_strict_policy(request, web, role, urls):
    client = web(request.getfixturevalue(role))
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        _assert_strict(r, url)


def test_public_pages_carry_the_policy_too(db):
    for url in ("/login/", "/portal/", "/portal/track/"):
        r = Client().get(url)
        assert r.status_code == 200, url
        _assert_strict(r, url)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), 'style="" attribute'),
    (re.compile(r"\son[a-z]+\s*=", re.I), 'on…="" handler'),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]
# a <script type="application/json"> data island (json_script) is data, not script
DATA_ISLAND = re.compile(r'<script[^>]*type="application/json"', re.I)


def test_no_template_carries_inline_script_or_style():
    found = []
    templates = sorted(PACKAGE.glob("**/templates/**/*.html"))
    assert len(templates) > 40
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for m in pattern.finditer(text):
                if what == "inline <script>" and DATA_ISLAND.match(m.group(0)):
                    continue
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(PACKAGE)}:{line}: {what}")
    assert not found, "\n".join(found)
