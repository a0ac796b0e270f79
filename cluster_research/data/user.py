"""A researcher's own files: :func:`read_csv` and the pre-flight :func:`check_series`.

Everything a notebook would check on a user file before fitting runs here, so a
runner can call :func:`check_series` before any kernel starts and report the
file, row, column and value at fault.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from pathlib import Path

from ..errors import DataValidationError, ParameterError
from . import units
from .hand_collected import QUALIFIERS, SERIES_COLUMNS
from .parsing import (bounded, check_header, check_not_formula, check_one_dimension,
                      convert_value, csv_rows, decode_utf8, normalise_name, parse_decimal,
                      parse_year, to_float)
from .places import find_region, region_row

__all__ = ["PANEL_USER_COLUMNS", "check_series", "read_csv"]

_SERIES_REQUIRED = ("region", "year", "value", "unit")
_SERIES_OPTIONAL = ("period", "qualifier", "source", "series", "notes")
_PANEL_REQUIRED = ("region", "year", "indicator", "value", "unit")
_PANEL_OPTIONAL = ("source", "notes")
_IND_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: Columns of ``read_csv(path, kind="panel")``.
PANEL_USER_COLUMNS = ["region", "year", "indicator", "value", "unit", "source_id", "source_title"]


def _open(path):
    """Return (Path, text) of a user file; typed errors for a missing or bad path."""
    if not isinstance(path, (str, os.PathLike)) or str(path) == "":
        raise DataValidationError(
            f"cannot read file: no file given (path is {path!r}; pass a CSV file path)",
            path=None if path is None else repr(path))
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise DataValidationError("cannot read file: file not found", path=p) from None
    except (OSError, ValueError) as exc:
        raise DataValidationError(f"cannot read file: {exc}", path=p) from None
    text = decode_utf8(data, p)
    if "\x00" in text:
        raise DataValidationError("NUL byte in file (binary or UTF-16?); save as UTF-8", path=p)
    return p, text


def _region(text, path, ln, strict):
    t = normalise_name(text, path=path, row=ln, column="region")
    if t == "":
        raise DataValidationError("empty region", path=path, row=ln, column="region", value=text)
    code = find_region(t)
    if code is not None:
        return region_row(code)[1]
    if strict or t.isdigit():
        raise DataValidationError(
            "unknown region (digits must be a 6-digit province code)"
            if t.isdigit()
            else "unknown region (strict_regions=True allows only the 31 provinces)",
            path=path, row=ln, column="region", value=text)
    return t


def _unit(text, path, ln):
    normalise_name(text, path=path, row=ln, column="unit")
    try:
        return units.normalize_unit(text)
    except ParameterError:
        raise DataValidationError(
            "unknown unit (currency: 亿元, 万亿元, 万元, 元, billion/trillion/million yuan; "
            f"other: {sorted(units.OTHER_UNITS)})", path=path, row=ln, column="unit", value=text,
        ) from None


def _ident(r, column, default, path, ln, pattern, what):
    raw = r.get(column, "")
    t = normalise_name(raw, path=path, row=ln, column=column) or default
    if not pattern.match(t):
        raise DataValidationError(f"{what} must be ASCII letters, digits, _", path=path, row=ln,
                                  column=column, value=raw)
    return t


def _future(year, path, ln, what):
    """Refuse a value of a year after the current one (it cannot have been observed)."""
    now = dt.date.today().year
    if year > now:
        raise DataValidationError(
            f"year {year} is after the current year ({now}): a value not yet observed "
            f"cannot be {what}" + ("; if it is a plan or forecast, give it qualifier target "
                                   "(kept, never used as an actual)" if what == "an actual"
                                   else ""), path=path, row=ln, column="year", value=year)


def _series_record(r, region, year, value, vo, path, ln):
    sname = _ident(r, "series", "value", path, ln, _IND_RE, "series id")
    period = normalise_name(r.get("period", ""), path=path, row=ln, column="period") or "FY"
    qual = normalise_name(r.get("qualifier", ""), path=path, row=ln, column="qualifier") or "exact"
    if qual not in QUALIFIERS:
        raise DataValidationError(f"qualifier must be one of {QUALIFIERS}", path=path, row=ln,
                                  column="qualifier", value=r.get("qualifier"))
    if qual != "target":
        _future(year, path, ln, "an actual")
    source = r.get("source", "").strip()
    key = (sname, region, year, period, qual, source)
    rec = (sname, region, year, period, value, vo, r["unit"].strip(), qual, "user", source,
           "", "", r.get("notes", ""))
    return key, rec, sname


def _panel_record(r, region, year, value, unit, path, ln):
    _future(year, path, ln, "in a panel (a panel holds observed values only)")
    ind = _ident(r, "indicator", "", path, ln, _IND_RE, "indicator id")
    out_unit = "亿元" if units.is_currency(unit) else unit
    return (region, year, ind), (region, year, ind, value, out_unit, "user",
                                 r.get("source", "").strip()), ind


def _header_row(rows, p, kind):
    head = next(((ln, f) for ln, f in rows if f), None)
    if head is None:
        raise DataValidationError("empty file (no header)", path=p)
    if head[0] != 1:
        raise DataValidationError("the header must be on line 1", path=p, row=head[0])
    req, opt = ((_SERIES_REQUIRED, _SERIES_OPTIONAL) if kind == "series"
                else (_PANEL_REQUIRED, _PANEL_OPTIONAL))
    return check_header(head[1], p, required=req, optional=opt)


def _frame(out, lines, kind, p):
    import numpy as np
    import pandas as pd

    df = pd.DataFrame(out, columns=SERIES_COLUMNS if kind == "series" else PANEL_USER_COLUMNS)
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype("float64")
    if kind == "series":
        df["value_original"] = df["value_original"].astype("float64")
    df.attrs["path"] = str(p)
    # an array, not a list: pandas deep-copies attrs on every operation
    df.attrs["lines"] = np.asarray(lines, dtype=np.int64)
    return df


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

    Rules: ``year`` an ASCII integer in 1949..2100, not after the current year
    unless the row's qualifier is ``target`` (a plan, never used as an actual; panel
    files hold observed values only); ``value`` an ASCII decimal
    number (no thousands separators; full-width or Arabic-Indic digits are
    rejected) >= 0, or an empty cell = missing (kept as NaN and reported by
    :func:`~cluster_research.data.coverage`); ``unit`` a known unit (currency
    units are converted to 亿元, see :mod:`cluster_research.data.units`), the
    converted value must be a finite double and a non-zero value must not
    underflow; one dimension per series id / per indicator (e.g. 亿元 and %
    never share a series; non-currency units, which are not converted, must be
    the same unit); ``region`` any non-empty name: one of the 31 provinces in
    any form is normalised to its short Chinese name (上海), any other name (e.g.
    杭州) is kept as written unless ``strict_regions=True``; an all-digit region
    must be a province code. Names are read in Unicode NFKC and must not contain
    invisible characters (zero-width space, BOM, direction marks, fillers, variation
    selectors, control characters). No text cell may start with ``=``, ``+``, ``-``
    or ``@`` (a spreadsheet would run it as a formula). Duplicate keys
    are errors: series (series, region, year, period, qualifier, source); panel
    (region, year, indicator). Blank lines are skipped.

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
        ``attrs["path"]`` is the file, ``attrs["lines"][i]`` the 1-based line of
        row ``i`` (used by :func:`check_series` to name rows).

    Raises
    ------
    DataValidationError
        "cannot read file" when the file does not exist or ``path`` is None /
        empty / not a path; otherwise naming file, 1-based line, column and
        value, for: unreadable or non-UTF-8 file, missing/unexpected/duplicate
        columns, wrong number of fields, non-numeric, non-ASCII-digit, negative, overflowing or
        underflowing value, unknown unit, mixed dimensions, empty or unknown
        region, invisible characters, formula-like text, bad year (or a year after
        the current one for an actual value), bad qualifier, duplicate key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "shenzhen.csv"
    >>> _ = p.write_text("region,year,value,unit\\n深圳,2017,22490.06,亿元\\n", encoding="utf-8")
    >>> df = read_csv(p)
    >>> df.loc[0, "region"], int(df.loc[0, "year"]), float(df.loc[0, "value"])
    ('深圳', 2017, 22490.06)
    """
    if kind not in ("series", "panel"):
        raise DataValidationError("kind must be 'series' or 'panel'", column="kind", value=kind)
    p, text = _open(path)
    rows = csv_rows(text, p)
    names = _header_row(rows, p, kind)
    out, keys, lines, dims = [], {}, [], []
    for ln, f in rows:
        if not f:
            continue
        if len(f) != len(names):
            raise DataValidationError(f"expected {len(names)} fields, got {len(f)}", path=p, row=ln)
        r = dict(zip(names, f))
        for col, cell in r.items():
            if col not in ("year", "value"):  # numbers are parsed strictly below
                check_not_formula(cell, p, ln, col)
        region = _region(r["region"], p, ln, strict_regions)
        year = parse_year(r["year"], p, ln)
        unit = _unit(r["unit"], p, ln)
        dec = parse_decimal(r["value"], p, ln, "value", allow_negative=unit in units.SIGNED_UNITS)
        value = math.nan if dec is None else convert_value(dec, unit, p, ln, "value", r["value"])
        if kind == "series":
            vo = math.nan if dec is None else to_float(dec, p, ln, "value", r["value"])
            key, rec, ident = _series_record(r, region, year, value, vo, p, ln)
        else:
            key, rec, ident = _panel_record(r, region, year, value, unit, p, ln)
        if key in keys:
            raise DataValidationError(f"duplicate key {key} (first on line {keys[key]})",
                                      path=p, row=ln)
        keys[key] = ln
        out.append(rec)
        lines.append(ln)
        dims.append((ident, unit, ln))
    if not out:
        raise DataValidationError("no data rows", path=p)
    check_one_dimension(dims, p, "series" if kind == "series" else "indicator")
    return _frame(out, lines, kind, p)


