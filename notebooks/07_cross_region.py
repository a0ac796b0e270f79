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
# # 07 · All regions compared: stages, shares, concentration and one region's rank
#
# Notebook 06 profiles one region; this one puts the 31 provincial-level regions side by side
# with the NBS panel (2015–2024):
#
# 1. a map of China coloured by lifecycle stage and a region × year stage heatmap, from the
#    **panel stage model** (`cr.lifecycle.panel_stages`, method "pooled"), each shaded by the
#    probability of the stage shown, "not identified" where the data do not identify a stage;
#    the same model in real time; a second design, the **diffusion-lag model** (method "lag");
#    and **checks against what really happened** (out-of-sample forecasts, face validity);
# 2. the four municipalities (北京, 天津, 上海, 重庆 — the regions that are cities) compared;
# 3. each region's share of the national total of `indicator`, its location quotient against
#    GDP, and the concentration of the indicator (HHI, CR4) over time — for levels only: an
#    indicator that is already a ratio (per 100 people or firms, a share) has no national total;
#    that section is then skipped, and the run says so;
# 4. the rank of `highlight` (default Shanghai).
#
# Parameters: `year` (the year mapped), `year_from` (first year of the stage heatmap),
# `indicator`, `highlight`, `lang`.

# %% tags=["parameters"]
year = 2024  # year of the map
year_from = 2015  # first year of the stage heatmap
indicator = "ecommerce_sales"  # 电子商务销售额, 亿元
highlight = "上海"  # region outlined and followed
lang = "zh"  # figure labels: "zh" or "en"

# %%
import numpy as np
import pandas as pd
from IPython.display import Markdown

import cluster_research as cr
from cluster_research.viz import stages as stage_figures
cr.notebook_setup()

# %% [markdown]
# ## 1 · Stages of all regions: the panel stage model
#
# Ten annual values of one region rarely identify an S-curve on their own (notebook 06), so
# `cr.lifecycle.panel_stages(panel, method="pooled")` fits every region's curve (logistic or
# Gompertz, chosen on the panel) with an **empirical-Bayes prior on the growth rate**: the
# regions whose own fit is identified give the prior's centre $\mu$ and spread $\tau$ of
# $\log r$, and each region's curve is the maximum a posteriori fit
# $\min_\theta \sum_t (\log y_t - \log f_\theta(t))^2 / \sigma^2 + (\log r - \mu)^2/\tau^2$,
# so a region whose own points identify nothing **borrows the panel's rate**. The stage of a
# year is its phase on the fitted curve (萌芽 before the lower knee, 成长 up to the
# inflection, 扩大 up to the upper knee, 起飞 after), and the probabilities come from draws of
# the parameters around the fit. In hindsight the stages are ordered and never go backwards.
# References: Efron & Morris (1975); Kucharavy & De Guio (2011).
#
# **A stage is shown only where the data identify it** (grey "?" = not identified, with the
# reason in the table): the panel must grow (its within trend significantly positive, no region
# declining at its end), at least three regions must identify their own ceiling (otherwise every
# curve rests on the prior alone), and the stage shown must have probability ≥ 2/3.
#
# **What a stage means for this indicator:** the place of the year on the region's fitted curve
# of the indicator (by default enterprise e-commerce sales) — 萌芽 before the lower knee (growth still accelerating), 成长
# up to the inflection, 扩大 up to the upper knee (growth slowing), 起飞 after it (the paper's
# word; here: close to the fitted ceiling, i.e. maturity, not a "take-off").
#
# The map shows the stage in `year` (the outlined region is `highlight`); the paler a region,
# the lower the probability of the stage shown. The heatmap writes that probability in each cell.

# %%
model = stage_figures.pooled_panel_stages(indicator, "hindsight")
model = model.assign(code=model.region.map(cr.data.region_code)).sort_values(["code", "year"])
stage_long = stage_figures.stage_columns(model)
saved = cr.outputs.save_table(stage_long, "stages_by_region_year")
coverage = float(model.stage.notna().mean())
back, steps = cr.lifecycle.backward_steps(model)

