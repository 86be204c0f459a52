"""``asnsim decompose`` and ``asnsim sensitivity`` end to end (small sizes), and their refusals."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from asnsim.cli import main

A, B = "permenpan-6-2022", "gayungan"
SMALL = ["--n", "100", "--reps", "2", "--seed", "3", "--quiet"]


@pytest.fixture(scope="module")
def decomposed(tmp_path_factory):
    out = tmp_path_factory.mktemp("dec") / "d"
    rc = main(["decompose", "--from", A, "--to", B, "--provision", "feedback=feedback", "--outcomes",
               "spearman,true_performance_gain,rater_hours", "--out", str(out), *SMALL])
    assert rc == 0
    return out


def test_decompose_writes_every_file_and_the_provisions_add_up(decomposed):
    names = sorted(p.name for p in decomposed.iterdir() if not p.name.startswith("."))
    assert names == ["hybrids.csv", "manifest.json", "provisions.csv", "report.html", "shapley.csv",
                     "waterfall_rater_hours.png", "waterfall_spearman.png", "waterfall_true_performance_gain.png"]
    shap = pd.read_csv(decomposed / "shapley.csv")
    assert list(shap.columns[:7]) == ["provision", "metric", "group", "estimate", "mcse", "ci_low", "ci_high"]
    assert list(dict.fromkeys(shap.provision)) == ["feedback", "other", "total"]
    for metric, rows in shap.groupby("metric"):
        parts = rows[rows.provision != "total"].estimate.sum()
        assert parts == pytest.approx(rows[rows.provision == "total"].estimate.iloc[0], abs=1e-12)
    gain = shap[(shap.metric == "true_performance_gain")].set_index("provision").estimate
    assert gain["feedback"] > 0.01 and abs(gain["other"]) < 1e-12  # Gayungan's feedback and training raise true
    # performance; nothing else does
    hours = shap[(shap.metric == "rater_hours")].set_index("provision").estimate
    assert hours["feedback"] == 0 and hours["other"] < 0  # fewer rated items: less rater time
    hyb = pd.read_csv(decomposed / "hybrids.csv")
    assert len(hyb) == 4 * 3 and set(hyb.status) == {"evaluated"}
    assert pd.read_csv(decomposed / "provisions.csv")["keys"].tolist() == ["feedback", "components, rating, burden"]
    manifest = json.loads((decomposed / "manifest.json").read_text())
    assert manifest["settings"]["method"] == "exact" and manifest["additivity_gap"] < 1e-12


def test_decompose_start_and_end_are_what_compare_measures(decomposed, tmp_path):
    # common random numbers: the empty and the full hybrid are A and B exactly as compare simulates them
    out = tmp_path / "cmp"
    assert main(["compare", "--policies", f"{A},{B}", "--out", str(out), "--no-report", *SMALL]) == 0
    summary = pd.read_csv(out / "summary.csv").set_index(["policy", "metric"])
    hyb = pd.read_csv(decomposed / "hybrids.csv").set_index(["hybrid", "metric"])
    for policy, hybrid in ((A, A), (B, f"{A}+feedback+other")):
        for metric in ("spearman", "rater_hours"):
            assert hyb.loc[(hybrid, metric), "estimate"] == pytest.approx(summary.loc[(policy, metric), "estimate"],
                                                                         rel=1e-12, abs=1e-15)


def test_decompose_report_answers_first(decomposed):
    html = (decomposed / "report.html").read_text(encoding="utf-8")
    assert re.findall(r"<h2>([^<]+)</h2>", html)[:2] == ["Answers", "Provisions"]
    assert "went from" in html and "through <b>feedback</b>" in html
    assert len(re.findall(r'src="data:image/png;base64,', html)) == 3
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)


def test_decompose_same_seed_same_bytes_on_two_workers(decomposed, tmp_path):
    out = tmp_path / "again"
    assert main(["decompose", "--from", A, "--to", B, "--provision", "feedback=feedback", "--outcomes",
                 "spearman,true_performance_gain,rater_hours", "--out", str(out), "--workers", "2", *SMALL]) == 0
    for name in ("shapley.csv", "hybrids.csv"):
        assert (out / name).read_bytes() == (decomposed / name).read_bytes()


def test_invalid_hybrids_are_reported_and_merged(tmp_path, capsys):
    out = tmp_path / "pp30"
    assert main(["decompose", "--from", "pp-30-2019", "--to", A, "--outcomes", "rater_hours", "--provision",
                 "scoring=regime", "--provision", "bands=predikat", "--out", str(out), "--no-report", "--n", "60",
                 "--reps", "1", "--quiet"]) == 0
    assert "4 of 8 hybrids are not valid policies; decomposed with scoring & bands merged" in capsys.readouterr().out
    hyb = pd.read_csv(out / "hybrids.csv")
    bad = hyb[hyb.status.str.startswith("invalid")]
    assert sorted(bad.hybrid) == ["pp-30-2019+bands", "pp-30-2019+bands+other", "pp-30-2019+scoring",
                                  "pp-30-2019+scoring+other"]
    assert bad.estimate.isna().all()
    assert list(pd.read_csv(out / "shapley.csv").provision) == ["scoring & bands", "other", "total"]


@pytest.mark.parametrize("args, needle", [
    (["--from", "pp-30-2020", "--to", A], "pp-30-2020"),
    (["--from", A, "--to", B, "--provision", "x=components.hasil_kerja.wieght"], "components.hasil_kerja.wieght"),
    (["--from", A, "--to", B, "--provision", "components"], "--provision 'components': expected NAME=KEY"),
    (["--from", A, "--to", B, "--outcomes", "spearmen"], "'spearmen' is not an outcome"),
    (["--from", A, "--to", B, "--orders", "7"], "--orders must be even"),
    (["--from", A, "--to", A], "do not differ"),
    (["--from", A, "--to", B, "--reps", "0"], "--reps"),
])
def test_decompose_bad_input_exits_2_naming_it_before_any_work(tmp_path, capsys, args, needle):
    out = tmp_path / "bad"
    assert main(["decompose", *args, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
    assert not out.exists()


def test_sensitivity_finds_the_planted_behaviour(tmp_path, capsys):
    # favouritism moves the favouritism premium, in-group bias does not; fatigue never acts on teams of 8
    out = tmp_path / "s"
    rc = main(["sensitivity", "--policy", A, "--uncertainty", "rater.favouritism=0:1",
               "--uncertainty", "rater.ingroup_bias=0:0.2", "--uncertainty", "rater.fatigue_threshold=40:60",
               "--outcomes", "favouritism_premium,rater_hours", "--samples", "8", "--n", "100", "--out", str(out),
               "--quiet"])
    assert rc == 0
    sobol = pd.read_csv(out / "sobol.csv")
    assert list(sobol.columns) == ["parameter", "metric", "group", "S1", "S1_conf", "ST", "ST_conf"]
    fav = sobol[sobol.metric == "favouritism_premium"].set_index("parameter")
    assert fav.loc["rater.favouritism", "ST"] > 0.4 and fav.loc["rater.ingroup_bias", "ST"] < 0.05  # N = 8: noisy
    assert (fav.loc["rater.fatigue_threshold", ["S1", "ST"]] == 0).all()   # screened out: exactly 0
    assert sobol[sobol.metric == "rater_hours"][["S1", "ST"]].isna().all().all()  # burden: no variance
    top = pd.read_csv(out / "top.csv")
    assert top.set_index("metric").loc["favouritism_premium", "parameter"] == "rater.favouritism"
    printed = capsys.readouterr().out
    assert "depends most on Favouritism toward close ratees (rater.favouritism)" in printed
    assert "does not vary" in printed
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".png") == ["sobol_favouritism_premium.png"]


@pytest.mark.parametrize("args, needle", [
    (["--uncertainty", "rater.favoritism=0:1"], "rater.favoritism: not a scenario key"),
    (["--uncertainty", "rater.halo_mean=0:2"], "rater.halo_mean=0:2: 2 is not allowed"),
    (["--uncertainty", "components.hasil_kerja.weight=0:1"], "a policy key"),
    (["--uncertainty", "policy.quota.enabled=0:1"], "a policy key"),
    (["--uncertainty", "rater.ingroup_attribute=0:1"], "not a continuous behaviour (it takes a choice)"),
    (["--uncertainty", "rater.peers=2:6"], "not a continuous behaviour"),
    (["--uncertainty", "rater.favouritism=1:0"], "need finite LO < HI"),
    (["--samples", "12"], "--samples must be a power of 2"),
    (["--policy", "serang,serang"], "name each policy once"),
])
def test_sensitivity_bad_input_exits_2_naming_it(tmp_path, capsys, args, needle):
    out = tmp_path / "bad"
    argv = ["sensitivity", "--out", str(out), "--quiet", *args]
    if "--policy" not in args:
        argv += ["--policy", A]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
    assert not out.exists()


def test_sensitivity_comparison_mode_names_each_policys_leading_behaviour(tmp_path, capsys):
    # the same design for both policies; favouritism drives the favouritism premium under each
    out = tmp_path / "cmp"
    rc = main(["sensitivity", "--policy", f"{A},{B}", "--uncertainty", "rater.favouritism=0:1",
               "--uncertainty", "rater.ingroup_bias=0:0.2", "--outcomes", "favouritism_premium", "--samples", "8",
               "--n", "100", "--out", str(out), "--quiet", "--lang", "id"])
    assert rc == 0
    sobol = pd.read_csv(out / "sobol.csv")
    assert list(sobol.columns[:2]) == ["policy", "parameter"] and list(dict.fromkeys(sobol.policy)) == [A, B]
    top = pd.read_csv(out / "top.csv")
    assert list(top.policy) == [A, B] and set(top.parameter) == {"rater.favouritism"}
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".png") == [
        "compare_favouritism_premium.png", f"sobol_{B}_favouritism_premium.png",
        "sobol_permenpan_6_2022_favouritism_premium.png"]
    printed = capsys.readouterr().out
    assert f"{A} " in printed and f"{B} " in printed and "ST 0," in printed  # Indonesian decimal comma
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "lang='id'" in html and len(re.findall(r'src="data:image/png;base64,', html)) == 3


def test_decompose_refuses_a_size_that_would_not_fit_in_memory(tmp_path, capsys, monkeypatch):
    import asnsim.memory

    monkeypatch.setattr(asnsim.memory, "available_memory", lambda: 2**30)
    out = tmp_path / "big"
    assert main(["decompose", "--from", A, "--to", B, "--n", "national", "--workers", "2", "--out", str(out),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "2 simulation(s) of national employees at once needs at least" in err and "1.0 GiB available" in err
    assert not out.exists()


def test_decompose_shows_a_progress_bar(tmp_path, capsys):
    out = tmp_path / "bar"
    assert main(["decompose", "--from", A, "--to", B, "--outcomes", "rater_hours", "--n", "60", "--reps", "1",
                 "--no-report", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{A} -> {B}: 4 provisions" in err and "chunk" in err and "100%" in err


def test_scenario_keys_with_a_prefix_or_a_shared_section_are_accepted():
    from asnsim.scenario import load_scenario
    from asnsim.why.sensitivity import check_uncertainties
    from asnsim.why.sobol import Uncertainty

    [u] = check_uncertainties(load_scenario("default"), [Uncertainty.parse("scenario.rater.halo_mean=0:0.5")])
    assert (u.key, u.low, u.high) == ("rater.halo_mean", 0.0, 0.5)
    # quota is a section of both a policy and a scenario: the scenario's practice is what varies
    [u] = check_uncertainties(load_scenario("default"), [Uncertainty.parse("quota.compliance.share=0:1")])
    assert u.key == "quota.compliance.share"
