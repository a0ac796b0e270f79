"""Draw the panel stage model: a stage map and a region × year stage heatmap with probabilities.

The tables drawn are those of :func:`cluster_research.lifecycle.panel_stages` (one row per
region and observed year: region, year, stage, prob_embryonic … prob_takeoff, reason).
Each region (or cell) is coloured by its stage, one hue per stage, and **shaded by the
probability of the shown stage**: the colour is mixed with white in proportion
``1 - w``, ``w = 0.15 + 0.85 p`` (p = probability of the stage shown), so a pale cell is an
uncertain stage.  A region-year without a stage is grey with "?"; a year that was not
observed is hatched ("unobserved year") — neither is ever filled with a neighbour's stage.

:func:`pooled_panel_stages` runs the pooled model on the NBS provincial panel once per
process (each region profile of notebook 06 runs in its own kernel and fits it once, 0.3 s).

References
----------
Kucharavy, D. & De Guio, R. (2011). Application of S-shaped curves. *Procedia Engineering* 9,
559–572 (stages on a fitted curve); Efron, B. & Morris, C. (1975). Data analysis using Stein's
estimator and its generalizations. *JASA* 70, 311–319 (empirical-Bayes pooling).
"""

from __future__ import annotations

import math
import textwrap
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch

from .. import data
from ..errors import ParameterError
from ..geo import provinces
from ..lifecycle import STAGE_DEFINITION, Stage, panel_stages
from ..lifecycle.phases import curve_text
from .maps import china_frame, province_layers
from .style import check_lang, figure_axes, label, setup, source_note, text_colour

__all__ = ["PROB_COLUMNS", "STAGE_HUES", "pooled_panel_stages", "pooled_prior",
           "shade", "stage_columns", "stage_grid", "stage_heatmap", "stage_map",
           "stage_probability"]

#: Probability columns of a panel_stages table, in stage order.
PROB_COLUMNS = ("prob_embryonic", "prob_growth", "prob_expansion", "prob_takeoff")
#: One hue per stage (ColorBrewer Dark2), so shading by probability stays readable.
STAGE_HUES = {1: "#1b9e77", 2: "#d95f02", 3: "#7570b3", 4: "#e7298a"}
_NO_STAGE = "#bdbdbd"


@lru_cache(maxsize=8)
def _pooled(indicator: str, information: str) -> pd.DataFrame:
    panel = data.load("provincial_panel")
    return panel_stages(panel, information=information, method="pooled", indicator=indicator)


def pooled_panel_stages(indicator: str = "ecommerce_sales",
                        information: str = "hindsight") -> pd.DataFrame:
    """Return the pooled panel stage model on the NBS provincial panel, computed once.

    Calls ``panel_stages(load("provincial_panel"), method="pooled", information=...,
    indicator=...)`` the first time and returns a copy of the cached table afterwards (the
    result is deterministic: the model's seed is fixed).

    Parameters
    ----------
    indicator : str
        NBS indicator of ``provincial_panel``.
    information : {"hindsight", "realtime"}

    Returns
    -------
    pandas.DataFrame
        The :func:`~cluster_research.lifecycle.panel_stages` table (region, year, stage,
        prob_embryonic, prob_growth, prob_expansion, prob_takeoff, reason).

    References
    ----------
    Efron & Morris (1975), see the module docstring.

    Examples
    --------
    >>> out = pooled_panel_stages()
    >>> out.region.nunique()
    31
    """
    return _pooled(str(indicator), str(information)).copy()  # a copy copies attrs too


def stage_probability(table: pd.DataFrame) -> pd.Series:
    """Return the probability of each row's shown stage (NaN where there is no stage).

    ``p_i = prob_<stage_i>``, the column of :data:`PROB_COLUMNS` of the row's stage.

    Parameters
    ----------
    table : pandas.DataFrame
        A panel_stages table.

    Returns
    -------
    pandas.Series
        Aligned with ``table``.

    Raises
    ------
    ParameterError
        A probability column is missing.

    Examples
    --------
    >>> t = pd.DataFrame({"stage": [Stage.GROWTH, None], "prob_embryonic": [0.2, 1.0],
    ...                   "prob_growth": [0.8, 0.0], "prob_expansion": [0.0, 0.0],
    ...                   "prob_takeoff": [0.0, 0.0]})
    >>> stage_probability(t).tolist()
    [0.8, nan]
    """
    missing = [c for c in ("stage", *PROB_COLUMNS) if c not in table.columns]
    if missing:
        raise ParameterError(f"stage table lacks columns {missing} (a panel_stages table is needed)")
    P = table[list(PROB_COLUMNS)].to_numpy(float)
    order = table["stage"].map(lambda s: s.order if isinstance(s, Stage) else 0).to_numpy()
    p = np.full(len(table), np.nan)
    ok = order > 0
    p[ok] = P[np.flatnonzero(ok), order[ok] - 1]
    return pd.Series(p, index=table.index, name="prob_shown")


