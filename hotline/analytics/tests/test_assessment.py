"""§4.1 b: the centre assesses its units — every counter and rate of a hand-counted month
(``docs/assessment.md`` §5), the same whether summed from the roll-up or counted live."""

from __future__ import annotations

from datetime import date

import pytest

from hotline.analytics import assessment, rollup
from hotline.analytics.assessment import competition_ranks, rate, score, tier_of
from hotline.analytics.periods import Period
from hotline.analytics.tests.conftest import sh
from hotline.org.models import Unit

MARCH = Period.month(2026, 3)

# 住建局's own counters for March 2026, counted by hand from the fixture's story
ZJJ = {
    "received": 5,  # A, B, B reopened, C re-dispatched, D (E was February, F April)
    "sign_on_time": 4,  # A, B after reopening, D, E (signed 03-02)
    "sign_missed": 2,  # B (signed two days late), C (never signed)
    "reply_on_time": 3,  # A, D, E
    "reply_missed": 3,  # B's extension (replied late), B after reopening, C (both still open)
    "extended": 1,  # B
    "suspended": 1,  # D
    "returned": 0,
    "supervised": 1,  # C after two unanswered reminders
    "reopened": 1,  # B
    "satisfied": 1,  # A
    "basically_satisfied": 1,  # D
    "unsatisfied": 1,  # B
    "resolved": 2,  # A, D
    "unresolved": 1,  # B
}
ZJJ_ORDERS = {
    "received": "ABBCD",
    "sign_on_time": "ABDE",
    "sign_missed": "BC",
    "reply_on_time": "ADE",
    "reply_missed": "BBC",
    "extended": "B",
    "suspended": "D",
    "returned": "",
    "supervised": "C",
    "reopened": "B",
    "satisfied": "A",
    "basically_satisfied": "D",
    "unsatisfied": "B",
    "resolved": "AD",
    "unresolved": "B",
    # a snapshot at 04-02 12:00, whatever the period: B's feedback after reopening, C's
    # sign-for and feedback, and F's sign-for (due 04-02 09:30)
    "open_overdue": "BCCF",
}


def _row(result, unit):
    return next(r for r in result.rows if r.unit.pk == unit.pk)


@pytest.fixture(params=["live", "rolled_up", "half_rolled_up"])
def sealed(request, march):
    """The same month read three ways: all live, all from the roll-up, and sealed up to
    03-16 11:58 with the rest counted live."""
    if request.param == "rolled_up":
        rollup.refresh(march.now)
        assert rollup.watermark() == sh(2026, 4, 2, 11, 58)  # now less the 2-minute lag
    elif request.param == "half_rolled_up":
        rollup.refresh(_at(2026, 3, 16))
        # sealed to the middle of 03-16: that day's rows stop at 11:58, the rest is live
        assert rollup.watermark() == sh(2026, 3, 16, 11, 58)
    return request.param


def _at(*args):
    return sh(*args, 12, 0)


@pytest.mark.clause("4.1", "6.4.2", "6.5", "6.8.3")
def test_every_counter_of_a_hand_counted_month_per_unit(march, org, sealed):
    """§4.1 b, §6.4.2, §6.5, §6.8.3: received, signed on time, replied on time, overdue
    (including orders still open and late), extended, hung up, returned, supervised,
    reopened and the callback counts of 住建局, 市政养护中心 and 新华街道 for March 2026."""
    result = assessment.assess(MARCH, now=march.now)
    zjj = _row(result, org.zjj)
    assert zjj.counts == ZJJ
    assert zjj.open_overdue == 4  # B, C twice, and April's F: a snapshot at ``now``
    szyh = _row(result, org.szyh)
    assert szyh.counts["received"] == 1 and szyh.counts["returned"] == 1
    assert sum(szyh.counts.values()) == 2  # its sign-for clock was superseded by the 退单
    street = _row(result, org.street_office)
    assert street.counts["sign_on_time"] == 1 and sum(street.counts.values()) == 1
    # units with nothing to show are left out; the total counts each unit once
    assert {r.unit.pk for r in result.rows} == {org.zjj.pk, org.szyh.pk, org.street_office.pk}
    assert result.total.counts["received"] == 6
    assert result.total.counts["sign_on_time"] == 5
    assert result.total.open_overdue == 4


def test_three_rates_score_rank_and_tier_of_the_hand_counted_month(march, org, sealed):
    """三率 (docs/assessment.md §2): 响应率 4/6, 按时办结率 3/6, 解决率 2/3, 满意率 2/3;
    score 0.2·4/6 + 0.2·3/6 + 0.3·2/3 + 0.3·2/3 = 63.3 → 一般 and first; 新华街道 only signed
    (on time) once → 100 → 优秀 but under the minimum volume (5 orders), so not ranked;
    市政养护中心 has nothing to rate → not ranked."""
    result = assessment.assess(MARCH, now=march.now)
    zjj = _row(result, org.zjj)
    assert zjj.rates == pytest.approx(
        {
            "response_rate": 4 / 6,
            "on_time_rate": 3 / 6,
            "resolution_rate": 2 / 3,
            "satisfaction_rate": 2 / 3,
        }
    )
    assert zjj.score == 63.3
    assert (zjj.tier, zjj.tier_label, zjj.rank, zjj.volume) == ("fair", "一般", 1, 6)
    street = _row(result, org.street_office)
    assert (street.score, street.rank, street.tier_label, street.volume) == (100.0, None, "优秀", 1)
    szyh = _row(result, org.szyh)
    assert (szyh.score, szyh.rank, szyh.tier_label) == (None, None, "—")
    assert [r.unit.pk for r in result.rows] == [org.zjj.pk, org.street_office.pk, org.szyh.pk]


