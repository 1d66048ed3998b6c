"""Smart callback through the actions (§6.8.2): the policy picks a survey or a person when
an order reaches 待回访; the answer becomes a Callback and closes a satisfied, resolved order
(§6.7.2) or puts it before a callback agent (§6.8); no answer in 24 hours is one unanswered
attempt; the citizen's own rating; the SMS notifications (acceptance, reply, closing)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hotline.callbacks import actions as cba
from hotline.callbacks import queries as cq
from hotline.callbacks.models import CallbackRule, InboundSms, SmsOptOut, Survey
from hotline.callbacks.tests.conftest import PUBLIC_URL
from hotline.orders import actions as act
from hotline.orders.errors import Conflict, ValidationFailed
from hotline.orders.models import Callback
from hotline.rules.calendar import SHANGHAI
from hotline.supervision.models import Message
from hotline.web import queries as wq

PHONE = "13812345678"


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


T0 = sh(2026, 3, 2, 9, 0)  # a Monday


@pytest.fixture
def at_t0(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def survey_of(order) -> Survey:
    return Survey.objects.get(order=order)


def sms(text: str, *, mid: str, phone: str = PHONE, code: str = "", now=None):
    return cba.receive_sms("fakesms", mid, phone, text=text, code=code, now=now)


# --- the policy when an order reaches 待回访 -------------------------------------------


def test_reaching_pending_callback_sends_an_sms_survey_in_the_same_transaction(flow, at_t0):
    """§6.8.2: the default policy surveys a citizen who gave a mobile number by SMS: reply
    codes, a one-time link, queued in the outbox with the accept_reply itself."""
    order = flow.pending_callback()
    s = survey_of(order)
    assert (s.method, s.to, s.state, s.rule) == (
        "sms",
        PHONE,
        "waiting",
        "留有手机号码的发短信评价",
    )
    assert s.due_at == T0 + timedelta(hours=24)
    assert len(s.code) == 4 and s.code.isdigit()
    m = Message.objects.get(key=s.message_key)
    assert (m.channel, m.to, m.kind, m.order_id) == ("sms", PHONE, "survey", order.pk)
    assert "1满意2基本满意3不满意" in m.body and "A已解决B未解决" in m.body
    assert f"{PUBLIC_URL}/portal/s/{s.token}/" in m.body
    planned = order.events.get(action="callback_planned")
    assert planned.data["mode"] == "smart" and planned.actor_role == "system"
    # the callback queue shows it as "smart callback in progress", not as a person's work
    queues = wq.callback_queues(flow.callback)
    assert order in queues["smart"] and order not in queues["manual"]


def test_a_rolled_back_accept_reply_leaves_no_survey_and_no_message(flow, at_t0):
    """The survey and its SMS are written inside the action's transaction."""
    from django.db import transaction

    order = flow.replied()
    with pytest.raises(RuntimeError), transaction.atomic():
        act.do_accept_reply(order, flow.reviewer)
        raise RuntimeError("the request failed after the action")
    assert not Survey.objects.exists()
    assert not Message.objects.filter(kind="survey").exists()


@pytest.mark.parametrize(
    "values",
    [
        {"appeal_type": "complaint"},
        {"citizen_phone": "0473-3110000"},
        {"emergency_kind": "a_utility_outage"},
    ],
    ids=["complaint", "landline", "emergency"],
)
def test_complaints_landlines_and_emergencies_go_to_a_person(flow, at_t0, values):
    """§6.8.2 人工: the default policy keeps people for complaints, emergencies (§6.4.4) and
    citizens an SMS cannot reach."""
    order = flow.pending_callback(**values)
    assert not Survey.objects.filter(order=order).exists()
    planned = order.events.get(action="callback_planned")
    assert planned.data["mode"] == "manual"
    assert order in wq.callback_queues(flow.callback)["manual"]


