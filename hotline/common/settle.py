"""A web process's long-lived objects, set aside from the garbage collector.

A worker holds a few hundred thousand objects that live as long as it does: every view
module the URLconf imports, the segmenter's and the pinyin dictionaries, the classifiers.
Python's full collection walks all of them: ~100 ms, every few dozen requests, inside
whichever request allocated the object that tipped the count (seen at p99 as 170 ms on a
55 ms search, benchmarks/search_scale.py).  ``settle`` loads what the first request would
load, then ``gc.freeze()`` moves everything alive to the permanent generation, which
collections skip; the objects themselves stay where they are.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def settle() -> int:
    """Import the URLconf (every view and API module) and freeze what is alive now;
    returns how many objects were frozen.  Safe to call again after loading more (the
    models' warm-up does)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point
    return freeze()


def freeze() -> int:
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.debug("gc: %d long-lived objects frozen", frozen)
    return frozen
