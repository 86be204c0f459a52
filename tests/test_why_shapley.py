"""Shapley decomposition by provision: known effects, interactions, additivity, sampling error, determinism."""

from __future__ import annotations

import itertools
from math import factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from asnsim.why.decomposition import Game, decompose, summarize_draws
from asnsim.why.shapley import exact_shapley, order_coalitions, popcount, sample_orders


def _members(masks: np.ndarray, k: int) -> np.ndarray:
    """(len(masks), k) 0/1 membership of each provision."""
    return (masks[:, None] >> np.arange(k)) & 1


def _game(k, fn, metrics=("y",)):
    """A game whose value is ``fn(members, replicate)`` for every requested coalition."""
    def evaluate(requests):
        return [np.asarray(fn(_members(np.asarray(req), k), r), dtype=float).reshape(len(req), len(metrics))
                for r, req in enumerate(requests)]
    return Game(tuple(f"p{i}" for i in range(k)), tuple(metrics), evaluate)


def brute_force_shapley(values: np.ndarray) -> np.ndarray:
    """The definition: marginal contributions averaged over all k! orders."""
    k = values.shape[0].bit_length() - 1
    phi = np.zeros((k,) + values.shape[1:])
    for order in itertools.permutations(range(k)):
        mask = 0
        for i in order:
            phi[i] += values[mask | 1 << i] - values[mask]
            mask |= 1 << i
    return phi / factorial(k)


def test_two_provisions_with_known_additive_effects_are_recovered():
    # provision 0 raises the outcome by 0.05, provision 1 lowers it by 0.02; every replicate has a large common
    # shock (shared by all its hybrids: common random numbers) and a small hybrid-specific noise
    effects = np.array([0.05, -0.02])
    common = np.random.default_rng(7).normal(0.0, 1.0, size=40)

    def value(members, r):
        own = np.random.default_rng([11, r]).normal(0.0, 0.002, size=len(members))
        return 0.6 + common[r] + members @ effects + own

    table = decompose(_game(2, value), reps=40).shapley_table()
    est = table.set_index("provision")
    for name, truth in zip(("p0", "p1"), effects):
        assert est.loc[name, "ci_low"] <= truth <= est.loc[name, "ci_high"]
        assert abs(est.loc[name, "estimate"] - truth) < 4 * est.loc[name, "mcse"]
    # the common shock cancels in every paired difference: MCSE of the order of the hybrid noise, not 1/sqrt(40)
    assert est.loc["p0", "mcse"] < 0.001
    assert est.loc["total", "estimate"] == pytest.approx(effects.sum(), abs=0.002)


def test_noise_free_additive_effects_are_exact():
    effects = np.array([0.3, -0.1, 0.05])
    shock = np.array([0.0, 5.0, -3.0])
    table = decompose(_game(3, lambda m, r: shock[r] + m @ effects), reps=3).shapley_table()
    np.testing.assert_allclose(table["estimate"].to_numpy()[:3], effects, atol=1e-14)
    np.testing.assert_allclose(table["mcse"].to_numpy()[:3], 0.0, atol=1e-14)


def test_pure_interaction_is_split_equally():
    # nothing happens unless both provisions are applied; together they add 0.08
    table = decompose(_game(2, lambda m, r: 0.08 * m.prod(axis=1)), reps=2).shapley_table()
    np.testing.assert_allclose(table["estimate"].to_numpy(), [0.04, 0.04, 0.08], atol=1e-15)
    # a three-way interaction among three of four provisions: a third each, nothing for the fourth
    table = decompose(_game(4, lambda m, r: 0.09 * m[:, :3].prod(axis=1)), reps=1).shapley_table()
    np.testing.assert_allclose(table["estimate"].to_numpy(), [0.03, 0.03, 0.03, 0.0, 0.09], atol=1e-15)


def test_exact_matches_the_definition_over_all_orders():
    values = np.random.default_rng(3).normal(size=(16, 2, 3))
    np.testing.assert_allclose(exact_shapley(values), brute_force_shapley(values), atol=1e-13)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(1, 6).map(lambda k: (2 ** k, 3, 2)),
              elements=st.floats(-1e3, 1e3, allow_nan=False)))
def test_additivity_to_floating_point_precision(values):
    phi = exact_shapley(values)
    gap = np.abs(phi.sum(axis=0) - (values[-1] - values[0]))
    assert gap.max() <= 1e-12 * max(1.0, np.abs(values).max())


def test_additivity_per_replicate_on_a_simulated_shaped_game():
    rng = np.random.default_rng(5)
    table = rng.normal(size=(2 ** 6, 9, 4))  # 6 provisions, 9 replicates, 4 metrics
    dec = decompose(Game(tuple("abcdef"), tuple("wxyz"), lambda req: [table[q, r] for r, q in enumerate(req)]),
                    reps=9)
    assert dec.method == "exact"
    assert dec.additivity_gap() < 1e-13
    np.testing.assert_allclose(dec.phi.sum(axis=1), table[-1] - table[0], rtol=0, atol=1e-13)


def _pairwise_game(k, rng):
    a = rng.normal(size=k)
    c = np.triu(rng.normal(size=(k, k)), 1)
    truth = a + (c.sum(axis=0) + c.sum(axis=1)) / 2  # an interaction is split equally
    return (lambda m, r: m @ a + np.einsum("ni,ij,nj->n", m, c, m)), truth


