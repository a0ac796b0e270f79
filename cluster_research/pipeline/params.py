"""Parameter declarations and validation: every notebook parameter has a type and a range.

:data:`SPECS` declares each parameter name used by the notebooks: its kind (``str``,
``int``, ``float``, ``bool``, ``year``, ``region``, ``choice`` or ``list`` of one of
those), whether None is allowed, its allowed values or range. :func:`validate_parameters`
checks names, types, ranges, regions, districts, a user CSV and the data coverage (years
that select no observation are refused) *before* a kernel starts; :func:`coerce_cli_value`
reads a command-line string with the declared kind (lists as ``a,b`` or ``[a, b]``,
None as ``null``).

Examples
--------
>>> coerce_cli_value("years", "2018,2022", [2010, 2011])
[2018, 2022]
>>> coerce_cli_value("dk_maxlags", "null", None) is None
True
"""

from __future__ import annotations

import difflib
import math
import os
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import yaml

from .. import data, limits
from ..errors import ParameterError, ParameterWarning, TaobaoAnalysisError, UnknownDistrictError
from ..geo import match_districts, shanghai_districts
from .notebooks import notebook_parameters, resolve_notebook
from .runs import load_yaml
from .userdata import profile_series

__all__ = ["SPECS", "ParamSpec", "ParameterError", "coerce_cli_value", "describe_spec",
           "type_ok", "validate_parameters"]


@dataclass(frozen=True)
class ParamSpec:
    """Declared type and allowed values of one notebook parameter.

    Attributes
    ----------
    kind : str
        ``str``, ``int``, ``float``, ``bool``, ``year``, ``region``, ``choice`` or ``list``.
    item : str or None
        Kind of the items of a ``list``.
    nullable : bool
        None allowed.
    choices : tuple or callable or None
        Allowed values (of the value, or of each item); a callable returns them.
    lo, hi : float or None
        Inclusive range of numbers (years: default :data:`cluster_research.data.YEAR_MIN`
        ... ``YEAR_MAX``).
    open_range : bool
        ``lo < value < hi`` instead of inclusive.
    min_len : int
        Smallest length of a list.
    doc : str or None
        Short description of the allowed values for help texts (instead of listing them).
    """

    kind: str
    item: str | None = None
    nullable: bool = False
    choices: tuple | Callable[[], tuple] | None = None
    lo: float | None = None
    hi: float | None = None
    open_range: bool = False
    min_len: int = 0
    doc: str | None = None

    def allowed(self) -> tuple | None:
        """Return the allowed values (calling a dynamic ``choices``), or None."""
        return self.choices() if callable(self.choices) else self.choices


def _growth_models() -> tuple:
    # imported when a parameter is checked, not with the CLI (growth pulls in statsmodels)
    from ..growth.specs import MODELS

    return tuple(MODELS)


def _s_curves() -> tuple:
    return tuple(m for m in _growth_models() if m != "exponential")


def _source_ids() -> tuple:
    return tuple(data.sources()["source_id"])


_LANG = ParamSpec("choice", choices=("zh", "en"))

