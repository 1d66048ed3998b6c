"""Layers go one way: rules ← models/actions ← adapters (../shared/STYLE.md).

The test reads every module under ``hotline/`` (tests and migrations aside) and every
import it makes — at the top or inside a function, since an import moved into a function
still ties the packages together — and checks three things:

* no import cycle between the top-level packages of ``hotline`` (the apps, the adapters,
  ``common``, ``rules`` …);
* the adapters — the REST API (``hotline.api``, which also carries the channel API),
  the workbench (``hotline.web`` and every app's ``views``, ``urls``, ``forms`` and
  ``templatetags``) and Open311 (``hotline.open311``) — never import each other; what
  two of them share lives in a neutral module (``hotline.common``, an app's ``queries``);
* no app module imports an adapter (an app's own web modules count as the workbench).

Composition roots may import everything: the URL configuration, the settings, the demo
builder, the command line.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import hotline

ROOT = Path(hotline.__file__).parent
WEB_MODULES = {"views", "urls", "forms", "templatetags"}
COMPOSITION_ROOTS = {"urls", "settings", "settings_test", "wsgi", "cli", "demo"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(("hotline", *parts))] = path
    return out


def _imports(name: str, path: Path) -> set[str]:
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            # ``from hotline.web import queries`` imports the module hotline.web.queries
            found.update(f"{module}.{a.name}" for a in node.names)
    return {m for m in found if m == "hotline" or m.startswith("hotline.")}


MODULES = _modules()
IMPORTS = {
    name: {m for m in _imports(name, path) if m in MODULES} for name, path in MODULES.items()
}


def package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def family(module: str) -> str | None:
    """Which adapter a module belongs to, or None for an app, rules or shared module."""
    parts = module.split(".")
    top = package(module)
    if top in {"api", "web", "open311"}:
        return top
    if len(parts) > 2 and parts[2] in WEB_MODULES:
        return "web"
    return None


def _package_cycles() -> list[list[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for src, targets in IMPORTS.items():
        for dst in targets:
            if package(src) and package(dst) and package(src) != package(dst):
                edges[package(src)].add(package(dst))
    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return cycles


def test_the_walk_sees_the_whole_package():
    assert {"hotline.rules.lifecycle", "hotline.orders.actions.intake", "hotline.api.main"} <= set(
        MODULES
    )
    assert "hotline.orders.actions.base" in IMPORTS["hotline.supervision.actions"]


def test_no_import_cycle_between_packages():
    cycles = _package_cycles()
    detail = [
        f"{src} → {dst}"
        for cycle in cycles
        for src, targets in sorted(IMPORTS.items())
        for dst in sorted(targets)
        if package(src) in cycle and package(dst) in cycle and package(src) != package(dst)
    ]
    assert not cycles, f"packages import each other in a circle {cycles}:\n" + "\n".join(detail)


def test_adapters_do_not_import_each_other():
    crossings = [
        f"{src} ({family(src)}) → {dst} ({family(dst)})"
        for src, targets in sorted(IMPORTS.items())
        for dst in sorted(targets)
        if family(src) and family(dst) and family(src) != family(dst)
    ]
    assert not crossings, "\n".join(crossings)


def test_apps_do_not_import_adapters():
    crossings = [
        f"{src} → {dst}"
        for src, targets in sorted(IMPORTS.items())
        if family(src) is None and package(src) not in COMPOSITION_ROOTS
        for dst in sorted(targets)
        if family(dst)
    ]
    assert not crossings, "\n".join(crossings)


def test_the_rules_import_no_django_and_no_app():
    for name, path in MODULES.items():
        if package(name) != "rules":
            continue
        text = path.read_text(encoding="utf-8")
        assert "django" not in {
            (n.module or "").split(".")[0]
            for n in ast.walk(ast.parse(text))
            if isinstance(n, ast.ImportFrom)
        } | {
            a.name.split(".")[0]
            for n in ast.walk(ast.parse(text))
            if isinstance(n, ast.Import)
            for a in n.names
        }, name
        assert all(package(m) == "rules" for m in IMPORTS[name]), name


def test_shared_helpers_import_no_app():
    """``hotline.common`` is the neutral ground adapters and apps share: it imports no app
    (nor an adapter), so anything may import it without tying packages together."""
    crossings = [
        f"{src} → {dst}"
        for src, targets in sorted(IMPORTS.items())
        if package(src) == "common"
        for dst in sorted(targets)
        if package(dst) not in {"", "common", "rules", "clock"}  # "": `from hotline import clock`
    ]
    assert not crossings, "\n".join(crossings)
