"""Classify an industrial cluster's lifecycle stage: 萌芽, 成长, 扩大, 起飞.

The paper (上海电子商务产业集群推进策略研究, c. 2011, section 现状) judges that
Shanghai's e-commerce cluster is in the 成长 (growth) stage of four -- 萌芽
(embryonic), 成长 (growth), 扩大 (expansion), 起飞 (take-off) -- because firms are
gathering, scale is expanding fast, inter-firm links are forming and the
infrastructure has changed a lot.  This module makes that judgement
quantitative, by several independent methods, each returning a
:class:`StageResult` that says *why* (or why it cannot classify):

``curve``
    Fit an S-shaped growth model (:func:`cluster_research.growth.fit`) and
    place the year relative to the curve's lower knee, inflection and upper
    knee (:func:`boundaries`).
``signs``
    Model-free: signs of the smoothed second and third derivatives
    (:func:`local_derivatives`).
``net_entry``
    Gort & Klepper (1982) stages from counts of firms.
``scorecard``
    The paper's four growth-stage features measured on the NBS provincial
    panel (:func:`scorecard`).
``ensemble``
    All applicable methods side by side, with their agreement.

``information="realtime"`` uses only observations dated on or before the
classified year (what the paper's authors could have known);
``"hindsight"`` uses every observation.  Gaps (NaN) are dropped, never filled,
and listed in the evidence.

Curve phases
------------
For an S-shaped level curve y(t) the two knees are the roots of y''' (the
extrema of the curvature-driving y''), the inflection the root of y''.  They
cut time into four phases::

    I    before the lower knee             y'' > 0, y''' > 0   (slow start, accelerating ever faster)
    II   lower knee -> inflection          y'' > 0, y''' < 0   (fast, still accelerating)
    III  inflection -> upper knee          y'' < 0, y''' < 0   (fast, decelerating)
    IV   after the upper knee              y'' < 0, y''' > 0   (approaching the ceiling)

References
----------
Gort, M. and Klepper, S. (1982). Time paths in the diffusion of product
innovations. *The Economic Journal* 92(367), 630-653.

Bass, F. M. (1969). A new product growth for model consumer durables.
*Management Science* 15(5), 215-227.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from cluster_research import lifecycle
>>> years = np.arange(1990, 2031)
>>> y = pd.Series(1000 / (1 + np.exp(-0.25 * (years - 2010))), index=years)
>>> lifecycle.classify(y, 2000, method="signs", information="hindsight").stage
<Stage.EMBRYONIC: 1>
"""

from __future__ import annotations

from .errors import LifecycleDataError  # noqa: F401  (re-exported)

import enum
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_PHASE_MAP",
    "PHASES",
    "LifecycleDataError",
    "Stage",
    "StageResult",
    "boundaries",
    "classify",
    "local_derivatives",
    "phase_to_stage",
    "scorecard",
    "scorecard_table",
    "stage_probabilities",
]

METHODS = ("curve", "signs", "net_entry", "scorecard", "ensemble")
INFORMATION = ("realtime", "hindsight")
PHASES = ("I", "II", "III", "IV")
BOUNDARY_ROWS = ("lower_knee", "inflection", "upper_knee")

#: ln(2 + sqrt 3): half-distance between the logistic knees in units of 1/k.
LOGISTIC_KNEE = math.log(2.0 + math.sqrt(3.0))
#: ln((3 + sqrt 5) / 2): half-distance between the Gompertz knees in units of 1/b.
GOMPERTZ_KNEE = math.log((3.0 + math.sqrt(5.0)) / 2.0)
_LOGISTIC_SHARES = (
    1.0 / (1.0 + math.exp(LOGISTIC_KNEE)),
    0.5,
    1.0 / (1.0 + math.exp(-LOGISTIC_KNEE)),
)
_GOMPERTZ_SHARES = (
    math.exp(-math.exp(GOMPERTZ_KNEE)),
    math.exp(-1.0),
    math.exp(-math.exp(-GOMPERTZ_KNEE)),
)




# --------------------------------------------------------------------------------------
# Stage
# --------------------------------------------------------------------------------------
class Stage(enum.Enum):
    """Order the four lifecycle stages of an industrial cluster.

    ``EMBRYONIC`` (萌芽) < ``GROWTH`` (成长) < ``EXPANSION`` (扩大) < ``TAKEOFF`` (起飞).

    The order is the paper's: 萌芽阶段、成长阶段、扩大阶段和起飞阶段.  *Take-off*
    comes last, so it names a self-sustaining, mature cluster (the sense of
    Rostow's "drive to self-sustained growth"), not the moment of fastest
    acceleration.  Consequently the default mapping from curve phases is
    I -> 萌芽, II -> 成长, III -> 扩大, IV -> 起飞 (see :data:`DEFAULT_PHASE_MAP`
    and :func:`phase_to_stage`; pass ``phase_map=`` to any classifier to change
    it).  On an S-curve the phases are: I before the lower knee, II lower
    knee -> inflection, III inflection -> upper knee, IV after the upper knee
    (knees = roots of y''', inflection = root of y'').  With the default
    mapping the paper's 成长 stage is the fast, still accelerating part of the
    curve between the lower knee and the inflection; 扩大 is fast but
    decelerating growth; 起飞 the approach to the ceiling.  Other readings
    (e.g. take-off as the steepest part) are one ``phase_map`` away.

    Attributes
    ----------
    zh, en : str
        Chinese and English labels.
    order : int
        1..4, also the enum value; stages compare by it.

    Examples
    --------
    >>> Stage.GROWTH.zh, Stage.GROWTH.en
    ('成长', 'growth')
    >>> Stage.EMBRYONIC < Stage.TAKEOFF
    True
    >>> Stage.from_label("扩大")
    <Stage.EXPANSION: 3>
    """

    EMBRYONIC = 1
    GROWTH = 2
    EXPANSION = 3
    TAKEOFF = 4

    @property
    def order(self) -> int:
        return int(self.value)

    @property
    def zh(self) -> str:
        return _ZH[self.value]

    @property
    def en(self) -> str:
        return _EN[self.value]

    def label(self, lang: str = "zh") -> str:
        """Return the label in ``lang`` ("zh", "en" or "both", e.g. "成长 growth")."""
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        if lang == "both":
            return f"{self.zh} {self.en}"
        raise ValueError(f"lang must be 'zh', 'en' or 'both', got {lang!r}")

    @classmethod
    def from_label(cls, label: str | Stage) -> Stage:
        """Return the stage for a name, Chinese or English label (case-insensitive)."""
        if isinstance(label, Stage):
            return label
        key = str(label).strip()
        for st in cls:
            if key in (st.zh, st.zh + "阶段") or key.lower() in (
                st.en,
                st.name.lower(),
                st.en.replace("-", ""),
            ):
                return st
        raise ValueError(f"unknown stage label {label!r}")

    def __lt__(self, other):
        if not isinstance(other, Stage):
            return NotImplemented
        return self.value < other.value

    def __le__(self, other):
        if not isinstance(other, Stage):
            return NotImplemented
        return self.value <= other.value

    def __gt__(self, other):
        if not isinstance(other, Stage):
            return NotImplemented
        return self.value > other.value

    def __ge__(self, other):
        if not isinstance(other, Stage):
            return NotImplemented
        return self.value >= other.value


_ZH = {1: "萌芽", 2: "成长", 3: "扩大", 4: "起飞"}
_EN = {1: "embryonic", 2: "growth", 3: "expansion", 4: "take-off"}

#: Default mapping of curve phases I-IV (see module docstring) to stages.
DEFAULT_PHASE_MAP: dict[str, Stage] = {
    "I": Stage.EMBRYONIC,
    "II": Stage.GROWTH,
    "III": Stage.EXPANSION,
    "IV": Stage.TAKEOFF,
}


def _check_phase_map(phase_map) -> dict[str, Stage]:
    if phase_map is None:
        return dict(DEFAULT_PHASE_MAP)
    if set(phase_map) != set(PHASES):
        raise ValueError(f"phase_map must have exactly the keys {PHASES}, got {sorted(phase_map)}")
    return {k: Stage.from_label(v) for k, v in phase_map.items()}


