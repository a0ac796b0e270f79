"""Analyse Taobao-village clusters: counts by place, entries and exits, concentration, stage.

Taobao villages (淘宝村) are AliResearch's villages where online selling has clustered; the
2014-2016 lists (:mod:`cluster_research.data.taobao`) give them by province, city, county and
township, :func:`national_series` the national count 2013-2022.

References
----------
Gort, M. and Klepper, S. (1982). Time paths in the diffusion of product innovations.
*Economic Journal* 92(367), 630-653.
阿里研究院 (AliResearch), 中国淘宝村研究报告 (2014-2016).
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from . import data as _data
from . import growth, lifecycle, metrics
from .data import places
from .data import taobao as taobao_data
from .errors import ParameterError

__all__ = [
    "DEFINITION_BREAK", "LEVELS", "MIN_POINTS", "city_series", "concentration", "counts",
    "national_fits", "national_series", "national_stage", "place_fits", "place_points",
    "place_series",
    "province_series", "rename_candidates", "resolve_place", "transition_detail", "transitions"]

#: Fewest exact yearly values for a growth fit or a stage (as ``profile`` requires).
MIN_POINTS = 5
#: First list year under AliResearch's narrower definition (no new 居委会 / 街道).
DEFINITION_BREAK = 2020
LEVELS = {"province": ["province"], "city": ["province", "city"],
          "county": ["province", "city", "county"]}
KEY = ["province", "county", "village"]


def _villages(villages):
    return taobao_data.load_villages() if villages is None else villages


def _level(level):
    if level not in LEVELS:
        raise ParameterError(f"level must be one of {list(LEVELS)}, got {level!r}")
    return LEVELS[level]


def resolve_place(province: str = "", city: str = "", *, villages=None) -> tuple[str, str]:
    """Resolve a province and/or a city name to the spellings of the Taobao-village lists.

    Parameters
    ----------
    province : str
        Any form :func:`cluster_research.data.region_code` accepts (浙江, Zhejiang, 330000);
        a city of the lists (金华) is read as that city, a county (义乌) as its city.
    city : str
        A city of the lists (:func:`cluster_research.data.places.resolve_place`).
    villages : pandas.DataFrame, optional

    Returns
    -------
    (str, str)
        Full province name (浙江省) and city name ("" when none was given).

    Raises
    ------
    ParameterError
        Neither given, a city outside the province, a province or county given as
        ``city``, two different cities, or a city without a Taobao village in the lists.
    UnknownPlaceError
        An unknown name (closest names suggested).

    Examples
    --------
    >>> resolve_place("Zhejiang")
    ('浙江省', '')
    >>> resolve_place(city="金华")
    ('浙江省', '金华市')
    >>> resolve_place("金华")
    ('浙江省', '金华市')
    """
    v = _villages(villages)
    place = places.resolve_place(province, parameter="region") if province else None
    prov, name = (place.province, place.city) if place else ("", "")  # city "": a province
    if city:
        place = places.resolve_place(city, parameter="city")
        if place.kind != "city":
            raise ParameterError(
                f"city {city!r} is a {place.kind} ({place.label}), not a city of the lists"
                + (f"; give its city {place.city}" if place.kind == "county" else
                   "; give it as the region (a province's counts: counts('province'))"))
        if name and name != place.name:
            raise ParameterError(f"region {province!r} is the city {name} but "
                                      f"city {city!r} is {place.name}: give one of them")
        name = place.name
    if not name:
        if not prov:
            raise ParameterError("give a province or a city")
        return prov, ""
    provs = sorted(set(v.loc[v["city"] == name, "province"]))
    if not provs:  # a city of GB/T 2260 without a Taobao village in the lists
        raise ParameterError(
            f"{place.label} has no Taobao village in the 2014-2016 lists (maps and counts by "
            f"county need them); {places.describe_data(place)}")
    if prov and prov not in provs:
        raise ParameterError(f"city {name} is in {provs}, not in {prov}")
    return (prov or provs[0]), name


def counts(level: str = "city", *, villages=None, province=None) -> pd.DataFrame:
    """Count Taobao villages by place and year.

    Parameters
    ----------
    level : {"province", "city", "county"}
    villages : pandas.DataFrame, optional
        Output of :func:`cluster_research.data.taobao.load_villages` (loaded if omitted).
    province : str, optional
        Keep one province, or a city (a county: its city), as :func:`resolve_place` reads it.

    Returns
    -------
    pandas.DataFrame
        One row per place; the place columns, one int column per list year (0 where the
        place has no village that year) and ``total``, sorted by the last year's count.

    Raises
    ------
    ParameterError
        Unknown level, or a province that has no Taobao village.
    UnknownPlaceError
        An unknown name.

    Examples
    --------
    >>> int(counts("province").set_index("province").loc["浙江省", 2016])
    506
    >>> counts("county", province="金华").county.tolist()[:2]
    ['义乌市', '永康市']
    """
    cols = _level(level)
    v = _villages(villages)
    list_years = sorted(int(y) for y in v["year"].unique())  # 0, not a gap, when absent
    if province is not None:
        prov, city = resolve_place(province, villages=v)
        if city:
            v = v[v["city"] == city]
        province = prov
        if province not in set(v["province"]):
            close = difflib.get_close_matches(str(province), sorted(set(v["province"])), n=3)
            raise ParameterError(f"province {province!r} has no Taobao village in the "
                                      f"lists; closest: {close}")
        v = v[v["province"] == province]
    tab = v.groupby(cols + ["year"]).size().unstack("year", fill_value=0)
    tab.columns = [int(c) for c in tab.columns]
    tab = tab.reindex(columns=list_years, fill_value=0)
    tab["total"] = tab.sum(axis=1)
    tab = tab.sort_values([list_years[-1], "total"], ascending=False).reset_index()
    tab.columns.name = None
    return tab


def city_series(name: str, *, villages=None) -> pd.Series:
    """Return a city's number of Taobao villages per list year, as a count series (个).

    Parameters
    ----------
    name : str
        A city of the lists (金华, 金华市); a province or a county is refused.
    villages : pandas.DataFrame, optional

    Returns
    -------
    pandas.Series
        Indexed by int year (every list year, 0 where the city had none), name
        ``taobao_villages``; ``attrs``: region (city), province, unit "个", source_id.

    Raises
    ------
    ParameterError
        A province or county, or a city without a Taobao village (:func:`resolve_place`).
    UnknownPlaceError
        An unknown name.

    Examples
    --------
    >>> city_series("金华").tolist()
    [11, 56, 95]
    """
    v = _villages(villages)
    prov, city = resolve_place(city=name, villages=v)
    sub = v[v["city"] == city]
    years = sorted(set(v["year"]))
    s = sub.groupby("year").size().reindex(years, fill_value=0).astype(int)
    s.index = s.index.astype(int)
    s.name = "taobao_villages"
    s.attrs = {"region": city, "province": prov, "unit": "个",
               "source_id": ",".join(sorted(set(sub["source_id"])))}
    return s


def place_series(place, *, measure: str = "taobao_villages", root=None) -> pd.DataFrame:
    """Return a place's Taobao villages (or towns) per year, every figure with its source.

    Joins the counts of AliResearch's lists (2014-2016; towns 2016 only) and the counts read
    on public pages (:func:`cluster_research.data.taobao_reported.load_reported`, 2015-2022)
    for one province, city or county. Nothing is interpolated: a year without a figure is a
    *gap* row (value NaN). A list year uses the list's count (a place absent from a complete
    list counts 0); a reported figure of that year is shown beside it (``used`` False), its
    difference logged by ``cr.data.load("taobao_reported_checks")``. Other years use an exact
    reported figure; conflicting exact figures are all shown and none is used; a lower bound
    ("超过100个") is shown, not used. ``definition`` marks AliResearch's 2020 change
    (:data:`DEFINITION_BREAK`: new residents' committees no longer count as villages).

    Parameters
    ----------
    place : str
        Any name :func:`cluster_research.data.places.resolve_place` accepts (浙江, 义乌 ...).
    measure : {"taobao_villages", "taobao_towns"}
    root : path-like, optional

    Returns
    -------
    pandas.DataFrame
        Columns year, value, qualifier, origin (list | reported | gap), definition,
        conflict, used (the year's exact value, at most one per year), source_id,
        source_url, source, source_date, quote; sorted by year. ``attrs``: place (label),
        kind, code, measure, unit "个", n_exact (years with a used value), fit_allowed
        (n_exact >= :data:`MIN_POINTS`), spans_break (used years on both sides of 2020),
        data (what the package has for the place).

    Raises
    ------
    ParameterError
        Unknown measure.
    UnknownPlaceError
        Unknown or ambiguous name.

    Examples
    --------
    >>> s = place_series("义乌")
    >>> s[s.used].set_index("year").value.astype(int).to_dict()
    {2014: 6, 2015: 37, 2016: 65, 2017: 104, 2018: 134, 2021: 197}
    >>> s.attrs["fit_allowed"], s.attrs["spans_break"]
    (True, True)
    """
    from . import schemas
    from .data.taobao_reported import load_reported

    if measure not in ("taobao_villages", "taobao_towns"):
        raise ParameterError(f"measure must be 'taobao_villages' or 'taobao_towns', got "
                                  f"{measure!r}")
    p = places.resolve_place(place, parameter="place", root=root)
    tab = (taobao_data.load_villages(root=root) if measure == "taobao_villages"
           else taobao_data.load_towns(root=root))
    mine = tab[tab[f"{p.kind}_code"] == p.code] if p.code else tab[tab[p.kind] == p.name]
    src = _data.sources().set_index("source_id")
    blank = dict(qualifier="", conflict=False, used=False, source_id="", source_url="", source="",
                 source_date="", quote="")
    rows = []
    for year in sorted(set(tab["year"])):
        sid = taobao_data.SOURCE_IDS[int(year)]
        rows.append({**blank, "year": int(year), "value": float((mine["year"] == year).sum()),
                     "qualifier": "exact", "origin": "list", "used": True, "source_id": sid,
                     "source_url": src.loc[sid, "url"], "source": src.loc[sid, "publisher"],
                     "source_date": src.loc[sid, "date"]})
    list_years = {r["year"] for r in rows}
    rep = load_reported(root=root)
    # the last list year with a published national count: later years are not gaps
    last = int(rep.loc[(rep["measure"] == measure) & (rep["level"] == "national"),
                       "list_year"].max())
    rep = rep[(rep["measure"] == measure) & (rep["level"] == p.kind) & (rep["code"] == p.code)
              & rep["list_year"].notna()] if p.code else rep.iloc[:0]
    for year, grp in rep.groupby(rep["list_year"].astype(int)):
        exact = grp[grp["qualifier"] == "exact"]
        use = year not in list_years and exact["value"].nunique() == 1
        for i, r in enumerate(grp.itertuples()):
            rows.append(dict(year=int(year), value=float(r.value), qualifier=r.qualifier,
                             origin="reported", conflict=bool(r.conflict),
                             used=bool(use and r.qualifier == "exact"
                                       and r.Index == exact.index[0]),
                             source_id=r.source_id, source_url=r.source_url, source=r.source,
                             source_date=r.source_date, quote=r.quote))
    have = {r["year"] for r in rows}
    for year in range(min(have), last + 1):
        if year not in have:
            rows.append({**blank, "year": year, "value": float("nan"), "origin": "gap"})
    df = pd.DataFrame(rows)
    df["definition"] = np.where(df["year"] >= DEFINITION_BREAK, "post2020", "pre2020")
    order = {"list": 0, "reported": 1, "gap": 2}
    df = df.sort_values(["year", "origin"], key=lambda c: c.map(order) if c.name == "origin"
                        else c, kind="stable").reset_index(drop=True)
    df = df[["year", "value", "qualifier", "origin", "definition", "conflict", "used",
             "source_id", "source_url", "source", "source_date", "quote"]]
    df = schemas.validate("taobao_place_series", df)
    used = df.loc[df["used"], "year"]
    df.attrs = {"place": p.label, "kind": p.kind, "code": p.code, "measure": measure,
                "unit": "个", "n_exact": int(used.size),
                "fit_allowed": bool(used.size >= MIN_POINTS),
                "spans_break": bool((used < DEFINITION_BREAK).any()
                                    and (used >= DEFINITION_BREAK).any()),
                "data": p.data}
    return df


def place_points(series: pd.DataFrame) -> pd.Series:
    """Return the exact yearly values of a :func:`place_series` table (the ``used`` rows).

    Returns
    -------
    pandas.Series
        Indexed by int year, name = the measure; ``attrs``: region (place label), unit "个",
        source_id (joined with ","). Years without an exact value are absent.

    Examples
    --------
    >>> place_points(place_series("曹县")).astype(int).tolist()
    [7, 34, 48, 74, 151]
    """
    d = series[series["used"]]
    s = pd.Series(d["value"].to_numpy(), index=d["year"].astype(int).to_numpy(),
                  name=series.attrs.get("measure", "taobao_villages"))
    s.index.name = "year"
    s.attrs = {"region": series.attrs.get("place", ""), "unit": "个",
               "source_id": ",".join(dict.fromkeys(d["source_id"]))}
    return s


def province_series(provinces=None, *, n: int = 6, root=None) -> pd.DataFrame:
    """Return the Taobao villages of the leading provinces per year, 2014-2022, gaps kept.

    Parameters
    ----------
    provinces : sequence of str, optional
        Default the ``n`` provinces with most villages in the 2016 list (the last complete
        list: 浙江, 广东, 江苏, 山东, 福建, 河北).
    n : int, default 6
    root : path-like, optional

    Returns
    -------
    pandas.DataFrame
        One row per province and year of :func:`place_series` (gap rows kept, list years'
        press figures dropped): province (short name), year, value, qualifier (exact |
        lower_bound | ""), origin (list | reported | gap), used, definition, source_url.

    Raises
    ------
    ProvincialDataError
        A city or county among ``provinces`` (the message names its province).

    Examples
    --------
    >>> t = province_series(n=2)
    >>> t[t.used].pivot(index="year", columns="province", values="value").loc[2018].tolist()
    [614.0, 1172.0]
    """
    if provinces is None:
        v = taobao_data.load_villages(root=root)
        top = v[v["year"] == v["year"].max()].groupby("province_code").size()
        provinces = top.sort_values(ascending=False, kind="stable").index[:n].tolist()
    out = []
    for prov in provinces:
        name = places.region_row(places.province_of(prov, parameter="provinces",
                                                    root=root))[1]  # a city: its province
        s = place_series(name, root=root)
        s = s[~((s["origin"] == "reported") & s["year"].isin(s.loc[s["origin"] == "list", "year"]))]
        out.append(s.assign(province=name))
    cols = ["province", "year", "value", "qualifier", "origin", "used", "definition", "source_url"]
    return pd.concat(out, ignore_index=True)[cols]


def _keys(v, year):
    d = v[v["year"] == year]
    return d, set(map(tuple, d[KEY].to_numpy()))


def transition_detail(from_year: int, to_year: int, *, villages=None) -> pd.DataFrame:
    """Follow each village from one list to the next on province + county + village.

    Parameters
    ----------
    from_year, to_year : int
        Two list years (2014, 2015, 2016).
    villages : pandas.DataFrame, optional

    Returns
    -------
    pandas.DataFrame
        Columns province, city, county, township, village, status (persist | exit |
        entry), duplicate_key (the key occurs more than once in a list: ambiguous match).

    Raises
    ------
    ParameterError
        A year that is not in the lists, or ``to_year <= from_year``.

    Examples
    --------
    >>> int((transition_detail(2014, 2015).status == "persist").sum())
    209
    """
    v = _villages(villages)
    years = sorted(set(v["year"]))
    if from_year not in years or to_year not in years or to_year <= from_year:
        raise ParameterError(f"from_year/to_year must be list years {years} in order, "
                                  f"got {from_year}, {to_year}")
    a, ka = _keys(v, from_year)
    b, kb = _keys(v, to_year)
    dup = {tuple(k) for d in (a, b) for k in d.loc[d.duplicated(KEY, keep=False), KEY].to_numpy()}
    cols = ["province", "city", "county", "township", "village"]
    out = pd.concat([
        a[cols].assign(status=["persist" if tuple(k) in kb else "exit"
                               for k in a[KEY].to_numpy()]),
        b[cols][[tuple(k) not in ka for k in b[KEY].to_numpy()]].assign(status="entry"),
    ], ignore_index=True)
    out["duplicate_key"] = [tuple(k) in dup for k in out[KEY].to_numpy()]
    return out


def transitions(*, villages=None, level=None) -> pd.DataFrame:
    """Count entries, persistence and exits between consecutive lists.

    ``n_to = n_from - exits + entries``; ``persistence_rate = persist / n_from``;
    net entry ``entries - exits`` is the Gort-Klepper (1982) quantity.

    Parameters
    ----------
    villages : pandas.DataFrame, optional
    level : {None, "province", "city", "county"}
        ``None``: national totals; otherwise one row per place and pair of years.

    Returns
    -------
    pandas.DataFrame
        Columns (place columns,) from_year, to_year, n_from, n_to, persist, exits,
        entries, net_entry, persistence_rate, ambiguous (villages whose key is duplicated
        within a list).

    Examples
    --------
    >>> t = transitions(); t[["from_year", "persist", "exits", "entries"]].values.tolist()[0]
    [2014, 209, 3, 571]
    """
    v = _villages(villages)
    years = sorted(set(v["year"]))
    cols = [] if level is None else _level(level)
    rows = []
    for y0, y1 in zip(years[:-1], years[1:]):
        d = transition_detail(y0, y1, villages=v)
        groups = d.groupby(cols) if cols else [((), d)]
        for key, g in groups:
            key = key if isinstance(key, tuple) else (key,)
            st = g["status"].value_counts()
            persist, exits, entries = (int(st.get(s, 0)) for s in ("persist", "exit", "entry"))
            n_from = persist + exits
            rows.append(dict(zip(cols, key), from_year=y0, to_year=y1, n_from=n_from,
                             n_to=persist + entries, persist=persist, exits=exits,
                             entries=entries, net_entry=entries - exits,
                             persistence_rate=persist / n_from if n_from else np.nan,
                             ambiguous=int(g["duplicate_key"].sum())))
    return pd.DataFrame(rows)


def rename_candidates(from_year: int, to_year: int, *, villages=None,
                      cutoff: float = 0.5) -> pd.DataFrame:
    """List exits that may be renamed villages: an entry in the same county and township.

    For each village that exits, the entries of the next list in the same province,
    county and township are compared by name (:class:`difflib.SequenceMatcher` ratio);
    pairs with ratio >= ``cutoff`` are reported, not merged.

    Parameters
    ----------
    from_year, to_year : int
        Consecutive list years.
    villages : pandas.DataFrame, optional
    cutoff : float
        Minimum similarity ratio in [0, 1].

    Returns
    -------
    pandas.DataFrame
        Columns province, county, township, exit_village, entry_village, ratio.

    Examples
    --------
    "沙头" and "沙头村" share 2 characters of 2 + 3: ratio 2 * 2 / 5 = 0.8.

    >>> r = rename_candidates(2015, 2016).iloc[0]
    >>> r.county, r.township, r.exit_village, r.entry_village, float(r.ratio)
    ('南海区', '九江镇', '沙头', '沙头村', 0.8)
    """
    d = transition_detail(from_year, to_year, villages=villages)
    ex, en = d[d.status == "exit"], d[d.status == "entry"]
    rows = []
    for _, e in ex.iterrows():
        same = en[(en.province == e.province) & (en.county == e.county)
                  & (en.township == e.township)]
        for _, n in same.iterrows():
            r = difflib.SequenceMatcher(None, e.village, n.village).ratio()
            if r >= cutoff:
                rows.append(dict(province=e.province, county=e.county, township=e.township,
                                 exit_village=e.village, entry_village=n.village,
                                 ratio=round(r, 3)))
    return pd.DataFrame(rows, columns=["province", "county", "township", "exit_village",
                                       "entry_village", "ratio"])


def concentration(level: str = "city", *, villages=None) -> pd.DataFrame:
    """Measure the concentration of Taobao villages across places, per list year.

    HHI ``sum s_i^2``, CR4 (share of the four largest places) and the Gini coefficient
    (:func:`cluster_research.metrics.gini`) over the places that have at least one village
    that year (the lists do not say which places have none, so the Gini is *among host
    places*).

    Parameters
    ----------
    level : {"province", "city", "county"}
    villages : pandas.DataFrame, optional

    Returns
    -------
    pandas.DataFrame
        Columns year, level, n_places, n_villages, hhi, hhi_normalized, cr4, gini,
        top (the largest place), top_share.

    Examples
    --------
    >>> c = concentration("province"); int(c.n_places.iloc[-1])
    18
    """
    cols = _level(level)
    tab = counts(level, villages=villages)
    rows = []
    for y in [c for c in tab.columns if isinstance(c, int)]:
        s = tab.loc[tab[y] > 0].set_index(cols)[y].astype(float)
        s.index = ["/".join(i) if isinstance(i, tuple) else i for i in s.index]
        rows.append(dict(year=y, level=level, n_places=len(s), n_villages=int(s.sum()),
                         hhi=metrics.hhi(s), hhi_normalized=metrics.hhi(s, normalized=True),
                         cr4=metrics.cr4(s), gini=metrics.gini(s), top=s.idxmax(),
                         top_share=float(s.max() / s.sum())))
    return pd.DataFrame(rows)


def national_series(kind: str = "villages", *, definition=None) -> pd.Series:
    """Return the national count of Taobao villages (or towns) per year.

    Parameters
    ----------
    kind : {"villages", "towns"}
    definition : {None, "pre2020", "post2020"}
        Keep one side of the 2020 definition change (default both).

    Returns
    -------
    pandas.Series
        Indexed by int year, name ``taobao_<kind>``, unit 个 in ``attrs["unit"]``;
        ``attrs["definition"]`` maps year to pre2020/post2020.

    Examples
    --------
    >>> int(national_series().loc[2022])
    7780
    """
    c = taobao_data.load_counts()
    if kind not in ("villages", "towns"):
        raise ParameterError(f"kind must be 'villages' or 'towns', got {kind!r}")
    c = c[c["kind"] == kind]
    if definition is not None:
        c = c[c["definition"] == definition]
    s = pd.Series(c["value"].astype(float).to_numpy(), index=c["year"].astype(int).to_numpy(),
                  name=f"taobao_{kind}").sort_index()
    s.attrs = {"unit": "个", "definition": dict(zip(c["year"].astype(int), c["definition"]))}
    return s


def national_fits(series=None, *, models=("logistic", "gompertz", "richards", "bass"),
                  errors=("additive", "multiplicative")) -> pd.DataFrame:
    """Fit growth curves to the national count and say whether each ceiling is identified.

    Each model of :func:`cluster_research.growth.fit` is fitted with each error form; the
    table keeps every fit, converged or not.

    Parameters
    ----------
    series : pandas.Series, optional
        Count by year (default :func:`national_series`).
    models, errors : sequence of str

    Returns
    -------
    pandas.DataFrame
        Columns model, errors, converged, ceiling, inflection, identified,
        identified_reason, aicc, last_year, last_share_of_ceiling, error (message of a
        failed fit, else "").

    Examples
    --------
    >>> f = national_fits(models=("logistic",), errors=("additive",)); bool(f.converged[0])
    True
    """
    s = national_series() if series is None else series
    rows = []
    for m in models:
        for e in errors:
            row = dict(model=m, errors=e, converged=False, ceiling=np.nan, inflection=np.nan,
                       identified=False, identified_reason="", aicc=np.nan,
                       last_year=int(s.index[-1]), last_share_of_ceiling=np.nan, error="")
            rows.append(row)  # completed below
            try:
                r = growth.fit(s.index.to_numpy(), s.to_numpy(), model=m, errors=e)
            except ParameterError as exc:
                row["error"] = str(exc)
                continue
            cap = float(r.ceiling) if r.ceiling is not None else np.nan
            row.update(converged=bool(r.converged), ceiling=cap,
                       inflection=float(r.inflection) if r.inflection is not None else np.nan,
                       identified=bool(r.identified), identified_reason=r.identified_reason,
                       aicc=float(r.aicc), last_share_of_ceiling=float(s.iloc[-1]) / cap)
    return pd.DataFrame(rows)


def place_fits(series, name: str, *, errors: str = "multiplicative") -> pd.DataFrame:
    """Fit the exponential, logistic and Gompertz curves to one place's series (notebook 11).

    :func:`national_fits` with one error form, in the city page's columns: a ceiling is shown
    only where it is identified.

    Parameters
    ----------
    series : pandas.Series
        Values by year.
    name : str
        Written to the ``series`` column.
    errors : {"multiplicative", "additive"}

    Returns
    -------
    pandas.DataFrame
        Columns series, model, converged, identified, ceiling_if_identified, aicc.

    Examples
    --------
    >>> place_fits(national_series(), "national").model.tolist()
    ['exponential', 'logistic', 'gompertz']
    """
    f = national_fits(series, models=("exponential", "logistic", "gompertz"), errors=(errors,))
    return f.assign(series=name, ceiling_if_identified=f["ceiling"].where(f["identified"]))[
        ["series", "model", "converged", "identified", "ceiling_if_identified", "aicc"]]


def national_stage(year=None, *, series=None, model: str = "gompertz",
                   errors: str = "additive", window: int = 5) -> pd.DataFrame:
    """Classify the lifecycle stage of China's Taobao-village count.

    Runs :func:`cluster_research.lifecycle.classify` with the curve method (phase I-IV of the
    fitted S-curve as 萌芽/成长/扩大/起飞) and the Gort-Klepper net-entry method (villages as
    "firms"; a smaller smoothing ``window``, since only ten years are published).

    Parameters
    ----------
    year : int, optional
        Year to classify (default: the last year of the series).
    series : pandas.Series, optional
        Default :func:`national_series`.
    model, errors : str
        Curve model and error form for the curve method.
    window : int
        Smoothing window of the net-entry method.

    Returns
    -------
    pandas.DataFrame
        Columns method, year, stage (萌芽/成长/扩大/起飞 or None), stage_en, phase, reason.
        The series crosses AliResearch's 2020 definition change (``attrs["definition"]``
        of :func:`national_series`); pass ``series=national_series(definition="pre2020")``
        to stay on one definition.

    Examples
    --------
    >>> list(national_stage().method)
    ['curve', 'net_entry']
    """
    s = national_series() if series is None else series
    y = int(s.index[-1]) if year is None else int(year)
    rows = []
    for method, opts in (("curve", dict(model=model, errors=errors)),
                         ("net_entry", dict(window=window, min_points=window + 2))):
        r = lifecycle.classify(s, y, method=method, **opts)
        rows.append(dict(method=method, year=y,
                         stage=None if r.stage is None else r.stage.zh,
                         stage_en=None if r.stage is None else r.stage.en,
                         phase=r.phase, reason=r.reason))
    return pd.DataFrame(rows)