def test_the_administrators_policy_rows_replace_the_default(flow, at_t0):
    CallbackRule.objects.create(
        position=1, label="住房保障电话回访", method="phone", mode="manual", domains="housing"
    )
    order = flow.pending_callback()
    assert not Survey.objects.filter(order=order).exists()
    assert order.events.get(action="callback_planned").data["rule"] == "住房保障电话回访"


def test_the_policy_rows_refuse_unknown_codes():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        CallbackRule(
            position=1, label="x", method="phone", mode="smart", domains="housing,nowhere"
        ).clean()
    assert set(exc.value.message_dict) == {"domains", "method"}


# --- answers -------------------------------------------------------------------------


def test_a_satisfied_resolved_sms_reply_closes_the_order_by_itself(flow, at_t0):
    """§6.7.2 through §6.8.2: the answer is the callback; nobody touches the order."""
    order = flow.pending_callback()
    received = sms("1A", mid="m-1", code=survey_of(order).code)
    assert received.status == "answered"
    order.refresh_from_db()
    assert order.state == "closed"
    cb = Callback.objects.get(order=order)
    assert (cb.method, cb.mode, cb.outcome, cb.satisfaction, cb.resolution, cb.raw_reply) == (
        "sms",
        "smart",
        "reached",
        "satisfied",
        "resolved",
        "1A",
    )
    assert cb.by is None and cb.assessed
    s = survey_of(order)
    assert (s.state, s.source, s.callback) == ("closed", "sms", cb)
    assert [e.actor_role for e in order.events.filter(action__in=["record_callback", "close"])] == [
        "system",
        "system",
    ]
    # the citizen is told the order is closed
    assert Message.objects.filter(order=order, kind="closed", to=PHONE).count() == 1


def test_a_3_reply_records_unsatisfied_and_puts_the_order_before_a_person(flow, at_t0):
    """§6.8: dissatisfied → the callback queue (person, candidates for 重办)."""
    order = flow.pending_callback()
    assert sms("3", mid="m-1").status == "answered"
    order.refresh_from_db()
    assert order.state == "pending_callback"
    s = survey_of(order)
    assert (s.state, s.reason, s.satisfaction) == ("to_person", "unsatisfied", "unsatisfied")
    queues = wq.callback_queues(flow.callback)
    assert order in queues["manual"] and order in queues["negative"]
    assert order not in queues["smart"]
    assert order.events.filter(action="callback_to_person").exists()
    notice = Message.objects.get(kind="callback_to_person", order=order)
    assert (notice.channel, notice.to) == ("system", "role:callback")
    # the person takes it from here: reopen (重办) goes back to the unit
    act.do_reopen(order, flow.callback, reason="市民短信回复不满意，核实后重办")
    order.refresh_from_db()
    assert order.state == "dispatched"


def test_half_an_answer_is_asked_once_more_then_recorded(flow, at_t0):
    """§6.8.3 needs both satisfaction and resolution: "1" alone → one follow-up SMS."""
    order = flow.pending_callback()
    assert sms("1", mid="m-1").status == "followed_up"
    followup = Message.objects.get(key=survey_of(order).followup_key(1))
    assert "A已解决" in followup.body and len(followup.body) <= 70
    assert sms("A", mid="m-2").status == "answered"
    order.refresh_from_db()
    assert order.state == "closed"
    cb = Callback.objects.get(order=order)
    assert (cb.satisfaction, cb.resolution) == ("satisfied", "resolved")


def test_a_second_half_answer_goes_to_a_person_with_what_was_said(flow, at_t0):
    order = flow.pending_callback()
    sms("2", mid="m-1")
    assert sms("2", mid="m-2").status == "answered"
    s = survey_of(order)
    assert (s.state, s.reason) == ("to_person", "incomplete")
    cb = Callback.objects.get(order=order)
    assert (cb.satisfaction, cb.resolution) == ("basically_satisfied", "")


