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
# # 07 · All regions compared: stages, shares, concentration and Shanghai's rank
#
# Notebook 06 profiles one region; this one puts the 31 provincial-level regions side by side
# with the NBS panel (2015–2024):
#
# 1. a map of China coloured by lifecycle stage, and a region × year stage heatmap (scorecard
#    method: the paper's four growth-stage features, percentiles among provinces);
# 2. the four municipalities (北京, 天津, 上海, 重庆 — the regions that are cities) compared;
# 3. each region's share of national e-commerce sales, its location quotient against GDP, and the
#    concentration of e-commerce sales (HHI, CR4) over time;
# 4. Shanghai's rank.
#
# Parameters: `year` (the year mapped), `year_from` (first year of the stage heatmap; the
# scorecard needs three years of sales, so 2017 is the earliest), `indicator`, `highlight`, `lang`.

# %% tags=["parameters"]
year = 2024  # year of the map
year_from = 2017  # first year of the stage heatmap (scorecard needs sales in t-2)
indicator = "ecommerce_sales"  # 电子商务销售额, 亿元
highlight = "上海"  # region outlined and followed
lang = "zh"  # figure labels: "zh" or "en"

# %%
import numpy as np
import pandas as pd

import cluster_research as cr
cr.notebook_setup()

# %% [markdown]
# ## 1 · Stages of all regions
#
# `cr.lifecycle.scorecard_table(year)` scores every province on the paper's four features of the
# growth stage (firms gathering, scale growing fast, links, infrastructure). Each component is a
# within-year mid-rank percentile $(\text{rank} - 0.5)/n$; the stage rule: momentum ≥ 0.5 and
# acceleration ≥ 0.5 → 成长; momentum ≥ 0.5 but decelerating → 扩大; slower growth with a high
# level → 起飞; low level and slow growth → 萌芽. Because every component is a percentile, the
# stages are **relative** — each year roughly a quarter of the regions falls in each stage by
# construction. (Curve fits per region cannot be used here: ten annual values do not identify a
# ceiling — see notebook 06.)

# %%
import matplotlib.pyplot as plt

years = range(year_from, year + 1)
cards = pd.concat([cr.lifecycle.scorecard_table(y).assign(year=y) for y in years])
cards = cards.reset_index().rename(columns={"index": "region"})
cards = cards.assign(code=cards.region.map(cr.data.region_code)).sort_values(["code", "year"])
stage_long = cards[["region", "year", "stage"]].assign(
    stage_zh=cards.stage.map(lambda s: s.zh if s else None),
    stage_en=cards.stage.map(lambda s: s.en if s else None))
saved = cr.outputs.save_table(stage_long.drop(columns="stage"), "stages_by_region_year")

# %%
# NBVAL_CHECK_OUTPUT
wide = stage_long.pivot(index="region", columns="year", values="stage_zh")
print(pd.crosstab(stage_long.year, stage_long.stage_zh).to_string())
print(wide.loc[["北京", "天津", "上海", "重庆"]].to_string())

# %% [markdown]
# The map shows the stage in `year` (1 萌芽 … 4 起飞; the outlined region is `highlight`):

# %%
from matplotlib.colors import ListedColormap

last = stage_long[stage_long.year == year].set_index("region")["stage"]
codes = last.map(lambda s: s.value if s else np.nan)
lo, hi = int(codes.min()), int(codes.max())  # colours of the stages present, in order
colours = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"][lo - 1:hi]
stage_names = [s.zh if lang == "zh" else s.en for s in cr.lifecycle.Stage][lo - 1:hi]
fig = cr.viz.province_choropleth(
    codes, lang=lang, highlight=highlight, cmap=ListedColormap(colours),
    title=f"{'生命周期阶段（记分卡）' if lang == 'zh' else 'Lifecycle stage (scorecard)'}, {year}",
    legend_label="阶段" if lang == "zh" else "Stage")
colorbar = fig.axes[-1]  # label the colour bins with the stage names
colorbar.set_yticks([lo + (i + 0.5) * (hi - lo) / len(colours) for i in range(len(colours))],
                    stage_names)
saved = cr.viz.save(fig, f"map_stage_{year}")

# %%
fig = cr.viz.stage_timeline(
    stage_long.assign(method=stage_long.region.map(
        lambda r: r if lang == "zh" else cr.data.region_name(r, lang="en"))),
    lang=lang, paper_years=(), title="记分卡阶段" if lang == "zh" else "Scorecard stage")
saved = cr.viz.save(fig, "stage_heatmap")

# %% [markdown]
# ## 2 · The four municipalities
#
# Beijing, Tianjin, Shanghai and Chongqing are the provincial-level regions that are cities, so
# they are the closest comparison for the paper's Shanghai cluster.

# %%
panel = cr.data.load("provincial_panel")
sel = panel[panel.indicator == indicator]
sales = sel.pivot(index="year", columns="region", values="value")
municipalities = ["北京", "天津", "上海", "重庆"]
labels = {r: (r if lang == "zh" else cr.data.region_name(r, lang="en")) for r in sales.columns}
fig, ax = plt.subplots(figsize=(8, 4.5))
sales[municipalities].rename(columns=labels).plot(ax=ax, marker="o")
ax.set_ylabel(sel.unit.iloc[0])
ax.set_xlabel(cr.viz.label("year", lang))
ax.set_title(sel.indicator_zh.iloc[0] if lang == "zh" else indicator)
saved = cr.viz.save(fig, "municipalities")

