"""Tests for cluster_research.regression against published panel results.

Reference values
----------------
* Grunfeld one-way fixed effects ("within"), Baltagi, *Econometric Analysis of
  Panel Data* (3rd ed. 2005), Table 2.1: value 0.1101238 (SE 0.0118567),
  capital 0.3100653 (SE 0.0173545).  Cross-checked against R ``plm``'s printed
  ``summary(plm(inv ~ value + capital, data = Grunfeld, model = "within"))``
  (plm's Grunfeld *is* Baltagi's data, see ``?plm::Grunfeld``), reproduced at
  https://rforanalytics.com/9.2-fixed-effects-model.html :
  value 0.110124 (0.011857), capital 0.310065 (0.017355), RSS 523480,
  R-squared 0.76676, F 309.014 on 2 and 188 DF.
* Pooled OLS on the same data, R ``lm(inv ~ value + capital, data = Grunfeld)``
  (https://rstudio-pubs-static.s3.amazonaws.com/1418668_a483462501a0411f96484f33d46d5d4a.html):
  intercept -42.714369 (9.511676), value 0.115562 (0.005836),
  capital 0.230678 (0.025476).
* Pooled OLS with Stata ``regress ..., vce(cluster company)`` and Hoechle's
  ``xtscc ..., lag(4)`` (Driscoll–Kraay) on the same 200 observations, as
  stored in statsmodels' test suite
  (``statsmodels/regression/tests/results/results_grunfeld_ols_robust_cluster.py``).

statsmodels' Grunfeld copy has 11 firms (it includes "American Steel", which is
in Grunfeld's thesis but not in Baltagi's 10-firm sample); we drop it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _reference import BALTAGI_FIRMS, sig_round

from cluster_research import regression as reg
from cluster_research.errors import DataValidationError, ParameterError


def demean(df, cols, by):
    return df[cols] - df.groupby(by)[cols].transform("mean")


# ----------------------------------------------------------------- the sample
def test_statsmodels_grunfeld_has_eleven_firms_and_baltagi_sample_is_ten(grunfeld, baltagi):
    assert grunfeld["firm"].nunique() == 11
    assert set(grunfeld["firm"]) - set(BALTAGI_FIRMS) == {"American Steel"}
    assert len(baltagi) == 200
    assert baltagi["firm"].nunique() == 10
    assert (baltagi["year"].min(), baltagi["year"].max()) == (1935, 1954)
    assert baltagi.groupby("firm").size().eq(20).all()


# ----------------------------------------------------------------- Baltagi Table 2.1
def test_within_matches_baltagi_table_2_1(baltagi):
    res = reg.panel(baltagi, "invest ~ value + capital", entity="firm", time="year")
    # coefficients to 6 significant digits, SEs to 4 (Baltagi 2005, Table 2.1)
    assert sig_round(res.params["value"], 6) == sig_round(0.1101238, 6)
    assert sig_round(res.params["capital"], 6) == sig_round(0.3100653, 6)
    assert sig_round(res.bse["value"], 4) == sig_round(0.0118567, 4)
    assert sig_round(res.bse["capital"], 4) == sig_round(0.0173545, 4)
    # plm's printed summary of the same model
    assert round(float(res.params["value"]), 6) == 0.110124
    assert round(float(res.bse["capital"]), 6) == 0.017355
    assert round(res.rsquared_within, 5) == 0.76676
    assert round(float(res.sm.ssr), -1) == 523480
    assert res.df_resid == 188
    assert round(float(res.sm.fvalue), 3) == 309.014
    assert (res.nobs, res.n_entities, res.n_periods) == (200, 10, 20)
    assert res.effects == "entity" and res.cov_type == "nonrobust" and res.balanced


def test_pooled_matches_published_lm_output(baltagi):
    res = reg.pooled(baltagi, "invest ~ value + capital")
    expected = {"Intercept": (-42.714369, 9.511676), "value": (0.115562, 0.005836),
                "capital": (0.230678, 0.025476)}
    for term, (b, se) in expected.items():
        assert sig_round(res.params[term], 6) == sig_round(b, 6)
        assert sig_round(res.bse[term], 4) == sig_round(se, 4)
    assert round(res.rsquared_within, 4) == 0.8124  # lm's Multiple R-squared


def test_pooled_cluster_matches_stata_regress_vce_cluster(baltagi):
    # Stata: regress invest mvalue kstock, vce(cluster company)
    res = reg.pooled(baltagi, "invest ~ value + capital", entity="firm", cov_type="cluster")
    np.testing.assert_allclose(res.bse[["value", "capital", "Intercept"]].to_numpy(),
                               [.01589433647768, .08496711097464, 20.425202580078], rtol=1e-7)
    np.testing.assert_allclose(res.coef_table.set_index("term").loc["value", "p_value"],
                               .00004710548549, rtol=1e-6)


def test_pooled_driscoll_kraay_matches_stata_xtscc(baltagi):
    # Stata (Hoechle 2007): xtscc invest mvalue kstock, lag(4)
    res = reg.pooled(baltagi, "invest ~ value + capital", entity="firm", time="year",
                     cov_type="driscoll-kraay", maxlags=4)
    np.testing.assert_allclose(res.bse[["value", "capital", "Intercept"]].to_numpy(),
                               [.0134360177573, .04930800664089, 12.190347184209], rtol=1e-7)
    tab = res.coef_table.set_index("term")
    np.testing.assert_allclose(tab.loc["value", "p_value"], .00001235433261, rtol=1e-6)
    np.testing.assert_allclose(tab.loc["Intercept", ["ci_low", "ci_high"]].astype(float),
                               [-70.290850216489, -15.137887816977], rtol=1e-6)
    assert res.maxlags == 4


# ----------------------------------------------------------------- robust SEs = statsmodels
def _demeaned(baltagi, twoway=False):
    cols = ["invest", "value", "capital"]
    d = baltagi.sort_values(["firm", "year"]).reset_index(drop=True)
    w = demean(d, cols, d["firm"])
    if twoway:
        w = w - w.groupby(d["year"]).transform("mean")
    return d, w


def test_cluster_and_dk_equal_statsmodels_on_demeaned_design(baltagi):
    import statsmodels.api as sm

    d, w = _demeaned(baltagi)
    ols = sm.OLS(w["invest"], w[["value", "capital"]]).fit()
    firm = pd.factorize(d["firm"], sort=True)[0]
    year = pd.factorize(d["year"], sort=True)[0]

    cl = ols.get_robustcov_results(cov_type="cluster", groups=firm, use_t=True)
    res = reg.panel(baltagi, "invest ~ value + capital", "firm", "year", cov_type="cluster")
    np.testing.assert_allclose(res.bse.to_numpy(), cl.bse, rtol=1e-10)
    np.testing.assert_allclose(res.coef_table["p_value"], cl.pvalues, rtol=1e-8)

    dk = sm.OLS(w["invest"], w[["value", "capital"]]).fit(
        cov_type="hac-groupsum", cov_kwds={"time": year, "maxlags": 3, "use_correction": False})
    res = reg.panel(baltagi, "invest ~ value + capital", "firm", "year",
                    cov_type="driscoll-kraay", maxlags=3)
    np.testing.assert_allclose(res.bse.to_numpy(), dk.bse, rtol=1e-10)


def test_dk_equals_hand_computed_driscoll_kraay(baltagi):
    """Driscoll–Kraay by hand: Newey–West (Bartlett) on cross-sectional score sums."""
    d, w = _demeaned(baltagi, twoway=True)
    X = w[["value", "capital"]].to_numpy()
    y = w["invest"].to_numpy()
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    u = y - X @ beta
    h = pd.DataFrame(X * u[:, None]).groupby(d["year"].to_numpy()).sum().to_numpy()
    L = 2
    S = h.T @ h
    for lag in range(1, L + 1):
        g = h[lag:].T @ h[:-lag]
        S += (1 - lag / (L + 1)) * (g + g.T)
    Q = np.linalg.inv(X.T @ X)
    se = np.sqrt(np.diag(Q @ S @ Q))
    res = reg.panel(baltagi, "invest ~ value + capital", "firm", "year", effects="twoway",
                    cov_type="driscoll-kraay")
    assert res.maxlags == 2  # floor(4 (20/100)^(2/9))
    np.testing.assert_allclose(res.bse.to_numpy(), se, rtol=1e-9)


def test_hc1_uses_fe_corrected_dof(baltagi):
    _d, w = _demeaned(baltagi)
    X = w[["value", "capital"]].to_numpy()
    y = w["invest"].to_numpy()
    Q = np.linalg.inv(X.T @ X)
    u = y - X @ (Q @ X.T @ y)
    meat = (X * u[:, None] ** 2).T @ X
    se = np.sqrt(np.diag(Q @ meat @ Q) * 200 / (200 - 2 - 10))
    res = reg.panel(baltagi, "invest ~ value + capital", "firm", "year", cov_type="HC1")
    np.testing.assert_allclose(res.bse.to_numpy(), se, rtol=1e-10)


# ----------------------------------------------------------------- two-way / unbalanced
def _lsdv(df, formula_rhs, effects):
    import statsmodels.formula.api as smf

    fe = {"entity": "C(firm)", "time": "C(year)", "twoway": "C(firm) + C(year)"}[effects]
    return smf.ols(f"invest ~ {formula_rhs} + {fe}", data=df).fit()


@pytest.mark.parametrize("effects", ["entity", "time", "twoway"])
def test_within_equals_dummy_variable_regression_balanced(baltagi, effects):
    res = reg.panel(baltagi, "invest ~ value + capital", "firm", "year", effects=effects)
    lsdv = _lsdv(baltagi, "value + capital", effects)
    for t in ("value", "capital"):
        np.testing.assert_allclose(res.params[t], lsdv.params[t], rtol=1e-9)
        np.testing.assert_allclose(res.bse[t], lsdv.bse[t], rtol=1e-9)
    assert res.df_resid == lsdv.df_resid


@pytest.mark.parametrize("effects", ["entity", "twoway"])
def test_within_equals_dummy_variable_regression_unbalanced(baltagi, effects):
    rng = np.random.default_rng(5)
    drop = rng.choice(len(baltagi), size=23, replace=False)
    unb = baltagi.drop(index=drop).reset_index(drop=True)
    res = reg.panel(unb, "invest ~ value + capital", "firm", "year", effects=effects)
    assert not res.balanced
    lsdv = _lsdv(unb, "value + capital", effects)
    for t in ("value", "capital"):
        np.testing.assert_allclose(res.params[t], lsdv.params[t], rtol=1e-8)
        np.testing.assert_allclose(res.bse[t], lsdv.bse[t], rtol=1e-8)
    assert res.df_resid == lsdv.df_resid
    # naive double demeaning is wrong on unbalanced panels: make sure we differ from it
    if effects == "twoway":
        d = unb.copy()
        cols = ["invest", "value", "capital"]
        w = (d[cols] - d.groupby("firm")[cols].transform("mean")
             - d.groupby("year")[cols].transform("mean") + d[cols].mean())
        naive = np.linalg.lstsq(w[["value", "capital"]], w["invest"], rcond=None)[0]
        assert abs(naive[0] - res.params["value"]) > 1e-6


def test_first_difference_equals_ols_on_differences(baltagi):
    import statsmodels.api as sm

    d = baltagi.sort_values(["firm", "year"])
    dd = d.groupby("firm")[["invest", "value", "capital"]].diff().dropna()
    ols = sm.OLS(dd["invest"], sm.add_constant(dd[["value", "capital"]])).fit()
    res = reg.first_difference(baltagi, "invest ~ value + capital", "firm", "year")
    np.testing.assert_allclose(res.params[["Intercept", "value", "capital"]].to_numpy(), ols.params, rtol=1e-10)
    np.testing.assert_allclose(res.bse.to_numpy(), ols.bse, rtol=1e-10)
    assert res.nobs == 190


def test_first_difference_does_not_difference_across_gaps():
    d = pd.DataFrame({"e": ["a"] * 4 + ["b"] * 4, "t": [1, 2, 4, 5] * 2,
                      "x": [1., 2., 5., 7., 0., 1., 1., 4.],
                      "y": [2., 4., 10., 14., 1., 3., 3., 9.]})
    res = reg.first_difference(d, "y ~ x", "e", "t", constant=False)
    assert res.nobs == 4
    assert list(res.dropped["time"]) == [4, 4]
    np.testing.assert_allclose(res.params["x"], 2.0)


# ----------------------------------------------------------------- tidy table, extras
def test_coef_table_columns_and_ci(baltagi):
    res = reg.panel(baltagi, "invest ~ value + capital", "firm", "year")
    assert list(res.coef_table.columns) == ["term", "estimate", "std_error", "t", "p_value",
                                            "ci_low", "ci_high"]
    from scipy import stats

    q = stats.t.ppf(0.975, 188)
    row = res.coef_table.iloc[0]
    np.testing.assert_allclose(row["ci_low"], row["estimate"] - q * row["std_error"])
    s = res.summary()
    assert "effects: entity" in s and "within R²" in s and "value" in s


def test_elasticities_forms():
    rng = np.random.default_rng(1)
    n_e, n_t = 8, 6
    df = pd.DataFrame({"e": np.repeat(np.arange(n_e), n_t), "t": np.tile(np.arange(n_t), n_e)})
    df["x"] = rng.uniform(1, 5, len(df))
    df["z"] = rng.uniform(1, 5, len(df))
    df["y"] = np.exp(0.7 * np.log(df["x"]) + 0.1 * df["z"] + rng.normal(0, .05, len(df)))
    df["log_y"], df["log_x"] = np.log(df["y"]), np.log(df["x"])
    res = reg.panel(df, "log_y ~ log_x + z", "e", "t")
    el = res.elasticities().set_index("term")
    assert el.loc["log_x", "form"] == "log-log"
    np.testing.assert_allclose(el.loc["log_x", "elasticity"], res.params["log_x"])
    assert el.loc["z", "form"] == "log-level"
    np.testing.assert_allclose(el.loc["z", "elasticity"], res.params["z"] * df["z"].mean())
    res2 = reg.panel(df, "y ~ np.log(x)", "e", "t")
    el2 = res2.elasticities().set_index("term")
    assert el2.loc["np.log(x)", "form"] == "level-log"
    np.testing.assert_allclose(el2.loc["np.log(x)", "elasticity"],
                               res2.params["np.log(x)"] / df["y"].mean())


def test_vif_two_regressors_hand_computed():
    x1 = np.array([1., 2., 3., 4., 5.])
    x2 = np.array([2., 1., 4., 3., 5.])
    r = np.corrcoef(x1, x2)[0, 1]
    assert np.isclose(r, 0.8)
    v = reg.vif(pd.DataFrame({"x1": x1, "x2": x2}))
    np.testing.assert_allclose(v["vif"], [1 / (1 - 0.64)] * 2)


def test_diagnostics_table(baltagi):
    from scipy import stats

    res = reg.panel(baltagi, "invest ~ value + capital", "firm", "year")
    diag = res.diagnostics().set_index("test")
    assert set(diag.index) == {"Jarque-Bera", "Breusch-Pagan", "Wooldridge AR(1)", "Pesaran CD"}
    jb = stats.jarque_bera(res.resid)
    np.testing.assert_allclose(diag.loc["Jarque-Bera", "statistic"], jb.statistic, rtol=1e-10)
    assert diag.loc["Wooldridge AR(1)", "df"] == "1, 9"


def _sim_panel(rho=0.0, factor=0.0, n_e=30, n_t=12, seed=0):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n_t)
    rows = []
    for i in range(n_e):
        a = rng.normal()
        e_prev = rng.normal()
        for t in range(n_t):
            e = rho * e_prev + rng.normal() + factor * f[t]
            e_prev = e
            x = rng.normal()
            rows.append((i, t, x, a + 1.5 * x + e))
    return pd.DataFrame(rows, columns=["e", "t", "x", "y"])


def test_wooldridge_test_detects_ar1_and_not_iid():
    strong = reg.panel(_sim_panel(rho=0.9, seed=1), "y ~ x", "e", "t").diagnostics()
    iid = reg.panel(_sim_panel(rho=0.0, seed=2), "y ~ x", "e", "t").diagnostics()
    p_strong = strong.set_index("test").loc["Wooldridge AR(1)", "p_value"]
    p_iid = iid.set_index("test").loc["Wooldridge AR(1)", "p_value"]
    assert p_strong < 0.01
    assert p_iid > 0.01


def test_pesaran_cd_hand_computed_and_detects_common_factor():
    resid = np.array([1., 2., 3., 4., 2., 1., 4., 3., 4., 3., 2., 1.])
    ent = np.repeat(["a", "b", "c"], 4)
    tim = np.tile([1, 2, 3, 4], 3)
    M = resid.reshape(3, 4)
    rho = np.corrcoef(M)
    cd = np.sqrt(2 / (3 * 2)) * np.sqrt(4) * (rho[0, 1] + rho[0, 2] + rho[1, 2])
    np.testing.assert_allclose(reg.pesaran_cd(resid, ent, tim), cd)
    dep = reg.panel(_sim_panel(factor=2.0, seed=3), "y ~ x", "e", "t").diagnostics()
    assert dep.set_index("test").loc["Pesaran CD", "p_value"] < 1e-6


def test_missing_rows_are_reported_not_silent(baltagi):
    d = baltagi.copy()
    d.loc[3, "value"] = np.nan
    with pytest.warns(UserWarning, match="1 row"):
        res = reg.panel(d, "invest ~ value + capital", "firm", "year")
    assert res.nobs == 199
    assert res.dropped.to_dict("records") == [
        {"entity": d.loc[3, "firm"], "time": d.loc[3, "year"], "reason": "missing value"}]


# ----------------------------------------------------------------- errors
def test_missing_column_is_named(baltagi):
    with pytest.raises(reg.MissingColumnError, match="'kapital'") as ei:
        reg.panel(baltagi, "invest ~ value + np.log(kapital)", "firm", "year")
    assert ei.value.missing == ["kapital"]
    with pytest.raises(reg.MissingColumnError, match="'region'"):
        reg.panel(baltagi, "invest ~ value", "region", "year")
    assert issubclass(reg.MissingColumnError, ParameterError)
    assert issubclass(ParameterError, ValueError)


def test_collinear_terms_are_named(baltagi):
    d = baltagi.assign(value2=2 * baltagi["value"], const_firm=baltagi["firm"].str.len())
    with pytest.raises(ParameterError, match=r"collinear: value2 \(linear combination of "
                       r"value, capital\)$"):
        reg.panel(d, "invest ~ value + capital + value2", "firm", "year")
    with pytest.raises(ParameterError, match="no variation left.*: const_firm$"):
        reg.panel(d, "invest ~ value + const_firm", "firm", "year")
    with pytest.raises(ParameterError, match="value2"):
        reg.pooled(d, "invest ~ value + value2")


def test_too_few_clusters(baltagi):
    few = baltagi[baltagi["firm"].isin(BALTAGI_FIRMS[:5])]
    with pytest.raises(ParameterError, match=r"5 clusters \(entities\), minimum 10$"):
        reg.panel(few, "invest ~ value + capital", "firm", "year", cov_type="cluster")
    short = baltagi[baltagi["year"] < 1941]
    with pytest.raises(ParameterError, match="6 periods"):
        reg.panel(short, "invest ~ value + capital", "firm", "year", cov_type="driscoll-kraay")
    # the threshold is a parameter
    reg.panel(few, "invest ~ value + capital", "firm", "year", cov_type="cluster",
              min_clusters=5)


def test_log_of_nonpositive_names_entity_and_year(baltagi):
    d = baltagi.copy()
    d.loc[(d["firm"] == "IBM") & (d["year"] == 1940), "capital"] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning leaks
        with pytest.raises(DataValidationError,
                           match=r"\(entity/time: value\) IBM/1940: 0.0$") as ei:
            reg.panel(d, "invest ~ value + np.log(capital)", "firm", "year")
    assert ei.value.column == "np.log(capital)"


def test_bad_arguments(baltagi):
    with pytest.raises(ParameterError, match="effects"):
        reg.panel(baltagi, "invest ~ value", "firm", "year", effects="random")
    with pytest.raises(ParameterError, match="cov_type"):
        reg.panel(baltagi, "invest ~ value", "firm", "year", cov_type="HC3")
    with pytest.raises(ParameterError, match="duplicate"):
        reg.panel(pd.concat([baltagi, baltagi.iloc[:1]]), "invest ~ value", "firm", "year")
    with pytest.raises(ParameterError, match="maxlags"):
        reg.panel(baltagi, "invest ~ value", "firm", "year", cov_type="driscoll-kraay",
                  maxlags=20)