def test_antithetic_orders_are_exact_for_pairwise_interactions():
    # along an order and its reverse, each pair's interaction is counted once in all: the pair mean is exact
    value, truth = _pairwise_game(12, np.random.default_rng(2))
    dec = decompose(_game(12, value), reps=2, orders=8, seed=3)
    assert dec.method == "permutation"
    table = dec.shapley_table()
    np.testing.assert_allclose(table["estimate"].to_numpy()[:12], truth, atol=1e-12)
    np.testing.assert_allclose(table["mcse_orders"].to_numpy()[:12], 0.0, atol=1e-12)


def test_permutation_sampling_beyond_ten_provisions_has_honest_error():
    k = 12
    rng = np.random.default_rng(4)
    w = rng.normal(size=k)
    triples = [(0, 1, 2), (3, 4, 5), (2, 6, 11)]

    def value(m, r):
        return m @ w + sum(2.0 * m[:, list(t)].prod(axis=1) for t in triples)

    truth = w.copy()
    for t in triples:
        truth[list(t)] += 2.0 / 3.0
    exact = decompose(_game(k, value), reps=1, method="exact").shapley_table()
    np.testing.assert_allclose(exact["estimate"].to_numpy()[:k], truth, atol=1e-12)
    sampled = decompose(_game(k, value), reps=1, orders=200, seed=9).shapley_table()
    err = sampled["estimate"].to_numpy()[:k] - truth
    mcse = sampled["mcse"].to_numpy()[:k]
    assert (mcse[[0, 1, 2, 3, 4, 5, 6, 11]] > 0.01).all() and (mcse[[7, 8, 9, 10]] < 1e-12).all()
    assert (np.abs(err) <= 4 * mcse + 1e-12).all()
    z = err[mcse > 0.01] / mcse[mcse > 0.01]
    assert 0.3 < np.sqrt(np.mean(z ** 2)) < 2.0  # the reported error is the size of the actual error
    assert sampled.iloc[-1]["estimate"] == pytest.approx(truth.sum(), abs=1e-12)  # total is exact


def test_sampled_orders_add_up_per_replicate():
    value, _ = _pairwise_game(11, np.random.default_rng(8))
    dec = decompose(_game(11, lambda m, r: value(m, r) + m[:, :3].prod(axis=1) * (1 + r)), reps=3, orders=6)
    assert dec.additivity_gap() < 1e-12


def test_same_seed_same_bytes():
    k = 11

    def value(m, r):
        return m @ np.arange(k) + (m[:, 0] * m[:, 1] * m[:, 5]) * np.cos(r)

    runs = [decompose(_game(k, value), reps=3, seed=s, orders=10) for s in (5, 5, 6)]
    csv = [d.shapley_table().to_csv(index=False) + d.hybrid_table().to_csv(index=False) for d in runs]
    assert csv[0] == csv[1]
    assert csv[0] != csv[2]


def test_hybrid_table_lists_every_coalition_with_its_provisions():
    dec = decompose(_game(3, lambda m, r: m @ np.array([1.0, 2.0, 4.0]) + r), reps=2)
    hyb = dec.hybrid_table()
    assert len(hyb) == 8
    assert hyb["provisions"].tolist()[:2] == ["none", "p0"]
    assert hyb.iloc[-1]["provisions"] == "p0+p1+p2"
    assert hyb.iloc[-1]["estimate"] == pytest.approx(7.5)


def test_order_helpers():
    orders = sample_orders(5, 6, np.random.default_rng(1))
    assert (np.sort(orders, axis=1) == np.arange(5)).all()
    assert (orders[1::2] == orders[0::2, ::-1]).all()
    path = order_coalitions(orders)
    assert (path[:, 0] == 0).all() and (path[:, -1] == 31).all()
    assert (popcount(path) == np.arange(6)).all()


def test_nan_values_leave_the_metric_undefined_not_dropped():
    dec = decompose(_game(2, lambda m, r: np.c_[m.sum(axis=1), np.where(m[:, 0] == 1, np.nan, 1.0)],
                          metrics=("ok", "icc")), reps=3)
    table = dec.shapley_table().set_index(["provision", "metric"])
    assert table.loc[("p0", "ok"), "estimate"] == pytest.approx(1.0)
    assert np.isnan(table.loc[("p0", "icc"), "estimate"]) and table.loc[("p0", "icc"), "n_reps"] == 0


def test_summarize_draws_matches_the_experiment_summary():
    est, mcse, lo, hi, n = summarize_draws(np.array([[1.0], [2.0], [np.nan], [4.0]]))
    assert est[0] == pytest.approx(7 / 3) and n[0] == 3
    assert mcse[0] == pytest.approx(np.std([1, 2, 4], ddof=1) / np.sqrt(3))


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "shuffle"}, "method must be"),
    ({"reps": 0}, "reps must be"),
    ({"method": "permutation", "orders": 3}, "even number of orders"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        decompose(_game(2, lambda m, r: m.sum(axis=1)), **{"reps": 1, **kwargs})


def test_a_game_returning_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="expected"):
        decompose(Game(("a",), ("y", "z"), lambda req: [np.zeros((len(q), 1)) for q in req]), reps=1)
    with pytest.raises(ValueError, match="1 to 62 provisions"):
        decompose(Game((), ("y",), lambda req: []), reps=1)
