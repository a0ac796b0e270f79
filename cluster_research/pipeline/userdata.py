"""A researcher's own city series for a region profile (notebook 06, ``profile`` command):
:func:`profile_series`."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from .. import data
from ..data import units
from ..errors import ImplausibleValueWarning, UnknownPlaceError, UnknownPlaceWarning

__all__ = ["MAGNITUDE_FACTOR", "largest_reference", "profile_series"]

#: A user's value above this multiple of the largest value of its unit in the package's data
#: is warned about (a unit off by 10^4, 万元 written as 亿元, is far above it).
MAGNITUDE_FACTOR = 100.0


def _resolve(name: str, path: Path, lines):
    """The Place of a province / city / county name, None for the researcher's own place."""
    try:
        return data.places.resolve_place(name, parameter="region")
    except UnknownPlaceError as exc:
        if exc.suggestions:
            row = int(lines[0]) if lines is not None and len(lines) else None
            where = f"{path}, row {row}" if row is not None else str(path)
            warnings.warn(f"{where}, column 'region': {exc.message}; kept as written (your own "
                          "place)", UnknownPlaceWarning, stacklevel=3)
        return None


def largest_reference(unit: str, province_code: str = ""):
    """Return the largest value in ``unit`` of the package's data for a place, and its label.

    For a place in a province (``province_code``: the province itself, or a city or county
    in it) the province's NBS series (provincial panel and economy: e-commerce sales, GDP,
    retail sales ...) and, for Shanghai, its transaction series are searched: no value of
    the place can plausibly exceed the largest of them by much (a city's sales or GDP are
    part of its province's). Without a province, or when the province has no series in
    ``unit``, every series is searched (national, Shanghai, provincial, major cities): the
    national totals bound every province and city.

    Parameters
    ----------
    unit : str
        ``"亿元"`` for every currency unit (values are compared after conversion), else the
        unit as written (``个``, ``%`` ...).
    province_code : str, default ""
        6-digit GB/T 2260 code of the place's province (``"330000"``); ``""``: none known.

    Returns
    -------
    (float, str) or None
        The value and what it is (``"provincial_economy: 浙江 gdp 2024"``); None when no
        series of the package has that unit.

    Examples
    --------
    >>> value, label = largest_reference("亿元")
    >>> value > 1e5
    True
    >>> largest_reference("亿元", "330000")[1].startswith("provincial_economy: 浙江 gdp")
    True
    """
    best = None
    for name in ("provincial_panel", "provincial_economy", "major_cities_gdp"):
        if province_code and name == "major_cities_gdp":
            continue
        df = data.load(name)
        sel = df[df["unit"] == unit]
        if province_code:
            sel = sel[sel["region_code"] == province_code]
        if len(sel) and (best is None or sel["value"].max() > best[0]):
            r = sel.loc[sel["value"].idxmax()]
            what = f"{r.get('region', r.get('city'))} {r.get('indicator', 'GDP')} {int(r['year'])}"
            best = (float(r["value"]), f"{name}: {what}")
    for name in ("national_ecommerce", "shanghai_ecommerce"):
        if province_code and (name == "national_ecommerce" or province_code != "310000"):
            continue
        df = data.load(name)
        orig = df["unit_original"].map(lambda u: "亿元" if units.is_currency(u) else u)
        sel = df[(orig == unit) & df["value"].notna()]
        if len(sel) and (best is None or sel["value"].max() > best[0]):
            r = sel.loc[sel["value"].idxmax()]
            best = (float(r["value"]), f"{name}: {r['region']} {r['series']} {int(r['year'])}")
    if best is None and province_code:
        return largest_reference(unit)
    return best


def _check_magnitude(s, unit: str, path: Path, lines, place=None) -> None:
    """Warn (ImplausibleValueWarning) when the series' largest value is implausibly large
    for its place (:func:`largest_reference` of the place's province, else of all data)."""
    ref = largest_reference(unit, place.province_code if place is not None else "")
    if ref is None or ref[0] <= 0 or s.empty:
        return
    year = int(s.idxmax())
    factor = float(s.max()) / ref[0]
    if factor > MAGNITUDE_FACTOR:
        row = f", row {lines[year]}" if year in lines else ""
        scope = (f"{place.province} (the province of {place.name})"
                 if place is not None and place.kind != "province"
                 else place.province if place is not None else "any series in the package's data")
        warnings.warn(
            f"{path}{row}, column 'value': {float(s.max()):g} {unit} in {year} is {factor:,.0f}× "
            f"the largest {unit} value of {scope} ({ref[1]}: "
            f"{ref[0]:g} {unit}); check the unit (万元 written as 亿元 is 10^4× too large)",
            ImplausibleValueWarning, stacklevel=3)