def test_an_unparsable_reply_goes_to_a_person_without_a_callback(flow, at_t0):
    order = flow.pending_callback()
    assert sms("房子还在漏水，你们来看看", mid="m-1").status == "answered"
    s = survey_of(order)
    assert (s.state, s.reason) == ("to_person", "unparsable")
    assert not Callback.objects.filter(order=order).exists()
    assert "房子还在漏水" in order.events.get(action="callback_to_person").note


def test_a_person_reaching_the_citizen_ends_the_waiting_survey(flow, at_t0):
    order = flow.pending_callback()
    act.do_record_callback(
        order,
        flow.callback,
        method="phone",
        satisfaction="satisfied",
        resolution="resolved",
    )
    assert survey_of(order).state == "cancelled"
    # a reply arriving afterwards is late: kept, shown, changes nothing
    assert sms("3", mid="m-1").status == "late"
    assert InboundSms.objects.get(message_id="m-1").note == "评价结束（已取消）后收到"
    assert Callback.objects.filter(order=order).count() == 1
    assert InboundSms.objects.get(message_id="m-1") in cq.desk_replies()


def test_the_survey_link_answers_once(flow, at_t0):
    order = flow.pending_callback()
    s = survey_of(order)
    with pytest.raises(ValidationFailed) as exc:
        cba.do_answer_survey(s.token, satisfaction="satisfied", resolution="")
    assert set(exc.value.fields) == {"resolution"}
    cba.do_answer_survey(s.token, satisfaction="basically_satisfied", resolution="resolved")
    order.refresh_from_db()
    assert order.state == "closed"
    assert Callback.objects.get(order=order).note.startswith("智能回访（评价页面）")
    with pytest.raises(Conflict):
        cba.do_answer_survey(s.token, satisfaction="unsatisfied", resolution="unresolved")


def test_an_order_with_merged_citizens_is_not_closed_by_one_survey(flow, at_t0):
    """§6.6.3 c / §6.7.2: every merged citizen is called back before closing — the survey
    records its answer and hands the order to a person."""
    main = flow.dispatched()
    dup = flow.accepted(citizen_phone="13900000001")
    act.do_merge(dup, flow.agent, main=main.number, reason="同一小区同一楼顶漏水")
    act.do_sign(main, flow.clerk)
    from hotline.web.tests.conftest import REPLY

    act.do_reply(main, flow.clerk, **REPLY)
    act.do_accept_reply(main, flow.reviewer)
    assert sms("1A", mid="m-1").status == "answered"
    main.refresh_from_db()
    assert main.state == "pending_callback"
    assert (survey_of(main).state, survey_of(main).reason) == ("to_person", "close_blocked")
    assert Callback.objects.get(order=main).satisfaction == "satisfied"


# --- time-out to a person (§6.8.1) ---------------------------------------------------


def test_no_answer_in_24_hours_is_one_unanswered_attempt_and_a_person_takes_over(
    flow, time_machine
):
    time_machine.move_to(T0, tick=False)
    order = flow.pending_callback()
    time_machine.move_to(T0 + timedelta(hours=23, minutes=59), tick=False)
    assert cba.expire_surveys().timed_out == 0
    time_machine.move_to(T0 + timedelta(hours=24), tick=False)
    assert cba.expire_surveys().timed_out == 1
    assert cba.expire_surveys().timed_out == 0  # idempotent
    s = survey_of(order)
    assert (s.state, s.reason) == ("to_person", "timeout")
    cb = Callback.objects.get(order=order)
    assert (cb.method, cb.mode, cb.outcome) == ("sms", "smart", "unreachable")
    assert order in wq.callback_queues(flow.callback)["manual"]
    # 3 unanswered attempts count as 未联系上, as today: two more by phone, then closing
    with pytest.raises(Conflict):
        act.do_close(order, flow.callback)
    for _ in range(2):
        act.do_record_callback(order, flow.callback, method="phone", outcome="unreachable")
    act.do_close(order, flow.callback, note="三次未联系上")
    order.refresh_from_db()
    assert order.state == "closed"
    # a reply after all that is late
    assert sms("1A", mid="m-late").status == "late"


