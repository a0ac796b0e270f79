"""The data behind each figure, read back from what matplotlib drew, against its input table.

Every test builds a figure from known input (package data or a ``growth.fit`` result) and
reads the drawn artists back (``Line2D.get_xdata/get_ydata``, collection arrays and face
colours, rectangle colours, bar heights, path extents). The expected values come from the
input table, never from the plotting code, so a function that scaled, shifted, reordered or
dropped what it plots (e.g. ``ax.plot(x, 1.1 * y)``) fails here.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

import cluster_research as cr
from cluster_research.errors import ParameterError
from cluster_research.lifecycle import Stage
from cluster_research.viz import STAGE_COLOURS, growth_panels
from cluster_research.viz import taobao as vtaobao

RTOL = 1e-12


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shanghai_volume():
    """Full-year rows of the Shanghai e-commerce transaction volume (亿元)."""
    d = cr.data.load("shanghai_ecommerce")
    return d[(d["series"] == "ecommerce_transaction_volume") & (d["period"] == "FY")]


@pytest.fixture(scope="module")
def fits():
    s = cr.data.shanghai_transactions()
    return {"logistic": cr.growth.fit(s, model="logistic"),
            "gompertz": cr.growth.fit(s, model="gompertz")}


def _lines(ax):
    return {ln.get_label(): ln for ln in ax.get_lines()}


# ------------------------------------------------------------------ series_plot


def test_series_plot_draws_each_qualifier_at_its_values(shanghai_volume):
    fig = cr.viz.series_plot(shanghai_volume, lang="en")
    lines = _lines(fig.axes[0])
    secondary = shanghai_volume["source_id"].isin(cr.data.SECONDARY_SOURCES)
    exact = shanghai_volume["qualifier"] == "exact"
    groups = {"exact": exact & ~secondary, "secondary": exact & secondary}
    groups.update({q: shanghai_volume["qualifier"] == q for q in ("approx", "lower_bound",
                                                                  "target")})
    drawn = 0
    for q, rows in groups.items():
        sub = shanghai_volume[rows].sort_values("year")
        if not len(sub):
            assert cr.viz.label(q, "en") not in lines
            continue
        ln = lines[cr.viz.label(q, "en")]
        np.testing.assert_allclose(np.asarray(ln.get_xdata(), float), sub["year"], rtol=RTOL)
        np.testing.assert_allclose(np.asarray(ln.get_ydata(), float), sub["value"], rtol=RTOL)
        drawn += len(sub)
    assert drawn == len(shanghai_volume)
    # known published values are among the drawn actuals (253.86 亿元 in 2002, 4252.8 in 2010)
    ex = lines[cr.viz.label("exact", "en")]
    pts = dict(zip(np.asarray(ex.get_xdata(), int), np.asarray(ex.get_ydata(), float)))
    assert pts[2002] == 253.86 and pts[2010] == 4252.8
    assert 2025 not in pts  # the secondary 2025 value is an open circle of its own
    assert 2025 in np.asarray(lines[cr.viz.label("secondary", "en")].get_xdata(), int)
    tg = lines[cr.viz.label("target", "en")]
    assert dict(zip(np.asarray(tg.get_xdata(), int), tg.get_ydata()))[2015] == 12000.0


def test_series_plot_joins_consecutive_years_only_and_dots_a_gap(shanghai_volume):
    fig = cr.viz.series_plot(shanghai_volume, lang="en")
    segments = {tuple(np.asarray(ln.get_xdata(), int)): ln.get_linestyle()
                for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) == 2
                and ln.get_linestyle() in ("-", ":")}
    assert segments[(2009, 2010)] == "-"  # consecutive years: solid
    assert segments[(2002, 2007)] == ":" and segments[(2019, 2021)] == ":"  # gaps: dotted
    assert not any(2025 in k for k in segments)  # the secondary value is not joined
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels.count(cr.viz.label("gap", "en")) == 1


# ------------------------------------------------------------------ growth_fits / fit_panels


@pytest.mark.parametrize("interval", ["confidence", None])
def test_growth_fits_curves_equal_predict(fits, interval):
    years = np.linspace(2000, 2030, 61)
    fig = cr.viz.growth_fits(fits, years=years, lang="en", interval=interval)
    ax = fig.axes[0]
    lines = _lines(ax)
    for name, res in fits.items():
        label = cr.viz.model_label(name, "en")
        ln = lines[label if res.identified else f"{label} (ceiling not identified)"]
        np.testing.assert_allclose(ln.get_xdata(), years, rtol=RTOL)
        np.testing.assert_allclose(ln.get_ydata(), np.asarray(res.predict(years), float),
                                   rtol=1e-9)
    obs = lines[cr.viz.label("exact", "en")]
    s = cr.data.shanghai_transactions()
    np.testing.assert_allclose(obs.get_xdata(), s.index.to_numpy(float), rtol=RTOL)
    np.testing.assert_allclose(obs.get_ydata(), s.to_numpy(float), rtol=RTOL)
    # one band only: the converged model with the lowest AICc (plus the extrapolation span)
    bands = [c for c in ax.collections if len(c.get_paths())
             and "extrapolation" not in c.get_label()]
    ok = {k: r for k, r in fits.items() if r.converged}
    best = min(ok, key=lambda k: ok[k].aicc)
    assert len(bands) == (0 if interval is None else 1)
    for band, res in zip(bands, [fits[best]]):
        assert cr.viz.model_label(best, "en") in band.get_label()
        p = res.predict(years, interval=interval or "confidence")
        v = band.get_paths()[0].vertices
        lo, hi = v[:, 1].min(), v[:, 1].max()
        np.testing.assert_allclose([lo, hi], [np.nanmin(p["lower"]), np.nanmax(p["upper"])],
                                   rtol=1e-9)


def test_fit_panels_draws_fits_and_unfitted_observations(shanghai_volume):
    s = cr.data.shanghai_transactions()
    s = s[s.index <= 2016]  # 2019, 2021 and 2025 are then actuals not fitted
    fits = {"logistic": cr.growth.fit(s, model="logistic")}
    years = np.linspace(2000, 2030, 31)
    fig = growth_panels.fit_panels(fits, observations=shanghai_volume, lang="en",
                                   years=years, interval="prediction")
    assert len(fig.axes) == 2
    fitted_years = set(s.index.astype(int))
    for ax in fig.axes:
        lines = _lines(ax)
        for name, res in fits.items():
            ln = next(v for k, v in lines.items()
                      if k.startswith(cr.viz.model_label(name, "en")))
            np.testing.assert_allclose(
                ln.get_ydata(),
                res.predict(years, interval="prediction")["mean"].to_numpy(), rtol=1e-9)
        tg = lines[growth_panels.LABELS["target"]["en"]]
        want = shanghai_volume[shanghai_volume["qualifier"] == "target"].sort_values("year")
        np.testing.assert_allclose(tg.get_ydata(), want["value"], rtol=RTOL)
        lb = lines[growth_panels.LABELS["lower_bound"]["en"]]
        want = shanghai_volume[shanghai_volume["qualifier"] == "lower_bound"].sort_values("year")
        np.testing.assert_allclose(lb.get_xdata(), want["year"], rtol=RTOL)
        np.testing.assert_allclose(lb.get_ydata(), want["value"], rtol=RTOL)
        nf = lines[growth_panels.LABELS["not_fitted"]["en"]]
        assert list(np.asarray(nf.get_xdata(), int)) == [2019, 2021, 2025]
        np.testing.assert_allclose(nf.get_ydata(), [33200.0, 32400.0, 45000.0], rtol=RTOL)
        assert not set(np.asarray(nf.get_xdata(), int)) & fitted_years
    # linear y limit: 1.6 x the largest observation (45000 亿元 in 2025)
    assert fig.axes[0].get_ylim()[1] == pytest.approx(1.6 * 45000.0)


# ------------------------------------------------------------------ stage_timeline


def test_stage_timeline_cell_colours_match_the_table():
    stages = [Stage.EMBRYONIC, Stage.GROWTH, Stage.EXPANSION, Stage.TAKEOFF, None]
    rows = [{"year": 2006 + j, "method": m, "stage": stages[(j + k) % 5]}
            for k, m in enumerate(["A", "B", "C"]) for j in range(5)]
    table = pd.DataFrame(rows)
    fig = cr.viz.stage_timeline(table, lang="en")
    ax = fig.axes[0]
    cells = {(int(p.get_x()), int(p.get_y())): p for p in ax.patches
             if isinstance(p, Rectangle) and p.get_fill() and p.get_width() == 1
             and p.get_height() == 1}
    assert len(cells) == len(table)
    for r in rows:
        p = cells[(r["year"] - 2006, "ABC".index(r["method"]))]
        want = "white" if r["stage"] is None else STAGE_COLOURS[r["stage"].value]
        assert p.get_facecolor() == to_rgba(want), r
    # the paper's years 2010 (and 2011, absent here) are outlined
    outlines = [p for p in ax.patches if not p.get_fill()]
    assert [(p.get_x(), p.get_height()) for p in outlines] == [(4, 3)]


# ------------------------------------------------------------------ rank_heatmap


def test_rank_heatmap_mesh_equals_the_ranks():
    ranks = cr.claims.pillar_indicators()
    ranks = ranks.assign(indicator_label=ranks["indicator_zh"])
    fig = cr.viz.rank_heatmap(ranks, lang="en")
    mesh = fig.axes[0].collections[0]
    want = ranks.pivot_table(index="indicator_label", columns="year", values="rank",
                             aggfunc="first", sort=False)
    got = np.ma.filled(np.ma.asarray(mesh.get_array(), float), np.nan).reshape(want.shape)
    np.testing.assert_array_equal(got, want.to_numpy(float))
    texts = [t.get_text() for t in fig.axes[0].texts]
    gaps = int(want.isna().to_numpy().sum())
    assert gaps == 1  # 有电子商务交易活动的企业数比重 2024: not published for any province
    assert texts == [f"{v:.0f}" for v in want.to_numpy(float).ravel() if np.isfinite(v)] + [
        "No data"] * gaps
    hatched = [p for p in fig.axes[0].patches if p.get_hatch() == "///"]
    r, c = np.argwhere(want.isna().to_numpy())[0]
    assert [(p.get_x(), p.get_y()) for p in hatched] == [(c, r)]


# ------------------------------------------------------------------ maps


@pytest.fixture(scope="module")
def sales_2020():
    p = cr.data.load("provincial_panel")
    sub = p[(p["indicator"] == "ecommerce_sales") & (p["year"] == 2020)]
    return sub.set_index("region_code")["value"]


def test_province_choropleth_values_and_colours(sales_2020):
    vals = sales_2020.drop("110000")  # one gap: Beijing is drawn as "no data"
    fig = cr.viz.province_choropleth(vals, lang="en", cmap="viridis", scheme="quantile", k=5)
    ax = fig.axes[0]
    gdf = cr.viz.provinces()
    want = gdf["code"].map(vals).to_numpy(float)
    ok = np.isfinite(want)
    assert ok.sum() == 30
    # quantile classes, computed here from numpy's quantiles (not from the package)
    w = want[ok]
    edges = np.quantile(w, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    cls = np.clip(np.searchsorted(edges, w, side="right") - 1, 0, 4)
    cmap = plt.get_cmap("viridis")
    colours = np.array([cmap(0.1 + 0.85 * i / 4) for i in range(5)])
    # the filled layer holds the 30 provinces with a value, each in its class colour
    layers = [c for c in ax.collections if len(c.get_paths()) and c.get_hatch() is None]
    filled = next(c for c in layers if len(c.get_facecolors()) == 30
                  and not np.allclose(c.get_facecolors(), c.get_facecolors()[0]))
    np.testing.assert_allclose(filled.get_facecolors(), colours[cls], atol=1e-6)
    # legend: one entry per class with its count, then "No data (1)"; counts add up to 31
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(texts) == 6 and texts[-1] == "No data (1)"
    counts = [int(t.rsplit("(", 1)[1].rstrip(")")) for t in texts]
    assert counts[:5] == np.bincount(cls, minlength=5).tolist() and sum(counts) == 31
    assert "quantile classes" in ax.get_legend().get_title().get_text()
    # the source is written under the map
    notes = [t.get_text() for t in ax.texts]
    assert any(t.startswith("Data: National Bureau of Statistics") for t in notes)
    # Beijing (the gap) is drawn in the hatched "no data" layer
    missing = [c for c in ax.collections if c.get_hatch() == "///"]
    assert len(missing) == 1 and len(missing[0].get_paths()) == 1
    beijing = gdf[gdf["code"] == "110000"].geometry.iloc[0].bounds
    v = missing[0].get_paths()[0].vertices
    np.testing.assert_allclose([v[:, 0].min(), v[:, 1].min(), v[:, 0].max(), v[:, 1].max()],
                               beijing, rtol=1e-9)
    plt.close(fig)


def test_province_choropleth_log_classes_and_bad_scheme(sales_2020):
    from cluster_research.viz import maps

    fig = cr.viz.province_choropleth(sales_2020, lang="zh", scheme="log", k=4)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[-1] == "无数据 (0)" and len(texts) == 5
    lo, hi = sales_2020.min(), sales_2020.max()
    # log classes: equal ratios between edges (checked against the data's min and max)
    edges = maps.class_edges(sales_2020, "log", 4)
    np.testing.assert_allclose(edges[[0, -1]], [lo, hi], rtol=1e-12)
    np.testing.assert_allclose(np.diff(np.log10(edges)), np.log10(hi / lo) / 4, rtol=1e-9)
    plt.close(fig)
    with pytest.raises(ParameterError, match="scheme"):
        cr.viz.province_choropleth(sales_2020, scheme="jenks")
    with pytest.raises(ParameterError, match="positive"):
        maps.class_edges([0.0, 1.0, 2.0], "log")
    with pytest.raises(ParameterError, match="no finite value"):
        maps.class_edges([np.nan, np.nan])


def _extent(coll):
    v = np.concatenate([p.vertices for p in coll.get_paths()])
    return v[:, 0].min(), v[:, 1].min(), v[:, 0].max(), v[:, 1].max()


def test_district_map_highlights_the_named_districts():
    names = ["嘉定", "普陀", "宝山", "徐汇", "浦东新区"]
    fig = cr.viz.district_map(names, lang="en")
    ax = fig.axes[0]
    gdf = cr.viz.shanghai_districts()
    hl = gdf[gdf["name_zh"].str.rstrip("区").isin([n.rstrip("区") for n in names])
             | gdf["name_zh"].isin(names)]
    assert len(hl) == 5
    other, high = ax.collections[:2]
    assert len(high.get_paths()) == 5 and len(other.get_paths()) == len(gdf) - 5
    assert tuple(high.get_facecolor()[0]) == to_rgba("#d95f02", 0.85)
    assert tuple(other.get_facecolor()[0]) == to_rgba("#e8e8e8")
    np.testing.assert_allclose(_extent(high), hl.total_bounds, rtol=1e-9)
    np.testing.assert_allclose(_extent(other), gdf.drop(hl.index).total_bounds, rtol=1e-9)
    labels = "\n".join(t.get_text() for t in ax.texts)
    for row in hl.itertuples():
        assert f"{row.name_zh}\n{row.name_en}" in labels


def test_ecosystem_draws_every_member():
    tax = cr.claims.ecosystem()
    fig = cr.viz.ecosystem(lang="zh")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert set(tax["name_zh"]) <= texts
    assert (tax["layer"] == "chain").sum() == 12 and (tax["layer"] == "external").sum() == 3


# ------------------------------------------------------------------ taobao


@pytest.fixture(scope="module")
def zhejiang_2016():
    return vtaobao.unit_counts("city", 2016, province="浙江省")


def test_taobao_choropleth_values_and_class_colours(zhejiang_2016):
    g = zhejiang_2016
    fig = vtaobao.choropleth(g, lang="en")
    coll = fig.axes[0].collections[0]
    np.testing.assert_array_equal(np.asarray(coll.get_array(), float),
                                  g["n_villages"].to_numpy(float))
    edges = vtaobao.classes(g["n_villages"])
    fc = coll.get_facecolors()
    for n, c in zip(g["n_villages"], fc):
        k = int(np.searchsorted(edges, n))  # 0 = "none", k = class (edges[k-1], edges[k])
        want = "#eeeeee" if k == 0 else plt.get_cmap("YlOrRd")(
            0.25 + 0.75 * (k - 1) / max(len(edges) - 2, 1))
        np.testing.assert_allclose(c, to_rgba(want), atol=1e-6, err_msg=str(n))
    # legend counts are the number of units per class (one city without a village in 2016)
    leg = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert leg[0] == f"none ({int((g['n_villages'] == 0).sum())})"


def test_taobao_scurve_points_and_curves():
    s = cr.taobao.national_series()
    fig = vtaobao.scurve_figure(s, models=("logistic", "gompertz"), lang="en", horizon=2030)
    lines = fig.axes[0].get_lines()
    pre, post = lines[0], lines[1]
    x = np.concatenate([pre.get_xdata(), post.get_xdata()])
    y = np.concatenate([pre.get_ydata(), post.get_ydata()])
    order = np.argsort(x)
    np.testing.assert_allclose(x[order], s.index.to_numpy(float), rtol=RTOL)
    np.testing.assert_allclose(y[order], s.to_numpy(float), rtol=RTOL)
    assert list(np.asarray(post.get_xdata(), int)) == [2020, 2021, 2022]
    assert s.loc[2013] == 20.0 and s.loc[2022] == 7780.0
    t = s.index.to_numpy(float)
    for ln, m in zip(lines[2:], ("logistic", "gompertz")):
        r = cr.growth.fit(t, s.to_numpy(float), model=m, errors="additive")
        np.testing.assert_allclose(ln.get_ydata(), r.curve(ln.get_xdata()), rtol=1e-9)
        assert ln.get_label().startswith(f"{cr.viz.model_label(m, 'en')}: K=")


def test_taobao_compare_bar_heights():
    table = cr.taobao.counts("province")
    places = ["浙江省", "广东省", "江苏省"]
    fig = vtaobao.compare_figure(table, places, lang="en")
    years = [c for c in table.columns if isinstance(c, int)]
    bars = fig.axes[0].patches
    assert len(bars) == len(years) * len(places)
    sub = table.set_index("province").reindex(places).fillna(0)
    heights = np.array([b.get_height() for b in bars]).reshape(len(years), len(places))
    np.testing.assert_array_equal(heights, sub[years].to_numpy(float).T)


def test_taobao_province_counts_lines_are_the_exact_values_with_gaps():
    table = cr.taobao.province_series()
    v = cr.data.load("taobao_villages")
    top = v[v.year == 2016].groupby("province").size().nlargest(6)
    assert sorted(table.province.unique()) == sorted(cr.data.region_name(p) for p in top.index)
    fig = vtaobao.province_counts_figure(table, lang="en")
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.lines if not ln.get_label().startswith("_")}
    years = np.arange(2014, 2023)
    raw = cr.data.load("taobao_counts_reported")
    for prov, n16 in top.items():
        short = cr.data.region_name(prov)
        ln = lines[cr.data.region_name(prov, "en")]
        y = np.asarray(ln.get_ydata(), float)
        assert np.asarray(ln.get_xdata()).tolist() == years.tolist()
        assert y[2] == n16  # the 2016 list
        # after the lists: exactly the exact press figures, NaN (a break) elsewhere
        rep = raw[(raw.level == "province") & (raw.place == prov) & (raw.qualifier == "exact")
                  & (raw.measure == "taobao_villages")]
        want = {int(r.list_year): r.value for r in rep.itertuples() if r.list_year > 2016}
        for i, yr in enumerate(years[3:], start=3):
            if yr in want:
                assert y[i] == want[yr], (short, yr)
            else:
                assert np.isnan(y[i]), (short, yr)
    # lower bounds drawn as separate markers: 浙江 2019 (>1500), 福建 2019 (>300)
    lows = sorted((int(x), float(y_)) for ln in ax.lines if ln.get_label() == "_lower bound"
                  for x, y_ in zip(ln.get_xdata(), ln.get_ydata()))
    assert lows == [(2019, 300.0), (2019, 1500.0)]


def test_taobao_place_series_figure_shows_the_gap_years():
    s = cr.taobao.place_series("曹县")
    fig = vtaobao.place_series_figure(s, lang="en")
    ax = fig.axes[0]
    (line,) = [ln for ln in ax.lines if ln.get_label() == "曹县"]
    y = dict(zip(np.asarray(line.get_xdata()).tolist(), np.asarray(line.get_ydata(), float)))
    assert {k for k, v in y.items() if np.isnan(v)} == set(s.loc[s.origin == "gap", "year"])
    assert ax.get_xlim() == (2013.5, 2022.5)
    assert not [ln for ln in ax.lines if "lower bound" in ln.get_label()]  # 曹县 has none
