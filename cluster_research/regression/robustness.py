"""Robustness tables: several specifications side by side, stored as numbers.

:func:`robustness_table` collects the coefficients of several fitted panel models in a
long table of numbers (estimate, standard error, p-value, interval; one row per
specification and term); :func:`format_robustness` renders it the way papers print it
(``0.722*** (0.211)``) for display only; :func:`spec_key` is the key of the
specification labels (A, B, ...) used in tables and coefficient plots.

Labels follow the convention ``"<letter> <description>"``, e.g.
``"B two-way FE, clustered"``: the first word is the short label, the rest the
description.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .panel import PanelResults

__all__ = ["STAR_LEVELS", "format_robustness", "robustness_table", "spec_key", "split_label",
           "stars"]

#: Significance stars: (p-value threshold, stars), checked in order (p < threshold).
STAR_LEVELS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))

ROBUSTNESS_COLUMNS = ["spec", "term", "estimate", "std_error", "t", "p_value", "ci_low",
                      "ci_high", "nobs", "n_entities", "n_periods", "within_r2"]


def split_label(label: str) -> tuple[str, str]:
    """Split a specification label into its short label and its description.

    Parameters
    ----------
    label : str
        ``"<short> <description>"``, e.g. ``"B two-way FE, clustered"``.

    Returns
    -------
    tuple of str
        ``(short, description)``; the description is ``""`` for a one-word label.

    Examples
    --------
    >>> split_label("B two-way FE, clustered")
    ('B', 'two-way FE, clustered')
    """
    short, _, description = str(label).strip().partition(" ")
    return short, description.strip()


def stars(p: float) -> str:
    """Return the significance stars of a p-value (``***`` p < 0.01, ``**`` < 0.05, ``*`` < 0.1).

    Parameters
    ----------
    p : float
        Two-sided p-value.

    Returns
    -------
    str
        ``"***"``, ``"**"``, ``"*"`` or ``""`` (also for NaN), see :data:`STAR_LEVELS`.

    Examples
    --------
    >>> [stars(p) for p in (0.001, 0.03, 0.07, 0.5, float("nan"))]
    ['***', '**', '*', '', '']
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    for level, mark in STAR_LEVELS:
        if p < level:
            return mark
    return ""


def _check_results(results) -> dict:
    if not isinstance(results, dict) or not results:
        raise ParameterError("results must be a non-empty dict {label: PanelResults}, got "
                             f"{type(results).__name__}")
    shorts = {}
    for label, res in results.items():
        if not isinstance(res, PanelResults):
            raise ParameterError(f"results[{label!r}] is a {type(res).__name__}, "
                                 "not a PanelResults")
        short, _ = split_label(label)
        if short in shorts:
            raise ParameterError(f"specification labels {shorts[short]!r} and {label!r} share "
                                 f"the short label {short!r}")
        shorts[short] = label
    return shorts


def robustness_table(results: dict) -> pd.DataFrame:
    """Collect the coefficients of several fitted specifications in one table of numbers.

    Parameters
    ----------
    results : dict of {str: PanelResults}
        Fitted models keyed by their labels ``"<short> <description>"`` (see
        :func:`split_label`); the order of the dict is kept.

    Returns
    -------
    pandas.DataFrame
        One row per specification and term, columns ``spec`` (short label), ``term``,
        ``estimate``, ``std_error``, ``t``, ``p_value``, ``ci_low``, ``ci_high`` (95 %,
        from :attr:`PanelResults.coef_table`) and the model's ``nobs``, ``n_entities``,
        ``n_periods``, ``within_r2`` repeated on its rows. All numbers are floats or ints;
        stars exist only in :func:`format_robustness`.

    Raises
    ------
    ParameterError
        Empty input, a value that is not a :class:`PanelResults`, or two labels with the
        same short label.

    Examples
    --------
    >>> from statsmodels.datasets import grunfeld
    >>> from cluster_research.regression import panel
    >>> g = grunfeld.load_pandas().data
    >>> g = g[g.firm != "American Steel"]
    >>> t = robustness_table({"A entity FE": panel(g, "invest ~ value + capital", "firm", "year")})
    >>> round(float(t.loc[t.term == "value", "std_error"].iloc[0]), 7)
    0.0118567
    """
    _check_results(results)
    parts = []
    for label, res in results.items():
        ct = res.coef_table[["term", "estimate", "std_error", "t", "p_value", "ci_low",
                             "ci_high"]].copy()
        ct.insert(0, "spec", split_label(label)[0])
        parts.append(ct.assign(nobs=int(res.nobs), n_entities=res.n_entities,
                               n_periods=res.n_periods, within_r2=float(res.rsquared_within)))
    return pd.concat(parts, ignore_index=True)[ROBUSTNESS_COLUMNS]


