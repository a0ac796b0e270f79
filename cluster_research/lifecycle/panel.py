"""Classify the lifecycle stage of every region and year of a panel with an ordered model.

:func:`panel_stages` returns one row per region and year with a stage (a
:class:`~cluster_research.lifecycle.Stage` or None), the four stage probabilities
(summing to 1) and a reason.  Five documented models and a rule choosing between two of them,
all ordered (萌芽 < 成长 < 扩大 < 起飞) and persistent; the default ``auto`` scored best over the
simulation designs of :mod:`cluster_research.lifecycle.benchmark` (notebook 10).

Every model answers "not identified" (``stage=None``, probabilities kept, the reason says
why) rather than showing a guess: (i) where there is no growth -- the panel's within trend of
``log y`` is not significantly positive, or the region declines at its end
(:func:`~cluster_research.lifecycle.trend.panel_growth_check`, 1 % one-sided tests); (ii) where
the most likely stage has a probability below :data:`STAGE_THRESHOLD` (2/3); and (iii) for
``pooled``, wherever the curves rest on the weak prior alone (fewer than 3 regions, or fewer
than half of the fitted regions, identify their own ceiling); for ``lag``, wherever the common ceiling is not identified or one common
curve is rejected.  In (iii) and for a ``curve`` fit whose ceiling is not identified, the years
that lie before the lower knee for every ceiling the region's own data allow, under the
logistic and the Gompertz curve alike, are 萌芽 (:func:`before_lower_knee`): a ceiling without
an upper limit still has a lower one.

``method="auto"`` (default: ``lag`` where it holds, ``pooled`` elsewhere)
    ``lag`` when the panel identifies one common curve and does not reject it against separate
    curves (:func:`~cluster_research.lifecycle.lag.common_curve_test`, F test at 1 %);
    otherwise ``pooled``.  The reason says which, and why.

``method="lag"`` (diffusion lag: regions as time-shifted positions on one curve)
    :mod:`cluster_research.lifecycle.lag`: one logistic or Gompertz curve (``model="auto"``:
    the smaller RSS) of a scale-free indicator (``scale=`` divides each region's values, e.g.
    by its population, :func:`~cluster_research.lifecycle.lag.per_person_scale`), common
    ceiling and rate, one inflection year per region (Griliches 1957; Comin & Hobijn 2010).
    Identified by a likelihood-ratio test against the common exponential; the common curve
    must not be rejected against a separate curve per region (extra-sum-of-squares F test,
    1 %; with fewer than 2 regions of 4 years it cannot be tested, and no stage is shown).
    Probabilities from draws of the region's ``(log k, t0_i)`` from the Laplace approximation.

``method="pooled"`` (empirical-Bayes curves, one rate distribution for the panel)
    Step 1 fits every region separately as in ``curve`` below (and chooses the model).
    Step 2 estimates, from the regions whose ceiling *is* identified, the panel's
    distribution of log rates, ``log r ~ N(μ, τ²)`` (mean and SD of the identified log
    rates, ``τ ≥ tau_min``), and the pooled residual SD ``σ`` (log scale, all identified
    fits).  The regions that identify their ceiling are selected by the outcome (those
    already slowing down), so their rates speak for the panel only when they are at least 3
    and at least half of the converged fits; otherwise a weak prior ``τ = tau_default`` around the
    median fitted rate of the converged fits, and ``σ`` from those; with no converged fit
    at all, as in real time with fewer than ``min_points`` years, ``exp(μ) = 0.5`` and
    ``σ = 0.1``, stated in the reason).  Step 3 refits every
    region by maximum a posteriori (penalised least squares, ``scipy.optimize.least_squares``)
    in ``z = (log K, log r, t0)``::

        min_z  Σ_t (log y_t - log f(t; z))² / σ²  +  (log r - μ)² / τ²

    so a region whose own ten points cannot identify its ceiling borrows the panel's
    rate: the curvature it must have is known, and the ceiling and midpoint follow.
    The stage is the phase of the year on the MAP curve (monotone in hindsight); the
    probabilities are the phases of ``n_draws`` draws from the Laplace approximation
    ``N(ẑ, (JᵀJ)⁻¹)`` (J the Jacobian of the scaled residuals at ẑ).  This is an
    empirical-Bayes approximation to a nonlinear mixed model with a random rate
    (Pinheiro & Bates 2000); the rate prior is estimated, not assumed.

``method="eb"`` (empirical Bayes on a grid: the panel's distribution of curves estimated)
    :mod:`cluster_research.lifecycle.eb`: the prior of (model, rate) is the NPMLE of a mixing
    distribution over a grid (EM, Laird 1978), the ceiling integrated out, the stage the
    phase of highest posterior probability; no stage where the posterior sits on the grid's
    edge.  Scored against the Bayes-optimal bound in notebook 10.

``method="curve"`` (baseline: separate per-region curve fits)
    Each region's series is fitted by :func:`cluster_research.growth.fit`
    (multiplicative errors) with the logistic ``K / (1 + exp(-k (t - t0)))`` or the
    Gompertz ``K exp(-exp(-b (t - t0)))``; ``model="auto"`` pools the *choice*: the
    model with the smaller AICc summed over the regions where both fits converged is used
    for all of them.  The phase of a year is its place among the fitted curve's lower knee,
    inflection and upper knee (logistic ``t0 ∓ ln(2+√3)/k``, Gompertz ``t0 ∓ ln((3+√5)/2)/b``; roots of
    y''' and y''), so in hindsight a region's stages never go backwards.  Probabilities:
    ``n_draws`` draws ``θ* ~ N(θ̂, Σ̂)`` of the region's parameters (``res.cov_params()``),
    each mapped to the phase of every year (draws with a non-positive ceiling or rate are
    dropped).  A fit that does not converge or whose ceiling is not identified
    (``res.identified``) gives ``stage=None`` and says so; its probabilities are still
    those of the draws (uniform when there are none).

``method="mixed"`` (hierarchical: a nonlinear mixed-effects fit)
    One :func:`cluster_research.growth.mixed.fit_mixed` fit of the whole panel (multiplicative
    errors, random effects on all three parameters ``K``, rate, ``t0``, Lindstrom-Bates
    ML as R ``nlme``); ``model="auto"`` takes the converged model with the larger
    log-likelihood.  The stage is the phase of the year on each region's group curve
    (fixed + predicted random effects); probabilities are the phases of draws from the
    Laplace approximation of the group curve given the fit, ``N(θ_i, (JᵢᵀJᵢ/σ² +
    Ψ⁻¹)⁻¹)`` (Ψ the random-effects covariance; the fixed effects' own uncertainty is
    ignored).  A fit that does not converge gives ``stage=None`` for every region, with
    the fit's message.

``method="hmm"`` (pooled: a left-to-right hidden Markov model)
    A 4-state Gaussian HMM (hmmlearn ``GaussianHMM``, diagonal covariances) fitted by EM
    to all regions at once (one set of emission means and variances shared by the
    panel: the pooling).  The transition matrix is fixed, left-to-right:
    ``P(stay) = stay``, ``P(next) = 1 - stay - skip``, ``P(skip one) = skip``, the last
    state absorbing, so the chain can never move back.  Observations, for each region
    from its second year on: ``g_t = log y_t - log y_{t-1}`` (growth rate) and
    ``h_t = log y_t - max_{s ≤ T} log y_s`` (log distance below the region's highest
    level in the data used): phase I is low and growing fast, IV near its top and
    growing slowly.  Both are scale-free (a region's unit or size does not matter).
    The states are anchored to the phases by ordered starting means (EM keeps the
    left-to-right structure: zero transitions stay zero).  Hindsight probabilities are
    the smoothed posteriors (``predict_proba``, forward-backward) and the stage is the
    Viterbi path (``predict``), which is monotone.  The first year of a region has no
    growth rate; it takes the probabilities of the second year.

``information="realtime"``
    For every year ``t`` the whole model (fits, model choice, EM, scaling) is rerun on
    the panel restricted to years ≤ ``t`` and the answer for ``t`` kept (``lag`` starts
    from year ``t - 1``'s solution: a start only); for the HMM the
    smoothed posterior of the last observation is the filtered (forward) probability.
    So changing a value dated after ``t`` never changes the answer for ``t``.  Real-time
    stages may go backwards, when new data revise the fit.

References
----------
Pinheiro, J. C., Bates, D. M. (2000). *Mixed-Effects Models in S and S-PLUS*. Springer
(nonlinear mixed-effects growth curves; empirical Bayes estimates of group curves).
Rabiner, L. R. (1989). A tutorial on hidden Markov models and selected applications in
speech recognition. *Proc. IEEE* 77(2), 257-286 (left-to-right models, forward-backward,
Viterbi).
Kucharavy & De Guio (2011), see :mod:`cluster_research.lifecycle.phases`.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from .. import growth
from ..errors import ClusterResearchError, ParameterError
from ..growth.mixed import fit_mixed
from ..growth.specs import log_sigmoid
from .eb import eb_stages
from .lag import COMMON_CURVE_LEVEL, KNEES, common_curve_test, divide_by_scale, fit_lag
from .phases import PROB_COLUMNS, STAGE_THRESHOLD, curve_phases, curve_text, mark_early, stage_rows
from .stage import Stage
from .trend import panel_growth_check

__all__ = ["CORES", "METHODS", "PROB_COLUMNS", "STAGE_THRESHOLD", "curve_phases", "log_curve",
           "panel_stages", "prepare_panel"]

METHODS = ("auto", "lag", "pooled", "mixed", "hmm", "curve", "eb")
_STAGES = list(Stage)
_RATE = {"logistic": "k", "gompertz": "b"}



# ------------------------------------------------------------------------------ input
def prepare_panel(data, region, x, y, indicator) -> pd.DataFrame:
    """Return the tidy panel (region, year, value) a stage model reads, or raise with the
    region and year at fault (see :func:`panel_stages` for the rules)."""
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"panel_stages needs a long DataFrame, got {type(data).__name__}")
    df = data
    if "indicator" in df.columns and df["indicator"].nunique() > 1 and indicator is None:
        raise ParameterError("the panel has several indicators "
                             f"({', '.join(map(str, df['indicator'].unique()[:5]))} ...); "
                             "pass indicator=")
    if indicator is not None:
        if "indicator" not in df.columns:
            raise ParameterError("indicator= given but the frame has no 'indicator' column")
        df = df[df["indicator"] == indicator]
        if df.empty:
            raise ParameterError(f"no rows with indicator {indicator!r}")
    missing = [c for c in (region, x, y) if c not in df.columns]
    if missing:
        raise ParameterError(f"column(s) {missing} not in the panel "
                             f"(columns: {list(data.columns)})")
    out = pd.DataFrame({"region": df[region].astype(str).to_numpy(),
                        "year": pd.to_numeric(df[x], errors="coerce").to_numpy(),
                        "value": pd.to_numeric(df[y], errors="coerce").to_numpy(float)})
    if out["year"].isna().any() or (out["year"] % 1 != 0).any():
        bad = out.loc[out["year"].isna() | (out["year"] % 1 != 0), "region"].iloc[0]
        raise ParameterError(f"non-integer or missing year in region {bad!r}")
    out["year"] = out["year"].astype(int)
    dup = out.duplicated(["region", "year"])
    if dup.any():
        r, t = out.loc[dup, ["region", "year"]].iloc[0]
        raise ParameterError(f"duplicate region-year {r!r} {t}")
    out = out.dropna(subset=["value"])          # gaps are dropped, never filled
    bad = out[out["value"] <= 0]
    if len(bad):
        r, t, v = bad.iloc[0]
        raise ParameterError(f"non-positive value {v!r} in region {r!r}, year {t}: the models "
                             "work on logarithms")
    return out.sort_values(["region", "year"]).reset_index(drop=True)


def _check(information, method):
    if information not in ("hindsight", "realtime"):
        raise ParameterError(f"information must be 'hindsight' or 'realtime', got {information!r}")
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}, got {method!r}")


# ------------------------------------------------------------------------------ curve
def _fit_region(years, values, model):
    try:
        return growth.fit(years, values, model=model, errors="multiplicative")
    except ParameterError:
        return None


def _curve_probs(res, model, years, n_draws, rng) -> np.ndarray:
    theta = res.params.to_numpy(float)
    try:
        cov = np.asarray(res.cov_params(), float)
    except (ValueError, np.linalg.LinAlgError, ClusterResearchError):
        cov = None                                  # no covariance: uniform probabilities
    if cov is None or not np.all(np.isfinite(cov)):
        return np.full((len(years), 4), 0.25)
    draws = rng.multivariate_normal(theta, cov, size=n_draws, method="eigh")
    draws = draws[(draws[:, 0] > 0) & (draws[:, 1] > 0)]
    if len(draws) == 0:
        return np.full((len(years), 4), 0.25)
    ph = curve_phases(model, draws, years)              # (n, T)
    return np.stack([(ph == p).mean(axis=0) for p in (1, 2, 3, 4)], axis=1)


def _curve_fits(df, model, min_points):
    """Fit every region separately; return the chosen model, its fits per region and, per
    region, every candidate model's fit (model -> fit)."""
    regions = list(dict.fromkeys(df["region"]))
    groups = {r: g for r, g in df.groupby("region", sort=False)}
    models = ("logistic", "gompertz") if model == "auto" else (model,)
    if any(m not in KNEES for m in models):
        raise ParameterError(f"curve model must be 'logistic', 'gompertz' or 'auto', got {model!r}")
    fits = {m: {r: _fit_region(g["year"].to_numpy(float), g["value"].to_numpy(float), m)
                if len(g) >= min_points else None for r, g in groups.items()} for m in models}
    chosen = models[0]
    if len(models) > 1:
        # AICc summed over the regions where every candidate converged (a common set)
        common = [r for r in regions
                  if all(fits[m][r] is not None and fits[m][r].converged
                         and np.isfinite(fits[m][r].aicc) for m in models)]
        tot = {m: sum(fits[m][r].aicc for r in common) for m in models}
        chosen = min(models, key=lambda m: tot[m])
    return chosen, fits[chosen], {r: {m: fits[m][r] for m in models} for r in regions}