#: Declared parameters of the notebooks (name -> spec); a notebook parameter without one
#: is refused by :func:`validate_parameters`.
SPECS: dict[str, ParamSpec] = {
    "lang": _LANG,
    "region": ParamSpec("region"),
    "benchmark": ParamSpec("region"),
    "highlight": ParamSpec("region"),
    "city": ParamSpec("city", doc="notebook 09: a city of the Taobao-village lists, any "
                      "spelling (金华 or 金华市), empty = the whole province; notebook 11: any "
                      "city or county (深圳, 义乌, 曹县)"),
    "scheme": ParamSpec("choice", choices=("log", "quantile")),
    "region_label": ParamSpec("choice", choices=("上海",)),
    "through_year": ParamSpec("year", nullable=True),
    "plot_to_year": ParamSpec("year"),
    "year": ParamSpec("year", nullable=True),
    "year_from": ParamSpec("year"),
    "year_to": ParamSpec("year"),
    "years": ParamSpec("list", item="year", min_len=1),
    "models": ParamSpec("list", item="choice", choices=_growth_models, min_len=1),
    "curve_models": ParamSpec("list", item="choice", choices=_s_curves, min_len=1),
    "errors": ParamSpec("choice", choices=("multiplicative", "additive")),
    "interval": ParamSpec("choice", choices=("prediction", "confidence")),
    "information": ParamSpec("choice", choices=("realtime", "hindsight")),
    "exclude_source_ids": ParamSpec("list", item="choice", choices=_source_ids,
                                    doc="source id of data/sources.csv"),
    "sensitivity_exclude": ParamSpec("list", item="choice", choices=_source_ids,
                                     doc="source id of data/sources.csv"),
    "n_boot": ParamSpec("int", lo=1, hi=100_000),
    "seed": ParamSpec("int", lo=0, hi=2**32 - 1),
    "window": ParamSpec("int", lo=3, hi=10),
    "indicator": ParamSpec("choice", choices=lambda: tuple(data.PANEL_INDICATORS)),
    "map_indicator": ParamSpec("choice", choices=lambda: tuple(data.PANEL_INDICATORS)),
    "highlight_districts": ParamSpec("list", item="str", min_len=1),
    "csv_path": ParamSpec("str"),
    "csv_series": ParamSpec("str"),
    "figure_formats": ParamSpec("list", item="choice", choices=("png", "svg", "pdf"), min_len=1),
    "break_threshold": ParamSpec("float", lo=-1.0, hi=0.0, open_range=True),
    # Driscoll-Kraay lags: the NBS panel has 10 years (2015-2024), so at most 9
    "dk_maxlags": ParamSpec("int", nullable=True, lo=0, hi=9),
    # notebook 10 (stage-model benchmark on simulated panels)
    "noises": ParamSpec("list", item="float", lo=0.0, hi=1.0, min_len=1),
    "realtime_noises": ParamSpec("list", item="float", lo=0.0, hi=1.0, min_len=1),
    "seeds": ParamSpec("list", item="int", lo=0, hi=2**32 - 1, min_len=1),
    "methods": ParamSpec("list", item="choice",
                         choices=("lag", "pooled", "mixed", "hmm", "curve"), min_len=1),
    "realtime_methods": ParamSpec("list", item="choice",
                                  choices=("lag", "pooled", "mixed", "hmm", "curve")),
    "truths": ParamSpec("list", item="choice", choices=("logistic", "gompertz", "mixed"),
                        min_len=1),
    "realtime_truths": ParamSpec("list", item="choice", choices=("logistic", "gompertz", "mixed"),
                                 min_len=1),
    "designs": ParamSpec("list", item="choice", choices=("independent", "shifted"), min_len=1),
    "n_regions": ParamSpec("int", lo=3, hi=500),
    "realtime_regions": ParamSpec("int", lo=3, hi=500),
    "n_years": ParamSpec("int", lo=5, hi=60),
    "nbs_check": ParamSpec("bool"),
}

_KIND_NAMES = {"str": "str", "int": "int", "float": "float", "bool": "bool", "year": "int",
               "region": "str", "city": "str", "choice": "str"}
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_NULL = {"null", "none", "~", ""}


def describe_spec(name: str) -> str:
    """Describe a declared parameter for ``--help`` and ``list``: kind, range, syntax.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> describe_spec("n_boot")
    'int in [1, 100000]'
    """
    spec = SPECS.get(name)
    if spec is None:
        return "undeclared"
    kind = spec.item if spec.kind == "list" else spec.kind
    if kind == "year":
        lo, hi = spec.lo or data.YEAR_MIN, spec.hi or data.YEAR_MAX
        text = f"year {lo}-{hi} within the data"
    elif kind in ("int", "float") and spec.lo is not None:
        br = "()" if spec.open_range else "[]"
        hi = int(spec.hi) if kind == "int" else spec.hi
        lo = int(spec.lo) if kind == "int" else spec.lo
        text = f"{kind} in {br[0]}{lo}, {hi}{br[1]}"
    elif spec.doc:
        text = spec.doc
    elif kind == "choice":
        text = "one of " + "|".join(map(str, spec.allowed()))
    elif kind == "region":
        text = ("provincial-level region (name, English name or code); notebook 09 also a "
                "city or county of the Taobao-village lists (金华)")
    else:
        text = kind
    if spec.kind == "list":
        text = f"list of {text} (a,b or [a, b])"
    return text + (" or null" if spec.nullable else "")


