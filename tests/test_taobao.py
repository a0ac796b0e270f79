"""Taobao-village data and analysis, checked against published figures and the raw lists.

Expected values come from outside the code under test: the totals and provincial figures
quoted in the news reports of the AliResearch reports (see data/raw/taobao_villages/
national_counts.csv), the row counts of PROVENANCE.md, and rows read by hand from the
raw appendix files.
"""

from __future__ import annotations

import filecmp
import shutil

import numpy as np
import pandas as pd
import pytest

import cluster_research as cr
from cluster_research import metrics
from cluster_research import taobao as tb
from cluster_research.data import places
from cluster_research.data import taobao as td
from cluster_research.errors import (
    ClusterResearchError,
    DataValidationError,
    ParameterError,
    UnknownPlaceError,
)


@pytest.fixture(scope="module")
def villages():
    return td.load_villages()


# ------------------------------------------------------------------ counts vs published

def test_counts_per_year_equal_published_list_sizes(villages):
    # PROVENANCE.md / the reports: 212 (2014 appendix), 780 (2015), 1,311 (2016)
    assert villages.groupby("year").size().to_dict() == {2014: 212, 2015: 780, 2016: 1311}
    assert len(td.load_towns()) == 135


def test_2016_towns_total_matches_report():
    # qzcns.com 2016-10-31: 全国淘宝镇增至135个
    c = td.load_counts()
    assert int(c[(c.year == 2016) & (c.kind == "towns")].value.iloc[0]) == len(td.load_towns())


def test_province_counts_match_reports():
    tab = tb.counts("province").set_index("province")
    # 3news.cn 2015-12-30: 浙江淘宝村数量达到280个; 17个省区市
    assert tab.loc["浙江省", 2015] == 280
    assert (tab[2015] > 0).sum() == 17
    # qzcns.com 2016-10-31: 浙江506, 广东262, 江苏201
    assert (tab.loc["浙江省", 2016], tab.loc["广东省", 2016], tab.loc["江苏省", 2016]) == (
        506, 262, 201)


def test_cities_and_counties_2016(villages):
    # the issue: 75 cities and 221 counties in 2016
    v = villages[villages.year == 2016]
    assert v[["province", "city"]].drop_duplicates().shape[0] == 75
    assert v[["province", "city", "county"]].drop_duplicates().shape[0] == 221


def test_city_counts_2016_spot_check(villages):
    # counted by hand (grep) in raw taobao_village_list_2016.csv / the xlsx appendix
    c = tb.counts("city").set_index(["province", "city"])
    assert c.loc[("浙江省", "金华市"), 2016] == 95
    assert c.loc[("山东省", "菏泽市"), 2016] == 61
    # 69 rows in the appendix; the news report (qzcns.com 2016-10-31) says 泉州 68个淘宝村:
    # a discrepancy between report text and appendix, kept as found
    assert c.loc[("福建省", "泉州市"), 2016] == 69


def test_quanzhou_2015_matches_report():
    # qzcns.com 2016-10-31: 较2015年报告的…47个淘宝村
    c = tb.counts("city").set_index(["province", "city"])
    assert c.loc[("福建省", "泉州市"), 2015] == 47


# ------------------------------------------------------------------ normalisation log

def test_corrections_are_logged_not_silent():
    log = td.load_corrections()
    dropped = log[log.action == "dropped"]
    assert len(dropped) == 1 and dropped.original.iloc[0].startswith("广东省")
    unused = log[log.action == "not_used"]
    assert len(unused) == 1 and "立碑村" in unused.original.iloc[0]
    ren = log[(log.action == "renamed") & (log.field == "province")]
    assert {("北京", "北京市"), ("天津", "天津市")} <= set(zip(ren.original, ren.corrected))
    assert (log.reason != "").all()


def test_one_spelling_per_province_across_years(villages):
    assert set(villages.province) <= set(cr.data.regions().name_zh_full)
    assert not villages.village.str.endswith("*").any()


