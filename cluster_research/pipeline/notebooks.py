"""The notebooks of the reproduction: where they are, their parameters, their run files.

Every notebook in ``notebooks/`` has exactly one cell tagged ``parameters`` that assigns
literals only (``name = literal``, read with :func:`ast.literal_eval`); their types, ranges
and checks are declared in ``notebooks/parameters.py``.

Examples
--------
>>> from cluster_research.pipeline import notebooks
>>> sorted(notebooks.notebook_parameters("01"))
['lang']
"""

from __future__ import annotations

import ast
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..outputs import repo_dir

__all__ = ["KERNEL_NAME", "list_notebooks", "list_runs", "normalise_notebook",
           "notebook_parameters", "notebooks_dir", "resolve_notebook"]

KERNEL_NAME = "python3"


def notebooks_dir() -> Path:
    """Return the ``notebooks/`` directory of the repository."""
    return repo_dir() / "notebooks"


def list_notebooks() -> list[Path]:
    """List the numbered notebooks ``notebooks/NN_*.ipynb`` in order."""
    return sorted(p for p in notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def list_runs() -> list[Path]:
    """List the run files ``notebooks/params/*.yaml`` of the reproduction, sorted."""
    return sorted((notebooks_dir() / "params").glob("*.yaml"))


def resolve_notebook(notebook: str | os.PathLike) -> Path:
    """Resolve a notebook given as a path, a file name, a stem or its two-digit number.

    Parameters
    ----------
    notebook : str or path-like
        ``"05"``, ``"05_strategy_indicators"``, ``"05_strategy_indicators.ipynb"`` or a path.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ParameterError
        If no notebook or more than one notebook matches; the message lists the notebooks.

    Examples
    --------
    >>> resolve_notebook("01").name
    '01_paper_claims.ipynb'
    """
    p = Path(notebook)
    if p.suffix == ".ipynb" and p.exists():
        return p.resolve()
    name = p.name.removesuffix(".ipynb")
    candidates = [q for q in list_notebooks() if q.stem == name or q.stem.startswith(name + "_")]
    if len(candidates) == 1:
        return candidates[0]
    known = ", ".join(q.stem for q in list_notebooks()) or "(none)"
    if not candidates:
        raise ParameterError(f"notebook {str(notebook)!r} not found; notebooks: {known}")
    raise ParameterError(f"notebook {str(notebook)!r} is ambiguous: matches {known}")


@lru_cache(maxsize=64)
def _cell(path: str, mtime_ns: int) -> tuple[tuple[str, Any], ...]:
    import nbformat

    name = Path(path).name
    cells = [c for c in nbformat.read(path, as_version=4).cells
             if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1 or cells[0].cell_type != "code":
        raise ParameterError(f"{name}: a notebook must have exactly one code cell tagged "
                            f"'parameters', found {len(cells)}")
    try:
        tree = ast.parse(cells[0].source)
    except SyntaxError as exc:
        raise ParameterError(f"{name}: parameters cell does not parse: {exc}") from exc
    out = []
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            raise ParameterError(
                f"{name}: parameters cell line {node.lineno}: only `name = literal` allowed")
        try:
            out.append((node.targets[0].id, ast.literal_eval(node.value)))
        except ValueError as exc:
            raise ParameterError(f"{name}: parameter {node.targets[0].id!r} is not a literal: "
                                f"{ast.unparse(node.value)}") from exc
    return tuple(out)


def notebook_parameters(notebook: str | os.PathLike) -> dict[str, Any]:
    """Read the defaults of a notebook's ``parameters`` cell.

    Parameters
    ----------
    notebook : str or path-like
        See :func:`resolve_notebook`.

    Returns
    -------
    dict
        Parameter name -> default value (a fresh copy), in cell order.

    Raises
    ------
    ParameterError
        If there is not exactly one ``parameters`` cell or it holds anything but
        ``name = literal`` assignments.

    Examples
    --------
    >>> notebook_parameters("05")["year_from"]
    2015
    """
    path = resolve_notebook(notebook)
    return {n: ast.literal_eval(repr(v)) for n, v in _cell(str(path), path.stat().st_mtime_ns)}


def normalise_notebook(nb) -> None:
    """Strip volatile metadata (timings, papermill records, widget state) in place."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": KERNEL_NAME}
    lang = nb.metadata.get("language_info", {})
    nb.metadata["language_info"] = {"name": lang.get("name", "python")}
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell["id"] = f"cell-{i:02d}"
