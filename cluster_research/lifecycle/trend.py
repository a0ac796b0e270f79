"""A stage only where there is growth: the trend test every stage method passes first.

The lifecycle stages (萌芽 → 起飞) are places on a *growth* curve.  A series without a
significant upward trend, or one that declines at its end, is on no growth curve: every stage
method then answers "no growth stage" with the test, instead of reading a phase into noise or a
decline.  The test (ordinary least squares of ``log y`` on the year, ``scipy.stats.linregress``):

* growth: the slope over the whole series is positive with one-sided p < ``alpha``;
* no decline at the end: the slope from the series' highest value to its end (at least the
  last ``max(4, n // 3)`` observations) is *not* negative with one-sided p < ``alpha``.

A panel (:func:`panel_growth_check`) needs the first test for the panel as a whole (the slope of
a within regression with region intercepts), and the second for each region: a region that is
flat inside a growing panel may be mature (past its upper knee), which the panel models can
tell from the other regions; a region that declines at its end is on no growth curve.

References
----------
Gort, M. and Klepper, S. (1982). Time paths in the diffusion of product innovations. *Economic
Journal* 92, 630-653 (stages are defined along a growing number of producers).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["ALPHA", "end_decline", "growth_check", "panel_growth_check"]

#: Significance level of the trend tests (1 %: a flat noisy series passes by chance in 1 of 100
#: regions).
ALPHA = 0.01


def _slope(t, ly):
    res = stats.linregress(t, ly)
    if not np.isfinite(res.stderr) or res.stderr == 0:
        return res.slope, (0.0 if res.slope > 0 else 1.0), (0.0 if res.slope < 0 else 1.0)
    tstat = res.slope / res.stderr
    df = len(t) - 2
    return res.slope, float(stats.t.sf(tstat, df)), float(stats.t.cdf(tstat, df))


def growth_check(years, values, alpha=ALPHA, tail=None):
    """Return whether a series is growing (and not declining at its end), with the test.

    Parameters
    ----------
    years, values : array-like
        Observations (values positive; gaps are simply absent years).
    alpha : float
        One-sided significance level.
    tail : int, optional
        Observations in the end window (default ``max(4, n // 3)``).

    Returns
    -------
    ok : bool
    reason : str
        The test and its numbers.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(2010, 2022)
    >>> growth_check(t, 100 * np.exp(0.2 * (t - 2010)))[0]
    True
    >>> growth_check(t, np.full(t.size, 100.0))[1][:20]
    'no growth stage: fla'
    """
    t = np.asarray(years, float)
    y = np.asarray(values, float)
    pos = y > 0  # zeros (a count before the first entry) carry no log level
    t, y = t[pos], y[pos]
    if t.size < 3:
        return False, f"no growth stage: {t.size} positive observations"
    ly = np.log(y)
    b, p_up, _ = _slope(t, ly)
    if not p_up < alpha:
        what = "flat or declining" if b <= 0 or p_up > 0.25 else "growth not significant"
        return False, (f"no growth stage: {what} (log-linear trend {b:+.3f}/yr, not "
                       f"significantly positive: one-sided p = {p_up:.2g} >= {alpha:g})")
    if bad := end_decline(t, ly, alpha, tail):
        return False, bad
    return True, f"growing: log-linear trend {b:+.3f}/yr (one-sided p = {p_up:.2g})"


def end_decline(t, ly, alpha=ALPHA, tail=None):
    """Return the reason when ``log y`` declines significantly over its last ``tail`` points.

    Parameters
    ----------
    t, ly : numpy.ndarray
        Years and log values.
    alpha : float
        One-sided significance level.
    tail : int, optional
        End window (default: from the highest value to the end when that is at least
        ``max(4, n // 3)`` observations, else the last ``max(4, n // 3)``).

    Returns
    -------
    str
        Empty when there is no significant decline at the end.
    """
    m = max(4, t.size // 3) if tail is None else int(tail)
    peak = int(np.argmax(ly))
    if tail is None and t.size - peak >= m:
        m = t.size - peak  # the whole stretch after the highest value
    if t.size >= m + 2 and m >= 3:
        bt, _, p_down = _slope(t[-m:], ly[-m:])
        if p_down < alpha:
            return (f"no growth stage: the series declines at its end (trend of the last {m} "
                    f"observations {bt:+.3f}/yr, one-sided p = {p_down:.2g} < {alpha:g})")
    return ""


def panel_growth_check(regions, years, values, alpha=ALPHA):
    """Return the regions of a panel that have no growth stage, with the reasons.

    Parameters
    ----------
    regions, years, values : array-like
        Long panel (values positive).
    alpha : float
        One-sided significance level.

    Returns
    -------
    dict
        ``{region: reason}`` for every region without a growth stage: all of them when the
        panel's within slope is not significantly positive, else those declining at their end.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.tile(np.arange(2010, 2020), 2)
    >>> r = np.repeat(["a", "b"], 10)
    >>> sorted(panel_growth_check(r, t, np.full(20, 5.0)))
    ['a', 'b']
    """
    v = np.asarray(values, float)
    pos = v > 0
    r = np.asarray(regions).astype(str)[pos]
    t = np.asarray(years, float)[pos]
    ly = np.log(v[pos])
    names = list(dict.fromkeys(r))
    tc, yc = t.copy(), ly.copy()
    for g in names:
        sel = r == g
        tc[sel] -= t[sel].mean()
        yc[sel] -= ly[sel].mean()
    sxx = float(tc @ tc)
    df = t.size - len(names) - 1
    if sxx <= 0 or df <= 0:
        return {str(g): "no growth stage: too few observations for a trend test" for g in names}
    b = float(tc @ yc) / sxx
    e = yc - b * tc
    se = np.sqrt(float(e @ e) / df / sxx)
    p_up = float(stats.t.sf(b / se, df)) if se > 0 else (0.0 if b > 0 else 1.0)
    if not p_up < alpha:
        why = (f"no growth stage: the panel is flat or declining (within trend {b:+.3f}/yr, not "
               f"significantly positive: one-sided p = {p_up:.2g} >= {alpha:g})")
        return {str(g): why for g in names}
    out = {}
    for g in names:
        sel = r == g
        order = np.argsort(t[sel])
        if bad := end_decline(t[sel][order], ly[sel][order], alpha):
            out[str(g)] = bad
    return out
