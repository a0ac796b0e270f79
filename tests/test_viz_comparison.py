"""Tests of the comparison figures (viz.comparison) and of the figure texts a referee reads:
what a band is, the source of a map, the key of every specification label, Chinese names on
Chinese figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from statsmodels.datasets import grunfeld

import cluster_research as cr
from cluster_research.errors import MissingColumnError, ParameterError
from cluster_research.regression import panel, robustness_table, spec_key
from cluster_research.viz import comparison
from cluster_research.viz import taobao as vtaobao


@pytest.fixture(scope="module")
def grunfeld_results():
    g = grunfeld.load_pandas().data
    g = g[g.firm != "American Steel"]
    return {"A entity FE": panel(g, "invest ~ value + capital", "firm", "year"),
            "B two-way FE": panel(g, "invest ~ value + capital", "firm", "year",
                                  effects="twoway")}


def test_coefficient_plot_points_intervals_and_key(grunfeld_results):
    coefs = robustness_table(grunfeld_results)
    key = spec_key(grunfeld_results)
    fig = comparison.coefficient_plot(coefs, key, lang="en")
    terms = list(coefs.term.unique())
    assert [ax.get_title() for ax in fig.axes] == terms
    for ax, term in zip(fig.axes, terms):
        sub = coefs[coefs.term == term].set_index("spec").loc[["A", "B"]]
        line = ax.lines[0]
        np.testing.assert_allclose(np.asarray(line.get_xdata(), float), sub.estimate, rtol=1e-12)
        np.testing.assert_array_equal(np.asarray(line.get_ydata(), float), [0, 1])
        # the error bars span the stored 95 % interval
        seg = ax.collections[0].get_segments()
        np.testing.assert_allclose([s[:, 0].min() for s in seg], sub.ci_low, rtol=1e-12)
        np.testing.assert_allclose([s[:, 0].max() for s in seg], sub.ci_high, rtol=1e-12)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["A", "B"]
    note = fig.texts[-1].get_text()
    assert "A: entity FE (n=200" in note and "B: two-way FE (n=200" in note
    plt.close(fig)
    # zh: the key uses the descriptions given, the title is Chinese
    fig = comparison.coefficient_plot(coefs, key, lang="zh",
                                      descriptions={"A": "个体固定效应", "B": "双向固定效应"},
                                      names={"value": "市值", "capital": "资本存量"})
    assert "A: 个体固定效应" in fig.texts[-1].get_text()
    assert fig._suptitle.get_text().startswith("估计值与 95% 置信区间")
    assert [ax.get_title() for ax in fig.axes] == ["市值", "资本存量"]
    plt.close(fig)


def test_coefficient_plot_refuses_a_label_without_key(grunfeld_results):
    coefs = robustness_table(grunfeld_results)
    key = spec_key(grunfeld_results)
    with pytest.raises(ParameterError, match=r"no key for specification\(s\) \['B'\]"):
        comparison.coefficient_plot(coefs, key[key.spec == "A"], lang="en")
    with pytest.raises(ParameterError, match="no term"):
        comparison.coefficient_plot(coefs, key, skip=tuple(coefs.term.unique()))


def test_term_label():
    assert comparison.term_label("log_broadband_users",
                                 cr.data.indicator_names("provincial_panel")) == "ln 互联网宽带接入用户"
    assert comparison.term_label("websites_per_100_firms",
                                 cr.data.indicator_names("provincial_panel")) == "每百家企业拥有网站数"


def test_index_plot_and_region_lines():
    wide = pd.DataFrame({"上海": [4.0, 6.0, 8.0], "北京": [5.0, 5.0, 10.0]},
                        index=[2019, 2020, 2021])
    fig = comparison.index_plot(wide, lang="en", source="source_nbs")
    ax = fig.axes[0]
    got = {ln.get_label(): ln.get_ydata().tolist() for ln in ax.lines}
    assert got == {"Shanghai": [100.0, 150.0, 200.0], "Beijing": [100.0, 100.0, 200.0]}
    assert ax.texts[-1].get_text().startswith("Data: National Bureau")
    plt.close(fig)
    with pytest.raises(ParameterError, match="gaps"):
        comparison.index_plot(wide.assign(北京=[5.0, np.nan, 1.0]))
    with pytest.raises(ParameterError, match="positive"):
        comparison.index_plot(wide.assign(北京=[0.0, 1.0, 1.0]))
    fig = comparison.region_lines(wide, ["北京"], lang="zh", ylabel="亿元")
    assert [ln.get_label() for ln in fig.axes[0].lines] == ["北京"]
    plt.close(fig)
    with pytest.raises(ParameterError, match="天津"):
        comparison.region_lines(wide, ["天津"])


def test_concentration_panels_are_in_chinese():
    c = pd.DataFrame({"hhi": [0.10, 0.12], "cr4": [0.5, 0.55]}, index=[2019, 2020])
    lq = pd.DataFrame({"上海": [1.2, 1.3]}, index=[2019, 2020])
    fig = comparison.concentration_panels(c, lq, ["上海"], lang="zh")
    texts = [fig.axes[0].get_title(), fig.axes[1].get_title(),
             *[t.get_text() for t in fig.axes[0].get_legend().get_texts()]]
    assert texts[0] == "集中度：HHI 与 CR4" and texts[1].startswith("区位商")
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [0.10, 0.12])
    plt.close(fig)
    with pytest.raises(ParameterError, match="cr4"):
        comparison.concentration_panels(c[["hhi"]], lq, ["上海"])


def test_taobao_figures_name_source_and_refuse_unknown_places():
    table = cr.taobao.counts("province")
    fig = vtaobao.compare_figure(table, ["浙江省", "广东省"], lang="zh")
    assert fig.axes[0].texts[-1].get_text().startswith("数据：阿里研究院")
    plt.close(fig)
    with pytest.raises(ParameterError, match="火星省"):
        vtaobao.compare_figure(table, ["浙江省", "火星省"])
    fig = vtaobao.scurve_figure(cr.taobao.national_series(), models=("gompertz",), lang="zh")
    labels = [ln.get_label() for ln in fig.axes[0].get_lines()]
    assert labels[-1].startswith("冈珀茨: K=")
    assert fig.axes[0].texts[-1].get_text().startswith("数据：阿里研究院")
    plt.close(fig)


def test_band_label_and_model_label():
    assert cr.viz.band_label("confidence", 0.05, "zh").startswith("阴影：95% 置信区间")
    assert cr.viz.band_label("prediction", 0.2, "en").startswith("Shaded: 80% prediction")
    with pytest.raises(ParameterError, match="interval"):
        cr.viz.band_label("credible")
    assert [cr.viz.model_label(m, "zh") for m in cr.growth.MODELS] == [
        cr.viz.MODEL_NAMES[m]["zh"] for m in cr.growth.MODELS]
    assert set(cr.viz.MODEL_NAMES) == set(cr.growth.MODELS)
    with pytest.raises(MissingColumnError, match="unknown label: 'nope'"):
        cr.viz.label("nope")


def test_stage_timeline_marks_unobserved_years_and_names_methods():
    from matplotlib.patches import Rectangle

    rows = [{"year": y, "method": m, "stage": "growth"}
            for m in ("curve:gompertz", "net_entry") for y in range(2015, 2020)]
    fig = cr.viz.stage_timeline(pd.DataFrame(rows), lang="zh", paper_years=(2016,),
                                observed=[2015, 2017, 2019])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["曲线法·冈珀茨", "净进入法"]
    hatched = sorted(int(p.get_x()) for p in ax.patches
                     if isinstance(p, Rectangle) and p.get_hatch() == "///")
    assert hatched == [1, 3]  # the columns of 2016 and 2018
    grey = [t.get_text() for t in ax.get_xticklabels() if t.get_color() == "#9a9a9a"]
    assert grey == ["2016", "2018"]
    legend = [t.get_text().replace("\n", "") for t in ax.get_legend().get_texts()]  # wrapped
    assert legend[-2:] == [cr.viz.label("paper_years", "zh"), cr.viz.label("unobserved", "zh")]
    plt.close(fig)
    # no observed years given: nothing is marked as unobserved
    fig = cr.viz.stage_timeline(pd.DataFrame(rows), lang="en", paper_years=())
    ax = fig.axes[0]
    assert not [p for p in ax.patches if p.get_hatch() == "///"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["curve·Gompertz", "net entry"]
    plt.close(fig)
