"""The roll-up only makes reads faster: sealed days plus the live tail equal a live count,
late-recorded actions are picked up by the next refresh, and sealing is idempotent."""

from __future__ import annotations

from datetime import date

from django.core.management import call_command

from hotline.analytics import assessment, rollup
from hotline.analytics.models import UnitDay, VolumeDay
from hotline.analytics.periods import Period
from hotline.analytics.tests.conftest import sh


def test_a_day_sealed_twice_has_the_same_rows(march):
    rollup.refresh(march.now)
    first = sorted(UnitDay.objects.values_list("unit_id", "day", "received", "sign_on_time"))
    rollup.refresh(march.now, since=date(2026, 2, 1))
    assert (
        sorted(UnitDay.objects.values_list("unit_id", "day", "received", "sign_on_time")) == first
    )
    assert VolumeDay.objects.filter(dimension="channel").count() > 0


def test_an_action_recorded_late_for_the_last_sealed_day_is_picked_up(
    march, org, agent, reviewer, appeal
):
    from hotline.orders import actions as act

    rollup.refresh(sh(2026, 3, 20, 12, 0))  # sealed through 03-19
    # an order keyed in afterwards with its real time on 03-19 (the day before the watermark
    # is re-sealed by every refresh)
    order = act.do_create_order(agent, appeal, now=sh(2026, 3, 19, 16, 0))
    act.do_submit(order, agent, now=sh(2026, 3, 19, 16, 5))
    act.do_dispatch(order, reviewer, lead_unit=org.zjj, now=sh(2026, 3, 19, 17, 0))
    rollup.refresh(sh(2026, 3, 21, 12, 0))
    sealed = assessment.assess(Period.month(2026, 3), now=march.now)
    rollup.reset()
    live = assessment.assess(Period.month(2026, 3), now=march.now)
    zjj = lambda result: next(r for r in result.rows if r.unit.pk == org.zjj.pk)  # noqa: E731
    assert zjj(sealed).counts == zjj(live).counts
    assert zjj(live).counts["received"] == 6


def test_rollup_command_rebuilds_from_scratch(march):
    call_command("rollup", rebuild=True, verbosity=0)
    assert rollup.watermark() is not None
