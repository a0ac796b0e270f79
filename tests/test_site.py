"""Tests of the results site (cluster_research.pipeline.site): a small build, offline, complete.

The build uses three executed notebooks and their tables copied from the committed
outputs when present, otherwise notebooks and tables made up here (the site renders
whatever the notebooks stored; the numbers on the landing page must be the tables').
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from cluster_research.pipeline import site
from cluster_research.errors import ClusterResearchError, SiteError

INDEX = [
    {"section": "The paper's claims", "id": "N1", "kind": "notebook", "run": "01_paper_claims",
     "title": "01 · claims"},
    {"section": "The paper's claims", "id": "T1", "kind": "table", "run": "01_paper_claims",
     "name": "claims", "title": "Claims table"},
    {"section": "The paper's claims", "id": "F1", "kind": "figure", "run": "01_paper_claims",
     "name": "shanghai_transactions", "title": "Transactions"},
    {"section": "Regions", "id": "N12", "kind": "notebook", "run": "06_region_profile/*",
     "title": "06 · all regions"},
]

CLAIMS = (
    "claim_id,claim,section,paper_value,unit,reproduced_value,tolerance,verdict,reason\n"
    "C01,a,s,250.0,亿元,253.86,,reproduced,r1\n"
    "C02,b,s,16.0,倍,16.75,,not reproduced,r2\n"
    "C03,c,s,,,,,not checkable,r3\n"
    "C04,d,s,1.0,,1.0,,reproduced,r4\n"
)
# A 1x1 PNG (the figure's content does not matter to the site).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _notebook(path: Path, title: str, with_math: bool = True) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nThe CAGR $r = (v_1/v_0)^{{1/n}} - 1$."),
                nbformat.v4.new_code_cell("secret_code_line = 1", execution_count=1,
                                          outputs=[nbformat.v4.new_output("stream", text="printed output\n")])]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    _notebook(out / "notebooks" / "01_paper_claims.ipynb", "01 · The paper's claims")
    _notebook(out / "notebooks" / "06_region_profile" / "310000_Shanghai.ipynb", "06 · Shanghai")
    _notebook(out / "notebooks" / "06_region_profile" / "user_my_city.ipynb", "06 · My city")
    (out / "tables" / "01_paper_claims").mkdir(parents=True)
    (out / "tables" / "01_paper_claims" / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (out / "figures" / "01_paper_claims").mkdir(parents=True)
    (out / "figures" / "01_paper_claims" / "shanghai_transactions.png").write_bytes(PNG)
    (out / "tables" / "07_cross_region").mkdir(parents=True)
    (out / "tables" / "07_cross_region" / "concentration.csv").write_text(
        "year,hhi,cr4,top4\n2015,0.0765,0.4708,广东 上海 北京 山东\n2016,0.0902,0.5427,广东 北京 上海 山东\n",
        encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def built(outputs, tmp_path_factory):
    dest = tmp_path_factory.mktemp("site") / "report"
    # the API reference of two modules (all of them: the full build, see the report)
    return site.build_site(outputs, dest, index=INDEX, api=["cluster_research.growth", "cluster_research.pipeline.site"])


def _text(res, page):
    return (res.site_dir / page).read_text(encoding="utf-8")


def test_no_page_loads_anything_from_the_network(built):
    assert site.check_offline(built.site_dir) == []
    # and independently of check_offline: no script/link/img with an absolute URL
    pattern = re.compile(r"<(script|link|img)\b[^>]*(src|href)=[\"'](https?:)?//", re.IGNORECASE)
    for page in built.pages:
        assert not pattern.search(_text(built, page)), page
    assert (built.site_dir / "_static" / "mathjax" / "MathJax.js").is_file()


def test_landing_page_states_the_claims_with_counts_from_the_table(built):
    html = _text(built, "index.html")
    # 4 claims in the made-up table: 2 reproduced, 1 not reproduced, 1 not checkable
    assert "4 claims" in html and "2 reproduced" in html and "1 not reproduced" in html
    assert "1 not checkable" in html
    assert "<table" in html and "253.86" in html          # the claims rendered as a table
    assert "0.0765" in html and "0.09" in html            # HHI range read from concentration.csv
    assert "F1" in html and "shanghai_transactions.png" in html


def test_one_page_per_run_code_hidden_user_runs_apart(built):
    assert "runs/01_paper_claims.html" in built.pages
    assert "runs/06_region_profile/310000_Shanghai.html" in built.pages
    assert "runs/06_region_profile/user_my_city.html" in built.pages
    assert built.user_runs == ["06_region_profile/user_my_city"]
    page = _text(built, "runs/01_paper_claims.html")
    assert "printed output" in page and "secret_code_line" not in page
    assert "user_my_city" in _text(built, "user_runs.html")
    assert "user_my_city" not in _text(built, "regions.html")
    assert "310000_Shanghai" in _text(built, "regions.html")


def test_generated_pages_build_without_sphinx_warnings(built):
    # warnings from docstrings of other modules may exist; the pages written here have none
    own = [w for w in built.warnings if "/src/" in w and "/src/api/" not in w]
    assert own == []


def test_numbered_items_and_search_index(built):
    html = _text(built, "section-01.html")
    assert 'id="t1"' in html and 'id="f1"' in html
    assert "<table" in html
    assert (built.site_dir / "searchindex.js").is_file()
    assert (built.site_dir / "search.html").is_file()


def test_api_reference_lists_the_public_functions(built):
    html = _text(built, "api/cluster_research.growth.html")
    assert 'id="cluster_research.growth.fit"' in html
    assert "api/index.html" in built.pages


def test_missing_item_is_an_error_naming_it_or_reported_once(outputs, tmp_path):
    index = INDEX + [{"section": "Regions", "id": "F99", "kind": "figure", "run": "07_cross_region",
                      "name": "nonexistent", "title": "absent"}]
    with pytest.raises(SiteError, match="F99") as exc:
        site.build_site(outputs, tmp_path / "r", index=index)
    assert isinstance(exc.value, ClusterResearchError)
    res = site.build_site(outputs, tmp_path / "r", index=index, allow_incomplete=True, api=False)
    assert [m["id"] for m in res.missing] == ["F99"]
    assert _text(res, "index.html").count("nonexistent.png") == 1
    assert not (res.site_dir / "api").exists()


def test_no_notebooks_and_foreign_destination_refused(tmp_path, outputs):
    with pytest.raises(SiteError, match="no executed notebook"):
        site.build_site(tmp_path, tmp_path / "r", index=INDEX)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("x")
    with pytest.raises(SiteError, match="refusing"):
        site.build_site(outputs, foreign, index=INDEX)


def test_check_offline_finds_network_references(tmp_path):
    (tmp_path / "a.html").write_text(
        '<html><head><link rel="stylesheet" href="https://cdn.example/x.css">'
        '<script src="//cdn.example/require.js"></script><style>@import url(http://f.example/f.css);</style>'
        '</head><body><img src="http://i.example/i.png"><a href="https://ok.example">ok</a>'
        '<script src="_static/local.js"></script></body></html>', encoding="utf-8")
    (tmp_path / "s.css").write_text("@font-face { src: url('https://fonts.example/f.woff2'); }")
    found = site.check_offline(tmp_path)
    assert len(found) == 5, found
    assert not any("ok.example" in f or "local.js" in f for f in found)
    with pytest.raises(SiteError):
        site.check_offline(tmp_path / "nope")


def test_command_line_check(built, tmp_path, capsys):
    assert site.main(["check", str(built.site_dir)]) == 0
    (tmp_path / "x.html").write_text('<script src="https://cdn.example/a.js"></script>')
    assert site.main(["check", str(tmp_path)]) == 1
    assert "cdn.example" in capsys.readouterr().out


def test_chinese_is_drawn_with_the_package_font_on_any_machine(built):
    """A machine without a Chinese font showed boxes: the site carries the bundled Noto Sans CJK
    SC, subset to the characters its pages use, declared first for the CJK ranges."""
    from fontTools.ttLib import TTFont

    font = built.site_dir / "_static" / "cjk.otf"
    assert font.is_file() and font.stat().st_size < 2_000_000  # a subset, not the 16 MB file
    cmap = TTFont(str(font)).getBestCmap()
    html = _text(built, "index.html")
    used = {c for c in html if 0x4E00 <= ord(c) <= 0x9FFF}
    assert used and used <= {chr(u) for u in cmap}, sorted(used - {chr(u) for u in cmap})[:5]
    css = (built.site_dir / "_static" / "site.css").read_text(encoding="utf-8")
    assert "@font-face" in css and "url('cjk.otf')" in css and "unicode-range" in css