def _curve_core(df, *, model="auto", n_draws=400, seed=0, min_points=5,
                threshold=STAGE_THRESHOLD, last_only=False):
    groups = {r: g for r, g in df.groupby("region", sort=False)}
    regions = list(groups)
    chosen, fits, own = _curve_fits(df, model, min_points)
    rng = np.random.default_rng(seed)
    out = []
    curves = {}
    for r in regions:
        g = groups[r]
        yrs = g["year"].to_numpy(int)
        res = fits[r]
        if res is None:
            why = f"{len(g)} observations, fewer than min_points={min_points}"
            out.append(stage_rows(r, yrs, None, None, f"curve ({chosen}): no fit: {why}"))
            continue
        probs = _curve_probs(res, chosen, yrs, n_draws, rng)
        pv = res.params.to_numpy(float)
        ph = curve_phases(chosen, pv, yrs)
        if pv[0] > 0 and pv[1] > 0:
            curves[r] = [chosen, [float(np.log(pv[0])), float(np.log(pv[1])), float(pv[2])]]
        desc = (f"curve ({chosen}{', pooled AICc choice' if model == 'auto' else ''}): "
                + curve_text(chosen, pv))
        if not res.converged:
            stages, why = [None] * len(yrs), desc + "; fit did not converge: no stage"
        elif not res.identified:
            stages, probs, why = mark_early(
                [None] * len(yrs), probs,
                desc + f"; ceiling not identified ({res.identified_reason}): no stage", own[r],
                yrs, _last(yrs, df, last_only))
        else:
            stages, why = [_STAGES[q - 1] for q in ph], desc + "; phase of the year on the curve"
        out.append(stage_rows(r, yrs, stages, probs, why, threshold))
    res = pd.concat(out, ignore_index=True)
    res.attrs["curves"] = curves
    return res


