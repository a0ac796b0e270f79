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
# # 02 · Shanghai's e-commerce transactions: growth models and what they can identify
#
# The paper reports that Shanghai's e-commerce transaction volume (电子商务交易额) rose from
# "250多亿元" in 2002 to 4252.8亿元 in 2010 ("上升了近16倍") and reached 2495.05亿元 in the first
# half of 2011 (+24.77 %). It does not fit a curve; it reads the numbers as "scale expanding fast"
# and concludes that the cluster is in its growth stage (成长, notebook 03).
#
# This notebook
#
# 1. shows every published value of the series with its **qualifier** — only `exact` full-year
#    values are fitted; targets, forecasts and lower bounds ("超过") are drawn but never fitted;
# 2. reproduces the paper's arithmetic (fold change, increase multiple, CAGR, doubling time);
# 3. fits five growth models with profile-likelihood intervals, compares them (AICc, BIC,
#    out-of-sample error) and says plainly what the data can and cannot identify — above all the
#    **ceiling** (saturation level) that every S-curve needs.
#
# Parameters: `through_year` is the information cut-off (`None` = all data; `2011` = what the
# paper's authors could have known), `exclude_source_ids` leaves sources out of the main fit (by
# default the secondary ones: the 2025 value quoted in a code comment, `cr.data.SECONDARY_SOURCES`),
# `sensitivity_exclude` those left out of the sensitivity fit (which otherwise uses every exact
# value, secondary ones included), `models` and `errors` choose the models and the error structure.

# %% tags=["parameters"]
region_label = "上海"  # the transaction series exists for Shanghai only
lang = "zh"  # figure labels: "zh" or "en"
through_year = None  # information cut-off year (None: all data; 2011: what the authors could know)
models = ["exponential", "logistic", "gompertz", "richards", "bass"]
errors = "multiplicative"  # "multiplicative" (log-scale errors) or "additive"
exclude_source_ids = ["hc_github_codecomment_tjjsh_2026_03_30"]  # left out of the main fit
sensitivity_exclude = []  # left out of the sensitivity fit (every exact value otherwise)
interval = "prediction"  # band around the fitted curves: "prediction" or "confidence"
plot_to_year = 2030  # curves are drawn up to this year

# %%
import numpy as np
import pandas as pd

import cluster_research as cr
cr.notebook_setup()

# %% [markdown]
# ## 1 · The data: every published value, with its qualifier
#
# Each row is one published figure with its source (`source_id`; titles and URLs in
# `cr.data.sources()`). Values are in 亿元 (10⁸ yuan); `value_original` / `unit_original` keep the
# wording of the source (e.g. 2.4 万亿元 = 24000亿元).

# %%
# NBVAL_CHECK_OUTPUT
if cr.data.region_name(region_label) != "上海":
    raise ValueError(f"region_label={region_label!r}: the 电子商务交易额 series exists for Shanghai "
                     "only; for other regions use notebook 03 or 05 (NBS provincial panel)")
shanghai = cr.data.load("shanghai_ecommerce")
volume = shanghai[(shanghai.series == "ecommerce_transaction_volume") & (shanghai.period == "FY")]
volume[["year", "value", "value_original", "unit_original", "qualifier", "source_id", "notes"]]

# %% [markdown]
# How to read the rows:
#
# * **Targets and forecasts are not actuals.** 2010 = 3400 is a forecast made in 2008 by the
#   Shanghai E-commerce Association (the actual 2010 value is 4252.8); 2015 = 12000 is the
#   12th Five-Year-Plan expectation. They appear on the figure as grey crosses and are never fitted.
# * **Lower bounds** — 2016 "超过2万亿元" and 2017 "pass 2.4 trillion" — say only that the value
#   was *above* that number. The 2016 exact value (20049.3, two independent reports) is fitted; the
#   2017 bound is drawn as a triangle, not fitted.
# * **2007 = 2300** is an *exact* figure, but compiled by the Shanghai E-commerce **Association**,
#   not the Commission of Commerce that publishes all other values; the two bodies may count
#   differently, so this point is questionable.
# * **2025 = 45000** is a **secondary** citation (quoted in a code comment, not yet checked
#   against the statistical bulletin). It is the last and largest point, so it pulls hard on the
#   ceiling.
# * **2021 (32400) < 2019 (33200).** A fall in the middle of two decades of 15–40 % annual growth
#   is far more likely a change of definition or a revision than a real decline. Both stay in as
#   published: we cannot tell which side of the break is "right", and nothing is adjusted.
#
# The main fit uses every `exact` full-year value except the sources in `exclude_source_ids`, up
# to `through_year`. Section 6 repeats the fits without the questionable points.

