"""Variable projection: the growth fits with the ceiling eliminated in closed form.

Every growth curve of the package is ``f(t) = B g(t; z)`` with one *linear* coefficient ``B``
(a ceiling, or a quantity from which the ceiling follows) and a few non-linear parameters
``z``.  For fixed ``z`` the best ``B`` is closed form:

* additive errors, ``y = B g + e``: ``B(z) = g'Wy / g'Wg``;
* multiplicative errors, ``log y = log B + log g + e``: ``log B(z)`` is the weighted mean of
  ``log y - log g``.

The reduced residual ``r(z) = y - B(z) g(z)`` (or its log analogue) is minimised over ``z``
alone (Golub and Pereyra 2003), started from the best point of a vectorised grid over ``z`` and
solved once by ``scipy.optimize.least_squares`` with the exact projected Jacobian:
for one linear parameter ``dr/dz_j = -(B P G_j + g G_j'r / g'g)``, ``P = I - g g'/g'g``
(multiplicative: ``dr/dz_j = -(I - 1 w'/1'w) d log g/dz_j``, exact).

The S-curves are written in coordinates in which the nested exponential (the limit ``K -> inf``)
is a *finite* face of the parameter space, so that a series that does not identify a ceiling
ends on that face instead of running off along a ridge:

* logistic (``phi = exp(-k t0)``, ``phi = 0`` the exponential):
  ``g = (phi + exp(-k x))^(-1)``, ``K = B / phi``;
* Richards in ``(r, c, s) = (k/nu, phi^(1/nu), 1/nu)``, ``phi = exp(-k ti)/nu``:
  ``g = (phi + exp(-k x))^(-1/nu)``, ``K = B / c``; ``c = 0`` is the exponential and ``s -> 0``
  its other limit, the capped exponential (see :class:`RichardsCap`);
* Gompertz (``b = 0`` the exponential): ``log g = r (1 - exp(-b x)) / b``, ``K = B exp(r/b)``,
  ``t0 = log(r/b)/b``;
* Bass and fits with user-fixed or user-bounded parameters: the model's own coordinates
  (``g = f(x; K = 1, z)``).

Since the grid contains the exponential face and the solver only accepts descending steps, no
fit ends above its start or (for a model that contains the exponential as a limit) above the
exponential.

References
----------
Golub, G. and Pereyra, V. (2003). Separable nonlinear least squares: the variable projection
method and its applications. *Inverse Problems* 19, R1-R26.  Kaufman, L. (1975). A variable
projection method for solving separable nonlinear least squares problems. *BIT* 15, 49-57.
R ``nls(algorithm = "plinear")``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import least_squares

from .solve import num_jac, quiet

__all__ = ["REDUCED", "ReducedForm", "exponential_rss", "fit_reduced", "reduced_form"]

#: Tolerance of the reduced solve (``ftol = xtol = gtol``).
REDUCED_TOL = 1e-12
#: Evaluation budget of the reduced solve per non-linear parameter (never reached in practice).
REDUCED_NFEV_PER_PARAM = 100


class ReducedForm:
    """One growth model in reduced coordinates ``z`` (see the module docstring).

    Subclasses define ``names``, ``lb``/``ub`` (functions of the data), ``log_g(x, Z)``
    (broadcasting over rows of a grid ``Z``), ``dlog_g(x, z)`` ``(n, q)``, ``grid(...)`` and
    ``to_internal(z, logB)`` (the internal parameters of :mod:`cluster_research.growth.specs`).
    ``limit`` is the index of the parameter whose value 0 is the exponential face (or None).
    """

    names = ()
    limit = None

    def bounds(self, x):
        """Return lower and upper bounds of ``z``."""
        q = len(self.names)
        return np.zeros(q), np.full(q, np.inf)


class RichardsCap(ReducedForm):
    """Logistic (``s = 1`` fixed) and Richards in ``(r, c[, s])``.

    ``s = 1/nu``, ``r = k/nu``, ``c = phi^(1/nu)`` with ``phi = exp(-k ti) / nu`` as in the module
    docstring, so that ``log g = -s log(c^(1/s) + exp(-r x/s))``: a softened minimum of ``r x``
    and ``-log c`` with softness ``s``.  The chart keeps both limits of the Richards family
    finite faces: ``c = 0`` is the exponential ``exp(r x)`` (``K -> inf``) and ``s -> 0``
    (``nu -> inf``) the *capped exponential* ``exp(r min(x, x*))``, ``x* = -log(c)/r``, a curve
    that grows exponentially and stops.  In the old ``(k, phi, nu)`` chart the second limit
    needs ``phi = exp(-nu r x*) -> 0`` exponentially in ``nu``, and the solver crept along it
    to its budget.  ``K = B / c``; for the logistic the chart is ``(k, phi)`` itself.  The
    Gompertz limit ``nu -> 0`` is not a face here: :func:`cluster_research.growth.fit` also
    solves Richards in its own coordinates and keeps the better solution.
    """

    limit = 1

    def __init__(self, richards):
        self.richards = richards
        self.names = ("r", "c", "s") if richards else ("k", "phi")

    def bounds(self, x):
        if self.richards:  # s = 1/nu in the model's range 1e-3 <= nu <= 1e3
            return np.array([0.0, 0.0, 1e-3]), np.array([np.inf, np.inf, 1e3])
        return np.zeros(2), np.full(2, np.inf)

    def _parts(self, x, Z):
        """Return ``s``, ``log(c)/s``, ``-r x/s`` and their ``logaddexp`` ``L``."""
        s = Z[2] if self.richards else 1.0
        with np.errstate(divide="ignore"):
            a = np.log(Z[1]) / s
        b = -Z[0] * x / s
        return s, a, b, np.logaddexp(a, b)

    def log_g(self, x, Z):
        s, _, _, L = self._parts(x, Z)
        return -s * L

    def dlog_g(self, x, z):
        s, a, b, L = self._parts(x, z)
        p1, p2 = np.exp(a - L), np.exp(b - L)  # shares of the two terms of L
        with np.errstate(divide="ignore", invalid="ignore"):
            lc = (1.0 / s - 1.0) * math.log(z[1]) if z[1] > 0 else (0.0 if s == 1.0 else
                                                                   -np.inf if s < 1 else np.inf)
        cols = [x * p2, -np.exp(lc - L)]
        if self.richards:
            cols.append(b * p2 - L + (a * p1 if z[1] > 0 else 0.0))
        return np.column_stack(cols)

    def grid(self, x, rate):
        span = max(float(np.ptp(x)), 1.0)
        base = rate if rate > 0 else 1.0 / span
        xs = np.linspace(x.min() - span, x.max() + 2.0 * span, 13)
        # s = 1/nu: nu in (1, 3) and the capped-exponential face nu = 1e3 (nu < 1 is left to
        # the Richards fit in its own coordinates)
        ss = (1e-3, 1.0 / 3.0, 1.0) if self.richards else (1.0,)
        rows = []
        for s in ss:
            for fac in (1.0, 1.4, 2.0, 3.0, 5.0, 8.0):
                r = base * fac
                rows += [(r, math.exp(min(-r * xx, 700.0)), s) for xx in xs]  # no overflow
            rows.append((base, 0.0, s))  # the exponential face, rate ``rate``
        Z = np.array(rows, float).T
        return Z if self.richards else Z[:2]

    def to_internal(self, z, logB):
        s = z[2] if self.richards else 1.0
        with np.errstate(divide="ignore"):
            lc = math.log(z[1]) if z[1] > 0 else -np.inf
        logK = logB - lc
        k = z[0] / s
        if self.richards:  # internal Richards time is the inflection ti: nu exp(k ti) = 1/phi
            return logK, np.array([np.nan, k, (-lc / s + math.log(s)) / k, 1.0 / s])
        return logK, np.array([np.nan, k, -lc / k])


class GompertzB(ReducedForm):
    """Gompertz in ``(b, r)``: ``log g = r (1 - exp(-b x)) / b``, ``b = 0`` the exponential."""

    names = ("b", "r")
    limit = 0

    @staticmethod
    def _h(x, b):
        """Return ``h = (1 - exp(-b x)) / b`` and ``dh/db`` (series near ``b x = 0``)."""
        bx = b * x
        small = np.abs(bx) < 1e-4
        bs = np.where(small, 1.0, b)
        e = np.exp(-bx)
        h = np.where(small, x - b * x**2 / 2 + b**2 * x**3 / 6, -np.expm1(-bx) / bs)
        dh = np.where(small, -x**2 / 2 + b * x**3 / 3 - b**2 * x**4 / 8, (x * e - h) / bs)
        return h, dh

    def log_g(self, x, Z):
        return Z[1] * self._h(x, Z[0])[0]

    def dlog_g(self, x, z):
        h, dh = self._h(x, z[0])
        return np.column_stack([z[1] * dh, h])

    def grid(self, x, rate):
        span = max(float(np.ptp(x)), 1.0)
        base = rate if rate > 0 else 1.0 / span
        rows = [(b, base * f) for b in (0.0, 0.02, 0.05, 0.1, 0.18, 0.3, 0.45, 0.7, 1.0, 1.5)
                for f in (0.5, 0.8, 1.0, 1.3, 1.8, 2.5, 4.0)]
        return np.array(rows, float).T

    def to_internal(self, z, logB):
        b, r = z
        if b <= 0 or r <= 0:
            return np.inf, np.array([np.nan, b, np.inf])
        c = r / b
        return logB + c, np.array([np.nan, b, math.log(c) / b])


class Native(ReducedForm):
    """A model in its own coordinates: ``g = f(x; K = 1, z)`` (Bass, user-fixed parameters)."""

    def __init__(self, spec, mean, jac, lb, ub, starts):
        self.spec = spec
        self.mean = mean
        self.jac = jac
        self.names = tuple(spec.param_names[1:])
        self._lb, self._ub = lb[1:], ub[1:]
        self.starts = starts

    def bounds(self, x):
        return self._lb.copy(), self._ub.copy()

    def _theta(self, Z):
        return np.concatenate([np.ones((1,) + np.shape(Z[0])), np.asarray(Z, float)])

    def log_g(self, x, Z):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(self.mean(x, self._theta(Z)))

    def dlog_g(self, x, z):
        th = self._theta(z)
        with np.errstate(divide="ignore", invalid="ignore"):
            J = self.jac(x, th) if self.jac is not None else num_jac(self.mean, th, x)
            return J[:, 1:] / self.mean(x, th)[:, None]

    def grid(self, x, rate):
        return np.array([s[1:] for s in self.starts], float).T

    def to_internal(self, z, logB):
        return logB, np.concatenate([[np.nan], z])


#: Reduced forms with an exponential face (the default for these models).
REDUCED = {"logistic": RichardsCap(False), "richards": RichardsCap(True), "gompertz": GompertzB()}


def reduced_form(spec, mean, jac, lb, ub, starts, native):
    """Return the :class:`ReducedForm` of a model (``native=True``: its own coordinates)."""
    if not native and spec.name in REDUCED:
        return REDUCED[spec.name]
    return Native(spec, mean, jac, lb, ub, starts)


@quiet
def exponential_rss(x, y, w, errors):
    """Return ``(rss, a, r)`` of the exponential ``exp(a + r x)`` fitted to ``y``.

    Multiplicative errors: the weighted log-linear regression (closed form); additive errors:
    ``least_squares`` from it.
    """
    sw = np.sqrt(w)
    X = np.column_stack([np.ones_like(x), x]) * sw[:, None]
    pos = y > 0
    if errors == "multiplicative" or pos.all():
        ly = np.log(np.where(pos, y, np.nan))
        if pos.sum() >= 2:
            coef = np.linalg.lstsq(X[pos], (sw * ly)[pos], rcond=None)[0]
        else:
            coef = np.array([0.0, 0.0])
    else:
        coef = np.array([math.log(max(np.mean(y[pos]), 1e-300)) if pos.any() else 0.0, 0.0])
    if errors == "multiplicative":
        r = sw * (ly - coef[0] - coef[1] * x)
        return float(r @ r), float(coef[0]), float(coef[1])

    def fun(c):
        return sw * (y - np.exp(np.minimum(c[0] + c[1] * x, 700.0)))

    def jac(c):
        f = np.exp(np.minimum(c[0] + c[1] * x, 700.0))
        return -(sw * f)[:, None] * np.column_stack([np.ones_like(x), x])

    sol = least_squares(fun, coef, jac=jac, method="lm", xtol=REDUCED_TOL, ftol=REDUCED_TOL,
                        gtol=REDUCED_TOL, x_scale="jac")
    return float(2.0 * sol.cost), float(sol.x[0]), float(sol.x[1])


class Projector:
    """The reduced residual ``r(z)`` and its exact Jacobian for one data set."""

    def __init__(self, form, x, y, w, errors, fixed):
        self.form, self.x, self.y, self.errors, self.w = form, x, y, errors, w
        self.sw = np.sqrt(w)
        self.sum_w = float(w.sum())
        self.ly = np.log(y) if errors == "multiplicative" else None
        self.fixed = fixed  # boolean mask over z
        self.z_fixed = None
        self.nfev = 0

    def full(self, zf):
        z = self.z_fixed.copy()
        z[~self.fixed] = zf
        return z

    def coef(self, lg):
        """Return the closed-form linear coefficient (``log B``) for rows of ``lg``."""
        if self.errors == "multiplicative":
            return ((self.ly - lg) * self.w).sum(axis=-1) / self.sum_w
        g = np.exp(lg)
        return np.log(np.maximum((self.w * self.y * g).sum(axis=-1), 1e-300)) \
            - np.log((self.w * g * g).sum(axis=-1))

    def resid_rows(self, lg):
        """Return reduced residuals for rows of ``lg`` (``(G, n)`` or ``(n,)``)."""
        c = self.coef(lg)
        if self.errors == "multiplicative":
            return self.sw * (self.ly - lg - np.expand_dims(c, -1))
        return self.sw * (self.y - np.exp(lg + np.expand_dims(c, -1)))

    def resid(self, zf):
        self.nfev += 1
        with np.errstate(all="ignore"):
            r = self.resid_rows(self.form.log_g(self.x, self.full(zf)))
        if not np.all(np.isfinite(r)):
            r = np.where(np.isfinite(r), r, 1e150)
        return r

    def jac(self, zf):
        z = self.full(zf)
        with np.errstate(all="ignore"):
            D = self.form.dlog_g(self.x, z)[:, ~self.fixed]
            if self.errors == "multiplicative":
                Dc = D - (self.w[:, None] * D).sum(axis=0) / self.sum_w
                J = -self.sw[:, None] * Dc
            else:
                lg = self.form.log_g(self.x, z)
                g = self.sw * np.exp(lg)
                G = g[:, None] * D  # sqrt(w) dg/dz
                gg = g @ g
                B = (g @ (self.sw * self.y)) / gg
                r = self.sw * self.y - B * g
                PG = G - np.outer(g, g @ G) / gg
                J = -(B * PG + np.outer(g, r @ G) / gg)
        if not np.all(np.isfinite(J)):
            J = np.where(np.isfinite(J), J, 0.0)
        return J


@quiet
def fit_reduced(form, x, y, w, errors, rate, fixed=None, grid=None, max_nfev=None):
    """Fit a growth model by variable projection: grid start, one ``least_squares`` solve.

    Parameters
    ----------
    form : ReducedForm
        The model in reduced coordinates.
    x, y, w : numpy.ndarray
        Centred years, response, weights.
    errors : {"additive", "multiplicative"}
        Error structure.
    rate : float
        Growth rate of the nested exponential (scales the grid; it also puts the exponential
        itself on the grid of the forms that contain it).
    fixed : dict, optional
        ``{index in z: value}`` held fixed.
    grid : numpy.ndarray, optional
        ``(q, G)`` grid of starts (default ``form.grid``).
    max_nfev : int, optional
        Evaluation budget of the solve (default 100 per free parameter, never reached by a
        regular problem).

    Returns
    -------
    dict
        ``z`` (reduced solution), ``logB``, ``rss``, ``start`` (grid point), ``start_rss``,
        ``ok`` (a tolerance was met), ``message``, ``nfev``, ``grid_size``, ``method``.
    """
    lb, ub = form.bounds(x)
    q = len(form.names)
    fmask = np.zeros(q, bool)
    pr = Projector(form, x, y, w, errors, fmask)
    Z = form.grid(x, rate) if grid is None else np.asarray(grid, float)
    for i, v in (fixed or {}).items():
        fmask[i] = True
        Z[i] = v
    Z = np.clip(Z, lb[:, None], ub[:, None])
    R = pr.resid_rows(form.log_g(x[None, :], Z[:, :, None]))
    rss = np.where(np.all(np.isfinite(R), axis=1), np.sum(R * R, axis=1), np.inf)
    if not np.isfinite(rss).any():
        return None
    i0 = int(np.argmin(rss))
    z0 = Z[:, i0].copy()
    pr.z_fixed = z0.copy()
    free = ~fmask
    out = {"start": z0.copy(), "start_rss": float(rss[i0]), "grid_size": int(Z.shape[1]),
           "method": "trf"}
    if not free.any():
        zf = z0
        ok, msg, nfev = True, "all non-linear parameters fixed", 0
    else:
        lbf, ubf = lb[free], ub[free]
        # trf needs a strictly feasible start: move a start on a face just inside it
        zs = np.where(z0[free] <= lbf, lbf + 1e-10 * np.maximum(np.abs(lbf), 1.0), z0[free])
        sol = least_squares(pr.resid, zs, jac=pr.jac, bounds=(lbf, ubf), method="trf",
                            x_scale="jac", ftol=REDUCED_TOL, xtol=REDUCED_TOL, gtol=REDUCED_TOL,
                            max_nfev=max_nfev or REDUCED_NFEV_PER_PARAM * int(free.sum()))
        # a start on a face was moved inside it: the solve may end a rounding above the start
        zf = z0[free] if 2.0 * sol.cost > rss[i0] else sol.x
        ok, msg, nfev = sol.status > 0, str(sol.message), int(sol.nfev)
    z = pr.full(zf)
    lg = form.log_g(x, z)
    logB = float(pr.coef(lg))
    r = pr.resid_rows(lg)
    out.update(z=z, logB=logB, rss=float(r @ r), ok=ok, message=msg, nfev=nfev + Z.shape[1])
    return out
