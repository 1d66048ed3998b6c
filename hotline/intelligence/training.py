"""Retraining from the centre's own confirmed orders (SPEC §9: "trainable … from every
confirmed order").

A confirmed order is one a reviewer dispatched (or an agent closed directly) — its
category and type were checked twice.  The domain label is the §5.4.2 label of the order's
category (``城乡建设``), the type label the §5.4.1 label, so the retrained models answer in
the same labels as the default ones and replace them transparently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db.models import Q

from hotline.intelligence import artifacts, services
from hotline.intelligence.models import ModelVersion
from hotline.nlp.classifier import Config, train_from_records
from hotline.rules import taxonomy


@dataclass
class RetrainResult:
    kind: str
    version: ModelVersion | None
    message: str = ""


def confirmed_records(kind: str) -> list[tuple[str, str, str]]:
    from hotline.orders.models import WorkOrder

    qs = WorkOrder.objects.filter(
        Q(dispatched_at__isnull=False) | Q(state="closed", direct_answer__gt="")
    ).exclude(state__in=["rejected", "merged"])
    if kind == "domain":
        rows = qs.exclude(domain="").values_list("title", "content", "domain")
        vocab = taxonomy.DOMAINS
    else:
        rows = qs.exclude(appeal_type="").values_list("title", "content", "appeal_type")
        vocab = taxonomy.APPEAL_TYPES
    return [
        (t or "", c or "", vocab.label(code)) for t, c, code in rows.iterator() if code in vocab
    ]


def retrain(
    kinds: list[str], out: Path, *, min_rows: int, activate: bool, now: datetime
) -> list[RetrainResult]:
    results = []
    for kind in kinds:
        records = confirmed_records(kind)
        labels = sorted({r[2] for r in records})
        if len(records) < min_rows or len(labels) < 2:
            results.append(
                RetrainResult(
                    kind, None, f"{len(records)} 条已确认工单、{len(labels)} 个类别，不足以训练"
                )
            )
            continue
        version = now.strftime("%Y%m%d%H%M%S")
        target = out / f"{kind}-{version}"
        config = Config(min_df=1) if len(records) < 1000 else None  # keep rare words when small
        model = train_from_records(
            records, target, config, extra_meta={"source": "confirmed orders", "kind": kind}
        )
        if activate:
            ModelVersion.objects.filter(kind=kind, active=True).update(active=False)
        mv = ModelVersion(
            kind=kind,
            path=str(target),
            version=version,
            n_train=len(records),
            labels=list(model.labels),
            metrics={"label_counts": model.meta.get("label_counts", {})},
            source="confirmed orders",
            active=activate,
            created_at=now,
        )
        artifacts.attach(mv, target)  # every server loads it from the database
        mv.save()
        results.append(RetrainResult(kind, mv))
    services.invalidate("models")
    return results
