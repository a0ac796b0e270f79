"""Benchmark the panel stage models on synthetic panels with known truth (issue 12).

Run: ``python benchmarks/bench_stage_model.py [--quick]``.  Panels of 30 regions × 15
years (``stage_benchmark.simulate_panel``, seeds 0 and 1) from logistic and Gompertz
curves with multiplicative noise 5-15 %; methods ``pooled`` (empirical-Bayes curve,
the default), ``curve`` (separate per-region fits, model chosen by pooled AICc) and
``mixed`` (nonlinear mixed-effects fit, fit_mixed) and ``hmm`` (left-to-right HMM).  Real time reruns every model once per year, so it is
scored on fewer panels (seed 0; noise 8 % and 15 %).  Also scores the NBS panel
(``ecommerce_sales``).  Bars (issue 12): hindsight accuracy ≥ 0.90 at 8 % with ≤ 2 %
backward steps, ≥ 0.80 at 15 %; real time ≥ 0.60; NBS ≤ 5 % backward steps and ≥ 90 %
coverage.
"""

from __future__ import annotations

import itertools
import sys
import time
import warnings

import pandas as pd

import cluster_research as cr
from cluster_research.lifecycle.benchmark import run_benchmark
from cluster_research.lifecycle.panel import panel_stages

METHODS = ("pooled", "mixed", "curve", "hmm")


def nbs_table():
    panel = cr.data.load("provincial_panel")
    rows = []
    for method in METHODS:
        for info in ("hindsight", "realtime"):
            out = panel_stages(panel, indicator="ecommerce_sales", method=method,
                               information=info)
            back = steps = 0
            for _, g in out.sort_values("year").groupby("region"):
                o = [s.order for s in g["stage"] if s is not None]
                steps += max(len(o) - 1, 0)
                back += sum(b < a for a, b in itertools.pairwise(o))
            last = out[out["year"] == out["year"].max()]["stage"]
            dist = last.map(lambda s: s.zh if s else "none").value_counts().to_dict()
            rows.append({"method": method, "information": info,
                         "coverage": out["stage"].notna().mean(),
                         "backward_steps": back / steps if steps else float("nan"),
                         "n_steps": steps, "stages_2024": dist})
    return pd.DataFrame(rows)


def main(quick=False):
    warnings.simplefilter("ignore")
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    t = time.perf_counter()
    noises = (0.08, 0.15) if quick else (0.05, 0.08, 0.10, 0.15)
    seeds = (0,) if quick else (0, 1)
    hind = run_benchmark(METHODS, noises=noises, informations=("hindsight",), seeds=seeds)
    real = run_benchmark(METHODS, noises=(0.08, 0.15), informations=("realtime",), seeds=(0,))
    tab = pd.concat([hind, real], ignore_index=True)
    cols = ["method", "truth", "noise", "information", "accuracy", "coverage",
            "accuracy_classified", "backward_steps", "brier", "prob_true", "seconds", "n_panels"]
    print(tab[cols].round(3).to_string(index=False))
    print()
    print(nbs_table().round(3).to_string(index=False))
    print(f"\ntotal {time.perf_counter() - t:.0f} s")
    return tab


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
