"""Sortable list columns: ``?sort=KEY`` or ``?sort=-KEY`` on 工单查询 and the queues.

Only the keys of ``SORTS`` are accepted (each one an indexed or cheap column of
``WorkOrder``); anything else is a 400 naming the keys, never an ``order_by`` of what the
client typed.  Every order ends with ``id`` so pages never overlap.
"""

from __future__ import annotations

from django.db.models import F, QuerySet

from hotline.common.http import InvalidParameter
from hotline.orders import queries as oq
from hotline.orders.models import WorkOrder

# key -> (column header, field)
SORTS: dict[str, tuple[str, str]] = {
    "number": ("工单编号", "number"),
    "state": ("状态", "state"),
    "urgency": ("紧急程度", "urgency"),
    "unit": ("主办单位", "lead_unit__name"),
    "due": ("截止", "next_due_at"),
    "created": ("登记时间", "created_at"),
    "reminders": ("催办次数", "reminder_count"),
}


def sort_param(request) -> str:
    """The list's ``sort`` parameter ("" when absent): a key of ``SORTS``, optionally with
    a leading ``-`` for descending."""
    raw = request.GET.get("sort", "").strip()
    if raw and raw.removeprefix("-") not in SORTS:
        keys = "、".join(SORTS)
        raise InvalidParameter(f"参数 sort（排序）须为 {keys} 之一，可加前缀 - 表示倒序")
    return raw


def apply(qs: QuerySet[WorkOrder], sort: str) -> QuerySet[WorkOrder]:
    """``qs`` ordered by ``sort`` (a value of ``sort_param``); unchanged when empty."""
    if not sort:
        return qs
    key = sort.removeprefix("-")
    field = SORTS[key][1]
    if key == "due" and "next_due_at" not in qs.query.annotations:
        qs = oq.next_due(qs)
    expr = F(field)
    first = expr.desc(nulls_last=True) if sort.startswith("-") else expr.asc(nulls_last=True)
    return qs.order_by(first, "-id" if sort.startswith("-") else "id")
