"""Benchmark cluster_research.growth.mixed.fit_mixed (target: 31 groups x 10 points well under 2 s).

Run: ``python benchmarks/bench_mixed.py``.  Each figure is the best of 3 runs on a synthetic
logistic panel (31 regions x 10 years, ceilings varying by 15 %, additive noise), with and
without the per-group identification check (``check_groups``: one ``growth.fit`` per region
with its profile-likelihood identification test).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from cluster_research.growth.mixed import fit_mixed

TARGET = 2.0


def panel(n_groups=31, seed=0, sd_t0=0.0):
    rng = np.random.default_rng(seed)
    years = np.arange(2005, 2015.0)
    rows = []
    for i in range(n_groups):
        K = 100.0 * (1 + 0.15 * rng.standard_normal())
        t0 = 2010.0 + sd_t0 * rng.standard_normal()
        for t in years:
            rows.append((f"R{i:02d}", t, K / (1 + np.exp(-0.6 * (t - t0)))
                         + 2.0 * rng.standard_normal()))
    return pd.DataFrame(rows, columns=["region", "year", "value"])


def best_of(fn, n=3):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        res = fn()
        out.append(time.perf_counter() - t0)
    return min(out), res


def main():
    df = panel()
    df2 = panel(seed=1, sd_t0=1.0)
    fit_mixed(df, check_groups=False)  # warm imports
    cases = [("random=K, check_groups=False", df, {"random": ("K",), "check_groups": False}),
             ("random=K, check_groups=True", df, {"random": ("K",), "check_groups": True}),
             ("random=(K, t0), check_groups=False", df2,
              {"random": ("K", "t0"), "check_groups": False}),
             ("random=K, multiplicative, check_groups=False", df,
              {"random": ("K",), "errors": "multiplicative", "check_groups": False}),
             ("richards random=K, check_groups=False", df,
              {"model": "richards", "random": ("K",), "check_groups": False})]
    for label, data, kw in cases:
        sec, res = best_of(lambda data=data, kw=kw: fit_mixed(data, **kw))
        print(f"fit_mixed 31 groups x 10 points, {label}: {sec:.3f} s (target <= {TARGET:.1f} s);"
              f" converged {res.converged} in {res.n_iter} iterations")


if __name__ == "__main__":
    main()
