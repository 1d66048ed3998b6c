"""A web worker sets its long-lived objects aside from the garbage collector (settle)."""

from __future__ import annotations

import gc
import importlib
import sys

from hotline.common import settle


def test_loading_the_wsgi_app_imports_every_view_and_freezes_what_is_alive():
    gc.unfreeze()
    sys.modules.pop("hotline.wsgi", None)
    try:
        importlib.import_module("hotline.wsgi")
        frozen = gc.get_freeze_count()
        # the whole app (Django, every view module, the dictionaries) is set aside; what a
        # full collection still walks is a small remainder
        assert frozen > 50_000
        assert len(gc.get_objects()) < frozen / 5
        assert "hotline.web.views.orders" in sys.modules and "hotline.api.main" in sys.modules
    finally:
        gc.unfreeze()


def test_freeze_after_a_warm_up_sets_aside_what_it_loaded():
    gc.unfreeze()
    try:
        settle.freeze()
        before = gc.get_freeze_count()
        loaded = [[i] for i in range(20_000)]  # what a warm-up would keep for good
        assert settle.freeze() >= before + 20_000
        walked = {id(o) for o in gc.get_objects()}  # what a collection looks at
        assert id(loaded[0]) not in walked and id(loaded[-1]) not in walked
    finally:
        gc.unfreeze()
