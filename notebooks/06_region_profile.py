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
# # 06 · Region profile: growth, lifecycle stage and relative ranking of one region, against Shanghai
#
# The paper judged one cluster (Shanghai) at one moment (2010–11). This notebook applies the same
# questions to **any** of the 31 provincial-level regions — or to a city of your own, read from a
# CSV file — with the NBS provincial panel (企业信息化及电子商务情况, 2015–2024):
#
# 1. How has the region's e-commerce grown, and which growth model describes it?
# 2. Which lifecycle stage (萌芽 / 成长 / 扩大 / 起飞) is it in — by the panel stage model, which
#    pools the 31 regions, and by every per-series method that applies — and how sure can we be?
# 3. How does it rank among the provinces on the paper's four features of the growth stage
#    (a relative ranking, not a lifecycle stage)?
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
from IPython.display import Markdown

import cluster_research as cr
from cluster_research.viz import stages as stage_figures
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
if csv_path:
    values = cr.pipeline.profile_series(csv_path, csv_series)
    place, unit, counts, province = values.attrs["region"], values.attrs["unit"], None, None
    print(f"{csv_path}: {place}, series {values.name!r} ({unit}), "
          f"{values.attrs['n_dropped']} rows not used (not FY exact), "
          f"years without a value: {values.attrs['gaps'] or 'none'}")
    if values.attrs.get("province"):  # your series of a province; the NBS one is `-p region`
        print(f"{place} is a provincial-level region: this profile uses your series; for the "
              f"NBS panel's series run `run 06 -p region {values.attrs['province']}`")
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
# * **ensemble** — the majority of the per-series methods above that could classify.
# * **panel (pooled)** — `cr.lifecycle.panel_stages(panel, method="pooled")`: every province's
#   curve is fitted with an empirical-Bayes prior on its growth rate, whose centre $\mu$ and
#   spread $\tau$ (of $\log r$) come from the panel; a region whose own ten points identify no
#   ceiling **borrows the panel's rate**, and the year's stage is its phase on that curve, with
#   probabilities from parameter draws. In hindsight its stages never go backwards. It is fitted
#   once for all 31 regions (`cluster_research.viz.stages.pooled_panel_stages`, computed once per
#   kernel).
# * **panel (lag)** — `cr.lifecycle.panel_stages(panel, method="lag")`: the regions as
#   time-shifted positions on one common logistic curve of the indicator per resident (each
#   region's value divided by its 2024 population, `cr.lifecycle.per_person_scale`; Griliches
#   1957, Comin & Hobijn 2010). It shows a stage only where the panel identifies the common
#   ceiling against parallel exponential trends.
#
# A method that cannot decide says why; it is never forced to a stage. The panel model and net
# entry need a province of the NBS panel: for a single series of your own the panel model cannot
# pool (there is nothing to borrow from), and the per-series methods are used instead. The
# paper's four features are in section 4, as a relative ranking (not a stage).

# %%
# NBVAL_CHECK_OUTPUT
ensemble = cr.lifecycle.classify(values, judged, method="ensemble", information=information,
                                 counts=counts, signs={"window": window},
                                 net_entry={"window": window})
stages = ensemble.evidence["table"][["stage_zh", "stage_en", "reason"]].assign(prob_shown=np.nan)
own = None
panel_models = {"panel (pooled)": lambda: stage_figures.pooled_panel_stages(indicator, information)}
if province:  # the panel stage models (over the 31 regions)
    scale, _ = cr.lifecycle.per_person_scale(indicator)
    panel_models["panel (lag)"] = lambda: cr.lifecycle.panel_stages(
        cr.data.load("provincial_panel"), indicator=indicator, method="lag", scale=scale,
        information=information)
