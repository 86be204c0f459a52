"""The Pareto front of explored designs, its hypervolume, and which front designs are separable.

Non-dominance and hypervolume come from moocore (López-Ibáñez et al.), the
reference implementations of the EAF and hypervolume literature: the
hypervolume of a set of loss vectors is the volume of objective space they
dominate up to a reference point (Zitzler & Thiele 1998); a larger share of
the exhaustive front's hypervolume means a front closer to, and spread as
widely as, the true one.

References
----------
Zitzler, E. & Thiele, L. (1998). Multiobjective optimization using evolutionary
algorithms: a comparative case study. *PPSN V*, LNCS 1498:292-301.
Fonseca, C. M., Paquete, L. & López-Ibáñez, M. (2006). An improved
dimension-sweep algorithm for the hypervolume indicator. *IEEE CEC* 1157-1163.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .racing import not_separable, stack


def nondominated(losses: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows of ``losses`` (minimised) that no other row dominates.

    Duplicated rows are all kept.

    Examples
    --------
    >>> nondominated(np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 3.0], [2.0, 2.0]])).tolist()
    [True, True, False, True]
    """
    import moocore

    losses = np.asarray(losses, float)
    if len(losses) == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(moocore.is_nondominated(losses, keep_weakly=True), dtype=bool)


def reference_point(*loss_sets: np.ndarray, margin: float = 0.1) -> np.ndarray:
    """A reference point beyond the worst loss of every set: nadir + ``margin`` x range (per objective).

    Examples
    --------
    >>> reference_point(np.array([[0.0, 1.0], [1.0, 0.0]])).tolist()
    [1.1, 1.1]
    """
    allx = np.vstack([np.asarray(s, float) for s in loss_sets if len(s)])
    lo, hi = allx.min(axis=0), allx.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return hi + margin * span


def hypervolume(losses: np.ndarray, ref: np.ndarray) -> float:
    """Hypervolume dominated by ``losses`` (minimised) up to ``ref``; points beyond ``ref`` add nothing.

    Examples
    --------
    >>> hypervolume(np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]), np.array([4.0, 4.0]))
    6.0
    """
    import moocore

    losses = np.asarray(losses, float)
    inside = losses[np.all(losses < np.asarray(ref, float), axis=1)] if len(losses) else losses
    if len(inside) == 0:
        return 0.0
    return float(moocore.hypervolume(inside, ref=np.asarray(ref, float)))


def separability(values: Sequence[np.ndarray], directions: np.ndarray, z: float = 2.0) -> list[list[int]]:
    """For each design, the others it cannot be told apart from within Monte Carlo error (indices).

    Parameters
    ----------
    values : sequence of ndarray (n_i, k)
        Per-replicate natural outcomes of the designs (replicates ``0..n_i-1``, common random numbers).
    directions : ndarray (k,)
    z : float
        Monte Carlo SEs (2 by default).
    """
    arr, n = stack(list(values), np.asarray(directions))
    out = []
    for i in range(len(values)):
        rest = np.array([j for j in range(len(values)) if j != i], dtype=int)
        close = not_separable(arr[i], n[i], arr[rest], n[rest], z) if len(rest) else np.zeros(0, bool)
        out.append([int(j) for j in rest[close]])
    return out


__all__ = ["hypervolume", "nondominated", "reference_point", "separability"]
