"""The shared data and the standard are found relative to the checkout (``../shared``) or
through ``$HOTLINE_SHARED_DIR`` — never through an absolute path of one machine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotline.common import shared

CHECKOUT = Path(shared.__file__).resolve().parents[2]
SOURCES = ("hotline", "benchmarks", "scripts", "docs", "deploy")


def test_the_shared_folder_is_beside_the_checkout_unless_the_environment_says(monkeypatch):
    monkeypatch.delenv(shared.ENV, raising=False)
    assert shared.shared_dir() == CHECKOUT.parent / "shared"
    monkeypatch.setenv(shared.ENV, "/srv/hotline-shared")
    assert shared.shared_dir() == Path("/srv/hotline-shared")


def test_a_missing_file_says_where_it_was_looked_for_and_how_to_point_elsewhere(
    monkeypatch, tmp_path
):
    monkeypatch.setenv(shared.ENV, str(tmp_path))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "present.csv").write_text("id\n", encoding="utf-8")
    assert shared.data_path("present.csv") == tmp_path / "data" / "present.csv"
    with pytest.raises(shared.SharedMissing) as err:
        shared.data_path("teddy2020_train.csv")
    assert str(tmp_path / "data" / "teddy2020_train.csv") in str(err.value)
    assert shared.ENV in str(err.value)


def test_no_source_names_a_machine_specific_shared_path():
    """The absolute path of the machine the project was written on must not come back."""
    pattern = re.compile(r"/work/(shared|main|wt)\b")
    hits = [
        f"{path.relative_to(CHECKOUT)}:{n}"
        for top in SOURCES
        if (CHECKOUT / top).is_dir()
        for path in sorted((CHECKOUT / top).rglob("*"))
        if path.suffix in {".py", ".md", ".txt", ".toml", ".cfg", ".conf", ".sh"}
        and path.is_file()
        and path.name != "test_shared.py"
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not hits, hits
