"""Tests for cluster_research.data.units (conversion factors are definitions: 万=1e4, 亿=1e8)."""

import math
from decimal import Decimal

import numpy as np
import pytest

from cluster_research.data import units
from cluster_research.data.units import to_yi
from cluster_research.errors import ParameterError


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (4252.8, "亿元", 4252.8),
        (1.2, "万亿元", 12000.0),
        (4.5, "trillion yuan", 45000.0),
        (230, "billion yuan", 2300.0),
        (897.89, "billion yuan", 8978.9),  # exact decimal, not 8978.900000000001
        (35640, "million yuan", 356.4),
        (35640, "百万元", 356.4),
        (25386000, "万元", 2538.6),
        (100000000, "元", 1.0),
        (3.32, "Trillion Yuan", 33200.0),
        (" 2.21 ", "万亿元", 22100.0),
        (Decimal("16.39"), "trillion yuan", 163900.0),
        (np.float64(0.5), "trillion yuan", 5000.0),
        (np.float32(2.0), "billion yuan", 20.0),
        (np.int64(3), "万亿元", 30000.0),
    ],
)
def test_to_yi_values(value, unit, expected):
    assert to_yi(value, unit) == expected


def test_to_yi_nan_passes_through():
    assert math.isnan(to_yi(float("nan"), "亿元"))


@pytest.mark.parametrize("unit", ["yuan", "亿", "USD", "%", "万户", "", "billion dollars"])
def test_unknown_or_non_currency_unit(unit):
    with pytest.raises(ParameterError) as ei:
        to_yi(1.0, unit)
    assert repr(unit) in str(ei.value)
    assert isinstance(ei.value, ValueError)


def test_non_string_unit():
    with pytest.raises(ParameterError, match="unit must be a string, got None"):
        to_yi(1.0, None)


@pytest.mark.parametrize("bad", [True, None, "abc", [1], "inf"])
def test_bad_values(bad):
    with pytest.raises((TypeError, ValueError)):
        to_yi(bad, "亿元")


def test_normalize_and_predicates():
    assert units.normalize_unit("  billion   YUAN ") == "billion yuan"
    assert units.normalize_unit("% yoy") == "% YoY"
    assert units.is_currency("万元") and not units.is_currency("%")
    assert units.is_known("万GB") and not units.is_known("furlong")
    assert units.decimal_to_yi(Decimal("1.2"), "万亿元") == Decimal("12000.0")


# --- dimensions (issue 16: one dimension per series) ------------------------------------


@pytest.mark.parametrize(
    ("unit", "dim"),
    [("亿元", "currency"), ("Billion Yuan", "currency"), ("万元", "currency"),
     ("%", "percent"), ("% yoy", "percent_change"), ("个", "count"), ("台", "count"),
     ("家", "count"), ("人", "persons"), ("万人", "persons"), ("万户", "households"),
     ("万GB", "data_volume"), ("元/人", "currency_per_person"), ("上年=100", "index")],
)
def test_dimension(unit, dim):
    assert units.dimension(unit) == dim


def test_dimension_covers_every_known_and_shipped_unit():
    import csv

    from cluster_research import data

    for u in list(units.CURRENCY_FACTORS) + sorted(units.OTHER_UNITS):
        assert isinstance(units.dimension(u), str)
    assert set(units.DIMENSIONS) == set(units.OTHER_UNITS)
    path = data.data_dir() / "raw/hand_collected/series.csv"
    with path.open(encoding="utf-8") as fh:
        shipped = {r["unit"] for r in csv.DictReader(fh)}
    shipped |= {v[1] for v in data.PANEL_INDICATORS.values()}
    shipped |= {v[1] for v in data.ECONOMY_INDICATORS.values()}
    assert len(shipped) >= 12
    for u in shipped:
        assert units.dimension(u)


def test_dimension_unknown_and_typed_errors():
    with pytest.raises(ParameterError, match="furlong"):
        units.dimension("furlong")
    with pytest.raises(ParameterError, match="real number, got True"):
        to_yi(True, "亿元")
    with pytest.raises(ParameterError, match="'abc' is not a decimal number"):
        to_yi("abc", "亿元")


def test_the_old_module_names_are_gone():
    import cluster_research as cr

    for old in ("units", "plotting", "plotting_growth", "runner", "report"):
        with pytest.raises(AttributeError, match=old):
            getattr(cr, old)