# %% [markdown]
# ## 3 · Shares, location quotients and concentration
#
# * **share** $s_r = x_r / \sum_q x_q$ of the national (31-region) total;
# * **location quotient** against GDP, $LQ_r = (x_r / g_r) / (X / G)$: above 1, the region's
#   e-commerce sales are larger than its share of the economy (Balassa 1965; EconGeo). GDP is
#   available for 2019–2024 only, so the LQ is too;
# * **HHI** $= \sum_r s_r^2$ (1/31 ≈ 0.032 if equal, 1 if all in one region) and **CR4**, the
#   share of the four largest regions (US DoJ/FTC 2010, §5.3).
#
# Careful: `ecommerce_sales` is reported where the selling firm is registered, so head-office
# regions (Beijing, Shanghai) collect sales made elsewhere.

# %%
shares = sales.apply(lambda row: cr.metrics.share(row), axis=1)
economy = cr.data.load("provincial_economy")
gdp = economy[economy.indicator == "gdp"].pivot(index="year", columns="region", values="value")
lq = pd.DataFrame({y: cr.metrics.location_quotient(
    pd.DataFrame({"sales": sales.loc[y], "gdp": gdp.loc[y]}))["sales"] for y in gdp.index}).T
concentration = pd.DataFrame({"hhi": sales.apply(cr.metrics.hhi, axis=1),
                              "cr4": sales.apply(cr.metrics.cr4, axis=1),
                              "top4": sales.apply(lambda r: " ".join(r.nlargest(4).index), axis=1)})
metrics_long = (shares.stack().rename("share").to_frame()
                .join(lq.stack().rename("lq_vs_gdp")).reset_index())
saved = cr.outputs.save_table(metrics_long, "shares_lq")
saved = cr.outputs.save_table(concentration.reset_index(), "concentration")

# %%
# NBVAL_CHECK_OUTPUT
print(concentration.to_string(float_format=lambda x: f"{x:.3f}"))
print()
print("share of national e-commerce sales (municipalities)")
print(shares[municipalities].to_string(float_format=lambda x: f"{x:.3f}"))
print()
print("location quotient vs GDP (municipalities)")
print(lq[municipalities].to_string(float_format=lambda x: f"{x:.2f}"))

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
concentration[["hhi", "cr4"]].plot(ax=axes[0], marker="o")
axes[0].set_title("HHI, CR4")
axes[0].set_xlabel(cr.viz.label("year", lang))
lq[municipalities].rename(columns=labels).plot(ax=axes[1], marker="o")
axes[1].axhline(1, color="grey", lw=0.8)
axes[1].set_title("LQ (e-commerce sales / GDP)")
axes[1].set_xlabel(cr.viz.label("year", lang))
fig.tight_layout()
saved = cr.viz.save(fig, "concentration_lq")

# %% [markdown]
# ## 4 · Shanghai's rank
#
# Competition rank among the 31 regions (1 = largest; `cr.metrics.rank`), and the change between
# the first and the last year (`cr.metrics.rank_change`).

# %%
# NBVAL_CHECK_OUTPUT
ranks = sales.apply(lambda row: cr.metrics.rank(row), axis=1)
print(f"{highlight}: rank in {indicator} by year")
print(ranks[highlight].astype(int).to_string())
change = cr.metrics.rank_change(sales.iloc[0], sales.iloc[-1])
print(change.loc[municipalities].to_string())
saved = cr.outputs.save_table(ranks.stack().rename("rank").reset_index(), "ranks")

# %% [markdown]
# ## What this shows
#
# * **Stages are relative and volatile.** The scorecard puts roughly a quarter of the regions in
#   each stage every year (the cross-tabulation above) because it ranks regions against each other;
#   and most regions change stage from one year to the next — Shanghai goes 起飞, 起飞, 成长,
#   成长, 起飞, 起飞, 扩大, 成长 over 2017–2024. Year-on-year growth and its acceleration are noisy,
#   so a single year's stage says little; the heatmap is better read for persistent patterns
#   (e.g. regions that stay in 萌芽). None of this is a position on an absolute S-curve, which ten
#   years of data cannot identify (notebook 06).
# * **Concentration is high but not rising.** The four largest regions (广东, 北京, 上海, 山东 in
#   every year) hold 47–54 % of enterprise e-commerce sales, and the HHI (0.076–0.090) is more
#   than twice the 1/31 ≈ 0.032 of an even spread; both peaked in 2017 and are back at their 2015
#   level in 2024.
# * **Municipalities.** Beijing (LQ 2.1–2.6) and Shanghai (2.1–2.3) sell online about twice what
#   their share of GDP would suggest — partly because sales are booked where firms have their head
#   offices; Tianjin (1.3–1.5) and Chongqing (1.1–1.7) are above 1 too but much lower. Shanghai's
#   share of national e-commerce sales is 12–15 %, Beijing's 11–14 %.
# * **Shanghai's rank** in e-commerce sales is 2nd or 3rd in every year 2015–2024 (behind
#   广东, and alternating with 北京): the paper's "居全国前列" holds for the years the panel covers,
#   which start four years after the paper.
