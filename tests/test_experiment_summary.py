"""Monte Carlo summaries: hand-worked values and cross-checks against scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from asnsim.errors import AsnsimError
from asnsim.experiment.summary import (PAIRED_COLUMNS, RANKING_COLUMNS, SUMMARY_COLUMNS, headline,
                                       paired_differences, rank_policies, summarize)


def _rep(values: dict[str, list[float]], metric: str = "spearman", scenario: str = "s") -> pd.DataFrame:
    rows = []
    for p_index, (policy, vals) in enumerate(values.items()):
        for r, v in enumerate(vals):
            rows.append((0, scenario, p_index, policy, r, metric, "all", v))
    return pd.DataFrame(rows, columns=["scenario_index", "scenario", "policy_index", "policy", "replicate",
                                       "metric", "group", "value"])


def test_summary_hand_worked():
    # values 1, 2, 3, 4: mean 2.5, SD sqrt(5/3) = 1.290994, MCSE = SD/2, MCSE(SD) = SD/sqrt(6)
    s = summarize(_rep({"a": [1.0, 2.0, 3.0, 4.0]}))
    assert list(s.columns) == SUMMARY_COLUMNS
    row = s.iloc[0]
    assert row.estimate == 2.5
    assert row.emp_se == pytest.approx(1.2909944487)
    assert row.mcse == pytest.approx(0.6454972244)
    assert row.emp_se_mcse == pytest.approx(1.2909944487 / np.sqrt(6))
    t = 3.182446305284263  # t quantile 0.975 with 3 df
    assert (row.ci_low, row.ci_high) == pytest.approx((2.5 - t * 0.6454972244, 2.5 + t * 0.6454972244))
    assert row.n_reps == 4


def test_summary_matches_scipy_and_skips_nan():
    rng = np.random.default_rng(3)
    vals = rng.normal(0.4, 0.1, size=30)
    vals_nan = np.append(vals, [np.nan, np.inf])
    row = summarize(_rep({"a": list(vals_nan)})).iloc[0]
    assert row.n_reps == 30
    assert row.mcse == pytest.approx(stats.sem(vals))
    lo, hi = stats.t.interval(0.95, 29, loc=vals.mean(), scale=stats.sem(vals))
    assert (row.ci_low, row.ci_high) == pytest.approx((lo, hi))


def test_summary_keeps_design_order_and_groups():
    rep = pd.concat([_rep({"z": [1.0, 2.0], "a": [3.0, 5.0]}), _rep({"z": [0.0, 1.0], "a": [1.0, 1.0]}, "icc1")])
    s = summarize(rep)
    assert list(s.policy) == ["z", "a", "z", "a"]
    assert list(s.metric) == ["spearman", "spearman", "icc1", "icc1"]
    assert s.loc[3, "emp_se"] == 0.0


def test_single_replicate_has_no_interval():
    row = summarize(_rep({"a": [0.7]})).iloc[0]
    assert row.estimate == 0.7 and np.isnan(row.mcse) and np.isnan(row.ci_low)


def test_paired_hand_worked_and_pairing_gain():
    # b = a + 0.5 + small jitter: differences 0.5, 0.5, 0.6 -> mean 0.5333, SD 0.057735, MCSE 0.0333
    rep = _rep({"a": [1.0, 2.0, 3.0], "b": [1.5, 2.5, 3.6]})
    p = paired_differences(rep)
    assert list(p.columns) == PAIRED_COLUMNS
    row = p.iloc[0]
    assert (row.policy, row.reference) == ("b", "a")
    assert row.difference == pytest.approx(0.533333333)
    assert row.mcse == pytest.approx(0.0333333333)
    # without pairing the same difference would be far less precise
    assert row.mcse_unpaired == pytest.approx(np.sqrt((1.0 + np.var([1.5, 2.5, 3.6], ddof=1)) / 3))
    assert row.correlation == pytest.approx(np.corrcoef([1, 2, 3], [1.5, 2.5, 3.6])[0, 1])
    lo, hi = stats.t.interval(0.95, 2, loc=0.533333333, scale=0.0333333333)
    assert (row.ci_low, row.ci_high) == pytest.approx((lo, hi))


def test_paired_uses_only_replicates_both_have():
    rep = _rep({"a": [1.0, np.nan, 3.0, 4.0], "b": [2.0, 5.0, 4.0, np.nan]})
    row = paired_differences(rep).iloc[0]
    assert row.n_reps == 2 and row.difference == 1.0 and row.mcse == 0.0


def test_paired_reference_first_policy_chosen_or_all_pairs():
    rep = _rep({"a": [1.0, 2.0], "b": [2.0, 3.0], "c": [0.0, 0.0]})
    first = paired_differences(rep)  # default: each policy minus the first one listed
    assert list(zip(first.policy, first.reference)) == [("b", "a"), ("c", "a")]
    assert list(first.difference) == [1.0, -1.5]
    ref = paired_differences(rep, reference="c")
    assert list(zip(ref.policy, ref.reference)) == [("a", "c"), ("b", "c")]
    assert list(ref.difference) == [1.5, 2.5]
    allp = paired_differences(rep, all_pairs=True)
    assert list(zip(allp.policy, allp.reference)) == [("b", "a"), ("c", "a"), ("c", "b")]
    with pytest.raises(AsnsimError, match="--reference 'd' is not one of the compared policies: a, b, c"):
        paired_differences(rep, reference="d")


def test_ranking_directions_and_uncertainty():
    # spearman: higher is better; b wins 3 of 4 replicates
    rep = _rep({"a": [0.5, 0.6, 0.7, 0.9], "b": [0.6, 0.7, 0.8, 0.8]})
    r = rank_policies(rep)
    assert list(r.columns) == RANKING_COLUMNS
    r = r.set_index("policy")
    assert r.loc["b", "p_best"] == 0.75 and r.loc["a", "p_best"] == 0.25
    assert r.loc["b", "mean_rank"] == 1.25 and r.loc["a", "mean_rank"] == 1.75
    assert r.loc["a", "direction"] == "higher is better"
    # favouritism premium: closer to 0 is better, whatever the sign
    fav = rank_policies(_rep({"a": [-0.05, 0.02], "b": [0.3, -0.4]}, "favouritism_premium")).set_index("policy")
    assert fav.loc["a", "p_best"] == 1.0
    # rater hours: lower is better; ties split the first place
    hrs = rank_policies(_rep({"a": [2.0, 2.0], "b": [2.0, 3.0]}, "rater_hours")).set_index("policy")
    assert hrs.loc["a", "p_best"] == 0.75 and hrs.loc["b", "p_best"] == 0.25
    # a policy for which the metric never applies is left out; the others are still ranked
    icc = rank_policies(_rep({"a": [np.nan, np.nan], "b": [0.3, 0.5], "c": [0.4, 0.4]}, "icc1")).set_index("policy")
    assert list(icc.index) == ["b", "c"] and icc.loc["c", "mean_rank"] == 1.5 and icc.loc["b", "p_best"] == 0.5
    # a replicate where an applicable policy is missing is skipped
    part = rank_policies(_rep({"a": [0.1, np.nan, 0.3], "b": [0.2, 0.2, 0.2]}, "icc1")).set_index("policy")
    assert part.loc["a", "n_reps"] == 2 and part.loc["a", "p_best"] == 0.5
    # predikat shares describe a distribution: not ranked
    assert rank_policies(_rep({"a": [0.1], "b": [0.2]}, "share_predikat")).empty


def test_headline_formats_estimate_and_mcse():
    s = summarize(_rep({"a": [1.0, 2.0, 3.0, 4.0], "b": [np.nan] * 4}))
    h = headline(s, metrics=(("spearman", "all", "rho"),))
    assert h.loc["a", "rho"] == "2.500 (0.645)"
    assert h.loc["b", "rho"] == "n/a"


def test_interval_coverage_and_mcse_calibration():
    # 2,000 small experiments of 10 replicates each, true mean 0.3: the t interval covers it about 95% of the
    # time, and the average MCSE matches the spread of the estimates across experiments
    rng = np.random.default_rng(7)
    values = rng.normal(0.3, 0.2, size=(2000, 10))
    rep = pd.DataFrame({"scenario": "s", "policy": np.repeat([f"e{i}" for i in range(2000)], 10),
                        "replicate": np.tile(np.arange(10), 2000), "metric": "m", "group": "all",
                        "value": values.ravel()})
    s = summarize(rep)
    coverage = ((s.ci_low <= 0.3) & (0.3 <= s.ci_high)).mean()
    assert abs(coverage - 0.95) < 3 * np.sqrt(0.95 * 0.05 / 2000)
    assert s.mcse.pow(2).mean() == pytest.approx(s.estimate.var(ddof=1), rel=0.1)
    assert s.emp_se.mean() == pytest.approx(0.2, rel=0.05)


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 5), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_rank_invariants(k, reps, seed):
    rng = np.random.default_rng(seed)
    vals = {f"p{i}": list(np.round(rng.normal(size=reps), 1)) for i in range(k)}  # rounding makes ties
    r = rank_policies(_rep(vals))
    assert r.p_best.sum() == pytest.approx(1.0)
    assert r.mean_rank.sum() == pytest.approx(k * (k + 1) / 2)
    assert ((r.rank_low >= 1) & (r.rank_high <= k) & (r.rank_low <= r.mean_rank + 1e-12)).all()
    # paired differences are antisymmetric in the reference
    p = paired_differences(_rep(vals), reference="p0").set_index("policy")
    back = paired_differences(_rep(vals), reference="p1").set_index("policy")
    assert p.loc["p1", "difference"] == pytest.approx(-back.loc["p0", "difference"])