def shade(stage, p) -> tuple:
    """Return the RGB colour of a stage shaded by its probability.

    ``rgb = 1 - w (1 - hue)``, ``w = 0.15 + 0.85 p``: p = 1 gives the stage's hue, p → 0
    almost white.  No stage (None) gives grey.

    Parameters
    ----------
    stage : Stage or None
    p : float
        Probability of the stage, in [0, 1].

    Returns
    -------
    tuple of float

    Examples
    --------
    >>> bool(np.allclose(shade(Stage.GROWTH, 1.0), to_rgb(STAGE_HUES[2])))
    True
    >>> shade(None, 0.5) == to_rgb(_NO_STAGE)
    True
    """
    if not isinstance(stage, Stage) or not np.isfinite(p):
        return to_rgb(_NO_STAGE)
    w = 0.15 + 0.85 * float(np.clip(p, 0.0, 1.0))
    return tuple(1.0 - w * (1.0 - np.asarray(to_rgb(STAGE_HUES[stage.order]))))


def _definition(lang: str) -> str:
    """Return :data:`~cluster_research.lifecycle.STAGE_DEFINITION` wrapped for a figure note."""
    return textwrap.fill(STAGE_DEFINITION[lang], 52 if lang == "zh" else 115)


def _legend_handles(lang: str, stages_present) -> list:
    handles = [Patch(facecolor=STAGE_HUES[s.order], label=s.zh if lang == "zh" else s.en)
               for s in Stage if s in stages_present]
    handles.append(Patch(facecolor=_NO_STAGE, label="未识别（?）" if lang == "zh"
                         else "not identified (?)"))
    return handles


def stage_map(table: pd.DataFrame, year: int, lang: str = "zh", highlight=None,
              title: str | None = None, ax=None):
    """Draw a map of the provinces coloured by stage in ``year``, shaded by its probability.

    Colour = :func:`shade` (stage hue mixed with white by the probability of the shown
    stage); regions without a row for ``year`` are hatched "no data".

    Parameters
    ----------
    table : pandas.DataFrame
        A panel_stages table (region, year, stage, prob_*).
    year : int
    lang : {"zh", "en"}
    highlight : str, optional
        A region outlined in red.
    title : str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        No row for ``year``, or not a panel_stages table.

    Examples
    --------
    >>> fig = stage_map(pooled_panel_stages(), 2024, lang="en")
    """
    check_lang(lang)
    rows = table[table["year"] == int(year)]
    if rows.empty:
        raise ParameterError(f"stage_map: the stage table has no row for year {year}")
    p = stage_probability(rows)
    colour = {data.region_code(r): shade(s, q) for r, s, q in zip(rows["region"], rows["stage"], p)}
    setup()
    gdf = provinces()
    gdf["colour"] = gdf.code.map(colour)
    has = gdf["colour"].notna()
    fig, ax, inset = province_layers(gdf, has, ax, highlight, "#eeeeee")
    china_frame(ax, inset, lang)
    handles = _legend_handles(lang, set(rows["stage"].dropna()))
    if (~has).any():
        handles.append(Patch(facecolor="#eeeeee", hatch="///", label=label("no_data", lang)))
    if rows["stage"].notna().any():
        note = ("颜色越浅，该阶段的概率越低" if lang == "zh" else "paler = lower probability of the stage shown")
    else:
        note = ("所有地区均未识别阶段（原因见表）" if lang == "zh"
                else "no region has an identified stage (reasons in the table)")
    ax.legend(handles=handles, loc="lower left", fontsize=8, title=note, title_fontsize=7,
              frameon=False)
    source_note(ax, ["source_nbs", "source_provinces"], lang)
    source_note(ax, [_definition(lang)], lang, y=-0.05)
    if title:
        ax.set_title(title, fontsize=12)
    return fig


