"""Estimate panel regressions (pooled, fixed effects, first differences) on statsmodels.

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

from .errors import RegressionError, MissingColumnError, CollinearityError, TooFewClustersError, NonPositiveLogError  # noqa: F401  (re-exported)

import ast
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "PANEL_INDICATORS",
    "CollinearityError",
    "MissingColumnError",
    "NonPositiveLogError",
    "PanelResults",
    "RegressionError",
    "TooFewClustersError",
    "analysis_frame",
    "first_difference",
    "panel",
    "pooled",
    "vif",
]

EFFECTS = ("entity", "time", "twoway")
COV_TYPES = ("nonrobust", "HC1", "cluster", "driscoll-kraay")

#: Indicator ids of the NBS provincial panel (see the data contract).
PANEL_INDICATORS = (
    "ecommerce_sales",
    "ecommerce_purchases",
    "ecommerce_firms",
    "ecommerce_firms_share",
    "websites_per_100_firms",
    "computers_per_100_people",
    "broadband_users",
    "mobile_internet_users",
    "mobile_internet_traffic",
)

# Names that may appear in a formula without being data columns.
_FORMULA_NAMES = {"np", "I", "C", "Q", "log", "exp", "center", "standardize", "scale",
                  "Treatment", "Sum", "Poly", "Diff", "Helmert", "bs", "cr", "cc", "te"}


# --------------------------------------------------------------------------- errors










# --------------------------------------------------------------------------- helpers
def _formula_columns(formula: str) -> list[str]:
    """Return the data column names referenced by a patsy formula."""
    import patsy

    desc = patsy.ModelDesc.from_formula(formula)
    names: list[str] = []
    for term in list(desc.lhs_termlist) + list(desc.rhs_termlist):
        for factor in term.factors:
            code = factor.code
            try:
                tree = ast.parse(code, mode="eval")
            except SyntaxError:  # pragma: no cover - patsy already parsed it
                continue
            for node in ast.walk(tree):
                if (isinstance(node, ast.Name) and node.id not in _FORMULA_NAMES
                        and node.id not in names):
                    names.append(node.id)
    return names


def _check_columns(df: pd.DataFrame, cols) -> None:
    missing = [c for c in cols if c is not None and c not in df.columns]
    if missing:
        raise MissingColumnError(missing, list(df.columns))


def _default_maxlags(n_periods: int) -> int:
    """Return the Newey–West plug-in lag length floor(4 (T/100)^(2/9))."""
    return math.floor(4 * (n_periods / 100.0) ** (2.0 / 9.0))


def _period_positions(values) -> np.ndarray:
    """Return integer period positions: the values for integer years, else sorted codes."""
    v = pd.Series(np.asarray(values))
    if pd.api.types.is_numeric_dtype(v) and np.all(np.mod(v.to_numpy(float), 1) == 0):
        return (v.to_numpy(float) - float(v.min())).astype(int)
    return pd.factorize(v, sort=True)[0]


def _demean(a: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    counts = np.bincount(codes, minlength=n).astype(float)
    out = np.empty_like(a, dtype=float)
    for j in range(a.shape[1]):
        sums = np.bincount(codes, weights=a[:, j], minlength=n)
        out[:, j] = a[:, j] - (sums / counts)[codes]
    return out


def _collinear_terms(X: np.ndarray, names, X_raw: np.ndarray | None = None):
    """Return (absorbed, collinear) term names of a rank-deficient matrix."""
    scale = np.sqrt((X_raw if X_raw is not None else X) ** 2).sum(axis=0)
    scale[scale == 0] = 1.0
    norms = np.sqrt((X**2).sum(axis=0))
    absorbed = [n for n, nv, s in zip(names, norms, scale) if nv <= 1e-10 * max(s, 1.0)]
    keep: list[int] = []
    collinear: list[str] = []
    for j, name in enumerate(names):
        if name in absorbed:
            continue
        trial = keep + [j]
        if np.linalg.matrix_rank(X[:, trial]) == len(trial):
            keep = trial
        else:
            partners = [names[i] for i in keep]
            collinear.append(f"{name} (linear combination of {', '.join(partners)})")
    return absorbed, collinear


def _check_rank(X: np.ndarray, names, X_raw=None, context="design") -> None:
    if X.shape[1] == 0:
        raise RegressionError("the model has no regressors left to estimate")
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        absorbed, collinear = _collinear_terms(X, names, X_raw)
        parts = []
        if absorbed:
            parts.append("no variation left after the fixed effects / differencing: "
                         + ", ".join(absorbed))
        if collinear:
            parts.append("collinear: " + "; ".join(collinear))
        terms = absorbed + [c.split(" (")[0] for c in collinear]
        raise CollinearityError(
            f"the {context} is rank deficient (rank {rank} < {X.shape[1]} columns); "
            + "; ".join(parts),
            terms,
        )


# --------------------------------------------------------------------------- results
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

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Return confidence intervals (columns ci_low, ci_high) at level 1 - alpha."""
        ci = np.asarray(self.sm.conf_int(alpha=alpha))
        return pd.DataFrame(ci, index=self.exog_names, columns=["ci_low", "ci_high"])

    def summary(self) -> str:
        """Return a plain-text summary: model, sample, covariance and coefficients."""
        head = [
            f"Panel regression: {self.formula}",
            f"model: {self.model}   effects: {self.effects}   cov_type: {self.cov_type}"
            + (f" (maxlags={self.maxlags})" if self.maxlags is not None else ""),
            (f"nobs: {self.nobs}   entities: {self.n_entities}   periods: {self.n_periods}"
            f"   balanced: {self.balanced}"),
            (f"df_resid: {self.df_resid:g}   absorbed effects: {self.absorbed}"
            f"   within R²: {self.rsquared_within:.6f}"),
        ]
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
        from scipy import stats
        from statsmodels.stats.diagnostic import het_breuschpagan
        from statsmodels.stats.stattools import jarque_bera

        rows = []
        resid = self.resid
        jb, jbp, _, _ = jarque_bera(resid)
        rows.append(("Jarque-Bera", float(jb), "2", float(jbp), "normal residuals"))
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


