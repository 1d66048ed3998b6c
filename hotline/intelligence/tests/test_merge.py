"""并单: link and merge duplicates (§6.6.3 c); merged citizens are called back too."""

from datetime import timedelta

import pytest

from hotline import clock
from hotline.intelligence.duplicates import find_duplicate_orders
from hotline.orders import actions as act
from hotline.orders.errors import Conflict, Forbidden, ValidationFailed
from hotline.orders.models import Deadline, OrderLink
from hotline.web.tests.conftest import REPLY

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

SECOND = {
    "title": "康乐小区3号楼楼顶漏水",
    "content": "康乐小区3号楼楼顶防水层老化，下雨天屋里漏水，请来修理。",
    "citizen_name": "李红",
    "citizen_phone": "13900001111",
}


def test_a_second_call_about_the_same_roof_is_found(flow, agent):
    first = flow.accepted()
    second = flow.accepted(**SECOND)
    found = find_duplicate_orders(
        {
            "title": second.title,
            "content": second.content,
            "area": "t-kangle",
            "category": "housing_maintenance",
            "phone": second.citizen_phone,
        },
        user=agent,
        exclude=second.pk,
    )
    assert [d.number for d in found] == [first.number]
    assert found[0].near_duplicate and not found[0].repeat
    assert "同一区域" in found[0].reason


@pytest.mark.clause("6.6.3")
def test_same_citizen_same_fact_after_closing_is_a_repeat(flow, agent, callback_agent):
    """§6.6.3 c: handled and replied, then raised again by the same citizen."""
    done = flow.pending_callback()
    act.do_record_callback(
        done, callback_agent, method="phone", satisfaction="satisfied", resolution="resolved"
    )
    act.do_close(done, callback_agent)
    found = find_duplicate_orders(
        {
            "title": flow.appeal["title"],
            "content": flow.appeal["content"],
            "phone": flow.appeal["citizen_phone"],
        },
        user=agent,
    )
    assert found and found[0].number == done.number and found[0].repeat
    assert "§6.6.3 c" in found[0].reason


def test_unrelated_orders_are_not_duplicates(flow, agent):
    flow.accepted()
    assert (
        find_duplicate_orders(
            {
                "title": "噪音扰民",
                "content": "楼下商铺夜里音响声音太大影响休息",
                "area": "t-kangle",
            },
            user=agent,
        )
        == []
    )


def test_link_records_on_both_timelines(flow, agent):
    main, dup = flow.accepted(), flow.accepted(**SECOND)
    link = act.do_link_duplicate(dup, agent, main=main.number, reason="同一楼顶")
    assert link.kind == "link"
    dup.refresh_from_db()
    assert dup.state == "accepted"  # both are still handled
    assert dup.events.last().action == "link_duplicate"
    assert main.events.last().action == "duplicate_linked"
    assert main.events.last().data == {"duplicate": dup.number}
    with pytest.raises(Conflict):
        act.do_link_duplicate(dup, agent, main=main.number)


def test_merge_then_callback_for_every_citizen(flow, agent, reviewer, clerk, callback_agent):
    main = flow.pending_review()
    dup = flow.accepted(**SECOND)
    act.do_merge(dup, agent, main=main, reason="同一楼顶漏水")
    dup.refresh_from_db()
    assert dup.state == "merged"
    assert not Deadline.objects.active().filter(order=dup).exists()  # its clocks stop
    assert main.events.last().action == "merged_in"
    assert dup.events.last().data == {"main": main.number}
    # a merged order is not dispatched on its own
    with pytest.raises(Conflict):
        act.do_submit(dup, agent)
    # the main order runs its course
    act.do_dispatch(main, reviewer, lead_unit=flow.org.zjj)
    act.do_sign(main, clerk)
    act.do_reply(main, clerk, **REPLY)
    # before the main order's reply is accepted, the merged citizen is not called yet
    with pytest.raises(Conflict):
        act.do_record_callback(
            dup, callback_agent, method="phone", satisfaction="satisfied", resolution="resolved"
        )
    for title in ("另一处漏水", "又一处漏水"):  # the main order linked twice: still one row
        act.do_link_duplicate(main, agent, main=flow.accepted(title=title))
    act.do_accept_reply(main, reviewer)
    from hotline.web.queries import callback_queues

    queue = list(
        callback_queues(callback_agent)["pending_callback"].values_list("number", flat=True)
    )
    assert sorted(queue) == sorted([main.number, dup.number])
    act.do_record_callback(
        main, callback_agent, method="phone", satisfaction="satisfied", resolution="resolved"
    )
    with pytest.raises(Conflict) as exc:
        act.do_close(main, callback_agent)
    assert dup.number in exc.value.message
    act.do_record_callback(
        dup,
        callback_agent,
        method="phone",
        satisfaction="basically_satisfied",
        resolution="resolved",
    )
    act.do_close(main, callback_agent)
    dup.refresh_from_db()
    main.refresh_from_db()
    assert main.state == dup.state == "closed"
    assert dup.events.last().note == f"随主工单 {main.number} 结案"
    assert main.events.last().data == {"merged": [dup.number]}


def test_unmerge_returns_to_intake_with_a_fresh_clock(flow, agent):
    main, dup = flow.accepted(), flow.accepted(**SECOND)
    act.do_merge(dup, agent, main=main)
    with pytest.raises(ValidationFailed):
        act.do_unmerge(dup, agent, reason=" ")
    act.do_unmerge(dup, agent, reason="不是同一栋楼")
    dup.refresh_from_db()
    assert dup.state == "accepted"
    assert Deadline.objects.active().filter(order=dup, kind="dispatch").count() == 1
    assert main.events.last().action == "unmerged_out"
    assert OrderLink.objects.get(order=dup).ended_at is not None
    act.do_submit(dup, agent)  # handled on its own again


def test_merge_guards(flow, agent, clerk, callback_agent):
    a, b, c = flow.accepted(), flow.accepted(**SECOND), flow.accepted(title="又一单")
    with pytest.raises(ValidationFailed):
        act.do_merge(a, agent, main=a)
    with pytest.raises(Forbidden):
        act.do_merge(b, clerk, main=a)
    act.do_merge(b, agent, main=a)
    with pytest.raises(Conflict):  # no chains: a has b merged into it (the order's state)
        act.do_merge(a, agent, main=c)
    with pytest.raises(ValidationFailed):  # nor into an order that is itself merged
        act.do_merge(c, agent, main=b)
    # the main order with merged citizens is not closed on the call nor rejected
    with pytest.raises(Conflict):
        act.do_direct_close(a, agent, answer="已电话解答")
    with pytest.raises(Conflict):
        act.do_reject(a, agent, reason="e_harassment_or_unclear")
    closed = flow.accepted(title="已结")
    act.do_direct_close(closed, agent, answer="已解答")
    with pytest.raises(ValidationFailed):
        act.do_merge(c, agent, main=closed)


def test_merge_in_both_directions_leaves_one_main(flow, agent, reviewer):
    """Locks are taken in primary-key order; the second request sees the first's result."""
    a, b = flow.accepted(), flow.accepted(**SECOND)
    act.do_merge(b, agent, main=a, now=clock.now())
    with pytest.raises(Conflict):  # b is merged: it can no longer be a source
        act.do_merge(b, reviewer, main=a, now=clock.now() + timedelta(seconds=1))
    with pytest.raises(Conflict):  # a has b merged into it: a main is not merged itself
        act.do_merge(a, reviewer, main=b)
