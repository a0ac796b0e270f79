"""Design matrices of the panel estimators: formula parsing, sample preparation, rank checks.

:func:`prepare` turns a data frame and a patsy formula into the estimation sample and the
design (rows with missing values dropped and reported, logs of non-positive values
rejected); :func:`check_rank` rejects rank-deficient and numerically near-collinear
designs (see :data:`CONDITION_RAISE`, :data:`CONDITION_WARN`).
"""

from __future__ import annotations

import ast
import warnings

import numpy as np
import pandas as pd
import patsy

from ..errors import (
    ClusterResearchWarning, CollinearityWarning, DataValidationError, MissingColumnError,
    ParameterError)

__all__ = ["CONDITION_RAISE", "CONDITION_WARN", "EFFECTS", "check_columns", "check_rank",
           "collinear_terms", "condition_number", "demean", "formula_columns", "period_positions",
           "prepare", "unit_columns"]

EFFECTS = ("entity", "time", "twoway")

#: Scaled condition number above which a design is reported as ill-conditioned
#: (:class:`~cluster_research.errors.CollinearityWarning`): Belsley, Kuh and Welsch
#: (1980, ch. 3) read condition indexes of 30 and more as moderate to strong dependence.
CONDITION_WARN = 30.0
#: Scaled condition number above which estimation is refused
#: (:class:`~cluster_research.errors.ParameterError`): ``1 / sqrt(eps)`` of float64
#: (6.7e7). Above it cond(X'X) = cond(X)^2 exceeds ``1 / eps``, so the covariance
#: ``(X'X)^-1`` is numerically singular and the estimates keep less than half of the
#: 16 significant digits of double precision.
CONDITION_RAISE = 1.0 / np.sqrt(np.finfo(float).eps)

# Names that may appear in a formula without being data columns.
_FORMULA_NAMES = {"np", "I", "C", "Q", "log", "exp", "center", "standardize", "scale",
                  "Treatment", "Sum", "Poly", "Diff", "Helmert", "bs", "cr", "cc", "te"}

# --------------------------------------------------------------------------- helpers
#: Names a formula may call: numpy as ``np`` and the bare ``log`` / ``exp``.
_EVAL_ENV = patsy.EvalEnvironment([{"np": np, "log": np.log, "exp": np.exp}])


def formula_columns(formula: str) -> list[str]:
    """Return the data column names referenced by a patsy formula."""
    desc = patsy.ModelDesc.from_formula(formula)
    names: list[str] = []
    for term in list(desc.lhs_termlist) + list(desc.rhs_termlist):
        for factor in term.factors:
            try:
                tree = ast.parse(factor.code, mode="eval")
            except SyntaxError:  # pragma: no cover - patsy already parsed it
                continue
            for node in ast.walk(tree):
                if (isinstance(node, ast.Name) and node.id not in _FORMULA_NAMES
                        and node.id not in names):
                    names.append(node.id)
    return names


def check_columns(df: pd.DataFrame, cols) -> None:
    if missing := [c for c in cols if c is not None and c not in df.columns]:
        raise MissingColumnError(missing, list(df.columns))


def period_positions(values) -> np.ndarray:
    """Return integer period positions: the values for integer years, else sorted codes."""
    v = pd.Series(np.asarray(values))
    if pd.api.types.is_numeric_dtype(v) and np.all(np.mod(v.to_numpy(float), 1) == 0):
        return (v.to_numpy(float) - float(v.min())).astype(int)
    return pd.factorize(v, sort=True)[0]