def _last(yrs, df, last_only):
    """The rows the lower-knee rule must test: all, or (real time) the panel's last year."""
    return np.asarray(yrs) == df["year"].max() if last_only else None


# ------------------------------------------------------------------------------ pooled
def log_curve(model, z, t):
    """Return ``log f(t)`` of a logistic or Gompertz curve at ``z = (log K, log r, t0)``.

    ``log K + log g(r (t - t0))`` with the log form ``log g`` of
    :func:`cluster_research.growth.specs.log_sigmoid`; ``model="exponential"`` (the limit
    ``K -> inf``) takes ``z = (a, r, t_ref)``: ``a + r (t - t_ref)``.
    """
    if model == "exponential":
        return z[0] + z[1] * (np.asarray(t, float) - z[2])
    return z[0] + log_sigmoid(model, np.exp(z[1]) * (t - z[2]))[0]


def _dlogf(model, z, t):
    """Return the analytic Jacobian of :func:`log_curve` in ``z = (log K, log r, t0)``."""
    r = np.exp(z[1])
    u = r * (t - z[2])
    du = log_sigmoid(model, u)[1]
    return np.column_stack([np.ones_like(t), du * u, -du * r])


def _map_fit(model, t, ly, sigma, mu, tau, starts):
    """Penalised least squares (MAP) from the best of ``starts`` (one solve, analytic
    Jacobian)."""
    def resid(z):
        return np.append((ly - log_curve(model, z, t)) / sigma, (z[1] - mu) / tau)

    def jac(z):
        J = np.zeros((t.size + 1, 3))
        J[:-1] = -_dlogf(model, z, t) / sigma
        J[-1, 1] = 1.0 / tau
        return J

    lo = np.array([ly.min() - 5.0, np.log(0.01), t[0] - 30.0])
    hi = np.array([ly.max() + 20.0, np.log(5.0), t[-1] + 30.0])
    starts = [np.clip(np.asarray(z0, float), lo + 1e-9, hi - 1e-9) for z0 in starts]
    z0 = min(starts, key=lambda z: float(np.sum(resid(z) ** 2)))
    return least_squares(resid, z0, jac=jac, bounds=(lo, hi), method="trf", x_scale="jac",
                         ftol=1e-10, xtol=1e-10, gtol=1e-10)


