"""Helpers shared by the reference-value tests (imported by the test modules)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np

REF = Path(__file__).parent / "reference"
_NIST_DEF = re.compile(r"\s*b\d+\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$")

#: Baltagi's Grunfeld sample: the 10 firms of statsmodels' data other than American Steel.
BALTAGI_FIRMS = [
    "General Motors", "US Steel", "General Electric", "Chrysler", "Atlantic Refining",
    "IBM", "Union Oil", "Westinghouse", "Goodyear", "Diamond Match",
]


def sig_round(x, digits):
    """Round x to ``digits`` significant digits."""
    x = float(x)
    if x == 0:
        return 0.0
    return round(x, digits - 1 - int(np.floor(np.log10(abs(x)))))


@cache
def read_nist(name):
    """Parse tests/reference/nist_<name>.dat (NIST StRD nonlinear regression; one or more
    predictors): starting values, certified parameters and SEs, RSS, x and y."""
    text = (REF / f"nist_{name}.dat").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    start1, start2, cert, se, data = [], [], [], [], []
    rss = nobs = None
    in_data = False
    for ln in lines:
        m = _NIST_DEF.match(ln)
        if m and not in_data:
            a, b, c, d = (float(v) for v in m.groups())
            start1.append(a)
            start2.append(b)
            cert.append(c)
            se.append(d)
        if ln.startswith("Residual Sum of Squares:"):
            rss = float(ln.split(":")[1])
        if ln.startswith("Number of Observations:"):
            nobs = int(ln.split(":")[1])
        if re.match(r"Data:\s+y", ln):
            in_data = True
            continue
        if in_data and ln.strip():
            data.append([float(v) for v in ln.split()])
    data = np.array(data)
    y = data[:, 0]
    x = data[:, 1] if data.shape[1] == 2 else data[:, 1:]
    return {"start1": start1, "start2": start2, "cert": np.array(cert), "se": np.array(se),
            "rss": rss, "nobs": nobs, "x": x, "y": y, "text": text}