def test_a_half_answer_without_its_second_half_in_time_is_recorded_and_sent_to_a_person(
    flow, time_machine
):
    time_machine.move_to(T0, tick=False)
    order = flow.pending_callback()
    sms("1", mid="m-1")
    time_machine.move_to(T0 + timedelta(hours=25), tick=False)
    assert cba.expire_surveys().timed_out == 1
    cb = Callback.objects.get(order=order)
    assert (cb.outcome, cb.satisfaction, cb.resolution) == ("reached", "satisfied", "")
    assert survey_of(order).reason == "incomplete"


def test_a_survey_that_could_not_be_sent_goes_to_a_person(flow, at_t0):
    order = flow.pending_callback()
    Message.objects.filter(key=survey_of(order).message_key).update(state="dead", dead_at=T0)
    assert cba.expire_surveys().send_failed == 1
    assert survey_of(order).reason == "send_failed"
    assert not Callback.objects.filter(order=order).exists()


# --- matching and opt-out ------------------------------------------------------------


def test_a_phone_with_two_surveys_needs_the_reply_code(flow, at_t0):
    first = flow.pending_callback()
    second = flow.pending_callback(title="楼道灯不亮")
    a, b = survey_of(first), survey_of(second)
    assert a.code != b.code
    assert sms("1A", mid="m-1").status == "unmatched"  # which one?
    unknown = next(c for c in ("0000", "9999", "5555") if c not in (a.code, b.code))
    assert sms("1A", mid="m-2", code=unknown).status == "unmatched"
    assert sms("3", mid="m-3", code=b.code).status == "answered"
    assert survey_of(second).reason == "unsatisfied"
    assert survey_of(first).state == "waiting"


def test_an_unknown_phone_is_an_unmatched_reply_on_the_desk(db, at_t0):
    received = sms("1A", mid="m-1", phone="13700000000")
    assert received.status == "unmatched"
    assert list(cq.desk_replies()) == [received.inbound]


def test_a_redelivery_is_recognised_by_the_providers_message_id(flow, at_t0):
    order = flow.pending_callback()
    assert sms("3", mid="m-1").status == "answered"
    assert sms("3", mid="m-1").status == "duplicate"
    assert Callback.objects.filter(order=order).count() == 1
    assert InboundSms.objects.count() == 1


def test_td_opts_out_and_the_survey_goes_to_a_person(flow, at_t0):
    """The citizen may opt out (§6.8.2 with PIPL): no more SMS; the callback is still owed."""
    order = flow.pending_callback()
    assert sms("TD", mid="m-1").status == "opt_out"
    assert SmsOptOut.objects.filter(phone=PHONE, via="sms").exists()
    assert survey_of(order).reason == "opted_out"
    before = Message.objects.filter(channel="sms").count()
    # nothing more by SMS: not the closing notice, not a survey of the next order
    act.do_record_callback(
        order, flow.callback, method="phone", satisfaction="satisfied", resolution="resolved"
    )
    act.do_close(order, flow.callback)
    nxt = flow.pending_callback(title="楼道灯不亮")
    assert not Survey.objects.filter(order=nxt).exists()
    assert Message.objects.filter(channel="sms").count() == before


# --- the citizen's own rating (§6.8 [beyond]) ----------------------------------------


def test_the_citizens_own_rating_resolved_closes_the_order(flow, at_t0):
    order = flow.pending_callback()
    cba.do_rate_order(order, resolution="resolved", comment="修好了")
    order.refresh_from_db()
    assert order.state == "closed"
    cb = Callback.objects.get(order=order)
    assert (cb.method, cb.mode, cb.satisfaction, cb.resolution) == (
        "other",
        "smart",
        "",
        "resolved",
    )
    assert survey_of(order).state == "cancelled"


