"""Profile-likelihood (profile-t) intervals for non-linear least-squares fits.

For parameter ``j`` the profile-t function is ``tau(v) = sqrt(RSS_j(v) - RSS) / s`` where
``RSS_j(v)`` is the residual sum of squares minimised over the other free parameters with
``theta_j = v`` (each point a warm-started ``scipy.optimize.least_squares`` fit, started from
the linearised conditional predictor ``E[theta_other | theta_j = v]``).  A limit is the root of
``tau(v) = t_{df, 1 - alpha/2}``, found by safeguarded Newton steps from the Wald limit
(:func:`profile_root`; the slope of ``tau`` comes from the envelope theorem at no extra solve).

References
----------
Bates, D. M. and Watts, D. G. (1988). *Nonlinear Regression Analysis and Its Applications*,
Section 6.1.  R ``confint.nls`` (package MASS / stats).
"""

from __future__ import annotations

import math

import numpy as np

from .solve import fd_jac, least_squares_fit, quiet
from .specs import RUNAWAY

__all__ = ["ROOT_XTOL", "ProfileMixin", "profile_root"]

#: Tolerance of the profile-point fits.
PROFILE_TOL = 1e-8
#: Evaluation budget of one profile point, per free parameter.
PROFILE_NFEV_PER_PARAM = 100
#: Tolerance of a profile limit, in standard errors of the parameter.
ROOT_XTOL = 1e-6


