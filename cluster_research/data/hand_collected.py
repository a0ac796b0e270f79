"""Hand-collected published figures (Shanghai, Jiading district, national), one row per value.

``shanghai_ecommerce`` / ``national_ecommerce``
    Read from ``data/raw/hand_collected/series.csv``; every row keeps its qualifier
    (exact | approx | lower_bound | target) and its source (a ``hc_`` row of
    ``data/sources.csv``, matched by URL). Currency values are converted to 亿元.
"""

from __future__ import annotations

import re

from ..errors import DataValidationError, ParameterError
from . import units
from .manifest import cached_table, resolve_root, shipped_rows, sources
from .parsing import check_one_dimension, convert_value, parse_decimal, parse_year, to_float
from .registry import dataset

__all__ = ["HC_REGIONS", "QUALIFIERS", "SERIES_COLUMNS", "build_hand_collected",
           "load_national_ecommerce", "load_shanghai_ecommerce"]

QUALIFIERS = ("exact", "approx", "lower_bound", "target")
SERIES_COLUMNS = ["series", "region", "year", "period", "value", "value_original", "unit_original",
                  "qualifier", "source_id", "source_title", "source_url", "source_date", "notes"]
_HC_FILE = "hand_collected/series.csv"
_HC_HEADER = ["series", "region", "year", "period", "value", "unit", "qualifier", "source_url",
              "source_title", "source_date", "notes"]
#: region labels of the hand-collected file -> names used in the loaded tables
HC_REGIONS = {"Shanghai": "上海", "Shanghai-Jiading": "上海嘉定区", "China": "全国"}
_SERIES_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _source_ids_by_url(root):
    by_url = {}
    src = sources(root=root)
    for sid, url in zip(src["source_id"], src["url"]):
        if sid.startswith("hc_"):
            if url in by_url:
                raise DataValidationError("two hc_ sources share a url",
                                          path=root / "sources.csv", column="url", value=url)
            by_url[url] = sid
    return by_url


def _check_row(r, path, ln):
    """Validate the key cells of one row; return (year, unit)."""
    if not _SERIES_ID_RE.match(r["series"]):
        raise DataValidationError("series id must be lower-case ASCII", path=path, row=ln,
                                  column="series", value=r["series"])
    if r["region"] not in HC_REGIONS:
        raise DataValidationError(f"unknown region (known: {list(HC_REGIONS)})", path=path,
                                  row=ln, column="region", value=r["region"])
    year = parse_year(r["year"], path, ln)
    if not r["period"].strip():
        raise DataValidationError("empty period", path=path, row=ln, column="period")
    try:
        unit = units.normalize_unit(r["unit"])
    except ParameterError:
        raise DataValidationError("unknown unit", path=path, row=ln, column="unit",
                                  value=r["unit"]) from None
    if r["qualifier"] not in QUALIFIERS:
        raise DataValidationError(f"qualifier must be one of {QUALIFIERS}", path=path, row=ln,
                                  column="qualifier", value=r["qualifier"])
    return year, unit


def _hc_record(r, path, ln, by_url):
    year, unit = _check_row(r, path, ln)
    dec = parse_decimal(r["value"], path, ln, "value", allow_empty=False,
                        allow_negative=unit in units.SIGNED_UNITS)
    sid = by_url.get(r["source_url"])
    if sid is None:
        raise DataValidationError("source_url has no hc_ row in data/sources.csv", path=path,
                                  row=ln, column="source_url", value=r["source_url"])
    return (r["series"], HC_REGIONS[r["region"]], year, r["period"],
            convert_value(dec, unit, path, ln, "value", r["value"]),
            to_float(dec, path, ln, "value", r["value"]), r["unit"], r["qualifier"], sid,
            r["source_title"], r["source_url"], r["source_date"], r["notes"]), unit


def build_hand_collected(root=None):
    """Build the table of hand-collected series (all regions), cached per process.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SERIES_COLUMNS`; ``value`` in 亿元 for currency units.

    Raises
    ------
    DataValidationError
        Changed raw file, a cell that fails validation, a series that mixes
        dimensions, or a source URL missing from ``data/sources.csv``.

    Examples
    --------
    >>> sorted(set(build_hand_collected().region))
    ['上海', '上海嘉定区', '全国']
    """
    root = resolve_root(root)
    return cached_table("hand_collected", root, [_HC_FILE, "../sources.csv"],
                        lambda: _build(root))


def _build(root):
    import pandas as pd

    path, rows = shipped_rows(_HC_FILE, root, _HC_HEADER)
    by_url = _source_ids_by_url(root)
    out, keys, dims = [], set(), []
    for ln, f in rows:
        r = dict(zip(_HC_HEADER, f))
        rec, unit = _hc_record(r, path, ln, by_url)
        key = (r["series"], r["region"], rec[2], r["period"], r["qualifier"], rec[8])
        if key in keys:
            raise DataValidationError(f"duplicate key {key}", path=path, row=ln)
        keys.add(key)
        dims.append((r["series"], unit, ln))
        out.append(rec)
    check_one_dimension(dims, path, "series")
    df = pd.DataFrame(out, columns=SERIES_COLUMNS)
    df["year"] = df["year"].astype("int64")
    return df


@dataset("shanghai_ecommerce", kind="series", files=())
def load_shanghai_ecommerce(root=None):
    """Load the hand-collected figures of Shanghai and its Jiading district.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SERIES_COLUMNS`.

    Examples
    --------
    >>> df = load_shanghai_ecommerce()
    >>> df.query("year == 2010 and period == 'FY' and qualifier == 'exact' and "
    ...          "series == 'ecommerce_transaction_volume'").value.tolist()
    [4252.8]
    """
    hc = build_hand_collected(root)
    return hc[hc["region"] != "全国"].reset_index(drop=True)


@dataset("national_ecommerce", kind="series", files=())
def load_national_ecommerce(root=None):
    """Load the hand-collected national (全国) figures.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SERIES_COLUMNS`; ``region`` is 全国.

    Examples
    --------
    >>> set(load_national_ecommerce().region)
    {'全国'}
    """
    hc = build_hand_collected(root)
    return hc[hc["region"] == "全国"].reset_index(drop=True)