def _pooled_core(df, *, model="auto", n_draws=400, seed=0, min_points=5, tau_min=0.1,
                 tau_default=1.0, threshold=STAGE_THRESHOLD, last_only=False):
    chosen, fits, own = _curve_fits(df, model, min_points)
    ident = [f for f in fits.values() if f is not None and f.converged and f.identified]
    ok = [f for f in fits.values() if f is not None and f.converged]
    logr = np.log([f.params.iloc[1] for f in ident])
    prior_only = len(ident) < 3 or 2 * len(ident) < len(ok)
    if not prior_only:
        mu, tau = float(np.mean(logr)), max(float(np.std(logr, ddof=1)), tau_min)
        prior = f"rate prior from {len(ident)} identified regions"
        pool = ident
    else:
        rates = [f.params.iloc[1] for f in ok if f.params.iloc[1] > 0]
        mu = float(np.log(np.median(rates))) if rates else float(np.log(0.5))
        tau, pool = tau_default, ok
        prior = (f"only {len(ident)} of {len(ok)} regions with an identified ceiling (a rate "
                 f"prior needs 3 and at least half): weak rate prior "
                 f"(sd {tau_default:g} in log rate) around "
                 + ("the median fitted rate" if rates else "0.5 (no converged fit)"))
    rss = sum(float(np.sum(np.asarray(f.resid, float) ** 2)) for f in pool)
    dof = sum(len(f.resid) - 3 for f in pool)
    sigma = float(np.sqrt(rss / dof)) if dof > 0 and rss > 0 else 0.1
    rng = np.random.default_rng(seed)
    out = []
    curves = {}
    for r, g in df.groupby("region", sort=False):
        yrs = g["year"].to_numpy(int)
        t = yrs.astype(float)
        ly = np.log(g["value"].to_numpy(float))
        if len(g) < 2:
            out.append(stage_rows(r, yrs, None, None,
                             "pooled curve: a single observation has no growth rate: no stage"))
            continue
        starts = [[ly.max() + 0.5, mu, t.mean()], [ly.max() + 3.0, mu, t[-1] + 3.0],
                  [ly.max(), mu, t[0] - 3.0]]
        f = fits.get(r)
        if f is not None and f.converged and f.params.iloc[0] > 0 and f.params.iloc[1] > 0:
            p = f.params.to_numpy(float)
            starts.append([np.log(p[0]), np.log(p[1]), p[2]])
        sol = _map_fit(chosen, t, ly, sigma, mu, tau, starts)
        z = sol.x
        theta = np.array([np.exp(z[0]), np.exp(z[1]), z[2]])
        curves[r] = [chosen, [float(v) for v in z]]
        ph = curve_phases(chosen, theta, yrs)
        J = sol.jac
        cov = np.linalg.pinv(J.T @ J, hermitian=True)
        cov = (cov + cov.T) / 2.0
        draws = rng.multivariate_normal(z, cov, size=n_draws, method="eigh")
        # a draw of log K far in the tail may overflow to K = inf: harmless, the phases
        # depend on the rate and t0 only
        with np.errstate(over="ignore"):
            dtheta = np.column_stack([np.exp(draws[:, 0]), np.exp(draws[:, 1]), draws[:, 2]])
        dph = curve_phases(chosen, dtheta, yrs)
        probs = np.stack([(dph == q).mean(axis=0) for q in (1, 2, 3, 4)], axis=1)
        desc = (f"pooled curve ({chosen}, {prior}, exp(mu)={np.exp(mu):.3g}, tau={tau:.2f}, "
                f"pooled sigma={sigma:.3f}): " + curve_text(chosen, theta))
        if sol.status <= 0:
            out.append(stage_rows(r, yrs, None, probs,
                             desc + f"; MAP fit failed ({sol.message}): no stage"))
            continue
        if prior_only:
            st, P, why = mark_early([None] * len(yrs), probs, desc + "; not identified: the "
                                    "curve rests on the weak prior (fewer than 3 regions, or "
                                    "fewer than half, with an identified ceiling), so no stage "
                                    "is shown", own.get(r), yrs, _last(yrs, df, last_only))
            out.append(stage_rows(r, yrs, st, P, why))
            continue
        out.append(stage_rows(r, yrs, [_STAGES[q - 1] for q in ph], probs,
                         desc + "; phase of the year on the MAP curve", threshold))
    res = pd.concat(out, ignore_index=True)
    res.attrs["curves"] = curves
    res.attrs["prior"] = {"model": chosen, "n_identified": len(ident), "n_fitted": len(ok),
                          "weak": bool(prior_only), "centre": float(np.exp(mu)),
                          "tau": float(tau), "sigma": sigma}
    return res


