"""Execute the reproduction notebooks with papermill, validated parameters and fixed outputs.

Every notebook in ``notebooks/`` has exactly one cell tagged ``parameters`` that
assigns literals only. :func:`run_notebook` reads that cell, checks the names and
the literal types of the parameters you pass *before* anything is executed
(papermill alone only logs a warning for a misspelt name), then executes the
notebook with kernel ``python3`` and the working directory fixed to
``notebooks/``. Outputs go under ``outputs/``::

    outputs/notebooks/<run>.ipynb        executed notebook
    outputs/figures/<run>/<name>.png|svg figures written by cr.plotting.save
    outputs/tables/<run>/<name>.csv      tables written by cr.runner.save_table

One run of the reproduction is one YAML file in ``notebooks/params/``::

    notebook: 05_strategy_indicators.ipynb
    parameters:
      region: 上海

Examples
--------
>>> import cluster_research as cr
>>> sorted(cr.runner.notebook_parameters("01_paper_claims"))  # doctest: +SKIP
['lang']
>>> cr.runner.run_notebook("05", {"region": "北京"})          # doctest: +SKIP
"""

from __future__ import annotations

import ast
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "NotebookError",
    "ParameterError",
    "RunResult",
    "coerce_cli_value",
    "list_notebooks",
    "list_runs",
    "load_params_file",
    "notebook_parameters",
    "notebooks_dir",
    "output_path",
    "outputs_dir",
    "refresh",
    "repo_dir",
    "resolve_notebook",
    "run_all",
    "run_notebook",
    "run_params_file",
    "save_table",
    "validate_parameters",
]

#: Environment variables through which the runner tells the kernel where to write.
ENV_OUTPUT_DIR = "CLUSTER_RESEARCH_OUTPUT_DIR"
ENV_RUN_NAME = "CLUSTER_RESEARCH_RUN"

KERNEL_NAME = "python3"
LANGS = ("zh", "en")
#: Parameter names whose values are region names/codes checked by cr.data.region_code.
REGION_PARAMETERS = ("region", "regions", "compare_regions")


class ParameterError(ValueError):
    """A notebook parameter is unknown, has the wrong type or an invalid value."""


class NotebookError(ValueError):
    """A notebook is missing or does not follow the notebook conventions."""


# --------------------------------------------------------------------------- paths


def repo_dir() -> Path:
    """Return the repository root (the parent of the installed package directory).

    Returns
    -------
    pathlib.Path
        ``cluster_research/..`` resolved from this file, never from the cwd.
    """
    return Path(__file__).resolve().parent.parent


def notebooks_dir() -> Path:
    """Return the ``notebooks/`` directory of the repository."""
    return repo_dir() / "notebooks"


def outputs_dir() -> Path:
    """Return the default ``outputs/`` directory (git-ignored)."""
    return repo_dir() / "outputs"


