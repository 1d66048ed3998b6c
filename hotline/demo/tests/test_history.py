"""``hotline history``: bulk-written orders look like the ones the actions write — the
same fields filled, timelines that end in the order's state, deadlines met or superseded
as the actions do — and the assessment reads them the same live and rolled up."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from hotline.analytics import assessment, rollup
from hotline.analytics.periods import Period
from hotline.analytics.tests.conftest import sh
from hotline.demo import history
from hotline.orders import fulltext
from hotline.orders.models import (
    Assignment,
    Callback,
    Deadline,
    Event,
    ExtensionRequest,
    Reply,
    SuspensionRequest,
    WorkOrder,
)
from hotline.rules.calendar import SHANGHAI
from hotline.supervision.models import Reminder

NOW = sh(2026, 3, 20, 12, 0)


@pytest.fixture(params=[1, 3], ids=["stories", "copies"])
def generated(db, request):
    """600 orders, each its own story — or (PostgreSQL) each older story written three
    times by the database, inside the test's transaction; SQLite writes every order as its
    own story either way."""
    from hotline.demo import build

    build.build_organisation()
    return history.generate(600, days=40, now=NOW, batch=150, seed=7, copies=request.param)


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


def test_copies_are_whole_orders_of_their_own(generated, request):
    """Copied stories (PostgreSQL) keep every reference inside their own order: the
    timeline's reply/callback/reminder/request ids, the deadlines' assignments; they have
    their own number and phone, and nothing happens after ``now``."""
    _check_copies(generated, copied=request.node.callspec.params["generated"] == 3)


@pytest.mark.django_db(transaction=True)
def test_copies_made_on_two_connections_after_each_batch_commits():
    """As ``hotline history`` runs (no transaction around it): each batch commits, then
    two connections write its copies."""
    from hotline.demo import build

    build.build_organisation()
    made = history.generate(600, days=40, now=NOW, batch=150, seed=7, copies=3)
    _check_copies(made, copied=True)


def _check_copies(generated: int, *, copied: bool) -> None:
    orders = {o.pk: o for o in WorkOrder.objects.all()}
    assert len(orders) == generated == 600
    stories = Counter((o.title, o.address, o.category_id, o.state) for o in orders.values())
    if copied and connection.vendor == "postgresql":
        # the older stories thrice each, 60 s apart; the last two days one by one
        assert len(stories) < 300
        first = WorkOrder.objects.order_by("id").first()
        twin = WorkOrder.objects.get(
            created_at=first.created_at - timedelta(seconds=60),
            title=first.title,
            address=first.address,
        )
        assert twin.created_at == first.created_at - timedelta(seconds=60)
        assert (twin.title, twin.address, twin.state) == (first.title, first.address, first.state)
        assert twin.number != first.number and twin.citizen_phone != first.citizen_phone
        assert twin.number[:8] == first.number[:8]
    phones = [o.citizen_phone for o in orders.values()]
    assert all(len(p) == 11 and p.isdigit() for p in phones)
    assert len(set(phones)) > 0.95 * len(phones)
    for o in orders.values():
        assert o.number[:8] == o.created_at.astimezone(SHANGHAI).strftime("%Y%m%d")
    refs = {
        "reply": Reply,
        "callback": Callback,
        "reminder": Reminder,
    }
    checked = Counter()
    for e in Event.objects.all():
        assert e.at <= NOW
        for key, model in refs.items():
            if key in e.data:
                assert model.objects.get(pk=e.data[key]).order_id == e.order_id
                checked[key] += 1
        if "request" in e.data:
            model = SuspensionRequest if "suspension" in e.action else ExtensionRequest
            req = model.objects.get(pk=e.data["request"])
            assert req.order_id == e.order_id
            checked["request"] += 1
            if "new_due" in e.data:
                due = Deadline.objects.get(order_id=e.order_id, kind="extension")
                assert abs(datetime.fromisoformat(e.data["new_due"]) - due.due_at) < timedelta(
                    seconds=1
                )
    assert checked["reply"] > 100 and checked["callback"] > 100 and checked["request"] > 0
    for d in Deadline.objects.filter(assignment__isnull=False).select_related("assignment"):
        assert d.assignment.order_id == d.order_id
    # an extension's clock starts at the old due time, but it was granted before now
    assert not Deadline.objects.filter(created_at__gt=NOW).exists()
    assert not WorkOrder.objects.filter(updated_at__gt=NOW).exists()
    if connection.vendor == "postgresql":
        # a copy brings its story's search bigrams: they are those of its own text
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT count(*), count(*) FILTER (WHERE "{fulltext.COLUMN}" IS DISTINCT FROM '
                "hl_bigrams(coalesce(title, '') || ' ' || coalesce(content, '') || ' ' || "
                f"coalesce(address, ''))) FROM \"{fulltext.TABLE}\""
            )
            assert cursor.fetchone() == (generated, 0)


@pytest.mark.django_db(transaction=True)
def test_a_failed_copy_stops_the_load_with_its_error(monkeypatch):
    """A batch's copies run while the next batch is played: their failure stops the load
    at the next batch with that error, and no copying thread is left behind."""
    import threading

    from hotline.demo import build

    if connection.vendor != "postgresql":
        pytest.skip("copies are PostgreSQL's: SQLite plays every order")
    build.build_organisation()
    calls: list[int] = []
    real = history._run_copies

    def failing(statements, role):
        calls.append(len(statements))
        if len(calls) == 2:
            raise RuntimeError("copy failed")
        real(statements, role)

    monkeypatch.setattr(history, "_run_copies", failing)
    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="copy failed"):
        history.generate(600, days=40, now=NOW, batch=150, seed=7, copies=3)
    assert len(calls) == 2  # the batch after the failed one was not copied
    assert threading.active_count() == threads
