"""Reference runs: hash every output of the command line for fixed seeds, to prove a refactoring changes nothing.

Runs ``asnsim simulate`` for every built-in policy under the neutral and default scenarios (and ``--periods all``
for two of them, a ``--population`` run and a Parquet run), ``asnsim compare`` (all policies; a sweep of a policy
key and a scenario key; Indonesian with a reference policy; two scenarios with every period), ``asnsim analyze`` on
the samples with each method (and on a simulated multi-rater design), ``asnsim validate`` (small), ``asnsim
calibrate``, ``asnsim anonymize`` and ``asnsim policies`` (list, show, table), then hashes every file written and
every command's console output::

    python benchmarks/reference_run.py --save hashes.json     # on the commit before the change
    python benchmarks/reference_run.py --check hashes.json    # after each step: lists every file that differs

Run it on a snapshot of the code (``--src``, e.g. ``git archive HEAD | tar -x -C /tmp/snap``), not on a tree
being edited: every command imports the package afresh.

Fields excluded, because they change with the code or the clock and not with the results: in JSON files the keys
``code_sha256`` (a hash of the package's source), ``seconds``, ``started_utc``, ``asnsim_version`` and
``written_by``; in console output, durations written as ``N.N s`` (``N,N detik``).  Give the runs to compare folders
whose paths have the same length (a path analyze writes into a table changes the table's width).  Everything else is compared byte for byte
(Excel workbooks are already written with a fixed 1980 timestamp; PNGs carry no software stamp).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASNSIM = [sys.executable, "-m", "asnsim"]
SAMPLES = ROOT / "data" / "samples"
POLICIES = ["gayungan", "permenpan-6-2022", "pontianak", "pp-30-2019", "pp-46-2011", "salatiga", "sawahlunto", "serang"]
VOLATILE_KEYS = {"code_sha256", "seconds", "started_utc", "asnsim_version", "written_by"}
DURATION = re.compile(rb"\d+([.,]\d+)? ?(s|detik)\b")


def runs() -> list[tuple[str, list[str]]]:
    """(name, arguments) of every reference run; ``{out}`` is the run's output folder."""
    out: list[tuple[str, list[str]]] = []
    for policy in POLICIES:
        for scenario in ("neutral", "default"):
            out.append((f"simulate-{policy}-{scenario}",
                        ["simulate", "--policy", policy, "--scenario", scenario, "--n", "300", "--seed", "11",
                         "--out", "{out}"]))
    for policy in ("salatiga", "permenpan-6-2022"):
        out.append((f"simulate-{policy}-periods",
                    ["simulate", "--policy", policy, "--periods", "all", "--n", "200", "--seed", "4", "--out", "{out}"]))
    out.append(("simulate-population", ["simulate", "--policy", "pp-30-2019", "--population",
                                        str(SAMPLES / "employees.csv"), "--seed", "2", "--out", "{out}"]))
    out.append(("simulate-parquet", ["simulate", "--policy", "serang", "--n", "200", "--seed", "9",
                                     "--format", "parquet", "--out", "{out}"]))
    out.append(("compare-all", ["compare", "--policies", "all", "--n", "300", "--reps", "3", "--seed", "5",
                                "--quiet", "--out", "{out}"]))
    out.append(("compare-sweep", ["compare", "--policies", "salatiga,serang", "--n", "200", "--reps", "2",
                                  "--seed", "6", "--sweep", "components.perilaku_kerja.weight=0.3,0.6",
                                  "--sweep", "rater.favouritism=0:0.4:0.4", "--quiet", "--out", "{out}"]))
    out.append(("compare-id", ["compare", "--policies", "permenpan-6-2022,pp-30-2019,serang", "--reference",
                               "pp-30-2019", "--lang", "id", "--n", "200", "--reps", "3", "--seed", "7",
                               "--quiet", "--out", "{out}"]))
    out.append(("compare-periods", ["compare", "--policies", "sawahlunto,pp-46-2011", "--scenario",
                                    "default,neutral", "--periods", "all", "--n", "150", "--reps", "2",
                                    "--seed", "8", "--quiet", "--out", "{out}"]))
    common = [str(SAMPLES / "ratings.csv"), "--employees", str(SAMPLES / "employees.csv"), "--group", "sex",
              "--policy", "permenpan-6-2022", "--n-boot", "200", "--out", "{out}"]
    for method, extra in (("standardize", []), ("crossed", []), ("mfrm", ["--subsets", "largest"]),
                          ("mixedlm", [])):
        out.append((f"analyze-{method}", ["analyze", *common, "--method", method, *extra]))
    out.append(("analyze-mfrm-each", ["analyze", str(SAMPLES / "ratings.csv"), "--method", "mfrm", "--subsets",
                                      "each", "--item", "item", "--out", "{out}"]))
    out.append(("validate", ["validate", "--n", "2000", "--reps", "2", "--quiet", "--out", "{out}"]))
    out.append(("calibrate", ["calibrate", str(SAMPLES / "ratings.csv"), "--policy", "permenpan-6-2022",
                              "--bootstrap", "20", "--out", "{out}/scenario.toml"]))
    out.append(("anonymize", ["anonymize", str(SAMPLES / "pegawai_contoh_mentah.csv"), "--key-file",
                              str(SAMPLES / "demo.key"), "--as-of", "2025-01-01", "--derive-from-nip",
                              "--out", "{out}/anon.csv"]))
    out.append(("policies-list", ["policies"]))
    out.append(("policies-table", ["policies", "table", "--markdown"]))
    for policy in POLICIES:
        out.append((f"policies-show-{policy}", ["policies", "show", policy]))
    return out


