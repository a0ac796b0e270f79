"""Unit tests for cluster_research.growth: arithmetic, input errors, results API, inference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cluster_research import growth
from cluster_research.errors import ParameterError

YEARS = np.arange(2001, 2013)


def logistic(t, K=100.0, k=0.7, t0=2007.0):
    return K / (1 + np.exp(-k * (t - t0)))


def noisy_logistic(seed=1, sigma=2.0):
    rng = np.random.default_rng(seed)
    return logistic(YEARS) + rng.normal(0, sigma, YEARS.size)


# -- the paper's arithmetic: 250多亿元 (2002) -> 4252.8亿元 (2010), "近16倍" ----------------------------
def test_fold_change_and_increase_multiple_paper():
    assert growth.fold_change(250, 4252.8) == pytest.approx(17.0112, abs=1e-12)
    assert growth.increase_multiple(250, 4252.8) == pytest.approx(16.0112, abs=1e-12)
    assert round(growth.increase_multiple(250, 4252.8)) == 16  # "上升了近16倍"


def test_cagr_paper_by_hand():
    # (4252.8 / 250) ** (1 / 8) - 1 written out: ratio 17.0112, eighth root 1.425089
    expected = math.exp(math.log(17.0112) / 8) - 1
    assert growth.cagr(250, 4252.8, 8) == pytest.approx(expected, rel=1e-12)
    assert growth.cagr(250, 4252.8, 8) == pytest.approx(0.4251, abs=5e-5)  # ~42.5 %/yr


def test_doubling_time_by_hand():
    g = growth.cagr(250, 4252.8, 8)
    assert growth.doubling_time(g) == pytest.approx(math.log(2) / math.log(1 + g), rel=1e-12)
    # 8 years for a 17.0112-fold change: doubling time = 8 ln 2 / ln 17.0112 = 1.9567 years
    assert growth.doubling_time(g) == pytest.approx(8 * math.log(2) / math.log(17.0112), rel=1e-12)
    assert growth.doubling_time(0.07, kind="continuous") == pytest.approx(math.log(2) / 0.07)
    assert growth.doubling_time(1.0) == pytest.approx(1.0)  # 100 % a year doubles in one year


@pytest.mark.parametrize("bad", [0, -1, np.nan, np.inf])
def test_arithmetic_rejects_bad_values(bad):
    with pytest.raises(ParameterError, match="v0 must be a finite positive number"):
        growth.fold_change(bad, 10)
    with pytest.raises(ParameterError, match="years must be a finite positive number"):
        growth.cagr(10, 20, bad)
    with pytest.raises(ParameterError, match="rate must be a finite positive number"):
        growth.doubling_time(bad)


# -- input validation ------------------------------------------------------------------------------
def test_too_few_points():
    with pytest.raises(ParameterError, match="3 free parameters"):
        growth.fit([2001, 2002], [1.0, 2.0], model="logistic")


def test_nonfinite_value_names_year():
    y = noisy_logistic()
    y[4] = np.nan
    with pytest.raises(ParameterError, match="2005"):
        growth.fit(YEARS, y)


def test_nonpositive_with_multiplicative_names_year():
    y = noisy_logistic()
    y[2] = 0.0
    with pytest.raises(ParameterError, match="2003.*multiplicative"):
        growth.fit(YEARS, y, errors="multiplicative")
    with pytest.raises(ParameterError, match="2003"):
        growth.fit(YEARS, y, model="exponential", errors="multiplicative")


def test_duplicate_and_unsorted_years():
    y = noisy_logistic()
    t = YEARS.copy()
    t[5] = t[4]
    with pytest.raises(ParameterError, match="duplicate year 2005 at index 4 and 5"):
        growth.fit(t, y)
    t = YEARS.copy()
    t[[3, 4]] = t[[4, 3]]
    with pytest.raises(ParameterError, match="not sorted: 2004 at index 4 follows 2005"):
        growth.fit(t, y)


def test_bad_weights_and_options():
    y = noisy_logistic()
    w = np.ones_like(y)
    w[3] = -1
    with pytest.raises(ParameterError, match="weight for year 2004"):
        growth.fit(YEARS, y, weights=w)
    with pytest.raises(ParameterError, match="model"):
        growth.fit(YEARS, y, model="weibull")
    with pytest.raises(ParameterError, match="errors"):
        growth.fit(YEARS, y, errors="poisson")
    with pytest.raises(ParameterError, match="length|entries"):
        growth.fit(YEARS, y[:-1])


# -- non-convergence is a result, not an exception ---------------------------------------------
def test_nonconvergence_reported():
    y = noisy_logistic()
    res = growth.fit(YEARS, y, model="logistic", max_nfev=1)
    assert res.converged is False
    assert "maximum number of function evaluations" in res.convergence_message
    assert res.identified is False and "did not converge" in res.identified_reason
    res = growth.fit(YEARS, y, model="richards", start={"K": 50, "k": 0.1, "t0": 2000, "nu": 2},
                     max_nfev=2)
    assert res.converged is False


def test_nls_nonconvergence_reported():
    x = np.arange(1.0, 10.0)
    y = 5 * (1 - np.exp(-0.3 * x)) + 0.01 * np.sin(x)
    res = growth.nls(lambda x, b: b[0] * (1 - np.exp(-b[1] * x)), x, y, [100, 0.001], max_nfev=2)
    assert res.converged is False and res.convergence_message


# -- exact recovery, uneven spacing, weights, start -----------------------------------------
@pytest.mark.parametrize("errors", ["additive", "multiplicative"])
def test_exact_recovery_with_gaps(errors):
    t = np.array([2000, 2001, 2003, 2004, 2007, 2008, 2009, 2012, 2013, 2015.0])
    K, b, t0 = 250.0, 0.45, 2006.5
    y = K * np.exp(-np.exp(-b * (t - t0)))
    res = growth.fit(t, y, model="gompertz", errors=errors)
    assert res.converged
    np.testing.assert_allclose(res.params, [K, b, t0], rtol=1e-7)
    assert res.inflection == pytest.approx(t0)
    assert res.t_ref == pytest.approx(t.mean())


def test_richards_nests_logistic():
    y = noisy_logistic(3)
    lo = growth.fit(YEARS, y, model="logistic")
    ri = growth.fit(YEARS, y, model="richards", fix={"nu": 1.0})
    np.testing.assert_allclose(ri.params[["K", "k", "t0"]], lo.params, rtol=1e-6)
    assert ri.rss == pytest.approx(lo.rss, rel=1e-9)
    full = growth.fit(YEARS, y, model="richards")
    assert full.rss <= lo.rss * (1 + 1e-9)
    assert full.inflection == pytest.approx(
        full.params["t0"] - np.log(full.params["nu"]) / full.params["k"])


def test_constant_weights_do_not_change_estimates():
    y = noisy_logistic(4)
    a = growth.fit(YEARS, y)
    b = growth.fit(YEARS, y, weights=np.full(y.size, 3.0))
    np.testing.assert_allclose(a.params, b.params, rtol=1e-7)
    np.testing.assert_allclose(a.bse, b.bse, rtol=1e-6)
    w = np.linspace(1, 3, y.size)
    c = growth.fit(YEARS, y, weights=w)
    assert not np.allclose(a.params, c.params, rtol=1e-6)


def test_refit_from_start_is_local_and_matches():
    y = noisy_logistic(5)
    res = growth.fit(YEARS, y, model="gompertz")
    again = growth.fit(YEARS, y, model="gompertz", start=res.params)
    np.testing.assert_allclose(again.params, res.params, rtol=1e-8)
    again2 = growth.fit(YEARS, y, model="gompertz", start=res.params.to_dict())
    np.testing.assert_allclose(again2.params, res.params, rtol=1e-8)
    assert again.settings["start"]["t0"] == pytest.approx(res.params["t0"])
    assert res.convergence["starts"], "multistart record kept"


def test_series_input():
    y = pd.Series(noisy_logistic(6), index=YEARS)
    a = growth.fit(y, model="logistic")
    b = growth.fit(YEARS, y.to_numpy())
    np.testing.assert_allclose(a.params, b.params)


# -- exponential: log-linear OLS on statsmodels -----------------------------------------------
def test_exponential_matches_statsmodels_ols_and_robust_cov():
    import statsmodels.api as sm

    rng = np.random.default_rng(7)
    t = np.arange(2002, 2015.0)
    y = np.exp(1.0 + 0.3 * (t - 2002) + rng.normal(0, 0.05, t.size))
    for cov in ("nonrobust", "HC1", "HC3"):
        res = growth.fit(t, y, model="exponential", errors="multiplicative", cov_type=cov)
        ols = sm.OLS(np.log(y), sm.add_constant(t - t.mean())).fit(cov_type=cov)
        np.testing.assert_allclose(res.params, ols.params, rtol=1e-10)
        np.testing.assert_allclose(res.bse, ols.bse, rtol=1e-10)
    hac = growth.fit(t, y, model="exponential", errors="multiplicative", cov_type="HAC",
                     cov_kwds={"maxlags": 1})
    ols = sm.OLS(np.log(y), sm.add_constant(t - t.mean())).fit(cov_type="HAC",
                                                               cov_kwds={"maxlags": 1})
    np.testing.assert_allclose(hac.bse, ols.bse, rtol=1e-10)
    assert res.ceiling is None
    assert res.t_ref == pytest.approx(t.mean())
    assert res.curve([res.t_ref])[0] == pytest.approx(np.exp(res.params["a"]))


def test_exponential_profile_equals_wald_for_linear_model():
    """Log-linear model is linear in (a, r): the profile-t interval equals the Wald interval."""
    rng = np.random.default_rng(8)
    t = np.arange(2000, 2012.0)
    y = np.exp(2 + 0.2 * (t - 2000) + rng.normal(0, 0.1, t.size))
    res = growth.fit(t, y, model="exponential", errors="multiplicative")
    np.testing.assert_allclose(res.conf_int(method="profile"), res.conf_int(), rtol=1e-6)


def test_exponential_additive_errors():
    t = np.arange(2000, 2010.0)
    y = 3 * np.exp(0.25 * (t - 2000))
    res = growth.fit(t, y, model="exponential", errors="additive")
    assert res.params["r"] == pytest.approx(0.25, rel=1e-8)
    assert res.curve([2000])[0] == pytest.approx(3, rel=1e-8)


# -- results API ----------------------------------------------------------------------------
def test_results_api_and_information_criteria():
    y = noisy_logistic(9)
    res = growth.fit(YEARS, y)
    n, k = y.size, 3 + 1
    llf = -n / 2 * (np.log(2 * np.pi * res.rss / n) + 1)
    assert res.aic == pytest.approx(-2 * llf + 2 * k)
    assert res.aicc == pytest.approx(res.aic + 2 * k * (k + 1) / (n - k - 1))
    assert res.bic == pytest.approx(-2 * llf + np.log(n) * k)
    assert res.rss == pytest.approx(np.sum(res.resid**2))
    np.testing.assert_allclose(res.fittedvalues + res.resid, y)
    assert res.nobs == 12 and res.df_resid == 9
    assert list(res.params.index) == ["K", "k", "t0"]
    cov = res.cov_params()
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), res.bse)
    assert res.ceiling == res.params["K"]
    frame = res.to_frame()
    assert {"estimate", "std_err", "ci_low", "ci_high"} <= set(frame.columns)
    text = res.summary()
    assert "logistic" in text and "AICc" in text and "identified" in text
    assert res.model == "logistic" and res.form == "cumulative" and res.errors == "additive"
    np.testing.assert_array_equal(res.years, YEARS)


def test_covariance_is_s2_inverse_jtj():
    y = noisy_logistic(10)
    res = growth.fit(YEARS, y)
    K, k, t0 = res.params
    s = 1 / (1 + np.exp(-k * (YEARS - t0)))
    J = np.column_stack([s, K * s * (1 - s) * (YEARS - t0), -K * s * (1 - s) * k])
    cov = res.rss / (y.size - 3) * np.linalg.inv(J.T @ J)
    np.testing.assert_allclose(res.cov_params().to_numpy(), cov, rtol=1e-6)


def test_predict_delta_method():
    from scipy import stats

    y = noisy_logistic(11)
    res = growth.fit(YEARS, y)
    K, k, t0 = res.params
    x = np.array([2013.0, 2015.0])
    s = 1 / (1 + np.exp(-k * (x - t0)))
    G = np.column_stack([s, K * s * (1 - s) * (x - t0), -K * s * (1 - s) * k])
    se = np.sqrt(np.einsum("ij,jk,ik->i", G, res.cov_params().to_numpy(), G))
    ci = res.predict(x, interval="confidence")
    np.testing.assert_allclose(ci["mean"], K * s, rtol=1e-10)
    np.testing.assert_allclose(ci["se"], se, rtol=1e-10)
    c = stats.t.ppf(0.975, res.df_resid)
    np.testing.assert_allclose(ci["upper"], K * s + c * se, rtol=1e-10)
    pi = res.predict(x, interval="prediction")
    np.testing.assert_allclose(pi["se"], np.sqrt(se**2 + res.scale), rtol=1e-10)
    np.testing.assert_allclose(res.predict(x).to_numpy(), K * s)


def test_predict_multiplicative_is_positive_and_asymmetric():
    y = noisy_logistic(12) + 5
    res = growth.fit(YEARS, y, errors="multiplicative")
    pi = res.predict([2014, 2020], interval="prediction")
    assert (pi["lower"] > 0).all()
    assert ((pi["upper"] - pi["mean"]) > (pi["mean"] - pi["lower"])).all()


def test_profile_interval_contains_estimate_and_threshold():
    y = noisy_logistic(13)
    res = growth.fit(YEARS, y)
    prof = res.conf_int(method="profile")
    wald = res.conf_int()
    assert ((prof["lower"] < res.params) & (res.params < prof["upper"])).all()
    # profile and Wald agree to first order for a well-determined fit
    np.testing.assert_allclose(prof.to_numpy(), wald.to_numpy(), rtol=0.02)
    # at each profile limit, sqrt(RSS_profile - RSS)/s equals the t quantile
    from scipy import stats

    c = stats.t.ppf(0.975, res.df_resid)
    K_hi = prof.loc["K", "upper"]
    rss_hi = min(
        growth.fit(YEARS, y, fix={"K": K_hi}, start={"K": K_hi, "k": k0, "t0": t00}).rss
        for k0, t00 in [(res.params["k"], res.params["t0"]), (0.5, 2007.5)]
    )
    assert np.sqrt((rss_hi - res.rss) / res.scale) == pytest.approx(c, rel=1e-3)  # root tol 5e-4


def test_unidentified_ceiling_before_inflection():
    """Early-phase data (up to ~8 % of K): the ceiling is not identified and the fit says so."""
    rng = np.random.default_rng(14)
    t = np.arange(2000, 2009.0)
    y = logistic(t, K=1000, k=0.5, t0=2014) * np.exp(rng.normal(0, 0.05, t.size))
    res = growth.fit(t, y, model="logistic", errors="multiplicative")
    assert res.identified is False
    assert "ceiling" in res.identified_reason
    prof = res.conf_int(method="profile")
    assert prof.loc["K", "upper"] == np.inf or res.params["K"] > 2 * y.max()


def test_identified_when_plateau_observed():
    res = growth.fit(YEARS, noisy_logistic(15))
    assert res.identified is True


def test_ceiling_bound_data_option():
    y = noisy_logistic(16)
    res = growth.fit(YEARS, y, bounds={"K": "data"})
    assert res.params["K"] >= y.max() - 1e-9
    assert res.settings["bounds"]["K"][0] == pytest.approx(y.max())


def test_interval_form_logistic():
    t = np.arange(2001, 2016.0)
    lvl = lambda x: logistic(x, 500, 0.6, 2008)
    y = lvl(t) - lvl(t - 1)
    res = growth.fit(t, y, model="logistic", form="interval")
    np.testing.assert_allclose(res.params, [500, 0.6, 2008], rtol=1e-6)
    np.testing.assert_allclose(res.curve(t), lvl(t), rtol=1e-6)


# -- compare ---------------------------------------------------------------------------------
def test_compare_table():
    y = noisy_logistic(17)
    tab = growth.compare(YEARS, y, models=["exponential", "logistic", "gompertz"])
    assert tab.index[0] in ("logistic", "gompertz")
    assert {"aicc", "bic", "oos_rmse", "oos_mape", "oos_n"} <= set(tab.columns)
    assert not any("r2" in c.lower() or "rsquared" in c.lower() for c in tab.columns)
    assert tab["aicc"].is_monotonic_increasing
    m = 3 + 2
    assert (tab["oos_n"] + tab["oos_failures"] == YEARS.size - m).all()
    assert tab.loc["exponential", "oos_rmse"] > tab.loc["logistic", "oos_rmse"]


def test_nonlinear_sandwich_hc0():
    y = noisy_logistic(18)
    res = growth.fit(YEARS, y, cov_type="HC0")
    K, k, t0 = res.params
    s = 1 / (1 + np.exp(-k * (YEARS - t0)))
    J = np.column_stack([s, K * s * (1 - s) * (YEARS - t0), -K * s * (1 - s) * k])
    bread = np.linalg.inv(J.T @ J)
    e = y - K * s
    cov = bread @ (J.T * e**2) @ J @ bread
    np.testing.assert_allclose(res.cov_params().to_numpy(), cov, rtol=1e-5)
    assert res.cov_type == "HC0"


def test_richards_t0_cannot_be_fixed_and_covariance_maps():
    y = noisy_logistic(19)
    with pytest.raises(ParameterError, match="t0"):
        growth.fit(YEARS, y, model="richards", fix={"t0": 2007})
    res = growth.fit(YEARS, y, model="richards")
    # reported t0 = ti + ln(nu)/k: its variance via the delta method from the internal fit
    assert np.isfinite(res.bse["t0"]) and res.bse["t0"] > 0
    c = res.curve(YEARS)
    np.testing.assert_allclose(c, res.fittedvalues, rtol=1e-10)
    p = res.params
    np.testing.assert_allclose(
        c, p["K"] * (1 + np.exp(-p["k"] * (YEARS - p["t0"]))) ** (-1 / p["nu"]), rtol=1e-10)


def test_compare_interval_form():
    t = np.arange(2001, 2015.0)
    lvl = logistic(t, 500, 0.6, 2008) * (1 + 0.01 * np.cos(t))
    y = np.diff(np.r_[logistic(2000.0, 500, 0.6, 2008), lvl])
    tab = growth.compare(t, y, models=["logistic", "gompertz", "bass"], form="interval")
    assert set(tab.index) == {"logistic", "gompertz", "bass"}
    assert tab["converged"].all()


def test_covariance_available_for_large_scale_values():
    """Regression: the singularity check is scale invariant (K ~ 1e5, rates ~ 0.1)."""
    t = np.array([2002, 2007, 2009, 2010, 2016, 2019, 2021, 2025.0])
    y = 1.3e5 * np.exp(-np.exp(-0.08 * (t - 2025))) * np.exp(0.05 * np.cos(t))
    res = growth.fit(t, y, model="gompertz", errors="multiplicative")
    assert res.converged
    assert np.isfinite(res.bse).all()
    assert res.identified is False and "less than half" in res.identified_reason


@pytest.mark.parametrize("model", ["logistic", "gompertz", "richards"])
def test_refit_from_start_decides_identification_as_the_fit(model):
    """A refit from given values compares with the exponential's closed-form RSS too (not a
    ceiling profile at the cap, which ran a ridge solve per refit): same verdict, cheap."""
    y = noisy_logistic(5)
    res = growth.fit(YEARS, y, model=model)
    again = growth.fit(YEARS, y, model=model, start=res.params)
    assert again.convergence["exponential_rss"] == res.convergence["exponential_rss"]
    assert (again.identified, again.identified_reason) == (res.identified, res.identified_reason)
    profiles = [len(r.convergence.get("ceiling_profile_nfev", [])) for r in (res, again)]
    assert profiles[1] == profiles[0] <= 1


def test_ceiling_interval_reads_at_three_figures_and_says_when_it_runs_off():
    """Issue 26: notebook 02 glued "21,951–140,626,284" to the landing page. Ends are given to
    3 significant figures (hand-rounded here), an upper end above 10 x the estimate (or
    unbounded) reads as such, and an interval not computed says so (not "nan–nan")."""
    from cluster_research.growth import ceiling_interval_text, round_sig

    assert ceiling_interval_text(37355.0, 24715.0, 72960.0) == "24,700–73,000"
    assert ceiling_interval_text(69524.0, 21951.0, 140626284.0) == (
        "22,000 to more than 10× the estimate")
    assert ceiling_interval_text(100.0, 50.0, 1000.0) == "50–1,000"  # 10 x: not more
    assert ceiling_interval_text(5010.0, 1567.0, float("inf")) == "1,570 to ∞ (no upper limit)"
    assert ceiling_interval_text(8821.0, float("nan"), float("nan")) == "not computed"
    assert round_sig(272301973.0) == "272,000,000" and round_sig(0.0123456) == "0.0123"
