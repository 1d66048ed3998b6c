"""§6.1.6 display mode, PIPL: the masking policy table."""

import pytest

from hotline.rules import masking as m


def test_every_row_cites_a_clause_and_uses_known_forms():
    for v in m.POLICY:
        assert v.clause, v
        assert v.viewer in m.VIEWERS
        assert v.mode in (*m.MODES, m.ANY)
        assert v.order in (m.FULL, m.OWN_PART, m.PUBLISHED, m.NONE)
        assert {v.name, v.phone, v.address} <= {m.FULL, m.MASKED, m.HIDDEN}
        assert v.text in (m.ORIGINAL, m.MASKED, m.REDACTED)


def test_every_viewer_has_an_answer_for_every_display_mode():
    for viewer in m.VIEWERS.codes:
        for mode in m.MODES:
            assert m.visibility(viewer, mode).viewer == viewer


def test_handling_unit_sees_a_confidential_citizen_masked():
    """§6.1.6: confidential orders show handling units a masked name and phone."""
    for viewer in (m.LEAD, m.CO):
        v = m.visibility(viewer, "confidential")
        assert (v.name, v.phone, v.address, v.text) == (m.MASKED, m.MASKED, m.HIDDEN, m.MASKED)
        assert not v.sees_citizen and v.unmasked == ()


def test_handling_unit_sees_a_public_citizen_as_given():
    v = m.visibility(m.LEAD, "public")
    assert v.sees_citizen
    assert v.unmasked == ("citizen_name", "citizen_phone", "citizen_address")


def test_centre_sees_every_citizen_and_every_such_view_is_logged():
    for mode in m.MODES:
        v = m.visibility(m.CENTRE, mode)
        assert v.sees_citizen and len(v.unmasked) == 3


def test_former_unit_keeps_only_its_own_part_without_citizen_fields():
    """Decision (docs/privacy.md): after 退单 or 改派 the unit reads a read-only summary of
    its own part, never the citizen, whatever the display mode."""
    for mode in m.MODES:
        v = m.visibility(m.FORMER, mode)
        assert v.order == m.OWN_PART
        assert (v.name, v.phone, v.address) == (m.HIDDEN, m.HIDDEN, m.HIDDEN)
        assert v.text == m.REDACTED  # not even 139****5555 in its own notes


def test_unrelated_unit_sees_nothing():
    assert m.visibility(m.UNRELATED, "public").order == m.NONE


def test_public_sees_accepted_public_orders_redacted_and_never_a_confidential_one():
    assert m.visibility(m.PUBLIC, "public").order == m.PUBLISHED
    assert m.visibility(m.PUBLIC, "public").text == m.REDACTED
    assert m.visibility(m.PUBLIC, "confidential").order == m.NONE


def test_channel_client_sees_its_own_submission_in_full():
    assert m.visibility(m.SUBMITTER, "confidential").sees_citizen


def test_unknown_display_mode_gets_the_strictest_row():
    assert m.visibility(m.LEAD, "something-new") == m.visibility(m.LEAD, "confidential")


def test_unknown_viewer_is_an_error():
    with pytest.raises(KeyError):
        m.visibility("stranger", "public")


A = m.AssignmentFact


def test_unit_with_a_running_lead_assignment_is_the_lead():
    assert m.relation_of({1: [A("lead")]}) == m.LEAD


def test_unit_that_returned_the_order_is_a_former_unit():
    """退单: the unit's row ended with unit_return; the order is no longer its own."""
    assert m.relation_of({1: [A("lead", True, "unit_return")]}) == m.FORMER


def test_unit_replaced_by_a_redispatch_is_a_former_unit():
    assert m.relation_of({1: [A("co", True, "redispatch")]}) == m.FORMER


def test_unit_that_got_a_returned_order_back_holds_it_again():
    assert m.relation_of({1: [A("lead", True, "unit_return"), A("lead")]}) == m.LEAD


def test_unit_that_completed_the_order_stays_its_lead():
    """办结 ends the row, not the unit's part: it still answers for the closed order."""
    assert m.relation_of({1: [A("lead", True, "completed")]}) == m.LEAD


def test_closest_relation_wins_for_a_parent_unit():
    rows = {1: [A("lead", True, "unit_return")], 2: [A("co")]}
    assert m.relation_of(rows) == m.CO


def test_unit_without_assignments_is_unrelated():
    assert m.relation_of({}) == m.UNRELATED


def test_each_role_reads_personal_data_for_its_duty():
    assert m.purpose_for_role("unit") == "handling"
    assert m.purpose_for_role("callback") == "callback"
    assert all(m.purpose_for_role(r) in m.PURPOSES for r in m.CENTRE_ROLES | {"unit"})
