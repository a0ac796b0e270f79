"""Run every job of the reproduction on a :class:`concurrent.futures.ProcessPoolExecutor`.

Each worker keeps **one kernel** alive (started on its first run, see
:mod:`cluster_research.pipeline.kernel`) and reuses it; after a failed run the kernel is
replaced. Workers ignore SIGINT (the parent stops them) and end when their parent ends,
however it ends: a watchdog thread sees the parent change and stops the kernel and the
worker; kernels themselves end with their worker (ipykernel polls its parent).

Runs whose inputs did not change since their last successful run are reused
(:mod:`cluster_research.pipeline.cache`); ``force=True`` re-runs all.

Examples
--------
>>> from cluster_research.pipeline import pool
>>> pool.run_all(jobs=2)  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import multiprocessing as mp
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from .. import data
from ..errors import RunFailedError
from ..outputs import outputs_dir
from . import cache
from .kernel import kernel_started, start_kernel, stop_kernel
from .params import validate_parameters
from .runner import RunResult, collect, describe_error, execute, existing_runs
from .runs import Job, check_not_nested, list_jobs

__all__ = ["Interrupted", "plan", "run_all"]


class Interrupted(KeyboardInterrupt):  # noqa: N818 - a KeyboardInterrupt, not an error
    """Raised by :func:`run_all` on SIGINT after the workers were stopped."""


_STATE: dict = {"km": None, "reuse": True}


def _stop_worker_kernel() -> None:
    km, _STATE["km"] = _STATE["km"], None
    if km is not None:
        stop_kernel(km)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            try:
                _stop_worker_kernel()
            finally:
                os._exit(1)


def _init_worker(parent: int, reuse: bool, barrier) -> None:
    """Initialise a worker: ignore SIGINT, watch the parent, stop the kernel at exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE["reuse"] = reuse
    _STATE["barrier"] = barrier
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    atexit.register(_stop_worker_kernel)


def _finish_worker() -> None:
    """Stop this worker's kernel, then wait for the other workers (one such task each)."""
    _stop_worker_kernel()
    _STATE["barrier"].wait(timeout=60)


def _run_job(job: Job, out: Path, timeout: int):
    """Execute one job in this worker; return (seconds, None) or (0, error text)."""
    try:
        if _STATE["reuse"] and _STATE["km"] is None:
            _STATE["km"] = start_kernel()
        return execute(job.notebook, job.parameters, out, job.name, timeout=timeout,
                       km=_STATE["km"]), None
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        _stop_worker_kernel()  # never reuse a kernel after a failure
        return 0.0, describe_error(exc)


def plan(jobs: list[Job], out: Path, force: bool = False) -> tuple[list[int], list[int], dict]:
    """Split jobs into those to execute and those whose outputs can be reused.

    A job is reused when its manifest record is ``ok`` with the same key and its executed
    notebook and every output file recorded for it still exist; otherwise it executes.

    Parameters
    ----------
    jobs : list of Job
    out : pathlib.Path
        Root of the outputs.
    force : bool
        Execute everything.

    Returns
    -------
    (list of int, list of int, dict)
        Indices to execute, indices reused, and each job's input hashes (by index).
    """
    shared = {"data": cache.data_hash(), "code": cache.code_hash()}
    manifest = cache.read_manifest(out)["runs"]
    todo, reused, hashes = [], [], {}
    for i, job in enumerate(jobs):
        h = cache.input_hashes(job.notebook, job.parameters, shared)
        hashes[i] = h
        rec = manifest.get(job.name, {})
        files = [f"notebooks/{job.name}.ipynb", *rec.get("files", [])]
        if (not force and rec.get("status") == "ok" and rec.get("key") == cache.run_key(h)
                and all((out / f).is_file() for f in files)):
            reused.append(i)
        else:
            todo.append(i)
    return todo, reused, hashes


