"""The report as a reader sees it (issue 26): formulas typeset, Chinese in printed output drawn,
fan-out pages titled and counted by place, long tables shown whole or as a grid, no machine
path on any page, and the landing page's headline results read from the run's tables.

One small build from made-up outputs (see test_site.py); the expected values are written out
here, not produced by the code under test.
"""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
import test_site
from test_site import PNG, _notebook

from cluster_research.errors import ReportError
from cluster_research.pipeline import report

INDEX = """sections:
  - title: "Lifecycle"
    items:
      - {id: N5, kind: notebook, run: 03_lifecycle_stage, title: "03 · stage"}
      - {id: T21, kind: table, run: 03_lifecycle_stage, name: stage_timeline, title: "Timeline", pivot: [year, method, stage]}
      - {id: T14, kind: table, run: 03_lifecycle_stage, name: long, title: "Long table"}
  - title: "Regions"
    items:
      - {id: N12, kind: notebook, run: "06_region_profile/*", title: "06 · regions"}
  - title: "Taobao villages"
    items:
      - {id: N17, kind: notebook, run: "09_taobao_villages_provinces/*", title: "09 · provinces"}
"""
STAGING = "/home/u/project/outputs/.staging/" + "3f" * 16 + "/"


def _timeline() -> str:
    """The long form of F6's data: 20 years x 2 methods, a stage only from 2019 on."""
    rows = [f"{y},{m},{'GROWTH' if y >= 2019 else ''}" for y in range(2002, 2022) for m in ("signs", "ensemble")]
    return "year,method,stage\n" + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = test_site.make_project(tmp_path_factory.mktemp("project"), INDEX)
    out = test_site.make_outputs(tmp_path_factory.mktemp("outputs"))
    _notebook(out / "notebooks" / "03_lifecycle_stage.ipynb", "03 · Lifecycle stage", [
        nbformat.v4.new_output("stream", text=f"saved {STAGING}tables/03_lifecycle_stage/long.csv\n")])
    for run in ("06_region_profile/120000_Tianjin", "09_taobao_villages_provinces/330000_Zhejiang",
                "09_taobao_villages_provinces/350000_Fujian", "09_taobao_villages_provinces/320000_Jiangsu"):
        _notebook(out / "notebooks" / f"{run}.ipynb", "Region profile")
    tables = out / "tables" / "03_lifecycle_stage"
    tables.mkdir(parents=True)
    (tables / "stage_timeline.csv").write_text(_timeline(), encoding="utf-8")
    pd.DataFrame({"row": range(200), "value": 0.5}).to_csv(tables / "long.csv", index=False)
    (out / "figures" / "01_paper_claims" / "shanghai_transactions.png").write_bytes(PNG)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(report, "DOCS", d / "docs")
        m.setattr(report, "INDEX", d / "index.yaml")
        m.setattr(report, "run_problems", lambda out: (
            [f"09_taobao_villages_provinces/350000_Fujian: failed (cell 2: OSError: {STAGING}x.csv)"], {}))
        return report.build_report(out, allow_incomplete=True)


def _page(res, page):
    return (res.index.parent / page).read_text(encoding="utf-8")


def test_formulas_are_typeset_by_mathjax_2_inside_myst_pages(built):
    # MyST marks each page's top section tex2jax_ignore; MathJax 2 must be told to process "math"
    page = _page(built, "notebooks/01_paper_claims.html")
    assert "tex2jax_ignore" in page and 'class="math' in page
    config = re.search(r'<script type="text/x-mathjax-config">(.*?)</script>', page, re.DOTALL).group(1)
    process = re.search(r'"processClass": "([^"]+)"', config).group(1)
    assert "math" in process.split("|")


def test_chinese_in_printed_output_is_drawn_with_the_package_font(built):
    css = _page(built, "_static/site.css")
    mono = re.search(r"--pst-font-family-monospace:([^;]+);", css).group(1)
    assert "cluster_research CJK" in mono


