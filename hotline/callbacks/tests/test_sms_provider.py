"""End to end against a real HTTP fake SMS provider on loopback (§6.8.2): the outbox sends
the survey through ``SmsProviderGateway`` to the provider (signed, with the reply code);
the provider posts the citizen's reply back, signed, to ``POST /api/v1/channel/sms/inbound``
on the live server.  Valid codes, garbage, late replies, duplicate deliveries, bad
signatures, replays, and the time-out to a person with time-machine."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client

from hotline.callbacks.gateways import SmsProviderGateway
from hotline.callbacks.models import InboundSms, ReplayNonce, Survey
from hotline.callbacks.tests.fake_provider import NAME, SECRET, FakeProvider
from hotline.callbacks.tests.test_surveys import PHONE, T0
from hotline.orders.models import Callback
from hotline.supervision import outbox
from hotline.supervision.worker import build_huey, register

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("now"),
]  # orders are made at a fixed instant


@pytest.fixture
def provider(live_server, settings):
    with FakeProvider(f"{live_server.url}/api/v1/channel/sms/inbound") as p:
        settings.HOTLINE_OUTBOX = {
            **settings.HOTLINE_OUTBOX,
            "gateway": "hotline.callbacks.gateways.SmsProviderGateway",
            "url": p.url,
        }
        yield p


def deliver() -> outbox.DeliveryReport:
    """What the worker does each minute: drain the outbox through the configured gateway."""
    return outbox.deliver_due(gateway=outbox.default_gateway())


def survey_message(provider: FakeProvider, order) -> dict:
    return next(
        m for m in provider.to(PHONE) if m["id"] == f"survey:{Survey.objects.get(order=order).pk}:0"
    )


def test_a_signed_1a_reply_closes_the_order_with_nobody_touching_it(flow, provider):
    """Done when: 待回访 → 已办结 through a signed SMS reply."""
    assert isinstance(outbox.default_gateway(), SmsProviderGateway)
    order = flow.pending_callback()
    report = deliver()
    assert report.sent >= 3 and provider.rejected == 0  # acceptance, reply, survey; all signed
    survey = Survey.objects.get(order=order)
    sent = survey_message(provider, order)
    assert sent["reply_code"] == survey.code and sent["channel"] == "sms"
    assert f"/portal/s/{survey.token}/" in sent["body"]

    r = provider.reply(PHONE, "1A", message_id="up-1")
    assert (r.status, r.body) == (200, {"status": "answered", "message_id": "up-1"})
    order.refresh_from_db()
    assert order.state == "closed"
    cb = Callback.objects.get(order=order)
    assert (cb.method, cb.mode, cb.satisfaction, cb.resolution, cb.raw_reply, cb.by) == (
        "sms",
        "smart",
        "satisfied",
        "resolved",
        "1A",
        None,
    )
    # the closing notice leaves through the provider too
    deliver()
    assert any("已办结" in m["body"] for m in provider.to(PHONE))
    assert provider.duplicates == 0


def test_a_3_reply_puts_the_order_in_the_callback_queue_and_the_dashboard_counts_it(
    flow, provider, callback_agent, leader
):
    order = flow.pending_callback()
    deliver()
    r = provider.reply(PHONE, "3", message_id="up-3")
    assert (r.status, r.body["status"]) == (200, "answered")
    order.refresh_from_db()
    assert order.state == "pending_callback"

    desk = Client()
    desk.force_login(callback_agent)
    page = desk.get("/callbacks/?tab=manual").content.decode()
    assert f'data-number="{order.number}"' in page
    assert f'data-number="{order.number}"' in desk.get("/callbacks/?tab=negative").content.decode()
    assert f'data-number="{order.number}"' not in desk.get("/callbacks/?tab=smart").content.decode()

    boss = Client()
    boss.force_login(leader)
    dashboard = boss.get("/analytics/").content.decode()
    assert '<b data-kpi="survey_to_person">1</b>' in dashboard
    analysis = boss.get("/analytics/callbacks/").content.decode()
    assert '<td data-reason="unsatisfied">1</td>' in analysis
    row = analysis.split('data-method="sms" data-mode="smart"')[1].split("</tr>")[0]
    assert '<td data-col="unsatisfied">1</td>' in row


def test_garbage_unknown_phones_duplicates_bad_signatures_and_replays(flow, provider):
    order = flow.pending_callback()
    deliver()

    # an unknown phone: 200 (no retry storm), kept as an unmatched reply for the desk
    r = provider.reply("13700000000", "1A", message_id="up-unknown", code="")
    assert (r.status, r.body["status"]) == (200, "unmatched")

    # garbage from the citizen: 200, the order goes to a person
    r = provider.reply(PHONE, "你们什么时候来修？？", message_id="up-garbage")
    assert (r.status, r.body["status"]) == (200, "answered")
    assert Survey.objects.get(order=order).reason == "unparsable"

    # the provider delivers the same message again (new nonce): recognised, nothing doubles
    r = provider.reply(PHONE, "你们什么时候来修？？", message_id="up-garbage")
    assert (r.status, r.body["status"]) == (200, "duplicate")
    assert InboundSms.objects.filter(message_id="up-garbage").count() == 1

    # a wrong secret, an unknown provider, a missing signature: 401
    before = InboundSms.objects.count()
    r = provider.reply(PHONE, "1A", message_id="up-forged", secret="not-the-providers-secret-xx")
    assert (r.status, r.body["code"]) == (401, "bad_signature")
    body = b'{"message_id": "up-x", "phone": "13812345678", "text": "1A"}'
    from hotline.callbacks import signing

    r = provider.post(signing.headers("someone-else", SECRET, body), body)
    assert (r.status, r.body["code"]) == (401, "unknown_provider")
    r = provider.post({signing.PROVIDER: NAME}, body)
    assert (r.status, r.body["code"]) == (401, "bad_signature")

    # a captured request sent again: the nonce was used — a replay
    first = provider.reply("13700000001", "2", message_id="up-once", code="")
    assert first.status == 200
    again = provider.post(*first.request)
    assert (again.status, again.body["code"]) == (401, "replayed")

    # an old request, however well signed
    import time

    r = provider.reply(PHONE, "1A", message_id="up-old", timestamp=int(time.time()) - 3600)
    assert (r.status, r.body["code"]) == (401, "stale_request")

    # signed, but not the documented JSON: 422 with the fields named
    bad = json.dumps({"phone": PHONE}).encode()
    r = provider.post(signing.headers(NAME, SECRET, bad), bad)
    assert r.status == 422 and "message_id" in r.body["fields"]

    assert InboundSms.objects.count() == before + 1  # only "up-once" got in
    assert ReplayNonce.objects.filter(provider=NAME).exists()
    order.refresh_from_db()
    assert order.state == "pending_callback"


def test_no_answer_in_time_goes_to_a_person_and_a_late_reply_is_kept(
    flow, provider, time_machine, callback_agent
):
    """The time-out path: 24 hours without an answer → one unanswered attempt and the
    callback queue; the worker's periodic task does it (huey, immediate mode)."""
    time_machine.move_to(T0, tick=False)
    order = flow.pending_callback()
    deliver()
    tasks = register(build_huey(immediate=True, name=f"t-{uuid.uuid4().hex}"))
    time_machine.move_to(T0 + timedelta(hours=23), tick=False)
    tasks["callbacks.tick"]()
    assert Survey.objects.get(order=order).state == "waiting"
    time_machine.move_to(T0 + timedelta(hours=24, minutes=1), tick=False)
    tasks["callbacks.tick"]()
    survey = Survey.objects.get(order=order)
    assert (survey.state, survey.reason) == ("to_person", "timeout")
    assert Callback.objects.get(order=order).outcome == "unreachable"

    r = provider.reply(PHONE, "1A", message_id="up-late")
    assert (r.status, r.body["status"]) == (200, "late")
    order.refresh_from_db()
    assert order.state == "pending_callback"  # a person decides
    desk = Client()
    desk.force_login(callback_agent)
    page = desk.get("/callbacks/replies/").content.decode()
    assert "up-late" not in page and "1A" in page and order.number in page
