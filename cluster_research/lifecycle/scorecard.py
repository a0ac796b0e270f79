"""The ``scorecard``: a relative ranking of provinces on the paper's four growth-stage features.

**Not a lifecycle stage.** Every component is a within-year percentile among the provinces,
so the scorecard ranks a region against the others in the same year; its four classes reuse
the stage names only as labels of "fast and accelerating / fast and decelerating / high and
slow / low and slow relative to the median province".  Measured on the NBS panel
it reverses (goes to an earlier class) in 36 % of year-to-year
steps, and no multi-year window brings that under 19 %: it cannot be read as a position on a
lifecycle.  For the lifecycle stage of a region use
:func:`cluster_research.lifecycle.panel_stages` (stages ordered, never backwards in
hindsight).  The ``stage`` field is kept for compatibility with ``classify``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import data
from ..errors import ParameterError
from .registry import register
from .stage import Stage, StageResult, check_information, check_year, unclassified

SCORECARD_INDICATORS = {
    # component: (dimension, role, description)
    "firms_share": ("gathering", "level", "ecommerce_firms_share (% of enterprises)"),
    "firms_growth": ("gathering", "momentum", "growth of ecommerce_firms y/y"),
    "sales_growth": ("scale", "momentum", "growth of ecommerce_sales y/y"),
    "sales_acceleration": ("scale", "acceleration",
                           "change in ecommerce_sales growth (percentage points)"),
    "links_ratio": ("links", "level",
                    "ecommerce_purchases / ecommerce_sales (proxy for inter-firm links)"),
    "websites": ("infrastructure", "level", "websites_per_100_firms"),
    "computers": ("infrastructure", "level", "computers_per_100_people"),
    "broadband_growth": ("infrastructure", "momentum", "growth of broadband_users y/y"),
    "mobile_growth": ("infrastructure", "momentum", "growth of mobile_internet_users y/y"),
}
_PANEL_NEEDED = ("ecommerce_firms", "ecommerce_firms_share", "ecommerce_sales",
                 "ecommerce_purchases", "websites_per_100_firms", "computers_per_100_people",
                 "broadband_users", "mobile_internet_users")


def panel_components(panel: pd.DataFrame) -> pd.DataFrame:
    """Return components per (region, year) from the long provincial panel (no filling)."""
    if miss := {"region", "year", "indicator", "value"} - set(panel.columns):
        raise ParameterError(f"provincial panel lacks columns {sorted(miss)}")
    sub = panel[panel["indicator"].isin(_PANEL_NEEDED)]
    dup = sub.duplicated(["region", "year", "indicator"])
    if dup.any():
        r = sub[dup].iloc[0]
        raise ParameterError(
            f"provincial panel has duplicate rows, e.g. region {r['region']} year {r['year']} "
            f"indicator {r['indicator']}")
    wide = sub.pivot(index=["region", "year"], columns="indicator", values="value")
    wide = wide.reindex(columns=list(_PANEL_NEEDED)).astype(float).sort_index()
    yr = pd.Series(wide.index.get_level_values("year"), index=wide.index)
    consecutive = yr.groupby(level="region").shift(1) == yr - 1  # no growth across a gap

    def growth(col):
        return (wide[col] / wide[col].groupby(level="region").shift(1) - 1).where(consecutive)

    sales = growth("ecommerce_sales")
    with np.errstate(divide="ignore", invalid="ignore"):
        links = wide["ecommerce_purchases"] / wide["ecommerce_sales"].where(
            wide["ecommerce_sales"] > 0)
    return pd.DataFrame({
        "firms_share": wide["ecommerce_firms_share"], "firms_growth": growth("ecommerce_firms"),
        "sales_growth": sales,
        "sales_acceleration": (sales - sales.groupby(level="region").shift(1)).where(consecutive),
        "links_ratio": links, "websites": wide["websites_per_100_firms"],
        "computers": wide["computers_per_100_people"],
        "broadband_growth": growth("broadband_users"),
        "mobile_growth": growth("mobile_internet_users")}, index=wide.index)


def resolve_region(panel: pd.DataFrame, region: str) -> str:
    """Return the panel's region name for a name or code (any name of a province:
    :func:`cluster_research.data.find_region`)."""
    key = str(region).strip()
    cols = [c for c in ("region", "region_en", "region_code") if c in panel.columns]
    for c in cols:
        vals = panel[c].astype(str)
        hit = panel.loc[vals.str.lower() == key.lower(), "region"]
        if len(hit):
            return str(hit.iloc[0])
    code = data.find_region(key)  # any other name of a province (上海市, 广西壮族自治区)
    for c, v in (("region_code", code), ("region", code and data.region_name(code))):
        hit = panel.loc[panel[c].astype(str) == v, "region"] if code and c in panel else ()
        if len(hit):
            return str(hit.iloc[0])
    raise ParameterError(f"region {region!r} not found in the provincial panel")


def load_panel(panel):
    """Return the given panel, or the NBS provincial panel when None."""
    return data.load("provincial_panel") if panel is None else panel


def scorecard_table(year: int, *, panel: pd.DataFrame | None = None, threshold: float = 0.5,
                    min_components: int = 2) -> pd.DataFrame:
    """Rank every region of the provincial panel in ``year`` on the four features.

    A **relative ranking of provinces (not a lifecycle stage)**: see :func:`scorecard`.

    Parameters
    ----------
    year : int
    panel : DataFrame, optional
        Long panel (region, year, indicator, value); default the packaged NBS panel.
    threshold : float, default 0.5
        Percentile threshold of the stage rule.
    min_components : int, default 2
        Components a composite needs.

    Returns
    -------
    pandas.DataFrame
        One row per region: the nine components, their within-year percentiles
        (``pct_<component>``), the four dimension scores, the composites
        ``level``, ``momentum``, ``acceleration``, ``stage`` (Stage or None)
        and ``reason``.

    Raises
    ------
    ParameterError
        ``year`` outside the panel, missing columns or duplicate rows.

    Examples
    --------
    >>> tab = scorecard_table(2020)                        # doctest: +SKIP
    >>> tab["stage"].map(lambda s: s and s.zh).value_counts()   # doctest: +SKIP
    """
    year = check_year(year)
    panel = load_panel(panel)
    comp = panel_components(panel)
    years = comp.index.get_level_values("year")
    if year not in set(years):
        first, last = int(years.min()), int(years.max())
        raise ParameterError(f"year {year} not in the provincial panel ({first}-{last})")
    cur = comp.xs(year, level="year")
    # mid-rank percentiles (rank - 0.5) / n among the regions with a value: symmetric,
    # so the median region scores exactly 0.5 whatever n is
    pct = (cur.rank(method="average") - 0.5) / cur.notna().sum()
    pct.columns = ["pct_" + c for c in pct.columns]
    out = pd.concat([cur, pct], axis=1)
    rows = [score_row(out.loc[r], threshold, min_components) for r in out.index]
    scored = pd.DataFrame(rows, index=out.index)
    out = pd.concat([out, scored], axis=1)
    out.attrs.update(year=year, n_regions=len(out), threshold=threshold)
    return out


def score_row(row: pd.Series, threshold: float, min_components: int) -> dict:
    """Score one region-year from its component percentiles."""
    def mean_of(keys):
        vals = [row["pct_" + k] for k in keys if np.isfinite(row["pct_" + k])]
        missing = [k for k in keys if not np.isfinite(row["pct_" + k])]
        return (float(np.mean(vals)) if vals else np.nan), missing

    dims = {dim: mean_of([k for k, v in SCORECARD_INDICATORS.items() if v[0] == dim])[0]
            for dim in ("gathering", "scale", "links", "infrastructure")}
    level_keys = [k for k, v in SCORECARD_INDICATORS.items() if v[1] == "level"]
    mom_keys = [k for k, v in SCORECARD_INDICATORS.items() if v[1] == "momentum"]
    level, miss_l = mean_of(level_keys)
    momentum, miss_m = mean_of(mom_keys)
    accel = row["pct_sales_acceleration"]
    rec = {**dims, "level": level, "momentum": momentum, "acceleration": accel,
           "growth_features_present": int(sum(v >= threshold for v in dims.values()
                                              if np.isfinite(v)))}
    problems = []
    if len(level_keys) - len(miss_l) < min_components:
        problems.append(f"level needs >= {min_components} of {level_keys}; missing {miss_l}")
    if len(mom_keys) - len(miss_m) < min_components:
        problems.append(f"momentum needs >= {min_components} of {mom_keys}; missing {miss_m}")
    if not np.isfinite(accel):
        problems.append("sales acceleration missing (needs ecommerce_sales in t, t-1, t-2)")
    if problems:
        rec.update(stage=None, reason="cannot score: " + "; ".join(problems))
        return rec
    fmt = f"momentum {momentum:.2f}, acceleration {accel:.2f}, level {level:.2f}"
    if momentum >= threshold:
        if accel >= threshold:
            st, why = Stage.GROWTH, "fast and accelerating growth (成长)"
        else:
            st, why = Stage.EXPANSION, "fast but decelerating growth (扩大)"
    elif level >= threshold:
        st, why = Stage.TAKEOFF, "high level, slower growth: mature (起飞)"
    else:
        st, why = Stage.EMBRYONIC, "low level and slow growth (萌芽)"
    rec.update(stage=st, reason=f"{fmt} (percentiles among provinces): {why}")
    return rec


def scorecard(region: str, year: int, information: str = "realtime", *,
              panel: pd.DataFrame | None = None, threshold: float = 0.5,
              min_components: int = 2) -> StageResult:
    """Rank a region among the provinces on the paper's four growth-stage features in a year.

    A **relative ranking of provinces, not a lifecycle stage**: the returned ``stage`` is
    the class of the region relative to the median province that year (it reverses in
    36 % of year-to-year steps on the NBS panel); the lifecycle stage is
    :func:`~cluster_research.lifecycle.panel_stages`.

    The paper names four features of the 成长 stage: firms gathering, scale
    expanding fast, inter-firm links forming and much-improved infrastructure.
    Each is measured from the NBS provincial panel (``data.load("provincial_panel")``):

    ============== ==========================================================
    dimension      components (role)
    ============== ==========================================================
    gathering      ecommerce_firms_share (level), ecommerce_firms y/y growth
                   (momentum)
    scale          ecommerce_sales y/y growth (momentum), its change in
                   percentage points (acceleration)
    links          ecommerce_purchases / ecommerce_sales (level) -- a *proxy*:
                   purchases made online by firms relative to their online
                   sales, not a measure of links inside the cluster
    infrastructure websites_per_100_firms, computers_per_100_people (level),
                   broadband_users and mobile_internet_users y/y growth
                   (momentum; user counts scale with population, so their
                   growth is used rather than their level)
    ============== ==========================================================

    **Normalisation**: every component is turned into its within-year
    percentile among the provinces with a value that year, the mid-rank
    ``(rank - 0.5) / n`` (highest -> 1 - 0.5/n, median -> 0.5).  Growth needs consecutive years (no
    filling across gaps).  Dimension scores are the mean of their available
    component percentiles.  Composites: ``level`` (mean of level components),
    ``momentum`` (mean of momentum components), ``acceleration`` (sales
    acceleration percentile); a composite needs at least ``min_components``
    components.

    **Stage rule** (``threshold`` = 0.5 by default, i.e. the median province)::

        momentum >= thr and acceleration >= thr -> 成长 GROWTH     (fast, accelerating)
        momentum >= thr and acceleration <  thr -> 扩大 EXPANSION  (fast, decelerating)
        momentum <  thr and level >= thr        -> 起飞 TAKEOFF    (high level, mature)
        momentum <  thr and level <  thr        -> 萌芽 EMBRYONIC  (low and slow)

    ``growth_features_present`` counts how many of the paper's four features score >= threshold.

    Parameters
    ----------
    region : str
        Short or English name or 6-digit code ("上海", "Shanghai", "310000").
    year : int
    information : {"realtime", "hindsight"}
        Scores only ever use data dated <= ``year``, so both give the same
        answer (the panel has no data vintages; later revisions of past values
        cannot be excluded).
    panel, threshold, min_components
        As for :func:`scorecard_table`.

    Returns
    -------
    StageResult
        ``evidence`` holds ``components`` (value and percentile per component),
        ``dimensions`` (the four scores), ``level``, ``momentum``,
        ``acceleration`` and ``n_regions``.  Years before the panel starts
        (2015), e.g. Shanghai 2010/2011, give ``stage=None`` with that reason.

    Examples
    --------
    >>> r = scorecard("上海", 2020)            # doctest: +SKIP
    >>> r.stage, r.evidence["dimensions"]       # doctest: +SKIP
    """
    check_information(information)
    year = check_year(year)
    panel = load_panel(panel)
    name = resolve_region(panel, region)
    yrs = panel["year"].astype(int)
    first, last = int(yrs.min()), int(yrs.max())
    if not first <= year <= last:
        return unclassified("scorecard", information, year,
                             f"the provincial panel covers {first}-{last}; "
                             f"{name} {year} cannot be scored", region=name)
    tab = scorecard_table(year, panel=panel, threshold=threshold, min_components=min_components)
    if name not in tab.index:
        return unclassified("scorecard", information, year,
                             f"{name} has no data in {year}", region=name)
    row = tab.loc[name]
    comps = pd.DataFrame([(*v, row[k], row["pct_" + k]) for k, v in SCORECARD_INDICATORS.items()],
                         index=list(SCORECARD_INDICATORS),
                         columns=["dimension", "role", "description", "value", "percentile"])
    ev = {"region": name, "components": comps,
          "dimensions": {d: row[d] for d in ("gathering", "scale", "links", "infrastructure")},
          "level": row["level"], "momentum": row["momentum"],
          "acceleration": row["acceleration"],
          "growth_features_present": row["growth_features_present"],
          "n_regions": int(tab.attrs["n_regions"]), "threshold": threshold}
    st = row["stage"] if isinstance(row["stage"], Stage) else None
    return StageResult(st, "scorecard", information, year, f"{name} {year}: {row['reason']}", ev)


@register("scorecard", raw=True)
def classify_scorecard(series, year, information, *, region=None, extrapolate=False, **options):
    """Run :func:`scorecard` from ``classify`` (a relative ranking class, not a lifecycle stage)."""
    if region is None:
        region = getattr(series, "attrs", {}).get("region") if series is not None else None
    if region is None:
        raise ParameterError("method='scorecard' needs region= (a province name or code)")
    return scorecard(region, year, information, **options)
