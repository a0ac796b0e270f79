"""Panel estimators on statsmodels OLS: fixed effects (within), pooled, first differences.

See the package docstring of :mod:`cluster_research.regression` for the
transformations, degrees of freedom and covariances.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.stattools import jarque_bera

from ..errors import ParameterError
from .covariance import cov_kwargs
from .design import EFFECTS, check_rank, demean, period_positions, prepare
from .diagnostics import pesaran_cd, vif, wooldridge_serial

__all__ = ["PanelResults", "first_difference", "panel", "pooled"]


@dataclass
class PanelResults:
    """Hold a fitted panel regression: statsmodels results plus panel metadata.

    Attributes
    ----------
    sm : statsmodels RegressionResultsWrapper
        The statsmodels OLS results on the transformed design.
    coef_table : pandas.DataFrame
        Tidy table: term, estimate, std_error, t, p_value, ci_low, ci_high.
    model : str
        ``"within"``, ``"pooled"`` or ``"first_difference"``.
    effects : str
        ``"entity"``, ``"time"``, ``"twoway"`` or ``"none"``.
    cov_type : str
        Covariance type as requested.
    nobs, n_entities, n_periods, df_resid, absorbed : int
        Sample sizes, residual degrees of freedom, number of absorbed effects.
    rsquared_within : float
        ``1 - RSS / TSS`` of the transformed (within / differenced) dependent
        variable (the within R² of ``plm``); for pooled models the usual R².
    balanced : bool
        Whether the estimation sample is a balanced panel.
    dropped : pandas.DataFrame
        Rows dropped for missing values (entity, time, reason).
    maxlags : int or None
        Driscoll–Kraay lag truncation used.
    """
    sm: object
    coef_table: pd.DataFrame
    model: str
    effects: str
    cov_type: str
    formula: str
    nobs: int
    n_entities: int | None
    n_periods: int | None
    df_resid: float
    absorbed: int
    rsquared_within: float
    balanced: bool | None
    dropped: pd.DataFrame
    maxlags: int | None = None
    endog_name: str = ""
    exog_names: list = field(default_factory=list)
    _y_raw: np.ndarray | None = field(default=None, repr=False)
    _X_raw: np.ndarray | None = field(default=None, repr=False)
    _X_t: np.ndarray | None = field(default=None, repr=False)
    _entity: np.ndarray | None = field(default=None, repr=False)
    _time: np.ndarray | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ basics
    @property
    def params(self) -> pd.Series:
        """Return the coefficient estimates as a Series indexed by term."""
        return self.coef_table.set_index("term")["estimate"]

    @property
    def bse(self) -> pd.Series:
        """Return the standard errors as a Series indexed by term."""
        return self.coef_table.set_index("term")["std_error"]

    @property
    def resid(self) -> np.ndarray:
        """Return the residuals of the transformed regression."""
        return np.asarray(self.sm.resid)

    def periods(self) -> np.ndarray:
        """Return the sorted unique periods of the estimation sample.

        Returns
        -------
        numpy.ndarray
            Period values as in the ``time`` column (empty when no time column was given).
        """
        if self._time is None:
            return np.array([])
        return np.unique(np.asarray(self._time))

    def cov_params(self) -> pd.DataFrame:
        """Return the covariance of the estimates (of ``cov_type``) as a DataFrame."""
        return pd.DataFrame(np.asarray(self.sm.cov_params()), index=self.exog_names,
                            columns=self.exog_names)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Return confidence intervals (columns lower, upper) at level 1 - alpha."""
        ci = np.asarray(self.sm.conf_int(alpha=alpha))
        return pd.DataFrame(ci, index=self.exog_names, columns=["lower", "upper"])

    def summary(self) -> str:
        """Return a plain-text summary: model, sample, covariance and coefficients."""
        head = [
            f"Panel regression: {self.formula}",
            f"model: {self.model}   effects: {self.effects}   cov_type: {self.cov_type}"
            + (f" (maxlags={self.maxlags})" if self.maxlags is not None else ""),
            (f"nobs: {self.nobs}   entities: {self.n_entities}   periods: {self.n_periods}"
            f"   balanced: {self.balanced}"),
            (f"df_resid: {self.df_resid:g}   absorbed effects: {self.absorbed}"
            f"   within R²: {self.rsquared_within:.6f}")]
        if len(self.dropped):
            head.append(f"dropped rows (missing values): {len(self.dropped)}")
        table = self.coef_table.to_string(index=False, float_format=lambda v: f"{v:.6g}")
        return "\n".join(head) + "\n" + table

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.summary()

    # ------------------------------------------------------------------ extras
    def elasticities(self) -> pd.DataFrame:
        """Return elasticities implied by the coefficients, with their functional form.

        Forms, with ``b`` the coefficient and means over the estimation sample:

        * log-log (``log y`` on ``log x``): elasticity ``= b``;
        * level-log (``y`` on ``log x``): elasticity at the mean ``= b / mean(y)``;
        * log-level (``log y`` on ``x``): elasticity at the mean ``= b * mean(x)``
          (semi-elasticity ``b``: a unit change in x changes y by ``100 b`` %);
        * level-level: elasticity at the means ``= b * mean(x) / mean(y)``.

        A variable counts as logged when its name starts with ``log_`` or
        ``np.log(`` / ``log(``.  Standard errors scale the coefficient's SE by
        the same factor (means treated as fixed).

        Returns
        -------
        pandas.DataFrame
            term, form, elasticity, std_error.
        """
        def is_log(name):
            return name.startswith(("log_", "np.log(", "log(", "np.log1p("))

        y_log = is_log(self.endog_name)
        y_mean = float(np.mean(self._y_raw))
        rows = []
        for j, term in enumerate(self.exog_names):
            if term == "Intercept":
                continue
            b = float(self.params[term])
            se = float(self.bse[term])
            x_mean = float(np.mean(self._X_raw[:, j]))
            x_log = is_log(term)
            if y_log and x_log:
                form, factor = "log-log", 1.0
            elif x_log:
                form, factor = "level-log", 1.0 / y_mean
            elif y_log:
                form, factor = "log-level", x_mean
            else:
                form, factor = "level-level", x_mean / y_mean
            rows.append((term, form, b * factor, se * abs(factor)))
        return pd.DataFrame(rows, columns=["term", "form", "elasticity", "std_error"])

    def vif(self) -> pd.DataFrame:
        """Return variance inflation factors of the regressors in the estimated design.

        For fixed-effects and first-difference models the VIFs are computed on
        the transformed (within / differenced) regressors, i.e. the variation
        that actually identifies the coefficients.  See :func:`vif`.
        """
        names = [n for n in self.exog_names if n != "Intercept"]
        idx = [self.exog_names.index(n) for n in names]
        return vif(pd.DataFrame(self._X_t[:, idx], columns=names))

    def diagnostics(self) -> pd.DataFrame:
        """Return residual diagnostic tests as a table.

        Tests: Jarque–Bera normality of the residuals; Breusch–Pagan
        heteroskedasticity (LM form, on the estimated design); for panels with at
        least 3 periods, Wooldridge's (2010, §10.5.4) test for first-order serial
        correlation in the idiosyncratic errors (regress first-differenced
        residuals on their lag, H0 coefficient = -0.5, entity-clustered SE,
        F(1, N-1)); and Pesaran's (2004) CD test of cross-sectional dependence,
        ``CD = sqrt(2 / (N (N - 1))) * sum_{i<j} sqrt(T_ij) rho_ij``, over pairs
        with at least 3 common periods, standard normal under H0.

        Returns
        -------
        pandas.DataFrame
            test, statistic, df, p_value, h0.
        """
        resid = self.resid
        jb, jbp, _, _ = jarque_bera(resid)
        rows = [("Jarque-Bera", float(jb), "2", float(jbp), "normal residuals")]
        X = self._X_t
        if not np.any(np.all(np.isclose(X, X[0]), axis=0)):
            X = np.column_stack([np.ones(len(X)), X])
        if X.shape[1] > 1:
            lm, lmp, _, _ = het_breuschpagan(resid, X)
            rows.append(("Breusch-Pagan", float(lm), str(X.shape[1] - 1), float(lmp),
                         "homoskedastic errors"))
        if self._entity is not None and self._time is not None:
            w = wooldridge_serial(self._y_raw, self._X_raw, self._entity, self._time,
                                  exog_names=self.exog_names)
            if w is not None:
                rows.append(("Wooldridge AR(1)", w[0], f"1, {w[1]}", w[2],
                             "no first-order serial correlation"))
            cd = pesaran_cd(resid, self._entity, self._time)
            if cd is not None:
                rows.append(("Pesaran CD", cd, "", float(2 * stats.norm.sf(abs(cd))),
                             "no cross-sectional dependence"))
        return pd.DataFrame(rows, columns=["test", "statistic", "df", "p_value", "h0"])


