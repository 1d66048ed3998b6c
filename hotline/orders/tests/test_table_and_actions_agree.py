"""The transition table and the actions agree: what ``allowed_actions`` offers a user
succeeds (given valid input) and every refusal is the one ``refusal`` explains — the table
(the role never may, or not from this state) or the action's guard.

Two proofs:

* **every state × role × action**: each of the 15 states is reached through the real
  actions (the dispatched ones by way of a unit that returned the order, so a *former*
  unit exists), and every persona — agent, reviewer, the lead unit's clerk, a co-unit's,
  the former unit's, a parent unit's, an unrelated unit's, supervisor, callback agent,
  administrator, leader — tries every action, before and after the unit's deadlines passed;
* **random walks** (hypothesis): from a new order, a random persona takes a random offered
  action at a random later time, over and over; each offered action must succeed and
  land in the table's state, and a random refused one must fail with its explanation.

``create`` is the one action that is not taken on an existing order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.orders import actions as act
from hotline.orders import queries
from hotline.orders.errors import ActionError
from hotline.orders.models import WorkOrder
from hotline.rules import lifecycle
from hotline.rules.calendar import SHANGHAI
from hotline.supervision import actions as sup
from hotline.web.tests.conftest import REPLY, png

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday
SOON = T0 + timedelta(hours=3)  # every deadline still running
LATE = T0 + timedelta(days=21)  # every unit deadline passed (§6.5: overdue)
ACTIONS = [t.action for t in lifecycle.TRANSITIONS if t.action != "create"]


@dataclass
class Cast:
    """Who acts — the organisation chart of the root conftest, plus the units around the
    order: 住建局 leads, 新华街道 co-handles, 市政养护中心 had it and returned it (a former
    unit), 海勃湾区政府 is the lead's parent, 自来水公司 never saw it."""

    users: dict[str, object]
    appeal: dict = field(default_factory=dict)
    org: object = None
    agent: object = None
    reviewer: object = None
    clerk: object = None
    former: object = None
    callback: object = None

    @property
    def required(self) -> dict:
        """The §6.1.5 fields, complete (a channel draft may lack some)."""
        return {k: self.appeal[k] for k in ("category", "title", "address", "content")}

    def fresh_main(self, now: datetime) -> WorkOrder:
        """An open order of the same matter, not yet linked to anything: valid input for
        ``link_duplicate`` and ``merge``."""
        return act.do_create_order(self.agent, {**self.appeal, "title": "同一楼顶漏水"}, now=now)


@pytest.fixture
def cast(
    org,
    agent,
    reviewer,
    clerk,
    street_clerk,
    water_clerk,
    other_clerk,
    district_clerk,
    supervisor,
    callback_agent,
    admin_user,
    leader,
    appeal,
):
    users = {
        "agent": agent,
        "reviewer": reviewer,
        "lead_unit": clerk,
        "co_unit": street_clerk,
        "former_unit": other_clerk,
        "parent_unit": district_clerk,
        "other_unit": water_clerk,
        "supervisor": supervisor,
        "callback": callback_agent,
        "admin": admin_user,
        "leader": leader,
    }
    return Cast(
        users,
        appeal=appeal,
        org=org,
        agent=agent,
        reviewer=reviewer,
        clerk=clerk,
        former=other_clerk,
        callback=callback_agent,
    )


# --- reaching every state through the actions ----------------------------------------------


def _tick(t: list[datetime]) -> datetime:
    t[0] += timedelta(minutes=1)
    return t[0]


