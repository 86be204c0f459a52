"""Profiled REML for two crossed random factors: lme4's algorithm, specialised to ``(1|ratee) + (1|rater)``.

The model is ``y = X beta + Z_a u + Z_b v + e`` with ``u ~ N(0, s2 ta^2 I)``,
``v ~ N(0, s2 tb^2 I)``, ``e ~ N(0, s2 I)``.  As in lme4 (Bates et al. 2015,
section 3) the relative standard deviations ``theta = (ta, tb)`` are the only
parameters of the optimization: for given theta the penalized least-squares
system has the matrix ``M = Lambda' Z' Z Lambda + I`` and the REML criterion is::

    d(theta) = log|M| + log|R_X' R_X| + (n - p) (1 + log(2 pi r2 / (n - p)))

with ``R_X' R_X = X'X - X'Z Lambda M^-1 Lambda' Z'X`` and ``r2`` the penalized
residual sum of squares.  ``M`` has two diagonal blocks (the level counts of the
two factors) joined by the level-by-level count matrix ``N``.  The larger
factor ``a`` is eliminated (its block is diagonal) and the Schur complement on
the smaller factor ``b``::

    S = tb^2 D_b + I - ta^2 tb^2 N' (ta^2 D_a + I)^-1 N,   log|M| = sum log(ta^2 D_a + 1) + log|S|

is factorized.  What lme4 does with CHOLMOD (Chen et al. 2008) is done here in
two steps that are paid once per design, not once per evaluation:

- the sparsity pattern of ``S``: every ``(row, k, l)`` triple of ``N`` with
  ``k <= l`` is enumerated once with its position among the entries of ``S``,
  so an evaluation fills ``S`` with one ``bincount``;
- the factorization's symbolic analysis: a small or dense ``S`` goes to LAPACK's
  Cholesky (one thread, so results do not depend on the machine's thread count);
  a large sparse one to QDLDL (Stellato et al. 2020), whose ``update`` reuses the
  fill-reducing ordering and elimination tree and redoes only the numbers.

theta is found by COBYQA (Ragonneau & Zhang 2024), a derivative-free
trust-region method of Powell's family, as lme4 uses BOBYQA: each criterion
evaluation costs one factorization, and no finite-difference gradient is formed.

Conditional variances (lme4's ``condVar``) are the diagonal of
``s2 Lambda M^-1 Lambda'``.  The Schur block needs ``diag(S^-1)`` and the
eliminated block ``1/d_a + diag(B S^-1 B')`` with ``B = D_a^-1 N ta tb``,
which needs ``S^-1`` only on the pattern of ``S``: a dense inverse for dense
``S``, otherwise the selected inverse of the sparse factor (Takahashi et al.
1973; Erisman & Tinney 1975).

References
----------
Bates, D., Maechler, M., Bolker, B., Walker, S. (2015). Fitting linear mixed-effects models using lme4.
Journal of Statistical Software 67(1), 1-48.
Chen, Y., Davis, T. A., Hager, W. W., Rajamanickam, S. (2008). CHOLMOD. ACM TOMS 35(3).
Erisman, A. M., Tinney, W. F. (1975). On computing certain elements of the inverse of a sparse matrix.
Communications of the ACM 18(3), 177-179.
Ragonneau, T. M., Zhang, Z. (2024). COBYQA: Constrained Optimization BY Quadratic Approximations.
Stellato, B. et al. (2020). OSQP: an operator splitting solver for quadratic programs (QDLDL).
Mathematical Programming Computation 12, 637-672.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla
import scipy.optimize as opt
import scipy.sparse as sp

from ._schur import SchurPattern, selected_inverse

#: Schur complements up to this size are always factorized densely
DENSE_MAX = 1000
#: ... and up to this size when at least this share of their upper triangle is filled
DENSE_LIMIT, DENSE_FILL = 6000, 0.05


_THREADS: list = []


class _one_thread:
    """BLAS on one thread while the fit runs (nested uses are free): many small factorizations, where threads
    only add overhead (and, on a shared machine, spin-wait), and results independent of the thread count."""

    def __enter__(self):
        if not _THREADS:
            from threadpoolctl import threadpool_limits

            _THREADS.append(threadpool_limits(1))
        else:
            _THREADS.append(None)
        return self

    def __exit__(self, *exc):
        limiter = _THREADS.pop()
        if limiter is not None:
            limiter.restore_original_limits()
        return False


@dataclass
class Evaluation:
    """Everything the REML criterion yields at one theta (internal order: a = eliminated, b = Schur)."""

    theta: np.ndarray          # (ratee, rater) order
    deviance: float
    beta: np.ndarray
    sigma2: float
    r2: float
    logdet_m: float
    logdet_rx: float
    rxtrx: np.ndarray
    ua: np.ndarray             # spherical modes, block a
    ub: np.ndarray
    ta: float
    tb: float
    da: np.ndarray
    factor: object = field(repr=False)


class CrossedREML:
    """The profiled REML criterion of ``y ~ X + (1|ratee) + (1|rater)`` on one design.

    Parameters
    ----------
    y : ndarray (n,)
    X : ndarray (n, p)
        Fixed-effects design (full column rank).
    ratee, rater : ndarray (n,) of int
        0-based level codes of the two random factors.
    free : (bool, bool)
        Which of (ratee, rater) has a variance to estimate; a factor whose every level has a single
        rating is confounded with the residual, and its relative SD is held at 0.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> e, r = np.repeat(np.arange(40), 3), rng.integers(0, 12, 120)
    >>> y = rng.normal(size=40)[e] + 0.5 * rng.normal(size=12)[r] + rng.normal(size=120)
    >>> fit = CrossedREML(y, np.ones((120, 1)), e, r).fit()
    >>> fit.converged, fit.theta.shape
    (True, (2,))
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, ratee: np.ndarray, rater: np.ndarray,
                 free: tuple[bool, bool] = (True, True)) -> None:
        self.n, self.p = X.shape
        q1, q2 = int(ratee.max()) + 1, int(rater.max()) + 1
        self.swap = q2 > q1          # block a (eliminated, diagonal) is the larger factor
        self.za, self.zb = (rater, ratee) if self.swap else (ratee, rater)
        self.qa, self.qb = max(q1, q2), min(q1, q2)
        self.free = tuple(bool(f) for f in free)
        self.na = np.bincount(self.za, minlength=self.qa).astype(float)
        self.nb = np.bincount(self.zb, minlength=self.qb).astype(float)
        N = sp.csr_matrix((np.ones(self.n), (self.za, self.zb)), shape=(self.qa, self.qb))
        N.sum_duplicates()
        N.sort_indices()
        self.N = N
        self.pattern = SchurPattern(N)
        fill = self.pattern.nnz / max(self.qb * (self.qb + 1) / 2, 1)
        self.dense = self.qb <= DENSE_MAX or (self.qb <= DENSE_LIMIT and fill >= DENSE_FILL)
        self._sparse_solver = None
        self.X = X
        self.ZaX = np.column_stack([np.bincount(self.za, weights=X[:, k], minlength=self.qa) for k in range(self.p)])
        self.ZbX = np.column_stack([np.bincount(self.zb, weights=X[:, k], minlength=self.qb) for k in range(self.p)])
        self.XtX = X.T @ X
        self.set_response(y)
        self.evaluations = 0

    def set_response(self, y: np.ndarray) -> CrossedREML:
        """Use a new response on the same design (pattern and factorization structure are kept)."""
        self.y = np.asarray(y, dtype=float)
        self.Zay = np.bincount(self.za, weights=self.y, minlength=self.qa)
        self.Zby = np.bincount(self.zb, weights=self.y, minlength=self.qb)
        self.Xty = self.X.T @ self.y
        self.yty = float(self.y @ self.y)
        return self

    # -- theta in the caller's order (ratee, rater) <-> internal (a, b)
    def _ab(self, theta: Sequence[float]) -> tuple[float, float]:
        t1, t2 = float(theta[0]), float(theta[1])
        return (t2, t1) if self.swap else (t1, t2)

    def _factor(self, ta: float, tb: float, da: np.ndarray):
        """Factorize S; return (log|S|, solve, factor) where solve takes a vector or a matrix."""
        w = (ta * ta * tb * tb) / da
        values = self.pattern.values(w, tb * tb * self.nb + 1.0)
        if self.dense:
            A = np.zeros(self.qb * self.qb)
            A[self.pattern.keys] = values          # lower triangle, C order
            cf = sla.cho_factor(A.reshape(self.qb, self.qb), lower=True, check_finite=False)
            logdet = 2.0 * float(np.log(np.diag(cf[0])).sum())
            return logdet, lambda r: sla.cho_solve(cf, r, check_finite=False), ("dense", cf)
        import qdldl

        U = self.pattern.upper(values)
        if self._sparse_solver is None:
            self._sparse_solver = qdldl.Solver(U, upper=True)
        else:
            self._sparse_solver.update(U, upper=True)
        solver = self._sparse_solver
        _, d, _ = solver.factors()
        if not (d > 0).all():
            raise np.linalg.LinAlgError("the Schur complement is not positive definite")

        def solve(r: np.ndarray) -> np.ndarray:
            if r.ndim == 1:
                return solver.solve(r)
            return np.column_stack([solver.solve(np.ascontiguousarray(r[:, j])) for j in range(r.shape[1])])
        return float(np.log(d).sum()), solve, ("sparse", solver)

    def evaluate(self, theta: Sequence[float]) -> Evaluation:
        """The REML criterion and the quantities it yields at ``theta`` (ratee, rater)."""
        self.evaluations += 1
        ta, tb = self._ab(theta)
        da = ta * ta * self.na + 1.0
        with _one_thread():
            logdet_s, solve, factor = self._factor(ta, tb, da)
            ra = np.column_stack([ta * self.Zay, ta * self.ZaX])
            rb = np.column_stack([tb * self.Zby, tb * self.ZbX])
            xb = solve(rb - (ta * tb) * (self.N.T @ (ra / da[:, None])))
        xa = (ra - (ta * tb) * (self.N @ xb)) / da[:, None]
        cMc = ra[:, 0] @ xa[:, 0] + rb[:, 0] @ xb[:, 0]
        AMc = ra[:, 1:].T @ xa[:, 0] + rb[:, 1:].T @ xb[:, 0]
        AMA = ra[:, 1:].T @ xa[:, 1:] + rb[:, 1:].T @ xb[:, 1:]
        rxtrx = self.XtX - AMA
        rx = sla.cho_factor(rxtrx, lower=True, check_finite=False)
        beta = sla.cho_solve(rx, self.Xty - AMc, check_finite=False)
        rss_fixed = self.yty - 2.0 * beta @ self.Xty + beta @ self.XtX @ beta
        r2 = max(float(rss_fixed - (cMc - 2.0 * beta @ AMc + beta @ AMA @ beta)), 1e-300)
        nmp = self.n - self.p
        logdet_m = logdet_s + float(np.log(da).sum())
        logdet_rx = 2.0 * float(np.log(np.diag(rx[0])).sum())
        dev = logdet_m + logdet_rx + nmp * (1.0 + np.log(2.0 * np.pi * r2 / nmp))
        return Evaluation(np.asarray(theta, float), float(dev), beta, r2 / nmp, r2, logdet_m, logdet_rx, rxtrx,
                          xa[:, 0] - xa[:, 1:] @ beta, xb[:, 0] - xb[:, 1:] @ beta, ta, tb, da, factor)

    def deviance(self, theta: Sequence[float]) -> float:
        """The REML criterion (lme4's ``REMLcrit``) at ``theta``; +inf where S is not positive definite."""
        try:
            return self.evaluate(theta).deviance
        except np.linalg.LinAlgError:
            return np.inf

    def moment_start(self, sweeps: int = 20) -> np.ndarray:
        """Rough (ratee, rater) relative SDs from moments, as starting values (not estimates).

        The residual variance comes from an additive fixed-effects fit (backfitting), the two others from
        the variances of the level means: ``var(mean_a) = s2_a + s2_b mean(1/k_a) + s2 mean(1/n_a)`` and
        the same for ``b``, where ``k`` counts the distinct levels of the other factor.
        """
        beta = np.linalg.lstsq(self.X, self.y, rcond=None)[0]
        res = self.y - self.X @ beta
        a, b = np.zeros(self.qa), np.zeros(self.qb)
        for _ in range(sweeps):
            a = np.bincount(self.za, weights=res - b[self.zb], minlength=self.qa) / self.na
            b = np.bincount(self.zb, weights=res - a[self.za], minlength=self.qb) / self.nb
        rss = float(((res - a[self.za] - b[self.zb]) ** 2).sum())
        dof = self.n - self.qa - self.qb - self.p + 1
        s2 = rss / dof if dof > 0 and rss > 0 else float(res.var()) / 2 or 1.0
        ka = np.diff(self.N.indptr).astype(float)
        kb = np.bincount(self.N.indices, minlength=self.qb).astype(float)
        ma = np.bincount(self.za, weights=res, minlength=self.qa) / self.na
        mb = np.bincount(self.zb, weights=res, minlength=self.qb) / self.nb
        A = np.array([[1.0, np.mean(1 / ka)], [np.mean(1 / kb), 1.0]])
        rhs = np.array([ma.var() - s2 * np.mean(1 / self.na), mb.var() - s2 * np.mean(1 / self.nb)])
        try:
            va, vb = np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError:
            va, vb = rhs
        ta, tb = np.sqrt(np.maximum([va, vb], 0.01 * s2) / s2)
        start = np.array([tb, ta] if self.swap else [ta, tb])
        return np.where(np.isfinite(start), np.minimum(start, 10.0), 1.0)

    def fit(self, start: Sequence[float] | None = None, tol: float = 1e-6) -> REMLFit:
        """Minimize the REML criterion over theta >= 0 (held at 0 for a factor that is not ``free``)."""
        free = np.flatnonzero(self.free)
        x0 = self.moment_start() if start is None else np.asarray(start, float)
        full = lambda t: np.where(self.free, np.bincount(free, weights=t, minlength=2), 0.0)  # noqa: E731
        self.evaluations = 0
        if len(free):
            with _one_thread():
                res = opt.minimize(lambda t: self.deviance(full(t)), np.maximum(x0[free], 0.05), method="COBYQA",
                                   bounds=[(0.0, np.inf)] * len(free),
                                   options={"initial_tr_radius": 0.1, "final_tr_radius": tol, "maxfev": 500})
            theta, ok, msg, nit = full(res.x), bool(res.success), str(res.message), int(res.nit)
        else:
            theta, ok, msg, nit = np.zeros(2), True, "no variance parameter to estimate", 0
        best = self.evaluate(theta)
        return REMLFit(model=self, best=best, theta=theta, converged=ok, message=msg, iterations=nit,
                       evaluations=self.evaluations)

    def conditional_variance_diag(self, ev: Evaluation) -> tuple[np.ndarray, np.ndarray]:
        """Diagonal of ``M^-1`` for blocks a and b at an evaluation (see the module docstring)."""
        ta, tb, da = ev.ta, ev.tb, ev.da
        kind, fac = ev.factor
        if kind == "dense":
            with _one_thread():
                inv, info = sla.lapack.dpotri(fac[0], lower=1)
            if info != 0:
                raise np.linalg.LinAlgError("the Schur complement is singular")
            s_pattern = inv.ravel()[self.pattern.keys]   # lower triangle holds the inverse
            diag_b = np.diag(inv).copy()
        else:
            L, d, perm = fac.factors()
            s_pattern, diag_b = selected_inverse(L, d, perm, self.pattern)
        quad = self.pattern.quadratic_rows(s_pattern)
        return 1.0 / da + (ta * tb / da) ** 2 * quad, diag_b


