"""crossed: REML crossed mixed model; cross-checked against statsmodels MixedLM and planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import importlib
from asnsim.correction import correct, crossed, mixedlm
from asnsim.correction.synthetic import crossed_ratings
from asnsim.errors import DesignError, InputError

reml_mod = importlib.import_module("asnsim.correction.reml")


def test_matches_statsmodels_mixedlm_small():
    df = crossed_ratings(60, np.random.default_rng(11), mean_unit=8)
    a = crossed(df)
    b = mixedlm(df)
    np.testing.assert_allclose(a.variance_components["variance"], b.variance_components["variance"], rtol=2e-3)
    r = np.corrcoef(a.rater_effects["effect"], b.rater_effects["effect"])[0, 1]
    assert r > 0.99999
    np.testing.assert_allclose(a.rater_effects["se"], b.rater_effects["se"], rtol=5e-3)
    np.testing.assert_allclose(a.ratee_scores["adjusted"], b.ratee_scores["adjusted"], atol=2e-3)


def test_reml_criterion_is_minimal_and_matches_hand_formula_balanced_one_way():
    # rater variance 0 in truth; balanced ratee x rater grid: the REML optimum has closed-form ANOVA
    # estimates when they are positive: s2 = MS_error, s2_ratee = (MS_ratee - MS_error)/n_raters, etc.
    rng = np.random.default_rng(3)
    ne, nr = 30, 6
    a = rng.normal(0, 1.0, ne)
    b = rng.normal(0, 0.6, nr)
    e, r = np.meshgrid(np.arange(ne), np.arange(nr), indexing="ij")
    y = 2 + a[e] + b[r] + rng.normal(0, 0.5, (ne, nr))
    df = pd.DataFrame({"ratee_id": e.ravel(), "rater_id": r.ravel(), "score": y.ravel()})
    res = crossed(df)
    gm = y.mean()
    ms_e = nr * ((y.mean(1) - gm) ** 2).sum() / (ne - 1)
    ms_r = ne * ((y.mean(0) - gm) ** 2).sum() / (nr - 1)
    resid = y - y.mean(1, keepdims=True) - y.mean(0, keepdims=True) + gm
    ms_err = (resid ** 2).sum() / ((ne - 1) * (nr - 1))
    expected = [(ms_e - ms_err) / nr, (ms_r - ms_err) / ne, ms_err]
    np.testing.assert_allclose(res.variance_components["variance"], expected, rtol=1e-5)


def test_dense_and_sparse_paths_agree(monkeypatch):
    df = crossed_ratings(200, np.random.default_rng(2))
    dense = crossed(df)
    assert dense.info["factorization"].startswith("dense")
    monkeypatch.setattr(reml_mod, "DENSE_MAX", 0)
    monkeypatch.setattr(reml_mod, "DENSE_LIMIT", 0)
    sparse = crossed(df)
    assert sparse.info["factorization"].startswith("sparse")
    np.testing.assert_allclose(dense.variance_components["variance"], sparse.variance_components["variance"],
                               rtol=1e-6)
    np.testing.assert_allclose(dense.rater_effects["se"], sparse.rater_effects["se"], rtol=1e-5)
    np.testing.assert_allclose(dense.ratee_scores["se"], sparse.ratee_scores["se"], rtol=1e-5)


def test_pure_additive_leniency_removed_exactly():
    # score = a_ratee + l_rater (+ 1e-4 noise): the adjusted ratings are a_ratee + constant
    df = crossed_ratings(150, np.random.default_rng(4), sd_noise=1e-4)
    res = crossed(df)
    lj = df.groupby("rater_id")["true_leniency"].first()
    eff = res.rater_effects.set_index("rater_id")["effect"].reindex(lj.index)
    np.testing.assert_allclose(eff - eff.mean(), lj - lj.mean(), atol=2e-3)
    adj = pd.Series(res.adjusted).groupby(df["ratee_id"]).mean()
    ai = df.groupby("ratee_id")["true_ratee"].first()
    np.testing.assert_allclose(adj - adj.mean(), ai - ai.mean(), atol=2e-3)


def test_planted_leniency_recovered():
    # 600 ratees in units of ~40, 8-12 raters per ratee, 3 items: about 24,000 ratings
    df = crossed_ratings(600, np.random.default_rng(5), mean_unit=40, raters_per_ratee=(8, 12), n_items=3)
    res = crossed(df, fixed=["item"])
    lj = df.groupby("rater_id")["true_leniency"].first()
    eff = res.rater_effects.set_index("rater_id")["effect"].reindex(lj.index)
    assert np.corrcoef(eff, lj)[0, 1] >= 0.95
    vc = res.variance_components.set_index("component")["variance"]
    assert vc["rater"] == pytest.approx(0.25, rel=0.25)
    assert vc["residual"] == pytest.approx(0.49, rel=0.05)


def test_correct_by_component_keeps_rows():
    df = crossed_ratings(80, np.random.default_rng(6), n_items=2)
    df["component"] = np.where(df["item"] == 0, "a", "b")
    out = correct(df, "crossed", by="component")
    assert len(out) == len(df) and out["score_adjusted"].notna().all()
    assert not np.allclose(out["score_adjusted"], out["score"])


def test_errors():
    df = crossed_ratings(30, np.random.default_rng(7))
    with pytest.raises(InputError, match="column 'nope'"):
        crossed(df, score="nope")
    bad = df.copy()
    bad.loc[3, "score"] = np.nan
    with pytest.raises(InputError, match="row 4: column 'score'"):
        crossed(bad)
    one = df.assign(rater_id=1)
    with pytest.raises(DesignError, match="only 1 rater"):
        crossed(one)
