"""Fit growth curves to short annual series and summarise growth arithmetic.

Models (``fit(years, values, model=...)``), with time ``t`` in calendar years:

=============  ===========================================================  =====================
model          mean level curve                                             parameters
=============  ===========================================================  =====================
exponential    ``exp(a + r (t - t_ref))``  (``t_ref`` = mean fitted year)    ``a, r``
logistic       ``K / (1 + exp(-k (t - t0)))``  (t0 = inflection year)       ``K, k, t0``
gompertz       ``K exp(-exp(-b (t - t0)))``  (t0 = inflection, y = K/e)     ``K, b, t0``
richards       ``K (1 + exp(-k (t - t0)))^(-1/nu)``                         ``K, k, t0, nu``
bass           ``M F(t)``, ``F = (1 - e^{-(p+q)(t-tau)}) /                  ``M, p, q, tau``
               (1 + (q/p) e^{-(p+q)(t-tau)})``, F = 0 for t <= tau
=============  ===========================================================  =====================

Richards: ``nu = 1`` is the logistic; the inflection is at ``t0 - ln(nu)/k`` (where the level is
``K (1 + nu)^(-1/nu)``), reported by :attr:`GrowthResults.inflection`.  It is fitted internally
with the inflection time ``ti = t0 - ln(nu)/k`` (``y = K (1 + nu e^{-k(t-ti)})^(-1/nu)``, which
tends smoothly to the Gompertz curve as ``nu -> 0``); the covariance of the reported ``t0`` comes
from the exact delta method; :func:`fit_mixed` reports the same ``t0``.  Bass: ``tau`` is the
year adoption starts (F(tau) = 0).

Data forms (``form=``): ``"cumulative"`` (the level ``L(t)``, default), ``"interval"``
(per-period increments ``y_t = L(t) - L(t-1)``, Srinivasan & Mason 1986) and ``"rate"`` (the
instantaneous rate ``dL/dt`` at ``t``, Bass 1969's continuous sales curve ``M f(t)``).  For the
Bass model ``tau`` is fixed by default at the first year minus one in the interval and rate
forms (the first observation is the first period after launch) and estimated in the cumulative
form (bounded to [first year - 2 span - 1, first year]).  Any parameter can be fixed with
``fix={"tau": 1995}``; fixed parameters have zero standard error and are excluded from the
parameter count.  :meth:`GrowthResults.curve` always returns the level ``L(t)``.

Identification (:attr:`GrowthResults.identified`, decided when the fit is made): an S-curve's
ceiling counts as identified only if (i) the limit ``K -> inf`` (``phi = 1/K = 0``, the nested
exponential) lies outside the 95 % profile-likelihood region (a likelihood-ratio comparison with
the exponential's closed-form RSS), (ii) a ceiling ten times the estimate lies outside it too
(one profile point), and (iii) the data reach at least half of the fitted ceiling;
``identified_reason`` says which condition failed.

Fitting (non-linear models): variable projection (:mod:`cluster_research.growth.varpro`; R
``nls(algorithm = "plinear")``): the ceiling is eliminated in closed form and the exponential
limit is a finite face of the reduced problem, so an unidentified ceiling ends there (at the
ceiling's cap) instead of running along a ridge.  ``settings["optimizer"]``/``settings["method"]``
and ``convergence["method"]`` name what ran.  A ceiling is bounded above by ``CEILING_FACTOR``
(10^8) times the largest level; a fit that ends there reports ``converged=False``.  Bass ``tau`` on its lower bound
(the p -> 0 ridge) is flagged in ``convergence["bass_tau_ridge"]`` and the message.  The
covariance is the usual non-linear least squares one, ``cov = s^2 (J'J)^{-1}``,
``s^2 = RSS / (n - p)`` (or a sandwich with ``cov_type="HC0".."HC3"``/``"HAC"``).  Time is
centred internally at the mean year (numerical conditioning); parameters are reported in
calendar years.  Model specifications (``f``, ``jac``, bounds, starts, boundaries) are public:
:data:`SPECS`, :func:`get_spec`.

Results (:class:`GrowthResults`, :class:`MixedResults`, and ``regression``'s ``PanelResults``)
share one protocol: ``params``, ``bse``, ``cov_params()``, ``conf_int(alpha)`` (columns
``lower``, ``upper``), ``summary()``, ``nobs`` and ``cov_type``.

Errors: ``errors="additive"`` minimises ``sum w (y - f)^2``; ``errors="multiplicative"``
minimises ``sum w (log y - log f)^2``.  The exponential model with multiplicative errors is the
log-linear OLS/WLS regression fitted by statsmodels (``cov_type`` passed through).

Information criteria use the Gaussian log-likelihood on the scale of ``y`` (for multiplicative
errors the Jacobian term ``-sum log y`` is included, so additive and multiplicative fits are
comparable) with ``k = p + 1`` parameters (the error variance counts), as R's ``AIC.nls``.

References
----------
Bates, D. M. and Watts, D. G. (1988). *Nonlinear Regression Analysis and Its Applications*.
Wiley.  Golub, G. and Pereyra, V. (2003). Separable nonlinear least squares: the variable
projection method and its applications. *Inverse Problems* 19, R1-R26.  Srinivasan, V. and
Mason, C. H. (1986). Nonlinear least squares estimation of new product diffusion models.
*Marketing Science* 5(2), 169-178.  Richards, F. J. (1959). A flexible growth function for
empirical use. *J. Exp. Bot.* 10, 290-300.
"""

from __future__ import annotations

from .arithmetic import cagr, doubling_time, fold_change, increase_multiple
from .compare import compare
from .fit import COV_TYPES, fit, nls
from .results import IDENTIFIED_RATIO, GrowthResults, NLSResults, ceiling_interval_text, round_sig
from .solve import OPTIMIZER, least_squares_fit
from .specs import CEILING_FACTOR, MODELS, SPECS, ModelSpec, get_spec

from .mixed import MODEL_SPECS as MIXED_MODELS, MixedModelSpec, MixedResults, fit_mixed  # isort: skip

__all__ = [
    "CEILING_FACTOR", "COV_TYPES", "IDENTIFIED_RATIO", "MIXED_MODELS", "MODELS", "OPTIMIZER",
    "SPECS", "GrowthResults", "MixedModelSpec", "MixedResults", "ModelSpec", "NLSResults", "cagr",
    "ceiling_interval_text", "compare", "doubling_time", "fit", "fit_mixed", "fold_change",
    "get_spec", "increase_multiple", "least_squares_fit", "nls", "round_sig"]
