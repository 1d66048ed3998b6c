"""Smart-callback test set-up: the centre's public address and the fake SMS provider's
secret configured, and the personas' flow (``web.tests.conftest.Flow``) to bring an order
to 待回访 through the real actions."""

from __future__ import annotations

import pytest

from hotline.callbacks.tests import fake_provider
from hotline.web.tests.conftest import Flow

PUBLIC_URL = "http://12345.cn"  # short, as a centre's SMS link domain would be


@pytest.fixture(autouse=True)
def _callback_settings(settings):
    settings.HOTLINE_CALLBACK = {
        **settings.HOTLINE_CALLBACK,
        "notify_citizens": True,
        "smart_callback": True,
        "public_url": PUBLIC_URL,
        "providers": {fake_provider.NAME: fake_provider.SECRET},
        "send_provider": fake_provider.NAME,
        "survey_hours": 24,
        "max_followups": 1,
    }


@pytest.fixture
def flow(agent, reviewer, clerk, callback_agent, org, appeal) -> Flow:
    return Flow(agent, reviewer, clerk, callback_agent, org, appeal)
