"""Every table a notebook saves has a schema, and the schemas catch what they promise."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from cluster_research import schemas
from cluster_research.errors import TableSchemaError

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.py"))
_SAVE = re.compile(r"save_table\((?:[^()]|\([^()]*\))*?,\s*(f?)\"([^\"]+)\"\)", re.DOTALL)


def _saved_names():
    for nb in NOTEBOOKS:
        for fmark, name in _SAVE.findall(nb.read_text(encoding="utf-8")):
            yield nb.stem, (name.split("{")[0] + "x") if fmark else name


@pytest.mark.parametrize("notebook,name", sorted(set(_saved_names())))
def test_every_saved_table_has_a_schema(notebook, name):
    schemas.schema(name)  # raises TableSchemaError naming the table when none is registered


def test_the_notebooks_save_tables():
    assert len(set(_saved_names())) >= 30


def test_the_shares_lq_bug_is_caught():
    # T15 as it was: every sales year joined with every GDP year (duplicated keys, level_2)
    good = pd.DataFrame({"year": [2019] * 31, "region": [f"r{i}" for i in range(31)],
                         "share": [1 / 31] * 31, "lq_vs_gdp": [1.0] * 31})
    schemas.validate("shares_lq", good)
    bad = pd.concat([good.assign(level_2=y) for y in (2019, 2020)])
    with pytest.raises(TableSchemaError, match="duplicated keys|level_2"):
        schemas.validate("shares_lq", bad)


def test_probabilities_must_sum_to_one():
    row = {"region": "上海", "year": 2024, "stage_zh": "萌芽", "stage_en": "embryonic",
           "prob_embryonic": 0.5, "prob_growth": 0.3, "prob_expansion": 0.1,
           "prob_takeoff": 0.1, "reason": "x"}
    schemas.validate("stages_by_region_year", pd.DataFrame([row]))
    with pytest.raises(TableSchemaError, match="sum to 1"):
        schemas.validate("stages_by_region_year", pd.DataFrame([{**row, "prob_takeoff": 0.3}]))


def test_the_data_dictionary_lists_every_table():
    text = schemas.table_dictionary()
    for name in schemas.SCHEMAS:
        assert f"## `{name}.csv`" in text
