"""Trace every clause of the standard to the tests that prove it — from the tests' markers
alone: ``@pytest.mark.clause("6.4.1")`` (several numbers allowed, or a module's
``pytestmark``), as pytest itself collects them.  A clause cited in a docstring or a comment
does not count.

    python scripts/clauses.py            # print the table (Markdown) to stdout
    python scripts/clauses.py --write    # write docs/clauses.md
    python scripts/clauses.py --check    # exit 1 if a clause of §5–§6 has no marked test

The clauses are the numbered headings of the standard's text in ``docs/standard/``.  A
heading whose whole content is its sub-clauses (§6.1 受理 → §6.1.1–§6.1.7) is proven by
them.  This module is also the pytest plugin that reports the markers (``-p
scripts.clauses``) and the one place that lists the clauses (the root ``conftest.py``
checks every marker against it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STANDARD = ROOT / "docs" / "standard" / "12345-hotline-appeal-disposal.txt"
HEADING = re.compile(r"^(?:- )?([4-6]\.\d(?:\.\d)?) ")
REQUIRED = ("5.", "6.")  # every clause of §5–§6 must have a marked test

# What §4 (the organisations' duties) asks of people rather than software.
NOTES = {
    "4.1": "服务机构职责；b) 考核评价、c) 统一受理、分类处置、督办回访由系统支撑，"
    "a) d) e) 是组织工作",
    "4.2": "承办单位职责：a) 按时办理答复、b) 分析集中事项、c) 维护知识库由系统支撑，"
    "d) 联络机制是组织工作（系统记录联络人与领导电话）",
}


def standard_clauses(text: str | None = None) -> list[str]:
    """The clause numbers of the standard, in order (``4.1`` … ``6.8.3``)."""
    if text is None:
        text = STANDARD.read_text(encoding="utf-8")
    seen: list[str] = []
    for line in text.splitlines():
        m = HEADING.match(line.strip())
        if m and m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def children(clause: str, clauses: list[str]) -> list[str]:
    return [
        c for c in clauses if c.startswith(clause + ".") and c.count(".") == clause.count(".") + 1
    ]


def normalise(number: str) -> str:
    return number.strip().lstrip("§").strip()


def unknown(marks: list[tuple[str, object]], clauses: list[str] | None = None) -> list[str]:
    """``(test, number)`` pairs whose number is not a clause of the standard."""
    known = set(standard_clauses() if clauses is None else clauses)
    return sorted({f"{test}: {n!r}" for test, n in marks if normalise(str(n)) not in known})


# --- the pytest plugin: report every collected test's clause markers ------------------------


def pytest_collection_finish(session) -> None:
    out = os.environ.get("HOTLINE_CLAUSES_OUT")
    if not out:
        return
    rows = []
    for item in session.items:
        numbers = [normalise(n) for m in item.iter_markers("clause") for n in m.args]
        if not numbers:
            continue
        doc = (getattr(getattr(item, "function", None), "__doc__", None) or "").strip()
        rows.append(
            {
                "test": item.nodeid.split("[")[0],
                "clauses": sorted(set(numbers)),
                "doc": doc.splitlines()[0] if doc else "",
            }
        )
    Path(out).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def collect() -> list[dict]:
    """Ask pytest to collect the whole suite (no test runs) and report the markers."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clauses.json"
        env = {**os.environ, "HOTLINE_CLAUSES_OUT": str(out)}
        env.pop("HOTLINE_TEST_NOW", None)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--collect-only",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "scripts.clauses",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not out.exists():
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
            raise SystemExit("pytest could not collect the tests")
        return json.loads(out.read_text(encoding="utf-8"))


# --- the table --------------------------------------------------------------------------------


def trace(rows: list[dict]) -> dict[str, dict[str, str]]:
    """clause → {test node id: first docstring line}, one entry per test function."""
    tests: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        for c in row["clauses"]:
            tests[c][row["test"]] = row["doc"]
    return tests


def uncovered(clauses: list[str], tests: dict[str, dict[str, str]]) -> list[str]:
    """Clauses of §5–§6 that no marked test proves (a heading made only of sub-clauses is
    proven when every sub-clause is)."""

    def proven(c: str) -> bool:
        subs = children(c, clauses)
        if tests.get(c):
            return True
        return bool(subs) and all(proven(s) for s in subs)

    return [c for c in clauses if c.startswith(REQUIRED) and not proven(c)]


def table(clauses: list[str], tests: dict[str, dict[str, str]]) -> str:
    lines = [
        "# Clause traceability",
        "",
        "Generated by `scripts/clauses.py` from the tests' `@pytest.mark.clause(…)` markers "
        "(nothing else counts): every clause of the standard "
        "([`docs/standard/`](standard/README.md)) and the tests that prove it. "
        "`python scripts/clauses.py --write` regenerates it; a test fails when a clause of "
        "§5–§6 has no marked test.",
        "",
        "| clause | tests | count |",
        "| --- | --- | --- |",
    ]
    for c in clauses:
        found = tests.get(c, {})
        subs = children(c, clauses)
        if found:
            shown = "<br>".join(
                f"`{t}`" + (f" — {d}" if d else "") for t, d in sorted(found.items())[:6]
            )
            more = f"<br>… {len(found) - 6} more" if len(found) > 6 else ""
            lines.append(f"| §{c} | {shown}{more} | {len(found)} |")
        elif subs:
            lines.append(f"| §{c} | see §{subs[0]}–§{subs[-1]} | |")
        else:
            lines.append(f"| §{c} | {NOTES.get(c, '**no marked test**')} | 0 |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    clauses = standard_clauses()
    tests = trace(collect())
    missing = uncovered(clauses, tests)
    if "--check" in argv:
        if missing:
            print("clauses of §5–§6 without a marked test: " + ", ".join(f"§{c}" for c in missing))
            return 1
        print(f"every clause of §5–§6 has a marked test ({sum(map(len, tests.values()))} marks)")
        return 0
    doc = table(clauses, tests)
    if "--write" in argv:
        (ROOT / "docs" / "clauses.md").write_text(doc, encoding="utf-8")
    else:
        print(doc, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
