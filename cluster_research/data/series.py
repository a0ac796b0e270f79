"""Views of the loaded tables: one series, gaps (coverage) and suspicious breaks.

``series`` picks one region's indicator; ``coverage`` lists missing cells;
``breaks`` flags year-on-year drops that look like survey changes;
``shanghai_transactions`` is the paper's headline series; ``check_years`` refuses parameter
years that select no observation.
"""

from __future__ import annotations

import math
import warnings

from ..errors import DataValidationError, ParameterError, ParameterWarning
from .places import find_region, region_code, region_name, region_row
from .registry import dataset_spec, load

__all__ = ["SECONDARY_SOURCES", "breaks", "check_years", "coverage", "series",
           "shanghai_transactions"]


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
    return pd.DataFrame([(r, i, y, "empty" if (r, i, y) in rows_any else "absent")
                         for i in inds for r in regs for y in years if (r, i, y) not in have],
                        columns=cols)


def _resolve_series_region(region):
    t = str(region).strip()
    if t.lower() in ("china", "全国", "中国", "national"):
        return "全国"
    if t.lower() in ("shanghai-jiading", "上海嘉定区", "嘉定"):
        return "上海嘉定区"
    code = find_region(t)
    return region_row(code)[1] if code else t


def _collapse(df, what):
    """year -> single value; identical duplicates collapse, conflicts raise."""
    import pandas as pd

    out = {}
    for y, g in df.groupby("year"):
        vals = sorted(set(g["value"].dropna().tolist()))
        if len(vals) > 1:
            raise DataValidationError(
                f"conflicting values for {what} in {y}: {vals} (sources "
                f"{sorted(set(g['source_id']))}); filter by source_id", column="value", value=vals)
        out[int(y)] = vals[0] if vals else math.nan
    return pd.Series(out, dtype="float64").sort_index()


def series(region, indicator, dataset: str = "provincial_panel", *, qualifiers=("exact",),
           period="FY", exclude_source_ids=(), root=None):
    """Return one region's indicator as a year-indexed Series.

    Parameters
    ----------
    region : str
        Any province name or code; for the hand-collected datasets also
        全国 / China and 上海嘉定区.
    indicator : str
        Indicator id (provincial datasets) or series id (hand-collected).
    dataset : str, default "provincial_panel"
        A registered dataset of kind "panel" or "series" (not ``major_cities_gdp``).
    qualifiers, period, exclude_source_ids
        Hand-collected datasets only: rows kept (default exact, full year)
        and sources dropped. Identical values from several sources collapse
        to one; conflicting values raise (e.g. national online retail 2015:
        3.877 trillion vs 38773 亿元 -- pick a source with exclude_source_ids).

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
    kind = dataset_spec(dataset).kind
    if kind not in ("panel", "series"):
        raise DataValidationError(
            "dataset not supported by series() (needs a panel or series dataset)",
            column="dataset", value=dataset)
    df = load(dataset, root=root)
    if kind == "panel":
        reg = region_name(region)
        sel = df[(df["region"] == reg) & (df["indicator"] == indicator)]
        if sel.empty:
            raise DataValidationError(
                f"no rows for region {reg} in {dataset}", column="indicator", value=indicator)
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
                f"in {dataset}", column="series", value=indicator)
        s = _collapse(sel, f"{reg} {indicator}")
    return s.rename(indicator).rename_axis("year")


def breaks(indicator="ecommerce_sales", threshold=-0.30, *, df=None, root=None):
    r"""Flag year-on-year drops larger than ``threshold`` in a provincial indicator.

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

    Returns
    -------
    pandas.DataFrame
        region_code, region, year, previous (value in t-1), value, change, reason;
        sorted from the largest drop. Empty when nothing is flagged.

    Raises
    ------
    DataValidationError
        ``threshold`` outside (-1, 0) (also a ValueError), unknown indicator,
        missing columns, or duplicate region-years.

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
        raise DataValidationError("breaks(): threshold must lie in (-1, 0)", column="threshold",
                                  value=threshold)
    df = load("provincial_panel", root=root) if df is None else df
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


