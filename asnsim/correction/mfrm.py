"""Many-facet Rasch measurement (MFRM) by joint maximum likelihood, with FACETS-style tables.

Rating-scale model (Andrich 1978; Linacre 1989) for a rating ``x`` in
categories ``0..m`` (the observed scores minus the lowest)::

    log(P_k / P_{k-1}) = B_n - C_j - D_i - F_k

with ratee ability ``B_n``, rater severity ``C_j``, item difficulty ``D_i``
and Rasch-Andrich thresholds ``F_k`` shared by all items; the partial-credit
option (Masters 1982) gives each item its own thresholds ``F_ik``.
Identification: raters and items are centred at 0 and thresholds sum to 0
(per item for partial credit); ratees are free.

Estimation is JMLE as in FACETS: a PROX-like start (log-odds of each
element's mean score), then Newton-Raphson on the likelihood equations
``sum (x - E) = 0`` of all elements and ``sum (P(X >= h) - 1[x >= h]) = 0`` of
the thresholds jointly (the sparse information matrix over ratees, raters,
items and thresholds, with the diagonal ratee block eliminated and the Schur
complement on the rest solved (densely when small, else by Jacobi-preconditioned
conjugate gradients), so chains of weakly linked units and the coupling of
thresholds with ability converge quadratically, where FACETS-style
element-by-element steps crawl), until the largest change is below ``tol``
logits (typically 6-7 iterations).  Elements with extreme scores (all
ratings in the lowest or highest category) have infinite ML estimates; as in
FACETS, they are set aside (repeatedly, since removing one can make another
extreme), the rest is estimated, and then each extreme element is estimated
with the others fixed after moving its raw score 0.3 points inward.

JMLE is biased outward for short tests.  With ``bias_correction="wright"`` all
measures and SEs are multiplied by ``(L - 1) / L`` where ``L`` is the median
number of ratings per ratee (Wright & Douglas 1977; Wright 1988); fit
statistics, fair averages, category statistics and the bias table are computed
at the uncorrected JML estimates, which are the ones that satisfy the
likelihood equations.  With ``bias_correction=None`` the estimates are the
unconditional maximum-likelihood estimates (on dichotomous data they equal a
logistic regression with one dummy per element).

Fit: residual ``y = x - E``, variance ``W``, kurtosis ``K = sum (k-E)^4 P_k``;
outfit = mean(y^2 / W), infit = sum y^2 / sum W, standardized by the
Wilson-Hilferty cube root (``ZStd = (MnSq^(1/3) - 1)(3/q) + q/3`` with
``q^2 = sum(K/W^2)/n^2 - 1/n`` for outfit and ``sum(K - W^2)/(sum W)^2``
for infit).  Separation ``G = SD_true / RMSE``, strata ``H = (4G + 1)/3``,
reliability ``G^2 / (1 + G^2)`` (Wright & Masters 1982).

References
----------
Andrich, D. (1978). A rating formulation for ordered response categories. Psychometrika 43, 561-573.
Linacre, J. M. (1989). Many-Facet Rasch Measurement. MESA Press.
Linacre, J. M. (2023). A User's Guide to FACETS. Winsteps.com.
Masters, G. N. (1982). A Rasch model for partial credit scoring. Psychometrika 47, 149-174.
Wright, B. D., Douglas, G. A. (1977). Best procedures for sample-free item analysis. APM 1, 281-295.
Wright, B. D., Masters, G. N. (1982). Rating Scale Analysis. MESA Press.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy import stats

from .. import columns as C
from ..errors import DesignError, InputError
from ._data import codes, encode
from .connectivity import check_connected
from .result import RaterAnalysis, ratee_raw

EXTREME_ADJ = 0.3
_DENSE_MAX = 500        # Newton systems up to this size are solved densely, larger ones by CG


@dataclass
class _Data:
    x: np.ndarray          # category 0..m
    e: np.ndarray          # ratee codes
    r: np.ndarray          # rater codes
    i: np.ndarray          # item codes
    g: np.ndarray          # threshold-group codes (0 for RSM, item for PCM)
    m: int
    ne: int
    nr: int
    ni: int
    ng: int


def category_probs(eta: np.ndarray, tau: np.ndarray, g: np.ndarray) -> np.ndarray:
    """P(X = k), k = 0..m, for linear predictors ``eta`` and thresholds ``tau[g]`` (shape (n, m+1)).

    ``log P_k = k eta - sum_{h<=k} F_h - log normalizer``.
    """
    return np.ascontiguousarray(_probs(eta, tau, g).T)


def _probs(eta: np.ndarray, tau: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Category probabilities as a (m+1, n) array (one contiguous row per category, the fast layout)."""
    m = tau.shape[1]
    cum = np.concatenate([np.zeros((tau.shape[0], 1)), np.cumsum(tau, axis=1)], axis=1)
    P = np.empty((m + 1, len(eta)))
    for k in range(m + 1):
        np.multiply(eta, float(k), out=P[k])
        P[k] -= cum[0, k] if len(cum) == 1 else cum[g, k]
    P -= P.max(axis=0)
    np.exp(P, out=P)
    P /= P.sum(axis=0)
    return P


