"""Simulation tests: series from known logistic / Gompertz curves with 5 % multiplicative noise.

A year well inside a stage must be put in that stage in at least 95 % of 200 seeded cases, for
each method that applies.  Truths come from the curves' analytic boundaries (logistic
t0 ± ln(2+√3)/k, Gompertz t0 ± ln((3+√5)/2)/b), computed here, not by the code under test.

Where a method does *not* apply it must say so rather than guess:

* curve, real time, phases I-II: the ceiling is not identified before the inflection is seen,
  so ``stage is None`` with the reason in >= 95 % of cases; a rare identified fit that places
  the year wrongly must flag it as inside a boundary's interval ("uncertain").
* signs, real time, phases II-III: the one-sided smoothing windows lag by about half a window,
  so the method is not reliable there (measured at 5 % noise, k = 0.3: about 10 % and 0 %
  correct); it is documented in ``classify`` and not claimed here.

The curve method refits a model per case (~30 ms each); the default run uses 200 seeds spread
over the four phases (50 per phase); ``CR_SLOW=1`` runs the full 200 seeds per phase.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest

from cluster_research import lifecycle as lc
from cluster_research.lifecycle import Stage

N = 200
NOISE = 0.05
K, RATE, T0 = 1000.0, 0.3, 2010.0
LOG_C = math.log(2 + math.sqrt(3)) / RATE          # 4.39 years
GOM_C = math.log((3 + math.sqrt(5)) / 2) / RATE    # 3.21 years


def logistic(t):
    return K / (1 + np.exp(-RATE * (t - T0)))


def gompertz(t):
    return K * np.exp(-np.exp(-RATE * (t - T0)))


def shakeout(t):
    """A wave of entry followed by a shakeout that removes 60 % of the firms."""
    return logistic(t) * (1 - 0.6 / (1 + np.exp(-0.5 * (t - 2025))))


def phase_of(year, c):
    """Phase 1..4 of ``year`` for boundaries T0 - c, T0, T0 + c."""
    return 1 + (year >= T0 - c) + (year >= T0) + (year >= T0 + c)


# years well inside each phase (checked against the analytic boundaries below)
LOG_YEARS = {1998: 1, 2008: 2, 2012: 3, 2022: 4}
GOM_YEARS = {2000: 1, 2008: 2, 2012: 3, 2024: 4}


def test_case_years_are_inside_their_phases():
    for y, ph in LOG_YEARS.items():
        assert phase_of(y, LOG_C) == ph
        assert min(abs(y - b) for b in (T0 - LOG_C, T0, T0 + LOG_C)) >= 1.5
    for y, ph in GOM_YEARS.items():
        assert phase_of(y, GOM_C) == ph
        assert min(abs(y - b) for b in (T0 - GOM_C, T0, T0 + GOM_C)) >= 1.2


def noisy(f, years, seed):
    rng = np.random.default_rng(seed)
    return pd.Series(f(years) * np.exp(NOISE * rng.standard_normal(len(years))), index=years)


def hit_rate(method, information, f, years, year, stage, seeds, **options):
    hits, reasons = 0, []
    for seed in seeds:
        r = lc.classify(noisy(f, years, seed), year, method, information, **options)
        if r.stage is stage:
            hits += 1
        else:
            reasons.append(r.reason)
    return hits / len(seeds), reasons[:3]


# ----------------------------------------------------------------------------------------------
# signs (model-free)
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("curve,cases", [(logistic, LOG_YEARS), (gompertz, GOM_YEARS)],
                         ids=["logistic", "gompertz"])
def test_signs_hindsight(curve, cases):
    years = np.arange(1975, 2041)
    for year, ph in cases.items():
        stage = lc.phase_to_stage(ph)
        rate, why = hit_rate("signs", "hindsight", curve, years, year, stage, range(N))
        assert rate >= 0.95, (curve.__name__, year, rate, why)


@pytest.mark.parametrize("curve,year", [(logistic, 1998), (gompertz, 2000)],
                         ids=["logistic", "gompertz"])
def test_signs_realtime_phase_one(curve, year):
    years = np.arange(1975, 2041)
    rate, why = hit_rate("signs", "realtime", curve, years, year, Stage.EMBRYONIC, range(N))
    assert rate >= 0.95, (year, rate, why)


# ----------------------------------------------------------------------------------------------
# net entry (Gort-Klepper) on firm counts; truths in Gort-Klepper terms:
#   stage 1 (萌芽) before the lower knee of N; stage 2 (成长) after it while the net entry rate
#   k (1 - p) > 5 %, i.e. p < 1 - 0.05/k -> t < T0 + ln(5)/k = 2015.4; stage 3 (扩大) after;
#   stage 4 (起飞) during a shakeout.
# ----------------------------------------------------------------------------------------------
NE_CASES = [(logistic, 1998, Stage.EMBRYONIC), (logistic, 2012, Stage.GROWTH),
            (logistic, 2026, Stage.EXPANSION), (shakeout, 2028, Stage.TAKEOFF)]


def test_net_entry_truths_consistent():
    assert T0 - LOG_C > 1998 + 1.5
    assert T0 - LOG_C + 1.5 < 2012 < T0 + math.log(1 / 0.05 - 1) / RATE - 1.5
    assert 2026 > T0 + math.log(1 / 0.05 - 1) / RATE + 5


@pytest.mark.parametrize("information", ["hindsight", "realtime"])
@pytest.mark.parametrize("curve,year,stage", NE_CASES,
                         ids=[f"{c.__name__}-{y}" for c, y, _ in NE_CASES])
def test_net_entry(information, curve, year, stage):
    if information == "realtime" and stage is Stage.GROWTH:
        year = 2013  # one more year past the lower knee: one-sided windows lag
    years = np.arange(1975, 2041)
    rate, why = hit_rate("net_entry", information, curve, years, year, stage, range(N))
    assert rate >= 0.95, (information, year, rate, why)


# ----------------------------------------------------------------------------------------------
# curve (parametric)
# ----------------------------------------------------------------------------------------------
SLOW = os.environ.get("CR_SLOW") == "1"


def _seeds_for(ph):
    # default: 200 seeds shared out over the 4 phases; CR_SLOW=1: 200 per phase
    return range(N) if SLOW else range(ph - 1, N, 4)


@pytest.mark.parametrize("model,curve,cases", [("logistic", logistic, LOG_YEARS),
                                               ("gompertz", gompertz, GOM_YEARS)],
                         ids=["logistic", "gompertz"])
def test_curve_hindsight(model, curve, cases):
    years = np.arange(1995, 2041)
    for year, ph in cases.items():
        rate, why = hit_rate("curve", "hindsight", curve, years, year, lc.phase_to_stage(ph),
                             _seeds_for(ph), model=model)
        assert rate >= 0.95, (model, year, rate, why)


@pytest.mark.parametrize("model,curve,cases", [("logistic", logistic, LOG_YEARS),
                                               ("gompertz", gompertz, GOM_YEARS)],
                         ids=["logistic", "gompertz"])
def test_curve_realtime(model, curve, cases):
    years = np.arange(1995, 2041)
    for year, ph in cases.items():
        seeds = _seeds_for(ph)
        if ph >= 3:
            rate, why = hit_rate("curve", "realtime", curve, years, year,
                                 lc.phase_to_stage(ph), seeds, model=model)
            assert rate >= 0.95, (model, year, rate, why)
        else:  # before the inflection the ceiling cannot be identified: says so
            n_none = 0
            for seed in seeds:
                r = lc.classify(noisy(curve, years, seed), year, "curve", "realtime",
                                model=model)
                if r.stage is None:
                    assert any(w in r.reason for w in ("identified", "converge", "too short",
                                                       "growth not significant")), \
                        r.reason
                    n_none += 1
                elif r.stage is not lc.phase_to_stage(ph):
                    # a rare identified-but-wrong fit must at least flag the year as uncertain
                    # (measured: 1 of 200 logistic seeds at 2008)
                    assert "uncertain" in r.reason, r.reason
            assert n_none >= 0.95 * len(seeds)
