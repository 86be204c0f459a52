"""Fuzz the command line in-process: random policy and scenario files, options and input files, hostile on
purpose.  Every run must end in exit 0 with valid outputs, or exit 2 with one line on stderr: never a traceback,
a hang, a live formula, a raw NIP in an output, or a leftover temporary folder or lock (issue 15).

``make test`` runs a few examples per command (seconds); ``ASNSIM_FUZZ_EXAMPLES=500`` runs a long pass, and
``ASNSIM_FUZZ_LOG=FILE`` writes each run's command line and outcome to FILE (one JSON line each).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asnsim.cli import main

EXAMPLES = int(os.environ.get("ASNSIM_FUZZ_EXAMPLES", "0")) or 8
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("ASNSIM_FUZZ_EXAMPLES"),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
NIP = "198503122010011002"
NIP_SPELLINGS = [NIP, "1985 0312 2010 0110 02", "19850312.201001.1.002", "19850312\u00a0201001\u00a01\u00a0002",
                 "1.98503E+17", "'" + NIP]

# ---------------------------------------------------------------- hostile values

floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 0.0, 0.5, 1.0, 3.0]))
cells = st.one_of(
    st.sampled_from(["1", "2", "3", "", "nan", "NA", "-", "inf", "-inf", "1e308", "2,5", "tiga", "0", "4",
                     "999999", "0.000001", "-1e6",
                     "=1+1", "@SUM(A1)", "+cmd", "-2+3", "\t=x", "Rahmat Harahap", "Budi Santoso"] + NIP_SPELLINGS),
    st.text(max_size=12), st.integers(-10**20, 10**20).map(str))
ids = st.one_of(st.sampled_from([f"E{i}" for i in range(8)] + [f"P{'%016x' % i}" for i in range(4)]
                                + NIP_SPELLINGS[:3] + ["=HYPERLINK(\"x\")", "Dewi Lestari", "", " "]),
                st.text(min_size=1, max_size=6))
SCORE_ITEMS = ["rhk_utama_1", "rhk_utama_2", "berorientasi_pelayanan", "akuntabel", "kompeten"]
POLICY_KEYS = ["components.hasil_kerja.weight", "rating.behaviour_above", "rating.behaviour_meets",
               "quota.unit_noise_sd", "burden.minutes_per_rating", "components.hasil_kerja.scale.step"]
SCENARIO_KEYS = ["rater.leniency_sd", "rater.leniency_mean", "rater.noise_sd", "rater.favouritism",
                 "population.item_sd", "population.component_corr", "rater.halo_mean", "rater.fatigue"]
OUTS = ["o", "o", "o", "", "/", "/proc/x", "f.txt/o", "nested/deeper/o"]


def _toml(v) -> str:
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    return json.dumps(v)


@st.composite
def model_file(draw, kind: str) -> str:
    base = draw(st.sampled_from(["permenpan-6-2022", "pp-46-2011", "salatiga"] if kind == "policy"
                                else ["neutral", "default"]))
    keys = POLICY_KEYS if kind == "policy" else SCENARIO_KEYS
    lines = [f'extends = "{base}"']
    if draw(st.booleans()):
        lines.append(f"name = {_toml(draw(st.one_of(st.text(max_size=10), st.sampled_from(['x', '=x', 'a b']))))}")
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        lines.append(f"{key} = {_toml(draw(floats))}")
    text = "\n".join(lines) + "\n"
    return draw(st.sampled_from([text, text, text, text + "[[", "\x00" + text, text.replace("=", " ")]))


@st.composite
def ratings_file(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 40))
    raters = draw(st.integers(1, 5))
    ratee = [f"E{i % 12}" for i in range(n)]
    df = pd.DataFrame({"ratee_id": ratee, "rater_id": [f"R{(i * 7) % raters}" for i in range(n)],
                       "rater_role": "atasan", "item": [SCORE_ITEMS[i % 5] for i in range(n)],
                       "score": [str(1 + (i % 12) % 3 if i % 5 else 1 + (i * 5) % 3) for i in range(n)]})
    for _ in range(draw(st.integers(0, 4))):           # hostile cells at random places
        if n:
            df.iloc[draw(st.integers(0, n - 1)), draw(st.integers(0, 4))] = draw(cells if draw(st.booleans())
                                                                                  else ids)
    if draw(st.booleans()):
        df[draw(st.sampled_from(["Pegawai", "catatan", "=cmd()", "NIP", "x"]))] = [draw(cells) for _ in range(n)]
    return df


def _write_table(df: pd.DataFrame, path: Path, fmt: str) -> Path:
    if fmt == "parquet":
        df.to_parquet(path.with_suffix(".parquet"), index=False)
        return path.with_suffix(".parquet")
    if fmt == "cp1252":
        path.write_bytes(df.to_csv(index=False).encode("cp1252", errors="replace"))
    elif fmt == "semicolon":
        df.to_csv(path, index=False, sep=";")
    else:
        df.to_csv(path, index=False)
    return path


# ---------------------------------------------------------------- the oracle

def holds_nip(cells) -> bool:
    """Whether any cell still holds the NIP's birth date and CPNS start, in any spelling."""
    import unicodedata

    for c in cells:
        c = unicodedata.normalize("NFKC", str(c))
        if "19850312201001" in "".join(ch for ch in c if ch.isdigit()) or "1.98503" in c:
            return True
    return False


