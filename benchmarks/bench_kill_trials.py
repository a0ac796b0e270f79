"""Crash safety of ``reproduce`` (issue 25.3): kill it at random points, then rerun.

Each trial starts ``python -m cluster_research reproduce --jobs 2 --no-report --only RUNS`` on a
fresh output directory, sends SIGINT (to its process group, as Ctrl-C does) or SIGKILL (to the
command only, a hard crash) after a random share of a cold run's duration, then checks:

* **no orphan**: 15 s after the kill no descendant of the command is left running (the
  kernels, which run in sessions of their own; sampled every 0.1 s until the kill);
* **nothing looks complete that is not**: every run the manifest records as ``ok`` and every
  table/figure folder in place equals the reference run (byte-identical files); a notebook in
  ``notebooks/`` only for a complete run;
* **the rerun repairs it**: the same command then exits 0 with every run ``ok`` and outputs
  equal to the reference.

A last trial starts two ``reproduce`` commands on one directory at once: one must wait or
refuse (exit 2: "in use by another reproduction"), the outputs must equal the reference.

Usage: ``python benchmarks/bench_kill_trials.py [TRIALS]`` (default 10; also run by
``make bench``). Exit status 1 on any violation. Seeded (``KILL_SEED``, default 0).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil

RUNS = ["01_paper_claims", "04_figure1_parks"]
ROOT = Path(__file__).resolve().parents[1]


def _command(out: Path) -> list[str]:
    return [sys.executable, "-m", "cluster_research", "reproduce", "--jobs", "2",
            "--no-report", "--output-dir", str(out), "--only", *RUNS]


def _start(out: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    with open(log, "w", encoding="utf-8") as f:
        return subprocess.Popen(_command(out), cwd=ROOT, env=env, stdout=f,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _outputs(out: Path) -> dict[str, str]:
    """SHA-256 of every table and figure file, by path relative to ``out``."""
    files = {}
    for kind in ("tables", "figures"):
        for p in sorted((out / kind).rglob("*")):
            if p.is_file() and p.name != "README.md":
                files[p.relative_to(out).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return files


def _watch(proc: subprocess.Popen, seconds: float) -> dict[int, psutil.Process]:
    """Sample the command's descendants (pool workers, kernels, loky workers) for ``seconds``."""
    seen: dict[int, psutil.Process] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            for child in psutil.Process(proc.pid).children(recursive=True):
                seen.setdefault(child.pid, child)
        except psutil.Error:
            pass
        time.sleep(0.1)
    return seen