def demean(a: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    counts = np.bincount(codes, minlength=n).astype(float)
    out = np.empty_like(a, dtype=float)
    for j in range(a.shape[1]):
        sums = np.bincount(codes, weights=a[:, j], minlength=n)
        out[:, j] = a[:, j] - (sums / counts)[codes]
    return out


def unit_columns(X: np.ndarray, X_raw: np.ndarray | None = None):
    """Scale every column of a design to unit Euclidean length; flag the absorbed ones.

    Rank decisions are taken on this scaled design, so they do not depend on the units
    of the regressors (a column in 1e12 yuan next to one in 1e-3 shares is not
    "collinear" because of its scale). A column is *absorbed* when the within
    transformation or differencing left it with at most ``1e-10`` of its length in
    ``X_raw`` (the untransformed column); absorbed columns are set to zero.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, k)
        Design (after any within transformation or differencing).
    X_raw : numpy.ndarray, shape (n, k), optional
        The same columns before the transformation; default ``X``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The scaled design and a boolean mask of the absorbed columns.

    Examples
    --------
    >>> A, absorbed = unit_columns(np.array([[1e12, 0.0], [0.0, 2e-3]]))
    >>> A.tolist(), absorbed.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [False, False])
    """
    X = np.asarray(X, dtype=float)
    raw = np.asarray(X_raw if X_raw is not None else X, dtype=float)
    scale = np.linalg.norm(raw, axis=0)
    norms = np.linalg.norm(X, axis=0)
    absorbed = norms <= 1e-10 * scale
    A = X / np.where(absorbed, 1.0, norms)
    A[:, absorbed] = 0.0
    return A, absorbed


def collinear_terms(X: np.ndarray, names, X_raw: np.ndarray | None = None):
    """Return (absorbed, collinear) term names of a rank-deficient matrix.

    Decided on the column-scaled design (:func:`unit_columns`).
    """
    A, mask = unit_columns(X, X_raw)
    absorbed = [n for n, a in zip(names, mask) if a]
    keep: list[int] = []
    collinear: list[str] = []
    for j, name in enumerate(names):
        if mask[j]:
            continue
        trial = keep + [j]
        if np.linalg.matrix_rank(A[:, trial]) == len(trial):
            keep = trial
        else:
            partners = [names[i] for i in keep]
            collinear.append(f"{name} (linear combination of {', '.join(partners)})")
    return absorbed, collinear


def condition_number(X) -> float:
    """Compute the scaled condition number of a design matrix.

    Each column is scaled to unit Euclidean length and the condition number is the ratio
    of the largest to the smallest singular value, ``kappa = s_max / s_min``
    (Belsley, Kuh and Welsch 1980, the "condition index" of the scaled design). Scaling
    makes the number independent of the units of the regressors. All-zero columns are
    left unscaled (they give an infinite condition number).

    Parameters
    ----------
    X : array_like, shape (n, k)
        Design matrix (after any within transformation or differencing).

    Returns
    -------
    float
        ``kappa >= 1``; ``inf`` for a rank-deficient design.

    References
    ----------
    Belsley, D. A., Kuh, E. and Welsch, R. E. (1980). *Regression Diagnostics*, Wiley,
    ch. 3.

    Examples
    --------
    >>> import numpy as np
    >>> condition_number(np.array([[1.0, 0.0], [0.0, 5.0]]))
    1.0
    >>> x = np.array([1.0, 2.0, 3.0, 4.0])
    >>> condition_number(np.column_stack([x, x])) > 1e15
    True
    """
    A = np.asarray(X, dtype=float)
    if A.ndim != 2 or A.shape[1] == 0:
        raise ParameterError(f"condition_number needs a 2-D design, got shape {A.shape}")
    norms = np.sqrt((A**2).sum(axis=0))
    norms[norms == 0] = 1.0
    s = np.linalg.svd(A / norms, compute_uv=False)
    return float(s[0] / s[-1]) if s[-1] > 0 else float("inf")


def _near_collinear_message(X, names, kappa, context):
    """Describe an ill-conditioned design; name the regressors loading on its weakest direction."""
    A = np.asarray(X, dtype=float)
    norms = np.sqrt((A**2).sum(axis=0))
    norms[norms == 0] = 1.0
    _, _s, vt = np.linalg.svd(A / norms, full_matrices=False)
    weights = np.abs(vt[-1])  # loadings of the weakest direction
    involved = [n for n, w in zip(names, weights) if w >= 0.1 * weights.max()]
    return (f"the {context} is near-collinear: scaled condition number {kappa:.3g} "
            f"(thresholds: warn {CONDITION_WARN:g}, raise {CONDITION_RAISE:.3g}); "
            f"regressors in the near-dependence: {', '.join(involved)}")


def check_rank(X: np.ndarray, names, X_raw=None, context="design") -> None:
    if X.shape[1] == 0:
        raise ParameterError("the model has no regressors left to estimate")
    # the rank of the column-scaled design: units never decide collinearity
    rank = np.linalg.matrix_rank(unit_columns(X, X_raw)[0])
    if rank < X.shape[1]:
        absorbed, collinear = collinear_terms(X, names, X_raw)
        parts = []
        if absorbed:
            parts.append("no variation left after the fixed effects / differencing: "
                         + ", ".join(absorbed))
        if collinear:
            parts.append("collinear: " + "; ".join(collinear))
        raise ParameterError(f"the {context} is rank deficient (rank {rank} < {X.shape[1]} "
                             "columns); " + "; ".join(parts))
    kappa = condition_number(X)
    if kappa > CONDITION_WARN:
        msg = _near_collinear_message(X, names, kappa, context)
        if kappa > CONDITION_RAISE:
            raise ParameterError(msg + "; the estimates would be numerical noise")
        warnings.warn(msg, CollinearityWarning, stacklevel=3)


# --------------------------------------------------------------------------- core
def prepare(df, formula, entity, time, intercept):
    """Return the estimation sample and design of a formula: ``(data, y, X, dropped)``.

    Rows with a missing value in a formula variable are dropped and listed in
    ``dropped`` (entity, time, reason) with a warning; a log (or any transform) that
    gives a non-finite value raises :class:`DataValidationError` /
    :class:`ParameterError` naming the column, entity and period.
    """
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    cols = formula_columns(formula)
    check_columns(df, cols + [entity, time])
    data = _sample(df, cols, entity, time)
    data, dropped = _drop_missing_rows(data, cols, entity, time)
    with np.errstate(all="ignore"):
        # numpy columns: patsy on pandas objects is several times slower
        env = {c: data[c].to_numpy() for c in cols}
        # NA_types=[]: missing rows were dropped above, so a NaN here comes from a transform
        # (np.log of a negative value) and is reported below by column, entity and time
        y, X = patsy.dmatrices(formula, env, eval_env=_EVAL_ENV, return_type="dataframe",
                               NA_action=patsy.NAAction(NA_types=[]))
    y.index = X.index = data.index
    if not intercept and "Intercept" in X.columns:
        X = X.drop(columns="Intercept")
    _check_finite(pd.concat([y, X], axis=1), data, cols, entity, time)
    return data, y, X, dropped


def _sample(df, cols, entity, time) -> pd.DataFrame:
    used = [c for c in dict.fromkeys(cols + [entity, time]) if c is not None]
    data = df[used].copy()
    data.attrs = {}  # attrs (e.g. analysis_frame reports) would be deep-copied on every op
    for kind, c in (("entity", entity), ("time", time)):
        if c is not None and data[c].isna().any():
            raise ParameterError(f"{kind} column {c!r} has missing values")
    if entity is not None and time is not None:
        dup = data.duplicated([entity, time])
        if dup.any():
            first = data.loc[dup, [entity, time]].iloc[0].tolist()
            raise ParameterError(
                f"duplicate (entity, time) rows, e.g. {first}: one row per entity-period needed")
        data = data.sort_values([entity, time], kind="mergesort")
    return data


def _drop_missing_rows(data, cols, entity, time):
    """Drop rows with missing values, reported (never silent)."""
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
                      ClusterResearchWarning, stacklevel=4)
    data = data[~bad]
    if len(data) == 0:
        raise ParameterError("no complete rows left after dropping missing values")
    return data, dropped


def _check_finite(full, data, cols, entity, time) -> None:
    """Raise for the first design column with a non-finite value (log of a value <= 0)."""
    nonfinite = ~np.isfinite(full.to_numpy(float))
    if not nonfinite.any():
        return
    j = int(np.where(nonfinite.any(axis=0))[0][0])
    col = full.columns[j]
    cells = []
    for r in full.index[nonfinite[:, j]]:
        inner = [c for c in cols if c in col]
        val = data.at[r, inner[0]] if inner else None
        val = float(val) if isinstance(val, (int, float, np.number)) else val
        cells.append((data.at[r, entity] if entity else r, data.at[r, time] if time else None, val))
    if "log" in col:
        shown = "; ".join(f"{e}/{t}: {v!r}" for e, t, v in cells[:10])
        raise DataValidationError(f"log of non-positive values at (entity/time: value) {shown}"
                                  + (f" (and {len(cells) - 10} more)" if len(cells) > 10 else ""),
                                  column=col)
    raise ParameterError(f"non-finite values in {col!r} at {cells[:10]}")
