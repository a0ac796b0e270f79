"""Score panel stage models on synthetic panels whose true phase is known.

The simulator draws, for every region, an S-curve (logistic or Gompertz) with a
region-specific ceiling ``K``, rate and midpoint ``t0``, observes it yearly with
multiplicative log-normal noise, and records the *true* phase of every year from
closed forms written here (not from :func:`cluster_research.lifecycle.boundaries`,
so that the package is not tested against itself):

* logistic ``y = K / (1 + exp(-k (t - t0)))``: ``y'' = 0`` at ``t0``; ``y''' = 0`` at
  ``t0 ∓ ln(2 + √3) / k`` (Kucharavy & De Guio 2011; the knees at ``y/K = (3 ∓ √3)/6``).
* Gompertz ``y = K exp(-exp(-b (t - t0)))``: with ``x = exp(-b (t - t0))``,
  ``y' = K b x e^{-x}``, ``y'' = K b² x e^{-x} (x - 1)`` and
  ``y''' = K b³ x e^{-x} (x² - 3x + 1)``; so the inflection is at ``x = 1`` (``t0``) and the
  knees at ``x = (3 ± √5)/2``, i.e. ``t0 ∓ ln((3 + √5)/2) / b``.

Phases: I before the lower knee, II lower knee → inflection, III inflection → upper
knee, IV after the upper knee; with the default phase map I-IV are 萌芽, 成长, 扩大, 起飞.

Scores (:func:`score`): accuracy against the true phase (an unclassified year counts
as wrong), the share classified, the accuracy among classified years, the share of
backward steps among consecutive classified years of a region, and the multi-class
Brier score ``mean_i Σ_s (p_is - 1[s = true_i])²`` (0 perfect, 0.75 for uniform
probabilities, 2 worst).
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from ..errors import ParameterError
from .checks import backward_steps
from .eb import ceiling_loglik, curve_grid
from .panel import PROB_COLUMNS, panel_stages
from .stage import Stage

__all__ = [
    "CEILING_RANGE", "GOMPERTZ_KNEE_OFFSET", "LOGISTIC_KNEE_OFFSET", "bar_grid",
    "bayes_phase_probabilities", "method_summary",
    "reliability_table", "run_benchmark", "score", "simulate_panel", "true_boundaries",
    "true_phase"]

#: ``ln(2 + √3)``: distance of the logistic knees from the inflection, in units of 1/k.
LOGISTIC_KNEE_OFFSET = math.log(2.0 + math.sqrt(3.0))
#: ``ln((3 + √5)/2)``: distance of the Gompertz knees from the inflection, in units of 1/b.
GOMPERTZ_KNEE_OFFSET = math.log((3.0 + math.sqrt(5.0)) / 2.0)
#: Range of the ceilings ``K`` of the independent design (log-uniform).
CEILING_RANGE = (50.0, 5000.0)


def true_boundaries(model: str, rate, t0):
    """Return the closed-form lower knee, inflection and upper knee of an S-curve.

    Parameters
    ----------
    model : {"logistic", "gompertz"}
    rate : float or array
        ``k`` (logistic) or ``b`` (Gompertz), > 0.
    t0 : float or array
        Inflection year.

    Returns
    -------
    tuple of arrays
        ``(lower_knee, inflection, upper_knee)``; logistic ``t0 ∓ ln(2+√3)/k``,
        Gompertz ``t0 ∓ ln((3+√5)/2)/b`` (see the module docstring for the derivation).

    Examples
    --------
    >>> lo, mid, hi = true_boundaries("logistic", 1.0, 2000.0)
    >>> round(float(lo), 4), float(mid), round(float(hi), 4)
    (1998.683, 2000.0, 2001.317)
    """
    rate = np.asarray(rate, float)
    t0 = np.asarray(t0, float)
    if np.any(rate <= 0):
        raise ParameterError(f"the rate of a {model} curve must be > 0, got {rate}")
    if model not in ("logistic", "gompertz"):
        raise ParameterError(f"model must be 'logistic' or 'gompertz', got {model!r}")
    d = (LOGISTIC_KNEE_OFFSET if model == "logistic" else GOMPERTZ_KNEE_OFFSET) / rate
    return t0 - d, t0 + 0.0 * d, t0 + d


def true_phase(model: str, rate, t0, year):
    """Return the true phase 1-4 (I-IV) of ``year`` on a logistic or Gompertz curve.

    Parameters
    ----------
    model : {"logistic", "gompertz"}
    rate, t0 : float or array
    year : float or array (broadcast against ``rate`` and ``t0``)

    Returns
    -------
    numpy.ndarray of int
        1 + the number of boundaries (lower knee, inflection, upper knee) strictly
        before ``year``; a year exactly on a boundary belongs to the later phase.

    Examples
    --------
    >>> true_phase("gompertz", 0.5, 2010.0, [2000, 2009, 2011, 2020]).tolist()
    [1, 2, 3, 4]
    """
    lo, mid, hi = true_boundaries(model, rate, t0)
    year = np.asarray(year, float)
    return (1 + (year >= lo).astype(int) + (year >= mid).astype(int) + (year >= hi).astype(int))


def simulate_panel(n_regions: int = 30, n_years: int = 15, *, model: str = "logistic",
                   noise: float = 0.08, seed: int = 0, first_year: int = 2010,
                   rate_range=(0.25, 0.7), midpoint_margin: float = 3.0,
                   design: str = "independent", shift_span: float = 24.0) -> pd.DataFrame:
    """Simulate a long panel of noisy S-curves with the true phase of every year.

    Parameters
    ----------
    n_regions, n_years : int
    model : {"logistic", "gompertz", "mixed"}
        The true curve; ``"mixed"``: each region's curve is logistic or Gompertz at random
        (``design="independent"`` only).
    design : {"independent", "shifted"}
        ``"independent"``: every region its own ceiling ``K``, log-uniform on
        :data:`CEILING_RANGE`, and its own rate and midpoint (below).
        ``"shifted"``: time-shifted copies of *one* curve (Griliches 1957; Comin & Hobijn
        2010): common ceiling ``K = 1000`` and rate (drawn once), midpoints spread uniformly
        over ``shift_span`` years centred on the panel.
    shift_span : float
        Spread of the midpoints of the shifted design (years).
    noise : float
        Standard deviation ``σ`` of the log noise: ``y_obs = y · exp(σ ε)``, ``ε ~ N(0, 1)``
        (about σ·100 % multiplicative noise).
    seed : int
        Seed of ``numpy.random.default_rng``.
    first_year : int
    rate_range : (float, float)
        Rates ``k`` / ``b`` drawn uniformly in this range.
    midpoint_margin : float
        Midpoints ``t0`` drawn uniformly from ``first_year - margin`` to
        ``last_year + margin``, so regions start in every phase and every phase occurs.
        Gompertz midpoints are also kept at most ``4 / b`` years after the first year,
        so that the first level is at least ``K exp(-e⁴) ≈ 2e-24 K`` (no underflow to 0).

    Returns
    -------
    pandas.DataFrame
        Columns region, year, value, true_phase (1-4), true_stage (Stage, default map),
        K, rate, t0, mean (noise-free level).  ``attrs`` keeps the settings (model, noise,
        seed, design, rate_range, midpoint_margin).

    Examples
    --------
    >>> df = simulate_panel(3, 10, seed=1)
    >>> sorted(df.columns[:4])
    ['region', 'true_phase', 'value', 'year']
    """
    if model not in ("logistic", "gompertz", "mixed"):
        raise ParameterError(f"model must be 'logistic', 'gompertz' or 'mixed', got {model!r}")
    if design not in ("independent", "shifted") or (design == "shifted" and model == "mixed"):
        raise ParameterError(f"design must be 'independent' or 'shifted' (one curve model), "
                             f"got {design!r} with model {model!r}")
    if noise < 0 or n_regions < 1 or n_years < 3:
        raise ParameterError("noise must be >= 0, n_regions >= 1 and n_years >= 3")
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, first_year + n_years, dtype=float)
    last = years[-1]
    models = (rng.choice(["logistic", "gompertz"], n_regions) if model == "mixed"
              else np.full(n_regions, model))
    gomp = models == "gompertz"
    if design == "shifted":
        K = np.full(n_regions, 1000.0)
        rate = np.full(n_regions, rng.uniform(rate_range[0], rate_range[1]))
        mid = (first_year + last) / 2.0
        hi = mid + shift_span / 2.0
        if model == "gompertz":  # keep the first level above exp(-e^4) K (no underflow)
            hi = min(hi, first_year + 4.0 / rate[0])
        t0 = rng.uniform(mid - shift_span / 2.0, hi, n_regions)
    else:
        K = np.exp(rng.uniform(*np.log(CEILING_RANGE), n_regions))
        rate = rng.uniform(rate_range[0], rate_range[1], n_regions)
        hi = np.full(n_regions, last + midpoint_margin)
        hi = np.where(gomp, np.minimum(hi, first_year + 4.0 / rate), hi)
        t0 = rng.uniform(first_year - midpoint_margin, hi)
    T = years[None, :]
    u = rate[:, None] * (T - t0[:, None])
    mean = np.where(gomp[:, None], K[:, None] * np.exp(-np.exp(np.minimum(-u, 700.0))),
                    K[:, None] / (1.0 + np.exp(-u)))
    phase = np.where(gomp[:, None], true_phase("gompertz", rate[:, None], t0[:, None], T),
                     true_phase("logistic", rate[:, None], t0[:, None], T))
    obs = mean * np.exp(noise * rng.standard_normal(mean.shape))
    stages = list(Stage)
    rows = pd.DataFrame({
        "region": np.repeat([f"R{i:02d}" for i in range(n_regions)], n_years),
        "year": np.tile(years.astype(int), n_regions),
        "value": obs.ravel(),
        "true_phase": phase.ravel(),
        "K": np.repeat(K, n_years), "rate": np.repeat(rate, n_years),
        "t0": np.repeat(t0, n_years), "mean": mean.ravel()})
    rows.insert(4, "true_stage", [stages[p - 1] for p in rows["true_phase"]])
    rows.attrs.update(model=model, noise=noise, seed=seed, design=design,
                      rate_range=tuple(rate_range), midpoint_margin=midpoint_margin)
    return rows


def bayes_phase_probabilities(sim: pd.DataFrame, information: str = "hindsight",
                              grid=(80, 400)) -> pd.DataFrame:
    """Return the Bayes posterior of every region-year's phase on an independent-design panel.

    The regions of :func:`simulate_panel` (``design="independent"``) are independent draws
    from a known prior, so the rule that picks, for each region-year, the phase of highest
    posterior probability given that region's data has the highest expected accuracy of any
    classifier (the Bayes rule for 0-1 loss): its accuracy bounds what any method can reach.

    With ``z_j = ln y_obs(t_j) = L + ln f(t_j; θ) + σ ε_j``, ``L = ln K`` uniform on
    ``[a, b] = ln CEILING_RANGE`` and ``θ = (model, rate, t0)``, ``L`` is integrated out in
    closed form over the ``n`` years used (``d_j = z_j - ln f(t_j; θ)``, mean ``d̄``):

    ``p(z | θ) ∝ exp(-Σ_j (d_j - d̄)² / 2σ²) · [Φ((b - d̄)√n/σ) - Φ((a - d̄)√n/σ)]``

    and ``p(phase s of year t | z) = Σ_θ p(θ) p(z | θ) 1[phase(t; θ) = s] / Σ_θ p(θ) p(z | θ)``
    over a grid of ``θ`` with equal prior mass per point: rates at the midpoints of
    ``grid[0]`` equal cells of ``rate_range``, and for each rate the midpoints at the
    ``grid[1]`` equal-probability cells of ``t0``'s uniform prior (``[first - margin,
    last + margin]``, Gompertz also ``≤ first + 4/rate``); for the ``"mixed"`` truth both
    models with prior 1/2. The phase of a year comes from :func:`true_phase`.

    Parameters
    ----------
    sim : pandas.DataFrame
        A :func:`simulate_panel` frame with ``design="independent"`` (its ``attrs`` give
        the model, σ and the prior); region, year, value; every region the same years.
    information : {"hindsight", "realtime"}
        Hindsight: every year's posterior uses all the region's years; real time: the
        posterior of year ``t`` uses only its years ``≤ t``.
    grid : (int, int)
        Number of rate and midpoint cells per model.

    Returns
    -------
    pandas.DataFrame
        region, year, stage (the phase of highest posterior probability, as a
        :class:`Stage`) and the posterior probabilities ``PROB_COLUMNS`` (phases I-IV), as
        :func:`panel_stages` gives: :func:`score` gives the Bayes accuracy and its expected
        accuracy (the mean largest posterior probability).

    References
    ----------
    Berger, J. O. (1985). *Statistical Decision Theory and Bayesian Analysis*, 2nd ed.,
    Springer, §4.4.
    Hastie, T., Tibshirani, R., Friedman, J. (2009). *The Elements of Statistical
    Learning*, 2nd ed., Springer, §2.4 (the Bayes classifier).

    Examples
    --------
    >>> sim = simulate_panel(2, 12, noise=0.08, seed=1)
    >>> post = bayes_phase_probabilities(sim, grid=(20, 100))
    >>> bool(np.allclose(post[list(PROB_COLUMNS)].sum(axis=1), 1.0))
    True
    """
    at = sim.attrs
    if at.get("design") != "independent" or "rate_range" not in at:
        raise ParameterError("bayes_phase_probabilities needs a simulate_panel frame with "
                             f"design='independent' and its attrs, got attrs {at}")
    if information not in ("hindsight", "realtime"):
        raise ParameterError(f"information must be 'hindsight' or 'realtime', got {information!r}")
    wide = sim.pivot(index="region", columns="year", values="value")
    bad = wide.index[(wide.isna() | (wide <= 0)).any(axis=1)]
    if len(bad):
        raise ParameterError(f"region {bad[0]}: a year is missing or its value is not > 0")
    years = wide.columns.to_numpy(float)
    sigma, margin, (r_lo, r_hi) = at["noise"], at["midpoint_margin"], at["rate_range"]
    rate = (r_lo + (np.arange(grid[0]) + 0.5) / grid[0] * (r_hi - r_lo))[:, None]
    q = (np.arange(grid[1]) + 0.5) / grid[1]
    models = ("logistic", "gompertz") if at["model"] == "mixed" else (at["model"],)
    caps = [np.minimum(years[-1] + margin,
                       years[0] + (4.0 / rate if m == "gompertz" else np.inf * rate))
            for m in models]
    t0 = [(years[0] - margin + (hi - years[0] + margin) * q).reshape(-1, 1) for hi in caps]
    logf, onehot = curve_grid(models, np.repeat(rate, grid[1], axis=0), t0, years,
                              phase=true_phase)
    used = np.arange(len(years)) if information == "realtime" else np.array([len(years) - 1])
    probs = []
    for z in np.log(wide.to_numpy()):
        ll = ceiling_loglik(z, logf, used, sigma, np.log(CEILING_RANGE))
        w = np.exp(ll - logsumexp(ll, axis=0))
        probs.append(np.einsum("gy,gys->ys", w, onehot) if information == "realtime"
                     else np.tensordot(w[:, 0], onehot, axes=1))
    P = np.concatenate(probs)
    out = pd.DataFrame(P, columns=list(PROB_COLUMNS))
    out.insert(0, "region", np.repeat(wide.index.to_numpy(), len(years)))
    out.insert(1, "year", np.tile(wide.columns.to_numpy(), len(wide)))
    out.insert(2, "stage", [list(Stage)[i] for i in P.argmax(axis=1)])
    return out


def score(pred: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """Score a :func:`panel_stages` table against a simulated truth.

    Parameters
    ----------
    pred : DataFrame
        region, year, stage, prob_embryonic ... prob_takeoff.
    truth : DataFrame
        region, year, true_phase (1-4), as :func:`simulate_panel` gives.

    Returns
    -------
    dict
        ``accuracy`` (unclassified = wrong), ``coverage``, ``accuracy_classified``,
        ``backward_steps`` (share of consecutive classified pairs that go back),
        ``brier`` (multi-class, see the module docstring), ``prob_true`` (mean
        probability given to the true stage), ``expected_accuracy`` (the accuracy the
        probabilities promise: mean probability of the stage shown, 0 where none is; for
        the Bayes rule the mean largest posterior probability, an estimate of its expected
        accuracy with less sampling noise than ``accuracy``), ``n``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"region": ["a", "a"], "year": [1, 2], "true_phase": [1, 2]})
    >>> p = t[["region", "year"]].assign(stage=[Stage.EMBRYONIC, Stage.EMBRYONIC], prob_embryonic=1.0,
    ...              prob_growth=0.0, prob_expansion=0.0, prob_takeoff=0.0)
    >>> score(p, t)["accuracy"]
    0.5
    """
    m = pred.merge(truth[["region", "year", "true_phase"]], on=["region", "year"],
                   how="inner", validate="one_to_one")
    if len(m) != len(truth):
        raise ParameterError(f"the prediction covers {len(m)} of {len(truth)} region-years")
    order = np.array([s.order if isinstance(s, Stage) else 0 for s in m["stage"]])
    hit = order == m["true_phase"].to_numpy()
    cls = order > 0
    P = m[list(PROB_COLUMNS)].to_numpy(float)
    onehot = np.eye(4)[m["true_phase"].to_numpy() - 1]
    back, steps = backward_steps(m)
    return {
        "accuracy": float(hit.mean()),
        "coverage": float(cls.mean()),
        "accuracy_classified": float(hit[cls].mean()) if cls.any() else float("nan"),
        "backward_steps": back / steps if steps else float("nan"),
        "brier": float(np.mean(np.sum((P - onehot) ** 2, axis=1))),
        "prob_true": float(np.mean(np.sum(P * onehot, axis=1))),
        "expected_accuracy": float(np.mean(np.where(
            cls, np.nan_to_num(P[np.arange(len(m)), np.maximum(order, 1) - 1]), 0.0))),
        "n": len(m)}


def run_benchmark(methods=("lag", "pooled", "curve", "hmm"), noises=(0.05, 0.08, 0.15),
                  models=("logistic", "gompertz"), informations=("hindsight", "realtime"),
                  seeds=(0, 1), n_regions: int = 30, n_years: int = 15,
                  method_options: dict | None = None, designs=("independent",)) -> pd.DataFrame:
    """Run :func:`panel_stages` on seeded synthetic panels and score every combination.

    Parameters
    ----------
    methods : sequence of str
        ``method`` values of :func:`panel_stages`; ``method_options`` maps a label to
        ``(method, options)`` for variants (e.g. ``{"curve_gompertz": ("curve",
        {"model": "gompertz"})}``) and then ``methods`` lists those labels. ``"bayes"``:
        the Bayes-optimal rule :func:`bayes_phase_probabilities` (independent design only).
    noises, models, informations, seeds : sequences
    n_regions, n_years : int
    designs : sequence of {"independent", "shifted"}
        Simulation designs (:func:`simulate_panel`); ``"shifted"`` is skipped for the
        ``"mixed"`` truth.

    Returns
    -------
    pandas.DataFrame
        One row per method × noise × truth model × information (scores averaged over
        the seeds, see :func:`score`), with ``seconds`` (wall time per panel).

    Examples
    --------
    >>> tab = run_benchmark(methods=("hmm",), noises=(0.08,), models=("logistic",),
    ...                     informations=("hindsight",), seeds=(0,))   # doctest: +SKIP
    """
    method_options = dict(method_options or {})
    rows = []
    for label, design, model, noise, info in itertools.product(methods, designs, models,
                                                               noises, informations):
        if design == "shifted" and model == "mixed":
            continue
        method, opts = method_options.get(label, (label, {}))
        scores = []
        for seed in seeds:
            sim = simulate_panel(n_regions, n_years, model=model, noise=noise, seed=seed,
                                 design=design)
            t = time.perf_counter()
            pred = (bayes_phase_probabilities(sim, info, **opts) if method == "bayes" else
                    panel_stages(sim[["region", "year", "value"]], information=info,
                                 method=method, **opts))
            sc = score(pred, sim)
            sc["seconds"] = time.perf_counter() - t
            scores.append(sc)
        mean = pd.DataFrame(scores).mean().to_dict()
        rows.append({"method": label, "design": design, "truth": model, "noise": noise,
                     "information": info, **mean, "n_panels": len(seeds)})
    return pd.DataFrame(rows)


def reliability_table(pred: pd.DataFrame, truth: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Tabulate predicted stage probabilities against observed frequencies.

    Every region-year contributes four pairs ``(p_s, 1[s = true stage])``, one per
    stage; the pairs are binned by ``p_s`` into ``bins`` equal-width bins of [0, 1].
    A calibrated model has ``observed ≈ mean_predicted`` in every bin.

    Parameters
    ----------
    pred : DataFrame
        region, year and the four ``prob_*`` columns (see :func:`panel_stages`).
    truth : DataFrame
        region, year, true_phase.
    bins : int, default 10

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin: ``bin_low``, ``bin_high``, ``n`` (pairs),
        ``mean_predicted``, ``observed`` (share of pairs whose stage is the true one).
        ``attrs["ece"]`` is the expected calibration error
        ``Σ_b (n_b / n) |observed_b - mean_predicted_b|``.

    References
    ----------
    DeGroot, M. H., Fienberg, S. E. (1983). The comparison and evaluation of
    forecasters. *The Statistician* 32, 12-22.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"region": ["a"], "year": [1], "true_phase": [2]})
    >>> p = t.assign(prob_embryonic=0.0, prob_growth=1.0, prob_expansion=0.0, prob_takeoff=0.0)
    >>> reliability_table(p, t, bins=2)["observed"].tolist()
    [0.0, 1.0]
    """
    m = pred.drop(columns=["true_phase"], errors="ignore").merge(
        truth[["region", "year", "true_phase"]], on=["region", "year"], how="inner",
        validate="one_to_one")
    P = m[list(PROB_COLUMNS)].to_numpy(float)
    hit = np.eye(4)[m["true_phase"].to_numpy() - 1]
    p, h = P.ravel(), hit.ravel()
    ok = np.isfinite(p)
    p, h = p[ok], h[ok]
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        sel = idx == b
        if sel.any():
            rows.append({"bin_low": edges[b], "bin_high": edges[b + 1], "n": int(sel.sum()),
                         "mean_predicted": float(p[sel].mean()),
                         "observed": float(h[sel].mean())})
    tab = pd.DataFrame(rows)
    tab.attrs["ece"] = float(np.sum(tab["n"] / tab["n"].sum()
                                    * np.abs(tab["observed"] - tab["mean_predicted"])))
    return tab


