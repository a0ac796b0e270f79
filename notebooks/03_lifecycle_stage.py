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
# # 03 · Lifecycle stage: is the cluster in its growth stage (成长)?
#
# The paper: "根据完整的产业集群发展演变周期，结合电子商务产业集群萌芽阶段、成长阶段、扩大阶段和起飞阶段四个
# 阶段的特征来分析，上海电子商务产业集群正处于成长阶段" — the Shanghai cluster (in 2010–2011) is in the
# **growth stage**, the second of four: 萌芽 (embryonic), 成长 (growth), 扩大 (expansion),
# 起飞 (take-off). Its evidence is qualitative: firms gathering, scale expanding fast, links between
# firms forming, much-improved infrastructure.
#
# Here the stage is judged by several **independent, documented methods** from
# `cluster_research.lifecycle`, each of which may also say "I cannot classify, because …":
#
# * in **real time** — only the data published up to the year judged (what the authors knew);
# * in **hindsight** — all data available today.
#
# For Shanghai we use the transaction series of notebook 02. No such series exists for other
# regions: for them the notebook uses the NBS provincial panel (电子商务销售额 `ecommerce_sales` and
# 有电子商务交易活动的企业数 `ecommerce_firms`, 2015–2024) and says so.
#
# Parameters: `region`, `years`, `information` (for the stage timeline; the verdict table and
# the probabilities always show both), `n_boot`, `seed`, the curve models and the sources to
# exclude.

# %% tags=["parameters"]
region = "上海"  # any of the 31 provincial-level regions (name, English name or code)
years = [2010, 2011]  # the years judged (the paper: 2010-2011)
information = "hindsight"  # "realtime" or "hindsight": information used by the timeline
lang = "zh"  # figure labels: "zh" or "en"
n_boot = 1000  # bootstrap replicates for the stage probabilities
seed = 0  # seed of the bootstrap
curve_models = ["logistic", "gompertz", "richards", "bass"]
exclude_source_ids = ["hc_github_codecomment_tjjsh_2026_03_30"]  # Shanghai only: sources left out

# %%
import pandas as pd
from IPython.display import Markdown

import cluster_research as cr
cr.notebook_setup()

# %% [markdown]
# ## 1 · The data
#
# An unknown region stops here with `DataValidationError` (the runner already refuses it before
# the notebook starts).

# %%
# NBVAL_CHECK_OUTPUT
if information not in ("realtime", "hindsight"):
    raise ValueError(f"information must be 'realtime' or 'hindsight', got {information!r}")
region_zh = cr.data.region_name(region)  # unknown region -> cr.data.DataValidationError
counts = cr.data.series(region_zh, "ecommerce_firms")  # NBS, firms trading online, 2015-2024
if region_zh == "上海":
    series = cr.data.shanghai_transactions(exclude_source_ids=exclude_source_ids)
    volume = cr.data.load("shanghai_ecommerce")
    observed = volume[(volume.series == "ecommerce_transaction_volume") & (volume.period == "FY")]
    print("上海: 电子商务交易额 (e-commerce transaction volume, 亿元), exact full-year values only"
          + (f"; excluded sources {exclude_source_ids}" if exclude_source_ids else ""))
else:
    series = cr.data.series(region_zh, "ecommerce_sales")
    observed = pd.DataFrame({"year": series.index, "value": series.values, "qualifier": "exact"})
    print(f"{region_zh}: no e-commerce transaction series exists for this region; using the NBS "
          "provincial panel: ecommerce_sales (电子商务销售额, 亿元) and ecommerce_firms, 2015-2024"
          + ("; exclude_source_ids applies to Shanghai only and is ignored"
             if exclude_source_ids else ""))
print("level series:", series.dropna().to_dict())
print("firm counts: ", counts.dropna().astype(int).to_dict())

# %%
fig = cr.viz.series_plot(observed, lang=lang, title=cr.data.region_name(region_zh, lang=lang))
saved = cr.viz.save(fig, "series")