def profile_root(tau, est, v, direction, c, xtol, max_steps, bound=None):
    """Solve ``tau(v) = c`` on one side of the estimate by safeguarded Newton steps.

    ``tau(v)`` returns the profile-t value and its slope (envelope theorem, see
    ``ProfileMixin._slope``).  Starting at ``v`` (the Wald limit), each step is Newton's
    ``v + (c - tau) / tau'``; until a point with ``tau >= c`` brackets the root, a step is at
    most 8 times the distance from the estimate (more than ``max_steps`` such steps: no root);
    once bracketed, a step leaving the bracket, or taken where ``tau`` is not within ``c / 2``
    of the cut-off (far from the root a steep profile makes Newton steps tiny), is replaced by
    bisection ("rtsafe", Press et al. 2007, sec. 9.4).  It stops when a Newton step shorter
    than ``xtol`` and than ``ROOT_XTOL`` times ``|v|`` is taken within ``c / 2`` of the
    cut-off.  A profile-t function is nearly linear in a well-parameterised model, so
    two or three profile points usually suffice where bracketing and ``brentq`` took seven or
    more.

    Returns
    -------
    status : {"root", "bound", "open", "failed"}
        The root was found; ``tau < c`` at ``bound``; no root within ``max_steps``; the
        bracket shrank to nothing without a root (``tau`` jumps across the cut-off: a profile
        point that is not the minimum it should be).
    v : float
        The root, ``bound`` or NaN.

    References
    ----------
    Press, W. H., Teukolsky, S. A., Vetterling, W. T. and Flannery, B. P. (2007). *Numerical
    Recipes*, 3rd ed., section 9.4.

    Examples
    --------
    >>> profile_root(lambda v: (abs(v) ** 1.5, 1.5 * v * abs(v) ** -0.5), 0.0, 1.0, +1, 8.0,
    ...              1e-12, 16)[1]
    4.0
    """
    lo, hi, outward = est, None, 0
    for _ in range(max_steps + 60):
        at_bound = bound is not None and direction * (v - bound) >= 0
        if at_bound:
            v = bound
        tv, dv = tau(v)
        if tv >= c:
            hi = v
        elif at_bound:
            return "bound", v
        else:
            lo = v
        nxt = v + (c - tv) / dv if np.isfinite(dv) and direction * dv > 0 else np.nan
        if hi is None:
            reach = 8.0 * abs(v - est)
            outward += 1
            if outward > max_steps:
                return "open", np.nan
            if not direction * (nxt - v) > 0:
                nxt = v + direction * 0.5 * reach
            nxt = v + direction * min(abs(nxt - v), reach)
        elif not (min(lo, hi) < nxt < max(lo, hi) and abs(tv - c) <= 0.5 * c):
            nxt = 0.5 * (lo + hi)
        tol = min(xtol, max(ROOT_XTOL * abs(v), 1e-6 * xtol))  # absolute, and relative to v
        if abs(nxt - v) <= tol and abs(tv - c) <= 0.5 * c:
            return "root", float(nxt)
        v = nxt
    return ("open" if hi is None else "failed"), np.nan


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
        z, f, _, _, _ = least_squares_fit(fun, jac, z_start, lbf, ubf, tol=PROFILE_TOL,
                                             max_nfev=PROFILE_NFEV_PER_PARAM * int(free.sum()),
                                             logs=self._logs()[free])
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
        z, f, _, _, _ = least_squares_fit(fun, jac, p[free], lbr[free], ubr[free],
                                             tol=PROFILE_TOL,
                                             max_nfev=PROFILE_NFEV_PER_PARAM * int(free.sum()),
                                             logs=self._logs()[free])
        p[free] = z
        return float(f), p

    @quiet
    def profile_limit(self, param, direction, alpha=0.05, max_steps=16):
        """Return one end of the profile-t interval of a parameter (reporting units).

        The root of ``tau(v) = t_{df, 1 - alpha/2}`` (see the module docstring), solved by
        :func:`profile_root` from the Wald limit to ``ROOT_XTOL`` standard errors (and
        ``ROOT_XTOL`` relative to the end), each evaluation
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
            is the default cap, ``+inf``), NaN when the solver did not converge (a fit whose
            ceiling sits at its cap is profiled) or no standard error is available, when the
            crossing holds the ceiling at its default cap (the end would move with the cap)
            or when the profile jumps across the cut-off.

        References
        ----------
        Bates and Watts (1988), Section 6.1.
        """
        j = self.param_names.index(param) if isinstance(param, str) else int(param)
        key = (j, direction, alpha)
        if key in self._profile_cache:
            return self._profile_cache[key]
        if not (self.converged or self.convergence.get("ceiling_at_bound")):
            return np.nan  # tau is measured from the minimum RSS, which was not found
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
            tv = math.sqrt(max(f - self.rss, 0.0)) / s
            memo[v] = tv, self._slope(th if shared else self._to_internal(th), j, tv,
                                      None if shared else self._d_rep)
            return memo[v]

        inner = bound - direction * 1e-9 * max(abs(bound), 1.0) if np.isfinite(bound) else None
        st, v = profile_root(tau, est, est + direction * c * se, direction, c, ROOT_XTOL * se,
                             max_steps, inner)
        if st == "bound":  # below the cut-off up to a default cap: unbounded, as far as known
            return direction * np.inf if self._caps().get(j) == direction else bound
        if st == "root" and self._at_cap(min(visited, key=lambda e: abs(e[0] - v))[1], shared, j):
            return np.nan  # the crossing is where a cap holds the fit: not the data's
        return direction * np.inf if st == "open" else v

    def _at_cap(self, theta, internal=True, j=None):
        """Whether a profile point of parameter ``j`` is held by a cap: the ceiling at its cap
        (``>= RUNAWAY`` times it), or the parameter ``_linked_cap(j)`` within 1 % of its cap."""
        k = self._cap_index()
        th = theta if internal else self._to_internal(theta)
        if k is not None and th[k] >= RUNAWAY * self._problem.ub[k]:
            return True
        i = self._linked_cap(j)
        return i is not None and bool(th[i] >= 0.99 * self._problem.ub[i])

    def _slope(self, theta, j, tv, d_rep=None):
        """Return ``d tau / d theta_j`` at a profile point ``theta`` (internal parameters).

        By the envelope theorem the derivative of the profiled RSS is the partial derivative
        of the RSS, ``2 r' dr/dtheta_j``, so ``d tau / dv = r' J_j / (s^2 tau)``; with
        ``d_rep`` the column is taken in reporting coordinates (``J D^{-1}``).  NaN where
        ``tau = 0`` or the reporting Jacobian is unknown.
        """
        pr = self._problem
        J = pr.jac_full(theta)
        if d_rep is not None:
            D = d_rep(theta)
            if D is None:
                return np.nan
            J = J @ np.linalg.inv(D)
        if not (tv > 0 and self.scale > 0):
            return np.nan
        return float(pr.resid_full(theta) @ J[:, j]) / (self.scale * tv)

    def _cap_index(self):
        """Index of a parameter whose upper bound is a default cap (None here)."""
        return

    def _caps(self):
        """Default caps, ``{index: direction}`` (none here)."""
        return {}

    def _linked_cap(self, j):
        """Index of a parameter whose cap sets parameter ``j``'s profile end (None here)."""
        return

    def _logs(self):
        """Parameters whose profile solves run in log coordinates (none here)."""
        return np.zeros(self._theta.size, bool)
