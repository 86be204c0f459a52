"""Red-team pass over the ``asnsim`` command line: hostile inputs and their outcomes.

Every case builds its input files in a fresh temporary folder, runs ``asnsim``
in a subprocess (a time limit and a memory limit, so a hang or a memory hog is
caught instead of taking the machine down) and classifies the outcome:

``refusal``
    exit status 2, no traceback (the expected outcome for a hostile input);
``result``
    exit status 0 and the case's check of the outputs passes;
``traceback``
    a Python traceback (any exit status);
``hang``
    the time limit passed, or memory ran out (``MemoryError``);
``silent``
    exit status 0 but the outputs are wrong or unsafe (a raw NIP, a live
    formula, a user's file deleted, ...), or a refusal where a result was due.

The counts per class and outcome are what the hardening issue (15) reports
before and after its fixes.  A few cases write to ``/`` on purpose (``--out /``)
before the fix; files they create there are removed again.

Usage: ``python benchmarks/redteam.py [--only SUBSTRING] [--jobs 2] [--timeout 60] [--json FILE]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
ASNSIM = [str(Path(sys.executable).with_name("asnsim"))]
MEMORY_LIMIT = 6 * 2**30


@dataclass
class Case:
    name: str
    group: str
    setup: Callable[[Path], list[str]]        # builds files in the folder, returns argv after "asnsim"
    expect: str = "refuse"                     # "refuse" or "result"
    check: Callable[[Path, subprocess.CompletedProcess], str | None] | None = None
    special: str | None = None                 # "concurrent", "interrupt-int", "interrupt-term", "dask-noworker"
    notes: dict = field(default_factory=dict)
    refuse_about: tuple[str, ...] = ()           # a refusal must name one of these (else the gate did not fire)


# ---------------------------------------------------------------- input builders

def nip(i: int = 0) -> str:
    """A plausible 18-digit NIP: born 1985-03-12, CPNS January 2010, male, sequence i+1."""
    return f"19850312201001{1 + i % 2}{i % 999 + 1:03d}"


def ratings(n_ratees: int = 24, n_raters: int = 6, items: int = 3, ids: Callable[[int], str] | None = None,
            rater_ids: Callable[[int], str] | None = None, seed: int = 3) -> pd.DataFrame:
    """A connected crossed design: every ratee rated by three raters on ``items`` items (scores 1-3)."""
    rng = np.random.default_rng(seed)
    ids = ids or (lambda i: f"E{i:03d}")
    rater_ids = rater_ids or (lambda j: f"R{j:02d}")
    rows = []
    for i in range(n_ratees):
        for j in sorted({i % n_raters, (i + 1) % n_raters, (i + 2) % n_raters}):
            for k in range(items):
                rows.append((ids(i), rater_ids(j), "atasan" if j == i % n_raters else "rekan", f"item{k}",
                             int(rng.integers(1, 4))))
    return pd.DataFrame(rows, columns=["ratee_id", "rater_id", "rater_role", "item", "score"])


def employees(n: int = 24, ids: Callable[[int], str] | None = None) -> pd.DataFrame:
    ids = ids or (lambda i: f"E{i:03d}")
    return pd.DataFrame({
        "employee_id": [ids(i) for i in range(n)],
        "unit": [f"U{i % 3}" for i in range(n)],
        "sex": ["M" if i % 2 else "F" for i in range(n)],
        "position": ["Pelaksana"] * n,
        "predikat": ["Baik" if i % 3 else "Sangat Baik" for i in range(n)],
        "supervisor_id": ["0"] + [ids(0)] * (n - 1),
    })


def write(df: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    elif path.suffix == ".xlsx":
        df.to_excel(path, index=False)
    else:
        df.to_csv(path, index=False)
    return path


def keys_of(body: str) -> tuple[str, ...]:
    """The keys a TOML snippet sets (a refusal must name one of them)."""
    return tuple(ln.split("=")[0].strip() for ln in body.splitlines() if "=" in ln and not ln.startswith("["))


def policy_file(d: Path, body: str, name: str = "p.toml", base: str = "permenpan-6-2022") -> str:
    (d / name).write_text(f'extends = "{base}"\nname = "rt"\ntitle = "red team"\n{body}\n', encoding="utf-8")
    return name


def scenario_file(d: Path, body: str, name: str = "s.toml") -> str:
    (d / name).write_text(f'extends = "neutral"\nname = "rts"\ntitle = "red team"\n{body}\n', encoding="utf-8")
    return name


PERSONAL = ("NIP", "name", "personal")
SIM = ["simulate", "--policy", "permenpan-6-2022", "--n", "60"]


# ---------------------------------------------------------------- checks

def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def no_nip_in_outputs(target: str) -> Callable:
    """The output (file or folder) must not hold the NIP's 18 digits nor its first 14 (birth date + start)."""
    def check(d: Path, proc) -> str | None:
        paths = [d / target] if (d / target).is_file() else sorted((d / target).rglob("*"))
        for p in paths:
            if not p.is_file():
                continue
            if p.suffix in (".parquet", ".xlsx"):
                df = pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_excel(p, dtype=str)
                text = df.astype(str).to_csv()
            else:
                text = p.read_text(encoding="utf-8", errors="replace")
            for line in text.splitlines():
                if "19850312201001" in digits_of(line.replace("\u00a0", "")) or "1.98503" in line:
                    return f"{p.name}: raw NIP left: {line[:80]!r}"
        return None
    return check