# ---------------------------------------------------------------------------
# pre-flight checks


def _line(lines, idx):
    """1-based file line of row label ``idx`` (``lines`` from read_csv's attrs), or None."""
    if lines is not None and isinstance(idx, int) and 0 <= idx < len(lines):
        return int(lines[idx])
    return None


def _as_frame(data, series):
    import pandas as pd

    if isinstance(data, pd.Series):
        df = pd.DataFrame({"year": data.index, "value": data.to_numpy(dtype="float64",
                                                                      na_value=math.nan)})
        df["series"] = series or data.name or "value"
        df.attrs = dict(data.attrs)
        return df
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError("check_series() needs a DataFrame from read_csv()/load() "
                                  f"or a year-indexed Series, got {type(data).__name__}")
    miss = [c for c in ("year", "value") if c not in data.columns]
    if miss:
        raise DataValidationError(f"check_series(): missing columns {miss}", column=miss[0])
    return data


def _select(df, series, path):
    use = df
    if "period" in use.columns:
        use = use[use["period"] == "FY"]
    if "qualifier" in use.columns:
        use = use[use["qualifier"] == "exact"]
    if series is not None:
        ids = set(df["series"]) if "series" in df.columns else {"value"}
        if series not in ids:
            raise DataValidationError(f"no series {series!r}; series: {sorted(map(str, ids))}",
                                      path=path, column="series", value=series)
        if "series" in use.columns:
            use = use[use["series"] == series]
    return use


