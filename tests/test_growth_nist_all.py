"""All 27 NIST StRD nonlinear-regression datasets through the least-squares core ``growth.nls``.

Rule (issue 3): from BOTH NIST start points, ``nls`` must either reproduce the certified
parameters to >= 6 significant digits (rtol 1e-6), the certified standard errors to >= 4
(rtol 1e-4) and the certified residual sum of squares (rel 1e-8), or report
``converged=False`` with a reason (``convergence_message``).  ``converged=True`` with wrong
numbers is the one unacceptable outcome.

Reference data: NIST/ITL Statistical Reference Datasets, nonlinear regression
(https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml).  The files
tests/reference/nist_<Name>.dat are the NIST files copied verbatim, with their source in a
``#`` header; certified values, starting values and data are read from them, never typed in.
Model functions are transcribed from the "Model:" section of each file.

Nelson: NIST's model is ``log[y] = b1 - b2*x1 * exp[-b3*x2] + e``, so the data passed to
``nls`` are ``log(y)`` (two predictors: x1 = time, x2 = temperature).

Three cases once reported ``converged=True`` with numbers that miss the certified ones (BoxBOD
from start 1: a flat plateau; Lanczos1: residuals at the rounding level of the data). ``nls``
now reports them ``converged=False`` with the reason, which ``IRREGULAR`` checks.
"""

from __future__ import annotations

import re
import time
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from _reference import read_nist as load

from cluster_research import growth

REF = Path(__file__).parent / "reference"

# NIST's own classification ("... Level of Difficulty" line of each file).
DIFFICULTY = {
    "Misra1a": "lower", "Chwirut2": "lower", "Chwirut1": "lower", "Lanczos3": "lower",
    "Gauss1": "lower", "Gauss2": "lower", "DanWood": "lower", "Misra1b": "lower",
    "Kirby2": "average", "Hahn1": "average", "Nelson": "average", "MGH17": "average",
    "Lanczos1": "average", "Lanczos2": "average", "Gauss3": "average", "Misra1c": "average",
    "Misra1d": "average", "Roszman1": "average", "ENSO": "average",
    "MGH09": "higher", "Thurber": "higher", "BoxBOD": "higher", "Rat42": "higher",
    "MGH10": "higher", "Eckerle4": "higher", "Rat43": "higher", "Bennett5": "higher",
}
NAMES = list(DIFFICULTY)
STARTS = ["start1", "start2"]

PI = np.pi


def _misra1a(x, b):
    return b[0] * (1 - np.exp(-b[1] * x))


def _chwirut(x, b):
    return np.exp(-b[0] * x) / (b[1] + b[2] * x)


def _lanczos(x, b):
    return b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-b[3] * x) + b[4] * np.exp(-b[5] * x)


def _gauss(x, b):
    return (b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-((x - b[3]) ** 2) / b[4] ** 2)
            + b[5] * np.exp(-((x - b[6]) ** 2) / b[7] ** 2))


def _rational_cubic(x, b):
    return ((b[0] + b[1] * x + b[2] * x**2 + b[3] * x**3)
            / (1 + b[4] * x + b[5] * x**2 + b[6] * x**3))


def _danwood(x, b):
    return b[0] * x ** b[1]


def _misra1b(x, b):
    return b[0] * (1 - (1 + b[1] * x / 2) ** (-2))


def _misra1c(x, b):
    return b[0] * (1 - (1 + 2 * b[1] * x) ** (-0.5))


def _misra1d(x, b):
    return b[0] * b[1] * x * (1 + b[1] * x) ** (-1)


def _kirby2(x, b):
    return (b[0] + b[1] * x + b[2] * x**2) / (1 + b[3] * x + b[4] * x**2)


def _nelson(x, b):
    """log[y] = b1 - b2*x1 * exp[-b3*x2]; x has columns (x1, x2)."""
    return b[0] - b[1] * x[:, 0] * np.exp(-b[2] * x[:, 1])


def _mgh17(x, b):
    return b[0] + b[1] * np.exp(-x * b[3]) + b[2] * np.exp(-x * b[4])


def _roszman1(x, b):
    return b[0] - b[1] * x - np.arctan(b[2] / (x - b[3])) / PI


def _enso(x, b):
    return (b[0] + b[1] * np.cos(2 * PI * x / 12) + b[2] * np.sin(2 * PI * x / 12)
            + b[4] * np.cos(2 * PI * x / b[3]) + b[5] * np.sin(2 * PI * x / b[3])
            + b[7] * np.cos(2 * PI * x / b[6]) + b[8] * np.sin(2 * PI * x / b[6]))


def _mgh09(x, b):
    return b[0] * (x**2 + x * b[1]) / (x**2 + x * b[2] + b[3])


def _rat42(x, b):
    return b[0] / (1 + np.exp(b[1] - b[2] * x))


def _mgh10(x, b):
    return b[0] * np.exp(b[1] / (x + b[2]))


def _eckerle4(x, b):
    return (b[0] / b[1]) * np.exp(-0.5 * ((x - b[2]) / b[1]) ** 2)


def _rat43(x, b):
    return b[0] / (1 + np.exp(b[1] - b[2] * x)) ** (1 / b[3])


def _bennett5(x, b):
    return b[0] * (b[1] + x) ** (-1 / b[2])


