"""Import and export of entries as Excel workbooks with Chinese headers, so a centre can
bring its existing knowledge base and units can edit offline.

Import is all or nothing: every row is checked (the same ``actions.clean`` as the form) and
if any row has an error nothing is saved and every error is reported as 第 N 行「列」：….
A row whose 编号 names an entry the importer may edit updates it; other rows create
drafts.  When the centre imports, rows marked 已发布 are published at once."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from hotline.common.spreadsheets import escape_formula, unescape_formula
from hotline.knowledge import actions
from hotline.knowledge import queries as q
from hotline.knowledge.choices import STATES
from hotline.knowledge.models import Entry
from hotline.orders.errors import ActionError

# header → (field, column width)
COLUMNS: list[tuple[str, str, int]] = [
    ("编号", "id", 8),
    ("标题", "title", 30),
    ("常见问法", "questions", 40),
    ("关键词", "keywords", 20),
    ("答复口径", "answer", 60),
    ("诉求分类", "category", 16),
    ("责任单位", "owner_unit", 26),
    ("生效日期", "effective_from", 12),
    ("失效日期", "expires_on", 12),
    ("复核日期", "review_on", 12),
    ("状态", "state", 8),
    ("引用次数", "usage_count", 8),
]
REQUIRED = ("标题", "答复口径", "诉求分类", "责任单位")
LABEL_OF = {f: h for h, f, _w in COLUMNS}
MAX_ROWS = 20_000


def export(entries: Iterable[Entry]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "知识库"
    ws.append([h for h, _f, _w in COLUMNS])
    head = PatternFill("solid", fgColor="DDEBF7")
    for i, (_h, _f, width) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = Font(bold=True), head
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for e in entries:
        ws.append(
            [
                escape_formula(value)
                for value in (
                    e.pk,
                    e.title,
                    e.questions,
                    e.keywords,
                    e.answer,
                    e.category.name,
                    e.owner_unit.name,
                    e.effective_from,
                    e.expires_on,
                    e.review_on,
                    e.state_label,
                    e.usage_count,
                )
            ]
        )
        for col in (3, 5):
            ws.cell(row=ws.max_row, column=col).alignment = wrap
        for col in (8, 9, 10):
            ws.cell(row=ws.max_row, column=col).number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    published: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_entries(actor, upload) -> ImportResult:
    """Check every row and save all of them, or none (see the module docstring)."""
    result = ImportResult()
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        result.errors.append("无法读取文件：请上传 Excel 工作簿（.xlsx）")
        return result
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        result.errors.append(f"第1行缺少列：{'、'.join(missing)}（请使用导出的模板）")
        return result
    col = {h: header.index(h) for h, _f, _w in COLUMNS if h in header}
    publish_label = STATES.label("published")
    try:
        with transaction.atomic():
            for n, raw in enumerate(rows, 2):
                if n > MAX_ROWS + 1:
                    result.errors.append(f"一次最多导入 {MAX_ROWS} 行")
                    break
                cells = {
                    h: unescape_formula(raw[i] if i < len(raw) else None) for h, i in col.items()
                }
                if all(_text(v) == "" for v in cells.values()):
                    continue
                values = {
                    f: cells[h]
                    for h, f, _w in COLUMNS
                    if h in cells and f not in ("id", "state", "usage_count")
                }
                pk = _text(cells.get("编号"))
                existing = None
                if pk:
                    existing = Entry.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
                    if existing is None or not q.can_edit(actor, existing):
                        result.errors.append(f"第{n}行「编号」：条目 {pk} 不存在或无权修改")
                        continue
                try:
                    if existing is not None:
                        actions.do_update(existing, actor, values, action="import")
                        result.updated += 1
                    else:
                        entry = actions.do_create(actor, values, action="import")
                        result.created += 1
                        if _text(cells.get("状态")) == publish_label and q.is_centre(actor):
                            actions.do_publish(entry, actor, note="导入时发布")
                            result.published += 1
                except ActionError as exc:
                    for name, message in (exc.fields or {"": exc.message}).items():
                        label = LABEL_OF.get(name, "")
                        result.errors.append(
                            f"第{n}行「{label}」：{message}" if label else f"第{n}行：{message}"
                        )
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = result.updated = result.published = 0
    return result
