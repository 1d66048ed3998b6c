import os
import sys
import threading

from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "hotline.intelligence"
    label = "intelligence"
    verbose_name = "智能辅助"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from hotline.catalog.models import Category
        from hotline.common import hooks
        from hotline.intelligence import feedback, providers, routing, services
        from hotline.orders import actions
        from hotline.org.models import Area

        for lst, fn in (
            (hooks.suggestion_providers, providers.suggestion_provider),
            (hooks.duplicate_providers, providers.duplicate_provider),
            (hooks.unit_suggestion_providers, providers.unit_provider),
            (actions.after_commit_hooks, routing.on_action),
            (actions.after_commit_hooks, feedback.on_action),
        ):
            if fn not in lst:
                lst.append(fn)

        def areas_changed(**kwargs):
            services.invalidate("gazetteer", "areas")

        def categories_changed(**kwargs):
            services.invalidate("categories")

        for signal in (post_save, post_delete):
            signal.connect(areas_changed, sender=Area, dispatch_uid="intel-areas")
            signal.connect(categories_changed, sender=Category, dispatch_uid="intel-categories")

        # Web worker processes (gunicorn's, as `hotline run` starts them, or runserver) load
        # the models now, in the background, so the first call does not pay for it
        # (docs/intelligence.md: cost figures).  The supervising `hotline run` process and
        # the task worker never suggest anything and skip it.
        argv = " ".join(sys.argv[:2])
        if os.environ.get("HOTLINE_WARM_MODELS") == "1" or any(
            w in argv for w in ("gunicorn", "runserver")
        ):
            threading.Thread(target=_warm_quietly, name="hotline-warm", daemon=True).start()


def _warm_quietly() -> None:
    import logging

    from hotline.common.settle import freeze
    from hotline.intelligence import services

    try:
        services.warm()
    except Exception:  # a missing table before migrate, etc.: first use will load it
        logging.getLogger(__name__).info("model warm-up skipped", exc_info=True)
    else:
        freeze()  # the models live as long as the process: out of the collector's way
