"""The SMS provider contract's signature (docs/callback.md): both directions are signed
with the provider's shared secret, HMAC-SHA256 over ``<timestamp>\\n<nonce>\\n<raw body>``.

Headers: ``X-Hotline-Provider`` (the provider's name), ``X-Hotline-Timestamp`` (Unix
seconds), ``X-Hotline-Nonce`` (8–64 of ``A–Z a–z 0–9 _ -``, fresh for every request),
``X-Hotline-Signature`` (lower-case hex)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

PROVIDER = "X-Hotline-Provider"
TIMESTAMP = "X-Hotline-Timestamp"
NONCE = "X-Hotline-Nonce"
SIGNATURE = "X-Hotline-Signature"

NONCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def valid(secret: str, timestamp: str, nonce: str, body: bytes, given: str) -> bool:
    """Constant-time comparison of the given signature with the expected one (as bytes: a
    header may carry any character)."""
    expected = signature(secret, timestamp, nonce, body).encode()
    return hmac.compare_digest(expected, (given or "").lower().encode("utf-8", "replace"))


def good_nonce(nonce: str) -> bool:
    return 8 <= len(nonce) <= 64 and all(ch in NONCE_CHARS for ch in nonce)


def headers(
    provider: str,
    secret: str,
    body: bytes,
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four headers of a signed request (used by our gateway and by test providers)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(18)
    return {
        PROVIDER: provider,
        TIMESTAMP: ts,
        NONCE: nonce,
        SIGNATURE: signature(secret, ts, nonce, body),
    }
