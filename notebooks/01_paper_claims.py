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
# # 01 · The paper's claims, checked one by one
#
# The paper *上海电子商务产业集群推进策略研究* (c. 2011) makes a handful of statements that can be
# checked with numbers: Shanghai's e-commerce transactions grew from "250多亿元" in 2002 to
# 4252.8亿元 in 2010 ("上升了近16倍"), reached 2495.05亿元 in the first half of 2011 (+24.77 %),
# the cluster is "in the growth stage" (成长阶段), the parks sit in five districts (Figure 1) and
# the cluster has twelve kinds of members.
#
# This notebook puts every such claim in a table, recomputes it from **independent published
# sources** (the Shanghai Commission of Commerce figures reported in the press, recorded with their
# URLs in `data/raw/hand_collected/series.csv`) and gives a verdict:
#
# * **reproduced** – the independent value agrees within the stated tolerance;
# * **not reproduced** – it does not (the reason says by how much and why);
# * **not checkable** – no independent number exists (the reason says what is missing).
#
# Nothing here is fitted or tuned to agree with the paper; the logic lives in
# `cluster_research.claims`, this notebook only calls it and explains the result.

# %% tags=["parameters"]
lang = "zh"  # figure labels: "zh" or "en"

# %%
import pandas as pd
from IPython.display import HTML

import cluster_research as cr
cr.notebook_setup()

# %% [markdown]
# ## 1 · The data: Shanghai's e-commerce transaction volume
#
# Every value carries a **qualifier**: `exact` (a published figure), `approx` ("约"),
# `lower_bound` ("超过", "多") or `target` (a plan or forecast — never used as an actual).
# Values are in 亿元 (100 million yuan); the original wording and unit are kept in
# `value_original` / `unit_original`.

# %%
# NBVAL_CHECK_OUTPUT
shanghai = cr.data.load("shanghai_ecommerce")
volume = shanghai[shanghai.series == "ecommerce_transaction_volume"]
volume[["year", "period", "value", "qualifier", "source_title"]]

# %%
fig = cr.viz.series_plot(volume[volume.period == "FY"], lang=lang,
                              title=cr.viz.label("shanghai_volume", lang))
saved = cr.viz.save(fig, "shanghai_transactions")

# %% [markdown]
# ## 2 · The arithmetic behind the claims
#
# For a start value $v_0$ and an end value $v_1$ that are $n$ years apart:
#
# * **fold change** $\;F = v_1 / v_0$ — "becomes $F$ times as large" (增长到 $F$ 倍);
# * **increase multiple** $\;M = v_1 / v_0 - 1 = F - 1$ — "increased by $M$ times"
#   (增长了 / 上升了 $M$ 倍). In Chinese statistical writing "上升了 $N$ 倍" normally means the
#   increase multiple, so "上升了16倍" would be a 17-fold value. We compute both readings;
# * **compound annual growth rate** $\;g = (v_1/v_0)^{1/n} - 1$;
# * **doubling time** $\;T_2 = \ln 2 / \ln(1+g)$ years.
#
# Qualifiers turn into ranges, not into exact numbers:
#
# * "250多" = more than 250, below 260: an interval $[250, 260)$; with $v_0 = 250$ the computed
#   multiple is therefore an **upper bound**;
# * "近 $N$" (nearly $N$) is accepted in $[N-0.5,\; N+0.05]$;
# * "约25%" is a value rounded to a whole percent: $[24.5, 25.5)$.
#
# Reference: the growth arithmetic is in `cluster_research.growth` (`fold_change`,
# `increase_multiple`, `cagr`, `doubling_time`); any textbook on growth rates, e.g. OECD,
# *Measuring Productivity* (2001), annex on growth rates.
#
# The claims as data (quote, section, the paper's value, unit, check, tolerance):

# %%
# NBVAL_CHECK_OUTPUT
print(cr.lifecycle.STAGE_DEFINITION[lang])
cr.claims.claims()

# %% [markdown]
# ## 3 · The verdicts
#
# Green = reproduced, red = not reproduced, grey = not checkable. The `reason` column says which
# source was used and why a claim could not be checked.

# %%
checked = cr.claims.check_all(kinds=cr.claims.KINDS)  # the claims and the checks behind them
table = checked[checked.kind == "claim"].drop(columns="kind").reset_index(drop=True)
saved = cr.outputs.save_table(table, "claims")
HTML(cr.claims.style(table).to_html())  # colour-coded table

# %% [markdown]
# The key numbers again, as plain text (this cell is checked strictly by nbval, so any change in
# the data or the code that moves a verdict or a value fails the test suite):

