"""The ``ensemble`` method: all applicable methods side by side."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..errors import ParameterError
from .registry import register, run_method
from .stage import StageResult


@register("ensemble", raw=True)
def classify_ensemble(series, year, information, *, extrapolate=False, counts=None, region=None, curve=None,
                       signs=None, net_entry=None, scorecard=None, **unknown):
    """Run every applicable method and report the majority stage and agreement."""
    if unknown:
        raise ParameterError(f"unknown option(s) for method='ensemble': {sorted(unknown)}")
    results: dict[str, StageResult] = {}
    for m, src, opts in (("curve", series, curve), ("signs", series, signs),
                         ("net_entry", counts, net_entry)):
        if src is not None:
            results[m] = run_method(src, year, m, information, extrapolate, **(opts or {}))
    if region is not None:
        results["scorecard"] = run_method(None, year, "scorecard", information, region=region,
                                        **(scorecard or {}))
    if not results:
        raise ParameterError("method='ensemble' needs a series, counts= or region=")
    table = pd.DataFrame([r.to_dict() for r in results.values()]).set_index("method")
    got = [r.stage for r in results.values() if r.stage is not None]
    cnt = Counter(got)
    majority = next((st for st, c in cnt.most_common(1) if c > len(got) / 2), None)
    # agree: at least two methods classified and all of those give the same stage;
    # unanimous: additionally no method failed to classify
    agree = len(cnt) == 1 and len(got) >= 2
    unanimous = agree and len(got) == len(results)
    n_none = len(results) - len(got)
    parts = ", ".join(f"{m}={'None' if r.stage is None else r.stage.zh}"
                      for m, r in results.items())
    if not got:
        reason = "no method could classify"
    elif len(got) == 1:
        only = next(m for m, r in results.items() if r.stage is not None)
        reason = (f"only {only} could classify ({got[0].zh} {got[0].en}); "
                  "no agreement can be assessed")
    elif agree:
        reason = f"{len(got)} methods agree: {got[0].zh} {got[0].en}"
    else:
        reason = f"methods disagree; majority {majority.zh}" if majority else \
            "methods disagree; no majority"
    reason += f" ({parts})"
    if n_none and got:
        reason += f"; {n_none} method(s) could not classify"
    ev = {"table": table, "results": results, "agree": agree, "unanimous": unanimous,
          "majority": majority, "n_classified": len(got),
          "counts": {s.name: c for s, c in cnt.items()}}
    return StageResult(majority, "ensemble", information, year, reason, ev)