def check_outcome(status: int, err: str, d: Path, argv: list[str]) -> None:
    """Exit 0 with valid outputs, or exit 2 with one line; nothing left behind either way."""
    assert "Traceback" not in err, err
    leftovers = [p.name for p in d.rglob(".*") if ".tmp-" in p.name or p.name.endswith((".lock", ".partial"))]
    assert not leftovers, (argv, leftovers)
    if status == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("asnsim: error: "), (argv, err)
        return
    assert status == 0, (argv, status, err)
    allow = "--allow-personal-data" in argv
    for f in (p for p in d.rglob("*") if p.is_file() and p.suffix in (".csv", ".md", ".json", ".toml")):
        if f.name.startswith(("in", "r.", "e.", "p.", "s.", "k")) and f.parent == d:
            continue   # the inputs
        text = f.read_text(encoding="utf-8")
        if not allow:
            assert not holds_nip(text.splitlines() if f.suffix != ".csv" else
                                 pd.read_csv(f, dtype=str, keep_default_na=False, header=None).to_numpy().ravel()), \
                (argv, f.name)
        if f.suffix == ".csv":
            table = pd.read_csv(f, dtype=str, keep_default_na=False, header=None)
            for v in table.to_numpy().ravel():
                if v[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    float(v)   # only plain numbers may start so
        if f.suffix == ".toml":
            from asnsim.scenario import load_scenario
            load_scenario(str(f))


def run(argv: list[str], d: Path, capsys) -> None:
    cwd = os.getcwd()
    os.chdir(d)
    try:
        capsys.readouterr()
        status = main(argv)
        err = capsys.readouterr().err
    finally:
        os.chdir(cwd)
    if os.environ.get("ASNSIM_FUZZ_LOG"):   # one JSON line per run: what the long passes tried and got
        with open(os.environ["ASNSIM_FUZZ_LOG"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"argv": argv, "status": status, "err": err.strip()[:200]}) + "\n")
    check_outcome(status, err, d, argv)


# ---------------------------------------------------------------- the properties

def mostly(valid, hostile):
    """Valid values four times in five, so that most runs get far enough for their outputs to be checked."""
    return st.sampled_from([True, True, True, True, False]).flatmap(lambda ok: valid if ok else hostile)


seeds = mostly(st.integers(0, 2**70).map(str), st.sampled_from(["-1", "1.5", "x", "", "-99999999999999999999"]))
sizes = mostly(st.sampled_from(["2", "30", "40"]), st.sampled_from(["-1", "0", "1", "1e3", "city ", "abc",
                                                                    "1000000000000"]))
outs = mostly(st.just("o"), st.sampled_from(OUTS))


@FUZZ
@given(data=st.data())
def test_fuzz_simulate_and_compare(tmp_path_factory, capsys, data):
    d = tmp_path_factory.mktemp("fz")
    (d / "f.txt").write_text("a user's file")
    policy = data.draw(mostly(st.sampled_from(["permenpan-6-2022", "pp-30-2019"]),
                              st.one_of(st.sampled_from(["nope", ""]), model_file("policy"))))
    if policy.startswith("extends") or "\x00" in policy:
        (d / "p.toml").write_text(policy, encoding="utf-8")
        policy = "p.toml"
    scenario = data.draw(mostly(st.sampled_from(["default", "neutral"]), model_file("scenario")))
    if scenario.startswith("extends") or "\x00" in scenario:
        (d / "s.toml").write_text(scenario, encoding="utf-8")
        scenario = "s.toml"
    out = data.draw(outs)
    if data.draw(st.booleans()):
        argv = ["simulate", "--policy", policy, "--scenario", scenario, "--n", data.draw(sizes),
                "--seed", data.draw(seeds), "--format", data.draw(mostly(st.sampled_from(["csv", "parquet"]), st.just("xlsx"))),
                "--out", out]
    else:
        argv = ["compare", "--policies", policy, "--scenario", scenario, "--n", data.draw(sizes),
                "--reps", data.draw(mostly(st.sampled_from(["1", "2"]), st.sampled_from(["0", "-2", "1000000000"]))),
                "--seed", data.draw(seeds), "--quiet", "--no-report", "--out", out]
        argv += data.draw(st.sampled_from([[], [], [], ["--workers", "0"], ["--scheduler", "not a url"],
                                           ["--sweep", "rater.favouritism=0:1:1e-9"],
                                           ["--sweep", "rater.favouritism=0,0.5"],
                                           ["--sweep", "rater.leniency_sd=nan"]]))
    run(argv, d, capsys)
    assert (d / "f.txt").read_text() == "a user's file"