def _estimate(*, y_t, X_t, names, endog_name, df_resid, cov_type, entity_codes, time_codes,
              n_periods, maxlags, min_clusters, meta):
    if df_resid <= 0:
        raise ParameterError(
            f"no residual degrees of freedom: {len(y_t)} observations, {X_t.shape[1]} "
            f"regressors, {meta['absorbed']} absorbed effects")
    sm_cov, kwds, lags = cov_kwargs(cov_type, entity_codes, time_codes, n_periods,
                                     maxlags, min_clusters)
    mod = sm.OLS(pd.Series(y_t, name=endog_name), pd.DataFrame(X_t, columns=names))
    mod.df_resid = float(df_resid)
    res = mod.fit(method="qr", cov_type=sm_cov, cov_kwds=kwds or None, use_t=True)
    ci = np.asarray(res.conf_int(alpha=0.05))
    table = pd.DataFrame({"term": names, "estimate": np.asarray(res.params),
                          "std_error": np.asarray(res.bse), "t": np.asarray(res.tvalues),
                          "p_value": np.asarray(res.pvalues), "ci_low": ci[:, 0],
                          "ci_high": ci[:, 1]})
    # centre y when the design has an intercept (pooled, first differences with c)
    y_c = y_t - (y_t.mean() if "Intercept" in names else 0.0)
    tss = float(y_c @ y_c)
    r2 = 1.0 - float(res.ssr) / tss if tss > 0 else float("nan")
    return PanelResults(sm=res, coef_table=table, rsquared_within=r2, maxlags=lags,
                        endog_name=endog_name, exog_names=list(names), df_resid=float(df_resid),
                        cov_type=cov_type, _X_t=X_t, **meta)