for name, model in panel_models.items():
    if not province:
        stages.loc[name] = [None, None, "not applicable: a single series of your own cannot be "
                            "pooled with a panel; per-series methods used", np.nan]
        continue
    rows = model()
    rows = rows[rows.region == province].reset_index(drop=True)
    rows = rows.assign(prob_shown=stage_figures.stage_probability(rows))
    own = rows if own is None else own  # the pooled rows are drawn below
    at = rows[rows.year == judged]
    if len(at):
        s_ = at.stage.iloc[0]
        stages.loc[name] = [s_.zh if s_ else None, s_.en if s_ else None, at.reason.iloc[0],
                            at.prob_shown.iloc[0]]
    else:
        stages.loc[name] = [None, None, f"no {indicator} value for {judged}", np.nan]
stages[["stage_zh", "stage_en"]] = stages[["stage_zh", "stage_en"]].fillna("-")
stages.index.name = "method"
saved = cr.outputs.save_table(stages.reset_index(), "stages")
print(f"{place} {judged} ({information}): ensemble of per-series methods -> "
      f"{ensemble.stage.zh + ' ' + ensemble.stage.en if ensemble.stage else 'no verdict'}")
print(ensemble.reason)
for method, row in stages.iterrows():
    p_ = f" p={row.prob_shown:.2f}" if np.isfinite(row.prob_shown) else ""
    print(f"  {method:14s} {row.stage_zh:3s}{p_} {str(row.reason)[:150]}")
print(cr.lifecycle.STAGE_DEFINITION[lang])

# %% [markdown]
# ### What the region borrowed from the panel
#
# The region's own logistic fit (section 2) either identifies its ceiling or not; the pooled fit
# replaces the rate the region cannot pin down by the panel's prior. The reason of the pooled fit
# gives the prior (its centre $e^{\mu}$, spread $\tau$, how many regions identified it) and the
# region's own MAP parameters.

# %%
# NBVAL_CHECK_OUTPUT
if own is not None:  # the fit behind the judged year (real time: refitted on data <= year)
    at_judged = own[own.year == judged]
    borrowed_reason = (at_judged if len(at_judged) else own).reason.iloc[-1]
    own_identified = bool(fits["logistic"].identified)
    print(f"{place}: own logistic ceiling identified: {own_identified}")
    print(f"pooled fit: {borrowed_reason}")
    print(own[["year", "prob_shown", *stage_figures.PROB_COLUMNS]].assign(
        stage=own.stage.map(lambda s: s.zh if s else "-")).to_string(
            index=False, float_format=lambda x: f"{x:.2f}"))
else:
    borrowed_reason, own_identified = None, bool(fits["logistic"].identified)
    print("panel stage model: not applicable to a single series of your own (nothing to pool "
          "with); the per-series methods above are used")

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
# The panel model (with the probability of its stage) and the model-free methods in every year
# of the data: the panel model with the information set `information` (real time: refitted on the
# data up to each year), the model-free methods in hindsight (the panel model for every region
# and year is in notebook 07).

# %%
timeline = pd.DataFrame(
    ([{"year": int(y), "method": "panel (pooled)", "stage": s_, "probability": q}
      for y, s_, q in zip(own.year, own.stage, own.prob_shown)] if own is not None else [])
    + [{"year": y, "method": "signs", "stage": cr.lifecycle.classify(
        values, y, "signs", "hindsight", window=window).stage} for y in values.index]
    + ([{"year": y, "method": "net_entry", "stage": cr.lifecycle.classify(
        counts, y, "net_entry", "hindsight", window=window).stage} for y in counts.index]
       if counts is not None else [])
)
if "probability" not in timeline:
    timeline["probability"] = np.nan
timeline["probability"] = timeline["probability"].astype(float)
saved = cr.outputs.save_table(timeline.assign(stage=timeline.stage.map(
    lambda s: s.name if s else None)), "stage_timeline")
fig = cr.viz.stage_timeline(timeline[["year", "method", "stage"]], lang=lang,
                            title=place if information == "hindsight" or own is None else
                            f"{place} · panel (pooled): {'实时' if lang == 'zh' else 'real time'}",
                            paper_years=(), observed=values.dropna().index)
