"""Run every benchmark script in this folder, each in a fresh process, and print its figures.

Usage: ``make bench [BASE=REV]`` (or ``python benchmarks/run_all.py [--base REV] [NAME ...]``).

With ``--base REV`` every script runs twice in turn, first on ``REV`` (a temporary detached
``git worktree``, its package imported through ``PYTHONPATH``), then on the working tree: the
"before" and "after" figures come from one session on the same machine load, as a comparison
on a shared 2-core machine needs.  A script that does not exist at ``REV`` runs once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run(script: str, root: Path, label: str) -> bool:
    """Run ``benchmarks/<script>`` of the tree ``root`` with that tree's package first on the
    path; return whether it succeeded."""
    print(f"== {script}{label}", flush=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(root / "benchmarks" / script)], cwd=root, env=env)
    print(f"   ({time.perf_counter() - t0:.1f} s wall for the script)", flush=True)
    return proc.returncode == 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="git revision to measure before the working tree")
    ap.add_argument("names", nargs="*", help="run only scripts whose name contains one of these")
    args = ap.parse_args(argv)
    scripts = [s.name for s in sorted(HERE.glob("bench_*.py"))
               if not args.names or any(a in s.stem for a in args.names)]
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        if args.base:
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), args.base],
                           cwd=ROOT, check=True)
        try:
            for script in scripts:
                if args.base and (base / "benchmarks" / script).exists() and not run(
                        script, base, f"  [before: {args.base}]"):
                    failed.append(f"{script} at {args.base}")
                if not run(script, ROOT, "  [after: working tree]" if args.base else ""):
                    failed.append(script)
        finally:
            if args.base:
                subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT)
    if failed:
        print("benchmarks that failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
