"""Checks of notebooks 06 (region profile) and 07 (cross-region) without executing them.

The sources must take the stage from the panel stage model, label the scorecard as a relative
ranking, and generate every "What this shows" from the run (no fixed numbers); the tables a
refresh wrote (``outputs/tables/<run>/``), where present, must have unique keys, the documented
columns and numeric columns as numbers.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import jupytext
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"
#: Tables of ``python -m cluster_research run 07`` / ``run 06 -p region 浙江`` (CR_TEST_TABLES
#: overrides the root, e.g. a --output-dir's ``tables``); absent tables skip their test.
TABLES = Path(os.environ.get("CR_TEST_TABLES", ROOT / "outputs" / "tables"))
PROBS = ["prob_embryonic", "prob_growth", "prob_expansion", "prob_takeoff"]


def _cells(name):
    return jupytext.read(NB / name).cells


def _after_heading(cells, heading):
    idx = next(i for i, c in enumerate(cells)
               if c.cell_type == "markdown" and heading in c.source)
    return cells[idx], cells[idx + 1:]


@pytest.mark.parametrize("name", ["06_region_profile.py", "07_cross_region.py"])
def test_what_this_shows_is_generated_not_fixed_text(name):
    heading, rest = _after_heading(_cells(name), "## What this shows")
    assert not re.search(r"\d", heading.source.split("## What this shows", 1)[1])
    assert rest and rest[-1].cell_type == "code" and "Markdown(" in rest[-1].source


def test_07_maps_the_pooled_panel_model_and_not_the_scorecard():
    src = (NB / "07_cross_region.py").read_text(encoding="utf-8")
    assert 'pooled_panel_stages(indicator, "hindsight")' in src
    assert 'pooled_panel_stages(indicator, "realtime")' in src
    assert "scorecard_table" not in src
    assert "cr.metrics.share_lq_table(sales, gdp)" in src
    assert ".join(lq.stack()" not in src  # the join on region only that paired every year


def test_06_uses_the_pooled_model_and_a_tidy_relative_ranking():
    src = (NB / "06_region_profile.py").read_text(encoding="utf-8")
    assert "pooled_panel_stages(indicator, information)" in src
    assert '"dimension": d, "region": p, "score"' in src
    assert "not a lifecycle stage" in src
    assert "cannot be pooled" in src  # a user's single series: said, then per-series methods


def _table(run, name):
    path = TABLES / run / f"{name}.csv"
    if not path.exists():
        pytest.skip(f"{path} not written (run `python -m cluster_research refresh 06 07`)")
    return pd.read_csv(path)


def test_07_shares_lq_one_row_per_year_region():
    t = _table("07_cross_region", "shares_lq")
    assert list(t.columns) == ["year", "region", "share", "lq_vs_gdp"]
    assert not t.duplicated(["year", "region"]).any()
    assert len(t) == t.year.nunique() * t.region.nunique()
    assert t.groupby("year").share.sum().round(9).eq(1).all()
    assert t.share.dtype.kind == "f" and t.lq_vs_gdp.dtype.kind == "f"


@pytest.mark.parametrize("name", ["stages_by_region_year", "stages_realtime"])
def test_07_stage_tables_have_probabilities_as_numbers(name):
    t = _table("07_cross_region", name)
    assert list(t.columns) == ["region", "year", "stage_zh", "stage_en", *PROBS, "reason"]
    assert not t.duplicated(["region", "year"]).any()
    assert all(t[c].dtype.kind == "f" for c in PROBS)
    assert (t[PROBS].sum(axis=1) - 1).abs().max() < 1e-6


def test_07_hindsight_stages_never_go_backwards():
    t = _table("07_cross_region", "stages_by_region_year")
    order = t.stage_zh.map({"萌芽": 1, "成长": 2, "扩大": 3, "起飞": 4})
    steps = order.groupby(t.region).diff()
    assert (steps.dropna() >= 0).all()


def test_06_scorecard_is_tidy():
    t = _table("06_region_profile__region-浙江", "scorecard")
    assert list(t.columns) == ["dimension", "region", "score"]
    assert t.score.dtype.kind == "f" and "stage" not in set(t.dimension)
    assert not t.duplicated(["dimension", "region"]).any()