def phase_to_stage(phase: str | int, phase_map: dict | None = None) -> Stage:
    """Map a curve phase ("I".."IV" or 1..4) to a :class:`Stage`.

    Parameters
    ----------
    phase : {"I", "II", "III", "IV"} or int 1..4
    phase_map : dict, optional
        Mapping phase -> Stage (or label); default :data:`DEFAULT_PHASE_MAP`
        (I 萌芽, II 成长, III 扩大, IV 起飞).

    Returns
    -------
    Stage

    Examples
    --------
    >>> phase_to_stage("II").zh
    '成长'
    >>> phase_to_stage(4, {"I": "萌芽", "II": "萌芽", "III": "成长", "IV": "扩大"}).en
    'expansion'
    """
    pm = _check_phase_map(phase_map)
    if isinstance(phase, (int, np.integer)):
        if not 1 <= int(phase) <= 4:
            raise ValueError(f"phase must be 1..4, got {phase}")
        phase = PHASES[int(phase) - 1]
    if phase not in pm:
        raise ValueError(f"phase must be one of {PHASES}, got {phase!r}")
    return pm[phase]


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------
@dataclass
class StageResult:
    """Hold the outcome of one classification.

    Attributes
    ----------
    stage : Stage or None
        ``None`` when the method cannot classify; :attr:`reason` says why.
    method, information : str
    year : int
    reason : str
        Why this stage (or why none).
    evidence : dict
        The numbers used (fitted parameters, boundaries, derivatives, scores,
        the observations used, gaps dropped, ...).
    phase : str or None
        Curve phase I-IV where the method works with phases.
    """

    stage: Stage | None
    method: str
    information: str
    year: int
    reason: str
    evidence: dict = field(default_factory=dict)
    phase: str | None = None

    @property
    def classified(self) -> bool:
        return self.stage is not None

    def label(self, lang: str = "zh") -> str | None:
        """Return the stage label in ``lang``, or None if unclassified."""
        return None if self.stage is None else self.stage.label(lang)

    def to_dict(self) -> dict:
        """Return a flat summary (stage name, labels, method, information, year, reason)."""
        return {
            "method": self.method,
            "information": self.information,
            "year": self.year,
            "stage": None if self.stage is None else self.stage.name,
            "stage_zh": self.label("zh"),
            "stage_en": self.label("en"),
            "phase": self.phase,
            "reason": self.reason,
        }

    def __repr__(self) -> str:
        st = "None" if self.stage is None else f"{self.stage.name} ({self.stage.zh})"
        return (
            f"StageResult(stage={st}, method={self.method!r}, information={self.information!r}, "
            f"year={self.year}, reason={self.reason!r})"
        )


def _unclassified(method, information, year, reason, **evidence) -> StageResult:
    return StageResult(None, method, information, int(year), reason, dict(evidence))


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------
def _check_year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, (int, np.integer, float, np.floating)):
        raise LifecycleDataError(f"year must be an integer calendar year, got {year!r}")
    if float(year) != int(year):
        raise LifecycleDataError(f"year must be an integer calendar year, got {year!r}")
    return int(year)


def _check_information(information: str) -> str:
    if information not in INFORMATION:
        raise ValueError(f"information must be one of {INFORMATION}, got {information!r}")
    return information


def _clean_series(series, name: str = "series") -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Validate a year-indexed series; return (years, values, gap_years), NaN dropped."""
    if not isinstance(series, pd.Series):
        raise LifecycleDataError(
            f"{name} must be a pandas Series indexed by int year, got {type(series).__name__}"
        )
    idx = series.index
    try:
        yrs = np.asarray(idx, dtype=float)
    except (TypeError, ValueError) as exc:
        raise LifecycleDataError(f"{name} index must be integer years: {exc}") from None
    if len(yrs) and (not np.all(np.isfinite(yrs)) or np.any(yrs != np.round(yrs))):
        raise LifecycleDataError(f"{name} index must be integer years, got {list(idx)[:5]}...")
    if len(set(yrs.tolist())) != len(yrs):
        dup = sorted({int(y) for y in yrs if (yrs == y).sum() > 1})
        raise LifecycleDataError(f"{name} has duplicate years {dup}")
    try:
        vals = pd.to_numeric(series, errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise LifecycleDataError(f"{name} values must be numeric: {exc}") from None
    if np.any(np.isinf(vals)):
        bad = [int(y) for y, v in zip(yrs, vals) if np.isinf(v)]
        raise LifecycleDataError(f"{name} has infinite values at years {bad}")
    order = np.argsort(yrs)
    yrs, vals = yrs[order].astype(int), vals[order]
    gaps = [int(y) for y, v in zip(yrs, vals) if np.isnan(v)]
    ok = ~np.isnan(vals)
    return yrs[ok], vals[ok], gaps


def _restrict(years, values, year, information):
    if information == "realtime":
        keep = years <= year
        return years[keep], values[keep]
    return years, values


# --------------------------------------------------------------------------------------
# Boundaries of S-curves
# --------------------------------------------------------------------------------------
def _analytic_boundaries(model: str, P: dict[str, np.ndarray], extra: dict | None = None):
    """Vectorised boundary years and shares.

    Returns (years (n, 3), shares (n, 3), notes list[str] of length 3 or None,
    valid (n,) bool, passed (n, 3) bool).  ``passed`` marks boundaries that lie
    before the curve's domain (Bass: before adoption starts) and so count as
    already crossed.
    """
    extra = extra or {}
    n = len(next(iter(P.values())))
    years = np.full((n, 3), np.nan)
    shares = np.full((n, 3), np.nan)
    passed = np.zeros((n, 3), dtype=bool)
    notes = [""] * 3
    if model == "logistic":
        K, k, t0 = P["K"], P["k"], P["t0"]
        valid = (K > 0) & (k > 0) & np.isfinite(t0)
        d = LOGISTIC_KNEE / np.where(valid, k, np.nan)
        years[:] = np.column_stack([t0 - d, t0, t0 + d])
        shares[:] = _LOGISTIC_SHARES
    elif model == "gompertz":
        K, b, t0 = P["K"], P["b"], P["t0"]
        valid = (K > 0) & (b > 0) & np.isfinite(t0)
        d = GOMPERTZ_KNEE / np.where(valid, b, np.nan)
        years[:] = np.column_stack([t0 - d, t0, t0 + d])
        shares[:] = _GOMPERTZ_SHARES
    elif model == "bass":
        M, p, q = P["M"], P["p"], P["q"]
        tau = P["tau"] if "tau" in P else np.full(n, extra.get("tau", np.nan), dtype=float)
        valid = (M > 0) & (p > 0) & (q > 0) & np.isfinite(tau)
        c = np.where(valid, p + q, np.nan)
        a = np.where(valid, q / np.where(p > 0, p, np.nan), np.nan)
        tstar = tau + np.log(a) / c
        d = LOGISTIC_KNEE / c
        years[:] = np.column_stack([tstar - d, tstar, tstar + d])
        L = np.array(_LOGISTIC_SHARES)
        shares[:] = ((1.0 + a)[:, None] * L[None, :] - 1.0) / a[:, None]
        before = years < tau[:, None]
        passed = before & valid[:, None]
        years[before] = np.nan
        shares[before] = np.nan
        if n == 1 and valid[0]:
            if before[0, 1]:
                notes[1] = "no inflection: q <= p, so the adoption curve is concave from the start"
            if before[0, 0]:
                notes[0] = "lies before adoption starts (tau): already passed"
            if before[0, 2]:
                notes[2] = "lies before adoption starts (tau): already passed"
    else:
        raise ValueError(f"no analytic boundaries for model {model!r}")
    years[~valid] = np.nan
    shares[~valid] = np.nan
    passed[~valid] = False
    return years, shares, notes, valid, passed


def _fd3(f, t, h):
    return (f(t + 2 * h) - 2 * f(t + h) + 2 * f(t - h) - f(t - 2 * h)) / (2 * h**3)


def _fd2(f, t, h):
    return (f(t + h) - 2 * f(t) + f(t - h)) / h**2


def _numeric_boundaries(curve, lo: float, hi: float, n_grid: int = 4001):
    """Find lower knee, inflection and upper knee of ``curve(t)`` on [lo, hi] numerically.

    y''' is evaluated by central finite differences (step h = span / 4000) on a
    grid; sign changes + -> - (lower knee) and - -> + (upper knee) of y''' and
    + -> - of y'' (inflection) are refined with Brent's method.
    """
    from scipy.optimize import brentq

    grid = np.linspace(lo, hi, n_grid)
    h = (hi - lo) / 4000.0
    with np.errstate(all="ignore"):
        d2 = _fd2(curve, grid, h)
        d3 = _fd3(curve, grid, h)
    out = [np.nan, np.nan, np.nan]

    def root(fun, vals, sign_from):
        s = np.sign(vals)
        idx = np.where((s[:-1] == sign_from) & (s[1:] == -sign_from))[0]
        return idx

    i_inf = root(None, d2, 1)
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
    up = root(None, d3, 1)
    dn = root(None, d3, -1)
    ref = out[1]
    if np.isfinite(ref):
        up = [i for i in up if grid[i] <= ref]
        dn = [i for i in dn if grid[i] >= ref]
        if len(up):
            i = up[-1]
            out[0] = brentq(lambda t: _fd3(curve, t, h), grid[i], grid[i + 1])
        if len(dn):
            i = dn[0]
            out[2] = brentq(lambda t: _fd3(curve, t, h), grid[i], grid[i + 1])
    return np.array(out, dtype=float)


def _res_params(res) -> pd.Series:
    return pd.Series(res.params, dtype=float)


def _res_cov(res, names) -> np.ndarray:
    try:
        cov = res.cov_params()
    except Exception:  # noqa: BLE001 - reported as missing interval
        return np.full((len(names), len(names)), np.nan)
    if isinstance(cov, pd.DataFrame):
        cov = cov.reindex(index=names, columns=names)
    return np.asarray(cov, dtype=float)


def _search_range(res, theta: pd.Series) -> tuple[float, float]:
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


def _boundary_years_for(res, theta: pd.Series, rng=None):
    """Return (years(3,), shares(3,), notes, passed(3,)) for one parameter vector."""
    model = res.model
    if model in ("logistic", "gompertz", "bass"):
        P = {k: np.array([v]) for k, v in theta.items()}
        extra = {"tau": getattr(res, "tau", np.nan)} if model == "bass" else None
        yrs, sh, notes, _valid, passed = _analytic_boundaries(model, P, extra)
        return yrs[0], sh[0], notes, passed[0]
    # numerical (richards and any other S-curve): roots of the level curve's derivatives
    lo, hi = rng if rng is not None else _search_range(res, theta)

    def curve(t):
        arr = np.asarray(res.curve(np.atleast_1d(np.asarray(t, dtype=float)),
                                   params=theta.values), dtype=float)
        return arr if np.ndim(t) else float(arr[0])

    yrs = _numeric_boundaries(curve, lo, hi)
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
    * Richards (and any other curve): numerically, as the sign changes of
      finite-difference y'' and y''' of ``res.curve`` refined by Brent's method.

    Intervals use the delta method: ``se² = g' Σ g`` with ``g`` the central
    finite-difference gradient of the boundary year with respect to the
    parameters and ``Σ = res.cov_params()``.

    Examples
    --------
    >>> import numpy as np
    >>> from cluster_research import growth, lifecycle
    >>> t = np.arange(2000, 2021)
    >>> res = growth.fit(t, 100 / (1 + np.exp(-0.5 * (t - 2010))), model="logistic")
    >>> lifecycle.boundaries(res)["year"].round(2).tolist()
    [2007.37, 2010.0, 2012.63]
    """
    from scipy.stats import norm

    model = getattr(res, "model", None)
    out = pd.DataFrame(
        np.nan, index=list(BOUNDARY_ROWS),
        columns=["year", "ci_low", "ci_high", "share_of_ceiling", "se"],
    )
    out["note"] = ""
    out.index.name = "boundary"
    out.attrs.update(model=model, identified=False, reason="")
    if model == "exponential" or getattr(res, "ceiling", 1.0) is None:
        reason = "exponential growth has no ceiling, hence no knees or inflection"
        out["note"] = reason
        out.attrs["reason"] = reason
        return out
    if not getattr(res, "converged", True):
        reason = f"fit did not converge: {getattr(res, 'convergence_message', '')}".strip()
        out["note"] = reason
        out.attrs["reason"] = reason
        return out
    if not getattr(res, "identified", True):
        reason = "ceiling not identified: " + str(getattr(res, "identified_reason", ""))
        out["note"] = reason
        out.attrs["reason"] = reason
        return out
    theta = _res_params(res)
    names = list(theta.index)
    rng = None if model in ("logistic", "gompertz", "bass") else _search_range(res, theta)
    yrs, sh, notes, passed = _boundary_years_for(res, theta, rng)
    cov = _res_cov(res, names)
    # delta method: numerical gradient of each boundary year
    grad = np.full((3, len(names)), np.nan)
    se_theta = np.sqrt(np.clip(np.diag(cov), 0, None)) if np.all(np.isfinite(cov)) else None
    for j, nm in enumerate(names):
        base = abs(theta[nm])
        if se_theta is not None and np.isfinite(se_theta[j]) and se_theta[j] > 0:
            h = 1e-3 * se_theta[j]
        else:
            h = 1e-6 * max(base, 1.0)
        tp, tm = theta.copy(), theta.copy()
        tp[nm] += h
        tm[nm] -= h
        yp = _boundary_years_for(res, tp, rng)[0]
        ym = _boundary_years_for(res, tm, rng)[0]
        grad[:, j] = (yp - ym) / (2 * h)
    with np.errstate(invalid="ignore"):
        var = np.einsum("ij,jk,ik->i", grad, cov, grad)
    se = np.sqrt(np.where(var >= 0, var, np.nan))
    z = norm.ppf(1 - alpha / 2)
    out["year"] = yrs
    out["se"] = se
    out["ci_low"] = yrs - z * se
    out["ci_high"] = yrs + z * se
    out["share_of_ceiling"] = sh
    out["note"] = notes
    out.attrs.update(identified=True, reason="", passed=passed.tolist())
    if not np.all(np.isfinite(cov)):
        out.attrs["reason"] = "covariance not available: intervals are NaN"
    return out


