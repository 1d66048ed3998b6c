"""§5.2: the hotline accepts the non-emergency appeals of enterprises and citizens — 咨询,
求助, 投诉, 举报 and 意见建议 — in every field of government service; a matter for an
emergency line is not accepted but transferred (§5.3 d)."""

from __future__ import annotations

from datetime import datetime

import pytest

from hotline.orders import actions as act
from hotline.rules import taxonomy
from hotline.rules.calendar import SHANGHAI

AT = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
KINDS = ["consult", "help", "complaint", "report", "suggestion"]


@pytest.mark.clause("5.2")
@pytest.mark.parametrize("appeal_type", KINDS)
def test_a_citizens_and_an_enterprises_appeal_of_each_kind_is_accepted(agent, appeal, appeal_type):
    assert appeal_type in taxonomy.APPEAL_TYPES
    citizen = act.do_create_order(agent, {**appeal, "appeal_type": appeal_type}, now=AT)
    enterprise = act.do_create_order(
        agent,
        {
            **appeal,
            "appeal_type": appeal_type,
            "citizen_name": "乌海市康乐物业服务有限公司",
            "title": "企业办理经营许可咨询",
        },
        now=AT,
    )
    for order in (citizen, enterprise):
        assert order.state == "accepted" and order.appeal_type == appeal_type
        assert order.deadlines.filter(kind="dispatch", met_at__isnull=True).exists()


@pytest.mark.clause("5.2", "5.3")
def test_an_emergency_line_matter_is_not_accepted_but_transferred(agent):
    """§5.2 is for non-emergency appeals: a fire goes to 119 (§5.3 d) — recorded as not
    accepted, with the line the caller was transferred to, and no clock running."""
    order = act.do_record_rejected(
        agent,
        {"title": "楼道着火", "content": "康乐小区3号楼楼道有烟"},
        reason="d_emergency_line",
        emergency_line="119",
        now=AT,
    )
    assert order.state == "rejected" and order.emergency_line == "119"
    assert not order.deadlines.exists()
