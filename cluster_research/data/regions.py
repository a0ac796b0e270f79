"""The 31 provincial-level regions of mainland China, their codes and names.

:func:`region_code` resolves any name (code, short or full Chinese, English) to the
6-digit GB/T 2260 code; :func:`add_regions` is the hook for an extra table of names
(e.g. prefecture-level cities), resolved after the provinces; :func:`on_unknown_region`
the hook through which :mod:`cluster_research.data.places` reports a city of the
Taobao-village lists (with its province) or the closest names of an unknown one.
"""

from __future__ import annotations

from ..errors import DataValidationError
from .parsing import normalise_name

__all__ = [
    "REGIONS",
    "REGION_COLUMNS",
    "add_regions",
    "find_region",
    "on_unknown_region",
    "region_code",
    "region_name",
    "region_row",
    "regions",
    "reset_regions",
]

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
    ("650000", "新疆", "新疆维吾尔自治区", "Xinjiang", "autonomous_region"),
)
_EN_ALIASES = {"xizang": "540000", "nei mongol": "150000", "inner mongolia": "150000"}
_BY_CODE = {r[0]: r for r in REGIONS}
_LOOKUP: dict[str, str] = {}
for _r in REGIONS:
    for _k in (_r[0], _r[0] + "000000", _r[1], _r[2], _r[3].lower()):
        _LOOKUP[_k] = _r[0]
_LOOKUP.update(_EN_ALIASES)
# called by region_code() with a name find_region() does not know, before it raises; the
# cluster_research.data package registers places.province_of (a city of the Taobao-village
# lists -> ProvincialDataError naming its province; else UnknownPlaceError with suggestions)
_UNKNOWN_HOOKS: list = []
# extra tables registered by add_regions(): same structure, resolved after the provinces
_EXTRA_BY_CODE: dict[str, tuple] = {}
_EXTRA_LOOKUP: dict[str, str] = {}


def add_regions(rows) -> int:
    """Register an extra table of regions (e.g. cities) for the name resolver.

    After the call :func:`find_region`, :func:`region_code` and :func:`region_name`
    also resolve these names (a province name always wins); :func:`regions` keeps
    returning the 31 provinces unless ``include_extra=True``.

    Parameters
    ----------
    rows : pandas.DataFrame or iterable of tuples
        Columns / fields ``code, name_zh, name_zh_full, name_en, kind``; ``code``
        a 6-digit GB/T 2260 code that is not a province code.

    Returns
    -------
    int
        Number of regions registered by this call.

    Raises
    ------
    DataValidationError
        For a malformed row, a province code, a name with an invisible character
        (names are kept in Unicode NFKC), or a name already registered for another code.

    Examples
    --------
    >>> add_regions([("330100", "杭州", "杭州市", "Hangzhou", "city")])
    1
    >>> region_code("杭州市"), region_name("330100", "en")
    ('330100', 'Hangzhou')
    >>> reset_regions()
    """
    if hasattr(rows, "itertuples"):
        rows = list(rows[REGION_COLUMNS].itertuples(index=False, name=None))
    n = 0
    for row in rows:
        row = tuple(normalise_name(str(x), column="name") for x in row)
        if len(row) != 5 or not (row[0].isascii() and row[0].isdigit() and len(row[0]) == 6):
            raise DataValidationError("add_regions(): rows need code (6 ASCII digits), name_zh, "
                                      "name_zh_full, name_en, kind", column="code", value=row)
        if row[0] in _BY_CODE:
            raise DataValidationError("add_regions(): a province code cannot be redefined",
                                      column="code", value=row[0])
        for key in (row[0], row[1], row[2], row[3].lower()):
            other = _LOOKUP.get(key) or _EXTRA_LOOKUP.get(key)
            if other is not None and other != row[0]:
                raise DataValidationError(f"add_regions(): name already used by {other}",
                                          column="name", value=key)
        _EXTRA_BY_CODE[row[0]] = row
        for key in (row[0], row[1], row[2], row[3].lower()):
            _EXTRA_LOOKUP[key] = row[0]
        n += 1
    return n


def on_unknown_region(hook) -> None:
    """Register a function that :func:`region_code` calls with a name it does not know.

    The hook raises the error to report (e.g. naming the province of a city); if it
    returns, :func:`region_code` raises a plain "unknown region" error. The package
    :mod:`cluster_research.data` registers
    :func:`cluster_research.data.places.province_of`, so a city of the Taobao-village
    lists and an unknown name get their messages from there (regions.py stays free of
    the Taobao lists).

    Parameters
    ----------
    hook : callable
        Called as ``hook(name)``; registered once (a second call with the same hook is
        ignored).

    Examples
    --------
    >>> from cluster_research.data.places import province_of
    >>> on_unknown_region(province_of)  # registered by cluster_research.data: ignored
    """
    if hook not in _UNKNOWN_HOOKS:
        _UNKNOWN_HOOKS.append(hook)


