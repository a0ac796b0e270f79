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
# # 06 · Region profile: growth, lifecycle stage and scorecard of one region, against Shanghai
#
# The paper judged one cluster (Shanghai) at one moment (2010–11). This notebook applies the same
# questions to **any** of the 31 provincial-level regions — or to a city of your own, read from a
# CSV file — with the NBS provincial panel (企业信息化及电子商务情况, 2015–2024):
#
# 1. How has the region's e-commerce grown, and which growth model describes it?
# 2. Which lifecycle stage (萌芽 / 成长 / 扩大 / 起飞) is it in, by every method that applies, and
#    how sure can we be?
# 3. How does it score on the paper's four features of the growth stage?
# 4. How does it compare with Shanghai, the paper's cluster?
#
# `make reproduce` runs this notebook once per region (31 executed notebooks in
# `outputs/notebooks/06_region_profile/`). Your own city:
# `python -m cluster_research profile my_city.csv` (format: `data/README.md`, section 5).
#
# Parameters: `region`; or `csv_path` (a series CSV; then `region` is ignored) and `csv_series`
# (which series of the file); `indicator` (the NBS indicator profiled); `year` (`None` = the last
# year with data); `information`; `window` (observations per local fit for the model-free
# methods); `n_boot` and `seed` for the bootstrap; `benchmark`; `lang`.

# %% tags=["parameters"]
region = "上海"  # one of the 31 provincial-level regions (name or code)
csv_path = ""  # your own series CSV (format in data/README.md section 5); empty: NBS panel
csv_series = ""  # series id in the CSV; empty: the only one
indicator = "ecommerce_sales"  # NBS indicator profiled (电子商务销售额, 亿元)
year = None  # year judged; None: the last year with data
information = "hindsight"  # hindsight (all years) or realtime (data up to year only)
window = 5  # observations per local polynomial fit (signs, net_entry); short series
n_boot = 200  # bootstrap replicates for the stage probabilities
seed = 0
benchmark = "上海"  # the paper's cluster
lang = "zh"  # figure labels: "zh" or "en"
figure_formats = ["png", "svg"]  # files written per figure (the 31-region fan-out writes png)

# %%
import numpy as np
import pandas as pd

import cluster_research as cr
cr.notebook_setup()

# %% [markdown]
# ## 1 · The data
#
# For a province: its `indicator` from the NBS panel (2015–2024, ten annual values) and, for the
# Gort–Klepper method, its number of firms trading online (`ecommerce_firms`). For your own CSV:
# the full-year (`FY`) **exact** values of one series (`cr.pipeline.profile_series` drops
# approximate values, lower bounds and targets; gaps stay gaps). Shanghai's series of the same
# indicator is the benchmark.

# %%
import matplotlib.pyplot as plt

if csv_path:
    values = cr.pipeline.profile_series(csv_path, csv_series)
    place, unit, counts, province = values.attrs["region"], values.attrs["unit"], None, None
    print(f"{csv_path}: {place}, series {values.name!r} ({unit}), "
          f"{values.attrs['n_dropped']} rows not used (not FY exact), gaps: {values.attrs['gaps']}")
else:
    province = cr.data.region_name(region)
    values = cr.data.series(province, indicator).dropna()
    counts = cr.data.series(province, "ecommerce_firms").dropna()
    place = cr.data.region_name(province, lang=lang)
    unit = "亿元"
bench = cr.data.series(benchmark, indicator).dropna()
judged = int(values.index.max()) if year is None else int(year)
print(f"{place}: {values.name}, {len(values)} values {values.index.min()}-{values.index.max()}; "
      f"stage judged for {judged} ({information})")
pd.DataFrame({place: values, f"{cr.data.region_name(benchmark, lang=lang)} (benchmark)": bench})

# %% [markdown]
# ## 2 · Growth models
#
# Five models of the level $y(t)$ are fitted by non-linear least squares on the log scale
# (multiplicative errors, `cr.growth.fit(..., errors="multiplicative")`): exponential
# $y = e^{a + r(t - t_{ref})}$; logistic $y = K / (1 + e^{-k(t - t_0)})$; Gompertz
# $y = K e^{-e^{-b(t - t_0)}}$; Richards (a logistic with a shape parameter $\nu$) and Bass
# (cumulative adoption $M F(t)$). $K$ (or $M$) is the **ceiling**. AICc compares the models
# (lower is better; differences under 2 are no evidence). A ceiling is *identified* only if its
# profile-likelihood interval is bounded: with ten annual values of a series that has not yet
# bent over, it usually is not — then the S-curves cannot say where the region is on its curve.
# References: Seber & Wild (1989), *Nonlinear Regression*; Burnham & Anderson (2002) for AICc;
# Bass (1969).