# --------------------------------------------------------------------------- tests
def wooldridge_serial(y, X, entity, time, exog_names=None):
    """Compute Wooldridge's test for AR(1) idiosyncratic errors in a panel.

    The model is first-differenced within entity over consecutive periods
    (intercepts dropped), residuals ``e`` of that regression are regressed on
    their own lag, and ``H0: coef = -0.5`` is tested with entity-clustered
    standard errors (Drukker 2003, Stata ``xtserial``).

    Returns
    -------
    tuple (F, df_denominator, p_value) or None
        None when fewer than 3 consecutive periods or fewer than 2 entities.
    """
    import statsmodels.api as sm
    from scipy import stats

    X = np.asarray(X, float)
    keep_cols = [j for j, n in enumerate(exog_names or range(X.shape[1])) if n != "Intercept"]
    X = X[:, keep_cols]
    df = pd.DataFrame({"e": entity, "t": time, "y": y})
    for j in range(X.shape[1]):
        df[f"x{j}"] = X[:, j]
    df = df.sort_values(["e", "t"]).reset_index(drop=True)
    cols = ["y"] + [f"x{j}" for j in range(X.shape[1])]
    prev_t = df.groupby("e")["t"].shift(1)
    tcode = pd.Series(_period_positions(df["t"]))
    prev_code = tcode.groupby(df["e"]).shift(1)
    consec = (tcode - prev_code) == 1
    d = df[cols] - df.groupby("e")[cols].shift(1)
    d["e"] = df["e"]
    d["tc"] = tcode
    d = d[consec & prev_t.notna()]
    if len(d) < 3 or X.shape[1] == 0:
        return None
    r1 = sm.OLS(d["y"].to_numpy(), d[cols[1:]].to_numpy()).fit()
    d = d.assign(u=r1.resid)
    d["u_lag"] = d.groupby("e")["u"].shift(1)
    d["tc_lag"] = d.groupby("e")["tc"].shift(1)
    d = d[(d["tc"] - d["tc_lag"]) == 1]
    n_groups = d["e"].nunique()
    if len(d) < 3 or n_groups < 2:
        return None
    groups = pd.factorize(d["e"])[0]
    r2 = sm.OLS(d["u"].to_numpy(), d[["u_lag"]].to_numpy()).fit(
        cov_type="cluster", cov_kwds={"groups": groups})
    t = (r2.params[0] + 0.5) / r2.bse[0]
    F = float(t**2)
    return F, int(n_groups - 1), float(stats.f.sf(F, 1, n_groups - 1))


