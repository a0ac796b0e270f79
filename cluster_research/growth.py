"""Fit growth curves to short annual series and summarise growth arithmetic.

Models (``fit(years, values, model=...)``), with time ``t`` in calendar years:

=============  ===========================================================  =====================
model          mean level curve                                             parameters
=============  ===========================================================  =====================
exponential    ``exp(a + r (t - t_ref))``  (``t_ref`` = mean fitted year)    ``a, r``
logistic       ``K / (1 + exp(-k (t - t0)))``  (t0 = inflection year)       ``K, k, t0``
gompertz       ``K exp(-exp(-b (t - t0)))``  (t0 = inflection, y = K/e)     ``K, b, t0``
richards       ``K (1 + exp(-k (t - t0)))^(-1/nu)``                         ``K, k, t0, nu``
bass           ``M F(t)``, ``F = (1 - e^{-(p+q)(t-tau)}) /                  ``M, p, q, tau``
               (1 + (q/p) e^{-(p+q)(t-tau)})``, F = 0 for t <= tau
=============  ===========================================================  =====================

Richards: ``nu = 1`` is the logistic; the inflection is at ``t0 - ln(nu)/k`` (where the level is
``K (1 + nu)^(-1/nu)``), reported by :attr:`GrowthResults.inflection`.  It is fitted internally
with the inflection time ``ti = t0 - ln(nu)/k`` (``y = K (1 + nu e^{-k(t-ti)})^(-1/nu)``, which
tends smoothly to the Gompertz curve as ``nu -> 0``); the covariance of the reported ``t0`` comes
from the exact delta method.  Bass: ``tau`` is the year adoption starts (F(tau) = 0).

Data forms (``form=``): ``"cumulative"`` (the level ``L(t)``, default), ``"interval"``
(per-period increments ``y_t = L(t) - L(t-1)``, Srinivasan & Mason 1986) and ``"rate"`` (the
instantaneous rate ``dL/dt`` at ``t``, Bass 1969's continuous sales curve ``M f(t)``).  For the
Bass model ``tau`` is fixed by default at the first year minus one in the interval and rate
forms (the first observation is the first period after launch) and estimated in the cumulative
form (bounded to [first year - 2 span - 1, first year]).  Any parameter can be fixed with
``fix={"tau": 1995}``; fixed parameters have zero standard error and are excluded from the
parameter count.  :meth:`GrowthResults.curve` always returns the level ``L(t)``.

Identification (:attr:`GrowthResults.identified`): an S-curve's ceiling counts as identified
only if the upper end of its 95 % profile-likelihood interval is finite and the data reach at
least half of the fitted ceiling (i.e. the inflection has been observed);
``identified_reason`` says which condition failed.

Fitting (non-linear models): self-starting values from linearisations in the spirit of R's
``SSlogis``/``SSgompertz`` over a grid of trial ceilings, then partially linear least squares
(variable projection: the scale ``K``/``M`` is eliminated in closed form) from the best
``n_starts`` candidates, then a full-parameter trust-region fit (``scipy.optimize
.least_squares``) and a Gauss-Newton polish.  The covariance is the usual non-linear least
squares one, ``cov = s^2 (J'J)^{-1}``, ``s^2 = RSS / (n - p)`` (or a sandwich with
``cov_type="HC0".."HC3"``/``"HAC"``).  Time is centred internally at the mean year (numerical
conditioning); parameters are reported in calendar years.

Errors: ``errors="additive"`` minimises ``sum w (y - f)^2``; ``errors="multiplicative"``
minimises ``sum w (log y - log f)^2``.  The exponential model with multiplicative errors is the
log-linear OLS/WLS regression fitted by statsmodels (``cov_type`` passed through).

Information criteria use the Gaussian log-likelihood on the scale of ``y`` (for multiplicative
errors the Jacobian term ``-sum log y`` is included, so additive and multiplicative fits are
comparable) with ``k = p + 1`` parameters (the error variance counts), as R's ``AIC.nls``.

References
----------
Bates, D. M. and Watts, D. G. (1988). *Nonlinear Regression Analysis and Its Applications*.
Wiley.  Golub, G. and Pereyra, V. (2003). Separable nonlinear least squares: the variable
projection method and its applications. *Inverse Problems* 19, R1-R26.  Srinivasan, V. and
Mason, C. H. (1986). Nonlinear least squares estimation of new product diffusion models.
*Marketing Science* 5(2), 169-178.  Richards, F. J. (1959). A flexible growth function for
empirical use. *J. Exp. Bot.* 10, 290-300.
"""

from __future__ import annotations

from .errors import GrowthDataError  # noqa: F401  (re-exported)

import math
import time as _time

import numpy as np
import pandas as pd

__all__ = [
    "MODELS",
    "GrowthDataError",
    "GrowthResults",
    "NLSResults",
    "cagr",
    "compare",
    "doubling_time",
    "fit",
    "fold_change",
    "increase_multiple",
    "nls",
]

MODELS = ("exponential", "logistic", "gompertz", "richards", "bass")
_EPS = np.finfo(float).eps
_COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC")


