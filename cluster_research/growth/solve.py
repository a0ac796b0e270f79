"""The one least-squares path of the package: ``scipy.optimize.least_squares``.

Every non-linear fit (:func:`cluster_research.growth.nls`, :func:`cluster_research.growth.fit`,
profile-likelihood points, the lifecycle bootstrap refits) goes through :func:`least_squares_fit`
on a :class:`Problem`.  Unbounded problems use MINPACK's Levenberg-Marquardt
(``method="lm"``), bounded ones the trust-region-reflective algorithm (``method="trf"``);
both with ``x_scale="jac"``.  The method that ran is returned in the ``info`` record and stored
by the results objects in ``settings["optimizer"]`` / ``convergence["method"]``.

References
----------
Moré, J. J. (1978). The Levenberg-Marquardt algorithm: implementation and theory.  Branch,
M. A., Coleman, T. F. and Li, Y. (1999). A subspace, interior, and conjugate gradient method
for large-scale bound-constrained minimization problems. *SIAM J. Sci. Comput.* 21, 1-23.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.optimize import least_squares

from ..errors import ParameterError

__all__ = ["OPTIMIZER", "Problem", "fd_jac", "least_squares_fit", "num_jac", "quiet", "sandwich",
           "solve"]

EPS = np.finfo(float).eps
#: Name recorded in ``settings["optimizer"]`` of every fit.
OPTIMIZER = "scipy.optimize.least_squares"
#: Default tolerances of the growth solves (``ftol = xtol = gtol``): a regular problem meets
#: them in a few dozen evaluations.
TOL = 1e-10
#: Tolerances of the generic :func:`cluster_research.growth.nls` (NIST StRD certifies 11 digits).
NLS_TOL = 1e-14
#: Default evaluation budget per free parameter (scipy's default is 100; NIST MGH17 needs 506
#: evaluations for 5 parameters).
DEFAULT_NFEV_PER_PARAM = 1000


def quiet(func):
    """Wrap ``func`` to run with floating-point warnings silenced (overflow/NaN handled explicitly)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return func(*args, **kwargs)

    return wrapper


def num_jac(f, th, x, step=None):
    """Return the central-difference Jacobian of ``f(x, th)`` with respect to ``th``.

    The ``(n, p)`` matrix ``(f(th + h e_j) - f(th - h e_j)) / (2 h)``, relative steps
    ``h = eps^(1/3) max(|th_j|, 1e-8)`` unless absolute steps ``step`` are given.
    """
    th = np.asarray(th, float)
    h0 = EPS ** (1.0 / 3.0)
    cols = []
    for j in range(th.size):
        h = h0 * max(abs(th[j]), 1e-8) if step is None else step[j]
        tp, tm = th.copy(), th.copy()
        tp[j] += h
        tm[j] -= h
        cols.append((f(x, tp) - f(x, tm)) / (tp[j] - tm[j]))
    return np.column_stack(cols) if cols else np.zeros((np.size(x), 0))


def fd_jac(fun, z, r0):
    """Return the forward-difference Jacobian ``(fun(z + h e_j) - r0) / h`` of ``fun`` at ``z``.

    ``r0 = fun(z)``, ``h = sqrt(eps) max(|z_j|, 1e-6)``.
    """
    h0 = math.sqrt(EPS)
    cols = []
    for j in range(z.size):
        h = h0 * max(abs(z[j]), 1e-6)
        zp = z.copy()
        zp[j] += h
        cols.append((fun(zp) - r0) / h)
    return np.column_stack(cols)