def analyze_simulated(work: Path) -> list[tuple[str, list[str]]]:
    """Analyses of the simulated Serang ratings (several raters per ratee: a connected, crossed design)."""
    ratings = work / "simulate-serang-default" / "ratings.csv"
    return [(f"analyze-serang-{m}{'-' + extra[1] if extra else ''}", ["analyze", str(ratings), "--method", m, "--item", "item", "--n-boot", "100",
                                     *extra, "--out", "{out}"])
            for m, extra in (("standardize", []), ("crossed", []), ("mfrm", ["--subsets", "largest"]),
                             ("mfrm", ["--subsets", "each", "--model", "pcm"]))]


def _normalise_json(data):
    if isinstance(data, dict):
        return {k: _normalise_json(v) for k, v in data.items() if k not in VOLATILE_KEYS}
    if isinstance(data, list):
        return [_normalise_json(v) for v in data]
    return data


def file_hash(path: Path, work: Path) -> str:
    """SHA-256 of a file's bytes; for JSON, of its content without the volatile keys; the run folder's path
    (which analyze writes into analysis.json and report.md) replaced by ``<work>``."""
    raw = path.read_bytes()
    if path.suffix in (".json", ".md", ".csv", ".html", ".toml", ".txt"):
        raw = raw.replace(str(work).encode(), b"<work>")
    if path.suffix == ".json":
        raw = json.dumps(_normalise_json(json.loads(raw)), sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


def run_all(work: Path, env: dict | None = None) -> dict[str, str]:
    hashes: dict[str, str] = {}
    todo = runs()
    done = 0
    while todo:
        for name, args in todo:
            out = work / name
            argv = [a.replace("{out}", str(out)) for a in args]
            if any("{out}/" in a for a in args):
                out.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            proc = subprocess.run(ASNSIM + argv, capture_output=True, cwd=work, env=env)
            print(f"{name:40s} exit {proc.returncode} {time.perf_counter() - start:6.1f} s", flush=True)
            console = DURATION.sub(b"<s>", proc.stdout + b"\n--stderr--\n" + proc.stderr)
            console = console.replace(str(work).encode(), b"<work>")
            (work / f"{name}.console.txt").write_bytes(console)
            hashes[f"{name}/<console>"] = hashlib.sha256(console).hexdigest()
            hashes[f"{name}/<exit>"] = str(proc.returncode)
            if out.is_dir():
                for path in sorted(p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".asnsim")):
                    hashes[f"{name}/{path.relative_to(out)}"] = file_hash(path, work)
        done += 1
        todo = analyze_simulated(work) if done == 1 else []
    return hashes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the hashes to this JSON file")
    group.add_argument("--check", type=Path, help="compare with the hashes in this JSON file")
    parser.add_argument("--keep", type=Path, help="run in this folder (kept) instead of a temporary one")
    parser.add_argument("--src", type=Path, help="run the asnsim package in this source tree (a snapshot, e.g. "
                                                 "from git archive) instead of the installed one")
    args = parser.parse_args()
    env = None
    if args.src:
        import os
        env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        hashes = run_all(args.keep.resolve(), env)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            hashes = run_all(Path(tmp), env)
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
        print(f"{len(hashes)} hashes written to {args.save}")
        return 0
    expected = json.loads(args.check.read_text())
    differ = sorted(k for k in expected.keys() | hashes.keys() if expected.get(k) != hashes.get(k))
    for key in differ:
        print(f"DIFFERS: {key}  {expected.get(key, 'missing')[:12]} -> {hashes.get(key, 'missing')[:12]}")
    print(f"{len(hashes)} hashes, {len(differ)} differ" + (" (byte-identical)" if not differ else ""))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
