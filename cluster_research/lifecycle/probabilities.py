"""Stage probabilities by a seeded bootstrap (parametric or residual)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from .. import growth
from ..errors import ParameterError
from .boundaries import boundary_years_for, phase_from_boundaries, res_cov, res_params, search_range
from .registry import run_method
from .signs import landmark_phases, phase_from_signs
from .stage import PHASES, Stage, StageResult, check_information, check_phase_map, check_year


def curve_draws_to_phase(res, draws: np.ndarray, names, year):
    """Map parameter draws (n, p) to phase indices 1..4 (0: undetermined)."""
    spec = growth.get_spec(res.model)
    n = len(draws)
    if spec.boundaries is not None:
        P = {nm: draws[:, j] for j, nm in enumerate(names)}
        yrs, _, _, valid, passed = spec.boundaries(P)
        ph = phase_from_boundaries(year, yrs, passed)
        return np.where(valid, ph, 0)
    rng = search_range(res, res_params(res))
    out = np.zeros(n, dtype=int)
    for i in range(n):
        th = pd.Series(draws[i], index=names)
        try:
            yrs, _, _, passed = boundary_years_for(res, th, rng)
        except (ValueError, FloatingPointError):
            continue
        out[i] = phase_from_boundaries(year, yrs[None, :], passed[None, :])[0]
    return out


def stage_probabilities(series: pd.Series, year: int, method: str = "curve",
                        n_boot: int = 1000, seed: int = 0, kind: str = "parametric",
                        information: str = "realtime", phase_map: dict | None = None,
                        **options) -> pd.Series:
    """Estimate the probability of each stage by a seeded bootstrap.

    Parameters
    ----------
    series : pandas.Series
        Indexed by int year (NaN dropped, never filled).
    year : int
    method : {"curve", "signs"}
        ``curve``: options as in :func:`classify` (``model``, ``errors``,
        ``fit_kwargs``).  ``signs``: ``window``, ``degree``, ``weights``.
    n_boot : int, default 1000
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    kind : {"parametric", "residual"}
        * parametric, curve -- draws θ* ~ N(θ̂, Σ̂) (``res.cov_params()``) and
          maps each draw to boundaries (vectorised).
        * residual, curve -- ``y* = ŷ + e*`` (additive errors) or
          ``y* = ŷ·exp(e*)`` (multiplicative; e = log residuals), ``e*``
          resampled with replacement from the centred residuals; each
          replicate is refitted from θ̂ by one warm-started local fit,
          :meth:`cluster_research.growth.GrowthResults.refit` (the same
          ``scipy.optimize.least_squares`` path, model spec and Jacobian as
          ``growth.fit``).  Non-converged refits (including a ceiling that
          runs off to its cap) are counted as failed; the ceiling's
          identification is not re-tested per replicate (a profile per
          replicate would cost ~25 ms).
        * parametric, signs -- draws of the local-polynomial coefficients
          from N(ĉ, Σ̂).
        * residual, signs -- the local fit's weighted residuals resampled and
          the (linear) fit recomputed for all replicates at once.
    information : {"realtime", "hindsight"}
    phase_map : dict, optional

    Returns
    -------
    pandas.Series
        Index: the four :class:`Stage` members (probabilities over the
        *successful* replicates, summing to 1), plus ``n_failed`` (replicates
        that were invalid, non-converged or unidentified) and ``n_boot``.
        ``.attrs`` holds method, kind, information, year and the point
        classification's reason.  If the point classification itself fails
        (too short, unidentified ceiling) every probability is NaN and
        ``n_failed == n_boot``; ``.attrs["reason"]`` says why.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(1990, 2031)
    >>> s = pd.Series(1000 / (1 + np.exp(-0.25 * (t - 2010))), index=t)
    >>> p = stage_probabilities(s, 2000, method="signs", n_boot=200, information="hindsight")
    >>> float(p[Stage.EMBRYONIC])
    1.0
    """
    if method not in ("curve", "signs"):
        raise ParameterError(f"stage_probabilities supports method 'curve' or 'signs', got {method!r}")
    if kind not in ("parametric", "residual"):
        raise ParameterError(f"kind must be 'parametric' or 'residual', got {kind!r}")
    if n_boot < 1:
        raise ParameterError("n_boot must be >= 1")
    check_information(information)
    year = check_year(year)
    pm = check_phase_map(phase_map)
    rng = np.random.default_rng(seed)
    point = run_method(series, year, method, information, phase_map=pm, **options)
    attrs = {"method": method, "kind": kind, "information": information, "year": year,
             "point_stage": point.stage, "reason": point.reason}
    if point.phase is None and point.stage is None and not has_draw_basis(point, method):
        return prob_series(np.zeros(0, dtype=int), pm, n_boot, n_boot, attrs)
    if method == "signs":
        phases, failed = signs_boot(point, year, n_boot, rng, kind)
    else:
        phases, failed = curve_boot(point, year, n_boot, rng, kind, options)
    return prob_series(phases, pm, failed, n_boot, attrs)


def has_draw_basis(point: StageResult, method: str) -> bool:
    """Return whether the point classification can seed a bootstrap."""
    if point.evidence.get("declining") or point.evidence.get("flat"):
        return False
    if method == "signs":
        return "d2" in point.evidence and np.isfinite(point.evidence["d2"])
    return "boundaries" in point.evidence and point.evidence["boundaries"].attrs.get(
        "identified", False)


def prob_series(phases, pm, n_failed, n_boot, attrs) -> pd.Series:
    """Return stage probabilities from bootstrap phases (plus n_failed, n_boot)."""
    ok = phases[phases > 0]
    idx = list(Stage)
    if len(ok) == 0:
        probs = pd.Series(np.nan, index=idx, dtype=float)
    else:
        stages = [pm[PHASES[p - 1]] for p in ok]
        cnt = Counter(stages)
        probs = pd.Series([cnt.get(s, 0) / len(ok) for s in idx], index=idx, dtype=float)
    out = pd.concat([probs.astype(object), pd.Series({"n_failed": int(n_failed),
                                                      "n_boot": int(n_boot)}, dtype=object)])
    out = out.astype(float).rename("probability")
    out.attrs.update(attrs)
    return out


def signs_boot(point, year, n_boot, rng, kind):
    """Bootstrap phases of the signs method (parametric or residual)."""
    ev = point.evidence
    if ev.get("rule") == "pointwise":
        loc = ev["local_fit"]
        fact = loc["fact"]
        if kind == "parametric":
            coef = rng.multivariate_normal(loc["coef"], loc["cov"], size=n_boot, method="svd")
        else:
            X, w, resid, hat = loc["X"], loc["w"], loc["resid"], loc["hat"]
            sw = np.sqrt(w)
            u = resid * sw
            u = u - u.mean()
            fitted = X @ loc["coef"]
            draw = rng.integers(0, len(u), size=(n_boot, len(u)))
            coef = (fitted[None, :] + u[draw] / sw[None, :]) @ hat.T
        d2, d3 = coef[:, 2] * fact[2], coef[:, 3] * fact[3]
        ph = np.where((d2 == 0) | (d3 == 0), 0, phase_from_signs(d2, d3))
        return ph, int(np.sum(ph == 0))
    # landmarks: the smoothed level at the observations is the fit; its residuals
    # (relative with relative weights) are resampled (residual) or drawn from
    # N(0, s^2) (parametric); the linear smoother is applied to all replicates at once.
    L, grid = ev["operator"], ev["grid"]
    x = np.asarray(ev["years_used"], dtype=float)
    obs = np.asarray(ev["values_used"], dtype=float)
    fitted = ev["paths"]["level"].to_numpy()[np.searchsorted(grid, x)]
    rel = ev["weights"] == "relative"
    e = (obs / fitted - 1.0) if rel else (obs - fitted)
    e = e - e.mean()
    if kind == "residual":
        E = e[rng.integers(0, len(e), size=(n_boot, len(e)))]
    else:
        E = rng.normal(0.0, float(np.sqrt(np.mean(e**2))), size=(n_boot, len(e)))
    Y = fitted[None, :] * (1.0 + E) if rel else fitted[None, :] + E
    ph, *_ = landmark_phases(Y @ L[2].T, grid, year, Y @ L[1].T)
    return ph, 0


def curve_boot(point, year, n_boot, rng, kind, options):
    """Bootstrap phases of the curve method (parametric draws or residual refits)."""
    res = point.evidence["fit"]
    theta = res_params(res)
    names = list(theta.index)
    if kind == "parametric":
        cov = res_cov(res, names)
        if not np.all(np.isfinite(cov)):
            return np.zeros(0, dtype=int), n_boot
        draws = rng.multivariate_normal(theta.to_numpy(), cov, size=n_boot, method="svd")
        ph = curve_draws_to_phase(res, draws, names, year)
        return ph, int(np.sum(ph == 0))
    fitted = np.asarray(res.fittedvalues, dtype=float)
    values = np.asarray(res.values, dtype=float)
    errors = getattr(res, "errors", "additive")
    e = np.log(values) - np.log(fitted) if errors == "multiplicative" else values - fitted
    e = e - e.mean()
    draw = rng.integers(0, len(e), size=(n_boot, len(e)))
    Y = fitted[None, :] * np.exp(e[draw]) if errors == "multiplicative" else fitted + e[draw]
    # one warm-started refit per replicate through the growth solver path (least_squares)
    draws = np.full((n_boot, len(names)), np.nan)
    for i in range(n_boot):
        try:
            th, ok = res.refit(Y[i])
        except ParameterError:
            continue
        if ok:
            draws[i] = th.to_numpy()
    good = np.all(np.isfinite(draws), axis=1)
    phases = np.zeros(n_boot, dtype=int)
    if good.any():
        phases[good] = curve_draws_to_phase(res, draws[good], names, year)
    return phases, int(np.sum(phases == 0))
