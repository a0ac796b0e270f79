"""User strings cannot become markup or formulas (issue 29.4).

A region name ``<img src=x onerror=...>`` from a user CSV must reach the site as text, and
a cell ``=cmd|' /C calc'!A0`` must never be the first characters of a written CSV cell.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cluster_research import data as D
from cluster_research import outputs
from cluster_research.data import DataValidationError
from cluster_research.outputs import md_escape

XSS = "<img src=x onerror=alert(1)>"
FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)",
            "=HYPERLINK(\"http://x\",\"y\")", " =1+1", "\t=1+1"]

# ------------------------------------------------------------------ input: refused


@pytest.mark.parametrize("cell", [f for f in FORMULAS if not f.startswith("\t")])
@pytest.mark.parametrize("column", ["region", "source", "notes", "unit", "series", "period"])
def test_formula_cell_in_a_user_csv_is_refused_with_file_row_column(tmp_path, cell, column):
    row = {"region": "杭州", "year": "2010", "value": "5", "unit": "亿元", "source": "x",
           "notes": "", "series": "gmv", "period": "FY"}
    row[column] = cell
    p = tmp_path / "u.csv"
    text = ",".join(row) + "\n" + "杭州,2009,4,亿元,x,,gmv,FY\n" + ",".join(
        '"' + v.replace('"', '""') + '"' for v in row.values()) + "\n"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match="formula") as ei:
        D.read_csv(p)
    assert (ei.value.path, ei.value.row, ei.value.column) == (str(p), 3, column)


def test_numbers_and_a_lone_dash_are_not_formulas(tmp_path):
    p = tmp_path / "u.csv"
    p.write_text("region,year,value,unit,notes\n杭州,2010,+5,亿元,-\n杭州,2011,6,亿元,"
                 "growth - see report\n", encoding="utf-8")
    df = D.read_csv(p)
    assert df.value.tolist() == [5.0, 6.0]


# ------------------------------------------------------------------ output: neutralised


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_cells_are_neutralised_when_written(tmp_path, cell):
    t = pd.DataFrame({"year": [2015, 2016], "hhi": [0.1, 0.2], "cr4": [0.5, 0.6],
                      "top4": [cell, "-"]})
    p = outputs.save_table(t, "concentration", output_dir=tmp_path)
    raw = p.read_text(encoding="utf-8").splitlines()
    cells = pd.read_csv(p, keep_default_na=False)["top4"].tolist()
    assert cells == ["'" + cell, "-"]
    assert raw[2].endswith(",-")
    assert t["top4"].tolist() == [cell, "-"]  # the caller's table is not changed


def test_negative_numbers_stay_numbers_when_written(tmp_path):
    t = pd.DataFrame({"year": [2015], "hhi": [0.1], "cr4": [0.5], "top4": ["-0.5"]})
    p = outputs.save_table(t, "concentration", output_dir=tmp_path)
    assert p.read_text(encoding="utf-8").splitlines()[1] == "2015,0.1,0.5,-0.5"


# ------------------------------------------------------------------ HTML / Markdown


def test_md_escape_leaves_no_tag_and_no_link():
    assert "<" not in md_escape(XSS) and ">" not in md_escape(XSS)
    assert md_escape("[x](javascript:alert(1))") == r"\[x\]\(javascript:alert\(1\)\)"
    assert md_escape("上海") == "上海"


# The report shows markup in notebook outputs and table cells as text:
# tests/test_site.py::test_markup_in_outputs_and_tables_is_shown_as_text.


@pytest.mark.parametrize("cell", [*FORMULAS, "-", "-5", "+1e3", " -0.5 ", "上海", "a=b", "",
                                  "- note", "--", "@", "\r1", 5, None])
def test_input_and_output_use_one_formula_rule(cell):
    from cluster_research.data.parsing import formula_like as at_input

    assert at_input(cell) == outputs.formula_like(cell)
