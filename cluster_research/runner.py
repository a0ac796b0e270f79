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

A run file may *fan out* one notebook over the regions: ``fanout: {region: all}``
(or a list of regions) expands to one run per region, named
``<notebook stem>/<code>_<English name>`` (e.g. ``06_region_profile/310000_Shanghai``),
each with its own executed notebook, figures and tables::

    notebook: 06_region_profile.ipynb
    fanout:
      region: all
    parameters:
      n_boot: 200

:func:`run_all` validates every expanded run, then executes them in ``jobs``
worker processes with a progress bar. Each worker keeps **one kernel** alive and
reuses it for its runs (start-up of a kernel with pandas, matplotlib and the
package imported costs 3-5 s, more than a region profile itself); before every
run the kernel's namespace is reset (``%reset -f``), its figures closed, the
working directory and output variables set, and the execution counter restarted,
so an executed notebook looks exactly as if a fresh kernel had run it. Imported
modules and the package's data caches are kept (that is the saving). Pass
``reuse_kernels=False`` (CLI ``--fresh-kernels``) for one fresh kernel per run.

Examples
--------
>>> import cluster_research as cr
>>> sorted(cr.runner.notebook_parameters("01_paper_claims"))  # doctest: +SKIP
['lang']
>>> cr.runner.run_notebook("05", {"region": "北京"})          # doctest: +SKIP
"""

from __future__ import annotations

from .errors import ParameterError, NotebookError  # noqa: F401  (re-exported)

import ast
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Job",
    "NotebookError",
    "ParameterError",
    "RunResult",
    "coerce_cli_value",
    "expand_run",
    "list_jobs",
    "list_notebooks",
    "list_runs",
    "load_params_file",
    "mp_context",
    "notebook_parameters",
    "notebooks_dir",
    "output_path",
    "outputs_dir",
    "profile_series",
    "refresh",
    "repo_dir",
    "resolve_notebook",
    "run_all",
    "run_notebook",
    "run_params_file",
    "save_table",
    "start_kernel",
    "validate_parameters",
]

#: Environment variables through which the runner tells the kernel where to write.
ENV_OUTPUT_DIR = "CLUSTER_RESEARCH_OUTPUT_DIR"
ENV_RUN_NAME = "CLUSTER_RESEARCH_RUN"

KERNEL_NAME = "python3"
LANGS = ("zh", "en")
#: Parameter names whose values are region names/codes checked by cr.data.region_code.
REGION_PARAMETERS = ("region", "regions", "compare_regions", "benchmark", "highlight")
#: Parameters whose value must be one of a fixed set.
CHOICE_PARAMETERS = {
    "information": ("realtime", "hindsight"),
    "errors": ("multiplicative", "additive"),
    "interval": ("prediction", "confidence"),
}
#: Parameters holding a list of growth models: all of growth.MODELS, or only the S-curves.
MODEL_LIST_PARAMETERS = {"models": "all", "curve_models": "s-curves"}
#: Parameters holding a calendar year (or a list of years); None is allowed where it is the default.
YEAR_PARAMETERS = ("year", "years", "year_from", "year_to", "through_year", "plot_to_year")
#: Parameters holding indicator ids of the NBS provincial panel (cr.data.PANEL_INDICATORS).
INDICATOR_PARAMETERS = ("indicator", "map_indicator")
#: Parameters holding source ids of data/sources.csv.
SOURCE_LIST_PARAMETERS = ("exclude_source_ids", "sensitivity_exclude")
#: Smallest allowed value of integer count parameters.
MIN_INT_PARAMETERS = {"n_boot": 1, "window": 3, "seed": 0}






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
    ``lang`` is ``"zh"`` or ``"en"``; supplied values are in range
    (:data:`CHOICE_PARAMETERS` such as ``information``, model names, years, panel
    indicator ids, source ids, counts such as ``n_boot``; ``year_from <= year_to``);
    a ``region``/``regions``/``benchmark``/``highlight`` value names a
    known region (via :func:`cluster_research.data.region_code`); ``highlight_districts``
    names Shanghai districts; a ``csv_path`` file is read and checked with
    :func:`profile_series` (so a malformed CSV stops here, before any kernel starts).

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
        a value out of its allowed set or range (the message names the parameter and
        the allowed values), or an unknown district.
    cluster_research.data.DataValidationError
        Unknown region; a ``csv_path`` file that :func:`profile_series` rejects
        (malformed CSV, several regions, no usable series).

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
    problem = _value_problem(parameters, merged)
    if problem:
        raise ParameterError(f"{path.name}: {problem}")
    for name in REGION_PARAMETERS:
        if name in parameters and parameters[name] is not None:
            from . import data

            values = parameters[name]
            for v in values if isinstance(values, (list, tuple)) else [values]:
                data.region_code(v)  # raises DataValidationError naming the region
    if parameters.get("csv_path"):
        profile_series(parameters["csv_path"], str(merged.get("csv_series") or ""))
    if parameters.get("highlight_districts"):
        from .plotting import _match_districts, shanghai_districts

        try:
            _match_districts(shanghai_districts(), parameters["highlight_districts"])
        except ValueError as exc:
            raise ParameterError(f"{path.name}: parameter 'highlight_districts': {exc}") from exc
    return merged


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _value_problem(parameters: dict, merged: dict) -> str | None:
    """Return a message naming the first supplied parameter whose value is invalid."""
    for name, value in parameters.items():
        if name in CHOICE_PARAMETERS and value not in CHOICE_PARAMETERS[name]:
            return (f"parameter {name!r} must be one of {CHOICE_PARAMETERS[name]}, "
                    f"got {value!r}")
        if name in MODEL_LIST_PARAMETERS:
            from .growth import MODELS

            allowed = (MODELS if MODEL_LIST_PARAMETERS[name] == "all"
                       else tuple(m for m in MODELS if m != "exponential"))
            bad = [m for m in _as_list(value) if m not in allowed]
            if bad or not _as_list(value):
                return (f"parameter {name!r}: unknown model(s) {bad} (allowed: "
                        f"{', '.join(allowed)})" if bad else
                        f"parameter {name!r} must name at least one model")
        if name in YEAR_PARAMETERS and value is not None:
            from .data import YEAR_MAX, YEAR_MIN

            for y in _as_list(value):
                if not isinstance(y, int) or isinstance(y, bool) or not YEAR_MIN <= y <= YEAR_MAX:
                    return (f"parameter {name!r}: {y!r} is not a year in "
                            f"{YEAR_MIN}-{YEAR_MAX}")
        if name in MIN_INT_PARAMETERS and value < MIN_INT_PARAMETERS[name]:
            return f"parameter {name!r} must be >= {MIN_INT_PARAMETERS[name]}, got {value!r}"
        if name in INDICATOR_PARAMETERS:
            from .data import PANEL_INDICATORS

            known = list(PANEL_INDICATORS)
            if value not in known:
                import difflib

                close = difflib.get_close_matches(str(value), known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                return (f"parameter {name!r}: unknown indicator {value!r}{hint}; "
                        f"known: {', '.join(known)}")
        if name in SOURCE_LIST_PARAMETERS:
            from .data import sources

            known = set(sources()["source_id"])
            bad = [v for v in _as_list(value) if v not in known]
            if bad:
                return (f"parameter {name!r}: unknown source id(s) {bad} "
                        f"(see data/sources.csv)")
        if name == "break_threshold" and not -1 < value < 0:
            return f"parameter 'break_threshold' must lie in (-1, 0), got {value!r}"
    lo, hi = merged.get("year_from"), merged.get("year_to")
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        return f"year_from ({lo}) is after year_to ({hi})"
    return None


# ------------------------------------------------------------------- own data


def profile_series(path: str | os.PathLike, series: str = ""):
    """Read a researcher's own city file and return the series a region profile fits.

    The file is read by :func:`cluster_research.data.read_csv` (``kind="series"``;
    format in ``data/README.md`` section 5), then reduced to the full-year
    (``period == "FY"``) actual (``qualifier == "exact"``) rows of one series of one
    region; approximate values, lower bounds and targets are never used as actuals.
    Gaps (empty cells) stay NaN and are dropped, not filled.

    Parameters
    ----------
    path : path-like
        The CSV file.
    series : str, default ""
        Series id to use (the file's ``series`` column). ``""``: the file must hold
        exactly one series besides an optional ``ecommerce_firms`` (firm counts).

    Returns
    -------
    pandas.Series
        Year (int) -> value (亿元 for currency units, else the unit as written), name =
        the series id; ``attrs`` hold ``region``, ``unit``, ``path``, ``n_dropped``
        (rows that are not FY exact actuals) and ``gaps`` (years with an empty value).

    Raises
    ------
    cluster_research.data.DataValidationError
        Whatever :func:`~cluster_research.data.read_csv` rejects (naming file, row,
        column and value); several regions; an unknown or ambiguous series; fewer
        than 5 full-year actual values.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "city.csv"
    >>> rows = [f"示例市,{y},{v},亿元" for y, v in zip(range(2015, 2021), [1, 2, 4, 7, 9, 10])]
    >>> _ = p.write_text("region,year,value,unit\\n" + "\\n".join(rows) + "\\n", encoding="utf-8")
    >>> s = profile_series(p)
    >>> s.attrs["region"], len(s), float(s.loc[2017])
    ('示例市', 6, 4.0)
    """
    from . import data, units

    p = Path(path)
    df = data.read_csv(p, kind="series")
    if df.empty:
        raise data.DataValidationError("the file has no data rows", path=p)
    regions = list(dict.fromkeys(df["region"]))
    if len(regions) != 1:
        raise data.DataValidationError(
            f"a region profile needs one region per file, found {len(regions)}: "
            f"{', '.join(map(str, regions))}", path=p, column="region")
    use = df[(df["period"] == "FY") & (df["qualifier"] == "exact")]
    ids = [i for i in dict.fromkeys(use["series"]) if i != "ecommerce_firms"]
    if series:
        if series not in set(use["series"]):
            have = ", ".join(dict.fromkeys(df["series"])) or "(none)"
            raise data.DataValidationError(
                f"series {series!r} has no full-year exact values in the file; series: {have}",
                path=p, column="series", value=series)
        sid = series
    elif len(ids) == 1:
        sid = ids[0]
    else:
        raise data.DataValidationError(
            "choose the series to profile with csv_series= (--series): the file has "
            + (f"{len(ids)} series with full-year exact values: {', '.join(ids)}" if ids
               else "no full-year (period FY) exact values"), path=p, column="series")
    sel = use[use["series"] == sid].sort_values("year")
    dup = sel["year"].duplicated()
    if dup.any():
        y = int(sel.loc[dup, "year"].iloc[0])
        raise data.DataValidationError(
            f"series {sid!r} has several full-year exact values for {y} (different sources); "
            "keep one", path=p, column="year", value=y)
    s = sel.set_index("year")["value"].astype("float64")
    s.index = s.index.astype("int64")
    s.index.name = "year"
    s.name = sid
    gaps = [int(y) for y in s.index[s.isna()]]
    s = s.dropna()
    if len(s) < 5:
        raise data.DataValidationError(
            f"series {sid!r} has {len(s)} full-year exact values; a profile needs at least 5 "
            "(growth models have 2-4 parameters)", path=p, column="value")
    unit = str(sel["unit_original"].iloc[0])
    s.attrs = {"region": str(regions[0]),
               "unit": "亿元" if units.is_currency(unit) else unit,
               "path": str(p), "n_dropped": int(len(df) - len(sel)), "gaps": gaps}
    return s


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
    km=None,
) -> RunResult:
    """Validate parameters, then execute one notebook with papermill.

    Parameters
    ----------
    notebook : str or path-like
        See :func:`resolve_notebook`.
    parameters : dict, optional
        Overrides of the ``parameters`` cell; validated by :func:`validate_parameters`
        before the kernel starts. A relative ``csv_path`` is resolved against the
        current directory (the notebook itself runs in ``notebooks/``).
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``).
    name : str, optional
        Run name; default the notebook stem plus the parameters. May contain ``/``
        (a sub-folder), e.g. ``06_region_profile/310000_Shanghai``.
    timeout : int
        Per-cell timeout in seconds.
    progress_bar : bool
        Show papermill's per-cell progress bar.
    km : jupyter_client.KernelManager, optional
        A running kernel to reuse (see :func:`start_kernel`); its namespace is reset
        and its working directory and output variables set before the run. Default:
        papermill starts and stops a fresh kernel.

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
    if parameters.get("csv_path"):
        parameters["csv_path"] = str(Path(parameters["csv_path"]).expanduser().resolve())
    path = resolve_notebook(notebook)
    validate_parameters(path, parameters)
    out = Path(output_dir) if output_dir is not None else outputs_dir()
    out = out.resolve()
    run_name = name or _default_run_name(path, parameters)
    if not re.fullmatch(r"[\w.\-]+(/[\w.\-]+)*", run_name):
        raise ParameterError(f"run name {run_name!r}: use letters, digits, '_', '-', '.', '/'")
    nb_out = out / "notebooks" / f"{run_name}.ipynb"
    nb_out.parent.mkdir(parents=True, exist_ok=True)
    old = {k: os.environ.get(k) for k in (ENV_OUTPUT_DIR, ENV_RUN_NAME)}
    os.environ[ENV_OUTPUT_DIR] = str(out)
    os.environ[ENV_RUN_NAME] = run_name
    _register_readable_translator()
    extra = {}
    if km is not None:
        _prepare_kernel(km, {ENV_OUTPUT_DIR: str(out), ENV_RUN_NAME: run_name})
        extra["km"] = km
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
            request_save_on_cell_execute=False,  # written once at the end (and on failure)
            **extra,
        )
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seconds = time.perf_counter() - t0
    fig_dir, tab_dir = out / "figures" / run_name, out / "tables" / run_name
    figs = sorted(p for p in fig_dir.glob("*") if p.is_file()) if fig_dir.exists() else []
    tabs = sorted(p for p in tab_dir.glob("*") if p.is_file()) if tab_dir.exists() else []
    return RunResult(run_name, path, nb_out, parameters, out, seconds, figs, tabs)


