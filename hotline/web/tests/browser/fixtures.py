"""Browser-test fixtures (a pytest plugin loaded by the root ``conftest.py``): a real Chromium (Debian's, driven by Playwright) against pytest-django's live server.

``make browser-deps`` installs ``chromium`` and ``fonts-wqy-microhei`` (so Chinese renders
as text, not boxes).  Screenshots of every main page go to ``artifacts/screenshots/``.

Every page a browser test opens runs under the Content-Security-Policy: a violation (a
``securitypolicyviolation`` event or Chromium's "Refused to …" console message) fails the
test that caused it.  ``Person.axe()`` runs axe-core (npm, vendored like the other front-end
packages) on the page and returns its critical and serious violations.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API keeps an asyncio loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

# Reports every CSP violation of every page (and frame) of a context to the test.  Init
# scripts are run by the browser itself, so the policy does not block this one.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__hotlineCsp && window.__hotlineCsp(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} on ${location.pathname}`
  );
});
"""
AXE = "/static/vendor/axe-core/axe.min.js"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Person:
    """One person at one browser: ``open(path)``, ``shot(name)``, ``axe()``,
    ``scroll_width()``; ``csp_violations`` lists what the policy refused so far."""

    def __init__(self, context, base: str, prefix: str) -> None:
        self.context = context
        self.csp_violations: list[str] = []
        context.expose_binding(
            "__hotlineCsp", lambda _source, text: self.csp_violations.append(text)
        )
        context.add_init_script(script=CSP_LISTENER)
        context.on("console", self._console)
        self.page = context.new_page()
        self.base = base
        self.prefix = prefix

    def _console(self, message) -> None:
        text = message.text
        if message.type == "error" and "Content Security Policy" in text:
            self.csp_violations.append(f"console: {text}")

    def axe(self, *, impacts=("critical", "serious")) -> list[str]:
        """axe-core's violations of the open page at these impacts, one line each."""
        if not self.page.evaluate("() => !!window.axe"):
            self.page.add_script_tag(url=self.base + AXE)
        found = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, { resultTypes: ["violations"] });
                return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " — " + n.failureSummary.split(String.fromCharCode(10)).slice(1, 2).join("")) }));
            }"""
        )
        return [
            f"{v['impact']} {v['id']} ({v['help']}): " + " | ".join(v["nodes"])
            for v in found
            if v["impact"] in impacts
        ]

    def scroll_width(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollWidth"))

    def open(self, path: str):
        response = self.page.goto(self.base + path)
        return response

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.prefix}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def person(browser, live_server):
    """``person(user_or_None, prefix)``: a browser context signed in as ``user`` (by its
    session cookie), or an anonymous citizen when ``user`` is None."""
    contexts = []

    def make(user, prefix: str, viewport: dict | None = None) -> Person:
        ctx = browser.new_context(locale="zh-CN", viewport=viewport or DESKTOP)
        ctx.set_default_timeout(15_000)
        ctx.set_default_navigation_timeout(30_000)
        contexts.append(ctx)
        if user is not None:
            client = Client()
            client.force_login(user)
            ctx.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        person = Person(ctx, live_server.url, re.sub(r"[^\w-]", "", prefix))
        people.append(person)
        return person

    people: list[Person] = []
    yield make
    violations = [v for p in people for v in p.csp_violations]
    for ctx in contexts:
        ctx.close()
    if violations:
        pytest.fail(
            "the Content-Security-Policy refused:\n" + "\n".join(dict.fromkeys(violations)),
            pytrace=False,
        )
