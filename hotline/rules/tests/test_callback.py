"""The smart-callback tables (§6.8.2, §6.8.3, §6.7.2) as pure rules: who gets a person and
who a survey, what a reply means, what an answer leads to, what the assessment counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.rules import callback as cb


def case(**kw) -> cb.CallbackCase:
    base = {
        "channel": "phone",
        "appeal_type": "help",
        "domain": "housing",
        "urgency": "normal",
        "emergency": False,
        "reopen_count": 0,
        "mobile": "13812345678",
        "wechat": "",
    }
    return cb.CallbackCase(**{**base, **kw})


# --- the policy (§6.8.2) -------------------------------------------------------------


def test_a_citizen_with_a_mobile_number_gets_an_sms_survey_by_default():
    """§6.8.2: 短信 … 智能 — the default for an ordinary order with a mobile number."""
    choice = cb.choose(case())
    assert (choice.method, choice.mode) == ("sms", "smart")
    assert choice.smart


def test_emergency_orders_are_called_back_by_a_person():
    """§6.4.4 emergency orders get a person, whatever else the row list says."""
    assert (cb.choose(case(emergency=True)).method, cb.choose(case(emergency=True)).mode) == (
        "phone",
        "manual",
    )


@pytest.mark.parametrize("appeal_type", ["complaint", "report"])
def test_complaints_and_reports_are_called_back_by_a_person(appeal_type):
    """§5.4.1 c–d: a complaint or a report deserves a person's call (§6.8.2 人工)."""
    assert cb.choose(case(appeal_type=appeal_type)).mode == "manual"


def test_a_reopened_order_is_called_back_by_a_person():
    """重办 once already (§6.8 [beyond]): the citizen was unhappy before — a person calls."""
    assert cb.choose(case(reopen_count=1)).mode == "manual"


def test_a_landline_cannot_get_an_sms_so_a_person_calls():
    """A row that cannot reach the citizen is passed over; in the end a person phones
    (§6.7.2 still needs a callback)."""
    choice = cb.choose(case(mobile=""))
    assert (choice.method, choice.mode) == ("phone", "manual")
    assert choice.row is cb.FALLBACK


def test_a_mini_program_appeal_with_a_wechat_id_gets_a_wechat_survey():
    choice = cb.choose(case(channel="miniprogram", wechat="o-openid-1"))
    assert (choice.method, choice.mode) == ("wechat", "smart")
    # without the WeChat id the SMS row below takes it
    assert cb.choose(case(channel="miniprogram")).method == "sms"


def test_administrator_rows_decide_by_domain_and_urgency_in_order():
    rows = [
        cb.PolicyRow(
            "环保类电话回访", "phone", "manual", "§6.8.2", domains=frozenset({"environment"})
        ),
        cb.PolicyRow(
            "紧急的电话回访", "phone", "manual", "§6.8.2", urgencies=frozenset({"urgent"})
        ),
        cb.PolicyRow("其余短信", "sms", "smart", "§6.8.2"),
    ]
    assert cb.choose(case(domain="environment"), rows).row.label == "环保类电话回访"
    assert cb.choose(case(urgency="urgent"), rows).row.label == "紧急的电话回访"
    assert cb.choose(case(), rows).row.label == "其余短信"
    # an empty list: a person
    assert cb.choose(case(), []).row is cb.FALLBACK


def test_a_smart_callback_is_a_survey_by_sms_or_wechat():
    with pytest.raises(ValueError):
        cb.PolicyRow("智能电话", "phone", "smart", "§6.8.2")
    with pytest.raises(ValueError):
        cb.PolicyRow("?", "fax", "manual", "§6.8.2")


@pytest.mark.parametrize(
    ("phone", "mobile"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("0473-3110000", ""),
        ("12345678901", ""),
        ("1381234567", ""),
        ("", ""),
        ("1" * 5000, ""),
    ],
)
def test_sms_goes_to_mainland_mobile_numbers_only(phone, mobile):
    assert cb.mobile_number(phone) == mobile