# %% [markdown]
# ## 2 · The methods
#
# ### 2.1 From a curve to four stages
#
# For an S-shaped level $y(t)$ the **inflection** is the root of $y''$ (fastest growth) and the two
# **knees** are the roots of $y'''$ (where the acceleration $y''$ peaks and bottoms out). They cut
# time into four phases, which `cr.lifecycle` maps to the paper's four stages:
#
# | phase | where | signs | stage |
# |---|---|---|---|
# | I | before the lower knee | $y''>0,\ y'''>0$ | 萌芽 embryonic — slow start, accelerating ever faster |
# | II | lower knee → inflection | $y''>0,\ y'''<0$ | 成长 growth — fast and still accelerating |
# | III | inflection → upper knee | $y''<0,\ y'''<0$ | 扩大 expansion — fast but decelerating |
# | IV | after the upper knee | $y''<0,\ y'''>0$ | 起飞 take-off — mature, approaching the ceiling |
#
# For the logistic the knees are at $t_0 \pm \ln(2+\sqrt3)/k$ (21 % and 79 % of $K$), for the
# Gompertz at $t_0 \pm \ln\big((3+\sqrt5)/2\big)/b$. The mapping is a modelling choice
# (`phase_map=` changes it): *take-off* comes last in the paper's list, so it is read as the
# self-sustaining mature stage. References: Kucharavy, D. & De Guio, R. (2011), Application of
# S-shaped curves, *Procedia Engineering* 9, 559–572 (phases of S-curves); Menzel, M.-P. &
# Fornahl, D. (2010), Cluster life cycles, *Industrial and Corporate Change* 19(1), 205–238.
#
# ### 2.2 `curve` — fit an S-curve, locate the year
#
# Fit a logistic, Gompertz, Richards or Bass curve (notebook 02, multiplicative errors) and place
# the year among the boundaries above. If the ceiling is not identified (profile interval
# unbounded, or the data below half the ceiling), the boundaries are not estimable and the method
# returns **no stage**. It needs at least 5 observations. If the year lies inside the 95 %
# interval of a boundary, the reason says "uncertain".
#
# ### 2.3 `signs` — model-free derivatives
#
# At every observed year a local quadratic is fitted to the `window` (11) nearest observations
# (local polynomial regression; Fan, J. & Gijbels, I. (1996), *Local Polynomial Modelling and Its
# Applications*, Chapman & Hall). Its coefficients give smoothed $y'$ and $y''$ paths; the
# inflection is the peak of $y'$, the knees the extremes of $y''$, and the phase follows from
# where the year lies. Needs `window + 4` = 15 observations: none of our series is that long.
#
# ### 2.4 `net_entry` — Gort & Klepper on firm counts
#
# With $N_t$ the number of firms, net entry $E = N'$ and its rate $E/N$ (smoothed as for `signs`).
# Gort, M. & Klepper, S. (1982), Time paths in the diffusion of product innovations, *Economic
# Journal* 92, 630–653: rate $> 5\%$ while entry still accelerates → 萌芽 (GK stage 1); rate
# $> 5\%$ after peak acceleration → 成长 (GK 2, "firms gathering"); $|\text{rate}| \le 5\%$ after an
# entry wave → 扩大 (GK 3); rate $< -5\%$ (shakeout) → 起飞 (GK 4–5). Firm counts: NBS 2015–2024.
#
# ### 2.5 `scorecard` — the paper's four features, measured
#
# The paper's four features, each measured on the NBS provincial panel and turned into the
# region's percentile among the provinces that year, $(\text{rank} - 0.5)/n$: gathering (share
# and growth of firms trading online), scale (sales growth and its acceleration), links
# (purchases / sales, a proxy) and infrastructure (websites, computers, broadband and mobile
# growth). Rule with threshold 0.5 (the median province): momentum ≥ 0.5 and acceleration ≥ 0.5 →
# 成长; momentum ≥ 0.5, acceleration < 0.5 → 扩大; momentum < 0.5, level ≥ 0.5 → 起飞; else 萌芽.
# It is *relative* (a rank among provinces) and exists only for 2015–2024.
#
# ### 2.6 `ensemble` — majority of the methods that could classify
#
# Runs `curve` (logistic), `signs`, `net_entry` and `scorecard`; the stage is the one given by
# more than half of the methods that classified; `agree`/`unanimous` record the agreement.
#
# ### 2.7 Stage probabilities — bootstrap
#
# `cr.lifecycle.stage_probabilities`: **parametric** — draw $\theta^* \sim N(\hat\theta,
# \hat\Sigma)$ from the fit's covariance and classify every draw; **residual** — resample the
# (log) residuals, rebuild $y^* = \hat y\, e^{\varepsilon^*}$, refit and classify (Efron, B. &
# Tibshirani, R. (1993), *An Introduction to the Bootstrap*, ch. 9). The share of replicates in
# each stage is its probability; `n_failed` counts replicates that could not be classified.
# The residual bootstrap refits every replicate, so it is run for the logistic and Gompertz
# curves only; the parametric one maps draws to boundaries in closed form, for all four curves.

