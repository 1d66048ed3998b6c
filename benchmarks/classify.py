"""Classifier figures: cross-validation, held-out check, default model, latency, load time.

Run: ``python benchmarks/classify.py`` (about a minute on 2 cores).  The last line printed
is one JSON object.  Latency is measured per appeal on one core, as wall time and as
CPU time of the thread (the latter is robust to other load on a shared machine).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import one_core, read_csv
from hotline.nlp.classifier import TextClassifier, cross_validate, metrics, train
from hotline.nlp.defaults import default_model

# Data README: the competition's 7 labels → the standard's 12 domains (§5.4.2).
TO_DOMAIN = {
    "城乡建设": "城乡建设",
    "环境保护": "环境保护",
    "交通运输": "交通出行",
    "教育文体": "科教文旅",
    "劳动和社会保障": "民生保障",
    "卫生计生": "医疗卫生",
    "商贸旅游": "经济综合",
}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def table(result: dict) -> None:
    for label, row in result["per_class"].items():
        print(
            f"  {label:<10} P={row['precision']:.3f} R={row['recall']:.3f} F1={row['f1']:.3f} n={row['support']}"
        )


def main() -> dict:
    one_core()
    train_rows = read_csv("teddy2020_train.csv")
    sample = read_csv("teddy2020_sample_labeled.csv")
    texts = [r["body"] for r in train_rows]
    titles = [r["title"] for r in train_rows]
    labels = [r["label"] for r in train_rows]

    start = time.perf_counter()
    cv = cross_validate(texts, labels, titles, folds=5, seed=0)
    cv_seconds = time.perf_counter() - start
    print(
        f"5-fold CV on teddy2020_train.csv (n={cv['n']}): accuracy {cv['accuracy']:.4f}, macro-F1 {cv['macro_f1']:.4f} ({cv_seconds:.0f} s)"
    )
    table(cv)

    start = time.perf_counter()
    model = train(texts, labels, titles)
    train_seconds = time.perf_counter() - start
    # Held out: the official sample, without the rows whose text is also in the train file.
    seen = {r["body"].strip() for r in train_rows}
    held = [
        r for r in sample if r["body"].strip() not in seen and r["title"] + r["body"] not in seen
    ]
    truth = [r["label"] for r in held]
    pred = [model.predict(r["body"], r["title"]).label for r in held]
    ho = metrics(truth, pred)
    print(
        f"held out: train file → sample file minus {len(sample) - len(held)} overlapping rows (n={ho['n']}): accuracy {ho['accuracy']:.4f}, macro-F1 {ho['macro_f1']:.4f}"
    )

    # Confidence check: how often the top label is right, by confidence band.
    bands: dict[str, list[int]] = {}
    for r, t in zip(held, truth, strict=True):
        p = model.predict(r["body"], r["title"])
        band = "≥0.9" if p.confidence >= 0.9 else "0.7–0.9" if p.confidence >= 0.7 else "<0.7"
        bands.setdefault(band, []).append(int(p.label == t))
    calibration = {
        b: {"n": len(v), "accuracy": round(sum(v) / len(v), 3)} for b, v in bands.items()
    }
    print(f"held-out accuracy by confidence band: {calibration}")

    dm = default_model("domain")
    d_truth = [TO_DOMAIN[r["label"]] for r in sample]
    d_pred = [dm.predict(r["body"], r["title"]).label for r in sample]
    dflt = metrics(d_truth, d_pred)
    print(
        f"default domain model (seeds only) on teddy2020_sample_labeled.csv mapped to §5.4.2 (n={dflt['n']}): accuracy {dflt['accuracy']:.4f}, macro-F1 {dflt['macro_f1']:.4f}"
    )
    table(dflt)
    confusions: dict[str, int] = {}
    for t, p in zip(d_truth, d_pred, strict=True):
        if t != p:
            confusions[f"{t}→{p}"] = confusions.get(f"{t}→{p}", 0) + 1
    top = sorted(confusions.items(), key=lambda kv: -kv[1])[:5]
    print(f"  most frequent confusions: {top}")
    # The competition's 城乡建设 covers housing and property management, which §5.4.2
    # splits off as 住房保障; counting that one split as agreement shows its weight.
    lenient_pred = [
        t if (t, p) == ("城乡建设", "住房保障") else p for t, p in zip(d_truth, d_pred, strict=True)
    ]
    lenient = metrics(d_truth, lenient_pred)
    print(
        f"  same, counting 住房保障 as agreeing with 城乡建设: accuracy {lenient['accuracy']:.4f}, macro-F1 {lenient['macro_f1']:.4f}"
    )

    wall, cpu = [], []
    for r in sample:
        w0, c0 = time.perf_counter(), time.thread_time()
        model.predict(r["body"], r["title"])
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    print(
        f"latency per appeal, one core (n={len(wall)}): wall p50 {statistics.median(wall):.2f} ms p99 {pct(wall, 99):.2f} ms; CPU p50 {statistics.median(cpu):.2f} ms p99 {pct(cpu, 99):.2f} ms"
    )

    with tempfile.TemporaryDirectory() as tmp:
        model.save(tmp)
        size_kb = sum(f.stat().st_size for f in Path(tmp).iterdir()) // 1024
        probe = (
            "import time; t=time.perf_counter(); "
            "from hotline.nlp.classifier import TextClassifier; "
            f"m=TextClassifier.load({tmp!r}); m.predict('路灯坏了'); "
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
        TextClassifier.load(tmp)
        warm = time.perf_counter() - start
    print(
        f"model: {size_kb} KiB on disk, trained in {train_seconds:.1f} s; load {warm * 1000:.0f} ms in a warm process, {cold:.2f} s in a fresh one (imports included)"
    )

    return {
        "cv_folds": 5,
        "cv_n": cv["n"],
        "cv_accuracy": cv["accuracy"],
        "cv_macro_f1": cv["macro_f1"],
        "heldout_n": ho["n"],
        "heldout_accuracy": ho["accuracy"],
        "heldout_macro_f1": ho["macro_f1"],
        "default_domain_n": dflt["n"],
        "default_domain_accuracy": dflt["accuracy"],
        "default_domain_macro_f1": dflt["macro_f1"],
        "default_domain_macro_f1_housing_as_urban": lenient["macro_f1"],
        "latency_ms_p50": round(statistics.median(wall), 3),
        "latency_ms_p99": round(pct(wall, 99), 3),
        "cpu_ms_p50": round(statistics.median(cpu), 3),
        "cpu_ms_p99": round(pct(cpu, 99), 3),
        "load_s_warm": round(warm, 3),
        "load_s_cold": round(cold, 3),
        "train_s": round(train_seconds, 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
