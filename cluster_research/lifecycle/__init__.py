"""Classify an industrial cluster's lifecycle stage: 萌芽, 成长, 扩大, 起飞.

The paper (上海电子商务产业集群推进策略研究, c. 2011, section 现状) judges that
Shanghai's e-commerce cluster is in the 成长 (growth) stage of four -- 萌芽
(embryonic), 成长 (growth), 扩大 (expansion), 起飞 (take-off) -- because firms are
gathering, scale is expanding fast, inter-firm links are forming and the
infrastructure has changed a lot.  This module makes that judgement
quantitative, by several independent methods (:func:`classify`: curve, signs,
net_entry, scorecard, ensemble; :func:`panel_stages` for a panel), each returning
a :class:`StageResult` that says *why* (or why it cannot classify).
``information="realtime"`` uses only observations dated on or before the
classified year (what the paper's authors could have known).

Curve phases
------------
For an S-shaped level curve y(t) the two knees are the roots of y''' (the
extrema of the curvature-driving y''), the inflection the root of y''.  They
cut time into four phases::

    I    before the lower knee             y'' > 0, y''' > 0   (slow start, accelerating ever faster)
    II   lower knee -> inflection          y'' > 0, y''' < 0   (fast, still accelerating)
    III  inflection -> upper knee          y'' < 0, y''' < 0   (fast, decelerating)
    IV   after the upper knee              y'' < 0, y''' > 0   (approaching the ceiling)

References
----------
Gort, M. and Klepper, S. (1982). Time paths in the diffusion of product
innovations. *The Economic Journal* 92(367), 630-653.

Bass, F. M. (1969). A new product growth for model consumer durables.
*Management Science* 15(5), 215-227.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from cluster_research import lifecycle
>>> years = np.arange(1990, 2031)
>>> y = pd.Series(1000 / (1 + np.exp(-0.25 * (years - 2010))), index=years)
>>> lifecycle.classify(y, 2000, method="signs", information="hindsight").stage
<Stage.EMBRYONIC: 1>
"""

from __future__ import annotations

from ..limits import STAGE_DEFINITION
from .boundaries import GOMPERTZ_KNEE, LOGISTIC_KNEE, boundaries
from .dispatch import classify
from .checks import (backward_steps, face_validity, face_validity_text, forecast_summary,
                     instrument_table, maturity_measures, rolling_forecast, stage_summary)
from .lag import RATIO_INDICATORS, per_person_scale
from .panel import PROB_COLUMNS, STAGE_THRESHOLD, panel_stages
from .probabilities import stage_probabilities
from .registry import REGISTRY, register
from .scorecard import SCORECARD_INDICATORS, scorecard, scorecard_table
from .signs import local_derivatives
from .stage import (BOUNDARY_ROWS, DEFAULT_PHASE_MAP, INFORMATION, PHASES, Stage, StageResult,
                    phase_to_stage)

#: Names of the registered stage methods (``classify(..., method=...)``).
_ORDER = ("curve", "signs", "net_entry", "scorecard", "ensemble")
METHODS = tuple(sorted(REGISTRY, key=lambda m: _ORDER.index(m) if m in _ORDER else len(_ORDER)))

__all__ = [
    "BOUNDARY_ROWS", "PROB_COLUMNS", "backward_steps", "RATIO_INDICATORS", "STAGE_THRESHOLD", "face_validity", "face_validity_text", "forecast_summary",
    "instrument_table", "maturity_measures", "panel_stages", "per_person_scale", "rolling_forecast", "stage_summary",
    "DEFAULT_PHASE_MAP", "GOMPERTZ_KNEE", "INFORMATION", "LOGISTIC_KNEE", "METHODS", "PHASES",
    "REGISTRY", "SCORECARD_INDICATORS", "STAGE_DEFINITION", "Stage", "StageResult",
    "boundaries", "classify", "local_derivatives", "phase_to_stage", "register", "scorecard",
    "scorecard_table", "stage_probabilities"]
