"""Paired comparisons over common random numbers, racing, Pareto fronts and hypervolume, against known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from asnsim.errors import DesignError
from asnsim.explore.pareto import hypervolume, nondominated, reference_point, separability
from asnsim.explore.racing import dominated_by, not_separable, paired, race, schedule, stack

LOWER2 = np.array([-1, -1])


def test_schedule():
    assert schedule(16) == [2, 4, 8, 16] and schedule(12, 3) == [3, 6, 12] and schedule(2) == [2]
    for bad in [(0,), (8, 1), (8, 9)]:
        with pytest.raises(DesignError):
            schedule(*bad)


def test_paired_difference_matches_scipy_paired_t():
    rng = np.random.default_rng(4)
    common = rng.normal(size=(12, 2))
    a = 1.0 + common + 0.1 * rng.normal(size=(12, 2))
    b = common + 0.1 * rng.normal(size=(12, 2))
    arr, n = stack([a, b[:9]], LOWER2)
    diff, se, m = paired(arr[0], n[0], arr[1:], n[1:])
    assert m.tolist() == [9]  # only the replicates both have
    t = stats.ttest_rel(a[:9], b[:9], axis=0)
    assert diff[0] / se[0] == pytest.approx(t.statistic)
    assert diff[0] == pytest.approx((a[:9] - b[:9]).mean(axis=0))


def test_common_random_numbers_make_small_differences_clear():
    rng = np.random.default_rng(5)
    shock = rng.normal(0, 1.0, size=(8, 2))  # large world-to-world noise shared by both designs
    better = shock + 0.0
    worse = shock + np.array([0.2, 0.0])  # worse on f1 by 0.2, the same f2 (an exact outcome, as rater hours)
    worse[:, 0] += rng.normal(0, 0.01, size=8)
    arr, n = stack([worse, better], LOWER2)
    assert dominated_by(arr[0], n[0], arr[1:], n[1:], z=2.0).tolist() == [True]
    assert dominated_by(arr[1], n[1], arr[:1], n[:1], z=2.0).tolist() == [False]
    # a near-tie on a noisy objective keeps both racing: only more replicates can tell which way it goes
    tie = worse.copy()
    tie[:, 1] += rng.normal(0, 0.01, size=8)
    arr3, n3 = stack([tie, better], LOWER2)
    assert dominated_by(arr3[0], n3[0], arr3[1:], n3[1:], z=2.0).tolist() == [False]
    # without pairing (independent noise) the same 0.2 gap is lost in the noise
    indep = better + np.array([0.2, 0.0])
    indep[:, 0] = rng.normal(0, 1.0, size=8) + 0.2
    arr2, n2 = stack([indep, better], LOWER2)
    assert dominated_by(arr2[0], n2[0], arr2[1:], n2[1:], z=2.0).tolist() == [False]


def test_exact_outcomes_and_ties():
    a = np.array([[1.0, 3.0], [1.0, 3.0]])
    arr, n = stack([a, a.copy(), a + [0, 1]], LOWER2)
    assert dominated_by(arr[0], n[0], arr[1:], n[1:], 2.0).tolist() == [False, False]  # a twin never dominates
    assert dominated_by(arr[2], n[2], arr[:2], n[:2], 2.0).tolist() == [True, True]    # worse on f2, exact
    assert not_separable(arr[0], n[0], arr[1:], n[1:], 2.0).tolist() == [True, False]
    one, n1 = stack([a[:1], a[:1] + 5], LOWER2)
    assert dominated_by(one[1], n1[1], one[:1], n1[:1], 2.0).tolist() == [False]  # one replicate: no SE, no verdict


def test_race_spends_replicates_near_the_front():
    """Designs on the line f1 + f2 = 1 are the front; the others (shifted by 0.5) stop at the first rung."""
    rng = np.random.default_rng(1)
    shocks = rng.normal(0, 0.3, size=(16, 2))
    truth = [np.array([t, 1 - t]) for t in np.linspace(0, 1, 5)] + [np.array([t, 1 - t]) + 0.5 for t in (0.2, 0.8)]
    calls = []

    def evaluate(jobs):
        calls.append(jobs)
        return [truth[i] + shocks[list(reps)] + rng.normal(0, 0.01, size=(len(reps), 2)) for i, reps in jobs]

    start = [np.zeros((0, 2))] * len(truth)
    out = race(start, evaluate, [], LOWER2, schedule(16), z=2.0)
    assert [o.stopped_at for o in out] == [16] * 5 + [2, 2]
    assert [o.dominated for o in out] == [False] * 5 + [True, True]
    assert sum(o.new_evaluations for o in out) == 5 * 16 + 2 * 2
    assert [len(c) for c in calls] == [7, 5, 5, 5]  # rungs 2, 4, 8, 16; the dominated pair leaves after rung 1
    # a rival from an earlier generation eliminates a newcomer it clearly dominates, reusing cached replicates
    cached = out[0].values[:4]
    out2 = race([cached, np.zeros((0, 2))],
                lambda jobs: [truth[0] + 0.5 + shocks[list(r)] if i == 1 else truth[0] + shocks[list(r)]
                              for i, r in jobs],
                [out[0].values], LOWER2, schedule(8), z=2.0)
    assert out2[0].new_evaluations == 4 and out2[0].stopped_at == 8
    assert out2[1].dominated and out2[1].stopped_at == 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(*[st.integers(0, 3)] * 3), min_size=2, max_size=8), st.integers(2, 5))
def test_exact_outcomes_clear_dominance_is_pareto_dominance(points, reps):
    """Without noise (every replicate the same), 'clearly dominated' is exactly Pareto dominance."""
    x = np.array(points, float)
    directions = np.array([-1, 1, 0])   # lower, higher, closer to 0 is better
    loss = np.column_stack([x[:, 0], -x[:, 1], np.abs(x[:, 2])])
    arr, n = stack([np.repeat(p[None], reps, axis=0) for p in x], directions)
    for i in range(len(x)):
        expected = [bool(np.all(loss[j] <= loss[i]) and np.any(loss[j] < loss[i])) for j in range(len(x))]
        assert dominated_by(arr[i], n[i], arr, n, z=2.0).tolist() == expected


def _brute_nondominated(x):
    keep = []
    for i in range(len(x)):
        keep.append(not any(np.all(x[j] <= x[i]) and np.any(x[j] < x[i]) for j in range(len(x))))
    return np.array(keep)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(*[st.integers(0, 6)] * 3), min_size=1, max_size=25))
def test_nondominated_matches_brute_force(points):
    x = np.array(points, float)
    assert nondominated(x).tolist() == _brute_nondominated(x).tolist()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(*[st.integers(0, 5)] * 3), min_size=1, max_size=12))
def test_hypervolume_counts_dominated_unit_cells(points):
    """On integer points the hypervolume is the number of unit cells some point dominates (exact)."""
    x = np.array(points, float)
    ref = np.array([6.0, 6.0, 6.0])
    cells = np.stack(np.meshgrid(*[np.arange(6)] * 3, indexing="ij"), -1).reshape(-1, 3).astype(float)
    covered = (np.all(x[None, :, :] <= cells[:, None, :], axis=2)).any(axis=1).sum()
    assert hypervolume(x, ref) == pytest.approx(float(covered))


def test_hypervolume_known_values():
    assert hypervolume(np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]), np.array([4.0, 4.0])) == 6.0
    assert hypervolume(np.array([[5.0, 5.0]]), np.array([4.0, 4.0])) == 0.0  # beyond the reference point
    assert reference_point(np.array([[0.0, 2.0], [1.0, 0.0]])).tolist() == [1.1, 2.2]


def test_separability_uses_paired_replicates():
    rng = np.random.default_rng(2)
    shock = rng.normal(0, 1, size=(10, 2))
    a = shock + rng.normal(0, 0.01, (10, 2))
    b = shock + rng.normal(0, 0.01, (10, 2))        # the same point within Monte Carlo error
    c = shock + [0.5, -0.5] + rng.normal(0, 0.01, (10, 2))  # a different trade-off, clearly
    assert separability([a, b, c], LOWER2) == [[1], [0], []]