def test_the_citizens_own_rating_unresolved_puts_the_order_before_a_person_once(flow, at_t0):
    order = flow.pending_callback()
    cba.do_rate_order(order, resolution="unresolved", comment="还在漏水")
    order.refresh_from_db()
    assert order.state == "pending_callback"
    assert order in wq.callback_queues(flow.callback)["negative"]
    assert "还在漏水" in Callback.objects.get(order=order).raw_reply
    with pytest.raises(Conflict):
        cba.do_rate_order(order, resolution="resolved")


# --- what the assessment counts ------------------------------------------------------


def test_only_the_first_answer_of_a_round_counts_in_the_assessment(flow, at_t0):
    order = flow.pending_callback()
    sms("3", mid="m-1")
    act.do_record_callback(
        order,
        flow.callback,
        method="phone",
        satisfaction="basically_satisfied",
        resolution="resolved",
        note="电话核实后市民表示基本满意",
    )
    smart, manual = Callback.objects.filter(order=order).order_by("at", "id")
    assert smart.assessed and not manual.assessed
    from hotline.analytics import metrics

    assert list(metrics.callbacks().values_list("pk", flat=True)) == [smart.pk]
    # after 重办 a new round starts (days later): its first answer counts again
    at_t0.move_to(T0 + timedelta(days=3), tick=False)
    act.do_reopen(order, flow.callback, reason="重办")
    act.do_sign(order, flow.clerk)
    from hotline.web.tests.conftest import REPLY

    act.do_reply(order, flow.clerk, **REPLY)
    act.do_accept_reply(order, flow.reviewer)
    again = act.do_record_callback(
        order, flow.callback, method="phone", satisfaction="satisfied", resolution="resolved"
    )
    assert again.assessed


# --- notifications (SMS at acceptance, reply, closing) -------------------------------


def _citizen_sms(order):
    return list(
        Message.objects.filter(
            order=order, channel="sms", kind__in=["accepted", "replied", "closed"]
        )
        .order_by("created_at", "id")
        .values_list("kind", "body")
    )


def test_the_citizen_hears_at_acceptance_reply_and_closing_in_short_texts(flow, at_t0):
    """§6.1.1 number + tracking link, §6.4.2 the unit's reply, §6.7 closing — one SMS
    segment each (70 characters) with the centre's short link domain."""
    order = flow.pending_callback()
    act.do_record_callback(
        order, flow.callback, method="phone", satisfaction="satisfied", resolution="resolved"
    )
    act.do_close(order, flow.callback)
    sent = _citizen_sms(order)
    assert [k for k, _ in sent] == ["accepted", "replied", "closed"]
    link = order.tracking_link
    accepted, replied, closed = (b for _, b in sent)
    assert order.number in accepted and f"{PUBLIC_URL}/portal/t/{link.token}/" in accepted
    assert f"/portal/t/{link.token}/" in replied
    assert "已办结" in closed and "退订回TD" in closed
    for _, body in sent:
        assert len(body) <= 70, body
        # never anybody's personal data, not even the citizen's own, nor the appeal's words
        for private in (order.citizen_name, order.citizen_phone, order.address, order.title):
            assert private not in body
        assert flow.clerk.display_name not in body and "住房和城乡建设局" not in body


def test_a_direct_close_tells_the_citizen_too_and_each_event_is_sent_once(flow, at_t0):
    order = flow.accepted()
    act.do_direct_close(order, flow.agent, answer="已告知办理流程。")
    kinds = [k for k, _ in _citizen_sms(order)]
    assert kinds == ["accepted", "closed"]
    keys = Message.objects.filter(order=order).values_list("key", flat=True)
    assert len(set(keys)) == len(keys)


