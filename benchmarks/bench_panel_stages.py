"""Benchmark the panel stage models on the NBS panel (31 regions x 10 years), one process.

Figures (best of 3; issue 21 targets: pooled hindsight <= 0.5 s, real time <= 3 s):
the pooled model, the diffusion-lag model and the empirical-Bayes model (per resident, as
notebook 10 runs it), hindsight and real time.  Before the variable-projection fits
(b40325c): pooled hindsight 24-33 s, real time 171 s in one process.
"""

from __future__ import annotations

import time

import cluster_research as cr

TARGETS = {("pooled", "hindsight"): 0.5, ("pooled", "realtime"): 3.0}


def main():
    panel = cr.data.load("provincial_panel")
    scale, _ = cr.lifecycle.per_person_scale("ecommerce_sales")
    for method, kw in (("pooled", {}), ("lag", {"scale": scale}), ("eb", {"scale": scale})):
        for info in ("hindsight", "realtime"):
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                cr.lifecycle.panel_stages(panel, indicator="ecommerce_sales", method=method,
                                          information=info, **kw)
                best = min(best, time.perf_counter() - t0)
            tgt = TARGETS.get((method, info))
            verdict = (f"target <= {tgt:g} s: {'met' if best <= tgt else 'missed'}"
                       if tgt else "no target")
            print(f"panel_stages {method} {info}, NBS 31 x 10: {best:.2f} s ({verdict})")


if __name__ == "__main__":
    main()