# %%
# NBVAL_CHECK_OUTPUT
actuals = cr.data.shanghai_transactions(exclude_source_ids=exclude_source_ids)
fit_data = actuals if through_year is None else actuals[actuals.index <= through_year]
print(f"fitted: {len(fit_data)} exact full-year values, {fit_data.index.min()}-{fit_data.index.max()}"
      + ("" if through_year is None else f" (information cut-off {through_year})"))
print(fit_data.to_string())
left_out = volume[~volume.year.isin(fit_data.index) | (volume.qualifier != "exact")]
print("drawn but not fitted:", ", ".join(f"{r.year} {r.value:g} ({r.qualifier})"
                                        for r in left_out.itertuples()))

# %%
fig = cr.viz.series_plot(volume, lang=lang, title=cr.viz.label("shanghai_volume", lang))
saved = cr.viz.save(fig, "shanghai_series")

# %% [markdown]
# ## 2 · The paper's arithmetic
#
# For a start value $v_0$ and an end value $v_1$ that are $n$ years apart:
#
# * **fold change** $F = v_1/v_0$ ("是原来的 $F$ 倍");
# * **increase multiple** $M = v_1/v_0 - 1$ ("增长了 / 上升了 $M$ 倍", the usual Chinese reading);
# * **compound annual growth rate** $g = (v_1/v_0)^{1/n} - 1$;
# * **doubling time** $T_2 = \ln 2 / \ln(1+g)$ years (for a continuous rate $r$: $\ln 2 / r$).
#
# "250多" is a lower bound (more than 250), so with $v_0 = 250$ the multiple and the CAGR are
# *upper* bounds; the independent 2002 value 253.86 (Shanghai Commission of Commerce) gives the
# point values. Functions: `cr.growth.fold_change`, `increase_multiple`, `cagr`, `doubling_time`.
# Reference: OECD (2001), *Measuring Productivity*, annex on growth rates.

# %%
# NBVAL_CHECK_OUTPUT
exact = cr.data.shanghai_transactions(exclude_source_ids=())  # every exact full-year value
v2010 = float(exact.loc[2010])
rows = []
for start, v0 in [("paper: 250多 -> 250 (upper bounds)", 250.0),
                  ("independent: 253.86", float(exact.loc[2002]))]:
    g = cr.growth.cagr(v0, v2010, 2010 - 2002)
    rows.append({"2002 value": start, "v0": v0, "v1 (2010)": v2010,
                 "fold_change": cr.growth.fold_change(v0, v2010),
                 "increase_multiple": cr.growth.increase_multiple(v0, v2010),
                 "cagr_%": 100 * g, "doubling_time_years": cr.growth.doubling_time(g)})
arithmetic = pd.DataFrame(rows).set_index("2002 value")
saved = cr.outputs.save_table(arithmetic.reset_index(), "arithmetic")
print(arithmetic.to_string(float_format=lambda x: f"{x:.2f}"))

# %% [markdown]
# The paper's "上升了近16倍" is the **increase multiple** (15.75 with 253.86; at most 16.01 with
# "250多"); as a fold change the same numbers are 16.75–17.01. The volume grew by about 42.5 % a
# year, doubling roughly every two years.
#
# The 2011 half-year figure and the paper's +24.77 % imply the 2010 half-year value
# $2495.05 / 1.2477$; no source in the data reports 2010 H1, so this stays a derived number.

