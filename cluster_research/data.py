"""Load, validate and describe the package's sourced data.

Every table comes from a file in ``data/raw/`` whose sha256 is listed in
``data/raw/MANIFEST.sha256``; the bytes are hashed each time a file is parsed
(parsed tables are cached per process and re-read when the file changes), so
a changed raw file raises :class:`DataValidationError` naming the file and
both hashes. Nothing is interpolated, filled in or silently dropped: a gap is
a row whose ``value`` is NaN, and :func:`coverage` lists the gaps.

Datasets (see ``data/README.md`` for the full dictionary):

``provincial_panel``
    NBS 企业信息化及电子商务情况 / 互联网主要指标发展情况, 31 provinces, 2015-2024.
``provincial_economy``
    NBS 分省年度数据 exports: GDP and value added 2019-2024, GDP index and
    retail sales 2016-2024, population 2024.
``shanghai_ecommerce`` / ``national_ecommerce``
    Hand-collected published figures, one row per value read, with qualifier
    (exact | approx | lower_bound | target) and source.
``major_cities_gdp``
    NBS 主要城市年度数据: GDP of 36 major cities, 1999-2017 (mid-2019 vintage).
"""

from __future__ import annotations

from .errors import DataValidationError  # noqa: F401  (re-exported)

import csv
import hashlib
import io
import math
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import units as _units

__all__ = [
    "DATASETS",
    "ECONOMY_INDICATORS",
    "PANEL_INDICATORS",
    "YEAR_MAX",
    "YEAR_MIN",
    "DataValidationError",
    "NBSExport",
    "breaks",
    "build_processed",
    "coverage",
    "data_dir",
    "load",
    "parse_nbs_export",
    "read_csv",
    "region_code",
    "region_name",
    "regions",
    "series",
    "shanghai_transactions",
    "sources",
    "verify_manifest",
]

YEAR_MIN = 1949
YEAR_MAX = 2100
QUALIFIERS = ("exact", "approx", "lower_bound", "target")

PANEL_COLUMNS = [
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
SERIES_COLUMNS = [
    "series",
    "region",
    "year",
    "period",
    "value",
    "value_original",
    "unit_original",
    "qualifier",
    "source_id",
    "source_title",
    "source_url",
    "source_date",
    "notes",
]
CITY_COLUMNS = ["city", "year", "value", "unit", "source_id"]

DATASETS = (
    "provincial_panel",
    "provincial_economy",
    "shanghai_ecommerce",
    "national_ecommerce",
    "major_cities_gdp",
)


# ---------------------------------------------------------------------------
# errors






# ---------------------------------------------------------------------------
# regions

_REGIONS = (
    # code, short, full, English, kind
    ("110000", "北京", "北京市", "Beijing", "municipality"),
    ("120000", "天津", "天津市", "Tianjin", "municipality"),
    ("130000", "河北", "河北省", "Hebei", "province"),
    ("140000", "山西", "山西省", "Shanxi", "province"),
    ("150000", "内蒙古", "内蒙古自治区", "Inner Mongolia", "autonomous_region"),
    ("210000", "辽宁", "辽宁省", "Liaoning", "province"),
    ("220000", "吉林", "吉林省", "Jilin", "province"),
    ("230000", "黑龙江", "黑龙江省", "Heilongjiang", "province"),
    ("310000", "上海", "上海市", "Shanghai", "municipality"),
    ("320000", "江苏", "江苏省", "Jiangsu", "province"),
    ("330000", "浙江", "浙江省", "Zhejiang", "province"),
    ("340000", "安徽", "安徽省", "Anhui", "province"),
    ("350000", "福建", "福建省", "Fujian", "province"),
    ("360000", "江西", "江西省", "Jiangxi", "province"),
    ("370000", "山东", "山东省", "Shandong", "province"),
    ("410000", "河南", "河南省", "Henan", "province"),
    ("420000", "湖北", "湖北省", "Hubei", "province"),
    ("430000", "湖南", "湖南省", "Hunan", "province"),
    ("440000", "广东", "广东省", "Guangdong", "province"),
    ("450000", "广西", "广西壮族自治区", "Guangxi", "autonomous_region"),
    ("460000", "海南", "海南省", "Hainan", "province"),
    ("500000", "重庆", "重庆市", "Chongqing", "municipality"),
    ("510000", "四川", "四川省", "Sichuan", "province"),
    ("520000", "贵州", "贵州省", "Guizhou", "province"),
    ("530000", "云南", "云南省", "Yunnan", "province"),
    ("540000", "西藏", "西藏自治区", "Tibet", "autonomous_region"),
    ("610000", "陕西", "陕西省", "Shaanxi", "province"),
    ("620000", "甘肃", "甘肃省", "Gansu", "province"),
    ("630000", "青海", "青海省", "Qinghai", "province"),
    ("640000", "宁夏", "宁夏回族自治区", "Ningxia", "autonomous_region"),
    ("650000", "新疆", "新疆维吾尔自治区", "Xinjiang", "autonomous_region"),
)
_EN_ALIASES = {"xizang": "540000", "nei mongol": "150000", "inner mongolia": "150000"}
_BY_CODE = {r[0]: r for r in _REGIONS}
_LOOKUP: dict[str, str] = {}
for _r in _REGIONS:
    for _k in (_r[0], _r[0] + "000000", _r[1], _r[2], _r[3].lower()):
        _LOOKUP[_k] = _r[0]
_LOOKUP.update(_EN_ALIASES)


def _find_region(name) -> str | None:
    if not isinstance(name, str):
        if isinstance(name, int) and not isinstance(name, bool):
            name = str(name)
        else:
            return None
    key = name.strip()
    return _LOOKUP.get(key) or _LOOKUP.get(key.lower())


def regions():
    """Return the 31 provincial-level regions of mainland China.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (6-digit GB/T 2260 code, str), ``name_zh`` (short,
        e.g. 上海), ``name_zh_full`` (上海市), ``name_en`` (Shanghai), ``kind``
        (municipality | province | autonomous_region); 31 rows in code order.

    Examples
    --------
    >>> regions().set_index("code").loc["310000", "name_en"]
    'Shanghai'
    """
    import pandas as pd

    return pd.DataFrame(
        list(_REGIONS), columns=["code", "name_zh", "name_zh_full", "name_en", "kind"]
    )


def region_code(name) -> str:
    """Return the 6-digit code of a province given any of its names.

    Parameters
    ----------
    name : str
        Code (``"310000"``), short Chinese (上海), full Chinese (上海市) or
        English name (``"shanghai"``, case-insensitive; also Xizang, Nei Mongol).

    Returns
    -------
    str

    Raises
    ------
    DataValidationError
        If the name is not one of the 31 provinces.

    Examples
    --------
    >>> region_code("上海市"), region_code("SHANGHAI")
    ('310000', '310000')
    """
    code = _find_region(name)
    if code is None:
        hint = ""
        if isinstance(name, str) and name.strip():
            import difflib

            close = difflib.get_close_matches(name.strip().lower(), list(_LOOKUP), n=1,
                                              cutoff=0.75)
            if close:
                r = _BY_CODE[_LOOKUP[close[0]]]
                hint = f"; did you mean {r[1]} ({r[3]})?"
        raise DataValidationError(
            f"unknown region (not one of the 31 provincial-level regions{hint})",
            column="region",
            value=name,
        )
    return code


def region_name(name_or_code, lang: str = "zh") -> str:
    """Return a province's name in the requested form.

    Parameters
    ----------
    name_or_code : str
        Any name or the code accepted by :func:`region_code`.
    lang : {"zh", "en", "full"}
        Short Chinese (上海), English (Shanghai) or full Chinese (上海市).

    Returns
    -------
    str

    Raises
    ------
    DataValidationError
        For an unknown region or ``lang``.

    Examples
    --------
    >>> region_name("310000", "en"), region_name("Shanghai"), region_name("上海", "full")
    ('Shanghai', '上海', '上海市')
    """
    idx = {"zh": 1, "full": 2, "en": 3}
    if lang not in idx:
        raise DataValidationError("lang must be 'zh', 'en' or 'full'", column="lang", value=lang)
    return _BY_CODE[region_code(name_or_code)][idx[lang]]


# ---------------------------------------------------------------------------
# paths and the checksum manifest


def data_dir() -> Path:
    """Return the repository's ``data/`` directory.

    Resolved from the package location (``<repo>/data``), or from the
    environment variable ``CLUSTER_RESEARCH_DATA_DIR`` when it is set.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> (data_dir() / "raw" / "MANIFEST.sha256").is_file()
    True
    """
    env = os.environ.get("CLUSTER_RESEARCH_DATA_DIR")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parent.parent / "data"


def _root(root) -> Path:
    return data_dir() if root is None else Path(root)


_SHA_RE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
_MANIFEST_CACHE: dict = {}
_TABLE_CACHE: dict = {}


def _manifest(root: Path) -> dict[str, str]:
    mpath = root / "raw" / "MANIFEST.sha256"
    try:
        st = mpath.stat()
        key = (str(mpath), st.st_size, st.st_mtime_ns)
    except OSError:
        raise DataValidationError("checksum manifest not found", path=mpath) from None
    hit = _MANIFEST_CACHE.get(str(mpath))
    if hit is not None and hit[0] == key:
        return hit[1]
    try:
        text = mpath.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"cannot read manifest: {exc}", path=mpath) from None
    out: dict[str, str] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = _SHA_RE.match(line)
        if not m:
            raise DataValidationError(
                "manifest line is not '<sha256>  <path>'", path=mpath, row=i, value=line
            )
        if m.group(2) in out:
            raise DataValidationError("duplicate manifest entry", path=mpath, row=i, value=line)
        out[m.group(2)] = m.group(1)
    _MANIFEST_CACHE[str(mpath)] = (key, out)
    return out


