"""The admin, in Chinese, with the centre's warnings on its front page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from hotline import clock


class HotlineAdminSite(admin.AdminSite):
    site_header = "12345 热线管理后台"
    site_title = "12345 热线"
    index_title = "系统配置"

    def each_context(self, request):
        context = super().each_context(request)
        context["hotline_warnings"] = warnings()
        return context


def warnings() -> list[str]:
    """Things an administrator must act on, shown on every admin page."""
    # imported here: this module is loaded with the app registry, before any model
    from hotline.calendars.services import missing_next_year, today_in_shanghai
    from hotline.demo import detect

    out = []
    if not settings.HOTLINE_DEMO_ALLOWED:
        demo = detect.demo_data()
        if demo.present:
            out.append(detect.WARNING.format(what=demo.describe()))
    year = missing_next_year(today_in_shanghai(clock.now()))
    if year:
        out.append(
            f"{year} 年的节假日与调休安排尚未录入：跨入 {year} 年的时限暂按周末计算并标注为“暂定”。"
            f"国务院办公厅公布后请在“工作日历”中录入。"
        )
    return out


class HotlineAdminConfig(AdminConfig):
    default_site = "hotline.admin_site.HotlineAdminSite"
