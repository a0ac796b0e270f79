"""Hierarchical growth curves: nonlinear mixed-effects models fitted by maximum likelihood.

Model (Lindstrom & Bates 1990; Pinheiro & Bates 2000, ch. 7), group ``i``, observation ``j``::

    y_ij = f(x_ij, phi_i) + e_ij  (additive)  or  log y_ij = log f(x_ij, phi_i) + e_ij
    phi_i = beta + A b_i,   e_ij ~ N(0, sigma^2),   b_i ~ N(0, diag(sd_1^2, ..., sd_q^2))

``beta`` are the fixed effects (the population curve), ``b_i`` the random effects of the
parameters named in ``random`` (R's ``pdDiag``); ``x`` may repeat within a group (replicates).
Estimation is the alternating algorithm of R's ``nlme`` (method "ML"):

1. PNLS: given ``Delta = diag(sigma / sd_j)``, minimise
   ``sum_ij (y_ij - f(x_ij, beta + A b_i))^2 + sum_i |Delta b_i|^2`` over ``beta`` and all
   ``b_i`` (Gauss-Newton with step halving; each step is the linear mixed-model solution of the
   linearised problem, so only small per-group matrices are factorised).
2. LME: linearise at that solution, ``w = y - f + X beta + Z b`` (``X = df/dbeta``,
   ``Z_i = df/db_i``), and maximise over ``log(sd_j / sigma)`` the profiled ML log-likelihood
   ``l = -N/2 (log(2 pi PRSS / N) + 1) - 1/2 sum_i log|I + Z_i D Z_i'|``, ``D = Delta^-2``,
   ``PRSS`` the penalised RSS at the GLS ``beta`` (damped Newton).

The steps alternate until ``beta`` and ``log(sd_j / sigma)`` change by less than ``tol``.  As
in ``nlme``, ``sigma^2 = PRSS / N``, the log-likelihood and ``cov(beta) = sigma^2 N / (N - p)
(X' V^-1 X)^-1`` come from the last linearisation.

Models sit behind a small interface (:class:`MixedModelSpec` in :data:`MODEL_SPECS`); the
parameter names are those of :func:`cluster_research.growth.fit`: logistic ``K, k, t0``,
``K / (1 + exp(-k (t - t0)))`` (R's ``SSlogis``: ``Asym = K``, ``xmid = t0``, ``scal = 1/k``);
gompertz ``K, b, t0``, ``K exp(-exp(-b (t - t0)))``; richards ``K, k, t0, nu``,
``K (1 + exp(-k (t - t0)))^(-1/nu)`` (as in ``growth.fit``: inflection at ``t0 - ln(nu)/k``);
the curves are those of :mod:`cluster_research.growth.specs`; and
asymptotic ``Asym, R0, lrc``, ``Asym + (R0 - Asym) exp(-exp(lrc) t)`` (R's ``SSasymp``) and
sslogis ``Asym, xmid, scal`` (R's ``SSlogis``; a random effect on ``scal`` is not one on
``k = 1/scal``), both in R's parametrisation for comparison with R.

References
----------
Lindstrom, M. J. and Bates, D. M. (1990). Nonlinear mixed effects models for repeated measures
data. *Biometrics* 46, 673-687.
Pinheiro, J. C. and Bates, D. M. (2000). *Mixed-Effects Models in S and S-PLUS*. Springer,
§7.2 (algorithm) and §8.2 (Orange trees).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import ClusterResearchError, MissingColumnError, ParameterError
from . import specs
from .fit import fit
from .specs import MODELS

__all__ = ["MODEL_SPECS", "MixedModelSpec", "MixedResults", "fit_mixed"]

_THETA_BOUND = 20.0  # |log(sd / sigma)| bound of the LME step (sd/sigma in [2e-9, 5e8])


# -------------------- model interface
@dataclass(frozen=True)
class MixedModelSpec:
    """Describe one growth model for :func:`fit_mixed`.

    Parameters
    ----------
    name, formula : str
        Model name (``fit_mixed(model=...)``) and formula (for summaries).
    param_names : tuple of str
        Parameter names, in the order of the columns of ``theta``.
    f, jac : callable
        ``f(x, theta) -> (n,)`` and its derivatives ``jac(x, theta) -> (n, p)``; ``x`` has shape
        ``(n,)``, ``theta`` ``(n, p)`` (one parameter vector per observation) or ``(p,)``.
    start : callable
        ``start(x, y) -> list of (p,) arrays``, candidate starts from the pooled data.
    ceiling : str or None
        Name of the ceiling parameter.
    lower, upper : tuple of float, optional
        Bounds on the fixed effects (e.g. Richards ``1e-3 <= nu <= 1e3`` as in ``growth.fit``).
    """

    name: str
    param_names: tuple
    f: Callable
    jac: Callable
    start: Callable
    formula: str
    ceiling: str | None = "K"
    lower: tuple | None = None
    upper: tuple | None = None

    def bounds(self):
        """Return the (lower, upper) arrays of the fixed-effect bounds."""
        p = len(self.param_names)
        lo = np.full(p, -np.inf) if self.lower is None else np.asarray(self.lower, float)
        hi = np.full(p, np.inf) if self.upper is None else np.asarray(self.upper, float)
        return lo, hi


def _stack(*cols):
    return np.stack(np.broadcast_arrays(*cols), axis=-1)


def _rows(fn):  # a growth.specs curve (parameters on the first axis) at one row per observation
    return lambda x, th: fn(x, np.asarray(th).T)


def _sslogis(x, th):  # R's SSlogis: Asym / (1 + exp((xmid - x) / scal))
    return th[..., 0] * special.expit((x - th[..., 1]) / th[..., 2])


def _sslogis_jac(x, th):
    A, xm, sc = th[..., 0], th[..., 1], th[..., 2]
    s, ds = special.expit((x - xm) / sc), special.expit((x - xm) / sc) * special.expit((xm - x) / sc)
    return _stack(s, -A * ds / sc, -A * ds * (x - xm) / sc**2)


def _sslogis_start(x, y):
    return [np.array([K, t0, 1.0 / k]) for K, k, t0 in _sigmoid_starts(x, y, special.logit)]


def _asymptotic(x, th):
    A, R0, lrc = th[..., 0], th[..., 1], th[..., 2]
    return A + (R0 - A) * np.exp(-np.exp(lrc) * x)


def _asymptotic_jac(x, th):
    A, R0, r = th[..., 0], th[..., 1], np.exp(th[..., 2])
    e = np.exp(-r * x)
    return _stack(1.0 - e, e, -(R0 - A) * e * x * r)


def _line(x, z):  # least-squares slope and intercept of z on x (nan when x is constant)
    xc = x - x.mean()
    sxx = float(xc @ xc)
    if sxx <= 0:
        return math.nan, math.nan
    slope = float(xc @ (z - z.mean())) / sxx
    return slope, float(z.mean() - slope * x.mean())


def _sigmoid_starts(x, y, link):
    top = float(np.max(y))
    span = max(float(np.ptp(x)), 1e-12)
    out = []
    for mult in (1.05, 1.5, 3.0):
        K = mult * top if top > 0 else 1.0
        z = link(np.clip(y / K, 1e-3, 1 - 1e-3))
        slope, icpt = _line(x, z)
        if not (np.isfinite(slope) and slope > 0):
            slope, icpt = 4.0 / span, -4.0 / span * float(np.median(x))
        out.append(np.array([K, slope, -icpt / slope]))
    return out


def _gompertz_link(p):
    return -np.log(-np.log(p))


def _richards_start(x, y):
    return [np.r_[s, nu] for s in _sigmoid_starts(x, y, special.logit) for nu in (1.0, 0.3)]


def _asymptotic_start(x, y):
    top = float(np.max(y))
    span = max(float(np.ptp(x)), 1e-12)
    out = []
    for mult in (1.05, 1.5, 3.0):
        A = mult * top if top > 0 else top + 1.0
        slope, icpt = _line(x, np.log(np.maximum(A - y, 1e-12 * max(abs(A), 1.0))))
        rate = -slope if np.isfinite(slope) and slope < 0 else 1.0 / span
        R0 = A - math.exp(icpt) if np.isfinite(icpt) else float(y[np.argmin(x)])
        out.append(np.array([A, R0, math.log(rate)]))
    return out


MODEL_SPECS = {
    "logistic": MixedModelSpec("logistic", ("K", "k", "t0"), _rows(specs.logistic),
                               _rows(specs.logistic_jac),
                               partial(_sigmoid_starts, link=special.logit),
                               specs.SPECS["logistic"].formula),
    "gompertz": MixedModelSpec("gompertz", ("K", "b", "t0"), _rows(specs.gompertz),
                               _rows(specs.gompertz_jac),
                               partial(_sigmoid_starts, link=_gompertz_link),
                               specs.SPECS["gompertz"].formula),
    "richards": MixedModelSpec("richards", ("K", "k", "t0", "nu"), _rows(specs.richards_t0),
                               _rows(specs.richards_t0_jac), _richards_start,
                               specs.SPECS["richards"].formula,
                               lower=(-np.inf, -np.inf, -np.inf, 1e-3),
                               upper=(np.inf, np.inf, np.inf, 1e3)),
    "asymptotic": MixedModelSpec("asymptotic", ("Asym", "R0", "lrc"), _asymptotic,
                                 _asymptotic_jac, _asymptotic_start,
                                 "y = Asym + (R0 - Asym) exp(-exp(lrc) t)", ceiling="Asym"),
    "sslogis": MixedModelSpec("sslogis", ("Asym", "xmid", "scal"), _sslogis, _sslogis_jac,
                              _sslogis_start, "y = Asym / (1 + exp((xmid - t) / scal))",
                              ceiling="Asym")}
"""Models known to :func:`fit_mixed`, by name; add or replace a :class:`MixedModelSpec` here."""


# -------------------- input
def _plain(v):  # Python scalar for a numpy scalar (readable messages and labels)
    return v.item() if isinstance(v, np.generic) else v


def _prepare(data, group, x, y, errors):
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    for role, col in (("group", group), ("x", x), ("y", y)):
        if col not in data.columns:
            raise MissingColumnError([col], data.columns, f"{role} column not found in the data")
    df = data[[group, x, y]].copy()

    def first(mask):  # position and group label of the first offending row
        i = int(np.asarray(mask).nonzero()[0][0])
        return i, _plain(df[group].iloc[i])

    for col in (x, y):
        num = pd.to_numeric(df[col], errors="coerce")
        if (num.isna() & df[col].notna()).any():
            i, lab = first(num.isna() & df[col].notna())
            raise ParameterError(f"column {col!r}, row {i} (group {lab!r}): value "
                                 f"{df[col].iloc[i]!r} is not a number")
        df[col] = num.astype(float)
    if df[group].isna().any():
        raise ParameterError(f"column {group!r}, row {first(df[group].isna())[0]}: group label "
                             "is missing")
    df = df[df[y].notna()]  # missing values (empty cells) are dropped
    for col in (x, y):
        if not np.all(np.isfinite(df[col].to_numpy())):
            i, lab = first(~np.isfinite(df[col].to_numpy()))
            raise ParameterError(f"column {col!r}: non-finite value {df[col].iloc[i]!r} in "
                                 f"group {lab!r}")
    if errors == "multiplicative" and np.any(df[y].to_numpy() <= 0):
        i, lab = first(df[y].to_numpy() <= 0)
        raise ParameterError(
            f"column {y!r}: value {df[y].iloc[i]:g} at {x}={df[x].iloc[i]:g} in group {lab!r} "
            "is not positive; multiplicative errors need positive values")
    codes, labels = pd.factorize(df[group], sort=False)
    counts = np.bincount(codes, minlength=len(labels))
    labels = [_plain(v) for v in labels]
    for lab, n in zip(labels, counts):
        if n < 2:
            raise ParameterError(f"group {lab!r} (column {group!r}) has {n} observation(s); "
                                 "each group needs at least 2")
    if len(labels) < 2:
        raise ParameterError(f"column {group!r} has {len(labels)} group(s); a mixed model "
                             "needs at least 2 (use growth.fit for one series)")
    order = np.argsort(codes, kind="stable")
    return df[x].to_numpy()[order], df[y].to_numpy()[order], codes[order], labels, counts


def _random_index(spec, random):
    random = (random,) if isinstance(random, str) else tuple(random)
    bad = [r for r in random if r not in spec.param_names]
    if not random or bad or len(set(random)) != len(random):
        what = (f"random effect {bad[0]!r} is not a parameter" if bad else
                "random must name at least one parameter, each once," if not random
                or len(set(random)) != len(random) else "")
        raise ParameterError(f"{what} of the {spec.name} model ({', '.join(spec.param_names)}); "
                             "for no random effect use growth.fit")
    return random, np.array([spec.param_names.index(r) for r in random])


# -------------------- the Lindstrom-Bates steps
class _Problem:
    """Data and model of one fit, with the PNLS and LME steps."""

    def __init__(self, spec, x, y, g, m, R, errors):
        self.spec, self.x, self.g, self.m, self.R = spec, x, g, m, R
        self.mult = errors == "multiplicative"
        self.yfit = np.log(y) if self.mult else y
        self.N, self.p, self.q = x.size, len(spec.param_names), R.size
        self.starts = np.r_[0, np.cumsum(np.bincount(g, minlength=m))[:-1]]

    def phi(self, beta, b):
        ph = np.tile(beta, (self.N, 1))
        ph[:, self.R] += b[self.g]
        return ph

    def mean_jac(self, ph):
        """Model mean on the fitting scale and its Jacobian in phi."""
        with np.errstate(all="ignore"):
            f = self.spec.f(self.x, ph)
            J = self.spec.jac(self.x, ph)
            if self.mult:
                return np.log(f), J / f[:, None]
        return f, J

    def split(self, z):  # (beta, b)
        return z[:self.p], z[self.p:].reshape(self.m, self.q)

    def objective(self, z, theta):
        """Penalised residual sum of squares ``|y - f|^2 + sum_i |Delta b_i|^2``."""
        beta, b = self.split(z)
        with np.errstate(all="ignore"):
            f = self.spec.f(self.x, self.phi(beta, b))
            r = self.yfit - (np.log(f) if self.mult else f)
        val = float(r @ r + np.sum((b * np.exp(-theta)) ** 2))
        return val if np.isfinite(val) else math.inf

    def pnls(self, z0, theta, max_iter=50):
        """Minimise the penalised RSS over (beta, b) at fixed theta; return ``(z, ok)``.

        Gauss-Newton steps (the LME solution of the linearised model) halved until it decreases.
        """
        lo, hi = self.spec.bounds()
        p = self.p
        z = z0.copy()
        z[:p] = _inside(z[:p], lo, hi)
        f = self.objective(z, theta)
        if not np.isfinite(f):
            return z, False
        for _ in range(max_iter):
            out = self.profile(theta, self.linearise(z), full=True)
            if out is None:
                return z, False
            step = np.r_[out[1], out[2].ravel()] - z
            t = 1.0
            while t > 1e-6:
                cand = z + t * step
                cand[:p] = np.minimum(np.maximum(cand[:p], lo), hi)
                fc = self.objective(cand, theta)
                if fc <= f:
                    break
                t *= 0.5
            else:  # no decrease along the Gauss-Newton direction: at the minimum if it is tiny
                return z, bool(np.max(np.abs(step) / np.maximum(np.abs(z), 1.0)) < 1e-6)
            moved = np.max(np.abs(cand - z) / np.maximum(np.abs(z), 1.0))
            z, f_old, f = cand, f, fc
            if moved < 1e-11 or f_old - f <= 1e-13 * f:
                break
        return z, True

    def linearise(self, z):
        """Cross-products of the model linearised at z, for the response ``w - X beta``.

        (Fixed effects as increments on ``beta``: no cancellation when ``X beta`` is large.)
        """
        beta, b = self.split(z)
        mu, X = self.mean_jac(self.phi(beta, b))
        Z = X[:, self.R]
        w = self.yfit - mu + np.sum(Z * b[self.g], axis=1)
        Xw = np.c_[X, w]
        ZtZ = np.add.reduceat(Z[:, :, None] * Z[:, None, :], self.starts, axis=0)
        ZtXw = np.add.reduceat(Z[:, :, None] * Xw[:, None, :], self.starts, axis=0)
        return ZtZ, ZtXw, Xw.T @ Xw, beta

    def profile(self, theta, parts, full=False):
        """Negative profiled ML log-likelihood of the linearised model at log(sd / sigma)."""
        ZtZ, ZtXw, C0, beta0 = parts
        p, N = self.p, self.N
        d2 = np.exp(-2.0 * np.asarray(theta, float))
        M = ZtZ + np.diag(d2)[None]
        sol = np.linalg.solve(M, ZtXw)
        C = C0 - np.einsum("iqa,iqb->ab", ZtXw, sol)
        try:
            L = np.linalg.cholesky(C)
        except np.linalg.LinAlgError:
            return math.inf if not full else None
        if np.min(np.diag(L)[:p] / np.sqrt(np.diag(C)[:p])) < 1e-7:  # (near-)singular X'V^-1X
            return math.inf if not full else None
        prss = L[p, p] ** 2
        logdet = np.linalg.slogdet(M)[1].sum() - self.m * np.log(d2).sum()
        nll = 0.5 * N * (math.log(2 * math.pi * prss / N) + 1.0) + 0.5 * logdet
        if not full:
            return nll
        dbeta = np.linalg.solve(C[:p, :p], C[:p, p])
        b = sol[:, :, p] - sol[:, :, :p] @ dbeta
        return nll, beta0 + dbeta, b, prss / N, np.linalg.inv(C[:p, :p])

    def lme(self, theta0, parts):
        """Maximise the profiled log-likelihood over theta = log(sd / sigma) (damped Newton)."""
        lo, hi = -_THETA_BOUND, _THETA_BOUND
        th = np.clip(np.asarray(theta0, float), lo + 1e-3, hi - 1e-3)
        fun = partial(self.profile, parts=parts)
        f = fun(th)
        h = 1e-4
        eye = np.eye(th.size) * h
        for _ in range(200):
            g = np.array([(fun(th + e) - fun(th - e)) / (2 * h) for e in eye])
            H = np.array([[(fun(th + a + b) - fun(th + a - b) - fun(th - a + b)
                            + fun(th - a - b)) / (4 * h * h) for b in eye] for a in eye])
            if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
                break
            ev = np.linalg.eigvalsh(H)
            step = -np.linalg.solve(H, g) if ev.min() > 0 else -g / max(1.0, np.linalg.norm(g))
            step *= min(1.0, 2.0 / max(float(np.linalg.norm(step)), 1e-300))
            for _ in range(40):
                cand = np.clip(th + step, lo, hi)
                fc = fun(cand)
                if fc <= f:
                    break
                step *= 0.5
            else:
                break
            moved = float(np.max(np.abs(cand - th)))
            th, f_old, f = cand, f, fc
            if moved < 1e-10 or f_old - f < 1e-14 * (1.0 + abs(f)) and moved < 1e-7:
                break
        return th


def _inside(v, lo, hi, rel=1e-9):  # strictly inside finite bounds (feasible start)
    with np.errstate(invalid="ignore"):
        pad_lo = np.where(np.isfinite(lo), lo + rel * np.maximum(1.0, np.abs(lo)), -np.inf)
        pad_hi = np.where(np.isfinite(hi), hi - rel * np.maximum(1.0, np.abs(hi)), np.inf)
    return np.minimum(np.maximum(v, pad_lo), pad_hi)


def _pooled_start(spec, x, y, errors):
    mult = errors == "multiplicative"
    yf = np.log(y) if mult else y

    def res(th):
        with np.errstate(all="ignore"):
            f = spec.f(x, th)
            return yf - (np.log(f) if mult else f)

    def jac(th):
        with np.errstate(all="ignore"):
            J = spec.jac(x, np.broadcast_to(th, (x.size, th.size)))
            return -(J / spec.f(x, th)[:, None] if mult else J)

    best = None
    lo, hi = spec.bounds()
    for th0 in spec.start(x, y):
        th0 = _inside(th0, lo, hi)
        if not np.all(np.isfinite(res(th0))):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = optimize.least_squares(res, th0, jac=jac, bounds=(lo, hi), method="trf",
                                       x_scale="jac", max_nfev=2000)
        if np.all(np.isfinite(r.fun)) and (best is None or r.cost < best.cost):
            best = r
    if best is None:
        raise ParameterError(f"no self-start of the {spec.name} model gives finite values on "
                             "the pooled data; pass start={...}")
    return best.x


# -------------------- fit
def fit_mixed(data, model="logistic", group="region", x="year", y="value", random=("K",),
              errors="additive", start=None, tol=1e-8, max_iter=50, check_groups=True):
    """Fit a hierarchical growth curve (nonlinear mixed-effects model) by maximum likelihood.

    ``y_ij = f(x_ij, beta + A b_i) + e_ij`` with diagonal ``cov(b_i)``, estimated with the
    Lindstrom-Bates alternating PNLS / LME algorithm of R's ``nlme`` (method "ML"); see the
    module docstring for the formulas.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per observation (the layout of ``cr.data.read_csv(kind="series")``:
        ``region, year, value``).  Rows with a missing ``y`` are dropped; ``x`` may repeat
        within a group (replicates).
    model : {"logistic", "gompertz", "richards", "asymptotic", "sslogis"} or a MODEL_SPECS key
        Parameter names as in :func:`cluster_research.growth.fit`.
    group, x, y : str
        Column names of the grouping factor, the time axis and the response.
    random : str or sequence of str
        Parameters with a random effect per group (e.g. ``("K",)`` or ``("K", "t0")``).
    errors : {"additive", "multiplicative"}
        ``y = f + e`` or ``log y = log f + e`` (positive ``y`` needed).
    start : dict or sequence, optional
        Starting fixed effects; by default the model's self-start refined on the pooled data.
    tol : float, default 1e-8
        Convergence: largest relative change of the fixed effects and absolute change of
        ``log(sd_j / sigma)`` between two iterations.
    max_iter : int, default 50
        Maximum number of PNLS / LME iterations.
    check_groups : bool, default True
        Fit each group alone with :func:`cluster_research.growth.fit` and record in
        ``group_notes`` whether its own points identify the curve or it borrows from the others.

    Returns
    -------
    MixedResults

    Raises
    ------
    ParameterError
        (:class:`MissingColumnError` for a missing column) unknown model or random-effect
        name, bad values, a group with < 2 observations, < 2 groups, non-positive ``y`` with
        ``errors="multiplicative"``; the message names the column, group or parameter.

    References
    ----------
    Lindstrom, M. J. and Bates, D. M. (1990). *Biometrics* 46, 673-687.
    Pinheiro, J. C. and Bates, D. M. (2000). *Mixed-Effects Models in S and S-PLUS*, §7.2, §8.2.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> t = np.arange(2000, 2012.0)
    >>> rows = [(g, tt, (100 + 10 * u) / (1 + np.exp(-0.8 * (tt - 2006))) + rng.normal(0, 1))
    ...         for g, u in zip("ABCDEF", rng.normal(size=6)) for tt in t]
    >>> df = pd.DataFrame(rows, columns=["region", "year", "value"])
    >>> res = fit_mixed(df, model="logistic", random=("K",), check_groups=False)
    >>> res.converged, list(res.params.index)
    (True, ['K', 'k', 't0'])
    """
    if model not in MODEL_SPECS:
        raise ParameterError(f"model must be one of {tuple(MODEL_SPECS)}, got {model!r}")
    if errors not in ("additive", "multiplicative"):
        raise ParameterError(f"errors must be 'additive' or 'multiplicative', got {errors!r}")
    spec = MODEL_SPECS[model]
    random, R = _random_index(spec, random)
    xv, yv, g, labels, counts = _prepare(data, group, x, y, errors)
    m, p, q = len(labels), len(spec.param_names), R.size
    if xv.size <= p + q + 1:
        raise ParameterError(f"{xv.size} observations for {p + q + 1} parameters")
    pr = _Problem(spec, xv, yv, g, m, R, errors)
    if start is None:
        beta = _pooled_start(spec, xv, yv, errors)
    else:
        beta = np.array([start[n] for n in spec.param_names] if isinstance(start, dict)
                        else start, float)
        if beta.shape != (p,):
            raise ParameterError(f"start needs {p} values ({', '.join(spec.param_names)})")
    # initial relative precision: penalty 10% of a group's own information on each parameter
    _, J0 = pr.mean_jac(np.tile(beta, (xv.size, 1)))
    info = np.add.reduceat(J0[:, R] ** 2, pr.starts, axis=0)
    theta = -0.5 * np.log(np.maximum(0.1 * np.median(info, axis=0), 1e-300))
    theta = np.clip(theta, -_THETA_BOUND + 1, _THETA_BOUND - 1)
    z = np.r_[beta, np.zeros(m * q)]
    converged, reason, it = False, "", 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for it in range(1, max_iter + 1):
            znew, ok = pr.pnls(z, theta)
            if not ok:
                reason = f"PNLS step {it} failed (model not evaluable or singular design)"
                break
            new_theta = pr.lme(theta, pr.linearise(znew))
            db = np.max(np.abs(znew[:p] - z[:p]) / np.maximum(np.abs(znew[:p]), 1e-8))
            dt = np.max(np.abs(new_theta - theta))
            z, theta = znew, new_theta
            if it > 1 and max(db, dt) < tol:
                converged = True
                reason = (f"converged after {it} PNLS/LME iterations (relative change of the "
                          f"fixed effects {db:.1e}, of the random-effect SDs {dt:.1e} < {tol:g})")
                break
        else:
            reason = (f"not converged: {max_iter} PNLS/LME iterations reached (last changes "
                      f"{db:.1e}, {dt:.1e} > tol {tol:g})")
        z, _ = pr.pnls(z, theta)
        parts = pr.linearise(z)
        out = pr.profile(theta, parts, full=True)
    if out is None:  # honest result without standard errors or likelihood
        converged, out = False, (math.nan, *pr.split(z), pr.objective(z, theta) / pr.N,
                                 np.full((p, p), np.nan))
        reason += ("; the linearised fixed-effects design is singular: the curve is not "
                   "identified by these data (e.g. no group shows its ceiling)")
    elif abs(out[3] * pr.N / pr.objective(z, theta) - 1.0) > 1e-6:
        converged = False
        reason += ("; the linearised model does not reproduce the penalised fit (no fixed point "
                   "reached): the estimates are not a maximum of the likelihood")
    lo, hi = spec.bounds()
    tight = 1e-6 * np.maximum(1.0, np.abs(z[:p]))
    pinned = [n for n, v, a, c, e in zip(spec.param_names, z[:p], lo, hi, tight)
              if v <= a + e or v >= c - e]
    if pinned:
        converged = False
        reason += (f"; {', '.join(pinned)} at its bound {tuple(zip(lo, hi))}: not a regular "
                   "maximum, standard errors are not valid")
    # a random effect whose largest effect on a group's fit is < 1e-3 residual SDs is at zero
    size = np.exp(theta) * np.sqrt(np.max(np.diagonal(parts[0], axis1=1, axis2=2), axis=0))
    at_zero = [r for r, v in zip(random, size) if v < 1e-3]
    if at_zero:
        reason += (f"; the SD of the random effect of {', '.join(at_zero)} is essentially zero "
                   "(a boundary estimate): the data support no group-specific value")
    return MixedResults(pr, labels, counts, z, theta, out, converged, reason, it, random,
                        check_groups)


# -------------------- results
class MixedResults:
    """Hold a fitted nonlinear mixed-effects growth model (see :func:`fit_mixed`).

    Attributes
    ----------
    model, errors, formula : str
        The settings used.
    params, bse : pandas.Series
        Fixed effects (population curve, named as in ``growth.fit``) and standard errors
        ``sqrt(diag(sigma^2 N / (N - p) (X' V^-1 X)^-1))``, as ``summary.nlme`` prints them;
        :meth:`cov_params` their covariance and :meth:`conf_int` Wald intervals.
    cov_type : str
        ``"nonrobust"`` (model-based covariance, the only one).
    random : tuple of str
        Parameters with a random effect.
    cov_re, sd_re : pandas.DataFrame, pandas.Series
        Covariance (diagonal) and standard deviations of the random effects.
    scale, sigma : float
        Residual variance ``sigma^2`` (ML: penalised RSS / N, on the fitting scale) and SD.
    random_effects, group_params : pandas.DataFrame
        Predicted random effects (group x random parameter) and group-level curve parameters,
        fixed + random (group x parameter).
    group_notes : pandas.DataFrame
        Per group: ``n``, ``identified_alone`` (bool or None), ``borrowed`` (bool or None),
        ``note`` (what the group's curve takes from the others).
    llf, aic, bic : float
        Log-likelihood (on the scale of ``y``; for multiplicative errors the Jacobian
        ``-sum log y`` is included, as in ``growth.fit``) and information criteria with
        ``df_model = p + q + 1`` parameters and ``nobs`` observations (as R's ``nlme``).
    converged : bool
        Whether the alternating algorithm converged; ``convergence_message`` says why.
    n_iter, nobs, n_groups, df_model : int
    fittedvalues, resid : numpy.ndarray
        Group-level fitted values (on the scale of ``y``) and residuals on the fitting scale, in
        the order of the sorted data (``data_x``, ``data_y``, ``data_group``).
    """

    def __init__(self, pr, labels, counts, z, theta, out, converged, reason, n_iter, random,
                 check_groups):
        nll, _, _, s2, inv = out  # (beta, b) of the last LME solve equal z at convergence
        spec = pr.spec
        names = list(spec.param_names)
        self.model, self.formula = spec.name, spec.formula
        self.errors = "multiplicative" if pr.mult else "additive"
        self.random = tuple(random)
        self._spec = spec
        beta, b = pr.split(z)
        self.params = pd.Series(beta, index=names, name="estimate")
        # nlme scales the ML variance by N / (N - p) for cov(beta) (summary.nlme's Std.Error)
        cov = s2 * pr.N / (pr.N - pr.p) * inv
        self._cov = pd.DataFrame(cov, index=names, columns=names)
        self.cov_type = "nonrobust"
        self.bse = pd.Series(np.sqrt(np.diag(cov)), index=names, name="std_err")
        self.scale, self.sigma = float(s2), math.sqrt(s2)
        sd = np.exp(theta) * self.sigma
        self.sd_re = pd.Series(sd, index=list(random), name="sd")
        self.cov_re = pd.DataFrame(np.diag(sd**2), index=list(random), columns=list(random))
        idx = pd.Index(labels, name="group")
        self.random_effects = pd.DataFrame(b, index=idx, columns=list(random))
        gp = np.tile(beta, (len(labels), 1))
        gp[:, pr.R] += b
        self.group_params = pd.DataFrame(gp, index=idx, columns=names)
        self.nobs, self.n_groups = pr.N, len(labels)
        self.df_model = len(names) + len(random) + 1
        ljac = float(np.sum(pr.yfit)) if pr.mult else 0.0
        self.llf = float(-nll - ljac)
        self.aic = -2 * self.llf + 2 * self.df_model
        self.bic = -2 * self.llf + math.log(self.nobs) * self.df_model
        self.converged, self.convergence_message, self.n_iter = converged, reason, n_iter
        self.data_x, self.data_group = pr.x, np.asarray(labels, dtype=object)[pr.g]
        self.data_y = np.exp(pr.yfit) if pr.mult else pr.yfit
        mu, _ = pr.mean_jac(pr.phi(beta, b))
        self.resid = pr.yfit - mu
        self.fittedvalues = np.exp(mu) if pr.mult else mu
        self.group_notes = self._notes(pr, labels, counts, check_groups)

    # ------------------------------------------------------------------ per-group borrowing
    def _notes(self, pr, labels, counts, check):
        fixed_only = [n for n in self._spec.param_names if n not in self.random]
        common = f"{', '.join(fixed_only)} common to all groups (pooled); " if fixed_only else ""
        shared = f"{common}{', '.join(self.random)} group-specific, shrunk towards the pooled value"
        own = check and {"sslogis": "logistic"}.get(self.model, self.model) in MODELS
        rows = []
        for i, lab in enumerate(labels):
            ident, why = self._own_fit(pr.x[pr.g == i], self.data_y[pr.g == i]) if own else (
                None, "not checked" + ("" if check else " (check_groups=False)"))
            note = (f"{shared}; own fit {why}" if ident is None else
                    f"its own points identify the curve ({why}); {shared}" if ident else
                    f"its own {counts[i]} points do not identify the curve ({why}); the curve's "
                    f"shape and ceiling are borrowed from the pooled fit: {shared}")
            rows.append((lab, int(counts[i]), ident, None if ident is None else not ident, note))
        return pd.DataFrame(rows, columns=["group", "n", "identified_alone", "borrowed",
                                           "note"]).set_index("group")

    def _own_fit(self, xs, ys):
        ux, inv, cnt = np.unique(xs, return_inverse=True, return_counts=True)
        ym = (np.exp(np.bincount(inv, np.log(ys)) / cnt)  # geometric mean of replicates
              if self.errors == "multiplicative" else np.bincount(inv, ys) / cnt)
        w = cnt.astype(float) if np.any(cnt > 1) else None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = fit(ux, ym, model={"sslogis": "logistic"}.get(self.model, self.model),
                                 errors=self.errors, weights=w)
                ok, why = bool(res.converged and res.identified), res.identified_reason
        except ClusterResearchError as err:
            return False, f"fails: {err}"
        if not res.converged:
            return False, f"does not converge: {res.convergence_message}"
        return ok, why

    def cov_params(self):
        """Return the covariance of the fixed effects (DataFrame)."""
        return self._cov.copy()

    def conf_int(self, alpha=0.05):
        """Return Wald intervals ``params -/+ z_{1 - alpha/2} bse`` (columns lower, upper).

        Large-sample normal quantile, as statsmodels' ``MixedLM``.
        """
        c = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame({"lower": self.params - c * self.bse,
                             "upper": self.params + c * self.bse})

    # ------------------------------------------------------------------ curves
    def predict(self, x, group=None):
        """Evaluate the population curve or one group's curve.

        ``f(x, beta)`` for ``group=None`` (fixed effects only, R's ``level = 0``), else
        ``f(x, beta + A b_group)`` (``level = 1``).  For multiplicative errors this is the
        median of ``y``.

        Parameters
        ----------
        x : array-like
            Values of the time axis.
        group : label, optional
            A group of the data.

        Returns
        -------
        numpy.ndarray

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> rows = [(g, t, K / (1 + np.exp(-0.8 * (t - 2006))) + (-1) ** t / 2)
        ...         for g, K in (("A", 90), ("B", 100), ("C", 110)) for t in range(2000, 2012)]
        >>> res = fit_mixed(pd.DataFrame(rows, columns=["region", "year", "value"]),
        ...                 check_groups=False)
        >>> bool(res.predict([2006.0], group="C")[0] > res.predict([2006.0])[0])
        True
        """
        xx = np.atleast_1d(np.asarray(x, float))
        if group is None:
            th = self.params.to_numpy()
        elif group in self.group_params.index:
            th = self.group_params.loc[group].to_numpy()
        else:
            raise ParameterError(f"group {group!r} is not in the fitted data")
        with np.errstate(all="ignore"):
            return self._spec.f(xx, np.broadcast_to(th, (xx.size, th.size)))

    # ------------------------------------------------------------------ display
    def summary(self):
        """Return a text summary in the layout of R's ``summary.nlme``."""
        lines = [("Nonlinear mixed-effects model fit by maximum likelihood "
                  "(Lindstrom-Bates, as R nlme)"),
                 f"  Model: {self.model} ({self.formula}); errors={self.errors}",
                 f"  AIC {self.aic:.4f}  BIC {self.bic:.4f}  logLik {self.llf:.4f}",
                 f"  Converged: {self.converged} ({self.convergence_message})", "",
                 f"Random effects (diagonal): {', '.join(self.random)} | group",
                 "  StdDev: " + "  ".join(f"{n} {v:.6g}" for n, v in self.sd_re.items())
                 + f"  Residual {self.sigma:.6g}", "", "Fixed effects:",
                 f"  {'':<6}{'Value':>14}{'Std.Error':>14}{'t-value':>10}"]
        for n in self.params.index:
            v, s = self.params[n], self.bse[n]
            lines.append(f"  {n:<6}{v:>14.6g}{s:>14.6g}{v / s:>10.3f}")
        lines += ["", f"Number of observations: {self.nobs}; groups: {self.n_groups}"]
        borrowed = self.group_notes.index[self.group_notes["borrowed"].eq(True)]
        if len(borrowed):
            lines.append("Groups whose own points identify nothing (curve borrowed from the "
                         f"pooled fit): {', '.join(map(str, borrowed))}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"<MixedResults {self.model}, random={self.random}, groups={self.n_groups}, "
                f"llf={self.llf:.4f}, converged={self.converged}>")