def _read_raw(rel: str, root: Path) -> bytes:
    """Read ``raw/<rel>`` and check its sha256 against the manifest."""
    man = _manifest(root)
    path = root / "raw" / rel
    if rel not in man:
        raise DataValidationError("file is not listed in raw/MANIFEST.sha256", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataValidationError(f"cannot read raw file: {exc.strerror}", path=path) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != man[rel]:
        raise DataValidationError(
            f"sha256 mismatch: expected {man[rel]}, actual {actual} "
            "(the raw file differs from the one recorded in raw/MANIFEST.sha256)",
            path=path,
        )
    return data


def verify_manifest(root=None) -> list[str]:
    """Check every file listed in ``raw/MANIFEST.sha256`` and return their paths.

    Parameters
    ----------
    root : path-like, optional
        Data directory (default :func:`data_dir`).

    Returns
    -------
    list of str
        Relative paths verified.

    Raises
    ------
    DataValidationError
        On the first missing or changed file (names the file and both hashes).

    Examples
    --------
    >>> len(verify_manifest()) > 10
    True
    """
    r = _root(root)
    rels = sorted(_manifest(r))
    for rel in rels:
        _read_raw(rel, r)
    return rels


def _cached(name: str, root: Path, rels: list[str], build):
    """Return a cached table, rebuilt when any raw file's size/mtime changed."""
    stamp = []
    for rel in rels + ["MANIFEST.sha256"]:
        p = root / "raw" / rel
        try:
            st = p.stat()
            stamp.append((rel, st.st_size, st.st_mtime_ns))
        except OSError:
            stamp.append((rel, None, None))
    key = (str(root.resolve()), name)
    hit = _TABLE_CACHE.get(key)
    if hit is not None and hit[0] == tuple(stamp):
        return hit[1]
    table = build()
    _TABLE_CACHE[key] = (tuple(stamp), table)
    return table


# ---------------------------------------------------------------------------
# small parsing helpers

_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_INT_RE = re.compile(r"^[+-]?\d+$")


def _decode(data: bytes, path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataValidationError(
            f"file is not valid UTF-8 (byte {exc.start}); save it as UTF-8",
            path=path,
            row=line,
        ) from None


def _number(text: str, path, row, column, *, allow_empty=True, allow_negative=False):
    """Parse a decimal cell; '' -> NaN when allowed. Returns (float, Decimal|None)."""
    t = text.strip()
    if t == "":
        if allow_empty:
            return math.nan, None
        raise DataValidationError("empty value", path=path, row=row, column=column, value=text)
    if not _NUM_RE.match(t):
        raise DataValidationError(
            "not a number (expected a decimal such as 1234.5; empty cell = missing)",
            path=path,
            row=row,
            column=column,
            value=text,
        )
    dec = Decimal(t)
    if dec < 0 and not allow_negative:
        raise DataValidationError("negative value", path=path, row=row, column=column, value=text)
    f = float(dec)
    if math.isinf(f):
        raise DataValidationError(
            "value out of range", path=path, row=row, column=column, value=text
        )
    return f, dec


def _year(text: str, path, row, column="year") -> int:
    t = text.strip()
    if not _INT_RE.match(t):
        raise DataValidationError(
            "year is not an integer", path=path, row=row, column=column, value=text
        )
    y = int(t)
    if not YEAR_MIN <= y <= YEAR_MAX:
        raise DataValidationError(
            f"year out of range {YEAR_MIN}..{YEAR_MAX}",
            path=path,
            row=row,
            column=column,
            value=text,
        )
    return y


def _csv_rows(text: str, path):
    """Yield (line_number, fields) from CSV text; csv errors become DataValidationError."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for fields in reader:
            yield reader.line_num, fields
    except csv.Error as exc:
        raise DataValidationError(f"malformed CSV: {exc}", path=path, row=reader.line_num) from None


def _header(fields, path, expected=None, required=(), optional=()):
    names = [f.strip() for f in fields]
    seen = set()
    for n in names:
        if n in seen:
            raise DataValidationError("duplicate column", path=path, row=1, column=n)
        seen.add(n)
    if expected is not None:
        if names != list(expected):
            missing = [c for c in expected if c not in names]
            extra = [c for c in names if c not in expected]
            raise DataValidationError(
                f"unexpected header {names}; expected {list(expected)}"
                + (f"; missing {missing}" if missing else "")
                + (f"; unexpected {extra}" if extra else ""),
                path=path,
                row=1,
                column=(missing or extra or [None])[0],
            )
        return names
    names_l = [n.lower() for n in names]
    if len(set(names_l)) != len(names_l):
        dup = next(n for n in names_l if names_l.count(n) > 1)
        raise DataValidationError(
            "duplicate column (names are case-insensitive)", path=path, row=1, column=dup
        )
    for c in required:
        if c not in names_l:
            raise DataValidationError(
                f"missing required column (required: {list(required)})",
                path=path,
                row=1,
                column=c,
            )
    for n in names_l:
        if n not in required and n not in optional:
            raise DataValidationError(
                f"unexpected column (allowed: {list(required) + list(optional)})",
                path=path,
                row=1,
                column=n,
            )
    return names_l


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
    "mobile_internet_traffic": ("移动互联网接入流量", "万GB", "互联网主要指标发展情况"),
}
_PANEL_BY_LABEL = {f"{v[0]} ({v[1]})": k for k, v in PANEL_INDICATORS.items()}
_PANEL_FILE = "nbs_provincial/nbs_digital_economy.csv"
_PANEL_HEADER = ["省份", "地区代码", "年份", "数据集", "指标", "数值", "单位"]


def _build_panel(root: Path):
    import pandas as pd

    path = root / "raw" / _PANEL_FILE
    text = _decode(_read_raw(_PANEL_FILE, root), path)
    rows = _csv_rows(text, path)
    try:
        _, head = next(rows)
    except StopIteration:
        raise DataValidationError("empty file", path=path) from None
    _header(head, path, expected=_PANEL_HEADER)
    cells: dict = {}
    years = set()
    for ln, f in rows:
        if len(f) != 7:
            raise DataValidationError(f"expected 7 fields, got {len(f)}", path=path, row=ln)
        prov, code12, ytxt, dset, label, vtxt, unit = f
        code = _find_region(prov)
        if code is None or _BY_CODE[code][1] != prov:
            raise DataValidationError(
                "unknown province", path=path, row=ln, column="省份", value=prov
            )
        if code12 != code + "000000":
            raise DataValidationError(
                f"region code does not match 省份 (expected {code}000000)",
                path=path,
                row=ln,
                column="地区代码",
                value=code12,
            )
        year = _year(ytxt, path, ln, "年份")
        ind = _PANEL_BY_LABEL.get(label)
        if ind is None:
            raise DataValidationError(
                "unknown indicator", path=path, row=ln, column="指标", value=label
            )
        zh, u, ds = PANEL_INDICATORS[ind]
        if dset != ds:
            raise DataValidationError(
                f"dataset does not match indicator (expected {ds})",
                path=path,
                row=ln,
                column="数据集",
                value=dset,
            )
        if unit != u:
            raise DataValidationError(
                f"unit does not match indicator (expected {u})",
                path=path,
                row=ln,
                column="单位",
                value=unit,
            )
        val, _ = _number(vtxt, path, ln, "数值")
        key = (ind, code, year)
        if key in cells:
            raise DataValidationError(
                f"duplicate key (province, year, indicator) = ({prov}, {year}, {ind})",
                path=path,
                row=ln,
            )
        cells[key] = val
        years.add(year)
    out = []
    for ind, (zh, u, _ds) in PANEL_INDICATORS.items():
        for code, short, _full, en, _kind in _REGIONS:
            for y in range(min(years), max(years) + 1):
                out.append(
                    (
                        code,
                        short,
                        en,
                        y,
                        ind,
                        zh,
                        cells.get((ind, code, y), math.nan),
                        u,
                        "nbs_provincial",
                    )
                )
    df = pd.DataFrame(out, columns=PANEL_COLUMNS)
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype("float64")
    return df


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


def parse_nbs_export(source, *, path=None) -> NBSExport:
    """Parse an NBS 「国家数据」 web CSV export strictly.

    The format: optional UTF-8 BOM; line 1 「数据库：<name>」; line 2
    「时间：<period>」; line 3 the header; then one row per region or
    indicator; cells are separated by ``"\\t,"`` and every table line ends with
    ``"\\t,"``; footer lines start with 「注：」, a numbered note or
    「数据来源：」 and must include 「数据来源：国家统计局」.

    Parameters
    ----------
    source : path-like or bytes
        File to parse, or its bytes.
    path : str, optional
        Name used in error messages when ``source`` is bytes.

    Returns
    -------
    NBSExport

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
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        name = path or "<bytes>"
    else:
        name = str(path or source)
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise DataValidationError(f"cannot read file: {exc.strerror}", path=name) from None
    text = _decode(data, name)
    lines = text.split("\n")
    lines = [ln.removesuffix("\r") for ln in lines]
    while lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 4:
        raise DataValidationError(
            "too short for an NBS export (need header lines and a table)", path=name
        )
    m = re.match(r"^数据库：(.+?)\s*$", lines[0])
    if not m:
        raise DataValidationError("line 1 is not 「数据库：…」", path=name, row=1, value=lines[0])
    database = m.group(1)
    m = re.match(r"^时间：(.*?)\s*$", lines[1])
    if not m:
        raise DataValidationError("line 2 is not 「时间：…」", path=name, row=2, value=lines[1])
    time = m.group(1)

    def cells(i):
        ln = lines[i]
        if not ln.endswith("\t,"):
            raise DataValidationError(
                "table line does not end with the NBS separator '\\t,'",
                path=name,
                row=i + 1,
                value=ln,
            )
        parts = ln[:-2].split("\t,")
        for p in parts:
            if "\t" in p:
                raise DataValidationError("stray tab in a cell", path=name, row=i + 1, value=p)
        return [p.strip() for p in parts]

    header = cells(2)
    if header[0] not in ("地区", "指标"):
        raise DataValidationError(
            "header must start with 地区 or 指标",
            path=name,
            row=3,
            column=header[0],
            value=header[0],
        )
    if len(set(header)) != len(header):
        raise DataValidationError("duplicate header cell", path=name, row=3)
    rows = []
    i = 3
    footer_re = re.compile(r"^(注：|数据来源：|\d+\.\s)")
    while i < len(lines) and not footer_re.match(lines[i]):
        c = cells(i)
        if len(c) != len(header):
            raise DataValidationError(
                f"expected {len(header)} cells, got {len(c)}", path=name, row=i + 1
            )
        if c[0] == "":
            raise DataValidationError("empty row label", path=name, row=i + 1, column=header[0])
        for j, v in enumerate(c[1:], start=1):
            if v != "" and not _NUM_RE.match(v):
                raise DataValidationError(
                    "not a number", path=name, row=i + 1, column=header[j], value=v
                )
        rows.append((i + 1, c[0], c[1:]))
        i += 1
    if not rows:
        raise DataValidationError("no table rows", path=name, row=4)
    notes = lines[i:]
    for k, ln in enumerate(notes, start=i + 1):
        if "\t," in ln or ln.strip() == "":
            raise DataValidationError("unexpected line in the footer", path=name, row=k, value=ln)
    if "数据来源：国家统计局" not in [n.strip() for n in notes]:
        raise DataValidationError("footer 「数据来源：国家统计局」 not found", path=name)
    return NBSExport(name, database, time, header, rows, notes)


#: indicator id -> (NBS name, unit)
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
    "population_rural": ("乡村人口", "万人"),
}
_ECON_BY_LABEL = {
    f"{v[0]} ({v[1]})": k for k, v in ECONOMY_INDICATORS.items() if k not in ("gdp_index",)
}
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
    ("nbs_export_retail_sales", _EXPORTS + "社会消费品总额.csv", "by_year", "retail_sales"),
)
#: exports kept in data/raw for cross-checks, not loaded (see data/README.md)
CROSSCHECK_FILES = {
    "nbs_export_gdp_by_year": _EXPORTS + "按照年份的GDP.csv",
    "nbs_export_gdp_per_capita_unlabelled": _EXPORTS + "2025GDP.csv",
    "nbs_export_archive_beijing": "province_economy_nbs/archive/分省年度数据.csv",
}


