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
# # 08 · What drives e-commerce sales? A provincial panel regression, with its limits
#
# The paper argues that a better e-commerce **environment** (networks, computers, websites) and a
# larger **economy** make the cluster grow. With the NBS panel we can ask a narrower question:
# *within* a province, do years with more broadband users, mobile internet users, computers and
# websites have higher enterprise e-commerce sales? This is an association, not a causal effect.
#
# Parameters: `dk_maxlags` (Driscoll–Kraay lag truncation; `None` = the default rule),
# `break_threshold` (year-on-year drop above which a value is treated as a probable break of
# definition or coverage), `lang`.

# %% tags=["parameters"]
break_threshold = -0.30  # y/y change of ecommerce_sales below this: a flagged break
dk_maxlags = None  # Driscoll-Kraay lag truncation; None: the rule floor(4 (T/100)^(2/9))
lang = "zh"  # figure labels: "zh" or "en"

# %%

import cluster_research as cr
cr.notebook_setup()

# %% [markdown]
# ## 1 · The model and the data
#
# $$\log S_{it} = \beta_1 \log B_{it} + \beta_2 \log M_{it} + \beta_3 C_{it} + \beta_4 W_{it}
#   \;[+\; \beta_5 \log \text{GDP}_{it}] + a_i \;[+\; \lambda_t] + e_{it}$$
#
# $S$ enterprise e-commerce sales (亿元), $B$ broadband users, $M$ mobile internet users (万户),
# $C$ computers per 100 people, $W$ websites per 100 firms; $a_i$ province effects (everything
# about a province that does not change), $\lambda_t$ year effects (everything that hits all
# provinces in a year: the national e-commerce boom, COVID). Estimated by the *within*
# transformation (`cr.regression.panel`; Baltagi 2005, ch. 2–3). Standard errors:
# **clustered by province** (robust to any serial correlation within a province) and
# **Driscoll–Kraay** (also robust to correlation across provinces in the same year; Driscoll &
# Kraay 1998, Hoechle 2007). Both rely on asymptotics: 31 provinces and 10 years is a small
# panel, so their p-values are approximate.
#
# GDP (地区生产总值) exists for 2019–2024 only, so models with GDP use six years.

# %%
regressors = ["ecommerce_sales", "broadband_users", "mobile_internet_users",
              "computers_per_100_people", "websites_per_100_firms"]
frame, dropped = cr.regression.analysis_frame(regressors)
frame_gdp, dropped_gdp = cr.regression.analysis_frame(regressors, ["gdp"], years=range(2019, 2025))
print(f"2015-2024: {len(frame)} region-years, {frame.region.nunique()} regions, "
      f"{len(dropped)} dropped; 2019-2024 with GDP: {len(frame_gdp)} region-years, "
      f"{len(dropped_gdp)} dropped")
frame.describe().T[["mean", "std", "min", "max"]]

# %% [markdown]
# **Flagged breaks.** `data/README.md` (caveat 2) lists eight year-on-year drops of
# `ecommerce_sales` larger than 30 % that the source does not explain (a change of coverage or
# definition is likely). `cr.data.breaks` recomputes them from the data — the change
# $c_{r,t} = x_{r,t}/x_{r,t-1} - 1$ between consecutive years, flagged when below
# `break_threshold` — and one robustness check leaves them out (the region-year of the drop only;
# earlier and later years stay in).

# %%
# NBVAL_CHECK_OUTPUT
breaks = cr.data.breaks("ecommerce_sales", break_threshold)
print(breaks[["region", "year", "previous", "value", "change"]].to_string(index=False))
frame_nobreaks, dropped_breaks = cr.regression.analysis_frame(regressors, exclude=breaks)
print(f"left out: {len(dropped_breaks)} region-years; {len(frame_nobreaks)} remain")

# %% [markdown]
# ## 2 · Estimates
#
# Specifications (all with province effects; `cov` = standard errors):

# %%
base = ("log_ecommerce_sales ~ log_broadband_users + log_mobile_internet_users"
        " + computers_per_100_people + websites_per_100_firms")
specs = [  # label (letter + description), data, formula, effects, standard errors, zh description
    ("A entity FE, clustered", frame, base, "entity", "cluster", "个体固定效应，按省聚类"),
    ("B two-way FE, clustered", frame, base, "twoway", "cluster", "双向固定效应，按省聚类"),
    ("C two-way FE, Driscoll-Kraay", frame, base, "twoway", "driscoll-kraay",
     "双向固定效应，Driscoll–Kraay 标准误"),
    ("D two-way FE, no break years, clustered", frame_nobreaks, base, "twoway", "cluster",
     "双向固定效应，剔除断点年份，按省聚类"),
    ("E entity FE 2019-24, clustered", frame_gdp, base, "entity", "cluster",
     "个体固定效应，2019–24 年，按省聚类"),
    ("F entity FE 2019-24 + log GDP, clustered", frame_gdp, base + " + log_gdp", "entity",
     "cluster", "个体固定效应，2019–24 年，加 ln 地区生产总值，按省聚类"),
    ("G two-way FE 2019-24 + log GDP, clustered", frame_gdp, base + " + log_gdp", "twoway",
     "cluster", "双向固定效应，2019–24 年，加 ln 地区生产总值，按省聚类"),
]
results = {name: cr.regression.panel(df, f, entity="region", time="year", effects=eff,
                                     cov_type=cov, maxlags=dk_maxlags if cov != "cluster" else None)
           for name, df, f, eff, cov, _ in specs}
descriptions_zh = {cr.regression.split_label(name)[0]: zh for name, *_, zh in specs}
print(results["B two-way FE, clustered"].summary())

