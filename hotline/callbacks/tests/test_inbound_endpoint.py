"""The inbound endpoint's answers without a live server (docs/callback.md §3): whatever a
caller sends, a clear JSON status — never a server error."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hotline.callbacks import signing
from hotline.callbacks.tests.fake_provider import NAME, SECRET

URL = "/api/v1/channel/sms/inbound"


def post(body: bytes, **headers) -> tuple[int, dict]:
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    r = Client().post(URL, data=body, content_type="application/json", **extra)
    return r.status_code, r.json()


@pytest.mark.parametrize(
    "signature",
    ["é" * 64, "", "0" * 64, "ZZ", "\u4e2d\u6587"],
    ids=["latin1", "empty", "zeros", "short", "cjk"],
)
def test_odd_signatures_are_401_not_errors(db, signature):
    body = b'{"message_id": "x", "phone": "13812345678", "text": "1A"}'
    h = signing.headers(NAME, SECRET, body)
    h[signing.SIGNATURE] = signature
    status, data = post(body, **h)
    assert (status, data["code"]) == (401, "bad_signature")


def test_a_genuine_delivery_with_a_bad_nonce_or_timestamp_is_refused(db):
    body = json.dumps({"message_id": "x", "phone": "13812345678", "text": "1A"}).encode()
    status, data = post(body, **signing.headers(NAME, SECRET, body, nonce="short"))
    assert (status, data["code"]) == (401, "bad_nonce")
    h = {
        signing.PROVIDER: NAME,
        signing.TIMESTAMP: "yesterday",
        signing.NONCE: "n" * 16,
        signing.SIGNATURE: signing.signature(SECRET, "yesterday", "n" * 16, body),
    }
    status, data = post(body, **h)
    assert (status, data["code"]) == (401, "bad_timestamp")


def test_an_overlong_text_is_refused_with_its_field(db):
    body = json.dumps({"message_id": "x", "phone": "138", "text": "好" * 1001}).encode()
    status, data = post(body, **signing.headers(NAME, SECRET, body))
    assert status == 422 and "text" in data["fields"]


def test_a_text_from_a_landline_or_garbage_number_is_kept_unmatched(db):
    body = json.dumps({"message_id": "x", "phone": "not a phone", "text": "1A"}).encode()
    status, data = post(body, **signing.headers(NAME, SECRET, body))
    assert (status, data) == (200, {"status": "unmatched", "message_id": "x"})
