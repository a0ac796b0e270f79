"""Boundaries (lower knee, inflection, upper knee) of fitted S-curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import norm

from ..growth import get_spec
from ..growth.specs import GOMPERTZ_KNEE, LOGISTIC_KNEE  # noqa: F401  (re-exported)
from .stage import BOUNDARY_ROWS


def _fd3(f, t, h):
    return (f(t + 2 * h) - 2 * f(t + h) + 2 * f(t - h) - f(t - 2 * h)) / (2 * h**3)


def _fd2(f, t, h):
    return (f(t + h) - 2 * f(t) + f(t - h)) / h**2


def numeric_boundaries(curve, lo: float, hi: float, n_grid: int = 4001):
    """Find lower knee, inflection and upper knee of ``curve(t)`` on [lo, hi] numerically.

    y''' is evaluated by central finite differences (step h = span / 4000) on a
    grid; sign changes + -> - (lower knee) and - -> + (upper knee) of y''' and
    + -> - of y'' (inflection) are refined with Brent's method.
    """
    grid = np.linspace(lo, hi, n_grid)
    h = (hi - lo) / 4000.0
    with np.errstate(all="ignore"):
        d2 = _fd2(curve, grid, h)
        d3 = _fd3(curve, grid, h)
    out = [np.nan, np.nan, np.nan]

    def root(vals, sign_from):
        # a grid point exactly on a root (sign 0, e.g. the inflection of a symmetric curve at
        # a grid year) takes the sign of the next non-zero value, so + 0 - counts as a change
        s = pd.Series(np.sign(vals)).replace(0.0, np.nan).bfill().to_numpy()
        return np.where((s[:-1] == sign_from) & (s[1:] == -sign_from))[0]

    i_inf = root(d2, 1)
    if len(i_inf):
        # take the inflection where y' is largest
        cand = []
        for i in i_inf:
            try:
                cand.append(brentq(lambda t: _fd2(curve, t, h), grid[i], grid[i + 1]))
            except ValueError:
                pass
        if cand:
            d1 = [(curve(c + h) - curve(c - h)) / (2 * h) for c in cand]
            out[1] = cand[int(np.argmax(d1))]
    ref = out[1]
    if np.isfinite(ref):
        up = [i for i in root(d3, 1) if grid[i] <= ref]
        dn = [i for i in root(d3, -1) if grid[i] >= ref]
        if up:
            out[0] = brentq(lambda t: _fd3(curve, t, h), grid[up[-1]], grid[up[-1] + 1])
        if dn:
            out[2] = brentq(lambda t: _fd3(curve, t, h), grid[dn[0]], grid[dn[0] + 1])
    return np.array(out, dtype=float)


def res_params(res) -> pd.Series:
    """Return the fit's parameters as a float Series."""
    return pd.Series(res.params, dtype=float)


def res_cov(res, names) -> np.ndarray:
    """Return the fit's covariance aligned to ``names`` (NaN if unavailable)."""
    try:
        cov = res.cov_params()
    except Exception:  # noqa: BLE001 - reported as missing interval
        return np.full((len(names), len(names)), np.nan)
    if isinstance(cov, pd.DataFrame):
        cov = cov.reindex(index=names, columns=names)
    return np.asarray(cov, dtype=float)


def search_range(res, theta: pd.Series) -> tuple[float, float]:
    """Return the year range searched for numeric boundaries (data span +/- 3 spans)."""
    yrs = np.asarray(getattr(res, "years", []), dtype=float)
    if len(yrs):
        lo, hi = float(yrs.min()), float(yrs.max())
    else:
        lo = hi = float(theta.get("t0", 2000.0))
    span = max(hi - lo, 1.0)
    lo, hi = lo - 3 * span, hi + 3 * span
    if "t0" in theta and "k" in theta and theta["k"] > 0:
        lo = min(lo, theta["t0"] - 25 / theta["k"])
        hi = max(hi, theta["t0"] + 25 / theta["k"])
    return lo, hi


def _numeric_grad(res, theta, names, cov, rng):
    """Return central-difference gradients of the boundary years (curves without a closed
    form), step ``1e-3`` standard errors."""
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    grad = np.full((3, len(names)), np.nan)
    for j, nm in enumerate(names):
        h = 1e-3 * se[j] if se[j] > 0 else 1e-6 * max(abs(theta[nm]), 1.0)
        d = pd.Series(np.eye(len(names))[j] * h, index=names)
        grad[:, j] = (boundary_years_for(res, theta + d, rng)[0]
                      - boundary_years_for(res, theta - d, rng)[0]) / (2 * h)
    return grad


def boundary_years_for(res, theta: pd.Series, rng=None):
    """Return (years(3,), shares(3,), notes, passed(3,)) for one parameter vector."""
    spec = get_spec(res.model)
    if spec.boundaries is not None:
        P = {k: np.array([v]) for k, v in theta.items()}
        yrs, sh, notes, _valid, passed = spec.boundaries(P)
        return yrs[0], sh[0], notes, passed[0]
    # numerical (richards and any other S-curve): roots of the level curve's derivatives
    lo, hi = rng if rng is not None else search_range(res, theta)

    def curve(t):
        arr = np.asarray(res.curve(np.atleast_1d(np.asarray(t, dtype=float)),
                                   params=theta.values), dtype=float)
        return arr if np.ndim(t) else float(arr[0])

    yrs = numeric_boundaries(curve, lo, hi)
    ceiling = theta.get("K", theta.get("M", np.nan))
    with np.errstate(all="ignore"):
        sh = np.array([curve(y) / ceiling if np.isfinite(y) else np.nan for y in yrs])
    notes = ["" if np.isfinite(y) else f"not found in [{lo:.1f}, {hi:.1f}]" for y in yrs]
    return yrs, sh, notes, np.zeros(3, dtype=bool)


