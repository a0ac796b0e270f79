"""Build the report of a reproduction: the Sphinx + myst-nb project ``docs/`` over ``outputs/``.

:func:`build_report` refuses runs missing, failed or stale (:func:`.runs.run_problems`) and
absent listed items unless ``allow_incomplete``; links ``docs/`` and ``outputs/{notebooks,
figures,tables}`` into ``outputs/report/src``, writes one page per section of the figure/table
list (:func:`load_index`) and runs Sphinx incrementally into ``outputs/report/html`` -- not at
all when nothing it reads changed (:func:`inputs_key`). The site is checked to load nothing
from the network (:func:`check_offline`) and carries a subset of the package's CJK font.

Examples
--------
>>> [i["id"] for i in load_index()][:3]
['N1', 'T1', 'T36']
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ..errors import ReportError, ReportIncompleteError
from ..outputs import outputs_dir
from .runs import run_problems

__all__ = ["Report", "build_report", "check_offline", "inputs_key", "load_index"]

KINDS = ("notebook", "figure", "table")
_PACKAGE = Path(__file__).resolve().parents[1]
DOCS = _PACKAGE.parent / "docs"
INDEX = _PACKAGE / "resources" / "report_index.yaml"
_TAG = re.compile(r"<(?:script|link|img|iframe|source|video|audio|embed|object|input)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(?:src|href|srcset|poster|data)\s*=\s*["']?([^"'>]+)""", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:@import\s+|url\()\s*['"]?\s*((?:https?:)?//[^'")\s;]+)""", re.IGNORECASE)


