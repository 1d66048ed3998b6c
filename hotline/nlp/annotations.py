"""Scoring element extraction against a hand annotation (issue 16: extraction you can
trust).

The annotation (``hotline/nlp/tests/data/extraction_annotations.jsonl``) names rows of a
shared data file by id and gives, for each, character offsets into its text: the address
spans, and the time expressions with what each stands for relative to the message time —
a ``point`` with its expected start (minute), a ``span`` ending at that time (最近一周), or
``generic`` / ``vague`` (每天早上, 晚上不到12点: not the time of an event, so no value may
be offered).  No text of the data is stored; it is read from the shared folder.

Precision is what an agent sees: of the values offered, how many are right.

* an address is right when it lies within an annotated address span;
* a time is right when it overlaps an annotated ``point`` and starts at its value, or
  overlaps an annotated ``span`` and is a span.

``offered`` scores the single suggestion the intake panel shows (:func:`extract.suggest_address`,
:func:`extract.suggest_time`); ``all`` scores every mention found.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hotline.nlp import extract as ex

CALL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Score:
    offered: int = 0
    right: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.offered if self.offered else 1.0

    def add(self, ok: bool) -> None:
        self.offered += 1
        self.right += ok


@dataclass
class Report:
    rows: int
    address_offered: Score
    address_all: Score
    time_offered: Score
    time_all: Score
    misses: list[tuple[str, str, str]]

    def as_dict(self) -> dict[str, Any]:
        def d(s: Score) -> dict[str, Any]:
            return {"offered": s.offered, "right": s.right, "precision": round(s.precision, 4)}

        return {
            "rows": self.rows,
            "address_suggestion": d(self.address_offered),
            "address_all_mentions": d(self.address_all),
            "time_suggestion": d(self.time_offered),
            "time_all_mentions": d(self.time_all),
        }


def load(annotation: Path, data_dir: Path) -> Iterable[tuple[dict[str, Any], str, datetime]]:
    """(annotation row, text, message time) for every annotated row."""
    with annotation.open(encoding="utf-8") as f:
        head = json.loads(f.readline())
        wanted = [json.loads(line) for line in f if line.strip()]
    with (data_dir / head["file"]).open(encoding="utf-8", newline="") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    for a in wanted:
        row = rows[a["id"]]
        at = datetime.strptime(row[head["now"]].strip() + " +0800", "%Y/%m/%d %H:%M:%S %z")
        yield a, row[head["text"]], at.astimezone(CALL_TZ)


def _address_ok(start: int, end: int, gold: list[list[int]]) -> bool:
    return any(s <= start and end <= e for s, e in gold)


def _time_ok(t: ex.TimeMention, gold: list[dict[str, Any]]) -> bool:
    a, b = t.offset, t.offset + len(t.text)
    for g in gold:
        s, e = g["span"]
        if b <= s or a >= e:
            continue
        if g["kind"] == "point" and t.kind == "point":
            if t.start.strftime("%Y-%m-%dT%H:%M") == g["start"]:
                return True
        elif g["kind"] == "span" and t.kind == "span":
            return True
    return False


def score(
    rows: Iterable[tuple[dict[str, Any], str, datetime]],
    *,
    suggest_address: Callable[[str], ex.Place | None] | None = None,
    suggest_time: Callable[[str, datetime], ex.TimeMention | None] | None = None,
) -> Report:
    suggest_address = suggest_address or ex.suggest_address
    suggest_time = suggest_time or ex.suggest_time
    addr_o, addr_a, time_o, time_a = Score(), Score(), Score(), Score()
    misses: list[tuple[str, str, str]] = []
    n = 0
    for a, text, at in rows:
        n += 1
        for p in ex.extract_places(text):
            addr_a.add(_address_ok(p.start, p.end, a["addresses"]))
        for t in ex.extract_times(text, at):
            time_a.add(_time_ok(t, a["times"]))
        place = suggest_address(text)
        if place is not None:
            ok = _address_ok(place.start, place.end, a["addresses"])
            addr_o.add(ok)
            if not ok:
                misses.append((a["id"], "address", f"{place.start}:{place.end}"))
        when = suggest_time(text, at)
        if when is not None:
            ok = _time_ok(when, a["times"])
            time_o.add(ok)
            if not ok:
                misses.append((a["id"], "time", f"{when.offset} {when.start:%Y-%m-%d %H:%M}"))
    return Report(n, addr_o, addr_a, time_o, time_a, misses)
