"""Small words that misled (issue 16 polish): the state named after saving, "已已办结", and
working days in the timeline."""

from __future__ import annotations

import pytest

from hotline.orders import actions as act

pytestmark = pytest.mark.usefixtures("now")


def test_the_message_after_saving_names_the_state_the_order_is_in(web, agent, appeal):
    c = web(agent)
    r = c.post("/intake/", {**appeal, "button": "submit"}, follow=True)
    page = r.content.decode()
    assert "受理并提交审核：工单" in page and "（待审核）" in page
    assert "（已受理）" not in page


def test_a_closed_order_is_not_said_to_be_already_already_closed(web, agent, flow):
    order = flow.accepted()
    act.do_direct_close(order, agent, answer="已当场答复来电人。")
    page = web(agent).get(f"/intake/{order.number}/", follow=True).content.decode()
    assert "已已" not in page and "当前状态：已办结" in page


def test_the_timeline_says_working_days_for_an_extension(web, flow, clerk, reviewer):
    order = flow.handling()
    act.do_request_extension(order, clerk, days=3, reason="需联系物业共同勘查")
    page = web(reviewer).get(f"/orders/{order.number}/").content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert "3 个工作日" in timeline and "3 天" not in timeline
