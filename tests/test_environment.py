"""The three dependency lists (pyproject.toml, environment.yml, constraints.txt) must agree."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(spec: str) -> tuple[str, str]:
    m = _NAME.match(spec)
    assert m, f"cannot parse requirement {spec!r}"
    return _norm(m.group(1)), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(meta["dependencies"]) + list(meta["optional-dependencies"]["dev"])
    return dict(_split(s) for s in specs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e") or item.split(">")[0].split("=")[0] in {"python", "pip"}:
                continue
            name, spec = _split(item)
            out[name] = spec
    return out


def test_environment_yml_matches_pyproject():
    py, env = _pyproject(), _environment()
    assert sorted(set(py) - set(env)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(env) - set(py)) == [], "in environment.yml but not pyproject.toml"
    differing = {k: (py[k], env[k]) for k in py if py[k] != env[k]}
    assert differing == {}, f"lower bounds differ (pyproject, environment.yml): {differing}"


def test_every_dependency_has_a_lower_bound():
    assert [k for k, v in _pyproject().items() if ">=" not in v] == []


def test_constraints_pin_every_dependency_within_its_bound():
    from packaging.specifiers import SpecifierSet

    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt line {line!r} is not pinned with =="
            pins[_norm(name)] = version
    for name, spec in _pyproject().items():
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert pins[name] in SpecifierSet(spec), f"{name}=={pins[name]} violates {spec}"


def test_import_limits_blas_to_one_thread():
    """``import cluster_research`` leaves every loaded BLAS with one thread, whatever the
    machine's cores (results must not depend on them, and small fits ran 30-60x slower with
    threads spinning on a busy machine)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    code = ("import numpy, cluster_research, scipy.optimize\n"
            "from threadpoolctl import threadpool_info\n"
            "info = [i for i in threadpool_info() if i['user_api'] == 'blas']\n"
            "print(len(info), max(i['num_threads'] for i in info))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert int(out[0]) >= 1 and out[1] == "1", out