# ------------------------------------------------------------------ kernel reuse

_PREAMBLE = """\
get_ipython().run_line_magic("reset", "-f")
import os as _cr_os
_cr_os.chdir({cwd!r})
_cr_os.environ.update({env!r})
try:
    import matplotlib.pyplot as _cr_plt
    _cr_plt.close("all")
    del _cr_plt
except ImportError:
    pass
del _cr_os
get_ipython().execution_count = 1
"""


#: Set once this process has started a kernel (its zmq/asyncio state must not be forked).
_KERNEL_STARTED = False


def mp_context():
    """Return the multiprocessing context for worker processes.

    ``fork`` (fast: workers inherit the imported modules) unless this process has
    started a kernel, whose zmq sockets and event loop must not be inherited by a forked
    child; then ``spawn``.
    """
    import multiprocessing as mp

    if _KERNEL_STARTED or "fork" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    return mp.get_context("fork")


def start_kernel():
    """Start a ``python3`` kernel in ``notebooks/`` for reuse by :func:`run_notebook`.

    The kernel runs with IPython's history database disabled (so that restarting the
    execution counter for every notebook is harmless). Shut it down with
    ``km.shutdown_kernel(now=True)``.

    Returns
    -------
    jupyter_client.KernelManager
    """
    from jupyter_client import KernelManager

    global _KERNEL_STARTED
    _KERNEL_STARTED = True
    km = KernelManager(kernel_name=KERNEL_NAME)
    km.start_kernel(cwd=str(notebooks_dir()),
                    extra_arguments=["--HistoryManager.enabled=False"])
    return km


