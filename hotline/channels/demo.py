"""Demo channel clients: one per channel, with keys that are deterministic in the demo ONLY
(``hk_demo_<channel>``, documented in docs/channels.md) so the API can be tried at once.
A real centre creates its keys with ``hotline apikey create``; never use these in
production: with ``HOTLINE_DEBUG=false`` the API refuses every ``hk_demo_`` key
(``services.lookup_key``), wherever it came from.  Nothing secret is printed."""

from __future__ import annotations

from hotline.channels.models import ChannelClient, Submission
from hotline.orders.models import WorkOrder

DEMO_CLIENTS = [
    # channel, name, auto_accept
    ("phone", "语音导航系统（演示）", False),
    ("portal", "市民门户网站（演示）", False),
    ("app", "“i乌海”移动客户端（演示）", False),
    ("miniprogram", "12345 微信小程序（演示）", False),
    ("grid", "网格员采集终端（演示）", True),
]


DEMO_KEY_PREFIX = "hk_demo_"


def demo_key(channel: str) -> str:
    return f"{DEMO_KEY_PREFIX}{channel}"


def build_channel_clients(linked_per_client: int = 3) -> list[ChannelClient]:
    """Create (or reset) the demo clients and tie a few of the demo's channel orders to them,
    so ``/api/v1/channel/updates`` has something to show."""
    clients = []
    for channel, name, auto_accept in DEMO_CLIENTS:
        client = ChannelClient.objects.filter(channel=channel, name=name).first() or ChannelClient(
            channel=channel, name=name
        )
        client.auto_accept = auto_accept
        client.enabled = True
        client.rate_limit_per_minute = 120
        client.set_key(demo_key(channel))
        client.save()
        clients.append(client)
        orders = (
            WorkOrder.objects.filter(channel=channel, channel_submission__isnull=True)
            .order_by("-created_at")
            .only("pk", "created_at")[:linked_per_client]
        )
        Submission.objects.bulk_create(
            [Submission(client=client, order=o, submitted_at=o.created_at) for o in orders]
        )
    return clients


def build(now=None) -> None:
    """The demo's channel clients (``hotline.demo.build.extra_builders``)."""
    build_channel_clients()
