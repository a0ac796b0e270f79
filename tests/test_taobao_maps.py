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
