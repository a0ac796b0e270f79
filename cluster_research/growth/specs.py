"""Growth model specifications: one :class:`ModelSpec` per model.

A spec carries everything that is specific to a model: the level curve ``f(x, theta)``, its
analytic Jacobian ``jac(x, theta)``, the rate ``dL/dt``, the default bounds, the self-starting
candidates, the inflection and the analytic boundaries (knees and inflection) used by
:mod:`cluster_research.lifecycle`.  Adding a model means adding one spec to :data:`SPECS`.

Interface (used by :func:`cluster_research.growth.fit`, the lifecycle bootstrap, and meant for
mixed-effects or panel models plugged on later): ``spec.f(x, theta)`` and ``spec.jac(x, theta)``
take the *internal* parameters, whose time parameters (``t0``, ``ti``, ``tau``) share the origin
of ``x``; :func:`~cluster_research.growth.fit` passes ``x = t - t_ref`` and converts with
``spec.to_rep(theta, t_ref)`` / ``spec.to_int(params, t_ref)`` (the identity up to the shift,
except Richards, fitted with its inflection time ``ti = t0 - ln(nu)/k``).

The functions are evaluated in numerically exact forms across their range: the logistic
function is ``scipy.special.expit`` (never ``0.5 (1 + tanh(z/2))``, which loses all digits for
``z < -25``), ``s (1 - s)`` is ``expit(z) expit(-z)``, Richards uses ``logaddexp``, Bass uses
``expm1``.

References
----------
Richards, F. J. (1959). A flexible growth function for empirical use. *J. Exp. Bot.* 10,
290-300.  Bass, F. M. (1969). A new product growth for model consumer durables. *Management
Science* 15(5), 215-227.  Seber, G. A. F. and Wild, C. J. (1989). *Nonlinear Regression*,
Wiley, ch. 7.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from ..errors import ParameterError

__all__ = [
    "CEILING_FACTOR", "GOMPERTZ_KNEE", "LOGISTIC_KNEE", "MODELS", "RUNAWAY", "SPECS", "ModelSpec",
    "data_mean", "get_spec", "log_sigmoid"]

#: Knee offset of the logistic in units of 1/k (roots of y''': t0 +/- ln(2 + sqrt 3)/k).
LOGISTIC_KNEE = math.log(2.0 + math.sqrt(3.0))
#: Knee offset of the Gompertz curve in units of 1/b.
GOMPERTZ_KNEE = math.log((3.0 + math.sqrt(5.0)) / 2.0)
LOGISTIC_SHARES = (1.0 / (1.0 + (2.0 + math.sqrt(3.0))), 0.5, 1.0 / (1.0 + (2.0 - math.sqrt(3.0))))
GOMPERTZ_SHARES = (math.exp(-(3.0 + math.sqrt(5.0)) / 2.0), math.exp(-1.0),
                   math.exp(-(3.0 - math.sqrt(5.0)) / 2.0))
#: Default upper bound of a ceiling (K, M): this multiple of the largest observed level.  A fit
#: that ends there has no identified ceiling and reports ``converged=False``.
CEILING_FACTOR = 1e8
#: A ceiling above this fraction of its default cap (i.e. > 10^6 x the largest level) has run
#: off: the fit reports ``converged=False``.
RUNAWAY = 1e-2


# -- exponential ----------------------------------------------------------------------------
def exponential(t, th):
    """Return ``exp(a + r t)``."""
    return np.exp(np.minimum(th[0] + th[1] * t, 700.0))


def exponential_jac(t, th):
    """Return the Jacobian of :func:`exponential`."""
    f = exponential(t, th)
    return np.column_stack((f, f * t))


# -- logistic -------------------------------------------------------------------------------
def logistic(t, th):
    """Return ``K expit(k (t - t0))``."""
    return th[0] * expit(th[1] * (t - th[2]))


def logistic_jac(t, th):
    """Return the Jacobian of :func:`logistic` (``ds = expit(z) expit(-z)``, exact)."""
    K, k, t0 = th[0], th[1], th[2]
    z = k * (t - t0)
    s = expit(z)
    ds = s * expit(-z)
    return np.column_stack((s, K * ds * (t - t0), -K * ds * k))


def logistic_rate(t, th):
    """Return ``dL/dt = K k expit(z) expit(-z)``."""
    z = th[1] * (t - th[2])
    return th[0] * th[1] * expit(z) * expit(-z)


# -- gompertz -------------------------------------------------------------------------------
def log_sigmoid(model, u):
    """Return ``log g(u)`` and ``d log g / du`` of the unit logistic or Gompertz curve.

    ``g = expit(u)`` (logistic) or ``exp(-exp(-u))`` (Gompertz), so that the level curve is
    ``K g(k (t - t0))``; the one definition of the log forms used by the panel stage models
    (:mod:`cluster_research.lifecycle`).  Vectorised over ``u``.

    Examples
    --------
    >>> [round(float(v), 6) for v in log_sigmoid("logistic", 0.0)]
    [-0.693147, 0.5]
    """
    if model == "logistic":
        return -np.logaddexp(0.0, -u), expit(-u)
    e = np.exp(np.minimum(-u, 700.0))
    return -e, e


def gompertz(t, th):
    """Return ``K exp(-exp(-b (t - t0)))``."""
    return th[0] * np.exp(log_sigmoid("gompertz", th[1] * (t - th[2]))[0])


def gompertz_jac(t, th):
    """Return the Jacobian of :func:`gompertz`."""
    K, b, t0 = th[0], th[1], th[2]
    lg, u = log_sigmoid("gompertz", b * (t - t0))
    g = np.exp(lg)
    f = K * g
    return np.column_stack((g, f * u * (t - t0), -f * u * b))


def gompertz_rate(t, th):
    """Return ``dL/dt = K b u exp(-u)``, ``u = exp(-b (t - t0))``."""
    lg, u = log_sigmoid("gompertz", th[1] * (t - th[2]))
    return th[0] * th[1] * u * np.exp(lg)


# -- richards (internal: inflection time ti) ------------------------------------------------
def richards(t, th):
    """Return ``K (1 + nu exp(-k (t - ti)))^(-1/nu)`` in log space."""
    K, k, ti, nu = th[0], th[1], th[2], th[3]
    L = np.logaddexp(0.0, np.log(nu) - k * (t - ti))
    return K * np.exp(-L / nu)


def richards_jac(t, th):
    """Return the Jacobian of :func:`richards`."""
    K, k, ti, nu = th[0], th[1], th[2], th[3]
    z = np.log(nu) - k * (t - ti)
    L = np.logaddexp(0.0, z)
    g = np.exp(-L / nu)
    f = K * g
    q = expit(z) / nu
    return np.column_stack((g, f * (t - ti) * q, -f * k * q, f * (L / nu**2 - q / nu)))


def _ti(th):
    """Return Richards parameters with ``t0`` replaced by the inflection ``t0 - ln(nu)/k``."""
    return [th[0], th[1], th[2] - np.log(th[3]) / th[1], th[3]]


def richards_t0(t, th):
    """Return :func:`richards` at the reporting parameters ``(K, k, t0, nu)`` of ``fit``."""
    return richards(t, _ti(th))


def richards_t0_jac(t, th):
    """Return the Jacobian of :func:`richards_t0` (chain rule through the inflection)."""
    J = richards_jac(t, _ti(th))
    J[:, 1] += J[:, 2] * np.log(th[3]) / th[1] ** 2
    J[:, 3] -= J[:, 2] / (th[3] * th[1])
    return J


def richards_rate(t, th):
    """Return ``dL/dt = L k expit(z) / nu``, ``z = ln nu - k (t - ti)``."""
    k, ti, nu = th[1], th[2], th[3]
    z = np.log(nu) - k * (t - ti)
    return richards(t, th) * k * expit(z) / nu


# -- bass -----------------------------------------------------------------------------------
def bass(t, th):
    """Return ``M (1 - e) / (1 + (q/p) e)``, ``e = exp(-(p+q)(t - tau))``, 0 before ``tau``."""
    M, p, q, tau = th[0], th[1], th[2], th[3]
    d = np.maximum(t - tau, 0.0)
    x = -(p + q) * d
    return M * (-np.expm1(x)) / (1.0 + (q / p) * np.exp(x))


def bass_jac(t, th):
    """Return the Jacobian of :func:`bass`."""
    M, p, q, tau = th[0], th[1], th[2], th[3]
    d = t - tau
    pos = d > 0
    dd = np.maximum(d, 0.0)
    sm = p + q
    a = q / p
    e = np.exp(-sm * dd)
    den = 1.0 + a * e
    den2 = den**2
    ome = -np.expm1(-sm * dd)
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


def bass_rate(t, th):
    """Return ``dL/dt = M (p+q)^2/p e / (1 + (q/p) e)^2``."""
    M, p, q, tau = th[0], th[1], th[2], th[3]
    d = t - tau
    e = np.exp(-(p + q) * np.maximum(d, 0.0))
    f = (p + q) ** 2 / p * e / (1.0 + (q / p) * e) ** 2
    return np.where(d > 0, M * f, 0.0)


# -- bounds ---------------------------------------------------------------------------------
def _ceiling_cap(top):
    return CEILING_FACTOR * max(abs(float(top)), 1e-300)


def free_bounds(tc, top, p):
    """Return unbounded limits."""
    return np.full(p, -np.inf), np.full(p, np.inf)


def s_curve_bounds(tc, top, p):
    """Return default bounds: ceiling in [0, CEILING_FACTOR * top], rate >= 0."""
    lb, ub = free_bounds(tc, top, p)
    lb[0], ub[0], lb[1] = 0.0, _ceiling_cap(top), 0.0
    return lb, ub


def richards_bounds(tc, top, p):
    """Return the S-curve bounds plus ``1e-3 <= nu <= 1e3``."""
    lb, ub = s_curve_bounds(tc, top, p)
    lb[3], ub[3] = 1e-3, 1e3
    return lb, ub


def bass_bounds(tc, top, p):
    """Return Bass bounds; ``tau`` in [first - 2 span - 1, first] (the ridge bound)."""
    lb, ub = free_bounds(tc, top, p)
    lb[0], ub[0] = 0.0, _ceiling_cap(top)
    lb[1], ub[1], lb[2], ub[2] = 1e-6, 1.0, 0.0, 10.0
    ub[3] = tc[0]
    lb[3] = tc[0] - 2.0 * max(float(tc[-1] - tc[0]), 1.0) - 1.0
    return lb, ub


# -- self-starts ----------------------------------------------------------------------------
def wls_line(x, z, w):
    """Return slope and intercept of the weighted least-squares line ``z ~ x``."""
    W = np.sum(w)
    xm = np.sum(w * x) / W
    zm = np.sum(w * z) / W
    sxx = np.sum(w * (x - xm) ** 2)
    if sxx <= 0:
        return np.nan, np.nan
    b = np.sum(w * (x - xm) * (z - zm)) / sxx
    return b, zm - b * xm


FACTORS = (1.02, 1.1, 1.3, 1.7, 2.5, 4.0, 8.0)


def _sigmoid_starts(tc, level, w, linearise, nus=(None,)):
    top = float(np.max(level))
    pos = level > 0
    cands = []
    for nu in nus:
        for fac in FACTORS:
            K0 = fac * top
            u = level[pos] / K0
            z = linearise(u, nu)
            k, c0 = wls_line(tc[pos], z, w[pos])
            if not np.isfinite(k) or k <= 0:
                k = 1.0 / max(np.ptp(tc), 1.0)
                c0 = -k * np.mean(tc)
            t0 = -c0 / k
            th = [K0, k, t0] if nu is None else [K0, k, t0 - np.log(nu) / k, nu]
            cands.append(np.array(th, float))
    return cands


def _exponential_limit_start(tc, level, w, nu=None, K0=None):
    """Start near the exponential limit (K = K0, k = r, K e^{k(t - t0)} = e^{a + r t})."""
    pos = level > 0
    if pos.sum() < 2:
        return []
    r, a = wls_line(tc[pos], np.log(level[pos]), w[pos])
    if not (np.isfinite(r) and r > 0):
        return []
    K0 = 1e3 * float(np.max(level)) if K0 is None else float(K0)
    t0 = (math.log(K0) - a) / r
    return [np.array([K0, r, t0] if nu is None else [K0, r, t0, nu], float)]


def logistic_starts(tc, level, w, fixed):
    """Return starts from ``logit(y/K)`` lines over trial ceilings (as R ``SSlogis``), plus one
    near the exponential limit (``K -> inf``)."""
    return (_sigmoid_starts(tc, level, w, lambda u, nu: np.log(u / (1 - u)))
            + _exponential_limit_start(tc, level, w))


def gompertz_starts(tc, level, w, fixed):
    """Return starts from ``-log(-log(y/K))`` lines over trial ceilings (R ``SSgompertz``)."""
    return _sigmoid_starts(tc, level, w, lambda u, nu: -np.log(-np.log(u)))


def richards_starts(tc, level, w, fixed):
    """Return starts from ``-log((y/K)^(-nu) - 1)`` lines, nu in (0.3, 1, 3, 10, 30), plus the
    exponential limit (nu = 1).  With ``k`` fixed, also the capped exponentials that follow the
    log-linear trend ``a + r t`` up to ``K`` over the trial ceilings: ``nu = k / r``, ``t0 =
    (log K - a) / r`` (the data set the early rate ``k / nu``; a start far from it is a step
    curve on which ``nu`` has no gradient)."""
    cands = (_sigmoid_starts(tc, level, w, lambda u, nu: -np.log(u ** (-nu) - 1),
                             nus=(0.3, 1.0, 3.0, 10.0, 30.0))
             + _exponential_limit_start(tc, level, w, nu=1.0))
    pos = level > 0
    if "k" in fixed and pos.sum() >= 2:
        k = fixed["k"]
        r, a = wls_line(tc[pos], np.log(level[pos]), w[pos])
        if np.isfinite(r) and r > 0 and k > 0:
            nu = float(np.clip(k / r, 1e-3, 1e3))
            cands += [np.array([K0, k, (math.log(K0) - a) / r - math.log(nu) / k, nu])
                      for K0 in np.multiply(FACTORS, float(np.max(level)))]
    return cands


def bass_starts(tc, level, w, fixed):
    """Return a grid of Bass starts (p, q, tau), ceiling 1.5 x the largest level."""
    top = float(np.max(level))
    span = max(np.ptp(tc), 1.0)
    taus = [fixed["tau"]] if "tau" in fixed else \
        [tc[0] - d for d in (0.5, 1.0, 0.25 * span, 0.5 * span, span)]
    return [np.array([top * 1.5, p, q, tau], float) for tau in taus
            for p in (0.002, 0.01, 0.03, 0.08) for q in (0.05, 0.2, 0.4, 0.7, 1.2)]


def linearised_at(spec, tc, level, w, K):
    """Yield the linearisations of a sigmoid at ceiling ``K`` (R ``SSlogis``-style starts).

    ``logit(y/K)`` (logistic), ``-log(-log(y/K))`` (Gompertz) and ``-log((y/K)^-nu - 1)``
    (Richards, ``nu`` in 0.3, 1, 3) are straight lines ``k (t - t0)``; fitted by weighted least
    squares over the points below ``K``.
    """
    if spec.name not in ("logistic", "gompertz", "richards"):
        return
    pos = (level > 0) & (level < K)
    if pos.sum() < 2:
        return
    u = level[pos] / K
    nus = (1.0,) if spec.name != "richards" else (0.3, 1.0, 3.0)
    for nu in nus:
        if spec.name == "gompertz":
            z = -np.log(-np.log(u))
        else:
            z = -np.log(u ** (-nu) - 1.0)
        k, c0 = wls_line(tc[pos], z, w[pos])
        if not (np.isfinite(k) and k > 0):
            continue
        t0 = -c0 / k
        yield np.array([K, k, t0] if spec.name != "richards" else [K, k, t0 - np.log(nu) / k, nu])


# -- analytic boundaries (lower knee, inflection, upper knee) -------------------------------
def _empty(n):
    return (np.full((n, 3), np.nan), np.full((n, 3), np.nan), np.zeros((n, 3), dtype=bool))


def _symmetric(P, rate_name, knee, shares):
    K, k, t0 = P["K"], P[rate_name], P["t0"]
    n = len(K)
    years, sh, passed = _empty(n)
    valid = (K > 0) & (k > 0) & np.isfinite(t0)
    d = knee / np.where(valid, k, np.nan)
    years[:] = np.column_stack([t0 - d, t0, t0 + d])
    sh[:] = shares
    return years, sh, [""] * 3, valid, passed


def logistic_boundaries(P, extra=None):
    """Return logistic knees ``t0 -/+ ln(2 + sqrt 3)/k`` and inflection ``t0`` (vectorised)."""
    return _symmetric(P, "k", LOGISTIC_KNEE, LOGISTIC_SHARES)


def gompertz_boundaries(P, extra=None):
    """Return Gompertz knees ``t0 -/+ ln((3 + sqrt 5)/2)/b`` and inflection ``t0``."""
    return _symmetric(P, "b", GOMPERTZ_KNEE, GOMPERTZ_SHARES)


def richards_shares(nu):
    """Return the level shares ``y/K`` of the Richards knees and inflection (vectorised).

    With ``u = (y/K)^nu`` the Richards curve obeys ``dy/dt = (k/nu) y (1 - u)``; the third
    derivative vanishes where ``(nu + 1)(2 nu + 1) u^2 - (nu + 1)(nu + 2) u + 1 = 0`` (the
    knees) and the second where ``u = 1/(1 + nu)`` (the inflection).  ``nu = 1`` gives the
    logistic shares ``(3 -/+ sqrt 3)/6`` and 1/2.

    Parameters
    ----------
    nu : array-like
        Shape parameter(s), > 0.

    Returns
    -------
    numpy.ndarray
        ``(..., 3)`` values of ``u`` at the lower knee, the inflection and the upper knee.

    Examples
    --------
    >>> np.round(richards_shares(1.0), 6).tolist()
    [0.211325, 0.5, 0.788675]
    """
    nu = np.asarray(nu, float)
    a = (nu + 1.0) * (2.0 * nu + 1.0)
    b = (nu + 1.0) * (nu + 2.0)
    disc = np.sqrt(b * b - 4.0 * a)
    return np.stack([(b - disc) / (2.0 * a), 1.0 / (1.0 + nu), (b + disc) / (2.0 * a)], axis=-1)


def richards_boundaries(P, extra=None):
    """Return Richards knees and inflection in closed form (roots of a quadratic in ``u``).

    A share ``u = (y/K)^nu`` is reached at ``t = ti - ln((1/u - 1)/nu) / k`` with the inflection
    time ``ti = t0 - ln(nu)/k``; see :func:`richards_shares`.
    """
    K, k, t0, nu = P["K"], P["k"], P["t0"], P["nu"]
    n = len(K)
    years, sh, passed = _empty(n)
    valid = (K > 0) & (k > 0) & (nu > 0) & np.isfinite(t0)
    kk = np.where(valid, k, np.nan)
    nn = np.where(valid, nu, np.nan)
    U = richards_shares(nn)
    ti = t0 - np.log(nn) / kk
    years[:] = ti[:, None] - np.log((1.0 / U - 1.0) / nn[:, None]) / kk[:, None]
    sh[:] = U ** (1.0 / nn[:, None])
    return years, sh, [""] * 3, valid, passed


def bass_boundaries(P, extra=None):
    """Return Bass boundaries ``t* -/+ ln(2 + sqrt 3)/(p+q)``, ``t* = tau + ln(q/p)/(p+q)``."""
    extra = extra or {}
    M, p, q = P["M"], P["p"], P["q"]
    n = len(M)
    years, shares, passed = _empty(n)
    notes = [""] * 3
    tau = P["tau"] if "tau" in P else np.full(n, extra.get("tau", np.nan), dtype=float)
    valid = (M > 0) & (p > 0) & (q > 0) & np.isfinite(tau)
    c = np.where(valid, p + q, np.nan)
    a = np.where(valid, q / np.where(p > 0, p, np.nan), np.nan)
    tstar = tau + np.log(a) / c
    d = LOGISTIC_KNEE / c
    years[:] = np.column_stack([tstar - d, tstar, tstar + d])
    L = np.array(LOGISTIC_SHARES)
    shares[:] = ((1.0 + a)[:, None] * L[None, :] - 1.0) / a[:, None]
    before = years < tau[:, None]
    passed = before & valid[:, None]
    years[before] = np.nan
    shares[before] = np.nan
    if n == 1 and valid[0]:
        if before[0, 1]:
            notes[1] = "no inflection: q <= p, so the adoption curve is concave from the start"
        for j in (0, 2):
            if before[0, j]:
                notes[j] = "lies before adoption starts (tau): already passed"
    return years, shares, notes, valid, passed


# -- gradients of the boundary years (delta method) -----------------------------------------
def _grad(years, *cols):
    """Stack per-parameter derivatives ``(n, 3)`` into ``(n, 3, p)``; NaN where no year."""
    G = np.stack(np.broadcast_arrays(*cols), axis=-1)
    return np.where(np.isfinite(years)[..., None], G, np.nan)


def _symmetric_grad(P, rate_name, knee, boundaries):
    k = P[rate_name][:, None]
    years = boundaries(P)[0]
    return _grad(years, 0.0, np.array([knee, 0.0, -knee]) / k**2, 1.0)


def logistic_boundary_grad(P):
    """Return d(year)/d(K, k, t0) of the logistic boundaries, ``(n, 3, 3)``."""
    return _symmetric_grad(P, "k", LOGISTIC_KNEE, logistic_boundaries)


def gompertz_boundary_grad(P):
    """Return d(year)/d(K, b, t0) of the Gompertz boundaries, ``(n, 3, 3)``."""
    return _symmetric_grad(P, "b", GOMPERTZ_KNEE, gompertz_boundaries)


def richards_boundary_grad(P):
    """Return d(year)/d(K, k, t0, nu) of the Richards boundaries, ``(n, 3, 4)``.

    A share ``u`` is reached at ``t0 - ln(1/u - 1)/k``; ``du/dnu`` of a knee follows from the
    quadratic of :func:`richards_shares` by implicit differentiation, of the inflection
    ``u = 1/(1 + nu)`` directly.
    """
    k, nu = P["k"][:, None], P["nu"][:, None]
    with np.errstate(all="ignore"):
        U = richards_shares(nu[:, 0])
        a, b = (nu + 1) * (2 * nu + 1), (nu + 1) * (nu + 2)
        dU = (U * (2 * nu + 3) - U**2 * (4 * nu + 3)) / (2 * a * U - b)
        dU[:, 1] = -1.0 / (1.0 + nu[:, 0]) ** 2
        return _grad(richards_boundaries(P)[0], 0.0, np.log(1.0 / U - 1.0) / k**2, 1.0,
                     dU / (k * U * (1.0 - U)))


def bass_boundary_grad(P, extra=None):
    """Return d(year)/d(M, p, q, tau) of the Bass boundaries, ``(n, 3, 4)``
    (``year = tau + (ln(q/p) + s c_L)/(p+q)``, ``s = -1, 0, 1``)."""
    p, q = P["p"][:, None], P["q"][:, None]
    c = p + q
    with np.errstate(all="ignore"):
        num = np.log(q / p) + np.array([-LOGISTIC_KNEE, 0.0, LOGISTIC_KNEE])
        return _grad(bass_boundaries(P, extra)[0], 0.0, -1.0 / (p * c) - num / c**2,
                     1.0 / (q * c) - num / c**2, 1.0)


# -- inflection of the level curve (reporting parameters) -----------------------------------
def _t0(params):
    return float(params["t0"])


def _richards_inflection(params):
    return float(params["t0"] - np.log(params["nu"]) / params["k"])


def _bass_inflection(params):
    p, q = params["p"], params["q"]
    if q <= p:
        return None
    return float(params["tau"] + np.log(q / p) / (p + q))


@dataclass
class ModelSpec:
    """Describe one growth model (see the module docstring for the interface).

    Attributes
    ----------
    name : str
        Model name.
    param_names : list of str
        Reporting parameter names.
    f, jac, rate : callable
        ``f(x, theta)`` level, ``jac(x, theta)`` its ``(n, p)`` Jacobian, ``rate(x, theta)``
        the derivative ``dL/dt`` (None for the exponential).
    formula : str
        The reporting formula.
    time_idx : list of int
        Indices of time parameters (shifted by ``t_ref``).
    scale_idx : int or None
        Index of the ceiling (eliminated in closed form by variable projection).
    bounds : callable
        ``bounds(tc, top, p) -> (lb, ub)`` internal defaults.
    starts : callable or None
        ``starts(tc, level, w, fixed) -> list of internal start vectors``.
    boundaries : callable or None
        Vectorised analytic boundaries ``boundaries(P, extra) -> (years (n,3), shares (n,3),
        notes, valid (n,), passed (n,3))`` from a dict of reporting-parameter arrays; None:
        the lifecycle module locates them numerically on ``res.curve``.
    inflection : callable or None
        ``inflection(params) -> year or None``.
    boundary_grad : callable or None
        ``boundary_grad(P) -> (n, 3, p)``: derivatives of the boundary years with respect to the
        reporting parameters (closed form, for the delta method).
    unshared : tuple of int
        Reporting parameters that are functions of several internal ones (Richards ``t0``).
    log_solve : tuple of int
        Parameters whose profile solves run in log coordinates, where a ridge to a limit is
        straight: Bass ``p -> 0``, ``tau -> -inf`` (the logistic) and ``M -> inf``, ``p -> 0``
        with ``M p`` fixed; Richards ``nu -> 0`` with ``t0 - ti = ln(nu)/k`` (the Gompertz).
    caps : dict
        Default bounds that are caps of the parameter space, not its limits, ``{index:
        direction}`` (Richards ``nu <= 1e3``; Bass ``p <= 1``, ``q <= 10``, the ``tau`` ridge
        bound): a profile that stays below the cut-off up to one is unbounded that way.
    cap_linked : dict
        ``{j: i}``: a profile end of parameter ``j`` found with parameter ``i`` at its cap moves
        with the cap (Richards ``k = nu r``: on the capped-exponential limit ``k`` and ``nu`` grow
        together with the rate ``r = k/nu`` fixed).
    """

    name: str
    param_names: list
    f: Callable
    jac: Callable
    formula: str
    time_idx: list
    scale_idx: int | None
    bounds: Callable
    rate: Callable | None = None
    starts: Callable | None = None
    boundaries: Callable | None = None
    inflection: Callable | None = None
    boundary_grad: Callable | None = None
    unshared: tuple = field(default=())
    log_solve: tuple = field(default=())
    caps: dict = field(default_factory=dict)
    cap_linked: dict = field(default_factory=dict)

    def shift(self, centre):
        """Return the additive shift from internal to reporting parameters."""
        sh = np.zeros(len(self.param_names))
        sh[self.time_idx] = centre
        return sh

    def to_rep(self, th, centre):
        """Map internal parameters to reporting parameters."""
        th = np.array(th, float)
        p = th + self.shift(centre)
        if self.name == "richards":
            with np.errstate(all="ignore"):
                p[2] = th[2] + np.log(th[3]) / th[1] + centre
        return p

    def to_int(self, p, centre):
        """Map reporting parameters to internal parameters."""
        p = np.array(p, float)
        th = p - self.shift(centre)
        if self.name == "richards":
            with np.errstate(all="ignore"):
                th[2] = p[2] - centre - np.log(p[3]) / p[1]
        return th

    def d_rep(self, th):
        """Return d(report)/d(internal) (None where it is the identity)."""
        if self.name != "richards":
            return None
        k, nu = th[1], th[3]
        D = np.eye(4)
        D[2, 1] = -np.log(nu) / k**2
        D[2, 3] = 1.0 / (nu * k)
        return D


SPECS = {
    "exponential": ModelSpec("exponential", ["a", "r"], exponential, exponential_jac,
                             "y = exp(a + r (t - t_ref))", [], None, free_bounds),
    "logistic": ModelSpec("logistic", ["K", "k", "t0"], logistic, logistic_jac,
                          "y = K / (1 + exp(-k (t - t0)))", [2], 0, s_curve_bounds,
                          logistic_rate, logistic_starts, logistic_boundaries, _t0,
                          logistic_boundary_grad),
    "gompertz": ModelSpec("gompertz", ["K", "b", "t0"], gompertz, gompertz_jac,
                          "y = K exp(-exp(-b (t - t0)))", [2], 0, s_curve_bounds,
                          gompertz_rate, gompertz_starts, gompertz_boundaries, _t0,
                          gompertz_boundary_grad),
    "richards": ModelSpec("richards", ["K", "k", "t0", "nu"], richards, richards_jac,
                          "y = K (1 + exp(-k (t - t0)))^(-1/nu)", [2], 0, richards_bounds,
                          richards_rate, richards_starts, richards_boundaries,
                          _richards_inflection, richards_boundary_grad, unshared=(2,),
                          log_solve=(3,), caps={3: +1}, cap_linked={1: 3}),
    "bass": ModelSpec("bass", ["M", "p", "q", "tau"], bass, bass_jac,
                      "y = M F(t), F = (1 - exp(-(p+q)(t-tau))) / (1 + (q/p) exp(-(p+q)(t-tau)))",
                      [3], 0, bass_bounds, bass_rate, bass_starts, bass_boundaries,
                      _bass_inflection, bass_boundary_grad, log_solve=(0, 1),
                      caps={1: +1, 2: +1, 3: -1})}

#: Names of the growth models, in display order.
MODELS = tuple(SPECS)


def get_spec(name):
    """Return the :class:`ModelSpec` of a growth model.

    Parameters
    ----------
    name : str
        One of :data:`MODELS`.

    Returns
    -------
    ModelSpec

    Raises
    ------
    ParameterError
        For an unknown model.

    Examples
    --------
    >>> get_spec("logistic").param_names
    ['K', 'k', 't0']
    """
    try:
        return SPECS[name]
    except (KeyError, TypeError):
        raise ParameterError(f"model must be one of {MODELS}, got {name!r}") from None


def data_mean(spec, form):
    """Return ``(mean, jac)`` in the data's form: level, per-period difference or rate.

    Parameters
    ----------
    spec : ModelSpec
        The model.
    form : {"cumulative", "interval", "rate"}
        ``L(t)``, ``L(t) - L(t - 1)`` or ``dL/dt``.

    Returns
    -------
    tuple of callable
        ``mean(x, theta)`` and its Jacobian (None: numerical).
    """
    if form == "rate":
        return spec.rate, None
    if form == "interval":
        lev, jl = spec.f, spec.jac

        def mean(t, th):
            return lev(t, th) - lev(t - 1.0, th)

        def jac(t, th):
            return jl(t, th) - jl(t - 1.0, th)

        return mean, jac
    return spec.f, spec.jac