def test_no_sms_to_a_landline_or_when_notifications_are_off(flow, at_t0, settings):
    landline = flow.accepted(citizen_phone="0473-3110000")
    assert _citizen_sms(landline) == []
    settings.HOTLINE_CALLBACK = {**settings.HOTLINE_CALLBACK, "notify_citizens": False}
    mobile = flow.accepted()
    assert _citizen_sms(mobile) == []


def test_without_a_public_address_the_texts_say_where_to_look(flow, at_t0, settings):
    settings.HOTLINE_CALLBACK = {**settings.HOTLINE_CALLBACK, "public_url": ""}
    order = flow.pending_callback()
    (_, accepted), (_, replied) = _citizen_sms(order)
    assert "http" not in accepted and "编号和手机号" in accepted and len(accepted) <= 70
    body = Message.objects.get(key=survey_of(order).message_key).body
    assert "http" not in body and len(body) <= 70


def test_a_colliding_random_token_is_drawn_again(flow, at_t0, monkeypatch):
    """Tokens are random and unique; a collision costs one more draw, never the action."""
    first = flow.accepted()
    draws = iter([first.tracking_link.token, "fresh-token"])
    monkeypatch.setattr(cba, "_token", lambda n: next(draws))
    second = flow.accepted(title="楼道灯不亮")
    assert second.tracking_link.token == "fresh-token"


def test_a_mini_program_citizen_gets_a_wechat_survey_answered_on_the_page(flow, at_t0, org):
    """§6.8.2 微信: the mini-program sent the citizen's WeChat id with the appeal; the survey
    goes to WeChat with the one-time link, and the page's answer closes the order."""
    from hotline.channels import services
    from hotline.channels.models import ChannelClient
    from hotline.web.tests.conftest import REPLY

    client, _ = ChannelClient.issue("乌海12345小程序", "miniprogram")
    order, _ = services.submit_appeal(
        client,
        {
            "content": "康乐小区3号楼顶楼漏水",
            "phone": "13822223333",
            "extra": {"openid": "o-Wx123"},
        },
    )
    appeal = {k: v for k, v in flow.appeal.items() if k not in ("channel", "citizen_phone")}
    act.do_accept(order, flow.agent, appeal)
    act.do_submit(order, flow.agent)
    act.do_dispatch(order, flow.reviewer, lead_unit=org.zjj)
    act.do_sign(order, flow.clerk)
    act.do_reply(order, flow.clerk, **REPLY)
    act.do_accept_reply(order, flow.reviewer)
    s = survey_of(order)
    assert (s.method, s.to, s.code) == ("wechat", "o-Wx123", "")
    m = Message.objects.get(key=s.message_key)
    assert (m.channel, m.to) == ("wechat", "o-Wx123")
    assert f"/portal/s/{s.token}/" in m.body and "13822223333" not in m.body
    cba.do_answer_survey(s.token, satisfaction="satisfied", resolution="resolved")
    order.refresh_from_db()
    assert order.state == "closed"
    assert Callback.objects.get(order=order).method == "wechat"


def test_the_retention_purge_forgets_where_surveys_went_and_what_citizens_replied(flow, at_t0):
    """PIPL (docs/privacy.md): when a closed order's personal data is purged, its survey's
    address and the citizen's replies lose the phone and the personal data typed in them;
    the verdicts stay for the statistics."""
    order = flow.pending_callback()
    sms(f"3 师傅电话{PHONE}根本没来", mid="m-keep")
    verdict = survey_of(order).state, survey_of(order).reason
    act.do_record_callback(
        order,
        flow.callback,
        method="phone",
        satisfaction="satisfied",
        resolution="resolved",
        note="回访已解决",
    )
    act.do_close(order, flow.callback)
    at_t0.move_to(T0 + timedelta(days=366 * 6))
    act.do_purge_personal_data(years=5)
    s = survey_of(order)
    reply = InboundSms.objects.get(message_id="m-keep")
    assert s.to == "" and reply.phone == ""
    assert PHONE not in reply.text and "根本没来" in reply.text
    assert (s.state, s.reason) == verdict