class Problem:
    """Hold a weighted least-squares problem in the free parameters of ``mean(x, theta)``.

    Residuals are ``sqrt(w) (y - f)`` (``errors="additive"``) or ``sqrt(w) (log y - log f)``
    (``"multiplicative"``); parameters flagged in ``fixed_mask`` stay at ``theta_fixed``.

    Parameters
    ----------
    mean, jac : callable
        ``mean(x, theta)`` and its Jacobian ``jac(x, theta)`` (``None``: central differences).
    x, y, w : numpy.ndarray
        Predictor, response, positive weights.
    errors : {"additive", "multiplicative"}
        Error structure.
    lb, ub : array-like
        Bounds of all parameters.
    fixed_mask : array-like of bool
        Parameters held fixed.
    theta_fixed : array-like
        Values of the fixed parameters (others ignored).
    """

    def __init__(self, mean, jac, x, y, w, errors, lb, ub, fixed_mask, theta_fixed):
        self.mean_fn, self.jac_fn, self.x, self.y = mean, jac, x, y
        self.sw = np.sqrt(w)
        self.unit = bool(np.all(self.sw == 1.0))
        self.errors = errors
        self.ly = np.log(y) if errors == "multiplicative" else None
        self.lb, self.ub = np.asarray(lb, float), np.asarray(ub, float)
        self.fixed = np.asarray(fixed_mask, bool)
        self.free = ~self.fixed
        self.theta_fixed = np.asarray(theta_fixed, float)
        self.nfev = self.njev = 0

    def with_data(self, y):
        """Return a copy of the problem with response ``y`` (same design, weights, bounds)."""
        return Problem(self.mean_fn, self.jac_fn, self.x, np.asarray(y, float), self.sw**2,
                       self.errors, self.lb, self.ub, self.fixed, self.theta_fixed)

    def full(self, tf):
        """Return the full parameter vector with free entries ``tf``."""
        th = self.theta_fixed.copy()
        th[self.free] = tf
        return th

    def mean(self, th):
        """Return the mean ``f(x, th)``."""
        return self.mean_fn(self.x, th)

    def dmean(self, th):
        """Return the Jacobian of the mean (analytic, else central differences)."""
        if self.jac_fn is not None:
            return self.jac_fn(self.x, th)
        return num_jac(self.mean_fn, th, self.x)

    def resid_full(self, th):
        """Return the weighted residuals at the full parameter vector ``th``."""
        self.nfev += 1
        m = self.mean_fn(self.x, th)
        r = self.ly - np.log(m) if self.errors == "multiplicative" else self.y - m
        if not self.unit:
            r = self.sw * r
        rf = r.ravel()
        if not math.isfinite(rf.dot(rf)) and not np.isfinite(r).all():
            r = np.where(np.isfinite(r), r, 1e150)
        return r

    def rss(self, th):
        """Return the weighted residual sum of squares at ``th``."""
        r = self.resid_full(th)
        return float(r @ r)

    def jac_full(self, th):
        """Return the Jacobian of the residuals with respect to all parameters."""
        self.njev += 1
        J = self.dmean(th)
        if self.errors == "multiplicative":
            J = J / self.mean(th)[:, None]
        J = -np.asarray(J, dtype=float) if self.unit else -self.sw[:, None] * J
        Jf = J.ravel()
        if not math.isfinite(Jf.dot(Jf)) and not np.isfinite(J).all():
            J = np.where(np.isfinite(J), J, 0.0)
        return J


@quiet
def least_squares_fit(fun, jac, z0, lb, ub, max_nfev=None, tol=TOL, lm_first=True, logs=None):
    """Minimise ``sum fun(z)^2`` subject to ``lb <= z <= ub`` with ``scipy.optimize.least_squares``.

    ``method="lm"`` (MINPACK) when no bound is finite, else ``method="trf"``;
    ``x_scale="jac"``, ``ftol = xtol = gtol = tol``.  With bounds and ``lm_first`` (default),
    MINPACK ``lm`` is tried first without the bounds (about four times cheaper per iteration
    than ``trf``); its solution is kept only if it converged strictly inside the bounds,
    otherwise ``trf`` solves the bounded problem from the start.  ``info["method"]`` says
    which ran to the solution.

    Parameters
    ----------
    fun, jac : callable
        Residuals and their Jacobian as functions of ``z``.
    z0 : array-like
        Start (clipped into the bounds).
    lb, ub : array-like
        Bounds.
    max_nfev : int, optional
        Evaluation budget (default ``DEFAULT_NFEV_PER_PARAM`` = 1000 per parameter); running
        out gives ``ok=False``.
    tol : float
        Tolerances.
    lm_first : bool
        Try unbounded ``lm`` before ``trf`` on a bounded problem (see above).
    logs : array of bool, optional
        Parameters (positive) solved in ``log z``: a ridge along which ``z -> 0`` (Bass
        ``p -> 0``) is straight in ``log z`` and is followed in a few steps, not crept along.

    Returns
    -------
    z : numpy.ndarray
        Solution.
    rss : float
        ``sum fun(z)^2``.
    ok : bool
        ``status > 0`` (a convergence test was met).
    message : str
        scipy's message.
    info : dict
        ``method``, ``optimizer``, ``nfev``, ``njev``, ``status``, ``active_bounds``.

    References
    ----------
    SciPy, ``scipy.optimize.least_squares``.

    Examples
    --------
    >>> import numpy as np
    >>> z, rss, ok, msg, info = least_squares_fit(lambda z: z - 3.0, lambda z: np.eye(1),
    ...                                           [0.0], [-np.inf], [np.inf])
    >>> round(float(z[0]), 6), ok, info["method"]
    (3.0, True, 'lm')
    """
    lb, ub = np.asarray(lb, float), np.asarray(ub, float)
    z0 = np.clip(np.asarray(z0, float), lb, ub)
    e = np.zeros(z0.size, bool) if logs is None else np.asarray(logs, bool)
    if e.any() and np.all(z0[e] > 0):
        def ex(w):
            return np.where(e, np.exp(np.where(e, w, 0.0)), w)

        with np.errstate(divide="ignore"):
            lw, uw, w0 = (np.where(e, np.log(np.maximum(b, 0.0)), b) for b in (lb, ub, z0))
        w, f, ok, msg, info = least_squares_fit(lambda w: fun(ex(w)),
                                                lambda w: jac(ex(w)) * np.where(e, ex(w), 1.0),
                                                w0, lw, uw, max_nfev, tol, lm_first)
        return ex(w), f, ok, msg, info
    bounded = bool(np.isfinite(lb).any() or np.isfinite(ub).any())
    meth = "trf" if bounded else "lm"
    kw = {"ftol": tol, "xtol": tol, "gtol": tol, "x_scale": "jac", "method": meth}
    kw["max_nfev"] = int(max_nfev) if max_nfev is not None else DEFAULT_NFEV_PER_PARAM * z0.size
    if bounded:
        kw["bounds"] = (lb, ub)
    m = fun(z0).size
    if meth == "lm" and z0.size > m:
        kw["method"] = meth = "trf"
    if bounded and lm_first and z0.size <= m and np.all(z0 > lb) and np.all(z0 < ub):
        kw_lm = {**{k: v for k, v in kw.items() if k != "bounds"}, "method": "lm"}
        try:
            sol = least_squares(fun, z0, jac=jac, **kw_lm)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            sol = None
        if sol is not None and sol.status > 0 and np.all(sol.x > lb) and np.all(sol.x < ub) \
                and np.isfinite(sol.cost):
            info = {"method": "lm", "optimizer": OPTIMIZER, "nfev": int(sol.nfev),
                    "njev": int(sol.njev) if sol.njev is not None else 0,
                    "status": int(sol.status), "active_bounds": [0] * z0.size,
                    "lm_first": True}
            return sol.x, float(2.0 * sol.cost), True, str(sol.message), info
    try:
        sol = least_squares(fun, z0, jac=jac, **kw)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
        r = fun(z0)
        return z0, float(r @ r), False, f"optimiser failed: {exc}", {
            "method": meth, "optimizer": OPTIMIZER, "nfev": 0, "njev": 0, "status": -1,
            "active_bounds": [0] * z0.size}
    z = sol.x
    at = (np.isfinite(lb) & (z <= lb)) | (np.isfinite(ub) & (z >= ub))
    active = np.where(np.isfinite(lb) & (z <= lb), -1, np.where(at, 1, 0))
    info = {"method": meth, "optimizer": OPTIMIZER, "nfev": int(sol.nfev),
            "njev": int(sol.njev) if sol.njev is not None else 0, "status": int(sol.status),
            "active_bounds": [int(a) for a in active]}
    return z, float(2.0 * sol.cost), bool(sol.status > 0), str(sol.message), info


