"""Draw the stage-model benchmark: accuracy against noise, and reliability diagrams.

:func:`accuracy_chart` plots the table of
:func:`cluster_research.lifecycle.benchmark.run_benchmark` (accuracy by method, truth
model, noise level and information set) with the acceptance bars drawn as short
horizontal marks; :func:`reliability_plot` plots tables of
:func:`cluster_research.lifecycle.benchmark.reliability_table` (mean predicted
probability of a stage against the observed frequency of that stage, DeGroot & Fienberg
1983), the diagonal being perfect calibration.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
import numpy as np
import pandas as pd

from ..errors import ParameterError
from .style import FIGSIZE, check_lang, display_name, model_label, setup

__all__ = ["STAGE_MODEL_NAMES", "accuracy_chart", "reliability_plot"]

_TEXT = {
    "noise": {"zh": "噪声（对数标准差 σ）", "en": "Noise (log SD σ)"},
    "accuracy": {"zh": "准确率（未分类计为错）", "en": "Accuracy (unclassified = wrong)"},
    "bar": {"zh": "标准", "en": "bar"},
    "predicted": {"zh": "预测概率（分箱均值）", "en": "Predicted probability (bin mean)"},
    "observed": {"zh": "实际频率", "en": "Observed frequency"},
    "diagonal": {"zh": "完全校准", "en": "Perfect calibration"},
    "hindsight": {"zh": "事后", "en": "hindsight"},
    "realtime": {"zh": "实时", "en": "real time"},
    "truth": {"zh": "真实曲线：", "en": "Truth: "},
    "independent": {"zh": "各区独立中点", "en": "independent midpoints"},
    "shifted": {"zh": "同一曲线、中点平移", "en": "one curve, shifted midpoints"},
    "mixed": {"zh": "逻辑斯蒂与冈珀茨混合", "en": "logistic and Gompertz mixed"}}

#: Names of the panel stage models (:func:`cluster_research.lifecycle.panel_stages` methods).
STAGE_MODEL_NAMES = {
    "lag": {"zh": "扩散滞后", "en": "diffusion lag"},
    "pooled": {"zh": "合并先验曲线", "en": "pooled"},
    "mixed": {"zh": "混合效应曲线", "en": "mixed"},
    "hmm": {"zh": "隐马尔可夫", "en": "HMM"},
    "curve": {"zh": "逐区曲线", "en": "curve"},
    "eb": {"zh": "经验贝叶斯", "en": "empirical Bayes"}}


def _t(key: str, lang: str) -> str:
    return _TEXT[key][lang] if key in _TEXT else str(key)


def accuracy_chart(table: pd.DataFrame, bars=None, *, lang: str = "zh", title: str | None = None):
    """Plot benchmark accuracy against noise, one panel per truth model, with the bars.

    Accuracy is ``mean_i 1[stage_i = true phase_i]`` over all simulated region-years
    (an unclassified year counts as wrong), as in
    :func:`cluster_research.lifecycle.benchmark.score`.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns method, truth, noise, information, accuracy (one row per combination,
        as :func:`~cluster_research.lifecycle.benchmark.run_benchmark` returns).
    bars : pandas.DataFrame or list of dict, optional
        Acceptance bars: information, noise, accuracy (the lowest acceptable accuracy);
        each is drawn as a short black mark at its noise level, in every panel.

    Returns
    -------
    matplotlib.figure.Figure
        Solid lines and dots: hindsight; dashed lines and squares: real time (a single noise
        level draws no line); one colour per method.

    Raises
    ------
    ParameterError
        If a column is missing, or ``lang`` is not zh/en.

    References
    ----------
    Kucharavy, D., De Guio, R. (2011). Application of S-shaped curves. *Procedia
    Engineering* 9, 559-572 (the phases scored).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"method": "pooled", "truth": "logistic", "noise": [0.08, 0.15],
    ...                   "information": "hindsight", "accuracy": [0.95, 0.9]})
    >>> fig = accuracy_chart(t, [{"information": "hindsight", "noise": 0.08, "accuracy": 0.9}],
    ...                      lang="en")
    >>> len(fig.axes)
    1
    """
    check_lang(lang)
    need = {"method", "truth", "noise", "information", "accuracy"}
    if not need <= set(table.columns):
        raise ParameterError(f"accuracy_chart: the benchmark table lacks {sorted(need - set(table.columns))}")
    setup()
    table = table.assign(design=table["design"] if "design" in table else "")
    panels = list(dict.fromkeys(zip(table["truth"], table["design"])))
    methods = list(dict.fromkeys(table["method"]))
    colours = dict(zip(methods, plt.rcParams["axes.prop_cycle"].by_key()["color"] * 3))
    ncols = min(3, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(FIGSIZE[0], 2.6 * nrows + 1.2),
                             sharey=True, squeeze=False)
    bars = pd.DataFrame(bars if bars is not None else [],
                        columns=["information", "noise", "accuracy"])
    noises = sorted(set(table["noise"]) | set(bars["noise"]))
    span = max(noises) - min(noises) if len(noises) > 1 else 0.05
    width = 0.12 * span
    for i, (ax, (truth, design)) in enumerate(zip(axes.flat, panels)):
        sub = table[(table["truth"] == truth) & (table["design"] == design)]
        for (method, info), g in sub.groupby(["method", "information"], sort=False):
            g = g.sort_values("noise")
            ax.plot(g["noise"], g["accuracy"], marker="o" if info == "hindsight" else "s",
                    color=colours[method], ls="-" if info == "hindsight" else "--",
                    label=f"{display_name(STAGE_MODEL_NAMES, method, lang)} · {_t(info, lang)}")
        for _, b in bars.iterrows():
            ax.hlines(b["accuracy"], b["noise"] - width / 2, b["noise"] + width / 2,
                      color="black", lw=2.5, ls="-" if b["information"] == "hindsight" else "--")
        head = _t("truth", lang) + (_t(truth, lang) if truth == "mixed" else model_label(truth, lang))
        ax.set_title(head + (f"\n{_t(design, lang)}" if design else ""), fontsize=9)
        # percent labels ("8%"), turned when two noise levels sit close (0.05 and 0.08 overlap)
        close = len(noises) > 1 and min(np.diff(noises)) < 0.2 * span
        ax.set_xticks(noises, [f"{n:.0%}" if round(n * 100, 6).is_integer() else f"{n:.1%}"
                               for n in noises], rotation=45 if close else 0)
        ax.set_xlim(min(noises) - 0.25 * span, max(noises) + 0.25 * span)
        ax.set_ylim(0.0, 1.02)
        if i >= len(panels) - ncols:
            ax.set_xlabel(_t("noise", lang), fontsize=9)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    fig.supylabel(_t("accuracy", lang), fontsize=10)
    seen = {}
    for ax in axes.flat[:len(panels)]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    for info, g in bars.groupby("information", sort=False):  # the bars, in the legend
        marks = ", ".join(f"{a:.2f} (σ {n:g})" for n, a in zip(g["noise"], g["accuracy"]))
        seen[f"{_t('bar', lang)} · {_t(info, lang)}: {marks}"] = Line2D(
            [], [], color="black", lw=2.5, ls="-" if info == "hindsight" else "--")
    fig.legend(seen.values(), seen.keys(), fontsize=7, loc="lower center",
               ncol=min(3, len(seen)), bbox_to_anchor=(0.5, 0.0), frameon=False)
    fig.tight_layout(rect=(0.02, 0.035 * (-(-len(seen) // 3)) + 0.01, 1, 0.95 if title else 1))
    if title:
        fig.suptitle(title)
    return fig


def reliability_plot(tables: dict, *, lang: str = "zh", title: str | None = None):
    """Plot reliability diagrams: observed frequency against mean predicted probability.

    A model is calibrated when, among all (region-year, stage) pairs given probability
    ``p``, the share whose stage is the true one is ``p``; points on the diagonal.  The
    legend gives each curve's expected calibration error
    ``ECE = Σ_b (n_b / n) |observed_b - mean_predicted_b|`` (``attrs["ece"]``).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Label → a table of
        :func:`cluster_research.lifecycle.benchmark.reliability_table` (columns
        mean_predicted, observed, n).

    Returns
    -------
    matplotlib.figure.Figure
        Marker area proportional to ``sqrt(n)`` of the bin.

    Raises
    ------
    ParameterError
        If there is no table, a column is missing, or ``lang`` is not zh/en.

    References
    ----------
    DeGroot, M. H., Fienberg, S. E. (1983). The comparison and evaluation of
    forecasters. *The Statistician* 32, 12-22.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"mean_predicted": [0.05, 0.9], "observed": [0.04, 0.92],
    ...                   "n": [300, 100]})
    >>> t.attrs["ece"] = 0.0125
    >>> fig = reliability_plot({"pooled": t}, lang="en")
    >>> fig.axes[0].get_legend_handles_labels()[1][1]
    'pooled (ECE 0.013)'
    """
    check_lang(lang)
    if not tables:
        raise ParameterError("reliability_plot needs at least one reliability table")
    for name, tab in tables.items():
        missing = {"mean_predicted", "observed", "n"} - set(tab.columns)
        if missing:
            raise ParameterError(f"reliability_plot: table {name!r} lacks {sorted(missing)}")
    setup()
    fig, ax = plt.subplots(figsize=(FIGSIZE[1] * 1.15, FIGSIZE[1]))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls=":", label=_t("diagonal", lang))
    for name, tab in tables.items():
        ece = tab.attrs.get("ece", float("nan"))
        ax.plot(tab["mean_predicted"], tab["observed"], lw=1, marker=None)
        ax.scatter(tab["mean_predicted"], tab["observed"], s=6 * np.sqrt(tab["n"]),
                   color=ax.lines[-1].get_color(), alpha=0.8, zorder=3,
                   label=f"{display_name(STAGE_MODEL_NAMES, name, lang)} (ECE {ece:.3f})")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel(_t("predicted", lang))
    ax.set_ylabel(_t("observed", lang))
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title)
    return fig