if own is not None:  # the probability of the panel model's stage, written in its row
    row_pos = list(dict.fromkeys(timeline.method)).index("panel (pooled)")
    years_sorted = sorted(timeline.year.unique())
    for y, q in zip(own.year, own.prob_shown):
        if np.isfinite(q):
            fig.axes[0].text(years_sorted.index(int(y)) + 0.5, row_pos + 0.88, f"p={q:.2f}",
                             fontsize=6, ha="center", va="bottom", color="#444444")
saved = cr.viz.save(fig, "stage_timeline", formats=figure_formats)

# %% [markdown]
# ## 4 · Relative ranking of provinces on the paper's four features (not a lifecycle stage)
#
# The scorecard (`cr.lifecycle.scorecard`) places the region among the provinces in `year` on the
# paper's four features of the growth stage. Each component is the region's within-year
# percentile among the provinces, $(\text{rank} - 0.5)/n$ (0 = lowest, 1 = highest); a dimension
# is the mean of its components. "links" is a proxy (online purchases / online sales of firms),
# not a measure of links inside the cluster. Because every score is a rank among provinces it is
# a **relative ranking, not a lifecycle stage**: its class reverses in about a third of
# year-to-year steps, so no stage is read from it here (the stage is section 3).

# %%
# NBVAL_CHECK_OUTPUT
if province:
    cards = {p: cr.lifecycle.scorecard(p, judged) for p in dict.fromkeys([province, benchmark])}
    ranking = pd.DataFrame([{"dimension": d, "region": p, "score": float(v)}
                            for p, c in cards.items()
                            for d, v in c.evidence["dimensions"].items()])
    saved = cr.outputs.save_table(ranking, "scorecard")
    print(f"relative ranking {judged}: percentile among {cards[province].evidence['n_regions']} "
          "provinces (not a lifecycle stage)")
    print(ranking.pivot(index="dimension", columns="region", values="score").to_string(
        float_format=lambda x: f"{x:.2f}"))
else:
    ranking = None
    print("relative ranking: not applicable (your region is not one of the 31 provinces of the "
          "panel)")

# %% [markdown]
# ## 5 · Benchmark: `benchmark` (default Shanghai, the paper's cluster)
#
# Growth indices (first common year = 100) compare growth, whatever the size of the region. For
# your own CSV compare growth only: your series may measure something else than NBS enterprise
# e-commerce sales (see `data/README.md`, caveat 1, on the three different e-commerce measures).

# %%
# NBVAL_CHECK_OUTPUT
common = values.index.intersection(bench.index)
pair = pd.DataFrame({place: values, cr.data.region_name(benchmark, lang=lang): bench}).loc[common]
comparison = None
if len(common) >= 2:
    first, last = int(common.min()), int(common.max())
    comparison = pd.DataFrame({
        "first_year": first, "last_year": last,
        "first_value": pair.loc[first], "last_value": pair.loc[last],
        "cagr": [cr.growth.cagr(pair.loc[first, c], pair.loc[last, c], last - first)
                 for c in pair.columns],
        "index_last": 100 * pair.loc[last] / pair.loc[first]})
    saved = cr.outputs.save_table(comparison.reset_index(names="region"), "benchmark")
    print(comparison.to_string(float_format=lambda x: f"{x:,.3f}"))
else:  # e.g. a series of your own that ends before the NBS panel starts
    print(f"no comparison: {place} ({values.index.min()}-{values.index.max()}) and the "
          f"benchmark ({bench.index.min()}-{bench.index.max()}) share {len(common)} year(s)")

# %%
if comparison is not None:
    fig = cr.viz.index_plot(pair, lang=lang, title=f"{values.name}: {place} vs "
                            f"{cr.data.region_name(benchmark, lang=lang)}")
    saved = cr.viz.save(fig, "benchmark_index", formats=figure_formats)

