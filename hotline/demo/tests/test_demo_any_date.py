"""The demo centre builds on any day it is started: ``hotline run`` loads it with the real
clock, so a story that only breaks on some dates breaks a newcomer's first start (CI found
one on 2026-12-06: a street routed as lead unit picked itself as co-unit)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hotline.demo import build
from hotline.orders.models import Assignment

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 6, 17, 2, tzinfo=SH),  # the start that failed
        datetime(2026, 10, 8, 9, 30, tzinfo=SH),  # first working day after 国庆
        datetime(2026, 2, 24, 8, 0, tzinfo=SH),  # first working day after 春节
    ],
    ids=str,
)
def test_the_demo_builds_and_no_lead_unit_is_its_own_co_unit(db, now):
    # the clock travels too: in the fixed-date passes of ``make test`` the session's wall
    # clock (2026-10-08 09:00, ticking) can fall within a minute of a demo order's stamp,
    # and the wall-clock guard then took the order for one made without a clock
    with time_machine.travel(now, tick=False):
        made = build.build(now=now)
    assert made == 321
    for order_id, unit_id in Assignment.objects.filter(role="lead").values_list(
        "order_id", "unit_id"
    ):
        assert not Assignment.objects.filter(order_id=order_id, unit_id=unit_id, role="co").exists()