def _read_scalar(name: str, text: str, kind: str):
    low = text.strip().lower()
    if kind == "bool":
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ParameterError(f"{name}: {text!r} is not a boolean (true/false, yes/no, 1/0)")
    if kind in ("int", "year"):
        return int(text)
    if kind == "float":
        return float(text)
    return text  # strings verbatim


def coerce_cli_value(name: str, text: str, default: Any) -> Any:
    """Convert a command-line string to the declared kind of the parameter.

    Parameters
    ----------
    name : str
        Parameter name (selects its :data:`SPECS` entry; undeclared names use the type
        of ``default``).
    text : str
        Value as typed: ``2011``; ``en``; lists as ``2018,2022`` or ``[2018, 2022]``;
        ``null`` for None where allowed.
    default : object
        The default from the ``parameters`` cell.

    Returns
    -------
    object

    Raises
    ------
    ParameterError
        If the text cannot be read as the declared kind (names the parameter).

    Examples
    --------
    >>> coerce_cli_value("year", "2011", 2010)
    2011
    >>> coerce_cli_value("lang", "en", "zh")
    'en'
    """
    spec = SPECS.get(name)
    if spec is None:
        kind = ("bool" if isinstance(default, bool) else "int" if isinstance(default, int)
                else "float" if isinstance(default, float) else "str"
                if isinstance(default, str) else None)
        spec = ParamSpec(kind or "yaml")
    try:
        if spec.nullable and text.strip().lower() in _NULL:
            return None
        if spec.kind == "yaml":
            return load_yaml(text, f"parameter {name!r}")
        if spec.kind == "list":
            t = text.strip()
            if t.startswith("["):
                items = load_yaml(t, f"parameter {name!r}")
                if not isinstance(items, list):
                    raise ParameterError(f"{name}: {text!r} is not a list (a,b or [a, b])")
                return [_read_scalar(name, str(x), spec.item) if spec.item in ("int", "year",
                        "float") and isinstance(x, str) else x for x in items]
            return [_read_scalar(name, x, spec.item) for x in t.split(",") if x.strip()]
        return _read_scalar(name, text, spec.kind)
    except ParameterError:
        raise
    except (ValueError, yaml.YAMLError) as exc:
        want = describe_spec(name) if name in SPECS else type(default).__name__
        raise ParameterError(f"parameter {name!r}: cannot read {text!r} as {want}") from exc


def type_ok(value: Any, default: Any) -> bool:
    """Tell whether ``value`` has the type of ``default`` (an int is a valid float).

    Parameters
    ----------
    value, default : object

    Returns
    -------
    bool

    Examples
    --------
    >>> type_ok(3, 1.5), type_ok("a", 1.5), type_ok(["x"], ["y"]), type_ok([1], ["y"])
    (True, False, True, False)
    """
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            return False
        kinds = {type(x) for x in default}
        if len(kinds) == 1 and kinds != {type(None)}:
            return all(type_ok(x, default[0]) for x in value)
        return True
    return isinstance(value, type(default))


def _scalar_problem(name: str, value: Any, kind: str, spec: ParamSpec) -> str | None:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if kind in ("int", "year") and not is_int:
        return f"must be int, got {type(value).__name__} {value!r}"
    if kind == "float" and not (is_int or isinstance(value, float)):
        return f"must be float, got {type(value).__name__} {value!r}"
    if kind == "bool" and not isinstance(value, bool):
        return f"must be bool, got {type(value).__name__} {value!r}"
    if kind in ("str", "region", "city", "choice") and not isinstance(value, str):
        return f"must be str, got {type(value).__name__} {value!r}"
    if kind == "float" and not math.isfinite(value):
        return f"must be a finite number, got {value!r}"
    if kind == "year":
        lo, hi = spec.lo or data.YEAR_MIN, spec.hi or data.YEAR_MAX
        if not lo <= value <= hi:
            return f"{value!r} is not a year in {lo}-{hi}"
    elif kind in ("int", "float") and spec.lo is not None:
        ok = (spec.lo < value < spec.hi) if spec.open_range else (spec.lo <= value <= spec.hi)
        if not ok:
            if spec.open_range:
                return f"must lie in ({spec.lo}, {spec.hi}), got {value!r}"
            if value < spec.lo:
                return f"must be >= {spec.lo:g}, got {value!r}"
            return f"must be <= {spec.hi:g}, got {value!r}"
    if kind == "choice":
        allowed = spec.allowed()
        if value not in allowed:
            close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"must be one of {tuple(allowed)}, got {value!r}{hint}"
    return None


