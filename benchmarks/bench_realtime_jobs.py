"""Benchmark: the real-time panel stage model on the NBS panel, 1 worker against 2.

``panel_stages(information="realtime")`` refits the pooled model on the years <= t for each
of the 10 years; the refits are independent and spread over ``CLUSTER_RESEARCH_STAGE_JOBS``
worker processes (joblib). This script times both settings with the result cache off, and
checks that the two tables are identical. Target: 2 workers at most 0.6 x the 1-worker time
on a 2-core machine.
"""

from __future__ import annotations

import os
import time

os.environ["CLUSTER_RESEARCH_CACHE_DIR"] = "off"

import pandas as pd  # noqa: E402

import cluster_research as cr  # noqa: E402
from cluster_research.lifecycle.panel import panel_stages  # noqa: E402


def main() -> None:
    panel = cr.data.load("provincial_panel")
    seconds, tables = {}, {}
    for jobs in ("1", "2"):
        os.environ["CLUSTER_RESEARCH_STAGE_JOBS"] = jobs
        t0 = time.perf_counter()
        tables[jobs] = panel_stages(panel, information="realtime", indicator="ecommerce_sales")
        seconds[jobs] = time.perf_counter() - t0
    pd.testing.assert_frame_equal(tables["1"], tables["2"], check_exact=True)
    ratio = seconds["2"] / seconds["1"]
    print(f"real-time pooled stage model, NBS ecommerce_sales 31 x 10: 1 worker "
          f"{seconds['1']:.1f} s, 2 workers {seconds['2']:.1f} s, ratio {ratio:.2f} "
          f"(target <= 0.60: {'met' if ratio <= 0.60 else 'missed'}); tables identical")


if __name__ == "__main__":
    main()
