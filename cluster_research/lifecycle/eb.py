"""Empirical-Bayes lifecycle stages of a panel: the prior of the curves estimated from the panel.

Every region ``i`` follows ``z_it = ln y_it = L_i + ln f(t; θ_i) + σ ε_it`` with ``f`` a unit
logistic or Gompertz curve, ``θ = (model, rate, t0)`` and ``L = ln K``.  Regions are taken as
independent draws from one unknown prior ``G`` of ``θ`` (a "compound decision" problem,
Robbins 1956): ``G`` is estimated by the nonparametric maximum likelihood estimator (NPMLE,
Kiefer & Wolfowitz 1956) over a fixed grid ``θ_1..θ_m`` with weights ``w``, by the EM
fixed point of Laird (1978)

``w_g ← w_g · (1/N) Σ_i L_ig / Σ_h w_h L_ih``,    ``L_ig = p(z_i | θ_g)``,

which never decreases the marginal log-likelihood ``ℓ(w) = Σ_i ln Σ_g w_g L_ig`` (concave in
``w``, so every start with positive weights reaches the same maximum; Koenker & Mizera 2014
solve the same problem by interior point).  ``L`` is integrated out in closed form under a
log-uniform ceiling on ``[ln min y, ln(CEILING_MULTIPLE · max y)]`` of the data used
(:func:`ceiling_loglik`, shared with the Bayes bound of the benchmark);
σ is the value of :data:`SIGMAS` with the largest maximised ``ℓ`` (profile likelihood).
The posterior of region ``i`` is ``p(θ_g | z_i) ∝ ŵ_g L_ig`` and the probability of phase
``s`` in year ``t`` is ``Σ_g p(θ_g | z_i) 1[phase(t; θ_g) = s]`` (phases from the closed-form
knees, :func:`~cluster_research.lifecycle.phases.curve_phases`).

The prior (``prior=``): ``"npmle"`` estimates the weight of every grid point; ``"rate"``
(default) only the joint distribution of model and rate, the midpoint uniform on its grid
(measured: the full NPMLE is spiky -- at most one atom per region -- and pulls regions whose
data leave the midpoint open onto the atoms of the others, so its stages are less accurate;
the midpoint is the region's own position, the rate what regions share).

A stage is shown only where (1) its probability is ≥ ``threshold`` (2/3 as
:func:`panel_stages`), (2) the region's posterior puts at most :data:`EDGE_SHARE` on the
grid's outer edge -- a ceiling within a factor 2 of the largest allowed, or a midpoint in
the last :data:`EDGE_T0` ``/ rate`` of the midpoint grid: there the data are consistent with
growth beyond what the grid covers and a stage would be an artefact of the grid -- and
(3) in real time, at least :data:`MIN_YEARS` years of data are used.

Grid (never from a simulator's settings): rates log-spaced on :data:`RATE_RANGE` (a 10-90 %
rise of the logistic takes ``ln 81 / k``, from 3 to 88 years); for each rate ``k``,
midpoints evenly from ``first − MIDPOINT_SPAN/k`` to ``last + MIDPOINT_SPAN/k`` of the years
used; both models.  Known limitation (tests/test_eb.py): in real time a pure exponential
whose noise happens to bend down at the end can get 成长 (the model has no exponential to fall
back on except the far end of the ridge ``ceiling ↔ midpoint``, cut by :data:`CEILING_MULTIPLE`).

References
----------
Robbins, H. (1956). An empirical Bayes approach to statistics. *Proc. Third Berkeley Symp.* 1.
Kiefer, J., Wolfowitz, J. (1956). Consistency of the maximum likelihood estimator in the
presence of infinitely many incidental parameters. *Ann. Math. Statist.* 27, 887-906.
Laird, N. (1978). Nonparametric maximum likelihood estimation of a mixing distribution.
*JASA* 73, 805-811.
Koenker, R., Mizera, I. (2014). Convex optimization, shape constraints, compound decisions,
and empirical Bayes rules. *JASA* 109, 674-685.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import log_ndtr, logsumexp

from ..errors import ParameterError
from .lag import divide_by_scale
from .phases import STAGE_THRESHOLD, curve_phases, stage_rows
from .stage import Stage

__all__ = ["CEILING_MULTIPLE", "EDGE_SHARE", "EDGE_T0", "MIDPOINT_SPAN", "MIN_YEARS", "MODELS",
           "RATE_RANGE", "SIGMAS", "ceiling_loglik", "curve_grid", "eb_stages", "npmle_weights"]

#: Curve models of the grid.
MODELS = ("logistic", "gompertz")
#: Rates ``k`` / ``b`` of the grid (per year), log-spaced.
RATE_RANGE = (0.05, 1.5)
#: Reach of the midpoint grid before the first and after the last year used, in units of
#: ``1/rate`` (a logistic is at 0.7 % of its ceiling 5/k before its midpoint).
MIDPOINT_SPAN = 5.0
#: Largest ceiling of the prior, as a multiple of the largest value used.
CEILING_MULTIPLE = 100.0
#: Candidate log-noise SDs σ (profiled by the marginal likelihood), steps of √2.
SIGMAS = 0.01 * np.sqrt(2.0) ** np.arange(11)
#: Posterior mass on the grid's outer edge above which no stage is shown.
EDGE_SHARE = 0.5
#: Width of the midpoint edge, in units of ``1/rate`` before the last midpoint of the grid.
EDGE_T0 = 0.5
#: Fewest years of data for a stage in real time (the curve has 3 parameters and σ).  Measured
#: against three (real time, 15 regions, seeds 0-2): three years raise simulated accuracy
#: (0.484 -> 0.544 independent σ = 8 %, 0.639 -> 0.735 shifted) at the same accuracy among
#: staged years, but on pure exponentials (seeds 0-3) 21 instead of 12 of 720 region-years get
#: a stage past 萌芽, some 起飞 from three points: with three years the stage is the prior's.
MIN_YEARS = 5


def curve_grid(models, rate, t0, years, phase=None):
    """Return ``ln f(t; θ)`` and the one-hot phase of every year on a grid of unit curves.

    ``f`` is the logistic ``1 / (1 + e^{-u})`` or the Gompertz ``exp(-e^{-u})``,
    ``u = rate (t - t0)`` (the S-curve with ceiling 1); the phase of a year is 1 + the number
    of knees and inflection before it (:func:`~cluster_research.lifecycle.phases.curve_phases`; the
    benchmark's Bayes bound passes
    its own closed forms as ``phase``).

    Parameters
    ----------
    models : sequence of {"logistic", "gompertz"}
    rate : array (g, 1)
        Rates of the grid points (the same for every model).
    t0 : list of arrays (g, 1)
        Midpoints of the grid points, one array per model.
    years : array (T,)
    phase : callable, optional
        ``phase(model, rate, t0, years)`` -> phases 1-4 (default: ``curve_phases``).

    Returns
    -------
    logf : array (len(models) g, T)
    onehot : array (len(models) g, T, 4)
    """
    logf, onehot = [], []
    for m, c in zip(models, t0):
        u = rate * (years - c)  # Gompertz: u >= -30 keeps the squares of e^-u finite
        logf.append(-np.logaddexp(0.0, -u) if m == "logistic" else -np.exp(-np.maximum(u, -30.0)))
        if phase is None:
            ph = curve_phases(m, np.concatenate([np.ones_like(rate), rate, c], axis=1), years)
        else:
            ph = phase(m, rate, c, years)
        onehot.append(np.eye(4)[ph - 1])
    return np.concatenate(logf), np.concatenate(onehot)


def ceiling_loglik(z, logf, used, sigma, bounds, edge=None, moments=None):
    """Return ``ln p(z_1..z_n | θ)`` with ``L = ln K`` uniform on ``bounds`` integrated out.

    With ``z_j = L + ln f(t_j; θ) + σ ε_j`` (``ε_j ~ N(0, 1)``), ``d_j = z_j - ln f(t_j; θ)``,
    mean ``d̄`` and ``[a, b] = bounds``:

    ``p(z | θ) = (2πσ²)^{-(n-1)/2} n^{-1/2} exp(-Σ_j (d_j - d̄)² / 2σ²)
    [Φ((b - d̄)√n/σ) - Φ((a - d̄)√n/σ)] / (b - a)``

    for the first ``n = used + 1`` years (every constant kept, so values for different σ
    compare). With ``edge``, also ``P(L ≥ b - edge | z, θ)`` (the posterior of ``L`` given
    θ is ``N(d̄, σ²/n)`` truncated to ``[a, b]``).

    Parameters
    ----------
    z : array (..., T)
        Log observations (e.g. ``(regions, 1, T)`` to broadcast against ``logf``).
    logf : array (g, T)
        :func:`curve_grid`.
    used : array of int
        Index of the last year of each likelihood.
    sigma : float
    bounds : (float, float)
    edge : float, optional
    moments : (array, array), optional
        ``(Σ d_j, Σ d_j²)`` over the years used, as computed here from ``z`` and ``logf``
        (pass them to evaluate several σ without recomputing; ``z`` is then not used).

    Returns
    -------
    array (..., g, len(used)), and with ``edge`` a second one of the same shape.
    """
    a, b = bounds
    n = used + 1.0
    if moments is None:
        d = z - logf
        moments = np.cumsum(d, axis=-1)[..., used], np.cumsum(d * d, axis=-1)[..., used]
    s1, s2 = moments
    mean = s1 / n

    def log_mass(a, b):  # ln[Φ(hi) - Φ(lo)], in the lower tail when lo > 0
        hi, lo = (b - mean) * np.sqrt(n) / sigma, (a - mean) * np.sqrt(n) / sigma
        flip = lo > 0
        top, bot = log_ndtr(np.where(flip, -lo, hi)), log_ndtr(np.where(flip, -hi, lo))
        return top + np.log1p(-np.exp(np.minimum(bot - top, 0.0)))

    mass = log_mass(a, b)
    ll = (-(s2 - s1 * mean) / (2.0 * sigma ** 2) + mass
          - (n - 1) / 2 * np.log(2 * np.pi * sigma ** 2) - 0.5 * np.log(n) - np.log(b - a))
    return ll if edge is None else (ll, np.exp(log_mass(b - edge, b) - mass))


def npmle_weights(loglik, w0=None, max_iter=1000, tol=1e-6):
    """Return the NPMLE mixing weights of a grid by EM (Laird 1978) and ``ℓ`` per iteration.

    Parameters
    ----------
    loglik : array (N, m)
        ``ln L_ig``, the log-likelihood of unit ``i`` at grid point ``g``.
    w0 : array (m,), optional
        Start (positive); uniform by default.
    max_iter : int
    tol : float
        Stop when an iteration raises ``ℓ(w) = Σ_i ln Σ_g w_g L_ig`` by less than ``tol``.

    Returns
    -------
    w : array (m,)
        Weights (sum 1) at which the last ``ℓ`` was evaluated.
    trace : array
        ``ℓ`` at every iteration (non-decreasing).

    Examples
    --------
    >>> w, tr = npmle_weights(np.log([[0.9, 0.1], [0.8, 0.2]]))
    >>> bool(w[0] > 0.99), bool(np.all(np.diff(tr) >= 0))
    (True, True)
    """
    top = loglik.max(axis=1, keepdims=True)
    lik = np.exp(loglik - top)
    w = np.full(lik.shape[1], 1.0 / lik.shape[1]) if w0 is None else np.asarray(w0, float)
    w, trace = w / w.sum(), []
    for _ in range(max_iter):
        f = lik @ w
        trace.append(float(np.log(f).sum() + top.sum()))
        if len(trace) > 1 and trace[-1] - trace[-2] < tol:
            break
        w = w * (lik.T @ (1.0 / f)) / len(f)
    return w, np.array(trace)


def _fit(z, years, n_rate, n_mid, w0, prior):
    """EB fit on the log values ``z`` (regions × years used); returns the posterior of θ,
    the phase one-hots, the edge mass per region, σ̂ and ŵ."""
    rate = np.geomspace(*RATE_RANGE, n_rate)[:, None]
    mid = np.linspace(years[0] - MIDPOINT_SPAN / rate, years[-1] + MIDPOINT_SPAN / rate,
                      n_mid, axis=1).reshape(-1, 1)
    rate = rate.repeat(n_mid, axis=0)
    logf, onehot = curve_grid(MODELS, rate, [mid] * len(MODELS), years)
    bounds = (z.min(), z.max() + np.log(CEILING_MULTIPLE))
    used, d = np.array([len(years) - 1]), z[:, None, :] - logf
    moments = d.sum(axis=-1)[..., None], (d * d).sum(axis=-1)[..., None]  # the same for every σ
    best = None
    for sigma in SIGMAS:
        ll, edge_k = (a[..., 0] for a in ceiling_loglik(None, logf, used, sigma, bounds,
                                                        edge=np.log(2.0), moments=moments))
        if prior == "rate":  # w(model, rate) × uniform(t0): EM on the t0-averaged likelihood
            llc = logsumexp(ll.reshape(len(ll), -1, n_mid), axis=2) - np.log(n_mid)
            wc, trace = npmle_weights(llc, None if w0 is None else w0.reshape(-1, n_mid).sum(1))
            w = np.repeat(wc / n_mid, n_mid)
        else:
            w, trace = npmle_weights(ll, w0)
        if best is None or trace[-1] > best[0]:
            best = (trace[-1], sigma, w, ll, edge_k)
    _, sigma, w, ll, edge_k = best
    post = w * np.exp(ll - ll.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    edge_t = np.tile((mid >= years[-1] + (MIDPOINT_SPAN - EDGE_T0) / rate)[:, 0], len(MODELS))
    edge = (post * (1.0 - (1.0 - edge_k) * (1.0 - edge_t))).sum(axis=1)
    return post, onehot, edge, sigma, w


def eb_stages(data: pd.DataFrame, *, information: str = "hindsight", scale=None,
              threshold=STAGE_THRESHOLD, grid=(40, 200), prior="rate") -> pd.DataFrame:
    """Classify every region-year of a panel by the empirical-Bayes posterior of its phase.

    See the module docstring for the model, the NPMLE prior and the edge rule.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, columns region, year, value (positive), checked as
        ``panel_stages(data, method="eb")`` checks it -- the way to call this model on data
        of your own; every region needs every year (no gaps).
    information : {"hindsight", "realtime"}
        Real time: the stage of year ``t`` uses only data ≤ ``t`` for the weights, σ̂ and the
        posterior (the EM refitted per year, started from year ``t − 1``'s weights).
    scale : mapping region -> divisor, optional
        E.g. the population (:func:`~cluster_research.lifecycle.lag.per_person_scale`).
    threshold : float
        Smallest probability of the stage shown.
    grid : (int, int)
        Number of rates and of midpoints per model (cost ∝ their product; measured on
        simulated panels, (20, 80) loses 2-10 points of accuracy against (40, 200)).
    prior : {"rate", "npmle"}
        ``"npmle"``: the weights of every grid point estimated; ``"rate"``: only the joint
        distribution of model and rate, the midpoint uniform on its grid (a panel of data
        ≤ t says little about the midpoints of regions still before theirs).

    Returns
    -------
    pandas.DataFrame
        region, year, stage (:class:`Stage` or None), ``PROB_COLUMNS``, reason; ``attrs``
        ``sigma`` (σ̂ per year of data used).

    Examples
    --------
    >>> from cluster_research.lifecycle.benchmark import simulate_panel
    >>> out = eb_stages(simulate_panel(5, 12, seed=1)[["region", "year", "value"]])
    >>> len(out), bool(np.allclose(out.iloc[:, 3:7].sum(axis=1), 1.0))
    (60, True)
    """
    if information not in ("hindsight", "realtime") or prior not in ("npmle", "rate"):
        raise ParameterError(f"information must be 'hindsight' or 'realtime' and prior 'npmle' "
                             f"or 'rate', got {information!r}, {prior!r}")
    if scale is not None:
        data = divide_by_scale(data, scale)
    wide = data.pivot(index="region", columns="year", values="value")
    gaps = wide.index[wide.isna().any(axis=1)]
    if len(gaps) or wide.shape[1] < 3:
        raise ParameterError(f"eb_stages needs every region in every year (>= 3 years); region "
                             f"{gaps[0] if len(gaps) else wide.index[0]!r} has a gap or too few")
    years, z = wide.columns.to_numpy(float), np.log(wide.to_numpy())
    cuts = range(len(years)) if information == "realtime" else [len(years) - 1]
    probs, edges, sigmas, w = {}, {}, {}, None
    for c in cuts:
        post, onehot, edge, sigma, w = _fit(z[:, :c + 1], years[:c + 1], *grid,
                                            None if w is None else 0.9 * w + 0.1 / len(w), prior)
        sigmas[int(years[c])] = sigma
        P = np.einsum("ig,gts->its", post, onehot)
        for j in (range(c + 1) if information == "hindsight" else [c]):
            probs[j], edges[j] = P[:, j], edge
    rows = []
    for i, r in enumerate(wide.index):
        js = sorted(probs)
        P = np.array([probs[j][i] for j in js])
        stages, why = [], []
        for j, p in zip(js, P):
            t = int(years[j]) if information == "realtime" else int(years[-1])
            why.append(f"empirical Bayes (data <= {t}, sigma {sigmas[t]:.3f}); grid-edge mass "
                       f"{edges[j][i]:.2f}")
            ok = edges[j][i] <= EDGE_SHARE and (information == "hindsight" or j + 1 >= MIN_YEARS)
            stages.append(list(Stage)[int(p.argmax())] if ok else None)
            if edges[j][i] > EDGE_SHARE:
                why[-1] += f" > {EDGE_SHARE}: growth beyond the grid is consistent, not identified"
            elif not ok:
                why[-1] += f"; fewer than {MIN_YEARS} years of data: not identified"
        rows.append(stage_rows(r, years[js], stages, P, why, threshold))
    out = pd.concat(rows, ignore_index=True)
    out.attrs.update(method="eb", information=information, sigma=sigmas)
    return out
