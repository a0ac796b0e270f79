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

from .lag import KNEES
from .stage import Stage

__all__ = ["KNEE_LEVEL", "PROB_COLUMNS", "STAGE_THRESHOLD", "before_lower_knee", "curve_phases",
           "mark_early", "stage_rows"]

PROB_COLUMNS = ("prob_embryonic", "prob_growth", "prob_expansion", "prob_takeoff")
#: A stage is shown only where the most likely stage has at least this probability (2 : 1
#: odds against the others together); below it the stage is "not identified" (None) and the
#: probabilities are kept.
STAGE_THRESHOLD = 2.0 / 3.0
#: Level at the lower knee as a fraction of the ceiling: logistic ``1/(3 + sqrt 3)``, Gompertz
#: ``exp(-(3 + sqrt 5)/2)`` (``g(-c)`` with the knee offsets ``c`` of :data:`KNEES`).
KNEE_LEVEL = {"logistic": 1.0 / (3.0 + math.sqrt(3.0)),
              "gompertz": math.exp(-(3.0 + math.sqrt(5.0)) / 2.0)}

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


def before_lower_knee(res, model, years, alpha=0.05):
    """Return the years that lie before the lower knee for every ceiling the data allow.

    A series whose ceiling is not identified (the profile upper limit is infinite) still has
    a lower limit ``K_lo`` (95 % profile-t, :meth:`GrowthResults.profile_limit`).  On a
    logistic or Gompertz curve the lower knee is where the level reaches the fraction
    ``q`` of the ceiling (logistic ``q = 1/(3 + sqrt 3) = 0.211``, Gompertz
    ``q = exp(-(3 + sqrt 5)/2) = 0.073``), so a year whose fitted level ``f(t)`` satisfies
    ``f(t) / K_lo < q`` is before the lower knee (萌芽) for every ceiling ``K >= K_lo``.  Its
    confidence is the one-sided profile-t level ``F_t(tau(K*))`` of the ceiling
    ``K* = f(t) / q`` at which the year would be on the knee (``tau`` the profile-t
    statistic, Bates & Watts 1988, sec. 6.1; at least ``1 - alpha/2``).

    Parameters
    ----------
    res : GrowthResults
        A logistic or Gompertz fit.
    model : {"logistic", "gompertz"}
    years : array-like
    alpha : float

    Returns
    -------
    mask : numpy.ndarray of bool
    confidence : numpy.ndarray
        ``F_t(tau(K*))`` where ``mask``, NaN elsewhere.
    K_lo : float
        The ceiling's lower profile limit (NaN without residual degrees of freedom).
    """
    years = np.asarray(years, float)
    conf = np.full(years.size, np.nan)
    df = res.df_resid
    if not (df > 0 and res.scale > 0):
        return np.zeros(years.size, bool), conf, np.nan
    K_lo = res.profile_limit("K", -1, alpha)
    kstar = np.asarray(res.predict(years), float) / KNEE_LEVEL[model]
    mask = np.isfinite(K_lo) & (K_lo > 0) & (kstar < K_lo)
    for i in np.flatnonzero(mask):
        tau = math.sqrt(max(res.ceiling_profile(kstar[i])[0] - res.rss, 0.0) / res.scale)
        conf[i] = float(stats.t.cdf(tau, df))
    return mask, conf, K_lo


def stage_rows(region, years, stages, probs, reason, threshold=None) -> pd.DataFrame:
    """Return the output rows; with ``threshold``, a stage whose own probability is below it
    becomes None ("not identified") and the reason says so (probabilities are kept)."""
    P = np.asarray(probs, float)
    P = P / P.sum(axis=1, keepdims=True)
    stages = list(stages)
    reasons = list(reason) if isinstance(reason, list) else [reason] * len(stages)
    if threshold is not None:
        for i, st in enumerate(stages):
            if st is not None and P[i, st.order - 1] < threshold:
                reasons[i] = (f"{reason}; most likely {st.zh} has probability "
                              f"{P[i, st.order - 1]:.2f} < {threshold:.2f}: not identified")
                stages[i] = None
    d = {"region": region, "year": np.asarray(years, int), "stage": stages}
    d.update({c: P[:, j] for j, c in enumerate(PROB_COLUMNS)})
    d["reason"] = reasons
    return pd.DataFrame(d)


def mark_early(stages, probs, reason, own, yrs):
    """Give the years before the lower knee for every allowed ceiling (:func:`before_lower_knee`)
    *under every candidate curve* (``own``: model -> the region's own fit; the shape is not
    known, so the rule must hold for the logistic and the Gompertz alike) the stage 萌芽, the
    smallest confidence as its probability and the rest to 成长; the other years keep
    ``stages`` and ``probs``.  Returns stages, probabilities, per-row reasons."""
    stages, P = list(stages), np.array(probs, float)
    reasons = [reason] * len(stages)
    if not own or any(res is None or not res.converged for res in own.values()):
        return stages, P, reasons
    parts = {m: before_lower_knee(res, m, yrs) for m, res in own.items()}
    mask = np.logical_and.reduce([p[0] for p in parts.values()])
    conf = np.min([p[1] for p in parts.values()], axis=0)
    lims = ", ".join(f"{m} {KNEE_LEVEL[m]:.3f} x {p[2]:.4g}" for m, p in parts.items())
    for i in np.flatnonzero(mask):
        stages[i] = Stage.EMBRYONIC
        P[i] = [conf[i], 1.0 - conf[i], 0.0, 0.0]
        reasons[i] = (f"{reason}; but before the lower knee for every ceiling the region's own "
                      f"data allow (fitted level below the knee level x the ceiling's 95% lower "
                      f"limit: {lims}): 萌芽 with confidence {conf[i]:.3f}")
    return stages, P, reasons