MODELS = {
    "Misra1a": _misra1a, "Chwirut2": _chwirut, "Chwirut1": _chwirut, "Lanczos3": _lanczos,
    "Gauss1": _gauss, "Gauss2": _gauss, "DanWood": _danwood, "Misra1b": _misra1b,
    "Kirby2": _kirby2, "Hahn1": _rational_cubic, "Nelson": _nelson, "MGH17": _mgh17,
    "Lanczos1": _lanczos, "Lanczos2": _lanczos, "Gauss3": _gauss, "Misra1c": _misra1c,
    "Misra1d": _misra1d, "Roszman1": _roszman1, "ENSO": _enso, "MGH09": _mgh09,
    "Thurber": _rational_cubic, "BoxBOD": _misra1a, "Rat42": _rat42, "MGH10": _mgh10,
    "Eckerle4": _eckerle4, "Rat43": _rat43, "Bennett5": _bennett5,
}

# Cases that used to report converged=True with numbers that miss the certified values; nls now
# flags them (growth._flag_irregular_solution), and the test checks the reason it gives.
IRREGULAR = {
    ("BoxBOD", "start1"): "not a regular minimum",  # exp(-b2 x) underflows: a flat plateau
    ("Lanczos1", "start1"): "floating-point rounding",  # certified values need extended precision
    ("Lanczos1", "start2"): "floating-point rounding",
}



@cache
def run(name, which):
    """Fit once per (dataset, start); returns (result, seconds)."""
    d = load(name)
    y = np.log(d["y"]) if name == "Nelson" else d["y"]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow while exploring bad starts
        res = growth.nls(MODELS[name], d["x"], y, d[which])
    return res, time.perf_counter() - t0


def matches(res, d):
    """True when params, SEs and RSS all agree with the certified values."""
    return (np.allclose(res.params.to_numpy(), d["cert"], rtol=1e-6, atol=0)
            and np.allclose(res.bse.to_numpy(), d["se"], rtol=1e-4, atol=0)
            and abs(res.rss - d["rss"]) <= 1e-8 * d["rss"])


@pytest.mark.parametrize("name", NAMES)
def test_reference_file_parses(name):
    """Observations and parameters as the file's header states; level of difficulty as NIST."""
    d = load(name)
    text = d["text"]
    p = int(re.search(r"(\d+) Parameters", text).group(1))
    assert len(d["cert"]) == len(d["se"]) == len(d["start1"]) == len(d["start2"]) == p
    assert d["y"].size == d["nobs"] and np.shape(d["x"])[0] == d["nobs"]
    n_header = re.search(r"(\d+) Observations\s*$", text, re.MULTILINE)
    if n_header:  # the four older condensed copies lack the long header
        assert int(n_header.group(1)) == d["nobs"]
    level = re.search(r"(Lower|Average|Higher) Level of Difficulty", text)
    if level:
        assert level.group(1).lower() == DIFFICULTY[name]
    assert d["rss"] > 0 and np.all(d["se"] > 0)
    assert np.all(np.isfinite(d["y"])) and np.all(np.isfinite(d["x"]))


def _cases():
    for name in NAMES:
        for which in STARTS:
            yield pytest.param(name, which, id=f"{name}-{which}")


@pytest.mark.parametrize(("name", "which"), list(_cases()))
def test_nls_certified_unless_pinned_irregular(name, which):
    """51 of the 54 (problem, start) fits reach NIST's certified values; the three pinned in
    IRREGULAR do not converge and say why.  A solver that gives up on any other fails."""
    d = load(name)
    res, _ = run(name, which)
    if (name, which) in IRREGULAR:
        assert not res.converged and IRREGULAR[(name, which)] in res.convergence_message
        return
    assert res.converged, f"{name} {which}: {res.convergence_message}"
    np.testing.assert_allclose(res.params.to_numpy(), d["cert"], rtol=1e-6,
                               err_msg=f"{name} {which}: {res.convergence_message}")
    np.testing.assert_allclose(res.bse.to_numpy(), d["se"], rtol=1e-4,
                               err_msg=f"{name} {which}: {res.convergence_message}")
    assert res.rss == pytest.approx(d["rss"], rel=1e-8)
    assert res.df_resid == d["nobs"] - len(d["cert"])


def test_summary_and_lower_difficulty_converge(record_property, capsys):
    """Record how many (dataset, start) fits converge/match; lower-difficulty ones must converge
    from start 2 (NIST's closer start)."""
    rows = []
    for name in NAMES:
        for which in STARTS:
            res, secs = run(name, which)
            rows.append((name, which, res.converged, matches(res, load(name)), secs))
    n_conv = sum(r[2] for r in rows)
    n_match = sum(r[2] and r[3] for r in rows)
    record_property("nist_fits", len(rows))
    record_property("nist_converged", n_conv)
    record_property("nist_converged_and_certified", n_match)
    with capsys.disabled():
        print(f"\nNIST StRD: {n_conv}/{len(rows)} fits converged, {n_match} of them certified")
        for name, which, conv, ok, secs in rows:
            if secs > 1.0:
                print(f"  slow: {name} {which} {secs:.1f} s")
    lower = [r for r in rows if DIFFICULTY[r[0]] == "lower" and r[1] == "start2"]
    assert len(lower) == 8
    assert all(r[2] for r in lower), [r[0] for r in lower if not r[2]]
