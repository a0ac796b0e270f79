"""Adversarial input files (issue 16, item 3): each was silently wrong or crashed before.

Every case writes a small file, reads it with ``read_csv`` and checks that the error
names the file, the 1-based line, the column and the value. Expected rows and
columns are read off the file text written here, not produced by the code.
"""

import csv
import io
import math
import pickle

import pandas as pd
import pytest

import cluster_research as cr
from cluster_research import data as D
from cluster_research.data import DataValidationError

H = "region,year,value,unit\n"
HS = "region,year,series,value,unit\n"
HP = "region,year,indicator,value,unit\n"


def write(tmp_path, text, name="u.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def read_err(tmp_path, text, kind="series"):
    p = write(tmp_path, text)
    with pytest.raises(DataValidationError) as ei:
        D.read_csv(p, kind=kind)
    assert ei.value.path == str(p)
    return ei.value


# --- one dimension per series / indicator ------------------------------------------------


def test_series_mixing_currency_count_and_percent_names_the_rows(tmp_path):
    err = read_err(tmp_path, H + "杭州,2010,5,亿元\n杭州,2011,6,亿元\n杭州,2012,7,个\n"
                                 "杭州,2013,8,%\n")
    msg = str(err)
    assert "mixes dimensions" in msg
    assert "currency (亿元) rows 2, 3" in msg and "count (个) row 4" in msg
    assert "percent (%) row 5" in msg
    assert err.row == 4 and err.column == "unit" and err.value == "个"


def test_panel_indicator_mixing_percent_persons_and_currency(tmp_path):
    err = read_err(tmp_path, HP + "深圳,2018,pop,1300,万人\n深圳,2019,pop,3.5,%\n"
                                  "深圳,2020,pop,20,亿元\n", kind="panel")
    msg = str(err)
    assert "indicator 'pop' mixes dimensions" in msg
    assert "persons (万人) row 2" in msg and "percent (%) row 3" in msg
    assert "currency (亿元) row 4" in msg


def test_currency_units_mix_freely_and_separate_series_are_fine(tmp_path):
    p = write(tmp_path, HS + "杭州,2010,gmv,1.2,万亿元\n杭州,2011,gmv,13000,亿元\n"
                             "杭州,2011,firms,120,个\n杭州,2011,share,3.5,%\n")
    df = D.read_csv(p)
    assert df.value.tolist() == [12000.0, 13000.0, 120.0, 3.5]


def test_unconverted_units_of_one_dimension_do_not_mix(tmp_path):
    err = read_err(tmp_path, H + "杭州,2010,1200,万人\n杭州,2011,12000000,人\n")
    assert "not converted" in str(err) and err.row == 3 and err.value == "人"


def test_dimension_message_is_bounded(tmp_path):
    rows = "杭州,2000,1,亿元\n" + "".join(f"杭州,{2001 + i},1,%\n" for i in range(14))
    err = read_err(tmp_path, H + rows)
    assert "rows 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 4 more" in str(err)


# --- digits, range, underflow ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "column", "match"),
    [
        ("１２３", "value", "only ASCII digits.*U\\+FF11 FULLWIDTH DIGIT ONE"),
        ("٣٤٠", "value", "only ASCII digits.*U\\+0663 ARABIC-INDIC DIGIT THREE"),
        ("12٣", "value", "only ASCII digits"),
        ("1e305:万亿元", "value", "overflows to infinity"),
        ("1e400", "value", "overflows to infinity"),
        ("1e-400", "value", "underflows to 0"),
        ("1e-310", "value", "underflows to 0"),  # subnormal double
        ("1e-301:元", "value", "underflows to 0"),  # 1e-309 亿元 after conversion
        ("-0", "value", "negative zero"),
        ("-0.0", "value", "negative zero"),
        ("-3", "value", "negative value"),
    ],
)
def test_bad_numbers(tmp_path, cell, column, match):
    value, _, unit = cell.partition(":")
    err = read_err(tmp_path, H + f"杭州,2010,{value},{unit or '亿元'}\n")
    assert err.row == 2 and err.column == column and err.value == value
    assert pytest.raises(DataValidationError, D.read_csv, tmp_path / "u.csv").match(match)


