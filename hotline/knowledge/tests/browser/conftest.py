# The workbench's real-Chromium fixtures (``browser``, ``person``).
from hotline.web.tests.browser.conftest import browser, person  # noqa: F401
