"""Schemas of every table the package writes (``outputs/tables/<run>/<name>.csv``).

Each table a notebook saves with :func:`cluster_research.outputs.save_table` is checked
against the schema registered here under its name *before* it is written (and also when
nothing is written, as under nbval), so a table with duplicated keys, a stray index column,
a wrong type or an out-of-range value stops the run instead of being handed out. The
schemas are pandera ``DataFrameSchema`` objects: columns with dtypes and checks, ``strict``
(no column that is not declared), and the key columns that must be unique.

:func:`table_dictionary` renders the registry as the data dictionary of the outputs
(``outputs/tables/README.md``, written by the runner).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"year": [2015, 2015], "hhi": [0.08, 0.09], "cr4": [0.5, 0.5],
...                    "top4": ["a b c d", "a b c d"]})
>>> validate("concentration", df)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
cluster_research.errors.DataValidationError: table 'concentration' fails its schema: ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import limits
from .errors import DataValidationError

__all__ = ["SCHEMAS", "TableSpec", "schema", "table_dictionary", "validate"]

# --------------------------------------------------------------------------- vocabularies
STAGE_NAMES = ["EMBRYONIC", "GROWTH", "EXPANSION", "TAKEOFF"]
STAGE_ZH = ["萌芽", "成长", "扩大", "起飞"]
STAGE_EN = ["embryonic", "growth", "expansion", "take-off", "takeoff"]
PROB_ZH = STAGE_ZH
PROB_EN = ["prob_embryonic", "prob_growth", "prob_expansion", "prob_takeoff"]
#: Columns holding a stage or one per stage: their tables carry the stage definition.
_STAGE_COLUMNS = {"stage", "stage_zh", "stage_en", *PROB_ZH, *PROB_EN, *STAGE_EN}
INFORMATION = ["realtime", "hindsight"]
YEARS = limits.YEARS  # the range of the inputs and of the year parameters


def _year(nullable: bool = False, float_ok: bool = False) -> pa.Column:
    dtype = float if float_ok else int
    return pa.Column(dtype, pa.Check.in_range(*YEARS), nullable=nullable, coerce=float_ok)


def _estimated_year() -> pa.Column:
    """A year estimated from a curve (may lie far outside the data, never absurd)."""
    return pa.Column(float, pa.Check.in_range(*limits.ESTIMATED_YEARS), nullable=True, coerce=True)


def _prob(nullable: bool = True) -> pa.Column:
    return pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=nullable, coerce=True)


#: No written number is +/-inf (issue 29): an unbounded interval end is written as NaN with a
#: flag column saying so.
_FINITE = pa.Check(lambda s: ~np.isinf(s.astype(float)), name="finite (no +/-inf)")


def _nonneg(nullable: bool = True, dtype=float) -> pa.Column:
    return pa.Column(dtype, [pa.Check.ge(0), _FINITE], nullable=nullable, coerce=dtype is float)


def _num(nullable: bool = True) -> pa.Column:
    return pa.Column(float, _FINITE, nullable=nullable, coerce=True)


def _text(nullable: bool = False, isin=None) -> pa.Column:
    checks = [pa.Check.isin(isin)] if isin is not None else []
    return pa.Column(str, checks, nullable=nullable)


def _count(low: int = 0) -> pa.Column:
    return pa.Column(int, pa.Check.ge(low))


def _bool() -> pa.Column:
    return pa.Column(bool)


def _sums_to_one(cols):
    def check(df: pd.DataFrame) -> pd.Series:
        p = df[cols]
        complete = p.notna().all(axis=1)
        total = p.sum(axis=1)
        return ~complete | ((total - 1.0).abs() < 1e-6)
    return pa.Check(check, name=f"{'+'.join(cols)} sum to 1 where given")


@dataclass(frozen=True)
class TableSpec:
    """A table's schema and its entry in the data dictionary.

    Attributes
    ----------
    name : str
        Table name (the CSV's file stem); a name ending in ``*`` covers a family of tables
        whose names start with the part before it (``taobao_counts_*``).
    description : str
        One line for the data dictionary.
    keys : tuple of str
        Columns whose combination is unique (one row per key).
    columns : dict
        Column name -> :class:`pandera.Column`.
    checks : list
        Table-level pandera checks.
    min_rows : int
        Fewest rows a complete table has.
    """

    name: str
    description: str
    keys: tuple[str, ...]
    columns: dict
    checks: list = field(default_factory=list)
    min_rows: int = 1

    def schema(self) -> pa.DataFrameSchema:
        """Return the pandera schema (strict columns, unique keys, row count)."""
        checks = list(self.checks) + [
            pa.Check(lambda df, n=self.min_rows: len(df) >= n, name=f"at least {self.min_rows} rows")]
        return pa.DataFrameSchema(self.columns, checks=checks, strict=True,
                                  unique=list(self.keys) or None, name=self.name)


SCHEMAS: dict[str, TableSpec] = {}


def _register(spec: TableSpec) -> TableSpec:
    if spec.name in SCHEMAS:
        raise DataValidationError(f"table {spec.name!r} registered twice")
    SCHEMAS[spec.name] = spec
    return spec


def schema(name: str) -> pa.DataFrameSchema:
    """Return the pandera schema registered for table ``name``.

    Parameters
    ----------
    name : str

    Returns
    -------
    pandera.DataFrameSchema

    Raises
    ------
    DataValidationError
        If no schema is registered under ``name`` (every written table needs one).
    """
    spec = SCHEMAS.get(name)
    if spec is None:  # a family of tables named <prefix>_<tag>, registered as "<prefix>_*"
        spec = next((s for k, s in SCHEMAS.items()
                     if k.endswith("*") and name.startswith(k[:-1])), None)
    if spec is not None:
        return spec.schema()
    raise DataValidationError(
        f"no schema registered for table {name!r}: add a TableSpec to "
        "cluster_research/schemas.py (known: " + ", ".join(sorted(SCHEMAS)) + ")")


def validate(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Check ``df`` against the schema of table ``name``; return it unchanged.

    Parameters
    ----------
    name : str
        Table name (file stem of the CSV).
    df : pandas.DataFrame
        The table as it will be written (``index=False``).

    Returns
    -------
    pandas.DataFrame
        ``df`` itself.

    Raises
    ------
    DataValidationError
        Naming the table and the first failures (column, check, offending values).
    """
    sch = schema(name)
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index(drop=True)
    try:
        sch.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        shown = []
        if "multiple_fields_uniqueness" in set(fc["check"].astype(str)):
            keys = list(SCHEMAS.get(name, TableSpec(name, "", (), {})).keys) or ["key"]
            shown.append(f"duplicated keys ({', '.join(map(str, keys))})")
            fc = fc[fc["check"].astype(str) != "multiple_fields_uniqueness"]
        for _, row in fc.head(10).iterrows():
            shown.append(f"column {row['column']!r}: {row['check']} (value {row['failure_case']!r})")
        more = f"; and {len(fc) - 10} more" if len(fc) > 10 else ""
        raise DataValidationError(f"table {name!r} fails its schema: " + "; ".join(shown) + more) \
            from None
    return df


def table_dictionary() -> str:
    """Return the data dictionary of all output tables as Markdown.

    Returns
    -------
    str
        One section per table: description (with :data:`~cluster_research.limits.STAGE_DEFINITION`
        where a column holds stages), key columns, columns with type and checks.
    """
    lines = ["# Output tables", "",
             "Every CSV under `outputs/tables/<run>/` is checked against the schema below before "
             "it is written (`cluster_research/schemas.py`).", ""]
    for name in sorted(SCHEMAS):
        spec = SCHEMAS[name]
        lines += [f"## `{name}.csv`", "", spec.description
                  + (f" Stage columns: {limits.STAGE_DEFINITION['en']}."
                     if _STAGE_COLUMNS.intersection(spec.columns) else ""), "",
                  f"Keys (unique): {', '.join(spec.keys) or '—'}; at least {spec.min_rows} rows.",
                  "", "| column | type | checks | missing allowed |", "|---|---|---|---|"]
        for col, c in spec.columns.items():
            checks = "; ".join(str(ch.error or ch.name) for ch in c.checks) or "—"
            lines.append(f"| {col} | {c.dtype} | {checks} | {'yes' if c.nullable else 'no'} |")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the tables
_STAGE_OR_NONE = pa.Column(str, pa.Check.isin(STAGE_NAMES), nullable=True)
_PROBS_ZH = {c: _prob() for c in PROB_ZH}
_PROBS_EN = {c: _prob(nullable=False) for c in PROB_EN}
#: Columns of a stage-by-region-and-year table, after region and year.
_REGION_STAGES = {"stage_zh": _text(True, STAGE_ZH), "stage_en": _text(True, STAGE_EN),
                  **{c: _prob() for c in PROB_EN}, "reason": _text(nullable=True)}


def _claim_columns(id_pattern: str, **extra) -> dict:
    return {"claim_id": pa.Column(str, pa.Check.str_matches(id_pattern)), "claim": _text(),
            "section": _text(), "paper_value": pa.Column(None, nullable=True),
            "unit": _text(nullable=True), "reproduced_value": pa.Column(None, nullable=True),
            "tolerance": _nonneg(),
            "verdict": _text(isin=["reproduced", "not reproduced", "not checkable"]),
            "reason": _text(), **extra}


_register(TableSpec(
    "claims", "The paper's claims, one per row: paper value, reproduced value, verdict.",
    ("claim_id",), _claim_columns(r"^C\d{2}$"), min_rows=9))
_register(TableSpec(
    "claim_checks", "Checks behind the claims: another reading, derived quantities, the stage "
    "judgements by year and information set.",
    ("claim_id",), _claim_columns(r"^C\d{2}[a-z]?$",
                                  kind=_text(isin=["reading", "derived", "judgement"])),
    min_rows=9))
_register(TableSpec(
    "arithmetic", "The paper's growth arithmetic from two starting values.",
    ("2002 value",),
    {"2002 value": _text(), "v0": _nonneg(False), "v1 (2010)": _nonneg(False),
     "fold_change": _nonneg(False), "increase_multiple": _num(False), "cagr_%": _num(False),
     "doubling_time_years": _nonneg(False)}, min_rows=2))
_register(TableSpec(
    "growth_parameters", "Growth-model parameters: estimate, SE, Wald and profile intervals.",
    ("model", "parameter"),
    {"model": _text(), "parameter": _text(), "estimate": _num(), "std_err": _nonneg(),
     "wald_low": _num(), "wald_high": _num(), "profile_low": _num(), "profile_high": _num(),
     "profile_low_unbounded": _bool(), "profile_high_unbounded": _bool()},
    checks=[pa.Check(lambda d: (d.wald_low <= d.wald_high) | d.wald_low.isna() | d.wald_high.isna(),
                     name="wald_low <= wald_high")]))
_register(TableSpec(
    "identification", "Per growth model: converged, ceiling identified, ceiling, inflection, why.",
    ("model",),
    {"model": _text(), "converged": _bool(), "identified": _bool(), "ceiling": _nonneg(),
     "inflection": _estimated_year(), "reason": _text(nullable=True)}))
_register(TableSpec(
    "model_comparison", "Growth models compared: RSS, AIC, AICc, BIC, out-of-sample error.",
    ("model",),
    {"model": _text(), "n_params": pa.Column(int, pa.Check.ge(1)), "rss": _nonneg(),
     "aic": _num(), "aicc": _num(), "delta_aicc": _nonneg(), "bic": _num(),
     "converged": _bool(), "identified": _bool(), "ceiling": _nonneg(), "oos_rmse": _nonneg(),
     "oos_mape": _nonneg(), "oos_n": _count(), "oos_failures": _count()}))
_register(TableSpec(
    "stage_verdicts", "Stage by method for the judged years, real time and hindsight, "
    "with the verdict against the paper's 成长.",
    ("region", "year", "information", "method"),
    {"region": _text(), "year": _year(), "information": _text(isin=INFORMATION),
     "method": _text(), "stage": _STAGE_OR_NONE, "stage_zh": _text(True, STAGE_ZH),
     "phase": pa.Column(None, pa.Check.isin(["I", "II", "III", "IV"]), nullable=True),
     "verdict": _text(), "reason": _text(nullable=True)}))
_register(TableSpec(
    "stage_boundaries", "Stage boundaries (lower knee, inflection, upper knee) with intervals.",
    ("information", "method", "boundary"),
    {"information": _text(isin=INFORMATION), "method": _text(), "n_obs": _count(1),
     "boundary": _text(isin=["lower_knee", "inflection", "upper_knee"]),
     "year": _estimated_year(), "ci_low": _num(), "ci_high": _num(), "share_of_ceiling": _prob()}))
_register(TableSpec(
    "stage_timeline", "Stage by method and year (enum names; empty = no stage).",
    ("year", "method"),
    {"year": _year(), "method": _text(), "stage": _STAGE_OR_NONE,
     "probability": pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=True, coerce=True,
                              required=False)}))