#: Secondary sources of Shanghai's series: values quoted second-hand and not verified against
#: the primary publication (their ``notes`` start with "SECONDARY"). Main fits leave them out;
#: a sensitivity fit may put them back (``exclude_source_ids=()``).
SECONDARY_SOURCES = ("hc_github_codecomment_tjjsh_2026_03_30",)


def shanghai_transactions(qualifiers=("exact",), period="FY", *,
                          exclude_source_ids=SECONDARY_SOURCES, root=None):
    """Return Shanghai's 电子商务交易额 (e-commerce transaction volume), 亿元.

    Parameters
    ----------
    qualifiers : sequence of str, default ("exact",)
        Which qualifiers count; approx / lower_bound / target are never
        included unless asked for.
    period : str, default "FY"
        Full-year values; e.g. "H1" for the 2011 half year.
    exclude_source_ids : sequence of str, default :data:`SECONDARY_SOURCES`
        Sources to drop: by default the secondary ones (the unverified 2025 value quoted in
        a code comment); ``()`` keeps every source; add ``"hc_researchinchina_2008"`` to drop
        the 2007 value compiled by the Shanghai E-commerce Association rather than the
        Commerce Commission.

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
    >>> 2025 in shanghai_transactions(), 2025 in shanghai_transactions(exclude_source_ids=())
    (False, True)
    """
    df = load("shanghai_ecommerce", root=root)
    sel = df[
        (df["series"] == "ecommerce_transaction_volume")
        & (df["region"] == "上海")
        & df["qualifier"].isin(list(qualifiers))
        & (df["period"] == period)
        & ~df["source_id"].isin(list(exclude_source_ids))]
    s = _collapse(sel, "Shanghai ecommerce_transaction_volume")
    return s.rename("ecommerce_transaction_volume").rename_axis("year")


def check_years(indicator="ecommerce_sales", region=None, *, shanghai_series=False, **years):
    """Refuse parameter years outside the years with a value of ``indicator`` (NBS panel).

    A year, or a list of years of which none has data, raises; a list with some years
    outside warns (the notebooks label those years "no verdict").

    Parameters
    ----------
    indicator : str
        Indicator of the provincial panel.
    region : str, optional
        Any name of a province (None: any region of the panel).
    shanghai_series : bool
        For Shanghai, also count the years of :func:`shanghai_transactions`.
    **years : int, list of int or None
        Parameter name -> its value (None is not checked).

    Raises
    ------
    ParameterError
        Naming the parameter, its value and the years with data.

    Examples
    --------
    >>> check_years(region="北京", year_from=2010)
    Traceback (most recent call last):
    ...
    cluster_research.errors.ParameterError: parameter 'year_from' = 2010 is outside the years with data for region 北京 (ecommerce_sales: 2015-2024); choose years in 2015-2024
    """
    panel = load("provincial_panel")
    code = region_code(region) if region else None
    sel = panel[(panel["indicator"] == indicator) & panel["value"].notna()]
    if code is not None:
        sel = sel[sel["region_code"] == code]
    have = [int(y) for y in sel["year"]]
    if code == "310000" and shanghai_series:
        have += [int(y) for y in shanghai_transactions().index]
    where = f"region {region}" if region else "the panel"
    if not have:
        raise ParameterError(f"no data for indicator {indicator!r} in {where}")
    lo, hi = min(have), max(have)
    span = f"{where} ({indicator}: {lo}-{hi})"
    for name, value in years.items():
        given = value if isinstance(value, list) else [] if value is None else [value]
        outside = [y for y in given if not lo <= y <= hi]
        if outside and len(outside) == len(given):
            none = f"; none of {value} has data" if isinstance(value, list) else ""
            raise ParameterError(f"parameter {name!r} = {outside[0]} is outside the years with "
                                 f"data for {span}{none}; choose years in {lo}-{hi}")
        if outside:
            warnings.warn(f"parameter {name!r}: years {outside} have no data for {span}; they are "
                          "reported as 'no verdict'", ParameterWarning, stacklevel=2)