# %%
models = ["exponential", "logistic", "gompertz", "richards", "bass"]
fits = {m: cr.growth.fit(values.index, values.to_numpy(), model=m, errors="multiplicative")
        for m in models}
fit_table = pd.DataFrame([{"model": m, "converged": r.converged, "identified": r.identified,
                           "ceiling_if_identified": r.ceiling if r.identified else np.nan,
                           "aicc": r.aicc, "reason": r.identified_reason}
                          for m, r in fits.items()])
saved = cr.outputs.save_table(fit_table, "growth_fits")
fit_table

# %%
# NBVAL_CHECK_OUTPUT
print(fit_table[["model", "converged", "identified"]].to_string(index=False))
span = int(values.index.max() - values.index.min())
print(f"CAGR {values.index.min()}-{values.index.max()}: "
      f"{cr.growth.cagr(values.iloc[0], values.iloc[-1], span):.1%}")

# %%
shown = {m: fits[m] for m in ("exponential", "logistic", "gompertz") if fits[m].converged}
fig = cr.viz.growth_fits(shown, lang=lang, interval="confidence",
                              years=np.linspace(values.index.min(), values.index.max() + 3, 120),
                              title=f"{place} · {values.name}")
fig.axes[0].set_ylabel(unit)
saved = cr.viz.save(fig, "growth_fits", formats=figure_formats)

# %% [markdown]
# ## 3 · Lifecycle stage by every applicable method
#
# (Notebook 03 explains the methods in full.)
#
# * **curve** — place the year among the lower knee, inflection and upper knee of a fitted
#   logistic curve; needs an identified ceiling.
# * **signs** — model-free: signs of the smoothed $y''$ and $y'''$ from local quadratic fits on
#   `window` observations. The library's default window (11) needs 15 observations; the NBS panel
#   has 10, so this profile uses `window` = 5 — a shorter window smooths less, so the verdict is
#   noisier (the bootstrap below shows how much).
# * **net_entry** — Gort & Klepper (1982) stages from the smoothed number of firms trading online:
#   net entry rate above 5 % a year = 萌芽/成长, near zero after an entry wave = 扩大,
#   shakeout = 起飞.
# * **scorecard** — the paper's four features of the growth stage (firms gathering, scale growing
#   fast, links forming, infrastructure) as percentiles among the 31 provinces in the same year; a
#   **relative** measure (by construction about a quarter of the regions land in each stage).
# * **ensemble** — the majority of the methods that could classify.
#
# A method that cannot decide says why; it is never forced to a stage. Scorecard and net entry
# need a province of the NBS panel: for your own city they do not apply.

# %%
# NBVAL_CHECK_OUTPUT
ensemble = cr.lifecycle.classify(values, judged, method="ensemble", information=information,
                                 counts=counts, region=province, signs={"window": window},
                                 net_entry={"window": window})
stages = ensemble.evidence["table"][["stage_zh", "stage_en", "reason"]].fillna("-")
saved = cr.outputs.save_table(stages.reset_index(), "stages")
print(f"{place} {judged} ({information}): ensemble -> "
      f"{ensemble.stage.zh + ' ' + ensemble.stage.en if ensemble.stage else 'no verdict'}")
print(ensemble.reason)
for method, row in stages.iterrows():
    print(f"  {method:9s} {row.stage_zh:3s} {row.reason[:160]}")

# %% [markdown]
# ### Stage probabilities (bootstrap)
#
# `cr.lifecycle.stage_probabilities` resamples and re-classifies `n_boot` times (seeded):
# for **signs** the residuals of the local fits are resampled; for **curve** the fitted
# parameters are drawn from their estimated sampling distribution $N(\hat\theta, \hat\Sigma)$.
# `n_failed` counts replicates that could not be classified (for an unidentified curve: all of
# them — the probabilities are then undefined, not zero).

# %%
# NBVAL_CHECK_OUTPUT
probabilities = pd.DataFrame({
    "signs": cr.lifecycle.stage_probabilities(values, judged, method="signs", n_boot=n_boot,
                                              seed=seed, kind="residual",
                                              information=information, window=window),
    "curve (logistic)": cr.lifecycle.stage_probabilities(values, judged, method="curve",
                                                         n_boot=n_boot, seed=seed,
                                                         information=information),
}).T
probabilities.columns = [c.zh if hasattr(c, "zh") else c for c in probabilities.columns]
saved = cr.outputs.save_table(probabilities.reset_index(names="method"), "stage_probabilities")
print(probabilities.to_string(float_format=lambda x: f"{x:.3f}"))

