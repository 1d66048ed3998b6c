"""Browser-test fixtures (a pytest plugin loaded by the root ``conftest.py``): a real Chromium (Debian's, driven by Playwright) against pytest-django's live server.

``make browser-deps`` installs ``chromium`` and ``fonts-wqy-microhei`` (so Chinese renders
as text, not boxes).  Screenshots of every main page go to ``artifacts/screenshots/``.
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
    """One person at one browser: ``open(path)``, ``shot(name)``."""

    def __init__(self, context, base: str, prefix: str) -> None:
        self.context = context
        self.page = context.new_page()
        self.base = base
        self.prefix = prefix

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

    def make(user, prefix: str) -> Person:
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
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
        return Person(ctx, live_server.url, re.sub(r"[^\w-]", "", prefix))

    yield make
    for ctx in contexts:
        ctx.close()