def _orphans(seen: dict[int, psutil.Process], wait: float = 15.0) -> list[psutil.Process]:
    """The processes of ``seen`` still running after up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        alive = [p for p in seen.values() if p.is_running()
                 and p.status() != psutil.STATUS_ZOMBIE]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.5)


def _describe(p: psutil.Process) -> str:
    try:
        return f"{p.pid} {' '.join(p.cmdline()[:4])}"
    except psutil.Error:
        return f"{p.pid} (gone)"


def _false_complete(out: Path, ref: dict[str, str]) -> list[str]:
    """Outputs that look complete but differ from the reference."""
    bad = []
    got = _outputs(out)
    for kind in ("tables", "figures"):
        for run_dir in (out / kind).glob("*/") if (out / kind).exists() else []:
            if run_dir.name.startswith("."):
                continue
            mine = {k: v for k, v in got.items() if k.startswith(f"{kind}/{run_dir.name}/")}
            theirs = {k: v for k, v in ref.items() if k.startswith(f"{kind}/{run_dir.name}/")}
            if mine != theirs:
                bad.append(f"{kind}/{run_dir.name} differs from the reference")
    manifest = out / "manifest.json"
    runs = json.loads(manifest.read_text(encoding="utf-8"))["runs"] if manifest.exists() else {}
    for name, rec in runs.items():
        nb = out / "notebooks" / f"{name}.ipynb"
        if rec.get("status") == "ok" and not nb.exists():
            bad.append(f"manifest says {name} ok but its notebook is missing")
    for nb in (out / "notebooks").glob("*.ipynb") if (out / "notebooks").exists() else []:
        cells = nbformat.read(nb, as_version=4).cells
        if any(o.get("output_type") == "error" for c in cells for o in c.get("outputs", [])):
            bad.append(f"{nb.name} in notebooks/ holds an error")
        if nb.stem not in runs or runs[nb.stem].get("status") != "ok":
            bad.append(f"{nb.name} in notebooks/ but not recorded ok in the manifest")
    return bad


def _finish(proc: subprocess.Popen, timeout: float = 600) -> int:
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait()


def main(argv: list[str]) -> int:
    trials = int(argv[0]) if argv else 10
    rng = random.Random(int(os.environ.get("KILL_SEED", "0")))
    tmp = Path(tempfile.mkdtemp(prefix="kill-trials-"))
    ref_dir = tmp / "reference"
    t0 = time.perf_counter()
    if _finish(_start(ref_dir, tmp / "reference.log")) != 0:
        print((tmp / "reference.log").read_text(encoding="utf-8"))
        return 1
    cold = time.perf_counter() - t0
    ref = _outputs(ref_dir)
    print(f"cold run of {RUNS}: {cold:.1f} s, {len(ref)} table/figure files")
    problems = []
    for i in range(trials):
        out, sig = tmp / f"trial{i}", rng.choice([signal.SIGINT, signal.SIGKILL])
        delay = rng.uniform(0.1, 1.0) * cold
        proc = _start(out, tmp / f"trial{i}.log")
        seen = _watch(proc, delay)
        if proc.poll() is None:
            (os.killpg if sig == signal.SIGINT else os.kill)(proc.pid, sig)
        status = _finish(proc, 60)
        left = _orphans(seen)
        bad = _false_complete(out, ref) if out.exists() else []
        orphans = [_describe(p) for p in left]
        for p in left:
            p.kill()
        again = _start(out, tmp / f"trial{i}.rerun.log")
        seen_again = _watch(again, 600)
        rerun = _finish(again)
        after = _false_complete(out, ref) + (
            [] if _outputs(out) == ref else ["rerun outputs differ from the reference"])
        runs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]
        after += [f"{n} not ok after the rerun" for n in RUNS if runs.get(n, {}).get("status")
                  != "ok"]
        left_after = _orphans(seen_again, wait=5.0)
        print(f"trial {i}: {signal.Signals(sig).name} at {delay:.1f} s -> exit {status}; "
              f"{len(seen)} descendants seen, orphans {len(left)}; looks-complete-but-not {len(bad)}; rerun exit {rerun}, "
              f"problems {len(after)}, orphans {len(left_after)}", flush=True)
        problems += [f"trial {i}: {m}" for m in bad + after]
        orphans += [_describe(p) for p in left_after]
        problems += [f"trial {i}: orphan {d}" for d in orphans]
        problems += [f"trial {i}: rerun exit {rerun}"] if rerun != 0 else []
    out = tmp / "concurrent"
    pair = [_start(out, tmp / f"concurrent{k}.log") for k in (0, 1)]
    codes = sorted(_finish(p) for p in pair)
    logs = " ".join((tmp / f"concurrent{k}.log").read_text(encoding="utf-8") for k in (0, 1))
    print(f"two at once: exit {codes}; outputs equal the reference: {_outputs(out) == ref}")
    if codes not in ([0, 0], [0, 2]) or (codes == [0, 2]
                                        and "in use by another reproduction" not in logs):
        problems.append(f"two reproductions at once: exit {codes}")
    if _outputs(out) != ref:
        problems.append("two reproductions at once: outputs differ from the reference")
    print(f"{trials} kill trials + 1 concurrency trial: {len(problems)} problem(s)")
    for m in problems:
        print("  " + m)
    print(f"(logs in {tmp})")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
