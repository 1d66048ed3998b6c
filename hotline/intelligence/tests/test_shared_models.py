"""A retrained model reaches every server (issue 13 item 6): its files are stored on the
``ModelVersion`` row as opaque bytes, and a server that never saw the training directory
unpacks and loads the active version — the same predictions as the machine that trained it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from hotline.intelligence import artifacts, services
from hotline.intelligence.models import ModelVersion
from hotline.intelligence.tests.test_command import ROADS, SCHOOL
from hotline.orders import actions as act

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

TEXT = ("路灯坏了", "康乐小区门口的路灯坏了好几天")


@pytest.fixture
def confirmed_orders(flow, reviewer, org):
    from hotline.catalog.models import Category

    edu = Category.objects.filter(domain="education_culture").exclude(parent=None).first()
    for i in range(4):
        for title, content, cat, typ in ROADS + SCHOOL:
            o = flow.pending_review(
                title=f"{title}{i}",
                content=content,
                category=cat if cat != "education" else edu.code,
                appeal_type=typ,
            )
            act.do_dispatch(o, reviewer, lead_unit=org.zjj)


def suggestion() -> dict:
    services.invalidate()
    r = services.suggest(*TEXT, with_units=False, with_duplicates=False)
    return {
        "version": r["model_version"],
        "domain": [(d["code"], d["confidence"]) for d in r["domain"]],
    }


@pytest.mark.django_db
def test_a_server_that_did_not_train_the_model_loads_it_from_the_database(
    confirmed_orders, settings, tmp_path
):
    settings.VAR_DIR = tmp_path / "server-a"
    call_command("model", "retrain", "--min-rows", "10")
    on_a = suggestion()
    assert on_a["version"].startswith("domain:")
    mv = ModelVersion.objects.get(kind="domain", active=True)
    assert mv.artifact_sha256 == artifacts.digest(bytes(mv.artifact))

    # server B: another disk; the trained directory does not exist there
    shutil.rmtree(tmp_path / "server-a")
    settings.VAR_DIR = tmp_path / "server-b"
    on_b = suggestion()
    assert on_b == on_a
    unpacked = Path(services.model_dirs()["domain"])
    assert unpacked.parent == tmp_path / "server-b" / "models" / "shared"
    assert sorted(p.name for p in unpacked.iterdir()) == sorted(n for n in artifacts_files(mv))
    # a second process on B reuses the unpacked copy
    stamp = unpacked.stat().st_mtime_ns
    assert suggestion() == on_a and unpacked.stat().st_mtime_ns == stamp


def artifacts_files(mv: ModelVersion) -> list[str]:
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(bytes(mv.artifact))) as tar:
        return tar.getnames()


@pytest.mark.django_db
def test_a_tampered_artifact_is_not_loaded(confirmed_orders, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "server-a"
    call_command("model", "retrain", "--min-rows", "10", "--kind", "domain")
    shutil.rmtree(tmp_path / "server-a")
    settings.VAR_DIR = tmp_path / "server-b"
    mv = ModelVersion.objects.get(kind="domain", active=True)
    ModelVersion.objects.filter(pk=mv.pk).update(artifact=bytes(mv.artifact)[:-10] + b"x" * 10)
    assert not suggestion()["version"].startswith("domain:")
    assert not (tmp_path / "server-b" / "models" / "shared").exists() or not any(
        (tmp_path / "server-b" / "models" / "shared").iterdir()
    )
