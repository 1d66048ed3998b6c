"""Cost of the intelligence service's building blocks (docs/intelligence.md).

Each figure that depends on a cold interpreter is measured in a fresh subprocess:

* import time of the pure packages the service uses (``hotline.nlp`` and numpy);
* default model load: from the on-disk cache (``var/models``), in a fresh process;
* first call and steady-state latency of one appeal's suggestions (domain, type,
  sub-category, screening, elements with a gazetteer of the size of the demo centre);
* a dedup query over ``--candidates`` open orders (index build + query, as the service
  does per request), and resident memory after all of it.

Run: ``python benchmarks/suggest.py [--candidates 300]``; the last line is one JSON object.
Measured without Django and without a database: the Django side adds its queries (a few
milliseconds, see the docs) on top.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter(); c0 = time.process_time()
import numpy  # noqa
t_numpy = time.perf_counter() - t0
from hotline.nlp import defaults, screening, extract, dedup  # noqa
t_import = time.perf_counter() - t0; c_import = time.process_time() - c0
rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t1 = time.perf_counter(); c1 = time.process_time()
defaults.warm()
t_load = time.perf_counter() - t1; c_load = time.process_time() - c1
rss_model = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
now = datetime(2026, 11, 27, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
rows, i = [], 0
rows.append(dict(id=0, name="乌海市", level="city", parent_id=None, aliases="乌海"))
for d in range(3):
    i += 1; did = i
    rows.append(dict(id=did, name=["海勃湾区", "乌达区", "海南区"][d], level="district", parent_id=0, aliases=""))
    for s in range(6):
        i += 1; sid = i
        rows.append(dict(id=sid, name=f"第{{d}}{{s}}街道", level="street", parent_id=did, aliases=""))
        for k in range(3):
            i += 1
            rows.append(dict(id=i, name=f"第{{d}}{{s}}{{k}}社区", level="community", parent_id=sid, aliases=""))
t2 = time.perf_counter()
gaz = extract.Gazetteer.from_rows(rows)
t_gaz = time.perf_counter() - t2
text = "海勃湾区第01街道第010社区门口的路灯昨晚开始不亮了，晚上走路很危险，请尽快修理。电话13912345678"
def one():
    dom = defaults.suggest_domain(text, "路灯不亮")
    defaults.suggest_type(text, "路灯不亮")
    defaults.suggest_subcategory(dom[0].code, text, "路灯不亮")
    screening.screen(text, "路灯不亮")
    extract.extract(text, now, gaz)
t3 = time.perf_counter(); one(); t_first = time.perf_counter() - t3
lat = []
for _ in range(200):
    s = time.perf_counter(); one(); lat.append((time.perf_counter() - s) * 1000)
lat.sort()
import random
rng = random.Random(7)
words = ["路灯", "井盖", "漏水", "噪音", "物业", "停车", "垃圾", "供暖", "学校", "公交"]
cands = [dedup.Appeal(id=j, text="".join(rng.choice(words) for _ in range(20)) + "请尽快处理",
                      title=rng.choice(words), area_id=rng.randint(1, 60),
                      time=now - timedelta(hours=rng.randint(1, 700)), phone=f"139{{j:08d}}")
         for j in range({n})]
t4 = time.perf_counter(); c4 = time.process_time()
idx = dedup.DedupIndex(cands); idx.query(dedup.Appeal(text=text, title="路灯不亮", time=now))
t_dedup = time.perf_counter() - t4; c_dedup = time.process_time() - c4
rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(
    import_numpy_s=round(t_numpy, 3), import_nlp_s=round(t_import, 3), import_nlp_cpu_s=round(c_import, 3),
    model_load_s=round(t_load, 3), model_load_cpu_s=round(c_load, 3),
    gazetteer_build_ms=round(t_gaz * 1000, 2), areas=len(rows),
    first_call_ms=round(t_first * 1000, 2), call_ms_p50=round(lat[len(lat) // 2], 3),
    call_ms_p99=round(lat[int(len(lat) * 0.99) - 1], 3),
    dedup_candidates={n}, dedup_build_and_query_ms=round(t_dedup * 1000, 2),
    dedup_cpu_ms=round(c_dedup * 1000, 2),
    rss_after_import_mb=round(rss_import / 1024, 1), rss_after_models_mb=round(rss_model / 1024, 1),
    rss_end_mb=round(rss_end / 1024, 1),
)))
"""


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--candidates", type=int, default=300)
    args = p.parse_args()
    code = CHILD.format(root=str(ROOT), n=args.candidates)
    # once to fill the model cache (a fresh clone trains the seeds here), once measured
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    for k, v in result.items():
        print(f"{k}: {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
