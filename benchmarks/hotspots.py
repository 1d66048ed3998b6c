"""Concentrated-issue detection on real messages, and a synthetic run at scale.

    python benchmarks/hotspots.py [--top 15] [--scale 100000] [--texts]

Reads ``teddy2020_hot.csv`` (4,326 messages with likes) from the shared data folder:
``<repo>/../shared/data`` (or ``$HOTLINE_SHARED_DIR/data``).  Prints the hottest groups,
the rising topics of the data's last week, the repeats, timing and peak memory, and how
many of the 100 hand-checked labels (``hotline/hotspots/tests/data/hand_checked_labels.json``)
are still as read and clean; the last line is one JSON object with the figures.
``--texts`` also prints member titles, to judge the groups by reading them (not for
pasting anywhere).

The scale run resamples the messages with noise (characters dropped and swapped, times
spread over the year, fresh citizen keys) to ``--scale`` records and times the full
analysis on them; ``--scale 0`` skips it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import resource
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import shared_data
from hotline.hotspots import (
    Appeal,
    HotspotConfig,
    HotspotReport,
    RisingTopic,
    find_hotspots,
    rising_topics,
)
from hotline.nlp import segment

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parent.parent
CHECKED = REPO / "hotline" / "hotspots" / "tests" / "data" / "hand_checked_labels.json"


def data_dir() -> Path:
    return shared_data()


def hand_checked(report: HotspotReport) -> dict[str, int]:
    """The hand-checked list against this run: clean, artefact, changed since read."""
    now = {str(g.representative_id): g.label for g in report.groups}
    out = {"checked": 0, "clean": 0, "artefact": 0, "changed_since_read": 0}
    for entry in json.loads(CHECKED.read_text(encoding="utf-8"))["checked"]:
        out["checked"] += 1
        label = now.get(entry["representative_id"])
        digest = hashlib.sha256(label.encode()).hexdigest()[:16] if label else None
        if digest != entry["label_sha256"]:
            out["changed_since_read"] += 1
        else:
            out["clean" if entry["verdict"] == "clean" else "artefact"] += 1
    return out


def parse_time(text: str) -> datetime:
    for layout in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), layout).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise ValueError(f"unknown time layout: {text!r}")


def load(path: Path) -> list[Appeal]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Appeal(
                id=row["id"],
                title=row["title"],
                text=row["body"],
                time=parse_time(row["time"]),
                citizen=row["user"] or None,
                likes=int(row["likes"] or 0),
            )
            for row in csv.DictReader(f)
        ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (segmentation workers).

    Reported beside wall time because the machine may be shared: wall time then says
    more about the neighbours than about this code.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def noisy(text: str, rng: random.Random, pool: str) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 20)):
        if not chars:
            break
        k = rng.randrange(len(chars))
        if rng.random() < 0.5:
            del chars[k]
        else:
            chars[k] = rng.choice(pool)
    return "".join(chars)


def resample(appeals: list[Appeal], n: int, seed: int = 7) -> list[Appeal]:
    rng = random.Random(seed)
    start = min(a.time for a in appeals)
    span = (max(a.time for a in appeals) - start).total_seconds()
    pool = "".join({c for a in appeals[:500] for c in a.title})
    out = []
    for k in range(n):
        src = rng.choice(appeals)
        out.append(
            replace(
                src,
                id=f"s{k}",
                title=noisy(src.title, rng, pool),
                text=noisy(src.text, rng, pool),
                time=start + timedelta(seconds=rng.uniform(0, span)),
                citizen=src.citizen if rng.random() < 0.1 else f"c{k}",
            )
        )
    return out


def show(report: HotspotReport, appeals: list[Appeal], top: int, texts: bool) -> None:
    by_id = {a.id: a for a in appeals}
    print(f"\n== top {top} groups of {len(report.groups)} (appeals {report.appeals}) ==")
    for rank, g in enumerate(report.groups[:top], 1):
        span = f"{g.first:%Y-%m-%d}…{g.last:%Y-%m-%d}"
        ids = ", ".join(str(i) for i in g.member_ids[:3])
        print(
            f"{rank:2}. {g.label}\n    size {g.size} (dup {g.duplicates}) · citizens {g.citizens}"
            f" · likes {g.likes} · {span} · heat {g.heat:.1f} · ids {ids}"
        )
        if texts:
            for i in g.member_ids[:8]:
                print(f"       {i} {by_id[i].time:%Y-%m-%d} {by_id[i].title[:40]}")
    show_rising(report.rising_terms, report.now, appeals)
    print("== rising groups ==")
    for t in report.rising_groups[:5]:
        print(f"  {t.key}: {t.current} now, expected {t.expected:.2f}, z {t.z:.1f}")
    print(f"== repeats: {len(report.repeats)} chains; longest ==")
    for c in report.repeats[:5]:
        ids = ", ".join(str(i) for i in c.member_ids[:4])
        print(f"  citizen {c.citizen}: {len(c.member_ids)} appeals, sim ≥ {c.similarity} · {ids}")


def show_rising(
    terms: tuple[RisingTopic, ...] | list[RisingTopic], now: datetime, appeals: list[Appeal]
) -> None:
    week = sum(1 for a in appeals if now - timedelta(days=7) < a.time <= now)
    print(f"\n== rising terms, week ending {now:%Y-%m-%d %H:%M} ({week} appeals that week) ==")
    for t in terms[:10]:
        related = f" (+{' '.join(t.related)})" if t.related else ""
        print(
            f"  {t.key}{related}: {t.current} now, expected {t.expected:.2f},"
            f" ratio {t.ratio:.1f}, z {t.z:.1f}, baseline {list(t.baseline)}"
        )
    if not terms:
        print("  (none)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--texts", action="store_true")
    parser.add_argument("--earlier-weeks", type=int, default=3)
    args = parser.parse_args()

    appeals = load(data_dir() / "teddy2020_hot.csv")
    config = HotspotConfig(workers=args.workers)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    report = find_hotspots(appeals, config=config)
    runtime, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    show(report, appeals, args.top, args.texts)
    figures = {
        "appeals": report.appeals,
        "runtime_s": round(runtime, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "groups": len(report.groups),
        "grouped_appeals": sum(g.size for g in report.groups),
        "top_sizes": [g.size for g in report.groups[:10]],
        "top_citizens": [g.citizens for g in report.groups[:10]],
        "rising_terms": [t.key for t in report.rising_terms[:5]],
        "repeat_chains": len(report.repeats),
        "segmenter": segment.library_version(),
        "hand_checked_labels": hand_checked(report),
    }
    print(f"hand-checked labels: {figures['hand_checked_labels']}")
    # The data thins out in its last weeks; earlier weekly cut points show the statistic
    # at work on full weeks, as a weekly report would have shown them at the time.
    for weeks_back in range(1, args.earlier_weeks + 1):
        cut = report.now - timedelta(days=7 * weeks_back)
        show_rising(rising_topics(appeals, now=cut, config=config), cut, appeals)
    # And at the end of the hottest group's busiest week: what a weekly report showed then.
    if report.groups and report.groups[0].trend:
        busiest = max(report.groups[0].trend, key=lambda p: (p.count, p.start))
        cut = datetime.combine(busiest.start + timedelta(days=7), datetime.min.time(), SHANGHAI)
        print(f"\n(busiest week of group 1: {busiest.count} appeals)", end="")
        show_rising(rising_topics(appeals, now=cut, config=config), cut, appeals)
    print(f"\nreal data: {runtime:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak_rss_mb():.0f} MB")

    if args.scale:
        synthetic = resample(appeals, args.scale)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        big = find_hotspots(synthetic, config=config)
        scale_runtime = time.perf_counter() - started
        scale_cpu = cpu_seconds() - cpu_started
        print(
            f"scale: {args.scale} resampled appeals in {scale_runtime:.1f} s wall,"
            f" {scale_cpu:.1f} s CPU,"
            f" {len(big.groups)} groups, peak RSS {peak_rss_mb():.0f} MB"
        )
        figures |= {
            "scale_appeals": args.scale,
            "scale_runtime_s": round(scale_runtime, 1),
            "scale_cpu_s": round(scale_cpu, 1),
            "scale_groups": len(big.groups),
            "scale_peak_rss_mb": round(peak_rss_mb(), 1),
        }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
