"""The outbox (SPEC §5): SMS, WeChat and in-system messages through one queue with a
pluggable gateway; failures retried with back-off, dead letters kept for admins; never lost,
never sent twice."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from hotline.supervision import outbox
from hotline.supervision.gateways import (
    FileGateway,
    HttpGateway,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
)
from hotline.supervision.models import Message, Notice
from hotline.supervision.notify import Draft
from hotline.supervision.tests.conftest import MONDAY

T0 = MONDAY


def queue(n: int = 1, channel: str = "sms", prefix: str = "k") -> list[Message]:
    outbox.add(
        [
            Draft(
                key=f"{prefix}{i}",
                channel=channel,
                to=f"1390000{i:04d}" if channel != "system" else "role:supervisor",
                to_name="值班员",
                kind="test",
                level="info",
                subject=f"消息{i}",
                body=f"正文{i}",
                role="supervisor" if channel == "system" else "",
            )
            for i in range(n)
        ],
        T0,
    )
    return list(Message.objects.filter(key__startswith=prefix).order_by("pk"))


def test_queueing_the_same_key_twice_keeps_one_message(db):
    queue(3)
    queue(3)
    assert Message.objects.count() == 3


def test_a_message_is_sent_once_and_the_gateway_is_told_its_key(db, gateway):
    [m] = queue()
    report = outbox.deliver_due(now=T0, gateway=gateway)
    assert report.sent == 1
    assert [g.key for g in gateway.sent] == [m.key]
    m.refresh_from_db()
    assert (m.state, m.attempts, m.provider_ref) == ("sent", 1, "ref-1")
    assert outbox.deliver_due(now=T0 + timedelta(hours=1), gateway=gateway).sent == 0


def test_an_in_system_message_becomes_exactly_one_notice(db, gateway):
    [m] = queue(channel="system")
    outbox.deliver_due(now=T0, gateway=gateway)
    assert gateway.sent == []  # no gateway for in-system notices
    notice = Notice.objects.get()
    assert (notice.message_id, notice.role, notice.title) == (m.pk, "supervisor", "消息0")


def test_two_workers_claiming_the_same_message_have_exactly_one_winner(db):
    """Compare-and-set on the version: the second claim (read before the first) loses."""
    [m] = queue()
    first = outbox.claim(m.pk, m.version, T0, "worker-a")
    second = outbox.claim(m.pk, m.version, T0, "worker-b")
    assert first is not None and second is None
    assert Message.objects.get(pk=m.pk).claim == "worker-a"


def test_a_worker_that_dies_mid_send_loses_nothing_and_the_gateway_drops_the_duplicate(
    db, tmp_path
):
    """Worker A claims and sends, then dies before recording it.  Its lease expires, worker
    B sends again with the same idempotency key, and the file gateway delivers it once."""
    [m] = queue()
    files = FileGateway(tmp_path)
    a = outbox.claim(m.pk, m.version, T0, "worker-a")
    files.send(Outgoing(m.key, m.channel, m.to, m.to_name, m.subject, m.body))  # …and dies
    assert outbox.deliver_due(now=T0 + timedelta(seconds=60), gateway=files).sent == 0  # leased
    later = T0 + timedelta(seconds=121)
    assert outbox.deliver_due(now=later, gateway=files).sent == 1
    assert len(list(tmp_path.glob("*.json"))) == 1
    m.refresh_from_db()
    assert (m.state, m.attempts) == ("sent", 2)
    # the dead worker wakes up: its compare-and-set on its own claim fails
    assert outbox.send(a, files, later) == "lost"


def test_failures_back_off_exponentially_then_dead_letter(db, gateway, settings):
    """Retry 30 s, 60 s, 120 s, … and after max attempts the message is dead, kept with its
    last error for an admin."""
    settings.HOTLINE_OUTBOX = {**settings.HOTLINE_OUTBOX, "max_attempts": 4}
    [m] = queue()
    gateway.fail_with = TemporaryFailure("HTTP 503")
    now, waits = T0, []
    for _ in range(3):
        assert outbox.deliver_due(now=now, gateway=gateway).retry == 1
        m.refresh_from_db()
        waits.append((m.next_attempt_at - now).total_seconds())
        assert (
            outbox.deliver_due(now=m.next_attempt_at - timedelta(seconds=1), gateway=gateway).retry
            == 0
        )
        now = m.next_attempt_at
    assert waits == [30, 60, 120]
    assert outbox.deliver_due(now=now, gateway=gateway).dead == 1
    m.refresh_from_db()
    assert (m.state, m.attempts, m.last_error) == ("dead", 4, "TemporaryFailure: HTTP 503")


def test_a_permanent_refusal_dead_letters_at_once(db, gateway):
    [m] = queue()
    gateway.fail_with = PermanentFailure("号码格式错误")
    assert outbox.deliver_due(now=T0, gateway=gateway).dead == 1


def test_admins_see_dead_letters_and_send_them_again(as_, admin_user, supervisor, gateway):
    [m] = queue()
    gateway.fail_with = PermanentFailure("号码不存在")
    outbox.deliver_due(now=T0, gateway=gateway)
    page = as_(supervisor).ok("get", "/supervision/outbox?state=dead")
    assert page["counts"]["dead"] == 1 and page["results"][0]["last_error"].endswith("号码不存在")
    r = as_(supervisor).post(f"/supervision/outbox/{m.pk}/retry")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    again = as_(admin_user).ok("post", f"/supervision/outbox/{m.pk}/retry")
    assert (again["state"], again["attempts"]) == ("pending", 0)
    r = as_(admin_user).post(f"/supervision/outbox/{m.pk}/retry")
    assert r.status_code == 409  # no longer dead
    gateway.fail_with = None
    assert outbox.deliver_due(gateway=gateway).sent == 1


class Provider(BaseHTTPRequestHandler):
    """A stand-in SMS provider on 127.0.0.1 that answers by the path it is given."""

    seen: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Provider.seen.append((self.path, self.headers["Idempotency-Key"], body))
        status = {"/ok": 200, "/busy": 503, "/bad": 400}[self.path]
        self.send_response(status)
        self.end_headers()
        self.wfile.write(json.dumps({"id": "prov-1"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    Provider.seen = []
    server = HTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_http_gateway_posts_the_message_id_and_maps_statuses(provider):
    """A real provider adapter: the key goes as ``id`` and ``Idempotency-Key``; 2xx is
    sent, 5xx temporary, 4xx permanent, a refused connection temporary."""
    msg = Outgoing("o1:rung:0.4.0:sms:139", "sms", "13900000002", "周副局长", "督办", "请办理")
    assert HttpGateway(f"{provider}/ok", token="t", timeout=5).send(msg) == "prov-1"
    path, key, body = Provider.seen[0]
    assert key == msg.key and body["id"] == msg.key and body["to"] == "13900000002"
    with pytest.raises(TemporaryFailure):
        HttpGateway(f"{provider}/busy", timeout=5).send(msg)
    with pytest.raises(PermanentFailure):
        HttpGateway(f"{provider}/bad", timeout=5).send(msg)
    with pytest.raises(TemporaryFailure):
        HttpGateway("http://127.0.0.1:9/none", timeout=5).send(msg)