def panel(df, formula, entity, time, effects="entity", cov_type="nonrobust", maxlags=None,
          min_clusters=10):
    """Fit a fixed-effects (within) panel regression with statsmodels OLS.

    Model: ``y_it = x_it' b + a_i (+ l_t) + e_it``.  The effects are removed by
    the within transformation (see the module docstring; exact for unbalanced
    two-way panels) and OLS is run on the transformed data with
    ``df_resid = n - k - absorbed``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per entity-period.
    formula : str
        Patsy formula, e.g. ``"log_sales ~ log_broadband + log_users"``; the
        intercept is absorbed by the effects and dropped.
    entity, time : str
        Column names of the entity and period identifiers.
    effects : {"entity", "time", "twoway"}
        Which effects to absorb.
    cov_type : {"nonrobust", "HC1", "cluster", "driscoll-kraay"}
        Covariance: conventional, White HC1 (``n / df_resid`` scaling),
        cluster-robust by entity, or Driscoll–Kraay.
    maxlags : int, optional
        Driscoll–Kraay lag truncation; default ``floor(4 (T/100)^(2/9))``.
    min_clusters : int, default 10
        Minimum number of entities (cluster) or periods (Driscoll–Kraay).

    Returns
    -------
    PanelResults

    Raises
    ------
    MissingColumnError
        A formula variable, ``entity`` or ``time`` is not in ``df``.
    ParameterError
        Regressors without within variation or linearly dependent (named), fewer clusters /
        periods than ``min_clusters``, any other invalid specification.
    DataValidationError
        ``log`` of zero or negative values (entity and time named).

    References
    ----------
    Baltagi (2005), ch. 2-3; Driscoll and Kraay (1998).

    Examples
    --------
    >>> from statsmodels.datasets import grunfeld
    >>> g = grunfeld.load_pandas().data
    >>> g = g[g.firm != "American Steel"]          # Baltagi's 10 firms
    >>> res = panel(g, "invest ~ value + capital", "firm", "year")
    >>> round(float(res.params["value"]), 7), round(float(res.bse["value"]), 7)
    (0.1101238, 0.0118567)
    """
    if effects not in EFFECTS:
        raise ParameterError(f"effects must be one of {EFFECTS}, got {effects!r}")
    if entity is None or time is None:
        raise ParameterError("panel() needs both entity and time columns")
    data, y, X, dropped = prepare(df, formula, entity, time, intercept=False)
    names = list(X.columns)
    e_codes, e_uni = pd.factorize(data[entity], sort=True)
    t_codes, t_uni = pd.factorize(data[time], sort=True)
    N, T = len(e_uni), len(t_uni)
    A = np.column_stack([y.to_numpy(float), X.to_numpy(float)])
    balanced = len(data) == N * T
    if effects == "entity":
        W, absorbed = demean(A, e_codes, N), N
    elif effects == "time":
        W, absorbed = demean(A, t_codes, T), T
    elif balanced:
        W, absorbed = demean(demean(A, e_codes, N), t_codes, T), N + T - 1
    else:
        We = demean(A, e_codes, N)
        D = np.zeros((len(data), T))
        D[np.arange(len(data)), t_codes] = 1.0
        De = demean(D, e_codes, N)
        coef, _, rank_d, _ = np.linalg.lstsq(De, We, rcond=None)
        W = We - De @ coef
        absorbed = N + int(rank_d)
    y_t, X_t = W[:, 0], W[:, 1:]
    check_rank(X_t, names, X.to_numpy(float), context=f"{effects} within-transformed design")
    meta = {"model": "within", "effects": effects, "formula": formula, "nobs": len(data),
            "n_entities": N, "n_periods": T, "absorbed": absorbed, "balanced": balanced,
            "dropped": dropped, "_y_raw": y.to_numpy(float).ravel(), "_X_raw": X.to_numpy(float),
            "_entity": np.asarray(data[entity]), "_time": np.asarray(data[time])}
    return _estimate(y_t=y_t, X_t=X_t, names=names, endog_name=y.columns[0],
                     df_resid=len(data) - X_t.shape[1] - absorbed, cov_type=cov_type,
                     entity_codes=e_codes, time_codes=t_codes, n_periods=T, maxlags=maxlags,
                     min_clusters=min_clusters, meta=meta)


