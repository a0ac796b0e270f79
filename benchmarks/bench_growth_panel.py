"""Benchmark growth.fit on real series: the 31 NBS ecommerce_sales series x 5 models
(multiplicative errors) and Shanghai's transaction series (both error types).

Prints the total time and the time and converged fits per model (Richards, idle machine, one
session: 1.27-1.31 s and 22 converged before the (r, c, s) chart, 0.94-1.08 s and 26 after)
and, with an argument, writes one row per fit (region, model, rss,
converged, identified, seconds) to that CSV, so two versions can be compared fit by fit
(issue 21: before the variable-projection fits, b40325c, the same fits took 42.7 s).
"""

from __future__ import annotations

import sys
import time
import warnings

import pandas as pd

import cluster_research as cr


def main(out=None):
    warnings.simplefilter("ignore")
    panel = cr.data.load("provincial_panel")
    sales = panel[panel.indicator == "ecommerce_sales"].dropna(subset=["value"])
    series = {r: (g.sort_values("year").year.to_numpy(float),
                  g.sort_values("year").value.to_numpy(float), "multiplicative")
              for r, g in sales.groupby("region")}
    tx = cr.data.shanghai_transactions()
    for errors in ("multiplicative", "additive"):
        series[f"上海_transactions_{errors}"] = (tx.index.to_numpy(float), tx.to_numpy(float),
                                                errors)
    rows = []
    t0 = time.perf_counter()
    for name, (t, y, errors) in series.items():
        for m in cr.growth.MODELS:
            s = time.perf_counter()
            r = cr.growth.fit(t, y, model=m, errors=errors)
            rows.append({"region": name, "model": m, "rss": r.rss, "converged": r.converged,
                         "identified": r.identified, "seconds": time.perf_counter() - s})
    total = time.perf_counter() - t0
    tab = pd.DataFrame(rows)
    print(f"growth.fit on {len(series)} real series x {len(cr.growth.MODELS)} models: "
          f"{total:.1f} s (before the variable-projection fits: 42.7 s); converged "
          f"{int(tab.converged.sum())}, identified {int(tab.identified.sum())} of {len(tab)}")
    by = tab.groupby("model", sort=False).agg(seconds=("seconds", "sum"),
                                               converged=("converged", "sum"))
    print("  by model: " + "; ".join(f"{m} {r.seconds:.2f} s, {int(r.converged)} converged"
                                     for m, r in by.iterrows()))
    if out:
        tab.to_csv(out, index=False)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
