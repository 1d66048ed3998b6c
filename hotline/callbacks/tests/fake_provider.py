"""A fake SMS provider: a real HTTP server on loopback (a free port) that speaks the
provider contract of docs/callback.md in both directions.

* ``POST /send`` — what our ``SmsProviderGateway`` calls.  The signature is checked with
  the shared secret (401 otherwise), the message is kept in ``sent`` and its id returned;
  the same ``Idempotency-Key`` twice is one message (``duplicates`` counts the repeats).
* ``reply(...)`` — a citizen answers: the provider POSTs the reply, signed, to our inbound
  endpoint, passing on the survey's ``reply_code`` as the extension code.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hotline.callbacks import signing

NAME = "fakesms"
SECRET = "fake-provider-shared-secret-0123456789"


@dataclass
class Response:
    status: int
    body: dict
    request: tuple[dict[str, str], bytes] = field(default=({}, b""))


class FakeProvider:
    def __init__(self, inbound_url: str = "") -> None:
        self.inbound_url = inbound_url
        self.sent: list[dict] = []
        self.keys: set[str] = set()
        self.duplicates = 0
        self.rejected = 0
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = self.headers.get(signing.PROVIDER) == NAME and signing.valid(
                    SECRET,
                    self.headers.get(signing.TIMESTAMP, ""),
                    self.headers.get(signing.NONCE, ""),
                    body,
                    self.headers.get(signing.SIGNATURE, ""),
                )
                if self.path != "/send" or not ok:
                    with provider._lock:
                        provider.rejected += 1
                    self._answer(401, {"error": "bad signature"})
                    return
                message = json.loads(body)
                key = self.headers.get("Idempotency-Key", "")
                with provider._lock:
                    if key in provider.keys:
                        provider.duplicates += 1
                    else:
                        provider.keys.add(key)
                        provider.sent.append(message)
                    n = len(provider.sent)
                self._answer(200, {"id": f"fp-{n}"})

            def _answer(self, status: int, data: dict) -> None:
                out = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- the citizen's side -------------------------------------------------------------

    def to(self, phone: str) -> list[dict]:
        return [m for m in self.sent if m["to"] == phone]

    def reply(
        self,
        phone: str,
        text: str,
        *,
        message_id: str,
        code: str | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> Response:
        """The citizen sends ``text``; the provider delivers it to us, signed.  ``code``:
        the extension the citizen replied to (default: that of the last survey to them)."""
        if code is None:
            codes = [m["reply_code"] for m in self.to(phone) if m.get("reply_code")]
            code = codes[-1] if codes else ""
        body = json.dumps(
            {"message_id": message_id, "phone": phone, "code": code, "text": text},
            ensure_ascii=False,
        ).encode()
        h = headers or signing.headers(NAME, secret, body, timestamp=timestamp)
        return self.post(h, body)

    def post(self, headers: dict[str, str], body: bytes) -> Response:
        request = urllib.request.Request(
            self.inbound_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return Response(r.status, json.loads(r.read() or b"{}"), (headers, body))
        except urllib.error.HTTPError as exc:
            return Response(exc.code, json.loads(exc.read() or b"{}"), (headers, body))
