"""Panel diagnostics: Wooldridge serial correlation, Pesaran CD, variance inflation factors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.outliers_influence import variance_inflation_factor

from ..errors import ParameterError
from .design import period_positions

__all__ = ["pesaran_cd", "vif", "wooldridge_serial"]


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
    X = np.asarray(X, float)
    keep_cols = [j for j, n in enumerate(exog_names or range(X.shape[1])) if n != "Intercept"]
    X = X[:, keep_cols]
    df = pd.DataFrame({"e": entity, "t": time, "y": y,
                       **{f"x{j}": X[:, j] for j in range(X.shape[1])}}).sort_values(["e", "t"]).reset_index(drop=True)
    cols = ["y"] + [f"x{j}" for j in range(X.shape[1])]
    prev_t = df.groupby("e")["t"].shift(1)
    tcode = pd.Series(period_positions(df["t"]))
    prev_code = tcode.groupby(df["e"]).shift(1)
    consec = (tcode - prev_code) == 1
    d = (df[cols] - df.groupby("e")[cols].shift(1)).assign(e=df["e"], tc=tcode)
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
            a, b = (v - v.mean() for v in (M[mask, i], M[mask, j]))
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
    ParameterError
        If fewer than two columns are given (a VIF needs other regressors).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x1 = np.array([1., 2., 3., 4., 5.]); x2 = np.array([2., 1., 4., 3., 5.])
    >>> round(float(vif(pd.DataFrame({"x1": x1, "x2": x2}))["vif"][0]), 4)  # r = 0.8
    2.7778
    """
    X = pd.DataFrame(X)
    if X.shape[1] < 2:
        raise ParameterError(f"VIF needs at least two regressors, got {X.shape[1]}")
    A = np.column_stack([np.ones(len(X)), X.to_numpy(float)])
    vals = [variance_inflation_factor(A, j + 1) for j in range(X.shape[1])]
    return pd.DataFrame({"term": list(X.columns), "vif": vals})

