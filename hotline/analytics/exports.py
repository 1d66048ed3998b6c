"""xlsx exports with Chinese headers, written in constant memory and streamed.

XlsxWriter's ``constant_memory`` mode flushes each row to a temporary file as it is
written, and the rows come from the database in chunks (``iterator``), so a million-row
export holds one chunk in memory, not the sheet.  The workbook is assembled into an
anonymous temporary file that ``FileResponse`` streams and deletes when it is closed.
Citizens' names and phone numbers are not exported, and personal data typed into the
titles and addresses is masked (``hotline.rules.pii``) — unless a centre user asks for the
personal columns with a purpose, which writes one access-log row per order (PIPL Art. 51;
``order_rows(personal=True)``, the API's ``orders.xlsx?personal=true``).  Text that a
spreadsheet would run as a formula is written as text (``common.spreadsheets``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO, Any
from urllib.parse import quote

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse

from hotline.common.spreadsheets import escape_formula
from hotline.orders.models import WorkOrder
from hotline.org.models import Unit
from hotline.rules import lifecycle, pii, taxonomy
from hotline.rules.calendar import SHANGHAI

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_575  # an xlsx sheet has 1,048,576 rows, one of them the header

ORDER_COLUMNS: list[tuple[str, str, int]] = [
    ("number", "工单编号", 16),
    ("created_at", "登记时间", 17),
    ("state", "状态", 10),
    ("channel", "诉求来源", 10),
    ("appeal_type", "诉求类型", 8),
    ("domain", "归口分类", 10),
    ("urgency", "紧急程度", 8),
    ("title", "诉求问题", 30),
    ("address", "发生地址", 30),
    ("lead_unit_id", "主办单位", 24),
    ("dispatched_at", "派转时间", 17),
    ("signed_at", "签收时间", 17),
    ("replied_at", "答复时间", 17),
    ("closed_at", "办结时间", 17),
    ("reminder_count", "催办次数", 8),
    ("supervised_at", "进入督办时间", 17),
    ("reopen_count", "重办次数", 8),
]
_LABELS = {
    "state": lifecycle.STATES,
    "channel": taxonomy.CHANNELS,
    "appeal_type": taxonomy.APPEAL_TYPES,
    "domain": taxonomy.DOMAINS,
    "urgency": taxonomy.URGENCY,
}


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(SHANGHAI).replace(tzinfo=None) if value else None


def write_sheet(
    out: IO[bytes],
    title: str,
    headers: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Write one sheet (header row frozen) into ``out``; returns the data rows written.
    Datetimes become Excel dates in Shanghai time."""
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet(title[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    pct = wb.add_format({"num_format": "0.0%"})
    for col, (name, width) in enumerate(headers):
        ws.set_column(col, col, width)
        ws.write_string(0, col, name, bold)
    ws.freeze_panes(1, 0)
    n = 0
    for n, row in enumerate(rows, 1):
        if n > MAX_ROWS:
            n -= 1
            break
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                ws.write_datetime(n, col, value, when)
            elif isinstance(value, float) and headers[col][0].endswith("率"):
                ws.write_number(n, col, value, pct)
            elif isinstance(value, (int, float)):
                ws.write_number(n, col, value)
            else:
                ws.write_string(n, col, escape_formula(str(value)))
    wb.close()
    return n


PERSONAL_COLUMNS: list[tuple[str, str, int]] = [
    ("citizen_name", "姓名", 10),
    ("citizen_phone", "联系电话", 14),
    ("citizen_address", "联系地址", 30),
]
_MASKED_TEXTS = {"title", "address"}


def order_rows(
    qs: QuerySet[WorkOrder],
    chunk: int = 5000,
    *,
    personal: bool = False,
    seen: list[int] | None = None,
) -> Iterable[list[Any]]:
    """The export's rows for an order queryset, fetched in chunks.  Without ``personal``,
    personal data in the titles and addresses is masked; with it, the citizen columns are
    added and nothing is masked, and the id of every order written is appended to ``seen``
    (for the access log)."""
    units = dict(Unit.objects.values_list("pk", "name"))
    fields = [c for c, _, _ in ORDER_COLUMNS]
    citizen = [c for c, _, _ in PERSONAL_COLUMNS]
    labels = {k: dict(v.choices()) for k, v in _LABELS.items()}
    rows = qs.order_by("-created_at", "-id").values_list("pk", *fields, *citizen)
    for pk, *values in rows.iterator(chunk_size=chunk):
        known = pii.Known(*values[len(fields) :], place=values[fields.index("address")] or "")
        row: list[Any] = []
        for name, value in zip(fields, values[: len(fields)], strict=True):
            if name in labels:
                value = labels[name].get(value, value)
            elif name == "lead_unit_id":
                value = units.get(value, "")
            elif isinstance(value, datetime):
                value = _local(value)
            elif name in _MASKED_TEXTS and not personal:
                value = pii.mask_text(value, known=known)
            row.append(value)
        if personal:
            row.extend(values[len(fields) :])
            if seen is not None:
                seen.append(pk)
        yield row


def order_headers(*, personal: bool = False) -> list[tuple[str, int]]:
    columns = ORDER_COLUMNS + (PERSONAL_COLUMNS if personal else [])
    return [(label, width) for _, label, width in columns]


def xlsx_response(
    filename: str,
    title: str,
    headers: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Any]],
) -> FileResponse:
    """Build the workbook in a temporary file and stream it; the file disappears when the
    response is closed."""
    tmp = tempfile.TemporaryFile()
    write_sheet(tmp, title, headers, rows)
    tmp.seek(0)
    response = FileResponse(tmp, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def assessment_headers() -> list[tuple[str, int]]:
    from hotline.analytics.assessment import EXTRA_COLUMNS, RATES
    from hotline.analytics.metrics import METRICS, OPEN_OVERDUE_LABEL

    return [
        ("排名", 6),
        ("单位", 30),
        ("考核得分", 9),
        ("等次", 8),
        *[(RATES[c][0], 10) for c in RATES],
        *[(m.label, 9) for m in METRICS.values()],
        (OPEN_OVERDUE_LABEL, 12),
        *[(c.label, 12) for c in EXTRA_COLUMNS],
    ]


def assessment_rows(result) -> Iterable[list[Any]]:
    from hotline.analytics.assessment import EXTRA_COLUMNS, RATES
    from hotline.analytics.metrics import METRICS

    for r in [*result.rows, result.total]:
        yield [
            r.rank if r is not result.total else "",
            r.unit.name,
            r.score,
            r.tier_label,
            *[r.rates.get(c) for c in RATES],
            *[r.counts.get(c, 0) for c in METRICS],
            r.open_overdue,
            *[r.extra.get(c.code, 0) for c in EXTRA_COLUMNS],
        ]
