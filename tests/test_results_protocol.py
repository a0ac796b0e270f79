"""One results protocol for GrowthResults, MixedResults and PanelResults (issue 23 item 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cluster_research import growth, regression
from cluster_research.growth.mixed import fit_mixed
from cluster_research.regression.covariance import COV_TYPES as REGRESSION_COV_TYPES


def _growth():
    t = np.arange(2000, 2012.0)
    return growth.fit(t, 100 / (1 + np.exp(-0.8 * (t - 2006))) + np.cos(t)), growth.COV_TYPES


def _mixed():
    rng = np.random.default_rng(1)
    rows = [(g, t, (100 + 10 * u) / (1 + np.exp(-0.8 * (t - 2006))) + rng.normal(0, 1))
            for g, u in zip("ABCDEF", rng.normal(size=6)) for t in range(2000, 2012)]
    df = pd.DataFrame(rows, columns=["region", "year", "value"])
    return fit_mixed(df, check_groups=False), growth.COV_TYPES


@pytest.fixture(params=["growth", "mixed", "panel"])
def fitted(request, baltagi):
    if request.param == "panel":
        return (regression.panel(baltagi, "invest ~ value + capital", entity="firm", time="year",
                                 cov_type="cluster"), REGRESSION_COV_TYPES)
    return {"growth": _growth, "mixed": _mixed}[request.param]()


def test_same_protocol(fitted):
    res, cov_types = fitted
    names = list(res.params.index)
    assert isinstance(res.params, pd.Series) and list(res.bse.index) == names
    cov = res.cov_params()                                   # a method everywhere
    assert isinstance(cov, pd.DataFrame) and list(cov.index) == list(cov.columns) == names
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), res.bse, rtol=1e-12)
    ci = res.conf_int(0.1)
    assert list(ci.columns) == ["lower", "upper"] and list(ci.index) == names
    assert (ci["lower"] < res.params).all() and (res.params < ci["upper"]).all()
    # the 90 % interval is narrower than the 95 % one, both centred on the estimate
    wide = res.conf_int()
    assert ((wide["upper"] - wide["lower"]) > (ci["upper"] - ci["lower"])).all()
    np.testing.assert_allclose((ci["lower"] + ci["upper"]) / 2, res.params, rtol=1e-12)
    assert isinstance(res.summary(), str) and isinstance(res.nobs, int) and res.nobs > 0
    assert res.cov_type in cov_types


def test_mixed_wald_interval_uses_the_normal_quantile():
    res, _ = _mixed()
    ci = res.conf_int(0.05)
    np.testing.assert_allclose(ci["upper"] - res.params, stats.norm.ppf(0.975) * res.bse)