def profile_series(path: str | os.PathLike, series: str = ""):
    """Read a researcher's own city file and return the series a region profile fits.

    The file is read by :func:`cluster_research.data.read_csv` (``kind="series"``;
    format in ``data/README.md`` section 5), then reduced to the full-year
    (``period == "FY"``) actual (``qualifier == "exact"``) rows of one series of one
    region; approximate values, lower bounds and targets are never used as actuals.
    Gaps (empty cells) stay NaN and are dropped, not filled.

    The region label (``attrs["region"]``) is canonical: a province's short name (上海), a
    city or county of the Taobao-village lists in any accepted spelling as listed (杭州 ->
    杭州市, :func:`cluster_research.data.places.resolve_place`). Any other name is the
    researcher's own place (most cities have no Taobao village) and is kept as written;
    when it is close to a known name (a likely typo, 金化 -> 金华市) an
    :class:`~cluster_research.errors.UnknownPlaceWarning` names the file, row and value
    and suggests the closest provinces and cities. Count series (unit 个, e.g. a city's
    Taobao villages) are profiled like any other series (at least 5 full-year values).

    Parameters
    ----------
    path : path-like
        The CSV file.
    series : str, default ""
        Series id to use (the file's ``series`` column). ``""``: the file must hold
        exactly one series besides an optional ``ecommerce_firms`` (firm counts).

    Returns
    -------
    pandas.Series
        Year (int) -> value (亿元 for currency units, else the unit as written), name =
        the series id; ``attrs`` hold ``region``, ``province`` (the province's short name
        when the region is one of the 31 provinces in any spelling, 浙江省 / Zhejiang ->
        浙江, else None), ``unit``, ``path``, ``n_dropped`` (rows that are not FY exact
        actuals) and ``gaps`` (the years given with an empty value and every year between
        the first and the last value that has no row).

    Warns
    -----
    UnknownPlaceWarning
        The region is neither a province nor a place of the lists but close to one.
    ImplausibleValueWarning
        The largest value is more than :data:`MAGNITUDE_FACTOR` times the largest value of
        its unit for the place: in the series of its province when the region is a province,
        city or county, else in the package's data (:func:`largest_reference`); the message
        gives the factor, the year and the row.

    Raises
    ------
    cluster_research.data.DataValidationError
        Whatever :func:`~cluster_research.data.read_csv` rejects (naming file, row,
        column and value); several regions; an unknown or ambiguous series; fewer
        than 5 full-year actual values.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "city.csv"
    >>> rows = [f"示例市,{y},{v},亿元" for y, v in zip(range(2015, 2021), [1, 2, 4, 7, 9, 10])]
    >>> _ = p.write_text("region,year,value,unit\\n" + "\\n".join(rows) + "\\n", encoding="utf-8")
    >>> s = profile_series(p)
    >>> s.attrs["region"], len(s), float(s.loc[2017])
    ('示例市', 6, 4.0)
    """
    p = Path(path)
    df = data.read_csv(p, kind="series")
    if df.empty:
        raise data.DataValidationError("the file has no data rows", path=p)
    regions = list(dict.fromkeys(df["region"]))
    if len(regions) != 1:
        raise data.DataValidationError(
            f"a region profile needs one region per file, found {len(regions)}: "
            f"{', '.join(map(str, regions))}", path=p, column="region")
    use = df[(df["period"] == "FY") & (df["qualifier"] == "exact")]
    ids = [i for i in dict.fromkeys(use["series"]) if i != "ecommerce_firms"]
    if series:
        if series not in set(use["series"]):
            have = ", ".join(dict.fromkeys(df["series"])) or "(none)"
            raise data.DataValidationError(
                f"series {series!r} has no full-year exact values in the file; series: {have}",
                path=p, column="series", value=series)
        sid = series
    elif len(ids) == 1:
        sid = ids[0]
    else:
        raise data.DataValidationError(
            "choose the series to profile with csv_series= (--series): the file has "
            + (f"{len(ids)} series with full-year exact values: {', '.join(ids)}" if ids
               else "no full-year (period FY) exact values"), path=p, column="series")
    # every check the notebook's fits would make, before any kernel starts: one dimension,
    # enough full-year exact points, finite values > 0 (multiplicative errors)
    data.check_series(df, positive=True, min_points=5, series=sid)
    sel = use[use["series"] == sid].sort_values("year")
    dup = sel["year"].duplicated()
    if dup.any():
        y = int(sel.loc[dup, "year"].iloc[0])
        raise data.DataValidationError(
            f"series {sid!r} has several full-year exact values for {y} (different sources); "
            "keep one", path=p, column="year", value=y)
    s = sel.set_index("year")["value"].astype("float64")
    s.index = s.index.astype("int64")
    s.name = sid
    empty = {int(y) for y in s.index[s.isna()]}
    s = s.dropna()
    # a gap: a year given with an empty value, or with no row between the first and last value
    inside = set(range(int(s.index.min()), int(s.index.max()) + 1)) if len(s) else set()
    gaps = sorted(empty | (inside - set(s.index)))
    if len(s) < 5:
        raise data.DataValidationError(
            f"series {sid!r} has {len(s)} full-year exact values; a profile needs at least 5 "
            "(growth models have 2-4 parameters)", path=p, column="value")
    unit = str(sel["unit_original"].iloc[0])
    unit = "亿元" if units.is_currency(unit) else unit
    lines = df.attrs.get("lines")
    rows = {int(y): int(lines[i]) for i, y in zip(sel.index, sel["year"])} \
        if lines is not None else {}
    place = _resolve(str(regions[0]), p, lines)
    _check_magnitude(s, unit, p, rows, place)
    s.attrs = {"region": place.name if place else str(regions[0]),
               "province": place.name if place and place.kind == "province" else None,
               "unit": unit, "path": str(p), "n_dropped": int(len(df) - len(sel)),
               "gaps": gaps}
    return s
