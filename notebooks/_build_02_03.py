"""Generate the notebooks 02 and 03 (sources of truth for their cells).

Run ``python notebooks/_build_02_03.py`` to rewrite the .ipynb files without outputs, then
``python -m cluster_research refresh 02 03`` to execute them in place (outputs committed).
Edit the cells here, not in the .ipynb files. Cell helpers and conventions come from
``notebooks/_build.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _build import DISPLAY, HERE, code, md, notebook, params

# --------------------------------------------------------------------------- 02

NB02 = [
    md("""
# 02 · Shanghai's e-commerce transactions: growth models and what they can identify

The paper reports that Shanghai's e-commerce transaction volume (电子商务交易额) rose from
"250多亿元" in 2002 to 4252.8亿元 in 2010 ("上升了近16倍") and reached 2495.05亿元 in the first
half of 2011 (+24.77 %). It does not fit a curve; it reads the numbers as "scale expanding fast"
and concludes that the cluster is in its growth stage (成长, notebook 03).

This notebook

1. shows every published value of the series with its **qualifier** — only `exact` full-year
   values are fitted; targets, forecasts and lower bounds ("超过") are drawn but never fitted;
2. reproduces the paper's arithmetic (fold change, increase multiple, CAGR, doubling time);
3. fits five growth models with profile-likelihood intervals, compares them (AICc, BIC,
   out-of-sample error) and says plainly what the data can and cannot identify — above all the
   **ceiling** (saturation level) that every S-curve needs.

