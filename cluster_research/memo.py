"""A content-addressed disk cache for expensive, deterministic results.

Some computations are repeated by many runs of the reproduction: the pooled stage model of
the NBS provincial panel (about 30 s in hindsight, minutes in real time) is needed by
notebooks 03, 06 (31 region profiles), 07 and 10. :func:`memoize` stores such a result
once on disk and hands the stored copy to every later call with the same inputs.

The key of a call is ``joblib.hash`` (a content hash of the pickled arguments, so two
equal data frames give the same key) of the function's qualified name, its arguments
(bound to its parameters with the defaults filled in, so ``panel_stages(p)`` and
``panel_stages(p, method="pooled")`` share a key), :func:`code_version` -- the SHA-256 of the
package's code (every ``cluster_research/**`` file except the notebook runner ``pipeline/``)
and of the data manifests
``data/raw/MANIFEST.sha256`` and ``data/processed/MANIFEST.sha256``, and :func:`library_versions` (the installed versions of the
numerical libraries in :data:`LIBRARIES`). Any change to a library module, a raw file, a processed table or a
numerical library therefore gives new keys: a stored result can never outlive the code,
data or libraries that produced it.

Stored results are *data*, never code: a data frame is written as JSON (columns, dtypes,
values -- floats in their shortest exact ``repr`` --, and ``attrs``), enum columns by member
name, a plain value (number, string, list, dict) as JSON. Nothing is unpickled, so a file
dropped into the cache (a shared ``outputs/`` folder, a CI artifact) cannot run code: a file
that is not a well-formed entry is recomputed and replaced. (``joblib.Memory`` was not used
for this reason: it stores pickles.)

Where the cache lives: the environment variable ``CLUSTER_RESEARCH_CACHE_DIR`` if set
(``off`` switches caching off), else ``outputs/.cache`` of the repository. The runner
points it to ``<output dir>/.cache``, so ``rm -rf outputs`` makes the next reproduction
cold. Writes are atomic (temporary file and rename); a blocking ``flock`` per key makes a
second process that asks for the same result wait for the first instead of computing it
twice.

Examples
--------
>>> import tempfile, os
>>> os.environ["CLUSTER_RESEARCH_CACHE_DIR"] = tempfile.mkdtemp()
>>> calls = []
>>> @memoize
... def square(x):
...     calls.append(x)
...     return x * x
>>> square(3), square(3), calls
(9, 9, [3])
>>> del os.environ["CLUSTER_RESEARCH_CACHE_DIR"]
"""

from __future__ import annotations

import enum
import fcntl
import functools
import hashlib
import importlib
import inspect
import json
import math
import os
import tempfile
from importlib import metadata
from pathlib import Path

import joblib
import pandas as pd

from . import data
from .errors import DataValidationError, ParameterError
from .outputs import outputs_dir

__all__ = ["ENUMS", "ENV_CACHE_DIR", "LIBRARIES", "NOT_CODE", "PACKAGE_DIR", "cache_dir",
           "call_key", "code_hash", "code_version", "decode", "encode", "library_versions",
           "memoize"]

#: Environment variable naming the cache directory (``off`` disables the cache).
ENV_CACHE_DIR = "CLUSTER_RESEARCH_CACHE_DIR"

PACKAGE_DIR = Path(__file__).resolve().parent
#: Files of the package that compute no result (the command-line entry point and the report
#: index); ``pipeline/`` is excluded as a whole.
NOT_CODE = frozenset({"__main__.py", "resources/report_index.yaml"})
#: Distributions whose installed version is part of every key (the numerical results depend
#: on them).
LIBRARIES = ("numpy", "scipy", "pandas", "statsmodels", "hmmlearn")
#: Enum classes whose members a stored column may hold (by member name). The class is looked
#: up in this list, never taken from a file.
ENUMS = ("cluster_research.lifecycle.stage.Stage",)


def code_hash() -> str:
    """Hash the package's code and resources that can change a computed result.

    Every file under ``cluster_research/`` except ``__pycache__``, ``pipeline/`` (which
    executes notebooks but computes none of their results) and :data:`NOT_CODE`.

    Returns
    -------
    str
        SHA-256 hex digest.
    """
    h = hashlib.sha256()
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file()
                   and "__pycache__" not in p.parts and p.suffix != ".pyc")
    for p in files:
        rel = p.relative_to(PACKAGE_DIR).as_posix()
        if rel in NOT_CODE or rel.startswith("pipeline/"):
            continue
        h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """Return the SHA-256 of :func:`code_hash` and the data manifest (computed once per process).

    Returns
    -------
    str
    """
    manifest = b"\0".join((data.data_dir() / f / "MANIFEST.sha256").read_bytes()
                           for f in ("raw", "processed"))
    return hashlib.sha256(code_hash().encode() + b"\0" + manifest).hexdigest()


def library_versions() -> dict[str, str]:
    """Return the installed version of each distribution of :data:`LIBRARIES`.

    Returns
    -------
    dict
        ``name -> version`` (``"absent"`` for one that is not installed).
    """
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def cache_dir() -> Path | None:
    """Return the cache directory, or None when caching is off.

    Returns
    -------
    pathlib.Path or None
        ``$CLUSTER_RESEARCH_CACHE_DIR`` (None if it is ``off``, ``0`` or ``none``), else
        ``outputs/.cache`` of the repository.
    """
    env = os.environ.get(ENV_CACHE_DIR)
    if env is not None and env.strip().lower() in {"off", "0", "none", "false"}:
        return None
    return Path(env) if env else outputs_dir() / ".cache"


