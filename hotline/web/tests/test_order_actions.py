"""Every action of the detail page, taken by the right persona through the web form:
review and dispatch (§6.2, §6.3), handling (§6.4), reply acceptance (§6.6), supervision
(§6.5), callback and closing (§6.7, §6.8).  Bad input → 422 with field errors; a stale
page → 409 with the current state; CSRF is enforced."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.orders import actions as act
from hotline.orders.models import Attachment, Reply
from hotline.web.tests.conftest import REPLY, pdf

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def post(client, order, action, data=None, **files):
    payload = {f"{action}-{k}": v for k, v in (data or {}).items()}
    payload.update(files)
    return client.post(f"/orders/{order.number}/act/{action}/", payload)


def test_detail_offers_only_the_actions_the_viewer_may_take(web, reviewer, clerk, flow):
    order = flow.pending_review()
    page = web(reviewer).get(f"/orders/{order.number}/").content.decode()
    assert 'data-action="dispatch"' in page and 'data-action="return_to_intake"' in page
    assert 'data-action="sign"' not in page
    assert web(clerk).get(f"/orders/{order.number}/").status_code == 404  # not yet its order


@pytest.mark.clause("6.3")
def test_reviewer_dispatches_to_a_lead_unit_and_a_co_unit(web, reviewer, flow, org):
    """§6.3: one lead unit and optional co-units; the sign-for and feedback clocks start."""
    order = flow.pending_review()
    r = post(
        web(reviewer),
        order,
        "dispatch",
        {"lead_unit": org.zjj.pk, "co_units": str(org.street_office.pk), "note": "请核实"},
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.state == "dispatched" and order.lead_unit == org.zjj
    assert sorted(order.assignments.values_list("role", flat=True)) == ["co", "lead"]
    page = web(reviewer).get(f"/orders/{order.number}/").content.decode()
    assert "办理反馈时限" in page and "§6.4.2" in page


def test_dispatch_without_a_lead_unit_is_a_field_error(web, reviewer, flow):
    order = flow.pending_review()
    r = post(web(reviewer), order, "dispatch", {"note": "x"})
    assert r.status_code == 422
    assert "请选择主办单位" in r.content.decode()
    order.refresh_from_db()
    assert order.state == "pending_review"


@pytest.mark.clause("6.3")
def test_unit_picker_recommends_units_by_category_and_area_and_searches(web, reviewer, flow, org):
    """§6.3: units responsible for the category and covering the place come first, with
    their jurisdiction and responsibilities shown."""
    order = flow.pending_review()
    c = web(reviewer)
    page = c.get(f"/orders/{order.number}/").content.decode()
    assert f'data-pick-lead="{org.zjj.pk}"' in page and "房屋维修" in page and "海勃湾区" in page
    found = c.get("/units/search/", {"q": "养护"}).content.decode()
    assert "海勃湾区市政养护中心" in found and "住房和城乡建设局" not in found
    assert "12345热线中心" not in c.get("/units/search/", {"q": "热线"}).content.decode()


@pytest.mark.clause("6.2")
def test_reviewer_returns_a_defective_order_with_a_reason(web, reviewer, flow):
    """§6.2: returned to intake with the reason on the timeline."""
    order = flow.pending_review()
    c = web(reviewer)
    assert post(c, order, "return_to_intake", {"reason": ""}).status_code == 422
    assert post(c, order, "return_to_intake", {"reason": "地址不具体"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "returned"
    assert "地址不具体" in c.get(f"/orders/{order.number}/").content.decode()


@pytest.mark.clause("6.4.1")
def test_unit_signs_requests_extension_and_reviewer_approves(web, clerk, reviewer, flow):
    """§6.4.1: a complex order is extended by at most 5 working days, on the centre's approval."""
    order = flow.dispatched()
    u, r = web(clerk), web(reviewer)
    assert post(u, order, "sign").status_code == 302
    too_long = post(u, order, "request_extension", {"days": 6, "reason": "需勘查"})
    assert too_long.status_code == 422
    assert (
        post(u, order, "request_extension", {"days": 3, "reason": "需联系物业共同勘查"}).status_code
        == 302
    )
    page = r.get(f"/orders/{order.number}/").content.decode()
    assert "申请延期 <strong>3</strong> 个工作日" in page
    assert post(r, order, "approve_extension", {"note": "同意"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "handling"
    assert order.deadlines.active().filter(kind="extension").exists()


@pytest.mark.clause("6.4.1")
def test_hang_up_is_requested_approved_and_resumed(web, clerk, reviewer, flow):
    """§6.4.1: hang-up for matters with a statutory time limit, at most 90 natural days."""
    order = flow.handling()
    u, r = web(clerk), web(reviewer)
    assert post(u, order, "request_suspension", {"days": 91, "reason": "鉴定"}).status_code == 422
    assert (
        post(
            u, order, "request_suspension", {"days": 30, "reason": "需等待司法鉴定结果"}
        ).status_code
        == 302
    )
    assert post(r, order, "deny_suspension", {"note": ""}).status_code == 422  # a reason is needed
    assert post(r, order, "approve_suspension", {"note": "同意"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "suspended"
    assert post(u, order, "resume", {"note": "鉴定结果已出"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "handling"


@pytest.mark.clause("6.4.3")
def test_reply_needs_all_four_parts_of_the_standard(web, clerk, flow):
    """§6.4.3 a–d: each missing part is named beside its field; nothing is saved."""
    order = flow.handling()
    c = web(clerk)
    r = post(c, order, "reply", {**REPLY, "investigation": "", "opinion": ""})
    assert r.status_code == 422
    page = r.content.decode()
    assert "调查核实过程和结果" in page and "§6.4.3 c" in page and "§6.4.3 d" in page
    assert not Reply.objects.exists()
    assert post(c, order, "reply", REPLY).status_code == 302
    order.refresh_from_db()
    assert order.state == "replied"


@pytest.mark.clause("6.6.3")
def test_no_further_handling_with_an_uploaded_written_explanation(web, clerk, flow):
    """§6.6.3: the unit stops with a formal written explanation — here a document."""
    order = flow.handling()
    c = web(clerk)
    r = post(c, order, "no_further_handling", {"reason": "c_repeated"})
    assert r.status_code == 422 and "书面说明" in r.content.decode()
    r = post(
        c,
        order,
        "no_further_handling",
        {"reason": "c_repeated"},
        **{"no_further_handling-document": pdf()},
    )
    assert r.status_code == 302
    reply = Reply.objects.get()
    assert reply.kind == "no_further_handling"
    assert Attachment.objects.get().reply == reply


@pytest.mark.clause("6.6", "6.6.2")
def test_reviewer_accepts_a_reply_or_sends_it_back_for_reverification(web, reviewer, clerk, flow):
    """§6.6, §6.6.2."""
    a, b = flow.replied(), flow.replied()
    c = web(reviewer)
    assert post(c, a, "accept_reply", {"note": "答复完整"}).status_code == 302
    assert post(c, b, "reverify", {"reason": "市民称并未有人联系"}).status_code == 302
    a.refresh_from_db(), b.refresh_from_db()
    assert a.state == "pending_callback" and b.state == "reverify"


@pytest.mark.clause("6.7.2", "6.8.3")
def test_callback_is_recorded_then_the_order_closes(web, callback_agent, flow):
    """§6.8.3 satisfaction and resolution are required when the citizen was reached;
    §6.7.2 a transferred order closes only after the callback."""
    order = flow.pending_callback()
    c = web(callback_agent)
    assert post(c, order, "close").status_code == 409
    r = post(
        c, order, "record_callback", {"method": "phone", "mode": "manual", "outcome": "reached"}
    )
    assert r.status_code == 422 and "请选择满意程度" in r.content.decode()
    data = {
        "method": "phone",
        "mode": "manual",
        "outcome": "reached",
        "satisfaction": "satisfied",
        "resolution": "resolved",
        "note": "市民表示满意",
    }
    assert post(c, order, "record_callback", data).status_code == 302
    assert post(c, order, "close", {"note": ""}).status_code == 302
    order.refresh_from_db()
    assert order.state == "closed"


def test_unsatisfied_citizen_gets_the_order_reopened(web, callback_agent, flow):
    order = flow.pending_callback()
    r = post(web(callback_agent), order, "reopen", {"reason": "市民不满意，屋顶仍漏水"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.state == "dispatched" and order.reopen_count == 1


@pytest.mark.clause("6.5")
def test_two_phone_reminders_put_the_order_under_supervision(web, supervisor, flow):
    """§6.5: after 2 phone reminders without a result the order goes under supervision;
    then a supervision step is recorded."""
    order = flow.overdue()
    c = web(supervisor)
    for _ in range(2):
        assert (
            post(c, order, "remind", {"contact_name": "刘洋", "result": "未接听"}).status_code
            == 302
        )
    order.refresh_from_db()
    assert order.reminder_count == 2 and order.supervised_at is not None
    r = post(c, order, "supervise", {"method": "other"})
    assert r.status_code == 422 and "其他形式督办须选择具体形式" in r.content.decode()
    data = {"method": "sms", "target": "分管副局长", "content": "请于今日答复"}
    assert post(c, order, "supervise", data).status_code == 302
    assert "短信督办" in c.get(f"/orders/{order.number}/").content.decode()


def test_a_stale_page_gets_a_conflict_with_the_current_state(web, clerk, flow):
    """409: the order moved on (signed in another tab); the page says what it is now."""
    order = flow.dispatched()
    c = web(clerk)
    assert post(c, order, "sign").status_code == 302
    r = post(c, order, "sign")
    assert r.status_code == 409
    page = r.content.decode()
    assert 'data-testid="conflict"' in page and "办理中" in page


def test_unit_return_sends_a_misrouted_order_back_for_redispatch(web, clerk, flow):
    order = flow.dispatched()
    assert post(web(clerk), order, "unit_return", {"reason": "不属于本单位职责"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "pending_review" and order.lead_unit is None


def test_co_unit_signs_for_its_part_but_cannot_reply(web, flow, org, other_clerk):
    order = flow.handling(co=[org.szyh])  # the lead unit has signed
    c = web(other_clerk)
    page = c.get(f"/orders/{order.number}/").content.decode()
    assert 'data-action="co_sign"' in page and 'data-action="sign"' not in page
    assert post(c, order, "co_sign").status_code == 302
    page = c.get(f"/orders/{order.number}/").content.decode()
    assert 'data-action="co_sign"' not in page
    assert post(c, order, "reply", REPLY).status_code == 403


def test_an_action_the_role_may_not_take_is_forbidden(web, leader, agent, flow):
    order = flow.pending_review()
    assert post(web(leader), order, "dispatch", {"lead_unit": 1}).status_code == 403
    assert post(web(agent), order, "no_such_action").status_code == 404


def test_comments_and_attachments_from_the_panel(web, reviewer, flow):
    from hotline.web.tests.conftest import png

    order = flow.pending_review()
    c = web(reviewer)
    assert post(c, order, "comment", {"note": ""}).status_code == 422
    assert post(c, order, "comment", {"note": "已电话核实地址"}).status_code == 302
    r = post(c, order, "attach", {"purpose": "other"}, **{"attach-file": png()})
    assert r.status_code == 302
    assert order.attachments.count() == 1


def test_csrf_is_enforced_on_actions(reviewer, flow):
    order = flow.pending_review()
    c = Client(enforce_csrf_checks=True)
    c.force_login(reviewer)
    r = c.post(f"/orders/{order.number}/act/return_to_intake/", {"return_to_intake-reason": "x"})
    assert r.status_code == 403
    order.refresh_from_db()
    assert order.state == "pending_review"


def test_actions_are_posts_only(web, reviewer, flow):
    order = flow.pending_review()
    assert web(reviewer).get(f"/orders/{order.number}/act/dispatch/").status_code == 405
    act.do_return_to_intake(order, reviewer, reason="x")


@pytest.mark.clause("6.3")
def test_unit_picker_puts_the_closest_jurisdiction_first_and_falls_back_to_territory(flow, org):
    """§6.3: by responsibility and territory — the district bureau before a city-wide one;
    with nobody responsible for the category, the units whose jurisdiction covers the place."""
    from hotline.catalog.models import Category
    from hotline.org.models import Unit
    from hotline.web.queries import recommended_units

    city_bureau = Unit.objects.create(
        code="t-city-zjj", name="市住房和城乡建设局", kind="department"
    )
    city_bureau.areas.set([org.city])
    city_bureau.categories.set(Category.objects.filter(code="housing_maintenance"))
    order = flow.pending_review()
    assert [u.code for u in recommended_units(order)][:2] == [org.zjj.code, city_bureau.code]

    org.street_office.areas.set([org.street])
    noisy = flow.pending_review(category="noise")
    assert org.street_office in recommended_units(noisy)


def test_an_invisible_order_gets_the_plain_404_page_even_in_debug(web, other_clerk, flow, settings):
    settings.DEBUG = True
    order = flow.dispatched()
    r = web(other_clerk).get(f"/orders/{order.number}/")
    assert r.status_code == 404
    page = r.content.decode()
    assert "页面或工单不存在" in page and "urlpatterns" not in page.lower()


@pytest.mark.clause("5.3", "6.2", "6.7.1")
def test_agent_submits_rejects_or_closes_directly_from_the_detail_page(web, agent, flow):
    """§6.2 submit, §5.3 reject (d needs the line), §6.7.1 direct handling — the same
    actions as the intake page, from the order's panel."""
    a, b, c = flow.accepted(), flow.accepted(), flow.accepted(appeal_type="consult")
    w = web(agent)
    assert post(w, a, "submit").status_code == 302
    r = post(w, b, "reject", {"reason": "d_emergency_line"})
    assert r.status_code == 422 and "请选择应转接的热线" in r.content.decode()
    assert (
        post(w, b, "reject", {"reason": "d_emergency_line", "emergency_line": "120"}).status_code
        == 302
    )
    assert post(w, c, "direct_close", {"answer": "已告知办理流程"}).status_code == 302
    for o in (a, b, c):
        o.refresh_from_db()
    assert (a.state, b.state, b.emergency_line, c.state) == (
        "pending_review",
        "rejected",
        "120",
        "closed",
    )


@pytest.mark.clause("6.4.1")
def test_reviewer_denies_an_extension_with_a_reason(web, clerk, reviewer, flow):
    """§6.4.1: the centre may refuse; the unit keeps its original feedback deadline."""
    order = flow.handling()
    assert (
        post(web(clerk), order, "request_extension", {"days": 2, "reason": "需勘查"}).status_code
        == 302
    )
    r = web(reviewer)
    assert post(r, order, "deny_extension", {"note": ""}).status_code == 422
    assert post(r, order, "deny_extension", {"note": "情况并不复杂，请按期答复"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "handling"
    assert not order.deadlines.active().filter(kind="extension").exists()


def test_unit_picker_without_text_shows_the_recommendations_for_the_order(web, reviewer, flow, org):
    order = flow.pending_review()
    page = web(reviewer).get("/units/search/", {"q": "", "order": order.number}).content.decode()
    assert org.zjj.name in page
