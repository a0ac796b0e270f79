"""Tests for cluster_research.data: source values, cross-checks, validation, provenance.

Expected values below were read by hand from the raw files / SOURCES.md, not produced by the
code under test.
"""

import hashlib
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cluster_research import data as D
from cluster_research.data import DataValidationError

RAW = D.data_dir() / "raw"


def cell(df, region, year, indicator):
    sel = df[(df.region == region) & (df.year == year) & (df.indicator == indicator)]
    assert len(sel) == 1, (region, year, indicator, len(sel))
    return sel.value.item()


@pytest.fixture(scope="module")
def panel():
    return D.load("provincial_panel")


@pytest.fixture(scope="module")
def econ():
    return D.load("provincial_economy")


# --- contract: columns and shapes ------------------------------------------------------------


def test_panel_columns_and_grid(panel):
    assert (
        list(panel.columns)
        == D.PANEL_COLUMNS
        == [
            "region_code",
            "region",
            "region_en",
            "year",
            "indicator",
            "indicator_zh",
            "value",
            "unit",
            "source_id",
        ]
    )
    assert len(panel) == 31 * 10 * 9
    assert panel.year.dtype == "int64" and panel.value.dtype == "float64"
    assert set(panel.indicator) == set(D.PANEL_INDICATORS)
    assert panel.region_code.str.fullmatch(r"\d{6}").all()
    assert panel.value.isna().sum() == 31  # only 2024 ecommerce_firms_share
    assert not panel.duplicated(["region", "year", "indicator"]).any()


def test_economy_columns(econ):
    assert list(econ.columns) == D.PANEL_COLUMNS
    yrs = econ.groupby("indicator").year.agg(["min", "max"])
    assert tuple(yrs.loc["gdp"]) == (2019, 2024)
    assert tuple(yrs.loc["gdp_per_capita"]) == (2019, 2024)
    assert tuple(yrs.loc["retail_sales"]) == (2016, 2024)
    assert tuple(yrs.loc["gdp_index"]) == (2016, 2024)
    assert tuple(yrs.loc["population"]) == (2024, 2024)
    assert econ.value.notna().all()


def test_series_tables_columns():
    for name in ("shanghai_ecommerce", "national_ecommerce"):
        df = D.load(name)
        assert list(df.columns) == D.SERIES_COLUMNS
        assert set(df.qualifier) <= set(D.QUALIFIERS)
    sh, cn = D.load("shanghai_ecommerce"), D.load("national_ecommerce")
    assert len(sh) + len(cn) == 72
    assert set(cn.region) == {"全国"}


def test_load_returns_copy(panel):
    df = D.load("provincial_panel")
    df.loc[0, "value"] = -1
    assert D.load("provincial_panel").loc[0, "value"] != -1


def test_unknown_dataset():
    with pytest.raises(DataValidationError, match="unknown dataset"):
        D.load("nope")


# --- spot checks against source values --------------------------------------------------------


def test_panel_spot_values(panel):
    assert cell(panel, "上海", 2024, "ecommerce_sales") == 46683.4
    assert cell(panel, "北京", 2015, "ecommerce_sales") == 10530.5
    assert cell(panel, "北京", 2024, "ecommerce_sales") == 46980.2
    assert cell(panel, "北京", 2024, "ecommerce_firms") == 11528
    assert cell(panel, "北京", 2024, "computers_per_100_people") == 80
    assert math.isnan(cell(panel, "上海", 2024, "ecommerce_firms_share"))


