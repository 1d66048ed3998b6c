"""``hotline history``: bulk-written orders look like the ones the actions write — the
same fields filled, timelines that end in the order's state, deadlines met or superseded
as the actions do — and the assessment reads them the same live and rolled up."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command

from hotline.analytics import assessment, rollup
from hotline.analytics.periods import Period
from hotline.analytics.tests.conftest import sh
from hotline.demo import history
from hotline.orders.models import Assignment, Deadline, Event, WorkOrder

NOW = sh(2026, 3, 20, 12, 0)


@pytest.fixture
def generated(db):
    from hotline.demo import build

    build.build_organisation()
    return history.generate(600, days=40, now=NOW, batch=150, seed=7)


def test_generated_orders_fill_the_fields_the_actions_fill(generated):
    assert WorkOrder.objects.count() == generated > 550
    states = Counter(WorkOrder.objects.values_list("state", flat=True))
    assert {"closed", "rejected", "handling", "pending_callback"} <= set(states)
    for o in WorkOrder.objects.filter(state="closed", direct_answer="", reopen_count=0)[:50]:
        assert o.accepted_at and o.submitted_at and o.dispatched_at and o.signed_at
        assert o.replied_at and o.reply_accepted_at and o.closed_at and o.lead_unit_id
        assert o.accepted_at <= o.dispatched_at <= o.signed_at <= o.replied_at <= o.closed_at
        assert o.callbacks.filter(outcome="reached").count() == 1
        assert o.replies.get().verdict == "accepted"
        assert not Deadline.objects.active().filter(order=o).exists()
        assert not Assignment.objects.filter(order=o, ended_at__isnull=True).exists()
    for o in WorkOrder.objects.filter(state="rejected")[:20]:
        assert o.not_accepted_reason and o.accepted_at is None


def test_every_timeline_ends_in_the_orders_state_and_numbers_are_unique(generated):
    last = {}
    for order_id, to_state in Event.objects.order_by("at", "id").values_list(
        "order_id", "to_state"
    ):
        last[order_id] = to_state
    for pk, state in WorkOrder.objects.values_list("pk", "state"):
        assert last[pk] == state
    numbers = list(WorkOrder.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    # open orders held by a unit have exactly one running feedback-type clock
    for o in WorkOrder.objects.filter(state="handling"):
        assert (
            Deadline.objects.active().filter(order=o, kind__in=["feedback", "extension"]).count()
            == 1
        )


def test_the_assessment_of_generated_history_is_the_same_live_and_rolled_up(generated):
    period = Period(NOW.date() - timedelta(days=35), NOW.date())
    live = assessment.assess(period, now=NOW)
    assert live.total.counts["received"] > 400
    assert live.total.counts["reply_missed"] > 0 and live.total.counts["satisfied"] > 0
    rollup.refresh(NOW)
    sealed = assessment.assess(period, now=NOW)
    assert [(r.unit.pk, r.counts, r.open_overdue, r.rank) for r in sealed.rows] == [
        (r.unit.pk, r.counts, r.open_overdue, r.rank) for r in live.rows
    ]


def test_history_command_appends_after_existing_orders(db, now):
    # the command writes orders up to the clock: set, so the days it covers do not depend
    # on the day the suite runs (on 2027-01-04 it ran into a year the calendar lacks)
    call_command("history", orders=50, days=5, verbosity=0)
    call_command("history", orders=50, days=5, verbosity=0)
    assert WorkOrder.objects.count() >= 95
    numbers = list(WorkOrder.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert rollup.watermark() is not None
