"""Execute notebooks with papermill, one fresh kernel per run, atomic outputs, a manifest.

A run executes in ``notebooks/`` in a new ``python3`` kernel and writes into
``<outputs>/.staging/<id>/``; only when every cell succeeded are its files moved into place,
replacing the previous run's files (its own files only, never a sub-folder)::

    outputs/notebooks/<run>.ipynb        executed notebook
    outputs/figures/<run>/<name>.png|svg figures written by cr.viz.save
    outputs/tables/<run>/<name>.csv      tables written by cr.outputs.save_table

A failed run leaves its executed notebook (with the error) as ``outputs/failed/<run>.ipynb``
and earlier good outputs untouched; the manifest (:mod:`~.cache`) records ``failed``.
:func:`run_all` runs the jobs not up to date on a
:class:`concurrent.futures.ThreadPoolExecutor` of ``jobs`` threads, each waiting on its
kernel: at most ``jobs`` kernels are busy, and no other process is started.

Examples
--------
>>> from cluster_research.pipeline import runner
>>> r = runner.run_notebook("05", {"region": "北京"}, output_dir="/tmp/out")  # doctest: +SKIP
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .. import data
from ..errors import ParameterError, RunFailedError
from ..outputs import ENV_OUTPUT_DIR, ENV_RUN_NAME, outputs_dir
from . import cache
from .notebooks import (
    KERNEL_NAME, list_notebooks, list_runs, normalise_notebook, notebook_parameters, notebooks_dir,
    resolve_notebook)
from .params import describe_spec, validate_parameters
from .runs import Job, check_not_nested, check_run_name, default_run_name, list_jobs, read_run_file

__all__ = ["RunResult", "describe", "describe_error", "execute", "existing_runs", "plan",
           "refresh", "run_all", "run_notebook"]


@dataclass
class RunResult:
    """One executed (or reused, ``reused=True``, ``seconds=0``) run and its output files."""

    name: str
    notebook: Path
    output_notebook: Path
    parameters: dict
    output_dir: Path
    seconds: float
    figures: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    reused: bool = False

    def files(self) -> list[str]:
        """Return the run's output files relative to ``output_dir`` (as in the manifest)."""
        return [p.relative_to(self.output_dir).as_posix()
                for p in [self.output_notebook, *self.figures, *self.tables]]


def _files(d: Path) -> list[Path]:
    return sorted(p for p in d.glob("*") if p.is_file()) if d.exists() else []


def existing_runs(out: Path) -> list[str]:
    """Return the names of the runs with an executed notebook in ``<out>/notebooks/``."""
    nbs = out / "notebooks"
    return sorted(p.relative_to(nbs).with_suffix("").as_posix() for p in nbs.rglob("*.ipynb"))


def collect(name: str, notebook: Path, parameters: dict, out: Path, seconds: float,
            reused: bool = False) -> RunResult:
    """Return the :class:`RunResult` of a run whose outputs are in place."""
    return RunResult(name, notebook, out / "notebooks" / f"{name}.ipynb", parameters, out,
                     seconds, _files(out / "figures" / name), _files(out / "tables" / name), reused)


def _replace(src: Path, dest: Path) -> None:
    """Move file ``src`` to ``dest``, or, for folders, replace ``dest``'s files (not its
    sub-folders, which hold other runs) by those of ``src``."""
    if src.suffix == ".ipynb":
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
        return
    new = _files(src)
    for p in _files(dest):
        if p.name not in {q.name for q in new}:
            p.unlink()
    for p in new:
        dest.mkdir(parents=True, exist_ok=True)
        os.replace(p, dest / p.name)


def _kernel_class(env: dict, sockets: str):
    """A kernel manager over IPC (Unix sockets in ``sockets``, so no unencrypted TCP) whose
    kernel gets ``env`` on top of this process's environment."""
    from jupyter_client import AsyncKernelManager

    class RunKernel(AsyncKernelManager):
        def __init__(self, **kw):
            super().__init__(transport="ipc", ip=os.path.join(sockets, "k"), **kw)

        async def start_kernel(self, **kw):
            return await super().start_kernel(**{**kw, "env": {**os.environ, **env}})

    return RunKernel


