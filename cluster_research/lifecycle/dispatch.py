"""``classify``: run one registered stage method on a series."""

from __future__ import annotations

import pandas as pd

from . import curve, ensemble, net_entry, scorecard, signs  # noqa: F401  (register the methods)
from .registry import run_method
from .stage import StageResult

__all__ = ["classify"]


def classify(series: pd.Series | None, year: int, method: str = "curve",
             information: str = "realtime", extrapolate: bool = False, **options) -> StageResult:
    """Classify the lifecycle stage of a series in a given year.

    Parameters
    ----------
    series : pandas.Series
        Indexed by int year; values may contain NaN (dropped, never filled,
        listed in ``evidence["gaps_dropped"]``).  For ``net_entry`` the values
        are counts of firms.  Not used by ``scorecard`` (may be None).
    year : int
    method : {"curve", "signs", "net_entry", "scorecard", "ensemble"}
        * ``curve`` -- options ``model`` ("logistic", "gompertz", "bass",
          "richards"), ``errors`` (default "multiplicative"), ``phase_map``,
          ``min_points`` (5), ``fit_kwargs``.  Fits the model by
          :func:`cluster_research.growth.fit` and places ``year`` among the
          :func:`boundaries`.  An unidentified ceiling gives ``stage=None``
          with the fit's reason: the method does not guess between phases.
        * ``signs`` -- model-free.  Options ``window`` (11 observations),
          ``degree`` (2), ``weights`` ("equal"), ``max_gap`` (1),
          ``min_points`` (window + 4), ``rule`` ("landmarks"), ``phase_map``.
          Smoothing: at every observed year (and ``year``) a local polynomial
          of ``degree`` is fitted by least squares to the ``window``
          observations nearest that year, using the actual years (uneven
          spacing and gaps are handled, nothing is filled); its coefficients
          give the smoothed y' and y'' paths (:func:`local_derivatives`).
          The signs of y'' and y''' (I ++, II +-, III --, IV -+) are read from
          the landmarks of these paths, assuming one S-shaped wave: inflection
          = the peak of smoothed y' (y'' changes sign), lower knee = the peak
          of y'' before it and upper knee = the trough of y'' after it (y'''
          changes sign).  An extreme at the last usable year is "not yet
          passed".  ``rule="pointwise"`` instead uses the signs of y'' and
          y''' from one local cubic at ``year`` (noisier).  In real time the
          windows near ``year`` are one-sided, so the smoothed path lags by
          about half a window: with 5 % noise and annual data real-time signs
          are reliable in phase I (and late phase IV), not just after a
          boundary (measured in tests/test_lifecycle_sim.py).  Too few
          observations -> ``stage=None`` with the reason.
        * ``net_entry`` -- Gort & Klepper (1982) on firm counts N, smoothed as
          for ``signs``: net entry E = N' (firms per year), rate = E / N.
          Options ``band`` (0.05), ``window``, ``degree``, ``max_gap``,
          ``min_points``.  Rules: rate < -band -> 起飞 (GK stage 4,
          shakeout: a mature industry); ``|rate| <= band`` -> 扩大 after an
          earlier entry wave (GK 3: entry and exit balance, firms grow in
          size) or 起飞 after an earlier shakeout (GK 5), else None;
          rate > band -> 萌芽 while net entry is still accelerating ever
          faster (before the lower knee of N, GK 1) else 成长 (GK 2, the sharp
          rise in the number of firms -- the paper's "firms gathering").
          Negative counts raise :class:`ParameterError`.
        * ``scorecard`` -- options ``region`` (required), ``panel``,
          ``threshold``, ``min_components``; see :func:`scorecard`.
        * ``ensemble`` -- runs curve and signs on ``series``, net_entry on
          ``counts=`` (a firm-count series) if given, scorecard if ``region=``
          is given; options for each via ``curve=``, ``signs=``,
          ``net_entry=``, ``scorecard=`` dicts.  ``stage`` is the majority
          stage (> half of the methods that classified) or None; evidence
          ``table`` (one row per method), ``agree`` (>= 2 classified, all the
          same), ``unanimous`` (and none failed), ``majority``,
          ``n_classified``.
    information : {"realtime", "hindsight"}
        Realtime uses only observations dated <= ``year``.
    extrapolate : bool, default False
        A year after the last observation is refused (``stage=None``, the reason says so)
        unless ``extrapolate=True``; the result is then labelled as an extrapolation (reason
        starts with "extrapolation", ``evidence["extrapolated"]`` True).

    Returns
    -------
    StageResult

    Raises
    ------
    ParameterError
        Malformed series (non-integer or duplicate years, non-numeric
        values), negative counts for net_entry, an unknown option for the method.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(1990, 2031)
    >>> s = pd.Series(1000 / (1 + np.exp(-0.25 * (t - 2010))), index=t)
    >>> classify(s, 2008, method="signs", information="hindsight").stage.zh
    '成长'
    >>> classify(s, 1993, method="signs").reason
    'too short: 4 usable observations up to 1993 (need >= 15)'
    """
    return run_method(series, year, method, information, extrapolate=extrapolate, **options)
