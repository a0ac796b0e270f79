"""Tests for cluster_research.metrics: hand-computed examples, identities, errors.

The location-quotient example is the matrix from EconGeo's documentation of
``location.quotient`` / ``location_quotient`` (Balland, EconGeo R package,
https://rdrr.io/cran/EconGeo/man/location_quotient.html); the expected values
below are computed by hand: every industry total is 100 and the grand total is
500, so each national share is 0.2 and ``LQ = (x_ri / x_r.) / 0.2``.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_research import metrics as m
from cluster_research.errors import ParameterError

ECONGEO = pd.DataFrame(
    [[100, 0, 0, 0, 0],
     [0, 15, 5, 70, 10],
     [0, 20, 10, 20, 50],
     [0, 25, 30, 5, 40],
     [0, 40, 55, 5, 0]],
    index=["R1", "R2", "R3", "R4", "R5"], columns=["I1", "I2", "I3", "I4", "I5"])

LQ_HAND = [[5.0, 0.0, 0.0, 0.0, 0.0],
           [0.0, 0.75, 0.25, 3.5, 0.5],
           [0.0, 1.0, 0.5, 1.0, 2.5],
           [0.0, 1.25, 1.5, 0.25, 2.0],
           [0.0, 2.0, 2.75, 0.25, 0.0]]


def test_location_quotient_econgeo_example():
    lq = m.location_quotient(ECONGEO)
    np.testing.assert_allclose(lq.to_numpy(), LQ_HAND, rtol=1e-12)
    assert list(lq.index) == list(ECONGEO.index) and list(lq.columns) == list(ECONGEO.columns)


def test_location_quotient_binary_keeps_exact_one_as_one():
    # EconGeo: lq[lq < 1] <- 0; lq[lq > 1] <- 1  -> an LQ of exactly 1 stays 1
    b = m.location_quotient(ECONGEO, binary=True)
    expected = (np.array(LQ_HAND) >= 1).astype(float)
    np.testing.assert_array_equal(b.to_numpy(), expected)
    assert b.loc["R3", "I2"] == 1.0 and b.loc["R3", "I4"] == 1.0


def test_location_quotient_zero_total_is_zero_as_econgeo():
    mat = pd.DataFrame([[0, 0], [3, 1]], index=["A", "B"], columns=["x", "y"])
    lq = m.location_quotient(mat)
    assert lq.loc["A"].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(lq.loc["B"], [1.0, 1.0])


def test_share_hhi_cr4_hand():
    v = pd.Series({"上海": 40.0, "北京": 30.0, "浙江": 10.0, "广东": 10.0, "江苏": 5.0,
                   "山东": 5.0})
    s = m.share(v)
    assert s["上海"] == pytest.approx(0.4) and s.sum() == pytest.approx(1.0)
    # 0.16 + 0.09 + 0.01 + 0.01 + 0.0025 + 0.0025
    assert m.hhi(v) == pytest.approx(0.275)
    assert m.hhi(v, scale=10000) == pytest.approx(2750.0)
    assert m.hhi(v, normalized=True) == pytest.approx((0.275 - 1 / 6) / (1 - 1 / 6))
    assert m.cr4(v) == pytest.approx(0.9)
    assert m.concentration_ratio(v, n=1) == pytest.approx(0.4)


def test_rank_and_rank_change_hand():
    b = pd.Series({"A": 10.0, "B": 30.0, "C": 20.0, "D": 20.0})
    a = pd.Series({"D": 50.0, "C": 5.0, "B": 40.0, "A": 15.0})  # different order
    assert m.rank(b).to_dict() == {"A": 4, "B": 1, "C": 2, "D": 2}
    rc = m.rank_change(b, a)
    assert rc.loc["D"].tolist() == [2, 1, 1]
    assert rc.loc["C"].tolist() == [2, 4, -2]
    assert rc.loc["B", "change"] == -1


def test_growth_decomposition_hand():
    d = m.growth_decomposition(pd.Series({"A": 100.0, "B": 300.0}),
                               pd.Series({"A": 150.0, "B": 330.0}))
    # G = 80 / 400 = 0.2; c_A = 50/400 = 0.125, c_B = 30/400 = 0.075
    assert d.attrs["national_growth"] == pytest.approx(0.2)
    np.testing.assert_allclose(d["contribution"], [0.125, 0.075])
    np.testing.assert_allclose(d["growth"], [0.5, 0.1])
    np.testing.assert_allclose(d["national_component"], [0.05, 0.15])
    np.testing.assert_allclose(d["differential_component"], [0.075, -0.075])
    np.testing.assert_allclose(d["contribution_share"], [0.625, 0.375])


values = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1,
                  max_size=40)


@settings(max_examples=60, deadline=None)
@given(values)
def test_hhi_bounds(vals):
    v = pd.Series(vals, index=[f"r{i}" for i in range(len(vals))])
    if v.sum() == 0:
        with pytest.raises(ParameterError, match="zero"):
            m.hhi(v)
        return
    h = m.hhi(v)
    n = len(v)
    assert 1.0 / n - 1e-12 <= h <= 1.0 + 1e-12
    k = min(4, n)
    cr = m.concentration_ratio(v, n=k)
    assert k / n - 1e-12 <= cr <= 1.0 + 1e-12
    assert m.share(v).sum() == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 1e6), st.floats(0, 1e6)), min_size=1, max_size=40))
def test_regional_contributions_sum_to_national_growth(pairs):
    idx = [f"r{i}" for i in range(len(pairs))]
    b = pd.Series([p[0] for p in pairs], index=idx)
    a = pd.Series([p[1] for p in pairs], index=idx)
    d = m.growth_decomposition(b, a)
    G = (a.sum() - b.sum()) / b.sum()
    assert d.attrs["national_growth"] == pytest.approx(G, rel=1e-9, abs=1e-12)
    assert d["contribution"].sum() == pytest.approx(G, rel=1e-9, abs=1e-9)
    # a sum of terms of order 1e5 that cancel: rounding leaves ~1e-9 (relative 1e-14)
    assert d["differential_component"].sum() == pytest.approx(0.0, abs=1e-6)


# ----------------------------------------------------------------- errors
def test_errors():
    with pytest.raises(ParameterError, match="negative values for \\['B'\\]"):
        m.share(pd.Series({"A": 1.0, "B": -2.0}))
    with pytest.raises(ParameterError, match="empty"):
        m.hhi(pd.Series([], dtype=float))
    with pytest.raises(ParameterError, match="empty"):
        m.location_quotient(pd.DataFrame())
    with pytest.raises(ParameterError, match="negative values at .*R2"):
        m.location_quotient(ECONGEO.replace(70, -70))
    with pytest.raises(ParameterError, match=r"only in the first \['C'\]"):
        m.growth_decomposition(pd.Series({"A": 1.0, "C": 2.0}), pd.Series({"A": 1.0, "B": 2.0}))
    with pytest.raises(ParameterError, match="indices differ"):
        m.rank_change(pd.Series({"A": 1.0}), pd.Series({"B": 1.0}))
    with pytest.raises(ParameterError, match="missing values for \\['B'\\]"):
        m.share(pd.Series({"A": 1.0, "B": np.nan}))
    with pytest.raises(ParameterError, match="exceeds"):
        m.concentration_ratio(pd.Series([1.0, 2.0]), n=4)
    assert issubclass(ParameterError, ValueError)


def test_missing_drop_is_reported():
    s = m.share(pd.Series({"A": 1.0, "B": np.nan, "C": 3.0}), missing="drop")
    assert s.attrs["dropped"] == ["B"]
    assert s.to_dict() == {"A": 0.25, "C": 0.75}
    d = m.growth_decomposition(pd.Series({"A": 1.0, "B": np.nan}),
                               pd.Series({"A": 2.0, "B": 3.0}), missing="drop")
    assert d.attrs["dropped"] == ["B"] and list(d.index) == ["A"]


# ----------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def panel_long():
    from cluster_research import data

    return data.load("provincial_panel")


def test_real_shares_hhi_against_hand(panel_long):
    p = panel_long[panel_long["indicator"] == "ecommerce_sales"]
    year = int(p["year"].max())
    v = p[p["year"] == year].set_index("region")["value"]
    assert len(v) == 31
    total = sum(float(x) for x in v.to_numpy())
    s = m.share(v)
    assert s["上海"] == pytest.approx(float(v["上海"]) / total, rel=1e-12)
    assert m.hhi(v) == pytest.approx(sum((float(x) / total) ** 2 for x in v), rel=1e-12)
    top4 = sorted((float(x) for x in v), reverse=True)[:4]
    assert m.cr4(v) == pytest.approx(sum(top4) / total, rel=1e-12)
    b = p[p["year"] == year - 1].set_index("region")["value"]
    d = m.growth_decomposition(b, v)
    assert d["contribution"].sum() == pytest.approx(v.sum() / b.sum() - 1, rel=1e-9)


# --- share_lq_table: one row per (year, region); LQ only for years with a reference ------
def test_share_lq_table_one_row_per_year_region_and_lq_only_where_reference_exists():
    # hand computation: 2021 x = (2, 6), g = (4, 4): X/G = 8/8 = 1,
    # LQ_A = (2/4)/1 = 0.5, LQ_B = (6/4)/1 = 1.5; 2020 has no reference -> NaN
    v = pd.DataFrame({"A": [1.0, 2.0], "B": [3.0, 6.0]}, index=[2020, 2021])
    g = pd.DataFrame({"A": [4.0, 4.0], "B": [4.0, 4.0]}, index=[2021, 2022])
    out = m.share_lq_table(v, g)
    assert list(out.columns) == ["year", "region", "share", "lq"]
    assert len(out) == 4 and not out.duplicated(["year", "region"]).any()
    assert out["year"].dtype.kind == "i" and out["share"].dtype.kind == "f"
    row = out.set_index(["year", "region"])
    assert row.loc[(2021, "A"), "lq"] == pytest.approx(0.5)
    assert row.loc[(2021, "B"), "lq"] == pytest.approx(1.5)
    assert row.loc[(2020, "A"), "share"] == pytest.approx(0.25)
    assert row.loc[[(2020, "A"), (2020, "B")], "lq"].isna().all()


def test_share_lq_table_missing_reference_region_is_nan_and_excluded_from_totals():
    # B has no reference in 2021: LQ_A uses totals over A only -> (2/4)/(2/4) = 1
    v = pd.DataFrame({"A": [2.0], "B": [6.0]}, index=[2021])
    g = pd.DataFrame({"A": [4.0], "B": [np.nan]}, index=[2021])
    row = m.share_lq_table(v, g).set_index("region")
    assert row.loc["A", "lq"] == pytest.approx(1.0)
    assert np.isnan(row.loc["B", "lq"])
    assert row.loc["B", "share"] == pytest.approx(0.75)


def test_share_lq_table_unobserved_value_gives_no_row_and_negative_raises():
    v = pd.DataFrame({"A": [2.0, np.nan], "B": [6.0, 1.0]}, index=[2020, 2021])
    out = m.share_lq_table(v, v)
    assert len(out) == 3
    assert out.loc[out.year == 2021, "share"].tolist() == [1.0]
    with pytest.raises(ParameterError, match="negative"):
        m.share_lq_table(-v, v)
    with pytest.raises(ParameterError, match="DataFrame"):
        m.share_lq_table(v["A"], v)
