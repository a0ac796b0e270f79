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
# # 10 · The panel stage model: benchmark and calibration
#
# `cr.lifecycle.panel_stages` gives every region and year a lifecycle stage (萌芽, 成长, 扩大,
# 起飞) with four probabilities, or "not identified" where the data do not identify one. Before
# it is used on real data it is scored on **simulated panels whose true stage is known**, in two
# designs: *independent* (each region its own logistic or Gompertz S-curve — or, for the "mixed"
# truth, either — with its own ceiling, rate and midpoint) and *shifted* (time-shifted copies of
# one curve, midpoints spread over 24 years: the diffusion-lag design of Griliches 1957 and Comin
# & Hobijn 2010), observed yearly with multiplicative log-normal noise
# $y_{obs} = y\,e^{\sigma\varepsilon}$. The true phase of each year comes from closed forms
# (logistic knees at $t_0 \mp \ln(2+\sqrt3)/k$, Gompertz at $t_0 \mp \ln((3+\sqrt5)/2)/b$,
# inflection $t_0$), written in `cr.lifecycle.benchmark`, not from the classifier.
#
# Scores (`cr.lifecycle.benchmark.score`): **accuracy** (an unclassified year counts as wrong),
# **coverage** (share classified), **backward steps** (share of consecutive classified years
# of a region whose stage goes back), the multi-class **Brier** score
# $\frac1n\sum_i\sum_s (p_{is} - 1[s = \text{true}_i])^2$ (0 perfect, 0.75 uniform).
#
# The acceptance bars (issue 22, `cr.limits.STAGE_MODEL_BARS`): accuracy ≥ 0.95 at 8 % noise
# and ≥ 0.85 at 15 % in hindsight; ≥ 0.75 at 8 % and ≥ 0.60 at 15 % in real time. An unshown
# ("not identified") stage counts as wrong, so a model pays for its honesty in accuracy and shows
# it in coverage; `accuracy_classified` is the accuracy of the stages it does show.
#
# The methods are those of `cr.lifecycle.panel_stages`; `eb` (empirical Bayes,
# `cr.lifecycle.eb`) estimates from the panel the distribution of curves that the Bayes rule of
# the bars table below is given by the simulator.
#
# Parameters: the methods, noise levels, truth models and seeds of the benchmark, the real-time
# subset (real time refits the whole panel for every year, so it is costly), the panel size,
# `n_boot` for the single-series bootstrap, and `nbs_check` / `nbs_methods` for the NBS panel
# check.

# %% tags=["parameters"]
methods = ["auto", "eb", "lag", "pooled", "hmm", "curve"]  # scored in hindsight
noises = [0.08, 0.15]  # log-noise SD of the simulated panels
truths = ["logistic", "gompertz", "mixed"]  # true curves ("mixed": independent design only)
designs = ["independent", "shifted"]  # simulation designs
seeds = [0]  # one simulated panel per seed
n_regions = 30  # regions per simulated panel
n_years = 15  # years per simulated panel
realtime_methods = ["auto", "eb"]  # methods also scored in real time (empty list: none)
realtime_noises = [0.08, 0.15]
realtime_truths = ["logistic"]
realtime_regions = 15  # regions per real-time panel (real time refits every year)
n_boot = 200  # bootstrap replicates of stage_probabilities (single series)
nbs_check = True  # run stage models on the NBS provincial panel
nbs_methods = ["auto", "eb"]  # the models run there, in hindsight and in real time
lang = "zh"  # figure labels: "zh" or "en"

# %%
import warnings

import pandas as pd

import cluster_research as cr
from cluster_research.lifecycle import benchmark
from cluster_research.viz import calibration
cr.notebook_setup()

# %% [markdown]
# ## 1 · The benchmark
#
# Every method on the same seeded panels, in hindsight (all years known); the real-time subset
# reruns the whole model on the data up to each year and keeps that year's answer.

