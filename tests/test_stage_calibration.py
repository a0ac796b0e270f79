"""Calibration of stage probabilities on seeded simulations with known true phases.

Reliability: every region-year gives four pairs (probability of a stage, whether it
is the true stage); binned, a calibrated model has observed frequency ≈ mean
predicted probability (``stage_benchmark.reliability_table``; ECE = weighted mean gap).
Cost: about 8 s on an idle core (the signs xfail included).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import cluster_research as cr
from cluster_research.lifecycle import Stage
from cluster_research.lifecycle.benchmark import reliability_table, simulate_panel
from cluster_research.lifecycle.panel import PROB_COLUMNS, panel_stages

PC = list(PROB_COLUMNS)


def test_reliability_table_by_hand():
    truth = pd.DataFrame({"region": list("abcd"), "year": 1, "true_phase": [1, 1, 2, 3]})
    pred = truth.assign(prob_embryonic=[0.75, 0.75, 0.75, 0.75], prob_growth=0.25,
                        prob_expansion=0.0, prob_takeoff=0.0)
    tab = reliability_table(pred, truth, bins=4)
    # p = 0.75 for 'embryonic' in four rows, true in two: observed 0.5
    row = tab[tab["bin_low"] == 0.75].iloc[0]
    assert row["n"] == 4 and row["observed"] == 0.5 and row["mean_predicted"] == 0.75
    row = tab[tab["bin_low"] == 0.25].iloc[0]
    assert row["n"] == 4 and row["observed"] == 0.25


def test_pooled_probabilities_are_calibrated():
    preds, truths = [], []
    for model in ("logistic", "gompertz"):
        for noise in (0.08, 0.15):
            sim = simulate_panel(model=model, noise=noise, seed=201)
            sim["region"] = sim["region"] + f"_{model}_{noise}"
            preds.append(panel_stages(sim[["region", "year", "value"]], method="pooled"))
            truths.append(sim)
    tab = reliability_table(pd.concat(preds), pd.concat(truths))
    assert tab.attrs["ece"] < 0.03
    big = tab[tab["n"] >= 50]
    assert (np.abs(big["observed"] - big["mean_predicted"]) < 0.15).all(), tab
    # the confident calls are right: the top bin's observed frequency
    assert tab.iloc[-1]["observed"] >= 0.97


def _stage_probability_rows(method, n_regions=12, years=(2012, 2017, 2022)):
    sim = simulate_panel(n_regions, 15, model="logistic", noise=0.08, seed=202)
    rows = []
    for r, g in sim.groupby("region"):
        s = pd.Series(g["value"].to_numpy(), index=g["year"].to_numpy())
        for yr in years:
            pr = cr.lifecycle.stage_probabilities(s, yr, method=method, n_boot=200, seed=1,
                                                  information="hindsight")
            rows.append({"region": r, "year": yr,
                         "true_phase": int(g.loc[g["year"] == yr, "true_phase"].iloc[0]),
                         **dict(zip(PC, (pr[st] for st in Stage)))})
    out = pd.DataFrame(rows)
    return out[out[PC].notna().all(axis=1)]


def test_curve_stage_probabilities_calibrated_where_defined():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = _stage_probability_rows("curve")
    tab = reliability_table(rows, rows)
    assert len(rows) >= 20
    assert tab.attrs["ece"] < 0.06


@pytest.mark.xfail(strict=True, reason="lifecycle.stage_probabilities(method='signs') is "
                   "overconfident: its bootstrap resamples residuals around one smoothed path "
                   "and reuses the same landmarks, so smoother bias never varies; about 1 in 9 "
                   "of its probability-1 calls are wrong (see the stage-model report)")
def test_signs_probability_one_calls_are_right():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = _stage_probability_rows("signs", n_regions=30)
    sure = rows[rows[PC].max(axis=1) >= 0.999]
    hit = sure[PC].to_numpy().argmax(axis=1) + 1 == sure["true_phase"].to_numpy()
    assert len(sure) > 0 and hit.mean() >= 0.97
