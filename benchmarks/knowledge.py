"""Benchmark of the knowledge-base search engine (``hotline.search``) on real replies.

Setup
-----
Data: ``teddy2020_replies.csv`` from the shared data folder (``<repo>/../shared/data``, or
``$HOTLINE_SHARED_DIR/data``): 2,816 citizen messages, each
with the official reply of the unit that handled it.

Knowledge entries.  Each reply becomes one entry, written only from the reply, the way a
unit turning its answer into a knowledge entry would have it:

* ``answer``: the reply without its address to one citizen.  The preamble up to
  "现将…回复如下：" (or a leading "网友“…”：您好！…收悉" greeting) is cut, and so is any
  quoted restatement of the message ("反映的“…”", "咨询的“…”"): replies often repeat the
  message's title in quotes, which no general entry would, and which would make the
  benchmark a title look-up.  The script prints how often the message title still occurs
  verbatim in the answer before and after cleaning.
* ``title``: derived from the answer alone, never from the message.  Two derivations are
  measured: ``lead`` (first sentence of the answer, up to 30 characters) and
  ``keywords`` (the answer's five words of highest tf-idf against all answers).
* ``questions``: the answer's own "关于…的问题" headings, if any (up to three).

Queries: each message's title and body, as an agent would paste or retype the caller's
words.  The relevant entry is the one built from that message's reply; entries whose
cleaned answer is identical to it (boiler-plate replies such as "留言已收悉") count too,
since nothing could tell them apart.  Reported: recall@1, recall@5 and MRR@10.

Choices are compared on the even-numbered messages (``tune``) and the reported figures
come from the odd-numbered ones (``held-out``) as well as all messages; ranking
parameters were set by coarse steps, never per query.

Homophone typos: the message titles alone as queries, then the same titles with one
Chinese character in four (at least one) replaced by another common character with the
same toneless pinyin, as an input method offers; recall with and without pinyin terms.

Scale: the index is padded to 50,000 entries with synthetic ones.  Each synthetic entry
takes as many sentences as a randomly chosen real answer has, each sentence from a
different random reply, in random order, with the clauses of roughly one sentence in three
rotated; title and questions are derived as for real entries.  So the padding has the
corpus' vocabulary and lengths but no single reply's content.  Reported: build time,
memory (resident-set growth and the index's own arrays), save/load time, query latency
p50/p99 on one pinned core for three query kinds (full messages, titles, 2–4 character
prefixes "as you type"), the latency of an edit (``add`` + next ``search``), and recall
of the real messages among the 50,000.

Re-ranking: the first 100 BM25F candidates are re-ordered by a small learned linear model
(``hotline/search/rerank.py``).  ``--fit-reranker`` fits its weights on the tuning half
(even-numbered messages: their candidates and which of them is the reply's entry) and
writes ``hotline/search/data/reranker.json``; the held-out half is never used to fit.

Run: ``python benchmarks/knowledge.py [--quick] [--fit-reranker]`` (``--quick`` skips the
comparisons).  The last line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._data import shared_data  # noqa: E402
from hotline.nlp.text import code_points  # noqa: E402
from hotline.nlp.text import normalise as normalize  # noqa: E402
from hotline.search import Analyzer, Engine, Params, rerank  # noqa: E402
from hotline.search.analysis import (  # noqa: E402
    BIGRAM,
    PINYIN,
    SYLLABLES,
    WORD,
    default_synonyms,
    default_user_words,
)

SCALE = 50_000
SEED = 20200


# ------------------------------------------------------------------------ data


def data_dir() -> Path:
    return shared_data()


RERANKER_FILE = REPO / "hotline" / "search" / "data" / "reranker.json"


def load_messages() -> list[dict[str, str]]:
    with open(shared_data() / "teddy2020_replies.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------- knowledge entries from replies

_ANSWER_MARK = re.compile(
    r"(答复|回复|说明|反馈|回应|告知|报告)如下[:：]?|现(回复|答复)[:：]|现作如下(回复|答复)[:：]?"
)
_GREETING = re.compile(
    r"^[\s　]*(网友|市民|尊敬的)?[^，。！:：]{0,20}?[:：]?[\s　]*(您好|你好)[！!，,。]?[\s　]*"
)
_RECEIVED = re.compile(r"^[^。！]{0,60}(收悉|收到)[。！，,]?")
_RESTATED = re.compile(
    r"(反映|咨询|投诉|留言|来信|建议|提出|询问|关于|涉)(的|了)?(关于)?[“\"「][^”\"」]{2,80}[”\"」]"
)
_TRAILING_DATE = re.compile(r"[\s　]*\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?[\s　]*$")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_HEADING = re.compile(r"关于([^，。；：:“”\n]{4,40}?)的?问题")


def answer_from_reply(reply: str) -> str:
    """The reply as a general knowledge answer (see the module docstring)."""
    text = reply.strip()
    mark = _ANSWER_MARK.search(text)
    if mark and mark.start() < 0.6 * len(text):
        text = text[mark.end() :]
    else:
        text = _GREETING.sub("", text, count=1)
        text = _RECEIVED.sub("", text, count=1)
    text = _RESTATED.sub(lambda m: m.group(1), text)
    text = _TRAILING_DATE.sub("", text)
    return text.strip(" 　\n")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) >= 4]


class TitleMaker:
    """Titles and question forms from an answer's own text."""

    def __init__(self, answers: Sequence[str], analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        df: Counter[str] = Counter()
        for a in answers:
            df.update(set(self._words(a)))
        self.df, self.n = df, len(answers)

    def _words(self, text: str) -> list[str]:
        return [w for w in self.analyzer.cut(normalize(text)) if len(w.strip()) >= 2]

    def keywords(self, answer: str, k: int = 5) -> str:
        tf = Counter(self._words(answer))
        score = {w: c * math.log(self.n / (1 + self.df.get(w, 0))) for w, c in tf.items()}
        best = sorted(score, key=lambda w: -score[w])[:k]
        return " ".join(sorted(best, key=answer.find))

    @staticmethod
    def lead(answer: str) -> str:
        first = next(iter(sentences(answer)), answer)
        return first[:30]

    @staticmethod
    def questions(answer: str) -> list[str]:
        return list(dict.fromkeys(m.group(1) for m in _HEADING.finditer(answer)))[:3]

    def entry(self, entry_id: Any, answer: str, title_kind: str) -> dict[str, Any]:
        title = {"lead": self.lead, "keywords": self.keywords, "none": lambda a: ""}[title_kind]
        return {
            "id": entry_id,
            "title": title(answer),
            "questions": self.questions(answer),
            "answer": answer,
        }


def synthetic_answers(answers: Sequence[str], count: int, rng: random.Random) -> list[str]:
    """Padding entries: see the module docstring."""
    per_answer = [sentences(a) for a in answers]
    pool = [(i, s) for i, ss in enumerate(per_answer) for s in ss]
    lengths = [len(ss) for ss in per_answer if ss]
    out = []
    for _ in range(count):
        k = rng.choice(lengths)
        used: set[int] = set()
        chosen = []
        while len(chosen) < k:
            source, sentence = rng.choice(pool)
            if source in used:
                continue
            used.add(source)
            if rng.random() < 1 / 3:
                clauses = sentence.split("，")
                if len(clauses) > 1:
                    cut = rng.randrange(1, len(clauses))
                    sentence = "，".join(clauses[cut:] + clauses[:cut])
            chosen.append(sentence)
        rng.shuffle(chosen)
        out.append("".join(chosen))
    return out


# -------------------------------------------------------------------- measuring


def evaluate(
    engine: Engine,
    queries: Sequence[str],
    relevant: Sequence[set[int]],
    subset: Sequence[int] | None = None,
) -> dict[str, float]:
    subset = range(len(queries)) if subset is None else subset
    r1 = r5 = rr = 0.0
    for i in subset:
        hits = [h.id for h in engine.search(queries[i], limit=10)]
        rank = next((k for k, h in enumerate(hits) if h in relevant[i]), None)
        if rank is not None:
            r1 += rank == 0
            r5 += rank < 5
            rr += 1 / (rank + 1)
    n = max(len(subset), 1)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr@10": rr / n}


def fit_reranker(
    entries: Sequence[dict[str, Any]],
    queries: Sequence[str],
    relevant: Sequence[set[int]],
    tune: Sequence[int],
) -> rerank.Reranker:
    """Weights of the re-ranker from the tuning half's candidates (BM25F alone)."""
    engine = Engine(reranker=None)
    engine.build(entries)
    rows, labels = [], []
    for i in tune:
        ids, x = engine.candidates(queries[i])
        rows.append(x)
        labels.extend(entry_id in relevant[i] for entry_id in ids)
    model = rerank.fit(np.concatenate(rows), np.asarray(labels))
    note = (
        "fitted by benchmarks/knowledge.py --fit-reranker on the tuning half (even-numbered "
        "messages) of teddy2020_replies.csv; numbers only"
    )
    RERANKER_FILE.write_text(
        json.dumps(model.as_dict(note), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return model


def latencies(engine: Engine, queries: Sequence[str]) -> dict[str, float]:
    """Wall-clock and CPU time per search (the CPU time is what one core spends; the wall
    clock also counts waiting when other processes share the machine)."""
    wall, cpu = [], []
    for q in queries:
        w, c = time.perf_counter(), time.process_time()
        engine.search(q, limit=10)
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    out: dict[str, float] = {"n": len(queries)}
    for name, values in (("wall", wall), ("cpu", cpu)):
        arr = np.asarray(values)
        out[f"{name}_p50_ms"] = round(float(np.percentile(arr, 50)), 2)
        out[f"{name}_p99_ms"] = round(float(np.percentile(arr, 99)), 2)
    return out


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def homophone_typos(titles: Sequence[str], corpus: Sequence[str], rng: random.Random) -> list[str]:
    """Each title with one Chinese character in four swapped for a common homophone."""
    counts: Counter[str] = Counter(
        ch for text in corpus for ch in text if "\u4e00" <= ch <= "\u9fff"
    )
    by_sound: dict[int, list[str]] = {}
    common = [ch for ch, _ in counts.most_common(4000)]
    sounds = SYLLABLES.of(code_points("".join(common))).tolist()
    for ch, syl in zip(common, sounds, strict=True):
        if syl >= 0:
            by_sound.setdefault(syl, []).append(ch)
    out = []
    for title in titles:
        chars = list(title)
        han = [i for i, ch in enumerate(chars) if "\u4e00" <= ch <= "\u9fff"]
        rng.shuffle(han)
        changed = 0
        for i in han:
            if changed >= max(1, len(han) // 4):
                break
            syl = int(SYLLABLES.of(code_points(chars[i]))[0])
            options = [c for c in by_sound.get(syl, [])[:6] if c != chars[i]]
            if options:
                chars[i] = rng.choice(options)
                changed += 1
        out.append("".join(chars))
    return out


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


# ------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the comparisons")
    parser.add_argument("--scale", type=int, default=SCALE)
    parser.add_argument(
        "--fit-reranker", action="store_true", help="fit the re-ranker on the tuning half first"
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    rng = random.Random(SEED)
    figures: dict[str, Any] = {"load_average_at_start": os.getloadavg()[0]}

    messages = load_messages()
    queries = [f"{m['title']}\n{m['body']}" for m in messages]
    titles = [m["title"] for m in messages]
    answers = [answer_from_reply(m["reply"]) for m in messages]
    by_text: dict[str, set[int]] = {}
    for i, a in enumerate(answers):
        by_text.setdefault(a, set()).add(i)
    relevant = [by_text[a] for a in answers]
    leak_raw = sum(m["title"] in m["reply"] for m in messages)
    leak_clean = sum(m["title"] in a for m, a in zip(messages, answers, strict=True))
    figures["corpus"] = {
        "messages": len(messages),
        "answers_under_30_chars": sum(len(a) < 30 for a in answers),
        "messages_sharing_an_identical_answer": sum(len(r) > 1 for r in relevant),
        "title_verbatim_in_raw_reply": leak_raw,
        "title_verbatim_in_cleaned_answer": leak_clean,
    }
    print(
        f"{len(messages)} messages; title verbatim in reply {leak_raw}, after cleaning {leak_clean}"
    )
    tune = list(range(0, len(messages), 2))
    held = list(range(1, len(messages), 2))

    base_analyzer = Analyzer(default_user_words(), default_synonyms())
    maker = TitleMaker(answers, base_analyzer)

    def entries(title_kind: str, texts: Sequence[str] = answers) -> list[dict[str, Any]]:
        return [maker.entry(i, a, title_kind) for i, a in enumerate(texts)]

    if args.fit_reranker:
        fitted = fit_reranker(entries("lead"), queries, relevant, tune)
        rerank.shipped.cache_clear()
        print(f"re-ranker fitted on the tuning half: {fitted.as_dict()['coef']}")

    def engine_for(
        kinds: Sequence[int] = (WORD, BIGRAM, PINYIN), hmm: bool = False, **params: Any
    ) -> Engine:
        analyzer = Analyzer(default_user_words(), default_synonyms(), hmm=hmm, kinds=kinds)
        return Engine(analyzer=analyzer, params=replace(Params(), **params))

    default_title = "lead"
    if not args.quick:
        print("\n# comparisons: recall@1 / recall@5 / MRR@10 on tune | held-out halves")
        variants: list[tuple[str, dict[str, Any], str, list[str] | None]] = [
            ("default (words+bigrams+pinyin, lead title)", {}, "lead", None),
            ("BM25F alone, no re-ranker", {"rerank_depth": 0}, "lead", None),
            ("re-rank the first 30", {"rerank_depth": 30}, "lead", None),
            ("raw reply, uncleaned (leaky)", {}, "lead", [m["reply"] for m in messages]),
            ("title: keywords", {}, "keywords", None),
            ("title: none", {}, "none", None),
            ("words only", {"kinds": (WORD,)}, "lead", None),
            ("bigrams only", {"kinds": (BIGRAM,)}, "lead", None),
            ("words+bigrams", {"kinds": (WORD, BIGRAM)}, "lead", None),
            ("jieba HMM on", {"hmm": True}, "lead", None),
            ("bigram weight 1.0", {"kind_weights": (1.0, 1.0, 0.3)}, "lead", None),
            ("bigram weight 0.25", {"kind_weights": (1.0, 0.25, 0.3)}, "lead", None),
            ("pinyin weight 0.1", {"kind_weights": (1.0, 0.5, 0.1)}, "lead", None),
            ("binary query tf (k3=0)", {"query_k3": 0.0}, "lead", None),
            ("max 32 query terms", {"max_query_terms": 32}, "lead", None),
            ("k1=2.0", {"k1": 2.0}, "lead", None),
        ]
        comparisons = {}
        for name, options, title_kind, texts in variants:
            engine = engine_for(**options)
            docs = (
                entries(title_kind)
                if texts is None
                else [maker.entry(i, t, title_kind) for i, t in enumerate(texts)]
            )
            engine.build(docs)
            rel = relevant if texts is None else [{i} for i in range(len(texts))]
            row = {}
            for half, subset in (("tune", tune), ("held_out", held)):
                row[half] = {
                    k: round(v, 4) for k, v in evaluate(engine, queries, rel, subset).items()
                }
            comparisons[name] = row
            t, h = row["tune"], row["held_out"]
            print(
                f"{name:44s} {t['recall@1']:.3f} {t['recall@5']:.3f} {t['mrr@10']:.3f}"
                f" | {h['recall@1']:.3f} {h['recall@5']:.3f} {h['mrr@10']:.3f}"
            )
        figures["comparisons"] = comparisons

    # ---- the default engine on the real entries
    engine = Engine()
    _, build_real = timed(lambda: engine.build(entries(default_title)))
    real = {k: round(v, 4) for k, v in evaluate(engine, queries, relevant).items()}
    real_held = {k: round(v, 4) for k, v in evaluate(engine, queries, relevant, held).items()}
    figures["real"] = {
        "entries": len(engine),
        "build_s": round(build_real, 2),
        "all": real,
        "held_out": real_held,
    }
    print(f"\n# default engine, {len(engine)} real entries, built in {build_real:.2f} s")
    print(f"all messages: {real}\nheld-out half: {real_held}")

    # ---- homophone typos in title-only queries
    typo_titles = homophone_typos(titles, answers, rng)
    single = [{i} | relevant[i] for i in range(len(titles))]
    typo = {}
    for name, kinds in (
        ("with_pinyin", (WORD, BIGRAM, PINYIN)),
        ("without_pinyin", (WORD, BIGRAM)),
    ):
        e = engine_for(kinds=kinds)
        e.build(entries(default_title))
        typo[name] = {
            "clean_titles": {k: round(v, 4) for k, v in evaluate(e, titles, single).items()},
            "typo_titles": {k: round(v, 4) for k, v in evaluate(e, typo_titles, single).items()},
        }
    figures["title_queries_and_homophone_typos"] = typo
    print(
        "\n# title-only queries, clean and with homophone typos (e.g. "
        f"{titles[3]!r} → {typo_titles[3]!r})"
    )
    for name, row in typo.items():
        print(f"{name:16s} clean {row['clean_titles']}  typos {row['typo_titles']}")

    # ---- scale: pad to SCALE entries
    padding = synthetic_answers(answers, max(0, args.scale - len(answers)), rng)
    big_entries = entries(default_title) + [
        maker.entry(len(answers) + j, a, default_title) for j, a in enumerate(padding)
    ]
    del padding
    big = Engine()
    rss_before = rss_mb()
    cpu_start = time.process_time()
    _, build_big = timed(lambda: big.build(big_entries))
    build_big_cpu = time.process_time() - cpu_start
    rss_after = rss_mb()
    stats = big.stats()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kb.npz"
        _, save_s = timed(lambda: big.save(path))
        size_mb = path.stat().st_size / 2**20
        loaded = Engine()
        _, load_s = timed(lambda: loaded.load(path))

    prefixes = []
    for t in titles[:1000]:
        core = re.sub(r"^[A-Z]\d*[市区县]?", "", t) or t
        prefixes.append(core[: 2 + len(prefixes) % 3])
    lat = {
        "full_message": latencies(big, queries),
        "title": latencies(big, titles),
        "prefix_2_4_chars": latencies(big, prefixes),
    }
    edit_times = []
    for j in range(50):
        entry = dict(big_entries[j], answer=big_entries[j]["answer"] + "补充说明。")
        start = time.perf_counter()
        big.add(entry)
        big.search(titles[j], limit=10)
        edit_times.append((time.perf_counter() - start) * 1000)
    _, optimize_s = timed(big.optimize)
    at_scale = {k: round(v, 4) for k, v in evaluate(big, queries, relevant).items()}
    figures["scale"] = {
        "entries": stats["entries"],
        "build_s": round(build_big, 2),
        "build_cpu_s": round(build_big_cpu, 2),
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "index_arrays_mb": round(stats["array_bytes"] / 2**20, 1),
        "terms": stats["terms"],
        "postings": stats["postings"],
        "saved_file_mb": round(size_mb, 1),
        "save_s": round(save_s, 2),
        "load_s": round(load_s, 2),
        "latency": lat,
        "edit_add_then_search_ms": {
            "p50": round(float(np.percentile(edit_times, 50)), 2),
            "p99": round(float(np.percentile(edit_times, 99)), 2),
        },
        "optimize_s": round(optimize_s, 2),
        "recall_among_all": at_scale,
    }
    print(f"\n# {stats['entries']} entries ({len(answers)} real + synthetic padding)")
    print(
        f"build {build_big:.1f} s; resident memory +{rss_after - rss_before:.0f} MB; "
        f"index arrays {stats['array_bytes'] / 2**20:.0f} MB; {stats['terms']} terms, "
        f"{stats['postings']} postings"
    )
    print(
        f"save {save_s:.2f} s ({size_mb:.0f} MB), load {load_s:.2f} s, optimize {optimize_s:.2f} s"
    )
    for name, row in lat.items():
        print(f"latency {name:18s} {row}")
    print(f"edit (add + next search) ms: {figures['scale']['edit_add_then_search_ms']}")
    print(f"recall of the real messages among {stats['entries']}: {at_scale}")
    figures["load_average_at_end"] = os.getloadavg()[0]
    print(json.dumps(figures, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
