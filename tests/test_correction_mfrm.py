"""mfrm: equals logistic-regression ML on dichotomous data; recovers planted severities; FACETS tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from asnsim.correction import correct, mfrm
from asnsim.correction.mfrm import category_probs, separation
from asnsim.errors import DesignError, InputError


def _rasch(rng, ne=200, nr=20, ni=4, per=6, tau=(-1.2, 0.0, 1.2), sd_sev=0.6, bias=None):
    """Each ratee rated by ``per`` random raters on ``ni`` items; categories 1..len(tau)+1."""
    B = rng.normal(0, 1.0, ne)
    sev = rng.normal(0, sd_sev, nr)
    D = np.linspace(-0.5, 0.5, ni)
    pairs = pd.DataFrame({"ratee_id": np.repeat(np.arange(ne), per),
                          "rater_id": np.concatenate([rng.choice(nr, per, replace=False) for _ in range(ne)])})
    df = pairs.loc[pairs.index.repeat(ni)].reset_index(drop=True)
    df["item"] = np.tile(np.arange(ni), len(pairs))
    df["group"] = np.where(df["ratee_id"] % 2 == 0, "A", "B")
    eta = B[df["ratee_id"]] - sev[df["rater_id"]] - D[df["item"]]
    if bias is not None:
        eta = eta + np.where((df["rater_id"] == 0) & (df["group"] == "A"), bias, 0.0)
    t = np.atleast_2d(np.asarray(tau, float))
    p = category_probs(np.asarray(eta, float), t, np.zeros(len(df), np.int64))
    df["score"] = 1 + (rng.random(len(df))[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    return df, sev


def test_dichotomous_equals_logistic_regression_ml():
    rng = np.random.default_rng(5)
    df, _ = _rasch(rng, ne=50, nr=6, ni=4, per=4, tau=(0.0,))
    df["score"] -= 1
    res = mfrm(df, item="item", bias_correction=None, tol=1e-12)
    ne, nr, ni = 50, 6, 4
    e, r, i = df["ratee_id"].to_numpy(), df["rater_id"].to_numpy(), df["item"].to_numpy()
    X = np.column_stack([(e == k).astype(float) for k in range(ne)]
                        + [-(r == k).astype(float) for k in range(1, nr)]
                        + [-(i == k).astype(float) for k in range(1, ni)])
    fit = sm.Logit(df["score"].to_numpy(), X).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    b_ref, c_ref, d_ref = fit.params[:ne], np.r_[0, fit.params[ne:ne + nr - 1]], np.r_[0, fit.params[ne + nr - 1:]]
    B = res.tables["ratees"]["measure"].to_numpy()
    Cs = res.tables["raters"]["measure"].to_numpy()
    D = res.tables["items"]["measure"].to_numpy()
    # same parameters up to the identification constants (mfrm centres raters and items)
    np.testing.assert_allclose(Cs - Cs[0], c_ref, atol=1e-6)
    np.testing.assert_allclose(D - D[0], d_ref, atol=1e-6)
    np.testing.assert_allclose(B - Cs[0] - D[0], b_ref, atol=1e-6)
    # model SEs equal the inverse-information SEs only up to the other facets' uncertainty; just be finite
    assert np.isfinite(res.tables["ratees"]["se"]).all()


def test_planted_severities_recovered_and_fit_near_one():
    # 400 ratees x 6 of 20 raters x 4 items = 9,600 ratings; 4 categories
    df, sev = _rasch(np.random.default_rng(1), ne=400)
    res = mfrm(df, item="item", group="group")
    raters = res.tables["raters"]
    assert np.corrcoef(raters["measure"], sev[raters["element"]])[0, 1] >= 0.95
    assert res.rater_effects["effect"].to_numpy() == pytest.approx(-raters["measure"].to_numpy())
    assert 0.9 < raters["infit_mnsq"].mean() < 1.1 and 0.9 < raters["outfit_mnsq"].mean() < 1.1
    cats = res.tables["categories"]
    assert cats["ordered"].all() and cats["count"].sum() == len(df)
    thr = cats["threshold"].to_numpy()[1:] / res.info["factor"]
    np.testing.assert_allclose(thr, [-1.2, 0.0, 1.2], atol=0.15)
    # fair average: increasing in ability, within the scale
    rt = res.tables["ratees"].sort_values("measure")
    assert rt["fair_average"].is_monotonic_increasing and rt["fair_average"].between(1, 4).all()


def test_bias_table_flags_planted_interaction():
    df, _ = _rasch(np.random.default_rng(2), ne=400, bias=1.5)
    res = mfrm(df, item="item", group="group")
    b = res.tables["bias"].set_index(["rater_id", "group"])
    assert b.loc[(0, "A"), "flag"] and b.loc[(0, "A"), "t"] > 2
    assert b.loc[(0, "A"), "bias"] == pytest.approx(0.75, abs=0.35)   # split between the two cells
    assert b["flag"].mean() < 0.2


def test_partial_credit_runs_and_centres_items():
    df, _ = _rasch(np.random.default_rng(3), ne=200)
    res = mfrm(df, item="item", model="pcm")
    assert res.info["converged"]
    assert res.tables["items"]["measure"].mean() == pytest.approx(0.0, abs=1e-9)


def test_separation_hand_worked():
    s = separation(np.array([-1.0, 0.0, 1.0]), np.array([0.5, 0.5, 0.5]))
    # observed var 1.0, error var 0.25, true var 0.75: G = sqrt(3), R = 0.75
    assert s["separation"] == pytest.approx(np.sqrt(3))
    assert s["reliability"] == pytest.approx(0.75)
    assert s["strata"] == pytest.approx((4 * np.sqrt(3) + 1) / 3)


def test_disconnected_design_names_subsets():
    df = pd.DataFrame({"ratee_id": [1, 1, 2, 2, 3, 3, 4, 4], "rater_id": ["a", "b"] * 2 + ["c", "d"] * 2,
                       "score": [1, 2, 2, 3, 1, 3, 2, 2]})
    with pytest.raises(DesignError, match=r"2 subsets.*subset 1: 2 ratees, 2 raters \(a, b\)"):
        mfrm(df)


def test_input_errors():
    df, _ = _rasch(np.random.default_rng(4), ne=30, nr=5, per=3)
    bad = df.assign(score=df["score"].astype(float))
    bad.loc[5, "score"] = 2.5
    with pytest.raises(InputError, match="row 6: column 'score'"):
        mfrm(bad)
    gap = df.copy()
    gap.loc[gap["score"] == 2, "score"] = 1
    res = mfrm(gap)          # as FACETS without 'Keep': the unused score is left out, categories renumbered
    assert res.tables["categories"]["category"].tolist() == [1, 3, 4]
    assert any("never used (2)" in m for m in res.messages)
    pcm = df.copy()
    pcm.loc[(pcm["score"] == 2) & (pcm["item"] == 0), "score"] = 1
    with pytest.raises(DesignError, match="score 2 is never used for item 0"):
        mfrm(pcm, item="item", model="pcm")


def test_correct_removes_severity_on_score_scale():
    df, sev = _rasch(np.random.default_rng(6), ne=300)
    out = correct(df, "mfrm", item="item")
    shift = (out["score_adjusted"] - out["score"]).groupby(out["rater_id"]).mean()
    # severe raters' ratings are raised, lenient raters' lowered
    assert np.corrcoef(shift.to_numpy(), sev[shift.index])[0, 1] > 0.9


def test_joint_newton_solves_the_likelihood_equations_in_few_iterations():
    # thresholds are estimated jointly with the measures: quadratic convergence, and at the estimate the
    # score residuals of every rater, item and threshold vanish
    df, _ = _rasch(np.random.default_rng(1), ne=400)
    res = mfrm(df, item="item", bias_correction=None)
    assert res.info["converged"] and res.info["iterations"] <= 10
    t = {f: res.tables[f].set_index("element")["measure"] for f in ("ratees", "raters", "items")}
    tau = res.tables["categories"]["threshold"].to_numpy()[1:]
    eta = (t["ratees"].loc[df["ratee_id"]].to_numpy() - t["raters"].loc[df["rater_id"]].to_numpy()
           - t["items"].loc[df["item"]].to_numpy())
    p = category_probs(eta, tau[None, :], np.zeros(len(df), np.int64))
    x = df["score"].to_numpy() - 1
    resid = x - p @ np.arange(4)
    for col in ("ratee_id", "rater_id", "item"):
        assert np.abs(pd.Series(resid).groupby(df[col].to_numpy()).sum()).max() < 1e-6
    ge = np.cumsum(p[:, ::-1], axis=1)[:, ::-1][:, 1:]
    assert np.abs((ge - (x[:, None] >= np.arange(1, 4))).sum(axis=0)).max() < 1e-6


@pytest.mark.parametrize("model", ["rsm", "pcm"])
def test_conjugate_gradient_path_equals_dense_solve(monkeypatch, model):
    import importlib

    mod = importlib.import_module("asnsim.correction._mfrm_fit")
    df, _ = _rasch(np.random.default_rng(7), ne=300)
    dense = mfrm(df, item="item", model=model, group="group")
    monkeypatch.setattr(mod, "_DENSE_MAX", 0)
    cg = mfrm(df, item="item", model=model, group="group")
    for name in ("ratees", "raters", "items", "categories", "bias"):
        a, b = dense.tables[name].select_dtypes("number"), cg.tables[name].select_dtypes("number")
        np.testing.assert_allclose(b.to_numpy(float), a.to_numpy(float), atol=1e-8, rtol=0)


def _separated_groups(rng):
    """Two units, crossed inside; unit A's raters give unit B's ratees only 3s and B's raters give A's only 1s:
    B's measures can shift together to +infinity and the likelihood only rises (no finite maximum)."""
    rows = []
    for unit, raters, ratees in (("A", range(0, 6), range(0, 40)), ("B", range(6, 12), range(40, 80))):
        for e in ratees:
            for r in rng.choice(list(raters), 3, replace=False):
                for i in range(3):
                    rows.append((e, r, i, int(rng.integers(1, 4))))
    for e in range(40, 80, 4):
        rows += [(e, 0, i, 3) for i in range(3)]
    for e in range(0, 40, 4):
        rows += [(e, 6, i, 1) for i in range(3)]
    return pd.DataFrame(rows, columns=["ratee_id", "rater_id", "item", "score"])