# ------------------------------------------------------------------------------ mixed
def _mixed_fit(df, model):
    try:
        res = fit_mixed(df, model=model, group="region", x="year", y="value",
                        random=("K", _RATE[model], "t0"), errors="multiplicative",
                        check_groups=False)
    except ClusterResearchError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return res, None


def _mixed_core(df, *, model="auto", n_draws=400, seed=0, min_points=3, threshold=STAGE_THRESHOLD):
    counts = df.groupby("region", sort=False).size()
    use = df[df["region"].isin(counts[counts >= min_points].index)]
    models = ("logistic", "gompertz") if model == "auto" else (model,)
    if any(m not in KNEES for m in models):
        raise ParameterError(f"mixed model must be 'logistic', 'gompertz' or 'auto', got {model!r}")
    fits = {m: _mixed_fit(use, m) if len(counts[counts >= min_points]) >= 2 else
            (None, f"fewer than 2 regions with >= {min_points} observations") for m in models}
    good = [m for m in models if fits[m][0] is not None and fits[m][0].converged]
    chosen = max(good, key=lambda m: fits[m][0].llf) if good else None
    rng = np.random.default_rng(seed)
    out = []
    if chosen is None:
        why = "; ".join(f"{m}: " + (fits[m][1] or "did not converge: "
                                    + fits[m][0].convergence_message) for m in models)
        for r, g in df.groupby("region", sort=False):
            out.append(stage_rows(r, g["year"].to_numpy(int), None, None,
                                  f"mixed: no converged fit ({why})"))
        return pd.concat(out, ignore_index=True)
    res = fits[chosen][0]
    names = ["K", _RATE[chosen], "t0"]
    D = np.diag(res.cov_re.to_numpy(float)) if res.cov_re.ndim == 2 else \
        np.asarray(res.cov_re, float)
    Dinv = np.diag(1.0 / np.maximum(np.asarray(D, float), 1e-12))
    gp = res.group_params
    for r, g in df.groupby("region", sort=False):
        yrs = g["year"].to_numpy(int)
        if r not in gp.index:
            out.append(stage_rows(r, yrs, None, None,
                             f"mixed: fewer than {min_points} observations: no stage"))
            continue
        theta = gp.loc[r, names].to_numpy(float)
        # Laplace approximation of the group curve's conditional distribution:
        # H = J'J / sigma^2 + cov_re^-1, J = d log f / d theta at the group curve
        t = yrs.astype(float)
        J = _dlogf(chosen, [np.log(theta[0]), np.log(theta[1]), theta[2]], t) / \
            np.array([theta[0], theta[1], 1.0])
        H = J.T @ J / res.scale + Dinv
        if np.all(np.isfinite(H)):
            cov = np.linalg.pinv(H, hermitian=True)
            draws = rng.multivariate_normal(theta, (cov + cov.T) / 2.0, size=n_draws, method="eigh")
            draws = draws[(draws[:, 0] > 0) & (draws[:, 1] > 0)]
        else:  # a group curve without a finite Laplace approximation: no draws
            draws = np.empty((0, 3))
        if len(draws):
            dph = curve_phases(chosen, draws, yrs)
            probs = np.stack([(dph == q).mean(axis=0) for q in (1, 2, 3, 4)], axis=1)
        else:
            probs = np.full((len(yrs), 4), 0.25)
        ph = curve_phases(chosen, theta, yrs)
        why = (f"mixed ({chosen}, random K, {names[1]}, t0; {res.n_groups} regions; "
               f"{'pooled llf choice; ' if model == 'auto' else ''}converged): group curve "
               f"K={theta[0]:.4g}, {names[1]}={theta[1]:.3g}, t0={theta[2]:.1f}; phase of "
               "the year on it")
        out.append(stage_rows(r, yrs, [_STAGES[q - 1] for q in ph], probs, why, threshold))
    return pd.concat(out, ignore_index=True)