def stage_heatmap(table: pd.DataFrame, lang: str = "zh", years=None, title: str | None = None,
                  ax=None):
    """Draw stage by region (rows) × year (columns), shaded by the shown stage's probability.

    Cells: :func:`shade` colour, the stage's probability written in the cell; "?" on grey
    where the model gives no stage; hatched where the year was not observed for the region.

    Parameters
    ----------
    table : pandas.DataFrame
        A panel_stages table.
    lang : {"zh", "en"}
    years : sequence of int, optional
        Columns drawn; default every year of the table.
    title : str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        An empty or non-panel_stages table.

    Examples
    --------
    >>> fig = stage_heatmap(pooled_panel_stages(), lang="en")
    """
    check_lang(lang)
    if table.empty:
        raise ParameterError("stage_heatmap: the stage table is empty")
    p = stage_probability(table)
    years = sorted(table["year"].unique()) if years is None else [int(y) for y in years]
    regions = list(dict.fromkeys(table["region"]))
    lookup = {(r, int(y)): (s, q) for r, y, s, q in
              zip(table["region"], table["year"], table["stage"], p)}
    setup()
    # at least 6 in wide: the legend sits right of the cells, so a few years must still fit it
    fig, ax = figure_axes(ax, (max(1.0 + 0.62 * len(years), 6.0), 1.2 + 0.26 * len(regions)))
    unobserved = False
    for i, r in enumerate(regions):
        for j, y in enumerate(years):
            if (r, y) not in lookup:
                unobserved = True
                ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor="white", edgecolor="#999999",
                                           hatch="///", linewidth=0.3))
                continue
            s, q = lookup[(r, y)]
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=shade(s, q), edgecolor="white",
                                       linewidth=0.5))
            text = f"{q:.2f}" if isinstance(s, Stage) else "?"
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=5.5,
                    color=text_colour(shade(s, q)))
    ax.set_xlim(0, len(years))
    ax.set_ylim(len(regions), 0)
    ax.set_xticks(np.arange(len(years)) + 0.5, [str(y) for y in years], fontsize=7)
    ax.set_yticks(np.arange(len(regions)) + 0.5,
                  [r if lang == "zh" else data.region_name(r, lang="en") for r in regions],
                  fontsize=7)
    ax.set_xlabel(label("year", lang))
    ax.grid(False)
    handles = _legend_handles(lang, set(table["stage"].dropna()))
    if unobserved:
        handles.append(Patch(facecolor="white", edgecolor="#999999", hatch="///",
                             label="未观测年份" if lang == "zh" else "unobserved year"))
    note = ("格中数字 = 所示阶段的概率；? = 未识别" if lang == "zh"
            else "number = probability of the stage shown; ? = not identified")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
              title=note, title_fontsize=6, frameon=False)
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    source_note(ax, [_definition(lang)], lang, y=-2.6 / max(len(regions), 1))
    return fig