def _export(rel: str, root: Path) -> NBSExport:
    path = root / "raw" / rel
    exp = parse_nbs_export(_read_raw(rel, root), path=str(path))
    if exp.database != "分省年度数据":
        raise DataValidationError(
            "expected 数据库：分省年度数据", path=path, row=1, value=exp.database
        )
    return exp


def _region_rows(exp: NBSExport):
    """Map row labels (full names) to codes; require the 31 provinces exactly once."""
    seen = {}
    for ln, label, vals in exp.rows:
        code = _find_region(label)
        if code is None or _BY_CODE[code][2] != label:
            raise DataValidationError(
                "unknown region", path=exp.path, row=ln, column="地区", value=label
            )
        if code in seen:
            raise DataValidationError(
                "duplicate region", path=exp.path, row=ln, column="地区", value=label
            )
        seen[code] = (ln, vals)
    if len(seen) != 31:
        missing = [r[2] for r in _REGIONS if r[0] not in seen]
        raise DataValidationError(f"regions missing: {missing}", path=exp.path)
    return seen


def _year_columns(exp: NBSExport):
    years = []
    for j, h in enumerate(exp.header[1:], start=1):
        m = re.match(r"^(\d{4})年$", h)
        if not m:
            raise DataValidationError(
                "header cell is not a year (YYYY年)", path=exp.path, row=3, column=h, value=h
            )
        years.append(int(m.group(1)))
    return years