# ------------------------------------------------------------------------------ hmm
def _hmm_features(g: pd.DataFrame) -> np.ndarray:
    ly = np.log(g["value"].to_numpy(float))
    return np.column_stack([np.diff(ly), ly[1:] - ly.max()])


def _transmat(stay, skip):
    move = 1.0 - stay - skip
    return np.array([[stay, move, skip, 0.0], [0.0, stay, move, skip],
                     [0.0, 0.0, stay, 1.0 - stay], [0.0, 0.0, 0.0, 1.0]])


def _hmm_core(df, *, stay=0.75, skip=0.05, n_iter=50, seed=0, min_regions=2,
              threshold=STAGE_THRESHOLD):
    regions, feats, single = [], [], []
    for r, g in df.groupby("region", sort=False):
        if len(g) >= 3:
            regions.append(r)
            feats.append(_hmm_features(g))
        else:
            single.append(r)
    out = []
    if len(regions) >= min_regions:
        X = np.vstack(feats)
        lengths = [len(f) for f in feats]
        from hmmlearn.hmm import GaussianHMM  # with scikit-learn 0.2 s to import: only here

        hmm = GaussianHMM(n_components=4, covariance_type="diag", n_iter=n_iter, tol=1e-4,
                          random_state=seed, params="smc", init_params="")
        hmm.startprob_ = np.full(4, 0.25)
        hmm.transmat_ = _transmat(stay, skip)
        # ordered starting means: phase I far below the top and fast, IV at the top and slow
        qs = np.quantile(X, [0.875, 0.625, 0.375, 0.125], axis=0)
        hq = np.quantile(X[:, 1], [0.125, 0.375, 0.625, 0.875])
        hmm.means_ = np.column_stack([qs[:, 0], hq])
        hmm.covars_ = np.tile(np.var(X, axis=0) / 4 + 1e-6, (4, 1))
        hmm.fit(X, lengths)
        post = hmm.predict_proba(X, lengths)
        path = hmm.predict(X, lengths)
        ok = "converged" if hmm.monitor_.converged else "EM did not converge"
        i = 0
        for r, L in zip(regions, lengths):
            g = df[df["region"] == r]
            P = np.vstack([post[i:i + 1], post[i:i + L]])
            s = np.concatenate([path[i:i + 1], path[i:i + L]])
            i += L
            means = ", ".join(f"{m:.3f}" for m in hmm.means_[:, 0])
            why = (f"hmm (left-to-right, pooled over {len(regions)} regions, {ok}; "
                   f"state growth-rate means {means}): smoothed posterior, Viterbi stage")
            out.append(stage_rows(r, g["year"].to_numpy(int), [_STAGES[k] for k in s], P, why,
                             threshold))
    else:
        single = single + regions
    for r in single:
        g = df[df["region"] == r]
        out.append(stage_rows(r, g["year"].to_numpy(int), None, None,
                         "hmm: fewer than 3 observations, or fewer than "
                         f"{min_regions} usable regions: no stage"))
    return pd.concat(out, ignore_index=True)


