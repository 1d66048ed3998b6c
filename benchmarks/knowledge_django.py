"""The knowledge base through the Django app, on the real replies: what an agent's search
costs in the workbench (stamp check, visibility filter, engine, loading the rows) and
whether the app's index ranks as the bare engine does.

Setup: the 2,816 replies of ``teddy2020_replies.csv`` (shared data folder, see
``benchmarks/knowledge.py``) become published ``Entry`` rows of the demo organisation
(answer cleaned, title and question forms derived from the answer, exactly as
``benchmarks/knowledge.py`` does; category and owner unit drawn at random), bulk-inserted
into a fresh database.  Each message (title + body) is the query, searched by a 受理员
through ``hotline.knowledge.index.search``; the target is the entry made from its reply.

Reported: index build at the first search (dictionary from the database's names),
the per-search stamp check, search latency p50/p99 through the app for full messages and
2–4 character prefixes, an edit (``do_update``) followed by the next search that must
find it (incremental ``Engine.add``), and recall@1/@5/MRR@10 through the app.

Run: ``python benchmarks/knowledge_django.py [--database sqlite|postgres] [--queries 600]``.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.knowledge import TitleMaker, answer_from_reply, load_messages  # noqa: E402


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/hl_knowledge_bench")
    p.add_argument("--queries", type=int, default=600)
    p.add_argument("--edits", type=int, default=30)
    args = p.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from benchmarks._db import use_bench_database

    use_bench_database(args.database, "knowledge.sqlite3", args.pg)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from hotline.catalog.models import Category
    from hotline.demo import build
    from hotline.knowledge import actions, index
    from hotline.knowledge.models import Entry, Stamp
    from hotline.org.models import Unit, User
    from hotline.search import Analyzer
    from hotline.search.analysis import default_synonyms, default_user_words

    rng = random.Random(2020)
    call_command("migrate", verbosity=0)
    build.build_organisation()
    agent = User.objects.get(username="agent")
    admin = User.objects.get(username="admin")
    units = list(Unit.objects.exclude(kind="centre"))
    cats = list(Category.objects.filter(parent__isnull=False))

    messages = load_messages()
    answers = [answer_from_reply(m["reply"]) for m in messages]
    maker = TitleMaker(answers, Analyzer(default_user_words(), default_synonyms()))
    now = timezone.now()
    today = timezone.localdate(now)
    rows = []
    for i, a in enumerate(answers):
        e = maker.entry(i, a, "lead")
        rows.append(
            Entry(
                title=e["title"][:200] or a[:30],
                questions="\n".join(e["questions"]),
                answer=a or "（空）",
                category=rng.choice(cats),
                owner_unit=rng.choice(units),
                effective_from=today,
                state="published",
                stamp=i + 1,
                created_at=now,
                updated_at=now,
            )
        )
    t = time.perf_counter()
    made = Entry.objects.bulk_create(rows, batch_size=500)
    insert_s = time.perf_counter() - t
    Stamp.objects.update_or_create(pk=1, defaults={"value": len(made)})
    pk_of = [e.pk for e in made]
    by_text: dict[str, set[int]] = {}
    for i, a in enumerate(answers):
        by_text.setdefault(a, set()).add(pk_of[i])

    t = time.perf_counter()
    index.search(agent, "公积金")
    build_s = time.perf_counter() - t

    t = time.perf_counter()
    for _ in range(1000):
        index.current_stamp()
    stamp_ms = time.perf_counter() - t  # 1000 reads: seconds = ms per read

    sample = rng.sample(range(len(messages)), min(args.queries, len(messages)))
    wall, hits1, hits5, rr = [], 0, 0, 0.0
    for i in sample:
        q = f"{messages[i]['title']}\n{messages[i]['body']}"
        t = time.perf_counter()
        results = index.search(agent, q, limit=10)
        wall.append((time.perf_counter() - t) * 1000)
        ids = [r.entry.pk for r in results]
        target = by_text[answers[i]]
        rank = next((n for n, pk in enumerate(ids, 1) if pk in target), None)
        hits1 += rank == 1
        hits5 += rank is not None and rank <= 5
        rr += 1 / rank if rank else 0
    prefix_wall = []
    for i in sample[:300]:
        title = messages[i]["title"]
        q = title[: rng.randint(2, 4)]
        t = time.perf_counter()
        index.search(agent, q, limit=10)
        prefix_wall.append((time.perf_counter() - t) * 1000)

    edit_wall = []
    for n, i in enumerate(sample[: args.edits]):
        word = f"zqxj{n}kb 加装电梯补贴"
        t = time.perf_counter()
        actions.do_update(pk_of[i], admin, {"title": word})
        found = index.search(agent, word.split()[0], limit=1)
        edit_wall.append((time.perf_counter() - t) * 1000)
        assert found and found[0].entry.pk == pk_of[i], "edit not found"

    n = len(sample)
    figures = {
        "database": args.database,
        "entries": len(made),
        "bulk_insert_s": round(insert_s, 2),
        "first_search_builds_index_s": round(build_s, 2),
        "index_rebuilds": index.INDEX.rebuilds,
        "stamp_check_ms": round(stamp_ms, 3),
        "search_full_message_ms": {"n": n, "p50": pct(wall, 0.5), "p99": pct(wall, 0.99)},
        "search_prefix_2_4_ms": {
            "n": len(prefix_wall),
            "p50": pct(prefix_wall, 0.5),
            "p99": pct(prefix_wall, 0.99),
        },
        "edit_then_search_ms": {
            "n": len(edit_wall),
            "p50": round(statistics.median(edit_wall), 2),
            "max": round(max(edit_wall), 2),
        },
        "recall_through_app": {
            "recall@1": round(hits1 / n, 4),
            "recall@5": round(hits5 / n, 4),
            "mrr@10": round(rr / n, 4),
        },
    }
    for k, v in figures.items():
        print(f"{k}: {v}")
    print(json.dumps(figures, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
