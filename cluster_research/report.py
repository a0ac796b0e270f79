"""Render the HTML report of a reproduction: notebooks with code hidden, and an index page.

After ``python -m cluster_research reproduce`` the executed notebooks sit in
``outputs/notebooks/`` (fan-out runs in sub-folders), figures in ``outputs/figures/`` and
tables in ``outputs/tables/``. :func:`build_report` converts every executed notebook to
HTML with nbconvert's ``HTMLExporter(exclude_input=True)`` (code hidden, outputs and prose
kept, figures embedded) into ``outputs/report/notebooks/`` and writes
``outputs/report/index.html``, which links

1. the figures, tables and notebooks of the README's figure/table list, in its order
   (the list is data: ``cluster_research/resources/report_index.yaml``, see
   :func:`load_index`); an item whose file is missing is shown as **missing**;
   a listed notebook's row also links its run's figures and tables that the list does not
   name one by one (e.g. the variant runs of notebooks 02-04);
2. every run of a fanned-out notebook (e.g. the 31 region profiles) as one table;
3. any other output, so nothing is hidden.

Examples
--------
>>> from cluster_research import report
>>> [i["id"] for i in report.load_index()][:3]
['N1', 'T1', 'F1']
>>> report.build_report()          # doctest: +SKIP
PosixPath('.../outputs/report/index.html')
"""

from __future__ import annotations

from .errors import ReportError  # noqa: F401  (re-exported)

import html
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Report", "ReportError", "build_report", "index_path", "load_index", "render_notebook"]

KINDS = ("notebook", "figure", "table")




