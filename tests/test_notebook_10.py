"""The stage-model benchmark of notebook 10, through the library calls the notebook makes.

Expected values come from issue 22, not from the code under test: the bars are 0.95 (8 % noise)
and 0.85 (15 %) in hindsight, 0.75 (8 %) and 0.60 (15 %) in real time; a reliability table of a
panel has four (stage, probability) pairs per region-year.  The notebook itself is executed by
nbval only.
"""

from __future__ import annotations

import pytest

import cluster_research as cr
from cluster_research.errors import ParameterError
from cluster_research.lifecycle import benchmark

NB10 = "10_stage_model"


def test_bars_are_those_of_the_issue():
    bars = {(b["information"], b["noise"]): b["accuracy"] for b in cr.limits.STAGE_MODEL_BARS}
    assert bars == {("hindsight", 0.08): 0.95, ("hindsight", 0.15): 0.85,
                    ("realtime", 0.08): 0.75, ("realtime", 0.15): 0.60}


def test_benchmark_design_reaches_the_table():
    tab = benchmark.run_benchmark(methods=("pooled", "hmm"), noises=(0.08,),
                                  models=("logistic", "mixed"), informations=("hindsight",),
                                  seeds=(3,), n_regions=6, n_years=12,
                                  designs=("independent", "shifted"))
    # the shifted design has one curve model: no "mixed" truth there
    assert sorted(map(tuple, tab[["method", "design", "truth"]].values.tolist())) == sorted(
        [(m, d, t) for m in ("pooled", "hmm") for d, t in
         (("independent", "logistic"), ("independent", "mixed"), ("shifted", "logistic"))])
    assert tab["accuracy"].between(0, 1).all()
    assert (tab["accuracy"] <= tab["coverage"] + 1e-12).all()


def test_reliability_counts_every_region_year():
    sim = benchmark.simulate_panel(6, 12, noise=0.08, seed=3)
    pred = cr.lifecycle.panel_stages(sim[["region", "year", "value"]], method="pooled")
    rel = benchmark.reliability_table(pred, sim)
    assert rel["n"].sum() == 4 * 6 * 12
    assert rel["observed"].between(0, 1).all() and 0 <= rel.attrs["ece"] <= 1


def test_unknown_method_is_refused_before_execution(tmp_path):
    with pytest.raises(ParameterError):
        cr.pipeline.run_notebook(NB10, {"methods": ["neural"]}, output_dir=tmp_path, name="bad")
    with pytest.raises(ParameterError):
        cr.pipeline.run_notebook(NB10, {"noises": [-0.1]}, output_dir=tmp_path, name="bad2")
    with pytest.raises(ParameterError):
        cr.pipeline.run_notebook(NB10, {"designs": ["diagonal"]}, output_dir=tmp_path, name="b3")