_register(TableSpec(
    "stage_probabilities", "Bootstrap stage probabilities by method (and year, information).",
    ("information", "year", "method", "kind"),
    {"information": pa.Column(str, pa.Check.isin(INFORMATION), required=False),
     "year": pa.Column(int, pa.Check.in_range(*YEARS), required=False),
     "method": _text(), "kind": pa.Column(str, required=False), **_PROBS_ZH,
     "n_failed": _nonneg(False), "n_boot": pa.Column(float, pa.Check.gt(0), coerce=True)},
    checks=[_sums_to_one(PROB_ZH)]))
_register(TableSpec(
    "indicator_ranks", "A region's value and rank among provinces per strategy-pillar indicator (counts ranked per resident).",
    ("indicator", "year"),
    {"pillar_id": _text(), "pillar_zh": _text(), "pillar_en": _text(), "indicator": _text(),
     "indicator_zh": _text(), "unit": _text(), "year": _year(), "value": _num(),
     "rank": pa.Column(float, pa.Check.ge(1), nullable=True),
     "rank_level": pa.Column(float, pa.Check.ge(1), nullable=True),
     "rank_basis": pa.Column(str, pa.Check.isin(["per resident", "as published"])),
     "n_ranked": pa.Column(int, pa.Check.in_range(0, 31)), "median": _num()}))