# %%
# NBVAL_IGNORE_OUTPUT
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)  # overflow of exp() in extreme draws
    hind = benchmark.run_benchmark(methods=methods, noises=noises, models=truths,
                                   informations=("hindsight",), seeds=seeds,
                                   n_regions=n_regions, n_years=n_years, designs=designs)
    real = (benchmark.run_benchmark(methods=realtime_methods, noises=realtime_noises,
                                    models=realtime_truths, informations=("realtime",),
                                    seeds=seeds, n_regions=realtime_regions, n_years=n_years,
                                    designs=designs)
            if realtime_methods else hind.iloc[:0])
bench = pd.concat([hind, real], ignore_index=True)
bench["n_regions"] = [n_regions if i == "hindsight" else realtime_regions
                      for i in bench["information"]]
bench_table = bench[["method", "design", "truth", "noise", "information", "n_regions", "n_panels",
                     "accuracy", "coverage", "accuracy_classified", "backward_steps",
                     "brier", "prob_true", "seconds"]]
saved = cr.outputs.save_table(bench_table, "stage_model_benchmark")
summary = benchmark.method_summary(bench)
print("wall time per simulated panel, seconds (varies with the machine):\n"
      + summary[["method", "information", "scenarios", "seconds_median", "seconds_max"]]
      .to_string(index=False, float_format=lambda x: f"{x:.1f}"))

# %% [markdown]
# Each method over its scenarios (design × truth × noise): mean and lowest accuracy, mean
# coverage, accuracy of the stages shown, Brier score, and the largest share of backward steps.
# Every scenario's scores are in the table `stage_model_benchmark`; the accuracy of each
# scenario against its bar follows below.

# %%
# NBVAL_CHECK_OUTPUT
print(summary.drop(columns=["seconds_median", "seconds_max"]).to_string(
    index=False, float_format=lambda x: f"{x:.3f}", na_rep="–"))
if summary.isna().any().any():
    print("– = undefined: no year classified (accuracy_classified), or no two consecutive "
          "classified years of a region (backward_steps)")

# %% [markdown]
# ### Against the bars
#
# Are the bars attainable at all? In the independent design the regions are independent draws
# from a known prior, so the rule that picks for each region-year the phase of highest posterior
# probability given the region's own data (all its years in hindsight, those up to the year in
# real time) — the Bayes rule, `cr.lifecycle.benchmark.bayes_phase_probabilities` — has the
# highest expected accuracy of any method (Berger 1985 §4.4; Hastie, Tibshirani & Friedman 2009
# §2.4). `bayes_bound` is its accuracy on the same panels; `bayes_expected` its expected
# accuracy (the mean of its largest posterior probability, less noisy than one panel's hits). A
# bar above the expected accuracy cannot be met by any method in expectation. The shifted design
# has another prior and no bound here.

# %%
# NBVAL_CHECK_OUTPUT
bars = pd.DataFrame(cr.limits.STAGE_MODEL_BARS)  # a design scoring none is refused before a run
checks = bench.merge(bars.rename(columns={"accuracy": "bar"}), on=["information", "noise"])
checks["met"] = checks["accuracy"] >= checks["bar"]
runs = [("hindsight", noises, truths, n_regions)] + (
    [("realtime", realtime_noises, realtime_truths, realtime_regions)] if realtime_methods else [])
bound = [benchmark.run_benchmark(methods=["bayes"], noises=nz, models=tr, informations=(info,),
                                 seeds=seeds, n_regions=nr, n_years=n_years)
         for info, nz, tr, nr in runs if "independent" in designs]
keys = ["design", "truth", "noise", "information"]
checks = (checks.merge(pd.concat(bound)[keys + ["accuracy", "expected_accuracy"]].rename(
    columns={"accuracy": "bayes_bound", "expected_accuracy": "bayes_expected"}), on=keys,
    how="left") if bound else checks.assign(bayes_bound=float("nan"), bayes_expected=float("nan")))
