from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from hotline.rules.calendar import SHANGHAI


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


REPLY = {
    "handling_situation": "已到现场处理完毕。",
    "citizen_contact": "已电话联系来电人。",
    "investigation": "经核实情况属实，已整改。",
    "opinion": "问题已解决，纳入日常巡查。",
}


@dataclass
class March:
    """The hand-counted month of ``docs/assessment.md`` §5: five orders of 住建局 and its
    neighbours in March 2026, played through the actions."""

    a: object
    b: object
    c: object
    d: object
    e: object
    f: object
    now: datetime


@pytest.fixture
def street_clerk(org):
    from conftest import _user

    return _user("t_street", "unit", org.street_office, family="周", given="平")


@pytest.fixture
def march(
    org, agent, reviewer, clerk, other_clerk, street_clerk, supervisor, callback_agent, appeal
) -> March:
    """Every order goes through the ``do_*`` actions at chosen instants (Shanghai time).

    A  住建局: dispatched 03-02 09:30, signed 10:00, replied 03-04, 满意/已解决, closed.
    B  住建局: dispatched 03-02 10:00, signed late 03-04, extension (2 days) approved 03-05,
       replied late 03-12, 不满意/未解决, reopened 03-13 to 住建局, signed on time, never
       replied again (feedback due 03-20 passes while open).
    C  市政养护中心 03-02 11:00, 退单 15:00; re-dispatched 03-03 09:00 to 住建局 with
       新华街道 as co-unit; the street signs at once, 住建局 never does; two unanswered
       reminders 03-10 and 03-11 put it under supervision.
    D  住建局: dispatched 03-09 09:00, signed 10:00, hang-up approved 12:00, resumed 03-16,
       replied 03-17, 基本满意/已解决.
    E  住建局: dispatched Saturday 02-28 20:00 (February), signed 03-02 09:00 and replied
       03-03 — both on time, both counted in March.
    F  住建局: dispatched 04-01 (April) — not in March at all.
    """
    from hotline.orders import actions as act
    from hotline.supervision import actions as sup

    def new(title: str, at: datetime):
        order = act.do_create_order(agent, {**appeal, "title": title}, now=at)
        act.do_submit(order, agent, now=at)
        return order

    def dispatch(order, unit, at, co=()):
        return act.do_dispatch(order, reviewer, lead_unit=unit, co_units=co, now=at)

    def finish(order, at, satisfaction, resolution, *, close=True):
        act.do_accept_reply(order, callback_agent, now=at)
        act.do_record_callback(
            order,
            callback_agent,
            method="phone",
            satisfaction=satisfaction,
            resolution=resolution,
            now=at.replace(hour=at.hour + 1),
        )
        if close:
            act.do_close(order, callback_agent, now=at.replace(hour=at.hour + 2))

    a = new("A 楼顶漏水", sh(2026, 3, 2, 9, 0))
    dispatch(a, org.zjj, sh(2026, 3, 2, 9, 30))
    act.do_sign(a, clerk, now=sh(2026, 3, 2, 10, 0))
    act.do_reply(a, clerk, **REPLY, now=sh(2026, 3, 4, 10, 0))
    finish(a, sh(2026, 3, 5, 9, 0), "satisfied", "resolved")

    b = new("B 电梯故障", sh(2026, 3, 2, 9, 40))
    dispatch(b, org.zjj, sh(2026, 3, 2, 10, 0))
    act.do_sign(b, clerk, now=sh(2026, 3, 4, 10, 0))
    act.do_request_extension(b, clerk, days=2, reason="需联合勘查", now=sh(2026, 3, 5, 9, 0))
    act.do_decide_extension(b, reviewer, approve=True, note="同意", now=sh(2026, 3, 5, 10, 0))
    act.do_reply(b, clerk, **REPLY, now=sh(2026, 3, 12, 10, 0))
    finish(b, sh(2026, 3, 13, 9, 0), "unsatisfied", "unresolved", close=False)
    act.do_reopen(b, callback_agent, reason="未解决，重办", now=sh(2026, 3, 13, 10, 30))
    act.do_sign(b, clerk, now=sh(2026, 3, 13, 11, 0))

    c = new("C 路灯不亮", sh(2026, 3, 2, 10, 30))
    dispatch(c, org.szyh, sh(2026, 3, 2, 11, 0))
    act.do_unit_return(c, other_clerk, reason="不属于本单位职责", now=sh(2026, 3, 2, 15, 0))
    dispatch(c, org.zjj, sh(2026, 3, 3, 9, 0), co=[org.street_office])
    act.do_co_sign(c, street_clerk, now=sh(2026, 3, 3, 10, 0))
    sup.do_remind(c, supervisor, result="未回复", now=sh(2026, 3, 10, 10, 0))
    sup.do_remind(c, supervisor, result="仍未回复", now=sh(2026, 3, 11, 10, 0))

    d = new("D 违规改变房屋用途", sh(2026, 3, 9, 8, 30))
    dispatch(d, org.zjj, sh(2026, 3, 9, 9, 0))
    act.do_sign(d, clerk, now=sh(2026, 3, 9, 10, 0))
    act.do_request_suspension(d, clerk, days=30, reason="行政处罚程序", now=sh(2026, 3, 9, 11, 0))
    act.do_decide_suspension(d, reviewer, approve=True, note="同意", now=sh(2026, 3, 9, 12, 0))
    act.do_resume(d, clerk, note="程序完成", now=sh(2026, 3, 16, 9, 0))
    act.do_reply(d, clerk, **REPLY, now=sh(2026, 3, 17, 10, 0))
    finish(d, sh(2026, 3, 18, 9, 0), "basically_satisfied", "resolved")

    e = new("E 二次供水", sh(2026, 2, 28, 19, 0))
    dispatch(e, org.zjj, sh(2026, 2, 28, 20, 0))
    act.do_sign(e, clerk, now=sh(2026, 3, 2, 9, 0))
    act.do_reply(e, clerk, **REPLY, now=sh(2026, 3, 3, 10, 0))

    f = new("F 四月工单", sh(2026, 4, 1, 9, 0))
    dispatch(f, org.zjj, sh(2026, 4, 1, 9, 30))
    return March(a, b, c, d, e, f, now=sh(2026, 4, 2, 12, 0))


@pytest.fixture
def as_(db):
    """``as_(user)`` → an API client acting as that persona (the staff API's helper)."""
    from hotline.api.tests.conftest import Api

    return Api
