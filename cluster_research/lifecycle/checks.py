"""Checks of a stage model against what really happened.

* :func:`rolling_forecast` / :func:`forecast_summary` -- rolling-origin out-of-sample forecasts
  (time-series cross-validation, Hyndman & Athanasopoulos, *Forecasting: Principles and
  Practice*, 3rd ed., section 5.10): the model is fitted on the years up to each origin ``t``
  and its curve forecasts ``t + h``; the benchmarks are the random walk (no change, ``log y_t``)
  and the random walk with drift (``log y_t + h (log y_t - log y_first) / (t - t_first)``).
  Accuracy is the RMSE of the log levels per horizon; a ratio to drift above 1 means the stage
  model forecasts worse than a trend.
* :func:`instrument_table` -- one region's stage from two instruments side by side, year by
  year (e.g. Shanghai from the NBS panel and from its own transaction series).
* :func:`face_validity` -- Spearman rank correlation, by year, between the stage position a
  model gives every region and an independent maturity measure (:func:`maturity_measures`).
* :func:`stage_summary` -- coverage, backward steps and stage counts of a stage table and, for
  a real-time table, how often the stage a year got from the data up to it is the stage the
  full data give it (the revision check of real-time estimates: Orphanides & van Norden
  2002, "The unreliability of output-gap estimates in real time", *Rev. Econ. Stat.* 84,
  569-583, do the same for output gaps).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..data import region_name
from ..errors import ParameterError
from .panel import CORES, PROB_COLUMNS, log_curve, prepare_panel
from .stage import Stage

__all__ = ["backward_steps", "face_validity", "face_validity_text", "forecast_summary",
           "instrument_table",
           "maturity_measures", "rolling_forecast", "stage_position", "stage_summary"]


def rolling_forecast(data, *, method="pooled", horizons=(1, 2, 3), min_train=5,
                     region="region", x="year", y="value", indicator=None, **options):
    """Forecast every region ``h`` years ahead from every origin, with the model and two naives.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (as :func:`cluster_research.lifecycle.panel_stages` takes).
    method : {"pooled", "lag", "curve"}
        A stage model whose curves forecast (its fitted level curve per region).
    horizons : sequence of int
        Years ahead.
    min_train : int
        Origins start when the training panel has this many years.
    region, x, y, indicator : str
        As :func:`~cluster_research.lifecycle.panel_stages`.
    **options
        Passed to the model.

    Returns
    -------
    pandas.DataFrame
        One row per origin, region and horizon with an actual value: ``origin``, ``region``,
        ``horizon``, ``actual``, ``model``, ``drift``, ``random_walk`` (all log levels).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(2000, 2012)
    >>> df = pd.DataFrame({"region": "a", "year": t, "value": 100 / (1 + np.exp(-0.6 * (t - 2006)))})
    >>> fc = rolling_forecast(df, method="curve", model="logistic", horizons=(1,), min_train=8)
    >>> sorted(fc["origin"].unique().tolist())
    [2007, 2008, 2009, 2010]
    """
    if method not in ("pooled", "lag", "curve"):
        raise ParameterError(f"rolling_forecast needs a curve model (pooled, lag, curve), "
                             f"got {method!r}")
    df = prepare_panel(data, region, x, y, indicator)
    scale = options.get("scale") if method == "lag" else None
    years = sorted(df["year"].unique())
    core = CORES[method]
    rows = []
    for origin in years[min_train - 1:-1]:
        train = df[df["year"] <= origin]
        curves = core(train, **options).attrs.get("curves", {})
        for r, g in train.groupby("region", sort=False):
            g = g.sort_values("year")
            t_last, ly_last = float(g["year"].iloc[-1]), float(np.log(g["value"].iloc[-1]))
            span = t_last - float(g["year"].iloc[0])
            slope = (ly_last - float(np.log(g["value"].iloc[0]))) / span if span > 0 else 0.0
            future = df[(df["region"] == r) & (df["year"] > origin)].set_index("year")["value"]
            for h in horizons:
                if origin + h not in future.index or r not in curves:
                    continue
                model, z = curves[r]
                z = np.asarray(z, float).copy()
                if scale is not None:  # the lag model's curve is per unit of scale
                    z[0] += float(np.log(scale[r]))
                t = np.array([origin + h], float)
                rows.append({"origin": int(origin), "region": r, "horizon": int(h),
                             "actual": float(np.log(future.loc[origin + h])),
                             "model": float(log_curve(model, z, t)[0]),
                             "drift": ly_last + slope * (origin + h - t_last),
                             "random_walk": ly_last})
    return pd.DataFrame(rows, columns=["origin", "region", "horizon", "actual", "model",
                                       "drift", "random_walk"])


def forecast_summary(table):
    """Return the RMSE of log levels per horizon for the model and the two naives.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`rolling_forecast` output.

    Returns
    -------
    pandas.DataFrame
        One row per horizon: ``n``, ``rmse_model``, ``rmse_drift``, ``rmse_random_walk``,
        ``ratio_to_drift`` (model / drift) and ``ratio_to_random_walk``.
    """
    out = []
    for h, g in table.groupby("horizon"):
        e = {k: float(np.sqrt(np.mean((g[k] - g["actual"]) ** 2)))
             for k in ("model", "drift", "random_walk")}
        out.append({"horizon": int(h), "n": len(g), **{f"rmse_{k}": v for k, v in e.items()},
                    "ratio_to_drift": e["model"] / e["drift"],
                    "ratio_to_random_walk": e["model"] / e["random_walk"]})
    return pd.DataFrame(out, columns=["horizon", "n", "rmse_model", "rmse_drift",
                                      "rmse_random_walk", "ratio_to_drift",
                                      "ratio_to_random_walk"])


def stage_position(table):
    """Return each row's expected phase ``sum_s s p_s`` (1 = 萌芽 ... 4 = 起飞) of a
    :func:`~cluster_research.lifecycle.panel_stages` table."""
    P = table[list(PROB_COLUMNS)].to_numpy(float)
    return pd.Series(P @ np.arange(1, 5), index=table.index, name="position")


def face_validity(table, measure, *, min_regions=5):
    """Rank-correlate, by year, the stage position with an independent maturity measure.

    Only region-years with a stage shown count (a "not identified" cell has no position to
    check).

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`~cluster_research.lifecycle.panel_stages` table.
    measure : pandas.DataFrame
        Columns region, year, value (e.g. e-commerce sales per person).
    min_regions : int
        Years with fewer staged regions are left out, and so are years whose staged regions
        all sit at one position (a rank correlation is not defined there).

    Returns
    -------
    pandas.DataFrame
        One row per year: ``n``, ``spearman_rho``, ``p_value``.

    Raises
    ------
    ParameterError
        A column missing from ``table`` or ``measure`` (named in the message).
    """
    for name, df, cols in (("table", table, ("region", "year", "stage")),
                           ("measure", measure, ("region", "year", "value"))):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ParameterError(f"face_validity: {name} lacks the column(s) {missing}")
    staged = table[table["stage"].notna()].assign(position=stage_position)
    m = staged.merge(measure[["region", "year", "value"]].dropna(), on=["region", "year"])
    rows = []
    for yr, g in m.groupby("year"):
        if len(g) >= min_regions and g["position"].nunique() > 1 and g["value"].nunique() > 1:
            rho, p = stats.spearmanr(g["position"], g["value"])
            rows.append({"year": int(yr), "n": len(g), "spearman_rho": float(rho),
                         "p_value": float(p)})
    return pd.DataFrame(rows, columns=["year", "n", "spearman_rho", "p_value"])


def face_validity_text(validity):
    """Summarise one :func:`face_validity` table in a clause: the range and median of the
    Spearman rho and the years in which it is positive at p < 0.05.

    Examples
    --------
    >>> v = pd.DataFrame({"year": [2020, 2021], "n": [6, 6], "spearman_rho": [0.1, 0.9],
    ...                   "p_value": [0.8, 0.01]})
    >>> face_validity_text(v)
    'Spearman rho 0.10 to 0.90 over 2 year(s) (median 0.50); positive at p < 0.05 in 1 of them (2021)'
    >>> face_validity_text(v.iloc[:0])
    'no year with five or more staged regions at different positions'
    """
    v = validity
    if v.empty:
        return "no year with five or more staged regions at different positions"
    pos = v[(v["spearman_rho"] > 0) & (v["p_value"] < 0.05)]
    lo, hi = (f"{x:.2f}" for x in (v["spearman_rho"].min(), v["spearman_rho"].max()))
    return (f"Spearman rho {lo if lo == hi else lo + ' to ' + hi} over {len(v)} year(s) "
            f"(median {v['spearman_rho'].median():.2f}); positive at p < 0.05 in {len(pos)} of "
            "them" + (f" ({', '.join(map(str, pos['year']))})" if len(pos) else ""))


def maturity_measures(panel, indicator=None):
    """Return maturity measures of the provinces by year, for :func:`face_validity`.

    * ``"share of firms trading online"`` -- NBS 有电子商务交易活动的企业数比重 (%, 2015-2023),
      from ``panel`` (left out when it is ``indicator``: a model's own series);
    * ``"Taobao villages per resident"`` -- the villages of the complete national lists of 2015
      and 2016 (:func:`cluster_research.data.taobao.load_villages`) per resident of 2024 (the divisor of
      :func:`~cluster_research.lifecycle.per_person_scale`, 万人); a province absent from a list
      has none that year;
    * with ``indicator``: ``"<indicator> per resident"`` (divided as by ``per_person_scale``; a
      ratio as it is), the series a panel model of that indicator is fitted to -- a check of
      the ordering only, not independent of the model.

    Parameters
    ----------
    panel : pandas.DataFrame
        ``provincial_panel`` (region, indicator, year, value).
    indicator : str, optional

    Returns
    -------
    dict
        Measure name -> DataFrame with columns region, year, value.
    """
    from ..data.taobao import load_villages
    from .lag import divide_by_scale, per_person_scale

    pop = per_person_scale("ecommerce_sales")[0]
    v = load_villages()
    n = (v[v["year"].isin([2015, 2016])].assign(region=v["province_code"].map(region_name))
         .groupby(["region", "year"]).size().unstack("year"))
    villages = divide_by_scale(n.reindex(pop.index, fill_value=0).fillna(0)
                               .rename_axis("region").reset_index()
                               .melt(id_vars="region", var_name="year", value_name="value")
                               .astype({"year": int}), pop)
    out = {"share of firms trading online":
           panel.loc[panel["indicator"] == "ecommerce_firms_share", ["region", "year", "value"]],
           "Taobao villages per resident": villages}
    if indicator is not None:
        if indicator == "ecommerce_firms_share":  # the model's own series: not independent
            del out["share of firms trading online"]
        scale = per_person_scale(indicator)[0]
        own = panel.loc[panel["indicator"] == indicator, ["region", "year", "value"]]
        out[f"{indicator} per resident" if scale is not None else indicator] = (
            own if scale is None else divide_by_scale(own, scale))
    return out


def instrument_table(a, b, region, *, names=("A", "B")):
    """Put one region's stages from two instruments side by side, year by year.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Stage tables (region, year, stage, the four probabilities, reason), e.g. the NBS
        panel model and the curve method on a longer series of the same region.
    region : str
    names : tuple of str
        Labels of the two instruments (column suffixes).

    Returns
    -------
    pandas.DataFrame
        The overlapping years: ``year``, ``stage_<A>``, ``p_<A>`` (probability of that
        stage, or of the most likely one when no stage is shown), ``stage_<B>``, ``p_<B>``,
        ``agree`` (both shown and equal; None when either is not identified).
    """
    parts = []
    for tab, nm in zip((a, b), names):
        g = tab[tab["region"] == region].set_index("year")
        P = g[list(PROB_COLUMNS)].to_numpy(float)
        parts.append(pd.DataFrame({f"stage_{nm}": g["stage"],
                                   f"p_{nm}": P.max(axis=1)}, index=g.index))
    m = parts[0].join(parts[1], how="inner")
    sa, sb = m[f"stage_{names[0]}"], m[f"stage_{names[1]}"]
    m["agree"] = [None if x is None or y is None or x != x or y != y else x == y
                  for x, y in zip(sa, sb)]
    return m.reset_index()


def backward_steps(table: pd.DataFrame) -> tuple[int, int]:
    """Count a region's year-to-year steps back to an earlier stage.

    A step is a pair of consecutive rows (by year) of one region that both have a stage;
    it is backward when ``order(stage_t) < order(stage_{t-1})``.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns region, year, stage (Stage or None).

    Returns
    -------
    (int, int)
        Backward steps, and all steps between two staged rows.

    Examples
    --------
    >>> t = pd.DataFrame({"region": ["a"] * 3, "year": [1, 2, 3],
    ...                   "stage": [Stage.GROWTH, Stage.EMBRYONIC, None]})
    >>> backward_steps(t)
    (1, 1)
    """
    step = table.assign(_o=_order(table)).sort_values(["region", "year"]).groupby(
        "region")["_o"].diff()
    return int((step < 0).sum()), int(step.notna().sum())


def _order(table):
    """Each row's stage order (1 = 萌芽 ... 4 = 起飞), NaN where no stage is shown."""
    return table["stage"].map(lambda s: s.order if isinstance(s, Stage) else np.nan)


def stage_summary(table, hindsight=None):
    """Summarise a stage table: coverage, backward steps, stage counts, agreement with hindsight.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`~cluster_research.lifecycle.panel_stages` table (region, year, stage).
    hindsight : pandas.DataFrame, optional
        The same model's table on all the data, to check a real-time ``table`` against what
        the later years say.

    Returns
    -------
    dict
        ``region_years``, ``years`` ("first-last"), ``classified`` (share with a stage),
        ``backward_steps`` (:func:`backward_steps` as a share; NaN without a step), one count
        per stage (keys ``Stage.en``), ``compared`` (region-years staged in ``table`` and in
        ``hindsight``; 0 without it) and ``agree_hindsight`` (share of those with the same
        stage; NaN if none).

    Examples
    --------
    >>> from cluster_research.lifecycle import Stage
    >>> rt = pd.DataFrame({"region": "a", "year": [1, 2, 3],
    ...                    "stage": [Stage.GROWTH, Stage.EMBRYONIC, None]})
    >>> hs = rt.assign(stage=[Stage.GROWTH, Stage.GROWTH, Stage.GROWTH])
    >>> s = stage_summary(rt, hs)
    >>> s["classified"], s["backward_steps"], s["compared"], s["agree_hindsight"]
    (0.6666666666666666, 1.0, 2, 0.5)
    """
    order = _order(table)
    back, steps = backward_steps(table)
    out = {"region_years": len(table), "years": f"{table['year'].min()}-{table['year'].max()}",
           "classified": float(order.notna().mean()),
           "backward_steps": back / steps if steps else float("nan"),
           **{s.en: int((order == s.order).sum()) for s in Stage}}
    both = pd.DataFrame(columns=["o", "o_h"])
    if hindsight is not None:  # region-years staged in both tables
        both = (table.assign(o=order).merge(hindsight.assign(o_h=_order(hindsight)),
                                            on=["region", "year"]).dropna(subset=["o", "o_h"]))
    out["compared"] = len(both)
    out["agree_hindsight"] = float((both["o"] == both["o_h"]).mean()) if len(both) else float("nan")
    return out
