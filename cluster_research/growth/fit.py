"""Fit growth curves (:func:`fit`) and arbitrary non-linear models (:func:`nls`).

Every fit goes through one solver path, :func:`cluster_research.growth.solve.solve`
(``scipy.optimize.least_squares``); ``settings["optimizer"]``, ``settings["method"]`` and
``convergence["method"]`` record what ran.

References
----------
Bates, D. M. and Watts, D. G. (1988). *Nonlinear Regression Analysis and Its Applications*.
Wiley.  Golub, G. and Pereyra, V. (2003). Separable nonlinear least squares: the variable
projection method and its applications. *Inverse Problems* 19, R1-R26.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import WLS
from statsmodels.tools.tools import add_constant

from ..errors import GrowthDataError
from .results import GrowthResults, NLSResults, flag_irregular_solution
from .solve import OPTIMIZER, Problem, fd_jac, least_squares_fit, quiet, solve
from .specs import MODELS, RUNAWAY, SPECS, data_mean

__all__ = ["COV_TYPES", "fit", "nls", "validate"]

#: Default evaluation budget of one local growth fit, per free parameter (a fit from a
#: self-start converges in well under 100 evaluations; one still running at 200 p is creeping
#: along a ridge, e.g. a ceiling running off to infinity).
FIT_NFEV_PER_PARAM = 200
COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC")


def nls(func, x, y, start, jac=None, weights=None, bounds=None, param_names=None,
        errors="additive", method=None, max_nfev=None, cov_type="nonrobust", cov_kwds=None):
    """Fit ``y = func(x, theta) + e`` by (weighted) non-linear least squares.

    The low-level routine used by :func:`fit`: trust-region / Levenberg-Marquardt
    (``scipy.optimize.least_squares`` with ``x_scale="jac"`` and tight tolerances), followed by a
    Gauss-Newton polish.  ``cov = s^2 (J'J)^{-1}``, ``s^2 = RSS / (n - p)``.

    Parameters
    ----------
    func : callable
        ``func(x, theta) -> ndarray`` of means.
    x, y : array-like
        Predictor and response (same length).
    start : array-like or dict
        Starting values (a dict fixes the parameter order and names).
    jac : callable, optional
        ``jac(x, theta) -> (n, p)`` derivatives of the mean; central differences if omitted.
    weights : array-like, optional
        Positive weights ``w`` (minimises ``sum w r^2``).
    bounds : tuple of array-like, optional
        ``(lower, upper)``; default unbounded (Levenberg-Marquardt).
    param_names : list of str, optional
        Defaults to ``b1, b2, ...`` or the keys of ``start``.
    errors : {"additive", "multiplicative"}
        Residuals ``y - f`` or ``log y - log f``.
    method : {None, "lm", "trf", "dogbox"}
        Optimiser; default ``"lm"`` unless bounded.
    max_nfev : int, optional
        Evaluation budget; running out gives ``converged=False``.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC"}
        Covariance estimator.
    cov_kwds : dict, optional
        ``{"maxlags": L}`` for HAC.

    Returns
    -------
    NLSResults

    Raises
    ------
    GrowthDataError
        For non-finite or mismatched inputs, or fewer observations than parameters.

    References
    ----------
    NIST Statistical Reference Datasets, nonlinear regression,
    https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(1.0, 8.0)
    >>> y = 10 * (1 - np.exp(-0.3 * x))
    >>> r = nls(lambda x, b: b[0] * (1 - np.exp(-b[1] * x)), x, y, [5, 0.1])
    >>> [round(v, 6) for v in r.params]
    [10.0, 0.3]
    """
    if isinstance(start, dict):
        param_names = list(start) if param_names is None else param_names
        start = list(start.values())
    start = np.asarray(start, float)
    p = start.size
    names = param_names or [f"b{i + 1}" for i in range(p)]
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if x.shape[0] != y.shape[0]:
        raise GrowthDataError(f"x has {x.shape[0]} rows but y has {y.shape[0]}")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise GrowthDataError(f"y is not finite at index {int(bad[0])}: {y[bad[0]]!r}")
    if y.size < p:
        raise GrowthDataError(f"{p} parameters need at least {p} observations, got {y.size}")
    if cov_type not in COV_TYPES:
        raise GrowthDataError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    w = np.ones_like(y) if weights is None else np.asarray(weights, float)
    lb, ub = (np.full(p, -np.inf), np.full(p, np.inf)) if bounds is None else bounds
    lb = np.broadcast_to(np.asarray(lb, float), (p,)).copy()
    ub = np.broadcast_to(np.asarray(ub, float), (p,)).copy()
    t0 = time.perf_counter()
    if method not in (None, "lm", "trf"):
        raise GrowthDataError(f"method must be None, 'lm' or 'trf', got {method!r}")
    if method == "trf" and not (np.isfinite(lb).any() or np.isfinite(ub).any()):
        lb = np.full(p, -1e300)  # a finite (inactive) bound selects trf
    elif method == "lm" and (np.isfinite(lb).any() or np.isfinite(ub).any()):
        raise GrowthDataError("method='lm' (MINPACK) cannot take bounds; use method='trf'")
    pr = Problem(func, jac, x, y, w, errors, lb, ub, np.zeros(p, bool), start)
    theta, ok, msg, info = solve(pr, start, max_nfev=max_nfev, lm_first=max_nfev is None)
    info["seconds"] = time.perf_counter() - t0
    settings = {"start": dict(zip(names, start)), "bounds": (lb, ub), "optimizer": OPTIMIZER,
                "method": info["method"], "max_nfev": max_nfev, "errors": errors}
    res = NLSResults(pr, theta, names, ok, msg, settings, info, cov_type, cov_kwds)
    flag_irregular_solution(res)
    return res




def validate(years, values, weights, errors, model, form):
    """Check years, values, weights and options; return (t, y, w) as float arrays."""
    if model not in MODELS:
        raise GrowthDataError(f"model must be one of {MODELS}, got {model!r}")
    if errors not in ("additive", "multiplicative"):
        raise GrowthDataError(f"errors must be 'additive' or 'multiplicative', got {errors!r}")
    if form not in ("cumulative", "interval", "rate"):
        raise GrowthDataError(f"form must be 'cumulative', 'interval' or 'rate', got {form!r}")
    if form != "cumulative" and model == "exponential":
        raise GrowthDataError(f"form={form!r} applies to the S-curve and Bass models only")
    t = np.asarray(years, dtype=float).ravel()
    y = np.asarray(values, dtype=float).ravel()
    if t.size != y.size:
        raise GrowthDataError(f"years has {t.size} entries but values has {y.size}")
    for i in range(t.size):
        if not np.isfinite(t[i]):
            raise GrowthDataError(f"year at index {i} is not finite: {t[i]!r}")
    for i in range(y.size):
        if not np.isfinite(y[i]):
            raise GrowthDataError(
                f"value for year {t[i]:g} (index {i}) is not finite: {y[i]!r}; drop gaps "
                "explicitly before fitting")
    for i in range(1, t.size):
        if t[i] == t[i - 1]:
            raise GrowthDataError(f"duplicate year {t[i]:g} at index {i - 1} and {i}")
        if t[i] < t[i - 1]:
            raise GrowthDataError(f"years are not sorted: {t[i]:g} at index {i} follows "
                                  f"{t[i - 1]:g}")
    if errors == "multiplicative" or model == "exponential" and errors == "multiplicative":
        for i in range(y.size):
            if y[i] <= 0:
                raise GrowthDataError(f"value for year {t[i]:g} (index {i}) is {y[i]:g}; "
                                      "multiplicative errors need positive values")
    if weights is None:
        w = np.ones_like(y)
    else:
        w = np.asarray(weights, float).ravel()
        if w.size != y.size:
            raise GrowthDataError(f"weights has {w.size} entries but values has {y.size}")
        for i in range(w.size):
            if not (np.isfinite(w[i]) and w[i] > 0):
                raise GrowthDataError(f"weight for year {t[i]:g} (index {i}) must be finite and "
                                      f"positive, got {w[i]!r}")
    return t, y, w



def varpro_scale(spec_mean, t, y, w, th, j, errors):
    """Closed-form scale (K or M) given the nonlinear parameters; returns (scale, rss)."""
    th1 = th.copy()
    th1[j] = 1.0
    g = spec_mean(t, th1)
    if not np.all(np.isfinite(g)):
        return np.nan, np.inf
    if errors == "multiplicative":
        if np.any(g <= 0):
            return np.nan, np.inf
        lg = np.log(g)
        lk = (w * (np.log(y) - lg)).sum() / w.sum()
        r = np.log(y) - lg - lk
        return float(np.exp(lk)), float((w * r * r).sum())
    den = (w * g * g).sum()
    if den <= 0:
        return np.nan, np.inf
    s = (w * y * g).sum() / den
    r = y - s * g
    return float(s), float((w * r * r).sum())




@quiet
def fit(years, values=None, model="logistic", errors="additive", weights=None, form="cumulative",
        start=None, n_starts=None, fix=None, bounds=None, cov_type="nonrobust", cov_kwds=None,
        max_nfev=None):
    """Fit a growth curve to an annual (possibly unevenly spaced) series.

    Parameters
    ----------
    years : array-like or pandas.Series
        Calendar years, strictly increasing (gaps allowed).  A Series with a year index may be
        passed alone (``values=None``).
    values : array-like
        Observations (level, or per-period values with ``form="interval"``).
    model : {"exponential", "logistic", "gompertz", "richards", "bass"}
        See the module docstring for the formulas and parameter names.
    errors : {"additive", "multiplicative"}
        ``y = f + e`` or ``log y = log f + e``.
    weights : array-like, optional
        Positive weights.
    form : {"cumulative", "interval", "rate"}
        Whether ``values`` are the level ``L(t)``, increments ``L(t) - L(t-1)``
        (Srinivasan-Mason), or the instantaneous rate ``dL/dt`` at ``t`` (Bass 1969's
        continuous-time sales curve ``M f(t)``).
    start : dict or array-like, optional
        Parameters in reporting units (calendar years).  Given: one fast local fit from there
        (no self-start, no multistart) — what a bootstrap needs.
    n_starts : int, optional
        Number of self-started candidates refined (default 3; 1 for the exponential).
    fix : dict, optional
        Parameters held fixed, e.g. ``{"tau": 1995}``.  Bass interval form defaults to
        ``{"tau": years[0] - 1}`` (also the rate form); pass ``fix={}`` to estimate ``tau``.
    bounds : dict, optional
        ``{"K": (lo, hi), ...}`` overriding the defaults (ceiling >= 0, rates >= 0,
        ``1e-3 <= nu <= 1e3``, Bass ``1e-6 <= p <= 1``, ``0 <= q <= 10``, first year - 2 * span - 1 <= ``tau`` <= first year).
        ``bounds={"K": "data"}`` forces the ceiling to at least the largest observed level.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC"}
        Covariance; for the exponential with multiplicative errors passed to statsmodels OLS.
    cov_kwds : dict, optional
        E.g. ``{"maxlags": 1}`` for HAC.
    max_nfev : int, optional
        Evaluation budget per local fit; exhausting it gives ``converged=False``.

    Returns
    -------
    GrowthResults

    Raises
    ------
    GrowthDataError
        Fewer points than free parameters, non-finite values, non-positive values with
        multiplicative errors, duplicate or unsorted years, bad weights or options.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(2000, 2012)
    >>> y = 100 / (1 + np.exp(-0.8 * (t - 2006)))
    >>> res = fit(t, y, model="logistic")
    >>> [round(v, 4) for v in res.params]
    [100.0, 0.8, 2006.0]
    """
    if values is None:
        if not isinstance(years, pd.Series):
            raise GrowthDataError("values is required unless years is a Series indexed by year")
        values = years.to_numpy(dtype=float)
        years = years.index.to_numpy(dtype=float)
    t, y, w = validate(years, values, weights, errors, model, form)
    if cov_type not in COV_TYPES:
        raise GrowthDataError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    spec = SPECS[model]
    names = spec.names
    p = len(names)
    centre = float(np.mean(t))
    tc = t - centre
    shift = np.zeros(p)
    shift[spec.time_idx] = centre
    if fix is None:
        fix = {"tau": t[0] - 1.0} if (model == "bass" and form != "cumulative") else {}
    for k in fix:
        if k not in names:
            raise GrowthDataError(f"cannot fix {k!r}: {model} parameters are {names}")
    for k in list(fix) + list(bounds or {}):
        if k in names and names.index(k) in spec.unshared:
            raise GrowthDataError(f"{model}: {k!r} cannot be fixed or bounded (it is a function "
                                  "of the internal parameters); fix or bound another parameter")
    fixed_mask = np.array([n in fix for n in names])
    fixed_int = {n: float(fix[n]) - shift[i] for i, n in enumerate(names) if n in fix}
    n_free = int((~fixed_mask).sum())
    if y.size < n_free:
        raise GrowthDataError(f"model {model} has {n_free} free parameters but only {y.size} "
                              "observations were given")
    level = y if form == "cumulative" else np.cumsum(y)
    lb, ub = spec.bounds(tc, float(np.max(level)), p)
    capped = spec.scale_idx is not None and np.isfinite(ub[spec.scale_idx])
    for k, bd in (bounds or {}).items():
        if k not in names:
            raise GrowthDataError(f"unknown parameter {k!r} in bounds; {model} has {names}")
        i = names.index(k)
        if isinstance(bd, str) and bd == "data" and i == spec.scale_idx:
            lb[i] = float(np.max(level))
            continue
        lo, hi = bd
        lb[i], ub[i] = lo - shift[i], hi - shift[i]
        if i == spec.scale_idx:
            capped = False
    mean, jac = data_mean(spec, form)
    theta_fixed = np.zeros(p)
    for i, n in enumerate(names):
        if n in fixed_int:
            theta_fixed[i] = fixed_int[n]
    pr = Problem(mean, jac, tc, y, w, errors, lb, ub, fixed_mask, theta_fixed)
    strict = max_nfev is not None  # a caller's budget is enforced exactly (trf counts it)
    if max_nfev is None:
        max_nfev = FIT_NFEV_PER_PARAM * n_free
    settings = {"model": model, "form": form, "errors": errors, "fix": dict(fix),
                "bounds": {n: (lb[i] + shift[i], ub[i] + shift[i]) for i, n in enumerate(names)},
                "optimizer": OPTIMIZER, "max_nfev": max_nfev, "ceiling_capped": bool(capped),
                "cov_type": cov_type, "t_ref": centre}
    record = {"starts": []}
    t_start = time.perf_counter()
    ols = None

    if start is not None:
        if isinstance(start, dict):
            missing = [n for n in names if n not in start and n not in fix]
            if missing:
                raise GrowthDataError(f"start is missing {missing} for model {model}")
            x0 = np.array([start.get(n, fix.get(n, np.nan)) for n in names], float)
        else:
            if isinstance(start, pd.Series):
                d = start.to_dict()
                x0 = np.array([d[n] if n in d else fix.get(n, np.nan) for n in names], float)
            else:
                x0 = np.asarray(start, float)
            if x0.size != p:
                raise GrowthDataError(f"start has {x0.size} values; {model} needs {p} ({names})")
        settings["start"] = dict(zip(names, x0))
        x0 = spec.to_int(x0, centre)
        x0[fixed_mask] = theta_fixed[fixed_mask]
        theta, ok, msg, info = solve(pr, x0, max_nfev=max_nfev, lm_first=not strict)
        record.update(info)
    elif model == "exponential":
        if np.any(y <= 0):
            pos = y > 0
            a0, r0 = np.log(np.mean(y[pos])) if pos.any() else 0.0, 0.0
            x0 = np.array([a0, r0])
        else:
            X = add_constant(tc, has_constant="add")
            wls = WLS(np.log(y), X, weights=w)
            kw = {"cov_type": cov_type}
            if cov_type == "HAC":
                kw["cov_kwds"] = {"maxlags": (cov_kwds or {}).get(
                    "maxlags", int(np.floor(4 * (y.size / 100.0) ** (2.0 / 9.0))))}
            olsres = wls.fit(**kw)
            x0 = np.asarray(olsres.params, float)
            if errors == "multiplicative":
                ols = olsres
        settings["start"] = dict(zip(names, spec.to_rep(x0, centre)))
        if errors == "multiplicative" and ols is not None:
            theta, ok, msg = x0, True, "closed-form log-linear WLS (statsmodels)"
            record.update({"method": "statsmodels WLS", "nfev": 0})
        else:
            theta, ok, msg, info = solve(pr, x0, max_nfev=max_nfev, lm_first=not strict)
            record.update(info)
    else:
        j = spec.scale_idx
        n_starts = 3 if n_starts is None else int(n_starts)
        cands = spec.starts(tc, level, w, {n: fixed_int[n] for n in fixed_int})
        scored = []
        for th in cands:
            th = th.copy()
            th[fixed_mask] = theta_fixed[fixed_mask]
            th = np.clip(th, lb, ub)
            s, rss = varpro_scale(mean, tc, y, w, th, j, errors)
            if np.isfinite(s) and s > 0 and np.isfinite(rss):
                th[j] = s
                scored.append((rss, th))
        scored.sort(key=lambda z: z[0])
        if not scored:
            raise GrowthDataError(f"no usable starting values for {model}: check the data")
        best = None
        refined = []
        for rss0, th0 in scored[:max(n_starts, 1)]:
            thv = varpro_refine(pr, mean, tc, y, w, th0, j, errors)
            if not (np.all(np.isfinite(thv)) and np.all(thv >= lb) and np.all(thv <= ub)):
                thv = th0  # the closed-form scale left the bounds: start from the candidate
            if any(np.allclose(thv, o, rtol=1e-6, atol=1e-9) for o in refined):
                record["starts"].append({"start": dict(zip(names, spec.to_rep(th0, centre))),
                                         "start_rss": rss0, "duplicate": True})
                continue  # the reduced problem led to an optimum already polished
            refined.append(thv)
            theta_i, ok_i, msg_i, info_i = solve(pr, thv, max_nfev=max_nfev, lm_first=not strict)
            r = pr.resid_full(theta_i)
            rss_i = float(r @ r)
            record["starts"].append({"start": dict(zip(names, spec.to_rep(th0, centre))),
                                     "start_rss": rss0,
                                     "varpro": dict(zip(names, spec.to_rep(thv, centre))),
                                     "rss": rss_i, "converged": ok_i, "message": msg_i})
            # the lowest RSS wins; within 1e-9 (relative) a converged fit is preferred
            tie = best is not None and abs(rss_i - best[4]) <= 1e-9 * max(best[4], 1e-300)
            if best is None or (tie and ok_i and not best[1]) or (not tie and rss_i < best[4]):
                best = (theta_i, ok_i, msg_i, info_i, rss_i, th0)
        theta, ok, msg, info, rss_best, th0 = best
        top = float(np.max(level))
        if capped and spec.limit_start is not None and (theta[j] >= 1e3 * top or not ok):
            # the ceiling runs off (or the fit creeps along the ridge): also start from the
            # exponential limit at half the cap, so the reported curve gets as close to the
            # exponential as the bound allows
            for thl in spec.limit_start(tc, level, w, 0.5 * ub[j]):
                thl[fixed_mask] = theta_fixed[fixed_mask]
                th_l, ok_l, msg_l, info_l = solve(pr, thl, max_nfev=max_nfev,
                                                  lm_first=not strict)
                rss_l = pr.rss(th_l)
                record["starts"].append({"start": dict(zip(names, spec.to_rep(thl, centre))),
                                         "exponential_limit": True, "rss": rss_l,
                                         "converged": ok_l, "message": msg_l})
                if rss_l < rss_best:
                    theta, ok, msg, info, rss_best, th0 = th_l, ok_l, msg_l, info_l, rss_l, thl
        settings["start"] = dict(zip(names, spec.to_rep(th0, centre)))
        record.update(info)
    record["seconds"] = time.perf_counter() - t_start
    record["nfev_total"] = pr.nfev
    settings["n_starts"] = n_starts
    settings["method"] = record.get("method")
    if record.get("method") == "statsmodels WLS":
        settings["optimizer"] = "statsmodels.api.WLS (closed form)"
    elif start is None and model != "exponential":
        settings["pipeline"] = ("self-start (linearisations over trial ceilings) -> variable "
                                "projection (least_squares on the reduced problem) -> "
                                "least_squares on all free parameters")
    if not np.all(np.isfinite(theta)):
        ok, msg = False, msg + "; non-finite parameters"
    ok, msg = _check_bounds(spec, theta, lb, ub, fixed_mask, capped, ok, msg, record)
    return GrowthResults(pr, theta, spec, form, centre, t, y, ok, msg, settings, record,
                         cov_type, cov_kwds, ols=ols)


def _check_bounds(spec, theta, lb, ub, fixed_mask, capped, ok, msg, record):
    """Flag parameters that ended on a bound; a ceiling on its default cap is not converged."""
    names = spec.param_names
    at = []
    for i, n in enumerate(names):
        if fixed_mask[i]:
            continue
        tol = 1e-8 * max(abs(theta[i]), 1.0)
        if (np.isfinite(lb[i]) and theta[i] <= lb[i] + tol) or (
                np.isfinite(ub[i]) and theta[i] >= ub[i] - tol):
            at.append(n)
    record["at_bound"] = at
    j = spec.scale_idx
    if capped and j is not None and theta[j] >= RUNAWAY * ub[j]:
        ok = False
        record["ceiling_at_bound"] = True
        msg += (f"; the ceiling {names[j]} ran off toward its bound ({theta[j]:.3g}; bound "
                f"{ub[j]:.3g} = CEILING_FACTOR x the largest level): the data do not identify a "
                "ceiling (the fit tends to its exponential limit), so the fit is not converged")
    if spec.name == "bass" and "tau" in at and theta[3] <= lb[3] + 1e-8 * max(abs(lb[3]), 1):
        record["bass_tau_ridge"] = True
        msg += ("; tau is at its lower bound (first year - 2 span - 1): the Bass fit is on the "
                "p -> 0, tau -> -inf ridge (its logistic limit), tau is not identified")
    return ok, msg


def varpro_refine(pr, mean, tc, y, w, th0, j, errors):
    """Minimise the variable-projection RSS over the nonlinear parameters (scale eliminated)."""
    nl = pr.free.copy()
    nl[j] = False
    if not nl.any():
        return th0
    lb, ub = pr.lb[nl], pr.ub[nl]
    sw = np.sqrt(w)
    ly = np.log(y) if errors == "multiplicative" else None
    sum_w = w.sum()
    last = [None, None]  # the last point evaluated and its residuals

    def fun(z):
        th = th0.copy()
        th[nl] = z
        th[j] = 1.0
        with np.errstate(all="ignore"):
            g = mean(tc, th)
            if errors == "multiplicative":
                lg = np.log(g)
                lk = (w * (ly - lg)).sum() / sum_w
                r = sw * (ly - lg - lk)
            else:
                den = (w * g * g).sum()
                s = (w * y * g).sum() / den if den > 0 else 0.0
                r = sw * (y - s * g)
        if not math.isfinite(r.dot(r)):
            r = np.where(np.isfinite(r), r, 1e150)
        last[0], last[1] = z, r
        return r

    def jac(z):
        # the LM loop asks for the Jacobian at the point it has just evaluated (same array)
        r0 = last[1] if last[0] is z else fun(z)
        return fd_jac(fun, z, r0)

    z, _, _, _, _ = least_squares_fit(fun, jac, th0[nl], lb, ub, tol=1e-10)
    th = th0.copy()
    th[nl] = z
    s, _ = varpro_scale(mean, tc, y, w, th, j, errors)
    if np.isfinite(s) and s > 0:
        th[j] = s
    return th

