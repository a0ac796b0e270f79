"""Tests for cluster_research.regression.analysis_frame (synthetic and real NBS data)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from cluster_research import regression as reg
from cluster_research.errors import DataValidationError, ParameterError

LONG_COLS = ["region_code", "region", "region_en", "year", "indicator", "indicator_zh",
             "value", "unit", "source_id"]
REGIONS = [("310000", "上海", "Shanghai"), ("330000", "浙江", "Zhejiang"),
           ("110000", "北京", "Beijing")]


def long_frame(values: dict, dataset="provincial_panel"):
    """Build a contract-shaped long frame from {(code, year, indicator): value}."""
    names = {c: (zh, en) for c, zh, en in REGIONS}
    rows = [(c, names[c][0], names[c][1], y, ind, ind, v, "u", dataset)
            for (c, y, ind), v in values.items()]
    return pd.DataFrame(rows, columns=LONG_COLS)


@pytest.fixture
def synth():
    vals = {}
    for k, (code, _, _) in enumerate(REGIONS):
        for y in (2022, 2023, 2024):
            vals[(code, y, "ecommerce_sales")] = 100.0 * (k + 1) + y - 2022
            vals[(code, y, "ecommerce_firms")] = 10.0 * (k + 1)
            vals[(code, y, "broadband_users")] = 50.0 + k
    vals[("330000", 2023, "broadband_users")] = np.nan        # a gap
    econ = {}
    for k, (code, _, _) in enumerate(REGIONS):
        for y in (2022, 2023, 2024):
            econ[(code, y, "gdp")] = 1000.0 * (k + 1)
        econ[(code, 2024, "population")] = 2000.0 + k         # 2024 only, as NBS
    return long_frame(vals), long_frame(econ, "provincial_economy")


def test_wide_shape_logs_ratios_and_dropped_report(synth):
    panel, econ = synth
    frame, dropped = reg.analysis_frame(["ecommerce_sales", "ecommerce_firms", "broadband_users"],
                                        ["gdp", "population"], panel=panel, economy=econ)
    assert list(frame.columns[:4]) == ["region_code", "region", "region_en", "year"]
    assert len(frame) == 8  # 9 region-years minus the gap
    assert dropped.to_dict("records") == [
        {"region_code": "330000", "region": "浙江", "year": 2023,
         "reason": "missing broadband_users"}]
    assert frame.attrs["dropped"] is dropped
    sh = frame[(frame["region"] == "上海") & (frame["year"] == 2023)].iloc[0]
    assert sh["ecommerce_sales"] == 101.0
    assert sh["log_ecommerce_sales"] == pytest.approx(np.log(101.0))
    # 101 亿元 / 10 firms = 10.1 亿元 = 101000 万元 per firm
    assert sh["ecommerce_sales_per_firm"] == pytest.approx(101000.0)
    # population only in 2024: per-capita ratios NaN elsewhere, never filled
    assert np.isnan(sh["broadband_users_per_capita"])
    sh24 = frame[(frame["region"] == "上海") & (frame["year"] == 2024)].iloc[0]
    assert sh24["broadband_users_per_capita"] == pytest.approx(50.0 / 2000.0)
    assert sh24["ecommerce_sales_per_capita"] == pytest.approx(102.0 / 2000.0 * 1e4)
    assert any("2024" in n and "population" in n for n in frame.attrs["notes"])


def test_required_columns_and_region_year_filters(synth):
    panel, _ = synth
    frame, dropped = reg.analysis_frame(["ecommerce_sales", "broadband_users"],
                                        required=["ecommerce_sales"], panel=panel,
                                        years=[2023], regions=["Zhejiang", "310000"])
    assert len(dropped) == 0
    assert sorted(frame["region"]) == ["上海", "浙江"]
    assert frame["broadband_users"].isna().sum() == 1  # kept, not filled


def test_nonpositive_in_log_raises_with_region_and_year(synth):
    panel, _ = synth
    panel.loc[(panel["region"] == "北京") & (panel["year"] == 2022)
              & (panel["indicator"] == "ecommerce_sales"), "value"] = 0.0
    with pytest.raises(DataValidationError, match=r"\(entity/time: value\) 北京/2022: 0.0$") as ei:
        reg.analysis_frame(["ecommerce_sales"], panel=panel)
    assert ei.value.column == "ecommerce_sales"
    frame, dropped = reg.analysis_frame(["ecommerce_sales"], panel=panel, nonpositive="drop")
    assert dropped.to_dict("records") == [
        {"region_code": "110000", "region": "北京", "year": 2022,
         "reason": "non-positive ecommerce_sales for log"}]
    assert len(frame) == 8


def test_unknown_indicator_and_missing_columns(synth):
    panel, _ = synth
    with pytest.raises(reg.MissingColumnError, match="retail"):
        reg.analysis_frame(["retail"], panel=panel)
    with pytest.raises(reg.MissingColumnError, match="provincial_panel.value"):
        reg.analysis_frame(["ecommerce_sales"], panel=panel.drop(columns="value"))


def test_frame_feeds_panel_regression(synth):
    panel, _ = synth
    frame, _ = reg.analysis_frame(["ecommerce_sales", "ecommerce_firms", "broadband_users"],
                                  panel=panel)
    # ecommerce_firms has no within-region variation: named as absorbed
    with pytest.raises(ParameterError, match="log_ecommerce_firms"):
        reg.panel(frame, "log_ecommerce_sales ~ log_ecommerce_firms", "region", "year")


# ----------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def data_mod():
    from cluster_research import data

    return data


def test_real_provincial_frame(data_mod):
    ind = ["ecommerce_sales", "ecommerce_firms", "broadband_users", "mobile_internet_users"]
    frame, dropped = reg.analysis_frame(ind)
    long = data_mod.load("provincial_panel")
    cells = long[long["indicator"].isin(ind)]
    n_cells = cells.groupby(["region_code", "year"]).ngroups
    assert len(frame) + len(dropped) == n_cells
    # values are the loaded ones, unchanged (hand check on Shanghai, last year)
    y = int(frame["year"].max())
    sh = frame[(frame["region_code"] == "310000") & (frame["year"] == y)].iloc[0]
    raw = cells[(cells["region_code"] == "310000") & (cells["year"] == y)].set_index(
        "indicator")["value"]
    for c in ind:
        assert sh[c] == raw[c]
        assert sh[f"log_{c}"] == pytest.approx(np.log(raw[c]))
    assert frame.groupby(["region_code", "year"]).size().max() == 1


def test_real_frame_with_economy_reports_gdp_years(data_mod):
    frame, dropped = reg.analysis_frame(["ecommerce_sales"], ["gdp"])
    econ = data_mod.load("provincial_economy")
    gdp_years = set(econ.loc[(econ["indicator"] == "gdp") & econ["value"].notna(), "year"])
    assert set(frame["year"]) <= gdp_years
    assert (dropped["reason"].str.contains("gdp")).all()


def test_real_panel_twoway_dk_runs(data_mod):
    frame, _ = reg.analysis_frame(["ecommerce_sales", "ecommerce_firms", "broadband_users"])
    res = reg.panel(frame, "log_ecommerce_sales ~ log_broadband_users + log_ecommerce_firms",
                    "region_code", "year", effects="twoway", cov_type="driscoll-kraay")
    assert res.n_entities == 31
    assert np.isfinite(res.bse).all()


def test_exclude_drops_listed_region_years_with_reason(synth):
    panel, _ = synth
    exclude = pd.DataFrame({"region": ["Shanghai", "北京", "浙江"], "year": [2023, 2024, 2030],
                            "reason": ["flagged break", "flagged break", "not in frame"]})
    frame, dropped = reg.analysis_frame(["ecommerce_sales"], panel=panel, exclude=exclude)
    assert len(frame) == 9 - 2
    assert dropped.to_dict("records") == [  # in frame order (region code, year)
        {"region_code": "110000", "region": "北京", "year": 2024,
         "reason": "excluded: flagged break"},
        {"region_code": "310000", "region": "上海", "year": 2023,
         "reason": "excluded: flagged break"}]
    assert any("330000 2030" in n for n in frame.attrs["notes"])
    # without a reason column the default reason is recorded
    _, d2 = reg.analysis_frame(["ecommerce_sales"], panel=panel,
                               exclude=pd.DataFrame({"region_code": ["330000"], "year": [2022]}))
    assert d2["reason"].tolist() == ["excluded: excluded by caller"]


def test_exclude_bad_input(synth):
    panel, _ = synth
    with pytest.raises(reg.MissingColumnError, match="exclude.year"):
        reg.analysis_frame(["ecommerce_sales"], panel=panel,
                           exclude=pd.DataFrame({"region": ["上海"]}))
    with pytest.raises(ParameterError, match="DataFrame"):
        reg.analysis_frame(["ecommerce_sales"], panel=panel, exclude=[("上海", 2023)])
    with pytest.raises(ValueError, match="火星"):
        reg.analysis_frame(["ecommerce_sales"], panel=panel,
                           exclude=pd.DataFrame({"region": ["火星"], "year": [2023]}))


def test_real_frame_without_flagged_breaks(data_mod):
    ind = ["ecommerce_sales", "broadband_users"]
    full, _ = reg.analysis_frame(ind)
    b = data_mod.breaks("ecommerce_sales", -0.30)
    frame, dropped = reg.analysis_frame(ind, exclude=b)
    assert len(frame) == len(full) - 8 and len(dropped) == 8
    left = set(zip(frame["region"], frame["year"]))
    assert ("青海", 2017) not in left and ("青海", 2018) in left