def test_panel_repo_summary_figures(panel):
    """Summary figures of the source repository's README, as listed in SOURCES.md section 1."""
    s24 = panel[(panel.year == 2024) & (panel.indicator == "ecommerce_sales")]
    assert round(s24.value.sum()) == 386544
    top = s24.sort_values("value", ascending=False)
    assert list(top.region[:5]) == ["广东", "北京", "上海", "山东", "江苏"]
    assert top.value.iloc[0] == 53706.6
    assert round(100 * top.value[:5].sum() / s24.value.sum(), 1) == 54.9
    assert round(top.value.max() / top.value.min(), 1) == 181.8
    sales = panel[panel.indicator == "ecommerce_sales"].pivot(
        index="year", columns="region", values="value"
    )
    assert round(sales.loc[2024, "西藏"] / sales.loc[2015, "西藏"], 2) == 9.41
    drops = sales.pct_change().stack()
    big = {(r, y): round(100 * v, 1) for (y, r), v in drops[drops < -0.30].items()}
    assert big == {
        ("青海", 2017): -69.9,
        ("云南", 2016): -55.8,
        ("新疆", 2016): -54.1,
        ("西藏", 2020): -52.0,
        ("黑龙江", 2016): -42.0,
        ("青海", 2023): -41.0,
        ("重庆", 2023): -33.8,
        ("青海", 2016): -31.4,
    }


def test_breaks_recomputes_the_flagged_drops(panel):
    b = D.breaks("ecommerce_sales", -0.30)
    got = {(r, y): round(100 * c, 1) for r, y, c in zip(b.region, b.year, b.change)}
    # the hand-checked list of data/README.md caveat 2 (same as the test above)
    assert got == {("青海", 2017): -69.9, ("云南", 2016): -55.8, ("新疆", 2016): -54.1,
                   ("西藏", 2020): -52.0, ("黑龙江", 2016): -42.0, ("青海", 2023): -41.0,
                   ("重庆", 2023): -33.8, ("青海", 2016): -31.4}
    assert b.change.is_monotonic_increasing
    qh = b[(b.region == "青海") & (b.year == 2017)].iloc[0]
    sales = panel[(panel.indicator == "ecommerce_sales") & (panel.region == "青海")]
    v = sales.set_index("year")["value"]
    assert (qh.previous, qh.value) == (v[2016], v[2017])
    assert len(D.breaks("ecommerce_sales", -0.50)) == 4


def test_breaks_never_bridges_a_gap_and_checks_threshold(panel):
    sales = panel[panel.indicator == "ecommerce_sales"].copy()
    # remove Qinghai 2016: 2017 has no previous year any more, so it cannot be flagged
    holed = sales[~((sales.region == "青海") & (sales.year == 2016))]
    got = set(zip(*D.breaks("ecommerce_sales", -0.30, df=holed)[["region", "year"]].T.values))
    assert ("青海", 2017) not in got and ("青海", 2016) not in got
    assert len(got) == 6
    for bad in (0.3, -1.0, 0, "-0.3"):
        with pytest.raises(ValueError, match="threshold"):
            D.breaks("ecommerce_sales", bad)
    with pytest.raises(D.DataValidationError, match="no rows"):
        D.breaks("no_such_indicator")


def test_economy_spot_values(econ):
    # read from data/raw/province_economy_nbs/nbs_exports/*.csv by hand
    assert cell(econ, "上海", 2024, "gdp") == 53759.5
    assert cell(econ, "广东", 2024, "gdp") == 141488.9
    assert cell(econ, "北京", 2019, "gdp") == 37767.0
    assert cell(econ, "北京", 2024, "gdp_per_capita") == 228167
    assert cell(econ, "上海", 2024, "retail_sales") == 15872.3
    assert cell(econ, "江苏", 2016, "retail_sales") == 29612.5
    assert cell(econ, "湖北", 2020, "gdp_index") == 94.6
    assert cell(econ, "上海", 2024, "population") == 2480
    assert cell(econ, "新疆", 2024, "va_transport_storage_post") == 1200.2


