"""One set of limits from input to output (issue 28.1): what the door accepts, the end writes."""

from __future__ import annotations

import pandas as pd
import pytest

from cluster_research import limits, schemas
from cluster_research.data.parsing import parse_year
from cluster_research.errors import DataValidationError, ParameterError
from cluster_research.pipeline import describe_spec, validate_parameters

LO, HI = limits.YEARS


def _year_ranges():
    """(table, column, (min, max)) of every year-like column with a range check."""
    out = []
    for name in schemas.SCHEMAS:
        for col, column in schemas.schema(name).columns.items():
            for check in column.checks:
                if check.name == "in_range" and ("year" in col or "period" in col):
                    st = check.statistics
                    out.append((name, col, (st["min_value"], st["max_value"])))
    return out


def test_every_year_column_of_the_outputs_takes_the_input_range():
    ranges = _year_ranges()
    assert len(ranges) >= 15
    observed = [(t, c, r) for t, c, r in ranges if r != limits.ESTIMATED_YEARS]
    assert observed and all(r == limits.YEARS for _, _, r in observed), observed


@pytest.mark.parametrize("year", [LO, LO + 1, 1989, 2050, HI])
def test_a_year_the_parser_accepts_is_written_by_the_schemas(year):
    assert parse_year(str(year), "f.csv", 2) == year
    df = pd.DataFrame({"year": [year], "hhi": [0.1], "cr4": [0.5], "top4": ["a b c d"]})
    schemas.validate("concentration", df)


@pytest.mark.parametrize("year", [LO - 1, HI + 1])
def test_a_year_outside_is_refused_at_the_door_and_at_the_end(year):
    with pytest.raises(DataValidationError, match=f"year out of range {LO}..{HI}"):
        parse_year(str(year), "f.csv", 2)
    df = pd.DataFrame({"year": [year], "hhi": [0.1], "cr4": [0.5], "top4": ["a b c d"]})
    with pytest.raises(DataValidationError, match="table 'concentration' fails its schema.*year"):
        schemas.validate("concentration", df)


def test_year_parameters_take_the_same_range():
    assert f"year {LO}-{HI}" in describe_spec("year")
    with pytest.raises(ParameterError, match=f"not a year in {LO}-{HI}"):
        validate_parameters("06", {"year": HI + 1})


def test_scored_bars():
    assert limits.scored_bars([0.08, 0.15], [0.08, 0.15], ["pooled"]) == list(
        limits.STAGE_MODEL_BARS)
    assert len(limits.scored_bars([0.08, 0.15], [0.08], ["pooled"])) == 3
    assert limits.scored_bars([0.3], [0.08], []) == []
    assert [b["information"] for b in limits.scored_bars([0.3], [0.08], ["pooled"])] == [
        "realtime"]
