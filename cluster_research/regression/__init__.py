"""Estimate panel regressions (pooled, fixed effects, first differences) on statsmodels.

Subpackage layout: :mod:`~cluster_research.regression.panel` (estimators and
:class:`PanelResults`), :mod:`~cluster_research.regression.covariance`,
:mod:`~cluster_research.regression.design` (formula, sample, rank and conditioning
checks), :mod:`~cluster_research.regression.diagnostics`,
:mod:`~cluster_research.regression.frame` (analysis frames) and
:mod:`~cluster_research.regression.robustness` (robustness tables as numbers).

The estimators are thin, explicit wrappers around :class:`statsmodels.api.OLS`:

* **Fixed effects** use the *within* transformation.  One-way effects demean
  every variable by entity (or by period); two-way effects use the exact double
  demeaning ``x_it - x_i. - x_.t + x_..`` on balanced panels and, on
  unbalanced panels, entity demeaning followed by partialling out the
  (entity-demeaned) period dummies (Frisch–Waugh–Lovell), which is exact for
  any pattern of missing cells.  The residual degrees of freedom are
  ``n - k - a`` where ``a`` is the number of absorbed effects (``N`` entities,
  ``T`` periods, or the rank of the entity and period dummies together,
  ``N + T - 1`` for a connected panel).  This correction is what makes the
  conventional standard errors equal those of Baltagi (2005, Table 2.1) and of
  R's ``plm(model = "within")``.
* **Covariances** come from statsmodels: ``"nonrobust"``, ``"HC1"``,
  ``"cluster"`` (by entity, ``cov_type="cluster"``) and ``"driscoll-kraay"``
  (Newey–West on the cross-sectional sums of the scores,
  ``cov_type="hac-groupsum"`` with period codes, Bartlett kernel, no
  small-sample correction, as Stata's ``xtscc``).  Clustered errors use
  statsmodels' default correction ``G/(G-1) (n-1)/(n-k)`` (as Stata's
  ``vce(cluster)``; ``k`` counts the estimated, not the absorbed, parameters).
  Inference always uses Student-t distributions; for clustered and
  Driscoll–Kraay errors the inference degrees of freedom are ``G - 1`` with
  ``G`` the number of entities (as ``xtscc`` does).

References
----------
Baltagi, B. H. (2005). *Econometric Analysis of Panel Data*, 3rd ed., Wiley,
Table 2.1 (Grunfeld investment equation).
Driscoll, J. C. and Kraay, A. C. (1998). Consistent covariance matrix
estimation with spatially dependent panel data. *Review of Economics and
Statistics* 80(4), 549–560.
Hoechle, D. (2007). Robust standard errors for panel regressions with
cross-sectional dependence. *Stata Journal* 7(3), 281–312.
Wooldridge, J. M. (2010). *Econometric Analysis of Cross Section and Panel
Data*, 2nd ed., MIT Press, §10.5.4 (serial-correlation test).
Pesaran, M. H. (2004). General diagnostic tests for cross section dependence
in panels. CESifo Working Paper 1229.
"""

from __future__ import annotations

from ..errors import CollinearityWarning, MissingColumnError
from .covariance import COV_TYPES
from .design import CONDITION_RAISE, CONDITION_WARN, EFFECTS, condition_number
from .diagnostics import pesaran_cd, vif, wooldridge_serial
from .frame import PANEL_INDICATORS, analysis_frame
from .panel import PanelResults, first_difference, panel, pooled
from .robustness import (
    STAR_LEVELS, format_robustness, robustness_table, spec_key, split_label, stars)

__all__ = ["CONDITION_RAISE", "CONDITION_WARN", "COV_TYPES", "EFFECTS", "PANEL_INDICATORS",
           "STAR_LEVELS", "CollinearityWarning", "MissingColumnError", "PanelResults",
           "analysis_frame", "condition_number", "first_difference", "format_robustness", "panel",
           "pesaran_cd", "pooled", "robustness_table", "spec_key", "split_label", "stars", "vif",
           "wooldridge_serial"]
