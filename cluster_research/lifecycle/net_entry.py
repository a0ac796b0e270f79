"""The ``net_entry`` method: Gort & Klepper (1982) stages from firm counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .registry import register
from .signs import derivative_operator, landmark_grid, landmark_phases
from .stage import Stage, StageResult, unclassified


def check_counts(years, values):
    """Raise :class:`ParameterError` for negative firm counts (net entry undefined)."""
    if np.any(values < 0):
        bad = years[values < 0].tolist()
        raise ParameterError(f"negative firm counts at years {bad}: net entry undefined")


@register("net_entry", check=check_counts)
def classify_net_entry(years, values, year, information, *, band=0.05, window=11, degree=2,
                        max_gap=1, min_points=None, gaps=(), **unknown):
    """Classify by Gort & Klepper's net-entry stages from smoothed firm counts."""
    if unknown:
        raise ParameterError(f"unknown option(s) for method='net_entry': {sorted(unknown)}")
    if min_points is None:
        min_points = window + 4
    ev: dict[str, Any] = {"band": band, "window": window, "degree": degree,
                          "gaps_dropped": list(gaps), "n_obs": len(years)}
    upto = f" up to {year}" if information == "realtime" else ""
    if len(years) < min_points:
        return unclassified("net_entry", information, year,
                             f"too short: {len(years)} firm counts{upto} (need >= {min_points}"
                             f" = window + 4; a smaller window= smooths less)", **ev)
    nearest = float(np.min(np.abs(years - year)))
    if nearest > max_gap:
        return unclassified("net_entry", information, year,
                             f"no firm count within {max_gap} year(s) of {year} "
                             "(gaps are not filled)", **ev)
    grid = landmark_grid(years, year)
    L = derivative_operator(years.astype(float), values, grid, window, degree, "equal")
    paths = np.einsum("kgn,n->kg", L, values)
    level, d1 = paths[0], paths[1]
    gi = int(np.searchsorted(grid, year))
    if level[gi] <= 0:
        return unclassified("net_entry", information, year,
                             f"smoothed firm count at {year} is not positive: rate undefined", **ev)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_path = np.where(level > 0, d1 / level, np.nan)
    ph, lk, _, _ = (a[0] for a in landmark_phases(paths[2][None, :], grid, year, paths[1][None, :]))
    rate = rate_path[gi]
    wave = np.where(rate_path[:gi] > band)[0]
    # a shakeout counts only after an entry wave (Gort-Klepper order); rates before the
    # first wave (tiny, noisy counts) are ignored
    earlier = rate_path[wave[0]:gi] if len(wave) else np.array([])
    ev.update(paths=pd.DataFrame({"firms": level, "net_entry": d1, "net_entry_rate": rate_path,
                                  "d_net_entry": paths[2]},
                                 index=pd.Index(grid.astype(int), name="year")),
              firms=level[gi], net_entry=d1[gi], net_entry_rate=rate,
              entry_acceleration_peak=lk, years_used=years.tolist())
    r = (f"smoothed net entry {d1[gi]:.4g} firms/yr = {rate:.1%} of {level[gi]:.4g} firms "
         f"in {year}")
    if rate < -band:
        return StageResult(Stage.TAKEOFF, "net_entry", information, year,
                           r + f" < -{band:.0%}: shakeout (Gort-Klepper stage 4), mature", ev)
    if rate <= band:
        if np.any(earlier < -band):
            return StageResult(Stage.TAKEOFF, "net_entry", information, year,
                               r + ": near zero after a shakeout (Gort-Klepper stage 5)", ev)
        if np.any(earlier > band):
            return StageResult(Stage.EXPANSION, "net_entry", information, year,
                               r + ": near zero after an entry wave (Gort-Klepper stage 3)", ev)
        return unclassified("net_entry", information, year,
                             r + ": near zero with no earlier entry wave or shakeout observed; "
                             "Gort-Klepper stage 1 or 5 cannot be told apart", **ev)
    if int(ph) == 1:
        return StageResult(Stage.EMBRYONIC, "net_entry", information, year,
                           r + f" > {band:.0%}, entry still accelerating ever faster (before "
                           "the peak of d(net entry)/dt): Gort-Klepper stage 1", ev)
    return StageResult(Stage.GROWTH, "net_entry", information, year,
                       r + f" > {band:.0%}, past the peak acceleration of entry "
                       f"({lk:.0f}): sharp rise in the number of firms, Gort-Klepper stage 2", ev)
