"""Profile-likelihood intervals checked against an independent brute-force profile.

The reference profile RSS(v) re-optimises the other parameters with scipy's trust-region solver
from a grid of starts (not the package's optimiser) and the crossing
sqrt((RSS(v) - RSS_min) / s^2) = t_{df, 0.975} is found with brentq.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import brentq, least_squares

from cluster_research import growth

T = np.arange(2005, 2015.0)
Y = 100 / (1 + np.exp(-0.6 * (T - 2009))) + np.random.default_rng(3).normal(0, 2, T.size)


def brute_profile(model_fn, fixed_index, value, starts, lb, ub):
    best = np.inf
    for z0 in starts:
        def f(z):
            th = np.insert(np.asarray(z, float), fixed_index, value)
            return Y - model_fn(T, th)
        try:
            s = least_squares(f, z0, bounds=(lb, ub), method="trf", x_scale="jac",
                              ftol=1e-12, xtol=1e-12)
        except ValueError:
            continue
        best = min(best, 2 * s.cost)
    return best


def logistic(t, th):
    return th[0] / (1 + np.exp(-th[1] * (t - th[2])))


def bass(t, th):
    M, p, q, tau = th
    d = np.maximum(t - tau, 0)
    e = np.exp(-(p + q) * d)
    return M * (1 - e) / (1 + q / p * e)


def crossing(res, fn, j, lo, hi, starts, lb, ub):
    c = stats.t.ppf(0.975, res.df_resid)
    g = lambda v: np.sqrt(max(brute_profile(fn, j, v, starts, lb, ub) - res.rss, 0)
                          / res.scale) - c
    return brentq(g, lo, hi, xtol=1e-6, rtol=1e-5)


def test_logistic_ceiling_profile_matches_brute_force():
    res = growth.fit(T, Y, model="logistic")
    prof = res.conf_int(method="profile")
    starts = list(itertools.product((0.3, 0.6, 1.0), (2008.0, 2009.5, 2011.0)))
    up = crossing(res, logistic, 0, res.params["K"] + 1e-6, 400.0, starts, [0, 1900], [10, 2100])
    assert prof.loc["K", "upper"] == pytest.approx(up, rel=2e-3)


def test_bass_weak_ridge_profile_matches_brute_force():
    """Bass with free tau on logistic data: p -> 0 ridge; the p upper limit is still right."""
    res = growth.fit(T, Y, model="bass")
    prof = res.conf_int(method="profile")
    starts = list(itertools.product((110.0, 200.0), (0.3, 0.7), (1990.0, 2002.0)))
    lb, ub = [0, 0, res.settings["bounds"]["tau"][0]], [1e4, 10, res.settings["bounds"]["tau"][1]]
    up = crossing(res, bass, 1, 0.06, 0.11, starts, lb, ub)
    assert prof.loc["p", "upper"] == pytest.approx(up, rel=5e-3)


def test_gompertz_ceiling_profile_limit_matches_an_independent_profile():
    """Shanghai's Gompertz ceiling: the lower profile limit against a brute-force profile.

    The profile points are refitted here from a grid of starts with scipy's Levenberg-
    Marquardt on the log scale (independently of the package's solver path); the crossing of
    the profile-t cut-off is then bracketed on a grid and solved by brentq. A profile point
    stalled in a local minimum once put the package's limit at 1.21e5 instead of 6.19e4.
    """
    from scipy import stats
    from scipy.optimize import brentq, least_squares

    import cluster_research as cr

    ser = cr.data.shanghai_transactions()
    t, y = ser.index.to_numpy(float), ser.to_numpy(float)
    res = growth.fit(t, y, model="gompertz", errors="multiplicative")
    n, p = len(y), 3
    s = np.sqrt(res.rss / (n - p))
    crit = stats.t.ppf(0.975, n - p)

    def profile_t(K):
        best = np.inf
        for b0 in (0.02, 0.05, 0.1, 0.2, 0.4):
            for t00 in (2005.0, 2015.0, 2025.0, 2035.0):
                def f(th):
                    with np.errstate(all="ignore"):
                        return np.log(y) - np.log(K) + np.exp(-th[0] * (t - th[1]))
                r = least_squares(f, [b0, t00], method="lm", xtol=1e-14, ftol=1e-14,
                                  gtol=1e-14, max_nfev=20000)
                if np.isfinite(r.cost):
                    best = min(best, 2 * r.cost)
        return np.sqrt(max(best - res.rss, 0.0)) / s - crit

    grid = np.linspace(40000.0, res.params["K"], 12)
    vals = [profile_t(K) for K in grid]
    i = next(i for i in range(len(grid) - 1) if vals[i] > 0 >= vals[i + 1])
    ref = brentq(profile_t, grid[i], grid[i + 1], xtol=1e-3)
    got = res.conf_int(method="profile").loc["K", "lower"]
    assert got == pytest.approx(ref, rel=1e-4)


def test_richards_t0_lower_limit_matches_brute_force():
    """Richards t0 downwards walks to the Gompertz limit (nu -> 0, t0 - ti = ln(nu)/k): the
    profile solves run in log nu.  In nu they stalled and put the limit at 1991.2, where the
    profile RSS is far below the cut-off (the limit is near 1973.8)."""
    res = growth.fit(T, Y, model="richards")
    lower = res.conf_int(method="profile").loc["t0", "lower"]

    def richards_lognu(t, th):  # (K, k, t0, log nu), growth.fit's t0
        return th[0] * np.exp(-np.logaddexp(0, -th[1] * (t - th[2])) / np.exp(th[3]))

    starts = list(itertools.product((110.0, 200.0), (0.2, 0.6), np.log([1e-3, 0.03, 1, 5])))
    ref = crossing(res, richards_lognu, 2, 1960.0, 1990.0, starts, [0, 0, np.log(1e-3)],
                   [1e4, 10, np.log(1e3)])
    assert lower == pytest.approx(ref, abs=0.05)


def test_lower_ceiling_limit_of_a_fit_at_the_exponential_limit_matches_brute_force():
    """上海's NBS e-commerce sales 2015-2024, logistic, multiplicative errors: the best ceiling is
    the limit K -> inf (held at the cap, no standard error).  The lower limit used to come
    from steps of the cap's size and a false crossing (469,044, where tau = 0.62); it must be
    where an independent profile (log-scale refits of k, t0 from a grid of starts) crosses
    the cut-off."""
    import cluster_research as cr

    p = cr.data.load("provincial_panel")
    g = p[(p["indicator"] == "ecommerce_sales") & (p["region"] == "上海")].dropna(subset=["value"])
    t, y = g["year"].to_numpy(float), g["value"].to_numpy(float)
    res = growth.fit(t, y, model="logistic", errors="multiplicative")
    assert "K" in res.at_bound                     # the exponential limit, held at the cap
    lo = res.profile_limit("K", -1)

    def rss_at(K):
        best = np.inf
        for k0, t00 in itertools.product((0.1, 0.5), (2015.0, 2025.0, 2040.0)):
            s = least_squares(lambda z: np.log(y) - np.log(K / (1 + np.exp(-z[0] * (t - z[1])))),
                              [k0, t00], bounds=([1e-4, 1900], [5, 2300]), method="trf",
                              x_scale="jac", ftol=1e-12, xtol=1e-12)
            best = min(best, 2 * s.cost)
        return best

    c = stats.t.ppf(0.975, res.df_resid)
    tau = lambda K: np.sqrt(max(rss_at(K) - res.rss, 0) / res.scale)
    assert tau(lo) == pytest.approx(c, rel=1e-3)
    assert tau(1.05 * lo) < c < tau(0.95 * lo)


@pytest.mark.parametrize("region,errors", [("四川", "additive"), ("安徽", "multiplicative")])
def test_ceiling_upper_limit_at_the_exponential_limit_is_unbounded_not_an_error(region, errors):
    """Gompertz on these NBS series: the profile crosses the cut-off at phi = 1/K = 0 itself;
    brentq returns phi = 0 and the upper limit is +inf (it raised ZeroDivisionError)."""
    import cluster_research as cr

    p = cr.data.load("provincial_panel")
    g = p[(p["indicator"] == "ecommerce_sales") & (p["region"] == region)].dropna(subset=["value"])
    res = growth.fit(g["year"].to_numpy(float), g["value"].to_numpy(float), model="gompertz",
                     errors=errors)
    assert res.profile_limit("K", +1) == np.inf


def _nbs_shanghai_sales():
    import cluster_research as cr

    return cr.data.series("上海", "ecommerce_sales")


def _shanghai_transactions():
    import cluster_research as cr

    return cr.data.shanghai_transactions()


@pytest.mark.parametrize("load", [_shanghai_transactions, _nbs_shanghai_sales])
def test_bass_ceiling_lower_limit_on_shanghai_matches_brute_force(load):
    """Bass ceilings with log errors. Shanghai's transactions (7 points): the old bracketing +
    brentq stopped at a false crossing (43,822, where the brute-force profile-t is 0.35, not
    3.18); the true one is about 25,700.  NBS 上海 电子商务销售额 (10 points, p at its bound,
    ceiling not identified): a profile point warm-started from the far bound sat in a poor local
    minimum, a false crossing that the brentq fallback then re-evaluated and raised ValueError
    (as on 20 of the 62 NBS Bass fits)."""
    ser = load()
    t, y = ser.index.to_numpy(float), ser.to_numpy(float)
    res = growth.fit(ser, model="bass", errors="multiplicative")
    c = stats.t.ppf(0.975, res.df_resid)
    lo_tau, hi_tau = res.settings["bounds"]["tau"]

    def profile_t(M):
        best = np.inf
        for p0, q0, tau0 in itertools.product((1e-4, 1e-2), (0.1, 0.5),
                                              np.linspace(lo_tau, hi_tau, 4)[1:]):
            def f(z):
                with np.errstate(all="ignore"):
                    return np.log(y) - np.log(bass(t, [M, *z]))
            s = least_squares(f, [p0, q0, tau0], bounds=([1e-6, 0, lo_tau], [1, 10, hi_tau]),
                              method="trf", x_scale="jac", ftol=1e-13, xtol=1e-13)
            if np.isfinite(s.cost):
                best = min(best, 2 * s.cost)
        return np.sqrt(max(best - res.rss, 0.0) / res.scale) - c

    got = res.conf_int(method="profile").loc["M", "lower"]
    ref = brentq(profile_t, 0.5 * got, res.params["M"] - 1.0, xtol=1e-5 * got)
    assert got == pytest.approx(ref, rel=1e-3)


@pytest.mark.parametrize("region,model,errors", [("上海", "gompertz", "multiplicative"),
                                                 ("山东", "bass", "additive"),
                                                 ("四川", "richards", "multiplicative")])
def test_profile_limits_of_unidentified_fits_do_not_depend_on_the_root_tolerance(
        monkeypatch, region, model, errors):
    """Ceilings not identified on these NBS series.  An end whose crossing holds the ceiling at
    its default cap was the cap's, not the data's: with root tolerances 1e-6 and 1e-4 standard
    errors, 61 of 233 such ends differed (上海 Gompertz t0 upper 2445.6 vs 2436.8).  They are
    NaN now; every other end, the ceiling's included (tolerance also relative to the end, as
    山东 Bass M lower moved 29,085 -> 35,929), must not move with the tolerance."""
    import cluster_research as cr

    ser = cr.data.series(region, "ecommerce_sales")
    out = []
    for tol in (1e-6, 1e-4):
        monkeypatch.setattr(growth.profile, "ROOT_XTOL", tol)
        res = growth.fit(ser, model=model, errors=errors)
        assert not res.identified
        out.append(res.conf_int(method="profile").to_numpy())
    a, b = out
    assert np.array_equal(np.isnan(a), np.isnan(b))
    ok = ~np.isnan(a)
    np.testing.assert_allclose(a[ok], b[ok], rtol=1e-3)


def test_a_fit_whose_solver_did_not_converge_has_no_profile_interval(monkeypatch):
    """重庆 Richards (additive) exhausts its evaluation budget: the profile-t is measured from a
    minimum that was not found, so every end is NaN, at once (one end took 2.5 s of budget-
    exhausting profile solves and returned a number).  A fit whose ceiling sits at its cap is
    not converged by the identification rule, yet is still profiled (its ceiling's lower limit
    is what the data say)."""
    import cluster_research as cr
    from cluster_research.growth import solve

    res = growth.fit(cr.data.series("重庆", "ecommerce_sales"), model="richards",
                     errors="additive")
    assert not res.converged and "maximum number of function evaluations" in \
        res.convergence_message
    calls = []
    real = solve.least_squares
    monkeypatch.setattr(solve, "least_squares", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert res.conf_int(method="profile").isna().all().all()
    assert not calls
    capped = growth.fit(cr.data.series("河南", "ecommerce_sales"), model="logistic",
                        errors="multiplicative")
    assert capped.convergence.get("ceiling_at_bound") and not capped.converged
    assert 0 < capped.conf_int(method="profile").loc["K", "lower"] < np.inf


def test_bass_tau_end_at_its_ridge_bound_is_unbounded():
    """Bass with free tau on logistic data: the profile of tau stays below the cut-off down to
    the default ridge bound (first year - 2 span - 1 = 1986), checked here by a brute-force
    profile at that bound; the bound is a cap, not a limit of the data, so the lower end is
    -inf (it was reported as 1986)."""
    res = growth.fit(T, Y, model="bass")
    lo = res.settings["bounds"]["tau"][0]
    starts = list(itertools.product((110.0, 200.0), (1e-4, 0.01), (0.3, 0.7)))
    rss = brute_profile(bass, 3, lo, starts, [0, 1e-9, 0], [1e4, 1, 10])
    assert np.sqrt((rss - res.rss) / res.scale) < stats.t.ppf(0.975, res.df_resid)
    assert res.conf_int(method="profile").loc["tau", "lower"] == -np.inf


def capped_face_tau(t, y, res):
    """Profile-t of Richards' capped-exponential limit (nu -> inf): ``log y = a + r min(t, x*)``,
    OLS at each kink ``x*`` on a fine grid (independent of the package)."""
    best = np.inf
    for xs in np.linspace(t[0], t[-1], 4001):
        X = np.column_stack([np.ones_like(t), np.minimum(t, xs)])
        e = np.log(y) - X @ np.linalg.lstsq(X, np.log(y), rcond=None)[0]
        best = min(best, e @ e)
    return np.sqrt(max(best - res.rss, 0.0) / res.scale)


@pytest.mark.parametrize("seed, inside", [(0, False), (2, True), (4, True)])
def test_richards_nu_cap_is_no_limit_of_the_data(seed, inside):
    """Capped exponentials ``100 exp(0.35 min(t - 2005, 8.5))``, 3 % noise.  Where the limit
    nu -> inf lies inside the 95 % region (its profile-t, computed independently, below the
    cut-off), nu's upper end is +inf, not the default cap 1e3, and k's upper end, found with
    nu at the cap (k = nu r), is NaN (seed 4 reported 354 = 0.35 x 1e3); where it lies outside,
    both ends are finite."""
    rng = np.random.default_rng(seed)
    t = np.arange(2005, 2017.0)
    y = 100 * np.exp(0.35 * np.minimum(t - 2005, 8.5) + rng.normal(0, 0.03, t.size))
    res = growth.fit(t, y, model="richards", errors="multiplicative")
    ci = res.conf_int(method="profile")
    assert (capped_face_tau(t, y, res) < stats.t.ppf(0.975, res.df_resid)) == inside
    if inside:
        assert ci.loc["nu", "upper"] == np.inf and np.isnan(ci.loc["k", "upper"])
    else:
        assert res.params["nu"] < ci.loc["nu", "upper"] < 100
        assert res.params["k"] < ci.loc["k", "upper"] < 100
