"""Tests of the figures: CJK glyphs, deterministic files, maps."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import cluster_research as cr
from cluster_research import viz as plotting

ZH = "上海电子商务产业集群 嘉定区 浦东新区 −1"


def _missing_glyph_warnings(fig) -> list[str]:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in rec if "missing from font" in str(w.message)]


def test_chinese_renders_without_missing_glyphs():
    plotting.setup()
    fig, ax = plt.subplots()
    ax.set_title(ZH)
    ax.set_xlabel(plotting.label("year", "zh"))
    ax.plot([-1, 1], [-1, 1])
    assert _missing_glyph_warnings(fig) == []
    plt.close(fig)


def test_missing_glyph_check_can_fail():
    # negative control: with a Latin-only font the same text must warn
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title(ZH)
        assert _missing_glyph_warnings(fig)
        plt.close(fig)


def test_font_is_the_mplfonts_noto_cjk():
    from matplotlib import font_manager

    plotting.setup()
    path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert path.endswith("NotoSansCJKsc-Regular.otf")
    assert "mplfonts" in path


def test_save_is_deterministic(tmp_path):
    plotting.setup()
    out = []
    for d in ("a", "b"):
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3], [3, 1, 2])
        ax.set_title(ZH)
        out.append(plotting.save(fig, "demo", output_dir=tmp_path / d))
        plt.close(fig)
    assert [p.suffix for p in out[0]] == [".png", ".svg"]
    for p, q in zip(*out):
        assert p.read_bytes() == q.read_bytes()
    svg = out[0][1].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg


def test_save_without_output_dir_writes_nothing(monkeypatch):
    monkeypatch.delenv("CLUSTER_RESEARCH_OUTPUT_DIR", raising=False)
    fig, _ax = plt.subplots()
    assert plotting.save(fig, "nothing") == []
    plt.close(fig)


def test_labels_and_lang():
    assert plotting.label("year", "en") == "Year"
    assert plotting.label("year", "zh") == "年份"
    with pytest.raises(ValueError, match="lang"):
        plotting.label("year", "fr")


def test_shanghai_districts():
    d = plotting.shanghai_districts()
    assert len(d) == 16
    assert d.code.str.startswith("3101").all()
    assert d.set_index("code").loc["310115", "name_zh"] == "浦东新区"
    assert set(cr.claims.FIGURE1_DISTRICTS) <= set(d.name_zh)
    # 闸北/卢湾/南汇 no longer exist as districts
    assert not {"闸北区", "卢湾区", "南汇区"} & set(d.name_zh)
    # Shanghai lies around 121.5E 31.2N
    minx, miny, maxx, maxy = d.total_bounds
    assert 120.5 < minx < maxx < 122.5 and 30.5 < miny < maxy < 32.0


def test_district_map_highlight_and_errors():
    fig = plotting.district_map(["嘉定", "Putuo", "310113", "徐汇区", "浦东新区"], lang="en")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert "嘉定区\nJiading" in texts and "浦东新区\nPudong New Area" in texts
    plt.close(fig)
    with pytest.raises(ValueError, match="闸北"):
        plotting.district_map(["闸北区"])


def test_ecosystem_figure_has_all_members():
    fig = plotting.ecosystem(lang="zh")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert set(cr.claims.ecosystem().name_zh) <= texts
    assert _missing_glyph_warnings(fig) == []
    plt.close(fig)


def test_province_choropleth_rejects_unknown_region():
    with pytest.raises(cr.data.DataValidationError):
        plotting.province_choropleth(pd.Series({"Atlantis": 1.0}))


def test_province_choropleth_draws_31():
    values = pd.Series({c: float(i) for i, c in enumerate(cr.data.regions().code)})
    fig = plotting.province_choropleth(values, lang="en", highlight="上海")
    assert len(plotting.provinces()) == 31
    plt.close(fig)


def test_stage_timeline_and_unclassified_cells():
    from cluster_research.lifecycle import Stage

    table = pd.DataFrame({"year": [2010, 2011, 2010, 2011], "method": ["a", "a", "b", "b"],
                          "stage": [Stage.EMBRYONIC, "GROWTH", None, Stage.TAKEOFF]})
    fig = plotting.stage_timeline(table, lang="zh")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("–") == 1 and "萌芽" in texts and "成长" in texts and "起飞" in texts
    assert _missing_glyph_warnings(fig) == []
    plt.close(fig)


def test_growth_fits_draws_each_model():
    years = [2002, 2007, 2009, 2010, 2016, 2019]
    values = [253.86, 2300.0, 3250.0, 4252.8, 20049.3, 33200.0]
    res = {m: cr.growth.fit(years, values, model=m, errors="multiplicative")
           for m in ("exponential", "logistic")}
    fig = plotting.growth_fits(res, lang="en")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0].startswith("extrapolation")
    assert labels[1].startswith("Exponential")
    assert any(t.startswith("Logistic") for t in labels[2:])
    # the legend says what the shaded band is and whose it is (the lowest AICc)
    best = min(res, key=lambda k: res[k].aicc)
    assert any(t == "Shaded: 95% confidence interval of the curve (delta method) ("
               + cr.viz.model_label(best, "en") + ", lowest AICc)" for t in labels), labels
    # every model has its own colour, the same as in any other figure
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    assert lines[next(k for k in lines if k.startswith("Logistic"))].get_color() == "#0072B2"
    plt.close(fig)
    # a Chinese figure names the models and the band in Chinese
    fig = plotting.growth_fits(res, lang="zh", interval="prediction", alpha=0.1)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[1].startswith("指数增长") and any(t.startswith("逻辑斯蒂") for t in labels)
    assert any(t.startswith("阴影：90% 预测区间") for t in labels)
    assert not any(w in " ".join(labels) for w in ("exponential", "logistic", "Logistic"))
    plt.close(fig)
    # without a band, no band entry
    fig = plotting.growth_fits(res, lang="en", interval=None)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert not any(t.startswith("Shaded") for t in labels)
    plt.close(fig)
    with pytest.raises(ValueError, match="empty"):
        plotting.growth_fits({})