def test_fan_out_pages_are_titled_by_place_and_counted_per_notebook(built):
    regions = _page(built, "sections/02.html")
    assert "天津 Tianjin" in regions and "120000_Tianjin</a>" not in regions
    assert "</code>: 2 runs, pages below." in regions  # Tianjin, Shanghai; not notebook 09's
    provinces = _page(built, "sections/03.html")
    assert "</code>: 3 runs, pages below." in provinces
    assert "浙江 Zhejiang" in provinces and "福建 Fujian" in provinces
    page = _page(built, "notebooks/06_region_profile/120000_Tianjin.html")
    assert re.search(r"<title>天津 Tianjin · Region profile", page)
    assert re.search(r"<h1>天津 Tianjin · Region profile", page)


def test_a_long_table_is_shown_as_its_grid_or_says_it_is_cut(built):
    section = _page(built, "sections/01.html")
    grid = pd.read_csv(built.index.parents[1] / "src" / "display" / "T21.csv")
    assert list(grid.columns) == ["year", "signs", "ensemble"] and len(grid) == 20
    assert grid.loc[grid["year"] == 2019, "signs"].item() == "GROWTH"
    assert "stage by year (rows) and method (columns)" in section
    assert "first 80 of 200 rows" in section


def test_no_page_prints_a_staging_or_machine_path(built):
    site = built.index.parent
    for page in [*site.rglob("*.html"), site / "searchindex.js"]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\.staging/[0-9a-f]{32}", text), page
        assert str(built.index.parents[2]) not in text, page
    assert "saved outputs/tables/03_lifecycle_stage/long.csv" in _page(built, "notebooks/03_lifecycle_stage.html")
    assert "OSError: outputs/x.csv" in _page(built, "index.html")


def test_headlines_read_from_the_runs_tables(tmp_path):
    d = tmp_path / "tables"
    (d / "08_drivers").mkdir(parents=True)
    pd.DataFrame({"spec": ["A", "B"], "effects": ["entity", "twoway"]}).to_csv(d / "08_drivers" / "specifications.csv")
    pd.DataFrame({"spec": ["A", "A", "B"], "term": ["log_broadband_users", "x", "log_broadband_users"],
                  "estimate": [0.72, 9.0, 0.014], "p_value": [0.002, 0.0, 0.97]}).to_csv(d / "08_drivers" / "robustness.csv")
    (d / "09_taobao_villages").mkdir()
    pd.DataFrame({"year": [2016, 2015, 2016], "level": ["city", "city", "province"], "n_villages": [1311, 780, 1311],
                  "n_places": [75, 60, 18], "cr4": [0.3, 0.5, 0.8]}).to_csv(d / "09_taobao_villages" / "taobao_concentration.csv")
    pd.DataFrame({"converged": [True, True, False], "identified": [True, True, True], "ceiling": [9012.4, 14000.0, 1.0],
                  "last_share_of_ceiling": [0.8, 1.2, 0.5]}).to_csv(d / "09_taobao_villages" / "taobao_national_fits.csv")
    (d / "07_cross_region").mkdir()
    pd.DataFrame({"region": ["北京", "上海", "天津", "北京"], "year": [2024, 2024, 2024, 2023],
                  "stage_zh": ["扩大", "扩大", None, "成长"]}).to_csv(d / "07_cross_region" / "stages_by_region_year.csv")
    text = report.headlines(tmp_path)
    assert "with year effects (B) 0.01 to 0.01, significant at 5 % in 0 of 1" in text
    assert "with province effects only (A) 0.72 to 0.72, significant at 5 % in 1 of 1" in text
    assert "1,311 in 2016, in 75 cities, 30% of them in the four largest" in text
    assert "ceiling is 9,010 to 9,010 (1 of 3 fits" in text  # 3 significant figures
    assert "Stage by province in 2024" in text and "扩大 2, no stage shown for 1 of 3 regions" in text
    assert report.headlines(tmp_path / "none") == "\n"  # no table, no line


def test_a_pivot_must_name_three_columns_of_a_table(tmp_path):
    bad = tmp_path / "i.yaml"
    bad.write_text(INDEX.replace("pivot: [year, method, stage]", "pivot: [year, stage]"), encoding="utf-8")
    with pytest.raises(ReportError, match="T21: 'pivot'"):
        report.load_index(bad)