def _export_long(exp: NBSExport, layout: str, spec, source_id: str):
    """Long records (code, year, indicator, value, row) from a parsed export."""
    out = []
    regs = _region_rows(exp)
    if layout == "by_indicator":
        m = re.match(r"^(\d{4})年$", exp.time)
        if not m or int(m.group(1)) != spec:
            raise DataValidationError(
                f"expected 时间：{spec}年", path=exp.path, row=2, value=exp.time
            )
        inds = []
        for h in exp.header[1:]:
            ind = _ECON_BY_LABEL.get(h)
            if ind is None:
                raise DataValidationError(
                    "unknown indicator", path=exp.path, row=3, column=h, value=h
                )
            inds.append(ind)
        for code, (ln, vals) in regs.items():
            for ind, v, h in zip(inds, vals, exp.header[1:]):
                out.append((code, spec, ind, _number(v, exp.path, ln, h)[0], source_id))
    else:
        years = _year_columns(exp)
        for j, y in enumerate(years):
            if all(vals[j] == "" for _ln, vals in regs.values()):
                continue  # a year column empty for every region = not released; documented
            for code, (ln, vals) in regs.items():
                v = _number(vals[j], exp.path, ln, exp.header[j + 1])[0]
                out.append((code, y, spec, v, source_id))
    return out


def _build_economy(root: Path):
    import pandas as pd

    recs = []
    for sid, rel, layout, spec in ECONOMY_FILES:
        recs.extend(_export_long(_export(rel, root), layout, spec, sid))
    seen = set()
    for code, y, ind, _v, sid in recs:
        if (code, y, ind) in seen:
            raise DataValidationError(
                f"duplicate key ({code}, {y}, {ind}) across exports", path=sid
            )
        seen.add((code, y, ind))
    order = {k: i for i, k in enumerate(ECONOMY_INDICATORS)}
    recs.sort(key=lambda r: (order[r[2]], r[0], r[1]))
    out = [
        (
            code,
            _BY_CODE[code][1],
            _BY_CODE[code][3],
            y,
            ind,
            ECONOMY_INDICATORS[ind][0],
            v,
            ECONOMY_INDICATORS[ind][1],
            sid,
        )
        for code, y, ind, v, sid in recs
    ]
    df = pd.DataFrame(out, columns=PANEL_COLUMNS)
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype("float64")
    return df


# ---------------------------------------------------------------------------
# hand-collected series

_HC_FILE = "hand_collected/series.csv"
_HC_HEADER = [
    "series",
    "region",
    "year",
    "period",
    "value",
    "unit",
    "qualifier",
    "source_url",
    "source_title",
    "source_date",
    "notes",
]
#: region labels of the hand-collected file -> names used in the loaded tables
HC_REGIONS = {"Shanghai": "上海", "Shanghai-Jiading": "上海嘉定区", "China": "全国"}
_SERIES_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _convert(dec: Decimal, unit: str):
    """Value in 亿元 for currency units; unchanged for other units."""
    if _units.is_currency(unit):
        return float(_units.decimal_to_yi(dec, unit))
    return float(dec)