def pooled(df, formula, entity=None, time=None, cov_type="nonrobust", maxlags=None,
           min_clusters=10):
    """Fit a pooled OLS regression (intercept kept) with panel-aware covariances.

    Model: ``y_it = c + x_it' b + e_it``.  ``entity`` is needed for
    ``cov_type="cluster"`` and ``time`` for ``"driscoll-kraay"``.  Parameters,
    returns and errors as in :func:`panel` (``effects`` is ``"none"``).

    Examples
    --------
    >>> from statsmodels.datasets import grunfeld
    >>> g = grunfeld.load_pandas().data
    >>> g = g[g.firm != "American Steel"]
    >>> round(float(pooled(g, "invest ~ value + capital").params["value"]), 6)
    0.115562
    """
    data, y, X, dropped = prepare(df, formula, entity, time, intercept=True)
    names = list(X.columns)
    X_np = X.to_numpy(float)
    check_rank(X_np, names, context="pooled design")
    e_codes = pd.factorize(data[entity], sort=True)[0] if entity else None
    t_codes, t_uni = (pd.factorize(data[time], sort=True) if time else (None, []))
    N = len(np.unique(e_codes)) if entity else None
    T = len(t_uni) if time else None
    meta = {"model": "pooled", "effects": "none", "formula": formula, "nobs": len(data),
            "n_entities": N, "n_periods": T, "absorbed": 0,
            "balanced": (len(data) == N * T) if (N and T) else None, "dropped": dropped,
            "_y_raw": y.to_numpy(float).ravel(), "_X_raw": X_np,
            "_entity": np.asarray(data[entity]) if entity else None,
            "_time": np.asarray(data[time]) if time else None}
    return _estimate(y_t=y.to_numpy(float).ravel(), X_t=X_np, names=names,
                     endog_name=y.columns[0], df_resid=len(data) - X_np.shape[1],
                     cov_type=cov_type, entity_codes=e_codes, time_codes=t_codes,
                     n_periods=T or 0, maxlags=maxlags, min_clusters=min_clusters, meta=meta)