def pesaran_cd(resid, entity, time, min_overlap: int = 3):
    """Compute Pesaran's (2004) CD statistic from panel residuals.

    ``CD = sqrt(2 / (N (N - 1))) * sum_{i<j} sqrt(T_ij) * rho_ij`` where
    ``rho_ij`` is the correlation of the residuals of entities i and j over
    their ``T_ij`` common periods (pairs with ``T_ij < min_overlap`` are skipped
    and N counts the entities in the remaining pairs' sum as in ``plm::pcdtest``
    for unbalanced panels: the normalising term uses the number of pairs used).

    Returns
    -------
    float or None
        None if no pair has enough common periods.
    """
    wide = pd.DataFrame({"e": entity, "t": time, "r": resid}).pivot_table(
        index="t", columns="e", values="r", aggfunc="first")
    M = wide.to_numpy()
    n = M.shape[1]
    total, pairs = 0.0, 0
    for i in range(n):
        for j in range(i + 1, n):
            mask = ~np.isnan(M[:, i]) & ~np.isnan(M[:, j])
            T_ij = int(mask.sum())
            if T_ij < min_overlap:
                continue
            a, b = M[mask, i], M[mask, j]
            a = a - a.mean()
            b = b - b.mean()
            den = math.sqrt((a @ a) * (b @ b))
            if den == 0:
                continue
            total += math.sqrt(T_ij) * (a @ b) / den
            pairs += 1
    if pairs == 0:
        return None
    return float(math.sqrt(1.0 / pairs) * total)


def vif(X) -> pd.DataFrame:
    """Compute variance inflation factors of the columns of a design matrix.

    ``VIF_j = 1 / (1 - R²_j)`` where ``R²_j`` is the R² of regressing column j
    on the other columns and a constant (statsmodels
    ``variance_inflation_factor`` on the design augmented with a constant).

    Parameters
    ----------
    X : pandas.DataFrame
        Regressors (no constant column).

    Returns
    -------
    pandas.DataFrame
        term, vif.

    Raises
    ------
    RegressionError
        If fewer than two columns are given (a VIF needs other regressors).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x1 = np.array([1., 2., 3., 4., 5.]); x2 = np.array([2., 1., 4., 3., 5.])
    >>> round(float(vif(pd.DataFrame({"x1": x1, "x2": x2}))["vif"][0]), 4)  # r = 0.8
    2.7778
    """
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    X = pd.DataFrame(X)
    if X.shape[1] < 2:
        raise RegressionError(f"VIF needs at least two regressors, got {X.shape[1]}")
    A = np.column_stack([np.ones(len(X)), X.to_numpy(float)])
    vals = [variance_inflation_factor(A, j + 1) for j in range(X.shape[1])]
    return pd.DataFrame({"term": list(X.columns), "vif": vals})


