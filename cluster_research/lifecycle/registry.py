"""Registry of stage methods: ``classify(..., method=name)`` dispatches through it.

A method registers itself with :func:`register`; adding a method means writing one function
``fn(years, values, year, information, *, gaps, **options) -> StageResult`` (or, with
``raw=True``, ``fn(series, year, information, **options)``) and decorating it.
"""

from __future__ import annotations

from ..errors import ParameterError
from .stage import check_information, check_year, clean_series, restrict, unclassified
from .trend import growth_check

__all__ = ["REGISTRY", "register", "run_method"]

#: name -> (function, raw, check) for every registered stage method.
REGISTRY: dict = {}


def register(name, *, raw=False, check=None):
    """Register a stage method under ``name`` (decorator).

    Parameters
    ----------
    name : str
        The ``method=`` value.
    raw : bool
        The method takes the raw series (``scorecard``, ``ensemble``) instead of cleaned,
        restricted ``years, values`` arrays.
    check : callable, optional
        ``check(years, values)`` run on the whole cleaned series before the restriction (e.g.
        negative firm counts).

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> sorted(REGISTRY)
    ['curve', 'ensemble', 'net_entry', 'scorecard', 'signs']
    """
    def deco(fn):
        REGISTRY[name] = (fn, raw, check)
        return fn

    return deco


#: Methods not gated by :func:`cluster_research.lifecycle.trend.growth_check`: ``net_entry``
#: reads firm counts, whose decline is the shakeout stage (Gort & Klepper 1982), and
#: ``scorecard`` ranks regions on indicators rather than reading a curve.
GATE_EXEMPT = ("net_entry", "scorecard")


def run_method(series, year, method, information="realtime", extrapolate=False, **options):
    """Run a registered stage method (what :func:`cluster_research.lifecycle.classify` calls).

    A year after the last observation is refused (``stage=None`` with the reason) unless
    ``extrapolate=True``, when the result's reason starts with "extrapolation" and
    ``evidence["extrapolated"]`` is True.

    Parameters
    ----------
    series : pandas.Series or None
        Year-indexed values.
    year : int
        Year to classify.
    method : str
        A key of :data:`REGISTRY`.
    information : {"realtime", "hindsight"}
        Observations up to ``year`` only, or all.
    extrapolate : bool
        Allow a year after the last observation.
    **options
        Passed to the method.

    Returns
    -------
    StageResult
    """
    if method not in REGISTRY:
        raise ParameterError(f"method must be one of {tuple(REGISTRY)}, got {method!r}")
    check_information(information)
    year = check_year(year)
    fn, raw, check = REGISTRY[method]
    if raw:
        return fn(series, year, information, extrapolate=extrapolate, **options)
    years, values, gaps = clean_series(series)
    if check is not None:
        check(years, values)
    last = int(years.max()) if len(years) else None
    beyond = last is not None and year > last
    if beyond and not extrapolate:
        return unclassified(method, information, year,
                            f"refused: {year} is after the last observation ({last}); "
                            "classifying it is an extrapolation (pass extrapolate=True)",
                            extrapolated=False, last_observed=last)
    years, values = restrict(years, values, year, information)
    if information == "realtime":
        gaps = [g for g in gaps if g <= year]
    if method not in GATE_EXEMPT and len(years) >= 3:
        ok, why = growth_check(years, values)
        if not ok:
            return unclassified(method, information, year, why, growth_test=why)
    res = fn(years, values, year, information, gaps=gaps, **options)
    if beyond:
        res.evidence["extrapolated"] = True
        res.evidence["last_observed"] = last
        res.reason = (f"extrapolation: {year} is {year - last} year(s) after the last "
                      f"observation ({last}); " + res.reason)
    return res
