"""Benchmark cluster_research.lifecycle.stage_probabilities (target <= 2 s for 1000 replicates).

Run: ``python benchmarks/bench_lifecycle.py``.  Each figure is the best of 3 runs and includes
the point fit (growth.fit with self-starts and the identification check) as well as the
bootstrap.  The series is 10 yearly points from a logistic curve with 5 % noise.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from cluster_research import lifecycle as lc

TARGET = 2.0


def series10():
    t = np.arange(2004, 2014)
    rng = np.random.default_rng(0)
    y = 1000 / (1 + np.exp(-0.5 * (t - 2009))) * np.exp(0.05 * rng.standard_normal(len(t)))
    return pd.Series(y, index=t)


def best_of(fn, n=3):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        res = fn()
        out.append(time.perf_counter() - t0)
    return min(out), res


def main():
    s = series10()
    lc.classify(s, 2012, "curve", "hindsight")  # warm imports
    for model in ("logistic", "gompertz"):
        for kind in ("parametric", "residual"):
            sec, p = best_of(lambda kind=kind, model=model: lc.stage_probabilities(
                s, 2012, method="curve", n_boot=1000, seed=0, kind=kind,
                information="hindsight", model=model))
            print(f"stage_probabilities curve/{model} {kind}, 1000 replicates, 10 points: "
                  f"{sec:.3f} s (target <= {TARGET:.1f} s); failed {int(p['n_failed'])}")
    t = np.arange(1980, 2041)
    rng = np.random.default_rng(0)
    s61 = pd.Series(1000 / (1 + np.exp(-0.3 * (t - 2010))) * np.exp(0.05 * rng.standard_normal(
        len(t))), index=t)
    for kind in ("parametric", "residual"):
        sec, _ = best_of(lambda kind=kind: lc.stage_probabilities(
            s61, 2012, method="signs", n_boot=1000, kind=kind, information="hindsight"))
        print(f"stage_probabilities signs {kind}, 1000 replicates, 61 points: {sec:.3f} s "
              f"(target <= {TARGET:.1f} s)")
    sec, _ = best_of(lambda: lc.stage_probabilities(
        s, 2012, method="curve", n_boot=200, kind="residual", information="hindsight",
        model="richards"), n=1)
    print(f"stage_probabilities curve/richards residual (GrowthResults.refit per replicate), "
          f"200 replicates, 10 points: {sec:.3f} s (no target)")


if __name__ == "__main__":
    main()