_register(TableSpec(
    "benchmark", "Region vs benchmark: first/last year and value, CAGR, growth index.",
    ("region",),
    {"region": _text(), "first_year": _year(), "last_year": _year(),
     "first_value": _nonneg(False), "last_value": _nonneg(False), "cagr": _num(),
     "index_last": _nonneg(False)}))
_register(TableSpec(
    "growth_fits", "Per growth model of a region: converged, identified, ceiling, AICc, reason.",
    ("model",),
    {"model": _text(), "converged": _bool(), "identified": _bool(),
     "ceiling_if_identified": _nonneg(), "aicc": _num(), "reason": _text(nullable=True)}))
_register(TableSpec(
    "stages", "A region's stage in its last year by every method, with the reason.",
    ("method",),
    {"method": _text(), "stage_zh": _text(), "stage_en": _text(), "reason": _text(nullable=True),
     "prob_shown": pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=True, coerce=True,
                             required=False)}))
_register(TableSpec(
    "concentration", "Concentration of e-commerce sales across provinces per year.",
    ("year",),
    {"year": _year(), "hhi": _prob(False), "cr4": _prob(False), "top4": _text()}))
_register(TableSpec(
    "ranks", "Rank of every region in e-commerce sales per year.",
    ("year", "region"),
    {"year": _year(), "region": _text(), "rank": pa.Column(float, pa.Check.ge(1), coerce=True,
                                                           nullable=True)}))
