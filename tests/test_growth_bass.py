"""Bass diffusion: reproduce a published non-linear least-squares fit to its printed precision.

Published fit: Cowpertwait & Metcalfe (2009), *Introductory Time Series with R*, Springer,
Section 3.3 (Bass model): US VCR sales 1980-1989 fitted by R ``nls`` to the Bass sales-rate curve
``M f(t)`` with ``t = year - 1979``.  Printed output (3 significant digits; t values to 4):
M = 6.80e4 (s.e. 3.13e3, t 21.74), P = 6.59e-3 (1.43e-3, 4.61), Q = 6.38e-1 (4.14e-2, 15.41),
residual standard error 727 on 7 df.  Data and printed values: tests/reference/
bass_vcr_us_1980_1989.csv (source in its header).

A published Srinivasan & Mason (1986) interval-form table could not be located in a readable
form, so the interval form is checked here only for internal consistency with simulated data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cluster_research import growth

REF = Path(__file__).parent / "reference" / "bass_vcr_us_1980_1989.csv"


def sig(x, n=3):
    """Round to n significant digits (how R printed the table)."""
    return float(f"{x:.{n - 1}e}")


@pytest.fixture(scope="module")
def vcr():
    df = pd.read_csv(REF, comment="#")
    return df["year"].to_numpy(), df["sales"].to_numpy(float)


def test_bass_rate_form_reproduces_cowpertwait_metcalfe(vcr):
    years, sales = vcr
    res = growth.fit(years, sales, model="bass", form="rate", fix={"tau": 1979})
    assert res.converged, res.convergence_message
    p, se = res.params, res.bse
    assert sig(p["M"]) == 6.80e4
    assert sig(p["p"]) == 6.59e-3
    assert sig(p["q"]) == 6.38e-1
    assert sig(se["M"]) == 3.13e3
    assert sig(se["p"]) == 1.43e-3
    assert sig(se["q"]) == 4.14e-2
    assert round(p["M"] / se["M"], 2) == 21.74
    assert round(p["p"] / se["p"], 2) == 4.61
    assert round(p["q"] / se["q"], 2) == 15.41
    assert res.df_resid == 7
    assert round(np.sqrt(res.scale)) == 727
    assert res.form == "rate" and res.model == "bass"


def test_bass_rate_default_tau_is_first_year_minus_one(vcr):
    years, sales = vcr
    res = growth.fit(years, sales, model="bass", form="rate")
    assert res.params["tau"] == 1979
    assert res.fixed == ["tau"] and res.bse["tau"] == 0


def test_bass_curve_is_cumulative_level(vcr):
    years, sales = vcr
    res = growth.fit(years, sales, model="bass", form="interval")
    c = res.curve(years)
    np.testing.assert_allclose(np.diff(np.r_[0.0, c]), res.fittedvalues, rtol=1e-10)
    assert res.ceiling == pytest.approx(res.params["M"])


@pytest.mark.parametrize("form", ["interval", "cumulative"])
def test_bass_recovers_exact_curve(form):
    """Noise-free data from a known Bass curve are fitted exactly in both forms."""
    M, p, q, tau = 5000.0, 0.01, 0.45, 1999.0
    years = np.arange(2000, 2016)
    F = lambda t: (1 - np.exp(-(p + q) * (t - tau))) / (1 + q / p * np.exp(-(p + q) * (t - tau)))
    y = M * F(years) if form == "cumulative" else M * (F(years) - F(np.maximum(years - 1, tau)))
    res = growth.fit(years, y, model="bass", form=form, fix={"tau": tau})
    assert res.converged
    np.testing.assert_allclose(res.params[["M", "p", "q"]], [M, p, q], rtol=1e-6)
