"""Render the HTML report of a reproduction: notebooks with code hidden, and an index page.

After ``python -m cluster_research reproduce`` the executed notebooks sit in
``outputs/notebooks/`` (fan-out runs in sub-folders), figures in ``outputs/figures/`` and
tables in ``outputs/tables/``. :func:`build_report` converts every executed notebook to
HTML with nbconvert's ``HTMLExporter(exclude_input=True)`` into
``outputs/report/notebooks/`` and renders ``outputs/report/index.html`` from the Jinja2
template ``resources/report_index.html.j2``. The index lists

0. at the top, the runs that are missing, failed or stale according to the run manifest
   (:mod:`cluster_research.pipeline.cache`), and which runs the last reproduction reused;
1. the figures, tables and notebooks of the README's figure/table list, in its order
   (``resources/report_index.yaml``, see :func:`load_index`); an absent item is **missing**;
2. every run of a fanned-out notebook (e.g. the 31 region profiles) as one table;
3. any other output, so nothing is hidden.

Examples
--------
>>> from cluster_research.pipeline import report
>>> [i["id"] for i in report.load_index()][:3]
['N1', 'T1', 'F1']
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ReportError, ReportIncompleteError
from ..outputs import outputs_dir
from . import cache
from .runs import list_jobs

__all__ = ["KINDS", "Report", "ReportError", "ReportIncompleteError", "build_report",
           "index_path", "load_index", "render_notebook", "run_problems", "template_path"]

KINDS = ("notebook", "figure", "table")
_RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def index_path() -> Path:
    """Return the path of the packaged figure/table list ``resources/report_index.yaml``.

    Returns
    -------
    pathlib.Path
    """
    return _RESOURCES / "report_index.yaml"


def template_path() -> Path:
    """Return the path of the Jinja2 template of the index page.

    Returns
    -------
    pathlib.Path
    """
    return _RESOURCES / "report_index.html.j2"


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
    """

    index: Path
    notebooks: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    unlisted: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def __fspath__(self) -> str:
        return str(self.index)

    def __str__(self) -> str:
        extra = f"; MISSING: {', '.join(self.missing)}" if self.missing else ""
        inc = f"; INCOMPLETE: {len(self.problems)} run problem(s)" if self.problems else ""
        return (f"{self.index} ({len(self.notebooks)} notebooks rendered, "
                f"{len(self.unlisted)} unlisted outputs{extra}{inc})")


_EXPORTER: list = []