def reset_regions() -> None:
    """Forget every region registered with :func:`add_regions`.

    Examples
    --------
    >>> reset_regions()
    >>> find_region("杭州") is None
    True
    """
    _EXTRA_BY_CODE.clear()
    _EXTRA_LOOKUP.clear()


def find_region(name, *, provinces_only: bool = False) -> str | None:
    """Return the code of a region given any of its names, or None.

    Parameters
    ----------
    name : str or int
        Code, short or full Chinese, or English name (case-insensitive), normalised to
        Unicode NFKC first (full-width ``Ｓｈａｎｇｈａｉ``, compatibility ideographs).
    provinces_only : bool, default False
        Ignore the tables registered with :func:`add_regions`.

    Returns
    -------
    str or None

    Raises
    ------
    DataValidationError
        The name holds an invisible character (zero-width, filler, variation selector,
        see :func:`~cluster_research.data.parsing.normalise_name`), whatever it would match.

    Examples
    --------
    >>> find_region(" Shanghai "), find_region("nowhere")
    ('310000', None)
    """
    if not isinstance(name, str):
        if isinstance(name, int) and not isinstance(name, bool):
            name = str(name)
        else:
            return None
    key = normalise_name(name)
    for table in (_LOOKUP,) if provinces_only else (_LOOKUP, _EXTRA_LOOKUP):
        code = table.get(key) or table.get(key.lower())
        if code is not None:
            return code
    return None


def region_row(code: str) -> tuple:
    """Return ``(code, short, full, English, kind)`` of a code found by :func:`find_region`.

    Parameters
    ----------
    code : str

    Returns
    -------
    tuple of str

    Raises
    ------
    DataValidationError
        For an unknown code.

    Examples
    --------
    >>> region_row("310000")[1]
    '上海'
    """
    row = _BY_CODE.get(code) or _EXTRA_BY_CODE.get(code)
    if row is None:
        raise DataValidationError("unknown region code", column="region_code", value=code)
    return row


def regions(*, include_extra: bool = False):
    """Return the 31 provincial-level regions of mainland China.

    Parameters
    ----------
    include_extra : bool, default False
        Append the regions registered with :func:`add_regions`.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (6-digit GB/T 2260 code, str), ``name_zh`` (short,
        e.g. 上海), ``name_zh_full`` (上海市), ``name_en`` (Shanghai), ``kind``
        (municipality | province | autonomous_region); 31 rows in code order.

    Examples
    --------
    >>> regions().set_index("code").loc["310000", "name_en"]
    'Shanghai'
    """
    import pandas as pd

    rows = list(REGIONS) + (list(_EXTRA_BY_CODE.values()) if include_extra else [])
    return pd.DataFrame(rows, columns=REGION_COLUMNS)


def region_code(name) -> str:
    """Return the 6-digit code of a province given any of its names.

    Parameters
    ----------
    name : str
        Code (``"310000"``), short Chinese (上海), full Chinese (上海市) or
        English name (``"shanghai"``, case-insensitive; also Xizang, Nei Mongol);
        also the names registered with :func:`add_regions`.

    Returns
    -------
    str

    Raises
    ------
    cluster_research.errors.ProvincialDataError
        If the name is a city or county of the Taobao-village lists (金华, 金华市): the
        code is a province's, so the message names the city's province and what
        accepts cities (:func:`cluster_research.data.places.province_of`).
    cluster_research.errors.UnknownPlaceError
        If the name is neither (the message suggests the closest provinces and
        cities). Both derive from :class:`DataValidationError`.

    Examples
    --------
    >>> region_code("上海市"), region_code("SHANGHAI")
    ('310000', '310000')
    """
    code = find_region(name)
    if code is None:
        for hook in _UNKNOWN_HOOKS:  # places.province_of: a city / an unknown name raises
            hook(name)
        raise DataValidationError("unknown region (not one of the 31 provincial-level regions)",
                                  column="region", value=name)
    return code


def region_name(name_or_code, lang: str = "zh") -> str:
    """Return a province's name in the requested form.

    Parameters
    ----------
    name_or_code : str
        Any name or the code accepted by :func:`region_code`.
    lang : {"zh", "en", "full"}
        Short Chinese (上海), English (Shanghai) or full Chinese (上海市).

    Returns
    -------
    str

    Raises
    ------
    DataValidationError
        For an unknown ``lang``; for a city of the Taobao-village lists or an unknown
        name as :func:`region_code` (the subclasses ProvincialDataError /
        UnknownPlaceError).

    Examples
    --------
    >>> region_name("310000", "en"), region_name("Shanghai"), region_name("上海", "full")
    ('Shanghai', '上海', '上海市')
    """
    idx = {"zh": 1, "full": 2, "en": 3}
    if lang not in idx:
        raise DataValidationError("lang must be 'zh', 'en' or 'full'", column="lang", value=lang)
    return region_row(region_code(name_or_code))[idx[lang]]
