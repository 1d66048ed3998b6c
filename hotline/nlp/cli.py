"""``hotline model train`` and ``hotline model evaluate`` (SPEC §9).

The project's ``hotline`` command wires these in with :func:`add_subcommands`; they also
run alone: ``python -m hotline.nlp.cli model evaluate --csv …``.

CSV files are UTF-8 (a BOM is accepted), RFC 4180: quoted fields may hold newlines.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from hotline.nlp.classifier import (
    Config,
    ModelError,
    TextClassifier,
    cross_validate,
    metrics,
    train_from_records,
)


class CsvError(Exception):
    """A CSV file cannot be used as asked; the message is for the person at the terminal."""


def read_labelled_csv(
    path: str | Path, text_col: str, label_col: str | None, title_col: str | None = None
) -> list[tuple[str, str, str]]:
    """``(title, text, label)`` rows of a CSV; raises :class:`CsvError` on a missing column."""
    try:
        fh = open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise CsvError(f"找不到文件 / file not found: {path}") from None
    with fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames or []
        wanted = [("--text-col", text_col), ("--label-col", label_col), ("--title-col", title_col)]
        for option, col in wanted:
            if col is not None and col not in columns:
                raise CsvError(
                    f"CSV 文件中没有列“{col}”（{option}）/ column {col!r} ({option}) is not in "
                    f"{path}; 现有列 / columns present: {', '.join(columns) or '（无 / none）'}"
                )
        rows = []
        try:
            for row in reader:
                title = (row.get(title_col) or "") if title_col else ""
                label = (row.get(label_col) or "").strip() if label_col else ""
                rows.append((title, row.get(text_col) or "", label))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CsvError(f"无法读取 CSV / cannot read {path}: {exc}") from None
    return rows


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def evaluate(model: TextClassifier, rows: Sequence[tuple[str, str, str]]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class table and latency per appeal (milliseconds)."""
    truth, predicted, latency, cpu = [], [], [], []
    for title, text, label in rows:
        if not label:
            continue
        start, start_cpu = time.perf_counter(), time.thread_time()
        predicted.append(model.predict(text, title).label)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        latency.append((time.perf_counter() - start) * 1000)
        truth.append(label)
    result = metrics(truth, predicted)
    result["latency_ms_p50"] = round(statistics.median(latency), 3) if latency else 0.0
    result["latency_ms_p99"] = round(_percentile(latency, 99), 3)
    # CPU time of this thread: what latency would be on an otherwise idle core.
    result["cpu_ms_p50"] = round(statistics.median(cpu), 3) if cpu else 0.0
    result["cpu_ms_p99"] = round(_percentile(cpu, 99), 3)
    result["unknown_labels"] = sorted(set(truth) - set(model.labels))
    return result


def _pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


def _print_report(result: dict[str, Any], out: TextIO) -> None:
    print(f"样本数 n: {result['n']}", file=out)
    print(f"准确率 accuracy: {result['accuracy']:.4f}", file=out)
    print(f"宏平均F1 macro-F1: {result['macro_f1']:.4f}", file=out)
    print(
        f"{_pad('类别 label', 16)}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}", file=out
    )
    for label, row in result["per_class"].items():
        print(
            f"{_pad(label, 16)}{row['precision']:>10.4f}{row['recall']:>10.4f}"
            f"{row['f1']:>10.4f}{row['support']:>9}",
            file=out,
        )
    if "latency_ms_p50" in result:
        print(
            f"每条耗时 latency per appeal: p50 {result['latency_ms_p50']:.3f} ms, "
            f"p99 {result['latency_ms_p99']:.3f} ms (CPU p50 {result['cpu_ms_p50']:.3f} ms, "
            f"p99 {result['cpu_ms_p99']:.3f} ms)",
            file=out,
        )
    if result.get("unknown_labels"):
        print(
            "注意：以下标签模型中没有 / labels the model does not know: "
            + ", ".join(result["unknown_labels"]),
            file=out,
        )


def _read_all(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """Rows of every ``--csv`` given (the same columns in each)."""
    rows: list[tuple[str, str, str]] = []
    for path in args.csv:
        rows.extend(read_labelled_csv(path, args.text_col, args.label_col, args.title_col))
    return rows


def _cmd_train(args: argparse.Namespace) -> int:
    rows = [r for r in _read_all(args) if r[2]]
    config = Config(estimator=args.estimator)
    if args.cv:
        titles, texts, labels = (list(x) for x in zip(*rows, strict=True))
        result = cross_validate(texts, labels, titles, config, folds=args.cv)
        print(f"{args.cv} 折交叉验证 / {args.cv}-fold cross-validation:")
        _print_report(result, sys.stdout)
    start = time.perf_counter()
    sources = ", ".join(str(Path(p).name) for p in args.csv)
    model = train_from_records(rows, args.out, config, {"source": sources})
    seconds = time.perf_counter() - start
    print(
        f"已训练 / trained: {len(model.labels)} 个类别 labels, {model.meta['n_train']} 条样本 "
        f"rows, {seconds:.1f} s → {args.out}"
    )
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    if args.model:
        model = TextClassifier.load(args.model)
    else:
        from hotline.nlp.defaults import default_model

        model = default_model("domain")
    result = evaluate(model, _read_all(args))
    _print_report(result, sys.stdout)
    if args.json:
        keys = ("accuracy", "macro_f1", "n", "per_class", "latency_ms_p50", "latency_ms_p99")
        print(json.dumps({k: result[k] for k in keys}, ensure_ascii=False))
    return 0


def add_subcommands(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``model train`` and ``model evaluate`` to an argparse subparsers object."""
    model: argparse.ArgumentParser = subparsers.add_parser(
        "model", help="训练与评估分类模型 / train and evaluate classifiers"
    )
    add_model_commands(model.add_subparsers(dest="model_command", required=True))
    return model


def add_model_commands(sub: Any) -> None:
    """Add ``train`` and ``evaluate`` to a subparsers object (the Django ``model`` command
    adds its own ``retrain`` beside them)."""

    def columns(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--csv",
            required=True,
            action="append",
            help="UTF-8 CSV with a header row (repeat to use several files with the same columns)",
        )
        p.add_argument("--text-col", required=True, help="column with the appeal text")
        p.add_argument("--title-col", help="column with the title (optional)")
        p.add_argument("--label-col", required=True, help="column with the label")

    t = sub.add_parser("train", help="train on a labelled CSV (its own label set)")
    columns(t)
    t.add_argument("--out", required=True, help="model directory to write")
    t.add_argument("--cv", type=int, default=0, help="also report k-fold cross-validation")
    t.add_argument("--estimator", default="ridge", choices=["ridge", "svm", "ridge+svm"])
    t.set_defaults(handler=_cmd_train)

    e = sub.add_parser("evaluate", help="evaluate a model on a labelled CSV")
    columns(e)
    e.add_argument("--model", help="model directory (default: the installed domain model)")
    e.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    e.set_defaults(handler=_cmd_evaluate)


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``model …`` command; errors become a message and exit status 2."""
    try:
        return int(args.handler(args))
    except (CsvError, ModelError, ValueError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotline")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
