"""Start-up time of the ``asnsim`` command, beside the interpreter's own start-up.

Usage: ``python benchmarks/bench_startup.py [RUNS]`` (default 7 runs per command).

Each command runs as a fresh process (``subprocess.run``, wall time), as a user
typing it would start it.  Goal (issue 14): ``asnsim --help`` and ``asnsim
policies`` under 0.5 s.  References measured in the same run: a bare Python
(``python -c pass``), and Python importing numpy and pandas (what a command
that reads data cannot avoid).  The median and the fastest run are printed; the
machine may be shared, so the ratio to the bare interpreter is the robust
figure.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ASNSIM = [sys.executable, "-m", "asnsim"]
COMMANDS = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "python: import numpy, pandas": [sys.executable, "-c", "import numpy, pandas"],
    "asnsim --help": ASNSIM + ["--help"],
    "asnsim policies": ASNSIM + ["policies"],
    "asnsim analyze --help": ASNSIM + ["analyze", "--help"],
}
GOAL_S = 0.5


def wall_times(cmd: list[str], runs: int) -> list[float]:
    """Wall time of ``runs`` fresh processes of ``cmd`` (after one warm-up run for the file cache)."""
    subprocess.run(cmd, capture_output=True, check=True)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        out.append(time.perf_counter() - t0)
    return out


def main(argv: list[str]) -> None:
    runs = int(argv[0]) if argv else 7
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(f"start-up, {runs} fresh processes each; load average {' '.join(load)}")
    print(f"{'command':34s}{'median s':>10s}{'fastest s':>11s}{'x floor':>9s}   goal")
    floor = None
    for label, cmd in COMMANDS.items():
        t = wall_times(cmd, runs)
        med = statistics.median(t)
        floor = floor or med
        goal = f"< {GOAL_S} s: {'met' if med < GOAL_S else 'NOT met'}" if label in (
            "asnsim --help", "asnsim policies") else ""
        print(f"{label:34s}{med:10.3f}{min(t):11.3f}{med / floor:9.1f}   {goal}")


if __name__ == "__main__":
    main(sys.argv[1:])
