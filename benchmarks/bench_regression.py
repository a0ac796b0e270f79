"""Time panel regressions and metrics on a 31 x 10 panel (plain Python, no pytest).

Run: ``.venv/bin/python benchmarks/bench_regression.py``.  Uses the NBS provincial
panel when ``cluster_research.data`` can load it, else a simulated 31 x 10 panel
(the timing depends on the shape only).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from cluster_research import metrics, regression


def _frame():
    try:
        frame, _ = regression.analysis_frame(
            ["ecommerce_sales", "ecommerce_firms", "broadband_users", "mobile_internet_users"])
        return frame, "NBS provincial panel"
    except Exception:  # noqa: BLE001 - benchmark falls back to a simulated panel
        rng = np.random.default_rng(0)
        idx = pd.MultiIndex.from_product([range(31), range(2015, 2025)],
                                         names=["region_code", "year"])
        f = pd.DataFrame(index=idx).reset_index()
        for c in ("log_broadband_users", "log_ecommerce_firms", "log_mobile_internet_users"):
            f[c] = rng.normal(size=len(f))
        f["log_ecommerce_sales"] = f["log_broadband_users"] + rng.normal(size=len(f))
        return f, "simulated 31 x 10 panel"


def _time(fn, repeat=20):
    fn()  # warm-up (imports)
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat


def main():
    frame, label = _frame()
    formula = ("log_ecommerce_sales ~ log_broadband_users + log_mobile_internet_users"
               " + log_ecommerce_firms")
    t = _time(lambda: regression.panel(frame, formula, "region_code", "year",
                                       effects="twoway", cov_type="driscoll-kraay"))
    print(f"regression.panel two-way FE + Driscoll-Kraay SEs, {label} ({len(frame)} obs): "
          f"{t * 1e3:.1f} ms (target <= 50 ms)")
    unb = frame.drop(index=frame.index[::7])
    t = _time(lambda: regression.panel(unb, formula, "region_code", "year",
                                       effects="twoway", cov_type="cluster"))
    print(f"regression.panel two-way FE unbalanced ({len(unb)} obs) + cluster SEs: "
          f"{t * 1e3:.1f} ms (target <= 50 ms)")
    res = regression.panel(frame, formula, "region_code", "year", effects="twoway")
    t = _time(res.diagnostics, repeat=5)
    print(f"PanelResults.diagnostics (JB, BP, Wooldridge, Pesaran CD): {t * 1e3:.1f} ms "
          "(target <= 200 ms)")
    v = frame[frame["year"] == frame["year"].max()].set_index("region_code")[
        "log_ecommerce_sales"].abs()
    t = _time(lambda: (metrics.share(v), metrics.hhi(v), metrics.cr4(v)), repeat=200)
    print(f"metrics share + hhi + cr4, 31 regions: {t * 1e3:.2f} ms (target <= 5 ms)")


if __name__ == "__main__":
    main()