def _phase_from_boundaries(year: float, yrs: np.ndarray, passed: np.ndarray) -> np.ndarray:
    """Vectorised phase index 1..4 (0 where undetermined). yrs, passed: (n, 3)."""
    yrs = np.atleast_2d(yrs)
    passed = np.atleast_2d(passed)
    eff = np.where(passed, -np.inf, yrs)
    ok = np.all(np.isfinite(eff) | passed, axis=1)
    phase = 1 + np.sum(year >= eff, axis=1)
    return np.where(ok, phase, 0)


# --------------------------------------------------------------------------------------
# Curve method
# --------------------------------------------------------------------------------------
def _classify_curve(years, values, year, information, *, model="logistic",
                    errors="multiplicative", phase_map=None, min_points=5, fit_kwargs=None,
                    gaps=(), **unknown):
    if unknown:
        raise TypeError(f"unknown option(s) for method='curve': {sorted(unknown)}")
    from cluster_research import growth

    pm = _check_phase_map(phase_map)
    ev: dict[str, Any] = {"model": model, "errors": errors, "n_obs": len(years),
                          "years_used": years.tolist(), "gaps_dropped": list(gaps)}
    if len(years) < min_points:
        return _unclassified("curve", information, year,
                             f"too short: {len(years)} observations (need >= {min_points}) "
                             f"to fit a {model} curve", **ev)
    try:
        res = growth.fit(years, values, model=model, errors=errors, **(fit_kwargs or {}))
    except ValueError as exc:
        return _unclassified("curve", information, year, f"{model} fit failed: {exc}", **ev)
    ev["fit"] = res
    ev["params"] = _res_params(res).to_dict()
    tab = boundaries(res)
    ev["boundaries"] = tab
    if not tab.attrs.get("identified", False):
        return _unclassified("curve", information, year, tab.attrs.get("reason", ""), **ev)
    passed = np.array(tab.attrs.get("passed", [False] * 3))
    ph = int(_phase_from_boundaries(year, tab["year"].to_numpy()[None, :], passed[None, :])[0])
    if ph == 0:
        return _unclassified("curve", information, year,
                             "boundaries could not be located: "
                             + "; ".join(n for n in tab["note"] if n), **ev)
    phase = PHASES[ph - 1]
    stage = pm[phase]
    desc = ", ".join(f"{r} {tab.loc[r, 'year']:.1f}" for r in BOUNDARY_ROWS
                     if np.isfinite(tab.loc[r, "year"]))
    reason = f"{model} fit on {len(years)} obs: {year} lies in phase {phase} ({desc})"
    close = [r for r in BOUNDARY_ROWS
             if tab.loc[r, "ci_low"] <= year <= tab.loc[r, "ci_high"]]
    if close:
        reason += f"; {year} is inside the 95% interval of {', '.join(close)}: uncertain"
    ev["uncertain_near"] = close
    return StageResult(stage, "curve", information, year, reason, ev, phase)


# --------------------------------------------------------------------------------------
# Signs method
# --------------------------------------------------------------------------------------
def _select_window(years, year, window, information):
    if information == "realtime":
        idx = np.where(years <= year)[0]
        return idx[-window:]
    d = np.abs(years - year)
    order = np.lexsort((years, d))
    return np.sort(order[:window])


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
    LifecycleDataError
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
        raise LifecycleDataError(f"need at least {p + 1} points for a degree-{degree} local fit")
    if weights == "relative":
        if np.any(y <= 0):
            bad = x[y <= 0].astype(int).tolist()
            raise LifecycleDataError(
                f"relative weights need positive values; non-positive at years {bad} "
                "(use weights='equal')")
        logw = -2.0 * np.log(y)
        w = np.exp(logw - logw.max())  # 1/y^2 rescaled (avoids overflow for tiny y)
    elif weights == "equal":
        w = np.ones_like(y)
    else:
        raise ValueError(f"weights must be 'relative' or 'equal', got {weights!r}")
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


def _phase_from_signs(d2, d3):
    d2 = np.asarray(d2)
    d3 = np.asarray(d3)
    # I: + +, II: + -, III: - -, IV: - +
    return np.where(d2 > 0, np.where(d3 > 0, 1, 2), np.where(d3 < 0, 3, 4))