def load_index(path: str | os.PathLike | None = None) -> list[dict]:
    """Read the figure/table list, flattened in order, each item with its ``section``.

    Parameters
    ----------
    path : path-like, optional
        Default ``resources/report_index.yaml``.

    Returns
    -------
    list of dict
        Keys ``section``, ``id``, ``kind``, ``run``, ``name`` (None for notebooks), ``title``.

    Raises
    ------
    ReportError
        Missing keys, an unknown kind, a duplicate id, a figure/table without ``name``.

    Examples
    --------
    >>> sorted({i["kind"] for i in load_index()})
    ['figure', 'notebook', 'table']
    """
    p = Path(path or INDEX)
    spec = yaml.safe_load(p.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or not isinstance(spec.get("sections"), list):
        raise ReportError(f"{p}: expected a mapping with a list 'sections'")
    items, seen = [], set()
    for sec in spec["sections"]:
        for it in sec.get("items") or [] if isinstance(sec, dict) and sec.get("title") else [None]:
            if not isinstance(it, dict) or any(not it.get(k) for k in ("id", "kind", "run", "title")):
                raise ReportError(f"{p}: {it} needs a section title, id, kind, run and title")
            if it["kind"] not in KINDS or it["id"] in seen or (it["kind"] != "notebook") != bool(it.get("name")):
                raise ReportError(f"{p}: item {it['id']}: duplicate id, kind not in {KINDS}, "
                                  "or 'name' missing (figure, table) or given (notebook)")
            seen.add(it["id"])
            items.append({"section": sec["title"], "name": it.get("name"),
                          **{k: str(it[k]) for k in ("id", "kind", "run", "title")}})
    return items


def _path(item: dict) -> str:
    """Where an item is, relative to the outputs folder (a glob for a fan-out notebook)."""
    if item["kind"] == "notebook":
        return f"notebooks/{item['run']}.ipynb".replace("*", "[0-9]*")  # user_* runs apart
    return f"{item['kind']}s/{item['run']}/{item['name']}.{'png' if item['kind'] == 'figure' else 'csv'}"


def _section_page(title: str, items: list[dict], missing: list[str], out: Path) -> str:
    """One page of the report: a section of the figure/table list, its runs in a toctree."""
    lines, runs = [f"# {title}", ""], {}
    for it in items:
        label, head = it["id"].lower(), f"{it['id']} · {it['title']}"
        gone = any(m.startswith(f"{it['id']} ") for m in missing)
        if it["kind"] == "notebook":  # a fan-out's pages are titled by their run's name
            lines += [f"({label})=", f"## {head}", "", f"Run `{it['run']}`"
                      + (": *missing from this build*" if gone else ", pages below."), ""]
            found = [p.relative_to(out / "notebooks").with_suffix("").as_posix() for p in sorted(out.glob(_path(it)))]
            runs.update({r: head if r == it["run"] else r for r in found if r not in runs})
        elif gone:
            lines += [f"({label})=", f"**{head}**: *missing from this build* (`{_path(it)}`)", ""]
        elif it["kind"] == "figure":
            lines += [f"```{{figure}} /{_path(it)}", f":name: {label}", "",
                      f"**{head}** · run {{doc}}`{it['run']} </notebooks/{it['run']}>`", "```", ""]
        else:
            lines += [f"```{{csv-table}} {head}", f":file: /display/{it['id']}.csv", ":header-rows: 1",
                      f":name: {label}", ":class: site-table", "```", "",
                      f"Run {{doc}}`{it['run']} </notebooks/{it['run']}>` · {{download}}`csv </{_path(it)}>`", ""]
    return "\n".join([*lines, "```{toctree}", ":maxdepth: 1", "", *(f"{t} </notebooks/{r}>" for r, t in runs.items()), "```", ""])


def inputs_key(out: Path, state: dict) -> str:
    """SHA-256 of what the report reads: ``state`` (problems, missing items) and the content of
    ``docs/``, the package's modules (API), the figure/table list and ``<out>/{notebooks,figures,tables}``."""
    h = hashlib.sha256(json.dumps(state, sort_keys=True).encode())
    roots = [(DOCS, "**/*"), (_PACKAGE, "**/*.py"), (INDEX.parent, INDEX.name)]
    for root, pattern in roots + [(out / sub, "**/*") for sub in ("notebooks", "figures", "tables")]:
        for p in sorted(root.glob(pattern)):
            if p.is_file():
                h.update(f"{p}\0".encode() + p.read_bytes() + b"\0")
    return h.hexdigest()


def check_offline(site_dir: str | os.PathLike) -> list[str]:
    """List every resource of a built site that would be loaded from the network.

    ``http(s)://`` or ``//`` references in the resource attributes of script, link, img, media
    and embedding tags, and in CSS ``url(...)``/``@import``; hyperlinks (``<a href>``) load nothing.

    Parameters
    ----------
    site_dir : path-like

    Returns
    -------
    list of str
        ``"relative/file: reference"``; empty if the site works offline.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.html").write_text('<script src="https://cdn.x/r.js"></script><a href="https://x">x</a>')
    >>> check_offline(d)
    ['a.html: https://cdn.x/r.js']
    """
    found = []
    for path in sorted(p for p in Path(site_dir).rglob("*") if p.suffix.lower() in (".html", ".htm", ".css")):
        text = path.read_text(encoding="utf-8", errors="replace")
        refs = [ref for tag in _TAG.findall(text) for value in _ATTR.findall(tag)
                for ref in (v.strip().split()[0] for v in value.split(",") if v.strip())
                if re.match(r"(?:https?:)?//", ref, re.IGNORECASE)] if path.suffix != ".css" else []
        found += [f"{path.relative_to(site_dir).as_posix()}: {r}" for r in refs + _CSS_URL.findall(text)]
    return found


def _embed_cjk_font(html: Path) -> None:
    """Subset the package's Noto Sans CJK SC to the CJK characters of the pages (``_static/cjk.otf``)."""
    from fontTools import subset

    from ..viz.style import font_path

    chars = {c for p in html.rglob("*.html") for c in p.read_text(encoding="utf-8")
             if 0x2E80 <= ord(c) <= 0x9FFF or 0xFF00 <= ord(c) <= 0xFFEF}
    if chars:
        subset.main([str(font_path()), f"--text={''.join(sorted(chars))}", "--layout-features=*",
                     f"--output-file={html / '_static' / 'cjk.otf'}"])


@dataclass
class Report:
    """Result of :func:`build_report`: the landing page, whether Sphinx ran, what is shown as missing."""

    index: Path
    built: bool
    problems: list
    missing: list

    def __str__(self) -> str:
        flags = [f"{len(self.problems)} run problem(s)"] * bool(self.problems) + [
            f"missing: {', '.join(self.missing)}"] * bool(self.missing) + ["up to date, not rebuilt"] * (not self.built)
        return f"{self.index}" + (f" ({'; '.join(flags)})" if flags else "")


def build_report(output_dir: str | os.PathLike | None = None, jobs: int = 1,
                 allow_incomplete: bool = False) -> Report:
    """Check the reproduction's state, then build the report into ``<output_dir>/report/html``.

    Parameters
    ----------
    output_dir : path-like, optional
        Root of the outputs (default ``outputs/``).
    jobs : int, default 1
        Sphinx worker processes.
    allow_incomplete : bool, default False
        Build even when runs are missing, failed or stale, or listed items are absent; they
        are listed on the landing page (and a failed or stale run's page says so).

    Returns
    -------
    Report

    Raises
    ------
    ReportError
        No executed notebook, no ``docs/``, Sphinx failed, or the site loads from the network.
    ReportIncompleteError
        Runs missing, failed or stale, or listed items absent, and not ``allow_incomplete``.
    """
    out = Path(output_dir or outputs_dir()).resolve()
    if not any((out / "notebooks").glob("**/*.ipynb")) or not (DOCS / "conf.py").is_file():
        raise ReportError(f"no executed notebook in {out / 'notebooks'} (run `python -m "
                          f"cluster_research reproduce`) or no Sphinx project {DOCS}")
    items = load_index()
    missing = [f"{it['id']} ({_path(it)})" for it in items if not any(out.glob(_path(it)))]
    problems = run_problems(out)[0]
    if (problems or missing) and not allow_incomplete:
        raise ReportIncompleteError(
            f"the reproduction in {out} is incomplete:\n  " + "\n  ".join(problems + missing)
            + "\nrun `python -m cluster_research reproduce`, or build with --allow-incomplete",
            problems + missing)
    root, state = out / "report", {"report_problems": problems, "report_missing": missing}
    report = Report(root / "html" / "index.html", False, problems, missing)
    key, stamp = inputs_key(out, state), root / "inputs.sha256"
    if report.index.is_file() and stamp.is_file() and stamp.read_text() == key:
        return report
    src = root / "src"
    for sub in ("sections", "display"):
        (src / sub).mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)  # a build killed half-way is done again
    pages = {src / "sections" / f"{n:02d}.md": _section_page(
        title, [it for it in items if it["section"] == title], missing, out)
        for n, title in enumerate(dict.fromkeys(it["section"] for it in items), 1)}
    for p in [*src.iterdir(), *(src / "sections").iterdir()]:  # pages gone from docs/ or the list
        if (p.is_symlink() and not p.exists()) or (p.parent.name == "sections" and p not in pages):
            p.unlink()
    for page, text in pages.items():  # rewritten only when changed: Sphinx compares times
        if not page.is_file() or page.read_text(encoding="utf-8") != text:
            page.write_text(text, encoding="utf-8")
    for it in (it for it in items if it["kind"] == "table" and (out / _path(it)).is_file()):
        pd.read_csv(out / _path(it)).head(80).to_csv(  # shown: 6 digits, 80 rows
            src / "display" / f"{it['id']}.csv", index=False, float_format="%.6g")
    links = {**{p.name: p for p in DOCS.iterdir() if p.name not in ("conf.py", "_build")},
             "figures": out / "figures", "tables": out / "tables"}
    for name, target in links.items():
        if not (src / name).is_symlink() or (src / name).readlink() != target:
            (src / name).unlink(missing_ok=True)
            (src / name).symlink_to(target)
    for p in (src / "notebooks").rglob("*.ipynb"):  # hard links (Sphinx resolves symbolic ones):
        p.unlink()  # the same files, their times unchanged
    for p in (out / "notebooks").rglob("*.ipynb"):
        (src / p.relative_to(out)).parent.mkdir(parents=True, exist_ok=True)
        os.link(p, src / p.relative_to(out))
    from sphinx.application import Sphinx  # only when something changed
    from sphinx.errors import SphinxError

    warnings = io.StringIO()
    try:
        app = Sphinx(src, DOCS, root / "html", root / "doctrees", "html", confoverrides=state,
                     status=None, warning=warnings, parallel=max(1, jobs))
        app.build()
    except SphinxError as exc:
        raise ReportError(f"Sphinx failed to build {root / 'html'}: {exc}\n{warnings.getvalue()[-3000:]}") from exc
    if app.statuscode:
        raise ReportError(f"Sphinx failed to build {root / 'html'}:\n{warnings.getvalue()[-3000:]}")
    _embed_cjk_font(root / "html")
    if found := check_offline(root / "html"):
        raise ReportError(f"{root / 'html'} loads from the network: {found[:10]}")
    stamp.write_text(key)
    report.built = True
    return report