def test_codes_are_gbt2260(villages):
    coded = villages[villages.county_code != ""]
    assert coded.county_code.str.fullmatch(r"\d{6}").all()
    assert (coded.county_code.str[:2] == coded.province_code.str[:2]).all()
    yiwu = villages[(villages.county == "义乌市")]
    assert set(yiwu.county_code) == {"330782"}  # GB/T 2260 义乌市
    assert (villages.city_code != "").all()
    # every uncoded county is in the log with its reason
    log = td.load_corrections()
    assert set(log[log.action == "code_city_only"].source_row.astype(int)) >= set(
        villages[villages.code_match == "city_only"].source_row[
            villages.year == 2016])


# ------------------------------------------------------------------ entries and exits

def test_persistence_2014_2015():
    t = tb.transitions().set_index("from_year")
    # PROVENANCE.md: 204 of 212 on county + village before normalisation; the 5 villages of
    # 白沟新城 (county '-' in 2014) now match too: 209. 641 of 780 from 2015 to 2016 raw;
    # the '*' marker of 88 names of 2015 stripped: 716.
    assert t.loc[2014, "persist"] == 209
    assert t.loc[2015, "persist"] == 716
    for y, row in t.iterrows():
        assert row.n_to == row.n_from - row.exits + row.entries


def test_transitions_on_raw_names_reproduce_provenance(villages):
    raw = villages.copy()
    log = td.load_corrections()
    star = log[(log.field == "village") & (log.year.astype(int) == 2015)]
    rows = set(star.source_row.astype(int))
    m = (raw.year == 2015) & raw.source_row.isin(rows)
    raw.loc[m, "village"] = raw.loc[m, "village"] + "*"
    bg = (raw.year == 2014) & (raw.county == "白沟新城")
    raw.loc[bg, "county"] = "-"
    t = tb.transitions(villages=raw).set_index("from_year")
    assert (t.loc[2014, "persist"], t.loc[2015, "persist"]) == (204, 641)


def test_rename_candidates_reported():
    r = tb.rename_candidates(2015, 2016)
    assert ((r.exit_village == "沙头") & (r.entry_village == "沙头村")).any()


# ------------------------------------------------------------------ concentration

def test_gini_known_values():
    assert metrics.gini(pd.Series([1.0, 1.0, 1.0])) == pytest.approx(0.0)
    assert metrics.gini(pd.Series([0.0, 0.0, 0.0, 10.0])) == pytest.approx(0.75)
    # mean absolute difference: values 1..4, sum |xi-xj| over ordered pairs = 20
    assert metrics.gini(pd.Series([1.0, 2.0, 3.0, 4.0])) == pytest.approx(20 / (2 * 16 * 2.5))
    with pytest.raises(ParameterError, match="all zero"):
        metrics.gini(pd.Series([0.0, 0.0]))
    with pytest.raises(ParameterError, match="negative"):
        metrics.gini(pd.Series([1.0, -1.0]))


def test_concentration_province_2016():
    c = tb.concentration("province").set_index("year")
    tab = tb.counts("province")
    s = tab[2016][tab[2016] > 0].to_numpy(float) / 1311
    assert c.loc[2016, "hhi"] == pytest.approx(float(np.sum(s ** 2)))
    assert c.loc[2016, "cr4"] == pytest.approx((506 + 262 + 201 + 108) / 1311)
    assert c.loc[2016, "top"] == "浙江省"


# ------------------------------------------------------------------ national series

def test_national_series_matches_cited_reports():
    s = tb.national_series()
    published = {2013: 20, 2015: 780, 2016: 1311, 2017: 2118, 2018: 3202, 2019: 4310,
                 2020: 5425, 2021: 7023, 2022: 7780}
    for y, v in published.items():
        assert s.loc[y] == v
    assert s.attrs["definition"][2019] == "pre2020" and s.attrs["definition"][2020] == "post2020"
    towns = tb.national_series("towns")
    assert 2021 not in towns.index  # not re-found: left out, never filled in
    c = td.load_counts()
    assert c.source_url.str.startswith("http").all() and (c.quote != "").all()