# %%
# NBVAL_CHECK_OUTPUT
print(cr.claims.summary(table))
print(table[["claim_id", "paper_value", "reproduced_value", "verdict"]]
      .to_string(index=False, float_format=lambda x: f"{x:.2f}"))
print(cr.lifecycle.STAGE_DEFINITION[lang])

# %%
from myst_nb import glue  # the landing page of the report quotes these (`{glue:text}`)

verdicts = table["verdict"].value_counts()
glue("claims_n", len(table), display=False)
for verdict in ("reproduced", "not reproduced", "not checkable"):
    glue(f"claims_{verdict.replace(' ', '_')}", int(verdicts.get(verdict, 0)), display=False)

# %% [markdown]
# The table counts each statement of the paper once. The checks behind them sit in a table of
# their own (`cr.claims.check_details`): another reading of a claim's words (C04, "倍" read as a
# fold change), quantities the paper implies but does not state (C05, C06, C09, C10), and the
# four judgements of the stage claim C12 (2010 and 2011, in real time and in hindsight):

# %%
# NBVAL_CHECK_OUTPUT
details = checked[checked.kind != "claim"].reset_index(drop=True)
saved = cr.outputs.save_table(details, "claim_checks")
print(details[["claim_id", "kind", "paper_value", "reproduced_value", "verdict"]]
      .to_string(index=False, float_format=lambda x: f"{x:.2f}"))

# %% [markdown]
# ## 4 · Reading the results
#
# **"近16倍".** With the independent 2002 value (253.86亿元, Shanghai Commission of Commerce) the
# increase multiple is $4252.8/253.86 - 1 = 15.75$: "nearly 16" — the claim holds **as an increase
# multiple** (C03). Read as a fold change, the same numbers give 16.75 ("nearly 17"), so that reading
# does not reproduce the claim (C04). The paper's own "250多" gives 16.01 as an upper bound.
# Other press reports round differently ("16倍", "grew 15 fold"), which is why the convention has to
# be stated.
#
# **CAGR and doubling time** are not in the paper; they are derived from its numbers
# (≈42.5 %/yr, i.e. the volume doubled about every two years) and agree with the independent value
# to within a few tenths of a percentage point.
#
# **2011 H1.** The value 2495.05亿元 is confirmed exactly; the independent report gives "约25%",
# consistent with 24.77 % but only to a whole percent. The implied 2010 H1 value
# ($2495.05/1.2477 \approx 1999.7$亿元, 47 % of the 2010 total) cannot be checked: no source in the
# data reports 2010 H1.
#
# **The growth stage (成长).** The four judgements behind C12 call `cr.lifecycle.classify`
# (ensemble of classifiers) with the data available in real time (up to the year judged) and in
# hindsight (all years); C12 is reproduced only if every judgement that can be made gives 成长.
# Their reasons are printed below; notebook 03 explains the classifiers in detail.

# %%
stage_rows = pd.concat([table[table.claim_id.isin(["C11", "C12"])],
                        details[details.kind == "judgement"]])
for row in stage_rows.itertuples():
    value = "-" if pd.isna(row.reproduced_value) or row.reproduced_value == "" else row.reproduced_value
    print(f"{row.claim_id} {row.claim}: {row.verdict} ({value})")
    print(f"    {row.reason}")
print(cr.lifecycle.STAGE_DEFINITION[lang])

# %% [markdown]
# ## What this shows
#
# * The paper's **numbers** are sound: every figure that an independent source reports (2002, 2010,
#   2011 H1, the H1 growth rate) agrees with it, and "上升了近16倍" is right when 倍 is read as an
#   increase multiple (15.75 with the independent 2002 value), the usual Chinese reading.
# * The derived growth — about 42 % a year, doubling roughly every two years — follows from
#   those numbers alone.
# * The paper's **judgements** are a different matter. The growth-stage claim (成长) is **not
#   reproduced**: in real time (data up to 2010 or 2011: only four annual actuals, 2002, 2007, 2009,
#   2010) no classifier can decide, and in hindsight (all annual actuals to 2025; note that the 2025
#   value is a secondary citation still to be verified and that 2021 lies below 2019, a likely
#   change of definition) the classifiers
#   put 2010–11 in the embryonic stage (萌芽), just before the lower knee of the fitted curve —
#   with an interval wide enough to call the boundary uncertain (see the reasons above and
#   notebook 03). "居全国前列" cannot be checked for 2010–2011 because provincial e-commerce
#   statistics start in 2015 (Shanghai ranks 2nd in e-commerce sales that year).
# * Some derived quantities (the implied 2010 H1 value and its share of the year) remain
#   **not checkable** until a source for 2010 H1 is found; they are reported, not assumed.