# %%
# NBVAL_CHECK_OUTPUT
h1_2011 = float(cr.data.shanghai_transactions(period="H1").loc[2011])
paper_h1_growth = 0.2477  # the paper's "同比增长24.77%"
implied_h1_2010 = h1_2011 / (1 + paper_h1_growth)
print(f"2011 H1 = {h1_2011:.2f}亿元; implied 2010 H1 = {implied_h1_2010:.1f}亿元 "
      f"= {implied_h1_2010 / v2010:.1%} of the 2010 total {v2010:.1f}")

# %% [markdown]
# ## 3 · The growth models
#
# Time $t$ is the calendar year. Each model gives the mean level $f(t)$ of the series:
#
# | model | $f(t)$ | parameters | shape |
# |---|---|---|---|
# | exponential | $e^{a + r(t - t_{ref})}$ | $a, r$ | no ceiling: constant relative growth $r$ |
# | logistic | $\dfrac{K}{1 + e^{-k(t - t_0)}}$ | $K, k, t_0$ | S-curve symmetric about the inflection $t_0$, where $f = K/2$ |
# | Gompertz | $K e^{-e^{-b(t - t_0)}}$ | $K, b, t_0$ | S-curve, inflection at $t_0$ where $f = K/e \approx 0.37K$; slow approach to $K$ |
# | Richards | $K\,(1 + e^{-k(t - t_0)})^{-1/\nu}$ | $K, k, t_0, \nu$ | generalises both: $\nu = 1$ logistic, $\nu \to 0$ Gompertz |
# | Bass | $M\,\dfrac{1 - e^{-(p+q)(t-\tau)}}{1 + (q/p)\,e^{-(p+q)(t-\tau)}}$ | $M, p, q, \tau$ | diffusion: innovation $p$, imitation $q$, start year $\tau$ |
#
# $K$ (Bass: $M$) is the **ceiling**, the level the series would approach. References: Verhulst
# (1838) and Pearl & Reed (1920) for the logistic; Gompertz (1825); Richards, F. J. (1959),
# *J. Exp. Bot.* 10, 290–300; Bass, F. M. (1969), *Management Science* 15(5), 215–227.
#
# **Estimation.** Non-linear least squares (Bates & Watts 1988). With `errors="multiplicative"`
# (default here) the model is $\log y_t = \log f(t) + \varepsilon_t$, i.e. errors are *relative*:
# appropriate for a series that grows from 250 to 45000, where an additive fit would ignore the
# early years. `cr.growth.fit` self-starts from linearisations (as R's `SSlogis`), eliminates the
# ceiling in closed form (variable projection) and polishes with a trust-region solver; `converged`
# and `convergence_message` record the outcome.
#
# **Intervals.** Besides the Wald interval $\hat\theta \pm t_{n-p}\,\mathrm{se}$, the
# **profile-likelihood** (profile-t) interval fixes one parameter at a time, refits the others and
# keeps the values with $\sqrt{\mathrm{RSS}_{\text{profile}} - \mathrm{RSS}}\,/\,s \le t_{n-p,\,0.975}$
# (Bates & Watts 1988, §6.1; R `confint.nls`). On short series it is asymmetric and, crucially, can
# be **unbounded**: if any ceiling above some value fits the data equally well, the upper end is $+\infty$.
#
# **Identification rule** (`res.identified`): the ceiling counts as identified only if its profile
# interval is bounded above **and** the data reach at least half of the fitted ceiling (the
# inflection has been observed). Otherwise the ceiling — and every stage boundary derived from
# it — is an extrapolation, not an estimate.
#
# **Prediction bands** (`res.predict(years, interval="prediction")`): delta method on $\log f$
# plus the residual variance, exponentiated (asymmetric).

# %%
fits = {m: cr.growth.fit(fit_data, model=m, errors=errors) for m in models}
print("\n\n".join(res.summary() for res in fits.values()))

