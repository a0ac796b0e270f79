"""Draw growth-curve fits together with the observations that were *not* fitted (notebook 02).

:func:`cluster_research.viz.growth_fits` draws the fitted curves, their bands and the
fitted points. A reader also needs to see, on the same axes, what was left out: actual values
excluded from the fit (a questionable source, or values after an information cut-off), lower
bounds ("超过") and targets or forecasts, which are never fitted. :func:`fit_panels` does that on
a linear and a logarithmic panel side by side.

Examples
--------
>>> import cluster_research as cr
>>> from cluster_research.viz import growth_panels
>>> s = cr.data.shanghai_transactions()
>>> fits = {"logistic": cr.growth.fit(s, model="logistic")}
>>> fig = growth_panels.fit_panels(fits, observations=None)
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..errors import ParameterError
from .figures import growth_fits
from .style import check_lang, setup

__all__ = ["LABELS", "fit_panels"]

#: Labels used by this module (zh / en).
LABELS = {
    "not_fitted": {"zh": "实际值（未参与拟合）", "en": "Actual, not fitted"},
    "lower_bound": {"zh": "下限（“超过”，不拟合）", "en": "Lower bound (not fitted)"},
    "target": {"zh": "目标/预测（不拟合）", "en": "Target / forecast (not fitted)"},
    "approx": {"zh": "约数（不拟合）", "en": "Approximate (not fitted)"},
    "linear": {"zh": "线性坐标", "en": "Linear scale"},
    "log": {"zh": "对数坐标", "en": "Log scale"},
    "cutoff": {"zh": "信息截止", "en": "Information cut-off"}}


def _lab(key: str, lang: str) -> str:
    return LABELS[key][lang]


def fit_panels(results, observations=None, lang: str = "zh", interval: str | None = "prediction",
               alpha: float = 0.05, years=None, cutoff: int | None = None,
               title: str | None = None) -> Figure:
    """Plot growth fits on a linear and a log panel, with the unfitted observations marked.

    Each panel is drawn by :func:`cluster_research.viz.growth_fits` (one line per model,
    shaded ``1 - alpha`` band from ``res.predict(years, interval=interval)``, fitted points in
    black). On top of that, from ``observations``: exact full-year values that are not among
    the fitted points (hollow black circles), approximate values (hollow grey circles), lower
    bounds (orange triangles) and targets/forecasts (grey crosses). None of these is fitted.
    The linear panel's y axis is limited to 1.6 times the largest observation, the log panel's
    to [half the smallest, 4 times the largest], so exploding extrapolations do not hide the
    data.

    Parameters
    ----------
    results : dict of str -> GrowthResults
        Label -> fit (all fitted to the same data).
    observations : pandas.DataFrame, optional
        Columns ``year``, ``value``, ``qualifier`` (e.g. the full-year rows of
        ``cr.data.load("shanghai_ecommerce")`` for one series).
    interval : {"prediction", "confidence", None}
    years : array-like, optional
        Years over which the curves are drawn (default: the data span plus 5 years).
    cutoff : int, optional
        Information cut-off year, drawn as a dotted vertical line.
    title : str, optional
        Figure title.

    Raises
    ------
    ParameterError
        If ``results`` is empty or ``lang`` is not zh/en.

    Examples
    --------
    >>> import numpy as np, cluster_research as cr
    >>> t = np.arange(2000, 2012); y = 100 / (1 + np.exp(-0.8 * (t - 2006)))
    >>> fig = fit_panels({"logistic": cr.growth.fit(t, y)}, lang="en")
    >>> len(fig.axes)
    2
    """
    check_lang(lang)
    if not results:
        raise ParameterError("results is empty: pass {label: GrowthResults}")
    setup()
    fig, axes = plt.subplots(1, 2, figsize=(13.0, 5.2))
    first = next(iter(results.values()))
    fitted = {int(x) for x in np.rint(np.asarray(first.years, float))}
    values = [np.asarray(first.values, float)]
    extra = []
    if observations is not None and len(observations):
        obs = observations.sort_values("year")
        values.append(obs["value"].to_numpy(float))
        q = obs["qualifier"]
        styles = {  # key: (rows, marker style)
            "not_fitted": (obs[(q == "exact") & ~obs["year"].astype(int).isin(fitted)],
                           {"marker": "o", "mfc": "white", "mec": "black", "color": "black"}),
            "approx": (obs[q == "approx"], {"marker": "o", "mfc": "none", "mec": "#7f7f7f"}),
            "lower_bound": (obs[q == "lower_bound"], {"marker": "^", "color": "#dd8452", "ms": 8}),
            "target": (obs[q == "target"], {"marker": "x", "color": "#7f7f7f", "ms": 8, "mew": 2})}
        extra = [(rows, {**st, "ls": "none", "label": _lab(k, lang)})
                 for k, (rows, st) in styles.items()]
    vals = np.concatenate(values)
    vals = vals[np.isfinite(vals) & (vals > 0)]
    for ax, logy in zip(axes, (False, True)):
        growth_fits(results, years=years, lang=lang, interval=interval, alpha=alpha, ax=ax,
                    logy=logy)
        for df, style in extra:
            if len(df):
                ax.plot(df["year"], df["value"], zorder=6, **style)
        if cutoff is not None:
            ax.axvline(cutoff + 0.5, color="#555555", ls=":", lw=1.2, label=_lab("cutoff", lang))
        ax.set_ylim(*((vals.min() / 2.0, vals.max() * 4.0) if logy else (0.0, vals.max() * 1.6)))
        ax.set_title(_lab("log" if logy else "linear", lang), fontsize=11)
    axes[1].get_legend().remove()
    axes[0].legend(fontsize=8, loc="upper left")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