class _Progress:
    """A tqdm bar on a terminal, else one line per finished run."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled
        self.bar = None
        if enabled and sys.stdout.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc="notebooks", unit="run")

    def update(self, name: str, seconds: float, error: str | None) -> None:
        self.done += 1
        if not self.enabled:
            return
        state = f"FAILED {error[:200]}" if error else f"ok {seconds:.1f} s"
        if self.bar is not None:
            self.bar.set_postfix_str(name, refresh=False)
            self.bar.update()
            if error:
                self.bar.write(f"{name}: {state}")
        else:
            print(f"[{self.done}/{self.total}] {name}: {state}", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _mp_context():
    # fork is fast (workers inherit imported modules) unless this process has run a kernel,
    # whose zmq sockets and event loop must not be inherited; then spawn
    fork = "fork" in mp.get_all_start_methods() and not kernel_started()
    return mp.get_context("fork" if fork else "spawn")


def _stop_children() -> None:
    import psutil  # the processes this process started: pool workers and their kernels

    kids = psutil.Process().children(recursive=True)
    for k in kids:
        try:
            k.terminate()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(kids, timeout=5)


def run_all(jobs: int = 2, output_dir=None, runs=None, progress: bool = True,
            reuse_kernels: bool = True, force: bool = False, timeout: int = 600,
            verify_data: bool = True) -> list[RunResult]:
    """Execute every run of the reproduction that is not up to date.

    All runs are expanded and validated first (a bad parameter stops everything before any
    kernel starts); runs whose inputs are unchanged since their last successful run are
    reused without validation or execution; the others execute in ``jobs`` worker
    processes (single runs before fan-out runs, so long notebooks start first), each
    reusing one kernel unless ``reuse_kernels=False``. The manifest records every run.

    Parameters
    ----------
    jobs : int
        Parallel worker processes (1 = sequential in this process).
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``).
    runs : list of path-like, optional
        Run files (default every ``notebooks/params/*.yaml``).
    progress : bool
        A bar on a terminal, else one line per finished run.
    reuse_kernels : bool, default True
        One kernel per worker, reset between runs; False = a fresh kernel per run.
    force : bool, default False
        Execute every run even when its outputs are up to date.
    timeout : int
        Per-cell timeout in seconds.
    verify_data : bool, default True
        Check every raw data file against ``data/raw/MANIFEST.sha256`` and every
        processed table against ``data/processed/MANIFEST.sha256`` first.

    Returns
    -------
    list of RunResult
        In the order of the expanded runs; ``reused`` tells which were kept.

    Raises
    ------
    RunFailedError
        If any run failed; ``failures`` maps run name -> error, ``results`` holds the
        runs that succeeded.
    Interrupted
        On SIGINT, after the workers and kernels were stopped.
    cluster_research.errors.ReproductionLockedError
        When another reproduction uses the same outputs directory.
    cluster_research.errors.OutputNameError
        A run name that is the folder of another run (among the jobs or the existing
        outputs), before anything executes.
    """
    out = (Path(output_dir) if output_dir is not None else outputs_dir()).resolve()
    if verify_data:
        data.verify_manifest()  # raises DataValidationError naming a changed file
        data.verify_processed()
    todo_jobs = list_jobs(runs)
    with cache.outputs_lock(out):
        shutil.rmtree(out / ".staging", ignore_errors=True)  # left by a killed run
        check_not_nested([j.name for j in todo_jobs],
                         existing_runs(out))
        todo, reused, hashes = plan(todo_jobs, out, force)
        for i in todo:  # validate everything to execute before executing anything
            validate_parameters(todo_jobs[i].notebook, todo_jobs[i].parameters)
        todo.sort(key=lambda i: ("/" in todo_jobs[i].name, i))
        results: dict[int, RunResult] = {
            i: collect(todo_jobs[i].name, todo_jobs[i].notebook, todo_jobs[i].parameters, out,
                       0.0, reused=True) for i in reused}
        errors: dict[int, str] = {}
        bar = _Progress(len(todo), progress and bool(todo))

        def record(i: int, seconds: float, err: str | None) -> None:
            job = todo_jobs[i]
            if err:
                errors[i] = err
            else:
                results[i] = collect(job.name, job.notebook, job.parameters, out, seconds)
            cache.update_manifest(out, job.name, status="failed" if err else "ok",
                                  hashes=hashes[i], seconds=seconds, notebook=job.notebook.name,
                                  parameters=job.parameters, error=err,
                                  files=None if err else results[i].files())
            bar.update(job.name, seconds, err)

        try:
            if jobs <= 1 or len(todo) <= 1:
                _STATE["reuse"] = reuse_kernels
                try:
                    for i in todo:
                        record(i, *_run_job(todo_jobs[i], out, timeout))
                finally:
                    _stop_worker_kernel()
            else:
                ctx = _mp_context()
                n_workers = min(jobs, len(todo))
                barrier = ctx.Barrier(n_workers)
                ex = cf.ProcessPoolExecutor(
                    max_workers=n_workers, mp_context=ctx, initializer=_init_worker,
                    initargs=(os.getpid(), reuse_kernels, barrier))
                try:
                    futs = {ex.submit(_run_job, todo_jobs[i], out, timeout): i for i in todo}
                    for fut in cf.as_completed(futs):
                        try:
                            record(futs[fut], *fut.result())
                        except cf.process.BrokenProcessPool as exc:
                            record(futs[fut], 0.0, f"worker process died: {exc}")
                    # every worker stops its kernel (multiprocessing ends workers without
                    # running atexit handlers); the barrier gives each worker one such task
                    cf.wait([ex.submit(_finish_worker) for _ in range(n_workers)], timeout=90)
                except BaseException:
                    ex.shutdown(wait=False, cancel_futures=True)
                    raise
                ex.shutdown(wait=True)
        except KeyboardInterrupt:
            _stop_children()
            shutil.rmtree(out / ".staging", ignore_errors=True)
            raise Interrupted(f"interrupted: {len(results) - len(reused)} of {len(todo)} runs "
                              "finished; unfinished runs left no outputs") from None
        finally:
            bar.close()
        m = cache.read_manifest(out)
        m["last_reproduce"] = {"executed": sorted(todo_jobs[i].name for i in results
                                                  if i not in reused),
                               "reused": sorted(todo_jobs[i].name for i in reused),
                               "failed": sorted(todo_jobs[i].name for i in errors)}
        cache.write_manifest(out, m)
    if errors:
        failures = {todo_jobs[i].name: e for i, e in sorted(errors.items())}
        lines = "\n".join(f"  {n}: {e}" for n, e in failures.items())
        err = RunFailedError(f"{len(errors)} of {len(todo_jobs)} runs failed:\n{lines}",
                             failures)
        err.results = [results[i] for i in sorted(results)]
        raise err
    return [results[i] for i in range(len(todo_jobs))]
