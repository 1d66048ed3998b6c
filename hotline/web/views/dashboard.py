"""领导/管理员: a first dashboard from simple aggregate queries (SPEC §7)."""

from __future__ import annotations

from datetime import date, timedelta

from django.shortcuts import render

from hotline import clock
from hotline.rules.calendar import SHANGHAI
from hotline.web import queries as wq
from hotline.web.views.common import role_required


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@role_required("leader", "reviewer", "supervisor")
def dashboard(request):
    now = clock.now()
    today = now.astimezone(SHANGHAI).date()
    date_to = _date(request.GET.get("to"), today)
    date_from = _date(request.GET.get("from"), date_to - timedelta(days=29))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days > 366:
        date_from = date_to - timedelta(days=366)
    data = wq.dashboard(date_from, date_to, now)
    return render(
        request,
        "web/dashboard.html",
        {"data": data, "date_from": date_from, "date_to": date_to, "charts": data["charts"]},
    )
