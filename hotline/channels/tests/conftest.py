from __future__ import annotations

import pytest

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)


@pytest.fixture
def portal_app(org):
    """The citizen portal's backend, a channel client whose submissions wait for an agent."""
    from hotline.channels.models import ChannelClient

    client, key = ChannelClient.issue("市民门户", "portal", rate_limit_per_minute=100)
    client.raw_key = key
    return client


@pytest.fixture
def grid_app(org):
    """The grid workers' app: the centre accepts complete submissions directly."""
    from hotline.channels.models import ChannelClient

    client, key = ChannelClient.issue("网格通", "grid", auto_accept=True)
    client.raw_key = key
    return client


@pytest.fixture
def citizen_appeal():
    """What a citizen types into the app: a broken street lamp, with a phone to track it."""
    return {
        "title": "路灯不亮",
        "content": "康乐小区南门外的路灯连续三天晚上不亮，行人摸黑走路。",
        "address": "海勃湾区新华街道康乐小区南门",
        "lat": 39.6553,
        "lng": 106.7941,
        "citizen_name": "李秀英",
        "phone": "13900001111",
        "display_mode": "confidential",
        "category": "housing_maintenance",
        "area": "t-kangle",
        "extra": {"device": "android", "ref": "A-1"},
    }
