"""Where a run's figures and tables go: output paths, tables and figure files.

The one small module that the figures (:mod:`cluster_research.viz`) and the runner
(:mod:`cluster_research.pipeline`) both use. The runner tells a notebook's kernel where
to write through two environment variables; a notebook opened interactively or
checked by nbval has neither set, and then nothing is written::

    <CLUSTER_RESEARCH_OUTPUT_DIR>/figures/<CLUSTER_RESEARCH_RUN>/<name>.png|svg
    <CLUSTER_RESEARCH_OUTPUT_DIR>/tables/<CLUSTER_RESEARCH_RUN>/<name>.csv
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pandas as pd

from . import schemas
from .errors import DataValidationError, ParameterError
from .limits import formula_like

__all__ = ["DPI", "ENV_OUTPUT_DIR", "ENV_RUN_NAME", "formula_like",
           "md_escape", "neutralise_formulas",
           "output_path", "outputs_dir", "repo_dir", "save_figure", "save_table"]

#: Environment variables through which the runner tells the kernel where to write.
ENV_OUTPUT_DIR = "CLUSTER_RESEARCH_OUTPUT_DIR"
ENV_RUN_NAME = "CLUSTER_RESEARCH_RUN"
#: Resolution of PNG files.
DPI = 150

_NAME = re.compile(r"[A-Za-z0-9_.\-]+")


def repo_dir() -> Path:
    """Return the repository root, ``cluster_research/..`` resolved from this file (not the cwd)."""
    return Path(__file__).resolve().parent.parent


def outputs_dir() -> Path:
    """Return the default ``outputs/`` directory of the repository (git-ignored)."""
    return repo_dir() / "outputs"


def output_path(kind: str, name: str, ext: str, output_dir: str | os.PathLike | None = None):
    """Return where a figure or table of the current run is written, or None.

    The directory is ``output_dir`` if given, else ``CLUSTER_RESEARCH_OUTPUT_DIR``; with
    neither, None (nothing is written).

    Parameters
    ----------
    kind : {"figures", "tables"}
    name : str
        File stem; letters, digits, ``_``, ``-`` and ``.`` only (never ``..``).
    ext : str
        Extension without dot.
    output_dir : path-like, optional

    Returns
    -------
    pathlib.Path or None
        ``<output_dir>/<kind>/<run>/<name>.<ext>`` (``<run>`` from
        ``CLUSTER_RESEARCH_RUN``, omitted when unset); parent created.

    Raises
    ------
    ParameterError
        If ``name`` contains other characters or ``kind`` is not figures/tables.

    Examples
    --------
    >>> import tempfile
    >>> output_path("tables", "x", "csv", output_dir=tempfile.mkdtemp()).name
    'x.csv'
    """
    if kind not in ("figures", "tables"):
        raise ParameterError(f"output kind {kind!r}: use 'figures' or 'tables'")
    if not _NAME.fullmatch(name) or set(name) == {"."}:
        raise ParameterError(f"output name {name!r}: use letters, digits, '_', '-', '.' only")
    base = output_dir if output_dir is not None else os.environ.get(ENV_OUTPUT_DIR)
    if not base:
        return None
    d = Path(base) / kind
    run = os.environ.get(ENV_RUN_NAME)
    if run:
        d = d / run
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{name}.{ext}"


_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def md_escape(text) -> str:
    """Escape a string given by the user (a region name) for a Markdown output.

    HTML's ``&``, ``<`` and ``>`` become entities (no tag can be injected into the site)
    and ASCII punctuation is backslash-escaped (no link, emphasis or heading), as
    CommonMark 2.4 allows (https://spec.commonmark.org/0.31.2/#backslash-escapes).

    Examples
    --------
    >>> print(md_escape("<img src=x onerror=alert(1)>"))
    &lt;img src=x onerror=alert\\(1\\)&gt;
    >>> md_escape("上海")
    '上海'
    """
    return _MD_PUNCT.sub(r"\\\1", html.escape(str(text), quote=False))




def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose formula-like text cells start with an apostrophe.

    A cell (or column name) that :func:`formula_like` flags is written as ``'=...``, the
    neutralisation OWASP recommends (https://owasp.org/www-community/attacks/CSV_Injection);
    ``df`` itself is returned when nothing needed a change. User files are refused at input
    already (:func:`cluster_research.data.read_csv`); this is the second defence.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"region": ["=1+1", "上海", "-"]})).region.tolist()
    ["'=1+1", '上海', '-']
    """
    out = df
    for col in df.columns:
        if df[col].dtype.kind not in "OSU" and not isinstance(df[col].dtype, pd.StringDtype):
            continue
        bad = df[col].map(formula_like).astype(bool)
        if bad.any():
            out = out.copy() if out is df else out
            out[col] = df[col].where(~bad, "'" + df[col].astype(str))
    names = [f"'{c}" if formula_like(c) else c for c in out.columns]
    if names != list(out.columns):
        out = out.copy() if out is df else out
        out.columns = names
    return out


def save_table(df, name: str, output_dir: str | os.PathLike | None = None):
    """Check a table against its schema, then write it as CSV (UTF-8, no index).

    The table is validated against the schema registered under ``name`` in
    :mod:`cluster_research.schemas` every time, also when nothing is written, so a wrong
    table stops the run. A table whose index carries data (named, or a MultiIndex) is
    refused. Formula-like cells are neutralised (:func:`neutralise_formulas`).

    Parameters
    ----------
    df : pandas.DataFrame
    name : str
        File stem, e.g. ``"claims"``; must have a registered schema.
    output_dir : path-like, optional

    Returns
    -------
    pathlib.Path or None
        The file written, or None when no output directory is set.

    Raises
    ------
    DataValidationError
        The table has no schema, fails it, or has an index that carries data.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> t = pd.DataFrame({"year": [2015], "region": ["上海"], "rank": [2.0]})
    >>> p = save_table(t, "ranks", output_dir=tempfile.mkdtemp())
    >>> p.read_text(encoding="utf-8")
    'year,region,rank\\n2015,上海,2.0\\n'
    """
    if isinstance(df.index, pd.MultiIndex) or df.index.name is not None:
        raise DataValidationError(
            f"table {name!r}: its index ({', '.join(map(str, df.index.names))}) would be lost "
            "(tables are written without the index): call reset_index() first")
    schemas.validate(name, df)
    path = output_path("tables", name, "csv", output_dir)
    if path is None:
        return None
    neutralise_formulas(df).to_csv(path, index=False, lineterminator="\n")
    return path


def save_figure(fig, name: str, output_dir: str | os.PathLike | None = None,
                formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Write a matplotlib figure as PNG and SVG without creation dates, when a dir is set.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        File stem (letters, digits, ``_``, ``-``, ``.``).
    output_dir : path-like, optional
    formats : tuple of str

    Returns
    -------
    list of pathlib.Path
        Files written (empty when no output directory is set).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, tempfile
    >>> fig, ax = plt.subplots()
    >>> [p.suffix for p in save_figure(fig, "demo", output_dir=tempfile.mkdtemp())]
    ['.png', '.svg']
    """
    written = []
    for fmt in formats:
        path = output_path("figures", name, fmt, output_dir)
        if path is None:
            return []
        meta = {"Date": None} if fmt in ("svg", "pdf") else {"Software": None}
        fig.savefig(path, format=fmt, dpi=DPI, metadata=meta, bbox_inches="tight")
        written.append(path)
    return written