# %% [markdown]
# ## 3 · The stage by every method, in real time and in hindsight
#
# `verdict` compares each result with the paper's 成长: **agrees**, **disagrees** (with the stage
# found) or **no verdict** (the method could not classify; its reason says why).

# %%
# the ensemble runs curve (logistic), signs, net_entry and scorecard; the other curve models
# are classified one by one
method_names = [f"curve:{m}" for m in curve_models] + ["signs", "net_entry", "scorecard",
                                                        "ensemble"]
results = {}
for y in years:
    for info in ("realtime", "hindsight"):
        ens = cr.lifecycle.classify(series, y, "ensemble", info, counts=counts, region=region_zh)
        for m in curve_models:
            results[(y, info, f"curve:{m}")] = cr.lifecycle.classify(series, y, "curve", info,
                                                                     model=m)
        results.update({(y, info, k): ens.evidence["results"][k]
                        for k in ("signs", "net_entry", "scorecard")})
        results[(y, info, "ensemble")] = ens
# the paper judged Shanghai in 2010-11 only: a verdict against its 成长 only for those
paper_judged = region_zh == "上海" and set(years) <= {2010, 2011}
verdicts = cr.claims.stage_verdicts(results, region_zh,
                                    expected=cr.lifecycle.Stage.GROWTH if paper_judged else None)
saved = cr.outputs.save_table(verdicts, "stage_verdicts")

# %%
# NBVAL_CHECK_OUTPUT
print(verdicts.pivot_table(index=["information", "method"], columns="year", values="verdict",
                           aggfunc="first", sort=False).to_string())
print(cr.lifecycle.STAGE_DEFINITION[lang])

# %%
from myst_nb import glue  # the landing page of the report quotes this (`{glue:text}`)

glue("stage_summary", " ".join(
    f"{info}: stages given "
    + (", ".join(f"{s} × {n}" for s, n in g["stage_zh"].dropna().value_counts().items()) or "none")
    + f"; no verdict in {int((g['verdict'] == 'no verdict').sum())} of {len(g)} method-years."
    for info, g in verdicts.groupby("information", sort=False)), display=False)

# %% [markdown]
# Why — the reason each method gives:

# %%
print("\n".join(f"{y} {info:9s} {m:15s} {r.label('zh') or '-':4s} {r.reason}"
                for (y, info, m), r in results.items()))

# %% [markdown]
# ### The verdict against the paper's 成长

# %%
# NBVAL_CHECK_OUTPUT
lines = []
for y in years:
    for info in ("realtime", "hindsight"):
        stages = {m: results[(y, info, m)] for m in method_names[:-1]}
        v = cr.claims.stage_verdict(results[(y, info, "ensemble")], stages)
        found = ", ".join(f"{m}={s or '-'}" for m, s in v["stages"].items())
        if paper_judged:
            lines.append(f"{region_zh} {y}, {info}: paper 成长 -> {v['text']}; "
                         f"{v['n_classified']} of {v['n_methods']} methods classify: {found}")
        else:
            ens, n = results[(y, info, "ensemble")].stage, v["n_classified"]
            head = ("no method classifies" if n == 0 else
                    f"only one method classifies ({ens.zh})" if n == 1 else
                    f"majority of the {n} methods that classify: {ens.zh}" if ens is not None
                    else f"the {n} methods that classify disagree, no majority")
            lines.append(f"{region_zh} {y}, {info}: {head}; {n} of {v['n_methods']} methods "
                         f"classify: {found} (the paper judged Shanghai in 2010-11 only: no "
                         "verdict against it)")
print("\n".join(lines))

# %% [markdown]
# ### Where the boundaries are
#
# The knees and the inflection of each curve fit that could be made (hindsight fits and, where
# there were enough points, real-time fits), with 95 % intervals (`year ± 1.96 se`, delta
# method). `share_of_ceiling` is the level at the boundary relative to the ceiling.