def _build_hand_collected(root: Path):
    import pandas as pd

    path = root / "raw" / _HC_FILE
    text = _decode(_read_raw(_HC_FILE, root), path)
    src = sources(root=root)
    by_url = {}
    for sid, url in zip(src["source_id"], src["url"]):
        if sid.startswith("hc_"):
            if url in by_url:
                raise DataValidationError(
                    "two hc_ sources share a url",
                    path=root / "sources.csv",
                    column="url",
                    value=url,
                )
            by_url[url] = sid
    rows = _csv_rows(text, path)
    try:
        _, head = next(rows)
    except StopIteration:
        raise DataValidationError("empty file", path=path) from None
    _header(head, path, expected=_HC_HEADER)
    out = []
    keys = set()
    for ln, f in rows:
        if len(f) != len(_HC_HEADER):
            raise DataValidationError(
                f"expected {len(_HC_HEADER)} fields, got {len(f)}", path=path, row=ln
            )
        r = dict(zip(_HC_HEADER, f))
        if not _SERIES_ID_RE.match(r["series"]):
            raise DataValidationError(
                "series id must be lower-case ASCII",
                path=path,
                row=ln,
                column="series",
                value=r["series"],
            )
        if r["region"] not in HC_REGIONS:
            raise DataValidationError(
                f"unknown region (known: {list(HC_REGIONS)})",
                path=path,
                row=ln,
                column="region",
                value=r["region"],
            )
        year = _year(r["year"], path, ln)
        if not r["period"].strip():
            raise DataValidationError("empty period", path=path, row=ln, column="period")
        try:
            unit = _units.normalize_unit(r["unit"])
        except _units.UnitError:
            raise DataValidationError(
                "unknown unit", path=path, row=ln, column="unit", value=r["unit"]
            ) from None
        vo, dec = _number(
            r["value"],
            path,
            ln,
            "value",
            allow_empty=False,
            allow_negative=unit in _units.SIGNED_UNITS,
        )
        if r["qualifier"] not in QUALIFIERS:
            raise DataValidationError(
                f"qualifier must be one of {QUALIFIERS}",
                path=path,
                row=ln,
                column="qualifier",
                value=r["qualifier"],
            )
        sid = by_url.get(r["source_url"])
        if sid is None:
            raise DataValidationError(
                "source_url has no hc_ row in data/sources.csv",
                path=path,
                row=ln,
                column="source_url",
                value=r["source_url"],
            )
        key = (r["series"], r["region"], year, r["period"], r["qualifier"], sid)
        if key in keys:
            raise DataValidationError(f"duplicate key {key}", path=path, row=ln)
        keys.add(key)
        out.append(
            (
                r["series"],
                HC_REGIONS[r["region"]],
                year,
                r["period"],
                _convert(dec, unit),
                vo,
                r["unit"],
                r["qualifier"],
                sid,
                r["source_title"],
                r["source_url"],
                r["source_date"],
                r["notes"],
            )
        )
    df = pd.DataFrame(out, columns=SERIES_COLUMNS)
    df["year"] = df["year"].astype("int64")
    return df


# ---------------------------------------------------------------------------
# major cities

_CITY_FILE = "nbs_major_cities_gdp/major_cities_gdp_1999_2017_long.csv"


def _build_cities(root: Path):
    import pandas as pd

    path = root / "raw" / _CITY_FILE
    text = _decode(_read_raw(_CITY_FILE, root), path)
    rows = _csv_rows(text, path)
    try:
        _, head = next(rows)
    except StopIteration:
        raise DataValidationError("empty file", path=path) from None
    _header(head, path, expected=["city", "year", "gdp_yi_yuan"])
    out, keys = [], set()
    for ln, f in rows:
        if len(f) != 3:
            raise DataValidationError(f"expected 3 fields, got {len(f)}", path=path, row=ln)
        city = f[0].strip()
        if not city:
            raise DataValidationError("empty city", path=path, row=ln, column="city")
        y = _year(f[1], path, ln)
        v, _ = _number(f[2], path, ln, "gdp_yi_yuan", allow_empty=False)
        if (city, y) in keys:
            raise DataValidationError("duplicate (city, year)", path=path, row=ln)
        keys.add((city, y))
        out.append((city, y, v, "亿元", "nbs_major_cities"))
    df = pd.DataFrame(out, columns=CITY_COLUMNS)
    df["year"] = df["year"].astype("int64")
    return df


# ---------------------------------------------------------------------------
# public loaders


def load(name: str, *, root=None):
    """Load a validated dataset as a tidy DataFrame.

    Parameters
    ----------
    name : {"provincial_panel", "provincial_economy", "shanghai_ecommerce", \
"national_ecommerce", "major_cities_gdp"}
        Dataset to load.
    root : path-like, optional
        Data directory holding ``raw/`` and ``sources.csv`` (default
        :func:`data_dir`); used by tests on temporary copies.

    Returns
    -------
    pandas.DataFrame
        ``provincial_panel`` / ``provincial_economy``: columns region_code,
        region, region_en, year, indicator, indicator_zh, value, unit,
        source_id. ``provincial_panel`` is the full 31 x 2015-2024 x 9 grid
        (2790 rows; the 31 missing 2024 ``ecommerce_firms_share`` cells are
        NaN). ``shanghai_ecommerce`` / ``national_ecommerce``: series, region,
        year, period, value (亿元; percentages unchanged), value_original,
        unit_original, qualifier, source_id, source_title, source_url,
        source_date, notes. ``major_cities_gdp``: city, year, value (亿元),
        unit, source_id. A fresh copy is returned on every call.

    Raises
    ------
    DataValidationError
        Unknown ``name``, changed raw file (sha256 mismatch), or any content
        that fails validation.

    Examples
    --------
    >>> df = load("provincial_panel")
    >>> q = "region == '上海' and year == 2024 and indicator == 'ecommerce_sales'"
    >>> df.query(q).value.item()
    46683.4
    """
    r = _root(root)
    if name == "provincial_panel":
        df = _cached(name, r, [_PANEL_FILE], lambda: _build_panel(r))
    elif name == "provincial_economy":
        df = _cached(name, r, [f[1] for f in ECONOMY_FILES], lambda: _build_economy(r))
    elif name in ("shanghai_ecommerce", "national_ecommerce"):
        hc = _cached(
            "hand_collected", r, [_HC_FILE, "../sources.csv"], lambda: _build_hand_collected(r)
        )
        mask = hc["region"] == "全国"
        df = hc[mask] if name == "national_ecommerce" else hc[~mask]
        df = df.reset_index(drop=True)
    elif name == "major_cities_gdp":
        df = _cached(name, r, [_CITY_FILE], lambda: _build_cities(r))
    else:
        raise DataValidationError(
            f"unknown dataset; choose one of {DATASETS}", column="name", value=name
        )
    return df.copy()


_SOURCES_HEADER = ["source_id", "publisher", "title", "url", "table", "date", "terms", "notes"]


def sources(*, root=None):
    """Return the source register ``data/sources.csv``, one row per source.

    Parameters
    ----------
    root : path-like, optional
        Data directory (default :func:`data_dir`).

    Returns
    -------
    pandas.DataFrame
        Columns source_id, publisher, title, url, table, date, terms, notes
        (all str). Every ``source_id`` used by a loaded table is a row here.

    Raises
    ------
    DataValidationError
        If the file is missing, malformed or has duplicate ids.

    Examples
    --------
    >>> sources().set_index("source_id").loc["paper", "title"]
    '上海电子商务产业集群推进策略研究'
    """
    import pandas as pd

    path = _root(root) / "sources.csv"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataValidationError(f"cannot read: {exc.strerror}", path=path) from None
    rows = _csv_rows(_decode(data, path), path)
    try:
        _, head = next(rows)
    except StopIteration:
        raise DataValidationError("empty file", path=path) from None
    _header(head, path, expected=_SOURCES_HEADER)
    out, ids = [], set()
    for ln, f in rows:
        if len(f) != len(_SOURCES_HEADER):
            raise DataValidationError(f"expected {len(_SOURCES_HEADER)} fields", path=path, row=ln)
        if not re.match(r"^[a-z0-9_]+$", f[0]) or f[0] in ids:
            raise DataValidationError(
                "source_id empty, not [a-z0-9_] or duplicate",
                path=path,
                row=ln,
                column="source_id",
                value=f[0],
            )
        ids.add(f[0])
        out.append(f)
    return pd.DataFrame(out, columns=_SOURCES_HEADER)


