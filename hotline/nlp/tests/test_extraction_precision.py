"""Extraction you can trust (issue 16): the address and the event time offered on the
intake form, scored against a hand annotation of real appeals (``data/
extraction_annotations.jsonl``: row ids and offsets into the shared data, no text)."""

from __future__ import annotations

import json
from pathlib import Path

from hotline.nlp import annotations

ANNOTATION = Path(__file__).parent / "data" / "extraction_annotations.jsonl"
THRESHOLD = 0.9


def test_the_annotation_holds_no_text_of_the_data():
    with ANNOTATION.open(encoding="utf-8") as f:
        head = json.loads(f.readline())
        rows = [json.loads(line) for line in f]
    assert head["file"] == "teddy2020_sample_labeled.csv"
    assert len(rows) >= 200 and len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == {"id", "addresses", "times"}
        assert all(isinstance(x, int) for span in r["addresses"] for x in span)
        for t in r["times"]:
            assert set(t) <= {"span", "kind", "start"}
            assert t["kind"] in ("point", "span", "generic", "vague")


def test_offered_addresses_and_times_are_right_at_least_nine_times_in_ten(shared_data, capsys):
    rows = list(annotations.load(ANNOTATION, shared_data("teddy2020_sample_labeled.csv").parent))
    report = annotations.score(rows)
    with capsys.disabled():
        print("\nextraction precision:", json.dumps(report.as_dict(), ensure_ascii=False))
    assert report.rows >= 200
    assert report.address_offered.offered >= 100  # it does offer addresses
    assert report.address_offered.precision >= THRESHOLD, report.misses
    assert report.time_offered.offered >= 20
    assert report.time_offered.precision >= THRESHOLD, report.misses
