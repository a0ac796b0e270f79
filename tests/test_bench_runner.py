"""``make bench BASE=REV`` (benchmarks/run_all.py --base): the temporary worktree of the base
revision is created and removed again, and a name that matches no script runs nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _worktrees():
    out = subprocess.run(["git", "worktree", "list", "--porcelain"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.startswith("worktree ")]


def test_base_run_leaves_no_worktree_behind():
    before = _worktrees()
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--base", "HEAD",
                           "no_such_benchmark"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "==" not in proc.stdout          # nothing matched, nothing ran
    assert _worktrees() == before


def test_an_unknown_base_revision_is_an_error():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--base",
                           "no-such-revision-xyz", "no_such_benchmark"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode != 0