def solve(problem, x0_full, max_nfev=None, tol=TOL, lm_first=True, logs=None):
    """Fit the free parameters of a :class:`Problem` from ``x0_full``.

    Parameters
    ----------
    problem : Problem
    x0_full : array-like
        Start (all parameters; fixed ones are replaced by their values).
    max_nfev, tol, lm_first
        As for :func:`least_squares_fit` (``lm_first`` off when the caller sets a strict budget).
    logs : array of bool, optional
        Parameters solved in log coordinates (all parameters; see :func:`least_squares_fit`).

    Returns
    -------
    theta : numpy.ndarray
        Full parameter vector.
    ok : bool
        Whether ``least_squares`` reported convergence.
    message : str
        Its message (with "; a parameter is at its bound" when a bound is active).
    info : dict
        See :func:`least_squares_fit`.
    """
    pr = problem
    free = pr.free

    def fun(z):
        return pr.resid_full(pr.full(z))

    def jac(z):
        return pr.jac_full(pr.full(z))[:, free]

    z0 = np.asarray(x0_full, float)[free]
    if not np.all(np.isfinite(z0)):
        raise ParameterError(f"start values must be finite, got {z0!r}")
    z, _, ok, msg, info = least_squares_fit(fun, jac, z0, pr.lb[free], pr.ub[free],
                                            max_nfev=max_nfev, tol=tol, lm_first=lm_first,
                                            logs=None if logs is None else np.asarray(logs)[free])
    if ok and any(info["active_bounds"]):
        msg += "; a parameter is at its bound"
    return pr.full(z), ok, msg, info


def sandwich(J, e, cov_type, cov_kwds, df_resid):
    """Return a heteroskedasticity (HC0-HC3) or Newey-West (HAC) sandwich covariance.

    ``(J'J)^{-1} J' diag(e_i^2 c_i) J (J'J)^{-1}`` with ``c_i = 1`` (HC0), ``n / df`` (HC1),
    ``1 / (1 - h_i)`` (HC2), ``1 / (1 - h_i)^2`` (HC3); HAC: Bartlett-weighted lag sums.

    Parameters
    ----------
    J : numpy.ndarray
        Residual Jacobian (free parameters).
    e : numpy.ndarray
        Residuals.
    cov_type : str
        ``"HC0"``..``"HC3"`` or ``"HAC"``.
    cov_kwds : dict or None
        ``{"maxlags": L}`` for HAC (default ``floor(4 (n/100)^(2/9))``).
    df_resid : int
        Residual degrees of freedom.

    Returns
    -------
    numpy.ndarray

    References
    ----------
    MacKinnon, J. G. and White, H. (1985). *J. Econometrics* 29, 305-325.  Newey, W. K. and
    West, K. D. (1987). *Econometrica* 55, 703-708.
    """
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
