"""Build ``data/processed/`` from ``data/raw`` (``python -m cluster_research.data``)."""

from __future__ import annotations

from pathlib import Path

from .manifest import (
    data_dir,
    processed_dir,
    update_processed_manifest,
    verify_manifest,
    verify_processed,
)
from .places import regions
from .registry import dataset_spec, datasets, load
from .series import coverage

__all__ = ["build_processed", "main"]


def build_processed(out_dir=None, *, root=None) -> list[Path]:
    """Write the tidy tables to ``data/processed/`` and return their paths.

    Files: one CSV per registered dataset (``processed=True``, see
    :func:`~cluster_research.data.registry.dataset`), ``regions.csv``,
    ``coverage_provincial_panel.csv`` and ``coverage_provincial_economy.csv``.
    UTF-8, LF line endings, NaN written as an empty cell, floats in shortest
    round-trip form, so the output is byte-for-byte reproducible. When written into the
    data directory, their sha256 are recorded in ``processed/MANIFEST.sha256``.

    Parameters
    ----------
    out_dir : path-like, optional
        Target directory (default ``data_dir()/"processed"``); created if needed.

    Raises
    ------
    DataValidationError
        If any raw file fails validation.

    Examples
    --------
    >>> import tempfile
    >>> paths = build_processed(tempfile.mkdtemp())
    >>> sorted(p.name for p in paths)[0]
    'coverage_provincial_economy.csv'
    """
    out = Path(out_dir) if out_dir is not None else processed_dir(root)
    out.mkdir(parents=True, exist_ok=True)
    tables = {name: load(name, root=root) for name in datasets()
              if dataset_spec(name).processed}
    tables["regions"] = regions()
    tables["coverage_provincial_panel"] = coverage(tables["provincial_panel"])
    tables["coverage_provincial_economy"] = coverage(tables["provincial_economy"])
    paths = []
    for name, df in tables.items():
        p = out / f"{name}.csv"
        df.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
        paths.append(p)
    if out.resolve() == processed_dir(root).resolve():
        update_processed_manifest(paths, root)
    return paths


def main(argv=None) -> int:
    """Verify the manifest and rebuild ``data/processed/``, printing what was done.

    Used as ``python -m cluster_research.data`` (e.g. by ``make reproduce``); ``argv`` is
    unused (a conventional entry-point signature). Returns 0; validation errors propagate as
    DataValidationError.
    """
    rels = verify_manifest()
    print(f"verified sha256 of {len(rels)} raw files in {data_dir() / 'raw'}")
    rels = verify_processed()
    print(f"verified sha256 of {len(rels)} processed files in {data_dir() / 'processed'}")
    for p in build_processed():
        n = sum(1 for _ in p.open(encoding="utf-8")) - 1
        print(f"wrote {p.relative_to(data_dir().parent)} ({n} rows)")
    return 0