# ------------------------------------------------------------------------------ lag
def _lag_core(df, *, scale=None, model="auto", n_draws=400, seed=0, threshold=STAGE_THRESHOLD,
              warm=None, min_points=2, last_only=False):
    """The diffusion-lag model (:mod:`cluster_research.lifecycle.lag`); ``model="auto"`` fits
    the logistic and the Gompertz common curve and keeps the smaller RSS (same number of
    parameters, so the smaller AIC)."""
    models = ("logistic", "gompertz") if model == "auto" else (model,)
    if any(m not in KNEES for m in models):
        raise ParameterError(f"lag model must be 'logistic', 'gompertz' or 'auto', got {model!r}")
    d = df if scale is None else divide_by_scale(df, scale)
    counts = d.groupby("region", sort=False).size()
    use = d[d["region"].isin(counts[counts >= min_points].index)]
    rng = np.random.default_rng(seed)
    out = []
    fit = None
    if use["region"].nunique() >= 2 and len(use) > use["region"].nunique() + 2:
        warm = warm or {}
        fits = [fit_lag(use["region"], use["year"], use["value"], model=m, warm=warm.get(m),
                        identify=False) for m in models]
        best = min(fits, key=lambda f: f.rss)           # identification for the chosen curve
        fit = fit_lag(use["region"], use["year"], use["value"], model=best.model, warm=best)
        fit.siblings = {f.model: f for f in fits}
        groups, cache = {r: g for r, g in use.groupby("region", sort=False)}, {}

        def own_fit(r, m):          # each region's own curve, fitted when first needed
            if (r, m) not in cache:
                g = groups[r]
                cache[r, m] = (_fit_region(g["year"].to_numpy(float),
                                           g["value"].to_numpy(float), m) if len(g) >= 4
                               else None)
            return cache[r, m]

        own = {r: {m: (lambda r=r, m=m: own_fit(r, m)) for m in ("logistic", "gompertz")}
               for r in groups}
        if fit.identified:
            test = common_curve_test(fit, use["region"], use["year"], use["value"],
                                     {r: own_fit(r, fit.model) for r in groups})
            if test["p"] < COMMON_CURVE_LEVEL:
                fit.identified = False
                fit.reason = (f"the regions do not share one curve: separate {fit.model} curves "
                              f"fit better (F = {test['F']:.2f} on {test['q']} and "
                              f"{test['df_sep']} df, p = {test['p']:.2g} < "
                              f"{COMMON_CURVE_LEVEL:g})")
            elif not test["p"] >= 0:
                fit.identified = False
                fit.reason = ("the common curve cannot be tested against separate curves yet "
                              "(fewer than 2 regions with 4 observations), so the stages would "
                              "rest on an untested assumption")
            else:
                fit.reason += (f"; one common curve is not rejected against separate curves "
                               f"(F = {test['F']:.2f}, p = {test['p']:.2g})")
    for r, g in df.groupby("region", sort=False):
        yrs = g["year"].to_numpy(int)
        if fit is None or r not in fit.regions:
            out.append(stage_rows(r, yrs, None, None,
                             f"lag: fewer than {min_points} observations or 2 regions: no stage"))
            continue
        i = fit.regions.index(r)
        desc = (f"diffusion lag ({fit.model}{', smaller RSS' if model == 'auto' else ''}, "
                f"common K={fit.K:.4g}, k={fit.k:.3g}, "
                f"{len(fit.regions)} regions): t0={fit.t0[i]:.1f}")
        if not fit.identified:
            st, P, why = mark_early([None] * len(yrs), np.full((len(yrs), 4), 0.25),
                                     f"{desc}; not identified: {fit.reason}", own.get(r), yrs,
                                     _last(yrs, df, last_only))
            out.append(stage_rows(r, yrs, st, P, why))
            continue
        C = fit.cov[np.ix_([1, 2 + i], [1, 2 + i])]
        C = (C + C.T) / 2.0
        if np.all(np.isfinite(C)):
            draws = rng.multivariate_normal(fit.z[[1, 2 + i]], C, size=n_draws, method="eigh")
            th = np.column_stack([np.zeros(n_draws), draws[:, 0], np.zeros((n_draws, i)),
                                  draws[:, 1]])
            ph = fit.phases(i, yrs, th)
            probs = np.stack([(ph == q).mean(axis=0) for q in (1, 2, 3, 4)], axis=1)
        else:
            probs = np.full((len(yrs), 4), 0.25)
        ph = fit.phases(i, yrs)[0]
        out.append(stage_rows(r, yrs, [_STAGES[q - 1] for q in ph], probs,
                         f"{desc}; {fit.reason}; phase of the year on the common curve", threshold))
    res = pd.concat(out, ignore_index=True)
    res.attrs["fit"] = fit
    if fit is not None and fit.k > 0 and np.isfinite(fit.K):
        res.attrs["curves"] = {r: [fit.model, [math.log(fit.K), math.log(fit.k),
                                                float(fit.t0[i])]]
                               for i, r in enumerate(fit.regions)}
    elif fit is not None and fit.limit is not None:     # the common exponential itself
        res.attrs["curves"] = {r: ["exponential", [fit.limit[i], fit.limit[-2], fit.limit[-1]]]
                               for i, r in enumerate(fit.regions)}
    return res


# ------------------------------------------------------------------------------ auto
def _auto_core(df, *, scale=None, n_draws=400, seed=0, threshold=STAGE_THRESHOLD, warm=None,
               last_only=False):
    """``lag`` where the panel identifies one common curve and does not reject it against
    separate curves; ``pooled`` (each region its own ceiling) otherwise."""
    lag = _lag_core(df, scale=scale, n_draws=n_draws, seed=seed, threshold=threshold, warm=warm,
                    last_only=last_only)
    fit = lag.attrs.get("fit")
    if fit is not None and fit.identified:
        lag["reason"] = "auto: one common curve -> " + lag["reason"]
        return lag
    out = _pooled_core(df, n_draws=n_draws, seed=seed, threshold=threshold, last_only=last_only)
    why = fit.reason if fit is not None else "no lag fit (fewer than 2 regions with 2 years)"
    out["reason"] = f"auto: no common curve ({why}) -> " + out["reason"]
    out.attrs["fit"] = fit
    return out


# ------------------------------------------------------------------------------ public
CORES = {"auto": _auto_core, "lag": _lag_core, "curve": _curve_core, "hmm": _hmm_core,
         "pooled": _pooled_core, "mixed": _mixed_core}


def _gate(df, out) -> pd.DataFrame:
    """Take the stage away where there is no growth (:func:`panel_growth_check`), with the
    test in the reason (probabilities kept)."""
    out = out.copy()
    for r, why in panel_growth_check(df["region"], df["year"], df["value"]).items():
        sel = (out["region"] == r).to_numpy()
        out.loc[sel, "stage"] = None
        out.loc[sel, "reason"] = why + "; " + out.loc[sel, "reason"]
    return out


#: Progress of the real-time refits (seconds): logger ``cluster_research.lifecycle.panel``
#: writes an INFO record after a refit when at least this many seconds passed since the last
#: record (or the start), so a long loop reports every refit that ends 30 s after the last.
PROGRESS_SECONDS = 30.0
_log = logging.getLogger(__name__)


