"""The run manifest: each run's status, inputs' content hashes and time; reuse and lock.

``<outputs>/manifest.json`` records, per run name, ``status`` (``ok`` or ``failed``), the
SHA-256 of what the run depends on — its notebook's cell sources, its parameters, the
data manifests ``data/raw/MANIFEST.sha256`` and ``data/processed/MANIFEST.sha256`` and the
package's code — the combined ``key``,
the wall time, when it finished and the run's output files. A run whose recorded status
is ``ok``, whose key is unchanged and whose executed notebook and output files all exist
is *reused* (not executed again): a changed
run file re-executes that run only; a changed raw file or library module re-executes
every run. The manifest is written atomically (temporary file + rename) and only by the
process holding the outputs lock (:func:`outputs_lock`).

The package-code hash covers every ``cluster_research/**/*.py`` and resource file except
the pipeline itself (``pipeline/``, which executes notebooks but computes none of their
results), the report index and template, and the compatibility modules ``runner.py``,
``report.py`` and ``__main__.py`` that only re-export; use ``--force`` after changing how
notebooks are executed.

Examples
--------
>>> from cluster_research.pipeline import cache
>>> len(cache.parameters_hash({"region": "上海"}))
64
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from pathlib import Path

from .. import data, memo
from ..errors import ReproductionLockedError

__all__ = ["MANIFEST_NAME", "code_hash", "data_hash", "input_hashes", "notebook_hash",
           "outputs_lock", "parameters_hash", "read_manifest", "run_key", "update_manifest",
           "write_manifest"]

MANIFEST_NAME = "manifest.json"


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def notebook_hash(path: str | os.PathLike) -> str:
    """Hash a notebook's cell types and sources (outputs and metadata do not count).

    Parameters
    ----------
    path : path-like

    Returns
    -------
    str
        SHA-256 hex digest.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [[c.get("cell_type"), "".join(c.get("source", "")), sorted(
        c.get("metadata", {}).get("tags", []))] for c in nb.get("cells", [])]
    return _sha(json.dumps(cells, ensure_ascii=False).encode())


def parameters_hash(parameters: dict) -> str:
    """Hash a run's parameters (sorted JSON).

    Parameters
    ----------
    parameters : dict

    Returns
    -------
    str
    """
    return _sha(json.dumps(parameters, sort_keys=True, ensure_ascii=False, default=str).encode())


def data_hash() -> str:
    """Hash the data manifests ``data/raw/MANIFEST.sha256`` and ``data/processed/MANIFEST.sha256``.

    Both are checked against their files (raw files when parsed, the processed tables a
    run reads when loaded, and all of them by ``reproduce``), so a changed raw file or
    processed table changes the key of every run.

    Returns
    -------
    str
    """
    d = data.data_dir()
    return _sha(b"\0".join((d / f / "MANIFEST.sha256").read_bytes()
                           for f in ("raw", "processed")))


def code_hash() -> str:
    """Hash the package's code and the numerical libraries that can change a notebook's outputs.

    :func:`cluster_research.memo.code_hash` and :func:`cluster_research.memo.library_versions`
    (both also key the result cache): an upgrade of numpy, scipy, pandas, statsmodels or
    hmmlearn makes every run out of date.

    Returns
    -------
    str
    """
    versions = json.dumps(memo.library_versions(), sort_keys=True)
    return _sha(f"{memo.code_hash()}\0{versions}".encode())


def input_hashes(notebook, parameters: dict, shared: dict | None = None) -> dict:
    """Return the hashes of everything one run depends on.

    Parameters
    ----------
    notebook : path-like
    parameters : dict
    shared : dict, optional
        Precomputed ``{"data": ..., "code": ...}`` (the same for every run).

    Returns
    -------
    dict
        Keys ``notebook``, ``parameters``, ``data``, ``code``.
    """
    shared = shared or {"data": data_hash(), "code": code_hash()}
    return {"notebook": notebook_hash(notebook), "parameters": parameters_hash(parameters),
            "data": shared["data"], "code": shared["code"]}


def run_key(hashes: dict) -> str:
    """Combine input hashes into one key.

    Parameters
    ----------
    hashes : dict

    Returns
    -------
    str
    """
    return _sha(json.dumps(hashes, sort_keys=True).encode())


def read_manifest(output_dir: str | os.PathLike) -> dict:
    """Read ``<output_dir>/manifest.json``; empty when absent or unreadable.

    Parameters
    ----------
    output_dir : path-like

    Returns
    -------
    dict
        ``{"runs": {name: record}}``.
    """
    p = Path(output_dir) / MANIFEST_NAME
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"runs": {}}
    return m if isinstance(m.get("runs"), dict) else {"runs": {}}


def write_manifest(output_dir: str | os.PathLike, manifest: dict) -> Path:
    """Write the manifest atomically (temporary file, then rename).

    Parameters
    ----------
    output_dir : path-like
    manifest : dict

    Returns
    -------
    pathlib.Path
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".manifest-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(tmp, out / MANIFEST_NAME)
    return out / MANIFEST_NAME


def update_manifest(output_dir: str | os.PathLike, name: str, *, status: str, hashes: dict,
                    seconds: float, notebook: str, parameters: dict,
                    error: str | None = None, files: list[str] | None = None) -> None:
    """Record one finished run in the manifest.

    Parameters
    ----------
    output_dir : path-like
    name : str
        Run name.
    status : {"ok", "failed"}
    hashes : dict
        From :func:`input_hashes`.
    seconds : float
    notebook : str
        Notebook file name.
    parameters : dict
    error : str, optional
    files : list of str, optional
        The run's output files, relative to ``output_dir`` (a run is reused only while
        all of them exist).
    """
    m = read_manifest(output_dir)
    m["runs"][name] = {
        "status": status, "inputs": hashes, "key": run_key(hashes),
        "seconds": round(float(seconds), 3), "notebook": notebook, "parameters": parameters,
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        **({"error": error} if error else {}),
        **({"files": list(files)} if files is not None else {}),
    }
    write_manifest(output_dir, m)


@contextlib.contextmanager
def outputs_lock(output_dir: str | os.PathLike):
    """Hold an exclusive lock on an outputs directory (``<output_dir>/.lock``, flock).

    Parameters
    ----------
    output_dir : path-like

    Yields
    ------
    pathlib.Path
        The lock file.

    Raises
    ------
    ReproductionLockedError
        If another process holds it (the message names its pid). The lock ends with its
        process, however that process ends.
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / ".lock"
    f = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "?"
            raise ReproductionLockedError(
                f"{out} is in use by another reproduction (pid {holder}); wait for it to "
                "finish or use another --output-dir") from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        yield path
    finally:
        f.close()
