"""Benchmark cluster_research.growth (plain script; run: .venv/bin/python benchmarks/bench_growth.py).

Figures:
1. fit all five models (exponential, logistic, gompertz, richards, bass) with profile-likelihood
   intervals for every parameter on a 10-point annual series (target <= 0.1 s in total, issue
   21; before the variable-projection fits, b40325c: 1.0 s quiet, 1.97 s loaded; CPU
   time is printed too, since wall time on a shared machine includes waiting for a core);
2. a single refit from given start values (what a bootstrap calls ~1000 times).

The series is a seeded draw from a logistic curve (K=100, k=0.6, t0=2009, sd 2) for 2005-2014.
Imports and one warm-up pass are excluded from the timings (best of 3 repeats reported).
"""

from __future__ import annotations

import time

import numpy as np

from cluster_research import growth


def series():
    t = np.arange(2005, 2015.0)
    rng = np.random.default_rng(3)
    y = 100 / (1 + np.exp(-0.6 * (t - 2009))) + rng.normal(0, 2, t.size)
    return t, y


def all_models_with_profiles(t, y, bass_fix=None):
    for m in growth.MODELS:
        res = growth.fit(t, y, model=m, fix=bass_fix if m == "bass" else None)
        res.conf_int(method="profile")


def main():
    t, y = series()
    all_models_with_profiles(t, y)  # warm-up (imports, caches)
    best = np.inf
    best_cpu = np.inf
    per_model = {}
    for _ in range(3):
        t0 = time.perf_counter()
        c0 = time.process_time()
        all_models_with_profiles(t, y)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    for m in growth.MODELS:
        t0 = time.perf_counter()
        growth.fit(t, y, model=m).conf_int(method="profile")
        per_model[m] = time.perf_counter() - t0
    detail = ", ".join(f"{m} {v:.3f}" for m, v in per_model.items())
    print(f"growth.fit all 5 models + profile CI, 10 points: {best:.2f} s (target <= 0.1 s; "
          f"CPU {best_cpu:.2f} s) [{detail}]")
    t0 = time.perf_counter()
    all_models_with_profiles(t, y, bass_fix={"tau": t[0] - 1})
    print(f"  same with Bass tau fixed at first year - 1: {time.perf_counter() - t0:.2f} s")
    res = growth.fit(t, y, model="logistic")
    start = res.params
    n = 300
    t0 = time.perf_counter()
    for _ in range(n):
        growth.fit(t, y, model="logistic", start=start)
    per = (time.perf_counter() - t0) / n
    print(f"growth.fit logistic refit from start, 10 points: {per * 1e3:.2f} ms per refit "
          f"({per * 1000:.1f} s per 1000)")
    res = growth.fit(t, y, model="richards")
    t0 = time.perf_counter()
    for _ in range(n):
        growth.fit(t, y, model="richards", start=res.params)
    per = (time.perf_counter() - t0) / n
    print(f"growth.fit richards refit from start, 10 points: {per * 1e3:.2f} ms per refit")


if __name__ == "__main__":
    main()
