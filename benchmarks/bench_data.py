"""Benchmark the data layer: import + load("provincial_panel") in a fresh process,
and the strict reader: read_csv + check_series of a 20 000-row user file.

Run: ``.venv/bin/python benchmarks/bench_data.py``. Prints one line per figure; the
bare ``import pandas`` time is printed as the floor that any DataFrame-returning
loader pays.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    n_series, n_years = 200, 100  # 20 000 rows: 200 series ids x 100 years
    rows = [f"城市{i % 7},{1950 + y},s{i},{(i + 1) * (y + 1)}.5,万元"
            for i in range(n_series) for y in range(n_years)]
    path = Path(tempfile.mkdtemp()) / "big.csv"
    path.write_text("region,year,series,value,unit\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    t0 = time.perf_counter()
    df = cr.data.read_csv(path)
    t1 = time.perf_counter()
    summary = cr.data.check_series(df)
    t2 = time.perf_counter()
    assert len(df) == len(rows) and len(summary) == n_series
    print(f"data: read_csv of {len(rows)} rows (strict, exact decimals): {t1 - t0:.3f} s "
          f"({(t1 - t0) / len(rows) * 1e6:.0f} us/row)")
    print(f"data: check_series of {n_series} series x {n_years} years: {t2 - t1:.3f} s")


if __name__ == "__main__":
    main()
