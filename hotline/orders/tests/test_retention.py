"""Retention (PIPL Art. 19): personal data of orders finished more than
``HOTLINE_RETENTION_YEARS`` ago is anonymised; the statistics stay; every run is recorded."""

from __future__ import annotations

from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from hotline.orders import actions as act
from hotline.orders.actions.retention import cutoff_for
from hotline.orders.models import Event, EventRedactionPermit, RetentionRun, WorkOrder
from hotline.rules.calendar import SHANGHAI

ID = "150302198507150021"


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def finished(agent, reviewer, clerk, callback_agent, appeal, org):
    """受理员 recorded a confidential appeal in 2020 whose text repeats the phone and the ID
    number; the agent corrected the phone; 住建局 replied naming the citizen; the callback
    agent closed it in November 2020.  Another call that year was not accepted."""
    with time_machine.travel(sh(2020, 11, 2, 9, 0), tick=False) as clock:
        order = act.do_create_order(
            agent,
            {
                **appeal,
                "display_mode": "confidential",
                "citizen_address": "康乐小区5号楼3单元",
                "content": f"王建军来电，电话13812345678，身份证{ID}，家住康乐小区5号楼3单元。",
            },
        )
        act.do_update(order, agent, {"citizen_phone": "13905555555"})
        act.do_submit(order, agent)
        act.do_dispatch(order, reviewer, lead_unit=org.zjj)
        act.do_sign(order, clerk)
        act.do_reply(
            order,
            clerk,
            handling_situation="已修复。",
            citizen_contact="已联系王建军（13905555555）。",
            investigation="屋面老化。",
            opinion="已完成。",
            public_note="屋面已修复。",
        )
        act.do_accept_reply(order, reviewer)
        clock.move_to(sh(2020, 11, 20, 10, 0))
        act.do_record_callback(
            order,
            callback_agent,
            method="phone",
            satisfaction="satisfied",
            resolution="resolved",
            note="王建军表示满意",
        )
        act.do_close(order, callback_agent)
        rejected = act.do_record_rejected(
            agent,
            {"content": "骚扰电话，来电13700001111", "citizen_phone": "13700001111"},
            reason="e_harassment_or_unclear",
        )
    with time_machine.travel(sh(2025, 3, 1, 9, 0), tick=False):
        recent = act.do_create_order(agent, appeal)
    return order, rejected, recent


def test_retention_cutoff_is_whole_calendar_years_back():
    assert cutoff_for(sh(2026, 3, 1, 3, 30), 5) == sh(2021, 3, 1, 3, 30)
    assert cutoff_for(sh(2028, 2, 29, 3, 30), 5) == sh(2023, 2, 28, 3, 30)


def test_purge_anonymises_orders_finished_longer_ago_and_keeps_the_statistics(finished):
    order, rejected, recent = finished
    with time_machine.travel(sh(2026, 3, 1, 3, 30), tick=False):
        run = act.do_purge_personal_data(years=5)
    assert run.orders == 2 and not run.dry_run and run.finished_at and run.error == ""
    order.refresh_from_db()
    assert (order.citizen_name, order.citizen_phone, order.citizen_address) == ("", "", "")
    assert order.personal_data_purged_at == sh(2026, 3, 1, 3, 30)
    assert "13812345678" not in order.content and ID not in order.content
    assert "王建军" not in order.content and "康乐小区5号楼3单元" not in order.content
    # the statistics stay
    assert order.state == "closed" and order.category.code == "housing_maintenance"
    assert order.lead_unit_id and order.closed_at == sh(2020, 11, 20, 10, 0)
    assert order.callbacks.get().satisfaction == "satisfied"
    assert "王建军" not in order.callbacks.get().note
    assert "13905555555" not in order.replies.get().citizen_contact
    update = order.events.get(action="update")
    assert update.data["changes"]["citizen_phone"] == ["", ""]
    assert update.actor_role == "agent"  # who and when stay
    rejected.refresh_from_db()
    assert rejected.citizen_phone == "" and "13700001111" not in rejected.content
    recent.refresh_from_db()
    assert recent.citizen_phone == "13812345678" and recent.personal_data_purged_at is None


def test_purge_runs_once_per_order_and_logs_every_run(finished):
    with time_machine.travel(sh(2026, 3, 1, 3, 30), tick=False):
        first = act.do_purge_personal_data(years=5)
        second = act.do_purge_personal_data(years=5)
    assert (first.orders, second.orders) == (2, 0)
    assert RetentionRun.objects.count() == 2
    assert not EventRedactionPermit.objects.exists()


def test_dry_run_counts_and_changes_nothing(finished):
    order, _, _ = finished
    out = StringIO()
    with time_machine.travel(sh(2026, 3, 1, 3, 30), tick=False):
        call_command("privacy", "purge", "--dry-run", stdout=out)
    assert "将匿名化 2 件工单" in out.getvalue()
    order.refresh_from_db()
    assert order.citizen_phone == "13905555555"
    run = RetentionRun.objects.get()
    assert run.dry_run and run.orders == 2 and run.years == 5


def test_command_uses_the_retention_setting(finished, settings):
    settings.HOTLINE_RETENTION_YEARS = 10
    out = StringIO()
    with time_machine.travel(sh(2026, 3, 1, 3, 30), tick=False):
        call_command("privacy", "purge", stdout=out)
    assert "已匿名化 0 件工单" in out.getvalue() and "保存 10 年" in out.getvalue()


def test_worker_runs_the_purge_as_a_monthly_periodic_task(finished):
    from hotline.supervision.worker import TASKS

    task = TASKS["purge"]
    schedule = task.s().validate_datetime  # the crontab, on huey's naive local time
    assert schedule(datetime(2026, 3, 1, 3, 30))  # noqa: DTZ001
    assert not schedule(datetime(2026, 3, 2, 3, 30))  # noqa: DTZ001
    assert not schedule(datetime(2026, 3, 1, 4, 30))  # noqa: DTZ001
    with time_machine.travel(sh(2026, 3, 1, 3, 30), tick=False):
        result = task.call_local()
    assert result["orders"] == 2
    assert RetentionRun.objects.get().trigger == "worker"


def test_timeline_stays_append_only_outside_the_purge(finished):
    order, _, _ = finished
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE orders_event SET note = 'x' WHERE order_id = %s", [order.pk])


def test_even_the_purge_may_not_change_who_did_what_when(finished):
    order, _, _ = finished
    run = RetentionRun.objects.create(
        started_at=sh(2026, 3, 1), cutoff=sh(2021, 3, 1), years=5, dry_run=False
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        EventRedactionPermit.objects.create(run=run)
        Event.objects.filter(order=order).update(action="forged")
    with transaction.atomic():
        permit = EventRedactionPermit.objects.create(run=run)
        assert Event.objects.filter(order=order, action="create").update(note="x") == 1
        permit.delete()
    assert WorkOrder.objects.filter(pk=order.pk).exists()
