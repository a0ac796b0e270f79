"""NBS 主要城市年度数据: GDP of 36 major cities, 1999-2017 (mid-2019 vintage), 亿元.

Dataset ``major_cities_gdp``; file ``data/raw/nbs_major_cities_gdp/``.
"""

from __future__ import annotations

from ..errors import DataValidationError
from .manifest import resolve_root, shipped_rows
from .parsing import parse_number, parse_year
from .registry import dataset

__all__ = ["CITY_COLUMNS", "build_cities", "city_gdp"]

CITY_COLUMNS = ["city", "year", "value", "unit", "source_id"]


_CITY_FILE = "nbs_major_cities_gdp/major_cities_gdp_1999_2017_long.csv"


@dataset("major_cities_gdp", kind="other", files=(_CITY_FILE,))
def build_cities(root=None):
    """Build the NBS 主要城市年度数据 GDP table (36 major cities, 1999-2017), 亿元.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CITY_COLUMNS`.

    Raises
    ------
    DataValidationError
        Changed raw file or any cell that fails validation.

    Examples
    --------
    >>> build_cities().city.nunique()
    36
    """
    import pandas as pd

    path, rows = shipped_rows(_CITY_FILE, resolve_root(root), ["city", "year", "gdp_yi_yuan"])
    out, keys = [], set()
    for ln, f in rows:
        city = f[0].strip()
        if not city:
            raise DataValidationError("empty city", path=path, row=ln, column="city")
        y = parse_year(f[1], path, ln)
        v, _ = parse_number(f[2], path, ln, "gdp_yi_yuan", allow_empty=False)
        if (city, y) in keys:
            raise DataValidationError("duplicate (city, year)", path=path, row=ln)
        keys.add((city, y))
        out.append((city, y, v, "亿元", "nbs_major_cities"))
    df = pd.DataFrame(out, columns=CITY_COLUMNS)
    df["year"] = df["year"].astype("int64")
    return df


def city_gdp(place, *, root=None):
    """Return a city's GDP from the NBS major-cities table (亿元), empty if it is not there.

    Parameters
    ----------
    place : str or cluster_research.data.places.Place
        Any name :func:`cluster_research.data.places.resolve_place` accepts; a municipality
        (北京) is matched as a city of the table. Only the 36 cities of the table have values.

    Returns
    -------
    pandas.Series
        GDP by int year, name ``gdp``; ``attrs``: region (the table's name, or the place's),
        unit 亿元, source_id ``nbs_major_cities`` (empty Series, same attrs, when the city is
        not in the table).

    Examples
    --------
    >>> g = city_gdp("深圳市")
    >>> (int(g.index.min()), int(g.index.max()), g.attrs["unit"])
    (2001, 2017, '亿元')
    >>> city_gdp("义乌").empty
    True
    """
    import pandas as pd

    from .places import resolve_place
    from .registry import load

    p = place if hasattr(place, "kind") else resolve_place(place, parameter="city", root=root)
    df = load("major_cities_gdp", root=root)
    rows = df[df["city"] == p.short].sort_values("year")  # "" for a county: no row
    s = pd.Series(rows["value"].to_numpy(float), index=rows["year"].astype(int).to_numpy(),
                  name="gdp")
    s.index.name = "year"
    s.attrs = {"region": p.short if len(rows) else p.name, "unit": "亿元",
               "source_id": "nbs_major_cities"}
    return s
