"""Lifecycle stages, stage results, phase maps and input checks."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ParameterError

METHODS = ("curve", "signs", "net_entry", "scorecard", "ensemble")
INFORMATION = ("realtime", "hindsight")
PHASES = ("I", "II", "III", "IV")
BOUNDARY_ROWS = ("lower_knee", "inflection", "upper_knee")


@functools.total_ordering
class Stage(enum.Enum):
    """Order the four lifecycle stages of an industrial cluster.

    ``EMBRYONIC`` (萌芽) < ``GROWTH`` (成长) < ``EXPANSION`` (扩大) < ``TAKEOFF`` (起飞).

    The order is the paper's: 萌芽阶段、成长阶段、扩大阶段和起飞阶段.  *Take-off*
    comes last, so it names a self-sustaining, mature cluster (the sense of
    Rostow's "drive to self-sustained growth"), not the moment of fastest
    acceleration.  Consequently the default mapping from curve phases is
    I -> 萌芽, II -> 成长, III -> 扩大, IV -> 起飞 (see :data:`DEFAULT_PHASE_MAP`
    and :func:`phase_to_stage`; pass ``phase_map=`` to any classifier to change
    it).  On an S-curve the phases are: I before the lower knee, II lower
    knee -> inflection, III inflection -> upper knee, IV after the upper knee
    (knees = roots of y''', inflection = root of y'').  With the default
    mapping the paper's 成长 stage is the fast, still accelerating part of the
    curve between the lower knee and the inflection; 扩大 is fast but
    decelerating growth; 起飞 the approach to the ceiling.  Other readings
    (e.g. take-off as the steepest part) are one ``phase_map`` away.

    Attributes
    ----------
    zh, en : str
        Chinese and English labels.
    order : int
        1..4, also the enum value; stages compare by it.

    Examples
    --------
    >>> Stage.GROWTH.zh, Stage.GROWTH.en
    ('成长', 'growth')
    >>> Stage.EMBRYONIC < Stage.TAKEOFF
    True
    >>> Stage.from_label("扩大")
    <Stage.EXPANSION: 3>
    """

    EMBRYONIC = 1
    GROWTH = 2
    EXPANSION = 3
    TAKEOFF = 4

    @property
    def order(self) -> int:
        """Return the stage's position 1..4."""
        return int(self.value)

    @property
    def zh(self) -> str:
        """Return the Chinese stage name."""
        return _ZH[self.value]

    @property
    def en(self) -> str:
        """Return the English stage name."""
        return _EN[self.value]

    def label(self, lang: str = "zh") -> str:
        """Return the label in ``lang`` ("zh", "en" or "both", e.g. "成长 growth")."""
        if lang in ("zh", "en", "both"):
            return {"zh": self.zh, "en": self.en, "both": f"{self.zh} {self.en}"}[lang]
        raise ParameterError(f"lang must be 'zh', 'en' or 'both', got {lang!r}")

    @classmethod
    def from_label(cls, label: str | Stage) -> Stage:
        """Return the stage for a name, Chinese or English label (case-insensitive)."""
        if isinstance(label, Stage):
            return label
        key = str(label).strip()
        for st in cls:
            if key in (st.zh, st.zh + "阶段") or key.lower() in (
                st.en,
                st.name.lower(),
                st.en.replace("-", "")):
                return st
        raise ParameterError(f"unknown stage label {label!r}")

    def __lt__(self, other):
        if not isinstance(other, Stage):
            return NotImplemented
        return self.value < other.value


_ZH = {1: "萌芽", 2: "成长", 3: "扩大", 4: "起飞"}
_EN = {1: "embryonic", 2: "growth", 3: "expansion", 4: "take-off"}

#: Default mapping of curve phases I-IV (see module docstring) to stages.
DEFAULT_PHASE_MAP: dict[str, Stage] = dict(zip(PHASES, Stage))


def check_phase_map(phase_map) -> dict[str, Stage]:
    """Return a validated phase -> Stage map (the default when None)."""
    if phase_map is None:
        return dict(DEFAULT_PHASE_MAP)
    if set(phase_map) != set(PHASES):
        raise ParameterError(f"phase_map must have exactly the keys {PHASES}, got {sorted(phase_map)}")
    return {k: Stage.from_label(v) for k, v in phase_map.items()}


def phase_to_stage(phase: str | int, phase_map: dict | None = None) -> Stage:
    """Map a curve phase ("I".."IV" or 1..4) to a :class:`Stage`.

    Parameters
    ----------
    phase : {"I", "II", "III", "IV"} or int 1..4
    phase_map : dict, optional
        Mapping phase -> Stage (or label); default :data:`DEFAULT_PHASE_MAP`
        (I 萌芽, II 成长, III 扩大, IV 起飞).

    Returns
    -------
    Stage

    Examples
    --------
    >>> phase_to_stage("II").zh
    '成长'
    >>> phase_to_stage(4, {"I": "萌芽", "II": "萌芽", "III": "成长", "IV": "扩大"}).en
    'expansion'
    """
    pm = check_phase_map(phase_map)
    if isinstance(phase, (int, np.integer)):
        if not 1 <= int(phase) <= 4:
            raise ParameterError(f"phase must be 1..4, got {phase}")
        phase = PHASES[int(phase) - 1]
    if phase not in pm:
        raise ParameterError(f"phase must be one of {PHASES}, got {phase!r}")
    return pm[phase]


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------
@dataclass
class StageResult:
    """Hold the outcome of one classification.

    Attributes
    ----------
    stage : Stage or None
        ``None`` when the method cannot classify; :attr:`reason` says why.
    method, information : str
    year : int
    reason : str
        Why this stage (or why none).
    evidence : dict
        The numbers used (fitted parameters, boundaries, derivatives, scores,
        the observations used, gaps dropped, ...).
    phase : str or None
        Curve phase I-IV where the method works with phases.
    """

    stage: Stage | None
    method: str
    information: str
    year: int
    reason: str
    evidence: dict = field(default_factory=dict)
    phase: str | None = None

    @property
    def classified(self) -> bool:
        """Return whether a stage was assigned."""
        return self.stage is not None

    def label(self, lang: str = "zh") -> str | None:
        """Return the stage label in ``lang``, or None if unclassified."""
        return None if self.stage is None else self.stage.label(lang)

    def to_dict(self) -> dict:
        """Return a flat summary (stage name, labels, method, information, year, reason)."""
        return {
            "method": self.method,
            "information": self.information,
            "year": self.year,
            "stage": None if self.stage is None else self.stage.name,
            "stage_zh": self.label("zh"),
            "stage_en": self.label("en"),
            "phase": self.phase,
            "reason": self.reason}

    def __repr__(self) -> str:
        st = "None" if self.stage is None else f"{self.stage.name} ({self.stage.zh})"
        return (
            f"StageResult(stage={st}, method={self.method!r}, information={self.information!r}, "
            f"year={self.year}, reason={self.reason!r})")


def unclassified(method, information, year, reason, **evidence) -> StageResult:
    """Return a StageResult with ``stage=None`` and the reason."""
    return StageResult(None, method, information, int(year), reason, dict(evidence))


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------
def check_year(year) -> int:
    """Return ``year`` as int, or raise ParameterError."""
    if isinstance(year, bool) or not isinstance(year, (int, np.integer, float, np.floating)) \
            or float(year) != int(year):
        raise ParameterError(f"year must be an integer calendar year, got {year!r}")
    return int(year)


def check_information(information: str) -> str:
    """Return ``information`` if it is 'realtime' or 'hindsight', else raise."""
    if information not in INFORMATION:
        raise ParameterError(f"information must be one of {INFORMATION}, got {information!r}")
    return information


def clean_series(series, name: str = "series") -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Validate a year-indexed series; return (years, values, gap_years), NaN dropped."""
    if not isinstance(series, pd.Series):
        raise ParameterError(
            f"{name} must be a pandas Series indexed by int year, got {type(series).__name__}")
    idx = series.index
    try:
        yrs = np.asarray(idx, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} index must be integer years: {exc}") from None
    if len(yrs) and (not np.all(np.isfinite(yrs)) or np.any(yrs != np.round(yrs))):
        raise ParameterError(f"{name} index must be integer years, got {list(idx)[:5]}...")
    if len(set(yrs.tolist())) != len(yrs):
        dup = sorted({int(y) for y in yrs if (yrs == y).sum() > 1})
        raise ParameterError(f"{name} has duplicate years {dup}")
    try:
        vals = pd.to_numeric(series, errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} values must be numeric: {exc}") from None
    if np.any(np.isinf(vals)):
        bad = [int(y) for y, v in zip(yrs, vals) if np.isinf(v)]
        raise ParameterError(f"{name} has infinite values at years {bad}")
    order = np.argsort(yrs)
    yrs, vals = yrs[order].astype(int), vals[order]
    gaps = [int(y) for y, v in zip(yrs, vals) if np.isnan(v)]
    ok = ~np.isnan(vals)
    return yrs[ok], vals[ok], gaps


def restrict(years, values, year, information):
    """Keep observations dated <= ``year`` in real time (all in hindsight)."""
    if information == "realtime":
        keep = years <= year
        return years[keep], values[keep]
    return years, values
