"""A short summary of one run, read from the tables the run wrote.

``python -m cluster_research run`` and ``profile`` end by printing it: the stage found by
each method (with its probability where the run computed one), the growth models whose
ceiling is identified, and where the outputs are. Everything is read from the run's own
CSV files, so the summary cannot disagree with them.

Examples
--------
>>> import pandas as pd, tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> pd.DataFrame({"model": ["logistic", "gompertz"], "converged": [True, True],
...               "identified": [True, False], "ceiling_if_identified": [41631.1, None],
...               "aicc": [1.0, 2.0], "reason": ["", ""]}).to_csv(d / "growth_fits.csv",
...                                                                index=False)
>>> print("\\n".join(run_summary([d / "growth_fits.csv"])))
growth fits: ceiling identified by logistic (K = 4.163e+04); not by gompertz
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["run_summary"]

_PROB = {"萌芽": "prob_embryonic", "成长": "prob_growth", "扩大": "prob_expansion",
         "起飞": "prob_takeoff"}


def _growth_fits(df: pd.DataFrame) -> list[str]:
    ceiling = "ceiling_if_identified" if "ceiling_if_identified" in df else "ceiling"
    ok = df[df["identified"].astype(bool) & df["model"].ne("exponential")]
    no = df[~df["identified"].astype(bool) & df["model"].ne("exponential")]
    parts = [f"{r.model} (K = {getattr(r, ceiling):.4g})" for r in ok.itertuples()]
    text = ("ceiling identified by " + ", ".join(parts)) if parts else "no ceiling identified"
    if len(no):
        text += "; not by " + ", ".join(no["model"])
    return [f"growth fits: {text}"]


def _stages(df: pd.DataFrame) -> list[str]:
    lines = []
    for r in df.to_dict("records"):
        zh = r.get("stage_zh")
        if not isinstance(zh, str) or zh in ("", "-"):
            lines.append(f"stage ({r['method']}): none — {str(r.get('reason', ''))[:90]}")
            continue
        prob = r.get(_PROB.get(zh, ""), None)
        p = f", probability {prob:.2f}" if isinstance(prob, float) and prob == prob else ""
        lines.append(f"stage ({r['method']}): {zh} ({r.get('stage_en', '')}{p})")
    return lines


def _verdicts(df: pd.DataFrame) -> list[str]:
    counts = df["verdict"].value_counts()
    return ["verdicts vs the paper: " + ", ".join(f"{k} {v}" for k, v in counts.items())]


_READERS = {"growth_fits": _growth_fits, "stages": _stages, "stage_verdicts": _verdicts}


def run_summary(tables) -> list[str]:
    """Summarise a run from the CSV files it wrote.

    Parameters
    ----------
    tables : iterable of path-like
        The run's tables (``RunResult.tables``).

    Returns
    -------
    list of str
        One line per fact: growth fits with identified ceilings, the stage by method (with
        its probability where the table has one), verdicts against the paper; empty when the
        run wrote none of those tables.
    """
    lines: list[str] = []
    for path in map(Path, tables):
        reader = _READERS.get(path.stem)
        if reader is None or not path.exists():
            continue
        lines += reader(pd.read_csv(path))
    return lines
