"""Benchmark the data layer: import + load("provincial_panel") in a fresh process.

Run: ``.venv/bin/python benchmarks/bench_data.py``. Prints one line per figure; the
bare ``import pandas`` time is printed as the floor that any DataFrame-returning
loader pays.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

N = 5
TARGET = 0.5


def fresh(code: str) -> float:
    """Return wall time of ``python -c code`` in a new interpreter (seconds)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - t0


def median_of(code: str) -> float:
    fresh(code)  # warm the OS file cache
    return statistics.median(fresh(code) for _ in range(N))


def main() -> None:
    full = median_of(
        "import cluster_research as cr; df = cr.data.load('provincial_panel'); "
        "assert len(df) == 2790"
    )
    print(
        f"data: import cluster_research + load('provincial_panel'), fresh process, "
        f"median of {N}: {full:.2f} s (target <= {TARGET:.2f} s)"
    )
    floor = median_of("import pandas")
    print(f"data: floor, bare 'import pandas' in a fresh process, median of {N}: {floor:.2f} s")
    bare = median_of("pass")
    print(f"data: floor, empty interpreter start, median of {N}: {bare:.2f} s")
    t0 = time.perf_counter()
    import cluster_research as cr

    cr.data.load("provincial_panel")
    t1 = time.perf_counter()
    for name in cr.data.DATASETS:
        cr.data.load(name)
    t2 = time.perf_counter()
    print(f"data: in-process first load('provincial_panel'): {t1 - t0:.3f} s")
    print(f"data: in-process load of all {len(cr.data.DATASETS)} datasets: {t2 - t1:.3f} s")


if __name__ == "__main__":
    main()
