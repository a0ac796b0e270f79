"""Execute one notebook with papermill: validated parameters, atomic outputs, a manifest entry.

A run executes in ``notebooks/`` with kernel ``python3`` and writes into a temporary
folder ``<outputs>/.staging/<id>/``; only when every cell succeeded are its files moved
into place, replacing the previous run's files (its own files only: a sub-folder, which
would belong to another run, is never touched)::

    outputs/notebooks/<run>.ipynb        executed notebook
    outputs/figures/<run>/<name>.png|svg figures written by cr.viz.save
    outputs/tables/<run>/<name>.csv      tables written by cr.outputs.save_table

A failed run leaves its executed notebook (with the error) as
``outputs/failed/<run>.ipynb`` and nothing that looks complete; the run manifest
(:mod:`cluster_research.pipeline.cache`) records ``failed``.

Examples
--------
>>> from cluster_research.pipeline import runner
>>> r = runner.run_notebook("05", {"region": "北京"}, output_dir="/tmp/out")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import NotebookError, ParameterError
from ..memo import ENV_CACHE_DIR
from ..outputs import ENV_OUTPUT_DIR, ENV_RUN_NAME, outputs_dir
from . import cache
from .kernel import prepare_kernel, start_kernel, stop_kernel
from .notebooks import (
    KERNEL_NAME,
    list_notebooks,
    list_runs,
    normalise_notebook,
    notebook_parameters,
    notebooks_dir,
    resolve_notebook,
)
from .params import describe_spec, validate_parameters
from .runs import (
    check_not_nested,
    check_run_name,
    default_run_name,
    load_params_file,
    read_run_file,
)

__all__ = ["RunResult", "describe", "describe_error", "execute", "existing_runs", "refresh",
           "run_notebook", "run_params_file"]


@dataclass
class RunResult:
    """Record of one notebook execution (or reuse).

    Attributes
    ----------
    name : str
        Run name (the params YAML stem, or notebook stem plus parameters).
    notebook : pathlib.Path
        Source notebook.
    output_notebook : pathlib.Path
        Executed notebook.
    parameters : dict
        Parameters passed (not the defaults).
    output_dir : pathlib.Path
    seconds : float
        Wall time of the execution (0 when reused).
    figures, tables : list of pathlib.Path
        Files of the run.
    reused : bool
        True when the outputs of an earlier identical run were kept (nothing executed).
    """

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
    """Return the names of the runs whose executed notebook is in ``<out>/notebooks/``.

    Parameters
    ----------
    out : pathlib.Path
        Root of the outputs.

    Returns
    -------
    list of str
        E.g. ``["01_paper_claims", "06_region_profile/310000_Shanghai"]``.
    """
    nbs = out / "notebooks"
    return sorted(p.relative_to(nbs).with_suffix("").as_posix() for p in nbs.rglob("*.ipynb"))


def collect(name: str, notebook: Path, parameters: dict, out: Path, seconds: float,
            reused: bool = False) -> RunResult:
    """Return the :class:`RunResult` of a run whose outputs are in place.

    Parameters
    ----------
    name : str
    notebook : pathlib.Path
    parameters : dict
    out : pathlib.Path
        Root of the outputs.
    seconds : float
    reused : bool

    Returns
    -------
    RunResult
    """
    return RunResult(name, notebook, out / "notebooks" / f"{name}.ipynb", parameters, out,
                     seconds, _files(out / "figures" / name), _files(out / "tables" / name),
                     reused)


def _register_readable_translator() -> None:
    """Make papermill write non-ASCII strings as is (区 instead of \\u533a) in injected cells."""
    from papermill.translators import PythonTranslator, papermill_translators

    class ReadablePythonTranslator(PythonTranslator):
        @classmethod
        def translate_escaped_str(cls, str_val):
            return json.dumps(str(str_val), ensure_ascii=False)

    papermill_translators.register("python", ReadablePythonTranslator)


def _replace_files(src: Path, dest: Path) -> None:
    """Replace the files directly in folder ``dest`` by those of ``src``; keep sub-folders.

    Sub-folders of ``dest`` hold other runs' outputs (``dest/<code>_<name>/``) and are
    never moved or deleted.
    """
    new = _files(src)
    names = {p.name for p in new}
    for p in _files(dest):
        if p.name not in names:
            p.unlink()
    if new:
        dest.mkdir(parents=True, exist_ok=True)
    for p in new:
        os.replace(p, dest / p.name)


def _replace(src: Path, dest: Path) -> None:
    """Move ``src`` (file or folder) to ``dest``, replacing what was there."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(dest, old)
    if src.exists():
        os.replace(src, dest)
    if old is not None:
        shutil.rmtree(old) if old.is_dir() else old.unlink()