def _value_problem(name: str, value: Any, spec: ParamSpec) -> str | None:
    if value is None:
        return None if spec.nullable else f"must not be None ({describe_spec(name)})"
    if spec.kind != "list":
        return _scalar_problem(name, value, spec.kind, spec)
    if not isinstance(value, (list, tuple)):
        return f"must be a list, got {type(value).__name__} {value!r}"
    if len(value) < spec.min_len:
        what = "model" if "model" in name else "value"
        return f"must name at least one {what}" if spec.min_len == 1 else (
            f"needs at least {spec.min_len} values")
    bad = [(v, p) for v in value if (p := _scalar_problem(name, v, spec.item, spec))]
    if bad:
        if spec.item == "choice":
            unknown = [v for v, _ in bad]
            what = "model(s)" if "model" in name else "value(s)"
            return (f"unknown {what} {unknown} (allowed: "
                    f"{', '.join(map(str, spec.allowed()))})")
        return f"item {bad[0][1]}"
    return None


def _years_of(region: str | None, indicator: str = "ecommerce_sales",
              shanghai_series: bool = False) -> tuple[int, int] | None:
    """First and last year with data for a region in the NBS panel (and, with
    ``shanghai_series``, Shanghai's transaction series, which notebook 03 uses for 上海)."""
    panel = data.load("provincial_panel")
    code = data.region_code(region) if region else None
    sel = panel[(panel["indicator"] == indicator) & panel["value"].notna()]
    if code is not None:
        sel = sel[sel["region_code"] == code]
    years = [int(y) for y in sel["year"]]
    if code == "310000" and shanghai_series:
        years += [int(y) for y in data.shanghai_transactions().index]
    return (min(years), max(years)) if years else None


#: Fewest actual values the growth fits of Shanghai's series are run on (and never fewer than
#: a model's parameters).
MIN_GROWTH_VALUES = 4


def _shanghai_fit_problem(merged: dict) -> str | None:
    """Refuse a cut-off or exclusions that leave a growth model fewer observations than it has
    parameters (:func:`cluster_research.growth.get_spec`), in the main fit or in all the fits
    of the sensitivity check (which skips a model with as many parameters as points)."""
    from ..growth.specs import get_spec

    excluded = list(merged.get("exclude_source_ids") or [])
    obs = data.shanghai_transactions(exclude_source_ids=excluded)
    t = merged.get("through_year")
    if t is not None and len(obs) and t > int(obs.index.max()):
        return (f"parameter 'through_year' = {t} is beyond the last observation "
                f"({int(obs.index.max())}); use null for all data")
    fit = obs if t is None else obs[obs.index <= t]
    need = {m: len(get_spec(m).param_names) for m in merged.get("models") or []}
    least = max([MIN_GROWTH_VALUES, *need.values()])
    if len(fit) < least:
        what = " with ".join(f"parameter {k!r} = {merged[k]!r}"
                             for k in ("exclude_source_ids", "through_year")
                             if merged.get(k) not in (None, []))
        most = [m for m, k in need.items() if k == least]
        why = f" ({', '.join(most)}: {least} parameters)" if most else ""
        return (f"{what} keeps {len(fit)} actual values of Shanghai's series "
                f"({', '.join(map(str, fit.index)) or 'none'}); the fits need at least "
                f"{least}{why}")
    cut = "" if t is None else f" up to 'through_year' = {t}"
    dropped = sorted(set(excluded) | set(merged.get("sensitivity_exclude") or []))
    alt = data.shanghai_transactions(exclude_source_ids=dropped)
    alt = alt if t is None else alt[alt.index <= t]
    if need and min(need.values()) >= len(alt):
        return (f"parameter 'sensitivity_exclude' = {merged.get('sensitivity_exclude')} "
                f"(with 'exclude_source_ids') leaves {len(alt)} actual values{cut}: no model "
                f"of {list(need)} has fewer parameters, so the sensitivity check has nothing "
                "to fit; exclude fewer sources")
    if merged.get("plot_to_year", 9999) < int(obs.index.min()):
        return "parameter 'plot_to_year' is before the first observation"
    return None