def _derivative_operator(x, y, grid, window, degree, weights):
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
    if weights == "relative":
        yy = y[idx]
        if np.any(yy <= 0):
            bad = x[y <= 0].astype(int).tolist()
            raise LifecycleDataError(
                f"relative weights need positive values; non-positive at years {bad} "
                "(use weights='equal')")
        logw = -2.0 * np.log(yy)
        w = np.exp(logw - logw.max(axis=1, keepdims=True))
    elif weights == "equal":
        w = np.ones(idx.shape)
    else:
        raise ValueError(f"weights must be 'relative' or 'equal', got {weights!r}")
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


def _landmark_phases(D, grid, year, D1=None):
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


def _landmark_grid(years, year) -> np.ndarray:
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


def _classify_signs(years, values, year, information, *, window=11, degree=2,
                    weights="equal", max_gap=1, min_points=None, rule="landmarks",
                    phase_map=None, gaps=(), **unknown):
    if unknown:
        raise TypeError(f"unknown option(s) for method='signs': {sorted(unknown)}")
    pm = _check_phase_map(phase_map)
    if rule not in ("landmarks", "pointwise"):
        raise ValueError(f"rule must be 'landmarks' or 'pointwise', got {rule!r}")
    deg = 3 if rule == "pointwise" else degree
    if deg < 2:
        raise ValueError("degree must be >= 2 to estimate a second derivative")
    if min_points is None:
        min_points = window + 4
    need = max(deg + 2, min_points) if rule == "landmarks" else deg + 2
    if window < deg + 2:
        raise ValueError(f"window must be >= {deg + 2} for degree {deg}")
    ev: dict[str, Any] = {"rule": rule, "window": window, "degree": deg, "weights": weights,
                          "gaps_dropped": list(gaps), "n_obs": len(years)}
    upto = f" up to {year}" if information == "realtime" else ""
    if len(years) < need:
        return _unclassified("signs", information, year,
                             f"too short: {len(years)} usable observations{upto} "
                             f"(need >= {need})", **ev)  # window + 4 by default
    nearest = float(np.min(np.abs(years - year)))
    if nearest > max_gap:
        return _unclassified("signs", information, year,
                             f"no observation within {max_gap} year(s) of {year} "
                             f"(nearest is {nearest:.0f} years away; gaps are not filled)", **ev)
    if rule == "pointwise":
        idx = _select_window(years, year, window, information)
        xw, yw = years[idx], values[idx]
        loc = local_derivatives(xw, yw, year, degree=3, weights=weights)
        d, se = loc["deriv"], loc["se"]
        ev.update(local_fit=loc, years_used=xw.tolist(), level=d[0], d1=d[1], d2=d[2],
                  d3=d[3], se_d2=se[2], se_d3=se[3])
        if d[2] == 0 or d[3] == 0:
            return _unclassified("signs", information, year, "y'' or y''' exactly zero", **ev)
        ph = int(_phase_from_signs(d[2], d[3]))
        phase = PHASES[ph - 1]
        sg = lambda v: "+" if v > 0 else "-"
        reason = (f"local cubic on {len(idx)} obs {int(xw.min())}-{int(xw.max())}: "
                  f"y''={d[2]:.4g} ({sg(d[2])}), y'''={d[3]:.4g} ({sg(d[3])}) -> phase {phase}")
        return StageResult(pm[phase], "signs", information, year, reason, ev, phase)
    grid = _landmark_grid(years, year)
    L = _derivative_operator(years.astype(float), values, grid, window, deg, weights)
    paths = np.einsum("kgn,n->kg", L, values)
    ph, lk, inf, uk = (a[0] for a in _landmark_phases(paths[2][None, :], grid, year,
                                                             paths[1][None, :]))
    phase = PHASES[int(ph) - 1]
    gi = int(np.searchsorted(grid, year))
    ev.update(operator=L, grid=grid, years_used=years.tolist(), values_used=values.tolist(),
              paths=pd.DataFrame({"level": paths[0], "d1": paths[1], "d2": paths[2]},
                                 index=pd.Index(grid.astype(int), name="year")),
              lower_knee=lk, inflection=inf, upper_knee=uk, d2=paths[2][gi], d1=paths[1][gi])

    def show(v):
        return "not passed" if not np.isfinite(v) else f"{v:.1f}"

    kind = "quadratic" if deg == 2 else f"degree-{deg}"
    reason = (f"smoothed y'' path (local {kind} fits on {window} obs) from {len(years)} obs "
              f"{int(years.min())}-{int(years.max())}: max y'' (lower knee) {show(lk)}, "
              f"max y' (inflection) {show(inf)}, min y'' (upper knee) {show(uk)} "
              f"-> {year} in phase {phase}")
    return StageResult(pm[phase], "signs", information, year, reason, ev, phase)


# --------------------------------------------------------------------------------------
# Net entry (Gort & Klepper)
# --------------------------------------------------------------------------------------
def _classify_net_entry(years, values, year, information, *, band=0.05, window=11, degree=2,
                        max_gap=1, min_points=None, gaps=(), **unknown):
    if unknown:
        raise TypeError(f"unknown option(s) for method='net_entry': {sorted(unknown)}")
    if min_points is None:
        min_points = window + 4
    ev: dict[str, Any] = {"band": band, "window": window, "degree": degree,
                          "gaps_dropped": list(gaps), "n_obs": len(years)}
    upto = f" up to {year}" if information == "realtime" else ""
    if len(years) < min_points:
        return _unclassified("net_entry", information, year,
                             f"too short: {len(years)} firm counts{upto} (need >= {min_points}"
                             f" = window + 4; a smaller window= smooths less)", **ev)
    nearest = float(np.min(np.abs(years - year)))
    if nearest > max_gap:
        return _unclassified("net_entry", information, year,
                             f"no firm count within {max_gap} year(s) of {year} "
                             "(gaps are not filled)", **ev)
    grid = _landmark_grid(years, year)
    L = _derivative_operator(years.astype(float), values, grid, window, degree, "equal")
    paths = np.einsum("kgn,n->kg", L, values)
    level, d1 = paths[0], paths[1]
    gi = int(np.searchsorted(grid, year))
    if level[gi] <= 0:
        return _unclassified("net_entry", information, year,
                             f"smoothed firm count at {year} is not positive: rate undefined",
                             **ev)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_path = np.where(level > 0, d1 / level, np.nan)
    ph, lk, _, _ = (a[0] for a in _landmark_phases(paths[2][None, :], grid, year,
                                                             paths[1][None, :]))
    rate = rate_path[gi]
    wave = np.where(rate_path[:gi] > band)[0]
    # a shakeout counts only after an entry wave (Gort-Klepper order); rates before the
    # first wave (tiny, noisy counts) are ignored
    earlier = rate_path[wave[0]:gi] if len(wave) else np.array([])
    ev.update(paths=pd.DataFrame({"firms": level, "net_entry": d1, "net_entry_rate": rate_path,
                                  "d_net_entry": paths[2]},
                                 index=pd.Index(grid.astype(int), name="year")),
              firms=level[gi], net_entry=d1[gi], net_entry_rate=rate,
              entry_acceleration_peak=lk, years_used=years.tolist())
    r = (f"smoothed net entry {d1[gi]:.4g} firms/yr = {rate:.1%} of {level[gi]:.4g} firms "
         f"in {year}")
    if rate < -band:
        return StageResult(Stage.TAKEOFF, "net_entry", information, year,
                           r + f" < -{band:.0%}: shakeout (Gort-Klepper stage 4), mature", ev)
    if rate <= band:
        if np.any(earlier < -band):
            return StageResult(Stage.TAKEOFF, "net_entry", information, year,
                               r + ": near zero after a shakeout (Gort-Klepper stage 5)", ev)
        if np.any(earlier > band):
            return StageResult(Stage.EXPANSION, "net_entry", information, year,
                               r + ": near zero after an entry wave (Gort-Klepper stage 3)", ev)
        return _unclassified("net_entry", information, year,
                             r + ": near zero with no earlier entry wave or shakeout observed; "
                             "Gort-Klepper stage 1 or 5 cannot be told apart", **ev)
    if int(ph) == 1:
        return StageResult(Stage.EMBRYONIC, "net_entry", information, year,
                           r + f" > {band:.0%}, entry still accelerating ever faster (before "
                           "the peak of d(net entry)/dt): Gort-Klepper stage 1", ev)
    return StageResult(Stage.GROWTH, "net_entry", information, year,
                       r + f" > {band:.0%}, past the peak acceleration of entry "
                       f"({lk:.0f}): sharp rise in the number of firms, Gort-Klepper stage 2",
                       ev)