def method_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Summarise a :func:`run_benchmark` table by method and information (one row each).

    Over the scenarios (design × truth × noise) of a method and information: their number,
    the mean and the lowest accuracy, the mean coverage, accuracy among classified years and
    Brier score, the largest share of backward steps, and the median and largest wall time
    per panel (``seconds``). The full table stays the reference; this is its reading aid.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`run_benchmark` table (method, information, accuracy, coverage,
        accuracy_classified, brier, backward_steps, seconds).

    Returns
    -------
    pandas.DataFrame
        Columns method, information, scenarios, accuracy_mean, accuracy_min, coverage_mean,
        accuracy_classified_mean, brier_mean, backward_steps_max, seconds_median,
        seconds_max; rows in the order the methods first appear.

    Examples
    --------
    >>> t = pd.DataFrame({"method": ["a", "a"], "information": ["hindsight"] * 2,
    ...                   "accuracy": [0.5, 0.9], "coverage": [1.0, 1.0],
    ...                   "accuracy_classified": [0.5, 0.9], "brier": [0.2, 0.1],
    ...                   "backward_steps": [0.0, 0.1], "seconds": [1.0, 3.0]})
    >>> s = method_summary(t)
    >>> int(s.scenarios[0]), float(s.accuracy_min[0]), float(s.seconds_max[0])
    (2, 0.5, 3.0)
    """
    g = table.groupby(["method", "information"], sort=False)
    return g.agg(scenarios=("accuracy", "size"), accuracy_mean=("accuracy", "mean"),
                 accuracy_min=("accuracy", "min"), coverage_mean=("coverage", "mean"),
                 accuracy_classified_mean=("accuracy_classified", "mean"),
                 brier_mean=("brier", "mean"), backward_steps_max=("backward_steps", "max"),
                 seconds_median=("seconds", "median"), seconds_max=("seconds", "max")).reset_index()


def bar_grid(checks: pd.DataFrame) -> pd.DataFrame:
    """Lay the accuracy of every method against its bar out as one scenario per row.

    Each cell reads ``"0.913 no"`` or ``"0.984 met"``: the accuracy of the method (column)
    in the scenario (row: information, noise, bar, design, truth) and whether it reaches
    the bar (``accuracy >= bar``, :data:`cluster_research.limits.STAGE_MODEL_BARS`); a
    method not run in a scenario (the real-time subset) is blank. Columns ``bayes_bound``
    and ``bayes_expected`` of ``checks`` (the accuracy of the Bayes-optimal rule on the same
    panels and its expected accuracy, which no method can exceed in expectation; NaN where
    not computed) are shown as last columns.

    Parameters
    ----------
    checks : pandas.DataFrame
        Columns method, design, truth, noise, information, accuracy, bar, met and
        optionally bayes_bound, bayes_expected.

    Returns
    -------
    pandas.DataFrame
        Index (information, noise, bar, design, truth), sorted by information and noise
        (else in the order of first appearance); one text column per method, in the order
        of first appearance, then ``bayes_bound`` and ``bayes_expected`` if given.

    Examples
    --------
    >>> c = pd.DataFrame({"method": ["a", "b"], "design": ["independent"] * 2,
    ...                   "truth": ["logistic"] * 2, "noise": [0.08] * 2,
    ...                   "information": ["hindsight"] * 2, "accuracy": [0.96, 0.5],
    ...                   "bar": [0.95] * 2, "met": [True, False]})
    >>> bar_grid(c).iloc[0].tolist()
    ['0.960 met', '0.500 no']
    """
    keys = ["information", "noise", "bar", "design", "truth"]
    cell = checks.assign(cell=[f"{a:.3f} {'met' if m else 'no'}"
                               for a, m in zip(checks["accuracy"], checks["met"])])
    wide = cell.pivot(index=keys, columns="method", values="cell")
    rows = pd.MultiIndex.from_frame(checks[keys].drop_duplicates().sort_values(
        ["information", "noise"], kind="stable"))  # one bar per block of rows
    wide = wide.reindex(index=rows, columns=checks["method"].unique()).fillna("")
    for col in ("bayes_bound", "bayes_expected"):
        if col in checks:
            bound = checks.groupby(keys, sort=False)[col].first().reindex(rows)
            wide[col] = [f"{b:.3f}" if pd.notna(b) else "" for b in bound]
    return wide