Parameters: `through_year` is the information cut-off (`None` = all data; `2011` = what the
paper's authors could have known), `exclude_source_ids` leaves questionable sources out of the
fit, `models` and `errors` choose the models and the error structure.
"""),
    params("""
region_label = "上海"  # the transaction series exists for Shanghai only
lang = "zh"  # figure labels: "zh" or "en"
through_year = None  # information cut-off year (None: all data; 2011: what the authors could know)
models = ["exponential", "logistic", "gompertz", "richards", "bass"]
errors = "multiplicative"  # "multiplicative" (log-scale errors) or "additive"
exclude_source_ids = []  # sources left out of the main fit, e.g. ["hc_researchinchina_2008"]
sensitivity_exclude = ["hc_researchinchina_2008", "hc_github_codecomment_tjjsh_2026_03_30"]
interval = "prediction"  # band around the fitted curves: "prediction" or "confidence"
plot_to_year = 2030  # curves are drawn up to this year
"""),
    code(DISPLAY),
    md("""
## 1 · The data: every published value, with its qualifier

Each row is one published figure with its source (`source_id`; titles and URLs in
`cr.data.sources()`). Values are in 亿元 (10⁸ yuan); `value_original` / `unit_original` keep the
wording of the source (e.g. 2.4 万亿元 = 24000亿元).
"""),
    code("""
from cluster_research import plotting_growth

if cr.data.region_name(region_label) != "上海":
    raise ValueError(f"region_label={region_label!r}: the 电子商务交易额 series exists for Shanghai "
                     "only; for other regions use notebook 03 or 05 (NBS provincial panel)")
shanghai = cr.data.load("shanghai_ecommerce")
volume = shanghai[(shanghai.series == "ecommerce_transaction_volume") & (shanghai.period == "FY")]
volume[["year", "value", "value_original", "unit_original", "qualifier", "source_id", "notes"]]
"""),
    md("""
How to read the rows:

* **Targets and forecasts are not actuals.** 2010 = 3400 is a forecast made in 2008 by the
  Shanghai E-commerce Association (the actual 2010 value is 4252.8); 2015 = 12000 is the
  12th Five-Year-Plan expectation. They appear on the figure as grey crosses and are never fitted.
* **Lower bounds** — 2016 "超过2万亿元" and 2017 "pass 2.4 trillion" — say only that the value
  was *above* that number. The 2016 exact value (20049.3, two independent reports) is fitted; the
  2017 bound is drawn as a triangle, not fitted.
* **2007 = 2300** is an *exact* figure, but compiled by the Shanghai E-commerce **Association**,
  not the Commission of Commerce that publishes all other values; the two bodies may count
  differently, so this point is questionable.
* **2025 = 45000** is a **secondary** citation (quoted in a code comment, not yet checked
  against the statistical bulletin). It is the last and largest point, so it pulls hard on the
  ceiling.
* **2021 (32400) < 2019 (33200).** A fall in the middle of two decades of 15–40 % annual growth
  is far more likely a change of definition or a revision than a real decline. Both stay in as
  published: we cannot tell which side of the break is "right", and nothing is adjusted.

The main fit uses every `exact` full-year value except the sources in `exclude_source_ids`, up
to `through_year`. Section 6 repeats the fits without the questionable points.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
actuals = cr.data.shanghai_transactions(exclude_source_ids=exclude_source_ids)
fit_data = actuals if through_year is None else actuals[actuals.index <= through_year]
print(f"fitted: {len(fit_data)} exact full-year values, {fit_data.index.min()}-{fit_data.index.max()}"
      + ("" if through_year is None else f" (information cut-off {through_year})"))
print(fit_data.to_string())
left_out = volume[~volume.year.isin(fit_data.index) | (volume.qualifier != "exact")]
print("drawn but not fitted:", ", ".join(f"{r.year} {r.value:g} ({r.qualifier})"
                                        for r in left_out.itertuples()))
"""),
    code("""
fig = cr.plotting.series_plot(volume, lang=lang, title=cr.plotting.label("shanghai_volume", lang))
saved = cr.plotting.save(fig, "shanghai_series")
"""),
    md(r"""
## 2 · The paper's arithmetic

For a start value $v_0$ and an end value $v_1$ that are $n$ years apart:

* **fold change** $F = v_1/v_0$ ("是原来的 $F$ 倍");
* **increase multiple** $M = v_1/v_0 - 1$ ("增长了 / 上升了 $M$ 倍", the usual Chinese reading);
* **compound annual growth rate** $g = (v_1/v_0)^{1/n} - 1$;
* **doubling time** $T_2 = \ln 2 / \ln(1+g)$ years (for a continuous rate $r$: $\ln 2 / r$).

"250多" is a lower bound (more than 250), so with $v_0 = 250$ the multiple and the CAGR are
*upper* bounds; the independent 2002 value 253.86 (Shanghai Commission of Commerce) gives the
point values. Functions: `cr.growth.fold_change`, `increase_multiple`, `cagr`, `doubling_time`.
Reference: OECD (2001), *Measuring Productivity*, annex on growth rates.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
exact = cr.data.shanghai_transactions()  # all exact full-year values, whatever the fit excludes
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
saved = cr.runner.save_table(arithmetic.reset_index(), "arithmetic")
print(arithmetic.to_string(float_format=lambda x: f"{x:.2f}"))
"""),
    md("""
The paper's "上升了近16倍" is the **increase multiple** (15.75 with 253.86; at most 16.01 with
"250多"); as a fold change the same numbers are 16.75–17.01. The volume grew by about 42.5 % a
year, doubling roughly every two years.

The 2011 half-year figure and the paper's +24.77 % imply the 2010 half-year value
$2495.05 / 1.2477$; no source in the data reports 2010 H1, so this stays a derived number.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
h1_2011 = float(cr.data.shanghai_transactions(period="H1").loc[2011])
paper_h1_growth = 0.2477  # the paper's "同比增长24.77%"
implied_h1_2010 = h1_2011 / (1 + paper_h1_growth)
print(f"2011 H1 = {h1_2011:.2f}亿元; implied 2010 H1 = {implied_h1_2010:.1f}亿元 "
      f"= {implied_h1_2010 / v2010:.1%} of the 2010 total {v2010:.1f}")
"""),
    md(r"""
## 3 · The growth models

Time $t$ is the calendar year. Each model gives the mean level $f(t)$ of the series:

| model | $f(t)$ | parameters | shape |
|---|---|---|---|
| exponential | $e^{a + r(t - t_{ref})}$ | $a, r$ | no ceiling: constant relative growth $r$ |
| logistic | $\dfrac{K}{1 + e^{-k(t - t_0)}}$ | $K, k, t_0$ | S-curve symmetric about the inflection $t_0$, where $f = K/2$ |
| Gompertz | $K e^{-e^{-b(t - t_0)}}$ | $K, b, t_0$ | S-curve, inflection at $t_0$ where $f = K/e \approx 0.37K$; slow approach to $K$ |
| Richards | $K\,(1 + e^{-k(t - t_0)})^{-1/\nu}$ | $K, k, t_0, \nu$ | generalises both: $\nu = 1$ logistic, $\nu \to 0$ Gompertz |
| Bass | $M\,\dfrac{1 - e^{-(p+q)(t-\tau)}}{1 + (q/p)\,e^{-(p+q)(t-\tau)}}$ | $M, p, q, \tau$ | diffusion: innovation $p$, imitation $q$, start year $\tau$ |

