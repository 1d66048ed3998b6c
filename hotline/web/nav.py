"""The workbench navigation, built from one list.

Every page of the workbench, the other apps' included, is listed here by URL name, so a
new page needs one line and no template change.

``ROLE_HOME`` says which page a role lands on after login.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

ALL_STAFF = frozenset({"agent", "reviewer", "unit", "supervisor", "callback", "admin", "leader"})
# The centre's own staff (everyone but the handling units).
CENTRE = ALL_STAFF - {"unit"}
# Who reads the leaders' analytics (agents and callback staff work their queues instead).
ANALYSTS = frozenset({"leader", "admin", "reviewer", "supervisor"})


@dataclass(frozen=True)
class NavItem:
    """One entry of the side navigation.  ``url`` is a URL name (or a path starting with
    ``/``); ``roles`` are the effective roles that see it; ``hotkey`` is the digit or letter
    pressed with Alt to jump there (listed in the shortcut help)."""

    key: str
    label: str
    url: str
    roles: frozenset[str] = field(default=ALL_STAFF)
    hotkey: str = ""
    external: bool = False

    def href(self) -> str:
        if self.url.startswith("/"):
            return self.url
        try:
            return reverse(self.url)
        except NoReverseMatch:
            return ""


NAV: list[NavItem] = [
    NavItem("intake", "登记工单", "web:intake", frozenset({"agent", "admin"}), "n"),
    NavItem("intake_queue", "受理队列", "web:intake_queue", frozenset({"agent", "admin"}), "q"),
    NavItem("review", "审核派转", "web:review", frozenset({"reviewer", "admin"}), "r"),
    NavItem("inbox", "本单位工单", "web:inbox", frozenset({"unit"}), "i"),
    NavItem(
        "supervision",
        "督办看板",
        "web:supervision",
        frozenset({"supervisor", "admin", "leader"}),
        "b",
    ),
    NavItem("callbacks", "回访", "web:callbacks", frozenset({"callback", "admin"}), "c"),
    NavItem("orders", "工单查询", "web:orders", ALL_STAFF, "o"),
    # 考核与分析 (hotline.analytics)
    NavItem("analytics", "数据看板", "analytics:dashboard", ANALYSTS, "d"),
    NavItem("assessment", "单位考核", "analytics:assessment", ANALYSTS | {"unit"}),
    NavItem("hotspots", "集中诉求", "analytics:hotspots", ANALYSTS),
    NavItem("report", "月度报告", "analytics:report", ANALYSTS),
    NavItem("wall", "大屏", "analytics:wall", ANALYSTS),
    # 知识库 (hotline.knowledge)
    NavItem("knowledge", "知识库", "knowledge:search", ALL_STAFF, "k"),
    NavItem(
        "knowledge_review", "知识审核", "knowledge:moderation", frozenset({"admin", "supervisor"})
    ),
    NavItem(
        "knowledge_stale",
        "待复核知识",
        "knowledge:stale",
        frozenset({"admin", "supervisor", "unit"}),
    ),
    NavItem("admin", "管理后台", "/admin/", frozenset({"admin"}), external=True),
]

# Where each role lands after login (a URL name).
ROLE_HOME: dict[str, str] = {
    "agent": "web:intake",
    "reviewer": "web:review",
    "unit": "web:inbox",
    "supervisor": "web:supervision",
    "callback": "web:callbacks",
    "leader": "analytics:dashboard",
    "admin": "analytics:dashboard",
}


def items_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    role = user.effective_role
    return [item for item in NAV if role in item.roles]


def home_url(user) -> str:
    return reverse(ROLE_HOME.get(user.effective_role, "web:orders"))