# %% [markdown]
# The robustness table. Saved as numbers (`cr.regression.robustness_table`: one row per
# specification and term with estimate, standard error, p-value and 95 % interval); the key
# (`cr.regression.spec_key`) says what each letter A–G stands for. Displayed the usual way:
# one column per specification, coefficient with its standard error in brackets and stars for
# p < 0.10 / 0.05 / 0.01 (display only); the bottom rows give the sample and the within R²
# (the share of the *within-province* variation explained).

# %%
# NBVAL_CHECK_OUTPUT
coefficients = cr.regression.robustness_table(results)  # numbers: estimate, SE, p-value
saved = cr.outputs.save_table(coefficients, "robustness")
key = cr.regression.spec_key(results)  # specification label -> description
saved = cr.outputs.save_table(key, "specifications")
print(key[["spec", "description", "effects", "cov_type", "nobs", "first_period",
           "last_period"]].to_string(index=False))
print(cr.regression.format_robustness(coefficients).to_string())  # stars only in display

# %%
from myst_nb import glue  # the landing page of the report quotes this (`{glue:text}`)

broadband = coefficients[coefficients["term"] == "log_broadband_users"]
glue("broadband", "; ".join(f"{r.spec}: {r.estimate:.3f} ({r.std_error:.3f})"
                            for r in broadband.itertuples()), display=False)

# %% [markdown]
# ## 3 · Diagnostics
#
# Wooldridge's test for first-order serial correlation of the idiosyncratic errors (H0: none),
# Pesaran's CD test for cross-sectional dependence (H0: none), Jarque–Bera and Breusch–Pagan on
# the residuals, for the main specification (B).

# %%
# NBVAL_CHECK_OUTPUT
diag = results["B two-way FE, clustered"].diagnostics()
saved = cr.outputs.save_table(diag, "diagnostics")
print(diag.to_string(index=False, float_format=lambda x: f"{x:.3f}"))

# %%
# in Chinese: the variables under their NBS names, the key from the zh descriptions above
names = ({**cr.data.indicator_names("provincial_panel"),
          **cr.data.indicator_names("provincial_economy")} if lang == "zh" else None)
fig = cr.viz.coefficient_plot(coefficients, key, lang=lang, names=names, skip=("log_gdp",),
                              dependent=base.split("~")[0].strip(),
                              descriptions=descriptions_zh if lang == "zh" else None)
saved = cr.viz.save(fig, "coefficients")

# %% [markdown]
# ## What this shows
#
# Read the numbers above with these limits in mind — they are the main finding:
#
# * **With province effects only, the infrastructure variables seem to matter** (spec A: an
#   elasticity of sales to broadband users of about 0.7, within R² 0.75). But that R² is mostly the
#   **common national trend**: everything grew together in 2015–2024. Once year effects absorb it
#   (spec B), the within R² falls to about **0.05**, the broadband elasticity to about 0.01 (standard
#   error 0.33), and no covariate is clearly different from zero; computers
#   per 100 people even turns slightly negative. The within-province, within-year variation that
#   identifies a driver is small and noisy.
# * **Serial correlation and few periods.** Wooldridge's test rejects "no serial correlation"
#   (p < 0.001), so conventional standard errors would be too small; clustered and Driscoll–Kraay
#   errors allow for it, but with 31 clusters and 10 years (6 with GDP) their p-values are
#   approximate, and Driscoll–Kraay errors from 10 periods rest on very little information — the
#   stars in spec C should not be trusted more than spec B's. Pesaran's CD test does not reject
#   cross-sectional independence of the two-way residuals (the year effects take out the common
#   shocks). The residuals are far from normal (Jarque–Bera), another reason to distrust small-
#   sample p-values.
# * **GDP years.** In 2019–2024 with GDP (specs F, G), sales move with GDP (elasticity about
#   1.5–1.7) and broadband keeps a positive coefficient — but that is six years in which COVID and
#   the post-census GDP revision (data/README.md, caveat 3) fall, and the two-way within R² is 0.17.
# * **Not causal.** Sales are booked where firms are registered, infrastructure is partly a
#   result of e-commerce rather than its cause, and the paper's policy levers (parks, funds,
#   standards) are not in the data. The regression describes co-movement; it does not test the
#   paper's strategy, and on this panel it finds no robust driver.
#
# Generated from this run's tables (spec D against spec B, and spec C's lag truncation):

# %%
# NBVAL_CHECK_OUTPUT
from IPython.display import Markdown

b_, d_ = (coefficients[coefficients.spec == k].set_index("term") for k in ("B", "D"))
moved = ((d_.estimate - b_.estimate).abs() / b_.std_error).dropna()
flipped = [t for t in moved.index if (b_.p_value[t] < 0.05) != (d_.p_value[t] < 0.05)]
dk = key.set_index("spec")
Markdown("\n".join([
    f"* **Flagged breaks** (spec D: the {len(dropped_breaks)} region-years with a year-on-year "
    f"drop of more than {-break_threshold:.0%} left out): the estimates move by at most "
    f"{moved.max():.2f} standard errors of spec B ({moved.idxmax()}); "
    + (f"significance at 5 % changes for {', '.join(flipped)}." if flipped
       else "no term changes its significance at 5 %."),
    "* **Spec C** uses Driscoll-Kraay errors with "
    + (f"{dk_maxlags} lag(s) (parameter dk_maxlags)" if dk_maxlags is not None
       else "the default lag rule floor(4 (T/100)^(2/9))")
    + f" on {int(dk.loc['C', 'nobs'])} region-years."]))
