"""The tables of notebooks 06 (region profile) and 07 (cross-region), built by the library calls
the notebooks make, on the committed data; no notebook is executed and no ``outputs/`` needed.

nbval executes both notebooks in ``make test``; every table they save passes
:func:`cluster_research.schemas.validate` then (``save_table`` validates also when nothing is
written), which covers keys, columns, types and the probability sums of the stage tables. That
hindsight stages never go backwards is a property of the panel stage model, tested in
tests/test_stage_model.py. Tests that grepped the notebook sources for strings were removed:
they failed on a rewording and passed on a wrong number.
"""

from __future__ import annotations

import pandas as pd
import pytest

import cluster_research as cr
from cluster_research import schemas


@pytest.fixture(scope="module")
def sales_gdp():
    panel = cr.data.load("provincial_panel")
    sales = panel[panel.indicator == "ecommerce_sales"].pivot(index="year", columns="region",
                                                             values="value")
    economy = cr.data.load("provincial_economy")
    gdp = economy[economy.indicator == "gdp"].pivot(index="year", columns="region",
                                                    values="value")
    return sales, gdp


def test_07_shares_lq_table_of_the_nbs_panel(sales_gdp):
    sales, gdp = sales_gdp
    t = cr.metrics.share_lq_table(sales, gdp).rename(columns={"lq": "lq_vs_gdp"})
    schemas.validate("shares_lq", t)  # what notebook 07's save_table checks
    assert len(t) == sales.notna().sum().sum()  # one row per observed (year, region)
    assert t.groupby("year").share.sum().round(9).eq(1).all()
    # the LQ of Shanghai in 2024, from the raw data: (x_r / g_r) / (X / G)
    both = sales.loc[2024].notna() & gdp.loc[2024].notna()
    x, g = sales.loc[2024, both], gdp.loc[2024, both]
    expected = (x["上海"] / g["上海"]) / (x.sum() / g.sum())
    got = t[(t.year == 2024) & (t.region == "上海")].lq_vs_gdp.item()
    assert got == pytest.approx(expected, rel=1e-12)
    assert got > 1  # Shanghai's e-commerce sales exceed its share of GDP
    # no GDP before 2019: no LQ there, never a 0 or a filled value
    assert t[t.year < gdp.index.min()].lq_vs_gdp.isna().all()


def test_06_scorecard_is_a_tidy_relative_ranking():
    cards = {p: cr.lifecycle.scorecard(p, 2024) for p in ("浙江", "上海")}
    rows = [{"dimension": d, "region": p, "score": float(v)}
            for p, c in cards.items() for d, v in c.evidence["dimensions"].items()]
    t = schemas.validate("scorecard", pd.DataFrame(rows))
    assert "stage" not in set(t.dimension)
    assert t.groupby("region").size().eq(len(cards["浙江"].evidence["dimensions"])).all()
    assert cards["浙江"].evidence["n_regions"] == 31
    # percentiles (rank - 0.5) / n among the 31 provinces lie in [0.5/31, 1 - 0.5/31]
    assert t.score.between(0.5 / 31 - 1e-12, 1 - 0.5 / 31 + 1e-12).all()