# %% [markdown]
# ### The stage year by year
#
# The model-free methods in every year of the data, in hindsight (the scorecard of every region in
# every year is in notebook 07).

# %%
timeline = pd.DataFrame(
    [{"year": y, "method": "signs", "stage": cr.lifecycle.classify(
        values, y, "signs", "hindsight", window=window).stage} for y in values.index]
    + ([{"year": y, "method": "net_entry", "stage": cr.lifecycle.classify(
        counts, y, "net_entry", "hindsight", window=window).stage} for y in counts.index]
       if counts is not None else [])
)
saved = cr.outputs.save_table(timeline.assign(stage=timeline.stage.map(
    lambda s: s.name if s else None)), "stage_timeline")
fig = cr.viz.stage_timeline(timeline, lang=lang, title=place, paper_years=())
saved = cr.viz.save(fig, "stage_timeline", formats=figure_formats)

# %% [markdown]
# ## 4 · Scorecard: the paper's four features, against Shanghai
#
# Each component is the region's within-year percentile among the provinces (0 = lowest,
# 1 = highest); a dimension is the mean of its components. "links" is a proxy (online purchases /
# online sales of firms), not a measure of links inside the cluster.

# %%
# NBVAL_CHECK_OUTPUT
if province:
    cards = {p: cr.lifecycle.scorecard(p, judged) for p in dict.fromkeys([province, benchmark])}
    dims = pd.DataFrame({cr.data.region_name(p, lang=lang): pd.Series(
        {**c.evidence["dimensions"], "stage": c.stage.zh if c.stage else "-"})
        for p, c in cards.items()})
    saved = cr.outputs.save_table(dims.reset_index(names="dimension"), "scorecard")
    print(f"scorecard {judged} (percentiles among {cards[province].evidence['n_regions']} regions)")
    print(dims.to_string(float_format=lambda x: f"{x:.2f}"))
else:
    print("scorecard: not applicable (your region is not one of the 31 provinces of the panel)")

# %% [markdown]
# ## 5 · Benchmark: Shanghai
#
# Growth indices (first common year = 100) compare growth, whatever the size of the region. For
# your own CSV compare growth only: your series may measure something else than NBS enterprise
# e-commerce sales (see `data/README.md`, caveat 1, on the three different e-commerce measures).

# %%
# NBVAL_CHECK_OUTPUT
common = values.index.intersection(bench.index)
pair = pd.DataFrame({place: values, cr.data.region_name(benchmark, lang=lang): bench}).loc[common]
first, last = int(common.min()), int(common.max())
comparison = pd.DataFrame({
    "first_year": first, "last_year": last,
    "first_value": pair.loc[first], "last_value": pair.loc[last],
    "cagr": [cr.growth.cagr(pair.loc[first, c], pair.loc[last, c], last - first)
             for c in pair.columns],
    "index_last": 100 * pair.loc[last] / pair.loc[first]})
saved = cr.outputs.save_table(comparison.reset_index(names="region"), "benchmark")
print(comparison.to_string(float_format=lambda x: f"{x:,.3f}"))

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
(100 * pair / pair.iloc[0]).plot(ax=ax, marker="o")
ax.set_ylabel(f"{first} = 100")
ax.set_xlabel(cr.viz.label("year", lang))
ax.set_title(f"{values.name}: {place} vs {cr.data.region_name(benchmark, lang=lang)}")
saved = cr.viz.save(fig, "benchmark_index", formats=figure_formats)

# %% [markdown]
# ## What this shows
#
# * **Ten annual values do not identify an S-curve.** For Shanghai (the default run), as for
#   almost every province, the logistic, Gompertz, Richards and Bass ceilings are *not
#   identified* (the reasons are in the table of section 2): the series has not bent over
#   clearly enough, so the curve method gives no stage and its bootstrap probabilities are
#   undefined. The exponential model describes the data as well as the S-curves do.
# * **The model-free methods do classify, with visible uncertainty.** With a 5-observation window
#   the signs method and Gort–Klepper net entry give a stage; the bootstrap shows how stable the
#   signs verdict is. For Shanghai 2024 the signs method says 扩大 (expansion, growth decelerating)
#   in every replicate, while net entry of firms (still above 5 % a year) says 成长 and the relative
#   scorecard says 成长 — the methods measure different things (sales path, firm entry, rank among
#   provinces) and need not agree.
# * **The scorecard is relative**: a region "in 成长" grows faster and accelerates more than the
#   median province that year; it is not an absolute position on a curve.
# * Rerun with another `region`, or with `csv_path` for a city of your own, to see the same
#   profile; the 31 regional runs of `make reproduce` are in `outputs/notebooks/06_region_profile/`
#   and compared in notebook 07.