def test_hand_collected_spot_values():
    sh = D.shanghai_transactions()
    assert sh.loc[2010] == 4252.8
    assert sh.loc[2002] == 253.86
    assert sh.loc[2016] == 20049.3  # two exact sources agree
    assert sh.loc[2019] == 33200.0  # 3.32 trillion yuan
    assert 2015 not in sh.index  # 1.2 万亿元 is a target, never an actual
    assert 2017 not in sh.index  # "pass 2.4 trillion" is a lower bound
    h1 = D.shanghai_transactions(period="H1")
    assert h1.loc[2011] == 2495.05
    df = D.load("shanghai_ecommerce")
    t = df[(df.year == 2015) & (df.series == "ecommerce_transaction_volume")]
    assert t.qualifier.tolist() == ["target"] and t.value.item() == 12000.0
    assert t.value_original.item() == 1.2 and t.unit_original.item() == "万亿元"
    assert t.source_id.item() == "hc_eastday_2011_12_23"
    cn = D.series("China", "ecommerce_transaction_volume", "national_ecommerce")
    assert cn.loc[2010] == 45000.0
    with pytest.raises(DataValidationError, match="conflicting"):
        D.series(
            "全国",
            "ecommerce_transaction_volume",
            "national_ecommerce",
            qualifiers=("exact", "approx"),
        )
    with pytest.raises(DataValidationError, match="38770.0, 38773.0"):
        D.series("全国", "online_retail_sales", "national_ecommerce")  # 3.877 trn vs 38773 亿元
    ors = D.series(
        "全国",
        "online_retail_sales",
        "national_ecommerce",
        exclude_source_ids=("hc_dc360_2016_01_27",),
    )
    assert ors.loc[2015] == 38773.0 and ors.loc[2014] == 27898.0 and ors.loc[2024] == 155000.0


def test_shanghai_exclusions():
    s = D.shanghai_transactions(exclude_source_ids=("hc_researchinchina_2008",))
    assert 2007 not in s.index and 2010 in s.index


def test_major_cities():
    df = D.load("major_cities_gdp")
    assert list(df.columns) == D.CITY_COLUMNS and len(df) == 618
    assert df[(df.city == "上海") & (df.year == 1999)].value.item() == 4188.73
    assert "苏州" not in set(df.city)


# --- cross-checks between NBS exports ---------------------------------------------------------


def _export_table(rel):
    exp = D.parse_nbs_export(RAW / rel)
    return exp, {label: vals for _ln, label, vals in exp.rows}


def test_gdp_by_year_file_equals_per_year_files(econ):
    exp, rows = _export_table(D.CROSSCHECK_FILES["nbs_export_gdp_by_year"])
    years = [int(h[:4]) for h in exp.header[1:]]
    n = 0
    for label, vals in rows.items():
        for y, v in zip(years, vals):
            if v == "":
                assert y == 2025
                continue
            assert cell(econ, D.region_name(label), y, "gdp") == float(v), (label, y)
            n += 1
    assert n == 124


def test_archive_is_beijing(econ):
    exp, rows = _export_table(D.CROSSCHECK_FILES["nbs_export_archive_beijing"])
    years = [int(h[:4]) for h in exp.header[1:]]
    by_label = {f"{v[0]} ({v[1]})": k for k, v in D.ECONOMY_INDICATORS.items()}
    n = 0
    for label, vals in rows.items():
        ind = by_label[label]
        for y, v in zip(years, vals):
            if 2019 <= y <= 2024:
                assert cell(econ, "北京", y, ind) == float(v), (ind, y)
                n += 1
    assert n == 14 * 6
    # the unlabelled per-capita export: its 北京 value equals the archive's 2025 column
    exp2, rows2 = _export_table(D.CROSSCHECK_FILES["nbs_export_gdp_per_capita_unlabelled"])
    assert exp2.time == ""
    assert rows2["北京市"][0] == rows["人均地区生产总值 (元/人)"][years.index(2025)] == "238705"


def test_gdp_vintage_footnote():
    for sid, rel, _layout, _spec in D.ECONOMY_FILES:
        if "gdp" in sid:
            notes = " ".join(D.parse_nbs_export(RAW / rel).notes)
            assert "第五次全国经济普查" in notes, rel


def test_sector_sums(econ):
    """三次产业 add up to GDP within rounding (0.1 亿元 per term) in every export year."""
    w = econ.pivot_table(index=["region", "year"], columns="indicator", values="value")
    w = w.dropna(subset=["gdp"])
    resid = (w.gdp_primary + w.gdp_secondary + w.gdp_tertiary - w.gdp).abs()
    assert (resid <= 0.25).all()


# --- regions ----------------------------------------------------------------------------------


