"""Every state change writes one append-only timeline event (who, when, what, from, to)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from hotline.orders import actions
from hotline.orders.models import Event

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def test_event_rows_refuse_update_and_delete_in_python(agent, appeal):
    order = actions.do_create_order(agent, appeal)
    event = order.events.get()
    event.note = "改写历史"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_database_refuses_to_update_an_event_even_with_raw_sql(agent, appeal):
    order = actions.do_create_order(agent, appeal)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE orders_event SET note = 'x' WHERE order_id = %s", [order.pk])
    assert Event.objects.get(order=order).note == ""


def test_event_records_who_when_what_from_and_to(agent, reviewer, appeal, org):
    order = actions.do_create_order(agent, appeal)
    actions.do_submit(order, agent)
    order = actions.do_dispatch(order, reviewer, lead_unit=org.zjj, note="请按期办理")
    e = order.events.get(action="dispatch")
    assert (e.actor, e.actor_role, e.actor_name, e.from_state, e.to_state) == (
        reviewer,
        "reviewer",
        "王强",
        "pending_review",
        "dispatched",
    )
    assert e.unit == org.zjj and e.note == "请按期办理" and e.data["lead_unit"] == org.zjj.name
    assert e.at == order.dispatched_at


def test_failed_action_leaves_no_event_and_no_change(agent, reviewer, appeal, org):
    """Nothing is half-saved: a refused dispatch changes neither state nor timeline."""
    from hotline.orders.errors import ValidationFailed

    order = actions.do_create_order(agent, appeal)
    actions.do_submit(order, agent)
    with pytest.raises(ValidationFailed):
        actions.do_dispatch(order, reviewer, lead_unit=org.zjj, co_units=[org.zjj])
    order.refresh_from_db()
    assert order.state == "pending_review" and order.lead_unit is None
    assert not order.events.filter(action="dispatch").exists() and not order.assignments.exists()


def test_order_number_is_date_and_daily_sequence(agent, appeal):
    import time_machine

    from hotline.api.tests.test_lifecycle_paths import sh

    with time_machine.travel(sh(2026, 11, 27, 23, 59), tick=False) as clock:
        first = actions.do_create_order(agent, appeal).number
        second = actions.do_create_order(agent, appeal).number
        clock.move_to(sh(2026, 11, 28, 0, 1))  # a new day in Shanghai (still the 27th in UTC)
        third = actions.do_create_order(agent, appeal).number
    assert (first, second, third) == ("20261127000001", "20261127000002", "20261128000001")