def test_the_minimum_volume_is_a_setting(march, org, sealed, settings):
    """HOTLINE_ASSESSMENT_MIN_ORDERS=1: 新华街道's one order on time ranks it first."""
    settings.HOTLINE_ASSESSMENT_MIN_ORDERS = 1
    result = assessment.assess(MARCH, now=march.now)
    assert [(r.unit.pk, r.rank) for r in result.rows] == [
        (org.street_office.pk, 1),
        (org.zjj.pk, 2),
        (org.szyh.pk, None),
    ]


def test_a_parent_unit_adds_up_its_sub_units(march, org, sealed):
    """Unit tree: 海勃湾区人民政府 with sub-units = 住建局 + 市政养护中心 + 新华街道."""
    result = assessment.assess(MARCH, now=march.now, include_subunits=True, scope=org.district_gov)
    gov = _row(result, org.district_gov)
    assert gov.counts["received"] == 6
    assert gov.counts["returned"] == 1
    assert gov.counts["sign_on_time"] == 5
    assert gov.counts["reply_missed"] == 3
    assert gov.open_overdue == 4
    assert gov.rates["response_rate"] == pytest.approx(5 / 7)


def test_drill_down_returns_exactly_the_orders_counted(march, org, sealed):
    """Every number drills down to the orders behind it: the same rows, the same count."""
    titles = {
        march.a.pk: "A",
        march.b.pk: "B",
        march.c.pk: "C",
        march.d.pk: "D",
        march.e.pk: "E",
        march.f.pk: "F",
    }
    zjj = _row(assessment.assess(MARCH, now=march.now), org.zjj)
    for code, expected in ZJJ_ORDERS.items():
        rows = assessment.drill(code, MARCH, org.zjj, now=march.now)
        got = "".join(sorted(titles[r] for r in rows.values_list("m_order", flat=True)))
        assert got == expected, code
        number = zjj.open_overdue if code == "open_overdue" else zjj.counts[code]
        assert rows.count() == number, code


@pytest.mark.clause("6.5")
def test_a_late_deadline_still_open_counts_as_overdue_before_anything_is_closed(march, org):
    """§6.5: overdue counts the orders still open and already late, not only closed ones —
    on 03-11 C's sign-for (due 03-04) and feedback (due 03-10) are late while open."""
    now = sh(2026, 3, 11, 9, 0)  # before B's extended deadline (03-11 10:00) passes
    result = assessment.assess(Period(date(2026, 3, 1), date(2026, 3, 11)), now=now)
    zjj = _row(result, org.zjj)
    assert zjj.counts["sign_missed"] == 2  # B (signed late) and C (still unsigned)
    assert zjj.counts["reply_missed"] == 1  # C, open
    assert zjj.open_overdue == 2  # C's two running deadlines


def _scored(name: str, score: float | None, volume: int) -> assessment.Row:
    row = assessment.Row(Unit(name=name, path=f"/{name}/"), {"sign_on_time": volume}, 0)
    row.score = score
    return row


def test_ties_share_the_rank_and_are_listed_by_volume_then_name():
    """docs/assessment.md §2: equal scores share a rank (1, 1, 1, 4); among them the unit
    with more orders comes first, then by name; units under the minimum volume follow
    unranked (by score), and units without a score come last."""
    rows = [
        _scored("乙局", 100.0, 6),
        _scored("甲局", 100.0, 6),
        _scored("丙局", 100.0, 40),
        _scored("丁局", 95.0, 80),
        _scored("小站", 100.0, 1),
        _scored("空局", None, 0),
        _scored("少局", 60.0, 4),
    ]
    ranked = assessment.rank_rows(rows, floor=5)
    assert [(r.unit.name, r.rank) for r in ranked] == [
        ("丙局", 1),
        ("乙局", 1),  # 乙 before 甲 in character order
        ("甲局", 1),
        ("丁局", 4),
        ("小站", None),
        ("少局", None),
        ("空局", None),
    ]


def test_competition_ranking_shares_ranks_and_skips():
    """Ties share a rank and the next rank skips (1, 1, 3); unrated units are not ranked."""
    assert competition_ranks([90.0, 90.0, 80.0, None, 70.0]) == [1, 1, 3, None, 4]
    assert competition_ranks([]) == []


def test_rates_without_a_denominator_are_none_and_do_not_weigh_in_the_score():
    assert rate({"resolved": 0, "unresolved": 0}, "resolution_rate") is None
    assert (
        score(
            {
                "response_rate": 1.0,
                "on_time_rate": None,
                "resolution_rate": None,
                "satisfaction_rate": 0.5,
            }
        )
        == 70.0
    )  # (0.2·1 + 0.3·0.5) / 0.5
    assert score(dict.fromkeys(assessment.RATES)) is None


@pytest.mark.parametrize(
    "value,tier",
    [
        (95.0, "优秀"),
        (90.0, "优秀"),
        (89.9, "良好"),
        (80.0, "良好"),
        (60.0, "一般"),
        (59.9, "较差"),
        (None, "—"),
    ],
)
def test_tiers_by_documented_thresholds(value, tier):
    assert tier_of(value)[1] == tier