def bring(state: str, c: Cast, appeal: dict) -> WorkOrder:
    """An order in ``state``, every step taken by the right persona from ``T0`` on."""
    t = [T0]
    a, r, u = c.agent, c.reviewer, c.clerk

    def accepted(**extra):
        return act.do_create_order(a, {**appeal, **extra}, now=_tick(t))

    def pending():
        o = accepted()
        return act.do_submit(o, a, now=_tick(t))

    def dispatched():
        o = pending()
        act.do_dispatch(o, r, lead_unit=c.org.szyh, now=_tick(t))
        act.do_unit_return(o, c.former, reason="不属于本单位职责", now=_tick(t))
        return act.do_dispatch(
            o, r, lead_unit=c.org.zjj, co_units=[c.org.street_office], now=_tick(t)
        )

    def handling():
        return act.do_sign(dispatched(), u, now=_tick(t))

    def replied():
        o = handling()
        act.do_reply(o, u, now=_tick(t), **REPLY)
        return o

    def pending_callback():
        return act.do_accept_reply(replied(), r, now=_tick(t))

    if state == "draft":
        o = act.do_create_draft(
            {"channel": "portal", "title": appeal["title"], "content": appeal["content"]},
            now=_tick(t),
        )
    elif state == "accepted":
        o = accepted()
    elif state == "rejected":
        o = act.do_reject(accepted(), a, reason="e_harassment_or_unclear", now=_tick(t))
    elif state == "pending_review":
        o = pending()
    elif state == "returned":
        o = act.do_return_to_intake(pending(), r, reason="地址不具体", now=_tick(t))
    elif state == "dispatched":
        o = dispatched()
    elif state == "handling":
        o = handling()
    elif state == "extension_requested":
        o = handling()
        act.do_request_extension(o, u, days=1, reason="需现场勘查", now=_tick(t))
    elif state == "suspension_requested":
        o = handling()
        act.do_request_suspension(o, u, days=10, reason="行政复议期间", now=_tick(t))
    elif state == "suspended":
        o = handling()
        act.do_request_suspension(o, u, days=10, reason="行政复议期间", now=_tick(t))
        act.do_decide_suspension(o, r, approve=True, now=_tick(t))
    elif state == "replied":
        o = replied()
    elif state == "reverify":
        o = act.do_reverify(replied(), r, reason="与市民反映不符", now=_tick(t))
    elif state == "pending_callback":
        o = pending_callback()
    elif state == "closed":
        o = pending_callback()
        act.do_record_callback(
            o,
            c.callback,
            method="phone",
            satisfaction="satisfied",
            resolution="resolved",
            now=_tick(t),
        )
        o = act.do_close(o, c.callback, now=_tick(t))
    elif state == "merged":
        o = accepted()
        main = accepted(title="同一楼顶漏水（主工单）")
        act.do_merge(o, a, main=main, reason="同一事项", now=_tick(t))
    else:  # pragma: no cover - a new state must be added here
        raise AssertionError(f"no way to reach {state}")
    o = WorkOrder.objects.get(pk=o.pk)
    assert o.state == state
    return o


# --- valid input for every action ----------------------------------------------------------

Do = Callable[[WorkOrder, object, datetime, Cast], object]

