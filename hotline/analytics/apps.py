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
