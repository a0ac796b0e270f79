"""One set of limits from input to output: the ranges a value may take, defined once.

The input parsers (:func:`cluster_research.data.parsing.parse_year`, hence every CSV reader
and a user's series), the parameter checks (the ``Year`` type of ``notebooks/parameters.py``: a
``year`` parameter) and the output schemas (:mod:`cluster_research.schemas`: every ``year``
column) read the same constants here, so whatever is accepted at the door can be written at
the end (issue 28). The acceptance bars of the stage model are here too: a benchmark design
that scores none of them is refused before a run; and the one-line definition of the stages,
read by the stage figures, the notebooks' stage tables and the data dictionary of the outputs.

Examples
--------
>>> from cluster_research import limits
>>> limits.YEARS
(1949, 2100)
"""

from __future__ import annotations

import re

__all__ = ["ESTIMATED_YEARS", "STAGE_DEFINITION", "STAGE_MODEL_BARS", "YEARS", "formula_like",
           "scored_bars"]

#: Inclusive range of a calendar year of data: an observation, a parameter, a table row.
#: 1949: the first year of the statistics of the People's Republic; 2100: the horizon of a
#: target or forecast.
YEARS = (1949, 2100)

#: Inclusive range of a year *estimated* from a fitted curve (an inflection, a knee): it may
#: lie far outside the data, never absurdly so.
ESTIMATED_YEARS = (1800, 2300)

#: Acceptance bars of the panel stage model (issue 22), scored by notebook 10 on simulated
#: panels: the accuracy a method must reach for an information set and a noise level (an
#: unshown stage counts as wrong).
STAGE_MODEL_BARS = (
    {"information": "hindsight", "noise": 0.08, "accuracy": 0.95},
    {"information": "hindsight", "noise": 0.15, "accuracy": 0.85},
    {"information": "realtime", "noise": 0.08, "accuracy": 0.75},
    {"information": "realtime", "noise": 0.15, "accuracy": 0.60},
)

#: One line defining the stages (zh, en), shown with every stage map, heatmap and table and in
#: the data dictionary (:data:`cluster_research.lifecycle.STAGE_DEFINITION`): a stage is a place
#: on the fitted S-curve; 起飞 is the paper's word for the last one and means maturity here.
STAGE_DEFINITION = {
    "zh": "阶段 = 该年在拟合S曲线上的位置：萌芽 下拐点前 · 成长 下拐点至拐点 · 扩大 拐点至上拐点 · "
          "起飞 上拐点后（论文用语，此处指接近上限的成熟期，不是开始起飞）；"
          "未识别 = 数据不足以确定阶段",
    "en": "stage = place of the year on the fitted S-curve: 萌芽 embryonic, before the lower knee · "
          "成长 growth, lower knee to inflection · 扩大 expansion, inflection to upper knee · "
          "起飞 (the paper's word) after the upper knee: close to the ceiling (maturity), not a "
          "take-off; not identified (未识别) = the data do not identify a stage",
}


def scored_bars(noises, realtime_noises=(), realtime_methods=()) -> list[dict]:
    """Return the bars of :data:`STAGE_MODEL_BARS` a benchmark design scores.

    Parameters
    ----------
    noises : sequence of float
        Noise levels scored in hindsight.
    realtime_noises : sequence of float
        Noise levels scored in real time (only with ``realtime_methods``).
    realtime_methods : sequence of str
        Methods scored in real time (empty: none).

    Returns
    -------
    list of dict
        The bars whose information set and noise level the design covers (empty: the
        benchmark could not be checked against any bar).

    Examples
    --------
    >>> [b["noise"] for b in scored_bars([0.08, 0.3])]
    [0.08]
    >>> scored_bars([0.05], [0.05], ["pooled"])
    []
    """
    levels = {"hindsight": set(noises),
              "realtime": set(realtime_noises) if realtime_methods else set()}
    return [b for b in STAGE_MODEL_BARS if b["noise"] in levels[b["information"]]]


#: A text cell a spreadsheet would run as a formula starts with one of these (after spaces;
#: OWASP, "CSV Injection": https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_START = re.compile(r" *[=+\-@\t\r]")
PLAIN_NUMBER = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")


def formula_like(text) -> bool:
    """Tell whether a text cell would be run as a formula by a spreadsheet.

    True when it starts (after spaces) with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return and is neither a plain decimal number (``-5``, ``+1e3``) nor a lone ``-``. The
    same rule refuses such cells in a user's CSV at the door
    (:func:`cluster_research.data.parsing.check_not_formula`) and neutralises them when a table
    is written (:func:`cluster_research.outputs.save_table`).

    Parameters
    ----------
    text : object
        Only ``str`` can be formula-like.

    Returns
    -------
    bool

    Examples
    --------
    >>> formula_like("=cmd|' /C calc'!A0"), formula_like("-2.5"), formula_like("-")
    (True, False, False)
    """
    return (isinstance(text, str) and bool(FORMULA_START.match(text))
            and text.strip() != "-" and not PLAIN_NUMBER.fullmatch(text))
