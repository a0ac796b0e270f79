"""Benchmark the notebook layer: parameter validation, claims, figures, one notebook run.

Run: ``python benchmarks/bench_runner.py`` (prints one line per figure).
"""

from __future__ import annotations

import tempfile
import time

import matplotlib

matplotlib.use("Agg")


def _time(fn, repeat=1):
    t0 = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return (time.perf_counter() - t0) / repeat, out


def main() -> None:
    import matplotlib.pyplot as plt

    import cluster_research as cr

    cr.pipeline.validate_parameters("05", {"region": "北京"})  # warm imports
    t, _ = _time(lambda: cr.pipeline.validate_parameters("05", {"region": "北京"}), repeat=20)
    print(f"pipeline.validate_parameters (05, region, warm): {t * 1e3:.1f} ms (target <= 50 ms)")
    cr.claims.check_all()  # warm caches (data, lifecycle imports)
    t, _ = _time(cr.claims.check_all, repeat=3)
    print(f"claims.check_all, 17 claims (warm): {t:.2f} s (target <= 2.0 s)")
    t, fig = _time(lambda: cr.viz.district_map(list(cr.claims.FIGURE1_DISTRICTS)))
    plt.close(fig)
    print(f"viz.district_map, 16 districts (cold): {t:.2f} s (target <= 3.0 s)")
    with tempfile.TemporaryDirectory() as d:
        t, _ = _time(lambda: cr.pipeline.run_notebook("04", {"lang": "en"}, output_dir=d))
    print(f"pipeline.run_notebook 04_figure1_parks (kernel start to end): {t:.1f} s "
          f"(target <= 30 s)")


if __name__ == "__main__":
    main()
