"""Hostile command-line options: refused at once with one line naming the option, before any work; absurd sizes
refused with a memory estimate; a Dask run that cannot get a worker ends with a message (issue 15, classes 2-3)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from asnsim import memory
from asnsim.cli import main
from asnsim.cli.argtypes import MAX_SEED
from asnsim.errors import AsnsimError, DesignError

P = "permenpan-6-2022"


def _ratings(tmp_path, n_raters: int = 6):
    """Supervisor ratings on the PermenPAN-RB items, each rater rating 8 ratees (calibratable)."""
    rng = np.random.default_rng(5)
    items = ["rhk_utama_1", "rhk_utama_2", "berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal",
             "adaptif", "kolaboratif"]
    truth = rng.standard_normal((n_raters, 8))
    rows = [(f"E{r}_{i}", f"R{r}", "atasan", it, int(np.clip(np.round(2 + 0.7 * truth[r, i]
                                                                      + 0.4 * rng.standard_normal()), 1, 3)))
            for r in range(n_raters) for i in range(8) for it in items]
    path = tmp_path / "r.csv"
    pd.DataFrame(rows, columns=["ratee_id", "rater_id", "rater_role", "item", "score"]).to_csv(path, index=False)
    return str(path)


def _one_line_refusal(capsys, argv, *fragments):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("asnsim: error: ") and "Traceback" not in err
    for f in fragments:
        assert f in err, err
    return err


def _argv(cmd: str, tmp_path, *extra: str) -> list[str]:
    out = str(tmp_path / "o")
    if cmd == "simulate":
        return ["simulate", "--policy", P, "--n", "30", "--out", out, *extra]
    if cmd == "analyze":
        return ["analyze", _ratings(tmp_path), "--item", "item", "--method", "standardize", "--out", out, *extra]
    if cmd == "calibrate":
        return ["calibrate", _ratings(tmp_path), "--bootstrap", "2", "--out", str(tmp_path / "c.toml"), *extra]
    if cmd == "anonymize":
        return ["anonymize", _ratings(tmp_path), "--key-file", str(tmp_path / "k"), "--create-key", "--out",
                str(tmp_path / "a.csv"), *extra]
    return [cmd, "--policies", P, "--n", "30", "--reps", "2", "--quiet", "--out", out, *extra]


# ---------------------------------------------------------------- seeds and counts

@pytest.mark.parametrize("cmd", ["simulate", "analyze", "calibrate", "compare", "demo"])
@pytest.mark.parametrize("seed", ["-1", str(MAX_SEED + 1), "1.5", "abc"])
def test_bad_seed_refused_by_every_command(cmd, seed, tmp_path, capsys):
    _one_line_refusal(capsys, _argv(cmd, tmp_path, "--seed", seed), f"{cmd}: argument --seed:")
    assert not (tmp_path / "o").exists() and not (tmp_path / "c.toml").exists()


def test_a_huge_seed_is_a_seed(tmp_path, capsys):
    assert main(_argv("simulate", tmp_path, "--seed", str(2**70))) == 0


@pytest.mark.parametrize("cmd,option,value,fragment", [
    ("analyze", "--n-boot", "-5", "must be from 0 to 100,000"),
    ("analyze", "--n-boot", "1000000000", "must be from 0 to 100,000"),
    ("calibrate", "--bootstrap", "1000000000", "must be from 0 to 10,000"),
    ("compare", "--reps", "0", "must be from 1 to 1,000,000"),
    ("compare", "--reps", "1000000000", "must be from 1 to 1,000,000"),
    ("compare", "--workers", "0", "must be from 1 to"),
    ("compare", "--workers", "100000", "four per core"),
    ("simulate", "--n", "0", "at least 2 employees"),
    ("simulate", "--n", "1e3", "a number of employees or a size preset"),
    ("anonymize", "--k", "0", "must be from 1"),
    ("simulate", "--format", "xlsx", "invalid choice"),
    ("calibrate", "--name", "=cmd()", "a name holds letters"),
])
def test_bad_counts_refused_before_any_work(cmd, option, value, fragment, tmp_path, capsys):
    # "argument OPTION:" is argparse's prefix: refused while parsing, before any work
    _one_line_refusal(capsys, _argv(cmd, tmp_path, option, value), f"argument {option}:", fragment)


def test_no_command_and_unknown_command_are_one_line(capsys):
    _one_line_refusal(capsys, [], "the following arguments are required: COMMAND")
    _one_line_refusal(capsys, ["frob"], "invalid choice: 'frob'")
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0


# ---------------------------------------------------------------- memory

def test_absurd_size_is_refused_with_the_estimate(tmp_path, capsys):
    err = _one_line_refusal(capsys, _argv("simulate", tmp_path)[:3] + ["--n", "1000000000", "--out",
                                                                        str(tmp_path / "o")],
                            "simulate --n 1000000000 needs at least", "available")
    assert "TiB" in err or "GiB" in err
    assert not (tmp_path / "o").exists()


def test_memory_estimate_scales_the_pilot_and_compares_with_what_is_free(monkeypatch, tmp_path, capsys):
    per = memory.simulation_bytes(P, "default", 1_000_000) / 1_000_000
    assert 500 < per < 5000            # bytes per employee of the tables, measured on the pilot
    assert memory.simulation_bytes(P, "default", 5000) == 0   # small runs are not measured
    monkeypatch.setattr(memory, "available_memory", lambda: 2**28)   # 256 MiB free
    _one_line_refusal(capsys, ["simulate", "--policy", P, "--n", "400000", "--out", str(tmp_path / "o")],
                      "needs at least", "256 MiB available", "smaller --n")
    _one_line_refusal(capsys, _argv("compare", tmp_path)[:-2] + ["--reps", "900000", "--out", str(tmp_path / "o")],
                      "900000 replicates", "needs at least")


@pytest.mark.parametrize("sweep,fragment", [
    ("rater.favouritism=0:1:1e-9", "a sweep has at most 10,000"),
    ("rater.favouritism=0:1e300:1", "a sweep has at most 10,000"),
    ("rater.favouritism=0:inf:1", "need finite numbers"),
    ("rater.favouritism=nan", "rater.favouritism: Input should be a finite number"),
    ("rater.favouritism=inf", "finite number"),
    ("rater.leniency_sd=1e308", "less than or equal to 10"),
    ("components.hasil_kerja.weight=nan", "finite number"),
])
def test_bad_sweeps_refused_fast(sweep, fragment, tmp_path, capsys):
    _one_line_refusal(capsys, _argv("compare", tmp_path, "--sweep", sweep), fragment)
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_crossed_sweeps_bounded(tmp_path, capsys):
    sweeps = [a for k in ("favouritism", "leniency_sd", "noise_sd") for a in ("--sweep", f"rater.{k}=0:1:0.01")]
    _one_line_refusal(capsys, _argv("compare", tmp_path, *sweeps), "cross into 1,030,301 variants")


# ---------------------------------------------------------------- output targets

@pytest.mark.parametrize("cmd", ["simulate", "analyze", "compare", "calibrate", "anonymize"])
@pytest.mark.parametrize("target,fragment", [
    ("", "empty path"),
    ("/", "the root of a file system"),
    ("/proc/x", "pseudo file system"),
    ("/sys/x.toml", "pseudo file system"),
    ("/dev/null/x.csv", "pseudo file system"),
])
def test_unusable_out_refused_before_any_work(cmd, target, fragment, tmp_path, capsys):
    argv = _argv(cmd, tmp_path)
    argv[argv.index("--out") + 1] = target
    _one_line_refusal(capsys, argv, "--out", fragment)


def test_out_through_a_file_or_onto_a_folder(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    _one_line_refusal(capsys, ["simulate", "--policy", P, "--out", str(tmp_path / "f" / "sub")], "is a file")
    _one_line_refusal(capsys, ["simulate", "--policy", P, "--out", str(tmp_path / "f")], "must be a folder")
    (tmp_path / "d.toml").mkdir()
    _one_line_refusal(capsys, ["calibrate", _ratings(tmp_path), "--out", str(tmp_path / "d.toml")], "is a folder")
    assert (tmp_path / "f").read_text() == "x"


# ---------------------------------------------------------------- Dask

@pytest.mark.parametrize("address", ["not a url", "tcp://[::1", "http://x:8786", "tcp://host:99999", ""])
def test_scheduler_address_checked_at_once(address, tmp_path, capsys):
    _one_line_refusal(capsys, _argv("compare", tmp_path, "--scheduler", address), "argument --scheduler:")


def test_dask_without_a_worker_ends_with_a_message(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from asnsim.experiment import make_design, run_experiment
    from asnsim.experiment.runner import executor

    monkeypatch.setenv("ASNSIM_DASK_WAIT", "0.5")
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        with pytest.raises(AsnsimError, match="no Dask worker joined the scheduler within 0.5 s; start one"):
            run_experiment(make_design(P, n=30, reps=1), tmp_path / "o", scheduler=cluster.scheduler_address,
                           progress=False)
    assert not (tmp_path / "o").exists()
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        with executor(scheduler=cluster.scheduler_address) as (_, slots, check):
            check()                       # a worker: nothing to say
            cluster.scale(0)
            deadline = time.monotonic() + 20
            with pytest.raises(AsnsimError, match="has had no worker for 0.5 s"):
                while time.monotonic() < deadline:
                    check()
                    time.sleep(0.2)


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from asnsim.experiment import make_design, run_experiment
    from asnsim.experiment import runner

    monkeypatch.setattr(runner, "DASK_CONNECT_SECONDS", 1.0)
    with pytest.raises(AsnsimError, match="cannot connect within 1 s"):
        run_experiment(make_design(P, n=30, reps=1), None, scheduler="tcp://127.0.0.1:9", progress=False)


# ---------------------------------------------------------------- a single rater (class 3)

def test_calibrate_on_a_single_rater_says_not_estimable(tmp_path, capsys):
    err = _one_line_refusal(capsys, ["calibrate", _ratings(tmp_path, n_raters=1), "--out", str(tmp_path / "c.toml")],
                            "from 1 rater", "rater.leniency_sd) is not estimable")
    assert "no scenario is written" in err and not (tmp_path / "c.toml").exists()
    assert main(["calibrate", _ratings(tmp_path, n_raters=6), "--bootstrap", "2",
                 "--out", str(tmp_path / "c.toml")]) == 0


def test_design_errors_are_asnsim_errors():
    with pytest.raises(DesignError):
        from asnsim.experiment import make_design
        make_design(P, sweeps=["rater.favouritism=0:1:1e-9"])
