"""A short summary of one run (printed by ``run`` and ``profile``), read from the run's own CSV
files so that it cannot disagree with them: stages, identified ceilings, verdicts vs the paper.

Examples
--------
>>> import pandas as pd, tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> pd.DataFrame({"model": ["logistic", "gompertz"], "identified": [True, False],
...               "ceiling_if_identified": [41631.1, None]}).to_csv(d / "growth_fits.csv", index=False)
>>> print("\\n".join(run_summary([d / "growth_fits.csv"])))
growth fits: ceiling identified by logistic (K = 4.163e+04); not by gompertz
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["run_summary"]

_PROB = {"萌芽": "prob_embryonic", "成长": "prob_growth", "扩大": "prob_expansion", "起飞": "prob_takeoff"}


def _growth_fits(df: pd.DataFrame) -> list[str]:
    ceiling = "ceiling_if_identified" if "ceiling_if_identified" in df else "ceiling"
    df = df[df["model"].ne("exponential")]
    ok, no = df[df["identified"].astype(bool)], df[~df["identified"].astype(bool)]
    text = ", ".join(f"{r.model} (K = {getattr(r, ceiling):.4g})" for r in ok.itertuples())
    text = f"ceiling identified by {text}" if text else "no ceiling identified"
    return [f"growth fits: {text}" + (f"; not by {', '.join(no['model'])}" if len(no) else "")]


def _stages(df: pd.DataFrame) -> list[str]:
    lines = []
    for r in df.to_dict("records"):
        zh, prob = r.get("stage_zh"), r.get(_PROB.get(r.get("stage_zh"), ""))
        if not isinstance(zh, str) or zh in ("", "-"):
            lines.append(f"stage ({r['method']}): none — {str(r.get('reason', ''))[:90]}")
        else:
            p = f", probability {prob:.2f}" if isinstance(prob, float) and pd.notna(prob) else ""
            lines.append(f"stage ({r['method']}): {zh} ({r.get('stage_en', '')}{p})")
    return lines


_READERS = {"growth_fits": _growth_fits, "stages": _stages, "stage_verdicts": lambda df: [
    "verdicts vs the paper: " + ", ".join(f"{k} {v}" for k, v in df["verdict"].value_counts().items())]}


def run_summary(tables) -> list[str]:
    """Summarise a run from the CSV files it wrote.

    Parameters
    ----------
    tables : iterable of path-like
        The run's tables (``RunResult.tables``).

    Returns
    -------
    list of str
        One line per fact; empty when the run wrote none of ``growth_fits``, ``stages``,
        ``stage_verdicts``.
    """
    return [line for path in map(Path, tables) if path.stem in _READERS and path.exists()
            for line in _READERS[path.stem](pd.read_csv(path))]