def call_key(func, args, kwargs) -> str:
    """Return the key of one call: ``joblib.hash`` of name, arguments, code and library versions.

    The arguments are bound to ``func``'s signature and its defaults filled in: calls that
    differ only in spelling (a default given explicitly, a positional argument by name)
    share one key.

    Parameters
    ----------
    func : callable
    args : tuple
    kwargs : dict

    Returns
    -------
    str
    """
    name = f"{func.__module__}.{func.__qualname__}"
    return joblib.hash((name, _bound_arguments(func, args, kwargs), code_version(),
                        library_versions()))


def _bound_arguments(func, args, kwargs) -> tuple:
    """Return the arguments of a call bound to ``func``'s parameters, defaults filled in.

    ``f(x)``, ``f(x, method="pooled")`` and ``f(data=x, method="pooled")`` are one call when
    ``method`` defaults to ``"pooled"``: they get one key. ``**kwargs`` are sorted by name.
    A callable without a signature, or arguments that do not bind, are keyed as given.
    """
    try:
        sig = inspect.signature(func)
        bound = sig.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return (args, sorted(kwargs.items()))
    bound.apply_defaults()
    out = []
    for pname, value in bound.arguments.items():
        if sig.parameters[pname].kind is inspect.Parameter.VAR_KEYWORD:
            value = sorted(value.items())
        out.append((pname, value))
    return tuple(out)


def encode(result) -> str:
    """Return the JSON text that stores ``result`` (the inverse of :func:`decode`).

    Parameters
    ----------
    result : pandas.DataFrame or JSON value
        A data frame with a default ``RangeIndex`` whose cells are numbers, strings, None or
        members of an enum of :data:`ENUMS` (stored by name), and JSON-able ``attrs``; or a number,
        string, list or dict that JSON gives back unchanged.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        For a result that JSON cannot give back unchanged.
    """
    if isinstance(result, pd.DataFrame):
        if not result.index.equals(pd.RangeIndex(len(result))):
            raise ParameterError("memoize stores data frames with a default RangeIndex only")
        enums = {}
        columns = {}
        for col in result.columns:
            values = result[col].tolist()
            members = {f"{type(v).__module__}.{type(v).__qualname__}" for v in values
                       if isinstance(v, enum.Enum)}
            if members:
                if len(members) > 1 or not members <= set(ENUMS):
                    raise ParameterError(f"column {col!r} holds members of {sorted(members)}; "
                                         f"memoize stores those of {ENUMS}")
                enums[col] = members.pop()
                values = [v.name if isinstance(v, enum.Enum) else v for v in values]
            columns[col] = values
        doc = {"kind": "frame", "columns": list(map(str, result.columns)),
               "dtypes": [str(t) for t in result.dtypes], "enums": enums,
               "data": [columns[c] for c in result.columns], "attrs": result.attrs}
    else:
        doc = {"kind": "value", "value": result}
    try:
        text = json.dumps(doc, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"memoize cannot store a {type(result).__name__} as data: "
                             f"{exc}") from exc
    check = json.loads(text)
    back, orig = (check["attrs"], result.attrs) if doc["kind"] == "frame" else (check["value"],
                                                                                 result)
    if not _same(back, orig):
        raise ParameterError(f"memoize cannot store {orig!r} as JSON without changing it")
    return text


def _same(a, b) -> bool:
    """JSON equality that also tells a tuple from a list and keeps NaN equal to itself."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


def decode(text: str):
    """Rebuild a result from the JSON text of :func:`encode`.

    Parameters
    ----------
    text : str

    Returns
    -------
    pandas.DataFrame or JSON value

    Raises
    ------
    DataValidationError
        If ``text`` is not a well-formed entry (not JSON, wrong layout, an enum not in
        :data:`ENUMS`, a member name the enum lacks).
    """
    try:
        doc = json.loads(text)
        if doc["kind"] == "value":
            return doc["value"]
        if doc["kind"] != "frame":
            raise DataValidationError(f"unknown entry kind {doc['kind']!r}")
        columns = dict(zip(doc["columns"], doc["data"], strict=True))
        for col, name in doc["enums"].items():
            if name not in ENUMS:
                raise DataValidationError(f"column {col!r}: {name!r} is not one of {ENUMS}")
            module, _, qualname = name.rpartition(".")
            cls = getattr(importlib.import_module(module), qualname)
            columns[col] = pd.Series([None if v is None else cls[v] for v in columns[col]],
                                     dtype=object)
        frame = pd.DataFrame(columns, columns=doc["columns"]).astype(
            dict(zip(doc["columns"], doc["dtypes"], strict=True)))
        frame.attrs.update(doc["attrs"])
        return frame
    except DataValidationError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataValidationError(f"not a cache entry: {type(exc).__name__}: {exc}") from exc


def memoize(func):
    """Decorate a deterministic function so that its results are stored on disk as data.

    The result of ``func(*args, **kwargs)`` is stored under
    ``<cache_dir>/<func name>/<call_key>.json`` (see :func:`encode`) and read back by later
    calls with equal arguments (see the module docstring for the key and the locking). The
    function must be deterministic (seeded) and return a data frame or a JSON value.
    ``pandas`` objects keep their ``attrs``. ``wrapper.uncached`` is the original function.

    Parameters
    ----------
    func : callable

    Returns
    -------
    callable
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        root = cache_dir()
        if root is None:
            return func(*args, **kwargs)
        folder = root / func.__qualname__
        folder.mkdir(parents=True, exist_ok=True)
        key = call_key(func, args, kwargs)
        path = folder / f"{key}.json"
        with open(folder / f"{key}.lock", "a+", encoding="utf-8") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            if path.is_file():
                try:
                    return decode(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, DataValidationError):
                    path.unlink(missing_ok=True)  # not a well-formed entry: recompute below
            result = func(*args, **kwargs)
            text = encode(result)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            return result

    wrapper.uncached = func
    return wrapper
