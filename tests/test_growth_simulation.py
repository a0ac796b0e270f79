"""Seeded simulation: 95 % intervals cover the true parameters at close to the nominal rate.

Series are drawn from known logistic / Gompertz curves (15 annual points, additive normal
noise, and multiplicative log-normal noise for the Gompertz case).  Over R = 200 seeded
replicates the coverage count of a correct 95 % interval is Binomial(200, 0.95): mean 190,
sd 3.1.  We accept 178..199 (about -3.9 sd .. +2.9 sd), which a procedure with real coverage
<= 0.90 fails with probability > 0.9 and a correct one passes with probability > 0.999.
Wald intervals are checked for every parameter; profile intervals for the ceiling K on the
first 100 replicates (band 87..100 for Binomial(100, 0.95)).
"""

from __future__ import annotations

import numpy as np
import pytest

from cluster_research import growth

R = 200
YEARS = np.arange(2000, 2015.0)
CASES = {
    "logistic-additive": ("logistic", "additive", {"K": 100.0, "k": 0.6, "t0": 2007.0}, 3.0),
    "gompertz-multiplicative": ("gompertz", "multiplicative",
                                {"K": 500.0, "b": 0.4, "t0": 2006.0}, 0.08),
}


def simulate(model, errors, true, sigma, seed):
    rng = np.random.default_rng(seed)
    K, r, t0 = true["K"], list(true.values())[1], true["t0"]
    if model == "logistic":
        mu = K / (1 + np.exp(-r * (YEARS - t0)))
    else:
        mu = K * np.exp(-np.exp(-r * (YEARS - t0)))
    e = rng.normal(0, sigma, YEARS.size)
    return mu + e if errors == "additive" else mu * np.exp(e)


@pytest.mark.parametrize("case", sorted(CASES))
def test_interval_coverage(case):
    model, errors, true, sigma = CASES[case]
    wald_hits = {k: 0 for k in true}
    prof_hits = 0
    n_ok = 0
    for seed in range(R):
        y = simulate(model, errors, true, sigma, 1000 + seed)
        res = growth.fit(YEARS, y, model=model, errors=errors)
        assert res.converged, (seed, res.convergence_message)
        n_ok += 1
        ci = res.conf_int()
        for k, v in true.items():
            wald_hits[k] += ci.loc[k, "lower"] <= v <= ci.loc[k, "upper"]
        if seed < 100:
            j = 0
            lo = res.profile_limit(j, -1)
            hi = res.profile_limit(j, +1)
            prof_hits += lo <= true["K"] <= hi
    assert n_ok == R
    for k, hits in wald_hits.items():
        assert 178 <= hits <= 199, (case, k, hits)
    assert 87 <= prof_hits <= 100, (case, prof_hits)