# --------------------------------------------------------------------------------------
# Scorecard
# --------------------------------------------------------------------------------------
SCORECARD_INDICATORS = {
    # component: (dimension, role, description)
    "firms_share": ("gathering", "level", "ecommerce_firms_share (% of enterprises)"),
    "firms_growth": ("gathering", "momentum", "growth of ecommerce_firms y/y"),
    "sales_growth": ("scale", "momentum", "growth of ecommerce_sales y/y"),
    "sales_acceleration": ("scale", "acceleration",
                           "change in ecommerce_sales growth (percentage points)"),
    "links_ratio": ("links", "level",
                    "ecommerce_purchases / ecommerce_sales (proxy for inter-firm links)"),
    "websites": ("infrastructure", "level", "websites_per_100_firms"),
    "computers": ("infrastructure", "level", "computers_per_100_people"),
    "broadband_growth": ("infrastructure", "momentum", "growth of broadband_users y/y"),
    "mobile_growth": ("infrastructure", "momentum", "growth of mobile_internet_users y/y"),
}
_PANEL_NEEDED = ("ecommerce_firms", "ecommerce_firms_share", "ecommerce_sales",
                 "ecommerce_purchases", "websites_per_100_firms", "computers_per_100_people",
                 "broadband_users", "mobile_internet_users")


def _panel_components(panel: pd.DataFrame) -> pd.DataFrame:
    """Return components per (region, year) from the long provincial panel (no filling)."""
    need = {"region", "year", "indicator", "value"}
    miss = need - set(panel.columns)
    if miss:
        raise LifecycleDataError(f"provincial panel lacks columns {sorted(miss)}")
    sub = panel[panel["indicator"].isin(_PANEL_NEEDED)]
    dup = sub.duplicated(["region", "year", "indicator"])
    if dup.any():
        r = sub[dup].iloc[0]
        raise LifecycleDataError(
            f"provincial panel has duplicate rows, e.g. region {r['region']} year {r['year']} "
            f"indicator {r['indicator']}")
    wide = sub.pivot(index=["region", "year"], columns="indicator", values="value")
    wide = wide.reindex(columns=list(_PANEL_NEEDED)).astype(float)
    wide = wide.sort_index()

    def growth(col):
        g = wide[col].groupby(level="region")
        prev = g.shift(1)
        prev_year = pd.Series(wide.index.get_level_values("year"), index=wide.index)
        prev_year = prev_year.groupby(level="region").shift(1)
        consecutive = prev_year == wide.index.get_level_values("year") - 1
        return (wide[col] / prev - 1).where(consecutive)

    comp = pd.DataFrame(index=wide.index)
    comp["firms_share"] = wide["ecommerce_firms_share"]
    comp["firms_growth"] = growth("ecommerce_firms")
    comp["sales_growth"] = growth("ecommerce_sales")
    prev_g = comp["sales_growth"].groupby(level="region").shift(1)
    yr = pd.Series(comp.index.get_level_values("year"), index=comp.index)
    consecutive = yr.groupby(level="region").shift(1) == yr - 1
    comp["sales_acceleration"] = (comp["sales_growth"] - prev_g).where(consecutive)
    with np.errstate(divide="ignore", invalid="ignore"):
        comp["links_ratio"] = wide["ecommerce_purchases"] / wide["ecommerce_sales"].where(
            wide["ecommerce_sales"] > 0)
    comp["websites"] = wide["websites_per_100_firms"]
    comp["computers"] = wide["computers_per_100_people"]
    comp["broadband_growth"] = growth("broadband_users")
    comp["mobile_growth"] = growth("mobile_internet_users")
    return comp


def _resolve_region(panel: pd.DataFrame, region: str) -> str:
    key = str(region).strip()
    cols = [c for c in ("region", "region_en", "region_code") if c in panel.columns]
    for c in cols:
        vals = panel[c].astype(str)
        hit = panel.loc[vals.str.lower() == key.lower(), "region"]
        if len(hit):
            return str(hit.iloc[0])
    stripped = key.rstrip("市省").replace("自治区", "")
    hit = panel.loc[panel["region"].astype(str) == stripped, "region"]
    if len(hit):
        return str(hit.iloc[0])
    raise LifecycleDataError(f"region {region!r} not found in the provincial panel")


def _load_panel(panel):
    if panel is not None:
        return panel
    from cluster_research import data

    return data.load("provincial_panel")


def scorecard_table(year: int, *, panel: pd.DataFrame | None = None, threshold: float = 0.5,
                    min_components: int = 2) -> pd.DataFrame:
    """Score every region of the provincial panel in ``year`` (see :func:`scorecard`).

    Parameters
    ----------
    year : int
    panel : DataFrame, optional
        Long panel (region, year, indicator, value); default the packaged NBS panel.
    threshold : float, default 0.5
        Percentile threshold of the stage rule.
    min_components : int, default 2
        Components a composite needs.

    Returns
    -------
    pandas.DataFrame
        One row per region: the nine components, their within-year percentiles
        (``pct_<component>``), the four dimension scores, the composites
        ``level``, ``momentum``, ``acceleration``, ``stage`` (Stage or None)
        and ``reason``.

    Raises
    ------
    LifecycleDataError
        ``year`` outside the panel, missing columns or duplicate rows.

    Examples
    --------
    >>> tab = scorecard_table(2020)                        # doctest: +SKIP
    >>> tab["stage"].map(lambda s: s and s.zh).value_counts()   # doctest: +SKIP
    """
    year = _check_year(year)
    panel = _load_panel(panel)
    comp = _panel_components(panel)
    years = comp.index.get_level_values("year")
    if year not in set(years):
        first, last = int(years.min()), int(years.max())
        raise LifecycleDataError(f"year {year} not in the provincial panel ({first}-{last})")
    cur = comp.xs(year, level="year")
    # mid-rank percentiles (rank - 0.5) / n among the regions with a value: symmetric,
    # so the median region scores exactly 0.5 whatever n is
    pct = (cur.rank(method="average") - 0.5) / cur.notna().sum()
    pct.columns = ["pct_" + c for c in pct.columns]
    out = pd.concat([cur, pct], axis=1)
    rows = [_score_row(out.loc[r], threshold, min_components) for r in out.index]
    scored = pd.DataFrame(rows, index=out.index)
    out = pd.concat([out, scored], axis=1)
    out.attrs.update(year=year, n_regions=len(out), threshold=threshold)
    return out


def _score_row(row: pd.Series, threshold: float, min_components: int) -> dict:
    def mean_of(keys):
        vals = [row["pct_" + k] for k in keys if np.isfinite(row["pct_" + k])]
        missing = [k for k in keys if not np.isfinite(row["pct_" + k])]
        return (float(np.mean(vals)) if vals else np.nan), missing

    dims = {}
    for dim in ("gathering", "scale", "links", "infrastructure"):
        keys = [k for k, v in SCORECARD_INDICATORS.items() if v[0] == dim]
        dims[dim] = mean_of(keys)[0]
    level_keys = [k for k, v in SCORECARD_INDICATORS.items() if v[1] == "level"]
    mom_keys = [k for k, v in SCORECARD_INDICATORS.items() if v[1] == "momentum"]
    level, miss_l = mean_of(level_keys)
    momentum, miss_m = mean_of(mom_keys)
    accel = row["pct_sales_acceleration"]
    rec = {**dims, "level": level, "momentum": momentum, "acceleration": accel,
           "growth_features_present": int(sum(v >= threshold for v in dims.values()
                                              if np.isfinite(v)))}
    problems = []
    if len(level_keys) - len(miss_l) < min_components:
        problems.append(f"level needs >= {min_components} of {level_keys}; missing {miss_l}")
    if len(mom_keys) - len(miss_m) < min_components:
        problems.append(f"momentum needs >= {min_components} of {mom_keys}; missing {miss_m}")
    if not np.isfinite(accel):
        problems.append("sales acceleration missing (needs ecommerce_sales in t, t-1, t-2)")
    if problems:
        rec.update(stage=None, reason="cannot score: " + "; ".join(problems))
        return rec
    fmt = f"momentum {momentum:.2f}, acceleration {accel:.2f}, level {level:.2f}"
    if momentum >= threshold:
        if accel >= threshold:
            st, why = Stage.GROWTH, "fast and accelerating growth (成长)"
        else:
            st, why = Stage.EXPANSION, "fast but decelerating growth (扩大)"
    elif level >= threshold:
        st, why = Stage.TAKEOFF, "high level, slower growth: mature (起飞)"
    else:
        st, why = Stage.EMBRYONIC, "low level and slow growth (萌芽)"
    rec.update(stage=st, reason=f"{fmt} (percentiles among provinces): {why}")
    return rec