def test_separated_group_gets_finite_flagged_measures_not_a_traceback():
    import warnings

    from asnsim.correction import analyze
    from asnsim.errors import AsnsimWarning

    df = _separated_groups(np.random.default_rng(3))
    res = mfrm(df, item="item")
    assert res.info["ridge"] > 0 and res.info["converged"]
    for name in ("ratees", "raters"):
        t = res.tables[name]
        assert np.isfinite(t["measure"]).all() and t["separated"].any()
    assert any("no finite maximum" in m for m in res.messages)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analyze(df, "mfrm", item="item")
    assert any(issubclass(w.category, AsnsimWarning) and "no finite maximum" in str(w.message) for w in caught)


def test_iteration_cap_and_non_finite_step_are_reported(monkeypatch):
    import importlib

    df, _ = _rasch(np.random.default_rng(2), ne=100)
    res = mfrm(df, item="item", max_iter=2)
    assert not res.info["converged"] and res.info["iterations"] == 2
    assert any("stopped after 2 iterations" in m for m in res.messages)
    fit_mod = importlib.import_module("asnsim.correction._mfrm_fit")
    real = fit_mod._newton_step
    monkeypatch.setattr(fit_mod, "_newton_step", lambda *a: real(*a) * np.nan)
    with pytest.raises(DesignError, match="iteration 1 is not finite; the measures furthest out"):
        mfrm(df, item="item")


