"""Benchmark the reproduction: wall-clock with 1 job and with 2 jobs.

Default (``make bench``, about a minute): the region-profile fan-out of notebook 06 over
six regions plus the HTML report, with 1 and with 2 jobs.

Full (opt-in, 6-10 minutes: it runs the whole reproduction twice)::

    CR_BENCH_REPRODUCE=1 python benchmarks/bench_reproduce.py

runs ``python -m cluster_research reproduce --jobs N`` (every notebook, all 31 region
runs, the report) into a temporary directory for N = 1 and N = 2, then once more with
nothing changed (every run reused), and prints the wall-clock times, the speed-up and the
targets (cold <= 60 s with 2 jobs; no-op rerun <= 5 s; speed-up >= 1.6).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _reproduce(jobs: int, extra=(), rerun: bool = False):
    def once(d):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cluster_research", "reproduce", "--jobs",
                        str(jobs), "--output-dir", d, *extra], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as d:
        cold = once(d)
        return (cold, once(d)) if rerun else cold


def _fanout(jobs: int, regions) -> float:
    from cluster_research import pipeline
    from cluster_research.pipeline import report

    with tempfile.TemporaryDirectory() as d:
        spec = Path(d) / "fan.yaml"
        spec.write_text("notebook: 06\nfanout:\n  region: [" + ", ".join(regions)
                        + "]\nparameters:\n  figure_formats: [png]\n", encoding="utf-8")
        t0 = time.perf_counter()
        pipeline.run_all(jobs=jobs, output_dir=Path(d) / "out", runs=[spec], progress=False)
        report.build_report(Path(d) / "out", jobs=jobs, allow_incomplete=True)
        return time.perf_counter() - t0


def main() -> None:
    if os.environ.get("CR_BENCH_REPRODUCE") == "1":
        t1 = _reproduce(1)
        print(f"reproduce, every notebook + 31 region runs + report, 1 job: {t1:.1f} s",
              flush=True)
        t2, noop = _reproduce(2, rerun=True)
        print(f"reproduce, every notebook + 31 region runs + report, 2 jobs: {t2:.1f} s "
              f"(target <= 60 s)")
        print(f"reproduce again, nothing changed (all reused), 2 jobs: {noop:.1f} s "
              f"(target <= 5 s)")
        print(f"reproduce speed-up 2 jobs vs 1: {t1 / t2:.2f}x (target >= 1.6x)")
        return
    regions = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁"]
    t1 = _fanout(1, regions)
    print(f"fan-out 06 over 6 regions + report, 1 job: {t1:.1f} s", flush=True)
    t2 = _fanout(2, regions)
    print(f"fan-out 06 over 6 regions + report, 2 jobs: {t2:.1f} s")
    print(f"fan-out speed-up 2 jobs vs 1: {t1 / t2:.2f}x (target >= 1.6x; "
          "full run: CR_BENCH_REPRODUCE=1)")


if __name__ == "__main__":
    main()
