"""Clause traceability you can trust: the standard's text is in the repository
(``docs/standard/``), tests say which clause they prove with a marker —
``@pytest.mark.clause("6.4.1")`` — and every clause of §5–§6 has at least one such test.
A clause cited in a comment or a docstring proves nothing."""

from __future__ import annotations

import subprocess
import sys

from scripts import clauses


def test_the_standard_is_read_from_the_repository_with_its_name():
    assert clauses.STANDARD.is_relative_to(clauses.ROOT / "docs" / "standard")
    text = clauses.STANDARD.read_text(encoding="utf-8")
    assert "12345 政务服务便民热线诉求处置规范" in text
    assert "12345 政务服务便民热线诉求处置规范" in (
        clauses.ROOT / "docs" / "standard" / "README.md"
    ).read_text(encoding="utf-8")
    found = clauses.standard_clauses(text)
    assert {"4.2", "5.3", "6.1.2", "6.2", "6.4.2", "6.5", "6.8.3"} <= set(found)
    assert found.index("5.1") < found.index("6.1") < found.index("6.8.3")


def test_a_heading_made_of_sub_clauses_is_proven_by_them():
    found = clauses.standard_clauses()
    assert clauses.children("6.1", found) == [f"6.1.{i}" for i in range(1, 8)]
    tests = {c: {"t": ""} for c in clauses.children("6.6", found)}
    assert "6.6" not in clauses.uncovered(found, tests)
    del tests["6.6.2"]
    assert {"6.6", "6.6.2"} <= set(clauses.uncovered(found, tests))
    assert "4.1" not in clauses.uncovered(found, {})  # §4 is reported, not required


def test_a_marker_must_name_a_clause_the_standard_has():
    assert clauses.unknown([("t1", "6.4.1"), ("t2", "§6.5")]) == []
    assert clauses.unknown([("t3", "6.9"), ("t4", "")]) == ["t3: '6.9'", "t4: ''"]


def test_every_clause_of_sections_5_and_6_has_a_marked_test():
    """Runs the same collection as ``python scripts/clauses.py --check``."""
    done = subprocess.run(
        [sys.executable, "scripts/clauses.py", "--check"],
        cwd=clauses.ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
