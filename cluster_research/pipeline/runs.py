"""Run files of the reproduction (``notebooks/params/*.yaml``), their fan-out and run names.

One run is one YAML file::

    notebook: 05_strategy_indicators.ipynb
    parameters:
      region: 上海

``fanout: {region: all}`` (or a list of regions) expands one file to one run per region,
named ``<run file stem>/<code>_<English name>`` (e.g. ``06_region_profile/310000_Shanghai``).

A run owns the folder of its name: no run name may be a path prefix of another (``09_x``
and ``09_x/330000_Zhejiang``), see :func:`check_not_nested`.

Examples
--------
>>> from cluster_research.pipeline import runs
>>> runs.slug("Inner Mongolia")
'Inner_Mongolia'
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import data
from ..errors import ParameterError
from . import cache
from .notebooks import list_runs, resolve_notebook

__all__ = ["Job", "check_not_nested", "check_run_name", "default_run_name", "expand_run",
           "list_jobs", "load_params_file", "nested_names", "read_run_file", "read_yaml",
           "run_problems", "slug"]

_RUN_KEYS = {"notebook", "parameters", "description", "fanout"}
_RUN_NAME = re.compile(r"[\w\-][\w.\-]*(/[\w\-][\w.\-]*)*")


@dataclass
class Job:
    """One run: name (the run file's stem, ``<stem>/<code>_<name>`` in a fan-out), notebook,
    parameters and the run file it came from."""

    name: str
    notebook: Path
    parameters: dict
    source: Path | None = None


def slug(text: str) -> str:
    """Turn text into a file-name part (runs of other characters become ``_``).

    Examples
    --------
    >>> slug("my city (2024)")
    'my_city_2024'
    """
    return re.sub(r"[^\w.\-]+", "_", str(text)).strip("_").lstrip(".")


def check_run_name(name: str) -> str:
    """Return ``name`` if it stays inside ``outputs/``: letters, digits, ``_-.``, ``/`` between
    parts, no part starting with ``.``; else raise :class:`ParameterError`.

    Examples
    --------
    >>> check_run_name("06_region_profile/310000_Shanghai")
    '06_region_profile/310000_Shanghai'
    """
    if not isinstance(name, str) or not _RUN_NAME.fullmatch(name) or len(name) > 200:
        raise ParameterError(
            f"run name {name!r}: use letters, digits, '_', '-', '.' and '/' between parts "
            "(no part starting with '.'), at most 200 characters; a run cannot leave outputs/")
    return name


def nested_names(names) -> list[tuple[str, str]]:
    """Return the sorted pairs ``(a, b)`` of run names with ``b`` inside ``a``'s folder.

    Examples
    --------
    >>> nested_names(["09_x", "09_x/330000_Zhejiang", "09_xy/1"])
    [('09_x', '09_x/330000_Zhejiang')]
    """
    s = sorted(set(names))
    return [(a, b) for a in s for b in s if b.startswith(a + "/")]


def check_not_nested(names, existing=()) -> None:
    """Refuse a run ``a`` (in ``names``, about to run) beside a run ``a/b`` (in ``names`` or
    ``existing``) or the reverse: they would share ``tables/a/`` and ``figures/a/``.

    Examples
    --------
    >>> check_not_nested(["06_region_profile"], ["06_region_profile/310000_Shanghai"])
    Traceback (most recent call last):
    ...
    cluster_research.errors.ParameterError: run '06_region_profile' and run '06_region_profile/310000_Shanghai' would share the folder 06_region_profile/ ...
    """
    names = set(names)
    if bad := [(a, b) for a, b in nested_names(names | set(existing)) if a in names or b in names]:
        pairs = "; ".join(f"run {a!r} and run {b!r} would share the folder {a}/" for a, b in bad)
        raise ParameterError(
            f"{pairs} (a run name may not be the folder of another run): choose another run "
            "name (--name) or delete the other run's outputs (notebooks/, tables/, figures/)")


def default_run_name(path: Path, parameters: dict) -> str:
    """Return the notebook stem plus the sorted parameters (at most 150 characters), e.g.
    ``04_figure1_parks__highlight_districts-嘉定区_宝山区__lang-en``."""
    if not parameters:
        return path.stem
    tag = "__".join(f"{k}-{slug(v)}" for k, v in sorted(parameters.items()))
    return f"{path.stem}__{tag}"[:150]


#: Largest parameters file (or command-line value) read as YAML, in characters.
MAX_YAML_CHARS = 100_000


def load_yaml(text: str, source: str):
    """Parse YAML parameters as plain data, refusing what could expand or run code.

    ``yaml.safe_load`` after a scan of the event stream (linear in the text) that refuses
    aliases (``*name``: a few hundred bytes of nested aliases -- a "billion laughs" -- expand
    to 10⁹ items) and tags without a safe constructor (``!!python/object:...``). The text
    itself is bounded by :data:`MAX_YAML_CHARS`, so what is parsed is bounded too.

    ``source`` names the file or parameter in the :class:`ParameterError` (too long, not
    YAML, an alias or an unsafe tag, with the line).

    Examples
    --------
    >>> load_yaml("years: [2010, 2011]", "example")
    {'years': [2010, 2011]}
    >>> load_yaml("{a: &x [1], b: *x}", "example")
    Traceback (most recent call last):
    ...
    cluster_research.errors.ParameterError: example, line 1: YAML alias *x refused: ...
    """
    if len(text) > MAX_YAML_CHARS:
        raise ParameterError(f"{source}: {len(text):,} characters or more; parameters are "
                             f"limited to {MAX_YAML_CHARS:,}")
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            where = f"{source}, line {event.start_mark.line + 1}"
            if isinstance(event, yaml.AliasEvent):
                raise ParameterError(
                    f"{where}: YAML alias *{event.anchor} refused: parameters are plain data; "
                    "write the values out (aliases let a few bytes expand to billions of items)")
            tag = getattr(event, "tag", None)
            if tag not in (None, "!") and tag not in yaml.SafeLoader.yaml_constructors:
                raise ParameterError(f"{where}: YAML tag {tag!r} refused: parameters are plain "
                                     "data (no Python objects or other tags)")
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{source}: not valid YAML: {exc}") from exc


def read_yaml(path: str | os.PathLike):
    """Read a user's YAML file as plain data (:func:`load_yaml`); :class:`ParameterError`
    if it cannot be read or for its content."""
    p = Path(path)
    try:
        with open(p, encoding="utf-8") as f:
            text = f.read(MAX_YAML_CHARS + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{p}: cannot read the parameters file ({exc})") from exc
    return load_yaml(text, str(p))


def read_run_file(path: str | os.PathLike) -> tuple[Path, dict, dict]:
    """Read and check a run file; return its notebook, parameters and fan-out.

    Raises
    ------
    ParameterError
        Unreadable or malformed file, unknown keys, unsupported fan-out.
    """
    p = Path(path)
    spec = read_yaml(p)
    if not isinstance(spec, dict) or "notebook" not in spec:
        raise ParameterError(f"{p}: expected a mapping with keys 'notebook' and 'parameters'")
    if unknown := set(spec) - _RUN_KEYS:
        raise ParameterError(f"{p}: unknown keys {sorted(unknown)}; "
                             f"allowed: {', '.join(sorted(_RUN_KEYS))}")
    params = spec.get("parameters") or {}
    if not isinstance(params, dict):
        raise ParameterError(f"{p}: 'parameters' must be a mapping")
    fanout = spec.get("fanout") or {}
    if not isinstance(fanout, dict):
        raise ParameterError(f"{p}: 'fanout' must be a mapping like {{region: all}}")
    bad = set(fanout) - {"region", "city"}
    if bad or len(fanout) > 1:
        raise ParameterError(f"{p}: fan-out over {sorted(fanout)} is not supported; "
                             "only one of 'region' (all or a list of regions) or 'city' (a "
                             "list of cities or counties)")
    nb = spec["notebook"]
    if isinstance(nb, int) and not isinstance(nb, bool):  # YAML reads `notebook: 05` as 5
        nb = f"{nb:02d}"
    return resolve_notebook(str(nb)), params, fanout


def load_params_file(path: str | os.PathLike) -> tuple[Path, dict]:
    """Return the notebook and parameters of a run file (a fan-out's shared parameters)."""
    nb, params, _ = read_run_file(path)
    return nb, params


def expand_run(path: str | os.PathLike) -> list[Job]:
    """Expand one run file into its jobs (one, or one per region or city for ``fanout``).

    ``fanout: {region: all}`` gives one job per region of
    :func:`cluster_research.data.regions` (31, in code order) with parameter
    ``region`` set to the short Chinese name; ``fanout: {region: [北京, Shanghai]}``
    only those. Job names are ``<run file stem>/<code>_<English name>``.
    ``fanout: {city: [义乌, 深圳]}`` gives one job per city or county
    (:func:`cluster_research.data.places.resolve_place`), parameter ``city`` as written,
    job names ``<run file stem>/<GB/T 2260 code>_<canonical name>``.

    Raises
    ------
    ParameterError
        Malformed file, or ``region`` both fanned out and set in ``parameters``.
    cluster_research.data.DataValidationError
        Unknown region in a fan-out list.
    """
    p = Path(path)
    nb, params, fanout = read_run_file(p)
    if not fanout:
        return [Job(check_run_name(p.stem), nb, dict(params), p)]
    if "city" in fanout:  # any city or county the resolver knows; jobs <run file>/<code>_<name>
        want = fanout["city"]
        if "city" in params or not isinstance(want, (list, tuple)) or not want:
            raise ParameterError(f"{p}: fanout city must be a non-empty list (and 'city' not "
                                 "also set in parameters)")
        found = [data.places.resolve_place(c, parameter="city") for c in want]
        return [Job(f"{p.stem}/{f.code}_{slug(f.name)}", nb, {**params, "city": str(c)}, p)
                for c, f in zip(want, found)]
    if "region" in params:
        raise ParameterError(f"{p}: 'region' is fanned out; do not also set it in parameters")
    regs = data.regions()
    want = fanout["region"]
    if want == "all":
        codes = list(regs["code"])
    elif isinstance(want, (list, tuple)) and want:
        codes = [data.region_code(r) for r in want]
    else:
        raise ParameterError(f"{p}: fanout region must be 'all' or a non-empty list")
    by_code = regs.set_index("code")
    stem = check_run_name(p.stem)
    return [Job(f"{stem}/{c}_{slug(by_code.at[c, 'name_en'])}", nb,
                {**params, "region": str(by_code.at[c, "name_zh"])}, p) for c in codes]


def list_jobs(runs=None) -> list[Job]:
    """Expand run files (default :func:`list_runs`) into jobs, in file order;
    :class:`ParameterError` for a name defined twice or the folder of another."""
    runs = [Path(r) for r in (runs if runs is not None else list_runs())]
    jobs = [j for r in runs for j in expand_run(r)]
    names = [j.name for j in jobs]
    if dup := sorted({n for n in names if names.count(n) > 1}):
        raise ParameterError(f"runs defined twice: {', '.join(dup)}")
    check_not_nested(names)
    return jobs


def run_problems(output_dir: str | os.PathLike, runs=None) -> tuple[list[str], dict]:
    """Return one line per missing, failed or stale run (default every run file), and
    the manifest."""
    out = Path(output_dir)
    manifest = cache.read_manifest(out)
    env = cache.environment_key()
    problems = []
    for job in list_jobs(runs):
        rec = manifest["runs"].get(job.name, {})
        err = f"failed ({rec.get('error', '')[:200]})"
        if not (out / "notebooks" / f"{job.name}.ipynb").exists():
            problems.append(f"{job.name}: " + (err if rec.get("status") == "failed"
                                              else f"missing (never run into {out})"))
        elif rec.get("status") != "ok":
            problems.append(f"{job.name}: {err}; the outputs shown are from an earlier run")
        else:
            now = cache.input_hashes(job.notebook, job.parameters, env)
            changed = [k for k, v in now.items() if rec.get("inputs", {}).get(k) != v]
            if changed:
                problems.append(f"{job.name}: stale ({', '.join(changed)} changed since it ran)")
    return problems, manifest
