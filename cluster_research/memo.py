"""A content-addressed disk cache for expensive, deterministic results.

Some computations are repeated by many runs of the reproduction: the pooled stage model of
the NBS provincial panel (about 30 s in hindsight, minutes in real time) is needed by
notebooks 03, 06 (31 region profiles), 07 and 10. :func:`memoize` stores such a result
once on disk and hands the stored copy to every later call with the same inputs.

The key of a call is ``joblib.hash`` (a content hash of the pickled arguments, so two
equal data frames give the same key) of the function's qualified name, its arguments
(bound to its parameters with the defaults filled in, so ``panel_stages(p)`` and
``panel_stages(p, method="pooled")`` share a key) and :func:`code_version` -- the SHA-256 of the package's code (every ``cluster_research/**``
file except the notebook runner ``pipeline/``) and of the data manifests
``data/raw/MANIFEST.sha256`` and ``data/processed/MANIFEST.sha256``. Any change to a library
module, a raw file or a processed table therefore gives
new keys: a stored result can never outlive the code or data that produced it.

Where the cache lives: the environment variable ``CLUSTER_RESEARCH_CACHE_DIR`` if set
(``off`` switches caching off), else ``outputs/.cache`` of the repository. The runner
points it to ``<output dir>/.cache``, so ``rm -rf outputs`` makes the next reproduction
cold. Writes are atomic (temporary file and rename); a blocking ``flock`` per key makes a
second process that asks for the same result wait for the first instead of computing it
twice. A stored file that cannot be read is recomputed and replaced.

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

import fcntl
import functools
import hashlib
import inspect
import os
import pickle
import tempfile
from pathlib import Path

import joblib

from . import data
from .outputs import outputs_dir

__all__ = ["ENV_CACHE_DIR", "NOT_CODE", "PACKAGE_DIR", "cache_dir", "call_key", "code_hash", "code_version", "memoize"]

#: Environment variable naming the cache directory (``off`` disables the cache).
ENV_CACHE_DIR = "CLUSTER_RESEARCH_CACHE_DIR"

PACKAGE_DIR = Path(__file__).resolve().parent
#: Files of the package that compute no result (the runner re-exports and the report
#: index); ``pipeline/`` is excluded as a whole.
NOT_CODE = frozenset({"runner.py", "report.py", "__main__.py", "resources/report_index.yaml"})


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
    """Return the key of one call: ``joblib.hash`` of name, arguments and code version.

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
    return joblib.hash((name, _bound_arguments(func, args, kwargs), code_version()))


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


def memoize(func):
    """Decorate a deterministic function so that its results are stored on disk.

    The result of ``func(*args, **kwargs)`` is stored under
    ``<cache_dir>/<func name>/<call_key>.pkl`` and read back by later calls with equal
    arguments (see the module docstring for the key and the locking). The function must
    be deterministic (seeded) and its result picklable. ``pandas`` objects keep their
    ``attrs``. ``wrapper.uncached`` is the original function.

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
        path = folder / f"{key}.pkl"
        with open(folder / f"{key}.lock", "a+", encoding="utf-8") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            if path.is_file():
                try:
                    with open(path, "rb") as f:
                        return pickle.load(f)
                except (OSError, EOFError, pickle.UnpicklingError, AttributeError,
                        ImportError):
                    path.unlink(missing_ok=True)  # unreadable: recompute below
            result = func(*args, **kwargs)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            return result

    wrapper.uncached = func
    return wrapper
