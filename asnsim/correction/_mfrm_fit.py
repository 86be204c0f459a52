"""Joint maximum-likelihood estimation of the many-facet Rasch model (the engine of :mod:`asnsim.correction.mfrm`).

Newton-Raphson on the likelihood equations of all elements and thresholds
jointly, with the diagonal ratee block eliminated and the Schur complement over
raters, items and thresholds solved densely when small, else by
Jacobi-preconditioned conjugate gradients; elements with extreme scores set aside
and estimated afterwards, as FACETS does.  See the module docstring of
:mod:`asnsim.correction.mfrm` for the model and the references.

Guards, so that the iteration never runs on without an answer:

- a step that is not finite stops the fit with a :class:`DesignError` naming the
  iteration and the elements whose measures were furthest out;
- a singular (or numerically singular) Newton system, or measures running away
  (the data put some elements at plus or minus infinity without their scores
  being extreme: a group of raters and ratees whose ratings separate them from
  the rest), switch on a weak ridge, a N(0, 10^2) prior on every measure, which
  keeps every estimate finite; the elements it holds are reported as
  ``separated``;
- the iterations are capped (``max_iter``) and the caller says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import DesignError

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


def _connected(d: _Data) -> bool:
    """Whether the observations link every present ratee, rater and item into one set."""
    from scipy.sparse.csgraph import connected_components

    n = d.ne + d.nr + d.ni
    g = sp.coo_matrix((np.ones(2 * len(d.x)), (np.concatenate([d.e, d.e]),
                                                 np.concatenate([d.ne + d.r, d.ne + d.nr + d.i]))), shape=(n, n))
    _, lab = connected_components(g, directed=False)
    present = np.concatenate([np.bincount(d.e, minlength=d.ne), np.bincount(d.r, minlength=d.nr),
                              np.bincount(d.i, minlength=d.ni)]) > 0
    return len(np.unique(lab[present])) <= 1


def _fit_jmle(d: _Data, tol: float, max_iter: int) -> dict:
    """JMLE on the non-extreme observations, then extreme elements one by one with others fixed.

    When setting the extreme elements aside would leave the rest disconnected (their ratings were the only
    link between two groups), every element is estimated jointly instead, the extreme ones with their raw
    score moved 0.3 points inward, so all measures stay on one scale (``info["extremes"]`` says which).
    """
    keep = _nonextreme(d)
    if keep.sum() == 0:
        raise DesignError("every rating belongs to an element with an extreme score (all in the lowest or all "
                          "in the highest category); nothing to estimate")
    if not _connected(_subset(d, keep)):
        fit = _fit_core(d, tol, max_iter)
        fit.update(n_extreme_ratings=0, extremes="estimated jointly, raw scores moved 0.3 points inward "
                                                 "(setting them aside would disconnect the design)")
        return fit
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
    fit.update(B=B - cshift - dshift, C=Cs - cshift, D=D - dshift, n_extreme_ratings=int((~keep).sum()),
               extremes="set aside, then estimated one by one with the others fixed (0.3-point adjustment)")
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


#: ridge (1 / prior variance) switched on for a singular or runaway Newton system: a N(0, 10^2) prior
RIDGE = 0.01
#: measures beyond this many logits while still moving mean the data put them at infinity
RUNAWAY_LOGITS = 8.0


class _SingularSystem(Exception):
    pass


def _system(d: _Data) -> dict:
    """The fixed structure of the Newton system: references, column map and fill patterns."""
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
    return {"m1": m1, "no": no, "fo": fo, "ft": ft, "nf": nf, "u_er": u_er, "u_ei": u_ei, "u_eg": u_eg,
            "u_rig": u_rig, "pat_eo": pat_eo, "pat_oo": pat_oo, "pairs_ff": pairs_ff,
            "has_e": np.bincount(d.e, minlength=d.ne) > 0,
            "obs_ge": [np.bincount(d.g, weights=d.x >= h + 1, minlength=d.ng) for h in range(m1)]}


def _start(d: _Data) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """PROX-like start: log-odds of the mean score of each element; thresholds from category counts."""
    te, tr, ti = (_targets(d.x, idx, size, d.m) for idx, size in ((d.e, d.ne), (d.r, d.nr), (d.i, d.ni)))
    with np.errstate(divide="ignore", invalid="ignore"):
        B = np.nan_to_num(np.log(te / (np.bincount(d.e, minlength=d.ne) * d.m - te)))
        Cs = -np.nan_to_num(np.log(tr / (np.bincount(d.r, minlength=d.nr) * d.m - tr)))
        D = -np.nan_to_num(np.log(ti / (np.bincount(d.i, minlength=d.ni) * d.m - ti)))
    counts = np.stack([np.bincount(d.g, weights=(d.x == k).astype(float), minlength=d.ng)
                       for k in range(d.m + 1)], axis=1)
    tau = np.log(np.maximum(counts[:, :-1], 0.5) / np.maximum(counts[:, 1:], 0.5))
    return B, Cs - Cs.mean(), D - D.mean(), tau - tau.mean(axis=1, keepdims=True)


def _solve_schur(H_oo, H_eo, h_e, rhs, nf: int) -> np.ndarray:
    """Solve the Schur complement system (dense Cholesky when small, else CG); raise _SingularSystem."""
    import warnings

    H_oe = H_eo.T
    if nf <= _DENSE_MAX:
        S = (H_oo - H_oe @ sp.diags(1.0 / h_e) @ H_eo).toarray()
        with warnings.catch_warnings():
            warnings.simplefilter("error", sla.LinAlgWarning)
            try:
                return sla.solve(S, rhs, assume_a="pos", check_finite=False)
            except (np.linalg.LinAlgError, sla.LinAlgWarning, ValueError):
                raise _SingularSystem from None
    # matrix-free conjugate gradients on the Schur complement, Jacobi preconditioned
    diag_s = H_oo.diagonal() - np.bincount(H_eo.indices, weights=H_eo.data ** 2 / h_e[H_eo.tocoo().row],
                                           minlength=nf)
    if not (diag_s > 0).all():
        raise _SingularSystem
    op = spla.LinearOperator((nf, nf), dtype=float, matvec=lambda v: H_oo @ v - H_oe @ ((H_eo @ v) / h_e))
    pre = spla.LinearOperator((nf, nf), dtype=float, matvec=lambda v: v / diag_s)
    step, info = spla.cg(op, rhs, rtol=1e-12, atol=0.0, maxiter=2000, M=pre)
    if info != 0 or not np.isfinite(step).all():
        raise _SingularSystem
    return step


def _newton_step(d: _Data, sysm: dict, te, tr, ti, B, Cs, D, tau, lam: float) -> np.ndarray:
    """One Newton step (clipped to 1 logit) of the (ridge-penalized, when lam > 0) likelihood equations."""
    m1, no, fo, ft, nf = sysm["m1"], sysm["no"], sysm["fo"], sysm["ft"], sysm["nf"]
    P = _probs(B[d.e] - Cs[d.r] - D[d.i], tau, d.g)
    E, W, _ = _moments(P)
    G, V = _threshold_terms(P, E)
    g_e = te - np.bincount(d.e, weights=E, minlength=d.ne) - lam * B
    g_f = np.stack([np.bincount(d.g, weights=G[h], minlength=d.ng) - sysm["obs_ge"][h] for h in range(m1)]
                   + [np.zeros(d.ng)], axis=1)[:, :m1] - lam * tau[:, :m1]
    g_o = np.concatenate([(np.concatenate([np.bincount(d.r, weights=E, minlength=d.nr) - tr,
                                           np.bincount(d.i, weights=E, minlength=d.ni) - ti])
                           - lam * np.concatenate([Cs, D]))[fo], g_f.ravel()[ft]])
    h_e = np.where(sysm["has_e"], np.bincount(d.e, weights=W, minlength=d.ne), 1.0) + lam
    H_eo = sysm["pat_eo"].fill([-np.bincount(sysm["u_er"], weights=W), -np.bincount(sysm["u_ei"], weights=W)]
                               + [-np.bincount(sysm["u_eg"], weights=V[h]) for h in range(m1)])
    u_rig = sysm["u_rig"]
    w_rig = np.bincount(u_rig, weights=W)
    v_rig = [np.bincount(u_rig, weights=V[h]) for h in range(m1)]
    H_oo = sysm["pat_oo"].fill([w_rig] * 3 + v_rig * 2
                               + [np.bincount(u_rig, weights=G[l] - G[h] * G[l]) for h, l in sysm["pairs_ff"]])
    if lam:
        H_oo = H_oo + sp.identity(nf, format="csr") * lam
    step_o = _solve_schur(H_oo, H_eo, h_e, g_o - H_eo.T @ (g_e / h_e), nf)
    step_e = (g_e - H_eo @ step_o) / h_e
    step = np.clip(np.concatenate([step_e, step_o]), -1.0, 1.0)   # damp far from the solution
    full = np.zeros(d.ne + no + d.ng * m1)
    full[:d.ne] = step[:d.ne]
    full[d.ne + fo] = step[d.ne:d.ne + len(fo)]
    full[d.ne + no + ft] = step[d.ne + len(fo):]
    return full


def _recentre(d: _Data, B, Cs, D, tau):
    """Raters and items centred at 0, thresholds summing to 0 (absorbed into B for RSM, into D for PCM)."""
    c = tau.mean(axis=1)
    tau = tau - c[:, None]
    if d.ng == 1:
        B = B - c[0]
    else:
        D = D + c
    cshift, dshift = Cs.mean(), D.mean()
    return B - cshift - dshift, Cs - cshift, D - dshift, tau


def _iterate(d: _Data, sysm: dict, targets, params, lam: float, tol: float, max_iter: int):
    """Newton iterations from ``params`` at ridge ``lam``: (params, iterations, converged, last change).

    Raises _SingularSystem (singular system), _Runaway (measures running away, without a ridge) or
    DesignError (a step that is not finite).
    """
    no, m1 = sysm["no"], sysm["m1"]
    B, Cs, D, tau = params
    change, it = np.inf, 0
    while it < max_iter:
        it += 1
        full = _newton_step(d, sysm, *targets, B, Cs, D, tau, lam)
        if not np.isfinite(full).all():
            raise DesignError(f"mfrm: the Newton step at iteration {it} is not finite; {_furthest(d, B, Cs)}")
        B = B + full[:d.ne]
        Cs = Cs + full[d.ne:d.ne + d.nr]
        D = D + full[d.ne + d.nr:d.ne + no]
        tau = tau.copy()
        tau[:, :m1] += full[d.ne + no:].reshape(d.ng, m1)
        if not lam:
            B, Cs, D, tau = _recentre(d, B, Cs, D, tau)
        change = float(np.abs(full).max())
        if change < tol:
            return (B, Cs, D, tau), it, True, change
        if not lam and it >= 8 and change >= 0.5 and max(np.abs(B).max(), np.abs(Cs).max()) > RUNAWAY_LOGITS:
            raise _Runaway(it)
    return (B, Cs, D, tau), it, False, change


class _Runaway(Exception):
    pass


def _fit_core(d: _Data, tol: float, max_iter: int) -> dict:
    """Newton-Raphson on (B, C, D, F) jointly; see the module docstring for the guards.

    eta has Jacobian +1 (ratee), -1 (rater), -1 (item); the thresholds enter through the scores
    ``S_h = 1[x >= h]``.  The ratee block of the information matrix is diagonal, so ratees are eliminated
    and the Schur complement over raters, items and thresholds is solved.  The model is invariant to
    shifting B with C, with D, and with F (RSM; for PCM, D_i against F_i), so the first rater, the first
    item and the last threshold of each group are references in the Newton system, recentred after each
    step (with the ridge on, only at the end: the prior is not shift-invariant).  With the ridge on, the
    elements it holds are those whose measure moves by more than half a logit when the prior is made ten
    times weaker (a measure the data determine moves by about ``lam * measure / information``).
    """
    targets = tuple(_targets(d.x, idx, size, d.m) for idx, size in ((d.e, d.ne), (d.r, d.nr), (d.i, d.ni)))
    sysm = _system(d)
    start = _start(d)
    out = {"ridge": 0.0, "ridge_reason": None, "separated": None}
    try:
        params, it, converged, change = _iterate(d, sysm, targets, start, 0.0, tol, max_iter)
    except (_SingularSystem, _Runaway) as exc:
        reason = (f"measures running away at iteration {exc.args[0]}" if isinstance(exc, _Runaway)
                  else "singular Newton system")
        try:
            params, it, converged, change = _iterate(d, sysm, targets, start, RIDGE, tol, max_iter)
            weaker, *_ = _iterate(d, sysm, targets, params, RIDGE / 10, 1e-6, 50)
        except _SingularSystem:
            raise DesignError(f"mfrm: the Newton system is singular even with a ridge; "
                              f"{_furthest(d, start[0], start[1])}") from None
        params = _recentre(d, *params)
        moved = [np.abs(a - b) > 0.5 for a, b in zip(_recentre(d, *weaker)[:3], params[:3])]
        out.update(ridge=RIDGE, ridge_reason=reason, separated=tuple(moved))
    B, Cs, D, tau = params
    out.update(B=B, C=Cs, D=D, tau=tau, iterations=it, converged=converged, change=change)
    return out


def _furthest(d: _Data, B: np.ndarray, Cs: np.ndarray) -> str:
    """Name the ratee and rater codes furthest out, for an error message."""
    e, r = int(np.nanargmax(np.abs(B))), int(np.nanargmax(np.abs(Cs)))
    return (f"the measures furthest out are ratee #{e + 1} ({B[e]:.1f} logits) and rater #{r + 1} "
            f"({Cs[r]:.1f} logits); check their ratings")