$K$ (Bass: $M$) is the **ceiling**, the level the series would approach. References: Verhulst
(1838) and Pearl & Reed (1920) for the logistic; Gompertz (1825); Richards, F. J. (1959),
*J. Exp. Bot.* 10, 290–300; Bass, F. M. (1969), *Management Science* 15(5), 215–227.

**Estimation.** Non-linear least squares (Bates & Watts 1988). With `errors="multiplicative"`
(default here) the model is $\log y_t = \log f(t) + \varepsilon_t$, i.e. errors are *relative*:
appropriate for a series that grows from 250 to 45000, where an additive fit would ignore the
early years. `cr.growth.fit` self-starts from linearisations (as R's `SSlogis`), eliminates the
ceiling in closed form (variable projection) and polishes with a trust-region solver; `converged`
and `convergence_message` record the outcome.

**Intervals.** Besides the Wald interval $\hat\theta \pm t_{n-p}\,\mathrm{se}$, the
**profile-likelihood** (profile-t) interval fixes one parameter at a time, refits the others and
keeps the values with $\sqrt{\mathrm{RSS}_{\text{profile}} - \mathrm{RSS}}\,/\,s \le t_{n-p,\,0.975}$
(Bates & Watts 1988, §6.1; R `confint.nls`). On short series it is asymmetric and, crucially, can
be **unbounded**: if any ceiling above some value fits the data equally well, the upper end is $+\infty$.

**Identification rule** (`res.identified`): the ceiling counts as identified only if its profile
interval is bounded above **and** the data reach at least half of the fitted ceiling (the
inflection has been observed). Otherwise the ceiling — and every stage boundary derived from
it — is an extrapolation, not an estimate.

**Prediction bands** (`res.predict(years, interval="prediction")`): delta method on $\log f$
plus the residual variance, exponentiated (asymmetric).
"""),
    code("""
fits = {m: cr.growth.fit(fit_data, model=m, errors=errors) for m in models}
print("\\n\\n".join(res.summary() for res in fits.values()))
"""),
    md("""
Estimates with standard errors, Wald and profile intervals (95 %; `t0`/`tau` in calendar years;
`inf` = the interval never closes; NaN = not computable, e.g. no residual degrees of freedom or
a singular information matrix):
"""),
    code("""
# NBVAL_CHECK_OUTPUT
rows = []
for m, res in fits.items():
    wald, prof = res.conf_int(method="wald"), res.conf_int(method="profile")
    for p in res.params.index:
        rows.append({"model": m, "parameter": p, "estimate": res.params[p], "std_err": res.bse[p],
                     "wald_low": wald.loc[p, "lower"], "wald_high": wald.loc[p, "upper"],
                     "profile_low": prof.loc[p, "lower"], "profile_high": prof.loc[p, "upper"]})
parameters_table = pd.DataFrame(rows)
saved = cr.runner.save_table(parameters_table, "growth_parameters")
print(parameters_table.to_string(index=False, float_format=lambda x: f"{x:.5g}"))
"""),
    md("What each fit can identify (`identified_reason` is the library's own explanation):"),
    code("""
# NBVAL_CHECK_OUTPUT
identification = pd.DataFrame([
    {"model": m, "converged": r.converged, "identified": r.identified,
     "ceiling": r.ceiling, "inflection": r.inflection, "reason": r.identified_reason}
    for m, r in fits.items()]).set_index("model")
saved = cr.runner.save_table(identification.reset_index(), "identification")
with pd.option_context("display.max_colwidth", 120, "display.float_format", "{:.5g}".format):
    print(identification.to_string())
"""),
    md("""
## 4 · The fits, with prediction bands

Left: linear scale (the ceilings are visible); right: log scale (the early years are visible).
Shaded: the 95 % band chosen by `interval`. Black dots are the fitted values; hollow circles are
exact values left out of the fit (excluded sources, or later than `through_year`); triangles are
lower bounds and grey crosses targets/forecasts — never fitted.
"""),
    code("""
grid = np.arange(fit_data.index.min(), plot_to_year + 0.25, 0.25)
title = (f"{cr.data.region_name(region_label, lang=lang)}: "
         + ("电子商务交易额与增长模型" if lang == "zh" else "e-commerce transactions and growth models")
         + ("" if through_year is None else f" (≤ {through_year})"))
fig = plotting_growth.fit_panels(fits, observations=volume, lang=lang, interval=interval,
                                 years=grid, cutoff=through_year, title=title)
saved = cr.plotting.save(fig, "growth_fits")
"""),
    md(r"""
## 5 · Model comparison

* **AIC** $= -2\log L + 2k$ and **AICc** $= \mathrm{AIC} + \dfrac{2k(k+1)}{n-k-1}$ (the
  small-sample correction; undefined when $n \le k + 1$), **BIC** $= -2\log L + k\log n$, with
  $k$ = parameters + 1 (the error variance) and the Gaussian likelihood on the scale of $y$
  (Burnham & Anderson 2002, *Model Selection and Multimodel Inference*; Schwarz 1978). Lower is
  better; differences below about 2 do not discriminate.
* **Out-of-sample error** (rolling origin, Tashman 2000, *Int. J. Forecasting* 16, 437–450):
  fit on the first $m$ observations, forecast the next observed year, move the origin by one;
  `oos_rmse` and `oos_mape` (mean absolute percentage error) over those forecasts, `oos_n` how
  many there were. $m$ is the same for all models (largest parameter count + 2), so with few
  points there are very few forecasts — read `oos_n` before the error.
* $R^2$ is not used: it always favours the model with more parameters.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
comparison = cr.growth.compare(fit_data, models=models, errors=errors)
comparison.insert(comparison.columns.get_loc("aicc") + 1, "delta_aicc",
                  comparison["aicc"] - comparison["aicc"].min())
saved = cr.runner.save_table(comparison.reset_index(), "model_comparison")
cols = ["n_params", "aicc", "delta_aicc", "bic", "identified", "ceiling", "oos_mape", "oos_n",
        "oos_failures"]
print(comparison[cols].to_string(float_format=lambda x: f"{x:.4g}"))
"""),
    md("""
## 6 · Sensitivity: without the questionable points

The same models fitted again without the sources in `sensitivity_exclude` (by default the 2007
association figure and the unverified 2025 value). Models with as many parameters as remaining
points are skipped.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
dropped = sorted(set(exclude_source_ids) | set(sensitivity_exclude))
alt_data = cr.data.shanghai_transactions(exclude_source_ids=dropped)
if through_year is not None:
    alt_data = alt_data[alt_data.index <= through_year]
alt_fits = {m: cr.growth.fit(alt_data, model=m, errors=errors)
            for m in models if fits[m].df_model < len(alt_data)}
sensitivity = pd.DataFrame([
    {"model": m, "ceiling_main": fits[m].ceiling, "identified_main": fits[m].identified,
     "ceiling_without": r.ceiling, "identified_without": r.identified,
     "aicc_without": r.aicc, "inflection_without": r.inflection}
    for m, r in alt_fits.items()]).set_index("model")
print(f"without {dropped}: {len(alt_data)} points, years {list(alt_data.index)}")
print(sensitivity.to_string(float_format=lambda x: f"{x:.5g}"))
"""),
    md("""
## What this shows

(The numbers quoted are those of the default run: all exact values 2002–2025, multiplicative
errors. Rerun with `through_year=2011` — run file `02_shanghai_growth_2011.yaml` — for the view
of the paper's authors.)

* **The paper's arithmetic holds.** "上升了近16倍" is the increase multiple (15.75 with the
  independent 2002 value); the CAGR 2002–2010 is about 42.5 % and the volume doubled about every
  two years. The implied 2010 H1 value (≈2000亿元, 47 % of the year) cannot be checked.
* **What the data identify.** With all eight actuals the logistic, Richards and Bass ceilings
  have bounded profile intervals, but they are wide (the logistic ceiling about 4.2万亿元 with a
  95 % profile interval of roughly 3.0–6.3万亿元; Richards and Bass reach 12–55万亿元 at the
  upper end), and the Gompertz ceiling is not identified at all: its inflection lies beyond the
  data, although it has the lowest AICc. The exponential model, without a ceiling, fits far
  worse (ΔAICc ≈ 11) — growth has clearly slowed since 2010 — but which S-curve is right, and
  where the ceiling is, the data cannot say: logistic and Gompertz are within 1 AICc point of
  each other, and the out-of-sample errors rest on two forecasts only (2021 and 2025).
* **What they cannot identify.** With the data the paper's authors had (four actuals up to
  2010), no ceiling is identified — every S-curve fits the four points and any ceiling above the
  last value is compatible with them — so no stage boundary could have been estimated in 2011.
