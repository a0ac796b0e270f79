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


def _bench_rows():
    """Two methods in hindsight, one of them also in real time (as notebook 10 runs them)."""
    import pandas as pd

    rows = [("pooled", "independent", "logistic", 0.08, "hindsight", 0.96, 0.99, 1.5),
            ("pooled", "shifted", "logistic", 0.08, "hindsight", 0.90, 0.95, 0.5),
            ("hmm", "independent", "logistic", 0.08, "hindsight", 0.50, 0.90, 0.2),
            ("hmm", "shifted", "logistic", 0.08, "hindsight", 0.70, 1.00, 0.4),
            ("pooled", "independent", "logistic", 0.08, "realtime", 0.80, 0.85, 3.0)]
    t = pd.DataFrame(rows, columns=["method", "design", "truth", "noise", "information",
                                    "accuracy", "coverage", "seconds"])
    return t.assign(accuracy_classified=t.accuracy / t.coverage, brier=0.1, backward_steps=0.0)


def test_method_summary_is_one_row_per_method_and_information():
    """Issue 26: notebook 10 printed a raw dict of seconds and a 54-row table; the summary
    has one row per method and information, with the numbers a reader compares."""
    s = benchmark.method_summary(_bench_rows()).set_index(["method", "information"])
    assert list(s.index) == [("pooled", "hindsight"), ("hmm", "hindsight"),
                             ("pooled", "realtime")]
    assert s.loc[("pooled", "hindsight"), "scenarios"] == 2
    assert s.loc[("hmm", "hindsight"), "accuracy_min"] == 0.50
    assert s.loc[("hmm", "hindsight"), "accuracy_mean"] == pytest.approx(0.60)
    assert s.loc[("pooled", "hindsight"), "seconds_max"] == 1.5
    assert s.loc[("pooled", "hindsight"), "seconds_median"] == pytest.approx(1.0)


def test_bar_grid_has_one_row_per_scenario_and_blank_where_not_run():
    t = _bench_rows()
    checks = t.assign(bar=[0.95, 0.95, 0.95, 0.95, 0.75])
    checks["met"] = checks.accuracy >= checks.bar
    grid = benchmark.bar_grid(checks)
    assert list(grid.columns) == ["pooled", "hmm"] and len(grid) == 3
    assert grid.loc[("hindsight", 0.08, 0.95, "independent", "logistic")].tolist() == [
        "0.960 met", "0.500 no"]
    assert grid.loc[("realtime", 0.08, 0.75, "independent", "logistic")].tolist() == [
        "0.800 met", ""]


def test_bar_grid_shows_the_bayes_bound_last_and_blank_where_not_computed():
    t = _bench_rows()
    checks = t.assign(bar=[0.95, 0.95, 0.95, 0.95, 0.75],
                      bayes_bound=[0.94, float("nan"), 0.94, float("nan"), 0.78],
                      bayes_expected=[0.955, float("nan"), 0.955, float("nan"), 0.8])
    checks["met"] = checks.accuracy >= checks.bar
    grid = benchmark.bar_grid(checks)
    assert list(grid.columns) == ["pooled", "hmm", "bayes_bound", "bayes_expected"]
    assert grid["bayes_bound"].tolist() == ["0.940", "", "0.780"]
    assert grid["bayes_expected"].tolist() == ["0.955", "", "0.800"]
