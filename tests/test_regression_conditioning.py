"""Near-collinear designs and logs of non-positive regressors (issue 16).

Truth used: for two columns of unit length whose cosine is ``r``, the singular values
of ``[a, b]`` are ``sqrt(1 + r)`` and ``sqrt(1 - r)``, so the scaled condition number
is ``sqrt((1 + r) / (1 - r))`` (closed form, Belsley, Kuh and Welsch 1980, ch. 3).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import cluster_research as cr
from cluster_research import regression as reg
from cluster_research.errors import DataValidationError, ParameterError


def _panel(noise, seed=0, n=10, t=8):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"region": np.repeat(np.arange(n), t), "year": np.tile(np.arange(t), n)})
    df["x"] = rng.normal(size=len(df))
    df["z"] = df["x"] + noise * rng.normal(size=len(df))
    df["w"] = rng.normal(size=len(df))
    df["y"] = df["x"] + df["w"] + rng.normal(size=len(df))
    return df


@pytest.mark.parametrize("r", [0.0, 0.5, 0.9, 0.999])
def test_condition_number_closed_form(r):
    a = np.array([1.0, 0.0])
    b = np.array([r, math.sqrt(1 - r * r)])
    X = np.column_stack([3.0 * a, 0.01 * b])  # scaling must not matter
    assert reg.condition_number(X) == pytest.approx(math.sqrt((1 + r) / (1 - r)), rel=1e-9)


@pytest.mark.parametrize("effects", ["entity", "twoway"])
def test_regressor_plus_tiny_noise_raises_collinearity_error(effects):
    df = _panel(1e-12)
    with pytest.raises(ParameterError, match="near-collinear.*near-dependence: x, z;") as info:
        reg.panel(df, "y ~ x + z + w", "region", "year", effects=effects)
    assert isinstance(info.value, cr.ClusterResearchError)


def test_pooled_tiny_noise_raises():
    with pytest.raises(ParameterError, match="near-collinear"):
        reg.pooled(_panel(1e-12), "y ~ x + z + w", "region", "year")


def test_moderate_collinearity_warns_but_estimates():
    df = _panel(0.02)
    with pytest.warns(reg.CollinearityWarning, match="scaled condition number"):
        res = reg.panel(df, "y ~ x + z + w", "region", "year")
    assert np.isfinite(res.params).all()


def test_well_conditioned_design_is_silent(baltagi):
    with warnings.catch_warnings():
        warnings.simplefilter("error", reg.CollinearityWarning)
        reg.panel(baltagi, "invest ~ value + capital", "firm", "year", effects="twoway")


def test_thresholds_documented_values():
    assert reg.CONDITION_WARN == 30.0
    assert reg.CONDITION_RAISE == pytest.approx(1 / math.sqrt(np.finfo(float).eps))


@pytest.mark.parametrize("formula", ["y ~ np.log(w) + x", "y ~ log(w) + x"])
def test_log_of_negative_regressor_is_nonpositive_log_error(formula):
    df = _panel(1.0)
    with pytest.raises(DataValidationError, match="log of non-positive values") as info:
        reg.pooled(df, formula, "region", "year")
    assert info.value.column == formula.split(" ~ ")[1].split(" + ")[0]
    cell = re.search(r"\(entity/time: value\) (\d+)/(\d+): ([^;]+);", str(info.value))
    entity, time, value = int(cell[1]), int(cell[2]), float(cell[3])
    assert value <= 0 and df[(df.region == entity) & (df.year == time)].w.iloc[0] == value
