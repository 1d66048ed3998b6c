"""``hotline model train|evaluate|retrain`` (SPEC §9, issue 5's command line).

``train`` and ``evaluate`` are :mod:`hotline.nlp.cli` unchanged (same options, same output,
``--json`` last line); ``retrain`` trains the domain and type models from the database's
confirmed orders and makes the service use them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hotline import clock
from hotline.nlp import cli


class Command(BaseCommand):
    help = "训练、评估分类模型，或用已确认的工单重新训练 / train, evaluate, retrain classifiers"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="model_command", required=True)
        cli.add_model_commands(sub)
        r = sub.add_parser("retrain", help="train from the database's confirmed orders")
        r.add_argument("--min-rows", type=int, default=20, help="fewest orders to train on")
        r.add_argument("--kind", choices=["domain", "type", "both"], default="both")
        r.add_argument("--out", help="directory for the models (default: VAR_DIR/models/centre)")
        r.add_argument(
            "--no-activate", action="store_true", help="train but keep the current model"
        )
        r.set_defaults(handler=None)

    def handle(self, *args, **options) -> None:
        if options["model_command"] == "retrain":
            self._retrain(options)
            return
        ns = argparse.Namespace(**options)
        status = cli.run(ns)
        if status:
            raise CommandError("模型命令失败 / model command failed", returncode=status)

    def _retrain(self, options) -> None:
        from hotline.intelligence.training import retrain

        kinds = ["domain", "type"] if options["kind"] == "both" else [options["kind"]]
        out = Path(options["out"] or Path(settings.VAR_DIR) / "models" / "centre")
        start = time.perf_counter()
        with transaction.atomic():
            results = retrain(
                kinds,
                out,
                min_rows=options["min_rows"],
                activate=not options["no_activate"],
                now=clock.now(),
            )
        for r in results:
            if r.version is None:
                self.stdout.write(f"{r.kind}: 跳过 / skipped — {r.message}")
            else:
                self.stdout.write(
                    f"{r.kind}: 已训练 / trained {r.version.version} on {r.version.n_train} orders, "
                    f"{len(r.version.labels)} labels → {r.version.path}"
                    + ("（已启用 / active）" if r.version.active else "")
                )
        self.stdout.write(f"{time.perf_counter() - start:.1f} s")
        if all(r.version is None for r in results):
            raise CommandError("没有足够的已确认工单 / not enough confirmed orders to train on")
