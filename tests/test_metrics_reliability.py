"""Reliability metrics cross-checked against pingouin, krippendorff and statsmodels, and hand-worked."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from asnsim.errors import DesignError
from asnsim.metrics.gtheory import d_study, facets_needed, g_study
from asnsim.metrics.reliability import (category_agreement, icc_forms, icc_oneway, krippendorff_alpha, rwg,
                                        variance_components)

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges
SF = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)
SF_PUBLISHED = {"ICC(1,1)": 0.17, "ICC(A,1)": 0.29, "ICC(C,1)": 0.71,
                "ICC(1,k)": 0.44, "ICC(A,k)": 0.62, "ICC(C,k)": 0.91}

# Krippendorff (2004/2011) canonical example: 4 coders x 12 units, with missing values
KRIPP = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
    [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
])


def long(matrix: np.ndarray, target="ratee_id", rater="rater_id", value="score") -> pd.DataFrame:
    t, r = np.nonzero(np.isfinite(matrix))
    return pd.DataFrame({target: t, rater: r, value: matrix[t, r]})


def pingouin_icc(df: pd.DataFrame) -> pd.DataFrame:
    pg = pytest.importorskip("pingouin")
    with warnings.catch_warnings():
        # pingouin 0.7 calls DataFrame.dropna(inplace=True), deprecated in pandas 3.1: not our code
        warnings.simplefilter("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
        return pg.intraclass_corr(df, targets="ratee_id", raters="rater_id", ratings="score").set_index("Type")


def random_balanced(n=25, k=5, seed=0, rater_sd=0.6):
    rng = np.random.default_rng(seed)
    Y = rng.normal(size=(n, 1)) + rater_sd * rng.normal(size=(1, k)) + rng.normal(size=(n, k))
    return Y


@pytest.mark.parametrize("Y", [SF, random_balanced(), random_balanced(12, 3, seed=4, rater_sd=0.0)],
                         ids=["shrout-fleiss", "random-25x5", "random-12x3"])
def test_icc_forms_equal_pingouin(Y):
    df = long(Y)
    ours = icc_forms(df).set_index("metric")
    ref = pingouin_icc(df)
    for form in ours.index:
        assert ours.at[form, "value"] == pytest.approx(ref.at[form, "ICC"], abs=1e-9)
        assert ours.at[form, "F"] == pytest.approx(ref.at[form, "F"], rel=1e-9)
        assert ours.at[form, "pval"] == pytest.approx(ref.at[form, "pval"], rel=1e-9, abs=1e-300)
        assert ours.at[form, "df2"] == ref.at[form, "df2"]
        lo, hi = ref.at[form, "CI95"]  # pingouin rounds its interval to 2 decimals
        assert round(ours.at[form, "ci_low"], 2) == pytest.approx(lo, abs=0.0100001)
        assert round(ours.at[form, "ci_high"], 2) == pytest.approx(hi, abs=0.0100001)


def test_icc_forms_match_published_shrout_fleiss():
    ours = icc_forms(long(SF)).set_index("metric").value
    for form, published in SF_PUBLISHED.items():
        assert ours[form] == pytest.approx(published, abs=0.005)


def test_icc_forms_refuse_unbalanced_data():
    df = long(SF).iloc[1:]
    with pytest.raises(DesignError, match="every rater_id to rate every ratee_id"):
        icc_forms(df)


def test_icc_oneway_equals_icc11_on_balanced_data_and_handles_unbalanced():
    df = long(SF)
    assert icc_oneway(df, "ratee_id").value.iloc[0] == pytest.approx(
        icc_forms(df).set_index("metric").value["ICC(1,1)"], abs=1e-12)
    # unbalanced hand-worked: targets (1, 3), (2, 2, 5): a=2, N=5, n0 = (5 - 13/5)/1 = 2.4
    # means 2 and 3, grand 2.6: MSB = 2*0.36 + 3*0.16 = 1.2; MSW = (2 + 6)/3 = 8/3
    # ICC = (1.2 - 8/3) / (1.2 + 1.4 * 8/3) = -0.2895
    d = pd.DataFrame({"ratee_id": [0, 0, 1, 1, 1], "score": [1.0, 3.0, 2.0, 2.0, 5.0]})
    expected = (1.2 - 8 / 3) / (1.2 + 1.4 * 8 / 3)
    assert icc_oneway(d, "ratee_id").value.iloc[0] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("level,published", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_krippendorff_alpha_equals_package_and_published(level, published):
    kr = pytest.importorskip("krippendorff")
    df = long(KRIPP.T, target="unit", rater="coder")
    ours = krippendorff_alpha(df, "unit", level=level)
    ref = kr.alpha(reliability_data=KRIPP, level_of_measurement=level)
    assert ours.value.iloc[0] == pytest.approx(ref, abs=1e-12)
    assert ours.value.iloc[0] == pytest.approx(published, abs=0.0005)


def test_krippendorff_alpha_random_data_and_bootstrap():
    kr = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(5)
    truth = rng.normal(size=60)
    data = np.clip(np.round(3 + truth + 0.9 * rng.normal(size=(6, 60))), 1, 5)
    data[rng.random(data.shape) < 0.4] = np.nan
    df = long(data.T, target="unit", rater="coder")
    for level in ("interval", "ordinal"):
        a = krippendorff_alpha(df, "unit", level=level, n_boot=400, rng=np.random.default_rng(1))
        assert a.value.iloc[0] == pytest.approx(kr.alpha(reliability_data=data, level_of_measurement=level),
                                                abs=1e-12)
        assert a.ci_low.iloc[0] < a.value.iloc[0] < a.ci_high.iloc[0]
        again = krippendorff_alpha(df, "unit", level=level, n_boot=400, rng=np.random.default_rng(1))
        assert again.equals(a)  # deterministic given the generator


def test_fleiss_kappa_equals_statsmodels():
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa
    rng = np.random.default_rng(2)
    cats = ["Butuh Perbaikan", "Baik", "Sangat Baik"]
    truth = rng.integers(0, 3, size=40)
    codes = np.clip(truth[:, None] + rng.integers(-1, 2, size=(40, 4)) * (rng.random((40, 4)) < 0.4), 0, 2)
    df = pd.DataFrame({"ratee_id": np.repeat(np.arange(40), 4), "rater_id": np.tile(np.arange(4), 40),
                       "predikat": np.array(cats, dtype=object)[codes.ravel()]})
    ours = category_agreement(df).set_index("metric").value
    table, _ = aggregate_raters(codes)
    assert ours["fleiss_kappa"] == pytest.approx(fleiss_kappa(table, method="fleiss"), abs=1e-12)


def test_kappa_paradox_hand_worked():
    # three ratees, two raters each: (Baik, Baik), (Baik, Baik), (Baik, Sangat Baik)
    # p_a = (1 + 1 + 0)/3 = 2/3; pi_Baik = 5/6, pi_SB = 1/6
    # Fleiss: p_e = 25/36 + 1/36 = 26/36 -> kappa = (2/3 - 26/36)/(10/36) = -0.2
    # AC1 (q = 5 predikat): p_e = 2 * (5/6)(1/6) / 4 = 10/144 -> (2/3 - 10/144)/(134/144) = 86/134
    df = pd.DataFrame({"ratee_id": [1, 1, 2, 2, 3, 3], "rater_id": [1, 2] * 3,
                       "predikat": ["Baik", "Baik", "Baik", "Baik", "Baik", "Sangat Baik"]})
    ours = category_agreement(df).set_index("metric").value
    assert ours["fleiss_kappa"] == pytest.approx(-0.2, abs=1e-12)
    assert ours["gwet_ac1"] == pytest.approx(86 / 134, abs=1e-12)
    boot = category_agreement(df, n_boot=200, rng=3)
    assert boot.value.equals(category_agreement(df).value)


def test_rwg_hand_worked():
    # 3-point scale: s2_EU = (9 - 1)/12 = 2/3
    # ratee 1: 2, 3, 3 -> var 1/3 -> rwg 0.5; ratee 2: 3, 3, 3 -> 1; ratee 3: 1, 3 -> var 2 > 2/3 -> 0
    df = pd.DataFrame({"ratee_id": [1, 1, 1, 2, 2, 2, 3, 3], "score": [2, 3, 3, 3, 3, 3, 1, 3]})
    out = rwg(df, n_categories=3).set_index("metric").value
    assert out["rwg_mean"] == pytest.approx(0.5)
    assert out["rwg_median"] == pytest.approx(0.5)
    assert out["rwg_share_070"] == pytest.approx(1 / 3)
    # rwg(J), two items for one ratee with variances 1/3 and 0: mean 1/6, x = 1 - (1/6)/(2/3) = 0.75
    # rwg(J) = 2 * 0.75 / (2 * 0.75 + 0.25) = 6/7
    df2 = pd.DataFrame({"ratee_id": [1] * 6, "item": ["a"] * 3 + ["b"] * 3, "score": [2, 3, 3, 2, 2, 2]})
    assert rwg(df2, items="item").value.iloc[0] == pytest.approx(6 / 7)


def test_variance_components_equal_anova_icc_on_balanced_data():
    df = long(random_balanced(20, 4, seed=7))
    vc = variance_components(df, method="mixedlm").set_index("metric").value
    forms = icc_forms(df).set_index("metric").value
    assert vc["icc_vc_agreement"] == pytest.approx(forms["ICC(A,1)"], abs=1e-4)
    assert vc["icc_vc_consistency"] == pytest.approx(forms["ICC(C,1)"], abs=1e-4)


def test_variance_components_recover_planted_rater_variance():
    # 60 ratees, each rated by 3 of 15 raters (unbalanced, connected): s2_p = 1, s2_r = 0.5, s2_e = 0.25
    rng = np.random.default_rng(11)
    n, R = 120, 15
    u, v = rng.normal(size=n), rng.normal(scale=np.sqrt(0.5), size=R)
    raters = np.array([rng.choice(R, size=3, replace=False) for _ in range(n)])
    ratee = np.repeat(np.arange(n), 3)
    y = u[ratee] + v[raters.ravel()] + rng.normal(scale=0.5, size=3 * n)
    vc = variance_components(pd.DataFrame({"ratee_id": ratee, "rater_id": raters.ravel(), "score": y}),
                             method="mixedlm").set_index("metric").value
    assert vc["var_ratee"] == pytest.approx(1.0, abs=0.35)
    assert vc["var_rater"] == pytest.approx(0.5, abs=0.35)
    assert vc["var_residual"] == pytest.approx(0.25, abs=0.08)


def test_g_study_p_x_r_equals_icc_k_forms():
    df = long(SF)
    g = g_study(df).set_index("metric")
    ref = pingouin_icc(df).ICC
    assert g.value["g_coefficient"] == pytest.approx(ref["ICC(C,k)"], abs=1e-12)
    assert g.value["phi_coefficient"] == pytest.approx(ref["ICC(A,k)"], abs=1e-12)
    # D-study at one rater gives the single-rater forms; Spearman-Brown for 8 raters
    d = d_study(g_study(df), {"rater_id": [1, 8]}).set_index(["metric", "group"]).value
    assert d["g_coefficient", "rater_id=1"] == pytest.approx(ref["ICC(C,1)"], abs=1e-12)
    assert d["phi_coefficient", "rater_id=1"] == pytest.approx(ref["ICC(A,1)"], abs=1e-12)
    r1 = ref["ICC(C,1)"]
    assert d["g_coefficient", "rater_id=8"] == pytest.approx(8 * r1 / (1 + 7 * r1), abs=1e-12)


def test_g_study_p_x_r_x_i_matches_statsmodels_anova():
    sm = pytest.importorskip("statsmodels.formula.api")
    from statsmodels.stats.anova import anova_lm
    rng = np.random.default_rng(3)
    P, R, I = 12, 3, 4
    p, r, i = np.meshgrid(np.arange(P), np.arange(R), np.arange(I), indexing="ij")
    y = (rng.normal(size=P)[p] + 0.4 * rng.normal(size=R)[r] + 0.3 * rng.normal(size=I)[i]
         + 0.5 * rng.normal(size=(P, R))[p, r] + 0.5 * rng.normal(size=(P, I))[p, i] + rng.normal(size=p.shape))
    df = pd.DataFrame({"ratee_id": p.ravel(), "rater_id": r.ravel(), "item": i.ravel(), "score": y.ravel()})
    aov = anova_lm(sm.ols("score ~ C(ratee_id) * C(rater_id) + C(ratee_id) * C(item) + C(rater_id) * C(item)",
                          data=df).fit(), typ=1)
    ms = (aov["sum_sq"] / aov["df"]).to_dict()
    m = {"p": ms["C(ratee_id)"], "r": ms["C(rater_id)"], "i": ms["C(item)"],
         "pr": ms["C(ratee_id):C(rater_id)"], "pi": ms["C(ratee_id):C(item)"],
         "ri": ms["C(rater_id):C(item)"], "e": ms["Residual"]}
    # Brennan (2001) expected mean squares of the p x r x i random design
    e = m["e"]
    pr, pi_, ri = (m["pr"] - e) / I, (m["pi"] - e) / R, (m["ri"] - e) / P
    vp = (m["p"] - e - I * pr - R * pi_) / (R * I)
    vr = (m["r"] - e - I * pr - P * ri) / (P * I)
    vi = (m["i"] - e - R * pi_ - P * ri) / (P * R)
    expected = {"ratee_id": vp, "rater_id": vr, "item": vi, "ratee_id x rater_id": pr,
                "ratee_id x item": pi_, "rater_id x item": ri, "ratee_id x rater_id x item,e": e}
    g = g_study(df, facets=("rater_id", "item"))
    comps = g[g.metric == "variance_component"].set_index("group").value
    for label, value in expected.items():
        assert comps[label] == pytest.approx(max(value, 0.0), abs=1e-10)
    G = vp / (vp + pr / R + pi_ / I + e / (R * I))
    assert g.set_index("metric").value["g_coefficient"] == pytest.approx(G, abs=1e-10)


def test_facets_needed_hand_worked():
    comps = {"ratee_id": 0.5, "rater_id": 0.1, "ratee_id x rater_id,e": 0.4}
    # G(n) = 0.5 / (0.5 + 0.4/n) >= 0.8  <=>  n >= 4
    # Phi(n) = 0.5 / (0.5 + 0.5/n) >= 0.85  <=>  n >= 0.85/0.15 = 5.67, so 6
    assert facets_needed(comps, "rater_id", 0.8).value.iloc[0] == 4
    assert facets_needed(comps, "rater_id", 0.85, coefficient="phi").value.iloc[0] == 6
    # a residual from another facet that more raters cannot remove: unreachable
    comps2 = {"ratee_id": 0.5, "ratee_id x item": 2.0, "ratee_id x rater_id x item,e": 0.1}
    assert np.isnan(facets_needed(comps2, "rater_id", 0.8, fixed={"item": 1}, max_n=50).value.iloc[0])
    assert facets_needed(comps2, "item", 0.8, fixed={"rater_id": 1}).value.iloc[0] == 17


def test_variance_components_sparse_crossed_agrees_with_mixedlm():
    pytest.importorskip("asnsim.correction.crossed")
    rng = np.random.default_rng(21)
    n, R = 80, 12
    raters = np.array([rng.choice(R, size=2, replace=False) for _ in range(n)])
    ratee = np.repeat(np.arange(n), 2)
    y = rng.normal(size=n)[ratee] + 0.6 * rng.normal(size=R)[raters.ravel()] + 0.5 * rng.normal(size=2 * n)
    df = pd.DataFrame({"ratee_id": ratee, "rater_id": raters.ravel(), "score": y})
    a = variance_components(df, method="crossed").set_index("metric").value
    b = variance_components(df, method="mixedlm").set_index("metric").value
    for name in ("var_ratee", "var_rater", "var_residual", "icc_vc_agreement"):
        assert a[name] == pytest.approx(b[name], rel=2e-3, abs=2e-4)
