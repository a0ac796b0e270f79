"""Results objects of non-linear least-squares and growth-curve fits.

:class:`NLSResults` (any model, from :func:`cluster_research.growth.nls`) and
:class:`GrowthResults` (the growth models, from :func:`cluster_research.growth.fit`).  Every
number a results object reports is computed from its own parameters: ``rss`` is the residual
sum of squares of ``fittedvalues``, and ``fittedvalues`` is the model at ``params``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ParameterError
from . import profile
from .profile import ProfileMixin, profile_root
from .solve import Problem, num_jac, quiet, sandwich, solve
from .specs import RUNAWAY, linearised_at

#: ``identified`` requires the ceiling's 95 % profile upper limit to be at most this multiple
#: of the estimate (a ceiling known only to within a factor of ten is not an estimate).
IDENTIFIED_RATIO = 10.0

__all__ = ["GrowthResults", "NLSResults", "ceiling_interval_text", "flag_irregular_solution",
           "round_sig"]

#: An rms residual below this multiple of machine epsilon times the rms response is at the
#: level of floating-point rounding of the data themselves (10^4 eps: about 2e-12).
ROUNDING_FACTOR = 1e4


def round_sig(x: float, digits: int = 3) -> str:
    """Write ``x`` rounded to ``digits`` significant figures, thousands separated.

    Examples
    --------
    >>> round_sig(140626284.0), round_sig(37355.2), round_sig(0.16612), round_sig(float("nan"))
    ('141,000,000', '37,400', '0.166', 'nan')
    """
    if not math.isfinite(x):
        return f"{x}"
    r = float(f"{x:.{digits}g}")
    return f"{r:,.0f}" if abs(r) >= 10 ** (digits - 1) else f"{r:.{digits}g}"


def ceiling_interval_text(estimate: float, low: float, high: float,
                          ratio: float = IDENTIFIED_RATIO) -> str:
    """Write a ceiling's 95 % profile interval as a reader should read it.

    Ends are rounded to 3 significant figures (:func:`round_sig`); an upper end above
    ``ratio`` times the estimate is written "more than 10× the estimate" -- the rule of
    ``identified``: beyond that the data say only that the ceiling is large; an unbounded
    one (``inf``) "∞ (no upper limit)". A missing end (NaN: the profile was not computed)
    is said so.

    Parameters
    ----------
    estimate, low, high : float
        The ceiling and its profile limits (``inf`` unbounded, NaN not computed).
    ratio : float, default IDENTIFIED_RATIO (10)

    Returns
    -------
    str

    Examples
    --------
    >>> ceiling_interval_text(37355.0, 24715.0, 72960.0)
    '24,700–73,000'
    >>> ceiling_interval_text(69524.0, 21951.0, 140626284.0)
    '22,000 to more than 10× the estimate'
    >>> ceiling_interval_text(8821.0, float("nan"), float("nan"))
    'not computed'
    """
    if math.isnan(low) or math.isnan(high):
        return "not computed"
    if math.isinf(high):
        return f"{round_sig(low)} to ∞ (no upper limit)"
    if high > ratio * estimate:
        return f"{round_sig(low)} to more than {ratio:g}× the estimate"
    return f"{round_sig(low)}–{round_sig(high)}"


class NLSResults(ProfileMixin):
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

    @quiet
    def __init__(self, problem, theta, names, converged, message, settings, convergence,
                 cov_type="nonrobust", cov_kwds=None):
        self._problem = problem
        self._theta = np.asarray(theta, float)
        self.param_names = list(names)
        self.converged = bool(converged)
        self.convergence_message = str(message)
        self.settings, self.convergence = settings, convergence
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
        try:
            # scale-invariant singularity check: condition number of the column-scaled J'J
            dn = np.sqrt(np.sum(J * J, axis=0))
            if not np.all(np.isfinite(dn)) or np.any(dn == 0):
                raise np.linalg.LinAlgError("a parameter does not affect the fit (zero column)")
            Js = J / dn
            JsTJs = Js.T @ Js
            cond = np.linalg.cond(JsTJs)
            if not np.isfinite(cond) or cond > 1e14:
                raise np.linalg.LinAlgError(f"J'J is singular (scaled condition number {cond:.3g})")
            if cov_type == "nonrobust":
                cf = self.scale * np.linalg.inv(JsTJs) / np.outer(dn, dn)
            else:
                cf = sandwich(J, r, cov_type, cov_kwds, self.df_resid)
            cfull = np.zeros((p, p))
            idx = np.flatnonzero(pr.free)
            cfull[np.ix_(idx, idx)] = cf
            cov = cfull
        except np.linalg.LinAlgError as exc:
            self.convergence_message += f"; covariance not available: {exc}"
        self._cov_int = cov
        self._cov = self._rep_cov(cov)
        self._tcrit_cache, self._profile_cache = {}, {}
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
        """Return the estimates in reporting units (calendar years)."""
        if getattr(self, "_params_cache", None) is None:
            self._params_cache = pd.Series(self._to_report(self._theta), index=self.param_names,
                                           name="params")
        return self._params_cache.copy()

    def cov_params(self):
        """Return the parameter covariance matrix as a DataFrame."""
        return pd.DataFrame(self._cov, index=self.param_names, columns=self.param_names)

    @property
    def bse(self):
        """Return the standard errors ``sqrt(diag(cov))``."""
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
            self._tcrit_cache[alpha] = float(stats.t.ppf(1 - alpha / 2, df))
        return self._tcrit_cache[alpha]

    # -- profile likelihood ---------------------------------------------------------------------
    @quiet
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
            parameter bound, e.g. 0 for a rate); so is an end not reached up to a default cap
            (the ceiling's, Richards ``nu <= 1e3``, Bass ``p <= 1``, ``q <= 10`` and the ``tau``
            ridge bound), which is no limit of the data.  An end whose crossing holds the
            ceiling at its default cap (at least 1 % of it), or a Richards ``k`` end found with
            ``nu`` at its cap (``k = nu r`` grows with ``nu`` on the capped-exponential limit),
            is NaN: it would move with the cap, so it is not the data's; so is an end where
            the profile jumps across the cut-off (:func:`~.profile.profile_root` status
            "failed").  Every
            end of a fit whose solver did not converge is NaN (the profile-t is measured from
            the minimum, which was not found); a fit whose ceiling sits at its cap is
            profiled.  Numerics: ``tau(v) = t`` is solved by safeguarded Newton steps from
            the Wald limit (:func:`~.profile.profile_root`; at most 16 outward steps, else
            unbounded).  Each profile point is a warm-started
            ``scipy.optimize.least_squares`` fit (linearised conditional predictor from the
            covariance); see :meth:`profile_limit`.
            Parameters that are a function of internal ones (Richards ``t0``; Bass ``tau`` is
            shared) are profiled in reporting coordinates.

        References
        ----------
        Bates, D. M. and Watts, D. G. (1988), Section 6.1 (profile t); R ``confint.nls``.

        Examples
        --------
        >>> import numpy as np
        >>> from cluster_research.growth import fit
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
            raise ParameterError(f"method must be 'wald' or 'profile', got {method!r}")
        c = self._tcrit(alpha)
        est = self._to_report(self._theta)
        if method == "wald":
            se = self.bse.to_numpy()
            lo, hi = est - c * se, est + c * se
        else:
            lo, hi = est.copy(), est.copy()
            for j in range(est.size):
                if self._problem.fixed[j]:
                    continue
                lo[j] = self.profile_limit(j, -1, alpha)
                hi[j] = self.profile_limit(j, +1, alpha)
        return pd.DataFrame({"lower": lo, "upper": hi}, index=self.param_names)

    # -- prediction -----------------------------------------------------------------------------
    def _mean_at(self, x, theta_internal):
        return self._problem.mean_fn(np.asarray(x, float), theta_internal)

    def _x_internal(self, x):
        return np.asarray(x, float)

    @quiet
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
            raise ParameterError(f"interval must be None, 'confidence' or 'prediction', got {interval!r}")
        pr = self._problem
        free = pr.free
        G = (pr.jac_fn(xi, self._theta) if pr.jac_fn is not None
             else num_jac(pr.mean_fn, self._theta, xi))[:, free]  # analytic where the model has it
        C = self._cov_int[np.ix_(free, free)]
        mult = self._problem.errors == "multiplicative"
        if mult:
            G = G / m[:, None]
        var = np.einsum("ij,jk,ik->i", G, C, G)
        if interval == "prediction":
            var = var + self.scale
        se = np.sqrt(var)
        c = self._tcrit(alpha)
        lo, hi = (m * np.exp(-c * se), m * np.exp(c * se)) if mult else (m - c * se, m + c * se)
        return pd.DataFrame({"mean": m, "se": se, "lower": lo, "upper": hi}, index=index)

    def to_frame(self, alpha=0.05):
        """Return a table of estimates, standard errors and Wald intervals."""
        ci = self.conf_int(alpha)
        return pd.DataFrame({"estimate": self.params, "std_err": self.bse, "ci_low": ci["lower"],
                             "ci_high": ci["upper"],
                             "fixed": [n in self.fixed for n in self.param_names]})

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
            self.to_frame().to_string(float_format=lambda v: f"{v:.6g}")]
        return "\n".join(lines)

    def __repr__(self):
        return f"<{type(self).__name__} rss={self.rss:.6g} converged={self.converged}>"


def bound_hits(names, theta, lb, ub, fixed) -> list:
    """Return the names of free parameters within ``1e-8 max(|theta|, 1)`` of a finite bound."""
    return [n for n, v, lo, hi, f in zip(names, theta, lb, ub, fixed) if not f and (
        (np.isfinite(lo) and v <= lo + 1e-8 * max(abs(v), 1.0))
        or (np.isfinite(hi) and v >= hi - 1e-8 * max(abs(v), 1.0)))]


def flag_irregular_solution(res) -> None:
    """Mark an ``nls`` result ``converged=False`` when its numbers cannot be trusted.

    Two cases where an optimiser reports success but the result is not a usable
    least-squares solution (both occur in the NIST StRD suite):

    * **Not a regular minimum**: the covariance is unavailable (a zero Jacobian column or
      a singular J'J) while no parameter is at a bound -- the optimiser stopped on a flat
      region (e.g. NIST BoxBOD from start 1, where exp(-b2 x) underflows and the model is
      a constant), so parameters are not locally identified.
    * **Residuals at rounding level**: rms residual < 10^4 eps rms(y). The data carry a
      representation error of order ``eps |y|``, so the RSS, s^2 and every standard error are
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
    if scale > 0 and rms < ROUNDING_FACTOR * np.finfo(float).eps * scale:
        notes.append(f"residuals at the level of floating-point rounding (rms residual / rms y "
                     f"= {rms / scale:.1e}): RSS and standard errors are not reliable in double "
                     "precision (an exact fit, or data that need extended precision)")
    if notes:
        res.converged = False
        res.convergence_message += "; " + "; ".join(notes)


class GrowthResults(NLSResults):
    """Hold a fitted growth curve (see the module docstring for the models and parameters).

    The attributes below come in addition to those of :class:`NLSResults`.

    Attributes
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
        half of the fitted ceiling or the upper limit exceeds ``IDENTIFIED_RATIO`` (10) times
        the estimate; decided when the fit is made; ``identified_reason`` explains.
    """

    def __init__(self, problem, theta, spec, form, centre, years, values, converged, message,
                 settings, convergence, cov_type="nonrobust", cov_kwds=None, ols=None):
        self.model, self.formula = spec.name, spec.formula
        self.form = form
        self.errors = problem.errors
        self.t_ref = float(centre)
        self.years = np.asarray(years, float)
        self.values = np.asarray(values, float)
        self._spec = spec
        self.ols = ols
        super().__init__(problem, theta, spec.param_names, converged, message, settings,
                         convergence, cov_type, cov_kwds)
        if ols is not None:
            self._cov = self._cov_int = np.asarray(ols.cov_params())
        # decided at fit time (a likelihood-ratio comparison and at most two small solves)
        self._identified = self._check_identified()

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
        """Return the fitted ceiling ``K`` (``M`` for Bass); None for the exponential."""
        j = self._spec.scale_idx
        return None if j is None else float(self._theta[j])

    @property
    def inflection(self):
        """Return the inflection year of the level curve (None for exponential/Bass q <= p)."""
        return None if self._spec.inflection is None else self._spec.inflection(self.params)

    @property
    def at_bound(self):
        """Return the names of free parameters that ended on a bound."""
        pr = self._problem
        return bound_hits(self.param_names, self._theta, pr.lb, pr.ub, pr.fixed)

    @quiet
    def refit(self, values, max_nfev=None):
        """Refit the same model to new data from the estimates (one warm-started fit).

        The problem (design, weights, bounds, fixed parameters, data form) is that of this fit
        with the response replaced; solved by the same ``scipy.optimize.least_squares`` path
        as :func:`cluster_research.growth.fit` (what a residual bootstrap calls per replicate).

        Parameters
        ----------
        values : array-like
            New observations, same years and form as the original fit.
        max_nfev : int, optional
            Evaluation budget (default 200 per free parameter).

        Returns
        -------
        params : pandas.Series
            Estimates in reporting units.
        converged : bool
            ``least_squares`` converged, the parameters are finite and the ceiling did not run
            off to its cap.

        Examples
        --------
        >>> import numpy as np
        >>> from cluster_research import growth
        >>> t = np.arange(2000, 2012)
        >>> res = growth.fit(t, 100 / (1 + np.exp(-0.8 * (t - 2006))))
        >>> p, ok = res.refit(50 / (1 + np.exp(-0.8 * (t - 2006))))
        >>> round(float(p["K"]), 6), ok
        (50.0, True)
        """
        y = np.asarray(values, float).ravel()
        if y.shape != self.values.shape or not np.all(np.isfinite(y)):
            raise ParameterError(f"refit needs {self.values.size} finite values like the "
                                 f"original fit, got shape {y.shape}")
        if self.errors == "multiplicative" and np.any(y <= 0):
            raise ParameterError("refit with multiplicative errors needs positive values")
        pr = self._problem.with_data(y)
        if max_nfev is None:
            max_nfev = 200 * int(pr.free.sum())
        theta, ok, _, _ = solve(pr, self._theta, max_nfev=max_nfev)
        ok = bool(ok and np.all(np.isfinite(theta)))
        j = self._cap_index()
        if ok and j is not None and theta[j] >= RUNAWAY * pr.ub[j]:
            ok = False
        return pd.Series(self._to_report(theta), index=self.param_names, name="params"), ok

    def _profile_limit(self, j, direction, alpha, max_steps):
        if j == self._spec.scale_idx and not self._problem.fixed[j]:
            if direction > 0:
                return self._ceiling_upper(alpha)
            return self._ceiling_lower(alpha, max_steps)
        return super()._profile_limit(j, direction, alpha, max_steps)

    @quiet
    def _ceiling_lower(self, alpha=0.05, max_steps=16):
        """Return the lower profile limit of the ceiling: :func:`~.profile.profile_root` from
        the Wald limit ``K_hat - t se`` (stopping at the bound); each point is one
        :meth:`ceiling_profile` solve warm-started from the nearest point already profiled."""
        j = self._spec.scale_idx
        K_hat = float(self._theta[j])
        c, s2 = self._tcrit(alpha), self.scale
        se = math.sqrt(self._cov[j, j]) if np.isfinite(self._cov[j, j]) else np.nan
        if not (np.isfinite(c) and np.isfinite(s2) and s2 > 0):
            return np.nan
        if not (np.isfinite(se) and se > 0):
            se = 0.1 * K_hat
        lb = max(float(self._problem.lb[j]), 0.0)
        if K_hat >= RUNAWAY * self._problem.ub[j]:
            return self._ceiling_lower_from_limit(c, s2, lb)
        tau = self._ceiling_tau(K_hat, s2, phi=False)
        st, K = profile_root(tau, K_hat, K_hat - c * se, -1, c, profile.ROOT_XTOL * se,
                             max_steps, lb + 1e-9 * max(K_hat, 1.0))
        return lb if st in ("bound", "open") else K

    def _ceiling_lower_from_limit(self, c, s2, lb):
        """Lower profile limit of a ceiling whose estimate is the limit ``K -> inf`` (the fit
        sits at the cap: no standard error, and steps in ``K`` of the cap's size jump over the
        crossing).  Profiled in ``phi = 1/K`` from ``phi = 1e-8 / top`` (the cap) by
        :func:`~.profile.profile_root`, up to ``1/lb`` or ``1e6 / top``."""
        top = float(np.max(self.values if self.form == "cumulative" else np.cumsum(self.values)))
        tau = self._ceiling_tau(1.0 / float(self._theta[self._spec.scale_idx]), s2)
        st, phi = profile_root(tau, 0.0, 1e-8 / top, +1, c, 1e-9 / top, 40,
                               min(1.0 / lb if lb > 0 else np.inf, 1e6 / top))
        return {"root": 1.0 / phi, "failed": np.nan}.get(st, lb)

    def _ceiling_tau(self, start, s2, phi=True, rss0=None):
        """Return ``v -> (tau, d tau / dv)``, the ceiling's profile-t in ``v = 1/K`` (``phi``)
        or ``v = K``, starting from the estimates at ``v = start``.

        ``d tau / d phi = -K^2 d tau / dK``; at ``phi = 0`` (the limit ``K -> inf``) the value
        is that of ``rss0`` (0 without it) and the slope is unknown (NaN).  Each point is a
        :meth:`ceiling_profile` solve warm-started from the nearest point visited (in ``log v``).
        """
        j = self._spec.scale_idx
        visited = [(start, self._theta.copy())]

        def tau(v):
            if phi and v <= 0.0:
                return (0.0 if rss0 is None else math.sqrt(max(rss0 - self.rss, 0.0) / s2),
                        np.nan)
            # nearest on a log scale: a ceiling spans decades, and a point at the far bound
            # is a poor start for one a factor of two from the last
            warm = min(visited, key=lambda e: abs(math.log(e[0] / v)))[1]
            f, th = self.ceiling_profile(1.0 / v if phi else v, warm)
            visited.append((v, th))
            tv = math.sqrt(max(f - self.rss, 0.0) / s2)
            slope = self._slope(th, j, tv)
            return tv, -slope / (v * v) if phi else slope
        return tau

    def _logs(self):
        return np.isin(np.arange(self._theta.size), self._spec.log_solve)

    def _cap_index(self):
        j = self._spec.scale_idx
        return None if j is None or not self.settings.get("ceiling_capped", False) else j

    def _caps(self):
        names = self.param_names
        return {names.index(n): d for n, d in self.settings.get("caps", {}).items()}

    def _linked_cap(self, j):
        i = self._spec.cap_linked.get(j)
        return i if i is not None and i in self._caps() else None

    @quiet
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
        return self._spec.f(self._x_internal(np.atleast_1d(np.asarray(t, float))), th)

    @property
    def identified(self):
        """Return whether the ceiling is identified (decided at fit time; see the class doc)."""
        return self._identified[0]

    @property
    def identified_reason(self):
        """Return why the ceiling is or is not identified."""
        return self._identified[1]

    def _held(self, K):
        """Return the problem with the ceiling held at ``K`` (internal coordinates)."""
        pr = self._problem
        j = self._spec.scale_idx
        fixed = pr.fixed.copy()
        fixed[j] = True
        tf = pr.theta_fixed.copy()
        tf[j] = K
        return Problem(pr.mean_fn, pr.jac_fn, pr.x, pr.y, pr.sw**2, pr.errors, pr.lb, pr.ub,
                       fixed, tf)

    @quiet
    def ceiling_profile(self, K, warm=None):
        """Return the profile RSS at ceiling ``K`` and the parameters that attain it.

        The other free parameters are re-fitted with the ceiling held at ``K``: one
        ``least_squares`` solve from the best (lowest RSS) of the warm start, the estimates and
        the model's linearisation at ``K`` (:func:`cluster_research.growth.specs.linearised_at`;
        a warm start alone can sit in a poor local minimum and put a false crossing of the
        cut-off inside the interval).

        Parameters
        ----------
        K : float
            Ceiling (``K``, Bass ``M``).
        warm : numpy.ndarray, optional
            Internal parameters to start from (default: the estimates).

        Returns
        -------
        rss : float
        theta : numpy.ndarray
            Internal parameters.
        """
        held = self._held(K)
        j = self._spec.scale_idx
        warm = self._theta if warm is None else warm
        level = self.values if self.form == "cumulative" else np.cumsum(self.values)
        cands = [np.where(held.fixed, held.theta_fixed, w) for w in (warm, self._theta)]
        if self.form == "cumulative":
            cands += [np.where(held.fixed, held.theta_fixed, np.clip(c, held.lb, held.ub))
                      for c in linearised_at(self._spec, held.x, level, held.sw**2, K)]
        th0 = min(cands, key=held.rss)
        theta, _, _, info = solve(held, th0, tol=1e-10, max_nfev=50 * int(held.free.sum()),
                                  logs=self._logs())
        self.convergence.setdefault("ceiling_profile_nfev", []).append(info["nfev"])
        theta[j] = K
        return held.rss(theta), theta

    def _limit_rss(self):
        """Return the RSS of the limit ``K -> inf`` (``phi = 0``; see :meth:`_ceiling_upper`)."""
        if "limit_rss" not in self.convergence:
            rss0 = self.convergence.get("exponential_rss")
            cap = self._problem.ub[self._spec.scale_idx]
            if rss0 is None or self.form != "cumulative" or self._spec.name == "bass":
                rss0 = self.ceiling_profile(cap)[0] if np.isfinite(cap) else np.inf
            self.convergence["limit_rss"] = float(rss0)
        return self.convergence["limit_rss"]

    @quiet
    def _ceiling_upper(self, alpha=0.05):
        """Return the upper profile limit of the ceiling, profiled in ``phi = 1/K``.

        ``phi = 0`` is the ceiling's limit ``K -> inf``: for the S-curves its RSS is that of the
        nested exponential (closed form), for Bass that of the profile at the ceiling's cap.  If
        ``(RSS(phi=0) - RSS) / s^2 <= t^2`` the upper limit is ``+inf`` at once; otherwise the
        root of ``tau(phi) = t`` on ``(0, 1/K_hat)`` is found by :func:`~.profile.profile_root`
        from the Wald limit in ``phi``.
        """
        key = ("ceiling_upper", alpha)
        if key in self._profile_cache:
            return self._profile_cache[key]
        j = self._spec.scale_idx
        K_hat = float(self._theta[j])
        c = self._tcrit(alpha)
        s2 = self.scale
        if not (np.isfinite(c) and np.isfinite(s2) and s2 > 0):
            self._profile_cache[key] = np.nan
            return np.nan
        rss0 = self._limit_rss()
        cap = self._problem.ub[j]
        if (rss0 - self.rss) / s2 <= c * c or K_hat >= RUNAWAY * cap:
            self._profile_cache[key] = np.inf
            return np.inf
        tau = self._ceiling_tau(1.0 / K_hat, s2, rss0=rss0)
        se = math.sqrt(self._cov[j, j]) / K_hat**2 if self._cov[j, j] > 0 else 0.5 / K_hat
        st, phi = profile_root(tau, 1.0 / K_hat, 1.0 / K_hat - c * se, -1, c,
                               profile.ROOT_XTOL / K_hat, 60, 0.0)
        # a crossing within the tolerance of phi = 0 is the limit itself: no upper bound
        out = np.nan if st == "failed" else 1.0 / phi if phi > 1e-6 / K_hat else np.inf
        self._profile_cache[key] = out
        return out

    @quiet
    def _check_identified(self):
        j = self._spec.scale_idx
        if j is None:
            return True, "exponential model has no ceiling"
        if self._problem.fixed[j]:
            return True, "ceiling fixed by the user"
        if not self.converged:
            return False, "fit did not converge: " + self.convergence_message
        cap = self.ceiling
        level = self.values if self.form == "cumulative" else np.cumsum(self.values)
        top = float(np.max(level))
        c, s2 = self._tcrit(0.05), self.scale
        if not (np.isfinite(c) and np.isfinite(s2) and s2 > 0):
            return False, "no residual degrees of freedom: the ceiling's interval is not defined"
        if (self._limit_rss() - self.rss) / s2 <= c * c:
            return False, ("the 95% profile-likelihood interval of the ceiling is unbounded above: "
                           "the limit K -> infinity (the nested exponential) fits within the "
                           "cut-off")
        f, _ = self.ceiling_profile(IDENTIFIED_RATIO * cap)
        if (f - self.rss) / s2 <= c * c:
            return False, (f"the ceiling's 95% profile upper limit is more than "
                           f"{IDENTIFIED_RATIO:g} times the estimate {cap:.4g} (a ceiling "
                           f"{IDENTIFIED_RATIO:g} times larger fits within the cut-off)")
        if top < 0.5 * cap:
            return False, (f"the data reach {top:.4g}, less than half the fitted ceiling "
                           f"{cap:.4g}: the inflection is not observed")
        return True, (f"95% profile interval of the ceiling bounded above, below "
                      f"{IDENTIFIED_RATIO:g} x the estimate, and data reach {top / cap:.0%} of it")

    def _header_lines(self):
        head = (f"Growth model: {self.model} ({self.formula}); form={self.form}; "
                f"errors={self.errors}")
        span = (f"years {self.years[0]:g}-{self.years[-1]:g}, t_ref={self.t_ref:g}; "
                f"identified: {self.identified} ({self.identified_reason})")
        return [head, span]

