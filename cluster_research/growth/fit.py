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

from ..errors import ClusterResearchError, ParameterError
from .results import GrowthResults, NLSResults, bound_hits, flag_irregular_solution
from .solve import NLS_TOL, OPTIMIZER, Problem, quiet, solve
from .specs import MODELS, RUNAWAY, SPECS, data_mean, linearised_at
from .varpro import REDUCED, exponential_rss, fit_reduced, reduced_form

__all__ = ["COV_TYPES", "fit", "nls", "validate"]

#: Default evaluation budget of one local growth fit, per free parameter (a fit from a
#: self-start converges in well under 100 evaluations; one still running at 200 p is creeping
#: along a ridge, e.g. a ceiling running off to infinity).
FIT_NFEV_PER_PARAM = 200
COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC")


def nls(func, x, y, start, jac=None, weights=None, bounds=None, param_names=None,
        errors="additive", method=None, max_nfev=None, cov_type="nonrobust", cov_kwds=None):
    """Fit ``y = func(x, theta) + e`` by (weighted) non-linear least squares.

    One :func:`~cluster_research.growth.solve.solve` (``scipy.optimize.least_squares``,
    tolerances 1e-14).  ``cov = s^2 (J'J)^{-1}``, ``s^2 = RSS / (n - p)``.

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
    method : {None, "lm", "trf"}
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
    ParameterError
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
        raise ParameterError(f"x has {x.shape[0]} rows but y has {y.shape[0]}")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ParameterError(f"y is not finite at index {int(bad[0])}: {y[bad[0]]!r}")
    if y.size < p:
        raise ParameterError(f"{p} parameters need at least {p} observations, got {y.size}")
    if cov_type not in COV_TYPES:
        raise ParameterError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    w = np.ones_like(y) if weights is None else np.asarray(weights, float)
    lb, ub = (np.full(p, -np.inf), np.full(p, np.inf)) if bounds is None else bounds
    lb = np.broadcast_to(np.asarray(lb, float), (p,)).copy()
    ub = np.broadcast_to(np.asarray(ub, float), (p,)).copy()
    t0 = time.perf_counter()
    if method not in (None, "lm", "trf"):
        raise ParameterError(f"method must be None, 'lm' or 'trf', got {method!r}")
    if method == "trf" and not (np.isfinite(lb).any() or np.isfinite(ub).any()):
        lb = np.full(p, -1e300)  # a finite (inactive) bound selects trf
    elif method == "lm" and (np.isfinite(lb).any() or np.isfinite(ub).any()):
        raise ParameterError("method='lm' (MINPACK) cannot take bounds; use method='trf'")
    pr = Problem(func, jac, x, y, w, errors, lb, ub, np.zeros(p, bool), start)
    theta, ok, msg, info = solve(pr, start, max_nfev=max_nfev, tol=NLS_TOL,
                                 lm_first=max_nfev is None)
    info["seconds"] = time.perf_counter() - t0
    settings = {"start": dict(zip(names, start)), "bounds": (lb, ub), "optimizer": OPTIMIZER,
                "method": info["method"], "max_nfev": max_nfev, "errors": errors}
    res = NLSResults(pr, theta, names, ok, msg, settings, info, cov_type, cov_kwds)
    flag_irregular_solution(res)
    return res


def validate(years, values, weights, errors, model, form):
    """Check years, values, weights and options; return (t, y, w) as float arrays."""
    if model not in MODELS:
        raise ParameterError(f"model must be one of {MODELS}, got {model!r}")
    if errors not in ("additive", "multiplicative"):
        raise ParameterError(f"errors must be 'additive' or 'multiplicative', got {errors!r}")
    if form not in ("cumulative", "interval", "rate"):
        raise ParameterError(f"form must be 'cumulative', 'interval' or 'rate', got {form!r}")
    if form != "cumulative" and model == "exponential":
        raise ParameterError(f"form={form!r} applies to the S-curve and Bass models only")
    t = np.asarray(years, dtype=float).ravel()
    y = np.asarray(values, dtype=float).ravel()
    if t.size != y.size:
        raise ParameterError(f"years has {t.size} entries but values has {y.size}")
    for i in range(t.size):
        if not np.isfinite(t[i]):
            raise ParameterError(f"year at index {i} is not finite: {t[i]!r}")
    for i in range(y.size):
        if not np.isfinite(y[i]):
            raise ParameterError(
                f"value for year {t[i]:g} (index {i}) is not finite: {y[i]!r}; drop gaps "
                "explicitly before fitting")
    for i in range(1, t.size):
        if t[i] == t[i - 1]:
            raise ParameterError(f"duplicate year {t[i]:g} at index {i - 1} and {i}")
        if t[i] < t[i - 1]:
            raise ParameterError(f"years are not sorted: {t[i]:g} at index {i} follows "
                                 f"{t[i - 1]:g}")
    if errors == "multiplicative":
        for i in range(y.size):
            if y[i] <= 0:
                raise ParameterError(f"value for year {t[i]:g} (index {i}) is {y[i]:g}; "
                                     "multiplicative errors need positive values")
    if weights is None:
        w = np.ones_like(y)
    else:
        w = np.asarray(weights, float).ravel()
        if w.size != y.size:
            raise ParameterError(f"weights has {w.size} entries but values has {y.size}")
        for i in range(w.size):
            if not (np.isfinite(w[i]) and w[i] > 0):
                raise ParameterError(f"weight for year {t[i]:g} (index {i}) must be finite and "
                                     f"positive, got {w[i]!r}")
    return t, y, w


@quiet
def fit(years, values=None, model="logistic", errors="additive", weights=None, form="cumulative",
        start=None, fix=None, bounds=None, cov_type="nonrobust", cov_kwds=None, max_nfev=None):
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
    fix : dict, optional
        Parameters held fixed, e.g. ``{"tau": 1995}``.  Bass interval form defaults to
        ``{"tau": years[0] - 1}`` (also the rate form); pass ``fix={}`` to estimate ``tau``.
        With parameters held, the fit without them held (the others at its estimates) is one
        more start, solved once; the better solution is kept (``convergence
        ["start_from_free_fit"]``).
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
    ParameterError
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
            raise ParameterError("values is required unless years is a Series indexed by year")
        years, values = years.index.to_numpy(dtype=float), years.to_numpy(dtype=float)
    t, y, w = validate(years, values, weights, errors, model, form)
    if cov_type not in COV_TYPES:
        raise ParameterError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    spec = SPECS[model]
    names = spec.param_names
    p = len(names)
    centre = float(np.mean(t))
    tc = t - centre
    shift = spec.shift(centre)
    explicit_fix = bool(fix)
    if fix is None:
        fix = {"tau": t[0] - 1.0} if (model == "bass" and form != "cumulative") else {}
    for k in fix:
        if k not in names:
            raise ParameterError(f"cannot fix {k!r}: {model} parameters are {names}")
    for k in list(fix) + list(bounds or {}):
        if k in names and names.index(k) in spec.unshared:
            raise ParameterError(f"{model}: {k!r} cannot be fixed or bounded (it is a function "
                                 "of the internal parameters); fix or bound another parameter")
    fixed_mask = np.array([n in fix for n in names])
    fixed_int = {n: float(fix[n]) - shift[i] for i, n in enumerate(names) if n in fix}
    n_free = int((~fixed_mask).sum())
    if y.size < n_free:
        raise ParameterError(f"model {model} has {n_free} free parameters but only {y.size} "
                             "observations were given")
    level = y if form == "cumulative" else np.cumsum(y)
    lb, ub = spec.bounds(tc, float(np.max(level)), p)
    capped = spec.scale_idx is not None and np.isfinite(ub[spec.scale_idx])
    for k, bd in (bounds or {}).items():
        if k not in names:
            raise ParameterError(f"unknown parameter {k!r} in bounds; {model} has {names}")
        i = names.index(k)
        if isinstance(bd, str) and bd == "data" and i == spec.scale_idx:
            lb[i] = float(np.max(level))
            continue
        lo, hi = bd
        lb[i], ub[i] = lo - shift[i], hi - shift[i]
        if i == spec.scale_idx:
            capped = False
    mean, jac = data_mean(spec, form)
    theta_fixed = np.array([fixed_int.get(n, 0.0) for n in names], float)
    pr = Problem(mean, jac, tc, y, w, errors, lb, ub, fixed_mask, theta_fixed)
    strict = max_nfev is not None  # a caller's budget is enforced exactly (trf counts it)
    if max_nfev is None:
        max_nfev = FIT_NFEV_PER_PARAM * n_free
    settings = {"model": model, "form": form, "errors": errors, "fix": dict(fix),
                "bounds": {n: (lb[i] + shift[i], ub[i] + shift[i]) for i, n in enumerate(names)},
                "optimizer": OPTIMIZER, "max_nfev": max_nfev, "ceiling_capped": bool(capped),
                "caps": {names[i]: d for i, d in spec.caps.items()
                         if names[i] not in (bounds or {}) and names[i] not in fix}
                | ({names[spec.scale_idx]: +1} if capped else {}),
                "cov_type": cov_type, "t_ref": centre}
    record = {"starts": []}
    t_start = time.perf_counter()
    ols = None
    warm = None
    if explicit_fix and start is None and model != "exponential":
        # held parameters: the free fit, with them set to their values, is a start (far from
        # the free estimate a self-start can be a curve on which the rest has no gradient)
        try:
            free_fit = fit(years, values, model=model, errors=errors, weights=weights, form=form,
                           bounds=bounds, max_nfev=max_nfev if strict else None)
            warm = np.where(fixed_mask, theta_fixed, np.clip(free_fit._theta, lb, ub))
        except ClusterResearchError:
            warm = None

    if start is not None:
        if isinstance(start, dict):
            missing = [n for n in names if n not in start and n not in fix]
            if missing:
                raise ParameterError(f"start is missing {missing} for model {model}")
            x0 = np.array([start.get(n, fix.get(n, np.nan)) for n in names], float)
        elif isinstance(start, pd.Series):
            d = start.to_dict()
            x0 = np.array([d[n] if n in d else fix.get(n, np.nan) for n in names], float)
        else:
            x0 = np.asarray(start, float)
            if x0.size != p:
                raise ParameterError(f"start has {x0.size} values; {model} needs {p} ({names})")
        settings["start"] = dict(zip(names, x0))
        x0 = spec.to_int(x0, centre)
        x0[fixed_mask] = theta_fixed[fixed_mask]
        theta, ok, msg, info = solve(pr, x0, max_nfev=max_nfev, lm_first=not strict)
        record.update(info)
        if spec.scale_idx is not None and form == "cumulative":  # the K -> inf limit, as below
            record["exponential_rss"] = exponential_rss(tc, y, w, errors)[0]
    elif model == "exponential":
        if np.any(y <= 0):
            pos = y > 0
            x0 = np.array([np.log(np.mean(y[pos])) if pos.any() else 0.0, 0.0])
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
        try:
            theta, ok, msg, info, start_int = _fit_varpro(spec, pr, mean, jac, tc, y, w, level,
                                                          errors, form, fix, fixed_int, bounds,
                                                          max_nfev if strict else None, record)
        except ParameterError:
            if warm is None:
                raise
            theta, ok, msg, info, start_int = np.full(p, np.nan), False, "", {}, warm
        if warm is not None:
            th_w, ok_w, msg_w, info_w = solve(pr, warm, max_nfev=max_nfev, lm_first=not strict)
            if pr.rss(th_w) < pr.rss(theta) * (1.0 - 1e-9) or not np.all(np.isfinite(theta)):
                theta, ok, msg, info, start_int = th_w, ok_w, msg_w, info_w, warm
                record.pop("exponential_limit", None)
                record["start_from_free_fit"] = True
        settings["start"] = dict(zip(names, spec.to_rep(start_int, centre)))
        record.update(info)
    record.update(seconds=time.perf_counter() - t_start, nfev_total=pr.nfev)
    settings["method"] = record.get("method")
    if record.get("method") == "statsmodels WLS":
        settings["optimizer"] = "statsmodels.api.WLS (closed form)"
    elif start is None and model != "exponential":
        settings["pipeline"] = ("variable projection: grid over the non-linear parameters -> "
                                "one least_squares solve of the reduced problem (ceiling in "
                                "closed form)")
    if not np.all(np.isfinite(theta)):
        ok, msg = False, msg + "; non-finite parameters"
    ok, msg = _check_bounds(spec, theta, lb, ub, fixed_mask, capped, ok, msg, record)
    return GrowthResults(pr, theta, spec, form, centre, t, y, ok, msg, settings, record,
                         cov_type, cov_kwds, ols=ols)


def _check_bounds(spec, theta, lb, ub, fixed_mask, capped, ok, msg, record):
    """Flag parameters that ended on a bound; a ceiling on its default cap is not converged."""
    names = spec.param_names
    record["at_bound"] = at = bound_hits(names, theta, lb, ub, fixed_mask)
    j = spec.scale_idx
    if capped and j is not None and theta[j] >= RUNAWAY * ub[j]:
        ok = False
        record["ceiling_at_bound"] = True
        msg += (f"; the ceiling {names[j]} ran off toward its bound ({theta[j]:.3g}; bound "
                f"{ub[j]:.3g} = CEILING_FACTOR x the largest level): the data do not identify a "
                "ceiling (the fit tends to its exponential limit), so the fit is not converged")
    if spec.name == "richards" and theta[3] >= 0.99 * ub[3]:  # within 1 % of the bound
        record["richards_capped"] = True
        msg += (f"; nu is at its upper bound ({ub[3]:.3g}): the curve is at its capped-exponential "
                "limit (exponential growth that stops at K within a fraction of a year), so nu "
                "is not identified beyond 'large'")
    if spec.name == "bass" and "tau" in at and theta[3] <= lb[3] + 1e-8 * max(abs(lb[3]), 1):
        record["bass_tau_ridge"] = True
        msg += ("; tau is at its lower bound (first year - 2 span - 1): the Bass fit is on the "
                "p -> 0, tau -> -inf ridge (its logistic limit), tau is not identified")
    return ok, msg


#: Parameters a user may fix without leaving the reduced form: their index in ``z`` and value
#: there (Richards ``s = 1/nu``; a fixed Richards ``k`` is fitted in the model's coordinates).
_REDUCED_FIXABLE = {"logistic": {"k": (0, float)}, "richards": {"nu": (2, lambda v: 1.0 / v)},
                    "gompertz": {"b": (0, float)}}


def _fit_varpro(spec, pr, mean, jac, tc, y, w, level, errors, form, fix, fixed_int, bounds,
                max_nfev, record):
    """Fit an S-curve by variable projection (see :mod:`cluster_research.growth.varpro`).

    Returns ``(theta, ok, message, info, start)`` in internal coordinates.  A solution on the
    exponential face (ceiling infinite) or above the ceiling's cap is represented at the cap:
    the other parameters are solved with the ceiling held there (one local solve), and
    :func:`_check_bounds` reports the fit as not converged with the reason.
    """
    j = spec.scale_idx
    names = spec.param_names
    cap = pr.ub[j]
    rss_exp, _, rate = exponential_rss(tc, level if form == "cumulative" else y, w,
                                       errors if form == "cumulative" else "additive")
    record["exponential_rss"] = rss_exp if form == "cumulative" else None
    if pr.fixed[j]:  # ceiling fixed: no linear parameter left; best self-start, one solve
        cands = [np.where(pr.fixed, pr.theta_fixed, np.clip(c, pr.lb, pr.ub))
                 for c in spec.starts(tc, level, w, fixed_int)]
        th0 = min(cands, key=pr.rss)
        theta, ok, msg, info = solve(pr, th0)
        return theta, ok, msg, info, th0
    fixable = _REDUCED_FIXABLE.get(spec.name, {})
    native = (form != "cumulative" or bool(bounds) or spec.name not in REDUCED
              or any(k not in fixable for k in fix))
    starts = None
    if native:
        starts = [np.clip(c, pr.lb, pr.ub) for c in spec.starts(tc, level, w, fixed_int)]
        zfix = {i - 1: pr.theta_fixed[i] for i in range(len(names)) if pr.fixed[i]}
    else:
        zfix = {fixable[k][0]: fixable[k][1](fixed_int[k]) for k in fix}
    form_r = reduced_form(spec, mean, jac, pr.lb, pr.ub, starts, native)
    out = fit_reduced(form_r, tc, y, w, errors, rate, fixed=zfix, max_nfev=max_nfev)
    if spec.name == "richards" and not native:
        # Richards has three limits no single chart keeps regular: K -> inf (the exponential)
        # and nu -> inf (the capped exponential), faces of the (r, c, s) chart, and nu -> 0
        # (the Gompertz curve, where that chart is badly scaled).  Solve once in each of the
        # two charts, keep the lower RSS.
        form_n = reduced_form(spec, mean, jac, pr.lb, pr.ub,
                              [np.clip(c, pr.lb, pr.ub)
                               for c in spec.starts(tc, level, w, fixed_int)], True)
        zfix_n = {i - 1: pr.theta_fixed[i] for i in range(len(names)) if pr.fixed[i]}
        out_n = fit_reduced(form_n, tc, y, w, errors, rate, fixed=zfix_n, max_nfev=max_nfev)
        if out is None or (out_n is not None and out_n["rss"] < out["rss"]):
            out, form_r = out_n, form_n
    if out is None:
        raise ParameterError(f"no usable starting values for {spec.name}: check the data")
    logK, theta = form_r.to_internal(out["z"], out["logB"])
    _, start = form_r.to_internal(out["start"], out["logB"])
    theta = np.asarray(theta, float)
    start[j] = theta[j] = math.exp(min(logK, math.log(cap))) if np.isfinite(cap) else \
        math.exp(min(logK, 700.0))
    record["starts"].append({"grid_size": out["grid_size"], "start_rss": out["start_rss"],
                             "reduced": dict(zip(form_r.names, out["z"])), "rss": out["rss"],
                             "converged": out["ok"], "message": out["message"]})
    info = {"method": "trf", "algorithm": "variable projection", "nfev": out["nfev"],
            "status": int(out["ok"])}
    ok, msg = out["ok"], out["message"]
    # the exponential face, or a solution no better than a growing exponential (a Richards
    # kink beyond the data)
    limit = form_r.limit is not None and (out["z"][form_r.limit] <= 0.0 or (
        form == "cumulative" and rate > 0 and out["rss"] >= rss_exp * (1.0 - 1e-9)))
    if limit or not np.isfinite(logK) or logK >= math.log(cap) or not np.all(np.isfinite(theta)):
        # the reduced optimum is the exponential limit (or beyond the cap): represent it at the
        # cap, the other parameters solved with the ceiling held there
        record["exponential_limit"] = True
        th0 = theta.copy()
        th0[j] = cap
        if not np.all(np.isfinite(th0)):
            th0 = min((np.clip(c, pr.lb, pr.ub) for c in spec.starts(tc, level, w, fixed_int)),
                      key=pr.rss)
            th0[j] = cap
        held = Problem(pr.mean_fn, pr.jac_fn, pr.x, pr.y, pr.sw**2, pr.errors, pr.lb, pr.ub,
                       pr.fixed | (np.arange(len(names)) == j), np.where(
                           np.arange(len(names)) == j, cap, pr.theta_fixed))
        cands = [th0] + [np.where(held.fixed, held.theta_fixed, np.clip(c, pr.lb, pr.ub))
                         for c in linearised_at(spec, tc, level, w, cap)]
        th0 = min(cands, key=held.rss)
        theta, _, _, info_h = solve(held, th0)
        info["nfev"] += info_h["nfev"]
        ok = True
        msg = ("the reduced problem is solved on the exponential face (ceiling -> infinity); "
               "represented at the ceiling's cap")
    return theta, ok, msg, info, start