# %%
# NBVAL_CHECK_OUTPUT
tabs, seen = {}, set()
for (y, info, m), r in results.items():
    key = (info, m, len(r.evidence.get("years_used", [])))
    tab = r.evidence.get("boundaries")
    if m.startswith("curve:") and tab is not None and key not in seen:
        seen.add(key)
        if tab.attrs.get("identified", False):
            tabs[key] = tab[["year", "ci_low", "ci_high", "share_of_ceiling"]]
        else:
            print(f"{info} {m} ({key[2]} obs): no boundaries - {tab.attrs.get('reason', '')}")
if tabs:
    bounds = pd.concat(tabs, names=["information", "method", "n_obs", "boundary"])
    saved = cr.outputs.save_table(bounds.reset_index(), "stage_boundaries")
    print(bounds.to_string(float_format=lambda x: f"{x:.2f}"))
else:
    print("no curve fit has an identified ceiling: no boundary can be estimated")

# %% [markdown]
# ## 4 · Stage probabilities
#
# The point classification above says nothing about how sure it is. The bootstrap does: each row
# gives the share of replicates in each stage. All NaN with `n_failed = n_boot` means the point
# classification itself failed (too few points, or the ceiling not identified).

# %%
# NBVAL_CHECK_OUTPUT
prob_specs = [(f"curve:{m}", "parametric") for m in curve_models]
prob_specs += [(f"curve:{m}", "residual") for m in curve_models if m in ("logistic", "gompertz")]
prob_specs += [("signs", "parametric")]
prob_rows = []
for y, info in [(y, info) for info in ("realtime", "hindsight") for y in years]:
    for name, kind in prob_specs:
        opts = {"model": name.split(":")[1]} if name.startswith("curve:") else {}
        p = cr.lifecycle.stage_probabilities(series, y, method=name.split(":")[0], n_boot=n_boot,
                                             seed=seed, kind=kind, information=info, **opts)
        prob_rows.append({"information": info, "year": y, "method": name, "kind": kind,
                          **{s.zh: p[s] for s in cr.lifecycle.Stage},
                          "n_failed": int(p["n_failed"]), "n_boot": int(p["n_boot"])})
