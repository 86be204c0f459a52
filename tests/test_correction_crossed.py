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


def test_satterthwaite_df_of_the_mean_equals_the_anova_formula_on_a_balanced_design():
    """Balanced ratee x rater grid: Var(grand mean) = (MS_e + MS_r - MS_err) / (ne nr), and Satterthwaite's df is
    (MS_e + MS_r - MS_err)^2 / (MS_e^2/df_e + MS_r^2/df_r + MS_err^2/df_err) when the REML estimates are the
    ANOVA ones (Satterthwaite 1946; the formula lmerTest's computation reduces to)."""
    from asnsim.correction.reml import CrossedREML
    from asnsim.correction.satterthwaite import fixed_effects_table

    rng = np.random.default_rng(3)
    ne, nr = 30, 6
    e, r = np.meshgrid(np.arange(ne), np.arange(nr), indexing="ij")
    y = 2 + rng.normal(0, 1.0, ne)[e] + rng.normal(0, 0.6, nr)[r] + rng.normal(0, 0.5, (ne, nr))
    fit = CrossedREML(y.ravel(), np.ones((ne * nr, 1)), e.ravel(), r.ravel()).fit()
    row = fixed_effects_table(fit, ["(Intercept)"]).iloc[0]
    gm = y.mean()
    ms_e = nr * ((y.mean(1) - gm) ** 2).sum() / (ne - 1)
    ms_r = ne * ((y.mean(0) - gm) ** 2).sum() / (nr - 1)
    ms_err = ((y - y.mean(1, keepdims=True) - y.mean(0, keepdims=True) + gm) ** 2).sum() / ((ne - 1) * (nr - 1))
    comb = ms_e + ms_r - ms_err
    assert row["se"] == pytest.approx(np.sqrt(comb / (ne * nr)), rel=1e-5)
    want_df = comb ** 2 / (ms_e ** 2 / (ne - 1) + ms_r ** 2 / (nr - 1) + ms_err ** 2 / ((ne - 1) * (nr - 1)))
    assert row["df"] == pytest.approx(want_df, rel=1e-3)


def test_formula_covariates_and_their_errors():
    df = crossed_ratings(120, np.random.default_rng(8))
    rng = np.random.default_rng(9)
    df["same_sex"] = rng.integers(0, 2, len(df))
    df["unit_type"] = rng.choice(["dinas", "puskesmas", "sekolah"], len(df))
    df["score"] += 0.3 * df["same_sex"]                 # a planted rater-by-group effect
    res = crossed(df, formula="same_sex + C(unit_type)")
    fe = res.tables["fixed_effects"].set_index("term")
    assert list(fe.index) == ["(Intercept)", "same_sex", "C(unit_type)[T.puskesmas]", "C(unit_type)[T.sekolah]"]
    assert fe.loc["same_sex", "ci_low"] < 0.3 < fe.loc["same_sex", "ci_high"] and fe.loc["same_sex", "p"] < 0.01
    assert res.info["reference_levels"] == {"unit_type": "dinas"}
    text = res.to_markdown()
    assert "Ratings with same_sex one unit higher are" in text and "the interval excludes 0" in text
    with pytest.raises(InputError, match="column 'nope'"):
        crossed(df, formula="same_sex + nope")
    bad = df.copy()
    bad.loc[6, "unit_type"] = None
    with pytest.raises(InputError, match="row 7: column 'unit_type': missing value"):
        crossed(bad, formula="C(unit_type)")
    with pytest.raises(InputError, match="is not a formula"):
        crossed(df, formula="same_sex + (")
    with pytest.raises(DesignError, match="collinear"):
        crossed(df.assign(twice=2 * df["same_sex"]), formula="same_sex + twice")


def test_nested_one_rating_per_ratee_estimates_what_it_can():
    """One atasan per ratee, one rating each: rater variance from between-rater differences; ratee and residual
    variance confounded, so the ratee row is NaN with a note and the residual holds their sum."""
    import warnings

    import statsmodels.api as sm

    from asnsim.correction import analyze
    from asnsim.errors import DesignWarning

    rng = np.random.default_rng(12)
    rater = np.repeat(np.arange(40), 8)
    y = 3 + 0.5 * rng.normal(size=40)[rater] + rng.normal(0, 0.8, len(rater))
    df = pd.DataFrame({"ratee_id": np.arange(len(rater)), "rater_id": rater, "score": y})
    with pytest.warns(DesignWarning, match="ratee and residual variance cannot be told apart"):
        res = analyze(df, "crossed")
    vc = res.variance_components.set_index("component")
    assert np.isnan(vc.loc["ratee", "variance"]) and "not estimable" in vc.loc["ratee", "note"]
    ref = sm.MixedLM(y, np.ones((len(y), 1)), groups=rater).fit(reml=True)
    assert vc.loc["rater", "variance"] == pytest.approx(float(np.asarray(ref.cov_re)[0, 0]), rel=1e-3)
    assert vc.loc["residual", "variance"] == pytest.approx(float(ref.scale), rel=1e-3)
    assert res.ratee_scores["adjusted"].notna().all()
    del warnings
