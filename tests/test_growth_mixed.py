"""Tests of the nonlinear mixed-effects growth fit (cluster_research.growth.mixed.fit_mixed).

Reference values are R ``nlme`` output (method ML) quoted with their provenance in
tests/data/nlme/README.md; simulations check that known parameters are recovered.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cluster_research import ClusterResearchError
from cluster_research.errors import MissingColumnError, ParameterError
from cluster_research.growth.mixed import MODEL_SPECS, MixedResults, fit_mixed

DATA = Path(__file__).parent / "data" / "nlme"


def rel(a, b):
    return abs(a - b) / abs(b)


@pytest.fixture(scope="module")
def orange():
    return pd.read_csv(DATA / "orange.csv")


@pytest.fixture(scope="module")
def loblolly():
    return pd.read_csv(DATA / "loblolly.csv")


@pytest.fixture(scope="module")
def orange_fit(orange):
    return fit_mixed(orange, model="logistic", group="Tree", x="age", y="circumference",
                     random=("K",))


# ------------------------------------------------------------------------------ R references
def test_orange_matches_r_nlme(orange_fit):
    """Pinheiro & Bates (2000) §8.2; R 4.2.2 nlme values in /work/shared/reference/README.md."""
    r = orange_fit
    assert r.converged, r.convergence_message
    k = r.params["k"]
    assert rel(r.params["K"], 191.05006) < 1e-3
    assert rel(r.params["t0"], 722.55961) < 1e-3
    assert rel(1.0 / k, 344.16860) < 1e-3
    assert rel(r.bse["K"], 16.154) < 1e-3
    assert rel(r.bse["t0"], 35.152) < 1e-3
    assert rel(r.bse["k"] / k**2, 27.148) < 1e-3  # se(scal) = se(k) / k^2 exactly
    assert rel(r.sd_re["K"], 31.482555) < 1e-2
    assert rel(np.sqrt(r.cov_re.loc["K", "K"]), 31.482555) < 1e-2
    assert rel(r.sigma, 7.846255) < 1e-2
    assert rel(np.sqrt(r.scale), 7.846255) < 1e-2
    assert abs(r.llf - (-131.5846)) < 0.01
    assert r.df_model == 5
    assert abs(r.aic - (2 * 131.5846 + 10)) < 0.02


def test_loblolly_one_random_effect_matches_r(loblolly):
    """?nlme example fm1 (SSasymp, random = Asym ~ 1), DublinR/LMEsAndGLS Code/loblolly.R."""
    r = fit_mixed(loblolly, model="asymptotic", group="Seed", x="age", y="height",
                  random="Asym", check_groups=False)
    assert r.converged, r.convergence_message
    for name, val, se in (("Asym", 101.44960, 2.4616951), ("R0", -8.62733, 0.3179505),
                          ("lrc", -3.23375, 0.0342702)):
        assert rel(r.params[name], val) < 1e-3, name
        assert rel(r.bse[name], se) < 1e-2, name
    assert rel(r.sd_re["Asym"], 3.650642) < 1e-2
    assert rel(r.sigma, 0.7188625) < 1e-2
    assert abs(r.llf - (-114.7428)) < 0.01
    assert abs(r.aic - 239.4856) < 0.02 and abs(r.bic - 251.6397) < 0.02
    assert (r.nobs, r.n_groups) == (84, 14)


def test_loblolly_two_random_effects_pddiag_matches_r(loblolly):
    """?nlme example fm2 (random = pdDiag(Asym + lrc ~ 1))."""
    r = fit_mixed(loblolly, model="asymptotic", group="Seed", x="age", y="height",
                  random=("Asym", "lrc"), check_groups=False)
    assert r.converged, r.convergence_message
    for name, val, se in (("Asym", 101.85205, 2.3239828), ("R0", -8.59039, 0.3058441),
                          ("lrc", -3.24011, 0.0345017)):
        assert rel(r.params[name], val) < 1e-3, name
        assert rel(r.bse[name], se) < 1e-2, name
    assert rel(r.sd_re["Asym"], 2.806185) < 1e-2
    assert rel(r.sd_re["lrc"], 0.03449969) < 1e-2
    assert rel(r.sigma, 0.6920003) < 1e-2
    assert abs(r.llf - (-113.4831)) < 0.01
    assert abs(r.bic - 253.5511) < 0.02
    assert list(r.cov_re.index) == ["Asym", "lrc"]
    assert r.cov_re.loc["Asym", "lrc"] == 0.0


# ------------------------------------------------------------------------------ results
def test_results_layout(orange_fit):
    r = orange_fit
    assert isinstance(r, MixedResults)
    assert list(r.params.index) == ["K", "k", "t0"] == list(r.bse.index)
    assert list(r.random_effects.columns) == ["K"]
    assert list(r.random_effects.index) == [1, 2, 3, 4, 5]  # order of first appearance
    gp = r.group_params
    assert list(gp.columns) == ["K", "k", "t0"]
    np.testing.assert_allclose(gp["K"], r.params["K"] + r.random_effects["K"])
    np.testing.assert_allclose(gp["k"], r.params["k"])
    # BLUPs of a random intercept-like effect sum to ~0 under ML
    assert abs(r.random_effects["K"].mean()) < 0.05 * r.sd_re["K"]
    g = gp.index[0]
    xs = np.array([500.0, 1000.0])
    K, k, t0 = gp.loc[g]
    np.testing.assert_allclose(r.predict(xs, group=g), K / (1 + np.exp(-k * (xs - t0))))
    K, k, t0 = r.params
    np.testing.assert_allclose(r.predict(xs), K / (1 + np.exp(-k * (xs - t0))))
    np.testing.assert_allclose(r.data_y - r.fittedvalues, r.resid)
    assert "logLik" in r.summary() and "Residual" in r.summary()
    assert set(r.group_notes.columns) == {"n", "identified_alone", "borrowed", "note"}
    assert r.group_notes["identified_alone"].all()
    with pytest.raises(ParameterError, match="'nope'"):
        r.predict(xs, group="nope")


def test_orange_sslogis_parametrisation_matches_r(orange, orange_fit):
    """R's own parametrisation (Asym, xmid, scal) gives R's values, scal SE included."""
    r = fit_mixed(orange, model="sslogis", group="Tree", x="age", y="circumference",
                  random="Asym", check_groups=False)
    assert r.converged
    for name, val, se in (("Asym", 191.05006, 16.154), ("xmid", 722.55961, 35.152),
                          ("scal", 344.16860, 27.148)):
        assert rel(r.params[name], val) < 1e-3 and rel(r.bse[name], se) < 1e-3, name
    assert abs(r.llf - (-131.5846)) < 0.01
    assert r.llf == pytest.approx(orange_fit.llf, abs=1e-6)
    assert r.params["scal"] == pytest.approx(1 / orange_fit.params["k"], rel=1e-6)


def test_orange_scal_relation_from_r(orange_fit):
    """With no random effect on k, se(scal) = se(k)/k^2 and R's scal SE is 27.148."""
    k, se = orange_fit.params["k"], orange_fit.bse["k"]
    assert rel(se / k**2, 27.148) < 1e-3


