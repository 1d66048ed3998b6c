"""``/dashboard/``: the leaders' one dashboard is 数据看板 (``hotline.analytics``, its
figures summed from the daily roll-ups by ``hotline.analytics.metrics``); this address
stays for bookmarks and sends there."""

from __future__ import annotations

from django.shortcuts import redirect

from hotline.web.views.common import role_required


@role_required("leader", "reviewer", "supervisor")
def dashboard(request):
    return redirect("analytics:dashboard")
