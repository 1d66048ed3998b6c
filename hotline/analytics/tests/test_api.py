"""The analytics API: the same numbers as the assessment, drill-down lists that add up,
xlsx exports with Chinese headers, unit users limited to their own subtree (§4.1 b)."""

from __future__ import annotations

import io

import openpyxl
import pytest
import time_machine

from hotline.analytics.tests.test_assessment import ZJJ


@pytest.fixture
def at_month_end(march):
    with time_machine.travel(march.now, tick=False):
        yield march


@pytest.mark.clause("4.1")
def test_leader_reads_the_hand_counted_month_and_drills_into_every_number(
    as_, leader, org, at_month_end
):
    """§4.1 b: a leader sees 住建局's counters and can open the orders behind each one."""
    api = as_(leader)
    body = api.ok("get", "/analytics/assessment?month=2026-03")
    zjj = next(r for r in body["rows"] if r["unit"]["id"] == org.zjj.pk)
    assert zjj["counts"] == ZJJ
    assert zjj["score"] == 63.3 and zjj["rank"] == 1 and zjj["tier"]["label"] == "一般"
    assert zjj["volume"] == 6
    assert zjj["rates"]["response_rate"] == pytest.approx(4 / 6)
    for code, n in [*ZJJ.items(), ("open_overdue", 4)]:
        r = api.get("/analytics/assessment/orders", metric=code, unit=org.zjj.code, month="2026-03")
        assert r.status_code == 200, r.content
        assert r.json()["count"] == n == len(r.json()["items"]), code


@pytest.mark.clause("4.2")
def test_a_unit_user_sees_only_its_own_subtree(as_, clerk, org, at_month_end):
    """SPEC §1: 住建局's clerk sees 住建局, not 市政养护中心."""
    api = as_(clerk)
    body = api.ok("get", "/analytics/assessment?month=2026-03")
    assert [r["unit"]["id"] for r in body["rows"]] == [org.zjj.pk]
    r = api.get("/analytics/assessment", month="2026-03", unit=org.szyh.code)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert api.get("/analytics/dashboard").status_code == 403


def test_bad_period_is_a_chinese_field_error(as_, leader, org):
    r = as_(leader).get("/analytics/assessment", month="2026-13")
    assert r.status_code == 422
    assert r.json()["fields"]["month"] == "月份格式应为 YYYY-MM"
    r = as_(leader).get("/analytics/assessment", start="2026-03-10", end="2026-03-01")
    assert r.json()["fields"]["start"] == "结束日期不能早于开始日期"


def _sheet(response) -> list[list]:
    content = b"".join(response.streaming_content)
    ws = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_assessment_and_order_exports_have_chinese_headers(as_, leader, org, at_month_end):
    """Exportable to xlsx (SPEC §7): the assessment table and the filtered order list."""
    api = as_(leader)
    r = api.get("/analytics/assessment.xlsx", month="2026-03")
    assert r.status_code == 200
    rows = _sheet(r)
    assert rows[0][:4] == ["排名", "单位", "考核得分", "等次"]
    zjj = next(row for row in rows if row[1] == org.zjj.name)
    assert zjj[0] == 1 and zjj[2] == 63.3 and zjj[3] == "一般"
    assert rows[-1][1] == "合计"
    r = api.get("/analytics/orders.xlsx", unit=org.zjj.code)
    rows = _sheet(r)
    assert rows[0][:3] == ["工单编号", "登记时间", "状态"]
    assert "姓名" not in rows[0] and "联系电话" not in rows[0]  # PIPL
    assert {row[7][0] for row in rows[1:]} == set("ABCDEF")  # titles start with the letter
    r = api.get(
        "/analytics/assessment/orders.xlsx",
        metric="reply_missed",
        unit=org.zjj.code,
        month="2026-03",
    )
    assert sorted(row[7][0] for row in _sheet(r)[1:]) == ["B", "C"]  # B counted twice, one row


def test_dashboard_counts_volume_by_dimension_and_trends(as_, leader, org, at_month_end):
    body = as_(leader).ok("get", "/analytics/dashboard?month=2026-03")
    assert body["registered"] == 4  # A B C D created in March (E February, F April)
    assert {x["name"]: x["value"] for x in body["by"]["channel"]} == {"热线电话": 4}
    assert sum(x["value"] for x in body["by"]["hour"]) == 4
    assert body["rates"]["satisfaction_rate"] == pytest.approx(66.7)
    assert len(body["trend"]) == 31
    assert sum(d["registered"] for d in body["trend"]) == 4


@pytest.mark.clause("4.2")
def test_a_concentrated_issue_is_handed_to_a_unit_with_a_timeline(
    as_, leader, clerk, org, at_month_end
):
    """§4.2 b: the centre hands a group of appeals to a unit as a long-term matter; the
    unit takes it on and reports it fixed; the centre closes it."""
    a, b = at_month_end.a, at_month_end.b
    body = as_(leader).ok(
        "post",
        "/analytics/matters",
        {"title": "康乐小区房屋漏水集中反映", "unit": org.zjj.code, "orders": [a.number, b.number]},
        status=201,
    )
    assert body["state"]["code"] == "open" and body["orders"] == [a.number, b.number]
    r = as_(clerk).post(f"/analytics/matters/{body['id']}/progress", {"state": "closed"})
    assert r.status_code == 409
    as_(clerk).ok("post", f"/analytics/matters/{body['id']}/progress", {"state": "in_progress"})
    r = as_(clerk).post(f"/analytics/matters/{body['id']}/progress", {"state": "resolved"})
    assert r.status_code == 422 and "note" in r.json()["fields"]
    as_(clerk).ok(
        "post",
        f"/analytics/matters/{body['id']}/progress",
        {"state": "resolved", "note": "已完成屋面防水改造"},
    )
    r = as_(clerk).post(f"/analytics/matters/{body['id']}/progress", {"state": "closed"})
    assert r.status_code == 403
    done = as_(leader).ok(
        "post", f"/analytics/matters/{body['id']}/progress", {"state": "closed", "note": "核查属实"}
    )
    assert [e["to"] for e in done["timeline"]] == ["open", "in_progress", "resolved", "closed"]
    r = as_(leader).post("/analytics/matters", {"title": "", "unit": "nope", "orders": ["x"]})
    assert r.status_code == 422 and set(r.json()["fields"]) == {"title", "unit", "orders"}