# ------------------------------------------------------------------------------ simulations
def _panel(rng, n_groups=31, years=None, K=100.0, k=0.6, t0=2006.0,
           sd_K=15.0, sd_t0=0.0, sigma=2.0, reps=1):
    years = np.arange(2001, 2011.0) if years is None else years
    rows = []
    for i in range(n_groups):
        Ki = K + sd_K * rng.normal()
        ti = t0 + sd_t0 * rng.normal()
        for t in np.repeat(years, reps):
            rows.append((f"R{i:02d}", t, Ki / (1 + np.exp(-k * (t - ti))) + sigma * rng.normal()))
    return pd.DataFrame(rows, columns=["region", "year", "value"])


def test_simulation_recovers_truth():
    """Monte Carlo: 20 panels of 31 groups x 10 years; mean estimates within 3 MC SEs."""
    rng = np.random.default_rng(20240611)
    est = []
    for _ in range(20):
        r = fit_mixed(_panel(rng), random=("K",), check_groups=False)
        assert r.converged, r.convergence_message
        est.append([*r.params, r.sd_re["K"], r.sigma, r.bse["K"]])
    est = np.array(est)
    truth = [100.0, 0.6, 2006.0, 15.0, 2.0]
    mean, sd = est.mean(0), est.std(0, ddof=1)
    for j, tv in enumerate(truth):
        # ML variance components are biased by O(1/m); allow it on the random-effect SD
        slack = 0.05 * tv if j == 3 else 0.0
        assert abs(mean[j] - tv) < 3 * sd[j] / np.sqrt(len(est)) + slack, (j, mean[j], tv)
    # the reported SE of K agrees with the sampling SD of K-hat (within 30 %)
    assert 0.7 < est[:, 5].mean() / sd[0] < 1.3