def coverage(df, *, qualifiers=None, period=None):
    """List the missing region x year x indicator cells of a long table.

    The grid is every region in ``df`` x every year from its first to its
    last year x every indicator (``indicator`` column, else ``series``). A
    cell is missing when no row has a non-NaN value for it: either a row with
    an explicit empty value (``status="empty"``) or no row at all
    (``status="absent"``).

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`load` or :func:`read_csv`.
    qualifiers : sequence of str, optional
        For series tables: count only rows with these qualifiers as present
        (e.g. ``("exact",)``).
    period : str, optional
        For series tables: count only rows of this period (e.g. ``"FY"``).

    Returns
    -------
    pandas.DataFrame
        Columns region, indicator, year, status; sorted; empty if complete.

    Raises
    ------
    DataValidationError
        If ``df`` lacks region/year and indicator/series columns.

    Examples
    --------
    >>> gaps = coverage(load("provincial_panel"))
    >>> sorted(set(zip(gaps.indicator, gaps.year, gaps.status)))
    [('ecommerce_firms_share', 2024, 'empty')]
    """
    import pandas as pd

    ind_col = "indicator" if "indicator" in df.columns else "series"
    for c in ("region", "year", ind_col, "value"):
        if c not in df.columns:
            raise DataValidationError("table lacks a required column", column=c)
    d = df
    if qualifiers is not None and "qualifier" in d.columns:
        d = d[d["qualifier"].isin(list(qualifiers))]
    if period is not None and "period" in d.columns:
        d = d[d["period"] == period]
    cols = ["region", "indicator", "year", "status"]
    if len(df) == 0:
        return pd.DataFrame(columns=cols)
    present = set(zip(d["region"], d[ind_col], d["year"], d["value"].notna()))
    have = {(r, i, y) for r, i, y, ok in present if ok}
    rows_any = {(r, i, y) for r, i, y, _ok in present}
    years = range(int(df["year"].min()), int(df["year"].max()) + 1)
    regs = list(dict.fromkeys(df["region"]))
    inds = list(dict.fromkeys(df[ind_col]))
    out = []
    for i in inds:
        for r in regs:
            for y in years:
                if (r, i, y) not in have:
                    out.append((r, i, y, "empty" if (r, i, y) in rows_any else "absent"))
    return pd.DataFrame(out, columns=cols)


# ---------------------------------------------------------------------------
# user files

_SERIES_REQUIRED = ("region", "year", "value", "unit")
_SERIES_OPTIONAL = ("period", "qualifier", "source", "series", "notes")
_PANEL_REQUIRED = ("region", "year", "indicator", "value", "unit")
_PANEL_OPTIONAL = ("source", "notes")
_IND_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _user_region(text, path, ln, strict):
    t = text.strip()
    if t == "":
        raise DataValidationError("empty region", path=path, row=ln, column="region", value=text)
    if any(ord(ch) < 32 for ch in t):
        raise DataValidationError(
            "control character in region", path=path, row=ln, column="region", value=text
        )
    code = _find_region(t)
    if code is not None:
        return _BY_CODE[code][1]
    if strict or t.isdigit():
        raise DataValidationError(
            "unknown region (digits must be a 6-digit province code)"
            if t.isdigit()
            else "unknown region (strict_regions=True allows only the 31 provinces)",
            path=path,
            row=ln,
            column="region",
            value=text,
        )
    return t


def read_csv(path, kind: str = "series", *, strict_regions: bool = False):
    """Read and validate a researcher's own CSV file.

    File format (UTF-8, with or without BOM, comma-separated, header on line 1,
    column names case-insensitive, any order):

    * ``kind="series"``: required ``region, year, value, unit``; optional
      ``period`` (default ``FY``), ``qualifier`` (exact | approx | lower_bound
      | target, default exact), ``source``, ``series`` (ASCII id, default
      ``value``), ``notes``.
    * ``kind="panel"``: required ``region, year, indicator, value, unit``;
      optional ``source``, ``notes``.

    Rules: ``year`` an integer in 1949..2100; ``value`` a decimal number
    (no thousands separators) >= 0, or an empty cell = missing (kept as NaN
    and reported by :func:`coverage`); ``unit`` a known unit (currency units
    are converted to 亿元, see :mod:`cluster_research.units`); ``region`` any
    non-empty name: one of the 31 provinces in any form is normalised to its
    short Chinese name (上海), any other name (e.g. 杭州) is kept as written
    unless ``strict_regions=True``; an all-digit region must be a province
    code. Duplicate keys are errors: series (series, region, year, period,
    qualifier, source); panel (region, year, indicator). Blank lines are
    skipped.

    Parameters
    ----------
    path : path-like
        CSV file.
    kind : {"series", "panel"}
    strict_regions : bool, default False
        Accept only the 31 provinces.

    Returns
    -------
    pandas.DataFrame
        ``series``: the columns of ``load("shanghai_ecommerce")`` with
        ``source_id`` = ``"user"`` and ``source_title`` = the ``source`` cell.
        ``panel``: columns region, year, indicator, value, unit, source_id,
        source_title (value in 亿元 for currency units, unit then "亿元").

    Raises
    ------
    DataValidationError
        Naming file, 1-based line, column and value, for: unreadable or
        non-UTF-8 file, missing/unexpected/duplicate columns, wrong number of
        fields, non-numeric or negative value, unknown unit, empty or unknown
        region, bad year, bad qualifier, duplicate key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "shenzhen.csv"
    >>> _ = p.write_text("region,year,value,unit\\n深圳,2017,22490.06,亿元\\n", encoding="utf-8")
    >>> df = read_csv(p)
    >>> df.loc[0, "region"], int(df.loc[0, "year"]), float(df.loc[0, "value"])
    ('深圳', 2017, 22490.06)
    """
    import pandas as pd

    if kind not in ("series", "panel"):
        raise DataValidationError("kind must be 'series' or 'panel'", column="kind", value=kind)
    p = Path(path)
    try:
        data = p.read_bytes()
    except (OSError, TypeError, ValueError) as exc:
        raise DataValidationError(f"cannot read file: {exc}", path=path) from None
    text = _decode(data, p)
    if "\x00" in text:
        raise DataValidationError("NUL byte in file (binary or UTF-16?); save as UTF-8", path=p)
    rows = _csv_rows(text, p)
    head = None
    for ln, f in rows:
        if f:
            head = (ln, f)
            break
    if head is None:
        raise DataValidationError("empty file (no header)", path=p)
    if head[0] != 1:
        raise DataValidationError("the header must be on line 1", path=p, row=head[0])
    req, opt = (
        (_SERIES_REQUIRED, _SERIES_OPTIONAL)
        if kind == "series"
        else (_PANEL_REQUIRED, _PANEL_OPTIONAL)
    )
    names = _header(head[1], p, required=req, optional=opt)
    out, keys = [], {}
    for ln, f in rows:
        if not f:
            continue
        if len(f) != len(names):
            raise DataValidationError(f"expected {len(names)} fields, got {len(f)}", path=p, row=ln)
        r = dict(zip(names, f))
        region = _user_region(r["region"], p, ln, strict_regions)
        year = _year(r["year"], p, ln)
        try:
            unit = _units.normalize_unit(r["unit"])
        except _units.UnitError:
            raise DataValidationError(
                "unknown unit (currency: 亿元, 万亿元, 万元, 元, billion/trillion/million yuan; "
                f"other: {sorted(_units.OTHER_UNITS)})",
                path=p,
                row=ln,
                column="unit",
                value=r["unit"],
            ) from None
        vo, dec = _number(r["value"], p, ln, "value", allow_negative=unit in _units.SIGNED_UNITS)
        value = vo if dec is None else _convert(dec, unit)
        source = r.get("source", "").strip()
        notes = r.get("notes", "")
        if kind == "series":
            sname = r.get("series", "").strip() or "value"
            if not _IND_RE.match(sname):
                raise DataValidationError(
                    "series id must be ASCII letters, digits, _",
                    path=p,
                    row=ln,
                    column="series",
                    value=r.get("series"),
                )
            period = r.get("period", "").strip() or "FY"
            qual = r.get("qualifier", "").strip() or "exact"
            if qual not in QUALIFIERS:
                raise DataValidationError(
                    f"qualifier must be one of {QUALIFIERS}",
                    path=p,
                    row=ln,
                    column="qualifier",
                    value=r.get("qualifier"),
                )
            key = (sname, region, year, period, qual, source)
            rec = (
                sname,
                region,
                year,
                period,
                value,
                vo,
                r["unit"].strip(),
                qual,
                "user",
                source,
                "",
                "",
                notes,
            )
        else:
            ind = r["indicator"].strip()
            if not _IND_RE.match(ind):
                raise DataValidationError(
                    "indicator id must be ASCII letters, digits, _",
                    path=p,
                    row=ln,
                    column="indicator",
                    value=r["indicator"],
                )
            key = (region, year, ind)
            out_unit = "亿元" if _units.is_currency(unit) else unit
            rec = (region, year, ind, value, out_unit, "user", source)
        if key in keys:
            raise DataValidationError(
                f"duplicate key {key} (first on line {keys[key]})", path=p, row=ln
            )
        keys[key] = ln
        out.append(rec)
    if not out:
        raise DataValidationError("no data rows", path=p)
    cols = (
        SERIES_COLUMNS
        if kind == "series"
        else ["region", "year", "indicator", "value", "unit", "source_id", "source_title"]
    )
    df = pd.DataFrame(out, columns=cols)
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype("float64")
    if kind == "series":
        df["value_original"] = df["value_original"].astype("float64")
    df.attrs["path"] = str(p)
    return df


