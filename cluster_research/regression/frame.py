"""Wide region-year analysis frames built from the NBS provincial panel."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import data
from ..errors import DataValidationError, MissingColumnError, ParameterError

__all__ = ["PANEL_INDICATORS", "analysis_frame"]

#: Indicator ids of the NBS provincial panel (see the data contract).
PANEL_INDICATORS = tuple(data.PANEL_INDICATORS)

_ID_COLS = ["region_code", "region", "region_en", "year"]


def _exclusions(exclude) -> dict:
    """Map (region_code, year) -> reason for ``analysis_frame(exclude=...)``."""
    if not isinstance(exclude, pd.DataFrame):
        raise ParameterError("exclude must be a DataFrame with columns region (or "
                             f"region_code) and year, got {type(exclude).__name__}")
    key = "region_code" if "region_code" in exclude.columns else "region"
    if miss := [c for c in (key, "year") if c not in exclude.columns]:
        raise MissingColumnError([f"exclude.{c}" for c in miss])
    reasons = (exclude["reason"] if "reason" in exclude.columns
               else pd.Series("excluded by caller", index=exclude.index))
    return {(data.region_code(str(r)), int(y)): f"excluded: {why}"
            for r, y, why in zip(exclude[key], exclude["year"], reasons)}


def analysis_frame(indicators=None, economy_indicators=(), *, years=None, regions=None,
                   logs=True, ratios=True, required=None, nonpositive="raise",
                   exclude=None, panel=None, economy=None):
    """Build a wide region-year analysis frame from the NBS provincial panel.

    One row per region-year with the chosen indicators as columns, their
    natural logs as ``log_<id>``, and ratios where the data allow:

    * ``ecommerce_sales_per_firm`` and ``ecommerce_purchases_per_firm``:
      亿元 / firms × 10 000 = 万元 per e-commerce firm (all years);
    * ``<id>_per_capita`` for ``broadband_users``, ``mobile_internet_users``
      (万户 / 万人 = per person) and ``retail_sales``, ``ecommerce_sales``
      (亿元 / 万人 × 10 000 = 元 per person; GDP per capita is published by
      NBS as the ``gdp_per_capita`` indicator and not derived), only when
      ``population`` is among ``economy_indicators``.  **Population
      (年末常住人口) exists for 2024 only**, so these ratios are NaN in other
      years; they are never filled in.

    Rows with a missing value in any ``required`` column are dropped and
    listed in the returned ``dropped`` report; nothing is dropped silently.

    Parameters
    ----------
    indicators : sequence of str, optional
        Provincial-panel indicator ids (default: all of :data:`PANEL_INDICATORS`
        present in the data).
    economy_indicators : sequence of str
        Indicator ids from ``load("provincial_economy")`` to merge (e.g. ``gdp``).
    years, regions : sequence, optional
        Restrict to these years / region codes or short names.
    logs : bool
        Add ``log_<id>`` for each indicator and economy indicator.
    ratios : bool
        Add the per-firm / per-capita ratios described above.
    required : sequence of str, optional
        Columns that must be non-missing (default: ``indicators`` and
        ``economy_indicators`` except ``population``).
    nonpositive : {"raise", "drop"}
        What to do with zero/negative values of a logged column among the
        required ones: raise :class:`DataValidationError` naming region and
        year, or drop the row with that reason.  Outside ``required`` a
        non-positive value gives a NaN log and a reported note.
    exclude : pandas.DataFrame, optional
        Region-years to leave out, with columns ``region`` (any form accepted by
        :func:`cluster_research.data.region_code`) or ``region_code``, ``year`` and
        optionally ``reason`` — e.g. :func:`cluster_research.data.breaks`. Each row
        left out is listed in ``dropped`` with its reason; an exclusion that matches
        no row of the frame is reported in ``frame.attrs["notes"]``.
    panel, economy : pandas.DataFrame, optional
        Long frames with the contract columns (default: loaded via
        ``cluster_research.data.load``); used for testing and for user data.

    Returns
    -------
    frame : pandas.DataFrame
        Columns region_code, region, region_en, year, indicators, logs, ratios.
        ``frame.attrs["dropped"]`` and ``frame.attrs["notes"]`` hold the reports.
    dropped : pandas.DataFrame
        region_code, region, year, reason.

    Raises
    ------
    MissingColumnError
        Long frame lacks contract columns or an indicator id is unknown.
    DataValidationError
        See ``nonpositive``.

    Examples
    --------
    >>> frame, dropped = analysis_frame(["ecommerce_sales", "broadband_users"])
    >>> list(frame.columns)[:6]
    ['region_code', 'region', 'region_en', 'year', 'ecommerce_sales', 'broadband_users']
    """
    if nonpositive not in ("raise", "drop"):
        raise ParameterError(f"nonpositive must be 'raise' or 'drop', got {nonpositive!r}")
    if panel is None:
        panel = data.load("provincial_panel")
    econ = list(economy_indicators)
    if economy is None and econ:
        economy = data.load("provincial_economy")
    _check_long_frames(panel, economy if econ else None)
    indicators = _panel_indicators(panel, indicators)
    long = _long_selection(panel, indicators, economy, econ)
    wide = _restrict(_wide(long, indicators + econ), years, regions)
    wide = wide[_ID_COLS + indicators + econ]
    if required is None:
        required = [c for c in indicators + econ if c != "population"]
    report = _Report(list(required))
    if exclude is not None:
        wide = _apply_exclusions(wide, exclude, report)
    pop_years = (sorted(int(y) for y in wide.loc[wide["population"].notna(), "year"].unique())
                 if "population" in wide.columns else [])
    wide = _drop_missing(wide, report)
    if logs:
        wide = _add_logs(wide, indicators + econ, nonpositive, report)
    if ratios:
        _add_ratios(wide, pop_years, report)
    dropped = pd.DataFrame(report.dropped, columns=["region_code", "region", "year", "reason"])
    wide = wide.reset_index(drop=True)
    wide.attrs.update(dropped=dropped, notes=report.notes)
    return wide, dropped


class _Report:
    """Rows dropped and notes collected while an analysis frame is built."""

    def __init__(self, required):
        self.required = required
        self.dropped: list[tuple] = []
        self.notes: list[str] = []

    def drop(self, wide, mask, reason_fn):
        """Return ``wide`` without the rows of ``mask``, recording each with its reason."""
        for i in wide.index[mask]:
            self.dropped.append((wide.at[i, "region_code"], wide.at[i, "region"],
                                 int(wide.at[i, "year"]), reason_fn(i)))
        return wide[~mask]


def _check_long_frames(panel, economy) -> None:
    frames = [(panel, "provincial_panel")] + ([(economy, "provincial_economy")]
                                             if economy is not None else [])
    for f, name in frames:
        if miss := [c for c in ("region_code", "region", "region_en", "year", "indicator",
                                "value") if c not in f.columns]:
            raise MissingColumnError([f"{name}.{c}" for c in miss])


def _panel_indicators(panel, indicators) -> list:
    available = list(dict.fromkeys(panel["indicator"]))
    if indicators is None:
        indicators = [i for i in PANEL_INDICATORS if i in available]
    indicators = list(indicators)
    if unknown := [i for i in indicators if i not in available]:
        raise MissingColumnError([f"provincial_panel indicator {i}" for i in unknown])
    return indicators


def _long_selection(panel, indicators, economy, econ) -> pd.DataFrame:
    long = panel[panel["indicator"].isin(indicators)]
    if econ:
        avail_e = set(economy["indicator"])
        if unknown := [i for i in econ if i not in avail_e]:
            raise MissingColumnError([f"provincial_economy indicator {i}" for i in unknown])
        long = pd.concat([long, economy[economy["indicator"].isin(econ)]], ignore_index=True)
    dup = long.duplicated(["region_code", "year", "indicator"])
    if dup.any():
        r = long[dup].iloc[0]
        raise ParameterError(f"duplicate value for {r['region_code']} {r['year']} {r['indicator']}")
    return long.assign(region_code=long["region_code"].astype(str), year=long["year"].astype(int))


def _wide(long, columns) -> pd.DataFrame:
    names = long.drop_duplicates("region_code").set_index("region_code")[["region", "region_en"]]
    wide = long.pivot(index=["region_code", "year"], columns="indicator", values="value")
    wide.columns.name = None
    wide = wide.reset_index().join(names, on="region_code")
    for c in columns:
        if c not in wide.columns:
            wide[c] = np.nan
    return wide


def _restrict(wide, years, regions) -> pd.DataFrame:
    if years is not None:
        wide = wide[wide["year"].isin(list(years))]
    if regions is not None:
        regions = [str(r) for r in regions]
        wide = wide[wide["region_code"].isin(regions) | wide["region"].isin(regions)
                    | wide["region_en"].isin(regions)]
    return wide.sort_values(["region_code", "year"]).reset_index(drop=True)


def _apply_exclusions(wide, exclude, report) -> pd.DataFrame:
    excluded = _exclusions(exclude)
    keys = list(zip(wide["region_code"], wide["year"].astype(int)))
    out = report.drop(wide, np.array([k in excluded for k in keys], dtype=bool),
                      lambda i: excluded[(wide.at[i, "region_code"], int(wide.at[i, "year"]))])
    unmatched = sorted(set(excluded) - set(keys))
    if unmatched:
        report.notes.append("exclude: not in the frame (nothing dropped): "
                            + ", ".join(f"{c} {y}" for c, y in unmatched))
    return out


def _drop_missing(wide, report) -> pd.DataFrame:
    req_base = [c for c in report.required if c in wide.columns]
    miss = wide[req_base].isna()
    return report.drop(wide, miss.any(axis=1).to_numpy(),
                       lambda i: "missing " + ", ".join(c for c in req_base if miss.at[i, c]))


def _add_logs(wide, base_cols, nonpositive, report) -> pd.DataFrame:
    required = report.required
    for c in base_cols:
        v = wide[c]
        nonpos = v.notna() & (v <= 0)
        if nonpos.any():
            if c in required and nonpositive == "raise":
                n = int(nonpos.sum())
                shown = "; ".join(f"{wide.at[i, 'region']}/{int(wide.at[i, 'year'])}: "
                                  f"{float(v[i])!r}" for i in wide.index[nonpos][:10])
                raise DataValidationError("log of non-positive values at (entity/time: value) "
                                          + shown + (f" (and {n - 10} more)" if n > 10 else ""),
                                          column=c)
            if c in required:
                wide = report.drop(wide, nonpos.to_numpy(),
                                   lambda i, c=c: f"non-positive {c} for log")
                v = wide[c]
            else:
                report.notes.append(f"log_{c}: non-positive values left NaN at "
                                    + ", ".join(f"{wide.at[i, 'region']} {wide.at[i, 'year']}"
                                                for i in wide.index[nonpos]))
        with np.errstate(all="ignore"):
            wide[f"log_{c}"] = np.where(v > 0, np.log(v.where(v > 0)), np.nan)
    for c in required:
        if c.startswith("log_") and c not in wide.columns:
            raise MissingColumnError([c])
    return wide


def _add_ratios(wide, pop_years, report) -> None:
    if "ecommerce_firms" in wide.columns:
        for c in ("ecommerce_sales", "ecommerce_purchases"):
            if c in wide.columns:
                firms = wide["ecommerce_firms"].where(wide["ecommerce_firms"] > 0)
                wide[f"{c}_per_firm"] = wide[c] / firms * 1e4
    if "population" in wide.columns:
        pop = wide["population"].where(wide["population"] > 0)
        for c, factor in (("broadband_users", 1.0), ("mobile_internet_users", 1.0),
                          ("retail_sales", 1e4), ("ecommerce_sales", 1e4)):
            if c in wide.columns:
                wide[f"{c}_per_capita"] = wide[c] / pop * factor
        report.notes.append(f"population (年末常住人口) is available for years {pop_years} only; "
                            "per-capita ratios are NaN in other years (never filled in)")
