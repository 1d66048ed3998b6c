"""Settings for the test suite: the project's settings with test files under ``var/test``.

pytest-django imports settings before the root ``conftest.py`` runs, so the test-only
defaults are set here, before ``hotline.settings`` reads the environment."""

import os
from pathlib import Path

os.environ.setdefault(
    "HOTLINE_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test")
)
# The citizen's SMS at acceptance, reply and closing are switched on by the tests that are
# about them (hotline/callbacks/tests); elsewhere the outbox holds only what a test is about.
os.environ.setdefault("HOTLINE_NOTIFY_CITIZENS", "false")

from hotline.settings import *  # noqa: F403

# Logins are exercised by the hundred (lock-out tests); the production hasher's cost is the
# point in production and only slowness here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
