"""Precision of the address and event time offered on the intake form (issue 16), on the
hand annotation of 214 appeals of ``teddy2020_sample_labeled.csv`` (row ids and offsets in
``hotline/nlp/tests/data/extraction_annotations.jsonl``; the text is read from the shared
data).  Also every mention found (what the model sees, not what the agent is offered).

Run: ``python benchmarks/extraction.py``; the last line is one JSON object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._data import shared_data  # noqa: E402


def main() -> None:
    from hotline.nlp import annotations

    ann = ROOT / "hotline" / "nlp" / "tests" / "data" / "extraction_annotations.jsonl"
    report = annotations.score(annotations.load(ann, shared_data()))
    print(json.dumps({"benchmark": "extraction", **report.as_dict()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
