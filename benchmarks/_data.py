"""Where the shared measurement data lives (never copied into the repository)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    """``$HOTLINE_SHARED_DATA``, else the first existing ``shared/data`` beside the repo."""
    env = os.environ.get("HOTLINE_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "data", REPO.parents[1] / "shared" / "data"]
    candidates.append(Path("/work/shared/data"))
    for c in candidates:
        if c.is_dir():
            return c
    raise SystemExit("shared data not found: set HOTLINE_SHARED_DATA")


def read_csv(name: str) -> list[dict[str, str]]:
    with open(shared_data() / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def one_core() -> None:
    """Pin this process to one core, as the latency target is per core."""
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
