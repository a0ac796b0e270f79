"""Paths of ``data/``, the sha256 manifests of ``data/raw`` and ``data/processed``, sources.

Every raw file is hashed each time it is parsed and compared with
``data/raw/MANIFEST.sha256``; parsed tables are cached per process and rebuilt
when a file's size or modification time changes. The processed tables that are read
(``data/processed/taobao/*.csv``, built from raw by tools a run does not need) are
checked in the same way against ``data/processed/MANIFEST.sha256``, which lists every
processed file and is rewritten by the builders for the files they wrote
(:func:`update_processed_manifest`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from ..errors import DataValidationError
from .parsing import check_header, csv_rows, decode_utf8

__all__ = ["SOURCES_HEADER", "cached_table", "data_dir", "processed_dir", "read_manifest",
           "read_processed", "read_raw", "resolve_root", "shipped_rows", "sources",
           "update_processed_manifest", "verify_manifest", "verify_processed"]

SOURCES_HEADER = ["source_id", "publisher", "title", "url", "table", "date", "terms", "notes"]
_SHA_RE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
_MANIFEST_CACHE: dict = {}
_TABLE_CACHE: dict = {}


def data_dir() -> Path:
    """Return the repository's ``data/`` directory.

    Resolved from the package location (``<repo>/data``), or from the
    environment variable ``CLUSTER_RESEARCH_DATA_DIR`` when it is set.

    Examples
    --------
    >>> (data_dir() / "raw" / "MANIFEST.sha256").is_file()
    True
    """
    env = os.environ.get("CLUSTER_RESEARCH_DATA_DIR")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2] / "data"


def resolve_root(root=None) -> Path:
    """Return ``root`` as a Path, or :func:`data_dir` when it is None.

    Examples
    --------
    >>> resolve_root() == data_dir()
    True
    """
    return data_dir() if root is None else Path(root)


def processed_dir(root=None) -> Path:
    """Return ``<data>/processed``, the tidy tables built from raw (``root``: :func:`data_dir`).

    Examples
    --------
    >>> processed_dir().name
    'processed'
    """
    return resolve_root(root) / "processed"


def read_manifest(root, folder: str = "raw") -> dict[str, str]:
    """Return ``{relative path: sha256}`` from ``<root>/<folder>/MANIFEST.sha256``.

    Raises
    ------
    DataValidationError
        Missing or unreadable manifest, a malformed or duplicate line.

    Examples
    --------
    >>> "hand_collected/series.csv" in read_manifest(data_dir())
    True
    """
    mpath = Path(root) / folder / "MANIFEST.sha256"
    try:
        st = mpath.stat()
        key = (str(mpath), st.st_size, st.st_mtime_ns)
    except OSError:
        raise DataValidationError("checksum manifest not found", path=mpath) from None
    hit = _MANIFEST_CACHE.get(str(mpath))
    if hit is not None and hit[0] == key:
        return hit[1]
    try:
        text = mpath.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"cannot read manifest: {exc}", path=mpath) from None
    out: dict[str, str] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = _SHA_RE.match(line)
        if not m:
            raise DataValidationError(
                "manifest line is not '<sha256>  <path>'", path=mpath, row=i, value=line)
        if m.group(2) in out:
            raise DataValidationError("duplicate manifest entry", path=mpath, row=i, value=line)
        out[m.group(2)] = m.group(1)
    _MANIFEST_CACHE[str(mpath)] = (key, out)
    return out


def read_raw(rel: str, root) -> bytes:
    """Read ``<root>/raw/<rel>`` and check its sha256 against ``raw/MANIFEST.sha256``.

    Raises
    ------
    DataValidationError
        File not listed, unreadable, or its hash differs (both hashes named).

    Examples
    --------
    >>> read_raw("hand_collected/series.csv", data_dir())[:6]
    b'series'
    """
    return _read_checked(Path(root), "raw", rel,
                         "the raw file differs from the one recorded in raw/MANIFEST.sha256")


def _read_checked(root: Path, folder: str, rel: str, why: str) -> bytes:
    """Read ``<root>/<folder>/<rel>`` and check its sha256 against that folder's manifest."""
    man = read_manifest(root, folder)
    path = root / folder / rel
    if rel not in man:
        raise DataValidationError(f"file is not listed in {folder}/MANIFEST.sha256", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataValidationError(f"cannot read {folder} file: {exc.strerror}", path=path) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != man[rel]:
        raise DataValidationError(f"sha256 mismatch: expected {man[rel]}, actual {actual} "
                                  f"({why})", path=path)
    return data


def read_processed(rel: str, root=None) -> bytes:
    """Read ``<root>/processed/<rel>`` and check its sha256 against the processed manifest.

    Raises
    ------
    DataValidationError
        File not listed, unreadable, or changed since it was built (both hashes named;
        rebuild it from raw with the builder named in ``data/README.md``).

    Examples
    --------
    >>> read_processed("taobao/taobao_counts.csv")[:4]
    b'year'
    """
    return _read_checked(resolve_root(root), "processed", rel,
                         "the processed table differs from the one built from raw; rebuild it, "
                         "e.g. cluster_research.data.taobao.build_taobao()")


def _verify(root, folder: str) -> list[str]:
    r = resolve_root(root)
    rels = sorted(read_manifest(r, folder))
    for rel in rels:
        (read_raw if folder == "raw" else read_processed)(rel, r)
    return rels


def verify_manifest(root=None) -> list[str]:
    """Check every file listed in ``raw/MANIFEST.sha256``; return their paths, sorted.

    Raises
    ------
    DataValidationError
        On the first missing or changed file (names the file and both hashes).

    Examples
    --------
    >>> len(verify_manifest()) > 10
    True
    """
    return _verify(root, "raw")


def verify_processed(root=None) -> list[str]:
    """Check every file listed in ``processed/MANIFEST.sha256``, as :func:`verify_manifest`.

    Examples
    --------
    >>> "taobao/taobao_villages.csv" in verify_processed()
    True
    """
    return _verify(root, "processed")


def update_processed_manifest(paths, root=None) -> Path:
    """Record the sha256 of freshly built processed files; keep the other entries.

    Parameters
    ----------
    paths : iterable of path-like
        Files under ``<root>/processed/`` just written by a builder from raw.

    Returns
    -------
    pathlib.Path
        The manifest (sorted ``<sha256>  <path>`` lines, as ``sha256sum`` writes them).
    """
    r = resolve_root(root)
    base = (r / "processed").resolve()
    mpath = base / "MANIFEST.sha256"
    try:
        entries = dict(read_manifest(r, "processed"))
    except DataValidationError:
        if mpath.exists():
            raise
        entries = {}
    for p in map(Path, paths):
        rel = p.resolve().relative_to(base).as_posix()
        entries[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    mpath.write_text("".join(f"{h}  {rel}\n" for rel, h in sorted(entries.items())),
                     encoding="utf-8")
    return mpath


def cached_table(name: str, root, rels, build):
    """Return ``build()``, cached until a file of ``rels`` (under raw/) changes.

    Parameters
    ----------
    name : str
        Cache key (with the resolved root).
    root : path-like
        Data directory.
    rels : list of str
        Files relative to ``raw/`` whose size and mtime stamp the cache
        (the manifest is always included).
    build : callable
        Zero-argument function returning the table.

    Returns
    -------
    object
        The cached table (callers return a copy).

    Examples
    --------
    >>> cached_table("demo", data_dir(), [], lambda: 42)
    42
    """
    root = Path(root)
    stamp = []
    for rel in list(rels) + ["MANIFEST.sha256"]:
        p = root / "raw" / rel
        try:
            st = p.stat()
            stamp.append((rel, st.st_size, st.st_mtime_ns))
        except OSError:
            stamp.append((rel, None, None))
    key = (str(root.resolve()), name)
    hit = _TABLE_CACHE.get(key)
    if hit is not None and hit[0] == tuple(stamp):
        return hit[1]
    table = build()
    _TABLE_CACHE[key] = (tuple(stamp), table)
    return table


def sources(*, root=None):
    """Return the source register ``data/sources.csv``, one row per source.

    Returns
    -------
    pandas.DataFrame
        Columns source_id, publisher, title, url, table, date, terms, notes
        (all str). Every ``source_id`` used by a loaded table is a row here.

    Raises
    ------
    DataValidationError
        If the file is missing, malformed or has duplicate ids.

    Examples
    --------
    >>> sources().set_index("source_id").loc["paper", "title"]
    '上海电子商务产业集群推进策略研究'
    """
    import pandas as pd

    path = resolve_root(root) / "sources.csv"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataValidationError(f"cannot read: {exc.strerror}", path=path) from None
    out, ids = [], set()
    for ln, f in _rows_after_header(decode_utf8(data, path), path, SOURCES_HEADER):
        if not re.match(r"^[a-z0-9_]+$", f[0]) or f[0] in ids:
            raise DataValidationError(
                "source_id empty, not [a-z0-9_] or duplicate",
                path=path, row=ln, column="source_id", value=f[0])
        ids.add(f[0])
        out.append(f)
    return pd.DataFrame(out, columns=SOURCES_HEADER)


def shipped_rows(rel: str, root, header):
    """Return ``(path, rows)`` of the shipped CSV ``raw/<rel>`` after its header.

    The bytes are checked against ``raw/MANIFEST.sha256`` and decoded as UTF-8, the header
    must be ``header`` exactly, and each row of ``rows`` (``(line_number, fields)``, as
    :func:`csv_rows`) must have as many fields.

    Raises
    ------
    DataValidationError
        Changed or non-UTF-8 file, empty file, another header, or a row with another number
        of fields (naming the line).

    Examples
    --------
    >>> from cluster_research.data import data_dir
    >>> path, rows = shipped_rows("nbs_major_cities_gdp/major_cities_gdp_1999_2017_long.csv",
    ...                           data_dir(), ["city", "year", "gdp_yi_yuan"])
    >>> next(rows)[0]
    2
    """
    path = root / "raw" / rel
    return path, _rows_after_header(decode_utf8(read_raw(rel, root), path), path, header)


def _rows_after_header(text: str, path, header):
    rows = csv_rows(text, path)
    first = next(rows, None)
    if first is None:
        raise DataValidationError("empty file", path=path)
    check_header(first[1], path, expected=header)

    def checked():
        for ln, f in rows:
            if len(f) != len(header):
                raise DataValidationError(f"expected {len(header)} fields, got {len(f)}",
                                          path=path, row=ln)
            yield ln, f

    return checked()