def stage_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Return a panel_stages table as a saveable table (stage names as text, numbers as numbers).

    Parameters
    ----------
    table : pandas.DataFrame
        A panel_stages table.

    Returns
    -------
    pandas.DataFrame
        Columns region, year, stage_zh, stage_en, prob_embryonic, prob_growth,
        prob_expansion, prob_takeoff, reason; rows in the order of ``table``, index reset.

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["a"], "year": [2020], "stage": [Stage.GROWTH],
    ...                   "prob_embryonic": [0.1], "prob_growth": [0.9],
    ...                   "prob_expansion": [0.0], "prob_takeoff": [0.0], "reason": ["r"]})
    >>> stage_columns(t).loc[0, ["region", "stage_zh", "stage_en"]].tolist()
    ['a', '成长', 'growth']
    """
    stage_probability(table)  # checks the columns
    out = table[["region", "year"]].assign(
        stage_zh=table["stage"].map(lambda s: s.zh if isinstance(s, Stage) else None),
        stage_en=table["stage"].map(lambda s: s.en if isinstance(s, Stage) else None),
        **{c: table[c].astype(float) for c in PROB_COLUMNS}, reason=table["reason"])
    return out.reset_index(drop=True)


def stage_grid(table: pd.DataFrame, regions, lang: str = "zh") -> tuple[pd.DataFrame, str]:
    """Lay out the stages of some regions by year, a gap written as "–" and said why.

    A region-year without a stage (not identified) stays a gap: its cell reads "–" and the
    note says how many of the region-years shown are gaps and quotes the model's most
    common reason for them (the last clause of ``reason``; every region-year's own reason
    is in the table).

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`stage_columns` table (region, year, stage_zh, stage_en, reason).
    regions : sequence of str
        Region names as in ``table["region"]``, in the order of the rows; a name absent
        from ``table`` is refused.
    lang : {"zh", "en"}
        Stage names in Chinese or English.

    Returns
    -------
    (pandas.DataFrame, str)
        The grid (index region, one column per year) and the note ("" when no cell is a
        gap).

    Raises
    ------
    ParameterError
        A region not in ``table``.

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["a", "a"], "year": [2020, 2021],
    ...                   "stage_zh": ["萌芽", None], "stage_en": ["embryonic", None],
    ...                   "reason": ["fit", "fit; not identified: too short"]})
    >>> grid, note = stage_grid(t, ["a"], lang="en")
    >>> grid.loc["a"].tolist()
    ['embryonic', '–']
    >>> note
    '– = no stage: 1 of 2 region-years shown is not identified (too short).'
    """
    check_lang(lang)
    absent = [r for r in regions if r not in set(table["region"])]
    if absent:
        raise ParameterError(f"stage_grid: regions {absent} are not in the stage table")
    col = "stage_zh" if lang == "zh" else "stage_en"
    sub = table[table["region"].isin(list(regions))]
    grid = sub.pivot(index="region", columns="year", values=col).reindex(list(regions))
    gaps = (sub.loc[sub[col].isna(), "reason"].astype(str).str.split("; ").str[-1]
            .str.removeprefix("not identified: "))
    absent = int(grid.isna().to_numpy().sum()) - len(gaps)  # years without a row at all
    notes = []
    if len(gaps):
        top = gaps.value_counts()
        others = len(gaps) - int(top.iloc[0])
        why = (f"{top.index[0]}" if not others else
               f"{top.iloc[0]} of them: {top.index[0]}; the other {others}: see the reason "
               "column of the table stages_by_region_year")
        notes.append(f"{len(gaps)} of {len(sub)} region-years shown "
                     f"{'is' if len(gaps) == 1 else 'are'} not identified ({why})")
    if absent:
        notes.append(f"{absent} region-year{' has' if absent == 1 else 's have'} no value in "
                     "the panel")
    return grid.fillna("–"), ("– = no stage: " + "; ".join(notes) + ".") if notes else ""


def pooled_prior(table: pd.DataFrame, region: str, year: int | None = None) -> dict:
    """Return the prior of a pooled panel stage fit and one region's MAP curve.

    Parameters
    ----------
    table : pandas.DataFrame
        ``panel_stages(..., method="pooled")``; its ``attrs`` carry the fit (``prior`` and
        ``curves``; in real time one fit per year under ``by_year``).
    region : str
    year : int, optional
        Real time: the year whose refit (data up to it) is read; default the last.

    Returns
    -------
    dict
        ``model``, ``n_identified`` (regions whose own curve is identified), ``n_fitted``,
        ``weak`` (the weak fallback prior: too few of them), ``centre`` (:math:`e^{\\mu}`),
        ``tau``, ``sigma`` and ``params`` (the region's MAP curve as text); empty when the
        table carries no pooled fit for that year.

    Examples
    --------
    >>> p = pooled_prior(pooled_panel_stages(), "上海")
    >>> sorted(p)
    ['centre', 'model', 'n_fitted', 'n_identified', 'params', 'sigma', 'tau', 'weak']
    """
    fits = table.attrs.get("by_year")
    fit = table.attrs if fits is None else fits.get(max(fits) if year is None else int(year), {})
    if "prior" not in fit:
        return {}
    out = dict(fit["prior"])
    curve = fit.get("curves", {}).get(region)
    if curve is not None:
        model, z = curve  # (log K, log rate, t0)
        out["params"] = curve_text(model, [math.exp(z[0]), math.exp(z[1]), z[2]])
    return out
