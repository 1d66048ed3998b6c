"""Telling linear from super-linear time in tests without a timed assertion that a busy
machine could fail: a run within the limit passes; a slower one passes only if ten times
the text costs at most 40 times the time (linear: 10, quadratic: 100)."""

from __future__ import annotations

import time


def _seconds(run, text: str) -> float:
    start = time.perf_counter()
    run(text)
    return time.perf_counter() - start


def linear(run, text: str, limit: float = 1.0) -> tuple[bool, str]:
    """Within the limit, or growing linearly: ten times the text, at most 40 times the
    time (linear: 10, quadratic: 100).  Best of three, so that one hiccup of a shared
    machine does not decide."""
    elapsed = _seconds(run, text)
    if elapsed <= limit:
        return True, ""
    large = min(elapsed, *(_seconds(run, text) for _ in range(2)))
    if large <= limit:
        return True, ""
    small = min(_seconds(run, text[: len(text) // 10]) for _ in range(3))
    ratio = large / max(small, 1e-6)
    return ratio <= 40, f"{large:.2f} s for {len(text):,}, {small:.3f} s for a tenth (×{ratio:.0f})"
