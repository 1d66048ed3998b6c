"""Message gateways: where SMS and WeChat messages leave the system.

A gateway gets an ``Outgoing`` message whose ``key`` is the outbox's idempotency key and
must treat a second send with the same key as the same message (a worker that died after
the provider accepted the message but before recording it will send it again).  It returns
the provider's reference, or raises ``TemporaryFailure`` (retry later) or
``PermanentFailure`` (dead-letter now: a malformed number, a rejected template).

* ``FileGateway`` (default): one JSON file per message under ``var/outbox/``, created
  atomically and never overwritten; the key is de-duplicated by a database row, so the
  same key is delivered once across every machine, whatever happens.
* ``ConsoleGateway``: logs the message (development).
* ``HttpGateway``: POSTs JSON to the provider's URL with an ``Idempotency-Key`` header;
  the interface a real SMS provider's adapter implements.

``HOTLINE_MESSAGE_GATEWAY`` picks one (``file``, ``console``, ``http``) or names any class
by dotted path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from hotline import clock
from hotline.common.logs import mask_personal_data
from hotline.supervision.models import GatewayDelivery

log = logging.getLogger(__name__)

# How long a delivered key is remembered: far beyond the longest a message can be retried
# (8 attempts with back-off capped at an hour) or an admin can resend a dead letter soon.
DELIVERY_MEMORY = timedelta(days=30)


@dataclass(frozen=True)
class Outgoing:
    key: str  # idempotency key: the same key is the same message
    channel: str
    to: str
    to_name: str
    subject: str
    body: str


def _loggable(message: Outgoing) -> str:
    """What a log line may say about a message: channel, key, the recipient's number and the
    text with phone and ID numbers masked, and the recipient's name neither shown nor left
    in the text (``李娜您好`` → ``李*您好``): personal data stays out of logs."""
    body = message.body
    name = (message.to_name or "").strip()
    if len(name) >= 2:
        body = body.replace(name, name[0] + "*" * (len(name) - 1))
    return f"[{message.channel} → {mask_personal_data(message.to)}] {message.key}: {mask_personal_data(body)}"


class TemporaryFailure(Exception):
    """The gateway could not send now (network, 5xx, rate limit): retry with back-off."""


class PermanentFailure(Exception):
    """The gateway refused the message for good: dead-letter it."""


class Gateway(Protocol):
    def send(self, message: Outgoing) -> str: ...


class ConsoleGateway:
    def send(self, message: Outgoing) -> str:
        log.info("%s", _loggable(message))
        return f"console:{message.key}"


class FileGateway:
    """Writes ``<dir>/<sha1(key)>.json`` — the drop folder a local SMS modem or a relay
    picks up — once per key across every machine.

    The de-duplication is a ``GatewayDelivery`` row in the database, inserted in the same
    transaction that writes the file: a second delivery of the key (a worker that died
    after delivering, on this machine or another) finds the row and writes nothing; two
    racing deliveries meet on the unique key and one of them writes.  The file itself is a
    temporary file hard-linked into place, never overwritten."""

    name = "file"

    def __init__(self, directory: str | Path | None = None) -> None:
        self.dir = Path(directory or settings.HOTLINE_OUTBOX["dir"])
        self.dir.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.dir / f"{hashlib.sha1(key.encode()).hexdigest()}.json"

    def send(self, message: Outgoing) -> str:
        target = self.path(message.key)
        ref = f"file:{target.name}"
        try:
            with transaction.atomic():
                GatewayDelivery.objects.create(
                    key=message.key, gateway=self.name, ref=ref, delivered_at=clock.now()
                )
                self._write(target, message)
        except IntegrityError:
            return ref  # delivered before, here or on another machine
        log.info("%s", _loggable(message))
        return ref

    def _write(self, target: Path, message: Outgoing) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(asdict(message), f, ensure_ascii=False)
            try:
                os.link(tmp, target)
            except FileExistsError:
                pass  # this machine wrote it already (an earlier, rolled-back attempt)
        finally:
            os.unlink(tmp)


def purge_deliveries(*, now=None, older_than: timedelta = DELIVERY_MEMORY) -> int:
    """Forget delivered keys older than any resend could be (housekeeping, hourly)."""
    now = now or clock.now()
    return GatewayDelivery.objects.filter(delivered_at__lt=now - older_than).delete()[0]


class HttpGateway:
    """POST ``{"id", "channel", "to", "to_name", "subject", "body"}`` as JSON with
    ``Idempotency-Key: <key>``; 2xx is sent (the reply's ``id`` is kept), 4xx other than
    408/429 is permanent, anything else — 5xx, timeouts, refused connections — temporary."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10):
        self.url = url or settings.HOTLINE_OUTBOX["url"]
        self.token = token if token is not None else settings.HOTLINE_OUTBOX["token"]
        self.timeout = timeout or settings.HOTLINE_OUTBOX["timeout_seconds"]

    def send(self, message: Outgoing) -> str:
        payload = {"id": message.key, **{k: v for k, v in asdict(message).items() if k != "key"}}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": message.key},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        return deliver(request, message.key, self.timeout)


def deliver(request: urllib.request.Request, key: str, timeout: float) -> str:
    """Send ``request`` to a provider; return its message id (``key`` when it gives none).
    A 4xx other than 408/429 is a ``PermanentFailure`` (retrying cannot help); any other
    error a ``TemporaryFailure`` (the outbox retries with back-off)."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        text = f"HTTP {exc.code}: {exc.read()[:200].decode(errors='replace')}"
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise PermanentFailure(text) from None
        raise TemporaryFailure(text) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None
    try:
        return str(json.loads(body or b"{}").get("id") or key)[:120]
    except (ValueError, AttributeError):
        return key


def default_gateway() -> Gateway:
    name = settings.HOTLINE_OUTBOX["gateway"]
    builtin = {"file": FileGateway, "console": ConsoleGateway, "http": HttpGateway}
    cls = builtin.get(name) or import_string(name)
    return cls()