def _coverage_problem(stem: str, merged: dict) -> str | None:
    """Refuse years (supplied or default) that select no observation of the data used, and
    designs the data cannot serve; which data is told by the parameters a notebook has
    (not by its number)."""
    if {"models", "exclude_source_ids"} <= merged.keys():  # Shanghai's growth fits (02)
        return _shanghai_fit_problem(merged)
    if "noises" in merged:  # stage-model benchmark on simulated panels (notebook 10)
        if not limits.scored_bars(merged["noises"], merged.get("realtime_noises") or (),
                                  merged.get("realtime_methods") or ()):
            bars = "; ".join(f"{b['information']} at noise {b['noise']}"
                             for b in limits.STAGE_MODEL_BARS)
            return (f"parameters 'noises' = {merged['noises']}, 'realtime_noises' = "
                    f"{merged.get('realtime_noises')} (realtime_methods = "
                    f"{merged.get('realtime_methods')}) score none of the acceptance bars "
                    f"({bars}); include one of those noise levels")
        return None
    if merged.get("csv_path"):
        return None  # the user's own series: its years are checked by profile_series
    if "city" in merged:  # notebook 09: the Taobao-village lists, not the NBS panel
        years = sorted({int(y) for y in data.taobao.load_villages()["year"]})
        y = merged.get("year")
        if y is not None and y not in years:
            return (f"parameter 'year' = {y} is not a year of the Taobao-village lists "
                    f"({', '.join(map(str, years))})")
        return None
    ind = merged.get("indicator", "ecommerce_sales")
    region = merged.get("region") or merged.get("highlight")
    # a notebook that can exclude sources of Shanghai's series uses that series for 上海 (03)
    span = _years_of(region, ind, shanghai_series="exclude_source_ids" in merged)
    if span is None:
        return f"no data for indicator {ind!r} in region {region!r}"
    lo, hi = span
    where = f"region {region}" if region else "the panel"
    years = list(merged.get("years") or [])
    outside = [y for y in years if not lo <= y <= hi]
    if years and len(outside) == len(years):
        return (f"parameter 'years' = {outside[0]} is outside the years with data for {where} "
                f"({ind}: {lo}-{hi}); none of {years} has data; choose years in {lo}-{hi}")
    if outside:  # the notebook judges them "no verdict" (labelled, never classified)
        warnings.warn(f"{stem}: years {outside} have no data for {where} ({ind}: {lo}-{hi}); "
                      "they are reported as 'no verdict'", ParameterWarning, stacklevel=3)
    checks = [(k, merged.get(k)) for k in ("year", "year_from", "year_to")]
    for key, y in checks:
        if y is not None and not lo <= y <= hi:
            return (f"parameter {key!r} = {y} is outside the years with data for {where} "
                    f"({ind}: {lo}-{hi}); choose years in {lo}-{hi}")
    return None


def _check_places(path, defaults: dict, parameters: dict, merged: dict) -> None:
    """Check region / city parameters: a notebook with a ``city`` parameter (09) reads a city
    in ``region`` as that city; the others need province-level data (NBS panel)."""
    with_city = "city" in defaults
    for name, spec in SPECS.items():
        value = parameters.get(name)
        if spec.kind == "region" and value is not None:
            if with_city:
                data.places.resolve_place(value, parameter=name)  # unknown: closest names
            else:
                data.places.province_of(value, parameter=name)  # a city names its province
        if spec.kind == "city" and value:
            data.places.resolve_place(value, parameter=name)  # unknown: closest names
    # notebook 09 draws a city's counties from the lists: its region/city must be a listed
    # city; a notebook with a city parameter only (11) takes any place the resolver knows
    if with_city and "region" in defaults and (parameters.get("region") is not None
                                               or parameters.get("city")):
        from .. import taobao  # loaded only for a notebook with a city parameter

        try:
            taobao.resolve_place(merged.get("region") or "", merged.get("city") or "")
        except TaobaoAnalysisError as exc:
            raise ParameterError(f"{path.name}: parameters 'region'/'city': {exc}") from None


