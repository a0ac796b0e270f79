"""The run manifest: one record per run (status, inputs, key, files) and the outputs lock.

``<outputs>/manifest.json`` records, per run name, ``status`` (``ok`` or ``failed``), the
hashes of its ``inputs`` (notebook cells, parameters, :func:`environment_key`), their
combined ``key``, the wall time, when it finished, its output ``files`` and any ``error``.
A run whose record is ``ok`` with an unchanged key and all of whose files exist is reused.
The environment key is the only key definition: the package code (every
``cluster_research/**`` file but those of :data:`NOT_RESULTS`, which compute no result),
the data manifests and the installed versions of :data:`LIBRARIES`; so an
edited module, a changed data file or an upgraded numerical library re-executes every run.

Examples
--------
>>> from cluster_research.pipeline import cache
>>> len(cache.environment_key())
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
from importlib import metadata
from pathlib import Path

from .. import data
from ..errors import ReproductionLockedError

__all__ = ["LIBRARIES", "NOT_RESULTS", "environment_key", "input_hashes", "outputs_lock",
           "read_manifest", "run_key", "update_manifest", "write_manifest"]

#: Distributions whose installed version can change a notebook's outputs.
LIBRARIES = ("numpy", "scipy", "pandas", "statsmodels", "hmmlearn", "matplotlib", "papermill",
             "nbformat")
#: Files (path prefixes) of the package that execute notebooks or build the report only.
NOT_RESULTS = ("pipeline/", "__main__.py", "resources/site/", "resources/report_index.yaml")
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def library_versions() -> dict[str, str]:
    """Return ``{name: installed version}`` for :data:`LIBRARIES` (``"absent"`` if missing)."""
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def environment_key() -> str:
    """Return the SHA-256 of the package code, the data manifests and the library versions."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE_DIR.rglob("*")):
        rel = p.relative_to(PACKAGE_DIR).as_posix()
        if p.is_file() and "__pycache__" not in p.parts and not rel.startswith(NOT_RESULTS):
            h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
    for folder in ("raw", "processed"):
        h.update((data.data_dir() / folder / "MANIFEST.sha256").read_bytes() + b"\0")
    h.update(json.dumps(library_versions(), sort_keys=True).encode())
    return h.hexdigest()


def input_hashes(notebook, parameters: dict, environment: str | None = None) -> dict:
    """Return the hashes of what one run depends on.

    Parameters
    ----------
    notebook : path-like
        Its cell types, sources and tags count (outputs and metadata do not).
    parameters : dict
    environment : str, optional
        :func:`environment_key` (the same for every run; computed when not given).

    Returns
    -------
    dict
        Keys ``notebook``, ``parameters``, ``environment``.
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = [[c.get("cell_type"), "".join(c.get("source", "")),
              sorted(c.get("metadata", {}).get("tags", []))] for c in nb.get("cells", [])]
    return {"notebook": _sha(json.dumps(cells, ensure_ascii=False).encode()),
            "parameters": _sha(json.dumps(parameters, sort_keys=True, ensure_ascii=False,
                                          default=str).encode()),
            "environment": environment or environment_key()}


def run_key(hashes: dict) -> str:
    """Combine the :func:`input_hashes` of a run into its key (SHA-256)."""
    return _sha(json.dumps(hashes, sort_keys=True).encode())


def read_manifest(output_dir: str | os.PathLike) -> dict:
    """Read ``<output_dir>/manifest.json``: ``{"runs": {name: record}}``, empty when absent."""
    try:
        m = json.loads((Path(output_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"runs": {}}
    return m if isinstance(m.get("runs"), dict) else {"runs": {}}


def write_manifest(output_dir: str | os.PathLike, manifest: dict) -> None:
    """Write the manifest atomically (temporary file, then rename); unchanged text is not
    rewritten, so an unchanged manifest keeps its modification time."""
    out = Path(output_dir)
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    path = out / "manifest.json"
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".manifest-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def update_manifest(output_dir, name: str, *, status: str, hashes: dict, seconds: float,
                    notebook: str, parameters: dict, error: str | None = None,
                    files: list[str] | None = None) -> None:
    """Record one finished run (``status`` ``"ok"`` or ``"failed"``) in the manifest."""
    m = read_manifest(output_dir)
    m["runs"][name] = {
        "status": status, "inputs": hashes, "key": run_key(hashes),
        "seconds": round(float(seconds), 3), "notebook": notebook, "parameters": parameters,
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        **({"error": error} if error else {}), **({"files": files} if files is not None else {})}
    write_manifest(output_dir, m)


@contextlib.contextmanager
def outputs_lock(output_dir: str | os.PathLike):
    """Hold an exclusive ``flock`` on ``<output_dir>/.lock`` (released when the process ends).

    Raises
    ------
    ReproductionLockedError
        If another process holds it (the message names its pid).
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            raise ReproductionLockedError(
                f"{out} is in use by another reproduction (pid {f.read().strip() or '?'}); "
                "wait for it to finish or use another --output-dir") from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        yield out / ".lock"