def scorecard(region: str, year: int, information: str = "realtime", *,
              panel: pd.DataFrame | None = None, threshold: float = 0.5,
              min_components: int = 2) -> StageResult:
    """Score the paper's four growth-stage features for a region and year.

    The paper names four features of the 成长 stage: firms gathering, scale
    expanding fast, inter-firm links forming and much-improved infrastructure.
    Each is measured from the NBS provincial panel (``data.load("provincial_panel")``):

    ============== ==========================================================
    dimension      components (role)
    ============== ==========================================================
    gathering      ecommerce_firms_share (level), ecommerce_firms y/y growth
                   (momentum)
    scale          ecommerce_sales y/y growth (momentum), its change in
                   percentage points (acceleration)
    links          ecommerce_purchases / ecommerce_sales (level) -- a *proxy*:
                   purchases made online by firms relative to their online
                   sales, not a measure of links inside the cluster
    infrastructure websites_per_100_firms, computers_per_100_people (level),
                   broadband_users and mobile_internet_users y/y growth
                   (momentum; user counts scale with population, so their
                   growth is used rather than their level)
    ============== ==========================================================

    **Normalisation**: every component is turned into its within-year
    percentile among the provinces with a value that year, the mid-rank
    ``(rank - 0.5) / n`` (highest -> 1 - 0.5/n, median -> 0.5).  Growth needs consecutive years (no
    filling across gaps).  Dimension scores are the mean of their available
    component percentiles.  Composites: ``level`` (mean of level components),
    ``momentum`` (mean of momentum components), ``acceleration`` (sales
    acceleration percentile); a composite needs at least ``min_components``
    components.

    **Stage rule** (``threshold`` = 0.5 by default, i.e. the median province)::

        momentum >= thr and acceleration >= thr -> 成长 GROWTH     (fast, accelerating)
        momentum >= thr and acceleration <  thr -> 扩大 EXPANSION  (fast, decelerating)
        momentum <  thr and level >= thr        -> 起飞 TAKEOFF    (high level, mature)
        momentum <  thr and level <  thr        -> 萌芽 EMBRYONIC  (low and slow)

    This mirrors the curve phases (accelerating / decelerating / saturated /
    not yet started) but is *relative*: it places a region among China's
    provinces in that year, not on an absolute scale.  ``growth_features_present``
    counts how many of the paper's four features score >= threshold.

    Parameters
    ----------
    region : str
        Short or English name or 6-digit code ("上海", "Shanghai", "310000").
    year : int
    information : {"realtime", "hindsight"}
        Scores only ever use data dated <= ``year``, so both give the same
        answer (the panel has no data vintages; later revisions of past values
        cannot be excluded).
    panel : DataFrame, optional
        Long panel with columns region, year, indicator, value (default: the
        packaged NBS panel).
    threshold : float, default 0.5
    min_components : int, default 2

    Returns
    -------
    StageResult
        ``evidence`` holds ``components`` (value and percentile per component),
        ``dimensions`` (the four scores), ``level``, ``momentum``,
        ``acceleration`` and ``n_regions``.  Years before the panel starts
        (2015), e.g. Shanghai 2010/2011, give ``stage=None`` with that reason.

    Examples
    --------
    >>> r = scorecard("上海", 2020)            # doctest: +SKIP
    >>> r.stage, r.evidence["dimensions"]       # doctest: +SKIP
    """
    _check_information(information)
    year = _check_year(year)
    panel = _load_panel(panel)
    name = _resolve_region(panel, region)
    yrs = panel["year"].astype(int)
    first, last = int(yrs.min()), int(yrs.max())
    if not first <= year <= last:
        return _unclassified("scorecard", information, year,
                             f"the provincial panel covers {first}-{last}; "
                             f"{name} {year} cannot be scored", region=name)
    tab = scorecard_table(year, panel=panel, threshold=threshold, min_components=min_components)
    if name not in tab.index:
        return _unclassified("scorecard", information, year,
                             f"{name} has no data in {year}", region=name)
    row = tab.loc[name]
    comps = pd.DataFrame({
        "dimension": [v[0] for v in SCORECARD_INDICATORS.values()],
        "role": [v[1] for v in SCORECARD_INDICATORS.values()],
        "description": [v[2] for v in SCORECARD_INDICATORS.values()],
        "value": [row[k] for k in SCORECARD_INDICATORS],
        "percentile": [row["pct_" + k] for k in SCORECARD_INDICATORS],
    }, index=list(SCORECARD_INDICATORS))
    ev = {"region": name, "components": comps,
          "dimensions": {d: row[d] for d in ("gathering", "scale", "links", "infrastructure")},
          "level": row["level"], "momentum": row["momentum"],
          "acceleration": row["acceleration"],
          "growth_features_present": row["growth_features_present"],
          "n_regions": int(tab.attrs["n_regions"]), "threshold": threshold}
    st = row["stage"]
    st = st if isinstance(st, Stage) else None
    return StageResult(st, "scorecard", information, year, f"{name} {year}: {row['reason']}", ev)