@FUZZ
@given(data=st.data())
def test_fuzz_analyze_and_calibrate(tmp_path_factory, capsys, data):
    d = tmp_path_factory.mktemp("fz")
    df = data.draw(ratings_file())
    path = _write_table(df, d / "r.csv", data.draw(st.sampled_from(["csv", "csv", "cp1252", "semicolon",
                                                                     "parquet"])))
    if data.draw(st.booleans()):
        argv = ["analyze", path.name, "--item", "item", "--method",
                data.draw(st.sampled_from(["standardize", "crossed"])), "--n-boot",
                data.draw(mostly(st.sampled_from(["0", "10"]), st.sampled_from(["-5", "1000000000"]))),
                "--seed", data.draw(seeds),
                "--out", data.draw(outs)]
        argv += data.draw(mostly(st.just(["--skip-invalid", "--allow-disconnected"]),
                                 st.sampled_from([[], ["--skip-invalid"], ["--allow-disconnected"],
                                                  ["--allow-personal-data", "--skip-invalid"]])))
    else:
        argv = ["calibrate", path.name, "--bootstrap",
                data.draw(mostly(st.sampled_from(["0", "2"]), st.sampled_from(["-1", "1000000000"]))),
                "--seed", data.draw(seeds), "--name", data.draw(mostly(st.just("kota"), st.sampled_from(["=x", ""]))),
                "--out", data.draw(mostly(st.sampled_from(["c.toml", "sub/c.toml"]),
                                          st.sampled_from(["", "/", "c.txt"])))]
        argv += data.draw(st.sampled_from([[], ["--skip-invalid"]]))
    run(argv, d, capsys)


@FUZZ
@given(data=st.data())
def test_fuzz_anonymize(tmp_path_factory, capsys, data):
    d = tmp_path_factory.mktemp("fz")
    n = data.draw(st.integers(1, 20))
    df = pd.DataFrame({"employee_id": [data.draw(ids) for _ in range(n)],
                       data.draw(st.sampled_from(["NIP", "Pegawai", "nomor", "=x"])):
                           [data.draw(st.sampled_from(NIP_SPELLINGS + ["Rahmat Harahap", "x", ""])) for _ in range(n)],
                       "catatan": [data.draw(cells) for _ in range(n)]})
    if data.draw(st.booleans()):
        df["NIP angka"] = np.array([float(NIP)] * n) if data.draw(st.booleans()) else np.array([int(NIP)] * n)
        path = _write_table(df, d / "in.csv", "parquet")
    else:
        path = _write_table(df, d / "in.csv", data.draw(st.sampled_from(["csv", "cp1252", "semicolon"])))
    out = data.draw(mostly(st.sampled_from(["anon.csv", "anon.xlsx", "anon.parquet", "sub/anon.csv"]),
                           st.sampled_from(["", "/", "anon.txt"])))
    argv = ["anonymize", path.name, "--key-file", "k.key", "--create-key", "--out", out,
            "--k", data.draw(mostly(st.just("5"), st.sampled_from(["0", "-1"])))]
    argv += data.draw(mostly(st.sampled_from([[], ["--derive-from-nip"]]), st.sampled_from([["--quasi", "nope"],
                                                                                            ["--as-of", "x"]])))
    run(argv, d, capsys)
    produced = d / out if out not in ("", "/") else None
    if produced is not None and produced.is_file() and produced.suffix in (".xlsx", ".parquet"):
        table = pd.read_excel(produced, dtype=str) if produced.suffix == ".xlsx" else pd.read_parquet(produced)
        assert not holds_nip(table.astype(str).to_numpy().ravel())
        if produced.suffix == ".xlsx":
            import openpyxl
            assert all(c.data_type != "f" for row in openpyxl.load_workbook(produced).active.iter_rows()
                       for c in row)


@pytest.mark.parametrize("argv", [["policies", "show", ""], ["policies", "show", "/dev/zero"],
                                  ["policies", "show", "/proc/self/mem"], ["policies", "frob"]])
def test_policies_show_on_hostile_names(argv, tmp_path, capsys):
    run(argv, tmp_path, capsys)