# %% [markdown]
# Estimates with standard errors, Wald and profile intervals (95 %; `t0`/`tau` in calendar years;
# an end that never closes, or not before a default cap such as Richards' `nu <= 1000`, is NaN
# with `profile_*_unbounded` True; NaN otherwise = not given by the data: not computable (no
# residual degrees of freedom, a singular information matrix), or an end reached only with the
# ceiling at its default cap or, for Richards' `k`, with `nu` at its cap, which would move with
# the cap):

# %%
# NBVAL_CHECK_OUTPUT
rows = []
for m, res in fits.items():
    wald, prof = res.conf_int(method="wald"), res.conf_int(method="profile")
    for p in res.params.index:
        lo, hi = prof.loc[p, "lower"], prof.loc[p, "upper"]
        rows.append({"model": m, "parameter": p, "estimate": res.params[p], "std_err": res.bse[p],
                     "wald_low": wald.loc[p, "lower"], "wald_high": wald.loc[p, "upper"],
                     # an interval that never closes is written as NaN with its flag
                     "profile_low": lo if np.isfinite(lo) else np.nan,
                     "profile_high": hi if np.isfinite(hi) else np.nan,
                     "profile_low_unbounded": bool(np.isinf(lo)),
                     "profile_high_unbounded": bool(np.isinf(hi))})
parameters_table = pd.DataFrame(rows)
saved = cr.outputs.save_table(parameters_table, "growth_parameters")
print(parameters_table.to_string(index=False, float_format=lambda x: f"{x:.5g}"))

# %% [markdown]
# What each fit can identify (`identified_reason` is the library's own explanation):

# %%
# NBVAL_CHECK_OUTPUT
identification = pd.DataFrame([
    {"model": m, "converged": r.converged, "identified": r.identified,
     "ceiling": r.ceiling, "inflection": r.inflection, "reason": r.identified_reason}
    for m, r in fits.items()]).set_index("model")
saved = cr.outputs.save_table(identification.reset_index(), "identification")
with pd.option_context("display.max_colwidth", 120, "display.float_format", "{:.5g}".format):
    print(identification.to_string())

# %%
from myst_nb import glue  # the landing page of the report quotes these (`{glue:text}`)

bounds = parameters_table[parameters_table["parameter"].isin(["K", "M"])].set_index("model")
s_curves = identification.loc[identification.index.isin(bounds.index)]
glue("s_curves", len(s_curves), display=False)
glue("s_curves_identified", int(s_curves["identified"].sum()), display=False)
glue("ceilings", "; ".join(
    f"{m} ≈ {cr.growth.round_sig(r.ceiling)}, profile 95 % CI "
    + cr.growth.ceiling_interval_text(
        r.ceiling, bounds.profile_low[m],
        np.inf if bounds.profile_high_unbounded[m] else bounds.profile_high[m])
    + (" (identified)" if r.identified else " (not identified)")
    for m, r in s_curves.iterrows()), display=False)

# %% [markdown]
# ## 4 · The fits, with prediction bands
#
# Left: linear scale (the ceilings are visible); right: log scale (the early years are visible).
# Shaded: the 95 % band chosen by `interval`. Black dots are the fitted values; hollow circles are
# exact values left out of the fit (excluded sources, or later than `through_year`); triangles are
# lower bounds and grey crosses targets/forecasts — never fitted.

# %%
grid = np.arange(fit_data.index.min(), plot_to_year + 0.25, 0.25)
title = (f"{cr.data.region_name(region_label, lang=lang)}: "
         + ("电子商务交易额与增长模型" if lang == "zh" else "e-commerce transactions and growth models")
         + ("" if through_year is None else f" (≤ {through_year})"))
fig = cr.viz.fit_panels(fits, observations=volume, lang=lang, interval=interval,
                                 years=grid, cutoff=through_year, title=title)
saved = cr.viz.save(fig, "growth_fits")

