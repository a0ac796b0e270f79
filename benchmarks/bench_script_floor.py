"""Benchmark the notebook overhead: notebook runs against the same code run as plain Python.

For each selected run file of ``notebooks/params/`` (single runs, not fan-outs), the
*script floor* is the notebook's code cells (read from its paired ``.py`` with jupytext,
the run's parameters assigned after the ``parameters`` cell, as papermill injects them)
executed with ``exec`` in this one process, one fresh namespace per notebook; the
*notebook run* is ``cluster_research.pipeline.run_all(jobs=1, runs=[...], force=True)``:
papermill, a kernel, outputs captured and the notebook written. Both write their tables
and figures to a temporary outputs directory, both cold. Prints both wall times and
their ratio (target: notebook <= 1.3 x the script floor).

Default (``make bench``): the light notebooks 01, 02, 04, 05, 08 and 09. All ten
default runs (about 15 minutes: the real-time stage model runs once per mode)::

    CR_BENCH_FLOOR_ALL=1 python benchmarks/bench_script_floor.py
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import matplotlib
import yaml

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent
NB = REPO / "notebooks"
LIGHT = ["01_paper_claims", "02_shanghai_growth", "04_figure1_parks",
         "05_strategy_indicators", "08_drivers", "09_taobao_villages"]
ALL = LIGHT + ["03_lifecycle_stage", "06_region_profile", "07_cross_region", "10_stage_model"]


def _script(name: str) -> str:
    run = yaml.safe_load((NB / "params" / f"{name}.yaml").read_text(encoding="utf-8"))
    nb = jupytext.read(NB / f"{name}.py")
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts.append(cell.source)
        if "parameters" in cell.metadata.get("tags", []):
            parts.append("\n".join(f"{k} = {v!r}" for k, v in
                                   (run.get("parameters") or {}).items()))
    return "\n\n".join(parts)


def _floor(names, out: Path) -> float:
    import matplotlib.pyplot as plt
    from IPython.display import display

    from cluster_research.outputs import ENV_OUTPUT_DIR, ENV_RUN_NAME

    scripts = {n: _script(n) for n in names}
    cwd = os.getcwd()
    t0 = time.perf_counter()
    try:
        os.chdir(NB)
        for name, code in scripts.items():
            os.environ[ENV_OUTPUT_DIR], os.environ[ENV_RUN_NAME] = str(out), name
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, f"{name}.py", "exec"),  # noqa: S102
                     {"__name__": "__main__", "display": display})
            plt.close("all")
    finally:
        os.chdir(cwd)
        os.environ.pop(ENV_OUTPUT_DIR, None)
        os.environ.pop(ENV_RUN_NAME, None)
    return time.perf_counter() - t0


def _notebooks(names, out: Path) -> float:
    from cluster_research import pipeline

    t0 = time.perf_counter()
    pipeline.run_all(jobs=1, output_dir=out, runs=[NB / "params" / f"{n}.yaml" for n in names],
                     progress=False, force=True)
    return time.perf_counter() - t0


def main() -> None:
    names = ALL if os.environ.get("CR_BENCH_FLOOR_ALL") == "1" else LIGHT
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        floor = _floor(names, d / "floor")
        nbt = _notebooks(names, d / "nb")
    print(f"script floor, {len(names)} notebooks as plain Python in one process: {floor:.1f} s")
    print(f"the same runs as notebooks (papermill, 1 job): {nbt:.1f} s")
    print(f"notebook overhead: {nbt / floor:.2f}x the script floor (target <= 1.3x)")


if __name__ == "__main__":
    sys.exit(main())
