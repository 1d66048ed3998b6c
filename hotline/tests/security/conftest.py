"""The workbench's helpers (a signed-in client per persona, orders brought to any state),
the channel clients and the staff API client, shared with the security suite."""

import pytest

from hotline.api.tests.conftest import Api
from hotline.channels.tests.conftest import portal_app  # noqa: F401
from hotline.web.tests.conftest import _clean_cache, flow, web  # noqa: F401


@pytest.fixture
def as_api(db):
    """``as_api(user)`` → a staff API client with that persona's bearer token."""
    return Api