def _realtime(core, df, options) -> pd.DataFrame:
    """Refit the model on the years <= t for every year t, keeping the answer for t.

    The refits run in year order in this process; models that accept ``warm`` start year
    ``t`` from year ``t - 1``'s solution (a start only: the answer is that of the data <= t).
    Progress is logged (:data:`PROGRESS_SECONDS`).
    """
    parts, warm, by_year = [], None, {}
    years = sorted(df["year"].unique())
    start = last = time.monotonic()
    for k, t in enumerate(years, 1):
        kw = dict(options)
        if core in (_lag_core, _auto_core):
            kw["warm"] = warm
        if core in (_lag_core, _auto_core, _pooled_core, _curve_core):
            kw["last_only"] = True      # only year t's row is kept: test the rule there only
        part = df[df["year"] <= t]
        res = core(part, **kw)
        fit = res.attrs.get("fit")
        warm = getattr(fit, "siblings", None)
        res = _gate(part, res)
        fitted = {k: res.attrs[k] for k in ("prior", "curves") if k in res.attrs}
        if fitted:                      # the fit behind year t's rows (pooled: prior, curves)
            by_year[int(t)] = fitted
        res.attrs = {}
        res = res[res["year"] == t].copy()
        res["reason"] = f"real time (data <= {t}): " + res["reason"]
        parts.append(res)
        now = time.monotonic()
        if now - last >= PROGRESS_SECONDS:
            last = now
            _log.info("real-time %s: refit %d of %d done (data <= %s), %.0f s", core.__name__,
                      k, len(years), t, now - start)
    out = pd.concat(parts, ignore_index=True)
    if by_year:
        out.attrs["by_year"] = by_year
    return out


def panel_stages(data: pd.DataFrame, *, information: str = "hindsight", method: str = "auto",
                 region: str = "region", x: str = "year", y: str = "value",
                 indicator: str | None = None, **options) -> pd.DataFrame:
    """Classify the lifecycle stage of every region and year of a long panel.

    Parameters
    ----------
    data : pandas.DataFrame
        Long frame with columns region, year, value (as ``read_csv(kind="series")``
        gives for several regions, or a panel indicator).  A frame with an
        ``indicator`` column holding several indicators needs ``indicator=``.  Missing
        values are dropped (never filled); values must be positive.
    information : {"hindsight", "realtime"}
        Hindsight uses all years; real time reruns the model on the years ≤ each year
        (no look-ahead, see the module docstring), each year's refit started from the
        previous year's solution.
    method : {"auto", "lag", "pooled", "mixed", "hmm", "curve", "eb"}
        The models of the module docstring; ``"eb"``: empirical Bayes
        (:func:`cluster_research.lifecycle.eb.eb_stages`, options there).  Options: ``auto``
        -- ``scale``, ``n_draws``, ``seed``, ``threshold`` (passed on); ``lag`` -- ``scale`` (a mapping
        region -> divisor making the values scale-free, e.g. population), ``model`` ("auto",
        "logistic", "gompertz"), ``n_draws`` (400),
        ``seed`` (0), ``threshold`` (:data:`STAGE_THRESHOLD`); ``pooled`` -- ``model``
        ("auto"), ``n_draws`` (400), ``seed`` (0), ``min_points`` (5, for the step-1
        fits), ``tau_min`` (0.1), ``tau_default`` (1.0); every method also takes
        ``threshold`` (:data:`STAGE_THRESHOLD`); ``mixed`` -- ``model``
        ("auto"), ``n_draws`` (400), ``seed`` (0), ``min_points`` (3); ``hmm`` -- ``stay`` (0.75),
        ``skip`` (0.05), ``n_iter`` (50), ``seed`` (0); ``curve`` -- ``model``
        ("auto", "logistic", "gompertz"), ``n_draws`` (400), ``seed`` (0),
        ``min_points`` (5).
    region, x, y : str
        Column names.
    indicator : str, optional

    Returns
    -------
    pandas.DataFrame
        One row per region and observed year: region, year, stage (:class:`Stage` or
        None), prob_embryonic, prob_growth, prob_expansion, prob_takeoff (summing to 1)
        and reason.  ``attrs`` records method, information and options.

    Raises
    ------
    ParameterError
        Missing columns, duplicate region-years, non-positive values, unknown method,
        information or option.

    References
    ----------
    Rabiner (1989); Kucharavy & De Guio (2011) -- see the module docstring.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(2000, 2015)
    >>> df = pd.concat([pd.DataFrame({"region": r, "year": t,
    ...                               "value": 100 / (1 + np.exp(-0.6 * (t - m)))})
    ...                 for r, m in [("a", 2004), ("b", 2008), ("c", 2011)]])
    >>> out = panel_stages(df, method="curve", model="logistic")
    >>> out.loc[out.region == "b", "stage"].map(lambda s: s.order).tolist()
    [1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 4]
    """
    _check(information, method)
    df = prepare_panel(data, region, x, y, indicator)
    if df.empty:
        raise ParameterError("the panel has no positive values")
    core = CORES.get(method)
    try:
        if core is None:  # "eb" runs its own real-time loop (each year's EM warm-started)
            out = eb_stages(df, information=information, **options)
            out = pd.concat([_gate(df[df["year"] <= t], g) for t, g in out.groupby("year")]
                            if information == "realtime" else [_gate(df, out)])
        elif information == "hindsight":
            out = _gate(df, core(df, **options))
            out.attrs.pop("fit", None)
        else:
            out = _realtime(core, df, options)
    except TypeError as exc:
        raise ParameterError(f"bad option for method {method!r}: {exc}") from exc
    out = out.sort_values(["region", "year"]).reset_index(drop=True)
    opts = {k: ({str(i): float(x) for i, x in v.items()} if isinstance(v, pd.Series) else v)
            for k, v in options.items()}
    out.attrs.update(method=method, information=information, options=opts)
    return out
