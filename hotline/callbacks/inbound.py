"""Who may deliver replies: the SMS provider's signed request (docs/callback.md).

``authenticate`` checks, in this order: a known provider, a valid HMAC signature over the
raw body, a timestamp within the replay window, a nonce never seen before.  Each failure is
an ``InboundRejected`` the API answers with 401 and a code — the only errors a provider
ever gets; a well-signed delivery is always accepted (``actions.receive_sms``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from hotline import clock
from hotline.callbacks import signing
from hotline.callbacks.models import ReplayNonce
from hotline.orders.errors import ActionError


class InboundRejected(ActionError):
    status = 401

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _conf(name: str):
    return settings.HOTLINE_CALLBACK[name]


def authenticate(
    provider: str, timestamp: str, nonce: str, given: str, body: bytes, now: datetime | None = None
) -> str:
    """The provider's name if the request is genuine and fresh; else ``InboundRejected``."""
    now = now or clock.now()
    secret = _conf("providers").get(provider or "")
    if not secret:
        raise InboundRejected("unknown_provider", "未登记的短信服务商")
    if not signing.valid(secret, timestamp or "", nonce or "", body, given or ""):
        raise InboundRejected("bad_signature", "签名无效")
    try:
        sent = int(timestamp)
    except ValueError:
        raise InboundRejected("bad_timestamp", "时间戳格式错误") from None
    window = _conf("replay_window_seconds")
    if abs(now.timestamp() - sent) > window:
        raise InboundRejected("stale_request", f"请求时间超出允许范围（±{window}秒）")
    if not signing.good_nonce(nonce):
        raise InboundRejected("bad_nonce", "随机数须为8–64位字母、数字、_或-")
    try:
        with transaction.atomic():
            ReplayNonce.objects.create(provider=provider, nonce=nonce, at=now)
    except IntegrityError:
        raise InboundRejected("replayed", "重复的请求（随机数已使用）") from None
    return provider


def prune_nonces(now: datetime | None = None) -> int:
    """Nonces older than twice the window can no longer be replayed (the timestamp check
    refuses them first)."""
    now = now or clock.now()
    cutoff = now - timedelta(seconds=2 * _conf("replay_window_seconds"))
    deleted, _ = ReplayNonce.objects.filter(at__lt=cutoff).delete()
    return deleted
