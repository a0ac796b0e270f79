"""Content of the results site: headline numbers computed from ``outputs/tables/``, display tables.

The landing page of the site (:mod:`cluster_research.pipeline.site`) states the reproduction's
results first. Every number on it is read from the tables the notebooks wrote, at build
time, by the functions here; none is typed in. Each function takes the ``tables`` folder
(``outputs/tables``) and returns Markdown bullet lines (MyST) naming the figure/table id
of the README's list they come from, or an empty list when its table is absent (the
missing item is then reported once, at the top of the landing page).

Examples
--------
>>> format_value(41631.129384816544), format_value(0.07651396), format_value(2015.0)
('41,631.1', '0.076514', '2015')
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pandas as pd

from ..errors import SiteError
from ..outputs import md_escape

__all__ = [
    "SiteError",
    "claims_summary",
    "concentration_headline",
    "drivers_headline",
    "format_value",
    "growth_headline",
    "headline_numbers",
    "stage_headline",
    "write_display_csv",
]

#: The verdicts of ``claims.csv``, in the order the landing page counts them.
VERDICTS = ("reproduced", "not reproduced", "not checkable")
#: Significant digits shown (enough for every value the paper states, e.g. 2495.05).
SIGNIFICANT = 6
_NUMBER = re.compile(r"^\s*-?(\d+\.\d*|\d*\.\d+)([eE][-+]?\d+)?\s*$")


def format_value(x) -> str:
    """Format one table value for display: integers plain, large numbers with separators.

    Parameters
    ----------
    x : object
        A cell value.

    Returns
    -------
    str
        ``""`` for NaN/None; integral values without decimals or separators (years,
        counts); others with :data:`SIGNIFICANT` significant digits, thousands separated.
        Numeric strings are formatted as numbers.

    Examples
    --------
    >>> [format_value(v) for v in (None, float("nan"), 3, 153.71234, 1.5e-6, True, "上海", "15.752540")]
    ['', '', '3', '153.712', '1.5e-06', 'True', '上海', '15.7525']
    >>> format_value(2495.05), format_value(4252.8), format_value(135073.149)
    ('2,495.05', '4,252.8', '135,073')
    """
    if x is None:
        return ""
    if isinstance(x, str) and _NUMBER.match(x):
        x = float(x)
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return ""
        if x.is_integer():
            return str(int(x))
        if abs(x) >= 1000:  # six significant digits, thousands separated, no trailing zeros
            decimals = max(0, SIGNIFICANT - len(str(int(abs(x)))))
            return f"{x:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{x:,.0f}"
        return f"{x:.{SIGNIFICANT}g}"
    return str(x)


def _display_cell(x) -> str:
    """A cell as shown: a number formatted; text escaped, since MyST parses table cells."""
    text = format_value(x)
    return md_escape(text) if isinstance(x, str) and not _NUMBER.match(x) else text


def write_display_csv(src: str | os.PathLike, dst: str | os.PathLike, max_rows: int = 80,
                      columns: list[str] | None = None) -> tuple[int, int]:
    """Write a display copy of a table: values formatted, at most ``max_rows`` rows.

    The site renders the copy with MyST's ``csv-table``, which parses each cell as
    Markdown: text cells are escaped (:func:`cluster_research.outputs.md_escape`), so a
    value such as ``<script>`` or ``[x](javascript:...)`` is shown as text.

    Parameters
    ----------
    src, dst : path-like
        The table written by a notebook, and the copy rendered by the site.
    max_rows : int
        Rows kept (the page says how many of how many it shows and links the full CSV).
    columns : list of str, optional
        Columns kept, in this order (those present); default all.

    Returns
    -------
    (int, int)
        Rows in the table, rows written.

    Raises
    ------
    SiteError
        The table cannot be read as CSV.
    """
    try:
        df = pd.read_csv(src)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise SiteError(f"{src}: cannot be read as a CSV table ({exc})") from exc
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    shown = df.head(max_rows)
    out = shown.astype(object).map(_display_cell) if len(shown) else shown.astype(str)
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(dst, index=False, encoding="utf-8")
    return len(df), len(shown)


def _read(tables: Path, run: str, name: str) -> pd.DataFrame | None:
    path = tables / run / f"{name}.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path)


def claims_summary(tables: str | os.PathLike) -> dict | None:
    """Count the verdicts of the paper's claims (T1, ``01_paper_claims/claims.csv``).

    Parameters
    ----------
    tables : path-like
        The ``outputs/tables`` folder.

    Returns
    -------
    dict or None
        ``n`` (claims), ``counts`` (verdict -> number, in :data:`VERDICTS` order, then any
        other verdict), ``text`` (one Markdown sentence); None without the table.

    Examples
    --------
    >>> claims_summary("/nonexistent") is None
    True
    """
    df = _read(Path(tables), "01_paper_claims", "claims")
    if df is None or "verdict" not in df:
        return None
    vc = df["verdict"].fillna("no verdict").value_counts()
    counts = {v: int(vc.get(v, 0)) for v in VERDICTS}
    counts.update({str(v): int(n) for v, n in vc.items() if v not in counts})
    parts = ", ".join(f"{n} {v}" for v, n in counts.items())
    return {"n": len(df), "counts": counts,
            "text": f"**The paper's claims ({{ref}}`T1 <t1>`, {len(df)} claims): {parts}.**"}


def growth_headline(tables: str | os.PathLike) -> list[str]:
    """State the growth-model comparison (T3-T5) and what the 2011 data identify (run N3).

    Parameters
    ----------
    tables : path-like
        The ``outputs/tables`` folder.

    Returns
    -------
    list of str
        Markdown lines: models by AICc; each ceiling with its profile 95 % interval and
        whether it is identified; how many S-curve ceilings the data up to 2011 identify.
    """
    tables = Path(tables)
    lines = []
    mc = _read(tables, "02_shanghai_growth", "model_comparison")
    if mc is not None and {"model", "aicc"} <= set(mc.columns):
        mc = mc.sort_values("aicc")
        order = "; ".join(f"{r.model} {format_value(float(r.aicc))}" for r in mc.itertuples())
        lines.append(f"Growth models of Shanghai's transactions by AICc ({{ref}}`T5 <t5>`, lower is "
                     f"better): {order}.")
    ident = _read(tables, "02_shanghai_growth", "identification")
    params = _read(tables, "02_shanghai_growth", "growth_parameters")
    if ident is not None and {"model", "identified", "ceiling"} <= set(ident.columns):
        parts = []
        for r in ident.dropna(subset=["ceiling"]).itertuples():
            ci = ""
            if params is not None and {"profile_low", "profile_high"} <= set(params.columns):
                row = params[(params["model"] == r.model) & params["parameter"].isin(["K", "M"])]
                if len(row):
                    lo, hi = float(row["profile_low"].iloc[0]), float(row["profile_high"].iloc[0])
                    if str(row.get("profile_high_unbounded", pd.Series([False])).iloc[0]) == "True":
                        hi = float("inf")
                    ci = (f", profile 95 % CI {format_value(lo)}–"
                          + ("∞" if hi == float("inf") else format_value(hi)))
            state = "identified" if bool(r.identified) else "**not identified**"
            parts.append(f"{r.model} ≈ {format_value(float(r.ceiling))}{ci} ({state})")
        if parts:
            lines.append("Ceilings ({ref}`T3 <t3>`, {ref}`T4 <t4>`): " + "; ".join(parts) + ".")
    early = _read(tables, "02_shanghai_growth_2011", "identification")
    if early is not None and {"identified", "ceiling"} <= set(early.columns):
        s_curves = early[early["model"] != "exponential"]
        n_id = int((s_curves["identified"].astype(str) == "True").sum())
        lines.append(f"With the data up to 2011 ({{ref}}`F4 <f4>`): {n_id} of {len(s_curves)} "
                     "S-curve ceilings identified.")
    return lines


def stage_headline(tables: str | os.PathLike) -> list[str]:
    """Summarise the stage verdicts for 2010-11 by information set (T6).

    Parameters
    ----------
    tables : path-like
        The ``outputs/tables`` folder.

    Returns
    -------
    list of str
        One Markdown line per information set: the stages the methods gave and how many
        method-years gave no verdict.
    """
    df = _read(Path(tables), "03_lifecycle_stage", "stage_verdicts")
    if df is None or not {"information", "stage_zh", "verdict"} <= set(df.columns):
        return []
    lines = []
    for info, g in df.groupby("information", sort=False):
        stages = g["stage_zh"].dropna().value_counts()
        given = ", ".join(f"{s} × {n}" for s, n in stages.items()) or "none"
        none = int((g["verdict"] == "no verdict").sum())
        years = "–".join(str(y) for y in sorted({int(y) for y in g["year"]}))
        lines.append(f"Shanghai's stage in {years}, {info} ({{ref}}`T6 <t6>`; the paper: 成长): "
                     f"stages given {given}; no verdict {none} of {len(g)} method-years.")
    return lines


def concentration_headline(tables: str | os.PathLike) -> list[str]:
    """State the range of HHI and CR4 (T16), the top four and Shanghai's ranks (T17).

    Parameters
    ----------
    tables : path-like
        The ``outputs/tables`` folder.

    Returns
    -------
    list of str
        Markdown lines with the ranges over the panel's years.
    """
    tables = Path(tables)
    lines = []
    conc = _read(tables, "07_cross_region", "concentration")
    if conc is not None and {"year", "hhi", "cr4"} <= set(conc.columns) and len(conc):
        years = f"{int(conc['year'].min())}–{int(conc['year'].max())}"
        text = (f"Concentration of e-commerce sales across provinces, {years} ({{ref}}`T16 <t16>`): "
                f"HHI {format_value(conc['hhi'].min())}–{format_value(conc['hhi'].max())}, "
                f"CR4 {format_value(conc['cr4'].min())}–{format_value(conc['cr4'].max())}")
        if "top4" in conc:
            sets = {frozenset(str(t).split()) for t in conc["top4"]}
            always = frozenset.intersection(*sets)
            text += f"; in the top four every year: {' '.join(sorted(always)) or 'none'}"
        lines.append(text + ".")
    ranks = _read(tables, "07_cross_region", "ranks")
    if ranks is not None and {"region", "rank"} <= set(ranks.columns):
        sh = ranks[ranks["region"] == "上海"]
        if len(sh):
            lines.append(f"Shanghai's rank in e-commerce sales ({{ref}}`T17 <t17>`): "
                         f"{int(sh['rank'].min())}–{int(sh['rank'].max())} of "
                         f"{ranks['region'].nunique()} regions, {int(sh['year'].min())}–"
                         f"{int(sh['year'].max())}.")
    return lines


def drivers_headline(tables: str | os.PathLike) -> list[str]:
    """Quote the broadband elasticity across the robustness specifications (T18).

    Parameters
    ----------
    tables : path-like
        The ``outputs/tables`` folder.

    Returns
    -------
    list of str
        One Markdown line: the coefficient (clustered SE) in every specification column.
    """
    df = _read(Path(tables), "08_drivers", "robustness")
    if df is None or "term" not in df:
        return []
    row = df[df["term"] == "log_broadband_users"]
    if not len(row):
        return []
    cells = "; ".join(f"{c}: {row[c].iloc[0]}" for c in df.columns[1:])
    text = (f"Driver regressions ({{ref}}`T18 <t18>`), coefficient of log broadband users (SE) by "
            f"specification: {cells}. The regressions describe co-movement, not causes.")
    return [text]


def headline_numbers(tables: str | os.PathLike) -> list[str]:
    """Collect every headline line of the landing page, in the README's order.

    Parameters
    ----------
    tables : path-like
        The ``outputs/tables`` folder.

    Returns
    -------
    list of str
        Lines of :func:`growth_headline`, :func:`stage_headline`,
        :func:`concentration_headline` and :func:`drivers_headline`.

    Examples
    --------
    >>> headline_numbers("/nonexistent")
    []
    """
    return (growth_headline(tables) + stage_headline(tables) + concentration_headline(tables)
            + drivers_headline(tables))