# --------------------------------------------------------------------------- core
def _prepare(df, formula, entity, time, intercept):
    import patsy

    if not isinstance(df, pd.DataFrame):
        raise RegressionError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    cols = _formula_columns(formula)
    _check_columns(df, cols + [entity, time])
    used = [c for c in dict.fromkeys(cols + [entity, time]) if c is not None]
    data = df[used].copy()
    data.attrs = {}  # attrs (e.g. analysis_frame reports) would be deep-copied on every op
    if entity is not None and data[entity].isna().any():
        raise RegressionError(f"entity column {entity!r} has missing values")
    if time is not None and data[time].isna().any():
        raise RegressionError(f"time column {time!r} has missing values")
    if entity is not None and time is not None:
        dup = data.duplicated([entity, time])
        if dup.any():
            first = data.loc[dup, [entity, time]].iloc[0].tolist()
            raise RegressionError(
                f"duplicate (entity, time) rows, e.g. {first}: one row per entity-period needed")
        data = data.sort_values([entity, time], kind="mergesort")
    # rows with missing values: reported, never silent
    miss = data[cols].isna()
    bad = miss.any(axis=1)
    dropped_rows = []
    for idx in data.index[bad]:
        reason = "missing " + ", ".join(c for c in cols if miss.at[idx, c])
        dropped_rows.append((data.at[idx, entity] if entity else idx,
                             data.at[idx, time] if time else None, reason))
    dropped = pd.DataFrame(dropped_rows, columns=["entity", "time", "reason"])
    if len(dropped):
        warnings.warn(f"{len(dropped)} row(s) dropped for missing values; see results.dropped",
                      stacklevel=3)
    data = data[~bad]
    if len(data) == 0:
        raise RegressionError("no complete rows left after dropping missing values")
    # non-positive values inside a log
    with np.errstate(all="ignore"):
        # numpy columns: patsy on pandas objects is several times slower
        env = {c: data[c].to_numpy() for c in cols}
        y, X = patsy.dmatrices(formula, env, return_type="dataframe", NA_action="raise")
    y.index = data.index
    X.index = data.index
    if not intercept and "Intercept" in X.columns:
        X = X.drop(columns="Intercept")
    full = pd.concat([y, X], axis=1)
    nonfinite = ~np.isfinite(full.to_numpy(float))
    if nonfinite.any():
        j = int(np.where(nonfinite.any(axis=0))[0][0])
        col = full.columns[j]
        rows = full.index[nonfinite[:, j]]
        cells = []
        for r in rows:
            inner = [c for c in cols if c in col]
            val = data.at[r, inner[0]] if inner else None
            cells.append((data.at[r, entity] if entity else r,
                          data.at[r, time] if time else None, val))
        if "log" in col:
            raise NonPositiveLogError(col, cells)
        raise RegressionError(f"non-finite values in {col!r} at {cells[:10]}")
    return data, y, X, dropped


def _cov_kwargs(cov_type, entity_codes, time_codes, n_periods, maxlags, min_clusters):
    if cov_type not in COV_TYPES:
        raise RegressionError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if cov_type == "nonrobust":
        return "nonrobust", {}, None
    if cov_type == "HC1":
        return "HC1", {}, None
    if cov_type == "cluster":
        if entity_codes is None:
            raise RegressionError("cov_type='cluster' needs the entity column")
        g = len(np.unique(entity_codes))
        if g < min_clusters:
            raise TooFewClustersError(g, min_clusters, "clusters (entities)")
        return "cluster", {"groups": entity_codes}, None
    # driscoll-kraay
    if time_codes is None:
        raise RegressionError("cov_type='driscoll-kraay' needs the time column")
    if n_periods < min_clusters:
        raise TooFewClustersError(n_periods, min_clusters, "periods")
    lags = _default_maxlags(n_periods) if maxlags is None else int(maxlags)
    if lags < 0 or lags >= n_periods:
        raise RegressionError(f"maxlags must be in [0, {n_periods - 1}], got {lags}")
    # no small-sample correction, as Stata's xtscc (Hoechle 2007)
    return "hac-groupsum", {"time": time_codes, "maxlags": lags, "use_correction": False}, lags


