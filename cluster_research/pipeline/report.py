"""Build the report of a reproduction: the Sphinx + myst-nb project ``docs/`` over ``outputs/``.

:func:`build_report` refuses runs missing, failed or stale (:func:`.runs.run_problems`) and
absent listed items unless ``allow_incomplete``; links ``docs/`` and ``outputs/{notebooks,
figures,tables}`` into ``outputs/report/src``, writes one page per section of the figure/table
list (:func:`load_index`) -- a fan-out's pages titled by place (:func:`run_title`), long tables
cut to 80 rows or shown as a grid -- and the landing page's headline results read from the
tables (:func:`headlines`), and runs Sphinx incrementally into ``outputs/report/html`` -- not at
all when nothing it reads changed (:func:`inputs_key`). The site is checked to load nothing
from the network (:func:`check_offline`), shows no path of the machine
(:func:`strip_internal_paths`) and carries a subset of the package's CJK font.

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

from ..data.places import find_region, region_name
from ..errors import ReportError, ReportIncompleteError
from ..growth import round_sig
from ..outputs import outputs_dir
from .runs import run_problems

__all__ = ["Report", "build_report", "check_offline", "headlines", "inputs_key", "load_index", "run_title",
           "strip_internal_paths"]

MAX_ROWS = 80  # rows of a table shown on its section page (the csv has all)
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
        Keys ``section``, ``id``, ``kind``, ``run``, ``name`` (None for notebooks), ``title``,
        ``pivot`` (a long table shown as a grid: ``[rows, columns, values]``, or None).

    Raises
    ------
    ReportError
        Missing keys, an unknown kind, a duplicate id, a figure/table without ``name``, a
        ``pivot`` not of three column names or not on a table.

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
            pivot = it.get("pivot")
            if pivot is not None and (it["kind"] != "table" or not isinstance(pivot, list) or len(pivot) != 3):
                raise ReportError(f"{p}: item {it['id']}: 'pivot' is [rows, columns, values] of a table")
            seen.add(it["id"])
            items.append({"section": sec["title"], "name": it.get("name"), "pivot": pivot,
                          **{k: str(it[k]) for k in ("id", "kind", "run", "title")}})
    return items


def _path(item: dict) -> str:
    """Where an item is, relative to the outputs folder (a glob for a fan-out notebook)."""
    if item["kind"] == "notebook":
        return f"notebooks/{item['run']}.ipynb".replace("*", "[0-9]*")  # user_* runs apart
    return f"{item['kind']}s/{item['run']}/{item['name']}.{'png' if item['kind'] == 'figure' else 'csv'}"


def run_title(run: str) -> str:
    """Name a fan-out run's page by its place.

    Parameters
    ----------
    run : str
        ``<run file stem>/<code>_<name>`` (:mod:`.runs`).

    Returns
    -------
    str
        A province's Chinese and English names (``天津 Tianjin`` for
        ``06_region_profile/120000_Tianjin``), else the name after the code (``义乌市`` for
        ``11_city_clusters/330782_义乌市``).

    Examples
    --------
    >>> run_title("06_region_profile/120000_Tianjin"), run_title("11_city_clusters/330782_义乌市")
    ('天津 Tianjin', '义乌市')
    """
    code, _, name = run.rsplit("/", 1)[-1].partition("_")
    if find_region(code) == code:
        return f"{region_name(code)} {region_name(code, 'en')}"
    return name.replace("_", " ") or code


def _display(df: pd.DataFrame, pivot: list | None) -> tuple[pd.DataFrame, str]:
    """A table as shown: a long table as its ``pivot`` grid, numbers (also in text columns) to
    6 significant digits, at most :data:`MAX_ROWS` rows; and a note saying what was done."""
    notes = []
    if pivot:
        rows, cols, values = pivot
        df = (df.pivot(index=rows, columns=cols, values=values)  # rows and columns in the csv's order
              .loc[list(dict.fromkeys(df[rows])), list(dict.fromkeys(df[cols]))].reset_index())
        df.columns.name = None
        notes.append(f"{values} by {rows} (rows) and {cols} (columns)")
    num = re.compile(r"-?\d+\.\d{7,}(?:[eE][-+]?\d+)?")
    df = df.apply(lambda c: c.map(lambda v: num.sub(lambda m: f"{float(m.group()):.6g}", v)
                                  if isinstance(v, str) else v) if c.dtype == object or pd.api.types.is_string_dtype(c) else c)
    df.columns = [str(c).replace("_", "_\u200b") for c in df.columns]  # long names may break there
    if len(df) > MAX_ROWS:
        notes.append(f"first {MAX_ROWS} of {len(df)} rows; every row in the csv")
        df = df.head(MAX_ROWS)
    return df, "; ".join(notes)


def _read(out: Path, table: str) -> pd.DataFrame | None:
    path = out / "tables" / f"{table}.csv"
    return pd.read_csv(path) if path.is_file() else None


def headlines(out: str | os.PathLike) -> str:
    """The landing page's headline results that no notebook glues, read from the run's tables.

    - Drivers (``08_drivers``, T18, T23): the coefficient of log broadband users with year
      effects (``effects`` two-way or time) and with province effects only, and in how many
      specifications it is significant at 5 % (``p_value < 0.05``).
    - Taobao villages (``09_taobao_villages``, T26, T27): the count, host cities and CR4 of the
      last list; the range of the national S-curve ceilings of the converged, identified fits
      the data have not passed (``last_share_of_ceiling <= 1``).
    - Stages by province (``07_cross_region``, T14): how many regions are in each stage in the
      last year, and how many have none.

    A line whose table is absent is left out (the landing page lists missing items).

    Parameters
    ----------
    out : path-like
        Root of the outputs.

    Returns
    -------
    str
        Markdown bullet lines.
    """
    out, lines = Path(out), []
    spec, coef = _read(out, "08_drivers/specifications"), _read(out, "08_drivers/robustness")
    if spec is not None and coef is not None:
        bb = coef[coef["term"] == "log_broadband_users"].merge(spec[["spec", "effects"]], on="spec")
        parts = []
        for label, rows in (("with year effects", bb[bb["effects"].isin(["twoway", "time"])]),
                            ("with province effects only", bb[~bb["effects"].isin(["twoway", "time"])])):
            if len(rows):
                parts.append(f"{label} ({', '.join(rows['spec'])}) {rows['estimate'].min():.2f} to "
                             f"{rows['estimate'].max():.2f}, significant at 5 % in "
                             f"{int((rows['p_value'] < 0.05).sum())} of {len(rows)}")
        lines.append("- Elasticity of e-commerce sales to broadband users ({ref}`T18 <t18>`, "
                     "specifications {ref}`T23 <t23>`): " + "; ".join(parts) + ".")
    conc, fits = _read(out, "09_taobao_villages/taobao_concentration"), _read(out, "09_taobao_villages/taobao_national_fits")
    if conc is not None and fits is not None:
        c = conc[conc["level"] == "city"].sort_values("year").iloc[-1]
        ok = fits[fits["converged"].astype(bool) & fits["identified"].astype(bool) & (fits["last_share_of_ceiling"] <= 1)]
        ceil = (f"the national count's S-curve ceiling is {round_sig(ok['ceiling'].min())} to "
                f"{round_sig(ok['ceiling'].max())} ({len(ok)} of {len(fits)} fits: converged, identified, not yet passed)"
                if len(ok) else f"no national S-curve ceiling identified and not yet passed ({len(fits)} fits)")
        lines.append(f"- Taobao villages ({{ref}}`T26 <t26>`, {{ref}}`T27 <t27>`): {int(c['n_villages']):,} in "
                     f"{int(c['year'])}, in {int(c['n_places'])} cities, {c['cr4']:.0%} of them in the four "
                     f"largest; {ceil}.")
    stages = _read(out, "07_cross_region/stages_by_region_year")
    if stages is not None:
        last = stages[stages["year"] == stages["year"].max()]
        counts = last["stage_zh"].dropna().value_counts()
        given = "".join(f"{k} {v}, " for k, v in counts.items())
        lines.append(f"- Stage by province in {int(last['year'].iloc[0])} ({{ref}}`T14 <t14>`, panel stage "
                     f"model): {given}no stage shown for {int(last['stage_zh'].isna().sum())} of {len(last)} regions.")
    return "\n".join(lines) + "\n"


def _section_page(title: str, items: list[dict], missing: list[str], out: Path, notes: dict) -> str:
    """One page of the report: a section of the figure/table list, its runs in a toctree
    (a fan-out's runs titled by place, :func:`run_title`, and counted)."""
    lines, runs = [f"# {title}", ""], {}
    for it in items:
        label, head = it["id"].lower(), f"{it['id']} · {it['title']}"
        gone = any(m.startswith(f"{it['id']} ") for m in missing)
        if it["kind"] == "notebook":
            found = [p.relative_to(out / "notebooks").with_suffix("").as_posix() for p in sorted(out.glob(_path(it)))]
            many = "*" in it["run"]
            lines += [f"({label})=", f"## {head}", "", f"Run `{it['run']}`" + (
                ": *missing from this build*" if gone else f": {len(found)} run{'s' * (len(found) != 1)}, pages below." if many
                else ", pages below."), ""]
            runs.update({r: head if r == it["run"] else run_title(r) for r in found if r not in runs})
        elif gone:
            lines += [f"({label})=", f"**{head}**: *missing from this build* (`{_path(it)}`)", ""]
        elif it["kind"] == "figure":
            lines += [f"```{{figure}} /{_path(it)}", f":name: {label}", "",
                      f"**{head}** · run {{doc}}`{it['run']} </notebooks/{it['run']}>`", "```", ""]
        else:
            note = f" ({notes[it['id']]})" if notes.get(it["id"]) else ""
            lines += [f"```{{csv-table}} {head}{note}", f":file: /display/{it['id']}.csv", ":header-rows: 1",
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


_STAGING = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^\s/\\\"'<>]+)*[/\\]\.staging[/\\][0-9a-f]{32}[/\\]")


def strip_internal_paths(site_dir: str | os.PathLike, out: str | os.PathLike) -> list[str]:
    """Rewrite the machine's paths in a built site's pages to where a reader finds the files.

    A run writes into ``<outputs>/.staging/<32 hex digits>/`` and its files are moved into
    ``<outputs>/`` when it succeeds (:mod:`.runner`), so a path printed by a notebook, a warning
    or a failed run's error is shown as ``outputs/...``; any other path under ``out`` too.

    Parameters
    ----------
    site_dir : path-like
        The built site (``*.html`` and ``searchindex.js`` are rewritten).
    out : path-like
        Root of the outputs.

    Returns
    -------
    list of str
        The files rewritten, relative to ``site_dir``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.html").write_text("<pre>saved /srv/o/.staging/" + "0" * 32 + "/figures/f.png</pre>")
    >>> strip_internal_paths(d, "/srv/o"), (d / "a.html").read_text()
    (['a.html'], '<pre>saved outputs/figures/f.png</pre>')
    """
    site, root, done = Path(site_dir), str(Path(out).resolve()), []
    for page in sorted([*site.rglob("*.html"), site / "searchindex.js"]):
        if not page.is_file():
            continue
        text = page.read_text(encoding="utf-8")
        new = _STAGING.sub("outputs/", text).replace(root, "outputs")
        if new != text:
            page.write_text(new, encoding="utf-8")
            done.append(page.relative_to(site).as_posix())
    return done


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
    fanned = (p.relative_to(out / "notebooks").with_suffix("").as_posix()
              for it in items if "*" in it["run"] for p in out.glob(_path(it)))
    root, state = out / "report", {"report_problems": problems, "report_missing": missing,
                                   "report_titles": {f"notebooks/{r}": run_title(r) for r in sorted(fanned)}}
    report = Report(root / "html" / "index.html", False, problems, missing)
    key, stamp = inputs_key(out, state), root / "inputs.sha256"
    if report.index.is_file() and stamp.is_file() and stamp.read_text() == key:
        return report
    src = root / "src"
    for sub in ("sections", "display"):
        (src / sub).mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)  # a build killed half-way is done again
    notes, shown = {}, {src / "display" / "headlines.md": headlines(out)}
    for it in (it for it in items if it["kind"] == "table" and (out / _path(it)).is_file()):
        try:
            df, notes[it["id"]] = _display(pd.read_csv(out / _path(it)), it["pivot"])
        except (KeyError, ValueError) as exc:  # a pivot's column absent, or a cell given twice
            raise ReportError(f"{INDEX}: item {it['id']}: cannot show {out / _path(it)} as pivot "
                              f"{it['pivot']}: {exc}") from exc
        shown[src / "display" / f"{it['id']}.csv"] = df.to_csv(index=False, float_format="%.6g")
    pages = {src / "sections" / f"{n:02d}.md": _section_page(
        title, [it for it in items if it["section"] == title], missing, out, notes)
        for n, title in enumerate(dict.fromkeys(it["section"] for it in items), 1)}
    for p in [*src.iterdir(), *(src / "sections").iterdir()]:  # pages gone from docs/ or the list
        if (p.is_symlink() and not p.exists()) or (p.parent.name == "sections" and p not in pages):
            p.unlink()
    for page, text in {**pages, **shown}.items():  # rewritten only when changed: Sphinx compares times
        if not page.is_file() or page.read_text(encoding="utf-8") != text:
            page.write_text(text, encoding="utf-8")
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
    strip_internal_paths(root / "html", out)
    _embed_cjk_font(root / "html")
    if found := check_offline(root / "html"):
        raise ReportError(f"{root / 'html'} loads from the network: {found[:10]}")
    stamp.write_text(key)
    report.built = True
    return report