# --------------------------------------------------------------------------------------
# classify
# --------------------------------------------------------------------------------------
def classify(series: pd.Series | None, year: int, method: str = "curve",
             information: str = "realtime", **options) -> StageResult:
    """Classify the lifecycle stage of a series in a given year.

    Parameters
    ----------
    series : pandas.Series
        Indexed by int year; values may contain NaN (dropped, never filled,
        listed in ``evidence["gaps_dropped"]``).  For ``net_entry`` the values
        are counts of firms.  Not used by ``scorecard`` (may be None).
    year : int
    method : {"curve", "signs", "net_entry", "scorecard", "ensemble"}
        * ``curve`` -- options ``model`` ("logistic", "gompertz", "bass",
          "richards"), ``errors`` (default "multiplicative"), ``phase_map``,
          ``min_points`` (5), ``fit_kwargs``.  Fits the model by
          :func:`cluster_research.growth.fit` and places ``year`` among the
          :func:`boundaries`.  An unidentified ceiling gives ``stage=None``
          with the fit's reason: the method does not guess between phases.
        * ``signs`` -- model-free.  Options ``window`` (11 observations),
          ``degree`` (2), ``weights`` ("equal"), ``max_gap`` (1),
          ``min_points`` (window + 4), ``rule`` ("landmarks"), ``phase_map``.
          Smoothing: at every observed year (and ``year``) a local polynomial
          of ``degree`` is fitted by least squares to the ``window``
          observations nearest that year, using the actual years (uneven
          spacing and gaps are handled, nothing is filled); its coefficients
          give the smoothed y' and y'' paths (:func:`local_derivatives`).
          The signs of y'' and y''' (I ++, II +-, III --, IV -+) are read from
          the landmarks of these paths, assuming one S-shaped wave: inflection
          = the peak of smoothed y' (y'' changes sign), lower knee = the peak
          of y'' before it and upper knee = the trough of y'' after it (y'''
          changes sign).  An extreme at the last usable year is "not yet
          passed".  ``rule="pointwise"`` instead uses the signs of y'' and
          y''' from one local cubic at ``year`` (noisier).  In real time the
          windows near ``year`` are one-sided, so the smoothed path lags by
          about half a window: with 5 % noise and annual data real-time signs
          are reliable in phase I (and late phase IV), not just after a
          boundary (measured in tests/test_lifecycle_sim.py).  Too few
          observations -> ``stage=None`` with the reason.
        * ``net_entry`` -- Gort & Klepper (1982) on firm counts N, smoothed as
          for ``signs``: net entry E = N' (firms per year), rate = E / N.
          Options ``band`` (0.05), ``window``, ``degree``, ``max_gap``,
          ``min_points``.  Rules: rate < -band -> 起飞 (GK stage 4,
          shakeout: a mature industry); |rate| <= band -> 扩大 after an
          earlier entry wave (GK 3: entry and exit balance, firms grow in
          size) or 起飞 after an earlier shakeout (GK 5), else None;
          rate > band -> 萌芽 while net entry is still accelerating ever
          faster (before the lower knee of N, GK 1) else 成长 (GK 2, the sharp
          rise in the number of firms -- the paper's "firms gathering").
          Negative counts raise :class:`LifecycleDataError`.
        * ``scorecard`` -- options ``region`` (required), ``panel``,
          ``threshold``, ``min_components``; see :func:`scorecard`.
        * ``ensemble`` -- runs curve and signs on ``series``, net_entry on
          ``counts=`` (a firm-count series) if given, scorecard if ``region=``
          is given; options for each via ``curve=``, ``signs=``,
          ``net_entry=``, ``scorecard=`` dicts.  ``stage`` is the majority
          stage (> half of the methods that classified) or None; evidence
          ``table`` (one row per method), ``agree`` (>= 2 classified, all the
          same), ``unanimous`` (and none failed), ``majority``,
          ``n_classified``.
    information : {"realtime", "hindsight"}
        Realtime uses only observations dated <= ``year``.

    Returns
    -------
    StageResult

    Raises
    ------
    LifecycleDataError
        Malformed series (non-integer or duplicate years, non-numeric
        values), negative counts for net_entry.
    TypeError
        Unknown option for the method.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(1990, 2031)
    >>> s = pd.Series(1000 / (1 + np.exp(-0.25 * (t - 2010))), index=t)
    >>> classify(s, 2008, method="signs", information="hindsight").stage.zh
    '成长'
    >>> classify(s, 1993, method="signs").reason
    'too short: 4 usable observations up to 1993 (need >= 15)'
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    _check_information(information)
    year = _check_year(year)
    if method == "scorecard":
        region = options.pop("region", None)
        if region is None:
            region = getattr(series, "attrs", {}).get("region") if series is not None else None
        if region is None:
            raise TypeError("method='scorecard' needs region= (a province name or code)")
        return scorecard(region, year, information, **options)
    if method == "ensemble":
        return _classify_ensemble(series, year, information, **options)
    years, values, gaps = _clean_series(series)
    if method == "net_entry" and np.any(values < 0):
        bad = years[values < 0].tolist()
        raise LifecycleDataError(f"negative firm counts at years {bad}: net entry undefined")
    years, values = _restrict(years, values, year, information)
    if information == "realtime":
        gaps = [g for g in gaps if g <= year]
    fn = {"curve": _classify_curve, "signs": _classify_signs,
          "net_entry": _classify_net_entry}[method]
    return fn(years, values, year, information, gaps=gaps, **options)


def _classify_ensemble(series, year, information, *, counts=None, region=None, curve=None,
                       signs=None, net_entry=None, scorecard=None, **unknown):
    if unknown:
        raise TypeError(f"unknown option(s) for method='ensemble': {sorted(unknown)}")
    results: dict[str, StageResult] = {}
    if series is not None:
        results["curve"] = classify(series, year, "curve", information, **(curve or {}))
        results["signs"] = classify(series, year, "signs", information, **(signs or {}))
    if counts is not None:
        results["net_entry"] = classify(counts, year, "net_entry", information,
                                        **(net_entry or {}))
    if region is not None:
        results["scorecard"] = classify(None, year, "scorecard", information, region=region,
                                        **(scorecard or {}))
    if not results:
        raise TypeError("method='ensemble' needs a series, counts= or region=")
    table = pd.DataFrame([r.to_dict() for r in results.values()]).set_index("method")
    got = [r.stage for r in results.values() if r.stage is not None]
    cnt = Counter(got)
    majority = None
    if got:
        st, c = cnt.most_common(1)[0]
        if c > len(got) / 2:
            majority = st
    # agree: at least two methods classified and all of those give the same stage;
    # unanimous: additionally no method failed to classify
    agree = len(cnt) == 1 and len(got) >= 2
    unanimous = agree and len(got) == len(results)
    n_none = len(results) - len(got)
    parts = ", ".join(f"{m}={'None' if r.stage is None else r.stage.zh}"
                      for m, r in results.items())
    if not got:
        reason = "no method could classify"
    elif len(got) == 1:
        only = next(m for m, r in results.items() if r.stage is not None)
        reason = (f"only {only} could classify ({got[0].zh} {got[0].en}); "
                  "no agreement can be assessed")
    elif agree:
        reason = f"{len(got)} methods agree: {got[0].zh} {got[0].en}"
    else:
        reason = f"methods disagree; majority {majority.zh}" if majority else \
            "methods disagree; no majority"
    reason += f" ({parts})"
    if n_none and got:
        reason += f"; {n_none} method(s) could not classify"
    ev = {"table": table, "results": results, "agree": agree, "unanimous": unanimous,
          "majority": majority, "n_classified": len(got),
          "counts": {s.name: c for s, c in cnt.items()}}
    return StageResult(majority, "ensemble", information, year, reason, ev)


# --------------------------------------------------------------------------------------
# Uncertainty
# --------------------------------------------------------------------------------------
def _curve_draws_to_phase(res, draws: np.ndarray, names, year):
    model = res.model
    n = len(draws)
    if model in ("logistic", "gompertz", "bass"):
        P = {nm: draws[:, j] for j, nm in enumerate(names)}
        extra = {"tau": getattr(res, "tau", np.nan)} if model == "bass" else None
        yrs, _, _, valid, passed = _analytic_boundaries(model, P, extra)
        ph = _phase_from_boundaries(year, yrs, passed)
        return np.where(valid, ph, 0)
    rng = _search_range(res, _res_params(res))
    out = np.zeros(n, dtype=int)
    for i in range(n):
        th = pd.Series(draws[i], index=names)
        try:
            yrs, _, _, passed = _boundary_years_for(res, th, rng)
        except (ValueError, FloatingPointError):
            continue
        out[i] = _phase_from_boundaries(year, yrs[None, :], passed[None, :])[0]
    return out


def stage_probabilities(series: pd.Series, year: int, method: str = "curve",
                        n_boot: int = 1000, seed: int = 0, kind: str = "parametric",
                        information: str = "realtime", phase_map: dict | None = None,
                        **options) -> pd.Series:
    """Estimate the probability of each stage by a seeded bootstrap.

    Parameters
    ----------
    series : pandas.Series
        Indexed by int year (NaN dropped, never filled).
    year : int
    method : {"curve", "signs"}
        ``curve``: options as in :func:`classify` (``model``, ``errors``,
        ``fit_kwargs``).  ``signs``: ``window``, ``degree``, ``weights``.
    n_boot : int, default 1000
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    kind : {"parametric", "residual"}
        * parametric, curve -- draws θ* ~ N(θ̂, Σ̂) (``res.cov_params()``) and
          maps each draw to boundaries (vectorised).
        * residual, curve -- ``y* = ŷ + e*`` (additive errors) or
          ``y* = ŷ·exp(e*)`` (multiplicative; e = log residuals), ``e*``
          resampled with replacement from the centred residuals; each
          replicate is refitted from θ̂ by one local fit: logistic and
          Gompertz by a batched Levenberg-Marquardt over all replicates at
          once (the same least-squares objective as ``growth.fit``, checked
          against it in the tests), other models by ``growth.fit(...,
          start=θ̂)`` per replicate (slower).  Non-converged or invalid
          refits (K <= 0, rate <= 0) are counted as failed; the ceiling's
          identification is not re-tested per replicate (a profile per
          replicate would cost ~25 ms).
        * parametric, signs -- draws of the local-polynomial coefficients
          from N(ĉ, Σ̂).
        * residual, signs -- the local fit's weighted residuals resampled and
          the (linear) fit recomputed for all replicates at once.
    information : {"realtime", "hindsight"}
    phase_map : dict, optional

    Returns
    -------
    pandas.Series
        Index: the four :class:`Stage` members (probabilities over the
        *successful* replicates, summing to 1), plus ``n_failed`` (replicates
        that were invalid, non-converged or unidentified) and ``n_boot``.
        ``.attrs`` holds method, kind, information, year and the point
        classification's reason.  If the point classification itself fails
        (too short, unidentified ceiling) every probability is NaN and
        ``n_failed == n_boot``; ``.attrs["reason"]`` says why.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(1990, 2031)
    >>> s = pd.Series(1000 / (1 + np.exp(-0.25 * (t - 2010))), index=t)
    >>> p = stage_probabilities(s, 2000, method="signs", n_boot=200, information="hindsight")
    >>> float(p[Stage.EMBRYONIC])
    1.0
    """
    if method not in ("curve", "signs"):
        raise ValueError(f"stage_probabilities supports method 'curve' or 'signs', got {method!r}")
    if kind not in ("parametric", "residual"):
        raise ValueError(f"kind must be 'parametric' or 'residual', got {kind!r}")
    if n_boot < 1:
        raise ValueError("n_boot must be >= 1")
    _check_information(information)
    year = _check_year(year)
    pm = _check_phase_map(phase_map)
    rng = np.random.default_rng(seed)
    point = classify(series, year, method=method, information=information, phase_map=pm,
                     **options)
    attrs = {"method": method, "kind": kind, "information": information, "year": year,
             "point_stage": point.stage, "reason": point.reason}
    if point.phase is None and point.stage is None and not _has_draw_basis(point, method):
        return _prob_series(np.zeros(0, dtype=int), pm, n_boot, n_boot, attrs)
    if method == "signs":
        phases, failed = _signs_boot(point, year, n_boot, rng, kind)
    else:
        phases, failed = _curve_boot(point, year, n_boot, rng, kind, options)
    return _prob_series(phases, pm, failed, n_boot, attrs)


def _has_draw_basis(point: StageResult, method: str) -> bool:
    if method == "signs":
        return "d2" in point.evidence and np.isfinite(point.evidence["d2"])
    return "boundaries" in point.evidence and point.evidence["boundaries"].attrs.get(
        "identified", False)


def _prob_series(phases, pm, n_failed, n_boot, attrs) -> pd.Series:
    ok = phases[phases > 0]
    idx = list(Stage)
    if len(ok) == 0:
        probs = pd.Series(np.nan, index=idx, dtype=float)
    else:
        stages = [pm[PHASES[p - 1]] for p in ok]
        cnt = Counter(stages)
        probs = pd.Series([cnt.get(s, 0) / len(ok) for s in idx], index=idx, dtype=float)
    out = pd.concat([probs.astype(object),
                     pd.Series({"n_failed": int(n_failed), "n_boot": int(n_boot)}, dtype=object)])
    out = out.astype(float)
    out.name = "probability"
    out.attrs.update(attrs)
    return out


def _signs_boot(point, year, n_boot, rng, kind):
    ev = point.evidence
    if ev.get("rule") == "pointwise":
        loc = ev["local_fit"]
        fact = loc["fact"]
        if kind == "parametric":
            coef = rng.multivariate_normal(loc["coef"], loc["cov"], size=n_boot, method="svd")
        else:
            X, w, resid, hat = loc["X"], loc["w"], loc["resid"], loc["hat"]
            sw = np.sqrt(w)
            u = resid * sw
            u = u - u.mean()
            fitted = X @ loc["coef"]
            draw = rng.integers(0, len(u), size=(n_boot, len(u)))
            coef = (fitted[None, :] + u[draw] / sw[None, :]) @ hat.T
        d2 = coef[:, 2] * fact[2]
        d3 = coef[:, 3] * fact[3]
        ph = np.where((d2 == 0) | (d3 == 0), 0, _phase_from_signs(d2, d3))
        return ph, int(np.sum(ph == 0))
    # landmarks: the smoothed level at the observations is the fit; its residuals
    # (relative with relative weights) are resampled (residual) or drawn from
    # N(0, s^2) (parametric); the linear smoother is applied to all replicates at once.
    L, grid = ev["operator"], ev["grid"]
    x = np.asarray(ev["years_used"], dtype=float)
    obs = np.asarray(ev["values_used"], dtype=float)
    fitted = ev["paths"]["level"].to_numpy()[np.searchsorted(grid, x)]
    rel = ev["weights"] == "relative"
    e = (obs / fitted - 1.0) if rel else (obs - fitted)
    e = e - e.mean()
    if kind == "residual":
        E = e[rng.integers(0, len(e), size=(n_boot, len(e)))]
    else:
        E = rng.normal(0.0, float(np.sqrt(np.mean(e**2))), size=(n_boot, len(e)))
    Y = fitted[None, :] * (1.0 + E) if rel else fitted[None, :] + E
    ph, *_ = _landmark_phases(Y @ L[2].T, grid, year, Y @ L[1].T)
    return ph, 0


def _curve_boot(point, year, n_boot, rng, kind, options):
    res = point.evidence["fit"]
    theta = _res_params(res)
    names = list(theta.index)
    if kind == "parametric":
        cov = _res_cov(res, names)
        if not np.all(np.isfinite(cov)):
            return np.zeros(0, dtype=int), n_boot
        draws = rng.multivariate_normal(theta.to_numpy(), cov, size=n_boot, method="svd")
        ph = _curve_draws_to_phase(res, draws, names, year)
        return ph, int(np.sum(ph == 0))
    x = np.asarray(res.years, dtype=float)
    fitted = np.asarray(res.curve(x), dtype=float)
    errors = getattr(res, "errors", "additive")
    if errors == "multiplicative":
        e = np.log(np.asarray(res.values, dtype=float)) - np.log(fitted)
    else:
        e = np.asarray(res.values, dtype=float) - fitted
    e = e - e.mean()
    draw = rng.integers(0, len(e), size=(n_boot, len(e)))
    Y = fitted[None, :] * np.exp(e[draw]) if errors == "multiplicative" else fitted + e[draw]
    if res.model in _BATCH_MODELS and getattr(res, "form", "cumulative") == "cumulative":
        th, ok = _batched_refit(res.model, x, Y, theta.to_numpy(), errors)
        P = {nm: th[:, j] for j, nm in enumerate(names)}
        yrs, _, _, valid, passed = _analytic_boundaries(res.model, P)
        phases = np.where(ok & valid, _phase_from_boundaries(year, yrs, passed), 0)
        return phases, int(np.sum(phases == 0))
    # other models: one warm-started growth.fit per replicate (slower)
    from cluster_research import growth

    fit_kwargs = dict(options.get("fit_kwargs") or {})
    fit_kwargs.pop("n_starts", None)
    start = theta.to_dict()
    phases = np.zeros(n_boot, dtype=int)
    for i in range(n_boot):
        try:
            r = growth.fit(x, Y[i], model=res.model, errors=errors, start=start,
                           form=getattr(res, "form", "cumulative"), **fit_kwargs)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            continue
        if not r.converged:
            continue
        th = _res_params(r)
        if res.model in ("logistic", "gompertz", "bass"):
            P = {k: np.array([v]) for k, v in th.items()}
            yrs, _, _, valid, passed = _analytic_boundaries(res.model, P)
            phases[i] = _phase_from_boundaries(year, yrs, passed)[0] if valid[0] else 0
        else:
            yrs, _, _, passed = _boundary_years_for(r, th)
            phases[i] = _phase_from_boundaries(year, yrs[None, :], passed[None, :])[0]
    return phases, int(np.sum(phases == 0))


# --------------------------------------------------------------------------------------
# Batched Levenberg-Marquardt refits for the residual bootstrap (logistic, Gompertz)
# --------------------------------------------------------------------------------------
_BATCH_MODELS = ("logistic", "gompertz")


def _batch_mean_jac(model, tc, th):
    """Mean (B, n) and Jacobian (B, n, 3) at parameters th (B, 3) = (K, rate, t0 centred)."""
    K, r, t0 = th[:, 0:1], th[:, 1:2], th[:, 2:3]
    d = tc[None, :] - t0
    if model == "logistic":
        z = np.clip(r * d, -700, 700)
        g = 1.0 / (1.0 + np.exp(-z))
        f = K * g
        dg = g * (1.0 - g)
        J = np.stack([g, K * dg * d, -K * dg * r], axis=2)
    else:  # gompertz
        u = np.exp(np.clip(-r * d, -700, 700))
        g = np.exp(-u)
        f = K * g
        J = np.stack([g, f * u * d, -f * u * r], axis=2)
    return f, J


def _batched_refit(model, x, Y, theta0, errors, max_iter=60, tol=1e-10):
    """Refit many replicates at once by Levenberg-Marquardt from a common start.

    Minimises ``sum (y - f)^2`` (additive) or ``sum (log y - log f)^2``
    (multiplicative) for each row of ``Y``; the same objective as
    :func:`cluster_research.growth.fit` with unit weights.  Returns the
    parameters (B, 3) in calendar years and a bool ``ok`` (converged, finite,
    K > 0 and rate > 0).
    """
    B = Y.shape[0]
    centre = float(np.mean(x))
    tc = x - centre
    th = np.tile(np.asarray(theta0, dtype=float), (B, 1))
    th[:, 2] -= centre
    mult = errors == "multiplicative"
    LY = np.log(Y) if mult else Y

    def resid_jac(t, rows):
        with np.errstate(all="ignore"):
            f, J = _batch_mean_jac(model, tc, t)
            if mult:
                r = LY[rows] - np.log(f)
                J = J / f[:, :, None]
            else:
                r = LY[rows] - f
        return r, J

    def rss_of(t, rows):
        with np.errstate(all="ignore"):
            f, _ = _batch_mean_jac(model, tc, t)
            r = LY[rows] - np.log(f) if mult else LY[rows] - f
            s = np.sum(r * r, axis=1)
        return np.where(np.isfinite(s), s, np.inf)

    lam = np.full(B, 1e-3)
    allrows = np.arange(B)
    r, J = resid_jac(th, allrows)
    rss = np.sum(r * r, axis=1)
    done = np.zeros(B, dtype=bool)
    eye = np.eye(th.shape[1])
    for _ in range(max_iter):
        act = ~done
        if not act.any():
            break
        JtJ = np.einsum("bni,bnj->bij", J[act], J[act])
        Jtr = np.einsum("bni,bn->bi", J[act], r[act])
        diag = np.einsum("bii->bi", JtJ)
        A = JtJ + lam[act, None, None] * (diag[:, :, None] * eye[None, :, :] + 1e-12 * eye)
        try:
            step = np.linalg.solve(A, Jtr[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(A, Jtr)])
        cand = th[act] + step
        cand[:, :2] = np.maximum(cand[:, :2], 1e-12)  # K, rate >= 0 as in growth.fit
        idx = np.where(act)[0]
        new_rss = rss_of(cand, idx)
        better = new_rss <= rss[act]
        acc = idx[better]
        rel = np.abs(rss[acc] - new_rss[better]) <= tol * (rss[acc] + 1e-300)
        small = np.all(np.abs(step[better]) <= 1e-9 * (np.abs(cand[better]) + 1e-9), axis=1)
        th[acc] = cand[better]
        rss[acc] = new_rss[better]
        lam[acc] = np.maximum(lam[acc] / 3.0, 1e-12)
        lam[idx[~better]] *= 4.0
        done[acc[rel | small]] = True
        done[idx[~better][lam[idx[~better]] > 1e12]] = True
        if acc.size:
            r_new, J_new = resid_jac(th[acc], acc)
            r[acc], J[acc] = r_new, J_new
    # a replicate whose steps all fail is converged if it sits at a stationary point:
    # the cosine between r and the column space of J is ~0
    with np.errstate(all="ignore"):
        Jtr = np.einsum("bni,bn->bi", J, r)
        cosang = np.linalg.norm(Jtr, axis=1) / (
            np.linalg.norm(J, axis=(1, 2)) * np.linalg.norm(r, axis=1) + 1e-300)
    conv = done & ((lam <= 1e12) | (cosang < 1e-6))
    th[:, 2] += centre
    ok = conv & np.all(np.isfinite(th), axis=1) & (th[:, 0] > 0) & (th[:, 1] > 0)
    return th, ok