VALID: dict[str, Do] = {
    "accept": lambda o, u, now, c: act.do_accept(o, u, c.required, now=now),
    "reject": lambda o, u, now, c: act.do_reject(o, u, reason="b_petition", now=now),
    "update": lambda o, u, now, c: act.do_update(
        o, u, {**c.required, "title": "楼顶漏水（补充）"}, now=now
    ),
    "direct_close": lambda o, u, now, c: act.do_direct_close(o, u, answer="已解答", now=now),
    "submit": lambda o, u, now, c: act.do_submit(o, u, now=now),
    "return_to_intake": lambda o, u, now, c: act.do_return_to_intake(
        o, u, reason="地址不具体", now=now
    ),
    "dispatch": lambda o, u, now, c: act.do_dispatch(o, u, lead_unit=c.org.zjj, now=now),
    "sign": lambda o, u, now, c: act.do_sign(o, u, now=now),
    "co_sign": lambda o, u, now, c: act.do_co_sign(o, u, now=now),
    "unit_return": lambda o, u, now, c: act.do_unit_return(o, u, reason="非本单位", now=now),
    "request_extension": lambda o, u, now, c: act.do_request_extension(
        o, u, days=1, reason="需勘查", now=now
    ),
    "approve_extension": lambda o, u, now, c: act.do_decide_extension(o, u, approve=True, now=now),
    "deny_extension": lambda o, u, now, c: act.do_decide_extension(
        o, u, approve=False, note="理由不足", now=now
    ),
    "request_suspension": lambda o, u, now, c: act.do_request_suspension(
        o, u, days=10, reason="行政复议期间", now=now
    ),
    "approve_suspension": lambda o, u, now, c: act.do_decide_suspension(
        o, u, approve=True, now=now
    ),
    "deny_suspension": lambda o, u, now, c: act.do_decide_suspension(
        o, u, approve=False, note="理由不足", now=now
    ),
    "resume": lambda o, u, now, c: act.do_resume(o, u, note="复议结束", now=now),
    "reply": lambda o, u, now, c: act.do_reply(o, u, now=now, **REPLY),
    "no_further_handling": lambda o, u, now, c: act.do_no_further_handling(
        o, u, reason="c_repeated", explanation="已依法答复", now=now
    ),
    "accept_reply": lambda o, u, now, c: act.do_accept_reply(o, u, now=now),
    "reverify": lambda o, u, now, c: act.do_reverify(o, u, reason="与反映不符", now=now),
    "remind": lambda o, u, now, c: sup.do_remind(o, u, result="未接听", now=now),
    "supervise": lambda o, u, now, c: sup.do_supervise(
        o, u, method="phone", content="电话督办", now=now
    ),
    "record_callback": lambda o, u, now, c: act.do_record_callback(
        o, u, method="phone", satisfaction="satisfied", resolution="resolved", now=now
    ),
    "close": lambda o, u, now, c: act.do_close(o, u, now=now),
    "reopen": lambda o, u, now, c: act.do_reopen(o, u, reason="市民不满意", now=now),
    "link_duplicate": lambda o, u, now, c: act.do_link_duplicate(
        o, u, main=c.fresh_main(now), reason="同一事项", now=now
    ),
    "merge": lambda o, u, now, c: act.do_merge(
        o, u, main=c.fresh_main(now), reason="同一事项", now=now
    ),
    "unmerge": lambda o, u, now, c: act.do_unmerge(o, u, reason="不是同一事项", now=now),
    "comment": lambda o, u, now, c: act.do_comment(o, u, note="已电话沟通", now=now),
    "attach": lambda o, u, now, c: act.do_attach(o, u, png(), now=now),
}


def test_every_action_of_the_table_has_valid_input_here():
    assert set(VALID) == set(ACTIONS)


def attempt(
    order: WorkOrder, who: str, action: str, now: datetime, c: Cast, offers: list[str]
) -> str:
    """Take ``action`` as ``who`` and undo it; return what happened, or why the offer
    (``offers``: ``allowed_actions`` for this user, order and time) or refusal and the
    outcome disagree."""
    user = c.users[who]
    order = WorkOrder.objects.get(pk=order.pk)
    offered = action in offers
    expected = queries.refusal(user, order, action, now)
    if offered != (expected is None):
        return f"allowed_actions and refusal disagree ({expected})"
    with transaction.atomic():
        try:
            VALID[action](order, user, now, c)
        except ActionError as exc:
            outcome = exc
        else:
            outcome = None
            after = WorkOrder.objects.get(pk=order.pk).state
            target = lifecycle.TRANSITIONS_BY_ACTION[action].target or order.state
        transaction.set_rollback(True)
    if offered:
        if outcome is not None:
            return f"offered but refused: {type(outcome).__name__} {outcome.message}"
        if after != target:
            return f"offered, went to {after}, the table says {target}"
        return "ok"
    if outcome is None:
        return f"not offered ({expected.message}) but it succeeded"
    if (type(outcome), outcome.message) != (type(expected), expected.message):
        return (
            f"refused with {type(outcome).__name__} {outcome.message}, "
            f"explained as {type(expected).__name__} {expected.message}"
        )
    return "refused"


