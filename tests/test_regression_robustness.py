"""Robustness tables stored as numbers, display formatting and the specification key.

Reference values: R package plm, example of ``?plm`` (GitHub ``ycroissant/plm``,
``tests/Examples/plm-Ex.Rout.save``, commit 00c6d39546ec0984ded7184fc9695900e86211ae),
Grunfeld two-way within (Baltagi 2013, Table 3.1): value 0.117716 (SE 0.013751,
p 6.653e-15), capital 0.357916 (SE 0.022719), R-squared 0.72015; one-way within
(Baltagi 2005, Table 2.1): value 0.1101238 (SE 0.0118567).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _reference import sig_round

from cluster_research import regression as reg
from cluster_research.errors import ParameterError


@pytest.fixture(scope="module")
def results(baltagi):
    return {
        "A entity FE": reg.panel(baltagi, "invest ~ value + capital", "firm", "year"),
        "B two-way FE": reg.panel(baltagi, "invest ~ value + capital", "firm", "year",
                                  effects="twoway"),
    }


def test_robustness_table_holds_numbers_equal_to_published(results):
    t = reg.robustness_table(results)
    assert list(t.columns) == ["spec", "term", "estimate", "std_error", "t", "p_value",
                               "ci_low", "ci_high", "nobs", "n_entities", "n_periods",
                               "within_r2"]
    for c in ("estimate", "std_error", "p_value", "ci_low", "ci_high", "within_r2"):
        assert pd.api.types.is_float_dtype(t[c]), c
    row = t[(t.spec == "A") & (t.term == "value")].iloc[0]
    assert round(float(row.estimate), 7) == 0.1101238
    assert round(float(row.std_error), 7) == 0.0118567
    row = t[(t.spec == "B") & (t.term == "value")].iloc[0]
    assert sig_round(row.estimate, 6) == 0.117716
    assert round(float(row.std_error), 6) == 0.013751
    assert sig_round(row.p_value, 4) == 6.653e-15
    assert round(float(row.within_r2), 5) == 0.72015
    assert (int(row.nobs), int(row.n_entities), int(row.n_periods)) == (200, 10, 20)


def test_format_robustness_puts_stars_only_in_display(results):
    t = reg.robustness_table(results)
    shown = reg.format_robustness(t)
    assert shown.loc["value", "B"] == "0.118*** (0.014)"
    assert shown.loc["capital", "B"] == "0.358*** (0.023)"
    assert shown.loc["within_r2", "B"] == "0.720"
    assert shown.loc["nobs", "A"] == "200" and shown.loc["regions", "A"] == "10"
    assert all(pd.api.types.is_numeric_dtype(t[c]) for c in t.columns if c not in ("spec", "term"))


@pytest.mark.parametrize("p, expected", [(0.0099, "***"), (0.01, "**"), (0.0499, "**"),
                                         (0.05, "*"), (0.0999, "*"), (0.1, ""),
                                         (float("nan"), "")])
def test_stars_thresholds(p, expected):
    assert reg.stars(p) == expected


def test_spec_key_describes_each_label(results):
    key = reg.spec_key(results)
    assert key.spec.tolist() == ["A", "B"]
    assert key.description.tolist() == ["entity FE", "two-way FE"]
    assert key.effects.tolist() == ["entity", "twoway"]
    assert key.first_period.tolist() == [1935, 1935]
    assert key.last_period.tolist() == [1954, 1954]


def test_duplicate_short_labels_and_bad_values_raise(results):
    res = results["A entity FE"]
    with pytest.raises(ParameterError, match="short label 'A'"):
        reg.robustness_table({"A one": res, "A two": res})
    with pytest.raises(ParameterError, match="not a PanelResults"):
        reg.robustness_table({"A": np.zeros(2)})
    with pytest.raises(ParameterError, match="non-empty dict"):
        reg.spec_key({})