def boundaries(res, alpha: float = 0.05) -> pd.DataFrame:
    """Compute the lower knee, inflection and upper knee of a fitted S-curve.

    Parameters
    ----------
    res : GrowthResults
        From :func:`cluster_research.growth.fit` with model logistic, gompertz,
        bass or richards.
    alpha : float, default 0.05
        Interval level: ``year ± z_{1-alpha/2} · se``.

    Returns
    -------
    pandas.DataFrame
        Index ``lower_knee``, ``inflection``, ``upper_knee``; columns ``year``,
        ``ci_low``, ``ci_high``, ``share_of_ceiling`` (level / ceiling at that
        year), ``se`` and ``note``.  ``.attrs`` holds ``model``, ``identified``
        and ``reason``.  When the fit did not converge or its ceiling is not
        identified (``res.identified`` False) every number is NaN and
        ``reason`` (attrs and ``note``) says why -- no boundary is invented.

    Notes
    -----
    Analytic formulas (knees are roots of y''', the inflection of y''):

    * logistic ``K / (1 + e^{-k(t-t0)})``: ``t0 ± ln(2+√3)/k``; shares
      0.2113, 0.5, 0.7887.
    * Gompertz ``K exp(-e^{-b(t-t0)})``: ``t0 ± ln((3+√5)/2)/b``; shares
      ``exp(-(3+√5)/2) = 0.0729``, ``e^{-1} = 0.3679``,
      ``exp(-(3-√5)/2) = 0.6825``.
    * Bass: ``M F(t)`` is an affine transform of a logistic with rate p+q, so
      ``t* ± ln(2+√3)/(p+q)`` with ``t* = tau + ln(q/p)/(p+q)``; the
      inflection lies in the adoption period only when q > p (otherwise the
      note says "no inflection").  A boundary before ``tau`` is reported NaN
      with the note "already passed".
    * Richards ``K (1 + nu e^{-k(t-ti)})^{-1/nu}``: with ``u = (y/K)^nu`` the knees
      are the roots of ``(nu+1)(2nu+1) u^2 - (nu+1)(nu+2) u + 1 = 0`` and the inflection
      ``u = 1/(1+nu)``; a share ``u`` is reached at ``ti - ln((1/u - 1)/nu)/k``
      (:func:`cluster_research.growth.specs.richards_shares`).
    * Any other curve: numerically, as the sign changes of finite-difference y'' and y'''
      of ``res.curve`` refined by Brent's method.

    Intervals use the delta method: ``se² = g' Σ g`` with ``g`` the gradient of the
    boundary year with respect to the parameters (closed form,
    ``spec.boundary_grad``; central differences for a curve without one) and
    ``Σ = res.cov_params()``.

    Examples
    --------
    >>> import numpy as np
    >>> from cluster_research import growth, lifecycle
    >>> t = np.arange(2000, 2021)
    >>> res = growth.fit(t, 100 / (1 + np.exp(-0.5 * (t - 2010))), model="logistic")
    >>> lifecycle.boundaries(res)["year"].round(2).tolist()
    [2007.37, 2010.0, 2012.63]
    """
    model = getattr(res, "model", None)
    out = pd.DataFrame(
        np.nan, index=list(BOUNDARY_ROWS),
        columns=["year", "ci_low", "ci_high", "share_of_ceiling", "se"])
    out["note"] = ""
    out.index.name = "boundary"
    out.attrs.update(model=model, identified=False, reason="")
    reason = (f"{model} growth has no ceiling, hence no knees or inflection"
              if get_spec(model).scale_idx is None or getattr(res, "ceiling", 1.0) is None
              else f"fit did not converge: {getattr(res, 'convergence_message', '')}".strip()
              if not getattr(res, "converged", True)
              else "ceiling not identified: " + str(getattr(res, "identified_reason", ""))
              if not getattr(res, "identified", True) else "")
    if reason:
        out["note"] = reason
        out.attrs["reason"] = reason
        return out
    theta = res_params(res)
    names = list(theta.index)
    rng = None if get_spec(model).boundaries is not None else search_range(res, theta)
    yrs, sh, notes, passed = boundary_years_for(res, theta, rng)
    cov = res_cov(res, names)
    # delta method: closed-form gradient of each boundary year (numerical for other curves)
    spec = get_spec(model)
    if spec.boundary_grad is not None:
        grad = spec.boundary_grad({k: np.array([v]) for k, v in theta.items()})[0]
    else:
        grad = _numeric_grad(res, theta, names, cov, rng)
    with np.errstate(invalid="ignore"):
        var = np.einsum("ij,jk,ik->i", grad, cov, grad)
    se = np.sqrt(np.where(var >= 0, var, np.nan))
    z = norm.ppf(1 - alpha / 2)
    out = out.assign(year=yrs, se=se, ci_low=yrs - z * se, ci_high=yrs + z * se,
                     share_of_ceiling=sh, note=notes)
    out.attrs.update(identified=True, reason="", passed=passed.tolist())
    if not np.all(np.isfinite(cov)):
        out.attrs["reason"] = "covariance not available: intervals are NaN"
    return out


def phase_from_boundaries(year: float, yrs: np.ndarray, passed: np.ndarray) -> np.ndarray:
    """Vectorised phase index 1..4 (0 where undetermined). yrs, passed: (n, 3)."""
    yrs = np.atleast_2d(yrs)
    passed = np.atleast_2d(passed)
    eff = np.where(passed, -np.inf, yrs)
    ok = np.all(np.isfinite(eff) | passed, axis=1)
    phase = 1 + np.sum(year >= eff, axis=1)
    return np.where(ok, phase, 0)