def render_notebook(src: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Convert one executed notebook to HTML with the code cells hidden.

    Parameters
    ----------
    src : path-like
        ``.ipynb`` file.
    dest : path-like
        ``.html`` file (parent created).

    Returns
    -------
    pathlib.Path
    """
    import nbformat
    from nbconvert import HTMLExporter  # heavy; only when rendering

    if not _EXPORTER:
        _EXPORTER.append(HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                                      exclude_output_prompt=True))
    nb = nbformat.read(src, as_version=4)
    body, _ = _EXPORTER[0].from_notebook_node(nb, resources={"metadata": {"name": Path(src).stem}})
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(body, encoding="utf-8")
    return dest


def _render_pair(args):
    return render_notebook(*args)


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def run_problems(output_dir: str | os.PathLike, runs=None) -> tuple[list[str], dict]:
    """List the runs of the reproduction that are missing, failed or stale.

    Parameters
    ----------
    output_dir : path-like
    runs : list of path-like, optional
        Run files (default every ``notebooks/params/*.yaml``).

    Returns
    -------
    (list of str, dict)
        One line per problem, and the manifest.
    """
    out = Path(output_dir)
    manifest = cache.read_manifest(out)
    recs = manifest["runs"]
    shared = {"data": cache.data_hash(), "code": cache.code_hash()}
    problems = []
    for job in list_jobs(runs):
        rec = recs.get(job.name)
        if rec is None or not (out / "notebooks" / f"{job.name}.ipynb").exists():
            if rec is not None and rec.get("status") == "failed":
                problems.append(f"{job.name}: failed ({rec.get('error', '')[:200]})")
            else:
                problems.append(f"{job.name}: missing (never run into {out})")
        elif rec.get("status") != "ok":
            problems.append(f"{job.name}: failed ({rec.get('error', '')[:200]}); the outputs "
                            "shown are from an earlier run")
        elif rec.get("key") != cache.run_key(cache.input_hashes(job.notebook, job.parameters,
                                                                  shared)):
            changed = [k for k, v in cache.input_hashes(job.notebook, job.parameters,
                                                        shared).items()
                       if rec.get("inputs", {}).get(k) != v]
            problems.append(f"{job.name}: stale ({', '.join(changed)} changed since it ran)")
    return problems, manifest


def build_report(output_dir: str | os.PathLike | None = None, jobs: int = 1,
                 index: str | os.PathLike | None = None,
                 allow_incomplete: bool = False) -> Report:
    """Render every executed notebook to HTML and write ``report/index.html``.

    Parameters
    ----------
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``); the report goes to ``<output_dir>/report``.
    jobs : int, default 1
        Processes converting notebooks in parallel.
    index : path-like, optional
        Figure/table list (default :func:`index_path`).
    allow_incomplete : bool, default False
        Build even when runs are missing, failed or stale (they are listed at the top).

    Returns
    -------
    Report
        ``str(report)`` summarises it; ``report.missing`` lists absent items,
        ``report.problems`` the run problems.

    Raises
    ------
    ReportError
        If ``<output_dir>/notebooks`` does not exist (nothing was executed), or the list
        is malformed.
    ReportIncompleteError
        If runs are missing, failed or stale and ``allow_incomplete`` is False.
    """
    import jinja2

    out = (Path(output_dir) if output_dir is not None else outputs_dir()).resolve()
    nb_root = out / "notebooks"
    if not nb_root.is_dir():
        raise ReportError(f"{nb_root} does not exist: run `python -m cluster_research "
                          "reproduce` first")
    problems, manifest = run_problems(out)
    if problems and not allow_incomplete:
        shown = "\n  ".join(problems[:40])
        raise ReportIncompleteError(
            f"the reproduction in {out} is incomplete ({len(problems)} runs):\n  {shown}\n"
            "run `python -m cluster_research reproduce`, or build anyway with "
            "--allow-incomplete", problems)
    items = load_index(index)
    rep = out / "report"
    rep.mkdir(parents=True, exist_ok=True)
    runs = sorted(p.relative_to(nb_root).with_suffix("").as_posix()
                  for p in nb_root.rglob("*.ipynb"))
    pairs = [(nb_root / f"{r}.ipynb", rep / "notebooks" / f"{r}.html") for r in runs]
    # an HTML page newer than its executed notebook is kept (a reused run is not re-rendered)
    todo = [(s, d) for s, d in pairs
            if not d.exists() or d.stat().st_mtime_ns < s.stat().st_mtime_ns]
    if jobs > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(_render_pair, todo, chunksize=4))
    else:
        for s, d in todo:
            render_notebook(s, d)
    written = [d for _, d in pairs]

    def nb_links(run: str) -> list:
        return [(_rel(rep / "notebooks" / f"{run}.html", rep), "report"),
                (_rel(nb_root / f"{run}.ipynb", rep), "ipynb")]

    used: set[Path] = set()
    named = {(it["run"], it["name"]) for it in items if it["name"]}
    missing: list[str] = []
    sections: list[dict] = []
    for it in items:
        if not sections or sections[-1]["title"] != it["section"]:
            sections.append({"title": it["section"], "rows": []})
        row = {"id": it["id"], "title": it["title"], "run": it["run"], "kind": it["kind"],
               "links": [], "also": [], "img": None, "group": None}
        if it["kind"] == "notebook" and it["run"].endswith("/*"):
            stem = it["run"][:-2]
            group = [r for r in runs if r.startswith(stem + "/")]
            row.update(ok=bool(group), group=len(group), stem=stem)
        elif it["kind"] == "notebook":
            row["ok"] = it["run"] in runs
            row["links"] = nb_links(it["run"]) if row["ok"] else []
            extra = [f for sub, ext in (("figures", "png"), ("tables", "csv"))
                     for f in sorted((out / sub / it["run"]).glob(f"*.{ext}"))
                     if (it["run"], f.stem) not in named]
            used.update(extra)
            used.update(f.with_suffix(".svg") for f in extra if f.suffix == ".png")
            row["also"] = [(_rel(f, rep), f.name) for f in extra]
        else:
            sub = "figures" if it["kind"] == "figure" else "tables"
            exts = ("png", "svg") if it["kind"] == "figure" else ("csv",)
            files = [out / sub / it["run"] / f"{it['name']}.{e}" for e in exts]
            present = [f for f in files if f.exists()]
            used.update(present)
            row["ok"] = bool(present)
            row["links"] = [(_rel(f, rep), f.suffix[1:]) for f in present]
            if it["kind"] == "figure" and files[0].exists():
                row["img"] = _rel(files[0], rep)
        if not row["ok"]:
            missing.append(it["id"])
        sections[-1]["rows"].append(row)

    last = manifest.get("last_reproduce") or {}
    reused = set(last.get("reused", []))
    groups = []
    for g in sorted({r.split("/")[0] for r in runs if "/" in r}):
        rows = []
        for r in (r for r in runs if r.startswith(g + "/")):
            figs = sorted((out / "figures" / r).glob("*.png"))
            tabs = sorted((out / "tables" / r).glob("*.csv"))
            used.update(figs + tabs)
            used.update((out / "figures" / r).glob("*.svg"))
            rows.append({"label": r.split("/", 1)[1], "nb": nb_links(r), "reused": r in reused,
                         "files": [(_rel(f, rep), f.stem) for f in figs + tabs]})
        groups.append({"name": g, "rows": rows})

    listed_runs = {it["run"] for it in items if it["kind"] == "notebook"}
    other_nbs = [(r, nb_links(r)) for r in runs if "/" not in r and r not in listed_runs]
    files = [f for sub in ("figures", "tables") if (out / sub).exists()
             for f in sorted((out / sub).rglob("*")) if f.is_file()]
    unlisted = [f for f in files if f not in used]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_path().parent)),
                             autoescape=True, keep_trailing_newline=True)
    page = env.get_template(template_path().name).render(
        problems=problems, n_runs=len(runs), last=last, missing=missing, sections=sections,
        groups=groups, other_nbs=other_nbs,
        unlisted=[(_rel(f, rep), _rel(f, out)) for f in unlisted])
    idx = rep / "index.html"
    idx.write_text(page, encoding="utf-8")
    return Report(idx, written, missing, unlisted, problems)
