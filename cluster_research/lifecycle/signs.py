"""The ``signs`` method: signs of smoothed second and third derivatives."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .registry import register
from .stage import PHASES, StageResult, check_phase_map, unclassified


def select_window(years, year, window, information):
    """Return the indices of the ``window`` observations used at ``year``."""
    if information == "realtime":
        idx = np.where(years <= year)[0]
        return idx[-window:]
    d = np.abs(years - year)
    order = np.lexsort((years, d))
    return np.sort(order[:window])


def _weights(weights, yy, x, y):
    """Weights of the values ``yy`` (a row per fit): 1/y² rescaled per row (no overflow for
    tiny y), or 1; ``x, y`` name the years at fault."""
    if weights == "relative":
        if np.any(yy <= 0):
            raise ParameterError(f"relative weights need positive values; non-positive at years "
                                 f"{x[y <= 0].astype(int).tolist()} (use weights='equal')")
        logw = -2.0 * np.log(yy)
        return np.exp(logw - logw.max(axis=-1, keepdims=True))
    if weights == "equal":
        return np.ones(np.shape(yy))
    raise ParameterError(f"weights must be 'relative' or 'equal', got {weights!r}")


def local_derivatives(years, values, at, *, degree: int = 3, weights: str = "relative"):
    """Estimate y(at), y'(at), y''(at), y'''(at) by a local polynomial fit.

    Fits ``y ≈ c0 + c1 d + c2 d² + c3 d³`` (``d = year - at``, actual years, so
    uneven spacing and gaps are handled without filling) by weighted least
    squares, and returns the derivatives ``c0, c1, 2 c2, 6 c3`` with standard
    errors from ``σ² (X'WX)^{-1}``.

    Parameters
    ----------
    years, values : array_like
        The observations of the window (no NaN).
    at : float
        Where to evaluate.
    degree : int, default 3
        Polynomial degree (>= 3 for a third derivative).
    weights : {"relative", "equal"}
        "relative" uses ``w = 1/y²`` (errors proportional to the level, usual
        for economic size series; needs y > 0); "equal" is ordinary LS.

    Returns
    -------
    dict
        ``deriv`` (array d0..d3), ``se`` (array), ``coef``, ``cov``, ``hat``
        (the linear map from y to the coefficients), ``resid``, ``sigma``.

    Raises
    ------
    ParameterError
        Too few points or non-positive values with relative weights.

    Examples
    --------
    >>> d = local_derivatives([0, 1, 2, 3, 4, 5], [0, 1, 8, 27, 64, 125], at=2, weights="equal")
    >>> d["deriv"].round(6).tolist()
    [8.0, 12.0, 12.0, 6.0]
    """
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    p = degree + 1
    if len(x) < p + 1:
        raise ParameterError(f"need at least {p + 1} points for a degree-{degree} local fit")
    w = _weights(weights, y, x, y)
    d = x - float(at)
    X = np.vander(d, p, increasing=True)
    sw = np.sqrt(w)
    Xw = X * sw[:, None]
    XtX_inv = np.linalg.pinv(Xw.T @ Xw)
    hat = XtX_inv @ (Xw.T * sw[None, :])  # coef = hat @ y
    coef = hat @ y
    resid = y - X @ coef
    dof = len(x) - p
    sigma2 = float(np.sum(w * resid**2) / dof)
    cov = sigma2 * XtX_inv
    fact = np.array([math.factorial(i) for i in range(p)], dtype=float)
    deriv = coef * fact
    se = np.sqrt(np.clip(np.diag(cov), 0, None)) * fact
    return {"deriv": deriv[:4], "se": se[:4], "coef": coef, "cov": cov, "hat": hat,
            "resid": resid, "sigma": math.sqrt(sigma2), "fact": fact, "X": X, "w": w}


def phase_from_signs(d2, d3):
    """Return phases 1..4 from the signs of y'' and y''' (I ++, II +-, III --, IV -+)."""
    d2, d3 = np.asarray(d2), np.asarray(d3)
    return np.where(d2 > 0, np.where(d3 > 0, 1, 2), np.where(d3 < 0, 3, 4))


def derivative_operator(x, y, grid, window, degree, weights):
    """Return L (3, G, N): linear maps from y to level, y' and y'' at each grid point.

    Each grid point gets a local polynomial fit (:func:`local_derivatives`) on
    the ``window`` observations nearest to it (one-sided at the ends of the
    data); the weights are fixed from the observed ``y``.  All fits are solved
    at once (batched normal equations).
    """
    N, G = len(x), len(grid)
    p = degree + 1
    window = min(window, N)
    d_all = np.abs(x[None, :] - grid[:, None])
    order = np.lexsort((np.broadcast_to(x, d_all.shape), d_all), axis=1)[:, :window]
    idx = np.sort(order, axis=1)  # (G, w)
    w = _weights(weights, y[idx], x, y)
    d = x[idx] - grid[:, None]  # (G, w)
    X = d[:, :, None] ** np.arange(p)[None, None, :]  # (G, w, p)
    Xw = X * w[:, :, None]
    XtWX = np.einsum("gwi,gwj->gij", Xw, X)
    hat = np.linalg.pinv(XtWX) @ np.transpose(Xw, (0, 2, 1))  # (G, p, w)
    fact = np.array([1.0, 1.0, 2.0])
    L = np.zeros((3, G, N))
    rows = np.repeat(np.arange(G), window)
    for k in range(3):
        L[k, rows, idx.ravel()] = (hat[:, k, :] * fact[k]).ravel()
    return L


def landmark_phases(D, grid, year, D1=None):
    """Return vectorised phases (1..4) from smoothed y'' paths D (B, G) on ``grid``.

    Inflection = the maximum of the smoothed y' path ``D1`` (where y'' turns
    + to -); lower knee = the maximum of y'' up to the inflection (y''' + to
    -); upper knee = the minimum of y'' after it (y''' - to +).  Locating the
    peak of y' first makes the knees robust to noise in y'' on the plateau.
    An extreme sitting at the last grid point is not yet passed (it may still
    be ahead).  Without ``D1`` the inflection is the first down-crossing of
    zero by y'' after its maximum.  Returns (phase, lower_knee, inflection,
    upper_knee); landmark years are NaN when not (yet) observed.
    """
    D = np.atleast_2d(D)
    B, G = D.shape
    rows = np.arange(B)
    edge = G - 1
    gi = int(np.searchsorted(grid, year))
    cols = np.arange(G)[None, :]

    def last_arg(M, fun):
        tol = 1e-9 * np.max(np.abs(np.where(np.isfinite(M), M, 0)), axis=1, keepdims=True)
        ext = fun(M, axis=1, keepdims=True)
        hit = (M >= ext - tol) if fun is np.max else (M <= ext + tol)
        # ties (identical edge windows give equal values): take the last occurrence
        return edge - np.argmax(hit[:, ::-1], axis=1)

    if D1 is not None:
        D1 = np.atleast_2d(D1)
        iinf = last_arg(D1, np.max)
        inf_found = iinf < edge
        inf_year = np.where(inf_found, grid[iinf], np.nan)
        ilk = last_arg(np.where(cols <= iinf[:, None], D, -np.inf), np.max)
        has_conv = D[rows, ilk] > 0
        start = iinf
    else:
        ilk = last_arg(D, np.max)
        has_conv = D[rows, ilk] > 0
        cross = (cols > ilk[:, None]) & (D <= 0)
        inf_found = cross.any(axis=1) & has_conv
        j = np.where(inf_found, np.argmax(cross, axis=1), edge)
        inf_year = np.where(inf_found, grid[j], np.nan)
        start = np.where(has_conv, j, 0)
    iuk = last_arg(np.where(cols >= start[:, None], D, np.inf), np.min)
    has_conc = D[rows, iuk] < 0
    lk_year = np.where(has_conv & (ilk < edge), grid[ilk], np.nan)
    lk_passed = ~has_conv | ((gi >= ilk) & (ilk < edge))
    inf_passed = inf_found & (year >= np.nan_to_num(inf_year, nan=np.inf))
    if D1 is None:
        inf_passed |= ~has_conv
    uk_ok = has_conc & inf_found & (iuk < edge)
    uk_year = np.where(uk_ok, grid[iuk], np.nan)
    uk_passed = uk_ok & (gi >= iuk)
    phase = 1 + lk_passed.astype(int)
    phase += (lk_passed & inf_passed).astype(int)
    phase += (lk_passed & inf_passed & uk_passed).astype(int)
    return phase, lk_year, inf_year, uk_year


def landmark_grid(years, year) -> np.ndarray:
    """Annual evaluation grid for the smoothed paths: every calendar year from the
    first to the last observation, plus the classified year.

    The landmarks (maximum of y'' and y', minimum of y'') are searched on this grid, so
    with uneven spacing or gaps they do not depend on which year is being classified
    (a grid of the observation years alone would put a landmark at the classified year
    whenever it falls in a gap). The smoother is evaluated between observations; no
    data value is filled in.
    """
    yrs = np.asarray(years, dtype=float)
    annual = np.arange(np.ceil(yrs.min()), np.floor(yrs.max()) + 1.0)
    return np.union1d(np.union1d(annual, yrs), [float(year)])


#: A series whose smoothed slope at the year is <= 0 and whose smoothed level has fallen below
#: this share of its earlier peak is declining (not classified); a plateau with noise is not.
DECLINE_SHARE = 0.95


@register("signs")
def classify_signs(years, values, year, information, *, window=11, degree=2,
                    weights="equal", max_gap=1, min_points=None, rule="landmarks",
                    phase_map=None, gaps=(), **unknown):
    """Classify by the signs of smoothed y'' and y''' (model-free)."""
    if unknown:
        raise ParameterError(f"unknown option(s) for method='signs': {sorted(unknown)}")
    pm = check_phase_map(phase_map)
    if rule not in ("landmarks", "pointwise"):
        raise ParameterError(f"rule must be 'landmarks' or 'pointwise', got {rule!r}")
    deg = 3 if rule == "pointwise" else degree
    if deg < 2:
        raise ParameterError("degree must be >= 2 to estimate a second derivative")
    if min_points is None:
        min_points = window + 4
    need = max(deg + 2, min_points) if rule == "landmarks" else deg + 2
    if window < deg + 2:
        raise ParameterError(f"window must be >= {deg + 2} for degree {deg}")
    ev: dict[str, Any] = {"rule": rule, "window": window, "degree": deg, "weights": weights,
                          "gaps_dropped": list(gaps), "n_obs": len(years)}
    upto = f" up to {year}" if information == "realtime" else ""
    if len(years) < need:
        return unclassified("signs", information, year,
                             f"too short: {len(years)} usable observations{upto} "
                             f"(need >= {need})", **ev)  # window + 4 by default
    scale = float(np.max(np.abs(values))) if len(values) else 0.0
    if np.ptp(values) <= 1e-12 * max(scale, 1e-300):
        return unclassified("signs", information, year,
                            f"flat series: every value{upto} equals {values[0]:.6g}, so there "
                            "is no growth wave to place the year in", flat=True, **ev)
    nearest = float(np.min(np.abs(years - year)))
    if nearest > max_gap:
        return unclassified("signs", information, year,
                             f"no observation within {max_gap} year(s) of {year} "
                             f"(nearest is {nearest:.0f} years away; gaps are not filled)", **ev)
    if rule == "pointwise":
        idx = select_window(years, year, window, information)
        xw, yw = years[idx], values[idx]
        loc = local_derivatives(xw, yw, year, degree=3, weights=weights)
        d, se = loc["deriv"], loc["se"]
        ev.update(local_fit=loc, years_used=xw.tolist(), level=d[0], d1=d[1], d2=d[2],
                  d3=d[3], se_d2=se[2], se_d3=se[3])
        if d[1] <= 0 and d[0] < DECLINE_SHARE * float(np.max(values[years <= year])):
            return unclassified("signs", information, year,
                                f"declining: the local slope y' at {year} is {d[1]:.4g} <= 0 "
                                f"and the level {d[0]:.4g} is below {DECLINE_SHARE:.0%} of the "
                                "earlier peak; a falling series is in no growth stage",
                                declining=True, **ev)
        if d[2] == 0 or d[3] == 0:
            return unclassified("signs", information, year, "y'' or y''' exactly zero", **ev)
        ph = int(phase_from_signs(d[2], d[3]))
        phase = PHASES[ph - 1]
        sg = lambda v: "+" if v > 0 else "-"
        reason = (f"local cubic on {len(idx)} obs {int(xw.min())}-{int(xw.max())}: "
                  f"y''={d[2]:.4g} ({sg(d[2])}), y'''={d[3]:.4g} ({sg(d[3])}) -> phase {phase}")
        return StageResult(pm[phase], "signs", information, year, reason, ev, phase)
    grid = landmark_grid(years, year)
    L = derivative_operator(years.astype(float), values, grid, window, deg, weights)
    paths = np.einsum("kgn,n->kg", L, values)
    ph, lk, inf, uk = (a[0] for a in landmark_phases(paths[2][None, :], grid, year,
                                                             paths[1][None, :]))
    phase = PHASES[int(ph) - 1]
    gi = int(np.searchsorted(grid, year))
    ev.update(operator=L, grid=grid, years_used=years.tolist(), values_used=values.tolist(),
              paths=pd.DataFrame({"level": paths[0], "d1": paths[1], "d2": paths[2]},
                                 index=pd.Index(grid.astype(int), name="year")),
              lower_knee=lk, inflection=inf, upper_knee=uk, d2=paths[2][gi], d1=paths[1][gi])

    lv = paths[0][:gi + 1]
    if not paths[1][gi] > 0 and (lv[-1] < DECLINE_SHARE * np.max(lv)
                                 or np.all(paths[1][:gi + 1] <= 0)):
        return unclassified("signs", information, year,
                            f"declining: the smoothed slope y' at {year} is "
                            f"{paths[1][gi]:.4g} <= 0 and the smoothed level "
                            f"{lv[-1]:.4g} is below {DECLINE_SHARE:.0%} of its earlier peak "
                            f"{np.max(lv):.4g}; a falling series is in no growth stage",
                            declining=True, **{k: v for k, v in ev.items()
                                               if k not in ("declining", "flat")})

    def show(v):
        return "not passed" if not np.isfinite(v) else f"{v:.1f}"

    kind = "quadratic" if deg == 2 else f"degree-{deg}"
    reason = (f"smoothed y'' path (local {kind} fits on {window} obs) from {len(years)} obs "
              f"{int(years.min())}-{int(years.max())}: max y'' (lower knee) {show(lk)}, "
              f"max y' (inflection) {show(inf)}, min y'' (upper knee) {show(uk)} "
              f"-> {year} in phase {phase}")
    return StageResult(pm[phase], "signs", information, year, reason, ev, phase)
