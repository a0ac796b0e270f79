"""Compare growth models by information criteria and rolling-origin forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .fit import fit, validate
from .specs import MODELS, SPECS

__all__ = ["compare"]


def compare(years, values=None, models=None, errors="additive", form="cumulative", min_train=None):
    """Compare growth models by AICc, BIC and rolling-origin out-of-sample error.

    Rolling origin (expanding window): for each origin ``i = m, ..., n-1`` the model is fitted to
    the first ``i`` observations and forecasts observation ``i`` (the next observed year, so
    gaps give longer horizons).  ``oos_rmse`` is the root mean squared forecast error and
    ``oos_mape`` the mean absolute percentage error (on the level of ``values``); ``m`` is the
    same for every model (default: the largest parameter count + 2) so all models forecast the
    same points.  Failed or non-converged fits are counted in ``oos_failures`` and skipped.
    Models are never ranked by R^2.

    Parameters
    ----------
    years, values : array-like
        As for :func:`fit`.
    models : list of str, optional
        Default: all of :data:`MODELS` that have fewer parameters than observations.
    errors, form : str
        As for :func:`fit` (``form`` applies to the S-curves and Bass; exponential always
        uses the level).
    min_train : int, optional
        First training size ``m``.

    Returns
    -------
    pandas.DataFrame
        Index ``model``; columns ``n_params, rss, aic, aicc, bic, converged, identified,
        ceiling, oos_rmse, oos_mape, oos_n, oos_failures``; sorted by AICc.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(2000, 2012)
    >>> y = 100 / (1 + np.exp(-0.8 * (t - 2006))) * (1 + 0.01 * np.cos(t))
    >>> tab = compare(t, y, models=["logistic", "gompertz"])
    >>> list(tab.columns[:3])
    ['n_params', 'rss', 'aic']
    """
    if values is None and isinstance(years, pd.Series):
        years, values = years.index.to_numpy(float), years.to_numpy(float)
    t, y, _ = validate(years, values, None, errors, "logistic", form)
    if models is None:
        models = [m for m in MODELS if len(SPECS[m].param_names) < t.size]
    m_train = min_train or (max(len(SPECS[m].param_names) for m in models) + 2)
    rows = []
    for m in models:
        f = form if m != "exponential" else "cumulative"
        try:
            res = fit(t, y, model=m, errors=errors, form=f)
        except ParameterError as exc:
            rows.append({"model": m, "error": str(exc)})
            continue
        errs, fails = [], 0
        for i in range(m_train, t.size):
            try:
                r_i = fit(t[:i], y[:i], model=m, errors=errors, form=f)
                if not r_i.converged:
                    fails += 1
                    continue
                pred = float(r_i.predict([t[i]]).iloc[0])
                errs.append((y[i] - pred, (y[i] - pred) / y[i] if y[i] != 0 else np.nan))
            except ParameterError:
                fails += 1
        e = np.array(errs) if errs else np.zeros((0, 2))
        rows.append({"model": m, "n_params": res.df_model, "rss": res.rss, "aic": res.aic,
                     "aicc": res.aicc, "bic": res.bic, "converged": res.converged,
                     "identified": res.identified, "ceiling": res.ceiling,
                     "oos_rmse": float(np.sqrt(np.mean(e[:, 0] ** 2))) if len(e) else np.nan,
                     "oos_mape": float(np.nanmean(np.abs(e[:, 1]))) if len(e) else np.nan,
                     "oos_n": len(e), "oos_failures": fails})
    return pd.DataFrame(rows).set_index("model").sort_values("aicc", na_position="last")