def test_full_width_year_is_rejected(tmp_path):
    err = read_err(tmp_path, H + "杭州,２０１０,5,亿元\n")
    assert err.row == 2 and err.column == "year" and "ASCII" in str(err)


def test_large_but_finite_values_still_read(tmp_path):
    p = write(tmp_path, H + "杭州,2010,1e290,万亿元\n杭州,2011,0,万亿元\n")
    df = D.read_csv(p)
    assert df.value.iloc[0] == 1e294 and df.value.iloc[1] == 0.0


# --- invisible characters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "shown"),
    [
        ("上\u200b海,2010,5,亿元", "region", "U+200B ZERO WIDTH SPACE"),
        ("上海\ufeff,2010,5,亿元", "region", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\u200e杭州,2010,5,亿元", "region", "U+200E LEFT-TO-RIGHT MARK"),
        ("杭州,2010,5,亿\u200d元", "unit", "U+200D ZERO WIDTH JOINER"),
        ("\x01x,2010,5,亿元", "region", "U+0001"),
    ],
)
def test_invisible_characters_are_shown(tmp_path, row, column, shown):
    err = read_err(tmp_path, H + row + "\n")
    assert err.row == 2 and err.column == column and shown in str(err)


def test_zero_width_space_would_have_made_two_regions(tmp_path):
    err = read_err(tmp_path, H + "上海,2010,5,亿元\n上\u200b海,2011,6,亿元\n")
    assert err.row == 3 and "invisible" in str(err)
    assert "\\u200b" in str(err)  # repr() of the value shows the character


def test_invisible_character_in_series_id_and_header(tmp_path):
    err = read_err(tmp_path, HS + "杭州,2010,gmv\u200b,5,亿元\n")
    assert err.column == "series" and "U+200B" in str(err)
    err = read_err(tmp_path, "region,year\u200b,value,unit\n杭州,2010,5,亿元\n")
    assert err.row == 1 and "U+200B" in str(err)


# --- missing files -----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, "", 42])
def test_no_path_is_a_typed_error(bad):
    with pytest.raises(DataValidationError, match="no file given") as ei:
        D.read_csv(bad)
    assert isinstance(ei.value, cr.ClusterResearchError)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataValidationError, match="cannot read file: file not found") as ei:
        D.read_csv(tmp_path / "nope.csv")
    assert ei.value.path == str(tmp_path / "nope.csv")
    e2 = pickle.loads(pickle.dumps(ei.value))
    assert type(e2) is DataValidationError and str(e2) == str(ei.value)
    with pytest.raises(DataValidationError, match="cannot read") as ei:
        D.read_csv(tmp_path)


# --- the earlier fuzz set, as fixed cases ------------------------------------------------

FUZZ = [
    ("year", v) for v in ["", "20x0", "2010.0", "二〇一〇", "nan", "1948", "2101", "-2010"]
] + [
    ("value", v) for v in ["abc", "1,000", "NaN", "inf", "-1", "1e", "--2", "1.2.3", "—",
                           "-0.01", "0x10", "1_000", "１２３", "٣٤٠", "1e999"]
] + [
    ("unit", v) for v in ["furlong", "亿", "USD", "yuan", "%%", "亿元\u200b"]
] + [
    ("region", v) for v in ["", "   ", "123", "999999", "\x01x", "上\u200b海", "３１００００"]
]