* **Fragile points matter.** The 2025 value is a secondary citation and the last point; the
  2021 < 2019 break is probably a definition change. Without the 2007 and 2025 values
  (section 6) the logistic, Richards and Bass ceilings all fall to about 3.9万亿元 — below the
  unverified 2025 figure of 4.5万亿元. Treat every ceiling as an order of magnitude, not a
  number.
"""),
]

# --------------------------------------------------------------------------- 03

NB03 = [
    md("""
# 03 · Lifecycle stage: is the cluster in its growth stage (成长)?

The paper: "根据完整的产业集群发展演变周期，结合电子商务产业集群萌芽阶段、成长阶段、扩大阶段和起飞阶段四个
阶段的特征来分析，上海电子商务产业集群正处于成长阶段" — the Shanghai cluster (in 2010–2011) is in the
**growth stage**, the second of four: 萌芽 (embryonic), 成长 (growth), 扩大 (expansion),
起飞 (take-off). Its evidence is qualitative: firms gathering, scale expanding fast, links between
firms forming, much-improved infrastructure.

Here the stage is judged by several **independent, documented methods** from
`cluster_research.lifecycle`, each of which may also say "I cannot classify, because …":

* in **real time** — only the data published up to the year judged (what the authors knew);
* in **hindsight** — all data available today.

