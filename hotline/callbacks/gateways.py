"""The SMS provider gateway: the outbox's HTTP gateway, signed, with the reply code.

``HOTLINE_MESSAGE_GATEWAY=hotline.callbacks.gateways.SmsProviderGateway`` sends every SMS
and WeChat message of the outbox (supervision SMS, citizen notifications, surveys) to
``HOTLINE_MESSAGE_GATEWAY_URL`` as the outbox's ``HttpGateway`` does, plus:

* the body is signed with the provider's secret (``HOTLINE_SMS_SEND_PROVIDER``), the same
  four headers the provider signs its deliveries to us with (``signing``);
* a survey carries ``reply_code``: the provider sends it from its number with this
  extension code (扩展码) and passes the code back with the citizen's reply, so a reply
  names its survey even when one phone has several.

Success, temporary and permanent failures are read as ``HttpGateway`` reads them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from hotline.callbacks import signing
from hotline.callbacks.models import Survey
from hotline.supervision.gateways import HttpGateway, Outgoing, deliver


def reply_code_for(key: str) -> str:
    """The survey's reply code for a survey message (keys ``survey:<pk>:<n>``), else ""."""
    parts = key.split(":")
    if len(parts) != 3 or parts[0] != "survey" or not parts[1].isdigit():
        return ""
    return Survey.objects.filter(pk=int(parts[1])).values_list("code", flat=True).first() or ""


class SmsProviderGateway(HttpGateway):
    def __init__(
        self,
        url: str | None = None,
        provider: str | None = None,
        secret: str | None = None,
        timeout: float = 10,
    ) -> None:
        super().__init__(url=url, token="", timeout=timeout)
        conf = settings.HOTLINE_CALLBACK
        self.provider = provider or conf["send_provider"]
        self.secret = secret or conf["providers"].get(self.provider, "")
        if not self.provider or not self.secret or not self.url:
            raise ImproperlyConfigured(
                "SmsProviderGateway needs HOTLINE_MESSAGE_GATEWAY_URL, HOTLINE_SMS_SEND_PROVIDER "
                "and that provider's secret in HOTLINE_SMS_PROVIDER_SECRETS"
            )

    def payload(self, message: Outgoing) -> dict:
        body = {"id": message.key, **{k: v for k, v in asdict(message).items() if k != "key"}}
        body["reply_code"] = reply_code_for(message.key)
        return body

    def send(self, message: Outgoing) -> str:
        data = json.dumps(self.payload(message), ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": message.key,
                **signing.headers(self.provider, self.secret, data),
            },
        )
        return deliver(request, message.key, self.timeout)