def first_difference(df, formula, entity, time, cov_type="nonrobust", maxlags=None,
                     constant=True, min_clusters=10):
    """Fit a first-difference panel regression.

    Model: ``Δy_it = c + Δx_it' b + Δe_it`` with ``Δz_it = z_it - z_i,t-1`` taken
    within entity between *consecutive* periods (integer times differing by
    one; otherwise adjacent sorted unique values); pairs across a gap are not
    differenced and are listed in ``results.dropped``.  ``constant=True``
    keeps an intercept in the differenced equation (a common trend), as
    ``plm(model = "fd")`` does.

    Parameters, returns and errors as in :func:`panel`.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"e": [1, 1, 1, 2, 2, 2], "t": [1, 2, 3] * 2,
    ...                   "x": [1., 2., 4., 0., 3., 4.], "y": [1., 3., 7., 2., 8., 10.]})
    >>> round(float(first_difference(d, "y ~ x", "e", "t", constant=False).params["x"]), 6)
    2.0
    """
    data, y, X, dropped = prepare(df, formula, entity, time, intercept=False)
    names = list(X.columns)
    e_codes = pd.factorize(data[entity], sort=True)[0]
    t_codes, t_uni = pd.factorize(data[time], sort=True)
    A = pd.DataFrame(np.column_stack([y.to_numpy(float), X.to_numpy(float)]))
    prev = A.groupby(e_codes).shift(1)
    tc = pd.Series(period_positions(data[time]))
    dt = tc - tc.groupby(e_codes).shift(1)
    first = dt.isna().to_numpy()
    ok = (dt == 1).to_numpy()
    gap_rows = np.where(~ok & ~first)[0]
    if len(gap_rows):
        extra = pd.DataFrame({"entity": np.asarray(data[entity])[gap_rows],
                              "time": np.asarray(data[time])[gap_rows],
                              "reason": "previous period missing: not differenced"})
        dropped = pd.concat([dropped, extra], ignore_index=True)
    D = (A - prev).to_numpy()[ok]
    y_t, X_t = D[:, 0], D[:, 1:]
    if constant:
        X_t = np.column_stack([np.ones(len(X_t)), X_t])
        names = ["Intercept"] + names
    check_rank(X_t, names, context="first-differenced design")
    raw = data.iloc[np.where(ok)[0]]
    meta = {"model": "first_difference", "effects": "entity", "formula": formula,
            "nobs": int(ok.sum()), "n_entities": len(np.unique(e_codes[ok])),
            "n_periods": len(np.unique(t_codes[ok])), "absorbed": 0,
            "balanced": len(data) == len(np.unique(e_codes)) * len(t_uni), "dropped": dropped,
            "_y_raw": y.to_numpy(float).ravel()[ok],
            "_X_raw": (np.column_stack([np.ones(ok.sum()), X.to_numpy(float)[ok]])
                       if constant else X.to_numpy(float)[ok]),
            "_entity": np.asarray(raw[entity]), "_time": np.asarray(raw[time])}
    fd_e = pd.factorize(raw[entity], sort=True)[0]
    fd_t, fd_tu = pd.factorize(raw[time], sort=True)
    return _estimate(y_t=y_t, X_t=X_t, names=names, endog_name=y.columns[0],
                     df_resid=len(y_t) - X_t.shape[1], cov_type=cov_type, entity_codes=fd_e,
                     time_codes=fd_t, n_periods=len(fd_tu), maxlags=maxlags,
                     min_clusters=min_clusters, meta=meta)