def execute(path: Path, parameters: dict, out: Path, run_name: str, *, timeout: int = 600,
            progress_bar: bool = False, km=None) -> float:
    """Execute a validated run into a staging folder and move its outputs into place.

    Parameters
    ----------
    path : pathlib.Path
        Notebook.
    parameters : dict
        Validated parameters.
    out : pathlib.Path
        Root of the outputs (resolved).
    run_name : str
        Checked run name.
    timeout : int
        Per-cell timeout in seconds.
    progress_bar : bool
        papermill's per-cell progress bar.
    km : jupyter_client.KernelManager, optional
        A kernel to reuse (reset first); default a fresh kernel, stopped afterwards.

    Returns
    -------
    float
        Seconds of execution.

    Raises
    ------
    papermill.PapermillExecutionError
        If a cell fails; the executed notebook goes to ``<out>/failed/<run>.ipynb``.
    """
    import papermill as pm  # heavy; only when something executes

    stage = out / ".staging" / uuid.uuid4().hex
    env = {ENV_OUTPUT_DIR: str(stage), ENV_RUN_NAME: run_name,
           ENV_CACHE_DIR: os.environ.get(ENV_CACHE_DIR) or str(out / ".cache")}
    nb_stage = stage / "notebooks" / f"{run_name}.ipynb"
    nb_stage.parent.mkdir(parents=True, exist_ok=True)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    _register_readable_translator()
    own = km is None
    t0 = time.perf_counter()
    try:
        if own:
            km = start_kernel()
        prepare_kernel(km, env)
        try:
            pm.execute_notebook(
                str(path), str(nb_stage), parameters=parameters, kernel_name=KERNEL_NAME,
                cwd=str(notebooks_dir()), progress_bar=progress_bar,
                execution_timeout=timeout, request_save_on_cell_execute=False, km=km)
        except BaseException:
            if nb_stage.exists():
                _replace(nb_stage, out / "failed" / f"{run_name}.ipynb")
            raise
        seconds = time.perf_counter() - t0
        for kind in ("figures", "tables"):
            _replace_files(stage / kind / run_name, out / kind / run_name)
        _replace(nb_stage, out / "notebooks" / f"{run_name}.ipynb")
        failed = out / "failed" / f"{run_name}.ipynb"
        if failed.exists():
            failed.unlink()
        return seconds
    finally:
        if own and km is not None:
            stop_kernel(km)
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(stage, ignore_errors=True)


def describe_error(exc: BaseException) -> str:
    """Describe a failed run in one line (cell number and error for a notebook error).

    Parameters
    ----------
    exc : BaseException

    Returns
    -------
    str
    """
    text = str(exc)
    if type(exc).__name__ == "PapermillExecutionError":
        ename, evalue = getattr(exc, "ename", ""), getattr(exc, "evalue", "")
        text = f"cell {getattr(exc, 'exec_count', '?')}: {ename}: {evalue}"
    return f"{type(exc).__name__}: {' '.join(text.split())[:800]}"


