"""Compute cluster metrics across regions: shares, location quotients, concentration, ranks.

All functions take regional values as a :class:`pandas.Series` indexed by region
(or, for the location quotient, a regions × activities :class:`pandas.DataFrame`)
and validate their input: negative values, empty input, missing values and
misaligned indices raise :class:`~cluster_research.errors.ParameterError` naming the
offending regions.  Missing values are never skipped silently: pass
``missing="drop"`` to exclude them explicitly; the excluded regions are then
listed in ``result.attrs["dropped"]``.

References
----------
Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage.
*The Manchester School* 33, 99–123.
Balland, P.-A. (2017). Economic Geography in R: Introduction to the EconGeo
package. Papers in Evolutionary Economic Geography 17.09, Utrecht University.
U.S. Department of Justice and FTC (2010). *Horizontal Merger Guidelines*, §5.3
(Herfindahl–Hirschman index).
Dunn, E. S. (1960). A statistical and analytical technique for regional
analysis. *Papers of the Regional Science Association* 6, 97–112 (shift-share).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = ["concentration_ratio", "cr4", "gini", "growth_decomposition", "hhi",
           "location_quotient", "rank", "rank_change", "share", "share_lq_table"]


def _series(values, name="values", missing="raise", allow_negative=False) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        raise ParameterError(f"{name} must be a Series (one value per region), got a DataFrame")
    try:
        s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
        x = s.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be numeric: {exc}") from None
    if len(x) == 0:
        raise ParameterError(f"{name} is empty")
    if not s.index.is_unique:
        dup = s.index[s.index.duplicated()].unique().tolist()
        raise ParameterError(f"{name} has duplicate regions: {dup}")
    if missing not in ("raise", "drop"):
        raise ParameterError(f"missing must be 'raise' or 'drop', got {missing!r}")
    index = s.index
    isna = np.isnan(x)
    na = index[isna].tolist()
    if na:
        if missing == "raise":
            raise ParameterError(
                f"{name} has missing values for {na}; pass missing='drop' to exclude them")
        x, index = x[~isna], index[~isna]
        if len(x) == 0:
            raise ParameterError(f"{name} has no non-missing values")
    if not allow_negative and (x < 0).any():
        raise ParameterError(f"{name} has negative values for {index[x < 0].tolist()}")
    out = pd.Series(x, index=index, name=s.name, copy=False)
    out.attrs = {"dropped": na}
    return out


def share(values, missing="raise") -> pd.Series:
    """Compute each region's share of the national (column) total.

    ``s_r = x_r / sum_r x_r``.

    Parameters
    ----------
    values : pandas.Series
        Non-negative values indexed by region.
    missing : {"raise", "drop"}
        Missing values raise :class:`ParameterError`, or are excluded from
        the total and listed in ``result.attrs["dropped"]``.

    Returns
    -------
    pandas.Series
        Shares in [0, 1] summing to 1.

    Raises
    ------
    ParameterError
        Negative values, no values, missing values, or a zero total.

    References
    ----------
    Balland (2017), EconGeo.

    Examples
    --------
    >>> share(pd.Series({"A": 1.0, "B": 3.0})).tolist()
    [0.25, 0.75]
    """
    s = _series(values, missing=missing)
    total = s.sum()
    if total == 0:
        raise ParameterError("the total is zero: shares are undefined")
    out = s / total
    out.attrs = {"dropped": s.attrs["dropped"]}
    return out


def location_quotient(mat, binary=False) -> pd.DataFrame:
    """Compute location quotients from a regions × activities matrix (EconGeo conventions).

    ``LQ_ri = (x_ri / x_r.) / (x_.i / x_..)``: the share of activity i in region
    r over the share of activity i in the whole economy (Balassa's revealed
    comparative advantage, the Hoover–Balassa index).  Following EconGeo's
    ``location.quotient``/``location_quotient``: cells whose quotient is
    undefined (0/0, a region or activity with total 0) are set to 0, and with
    ``binary=True`` values below 1 become 0 and values of 1 or more become 1
    (EconGeo only rewrites ``lq < 1`` and ``lq > 1``, so an exact 1 stays 1).

    For a single indicator, pass two columns, e.g. the indicator and a
    reference total (GDP): ``LQ = (x_r / g_r) / (X / G)``.

    Parameters
    ----------
    mat : pandas.DataFrame
        Non-negative values, regions in rows, activities in columns, no NaN.
    binary : bool
        Return the 0/1 dichotomised matrix.

    Returns
    -------
    pandas.DataFrame
        Same shape and labels as ``mat``.

    Raises
    ------
    ParameterError
        Negative values, no values or missing values.

    References
    ----------
    Balassa (1965); Balland (2017), EconGeo ``location.quotient``.

    Examples
    --------
    EconGeo's documentation matrix (industries I1–I5 all total 100, so each
    national share is 0.2):

    >>> m = pd.DataFrame([[100, 0, 0, 0, 0], [0, 15, 5, 70, 10]],
    ...                  index=["R1", "R2"], columns=["I1", "I2", "I3", "I4", "I5"])
    >>> location_quotient(m).loc["R2"].round(4).tolist()  # shares 100/200 etc.
    [0.0, 2.0, 2.0, 2.0, 2.0]
    """
    if not isinstance(mat, pd.DataFrame):
        mat = pd.DataFrame(mat)
    if mat.size == 0:
        raise ParameterError("location_quotient: the matrix is empty")
    m = mat.astype(float)
    for what, bad in (("missing", m.isna()), ("negative", m < 0)):
        cells = [(m.index[r], m.columns[c]) for r, c in zip(*np.where(bad.to_numpy()))]
        if cells:
            raise ParameterError(f"location_quotient: {what} values at {cells[:10]}")
    x = m.to_numpy()
    total = x.sum()
    row = x.sum(axis=1, keepdims=True)
    col = x.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (x * total) / (row * col)
    lq[~np.isfinite(lq)] = 0.0
    if binary:
        lq = np.where(lq < 1, 0.0, 1.0)
    return pd.DataFrame(lq, index=m.index, columns=m.columns)


def hhi(values, scale=1.0, normalized=False, missing="raise") -> float:
    """Compute the Herfindahl–Hirschman index of concentration across regions.

    ``HHI = sum_r s_r^2`` with ``s_r`` the shares; ``1/n <= HHI <= 1`` for n
    regions (``scale=10000`` gives the 0–10 000 points of the merger
    guidelines, shares in percent).  ``normalized=True`` returns
    ``(HHI - 1/n) / (1 - 1/n)`` in [0, 1] (0 for n = 1 is undefined and raises).

    ``values`` and ``missing`` are as in :func:`share` (and raise as there).

    References
    ----------
    Hirschman, A. O. (1964). The paternity of an index. *American Economic
    Review* 54(5), 761; U.S. DOJ/FTC (2010), §5.3.

    Examples
    --------
    >>> hhi(pd.Series([50.0, 30.0, 20.0]))  # 0.25 + 0.09 + 0.04
    0.38
    """
    s = share(values, missing=missing)
    h = float(np.sum(s.to_numpy() ** 2))
    if normalized:
        n = len(s)
        if n < 2:
            raise ParameterError("normalized HHI needs at least 2 regions")
        h = (h - 1.0 / n) / (1.0 - 1.0 / n)
    return h * scale


def concentration_ratio(values, n=4, missing="raise") -> float:
    """Compute the n-region concentration ratio CRn: the share of the n largest.

    ``CR_n = sum of the n largest shares`` (in [0, 1]).

    ``values`` and ``missing`` are as in :func:`share`.

    Raises
    ------
    ParameterError
        If ``n < 1`` or ``n`` exceeds the number of regions; see :func:`share`.

    References
    ----------
    Bain, J. S. (1951). Relation of profit rate to industry concentration.
    *Quarterly Journal of Economics* 65(3), 293–324.

    Examples
    --------
    >>> round(concentration_ratio(pd.Series([40.0, 30.0, 10.0, 10.0, 5.0, 5.0]), n=4), 12)
    0.9
    """
    s = share(values, missing=missing)
    if int(n) != n or n < 1:
        raise ParameterError(f"n must be a positive integer, got {n!r}")
    if n > len(s):
        raise ParameterError(f"n={n} exceeds the number of regions ({len(s)})")
    return float(np.sort(s.to_numpy())[::-1][: int(n)].sum())


def cr4(values, missing="raise") -> float:
    """Compute the four-region concentration ratio CR4 (see :func:`concentration_ratio`).

    Examples
    --------
    >>> round(cr4(pd.Series([40.0, 30.0, 10.0, 10.0, 5.0, 5.0])), 12)
    0.9
    """
    return concentration_ratio(values, n=4, missing=missing)


def gini(values, missing="raise") -> float:
    """Compute the Gini coefficient of concentration across regions.

    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x))`` (Gini's mean difference over twice
    the mean), computed from the sorted values as
    ``G = (2 sum_i i x_(i)) / (n sum x) - (n + 1) / n`` with ``x_(1) <= ... <= x_(n)``.
    0 when every region has the same value; ``(n - 1) / n`` when one region has all.
    Only the regions passed count: include regions with zero to measure concentration
    over all of them.

    ``values`` (not all zero) and ``missing`` are as in :func:`share`.

    Raises
    ------
    ParameterError
        Negative values, no values, missing values, or all values zero.

    References
    ----------
    Gini, C. (1912). *Variabilità e mutabilità*. Bologna: C. Cuppini.
    Sen, A. (1973). *On Economic Inequality*. Oxford: Clarendon Press, eq. (2.8).

    Examples
    --------
    >>> round(gini(pd.Series([1.0, 2.0, 3.0, 4.0])), 12)  # sum|xi-xj| = 20; 20/(2*16*2.5)
    0.25
    """
    s = _series(values, missing=missing)
    x = np.sort(s.to_numpy(dtype=float))
    total = x.sum()
    if total <= 0:
        raise ParameterError("gini of values that are all zero is undefined")
    n = len(x)
    i = np.arange(1, n + 1)
    return float(2.0 * np.sum(i * x) / (n * total) - (n + 1.0) / n)


def rank(values, ascending=False, missing="raise") -> pd.Series:
    """Rank regions by value (1 = largest by default; ties share the lowest rank).

    ``rank_r = 1 + #{q : x_q > x_r}`` (competition ranking, pandas
    ``method="min"``).  Negative values are allowed (e.g. growth rates).

    ``ascending=True`` gives rank 1 to the smallest value; ``missing`` as in :func:`share`.

    Examples
    --------
    >>> rank(pd.Series({"A": 5.0, "B": 9.0, "C": 5.0})).tolist()
    [2, 1, 2]
    """
    s = _series(values, missing=missing, allow_negative=True)
    out = s.rank(ascending=ascending, method="min").astype(int)
    out.attrs = {"dropped": s.attrs["dropped"]}
    return out


def rank_change(before, after, ascending=False) -> pd.DataFrame:
    """Compare regional ranks between two periods.

    ``change_r = rank_before_r - rank_after_r`` (positive = moved up).

    Parameters
    ----------
    before, after : pandas.Series
        Values indexed by the same regions (order may differ).
    ascending : bool
        As in :func:`rank`.

    Returns
    -------
    pandas.DataFrame
        Columns rank_before, rank_after, change, indexed by region.

    Raises
    ------
    ParameterError
        If the two Series do not cover the same regions.

    Examples
    --------
    >>> b = pd.Series({"A": 1.0, "B": 2.0}); a = pd.Series({"A": 3.0, "B": 2.0})
    >>> rank_change(b, a)["change"].tolist()
    [1, -1]
    """
    b = _series(before, "before", allow_negative=True)
    a = _series(after, "after", allow_negative=True)
    _check_aligned(b, a)
    a = a.reindex(b.index)
    rb, ra = rank(b, ascending), rank(a, ascending)
    return pd.DataFrame({"rank_before": rb, "rank_after": ra, "change": rb - ra})


def _check_aligned(a: pd.Series, b: pd.Series) -> None:
    only_a = [r for r in a.index if r not in b.index]
    only_b = [r for r in b.index if r not in a.index]
    if only_a or only_b:
        raise ParameterError(
            f"indices differ: only in the first {only_a}, only in the second {only_b}")


def growth_decomposition(before, after, missing="raise") -> pd.DataFrame:
    """Decompose national growth into regional contributions (shift-share style).

    With ``X_0 = sum_r x_r0``, national growth ``G = (X_1 - X_0) / X_0``
    equals the sum of regional contributions
    ``c_r = (x_r1 - x_r0) / X_0 = s_r0 * g_r``, where ``s_r0 = x_r0 / X_0`` is
    the base-period share and ``g_r = x_r1 / x_r0 - 1`` the regional growth
    (NaN where ``x_r0 = 0``; the contribution is still defined).
    Each contribution splits into a *national* component ``s_r0 * G`` and a
    *differential* (regional-shift) component ``s_r0 * (g_r - G)``; the
    differential components sum to zero.  ``contribution_share = c_r / G`` is
    the region's share of national growth (sums to 1 when ``G != 0``).

    Parameters
    ----------
    before, after : pandas.Series
        Non-negative values in the base and end periods, same regions.
    missing : {"raise", "drop"}
        Missing values raise, or the region is excluded from both periods
        (listed in ``result.attrs["dropped"]``).

    Returns
    -------
    pandas.DataFrame
        Indexed by region: before, after, change, growth, share_before,
        contribution, national_component, differential_component,
        contribution_share.  ``result.attrs["national_growth"]`` holds G.

    Raises
    ------
    ParameterError
        Misaligned inputs, negative values, no values, missing values, or a zero base total.

    References
    ----------
    Dunn (1960); Esteban-Marquillas, J. M. (1972). A reinterpretation of
    shift-share analysis. *Regional and Urban Economics* 2(3), 249–255.

    Examples
    --------
    >>> d = growth_decomposition(pd.Series({"A": 100.0, "B": 300.0}),
    ...                          pd.Series({"A": 150.0, "B": 330.0}))
    >>> d["contribution"].round(4).tolist(), d.attrs["national_growth"]
    ([0.125, 0.075], 0.2)
    """
    b = pd.Series(before, dtype=float) if not isinstance(before, pd.Series) else before
    a = pd.Series(after, dtype=float) if not isinstance(after, pd.Series) else after
    if len(b) == 0 or len(a) == 0:
        raise ParameterError("growth_decomposition: empty input")
    _check_aligned(b, a)
    a = a.reindex(b.index)
    dropped = []
    if missing == "drop":
        na = b.isna() | a.isna()
        dropped = b.index[na].tolist()
        b, a = b[~na], a[~na]
    b = _series(b, "before", missing="raise")
    a = _series(a, "after", missing="raise")
    X0, X1 = b.sum(), a.sum()
    if X0 == 0:
        raise ParameterError("growth_decomposition: the base-period total is zero")
    G = (X1 - X0) / X0
    s0 = b / X0
    g = (a / b.where(b > 0)) - 1.0  # undefined (NaN) where the base value is 0
    contrib = (a - b) / X0
    out = pd.DataFrame({
        "before": b, "after": a, "change": a - b, "growth": g, "share_before": s0,
        "contribution": contrib,
        "national_component": s0 * G,
        # written as c_r - s_r0 G so it is defined even where x_r0 = 0
        "differential_component": contrib - s0 * G,
        "contribution_share": contrib / G if G != 0 else np.nan})
    out.attrs = {"national_growth": float(G), "dropped": dropped}
    return out


def _wide(frame, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"share_lq_table: {name} must be a years × regions DataFrame, "
                             f"got {type(frame).__name__}")
    if frame.index.has_duplicates or frame.columns.has_duplicates:
        raise ParameterError(f"share_lq_table: {name} has duplicated years or regions")
    out = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    neg = out.lt(0).stack()
    if neg.any():
        bad = [f"{r} {y}" for (y, r) in neg[neg].index[:5]]
        raise ParameterError(f"share_lq_table: negative {name} values in {', '.join(bad)}")
    return out


def share_lq_table(values, reference) -> pd.DataFrame:
    """Tabulate each region's share and location quotient, one row per year and region.

    For year ``t`` and region ``r`` with value ``x_rt`` and reference (e.g. GDP)
    ``g_rt``:

    ``share_rt = x_rt / X_t`` with ``X_t = sum_q x_qt`` over the regions observed in ``t``;

    ``lq_rt = (x_rt / g_rt) / (X'_t / G'_t)``, the totals ``X'_t``, ``G'_t`` taken over
    the regions where both values are observed in ``t``.

    The LQ is given only where the reference exists for that region and year; elsewhere
    it is NaN (never filled, never 0).  Years are matched exactly: a value year is never
    paired with another year's reference.

    Parameters
    ----------
    values : pandas.DataFrame
        Non-negative values, years in the index, regions in the columns (NaN = not
        observed).
    reference : pandas.DataFrame
        Non-negative reference values (e.g. GDP), same layout; its years and regions may
        be a subset or superset of those of ``values``.

    Returns
    -------
    pandas.DataFrame
        Columns year (int), region (str), share (float), lq (float, NaN where the
        reference is missing); one row per observed (year, region) of ``values``,
        sorted by year and region order of ``values``.

    Raises
    ------
    ParameterError
        Not a DataFrame, negative values, duplicated years or regions, or a year whose
        total is zero.

    References
    ----------
    Balassa (1965); Balland (2017), EconGeo ``location.quotient``.

    Examples
    --------
    >>> v = pd.DataFrame({"A": [1.0, 2.0], "B": [3.0, 2.0]}, index=[2020, 2021])
    >>> g = pd.DataFrame({"A": [2.0], "B": [2.0]}, index=[2021])
    >>> share_lq_table(v, g).round(3).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'year': [2020, 2020, 2021, 2021], 'region': ['A', 'B', 'A', 'B'],
     'share': [0.25, 0.75, 0.5, 0.5], 'lq': [nan, nan, 1.0, 1.0]}
    """
    x = _wide(values, "values")
    g = _wide(reference, "reference").reindex(index=x.index, columns=x.columns)
    totals = x.sum(axis=1, min_count=1)
    zero = totals.index[(totals == 0)].tolist()
    if zero:
        raise ParameterError(f"share_lq_table: the total of values is zero in {zero}")
    shares = x.div(totals, axis=0)
    both = x.notna() & g.notna()
    xt = x.where(both).sum(axis=1, min_count=1)
    gt = g.where(both).sum(axis=1, min_count=1)
    lq = (x / g.where(g > 0)).div(xt / gt, axis=0).where(both)
    out = pd.DataFrame({
        "year": np.repeat(x.index.to_numpy(), x.shape[1]),
        "region": np.tile(x.columns.to_numpy(), x.shape[0]),
        "share": shares.to_numpy().ravel(),
        "lq": lq.to_numpy().ravel()})
    out = out[x.notna().to_numpy().ravel()].reset_index(drop=True)
    out["year"] = out["year"].astype(int)
    out["region"] = out["region"].astype(str)
    return out
