"""Regions as time-shifted positions on one diffusion curve (the diffusion-lag model).

Griliches (1957) and Comin & Hobijn (2010) describe the spread of a technology across places as
one common adoption curve that each place enters at its own date.  For a scale-free indicator
(e-commerce sales per person, a share of firms) of region ``i`` in year ``t``::

    log y_it = log K + log g(k (t - t0_i)) + e_it,     e_it ~ N(0, s^2)

with ``g(u) = 1 / (1 + exp(-u))`` (logistic) or ``exp(-exp(-u))`` (Gompertz): one ceiling
``K`` and one rate ``k`` for the panel, one date ``t0_i`` (the inflection) per region.  The
panel identifies the curve when its regions sit at different places on it: the leaders show the
slowdown the followers have not reached yet.  Each region's phase in a year is its place on the
common curve (before the lower knee, to the inflection, to the upper knee, after), the knees at
``t0_i -/+ c/k`` (``c = ln(2 + sqrt 3)`` logistic, ``ln((3 + sqrt 5)/2)`` Gompertz).

Estimation: least squares in ``(log K, log k, t0_1..t0_N)``; ``log K`` is eliminated in closed
form (the mean of ``log y - log g``), the rest solved once by ``scipy.optimize.least_squares``
with the analytic Jacobian from the best point of a grid over ``k`` (each region's ``t0_i``
started from its own linearisation).

Identification is decided by structure: the limit ``K -> inf`` is the *common exponential*
``log y_it = a_i + r t`` (regions on parallel trends, no curvature), a closed-form regression
with region intercepts.  The common ceiling is identified only if that limit lies outside the 95 %
profile-likelihood region, ``(RSS_exp - RSS) / s^2 > t^2_{df, 0.975}``, and a ceiling ten times
the estimate does too.  Otherwise no region-year gets a stage from this model.

References
----------
Griliches, Z. (1957). Hybrid corn: an exploration in the economics of technological change.
*Econometrica* 25(4), 501-522.  Comin, D. and Hobijn, B. (2010). An exploration of technology
diffusion. *American Economic Review* 100(5), 2031-2059.  Golub, G. and Pereyra, V. (2003),
*Inverse Problems* 19, R1-R26 (variable projection).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import least_squares

from .. import data
from ..errors import ParameterError
from ..growth.specs import GOMPERTZ_KNEE, LOGISTIC_KNEE, log_sigmoid

__all__ = ["KNEES", "LagFit", "common_curve_test", "divide_by_scale", "fit_lag",
           "per_person_scale"]

#: Knee offsets of the common curve in units of 1/k.
KNEES = {"logistic": LOGISTIC_KNEE, "gompertz": GOMPERTZ_KNEE}
#: A ceiling this many times the estimate must also lie outside the 95 % profile region.
IDENTIFIED_RATIO = 10.0


@dataclass
class LagFit:
    """A fitted diffusion-lag model (see the module docstring).

    Attributes
    ----------
    model : str
        ``"logistic"`` or ``"gompertz"``.
    regions : list of str
        Regions in the order of ``t0``.
    K, k : float
        Common ceiling and rate.
    t0 : numpy.ndarray
        Inflection year of every region.
    rss, rss_exp, scale : float
        RSS of the fit, of the common exponential (``K -> inf``), and ``s^2 = RSS / df``.
    df_resid : int
        Observations less ``N + 2`` parameters.
    cov : numpy.ndarray
        Covariance of ``(log K, log k, t0_1..t0_N)``, ``s^2 (J'J)^{-1}`` (NaN if singular).
    identified : bool
        The common ceiling is identified (module docstring); ``reason`` says why or why not.
    converged : bool
        ``least_squares`` met its tolerance.
    nfev : int
        Residual evaluations.
    """

    model: str
    regions: list
    K: float
    k: float
    t0: np.ndarray
    rss: float
    rss_exp: float
    scale: float
    df_resid: int
    cov: np.ndarray
    identified: bool
    reason: str
    converged: bool
    nfev: int
    z: np.ndarray = field(repr=False, default=None)
    siblings: dict = field(repr=False, default=None)
    #: The common exponential ``a_i + r (t - t_ref)`` as ``(a_1..a_N, r, t_ref)`` when the best
    #: fit is that limit (``K = inf``), else None.
    limit: np.ndarray = field(repr=False, default=None)

    def aic(self, nobs):
        """Return the Gaussian AIC of the fit on the log scale."""
        return nobs * math.log(self.rss / nobs) + 2 * (len(self.regions) + 3)

    def phases(self, region_index, years, theta=None):
        """Return the phase 1-4 of ``years`` for rows of ``(log K, log k, t0...)`` draws."""
        th = np.atleast_2d(self.z if theta is None else theta)
        k = np.exp(th[:, 1:2])
        t0 = th[:, 2 + region_index][:, None]
        d = KNEES[self.model] / k
        t = np.asarray(years, float)[None, :]
        return 1 + (t >= t0 - d).astype(int) + (t >= t0).astype(int) + (t >= t0 + d).astype(int)


def _exp_rss(ly, t, ri, n_regions):
    """RSS of the common exponential ``a_i + r t`` (region intercepts, one slope)."""
    X = np.column_stack([np.eye(n_regions)[ri], t])
    coef = np.linalg.lstsq(X, ly, rcond=None)[0]
    r = ly - X @ coef
    return float(r @ r), coef


def fit_lag(regions, years, values, model="logistic", warm=None, identify=True):
    """Fit the diffusion-lag model to a long panel.

    Parameters
    ----------
    regions, years, values : array-like
        One entry per observation; ``values`` positive and scale-free (per person, a share).
    model : {"logistic", "gompertz"}
        The common curve.
    warm : LagFit, optional
        A previous fit (e.g. the real-time fit of the year before) to start from.
    identify : bool, default True
        Decide identification (below); False skips it (``identified=False``), e.g. for a
        candidate curve that is compared by RSS first.

    Returns
    -------
    LagFit

    Examples
    --------
    >>> import numpy as np
    >>> t = np.tile(np.arange(2000, 2016), 4)
    >>> reg = np.repeat(list("abcd"), 16)
    >>> t0 = np.repeat([2002.0, 2006, 2010, 2014], 16)
    >>> y = 50 / (1 + np.exp(-0.7 * (t - t0)))
    >>> f = fit_lag(reg, t, y)
    >>> round(f.K, 3), round(f.k, 3), f.identified
    (50.0, 0.7, True)
    """
    with np.errstate(all="ignore"):
        return _fit_lag(regions, years, values, model, warm, identify)


def _fit_lag(regions, years, values, model, warm, identify):
    regions = np.asarray(regions).astype(str)
    names = list(dict.fromkeys(regions))
    ri = np.array([names.index(r) for r in regions])
    N = len(names)
    t_ref = float(np.mean(years))
    t = np.asarray(years, float) - t_ref
    ly = np.log(np.asarray(values, float))
    n = ly.size
    rss_exp, coef_exp = _exp_rss(ly, t, ri, N)
    r_exp = float(coef_exp[-1])

    def parts(z):
        k = math.exp(min(z[0], 50.0))
        u = k * (t - z[1:][ri])
        lg, dlg = log_sigmoid(model, u)
        logK = float(np.mean(ly - lg))
        return k, u, lg, dlg, logK

    def resid(z):
        _, _, lg, _, logK = parts(z)
        return ly - logK - lg

    def dlog_g(z):
        k, u, _, dlg, _ = parts(z)
        D = np.zeros((n, N + 1))
        D[:, 0] = dlg * u                       # d log g / d log k = u g'/g
        D[np.arange(n), 1 + ri] = -dlg * k      # d log g / d t0_i
        return D

    def jac(z):
        D = dlog_g(z)
        return -(D - D.mean(axis=0))            # projected: log K eliminated (exact)

    starts = []
    if (warm is not None and warm.model == model and list(warm.regions) == names
            and warm.k > 0 and np.all(np.isfinite(warm.t0))):
        starts.append(np.r_[math.log(warm.k), warm.t0 - t_ref])
    top = ly.max()
    for kf in (0.5, 1.0, 2.0, 4.0):
        k = max(r_exp, 0.02) * kf * 2.0
        for lk in (top + 0.2, top + 1.0, top + 2.5):
            # each region's own linearisation of g at ceiling exp(lk): u = g^{-1}(y / K)
            v = np.minimum(ly - lk, -1e-6)
            uinv = (-np.log(np.expm1(-v)) if model == "logistic" else -np.log(-v))
            t0 = np.array([np.mean(t[ri == i] - uinv[ri == i] / k) for i in range(N)])
            starts.append(np.r_[math.log(k), t0])
    z0 = min(starts, key=lambda z: float(np.sum(resid(z) ** 2)))
    if model == "gompertz":
        face = _gompertz_face_solve(ly, t, ri, N, z0)
        if face.x is None:          # the best fit is the common exponential itself
            df = n - (N + 2)
            return LagFit(model, names, np.inf, 0.0, np.full(N, np.nan), 2.0 * face.cost,
                          rss_exp, 2.0 * face.cost / df if df > 0 else np.nan, df,
                          np.full((N + 2, N + 2), np.nan), False,
                          "the common ceiling is not identified: the best Gompertz curve is the "
                          "limit K -> inf (regions on parallel exponential trends)",
                          bool(face.status > 0), int(face.nfev), limit=np.r_[coef_exp, t_ref])
        z0 = face.x                 # then polished in the usual coordinates
    # a region at a flat end of the curve (every year after the upper knee, or before the lower
    # one) sends its t0 off towards -inf or +inf: the step test, relative to |z|, would then
    # stop the solve early, so convergence is judged on the cost and the gradient only
    sol = least_squares(resid, z0, jac=jac, method="trf", x_scale="jac", ftol=1e-10,
                        xtol=None, gtol=1e-10, max_nfev=200 * (N + 1))
    zr = sol.x
    _, _, _, _, logK = parts(zr)
    rss = float(2.0 * sol.cost)
    df = n - (N + 2)
    s2 = rss / df if df > 0 else np.nan
    z = np.r_[logK, zr[0], zr[1:] + t_ref]
    # covariance of the full parameter vector from the full Jacobian at the solution; a region
    # at a flat end of the curve (as above) has a zero column, and the pseudo-inverse gives it
    # no variance instead of making every region's covariance singular
    Jfull = np.column_stack([np.ones(n), dlog_g(zr)])
    cov = s2 * np.linalg.pinv(Jfull.T @ Jfull, hermitian=True)
    c2 = float(stats.t.ppf(0.975, df)) ** 2 if df > 0 else np.nan
    K = math.exp(min(logK, 700.0))
    if not sol.status > 0:
        ident, why = False, f"the fit did not converge ({sol.message})"
    elif not (df > 0 and s2 > 0):
        ident, why = False, "no residual degrees of freedom"
    elif not identify:
        ident, why = False, "identification not checked (identify=False)"
    elif (rss_exp - rss) / s2 <= c2:
        ident, why = False, (f"the common ceiling is not identified: the limit K -> inf (regions "
                             f"on parallel exponential trends) fits within the 95% profile "
                             f"region ((RSS_exp - RSS)/s^2 = {(rss_exp - rss) / s2:.2f} <= "
                             f"t^2 = {c2:.2f})")
    else:
        held = logK + math.log(IDENTIFIED_RATIO)    # the ceiling held at 10 K: one solve
        sol10 = least_squares(lambda z: ly - held - parts(z)[2], zr, jac=lambda z: -dlog_g(z),
                              method="trf", x_scale="jac", ftol=1e-10, xtol=None,
                              gtol=1e-10, max_nfev=100 * (N + 1))
        rss10 = float(2.0 * sol10.cost)
        if (rss10 - rss) / s2 <= c2:
            ident, why = False, (f"the common ceiling's 95% profile upper limit is above "
                                 f"{IDENTIFIED_RATIO:g} x the estimate K = {K:.4g}")
        else:
            ident, why = True, (f"common ceiling identified: (RSS_exp - RSS)/s^2 = "
                                f"{(rss_exp - rss) / s2:.1f} > t^2 = {c2:.2f}, and a ceiling "
                                f"{IDENTIFIED_RATIO:g} x larger is excluded")
    return LagFit(model, names, K, math.exp(zr[0]), zr[1:] + t_ref, rss, rss_exp, s2, df, cov,
                  ident, why, bool(sol.status > 0), int(sol.nfev), z=z)


def _gompertz_face_solve(ly, t, ri, N, z0):
    """Solve the Gompertz lag model in a chart where the common exponential is a finite face.

    With ``A_i = exp(b t0_i)`` the model is ``log y = L - A_i exp(-b t)``; writing
    ``A_i = r / b + d_i`` (``d_1 = 0``) and absorbing ``r / b`` into ``L``::

        log y_it = L' - r (exp(-b t) - 1) / b - d_i exp(-b t),    b >= 0,

    so ``b = 0`` is the common exponential ``L' - d_i + r t`` (region intercepts, one slope).
    In the usual coordinates ``(log b, t0_i)`` that limit lies at infinity and the solver
    creeps along the ridge (5,928 evaluations on the NBS panel); here it is a bound.  ``L'`` is
    eliminated in closed form (the mean).  Returns a ``least_squares`` result whose ``x`` is
    mapped back to ``(log b, t0_i)`` as a start for the usual coordinates (a region with
    ``A_i <= 0``, at or above the ceiling, gets the date 60 / b before the data), or None when
    the solution is the face itself (``b`` at its bound 0, to the solver's tolerance:
    ``b * max|t| < 1e-8``).
    """
    b0 = math.exp(z0[0])
    A = np.exp(np.minimum(b0 * z0[1:], 700.0))
    w0 = np.r_[b0, b0 * A[0], A[1:] - A[0]]

    def hs(b):
        x = b * t
        small = np.abs(x) < 1e-5
        bb = np.where(small, 1.0, b)
        h = np.where(small, -t + b * t**2 / 2, np.expm1(-x) / bb)                # (e^-bt - 1)/b
        dh = np.where(small, t**2 / 2 - b * t**3 / 3,
                      (1.0 - np.exp(-x) * (1.0 + x)) / bb**2)                       # d h / d b
        return h, dh

    def g(w):
        d = np.r_[0.0, w[2:]][ri]
        return -w[1] * hs(w[0])[0] - d * np.exp(-w[0] * t)

    def resid(w):
        r = ly - g(w)
        return r - r.mean()

    def jac(w):
        h, dh = hs(w[0])
        e = np.exp(-w[0] * t)
        d = np.r_[0.0, w[2:]][ri]
        D = np.zeros((t.size, N + 1))
        D[:, 0] = -w[1] * dh + d * t * e
        D[:, 1] = -h
        rows = ri > 0
        D[np.flatnonzero(rows), 1 + ri[rows]] = -e[rows]
        return -(D - D.mean(axis=0))

    lo = np.r_[0.0, np.full(N, -np.inf)]
    sol = least_squares(resid, np.clip(w0, lo, np.inf), jac=jac, bounds=(lo, np.inf),
                        method="trf", x_scale="jac", ftol=1e-10, xtol=None, gtol=1e-10,
                        max_nfev=200 * (N + 1))
    b, r = sol.x[0], sol.x[1]
    if b * np.abs(t).max() < 1e-8:
        sol.x = None
        return sol
    A = r / b + np.r_[0.0, sol.x[2:]]
    t0 = np.where(A > 0, np.log(np.maximum(A, 1e-300)) / b, t.min() - 60.0 / b)
    sol.x = np.r_[math.log(b), t0]
    return sol


#: The common curve is rejected when the F test against separate curves has p below this.
COMMON_CURVE_LEVEL = 0.01


def common_curve_test(fit, regions, years, values, fits):
    """Test the diffusion-lag model against a separate curve for every region.

    The lag model (one ceiling ``K`` and rate ``k``, a date ``t0_i`` per region) is nested
    in separate curves ``(K_i, k_i, t0_i)`` of the same form (:func:`cluster_research.growth.fit`,
    multiplicative errors), fitted to every region with at least 4 observations; the
    restriction is tested by the F statistic of nested least squares (Bates & Watts 1988,
    sec. 3.5; exact for linear models, approximate here)::

        F = ((RSS_lag - RSS_sep) / q) / (RSS_sep / df_sep),
        q = 2 (N - 1),  df_sep = n - 3 N

    over the ``N`` regions that have a separate fit (the lag RSS restricted to them).

    Parameters
    ----------
    fit : LagFit
    regions, years, values : array-like
        The data ``fit`` was fitted to.
    fits : dict
        Region -> its own :func:`cluster_research.growth.fit` of the same model
        (multiplicative errors), or None.

    Returns
    -------
    dict
        ``F``, ``p``, ``q``, ``df_sep``, ``rss_sep``, ``rss_lag``, ``n_regions``; ``p`` is NaN
        (not testable) with fewer than 2 regions of 4 observations or no residual degrees of
        freedom.

    References
    ----------
    Bates, D. M., Watts, D. G. (1988). *Nonlinear Regression Analysis and Its Applications*.
    Wiley (extra-sum-of-squares F test for nested nonlinear models).
    """
    regions = np.asarray(regions).astype(str)
    years = np.asarray(years, float)
    ly = np.log(np.asarray(values, float))
    resid_lag = ly - _log_mean(fit, regions, years)
    rss_sep = rss_lag = 0.0
    n = N = 0
    for r in fit.regions:
        sel = regions == r
        res = fits.get(r)
        if res is None or sel.sum() < 4:
            continue
        rss_sep += min(float(np.sum(np.asarray(res.resid, float) ** 2)),
                       float(np.sum(resid_lag[sel] ** 2)))
        rss_lag += float(np.sum(resid_lag[sel] ** 2))
        n += int(sel.sum())
        N += 1
    q, df_sep = 2 * (N - 1), n - 3 * N
    out = {"F": float("nan"), "p": float("nan"), "q": q, "df_sep": df_sep, "rss_sep": rss_sep,
           "rss_lag": rss_lag, "n_regions": N}
    if N >= 2 and df_sep > 0 and rss_sep > 0:
        F = max(rss_lag - rss_sep, 0.0) / q / (rss_sep / df_sep)
        out.update(F=float(F), p=float(stats.f.sf(F, q, df_sep)))
    return out


def _log_mean(fit, regions, years):
    """``log K + log g(k (t - t0_i))`` of a lag fit at the given region-years."""
    idx = np.array([fit.regions.index(r) for r in regions])
    return fit.z[0] + log_sigmoid(fit.model, fit.k * (years - fit.t0[idx]))[0]


#: NBS panel indicators that are already ratios (per 100 people or firms, a share): no scale.
RATIO_INDICATORS = ("computers_per_100_people", "ecommerce_firms_share", "websites_per_100_firms")


def divide_by_scale(df, scale):
    """Return the long panel ``df`` (region, value, ...) with every value divided by its
    region's ``scale`` (a mapping region -> divisor, e.g. :func:`per_person_scale`).

    Raises
    ------
    ParameterError
        Naming a region of ``df`` that ``scale`` lacks or gives a divisor that is not > 0.
    """
    div = df["region"].map(pd.Series(scale, dtype=float))
    bad = df.loc[~(div > 0), "region"].unique()
    if len(bad):
        raise ParameterError(f"scale has no positive value for region(s) {list(bad[:5])}")
    return df.assign(value=df["value"] / div.to_numpy(float))


def per_person_scale(indicator):
    """Return the divisor that makes an NBS panel indicator scale-free, and its description.

    Levels (sales, purchases, firms, users, traffic) are divided by the region's resident
    population of 2024 (NBS 分省年度数据, the only population year the package ships, so the
    same divisor for every year: a pure change of scale per region, not a per-capita series);
    indicators that are already ratios are used as they are.

    Parameters
    ----------
    indicator : str
        An indicator of ``provincial_panel``.

    Returns
    -------
    scale : pandas.Series or None
        Region -> population (万人), or None.
    description : str

    Examples
    --------
    >>> s, d = per_person_scale("ecommerce_sales")
    >>> len(s), d[:20]
    (31, 'per resident of 2024')
    >>> per_person_scale("ecommerce_firms_share")[0] is None
    True
    """
    if indicator in RATIO_INDICATORS:
        return None, "already a ratio: used as it is"
    econ = data.load("provincial_economy")
    pop = econ[econ["indicator"] == "population"].set_index("region")["value"]
    return pop, ("per resident of 2024 (NBS 分省年度数据 population, 万人; one divisor per "
                 "region for every year)")
