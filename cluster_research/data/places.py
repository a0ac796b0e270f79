"""Resolve a place name: one of the 31 provinces, or a city or county of the Taobao-village lists.

A *region* is one of the 31 provincial-level regions (:mod:`cluster_research.data.regions`:
code, short or full Chinese, English name). A *city* (地级) or *county* (县级) is one of the
places of AliResearch's Taobao-village lists (:func:`cluster_research.data.taobao.load_villages`),
spelled as in the lists (金华市) or without its suffix (金华); the lists have no English or
pinyin names, so neither is accepted for a city. :func:`resolve_place` tells which one a name
is (a province name always wins, then a city, then a county whose name is unique in the lists);
:func:`province_of` is for places that need province-level data (NBS provincial series): a city
there raises :class:`~cluster_research.errors.ProvincialDataError` naming its province and what
accepts cities. An unknown name raises :class:`~cluster_research.errors.UnknownPlaceError`
suggesting the closest names across provinces, cities and counties
(:func:`difflib.get_close_matches` on every accepted spelling).

Examples
--------
>>> resolve_place("金华").name, resolve_place("Zhejiang").name
('金华市', '浙江')
>>> suggest_places("金化")[0]
'金华市 (city, 浙江省)'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProvincialDataError, UnknownPlaceError
from .parsing import normalise_name
from .regions import REGIONS, find_region, region_row

__all__ = ["CITY_HINT", "Place", "place_names", "province_of", "resolve_place",
           "suggest_places", "unknown_place_message"]

#: What accepts a city, for the messages of :class:`ProvincialDataError`.
CITY_HINT = ("cities are accepted by notebook 09 (`run 09 -p city {city}`, or `-p region {city}`) "
             "and by `profile` on your own CSV for the city (e.g. a count series, unit 个)")

_CITY_SUFFIX = re.compile(r"(市|地区|自治州|盟)$")
_COUNTY_SUFFIX = re.compile(r"(自治县|自治旗|县|市|区|旗)$")
_NOT_A_CITY = {"市辖区"}  # the lists' placeholder city of Tianjin's districts
_CACHE: dict = {}


@dataclass(frozen=True)
class Place:
    """A resolved place name.

    Attributes
    ----------
    kind : str
        ``province``, ``city`` or ``county``.
    name : str
        Canonical name: a province's short Chinese name (上海, as
        :func:`~cluster_research.data.region_name`), a city's or county's name as spelled in
        the Taobao-village lists (金华市, 义乌市).
    province : str
        Full name of the province (浙江省).
    province_code : str
        6-digit GB/T 2260 code of the province.
    city : str
        The city of a county, the city itself for a city, "" for a province.
    code : str
        GB/T 2260 code of the place ("" where the lists have none).
    """

    kind: str
    name: str
    province: str
    province_code: str
    city: str = ""
    code: str = ""

    @property
    def label(self) -> str:
        """Name with its kind and province, as used in suggestions (``金华市 (city, 浙江省)``)."""
        if self.kind == "province":
            return f"{self.name} ({region_row(self.province_code)[3]})"
        if self.kind == "city":
            return f"{self.name} (city, {self.province})"
        return f"{self.name} (county, {self.city}, {self.province})"


def _province(code: str) -> Place:
    row = region_row(code)
    return Place("province", row[1], row[2], row[0], "", row[0])


def _index(root=None):
    """Return (lookup name -> Place, suggestion key -> Place), built once per data directory."""
    from .manifest import data_dir
    from .taobao import load_villages

    key = str(Path(root).resolve()) if root is not None else str(data_dir())
    if key in _CACHE:
        return _CACHE[key]
    v = load_villages(root=root)
    lookup: dict[str, Place] = {}
    keys: dict[str, Place] = {}
    for r in REGIONS:
        p = _province(r[0])
        for k in (r[1], r[2], r[3].lower(), _pinyin_key(r[3])):
            keys[k] = p
    cities = v.drop_duplicates(["province", "city"])
    for prov, city, code in zip(cities["province"], cities["city"], cities["city_code"]):
        if city in _NOT_A_CITY or find_region(city, provinces_only=True):
            continue
        pcode = find_region(prov, provinces_only=True) or ""
        p = Place("city", city, prov, pcode, city, str(code))
        short = _CITY_SUFFIX.sub("", city)
        for k in {city, short}:
            if k and k not in lookup:
                lookup[k] = p
                keys.setdefault(k, p)
    counties = v.drop_duplicates(["province", "county"])
    names = list(counties["county"])
    stems = [_COUNTY_SUFFIX.sub("", n) for n in names]
    for prov, city, county, code, stem in zip(counties["province"], counties["city"],
                                              counties["county"], counties["county_code"], stems):
        if (not county or county == "-" or names.count(county) > 1
                or find_region(county, provinces_only=True)):
            continue
        pcode = find_region(prov, provinces_only=True) or ""
        p = Place("county", county, prov, pcode, city, str(code))
        for k in (county, stem if stems.count(stem) == 1 and len(stem) > 1 else ""):
            if k and k not in lookup:
                lookup[k] = p
                keys.setdefault(k, p)
    _CACHE[key] = (lookup, keys)
    return _CACHE[key]


def place_names(kind: str = "city", *, root=None) -> list[str]:
    """Return the canonical names of the cities or counties the resolver accepts.

    Parameters
    ----------
    kind : {"city", "county"}
    root : path-like, optional
        Data directory (default :func:`cluster_research.data.data_dir`).

    Returns
    -------
    list of str
        Sorted names as spelled in the Taobao-village lists.

    Examples
    --------
    >>> "金华市" in place_names("city"), "义乌市" in place_names("county")
    (True, True)
    """
    lookup, _ = _index(root)
    return sorted({p.name for p in lookup.values() if p.kind == kind})


#: Words after a province's pinyin / English name (Zhejiang Sheng, Shanghai Shi, ...).
_PINYIN_SUFFIX = re.compile(r"(province|sheng|municipality|shi|city|autonomousregion|zizhiqu|"
                            r"specialadministrativeregion|sar)$")


def _pinyin_key(name: str) -> str:
    """Lower-case key of a name: NFKC, tone marks, spaces, hyphens, apostrophes and a pinyin
    suffix word removed (``Zhèjiāng Shěng`` -> ``zhejiang``); Chinese names lose only spaces."""
    text = unicodedata.normalize("NFKC", name)
    if text.isascii() or all(ord(c) < 0x2E80 for c in text):
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
        text = re.sub(r"[\s\-'’]+", "", text).lower()
        return _PINYIN_SUFFIX.sub("", text) or text
    return re.sub(r"\s+", "", text).lower()


def suggest_places(name, *, n: int = 3, cutoff: float | None = None, root=None) -> list[str]:
    """Return the labels of the known places closest to ``name`` (best first).

    Compares ``name`` with every accepted spelling of the 31 provinces (short, full,
    English, which is the pinyin) and of the cities and counties of the Taobao-village lists
    (listed name and name without suffix) by :func:`difflib.get_close_matches`. A Latin
    name is compared without tone marks, spaces, hyphens, apostrophes and a trailing
    ``Province`` / ``Sheng`` / ``Shi`` / ``City`` (``Zhèjiāng Shěng`` suggests 浙江).

    Parameters
    ----------
    name : str
    n : int, default 3
        At most this many suggestions (one per place).
    cutoff : float, optional
        Minimum similarity ratio (default 0.75 for an ASCII name, as English names are
        long, and 0.5 otherwise: one character off a two-character Chinese name).
    root : path-like, optional

    Returns
    -------
    list of str
        Labels such as ``金华市 (city, 浙江省)`` or ``上海 (Shanghai)``.

    Examples
    --------
    >>> suggest_places("Shanghaii"), suggest_places("Zhe Jiang Sheng")
    (['上海 (Shanghai)'], ['浙江 (Zhejiang)'])
    """
    if not isinstance(name, str) or not name.strip():
        return []
    _, keys = _index(root)
    text = _pinyin_key(name)
    if cutoff is None:  # one character off a 2-4 character Chinese name is a ratio of 0.5-0.75
        cutoff = 0.75 if text.isascii() else 0.5
    rank = {"province": 0, "city": 1, "county": 2}
    close = difflib.get_close_matches(text, list(keys), n=8 * n, cutoff=cutoff)
    # best ratio first; on a tie a province before a city before a county
    close.sort(key=lambda k: (-difflib.SequenceMatcher(None, text, k).ratio(),
                              rank[keys[k].kind]))
    out: list[str] = []
    for k in close:
        label = keys[k].label
        if label not in out:
            out.append(label)
    return out[:n]


def unknown_place_message(name, parameter: str = "region", suggestions=()) -> str:
    """Return the message of an unknown place: ``unknown region '金化': ...; did you mean ...?``.

    Parameters
    ----------
    name : object
        The value as given.
    parameter : str, default "region"
        Parameter, argument or column that holds it.
    suggestions : sequence of str
        Labels from :func:`suggest_places`.

    Returns
    -------
    str

    Examples
    --------
    >>> unknown_place_message("金化", "region", ["金华市 (city, 浙江省)"])
    "unknown region '金化': did you mean 金华市 (city, 浙江省)? (not one of the 31 provincial-level regions nor a city or county of the Taobao-village lists)"
    """
    what = "not one of the 31 provincial-level regions nor a city or county of the " \
           "Taobao-village lists"
    if not suggestions:
        return f"unknown {parameter} {name!r}: {what}"
    more = f"other close names: {', '.join(suggestions[1:])}; " if len(suggestions) > 1 else ""
    return f"unknown {parameter} {name!r}: did you mean {suggestions[0]}? ({more}{what})"


def resolve_place(name, *, parameter: str = "region", root=None) -> Place:
    """Resolve a province, city or county name to its canonical :class:`Place`.

    Parameters
    ----------
    name : str or int
        A province in any form :func:`~cluster_research.data.find_region` accepts (浙江,
        浙江省, Zhejiang, 330000), or a city or county of the Taobao-village lists as listed
        (金华市, 义乌市) or without its suffix (金华, 义乌). Whitespace is ignored.
    parameter : str, default "region"
        Name of the parameter / argument / column, used in the error message.
    root : path-like, optional
        Data directory.

    Returns
    -------
    Place

    Raises
    ------
    UnknownPlaceError
        Neither a province nor a place of the lists; the message names ``parameter`` and the
        value and suggests the closest names (:func:`suggest_places`).
    DataValidationError
        The name holds an invisible character (it is matched in Unicode NFKC, see
        :func:`~cluster_research.data.parsing.normalise_name`).

    Examples
    --------
    >>> resolve_place(" 金华市 ").label
    '金华市 (city, 浙江省)'
    >>> resolve_place("义乌").city
    '金华市'
    >>> resolve_place("金化")
    Traceback (most recent call last):
    ...
    cluster_research.errors.UnknownPlaceError: unknown region '金化': did you mean 金华市 (city, 浙江省)? (other close names: 金湾区 (county, 珠海市, 广东省), 金东区 (county, 金华市, 浙江省); not one of the 31 provincial-level regions nor a city or county of the Taobao-village lists)
    """
    # NFKC; an invisible character is refused before anything is matched
    key = normalise_name(name, column=parameter) if isinstance(name, str) else name
    code = find_region(key, provinces_only=True)
    if code is not None:
        return _province(code)
    if isinstance(name, str):
        lookup, _ = _index(root)
        hit = lookup.get(re.sub(r"\s+", "", key))
        if hit is not None:
            return hit
    close = suggest_places(name, root=root)
    raise UnknownPlaceError(unknown_place_message(name, parameter, close), name=name,
                            parameter=parameter, suggestions=close)


def province_of(name, *, parameter: str = "region", root=None) -> str:
    """Return the province code of a name that must be one of the 31 provinces.

    For places that need province-level data (the NBS provincial panel, notebooks 03, 05,
    06, 07): a city or county of the Taobao-village lists is *recognised* but refused with a
    message naming its province and what accepts cities (:data:`CITY_HINT`).

    Parameters
    ----------
    name : str or int
    parameter : str, default "region"
    root : path-like, optional

    Returns
    -------
    str
        6-digit code of the province.

    Raises
    ------
    ProvincialDataError
        ``name`` is a city or county of the lists.
    UnknownPlaceError
        ``name`` is unknown (closest names suggested).

    Examples
    --------
    >>> province_of("浙江")
    '330000'
    >>> province_of("金华")
    Traceback (most recent call last):
    ...
    cluster_research.errors.ProvincialDataError: region '金华' is a city (金华市, 浙江省) but the data here is provincial (31 provincial-level regions): use its province 浙江省 (浙江); cities are accepted by notebook 09 (`run 09 -p city 金华市`, or `-p region 金华市`) and by `profile` on your own CSV for the city (e.g. a count series, unit 个)
    """
    place = resolve_place(name, parameter=parameter, root=root)
    if place.kind == "province":
        return place.province_code
    where = place.province if place.kind == "city" else f"{place.city}, {place.province}"
    short = region_row(place.province_code)[1]
    raise ProvincialDataError(
        f"{parameter} {name!r} is a {place.kind} ({place.name}, {where}) but the data here is "
        f"provincial (31 provincial-level regions): use its province {place.province} "
        f"({short}); " + CITY_HINT.format(city=place.city or place.name),
        name=name, parameter=parameter, place=place.name, kind=place.kind,
        province=place.province)