For Shanghai we use the transaction series of notebook 02. No such series exists for other
regions: for them the notebook uses the NBS provincial panel (电子商务销售额 `ecommerce_sales` and
有电子商务交易活动的企业数 `ecommerce_firms`, 2015–2024) and says so.

Parameters: `region`, `years`, `information` (for the stage timeline; the verdict table and
the probabilities always show both), `n_boot`, `seed`, the curve models and the sources to
exclude.
"""),
    params("""
region = "上海"  # any of the 31 provincial-level regions (name, English name or code)
years = [2010, 2011]  # the years judged (the paper: 2010-2011)
information = "hindsight"  # "realtime" or "hindsight": information used by the timeline
lang = "zh"  # figure labels: "zh" or "en"
n_boot = 1000  # bootstrap replicates for the stage probabilities
seed = 0  # seed of the bootstrap
curve_models = ["logistic", "gompertz", "richards", "bass"]
exclude_source_ids = []  # Shanghai only: sources left out, e.g. ["hc_researchinchina_2008"]
"""),
    code(DISPLAY),
    md("""
## 1 · The data

An unknown region stops here with `DataValidationError` (the runner already refuses it before
the notebook starts).
"""),
    code("""
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
"""),
    code("""
fig = cr.plotting.series_plot(observed, lang=lang, title=cr.data.region_name(region_zh, lang=lang))
saved = cr.plotting.save(fig, "series")
"""),
    md(r"""
## 2 · The methods

### 2.1 From a curve to four stages