def no_text(target: str, *needles: str) -> Callable:
    def check(d: Path, proc) -> str | None:
        p = d / target
        files = [p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else []
        for f in files:
            text = (pd.read_excel(f, dtype=str).to_csv() if f.suffix == ".xlsx" else
                    f.read_text(encoding="utf-8", errors="replace") if f.suffix != ".parquet"
                    else pd.read_parquet(f).astype(str).to_csv())
            for n in needles:
                if n in text:
                    return f"{f.name}: still holds {n!r}"
        return None
    return check


def no_live_formula(target: str) -> Callable:
    """No CSV cell begins with = + - @ unless it is a plain number; no xlsx cell is a formula."""
    def check(d: Path, proc) -> str | None:
        p = d / target
        files = [p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else []
        for f in files:
            if f.suffix == ".xlsx":
                import openpyxl
                wb = openpyxl.load_workbook(f)
                for ws in wb:
                    for row in ws.iter_rows():
                        for c in row:
                            if c.data_type == "f":
                                return f"{f.name}: live formula in {c.coordinate}: {c.value!r}"
            elif f.suffix == ".csv":
                df = pd.read_csv(f, dtype=str, keep_default_na=False, header=None)
                for v in df.to_numpy().ravel():
                    s = str(v)
                    if s[:1] in ("=", "+", "-", "@") and not _plain_number(s):
                        return f"{f.name}: cell {s[:40]!r} starts a formula"
        return None
    return check


def _plain_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def file_kept(rel: str, content: str) -> Callable:
    def check(d: Path, proc) -> str | None:
        p = d / rel
        if not p.is_file():
            return f"the user's file {rel} was deleted"
        if p.read_text(encoding="utf-8") != content:
            return f"the user's file {rel} was overwritten"
        return None
    return check


def all_of(*checks: Callable) -> Callable:
    def check(d: Path, proc) -> str | None:
        for c in checks:
            msg = c(d, proc)
            if msg:
                return msg
        return None
    return check


# ---------------------------------------------------------------- the cases

def cases() -> list[Case]:
    out: list[Case] = []
    add = out.append

    # ---- (1) policy and scenario files
    def growing(d: Path):
        (d / "in").mkdir()
        (d / "in" / "d.toml").write_text('extends = "../in/d.toml"\nname = "x"\n')
        return ["policies", "show", "in/d.toml"]
    add(Case("extends chain with a growing path", "policy files", growing))

    def self_ext(d: Path):
        (d / "a.toml").write_text('extends = "a.toml"\nname = "x"\n')
        return ["policies", "show", "a.toml"]
    add(Case("extends itself", "policy files", self_ext))

    def abs_loop(d: Path):
        (d / "a.toml").write_text(f'extends = "{d}/b.toml"\n')
        (d / "b.toml").write_text(f'extends = "{d}/./a.toml"\n')
        return ["policies", "show", "a.toml"]
    add(Case("extends loop through absolute and ./ paths", "policy files", abs_loop))

    def symlink_loop(d: Path):
        (d / "a.toml").write_text('extends = "link.toml"\n')
        (d / "link.toml").symlink_to(d / "a.toml")
        return ["policies", "show", "a.toml"]
    add(Case("extends loop through a symlink", "policy files", symlink_loop))

    def long_chain(d: Path):
        (d / "c0.toml").write_text('extends = "permenpan-6-2022"\nname = "c"\n')
        for i in range(1, 3000):
            (d / f"c{i}.toml").write_text(f'extends = "c{i - 1}.toml"\n')
        return ["policies", "show", "c2999.toml"]
    add(Case("extends chain 3000 files long", "policy files", long_chain))

    def non_utf8(d: Path):
        (d / "p.toml").write_bytes(b'extends = "permenpan-6-2022"\nname = "x\xff"\n')
        return ["policies", "show", "p.toml"]
    add(Case("non-UTF-8 byte in a policy file", "policy files", non_utf8))

    def non_utf8_scen(d: Path):
        (d / "s.toml").write_bytes(b'extends = "neutral"\ntitle = "\xe9t\xe9"\n')
        return SIM + ["--scenario", "s.toml", "--out", "o"]
    add(Case("non-UTF-8 byte in a scenario file", "policy files", non_utf8_scen))

    def utf16(d: Path):
        (d / "p.toml").write_bytes('extends = "permenpan-6-2022"\n'.encode("utf-16"))
        return ["policies", "show", "p.toml"]
    add(Case("UTF-16 policy file", "policy files", utf16))

    def deep_arrays(d: Path):
        (d / "p.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
        return ["policies", "show", "p.toml"]
    add(Case("TOML array nested 5000 deep", "policy files", deep_arrays))

    def deep_inline(d: Path):
        (d / "p.toml").write_text("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n")
        return ["policies", "show", "p.toml"]
    add(Case("TOML inline table nested 3000 deep", "policy files", deep_inline))

    def deep_tables(d: Path):
        (d / "p.toml").write_text('extends = "permenpan-6-2022"\n[' + ".".join(["k"] * 3000) + "]\nx = 1\n")
        return ["policies", "show", "p.toml"]
    add(Case("TOML table header 3000 keys deep", "policy files", deep_tables))

    def deep_scen(d: Path):
        (d / "s.toml").write_text('extends = "neutral"\n[rater]\nx = ' + "[" * 4000 + "]" * 4000 + "\n")
        return SIM + ["--scenario", "s.toml", "--out", "o"]
    add(Case("scenario with an array nested 4000 deep", "policy files", deep_scen))

    def binary(d: Path):
        (d / "p.toml").write_bytes(os.urandom(4096))
        return ["policies", "show", "p.toml"]
    add(Case("binary garbage as a policy", "policy files", binary))

    def empty(d: Path):
        (d / "p.toml").write_text("")
        return ["policies", "show", "p.toml"]
    add(Case("empty policy file", "policy files", empty))

    def ext_dir(d: Path):
        (d / "sub.toml").mkdir()
        (d / "p.toml").write_text('extends = "sub.toml"\n')
        return ["policies", "show", "p.toml"]
    add(Case("extends a directory", "policy files", ext_dir))

    def ext_int(d: Path):
        (d / "p.toml").write_text("extends = 5\n")
        return ["policies", "show", "p.toml"]
    add(Case("extends is a number", "policy files", ext_int))

    def ext_empty(d: Path):
        (d / "p.toml").write_text('extends = ""\n')
        return ["policies", "show", "p.toml"]
    add(Case("extends is an empty string", "policy files", ext_empty))

    def ext_proc(d: Path):
        (d / "p.toml").write_text('extends = "/proc/self/mem"\n')
        return ["policies", "show", "p.toml"]
    add(Case("extends /proc/self/mem", "policy files", ext_proc))

    def ext_devzero(d: Path):
        (d / "p.toml").write_text('extends = "/dev/zero"\n')
        return ["policies", "show", "p.toml"]
    add(Case("extends /dev/zero (endless file)", "policy files", ext_devzero))

    def policy_fifo(d: Path):
        os.mkfifo(d / "p.toml")
        return ["policies", "show", "p.toml"]
    add(Case("policy file is a FIFO", "policy files", policy_fifo))

    def big_policy(d: Path):
        (d / "p.toml").write_text('extends = "permenpan-6-2022"\ndescription = "' + "x" * 60_000_000 + '"\n')
        return ["policies", "show", "p.toml"]
    add(Case("60 MB policy file", "policy files", big_policy))

    for label, body in [
        ("formula in the policy name", 'name = "=HYPERLINK(\\"http://x\\",\\"y\\")"'),
        ("newline in the policy name", 'name = "a\\nb"'),
        ("path separator in the policy name", 'name = "../../etc/x"'),
        ("empty policy name", 'name = ""'),
    ]:
        def named(d: Path, body=body):
            (d / "p.toml").write_text(f'extends = "permenpan-6-2022"\ntitle = "t"\n{body}\n')
            return ["compare", "--policies", "p.toml", "--n", "40", "--reps", "2", "--quiet", "--no-report",
                    "--out", "o"]
        add(Case(label, "policy files", named, check=no_live_formula("o")))

    def scen_formula(d: Path):
        (d / "s.toml").write_text('extends = "neutral"\nname = "@SUM(1+1)"\ntitle = "t"\n')
        return ["compare", "--policies", "permenpan-6-2022", "--scenario", "s.toml", "--n", "40", "--reps", "2",
                "--quiet", "--no-report", "--out", "o"]
    add(Case("formula in the scenario name", "policy files", scen_formula, check=no_live_formula("o")))

    # ---- (1b) numbers in policy and scenario files
    policy_numbers = [
        ("cutpoint NaN", "[components.hasil_kerja.scale]\ncutpoints = [nan, 0.84]"),
        ("cutpoint -inf", "[components.hasil_kerja.scale]\ncutpoints = [-inf, 0.84]"),
        ("cutpoint inf", "[components.hasil_kerja.scale]\ncutpoints = [-1.28, inf]"),
        ("cutpoint 1e308", "[components.hasil_kerja.scale]\ncutpoints = [-1e308, 1e308]"),
        ("weight NaN", "[components.hasil_kerja]\nweight = nan"),
        ("rater weight NaN", "[components.hasil_kerja.raters]\natasan = nan"),
        ("behaviour_above inf", "[rating]\nbehaviour_above = inf"),
        ("capaian_above NaN", "[rating]\ncapaian_above = nan"),
        ("capaian_above 1e308", "[rating]\ncapaian_above = 1e308\ncapaian_meets = -1e308"),
        ("quota unit_noise_sd inf", "[quota]\nunit_noise_sd = inf"),
        ("quota unit_cutpoints NaN", "[quota]\nunit_cutpoints = [nan, -1.2, -0.5, 0.8]"),
        ("burden minutes inf", "[burden]\nminutes_per_rating = inf"),
        ("burden minutes 1e308", "[burden]\nminutes_per_rating = 1e308\nminutes_per_report = 1e308"),
        ("scale step 1e-300", "[components.hasil_kerja.scale]\nstep = 1e-300"),
        ("scale max inf", "[components.hasil_kerja.scale]\nmax = inf"),
    ]
    for label, body in policy_numbers:
        add(Case(f"policy: {label}", "numbers", lambda d, body=body: SIM[:2] + [policy_file(d, body)] + SIM[3:]
                 + ["--out", "o"], refuse_about=keys_of(body)))
    pp46 = [
        ("band min_score NaN", "[[predikat.bands]]\npredikat = \"Sangat Baik\"\nmin_score = nan\n"
                               "[[predikat.bands]]\npredikat = \"Baik\"\nmin_score = 76"),
        ("waktu_factor inf", "[rating]\nwaktu_factor = inf"),
        ("efficiency_threshold NaN", "[rating]\nefficiency_threshold = nan"),
        ("weights_360 NaN", "[rating]\nweights_360 = [nan, nan]"),
        ("numeric scale spread inf", "[components.perilaku.scale]\nspread = inf"),
        ("numeric scale center NaN", "[components.perilaku.scale]\ncenter = nan"),
    ]
    for label, body in pp46:
        base = "pp-30-2019" if "360" in label else "pp-46-2011"
        add(Case(f"policy: {label}", "numbers",
                 lambda d, body=body, base=base: ["simulate", "--policy", policy_file(d, body, base=base), "--n", "60",
                                                  "--out", "o"], refuse_about=keys_of(body)))
    scenario_numbers = [
        ("leniency_sd inf", "[rater]\nleniency_sd = inf"),
        ("leniency_sd 1e308", "[rater]\nleniency_sd = 1e308"),
        ("leniency_mean NaN", "[rater]\nleniency_mean = nan"),
        ("leniency_mean 1e308", "[rater]\nleniency_mean = 1e308"),
        ("noise_sd inf", "[rater]\nnoise_sd = inf"),
        ("favouritism 1e308", "[rater]\nfavouritism = 1e308"),
        ("drift_mean -inf", "[rater]\ndrift_mean = -inf"),
        ("self_inflation NaN", "[rater]\nself_inflation = nan"),
        ("fatigue_threshold inf", "[rater]\nfatigue_threshold = inf\nfatigue = 1e300"),
        ("component_corr NaN", "[population]\ncomponent_corr = nan"),
        ("unit_context_sd inf", "[population]\nunit_context_sd = inf"),
        ("item_sd 1e308", "[population]\nitem_sd = 1e308"),
        ("innovation_slope 1e308", "[population]\ninnovation_slope = 1e308"),
        ("team_size 1e9", "[population]\nteam_size = 1000000000"),
        ("count_per_year 1e308", "[indicators]\ncount_per_year = 1e308"),
        ("budget_per_year inf", "[indicators]\nbudget_per_year = inf"),
        ("slack_mean NaN", "[indicators]\nslack_mean = nan"),
    ]
    for label, body in scenario_numbers:
        pol = "pontianak" if label.startswith(("count", "budget", "slack")) else "permenpan-6-2022"
        add(Case(f"scenario: {label}", "numbers",
                 lambda d, body=body, pol=pol: ["simulate", "--policy", pol, "--n", "60", "--scenario",
                                                scenario_file(d, body), "--out", "o"], refuse_about=keys_of(body)))

    # ---- (2) options
    for cmd in ("simulate", "analyze", "calibrate", "compare", "demo"):
        add(Case(f"{cmd} --seed -1", "options", lambda d, cmd=cmd: _with_seed(d, cmd, "-1")))
    add(Case("simulate --seed 2**70", "options", lambda d: SIM + ["--seed", str(2**70), "--out", "o"],
             expect="result"))
    add(Case("analyze --n-boot -5", "options", lambda d: _analyze(d, ["--n-boot", "-5"])))
    add(Case("analyze --n-boot 1000000000", "options", lambda d: _analyze(d, ["--n-boot", "1000000000"])))
    add(Case("calibrate --bootstrap 1000000000", "options",
             lambda d: ["calibrate", str(write(_cal_ratings(), d / "r.csv")), "--bootstrap", "1000000000", "--out",
                        "c.toml"]))
    add(Case("anonymize --k 0", "options", lambda d: _anon(d, ["--k", "0"])))
    add(Case("anonymize --k -3", "options", lambda d: _anon(d, ["--k", "-3"])))
    for n in ("1000000000", "0", "-5", "1e3", "99999999999999999999999"):
        add(Case(f"simulate --n {n}", "options", lambda d, n=n: ["simulate", "--policy", "permenpan-6-2022", "--n", n,
                                                                  "--out", "o"]))
    for reps in ("1000000000", "0", "-1"):
        add(Case(f"compare --reps {reps}", "options",
                 lambda d, reps=reps: ["compare", "--policies", "permenpan-6-2022", "--n", "40", "--reps", reps,
                                       "--quiet", "--out", "o"]))
    add(Case("compare --n 1000000000", "options",
             lambda d: ["compare", "--policies", "permenpan-6-2022", "--n", "1000000000", "--reps", "2", "--quiet",
                        "--out", "o"]))
    for w in ("0", "-3", "100000"):
        add(Case(f"compare --workers {w}", "options",
                 lambda d, w=w: ["compare", "--policies", "permenpan-6-2022", "--n", "40", "--reps", "2",
                                 "--workers", w, "--quiet", "--out", "o"]))
    for sw in ("rater.favouritism=0:1:1e-9", "rater.favouritism=0:1e300:1", "rater.favouritism=nan",
               "rater.favouritism=inf", "rater.leniency_sd=1e308", "population.team_size=1e9",
               "components.hasil_kerja.weight=nan", "rater.favouritism=0:inf:1"):
        add(Case(f"compare --sweep {sw}", "options",
                 lambda d, sw=sw: ["compare", "--policies", "permenpan-6-2022", "--n", "40", "--reps", "2",
                                   "--sweep", sw, "--quiet", "--out", "o"]))
    add(Case("compare: five crossed sweeps of 101 values", "options",
             lambda d: ["compare", "--policies", "permenpan-6-2022", "--n", "40", "--reps", "2", "--quiet",
                        "--out", "o"] + [a for k in ("favouritism", "leniency_sd", "noise_sd", "halo_sd", "drift_sd")
                                         for a in ("--sweep", f"rater.{k}=0:1:0.01")]))
    for sched in ("not a url", "tcp://127.0.0.1:9", "tcp://[::1", "http://example.invalid:8786"):
        add(Case(f"compare --scheduler {sched!r}", "options",
                 lambda d, sched=sched: ["compare", "--policies", "permenpan-6-2022", "--n", "40", "--reps", "2",
                                         "--scheduler", sched, "--quiet", "--out", "o"]))
    add(Case("compare on a Dask scheduler with no worker", "options", lambda d: [], special="dask-noworker"))

    for target in ("", "/", "/proc/x", "/dev/null/x", "/sys/x"):
        for cmd in ("simulate", "analyze", "compare"):
            add(Case(f"{cmd} --out {target!r}", "options", lambda d, cmd=cmd, target=target: _with_out(d, cmd, target),
                     notes={"root_write": target == "/"}))
    for target in ("", "/", "/proc/x.toml"):
        add(Case(f"calibrate --out {target!r}", "options",
                 lambda d, target=target: ["calibrate", str(write(_cal_ratings(), d / "r.csv")), "--bootstrap", "2",
                                           "--out", target]))
        add(Case(f"anonymize --out {target!r}", "options", lambda d, target=target: _anon(d, [], out=target)))
    add(Case("simulate --out an existing file", "options",
             lambda d: ((d / "f").write_text("x"), SIM + ["--out", "f"])[1]))
    add(Case("analyze --bias-group missing column", "options",
             lambda d: _analyze(d, ["--method", "mfrm", "--bias-group", "nope"])))
    add(Case("analyze --item missing column", "options", lambda d: _analyze(d, ["--item", "nope"])))
    add(Case("analyze --policy missing", "options", lambda d: _analyze(d, ["--policy", "nope"])))
    add(Case("anonymize --quasi missing column", "options", lambda d: _anon(d, ["--quasi", "nope"])))
    add(Case("anonymize --as-of 0001-01-01", "options", lambda d: _anon(d, ["--as-of", "0001-01-01"]),
             expect="result"))
    add(Case("policies show ''", "options", lambda d: ["policies", "show", ""]))
    add(Case("simulate --format xlsx", "options", lambda d: SIM + ["--format", "xlsx", "--out", "o"]))
    add(Case("compare --policies ''", "options",
             lambda d: ["compare", "--policies", "", "--n", "40", "--reps", "2", "--out", "o"]))
    add(Case("compare --policies all,all", "options",
             lambda d: ["compare", "--policies", "permenpan-6-2022,permenpan-6-2022", "--n", "40", "--reps", "2",
                        "--out", "o"]))

    # ---- (3) calibrate / analyze on a single rater
    def one_rater(d: Path):
        return ["calibrate", str(write(_cal_ratings(n_raters=1), d / "r.csv")), "--bootstrap", "5", "--out", "c.toml"]
    add(Case("calibrate on a single rater", "single rater", one_rater,
             check=lambda d, p: "leniency_sd = 0.0 written as an estimate"
             if (d / "c.toml").is_file() and "leniency_sd" in (d / "c.toml").read_text()
             and "not estimable" not in (d / "c.toml").read_text() else None, expect="refuse"))

    def one_rater_analyze(d: Path):
        df = ratings(n_raters=1)
        return ["analyze", str(write(df, d / "r.csv")), "--item", "item", "--method", "crossed", "--out", "o"]
    add(Case("analyze crossed on a single rater", "single rater", one_rater_analyze))

    def two_ratees(d: Path):
        df = ratings(n_ratees=1, n_raters=3)
        return ["calibrate", str(write(df, d / "r.csv")), "--bootstrap", "5", "--out", "c.toml"]
    add(Case("calibrate on a single ratee", "single rater", two_ratees))

    # ---- (4) personal data: NIP spellings through every gate
    spellings = {
        "plain": lambda i: nip(i),
        "parts with spaces": lambda i: f"{nip(i)[:8]} {nip(i)[8:14]} {nip(i)[14]} {nip(i)[15:]}",
        "groups of four": lambda i: " ".join(nip(i)[k:k + 4] for k in range(0, 18, 4)),
        "dots": lambda i: f"{nip(i)[:8]}.{nip(i)[8:14]}.{nip(i)[14]}.{nip(i)[15:]}",
        "dashes": lambda i: f"{nip(i)[:8]}-{nip(i)[8:14]}-{nip(i)[14]}-{nip(i)[15:]}",
        "no-break spaces": lambda i: f"{nip(i)[:8]}\u00a0{nip(i)[8:14]}\u00a0{nip(i)[14]}\u00a0{nip(i)[15:]}",
        "groups of four, dots": lambda i: ".".join(nip(i)[k:k + 4] for k in range(0, 18, 4)),
        "Excel scientific": lambda i: f"{float(nip(i)):.5E}".replace("E+", "E+"),
        "apostrophe prefix": lambda i: "'" + nip(i),
        "full-width digits": lambda i: nip(i).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "narrow no-break spaces": lambda i: f"{nip(i)[:8]}\u202f{nip(i)[8:14]}\u202f{nip(i)[14]}\u202f{nip(i)[15:]}",
    }
    numeric = {"float64 Parquet": "float", "int64 Parquet": "int"}
    gates = ("analyze ratings", "analyze --employees", "calibrate ratings", "calibrate --employees",
             "simulate --population", "compare --population", "anonymize")
    for sname, spell in list(spellings.items()) + [(k, v) for k, v in numeric.items()]:
        for gate in gates:
            add(Case(f"NIP {sname} -> {gate}", "personal data",
                     lambda d, spell=spell, gate=gate: _nip_gate(d, spell, gate),
                     expect="result" if gate == "anonymize" else "refuse", refuse_about=PERSONAL,
                     check=no_nip_in_outputs("anon.csv") if gate == "anonymize" else None))
    add(Case("NIP inside free text -> analyze ratings", "personal data", refuse_about=PERSONAL, setup=
             lambda d: _with_extra_col(d, "catatan", lambda i: f"lihat NIP {nip(i)} ya")))
    add(Case("NIP groups of four inside free text -> anonymize", "personal data",
             lambda d: _anon_df(d, pd.DataFrame({"employee_id": [f"E{i}" for i in range(20)],
                                                 "catatan": [f"NIP {' '.join(nip(i)[k:k+4] for k in range(0,18,4))} ok"
                                                             for i in range(20)]})),
             expect="result", check=no_nip_in_outputs("anon.csv")))
    names = ["Rahmat Harahap", "Budi Santoso", "Dewi Lestari", "Siti Rahayu", "Agus Wibowo", "Putri Kusuma",
             "Joko Nugroho", "Indah Setiawan", "Hadi Pratama", "Sari Wijaya", "Teguh Purnomo", "Yuni Siregar"]
    name = lambda i: names[i % len(names)] + ("" if i < len(names) else f" {chr(65 + i % 26)}.")
    add(Case("names under header Pegawai -> simulate --population", "personal data", refuse_about=PERSONAL, setup=
             lambda d: ["simulate", "--policy", "permenpan-6-2022", "--population",
                        str(write(employees().assign(Pegawai=[name(i) for i in range(24)]), d / "e.csv")),
                        "--out", "o"]))
    add(Case("names under header Pegawai -> analyze ratings", "personal data", refuse_about=PERSONAL, setup=
             lambda d: _with_extra_col(d, "Pegawai", name)))
    add(Case("names under header Pegawai -> analyze --employees", "personal data", refuse_about=PERSONAL, setup=
             lambda d: _analyze(d, ["--employees", str(write(employees().assign(Pegawai=[name(i) for i in range(24)]),
                                                             d / "e.csv")), "--group", "sex"])))
    add(Case("names under header Pegawai -> anonymize", "personal data",
             lambda d: _anon_df(d, employees().assign(Pegawai=[name(i) for i in range(24)])), expect="result",
             check=no_text("anon.csv", "Rahmat Harahap", "Budi Santoso")))
    add(Case("names under header PIC (all caps) -> anonymize", "personal data",
             lambda d: _anon_df(d, employees().assign(PIC=[name(i).upper() for i in range(24)])), expect="result",
             check=no_text("anon.csv", "RAHMAT HARAHAP", "BUDI SANTOSO")))
    add(Case("first names in free text -> anonymize", "personal data",
             lambda d: _anon_df(d, employees().assign(Nama=[name(i) for i in range(24)],
                                                      catatan=[f"{name(i).split()[0]} sering terlambat"
                                                               for i in range(24)])),
             expect="result", check=no_text("anon.csv", "Budi sering", "Rahmat sering", "Dewi sering")))
    add(Case("raw names and NIPs -> analyze --employees (one gate)", "personal data", refuse_about=PERSONAL, setup=
             lambda d: _analyze(d, ["--employees", str(write(employees().assign(NIP=[nip(i) for i in range(24)],
                                                                                Nama=[name(i) for i in range(24)]),
                                                             d / "e.csv")), "--group", "sex"])))

    def kanon(d: Path):
        return ["anonymize", str(SAMPLES / "pegawai_contoh_mentah.csv"), "--key-file", "k.key", "--create-key",
                "--derive-from-nip", "--as-of", "2024-12-31", "--out", "anon.csv"]
    add(Case("k-anonymity report on Indonesian headers", "personal data", kanon, expect="result",
             check=lambda d, p: None if "Unit Kerja" in p.stdout and "k = 1" in p.stdout
             else "k-anonymity ignores Unit Kerja/Jabatan: " + next((ln for ln in p.stdout.splitlines()
                                                                     if "k-anonymity" in ln), "")[:100]))

    def demo_key(d: Path):
        return ["anonymize", str(SAMPLES / "pegawai_contoh_mentah.csv"), "--key-file", str(SAMPLES / "demo.key"),
                "--out", "anon.csv"]
    add(Case("the published demo.key on data outside the samples", "personal data",
             lambda d: (shutil.copy(SAMPLES / "pegawai_contoh_mentah.csv", d / "real.csv"),
                        ["anonymize", "real.csv", "--key-file", str(SAMPLES / "demo.key"), "--out", "anon.csv"])[1],
             check=lambda d, p: None if "demo" in p.stderr.lower() and "key" in p.stderr.lower()
             else "the published key was used silently"))

    def perms(d: Path):
        return ["anonymize", str(SAMPLES / "pegawai_contoh_mentah.csv"), "--key-file", "k.key", "--create-key",
                "--out", "anon.csv"]
    add(Case("anonymized output permissions", "personal data", perms, expect="result",
             check=lambda d, p: None if (d / "anon.csv").stat().st_mode & 0o044 and
             (d / "k.key").stat().st_mode & 0o077 == 0 else
             f"modes: output {oct((d / 'anon.csv').stat().st_mode & 0o777)}, key {oct((d / 'k.key').stat().st_mode & 0o777)}"))

    # ---- (5) outputs: formulas, user files, concurrency, interruption
    for col, val in (("rater_id", '=HYPERLINK("http://x","click")'), ("item", "+SUM(1,2)"), ("rater_id", "@cmd"),
                     ("item", "-2+3"), ("rater_id", "\t=1+1")):
        def inj(d: Path, col=col, val=val):
            df = ratings()
            df.loc[df[col] == df[col].iloc[0], col] = val
            return ["analyze", str(write(df, d / "r.csv")), "--item", "item", "--method", "standardize",
                    "--out", "o"]
        add(Case(f"analyze: {col} {val!r} reaches the CSV outputs", "outputs", inj, expect="result",
                 check=no_live_formula("o")))

    def inj_group(d: Path):
        e = employees().assign(sex=["=1+1" if i % 2 else "F" for i in range(24)])
        return _analyze(d, ["--employees", str(write(e, d / "e.csv")), "--group", "sex", "--n-boot", "20"])
    add(Case("analyze: group value '=1+1' in fairness.csv", "outputs", inj_group, expect="result",
             check=no_live_formula("o")))

    def inj_reject(d: Path):
        df = ratings().astype({"score": object})
        df.loc[0, "score"] = "=cmd|' /C calc'!A0"
        return ["analyze", str(write(df, d / "r.csv")), "--item", "item", "--method", "standardize",
                "--skip-invalid", "--out", "o"]
    add(Case("analyze: formula score in rejected_rows.csv", "outputs", inj_reject, expect="result",
             check=no_live_formula("o")))
    for suffix in (".xlsx", ".csv"):
        add(Case(f"anonymize --out {suffix} with a formula cell", "outputs",
                 lambda d, suffix=suffix: _anon_df(d, employees().assign(catatan="=1+1"), out=f"anon{suffix}"),
                 expect="result", check=no_live_formula(f"anon{suffix}")))
    add(Case("anonymize: formula column header", "outputs",
             lambda d: _anon_df(d, employees().assign(**{"=cmd()": "x"})), expect="result",
             check=no_live_formula("anon.csv")))
    add(Case("calibrate --name '=x'", "outputs",
             lambda d: ["calibrate", str(write(_cal_ratings(), d / "r.csv")), "--bootstrap", "2", "--name", "=x",
                        "--out", "c.toml"]))

    for cmd, fname in (("simulate", "indicators.csv"), ("simulate", "scores.csv"), ("analyze", "report.md"),
                       ("analyze", "fairness.csv"), ("compare", "summary.csv"), ("compare", "report.html")):
        def userfile(d: Path, cmd=cmd, fname=fname):
            (d / "o").mkdir()
            (d / "o" / fname).write_text("my own notes\n", encoding="utf-8")
            return _with_out(d, cmd, "o")
        add(Case(f"{cmd} into a folder holding the user's {fname}", "outputs", userfile, expect="either",
                 check=file_kept(f"o/{fname}", "my own notes\n")))
    add(Case("two compare runs into one --out (one --restart)", "outputs", lambda d: [], special="concurrent"))
    add(Case("simulate interrupted by SIGINT", "outputs", lambda d: [], special="interrupt-int"))
    add(Case("simulate interrupted by SIGTERM", "outputs", lambda d: [], special="interrupt-term"))

    # ---- (6) input files
    def raw_file(d: Path, name: str, data: bytes, cmd: str = "analyze"):
        (d / name).write_bytes(data)
        if cmd == "analyze":
            return ["analyze", name, "--method", "standardize", "--out", "o"]
        return ["simulate", "--policy", "permenpan-6-2022", "--population", name, "--out", "o"]
    files = [
        ("empty CSV", "r.csv", b""),
        ("header only", "r.csv", b"ratee_id,rater_id,score\n"),
        ("NUL bytes", "r.csv", b"ratee_id,rater_id,score\n\x00\x00,a,1\n"),
        ("binary as .parquet", "r.parquet", os.urandom(2000)),
        ("binary as .xlsx", "r.xlsx", os.urandom(2000)),
        ("zip bomb-ish xlsx header", "r.xlsx", b"PK\x03\x04" + b"\x00" * 100),
        ("unbalanced quote", "r.csv", b'ratee_id,rater_id,score\n"a,b,1\nc,d,2\n'),
        ("5000 columns", "r.csv", (",".join(["ratee_id", "rater_id", "score"] + [f"c{i}" for i in range(5000)])
                                   + "\n" + ",".join(["a", "b", "1"] + ["x"] * 5000) + "\n").encode()),
        ("a 20 MB field", "r.csv", b"ratee_id,rater_id,score\n" + b"a" * 20_000_000 + b",b,1\n"),
        ("formula header", "r.csv", b"ratee_id,rater_id,score,=cmd()\na,b,1,x\nc,b,2,y\n"),
        ("score 1e308", "r.csv", ("ratee_id,rater_id,item,score\n" + "".join(
            f"E{i},R{j},i,{'1e308' if (i + j) % 2 else '1'}\n" for i in range(6) for j in range(3))).encode()),
        ("score -1e308", "r.csv", ("ratee_id,rater_id,item,score\n" + "".join(
            f"E{i},R{j},i,{'-1e308' if (i + j) % 2 else '1'}\n" for i in range(6) for j in range(3))).encode()),
        ("score 400 digits", "r.csv", ("ratee_id,rater_id,item,score\n" + "".join(
            f"E{i},R{j},i,{'9' * 400 if (i + j) % 2 else '1'}\n" for i in range(6) for j in range(3))).encode()),
        ("score 999999 beside 1", "r.csv", ("ratee_id,rater_id,item,score\n" + "".join(
            f"E{i},R{(i + j) % 5},i,{'999999' if (i + j) % 2 else '1'}\n" for i in range(60) for j in range(3))).encode()),
        ("scores 0.000001 and 1", "r.csv", ("ratee_id,rater_id,item,score\n" + "".join(
            f"E{i},R{(i + j) % 5},i,{'0.000001' if (i + j) % 2 else '1'}\n" for i in range(60) for j in range(3))).encode()),
        ("score inf", "r.csv", ("ratee_id,rater_id,item,score\n" + "".join(
            f"E{i},R{j},i,{'inf' if (i + j) % 2 else '1'}\n" for i in range(6) for j in range(3))).encode()),
    ]
    for label, name_, data in files:
        add(Case(f"ratings file: {label}", "input files", lambda d, n=name_, b=data: raw_file(d, n, b),
                 expect="result" if label.startswith(("score 999999", "scores 0.0")) else "refuse",
                 check=(lambda d, p: None) if label.startswith(("score 999999", "scores 0.0")) else None))
    add(Case("employees file: empty", "input files", lambda d: raw_file(d, "e.csv", b"", "simulate")))
    add(Case("employees file: supervisor loop", "input files",
             lambda d: raw_file(d, "e.csv", b"employee_id,unit,supervisor_id\na,U,b\nb,U,a\n", "simulate")))
    add(Case("employees Parquet with a list column", "input files",
             lambda d: ["simulate", "--policy", "permenpan-6-2022", "--population",
                        str(write(employees().assign(tags=[[1, 2]] * 24), d / "e.parquet")), "--out", "o"],
             expect="result"))
    add(Case("employees Parquet with a struct column", "input files",
             lambda d: ["simulate", "--policy", "permenpan-6-2022", "--population",
                        str(write(employees().assign(meta=[{"a": 1}] * 24), d / "e.parquet")), "--out", "o"],
             expect="result"))
    add(Case("ratings Parquet with an int score and int ids", "input files",
             lambda d: ["analyze", str(write(ratings(ids=lambda i: i, rater_ids=lambda j: 1000 + j)
                                             .assign(ratee_id=lambda x: x.ratee_id.astype(int)), d / "r.parquet")),
                        "--item", "item", "--method", "standardize", "--out", "o"], expect="result"))
    add(Case("ratings xlsx with a formula cell", "input files",
             lambda d: ["analyze", str(write(ratings().astype({"score": object}).assign(
                 score=lambda x: x.score.where(x.index > 0, "=1+1")), d / "r.xlsx")), "--item", "item",
                 "--method", "standardize", "--out", "o"]))
    return out


def _ratings_file(d: Path) -> str:
    return str(write(ratings(), d / "r.csv"))


def _cal_ratings(n_raters: int = 6) -> pd.DataFrame:
    """Supervisor ratings on the PermenPAN-RB items: each rater rates 8 ratees on every item; scores follow
    each ratee's true level (so the design is calibratable), rater leniency and noise."""
    rng = np.random.default_rng(5)
    items = ["rhk_utama_1", "rhk_utama_2", "berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal",
             "adaptif", "kolaboratif"]
    truth = rng.standard_normal((n_raters, 8))
    lenient = rng.standard_normal(n_raters) * 0.4
    rows = [(f"E{r}_{i}", f"R{r}", "atasan", it,
             int(np.clip(np.round(2 + 0.7 * truth[r, i] + lenient[r] + 0.4 * rng.standard_normal()), 1, 3)))
            for r in range(n_raters) for i in range(8) for it in items]
    return pd.DataFrame(rows, columns=["ratee_id", "rater_id", "rater_role", "item", "score"])


def _analyze(d: Path, extra: list[str]) -> list[str]:
    return ["analyze", _ratings_file(d), "--item", "item", "--method", "standardize", "--n-boot", "20",
            "--out", "o"] + extra


def _anon(d: Path, extra: list[str], out: str = "anon.csv") -> list[str]:
    return ["anonymize", str(SAMPLES / "pegawai_contoh_mentah.csv"), "--key-file", "k.key", "--create-key",
            "--out", out] + extra


def _anon_df(d: Path, df: pd.DataFrame, out: str = "anon.csv") -> list[str]:
    return ["anonymize", str(write(df, d / "in.csv")), "--key-file", "k.key", "--create-key", "--out", out]


def _with_seed(d: Path, cmd: str, seed: str) -> list[str]:
    if cmd == "simulate":
        return SIM + ["--seed", seed, "--out", "o"]
    if cmd == "analyze":
        return _analyze(d, ["--seed", seed])
    if cmd == "calibrate":
        return ["calibrate", str(write(_cal_ratings(), d / "r.csv")), "--bootstrap", "2", "--seed", seed,
                "--out", "c.toml"]
    if cmd == "demo":
        return ["demo", "--policies", "permenpan-6-2022", "--n", "40", "--reps", "2", "--seed", seed, "--quiet",
                "--out", "o"]
    return ["compare", "--policies", "permenpan-6-2022", "--n", "40", "--reps", "2", "--seed", seed, "--quiet",
            "--out", "o"]


def _with_out(d: Path, cmd: str, out: str) -> list[str]:
    if cmd == "simulate":
        return SIM + ["--out", out]
    if cmd == "analyze":
        return _analyze(d, [])[:-2] + ["--out", out]
    return ["compare", "--policies", "permenpan-6-2022", "--n", "40", "--reps", "2", "--quiet", "--out", out]


def _with_extra_col(d: Path, col: str, fn: Callable[[int], str]) -> list[str]:
    df = ratings()
    df[col] = [fn(int(r[1:])) for r in df["ratee_id"]]
    return ["analyze", str(write(df, d / "r.csv")), "--item", "item", "--method", "standardize", "--out", "o"]


def _nip_gate(d: Path, spell: Callable[[int], str] | str, gate: str) -> list[str]:
    """A file whose ID (or a NIP column) holds NIPs in one spelling, through one command."""
    if isinstance(spell, str):   # a numeric column type (Parquet)
        kind = spell
        values = lambda n: (np.array([int(nip(i)) for i in range(n)], dtype=np.int64) if kind == "int"
                            else np.array([float(nip(i)) for i in range(n)]))
        suffix = ".parquet"
    else:
        values = lambda n: [spell(i) for i in range(n)]
        suffix = ".csv"
    if gate == "analyze ratings" or gate == "calibrate ratings":
        df = ratings() if gate.startswith("analyze") else _cal_ratings()
        codes = pd.factorize(df["ratee_id"])[0]
        df["NIP"] = np.asarray(values(codes.max() + 1), dtype=object)[codes]
        if isinstance(spell, str):
            df["NIP"] = df["NIP"].astype(np.int64 if spell == "int" else float)
        f = write(df, d / f"r{suffix}")
        if gate.startswith("analyze"):
            return ["analyze", str(f), "--item", "item", "--method", "standardize", "--out", "o"]
        return ["calibrate", str(f), "--bootstrap", "2", "--out", "o/c.toml"]
    emp = employees().assign(NIP=values(24))
    f = write(emp, d / f"e{suffix}")
    if gate == "analyze --employees":
        return _analyze(d, ["--employees", str(f), "--group", "sex"])
    if gate == "calibrate --employees":
        r = _cal_ratings()
        return ["calibrate", str(write(r, d / "r.csv")), "--employees", str(f), "--bootstrap", "2",
                "--out", "o/c.toml"]
    if gate == "simulate --population":
        return ["simulate", "--policy", "permenpan-6-2022", "--population", str(f), "--out", "o"]
    if gate == "compare --population":
        return ["compare", "--policies", "permenpan-6-2022", "--population", str(f), "--reps", "2", "--quiet",
                "--no-report", "--out", "o"]
    return ["anonymize", str(f), "--key-file", "k.key", "--create-key", "--out", "anon.csv"]


# ---------------------------------------------------------------- running

def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    os.setsid()


def run_one(argv: list[str], cwd: Path, timeout: float) -> tuple[subprocess.CompletedProcess | None, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(ASNSIM + argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace", preexec_fn=_limits, env={**os.environ, "PYTHONHASHSEED": "0"})
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, time.perf_counter() - t0
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), time.perf_counter() - t0


def classify(case: Case, d: Path, proc: subprocess.CompletedProcess | None) -> tuple[str, str]:
    if proc is None:
        return "hang", "time limit"
    err = proc.stderr
    if "MemoryError" in err or "Cannot allocate memory" in err or proc.returncode in (-9, 137):
        return "hang", "memory ran out"
    if "Traceback (most recent call last)" in err:
        last = [ln for ln in err.strip().splitlines() if ln.strip()][-1]
        return "traceback", last[:160]
    if proc.returncode == 2:
        lines = [ln for ln in err.strip().splitlines() if ln.strip() and not ln.startswith("usage:")
                 and not ln.startswith(" ")]
        msg = lines[-1][:160] if lines else ""
        if case.expect == "either":   # a refusal is fine as long as the check (a user's file kept) holds
            problem = case.check(d, proc) if case.check else None
            return ("silent", problem) if problem else ("refusal", msg)
        if case.expect == "result":
            return "silent", "refused where a result was due: " + msg
        if case.refuse_about and not any(w.lower() in err.lower() for w in case.refuse_about):
            return "silent", "refused for another reason (the check did not fire): " + msg
        return "refusal", msg
    if proc.returncode == 0:
        problem = case.check(d, proc) if case.check else None
        if problem:
            return "silent", problem
        if case.expect == "refuse" and case.check is None:
            return "silent", "accepted (exit 0): " + (proc.stdout.strip().splitlines() or [""])[0][:120]
        return "result", "ok"
    return "traceback", f"exit {proc.returncode}: {err.strip()[-160:]}"


def run_special(case: Case, d: Path, timeout: float) -> tuple[str, str]:
    if case.special == "concurrent":
        base = ["compare", "--policies", "permenpan-6-2022", "--n", "300", "--reps", "40", "--quiet", "--no-report",
                "--out", "o"]
        a = subprocess.Popen(ASNSIM + base + ["--seed", "3"], cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        while not any(p.name.endswith(".partial") for p in d.iterdir()) and a.poll() is None:
            time.sleep(0.05)
        b = subprocess.run(ASNSIM + base + ["--seed", "4", "--restart"], cwd=d, capture_output=True, text=True,
                           timeout=timeout)
        a_out, a_err = a.communicate(timeout=timeout)
        if b.returncode == 2 and "Traceback" not in b.stderr and a.returncode == 0:
            return "refusal", b.stderr.strip().splitlines()[-1][:160]
        if a.returncode == 0 and b.returncode == 0:
            return "silent", "both runs wrote into one folder"
        return "traceback", (a_err + b.stderr).strip()[-160:]
    if case.special.startswith("interrupt"):
        sig = signal.SIGINT if case.special.endswith("int") else signal.SIGTERM
        p = subprocess.Popen(ASNSIM + ["simulate", "--policy", "permenpan-6-2022", "--n", "150000", "--out", "o"],
                             cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        t0 = time.time()
        timeout *= 3   # the run must reach its writing stage, on a loaded machine too
        while p.poll() is None and time.time() - t0 < timeout:
            if any(".tmp-" in x.name for x in d.iterdir()):
                time.sleep(0.05)
                p.send_signal(sig)
                break
            time.sleep(0.02)
        out, err = p.communicate(timeout=timeout)
        left = [x.name for x in d.iterdir() if ".tmp-" in x.name]
        if left:
            return "silent", f"temporary folder left behind: {left}"
        if "Traceback" in err:
            return "traceback", err.strip().splitlines()[-1][:160]
        return "refusal", f"exit {p.returncode}; nothing left behind"
    if case.special == "dask-noworker":
        sched = subprocess.Popen([str(Path(sys.executable).with_name("dask")), "scheduler", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(d / "s.json")],
                                 cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=os.setsid)
        try:
            t0 = time.time()
            while not (d / "s.json").is_file() and time.time() - t0 < 30:
                time.sleep(0.2)
            time.sleep(0.5)
            addr = json.loads((d / "s.json").read_text())["address"]
            proc, _ = run_one(["compare", "--policies", "permenpan-6-2022", "--n", "40", "--reps", "2", "--quiet",
                               "--scheduler", addr, "--out", "o"], d, timeout)
            return classify(case, d, proc)
        finally:
            os.killpg(sched.pid, signal.SIGKILL)
            sched.wait()
    raise ValueError(case.special)


def run_case(case: Case, timeout: float) -> dict:
    root_before = set(os.listdir("/")) if case.notes.get("root_write") else None
    with tempfile.TemporaryDirectory(prefix="asnsim-redteam-") as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        try:
            if case.special:
                outcome, detail = run_special(case, d, timeout)
            else:
                argv = case.setup(d)
                proc, _ = run_one(argv, d, timeout)
                outcome, detail = classify(case, d, proc)
        except Exception as exc:  # the harness itself must never stop the pass
            outcome, detail = "harness-error", f"{type(exc).__name__}: {exc}"[:160]
        seconds = time.perf_counter() - t0
    if root_before is not None:
        for name in set(os.listdir("/")) - root_before:   # files a pre-fix run wrote into /
            p = Path("/") / name
            shutil.rmtree(p) if p.is_dir() else p.unlink()
            detail += f" [removed /{name}]"
    return {"name": case.name, "group": case.group, "outcome": outcome, "detail": detail,
            "seconds": round(seconds, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=None, help="run only cases whose name contains this text")
    ap.add_argument("--merge", default=None, help="JSON of an earlier pass: its cases not run now are kept")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--json", default=None, help="write every case's outcome to this file")
    args = ap.parse_args()
    todo = [c for c in cases() if not args.only or args.only in c.name]
    one, five, _ = os.getloadavg()
    print(f"{len(todo)} hostile inputs; time limit {args.timeout:g} s, memory limit {MEMORY_LIMIT / 2**30:g} GiB; "
          f"load average {one:.1f} (1 min) on {os.cpu_count()} cores", flush=True)
    root_cases = [c for c in todo if c.notes.get("root_write")]
    others = [c for c in todo if not c.notes.get("root_write")]
    with ThreadPoolExecutor(args.jobs) as ex:
        results = list(ex.map(lambda c: run_case(c, args.timeout), others))
    results += [run_case(c, args.timeout) for c in root_cases]   # one at a time: they compare listings of /
    for r in results:
        print(f"{r['outcome']:10s} {r['seconds']:6.1f}s  [{r['group']}] {r['name']}: {r['detail']}", flush=True)
    table = pd.crosstab(pd.Series([r["group"] for r in results], name="class"),
                        pd.Series([r["outcome"] for r in results], name="outcome"), margins=True, margins_name="all")
    print()
    print(table.to_string())
    if args.merge:   # rerun some cases of an earlier pass, keep the others
        fresh = {r["name"] for r in results}
        results += [r for r in json.loads(Path(args.merge).read_text(encoding="utf-8")) if r["name"] not in fresh]
        table = pd.crosstab(pd.Series([r["group"] for r in results], name="class"),
                            pd.Series([r["outcome"] for r in results], name="outcome"), margins=True,
                            margins_name="all")
        print(f"\nmerged with {args.merge}: {len(results)} inputs")
        print(table.to_string())
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
