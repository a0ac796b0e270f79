"""Taobao maps (class edges, joins to boundaries), place resolution and notebook 09's parameters."""

from __future__ import annotations

import pytest

import cluster_research as cr
from cluster_research import taobao as tb


def test_log_classes_are_powers_of_two():
    from cluster_research.viz import taobao as tm

    # classes 1 | 2 | 3-4 | 5-8 | 9-16 (upper limits powers of two)
    assert tm.classes([0, 1, 3, 9]).tolist() == [0.5, 1.5, 2.5, 4.5, 8.5, 16.5]
    assert tm.classes([0, 0]).tolist() == [0.5, 1.5]
    q = tm.classes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], scheme="quantile", k=2)
    assert q[0] == 0.5 and q[-1] == 10.5
    with pytest.raises(tm.ParameterError):
        tm.classes([1], scheme="jenks")


def test_unit_counts_join_keeps_every_village():
    from cluster_research.viz import taobao as tm

    g = tm.unit_counts("city", 2016, province="宁夏回族自治区")
    assert g.n_villages.sum() + g.attrs["uncoded"] == 1  # 宁夏: one village in 2016
    assert (g.n_villages == 0).sum() == len(g) - 1  # the others are the "none" class
    with pytest.raises(tm.ParameterError):
        tm.unit_counts("county", 2016)


def test_resolve_place():
    assert tb.resolve_place("Zhejiang") == ("浙江省", "")
    assert tb.resolve_place("330000") == ("浙江省", "")
    assert tb.resolve_place(city="金华") == ("浙江省", "金华市")
    with pytest.raises(tb.ParameterError, match="not in"):
        tb.resolve_place("广东", "金华")
    with pytest.raises(cr.errors.UnknownPlaceError, match="unknown city '金花': did you mean 金华市"):
        tb.resolve_place(city="金花")


def test_notebook_09_has_one_literal_parameters_cell():
    # notebook_parameters raises ParameterError unless there is exactly one parameters cell
    # of literal assignments
    assert cr.pipeline.notebook_parameters("09") == {
        "region": "浙江", "city": "", "year": 2016, "scheme": "log", "lang": "zh",
        "figure_formats": ["png", "svg"]}


def _bounds(collection):
    import numpy as np

    v = np.concatenate([p.vertices for p in collection.get_paths()])
    return [*v.min(axis=0), *v.max(axis=0)]


def test_city_map_draws_its_counties_in_the_province_outline_and_emphasises_a_county():
    from cluster_research.viz import taobao as tm

    g = tm.unit_counts("county", 2016, province="浙江省")
    ax = tm.choropleth(g).axes[0]  # the province map is unchanged: its 90 counties only
    assert [(c.get_gid(), len(c.get_paths())) for c in ax.collections] == [("units", 90)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "无 (28)", "1 (16)", "2 (9)", "3–4 (11)", "5–8 (10)", "9–16 (6)", "17–32 (8)",
        "33–64 (1)", "65–128 (1)"]
    city = g[g.city == "金华市"]
    ax = tm.choropleth(city, outline="浙江省", emphasis="330782").axes[0]
    drawn = {c.get_gid(): c for c in ax.collections}
    assert list(drawn) == ["units", "outline", "emphasis"]
    assert len(drawn["units"].get_paths()) == len(city) == 9  # Jinhua's 9 counties, no other
    assert _bounds(drawn["units"]) == pytest.approx(city.total_bounds)
    assert _bounds(drawn["outline"]) == pytest.approx(g.total_bounds, abs=0.01)  # Zhejiang
    assert _bounds(drawn["emphasis"]) == pytest.approx(city[city.code == "330782"].total_bounds)
    assert [t.get_text() for t in ax.get_legend().get_texts()][-2:] == ["浙江省", "义乌市"]
    with pytest.raises(tm.ParameterError, match="330102"):  # a Hangzhou district
        tm.choropleth(city, emphasis="330102")


def _run_notebook_09_maps(monkeypatch, **params):
    """Execute notebook 09's cells up to its tables in-process (the national map skipped)."""
    import jupytext

    nb = jupytext.read(cr.outputs.repo_dir() / "notebooks" / "09_taobao_villages.py")
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    ns = {}
    exec(cells[0] + "".join(f"\n{k} = {v!r}" for k, v in params.items()), ns)
    figs = []
    monkeypatch.setattr(cr.viz, "save", lambda fig, *a, **k: figs.append(fig))
    for src in cells[1:]:
        if 'unit_counts("city"' not in src:
            exec(src, ns)
        if "table.head" in src:
            return ns, figs[-1].axes[0]


@pytest.mark.parametrize("params", [{"city": "义乌"}, {"region": "义乌"}])
def test_notebook_09_county_run_emphasises_the_county(monkeypatch, params):
    ns, ax = _run_notebook_09_maps(monkeypatch, **params)
    assert {c.get_gid(): len(c.get_paths()) for c in ax.collections if c.get_gid() != "outline"
            } == {"units": 9, "emphasis": 1}  # Jinhua's counties, 义乌 emphasised
    assert "义乌市" in ax.get_title() and ns["place"] == "浙江省金华市义乌市"
    assert ns["table"][["county", 2016]].values.tolist() == [["义乌市", 65]]


def test_notebook_09_city_run_maps_the_city_in_its_province(monkeypatch):
    ns, ax = _run_notebook_09_maps(monkeypatch, city="金华")
    assert [c.get_gid() for c in ax.collections] == ["units", "outline"]
    assert len(ax.collections[0].get_paths()) == 9 and "金华市" in ax.get_title()
    assert set(ns["table"]["city"]) == {"金华市"}


def test_notebook_09_accepts_a_county_as_city():
    assert cr.pipeline.validate_parameters("09", {"region": "浙江", "city": "义乌"})["city"] == "义乌"
    with pytest.raises(cr.errors.ParameterError, match="杭州"):
        cr.pipeline.validate_parameters("09", {"region": "杭州", "city": "义乌"})
