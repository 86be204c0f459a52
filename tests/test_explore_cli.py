"""``asnsim explore`` end to end (small sizes): outputs, design files ``compare`` reads, resume, bad input."""

from __future__ import annotations

import base64
import json
import re
import shutil
import sqlite3

import numpy as np
import pandas as pd
import pytest

from asnsim.cli import main
from asnsim.explore.pareto import nondominated

BASE = "pp-30-2019"
LEVERS = ["--lever", "components.perilaku.raters.rekan=0:0.5", "--lever", "correction.method=none,standardize"]
OBJECTIVES = "spearman,rater_hours,sex_gap_conditional"
DIRECTIONS = {"spearman": 1, "rater_hours": -1, "sex_gap_conditional": 0}
SMALL = ["--budget", "8", "--population-size", "4", "--reps", "3", "--n", "80", "--seed", "3", "--quiet"]
ROBUST = ["--uncertainty", "rater.favouritism=0:0.8", "--worlds", "4", "--world-reps", "1",
          "--require", "spearman>=0.62"]


def command(out, *extra) -> list[str]:
    return ["explore", "--policy", BASE, *LEVERS, "--objectives", OBJECTIVES, *SMALL, *extra, "--out", str(out)]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("explore") / "out"
    assert main(command(out, *ROBUST)) == 0
    return out


def test_explore_writes_every_output(run):
    names = sorted(p.name for p in run.iterdir() if not p.name.startswith("."))
    rob = pd.read_csv(run / "robustness.csv")
    chosen = rob.sort_values("share_meeting", ascending=False, kind="stable").iloc[0]
    explained = 0 < chosen["share_meeting"] < 1      # PRIM needs worlds where the design fails and some where not
    assert names == sorted(["designs", "explore.db", "manifest.json", "pareto.csv", "report.html", "robustness.csv",
                            "trials.csv", "verdicts.csv", "worlds.csv"] + ["discovery.csv"] * int(explained))
    if explained:
        box = pd.read_csv(run / "discovery.csv")
        assert set(box["design"]) == {chosen["design"]} and box["coverage"].between(0, 1).all()
    trials = pd.read_csv(run / "trials.csv")
    assert len(trials) == 8
    assert {"components.perilaku.raters.rekan", "correction.method", "spearman", "spearman_mcse", "n_reps",
            "raced_out", "evaluations", "status"} <= set(trials)
    assert trials["components.perilaku.raters.rekan"].between(0, 0.5).all()
    assert set(trials["correction.method"]) <= {"none", "standardize"}
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["evaluations_this_run"] == trials["evaluations"].sum() <= 8 * 3
    assert manifest["options"]["objectives"] == OBJECTIVES and "storage" not in manifest["options"]


def test_pareto_is_the_nondominated_set_of_the_raced_designs(run):
    trials = pd.read_csv(run / "trials.csv")
    pareto = pd.read_csv(run / "pareto.csv", keep_default_na=False)
    full = trials[~trials["raced_out"]].drop_duplicates(["components.perilaku.raters.rekan", "correction.method"],
                                                        keep="last")
    loss = np.column_stack([{1: -full[k], -1: full[k], 0: full[k].abs()}[d].to_numpy(float)
                            for k, d in DIRECTIONS.items()])
    expected = set(full["design"].to_numpy()[nondominated(loss)])
    assert set(pareto["design"]) == expected
    assert pareto["separable"].map({"True": True, "False": False, True: True, False: False}).notna().all()
    for _, row in pareto.iterrows():   # not separable from X means X is on the front too, and symmetric
        for other in filter(None, str(row["not_separable_from"]).split(",")):
            mate = pareto.loc[pareto["design"] == other, "not_separable_from"].iloc[0]
            assert row["design"] in mate.split(",")


