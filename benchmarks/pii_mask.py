"""Masking personal data in free text (``hotline.rules.pii``): throughput on real appeals and
the worst case on hostile text.

Real text: the bodies of ``teddy2020_hot.csv`` (public message-board appeals), masked for a
unit (``partial``) and for the public (``redact``).  Hostile text: 100,000-character strings
built to make a backtracking engine stall (the old Open311 e-mail pattern needed 2.3 s for
20,000 letters, and quadratic patterns grow 100-fold from 10,000 to 100,000); here each
stays around a second or less.

Run: ``python benchmarks/pii_mask.py``; the last line is one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import one_core, read_csv
from hotline.rules import pii

N = 100_000
HOSTILE = {
    "letters": "a" * N,
    "almost emails": "a@b." * (N // 4),
    "spaced digits": "1 " * (N // 2),
    "alternating scripts": "1一" * (N // 2),
    "phones": "13905555555 " * (N // 12),
    "phone cues": "电话1" * (N // 3),
    "name cues": "我叫王" * (N // 3),
}


def main() -> None:
    one_core()
    bodies = [r.get("留言详情") or r.get("body") or "" for r in read_csv("teddy2020_hot.csv")]
    chars = sum(len(b) for b in bodies)
    out: dict[str, object] = {"appeals": len(bodies), "chars": chars}
    for style in ("partial", "redact"):
        started = time.perf_counter()
        found = sum(len(pii.find(b, names_and_homes=style == "redact")) for b in bodies)
        for b in bodies:
            pii.mask_text(b, style=style)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        out[f"{style}_chars_per_second"] = round(chars / seconds)
        out[f"{style}_findings"] = found
        print(f"{style}: {chars / seconds:,.0f} chars/s, {found} findings in {len(bodies)} appeals")
    worst = 0.0
    for name, text in HOSTILE.items():
        started = time.perf_counter()
        pii.mask_text(text, style="redact", known=pii.Known("王建军", "13905555555"))
        seconds = time.perf_counter() - started
        worst = max(worst, seconds)
        print(f"hostile {name}: {seconds * 1000:.0f} ms for {len(text):,} chars")
    out["hostile_worst_ms_per_100k_chars"] = round(worst * 1000)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