def index_path() -> Path:
    """Return the path of the packaged figure/table list ``resources/report_index.yaml``."""
    return Path(__file__).resolve().parent / "resources" / "report_index.yaml"


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
    import yaml

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
        HTML files written (one per executed notebook).
    missing : list of str
        Ids of listed items whose file does not exist.
    unlisted : list of pathlib.Path
        Outputs not named by the list (linked under "Other outputs").
    """

    index: Path
    notebooks: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    unlisted: list = field(default_factory=list)

    def __fspath__(self) -> str:
        return str(self.index)

    def __str__(self) -> str:
        extra = f"; MISSING: {', '.join(self.missing)}" if self.missing else ""
        return (f"{self.index} ({len(self.notebooks)} notebooks rendered, "
                f"{len(self.unlisted)} unlisted outputs{extra})")


_EXPORTER = None


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
    global _EXPORTER
    import nbformat
    from nbconvert import HTMLExporter

    if _EXPORTER is None:
        _EXPORTER = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                                 exclude_output_prompt=True)
    nb = nbformat.read(src, as_version=4)
    body, _ = _EXPORTER.from_notebook_node(nb, resources={"metadata": {"name": Path(src).stem}})
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(body, encoding="utf-8")
    return dest


def _render_pair(args):
    return render_notebook(*args)


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def build_report(output_dir: str | os.PathLike | None = None, jobs: int = 1,
                 index: str | os.PathLike | None = None) -> Report:
    """Render every executed notebook to HTML and write ``report/index.html``.

    Parameters
    ----------
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``); the report goes to ``<output_dir>/report``.
    jobs : int, default 1
        Processes converting notebooks in parallel.
    index : path-like, optional
        Figure/table list (default :func:`index_path`).

    Returns
    -------
    Report
        ``str(report)`` summarises it; ``report.missing`` lists absent items.

    Raises
    ------
    ReportError
        If ``<output_dir>/notebooks`` does not exist (nothing was executed), or the list
        is malformed.
    """
    from . import runner

    out = Path(output_dir) if output_dir is not None else runner.outputs_dir()
    out = out.resolve()
    nb_root = out / "notebooks"
    if not nb_root.is_dir():
        raise ReportError(f"{nb_root} does not exist: run `python -m cluster_research "
                          "reproduce` first")
    items = load_index(index)
    rep = out / "report"
    rep.mkdir(parents=True, exist_ok=True)
    runs = sorted(p.relative_to(nb_root).with_suffix("").as_posix()
                  for p in nb_root.rglob("*.ipynb"))
    pairs = [(nb_root / f"{r}.ipynb", rep / "notebooks" / f"{r}.html") for r in runs]
    if jobs > 1 and len(pairs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs, mp_context=runner.mp_context()) as pool:
            written = list(pool.map(_render_pair, pairs, chunksize=4))
    else:
        written = [render_notebook(s, d) for s, d in pairs]

    def nb_links(run: str) -> str:
        h = rep / "notebooks" / f"{run}.html"
        return (f'<a href="{html.escape(_rel(h, rep))}">report</a> · '
                f'<a href="{html.escape(_rel(nb_root / f"{run}.ipynb", rep))}">ipynb</a>')

    used: set[Path] = set()
    named = {(it["run"], it["name"]) for it in items if it["name"]}
    missing: list[str] = []
    body: list[str] = []
    section = None
    for it in items:
        if it["section"] != section:
            if section is not None:
                body.append("</table>")
            section = it["section"]
            body.append(f"<h2>{html.escape(section)}</h2>\n<table>")
        cell, ok = "", True
        if it["kind"] == "notebook" and it["run"].endswith("/*"):
            stem = it["run"][:-2]
            group = [r for r in runs if r.startswith(stem + "/")]
            ok = bool(group)
            cell = f"{len(group)} runs — see the table “{html.escape(stem)}” below"
        elif it["kind"] == "notebook":
            ok = it["run"] in runs
            cell = nb_links(it["run"]) if ok else ""
            # this run's figures and tables that the list does not name one by one
            extra = [f for sub, ext in (("figures", "png"), ("tables", "csv"))
                     for f in sorted((out / sub / it["run"]).glob(f"*.{ext}"))
                     if (it["run"], f.stem) not in named]
            used.update(extra)
            used.update(f.with_suffix(".svg") for f in extra if f.suffix == ".png")
            if ok and extra:
                cell += "<br><small>also: " + " · ".join(
                    f'<a href="{html.escape(_rel(f, rep))}">{html.escape(f.name)}</a>'
                    for f in extra) + "</small>"
        else:
            sub = "figures" if it["kind"] == "figure" else "tables"
            exts = ("png", "svg") if it["kind"] == "figure" else ("csv",)
            files = [out / sub / it["run"] / f"{it['name']}.{e}" for e in exts]
            present = [f for f in files if f.exists()]
            used.update(present)
            ok = bool(present)
            links = " · ".join(f'<a href="{html.escape(_rel(f, rep))}">{f.suffix[1:]}</a>'
                               for f in present)
            if it["kind"] == "figure" and files[0].exists():
                links = (f'<a href="{html.escape(_rel(files[0], rep))}"><img src="'
                         f'{html.escape(_rel(files[0], rep))}" loading="lazy"></a><br>' + links)
            cell = f"{links} <small>({html.escape(it['run'])})</small>"
        if not ok:
            missing.append(it["id"])
            cell = f'<span class="missing">missing ({html.escape(it["run"])})</span>'
        body.append(f'<tr><td class="id">{html.escape(it["id"])}</td>'
                    f'<td>{html.escape(it["title"])}</td><td>{cell}</td></tr>')
    if section is not None:
        body.append("</table>")

    # fanned-out notebooks: one table per notebook, one row per run
    groups = sorted({r.split("/")[0] for r in runs if "/" in r})
    for g in groups:
        body.append(f"<h2>{html.escape(g)}: every run</h2>\n<table>")
        for r in (r for r in runs if r.startswith(g + "/")):
            figs = sorted((out / "figures" / r).glob("*.png"))
            tabs = sorted((out / "tables" / r).glob("*.csv"))
            used.update(figs)
            used.update(tabs)
            used.update((out / "figures" / r).glob("*.svg"))
            fl = " · ".join(f'<a href="{html.escape(_rel(f, rep))}">{html.escape(f.stem)}</a>'
                            for f in figs + tabs)
            body.append(f"<tr><td>{html.escape(r.split('/', 1)[1])}</td><td>{nb_links(r)}</td>"
                        f"<td>{fl}</td></tr>")
        body.append("</table>")

    listed_runs = {it["run"] for it in items if it["kind"] == "notebook"}
    other_nbs = [r for r in runs if "/" not in r and r not in listed_runs]
    files = [f for sub in ("figures", "tables") if (out / sub).exists()
             for f in sorted((out / sub).rglob("*")) if f.is_file()]
    unlisted = [f for f in files if f not in used]
    if other_nbs or unlisted:
        body.append("<h2>Other outputs</h2>\n<ul>")
        body += [f"<li>{html.escape(r)}: {nb_links(r)}</li>" for r in other_nbs]
        body += [f'<li><a href="{html.escape(_rel(f, rep))}">{html.escape(_rel(f, out))}</a></li>'
                 for f in unlisted]
        body.append("</ul>")

    note = (f'<p class="missing">Missing items: {", ".join(missing)}</p>' if missing else "")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>cluster_research — reproduction report</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }}
td {{ border-bottom: 1px solid #ddd; padding: 0.35em 0.5em; vertical-align: top; }}
td.id {{ font-weight: bold; white-space: nowrap; }}
img {{ max-width: 320px; border: 1px solid #eee; }}
.missing {{ color: #b00; font-weight: bold; }}
</style></head><body>
<h1>cluster_research — reproduction report</h1>
<p>Figures, tables and executed notebooks of the reproduction of
<em>上海电子商务产业集群推进策略研究</em> and its extension to the 31 provincial-level regions,
in the order of the README's figure/table list. Notebook pages show outputs and prose with
the code hidden; the executed notebooks (ipynb) contain the code.
{len(runs)} executed notebooks.</p>
{note}
{chr(10).join(body)}
</body></html>
"""
    idx = rep / "index.html"
    idx.write_text(page, encoding="utf-8")
    return Report(idx, written, missing, unlisted)
