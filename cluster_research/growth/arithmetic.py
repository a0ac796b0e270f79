"""Growth arithmetic: fold change, increase multiple, CAGR and doubling time.

Every value (``v0``, ``v1`` the start and end values, ``years``, ``rate``) must be finite and
positive; otherwise :class:`~cluster_research.errors.ParameterError` is raised.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError

__all__ = ["cagr", "doubling_time", "fold_change", "increase_multiple"]


def _positive(name, v):
    v = float(v)
    if not np.isfinite(v) or v <= 0:
        raise ParameterError(f"{name} must be a finite positive number, got {v!r}")
    return v


def fold_change(v0, v1) -> float:
    """Return the ratio ``v1 / v0`` ("N-fold", 是原来的N倍).

    Examples
    --------
    >>> round(fold_change(250, 4252.8), 4)
    17.0112
    """
    return _positive("v1", v1) / _positive("v0", v0)


def increase_multiple(v0, v1) -> float:
    """Return the increase multiple ``v1 / v0 - 1`` (the Chinese "增长N倍" convention).

    "增长了N倍" / "上升了N倍" counts the increase, not the ratio: 250 -> 4252.8 is an increase of
    16.0 times ("近16倍") although the ratio is 17.0.

    Examples
    --------
    >>> round(increase_multiple(250, 4252.8), 4)
    16.0112
    """
    return fold_change(v0, v1) - 1.0


def cagr(v0, v1, years) -> float:
    """Return the compound annual growth rate ``g = (v1 / v0) ** (1 / years) - 1``.

    ``g`` is the discrete annual rate with ``v1 = v0 (1 + g) ** years``; ``years`` is the
    elapsed time (e.g. 8 for 2002 -> 2010).

    Examples
    --------
    >>> round(cagr(250, 4252.8, 8), 4)
    0.4251
    """
    n = _positive("years", years)
    return fold_change(v0, v1) ** (1.0 / n) - 1.0


def doubling_time(rate, kind="discrete") -> float:
    """Return the years to double implied by a growth rate per year.

    Parameters
    ----------
    rate : float
        Growth rate per year, positive.
    kind : {"discrete", "continuous"}
        ``"discrete"`` (default): ``rate`` is a compound annual rate ``g`` (e.g. a CAGR) and the
        doubling time is ``ln 2 / ln(1 + g)``.  ``"continuous"``: ``rate`` is an instantaneous
        rate ``r`` (e.g. the exponential model's ``r``) and the doubling time is ``ln 2 / r``.
        Another ``kind`` raises ParameterError.

    Examples
    --------
    >>> round(doubling_time(0.10), 3)
    7.273
    >>> round(doubling_time(0.10, kind="continuous"), 3)
    6.931
    """
    g = _positive("rate", rate)
    if kind == "discrete":
        return math.log(2.0) / math.log1p(g)
    if kind == "continuous":
        return math.log(2.0) / g
    raise ParameterError(f"kind must be 'discrete' or 'continuous', got {kind!r}")
