"""Tests of cluster_research.viz.stages (figures of the panel stage model)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

matplotlib.use("Agg")

from cluster_research import pipeline  # noqa: E402
from cluster_research.errors import ParameterError  # noqa: E402
from cluster_research.lifecycle import STAGE_DEFINITION, Stage  # noqa: E402
from cluster_research.viz import label, stage_timeline  # noqa: E402
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


def test_stage_grid_writes_a_gap_as_a_dash_and_says_why():
    """Issue 26: notebook 07 printed a grid of NaN. 北京 2020 is not identified (stage None)
    and 2021 has no row at all: both read "–", and the note counts each kind."""
    t = _table()
    t.loc[3, "reason"] = "pooled fit; not identified: the curve rests on the weak prior"
    grid, note = vs.stage_grid(vs.stage_columns(t), ["北京", "上海"], lang="en")
    assert grid.loc["北京"].tolist() == ["–", "–", "take-off"]
    assert grid.loc["上海"].tolist() == ["embryonic", "growth", "growth"]
    assert not grid.isna().any().any()
    assert note == ("– = no stage: 1 of 5 region-years shown is not identified (the curve "
                    "rests on the weak prior); 1 region-year has no value in the panel.")
    grid, note = vs.stage_grid(vs.stage_columns(t), ["上海"], lang="zh")
    assert grid.loc["上海"].tolist() == ["萌芽", "成长", "成长"] and note == ""
    with pytest.raises(ParameterError, match="重庆"):
        vs.stage_grid(vs.stage_columns(t), ["重庆"])


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


# ------------------------------------------------ the stage definition (issue 26, item 6)
def test_the_definition_says_what_qifei_and_not_identified_mean():
    zh, en = STAGE_DEFINITION["zh"], STAGE_DEFINITION["en"]
    assert all(s.zh in zh and s.zh in en for s in Stage)
    assert "起飞 上拐点后" in zh and "成熟" in zh and "不是开始起飞" in zh
    assert "after the upper knee" in en and "maturity" in en and "not a take-off" in en
    assert "未识别 = 数据不足以确定阶段" in zh
    assert "not identified (未识别) = the data do not identify a stage" in en
    assert "\n" not in zh + en  # one line (the figures wrap it)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_and_heatmap_carry_the_definition(lang):
    figs = [vs.stage_map(_table(), 2022, lang=lang), vs.stage_heatmap(_table(), lang=lang)]
    for fig in figs:
        notes = [t.get_text().replace("\n", " ") for t in fig.axes[0].texts]
        assert STAGE_DEFINITION[lang] in notes


#: Stage names or stage columns in a printed output, or notebook 11's "stage:" line.
_STAGE_OUTPUT = re.compile(r"萌芽|成长|扩大|起飞|未识别|embryonic|take-off|prob_embryonic|^stage:",
                           re.MULTILINE)
_NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
_NOT_YET: dict = {}


def _sections(nb):
    """Yield (heading, printed text) per level-2 section of an executed notebook."""
    heading, texts = "", []
    for c in nb.cells:
        if c.cell_type == "markdown" and c.source.startswith("## "):
            yield heading, "\n".join(texts)
            heading, texts = c.source.splitlines()[0], []
        prev = None
        for o in c.get("outputs", []):
            text = o.get("text") if o.output_type == "stream" else o.get("data", {}).get(
                "text/plain", "")
            text = "".join(text) if isinstance(text, list) else text or ""
            if o.output_type == "stream" and o.name == prev:
                texts[-1] += text  # one print can arrive in pieces: the kernel flushes on a timer
            else:
                texts.append(text)
            prev = o.name if o.output_type == "stream" else None
    yield heading, "\n".join(texts)


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=_NOT_YET[p.stem]))
    if p.stem in _NOT_YET else p for p in _NOTEBOOKS], ids=lambda p: p.stem)
def test_every_printed_stage_table_comes_with_the_definition(path):
    """In the committed outputs, a section printing stages prints the definition in ``lang``."""
    definition = STAGE_DEFINITION[pipeline.notebook_parameters(path).get("lang", "zh")]
    missing = [h for h, text in _sections(nbformat.read(path, as_version=4))
               if "What this shows" not in h and _STAGE_OUTPUT.search(text)
               and definition not in text]
    assert not missing, f"{path.name}: sections printing stages without the definition: {missing}"


def _wcag_ratio(a, b):
    """WCAG 2.1 contrast ratio, written here from the W3C definition (not the package's)."""
    def lum(c):
        r, g, b_ = (x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
                    for x in matplotlib.colors.to_rgb(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_cell_label_is_legible_on_its_colour():
    """The probability labels of the heatmap and the stage names of the timeline reach the
    WCAG contrast of 4.5 on their cell, for every stage and probability drawn."""
    rows = []
    for k, s in enumerate(list(Stage) + [None]):
        for j, p in enumerate(np.linspace(0.0, 1.0, 11)):
            probs = [(1 - p) / 3] * 4
            if s is not None:
                probs[s.value - 1] = p
            rows.append({"region": f"r{k}", "year": 2000 + j, "stage": s,
                         **dict(zip(vs.PROB_COLUMNS, probs)), "reason": ""})
    ax = vs.stage_heatmap(pd.DataFrame(rows), lang="zh").axes[0]
    cells = {(round(p.get_x()), round(p.get_y())): p.get_facecolor() for p in ax.patches}
    texts = [t for t in ax.texts if t.get_text() not in ("", "?") and t.get_position() in
             {(x + 0.5, y + 0.5) for x, y in cells}]
    assert len(texts) == 4 * 11
    for t in texts:
        x, y = t.get_position()
        bg = cells[(round(x - 0.5), round(y - 0.5))]
        assert _wcag_ratio(t.get_color(), bg) >= 4.5, (t.get_text(), bg)
    timeline = pd.DataFrame([{"year": 2000 + s.value, "method": "m", "stage": s} for s in Stage])
    ax = stage_timeline(timeline, lang="zh").axes[0]
    cells = {(round(p.get_x()), round(p.get_y())): p.get_facecolor() for p in ax.patches
             if p.get_fill()}
    names = [t for t in ax.texts if t.get_text() in {s.zh for s in Stage}]
    assert len(names) == 4
    for t in names:
        x, y = t.get_position()
        assert _wcag_ratio(t.get_color(), cells[(round(x - 0.5), round(y - 0.5))]) >= 4.5


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_stage_timeline_carries_the_definition(lang):
    timeline = pd.DataFrame([{"year": 2000 + s.value, "method": "m", "stage": s} for s in Stage])
    notes = " ".join(t.get_text().replace("\n", " ")
                     for t in stage_timeline(timeline, lang=lang).axes[0].texts)
    assert STAGE_DEFINITION[lang].replace(" ", "") in notes.replace(" ", "")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_timeline_says_rule_methods_are_not_positions_on_a_curve(lang):
    """The definition ("place of the year on the fitted S-curve") is that of the curve rows;
    signs, net entry, scorecard and ensemble rows get a note that they follow their own rules
    (the scorecard a rank among provinces), curve-only timelines do not."""
    def notes(methods):
        t = pd.DataFrame([{"year": 2010, "method": m, "stage": Stage.GROWTH} for m in methods])
        return " ".join(x.get_text().replace("\n", "")
                        for x in stage_timeline(t, lang=lang).axes[0].texts).replace(" ", "")
    rule = label("rule_methods", lang).replace(" ", "")
    assert rule in notes(["curve:logistic", "scorecard"])
    assert rule not in notes(["curve:logistic", "curve:gompertz"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_stage_timeline_text_is_legible_at_page_width(lang):
    """Issue 26: F6/F7 (20 years x 8 methods) were saved 2251 px wide with text of 5.5-8 pt:
    shown at a page width of 900 px, their cell names and definition were 4-6 px tall. Every
    text of the figure must be at least 9 px tall there (at the 150 dpi of saved figures)."""
    import io

    import matplotlib.image as mpimg

    from cluster_research.viz.style import DPI

    methods = [f"方法{k}" for k in range(8)]
    stages = list(Stage) + [None]
    table = pd.DataFrame([{"year": 2002 + j, "method": m, "stage": stages[(j // 4 + k) % 5]}
                          for k, m in enumerate(methods) for j in range(20)])
    fig = stage_timeline(table, lang=lang, title="t", observed=range(2002, 2022, 2))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    width_px = mpimg.imread(io.BytesIO(buf.getvalue())).shape[1]
    ax = fig.axes[0]
    texts = [*ax.texts, *ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label, ax.title,
             *ax.get_legend().get_texts()]
    texts = [t for t in texts if t.get_text().strip()]
    assert len(texts) > 20 * 8
    shown = {t.get_text(): t.get_fontsize() * DPI / 72 * 900 / width_px for t in texts}
    small = {k: round(v, 1) for k, v in shown.items() if v < 9}
    assert not small, small
    matplotlib.pyplot.close(fig)


def test_pooled_prior_is_the_fit_behind_each_real_time_year():
    """The prior and MAP curve read from a real-time pooled table are those of the refit on the
    data up to the year asked for (the fit each row's reason describes), not another year's."""
    table = vs.pooled_panel_stages(information="realtime")
    sh = table[table.region == "上海"]
    assert set(table.attrs["by_year"]) == set(table.year)
    checked = 0
    for year, reason in zip(sh.year, sh.reason):
        p = vs.pooled_prior(table, "上海", year)
        if "pooled curve (" not in reason:        # a year with too few points for a curve
            continue
        assert f"exp(mu)={p['centre']:.3g}, tau={p['tau']:.2f}" in reason, year
        assert p["params"] in reason and f"({p['model']}," in reason, year
        checked += 1
    assert checked >= 8
    assert vs.pooled_prior(table, "上海") == vs.pooled_prior(table, "上海", int(table.year.max()))
