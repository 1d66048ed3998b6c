"""The 并单 rows of the lifecycle table (pure rules)."""

import pytest

from hotline.rules import lifecycle


def test_merge_rows():
    assert lifecycle.transition("merge", "pending_review", "reviewer").target == "merged"
    assert lifecycle.transition("unmerge", "merged", "agent").target == "accepted"
    assert lifecycle.transition("link_duplicate", "handling", "supervisor").target is None
    assert "§6.6.3 c" in lifecycle.TRANSITIONS_BY_ACTION["merge"].clause
    with pytest.raises(lifecycle.IllegalTransition):  # a unit holds it: too late to merge
        lifecycle.transition("merge", "handling", "agent")
    with pytest.raises(lifecycle.RoleNotAllowed):
        lifecycle.transition("merge", "accepted", "unit")


def test_a_merged_order_only_waits_for_its_callback():
    allowed = set(lifecycle.allowed_actions("merged", "callback"))
    assert allowed == {"record_callback", "comment", "attach"}
    assert set(lifecycle.allowed_actions("merged", "agent")) == {"unmerge", "comment", "attach"}
    assert "merged" in lifecycle.OPEN