def format_robustness(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Render a :func:`robustness_table` for display: ``estimate<stars> (std_error)``.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`robustness_table`.
    digits : int, default 3
        Decimals of estimates, standard errors and the within R².

    Returns
    -------
    pandas.DataFrame of str
        Terms as rows (first-seen order) followed by ``nobs``, ``regions``, ``years``,
        ``within_r2``; specifications (short labels) as columns; ``""`` where a term is
        not in a specification. Stars as :func:`stars`.

    Examples
    --------
    >>> t = pd.DataFrame({"spec": ["A"], "term": ["x"], "estimate": [0.7221],
    ...                   "std_error": [0.2113], "p_value": [0.004], "nobs": [310],
    ...                   "n_entities": [31], "n_periods": [10], "within_r2": [0.75]})
    >>> format_robustness(t).loc["x", "A"]
    '0.722*** (0.211)'
    """
    miss = [c for c in ("spec", "term", "estimate", "std_error", "p_value", "nobs",
                        "n_entities", "n_periods", "within_r2") if c not in table.columns]
    if miss:
        raise ParameterError(f"format_robustness: table lacks columns {miss}; pass the "
                             "output of robustness_table()")
    specs = list(dict.fromkeys(table["spec"]))
    terms = list(dict.fromkeys(table["term"]))
    out = pd.DataFrame("", index=terms + ["nobs", "regions", "years", "within_r2"], columns=specs)
    for r in table.itertuples(index=False):
        out.at[r.term, r.spec] = (f"{r.estimate:.{digits}f}{stars(r.p_value)} "
                                  f"({r.std_error:.{digits}f})")
    models = table.drop_duplicates("spec").set_index("spec")
    for s in specs:
        m = models.loc[s]
        out.at["nobs", s] = str(int(m["nobs"]))
        out.at["regions", s] = "" if pd.isna(m["n_entities"]) else str(int(m["n_entities"]))
        out.at["years", s] = "" if pd.isna(m["n_periods"]) else str(int(m["n_periods"]))
        out.at["within_r2", s] = f"{m['within_r2']:.{digits}f}"
    return out


def spec_key(results: dict) -> pd.DataFrame:
    """Return the key of the specification labels: short label → description and settings.

    Parameters
    ----------
    results : dict of {str: PanelResults}
        As for :func:`robustness_table`.

    Returns
    -------
    pandas.DataFrame
        One row per specification: ``spec`` (short label), ``description``, ``model``,
        ``effects``, ``cov_type``, ``formula``, ``nobs``, ``n_entities``, ``n_periods``,
        ``first_period``, ``last_period``.

    Examples
    --------
    >>> from statsmodels.datasets import grunfeld
    >>> from cluster_research.regression import panel
    >>> g = grunfeld.load_pandas().data
    >>> g = g[g.firm != "American Steel"]
    >>> key = spec_key({"A entity FE": panel(g, "invest ~ value + capital", "firm", "year")})
    >>> key[["spec", "description", "effects", "nobs"]].to_dict("records")
    [{'spec': 'A', 'description': 'entity FE', 'effects': 'entity', 'nobs': 200}]
    """
    _check_results(results)
    rows = []
    for label, res in results.items():
        short, description = split_label(label)
        times = res.periods()
        rows.append({"spec": short, "description": description, "model": res.model,
                     "effects": res.effects, "cov_type": res.cov_type, "formula": res.formula,
                     "nobs": int(res.nobs), "n_entities": res.n_entities,
                     "n_periods": res.n_periods,
                     "first_period": times.min() if len(times) else np.nan,
                     "last_period": times.max() if len(times) else np.nan})
    return pd.DataFrame(rows)
