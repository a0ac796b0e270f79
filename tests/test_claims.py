"""Tests of the paper's claims and their checks.

Expected values are hand arithmetic on published numbers (not produced by the code):
4252.8 / 253.86 = 16.75254..., 4252.8 / 250 = 17.0112, (17.0112)^(1/8) = 1.42509,
2495.05 / 1.2477 = 1999.72.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

import cluster_research as cr
from cluster_research import claims
from cluster_research.errors import MissingColumnError, ParameterError

COLUMNS = ["claim_id", "claim", "section", "paper_value", "unit", "reproduced_value",
           "tolerance", "verdict", "reason"]


def _data(rows):
    """A table in the load('shanghai_ecommerce') format from (year, period, value, qual)."""
    return pd.DataFrame([
        {"series": "ecommerce_transaction_volume", "region": "上海", "year": y, "period": p,
         "value": v, "value_original": v, "unit_original": "亿元", "qualifier": q,
         "source_id": "test", "source_title": "test source", "source_url": "", "source_date": "",
         "notes": ""}
        for y, p, v, q in rows])


PUBLISHED = _data([(2002, "FY", 253.86, "exact"), (2010, "FY", 4252.8, "exact"),
                   (2010, "FY", 3400.0, "target"), (2011, "H1", 2495.05, "exact")])
EMPTY_PANEL = pd.DataFrame(columns=["indicator", "year", "region", "value"])
SERIES = pd.Series({2002: 253.86, 2007: 2300.0, 2009: 3250.0, 2010: 4252.8})


def _table(data=PUBLISHED):
    return claims.check_all(data=data, panel=EMPTY_PANEL, stage_series=SERIES,
                            kinds=claims.KINDS).set_index("claim_id")


def test_claims_as_data():
    c = claims.claims()
    assert c.claim_id.is_unique
    assert (c.claim.str.len() <= 22).all()
    assert c.loc[c.claim_id == "C01", "qualifier"].item() == "lower_bound"
    assert c.loc[c.claim_id == "C05", "paper_value"].item() == pytest.approx(42.509, abs=1e-3)


def test_paper_values_are_the_papers_numbers():
    """Every paper value is the number quoted in the claim, or hand arithmetic on those."""
    c = claims.claims().set_index("claim_id")
    quoted = {"C01": 250.0, "C02": 4252.8, "C03": 16.0, "C04": 16.0, "C07": 2495.05,
              "C08": 24.77}
    for cid, v in quoted.items():
        assert c.loc[cid, "paper_value"] == v, cid
        assert f"{v:g}" in c.loc[cid, "claim"], cid  # the number is the one in the quote
    g = (4252.8 / 250.0) ** (1 / 8) - 1  # C01 -> C02 over 8 years
    assert c.loc["C05", "paper_value"] == pytest.approx(100 * g, rel=1e-9)
    assert c.loc["C06", "paper_value"] == pytest.approx(math.log(2) / math.log(1 + g), rel=1e-9)
    assert c.loc["C09", "paper_value"] == pytest.approx(2495.05 / 1.2477, rel=1e-9)
    assert c.loc["C10", "paper_value"] == pytest.approx(100 * 2495.05 / 1.2477 / 4252.8,
                                                        rel=1e-9)
    assert c.loc["C16", "paper_value"] == len(c.loc["C16", "claim"].split("、")) == 5
    assert c.loc["C17", "paper_value"] == 12
    assert (c.loc[["C12", "C12a", "C12b", "C12c", "C12d"], "paper_value"] == "成长").all()


def test_each_statement_counts_once_and_checks_sit_apart():
    c = claims.claims().set_index("claim_id")
    assert list(c.index[c.kind == "claim"]) == ["C01", "C02", "C03", "C07", "C08", "C11", "C12",
                                                "C16", "C17"]
    assert c.loc["C04", "kind"] == "reading"  # the same sentence as C03, read otherwise
    assert set(c.index[c.kind == "derived"]) == {"C05", "C06", "C09", "C10"}
    assert (c.loc[c.qualifier == "derived", "kind"] == "derived").all()
    d = claims.check_details(data=PUBLISHED, panel=EMPTY_PANEL, stage_series=SERIES)
    assert set(d.claim_id) == set(c.index[c.kind != "claim"])
    with pytest.raises(ParameterError, match="kind"):
        claims.Claim("X1", "q", "s", 1.0, "-", "exact", "m", kind="other")


def test_check_all_shape_and_verdicts():
    t = claims.check_all(data=PUBLISHED, panel=EMPTY_PANEL, stage_series=SERIES)
    assert list(t.columns) == COLUMNS
    assert set(t.verdict) <= set(claims.VERDICTS)
    assert list(t.claim_id) == list(claims.claims().query("kind == 'claim'").claim_id)
    assert t.reason.str.len().gt(0).all()


def test_sixteen_fold_conventions():
    t = _table()
    assert t.loc["C03", "reproduced_value"] == pytest.approx(15.75254, abs=1e-4)
    assert t.loc["C03", "verdict"] == "reproduced"
    assert "16.01" in t.loc["C03", "reason"]  # the paper's own 250 as an upper bound
    assert t.loc["C04", "reproduced_value"] == pytest.approx(16.75254, abs=1e-4)
    assert t.loc["C04", "verdict"] == "not reproduced"


def test_cagr_and_doubling_time():
    t = _table()
    assert t.loc["C05", "paper_value"] == pytest.approx(42.509, abs=1e-3)
    assert t.loc["C05", "reproduced_value"] == pytest.approx(42.236, abs=1e-3)
    assert t.loc["C05", "verdict"] == "reproduced"
    # ln 2 / ln 1.42236 = 1.9674
    assert t.loc["C06", "reproduced_value"] == pytest.approx(1.9674, abs=1e-3)


def test_h1_claims():
    t = _table()
    assert t.loc["C07", "verdict"] == "reproduced"
    assert t.loc["C08", "verdict"] == "reproduced"
    assert t.loc["C09", "paper_value"] == pytest.approx(1999.72, abs=0.01)
    assert t.loc["C09", "verdict"] == "not checkable"
    assert t.loc["C10", "paper_value"] == pytest.approx(47.02, abs=0.01)


def test_targets_are_not_used_as_actuals():
    # only a target for 2010: the 2010 claims must not become checkable from it
    data = _data([(2002, "FY", 253.86, "exact"), (2010, "FY", 3400.0, "target")])
    t = _table(data)
    assert t.loc["C02", "verdict"] == "not checkable"
    assert t.loc["C03", "verdict"] == "not checkable"


def test_checks_can_fail():
    data = _data([(2002, "FY", 300.0, "exact"), (2010, "FY", 4252.8, "exact"),
                  (2011, "H1", 2400.0, "exact")])
    t = _table(data)
    assert t.loc["C01", "verdict"] == "not reproduced"       # 300 is not "250多"
    assert t.loc["C03", "verdict"] == "not reproduced"       # 13.18, not "近16"
    assert t.loc["C07", "verdict"] == "not reproduced"


def test_conflicting_values_not_silently_chosen():
    data = _data([(2002, "FY", 253.86, "exact"), (2002, "FY", 251.0, "exact"),
                  (2010, "FY", 4252.8, "exact")])
    t = _table(data)
    assert t.loc["C01", "verdict"] == "not checkable"
    assert "conflicting" in t.loc["C01", "reason"]


def test_stage_claims_wired_to_lifecycle(monkeypatch):
    from cluster_research import lifecycle

    calls = []

    def fake(series, year, method, information):
        calls.append((year, method, information))
        return SimpleNamespace(stage=lifecycle.Stage.GROWTH, reason="stub")

    monkeypatch.setattr(lifecycle, "classify", fake)
    t = _table()
    assert (2010, "ensemble", "realtime") in calls and (2011, "ensemble", "hindsight") in calls
    for cid in ("C12", "C12a", "C12b", "C12c", "C12d"):
        assert t.loc[cid, "verdict"] == "reproduced"
        assert t.loc[cid, "reproduced_value"] == "成长"


def test_stage_claim_not_reproduced_or_not_checkable(monkeypatch):
    from cluster_research import lifecycle

    def fake(series, year, method, information):
        if information == "realtime":
            return SimpleNamespace(stage=None, reason="too short")
        return SimpleNamespace(stage=lifecycle.Stage.EMBRYONIC, reason="stub")

    monkeypatch.setattr(lifecycle, "classify", fake)
    t = _table()
    assert t.loc["C12a", "verdict"] == "not checkable"
    assert "too short" in t.loc["C12a", "reason"]
    assert t.loc["C12b", "verdict"] == "not reproduced"
    # the claim: two judgements can be made, both give 萌芽 -> not reproduced
    assert t.loc["C12", "verdict"] == "not reproduced"
    assert t.loc["C12", "reproduced_value"] == "萌芽"
    assert "2 of 4 judgements can be made, 0 give 成长" in t.loc["C12", "reason"]


def test_stage_claim_not_checkable_when_no_judgement_can_be_made(monkeypatch):
    from cluster_research import lifecycle

    monkeypatch.setattr(lifecycle, "classify", lambda series, year, method, information:
                        SimpleNamespace(stage=None, reason="too short"))
    assert _table().loc["C12", "verdict"] == "not checkable"


def test_figure1_districts_and_members():
    t = _table()
    assert t.loc["C16", "verdict"] == "reproduced"
    assert t.loc["C17", "reproduced_value"] == 12
    items = claims.parse_member_list(claims.MEMBER_SENTENCE)
    assert len(items) == 12 and items[0] == "网店企业" and items[-1] == "咨询服务商"
    assert sum(i.endswith("服务商") for i in items) == 11
    with pytest.raises(ValueError, match="包括"):
        claims.parse_member_list("没有列表")


def test_ecosystem_taxonomy():
    eco = claims.ecosystem()
    assert eco.layer.value_counts().to_dict() == {"chain": 12, "external": 3}
    assert set(eco[eco.layer == "external"].name_zh) == {"政府", "行业组织", "园区"}
    assert eco.id.is_unique and eco.name_en.str.len().gt(0).all()


def test_check_unknown_id():
    with pytest.raises(KeyError, match="C01"):
        claims.check("C99")


def test_summary_and_style():
    t = claims.check_all(data=PUBLISHED, panel=EMPTY_PANEL, stage_series=SERIES,
                         kinds=claims.KINDS)
    assert claims.summary(t).startswith(f"{len(t)} claims: ")
    html = claims.style(t).to_html()
    assert "#d9f0d3" in html and "#f4cccc" in html


def test_pillars_mapping():
    p = claims.pillars()
    assert list(p.drop_duplicates("pillar_id").pillar_id) == [
        "environment", "third_party", "carriers", "leading_firms"]
    known = {"ecommerce_sales", "ecommerce_purchases", "ecommerce_firms",
             "ecommerce_firms_share", "websites_per_100_firms", "computers_per_100_people",
             "broadband_users", "mobile_internet_users", "mobile_internet_traffic"}
    assert set(p.indicator.dropna()) <= known
    # every pillar states what cannot be measured
    assert set(p[p.measure == "none"].pillar_id) == set(p.pillar_id)


def test_pillar_indicator_ranks_by_hand():
    rows = []
    for code, name, v in [("310000", "上海", 5.0), ("110000", "北京", 9.0),
                          ("440000", "广东", 5.0), ("120000", "天津", float("nan"))]:
        rows.append({"region_code": code, "region": name, "region_en": "", "year": 2020,
                     "indicator": "ecommerce_sales", "indicator_zh": "电子商务销售额",
                     "value": v, "unit": "亿元", "source_id": "t"})
    panel = pd.DataFrame(rows)
    r = claims.pillar_indicators("上海", 2020, 2020, panel=panel).iloc[0]
    assert (r["rank"], r["n_ranked"], r["value"]) == (2.0, 3, 5.0)
    r = claims.pillar_indicators("Beijing", 2020, 2020, panel=panel).iloc[0]
    assert r["rank"] == 1.0
    r = claims.pillar_indicators("天津", 2020, 2020, panel=panel).iloc[0]
    assert pd.isna(r["rank"]) and pd.isna(r["value"])
    with pytest.raises(ValueError, match="year_from"):
        claims.pillar_indicators("上海", 2021, 2020, panel=panel)


def test_ranking_gaps_read_right_for_none_one_and_some_regions():
    """Issue 26: "only 0 regions have data" is not a sentence; zero, one and a few regions
    each read correctly and name the years in which every region has a value."""
    rows = [(c, y, v) for c in ("a", "b", "c") for y, v in ((2018, 1.0), (2019, 1.0),
                                                            (2020, 1.0))]
    rows += [("a", 2021, 1.0), ("b", 2021, 2.0), ("a", 2022, 1.0), ("a", 2023, float("nan"))]
    panel = pd.DataFrame(rows, columns=["region_code", "year", "value"]).assign(indicator="x")
    ranks = pd.DataFrame({"indicator": "x", "year": [2020, 2021, 2022, 2023],
                          "n_ranked": [3, 2, 1, 0]})
    assert claims.ranking_gaps(ranks, panel) == [
        ("x 2021: only 2 of 3 regions have a value, so its ranks are out of 2; all 3 regions "
         "have one in 2018–2020."),
        ("x 2022: only 1 of 3 regions has a value, so its rank (1 of 1) compares nothing; all 3 "
         "regions have one in 2018–2020."),
        ("x 2023: no region has a value, so it is not ranked; all 3 regions have one in "
         "2018–2020.")]
    assert claims.ranking_gaps(ranks[ranks.n_ranked == 3], panel) == []


# ------------------------------------------------------------------ registry
def test_register_adds_a_claim_in_one_place_and_check_all_picks_it_up():
    c = claims.Claim("Z01", "测试", "none", 1.0, "-", "exact", "always reproduced", 0.0)

    @claims.register(c)
    def _check_z01(claim, ctx):
        return {"claim_id": claim.id, "claim": claim.quote, "section": claim.section,
                "paper_value": 1.0, "unit": "-", "reproduced_value": 1.0, "tolerance": 0.0,
                "verdict": "reproduced", "reason": "test"}

    try:
        assert claims.registered()[-1] is c
        assert claims.claims().claim_id.iloc[-1] == "Z01"
        assert claims.check("Z01")["verdict"] == "reproduced"
        with pytest.raises(ParameterError, match="already registered"):
            claims.register(c)(_check_z01)
    finally:
        claims.unregister("Z01")
    assert "Z01" not in [x.id for x in claims.registered()]
    assert len(claims.registered()) == len(claims.CLAIMS) == 18


def test_unknown_claim_is_a_package_error_and_a_key_error():
    with pytest.raises(MissingColumnError, match="unknown claim: 'C99' .*C17") as info:
        claims.check("C99")
    assert isinstance(info.value, KeyError) and isinstance(info.value, cr.ClusterResearchError)


# ------------------------------------------------------------ stage verdicts
def _r(stage):
    return SimpleNamespace(stage=stage)


def test_stage_verdict_rules():
    S = cr.lifecycle.Stage
    g, e, none = _r(S.GROWTH), _r(S.EXPANSION), _r(None)
    v = claims.stage_verdict(g, {"a": g, "b": g, "c": e})
    assert (v["verdict"], v["text"]) == ("reproduced", "REPRODUCED - the majority finds 成长")
    assert (v["n_classified"], v["n_methods"]) == (3, 3)
    v = claims.stage_verdict(g, {"a": g, "b": none})
    assert v["text"] == "REPRODUCED - the only method that classifies finds 成长"
    v = claims.stage_verdict(e, {"a": e, "b": e})
    assert v == {"verdict": "not reproduced",
                 "text": "NOT REPRODUCED - the majority finds 扩大 (expansion)",
                 "n_classified": 2, "n_methods": 2, "stages": {"a": "扩大", "b": "扩大"}}
    v = claims.stage_verdict(none, {"a": g, "b": e})
    assert v["text"] == "NOT REPRODUCED - methods disagree (成长, 扩大), no majority"
    v = claims.stage_verdict(none, {"a": none})
    assert (v["verdict"], v["n_classified"]) == ("not checkable", 0)
    # another expected stage
    assert claims.stage_verdict(e, {"a": e}, expected=S.EXPANSION)["verdict"] == "reproduced"
    assert [claims.method_verdict(x) for x in (g, e, none)] == [
        "agrees", "disagrees (扩大)", "no verdict"]


@pytest.mark.parametrize("claim_id, check", [("C02", "_check_value"), ("C12a", "_stage_check")])
def test_registering_a_taken_id_names_the_check_also_when_it_is_a_partial(claim_id, check):
    with pytest.raises(ParameterError, match=rf"{claim_id} is already registered \(check {check}\)"):
        claims.register(claims.Claim(claim_id, "x", "s", 1.0, "-", "exact", "m"))(lambda c, x: {})