def test_subsets_largest_and_each():
    a, _ = _rasch(np.random.default_rng(4), ne=60, nr=8)
    b, _ = _rasch(np.random.default_rng(5), ne=30, nr=6, per=4)
    b = b.assign(ratee_id=b["ratee_id"] + 1000, rater_id=b["rater_id"] + 1000)
    single = pd.DataFrame({"ratee_id": [5000, 5000, 5001], "rater_id": [9000] * 3, "item": [0, 1, 0],
                           "score": [1, 2, 3]})
    df = pd.concat([a, b, single], ignore_index=True)
    with pytest.raises(DesignError, match="3 subsets.*--subsets largest\\|each"):
        mfrm(df, item="item")
    largest = mfrm(df, item="item", subsets="largest")
    sub = largest.tables["subsets"]
    assert sub["analysed"].tolist() == [True, False, False] and sub["n_ratings"].sum() == len(df)
    assert np.isnan(largest.adjusted[len(a):]).all() and np.isfinite(largest.adjusted[:len(a)]).all()
    assert largest.rater_effects["rater_id"].nunique() == df["rater_id"].nunique()   # nothing silently dropped
    each = mfrm(df, item="item", subsets="each")
    assert each.tables["subsets"]["analysed"].tolist() == [True, True, False]
    assert "one rater" in each.tables["subsets"]["note"].iloc[2]
    assert set(each.tables["raters"]["subset"]) == {1, 2}
    alone = mfrm(b.assign(ratee_id=b["ratee_id"] - 1000, rater_id=b["rater_id"] - 1000), item="item")
    mine = each.tables["raters"].query("subset == 2")["measure"].to_numpy()
    np.testing.assert_allclose(mine, alone.tables["raters"]["measure"].to_numpy(), atol=1e-8)


def test_fine_grained_scores_need_cuts():
    df, _ = _rasch(np.random.default_rng(6), ne=120)
    fine = df.assign(score=df["score"] * 25 + np.random.default_rng(7).integers(0, 10, len(df)))
    with pytest.raises(DesignError, match="distinct values .* give cut points"):
        mfrm(fine, item="item")
    res = mfrm(fine, item="item", cuts=[50, 75, 100])
    assert res.tables["categories"]["category"].tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(res.tables["raters"]["measure"],
                               mfrm(df, item="item").tables["raters"]["measure"], atol=1e-8)