# ---------------------------------------------------------------------------
# convenience series


def _resolve_series_region(region):
    t = str(region).strip()
    if t.lower() in ("china", "全国", "中国", "national"):
        return "全国"
    if t.lower() in ("shanghai-jiading", "上海嘉定区", "嘉定"):
        return "上海嘉定区"
    code = _find_region(t)
    return _BY_CODE[code][1] if code else t


def _collapse(df, what):
    """year -> single value; identical duplicates collapse, conflicts raise."""
    import pandas as pd

    out = {}
    for y, g in df.groupby("year"):
        vals = sorted(set(g["value"].dropna().tolist()))
        if len(vals) > 1:
            raise DataValidationError(
                f"conflicting values for {what} in {y}: {vals} (sources "
                f"{sorted(set(g['source_id']))}); filter by source_id",
                column="value",
                value=vals,
            )
        out[int(y)] = vals[0] if vals else math.nan
    return pd.Series(out, dtype="float64").sort_index()


def series(
    region,
    indicator,
    dataset: str = "provincial_panel",
    *,
    qualifiers=("exact",),
    period="FY",
    exclude_source_ids=(),
    root=None,
):
    """Return one region's indicator as a year-indexed Series.

    Parameters
    ----------
    region : str
        Any province name or code; for the hand-collected datasets also
        全国 / China and 上海嘉定区.
    indicator : str
        Indicator id (provincial datasets) or series id (hand-collected).
    dataset : str, default "provincial_panel"
        Any name accepted by :func:`load` except ``major_cities_gdp``.
    qualifiers, period, exclude_source_ids
        Hand-collected datasets only: rows kept (default exact, full year)
        and sources dropped. Identical values from several sources collapse
        to one; conflicting values raise (e.g. national online retail 2015:
        3.877 trillion vs 38773 亿元 -- pick a source with exclude_source_ids).
    root : path-like, optional
        Data directory.

    Returns
    -------
    pandas.Series
        Index: int year; values float (NaN for a gap); ``name`` = indicator.

    Raises
    ------
    DataValidationError
        If nothing matches or values conflict.

    Examples
    --------
    >>> float(series("北京", "ecommerce_sales").loc[2015])
    10530.5
    """
    if dataset not in DATASETS or dataset == "major_cities_gdp":
        raise DataValidationError(
            "dataset not supported by series()", column="dataset", value=dataset
        )
    df = load(dataset, root=root)
    if dataset.startswith("provincial"):
        reg = region_name(region)
        sel = df[(df["region"] == reg) & (df["indicator"] == indicator)]
        if sel.empty:
            raise DataValidationError(
                f"no rows for region {reg} in {dataset}", column="indicator", value=indicator
            )
        s = sel.set_index("year")["value"].astype("float64").sort_index()
        s.index = s.index.astype("int64")
    else:
        reg = _resolve_series_region(region)
        sel = df[(df["region"] == reg) & (df["series"] == indicator)]
        if qualifiers is not None:
            sel = sel[sel["qualifier"].isin(list(qualifiers))]
        if period is not None:
            sel = sel[sel["period"] == period]
        sel = sel[~sel["source_id"].isin(list(exclude_source_ids))]
        if sel.empty:
            raise DataValidationError(
                f"no rows for region {reg!r}, qualifiers {qualifiers}, period {period!r} "
                f"in {dataset}",
                column="series",
                value=indicator,
            )
        s = _collapse(sel, f"{reg} {indicator}")
    s.index.name = "year"
    s.name = indicator
    return s


