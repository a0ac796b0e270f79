"""Numerics of the growth package (issue 11): public solvers only, exact model functions,
honest RSS, nesting, ceilings that run off, and the optimiser recorded in the results."""

from __future__ import annotations

import functools
import math
import pathlib
import re

import numpy as np
import pytest

from cluster_research import growth
from cluster_research.data import load
from cluster_research.errors import ParameterError

PKG = pathlib.Path(growth.__file__).resolve().parent
LC = PKG.parent / "lifecycle"


def _sales():
    p = load("provincial_panel")
    s = p[p.indicator == "ecommerce_sales"].dropna(subset=["value"])
    out = {}
    for reg, g in s.groupby("region"):
        g = g.sort_values("year")
        out[reg] = (g.year.to_numpy(float), g.value.to_numpy(float))
    return out


SALES = _sales()


@functools.cache
def _fit(region, model):
    """``growth.fit`` of one region's NBS ecommerce_sales with default settings, computed once
    per module: several tests read the same fits (results are not modified)."""
    t, y = SALES[region]
    return growth.fit(t, y, model=model)


def test_no_private_numpy_scipy_names_and_modules_small():
    bad = re.compile(r"_umath_linalg|_compute_lwork|gesdd|get_lapack_funcs|scipy\.optimize\._"
                     r"|numpy\.linalg\._|scipy\.linalg\.lapack|np\.tanh\(")
    for path in list(PKG.glob("*.py")) + list(LC.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not bad.search(text), f"{path.name}: {bad.search(text).group(0)}"
        assert len(text.splitlines()) <= 800, f"{path.name} has more than 800 lines"


@pytest.mark.parametrize("z", [-30.0, -60.0, -200.0, -700.0, 5.0, 40.0])
def test_logistic_function_exact_in_the_tails(z):
    """K / (1 + e^{-z}) written out with math.exp in its stable form for each sign of z."""
    K, k, t0 = 3.0, 1.0, 0.0
    exact = K * math.exp(z) / (1.0 + math.exp(z)) if z < 0 else K / (1.0 + math.exp(-z))
    got = growth.get_spec("logistic").f(np.array([z]), np.array([K, k, t0]))[0]
    assert got == pytest.approx(exact, rel=1e-14, abs=0)


def test_specs_interface():
    for name in growth.MODELS:
        spec = growth.get_spec(name)
        assert spec.name == name and len(spec.param_names) >= 2
        x = np.linspace(-3, 3, 7)
        th = {"exponential": [1.0, 0.2], "logistic": [10, 0.5, 0.3],
              "gompertz": [10, 0.5, 0.3], "richards": [10, 0.5, 0.3, 1.5],
              "bass": [10, 0.03, 0.4, -4.0]}[name]
        th = np.array(th, float)
        J = spec.jac(x, th)
        # central differences, step 1e-6 relative: an independent check of the Jacobian
        for j in range(th.size):
            h = 1e-6 * max(abs(th[j]), 1.0)
            tp, tm = th.copy(), th.copy()
            tp[j] += h
            tm[j] -= h
            np.testing.assert_allclose(J[:, j], (spec.f(x, tp) - spec.f(x, tm)) / (2 * h),
                                       rtol=1e-6, atol=1e-8)
    with pytest.raises(ParameterError, match="model must be one of .*'weibull'"):
        growth.get_spec("weibull")


@pytest.mark.parametrize("name,theta", [("logistic", [10, 0.5, 2010.0]),
                                        ("gompertz", [10, 0.4, 2010.0]),
                                        ("richards", [10, 0.5, 2010.0, 0.3]),
                                        ("richards", [10, 0.8, 2010.0, 4.0]),
                                        ("bass", [10, 0.03, 0.4, 2001.0]),
                                        ("bass", [10, 0.2, 0.3, 2001.0])])  # inflection passed
def test_boundary_gradients_match_central_differences(name, theta):
    """The closed-form delta-method gradients of the boundary years (issue 21 item 4)."""
    spec = growth.get_spec(name)
    th = np.array(theta, float)

    def years(v):
        return spec.boundaries(dict(zip(spec.param_names, (np.array([x]) for x in v))))[0][0]

    G = spec.boundary_grad(dict(zip(spec.param_names, (np.array([x]) for x in th))))[0]
    assert G.shape == (3, th.size)
    for j in range(th.size):
        h = 1e-6 * max(abs(th[j]), 1.0)
        e = np.eye(th.size)[j] * h
        np.testing.assert_allclose(G[:, j], (years(th + e) - years(th - e)) / (2 * h),
                                   rtol=1e-6, atol=1e-6)
    assert np.isnan(G[np.isnan(years(th))]).all()


@pytest.mark.parametrize("model", ["exponential", "logistic", "gompertz", "richards", "bass"])
def test_reported_rss_is_rss_of_reported_curve(model):
    """Every reported RSS is recomputed from the reported curve (NBS ecommerce_sales, 31
    regions)."""
    for reg, (t, y) in SALES.items():
        res = _fit(reg, model)
        rss = float(np.sum((y - res.curve(t)) ** 2))
        assert res.rss == pytest.approx(rss, rel=1e-10), (reg, model)
        assert np.allclose(res.fittedvalues, res.curve(t), rtol=1e-12)


def test_nested_model_rss_never_below_nesting_model():
    """The exponential is the K -> inf limit of the logistic, the logistic the nu = 1 case of
    Richards: the nesting model's RSS is never above the nested one's.  The logistic ceiling is
    capped at CEILING_FACTOR x the largest level, so it reaches the exponential only to about
    1e-7 (relative) of it; Richards contains the logistic exactly (both represented at the cap
    when the exponential limit is their optimum: then to the same 1e-7)."""
    for reg in SALES:
        e = _fit(reg, "exponential")
        lo = _fit(reg, "logistic")
        ri = _fit(reg, "richards")
        assert lo.rss <= e.rss * (1 + 1e-7), (reg, lo.rss, e.rss)
        tol = 1e-7 if lo.convergence.get("exponential_limit") else 1e-9
        assert ri.rss <= lo.rss * (1 + tol), (reg, ri.rss, lo.rss)


def test_runaway_ceiling_not_converged_zhejiang():
    """浙江 ecommerce_sales: the logistic ceiling runs off (K -> inf); the fit says so, and its
    RSS is not below the exponential's 3,825,263 (R nls, scipy; issue 11)."""
    e = _fit("浙江", "exponential")
    assert e.rss == pytest.approx(3825263, abs=1.0)
    lo = _fit("浙江", "logistic")
    assert not lo.converged
    assert "ceiling" in lo.convergence_message and lo.convergence.get("ceiling_at_bound")
    assert lo.rss >= e.rss * (1 - 1e-9)
    assert lo.identified is False
    n_converged_huge = 0
    for reg, (t, y) in SALES.items():
        r = _fit(reg, "logistic")
        if r.converged and r.params["K"] > 1e6 * y.max():
            n_converged_huge += 1
    assert n_converged_huge == 0


def test_settings_name_the_optimizer_that_ran():
    t = np.arange(2000, 2012.0)
    y = 100 / (1 + np.exp(-0.8 * (t - 2006))) + np.cos(t)
    for m in growth.MODELS:
        res = growth.fit(t, y, model=m)
        assert res.settings["optimizer"] == "scipy.optimize.least_squares"
        assert res.settings["method"] in ("lm", "trf")
        assert res.convergence["method"] == res.settings["method"]
        assert "Gauss" not in str(res.settings) and "own" not in str(res.settings)
    r = growth.fit(t, y, model="exponential", errors="multiplicative")
    assert r.settings["optimizer"].startswith("statsmodels")
    r = growth.nls(lambda x, b: b[0] * np.exp(b[1] * x), t - 2000, np.exp(0.1 * (t - 2000)),
                   [1.0, 0.2])
    assert r.settings["optimizer"] == "scipy.optimize.least_squares"
    assert r.settings["method"] == "lm" and r.convergence["method"] == "lm"
    r = growth.nls(lambda x, b: b[0] * np.exp(b[1] * x), t - 2000, np.exp(0.1 * (t - 2000)),
                   [1.0, 0.2], method="trf")
    assert r.settings["method"] in ("trf", "lm")


def test_refit_matches_fit_from_start():
    t = np.arange(2004, 2014.0)
    rng = np.random.default_rng(5)
    y = 1000 / (1 + np.exp(-0.5 * (t - 2009))) * np.exp(0.05 * rng.standard_normal(t.size))
    res = growth.fit(t, y, errors="multiplicative")
    y2 = res.fittedvalues * np.exp(0.05 * rng.standard_normal(t.size))
    p, ok = res.refit(y2)
    full = growth.fit(t, y2, errors="multiplicative")
    assert ok
    np.testing.assert_allclose(p.to_numpy(), full.params.to_numpy(), rtol=1e-6)
    with pytest.raises(ParameterError, match="refit needs 10 finite values"):
        res.refit(y2[:-1])


@pytest.mark.parametrize("model", ["logistic", "richards", "bass"])
def test_boundary_se_closed_form_equals_central_differences(model, monkeypatch):
    """``lifecycle.boundaries``: the closed-form delta method and its numerical fallback."""
    from cluster_research import lifecycle

    t = np.arange(2000, 2021.0)
    res = growth.fit(t, 100 / (1 + np.exp(-0.5 * (t - 2010))) + np.cos(t), model=model)
    exact = lifecycle.boundaries(res)["se"].to_numpy()
    monkeypatch.setattr(growth.get_spec(model), "boundary_grad", None)
    numeric = lifecycle.boundaries(res)["se"].to_numpy()
    assert np.isfinite(exact).sum() >= 2
    np.testing.assert_allclose(exact, numeric, rtol=1e-4)