def _offenders(vals, mask, lines):
    """``(text, line of the first)`` of the rows of ``vals`` under ``mask``: "row 7 (2017: 0.0)"."""
    offs = [f"row {ln} ({int(y)}: {float(v)!r})" if (ln := _line(lines, i)) is not None
            else f"{int(y)}: {float(v)!r}"
            for i, y, v in zip(vals.index[mask], vals["year"][mask], vals["value"][mask])]
    return bounded(offs), _line(lines, vals.index[mask][0])


def _check_group(g, lines, key, positive, min_points, path):
    """Check one (series, region) group; return (n_points, first, last)."""
    vals = g[g["value"].notna()]
    if vals.empty or len(vals) < min_points:
        raise DataValidationError(
            f"{key}: {len(vals)} full-year (period FY) exact values, at least {min_points} "
            "needed (growth models have 2-4 parameters)", path=path, column="value")
    nvals = vals.groupby("year")["value"].transform("nunique")
    dup = nvals > 1  # identical values from several sources count once (as in series())
    if dup.any():
        offs, row = _offenders(vals, dup, lines)
        raise DataValidationError(f"{key}: conflicting full-year exact values for one year: "
                                  f"{offs}; keep one", path=path, row=row, column="year",
                                  value=int(vals["year"][dup].iloc[0]))
    vals = vals.drop_duplicates(["year", "value"])
    if len(vals) < min_points:
        raise DataValidationError(
            f"{key}: {len(vals)} distinct full-year (period FY) exact values, at least "
            f"{min_points} needed (growth models have 2-4 parameters)", path=path, column="value")
    bad = ~vals["value"].map(math.isfinite)
    if positive:
        bad |= vals["value"] <= 0
    if bad.any():
        offs, row = _offenders(vals, bad, lines)
        raise DataValidationError(
            f"{key}: {int(bad.sum())} value(s) not "
            + ("> 0 (a fit with multiplicative errors takes logarithms)" if positive else "finite")
            + f": {offs}", path=path, row=row, column="value",
            value=float(vals["value"][bad].iloc[0]))
    return len(vals), int(vals["year"].min()), int(vals["year"].max())


