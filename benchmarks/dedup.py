"""Near-duplicate detection on teddy2020_hot.csv: recall, precision, cost.

Ground truth without looking at the detector ("reposted appeals"): two messages are the
same appeal posted again when their bodies are identical after removing whitespace, or
when the same user posted the same title twice.  The detector flags a pair when its
``near_duplicate`` or ``repeat`` flag is set (the user id stands in for the phone).

Pairs the detector flags outside that ground truth are not all wrong: a reworded
repost is a duplicate too.  ``HAND_LABELS`` holds a seeded random sample of such pairs,
labelled by reading both messages (ids only here, never the text): 1 = the same matter
raised again, 0 = a different matter.  Precision is reported both strictly (ground truth
only) and with the hand-labelled rate applied to the flagged pairs outside it.

Run: ``python benchmarks/dedup.py [--show-sample]``; the last line is one JSON object.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import one_core, read_csv
from hotline.nlp.dedup import Appeal, DedupIndex

SHANGHAI = ZoneInfo("Asia/Shanghai")
SAMPLE_SIZE = 40
SAMPLE_SEED = 20240313

# (smaller id, larger id) → 1 same matter again / 0 different matter.  See the docstring.
# Labelled 2026-11 on the sample drawn with SAMPLE_SEED; 0s: a template letter about another
# residential compound, and the same user on a different road problem.
HAND_LABELS: dict[tuple[str, str], int] = {
    ("279702", "289930"): 1,
    ("244779", "285366"): 1,
    ("254893", "287532"): 1,
    ("237315", "269820"): 1,
    ("227925", "237500"): 1,
    ("214546", "252300"): 1,
    ("240662", "275514"): 1,
    ("246915", "255615"): 1,
    ("201067", "252493"): 1,
    ("203236", "268018"): 1,
    ("199190", "220534"): 1,
    ("202247", "280035"): 1,
    ("228541", "271948"): 1,
    ("220052", "242809"): 1,
    ("199667", "282329"): 1,
    ("190346", "193680"): 1,
    ("198446", "215522"): 1,
    ("207281", "257255"): 1,
    ("258006", "274436"): 1,
    ("193286", "201707"): 1,
    ("246224", "270989"): 1,
    ("220576", "238391"): 1,
    ("202049", "215920"): 1,
    ("191111", "208775"): 1,
    ("205682", "221517"): 1,
    ("246224", "276854"): 1,
    ("212691", "278497"): 1,
    ("260342", "271070"): 1,
    ("190346", "259350"): 1,
    ("194022", "252413"): 1,
    ("197669", "240551"): 1,
    ("255614", "281884"): 1,
    ("254865", "262052"): 1,
    ("251547", "280035"): 1,
    ("193680", "251228"): 1,
    ("226008", "269143"): 1,
    ("253725", "260342"): 1,
    ("261258", "272588"): 1,
    ("233931", "242792"): 0,
    ("206939", "223231"): 0,
}


def _time(s: str) -> datetime | None:
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(s.strip(), fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    return None


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def ground_truth(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    groups: dict[tuple[str, ...], list[str]] = {}
    for r in rows:
        groups.setdefault(("body", _squash(r["body"])), []).append(r["id"])
        groups.setdefault(("user-title", r["user"], _squash(r["title"])), []).append(r["id"])
    pairs = set()
    for ids in groups.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.add((min(a, b), max(a, b)))
    return pairs


def main(show_sample: bool = False) -> dict:
    one_core()
    rows = read_csv("teddy2020_hot.csv")
    by_id = {r["id"]: r for r in rows}
    appeals = [
        Appeal(r["id"], r["body"], r["title"], time=_time(r["time"]), phone=r["user"]) for r in rows
    ]
    start = time.process_time()
    index = DedupIndex(appeals)
    build_s = time.process_time() - start

    flagged: dict[tuple[str, str], float] = {}
    cpu = []
    for a in appeals:
        c0 = time.process_time()
        found = index.query(a, limit=20, exclude_id=a.id)
        cpu.append((time.process_time() - c0) * 1000)
        for d in found:
            if d.near_duplicate or d.repeat:
                flagged[(min(a.id, d.id), max(a.id, d.id))] = d.text_similarity

    truth = ground_truth(rows)
    hit = truth & set(flagged)
    recall = len(hit) / len(truth)
    strict_precision = len(hit) / len(flagged) if flagged else 0.0
    outside = sorted(set(flagged) - truth)
    rng = random.Random(SAMPLE_SEED)
    sample = rng.sample(outside, min(SAMPLE_SIZE, len(outside)))
    if show_sample:  # for labelling by hand; the text is read from shared data, never stored
        for a, b in sample:
            print(
                f"--- ({a!r}, {b!r}) sim={flagged[(a, b)]:.2f} same_user={by_id[a]['user'] == by_id[b]['user']}"
            )
            print("  A:", _squash(by_id[a]["title"] + "｜" + by_id[a]["body"])[:160])
            print("  B:", _squash(by_id[b]["title"] + "｜" + by_id[b]["body"])[:160])
    labelled = [HAND_LABELS[p] for p in sample if p in HAND_LABELS]
    rate = sum(labelled) / len(labelled) if labelled else None
    est_precision = (
        (len(hit) + rate * len(outside)) / len(flagged) if rate is not None and flagged else None
    )
    missed = sorted(truth - set(flagged))

    print(
        f"messages: {len(rows)}; reposted pairs in ground truth: {len(truth)}; flagged pairs: {len(flagged)}"
    )
    print(f"recall {recall:.4f} ({len(hit)}/{len(truth)}); strict precision {strict_precision:.4f}")
    if rate is not None:
        print(
            f"hand-labelled sample of flagged pairs outside ground truth: {sum(labelled)}/{len(labelled)} are the same matter → estimated precision {est_precision:.4f}"
        )
    print(f"missed ground-truth pairs: {len(missed)}")
    print(
        f"cost: index of {len(rows)} built in {build_s:.2f} s CPU; query p50 {statistics.median(cpu):.2f} ms, p99 {sorted(cpu)[int(0.99 * (len(cpu) - 1))]:.2f} ms CPU"
    )
    return {
        "n_messages": len(rows),
        "truth_pairs": len(truth),
        "flagged_pairs": len(flagged),
        "recall": round(recall, 4),
        "strict_precision": round(strict_precision, 4),
        "hand_labelled": len(labelled),
        "hand_labelled_same": sum(labelled),
        "estimated_precision": None if est_precision is None else round(est_precision, 4),
        "index_build_s_cpu": round(build_s, 3),
        "query_ms_p50_cpu": round(statistics.median(cpu), 3),
        "query_ms_p99_cpu": round(sorted(cpu)[int(0.99 * (len(cpu) - 1))], 3),
    }


if __name__ == "__main__":
    print(json.dumps(main(show_sample="--show-sample" in sys.argv), ensure_ascii=False))
