"""Property tests: malformed user files always raise DataValidationError, nothing else."""

import csv
import datetime as dt
import io
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cluster_research import data as D
from cluster_research.data import DataValidationError

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HEADER = ["region", "year", "value", "unit"]

good_row = st.fixed_dictionaries(
    {
        "region": st.sampled_from(["杭州", "上海", "Shenzhen", "310000", "苏州市"]),
        "year": st.integers(1949, dt.date.today().year).map(str),  # later: only a target
        "value": st.one_of(
            st.just(""),
            st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
            .map(abs)  # never "-0.00": a minus sign is rejected for unsigned units
            .map(str),
        ),
        # currency units only: a file mixing 亿元 and % in one series is an error
        "unit": st.sampled_from(["亿元", "万亿元", "billion yuan", "万元", "million yuan"]),
    }
)


def to_csv(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def unique_rows(rows):
    seen, out = set(), []
    for r in rows:
        k = (D.find_region(r["region"]) or r["region"], r["year"])
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


@SETTINGS
@given(st.lists(good_row, min_size=1, max_size=8))
def test_valid_files_round_trip(tmp_path, rows):
    rows = unique_rows(rows)
    p = tmp_path / "ok.csv"
    p.write_text(to_csv(HEADER, [[r[c] for c in HEADER] for r in rows]), encoding="utf-8")
    df = D.read_csv(p)
    assert len(df) == len(rows)
    for (_, got), r in zip(df.iterrows(), rows):
        if r["value"] == "":
            assert math.isnan(got.value)
        else:
            assert got.value_original == float(r["value"])


BAD_CELLS = {
    "year": st.one_of(
        st.integers(-(10**6), 1948).map(str),
        st.integers(2101, 10**6).map(str),
        st.sampled_from(["", "20x0", "2010.0", "二〇一〇", "nan"]),
    ),
    "value": st.one_of(
        st.sampled_from(["abc", "1,000", "NaN", "inf", "-1", "1e", "--2", "1.2.3", "—"]),
        st.decimals(
            max_value=Decimal("-0.01"), allow_nan=False, allow_infinity=False, places=2
        ).map(str),
    ),
    "unit": st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=6
    ).filter(lambda u: not D.units.is_known(u)),
    "region": st.sampled_from(["", "   ", "123", "999999", "\x01x"]),
}


@SETTINGS
@given(
    rows=st.lists(good_row, min_size=1, max_size=6),
    col=st.sampled_from(sorted(BAD_CELLS)),
    data=st.data(),
)
def test_one_bad_cell_raises(tmp_path, rows, col, data):
    rows = unique_rows(rows)
    i = data.draw(st.integers(0, len(rows) - 1))
    bad = data.draw(BAD_CELLS[col])
    rows[i][col] = bad
    p = tmp_path / "bad.csv"
    p.write_text(to_csv(HEADER, [[r[c] for c in HEADER] for r in rows]), encoding="utf-8")
    with pytest.raises(DataValidationError) as ei:
        D.read_csv(p)
    assert ei.value.path == str(p)
    assert ei.value.row == i + 2  # header is line 1


@SETTINGS
@given(
    rows=st.lists(good_row, min_size=1, max_size=6),
    header=st.one_of(
        st.permutations(HEADER).map(lambda h: h[:-1]),  # drop a required column
        st.permutations(HEADER).map(lambda h: list(h) + ["extra"]),
        st.just(["region", "year", "value", "unit", "region"]),
    ),
)
def test_bad_header_raises(tmp_path, rows, header):
    p = tmp_path / "h.csv"
    body = [[r.get(c, "x") for c in header] for r in rows]
    p.write_text(to_csv(header, body), encoding="utf-8")
    with pytest.raises(DataValidationError) as ei:
        D.read_csv(p)
    assert ei.value.row == 1


@SETTINGS
@given(rows=st.lists(good_row, min_size=1, max_size=5))
def test_duplicate_row_raises(tmp_path, rows):
    rows = unique_rows(rows)
    rows.append(dict(rows[0]))
    p = tmp_path / "d.csv"
    p.write_text(to_csv(HEADER, [[r[c] for c in HEADER] for r in rows]), encoding="utf-8")
    with pytest.raises(DataValidationError, match="duplicate key") as ei:
        D.read_csv(p)
    assert ei.value.row == len(rows) + 1


@SETTINGS
@given(blob=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_arbitrary_bytes_never_crash(tmp_path, blob):
    """Random content: either a valid table or DataValidationError; never another exception."""
    p = tmp_path / "fuzz.csv"
    p.write_bytes(blob)
    for kind in ("series", "panel"):
        try:
            D.read_csv(p, kind=kind)
        except DataValidationError:
            pass


@SETTINGS
@given(
    prefix=st.sampled_from(["region,year,value,unit\n", "region,year,indicator,value,unit\n"]),
    body=st.text(alphabet=st.sampled_from(list('杭州,20109.-"\n\r\t亿元x% ')), max_size=120),
)
def test_csvish_text_never_crashes(tmp_path, prefix, body):
    p = tmp_path / "fz.csv"
    p.write_text(prefix + body, encoding="utf-8")
    for kind in ("series", "panel"):
        try:
            D.read_csv(p, kind=kind)
        except DataValidationError:
            pass


@SETTINGS
@given(blob=st.binary(max_size=200), keep=st.integers(0, 400))
def test_nbs_export_parser_never_crashes(blob, keep):
    good = (
        "\ufeff数据库：分省年度数据 \n时间：2024年 \n地区\t,年末常住人口 (万人) \t,\n"
        "北京市\t,2183\t,\n数据来源：国家统计局"
    ).encode()
    for candidate in (blob, good[:keep] + blob, good[: keep % len(good)]):
        try:
            D.parse_nbs_export(candidate, path="p.csv")
        except DataValidationError:
            pass
