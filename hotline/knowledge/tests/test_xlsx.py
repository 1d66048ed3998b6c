"""Excel import/export: the exported sheet imports back unchanged; a file with any bad row
saves nothing and says which row and column is wrong."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from hotline.knowledge import xlsx
from hotline.knowledge.models import Entry, EntryVersion
from hotline.knowledge.tests.conftest import LAMP

HEADERS = [
    "编号",
    "标题",
    "常见问法",
    "答复口径",
    "诉求分类",
    "责任单位",
    "生效日期",
    "复核日期",
    "状态",
]


def sheet(rows: list[list]) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("知识库.xlsx", out.getvalue())


def test_export_then_import_round_trip_updates_in_place(make_entry, supervisor, web):
    fund = make_entry()
    lamp = make_entry(**LAMP)
    r = web(supervisor).get("/knowledge/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "标题", "常见问法", "关键词", "答复口径")
    assert {row[1] for row in rows[1:]} == {fund.title, lamp.title}
    before = EntryVersion.objects.count()

    # unchanged file: nothing to update, no new versions
    result = xlsx.import_entries(supervisor, io.BytesIO(r.content))
    assert result.ok and result.created == 0 and result.updated == 2
    assert EntryVersion.objects.count() == before

    # one answer edited offline
    for row in ws.iter_rows(min_row=2):
        if row[0].value == fund.pk:
            row[4].value = "新的答复口径：先业主表决，再向区住建局申请。"
    out = io.BytesIO()
    ws.parent.save(out)
    out.seek(0)
    result = xlsx.import_entries(supervisor, out)
    assert result.ok, result.errors
    fund.refresh_from_db()
    assert fund.answer.startswith("新的答复口径") and Entry.objects.count() == 2
    assert fund.versions.first().action == "import"


def test_import_creates_drafts_for_units_and_publishes_for_the_centre(clerk, supervisor):
    row = [
        "",
        "维修资金查询",
        "维修资金余额怎么查",
        "登录住建局公众号查询。",
        "房屋维修",
        "海勃湾区住房和城乡建设局",
        "2026-01-01",
        "2026-12-31",
        "已发布",
    ]
    assert xlsx.import_entries(clerk, sheet([row])).created == 1
    assert Entry.objects.get().state == "draft"  # a unit cannot publish by import
    result = xlsx.import_entries(supervisor, sheet([row]))
    assert result.ok and result.published == 1
    assert Entry.objects.filter(state="published").count() == 1


def test_one_bad_row_saves_nothing_and_every_error_names_row_and_column(clerk, web):
    good = [
        "",
        "维修资金查询",
        "",
        "登录住建局公众号查询。",
        "房屋维修",
        "海勃湾区住房和城乡建设局",
        "2026-01-01",
        "",
        "",
    ]
    rows = [
        good,
        ["", "", "", "", "房屋维修", "海勃湾区住房和城乡建设局", "", "", ""],
        ["", "路灯", "", "找养护中心", "路灯照明", "海勃湾区市政养护中心", "2026-13-01", "", ""],
        ["", "火星", "", "无", "火星事务", "海勃湾区住房和城乡建设局", "", "", ""],
        ["999", "不存在的", "", "无", "房屋维修", "海勃湾区住房和城乡建设局", "", "", ""],
    ]
    result = xlsx.import_entries(clerk, sheet(rows))
    assert not result.ok and result.created == 0
    assert result.errors == [
        "第3行「标题」：标题为必填项",
        "第3行「答复口径」：答复口径为必填项",
        "第4行「责任单位」：只能维护本单位及下级单位的知识条目",
        "第4行「生效日期」：生效日期格式应为 年-月-日，例如 2026-01-31",
        "第5行「诉求分类」：诉求分类不存在",
        "第6行「编号」：条目 999 不存在或无权修改",
    ]
    assert not Entry.objects.exists() and not EntryVersion.objects.exists()

    r = web(clerk).post("/knowledge/import/", {"file": sheet(rows)})
    assert r.status_code == 422
    page = r.content.decode()
    assert "没有保存任何条目" in page and "第4行「生效日期」" in page
    assert not Entry.objects.exists()

    r = web(clerk).post("/knowledge/import/", {"file": sheet([good])})
    assert r.status_code == 302 and Entry.objects.count() == 1


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_refused(clerk):
    bad = xlsx.import_entries(clerk, SimpleUploadedFile("x.xlsx", b"not a workbook"))
    assert bad.errors == ["无法读取文件：请上传 Excel 工作簿（.xlsx）"]
    wb = Workbook()
    wb.active.append(["标题", "答复口径"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    assert xlsx.import_entries(clerk, out).errors == [
        "第1行缺少列：诉求分类、责任单位（请使用导出的模板）"
    ]
