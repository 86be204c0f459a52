"""Decomposing a change into the contributions of its provisions: a game, its evaluation and its summary.

:class:`Game` names the provisions (players) and the outcomes (metrics), and evaluates coalitions replicate by
replicate: ``evaluate(requests)`` receives, for every replicate ``r``, the coalition masks it needs and returns
their values, one row per mask and one column per metric.  The simulator's game builds each coalition's
hybrid policy and simulates every hybrid of a replicate with that replicate's random numbers (common random
numbers, so hybrids are paired exactly as ``asnsim compare`` pairs policies); a toy game is a formula.

:func:`decompose` computes Shapley values per replicate (:mod:`asnsim.why.shapley`): exactly over all
``2**k`` coalitions up to :data:`~asnsim.why.shapley.EXACT_MAX` provisions, else by antithetic permutation
sampling with orders drawn afresh in every replicate, so that the spread between replicates carries both the
simulation's and the sampling's error.  :class:`Decomposition` keeps every replicate's values and summarizes
them as a simulation study should (Morris, White & Crowther 2019, Stat. Med. 38:2074): estimate, Monte Carlo SE
``sd / sqrt(n_reps)`` and a t interval; the ``total`` row is ``v(N) - v({})``, B minus A, and per replicate
the provisions' values add up to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .shapley import EXACT_MAX, check_players, exact_shapley, order_coalitions, order_contributions, sample_orders

#: ``requests[r]`` (int64 masks) -> one ``(len(requests[r]), n_metrics)`` array per replicate
Evaluate = Callable[[Sequence[np.ndarray]], Sequence[np.ndarray]]

SHAPLEY_COLUMNS = ["provision", "metric", "estimate", "mcse", "ci_low", "ci_high", "n_reps", "mcse_orders"]
HYBRID_COLUMNS = ["hybrid", "provisions", "n_provisions", "metric", "estimate", "mcse", "ci_low", "ci_high",
                  "n_reps"]
#: the provision name of the row holding ``v(N) - v({})``
TOTAL = "total"


@dataclass(frozen=True)
class Game:
    """A cooperative game: provisions, outcomes and a replicate-wise evaluation of coalitions.

    Parameters
    ----------
    players : tuple of str
        Provision names; bit ``i`` of a coalition mask is ``players[i]``.
    metrics : tuple of str
        Outcome names, the columns of every evaluated array.
    evaluate : callable
        ``evaluate(requests) -> values``: ``requests[r]`` holds the int64 coalition masks replicate ``r`` needs;
        ``values[r]`` has shape ``(len(requests[r]), len(metrics))``.  Replicate ``r`` must use the same random
        numbers for every coalition (common random numbers).
    """

    players: tuple[str, ...]
    metrics: tuple[str, ...]
    evaluate: Evaluate

    def coalition_label(self, mask: int) -> str:
        """The provisions of a coalition, ``+``-joined in player order (``"none"`` for the empty one)."""
        return _label(self.players, int(mask))


@dataclass(frozen=True)
class Decomposition:
    """Shapley values of every replicate, with the coalition values they came from.

    ``phi[r, i, m]`` is provision ``i``'s value for metric ``m`` in replicate ``r``; ``start`` and ``end``
    (``(R, M)``) are ``v({})`` and ``v(N)``; ``order_var`` the sampling variance of each replicate's ``phi``
    over orders (zero when exact).  ``coalitions`` is a long record of every evaluated (replicate, mask) with
    its values.
    """

    players: tuple[str, ...]
    metrics: tuple[str, ...]
    method: str
    phi: np.ndarray
    start: np.ndarray
    end: np.ndarray
    order_var: np.ndarray
    coalition_masks: np.ndarray
    coalition_replicates: np.ndarray
    coalition_values: np.ndarray
    n_orders: int = 0

    @property
    def reps(self) -> int:
        return int(self.phi.shape[0])

    def additivity_gap(self) -> float:
        """The largest ``|sum_i phi_i - (v(N) - v({}))|`` over replicates and metrics (rounding only)."""
        gap = np.abs(self.phi.sum(axis=1) - (self.end - self.start))
        return float(np.nanmax(gap)) if np.isfinite(gap).any() else float("nan")

    def shapley_table(self, level: float = 0.95) -> pd.DataFrame:
        """``provision, metric, estimate, mcse, ci_low, ci_high, n_reps, mcse_orders``; a ``total`` row per metric.

        Provisions come in player order and the ``total`` row (B minus A) last, metric by metric.  ``mcse`` is
        the Monte Carlo SE over replicates (it includes the order-sampling error, since orders are drawn
        afresh in each replicate); with one replicate of a sampled game it is the order-sampling error alone.
        ``mcse_orders`` is the part due to sampling orders (0 when exact).
        """
        k, m = len(self.players), len(self.metrics)
        draws = np.concatenate([self.phi, (self.end - self.start)[:, None, :]], axis=1)  # (R, k + 1, M)
        est, mcse, lo, hi, n = summarize_draws(draws, level)
        with np.errstate(invalid="ignore"):
            n_ok = np.maximum(n, 1)
            orders = np.sqrt(np.nansum(self.order_var, axis=0)) / n_ok[:k]
        orders = np.concatenate([orders, np.zeros((1, m))], axis=0)
        if self.reps == 1 and self.method == "permutation":
            mcse = orders.copy()
            q = stats.t.ppf(0.5 + level / 2, max(self.n_orders // 2 - 1, 1))
            lo, hi = est - q * mcse, est + q * mcse
        names = list(self.players) + [TOTAL]
        out = pd.DataFrame({
            "provision": np.repeat(names, m), "metric": np.tile(self.metrics, k + 1),
            "estimate": est.ravel(), "mcse": mcse.ravel(), "ci_low": lo.ravel(), "ci_high": hi.ravel(),
            "n_reps": n.ravel().astype(int), "mcse_orders": orders.ravel(),
        })
        order = np.argsort(np.tile(np.arange(m), k + 1), kind="stable")  # metric by metric
        return out.iloc[order].reset_index(drop=True)[SHAPLEY_COLUMNS]

    def hybrid_table(self, level: float = 0.95) -> pd.DataFrame:
        """Every evaluated hybrid (coalition) with its value per metric, summarized over replicates."""
        masks, group = np.unique(self.coalition_masks, return_inverse=True)
        est, mcse, lo, hi, n = grouped_summary(group, len(masks), self.coalition_values, level)
        m = len(self.metrics)
        out = pd.DataFrame({
            "hybrid": np.repeat(masks, m), "provisions": np.repeat([_label(self.players, int(x)) for x in masks], m),
            "n_provisions": np.repeat([bin(int(x)).count("1") for x in masks], m),
            "metric": np.tile(self.metrics, len(masks)), "estimate": est.ravel(), "mcse": mcse.ravel(),
            "ci_low": lo.ravel(), "ci_high": hi.ravel(), "n_reps": n.ravel().astype(int)})
        out = out.sort_values(["n_provisions", "hybrid"], kind="stable").reset_index(drop=True)
        return out[HYBRID_COLUMNS]


def _label(players: Sequence[str], mask: int) -> str:
    names = [p for i, p in enumerate(players) if (mask >> i) & 1]
    return "+".join(names) if names else "none"


def summarize_draws(draws: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, ...]:
    """Mean, Monte Carlo SE, t interval and count over the first axis, ignoring non-finite draws.

    Returns ``(estimate, mcse, ci_low, ci_high, n)``, each of shape ``draws.shape[1:]``; MCSE and interval are
    NaN with fewer than two finite draws.

    Examples
    --------
    >>> est, mcse, lo, hi, n = summarize_draws(np.array([1.0, 2.0, 3.0, 4.0]))
    >>> float(est), round(float(mcse), 4), int(n)
    (2.5, 0.6455, 4)
    """
    x = np.asarray(draws, dtype=float)
    return tuple(a[0] for a in grouped_summary(np.zeros(len(x), dtype=int), 1, x, level))


def grouped_summary(group: np.ndarray, n_groups: int, values: np.ndarray,
                    level: float = 0.95) -> tuple[np.ndarray, ...]:
    """:func:`summarize_draws` within groups: ``values[j]`` belongs to group ``group[j]``; ``(n_groups, M)`` out."""
    x = np.asarray(values, dtype=float)
    ok = np.isfinite(x)
    n = np.zeros((n_groups,) + x.shape[1:])
    total = np.zeros_like(n)
    np.add.at(n, group, ok)
    np.add.at(total, group, np.where(ok, x, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        squares = np.zeros_like(n)
        np.add.at(squares, group, np.where(ok, x - est[group], 0.0) ** 2)
        mcse = np.sqrt(squares / np.where(n > 1, n - 1, np.nan)) / np.sqrt(n)
        q = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan))
    return est, mcse, est - q * mcse, est + q * mcse, n


def order_rng(seed: int, replicate: int) -> np.random.Generator:
    """The stream of provision orders for one replicate (independent of the number of replicates)."""
    ss = np.random.SeedSequence(int(seed), spawn_key=(0, int(replicate), 1019))
    return np.random.Generator(np.random.PCG64(ss))


def decompose(game: Game, reps: int, seed: int = 1, method: str = "auto", orders: int = 64,
              antithetic: bool = True) -> Decomposition:
    """Shapley values of ``game`` in every replicate, exact or by permutation sampling.

    Parameters
    ----------
    game : Game
        Provisions, metrics and the replicate-wise evaluation.
    reps : int
        Replicates (each with its own random numbers, the same for all its coalitions).
    seed : int
        Seeds the orders of permutation sampling (the game's own randomness is the game's business).
    method : {"auto", "exact", "permutation"}
        ``auto``: exact up to :data:`~asnsim.why.shapley.EXACT_MAX` provisions, permutation sampling beyond.
    orders : int
        Orders per replicate for permutation sampling (even when ``antithetic``).
    antithetic : bool
        Draw orders in pairs, an order and its reverse.

    Returns
    -------
    Decomposition

    Examples
    --------
    A game whose two provisions add 1 and 2 and interact by 3 (the interaction is split equally):

    >>> def evaluate(requests):
    ...     return [np.array([[float(m & 1) + 2.0 * (m >> 1 & 1) + 3.0 * (m == 3)] for m in r]) for r in requests]
    >>> dec = decompose(Game(("a", "b"), ("y",), evaluate), reps=2)
    >>> dec.shapley_table()[["provision", "estimate"]].values.tolist()
    [['a', 2.5], ['b', 3.5], ['total', 6.0]]
    """
    k = len(game.players)
    check_players(k)
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    if method == "auto":
        method = "exact" if k <= EXACT_MAX else "permutation"
    if method == "exact":
        return _exact(game, reps)
    if method == "permutation":
        return _sampled(game, reps, seed, orders, antithetic)
    raise ValueError(f"method must be 'auto', 'exact' or 'permutation', got {method!r}")


def _checked(game: Game, requests: list[np.ndarray]) -> list[np.ndarray]:
    values = [np.asarray(v, dtype=float) for v in game.evaluate(requests)]
    for r, (req, val) in enumerate(zip(requests, values)):
        if val.shape != (len(req), len(game.metrics)):
            raise ValueError(f"evaluate returned shape {val.shape} for replicate {r}, "
                             f"expected {(len(req), len(game.metrics))}")
    if len(values) != len(requests):
        raise ValueError(f"evaluate returned {len(values)} replicates, expected {len(requests)}")
    return values


def _exact(game: Game, reps: int) -> Decomposition:
    k, n = len(game.players), 1 << len(game.players)
    masks = np.arange(n, dtype=np.int64)
    values = np.stack(_checked(game, [masks] * reps), axis=1)  # (2**k, R, M)
    phi = np.moveaxis(exact_shapley(values), 1, 0)  # (R, k, M)
    return Decomposition(
        game.players, game.metrics, "exact", phi, values[0], values[-1], np.zeros_like(phi),
        np.repeat(masks, reps), np.tile(np.arange(reps), n), values.reshape(n * reps, -1))


def _sampled(game: Game, reps: int, seed: int, n_orders: int, antithetic: bool) -> Decomposition:
    k = len(game.players)
    all_orders = [sample_orders(k, n_orders, order_rng(seed, r), antithetic) for r in range(reps)]
    paths = [order_coalitions(o) for o in all_orders]
    requests = [np.unique(p) for p in paths]
    values = _checked(game, requests)
    phi, var, start, end = [], [], [], []
    for r in range(reps):  # one vectorized pass per replicate
        along = values[r][np.searchsorted(requests[r], paths[r])]  # (orders, k + 1, M)
        contrib = order_contributions(all_orders[r], along)  # (orders, k, M)
        units = contrib.reshape(n_orders // 2, 2, k, -1).mean(axis=1) if antithetic else contrib
        phi.append(units.mean(axis=0))
        var.append(units.var(axis=0, ddof=1) / len(units) if len(units) > 1 else np.full(units.shape[1:], np.nan))
        start.append(along[0, 0])
        end.append(along[0, -1])
    return Decomposition(
        game.players, game.metrics, "permutation", np.stack(phi), np.stack(start), np.stack(end), np.stack(var),
        np.concatenate(requests), np.concatenate([np.full(len(q), r) for r, q in enumerate(requests)]),
        np.concatenate(values), n_orders)


__all__ = ["Decomposition", "Evaluate", "Game", "HYBRID_COLUMNS", "SHAPLEY_COLUMNS", "TOTAL", "decompose",
           "order_rng", "summarize_draws"]