_register(TableSpec(
    "shares_lq", "Share of national e-commerce sales and location quotient vs GDP, "
    "per region and year.",
    ("year", "region"),
    {"year": _year(), "region": _text(), "share": _prob(False), "lq_vs_gdp": _nonneg()},
    min_rows=31))
_register(TableSpec(
    "stages_by_region_year", "Stage by region and year (cross-region map and heatmap).",
    ("region", "year"),
    {"region": _text(), "year": _year(), **_REGION_STAGES}, checks=[_sums_to_one(PROB_EN)]))
_register(TableSpec(
    "diagnostics", "Panel diagnostics: statistic, degrees of freedom, p-value, null hypothesis.",
    ("test",),
    {"test": _text(), "statistic": _num(), "df": _text(nullable=True), "p_value": _prob(),
     "h0": _text()}))
_register(TableSpec(
    "robustness", "Panel regressions: one row per specification and term (numbers; stars only "
    "in display).",
    ("spec", "term"),
    {"spec": _text(), "term": _text(), "estimate": _num(), "std_error": _nonneg(),
     "t": _num(), "p_value": _prob(), "ci_low": _num(), "ci_high": _num(),
     "nobs": _count(1), "n_entities": _count(1), "n_periods": _count(1), "within_r2": _num()},
    checks=[pa.Check(lambda d: (d.ci_low <= d.ci_high) | d.ci_low.isna(), name="ci_low <= ci_high")]))
