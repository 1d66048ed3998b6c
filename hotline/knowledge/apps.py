from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """The knowledge base (§4.2 c): plugs itself into the intake form and the unit
    assessment — the core knows nothing about it."""

    name = "hotline.knowledge"
    label = "knowledge"
    verbose_name = "知识库"

    def ready(self) -> None:
        from hotline.analytics import assessment
        from hotline.common import hooks as web_hooks
        from hotline.knowledge import hooks, queries

        web_hooks.KNOWLEDGE_SEARCH_URL = "knowledge:suggest"
        if hooks.link_entry not in web_hooks.direct_close_hooks:
            web_hooks.direct_close_hooks.append(hooks.link_entry)

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