For an S-shaped level $y(t)$ the **inflection** is the root of $y''$ (fastest growth) and the two
**knees** are the roots of $y'''$ (where the acceleration $y''$ peaks and bottoms out). They cut
time into four phases, which `cr.lifecycle` maps to the paper's four stages:

| phase | where | signs | stage |
|---|---|---|---|
| I | before the lower knee | $y''>0,\ y'''>0$ | 萌芽 embryonic — slow start, accelerating ever faster |
| II | lower knee → inflection | $y''>0,\ y'''<0$ | 成长 growth — fast and still accelerating |
| III | inflection → upper knee | $y''<0,\ y'''<0$ | 扩大 expansion — fast but decelerating |
| IV | after the upper knee | $y''<0,\ y'''>0$ | 起飞 take-off — mature, approaching the ceiling |

For the logistic the knees are at $t_0 \pm \ln(2+\sqrt3)/k$ (21 % and 79 % of $K$), for the
Gompertz at $t_0 \pm \ln\big((3+\sqrt5)/2\big)/b$. The mapping is a modelling choice
(`phase_map=` changes it): *take-off* comes last in the paper's list, so it is read as the
self-sustaining mature stage. References: Kucharavy, D. & De Guio, R. (2011), Application of
S-shaped curves, *Procedia Engineering* 9, 559–572 (phases of S-curves); Menzel, M.-P. &
Fornahl, D. (2010), Cluster life cycles, *Industrial and Corporate Change* 19(1), 205–238.

### 2.2 `curve` — fit an S-curve, locate the year

Fit a logistic, Gompertz, Richards or Bass curve (notebook 02, multiplicative errors) and place
the year among the boundaries above. If the ceiling is not identified (profile interval
unbounded, or the data below half the ceiling), the boundaries are not estimable and the method
returns **no stage**. It needs at least 5 observations. If the year lies inside the 95 %
interval of a boundary, the reason says "uncertain".

### 2.3 `signs` — model-free derivatives

At every observed year a local quadratic is fitted to the `window` (11) nearest observations
(local polynomial regression; Fan, J. & Gijbels, I. (1996), *Local Polynomial Modelling and Its
Applications*, Chapman & Hall). Its coefficients give smoothed $y'$ and $y''$ paths; the
inflection is the peak of $y'$, the knees the extremes of $y''$, and the phase follows from
where the year lies. Needs `window + 4` = 15 observations: none of our series is that long.

### 2.4 `net_entry` — Gort & Klepper on firm counts

With $N_t$ the number of firms, net entry $E = N'$ and its rate $E/N$ (smoothed as for `signs`).
Gort, M. & Klepper, S. (1982), Time paths in the diffusion of product innovations, *Economic
Journal* 92, 630–653: rate $> 5\%$ while entry still accelerates → 萌芽 (GK stage 1); rate
$> 5\%$ after peak acceleration → 成长 (GK 2, "firms gathering"); $|\text{rate}| \le 5\%$ after an
entry wave → 扩大 (GK 3); rate $< -5\%$ (shakeout) → 起飞 (GK 4–5). Firm counts: NBS 2015–2024.

### 2.5 `scorecard` — the paper's four features, measured

The paper's four features, each measured on the NBS provincial panel and turned into the
region's percentile among the provinces that year, $(\text{rank} - 0.5)/n$: gathering (share
and growth of firms trading online), scale (sales growth and its acceleration), links
(purchases / sales, a proxy) and infrastructure (websites, computers, broadband and mobile
growth). Rule with threshold 0.5 (the median province): momentum ≥ 0.5 and acceleration ≥ 0.5 →
成长; momentum ≥ 0.5, acceleration < 0.5 → 扩大; momentum < 0.5, level ≥ 0.5 → 起飞; else 萌芽.
It is *relative* (a rank among provinces) and exists only for 2015–2024.

### 2.6 `ensemble` — majority of the methods that could classify

Runs `curve` (logistic), `signs`, `net_entry` and `scorecard`; the stage is the one given by
more than half of the methods that classified; `agree`/`unanimous` record the agreement.

### 2.7 Stage probabilities — bootstrap

`cr.lifecycle.stage_probabilities`: **parametric** — draw $\theta^* \sim N(\hat\theta,
\hat\Sigma)$ from the fit's covariance and classify every draw; **residual** — resample the
(log) residuals, rebuild $y^* = \hat y\, e^{\varepsilon^*}$, refit and classify (Efron, B. &
Tibshirani, R. (1993), *An Introduction to the Bootstrap*, ch. 9). The share of replicates in
each stage is its probability; `n_failed` counts replicates that could not be classified.
Richards is left out here: its boundaries are found numerically for every draw (≈ 45 ms each).
"""),
    md("""
## 3 · The stage by every method, in real time and in hindsight

`verdict` compares each result with the paper's 成长: **agrees**, **disagrees** (with the stage
found) or **no verdict** (the method could not classify; its reason says why).
"""),
    code("""
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
GROWTH = cr.lifecycle.Stage.GROWTH
verdicts = pd.DataFrame([
    {"region": region_zh, "year": y, "information": info, "method": m,
     "stage": r.stage.name if r.stage else None, "stage_zh": r.label("zh"), "phase": r.phase,
     "verdict": ("no verdict" if r.stage is None else
                 "agrees" if r.stage == GROWTH else f"disagrees ({r.stage.zh})"),
     "reason": r.reason} for (y, info, m), r in results.items()])
saved = cr.runner.save_table(verdicts, "stage_verdicts")
"""),
    code("""
# NBVAL_CHECK_OUTPUT
print(verdicts.pivot_table(index=["information", "method"], columns="year", values="verdict",
                           aggfunc="first", sort=False).to_string())
"""),
    md("Why — the reason each method gives:"),
    code("""
print("\\n".join(f"{y} {info:9s} {m:15s} {r.label('zh') or '-':4s} {r.reason}"
                for (y, info, m), r in results.items()))
"""),
    md("""
### The verdict against the paper's 成长
"""),
    code("""
# NBVAL_CHECK_OUTPUT
reference = "paper 成长" if region_zh == "上海" else "成长 (the paper's stage for Shanghai)"
lines = []
for y in years:
    for info in ("realtime", "hindsight"):
        ens = results[(y, info, "ensemble")]
        stages = {m: results[(y, info, m)].label("zh") for m in method_names[:-1]}
        found = sorted({s for s in stages.values() if s})
        n_ok = sum(s is not None for s in stages.values())
        who = "the majority finds" if n_ok > 1 else "the only method that classifies finds"
        if ens.stage is None and not found:
            text = "NOT CHECKABLE - no method can classify"
        elif ens.stage == cr.lifecycle.Stage.GROWTH:
            text = f"REPRODUCED - {who} 成长"
        elif ens.stage is None:
            text = f"NOT REPRODUCED - methods disagree ({', '.join(found)}), no majority"
        else:
            text = f"NOT REPRODUCED - {who} {ens.stage.zh} ({ens.stage.en})"
        lines.append(f"{region_zh} {y}, {info}: {reference} -> {text}; "
                     f"{n_ok} of {len(stages)} methods classify: "
                     + ", ".join(f"{m}={s or '-'}" for m, s in stages.items()))
print("\\n".join(lines))
"""),
    md("""
### Where the boundaries are

The knees and the inflection of each curve fit that could be made (hindsight fits and, where
there were enough points, real-time fits), with 95 % intervals (`year ± 1.96 se`, delta
method). `share_of_ceiling` is the level at the boundary relative to the ceiling.
"""),
    code("""
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
    saved = cr.runner.save_table(bounds.reset_index(), "stage_boundaries")
    print(bounds.to_string(float_format=lambda x: f"{x:.2f}"))
else:
    print("no curve fit has an identified ceiling: no boundary can be estimated")
"""),
    md("""
## 4 · Stage probabilities

The point classification above says nothing about how sure it is. The bootstrap does: each row
gives the share of replicates in each stage. All NaN with `n_failed = n_boot` means the point
classification itself failed (too few points, or the ceiling not identified).
"""),
    code("""
# NBVAL_CHECK_OUTPUT
prob_specs = [(f"curve:{m}", "parametric") for m in curve_models if m != "richards"]
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
saved = cr.runner.save_table(probabilities, "stage_probabilities")
print(f"n_boot = {n_boot}, seed = {seed}")
print(probabilities.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
"""),
    md("""
## 5 · Stage timeline

Every method in every year of the series, with the information set by `information`. White
cells with "–": the method cannot classify that year. The paper's years are outlined in red.
"""),
    code("""
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
saved = cr.runner.save_table(timeline.assign(stage=timeline.stage.map(
    lambda s: s.name if s else None)), "stage_timeline")
title = (f"{cr.data.region_name(region_zh, lang=lang)} · "
         + ({"realtime": "实时", "hindsight": "事后"}[information] if lang == "zh" else information))
fig = cr.plotting.stage_timeline(timeline, lang=lang, title=title, paper_years=tuple(years))
saved = cr.plotting.save(fig, "stage_timeline")
"""),
    md("""
## 6 · Sensitivity

### 6.1 The model-free method with a shorter window

`signs` smooths the series with local quadratics over `window` observations and by default needs
`window + 4` = 15 points. With a 5-observation window (the setting notebook 06 uses for the
ten-year NBS panel) it needs 8, and can judge the full (hindsight) series. A short window follows
noise and uneven spacing more closely, so read it as a check on the curves, not as separate
proof.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
short_window = {"window": 5, "min_points": 8}
lines = []
for y in years:
    for info in ("realtime", "hindsight"):
        r = cr.lifecycle.classify(series, y, "signs", info, **short_window)
        lines.append(f"{y} {info:9s} signs(window=5) {r.label('zh') or '-':3s} {r.reason}")
print("\\n".join(lines))
"""),
    md("""
### 6.2 Shanghai without the questionable points

The hindsight curve classification for the judged years without the 2007 association figure and
the unverified 2025 value (see notebook 02).
"""),
    code("""
# NBVAL_CHECK_OUTPUT
questionable = ["hc_researchinchina_2008", "hc_github_codecomment_tjjsh_2026_03_30"]
if region_zh == "上海":
    alt = cr.data.shanghai_transactions(exclude_source_ids=sorted(set(exclude_source_ids)
                                                                  | set(questionable)))
    lines = []
    for y in years:
        for m in curve_models:
            r = cr.lifecycle.classify(alt, y, "curve", "hindsight", model=m)
            lines.append(f"{y} {m:9s} {r.label('zh') or '-':3s} {r.reason}")
    print("\\n".join(lines))
else:
    print(f"{region_zh}: NBS panel only, no questionable sources to drop")
"""),
    md("""
## What this shows

(The numbers quoted are those of the default run: Shanghai, 2010–2011. The tables above are
recomputed for any other region and year.)

* **In real time the paper's judgement cannot be checked.** Up to 2011 there are only four annual
  actuals (2002, 2007, 2009, 2010). No S-curve can be fitted with a ceiling (notebook 02), the
  model-free methods need 15 points, and firm counts and the scorecard panel start in 2015. The
  paper's 成长 was a qualitative judgement; no quantitative method could have confirmed or refuted
  it with the data of the time.
* **In hindsight it is not reproduced — but only just.** Every S-curve whose ceiling is
  identified (logistic, Richards, Bass) puts 2010 and 2011 in phase I, 萌芽, shortly *before* the
  lower knee (2011.6–2013.1 depending on the model; the inflection 2015.7–2017.7). For 2011 the
  year lies inside the 95 % interval of the lower knee for logistic and Richards, and the
  bootstrap gives 成长 a probability of at most a few per cent (section 4). The Gompertz ceiling
  is not identified, so it cannot classify; with their default 11-observation window `signs`
  and `net_entry` need longer series, and the scorecard panel starts in 2015. With a
  5-observation window (section 6.1) the model-free `signs` method can judge the hindsight series
  and agrees: 萌芽, before the lower knee of its smoothed path (≈ 2014). Dropping the
  questionable points (section 6.2) does not change this.
* **Read with care.** The four stages are mapped to curve phases by a convention (phase II =
  成长); a reader who takes 成长 to begin when growth is "fast" rather than at the lower knee would
  call 2010–2011 the start of 成长. With eight points — one of them secondary and one of them
  after a definition break — the honest statement is: in hindsight Shanghai's e-commerce in
  2010–2011 was at the end of the embryonic phase, on the threshold of the growth stage.
* **The timeline in real time** (run file `03_lifecycle_stage_realtime.yaml`) shows how fragile
  the curves are: they first classify in 2021, when the 2021 value below 2019 (a probable
  definition break) makes the fitted curve flatten, and then call Shanghai 起飞 (logistic) or
  扩大/起飞 (Bass) — far ahead of the hindsight boundaries above. The scorecard (2017–2024) is a
  rank among provinces and moves between 成长, 扩大 and 起飞 from year to year.
* For other regions the NBS panel has ten years (2015–2024), too short for `signs` and
  `net_entry` with their default windows; the curve and the scorecard carry the judgement there
  (for Beijing no S-curve ceiling is identified: its sales show no slowdown yet), and `signs`
  with a 5-observation window (section 6.1) gives a model-free check.
"""),
]


def main() -> None:
    for name, cells in [("02_shanghai_growth", NB02), ("03_lifecycle_stage", NB03)]:
        nbformat.write(notebook(cells), HERE / f"{name}.ipynb")
        print(f"wrote {name}.ipynb")


if __name__ == "__main__":
    main()