# %%
# NBVAL_CHECK_OUTPUT
print(f"regions {model.region.nunique()}, region-years {len(model)}, with a stage {coverage:.0%}, "
      f"backward steps {back} of {steps}")
print(pd.crosstab(stage_long.year, stage_long[f"stage_{lang}"]).to_string()
      if stage_long.stage_zh.notna().any()
      else "no region-year has an identified stage; reasons: "
      + "; ".join(sorted({r.split(': K=')[0] for r in model.reason})[:3]))
shown = list(dict.fromkeys(["北京", "天津", "上海", "重庆", cr.data.region_name(highlight)]))
grid, gap_note = stage_figures.stage_grid(stage_long, shown, lang=lang)  # municipalities, highlight
print(grid.to_string())
print(gap_note)
print(cr.lifecycle.STAGE_DEFINITION[lang])

# %%
last = model[model.year == year]
fig = stage_figures.stage_map(
    model, year, lang=lang, highlight=highlight,
    title=(f"生命周期阶段（面板模型，事后）, {year}" if lang == "zh"
           else f"Lifecycle stage (panel model, hindsight), {year}"))
saved = cr.viz.save(fig, f"map_stage_{year}")

# %%
fig = stage_figures.stage_heatmap(
    model, lang=lang, years=range(year_from, year + 1),
    title="生命周期阶段（面板模型，事后）" if lang == "zh"
    else "Lifecycle stage (panel model, hindsight)")
saved = cr.viz.save(fig, "stage_heatmap")

# %% [markdown]
# ### The same model in real time
#
# In hindsight every year is judged with the whole 2015–2024 series. In **real time**
# (`information="realtime"`) the model is refitted for each year $t$ on the data up to $t$ only
# — what an analyst could have said in that year. New data move the fitted curve, so a region's
# real-time stage can step back; the share of such steps below is measured on this run.

# %%
realtime = stage_figures.pooled_panel_stages(indicator, "realtime")
realtime = realtime.assign(code=realtime.region.map(cr.data.region_code)).sort_values(
    ["code", "year"])

# %%
# NBVAL_CHECK_OUTPUT
rt_back, rt_steps = cr.lifecycle.backward_steps(realtime)
rt = cr.lifecycle.stage_summary(realtime, model)  # the real-time check against hindsight
rt_staged = int(realtime.stage.notna().sum())
rt_table = stage_figures.stage_columns(realtime)
saved = cr.outputs.save_table(rt_table, "stages_realtime")
rt_check = ((f"of its {rt_staged} stages, {rt['compared']} get a stage in hindsight too"
             + (f", {rt['agree_hindsight']:.0%} of them the same one" if rt["compared"] else ""))
            if rt_staged else "no real-time stage to check against hindsight")
print(f"real time: with a stage {rt['classified']:.0%}, backward steps {rt_back} of {rt_steps}; "
      + rt_check)

# %% [markdown]
# ### A second design: regions as time-shifted positions on one curve
#
# The diffusion-lag model (`method="lag"`, Griliches 1957; Comin & Hobijn 2010) puts every region
# on **one** logistic curve of the indicator made scale-free (a level per resident,
# `cr.lifecycle.per_person_scale`; a ratio as it is), with
# a common ceiling and rate and one inflection year per region: the leaders would show the
# slowdown the followers have not reached. The common ceiling is identified only if the panel
# rejects its limit, regions on parallel exponential trends (a likelihood-ratio test).

# %%
# NBVAL_CHECK_OUTPUT
panel_all = cr.data.load("provincial_panel")
scale, scale_note = cr.lifecycle.per_person_scale(indicator)
lag_model = cr.lifecycle.panel_stages(panel_all, indicator=indicator, method="lag", scale=scale)
lag_coverage = float(lag_model.stage.notna().mean())
lag_reason = lag_model.reason.iloc[0]
print(f"scale: {scale_note}")
print(f"diffusion lag: with a stage {lag_coverage:.0%} of {len(lag_model)} region-years")
print(lag_reason)

