"""Where the shared measurement material lives: ``shared/`` beside the checkout (with
``data/`` — the public corpora the benchmarks and some tests measure against — and
``spec/``), or wherever ``$HOTLINE_SHARED_DIR`` points.

Found relative to the checkout, never by an absolute path of one machine, and never copied
into the repository.  The product does not use it at run time: benchmarks, scripts and the
tests that measure against real data do (``benchmarks._data``, the ``shared_data`` test
fixture)."""

from __future__ import annotations

import os
from pathlib import Path

ENV = "HOTLINE_SHARED_DIR"
CHECKOUT = Path(__file__).resolve().parents[2]


class SharedMissing(FileNotFoundError):
    """A shared file is not where it was looked for; the message says where and how to
    point at it."""


def shared_dir() -> Path:
    """``$HOTLINE_SHARED_DIR``, else ``../shared`` beside the checkout."""
    env = os.environ.get(ENV)
    return Path(env) if env else CHECKOUT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file or folder under the shared folder, e.g. ``shared_path("data",
    "teddy2020_train.csv")``; raises ``SharedMissing`` with a clear message when absent."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        raise SharedMissing(
            f"{path} not found: the shared data lives in ../shared beside the checkout "
            f"({CHECKOUT.parent / 'shared'}); set {ENV} to the folder that holds data/ and spec/"
        )
    return path


def data_path(name: str = "") -> Path:
    """``shared/data`` or a file in it."""
    return shared_path("data", name) if name else shared_path("data")