def test_simulation_two_random_effects_with_replicates():
    """Random K and t0, three replicate observations per year within each group."""
    rng = np.random.default_rng(7)
    df = _panel(rng, n_groups=40, sd_t0=1.0, reps=3, sigma=3.0)
    assert df.duplicated(["region", "year"]).any()
    r = fit_mixed(df, random=("K", "t0"))
    assert r.converged, r.convergence_message
    for name, tv in (("K", 100.0), ("k", 0.6), ("t0", 2006.0)):
        assert abs(r.params[name] - tv) < 4 * r.bse[name], name
    assert 15.0 * 0.6 < r.sd_re["K"] < 15.0 * 1.5
    assert 0.6 < r.sd_re["t0"] < 1.5
    assert 3.0 * 0.9 < r.sigma < 3.0 * 1.1
    assert (r.group_notes["n"] == 30).all()
    assert r.group_notes["identified_alone"].notna().all()


def test_zero_variance_random_effect_is_reported():
    """True sd(t0) = 0: its estimate is ~0 and the message says the data do not support it."""
    r = fit_mixed(_panel(np.random.default_rng(3), sd_t0=0.0), random=("K", "t0"),
                  check_groups=False)
    assert r.sd_re["t0"] < 0.01 * r.sigma
    assert "t0 is essentially zero" in r.convergence_message
    assert "K is essentially" not in r.convergence_message


def test_multiplicative_errors_recover_truth():
    rng = np.random.default_rng(3)
    years = np.arange(2001, 2013.0)
    rows = []
    for i in range(25):
        Ki = 100.0 + 12.0 * rng.normal()
        for t in years:
            mu = Ki / (1 + np.exp(-0.7 * (t - 2006.0)))
            rows.append((f"R{i}", t, mu * np.exp(0.05 * rng.normal())))
    df = pd.DataFrame(rows, columns=["region", "year", "value"])
    r = fit_mixed(df, errors="multiplicative", check_groups=False)
    assert r.converged
    for name, tv in (("K", 100.0), ("k", 0.7), ("t0", 2006.0)):
        assert abs(r.params[name] - tv) < 4 * r.bse[name], name
    assert 0.05 * 0.85 < r.sigma < 0.05 * 1.15
    assert 12.0 * 0.5 < r.sd_re["K"] < 12.0 * 1.6
    # llf is on the scale of y (Jacobian -sum log y included): y -> c y shifts it by -N log c
    c = 7.0
    rc = fit_mixed(df.assign(value=df.value * c), errors="multiplicative", check_groups=False)
    assert rc.params["K"] == pytest.approx(c * r.params["K"], rel=1e-6)
    assert rc.sigma == pytest.approx(r.sigma, rel=1e-6)
    assert rc.llf == pytest.approx(r.llf - r.nobs * np.log(c), abs=1e-5)


@pytest.mark.parametrize("model,truth", [("gompertz", (100.0, 0.5, 2006.0)),
                                         ("richards", (100.0, 0.6, 2006.0, 0.5))])
def test_other_models_recover_truth(model, truth):
    rng = np.random.default_rng(11)
    years = np.arange(1998, 2016.0)
    f = MODEL_SPECS[model].f
    rows = []
    for i in range(20):
        th = np.array(truth)
        th[0] += 10.0 * rng.normal()
        for t in years:
            rows.append((i, t, float(f(np.array([t]), th)[0]) + rng.normal()))
    df = pd.DataFrame(rows, columns=["g", "t", "v"])
    r = fit_mixed(df, model=model, group="g", x="t", y="v", check_groups=False)
    assert r.converged, r.convergence_message
    assert list(r.params.index) == list(MODEL_SPECS[model].param_names)
    for name, tv in zip(r.params.index, truth):
        assert abs(r.params[name] - tv) < 4 * r.bse[name], name


def test_region_without_identification_borrows():
    """A region observed only before its inflection cannot identify its ceiling alone."""
    rng = np.random.default_rng(5)
    df = _panel(rng, n_groups=12, years=np.arange(2001, 2016.0), t0=2008.0, sigma=1.0)
    early = df[(df.region == "R00") & (df.year <= 2005)]
    df = pd.concat([df[df.region != "R00"], early.assign(region="EARLY")])
    r = fit_mixed(df, random=("K",))
    note = r.group_notes.loc["EARLY"]
    assert not note["identified_alone"]
    assert note["borrowed"]
    assert "borrowed from the pooled fit" in note["note"]
    assert r.group_notes.drop("EARLY")["identified_alone"].all()
    assert "EARLY" in r.summary()
    assert np.isfinite(r.group_params.loc["EARLY", "K"])