bar_checks = checks[["method", "design", "truth", "noise", "information", "accuracy", "bar",
                     "met", "bayes_bound", "bayes_expected"]]
saved = cr.outputs.save_table(bar_checks, "stage_model_bars")
print("accuracy of each method (column) in each scenario (row); met = at or above the bar; "
      "bayes_bound, bayes_expected = accuracy and expected accuracy of the Bayes-optimal rule "
      "on the same panels (independent design):")
print(benchmark.bar_grid(bar_checks).to_string(float_format=lambda x: f"{x:.2f}"))

# %%
fig = calibration.accuracy_chart(bench, bars,
                                 lang=lang)
saved = cr.viz.save(fig, "stage_model_accuracy")

# %% [markdown]
# ## 2 · Calibration
#
# Are the probabilities honest? Every region-year gives four pairs (probability of a stage,
# whether that stage is the true one); binned by probability, a calibrated model has observed
# frequency ≈ mean predicted probability (the diagonal). ECE is the weighted mean gap.
# Three sets: the pooled panel model (one simulated panel of each truth at the first noise
# level), and the single-series bootstrap `cr.lifecycle.stage_probabilities` with `curve`
# (logistic) and `signs` on 12 regions of a logistic panel at the first noise level, judged at
# three years each.

# %%
# NBVAL_IGNORE_OUTPUT
sims = pd.concat([benchmark.simulate_panel(n_regions, n_years, model=m, noise=noises[0],
                                           seed=seeds[0]) for m in truths], keys=truths,
                 names=["truth", None]).reset_index(level="truth")