def _prepare_kernel(km, env: dict) -> None:
    """Reset a reused kernel's namespace, figures, directory, output variables and counter."""
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive(
            _PREAMBLE.format(cwd=str(notebooks_dir()), env=env), store_history=False,
            timeout=60, output_hook=lambda msg: None)
        if reply["content"].get("status") != "ok":
            raise NotebookError(f"could not reset the reused kernel: {reply['content']}")
    finally:
        kc.stop_channels()


# ------------------------------------------------------------------------- runs


@dataclass
class Job:
    """One notebook execution of the reproduction, expanded from a run file.

    Attributes
    ----------
    name : str
        Run name: the YAML stem, or ``<notebook stem>/<code>_<English name>`` for a
        fan-out run.
    notebook : pathlib.Path
    parameters : dict
    source : pathlib.Path or None
        The run file it came from.
    """

    name: str
    notebook: Path
    parameters: dict
    source: Path | None = None


_RUN_KEYS = {"notebook", "parameters", "description", "fanout"}


def _read_run_file(path: str | os.PathLike) -> tuple[Path, dict, dict]:
    import yaml

    p = Path(path)
    with p.open(encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    if not isinstance(spec, dict) or "notebook" not in spec:
        raise ParameterError(f"{p}: expected a mapping with keys 'notebook' and 'parameters'")
    unknown = set(spec) - _RUN_KEYS
    if unknown:
        raise ParameterError(f"{p}: unknown keys {sorted(unknown)}; "
                             f"allowed: {', '.join(sorted(_RUN_KEYS))}")
    params = spec.get("parameters") or {}
    if not isinstance(params, dict):
        raise ParameterError(f"{p}: 'parameters' must be a mapping")
    fanout = spec.get("fanout") or {}
    if not isinstance(fanout, dict):
        raise ParameterError(f"{p}: 'fanout' must be a mapping like {{region: all}}")
    bad = set(fanout) - {"region"}
    if bad:
        raise ParameterError(f"{p}: fan-out over {sorted(bad)} is not supported; "
                             "only 'region' (all or a list of regions)")
    nb = spec["notebook"]
    if isinstance(nb, int) and not isinstance(nb, bool):  # YAML reads `notebook: 05` as 5
        nb = f"{nb:02d}"
    return resolve_notebook(str(nb)), params, fanout


def load_params_file(path: str | os.PathLike) -> tuple[Path, dict]:
    """Read a run file ``{notebook: ..., parameters: {...}}`` (optionally ``fanout:``).

    Parameters
    ----------
    path : path-like
        YAML file, e.g. ``notebooks/params/01_paper_claims.yaml``.

    Returns
    -------
    (pathlib.Path, dict)
        The resolved notebook and its parameters (for a fan-out file, the parameters
        shared by all its runs; see :func:`expand_run`).

    Raises
    ------
    ParameterError
        If the file is not a mapping with a ``notebook`` key and a mapping
        ``parameters``, has unknown keys or an unsupported ``fanout``.
    """
    nb, params, _ = _read_run_file(path)
    return nb, params


def _slug(text: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", str(text)).strip("_")


def expand_run(path: str | os.PathLike) -> list[Job]:
    """Expand one run file into its jobs (one, or one per region for ``fanout``).

    ``fanout: {region: all}`` gives one job per region of
    :func:`cluster_research.data.regions` (31, in code order) with parameter
    ``region`` set to the short Chinese name; ``fanout: {region: [北京, Shanghai]}``
    only those. Job names are ``<notebook stem>/<code>_<English name>``.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    list of Job

    Raises
    ------
    ParameterError
        Malformed file, or ``region`` both fanned out and set in ``parameters``.
    cluster_research.data.DataValidationError
        Unknown region in a fan-out list.

    Examples
    --------
    >>> jobs = expand_run(notebooks_dir() / "params" / "06_region_profile.yaml")  # doctest: +SKIP
    >>> len(jobs), jobs[0].name  # doctest: +SKIP
    (31, '06_region_profile/110000_Beijing')
    """
    p = Path(path)
    nb, params, fanout = _read_run_file(p)
    if not fanout:
        return [Job(p.stem, nb, dict(params), p)]
    if "region" in params:
        raise ParameterError(f"{p}: 'region' is fanned out; do not also set it in parameters")
    from . import data

    regs = data.regions()
    want = fanout["region"]
    if want == "all":
        codes = list(regs["code"])
    elif isinstance(want, (list, tuple)) and want:
        codes = [data.region_code(r) for r in want]
    else:
        raise ParameterError(f"{p}: fanout region must be 'all' or a non-empty list")
    by_code = regs.set_index("code")
    return [Job(f"{nb.stem}/{c}_{_slug(by_code.at[c, 'name_en'])}", nb,
                {**params, "region": str(by_code.at[c, "name_zh"])}, p) for c in codes]


def list_jobs(runs=None) -> list[Job]:
    """Expand every run file (default :func:`list_runs`) into jobs, in file order.

    Parameters
    ----------
    runs : list of path-like, optional

    Returns
    -------
    list of Job
    """
    runs = [Path(r) for r in (runs if runs is not None else list_runs())]
    return [j for r in runs for j in expand_run(r)]


def run_params_file(path: str | os.PathLike, output_dir=None, **kwargs) -> RunResult:
    """Run the notebook named in a params YAML, the run named after the file's stem.

    For a fan-out file use :func:`run_all` with ``runs=[path]``.
    """
    nb, params = load_params_file(path)
    return run_notebook(nb, params, output_dir=output_dir, name=Path(path).stem, **kwargs)


def _run_job(job: Job, output_dir, km=None) -> RunResult:
    return run_notebook(job.notebook, job.parameters, output_dir=output_dir, name=job.name,
                        km=km)


def _run_one(args):  # kept for callers of the previous pool implementation
    path, output_dir = args
    return run_params_file(path, output_dir=output_dir)


def _describe_error(exc: BaseException) -> str:
    text = str(exc)
    if type(exc).__name__ == "PapermillExecutionError":
        ename, evalue = getattr(exc, "ename", ""), getattr(exc, "evalue", "")
        text = f"cell {getattr(exc, 'exec_count', '?')}: {ename}: {evalue}"
    return f"{type(exc).__name__}: {text[:800]}"


def _worker(tasks, results, output_dir, reuse) -> None:
    """Worker process: run jobs from ``tasks`` (None = stop), reusing one kernel."""
    km = None
    try:
        while True:
            item = tasks.get()
            if item is None:
                break
            i, job = item
            try:
                if reuse and km is None:
                    km = start_kernel()
                results.put((i, _run_job(job, output_dir, km), None))
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                results.put((i, None, _describe_error(exc)))
                if km is not None:  # never reuse a kernel after a failure
                    km.shutdown_kernel(now=True)
                    km = None
    finally:
        if km is not None:
            km.shutdown_kernel(now=True)


def run_all(jobs: int = 2, output_dir=None, runs=None, progress: bool = True,
            reuse_kernels: bool = True) -> list[RunResult]:
    """Execute every run of the reproduction (each ``notebooks/params/*.yaml``, fanned out).

    All runs are expanded (:func:`expand_run`) and validated first, so a bad
    parameter stops everything before any kernel starts. Runs then execute in
    ``jobs`` worker processes pulling from one queue (fan-out runs after the single
    runs, so long notebooks start first); each worker reuses one kernel unless
    ``reuse_kernels=False`` (see the module docstring).

    Parameters
    ----------
    jobs : int
        Parallel worker processes (1 = sequential in this process).
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``).
    runs : list of path-like, optional
        Params files (default :func:`list_runs`).
    progress : bool
        Show a tqdm progress bar (runs done / total, last run finished).
    reuse_kernels : bool, default True
        One kernel per worker, reset between runs; False = a fresh kernel per run.

    Returns
    -------
    list of RunResult
        In the order of the expanded runs.

    Raises
    ------
    RuntimeError
        If any run failed; the message lists every failed run and its error.
    """
    from tqdm.auto import tqdm

    todo = list_jobs(runs)
    for job in todo:  # validate everything before executing anything
        validate_parameters(job.notebook, job.parameters)
    order = sorted(range(len(todo)), key=lambda i: ("/" in todo[i].name, i))
    results: dict[int, RunResult] = {}
    errors: dict[int, str] = {}
    bar = tqdm(total=len(todo), desc="notebooks", unit="run", disable=not progress)

    def record(i, res, err):
        if err is None:
            results[i] = res
        else:
            errors[i] = err
        bar.set_postfix_str(todo[i].name, refresh=False)
        bar.update()

    if jobs <= 1:
        km = None
        try:
            for i in order:
                try:
                    if reuse_kernels and km is None:
                        km = start_kernel()
                    record(i, _run_job(todo[i], output_dir, km), None)
                except Exception as exc:  # noqa: BLE001 - collect, report all at the end
                    record(i, None, _describe_error(exc))
                    if km is not None:
                        km.shutdown_kernel(now=True)
                        km = None
        finally:
            if km is not None:
                km.shutdown_kernel(now=True)
    else:
        ctx = mp_context()
        tasks, done = ctx.Queue(), ctx.Queue()
        for i in order:
            tasks.put((i, todo[i]))
        n_workers = min(jobs, len(todo))
        for _ in range(n_workers):
            tasks.put(None)
        procs = [ctx.Process(target=_worker, args=(tasks, done, output_dir, reuse_kernels),
                             daemon=False) for _ in range(n_workers)]
        for pr in procs:
            pr.start()
        try:
            import queue

            while len(results) + len(errors) < len(todo):
                try:
                    record(*done.get(timeout=5))
                except queue.Empty:
                    if not any(pr.is_alive() for pr in procs):
                        missing = set(range(len(todo))) - set(results) - set(errors)
                        for i in missing:
                            errors[i] = "worker process died before finishing this run"
                        break
        finally:
            for pr in procs:
                pr.join(timeout=30)
                if pr.is_alive():
                    pr.terminate()
    bar.close()
    if errors:
        lines = "\n".join(f"  {todo[i].name}: {e}" for i, e in sorted(errors.items()))
        raise RuntimeError(f"{len(errors)} of {len(todo)} runs failed:\n{lines}")
    return [results[i] for i in range(len(todo))]


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
            nb, params, fanout = _read_run_file(r)
            fan = f" fanout {json.dumps(fanout, ensure_ascii=False)}" if fanout else ""
            lines.append(f"  {r.stem}: {nb.name} {json.dumps(params, ensure_ascii=False)}{fan}")
        except (ParameterError, NotebookError) as exc:
            lines.append(f"  {r.stem}: INVALID: {exc}")
    return "\n".join(lines)
