"""What notebooks 02 and 03 compute with non-default parameters, by the library calls they make.

The notebooks themselves are executed by nbval only (``make test``); the runner's mechanics
(parameters injected, tables written) are tested on a tiny notebook in tests/test_runner.py.
Expected values come from the data and the paper, not from the code under test: Beijing has no
transaction series (notebook 03 uses the NBS panel, 2015-2024, so nothing can be judged for
2014), and with the four actuals up to 2010 (what the paper's authors had) no S-curve ceiling
is identified nor has a bounded profile interval.
"""

from __future__ import annotations

import math

import pytest

import cluster_research as cr
from cluster_research.data import DataValidationError
from cluster_research.errors import ParameterError

NB03 = "03_lifecycle_stage"
NB02 = "02_shanghai_growth"


@pytest.fixture(scope="module")
def beijing():
    """Notebook 03's cell 3 for region=北京, years=[2014, 2020], curve_models=[logistic, gompertz]."""
    series = cr.data.series("北京", "ecommerce_sales")
    counts = cr.data.series("北京", "ecommerce_firms")
    results = {}
    for y in (2014, 2020):
        for info in ("realtime", "hindsight"):
            ens = cr.lifecycle.classify(series, y, "ensemble", info, counts=counts, region="北京")
            for m in ("logistic", "gompertz"):
                results[(y, info, f"curve:{m}")] = cr.lifecycle.classify(series, y, "curve", info,
                                                                         model=m)
            results.update({(y, info, k): ens.evidence["results"][k]
                            for k in ("signs", "net_entry", "scorecard")})
            results[(y, info, "ensemble")] = ens
    return series, cr.claims.stage_verdicts(results, "北京")


def test_nb03_beijing_uses_the_nbs_panel(beijing):
    series, verdicts = beijing
    # NBS provincial panel: 2015-2024, no Beijing transaction series before
    assert (int(series.dropna().index.min()), int(series.dropna().index.max())) == (2015, 2024)
    assert set(verdicts["information"]) == {"realtime", "hindsight"}
    assert len(verdicts) == 2 * 2 * 6
    # 2014 precedes the NBS panel: no method can classify it, in any information
    y2014 = verdicts[verdicts["year"] == 2014]
    assert y2014["stage"].isna().all()
    assert (y2014["verdict"] == "no verdict").all()
    # the scorecard scores every province in 2020, so Beijing gets a stage
    sc = verdicts[(verdicts["year"] == 2020) & (verdicts["method"] == "scorecard")]
    assert len(sc) == 2 and sc["stage"].notna().all()
    assert sc["reason"].str.startswith("北京 2020").all()


def test_nb03_unknown_region_fails_before_execution(no_kernel, tmp_path):
    with pytest.raises(DataValidationError, match="火星"):
        cr.pipeline.run_notebook(NB03, {"region": "火星"}, output_dir=tmp_path)
    assert not (tmp_path / "notebooks").exists()


def test_nb03_misspelt_parameter_fails_before_execution(no_kernel, tmp_path):
    with pytest.raises(ParameterError, match="did you mean 'region'"):
        cr.pipeline.run_notebook(NB03, {"regoin": "北京"}, output_dir=tmp_path)
    with pytest.raises(ParameterError, match="n_boot"):
        cr.pipeline.run_notebook(NB03, {"n_boot": "many"}, output_dir=tmp_path)
    with pytest.raises(ParameterError, match="lang"):
        cr.pipeline.run_notebook(NB02, {"lang": "fr"}, output_dir=tmp_path)


def test_nb03_unknown_region_in_notebook_raises_data_error():
    # what the notebook's first data cell does, should the runner be bypassed
    with pytest.raises(DataValidationError, match="unknown region"):
        cr.data.region_name("Atlantis")


def test_nb02_cutoff_2011_identifies_no_ceiling():
    actuals = cr.data.shanghai_transactions()
    fit_data = actuals[actuals.index <= 2011]
    assert len(fit_data) == 4 and fit_data.index.max() == 2010  # no exact full-year 2011 value
    for m in ("logistic", "gompertz"):
        res = cr.growth.fit(fit_data, model=m)
        assert not res.identified, m
        assert res.conf_int(method="profile").loc["K", "upper"] == math.inf, m
    comp = cr.growth.compare(fit_data, models=["exponential", "logistic", "gompertz"])
    assert (comp["oos_n"] == 0).all()  # four points leave nothing to forecast