def validate_parameters(notebook: str | os.PathLike, parameters: dict[str, Any]) -> dict:
    """Check parameter names, declared types and ranges, and data coverage before execution.

    Checks, in order: every name is defined in the notebook's ``parameters`` cell and
    declared in :data:`SPECS`; each supplied value has the declared kind and lies in its
    allowed set or range (None only where declared); ``year_from <= year_to``; region
    parameters name one of the 31 provinces (:func:`cluster_research.data.places.province_of`:
    a city of the Taobao-village lists is refused naming its province, since the data is
    provincial) -- except in a notebook with a ``city`` parameter (09), where ``region``
    may also be a city or county of the lists (read as that city, as
    :func:`cluster_research.taobao.resolve_place` does) and ``city`` a city of the lists;
    an unknown name suggests the closest provinces and cities;
    ``highlight_districts`` names Shanghai districts; a ``csv_path`` file is read and
    checked with :func:`profile_series`; years (supplied *or* default, e.g. notebook 03's
    2010-2011 with ``region=北京``) select observations of the data used.

    Parameters
    ----------
    notebook : str or path-like
    parameters : dict
        Parameter name -> value (already typed, e.g. from YAML).

    Returns
    -------
    dict
        The full parameter set: defaults updated by ``parameters``.

    Raises
    ------
    ParameterError
        Unknown or undeclared name (lists the valid ones), wrong type, a value out of its
        allowed set or range, years without data, an unknown district, or (notebook 09)
        a ``region`` and ``city`` that disagree.
    cluster_research.data.DataValidationError
        A ``csv_path`` file that :func:`profile_series` rejects; and its subclasses
        :class:`~cluster_research.errors.ProvincialDataError` (a city where the notebook
        needs a province: names the city's province and notebook 09 / ``profile``) and
        :class:`~cluster_research.errors.UnknownPlaceError` (an unknown region or city:
        names the parameter and value and suggests the closest provinces and cities).

    Examples
    --------
    >>> validate_parameters("05", {"regoin": "北京"})
    Traceback (most recent call last):
    ...
    cluster_research.errors.ParameterError: 05_strategy_indicators.ipynb has no parameter 'regoin' (did you mean 'region'?); valid parameters: region, year_from, year_to, lang, map_indicator
    """
    path = resolve_notebook(notebook)
    defaults = notebook_parameters(path)
    valid = ", ".join(defaults) or "(none)"
    if not isinstance(parameters, dict):
        raise ParameterError(f"{path.name}: parameters must be a mapping, got "
                             f"{type(parameters).__name__}")
    for name in parameters:
        if name not in defaults:
            close = difflib.get_close_matches(str(name), list(defaults), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(
                f"{path.name} has no parameter {name!r}{hint}; valid parameters: {valid}")
    undeclared = [n for n in defaults if n not in SPECS]
    if undeclared:
        raise ParameterError(f"{path.name}: parameter(s) {undeclared} have no declaration in "
                             "cluster_research.pipeline.params.SPECS")
    for name, value in parameters.items():
        default = defaults[name]
        if not (value is None and SPECS[name].nullable) and not type_ok(value, default):
            raise ParameterError(
                f"{path.name}: parameter {name!r} must be {type(default).__name__} like the "
                f"default {default!r}, got {type(value).__name__} {value!r}")
        problem = _value_problem(name, value, SPECS[name])
        if problem:
            raise ParameterError(f"{path.name}: parameter {name!r} {problem}")
    merged = {**defaults, **parameters}
    lo, hi = merged.get("year_from"), merged.get("year_to")
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        raise ParameterError(f"{path.name}: year_from ({lo}) is after year_to ({hi})")
    _check_places(path, defaults, parameters, merged)
    if merged.get("csv_path"):
        profile_series(merged["csv_path"], str(merged.get("csv_series") or ""))
    if "highlight_districts" in parameters:
        try:
            match_districts(shanghai_districts(), parameters["highlight_districts"])
        except UnknownDistrictError as exc:
            raise ParameterError(f"{path.name}: parameter 'highlight_districts': {exc}") from exc
    problem = _coverage_problem(path.stem, merged)
    if problem:
        raise ParameterError(f"{path.name}: {problem}")
    return merged