def _register_readable_translator() -> None:
    """Make papermill write non-ASCII strings as is (区, not \\u533a) in injected cells."""
    from papermill.translators import PythonTranslator, papermill_translators

    class Readable(PythonTranslator):
        @classmethod
        def translate_escaped_str(cls, str_val):
            return json.dumps(str(str_val), ensure_ascii=False)

    papermill_translators.register("python", Readable)


def execute(path: Path, parameters: dict, out: Path, run_name: str, *, timeout: int = 600,
            progress_bar: bool = False) -> float:
    """Execute a validated run in a fresh kernel, move its outputs into place, return seconds.

    Thread-safe (this process's directory and environment are left alone). A failing cell
    raises :class:`papermill.PapermillExecutionError`; its notebook goes to ``failed/``.
    """
    import papermill as pm  # heavy; only when something executes

    _register_readable_translator()
    stage = out / ".staging" / uuid.uuid4().hex
    nb_stage = stage / "notebooks" / f"{run_name}.ipynb"
    nb_stage.parent.mkdir(parents=True, exist_ok=True)
    env = {ENV_OUTPUT_DIR: str(stage), ENV_RUN_NAME: run_name}
    sockets = tempfile.mkdtemp(prefix="cr-kernel-")  # short: a socket path has <= 107 bytes
    t0 = time.perf_counter()
    try:
        try:
            pm.execute_notebook(
                str(path), str(nb_stage), parameters=parameters, kernel_name=KERNEL_NAME,
                progress_bar=progress_bar, execution_timeout=timeout,
                request_save_on_cell_execute=False, shutdown_kernel="immediate",
                kernel_manager_class=_kernel_class(env, sockets),
                resources={"metadata": {"path": str(notebooks_dir())}})
        except BaseException:
            if nb_stage.exists():
                _replace(nb_stage, out / "failed" / f"{run_name}.ipynb")
            raise
        seconds = time.perf_counter() - t0
        for kind in ("figures", "tables"):
            _replace(stage / kind / run_name, out / kind / run_name)
        _replace(nb_stage, out / "notebooks" / f"{run_name}.ipynb")
        (out / "failed" / f"{run_name}.ipynb").unlink(missing_ok=True)
        return seconds
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(sockets, ignore_errors=True)


def describe_error(exc: BaseException) -> str:
    """Describe a failed run in one line (cell number and error for a notebook error)."""
    text = str(exc)
    if type(exc).__name__ == "PapermillExecutionError":
        text = f"cell {getattr(exc, 'exec_count', '?')}: {exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {' '.join(text.split())[:800]}"


def _run(job: Job, out: Path, hashes: dict, timeout: int, progress_bar: bool = False,
         stop: threading.Event | None = None):
    """Execute one job and record it in the manifest (not a failure after ``stop`` is set:
    an interrupted run); return (RunResult or None, error)."""
    rec = {"hashes": hashes, "notebook": job.notebook.name, "parameters": job.parameters}
    try:
        seconds = execute(job.notebook, job.parameters, out, job.name, timeout=timeout,
                          progress_bar=progress_bar)
    except Exception as exc:  # noqa: BLE001 - recorded, then re-raised or reported
        if stop is None or not stop.is_set():
            cache.update_manifest(out, job.name, status="failed", seconds=0.0,
                                  error=describe_error(exc), **rec)
        return None, exc
    res = collect(job.name, job.notebook, job.parameters, out, seconds)
    cache.update_manifest(out, job.name, status="ok", seconds=seconds, files=res.files(), **rec)
    return res, None


