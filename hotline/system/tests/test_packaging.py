"""``pip install`` of the wheel, without extras, must run every page (issue 12): every
third-party module the application imports comes with a runtime dependency.  (A module
declared only in the ``dev`` extra — openpyxl once — works in a checkout and fails in
production.)  The wheel itself is built and run in deploy/tests/test_topology.py."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

import hotline

PACKAGE = Path(hotline.__file__).parent
PYPROJECT = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
# imported only when the operator chooses the feature: module → (extra, distribution)
OPTIONAL = {"storages": ("s3", "django-storages")}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def _runtime_closure() -> set[str]:
    """The declared dependencies and everything they require here (no extras)."""
    todo = list(PYPROJECT["project"]["dependencies"])
    seen: set[str] = set()
    while todo:
        requirement = Requirement(todo.pop())
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = _name(str(requirement))
        if name in seen:
            continue
        seen.add(name)
        todo += metadata.requires(name) or []
    return seen


def _imported_top_level_modules() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(PACKAGE.parent)))
    return found


def test_every_imported_module_comes_with_a_runtime_dependency():
    closure = _runtime_closure()
    providers = metadata.packages_distributions()
    missing = []
    for module, where in sorted(_imported_top_level_modules().items()):
        if module in sys.stdlib_module_names or module == "hotline" or module in OPTIONAL:
            continue
        distributions = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(module, [])}
        if not distributions & closure:
            missing.append(f"{module} ({where}) from {sorted(distributions) or '?'}")
    assert not missing, "imported at run time but not a runtime dependency:\n" + "\n".join(missing)


def test_optional_modules_are_declared_in_their_extra():
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra, distribution in OPTIONAL.values():
        assert distribution in {_name(r) for r in extras[extra]}


def test_templates_static_files_and_migrations_live_inside_the_package():
    from django.conf import settings

    for folder in settings.TEMPLATES[0]["DIRS"]:
        assert Path(folder).resolve().is_relative_to(PACKAGE)
    assert (PACKAGE / "templates" / "base.html").is_file()
    assert not (PACKAGE.parent / "templates").exists()
    assert not (PACKAGE.parent / "static").exists()
    package_data = PYPROJECT["tool"]["setuptools"]["package-data"]["*"]
    for pattern in ("*.html", "templates/**/*", "static/**/*", "locale/**/*", "*.json", "*.txt"):
        assert pattern in package_data