_register(TableSpec(
    "specifications", "Key of the regression specifications: label, description, sample.",
    ("spec",),
    {"spec": pa.Column(str, pa.Check.str_matches(r"^[A-Z]$")), "description": _text(),
     "model": _text(), "effects": _text(), "cov_type": _text(), "formula": _text(),
     "nobs": _count(1), "n_entities": _count(1), "n_periods": _count(1), "first_period": _year(),
     "last_period": _year()}))
_register(TableSpec(
    "taobao_counts_*", "Taobao villages by city or county (one column per list year) and total.",
    ("province", "city", "county"),
    {"province": _text(), "city": _text(), "county": pa.Column(str, required=False),
     2014: _nonneg(False, int), 2015: _nonneg(False, int), 2016: _nonneg(False, int),
     "total": _nonneg(False, int)},
    checks=[pa.Check(lambda d: d[2014] + d[2015] + d[2016] == d["total"],
                     name="total = sum of the list years")]))
_register(TableSpec(
    "taobao_transitions", "Villages between consecutive lists: persist, exit, enter.",
    ("from_year", "to_year"),
    {"from_year": _year(), "to_year": _year(), "n_from": _nonneg(False, int),
     "n_to": _nonneg(False, int), "persist": _nonneg(False, int),
     "exits": _nonneg(False, int), "entries": _nonneg(False, int), "net_entry": pa.Column(int),
     "persistence_rate": _prob(False), "ambiguous": _nonneg(False, int)},
    checks=[pa.Check(lambda d: (d.persist + d.exits == d.n_from) & (d.persist + d.entries == d.n_to),
                     name="persist + exits = n_from and persist + entries = n_to")]))
_register(TableSpec(
    "taobao_concentration", "Concentration of Taobao villages across provinces, cities, "
    "counties per list year.",
    ("year", "level"),
    {"year": _year(), "level": _text(isin=["province", "city", "county"]),
     "n_places": _nonneg(False, int), "n_villages": _nonneg(False, int), "hhi": _prob(False),
     "hhi_normalized": _prob(), "cr4": _prob(False), "gini": _prob(), "top": _text(),
     "top_share": _prob(False)}))
_register(TableSpec(
    "taobao_national_fits", "S-curve fits of the national number of Taobao villages.",
    ("model", "errors"),
    {"model": _text(), "errors": _text(isin=["additive", "multiplicative"]),
     "converged": _bool(), "ceiling": _nonneg(), "inflection": _estimated_year(),
     "identified": _bool(), "identified_reason": _text(nullable=True), "aicc": _num(),
     "last_year": _year(), "last_share_of_ceiling": _nonneg(), "error": _text(nullable=True)}))
_SOURCE_COLS = {"source_id": _text(), "source_url": pa.Column(str, pa.Check.str_startswith("http")),
                "source": _text(), "source_date": _text(), "quote": pa.Column(str, pa.Check.str_length(min_value=1))}
