"""``asnsim compare`` and ``asnsim demo`` end to end (small sizes)."""

from __future__ import annotations

import base64
import json
import re

import pandas as pd
import pytest

from asnsim.cli import main

BASE = "permenpan-6-2022"


def test_compare_writes_every_file(tmp_path, capsys):
    out = tmp_path / "cmp"
    rc = main(["compare", "--policies", BASE, "--scenario", "neutral", "--sweep", "rater.favouritism=0,0.5",
               "--n", "100", "--reps", "2", "--seed", "2", "--out", str(out), "--quiet", "--no-report"])
    assert rc == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "manifest.json", "paired.csv", "ranking.csv", "replicates.parquet", "summary.csv", "summary.xlsx",
        "verdicts.csv"]
    # report.html: see the next test; .asnsim-output.json (hidden): the list of files asnsim wrote
    summary = pd.read_csv(out / "summary.csv")
    cols = list(summary.columns)
    required = ["policy", "metric", "estimate", "mcse", "ci_low", "ci_high"]
    assert [c for c in cols if c in required] == required
    assert set(summary["scenario"]) == {"neutral[rater.favouritism=0]", "neutral[rater.favouritism=0.5]"}
    assert (summary["n_reps"] <= 2).all()
    rep = pd.read_parquet(out / "replicates.parquet")
    assert len(rep) == 2 * 2 * len(rep[(rep.scenario_index == 0) & (rep.replicate == 0)])
    assert json.loads((out / "manifest.json").read_text())["design"]["reps"] == 2
    printed = capsys.readouterr().out
    assert "rank corr. with truth" in printed and "favouritism" in printed
    # no partial folder left behind
    assert not (tmp_path / ".cmp.partial").exists()


