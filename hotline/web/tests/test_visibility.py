"""Who may see what: a unit sees only its orders, a confidential order's citizen masked
(§6.1.6), and every unmasked view of personal info is logged (SPEC §2, PIPL)."""

from __future__ import annotations

import pytest

from hotline.orders import actions as act
from hotline.orders.models import PersonalInfoAccess
from hotline.web.tests.conftest import png

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


@pytest.mark.clause("6.1.6")
def test_unit_clerk_sees_a_confidential_citizen_masked_and_nothing_is_logged(web, clerk, flow):
    """§6.1.6: handling units see a masked name and phone on a confidential order."""
    order = flow.dispatched(display_mode="confidential")
    page = web(clerk).get(f"/orders/{order.number}/").content.decode()
    assert "138****5678" in page and "王**" in page
    assert "13812345678" not in page and "王建军" not in page
    assert "康乐小区3号楼" in page  # the place of the matter is not personal info
    assert not PersonalInfoAccess.objects.exists()


def test_centre_staff_see_the_citizen_and_the_view_is_logged(web, reviewer, flow):
    order = flow.pending_review(display_mode="confidential")
    page = web(reviewer).get(f"/orders/{order.number}/").content.decode()
    assert "13812345678" in page and "王建军" in page
    log = PersonalInfoAccess.objects.get()
    assert log.user == reviewer and log.order == order and log.via == "web:order_detail"


def test_public_order_is_shown_unmasked_to_the_unit_and_logged(web, clerk, flow):
    order = flow.dispatched(display_mode="public")
    assert "13812345678" in web(clerk).get(f"/orders/{order.number}/").content.decode()
    assert PersonalInfoAccess.objects.filter(user=clerk).count() == 1


def test_another_unit_gets_404_for_the_order_and_its_files(web, flow, other_clerk, clerk):
    """A unit the order was never sent to cannot tell it exists."""
    order = flow.dispatched()
    att = act.do_attach(order, clerk, png())
    c = web(other_clerk)
    assert c.get(f"/orders/{order.number}/").status_code == 404
    assert c.get(f"/orders/{order.number}/files/{att.pk}/").status_code == 404
    assert c.post(f"/orders/{order.number}/act/sign/").status_code == 404
    assert order.number not in c.get("/orders/").content.decode()
    assert order.number not in c.get("/inbox/").content.decode()


@pytest.mark.clause("6.1.2")
def test_attachments_are_served_inline_to_those_who_may_see_the_order(
    web, clerk, flow, district_clerk
):
    """§6.1.2: images, voice and video play in the page, never from a public URL."""
    order = flow.dispatched()
    att = act.do_attach(order, clerk, png())
    for user in (clerk, district_clerk):  # the unit, and its parent unit
        r = web(user).get(f"/orders/{order.number}/files/{att.pk}/")
        assert r.status_code == 200 and r["Content-Type"] == "image/png"
        assert r["X-Content-Type-Options"] == "nosniff" and "inline" in r["Content-Disposition"]
        assert b"".join(r.streaming_content).startswith(b"\x89PNG")
    page = web(clerk).get(f"/orders/{order.number}/").content.decode()
    assert f'<img src="/orders/{order.number}/files/{att.pk}/"' in page
    from django.test import Client

    assert Client().get(f"/orders/{order.number}/files/{att.pk}/").status_code == 302


def test_parent_unit_sees_its_sub_units_orders(web, district_clerk, flow):
    order = flow.dispatched()
    assert web(district_clerk).get(f"/orders/{order.number}/").status_code == 200


def test_detail_shows_every_deadline_with_its_colour_and_explanation(web, reviewer, flow):
    order = flow.overdue()
    page = web(reviewer).get(f"/orders/{order.number}/").content.decode()
    assert "wb-deadline-overdue" in page and "已超期" in page
    assert "一般诉求5个工作日内反馈" in page or "§6.4.2" in page
    assert "跳过非工作日" in page  # the explanation names the skipped days
    assert "wb-deadline-met" in page  # the dispatch limit was met


def test_timeline_shows_who_did_what_but_not_changed_personal_values(web, clerk, agent, flow):
    """Corrections of personal info appear as a step, never with the old or new values."""
    order = flow.accepted(display_mode="confidential")
    act.do_update(order, agent, {"citizen_phone": "13700001111"})
    act.do_submit(order, agent)
    page = web(agent).get(f"/orders/{order.number}/").content.decode()
    assert "修改工单" in page and "13812345678" not in page
