"""Refuse to sync a notebook pair whose two files were both edited (run by make refresh-notebooks).

``jupytext --sync`` takes the inputs of the newer file of each ``.py``/``.ipynb`` pair and
rewrites the older one, so an edit made in the older file would be lost. This guard runs
first: a pair whose cells differ between the two files, and whose two files both differ
from the committed version (``git HEAD``) in their cells, is reported and the make target
stops, so the edits can be merged by hand. Outputs are ignored (only cell type, source and
tags are compared).

Usage: ``python notebooks/sync_guard.py [notebooks/NN_*.ipynb ...]``; exit status 1 when a
pair needs a manual merge.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jupytext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _cells(nb):
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def _committed_cells(path: Path, fmt: str):
    rel = path.resolve().relative_to(ROOT).as_posix()
    out = subprocess.run(["git", "-C", str(ROOT), "show", f"HEAD:{rel}"],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return None  # not committed yet: counts as edited
    return _cells(jupytext.reads(out.stdout, fmt=fmt))


def conflicts(notebooks) -> list[str]:
    """Return the pairs (as messages) whose .py and .ipynb were both edited since HEAD."""
    found = []
    for ipynb in notebooks:
        ipynb = Path(ipynb)
        script = ipynb.with_suffix(".py")
        if not script.exists():
            continue  # jupytext --sync creates it
        a, b = _cells(jupytext.read(ipynb)), _cells(jupytext.read(script, fmt="py:percent"))
        if a == b:
            continue
        if a != _committed_cells(ipynb, "ipynb") and b != _committed_cells(script, "py:percent"):
            found.append(f"{ipynb.name} and {script.name} were both edited and differ: merge "
                         "the edits into one of them (the other is overwritten by jupytext "
                         "--sync), e.g. copy them into the .py and `git checkout` the .ipynb")
    return found


def main(argv: list[str]) -> int:
    paths = argv or sorted(str(p) for p in HERE.glob("[0-9][0-9]_*.ipynb"))
    problems = conflicts(paths)
    for p in problems:
        print(f"sync_guard: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
