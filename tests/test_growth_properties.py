"""Property tests (hypothesis): parameters transform exactly as the algebra says.

Shifting the years by c shifts the location parameters (t0, tau) by c and leaves every other
parameter unchanged; scaling the values by s scales the ceiling (K, M) by s and leaves the
rates unchanged — under additive and multiplicative errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_research import growth

YEARS = np.arange(2001, 2014.0)
RNG = np.random.default_rng(2024)
NOISE = RNG.normal(0, 1, YEARS.size)
BASE = {
    "logistic": 100 / (1 + np.exp(-0.7 * (YEARS - 2007))),
    "gompertz": 100 * np.exp(-np.exp(-0.5 * (YEARS - 2006))),
}
LOCATION = {"logistic": ["t0"], "gompertz": ["t0"]}


def data(model, errors):
    base = BASE[model]
    if errors == "additive":
        return base + 1.5 * NOISE
    return base * np.exp(0.04 * NOISE)


FITS = {(m, e): growth.fit(YEARS, data(m, e), model=m, errors=e)
        for m in BASE for e in ("additive", "multiplicative")}


@settings(max_examples=12, deadline=None)
@given(c=st.integers(-3000, 3000), model=st.sampled_from(sorted(BASE)),
       errors=st.sampled_from(["additive", "multiplicative"]))
def test_shift_years(c, model, errors):
    ref = FITS[(model, errors)]
    res = growth.fit(YEARS + c, data(model, errors), model=model, errors=errors)
    assert res.converged
    for name in ref.params.index:
        expected = ref.params[name] + (c if name in LOCATION[model] else 0)
        assert res.params[name] == pytest.approx(expected, rel=1e-7, abs=1e-7)
        assert res.bse[name] == pytest.approx(ref.bse[name], rel=1e-5)
    assert res.rss == pytest.approx(ref.rss, rel=1e-8)


@settings(max_examples=12, deadline=None)
@given(s=st.floats(1e-3, 1e4), model=st.sampled_from(sorted(BASE)),
       errors=st.sampled_from(["additive", "multiplicative"]))
def test_scale_values(s, model, errors):
    ref = FITS[(model, errors)]
    res = growth.fit(YEARS, s * data(model, errors), model=model, errors=errors)
    assert res.converged
    assert res.ceiling == pytest.approx(s * ref.ceiling, rel=1e-6)
    for name in ref.params.index:
        if name == "K":
            continue
        assert res.params[name] == pytest.approx(ref.params[name], rel=1e-6, abs=1e-7)
    expected_rss = ref.rss * (s**2 if errors == "additive" else 1.0)
    assert res.rss == pytest.approx(expected_rss, rel=1e-6)


@settings(max_examples=8, deadline=None)
@given(c=st.integers(-50, 50), s=st.floats(0.01, 100.0))
def test_bass_shift_and_scale(c, s):
    t = np.arange(2000, 2014.0)
    M, p, q, tau = 1000.0, 0.02, 0.5, 1999.0
    F = (1 - np.exp(-(p + q) * (t - tau))) / (1 + q / p * np.exp(-(p + q) * (t - tau)))
    y = M * F * np.exp(0.02 * np.cos(t))  # deterministic perturbation: fit is not exact
    ref = growth.fit(t, y, model="bass", fix={"tau": tau})
    res = growth.fit(t + c, s * y, model="bass", fix={"tau": tau + c})
    assert res.params["tau"] == pytest.approx(ref.params["tau"] + c)
    assert res.params["M"] == pytest.approx(s * ref.params["M"], rel=1e-6)
    assert res.params["p"] == pytest.approx(ref.params["p"], rel=1e-5)
    assert res.params["q"] == pytest.approx(ref.params["q"], rel=1e-5)