def list_notebooks() -> list[Path]:
    """List the numbered notebooks ``notebooks/NN_*.ipynb`` in order.

    Returns
    -------
    list of pathlib.Path
    """
    return sorted(p for p in notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def list_runs() -> list[Path]:
    """List the run files ``notebooks/params/*.yaml`` of the reproduction, sorted."""
    return sorted((notebooks_dir() / "params").glob("*.yaml"))


def resolve_notebook(notebook: str | os.PathLike) -> Path:
    """Resolve a notebook given as a path, a file name, a stem or its two-digit number.

    Parameters
    ----------
    notebook : str or path-like
        ``"05"``, ``"05_strategy_indicators"``, ``"05_strategy_indicators.ipynb"`` or a path.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    NotebookError
        If no notebook or more than one notebook matches; the message lists the notebooks.

    Examples
    --------
    >>> resolve_notebook("01").name  # doctest: +SKIP
    '01_paper_claims.ipynb'
    """
    p = Path(notebook)
    if p.suffix == ".ipynb" and p.exists():
        return p.resolve()
    name = p.name
    name = name.removesuffix(".ipynb")
    candidates = [q for q in list_notebooks() if q.stem == name or q.stem.startswith(name + "_")]
    if len(candidates) == 1:
        return candidates[0]
    known = ", ".join(q.stem for q in list_notebooks()) or "(none)"
    if not candidates:
        raise NotebookError(f"notebook {str(notebook)!r} not found; notebooks: {known}")
    raise NotebookError(f"notebook {str(notebook)!r} is ambiguous: matches {known}")


# --------------------------------------------------------------------- parameters


def _parameters_cell(nb) -> Any:
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise NotebookError(
            f"a notebook must have exactly one cell tagged 'parameters', found {len(cells)}"
        )
    if cells[0].cell_type != "code":
        raise NotebookError("the cell tagged 'parameters' must be a code cell")
    return cells[0]


def notebook_parameters(notebook: str | os.PathLike) -> dict[str, Any]:
    """Read the defaults of a notebook's ``parameters`` cell.

    The cell may hold only assignments ``name = <literal>`` (numbers, strings,
    booleans, None, lists/tuples/dicts of literals) and comments.

    Parameters
    ----------
    notebook : str or path-like
        See :func:`resolve_notebook`.

    Returns
    -------
    dict
        Parameter name -> default value, in cell order.

    Raises
    ------
    NotebookError
        If there is not exactly one ``parameters`` cell or it holds anything but literals.

    Examples
    --------
    >>> notebook_parameters("05")  # doctest: +SKIP
    {'region': '上海', 'year_from': 2015, 'year_to': 2024, 'lang': 'zh'}
    """
    import nbformat

    path = resolve_notebook(notebook)
    nb = nbformat.read(path, as_version=4)
    cell = _parameters_cell(nb)
    try:
        tree = ast.parse(cell.source)
    except SyntaxError as exc:
        raise NotebookError(f"{path.name}: parameters cell does not parse: {exc}") from exc
    out: dict[str, Any] = {}
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            raise NotebookError(
                f"{path.name}: parameters cell line {node.lineno}: only `name = literal` allowed"
            )
        try:
            value = ast.literal_eval(node.value)
        except ValueError as exc:
            raise NotebookError(
                f"{path.name}: parameter {node.targets[0].id!r} is not a literal"
            ) from exc
        out[node.targets[0].id] = value
    return out


_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def coerce_cli_value(name: str, text: str, default: Any) -> Any:
    """Convert a command-line string to the type of the parameter's default.

    Parameters
    ----------
    name : str
        Parameter name (for the error message).
    text : str
        Value as typed on the command line.
    default : object
        The default from the ``parameters`` cell; its type decides the conversion
        (str kept; int/float parsed; bool from true/false/yes/no/1/0; list/dict/None
        parsed as YAML).

    Returns
    -------
    object

    Raises
    ------
    ParameterError
        If the text cannot be converted.

    Examples
    --------
    >>> coerce_cli_value("year", "2011", 2010)
    2011
    >>> coerce_cli_value("lang", "en", "zh")
    'en'
    """
    import yaml

    try:
        if isinstance(default, bool):
            low = text.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError(text)
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if isinstance(default, str):
            return text
        return yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ParameterError(
            f"parameter {name!r}: cannot read {text!r} as {type(default).__name__}"
        ) from exc


def _type_ok(value: Any, default: Any) -> bool:
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            return False
        kinds = {type(x) for x in default}
        if len(kinds) == 1:
            (k,) = kinds
            return all(_type_ok(x, default[0]) for x in value) if k is not type(None) else True
        return True
    return isinstance(value, type(default))


def validate_parameters(notebook: str | os.PathLike, parameters: dict[str, Any]) -> dict:
    """Check parameter names, literal types and known values before execution.

    Checks, in order: every name is defined in the notebook's ``parameters``
    cell; each value has the type of the default (an int is accepted for a float);
    ``lang`` is ``"zh"`` or ``"en"``; a ``region``/``regions`` value names a
    known region (via :func:`cluster_research.data.region_code`); ``highlight_districts``
    names Shanghai districts.

    Parameters
    ----------
    notebook : str or path-like
    parameters : dict
        Parameter name -> value (already typed, e.g. from YAML).

    Returns
    -------
    dict
        The full parameter set: defaults updated by ``parameters``.

    Raises
    ------
    ParameterError
        Unknown name (the message names it and lists the valid ones), wrong type,
        invalid ``lang`` or unknown district.
    cluster_research.data.DataValidationError
        Unknown region.

    Examples
    --------
    >>> validate_parameters("05", {"regoin": "北京"})  # doctest: +SKIP
    Traceback (most recent call last):
    ParameterError: 05_strategy_indicators.ipynb has no parameter 'regoin'; ...
    """
    path = resolve_notebook(notebook)
    defaults = notebook_parameters(path)
    valid = ", ".join(defaults) or "(none)"
    for name in parameters:
        if name not in defaults:
            import difflib

            close = difflib.get_close_matches(name, list(defaults), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(
                f"{path.name} has no parameter {name!r}{hint}; valid parameters: {valid}"
            )
    for name, value in parameters.items():
        default = defaults[name]
        if not _type_ok(value, default):
            raise ParameterError(
                f"{path.name}: parameter {name!r} must be {type(default).__name__} like the "
                f"default {default!r}, got {type(value).__name__} {value!r}"
            )
    merged = {**defaults, **parameters}
    if "lang" in merged and merged["lang"] not in LANGS:
        raise ParameterError(f"{path.name}: parameter 'lang' must be one of {LANGS}, "
                             f"got {merged['lang']!r}")
    for name in REGION_PARAMETERS:
        if name in parameters and parameters[name] is not None:
            from . import data

            values = parameters[name]
            for v in values if isinstance(values, (list, tuple)) else [values]:
                data.region_code(v)  # raises DataValidationError naming the region
    if parameters.get("highlight_districts"):
        from .plotting import _match_districts, shanghai_districts

        try:
            _match_districts(shanghai_districts(), parameters["highlight_districts"])
        except ValueError as exc:
            raise ParameterError(f"{path.name}: parameter 'highlight_districts': {exc}") from exc
    return merged


# ---------------------------------------------------------------------- outputs


def output_path(kind: str, name: str, ext: str, output_dir: str | os.PathLike | None = None):
    """Return where a figure or table of the current run is written, or None.

    The directory is ``output_dir`` if given, else the environment variable
    ``CLUSTER_RESEARCH_OUTPUT_DIR`` (set by the runner for the kernel). When
    neither is set (a notebook opened interactively or checked by nbval) nothing
    is written and None is returned.

    Parameters
    ----------
    kind : {"figures", "tables"}
    name : str
        File stem; letters, digits, ``_``, ``-`` and ``.`` only.
    ext : str
        Extension without dot.
    output_dir : path-like, optional

    Returns
    -------
    pathlib.Path or None
        ``<output_dir>/<kind>/<run>/<name>.<ext>`` (``<run>`` from
        ``CLUSTER_RESEARCH_RUN``, omitted when unset); parent created.

    Raises
    ------
    ValueError
        If ``name`` contains other characters.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
        raise ValueError(f"output name {name!r}: use letters, digits, '_', '-', '.' only")
    base = output_dir if output_dir is not None else os.environ.get(ENV_OUTPUT_DIR)
    if not base:
        return None
    d = Path(base) / kind
    run = os.environ.get(ENV_RUN_NAME)
    if run:
        d = d / run
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{name}.{ext}"


def save_table(df, name: str, output_dir: str | os.PathLike | None = None):
    """Write a table of the current run as CSV (UTF-8, no index) when an output dir is set.

    Parameters
    ----------
    df : pandas.DataFrame
    name : str
        File stem, e.g. ``"claims"``.
    output_dir : path-like, optional
        Overrides ``CLUSTER_RESEARCH_OUTPUT_DIR``.

    Returns
    -------
    pathlib.Path or None
        The file written, or None when no output directory is set.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> p = save_table(pd.DataFrame({"a": [1]}), "t", output_dir=tempfile.mkdtemp())
    >>> p.read_text()
    'a\\n1\\n'
    """
    path = output_path("tables", name, "csv", output_dir)
    if path is None:
        return None
    df.to_csv(path, index=False, lineterminator="\n")
    return path


# ------------------------------------------------------------------------- runs


@dataclass
class RunResult:
    """Record of one notebook execution.

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
        Wall time.
    figures, tables : list of pathlib.Path
        Files written by the run.
    """

    name: str
    notebook: Path
    output_notebook: Path
    parameters: dict
    output_dir: Path
    seconds: float
    figures: list = field(default_factory=list)
    tables: list = field(default_factory=list)


def _default_run_name(path: Path, parameters: dict) -> str:
    if not parameters:
        return path.stem
    def clean(v) -> str:
        return re.sub(r"[^\w.\-]+", "_", str(v)).strip("_")

    tag = "__".join(f"{k}-{clean(v)}" for k, v in sorted(parameters.items()))
    return f"{path.stem}__{tag}"[:150]


def _register_readable_translator() -> None:
    """Make papermill write non-ASCII strings as is (区 instead of \\u533a) in injected cells."""
    from papermill.translators import PythonTranslator, papermill_translators

    class _ReadablePythonTranslator(PythonTranslator):
        @classmethod
        def translate_escaped_str(cls, str_val):
            return json.dumps(str(str_val), ensure_ascii=False)

    papermill_translators.register("python", _ReadablePythonTranslator)


def run_notebook(
    notebook: str | os.PathLike,
    parameters: dict | None = None,
    output_dir: str | os.PathLike | None = None,
    name: str | None = None,
    timeout: int = 600,
    progress_bar: bool = False,
) -> RunResult:
    """Validate parameters, then execute one notebook with papermill.

    Parameters
    ----------
    notebook : str or path-like
        See :func:`resolve_notebook`.
    parameters : dict, optional
        Overrides of the ``parameters`` cell; validated by :func:`validate_parameters`
        before the kernel starts.
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``).
    name : str, optional
        Run name; default the notebook stem plus the parameters.
    timeout : int
        Per-cell timeout in seconds.
    progress_bar : bool
        Show papermill's per-cell progress bar.

    Returns
    -------
    RunResult

    Raises
    ------
    ParameterError, NotebookError, cluster_research.data.DataValidationError
        Before execution, for bad parameters.
    papermill.PapermillExecutionError
        If a cell fails; the executed notebook is still written.

    Examples
    --------
    >>> r = run_notebook("05", {"region": "北京"}, output_dir="/tmp/out")  # doctest: +SKIP
    >>> r.tables  # doctest: +SKIP
    [PosixPath('/tmp/out/tables/05_strategy_indicators__region-北京/indicator_ranks.csv')]
    """
    import papermill as pm

    parameters = dict(parameters or {})
    path = resolve_notebook(notebook)
    validate_parameters(path, parameters)
    out = Path(output_dir) if output_dir is not None else outputs_dir()
    out = out.resolve()
    run_name = name or _default_run_name(path, parameters)
    nb_out = out / "notebooks" / f"{run_name}.ipynb"
    nb_out.parent.mkdir(parents=True, exist_ok=True)
    old = {k: os.environ.get(k) for k in (ENV_OUTPUT_DIR, ENV_RUN_NAME)}
    os.environ[ENV_OUTPUT_DIR] = str(out)
    os.environ[ENV_RUN_NAME] = run_name
    _register_readable_translator()
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(
            str(path),
            str(nb_out),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(notebooks_dir()),
            progress_bar=progress_bar,
            execution_timeout=timeout,
        )
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seconds = time.perf_counter() - t0
    figs = sorted((out / "figures" / run_name).glob("*")) if (out / "figures" / run_name).exists() else []
    tabs = sorted((out / "tables" / run_name).glob("*")) if (out / "tables" / run_name).exists() else []
    return RunResult(run_name, path, nb_out, parameters, out, seconds, figs, tabs)


def load_params_file(path: str | os.PathLike) -> tuple[Path, dict]:
    """Read a run file ``{notebook: ..., parameters: {...}}``.

    Parameters
    ----------
    path : path-like
        YAML file, e.g. ``notebooks/params/01_paper_claims.yaml``.

    Returns
    -------
    (pathlib.Path, dict)
        The resolved notebook and its parameters.

    Raises
    ------
    ParameterError
        If the file is not a mapping with a ``notebook`` key and a mapping ``parameters``.
    """
    import yaml

    p = Path(path)
    with p.open(encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    if not isinstance(spec, dict) or "notebook" not in spec:
        raise ParameterError(f"{p}: expected a mapping with keys 'notebook' and 'parameters'")
    unknown = set(spec) - {"notebook", "parameters", "description"}
    if unknown:
        raise ParameterError(f"{p}: unknown keys {sorted(unknown)}; "
                             "allowed: notebook, parameters, description")
    params = spec.get("parameters") or {}
    if not isinstance(params, dict):
        raise ParameterError(f"{p}: 'parameters' must be a mapping")
    nb = spec["notebook"]
    if isinstance(nb, int) and not isinstance(nb, bool):  # YAML reads `notebook: 05` as 5
        nb = f"{nb:02d}"
    return resolve_notebook(str(nb)), params


def run_params_file(path: str | os.PathLike, output_dir=None, **kwargs) -> RunResult:
    """Run the notebook named in a params YAML, the run named after the file's stem."""
    nb, params = load_params_file(path)
    return run_notebook(nb, params, output_dir=output_dir, name=Path(path).stem, **kwargs)


def _run_one(args):
    path, output_dir = args
    return run_params_file(path, output_dir=output_dir)


def run_all(jobs: int = 2, output_dir=None, runs=None, progress: bool = True) -> list[RunResult]:
    """Execute every run of the reproduction (each ``notebooks/params/*.yaml``).

    All runs are validated first, so a bad parameter stops everything before any
    kernel starts. Runs execute in a process pool of ``jobs`` workers.

    Parameters
    ----------
    jobs : int
        Parallel worker processes (1 = sequential in this process).
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``).
    runs : list of path-like, optional
        Params files (default :func:`list_runs`).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    list of RunResult
        In the order of ``runs``.

    Raises
    ------
    RuntimeError
        If any run failed; the message lists every failed run and its error.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm.auto import tqdm

    runs = [Path(r) for r in (runs if runs is not None else list_runs())]
    for r in runs:  # validate everything before executing anything
        nb, params = load_params_file(r)
        validate_parameters(nb, params)
    results: dict[Path, RunResult] = {}
    errors: dict[Path, BaseException] = {}
    bar = tqdm(total=len(runs), desc="notebooks", unit="run", disable=not progress)
    if jobs <= 1:
        for r in runs:
            try:
                results[r] = _run_one((r, output_dir))
            except Exception as exc:  # noqa: BLE001 - collect, report all at the end
                errors[r] = exc
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futs = {pool.submit(_run_one, (r, output_dir)): r for r in runs}
            for fut in as_completed(futs):
                r = futs[fut]
                try:
                    results[r] = fut.result()
                except Exception as exc:  # noqa: BLE001 - collected and re-raised below
                    errors[r] = exc
                bar.set_postfix_str(r.stem)
                bar.update()
    bar.close()
    if errors:
        lines = "\n".join(f"  {r.name}: {type(e).__name__}: {str(e)[:500]}"
                          for r, e in errors.items())
        raise RuntimeError(f"{len(errors)} of {len(runs)} runs failed:\n{lines}")
    return [results[r] for r in runs]


# ---------------------------------------------------------------------- refresh


def refresh(notebooks=None, timeout: int = 600) -> list[Path]:
    """Re-execute committed notebooks in place with their default parameters.

    Used before committing so the stored outputs are exactly what a fresh run
    produces (nbval then compares against them). Executes with nbclient in
    ``notebooks/``, kernel ``python3``, without timing metadata, with no output
    directory set (nothing written outside the notebook), and normalises the
    notebook metadata so an unchanged result gives an unchanged file.

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
            client = NotebookClient(
                nb,
                timeout=timeout,
                kernel_name=KERNEL_NAME,
                resources={"metadata": {"path": str(notebooks_dir())}},
                record_timing=False,
            )
            client.execute()
            normalise_notebook(nb)
            nbformat.write(nb, path)
    finally:
        for k, v in env_old.items():
            if v is not None:
                os.environ[k] = v
    return paths


def normalise_notebook(nb) -> None:
    """Strip volatile metadata (timings, papermill records, widget state) in place."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": KERNEL_NAME}
    lang = nb.metadata.get("language_info", {})
    nb.metadata["language_info"] = {"name": lang.get("name", "python")}
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell["id"] = f"cell-{i:02d}"


def describe() -> str:
    """Return a text listing of the notebooks, their parameters and the runs."""
    lines = ["notebooks:"]
    for p in list_notebooks():
        try:
            params = notebook_parameters(p)
            ps = ", ".join(f"{k}={v!r}" for k, v in params.items())
        except NotebookError as exc:
            ps = f"INVALID: {exc}"
        lines.append(f"  {p.stem}: {ps}")
    lines.append("runs (notebooks/params/*.yaml):")
    for r in list_runs():
        try:
            nb, params = load_params_file(r)
            lines.append(f"  {r.stem}: {nb.name} {json.dumps(params, ensure_ascii=False)}")
        except (ParameterError, NotebookError) as exc:
            lines.append(f"  {r.stem}: INVALID: {exc}")
    return "\n".join(lines)
