"""Pair tables: contingency tables of pairs of ratings, the counts the latent correlations are fitted on.

Pairs within one (ratee, rater, period) unit (:func:`pair_tables_within`: two items of one component, or items of two
components) and pairs of two ratees of one rater (:func:`pair_tables_between`, each rater weighted equally); see
:mod:`asnsim.calibrate` for the correlations they give.
"""

from __future__ import annotations

import numpy as np


def pair_tables_within(wide: np.ndarray, cols_a: list[int], cols_b: list[int], K: int, same: bool,
                        weight: np.ndarray | None = None) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Tables of (col i, col j) category pairs within rows of ``wide`` (unit x item codes, -1 missing),
    each row counted with ``weight`` (default 1)."""
    pairs = [(i, j) for i in cols_a for j in cols_b if (not same or i < j)]
    out = np.zeros((len(pairs), K, K))
    for p, (i, j) in enumerate(pairs):  # loop over item pairs, vectorized over units
        ok = (wide[:, i] >= 0) & (wide[:, j] >= 0)
        out[p] = np.bincount(wide[ok, i] * K + wide[ok, j], minlength=K * K,
                             weights=None if weight is None else weight[ok]).reshape(K, K)
    return out, pairs


def pair_tables_between(wide: np.ndarray, unit_group: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray]:
    """Tables of ordered pairs of ratings of *different* ratees of one rater, for every item pair.

    Each rater counts equally, whatever the number of ratees ``m_g`` (the scenario's
    ``leniency_sd`` is the spread over raters): a group's pairs get the weight
    ``1 / (m_g (m_g - 1))``, rescaled so the weights keep the total number of pairs.
    With ``N_gi`` the weighted (group x category) counts of item ``i``, ``sum_g w_g N_gi' N_gj`` counts
    all pairs in a group; pairs of one ratee are taken out (the diagonal for ``i = j``, the weighted
    within-ratee table for ``i != j``).  Returns (tables (P, K, K), item pairs (P, 2)).
    """
    n_units, n_items = wide.shape
    n_groups = int(unit_group.max()) + 1 if n_units else 0
    rated = (wide >= 0).any(axis=1)
    m = np.bincount(unit_group[rated], minlength=n_groups).astype(float)
    pairs_g = m * (m - 1)
    w = np.divide(1.0, pairs_g, out=np.zeros_like(pairs_g), where=pairs_g > 0)
    w *= pairs_g.sum() / max((w * pairs_g).sum(), 1e-300)
    N = np.zeros((n_items, n_groups, K))
    for i in range(n_items):
        ok = wide[:, i] >= 0
        np.add.at(N[i], (unit_group[ok], wide[ok, i]), 1.0)
    within, pairs_w = pair_tables_within(wide, list(range(n_items)), list(range(n_items)), K, same=True,
                                          weight=w[unit_group])
    idx = {p: t for t, p in enumerate(pairs_w)}
    tables, pairs = [], []
    for i in range(n_items):  # loops over item pairs, vectorized over groups
        for j in range(i, n_items):
            t = (N[i] * w[:, None]).T @ N[j]
            t = t - np.diag((N[i] * w[:, None]).sum(axis=0)) if i == j else t - within[idx[(i, j)]]
            tables.append(t)
            pairs.append((i, j))
    return np.array(tables), np.array(pairs, dtype=int).reshape(-1, 2)