def test_regions_table(panel):
    r = D.regions()
    assert list(r.columns) == ["code", "name_zh", "name_zh_full", "name_en", "kind"]
    assert len(r) == 31 and r.code.is_unique
    assert (r.kind == "municipality").sum() == 4 and (r.kind == "autonomous_region").sum() == 5
    raw = pd.read_csv(RAW / "nbs_provincial/nbs_digital_economy.csv", dtype=str)
    pairs = set(zip(raw["省份"], raw["地区代码"].str[:6]))
    assert pairs == set(zip(r.name_zh, r.code))


@pytest.mark.parametrize("name", ["上海", "上海市", "310000", "Shanghai", "SHANGHAI", " shanghai "])
def test_region_lookup(name):
    assert D.region_code(name) == "310000"
    assert D.region_name(name, "en") == "Shanghai"
    assert D.region_name(name, "full") == "上海市"


def test_region_lookup_errors():
    for bad in ["火星", "", "999999", None]:
        with pytest.raises(DataValidationError, match="unknown region"):
            D.region_code(bad)
    # a city of the Taobao-village lists is recognised, and refused: the code is a province's
    with pytest.raises(DataValidationError, match="is a city .*浙江省"):
        D.region_code("杭州")
    with pytest.raises(DataValidationError):
        D.region_name("上海", "fr")
    assert D.region_code("Xizang") == D.region_code("西藏自治区") == "540000"


# --- provenance -------------------------------------------------------------------------------


def test_sources_register():
    s = D.sources()
    assert list(s.columns) == [
        "source_id",
        "publisher",
        "title",
        "url",
        "table",
        "date",
        "terms",
        "notes",
    ]
    paper = s.set_index("source_id").loc["paper"]
    assert paper.title == "上海电子商务产业集群推进策略研究"
    assert "unknown" in paper.publisher
    used = set()
    for name in D.DATASETS:
        used |= set(D.load(name).source_id)
    assert used <= set(s.source_id)
    hc = pd.read_csv(RAW / "hand_collected/series.csv", dtype=str, keep_default_na=False)
    assert (s.source_id.str.startswith("hc_")).sum() == hc.source_url.nunique() == 44
    for sid in [f[0] for f in D.ECONOMY_FILES] + list(D.CROSSCHECK_FILES):
        assert sid in set(s.source_id)


def test_manifest_lists_every_raw_file_and_matches_sources_md():
    man = D.read_manifest(D.data_dir())
    files = {p.relative_to(RAW).as_posix() for p in RAW.rglob("*") if p.is_file()}
    assert set(man) == files - {"MANIFEST.sha256"}
    # hash published in SOURCES.md section 1 (independent of this package)
    assert man["nbs_provincial/nbs_digital_economy.csv"] == (
        "224f38d4fb287994eca7d96f3ca16c933c9ae50dddc8043bae4e4940fb482271"
    )
    assert D.verify_manifest() == sorted(man)


def _copy_data(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(D.data_dir() / "raw", root / "raw")
    shutil.copy(D.data_dir() / "sources.csv", root / "sources.csv")
    return root


def test_checksum_mismatch(tmp_path):
    root = _copy_data(tmp_path)
    assert len(D.load("provincial_panel", root=root)) == 2790  # warm the cache
    f = root / "raw/nbs_provincial/nbs_digital_economy.csv"
    data = f.read_bytes().replace(b"46683.4", b"46683.5")
    f.write_bytes(data)
    with pytest.raises(DataValidationError) as ei:
        D.load("provincial_panel", root=root)
    msg = str(ei.value)
    assert "nbs_digital_economy.csv" in msg and ei.value.path == str(f)
    assert "224f38d4fb287994eca7d96f3ca16c933c9ae50dddc8043bae4e4940fb482271" in msg
    assert hashlib.sha256(data).hexdigest() in msg
    with pytest.raises(DataValidationError, match="sha256 mismatch"):
        D.verify_manifest(root)


def test_unlisted_and_missing_raw_file(tmp_path):
    root = _copy_data(tmp_path)
    man = root / "raw/MANIFEST.sha256"
    lines = [ln for ln in man.read_text().splitlines() if "hand_collected" not in ln]
    man.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataValidationError, match="not listed"):
        D.load("shanghai_ecommerce", root=root)
    (root / "raw/nbs_major_cities_gdp/major_cities_gdp_1999_2017_long.csv").unlink()
    with pytest.raises(DataValidationError, match="cannot read"):
        D.load("major_cities_gdp", root=root)