# --- reply codes (§6.8.3) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "satisfaction", "resolution"),
    [
        ("1A", "satisfied", "resolved"),
        ("a1", "satisfied", "resolved"),
        ("１ａ", "satisfied", "resolved"),  # full-width, as phones often send
        (" 2 b ", "basically_satisfied", "unresolved"),
        ("3", "unsatisfied", ""),
        ("B", "", "unresolved"),
        ("满意，已解决", "satisfied", "resolved"),
        ("基本满意", "basically_satisfied", ""),
        ("不满意", "unsatisfied", ""),
        ("非常不满意！问题没解决", "unsatisfied", "unresolved"),
        ("我很满意了", "satisfied", ""),
        ("1A 谢谢你们", "satisfied", "resolved"),
    ],
)
def test_reply_codes_and_words_are_understood(text, satisfaction, resolution):
    parsed = cb.parse_reply(text)
    assert parsed.understood
    assert (parsed.satisfaction, parsed.resolution) == (satisfaction, resolution)


@pytest.mark.parametrize("text", ["", "你好", "4", "1C", "13", "AB", "我不太满意", "1A 好"])
def test_anything_else_is_not_understood_and_goes_to_a_person(text):
    """Garbage, contradictions (1 and 3) and hedged words (不太满意) are read by a person."""
    assert not cb.parse_reply(text).understood


@pytest.mark.parametrize("text", ["TD", "td", "退订", "T"])
def test_td_means_no_more_sms(text):
    assert cb.parse_reply(text).opt_out


def test_a_long_reply_is_read_in_bounded_time():
    assert not cb.parse_reply("满" * 100_000).understood


# --- verdicts (§6.7.2, §6.8) -----------------------------------------------------------


@pytest.mark.parametrize("sat", ["satisfied", "basically_satisfied"])
@pytest.mark.parametrize("source", ["sms", "link"])
def test_satisfied_and_resolved_closes_the_order(sat, source):
    """§6.7.2: the citizen was called back (by survey) and is content — the order closes."""
    assert cb.verdict(sat, "resolved", source).decision == cb.CLOSE


@pytest.mark.parametrize(
    ("sat", "res", "reason"),
    [
        ("unsatisfied", "resolved", "unsatisfied"),
        ("unsatisfied", "", "unsatisfied"),
        ("satisfied", "unresolved", "unresolved"),
        ("", "unresolved", "unresolved"),
    ],
)
def test_unsatisfied_or_unresolved_goes_to_a_callback_agent(sat, res, reason):
    """§6.8: a negative answer goes before a person, who may reopen (重办)."""
    v = cb.verdict(sat, res, "sms")
    assert (v.decision, v.reason) == (cb.TO_PERSON, reason)


def test_half_an_sms_answer_is_asked_again_and_half_a_page_answer_goes_to_a_person():
    assert cb.verdict("satisfied", "", "sms").decision == cb.ASK_AGAIN
    assert cb.verdict("", "resolved", "sms").decision == cb.ASK_AGAIN
    assert cb.verdict("satisfied", "", "link") == cb.Verdict(cb.TO_PERSON, "incomplete", None)
    assert cb.may_ask_again(0, 1) and not cb.may_ask_again(1, 1)


def test_the_citizens_own_rating_resolved_closes_unresolved_goes_to_a_person():
    """The tracking page's rating counts as a smart callback (§6.8.2)."""
    assert cb.verdict("", "resolved", "self_rating").decision == cb.CLOSE
    assert cb.verdict("", "unresolved", "self_rating").decision == cb.TO_PERSON


def test_every_verdict_row_cites_a_clause():
    assert all(row.clause.startswith("§") for row in cb.VERDICTS)
    assert all(row.clause.startswith("§") for row in (*cb.DEFAULT_POLICY, cb.FALLBACK))


def test_a_survey_waits_the_configured_natural_hours():
    """No answer within N hours (default 24) → a person; one unanswered attempt (§6.8.1)."""
    sent = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)  # a Friday: natural hours, not working
    assert cb.survey_due(sent, 24) == sent + timedelta(hours=24)


# --- assessment (§4.1 b, §6.8.3) -------------------------------------------------------


def test_the_first_answer_of_a_round_counts_in_the_assessment():
    assert cb.counts_in_assessment("reached", 0)
    assert not cb.counts_in_assessment("reached", 1)  # a person re-checking after the SMS
    assert not cb.counts_in_assessment("unreachable", 0)


# --- SMS length --------------------------------------------------------------------------


def test_optional_tails_are_added_only_while_the_text_fits_one_segment():
    assert cb.fit_sms("x" * 60, ["abcde", "。退订回TD"]) == "x" * 60 + "abcde"
    assert cb.fit_sms("x" * 69, ["ab"]) == "x" * 69
    assert len(cb.fit_sms("x" * 10, ["y" * 100, "z" * 50])) == 60