def _quiet(func):
    """Silence floating-point warnings inside ``func`` (overflow/NaN are handled explicitly)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return func(*args, **kwargs)

    return wrapper




# ----------------------------------------------------------------------------------------------
# growth arithmetic
# ----------------------------------------------------------------------------------------------
def _positive(name, v):
    v = float(v)
    if not np.isfinite(v) or v <= 0:
        raise GrowthDataError(f"{name} must be a finite positive number, got {v!r}")
    return v


def fold_change(v0, v1):
    """Return the ratio ``v1 / v0`` ("N-fold", 是原来的N倍).

    Parameters
    ----------
    v0, v1 : float
        Start and end values, both finite and positive.

    Returns
    -------
    float
        ``v1 / v0``.

    Raises
    ------
    GrowthDataError
        If a value is not finite and positive.

    Examples
    --------
    >>> round(fold_change(250, 4252.8), 4)
    17.0112
    """
    return _positive("v1", v1) / _positive("v0", v0)


def increase_multiple(v0, v1):
    """Return the increase multiple ``v1 / v0 - 1`` (the Chinese "增长N倍" convention).

    "增长了N倍" / "上升了N倍" counts the increase, not the ratio: 250 -> 4252.8 is an increase of
    16.0 times ("近16倍") although the ratio is 17.0.

    Parameters
    ----------
    v0, v1 : float
        Start and end values, both finite and positive.

    Returns
    -------
    float
        ``v1 / v0 - 1``.

    Raises
    ------
    GrowthDataError
        If a value is not finite and positive.

    Examples
    --------
    >>> round(increase_multiple(250, 4252.8), 4)
    16.0112
    """
    return fold_change(v0, v1) - 1.0


def cagr(v0, v1, years):
    """Return the compound annual growth rate ``(v1 / v0) ** (1 / years) - 1``.

    Parameters
    ----------
    v0, v1 : float
        Start and end values, both finite and positive.
    years : float
        Elapsed time in years (e.g. 8 for 2002 -> 2010), positive.

    Returns
    -------
    float
        The discrete annual rate ``g`` with ``v1 = v0 (1 + g) ** years``.

    Raises
    ------
    GrowthDataError
        If a value or ``years`` is not finite and positive.

    Examples
    --------
    >>> round(cagr(250, 4252.8, 8), 4)
    0.4251
    """
    n = _positive("years", years)
    return fold_change(v0, v1) ** (1.0 / n) - 1.0


def doubling_time(rate, kind="discrete"):
    """Return the doubling time implied by a growth rate.

    Parameters
    ----------
    rate : float
        Growth rate per year, positive.
    kind : {"discrete", "continuous"}
        ``"discrete"`` (default): ``rate`` is a compound annual rate ``g`` (e.g. a CAGR) and the
        doubling time is ``ln 2 / ln(1 + g)``.  ``"continuous"``: ``rate`` is an instantaneous
        rate ``r`` (e.g. the exponential model's ``r``) and the doubling time is ``ln 2 / r``.

    Returns
    -------
    float
        Years to double.

    Raises
    ------
    GrowthDataError
        If ``rate`` is not finite and positive or ``kind`` is unknown.

    Examples
    --------
    >>> round(doubling_time(0.10), 3)
    7.273
    >>> round(doubling_time(0.10, kind="continuous"), 3)
    6.931
    """
    g = _positive("rate", rate)
    if kind == "discrete":
        return math.log(2.0) / math.log1p(g)
    if kind == "continuous":
        return math.log(2.0) / g
    raise GrowthDataError(f"kind must be 'discrete' or 'continuous', got {kind!r}")


# ----------------------------------------------------------------------------------------------
# numerical core
# ----------------------------------------------------------------------------------------------
def _num_jac(f, th, x, step=None):
    """Central-difference Jacobian of ``f(x, th)`` w.r.t. ``th`` (relative steps)."""
    th = np.asarray(th, float)
    h0 = _EPS ** (1.0 / 3.0)
    cols = []
    for j in range(th.size):
        h = h0 * max(abs(th[j]), 1e-8) if step is None else step[j]
        tp = th.copy()
        tm = th.copy()
        tp[j] += h
        tm[j] -= h
        cols.append((f(x, tp) - f(x, tm)) / (tp[j] - tm[j]))
    return np.column_stack(cols) if cols else np.zeros((np.size(x), 0))


class _Problem:
    """Weighted least-squares problem in the free parameters of ``mean(x, theta)``."""

    def __init__(self, mean, jac, x, y, w, errors, lb, ub, fixed_mask, theta_fixed):
        self.mean_fn = mean
        self.jac_fn = jac
        self.x = x
        self.y = y
        self.sw = np.sqrt(w)
        # unit weights: multiplying by sw = 1 is exact, so it is skipped in the hot paths
        self._unit = bool(np.all(self.sw == 1.0))
        self.errors = errors
        self.ly = np.log(y) if errors == "multiplicative" else None
        self.lb = np.asarray(lb, float)
        self.ub = np.asarray(ub, float)
        self.fixed = np.asarray(fixed_mask, bool)
        self.free = ~self.fixed
        self.theta_fixed = np.asarray(theta_fixed, float)
        self.nfev = 0
        self.njev = 0

    def full(self, tf, extra_fix=None):
        th = self.theta_fixed.copy()
        free = self.free if extra_fix is None else extra_fix
        th[free] = tf
        return th

    def mean(self, th):
        return self.mean_fn(self.x, th)

    def dmean(self, th):
        if self.jac_fn is not None:
            return self.jac_fn(self.x, th)
        return _num_jac(self.mean_fn, th, self.x)

    def resid_full(self, th):
        # floating-point warnings are silenced by the callers (_lm, _solve, results)
        self.nfev += 1
        m = self.mean_fn(self.x, th)
        if self.errors == "multiplicative":
            r = self.ly - np.log(m)
        else:
            r = self.y - m
        if not self._unit:
            r = self.sw * r
        # (a finite sum of squares implies finite entries; the full test only if it is not)
        rf = r.ravel()
        if not math.isfinite(rf.dot(rf)) and not np.isfinite(r).all():
            r = np.where(np.isfinite(r), r, 1e150)
        return r

    def jac_full(self, th):
        """Jacobian of the residuals (all parameters)."""
        self.njev += 1
        J = self.jac_fn(self.x, th) if self.jac_fn is not None else self.dmean(th)
        if self.errors == "multiplicative":
            J = J / self.mean(th)[:, None]
        J = -np.asarray(J, dtype=float) if self._unit else -self.sw[:, None] * J
        Jf = J.ravel()
        if not math.isfinite(Jf.dot(Jf)) and not np.isfinite(J).all():
            J = np.where(np.isfinite(J), J, 0.0)
        return J


def _gn_polish(fun, jac, x, lb, ub, max_iter=30):
    """Gauss-Newton steps with step halving; returns (x, rss, n_iter)."""
    with np.errstate(all="ignore"):
        return _gn_core(fun, jac, x, lb, ub, max_iter)


def _gn_core(fun, jac, x, lb, ub, max_iter=30):
    r = fun(x)
    f = r @ r
    it = 0
    for it in range(1, max_iter + 1):
        J = jac(x)
        try:
            step = np.linalg.lstsq(J, -r, rcond=None)[0]
        except np.linalg.LinAlgError:
            break
        lam = 1.0
        improved = False
        for _ in range(6):
            xn = x + lam * step
            if np.all(xn >= lb) and np.all(xn <= ub):
                rn = fun(xn)
                fn = rn @ rn
                if fn <= f:
                    improved = True
                    break
            lam *= 0.5
        if not improved:
            break
        dx = np.max(np.abs(xn - x) / np.maximum(np.abs(x), 1e-12))
        df = f - fn
        x, r, f = xn, rn, fn
        if dx < 1e-13 or df <= 1e-15 * f:
            break
    return x, f, it


def _lm(fun, jac, x0, lb, ub, max_iter=200, tol=1e-13, max_nfev=None):
    """Run :func:`_lm_core` with floating-point warnings silenced (overflow is handled)."""
    with np.errstate(all="ignore"):
        return _lm_core(fun, jac, x0, lb, ub, max_iter, tol, max_nfev)


_DIAG_IDX = {}

try:  # the gufunc behind numpy.linalg.solve (skips its argument checks on 3x3 systems)
    from numpy.linalg import _umath_linalg as _ULA

    _SOLVE1 = _ULA.solve1
except (ImportError, AttributeError):  # pragma: no cover - numpy internals moved
    _SOLVE1 = None


def _raise_singular(err, flag):
    raise np.linalg.LinAlgError("Singular matrix")


def _solve_small(M, b):
    """``numpy.linalg.solve(M, b)`` for a small float64 system (same LAPACK routine)."""
    if _SOLVE1 is None or M.dtype != np.float64 or b.dtype != np.float64:
        return np.linalg.solve(M, b)
    with np.errstate(call=_raise_singular, invalid="call", over="ignore", divide="ignore",
                     under="ignore"):
        return _SOLVE1(M, b, signature="dd->d")


def _lm_core(fun, jac, x0, lb, ub, max_iter=200, tol=1e-13, max_nfev=None):
    """Run a Levenberg-Marquardt loop with box projection.

    Returns ``(x, rss, converged, message, nfev)``.  Used for the growth models (analytic
    Jacobians, a few parameters) and for profiling, where scipy's per-call overhead dominates.
    Vectors in parameter space are handled as Python floats where only element-wise
    arithmetic and comparisons are involved (the same IEEE operations as numpy's).
    """
    x = np.clip(np.asarray(x0, float), lb, ub)
    r = fun(x)
    nfev = 1
    f = r @ r
    lam = 1e-3
    nu_fail = 2.0
    lbl = np.broadcast_to(lb, x.shape).tolist()
    ubl = np.broadcast_to(ub, x.shape).tolist()
    n = x.size
    idx = range(n)
    for _ in range(max_iter):
        J = jac(x)
        JT = J.T
        g = JT @ r
        A = JT @ J
        d = A.diagonal().copy()
        d[d <= 0] = 1.0
        # active set: parameters on a bound whose descent direction points outside stay put
        xl = x.tolist()
        gl = g.tolist()
        act = [(xl[i] <= lbl[i] and gl[i] > 0) or (xl[i] >= ubl[i] and gl[i] < 0) for i in idx]
        if any(act):
            ina = ~np.array(act)
            if not np.count_nonzero(ina):
                return x, f, True, "gradient tolerance satisfied", nfev
            Ai = A[np.ix_(ina, ina)]
            gi = g[ina]
            di = d[ina]
        else:
            ina = None
            Ai, gi, di = A, g, d
        gtest = [abs(gl[i]) * max(abs(xl[i]), 1e-8) for i in idx if ina is None or not act[i]]
        gmax = max(gtest)
        if math.isnan(sum(gtest)):  # numpy's max propagates a NaN
            gmax = math.nan
        if gmax <= 1e-12 * max(f, 1e-300):
            return x, f, True, "gradient tolerance satisfied", nfev
        ni = gi.size
        diag = _DIAG_IDX.get(ni)
        if diag is None:
            diag = _DIAG_IDX[ni] = np.diag_indices(ni)
        neg_gi = -gi
        xden = [max(abs(v), 1e-10) for v in xl]
        accepted = False
        while lam < 1e16:
            if max_nfev is not None and nfev >= max_nfev:
                return x, f, False, ("The maximum number of function evaluations is exceeded "
                                     f"({max_nfev})."), nfev
            M = Ai.copy()
            M[diag] += lam * di
            try:
                si = _solve_small(M, neg_gi)
            except np.linalg.LinAlgError:
                lam *= 10
                continue
            if ina is None:
                step = si
            else:
                step = np.zeros_like(x)
                step[ina] = si
            xn = (x + step).clip(lb, ub)
            xnl = xn.tolist()
            rel = [abs(xnl[i] - xl[i]) / xden[i] for i in idx]
            dx = max(rel)
            if math.isnan(sum(rel)):  # numpy's max propagates a NaN
                dx = math.nan
            if dx < 1e-15:
                break
            rn = fun(xn)
            nfev += 1
            fn = rn @ rn
            if fn < f:
                accepted = True
                # Nielsen (1999) update: gain ratio rho of actual to predicted reduction
                dxs = xn - x
                pred = -(2 * g @ dxs + dxs @ A @ dxs)
                rho = (f - fn) / pred if pred > 0 else 1.0
                lam = max(lam * max(1 / 3, 1 - (2 * rho - 1) ** 3), 1e-15)
                nu_fail = 2.0
                break
            lam *= nu_fail
            nu_fail *= 2
        if not accepted:
            return x, f, True, "no further descent possible (stationary to working precision)", nfev
        dec = f - fn
        x, r, f = xn, rn, fn
        if dec <= tol * max(f, 1e-300) or dx < 1e-13:
            return x, f, True, "relative reduction of RSS below tolerance", nfev
    return x, f, False, f"iteration limit ({max_iter}) reached", nfev


def _finish_trf(fun, jac, z, lb, ub, f):
    """Continue a stalled minimisation with scipy's trust-region-reflective iteration.

    ``least_squares(method="trf", x_scale="jac", ftol=xtol=gtol=1e-10, max_nfev=200)``, run by
    :func:`_trf_bounded` (the same iteration without scipy's per-call overhead).
    """
    z0 = _inside(z, lb, ub)
    try:
        with np.errstate(all="ignore"):
            try:
                x, cost = _trf_bounded(fun, jac, z0, lb, ub, 1e-10, 200)
            except (ArithmeticError, TypeError, ValueError):
                # an exceptional value (zero radius, overflow, bad bounds) in the port: let
                # scipy itself run (or raise) exactly as before
                from scipy.optimize import least_squares

                sol = least_squares(fun, z0, jac=jac, bounds=(lb, ub), method="trf",
                                    x_scale="jac", ftol=1e-10, xtol=1e-10, gtol=1e-10,
                                    max_nfev=200)
                x, cost = sol.x, sol.cost
    except (ValueError, np.linalg.LinAlgError):
        return z, f
    f2 = 2.0 * float(cost)
    return (x, f2) if f2 < f else (z, f)


_GESDD = {}


def _svd(a):
    """``scipy.linalg.svd(a, full_matrices=False)`` for a small finite matrix (cached LAPACK)."""
    key = a.shape
    fn = _GESDD.get(key)
    if fn is None:
        from scipy.linalg import get_lapack_funcs

        try:
            from scipy.linalg.lapack import _compute_lwork

            gesdd, gesdd_lwork = get_lapack_funcs(("gesdd", "gesdd_lwork"), (a,),
                                                  ilp64="preferred")
            lwork = _compute_lwork(gesdd_lwork, a.shape[0], a.shape[1], compute_uv=True,
                                   full_matrices=False)
        except (ImportError, TypeError, ValueError):  # pragma: no cover - scipy internals moved
            from scipy.linalg import svd

            fn = _GESDD[key] = lambda m: svd(m, full_matrices=False, check_finite=False)
        else:
            def fn(m):
                u, s, v, info = gesdd(m, compute_uv=1, lwork=lwork, full_matrices=0,
                                      overwrite_a=0)
                if info > 0:
                    raise np.linalg.LinAlgError("SVD did not converge")
                if info < 0:
                    raise ValueError(f"illegal value in {-info}th argument of internal gesdd")
                return u, s, v

            _GESDD[key] = fn
    return fn(a)


def _trf_bounded(fun, jac, x0, lb, ub, tol, max_nfev):
    """Return ``(x, cost)`` of ``scipy.optimize.least_squares(fun, x0, jac=jac, bounds=(lb, ub),
    method="trf", x_scale="jac", ftol=tol, xtol=tol, gtol=tol, max_nfev=max_nfev)``.

    The same trust-region-reflective iteration (Branch, Coleman & Li 1999) as scipy 1.17's
    ``trf_bounds`` with the exact (SVD) trust-region solver, linear loss and Jacobian scaling,
    step for step, without the general-purpose wrappers (argument checks, function caching,
    sparse/robust-loss branches) that dominate its cost on problems of a few parameters: the
    parameter-space vectors are Python floats, so inner products may differ from scipy's in the
    last bit.  Raises ``ValueError`` where ``least_squares`` would (bad bounds or start,
    non-finite residuals at the start).  Problems without any finite bound are passed to
    ``least_squares`` itself (its unbounded variant differs).
    """
    x0 = np.atleast_1d(np.asarray(x0, float)).astype(float)
    lb = np.broadcast_to(np.asarray(lb, float), x0.shape).astype(float)
    ub = np.broadcast_to(np.asarray(ub, float), x0.shape).astype(float)
    if np.all(lb == -np.inf) and np.all(ub == np.inf):
        from scipy.optimize import least_squares

        sol = least_squares(fun, x0, jac=jac, bounds=(lb, ub), method="trf", x_scale="jac",
                            ftol=tol, xtol=tol, gtol=tol, max_nfev=max_nfev)
        return sol.x, sol.cost
    if np.any(lb >= ub):
        raise ValueError("Each lower bound must be strictly less than each upper bound.")
    if not np.all((x0 >= lb) & (x0 <= ub)):
        raise ValueError("Initial guess is outside of provided bounds")
    x0 = _strictly_feasible(x0, lb, ub, 1e-10)
    ftol = xtol = gtol = tol
    sqrt = math.sqrt
    f = np.atleast_1d(fun(x0.copy()))
    J = np.atleast_2d(jac(x0.copy()))
    if not np.all(np.isfinite(f)):
        raise ValueError("Residuals are not finite in the initial point.")
    m, n = J.shape
    idx = range(n)
    lbl, ubl = lb.tolist(), ub.tolist()
    fin_lb = [math.isfinite(v) for v in lbl]
    fin_ub = [math.isfinite(v) for v in ubl]
    x = x0.tolist()
    nfev = 1
    cost = 0.5 * np.dot(f, f)
    g = J.T.dot(f).tolist()
    scale_inv = [v if v != 0 else 1.0 for v in ((J**2).sum(axis=0)**0.5).tolist()]
    scale = [1 / v for v in scale_inv]

    def cl_scaling(x, g):
        # Coleman-Li scaling vector (scipy ``CL_scaling_vector``)
        v = [1.0] * n
        dv = [0.0] * n
        for i in idx:
            if g[i] < 0 and fin_ub[i]:
                v[i] = ubl[i] - x[i]
                dv[i] = -1.0
            elif g[i] > 0 and fin_lb[i]:
                v[i] = x[i] - lbl[i]
                dv[i] = 1.0
        return v, dv

    v, dv = cl_scaling(x, g)
    v = [v[i] * scale_inv[i] if dv[i] != 0 else v[i] for i in idx]
    Delta = sqrt(sum((x[i] * scale_inv[i] / sqrt(v[i])) ** 2 for i in idx))
    if Delta == 0:
        Delta = 1.0
    f_augmented = np.zeros(m + n)
    J_augmented = np.zeros((m + n, n))
    diag_idx = (np.arange(m, m + n), np.arange(n))
    alpha = 0.0
    termination_status = None
    while True:
        v, dv = cl_scaling(x, g)
        g_norm = max(abs(g[i] * v[i]) for i in idx)
        if g_norm < gtol:
            termination_status = 1
        if termination_status is not None or nfev == max_nfev:
            break
        v = [v[i] * scale_inv[i] if dv[i] != 0 else v[i] for i in idx]
        d = [sqrt(v[i]) * scale[i] for i in idx]
        diag_h = [g[i] * dv[i] * scale[i] for i in idx]
        g_h = [d[i] * g[i] for i in idx]
        f_augmented[:m] = f
        J_augmented[:m] = J * np.array(d)
        J_h = J_augmented[:m]
        J_augmented[diag_idx] = [sqrt(v) for v in diag_h]
        Ja = J_augmented.ravel()
        if not math.isfinite(Ja.dot(Ja)) and not np.isfinite(Ja).all():
            raise ValueError("array must not contain infs or NaNs")
        U, s, V = _svd(J_augmented)
        V = V.T
        uf = U.T.dot(f_augmented)
        theta = max(0.995, 1 - g_norm)
        actual_reduction = -1
        while actual_reduction <= 0 and nfev < max_nfev:
            p_h, alpha = _tr_solve(n, m, uf, s, V, Delta, alpha)
            p_h = p_h.tolist()
            p = [d[i] * p_h[i] for i in idx]
            step, step_h, predicted_reduction = _tr_select_step(
                x, J_h, diag_h, g_h, p, p_h, d, Delta, lbl, ubl, theta)
            # the new point, strictly inside (scipy ``make_strictly_feasible``, rstep=0)
            x_new = [x[i] + step[i] for i in idx]
            for i in idx:
                if x_new[i] >= ubl[i]:
                    x_new[i] = math.nextafter(ubl[i], lbl[i])
                elif x_new[i] <= lbl[i]:
                    x_new[i] = math.nextafter(lbl[i], ubl[i])
                if x_new[i] < lbl[i] or x_new[i] > ubl[i]:
                    x_new[i] = 0.5 * (lbl[i] + ubl[i])
            f_new = np.atleast_1d(fun(np.array(x_new)))
            nfev += 1
            step_h_norm = sqrt(sum(v * v for v in step_h))
            if not np.isfinite(f_new.dot(f_new)) and not np.all(np.isfinite(f_new)):
                Delta = 0.25 * step_h_norm
                continue
            cost_new = 0.5 * np.dot(f_new, f_new)
            actual_reduction = cost - cost_new
            # trust-region radius update (scipy ``update_tr_radius``)
            if predicted_reduction > 0:
                ratio = actual_reduction / predicted_reduction
            elif predicted_reduction == actual_reduction == 0:
                ratio = 1
            else:
                ratio = 0
            Delta_new = Delta
            if ratio < 0.25:
                Delta_new = 0.25 * step_h_norm
            elif ratio > 0.75 and step_h_norm > 0.95 * Delta:
                Delta_new *= 2.0
            step_norm = sqrt(sum(v * v for v in step))
            # termination test (scipy ``check_termination``)
            ftol_ok = actual_reduction < ftol * cost and ratio > 0.25
            xtol_ok = step_norm < xtol * (xtol + sqrt(sum(v * v for v in x)))
            if ftol_ok or xtol_ok:
                termination_status = 4 if (ftol_ok and xtol_ok) else (2 if ftol_ok else 3)
                break
            alpha *= Delta / Delta_new
            Delta = Delta_new
        if actual_reduction > 0:
            x = x_new
            f = f_new
            cost = cost_new
            J = np.atleast_2d(jac(np.array(x)))
            g = J.T.dot(f).tolist()
            scale_inv = [max(a, b) for a, b in
                         zip(((J**2).sum(axis=0)**0.5).tolist(), scale_inv)]
            scale = [1 / v for v in scale_inv]
    return np.array(x), cost


def _strictly_feasible(x, lb, ub, rstep):
    """Move ``x`` strictly inside the bounds (scipy ``make_strictly_feasible``, rstep > 0)."""
    x_new = x.copy()
    lower_dist = x - lb
    upper_dist = ub - x
    lower_threshold = rstep * np.maximum(1, np.abs(lb))
    upper_threshold = rstep * np.maximum(1, np.abs(ub))
    active = np.zeros(x.shape, int)
    active[np.isfinite(lb) & (lower_dist <= np.minimum(upper_dist, lower_threshold))] = -1
    active[np.isfinite(ub) & (upper_dist <= np.minimum(lower_dist, upper_threshold))] = 1
    lower_mask = active == -1
    upper_mask = active == 1
    x_new[lower_mask] = lb[lower_mask] + rstep * np.maximum(1, np.abs(lb[lower_mask]))
    x_new[upper_mask] = ub[upper_mask] - rstep * np.maximum(1, np.abs(ub[upper_mask]))
    tight = (x_new < lb) | (x_new > ub)
    x_new[tight] = 0.5 * (lb[tight] + ub[tight])
    return x_new


def _tr_solve(n, m, uf, s, V, Delta, alpha):
    """Trust-region subproblem from an SVD (scipy ``solve_lsq_trust_region``, More 1977).

    The secular-equation iteration runs on Python floats (a few parameters), so sums may
    round differently from numpy's in the last bit.
    """
    sqrt = math.sqrt
    rtol = 0.01
    sl = s.tolist()
    suf_l = [a * b for a, b in zip(sl, uf.tolist())]
    pairs = [(a, b * b) for a, b in zip(suf_l, sl)]

    def phi_and_derivative(alpha):
        sq = 0.0
        cub = 0.0
        for a, b2 in pairs:
            den = b2 + alpha
            sq += (a / den) ** 2
            cub += a * a / den**3
        p_norm = sqrt(sq)
        return p_norm - Delta, -cub / p_norm

    full_rank = sl[-1] > _EPS * m * sl[0] if m >= n else False
    if full_rank:
        p = -V.dot(uf / s)
        if sqrt(p.dot(p)) <= Delta:
            return p, 0.0
    alpha_upper = sqrt(sum(a * a for a in suf_l)) / Delta
    if full_rank:
        phi, phi_prime = phi_and_derivative(0.0)
        alpha_lower = -phi / phi_prime
    else:
        alpha_lower = 0.0
    if not full_rank and alpha == 0:
        alpha = max(0.001 * alpha_upper, (alpha_lower * alpha_upper)**0.5)
    for _ in range(10):
        if alpha < alpha_lower or alpha > alpha_upper:
            alpha = max(0.001 * alpha_upper, (alpha_lower * alpha_upper)**0.5)
        phi, phi_prime = phi_and_derivative(alpha)
        if phi < 0:
            alpha_upper = alpha
        ratio = phi / phi_prime
        alpha_lower = max(alpha_lower, alpha - ratio)
        alpha -= (phi + Delta) * ratio / Delta
        if abs(phi) < rtol * Delta:
            break
    p = -V.dot(s * uf / (s**2 + alpha))
    p *= Delta / sqrt(p.dot(p))
    return p, alpha


def _step_to_bound(x, s, lb, ub):
    """Step length along ``s`` to the nearest bound (scipy ``step_size_to_bound``)."""
    steps = [max((lb[i] - x[i]) / s[i], (ub[i] - x[i]) / s[i]) if s[i] != 0 else math.inf
             for i in range(len(x))]
    min_step = min(steps)
    return min_step, [(0 if v != min_step else (1 if si > 0 else -1 if si < 0 else 0))
                      for v, si in zip(steps, s)]


def _quad_1d(J, g, s, diag, s0=None):
    """Coefficients of the quadratic along ``s`` (scipy ``build_quadratic_1d``)."""
    v = J.dot(s)
    a = v.dot(v)
    a += sum(si * di * si for si, di in zip(s, diag))
    a *= 0.5
    b = sum(gi * si for gi, si in zip(g, s))
    if s0 is None:
        return a, b
    u = J.dot(s0)
    b += u.dot(v)
    c = 0.5 * u.dot(u) + sum(gi * si for gi, si in zip(g, s0))
    b += sum(ti * di * si for ti, di, si in zip(s0, diag, s))
    c += 0.5 * sum(ti * di * ti for ti, di in zip(s0, diag))
    return a, b, c


def _min_quad_1d(a, b, lo, hi, c=0):
    """Minimise ``a t^2 + b t + c`` on ``[lo, hi]`` (scipy ``minimize_quadratic_1d``)."""
    t = [lo, hi]
    if a != 0:
        extremum = -0.5 * b / a
        if lo < extremum < hi:
            t.append(extremum)
    y = [ti * (a * ti + b) + c for ti in t]
    i = min(range(len(t)), key=y.__getitem__)
    return t[i], y[i]


def _eval_quad(J, g, s, diag):
    """Value of the trust-region quadratic model at ``s`` (scipy ``evaluate_quadratic``)."""
    Js = J.dot(s)
    q = Js.dot(Js)
    q += sum(si * di * si for si, di in zip(s, diag))
    return 0.5 * q + sum(si * gi for si, gi in zip(s, g))


def _tr_select_step(x, J_h, diag_h, g_h, p, p_h, d, Delta, lb, ub, theta):
    """Best of the trust-region, reflected and gradient steps (scipy ``select_step``).

    Vectors in parameter space are lists of floats.
    """
    n = len(x)
    idx = range(n)
    if all(lb[i] <= x[i] + p[i] <= ub[i] for i in idx):
        return p, p_h, -_eval_quad(J_h, g_h, p_h, diag_h)
    p_stride, hits = _step_to_bound(x, p, lb, ub)
    r_h = [-v if hits[i] else v for i, v in enumerate(p_h)]
    r = [d[i] * r_h[i] for i in idx]
    p = [v * p_stride for v in p]
    p_h = [v * p_stride for v in p_h]
    x_on_bound = [x[i] + p[i] for i in idx]
    # intersection of the reflected direction with the trust-region boundary
    a = sum(v * v for v in r_h)
    if a == 0:
        raise ValueError("`s` is zero.")
    b = sum(u * v for u, v in zip(p_h, r_h))
    c = sum(v * v for v in p_h) - Delta**2
    if c > 0:
        raise ValueError("`x` is not within the trust region.")
    dd = math.sqrt(b * b - a * c)
    q = -(b + math.copysign(dd, b))
    to_tr = max(q / a, c / q)
    to_bound, _ = _step_to_bound(x_on_bound, r, lb, ub)
    r_stride = min(to_bound, to_tr)
    if r_stride > 0:
        r_stride_l = (1 - theta) * p_stride / r_stride
        if r_stride == to_bound:
            r_stride_u = theta * to_bound
        else:
            r_stride_u = to_tr
    else:
        r_stride_l = 0
        r_stride_u = -1
    if r_stride_l <= r_stride_u:
        a, b, c = _quad_1d(J_h, g_h, r_h, diag_h, s0=p_h)
        r_stride, r_value = _min_quad_1d(a, b, r_stride_l, r_stride_u, c=c)
        r_h = [v * r_stride + w for v, w in zip(r_h, p_h)]
        r = [r_h[i] * d[i] for i in idx]
    else:
        r_value = math.inf
    p = [v * theta for v in p]
    p_h = [v * theta for v in p_h]
    p_value = _eval_quad(J_h, g_h, p_h, diag_h)
    ag_h = [-v for v in g_h]
    ag = [d[i] * ag_h[i] for i in idx]
    to_tr = Delta / math.sqrt(sum(v * v for v in ag_h))
    to_bound, _ = _step_to_bound(x, ag, lb, ub)
    ag_stride = theta * to_bound if to_bound < to_tr else to_tr
    a, b = _quad_1d(J_h, g_h, ag_h, diag_h)
    ag_stride, ag_value = _min_quad_1d(a, b, 0, ag_stride)
    ag_h = [v * ag_stride for v in ag_h]
    ag = [v * ag_stride for v in ag]
    if p_value < r_value and p_value < ag_value:
        return p, p_h, -p_value
    if r_value < p_value and r_value < ag_value:
        return r, r_h, -r_value
    return ag, ag_h, -ag_value


def _fd_jac(fun, z, r0):
    """Forward-difference Jacobian of a residual function (small problems)."""
    h0 = math.sqrt(_EPS)
    cols = []
    for j in range(z.size):
        h = h0 * max(abs(z[j]), 1e-6)
        zp = z.copy()
        zp[j] += h
        cols.append((fun(zp) - r0) / h)
    return np.column_stack(cols)


def _sandwich(J, e, cov_type, cov_kwds, df_resid):
    """Return a heteroskedasticity (HC0-HC3) or Newey-West (HAC) sandwich covariance."""
    n = J.shape[0]
    dn = np.sqrt(np.sum(J * J, axis=0))
    bread = np.linalg.inv((J / dn).T @ (J / dn)) / np.outer(dn, dn)
    if cov_type == "HAC":
        maxlags = (cov_kwds or {}).get("maxlags")
        if maxlags is None:
            maxlags = int(np.floor(4 * (n / 100.0) ** (2.0 / 9.0)))
        S = J * e[:, None]
        meat = S.T @ S
        for lag in range(1, maxlags + 1):
            wgt = 1 - lag / (maxlags + 1.0)
            G = S[lag:].T @ S[:-lag]
            meat += wgt * (G + G.T)
    else:
        h = np.einsum("ij,jk,ik->i", J, bread, J)
        e2 = e**2
        if cov_type == "HC1":
            e2 = e2 * n / max(df_resid, 1)
        elif cov_type == "HC2":
            e2 = e2 / (1 - h)
        elif cov_type == "HC3":
            e2 = e2 / (1 - h) ** 2
        meat = (J * e2[:, None]).T @ J
    return bread @ meat @ bread


# ----------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------
class NLSResults:
    """Hold a weighted non-linear least-squares fit (statsmodels-style results object).

    Attributes
    ----------
    params, bse : pandas.Series
        Estimates and standard errors ``sqrt(diag(cov))`` (0 for fixed parameters).
    fittedvalues, resid : numpy.ndarray
        Fitted means and raw residuals ``y - f`` (``log y - log f`` for multiplicative errors).
    rss : float
        Weighted residual sum of squares on the fitting scale.
    nobs, df_model, df_resid : int
        Observations, free parameters, ``nobs - df_model``.
    scale : float
        ``s^2 = rss / df_resid``.
    converged : bool
        Optimiser status; ``convergence_message`` says why.
    settings : dict
        Start values, bounds, optimiser, tolerances, cov_type.
    convergence : dict
        The convergence record (per-start RSS, evaluations, messages).
    """

    @_quiet
    def __init__(self, problem, theta, names, converged, message, settings, convergence,
                 cov_type="nonrobust", cov_kwds=None):
        from scipy import stats

        self._problem = problem
        self._theta = np.asarray(theta, float)
        self.param_names = list(names)
        self.converged = bool(converged)
        self.convergence_message = str(message)
        self.settings = settings
        self.convergence = convergence
        self.cov_type = cov_type
        pr = problem
        self.nobs = int(pr.y.size)
        self.df_model = int(pr.free.sum())
        self.df_resid = self.nobs - self.df_model
        r = pr.resid_full(self._theta)
        self.rss = float(r @ r)
        self.scale = self.rss / self.df_resid if self.df_resid > 0 else np.nan
        self.fittedvalues = pr.mean(self._theta)
        if pr.errors == "multiplicative":
            self.resid = pr.ly - np.log(self.fittedvalues)
        else:
            self.resid = pr.y - self.fittedvalues
        p = self._theta.size
        cov = np.full((p, p), np.nan)
        J = pr.jac_full(self._theta)[:, pr.free]
        self._jac_free = J
        try:
            # scale-invariant singularity check: condition number of the column-scaled J'J
            dn = np.sqrt(np.sum(J * J, axis=0))
            if not np.all(np.isfinite(dn)) or np.any(dn == 0):
                raise np.linalg.LinAlgError("a parameter does not affect the fit (zero column)")
            Js = J / dn
            JsTJs = Js.T @ Js
            cond = np.linalg.cond(JsTJs)
            if not np.isfinite(cond) or cond > 1e14:
                raise np.linalg.LinAlgError(f"J'J is singular (scaled condition number "
                                            f"{cond:.3g})")
            if cov_type == "nonrobust":
                cf = self.scale * np.linalg.inv(JsTJs) / np.outer(dn, dn)
            else:
                cf = _sandwich(J, r, cov_type, cov_kwds, self.df_resid)
            cfull = np.zeros((p, p))
            idx = np.flatnonzero(pr.free)
            cfull[np.ix_(idx, idx)] = cf
            cov = cfull
        except np.linalg.LinAlgError as exc:
            self.convergence_message += f"; covariance not available: {exc}"
        self._cov_int = cov
        self._cov = self._rep_cov(cov)
        self._tcrit_cache = {}
        self._profile_cache = {}
        ll_jac = 0.5 * np.sum(np.log(pr.sw**2))
        if pr.errors == "multiplicative":
            ll_jac -= np.sum(pr.ly)
        n = self.nobs
        k = self.df_model + 1
        if self.rss > 0:
            self.llf = -0.5 * n * (np.log(2 * np.pi * self.rss / n) + 1) + ll_jac
        else:
            self.llf = np.inf
        self.aic = -2 * self.llf + 2 * k
        self.bic = -2 * self.llf + np.log(n) * k
        self.aicc = self.aic + 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else np.nan
        self._stats = stats

    # -- parameters in reporting coordinates ----------------------------------------------------
    def _to_report(self, theta):
        return np.asarray(theta, float)

    def _to_internal(self, params):
        return np.asarray(params, float)

    def _rep_cov(self, cov_int):
        """Map the internal covariance to reporting parameters (delta method; exact here)."""
        return cov_int

    def _shared(self, j):
        """Whether parameter ``j`` is the same in internal and reporting units (up to a shift)."""
        return True

    def _d_rep(self, theta):
        """Jacobian d(report)/d(internal) at internal ``theta`` (None: identity / unknown)."""
        del theta

    @property
    def params(self):
        if getattr(self, "_params_cache", None) is None:
            self._params_cache = pd.Series(self._to_report(self._theta), index=self.param_names,
                                           name="params")
        return self._params_cache.copy()

    def cov_params(self):
        """Return the parameter covariance matrix as a DataFrame."""
        return pd.DataFrame(self._cov, index=self.param_names, columns=self.param_names)

    @property
    def bse(self):
        with np.errstate(invalid="ignore"):
            return pd.Series(np.sqrt(np.diag(self._cov)), index=self.param_names, name="bse")

    @property
    def fixed(self):
        """Return the names of parameters held fixed."""
        return [n for n, f in zip(self.param_names, self._problem.fixed) if f]

    def _tcrit(self, alpha):
        df = self.df_resid
        if df <= 0:
            return np.nan
        if alpha not in self._tcrit_cache:
            self._tcrit_cache[alpha] = float(self._stats.t.ppf(1 - alpha / 2, df))
        return self._tcrit_cache[alpha]

    # -- profile likelihood ---------------------------------------------------------------------
    def _profile_point(self, j, v, warm, predicted=False):
        """Minimise RSS over the other free parameters with parameter ``j`` held at ``v``."""
        pr = self._problem
        free = pr.free.copy()
        free[j] = False
        th = self._theta.copy()
        th[j] = v
        if not free.any():
            r = pr.resid_full(th)
            return float(r @ r), th

        def fun(z):
            t = th.copy()
            t[free] = z
            return pr.resid_full(t)

        def jac(z):
            t = th.copy()
            t[free] = z
            return pr.jac_full(t)[:, free]

        # linearised conditional predictor: E[theta_other | theta_j = v] from the covariance
        cjj = self._cov_int[j, j]
        z0 = warm[free]
        if not predicted and np.isfinite(cjj) and cjj > 0:
            dz = self._cov_int[free, j] / cjj * (v - warm[j])
            lbf, ubf = pr.lb[free], pr.ub[free]
            # shrink the predictor step so it stays strictly inside the bounds
            with np.errstate(divide="ignore", invalid="ignore"):
                lim = np.where(dz < 0, (lbf - z0) / dz, np.where(dz > 0, (ubf - z0) / dz, np.inf))
            frac = min(1.0, 0.9 * float(np.nanmin(lim))) if lim.size else 1.0
            z0 = z0 + max(frac, 0.0) * dz
        z0 = np.clip(z0, pr.lb[free], pr.ub[free])
        z, f, ok, _, _ = _lm(fun, jac, z0, pr.lb[free], pr.ub[free], max_iter=50, tol=1e-10)
        # keep the better of predictor and plain warm start if the predictor went astray
        if f > 4 * self.rss + 1e-300 and not np.allclose(z0, warm[free]):
            z2, f2, ok2, _, _ = _lm(fun, jac, warm[free], pr.lb[free], pr.ub[free], max_iter=50,
                                    tol=1e-10)
            if f2 < f:
                z, f, ok = z2, f2, ok2
        if not ok:  # slow progress along a ridge: finish with scipy's trust-region solver
            z, f = _finish_trf(fun, jac, z, pr.lb[free], pr.ub[free], f)
        out = th.copy()
        out[free] = z
        return float(f), out

    def _profile_point_rep(self, j, v, warm):
        """Profile point in reporting coordinates (for parameters not shared with internals)."""
        pr = self._problem
        free = pr.free.copy()
        free[j] = False
        p = np.asarray(warm, float).copy()
        p[j] = v

        def fun(z):
            q = p.copy()
            q[free] = z
            return pr.resid_full(self._to_internal(q))

        def jac(z):
            q = p.copy()
            q[free] = z
            th = self._to_internal(q)
            D = self._d_rep(th)
            if D is None:
                return _fd_jac(fun, z, fun(z))
            # chain rule: d r / d rep = (d r / d int) (d rep / d int)^{-1}
            return (pr.jac_full(th) @ np.linalg.inv(D))[:, free]

        off = self._to_report(self._theta) - self._theta
        lbr = np.where([self._shared(i) for i in range(p.size)], pr.lb + off, -np.inf)
        ubr = np.where([self._shared(i) for i in range(p.size)], pr.ub + off, np.inf)
        z, f, ok, _, _ = _lm(fun, jac, p[free], lbr[free], ubr[free], max_iter=80, tol=1e-10)
        if not ok:
            z, f = _finish_trf(fun, jac, z, lbr[free], ubr[free], f)
        p[free] = z
        return float(f), p

    @_quiet
    def _profile_side(self, j, direction, alpha=0.05, max_doublings=16):
        """Return the profile-likelihood limit for parameter ``j`` on one side (report units)."""
        key = (j, direction, alpha)
        if key in self._profile_cache:
            return self._profile_cache[key]
        pr = self._problem
        rep = self._to_report(self._theta)
        est = rep[j]
        shared = self._shared(j)
        if shared:
            off = rep[j] - self._theta[j]
            bound = (pr.ub[j] if direction > 0 else pr.lb[j]) + off
        else:
            bound = direction * np.inf
        c = self._tcrit(alpha)
        s = math.sqrt(self.scale) if self.scale > 0 else np.nan
        se = math.sqrt(self._cov[j, j]) if np.isfinite(self._cov[j, j]) else np.nan
        if not (np.isfinite(c) and np.isfinite(s) and np.isfinite(se) and se > 0):
            self._profile_cache[key] = np.nan
            return np.nan

        def tau(v, warm):
            if shared:
                f, th = self._profile_point(j, v - off, warm)
            else:
                f, th = self._profile_point_rep(j, v, warm)
            return math.sqrt(max(f - self.rss, 0.0)) / s, th

        lo_v, lo_tau = est, 0.0
        warm = self._theta.copy() if shared else rep.copy()
        step = c * se
        v = est + direction * step
        hi = None
        for _ in range(max_doublings):
            at_bound = False
            if (direction > 0 and v >= bound) or (direction < 0 and v <= bound):
                v = bound - direction * 1e-9 * max(abs(bound), 1.0) if np.isfinite(bound) else v
                at_bound = True
            tv, th = tau(v, warm)
            if tv >= c:
                hi = (v, tv)
                break
            lo_v, lo_tau, warm = v, tv, th
            if at_bound:
                res = bound if np.isfinite(bound) else direction * np.inf
                self._profile_cache[key] = res
                return res
            # secant extrapolation of tau toward c (at least double, at most x8 the step)
            slope = (tv - 0.0) / abs(v - est)
            need = (c - tv) / slope if slope > 0 else np.inf
            step = min(max(need * 1.2, step * 2.0), step * 8.0)
            v = lo_v + direction * step
        if hi is None:
            res = direction * np.inf
            self._profile_cache[key] = res
            return res
        # Illinois regula falsi on tau(v) - c between (lo_v, lo_tau) and hi
        a, fa = lo_v, lo_tau - c
        b, fb = hi[0], hi[1] - c
        side = 0
        for _ in range(30):
            m = b - fb * (b - a) / (fb - fa)
            tm, th = tau(m, warm)
            fm = tm - c
            if abs(fm) < 5e-4 * c or abs(b - a) < 1e-10 * max(abs(m), 1.0):
                break
            if fm * fb < 0:
                a, fa = b, fb
                side = 0
            else:
                if side == 1:
                    fa *= 0.5
                side = 1
            b, fb = m, fm
            if fm < 0:
                warm = th
        self._profile_cache[key] = m
        return m

    @_quiet
    def conf_int(self, alpha=0.05, method="wald"):
        """Return confidence intervals for the parameters.

        Parameters
        ----------
        alpha : float
            ``1 - alpha`` is the coverage.
        method : {"wald", "profile"}
            ``"wald"``: ``est +/- t_{df, 1-alpha/2} se``.  ``"profile"``: the profile-t
            interval of Bates & Watts (1988): the set where
            ``sqrt(RSS_profile - RSS) / s <= t_{df, 1-alpha/2}``, each parameter fixed in turn
            and the others re-optimised.  An end that is never reached is ``+/-inf`` (or the
            parameter bound, e.g. 0 for a rate).  Numerics: the search starts at the Wald
            limit, extrapolates the profile-t curve until it crosses the cut-off (at most 16
            growing steps, else unbounded), then solves ``tau(v) = t`` by Illinois regula falsi
            to ``|tau - t| < 5e-4 t``.  Each profile point is a warm-started Levenberg-Marquardt
            fit (linearised conditional predictor from the covariance); points that stall on a
            ridge are finished by the trust-region-reflective iteration of
            ``scipy.optimize.least_squares`` (trf; run by a lean port of scipy's loop).
            Parameters that are a function of internal ones (Richards ``t0``; Bass ``tau`` is
            shared) are profiled in reporting coordinates.

        References
        ----------
        Bates, D. M. and Watts, D. G. (1988), Section 6.1 (profile t); R ``confint.nls``.

        Examples
        --------
        >>> import numpy as np
        >>> t = np.arange(2000, 2012)
        >>> y = 100 / (1 + np.exp(-0.8 * (t - 2006))) + np.cos(t)
        >>> res = fit(t, y)
        >>> ci = res.conf_int(method="profile")
        >>> bool(ci.loc["K", "lower"] < res.params["K"] < ci.loc["K", "upper"])
        True

        Returns
        -------
        pandas.DataFrame
            Index: parameter names; columns ``lower``, ``upper`` (calendar years for t0/tau).
        """
        if method not in ("wald", "profile"):
            raise ValueError(f"method must be 'wald' or 'profile', got {method!r}")
        c = self._tcrit(alpha)
        est = self._to_report(self._theta)
        if method == "wald":
            se = self.bse.to_numpy()
            lo, hi = est - c * se, est + c * se
        else:
            lo = est.copy()
            hi = est.copy()
            for j in range(est.size):
                if self._problem.fixed[j]:
                    continue
                lo[j] = self._profile_side(j, -1, alpha)
                hi[j] = self._profile_side(j, +1, alpha)
        return pd.DataFrame({"lower": lo, "upper": hi}, index=self.param_names)

    # -- prediction -----------------------------------------------------------------------------
    def _mean_at(self, x, theta_internal):
        return self._problem.mean_fn(np.asarray(x, float), theta_internal)

    def _x_internal(self, x):
        return np.asarray(x, float)

    @_quiet
    def predict(self, x, interval=None, alpha=0.05):
        """Predict the mean at new ``x`` with optional delta-method intervals.

        Parameters
        ----------
        x : array-like
            Points (years for growth fits).
        interval : {None, "confidence", "prediction"}
            ``"confidence"``: interval for the mean ``f(x)``, variance ``g' C g`` with ``g`` the
            gradient of ``f`` at the estimates.  ``"prediction"``: adds the error variance
            ``s^2`` (unit weight).  Multiplicative errors: computed for ``log f`` and
            exponentiated (asymmetric; ``mean`` is the median ``f``).
        alpha : float
            ``1 - alpha`` coverage.

        Returns
        -------
        pandas.Series or pandas.DataFrame
            The predictions (indexed by ``x``), or columns ``mean, se, lower, upper`` where ``se``
            is on the fitting scale (log scale for multiplicative errors).
        """
        xi = self._x_internal(np.atleast_1d(np.asarray(x, float)))
        m = self._mean_at(xi, self._theta)
        index = pd.Index(np.atleast_1d(np.asarray(x)), name="x")
        if interval is None:
            return pd.Series(m, index=index, name="mean")
        if interval not in ("confidence", "prediction"):
            raise ValueError(f"interval must be None, 'confidence' or 'prediction', got {interval!r}")
        free = self._problem.free
        G = _num_jac(lambda xx, th: self._mean_at(xx, th), self._theta, xi)[:, free]
        C = self._cov_int[np.ix_(free, free)]
        mult = self._problem.errors == "multiplicative"
        if mult:
            G = G / m[:, None]
        var = np.einsum("ij,jk,ik->i", G, C, G)
        if interval == "prediction":
            var = var + self.scale
        se = np.sqrt(var)
        c = self._tcrit(alpha)
        if mult:
            lo, hi = m * np.exp(-c * se), m * np.exp(c * se)
        else:
            lo, hi = m - c * se, m + c * se
        return pd.DataFrame({"mean": m, "se": se, "lower": lo, "upper": hi}, index=index)

    def to_frame(self, alpha=0.05):
        """Return a table of estimates, standard errors and Wald intervals."""
        ci = self.conf_int(alpha)
        df = pd.DataFrame({"estimate": self.params, "std_err": self.bse})
        df["ci_lower"] = ci["lower"]
        df["ci_upper"] = ci["upper"]
        df["fixed"] = [n in self.fixed for n in self.param_names]
        return df

    def _header_lines(self):
        return ["Non-linear least squares"]

    def summary(self):
        """Return a plain-text summary of the fit."""
        lines = self._header_lines()
        lines += [
            f"nobs: {self.nobs}   df_model: {self.df_model}   df_resid: {self.df_resid}",
            f"RSS: {self.rss:.6g}   s: {math.sqrt(self.scale) if self.scale > 0 else np.nan:.6g}",
            f"AIC: {self.aic:.4f}   AICc: {self.aicc:.4f}   BIC: {self.bic:.4f}",
            f"converged: {self.converged} ({self.convergence_message})",
            f"covariance: {self.cov_type}",
            "",
            self.to_frame().to_string(float_format=lambda v: f"{v:.6g}"),
        ]
        return "\n".join(lines)

    def __repr__(self):
        return f"<{type(self).__name__} rss={self.rss:.6g} converged={self.converged}>"


def _inside(z, lb, ub):
    """Move values sitting on a finite bound slightly inside (trust-region-reflective needs it)."""
    z = np.array(z, float)
    for i in range(z.size):
        span = ub[i] - lb[i]
        d = 1e-8 * max(abs(z[i]), 1.0)
        if np.isfinite(span):
            d = min(d, span / 4)
        if np.isfinite(lb[i]) and z[i] <= lb[i]:
            z[i] = lb[i] + d
        elif np.isfinite(ub[i]) and z[i] >= ub[i]:
            z[i] = ub[i] - d
    return z


@_quiet
def _solve(problem, x0_full, max_nfev=None, method=None, polish=True):
    """Fit the free parameters of ``problem`` from ``x0_full``; return (theta, ok, msg, info)."""
    from scipy.optimize import least_squares

    pr = problem
    free = pr.free
    lb, ub = pr.lb[free], pr.ub[free]

    def fun(z):
        return pr.resid_full(pr.full(z))

    def jac(z):
        return pr.jac_full(pr.full(z))[:, free]

    z0 = np.clip(np.asarray(x0_full, float)[free], lb, ub)
    # keep strictly inside finite bounds for trf
    z0 = _inside(z0, lb, ub)
    if method == "own-lm":
        z, _, ok, msg, nfev = _lm(fun, jac, z0, lb, ub, max_nfev=max_nfev)
        n_gn = 0
        if ok and polish:
            z, _, n_gn = _gn_polish(fun, jac, z, lb, ub)
        at_bound = [int(v) for v in (-1 * (z <= lb) + 1 * (z >= ub))]
        info = {"nfev": nfev, "status": int(ok), "message": msg,
                "method": "Levenberg-Marquardt (box-projected)", "gauss_newton_iterations": n_gn,
                "active_bounds": at_bound}
        if ok and any(at_bound):
            msg += "; a parameter is at its bound"
        if ok or max_nfev is not None:
            return pr.full(z), ok, msg, info
        method = None  # fall back to scipy's trust-region solver
    bounded = np.isfinite(lb).any() or np.isfinite(ub).any()
    meth = method or ("trf" if bounded else "lm")
    kw = {"ftol": 1e-12, "xtol": 1e-12, "gtol": 1e-12, "x_scale": "jac"}
    if max_nfev is not None:
        kw["max_nfev"] = int(max_nfev)
    try:
        if meth == "lm":
            sol = least_squares(fun, z0, jac=jac, method="lm", **kw)
        else:
            sol = least_squares(fun, z0, jac=jac, bounds=(lb, ub), method=meth, **kw)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
        return pr.full(z0), False, f"optimiser failed: {exc}", {"nfev": pr.nfev}
    z = sol.x
    ok = sol.status > 0
    msg = sol.message
    n_gn = 0
    if ok and polish:
        z, _, n_gn = _gn_polish(fun, jac, z, lb, ub)
    info = {"nfev": int(sol.nfev), "status": int(sol.status), "message": sol.message,
            "method": meth, "gauss_newton_iterations": n_gn,
            "active_bounds": [int(a) for a in getattr(sol, "active_mask", np.zeros(0))]}
    if ok and np.any(getattr(sol, "active_mask", np.zeros(1)) != 0):
        msg += "; a parameter is at its bound"
    return pr.full(z), ok, msg, info


@_quiet
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
    if cov_type not in _COV_TYPES:
        raise ValueError(f"cov_type must be one of {_COV_TYPES}, got {cov_type!r}")
    w = np.ones_like(y) if weights is None else np.asarray(weights, float)
    lb, ub = (np.full(p, -np.inf), np.full(p, np.inf)) if bounds is None else bounds
    lb = np.broadcast_to(np.asarray(lb, float), (p,)).copy()
    ub = np.broadcast_to(np.asarray(ub, float), (p,)).copy()
    pr = _Problem(func, jac, x, y, w, errors, lb, ub, np.zeros(p, bool), start)
    t0 = _time.perf_counter()
    theta, ok, msg, info = _solve(pr, start, max_nfev=max_nfev, method=method)
    info["seconds"] = _time.perf_counter() - t0
    settings = {"start": dict(zip(names, start)), "bounds": (lb, ub), "optimizer":
                "scipy.optimize.least_squares + Gauss-Newton polish", "method": info.get("method"),
                "max_nfev": max_nfev, "errors": errors}
    res = NLSResults(pr, theta, names, ok, msg, settings, info, cov_type, cov_kwds)
    _flag_irregular_solution(res)
    return res


#: An rms residual below this multiple of machine epsilon times the rms response is at the
#: level of floating-point rounding of the data themselves (10^4 eps: about 2e-12).
_ROUNDING_FACTOR = 1e4


def _flag_irregular_solution(res) -> None:
    """Mark an ``nls`` result ``converged=False`` when its numbers cannot be trusted.

    Two cases where an optimiser reports success but the result is not a usable
    least-squares solution (both occur in the NIST StRD suite):

    * **Not a regular minimum**: the covariance is unavailable (a zero Jacobian column or
      a singular J'J) while no parameter is at a bound -- the optimiser stopped on a flat
      region (e.g. NIST BoxBOD from start 1, where exp(-b2 x) underflows and the model is
      a constant), so parameters are not locally identified.
    * **Residuals at rounding level**: rms residual < 10^4 eps rms(y). The data carry a
      representation error of order eps |y|, so the RSS, s^2 and every standard error are
      unreliable beyond a few digits (NIST Lanczos1, whose certified values need extended
      precision; also an exact fit to noise-free data).
    """
    pr = res._problem
    notes = []
    theta = res._theta[pr.free]
    lb, ub = pr.lb[pr.free], pr.ub[pr.free]
    at_bound = np.any(np.isclose(theta, lb, rtol=1e-10, atol=0) & np.isfinite(lb)) or np.any(
        np.isclose(theta, ub, rtol=1e-10, atol=0) & np.isfinite(ub))
    if np.all(np.isnan(res._cov_int)) and not at_bound:
        notes.append("not a regular minimum: the parameters are not locally identified at the "
                     "point where the optimiser stopped (covariance unavailable, no parameter "
                     "at a bound)")
    yy = pr.ly if pr.errors == "multiplicative" else pr.y
    scale = float(np.sqrt(np.mean(np.square(pr.sw * yy))))
    rms = float(np.sqrt(res.rss / res.nobs))
    if scale > 0 and rms < _ROUNDING_FACTOR * np.finfo(float).eps * scale:
        notes.append(f"residuals at the level of floating-point rounding (rms residual / rms y "
                     f"= {rms / scale:.1e}): RSS and standard errors are not reliable in double "
                     "precision (an exact fit, or data that need extended precision)")
    if notes and res.converged:
        res.converged = False
        res.convergence_message += "; " + "; ".join(notes)
    elif notes:
        res.convergence_message += "; " + "; ".join(notes)


# ----------------------------------------------------------------------------------------------
# growth model specifications (internal time tc = t - centre)
# ----------------------------------------------------------------------------------------------
def _cols(*cols):
    """``np.column_stack`` for equal-length 1-D columns (without its generic overhead)."""
    J = np.empty((cols[0].shape[0], len(cols)))
    for i, c in enumerate(cols):
        J[:, i] = c
    return J


def _expit(z):
    """Return the logistic function 1 / (1 + exp(-z)) (overflow-free via tanh)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _logistic(t, th):
    K, k, t0 = th[0], th[1], th[2]
    return K * _expit(k * (t - t0))


def _logistic_jac(t, th):
    K, k, t0 = th[0], th[1], th[2]
    s = _expit(k * (t - t0))
    ds = s * (1 - s)
    return _cols(s, K * ds * (t - t0), -K * ds * k)


def _gompertz(t, th):
    K, b, t0 = th[0], th[1], th[2]
    return K * np.exp(-np.exp(np.minimum(-b * (t - t0), 700.0)))


def _gompertz_jac(t, th):
    K, b, t0 = th[0], th[1], th[2]
    u = np.exp(np.minimum(-b * (t - t0), 700.0))
    g = np.exp(-u)
    f = K * g
    return _cols(g, f * u * (t - t0), -f * u * b)


def _richards(t, th):
    K, k, ti, nu = th[0], th[1], th[2], th[3]
    L = np.logaddexp(0.0, np.log(nu) - k * (t - ti))
    return K * np.exp(-L / nu)


def _richards_jac(t, th):
    K, k, ti, nu = th[0], th[1], th[2], th[3]
    z = np.log(nu) - k * (t - ti)
    L = np.logaddexp(0.0, z)
    g = np.exp(-L / nu)
    f = K * g
    q = _expit(z) / nu  # E / (1 + nu E), E = exp(-k (t - ti))
    return _cols(g, f * (t - ti) * q, -f * k * q, f * (L / nu**2 - q / nu))


def _bass(t, th):
    M, p, q, tau = th[0], th[1], th[2], th[3]
    d = np.maximum(t - tau, 0.0)
    e = np.exp(-(p + q) * d)
    F = (1.0 - e) / (1.0 + (q / p) * e)
    return M * F


def _bass_jac(t, th):
    M, p, q, tau = th[0], th[1], th[2], th[3]
    d = t - tau
    pos = d > 0
    dd = np.maximum(d, 0.0)
    sm = p + q
    a = q / p
    e = np.exp(-sm * dd)
    den = 1.0 + a * e
    den2 = den**2
    ome = 1.0 - e
    dF_de = -(1.0 + a) / den2
    dF_da = -ome * e / den2
    de = dF_de * (-dd * e)
    J = np.empty((d.size, 4))
    np.divide(ome, den, out=J[:, 0])
    J[:, 1] = M * (de + dF_da * (-q / p**2))
    J[:, 2] = M * (de + dF_da * (1.0 / p))
    J[:, 3] = M * (dF_de * sm * e)
    if not pos.all():
        J[~pos] = 0.0
    return J


def _bass_rate(t, th):
    M, p, q, tau = th[0], th[1], th[2], th[3]
    d = t - tau
    e = np.exp(-(p + q) * np.maximum(d, 0.0))
    f = (p + q) ** 2 / p * e / (1.0 + (q / p) * e) ** 2
    return np.where(d > 0, M * f, 0.0)


def _logistic_rate(t, th):
    K, k, t0 = th[0], th[1], th[2]
    s = _expit(k * (t - t0))
    return K * k * s * (1 - s)


def _gompertz_rate(t, th):
    K, b, t0 = th[0], th[1], th[2]
    u = np.exp(np.minimum(-b * (t - t0), 700.0))
    return K * b * u * np.exp(-u)


def _richards_rate(t, th):
    k, ti, nu = th[1], th[2], th[3]
    z = np.log(nu) - k * (t - ti)
    return _richards(t, th) * k * _expit(z) / nu


def _exponential(t, th):
    return np.exp(np.minimum(th[0] + th[1] * t, 700.0))


def _exponential_jac(t, th):
    f = _exponential(t, th)
    return np.column_stack([f, f * t])


class _Spec:
    """A growth model: internal mean functions plus internal <-> reporting parameter maps."""

    unshared = ()

    def __init__(self, name, names, level, jac, time_idx, scale_idx, formula, rate=None):
        self.rate = rate
        self.name = name
        self.names = names
        self.level = level
        self.jac = jac
        self.time_idx = time_idx
        self.scale_idx = scale_idx
        self.formula = formula

    def shift(self, centre):
        sh = np.zeros(len(self.names))
        sh[self.time_idx] = centre
        return sh

    def to_rep(self, th, centre):
        return th + self.shift(centre)

    def to_int(self, p, centre):
        return p - self.shift(centre)

    def d_rep(self, th):
        return None


class _RichardsSpec(_Spec):
    """Richards: fitted internally with the inflection time ti = t0 - ln(nu)/k.

    Internally ``y = K (1 + nu exp(-k (t - ti)))^(-1/nu)``, which tends smoothly to the Gompertz
    curve as ``nu -> 0`` (the reported ``t0`` then runs off to -inf); reported parameters use
    ``y = K (1 + exp(-k (t - t0)))^(-1/nu)`` with ``t0 = ti + ln(nu) / k``.
    """

    unshared = (2,)

    def to_rep(self, th, centre):
        p = np.array(th, float)
        with np.errstate(all="ignore"):
            p[2] = th[2] + np.log(th[3]) / th[1] + centre
        return p

    def to_int(self, p, centre):
        th = np.array(p, float)
        with np.errstate(all="ignore"):
            th[2] = p[2] - centre - np.log(p[3]) / p[1]
        return th

    def d_rep(self, th):
        k, nu = th[1], th[3]
        D = np.eye(4)
        D[2, 1] = -np.log(nu) / k**2
        D[2, 3] = 1.0 / (nu * k)
        return D


_SPECS = {
    "exponential": _Spec("exponential", ["a", "r"], _exponential, _exponential_jac, [], None,
                         "y = exp(a + r (t - t_ref))"),
    "logistic": _Spec("logistic", ["K", "k", "t0"], _logistic, _logistic_jac, [2], 0,
                      "y = K / (1 + exp(-k (t - t0)))", _logistic_rate),
    "gompertz": _Spec("gompertz", ["K", "b", "t0"], _gompertz, _gompertz_jac, [2], 0,
                      "y = K exp(-exp(-b (t - t0)))", _gompertz_rate),
    "richards": _RichardsSpec("richards", ["K", "k", "t0", "nu"], _richards, _richards_jac, [2], 0,
                      "y = K (1 + exp(-k (t - t0)))^(-1/nu)", _richards_rate),
    "bass": _Spec("bass", ["M", "p", "q", "tau"], _bass, _bass_jac, [3], 0,
                  "y = M F(t), F = (1 - exp(-(p+q)(t-tau))) / (1 + (q/p) exp(-(p+q)(t-tau)))",
                  _bass_rate),
}


def _data_mean(spec, form):
    """Return mean(x, th) in the data's form (level, per-period difference or rate dL/dt)."""
    if form == "rate":
        return spec.rate, None
    if form == "interval":
        lev = spec.level

        def mean(t, th):
            return lev(t, th) - lev(t - 1.0, th)

        if spec.jac is None:
            return mean, None
        jl = spec.jac

        def jac(t, th):
            return jl(t, th) - jl(t - 1.0, th)

        return mean, jac
    return spec.level, spec.jac


# ----------------------------------------------------------------------------------------------
# growth results
# ----------------------------------------------------------------------------------------------
class GrowthResults(NLSResults):
    """Hold a fitted growth curve (see the module docstring for the models and parameters).

    Attributes (besides those of :class:`NLSResults`)
    ----------
    model, form, errors : str
        The settings used.
    years, values : numpy.ndarray
        The data (calendar years, observed values).
    ceiling : float or None
        ``K`` (``M`` for Bass); ``None`` for the exponential model.
    t_ref : float
        Internal centring year (mean of the fitted years); the exponential's ``a`` is
        ``log`` of the fitted level at ``t_ref``.
    identified : bool
        ``False`` when the ceiling's upper profile limit is unbounded or the data cover less than
        half of the fitted ceiling; ``identified_reason`` explains.
    """

    def __init__(self, problem, theta, spec, form, centre, years, values, converged, message,
                 settings, convergence, cov_type="nonrobust", cov_kwds=None, ols=None):
        self.model = spec.name
        self.formula = spec.formula
        self.form = form
        self.errors = problem.errors
        self.t_ref = float(centre)
        self.years = np.asarray(years, float)
        self.values = np.asarray(values, float)
        self._spec = spec
        self._shift = np.zeros(len(spec.names))
        self._shift[spec.time_idx] = centre
        self.ols = ols
        super().__init__(problem, theta, spec.names, converged, message, settings, convergence,
                         cov_type, cov_kwds)
        if ols is not None:
            self._cov = self._cov_int = np.asarray(ols.cov_params())
        self._identified = None

    def _to_report(self, theta):
        return self._spec.to_rep(np.asarray(theta, float), self.t_ref)

    def _to_internal(self, params):
        if isinstance(params, dict):
            params = [params[n] for n in self.param_names]
        elif isinstance(params, pd.Series):
            params = params[self.param_names].to_numpy()
        return self._spec.to_int(np.asarray(params, float), self.t_ref)

    def _rep_cov(self, cov_int):
        D = self._spec.d_rep(self._theta)
        if D is None:
            return cov_int
        with np.errstate(invalid="ignore"):
            return D @ cov_int @ D.T

    def _shared(self, j):
        return j not in self._spec.unshared

    def _d_rep(self, theta):
        return self._spec.d_rep(theta)

    def _x_internal(self, x):
        return np.asarray(x, float) - self.t_ref

    @property
    def ceiling(self):
        if self._spec.scale_idx is None:
            return None
        return float(self._theta[self._spec.scale_idx])

    @property
    def inflection(self):
        """Return the inflection year of the level curve (None for exponential/Bass q <= p)."""
        th = self.params
        if self.model in ("logistic", "gompertz"):
            return float(th["t0"])
        if self.model == "richards":
            return float(th["t0"] - np.log(th["nu"]) / th["k"])
        if self.model == "bass":
            p, q = th["p"], th["q"]
            if q <= p:
                return None
            return float(th["tau"] + np.log(q / p) / (p + q))
        return None

    @_quiet
    def curve(self, t, params=None):
        """Return the mean level curve at calendar years ``t`` (cumulative for Bass/interval).

        Parameters
        ----------
        t : array-like
            Calendar years.
        params : array-like, dict or Series, optional
            Parameters in reporting units (calendar years); the estimates by default.

        Returns
        -------
        numpy.ndarray
        """
        th = self._theta if params is None else self._to_internal(params)
        return self._spec.level(self._x_internal(np.atleast_1d(np.asarray(t, float))), th)

    @property
    def identified(self):
        if self._identified is None:
            self._identified = self._check_identified()
        return self._identified[0]

    @property
    def identified_reason(self):
        if self._identified is None:
            self._identified = self._check_identified()
        return self._identified[1]

    @_quiet
    def _check_identified(self):
        j = self._spec.scale_idx
        if j is None:
            return True, "exponential model has no ceiling"
        if not self.converged:
            return False, "fit did not converge: " + self.convergence_message
        cap = self.ceiling
        level = self.values if self.form == "cumulative" else np.cumsum(self.values)
        top = float(np.max(level))
        if self._problem.fixed[j]:
            return True, "ceiling fixed by the user"
        up = self._profile_side(j, +1)
        if np.isnan(up):
            return False, ("the ceiling's standard error is not available (singular J'J or a "
                           "parameter at its bound): " + self.convergence_message)
        if not np.isfinite(up):
            return False, ("the 95% profile-likelihood interval of the ceiling is unbounded above "
                           "(RSS stays within the cut-off however large the ceiling)")
        if top < 0.5 * cap:
            return False, (f"the data reach {top:.4g}, less than half the fitted ceiling "
                           f"{cap:.4g}: the inflection is not observed")
        return True, (f"profile interval of the ceiling bounded above ({up:.4g}) and data reach "
                      f"{top / cap:.0%} of it")

    def _header_lines(self):
        head = (f"Growth model: {self.model} ({self.formula}); form={self.form}; "
                f"errors={self.errors}")
        span = (f"years {self.years[0]:g}-{self.years[-1]:g}, t_ref={self.t_ref:g}; "
                f"identified: {self.identified} ({self.identified_reason})")
        return [head, span]


# ----------------------------------------------------------------------------------------------
# input validation and starts
# ----------------------------------------------------------------------------------------------
def _validate(years, values, weights, errors, model, form):
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


def _default_bounds(model, tc, level_top):
    p = len(_SPECS[model].names)
    lb = np.full(p, -np.inf)
    ub = np.full(p, np.inf)
    if model in ("logistic", "gompertz", "richards"):
        lb[0] = 0.0
        lb[1] = 0.0
        if model == "richards":
            lb[3] = 1e-3
            ub[3] = 1e3
    elif model == "bass":
        lb[0], lb[1], ub[1], lb[2], ub[2] = 0.0, 1e-6, 1.0, 0.0, 10.0
        ub[3] = tc[0]
        # adoption cannot have started long before the data: bounds the p -> 0, tau -> -inf
        # ridge (the logistic limit of the Bass curve), on which the fit would creep forever
        lb[3] = tc[0] - 2.0 * max(float(tc[-1] - tc[0]), 1.0) - 1.0
    return lb, ub


def _wls_line(x, z, w):
    W = np.sum(w)
    xm = np.sum(w * x) / W
    zm = np.sum(w * z) / W
    sxx = np.sum(w * (x - xm) ** 2)
    if sxx <= 0:
        return np.nan, np.nan
    b = np.sum(w * (x - xm) * (z - zm)) / sxx
    return b, zm - b * xm


def _candidate_starts(model, tc, level, w, fixed_vals):
    """Self-starting nonlinear parameters from linearisations over trial ceilings."""
    top = float(np.max(level))
    pos = level > 0
    cands = []
    factors = (1.02, 1.1, 1.3, 1.7, 2.5, 4.0, 8.0)
    if model in ("logistic", "gompertz", "richards"):
        nus = (1.0,) if model != "richards" else (0.3, 1.0, 3.0)
        for nu in nus:
            for fac in factors:
                K0 = fac * top
                u = level[pos] / K0
                if model == "logistic":
                    z = np.log(u / (1 - u))
                elif model == "gompertz":
                    z = -np.log(-np.log(u))
                else:
                    z = -np.log(u ** (-nu) - 1)
                k, c0 = _wls_line(tc[pos], z, w[pos])
                if not np.isfinite(k) or k <= 0:
                    k = 1.0 / max(np.ptp(tc), 1.0)
                    c0 = -k * np.mean(tc)
                t0 = -c0 / k
                # richards is fitted with the inflection time ti = t0 - ln(nu) / k
                th = [K0, k, t0] if model != "richards" else [K0, k, t0 - np.log(nu) / k, nu]
                cands.append(np.array(th, float))
    elif model == "bass":
        span = max(np.ptp(tc), 1.0)
        taus = [fixed_vals["tau"]] if "tau" in fixed_vals else \
            [tc[0] - d for d in (0.5, 1.0, 0.25 * span, 0.5 * span, span)]
        for tau in taus:
            for p in (0.002, 0.01, 0.03, 0.08):
                for q in (0.05, 0.2, 0.4, 0.7, 1.2):
                    cands.append(np.array([top * 1.5, p, q, tau], float))
    return cands


def _varpro_scale(spec_mean, t, y, w, th, j, errors):
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


# ----------------------------------------------------------------------------------------------
# fit
# ----------------------------------------------------------------------------------------------
@_quiet
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
    t, y, w = _validate(years, values, weights, errors, model, form)
    if cov_type not in _COV_TYPES:
        raise GrowthDataError(f"cov_type must be one of {_COV_TYPES}, got {cov_type!r}")
    spec = _SPECS[model]
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
    lb, ub = _default_bounds(model, tc, float(np.max(level)))
    for k, bd in (bounds or {}).items():
        if k not in names:
            raise GrowthDataError(f"unknown parameter {k!r} in bounds; {model} has {names}")
        i = names.index(k)
        if isinstance(bd, str) and bd == "data" and i == spec.scale_idx:
            lb[i] = float(np.max(level))
            continue
        lo, hi = bd
        lb[i], ub[i] = lo - shift[i], hi - shift[i]
    mean, jac = _data_mean(spec, form)
    theta_fixed = np.zeros(p)
    for i, n in enumerate(names):
        if n in fixed_int:
            theta_fixed[i] = fixed_int[n]
    pr = _Problem(mean, jac, tc, y, w, errors, lb, ub, fixed_mask, theta_fixed)
    settings = {"model": model, "form": form, "errors": errors, "fix": dict(fix),
                "bounds": {n: (lb[i] + shift[i], ub[i] + shift[i]) for i, n in enumerate(names)},
                "optimizer": "self-start + variable projection + scipy.optimize.least_squares "
                             "(trf) + Gauss-Newton polish", "max_nfev": max_nfev,
                "cov_type": cov_type, "t_ref": centre}
    record = {"starts": []}
    t_start = _time.perf_counter()
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
        theta, ok, msg, info = _solve(pr, x0, max_nfev=max_nfev, method="own-lm")
        record.update(info)
    elif model == "exponential":
        import statsmodels.api as sm

        if np.any(y <= 0):
            pos = y > 0
            a0, r0 = np.log(np.mean(y[pos])) if pos.any() else 0.0, 0.0
            x0 = np.array([a0, r0])
        else:
            X = sm.add_constant(tc, has_constant="add")
            wls = sm.WLS(np.log(y), X, weights=w)
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
            theta, ok, msg, info = _solve(pr, x0, max_nfev=max_nfev, method="own-lm")
            record.update(info)
    else:
        j = spec.scale_idx
        n_starts = 3 if n_starts is None else int(n_starts)
        cands = _candidate_starts(model, tc, level, w,
                                  {n: fixed_int[n] for n in fixed_int})
        scored = []
        for th in cands:
            th = th.copy()
            th[fixed_mask] = theta_fixed[fixed_mask]
            th = np.clip(th, lb, ub)
            s, rss = _varpro_scale(mean, tc, y, w, th, j, errors)
            if np.isfinite(s) and s > 0 and np.isfinite(rss):
                th[j] = s
                scored.append((rss, th))
        scored.sort(key=lambda z: z[0])
        if not scored:
            raise GrowthDataError(f"no usable starting values for {model}: check the data")
        best = None
        refined = []
        for rss0, th0 in scored[:max(n_starts, 1)]:
            thv = _varpro_refine(pr, mean, tc, y, w, th0, j, errors)
            if any(np.allclose(thv, o, rtol=1e-6, atol=1e-9) for o in refined):
                record["starts"].append({"start": dict(zip(names, spec.to_rep(th0, centre))),
                                         "start_rss": rss0, "duplicate": True})
                continue  # the reduced problem led to an optimum already polished
            refined.append(thv)
            theta_i, ok_i, msg_i, info_i = _solve(pr, thv, max_nfev=max_nfev, method="own-lm")
            r = pr.resid_full(theta_i)
            rss_i = float(r @ r)
            record["starts"].append({"start": dict(zip(names, spec.to_rep(th0, centre))),
                                     "start_rss": rss0,
                                     "varpro": dict(zip(names, spec.to_rep(thv, centre))),
                                     "rss": rss_i, "converged": ok_i, "message": msg_i})
            if best is None or (ok_i and not best[1]) or (ok_i == best[1] and rss_i < best[4]):
                best = (theta_i, ok_i, msg_i, info_i, rss_i, th0)
        theta, ok, msg, info, _, th0 = best
        settings["start"] = dict(zip(names, spec.to_rep(th0, centre)))
        record.update(info)
    record["seconds"] = _time.perf_counter() - t_start
    record["nfev_total"] = pr.nfev
    settings["n_starts"] = n_starts
    if not np.all(np.isfinite(theta)):
        ok, msg = False, msg + "; non-finite parameters"
    return GrowthResults(pr, theta, spec, form, centre, t, y, ok, msg, settings, record,
                         cov_type, cov_kwds, ols=ols)


def _varpro_refine(pr, mean, tc, y, w, th0, j, errors):
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
        return _fd_jac(fun, z, r0)

    z0 = _inside(np.clip(th0[nl], lb, ub), lb, ub)
    z, _, _, _, _ = _lm(fun, jac, z0, lb, ub, max_iter=60, tol=1e-10)
    th = th0.copy()
    th[nl] = z
    s, _ = _varpro_scale(mean, tc, y, w, th, j, errors)
    if np.isfinite(s) and s > 0:
        th[j] = s
    return th


# ----------------------------------------------------------------------------------------------
# compare
# ----------------------------------------------------------------------------------------------
def compare(years, values=None, models=None, errors="additive", form="cumulative",
            min_train=None):
    """Compare growth models by AICc, BIC and rolling-origin out-of-sample error.

    Rolling origin (expanding window): for each origin ``i = m, ..., n-1`` the model is fitted to
    the first ``i`` observations and forecasts observation ``i`` (the next observed year, so
    gaps give longer horizons).  ``oos_rmse`` is the root mean squared forecast error and
    ``oos_mape`` the mean absolute percentage error (on the level of ``values``); ``m`` is the
    same for every model (default: the largest parameter count + 2) so all models forecast the
    same points.  Failed or non-converged fits are counted in ``oos_failures`` and skipped.
    Models are never ranked by R^2.

    Parameters
    ----------
    years, values : array-like
        As for :func:`fit`.
    models : list of str, optional
        Default: all of :data:`MODELS` that have fewer parameters than observations.
    errors, form : str
        As for :func:`fit` (``form`` applies to the S-curves and Bass; exponential always
        uses the level).
    min_train : int, optional
        First training size ``m``.

    Returns
    -------
    pandas.DataFrame
        Index ``model``; columns ``n_params, rss, aic, aicc, bic, converged, identified,
        ceiling, oos_rmse, oos_mape, oos_n, oos_failures``; sorted by AICc.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(2000, 2012)
    >>> y = 100 / (1 + np.exp(-0.8 * (t - 2006))) * (1 + 0.01 * np.cos(t))
    >>> tab = compare(t, y, models=["logistic", "gompertz"])
    >>> list(tab.columns[:3])
    ['n_params', 'rss', 'aic']
    """
    if values is None and isinstance(years, pd.Series):
        values = years.to_numpy(float)
        years = years.index.to_numpy(float)
    t, y, _ = _validate(years, values, None, errors, "logistic", form)
    if models is None:
        models = [m for m in MODELS if len(_SPECS[m].names) < t.size]
    m_train = min_train or (max(len(_SPECS[m].names) for m in models) + 2)
    rows = []
    for m in models:
        f = form if m != "exponential" else "cumulative"
        try:
            res = fit(t, y, model=m, errors=errors, form=f)
        except GrowthDataError as exc:
            rows.append({"model": m, "error": str(exc)})
            continue
        errs, fails = [], 0
        for i in range(m_train, t.size):
            try:
                r_i = fit(t[:i], y[:i], model=m, errors=errors, form=f)
                if not r_i.converged:
                    fails += 1
                    continue
                pred = float(r_i.predict([t[i]]).iloc[0])
                errs.append((y[i] - pred, (y[i] - pred) / y[i] if y[i] != 0 else np.nan))
            except GrowthDataError:
                fails += 1
        e = np.array(errs) if errs else np.zeros((0, 2))
        rows.append({
            "model": m, "n_params": res.df_model, "rss": res.rss, "aic": res.aic,
            "aicc": res.aicc, "bic": res.bic, "converged": res.converged,
            "identified": res.identified, "ceiling": res.ceiling,
            "oos_rmse": float(np.sqrt(np.mean(e[:, 0] ** 2))) if len(e) else np.nan,
            "oos_mape": float(np.nanmean(np.abs(e[:, 1]))) if len(e) else np.nan,
            "oos_n": len(e), "oos_failures": fails,
        })
    out = pd.DataFrame(rows).set_index("model")
    return out.sort_values("aicc", na_position="last")
