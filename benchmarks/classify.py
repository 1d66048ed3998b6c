"""Classifier figures on the shared labelled appeals, with a split no model trains on.

    python benchmarks/classify.py [--seeds 3]

Data: ``teddy2020_train.csv`` and ``teddy2020_sample_labeled.csv`` from ``../shared/data``
(read, never copied), each message once.  ``hotline.nlp.build_models.held_out`` sets aside
about a fifth of them (by a hash of the body); the shipped models and every model below
train on the rest only.

1. Cross-validation of the trainable pipeline on the training split: stratified 5-fold over
   several fold seeds (what configurations were chosen by; ``docs/intelligence.md``).
2. The command line a centre uses: ``hotline model train`` on the two files (their training
   split, written to a temporary directory) and ``hotline model evaluate`` on the held-out
   split — accuracy, macro-F1, latency.
3. The shipped default domain model on the held-out split mapped to §5.4.2.
4. Latency per appeal on one pinned core (wall and thread CPU time), model size, load time.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import contextlib
import csv
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import one_core, shared_data
from hotline.nlp import build_models
from hotline.nlp.classifier import Config, TextClassifier, cross_validate, metrics
from hotline.nlp.cli import main as cli_main
from hotline.nlp.defaults import default_model


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def table(result: dict) -> None:
    for label, row in result["per_class"].items():
        print(
            f"  {label:<10} P={row['precision']:.3f} R={row['recall']:.3f} "
            f"F1={row['f1']:.3f} n={row['support']}"
        )


def write_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "body", "label"])
        w.writerows(rows)
    return path


def cli(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli_main(list(args))
    if status:
        raise SystemExit(f"hotline {' '.join(args)} failed ({status})")
    return out.getvalue()


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="fold seeds of the CV")
    args = parser.parse_args()
    one_core()
    rows = build_models.read_labelled(shared_data())
    train_rows, held = build_models.split(rows)
    print(f"labelled messages {len(rows)}: training split {len(train_rows)}, held out {len(held)}")
    titles = [t for t, _, _ in train_rows]
    texts = [b for _, b, _ in train_rows]
    labels = [label for _, _, label in train_rows]

    # 1. cross-validation over fold seeds
    cv_f1, cv_acc = [], []
    start = time.perf_counter()
    for seed in range(args.seeds):
        cv = cross_validate(texts, labels, titles, Config(), folds=5, seed=seed)
        cv_f1.append(cv["macro_f1"])
        cv_acc.append(cv["accuracy"])
        print(
            f"5-fold CV, fold seed {seed}: accuracy {cv['accuracy']:.4f} macro-F1 {cv['macro_f1']:.4f}"
        )
    cv_s = time.perf_counter() - start
    print(f"CV mean over {args.seeds} seeds: macro-F1 {statistics.mean(cv_f1):.4f} ({cv_s:.0f} s)")

    with tempfile.TemporaryDirectory() as tmp:
        # 2. hotline model train on the two files' training split, evaluate on the held out
        by_file: dict[str, list[tuple[str, str, str]]] = {
            n: [] for n in build_models.LABELLED_FILES
        }
        kept = {(t, b) for t, b, _ in train_rows}
        for name in build_models.LABELLED_FILES:
            with (shared_data() / name).open(encoding="utf-8-sig", newline="") as fh:
                for r in csv.DictReader(fh):
                    if (r.get("title") or "", r["body"]) in kept:
                        by_file[name].append((r.get("title") or "", r["body"], r["label"]))
        files = [write_csv(Path(tmp) / name, by_file[name]) for name in by_file]
        held_csv = write_csv(Path(tmp) / "held_out.csv", held)
        model_dir = Path(tmp) / "model"
        cols = ["--text-col", "body", "--title-col", "title", "--label-col", "label"]
        start = time.perf_counter()
        train_args = [a for f in files for a in ("--csv", str(f))]
        cli("model", "train", *train_args, *cols, "--out", str(model_dir))
        train_s = time.perf_counter() - start
        report = cli(
            "model", "evaluate", "--csv", str(held_csv), *cols, "--model", str(model_dir), "--json"
        )
        evaluated = json.loads(report.strip().splitlines()[-1])
        print(
            f"hotline model train (both files, training split) → hotline model evaluate "
            f"(held out, n={evaluated['n']}): accuracy {evaluated['accuracy']:.4f}, "
            f"macro-F1 {evaluated['macro_f1']:.4f}"
        )
        table(evaluated)
        model = TextClassifier.load(model_dir)

        # confidence bands on the held-out split
        bands: dict[str, list[int]] = {}
        for title, body, label in held:
            p = model.predict(body, title)
            band = "≥0.9" if p.confidence >= 0.9 else "0.7–0.9" if p.confidence >= 0.7 else "<0.7"
            bands.setdefault(band, []).append(int(p.label == label))
        calibration = {
            b: {"n": len(v), "accuracy": round(sum(v) / len(v), 3)} for b, v in bands.items()
        }
        print(f"held-out accuracy by confidence band: {calibration}")

        # 4. latency, size, load
        wall, cpu = [], []
        for title, body, _ in held:
            w0, c0 = time.perf_counter(), time.thread_time()
            model.predict(body, title)
            cpu.append((time.thread_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        size_kb = sum(f.stat().st_size for f in model_dir.iterdir()) // 1024
        probe = (
            "import time; t=time.perf_counter(); "
            "from hotline.nlp.classifier import TextClassifier; "
            f"m=TextClassifier.load({str(model_dir)!r}); m.predict('路灯坏了'); "
            "print(time.perf_counter()-t)"
        )
        cold = float(
            subprocess.run(
                [sys.executable, "-c", probe],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parents[1],
            ).stdout
        )
        start = time.perf_counter()
        TextClassifier.load(model_dir)
        warm = time.perf_counter() - start
    print(
        f"latency per appeal, one core (n={len(wall)}): wall p50 {statistics.median(wall):.2f} ms "
        f"p99 {pct(wall, 99):.2f} ms; CPU p50 {statistics.median(cpu):.2f} ms p99 {pct(cpu, 99):.2f} ms"
    )
    print(
        f"model: {size_kb} KiB, trained in {train_s:.1f} s; load {warm * 1000:.0f} ms warm, "
        f"{cold:.2f} s in a fresh process (imports included)"
    )

    # 3. the shipped default domain model on the held-out split mapped to §5.4.2
    dm = default_model("domain")
    d_truth = [build_models.TO_DOMAIN[label] for _, _, label in held]
    d_pred = [dm.predict(body, title).label for title, body, _ in held]
    dflt = metrics(d_truth, d_pred)
    print(
        f"shipped default domain model on the held-out split mapped to §5.4.2 (n={dflt['n']}): "
        f"accuracy {dflt['accuracy']:.4f}, macro-F1 {dflt['macro_f1']:.4f}"
    )
    table(dflt)
    confusions: dict[str, int] = {}
    for t, p in zip(d_truth, d_pred, strict=True):
        if t != p:
            confusions[f"{t}→{p}"] = confusions.get(f"{t}→{p}", 0) + 1
    print(f"  most frequent confusions: {sorted(confusions.items(), key=lambda kv: -kv[1])[:5]}")

    return {
        "labelled": len(rows),
        "training_split": len(train_rows),
        "held_out": len(held),
        "cv_folds": 5,
        "cv_fold_seeds": args.seeds,
        "cv_macro_f1_by_seed": cv_f1,
        "cv_macro_f1_mean": round(statistics.mean(cv_f1), 4),
        "cv_accuracy_mean": round(statistics.mean(cv_acc), 4),
        "heldout_cli_n": evaluated["n"],
        "heldout_cli_accuracy": evaluated["accuracy"],
        "heldout_cli_macro_f1": evaluated["macro_f1"],
        "default_domain_heldout_n": dflt["n"],
        "default_domain_heldout_accuracy": dflt["accuracy"],
        "default_domain_heldout_macro_f1": dflt["macro_f1"],
        "latency_ms_p50": round(statistics.median(wall), 3),
        "latency_ms_p99": round(pct(wall, 99), 3),
        "cpu_ms_p50": round(statistics.median(cpu), 3),
        "cpu_ms_p99": round(pct(cpu, 99), 3),
        "model_kib": size_kb,
        "load_s_warm": round(warm, 3),
        "load_s_cold": round(cold, 3),
        "train_s": round(train_s, 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