def run_notebook(notebook, parameters: dict | None = None, output_dir=None,
                 name: str | None = None, timeout: int = 600,
                 progress_bar: bool = False) -> RunResult:
    """Validate parameters, then execute one notebook (atomic outputs, manifest record).

    Parameters
    ----------
    notebook : str or path-like
        See :func:`~cluster_research.pipeline.notebooks.resolve_notebook`.
    parameters : dict, optional
        Overrides of the ``parameters`` cell (a relative ``csv_path`` is made absolute).
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``).
    name : str, optional
        Run name (default the notebook stem plus the parameters); may contain ``/``.
    timeout : int
        Per-cell timeout in seconds.
    progress_bar : bool

    Returns
    -------
    RunResult

    Raises
    ------
    ParameterError, cluster_research.data.DataValidationError
        Bad parameters (before any kernel starts), a name leaving the outputs, or the folder
        of an existing run (or inside one).
    cluster_research.errors.ReproductionLockedError
        Another process holds the outputs directory.
    papermill.PapermillExecutionError
        A cell failed.
    """
    parameters = dict(parameters or {})
    if parameters.get("csv_path"):
        parameters["csv_path"] = str(Path(parameters["csv_path"]).expanduser().resolve())
    path = resolve_notebook(notebook)
    validate_parameters(path, parameters)
    job = Job(check_run_name(name or default_run_name(path, parameters)), path, parameters)
    out = Path(output_dir or outputs_dir()).resolve()
    with cache.outputs_lock(out):
        check_not_nested([job.name], existing_runs(out))
        res, exc = _run(job, out, cache.input_hashes(path, parameters), timeout, progress_bar)
    if exc is not None:
        raise exc
    return res


def plan(jobs: list, out: Path, force: bool = False) -> tuple[list[int], list[int], list]:
    """Return the indices of the jobs to execute, of those reused (record ``ok``, same key,
    files all there) and every job's input hashes."""
    env = cache.environment_key()
    hashes = [cache.input_hashes(j.notebook, j.parameters, env) for j in jobs]
    recs = cache.read_manifest(out)["runs"]
    todo, reused = [], []
    for i, job in enumerate(jobs):
        rec = recs.get(job.name, {})
        files = [f"notebooks/{job.name}.ipynb", *rec.get("files", [])]
        ok = (not force and rec.get("status") == "ok" and rec.get("key") == cache.run_key(hashes[i])
              and all((out / f).is_file() for f in files))
        (reused if ok else todo).append(i)
    return todo, reused, hashes


def run_all(jobs: int = 2, output_dir=None, runs=None, progress: bool = True,
            force: bool = False, timeout: int = 600, verify_data: bool = True) -> list[RunResult]:
    """Execute every run of the reproduction that is not up to date.

    Every run is expanded, and every run to execute validated, before any kernel starts;
    runs with an unchanged key and files are reused; the others execute at most ``jobs`` at
    a time (single runs first). The manifest records each run and, under
    ``last_reproduce``, which were executed, reused and failed.

    Parameters
    ----------
    jobs : int
        Runs executing at once, each in its own kernel.
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``).
    runs : list of path-like, optional
        Run files (default every ``notebooks/params/*.yaml``).
    progress : bool
        One line per finished run (and a bar on a terminal).
    force : bool
        Execute every run, even those up to date.
    timeout : int
        Per-cell timeout in seconds.
    verify_data : bool
        First check the raw and processed data against their manifests.

    Returns
    -------
    list of RunResult
        In the order of the expanded runs.

    Raises
    ------
    RunFailedError
        Runs failed (``failures``: name -> error; ``results``: the runs that succeeded).
    KeyboardInterrupt
        On Ctrl-C, once the kernels are stopped (unfinished runs leave no outputs).
    cluster_research.errors.ReproductionLockedError, cluster_research.errors.ParameterError
    """
    from tqdm.auto import tqdm

    out = Path(output_dir or outputs_dir()).resolve()
    if verify_data:
        data.verify_manifest()  # raises DataValidationError naming a changed file
        data.verify_processed()
    all_jobs = list_jobs(runs)
    with cache.outputs_lock(out):
        shutil.rmtree(out / ".staging", ignore_errors=True)  # left by a killed run
        check_not_nested([j.name for j in all_jobs], existing_runs(out))
        todo, reused, hashes = plan(all_jobs, out, force)
        for i in todo:  # validate everything before executing anything
            validate_parameters(all_jobs[i].notebook, all_jobs[i].parameters)
        todo.sort(key=lambda i: ("/" in all_jobs[i].name, i))
        results = {i: collect(j.name, j.notebook, j.parameters, out, 0.0, reused=True)
                   for i, j in enumerate(all_jobs) if i in reused}
        errors: dict[int, str] = {}
        lock, stop = threading.Lock(), threading.Event()
        bar = tqdm(total=len(todo), desc="notebooks", unit="run",
                   disable=not (progress and todo and sys.stdout.isatty()))

        def attempt(i: int) -> None:  # in a thread: waits on the run's kernel
            job = all_jobs[i]
            with lock:
                if stop.is_set():
                    return
            res, exc = _run(job, out, hashes[i], timeout, stop=stop)
            with lock:
                if stop.is_set():
                    return
                if res is None:
                    errors[i] = describe_error(exc)
                else:
                    results[i] = res
                bar.update()
                if progress:
                    done = len(results) + len(errors) - len(reused)
                    bar.write(f"[{done}/{len(todo)}] {job.name}: " + (
                        f"FAILED {errors[i][:200]}" if res is None else f"ok {res.seconds:.1f} s"))

        ex = cf.ThreadPoolExecutor(max_workers=max(1, jobs))
        futs = [ex.submit(attempt, i) for i in todo]
        try:
            cf.wait(futs)
        except KeyboardInterrupt:
            stop.set()
            ex.shutdown(wait=False, cancel_futures=True)
            while _stop_kernels() or cf.wait(futs, timeout=1).not_done:
                pass  # until no thread is left that could still have started a kernel
            raise KeyboardInterrupt(f"interrupted: {len(results) - len(reused)} of {len(todo)} "
                                    "runs finished; unfinished runs left no outputs") from None
        finally:
            ex.shutdown(wait=True)
            shutil.rmtree(out / ".staging", ignore_errors=True)
            bar.close()
        m = cache.read_manifest(out)
        m["last_reproduce"] = {k: sorted(all_jobs[i].name for i in v) for k, v in (
            ("executed", set(results) - set(reused)), ("reused", reused), ("failed", errors))}
        cache.write_manifest(out, m)
    if errors:
        failures = {all_jobs[i].name: e for i, e in sorted(errors.items())}
        lines = "\n".join(f"  {n}: {e}" for n, e in failures.items())
        err = RunFailedError(f"{len(errors)} of {len(all_jobs)} runs failed:\n{lines}", failures)
        err.results = [results[i] for i in sorted(results)]
        raise err
    return [results[i] for i in range(len(all_jobs))]


