"""Tests of the report (cluster_research.pipeline.report): the Sphinx project docs/ over outputs/.

One small build from made-up executed notebooks and tables (nothing is executed): the landing
page quotes a notebook's glue value, the site loads nothing from the network, user runs have
their own page, markup in outputs stays text, and an incomplete reproduction is refused.
The API page is limited to one module (the full build documents every module).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from cluster_research.errors import ReportIncompleteError
from cluster_research.pipeline import report
from cluster_research.pipeline.cli import main

INDEX = """sections:
  - title: "The paper's claims"
    items:
      - {id: N1, kind: notebook, run: 01_paper_claims, title: "01 · claims"}
      - {id: T1, kind: table, run: 01_paper_claims, name: claims, title: "Claims table"}
      - {id: F1, kind: figure, run: 01_paper_claims, name: shanghai_transactions, title: "Transactions"}
  - title: "Regions"
    items:
      - {id: N12, kind: notebook, run: "06_region_profile/*", title: "06 · all regions"}
"""
XSS = "<img src=x onerror=alert(1)>"
CLAIMS = ("claim_id,claim,verdict,value\nC01,a,reproduced,15.752540770503426\nC02,b,not reproduced,\n"
          f'C03,"{XSS} <script>alert(3)</script>",not checkable,\nC04,d,reproduced,\n')
# A 1x1 PNG (the figure's content does not matter to the report).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _glue(name, value):
    """The output ``myst_nb.glue(name, value, display=False)`` stores in a notebook."""
    return nbformat.v4.new_output("display_data", {"application/papermill.record/text/plain": repr(value)},
                                  metadata={"scrapbook": {"name": name,
                                                          "mime_prefix": "application/papermill.record/"}})


def _notebook(path: Path, title: str, outputs=()) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nThe CAGR $r = (v_1/v_0)^{{1/n}} - 1$."),
                nbformat.v4.new_code_cell("secret_code_line = 1", execution_count=1, outputs=[
                    nbformat.v4.new_output("stream", text="printed output 上海\n"), *outputs])]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def make_outputs(out: Path) -> Path:
    """Made-up outputs: three listed runs (one a fan-out run), a user run, a table, a figure."""
    _notebook(out / "notebooks" / "01_paper_claims.ipynb", "01 · The paper's claims",
              [_glue("claims_n", 4), _glue("claims_reproduced", 2)])
    _notebook(out / "notebooks" / "06_region_profile" / "310000_Shanghai.ipynb", "06 · Shanghai")
    md = f"* **Growth curves ({XSS}).** <script>alert(2)</script>"
    _notebook(out / "notebooks" / "06_region_profile" / "user_my_city.ipynb", "06 · My city",
              [nbformat.v4.new_output("display_data", {"text/markdown": md, "text/plain": "<md>"})])
    (out / "tables" / "01_paper_claims").mkdir(parents=True)
    (out / "tables" / "01_paper_claims" / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (out / "figures" / "01_paper_claims").mkdir(parents=True)
    (out / "figures" / "01_paper_claims" / "shanghai_transactions.png").write_bytes(PNG)
    return out


def make_project(d, index):
    """docs/ with the API page of one module, and the figure/table list ``index``, in ``d``."""
    shutil.copytree(report.DOCS, d / "docs")
    (d / "docs" / "api.rst").write_text("API\n===\n\n.. automodule:: cluster_research.growth\n",
                                        encoding="utf-8")
    (d / "index.yaml").write_text(index, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def small_project(tmp_path_factory):
    """docs/ with the API page of one module, and a three-section figure/table list."""
    return make_project(tmp_path_factory.mktemp("project"), INDEX)


@pytest.fixture
def project(small_project, monkeypatch):
    monkeypatch.setattr(report, "DOCS", small_project / "docs")
    monkeypatch.setattr(report, "INDEX", small_project / "index.yaml")
    monkeypatch.setattr(report, "run_problems", lambda out: ([], {}))
    return small_project


@pytest.fixture(scope="module")
def built(small_project, tmp_path_factory):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(report, "DOCS", small_project / "docs")
        m.setattr(report, "INDEX", small_project / "index.yaml")
        m.setattr(report, "run_problems", lambda out: (
            ["06_region_profile/310000_Shanghai: failed (cell 3: ValueError: <b>boom</b>)"], {}))
        out = make_outputs(tmp_path_factory.mktemp("outputs"))
        return report.build_report(out, allow_incomplete=True)


def _page(res, page):
    return (res.index.parent / page).read_text(encoding="utf-8")


def test_landing_page_quotes_the_notebooks_glue_values(built):
    html = _page(built, "index.html")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "4 claims" in text and "2 reproduced" in text
    assert "shanghai_transactions.png" in html


def test_no_page_loads_anything_from_the_network(built):
    assert built.built and report.check_offline(built.index.parent) == []
    pattern = re.compile(r"<(script|link|img)\b[^>]*(src|href)=[\"'](https?:)?//", re.IGNORECASE)
    for page in built.index.parent.rglob("*.html"):
        assert not pattern.search(page.read_text(encoding="utf-8")), page
    assert (built.index.parent / "_static" / "MathJax.js").is_file()


def test_check_offline_finds_network_references(tmp_path):
    (tmp_path / "a.html").write_text(
        '<html><head><link rel="stylesheet" href="https://cdn.example/x.css">'
        '<script src="//cdn.example/require.js"></script><style>@import url(http://f.example/f.css);</style>'
        '</head><body><img src="http://i.example/i.png"><a href="https://ok.example">ok</a>'
        '<script src="_static/local.js"></script></body></html>', encoding="utf-8")
    (tmp_path / "s.css").write_text("@font-face { src: url('https://fonts.example/f.woff2'); }")
    found = report.check_offline(tmp_path)
    assert len(found) == 5, found
    assert not any("ok.example" in f or "local.js" in f for f in found)


def test_runs_code_hidden_fan_out_in_its_section_user_runs_apart(built):
    page = _page(built, "notebooks/01_paper_claims.html")
    assert "printed output" in page and "secret_code_line" not in page
    regions = _page(built, "sections/02.html")
    assert "310000_Shanghai" in regions and "user_my_city" not in regions
    assert "user_my_city" in _page(built, "user_runs.html")
    section = _page(built, "sections/01.html")
    assert 'id="t1"' in section and 'id="f1"' in section and "<table" in section
    assert "15.7525<" in section and "15.75254077" not in section  # shown with 6 digits
    assert (built.index.parent / "searchindex.js").is_file()


def test_failed_run_listed_on_the_landing_page_and_its_own_page(built):
    index = _page(built, "index.html")
    assert "310000_Shanghai: failed" in index
    assert "<b>boom</b>" not in index and "&lt;b&gt;boom&lt;/b&gt;" in index
    assert "from an earlier run" in _page(built, "notebooks/06_region_profile/310000_Shanghai.html")
    assert "from an earlier run" not in _page(built, "notebooks/01_paper_claims.html")


def test_markup_in_outputs_and_tables_is_shown_as_text(built):
    html = _page(built, "notebooks/06_region_profile/user_my_city.html")
    assert "Growth curves" in html and "<script>alert(2)" not in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    section = _page(built, "sections/01.html")
    assert "<script>alert(3)" not in section and "&lt;script&gt;alert(3)" in section


def test_api_reference_lists_the_public_functions(built):
    assert 'id="cluster_research.growth.fit"' in _page(built, "api.html")


def test_chinese_is_drawn_with_the_package_font_on_any_machine(built):
    from fontTools.ttLib import TTFont

    font = built.index.parent / "_static" / "cjk.otf"
    assert font.is_file() and font.stat().st_size < 2_000_000  # a subset, not the 16 MB file
    cmap = {chr(u) for u in TTFont(str(font)).getBestCmap()}
    assert {"上", "海"} <= cmap
    css = _page(built, "_static/site.css")
    assert "@font-face" in css and 'url("cjk.otf")' in css and "unicode-range" in css


def test_incomplete_reproduction_is_refused_with_exit_status_3(project, tmp_path, monkeypatch,
                                                               capsys):
    out = make_outputs(tmp_path / "outputs")
    (out / "figures" / "01_paper_claims" / "shanghai_transactions.png").unlink()
    with pytest.raises(ReportIncompleteError, match="F1"):
        report.build_report(out)
    assert main(["report", "--output-dir", str(out)]) == 3
    assert "F1 (figures/01_paper_claims/shanghai_transactions.png)" in capsys.readouterr().err
    monkeypatch.setattr(report, "run_problems", lambda out: (["01_paper_claims: stale (x)"], {}))
    (out / "figures" / "01_paper_claims" / "shanghai_transactions.png").write_bytes(PNG)
    with pytest.raises(ReportIncompleteError, match="01_paper_claims: stale"):
        report.build_report(out)
    assert not (out / "report" / "html").exists()
