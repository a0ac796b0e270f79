"""Verdicts on the paper's stage claim: do the lifecycle classifiers find the stated stage?

The paper states that the Shanghai cluster is in the growth stage (成长). Each
classifier of :mod:`cluster_research.lifecycle` returns a stage or says it cannot
classify; the rules here turn those answers into the verdicts used by
:func:`cluster_research.claims.check_all` and notebook 03.
"""

from __future__ import annotations

import pandas as pd

from .. import lifecycle

__all__ = ["VERDICTS", "method_verdict", "stage_verdict", "stage_verdicts"]

#: The three verdicts of a claim.
VERDICTS = ("reproduced", "not reproduced", "not checkable")


def method_verdict(result, expected=lifecycle.Stage.GROWTH) -> str:
    """Compare one classifier's stage with the expected stage.

    Parameters
    ----------
    result : cluster_research.lifecycle result
        Anything with a ``stage`` attribute (a :class:`~cluster_research.lifecycle.Stage` or None).
    expected : Stage or None, default Stage.GROWTH
        The stage the paper states (成长); ``None`` where the paper judged nothing (another
        region, or years other than its 2010-11).

    Returns
    -------
    str
        ``"no verdict"`` (no stage), ``"agrees"`` (stage == expected),
        ``"disagrees (<stage in Chinese>)"``, or with ``expected=None``
        ``"no paper judgement (<stage>)"``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from cluster_research.lifecycle import Stage
    >>> method_verdict(SimpleNamespace(stage=Stage.GROWTH))
    'agrees'
    >>> method_verdict(SimpleNamespace(stage=Stage.EXPANSION))
    'disagrees (扩大)'
    >>> method_verdict(SimpleNamespace(stage=None))
    'no verdict'
    """
    stage = getattr(result, "stage", None)
    if stage is None:
        return "no verdict"
    if expected is None:
        return f"no paper judgement ({stage.zh})"
    return "agrees" if stage == expected else f"disagrees ({stage.zh})"


def stage_verdict(ensemble, methods: dict, expected=lifecycle.Stage.GROWTH) -> dict:
    """Judge the stage claim for one year and information set from the ensemble and its methods.

    Rules, in order:

    1. the ensemble has no stage and no method classifies → **not checkable**;
    2. the ensemble's stage is ``expected`` → **reproduced**;
    3. the ensemble has no stage but some methods classify (they disagree, no majority)
       → **not reproduced**;
    4. otherwise the ensemble found another stage → **not reproduced**.

    The ensemble is the majority of the methods (:func:`cluster_research.lifecycle.classify`
    with ``method="ensemble"``); when only one method classifies, the text says so.

    Parameters
    ----------
    ensemble : lifecycle result
        Result of the ensemble classifier (``stage`` None if no majority).
    methods : dict of {str: lifecycle result}
        The individual methods' results by name (without the ensemble).
    expected : Stage, default Stage.GROWTH

    Returns
    -------
    dict
        ``verdict`` (one of :data:`VERDICTS`), ``text`` (e.g.
        ``"REPRODUCED - the majority finds 成长"``), ``n_classified`` (methods with a
        stage), ``n_methods``, ``stages`` (method → Chinese label or ``None``).

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> from cluster_research.lifecycle import Stage
    >>> g, e = R(stage=Stage.GROWTH), R(stage=Stage.EXPANSION)
    >>> stage_verdict(g, {"signs": g, "curve": g, "scorecard": R(stage=None)})["text"]
    'REPRODUCED - the majority finds 成长'
    >>> stage_verdict(R(stage=None), {"signs": g, "curve": e})["verdict"]
    'not reproduced'
    >>> stage_verdict(R(stage=None), {"signs": R(stage=None)})["verdict"]
    'not checkable'
    """
    stages = {m: (r.stage.zh if getattr(r, "stage", None) is not None else None)
              for m, r in methods.items()}
    found = sorted({s for s in stages.values() if s})
    n_ok = sum(s is not None for s in stages.values())
    who = "the majority finds" if n_ok > 1 else "the only method that classifies finds"
    stage = getattr(ensemble, "stage", None)
    if stage is None and not found:
        verdict, text = "not checkable", "NOT CHECKABLE - no method can classify"
    elif stage == expected:
        verdict, text = "reproduced", f"REPRODUCED - {who} {expected.zh}"
    elif stage is None:
        verdict = "not reproduced"
        text = f"NOT REPRODUCED - methods disagree ({', '.join(found)}), no majority"
    else:
        verdict, text = "not reproduced", f"NOT REPRODUCED - {who} {stage.zh} ({stage.en})"
    return {"verdict": verdict, "text": text, "n_classified": n_ok, "n_methods": len(stages),
            "stages": stages}


def stage_verdicts(results: dict, region: str, expected=lifecycle.Stage.GROWTH) -> pd.DataFrame:
    """Tabulate :func:`method_verdict` for classifier results keyed by (year, information, method).

    Parameters
    ----------
    results : dict of {(int, str, str): lifecycle result}
        ``(year, information, method) -> result``.
    region : str
        Written in the ``region`` column.
    expected : Stage or None, default Stage.GROWTH
        As for :func:`method_verdict`.

    Returns
    -------
    pandas.DataFrame
        Columns ``region, year, information, method, stage`` (enum name or None),
        ``stage_zh, phase, verdict, reason``, one row per result, in the order given.
    """
    return pd.DataFrame([
        {"region": region, "year": y, "information": info, "method": m,
         "stage": r.stage.name if r.stage else None, "stage_zh": r.label("zh"),
         "phase": r.phase, "verdict": method_verdict(r, expected), "reason": r.reason}
        for (y, info, m), r in results.items()],
        columns=["region", "year", "information", "method", "stage", "stage_zh", "phase",
                 "verdict", "reason"])
