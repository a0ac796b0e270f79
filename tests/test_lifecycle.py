"""Unit, reference-value, property and bad-input tests for cluster_research.lifecycle."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cluster_research as cr
from cluster_research import growth, lifecycle as lc
from cluster_research.errors import ParameterError
from cluster_research.lifecycle import Stage


# ----------------------------------------------------------------------------------------------
# helpers: a duck-typed fitted result, independent of cluster_research.growth
# ----------------------------------------------------------------------------------------------
class FakeRes:
    """Minimal stand-in for GrowthResults with exact, known parameters."""

    def __init__(self, model, params, cov=None, identified=True, converged=True,
                 years=(2000, 2020)):
        self.model = model
        self.params = pd.Series(params, dtype=float)
        n = len(self.params)
        self._cov = np.zeros((n, n)) if cov is None else np.asarray(cov, float)
        self.identified = identified
        self.identified_reason = "" if identified else "data reach 10% of the ceiling"
        self.converged = converged
        self.convergence_message = "ok" if converged else "max iterations"
        self.years = np.arange(years[0], years[1] + 1, dtype=float)
        self.ceiling = float(self.params.get("K", self.params.get("M", np.nan)))
        self.form = "cumulative"

    def cov_params(self):
        names = list(self.params.index)
        return pd.DataFrame(self._cov, index=names, columns=names)

    def curve(self, t, params=None):
        th = self.params if params is None else pd.Series(np.asarray(params, float),
                                                          index=self.params.index)
        t = np.asarray(t, float)
        if self.model == "logistic":
            return th["K"] / (1 + np.exp(-th["k"] * (t - th["t0"])))
        if self.model == "gompertz":
            return th["K"] * np.exp(-np.exp(-th["b"] * (t - th["t0"])))
        if self.model == "richards":
            return th["K"] * (1 + np.exp(-th["k"] * (t - th["t0"]))) ** (-1 / th["nu"])
        raise NotImplementedError(self.model)


def logistic(t, K=1000.0, k=0.3, t0=2010.0):
    return K / (1 + np.exp(-k * (np.asarray(t, float) - t0)))


def gompertz(t, K=1000.0, b=0.3, t0=2010.0):
    return K * np.exp(-np.exp(-b * (np.asarray(t, float) - t0)))


def third_derivative(f, t, h=1e-2):
    return (f(t + 2 * h) - 2 * f(t + h) + 2 * f(t - h) - f(t - 2 * h)) / (2 * h**3)


# ----------------------------------------------------------------------------------------------
# Stage
# ----------------------------------------------------------------------------------------------
def test_stage_order_and_labels():
    assert Stage.EMBRYONIC < Stage.GROWTH < Stage.EXPANSION < Stage.TAKEOFF
    assert sorted([Stage.TAKEOFF, Stage.EMBRYONIC, Stage.GROWTH]) == [
        Stage.EMBRYONIC, Stage.GROWTH, Stage.TAKEOFF]
    assert [s.zh for s in Stage] == ["萌芽", "成长", "扩大", "起飞"]
    assert [s.en for s in Stage] == ["embryonic", "growth", "expansion", "take-off"]
    assert Stage.GROWTH.label("en") == "growth"
    assert Stage.GROWTH.label("both") == "成长 growth"
    with pytest.raises(ValueError, match="lang"):
        Stage.GROWTH.label("fr")
    assert Stage.from_label("起飞阶段") is Stage.TAKEOFF
    assert Stage.from_label("Take-off") is Stage.TAKEOFF
    with pytest.raises(ValueError, match="unknown stage"):
        Stage.from_label("mature")


def test_phase_map_default_and_custom():
    assert [lc.phase_to_stage(p) for p in ("I", "II", "III", "IV")] == list(Stage)
    custom = {"I": "萌芽", "II": "萌芽", "III": "成长", "IV": "起飞"}
    assert lc.phase_to_stage(2, custom) is Stage.EMBRYONIC
    with pytest.raises(ValueError, match="keys"):
        lc.phase_to_stage("I", {"I": Stage.GROWTH})
    t = np.arange(1980, 2041)
    s = pd.Series(logistic(t), index=t)
    r = lc.classify(s, 2008, "signs", "hindsight", phase_map=custom)
    assert r.phase == "II" and r.stage is Stage.EMBRYONIC


# ----------------------------------------------------------------------------------------------
# analytic constants (computed here from the formulas, not from the implementation)
# ----------------------------------------------------------------------------------------------
def test_logistic_constants_reference():
    c = math.log(2 + math.sqrt(3))
    lower = 1 / (1 + math.exp(c))
    upper = 1 / (1 + math.exp(-c))
    assert round(100 * lower, 2) == 21.13
    assert round(100 * upper, 2) == 78.87
    # the knees are roots of y''' of the exact curve
    for tk in (2010 - c / 0.3, 2010 + c / 0.3):
        assert abs(third_derivative(logistic, tk)) < 1e-3
        assert third_derivative(logistic, tk - 0.5) * third_derivative(logistic, tk + 0.5) < 0


def test_gompertz_constants_reference():
    c = math.log((3 + math.sqrt(5)) / 2)
    shares = [math.exp(-math.exp(c)), math.exp(-1), math.exp(-math.exp(-c))]
    assert [round(100 * s, 2) for s in shares] == [7.29, 36.79, 68.25]
    for tk in (2010 - c / 0.3, 2010 + c / 0.3):
        assert abs(third_derivative(gompertz, tk)) < 1e-3


@pytest.mark.parametrize("model,params,rate_name", [
    ("logistic", {"K": 1000.0, "k": 0.3, "t0": 2010.0}, "k"),
    ("gompertz", {"K": 500.0, "b": 0.45, "t0": 2005.5}, "b"),
])
def test_boundaries_exact_curves(model, params, rate_name):
    res = FakeRes(model, params)
    tab = lc.boundaries(res)
    assert list(tab.index) == ["lower_knee", "inflection", "upper_knee"]
    assert list(tab.columns[:4]) == ["year", "ci_low", "ci_high", "share_of_ceiling"]
    if model == "logistic":
        c = math.log(2 + math.sqrt(3))
        shares = [0.2113, 0.5, 0.7887]
    else:
        c = math.log((3 + math.sqrt(5)) / 2)
        shares = [0.0729, 0.3679, 0.6825]
    r, t0 = params[rate_name], params["t0"]
    np.testing.assert_allclose(tab["year"], [t0 - c / r, t0, t0 + c / r], atol=1e-9)
    np.testing.assert_allclose(tab["share_of_ceiling"], shares, atol=5e-5)
    # the share is the curve's level there, divided by the ceiling
    lev = res.curve(tab["year"].to_numpy()) / params["K"]
    np.testing.assert_allclose(lev, tab["share_of_ceiling"], atol=1e-9)


def test_boundaries_from_growth_fit_noiseless_logistic():
    t = np.arange(2000, 2021)
    res = growth.fit(t, logistic(t, K=100, k=0.5, t0=2010), model="logistic")
    tab = lc.boundaries(res)
    c = math.log(2 + math.sqrt(3))
    np.testing.assert_allclose(tab["year"], [2010 - c / 0.5, 2010, 2010 + c / 0.5], atol=1e-4)


def test_delta_method_matches_hand_formula():
    # var(t0 - c/k) = var(t0) + (c/k^2)^2 var(k) + 2 (c/k^2) cov(t0, k)
    cov = np.array([[25.0, 0.1, 2.0], [0.1, 0.0004, 0.003], [2.0, 0.003, 0.09]])
    K, k, t0 = 1000.0, 0.3, 2010.0
    res = FakeRes("logistic", {"K": K, "k": k, "t0": t0}, cov=cov)
    tab = lc.boundaries(res)
    c = math.log(2 + math.sqrt(3))
    g = c / k**2
    var_low = cov[2, 2] + g**2 * cov[1, 1] + 2 * g * cov[1, 2]
    var_up = cov[2, 2] + g**2 * cov[1, 1] - 2 * g * cov[1, 2]
    assert tab.loc["lower_knee", "se"] == pytest.approx(math.sqrt(var_low), rel=1e-5)
    assert tab.loc["upper_knee", "se"] == pytest.approx(math.sqrt(var_up), rel=1e-5)
    assert tab.loc["inflection", "se"] == pytest.approx(0.3, rel=1e-6)
    z = 1.959963984540054
    assert tab.loc["inflection", "ci_high"] == pytest.approx(t0 + z * 0.3, rel=1e-9)


def test_bass_boundaries_reference():
    # Bass (1969): the peak of adoption is at t* = tau + ln(q/p)/(p+q), F(t*) = 1/2 - p/(2q)
    M, p, q, tau = 1000.0, 0.01, 0.4, 1995.0
    res = FakeRes("bass", {"M": M, "p": p, "q": q, "tau": tau})
    tab = lc.boundaries(res)
    tstar = tau + math.log(q / p) / (p + q)
    assert tab.loc["inflection", "year"] == pytest.approx(tstar, abs=1e-9)
    assert tab.loc["inflection", "share_of_ceiling"] == pytest.approx(0.5 - p / (2 * q), abs=1e-9)
    d = math.log(2 + math.sqrt(3)) / (p + q)
    assert tab.loc["lower_knee", "year"] == pytest.approx(tstar - d, abs=1e-9)
    assert tab.loc["upper_knee", "year"] == pytest.approx(tstar + d, abs=1e-9)


def test_bass_without_inflection_says_so():
    res = FakeRes("bass", {"M": 1000.0, "p": 0.3, "q": 0.2, "tau": 1995.0})
    tab = lc.boundaries(res)
    assert np.isnan(tab.loc["inflection", "year"])
    assert "no inflection" in tab.loc["inflection", "note"]
    assert np.isnan(tab.loc["lower_knee", "year"])


def test_richards_numeric_equals_logistic_when_nu_is_one():
    res = FakeRes("richards", {"K": 1000.0, "k": 0.3, "t0": 2010.0, "nu": 1.0})
    tab = lc.boundaries(res)
    c = math.log(2 + math.sqrt(3))
    np.testing.assert_allclose(tab["year"], [2010 - c / 0.3, 2010, 2010 + c / 0.3], atol=1e-4)


def test_richards_numeric_roots_are_roots():
    res = FakeRes("richards", {"K": 1000.0, "k": 0.3, "t0": 2010.0, "nu": 2.5})
    tab = lc.boundaries(res)
    f = res.curve
    for name in ("lower_knee", "upper_knee"):
        tk = tab.loc[name, "year"]
        assert third_derivative(f, tk - 0.3) * third_derivative(f, tk + 0.3) < 0
    ti = tab.loc["inflection", "year"]
    h = 1e-3
    d2 = lambda t: (f(t + h) - 2 * f(t) + f(t - h)) / h**2
    assert d2(ti - 0.3) > 0 > d2(ti + 0.3)


def test_boundaries_unidentified_gives_nan_and_reason():
    res = FakeRes("logistic", {"K": 1e6, "k": 0.1, "t0": 2060.0}, identified=False)
    tab = lc.boundaries(res)
    assert tab[["year", "ci_low", "ci_high", "share_of_ceiling"]].isna().all().all()
    assert "not identified" in tab.attrs["reason"]
    assert (tab["note"].str.contains("not identified")).all()
    res2 = FakeRes("logistic", {"K": 1.0, "k": 0.1, "t0": 2000.0}, converged=False)
    assert "did not converge" in lc.boundaries(res2).attrs["reason"]


def test_curve_unidentified_realtime_is_none_with_reason():
    t = np.arange(1990, 2009)
    s = pd.Series(logistic(t, k=0.3, t0=2015), index=t)  # only the early, convex part
    r = lc.classify(s, 2008, "curve", "realtime")
    assert r.stage is None
    assert "identified" in r.reason


# ----------------------------------------------------------------------------------------------
# signs / net entry: basics
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("year,stage", [(1998, Stage.EMBRYONIC), (2008, Stage.GROWTH),
                                        (2012, Stage.EXPANSION), (2022, Stage.TAKEOFF)])
def test_signs_noiseless_logistic_hindsight(year, stage):
    t = np.arange(1980, 2041)
    r = lc.classify(pd.Series(logistic(t), index=t), year, "signs", "hindsight")
    assert r.stage is stage, r.reason
    assert r.method == "signs" and r.information == "hindsight" and r.year == year


def test_signs_uneven_spacing_and_gaps_are_not_filled():
    t = np.arange(1980, 2041)
    s = pd.Series(logistic(t), index=t)
    s.loc[[1995, 2001, 2003, 2017]] = np.nan
    s = s.drop([1985, 1986, 2030])
    r = lc.classify(s, 2012, "signs", "hindsight")
    assert r.stage is Stage.EXPANSION
    assert r.evidence["gaps_dropped"] == [1995, 2001, 2003, 2017]
    assert 1995 not in r.evidence["years_used"]


def test_signs_landmarks_do_not_depend_on_the_classified_year():
    """Hindsight landmarks are a property of the series, whichever year is judged.

    With a grid of observation years only, a year inside a gap became a grid point of its
    own and could itself be the maximum of y'' (the Shanghai series put the lower knee at
    2010 when 2010 was judged and at 2011 when 2011 was judged).
    """
    # every exact value: 2002, 2007, 2009, 2010, 2016, ..., 2025 (gaps)
    shanghai = cr.data.shanghai_transactions(exclude_source_ids=())
    t = np.array([1990, 1992, 1993, 1997, 1998, 1999, 2004, 2005, 2008, 2012, 2013, 2016])
    synthetic = pd.Series(logistic(t), index=t)
    for s, years in [(shanghai, [2009, 2010, 2011, 2016]), (synthetic, [1993, 1999, 2005])]:
        marks = set()
        for y in years:
            r = lc.classify(s, y, "signs", "hindsight", window=5, min_points=8)
            assert r.stage is not None, r.reason
            marks.add(tuple(float(v) if np.isfinite(v) else None  # nan != nan in a set
                            for v in (r.evidence[k] for k in ("lower_knee", "inflection",
                                                               "upper_knee"))))
            grid = r.evidence["grid"]
            assert set(range(int(s.index.min()), int(s.index.max()) + 1)) <= set(grid)
        assert len(marks) == 1, marks


def test_signs_gap_at_year_cannot_classify():
    t = np.arange(1980, 2041)
    s = pd.Series(logistic(t), index=t)
    s.loc[2009:2014] = np.nan
    r = lc.classify(s, 2012, "signs", "hindsight")
    assert r.stage is None and "no observation within" in r.reason


def test_too_short_series_explicit_none():
    t = np.arange(2005, 2012)
    s = pd.Series(logistic(t), index=t)
    for method in ("signs", "net_entry", "curve"):
        r = lc.classify(s.iloc[:4], 2008, method, "realtime")
        assert r.stage is None
        assert "too short" in r.reason


def test_net_entry_negative_counts_raise():
    t = np.arange(1990, 2011)
    s = pd.Series(np.linspace(10, 100, len(t)), index=t)
    s.loc[2001] = -3
    with pytest.raises(ParameterError, match="negative firm counts at years \\[2001\\]"):
        lc.classify(s, 2008, "net_entry")


def test_net_entry_gort_klepper_rules():
    t = np.arange(1975, 2041)
    wave = logistic(t)
    r = lc.classify(pd.Series(wave, index=t), 1998, "net_entry", "hindsight")
    assert r.stage is Stage.EMBRYONIC and "stage 1" in r.reason
    r = lc.classify(pd.Series(wave, index=t), 2012, "net_entry", "hindsight")
    assert r.stage is Stage.GROWTH and "stage 2" in r.reason
    r = lc.classify(pd.Series(wave, index=t), 2030, "net_entry", "hindsight")
    assert r.stage is Stage.EXPANSION and "stage 3" in r.reason
    hump = wave * (1 - 0.6 / (1 + np.exp(-0.5 * (t - 2025))))
    r = lc.classify(pd.Series(hump, index=t), 2026, "net_entry", "hindsight")
    assert r.stage is Stage.TAKEOFF and "stage 4" in r.reason
    flat = pd.Series(np.full(len(t), 500.0), index=t)
    r = lc.classify(flat, 2020, "net_entry", "hindsight")
    assert r.stage is None and "cannot be told apart" in r.reason


@pytest.mark.parametrize("bad,match", [
    (pd.Series([1.0, 2.0], index=[2000.5, 2001]), "integer years"),
    (pd.Series([1.0, 2.0], index=[2000, 2000]), "duplicate years"),
    (pd.Series(["a", "b"], index=[2000, 2001]), "numeric"),
    ([1.0, 2.0], "pandas Series"),
])
def test_bad_series_raise(bad, match):
    with pytest.raises(ParameterError, match=match):
        lc.classify(bad, 2001, "signs")


def test_bad_options_raise():
    t = np.arange(1980, 2041)
    s = pd.Series(logistic(t), index=t)
    with pytest.raises(ValueError, match="method"):
        lc.classify(s, 2000, "tarot")
    with pytest.raises(ValueError, match="information"):
        lc.classify(s, 2000, "signs", "clairvoyant")
    with pytest.raises(ParameterError, match=r"unknown option\(s\) for method='signs': \['windw'\]"):
        lc.classify(s, 2000, "signs", windw=5)
    with pytest.raises(ParameterError, match="year"):
        lc.classify(s, 2000.5, "signs")


# ----------------------------------------------------------------------------------------------
# property: realtime classification ignores the future
# ----------------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(year=st.integers(1996, 2030),
       future=st.lists(st.one_of(st.floats(0, 1e6), st.just(float("nan"))), min_size=1,
                       max_size=15),
       seed=st.integers(0, 10_000),
       method=st.sampled_from(["signs", "net_entry"]))
def test_realtime_ignores_future_data(year, future, seed, method):
    t = np.arange(1975, 2041)
    rng = np.random.default_rng(seed)
    s = pd.Series(logistic(t) * np.exp(0.05 * rng.standard_normal(len(t))), index=t)
    r1 = lc.classify(s, year, method, "realtime")
    s2 = s.copy()
    later = s2.index[s2.index > year]
    vals = np.resize(np.asarray(future, float), len(later))
    s2.loc[later] = vals
    s2.loc[2041] = 123.0  # an extra later year too
    r2 = lc.classify(s2, year, method, "realtime")
    assert r1.stage == r2.stage
    assert r1.reason == r2.reason


@settings(max_examples=5, deadline=None)
@given(year=st.integers(2012, 2018), scale=st.floats(0.1, 10.0))
def test_realtime_curve_ignores_future_data(year, scale):
    t = np.arange(1995, 2031)
    rng = np.random.default_rng(1)
    s = pd.Series(logistic(t) * np.exp(0.05 * rng.standard_normal(len(t))), index=t)
    s2 = s.copy()
    s2.loc[s2.index > year] *= scale
    r1 = lc.classify(s, year, "curve", "realtime")
    r2 = lc.classify(s2, year, "curve", "realtime")
    assert r1.stage == r2.stage and r1.reason == r2.reason


# ----------------------------------------------------------------------------------------------
# scorecard on a synthetic panel with the contract's columns
# ----------------------------------------------------------------------------------------------
def _panel():
    """Four regions with designed profiles, 2015-2018."""
    rows = []
    years = [2015, 2016, 2017, 2018]
    # region: (firms growth, sales growth by year, level multiplier)
    prof = {
        "甲": {"fg": 0.30, "sg": [0.10, 0.20, 0.35, 0.50], "lev": 0.5},   # fast, accelerating
        "乙": {"fg": 0.25, "sg": [0.60, 0.50, 0.40, 0.30], "lev": 0.6},   # fast, decelerating
        "丙": {"fg": 0.01, "sg": [0.05, 0.05, 0.04, 0.03], "lev": 2.0},   # high level, slow
        "丁": {"fg": 0.00, "sg": [0.02, 0.02, 0.02, 0.01], "lev": 0.2},   # low, slow
    }
    codes = {"甲": "110000", "乙": "120000", "丙": "310000", "丁": "540000"}
    en = {"甲": "Jia", "乙": "Yi", "丙": "Bing", "丁": "Ding"}
    for reg, p in prof.items():
        firms, sales = 1000.0, 100.0
        bb, mob = 100.0, 100.0
        for i, y in enumerate(years):
            if i:
                firms *= 1 + p["fg"]
                sales *= 1 + p["sg"][i]
                bb *= 1 + p["fg"] / 2
                mob *= 1 + p["fg"] / 2
            vals = {
                "ecommerce_sales": sales * p["lev"], "ecommerce_purchases": 50 * p["lev"] ** 2,
                "ecommerce_firms": firms, "ecommerce_firms_share": 10 * p["lev"],
                "websites_per_100_firms": 40 * p["lev"], "computers_per_100_people": 30 * p["lev"],
                "broadband_users": bb, "mobile_internet_users": mob,
            }
            for ind, v in vals.items():
                rows.append({"region_code": codes[reg], "region": reg, "region_en": en[reg],
                             "year": y, "indicator": ind, "indicator_zh": ind, "value": v,
                             "unit": "", "source_id": "synthetic"})
    return pd.DataFrame(rows)


def test_scorecard_synthetic_profiles():
    panel = _panel()
    expect = {"甲": Stage.GROWTH, "乙": Stage.EXPANSION, "丙": Stage.TAKEOFF, "丁": Stage.EMBRYONIC}
    for reg, stage in expect.items():
        r = lc.scorecard(reg, 2018, panel=panel)
        assert r.stage is stage, (reg, r.reason)
        assert set(r.evidence["dimensions"]) == {"gathering", "scale", "links", "infrastructure"}
        comp = r.evidence["components"]
        assert comp["percentile"].between(0, 1).all()
    assert lc.scorecard("Bing", 2018, panel=panel).evidence["region"] == "丙"
    assert lc.scorecard("310000", 2018, panel=panel).evidence["region"] == "丙"
    assert lc.scorecard("上海市", 2018, panel=panel).evidence["region"] == "丙"
    r = lc.classify(None, 2018, "scorecard", region="甲", panel=panel)
    assert r.stage is Stage.GROWTH and r.method == "scorecard"


def test_scorecard_out_of_range_and_missing():
    panel = _panel()
    r = lc.scorecard("丙", 2010, panel=panel)
    assert r.stage is None and "2015-2018" in r.reason
    r = lc.scorecard("丙", 2016, panel=panel)  # no acceleration yet (needs t-2)
    assert r.stage is None and "acceleration missing" in r.reason
    with pytest.raises(ParameterError, match="region 'Atlantis'"):
        lc.scorecard("Atlantis", 2018, panel=panel)
    gap = panel[~((panel.region == "甲") & (panel.year == 2017)
                  & (panel.indicator == "ecommerce_sales"))]
    r = lc.scorecard("甲", 2018, panel=gap)  # growth needs consecutive years: not bridged
    assert r.stage is None


def test_scorecard_shanghai_2010_packaged_panel():
    r = lc.scorecard("上海", 2010)
    assert r.stage is None and "2015" in r.reason
    # any name of a province (data.find_region), also an autonomous region's full name
    assert lc.scorecard("广西壮族自治区", 2010).evidence["region"] == "广西"


# ----------------------------------------------------------------------------------------------
# ensemble and probabilities
# ----------------------------------------------------------------------------------------------
def test_ensemble_reports_each_method():
    t = np.arange(1980, 2041)
    s = pd.Series(logistic(t), index=t)
    r = lc.classify(s, 2022, "ensemble", "hindsight", counts=s)
    tab = r.evidence["table"]
    assert set(tab.index) == {"curve", "signs", "net_entry"}
    assert r.evidence["agree"] is False  # net entry says GK stage 3 (扩大), curve/signs 起飞
    assert r.stage is Stage.TAKEOFF and "majority" in r.reason
    r2 = lc.classify(s, 2022, "ensemble", "hindsight")
    assert r2.evidence["agree"] is True and r2.stage is Stage.TAKEOFF


def test_stage_probabilities_curve_and_signs():
    t = np.arange(2004, 2014)
    rng = np.random.default_rng(5)
    s = pd.Series(logistic(t, k=0.5) * np.exp(0.05 * rng.standard_normal(len(t))), index=t)
    for kind in ("parametric", "residual"):
        p = lc.stage_probabilities(s, 2012, n_boot=300, seed=1, kind=kind,
                                   information="hindsight")
        probs = p[list(Stage)]
        assert probs.sum() == pytest.approx(1.0)
        assert p["n_boot"] == 300 and 0 <= p["n_failed"] <= 300
        assert p.attrs["kind"] == kind
        p2 = lc.stage_probabilities(s, 2012, n_boot=300, seed=1, kind=kind,
                                    information="hindsight")
        pd.testing.assert_series_equal(p, p2)
    t = np.arange(1980, 2041)
    s = pd.Series(logistic(t) * np.exp(0.05 * rng.standard_normal(len(t))), index=t)
    for kind in ("parametric", "residual"):
        p = lc.stage_probabilities(s, 1998, method="signs", n_boot=200, kind=kind,
                                   information="hindsight")
        assert p[Stage.EMBRYONIC] > 0.9


def test_stage_probabilities_unidentified_reports_failures():
    t = np.arange(1990, 2005)
    s = pd.Series(logistic(t, t0=2015), index=t)
    p = lc.stage_probabilities(s, 2004, n_boot=100)
    assert p[list(Stage)].isna().all()
    assert p["n_failed"] == 100
    assert "identified" in p.attrs["reason"]


def test_richards_boundaries_match_growth_inflection():
    t = np.arange(1995, 2031)
    y = 1000 * (1 + np.exp(-0.3 * (t - 2010))) ** (-1 / 2.5)
    res = growth.fit(t, y * (1 + 0.002 * np.cos(t)), model="richards")
    assert res.converged and res.identified, res.identified_reason
    tab = lc.boundaries(res)
    # growth reports the Richards inflection in closed form; boundaries() finds it numerically
    assert tab.loc["inflection", "year"] == pytest.approx(res.inflection, abs=1e-3)
    assert tab.loc["lower_knee", "year"] < tab.loc["inflection", "year"] < tab.loc[
        "upper_knee", "year"]
    assert np.isfinite(tab["ci_low"]).all()


def test_bootstrap_refit_matches_independent_curve_fit():
    """The residual bootstrap refits each replicate with GrowthResults.refit (the growth solver
    path); each refit must equal an independent scipy.optimize.curve_fit of the formula written
    out here."""
    from scipy.optimize import curve_fit

    t = np.arange(2004, 2014, dtype=float)
    rng = np.random.default_rng(3)
    forms = {"logistic": lambda x, K, r, t0: K / (1 + np.exp(-r * (x - t0))),
             "gompertz": lambda x, K, r, t0: K * np.exp(-np.exp(-r * (x - t0)))}
    for model, f in (("logistic", lambda x: logistic(x, k=0.5)),
                     ("gompertz", lambda x: gompertz(x, b=0.4))):
        for errors in ("multiplicative", "additive"):
            res = growth.fit(t, f(t) * np.exp(0.05 * rng.standard_normal(len(t))),
                             model=model, errors=errors)
            Y = f(t)[None, :] * np.exp(0.05 * rng.standard_normal((5, len(t))))
            for i in range(5):
                th, ok = res.refit(Y[i])
                assert ok
                g = forms[model]
                if errors == "multiplicative":
                    ref, _ = curve_fit(lambda x, *p: np.log(g(x, *p)), t, np.log(Y[i]),
                                       p0=res.params.to_numpy(), xtol=1e-14, ftol=1e-14)
                else:
                    ref, _ = curve_fit(g, t, Y[i], p0=res.params.to_numpy(), xtol=1e-14,
                                       ftol=1e-14)
                np.testing.assert_allclose(th.to_numpy(), ref, rtol=1e-5)


def test_scorecard_ignores_later_years():
    panel = _panel()
    r1 = lc.scorecard("甲", 2017, panel=panel)
    p2 = panel.copy()
    p2.loc[p2.year == 2018, "value"] *= 7.0
    r2 = lc.scorecard("甲", 2017, panel=p2)
    assert r1.stage == r2.stage and r1.reason == r2.reason


def test_ensemble_single_method_is_not_agreement():
    t = np.arange(2000, 2009)  # too short for signs, long enough for a curve
    s = pd.Series(logistic(t, k=0.6, t0=2003), index=t)
    r = lc.classify(s, 2008, "ensemble", "hindsight")
    assert r.evidence["n_classified"] == 1
    assert r.evidence["agree"] is False
    assert r.reason.startswith("only curve could classify")


def test_scorecard_percentiles_are_mid_ranks_of_the_data():
    """pct = (#{q: x_q < x_r} + #{q: x_q = x_r} / 2) / n, counted here on the NBS values."""
    panel = cr.data.load("provincial_panel")
    tab = lc.scorecard_table(2024)
    for indicator, comp in (("websites_per_100_firms", "websites"),
                            ("computers_per_100_people", "computers")):
        x = panel[(panel.indicator == indicator) & (panel.year == 2024)].set_index(
            "region")["value"].dropna()
        assert len(x) == 31
        for r in x.index:
            expected = ((x < x[r]).sum() + (x == x[r]).sum() / 2) / len(x)
            assert tab.loc[r, f"pct_{comp}"] == pytest.approx(expected, abs=1e-12), (comp, r)
