"""Every table a notebook saves has a schema, and the schemas catch what they promise."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from cluster_research import limits, schemas
from cluster_research.errors import DataValidationError
from cluster_research.lifecycle import Stage

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.py"))
_SAVE = re.compile(r"save_table\((?:[^()]|\([^()]*\))*?,\s*(f?)\"([^\"]+)\"\)", re.DOTALL)


def _saved_names():
    for nb in NOTEBOOKS:
        for fmark, name in _SAVE.findall(nb.read_text(encoding="utf-8")):
            yield nb.stem, (name.split("{")[0] + "x") if fmark else name


@pytest.mark.parametrize("notebook,name", sorted(set(_saved_names())))
def test_every_saved_table_has_a_schema(notebook, name):
    schemas.schema(name)  # raises DataValidationError naming the table when none is registered


def test_the_notebooks_save_tables():
    assert len(set(_saved_names())) >= 30


def test_the_shares_lq_bug_is_caught():
    # T15 as it was: every sales year joined with every GDP year (duplicated keys, level_2)
    good = pd.DataFrame({"year": [2019] * 31, "region": [f"r{i}" for i in range(31)],
                         "share": [1 / 31] * 31, "lq_vs_gdp": [1.0] * 31})
    schemas.validate("shares_lq", good)
    bad = pd.concat([good.assign(level_2=y) for y in (2019, 2020)])
    with pytest.raises(DataValidationError, match="duplicated keys|level_2"):
        schemas.validate("shares_lq", bad)


def test_probabilities_must_sum_to_one():
    row = {"region": "上海", "year": 2024, "stage_zh": "萌芽", "stage_en": "embryonic",
           "prob_embryonic": 0.5, "prob_growth": 0.3, "prob_expansion": 0.1,
           "prob_takeoff": 0.1, "reason": "x"}
    schemas.validate("stages_by_region_year", pd.DataFrame([row]))
    with pytest.raises(DataValidationError, match="sum to 1"):
        schemas.validate("stages_by_region_year", pd.DataFrame([{**row, "prob_takeoff": 0.3}]))


def test_the_data_dictionary_lists_every_table():
    text = schemas.table_dictionary()
    for name in schemas.SCHEMAS:
        assert f"## `{name}.csv`" in text


def test_every_table_with_stages_has_the_stage_definition_in_the_dictionary():
    sections = {s.split("`")[0].removesuffix(".csv"): s
                for s in schemas.table_dictionary().split("\n## `")[1:]}
    names = {x for s in Stage for x in (s.zh, s.en, f"prob_{s.name.lower()}")}
    staged = [n for n, spec in schemas.SCHEMAS.items()
              if any(str(c) == "stage" or str(c).startswith("stage_") or c in names
                     for c in spec.columns)]
    assert {"stage_verdicts", "stage_timeline", "stage_probabilities", "stages",
            "stages_by_region_year", "stages_realtime", "shanghai_panel_stages"} <= set(staged)
    for name in schemas.SCHEMAS:
        assert (limits.STAGE_DEFINITION["en"] in sections[name]) == (name in staged), name


# ------------------------------------------------------ bounds: at the bound in, beyond it out
_STAGE_ROW = {"region": "上海", "year": 2024, "stage_zh": "萌芽", "stage_en": "embryonic",
              "prob_embryonic": 1.0, "prob_growth": 0.0, "prob_expansion": 0.0,
              "prob_takeoff": 0.0, "reason": "x"}
_NAN = float("nan")


def _table(name, **changes):
    if name == "stages_by_region_year":
        return pd.DataFrame([{**_STAGE_ROW, **changes}])
    if name == "concentration":
        return pd.DataFrame([{"year": 2020, "hhi": 0.1, "cr4": 0.5, "top4": "a b c d", **changes}])
    if name == "ranks":
        return pd.DataFrame([{"year": 2020, "region": "上海", "rank": 1.0, **changes}])
    if name == "shares_lq":
        rows = [{"year": 2020, "region": f"r{i}", "share": 1 / 31, "lq_vs_gdp": 1.0}
                for i in range(31)]
        rows[0].update(changes)
        return pd.DataFrame(rows)
    raise AssertionError(name)


@pytest.mark.parametrize(("name", "column", "inside", "outside"), [
    ("stages_by_region_year", "year", [1949, 2100], [1948, 2101]),
    # one probability given, the others missing: only the range applies, not the sum
    ("stages_by_region_year", "prob_growth", [0.0, 1.0], [-1e-9, 1 + 1e-9]),
    ("stages_by_region_year", "stage_zh", ["成长", "起飞"], ["成熟", "growth"]),
    ("concentration", "hhi", [0.0, 1.0], [-1e-9, 1.01, _NAN]),
    ("concentration", "cr4", [1.0], [1.5]),
    ("ranks", "rank", [1.0, 31.0, _NAN], [0.999, 0.0]),
    ("shares_lq", "share", [0.0, 1.0], [-0.01, 1.01]),
    ("shares_lq", "lq_vs_gdp", [0.0, 12.0, _NAN], [-1e-9]),
])
def test_schema_bounds(name, column, inside, outside):
    other_probs = ({c: _NAN for c in schemas.PROB_EN if c != column}
                   if column.startswith("prob_") else {})
    for v in inside:
        schemas.validate(name, _table(name, **other_probs, **{column: v}))
    for v in outside:
        with pytest.raises(DataValidationError, match=re.escape(repr(column))):
            schemas.validate(name, _table(name, **other_probs, **{column: v}))


def test_probabilities_sum_to_one_within_1e_6():
    schemas.validate("stages_by_region_year", _table("stages_by_region_year",
                                                     prob_takeoff=5e-7))
    with pytest.raises(DataValidationError, match="sum to 1"):
        schemas.validate("stages_by_region_year", _table("stages_by_region_year",
                                                         prob_takeoff=2e-6))


def test_shares_lq_needs_all_31_regions():
    with pytest.raises(DataValidationError, match="at least 31 rows"):
        schemas.validate("shares_lq", _table("shares_lq").iloc[:30])


def test_no_written_number_is_infinite():
    """Issue 29: +/-inf is refused in every numeric column; an unbounded profile end is written
    as NaN with its flag."""
    import numpy as np

    from cluster_research import schemas

    row = {"model": "logistic", "parameter": "K", "estimate": 1.0, "std_err": 0.1,
           "wald_low": 0.8, "wald_high": 1.2, "profile_low": 0.9, "profile_high": np.nan,
           "profile_low_unbounded": False, "profile_high_unbounded": True}
    schemas.validate("growth_parameters", pd.DataFrame([row]))
    with pytest.raises(DataValidationError, match="inf"):
        schemas.validate("growth_parameters", pd.DataFrame([{**row, "profile_high": np.inf}]))
    with pytest.raises(DataValidationError, match="inf"):
        schemas.validate("concentration", pd.DataFrame(
            {"year": [2015], "hhi": [-np.inf], "cr4": [0.5], "top4": ["a b c d"]}))
