# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · The four strategy pillars: what can be measured, and where a region ranks
#
# The paper's strategy has four pillars: (1) improve the e-commerce environment, (2) develop
# third-party service providers, (3) build industrial carriers (parks, plans, funds, talent) and
# (4) foster leading firms. The paper measures none of them. Here we map each pillar to the
# indicators of the NBS provincial panel (企业信息化及电子商务情况, 互联网主要指标, 2015–2024) that
# can measure **part** of it, show a region's values and its rank among the 31 provincial-level
# regions over time, and list what cannot be measured.
#
# Parameters: `region` (any of the 31, Chinese or English name or code), the year range, `lang`,
# and the indicator shown on the map.

# %% tags=["parameters"]
region = "上海"  # one of the 31 provincial-level regions
year_from = 2015
year_to = 2024
lang = "zh"  # figure labels: "zh" or "en"
map_indicator = "ecommerce_sales"  # indicator drawn on the map for the last year

# %%
import cluster_research as cr
cr.notebook_setup()

# %% [markdown]
# ## 1 · Pillars and indicators
#
# Each row links a pillar to one indicator. `measure = proxy` means the indicator captures part of
# the pillar (e.g. broadband users stand for infrastructure, one part of the "environment");
# `measure = none` rows state the parts that **no** indicator in the panel measures.

# %%
# NBVAL_CHECK_OUTPUT
mapping = cr.claims.pillars()
print(mapping[["pillar_id", "pillar_zh", "indicator", "measure"]].to_string(index=False))

# %% [markdown]
# ## 2 · Ranking the regions
#
# For indicator $x$ in year $t$ the rank of region $r$ is the competition rank
#
# $$\text{rank}_{r,t} = 1 + \#\{q : x_{q,t} > x_{r,t}\},$$
#
# so 1 is the highest value and tied regions share the better rank (`pandas` `method="min"`,
# `cluster_research.metrics.rank`). Regions with a gap in year $t$ are left out of that year's
# ranking; `n_ranked` says how many regions were ranked, so a rank is always read "out of
# `n_ranked`". Counts (firms, users, sales) grow with the size of a region, so ranking them as
# published mostly ranks population: `rank` compares them **per resident** (each value divided by
# the region's 2024 population, the only population year in the data, so one divisor per region
# for every year), while ratios (`websites_per_100_firms`, `computers_per_100_people`,
# `ecommerce_firms_share`) are ranked as published; `rank_level` keeps the rank of the published
# value.

# %%
# NBVAL_CHECK_OUTPUT
ranks = cr.claims.pillar_indicators(region, year_from=year_from, year_to=year_to)
saved = cr.outputs.save_table(ranks, "indicator_ranks")
print(cr.data.region_name(region, lang="full"), f"{year_from}-{year_to}")
ranks.pivot_table(index=["pillar_id", "indicator", "unit"], columns="year", values="value",
                  sort=False)

# %% [markdown]
# Ranks among the provinces (1 = highest; counts per resident; this cell is checked strictly by
# nbval):

# %%
# NBVAL_CHECK_OUTPUT
rank_table = ranks.pivot_table(index="indicator", columns="year", values="rank", sort=False)
print(rank_table.to_string(float_format=lambda x: f"{x:.0f}", na_rep="-"))
print("\n".join(cr.claims.ranking_gaps(ranks)))

# %%
row_col = "indicator_zh" if lang == "zh" else "indicator"
basis = {"zh": "（计数按 2024 年常住人口折算为人均后排名）",
         "en": " (counts ranked per resident of 2024)"}[lang]
fig = cr.viz.rank_heatmap(ranks, lang=lang, row_col=row_col,
                          title=cr.data.region_name(region, lang=lang) + basis)
saved = cr.viz.save(fig, "indicator_ranks")

# %% [markdown]
# ## 3 · The whole country in the last year
#
# The map shows the chosen indicator for all 31 regions in the last year of the range (hatched =
# no data), with the chosen region outlined.

# %%
panel = cr.data.load("provincial_panel")
last = panel[(panel.indicator == map_indicator) & (panel.year == year_to)]
fig = cr.viz.province_choropleth(
    last.set_index("region_code")["value"], lang=lang, highlight=region,
    title=f"{last.indicator_zh.iloc[0] if lang == 'zh' else map_indicator}, {year_to}",
    legend_label=last.unit.iloc[0])
saved = cr.viz.save(fig, f"map_{map_indicator}_{year_to}")

# %% [markdown]
# ## 4 · What the panel cannot measure

# %%
# NBVAL_CHECK_OUTPUT
mapping.loc[mapping.measure == "none", ["pillar_zh", "pillar_en", "rationale_en"]]

# %% [markdown]
# ## What this shows
#
# * Only parts of the paper's strategy are measurable with official provincial statistics: the
#   **environment** (network infrastructure, ICT use and firms' websites), the pool of
#   **firms trading online** that parks would gather, and the **scale** of e-commerce sales and
#   purchases to which leading firms contribute. The **third-party service** pillar has no
#   indicator at all.
# * None of this tests whether the strategy *worked*: a rank is a description, not an effect.
#   Policies, standards, parks, funds and firm-level leadership are not in the data, and the
#   panel begins four years after the paper.
# * The ranks of this run, per indicator (best and worst year; counts per resident, and as
#   published in brackets):

# %%
# NBVAL_CHECK_OUTPUT
for ind, g in ranks.dropna(subset=["rank"]).groupby("indicator", sort=False):
    lo, hi = int(g["rank"].min()), int(g["rank"].max())
    line = f"{ind}: {lo}–{hi}" if lo != hi else f"{ind}: {lo}"
    if (g.rank_basis == "per resident").all():
        lo, hi = int(g.rank_level.min()), int(g.rank_level.max())
        line += f" (as published {lo}–{hi})" if lo != hi else f" (as published {lo})"
    print(line)
