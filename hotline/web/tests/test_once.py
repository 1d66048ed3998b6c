"""Idempotent forms (issue 13 item 5): every state-changing form carries a one-time token;
sending it again — F5, back + resubmit, a double click — shows the first result instead of
acting again.  One mechanism (``hotline.web.once``) for the portal, the intake form and
every action panel of an order (dispatch, reply, callback, …)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from hotline import clock
from hotline.orders.models import Callback, Event, Reply, WorkOrder
from hotline.web.models import FormSubmission
from hotline.web.once import REPEATED
from hotline.web.tests.conftest import REPLY

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

PORTAL = {
    "title": "小区门口井盖缺失",
    "content": "新华街道康乐小区南门外人行道井盖缺失，晚上很危险。",
    "address": "海勃湾区新华街道康乐小区南门",
    "appeal_type": "help",
    "citizen_name": "李娜",
    "citizen_phone": "13987654321",
    "display_mode": "public",
    "consent": "on",  # the privacy notice accepted
}
CALLBACK = {
    "method": "phone",
    "mode": "manual",
    "outcome": "reached",
    "satisfaction": "satisfied",
    "resolution": "resolved",
    "note": "市民表示满意",
}


def token_of(page: str) -> str:
    """The token the page drew into its (first) form."""
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def panel(client, order, action: str, data: dict, token: str):
    payload = {f"{action}-{k}": v for k, v in data.items()}
    payload["form_token"] = token
    return client.post(f"/orders/{order.number}/act/{action}/", payload)


def detail_token(client, order, action: str) -> str:
    page = client.get(f"/orders/{order.number}/").content.decode()
    form = page[page.index(f'/act/{action}/"') :]
    return token_of(form)


def followed_message(client, response) -> str:
    return client.get(response["Location"]).content.decode()


def test_every_state_changing_form_carries_a_fresh_token(web, agent, reviewer, flow):
    c = web(agent)
    first, second = (
        token_of(c.get("/intake/").content.decode()),
        token_of(c.get("/intake/").content.decode()),
    )
    assert first != second and len(first) >= 16
    assert token_of(Client().get("/portal/").content.decode())
    order = flow.pending_review()
    page = web(reviewer).get(f"/orders/{order.number}/").content.decode()
    forms = page.count("/act/")
    assert forms >= 3 and page.count('name="form_token"') == forms
    assert len(set(re.findall(r'name="form_token" value="([^"]+)"', page))) == forms


@pytest.mark.parametrize(
    "action, persona, state, data",
    [
        ("dispatch", "reviewer", "pending_review", None),
        ("reply", "clerk", "handling", REPLY),
        ("record_callback", "callback_agent", "pending_callback", CALLBACK),
        ("comment", "reviewer", "pending_review", {"note": "已电话核实地址"}),
    ],
)
def test_an_action_panel_sent_twice_acts_once_and_shows_the_first_result(
    request, web, flow, org, action, persona, state, data
):
    user = request.getfixturevalue(persona)
    order = getattr(flow, state)()
    data = data or {"lead_unit": org.zjj.pk, "note": "请核实"}
    c = web(user)
    token = detail_token(c, order, action)
    first = panel(c, order, action, data, token)
    assert first.status_code == 302
    counts = [m.objects.filter(order=order).count() for m in (Event, Reply, Callback)]
    again = panel(c, order, action, data, token)  # F5 / back + resubmit / a second click
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert REPEATED in followed_message(c, again)
    assert [m.objects.filter(order=order).count() for m in (Event, Reply, Callback)] == counts


def test_a_failed_action_does_not_spend_its_token(web, reviewer, flow, org):
    order = flow.pending_review()
    c = web(reviewer)
    token = detail_token(c, order, "dispatch")
    assert panel(c, order, "dispatch", {"note": "x"}, token).status_code == 422
    assert not FormSubmission.objects.exists()
    r = panel(c, order, "dispatch", {"lead_unit": org.zjj.pk, "note": "请核实"}, token)
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.state == "dispatched"


def test_another_persons_token_is_refused(web, reviewer, supervisor, flow):
    order = flow.pending_review()
    token = detail_token(web(reviewer), order, "comment")
    assert panel(web(reviewer), order, "comment", {"note": "备注"}, token).status_code == 302
    r = panel(web(supervisor), order, "comment", {"note": "备注"}, token)
    assert r.status_code == 403
    r = panel(web(reviewer), order, "comment", {"note": "备注"}, "not a token!")
    assert r.status_code == 403


def test_the_intake_form_sent_twice_records_one_order(web, agent, appeal):
    c = web(agent)
    token = token_of(c.get("/intake/").content.decode())
    data = {**appeal, "button": "submit", "form_token": token}
    first = c.post("/intake/", data)
    assert first.status_code == 302 and "?last=" in first["Location"]
    again = c.post("/intake/", data)
    assert again["Location"] == first["Location"]
    assert WorkOrder.objects.count() == 1


def test_the_same_new_intake_with_a_fresh_token_is_a_repeat_for_ten_minutes(
    web, agent, appeal, time_machine
):
    """ "Back" reloads the form with a fresh token and the typed fields restored: the same
    agent sending the same call again within ten minutes records it once; later, or with
    anything changed, it is a new order."""
    start = clock.now()
    time_machine.move_to(start, tick=False)
    c = web(agent)
    data = {**appeal, "button": "submit"}
    first = c.post("/intake/", {**data, "form_token": token_of(c.get("/intake/").content.decode())})
    time_machine.move_to(start + timedelta(minutes=9), tick=False)
    again = c.post("/intake/", {**data, "form_token": token_of(c.get("/intake/").content.decode())})
    assert again["Location"] == first["Location"] and WorkOrder.objects.count() == 1
    other = {**data, "content": data["content"] + "（第二位来电人）"}
    c.post("/intake/", {**other, "form_token": token_of(c.get("/intake/").content.decode())})
    assert WorkOrder.objects.count() == 2
    time_machine.move_to(start + timedelta(minutes=11), tick=False)
    c.post("/intake/", {**data, "form_token": token_of(c.get("/intake/").content.decode())})
    assert WorkOrder.objects.count() == 3


def test_the_portal_answers_with_a_receipt_page_of_its_own(db):
    """POST/redirect/GET: F5 on the receipt reloads the receipt; the form sent again goes to
    the same receipt; an unknown receipt is a 404."""
    c = Client()
    token = token_of(c.get("/portal/").content.decode())
    r = c.post("/portal/", {**PORTAL, "form_token": token})
    assert r.status_code == 302 and r["Location"] == f"/portal/submitted/{token}/"
    number = WorkOrder.objects.get().number
    for _ in range(2):  # F5
        page = c.get(r["Location"])
        assert page.status_code == 200 and number in page.content.decode()
    again = c.post("/portal/", {**PORTAL, "form_token": token})
    assert again["Location"] == r["Location"] and WorkOrder.objects.count() == 1
    assert Client().get("/portal/submitted/unknown-token-0123456789/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_double_click_racing_the_first_request_acts_once(agent, reviewer, org, appeal):
    """Both requests of a double click arrive together with one token: the second waits on
    the token's unique row, then shows the first one's result."""
    from hotline.orders import actions

    order = actions.do_create_order(agent, appeal)
    actions.do_submit(order, agent)
    c0 = Client()
    c0.force_login(reviewer)
    token = detail_token(c0, order, "comment")
    barrier = threading.Barrier(2)
    responses: list = []

    def click():
        try:
            c = Client()
            c.force_login(reviewer)
            barrier.wait(timeout=10)
            responses.append(panel(c, order, "comment", {"note": "双击"}, token))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in responses] == [302, 302]
    assert Event.objects.filter(order=order, action="comment").count() == 1