def test_processed_files_equal_fresh_build(tmp_path):
    paths = D.build_processed(tmp_path)
    committed = D.data_dir() / "processed"
    assert sorted(p.name for p in paths) == sorted(p.name for p in committed.glob("*.csv"))
    for p in paths:
        assert p.read_bytes() == (committed / p.name).read_bytes(), p.name


# --- coverage ---------------------------------------------------------------------------------


def test_coverage(panel, econ):
    gaps = D.coverage(panel)
    assert list(gaps.columns) == ["region", "indicator", "year", "status"]
    assert len(gaps) == 31 and set(gaps.year) == {2024} and set(gaps.status) == {"empty"}
    assert set(gaps.indicator) == {"ecommerce_firms_share"}
    eg = D.coverage(econ)
    g = eg[(eg.region == "上海") & (eg.indicator == "gdp")]
    assert sorted(g.year) == [2016, 2017, 2018] and set(g.status) == {"absent"}


# --- NBS export parser ------------------------------------------------------------------------

GOOD = (
    "\ufeff数据库：分省年度数据 \n时间：2024年 \n地区\t,年末常住人口 (万人) \t,\n"
    "北京市\t,2183\t,\n天津市\t,\t,\n注：1. note\n数据来源：国家统计局"
)


def test_parse_nbs_export_ok():
    exp = D.parse_nbs_export(GOOD.encode(), path="x.csv")
    assert exp.database == "分省年度数据" and exp.time == "2024年"
    assert exp.rows == [(4, "北京市", ["2183"]), (5, "天津市", [""])]
    assert exp.notes[-1] == "数据来源：国家统计局"


@pytest.mark.parametrize(
    ("mutate", "row"),
    [
        (lambda s: s.replace("数据库：", "Database:"), 1),
        (lambda s: s.replace("时间：", "Time:"), 2),
        (lambda s: s.replace("2183\t,", "2183,"), 4),
        (lambda s: s.replace("2183", "2,183"), 4),
        (lambda s: s.replace("2183", "n/a"), 4),
        (lambda s: s.replace("2183\t,", "2183\t,9\t,"), 4),
        (lambda s: s.replace("\n数据来源：国家统计局", ""), None),
        (lambda s: s.replace("注：1. note", "注：1. note\n\n"), 7),
        (lambda s: s.replace("地区\t,", "省份\t,"), 3),
    ],
)
def test_parse_nbs_export_rejects(mutate, row):
    with pytest.raises(DataValidationError) as ei:
        D.parse_nbs_export(mutate(GOOD).encode(), path="x.csv")
    assert ei.value.path == "x.csv"
    assert ei.value.row == row


def test_parse_nbs_export_rejects_non_utf8():
    with pytest.raises(DataValidationError, match="UTF-8"):
        D.parse_nbs_export(
            GOOD.encode("gbk", errors="ignore").replace(b"\xef\xbb\xbf", b""), path="g.csv"
        )


# --- read_csv ---------------------------------------------------------------------------------