@pytest.mark.clause("6.2", "6.3", "6.4.1", "6.5", "6.6", "6.7.1", "6.7.2")
@pytest.mark.parametrize("state", list(lifecycle.STATES.codes))
def test_every_role_and_action_from_every_state(state, cast, appeal):
    order = bring(state, cast, appeal)
    times = (SOON, LATE) if state in lifecycle.WITH_UNIT else (LATE,)
    problems = []
    offered = set()
    for now in times:
        for who, user in cast.users.items():
            offers = queries.allowed_actions(user, order, now)
            for action in ACTIONS:
                result = attempt(order, who, action, now, cast, offers)
                if result == "ok":
                    offered.add((who, action))
                elif result != "refused":
                    problems.append(f"{state} · {who} · {action} @{now:%m-%d}: {result}")
    assert not problems, "\n".join(problems)
    # the proof is not empty: from every state but 不予受理 someone may act
    assert offered or state in lifecycle.TERMINAL


def test_the_former_and_unrelated_units_are_offered_nothing(cast, appeal):
    """The measured fault: ``comment`` was offered to a former unit, then refused."""
    order = bring("handling", cast, appeal)
    for who in ("former_unit", "other_unit"):
        assert queries.allowed_actions(cast.users[who], order, LATE) == []
    lead = queries.allowed_actions(cast.users["lead_unit"], order, LATE)
    assert {"reply", "comment", "attach"} <= set(lead) and "co_sign" not in lead
    co = queries.allowed_actions(cast.users["co_unit"], order, LATE)
    assert set(co) == {"co_sign", "comment", "attach"}
    # the parent (区政府) acts for both of its sub-units: the lead's steps and the co-sign
    parent = queries.allowed_actions(cast.users["parent_unit"], order, LATE)
    assert set(parent) == set(lead) | {"co_sign"}


# --- random walks ---------------------------------------------------------------------------

WHO = [
    "agent",
    "reviewer",
    "lead_unit",
    "co_unit",
    "former_unit",
    "parent_unit",
    "supervisor",
    "callback",
    "admin",
]
STEPS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),  # which offered (persona, action)
        st.sampled_from(WHO),  # who tries something not offered to them
        st.integers(min_value=0, max_value=10_000),  # which refused action
        st.sampled_from([1, 30, 240, 1440, 4320]),  # minutes until the next step
    ),
    min_size=6,
    max_size=20,
)
# Steps that go sideways: rarely chosen, so the walks reach deep states.
SIDEWAYS = {"merge", "unmerge", "reject", "update", "comment", "attach", "link_duplicate"}


@pytest.mark.clause("6.2", "6.3", "6.4.1", "6.5", "6.6.2", "6.7.2")
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=st.sampled_from(["draft", "accepted", "dispatched"]), steps=STEPS)
def test_random_walks_through_offered_actions(cast, appeal, start, steps):
    with transaction.atomic():
        order = bring(start, cast, appeal)
        now = T0 + timedelta(hours=1)
        for pick, who, refuse, minutes in steps:
            now += timedelta(minutes=minutes)
            order = WorkOrder.objects.get(pk=order.pk)
            offers = {w: queries.allowed_actions(cast.users[w], order, now) for w in WHO}
            refused = [a for a in ACTIONS if a not in offers[who]]
            if refused:
                action = refused[refuse % len(refused)]
                result = attempt(order, who, action, now, cast, offers[who])
                assert result == "refused", f"{order.state} · {who} · {action}: {result}"
            pairs = [(w, a) for w in WHO for a in offers[w]]
            forward = [(w, a) for w, a in pairs if a not in SIDEWAYS]
            pool = pairs if not forward or pick % 7 == 6 else forward
            if pool:
                actor, action = pool[pick // 7 % len(pool)]
                target = lifecycle.TRANSITIONS_BY_ACTION[action].target or order.state
                VALID[action](order, cast.users[actor], now, cast)
                assert WorkOrder.objects.get(pk=order.pk).state == target, (actor, action)
        transaction.set_rollback(True)
