"""Live feel of the notebook controls: seconds from a control change to new pictures.

For each app of :mod:`asnsim.widgets` on a 2,000-employee city, moves one
control back and forth ``REPEATS`` times and prints the median and maximum
wall time of a refresh (simulate + figures + PNG encoding), split into the
simulation alone and the rest.  The target (issue 9) is about one second; an
app that cannot meet it should use ``LiveView(run_button=True)``.
Load average is printed because the machine may be shared; the CPU-time
column (``time.process_time`` of the refresh, single-threaded code) is what a
refresh costs on an idle core, whatever the load.

Run: ``.venv/bin/python benchmarks/bench_widgets.py [N]``
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from asnsim import widgets
from asnsim.pipeline import simulate

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
REPEATS = 6
TARGET_S = 1.0

APPS = {
    "workshop (05)": (widgets.workshop, "scenario.rater.favouritism", (1.0, 0.0)),
    "bias_lab (03)": (widgets.bias_lab, "scenario.rater.favouritism", (1.0, 0.0)),
    "rubric_designer (02)": (widgets.rubric_designer, "policy.components.hasil_kerja.weight", (0.8, 0.5)),
}


def main() -> None:
    print(f"n = {N} employees, {REPEATS} refreshes per app, load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    t = time.perf_counter()
    for _ in range(REPEATS):
        simulate("permenpan-6-2022", n=N, seed=1, scenario="default")
    sim_s = (time.perf_counter() - t) / REPEATS
    print(f"simulate() alone: {sim_s:.3f} s per round")
    print(f"{'app':24s} {'median s':>9s} {'max s':>7s} {'figures+tables s':>17s} {'CPU s':>6s}  verdict")
    for name, (make, key, values) in APPS.items():
        view = make(n=N)
        times, cpu = [], []
        for i in range(REPEATS):
            c0 = time.process_time()
            view.set(**{key.replace(".", "__"): values[i % 2]})
            cpu.append(time.process_time() - c0)
            times.append(view.seconds)
        med, med_cpu = statistics.median(times), statistics.median(cpu)
        verdict = ("live" if med <= TARGET_S else
                   "live on an idle core, slowed by load" if med_cpu <= TARGET_S else
                   "slower than 1 s: consider run_button=True")
        print(f"{name:24s} {med:9.3f} {max(times):7.3f} {med - sim_s:17.3f} {med_cpu:6.3f}  {verdict}")


if __name__ == "__main__":
    main()