def _stop_kernels() -> None:
    """Terminate this process's children: the kernels of the running runs."""
    import psutil

    kids = psutil.Process().children(recursive=True)
    for k in kids:
        with contextlib.suppress(psutil.NoSuchProcess):
            k.terminate()
    psutil.wait_procs(kids, timeout=5)


def refresh(notebooks=None, timeout: int = 600) -> list[Path]:
    """Re-execute committed notebooks in place (default all) with their default parameters.

    Executed with nbclient in ``notebooks/`` in a fresh kernel, without timing metadata
    and with no output directory set, then normalised, so an unchanged result gives an
    unchanged file (nbval compares against the stored outputs).

    Returns
    -------
    list of pathlib.Path
        The notebooks rewritten.
    """
    import nbformat
    from nbclient import NotebookClient

    paths = [resolve_notebook(n) for n in notebooks] if notebooks else list_notebooks()
    env = {k: v for k, v in os.environ.items() if k not in (ENV_OUTPUT_DIR, ENV_RUN_NAME)}
    for path in paths:
        notebook_parameters(path)  # convention check
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=timeout, kernel_name=KERNEL_NAME, record_timing=False,
                       shutdown_kernel="immediate",
                       resources={"metadata": {"path": str(notebooks_dir())}}).execute(env=env)
        normalise_notebook(nb)
        nbformat.write(nb, path)
    return paths


def describe() -> str:
    """Return a text listing of the notebooks, their parameters (with kinds) and the runs."""
    lines = ["notebooks (parameter=default  kind):"]
    for p in list_notebooks():
        try:
            params = notebook_parameters(p)
            lines.append(f"  {p.stem}:")
            lines += [f"    {k}={v!r}  {describe_spec(k)}" for k, v in params.items()]
        except ParameterError as exc:
            lines.append(f"  {p.stem}: INVALID: {exc}")
    lines.append("runs (notebooks/params/*.yaml):")
    for r in list_runs():
        try:
            nb, params, fanout = read_run_file(r)
            fan = f" fanout {json.dumps(fanout, ensure_ascii=False)}" if fanout else ""
            lines.append(f"  {r.stem}: {nb.name} {json.dumps(params, ensure_ascii=False)}{fan}")
        except ParameterError as exc:
            lines.append(f"  {r.stem}: INVALID: {exc}")
    return "\n".join(lines)