# %% [markdown]
# ## 5 · Model comparison
#
# * **AIC** $= -2\log L + 2k$ and **AICc** $= \mathrm{AIC} + \dfrac{2k(k+1)}{n-k-1}$ (the
#   small-sample correction; undefined when $n \le k + 1$), **BIC** $= -2\log L + k\log n$, with
#   $k$ = parameters + 1 (the error variance) and the Gaussian likelihood on the scale of $y$
#   (Burnham & Anderson 2002, *Model Selection and Multimodel Inference*; Schwarz 1978). Lower is
#   better; differences below about 2 do not discriminate.
# * **Out-of-sample error** (rolling origin, Tashman 2000, *Int. J. Forecasting* 16, 437–450):
#   fit on the first $m$ observations, forecast the next observed year, move the origin by one;
#   `oos_rmse` and `oos_mape` (mean absolute percentage error) over those forecasts, `oos_n` how
#   many there were. $m$ is the same for all models (largest parameter count + 2), so with few
#   points there are very few forecasts — read `oos_n` before the error.
# * $R^2$ is not used: it always favours the model with more parameters.

# %%
# NBVAL_CHECK_OUTPUT
comparison = cr.growth.compare(fit_data, models=models, errors=errors)
comparison.insert(comparison.columns.get_loc("aicc") + 1, "delta_aicc",
                  comparison["aicc"] - comparison["aicc"].min())
saved = cr.outputs.save_table(comparison.reset_index(), "model_comparison")
cols = ["n_params", "aicc", "delta_aicc", "bic", "identified", "ceiling", "oos_mape", "oos_n",
        "oos_failures"]
print(comparison[cols].to_string(float_format=lambda x: f"{x:.4g}"))

# %%
glue("aicc_order", "; ".join(f"{m} {v:.1f}" for m, v in comparison["aicc"].sort_values().items()),
     display=False)

# %% [markdown]
# ## 6 · Sensitivity: every exact value, secondary ones included
#
# The same models fitted again on every exact full-year value except the sources in
# `sensitivity_exclude` (by default none: the unverified 2025 value comes back in). Models with as
# many parameters as points are skipped.

# %%
# NBVAL_CHECK_OUTPUT
alt_data = cr.data.shanghai_transactions(exclude_source_ids=sensitivity_exclude)
if through_year is not None:
    alt_data = alt_data[alt_data.index <= through_year]
alt_fits = {m: cr.growth.fit(alt_data, model=m, errors=errors)
            for m in models if fits[m].df_model < len(alt_data)}
sensitivity = pd.DataFrame([
    {"model": m, "ceiling_main": fits[m].ceiling, "identified_main": fits[m].identified,
     "ceiling_sensitivity": r.ceiling, "identified_sensitivity": r.identified,
     "aicc_sensitivity": r.aicc, "inflection_sensitivity": r.inflection}
    for m, r in alt_fits.items()]).set_index("model")
print(f"sensitivity fit ({f'without {sensitivity_exclude}' if sensitivity_exclude else 'every exact value'}): "
      f"{len(alt_data)} points, years {list(alt_data.index)}")
print(sensitivity.to_string(float_format=lambda x: f"{x:.5g}"))

# %% [markdown]
# ## 7 · Values the fits never saw
#
# `cr.data.load("city_ecommerce_reported")` holds e-commerce figures read on public pages for
# other cities and two for Shanghai; its full-year exact 电子商务交易额 of Shanghai in a year
# the fitted series lacks (2004: 743亿元, an association figure quoted at an e-commerce
# conference, so a different compiler from most of the series) is a held-out check: does it lie
# inside each converged fit's 95 % prediction interval?

# %%
# NBVAL_CHECK_OUTPUT
held = cr.data.load("city_ecommerce_reported")
held = held[(held.place == "上海市") & (held.measure == "transaction_volume")
            & (held.kind == "exact") & (held.period == "FY") & ~held.year.isin(fit_data.index)]
held_out = pd.DataFrame(
    [{"year": int(h.year), "reported": h.value_yi, "model": m,
      **res.predict([int(h.year)], interval="prediction").iloc[0][["mean", "lower", "upper"]]}
     for h in held.itertuples() for m, res in fits.items() if res.converged],
    columns=["year", "reported", "model", "mean", "lower", "upper"])
