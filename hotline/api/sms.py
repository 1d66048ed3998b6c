"""The SMS provider's inbound endpoint (``POST /api/v1/channel/sms/inbound``, §6.8.2): the
citizens' replies to SMS surveys.

The provider signs every delivery with its secret (``X-Hotline-Provider``,
``X-Hotline-Timestamp``, ``X-Hotline-Nonce``, ``X-Hotline-Signature``: HMAC-SHA256 over
``<timestamp>\\n<nonce>\\n<raw body>``; docs/callback.md).  401 for an unknown provider,
a bad signature, a stale timestamp or a nonce already used (a replay); 422 for a body that
is not the documented JSON.  Every signed, well-formed delivery gets 200 — a redelivery of
the same message id (``duplicate``), an answer, a late one, an opt-out, or a reply matching
no survey (``unmatched``, shown to the callback desk) — so the provider never retries in a
storm.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import APIKeyHeader

from hotline.api.schemas import ErrorOut
from hotline.callbacks import actions, inbound, signing


class ProviderSignature(APIKeyHeader):
    """The provider's HMAC signature over the raw body (``X-Hotline-Signature``)."""

    param_name = signing.SIGNATURE

    def authenticate(self, request: HttpRequest, key: str | None) -> str:
        h = request.headers
        return inbound.authenticate(
            h.get(signing.PROVIDER, ""),
            h.get(signing.TIMESTAMP, ""),
            h.get(signing.NONCE, ""),
            key or "",
            request.body,
        )

    def _get_key(self, request: HttpRequest) -> str | None:
        # always authenticate, so a missing signature is a 401 with its reason
        return request.headers.get(self.param_name, "")


router = Router(tags=["channel"])


class SmsInboundIn(Schema):
    """One SMS a citizen sent to the centre's number."""

    message_id: str = Field(
        ..., min_length=1, max_length=100, description="服务商的消息编号（幂等）"
    )
    phone: str = Field(..., min_length=1, max_length=40, description="发送方手机号码")
    code: str = Field("", max_length=20, description="上行扩展码，即评价短信的回复码（可选）")
    text: str = Field("", max_length=1000, description="短信内容")
    sent_at: datetime | None = Field(None, description="服务商收到短信的时间")


class SmsInboundOut(Schema):
    status: str = Field(
        ..., description="answered / followed_up / late / unmatched / opt_out / duplicate"
    )
    message_id: str


@router.post(
    "/inbound",
    auth=ProviderSignature(),
    response={200: SmsInboundOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    summary="接收上行短信（回访评价回复）",
)
def sms_inbound(request: HttpRequest, payload: SmsInboundIn) -> Any:
    received = actions.receive_sms(
        request.auth,  # type: ignore[attr-defined]
        payload.message_id,
        payload.phone,
        text=payload.text,
        code=payload.code,
        sent_at=payload.sent_at,
    )
    return {"status": received.status, "message_id": payload.message_id}