def write(tmp_path, text, name="u.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_read_csv_series_ok(tmp_path):
    p = write(
        tmp_path,
        "Region,year,value,unit,period,qualifier,source\n"
        "杭州,2010,1.2,万亿元,FY,exact,some report\n"
        "上海市,2011,,亿元,H1,approx,\n"
        "Shanghai,2012,897.89,billion yuan,,,\n",
    )
    df = D.read_csv(p)
    assert list(df.columns) == D.SERIES_COLUMNS
    assert df.region.tolist() == ["杭州", "上海", "上海"]
    assert df.value[0] == 12000.0 and math.isnan(df.value[1]) and df.value[2] == 8978.9
    assert df.period.tolist() == ["FY", "H1", "FY"]
    assert df.qualifier.tolist() == ["exact", "approx", "exact"]
    assert df.series.unique().tolist() == ["value"] and set(df.source_id) == {"user"}
    gaps = D.coverage(df)
    assert ("上海", 2011, "empty") in set(zip(gaps.region, gaps.year, gaps.status))


def test_read_csv_panel_ok(tmp_path):
    p = write(
        tmp_path,
        "region,year,indicator,value,unit\n深圳,2020,retail,8664.8,亿元\n"
        "深圳,2020,users,120,万户\n深圳,2021,retail,9498.1,亿元\n",
    )
    df = D.read_csv(p, kind="panel")
    assert list(df.columns) == [
        "region",
        "year",
        "indicator",
        "value",
        "unit",
        "source_id",
        "source_title",
    ]
    assert D.coverage(df).empty is False  # users 2021 absent
    assert df.unit.tolist() == ["亿元", "万户", "亿元"]


@pytest.mark.parametrize(
    ("text", "kind", "row", "column", "match"),
    [
        ("region,year,value\n杭州,2010,1\n", "series", 1, "unit", "missing required column"),
        (
            "region,year,value,unit,colour\n杭州,2010,1,亿元,red\n",
            "series",
            1,
            "colour",
            "unexpected column",
        ),
        ("region,year,value,unit,unit\n", "series", 1, "unit", "duplicate column"),
        ("region,Year,value,unit,year\n", "series", 1, "year", "duplicate column"),
        ("\ufeffregion,year,value,unit\n杭州,2010,1\x00,亿元\n", "series", None, None, "NUL"),
        ("region,year,value,unit\n杭州,2010,abc,亿元\n", "series", 2, "value", "not a number"),
        ('region,year,value,unit\n杭州,2010,"1,234",亿元\n', "series", 2, "value", "not a number"),
        ("region,year,value,unit\n杭州,2010,-5,亿元\n", "series", 2, "value", "negative"),
        ("region,year,value,unit\n杭州,2010,5,dollars\n", "series", 2, "unit", "unknown unit"),
        ("region,year,value,unit\n,2010,5,亿元\n", "series", 2, "region", "empty region"),
        ("region,year,value,unit\n123,2010,5,亿元\n", "series", 2, "region", "unknown region"),
        ("region,year,value,unit\n杭州,1800,5,亿元\n", "series", 2, "year", "out of range"),
        ("region,year,value,unit\n杭州,2010.5,5,亿元\n", "series", 2, "year", "not an integer"),
        (
            "region,year,value,unit\n杭州,2010,5,亿元\n杭州,2010,6,亿元\n",
            "series",
            3,
            None,
            "duplicate key",
        ),
        (
            "region,year,value,unit,qualifier\n杭州,2010,5,亿元,roughly\n",
            "series",
            2,
            "qualifier",
            "qualifier",
        ),
        ("region,year,value,unit\n杭州,2010,5\n", "series", 2, None, "expected 4 fields"),
        (
            "region,year,indicator,value,unit\n杭州,2010,gdp,1,亿元\n杭州,2010,gdp,2,亿元\n",
            "panel",
            3,
            None,
            "duplicate key",
        ),
        (
            "region,year,indicator,value,unit\n杭州,2010,GDP 总,1,亿元\n",
            "panel",
            2,
            "indicator",
            "indicator id",
        ),
        ("region,year,value,unit\n", "series", None, None, "no data rows"),
        ("", "series", None, None, "empty file"),
        (
            'region,year,value,unit\n"杭州,2010,5,亿元\n',
            "series",
            None,
            None,
            "malformed CSV|expected 4",
        ),
    ],
)
def test_read_csv_errors(tmp_path, text, kind, row, column, match):
    p = write(tmp_path, text)
    with pytest.raises(DataValidationError, match=match) as ei:
        D.read_csv(p, kind=kind)
    err = ei.value
    assert err.path == str(p) and str(p) in str(err)
    if row is not None:
        assert err.row == row and f"row {row}" in str(err)
    if column is not None:
        assert err.column == column


def test_read_csv_strict_regions_and_encoding(tmp_path):
    p = write(tmp_path, "region,year,value,unit\n杭州,2010,5,亿元\n")
    with pytest.raises(DataValidationError, match="unknown region"):
        D.read_csv(p, strict_regions=True)
    g = tmp_path / "gbk.csv"
    g.write_bytes("region,year,value,unit\n杭州,2010,5,亿元\n".encode("gbk"))
    with pytest.raises(DataValidationError, match="UTF-8") as ei:
        D.read_csv(g)
    assert ei.value.row == 2
    with pytest.raises(DataValidationError, match="cannot read"):
        D.read_csv(tmp_path / "missing.csv")
    with pytest.raises(DataValidationError, match="kind"):
        D.read_csv(p, kind="wide")


def test_read_csv_signed_unit(tmp_path):
    p = write(tmp_path, "region,year,value,unit\n杭州,2010,-3.5,% YoY\n")
    assert D.read_csv(p).value[0] == -3.5


def test_error_pickles():
    import pickle

    e = DataValidationError("bad", path="f.csv", row=2, column="value", value="x")
    e2 = pickle.loads(pickle.dumps(e))
    assert (e2.path, e2.row, e2.column, e2.value, str(e2)) == ("f.csv", 2, "value", "x", str(e))


def test_series_helper(panel):
    s = D.series("Beijing", "ecommerce_sales")
    assert s.name == "ecommerce_sales" and s.index.dtype == "int64"
    assert s.loc[2015] == 10530.5 and list(s.index) == list(range(2015, 2025))
    assert math.isnan(D.series("上海", "ecommerce_firms_share").loc[2024])
    with pytest.raises(DataValidationError):
        D.series("上海", "nope")
    with pytest.raises(DataValidationError):
        D.series("杭州", "ecommerce_sales")


def test_data_dir_is_repo_data():
    assert D.data_dir() == Path(D.__file__).resolve().parents[2] / "data"


def test_readme_examples_parse(tmp_path):
    """The CSV examples in data/README.md are valid input for read_csv."""
    import re

    text = (D.data_dir() / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```csv\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 2
    s = write(tmp_path, blocks[0], "s.csv")
    df = D.read_csv(s, kind="series")
    assert set(df.region) == {"上海"} and df.value.tolist()[2] == 33200.0
    p = write(tmp_path, blocks[1], "p.csv")
    dp = D.read_csv(p, kind="panel")
    assert dp.value.tolist()[:2] == [19492.6, 22490.06]
    gaps = D.coverage(dp)
    assert ("杭州", 2018, "empty") in set(zip(gaps.region, gaps.year, gaps.status))


@pytest.mark.parametrize(("typo", "suggestion"), [("Shanghaii", "上海 (Shanghai)"),
                                                  ("Guangdon", "广东 (Guangdong)"),
                                                  ("浙 江", "浙江 (Zhejiang)")])
def test_unknown_region_suggests_the_closest(typo, suggestion):
    with pytest.raises(D.DataValidationError, match=re.escape(f"did you mean {suggestion}?")):
        D.region_code(typo)


def test_city_is_not_a_province_and_gets_no_false_suggestion():
    # 杭州 is a city of the Taobao-village lists: named with its province, not "did you mean"
    with pytest.raises(D.DataValidationError) as ei:
        D.region_code("杭州")
    assert "did you mean" not in str(ei.value) and "杭州市" in str(ei.value)
    assert "浙江省" in str(ei.value)


def test_secondary_sources_are_the_rows_marked_secondary_and_main_fits_leave_them_out():
    d = D.load("shanghai_ecommerce")
    marked = set(d.loc[d["notes"].astype(str).str.startswith("SECONDARY")
                       & (d["series"] == "ecommerce_transaction_volume"), "source_id"])
    assert marked == set(D.SECONDARY_SOURCES)
    main, every = D.shanghai_transactions(), D.shanghai_transactions(exclude_source_ids=())
    assert set(every.index) - set(main.index) == {2025}
