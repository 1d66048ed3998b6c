"""A clause of the standard can be traced to the code that enforces it and the test that
proves it: every clause of sections 4–6 is cited in code and in a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.clauses import NOT_SOFTWARE, STANDARD, scan, standard_clauses

CLAUSES = standard_clauses(STANDARD.read_text(encoding="utf-8"))
CODE, TESTS = scan(CLAUSES)


def test_the_standard_has_its_clauses():
    assert {"5.3", "6.2", "6.4.2", "6.5", "6.8.3"} <= set(CLAUSES)


@pytest.mark.parametrize("clause", [c for c in CLAUSES if c not in NOT_SOFTWARE])
def test_clause_is_cited_in_code_and_tests(clause):
    assert CODE.get(clause), f"§{clause} is not cited by any code under hotline/"
    assert TESTS.get(clause), f"§{clause} is not cited by any test"


def test_exemptions_say_why():
    assert all(len(reason) > 10 for reason in NOT_SOFTWARE.values())
    assert Path(__file__).exists()
