"""Every regular expression that reads user text runs in linear time.

A backtracking regex that is quadratic (or worse) on a crafted string lets one anonymous
appeal tie up a worker (issue 15: a 40,000-character appeal made one Open311 read take
4.5 s).  This suite finds every pattern in the package — the literal ones by reading the
source, the ones built at import time by looking at the modules — and runs each against
100,000-character adversarial strings: long runs of every character the pattern mentions
and of the usual troublemakers.  A linear pattern answers in milliseconds; the limit of
one second per call is generous and still catches any quadratic pattern by orders of
magnitude (100,000² steps).  A pattern that is slow by a large constant on a loaded
machine gets a second chance: it passes if ten times the text takes at most 40 times as
long (linear: 10, quadratic: 100).

The personal-data detectors (phone, ID-card and e-mail patterns of the Open311 scrubber
and ``nlp.extract``'s phone finders) are left to the privacy work (issue 14), which
rewrites them and proves the same property; they are listed in ``LEFT_TO_PRIVACY``.
"""

from __future__ import annotations

import ast
import importlib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

import hotline
from hotline.tests.timing import linear

with warnings.catch_warnings():  # the parser is the only way to read a pattern's literals
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_parse

ROOT = Path(hotline.__file__).parent
N = 100_000
LIMIT_SECONDS = 1.0

# (module, attribute) of patterns owned by the privacy work (issue 14); see the docstring.
LEFT_TO_PRIVACY = {
    ("hotline.open311.present", "_ID_CARD"),
    ("hotline.open311.present", "_EMAIL"),
    ("hotline.nlp.extract", "_MOBILE"),
    ("hotline.nlp.extract", "_LANDLINE"),
    ("hotline.nlp.extract", "_LOCAL"),
}
LEFT_TO_PRIVACY_MODULES = {"hotline.open311.present"}  # the scrubber, literal patterns too

# Characters that make backtracking regexes misbehave, whatever the pattern.
BASE = ["a", "1", " ", "\n", "中", ".", "@", "-", "a1", "中1"]


@dataclass(frozen=True)
class Found:
    where: str  # module and attribute or line
    pattern: re.Pattern[str]

    def __str__(self) -> str:
        return self.where


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("hotline", *parts))


def _source_files() -> list[Path]:
    return [
        p
        for p in sorted(ROOT.rglob("*.py"))
        if "tests" not in p.parts and "migrations" not in p.parts
    ]


RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall"}


def _literal_patterns() -> list[Found]:
    """``re.<function>("literal", …)`` anywhere in the package, inside functions too."""
    out = []
    for path in _source_files():
        module = _module_name(path)
        if module in LEFT_TO_PRIVACY_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in RE_FUNCTIONS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                continue
            out.append(Found(f"{module}:{node.lineno}", re.compile(node.args[0].value)))
    return out


def _module_patterns() -> list[Found]:
    """Compiled patterns held by modules (built with f-strings or from word lists)."""
    out = []
    for path in _source_files():
        module = _module_name(path)
        if module in LEFT_TO_PRIVACY_MODULES:
            continue
        mod = importlib.import_module(module)
        for name, value in vars(mod).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                if (module, name) not in LEFT_TO_PRIVACY:
                    out.append(Found(f"{module}.{name}", value))
    return out


def _screening_cues() -> list[Found]:
    """The screening cues are data (expression, weight), compiled on first use."""
    from hotline.nlp import screening

    out = []
    for name, value in vars(screening).items():
        if isinstance(value, dict):
            for key, cues in value.items():
                if isinstance(cues, list):
                    for cue in cues:
                        if isinstance(cue, tuple) and cue and isinstance(cue[0], str):
                            out.append(Found(f"screening.{name}[{key}]", re.compile(cue[0])))
    return out


def all_patterns() -> list[Found]:
    seen: dict[tuple[str, int], Found] = {}
    for found in _module_patterns() + _literal_patterns() + _screening_cues():
        seen.setdefault((found.pattern.pattern, found.pattern.flags), found)
    return list(seen.values())


def _literal_characters(pattern: re.Pattern[str]) -> set[str]:
    """Every character the pattern names literally (in sequences, classes, alternations)."""
    chars: set[str] = set()

    def walk(items) -> None:
        for op, arg in items:
            if op is sre_parse.LITERAL:
                chars.add(chr(arg))
            elif op is sre_parse.IN:
                for inner_op, inner in arg:
                    if inner_op is sre_parse.LITERAL:
                        chars.add(chr(inner))
                    elif inner_op is sre_parse.RANGE:
                        chars.add(chr(inner[0]))
            elif isinstance(arg, (list, tuple)):
                for part in arg:
                    if isinstance(part, sre_parse.SubPattern):
                        walk(part)
                    elif isinstance(part, (list, tuple)):
                        for sub in part:
                            if isinstance(sub, sre_parse.SubPattern):
                                walk(sub)

    walk(sre_parse.parse(pattern.pattern, pattern.flags))
    return chars


def adversarial(pattern: re.Pattern[str]) -> list[str]:
    """100,000-character strings: runs of each troublemaker, of the pattern's literal
    characters and of a few literal pairs (a prefix the pattern keeps almost matching),
    each broken by a final ``!`` so that no match ends the search early."""
    literals = sorted(_literal_characters(pattern))
    units = set(BASE) | set(literals[:12])
    units.update(a + b for a, b in zip(literals[:5], literals[1:6], strict=False))
    out = []
    for unit in sorted(units):
        text = unit * (N // len(unit) + 1)
        out.append(text[: N - 1] + "!")
    return out


PATTERNS = all_patterns()


def test_the_walk_finds_the_patterns_it_should():
    where = {str(f).split(":")[0] for f in PATTERNS}
    assert {"hotline.nlp.text._NOISE", "hotline.nlp.extract._TIME_RE"} <= where
    assert any(w.startswith("hotline.open311.intake") for w in where)
    assert not any(w.startswith("hotline.open311.present") for w in where)
    assert len(PATTERNS) > 30


@pytest.mark.slow
@pytest.mark.parametrize("found", PATTERNS, ids=str)
def test_every_pattern_runs_in_linear_time_on_100k_adversarial_strings(found: Found):
    # findall scans every position (search stops at the first match): the worst case
    for text in adversarial(found.pattern):
        ok, detail = linear(found.pattern.findall, text)
        assert ok, (
            f"{found} /{found.pattern.pattern[:80]}/ is not linear on {text[:12]!r}…: {detail}"
        )


def test_the_check_tells_a_quadratic_pattern_from_a_linear_one():
    """The e-mail pattern the Open311 scrubber used (issue 15's 4.5 s read) is quadratic on a
    long run of word characters; a plain run pattern is not.  With no time allowance the
    check decides on growth alone, and tells them apart."""
    text = "a" * 20_000 + "!"
    quadratic = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    assert not linear(quadratic.findall, text, limit=0)[0]
    assert linear(re.compile(r"a+!").findall, text, limit=0)[0]