_register(TableSpec(
    "taobao_counts_reported", "Taobao village / town counts read on public pages, one per row "
    "(cr.data.load('taobao_counts_reported')).",
    ("row",),
    {"row": pa.Column(int, pa.Check.ge(2)), "measure": _text(),
     "level": _text(isin=["national", "macro-region", "province", "city", "county", "town"]),
     "region": _text(), "parent": _text(), "place": _text(),
     "code": pa.Column(str, pa.Check.str_matches(r"^(\d{6})?$")), "province": _text(),
     "city": _text(), "list_year": pa.Column("Int64", pa.Check.in_range(*YEARS), nullable=True),
     "year_confirmed": _bool(), "value": _count(), "unit": _text(),
     "qualifier": _text(isin=["exact", "lower_bound", "approx"]),
     "definition": _text(isin=["pre2020", "post2020", ""]), "conflict": _bool(),
     **_SOURCE_COLS, "notes": _text()},
    checks=[pa.Check(lambda d: d.code.ne("") | d.level.isin(["national", "macro-region"]),
                     name="every place below the macro-regions has a GB/T 2260 code"),
            pa.Check(lambda d: d.list_year.isna() | (d.definition == "")
                     | ((d.list_year >= 2020) == (d.definition == "post2020")),
                     name="definition = post2020 from the 2020 list on")],
    min_rows=1))
_register(TableSpec(
    "city_ecommerce_reported", "City e-commerce figures read on public pages, one per row, cells "
    "as written and what is read from them (cr.data.load('city_ecommerce_reported')).",
    ("row",),
    {"row": pa.Column(int, pa.Check.ge(2)), "city": _text(),
     "level": _text(isin=["province", "city", "county"]), "place": _text(),
     "code": pa.Column(str, pa.Check.str_matches(r"^\d{6}$")), "province": _text(),
     "indicator": _text(), "measure": _text(isin=["transaction_volume", "online_retail",
                                                   "online_retail_above_size", "other"]),
     "year_text": _text(), "year": pa.Column("Int64", pa.Check.in_range(*YEARS), nullable=True),
     "period": _text(), "value_text": _text(), "value": _nonneg(), "unit": _text(),
     "value_yi": _nonneg(), "qualifier": _text(),
     "kind": _text(isin=["exact", "rounded", "approximate", "lower_bound", "upper_bound",
                         "partial_year", "ambiguous", "target"]), "conflict": _bool(),
     **_SOURCE_COLS, "notes": _text()},
    checks=[pa.Check(lambda d: d.year.notna() | (d.period == "unclear"),
                     name="a year wherever the period is read")],
    min_rows=1))
_register(TableSpec(
    "taobao_place_series", "One place's Taobao villages (or towns) per year: list counts "
    "2014-2016, reported counts after, gaps as empty values (cr.taobao.place_series).",
    (),
    {"year": pa.Column(int, pa.Check.in_range(*YEARS)),
     "value": pa.Column(float, pa.Check.ge(0), nullable=True),
     "qualifier": _text(isin=["exact", "lower_bound", "approx", ""]),
     "origin": _text(isin=["list", "reported", "gap"]),
     "definition": _text(isin=["pre2020", "post2020"]), "conflict": _bool(),
     "used": _bool(), "source_id": _text(), "source_url": _text(), "source": _text(),
     "source_date": _text(), "quote": _text()},
    checks=[pa.Check(lambda d: d.value.isna() == d.origin.eq("gap"),
                     name="a gap row has no value and every other row has one"),
            pa.Check(lambda d: d.origin.eq("gap") | d.source_url.str.startswith("http"),
                     name="every figure has its source URL"),
            pa.Check(lambda d: d.origin.ne("reported") | d.quote.str.len().gt(0),
                     name="every reported figure has its quote")],
    min_rows=0))
_register(TableSpec(
    "scorecard", "A region's scorecard: a relative ranking of provinces by dimension "
    "(percentile scores), not a lifecycle stage.",
    ("dimension", "region"),
    {"dimension": _text(), "region": _text(), "score": _prob()}))
_register(TableSpec(
    "stages_realtime", "Stage by region and year from the panel stage model in real time "
    "(data up to each year only).",
    ("region", "year"),
    {"region": _text(), "year": _year(), **_REGION_STAGES}, checks=[_sums_to_one(PROB_EN)]))
