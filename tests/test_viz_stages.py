"""Tests of cluster_research.viz.stages (figures of the panel stage model)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

matplotlib.use("Agg")

from cluster_research.errors import ParameterError  # noqa: E402
from cluster_research.lifecycle import Stage  # noqa: E402
from cluster_research.viz import stages as vs  # noqa: E402


def _table():
    # two regions, 上海 observed 2020-2022, 北京 only 2020 and 2022 (2021 unobserved)
    rows = [("上海", 2020, Stage.EMBRYONIC, [0.9, 0.1, 0, 0]),
            ("上海", 2021, Stage.GROWTH, [0.3, 0.6, 0.1, 0]),
            ("上海", 2022, Stage.GROWTH, [0.0, 0.5, 0.4, 0.1]),
            ("北京", 2020, None, [0.25, 0.25, 0.25, 0.25]),
            ("北京", 2022, Stage.TAKEOFF, [0, 0, 0.3, 0.7])]
    return pd.DataFrame([{"region": r, "year": y, "stage": s,
                          **dict(zip(vs.PROB_COLUMNS, p)), "reason": "test"}
                         for r, y, s, p in rows])


def test_stage_probability_picks_the_shown_stage_column():
    p = vs.stage_probability(_table())
    assert p.tolist()[:3] == [0.9, 0.6, 0.5]
    assert np.isnan(p.iloc[3])
    assert p.iloc[4] == 0.7


def test_shade_is_the_hue_at_certainty_and_paler_when_uncertain():
    assert vs.shade(Stage.EXPANSION, 1.0) == pytest.approx(to_rgb(vs.STAGE_HUES[3]))
    pale, full = vs.shade(Stage.EXPANSION, 0.2), vs.shade(Stage.EXPANSION, 1.0)
    assert all(a > b for a, b in zip(pale, full))  # mixed with white
    assert vs.shade(None, 0.9) == pytest.approx(to_rgb("#bdbdbd"))


def test_heatmap_marks_unobserved_year_and_missing_stage():
    fig = vs.stage_heatmap(_table(), lang="en")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "?" in texts and "0.70" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "unobserved year" in legend and "take-off" in legend
    hatched = [p for p in ax.patches if p.get_hatch() == "///"]
    assert len(hatched) == 1  # 北京 2021 only


def test_map_needs_the_year_and_a_panel_table():
    fig = vs.stage_map(_table(), 2022, lang="zh", highlight="上海")
    assert fig.axes
    with pytest.raises(ParameterError, match="no row for year 2030"):
        vs.stage_map(_table(), 2030)
    with pytest.raises(ParameterError, match="lacks columns \\['prob_growth'\\]"):
        vs.stage_heatmap(_table().drop(columns="prob_growth"))