sims["region"] = sims["region"] + "_" + sims["truth"]
sims = sims.reset_index(drop=True)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    pooled_pred = cr.lifecycle.panel_stages(sims[["region", "year", "value"]], method="pooled")
small = benchmark.simulate_panel(12, n_years, model="logistic", noise=noises[0], seed=seeds[0])
judged = [int(small["year"].min()) + k for k in (2, n_years // 2, n_years - 3)]
boot_rows = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for method in ("curve", "signs"):
        for r, g in small.groupby("region"):
            s = pd.Series(g["value"].to_numpy(), index=g["year"].to_numpy())
            for y in judged:
                p = cr.lifecycle.stage_probabilities(s, y, method=method, n_boot=n_boot,
                                                     seed=seeds[0], information="hindsight")
                boot_rows.append({"method": method, "region": r, "year": y,
                                  **dict(zip(cr.lifecycle.panel.PROB_COLUMNS,
                                             (p[st] for st in cr.lifecycle.Stage)))})
boot = pd.DataFrame(boot_rows)
boot_ok = boot.dropna()
print(f"stage_probabilities: {len(boot_ok)} of {len(boot)} region-years classified "
      "(the others: no identified ceiling, or too short)")

# %%
# NBVAL_CHECK_OUTPUT
rel = {"panel_stages pooled": benchmark.reliability_table(pooled_pred, sims)}
for method in ("curve", "signs"):
    sub = boot_ok[boot_ok["method"] == method]
    if len(sub):
        rel[f"stage_probabilities {method}"] = benchmark.reliability_table(
            sub.drop(columns="method"), small)
reliability = pd.concat([t.assign(model=k, ece=t.attrs["ece"]) for k, t in rel.items()],
                        ignore_index=True)[["model", "bin_low", "bin_high", "n",
                                            "mean_predicted", "observed", "ece"]]
saved = cr.outputs.save_table(reliability, "stage_model_reliability")
print("\n".join(f"{k}: ECE {t.attrs['ece']:.3f} over {int(t['n'].sum())} pairs"
                for k, t in rel.items()))

# %%
fig = calibration.reliability_plot(rel, lang=lang)
saved = cr.viz.save(fig, "stage_model_reliability")

# %% [markdown]
# ## 3 · The NBS panel check
#
# The models of `nbs_methods` (by default `auto` -- the diffusion-lag model where the panel
# shares one identified curve, the pooled model otherwise -- and `eb`) on the real NBS provincial
# panel (电子商务销售额 `ecommerce_sales` per resident, 31 provinces): how many region-years get a
# stage, and how often a region's stage goes back, in hindsight and in real time. There is no
# truth here, but there is what happened next: `agree_hindsight` is the share of the real-time
# stages (data up to the year) that the same model gives the same year from all the data,
# among the `compared` region-years staged both ways (`cr.lifecycle.stage_summary`).
# `common_curve` is the share of region-years staged by one common curve; `weak_prior` the
# share fitted with the weak fallback prior on the rate (fewer than three regions with an
# identified ceiling: ten years of a still-growing series rarely identify one); both are 0 for
# models without these steps.

# %%
# NBVAL_IGNORE_OUTPUT
panel = cr.data.load("provincial_panel")
scale = cr.lifecycle.per_person_scale("ecommerce_sales")[0]
nbs = {}
if nbs_check:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for method in nbs_methods:
            for info in ("hindsight", "realtime"):
                nbs[method, info] = cr.lifecycle.panel_stages(
                    panel, information=info, method=method, indicator="ecommerce_sales",
                    scale=scale)

# %%
# NBVAL_CHECK_OUTPUT
nbs_rows = []
for (method, info), st in nbs.items():
    nbs_rows.append({"method": method, "information": info,
                     **cr.lifecycle.stage_summary(
                         st, nbs[method, "hindsight"] if info == "realtime" else None),
                     "common_curve": float(st["reason"].str.contains("one common curve ->").mean()),
                     "weak_prior": float(st["reason"].str.contains("weak rate prior").mean())})
nbs_check_table = pd.DataFrame(nbs_rows)
saved = cr.outputs.save_table(nbs_check_table, "stage_model_nbs_check") if nbs_rows else None
print(nbs_check_table.to_string(index=False, float_format=lambda x: f"{x:.3f}")
      + "\n" + cr.lifecycle.STAGE_DEFINITION[lang] if nbs_rows else "nbs_check = False: not run")

# %% [markdown]
# **Face validity** (`cr.lifecycle.face_validity`): if the stages mean maturity, regions further
# along should also look more mature by a measure the models never saw. For every year with at
# least five staged regions at different positions, the Spearman rank correlation of the stage
# position (萌芽 1 ... 起飞 4) with two measures independent of the models' data -- the share of
# enterprises trading online (有电子商务交易活动的企业数比重, NBS, 2015-2023) and Taobao villages
# per resident (the complete national lists of 2015 and 2016: a province absent from a list has
# none that year) -- and with the sales per resident the models are fitted to (not independent:
# it checks only that the ordering follows the data).

# %%
# NBVAL_CHECK_OUTPUT
measures = cr.lifecycle.maturity_measures(panel, "ecommerce_sales")
validity = pd.DataFrame(
    [{"method": method, "information": info, "measure": name, **row}
     for (method, info), st in nbs.items() for name, m in measures.items()
     for row in cr.lifecycle.face_validity(st, m).to_dict("records")],
    columns=["method", "information", "measure", "year", "n", "spearman_rho", "p_value"]
).astype({"year": int, "n": int})
saved = cr.outputs.save_table(validity, "stage_model_nbs_validity") if nbs else None
print(validity.to_string(index=False, float_format=lambda x: f"{x:.3f}") if len(validity)
      else "no year with five or more staged regions at different positions"
      if nbs else "nbs_check = False: not run")

# %% [markdown]
# ## What this shows
#
# Generated from the tables above.

# %%
# NBVAL_CHECK_OUTPUT
lines = []
for (info, noise, bar), g in bar_checks.groupby(["information", "noise", "bar"], sort=False):
    met = g[g["met"]]
    missed = g[~g["met"]]
    met_text = ", ".join(f"{r.method}/{r.design}/{r.truth} {r.accuracy:.3f}"
                         for r in met.itertuples())
    missed_text = ", ".join(f"{r.method}/{r.design}/{r.truth} {r.accuracy:.3f}"
                            for r in missed.itertuples())
    lines.append(f"* {info}, noise {noise:.0%}, bar {bar:.2f}: "
                 + (f"met by {met_text}" if len(met) else "met by none")
                 + (f"; missed by {missed_text}" if len(missed) else ""))
scen = bar_checks.dropna(subset=["bayes_bound"]).drop_duplicates(keys)
if len(scen):
    def _names(sel):
        return ", ".join(f"{r.information} {r.truth} noise {r.noise:.0%}"
                         for r in sel.itertuples()) or "none"
    lines.append("* Bayes-optimal rule, independent design, accuracy / expected accuracy: "
                 + "; ".join(f"{r.information} {r.truth} noise {r.noise:.0%} "
                             f"{r.bayes_bound:.3f} / {r.bayes_expected:.3f} (bar {r.bar:.2f})"
                             for r in scen.itertuples())
                 + ". Bars above the expected accuracy (no method meets them in expectation): "
                 + _names(scen[scen["bar"] > scen["bayes_expected"]])
                 + "; bars above the Bayes rule's own accuracy on these panels: "
                 + _names(scen[scen["bar"] > scen["bayes_bound"]]) + ".")
lines.append(f"* (hindsight panels: {n_regions} regions; "
             + (f"real-time panels: {realtime_regions} regions; " if realtime_methods
                else "no real-time panels (realtime_methods is empty); ")
             + f"{n_years} years; seeds {seeds}.)")
for k, t in rel.items():
    top = t.iloc[-1]
    lines.append(f"* calibration, {k}: ECE {t.attrs['ece']:.3f}; in the top bin "
                 f"(p {top['bin_low']:.1f}-{top['bin_high']:.1f}) mean predicted "
                 f"{top['mean_predicted']:.3f}, observed {top['observed']:.3f}"
                 + (" (overconfident)" if top["observed"] < top["mean_predicted"] - 0.05 else ""))
stage_counts = nbs_check_table.reindex(columns=[s.en for s in cr.lifecycle.Stage]).sum(axis=1)
for r, staged in zip(nbs_check_table.itertuples(), stage_counts):
    own = nbs[r.method, r.information]["reason"].str.contains(
        "before the lower knee for every ceiling")
    line = (f"* NBS ecommerce_sales {r.years}, {r.method}, {r.information}: {r.classified:.0%} "
            f"of {r.region_years} region-years get a stage"
            + (f", backward steps {r.backward_steps:.1%} of consecutive staged years"
               if r.backward_steps == r.backward_steps else ""))
    if r.information == "realtime" and staged:
        line += (f"; of its {staged} stages, {r.compared} get a stage from all the data too"
                 + (f", {r.agree_hindsight:.0%} of them the same one" if r.compared else ""))
    if r.common_curve > 0:
        line += f"; {r.common_curve:.0%} from one common curve"
    if r.weak_prior > 0:
        line += (f"; {r.weak_prior:.0%} rest on the weak rate prior alone (fewer than 3 "
                 "regions, or fewer than half of the fitted ones, with an identified ceiling), "
                 f"of which {own.mean():.0%} of all region-years get 萌芽 from the region's own "
                 "series (below the lower knee for every ceiling it allows) and the rest are "
                 "shown as not identified")
    lines.append(line)
for (method, info), name in [(k, n) for k in nbs for n in measures]:
    v = validity[(validity.method == method) & (validity.information == info)
                 & (validity.measure == name)]
    lines.append(f"* face validity, {method} {info}, stage position vs {name}: "
                 + cr.lifecycle.face_validity_text(v))
print("\n".join(lines))
