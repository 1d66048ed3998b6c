"""Outside systems that send appeals in (§5.1): the portal, mobile apps, mini-programs and
grid workers' devices.  Each is a ``ChannelClient`` with its own API key (only the SHA-256 is
stored), a rate limit and a flag saying whether the centre accepts its submissions directly.

Nothing here changes a work order: ``hotline.channels.services.submit_appeal`` creates orders
through ``hotline.orders.actions``.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models

from hotline.rules import taxonomy

KEY_PREFIX_LENGTH = 8


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def new_key() -> str:
    """A fresh API key: ``hk_`` and 43 URL-safe characters (256 bits)."""
    return "hk_" + secrets.token_urlsafe(32)


class ChannelClient(models.Model):
    """One outside system allowed to submit appeals, with the channel its orders carry.

    The plain key is shown once when the client is created (command line or admin) and never
    stored; ``key_prefix`` (its first 8 characters) tells keys apart in lists."""

    name = models.CharField("名称", max_length=100)
    channel = models.CharField("渠道", max_length=16, choices=taxonomy.CHANNELS.choices())
    key_prefix = models.CharField("密钥前缀", max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit_per_minute = models.PositiveIntegerField("每分钟请求上限", default=60)
    enabled = models.BooleanField("启用", default=True)
    auto_accept = models.BooleanField(
        "直接受理",
        default=False,
        help_text="中心政策允许时，要素齐全的诉求直接受理；否则进入待受理，由受理员审核",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "渠道接入方"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{taxonomy.CHANNELS.label(self.channel)}，{self.key_prefix}…）"

    def set_key(self, raw_key: str | None = None) -> str:
        """Give the client a new key (not saved); returns the plain key, to show once."""
        raw_key = raw_key or new_key()
        self.key_hash = hash_key(raw_key)
        self.key_prefix = raw_key[:KEY_PREFIX_LENGTH]
        return raw_key

    @classmethod
    def issue(
        cls,
        name: str,
        channel: str,
        *,
        rate_limit_per_minute: int = 60,
        auto_accept: bool = False,
        raw_key: str | None = None,
    ) -> tuple[ChannelClient, str]:
        client = cls(
            name=name,
            channel=channel,
            rate_limit_per_minute=rate_limit_per_minute,
            auto_accept=auto_accept,
        )
        key = client.set_key(raw_key)
        client.save()
        return client, key


class Submission(models.Model):
    """Which client sent which order in: a client reads the status of its own orders only.
    ``extra`` keeps the client's own fields (its reference, device, …) as sent."""

    client = models.ForeignKey(ChannelClient, on_delete=models.PROTECT, related_name="submissions")
    order = models.OneToOneField(
        "orders.WorkOrder", on_delete=models.CASCADE, related_name="channel_submission"
    )
    extra = models.JSONField("附加信息", default=dict, blank=True)
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = verbose_name_plural = "渠道提交记录"
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client.name} → {self.order_id}"


class IdempotencyRecord(models.Model):
    """An ``Idempotency-Key`` a client used, the fingerprint of the request it came with and
    the order it created.  The unique (client, key) pair makes two racing requests with the
    same key create one order: the second one's insert fails and it returns the first's."""

    client = models.ForeignKey(ChannelClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    order = models.ForeignKey(
        "orders.WorkOrder", null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "幂等键"
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key")
        ]


class RateCounter(models.Model):
    """Requests counted in one fixed one-minute window for one bucket (``client:<id>`` or
    ``ip:<address>``).  A row in the database, so every server process counts together."""

    bucket = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "限流计数"
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="ratecounter_window")
        ]