held_out["inside"] = held_out.reported.between(held_out.lower, held_out.upper).astype(
    "boolean").where(held_out[["lower", "upper"]].notna().all(axis=1))  # <NA>: no interval
print(held_out.to_string(index=False, float_format=lambda x: f"{x:.1f}") if len(held_out)
      else "no held-out value (none reported, or no converged fit)")

# %% [markdown]
# ## What this shows
#
# * **The paper's arithmetic holds** (section 3, the same in every run): "上升了近16倍" is the
#   increase multiple (15.75 with the independent 2002 value); the CAGR 2002–2010 is about 42.5 %
#   and the volume doubled about every two years. The implied 2010 H1 value (≈2000亿元, 47 % of the
#   year) cannot be checked.
# * **Reading it.** Where no ceiling is identified, no stage boundary (knee, inflection) can be
#   estimated from this series either; a model with the lowest AICc but no identified ceiling says
#   only that growth has slowed, not where it ends. Run `through_year=2011` (run file
#   `02_shanghai_growth_2011.yaml`) for the view of the paper's authors.
# * **Fragile points.** The 2025 value is a secondary citation (left out of the main fit by
#   default, back in the sensitivity fit) and the 2021 < 2019 break is probably a definition
#   change; treat every ceiling as an order of magnitude, not a number.
# * **What this run's data identify**, computed from the fits above ("identified" needs a profile
#   upper limit of the ceiling within 10 times the estimate, `cr.growth.results.IDENTIFIED_RATIO`):

# %%
# NBVAL_CHECK_OUTPUT
aicc = comparison["aicc"].dropna()
best = (f"lowest AICc: {aicc.idxmin()}" if len(aicc)
        else "AICc undefined for every model (too few values for its correction)")
print(f"{len(fit_data)} actual values {fit_data.index.min()}-{fit_data.index.max()}"
      f"{'' if through_year is None else f' (cut-off {through_year})'}; {best}")
ceil = parameters_table[parameters_table.parameter.isin(["K", "M"])].set_index("model")
for m, r in fits.items():
    dk = comparison.loc[m, "delta_aicc"]
    dk = f"{dk:.1f}" if np.isfinite(dk) else "undefined"
    if m not in ceil.index:
        print(f"- {m}: no ceiling (ΔAICc {dk})")
    elif r.identified:
        c = ceil.loc[m]
        print(f"- {m}: ceiling {cr.growth.round_sig(c.estimate)}亿元, 95% profile interval "
              f"{cr.growth.ceiling_interval_text(c.estimate, c.profile_low, c.profile_high)} "
              f"(ΔAICc {dk})")
    else:
        print(f"- {m}: ceiling NOT identified ({r.identified_reason}; ΔAICc {dk})")
for y, h in held_out.groupby("year"):
    g, none = h[h.inside.notna()], h.model[h.inside.isna()]
    print(f"- held-out {y} value {h.reported.iloc[0]:,.0f}亿元 (not fitted): inside the 95% "
          f"prediction interval of {int(g.inside.sum())} of {len(g)} converged fits"
          + (f" (outside: {', '.join(g.model[~g.inside])})" if (~g.inside).any() else "")
          + (f"; no interval for {', '.join(none)} (too few residual degrees of freedom or no "
             "covariance)" if len(none) else "")
          + (f"; the intervals span a factor {(g.upper / g.lower).min():.1f}-"
             f"{(g.upper / g.lower).max():.1f} from lower to upper end"
             + (", so this is a weak check" if (g.upper / g.lower).min() > 2 else "")
             if len(g) else ""))
if len(alt_fits):
    moved = [f"{m} {cr.growth.round_sig(sensitivity.loc[m, 'ceiling_main'])} -> "
             f"{cr.growth.round_sig(sensitivity.loc[m, 'ceiling_sensitivity'])}"
             for m in sensitivity.index if np.isfinite(sensitivity.loc[m, "ceiling_main"])]
    print(f"sensitivity fit ({len(alt_data)} values): ceilings " + "; ".join(moved))