def run_notebook(notebook, parameters: dict | None = None, output_dir=None,
                 name: str | None = None, timeout: int = 600, progress_bar: bool = False,
                 km=None) -> RunResult:
    """Validate parameters, then execute one notebook with papermill (atomic outputs).

    Parameters
    ----------
    notebook : str or path-like
        See :func:`~cluster_research.pipeline.notebooks.resolve_notebook`.
    parameters : dict, optional
        Overrides of the ``parameters`` cell; validated before any kernel starts.
        A relative ``csv_path`` is resolved against the current directory.
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``).
    name : str, optional
        Run name; default the notebook stem plus the parameters. May contain ``/``
        (a sub-folder) but never leave the outputs directory.
    timeout : int
        Per-cell timeout in seconds.
    progress_bar : bool
        Show papermill's per-cell progress bar.
    km : jupyter_client.KernelManager, optional
        A running kernel to reuse (see :func:`~cluster_research.pipeline.kernel.start_kernel`).

    Returns
    -------
    RunResult

    Raises
    ------
    ParameterError, NotebookError, cluster_research.data.DataValidationError
        Before execution, for bad parameters.
    cluster_research.errors.OutputNameError
        For a run name that would leave the outputs directory, or that is the folder of
        an existing run or lies in an existing run's folder (``06_region_profile`` and
        ``06_region_profile/310000_Shanghai``).
    cluster_research.errors.ReproductionLockedError
        When another process holds the outputs directory.
    papermill.PapermillExecutionError
        If a cell fails (the failed notebook goes to ``outputs/failed/``).
    """
    parameters = dict(parameters or {})
    if parameters.get("csv_path"):
        parameters["csv_path"] = str(Path(parameters["csv_path"]).expanduser().resolve())
    path = resolve_notebook(notebook)
    validate_parameters(path, parameters)
    run_name = check_run_name(name or default_run_name(path, parameters))
    out = (Path(output_dir) if output_dir is not None else outputs_dir()).resolve()
    hashes = cache.input_hashes(path, parameters)
    with cache.outputs_lock(out):
        check_not_nested([run_name], existing_runs(out))
        try:
            seconds = execute(path, parameters, out, run_name, timeout=timeout,
                              progress_bar=progress_bar, km=km)
        except Exception as exc:
            cache.update_manifest(out, run_name, status="failed", hashes=hashes, seconds=0.0,
                                  notebook=path.name, parameters=parameters,
                                  error=describe_error(exc))
            raise
        res = collect(run_name, path, parameters, out, seconds)
        cache.update_manifest(out, run_name, status="ok", hashes=hashes, seconds=seconds,
                              notebook=path.name, parameters=parameters, files=res.files())
    return res


def run_params_file(path, output_dir=None, **kwargs) -> RunResult:
    """Run the notebook named in a run file, the run named after the file's stem.

    For a fan-out file use :func:`~cluster_research.pipeline.pool.run_all` with
    ``runs=[path]``.

    Parameters
    ----------
    path : path-like
    output_dir : path-like, optional
    **kwargs
        Passed to :func:`run_notebook`.

    Returns
    -------
    RunResult
    """
    nb, params = load_params_file(path)
    return run_notebook(nb, params, output_dir=output_dir, name=Path(path).stem, **kwargs)


def refresh(notebooks=None, timeout: int = 600) -> list[Path]:
    """Re-execute committed notebooks in place with their default parameters.

    Used before committing so the stored outputs are exactly what a fresh run
    produces (nbval then compares against them). Executes with nbclient in
    ``notebooks/``, without timing metadata and with no output directory set, and
    normalises the notebook metadata so an unchanged result gives an unchanged file.

    Parameters
    ----------
    notebooks : list of str or path-like, optional
        Default: every numbered notebook.
    timeout : int
        Per-cell timeout in seconds.

    Returns
    -------
    list of pathlib.Path
        The notebooks rewritten.
    """
    import nbformat
    from nbclient import NotebookClient

    paths = [resolve_notebook(n) for n in notebooks] if notebooks else list_notebooks()
    env_old = {k: os.environ.pop(k, None) for k in (ENV_OUTPUT_DIR, ENV_RUN_NAME)}
    try:
        for path in paths:
            notebook_parameters(path)  # convention check
            nb = nbformat.read(path, as_version=4)
            km = start_kernel()
            try:
                NotebookClient(nb, km=km, timeout=timeout, kernel_name=KERNEL_NAME,
                               resources={"metadata": {"path": str(notebooks_dir())}},
                               record_timing=False).execute()
            finally:
                stop_kernel(km)
            normalise_notebook(nb)
            nbformat.write(nb, path)
    finally:
        for k, v in env_old.items():
            if v is not None:
                os.environ[k] = v
    return paths


def describe() -> str:
    """Return a text listing of the notebooks, their parameters (with kinds) and the runs.

    Returns
    -------
    str
    """
    lines = ["notebooks (parameter=default  kind):"]
    for p in list_notebooks():
        try:
            params = notebook_parameters(p)
            lines.append(f"  {p.stem}:")
            lines += [f"    {k}={v!r}  {describe_spec(k)}" for k, v in params.items()]
        except NotebookError as exc:
            lines.append(f"  {p.stem}: INVALID: {exc}")
    lines.append("runs (notebooks/params/*.yaml):")
    for r in list_runs():
        try:
            nb, params, fanout = read_run_file(r)
            fan = f" fanout {json.dumps(fanout, ensure_ascii=False)}" if fanout else ""
            lines.append(f"  {r.stem}: {nb.name} {json.dumps(params, ensure_ascii=False)}{fan}")
        except (ParameterError, NotebookError) as exc:
            lines.append(f"  {r.stem}: INVALID: {exc}")
    return "\n".join(lines)