# %% [markdown]
# ### Checks against what really happened
#
# A stage model is worth what it predicts (Hyndman & Athanasopoulos, *Forecasting: Principles
# and Practice*, §5.10). **Rolling-origin forecasts**: each model is fitted on the years up to
# an origin $t$ and its curves forecast $t+1, t+2, t+3$; the benchmarks are the random walk
# ($\log y_t$) and the random walk with drift (the region's average log growth so far). The
# table gives the RMSE of the log levels per horizon and the ratio to drift (above 1: the stage
# model forecasts worse than a trend). **Face validity**: where stages are shown, the rank
# correlation, by year, of the stage position with measures the model never sees (the share of
# firms trading online, unless it is the indicator itself, and Taobao villages per resident) and
# with the scale-free indicator itself (`cr.lifecycle.maturity_measures`).

# %%
# NBVAL_CHECK_OUTPUT
forecasts = pd.concat([
    cr.lifecycle.forecast_summary(cr.lifecycle.rolling_forecast(
        panel_all, indicator=indicator, method=m, **kw)).assign(model=m)
    for m, kw in (("pooled", {}), ("lag", {"scale": scale}), ("curve", {"model": "logistic"}))],
    ignore_index=True)
saved = cr.outputs.save_table(forecasts, "stage_model_forecasts")
print(forecasts.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
validity = pd.concat({name: cr.lifecycle.face_validity(model, m) for name, m in
                      cr.lifecycle.maturity_measures(panel_all, indicator).items()},
                     names=["measure", None]).reset_index(level=0)
print("face validity (stage position vs each measure):\n"
      + ("no year with five or more staged regions at different positions" if validity.empty
         else validity.to_string(index=False, float_format=lambda x: f"{x:.3f}")))

# %% [markdown]
# ## 2 · The four municipalities
#
# Beijing, Tianjin, Shanghai and Chongqing are the provincial-level regions that are cities, so
# they are the closest comparison for the paper's Shanghai cluster.

# %%
panel = cr.data.load("provincial_panel")
sel = panel[panel.indicator == indicator]
sales = sel.pivot(index="year", columns="region", values="value").dropna(how="all")  # no empty year
municipalities = ["北京", "天津", "上海", "重庆"]
fig = cr.viz.region_lines(sales, municipalities, lang=lang, ylabel=sel.unit.iloc[0],
                          title=sel.indicator_zh.iloc[0] if lang == "zh" else indicator)
saved = cr.viz.save(fig, "municipalities")

# %% [markdown]
# ## 3 · Shares, location quotients and concentration
#
# For an indicator that is a level (sales, firms, users; not a ratio, see below):
#
# * **share** $s_r = x_r / \sum_q x_q$ of the national (31-region) total;
# * **location quotient** against GDP, $LQ_r = (x_r / g_r) / (X / G)$: above 1, the region's
#   share of the indicator is larger than its share of the economy (Balassa 1965; EconGeo). GDP
#   is available for 2019–2024 only, so the LQ is too;
# * **HHI** $= \sum_r s_r^2$ (1/31 ≈ 0.032 if equal, 1 if all in one region) and **CR4**, the
#   share of the four largest regions (US DoJ/FTC 2010, §5.3).
#
# Careful: `ecommerce_sales` is reported where the selling firm is registered, so head-office
# regions (Beijing, Shanghai) collect sales made elsewhere.
#
# An indicator that is already a ratio (`cr.lifecycle.RATIO_INDICATORS`: computers per 100
# people, websites per 100 firms, the share of firms selling online) cannot be summed over
# regions: the sum of 31 ratios is no national total, so shares, location quotients, the HHI
# and CR4 of a ratio mean nothing and are not computed.

# %%
# NBVAL_CHECK_OUTPUT
is_ratio = indicator in cr.lifecycle.RATIO_INDICATORS
if is_ratio:
    print(f"{indicator} ({sel.unit.iloc[0]}) is a ratio: no national total, so no shares, "
          "location quotients, HHI or CR4 (section skipped)")
else:
    shares = sales.apply(lambda row: cr.metrics.share(row), axis=1)
    economy = cr.data.load("provincial_economy")
    gdp = economy[economy.indicator == "gdp"].pivot(index="year", columns="region", values="value")
    metrics_long = cr.metrics.share_lq_table(sales, gdp).rename(columns={"lq": "lq_vs_gdp"})
    lq = metrics_long.pivot(index="year", columns="region", values="lq_vs_gdp").dropna(how="all")
    concentration = pd.DataFrame({"hhi": sales.apply(cr.metrics.hhi, axis=1),
                                  "cr4": sales.apply(cr.metrics.cr4, axis=1),
                                  "top4": sales.apply(lambda r: " ".join(r.nlargest(4).index),
                                                      axis=1)})
    saved = cr.outputs.save_table(metrics_long, "shares_lq")
    saved = cr.outputs.save_table(concentration.reset_index(), "concentration")
    print(concentration.to_string(float_format=lambda x: f"{x:.3f}"))
    print()
    print(f"share of the national total of {indicator} (municipalities)")
    print(shares[municipalities].to_string(float_format=lambda x: f"{x:.3f}"))
    print()
    print("location quotient vs GDP (municipalities)")
    print(lq[municipalities].to_string(float_format=lambda x: f"{x:.2f}"))

# %%
if not is_ratio:
    fig = cr.viz.concentration_panels(concentration, lq, municipalities, lang=lang)
    saved = cr.viz.save(fig, "concentration_lq")

# %% [markdown]
# ## 4 · The rank of `highlight` (default Shanghai)
#
# Competition rank among the 31 regions (1 = highest value; `cr.metrics.rank`), and the change
# between the first and the last year (`cr.metrics.rank_change`). A ratio ranks as it is.

# %%
# NBVAL_CHECK_OUTPUT
ranks = sales.apply(lambda row: cr.metrics.rank(row), axis=1)
print(f"{highlight}: rank in {indicator} by year")
print(ranks[highlight].astype(int).to_string())
change = cr.metrics.rank_change(sales.iloc[0], sales.iloc[-1])
print(change.loc[municipalities].to_string())
saved = cr.outputs.save_table(ranks.stack().rename("rank").reset_index(), "ranks")

# %%
from myst_nb import glue  # the landing page of the report quotes these (`{glue:text}`)

glue("years", f"{sales.index.min()}–{sales.index.max()}", display=False)
if not is_ratio:  # no concentration of a ratio
    for col in ("hhi", "cr4"):
        glue(f"{col}_min", float(concentration[col].min()), display=False)
        glue(f"{col}_max", float(concentration[col].max()), display=False)
    glue("top4_always", " ".join(sorted(set.intersection(
        *(set(t.split()) for t in concentration["top4"])))) or "none", display=False)
glue("highlight_ranks", f"{int(ranks[highlight].min())}–{int(ranks[highlight].max())} of "
     f"{ranks.shape[1]}", display=False)

# %% [markdown]
# ## What this shows
#
# Generated from this run's tables (the stage table, the real-time table, shares/LQ and
# concentration where the indicator is a level, and ranks above):

# %%
in_year = last.stage.map(lambda s: s.zh if s else "未识别 / not identified").value_counts()
hl = model[model.region == highlight]
hl_path = (", ".join(f"{y} {s.zh if s else '未识别'}" for y, s in zip(hl.year, hl.stage))
           if hl.stage.notna().any() else "not identified in any year")
hl_last = hl[hl.year == year]
hl_p = float(stage_figures.stage_probability(hl_last).iloc[0]) if len(hl_last) else np.nan
rk = ranks[highlight].dropna().astype(int)
lines = [
    f"* **Panel stage model, hindsight.** {coverage:.0%} of the {len(model)} region-years get a "
    f"stage, with {back} backward steps in {steps} year-to-year steps. In {year}: "
    + ", ".join(f"{k} {v}" for k, v in in_year.items())
    + f" regions. {highlight}: {hl_path}"
    + (f" (probability of its {year} stage {hl_p:.2f})." if np.isfinite(hl_p) else "."),
    f"* **Real time.** Refitted each year on the data up to that year, {rt['classified']:.0%} of "
    f"the region-years get a stage and {rt_back} of {rt_steps} year-to-year steps between shown "
    f"stages go back to an earlier stage; {rt_check}. A stage said in the year itself is "
    "provisional.",
    f"* **Diffusion lag.** {lag_coverage:.0%} of the region-years get a stage from the common "
    f"curve ({scale_note.split(' (')[0]}): "
    + lag_reason.split("; ", 1)[-1].split("; phase")[0] + ".",
    "* **Forecasts.** Ratio of the RMSE of log levels to drift at horizons "
    + ", ".join(f"{h}" for h in sorted(forecasts.horizon.unique())) + ": "
    + "; ".join(f"{m} " + ", ".join(f"{r:.2f}" for r in g.sort_values("horizon").ratio_to_drift)
                for m, g in forecasts.groupby("model", sort=False))
    + ". " + ("No stage model forecasts better than a trend at every horizon."
              if not (forecasts.groupby("model").ratio_to_drift.max() <= 1.0).any()
              else "Better than drift at every horizon: "
              + ", ".join(m for m, v in forecasts.groupby("model").ratio_to_drift.max().items()
                          if v <= 1.0) + "."),
    "* **Face validity.** "
    + ("No year has five or more staged regions at different positions: nothing to check."
       if validity.empty else "Stage position against "
       + "; ".join(f"{name}: {cr.lifecycle.face_validity_text(g)}"
                   for name, g in validity.groupby("measure", sort=False)) + "."),
]
if is_ratio:
    lines.append(f"* **No concentration.** {indicator} ({sel.unit.iloc[0]}) is a ratio: a sum "
                 "over regions is no national total, so no shares, HHI, CR4 or location "
                 "quotients were computed.")
else:
    top4_sets = concentration.top4.map(lambda t: frozenset(t.split())).unique()
    lq_m = lq[municipalities]
    lines += [
        (f"* **Concentration.** The four largest regions hold {concentration.cr4.min():.0%}–"
         f"{concentration.cr4.max():.0%} of the national total of {indicator}, "
         f"{'the same four' if len(top4_sets) == 1 else 'not always the same four'} "
         f"({concentration.top4.iloc[-1]} in {concentration.index[-1]}); the HHI is "
         f"{concentration.hhi.min():.3f}–{concentration.hhi.max():.3f} against 1/31 ≈ 0.032 "
         f"for an even spread (highest in {int(concentration.hhi.idxmax())})."),
        "* **Municipalities, LQ vs GDP "
        f"({int(lq.index.min())}–{int(lq.index.max())}).** "
        + "; ".join(f"{r} {lq_m[r].min():.2f}–{lq_m[r].max():.2f}" for r in municipalities)
        + (". Sales and purchases are booked where the firm is registered, which raises "
           "head-office regions." if indicator in ("ecommerce_sales", "ecommerce_purchases")
           else "."),
    ]
lines.append(f"* **{highlight}'s rank** in {indicator}: "
             + (f"{rk.min()}–{rk.max()} over " if rk.min() != rk.max()
                else f"{rk.min()} in every year of ")
             + f"{int(rk.index.min())}–{int(rk.index.max())} (1 = highest of 31).")
Markdown("\n".join(lines))
