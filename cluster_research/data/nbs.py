"""NBS provincial tables: the digital-economy panel and the 国家数据 web exports.

``provincial_panel``
    NBS 企业信息化及电子商务情况 / 互联网主要指标发展情况, 31 provinces, 2015-2024.
``provincial_economy``
    NBS 分省年度数据 exports: GDP and value added 2019-2024, GDP index and
    retail sales 2016-2024, population 2024.
(``major_cities_gdp``, NBS 主要城市年度数据, is in :mod:`.cities`.)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataValidationError
from .manifest import read_raw, resolve_root, shipped_rows
from .parsing import NUMBER_RE, decode_utf8, parse_number, parse_year
from .places import REGIONS, find_region, region_row
from .registry import dataset

__all__ = ["CROSSCHECK_FILES", "ECONOMY_FILES", "ECONOMY_INDICATORS", "PANEL_COLUMNS",
           "PANEL_INDICATORS", "NBSExport", "build_economy", "build_panel", "parse_nbs_export"]

PANEL_COLUMNS = ["region_code", "region", "region_en", "year", "indicator", "indicator_zh",
                 "value", "unit", "source_id"]


# ---------------------------------------------------------------------------
# provincial panel (NBS e-commerce and internet indicators)

#: indicator id -> (指标 name, unit, 数据集)
PANEL_INDICATORS = {
    "ecommerce_sales": ("电子商务销售额", "亿元", "企业信息化及电子商务情况"),
    "ecommerce_purchases": ("电子商务采购额", "亿元", "企业信息化及电子商务情况"),
    "ecommerce_firms": ("有电子商务交易活动的企业数", "个", "企业信息化及电子商务情况"),
    "ecommerce_firms_share": ("有电子商务交易活动的企业数比重", "%", "企业信息化及电子商务情况"),
    "websites_per_100_firms": ("每百家企业拥有网站数", "个", "企业信息化及电子商务情况"),
    "computers_per_100_people": ("每百人使用计算机数", "台", "企业信息化及电子商务情况"),
    "broadband_users": ("互联网宽带接入用户", "万户", "互联网主要指标发展情况"),
    "mobile_internet_users": ("移动互联网用户", "万户", "互联网主要指标发展情况"),
    "mobile_internet_traffic": ("移动互联网接入流量", "万GB", "互联网主要指标发展情况")}
_PANEL_BY_LABEL = {f"{v[0]} ({v[1]})": k for k, v in PANEL_INDICATORS.items()}
_PANEL_FILE = "nbs_provincial/nbs_digital_economy.csv"
_PANEL_HEADER = ["省份", "地区代码", "年份", "数据集", "指标", "数值", "单位"]


def _panel_row(f, path, ln):
    """Validate one row of the panel file; return (indicator, code, year, value)."""
    prov, code12, ytxt, dset, label, vtxt, unit = f
    code = find_region(prov)
    if code is None or region_row(code)[1] != prov:
        raise DataValidationError("unknown province", path=path, row=ln, column="省份", value=prov)
    if code12 != code + "000000":
        raise DataValidationError(f"region code does not match 省份 (expected {code}000000)",
                                  path=path, row=ln, column="地区代码", value=code12)
    year = parse_year(ytxt, path, ln, "年份")
    ind = _PANEL_BY_LABEL.get(label)
    if ind is None:
        raise DataValidationError("unknown indicator", path=path, row=ln, column="指标", value=label)
    _zh, u, ds = PANEL_INDICATORS[ind]
    if dset != ds:
        raise DataValidationError(f"dataset does not match indicator (expected {ds})",
                                  path=path, row=ln, column="数据集", value=dset)
    if unit != u:
        raise DataValidationError(f"unit does not match indicator (expected {u})",
                                  path=path, row=ln, column="单位", value=unit)
    return ind, code, year, parse_number(vtxt, path, ln, "数值")[0]


@dataset("provincial_panel", kind="panel", files=(_PANEL_FILE,))
def build_panel(root=None):
    """Build the NBS provincial e-commerce / internet panel (31 x years x 9 indicators).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PANEL_COLUMNS`; the full grid, NaN where NBS has no value.

    Raises
    ------
    DataValidationError
        Changed raw file or any cell that fails validation.

    Examples
    --------
    >>> len(build_panel())
    2790
    """
    path, rows = shipped_rows(_PANEL_FILE, resolve_root(root), _PANEL_HEADER)
    cells: dict = {}
    years = set()
    for ln, f in rows:
        ind, code, year, val = _panel_row(f, path, ln)
        if (ind, code, year) in cells:
            raise DataValidationError(
                f"duplicate key (province, year, indicator) = ({f[0]}, {year}, {ind})",
                path=path, row=ln)
        cells[(ind, code, year)] = val
        years.add(year)
    return _panel_frame([
        (code, short, en, y, ind, zh, cells.get((ind, code, y), math.nan), u, "nbs_provincial")
        for ind, (zh, u, _ds) in PANEL_INDICATORS.items()
        for code, short, _full, en, _kind in REGIONS
        for y in range(min(years), max(years) + 1)])


def _panel_frame(rows):
    """The rows as a frame of :data:`PANEL_COLUMNS` with int64 years and float64 values."""
    import pandas as pd

    return pd.DataFrame(rows, columns=PANEL_COLUMNS).astype({"year": "int64", "value": "float64"})


# ---------------------------------------------------------------------------
# NBS web exports (「数据库：」 header lines, `\t,` separators, footer notes)


@dataclass
class NBSExport:
    """A parsed NBS 国家数据 web CSV export.

    Attributes
    ----------
    path : str
    database : str
        Text after 「数据库：」.
    time : str
        Text after 「时间：」 (may be empty).
    header : list of str
        Header cells (whitespace-stripped), first cell 地区 or 指标.
    rows : list of (int, str, list of str)
        (1-based line number, row label, value cells as text).
    notes : list of str
        Footer lines (注：..., 数据来源：...).
    """
    path: str
    database: str
    time: str
    header: list
    rows: list = field(default_factory=list)
    notes: list = field(default_factory=list)


_FOOTER_RE = re.compile(r"^(注：|数据来源：|[0-9]+\.\s)")


def _export_lines(source, path):
    """(name, lines) of an export given as bytes or a path."""
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), path or "<bytes>"
    else:
        name = str(path or source)
        try:
            data = Path(source).read_bytes()
        except (OSError, TypeError) as exc:
            raise DataValidationError(f"cannot read file: {exc}", path=name) from None
    lines = [ln.removesuffix("\r") for ln in decode_utf8(data, name).split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 4:
        raise DataValidationError(
            "too short for an NBS export (need header lines and a table)", path=name)
    return name, lines


def _title_line(line, label, name, row):
    m = re.match(rf"^{label}：(.*?)\s*$", line)
    if not m or (label == "数据库" and not m.group(1)):
        raise DataValidationError(f"line {row} is not 「{label}：…」", path=name, row=row, value=line)
    return m.group(1)


def _cells(line, name, row):
    if not line.endswith("\t,"):
        raise DataValidationError("table line does not end with the NBS separator '\\t,'",
                                  path=name, row=row, value=line)
    parts = line[:-2].split("\t,")
    for p in parts:
        if "\t" in p:
            raise DataValidationError("stray tab in a cell", path=name, row=row, value=p)
    return [p.strip() for p in parts]


def _export_header(line, name):
    header = _cells(line, name, 3)
    if header[0] not in ("地区", "指标"):
        raise DataValidationError("header must start with 地区 or 指标", path=name, row=3,
                                  column=header[0], value=header[0])
    if len(set(header)) != len(header):
        raise DataValidationError("duplicate header cell", path=name, row=3)
    return header


def _export_row(line, header, name, row):
    c = _cells(line, name, row)
    if len(c) != len(header):
        raise DataValidationError(f"expected {len(header)} cells, got {len(c)}", path=name, row=row)
    if c[0] == "":
        raise DataValidationError("empty row label", path=name, row=row, column=header[0])
    for j, v in enumerate(c[1:], start=1):
        if v != "" and not NUMBER_RE.match(v):
            raise DataValidationError("not a number (ASCII decimal expected)", path=name,
                                      row=row, column=header[j], value=v)
    return (row, c[0], c[1:])


def _export_footer(notes, first_row, name):
    for k, ln in enumerate(notes, start=first_row):
        if "\t," in ln or ln.strip() == "":
            raise DataValidationError("unexpected line in the footer", path=name, row=k, value=ln)
    if "数据来源：国家统计局" not in [n.strip() for n in notes]:
        raise DataValidationError("footer 「数据来源：国家统计局」 not found", path=name)


def parse_nbs_export(source, *, path=None) -> NBSExport:
    """Parse an NBS 「国家数据」 web CSV export strictly.

    The format: optional UTF-8 BOM; line 1 「数据库：<name>」; line 2
    「时间：<period>」; line 3 the header; then one row per region or
    indicator; cells are separated by ``"\\t,"`` and every table line ends with
    ``"\\t,"``; footer lines start with 「注：」, a numbered note or
    「数据来源：」 and must include 「数据来源：国家统计局」. Numbers are ASCII decimals.

    Parameters
    ----------
    source : path-like or bytes
        File to parse, or its bytes.
    path : str, optional
        Name used in error messages when ``source`` is bytes.

    Raises
    ------
    DataValidationError
        On any deviation (names file, line, column, value); nothing is guessed.

    Examples
    --------
    >>> raw = ("数据库：分省年度数据 \\n时间：2024年 \\n地区\\t,年末常住人口 (万人) \\t,\\n"
    ...        "北京市\\t,2183\\t,\\n数据来源：国家统计局")
    >>> exp = parse_nbs_export(raw.encode("utf-8"), path="demo.csv")
    >>> exp.header, exp.rows
    (['地区', '年末常住人口 (万人)'], [(4, '北京市', ['2183'])])
    """
    name, lines = _export_lines(source, path)
    database = _title_line(lines[0], "数据库", name, 1)
    time = _title_line(lines[1], "时间", name, 2)
    header = _export_header(lines[2], name)
    i = 3
    rows = []
    while i < len(lines) and not _FOOTER_RE.match(lines[i]):
        rows.append(_export_row(lines[i], header, name, i + 1))
        i += 1
    if not rows:
        raise DataValidationError("no table rows", path=name, row=4)
    _export_footer(lines[i:], i + 1, name)
    return NBSExport(name, database, time, header, rows, lines[i:])


ECONOMY_INDICATORS = {
    "gdp": ("地区生产总值", "亿元"),
    "gdp_primary": ("第一产业增加值", "亿元"),
    "gdp_secondary": ("第二产业增加值", "亿元"),
    "gdp_tertiary": ("第三产业增加值", "亿元"),
    "va_agriculture": ("农林牧渔业增加值", "亿元"),
    "va_industry": ("工业增加值", "亿元"),
    "va_construction": ("建筑业增加值", "亿元"),
    "va_wholesale_retail": ("批发和零售业增加值", "亿元"),
    "va_transport_storage_post": ("交通运输、仓储和邮政业增加值", "亿元"),
    "va_accommodation_catering": ("住宿和餐饮业增加值", "亿元"),
    "va_finance": ("金融业增加值", "亿元"),
    "va_real_estate": ("房地产业增加值", "亿元"),
    "va_other": ("其他行业增加值", "亿元"),
    "gdp_per_capita": ("人均地区生产总值", "元/人"),
    "gdp_index": ("地区生产总值指数", "上年=100"),
    "retail_sales": ("社会消费品零售总额", "亿元"),
    "population": ("年末常住人口", "万人"),
    "population_urban": ("城镇人口", "万人"),
    "population_rural": ("乡村人口", "万人")}
_ECON_BY_LABEL = {
    f"{v[0]} ({v[1]})": k for k, v in ECONOMY_INDICATORS.items() if k not in ("gdp_index",)}
_EXPORTS = "province_economy_nbs/nbs_exports/"
#: (source_id, raw path, layout, year for 'by_indicator' | indicator for 'by_year')
ECONOMY_FILES = (
    ("nbs_export_gdp_2019", _EXPORTS + "分省年度数据.2019csv.csv", "by_indicator", 2019),
    ("nbs_export_gdp_2020", _EXPORTS + "分省年度数据2020.csv", "by_indicator", 2020),
    ("nbs_export_gdp_2021", _EXPORTS + "分省年度数据2021.csv", "by_indicator", 2021),
    ("nbs_export_gdp_2022", _EXPORTS + "分省年度数据.2022csv.csv", "by_indicator", 2022),
    ("nbs_export_gdp_2023", _EXPORTS + "分省年度数据2023.csv", "by_indicator", 2023),
    ("nbs_export_gdp_2024", _EXPORTS + "分省年度数据2024.csv", "by_indicator", 2024),
    ("nbs_export_population_2024", _EXPORTS + "分省年度数据人口.csv", "by_indicator", 2024),
    ("nbs_export_gdp_index", _EXPORTS + "地区生产总值指数（近十年）.csv", "by_year", "gdp_index"),
    ("nbs_export_retail_sales", _EXPORTS + "社会消费品总额.csv", "by_year", "retail_sales"))
#: exports kept in data/raw for cross-checks, not loaded (see data/README.md)
CROSSCHECK_FILES = {
    "nbs_export_gdp_by_year": _EXPORTS + "按照年份的GDP.csv",
    "nbs_export_gdp_per_capita_unlabelled": _EXPORTS + "2025GDP.csv",
    "nbs_export_archive_beijing": "province_economy_nbs/archive/分省年度数据.csv"}


def _export(rel: str, root: Path) -> NBSExport:
    path = root / "raw" / rel
    exp = parse_nbs_export(read_raw(rel, root), path=str(path))
    if exp.database != "分省年度数据":
        raise DataValidationError("expected 数据库：分省年度数据", path=path, row=1, value=exp.database)
    return exp


def _region_rows(exp: NBSExport):
    """Map row labels (full names) to codes; require the 31 provinces exactly once."""
    seen = {}
    for ln, label, vals in exp.rows:
        code = find_region(label)
        if code is None or region_row(code)[2] != label:
            raise DataValidationError("unknown region", path=exp.path, row=ln, column="地区",
                                      value=label)
        if code in seen:
            raise DataValidationError("duplicate region", path=exp.path, row=ln, column="地区",
                                      value=label)
        seen[code] = (ln, vals)
    if len(seen) != 31:
        missing = [r[2] for r in REGIONS if r[0] not in seen]
        raise DataValidationError(f"regions missing: {missing}", path=exp.path)
    return seen


def _year_columns(exp: NBSExport):
    years = []
    for h in exp.header[1:]:
        m = re.match(r"^([0-9]{4})年$", h)
        if not m:
            raise DataValidationError("header cell is not a year (YYYY年)", path=exp.path,
                                      row=3, column=h, value=h)
        years.append(int(m.group(1)))
    return years


def _by_indicator(exp: NBSExport, regs, year, source_id):
    m = re.match(r"^([0-9]{4})年$", exp.time)
    if not m or int(m.group(1)) != year:
        raise DataValidationError(f"expected 时间：{year}年", path=exp.path, row=2, value=exp.time)
    inds = []
    for h in exp.header[1:]:
        ind = _ECON_BY_LABEL.get(h)
        if ind is None:
            raise DataValidationError("unknown indicator", path=exp.path, row=3, column=h, value=h)
        inds.append(ind)
    return [(code, year, ind, parse_number(v, exp.path, ln, h)[0], source_id)
            for code, (ln, vals) in regs.items()
            for ind, v, h in zip(inds, vals, exp.header[1:])]


def _by_year(exp: NBSExport, regs, indicator, source_id):
    out = []
    for j, y in enumerate(_year_columns(exp)):
        if all(vals[j] == "" for _ln, vals in regs.values()):
            continue  # a year column empty for every region = not released; documented
        for code, (ln, vals) in regs.items():
            v = parse_number(vals[j], exp.path, ln, exp.header[j + 1])[0]
            out.append((code, y, indicator, v, source_id))
    return out


@dataset("provincial_economy", kind="panel", files=tuple(f[1] for f in ECONOMY_FILES))
def build_economy(root=None):
    """Build the NBS 分省年度数据 economy table from the web exports of :data:`ECONOMY_FILES`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PANEL_COLUMNS`, one row per value published.

    Raises
    ------
    DataValidationError
        Changed raw file, malformed export or a key present in two exports.

    Examples
    --------
    >>> sorted(set(build_economy().source_id))[0]
    'nbs_export_gdp_2019'
    """
    root = resolve_root(root)
    recs = []
    for sid, rel, layout, spec in ECONOMY_FILES:  # long (code, year, indicator, value, sid)
        exp = _export(rel, root)
        recs += (_by_indicator if layout == "by_indicator" else _by_year)(
            exp, _region_rows(exp), spec, sid)
    seen = set()
    for code, y, ind, _v, sid in recs:
        if (code, y, ind) in seen:
            raise DataValidationError(f"duplicate key ({code}, {y}, {ind}) across exports",
                                      path=sid)
        seen.add((code, y, ind))
    order = {k: i for i, k in enumerate(ECONOMY_INDICATORS)}
    recs.sort(key=lambda r: (order[r[2]], r[0], r[1]))
    return _panel_frame([
        (code, region_row(code)[1], region_row(code)[3], y, ind, ECONOMY_INDICATORS[ind][0], v,
         ECONOMY_INDICATORS[ind][1], sid)
        for code, y, ind, v, sid in recs])