@pytest.mark.parametrize(("column", "bad"), FUZZ)
def test_fuzz_cell_rejected_at_its_row(tmp_path, column, bad):
    rows = [dict(region="上海", year="2010", value="1", unit="亿元"),
            dict(region="杭州", year="2011", value="2", unit="亿元"),
            dict(region="深圳", year="2012", value="3", unit="亿元")]
    rows[1][column] = bad
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(
        [r["region"], r["year"], r["value"], r["unit"]] for r in rows)
    err = read_err(tmp_path, H + buf.getvalue())
    assert err.row == 3 and err.column == column


# --- check_series: the checks a notebook makes, before any kernel -------------------------


def _series_file(tmp_path, values, unit="亿元", extra=""):
    body = "".join(f"杭州,{2010 + i},{v},{unit}\n" for i, v in enumerate(values))
    return D.read_csv(write(tmp_path, H + body + extra))


def test_check_series_ok_summary(tmp_path):
    df = _series_file(tmp_path, [1, 2, 4, 7, 9, 10], unit="万亿元")
    got = D.check_series(df)
    assert got.to_dict("records") == [dict(series="value", region="杭州", n_points=6,
                                           first_year=2010, last_year=2015, unit="亿元",
                                           dimension="currency")]


@pytest.mark.parametrize(("values", "row", "bad"), [([1, 2, 0, 7, 9], 4, 0.0),
                                                    ([1, 2, 3, 7, -0.0], 6, -0.0)])
def test_check_series_zero_passes_read_csv_but_not_the_check(tmp_path, values, row, bad):
    if bad == 0 and math.copysign(1, bad) < 0:  # "-0" is rejected by read_csv itself
        with pytest.raises(DataValidationError, match="negative zero"):
            _series_file(tmp_path, values)
        return
    df = _series_file(tmp_path, values)
    with pytest.raises(DataValidationError, match="not > 0") as ei:
        D.check_series(df)
    assert ei.value.row == row and ei.value.column == "value" and ei.value.value == bad
    assert ei.value.path == df.attrs["path"]
    assert D.check_series(df, positive=False).n_points.item() == len(values)


def test_check_series_bounded_offenders(tmp_path):
    df = _series_file(tmp_path, [0] * 15)
    with pytest.raises(DataValidationError) as ei:
        D.check_series(df)
    msg = str(ei.value)
    assert "15 value(s) not > 0" in msg and "row 11 (2019: 0.0) and 5 more" in msg
    assert "row 12" not in msg


def test_check_series_counts_only_full_year_exact_points(tmp_path):
    text = ("region,year,value,unit,period,qualifier\n" + "".join(
        f"杭州,{2010 + i},{i + 1},亿元,FY,exact\n" for i in range(4))
        + "杭州,2014,9,亿元,FY,approx\n杭州,2015,10,亿元,H1,exact\n杭州,2016,,亿元,FY,exact\n")
    df = D.read_csv(write(tmp_path, text))
    with pytest.raises(DataValidationError, match="4 full-year .* at least 5"):
        D.check_series(df)
    assert D.check_series(df, min_points=4).n_points.item() == 4
    with pytest.raises(DataValidationError, match="min_points"):
        D.check_series(df, min_points=0)


def test_check_series_on_a_series_and_on_shipped_data():
    s = D.shanghai_transactions()
    got = D.check_series(s)
    assert got.n_points.item() == len(s.dropna()) and got.first_year.item() == int(s.index[0])
    sh = D.load("shanghai_ecommerce")
    summary = D.check_series(sh, series="ecommerce_transaction_volume", min_points=3)
    assert set(summary.region) <= {"上海", "上海嘉定区"} and set(summary.unit) == {"亿元"}
    with pytest.raises(DataValidationError, match="no series"):
        D.check_series(sh, series="nope")
    with pytest.raises(DataValidationError, match="DataFrame"):
        D.check_series([1, 2, 3])
    neg_zero = pd.Series([1.0, 2.0, 3.0, 4.0, -0.0], index=range(2010, 2015), name="x")
    with pytest.raises(DataValidationError, match="not > 0.*2014: -0.0"):
        D.check_series(neg_zero)