def check_series(data, *, positive: bool = True, min_points: int = 5, series: str | None = None):
    """Run every check a growth or lifecycle fit makes on a series, before any kernel starts.

    Only full-year (``period == "FY"``) exact (``qualifier == "exact"``) non-missing
    values count as points (approximations, lower bounds, targets and gaps never
    do). For each series id and region:

    * one dimension (and one unit unless it is a currency unit, see
      :func:`read_csv`);
    * at least ``min_points`` points, one value per year (identical values from
      several sources count once, as in :func:`~cluster_research.data.series`);
    * every point finite, and strictly positive when ``positive=True`` (a fit with
      multiplicative errors models :math:`\\log y_t = \\log f(t; \\theta) + \\varepsilon_t`,
      undefined for :math:`y_t \\le 0`, including -0).

    Offenders are listed by file row (first ten, then "and N more").

    Parameters
    ----------
    data : pandas.DataFrame or pandas.Series
        Output of :func:`read_csv` (``kind="series"``) or ``load(...)`` of a series
        dataset, or a year-indexed Series.
    positive : bool, default True
        Require values > 0 (multiplicative errors); False checks finiteness only.
    min_points : int, default 5
        Minimum number of full-year exact points per series and region.
    series : str, optional
        Check only this series id.

    Returns
    -------
    pandas.DataFrame
        One row per series and region: series, region, n_points, first_year,
        last_year, unit (亿元 for currency), dimension.

    Raises
    ------
    DataValidationError
        Naming the file (``attrs["path"]``), the first offending row, the column
        and the value.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1.0, 2.0, 4.0, 7.0, 9.0], index=range(2015, 2020), name="sales")
    >>> check_series(s)[["series", "n_points", "first_year"]].values.tolist()
    [['sales', 5, 2015]]
    >>> check_series(s.replace(4.0, 0.0))
    Traceback (most recent call last):
    ...
    cluster_research.errors.DataValidationError: column 'value', value 0.0: series 'sales': \
1 value(s) not > 0 (a fit with multiplicative errors takes logarithms): 2017: 0.0
    """
    import pandas as pd

    if not isinstance(min_points, int) or isinstance(min_points, bool) or min_points < 1:
        raise DataValidationError("min_points must be an integer >= 1", column="min_points",
                                  value=min_points)
    df = _as_frame(data, series)
    path, lines = df.attrs.get("path"), df.attrs.get("lines")
    df = df.copy(deep=False)
    df.attrs = {}  # pandas deep-copies attrs on every operation below
    use = _select(df, series, path)
    if "unit_original" in use.columns:
        dims = []
        for i, sid, u in zip(use.index, use.get("series", ["value"] * len(use)),
                             use["unit_original"]):
            try:
                dims.append((sid, units.normalize_unit(u), _line(lines, i) or i))
            except ParameterError:
                raise DataValidationError("unknown unit", path=path, row=_line(lines, i),
                                          column="unit", value=u) from None
        check_one_dimension(dims, path, "series")
    if use.empty:
        raise DataValidationError("no full-year (period FY) exact values to check", path=path,
                                  column="value")
    keys = [c for c in ("series", "region") if c in use.columns]
    groups = use.groupby(keys, sort=False) if keys else [((), use)]
    out = []
    for k, g in groups:
        k = k if isinstance(k, tuple) else (k,)
        labels = dict(zip(keys, k))
        sid = str(labels.get("series", series or "value"))
        name = f"series {sid!r}" + (f" ({labels['region']})" if "region" in labels else "")
        n, first, last = _check_group(g, lines, name, positive, min_points, path)
        unit = str(g["unit_original"].iloc[0]) if "unit_original" in g.columns else ""
        unit = "亿元" if unit and units.is_currency(unit) else unit
        out.append((sid, labels.get("region", ""), n, first, last, unit,
                    units.dimension(unit) if unit else ""))
    return pd.DataFrame(out, columns=["series", "region", "n_points", "first_year",
                                      "last_year", "unit", "dimension"])
