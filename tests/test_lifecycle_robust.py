"""Robustness of the lifecycle methods (issue 16) and the method registry (issue 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cluster_research.lifecycle as lc
from cluster_research.errors import ParameterError
from cluster_research.lifecycle import Stage

T = np.arange(1990, 2021)


@pytest.mark.parametrize("rule", ["landmarks", "pointwise"])
def test_flat_series_is_not_a_growth_stage(rule):
    r = lc.classify(pd.Series(5.0, index=T), 2015, "signs", "hindsight", rule=rule)
    assert r.stage is None and "flat" in r.reason


@pytest.mark.parametrize("rule", ["landmarks", "pointwise"])
def test_declining_series_is_not_a_growth_stage(rule):
    s = pd.Series(1000.0 - 10.0 * (T - 1990), index=T)
    r = lc.classify(s, 2015, "signs", "hindsight", rule=rule)
    assert r.stage is None and "declining" in r.reason
    assert r.stage not in (Stage.GROWTH, Stage.TAKEOFF)


def test_declining_series_probabilities_are_nan():
    s = pd.Series(1000.0 - 10.0 * (T - 1990), index=T)
    p = lc.stage_probabilities(s, 2015, "signs", n_boot=50, information="hindsight")
    assert p[list(Stage)].isna().all() and p["n_failed"] == 50


@pytest.mark.parametrize("method", ["signs", "curve"])
def test_year_after_last_observation_refused(method):
    s = pd.Series(1000 / (1 + np.exp(-0.25 * (T - 2010))), index=T)
    r = lc.classify(s, 2025, method)
    assert r.stage is None and r.reason.startswith("refused") and "2020" in r.reason


def test_extrapolation_opt_in_is_labelled():
    s = pd.Series(1000 / (1 + np.exp(-0.25 * (T - 2010))), index=T)
    r = lc.classify(s, 2025, "curve", extrapolate=True)
    assert r.stage is Stage.TAKEOFF
    assert r.reason.startswith("extrapolation") and r.evidence["extrapolated"] is True
    inside = lc.classify(s, 2015, "curve")
    assert "extrapolated" not in inside.evidence


def test_methods_dispatch_through_registry():
    assert lc.METHODS == ("curve", "signs", "net_entry", "scorecard", "ensemble")
    assert set(lc.REGISTRY) == set(lc.METHODS)

    @lc.register("_test_constant")
    def constant(years, values, year, information, *, gaps=(), **opts):
        return lc.StageResult(Stage.GROWTH, "_test_constant", information, year, "test", {})

    try:
        s = pd.Series(1.0 + np.arange(T.size), index=T)
        r = lc.classify(s, 2000, "_test_constant")
        assert r.stage is Stage.GROWTH and r.method == "_test_constant"
    finally:
        del lc.REGISTRY["_test_constant"]
    with pytest.raises(ParameterError, match="method must be one of .*'no_such_method'"):
        lc.classify(s, 2000, "no_such_method")


def test_unknown_option_is_a_package_error_and_names_it():
    s = pd.Series(1.0 + np.arange(T.size), index=T)
    with pytest.raises(ParameterError, match=r"unknown option\(s\) for method='signs': \['bogus'\]"):
        lc.classify(s, 2000, "signs", bogus=1)
