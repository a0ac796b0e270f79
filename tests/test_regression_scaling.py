"""Rank decisions on the column-scaled design (issue 29.7).

Two independent regressors in very different units (1e12 and 1e-3) are not collinear; the
same regressor in two units is. Reference estimates: numpy least squares with explicit
entity dummies on the unscaled-unit data (not the package's code), multiplied back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cluster_research import regression as reg
from cluster_research.errors import ParameterError

N, T = 12, 8


def _panel(seed=3):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"region": np.repeat(np.arange(N), T), "year": np.tile(np.arange(T), N)})
    a, b = rng.normal(size=len(df)), rng.normal(size=len(df))
    df["y"] = 2.0 * a - 1.5 * b + rng.normal(size=len(df))
    return df, a, b


def _entity_reference(df, a, b):
    dummies = pd.get_dummies(df["region"]).to_numpy(float)
    beta, *_ = np.linalg.lstsq(np.column_stack([a, b, dummies]), df["y"].to_numpy(), rcond=None)
    return beta[:2]


@pytest.mark.parametrize(("sa", "sb"), [(1e12, 1e-3), (1e-3, 1e12), (1e15, 1e-6)])
def test_independent_regressors_in_far_apart_units_are_not_collinear(sa, sb):
    df, a, b = _panel()
    df["x1"], df["x2"] = a * sa, b * sb
    res = reg.panel(df, "y ~ x1 + x2", "region", "year", effects="entity")
    got = res.coef_table.set_index("term")["estimate"]
    np.testing.assert_allclose([got["x1"] * sa, got["x2"] * sb], _entity_reference(df, a, b),
                               rtol=1e-8)
    assert np.isfinite(res.coef_table["std_error"]).all()


@pytest.mark.parametrize("estimator", ["twoway", "pooled", "first_difference"])
def test_other_estimators_accept_far_apart_units(estimator):
    df, a, b = _panel()
    df["x1"], df["x2"] = a * 1e12, b * 1e-3
    if estimator == "twoway":
        res = reg.panel(df, "y ~ x1 + x2", "region", "year", effects="twoway")
    elif estimator == "pooled":
        res = reg.pooled(df, "y ~ 1 + x1 + x2", "region", "year")
    else:
        res = reg.first_difference(df, "y ~ x1 + x2", "region", "year")
    got = res.coef_table.set_index("term")["estimate"]
    assert 1.0 < got["x1"] * 1e12 < 3.0 and -2.5 < got["x2"] * 1e-3 < -0.5


@pytest.mark.parametrize(("sa", "sb"), [(1e12, 1e-3), (1.0, 1.0), (1e-3, 1e12)])
def test_the_same_regressor_in_two_units_is_still_collinear(sa, sb):
    df, a, b = _panel()
    df["x1"], df["x2"], df["w"] = a * sa, a * sb, b
    with pytest.raises(ParameterError, match=r"rank deficient.*collinear: x2 \(linear "):
        reg.panel(df, "y ~ x1 + x2 + w", "region", "year", effects="entity")


def test_a_combination_at_different_scales_is_collinear():
    df, a, b = _panel()
    df["x1"], df["x2"] = a * 1e12, b * 1e-3
    df["x3"] = 1e-12 * df["x1"] + 1e3 * df["x2"]  # = a + b
    with pytest.raises(ParameterError, match="x3 \\(linear combination of x1, x2\\)"):
        reg.panel(df, "y ~ x1 + x2 + x3", "region", "year", effects="entity")


def test_a_small_unit_regressor_without_within_variation_is_absorbed():
    df, a, _ = _panel()
    df["x1"] = a
    df["fixed"] = 1e-3 * (1.0 + df["region"])  # constant within each region
    with pytest.raises(ParameterError, match="no variation left.*fixed"):
        reg.panel(df, "y ~ x1 + fixed", "region", "year", effects="entity")