def test_design_files_extend_the_base_and_compare_reproduces_them(run, tmp_path):
    pareto = pd.read_csv(run / "pareto.csv")
    files = sorted(p.name for p in (run / "designs").iterdir())
    assert files == sorted(f"{d}.toml" for d in pareto["design"])
    row = pareto.iloc[0]
    text = (run / "designs" / f"{row['design']}.toml").read_text()
    assert f'extends = "{BASE}"' in text and "[components.perilaku.raters]" in text
    out = tmp_path / "cmp"
    assert main(["compare", "--policies", str(run / "designs" / f"{row['design']}.toml"), "--n", "80", "--reps", "3",
                 "--seed", "3", "--out", str(out), "--quiet", "--no-report"]) == 0
    summary = pd.read_csv(out / "summary.csv")
    for metric in ("spearman", "rater_hours"):
        est = summary.loc[(summary["metric"] == metric), "estimate"].iloc[0]
        assert est == pytest.approx(row[metric], rel=1e-12, abs=1e-12)   # common random numbers: the same worlds
    gap = summary.loc[(summary["metric"] == "sex_gap_conditional") & (summary["group"] == "F-M"), "estimate"]
    assert gap.iloc[0] == pytest.approx(row["sex_gap_conditional"], rel=1e-12, abs=1e-12)