def _estimate(*, y_t, X_t, names, endog_name, df_resid, cov_type, entity_codes, time_codes,
              n_periods, maxlags, min_clusters, meta):
    import statsmodels.api as sm

    if df_resid <= 0:
        raise RegressionError(
            f"no residual degrees of freedom: {len(y_t)} observations, {X_t.shape[1]} "
            f"regressors, {meta['absorbed']} absorbed effects")
    sm_cov, kwds, lags = _cov_kwargs(cov_type, entity_codes, time_codes, n_periods,
                                     maxlags, min_clusters)
    mod = sm.OLS(pd.Series(y_t, name=endog_name), pd.DataFrame(X_t, columns=names))
    mod.df_resid = float(df_resid)
    res = mod.fit(cov_type=sm_cov, cov_kwds=kwds or None, use_t=True)
    ci = np.asarray(res.conf_int(alpha=0.05))
    table = pd.DataFrame({
        "term": names,
        "estimate": np.asarray(res.params),
        "std_error": np.asarray(res.bse),
        "t": np.asarray(res.tvalues),
        "p_value": np.asarray(res.pvalues),
        "ci_low": ci[:, 0],
        "ci_high": ci[:, 1],
    })
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
    CollinearityError
        Regressors without within variation or linearly dependent (named).
    TooFewClustersError
        Fewer clusters / periods than ``min_clusters``.
    NonPositiveLogError
        ``log`` of zero or negative values (entity and time named).
    RegressionError
        Any other invalid specification.

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
        raise RegressionError(f"effects must be one of {EFFECTS}, got {effects!r}")
    if entity is None or time is None:
        raise RegressionError("panel() needs both entity and time columns")
    data, y, X, dropped = _prepare(df, formula, entity, time, intercept=False)
    names = list(X.columns)
    e_codes, e_uni = pd.factorize(data[entity], sort=True)
    t_codes, t_uni = pd.factorize(data[time], sort=True)
    N, T = len(e_uni), len(t_uni)
    A = np.column_stack([y.to_numpy(float), X.to_numpy(float)])
    balanced = len(data) == N * T
    if effects == "entity":
        W = _demean(A, e_codes, N)
        absorbed = N
    elif effects == "time":
        W = _demean(A, t_codes, T)
        absorbed = T
    elif balanced:
        W = _demean(_demean(A, e_codes, N), t_codes, T)
        absorbed = N + T - 1
    else:
        We = _demean(A, e_codes, N)
        D = np.zeros((len(data), T))
        D[np.arange(len(data)), t_codes] = 1.0
        De = _demean(D, e_codes, N)
        coef, _, rank_d, _ = np.linalg.lstsq(De, We, rcond=None)
        W = We - De @ coef
        absorbed = N + int(rank_d)
    y_t, X_t = W[:, 0], W[:, 1:]
    _check_rank(X_t, names, X.to_numpy(float), context=f"{effects} within-transformed design")
    meta = {"model": "within", "effects": effects, "formula": formula, "nobs": len(data), "n_entities": N,
                "n_periods": T, "absorbed": absorbed, "balanced": balanced, "dropped": dropped,
                "_y_raw": y.to_numpy(float).ravel(), "_X_raw": X.to_numpy(float),
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
    data, y, X, dropped = _prepare(df, formula, entity, time, intercept=True)
    names = list(X.columns)
    X_np = X.to_numpy(float)
    _check_rank(X_np, names, context="pooled design")
    e_codes = pd.factorize(data[entity], sort=True)[0] if entity else None
    t_codes, t_uni = (pd.factorize(data[time], sort=True) if time else (None, []))
    N = len(np.unique(e_codes)) if entity else None
    T = len(t_uni) if time else None
    meta = {"model": "pooled", "effects": "none", "formula": formula, "nobs": len(data), "n_entities": N,
                "n_periods": T, "absorbed": 0,
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
    data, y, X, dropped = _prepare(df, formula, entity, time, intercept=False)
    names = list(X.columns)
    e_codes = pd.factorize(data[entity], sort=True)[0]
    t_codes, t_uni = pd.factorize(data[time], sort=True)
    A = pd.DataFrame(np.column_stack([y.to_numpy(float), X.to_numpy(float)]))
    prev = A.groupby(e_codes).shift(1)
    tc = pd.Series(_period_positions(data[time]))
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
    _check_rank(X_t, names, context="first-differenced design")
    raw = data.iloc[np.where(ok)[0]]
    meta = {"model": "first_difference", "effects": "entity", "formula": formula, "nobs": int(ok.sum()),
                "n_entities": len(np.unique(e_codes[ok])), "n_periods": len(np.unique(t_codes[ok])),
                "absorbed": 0, "balanced": len(data) == len(np.unique(e_codes)) * len(t_uni),
                "dropped": dropped,
                "_y_raw": y.to_numpy(float).ravel()[ok],
                "_X_raw": (np.column_stack([np.ones(ok.sum()), X.to_numpy(float)[ok]])
                        if constant else X.to_numpy(float)[ok]),
                "_entity": np.asarray(raw[entity]), "_time": np.asarray(raw[time])}
    fd_e = pd.factorize(raw[entity], sort=True)[0]
    fd_t, fd_tu = pd.factorize(raw[time], sort=True)
    res = _estimate(y_t=y_t, X_t=X_t, names=names, endog_name=y.columns[0],
                    df_resid=len(y_t) - X_t.shape[1], cov_type=cov_type, entity_codes=fd_e,
                    time_codes=fd_t, n_periods=len(fd_tu), maxlags=maxlags,
                    min_clusters=min_clusters, meta=meta)
    return res


# --------------------------------------------------------------------------- analysis frame
_ID_COLS = ["region_code", "region", "region_en", "year"]
_LONG_COLS = ["region_code", "region", "region_en", "year", "indicator", "indicator_zh",
              "value", "unit", "source_id"]


def _load(name):
    import importlib

    data = importlib.import_module("cluster_research.data")
    return data.load(name)


def _exclusions(exclude) -> dict:
    """Map (region_code, year) -> reason for ``analysis_frame(exclude=...)``."""
    from .data import region_code

    if not isinstance(exclude, pd.DataFrame):
        raise RegressionError("exclude must be a DataFrame with columns region (or "
                              f"region_code) and year, got {type(exclude).__name__}")
    key = "region_code" if "region_code" in exclude.columns else "region"
    miss = [c for c in (key, "year") if c not in exclude.columns]
    if miss:
        raise MissingColumnError([f"exclude.{c}" for c in miss])
    out = {}
    reasons = (exclude["reason"] if "reason" in exclude.columns
               else pd.Series("excluded by caller", index=exclude.index))
    for r, y, why in zip(exclude[key], exclude["year"], reasons):
        out[(region_code(str(r)), int(y))] = f"excluded: {why}"
    return out


def analysis_frame(indicators=None, economy_indicators=(), *, years=None, regions=None,
                   logs=True, ratios=True, required=None, nonpositive="raise",
                   exclude=None, panel=None, economy=None):
    """Build a wide region-year analysis frame from the NBS provincial panel.

    One row per region-year with the chosen indicators as columns, their
    natural logs as ``log_<id>``, and ratios where the data allow:

    * ``ecommerce_sales_per_firm`` and ``ecommerce_purchases_per_firm``:
      亿元 / firms × 10 000 = 万元 per e-commerce firm (all years);
    * ``<id>_per_capita`` for ``broadband_users``, ``mobile_internet_users``
      (万户 / 万人 = per person) and ``retail_sales``, ``ecommerce_sales``
      (亿元 / 万人 × 10 000 = 元 per person; GDP per capita is published by
      NBS as the ``gdp_per_capita`` indicator and not derived), only when
      ``population`` is among ``economy_indicators``.  **Population
      (年末常住人口) exists for 2024 only**, so these ratios are NaN in other
      years; they are never filled in.

    Rows with a missing value in any ``required`` column are dropped and
    listed in the returned ``dropped`` report; nothing is dropped silently.

    Parameters
    ----------
    indicators : sequence of str, optional
        Provincial-panel indicator ids (default: all of :data:`PANEL_INDICATORS`
        present in the data).
    economy_indicators : sequence of str
        Indicator ids from ``load("provincial_economy")`` to merge (e.g. ``gdp``).
    years, regions : sequence, optional
        Restrict to these years / region codes or short names.
    logs : bool
        Add ``log_<id>`` for each indicator and economy indicator.
    ratios : bool
        Add the per-firm / per-capita ratios described above.
    required : sequence of str, optional
        Columns that must be non-missing (default: ``indicators`` and
        ``economy_indicators`` except ``population``).
    nonpositive : {"raise", "drop"}
        What to do with zero/negative values of a logged column among the
        required ones: raise :class:`NonPositiveLogError` naming region and
        year, or drop the row with that reason.  Outside ``required`` a
        non-positive value gives a NaN log and a reported note.
    exclude : pandas.DataFrame, optional
        Region-years to leave out, with columns ``region`` (any form accepted by
        :func:`cluster_research.data.region_code`) or ``region_code``, ``year`` and
        optionally ``reason`` — e.g. :func:`cluster_research.data.breaks`. Each row
        left out is listed in ``dropped`` with its reason; an exclusion that matches
        no row of the frame is reported in ``frame.attrs["notes"]``.
    panel, economy : pandas.DataFrame, optional
        Long frames with the contract columns (default: loaded via
        ``cluster_research.data.load``); used for testing and for user data.

    Returns
    -------
    frame : pandas.DataFrame
        Columns region_code, region, region_en, year, indicators, logs, ratios.
        ``frame.attrs["dropped"]`` and ``frame.attrs["notes"]`` hold the reports.
    dropped : pandas.DataFrame
        region_code, region, year, reason.

    Raises
    ------
    MissingColumnError
        Long frame lacks contract columns or an indicator id is unknown.
    NonPositiveLogError
        See ``nonpositive``.

    Examples
    --------
    >>> frame, dropped = analysis_frame(["ecommerce_sales", "broadband_users"])  # doctest: +SKIP
    >>> list(frame.columns)[:6]  # doctest: +SKIP
    ['region_code', 'region', 'region_en', 'year', 'ecommerce_sales', 'broadband_users']
    """
    if nonpositive not in ("raise", "drop"):
        raise RegressionError(f"nonpositive must be 'raise' or 'drop', got {nonpositive!r}")
    if panel is None:
        panel = _load("provincial_panel")
    if economy is None and economy_indicators:
        economy = _load("provincial_economy")
    frames = [(panel, "provincial_panel")]
    if economy_indicators:
        frames.append((economy, "provincial_economy"))
    for f, name in frames:
        miss = [c for c in ("region_code", "region", "region_en", "year", "indicator", "value")
                if c not in f.columns]
        if miss:
            raise MissingColumnError([f"{name}.{c}" for c in miss])
    available = list(dict.fromkeys(panel["indicator"]))
    if indicators is None:
        indicators = [i for i in PANEL_INDICATORS if i in available]
    indicators = list(indicators)
    unknown = [i for i in indicators if i not in available]
    if unknown:
        raise MissingColumnError([f"provincial_panel indicator {i}" for i in unknown])
    long = panel[panel["indicator"].isin(indicators)]
    econ = list(economy_indicators)
    if econ:
        avail_e = set(economy["indicator"])
        unknown = [i for i in econ if i not in avail_e]
        if unknown:
            raise MissingColumnError([f"provincial_economy indicator {i}" for i in unknown])
        long = pd.concat([long, economy[economy["indicator"].isin(econ)]], ignore_index=True)
    dup = long.duplicated(["region_code", "year", "indicator"])
    if dup.any():
        r = long[dup].iloc[0]
        raise RegressionError(
            f"duplicate value for {r['region_code']} {r['year']} {r['indicator']}")
    long = long.assign(region_code=long["region_code"].astype(str),
                       year=long["year"].astype(int))
    names = long.drop_duplicates("region_code").set_index("region_code")[
        ["region", "region_en"]]
    wide = long.pivot(index=["region_code", "year"], columns="indicator", values="value")
    wide.columns.name = None
    wide = wide.reset_index().join(names, on="region_code")
    for c in indicators + econ:
        if c not in wide.columns:
            wide[c] = np.nan
    if years is not None:
        wide = wide[wide["year"].isin(list(years))]
    if regions is not None:
        regions = [str(r) for r in regions]
        wide = wide[wide["region_code"].isin(regions) | wide["region"].isin(regions)
                    | wide["region_en"].isin(regions)]
    wide = wide.sort_values(["region_code", "year"]).reset_index(drop=True)
    wide = wide[_ID_COLS + indicators + econ]
    notes: list[str] = []

    if required is None:
        required = [c for c in indicators + econ if c != "population"]
    required = list(required)
    base_cols = indicators + econ
    dropped_rows = []

    def _drop(mask, reason_fn):
        nonlocal wide
        for i in wide.index[mask]:
            dropped_rows.append((wide.at[i, "region_code"], wide.at[i, "region"],
                                 int(wide.at[i, "year"]), reason_fn(i)))
        wide = wide[~mask]

    if exclude is not None:
        excluded = _exclusions(exclude)
        keys = list(zip(wide["region_code"], wide["year"].astype(int)))
        _drop(np.array([k in excluded for k in keys], dtype=bool),
              lambda i: excluded[(wide.at[i, "region_code"], int(wide.at[i, "year"]))])
        unmatched = sorted(set(excluded) - set(keys))
        if unmatched:
            notes.append("exclude: not in the frame (nothing dropped): "
                         + ", ".join(f"{c} {y}" for c, y in unmatched))

    pop_years = (sorted(int(y) for y in wide.loc[wide["population"].notna(), "year"].unique())
                 if "population" in wide.columns else [])
    # missing values
    req_base = [c for c in required if c in wide.columns]
    miss = wide[req_base].isna()
    _drop(miss.any(axis=1).to_numpy(),
          lambda i: "missing " + ", ".join(c for c in req_base if miss.at[i, c]))
    # logs
    if logs:
        for c in base_cols:
            v = wide[c]
            nonpos = v.notna() & (v <= 0)
            if nonpos.any():
                if c in required and nonpositive == "raise":
                    cells = [(wide.at[i, "region"], int(wide.at[i, "year"]), float(v[i]))
                             for i in wide.index[nonpos]]
                    raise NonPositiveLogError(c, cells)
                if c in required:
                    _drop(nonpos.to_numpy(), lambda i, c=c: f"non-positive {c} for log")
                    v = wide[c]
                else:
                    notes.append(f"log_{c}: non-positive values left NaN at "
                                 + ", ".join(f"{wide.at[i, 'region']} {wide.at[i, 'year']}"
                                             for i in wide.index[nonpos]))
            with np.errstate(all="ignore"):
                wide[f"log_{c}"] = np.where(v > 0, np.log(v.where(v > 0)), np.nan)
        for c in required:
            if c.startswith("log_") and c not in wide.columns:
                raise MissingColumnError([c])
    # ratios
    if ratios:
        if "ecommerce_firms" in wide.columns:
            for c in ("ecommerce_sales", "ecommerce_purchases"):
                if c in wide.columns:
                    firms = wide["ecommerce_firms"].where(wide["ecommerce_firms"] > 0)
                    wide[f"{c}_per_firm"] = wide[c] / firms * 1e4
        if "population" in wide.columns:
            pop = wide["population"].where(wide["population"] > 0)
            for c, factor in (("broadband_users", 1.0), ("mobile_internet_users", 1.0),
                              ("retail_sales", 1e4), ("ecommerce_sales", 1e4)):
                if c in wide.columns:
                    wide[f"{c}_per_capita"] = wide[c] / pop * factor
            notes.append(f"population (年末常住人口) is available for years {pop_years} only; "
                         "per-capita ratios are NaN in other years (never filled in)")
    dropped = pd.DataFrame(dropped_rows, columns=["region_code", "region", "year", "reason"])
    wide = wide.reset_index(drop=True)
    wide.attrs["dropped"] = dropped
    wide.attrs["notes"] = notes
    return wide, dropped