_register(TableSpec(
    "shanghai_panel_stages", "Shanghai's stage per year under the panel stage model (NBS "
    "e-commerce sales), hindsight and real time.",
    ("information", "year"),
    {"information": _text(isin=INFORMATION), "region": _text(), "year": _year(),
     "stage": _STAGE_OR_NONE, **{c: _prob() for c in PROB_EN}, "reason": _text(nullable=True),
     "stage_zh": _text(True, STAGE_ZH)},
    checks=[_sums_to_one(PROB_EN)]))
_register(TableSpec(
    "stage_model_forecasts", "Rolling-origin forecasts of the stage models' curves against "
    "drift and a random walk: RMSE of log levels per horizon.",
    ("model", "horizon"),
    {"model": _text(), "horizon": _count(1), "n": _count(1), "rmse_model": _nonneg(),
     "rmse_drift": _nonneg(), "rmse_random_walk": _nonneg(), "ratio_to_drift": _nonneg(),
     "ratio_to_random_walk": _nonneg()}))
_register(TableSpec(
    "stage_model_benchmark", "Stage methods scored on synthetic panels with known truth.",
    ("method", "design", "truth", "noise", "information"),
    {"method": _text(), "design": _text(isin=["independent", "shifted"]),
     "truth": _text(isin=["logistic", "gompertz", "mixed"]), "noise": _prob(False),
     "information": _text(isin=INFORMATION), "n_regions": _count(1), "n_panels": _count(1),
     "accuracy": _prob(), "coverage": _prob(), "accuracy_classified": _prob(),
     "backward_steps": _prob(), "brier": _nonneg(), "prob_true": _prob(), "seconds": _nonneg()}))
_register(TableSpec(
    "stage_model_bars", "The benchmark against the bars of the stage-model issue, with the "
    "accuracy and expected accuracy of the Bayes-optimal rule (independent design), which no "
    "method can exceed in expectation.",
    ("method", "design", "truth", "noise", "information"),
    {"method": _text(), "design": _text(isin=["independent", "shifted"]),
     "truth": _text(isin=["logistic", "gompertz", "mixed"]),
     "information": _text(isin=INFORMATION), "noise": _prob(False), "accuracy": _prob(),
     "bar": _prob(False), "met": _bool(), "bayes_bound": _prob(),
     "bayes_expected": _prob()}))
_register(TableSpec(
    "stage_model_reliability", "Reliability of stage probabilities: predicted probability of "
    "the true stage vs observed frequency, by bin.",
    ("model", "bin_low"),
    {"model": _text(), "bin_low": _prob(False), "bin_high": _prob(False),
     "n": _count(), "mean_predicted": _prob(), "observed": _prob(), "ece": _prob()}))
_register(TableSpec(
    "stage_model_nbs_validity", "Face validity of the stage models on the NBS panel: Spearman "
    "rank correlation, by year, of the stage position (萌芽 1 ... 起飞 4) with a maturity "
    "measure (independent of the models' data: the share of enterprises trading online, Taobao "
    "villages per resident; not independent: sales per resident, the series they are fitted to).",
    ("method", "information", "measure", "year"),
    {"method": _text(), "information": _text(isin=INFORMATION), "measure": _text(),
     "year": _year(), "n": _count(5),
     "spearman_rho": pa.Column(float, pa.Check.in_range(-1.0, 1.0), coerce=True),
     "p_value": _prob(False)}))
_register(TableSpec(
    "stage_model_nbs_check", "Stage models (nbs_methods; auto and eb by default) on the NBS "
    "panel: coverage, backward steps, agreement of real-time stages with the same model's "
    "hindsight stages, common-curve and weak-prior shares, stage counts.",
    ("method", "information"),
    {"method": _text(), "information": _text(isin=INFORMATION), "years": _text(),
     "region_years": _count(), "classified": _prob(),
     "compared": _count(), "agree_hindsight": _prob(),
     "common_curve": _prob(), "weak_prior": _prob(), "backward_steps": _prob(),
     **{c: _count() for c in ("embryonic", "growth", "expansion", "take-off")}}))