# %% [markdown]
# ## What this shows
#
# Generated from this run's tables (growth fits, stages, probabilities, relative ranking,
# benchmark):

# %%
place_md = cr.outputs.md_escape(place)  # a name from your CSV is text, never markup
stage_text = {m: (None if r.stage_zh == "-" else f"{r.stage_zh} ({r.stage_en})")
              for m, r in stages.iterrows()}
s_curves = fit_table[fit_table.model != "exponential"]
n_id = int(s_curves.identified.sum())
best = fit_table.loc[fit_table.aicc.idxmin(), "model"] if fit_table.aicc.notna().any() else None
per_series = {m: v for m, v in stage_text.items() if not m.startswith("panel ")}
said = [f"{m} {v}" for m, v in per_series.items() if v]
silent = [m for m, v in per_series.items() if not v]
lines = [
    f"* **Growth curves ({place_md}).** {n_id} of {len(s_curves)} S-curves have an identified "
    f"ceiling on the region's own {len(values)} values"
    + (f"; lowest AICc: {best}." if best else ".")
    + (" Without an identified ceiling the region's own curve cannot place it on an S-curve."
       if n_id == 0 else ""),
]
panel_stage = stage_text.get("panel (pooled)")
prior = (stage_figures.pooled_prior(own, province, judged if (own.year == judged).any() else None)
         if own is not None else {})
if own is not None:
    p_row = stages.loc["panel (pooled)"]
    lines.append(
        f"* **Panel stage model.** {place_md} {judged}: "
        + (f"{panel_stage}, probability {p_row.prob_shown:.2f}" if panel_stage
           else "no stage") + ". "
        + ("Its own logistic ceiling is identified; the panel prior only pulls its rate. "
           if own_identified else
           "Its own logistic ceiling is not identified, so its curve's rate is pinned by the "
           "panel prior. ")
        + (f"The prior: {prior['n_identified']} of the {prior['n_fitted']} fitted regions of "
           f"the panel identified their own curve; centre exp(mu) = {prior['centre']:.3g}, "
           f"tau = {prior['tau']:.2f} in log rate"
           + (" (a weak prior around the median fitted rate: a rate prior needs at least 3 "
              "regions, and at least half of the fitted ones, with an identified ceiling)"
              if prior["weak"] else "")
           + f"; {place_md}'s MAP curve: {prior.get('params', 'none')}." if prior else
           f"Pooled fit: {borrowed_reason}.")
        + f" Diffusion-lag model: {stage_text.get('panel (lag)') or 'no stage'}.")
else:
    lines.append("* **Panel stage model: not applicable.** A single series of your own cannot be "
                 "pooled with the panel; only the per-series methods were used.")
lines.append(
    "* **Per-series methods** ("
    + (", ".join(said) if said else "none classified")
    + (f"; no stage from {', '.join(silent)}" if silent else "")
    + f"). Ensemble: {ensemble.stage.zh if ensemble.stage else 'no verdict'}. "
    "They measure different things (curve position, sales path, firm entry) and need not agree.")
if ranking is not None:
    mine = ranking[ranking.region == province].set_index("dimension").score
    lines.append(
        f"* **Relative ranking (not a stage).** Percentiles among provinces in {judged}: "
        + ", ".join(f"{d} {v:.2f}" for d, v in mine.items()) + ".")
if comparison is not None:
    cmp_ = comparison.reset_index(names="region")
    lines.append(
        "* **Against the benchmark.** CAGR "
        + ", ".join(f"{cr.outputs.md_escape(r)} {c:.1%}" for r, c in zip(cmp_.region, cmp_.cagr))
        + f" over {first}–{last}.")
else:
    lines.append("* **Against the benchmark: not applicable** (fewer than two common years).")
Markdown("\n".join(lines))
