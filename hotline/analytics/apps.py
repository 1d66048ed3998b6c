from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "hotline.analytics"
    label = "analytics"
    verbose_name = "考核与分析"

    def ready(self) -> None:
        # ``hotline run`` starts the roll-up loop beside the web server, so sealed days are
        # summed from the roll-up and only the unsealed hours since are counted live.
        from hotline.analytics.rollup import rollup_process
        from hotline.system.management.commands import run

        if rollup_process not in run.EXTRA_PROCESSES:
            run.EXTRA_PROCESSES.append(rollup_process)

        from hotline.web.nav import NAV, NavItem

        centre = frozenset({"leader", "admin", "reviewer", "supervisor", "callback", "agent"})
        items = [
            NavItem("analytics", "数据看板", "analytics:dashboard", centre),
            NavItem("assessment", "单位考核", "analytics:assessment", centre | {"unit"}),
            NavItem("hotspots", "集中诉求", "analytics:hotspots", centre),
            NavItem("report", "月度报告", "analytics:report", centre),
            NavItem("wall", "大屏", "analytics:wall", centre),
        ]
        known = {n.key for n in NAV}
        NAV.extend(n for n in items if n.key not in known)
