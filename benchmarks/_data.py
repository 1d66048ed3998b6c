"""Where the shared measurement data lives (never copied into the repository)."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotline.common.shared import SharedMissing, data_path

REPO = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    """``shared/data`` beside the checkout, or under ``$HOTLINE_SHARED_DIR``
    (``hotline.common.shared``)."""
    try:
        return data_path()
    except SharedMissing as exc:
        raise SystemExit(str(exc)) from None


def read_csv(name: str) -> list[dict[str, str]]:
    with open(shared_data() / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def one_core() -> None:
    """Pin this process to one core, as the latency target is per core."""
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
