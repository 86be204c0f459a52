"""Outputs (issue 15, class 5): no live formula in CSV or Excel, never a user's file lost, one run per output
folder, nothing left behind by an interrupted run."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asnsim.cli import main
from asnsim.errors import AsnsimError
from asnsim.outdir import MARKER, atomic_output_dir, lock_path, output_lock
from asnsim.output import neutralize_formulas, write_csv, write_xlsx

P = "permenpan-6-2022"
HOSTILE = ['=HYPERLINK("http://x","click")', "+SUM(1,2)", "-2+3", "@cmd", "\t=1+1", "\r=1+1"]


# ---------------------------------------------------------------- formulas

def test_neutralize_text_cells_and_headers_not_numbers():
    df = pd.DataFrame({"a": HOSTILE + ["-2", "+62812345", "1e5", "plain", None],
                       "b": range(11), "=h": "x", "c": pd.Categorical(["=x", "y"] * 5 + ["y"])})
    out = neutralize_formulas(df)
    assert out["a"].tolist()[:6] == ["'" + v for v in HOSTILE[:5]] + ["\n=1+1"]   # a CR becomes a LF
    assert out["a"].tolist()[6:10] == ["-2", "+62812345", "1e5", "plain"] and pd.isna(out["a"].iloc[10])
    assert list(out.columns) == ["a", "b", "'=h", "c"] and out["b"].tolist() == list(range(11))
    assert set(out["c"].astype(str)) == {"'=x", "y"}
    clean = pd.DataFrame({"x": ["a", "b"], "y": [1.5, -2.0]})
    assert neutralize_formulas(clean) is clean     # nothing to change: the same object, the same bytes


def test_write_xlsx_writes_text_as_text(tmp_path):
    import openpyxl

    df = pd.DataFrame({"t": HOSTILE + ["a\x00b"], "n": [1.0, np.nan, np.inf, -np.inf, 2.5, 3, 4]})
    write_xlsx(df, tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    types = {c.data_type for row in ws.iter_rows() for c in row}
    assert "f" not in types
    assert [c.value for c in ws["A"]][1:4] == HOSTILE[:3]
    assert ws["A8"].value == "a\ufffdb" and ws["B3"].value is None and ws["B4"].value is None   # not a number


def _has_live_formula(folder: Path) -> list[str]:
    bad = []
    for f in folder.glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False, header=None)
        bad += [f"{f.name}: {v!r}" for v in df.to_numpy().ravel()
                if str(v)[:1] and str(v)[:1] in "=+-@" and not _number(str(v))]
    return bad


def _number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def test_analyze_outputs_carry_no_live_formula(tmp_path, capsys):
    rows = [(f"E{i}", HOSTILE[j % 4] if j == 0 else f"R{j}", f"item{k}", 1 + (i + j + k) % 3)
            for i in range(16) for j in {i % 4, (i + 1) % 4} for k in range(2)]
    r = pd.DataFrame(rows, columns=["ratee_id", "rater_id", "item", "score"]).astype({"score": object})
    r.loc[0, "score"] = "=cmd|' /C calc'!A0"
    r.to_csv(tmp_path / "r.csv", index=False, quoting=csv.QUOTE_ALL)
    emp = pd.DataFrame({"employee_id": [f"E{i}" for i in range(16)], "grp": ["=1+1", "@x"] * 8,
                        "predikat": ["Baik", "Sangat Baik"] * 8})
    emp.to_csv(tmp_path / "e.csv", index=False)
    assert main(["analyze", str(tmp_path / "r.csv"), "--item", "item", "--method", "standardize", "--skip-invalid",
                 "--employees", str(tmp_path / "e.csv"), "--group", "grp", "--n-boot", "20",
                 "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "rejected_rows.csv").exists() and (tmp_path / "o" / "fairness.csv").exists()
    assert _has_live_formula(tmp_path / "o") == []
    effects = pd.read_csv(tmp_path / "o" / "rater_effects.csv", dtype=str)
    assert "'" + HOSTILE[0] in set(effects.iloc[:, 0])    # kept, readable, inert


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_anonymize_writes_no_live_formula(tmp_path, ext):
    df = pd.DataFrame({"employee_id": [f"E{i}" for i in range(6)], "catatan": HOSTILE, "=cmd()": "x"})
    df.to_csv(tmp_path / "in.csv", index=False, quoting=csv.QUOTE_ALL)
    assert main(["anonymize", str(tmp_path / "in.csv"), "--key-file", str(tmp_path / "k"), "--create-key",
                 "--out", str(tmp_path / "o" / f"a{ext}")]) == 0
    if ext == ".csv":
        assert _has_live_formula(tmp_path / "o") == []
        back = pd.read_csv(tmp_path / "o" / "a.csv", dtype=str)
        assert len(back) == 6 and list(back.columns) == ["employee_id", "catatan", "'=cmd()"]
        assert back["catatan"].tolist()[:5] == ["'" + v for v in HOSTILE[:5]] and back["catatan"][5] == "\n=1+1"
    else:
        import openpyxl
        ws = openpyxl.load_workbook(tmp_path / "o" / "a.xlsx").active
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_write_csv_is_byte_identical_for_clean_tables(tmp_path):
    df = pd.DataFrame({"policy": ["a", "b"], "metric": ["<=30", ">=25"], "v": [0.1, 2 / 3]})
    write_csv(df, tmp_path / "x.csv")
    df.to_csv(tmp_path / "y.csv", index=False, float_format="%.10g", lineterminator="\n")
    assert (tmp_path / "x.csv").read_bytes() == (tmp_path / "y.csv").read_bytes()


# ---------------------------------------------------------------- never a user's file

@pytest.mark.parametrize("cmd,name", [("simulate", "scores.csv"), ("simulate", "indicators.csv"),
                                      ("analyze", "report.md"), ("compare", "summary.csv")])
def test_a_users_file_with_an_output_name_is_never_touched(cmd, name, tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / name).write_text("my own notes\n")
    r = tmp_path / "r.csv"
    pd.DataFrame([(f"E{i}", f"R{j}", 1 + (i + j) % 3) for i in range(8) for j in {i % 3, (i + 1) % 3}],
                 columns=["ratee_id", "rater_id", "score"]).to_csv(r, index=False)
    argv = {"simulate": ["simulate", "--policy", P, "--n", "30"],
            "analyze": ["analyze", str(r), "--method", "standardize"],
            "compare": ["compare", "--policies", P, "--n", "30", "--reps", "2", "--quiet"]}[cmd]
    assert main(argv + ["--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"holds {name}, not written by asnsim" in err
    assert (out / name).read_text() == "my own notes\n" and sorted(p.name for p in out.iterdir()) == [name]


def test_asnsim_cleans_only_what_it_wrote(tmp_path, capsys):
    out = tmp_path / "o"
    base = ["simulate", "--policy", P, "--n", "30", "--out", str(out)]
    assert main(base) == 0
    listed = set(json.loads((out / MARKER).read_text())["files"])
    assert {"employees.csv", "ratings.csv", "scores.csv", "manifest.json"} <= listed
    (out / "notes.txt").write_text("mine")
    assert main(base + ["--format", "parquet"]) == 0
    assert not (out / "ratings.csv").exists() and (out / "ratings.parquet").exists()
    assert (out / "notes.txt").read_text() == "mine"
    assert "notes.txt" not in json.loads((out / MARKER).read_text())["files"]


def test_a_folder_written_by_asnsim_0_2_is_recognised(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"asnsim_version": "0.2.0", "seed": 1}))
    (out / "ratings.csv").write_text("old\n")
    assert main(["simulate", "--policy", P, "--n", "30", "--format", "parquet", "--out", str(out)]) == 0
    assert not (out / "ratings.csv").exists()    # its own stale output, cleaned


# ---------------------------------------------------------------- one run per folder

def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_second_run_is_refused_with_the_holders_pid(tmp_path, capsys):
    out = tmp_path / "o"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_path(out).write_text(json.dumps({"pid": holder.pid, "host": os.uname().nodename,
                                              "started": "2026-01-01 00:00:00"}))
        for argv in (["simulate", "--policy", P, "--n", "30", "--out", str(out)],
                     ["compare", "--policies", P, "--n", "30", "--reps", "2", "--quiet", "--restart",
                      "--out", str(out)]):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert f"another asnsim run (PID {holder.pid}, started 2026-01-01 00:00:00) is writing there" in err
        assert not out.exists() and not (tmp_path / ".o.partial").exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_lock_is_recovered_and_a_lock_is_released(tmp_path, capsys):
    out = tmp_path / "o"
    lock_path(out).write_text(json.dumps({"pid": _dead_pid(), "host": os.uname().nodename, "started": "x"}))
    assert main(["simulate", "--policy", P, "--n", "30", "--out", str(out)]) == 0
    assert not lock_path(out).exists() and (out / "scores.csv").exists()


def test_the_lock_is_held_for_the_whole_compare_run(tmp_path, monkeypatch):
    from asnsim.experiment import make_design, run_experiment
    from asnsim.experiment import runner

    seen = []
    real = runner.run_task

    def spy(task, metrics=None):
        seen.append(lock_path(tmp_path / "o").exists())
        return real(task, metrics)

    monkeypatch.setattr(runner, "run_task", spy)
    run_experiment(make_design(P, n=30, reps=2), tmp_path / "o", progress=False, report=False)
    assert seen == [True, True] and not lock_path(tmp_path / "o").exists()
    with output_lock(tmp_path / "o"):       # re-entrant within one process
        with atomic_output_dir(tmp_path / "o", owned=("x.csv",)) as tmp:
            (tmp / "x.csv").write_text("1\n")
    assert (tmp_path / "o" / "x.csv").exists()


# ---------------------------------------------------------------- interruption

@pytest.mark.parametrize("sig,status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_an_interrupted_simulate_leaves_nothing_behind(tmp_path, sig, status):
    # a shell's background job inherits SIGINT ignored, and Python keeps an inherited SIG_IGN: restore
    # Python's own handler in the child, as an interactive terminal would have it
    code = ("import signal, sys, time\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "from asnsim import outdir\nfrom asnsim.cli import main\n"
            "real = outdir._commit\n"
            "def slow(tmp, out, owned):\n    print('writing', flush=True)\n    time.sleep(60)\n"
            "outdir._commit = slow\nsys.exit(main(sys.argv[1:]))\n")
    p = subprocess.Popen([sys.executable, "-c", code, "simulate", "--policy", P, "--n", "30", "--out",
                          str(tmp_path / "o")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "writing"          # the tables are in the temporary folder now
    assert [x.name for x in tmp_path.iterdir() if ".tmp-" in x.name]
    p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=60)
    finally:   # never leave the child running into later tests
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == status and "Traceback" not in err
    assert sorted(x.name for x in tmp_path.iterdir()) == []   # no temporary folder, no lock, no output


def test_a_killed_runs_temporary_folder_is_removed_by_the_next_run(tmp_path, capsys):
    stale = tmp_path / f".o.tmp-{_dead_pid()}-abc"
    stale.mkdir()
    (stale / "scores.csv").write_text("half\n")
    other = tmp_path / f".o.tmp-{os.getpid()}-live"      # a live process's folder stays
    other.mkdir()
    assert main(["simulate", "--policy", P, "--n", "30", "--out", str(tmp_path / "o")]) == 0
    assert not stale.exists() and other.exists()


def test_atomic_output_dir_refuses_and_cleans_on_error(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_output_dir(tmp_path / "o", owned=("a.csv",)) as tmp:
            (tmp / "a.csv").write_text("x")
            raise RuntimeError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    with pytest.raises(AsnsimError, match="root of a file system"):
        with atomic_output_dir("/"):
            pass


@pytest.mark.parametrize("high,low", [("1e308", "1"), ("999999", "1"), ("0.000001", "1")])
def test_extreme_scores_end_in_a_result_or_a_refusal(tmp_path, capsys, high, low):
    """1e308 is refused at the boundary (it overflowed the agreement statistics); 1 beside 999999 is no 2-point
    scale, so the categorical statistics are left empty instead of filling the memory."""
    rows = [(f"E{i}", f"R{(i + j) % 5}", "i", high if (i + j) % 2 else low) for i in range(30) for j in range(3)]
    pd.DataFrame(rows, columns=["ratee_id", "rater_id", "item", "score"]).to_csv(tmp_path / "r.csv", index=False)
    status = main(["analyze", str(tmp_path / "r.csv"), "--method", "standardize", "--n-boot", "10",
                   "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    if high == "1e308":
        assert status == 2 and "column 'score': beyond +-1,000,000: not a plausible score" in err
        return
    assert status == 0
    rel = pd.read_csv(tmp_path / "o" / "reliability.csv").set_index("metric")["value"]
    assert np.isfinite(rel["icc_vc_agreement"]) or np.isnan(rel["icc_vc_agreement"])
    if high == "999999":
        assert np.isnan(rel["gwet_ac1"]) and np.isnan(rel["rwg_mean"])