def test_exponential_phase_panel_is_not_claimed_converged():
    """Every group far before its inflection: no ceiling in sight, the fit must say so."""
    rng = np.random.default_rng(0)
    rows = [(f"R{i}", t, K / (1 + np.exp(-0.3 * (t - 2030))) * np.exp(0.05 * rng.normal()))
            for i, K in enumerate(1000 * np.exp(0.5 * rng.normal(size=31)))
            for t in range(2001, 2011)]
    df = pd.DataFrame(rows, columns=["region", "year", "value"])
    r = fit_mixed(df, errors="multiplicative")
    assert not r.converged
    assert any(w in r.convergence_message for w in ("not identified", "failed", "not converged"))
    assert r.group_notes["borrowed"].all()
    assert "not identify the curve" in r.group_notes["note"].iloc[0]


# ------------------------------------------------------------------------------ invariances
def test_row_order_and_labels_do_not_matter(orange, orange_fit):
    shuffled = orange.sample(frac=1.0, random_state=1).assign(Tree=lambda d: "T" + d.Tree.astype(str))
    r = fit_mixed(shuffled, group="Tree", x="age", y="circumference", check_groups=False)
    np.testing.assert_allclose(r.params, orange_fit.params, rtol=1e-6)
    assert r.llf == pytest.approx(orange_fit.llf, abs=1e-6)
    re = r.random_effects["K"].rename(lambda s: s[1:])
    re.index = re.index.astype(orange_fit.random_effects.index.dtype)
    np.testing.assert_allclose(re.sort_index(), orange_fit.random_effects["K"].sort_index(),
                               rtol=1e-5, atol=1e-6)


def test_scale_and_shift_equivariance(orange, orange_fit):
    c, a = 10.0, 1000.0
    d = orange.assign(circumference=orange.circumference * c, age=orange.age + a)
    r = fit_mixed(d, group="Tree", x="age", y="circumference", check_groups=False)
    b = orange_fit
    assert r.params["K"] == pytest.approx(c * b.params["K"], rel=1e-6)
    assert r.params["k"] == pytest.approx(b.params["k"], rel=1e-6)
    assert r.params["t0"] == pytest.approx(b.params["t0"] + a, rel=1e-7)
    assert r.sd_re["K"] == pytest.approx(c * b.sd_re["K"], rel=1e-5)
    assert r.sigma == pytest.approx(c * b.sigma, rel=1e-6)
    assert r.llf == pytest.approx(b.llf - r.nobs * np.log(c), abs=1e-5)
    assert r.bse["t0"] == pytest.approx(b.bse["t0"], rel=1e-5)


@pytest.mark.parametrize("start", [{"K": 150, "k": 0.004, "t0": 600},
                                   {"K": 250, "k": 0.002, "t0": 900}])
def test_same_fixed_point_from_other_starts(orange, start):
    base = fit_mixed(orange, group="Tree", x="age", y="circumference", random=("K", "t0"),
                     check_groups=False)
    r = fit_mixed(orange, group="Tree", x="age", y="circumference", random=("K", "t0"),
                  start=start, check_groups=False)
    assert r.converged and base.converged
    np.testing.assert_allclose(r.params, base.params, rtol=1e-6)
    np.testing.assert_allclose(r.sd_re, base.sd_re, rtol=1e-5)
    assert r.llf == pytest.approx(base.llf, abs=1e-6)


def test_missing_values_dropped(orange, orange_fit):
    d = pd.concat([orange, pd.DataFrame({"Tree": ["1"], "age": [2000], "circumference": [np.nan]})])
    d["Tree"] = d["Tree"].astype(str)
    o = orange.assign(Tree=orange.Tree.astype(str))
    r1 = fit_mixed(d, group="Tree", x="age", y="circumference", check_groups=False)
    r2 = fit_mixed(o, group="Tree", x="age", y="circumference", check_groups=False)
    assert r1.nobs == 35
    np.testing.assert_allclose(r1.params, r2.params)


# ------------------------------------------------------------------------------ bad input
def test_missing_column_named(orange):
    with pytest.raises(MissingColumnError, match="y column not found in the data: 'height'") as ei:
        fit_mixed(orange, group="Tree", x="age", y="height")
    assert ei.value.missing == ["height"]
    assert isinstance(ei.value, KeyError) and isinstance(ei.value, ParameterError)
    assert isinstance(ei.value, ClusterResearchError)
    with pytest.raises(MissingColumnError, match="group column not found in the data: 'region'"):
        fit_mixed(orange, x="age", y="circumference")


def test_group_with_one_point_named(orange):
    d = pd.concat([orange, pd.DataFrame({"Tree": ["lonely"], "age": [100], "circumference": [20]})])
    with pytest.raises(ParameterError, match="group 'lonely' \\(column 'Tree'\\) has 1 observ"):
        fit_mixed(d, group="Tree", x="age", y="circumference")


