"""Comparison figures of notebooks 06–08: growth indices, region lines, concentration, coefficients.

Every figure here is bilingual (``lang="zh"`` draws every word in Chinese, indicator and
specification names included), names the source of its data under the axes, and is drawn from
tables the notebooks also save, so the figure and the CSV cannot disagree.

Examples
--------
>>> import pandas as pd
>>> from cluster_research.viz import comparison
>>> wide = pd.DataFrame({"上海": [1.0, 2.0], "北京": [2.0, 3.0]}, index=[2015, 2016])
>>> fig = comparison.index_plot(wide, lang="en")
>>> fig.axes[0].get_ylabel()
'2015 = 100'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import DataValidationError, ParameterError
from .style import check_lang, label, setup, source_note

__all__ = ["LABELS", "coefficient_plot", "concentration_panels", "index_plot", "region_lines",
           "term_label"]

#: Labels used by this module (zh / en).
LABELS = {
    "hhi_cr4": {"zh": "集中度：HHI 与 CR4", "en": "Concentration: HHI and CR4"},
    "hhi": {"zh": "赫芬达尔指数 HHI", "en": "HHI"},
    "cr4": {"zh": "前四位份额 CR4", "en": "CR4 (share of the top four)"},
    "lq": {"zh": "区位商（电子商务销售额 / 地区生产总值）",
           "en": "Location quotient (e-commerce sales / GDP)"},
    "ci": {"zh": "估计值与 {level}% 置信区间（按规格）",
           "en": "Estimate and {level}% confidence interval, by specification"},
    "dependent": {"zh": "因变量：{name}", "en": "Dependent variable: {name}"},
    "spec_key": {"zh": "规格", "en": "Specifications"},
    "region": {"zh": "地区", "en": "Region"}}


def _lab(key: str, lang: str) -> str:
    return LABELS[key][lang]


def _names(wide: pd.DataFrame, lang: str) -> dict:
    if lang == "zh":
        return {c: c for c in wide.columns}
    from .. import data  # late import: only the English names need the region table

    out = {}
    for c in wide.columns:
        try:
            out[c] = data.region_name(c, lang="en")
        except DataValidationError:  # a user's own series or a city: keep its name
            out[c] = c
    return out


def _lines(wide: pd.DataFrame, ax, lang: str, legend_title: str | None = "region") -> None:
    wide.rename(columns=_names(wide, lang)).rename_axis(columns=None).plot(ax=ax, marker="o")
    ax.legend(title=_lab(legend_title, lang) if legend_title else None, fontsize=9)


def _line_figure(wide, lang, ylabel, title, source) -> Figure:
    setup()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _lines(wide, ax, lang)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(label("year", lang))
    if title:
        ax.set_title(title)
    if source:
        source_note(ax, [source], lang, y=-0.18)
    return fig


def index_plot(wide: pd.DataFrame, lang: str = "zh", title: str | None = None,
               source: str | None = None) -> Figure:
    """Plot each column as an index, its first row = 100 (growth compared whatever the size).

    ``index_t = 100 x_t / x_{t0}``, with ``t0`` the first row of ``wide``.

    Parameters
    ----------
    wide : pandas.DataFrame
        Index: years (common to all columns); one column per place.
    source : str, optional
        A source label key or literal text, written under the axes.

    Raises
    ------
    ParameterError
        Empty ``wide``, a gap (NaN), or a first value that is not positive.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = index_plot(pd.DataFrame({"a": [2.0, 3.0]}, index=[2020, 2021]), lang="en")
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [100.0, 150.0]
    """
    check_lang(lang)
    if wide.empty:
        raise ParameterError("index_plot: no common year to compare")
    if wide.isna().any().any():
        gaps = wide.columns[wide.isna().any()].tolist()
        raise ParameterError(f"index_plot: gaps (NaN) in {gaps}; pass the common years only")
    first = wide.iloc[0]
    if (first <= 0).any():
        raise ParameterError(f"index_plot: the first value must be positive: {first.to_dict()}")
    return _line_figure(100 * wide / first, lang, f"{wide.index[0]} = 100", title, source)


def region_lines(wide: pd.DataFrame, regions, lang: str = "zh", ylabel: str = "",
                 title: str | None = None, source: str | None = "source_nbs") -> Figure:
    """Plot the yearly values of some regions (columns of ``wide``) as lines with markers.

    Parameters
    ----------
    wide : pandas.DataFrame
        Index: years; one column per region (Chinese short names).
    regions : sequence of str
        Columns to draw.
    lang : {"zh", "en"}
        English draws the regions' English names.
    ylabel, title : str
    source : str, optional
        Source label key or text.

    Raises
    ------
    ParameterError
        A region that is not a column of ``wide``.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"上海": [1.0, 2.0], "北京": [2.0, 3.0]}, index=[2015, 2016])
    >>> [t.get_text() for t in region_lines(w, ["上海"], lang="en").axes[0].get_legend().texts]
    ['Shanghai']
    """
    check_lang(lang)
    missing = [r for r in regions if r not in wide.columns]
    if missing:
        raise ParameterError(f"region_lines: {missing} not among the columns {list(wide.columns)}")
    return _line_figure(wide[list(regions)], lang, ylabel, title, source)


def concentration_panels(concentration: pd.DataFrame, lq: pd.DataFrame, regions,
                         lang: str = "zh", source: str | None = "source_nbs") -> Figure:
    """Draw concentration (HHI, CR4) by year beside the location quotients of some regions.

    Parameters
    ----------
    concentration : pandas.DataFrame
        Index: years; columns ``hhi`` and ``cr4``
        (:func:`cluster_research.metrics.hhi`, :func:`cluster_research.metrics.cr4`).
    lq : pandas.DataFrame
        Index: years; one column per region (location quotient vs GDP).
    regions : sequence of str
        Columns of ``lq`` to draw.

    Raises
    ------
    ParameterError
        Missing ``hhi``/``cr4`` columns or regions not in ``lq``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"hhi": [0.1, 0.12], "cr4": [0.5, 0.55]}, index=[2019, 2020])
    >>> lq = pd.DataFrame({"上海": [1.2, 1.3]}, index=[2019, 2020])
    >>> len(concentration_panels(c, lq, ["上海"], lang="en").axes)
    2
    """
    check_lang(lang)
    for col in ("hhi", "cr4"):
        if col not in concentration.columns:
            raise ParameterError(f"concentration_panels: concentration needs column {col!r}")
    missing = [r for r in regions if r not in lq.columns]
    if missing:
        raise ParameterError(f"concentration_panels: {missing} not among the LQ columns")
    setup()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    concentration[["hhi", "cr4"]].rename(
        columns={"hhi": _lab("hhi", lang), "cr4": _lab("cr4", lang)}).rename_axis(
        columns=None).plot(ax=axes[0], marker="o")
    axes[0].set_title(_lab("hhi_cr4", lang))
    _lines(lq[list(regions)], axes[1], lang)
    axes[1].axhline(1, color="grey", lw=0.8)
    axes[1].set_title(_lab("lq", lang), fontsize=10)
    for ax in axes:
        ax.set_xlabel(label("year", lang))
    if source:
        source_note(axes[0], [source], lang, y=-0.2)
    fig.tight_layout()
    return fig


def term_label(term: str, names: dict | None = None, lang: str = "zh") -> str:
    """Return the display name of a regression term: ``log_x`` → ``ln <name of x>``.

    Parameters
    ----------
    term : str
        A term of a fitted formula (``log_broadband_users``, ``websites_per_100_firms``).
    names : dict, optional
        Variable → display name (e.g. the ``indicator_zh`` of the NBS tables); a variable not
        in it is shown as is.

    Examples
    --------
    >>> term_label("log_gdp", {"gdp": "地区生产总值"})
    'ln 地区生产总值'
    >>> term_label("log_gdp", None, "en")
    'ln gdp'
    """
    check_lang(lang)
    names = names or {}
    if term.startswith("log_"):
        return f"ln {names.get(term[4:], term[4:])}"
    return names.get(term, term)


def coefficient_plot(coefs: pd.DataFrame, key: pd.DataFrame, lang: str = "zh",
                     names: dict | None = None, descriptions: dict | None = None,
                     skip=(), level: float = 95.0, dependent: str | None = None) -> Figure:
    """Plot each term's estimate with its confidence interval, one row per specification,
    and print the key of the specification labels under the panels.

    Parameters
    ----------
    coefs : pandas.DataFrame
        :func:`cluster_research.regression.robustness_table` (``spec``, ``term``,
        ``estimate``, ``ci_low``, ``ci_high``).
    key : pandas.DataFrame
        :func:`cluster_research.regression.spec_key` (``spec``, ``description``, ``nobs``,
        ``first_period``, ``last_period``).
    names : dict, optional
        Variable → display name for :func:`term_label`.
    descriptions : dict, optional
        Spec label → description in ``lang`` (default: ``key.description``).
    skip : sequence of str
        Terms not drawn (e.g. a control).
    level : float
        Confidence level of ``ci_low``/``ci_high`` in percent (for the title).
    dependent : str, optional
        The dependent variable (a term, shown through ``names``), named in the title.

    Raises
    ------
    ParameterError
        A specification of ``coefs`` missing from ``key`` (no key for its label), or no term.

    Examples
    --------
    >>> import pandas as pd
    >>> coefs = pd.DataFrame({"spec": ["A"], "term": ["x"], "estimate": [1.0],
    ...                       "ci_low": [0.5], "ci_high": [1.5]})
    >>> key = pd.DataFrame({"spec": ["A"], "description": ["entity FE"], "nobs": [10],
    ...                     "first_period": [2015], "last_period": [2024]})
    >>> fig = coefficient_plot(coefs, key, lang="en")
    >>> "A: entity FE" in fig.texts[-1].get_text()
    True
    >>> coefficient_plot(coefs, key, lang="en", dependent="y").get_suptitle().splitlines()[1]
    'Dependent variable: y'
    """
    check_lang(lang)
    unkeyed = sorted(set(coefs["spec"]) - set(key["spec"]))
    if unkeyed:
        raise ParameterError(f"coefficient_plot: no key for specification(s) {unkeyed}")
    terms = [t for t in coefs["term"].unique() if t not in set(skip)]
    if not terms:
        raise ParameterError("coefficient_plot: no term to draw")
    setup()
    order = list(key["spec"])
    fig, axes = plt.subplots(1, len(terms), figsize=(3.2 * len(terms) + 0.5, 3.8), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, term in zip(axes, terms):
        sub = coefs[coefs["term"] == term].set_index("spec").reindex(
            [s for s in order if s in set(coefs.loc[coefs["term"] == term, "spec"])])
        y = [order.index(s) for s in sub.index]
        ax.errorbar(sub["estimate"], y,
                    xerr=[sub["estimate"] - sub["ci_low"], sub["ci_high"] - sub["estimate"]],
                    fmt="o", capsize=3)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(term_label(term, names, lang), fontsize=9)
    axes[0].set_yticks(range(len(order)), order)
    axes[0].set_ylim(len(order) - 0.5, -0.5)
    head = _lab("ci", lang).format(level=f"{level:g}")
    if dependent:
        head += "\n" + _lab("dependent", lang).format(name=term_label(dependent, names, lang))
    fig.suptitle(head, fontsize=11)
    descriptions = descriptions or {}
    sep = "；" if lang == "zh" else "; "
    lines = []
    for row in key.itertuples():
        desc = descriptions.get(row.spec, row.description)
        span = (f"{int(row.first_period)}–{int(row.last_period)}"
                if pd.notna(row.first_period) else "")
        lines.append(f"{row.spec}: {desc} (n={int(row.nobs)}{', ' + span if span else ''})")
    body = "\n".join(sep.join(lines[i:i + 2]) for i in range(0, len(lines), 2))
    n_rows = (len(lines) + 1) // 2 + 1  # the key's lines, with its heading
    fig.tight_layout(rect=(0, min(0.6, 0.02 + 0.034 * n_rows * 3.8 / fig.get_figheight()), 1, 1))
    colon = "：" if lang == "zh" else ":"
    fig.text(0.01, 0.01, f"{_lab('spec_key', lang)}{colon}\n{body}", fontsize=7.5, va="bottom",
             ha="left", color="#333333")
    return fig