def test_report_is_self_contained(tmp_path):
    out = tmp_path / "r"
    assert main(["compare", "--policies", BASE, "--scenario", "neutral", "--sweep",
                 "components.hasil_kerja.weight=0.3,0.7", "--n", "80", "--reps", "2", "--out", str(out),
                 "--quiet"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) >= 5  # sweep, predikat, objectivity, fairness, burden (reliability: one rater, n/a)
    assert all(base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    sections = re.findall(r"<h2>([^<]+)</h2>", html)
    assert sections[:3] == ["Sweep", "Verdicts", "Headline"]  # a sweep report leads with the sweep plot
    for section in ("Predikat distribution", "Objectivity", "Reliability", "Fairness", "Burden"):
        assert section in sections


@pytest.mark.parametrize("args, needle", [
    (["--sweep", "components.hasil_kerja.wieght=0.5"], "components.hasil_kerja.wieght"),
    (["--sweep", "components.hasil_kerja.weight=1.5"], "components.hasil_kerja.weight"),
    (["--sweep", "rater.favouritism"], "--sweep"),
    (["--policies", "no-such-policy"], "no-such-policy"),
    (["--reps", "0"], "--reps"),
    (["--workers", "0"], "--workers"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, needle):
    out = tmp_path / "bad"
    base = ["compare", "--policies", BASE, "--n", "50", "--reps", "1", "--out", str(out), "--quiet"]
    rc = main(base + args)
    err = capsys.readouterr().err
    assert rc == 2
    assert needle in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not (tmp_path / ".bad.partial").exists()


def test_demo_runs_compare_of_builtins(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--n", "60", "--reps", "1", "--workers", "1", "--no-report", "--quiet",
                 "--out", str(out)]) == 0
    summary = pd.read_csv(out / "summary.csv")
    from asnsim.policy import builtin_names
    assert list(dict.fromkeys(summary["policy"])) == builtin_names()
    printed = capsys.readouterr().out
    assert "asnsim demo" in printed
    assert set(pd.read_csv(out / "paired.csv")["reference"]) == {BASE}  # the demo compares with the regime in force
    # the predikat distribution table: one row per policy, five predikat columns, shares summing to 100 %
    block = printed.split("predikat distribution")[1].splitlines()
    assert block[1].split() == ["Sangat", "Baik", "Baik", "Butuh", "Perbaikan", "Kurang/Misconduct", "Sangat",
                                "Kurang"]
    rows = {line.split()[0]: line.split()[1:] for line in block[3:3 + len(builtin_names())]}
    assert list(rows) == builtin_names()
    shares = summary[summary["metric"] == "share_predikat"].groupby("policy")["estimate"].sum()
    assert shares.round(9).eq(1.0).all()
    for policy, cells in rows.items():
        printed_pct = [float(c) for c in cells if not c.startswith("(")]
        assert sum(printed_pct) == pytest.approx(100.0, abs=0.3)
        assert printed_pct[0] == pytest.approx(100 * summary[(summary.policy == policy)
                                                           & (summary.metric == "share_predikat")
                                                           & (summary.group == "Sangat Baik")]["estimate"].iloc[0],
                                               abs=0.051)


def test_rerun_into_the_same_folder_leaves_no_stale_files(tmp_path, capsys):
    """A second run into the same --out replaces the first run's result files; the user's own files stay."""
    out = tmp_path / "cmp"
    common = ["compare", "--policies", BASE, "--n", "60", "--reps", "2", "--out", str(out), "--quiet"]
    assert main(common + ["--scenario", "neutral", "--sweep", "rater.favouritism=0,0.5", "--paired-scenarios"]) == 0
    assert (out / "report.html").exists() and (out / "paired_scenarios.csv").exists()
    (out / "my_notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(common + ["--no-report"]) == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "manifest.json", "my_notes.txt", "paired.csv", "ranking.csv", "replicates.parquet", "summary.csv",
        "summary.xlsx", "verdicts.csv"]
    from asnsim.experiment import load_results
    assert load_results(out).paired_scenarios is None
    printed = capsys.readouterr().out
    assert "summary.csv, paired.csv, ranking.csv, verdicts.csv, summary.xlsx, manifest.json" in printed


def test_paired_correlation_is_nan_when_a_metric_does_not_vary():
    from asnsim.experiment import paired_differences
    rep = pd.DataFrame({"scenario": "s", "policy": ["a"] * 4 + ["b"] * 4, "replicate": [0, 1, 2, 3] * 2,
                        "metric": "m", "group": "all",
                        "value": [0.1 + 0.2] * 4 + [1.0, 2.0, 4.0, 3.0]})
    row = paired_differences(rep).iloc[0]
    assert pd.isna(row["correlation"]) and row["n_reps"] == 4
    rep.loc[:3, "value"] = [2.0, 3.0, 5.0, 4.0]   # b = a - 1: perfectly correlated
    assert paired_differences(rep).iloc[0]["correlation"] == pytest.approx(1.0)


def test_reference_and_indonesian_outputs(tmp_path, capsys):
    out = tmp_path / "id"
    assert main(["compare", "--policies", f"{BASE},pontianak,pp-30-2019", "--n", "80", "--reps", "3", "--seed", "3",
                 "--reference", "pontianak", "--lang", "id", "--quiet", "--out", str(out)]) == 0
    paired = pd.read_csv(out / "paired.csv")
    assert set(paired["reference"]) == {"pontianak"} and set(paired["policy"]) == {BASE, "pp-30-2019"}
    # policy minus reference: with every replicate present, the paired mean is the difference of the means
    summ = pd.read_csv(out / "summary.csv").set_index(["policy", "metric", "group"])["estimate"]
    row = paired[(paired.policy == BASE) & (paired.metric == "spearman")].iloc[0]
    assert row.difference == pytest.approx(summ[(BASE, "spearman", "all")] - summ[("pontianak", "spearman", "all")])
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<html lang='id'>" in page and "<h2>Kesimpulan</h2>" in page
    assert "dikurangi kebijakan acuan, <b>pontianak</b>" in page
    printed = capsys.readouterr().out
    assert "kesimpulan:" in printed and "korelasi kinerja ↑" in printed and re.search(r"\d,\d{3} \(", printed)
    verdicts = pd.read_csv(out / "verdicts.csv")
    assert list(verdicts["metric"])[:2] == ["spearman", "share_sb_wrongly_given"]
    assert verdicts["sentence"].str.startswith(("Objektivitas", "Reliabilitas", "Keadilan", "Beban", "Pengembangan")).all()


def test_unknown_reference_exits_2_before_running(tmp_path, capsys):
    out = tmp_path / "bad"
    rc = main(["compare", "--policies", f"{BASE},pontianak", "--n", "50", "--reps", "1", "--reference", "salatiga",
               "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "--reference 'salatiga' is not one of the compared policies" in err
    assert not out.exists() and not (tmp_path / ".bad.partial").exists()
