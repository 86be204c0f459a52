"""The fixed sparsity structure of the crossed model's Schur complement, and its selected inverse.

:class:`SchurPattern` enumerates once what every REML evaluation needs: entry
``(k, l)`` (``k <= l``) of ``N' W N`` (``W`` diagonal) is ``sum_i w_i N_ik N_il``
over the rows ``i`` holding both ``k`` and ``l``; each such ``(i, k, l)`` triple is
listed with its product ``N_ik N_il`` and the position of ``(k, l)`` among the
entries of the upper triangle, so filling the matrix is one ``bincount``.

:func:`selected_inverse` computes the entries of ``S^-1`` on the pattern of ``S``
from a sparse ``LDL'`` factorization by the Takahashi recurrence (Takahashi,
Fagan & Chin 1973; Erisman & Tinney 1975): for columns ``j`` from last to first,
with ``s`` the rows of column ``j`` of ``L``::

    Z[s, j] = -Z[s, s] L[s, j],    Z[j, j] = 1 / d_j - L[s, j]' Z[s, j]

which touches only entries inside the pattern of ``L`` (the filled graph is
closed under the elimination tree).

References
----------
Takahashi, K., Fagan, J., Chin, M.-S. (1973). Formation of a sparse bus impedance matrix and its
application to short circuit study. 8th PICA Conference Proceedings.
Erisman, A. M., Tinney, W. F. (1975). On computing certain elements of the inverse of a sparse matrix.
Communications of the ACM 18(3), 177-179.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import DesignError

#: at most this many (row, k, l) triples are enumerated (about 24 bytes each)
TRIPLES_MAX = 60_000_000


def _pairs_within_segments(starts: np.ndarray, sizes: np.ndarray, strict: bool) -> tuple[np.ndarray, np.ndarray]:
    """All index pairs (p, q), p <= q (p < q when ``strict``), inside each segment [start, start + size)."""
    seg = np.repeat(np.arange(len(sizes)), sizes)
    within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    reps = sizes[seg] - within - (1 if strict else 0)
    first = np.repeat(np.arange(len(seg)), reps)
    offs = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps) + (1 if strict else 0)
    base = starts[seg][first] - np.repeat(np.cumsum(sizes) - sizes, sizes)[first]
    return first + base, first + offs + base


class SchurPattern:
    """Positions of the entries of ``N' W N`` for a CSR count matrix ``N`` (sorted indices), upper triangle.

    The triples are kept as a sparse matrix ``G`` (entries x rows of ``N``) holding ``N_ik N_il`` at
    (entry (k, l), row i): ``N' diag(w) N`` is then the sparse product ``G w`` on the pattern.

    Attributes
    ----------
    keys : ndarray of int64
        ``l * qb + k`` of every entry (k <= l, diagonal included), sorted: the CSC order of the upper
        triangle, and the C-order flat index of the lower triangle of a dense ``qb x qb`` array.
    nnz : int
        Number of entries.
    """

    def __init__(self, N: sp.csr_matrix) -> None:
        qa, qb = N.shape
        m = np.diff(N.indptr).astype(np.int64)
        total = int((m * (m + 1) // 2).sum())
        if total > TRIPLES_MAX:
            raise DesignError(f"the rating design is too dense for the sparse crossed model ({total:,} pairs of "
                              f"levels sharing a level of the other factor; at most {TRIPLES_MAX:,})")
        first, second = _pairs_within_segments(N.indptr[:-1].astype(np.int64), m, strict=False)
        k, l = N.indices[first].astype(np.int64), N.indices[second].astype(np.int64)
        prod = N.data[first] * N.data[second]
        row = np.repeat(np.arange(qa, dtype=np.int64), m * (m + 1) // 2)
        del first, second
        key = l * qb + k
        del k, l
        diag_key = np.arange(qb, dtype=np.int64) * (qb + 1)
        self.keys, inv = np.unique(np.concatenate([key, diag_key]), return_inverse=True)
        del key
        self.nnz = len(self.keys)
        self.diag_pos = inv[total:]
        self.G = sp.csr_matrix((prod, (inv[:total], row)), shape=(self.nnz, qa))
        self.offdiag_weight = np.where(self.keys % qb == self.keys // qb, 1.0, 2.0)
        self.qa, self.qb = qa, qb
        self.indices = (self.keys % qb).astype(np.int32)
        self.indptr = np.searchsorted(self.keys // qb, np.arange(qb + 1)).astype(np.int32)

    def values(self, w: np.ndarray, diag: np.ndarray) -> np.ndarray:
        """Entries of ``diag(diag) - N' diag(w) N`` in the order of :attr:`keys`."""
        v = -(self.G @ w)
        v[self.diag_pos] += diag
        return v

    def upper(self, values: np.ndarray) -> sp.csc_matrix:
        """The upper triangle as a CSC matrix."""
        return sp.csc_matrix((values, self.indices, self.indptr), shape=(self.qb, self.qb))

    def quadratic_rows(self, s_values: np.ndarray) -> np.ndarray:
        """``diag(N A N')`` for a symmetric ``A`` given by its entries ``s_values`` on the pattern."""
        return self.G.T @ (s_values * self.offdiag_weight)


def selected_inverse(L: sp.csc_matrix, d: np.ndarray, perm: np.ndarray,
                     pattern: SchurPattern) -> tuple[np.ndarray, np.ndarray]:
    """Entries of ``S^-1`` on ``pattern`` and its diagonal, from ``S[perm][:, perm] = (I + L) D (I + L)'``.

    ``L`` is strictly lower triangular (CSC, sorted rows), as QDLDL returns it.
    """
    n = len(d)
    L = L.tocsc()
    L.sort_indices()
    indptr, rows, lv = L.indptr.astype(np.int64), L.indices.astype(np.int64), L.data
    cols = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    keys_l = cols * n + rows                         # sorted: columns ascending, rows ascending within
    counts = np.diff(indptr)
    # every pair (a > b) of rows within a column, and where Z[a, b] sits among L's entries
    pa, pb = _pairs_within_segments(indptr[:-1], counts, strict=True)
    pair_pos = np.searchsorted(keys_l, rows[pa] * n + rows[pb])   # column rows[pa] < row rows[pb]
    pair_ptr = np.concatenate([[0], np.cumsum(counts * (counts - 1) // 2)])
    zval = np.zeros(len(lv))
    zdiag = 1.0 / d
    for j in np.flatnonzero(counts)[::-1]:
        lo, hi = indptr[j], indptr[j + 1]
        lj = lv[lo:hi]
        z = zdiag[rows[lo:hi]] * lj
        if hi - lo > 1:
            p0, p1 = pair_ptr[j], pair_ptr[j + 1]
            ia, ib = pa[p0:p1] - lo, pb[p0:p1] - lo
            zp = zval[pair_pos[p0:p1]]
            c = hi - lo
            z += np.bincount(ia, zp * lj[ib], minlength=c) + np.bincount(ib, zp * lj[ia], minlength=c)
        zval[lo:hi] = -z
        zdiag[j] = 1.0 / d[j] + lj @ z
    pinv = np.empty(n, np.int64)
    pinv[perm] = np.arange(n)
    i, j = pinv[pattern.keys % n], pinv[pattern.keys // n]
    hi_, lo_ = np.maximum(i, j), np.minimum(i, j)
    out = np.empty(pattern.nnz)
    on_diag = hi_ == lo_
    out[on_diag] = zdiag[hi_[on_diag]]
    off = ~on_diag
    out[off] = zval[np.searchsorted(keys_l, lo_[off] * n + hi_[off])]
    return out, zdiag[pinv]
