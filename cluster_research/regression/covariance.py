"""Covariance choices of the panel estimators, mapped onto statsmodels' ``cov_type``.

``"nonrobust"``, ``"HC1"``, ``"cluster"`` (by entity) and ``"driscoll-kraay"``
(statsmodels ``"hac-groupsum"`` with period codes, Bartlett kernel, no small-sample
correction, as Stata's ``xtscc``; Hoechle 2007).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError

__all__ = ["COV_TYPES", "cov_kwargs", "default_maxlags"]

COV_TYPES = ("nonrobust", "HC1", "cluster", "driscoll-kraay")


def default_maxlags(n_periods: int) -> int:
    """Return the Newey–West plug-in lag length floor(4 (T/100)^(2/9))."""
    return math.floor(4 * (n_periods / 100.0) ** (2.0 / 9.0))


def cov_kwargs(cov_type, entity_codes, time_codes, n_periods, maxlags, min_clusters):
    if cov_type not in COV_TYPES:
        raise ParameterError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if cov_type in ("nonrobust", "HC1"):
        return cov_type, {}, None
    if cov_type == "cluster":
        if entity_codes is None:
            raise ParameterError("cov_type='cluster' needs the entity column")
        g = len(np.unique(entity_codes))
        if g < min_clusters:
            raise ParameterError(f"too few clusters (entities) for this covariance: {g} clusters "
                                 f"(entities), minimum {min_clusters}")
        return "cluster", {"groups": entity_codes}, None
    if time_codes is None:
        raise ParameterError("cov_type='driscoll-kraay' needs the time column")
    if n_periods < min_clusters:
        raise ParameterError(f"too few periods for this covariance: {n_periods} periods, minimum "
                             f"{min_clusters}")
    lags = default_maxlags(n_periods) if maxlags is None else int(maxlags)
    if lags < 0 or lags >= n_periods:
        raise ParameterError(f"maxlags must be in [0, {n_periods - 1}], got {lags}")
    # no small-sample correction, as Stata's xtscc (Hoechle 2007)
    return "hac-groupsum", {"time": time_codes, "maxlags": lags, "use_correction": False}, lags
