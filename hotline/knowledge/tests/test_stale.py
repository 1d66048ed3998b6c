"""Entries past their review date: listed for their owner and counted in the unit's
assessment (§4.2 c)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from hotline.analytics import assessment
from hotline.analytics.periods import Period
from hotline.knowledge import actions
from hotline.knowledge.tests.conftest import LAMP

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 2026-03-10 10:00 Shanghai


def entries(make_entry):
    """住建局: two past review (one a draft), one due later, one expired past review;
    养护中心: one past review."""
    make_entry(title="维修资金A", review_on=date(2026, 3, 9))
    make_entry("draft", title="维修资金B", review_on=date(2026, 1, 1))
    make_entry(title="维修资金C", review_on=date(2026, 3, 10))  # due today: not yet stale
    make_entry("expired", title="维修资金D", review_on=date(2025, 1, 1))
    make_entry(**LAMP, review_on=date(2026, 2, 1))


@pytest.mark.clause("4.2")
def test_owner_sees_its_stale_entries_and_not_others(make_entry, clerk, district_clerk, web):
    with time_machine.travel(NOW, tick=False):
        entries(make_entry)
        page = web(clerk).get("/knowledge/stale/").content.decode()
        assert "维修资金A" in page and "维修资金B" in page
        assert "维修资金C" not in page and "维修资金D" not in page and "路灯" not in page
        # the district government sees its sub-units' entries; asking for another unit
        # than its own subtree falls back to its own
        page = web(district_clerk).get("/knowledge/stale/").content.decode()
        assert "维修资金A" in page and "路灯不亮报修渠道" in page
        assert "路灯" not in web(clerk).get("/knowledge/stale/?unit=t-hbw-szyh").content.decode()


def test_stale_count_is_a_column_of_the_unit_assessment(make_entry, org, supervisor, web):
    with time_machine.travel(NOW, tick=False):
        entries(make_entry)
        result = assessment.assess(Period.month(2026, 3))
        by_unit = {r.unit.code: r for r in result.rows}
        assert by_unit["t-hbw-zjj"].extra == {"knowledge_stale": 2}
        assert by_unit["t-hbw-szyh"].extra == {"knowledge_stale": 1}
        assert result.total.extra == {"knowledge_stale": 3}
        assert by_unit["t-hbw-zjj"].score is None  # shown, not scored

        summed = assessment.assess(Period.month(2026, 3), include_subunits=True)
        gov = {r.unit.code: r for r in summed.rows}["t-hbw-gov"]
        assert gov.extra == {"knowledge_stale": 3}

        page = web(supervisor).get("/analytics/assessment/?month=2026-03").content.decode()
        assert "知识待复核" in page
        assert 'href="/knowledge/stale/?unit=t-hbw-zjj" data-cell="knowledge_stale">2<' in page

        r = web(supervisor).get("/api/v1/analytics/assessment.xlsx?month=2026-03")
        ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
        rows = list(ws.iter_rows(values_only=True))
        col = rows[0].index("知识待复核")
        zjj = next(row for row in rows if row[1] == "海勃湾区住房和城乡建设局")
        assert zjj[col] == 2


def test_reviewing_an_entry_takes_it_off_the_stale_list(make_entry, clerk):
    from hotline.knowledge import queries as q

    with time_machine.travel(NOW, tick=False):
        entry = make_entry(review_on=date(2026, 3, 1))
        assert q.stale_counts(NOW) == {clerk.unit_id: 1}
        actions.do_update(entry, clerk, {"review_on": date(2026, 9, 1)})
        assert q.stale_counts(NOW) == {}
