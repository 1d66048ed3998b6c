from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """The knowledge base (§4.2 c): plugs itself into the workbench, the intake form, the
    unit assessment and the demo — the core knows nothing about it."""

    name = "hotline.knowledge"
    label = "knowledge"
    verbose_name = "知识库"

    def ready(self) -> None:
        from hotline.analytics import assessment
        from hotline.demo import build
        from hotline.knowledge import demo, hooks, queries
        from hotline.web import hooks as web_hooks
        from hotline.web.nav import ALL_STAFF, NAV, NavItem

        web_hooks.KNOWLEDGE_SEARCH_URL = "knowledge:suggest"
        if hooks.link_entry not in web_hooks.direct_close_hooks:
            web_hooks.direct_close_hooks.append(hooks.link_entry)

        centre = frozenset({"admin", "supervisor"})
        items = [
            NavItem("knowledge", "知识库", "knowledge:search", ALL_STAFF, "k"),
            NavItem("knowledge_review", "知识审核", "knowledge:moderation", centre),
            NavItem("knowledge_stale", "待复核知识", "knowledge:stale", centre | {"unit"}),
        ]
        known = {n.key for n in NAV}
        NAV.extend(n for n in items if n.key not in known)

        if not any(c.code == "knowledge_stale" for c in assessment.EXTRA_COLUMNS):
            assessment.EXTRA_COLUMNS.append(
                assessment.ExtraColumn(
                    "knowledge_stale",
                    "知识待复核",
                    "本单位负责、已过复核日期仍未失效的知识条目数（§4.2 c），不计入得分",
                    queries.stale_counts,
                    "knowledge:stale",
                )
            )
        if demo.reset not in build.reset_hooks:
            build.reset_hooks.append(demo.reset)
        if demo.build not in build.extra_builders:
            build.extra_builders.append(demo.build)
