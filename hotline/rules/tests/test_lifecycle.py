"""§6 lifecycle: the transition table."""

import pytest

from hotline.rules import lifecycle as lc
from hotline.rules import screening, taxonomy


def test_every_row_cites_a_clause_and_known_states():
    for t in lc.TRANSITIONS:
        assert t.clause.startswith("§"), t.action
        assert t.sources <= set(lc.STATES.codes)


def test_administrator_may_take_every_action():
    assert all(lc.ADMIN in t.roles for t in lc.TRANSITIONS)


@pytest.mark.clause("6.2", "6.3")
def test_reviewer_dispatches_only_from_pending_review():
    """§6.2/§6.3: only reviewed orders are dispatched."""
    assert lc.transition("dispatch", "pending_review", "reviewer").target == "dispatched"
    with pytest.raises(lc.IllegalTransition):
        lc.transition("dispatch", "accepted", "reviewer")


def test_unit_may_not_dispatch():
    with pytest.raises(lc.RoleNotAllowed):
        lc.transition("dispatch", "pending_review", "unit")


@pytest.mark.clause("6.7.1")
def test_directly_handled_order_closes_from_intake():
    """§6.7.1: a directly handled order closes when handled."""
    assert lc.transition("direct_close", "accepted", "agent").target == "closed"


@pytest.mark.clause("6.7.2")
def test_transferred_order_closes_only_from_pending_callback():
    """§6.7.2: a transferred order closes after reply and callback."""
    t = lc.TRANSITIONS_BY_ACTION["close"]
    assert t.sources == {"pending_callback"}


def test_close_guard_needs_a_reached_callback_or_exhausted_attempts():
    assert not lc.may_close_after_callback(0, 2, 3)
    assert lc.may_close_after_callback(1, 0, 3)
    assert lc.may_close_after_callback(0, 3, 3)


def test_reply_needs_the_order_in_hand():
    assert lc.transition("reply", "handling", "unit").target == "replied"
    assert lc.transition("reply", "reverify", "unit").target == "replied"
    with pytest.raises(lc.IllegalTransition) as exc:
        lc.transition("reply", "dispatched", "unit")
    assert "待签收" in str(exc.value)


@pytest.mark.clause("6.5")
def test_supervise_is_offered_only_while_a_unit_holds_the_order():
    """§6.5 supervises handling units: not an order waiting for review (no unit yet)."""
    assert "supervise" not in lc.allowed_actions("pending_review", "supervisor")
    assert "supervise" in lc.allowed_actions("handling", "supervisor")


def test_allowed_actions_for_a_unit_handling_an_order():
    acts = lc.allowed_actions("handling", "unit")
    assert {
        "reply",
        "request_extension",
        "request_suspension",
        "unit_return",
        "no_further_handling",
    } <= set(acts)
    assert "dispatch" not in acts


def test_leader_has_no_actions():
    assert all(lc.allowed_actions(state, "leader") == [] for state in lc.STATES.codes)


def test_not_accepted_reasons_are_the_seven_of_5_3():
    assert [t.clause for t in screening.NOT_ACCEPTED_REASONS] == [f"§5.3 {c}" for c in "abcdefg"]


def test_emergency_kinds_are_the_four_of_6_4_4():
    assert [t.clause for t in screening.EMERGENCY_KINDS] == [f"§6.4.4 {c}" for c in "abcd"]


def test_no_further_handling_reasons_are_the_four_of_6_6_3():
    assert [t.clause for t in screening.NO_FURTHER_HANDLING_REASONS] == [
        f"§6.6.3 {c}" for c in "abcd"
    ]


def test_reply_must_have_all_four_parts_of_6_4_3():
    assert screening.missing_reply_parts({"handling_situation": "x", "citizen_contact": " "}) == [
        "citizen_contact",
        "investigation",
        "opinion",
    ]


def test_required_fields_of_6_1_5():
    errors = screening.missing_required_fields({"title": "路灯不亮", "content": ""})
    assert set(errors) == {"category", "address", "content"}
    assert "§6.1.5" in errors["address"]


@pytest.mark.clause("5.4.1", "5.4.2")
def test_twelve_domains_and_seven_types():
    """§5.4.1 seven types, §5.4.2 twelve domains."""
    assert len(taxonomy.APPEAL_TYPES) == 7
    assert len(taxonomy.DOMAINS) == 12
    assert set(taxonomy.DEFAULT_SUBCATEGORIES) == set(taxonomy.DOMAINS.codes)


def test_urgency_levels_of_6_1_7():
    assert [t.label for t in taxonomy.URGENCY] == ["一般", "紧急", "非常紧急"]


def test_supervision_ladder_follows_6_5_a_to_d():
    assert list(lc.SUPERVISION_LADDER) == taxonomy.SUPERVISION_METHODS.codes
