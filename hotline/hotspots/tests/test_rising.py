"""Rising topics: the latest week against the weeks before (SPEC §7, §4.2 b)."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from hotline.hotspots import HotspotConfig, find_hotspots, rising_topics
from hotline.hotspots.stats import rising_statistic
from hotline.hotspots.tests.conftest import START, appeal

NOW = START + timedelta(days=63)  # nine full weeks after START


def week_ago(weeks_before_now: int, k: int) -> float:
    """A day inside the week ending ``weeks_before_now`` weeks before NOW."""
    return 63 - 7 * weeks_before_now - 1 - k * 0.5


def filler(per_week: int, weeks: int = 9) -> list:
    subjects = ["社保卡补办", "公积金提取", "医保报销", "落户办理", "居住证办理", "驾驶证换领"]
    return [
        appeal(f"咨询{subjects[(w + k) % len(subjects)]}流程", day=week_ago(w, k))
        for w in range(weeks)
        for k in range(per_week)
    ]


def test_statistic_on_a_constructed_series():
    # Two a week for eight weeks out of 100 a week, then 12 out of 100.
    expected, ratio, z = rising_statistic(12, [2] * 8, 100, [100] * 8)
    assert expected == pytest.approx(100 * 16.5 / 801)
    assert ratio == pytest.approx(13 / (expected + 1))
    assert z == pytest.approx((12 - expected) / math.sqrt(expected))
    assert z > 4


def test_a_busier_week_does_not_make_a_steady_topic_rise():
    # The topic keeps its 2 % share while total volume doubles.
    expected, _, z = rising_statistic(4, [2] * 8, 200, [100] * 8)
    assert expected == pytest.approx(200 * 16.5 / 801)
    assert z < 0.5


def test_a_never_seen_topic_needs_several_citizens_to_rise():
    _, _, z_three = rising_statistic(3, [0] * 8, 50, [50] * 8)
    _, _, z_four = rising_statistic(4, [0] * 8, 50, [50] * 8)
    assert z_three < 3 <= z_four


def test_a_burst_this_week_is_reported_as_rising_term():
    burst = [
        appeal(f"光明路{k}号附近共享单车乱停放堵塞人行道", day=week_ago(0, k)) for k in range(6)
    ]
    steady = filler(per_week=6)
    topics = rising_topics(steady + burst, now=NOW)
    keys = [t.key for t in topics]
    assert any(k in ("共享单车", "单车", "乱停放", "人行道") for k in keys[:2])
    top = topics[0]
    assert top.current == 6 and top.baseline == (0,) * 8
    assert len(top.example_ids) == 3
    # The other words of the same six appeals are folded into the first, not listed again.
    assert len([t for t in topics if set(t.example_ids) <= {a.id for a in burst}]) == 1


def test_one_citizen_writing_many_times_is_not_a_trend():
    repeated = [
        appeal(f"光明路共享单车乱停放第{k}次反映", day=week_ago(0, k), citizen="13700000000")
        for k in range(6)
    ]
    topics = rising_topics(filler(per_week=6) + repeated, now=NOW)
    assert topics == []


def test_a_steady_topic_is_not_rising():
    steady = filler(per_week=6)
    assert rising_topics(steady, now=NOW) == []


def test_rising_groups_compare_group_counts_week_on_week():
    burst = [
        appeal(
            "和平小区地下车库漏水严重",
            "和平小区地下车库顶板漏水，车辆被泡，物业不处理。",
            day=week_ago(0, k),
        )
        for k in range(5)
    ]
    report = find_hotspots(filler(per_week=6) + burst, now=NOW, config=HotspotConfig())
    [group] = [g for g in report.groups if set(g.member_ids) == {a.id for a in burst}]
    # The steady consultations form groups too, but only the leak is rising.
    [rising] = report.rising_groups
    assert rising.kind == "group" and rising.key == group.label
    assert rising.current == 5 and rising.z >= 3
