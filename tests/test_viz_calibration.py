"""Tests of the stage-model benchmark figures (cluster_research.viz.calibration).

Expected values are the hand-made inputs themselves: the points drawn must be the table's
values, the bars must sit at the accuracy given, the ECE in the legend is the one supplied.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cluster_research.errors import ClusterResearchError, ParameterError
from cluster_research.viz import calibration

BENCH = pd.DataFrame({
    "method": ["pooled", "pooled", "hmm", "hmm", "pooled", "pooled"],
    "truth": ["logistic", "logistic", "logistic", "logistic", "gompertz", "gompertz"],
    "noise": [0.08, 0.15, 0.08, 0.15, 0.08, 0.15],
    "information": "hindsight",
    "accuracy": [0.95, 0.91, 0.56, 0.47, 0.98, 0.97],
})
BARS = [{"information": "hindsight", "noise": 0.08, "accuracy": 0.90},
        {"information": "hindsight", "noise": 0.15, "accuracy": 0.80}]


def _reliability(points):
    t = pd.DataFrame(points, columns=["mean_predicted", "observed", "n"])
    t.attrs["ece"] = float(np.sum(t["n"] / t["n"].sum()
                                  * np.abs(t["observed"] - t["mean_predicted"])))
    return t


def test_accuracy_chart_one_panel_per_truth_and_points_from_the_table():
    fig = calibration.accuracy_chart(BENCH, BARS, lang="en")
    assert [ax.get_title() for ax in fig.axes] == ["Truth: Logistic", "Truth: Gompertz"]
    lines = {ln.get_label(): ln for ln in fig.axes[0].lines}
    pooled = lines["pooled · hindsight"]
    np.testing.assert_allclose(pooled.get_xdata(), [0.08, 0.15])
    np.testing.assert_allclose(pooled.get_ydata(), [0.95, 0.91])
    np.testing.assert_allclose(lines["HMM · hindsight"].get_ydata(), [0.56, 0.47])
    plt.close(fig)


def test_accuracy_chart_draws_the_bars_at_their_accuracy():
    fig = calibration.accuracy_chart(BENCH, BARS, lang="en")
    for ax in fig.axes:
        ys = sorted(float(seg[0][1]) for c in ax.collections for seg in c.get_segments())
        assert ys == [0.80, 0.90]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "bar · hindsight: 0.90 (σ 0.08), 0.80 (σ 0.15)" in labels
    plt.close(fig)


def test_accuracy_chart_one_panel_per_truth_and_design():
    t = pd.concat([BENCH.assign(design="independent"), BENCH.assign(design="shifted")])
    fig = calibration.accuracy_chart(t, BARS, lang="en")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["Truth: Logistic\nindependent midpoints", "Truth: Gompertz\nindependent midpoints",
                      "Truth: Logistic\none curve, shifted midpoints",
                      "Truth: Gompertz\none curve, shifted midpoints"]
    plt.close(fig)


def test_accuracy_chart_without_bars_and_realtime_dashed():
    t = pd.concat([BENCH, BENCH.iloc[:1].assign(information="realtime", accuracy=0.63)])
    fig = calibration.accuracy_chart(t, lang="en")
    ln = {x.get_label(): x for x in fig.axes[0].lines}["pooled · real time"]
    assert ln.get_linestyle() == "--"
    assert all(len(ax.collections) == 0 for ax in fig.axes)
    plt.close(fig)


def test_reliability_plot_points_and_ece_in_the_legend():
    good = _reliability([(0.05, 0.05, 300), (0.95, 0.95, 100)])
    bad = _reliability([(0.05, 0.2, 300), (0.95, 0.6, 100)])
    fig = calibration.reliability_plot({"calibrated": good, "overconfident": bad}, lang="en")
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["Perfect calibration", "calibrated (ECE 0.000)",
                      "overconfident (ECE 0.200)"]
    np.testing.assert_allclose(ax.collections[1].get_offsets(), [[0.05, 0.2], [0.95, 0.6]])
    plt.close(fig)


def test_chinese_labels_render():
    fig = calibration.reliability_plot({"pooled": _reliability([(0.5, 0.5, 10)])}, lang="zh")
    assert fig.axes[0].get_xlabel() == "预测概率（分箱均值）"
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fig.canvas.draw()
    assert not [w for w in rec if "missing from font" in str(w.message)]
    plt.close(fig)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: calibration.accuracy_chart(BENCH.drop(columns="truth")), "lacks \\['truth'\\]"),
    (lambda: calibration.accuracy_chart(BENCH, lang="fr"), "lang must be one of"),
    (lambda: calibration.reliability_plot({}), "at least one reliability table"),
    (lambda: calibration.reliability_plot({"x": pd.DataFrame({"observed": [0.1]})}),
     "table 'x' lacks"),
])
def test_bad_input_raises_plot_error(call, match):
    with pytest.raises(ParameterError, match=match) as e:
        call()
    assert isinstance(e.value, ClusterResearchError)
