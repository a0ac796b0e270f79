"""The Bayes-optimal phase classifier of the independent simulation design.

``benchmark.bayes_phase_probabilities`` gives the posterior of every region-year's phase
under the simulator's own prior; its accuracy bounds every method's.  Checked here against
facts that do not come from the code under test:

* with almost no noise the phase is almost known (Bayes accuracy >= 0.98);
* a brute-force Monte Carlo posterior (draws of K, rate, t0 and the model from the prior,
  weighted by the Gaussian likelihood of the log observations, phases from the closed-form
  knees t0 ∓ ln(2+√3)/k and t0 ∓ ln((3+√5)/2)/b written here) agrees within its error;
* the package's classifier does not beat the bound by more than its sampling error.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from cluster_research.errors import ParameterError
from cluster_research.lifecycle import benchmark, panel_stages
from cluster_research.lifecycle.panel import PROB_COLUMNS


@pytest.mark.parametrize("model", ["logistic", "gompertz"])
def test_phase_is_nearly_known_without_noise(model):
    sim = benchmark.simulate_panel(12, 15, model=model, noise=0.005, seed=2)
    post = benchmark.bayes_phase_probabilities(sim)
    assert benchmark.score(post, sim)["accuracy"] >= 0.98


def _monte_carlo(sim, years_used, m=400_000, seed=0):
    """Importance sampling from the prior: phase probabilities of every year and the ESS."""
    rng = np.random.default_rng(seed)
    years = sim["year"].to_numpy(float)
    first, last = years[0], years[-1]
    gomp = rng.random(m) < 0.5  # mixed truth: either model with probability 1/2
    logk = rng.uniform(math.log(50.0), math.log(5000.0), m)
    rate = rng.uniform(0.25, 0.7, m)
    hi = np.where(gomp, np.minimum(last + 3.0, first + 4.0 / rate), last + 3.0)
    t0 = rng.uniform(first - 3.0, hi)
    u = rate[:, None] * (years - t0[:, None])
    logf = np.where(gomp[:, None], -np.exp(-u), -np.log1p(np.exp(-u)))
    z = np.log(sim["value"].to_numpy())
    resid = (z - logk[:, None] - logf)[:, years <= years_used]
    loglik = -0.5 * np.sum(resid ** 2, axis=1) / sim.attrs["noise"] ** 2
    w = np.exp(loglik - loglik.max())
    w /= w.sum()
    c = np.where(gomp, math.log((3 + math.sqrt(5)) / 2), math.log(2 + math.sqrt(3))) / rate
    phase = (1 + (years >= (t0 - c)[:, None]) + (years >= t0[:, None])
             + (years >= (t0 + c)[:, None]))
    p = np.stack([w @ (phase == s) for s in (1, 2, 3, 4)], axis=1)
    return p, 1.0 / np.sum(w ** 2)


@pytest.mark.parametrize("information", ["hindsight", "realtime"])
def test_grid_posterior_agrees_with_monte_carlo(information):
    sim = benchmark.simulate_panel(1, 8, model="mixed", noise=0.3, seed=4)
    grid = benchmark.bayes_phase_probabilities(sim, information)[list(PROB_COLUMNS)].to_numpy()
    years = sim["year"].to_numpy()
    t = years[-1] if information == "hindsight" else years[3]  # real time: year 4 of 8
    mc, ess = _monte_carlo(sim, t)
    assert ess > 2000
    row = slice(None) if information == "hindsight" else np.flatnonzero(years == t)
    se = np.sqrt(mc[row] * (1 - mc[row]) / ess)
    assert np.all(np.abs(grid[row] - mc[row]) <= 4 * se + 0.01)
    assert grid[row].max() > 0.5  # the data say something: not a flat posterior


def test_package_does_not_beat_the_bound():
    gaps = []
    for seed, model in [(0, "logistic"), (1, "gompertz"), (2, "mixed")]:
        sim = benchmark.simulate_panel(10, 15, model=model, noise=0.15, seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pred = panel_stages(sim[["region", "year", "value"]], method="auto")
        bayes = benchmark.bayes_phase_probabilities(sim)
        for p in (pred, bayes):
            hit = p.merge(sim, on=["region", "year"])
            hit = hit.assign(h=[s is not None and s.order == t
                                for s, t in zip(hit["stage"], hit["true_phase"])])
            gaps.append(hit.groupby("region")["h"].mean().to_numpy())
    pkg = np.concatenate(gaps[0::2])
    bayes = np.concatenate(gaps[1::2])
    diff = pkg - bayes  # per region: paired difference of accuracies
    assert diff.mean() <= 3 * diff.std(ddof=1) / math.sqrt(len(diff))


def test_other_designs_are_refused():
    sim = benchmark.simulate_panel(3, 10, design="shifted", seed=0)
    with pytest.raises(ParameterError):
        benchmark.bayes_phase_probabilities(sim)
    with pytest.raises(ParameterError):
        benchmark.bayes_phase_probabilities(benchmark.simulate_panel(3, 10), "future")


def test_expected_accuracy_is_the_probability_of_the_stage_shown():
    import pandas as pd

    from cluster_research.lifecycle import Stage
    truth = pd.DataFrame({"region": ["a"] * 3, "year": [1, 2, 3], "true_phase": [1, 2, 4]})
    pred = truth[["region", "year"]].assign(
        stage=[Stage.EMBRYONIC, Stage.EXPANSION, None], prob_embryonic=[0.7, 0.1, 0.25],
        prob_growth=[0.2, 0.3, 0.25], prob_expansion=[0.1, 0.6, 0.25], prob_takeoff=[0, 0, 0.25])
    # 0.7 and 0.6 for the stages shown, 0 for the year without one
    assert benchmark.score(pred, truth)["expected_accuracy"] == pytest.approx(1.3 / 3)
