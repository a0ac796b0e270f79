"""The package's architecture, checked: layers, cycles, errors, public solvers.

These are the rules a maintainer relies on when changing the code (CONTRIBUTING.md):

* the import-linter contracts in ``pyproject.toml`` hold (lower layers never import higher
  ones, siblings in a layer do not import each other where they are declared independent);
* no import cycle among the package's modules, function-level imports included;
* no private name (leading underscore) of one package module used by another;
* no private numpy/scipy name anywhere in the package;
* every exception class the package defines, and every exception it raises, derives from
  :class:`cluster_research.ClusterResearchError`;
* notebooks are not generated from string literals (no ``notebooks/_build*.py``).
"""

from __future__ import annotations

import ast
import builtins
import graphlib
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cluster_research as cr

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "cluster_research"
SOURCES = sorted(p for p in PKG.rglob("*.py"))


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _all_modules():
    names = ["cluster_research"]
    for info in pkgutil.walk_packages(cr.__path__, prefix="cluster_research."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def _graph():
    import grimp  # installed with import-linter (a dev dependency)

    return grimp.build_graph("cluster_research", exclude_type_checking_imports=True)


def test_import_linter_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    assert exe.exists(), "import-linter (a dev dependency) is not installed"
    proc = subprocess.run([str(exe), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(r"Contracts: [1-9]\d* kept, 0 broken", proc.stdout), proc.stdout[-4000:]


def test_no_import_cycles_function_level_imports_included():
    graph = _graph()
    # a package's own __init__ importing its submodules is structure, not a cycle: only the
    # edges between distinct modules where neither is an ancestor package of the other count
    deps = {}
    for m in graph.modules:
        out = set()
        for d in graph.find_modules_directly_imported_by(m):
            if d.startswith(m + ".") or m.startswith(d + "."):
                continue
            out.add(d)
        deps[m] = out
    try:
        tuple(graphlib.TopologicalSorter(deps).static_order())
    except graphlib.CycleError as exc:  # pragma: no cover - the failure message
        pytest.fail(f"import cycle among package modules: {' -> '.join(exc.args[1])}")


def _private_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = me.split(".")
                if path.name != "__init__.py":
                    pkg = pkg[:-1]
                pkg = pkg[: len(pkg) - (node.level - 1)]
                base = ".".join(pkg + ([base] if base else []))
            if not base.startswith("cluster_research"):
                continue
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not name.startswith("__"):
                    yield f"{path.relative_to(ROOT)}:{node.lineno} imports {base}.{name}"
                for part in base.split("."):
                    if part.startswith("_") and not part.startswith("__"):
                        yield f"{path.relative_to(ROOT)}:{node.lineno} imports from {base}"
                        break


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_used_outside_its_module(path):
    assert list(_private_imports(path)) == []


_PRIVATE_LIB = re.compile(
    r"_umath_linalg|_compute_lwork|lapack\._|from scipy\.[a-z_.]*\._[a-z]|scipy\.optimize\._"
    r"|np\.core\._|numpy\.core\._|from numpy\.[a-z_.]*\._[a-z]|pandas\._libs|from pandas\._"
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_library_names(path):
    hits = [f"{i}: {line.strip()}" for i, line in
            enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if _PRIVATE_LIB.search(line)]
    assert hits == []


def _package_exception_classes():
    seen = {}
    for name in _all_modules():
        mod = importlib.import_module(name)
        for obj in vars(mod).values():
            if (inspect.isclass(obj) and issubclass(obj, BaseException)
                    and obj.__module__.startswith("cluster_research")):
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return seen


def test_every_package_exception_derives_from_the_base():
    classes = _package_exception_classes()
    assert classes, "no exception classes found"
    # KeyboardInterrupt subclasses signal an interrupt (SIGINT), they are not errors
    bad = [n for n, c in classes.items()
           if not issubclass(c, (cr.ClusterResearchError, Warning, KeyboardInterrupt))]
    assert bad == []
    warnings_ = [n for n, c in classes.items() if issubclass(c, Warning)]
    assert [n for n in warnings_ if not issubclass(classes[n], cr.ClusterResearchWarning)] == []


_BUILTIN_EXC = {n for n in dir(builtins)
                if inspect.isclass(getattr(builtins, n))
                and issubclass(getattr(builtins, n), BaseException)}
# what the package may still raise as a built-in: protocol errors Python itself defines
_ALLOWED = {"NotImplementedError", "AttributeError", "StopIteration", "KeyboardInterrupt",
            "SystemExit"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_package_raises_only_its_own_exceptions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id in _BUILTIN_EXC - _ALLOWED:
                bad.append(f"line {node.lineno}: raise {exc.id}")
    assert bad == []


def test_no_notebook_generators():
    assert sorted(p.name for p in (ROOT / "notebooks").glob("_build*.py")) == []
