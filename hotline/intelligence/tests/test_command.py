"""``hotline model train|evaluate|retrain`` (issue 5's exact command line)."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.intelligence import services
from hotline.intelligence.models import ModelVersion
from hotline.orders import actions as act

# ../shared/data beside the checkout (never an absolute path, never copied into the repo).
DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "teddy2020_train.csv"


def _small_csv(path: Path, per_label: int = 12) -> Path:
    """A few rows per label of the shared training file (read, never copied in the repo)."""
    with DATA.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    taken: dict[str, int] = {}
    picked = []
    for row in rows:
        if taken.get(row["label"], 0) < per_label:
            taken[row["label"]] = taken.get(row["label"], 0) + 1
            picked.append(row)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "title", "body", "label"])
        w.writeheader()
        w.writerows(picked)
    return path


def test_train_then_evaluate_json(tmp_path, capsys):
    data = _small_csv(tmp_path / "small.csv")
    out = tmp_path / "model"
    call_command(
        "model",
        "train",
        "--csv",
        str(data),
        "--text-col",
        "body",
        "--title-col",
        "title",
        "--label-col",
        "label",
        "--out",
        str(out),
    )
    assert (out / "meta.json").exists() and (out / "weights.npz").exists()
    capsys.readouterr()
    call_command(
        "model",
        "evaluate",
        "--csv",
        str(data),
        "--text-col",
        "body",
        "--title-col",
        "title",
        "--label-col",
        "label",
        "--model",
        str(out),
        "--json",
    )
    printed = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("宏平均F1 macro-F1") for line in printed)
    result = json.loads(printed[-1])
    assert set(result) == {
        "accuracy",
        "macro_f1",
        "n",
        "per_class",
        "latency_ms_p50",
        "latency_ms_p99",
    }
    assert result["n"] == 84 and len(result["per_class"]) == 7
    assert result["accuracy"] > 0.9  # its own training rows


def test_evaluate_default_model_and_errors(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text(
        "text,label\n小区路灯坏了好几天没人修,城乡建设\n孩子入学报名材料有哪些,科教文旅\n",
        encoding="utf-8",
    )
    call_command(
        "model",
        "evaluate",
        "--csv",
        str(path),
        "--text-col",
        "text",
        "--label-col",
        "label",
        "--json",
    )
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["n"] == 2
    with pytest.raises(CommandError):
        call_command(
            "model", "evaluate", "--csv", str(path), "--text-col", "nope", "--label-col", "label"
        )
    assert "nope" in capsys.readouterr().err


ROADS = [
    ("路灯不亮", "小区门口路灯坏了晚上一片漆黑", "street_light", "help"),
    ("井盖丢失", "路口井盖丢了很危险请尽快补上", "drainage", "help"),
    ("道路破损", "人行道砖松动坑洼不平", "road_facility", "complaint"),
]
SCHOOL = [
    ("入学咨询", "孩子明年上小学需要准备哪些材料", "education", "consult"),
    ("学校收费", "学校违规收取补课费用", "education", "complaint"),
    ("课外培训", "培训机构退费难", "education", "complaint"),
]


@pytest.mark.django_db
def test_retrain_from_confirmed_orders(flow, reviewer, org, tmp_path, settings, capsys):
    from hotline.catalog.models import Category

    edu = Category.objects.filter(domain="education_culture").exclude(parent=None).first()
    for i in range(4):
        for title, content, cat, typ in ROADS + SCHOOL:
            code = cat if cat != "education" else edu.code
            o = flow.pending_review(
                title=f"{title}{i}", content=content, category=code, appeal_type=typ
            )
            act.do_dispatch(o, reviewer, lead_unit=org.zjj)
    flow.accepted(title="未派转的不算", category=edu.code)
    settings.VAR_DIR = tmp_path
    call_command("model", "retrain", "--min-rows", "10")
    active = {mv.kind: mv for mv in ModelVersion.objects.filter(active=True)}
    assert set(active) == {"domain", "type"}
    assert active["domain"].n_train == 24
    assert sorted(active["domain"].labels) == ["城乡建设", "科教文旅"]
    assert Path(active["domain"].path).parent == tmp_path / "models" / "centre"
    # the service now uses the centre's model
    r = services.suggest("路灯坏了", "小区门口路灯坏了", with_units=False, with_duplicates=False)
    assert r["model_version"].startswith("domain:")
    assert {d["code"] for d in r["domain"]} <= {"urban_rural", "education_culture"}
    # a model whose directory vanished falls back on the default
    import shutil

    shutil.rmtree(active["domain"].path)
    services.invalidate()
    r = services.suggest("路灯坏了", "小区门口路灯坏了", with_units=False, with_duplicates=False)
    assert not r["model_version"].startswith("domain:")


@pytest.mark.django_db
def test_retrain_refuses_too_little(org, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError):
        call_command("model", "retrain")
    assert not ModelVersion.objects.exists()
