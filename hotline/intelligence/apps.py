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
        from hotline.intelligence import feedback, providers, routing, services
        from hotline.orders import actions
        from hotline.org.models import Area
        from hotline.web import hooks

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

        _register_ui()
        from hotline.demo import build as demo_build
        from hotline.intelligence import demo

        if demo.build not in demo_build.extra_builders:
            demo_build.extra_builders.append(demo.build)
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

    from hotline.intelligence import services

    try:
        services.warm()
    except Exception:  # a missing table before migrate, etc.: first use will load it
        logging.getLogger(__name__).info("model warm-up skipped", exc_info=True)


def _register_ui() -> None:
    """The link / merge / unmerge panels of the order detail page."""
    from hotline.intelligence.forms import DuplicateForm, UnmergeForm
    from hotline.orders import actions as act
    from hotline.web.views import orders as views

    views.ACTION_UI.setdefault(
        "link_duplicate",
        views.UiAction(
            "关联重复工单",
            DuplicateForm,
            lambda o, u, d, r: act.do_link_duplicate(o, u, main=d["main"], reason=d["reason"]),
            "outline-secondary",
            "同一问题的工单互相关联，各自办理（§6.6.3 c）",
        ),
    )
    views.ACTION_UI.setdefault(
        "merge",
        views.UiAction(
            "并单",
            DuplicateForm,
            lambda o, u, d, r: act.do_merge(o, u, main=d["main"], reason=d["reason"]),
            "outline-warning",
            "并入主工单：随主工单办理，主工单答复后仍回访本工单的服务对象（§6.6.3 c）",
        ),
    )
    views.ACTION_UI.setdefault(
        "unmerge",
        views.UiAction(
            "取消并单",
            UnmergeForm,
            lambda o, u, d, r: act.do_unmerge(o, u, reason=d["reason"]),
            "outline-danger",
            "恢复为独立工单，回到受理环节重新提交审核",
        ),
    )
    for name in ("merge", "link_duplicate", "unmerge"):
        if name not in views.PANEL_ORDER:
            views.PANEL_ORDER.insert(views.PANEL_ORDER.index("comment"), name)
