"""Notebook 10 (stage-model benchmark) runs through the runner with small, non-default parameters.

Expected values come from the parameters and from issue 12, not from the code under test: the
bars are 0.90 (8 % noise) and 0.80 (15 %) in hindsight and 0.60 in real time; a reliability
table of a panel has four (stage, probability) pairs per region-year; the generated text must
quote every bar that a method misses, with its accuracy.
"""

from __future__ import annotations

import pandas as pd
import pytest

import cluster_research as cr
from cluster_research.errors import ParameterError

NB10 = "10_stage_model"
SMALL = {"methods": ["pooled", "hmm"], "noises": [0.08, 0.15], "truths": ["logistic", "gompertz"],
         "seeds": [3], "n_regions": 6, "n_years": 12, "realtime_methods": ["hmm"],
         "realtime_noises": [0.08], "realtime_truths": ["gompertz"], "realtime_regions": 4,
         "n_boot": 30, "nbs_check": False, "lang": "en"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return cr.pipeline.run_notebook(NB10, SMALL, output_dir=tmp_path_factory.mktemp("nb10"),
                                    name="small")


def _table(run, name):
    paths = {p.stem: p for p in run.tables}
    assert name in paths, f"{name}.csv not written; tables: {sorted(paths)}"
    return pd.read_csv(paths[name])


def test_parameters_reach_the_benchmark_table(run):
    bench = _table(run, "stage_model_benchmark")
    hind = bench[bench["information"] == "hindsight"]
    assert set(hind["method"]) == {"pooled", "hmm"}
    assert sorted(set(hind["noise"])) == [0.08, 0.15]
    assert set(hind["truth"]) == {"logistic", "gompertz"}
    assert len(hind) == 2 * 2 * 2 and (hind["n_regions"] == 6).all()
    real = bench[bench["information"] == "realtime"]
    assert real[["method", "truth", "noise", "n_regions"]].values.tolist() == [
        ["hmm", "gompertz", 0.08, 4]]
    assert bench["accuracy"].between(0, 1).all() and bench["coverage"].between(0, 1).all()
    assert (bench["accuracy"] <= bench["coverage"] + 1e-12).all()


def test_bars_are_those_of_the_issue(run):
    checks = _table(run, "stage_model_bars")
    bar = {("hindsight", 0.08): 0.90, ("hindsight", 0.15): 0.80, ("realtime", 0.08): 0.60}
    for r in checks.itertuples():
        assert r.bar == bar[(r.information, r.noise)]
        assert r.met == (r.accuracy >= r.bar)
    assert len(checks) == 2 * 2 * 2 + 1


def test_what_this_shows_quotes_every_missed_bar(run):
    checks = _table(run, "stage_model_bars")
    text = run.output_notebook.read_text(encoding="utf-8")
    for r in checks.itertuples():
        assert f"{r.method}/{r.truth} {r.accuracy:.3f}" in text
    if (~checks["met"]).any():
        assert "missed by" in text
    assert "nbs_check = False: not run" in text
    assert "stage_model_nbs_check" not in {p.stem for p in run.tables}
    assert "hindsight panels: 6 regions; real-time panels: 4 regions; 12 years" in text


def test_reliability_counts_every_region_year(run):
    rel = _table(run, "stage_model_reliability")
    pooled = rel[rel["model"] == "panel_stages pooled"]
    # one panel per truth, four stages per region-year
    assert pooled["n"].sum() == 4 * 6 * 12 * 2
    assert rel["observed"].between(0, 1).all() and rel["ece"].between(0, 1).all()
    figures = {p.name for p in run.figures}
    assert {"stage_model_accuracy.png", "stage_model_reliability.png"} <= figures


def test_unknown_method_is_refused_before_execution(tmp_path):
    with pytest.raises(ParameterError):
        cr.pipeline.run_notebook(NB10, {"methods": ["neural"]}, output_dir=tmp_path, name="bad")
    with pytest.raises(ParameterError):
        cr.pipeline.run_notebook(NB10, {"noises": [-0.1]}, output_dir=tmp_path, name="bad2")