def test_nonpositive_multiplicative_named(orange):
    d = orange.copy()
    d.loc[d.index[9], "circumference"] = 0.0
    tree = d["Tree"].iloc[9].item()
    with pytest.raises(ParameterError, match=r"column 'circumference': value 0 at age=\d+ in "
                       + re.escape(f"group {tree!r}")):
        fit_mixed(d, group="Tree", x="age", y="circumference", errors="multiplicative")
    fit_mixed(d, group="Tree", x="age", y="circumference", check_groups=False)  # additive ok


def test_other_bad_input(orange):
    kw = {"group": "Tree", "x": "age", "y": "circumference"}
    with pytest.raises(ParameterError, match="'nu'"):
        fit_mixed(orange, random=("nu",), **kw)
    with pytest.raises(ParameterError, match="model must be"):
        fit_mixed(orange, model="cubic", **kw)
    with pytest.raises(ParameterError, match="errors must be"):
        fit_mixed(orange, errors="poisson", **kw)
    with pytest.raises(ParameterError, match="at least one"):
        fit_mixed(orange, random=(), **kw)
    with pytest.raises(ParameterError, match="DataFrame"):
        fit_mixed(orange.to_numpy(), **kw)
    with pytest.raises(ParameterError, match="at least 2"):
        fit_mixed(orange[orange.Tree == orange.Tree.iloc[0]], **kw)
    bad = orange.astype({"age": object})
    bad.loc[bad.index[3], "age"] = "abc"
    with pytest.raises(ParameterError, match="'age'.*'abc'"):
        fit_mixed(bad, **kw)
    inf = orange.astype({"age": float})
    inf.loc[inf.index[2], "age"] = np.inf
    with pytest.raises(ParameterError, match="non-finite"):
        fit_mixed(inf, **kw)


def test_error_pickles(orange):
    with pytest.raises(MissingColumnError) as ei:
        fit_mixed(orange, group="Tree", x="age", y="height")
    back = pickle.loads(pickle.dumps(ei.value))
    assert str(back) == str(ei.value) and back.missing == ["height"]


def test_read_csv_panel_layout(tmp_path):
    """A researcher's own series file read with cr.data.read_csv goes straight in."""
    from cluster_research import data as crdata

    rng = np.random.default_rng(2)
    lines = ["region,year,value,unit"]
    for reg, K in (("上海", 120.0), ("浙江", 90.0), ("江苏", 100.0), ("广东", 110.0)):
        for t in range(2003, 2015):
            v = K / (1 + np.exp(-0.7 * (t - 2009))) + rng.normal(0, 0.5)
            lines.append(f"{reg},{t},{max(v, 0.01):.3f},亿元")
    p = tmp_path / "own.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    df = crdata.read_csv(p, kind="series")
    r = fit_mixed(df, random=("K",), check_groups=False)
    assert r.converged
    assert set(r.group_params.index) == {"上海", "浙江", "江苏", "广东"}
    assert r.params["t0"] == pytest.approx(2009, abs=0.5)


def test_richards_t0_means_the_same_as_in_fit():
    """``t0`` of ``K (1 + exp(-k (t - t0)))^(-1/nu)`` in both fits (not the inflection)."""
    from cluster_research.growth import fit

    K, k, t0, nu = 100.0, 0.6, 2006.0, 0.5          # inflection t0 - ln(nu)/k = 2007.16
    t = np.arange(1996, 2018.0)
    rng = np.random.default_rng(4)
    rows = [(g, tt, (K + 8 * u) * (1 + np.exp(-k * (tt - t0))) ** (-1 / nu) + rng.normal(0, .2))
            for g, u in zip(range(12), rng.normal(size=12)) for tt in t]
    df = pd.DataFrame(rows, columns=["region", "year", "value"])
    mixed = fit_mixed(df, model="richards", random=("K",), check_groups=False)
    own = fit(t, df[df.region == 0]["value"].to_numpy(), model="richards")
    assert mixed.converged and own.converged
    for res in (mixed, own):
        # closer to t0 than to the inflection, 1.16 years later
        assert abs(res.params["t0"] - t0) < min(4 * res.bse["t0"], 0.3)
    # the same parameters give the same curve in both
    np.testing.assert_allclose(MODEL_SPECS["richards"].f(t, own.params.to_numpy()),
                               own.predict(t).to_numpy(), rtol=1e-12)
    p = mixed.params                                # the level at the inflection
    assert mixed.predict([p.t0 - np.log(p.nu) / p.k])[0] == pytest.approx(
        p.K * (1 + p.nu) ** (-1 / p.nu), rel=1e-12)
