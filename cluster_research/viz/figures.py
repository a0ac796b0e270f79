"""Figures of the notebooks: ecosystem diagram, rank heatmaps, series, growth fits, stages.

Examples
--------
>>> import cluster_research as cr
>>> fig = cr.viz.ecosystem(lang="en")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, Patch, Rectangle

from .. import claims
from ..data import SECONDARY_SOURCES
from ..errors import ParameterError
from ..lifecycle import STAGE_DEFINITION, Stage
from .style import (FIGSIZE, MODEL_COLOURS, band_label, check_lang, figure_axes, label,
                    method_label, model_label, setup, text_colour)

__all__ = ["STAGE_COLOURS", "ecosystem", "growth_fits", "rank_heatmap", "series_plot",
           "stage_timeline"]


def ecosystem(taxonomy=None, lang: str = "zh") -> Figure:
    """Draw the paper's cluster: 12 kinds of chain members around the core, 3 external actors.

    Parameters
    ----------
    taxonomy : pandas.DataFrame, optional
        Default :func:`cluster_research.claims.ecosystem`; columns ``layer``
        ("chain" | "external"), ``order``, ``name_zh``, ``name_en``.
    """
    check_lang(lang)
    setup()
    taxonomy = claims.ecosystem() if taxonomy is None else taxonomy
    chain = taxonomy[taxonomy.layer == "chain"].sort_values("order")
    ext = taxonomy[taxonomy.layer == "external"].sort_values("order")
    fig, ax = plt.subplots(figsize=(8.5, 8.5))
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.55, 1.35)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_patch(Circle((0, 0), 1.12, fc="#eef4fb", ec="#4c72b0", lw=1.5, ls="--"))
    ax.add_patch(Circle((0, 0), 0.30, fc="#4c72b0", ec="none"))
    ax.text(0, 0, label("cluster_core", lang), ha="center", va="center", color="white", fontsize=11)
    n = len(chain)
    for i, row in enumerate(chain.itertuples(index=False)):
        ang = np.pi / 2 - 2 * np.pi * i / n
        c, s = np.cos(ang), np.sin(ang)
        ax.plot([0.30 * c, 0.58 * c], [0.30 * s, 0.58 * s], color="#4c72b0", lw=0.8)
        text = row.name_zh if lang == "zh" else row.short_en.replace(" & ", " &\n").replace(
            "Credit ", "Credit\n")
        ax.text(0.80 * c, 0.80 * s, text, ha="center", va="center", fontsize=10,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#4c72b0", "lw": 0.8})
    ax.text(0, 1.16, label("chain", lang), ha="center", va="bottom", fontsize=10, color="#4c72b0")
    xs = np.linspace(-0.95, 0.95, len(ext)) if len(ext) > 1 else [0.0]
    for x, row in zip(xs, ext.itertuples(index=False)):
        ax.add_patch(FancyBboxPatch((x - 0.30, -1.42), 0.60, 0.17,
                                    boxstyle="round,pad=0.02", fc="#fdf0e6", ec="#dd8452"))
        text = row.name_zh if lang == "zh" else row.short_en.replace(" organisations",
                                                                     "\norganisations")
        ax.text(x, -1.335, text, ha="center", va="center", fontsize=9.5)
        ax.annotate("", xy=(x * 0.6, -0.98), xytext=(x, -1.23),
                    arrowprops={"arrowstyle": "->", "color": "#dd8452", "lw": 1.0})
    ax.text(0, -1.52, label("external", lang), ha="center", va="bottom", fontsize=9,
            color="#dd8452")
    ax.set_title(label("ecosystem_title", lang), fontsize=12)
    return fig


# ------------------------------------------------------------------ panels


def rank_heatmap(ranks, lang: str = "zh", title: str | None = None, value_col: str = "rank",
                 row_col: str = "indicator_label") -> Figure:
    """Draw a heatmap of ranks (1 = highest) by indicator and year.

    Parameters
    ----------
    ranks : pandas.DataFrame
        Long table with columns ``year``, ``row_col`` and ``value_col``
        (e.g. from :func:`cluster_research.claims.pillar_indicators`); NaN cells are hatched
        and labelled "no data".
    value_col, row_col : str
    """
    check_lang(lang)
    setup()
    wide = ranks.pivot_table(index=row_col, columns="year", values=value_col, aggfunc="first",
                             sort=False)
    fig, ax = plt.subplots(figsize=(9.0, 0.45 * len(wide) + 1.6))
    sns.heatmap(wide, ax=ax, annot=True, fmt=".0f", cmap="cividis", vmin=1, vmax=31,
                cbar_kws={"label": label("rank", lang)}, linewidths=0.5)
    for i, j in zip(*np.nonzero(wide.isna().to_numpy())):  # a gap is marked, not left blank
        ax.add_patch(Rectangle((j, i), 1, 1, fill=False, hatch="///", ec="#bbbbbb", lw=0))
        ax.text(j + 0.5, i + 0.5, label("no_data", lang), ha="center", va="center",
                fontsize=7, color="#777777")
    ax.grid(False)
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel("")
    if title:
        ax.set_title(title, fontsize=12)
    return fig


def _yi_yuan_axes(fig, ax, lang, logy, title, legend_size):
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(label("yi_yuan", lang))
    ax.legend(fontsize=legend_size)
    if title:
        ax.set_title(title)
    return fig


def series_plot(df, lang: str = "zh", ax=None, title: str | None = None,
                logy: bool = True) -> Figure:
    """Plot a level series with its source qualifier shown by the marker.

    Actual values (``exact``) are filled circles, joined by a solid line between consecutive
    years and by a dotted line across years without data (a gap is not drawn as if it were
    observed); an actual from a secondary source (:data:`cluster_research.data.SECONDARY_SOURCES`,
    needs a ``source_id`` column) is an open circle, not joined; ``approx`` open circles;
    ``lower_bound`` upward triangles; ``target`` grey crosses (never joined to the actuals).
    Intended for the Shanghai transaction series (notebooks 01-03).

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``year``, ``value`` and ``qualifier`` (as in ``load("shanghai_ecommerce")``).
    ax : matplotlib.axes.Axes, optional
    logy : bool
        Log scale for the values.
    """
    check_lang(lang)
    setup()
    fig, ax = figure_axes(ax, FIGSIZE)
    blue = "#4c72b0"
    second = (df["source_id"].isin(SECONDARY_SOURCES) if "source_id" in df
              else pd.Series(False, index=df.index))
    is_exact = df["qualifier"] == "exact"
    styles = {"exact": ({"marker": "o", "color": blue}, is_exact & ~second),
              "secondary": ({"marker": "o", "mfc": "white", "color": blue}, is_exact & second),
              "approx": ({"marker": "o", "mfc": "none", "color": blue}, df["qualifier"] == "approx"),
              "lower_bound": ({"marker": "^", "color": "#dd8452"}, df["qualifier"] == "lower_bound"),
              "target": ({"marker": "x", "color": "#8c8c8c"}, df["qualifier"] == "target")}
    for q, (st, rows) in styles.items():
        sub = df[rows].sort_values("year")
        if len(sub):
            ax.plot(sub["year"], sub["value"], ls="none", label=label(q, lang), zorder=3, **st)
    exact = df[is_exact & ~second].sort_values("year")
    years, values = exact["year"].to_numpy(), exact["value"].to_numpy()
    for y0, y1, v0, v1 in zip(years[:-1], years[1:], values[:-1], values[1:]):
        gap = y1 - y0 > 1
        ax.plot([y0, y1], [v0, v1], color=blue, ls=":" if gap else "-", lw=1.0 if gap else 1.8,
                zorder=2, label=label("gap", lang) if gap else None)
    _yi_yuan_axes(fig, ax, lang, logy, title, 9)
    handles, labels = ax.get_legend_handles_labels()
    keep = dict(zip(labels, handles))  # the dotted gap line once
    ax.legend(keep.values(), keep.keys(), fontsize=9)
    return fig


def growth_fits(results, years=None, lang: str = "zh", interval: str | None = "confidence",
                alpha: float = 0.05, ax=None, title: str | None = None, logy: bool = False,
                band_for: str | None = "best") -> Figure:
    """Plot fitted growth curves over the data they were fitted to, with one shaded band.

    Intended for notebook 02: one line per model in the model's own colour
    (:data:`cluster_research.viz.style.MODEL_COLOURS`, the same in every figure), the fitted
    actuals as points, the years after the last observation shaded as extrapolation, and the
    ``1 - alpha`` band of ``res.predict(years, interval=...)`` (delta method) for **one**
    model only: five overlapping bands hide each other. A model that did not converge is drawn
    dashed and marked "(not converged)"; a model whose ceiling is not identified is marked
    "(ceiling not identified)".

    Parameters
    ----------
    results : dict of str -> GrowthResults
        Label -> fit result of :func:`cluster_research.growth.fit` (same data in all).
    years : array-like, optional
        Years to draw the curves over (default: data span plus 5 years).
    interval : {"confidence", "prediction", None}
    ax : matplotlib.axes.Axes, optional
    band_for : str or None, default "best"
        The model whose band is drawn: ``"best"`` = the converged model with the lowest AICc,
        a label of ``results``, or None (no band).
    """
    check_lang(lang)
    setup()
    if not results:
        raise ParameterError("results is empty: pass {label: GrowthResults}")
    fig, ax = figure_axes(ax, FIGSIZE)
    first = next(iter(results.values()))
    x_obs = np.asarray(first.years, float)
    y_obs = np.asarray(first.values, float)
    if years is None:
        years = np.linspace(x_obs.min(), x_obs.max() + 5, 200)
    years = np.asarray(years, float)
    if band_for == "best":
        ok = {k: r for k, r in results.items()
              if getattr(r, "converged", True) and np.isfinite(getattr(r, "aicc", np.nan))}
        band_for = min(ok, key=lambda k: ok[k].aicc) if ok else None
    if interval is None:
        band_for = None
    if years.max() > x_obs.max():
        ax.axvspan(x_obs.max(), years.max(), color="#f0f0f0", zorder=0,
                   label="外推（最后观测之后）" if lang == "zh"
                   else "extrapolation (after the last observation)")
    for name, res in results.items():
        tag = model_label(name, lang)
        if not getattr(res, "converged", True):
            tag += " (not converged)" if lang == "en" else "（未收敛）"
        elif getattr(res, "identified", True) is False:
            tag += " (ceiling not identified)" if lang == "en" else "（上限不可识别）"
        ls = "-" if getattr(res, "converged", True) else "--"
        colour = MODEL_COLOURS.get(getattr(res, "model", name), MODEL_COLOURS.get(name))
        (line,) = ax.plot(years, np.asarray(res.predict(years), float), ls=ls, label=tag,
                          color=colour)
        if name == band_for:
            band = res.predict(years, interval=interval, alpha=alpha)
            ax.fill_between(years, band["lower"].to_numpy(), band["upper"].to_numpy(),
                            color=line.get_color(), alpha=0.18, lw=0,
                            label=band_label(interval, alpha, lang) + (
                                f"（{model_label(name, lang)}，AICc 最小）" if lang == "zh"
                                else f" ({model_label(name, lang)}, lowest AICc)"))
    ax.plot(x_obs, y_obs, "o", color="black", label=label("exact", lang), zorder=5)
    return _yi_yuan_axes(fig, ax, lang, logy, title, 8)


#: Fill colour of each lifecycle stage (1 embryonic ... 4 takeoff).
STAGE_COLOURS = {1: "#c6dbef", 2: "#6baed6", 3: "#2171b5", 4: "#08306b"}


def stage_timeline(table, lang: str = "zh", title: str | None = None, paper_years=(2010, 2011),
                   observed=None) -> Figure:
    """Draw the stage judged by each method in each year (rows methods, columns years).

    Intended for notebooks 03 and 06. Cells are 0.36 in wide and every text is 9 pt or more,
    so that a 20-year timeline saved at 150 dpi stays legible when a page shows it 900 px
    wide (text at least 9 px tall). Cells without a classification are left white with
    "–"; the years the paper judged (2010-2011 by default) are outlined in red; years without
    an observation (when ``observed`` is given) are hatched and their year labels greyed, since
    a stage there comes from the data of other years. The legend explains all three marks.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``year``, ``method`` and ``stage`` (a :class:`cluster_research.lifecycle.Stage`,
        its name or label, or None when unclassified).
    lang : {"zh", "en"}
        Also the language of the method names (:func:`~cluster_research.viz.style.method_label`).
    paper_years : tuple of int
        Years to outline.
    observed : iterable of int, optional
        Years with an observation of the series judged; the other years of ``table`` are
        marked as unobserved. None: no year is marked.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [2010, 2011], "method": ["signs", "signs"],
    ...                   "stage": ["growth", None]})
    >>> fig = stage_timeline(t, lang="en", observed=[2010])
    >>> [x.get_text().replace("\\n", " ") for x in fig.axes[0].get_legend().get_texts()][-2:]
    ['–  no verdict by the method that year', "Hatched: no observation that year (stage from other years' data)"]
    """
    check_lang(lang)
    setup()
    methods = list(dict.fromkeys(table["method"]))
    years = sorted({int(y) for y in table["year"]})
    unobserved = [] if observed is None else [y for y in years
                                                 if y not in {int(o) for o in observed}]
    # cells of 0.36 in (0.65 in tall for the vertical English names) at the axes' share of
    # the figure (0.775 x 0.77 by default), text of 9 pt or more: at a page width of 900 px a
    # 20-year timeline is drawn at about 0.55 of its 150-dpi size, its smallest text 10 px
    cell_h = 0.4 if lang == "zh" else 0.65
    fig, ax = plt.subplots(figsize=(max(4.0, 0.36 * len(years) / 0.775),
                                    cell_h * len(methods) / 0.77 + 0.6))
    any_blank = False
    for row in table.itertuples(index=False):
        i, j = methods.index(row.method), years.index(int(row.year))
        st = row.stage
        if st is None or (isinstance(st, float) and math.isnan(st)) or st == "":
            any_blank = True
            ax.add_patch(Rectangle((j, i), 1, 1, fc="white", ec="#cccccc"))
            ax.text(j + 0.5, i + 0.5, "–", ha="center", va="center", color="#767676",
                    fontsize=9)
            continue
        st = st if isinstance(st, Stage) else Stage.from_label(st)
        ax.add_patch(Rectangle((j, i), 1, 1, fc=STAGE_COLOURS[st.value], ec="white"))
        # English labels are too wide for a cell: write them vertically, in full
        ax.text(j + 0.5, i + 0.5, st.zh if lang == "zh" else st.en, ha="center",
                va="center", fontsize=9,
                rotation=0 if lang == "zh" else 90, color=text_colour(STAGE_COLOURS[st.value]))
    for y in unobserved:
        ax.add_patch(Rectangle((years.index(y), 0), 1, len(methods), fill=False, hatch="///",
                               ec="#9a9a9a", lw=0))
    outlined = [y for y in paper_years if y in years]
    for y in outlined:
        ax.add_patch(Rectangle((years.index(y), 0), 1, len(methods), fill=False,
                               ec="#d62728", lw=1.5))
    ax.set_xlim(0, len(years))
    ax.set_ylim(len(methods), 0)
    ax.set_xticks([j + 0.5 for j in range(len(years))], [str(y) for y in years], rotation=90)
    for tick, y in zip(ax.get_xticklabels(), years):
        if y in unobserved:
            tick.set_color("#9a9a9a")
    ax.set_yticks([i + 0.5 for i in range(len(methods))], [method_label(m, lang) for m in methods])
    ax.grid(False)
    handles = [Patch(color=STAGE_COLOURS[s.value], label=s.zh if lang == "zh" else s.en)
               for s in Stage]
    if outlined:
        handles.append(Patch(fill=False, ec="#d62728", lw=1.5, label=label("paper_years", lang)))
    if any_blank:
        handles.append(Patch(fc="white", ec="#cccccc", label=label("no_verdict", lang)))
    if unobserved:
        handles.append(Patch(fill=False, hatch="///", ec="#9a9a9a",
                             label=label("unobserved", lang)))
    for h in handles:  # long labels on two lines: the legend takes less of the page width
        h.set_label(textwrap.fill(h.get_label(), 14 if lang == "zh" else 30))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    ax.set_xlabel(label("year", lang))
    # what a stage means, under the year labels (the figure is saved with a tight bounding box)
    width = 0.775 * fig.get_figwidth() * 72 / 9  # the axes' width in 9-pt ems
    note = STAGE_DEFINITION[lang]
    if any(not str(m).startswith(("curve", "panel")) for m in methods):
        note += " " + label("rule_methods", lang)  # the definition is that of the curve rows
    ax.annotate(textwrap.fill(note, int(width if lang == "zh" else 1.9 * width)),
                xy=(0, 0),
                xycoords="axes fraction", xytext=(0, -64), textcoords="offset points",
                fontsize=9, color="#595959", va="top", ha="left", annotation_clip=False)
    if title:
        ax.set_title(title)
    return fig
