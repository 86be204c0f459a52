"""Crossed random-effects model of ratings, fitted by REML with sparse linear algebra.

The model is lme4's ``lmer(score ~ fixed + (1|ratee) + (1|rater))``::

    y = X beta + Z_ratee u + Z_rater v + e,
    u ~ N(0, s2_ratee I), v ~ N(0, s2_rater I), e ~ N(0, s2 I).

As in lme4 (Bates et al. 2015), the relative standard deviations
``theta = (s_ratee / s, s_rater / s)`` are profiled: for given ``theta`` the
penalized least-squares problem has the matrix
``M = Lambda' Z' Z Lambda + I`` (``Lambda = diag(theta)`` expanded to the
levels), and the REML criterion is::

    d(theta) = log|M| + log|R_X' R_X| + (n - p) (1 + log(2 pi r2 / (n - p)))

where ``R_X' R_X = X'X - X'Z Lambda M^-1 Lambda' Z'X`` and ``r2`` is the
penalized residual sum of squares.  ``M`` has two diagonal blocks (the
ratee and rater counts) joined by the sparse ratee x rater count matrix
``N``; we eliminate the larger factor (its block is diagonal) and factorize
the Schur complement on the smaller one,
``S = theta_b^2 D_b + I - theta_a^2 theta_b^2 N' (theta_a^2 D_a + I)^-1 N``,
densely when it is small, otherwise with SuperLU (``scipy.sparse.linalg.splu``;
S is symmetric positive definite, factorized with symmetric pivoting), so
``log|M| = sum log(theta_a^2 D_a + 1) + log|S|``.  The two ratios are found
with L-BFGS-B on ``theta >= 0`` (lme4 uses BOBYQA on the same criterion).

Conditional modes (lme4's ``ranef``) are ``Lambda M^-1 Lambda' Z'(y - X beta)``;
their conditional variances (lme4's ``condVar``) are the diagonal of
``s2 Lambda M^-1 Lambda'``, given the estimated parameters.

References
----------
Bates, D., Maechler, M., Bolker, B., Walker, S. (2015). Fitting linear
mixed-effects models using lme4. Journal of Statistical Software 67(1).
Searle, S. R., Casella, G., McCulloch, C. E. (1992). Variance Components. Wiley.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.optimize as opt
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .. import columns as C
from ..errors import DesignError, InputError
from ._data import encode
from .result import RaterAnalysis, ratee_raw

#: the Schur complement is factorized densely up to this many levels
DENSE_MAX = 200
#: conditional variances use the dense inverse of the Schur complement up to this many levels
DENSE_INV_MAX = 1000


def fixed_design(ratings: pd.DataFrame, fixed: Sequence[str], source: str = "ratings") -> tuple[np.ndarray, list[str]]:
    """Intercept plus treatment-coded dummies (first level dropped) for each fixed-effect column."""
    cols = [np.ones(len(ratings))]
    names = ["(Intercept)"]
    for f in fixed:
        if f not in ratings.columns:
            raise InputError(source, "missing column (named as a fixed effect)", column=f)
        codes_, levels = pd.factorize(ratings[f], sort=True)
        if (codes_ < 0).any():
            raise InputError(source, "missing value", row=int(np.flatnonzero(codes_ < 0)[0]) + 1, column=f)
        for k in range(1, len(levels)):
            cols.append((codes_ == k).astype(float))
            names.append(f"{f}[{levels[k]}]")
    return np.column_stack(cols), names


class CrossedREML:
    """The profiled REML criterion of the two-factor crossed model, evaluated with sparse algebra.

    Parameters
    ----------
    y : ndarray (n,)
    X : ndarray (n, p)
    ratee, rater : ndarray (n,) of int
        0-based level codes of the two random factors.
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, ratee: np.ndarray, rater: np.ndarray):
        self.n, self.p = X.shape
        q1, q2 = int(ratee.max()) + 1, int(rater.max()) + 1
        # block a (eliminated, diagonal) is the larger factor, block b (Schur) the smaller
        self.swap = q2 > q1
        za, zb = (rater, ratee) if self.swap else (ratee, rater)
        self.qa, self.qb = max(q1, q2), min(q1, q2)
        self.za, self.zb = za, zb
        self.na = np.bincount(za, minlength=self.qa).astype(float)
        self.nb = np.bincount(zb, minlength=self.qb).astype(float)
        self.N = sp.csr_matrix((np.ones(self.n), (za, zb)), shape=(self.qa, self.qb))
        self.N.sum_duplicates()
        self.NT = self.N.T.tocsr()
        self._schur_pattern()
        self.y, self.X = y, X
        self.Zay = np.bincount(za, weights=y, minlength=self.qa)
        self.Zby = np.bincount(zb, weights=y, minlength=self.qb)
        self.ZaX = np.column_stack([np.bincount(za, weights=X[:, k], minlength=self.qa) for k in range(self.p)])
        self.ZbX = np.column_stack([np.bincount(zb, weights=X[:, k], minlength=self.qb) for k in range(self.p)])
        self.XtX = X.T @ X
        self.Xty = X.T @ y
        self.yty = float(y @ y)

    #: above this many (row, column, column) triples the Schur complement is formed by sparse products instead
    PATTERN_MAX = 20_000_000

    def _schur_pattern(self) -> None:
        """Precompute the sparsity pattern of ``N' W N`` (W diagonal) once, so each evaluation is one bincount.

        Entry (k, l) of ``N' W N`` is ``sum_i w_i N_ik N_il`` over the rows i holding both k and l.  Every
        such triple (i, k, l) is enumerated here with its product ``N_ik N_il`` and the position of (k, l) in
        the CSC arrays of the Schur complement; an evaluation then needs only ``bincount(pos, prod * w[i])``.
        """
        N = self.N
        m = np.diff(N.indptr)
        total = int((m.astype(np.int64) ** 2).sum())
        self._pattern = None
        if total > self.PATTERN_MAX:
            return
        rows = np.repeat(np.arange(self.qa), m)                   # row of each nonzero
        reps = m[rows]                                             # partners of each nonzero (its row's count)
        first = np.repeat(np.arange(N.nnz), reps)                  # nonzero p
        offs = np.arange(total) - np.repeat(np.cumsum(reps) - reps, reps)
        second = N.indptr[rows[first]] + offs                      # nonzero q in the same row
        k, l = N.indices[first], N.indices[second]
        prod = N.data[first] * N.data[second]
        key = l.astype(np.int64) * self.qb + k                     # column-major: CSC order after sorting
        diag_key = np.arange(self.qb, dtype=np.int64) * (self.qb + 1)
        uniq, pos = np.unique(np.concatenate([key, diag_key]), return_inverse=True)
        self._pattern = {
            "row": rows[first], "prod": prod, "pos": pos[:total], "diag_pos": pos[total:], "nuniq": len(uniq),
            "indices": (uniq % self.qb).astype(np.int32),
            "indptr": np.searchsorted(uniq // self.qb, np.arange(self.qb + 1)).astype(np.int32),
        }

    def _schur(self, ta: float, tb: float, da: np.ndarray) -> sp.csc_matrix:
        """``S = theta_b^2 D_b + I - theta_a^2 theta_b^2 N' D_a^-1 N`` as a CSC matrix."""
        w = (ta * ta * tb * tb) / da
        pat = self._pattern
        if pat is None:
            return (sp.diags(tb * tb * self.nb + 1.0) - self.NT @ sp.diags(w) @ self.N).tocsc()
        data = -np.bincount(pat["pos"], weights=pat["prod"] * w[pat["row"]], minlength=pat["nuniq"])
        data[pat["diag_pos"]] += tb * tb * self.nb + 1.0
        return sp.csc_matrix((data, pat["indices"], pat["indptr"]), shape=(self.qb, self.qb))

    # -- theta in the caller's order (ratee, rater) <-> internal (a, b)
    def _ab(self, theta: Sequence[float]) -> tuple[float, float]:
        t1, t2 = float(theta[0]), float(theta[1])
        return (t2, t1) if self.swap else (t1, t2)

    def _factor(self, ta: float, tb: float):
        da = ta * ta * self.na + 1.0
        S = self._schur(ta, tb, da)
        if self.qb <= DENSE_MAX:
            cf = sla.cho_factor(S.toarray(), lower=True, check_finite=False)
            logdet = 2.0 * np.log(np.diag(cf[0])).sum()
            solve = lambda r: sla.cho_solve(cf, r, check_finite=False)  # noqa: E731
            factor = ("dense", cf)
        else:
            lu = spla.splu(S, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                           options={"SymmetricMode": True})
            logdet = float(np.log(np.abs(lu.U.diagonal())).sum())
            solve = lu.solve
            factor = ("splu", lu)
        return da, logdet + float(np.log(da).sum()), solve, factor

    def _msolve(self, ta: float, tb: float, da: np.ndarray, solve, ra: np.ndarray, rb: np.ndarray):
        """Solve M [xa; xb] = [ra; rb] through the Schur complement (ra, rb may be 2-D)."""
        B = self.N * (ta * tb)
        dinv = (1.0 / da)[:, None] if ra.ndim == 2 else 1.0 / da
        xb = solve(rb - B.T @ (dinv * ra))
        xa = dinv * (ra - B @ xb)
        return xa, xb

    def solve(self, theta: Sequence[float]) -> dict:
        """Everything REML needs at ``theta``: deviance, beta, sigma2, spherical modes."""
        ta, tb = self._ab(theta)
        da, logdet_m, solve, factor = self._factor(ta, tb)
        ra = np.column_stack([ta * self.Zay, ta * self.ZaX])
        rb = np.column_stack([tb * self.Zby, tb * self.ZbX])
        xa, xb = self._msolve(ta, tb, da, solve, ra, rb)
        # columns: 0 = M^-1 c, 1.. = M^-1 A
        cMc = ra[:, 0] @ xa[:, 0] + rb[:, 0] @ xb[:, 0]
        AMc = ra[:, 1:].T @ xa[:, 0] + rb[:, 1:].T @ xb[:, 0]
        AMA = ra[:, 1:].T @ xa[:, 1:] + rb[:, 1:].T @ xb[:, 1:]
        rxtrx = self.XtX - AMA
        rx = sla.cho_factor(rxtrx, lower=True, check_finite=False)
        beta = sla.cho_solve(rx, self.Xty - AMc, check_finite=False)
        ua = xa[:, 0] - xa[:, 1:] @ beta
        ub = xb[:, 0] - xb[:, 1:] @ beta
        rss_fixed = self.yty - 2.0 * beta @ self.Xty + beta @ self.XtX @ beta
        bMb = cMc - 2.0 * beta @ AMc + beta @ AMA @ beta
        r2 = max(rss_fixed - bMb, 1e-300)
        nmp = self.n - self.p
        dev = logdet_m + 2.0 * np.log(np.diag(rx[0])).sum() + nmp * (1.0 + np.log(2.0 * np.pi * r2 / nmp))
        return {"deviance": float(dev), "beta": beta, "sigma2": r2 / nmp, "ua": ua, "ub": ub,
                "ta": ta, "tb": tb, "da": da, "solve": solve, "factor": factor, "rxtrx": rxtrx}

    def deviance(self, theta: Sequence[float]) -> float:
        """The REML criterion (lme4's ``REMLcrit``) at ``theta``."""
        return self.solve(theta)["deviance"]

    def fit(self, start: Sequence[float] = (1.0, 1.0)) -> dict:
        """Minimize the REML criterion over theta >= 0 and return the fitted quantities."""
        res = opt.minimize(self.deviance, np.asarray(start, float), method="L-BFGS-B",
                           bounds=[(0.0, None), (0.0, None)],
                           options={"ftol": 1e-12, "gtol": 1e-6, "eps": 1e-6, "maxiter": 500})
        best = self.solve(res.x)
        best.update(theta=np.asarray(res.x, float), converged=bool(res.success), iterations=int(res.nit),
                    evaluations=int(res.nfev), message=str(res.message))
        return best

    def cond_var_diag(self, fit: dict, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
        """Diagonal of M^-1 for blocks a and b.

        With ``B = D_a^-1 N theta_a theta_b``: ``diag_b = diag(S^-1)`` and
        ``diag_a = 1/d_a + diag(B S^-1 B')``.  Both are squared norms
        ``x' S^-1 x = |D^-1/2 L^-1 P x|^2`` of the symmetric factorization
        ``P S P' = L D L'`` (one sparse triangular solve per column, in chunks).
        """
        ta, tb, da = fit["ta"], fit["tb"], fit["da"]
        B = (sp.diags(1.0 / da) @ self.N * (ta * tb)).tocsc()
        kind, fac = fit["factor"]
        if kind == "dense":
            Sinv = sla.cho_solve(fac, np.eye(self.qb), check_finite=False)
            quad_a = np.asarray((B @ Sinv * B.toarray()).sum(axis=1)).ravel() if self.qa * self.qb < 5e7 else \
                np.einsum("ij,ij->i", B @ Sinv, B.toarray())
            return 1.0 / da + quad_a, np.diag(Sinv).copy()
        if self.qb <= DENSE_INV_MAX:
            # a small Schur complement: its dense inverse is cheaper than qa + qb triangular solves
            Sinv = sla.inv(self._schur(ta, tb, da).toarray(), check_finite=False)
            quad_a = np.empty(self.qa)
            Bc = B.tocsr()
            step = max(1, int(2e7 // max(self.qb, 1)))
            for start in range(0, self.qa, step):      # chunks of rows keep B S^-1 within ~160 MB
                Bi = Bc[start:start + step].tocoo()
                BS = Bi @ Sinv
                quad_a[start:start + Bi.shape[0]] = np.bincount(Bi.row, weights=Bi.data * BS[Bi.row, Bi.col],
                                                                minlength=Bi.shape[0])
            return 1.0 / da + quad_a, np.diag(Sinv).copy()
        L = fac.L.tocsr()
        d = fac.U.diagonal()
        perm = fac.perm_r
        BT = B.T.tocsc()
        total = self.qa + self.qb
        norms = np.empty(total)
        for start in range(0, total, chunk):
            stop = min(start + chunk, total)
            cols = np.arange(start, stop)
            R = np.zeros((self.qb, stop - start))
            ina = cols < self.qa
            if ina.any():
                R[:, ina] = BT[:, cols[ina]].toarray()
            ib = cols[~ina] - self.qa
            R[ib, np.flatnonzero(~ina)] = 1.0
            PR = np.empty_like(R)
            PR[perm] = R
            Y = spla.spsolve_triangular(L, PR, lower=True, unit_diagonal=True)
            norms[start:stop] = (Y * Y / d[:, None]).sum(axis=0)
        return 1.0 / da + norms[:self.qa], norms[self.qa:]


def crossed(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID, score: str = C.SCORE,
            fixed: Sequence[str] = (), source: str = "ratings") -> RaterAnalysis:
    """Fit ``score ~ fixed + (1|ratee) + (1|rater)`` by REML (lme4 parity) and adjust for rater effects.

    Parameters
    ----------
    ratings : DataFrame
        Long ratings table, one row per rating.
    ratee, rater, score : str
        Column names.
    fixed : sequence of str
        Optional categorical fixed effects (for example ``item``, ``period``), treatment-coded.
    source : str
        Name of the data (file name) for error messages.

    Returns
    -------
    RaterAnalysis
        ``rater_effects``: conditional mode ``effect`` (= v_j, score units) and conditional SD ``se``;
        ``ratee_scores``: ``adjusted`` = mean fixed-effect prediction + u_i, ``se`` its conditional SD;
        ``variance_components``: ``ratee, rater, residual``; ``adjusted``: per rating ``y - v_rater``.

    Notes
    -----
    See the module docstring for the REML criterion and the algebra.  Ratees and
    raters may be crossed, nested or partly crossed; a disconnected design is
    fitted (as lme4 does), but comparisons across its subsets then rest only on
    the random-effects assumption (see :func:`asnsim.correction.check_connected`).

    Examples
    --------
    >>> from asnsim.pipeline import simulate
    >>> sim = simulate("permenpan-6-2022", n=200, seed=1)
    >>> res = crossed(sim.ratings, fixed=["item"])
    >>> list(res.variance_components["component"])
    ['ratee', 'rater', 'residual']
    """
    enc = encode(ratings, ratee, rater, score, source)
    X, xnames = fixed_design(ratings, fixed, source)
    if np.linalg.matrix_rank(X.T @ X) < X.shape[1]:
        raise DesignError(f"{source}: the fixed effects {list(fixed)} are collinear")
    if len(enc.y) <= X.shape[1] + 1:
        raise DesignError(f"{source}: {len(enc.y)} ratings are too few for a mixed model")
    model = CrossedREML(enc.y, X, enc.ratee, enc.rater)
    fit = model.fit()
    s2 = fit["sigma2"]
    diag_a, diag_b = model.cond_var_diag(fit)
    ta, tb = fit["ta"], fit["tb"]
    ba, bb = ta * fit["ua"], tb * fit["ub"]
    va, vb = s2 * ta * ta * diag_a, s2 * tb * tb * diag_b
    if model.swap:
        u, v, var_u, var_v = bb, ba, vb, va
    else:
        u, v, var_u, var_v = ba, bb, va, vb
    theta = fit["theta"]
    vc = pd.DataFrame({"component": ["ratee", "rater", "residual"],
                       "variance": [s2 * theta[0] ** 2, s2 * theta[1] ** 2, s2]})
    n_r = np.bincount(enc.rater, minlength=enc.n_rater)
    rater_mean = np.bincount(enc.rater, weights=enc.y, minlength=enc.n_rater) / n_r
    rater_effects = pd.DataFrame({"rater_id": enc.rater_ids, "n": n_r, "effect": v, "se": np.sqrt(var_v),
                                  "raw_mean": rater_mean})
    base = float(np.mean(X @ fit["beta"]))
    n_e, raw = ratee_raw(enc.ratee, enc.y, enc.n_ratee)
    ratee_scores = pd.DataFrame({"ratee_id": enc.ratee_ids, "n": n_e.astype(int), "raw_mean": raw,
                                 "adjusted": base + u, "se": np.sqrt(var_u), "effect": u})
    info = {"theta": theta.tolist(), "beta": dict(zip(xnames, fit["beta"].tolist())),
            "reml_criterion": fit["deviance"], "converged": fit["converged"], "iterations": fit["iterations"],
            "evaluations": fit["evaluations"], "n": len(enc.y), "n_ratee": enc.n_ratee, "n_rater": enc.n_rater}
    return RaterAnalysis("crossed", rater_effects, ratee_scores, enc.y - v[enc.rater], vc, info)