def _moments(P: np.ndarray, kurtosis: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Mean E, variance W (and kurtosis sum (k-E)^4 P_k) of the category from a (m+1, n) probability array."""
    E = P[1].copy()
    S2 = P[1].copy()
    for k in range(2, len(P)):
        E += k * P[k]
        S2 += (k * k) * P[k]
    W = S2 - E * E
    K = None
    if kurtosis:
        K = np.zeros_like(E)
        for k in range(len(P)):
            dk = k - E
            dk *= dk
            K += dk * dk * P[k]
    return E, W, K


def _targets(x: np.ndarray, idx: np.ndarray, size: int, m: int) -> np.ndarray:
    """Observed raw score per element, extremes moved 0.3 points inward."""
    t = np.bincount(idx, weights=x, minlength=size)
    mx = np.bincount(idx, minlength=size) * m
    return np.clip(t, np.minimum(EXTREME_ADJ, mx / 2), np.maximum(mx - EXTREME_ADJ, mx / 2))


def _newton(target, idx, size, E, W, maxstep=1.0):
    num = target - np.bincount(idx, weights=E, minlength=size)
    den = np.bincount(idx, weights=W, minlength=size)
    return np.clip(num / np.maximum(den, 1e-12), -maxstep, maxstep)


def _upper_tail(P: np.ndarray, weighted: bool = False) -> np.ndarray:
    """``P(X >= h)`` (or ``sum_{k>=h} k P_k`` when ``weighted``), h = 1..m, as a (m, n) array."""
    m = len(P) - 1
    G = np.empty((m, P.shape[1]))
    G[m - 1] = P[m] * m if weighted else P[m]
    for h in range(m - 1, 0, -1):
        np.add(G[h], P[h] * h if weighted else P[h], out=G[h - 1])
    return G


def _threshold_terms(P: np.ndarray, E: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``G_h = P(X >= h)`` and ``V_h = Cov(X, 1[X >= h])``, h = 1..m, as (m, n) arrays."""
    G = _upper_tail(P)
    return G, _upper_tail(P, weighted=True) - E * G


def _threshold_info(d: _Data, P: np.ndarray) -> np.ndarray:
    """Information ``sum Var(1[X >= h])`` of each threshold, (groups, m)."""
    G = _upper_tail(P)
    return np.stack([np.bincount(d.g, weights=G[h] - G[h] * G[h], minlength=d.ng) for h in range(d.m)], axis=1)


def _subset(d: _Data, keep: np.ndarray) -> _Data:
    return _Data(d.x[keep], d.e[keep], d.r[keep], d.i[keep], d.g[keep], d.m, d.ne, d.nr, d.ni, d.ng)


def _nonextreme(d: _Data) -> np.ndarray:
    """Observations left after repeatedly setting aside elements with extreme scores (as FACETS does)."""
    keep = np.ones(len(d.x), bool)
    while True:
        drop = np.zeros(len(d.x), bool)
        for idx, size in ((d.e, d.ne), (d.r, d.nr), (d.i, d.ni)):
            n = np.bincount(idx[keep], minlength=size)
            t = np.bincount(idx[keep], weights=d.x[keep], minlength=size)
            ext = (n > 0) & ((t == 0) | (t == n * d.m))
            drop |= ext[idx]
        drop &= keep
        if not drop.any():
            return keep
        keep &= ~drop


def _fit_jmle(d: _Data, tol: float, max_iter: int) -> dict:
    """JMLE on the non-extreme observations, then extreme elements one by one with others fixed."""
    keep = _nonextreme(d)
    if keep.sum() == 0:
        raise DesignError("every rating belongs to an element with an extreme score; nothing to estimate")
    fit = _fit_core(_subset(d, keep), tol, max_iter)
    B, Cs, D, tau = fit["B"], fit["C"], fit["D"], fit["tau"]
    # extreme elements (no observations in the core fit): 0.3-point adjusted score, others fixed
    for idx, size, par, sign in ((d.e, d.ne, B, 1.0), (d.r, d.nr, Cs, -1.0), (d.i, d.ni, D, -1.0)):
        ext = np.bincount(idx[keep], minlength=size) == 0
        if not ext.any():
            continue
        t = _targets(d.x, idx, size, d.m)
        par[ext] = sign * np.where(t[ext] > np.bincount(idx, minlength=size)[ext] * d.m / 2, 3.0, -3.0)
        rows = np.flatnonzero(ext[idx])                 # the extreme elements' own ratings
        e, r, i, sub = d.e[rows], d.r[rows], d.i[rows], idx[rows]
        for _ in range(100):
            E, W, _ = _moments(_probs(B[e] - Cs[r] - D[i], tau, d.g[rows]))
            step = sign * _newton(t, sub, size, E, W)
            par[ext] += step[ext]
            if np.abs(step[ext]).max() < tol:
                break
    cshift, dshift = Cs.mean(), D.mean()
    fit.update(B=B - cshift - dshift, C=Cs - cshift, D=D - dshift, n_extreme_ratings=int((~keep).sum()))
    return fit


def _units(*facets: tuple[np.ndarray, int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Code each rating by its combination of facet codes: (unit code per rating, each facet's code per unit)."""
    key = np.zeros(len(facets[0][0]), np.int64)
    for c, size in facets:
        key = key * size + c
    unit, keys = pd.factorize(key, sort=True)
    parts = []
    for _, size in facets[::-1]:
        parts.append(keys % size)
        keys = keys // size
    return unit, parts[::-1]


class _Pattern:
    """A sparse (CSR) matrix with a fixed pattern, refilled from per-rating weights by one bincount per part.

    ``parts`` are ``(rows, cols)`` index arrays, one entry per rating; entries with a negative index are
    left out.  With ``symmetric`` each off-diagonal entry also fills its mirror.
    """

    def __init__(self, parts: list[tuple[np.ndarray, np.ndarray]], shape: tuple[int, int],
                 symmetric: bool = False) -> None:
        nr, nc = shape
        keys = []
        for r, c in parts:
            if symmetric:
                r, c = np.minimum(r, c), np.maximum(r, c)
            keys.append(np.where((r >= 0) & (c >= 0), r.astype(np.int64) * nc + c, -1))
        uniq, inv = np.unique(np.concatenate(keys), return_inverse=True)
        dropped = len(uniq) > 0 and uniq[0] < 0
        uniq = uniq[1:] if dropped else uniq
        inv = inv - 1 if dropped else inv
        self.n_upper = len(uniq)
        inv[inv < 0] = self.n_upper                                  # dropped entries: a spare last bin
        self.pos = np.split(inv.reshape(-1), np.cumsum([len(k) for k in keys])[:-1])
        r, c = uniq // nc, uniq % nc
        self.take = np.arange(len(uniq))
        if symmetric:                                               # add the mirror of off-diagonal entries
            off = np.flatnonzero(r != c)
            r, c = np.concatenate([r, c[off]]), np.concatenate([c, r[off]])
            self.take = np.concatenate([self.take, off])
        order = np.lexsort((c, r))
        self.take, self.rows, self.indices = self.take[order], r[order], c[order].astype(np.int32)
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(self.rows, minlength=nr))]).astype(np.int32)
        self.shape = shape

    def fill(self, weights: list[np.ndarray]) -> sp.csr_matrix:
        v = np.bincount(self.pos[0], weights=weights[0], minlength=self.n_upper + 1)
        for pos, w in zip(self.pos[1:], weights[1:]):
            v += np.bincount(pos, weights=w, minlength=self.n_upper + 1)
        return sp.csr_matrix((v[self.take], self.indices, self.indptr), shape=self.shape)


def _fit_core(d: _Data, tol: float, max_iter: int) -> dict:
    te = _targets(d.x, d.e, d.ne, d.m)
    tr = _targets(d.x, d.r, d.nr, d.m)
    ti = _targets(d.x, d.i, d.ni, d.m)
    ne_obs = np.bincount(d.e, minlength=d.ne) * d.m
    # PROX-like start: log-odds of the mean score of each element
    with np.errstate(divide="ignore", invalid="ignore"):
        B = np.nan_to_num(np.log(te / (ne_obs - te)))
        Cs = -np.nan_to_num(np.log(tr / (np.bincount(d.r, minlength=d.nr) * d.m - tr)))
        D = -np.nan_to_num(np.log(ti / (np.bincount(d.i, minlength=d.ni) * d.m - ti)))
    Cs -= Cs.mean()
    D -= D.mean()
    counts = np.stack([np.bincount(d.g, weights=(d.x == k).astype(float), minlength=d.ng)
                       for k in range(d.m + 1)], axis=1)
    tau = np.log(np.maximum(counts[:, :-1], 0.5) / np.maximum(counts[:, 1:], 0.5))
    tau -= tau.mean(axis=1, keepdims=True)
    # Newton-Raphson on (B, C, D, F) jointly: eta has Jacobian +1 (ratee), -1 (rater), -1 (item); the
    # thresholds enter through the scores S_h = 1[x >= h].  The ratee block of the information matrix is
    # diagonal, so ratees are eliminated and the Schur complement over raters, items and thresholds is solved
    # (densely when small, else by Jacobi-preconditioned conjugate gradients).  The model is invariant to
    # shifting B with C, with D, and with F (RSM; for PCM, D_i against F_i), so the first rater, the first
    # item and the last threshold of each group are references in the Newton system, recentred after each
    # step.  The blocks have a fixed sparsity pattern that each iteration fills by bincount.
    m1 = d.m - 1                                                    # free thresholds per group
    no = d.nr + d.ni
    present = np.concatenate([np.bincount(d.r, minlength=d.nr), np.bincount(d.i, minlength=d.ni)]) > 0
    free = present.copy()
    free[np.flatnonzero(present[:d.nr])[0]] = False                 # reference rater
    free[d.nr + np.flatnonzero(present[d.nr:])[0]] = False          # reference item
    fo = np.flatnonzero(free)
    g_used = np.flatnonzero(np.bincount(d.g, minlength=d.ng) > 0)
    ft = (g_used[:, None] * m1 + np.arange(m1)).ravel()             # free thresholds, as g * m1 + h
    nf = len(fo) + len(ft)
    col = np.full(no + d.ng * m1, -1)                               # -1: not in the system
    col[fo] = np.arange(len(fo))
    col[no + ft] = len(fo) + np.arange(len(ft))
    # the information is summed per ratee x rater, ratee x item, ratee x group and rater x item x group
    u_er, (e_er, r_er) = _units((d.e, d.ne), (d.r, d.nr))
    u_ei, (e_ei, i_ei) = _units((d.e, d.ne), (d.i, d.ni))
    u_eg, (e_eg, g_eg) = _units((d.e, d.ne), (d.g, d.ng))
    u_rig, (r_rig, i_rig, g_rig) = _units((d.r, d.nr), (d.i, d.ni), (d.g, d.ng))
    pat_eo = _Pattern([(e_er, col[r_er]), (e_ei, col[d.nr + i_ei])]
                      + [(e_eg, col[no + g_eg * m1 + h]) for h in range(m1)], (d.ne, nf))
    cr, ci = col[r_rig], col[d.nr + i_rig]
    ct = [col[no + g_rig * m1 + h] for h in range(m1)]
    pairs_ff = [(h, l) for h in range(m1) for l in range(h, m1)]
    pat_oo = _Pattern([(cr, cr), (ci, ci), (cr, ci)] + [(cr, c) for c in ct] + [(ci, c) for c in ct]
                      + [(ct[h], ct[l]) for h, l in pairs_ff], (nf, nf), symmetric=True)
    has_e = np.bincount(d.e, minlength=d.ne) > 0
    target_o = np.concatenate([-tr, -ti])[fo]
    obs_ge = [np.bincount(d.g, weights=d.x >= h + 1, minlength=d.ng) for h in range(m1)]
    converged = False
    change = np.inf
    for it in range(1, max_iter + 1):
        eta = B[d.e] - Cs[d.r] - D[d.i]
        P = _probs(eta, tau, d.g)
        E, W, _ = _moments(P)
        G, V = _threshold_terms(P, E)
        g_e = te - np.bincount(d.e, weights=E, minlength=d.ne)
        g_f = np.stack([np.bincount(d.g, weights=G[h], minlength=d.ng) - obs_ge[h] for h in range(m1)]
                       + [np.zeros(d.ng)], axis=1)[:, :m1]
        g_o = np.concatenate([target_o + np.concatenate([np.bincount(d.r, weights=E, minlength=d.nr),
                                                         np.bincount(d.i, weights=E, minlength=d.ni)])[fo],
                              g_f.ravel()[ft]])
        h_e = np.where(has_e, np.bincount(d.e, weights=W, minlength=d.ne), 1.0)
        H_eo = pat_eo.fill([-np.bincount(u_er, weights=W), -np.bincount(u_ei, weights=W)]
                           + [-np.bincount(u_eg, weights=V[h]) for h in range(m1)])
        w_rig = np.bincount(u_rig, weights=W)
        v_rig = [np.bincount(u_rig, weights=V[h]) for h in range(m1)]
        H_oo = pat_oo.fill([w_rig] * 3 + v_rig * 2
                           + [np.bincount(u_rig, weights=G[l] - G[h] * G[l]) for h, l in pairs_ff])
        H_oe = H_eo.T
        rhs = g_o - H_oe @ (g_e / h_e)
        if nf <= _DENSE_MAX:
            S = H_oo - H_oe @ sp.diags(1.0 / h_e) @ H_eo
            step_o = sla.solve(S.toarray(), rhs, assume_a="pos", check_finite=False)
        else:   # matrix-free conjugate gradients on the Schur complement, Jacobi preconditioned
            diag_s = H_oo.diagonal() - np.bincount(H_eo.indices, weights=H_eo.data ** 2 / h_e[pat_eo.rows],
                                                   minlength=nf)
            op = spla.LinearOperator((nf, nf), dtype=float, matvec=lambda v: H_oo @ v - H_oe @ ((H_eo @ v) / h_e))
            pre = spla.LinearOperator((nf, nf), dtype=float, matvec=lambda v: v / diag_s)
            step_o, _ = spla.cg(op, rhs, rtol=1e-12, atol=0.0, maxiter=5000, M=pre)
        step_e = (g_e - H_eo @ step_o) / h_e
        step = np.clip(np.concatenate([step_e, step_o]), -1.0, 1.0)   # damp far from the solution
        full = np.zeros(d.ne + no + d.ng * m1)
        full[:d.ne] = step[:d.ne]
        full[d.ne + fo] = step[d.ne:d.ne + len(fo)]
        full[d.ne + no + ft] = step[d.ne + len(fo):]
        B = B + full[:d.ne]
        Cs = Cs + full[d.ne:d.ne + d.nr]
        D = D + full[d.ne + d.nr:d.ne + no]
        tau = tau.copy()
        tau[:, :m1] += full[d.ne + no:].reshape(d.ng, m1)
        c = tau.mean(axis=1)
        tau -= c[:, None]
        if d.ng == 1:
            B -= c[0]
        else:                                       # partial credit: absorb into item difficulties
            D += c
        cshift, dshift = Cs.mean(), D.mean()
        Cs -= cshift
        D -= dshift
        B -= cshift + dshift
        change = np.abs(step).max()
        if change < tol:
            converged = True
            break
    return {"B": B, "C": Cs, "D": D, "tau": tau, "iterations": it, "converged": converged, "change": change}


def _fit_stats(idx, size, y, W, K):
    n = np.bincount(idx, minlength=size).astype(float)
    z2 = y * y / W
    outfit = np.bincount(idx, weights=z2, minlength=size) / n
    sw = np.bincount(idx, weights=W, minlength=size)
    infit = np.bincount(idx, weights=y * y, minlength=size) / sw
    with np.errstate(invalid="ignore", divide="ignore"):
        q_out = np.sqrt(np.maximum(np.bincount(idx, weights=K / (W * W), minlength=size) / n ** 2 - 1 / n, 1e-12))
        q_in = np.sqrt(np.maximum(np.bincount(idx, weights=K - W * W, minlength=size) / sw ** 2, 1e-12))
    zstd = lambda ms, q: (np.cbrt(ms) - 1.0) * (3.0 / q) + q / 3.0  # noqa: E731
    return n, sw, infit, zstd(infit, q_in), outfit, zstd(outfit, q_out)


def separation(measure: np.ndarray, se: np.ndarray) -> dict:
    """Separation G, strata H = (4G+1)/3 and reliability G^2/(1+G^2) of one facet's measures."""
    ok = np.isfinite(measure) & np.isfinite(se)
    if ok.sum() < 2:
        return {"sd_observed": np.nan, "rmse": np.nan, "sd_true": np.nan, "separation": np.nan,
                "strata": np.nan, "reliability": np.nan}
    obs_var = float(np.var(measure[ok], ddof=1))
    mse = float(np.mean(se[ok] ** 2))
    true_var = max(obs_var - mse, 0.0)
    G = np.sqrt(true_var / mse)
    return {"sd_observed": np.sqrt(obs_var), "rmse": np.sqrt(mse), "sd_true": np.sqrt(true_var),
            "separation": G, "strata": (4 * G + 1) / 3, "reliability": true_var / obs_var if obs_var else np.nan}


def mfrm(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID, score: str = C.SCORE,
         item: str | None = None, model: Literal["rsm", "pcm"] = "rsm",
         bias_correction: Literal["wright"] | None = "wright", group: str | None = None,
         tol: float = 1e-7, max_iter: int = 1000, source: str = "ratings") -> RaterAnalysis:
    """Fit a many-facet Rasch model (ratee, rater[, item], thresholds) and tabulate it like FACETS.

    Parameters
    ----------
    ratings : DataFrame
        Long ratings table; scores must be integers (consecutive categories).
    ratee, rater, score, item : str
        Column names (``item`` optional: without it the model has two facets).
    model : {"rsm", "pcm"}
        Rating-scale (shared thresholds) or partial-credit (thresholds per item).
    bias_correction : {"wright", None}
        Multiply measures by (L-1)/L (see module notes) or report the plain JML estimates.
    group : str, optional
        Column for the rater x group bias/interaction table (for example ``item`` or a ratee attribute).
    tol, max_iter
        Convergence: largest change in any parameter, in logits.

    Returns
    -------
    RaterAnalysis
        ``rater_effects.effect`` is the rater's leniency ``-C_j`` in logits (positive = rates higher than the
        average rater); ``ratee_scores.adjusted`` is the fair average (expected score from an average rater
        on an average item).  ``tables`` holds ``ratees, raters, items, summary, categories, bias,
        unexpected``.

    Raises
    ------
    DesignError
        Disconnected design (the subsets are named), a null category, fewer than two raters.
    InputError
        Non-integer scores (the row is named).
    """
    enc = encode(ratings, ratee, rater, score, source)
    frac = enc.y != np.round(enc.y)
    if frac.any():
        row = int(np.flatnonzero(frac)[0]) + 1
        raise InputError(source, f"mfrm needs integer rating categories, got {enc.y[row - 1]!r}", row=row,
                         column=score)
    check_connected(ratings, ratee, rater, item, source)
    lo = int(enc.y.min())
    x = (enc.y - lo).astype(np.int64)
    m = int(x.max())
    if m < 1:
        raise DesignError(f"{source}: every score is {lo}; a Rasch model needs at least two categories")
    if item is not None:
        i_codes, i_ids = codes(ratings[item])
    else:
        i_codes, i_ids = np.zeros(len(x), np.int64), pd.Index(["(all)"], name="item")
    if model not in ("rsm", "pcm"):
        raise ValueError(f"model must be 'rsm' or 'pcm', got {model!r}")
    g = i_codes if model == "pcm" else np.zeros(len(x), np.int64)
    ng = len(i_ids) if model == "pcm" else 1
    counts = np.stack([np.bincount(g, weights=(x == k).astype(float), minlength=ng) for k in range(m + 1)], axis=1)
    if (counts == 0).any():
        gi, k = np.argwhere(counts == 0)[0]
        where = f" for item {i_ids[gi]}" if model == "pcm" else ""
        raise DesignError(f"{source}: score category {lo + k} is never used{where}; recode the scale or "
                          f"collapse categories (null categories make thresholds inestimable)")
    d = _Data(x, enc.ratee, enc.rater, i_codes, g, m, enc.n_ratee, enc.n_rater, len(i_ids), ng)
    fit = _fit_jmle(d, tol, max_iter)
    B, Cs, D, tau = fit["B"], fit["C"], fit["D"], fit["tau"]
    eta = B[d.e] - Cs[d.r] - D[d.i]
    P = _probs(eta, tau, d.g)
    E, W, K = _moments(P, kurtosis=True)
    y = x - E
    L = float(np.median(np.bincount(d.e)))
    factor = (L - 1) / L if bias_correction == "wright" and L > 1 else 1.0

    def facet_table(idx, size, ids, measure, sign, fair_eta):
        n, sw, infit, inz, outfit, outz = _fit_stats(idx, size, y, W, K)
        se = 1.0 / np.sqrt(sw)
        obs = np.bincount(idx, weights=x, minlength=size)
        fair = lo + _moments(_probs(fair_eta, tau.mean(axis=0, keepdims=True), np.zeros(size, np.int64)))[0]
        return pd.DataFrame({"element": ids, "n": n.astype(int), "observed_average": lo + obs / n,
                             "fair_average": fair, "measure": sign * measure * factor, "se": se * factor,
                             "infit_mnsq": infit, "infit_zstd": inz, "outfit_mnsq": outfit, "outfit_zstd": outz,
                             "extreme": (obs == 0) | (obs == n * m)})

    Bbar = float(B.mean())
    ratees = facet_table(d.e, d.ne, enc.ratee_ids, B, 1.0, B)
    raters = facet_table(d.r, d.nr, enc.rater_ids, Cs, 1.0, Bbar - Cs)
    items = facet_table(d.i, d.ni, i_ids, D, 1.0, Bbar - D)
    summary = pd.DataFrame([{"facet": f, **separation(t["measure"].to_numpy(), t["se"].to_numpy())}
                            for f, t in (("ratee", ratees), ("rater", raters), ("item", items))])
    categories = _category_table(d, P, eta, y, W, tau, lo, factor)
    tables = {"ratees": ratees, "raters": raters, "items": items, "summary": summary, "categories": categories,
              "unexpected": _unexpected(ratings, y / np.sqrt(W), x + lo, E + lo)}
    if group is not None:
        tables["bias"] = bias_table(ratings, group, d, eta, tau, enc.rater_ids, source)
    # outputs common to every method
    fair_slope = W  # d E / d eta
    rater_effects = pd.DataFrame({"rater_id": enc.rater_ids, "n": raters["n"], "effect": -raters["measure"],
                                  "se": raters["se"], "severity": raters["measure"],
                                  "fair_average": raters["fair_average"], "infit_mnsq": raters["infit_mnsq"],
                                  "outfit_mnsq": raters["outfit_mnsq"]})
    n_e, raw = ratee_raw(d.e, enc.y, d.ne)
    _, Wf, _ = _moments(_probs(B, tau.mean(axis=0, keepdims=True), np.zeros(d.ne, np.int64)))
    ratee_scores = pd.DataFrame({"ratee_id": enc.ratee_ids, "n": n_e.astype(int), "raw_mean": raw,
                                 "adjusted": ratees["fair_average"], "se": Wf * ratees["se"] / factor,
                                 "measure": ratees["measure"], "measure_se": ratees["se"],
                                 "infit_mnsq": ratees["infit_mnsq"], "outfit_mnsq": ratees["outfit_mnsq"]})
    # per-rating correction: remove the rater's severity on the score scale
    E0 = _moments(_probs(B[d.e] - D[d.i], tau, d.g))[0]
    adjusted = enc.y + (E0 - E)
    del fair_slope
    info = {"model": model, "bias_correction": bias_correction, "factor": factor, "test_length": L,
            "iterations": fit["iterations"], "converged": fit["converged"], "max_change": float(fit["change"]),
            "extreme_ratings_set_aside": fit["n_extreme_ratings"],
            "categories": list(range(lo, lo + m + 1)), "n": len(x)}
    return RaterAnalysis("mfrm", rater_effects, ratee_scores, adjusted, None, info, tables)


def _category_table(d: _Data, P, eta, y, W, tau, lo, factor) -> pd.DataFrame:
    k = np.arange(d.m + 1)
    count = np.bincount(d.x, minlength=d.m + 1)
    avg = np.bincount(d.x, weights=eta, minlength=d.m + 1) / count
    exp_avg = (P @ eta) / P.sum(axis=1)
    outfit = np.bincount(d.x, weights=y * y / W, minlength=d.m + 1) / count
    info = _threshold_info(d, P)
    thr = np.concatenate([[np.nan], tau.mean(axis=0) * factor])
    thr_se = np.concatenate([[np.nan], (1 / np.sqrt(info.sum(axis=0))) * factor])
    ordered = np.concatenate([[True], np.diff(np.concatenate([[-np.inf], thr[1:]])) > 0])
    return pd.DataFrame({"category": lo + k, "count": count, "percent": 100 * count / count.sum(),
                         "average_measure": avg, "expected_measure": exp_avg, "outfit_mnsq": outfit,
                         "threshold": thr, "threshold_se": thr_se, "ordered": ordered})


def _unexpected(ratings: pd.DataFrame, z: np.ndarray, obs: np.ndarray, exp: np.ndarray,
                limit: float = 3.0, max_rows: int = 200) -> pd.DataFrame:
    rows = np.flatnonzero(np.abs(z) >= limit)
    rows = rows[np.argsort(-np.abs(z[rows]), kind="stable")][:max_rows]
    return pd.DataFrame({"row": rows + 1, "observed": obs[rows], "expected": exp[rows], "std_residual": z[rows]})


def bias_table(ratings: pd.DataFrame, group: str, d: _Data, eta: np.ndarray, tau: np.ndarray,
               rater_ids: pd.Index, source: str = "ratings", n_iter: int = 25) -> pd.DataFrame:
    """Rater x group bias/interaction: the shift ``b`` (logits) that fits each cell, with t and p.

    Holding all measures fixed, ``b_jg`` solves ``sum_cell (x - E(eta + b)) = 0`` (Newton, extreme
    cells moved 0.3 points inward); ``se = 1/sqrt(sum W)``, ``t = b / se`` with ``n - 1`` degrees of
    freedom; ``flag`` marks ``|t| >= 2``.  Positive ``bias`` = the rater rates this group higher than
    the measures predict.
    """
    if group not in ratings.columns:
        raise InputError(source, "missing column (named as --group)", column=group)
    gc, g_ids = codes(ratings[group].astype(str))
    cell = d.r * len(g_ids) + gc
    cc, cell_ids = pd.factorize(cell, sort=True)
    nc = len(cell_ids)
    t = _targets(d.x, cc, nc, d.m)
    b = np.zeros(nc)
    for _ in range(n_iter):
        E, W, _ = _moments(_probs(eta + b[cc], tau, d.g))
        step = _newton(t, cc, nc, E, W)
        b += step
        if np.abs(step).max() < 1e-8:
            break
    E, W, _ = _moments(_probs(eta + b[cc], tau, d.g))
    n = np.bincount(cc, minlength=nc)
    se = 1.0 / np.sqrt(np.bincount(cc, weights=W, minlength=nc))
    obs = np.bincount(cc, weights=d.x, minlength=nc)
    exp0 = np.bincount(cc, weights=_moments(_probs(eta, tau, d.g))[0], minlength=nc)
    tstat = b / se
    with np.errstate(invalid="ignore"):
        pval = 2 * stats.t.sf(np.abs(tstat), np.maximum(n - 1, 1))
    return pd.DataFrame({"rater_id": rater_ids[cell_ids // len(g_ids)], "group": g_ids[cell_ids % len(g_ids)],
                         "n": n, "observed": obs, "expected": exp0, "bias": b, "se": se, "t": tstat, "df": n - 1,
                         "p": pval, "flag": np.abs(tstat) >= 2})
