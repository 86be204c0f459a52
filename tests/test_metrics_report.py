"""reliability.csv and fairness.csv writers (the asnsim analyze tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.errors import InputError
from asnsim.metrics.report import (FAIRNESS_COLUMNS, RELIABILITY_COLUMNS, employee_scores, fairness_report,
                                   policy_predikat, reliability_report)
from asnsim.metrics.reliability import icc_forms, krippendorff_alpha
from asnsim.policy import load_policy


def balanced_ratings(n=30, k=3, seed=0, leniency=(0.0, 0.8, -0.8)):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=n)
    score = np.clip(np.round(2 + truth[:, None] + np.asarray(leniency)[None, :k] + 0.5 * rng.normal(size=(n, k))),
                    1, 5)
    return pd.DataFrame({"nip_hash": np.repeat(np.arange(n), k), "penilai": np.tile(np.arange(k), n),
                         "nilai": score.ravel()})


def test_reliability_report_rows_before_and_after_correction():
    df = balanced_ratings()
    # a correction that removes each rater's mean offset
    adjusted = df["nilai"] - df.groupby("penilai")["nilai"].transform("mean") + df["nilai"].mean()
    rep = reliability_report(df, "nip_hash", "penilai", "nilai", adjusted=adjusted.to_numpy(),
                             method="standardize", n_boot=200, rng=1)
    assert list(rep.columns) == RELIABILITY_COLUMNS
    given = rep[~rep.metric.str.contains("after")].set_index("metric")
    after = rep[rep.metric.str.endswith("(after standardize)")]
    assert len(given) == len(after) + 4   # the scale rows come once, first
    assert rep.metric.tolist()[:4] == ["scale_min", "scale_max", "scale_points", "scale_observed"]
    forms = icc_forms(df, "nip_hash", "penilai", "nilai").set_index("metric").value
    assert given.value["ICC(A,1)"] == pytest.approx(forms["ICC(A,1)"])
    alpha = krippendorff_alpha(df, "nip_hash", "nilai", "ordinal").value.iloc[0]
    assert given.value["krippendorff_alpha_ordinal"] == pytest.approx(alpha)
    assert given.value["n_raters"] == 3 and given.value["raters_per_ratee"] == 3
    a = after.set_index("metric").value
    # removing rater means leaves consistency unchanged and raises absolute agreement
    assert a["ICC(C,1) (after standardize)"] == pytest.approx(forms["ICC(C,1)"], abs=1e-9)
    assert a["ICC(A,1) (after standardize)"] > forms["ICC(A,1)"] + 0.05
    assert a["var_rater (after standardize)"] == pytest.approx(0.0, abs=1e-6)
    # categorical agreement applies to the 1-5 ratings, not to the continuous corrected scores
    assert np.isfinite(given.value["gwet_ac1"]) and np.isfinite(given.value["rwg_mean"])
    assert np.isnan(a["gwet_ac1 (after standardize)"])


def test_reliability_report_unbalanced_has_nan_shrout_fleiss_rows_and_errors():
    df = balanced_ratings().iloc[2:]
    rep = reliability_report(df, "nip_hash", "penilai", "nilai", n_boot=0).set_index("metric").value
    assert np.isnan(rep["ICC(C,1)"]) and np.isfinite(rep["icc1"]) and np.isfinite(rep["var_ratee"])
    with pytest.raises(InputError, match="column 'nilai_akhir'"):
        reliability_report(df, "nip_hash", "penilai", "nilai_akhir")


def test_fairness_report_literal_and_written(tmp_path):
    emp = pd.DataFrame({C.EMPLOYEE_ID: range(8), C.SEX: list("FFFFMMMM"),
                        C.PREDIKAT: ["Sangat Baik", "Baik", "Baik", "Baik",
                                     "Sangat Baik", "Sangat Baik", "Baik", "Butuh Perbaikan"]})
    scores = pd.DataFrame({C.EMPLOYEE_ID: range(8), C.FINAL_SCORE: [90, 80, 80, 70, 95, 90, 75, 50],
                           C.PREDIKAT: emp[C.PREDIKAT]})
    tab = fairness_report(scores, emp, [C.SEX], n_boot=100, rng=0)
    assert list(tab.columns) == FAIRNESS_COLUMNS
    rows = tab.set_index("group")
    assert rows.at["F", "n"] == 4 and rows.at["F", "mean_score"] == 80.0 and rows.at["M", "mean_score"] == 77.5
    assert rows.at["F", "share_sangat_baik"] == 0.25 and rows.at["M", "share_sangat_baik"] == 0.5
    assert rows.at["difference", "share_sangat_baik"] == 0.25
    assert rows.at["ratio", "share_sangat_baik"] == 0.5
    assert rows.at["four_fifths_flag", "share_sangat_baik"] == 1.0
    assert rows.at["ratio", "share_at_least_baik"] == 0.75
    assert np.isnan(rows.at["F", "equal_opportunity"])   # no truth in real data
    from asnsim.output import REPORT_FLOAT_FORMAT, write_table
    back = pd.read_csv(write_table(tab, tmp_path, "fairness", float_format=REPORT_FLOAT_FORMAT))
    assert list(back.columns) == FAIRNESS_COLUMNS and len(back) == 5


def test_employee_scores_and_policy_predikat_from_bands():
    ratings = pd.DataFrame({C.RATEE_ID: [1, 1, 2, 2], C.SCORE: [100.0, 120.0, 80.0, 70.0]})
    sc = employee_scores(ratings)
    assert sc[C.FINAL_SCORE].tolist() == [110.0, 75.0]
    emp = pd.DataFrame({C.EMPLOYEE_ID: [1, 2]})
    pol = load_policy("pp-30-2019")
    pred = policy_predikat(pol, ratings, emp, sc.set_index(C.EMPLOYEE_ID)[C.FINAL_SCORE])
    # PP 30/2019: 110 is Sangat Baik only with an innovation, so Baik; 75 is Butuh Perbaikan (70-<90)
    assert pred.tolist() == ["Baik", "Butuh Perbaikan"]
    with pytest.raises(InputError, match="no 'predikat' column"):
        policy_predikat(load_policy("permenpan-6-2022"), ratings, emp, sc.set_index(C.EMPLOYEE_ID)[C.FINAL_SCORE])


def test_analyze_reports_joins_employees_and_derives_predikat():
    from asnsim.metrics.report import analyze_reports
    ratings = pd.DataFrame({"nip": [1, 1, 2, 2, 3, 3, 4, 4], "penilai": [9, 8] * 4,
                            "nilai": [115.0, 113.0, 95.0, 91.0, 80.0, 72.0, 112.0, 118.0]})
    emp = pd.DataFrame({"nip": [1, 2, 3, 4], C.SEX: ["F", "F", "M", "M"], C.INNOVATION: [True, False, False, True]})
    tabs = analyze_reports(ratings, "nip", "penilai", "nilai", employees=emp, groups=[C.SEX],
                           policy=load_policy("pp-30-2019"), n_boot=50, rng=0)
    assert set(tabs) == {"reliability", "fairness"}
    f = tabs["fairness"].set_index("group")
    # means 114 (SB: >= 110 with innovation), 93 (Baik), 76 (BP), 115 (SB): F 1/2 SB, M 1/2 SB
    assert f.at["F", "mean_score"] == pytest.approx(103.5) and f.at["M", "mean_score"] == pytest.approx(95.5)
    assert f.at["F", "share_sangat_baik"] == 0.5 and f.at["M", "share_sangat_baik"] == 0.5
    assert f.at["F", "share_at_least_baik"] == 1.0 and f.at["M", "share_at_least_baik"] == 0.5
    with pytest.raises(InputError, match="no column 'unit'"):
        analyze_reports(ratings, "nip", "penilai", "nilai", employees=emp, groups=["unit"], n_boot=0)
    with pytest.raises(InputError, match="give --policy"):
        analyze_reports(ratings, "nip", "penilai", "nilai", employees=emp, groups=[C.SEX], n_boot=0)


def test_cli_analyze_writes_reliability_and_fairness(tmp_path, capsys):
    from asnsim.cli import main
    rng = np.random.default_rng(3)
    n, R = 40, 6
    raters = np.array([rng.choice(R, size=2, replace=False) for _ in range(n)])
    ratee = np.repeat(np.arange(n), 2)
    y = np.clip(np.round(2 + 0.8 * rng.normal(size=n)[ratee] + 0.5 * rng.normal(size=2 * n)), 1, 3)
    ratings = pd.DataFrame({"nip": [f"P{i:03d}" for i in ratee], "penilai": [f"R{j}" for j in raters.ravel()],
                            "nilai": y})
    ratings.to_csv(tmp_path / "r.csv", index=False)
    pred = np.where(np.arange(n) % 4 == 0, "Sangat Baik", "Baik")
    pd.DataFrame({"employee_id": [f"P{i:03d}" for i in range(n)], "sex": np.where(np.arange(n) % 2, "F", "M"),
                  "predikat": pred}).to_csv(tmp_path / "e.csv", index=False)
    out = tmp_path / "out"
    assert main(["analyze", str(tmp_path / "r.csv"), "--ratee", "nip", "--rater", "penilai", "--score", "nilai",
                 "--method", "standardize", "--employees", str(tmp_path / "e.csv"), "--group", "sex",
                 "--n-boot", "50", "--out", str(out)]) == 0
    rel = pd.read_csv(out / "reliability.csv")
    assert list(rel.columns) == RELIABILITY_COLUMNS
    assert {"icc1", "icc1 (after standardize)", "gwet_ac1"} <= set(rel.metric)
    expected = reliability_report(ratings.assign(nip=ratings.nip.astype(str)), "nip", "penilai", "nilai",
                                  n_boot=0).set_index("metric").value["icc1"]
    assert rel.set_index("metric").value["icc1"] == pytest.approx(expected, rel=1e-5)
    fair = pd.read_csv(out / "fairness.csv").set_index("group")
    assert fair.at["M", "share_sangat_baik"] == pytest.approx(0.5)   # ids 0, 4, ..., 36: 10 of the 20 even (M)
    assert fair.at["F", "share_sangat_baik"] == 0.0
    # --group needs --employees; an unknown group column names the file and column; nothing is written
    assert main(["analyze", str(tmp_path / "r.csv"), "--ratee", "nip", "--rater", "penilai", "--score", "nilai",
                 "--group", "sex", "--out", str(tmp_path / "x")]) == 2
    assert main(["analyze", str(tmp_path / "r.csv"), "--ratee", "nip", "--rater", "penilai", "--score", "nilai",
                 "--employees", str(tmp_path / "e.csv"), "--group", "unit", "--out", str(tmp_path / "y")]) == 2
    err = capsys.readouterr().err
    assert "e.csv: column 'unit'" in err and not (tmp_path / "y").exists()


def test_policy_predikat_from_item_names_when_the_component_column_is_blank():
    """Readers add optional columns as all-missing; the sample export has items but no components."""
    pol = load_policy("permenpan-6-2022")
    hasil, perilaku = pol.components["hasil_kerja"].items, pol.components["perilaku_kerja"].items
    # employee 1: every RHK and behaviour item above expectation (3) -> Sangat Baik;
    # employee 2: every item meets expectation (2) -> Baik (PermenPAN-RB 6/2022 matrix)
    items = list(hasil) + list(perilaku)
    ratings = pd.DataFrame({C.RATEE_ID: [1] * len(items) + [2] * len(items), C.ITEM: items * 2,
                            C.SCORE: [3.0] * len(items) + [2.0] * len(items)})
    emp = pd.DataFrame({C.EMPLOYEE_ID: [1, 2]})
    expected = ["Sangat Baik", "Baik"]
    assert policy_predikat(pol, ratings, emp).tolist() == expected
    blank = ratings.assign(**{C.COMPONENT: pd.Series([pd.NA] * len(ratings), dtype="string")})
    assert policy_predikat(pol, blank, emp).tolist() == expected
    unknown = ratings.assign(**{C.ITEM: ["not_an_item"] + items[1:] + items})
    with pytest.raises(InputError, match="no 'predikat' column"):
        policy_predikat(pol, unknown, emp)


def test_cli_analyze_sample_with_policy_writes_fairness(tmp_path, capsys):
    """The documented example of docs/metrics.md on the bundled sample export."""
    from pathlib import Path
    from asnsim.cli import main
    root = Path(__file__).resolve().parents[1] / "data" / "samples"
    out = tmp_path / "o"
    argv = ["analyze", str(root / "ratings.csv"), "--item", "item", "--method", "crossed",
            "--employees", str(root / "employees.csv"), "--group", "sex", "--group", "unit_type",
            "--policy", "permenpan-6-2022", "--n-boot", "0", "--out", str(out)]
    assert main(argv) == 0
    assert "nested design" in capsys.readouterr().err   # fitted, with the design warning on stderr
    fair = pd.read_csv(out / "fairness.csv")
    assert set(fair["attribute"]) == {"sex", "unit_type"}
    assert fair["share_sangat_baik"].notna().any()
