"""Records from the database or a file become appeals; time must carry its zone."""

from __future__ import annotations

from datetime import datetime

import pytest

from hotline.hotspots import NaiveTimeError, find_hotspots, to_appeal
from hotline.hotspots.tests.conftest import SHANGHAI


def test_common_field_names_are_understood():
    row = {
        "pk": 7,
        "title": "路灯不亮",
        "content": "整条路都黑",
        "created_at": datetime(2026, 3, 2, tzinfo=SHANGHAI),
        "domain": "urban_rural",
        "place": "东城街道",
        "phone": "13800000000",
        "likes": "3",
        "unit_id": 12,
    }
    appeal = to_appeal(row)
    assert (appeal.id, appeal.category, appeal.area, appeal.citizen, appeal.likes) == (
        7,
        "urban_rural",
        "东城街道",
        "13800000000",
        3,
    )
    assert appeal.unit == "12"


def test_naive_times_are_refused():
    with pytest.raises(NaiveTimeError):
        to_appeal({"id": 1, "title": "x", "time": datetime(2026, 3, 2)})  # noqa: DTZ001


def test_now_must_be_aware_too():
    row = {"id": 1, "title": "x", "time": datetime(2026, 3, 2, tzinfo=SHANGHAI)}
    with pytest.raises(NaiveTimeError):
        find_hotspots([row], now=datetime(2026, 3, 3))  # noqa: DTZ001


def test_duplicate_ids_are_refused():
    row = {"id": 1, "title": "x", "time": datetime(2026, 3, 2, tzinfo=SHANGHAI)}
    with pytest.raises(ValueError, match="duplicate"):
        find_hotspots([row, row])


def test_an_empty_period_gives_an_empty_report():
    report = find_hotspots([], now=datetime(2026, 3, 2, tzinfo=SHANGHAI))
    assert report.appeals == 0 and report.groups == () and report.repeats == ()
