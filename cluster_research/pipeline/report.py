"""Build the report of a reproduction: check the runs, then the results site.

After ``python -m cluster_research reproduce`` the executed notebooks sit in
``outputs/notebooks/`` (fan-out runs in sub-folders), figures in ``outputs/figures/`` and
tables in ``outputs/tables/``. :func:`build_report` first reads the run manifest
(:mod:`cluster_research.pipeline.cache`): runs that are missing, failed or stale stop the
build unless ``allow_incomplete``. It then builds the results site
(:mod:`cluster_research.pipeline.site`) into ``outputs/report/``, with the figures, tables
and notebooks of the README's figure/table list in its order (``resources/report_index.yaml``,
see :func:`load_index`).

Examples
--------
>>> from cluster_research.pipeline import report
>>> [i["id"] for i in report.load_index()][:3]
['N1', 'T1', 'F1']
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ReportError, ReportIncompleteError
from ..outputs import outputs_dir
from .runs import run_problems

__all__ = ["KINDS", "Report", "ReportError", "ReportIncompleteError", "build_report",
           "index_path", "load_index", "run_problems"]

KINDS = ("notebook", "figure", "table")
_RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def index_path() -> Path:
    """Return the path of the packaged figure/table list ``resources/report_index.yaml``.

    Returns
    -------
    pathlib.Path
    """
    return _RESOURCES / "report_index.yaml"


def load_index(path: str | os.PathLike | None = None) -> list[dict]:
    """Read the figure/table list, flattened in order, each item with its ``section``.

    Parameters
    ----------
    path : path-like, optional
        Default :func:`index_path`.

    Returns
    -------
    list of dict
        Keys ``section``, ``id``, ``kind``, ``run``, ``name`` (None for notebooks), ``title``.

    Raises
    ------
    ReportError
        Missing keys, an unknown kind, a duplicate id, or a figure/table without ``name``.

    Examples
    --------
    >>> items = load_index()
    >>> sorted({i["kind"] for i in items})
    ['figure', 'notebook', 'table']
    """
    p = Path(path) if path is not None else index_path()
    spec = yaml.safe_load(p.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or not isinstance(spec.get("sections"), list):
        raise ReportError(f"{p}: expected a mapping with a list 'sections'")
    items, seen = [], set()
    for s_no, sec in enumerate(spec["sections"], 1):
        title = sec.get("title") if isinstance(sec, dict) else None
        if not title or not isinstance(sec.get("items"), list):
            raise ReportError(f"{p}: section {s_no} needs 'title' and a list 'items'")
        for it in sec["items"]:
            miss = [k for k in ("id", "kind", "run", "title") if not it.get(k)]
            if miss:
                raise ReportError(f"{p}: item {it} in section {title!r} lacks {miss}")
            if it["kind"] not in KINDS:
                raise ReportError(f"{p}: item {it['id']}: kind must be one of {KINDS}")
            if it["kind"] != "notebook" and not it.get("name"):
                raise ReportError(f"{p}: item {it['id']}: a {it['kind']} needs 'name'")
            if it["id"] in seen:
                raise ReportError(f"{p}: duplicate id {it['id']!r}")
            seen.add(it["id"])
            items.append({"section": title, "id": str(it["id"]), "kind": it["kind"],
                          "run": str(it["run"]), "name": it.get("name"),
                          "title": str(it["title"])})
    return items


@dataclass
class Report:
    """Result of :func:`build_report`.

    Attributes
    ----------
    index : pathlib.Path
        ``index.html``.
    notebooks : list of pathlib.Path
        HTML pages of the executed notebooks (re-rendered only when the notebook is newer).
    missing : list of str
        Ids of listed items whose file does not exist.
    unlisted : list of pathlib.Path
        Outputs not named by the list (linked under "Other outputs").
    problems : list of str
        Runs missing, failed or stale according to the run manifest.
    reused : bool
        True when the site was up to date (its inputs key unchanged) and not rebuilt.
    """

    index: Path
    notebooks: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    unlisted: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    reused: bool = False

    def __fspath__(self) -> str:
        return str(self.index)

    def __str__(self) -> str:
        extra = f"; MISSING: {', '.join(self.missing)}" if self.missing else ""
        inc = f"; INCOMPLETE: {len(self.problems)} run problem(s)" if self.problems else ""
        same = "; up to date, not rebuilt" if self.reused else ""
        return (f"{self.index} ({len(self.notebooks)} pages, "
                f"{len(self.unlisted)} user runs{extra}{inc}{same})")


def build_report(output_dir: str | os.PathLike | None = None, jobs: int = 1,
                 index: str | os.PathLike | None = None,
                 allow_incomplete: bool = False) -> Report:
    """Check the reproduction's state, then build the results site into ``report/``.

    The site (:func:`cluster_research.pipeline.site.build_site`: Sphinx + myst-nb, the
    executed notebooks rendered as stored, a results-first landing page, numbered figures
    and tables, search, API reference, no network resources) replaces the former
    hand-assembled index. Runs that are missing, failed or stale according to the run
    manifest stop the build unless ``allow_incomplete``.

    Parameters
    ----------
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``); the site goes to ``<output_dir>/report``.
    jobs : int, default 1
        Sphinx worker processes.
    index : path-like, optional
        Figure/table list (default :func:`index_path`).
    allow_incomplete : bool, default False
        Build even when runs are missing, failed or stale, or listed items are absent.

    Returns
    -------
    Report
        ``index`` the landing page, ``notebooks`` the pages written, ``missing`` the ids
        of absent items, ``unlisted`` the user runs (their own section), ``problems``.

    Raises
    ------
    ReportError
        If ``<output_dir>/notebooks`` does not exist (nothing was executed).
    ReportIncompleteError
        If runs are missing, failed or stale and ``allow_incomplete`` is False.
    """
    out = (Path(output_dir) if output_dir is not None else outputs_dir()).resolve()
    nb_root = out / "notebooks"
    if not nb_root.is_dir():
        raise ReportError(f"{nb_root} does not exist: run `python -m cluster_research "
                          "reproduce` first")
    problems, _manifest = run_problems(out)
    if problems and not allow_incomplete:
        shown = "\n  ".join(problems[:40])
        raise ReportIncompleteError(
            f"the reproduction in {out} is incomplete ({len(problems)} runs):\n  {shown}\n"
            "run `python -m cluster_research reproduce`, or build anyway with "
            "--allow-incomplete", problems)
    key = site_inputs_key(out, index, allow_incomplete)
    stamp = out / "report" / STAMP_NAME
    previous = _read_stamp(stamp)
    if previous is not None and previous.get("key") == key and Path(previous["index"]).is_file():
        return Report(index=Path(previous["index"]),
                      notebooks=[Path(p) for p in previous["notebooks"]],
                      missing=list(previous["missing"]),
                      unlisted=[Path(p) for p in previous["unlisted"]], problems=problems,
                      reused=True)
    from . import site  # the site pulls in Sphinx: load it only when the site is rebuilt

    res = site.build_site(out, out / "report", index=index, allow_incomplete=allow_incomplete,
                          jobs=jobs, problems=problems)
    report = Report(index=res.index_html, notebooks=[res.site_dir / p for p in res.pages],
                    missing=[m["id"] for m in res.missing], unlisted=list(res.user_runs),
                    problems=problems)
    # keyed after the build: rendering can touch its inputs (the executed notebooks), so the
    # state it leaves is what the next call must find unchanged
    key = site_inputs_key(out, index, allow_incomplete)
    tmp = stamp.with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": key, "index": str(report.index),
                               "notebooks": [str(p) for p in report.notebooks],
                               "missing": report.missing,
                               "unlisted": [str(p) for p in report.unlisted]}, indent=1),
                   encoding="utf-8")
    os.replace(tmp, stamp)
    return report


#: File in ``report/`` holding the inputs key of the last successful site build.
STAMP_NAME = ".inputs.json"


def site_inputs_key(out: Path, index=None, allow_incomplete: bool = False) -> str:
    """Return the SHA-256 of everything the site is built from.

    The content of every file under ``<out>/notebooks``, ``<out>/tables`` and
    ``<out>/figures`` (by relative path), the run records of ``<out>/manifest.json`` (not its
    ``last_reproduce`` summary), the figure/table list,
    the whole package's code (site builder and templates included) and ``allow_incomplete``.
    :func:`build_report` skips the Sphinx build when this key equals the one stored by the last
    successful build, so a reproduction in which nothing changed does not rebuild the site.

    Parameters
    ----------
    out : pathlib.Path
        Root of the outputs.
    index : path-like, optional
        Figure/table list (default :func:`index_path`).
    allow_incomplete : bool

    Returns
    -------
    str
    """
    h = hashlib.sha256()
    manifest = out / "manifest.json"
    if manifest.is_file():
        # the runs' records only: ``last_reproduce`` (which runs the last command executed or
        # reused) changes between two reproductions that change no output
        runs = _read_stamp(manifest) or {}
        h.update(json.dumps(runs.get("runs", runs), sort_keys=True).encode() + b"\0")
    files = []
    for sub in ("notebooks", "tables", "figures"):
        if (out / sub).is_dir():
            files += sorted(p for p in (out / sub).rglob("*") if p.is_file())
    for p in files:
        h.update(p.relative_to(out).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    idx = Path(index) if index is not None else index_path()
    h.update(b"index\0" + (idx.read_bytes() if idx.is_file() else b"") + b"\0")
    pkg = Path(__file__).resolve().parents[1]
    for p in sorted(q for q in pkg.rglob("*") if q.is_file() and "__pycache__" not in q.parts):
        h.update(p.relative_to(pkg).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(b"incomplete" if allow_incomplete else b"complete")
    return h.hexdigest()


def _read_stamp(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
