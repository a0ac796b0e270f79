"""The ``curve`` method: place a year among the boundaries of a fitted S-curve."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import growth
from ..errors import ParameterError
from .boundaries import boundaries, phase_from_boundaries, res_params
from .registry import register
from .stage import BOUNDARY_ROWS, PHASES, StageResult, check_phase_map, unclassified


@register("curve")
def classify_curve(years, values, year, information, *, model="logistic",
                    errors="multiplicative", phase_map=None, min_points=5, fit_kwargs=None,
                    gaps=(), **unknown):
    """Classify by the phase of ``year`` among the boundaries of a fitted S-curve."""
    if unknown:
        raise ParameterError(f"unknown option(s) for method='curve': {sorted(unknown)}")

    pm = check_phase_map(phase_map)
    ev: dict[str, Any] = {"model": model, "errors": errors, "n_obs": len(years),
                          "years_used": years.tolist(), "gaps_dropped": list(gaps)}
    if len(years) < min_points:
        return unclassified("curve", information, year,
                             f"too short: {len(years)} observations (need >= {min_points}) "
                             f"to fit a {model} curve", **ev)
    try:
        res = growth.fit(years, values, model=model, errors=errors, **(fit_kwargs or {}))
    except ParameterError as exc:
        return unclassified("curve", information, year, f"{model} fit failed: {exc}", **ev)
    ev.update(fit=res, params=res_params(res).to_dict(), boundaries=(tab := boundaries(res)))
    if not tab.attrs.get("identified", False):
        return unclassified("curve", information, year, tab.attrs.get("reason", ""), **ev)
    passed = np.array(tab.attrs.get("passed", [False] * 3))
    ph = int(phase_from_boundaries(year, tab["year"].to_numpy()[None, :], passed[None, :])[0])
    if ph == 0:
        return unclassified("curve", information, year, "boundaries could not be located: "
                             + "; ".join(n for n in tab["note"] if n), **ev)
    phase = PHASES[ph - 1]
    desc = ", ".join(f"{r} {tab.loc[r, 'year']:.1f}" for r in BOUNDARY_ROWS
                     if np.isfinite(tab.loc[r, "year"]))
    reason = f"{model} fit on {len(years)} obs: {year} lies in phase {phase} ({desc})"
    close = [r for r in BOUNDARY_ROWS if tab.loc[r, "ci_low"] <= year <= tab.loc[r, "ci_high"]]
    if close:
        reason += f"; {year} is inside the 95% interval of {', '.join(close)}: uncertain"
    ev["uncertain_near"] = close
    return StageResult(pm[phase], "curve", information, year, reason, ev, phase)
