"""Profile-likelihood (profile-t) intervals for non-linear least-squares fits.

For parameter ``j`` the profile-t function is ``tau(v) = sqrt(RSS_j(v) - RSS) / s`` where
``RSS_j(v)`` is the residual sum of squares minimised over the other free parameters with
``theta_j = v`` (each point a warm-started ``scipy.optimize.least_squares`` fit, started from
the linearised conditional predictor ``E[theta_other | theta_j = v]``).  A limit is the root of
``tau(v) = t_{df, 1 - alpha/2}``: bracketed by growing steps from the Wald limit, then solved by
``scipy.optimize.brentq``.

References
----------
Bates, D. M. and Watts, D. G. (1988). *Nonlinear Regression Analysis and Its Applications*,
Section 6.1.  R ``confint.nls`` (package MASS / stats).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from .solve import fd_jac, least_squares_fit, quiet

__all__ = ["ProfileMixin"]

#: Tolerance of the profile-point fits.
PROFILE_TOL = 1e-8
#: Evaluation budget of one profile point, per free parameter.
PROFILE_NFEV_PER_PARAM = 100


class ProfileMixin:
    """Add profile-likelihood limits to a results class holding a ``Problem``.

    The host class provides ``_problem``, ``_theta``, ``_cov_int``, ``_cov``, ``rss``,
    ``scale``, ``_tcrit(alpha)``, ``_to_report``, ``_to_internal``, ``_shared(j)`` and
    ``_d_rep(theta)``.
    """

    def _profile_point(self, j, v, warm):
        """Minimise RSS over the other free parameters with parameter ``j`` held at ``v``."""
        pr = self._problem
        free = pr.free.copy()
        free[j] = False
        th = self._theta.copy()
        th[j] = v
        if not free.any():
            return pr.rss(th), th

        def fun(z):
            t = th.copy()
            t[free] = z
            return pr.resid_full(t)

        def jac(z):
            t = th.copy()
            t[free] = z
            return pr.jac_full(t)[:, free]

        cjj = self._cov_int[j, j]
        z0 = warm[free].copy()
        lbf, ubf = pr.lb[free], pr.ub[free]
        if np.isfinite(cjj) and cjj > 0:
            dz = self._cov_int[free, j] / cjj * (v - warm[j])
            with np.errstate(divide="ignore", invalid="ignore"):
                lim = np.where(dz < 0, (lbf - z0) / dz, np.where(dz > 0, (ubf - z0) / dz, np.inf))
            frac = min(1.0, 0.9 * float(np.nanmin(lim))) if lim.size else 1.0
            if np.all(np.isfinite(dz)):
                z0 = z0 + max(frac, 0.0) * dz
        # A profile point is a global minimum over the other parameters: one start can stall
        # in a local minimum (a ceiling held far from its estimate), which would put a false
        # crossing of the cut-off inside the interval.  So the linearised predictor, the
        # nearest profiled point and the estimate are evaluated, and one solve starts from the
        # best of them.
        starts = [z0] + [np.clip(c, lbf, ubf) for c in (warm[free], self._theta[free])]
        z_start = min(starts, key=lambda z_: float(np.sum(fun(z_) ** 2)))
        z, f, _, _, info = least_squares_fit(fun, jac, z_start, lbf, ubf, tol=PROFILE_TOL,
                                             max_nfev=PROFILE_NFEV_PER_PARAM * int(free.sum()),
                                             logs=self._logs()[free])
        self._profile_nfev += info["nfev"]
        if not np.isfinite(f):
            z = z0
        out = th.copy()
        out[free] = z
        return float(f), out

    def _profile_point_rep(self, j, v, warm):
        """Profile point in reporting coordinates (parameters not shared with internals)."""
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
                return fd_jac(fun, z, fun(z))
            return (pr.jac_full(th) @ np.linalg.inv(D))[:, free]

        off = self._to_report(self._theta) - self._theta
        shared = np.array([self._shared(i) for i in range(p.size)])
        lbr = np.where(shared, pr.lb + off, -np.inf)
        ubr = np.where(shared, pr.ub + off, np.inf)
        z, f, _, _, info = least_squares_fit(fun, jac, p[free], lbr[free], ubr[free],
                                             tol=PROFILE_TOL,
                                             max_nfev=PROFILE_NFEV_PER_PARAM * int(free.sum()),
                                             logs=self._logs()[free])
        self._profile_nfev += info["nfev"]
        p[free] = z
        return float(f), p

    @quiet
    def profile_limit(self, param, direction, alpha=0.05, max_steps=16):
        """Return one end of the profile-t interval of a parameter (reporting units).

        The root of ``tau(v) = t_{df, 1 - alpha/2}`` (see the module docstring): growing steps
        from the Wald limit (secant-extrapolated, at most ``max_steps``) bracket it, then
        ``scipy.optimize.brentq`` solves it to ``1e-6`` standard errors, each evaluation
        warm-started from the nearest point already profiled.

        Parameters
        ----------
        param : int or str
            Parameter index or name.
        direction : {-1, +1}
            Lower or upper end.
        alpha : float
            ``1 - alpha`` coverage.
        max_steps : int
            Bracketing steps before the end is declared unbounded.

        Returns
        -------
        float
            The limit; ``+/-inf`` when the profile never reaches the cut-off, the parameter
            bound when the profile stays below the cut-off up to it (for a ceiling whose bound
            is the default cap, ``+inf``), NaN when no standard error is available.

        References
        ----------
        Bates and Watts (1988), Section 6.1.
        """
        j = self.param_names.index(param) if isinstance(param, str) else int(param)
        key = (j, direction, alpha)
        if key in self._profile_cache:
            return self._profile_cache[key]
        res = self._profile_limit(j, direction, alpha, max_steps)
        self._profile_cache[key] = res
        return res

    def _profile_limit(self, j, direction, alpha, max_steps):
        pr = self._problem
        rep = self._to_report(self._theta)
        est = rep[j]
        shared = self._shared(j)
        off = rep[j] - self._theta[j]
        if shared:
            bound = (pr.ub[j] if direction > 0 else pr.lb[j]) + off
        else:
            bound = direction * np.inf
        c = self._tcrit(alpha)
        s = math.sqrt(self.scale) if self.scale > 0 else np.nan
        se = math.sqrt(self._cov[j, j]) if np.isfinite(self._cov[j, j]) else np.nan
        if self.rss == 0.0 and se == 0.0:
            return float(est)  # an exact fit: the profile-t function is infinite off the estimate
        if not (np.isfinite(c) and np.isfinite(s) and np.isfinite(se) and se > 0):
            return np.nan
        visited = [(est, self._theta.copy() if shared else rep.copy())]
        memo = {}

        def tau(v):
            if v in memo:
                return memo[v]
            warm = min(visited, key=lambda e: abs(e[0] - v))[1]
            if shared:
                f, th = self._profile_point(j, v - off, warm)
            else:
                f, th = self._profile_point_rep(j, v, warm)
            visited.append((v, th))
            memo[v] = math.sqrt(max(f - self.rss, 0.0)) / s
            return memo[v]

        lo_v = est
        step = c * se
        v = est + direction * step
        hi = None
        for _ in range(max_steps):
            at_bound = False
            if (direction > 0 and v >= bound) or (direction < 0 and v <= bound):
                v = bound - direction * 1e-9 * max(abs(bound), 1.0) if np.isfinite(bound) else v
                at_bound = True
            tv = tau(v)
            if tv >= c:
                hi = v
                break
            lo_v = v
            if at_bound:
                if direction > 0 and j == self._cap_index():
                    return direction * np.inf
                return bound if np.isfinite(bound) else direction * np.inf
            slope = tv / abs(v - est)
            need = (c - tv) / slope if slope > 0 else np.inf
            step = min(max(need * 1.2, step * 2.0), step * 8.0)
            v = lo_v + direction * step
        if hi is None:
            return direction * np.inf
        a, b = sorted((lo_v, hi))
        return float(brentq(lambda x: tau(x) - c, a, b, xtol=1e-6 * se, rtol=1e-12))

    def _cap_index(self):
        """Index of a parameter whose upper bound is a default cap (None here)."""
        return

    def _logs(self):
        """Parameters whose profile solves run in log coordinates (none here)."""
        return np.zeros(self._theta.size, bool)