def test_national_fits_and_stage_report_identification():
    f = tb.national_fits(models=("logistic", "gompertz"), errors=("additive",))
    assert f.converged.all()
    assert set(f.columns) >= {"ceiling", "identified", "identified_reason"}
    st = tb.national_stage()
    assert list(st.method) == ["curve", "net_entry"]
    assert st.reason.str.len().gt(0).all()


# ------------------------------------------------------------------ names, errors

def test_a_listed_city_resolves_through_the_one_resolver():
    assert places.resolve_place("金华", parameter="city").name == "金华市"
    assert places.resolve_place("台州市", parameter="city").name == "台州市"
    with pytest.raises(UnknownPlaceError, match="unknown city '金花市': did you mean 金华市"):
        places.resolve_place("金花市", parameter="city")
    assert issubclass(UnknownPlaceError, DataValidationError)
    assert issubclass(tb.ParameterError, ClusterResearchError)


def test_unknown_level_and_province():
    with pytest.raises(tb.ParameterError):
        tb.counts("township")
    with pytest.raises(tb.ParameterError, match="上海"):
        tb.counts("city", province="上海市")


def test_changed_raw_file_is_rejected(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(cr.data.data_dir(), root)
    p = root / "raw" / "taobao_villages" / "national_counts.csv"
    p.write_bytes(p.read_bytes().replace(b"7780", b"7781"))
    with pytest.raises(cr.data.DataValidationError, match="sha256"):
        td.load_counts(root=root)


# ------------------------------------------------------------------ reproducible build

def test_processed_files_equal_a_fresh_build(tmp_path):
    paths = td.build_taobao(tmp_path)
    for p in paths:
        committed = cr.data.data_dir() / "processed" / "taobao" / p.name
        assert filecmp.cmp(p, committed, shallow=False), p.name


def test_2014_xlsx_and_txt_agree(tmp_path):
    # build_taobao raises if the UTF-16 txt copy differs from the xlsx; a changed byte in
    # the txt must be caught by the checksum first
    root = tmp_path / "data"
    shutil.copytree(cr.data.data_dir(), root)
    td.build_taobao(tmp_path / "out", root=root)


def test_city_series_is_a_count_series():
    s = tb.city_series("金华市")
    # counted in the raw files: 2014 txt 11 (grep -c 金华市), 2015 xlsx 56, 2016 CSV 95
    assert s.tolist() == [11, 56, 95] and s.attrs["unit"] == "个" and s.attrs["province"] == "浙江省"
    with pytest.raises(DataValidationError, match="did you mean 金华市"):
        tb.city_series("金花")


# -- every province of the fan-out (notebooks/params/09_taobao_villages_provinces.yaml) ------
def _fanout_provinces():
    import yaml
    spec = yaml.safe_load(open(cr.outputs.repo_dir() / "notebooks" / "params"
                               / "09_taobao_villages_provinces.yaml", encoding="utf-8"))
    return spec["fanout"]["region"]


@pytest.mark.parametrize("province", _fanout_provinces())
def test_counts_of_every_fanout_province_have_all_list_years_and_pass_the_schema(
        province, tmp_path):
    table = tb.counts("city", province=province)
    assert [c for c in table.columns if isinstance(c, int)] == [2014, 2015, 2016]
    assert (table[[2014, 2015, 2016]].sum(axis=1) == table["total"]).all()
    code = cr.data.region_code(province)
    cr.outputs.save_table(table, f"taobao_counts_{code}", output_dir=tmp_path)


def test_a_province_without_2014_villages_counts_zero_in_2014():
    table = tb.counts("city", province="江西")  # no village of 江西 in the 2014 list
    assert (table[2014] == 0).all() and table[2016].sum() > 0


def test_quantile_classes_of_all_zero_counts_are_one_class():
    from cluster_research.viz import taobao as tm
    assert tm.classes([0, 0, 0], scheme="quantile").tolist() == [0.5, 1.5]
