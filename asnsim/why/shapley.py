"""Shapley values of a cooperative game whose players are the provisions of a reform.

A reform turns policy A into policy B by changing several *provisions* at once (the predikat matrix, the
quotas, the raters, ...).  Applying a subset ``S`` of the provisions to A gives a hybrid policy, and an outcome
measured on it is the game's value ``v(S)``: ``v({})`` is A's outcome and ``v(N)`` is B's.  The Shapley value
of provision ``i`` (Shapley 1953) is its marginal contribution averaged over every order in which the
provisions could have been introduced,

    phi_i = sum over S not containing i of  |S|! (k - |S| - 1)! / k!  (v(S + i) - v(S)),

so it does not depend on an arbitrary order (the sequential decompositions of tax-benefit microsimulation do:
Bourguignon & Spadaro 2006, J. Econ. Inequality 4:77), and the values add up: ``sum_i phi_i = v(N) - v({})``
(efficiency).  An interaction between two provisions is split equally between them.

Coalitions are bit masks over the provisions (bit ``i`` set: provision ``i`` applied), so a game with ``k``
provisions has ``2**k`` coalitions and a value array indexed by mask.  Everything is vectorized over trailing
axes (replicates, metrics): the additivity then holds per replicate, to floating-point rounding.

Beyond ten provisions (1,024 hybrids) the exact sum is replaced by permutation sampling (Castro, Gomez &
Tejada 2009, Comput. Oper. Res. 36:1726): the marginal contributions along random orders, whose average is
unbiased and still adds up exactly per order (the contributions along one order telescope to
``v(N) - v({})``).  Orders are drawn in antithetic pairs (an order and its reverse), which lowers the variance
(Mitchell, Cooper, Frank & Holmes 2022, JMLR 23(43):1-46).
"""

from __future__ import annotations

from math import factorial

import numpy as np

#: Exact Shapley values up to this many provisions (2**10 = 1,024 hybrids); permutation sampling beyond.
EXACT_MAX = 10
#: The largest number of provisions a coalition bit mask can hold.
MAX_PLAYERS = 62


def popcount(masks: np.ndarray) -> np.ndarray:
    """Number of set bits of each integer mask (vectorized).

    Examples
    --------
    >>> popcount(np.array([0, 1, 3, 7, 8])).tolist()
    [0, 1, 2, 3, 1]
    """
    m = np.asarray(masks, dtype=np.int64).copy()
    count = np.zeros(m.shape, dtype=np.int64)
    while np.any(m):
        count += m & 1
        m >>= 1
    return count


def shapley_weights(k: int) -> np.ndarray:
    """``w[s] = s! (k - s - 1)! / k!``: the weight of a coalition of size ``s`` that a player joins.

    Examples
    --------
    >>> shapley_weights(3).tolist()  # 1/3, 1/6, 1/3: sizes 0, 1, 2
    [0.3333333333333333, 0.16666666666666666, 0.3333333333333333]
    """
    return np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)])


def exact_shapley(values: np.ndarray) -> np.ndarray:
    """Exact Shapley values from the values of all ``2**k`` coalitions.

    Parameters
    ----------
    values : ndarray, shape (2**k, ...)
        ``values[mask]`` is the value of the coalition whose members are the set bits of ``mask``; any trailing
        axes (replicates, metrics) are carried along.

    Returns
    -------
    ndarray, shape (k, ...)
        ``phi[i]``, the Shapley value of player ``i``; ``phi.sum(axis=0)`` equals ``values[-1] - values[0]``
        to floating-point rounding.

    References
    ----------
    Shapley, L. S. (1953). A value for n-person games. In Contributions to the Theory of Games II, 307-317.

    Examples
    --------
    Two players whose effects add (1 and 2), plus an interaction of 3 split equally:

    >>> exact_shapley(np.array([0.0, 1.0, 2.0, 6.0])).tolist()
    [2.5, 3.5]
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    k = n.bit_length() - 1
    if n < 2 or n != 1 << k:
        raise ValueError(f"values must hold 2**k coalitions (k >= 1), got {n}")
    masks = np.arange(n, dtype=np.int64)
    weight_of_size = shapley_weights(k)
    sizes = popcount(masks)
    phi = np.empty((k,) + values.shape[1:])
    for i in range(k):  # a loop over provisions (k <= EXACT_MAX), not over coalitions
        without = masks[(masks >> i) & 1 == 0]
        w = weight_of_size[sizes[without]].reshape((-1,) + (1,) * (values.ndim - 1))
        phi[i] = (w * (values[without | (1 << i)] - values[without])).sum(axis=0)
    return phi


def sample_orders(k: int, n_orders: int, rng: np.random.Generator, antithetic: bool = True) -> np.ndarray:
    """Random orders of ``k`` players, shape ``(n_orders, k)``; in antithetic pairs (an order, then its reverse).

    Examples
    --------
    >>> sample_orders(4, 2, np.random.default_rng(0)).tolist()
    [[2, 0, 1, 3], [3, 1, 0, 2]]
    """
    if n_orders < 1 or (antithetic and n_orders % 2):
        raise ValueError(f"need a positive{' even' if antithetic else ''} number of orders, got {n_orders}")
    base = n_orders // 2 if antithetic else n_orders
    orders = rng.permuted(np.tile(np.arange(k), (base, 1)), axis=1)
    if antithetic:
        orders = np.stack([orders, orders[:, ::-1]], axis=1).reshape(n_orders, k)
    return orders


def order_coalitions(orders: np.ndarray) -> np.ndarray:
    """The coalitions visited along each order: ``(n_orders, k + 1)`` masks from ``0`` to ``2**k - 1``.

    Examples
    --------
    >>> order_coalitions(np.array([[2, 0, 1]])).tolist()
    [[0, 4, 5, 7]]
    """
    bits = np.left_shift(np.int64(1), orders.astype(np.int64))
    prefix = np.cumsum(bits, axis=1)  # distinct bits: the sum is the OR
    return np.concatenate([np.zeros((orders.shape[0], 1), dtype=np.int64), prefix], axis=1)


def order_contributions(orders: np.ndarray, coalition_values: np.ndarray) -> np.ndarray:
    """Each player's marginal contribution along each order.

    Parameters
    ----------
    orders : ndarray, shape (m, k)
        From :func:`sample_orders`.
    coalition_values : ndarray, shape (m, k + 1, ...)
        The values of :func:`order_coalitions` ``(orders)``.

    Returns
    -------
    ndarray, shape (m, k, ...)
        ``out[o, i]``: what player ``i`` added when it joined in order ``o``; each order's contributions sum
        to ``v(N) - v({})``.

    Examples
    --------
    >>> order_contributions(np.array([[1, 0]]), np.array([[0.0, 2.0, 6.0]])).tolist()
    [[4.0, 2.0]]
    """
    steps = np.diff(coalition_values, axis=1)
    out = np.empty_like(steps)
    rows = np.arange(orders.shape[0])[:, None]
    out[rows, orders] = steps
    return out


def check_players(k: int) -> None:
    """Refuse a game with fewer than one or more than :data:`MAX_PLAYERS` players."""
    if not 1 <= k <= MAX_PLAYERS:
        raise ValueError(f"a decomposition needs 1 to {MAX_PLAYERS} provisions, got {k}")


__all__ = ["EXACT_MAX", "MAX_PLAYERS", "check_players", "exact_shapley", "order_coalitions",
           "order_contributions", "popcount", "sample_orders", "shapley_weights"]