probabilities = pd.DataFrame(prob_rows)
saved = cr.outputs.save_table(probabilities, "stage_probabilities")
print(f"n_boot = {n_boot}, seed = {seed}")
print(probabilities.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
print(cr.lifecycle.STAGE_DEFINITION[lang])

# %% [markdown]
# ## 5 · Stage timeline
#
# Every method in every year of the series, with the information set by `information`. White
# cells with "–": the method cannot classify that year. The paper's years are outlined in red.
# Hatched columns (grey year labels) are years without an observation: their stage comes from
# the data of the other years (a fitted curve), not from a value of that year.

# %%
timeline_years = range(int(series.dropna().index.min()), int(series.dropna().index.max()) + 1)
rows = []
for y in timeline_years:
    ens = cr.lifecycle.classify(series, y, "ensemble", information, counts=counts,
                                region=region_zh)
    rows += [{"year": y, "method": f"curve:{m}",
              "stage": cr.lifecycle.classify(series, y, "curve", information, model=m).stage}
             for m in curve_models]
    rows += [{"year": y, "method": k, "stage": ens.evidence["results"][k].stage}
             for k in ("signs", "net_entry", "scorecard")]
    rows.append({"year": y, "method": "ensemble", "stage": ens.stage})
timeline = pd.DataFrame(rows)
saved = cr.outputs.save_table(timeline.assign(stage=timeline.stage.map(
    lambda s: s.name if s else None)), "stage_timeline")
title = (f"{cr.data.region_name(region_zh, lang=lang)} · "
         + ({"realtime": "实时", "hindsight": "事后"}[information] if lang == "zh" else information))
fig = cr.viz.stage_timeline(timeline, lang=lang, title=title,
                            paper_years=tuple(years) if paper_judged else (),
                            observed=series.dropna().index)
saved = cr.viz.save(fig, "stage_timeline")

# %% [markdown]
# ## 6 · Sensitivity
#
# ### 6.1 The model-free method with a shorter window
#
# `signs` smooths the series with local quadratics over `window` observations and by default needs
# `window + 4` = 15 points. With a 5-observation window (the setting notebook 06 uses for the
# ten-year NBS panel) it needs 8, and can judge the full (hindsight) series. A short window follows
# noise and uneven spacing more closely, so read it as a check on the curves, not as separate
# proof.

# %%
# NBVAL_CHECK_OUTPUT
short_window = {"window": 5, "min_points": 8}
lines = []
for y in years:
    for info in ("realtime", "hindsight"):
        r = cr.lifecycle.classify(series, y, "signs", info, **short_window)
        lines.append(f"{y} {info:9s} signs(window=5) {r.label('zh') or '-':3s} {r.reason}")
print("\n".join(lines))
print(cr.lifecycle.STAGE_DEFINITION[lang])

# %% [markdown]
# ### 6.2 Sensitivity to the questionable points (Shanghai only)
#
# For Shanghai's transaction series only (other regions have the NBS panel alone): the
# hindsight curve classification for the judged years with the secondary 2025 value put back
# (every exact value) and without the 2007 association figure (see notebook 02).

# %%
# NBVAL_CHECK_OUTPUT
if region_zh == "上海":
    variants = {"with the secondary 2025 value": (),
                "without the 2007 association figure":
                    sorted({*exclude_source_ids, "hc_researchinchina_2008"})}
    lines = []
    for what, drop in variants.items():
        alt = cr.data.shanghai_transactions(exclude_source_ids=drop)
        lines.append(f"{what}: {len(alt)} values, {alt.index.min()}-{alt.index.max()}")
        for y in years:
            for m in curve_models:
                r = cr.lifecycle.classify(alt, y, "curve", "hindsight", model=m)
                lines.append(f"  {y} {m:9s} {r.label('zh') or '-':3s} {r.reason}")
    print("\n".join(lines))
else:
    print(f"{region_zh}: NBS panel only, no questionable sources to drop")

# %% [markdown]
# ## 7 · The region under the panel stage model
#
# The region of this run (`region`) among the others: `cr.lifecycle.panel_stages` (default
# `method="auto"`, benchmarked in notebook 10) fits all 31 provinces of the NBS panel (电子商务销售额
# `ecommerce_sales`, per resident) at once: first as time-shifted positions on one common curve
# (the diffusion-lag model), used only if the panel identifies that curve and does not reject it
# against a separate curve per region; otherwise the pooled model, where regions whose own
# series cannot identify a ceiling borrow the panel's distribution of growth rates. A
# region-year gets a stage only where the data identify it (the panel grows, the curve is
# identified, the stage has probability ≥ 2/3, or the year lies below the lower knee for every
# ceiling the region's data allow); otherwise "not identified", with the reason. In hindsight
# and in real time (the whole panel refitted on the data up to each year). This NBS series
# (enterprise e-commerce sales) is not the transaction series used above, and it starts later.

# %%
# NBVAL_IGNORE_OUTPUT
nbs_panel = cr.data.load("provincial_panel")
per_person = cr.lifecycle.per_person_scale("ecommerce_sales")[0]
panel_rows = {info: cr.lifecycle.panel_stages(nbs_panel, information=info, method="auto",
                                              indicator="ecommerce_sales", scale=per_person)
              for info in ("hindsight", "realtime")}
panel_all = pd.concat(panel_rows, names=["information", None]).reset_index(level="information")
shanghai_panel = panel_all[panel_all["region"] == region_zh].copy()
shanghai_panel["stage_zh"] = [s.zh if s is not None else None for s in shanghai_panel["stage"]]
shanghai_panel["stage"] = [s.name if s is not None else None for s in shanghai_panel["stage"]]
saved = cr.outputs.save_table(shanghai_panel.reset_index(drop=True), "shanghai_panel_stages")

# %%
# NBVAL_CHECK_OUTPUT
cols = ["information", "year", "stage_zh", "prob_embryonic", "prob_growth", "prob_expansion",
        "prob_takeoff"]
print(f"{region_zh} under the panel stage model (NBS ecommerce_sales)")
print(shanghai_panel[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
print(cr.lifecycle.STAGE_DEFINITION[lang])

# %% [markdown]
# What it says (generated from the table above):

# %%
# NBVAL_CHECK_OUTPUT
nbs_first = int(nbs_panel.loc[nbs_panel["indicator"] == "ecommerce_sales", "year"].min())
nbs_last = int(nbs_panel.loc[nbs_panel["indicator"] == "ecommerce_sales", "year"].max())
judged_before = [y for y in years if y < nbs_first]
lines = [f"* The NBS series starts in {nbs_first} (ends {nbs_last}): "
         + (f"the panel model cannot judge {', '.join(map(str, judged_before))} at all; it can "
            f"only say where {region_zh} stood afterwards."
            if judged_before else "the judged years are inside the NBS series.")]
for info, g in shanghai_panel.groupby("information", sort=False):
    g = g.sort_values("year")
    shown = g[g["stage_zh"].notna()]
    weak = g["reason"].str.contains("weak rate prior")
    own = weak & g["reason"].str.contains("before the lower knee for every ceiling")
    lines.append(f"* {info}: a stage in {len(shown)} of {len(g)} years"
                 + (": " + ", ".join(f"{y} {s}" for y, s in zip(shown.year, shown.stage_zh))
                    if len(shown) else "")
                 + f". {int(weak.sum())} of {len(g)} years rest on the weak rate prior alone "
                 "(fewer than 3 regions, or fewer than half of the fitted ones, with an "
                 "identified ceiling): "
                 + (f"{int(own.sum())} of them get 萌芽 from {region_zh}'s own series (below the "
                    "lower knee for every ceiling it allows), the others are not identified."
                    if own.any() else "none of them is identified."))
print("\n".join(lines))

# %% [markdown]
# ### One city, two instruments
#
# For Shanghai the package has a second, longer instrument: the transaction series above
# (电子商务交易额, primary values 2002–2021). Its own logistic curve (the `curve` method, ceiling identified in
# section 3) gives a stage for each of its observed years; the table puts the two instruments
# side by side for the years both observe, with the probability of the stage shown (or of the
# most likely stage where none is shown).

# %%
# NBVAL_CHECK_OUTPUT
if region_zh == "上海":
    tx_panel = pd.DataFrame({"region": region_zh, "year": series.index, "value": series.values})
    tx_stages = cr.lifecycle.panel_stages(tx_panel, method="curve", model="logistic")
    both = cr.lifecycle.instrument_table(panel_rows["hindsight"], tx_stages, region_zh,
                                         names=("NBS", "transactions"))
    both = both.assign(**{c: both[c].map(lambda s: s.zh if s is not None else "未识别")
                          for c in ("stage_NBS", "stage_transactions")})
    print(both.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    n_both = int(both["agree"].notna().sum())
    print(f"\nyears both observe: {len(both)}; both show a stage: {n_both}; "
          f"they agree in {int(both['agree'].eq(True).sum())} of them. "
          + ("The NBS model identifies no stage in these years: the ten NBS values (enterprise "
             "e-commerce sales, a narrower definition than transactions, from 2015 only) do not "
             "identify a ceiling, while the transaction series reaches back to 2002 and does; "
             "the two instruments do not contradict each other, one of them says nothing."
             if n_both == 0 else ""))
else:
    print(f"{region_zh}: no second instrument in the package (the transaction series is "
          "Shanghai's)")

# %% [markdown]
# ## What this shows
#
# Generated from this run's tables (the verdicts, the panel rows and, for Shanghai, the second
# instrument):

# %%
# NBVAL_CHECK_OUTPUT
lines = []
for info in ("realtime", "hindsight"):
    v = verdicts[(verdicts.information == info) & (verdicts.method != "ensemble")]
    shown = v[v.stage_zh.notna()]
    lines.append(
        f"* **{info.capitalize()}, {region_zh} {', '.join(map(str, years))}.** "
        f"{len(shown)} of {len(v)} method-years classify"
        + (": " + "; ".join(f"{m} {y} {s}" for m, y, s in zip(shown.method, shown.year,
                                                               shown.stage_zh))
           if len(shown) else " (too few observations, or no identified ceiling)") + ".")
if paper_judged:
    counts = verdicts[verdicts.method != "ensemble"].verdict.value_counts()
    lines.append("* **Against the paper's 成长 (Shanghai 2010-11):** "
                 + ", ".join(f"{k} {n}" for k, n in counts.items())
                 + ". A stage is a place on the fitted curve (phase II = 成长); a reader who "
                   "takes 成长 to begin when growth is fast rather than at the lower knee would "
                   "read a phase-I year just before the knee as the start of 成长.")
else:
    lines.append(f"* The paper judged Shanghai in 2010-11 only; {region_zh} in "
                 f"{', '.join(map(str, years))} has no paper judgement to compare with.")
hs_panel = shanghai_panel[shanghai_panel.information == "hindsight"]
lines.append(f"* **Panel stage model (NBS, {nbs_first}-{nbs_last}).** {region_zh} gets a stage "
             f"in {int(hs_panel.stage_zh.notna().sum())} of {len(hs_panel)} years in hindsight.")
Markdown("\n".join(lines))
