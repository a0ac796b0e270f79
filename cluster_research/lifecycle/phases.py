"""Phases of a year on a fitted S-curve, and the rows a panel stage model returns.

Shared by the panel stage models (:mod:`cluster_research.lifecycle.panel`): the phase of a
year among the lower knee, the inflection and the upper knee; the years that lie before the
lower knee for every ceiling a series allows; the output rows with the probability threshold.

References
----------
Kucharavy, D., De Guio, R. (2011). Application of S-shaped curves. *Procedia Engineering* 9,
559-572 (phases between the knees and the inflection).  Bates, D. M., Watts, D. G. (1988).
*Nonlinear Regression Analysis and Its Applications*. Wiley (profile-t intervals, sec. 6.1).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..growth.specs import GOMPERTZ_SHARES, LOGISTIC_SHARES, SPECS
from .lag import KNEES
from .stage import Stage

__all__ = ["KNEE_LEVEL", "PROB_COLUMNS", "STAGE_THRESHOLD", "before_lower_knee", "curve_phases",
           "curve_text", "mark_early", "stage_rows"]

PROB_COLUMNS = ("prob_embryonic", "prob_growth", "prob_expansion", "prob_takeoff")
#: A stage is shown only where the most likely stage has at least this probability (2 : 1
#: odds against the others together); below it the stage is "not identified" (None) and the
#: probabilities are kept.
STAGE_THRESHOLD = 2.0 / 3.0
#: Level at the lower knee as a fraction of the ceiling: logistic ``1/(3 + sqrt 3)``, Gompertz
#: ``exp(-(3 + sqrt 5)/2)`` (the first of :data:`cluster_research.growth.specs.LOGISTIC_SHARES`
#: and ``GOMPERTZ_SHARES``).
KNEE_LEVEL = {"logistic": LOGISTIC_SHARES[0], "gompertz": GOMPERTZ_SHARES[0]}

def curve_text(model: str, theta) -> str:
    """Return ``"K=..., k=..., t0=..."`` for a logistic or Gompertz curve ``(K, rate, t0)``.

    >>> curve_text("gompertz", [1.212e6, 0.0394, 2054.0])
    'K=1.212e+06, b=0.0394, t0=2054.0'
    """
    return (f"K={theta[0]:.4g}, {SPECS[model].param_names[1]}={theta[1]:.3g}, "
            f"t0={theta[2]:.1f}")


def curve_phases(model: str, params, years) -> np.ndarray:
    """Return the phase 1-4 of each year on logistic or Gompertz curves.

    Parameters
    ----------
    model : {"logistic", "gompertz"}
    params : array, shape (..., 3)
        ``(K, k, t0)`` or ``(K, b, t0)``; several parameter vectors broadcast.
    years : array

    Returns
    -------
    numpy.ndarray of int, shape (..., len(years))
        1 before the lower knee ``t0 - c/r``, 2 up to the inflection ``t0``, 3 up to the
        upper knee ``t0 + c/r``, 4 after; ``c = ln(2+√3)`` (logistic) or
        ``ln((3+√5)/2)`` (Gompertz), ``r`` the rate.

    Examples
    --------
    >>> curve_phases("logistic", [100.0, 1.0, 2000.0], [1990, 1999, 2001, 2010]).tolist()
    [1, 2, 3, 4]
    """
    P = np.asarray(params, float)
    t = np.asarray(years, float)
    r = P[..., 1:2]
    t0 = P[..., 2:3]
    d = KNEES[model] / r
    return 1 + (t >= t0 - d).astype(int) + (t >= t0).astype(int) + (t >= t0 + d).astype(int)


def before_lower_knee(res, model, years, alpha=0.05, only=None):
    """Return the years that lie before the lower knee for every ceiling the data allow.

    A series whose ceiling is not identified (the profile upper limit is infinite) still has a
    lower limit.  On a logistic or Gompertz curve the lower knee is where the level reaches
    the fraction ``q`` of the ceiling (logistic ``q = 1/(3 + sqrt 3) = 0.211``, Gompertz
    ``q = exp(-(3 + sqrt 5)/2) = 0.073``).  A year with fitted level ``f(t)`` would sit on the
    knee for the ceiling ``K* = f(t) / q``; if ``K*`` is below the estimate and excluded by the
    profile, ``tau(K*) > t_{df, 1 - alpha/2}`` (``tau`` the profile-t statistic, Bates & Watts
    1988, sec. 6.1), every ceiling the data allow puts the year before the knee (萌芽).  Its
    confidence is the one-sided level ``F_t(tau(K*))``.  Years are tried from the lowest level
    up, and the search stops at the first that fails (the profile rises as ``K`` falls), so a
    series with no such year costs one profile solve.

    Parameters
    ----------
    res : GrowthResults
        A logistic or Gompertz fit.
    model : {"logistic", "gompertz"}
    years : array-like
    alpha : float
    only : array of bool, optional
        Test only these years (e.g. the last one, in real time); the others are False.

    Returns
    -------
    mask : numpy.ndarray of bool
    confidence : numpy.ndarray
        ``F_t(tau(K*))`` where ``mask``, NaN elsewhere.
    """
    years = np.asarray(years, float)
    mask, conf = np.zeros(years.size, bool), np.full(years.size, np.nan)
    df = res.df_resid
    c = float(stats.t.ppf(1 - alpha / 2, df)) if df > 0 else np.nan
    if not (df > 0 and res.scale > 0):
        return mask, conf
    kstar = np.asarray(res.predict(years), float) / KNEE_LEVEL[model]
    K_hat, warm = float(res.params["K"]), None
    for i in np.argsort(kstar):
        if only is not None and not only[i]:
            continue
        if not kstar[i] < K_hat:
            break
        rss, warm = res.ceiling_profile(kstar[i], warm)     # started from the previous year's
        tau = math.sqrt(max(rss - res.rss, 0.0) / res.scale)
        if not tau > c:
            break
        mask[i], conf[i] = True, float(stats.t.cdf(tau, df))
    return mask, conf


def stage_rows(region, years, stages, probs, reason, threshold=None) -> pd.DataFrame:
    """Return the output rows (``stages`` None: no stage, ``probs`` None: uniform); with
    ``threshold``, a stage whose own probability is below it becomes None ("not identified")
    and the reason says so (probabilities are kept)."""
    P = np.full((len(years), 4), 0.25) if probs is None else np.asarray(probs, float)
    P = P / P.sum(axis=1, keepdims=True)
    stages = [None] * len(years) if stages is None else list(stages)
    reasons = list(reason) if isinstance(reason, list) else [reason] * len(stages)
    if threshold is not None:
        for i, st in enumerate(stages):
            if st is not None and P[i, st.order - 1] < threshold:
                reasons[i] = (f"{reasons[i]}; most likely {st.zh} has probability "
                              f"{P[i, st.order - 1]:.2f} < {threshold:.2f}: not identified")
                stages[i] = None
    d = {"region": region, "year": np.asarray(years, int), "stage": stages}
    d.update({c: P[:, j] for j, c in enumerate(PROB_COLUMNS)})
    d["reason"] = reasons
    return pd.DataFrame(d)


def mark_early(stages, probs, reason, own, yrs, only=None):
    """Give the years before the lower knee for every allowed ceiling (:func:`before_lower_knee`)
    *under every candidate curve* (``own``: model -> the region's own fit, or a function
    returning it, called only if needed; the shape is not known, so the rule must hold for the
    logistic and the Gompertz alike) the stage 萌芽, the smallest confidence as its probability
    and the rest to 成长; the other years keep ``stages`` and ``probs``; ``only`` restricts the
    test to some years (the last, in real time).  Returns stages, probabilities, reasons."""
    stages, P = list(stages), np.array(probs, float)
    reasons = [reason] * len(stages)
    mask = np.ones(len(stages), bool) if only is None else np.array(only, bool)
    conf = np.ones(len(stages))
    for m, res in (own or {}).items():
        res = res() if callable(res) else res
        # a fit whose best ceiling is the limit K -> inf is held at the cap and reported as not
        # converged; its profile (what the rule uses) is well defined, so it counts
        if res is None or not (res.converged or "K" in res.at_bound):
            return stages, P, reasons
        mk, cf = before_lower_knee(res, m, yrs, only=mask)
        mask &= mk
        conf = np.fmin(conf, np.where(mk, cf, np.nan))
        if not mask.any():          # the other shape need not be fitted or tried
            return stages, P, reasons
    if not own:
        return stages, P, reasons
    for i in np.flatnonzero(mask):
        stages[i] = Stage.EMBRYONIC
        P[i] = [conf[i], 1.0 - conf[i], 0.0, 0.0]
        reasons[i] = (f"{reason}; but before the lower knee for every ceiling the region's own "
                      f"data allow (logistic and Gompertz: the ceiling that would put the year "
                      f"on the knee is excluded by the 95% profile): 萌芽 with confidence "
                      f"{conf[i]:.3f}")
    return stages, P, reasons