def breaks(indicator="ecommerce_sales", threshold=-0.30, *, df=None, root=None):
    """Flag year-on-year drops larger than ``threshold`` in a provincial indicator.

    A drop far beyond what the economy does in one year (the NBS panel has eight
    drops of more than 30 % in 企业电子商务销售额, unexplained in the source) is more
    likely a change of survey coverage or definition than a real fall; analyses can
    show such region-years or leave them out (``cr.regression.analysis_frame(...,
    exclude=breaks(...))``). Nothing is changed in the data.

    The change of region *r* in year *t* is

    .. math:: c_{r,t} = x_{r,t} / x_{r,t-1} - 1,

    computed only between **consecutive** calendar years with both values present
    and :math:`x_{r,t-1} > 0` (a gap is never bridged). A region-year is flagged when
    :math:`c_{r,t} < \text{threshold}`.

    Parameters
    ----------
    indicator : str, default "ecommerce_sales"
        Indicator id of ``df`` (default: the NBS provincial panel).
    threshold : float, default -0.30
        Flag changes below this; must lie in (-1, 0).
    df : pandas.DataFrame, optional
        Long frame with columns region_code, region, year, indicator, value
        (default: ``load("provincial_panel")``).
    root : path-like, optional
        Data root for the default frame.

    Returns
    -------
    pandas.DataFrame
        region_code, region, year, previous (value in t-1), value, change, reason;
        sorted from the largest drop. Empty when nothing is flagged.

    Raises
    ------
    ValueError
        ``threshold`` outside (-1, 0).
    DataValidationError
        Unknown indicator, missing columns, or duplicate region-years.

    Examples
    --------
    >>> b = breaks("ecommerce_sales", -0.30)
    >>> first = b.iloc[0]
    >>> (first["region"], int(first["year"]), float(first["change"]))
    ('青海', 2017, -0.699)
    >>> len(b)
    8
    """
    if not isinstance(threshold, (int, float)) or not -1 < threshold < 0:
        raise ValueError(f"breaks(): threshold must lie in (-1, 0), got {threshold!r}")
    if df is None:
        df = load("provincial_panel", root=root)
    need = ["region_code", "region", "year", "indicator", "value"]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise DataValidationError(f"breaks(): missing columns {miss}", column=miss[0])
    sel = df.loc[df["indicator"] == indicator, need[:3] + ["value"]]
    if sel.empty:
        raise DataValidationError("breaks(): no rows for this indicator", column="indicator",
                                  value=indicator)
    dup = sel.duplicated(["region_code", "year"])
    if dup.any():
        r = sel[dup].iloc[0]
        raise DataValidationError(f"breaks(): duplicate {r['region']} {r['year']}",
                                  column="year", value=r["year"])
    sel = sel.assign(year=sel["year"].astype(int))
    prev = sel.assign(year=sel["year"] + 1).rename(columns={"value": "previous"})
    both = sel.merge(prev[["region_code", "year", "previous"]], on=["region_code", "year"])
    both = both[both["value"].notna() & both["previous"].notna() & (both["previous"] > 0)]
    change = both["value"] / both["previous"] - 1
    out = both.assign(change=change.round(3))[change < threshold]
    out = out.assign(reason=[f"{indicator} {c:+.1%} y/y (below {threshold:+.0%})"
                             for c in change[change < threshold]])
    cols = ["region_code", "region", "year", "previous", "value", "change", "reason"]
    return out.sort_values(["change", "region_code"])[cols].reset_index(drop=True)


def shanghai_transactions(qualifiers=("exact",), period="FY", *, exclude_source_ids=(), root=None):
    """Return Shanghai's 电子商务交易额 (e-commerce transaction volume), 亿元.

    Parameters
    ----------
    qualifiers : sequence of str, default ("exact",)
        Which qualifiers count; approx / lower_bound / target are never
        included unless asked for.
    period : str, default "FY"
        Full-year values; e.g. "H1" for the 2011 half year.
    exclude_source_ids : sequence of str
        Sources to drop (e.g. ``"hc_researchinchina_2008"``, the 2007 value
        compiled by the Shanghai E-commerce Association rather than the
        Commerce Commission, or ``"hc_github_codecomment_tjjsh_2026_03_30"``,
        the unverified secondary 2025 value).
    root : path-like, optional

    Returns
    -------
    pandas.Series
        year -> 亿元, named ``ecommerce_transaction_volume``. Caveat: 2021
        (32400) < 2019 (33200), a probable definition/revision break.

    Raises
    ------
    DataValidationError
        If sources disagree for a year (after exclusions).

    Examples
    --------
    >>> float(shanghai_transactions().loc[2010])
    4252.8
    """
    df = load("shanghai_ecommerce", root=root)
    sel = df[
        (df["series"] == "ecommerce_transaction_volume")
        & (df["region"] == "上海")
        & df["qualifier"].isin(list(qualifiers))
        & (df["period"] == period)
        & ~df["source_id"].isin(list(exclude_source_ids))
    ]
    s = _collapse(sel, "Shanghai ecommerce_transaction_volume")
    s.index.name = "year"
    s.name = "ecommerce_transaction_volume"
    return s


# ---------------------------------------------------------------------------
# processed tables


def build_processed(out_dir=None, *, root=None) -> list[Path]:
    """Write the tidy tables to ``data/processed/`` and return their paths.

    Files: one CSV per dataset of :data:`DATASETS`, ``regions.csv``,
    ``coverage_provincial_panel.csv`` and ``coverage_provincial_economy.csv``.
    UTF-8, LF line endings, NaN written as an empty cell, floats in shortest
    round-trip form, so the output is byte-for-byte reproducible.

    Parameters
    ----------
    out_dir : path-like, optional
        Target directory (default ``data_dir()/"processed"``); created if needed.
    root : path-like, optional
        Data directory to read from (default :func:`data_dir`).

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    DataValidationError
        If any raw file fails validation.

    Examples
    --------
    >>> import tempfile
    >>> paths = build_processed(tempfile.mkdtemp())
    >>> sorted(p.name for p in paths)[0]
    'coverage_provincial_economy.csv'
    """
    out = Path(out_dir) if out_dir is not None else _root(root) / "processed"
    out.mkdir(parents=True, exist_ok=True)
    tables = {name: load(name, root=root) for name in DATASETS}
    tables["regions"] = regions()
    tables["coverage_provincial_panel"] = coverage(tables["provincial_panel"])
    tables["coverage_provincial_economy"] = coverage(tables["provincial_economy"])
    paths = []
    for name, df in tables.items():
        p = out / f"{name}.csv"
        df.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
        paths.append(p)
    return paths


def main(argv=None) -> int:
    """Verify the manifest and rebuild ``data/processed/``, printing what was done.

    Used as ``python -m cluster_research.data`` (e.g. by ``make reproduce``).

    Parameters
    ----------
    argv : list of str, optional
        Unused; present for a conventional entry-point signature.

    Returns
    -------
    int
        0 on success (validation errors propagate as DataValidationError).

    Examples
    --------
    >>> main()  # doctest: +SKIP
    """
    rels = verify_manifest()
    print(f"verified sha256 of {len(rels)} raw files in {data_dir() / 'raw'}")
    for p in build_processed():
        n = sum(1 for _ in p.open(encoding="utf-8")) - 1
        print(f"wrote {p.relative_to(data_dir().parent)} ({n} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