def test_check_series_several_values_for_one_year(tmp_path):
    text = ("region,year,value,unit,source\n" + "".join(
        f"杭州,{2010 + i},{i + 1},亿元,a\n" for i in range(5)) + "杭州,2012,7,亿元,b\n")
    df = D.read_csv(write(tmp_path, text))
    with pytest.raises(DataValidationError, match="conflicting full-year exact values") as ei:
        D.check_series(df)
    assert ei.value.row == 4


# --- registry and region hook ------------------------------------------------------------


def test_every_registered_dataset_loads():
    assert D.DATASETS == D.datasets() == ("provincial_panel", "provincial_economy",
                                          "shanghai_ecommerce", "national_ecommerce",
                                          "major_cities_gdp", "taobao_villages", "taobao_towns",
                                          "taobao_counts", "taobao_corrections",
                                          "taobao_counts_reported", "taobao_reported_checks",
                                          "city_ecommerce_reported")
    for name in D.datasets():
        df = D.load(name)
        assert isinstance(df, pd.DataFrame) and len(df) > 0, name


def test_dataset_decorator_registers_one_loader():
    calls = []

    @D.dataset("adversarial_demo", processed=False)
    def load_demo():
        """Load a demo table."""
        calls.append(1)
        return pd.DataFrame({"x": [1, 2]})

    try:
        assert "adversarial_demo" in D.datasets()
        assert D.dataset_spec("adversarial_demo").description == "Load a demo table."
        df = D.load("adversarial_demo")
        df.loc[0, "x"] = 99
        assert D.load("adversarial_demo").x.tolist() == [1, 2] and len(calls) == 2
        with pytest.raises(DataValidationError, match="takes no root"):
            D.load("adversarial_demo", root="/tmp")
        with pytest.raises(DataValidationError, match="already registered"):
            D.dataset("adversarial_demo")(lambda: None)
        assert D.series.__module__  # untouched
        with pytest.raises(DataValidationError, match="not supported by series"):
            D.series("上海", "x", dataset="adversarial_demo")
    finally:
        D.registry.unregister("adversarial_demo")
    with pytest.raises(DataValidationError, match="lower-case"):
        D.dataset("Bad Name")
    with pytest.raises(DataValidationError, match="kind"):
        D.dataset("ok_name", kind="wide")


def test_cities_come_from_the_one_resolver_not_from_a_registered_table():
    # any city of GB/T 2260 is known without registering it (the add_regions hook is gone)
    p = D.places.resolve_place("杭州市")
    assert (p.kind, p.code, p.province_code) == ("city", "330100", "330000")
    assert len(D.regions()) == 31 and D.find_region("杭州") is None
    with pytest.raises(cr.errors.ProvincialDataError, match="is a city .*浙江省"):
        D.region_code("杭州", parameter="benchmark")
    with pytest.raises(DataValidationError, match="unknown benchmark 'Hangzou'"):
        D.region_code("Hangzou", parameter="benchmark")


@pytest.mark.parametrize("cell", ["２１８３", "٢١٨٣", "2183\u200b", "1e400"])
def test_nbs_export_rejects_non_ascii_numbers(cell):
    good = ("数据库：分省年度数据 \n时间：2024年 \n地区\t,年末常住人口 (万人) \t,\n"
            "北京市\t,2183\t,\n数据来源：国家统计局")
    bad = good.replace("2183", cell)
    if cell == "1e400":  # a well-formed decimal: the export parser keeps text, load() converts
        assert D.parse_nbs_export(bad.encode(), path="x.csv").rows[0][2] == ["1e400"]
        with pytest.raises(DataValidationError, match="overflows"):
            D.parsing.parse_number(cell, "x.csv", 4, "年末常住人口 (万人)")
        return
    with pytest.raises(DataValidationError, match="not a number") as ei:
        D.parse_nbs_export(bad.encode(), path="x.csv")
    assert ei.value.row == 4 and ei.value.value == cell