def test_report_has_the_front_figures_and_verdicts(run):
    html = (run / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    pareto = pd.read_csv(run / "pareto.csv")
    assert len(images) >= (3 if len(pareto) >= 2 else 2)   # scatter, parallel coordinates, robustness bars
    assert all(base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    verdicts = pd.read_csv(run / "verdicts.csv")
    assert verdicts["objective"].tolist() == list(DIRECTIONS)
    for sentence in verdicts["sentence"]:
        assert sentence.split(":")[0] in html or sentence[:40] in html
    assert "Robustness across rater behaviours" in html and "spearman&gt;=0.62" in html


def test_robustness_covers_the_front_in_every_world(run):
    rob = pd.read_csv(run / "robustness.csv")
    worlds = pd.read_csv(run / "worlds.csv")
    pareto = pd.read_csv(run / "pareto.csv")
    assert list(rob["design"]) == list(pareto["design"])
    assert len(worlds) == 4 and sorted((worlds["rater.favouritism"] / 0.2).astype(int)) == [0, 1, 2, 3]
    assert rob["share_meeting"].between(0, 1).all()
    assert (rob["spearman_max_regret"] >= rob["spearman_mean_regret"] - 1e-15).all()
    assert (rob["spearman_mean_regret"] >= 0).all()


def test_rerun_resumes_the_study_and_writes_the_same_files(run, tmp_path):
    copy = tmp_path / "again"
    shutil.copytree(run, copy)
    before = {f: (copy / f).read_bytes() for f in ("trials.csv", "pareto.csv", "verdicts.csv", "robustness.csv")}
    assert main(command(copy, *ROBUST)) == 0
    for f, data in before.items():
        assert (copy / f).read_bytes() == data, f
    assert json.loads((copy / "manifest.json").read_text())["evaluations_this_run"] == 0
    assert not [p for p in copy.iterdir() if p.name.startswith(".designs")]   # the old designs/ is gone


def test_a_larger_budget_extends_the_study(run, tmp_path):
    copy = tmp_path / "more"
    shutil.copytree(run, copy)
    cmd = command(copy)
    cmd[cmd.index("--budget") + 1] = "12"
    assert main(cmd) == 0
    trials = pd.read_csv(copy / "trials.csv")
    assert len(trials) == 12
    first = pd.read_csv(run / "trials.csv")
    pd.testing.assert_frame_equal(trials.head(8), first)   # the first eight designs are kept as they were
    assert not (copy / "robustness.csv").exists()            # this command asked for no robustness


def test_same_command_same_trials_with_two_workers(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    cmd = ["explore", "--policy", BASE, "--lever", "correction.method=none,standardize", "--lever",
           "components.skp.weight=0.3:0.7", "--objectives", "spearman,sex_gap_conditional", "--budget", "4",
           "--population-size", "4", "--reps", "2", "--n", "60", "--quiet"]
    assert main([*cmd, "--out", str(one)]) == 0
    assert main([*cmd, "--workers", "2", "--out", str(two)]) == 0
    assert (one / "trials.csv").read_bytes() == (two / "trials.csv").read_bytes()


@pytest.mark.parametrize("args, needle", [
    (["--lever", "components.perilaku.raters.rekkan=0:0.5"], "components.perilaku.raters.rekkan"),
    (["--lever", "components.skp.weight=0.5:1.5"], "components.skp.weight"),
    (["--lever", "components.skp.weight=0.5:0.5"], "components.skp.weight"),
    (["--lever", "correction.method=none,oracle"], "correction.method"),
    (["--lever", "rater.favouritism=0:1"], "--uncertainty"),
    (["--objectives", "spearman,happiness"], "happiness"),
    (["--objectives", "spearman,share_at_least_baik"], "share_at_least_baik"),
    (["--objectives", "spearman"], "--objectives"),
    (["--lever", "correction.method=none,standardize", "--budget", "9"], "--budget"),
    (["--uncertainty", "components.skp.weight=0:1"], "--lever"),
    (["--uncertainty", "rater.favouritism=0:1", "--require", "joy>=1"], "joy"),
    (["--require", "spearman>=0.7"], "--require"),
    (["--storage", "postgresql://asn:secret@127.0.0.1:1/asn"], "127.0.0.1"),
    (["--scenario", "no-such-world"], "no-such-world"),
])
def test_bad_input_exits_2_naming_the_key_before_any_work(tmp_path, capsys, args, needle):
    out = tmp_path / "bad"
    base = ["explore", "--policy", BASE, "--objectives", OBJECTIVES, "--budget", "4", "--reps", "2", "--n", "60",
            "--quiet", "--out", str(out)]
    if not any(a == "--lever" for a in args):
        base += ["--lever", "components.skp.weight=0.3:0.7"]
    if "--objectives" in args:
        i = base.index("--objectives")
        del base[i:i + 2]
    if "--budget" in args:
        i = base.index("--budget")
        del base[i:i + 2]
    assert main([*base, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("asnsim: error:") and needle in err and "Traceback" not in err
    assert "secret" not in err
    assert not out.exists()   # nothing written, not even the folder


def test_a_users_files_are_never_overwritten(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "pareto.csv").write_text("my,own\n")
    args = ["explore", "--policy", BASE, "--lever", "correction.method=none,standardize", "--objectives",
            "spearman,rater_hours", "--budget", "2", "--reps", "2", "--n", "60", "--quiet", "--out", str(out)]
    assert main(args) == 2
    assert "pareto.csv" in capsys.readouterr().err and (out / "pareto.csv").read_text() == "my,own\n"
    (out / "pareto.csv").unlink()
    con = sqlite3.connect(out / "explore.db")
    con.execute("CREATE TABLE studies (study_name TEXT)")
    con.execute("INSERT INTO studies VALUES ('my-study')")
    con.commit()
    con.close()
    assert main(args) == 2
    assert "explore.db" in capsys.readouterr().err


def test_lang_id_reads_the_same_study_and_writes_in_bahasa_indonesia(run, tmp_path, capsys):
    copy = tmp_path / "id"
    shutil.copytree(run, copy)
    capsys.readouterr()
    assert main(command(copy, *ROBUST, "--lang", "id")) == 0   # the language is not part of the study
    printed = capsys.readouterr().out
    assert "Kesimpulan" in printed and "makin tinggi makin baik" in printed
    html = (copy / "report.html").read_text(encoding="utf-8")
    assert "<html lang='id'>" in html and "Front Pareto" in html
    assert (copy / "trials.csv").read_bytes() == (run / "trials.csv").read_bytes()
    verdicts = pd.read_csv(copy / "verdicts.csv")
    assert verdicts["sentence"].str.contains("makin").all()


def test_several_scenarios_are_the_worlds_of_the_robustness_check(tmp_path):
    out = tmp_path / "scen"
    assert main(["explore", "--policy", BASE, "--lever", "components.skp.weight=0.3:0.7", "--objectives",
                 "spearman,sex_gap_conditional", "--budget", "4", "--population-size", "4", "--reps", "2", "--n", "60",
                 "--scenario", "default,neutral", "--require", "spearman>=0.7", "--quiet", "--out", str(out)]) == 0
    assert pd.read_csv(out / "worlds.csv").to_dict("list") == {"world": ["W001", "W002"],
                                                               "scenario": ["default", "neutral"]}
    rob = pd.read_csv(out / "robustness.csv")
    assert list(rob["design"]) == list(pd.read_csv(out / "pareto.csv")["design"])
    # without rater effects (neutral) ratings follow true performance more closely: the worlds differ
    assert (rob["spearman_worst"] < rob["spearman_mean"]).all()