@dataclass
class REMLFit:
    """A fitted :class:`CrossedREML`: the optimum and how it was reached."""

    model: CrossedREML
    best: Evaluation
    theta: np.ndarray
    converged: bool
    message: str
    iterations: int
    evaluations: int

    @property
    def sigma2(self) -> float:
        return self.best.sigma2

    def variances(self) -> tuple[float, float, float]:
        """(ratee, rater, residual) variance; NaN for a factor that is not free (confounded with the residual)."""
        s2 = self.best.sigma2
        free = self.model.free
        return (s2 * self.theta[0] ** 2 if free[0] else np.nan, s2 * self.theta[1] ** 2 if free[1] else np.nan, s2)

    def modes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Conditional modes and conditional variances: (u_ratee, v_rater, var_u, var_v)."""
        ev, m = self.best, self.model
        diag_a, diag_b = m.conditional_variance_diag(ev)
        ba, bb = ev.ta * ev.ua, ev.tb * ev.ub
        va, vb = ev.sigma2 * ev.ta ** 2 * diag_a, ev.sigma2 * ev.tb ** 2 * diag_b
        return (bb, ba, vb, va) if m.swap else (ba, bb, va, vb)

    def refit(self, y: np.ndarray) -> REMLFit:
        """Fit another response on the same design (the Schur pattern is reused), starting from this optimum."""
        import copy

        model = copy.copy(self.model)
        model._sparse_solver = None     # this fit's factorization stays valid
        return model.set_response(y).fit(start=np.maximum(self.theta, 0.05))
