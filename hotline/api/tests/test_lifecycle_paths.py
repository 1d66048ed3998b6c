"""Every path of §6 through the staff API, with the clock moved by time-machine."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def deadline(order: dict, kind: str, *, running: bool = True) -> dict:
    rows = [
        d
        for d in order["deadlines"]
        if d["kind"] == kind and (not running or (not d["superseded"] and d["met_at"] is None))
    ]
    assert rows, (kind, order["deadlines"])
    return rows[-1]


@pytest.mark.clause("6.7.1")
def test_direct_handling_closes_at_once(as_, agent, appeal):
    """§6.7.1: a directly handled order closes when handled."""
    a = as_(agent)
    order = a.ok("post", "/orders", {**appeal, "appeal_type": "consult"}, status=201)
    assert order["state"]["code"] == "accepted"
    closed = a.ok(
        "post", f"/orders/{order['number']}/direct-close", {"answer": "已告知维修基金申请流程。"}
    )
    assert closed["state"]["code"] == "closed" and closed["closed_at"]
    assert [e["action"] for e in closed["timeline"]] == ["create", "direct_close"]
    assert deadline(closed, "dispatch", running=False)["state"] == "met"


@pytest.mark.clause("6.2", "6.3", "6.4.1", "6.4.2", "6.4.3", "6.6", "6.7.2")
def test_transfer_review_dispatch_sign_extend_reply_callback_close_across_national_day(
    as_, agent, reviewer, clerk, callback_agent, appeal, org
):
    """The full transferred path with 2026's 国庆 and the adjusted working Saturday 10-10:
    §6.2 dispatch within 1 working day, §6.4.2 feedback in 5 working days, §6.4.1
    extension, §6.4.3 reply, §6.6 acceptance, §6.8 callback, §6.7.2 close."""
    a, r, u, c = as_(agent), as_(reviewer), as_(clerk), as_(callback_agent)
    with time_machine.travel(sh(2026, 9, 30, 10, 0), tick=False) as clock:
        order = a.ok("post", "/orders", appeal, status=201)
        n = order["number"]
        assert n.startswith("20260930")
        assert deadline(order, "dispatch")["due_at"] == sh(2026, 10, 8, 10, 0).isoformat()
        a.ok("post", f"/orders/{n}/submit")
        order = r.ok(
            "post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk, "note": "请核实维修"}
        )
        assert order["state"]["code"] == "dispatched"
        feedback = deadline(order, "feedback")
        assert feedback["due_at"] == sh(2026, 10, 13, 10, 0).isoformat()
        assert "10-01法定节假日" in feedback["explanation"] and "§6.4.2" in feedback["explanation"]

        clock.move_to(sh(2026, 10, 8, 9, 0))
        order = u.ok("post", f"/orders/{n}/sign")
        assert order["state"]["code"] == "handling"

        clock.move_to(sh(2026, 10, 10, 11, 0))  # the adjusted working Saturday
        order = u.get(f"/orders/{n}").json()
        # 75 % of the 120 working hours elapse on Monday 10-12 04:00, not during the holiday
        assert deadline(order, "feedback")["state"] == "normal"
        clock.move_to(sh(2026, 10, 12, 9, 0))
        order = u.get(f"/orders/{n}").json()
        assert deadline(order, "feedback")["state"] == "warning"
        assert deadline(order, "feedback")["warn_at"] == sh(2026, 10, 12, 4, 0).isoformat()
        u.ok("post", f"/orders/{n}/extension", {"days": 3, "reason": "需联系物业共同勘查屋面"})
        order = r.ok("post", f"/orders/{n}/extension/approve", {"note": "同意"})
        ext = deadline(order, "extension")
        assert ext["due_at"] == sh(2026, 10, 16, 10, 0).isoformat()  # 13th + 3 working days
        assert deadline(order, "feedback", running=False)["superseded"]

        clock.move_to(sh(2026, 10, 15, 16, 0))
        order = u.ok(
            "post",
            f"/orders/{n}/reply",
            {
                "handling_situation": "已完成屋面防水维修",
                "citizen_contact": "已电话告知王先生",
                "investigation": "现场查看防水层老化属实",
                "opinion": "已修复，保修一年，依据物业管理条例",
            },
        )
        assert order["state"]["code"] == "replied"
        assert deadline(order, "extension", running=False)["state"] == "met"

        order = c.ok("post", f"/orders/{n}/accept-reply", {})
        assert order["state"]["code"] == "pending_callback"
        assert deadline(order, "callback")["due_at"] == sh(2026, 10, 19, 16, 0).isoformat()
        c.ok(
            "post",
            f"/orders/{n}/callbacks",
            {"method": "phone", "satisfaction": "satisfied", "resolution": "resolved"},
        )
        order = c.ok("post", f"/orders/{n}/close", {})
        assert order["state"]["code"] == "closed"
        actions = [e["action"] for e in order["timeline"]]
        assert actions == [
            "create",
            "submit",
            "dispatch",
            "sign",
            "request_extension",
            "approve_extension",
            "reply",
            "accept_reply",
            "callback_planned",  # §6.8.2: the callback policy chose an SMS survey
            "record_callback",
            "close",
        ]
        assert all(e["actor"] for e in order["timeline"])


@pytest.mark.clause("6.2")
def test_reviewer_returns_defective_order_to_intake(as_, agent, reviewer, appeal):
    """§6.2: a non-compliant order goes back to intake with a reason, then is resubmitted."""
    a, r = as_(agent), as_(reviewer)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    resp = r.post(f"/orders/{n}/return-to-intake", {"reason": " "})
    assert resp.status_code == 422 and "reason" in resp.json()["fields"]
    order = r.ok("post", f"/orders/{n}/return-to-intake", {"reason": "地址缺少楼号"})
    assert order["state"]["code"] == "returned"
    a.ok("patch", f"/orders/{n}", {"address": appeal["address"] + "2单元"})
    assert a.ok("post", f"/orders/{n}/submit")["state"]["code"] == "pending_review"


@pytest.mark.clause("6.3")
def test_unit_returns_misrouted_order_and_it_is_redispatched(
    as_, agent, reviewer, clerk, other_clerk, appeal, org
):
    """退单: the unit sends a misrouted order back; re-dispatch keeps the history (§6.3)."""
    a, r = as_(agent), as_(reviewer)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.szyh.pk})
    order = as_(other_clerk).ok(
        "post", f"/orders/{n}/unit-return", {"reason": "房屋维修不属于市政养护职责"}
    )
    assert order["state"]["code"] == "pending_review" and order["lead_unit"] is None
    # the returning unit now reads only its own part (docs/privacy.md); the centre sees
    # the new dispatch clock
    assert order["access"] == "own_part" and order["citizen"]["phone"] == ""
    assert deadline(r.ok("get", f"/orders/{n}"), "dispatch")["state"] == "normal"
    order = r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    assert [(x["unit"]["code"], x["end_reason"]) for x in order["assignments"]] == [
        ("t-hbw-szyh", "unit_return"),
        ("t-hbw-zjj", ""),
    ]
    # the unit that returned it still sees its own part, but may not act any more
    resp = as_(other_clerk).post(f"/orders/{n}/sign")
    assert resp.status_code == 403
    own = as_(other_clerk).ok("get", f"/orders/{n}")
    assert [x["unit"]["code"] for x in own["assignments"]] == ["t-hbw-szyh"]


@pytest.mark.clause("6.4.1")
def test_hang_up_pauses_the_feedback_clock_and_resumes_with_days_left(
    as_, agent, reviewer, clerk, appeal, org
):
    """§6.4.1: hang-up for at most 90 natural days, approved by the centre."""
    a, r, u = as_(agent), as_(reviewer), as_(clerk)
    with time_machine.travel(sh(2026, 11, 2, 9, 0), tick=False) as clock:  # Monday
        n = a.ok("post", "/orders", appeal, status=201)["number"]
        a.ok("post", f"/orders/{n}/submit")
        r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
        u.ok("post", f"/orders/{n}/sign")
        clock.move_to(sh(2026, 11, 4, 9, 0))  # 2 working days used, 3 left
        resp = u.post(f"/orders/{n}/suspension", {"days": 91, "reason": "行政处罚程序"})
        assert resp.status_code == 422 and "90" in resp.json()["fields"]["days"]
        u.ok("post", f"/orders/{n}/suspension", {"days": 60, "reason": "行政处罚法定期限60日"})
        order = r.ok("post", f"/orders/{n}/suspension/approve", {})
        assert order["state"]["code"] == "suspended"
        assert deadline(order, "hang_up")["due_at"] == sh(2027, 1, 3, 9, 0).isoformat()
        clock.move_to(sh(2026, 11, 20, 10, 0))  # Friday
        order = u.ok("post", f"/orders/{n}/resume", {"note": "处罚已作出"})
        assert order["state"]["code"] == "handling"
        assert deadline(order, "feedback")["due_at"] == sh(2026, 11, 25, 10, 0).isoformat()


@pytest.mark.clause("6.6.3")
def test_no_further_handling_needs_a_reason_and_a_written_explanation(
    as_, agent, reviewer, clerk, appeal, org
):
    """§6.6.3: not handled again, with reason a–d and a formal written explanation."""
    a, r, u = as_(agent), as_(reviewer), as_(clerk)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    u.ok("post", f"/orders/{n}/sign")
    resp = u.post(f"/orders/{n}/no-further-handling", {"reason": "z_bogus", "explanation": ""})
    assert resp.status_code == 422
    assert set(resp.json()["fields"]) == {"reason", "explanation"}
    order = u.ok(
        "post",
        f"/orders/{n}/no-further-handling",
        {"reason": "c_repeated", "explanation": "已于10月答复，同一事实重复反映。"},
    )
    assert order["state"]["code"] == "replied"
    assert order["replies"][0]["kind"] == "no_further_handling"
    assert order["replies"][0]["no_further_reason"] == "c_repeated"


@pytest.mark.clause("6.4.2", "6.4.4")
def test_emergency_order_must_give_feedback_within_two_hours(as_, agent, reviewer, org, appeal):
    """§6.4.2 and §6.4.4 a: a regional water outage is an emergency order: 2 natural hours,
    even on a holiday; it is flagged and marked very urgent."""
    a, r = as_(agent), as_(reviewer)
    with time_machine.travel(sh(2026, 10, 3, 22, 0), tick=False) as clock:
        order = a.ok(
            "post",
            "/orders",
            {
                **appeal,
                "category": "water_supply",
                "title": "小区停水",
                "emergency_kind": "a_utility_outage",
            },
            status=201,
        )
        assert order["emergency"] and order["urgency"]["code"] == "very_urgent"
        n = order["number"]
        a.ok("post", f"/orders/{n}/submit")
        order = r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.water.pk})
        fb = deadline(order, "feedback")
        assert fb["due_at"] == sh(2026, 10, 4, 0, 0).isoformat()
        assert "2小时" in fb["explanation"]
        assert deadline(order, "sign")["due_at"] == sh(2026, 10, 3, 22, 30).isoformat()
        clock.move_to(sh(2026, 10, 3, 23, 31))
        assert deadline(a.get(f"/orders/{n}").json(), "feedback")["state"] == "warning"
        clock.move_to(sh(2026, 10, 4, 0, 1))
        got = a.get(f"/orders/{n}").json()
        assert (
            deadline(got, "feedback")["state"] == "overdue" and got["deadline_state"] == "overdue"
        )


@pytest.mark.clause("6.6.2")
def test_reverify_when_reply_differs_then_reply_again(
    as_, agent, reviewer, clerk, callback_agent, appeal, org
):
    """§6.6.2: the centre asks the unit to verify again; the unit replies again."""
    a, r, u, c = as_(agent), as_(reviewer), as_(clerk), as_(callback_agent)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    u.ok("post", f"/orders/{n}/sign")
    reply = {
        "handling_situation": "已修",
        "citizen_contact": "已联系",
        "investigation": "属实",
        "opinion": "已办结",
    }
    u.ok("post", f"/orders/{n}/reply", reply)
    order = c.ok("post", f"/orders/{n}/reverify", {"reason": "市民称仍在漏水"})
    assert order["state"]["code"] == "reverify"
    assert deadline(order, "feedback")["clause"] == "§6.6.2"
    order = u.ok("post", f"/orders/{n}/reply", reply)
    assert order["state"]["code"] == "replied" and len(order["replies"]) == 2
    assert order["replies"][0]["verdict"] == "reverify"


def test_unsatisfied_citizen_reopens_to_same_unit(
    as_, agent, reviewer, clerk, callback_agent, appeal, org
):
    """重办: an unsatisfied callback sends the order back to the same unit with new clocks."""
    a, r, u, c = as_(agent), as_(reviewer), as_(clerk), as_(callback_agent)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    u.ok("post", f"/orders/{n}/sign")
    u.ok(
        "post",
        f"/orders/{n}/reply",
        {"handling_situation": "a", "citizen_contact": "b", "investigation": "c", "opinion": "d"},
    )
    c.ok("post", f"/orders/{n}/accept-reply", {})
    c.ok(
        "post",
        f"/orders/{n}/callbacks",
        {"method": "phone", "satisfaction": "unsatisfied", "resolution": "unresolved"},
    )
    order = c.ok("post", f"/orders/{n}/reopen", {"reason": "仍在漏水"})
    assert order["state"]["code"] == "dispatched" and order["reopen_count"] == 1
    assert order["lead_unit"]["code"] == "t-hbw-zjj"
    assert deadline(order, "feedback")["state"] == "normal"
    assert u.ok("post", f"/orders/{n}/sign")["state"]["code"] == "handling"


@pytest.mark.clause("6.7.2", "6.8.1", "6.8.2", "6.8.3")
def test_close_needs_a_callback(as_, agent, reviewer, clerk, callback_agent, appeal, org):
    """§6.7.2: a transferred order closes only after the citizen was called back (§6.8.1);
    a callback by phone/SMS/WeChat/other (§6.8.2) that reached the citizen records
    satisfaction and resolution (§6.8.3); after the centre's maximum unreachable attempts
    the order may close."""
    a, r, u, c = as_(agent), as_(reviewer), as_(clerk), as_(callback_agent)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    u.ok("post", f"/orders/{n}/sign")
    u.ok(
        "post",
        f"/orders/{n}/reply",
        {"handling_situation": "a", "citizen_contact": "b", "investigation": "c", "opinion": "d"},
    )
    c.ok("post", f"/orders/{n}/accept-reply", {})
    resp = c.post(f"/orders/{n}/close", {})
    assert resp.status_code == 409 and "§6.7.2" in resp.json()["message"]
    resp = c.post(f"/orders/{n}/callbacks", {"method": "phone", "outcome": "reached"})
    assert resp.status_code == 422 and set(resp.json()["fields"]) == {"satisfaction", "resolution"}
    for _ in range(3):
        c.ok("post", f"/orders/{n}/callbacks", {"method": "phone", "outcome": "unreachable"})
    assert c.ok("post", f"/orders/{n}/close", {})["state"]["code"] == "closed"


@pytest.mark.clause("5.3")
def test_rejected_call_is_recorded_with_reason_and_line(as_, agent):
    """§5.3 d: a fire is for 119; the call is recorded as not accepted and stays searchable."""
    a = as_(agent)
    resp = a.post("/orders/rejected", {"title": "着火了", "reason": "d_emergency_line"})
    assert resp.status_code == 422 and "emergency_line" in resp.json()["fields"]
    order = a.ok(
        "post",
        "/orders/rejected",
        {"title": "着火了", "reason": "d_emergency_line", "emergency_line": "119"},
        status=201,
    )
    assert order["state"]["code"] == "rejected" and order["emergency_line"] == "119"
    found = a.get("/orders", q="着火").json()
    assert found["count"] == 1 and found["results"][0]["number"] == order["number"]


@pytest.mark.parametrize("missing", ["category", "title", "address", "content"])
def test_each_required_field_of_6_1_5_is_enforced_and_nothing_is_saved(as_, agent, appeal, missing):
    from hotline.orders.models import Event, WorkOrder

    resp = as_(agent).post("/orders", {**appeal, missing: "" if missing != "category" else None})
    assert resp.status_code == 422
    body = resp.json()
    assert (
        body["code"] == "invalid"
        and missing in body["fields"]
        and "§6.1.5" in body["fields"][missing]
    )
    assert WorkOrder.objects.count() == 0 and Event.objects.count() == 0


@pytest.mark.clause("6.4.3", "6.6.1")
def test_reply_without_all_four_parts_is_refused(as_, agent, reviewer, clerk, appeal, org):
    """§6.4.3 a–d are all required — including how the unit contacted the citizen (§6.6.1);
    nothing is saved when one is missing."""
    a, r, u = as_(agent), as_(reviewer), as_(clerk)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    u.ok("post", f"/orders/{n}/sign")
    resp = u.post(
        f"/orders/{n}/reply",
        {"handling_situation": "已修", "citizen_contact": "", "investigation": "", "opinion": "好"},
    )
    assert resp.status_code == 422
    assert set(resp.json()["fields"]) == {"citizen_contact", "investigation"}
    assert "§6.4.3 b" in resp.json()["fields"]["citizen_contact"]
    order = u.get(f"/orders/{n}").json()
    assert order["state"]["code"] == "handling" and order["replies"] == []


def test_illegal_transition_is_a_409_with_current_state(as_, agent, reviewer, appeal, org):
    a, r = as_(agent), as_(reviewer)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    resp = r.post(f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    assert resp.status_code == 409
    body = resp.json()
    assert (
        body["code"] == "illegal_transition"
        and body["state"] == "accepted"
        and body["state_label"] == "已受理"
    )


def test_role_that_may_not_act_gets_403(as_, agent, leader, appeal):
    n = as_(agent).ok("post", "/orders", appeal, status=201)["number"]
    resp = as_(leader).post(f"/orders/{n}/submit")
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"


@pytest.mark.clause("6.4.1")
def test_extension_beyond_five_working_days_in_total_is_refused(
    as_, agent, reviewer, clerk, appeal, org
):
    """§6.4.1: extensions add up to at most 5 working days."""
    a, r, u = as_(agent), as_(reviewer), as_(clerk)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    r.ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    u.ok("post", f"/orders/{n}/sign")
    u.ok("post", f"/orders/{n}/extension", {"days": 4, "reason": "复杂"})
    r.ok("post", f"/orders/{n}/extension/approve", {})
    resp = u.post(f"/orders/{n}/extension", {"days": 2, "reason": "还需时间"})
    assert resp.status_code == 422 and "已延期4天" in resp.json()["fields"]["days"]
    u.ok("post", f"/orders/{n}/extension", {"days": 1, "reason": "最后一天"})
    resp = r.post(f"/orders/{n}/extension/deny", {"note": ""})
    assert resp.status_code == 422
    assert (
        r.ok("post", f"/orders/{n}/extension/deny", {"note": "请按期办结"})["state"]["code"]
        == "handling"
    )


@pytest.mark.clause("5.1", "6.1.1", "6.1.3", "6.1.4", "6.1.7")
def test_electronic_work_order_records_source_citizen_and_urgency(as_, agent, appeal):
    """§6.1.1 the agent records the appeal as an electronic work order; §5.1/§6.1.3 its
    channel; §6.1.4 the citizen's name, phone and address; §6.1.7 its urgency."""
    a = as_(agent)
    order = a.ok(
        "post",
        "/orders",
        {**appeal, "channel": "grid", "citizen_address": "康乐小区3号楼", "urgency": "urgent"},
        status=201,
    )
    assert order["channel"] == {"code": "grid", "label": "网格员采集"}
    assert order["citizen"] == {
        "name": "王建军",
        "phone": "13812345678",
        "address": "康乐小区3号楼",
        "masked": False,
    }
    assert order["urgency"] == {"code": "urgent", "label": "紧急"}
    bad = a.post("/orders", {**appeal, "channel": "fax", "citizen_phone": "call me"})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"channel", "citizen_phone"}
    bad = a.post("/orders", {**appeal, "urgency": "whenever"})
    assert bad.status_code == 422 and "normal" in bad.json()["fields"]["urgency"]


def test_a_json_null_clears_a_text_field_instead_of_failing(as_, agent, appeal):
    """Found by schemathesis: ``{"demand": null}`` on PATCH was a 500 (NOT NULL)."""
    a = as_(agent)
    order = a.ok("post", "/orders", appeal, status=201)
    patched = a.ok("patch", f"/orders/{order['number']}", {"demand": None, "title": "井盖缺失"})
    assert patched["demand"] == "" and patched["title"] == "井盖缺失"
