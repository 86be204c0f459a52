"""standardize, forum, anchor and the correct() dispatcher: hand-worked examples and planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asnsim.correction import anchor, correct, forum, standardize
from asnsim.correction.synthetic import crossed_ratings
from asnsim.errors import InputError

HAND = pd.DataFrame({"ratee_id": [1, 2, 3, 1, 2, 3], "rater_id": ["a"] * 3 + ["b"] * 3,
                     "score": [4.0, 3.0, 2.0, 3.0, 3.0, 3.0]})


def test_center_hand_worked():
    res = standardize(HAND)
    # grand mean 3; rater a mean 3, rater b mean 3: nothing to shift
    assert res.adjusted.tolist() == [4.0, 3.0, 2.0, 3.0, 3.0, 3.0]
    eff = res.rater_effects.set_index("rater_id")
    assert eff.loc["b", "status"] == "no_variance" and eff.loc["a", "status"] == "adjusted"


def test_z_hand_worked():
    df = HAND.assign(score=[4.0, 3.0, 2.0, 5.0, 3.0, 1.0])
    res = standardize(df, scale="z")
    # rater a: sd 1, rater b: sd 2, pooled sd sqrt((1 + 4)/2); grand mean 3
    s = np.sqrt(2.5)
    np.testing.assert_allclose(res.adjusted, [3 + s, 3, 3 - s, 3 + s, 3, 3 - s])


def test_additive_leniency_removed_exactly():
    df = crossed_ratings(200, np.random.default_rng(1))
    base = standardize(df).adjusted
    # any per-rater additive shift changes the adjusted scores by one common constant only
    shifted = df.assign(score=df["score"] + 2.0 * df["true_leniency"] + 0.3)
    moved = standardize(shifted).adjusted
    np.testing.assert_allclose(moved - moved.mean(), base - base.mean(), atol=1e-12)
    # and removing the planted leniency first gives the same result
    clean = standardize(df.assign(score=df["score"] - df["true_leniency"])).adjusted
    np.testing.assert_allclose(clean - clean.mean(), base - base.mean(), atol=1e-12)


def test_rater_with_one_ratee_left_unadjusted():
    df = pd.concat([HAND, pd.DataFrame({"ratee_id": [4, 4], "rater_id": ["c", "c"], "score": [1.0, 2.0]})])
    res = standardize(df.reset_index(drop=True))
    c = res.rater_effects.set_index("rater_id").loc["c"]
    assert c["status"] == "too_few_ratees" and c["applied_shift"] == 0.0
    assert res.adjusted[-2:].tolist() == [1.0, 2.0]


def test_forum_and_anchor_hand_worked():
    df = pd.DataFrame({"ratee_id": [1, 2, 3, 4], "rater_id": ["a", "a", "b", "b"], "score": [4.0, 4.0, 2.0, 2.0]})
    assert forum(df, weight=0.5).adjusted.tolist() == [3.5, 3.5, 2.5, 2.5]
    assert forum(df, weight=1.0).adjusted.tolist() == [3.0, 3.0, 3.0, 3.0]
    df2 = df.assign(score=[2.0, 3.0, 3.0, 4.0])
    obj = pd.Series([1.0, 2.0, 1.0, 2.0], index=[1, 2, 3, 4])
    res = anchor(df2, obj)
    # score = 1.5 + capaian, rater a 0.5 below, rater b 0.5 above the objective record
    np.testing.assert_allclose(res.adjusted, [2.5, 3.5, 2.5, 3.5])
    np.testing.assert_allclose(res.rater_effects["effect"], [-0.5, 0.5])
    with pytest.raises(InputError, match="no objective indicator for ratee 4"):
        anchor(df2, obj.drop(4))


def test_correct_none_and_unknown():
    out = correct(HAND, "none")
    assert (out["score_adjusted"] == out["score"]).all()
    with pytest.raises(ValueError, match="unknown correction method"):
        correct(HAND, "magic")


def test_pipeline_applies_policy_correction():
    from asnsim.pipeline import simulate
    from asnsim.policy import load_policy

    pol = load_policy("permenpan-6-2022")
    corrected = pol.model_copy(update={"correction": pol.correction.model_copy(update={"method": "standardize"})})
    sim = simulate(corrected, n=150, seed=2)
    assert "score_raw" in sim.ratings.columns
    assert not np.allclose(sim.ratings["score"], sim.ratings["score_raw"])
    plain = simulate(pol, n=150, seed=2)
    assert "score_raw" not in plain.ratings.columns


def test_pipeline_mfrm_on_nested_design_is_a_policy_error():
    from asnsim.errors import PolicyError
    from asnsim.pipeline import simulate
    from asnsim.policy import load_policy

    pol = load_policy("permenpan-6-2022")
    mfrm_pol = pol.model_copy(update={"correction": pol.correction.model_copy(update={"method": "mfrm"})})
    with pytest.raises(PolicyError, match="correction.method: 'mfrm' cannot be applied.*disconnected"):
        simulate(mfrm_pol, n=120, seed=2)
