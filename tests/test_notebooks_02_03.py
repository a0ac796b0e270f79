"""Notebooks 02 and 03 run through the runner with non-default parameters; bad input fails early.

Expected values come from the data and the paper, not from the code under test: Beijing has no
transaction series (the notebook must switch to the NBS panel), the NBS panel starts in 2015
(so nothing can be judged in real time for earlier years), and with the four actuals up to 2010
(what the paper's authors had) no S-curve ceiling has a bounded profile interval.
"""

from __future__ import annotations

import pandas as pd
import pytest

import cluster_research as cr
from cluster_research.data import DataValidationError
from cluster_research.errors import ParameterError

NB03 = "03_lifecycle_stage"
NB02 = "02_shanghai_growth"


@pytest.fixture(scope="module")
def beijing_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("nb03")
    return cr.pipeline.run_notebook(
        NB03,
        {"region": "北京", "information": "hindsight", "years": [2014, 2020], "n_boot": 50,
         "seed": 3, "lang": "en", "curve_models": ["logistic", "gompertz"]},
        output_dir=out, name="beijing",
    )


def _table(run, name):
    paths = {p.stem: p for p in run.tables}
    assert name in paths, f"{name}.csv not written; tables: {sorted(paths)}"
    return pd.read_csv(paths[name])


def test_nb03_beijing_uses_the_nbs_panel(beijing_run):
    verdicts = _table(beijing_run, "stage_verdicts")
    assert set(verdicts["region"]) == {"北京"}
    assert set(verdicts["year"]) == {2014, 2020}
    assert set(verdicts["information"]) == {"realtime", "hindsight"}
    methods = {"curve:logistic", "curve:gompertz", "signs", "net_entry", "scorecard", "ensemble"}
    assert set(verdicts["method"]) == methods
    # 2014 precedes the NBS panel (2015-2024): no method can classify it, in any information
    y2014 = verdicts[verdicts["year"] == 2014]
    assert y2014["stage"].isna().all()
    assert (y2014["verdict"] == "no verdict").all()
    # the scorecard scores every province in 2020, so Beijing gets a stage
    sc = verdicts[(verdicts["year"] == 2020) & (verdicts["method"] == "scorecard")]
    assert sc["stage"].notna().all()
    assert sc["reason"].str.startswith("北京 2020").all()
    # the notebook said it switched data sources
    text = beijing_run.output_notebook.read_text(encoding="utf-8")
    assert "no e-commerce transaction series exists for this region" in text
    assert "ecommerce_sales" in text


def test_nb03_parameters_reach_the_tables(beijing_run):
    probs = _table(beijing_run, "stage_probabilities")
    assert set(probs["n_boot"]) == {50}
    assert set(probs["year"]) == {2014, 2020}
    assert "curve:richards" not in set(probs["method"])
    stage_cols = ["萌芽", "成长", "扩大", "起飞"]
    ok = probs.dropna(subset=stage_cols)
    assert ((ok[stage_cols].sum(axis=1) - 1.0).abs() < 1e-9).all()
    timeline = _table(beijing_run, "stage_timeline")
    assert timeline["year"].min() == 2015 and timeline["year"].max() == 2024
    assert {p.name for p in beijing_run.figures} >= {"stage_timeline.png", "series.png"}


def test_nb03_unknown_region_fails_before_execution(tmp_path):
    with pytest.raises(DataValidationError, match="火星"):
        cr.pipeline.run_notebook(NB03, {"region": "火星"}, output_dir=tmp_path)
    assert not (tmp_path / "notebooks").exists() or not any((tmp_path / "notebooks").iterdir())


def test_nb03_misspelt_parameter_fails_before_execution(tmp_path):
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


def test_nb02_cutoff_2011_identifies_no_ceiling(tmp_path):
    run = cr.pipeline.run_notebook(
        NB02, {"through_year": 2011, "models": ["exponential", "logistic", "gompertz"],
               "lang": "en"}, output_dir=tmp_path, name="cutoff2011")
    ident = _table(run, "identification").set_index("model")
    assert list(ident.index) == ["exponential", "logistic", "gompertz"]
    assert not ident.loc["logistic", "identified"]
    assert not ident.loc["gompertz", "identified"]
    params = _table(run, "growth_parameters")
    k_hi = params[(params.model == "logistic") & (params.parameter == "K")]["profile_high"]
    assert k_hi.iloc[0] == float("inf")
    arith = _table(run, "arithmetic")
    # the paper's "近16倍" as an increase multiple: 4252.8 / 253.86 - 1 = 15.75
    assert arith["increase_multiple"].round(2).tolist() == [16.01, 15.75]
    comp = _table(run, "model_comparison")
    assert (comp["oos_n"] == 0).all()  # four points leave nothing to forecast
    assert {p.name for p in run.figures} >= {"growth_fits.png", "growth_fits.svg"}
