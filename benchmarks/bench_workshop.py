"""The workshop dashboard as a room meets it: seconds to the first figure, memory per participant, idle culling.

Serves notebook 05 with Voila at full size (2,000 employees), opens it in
headless chromium (Playwright) and prints, side by side:

* ``shipped``: the repository's configuration (notebooks/voila.json: a pool of
  pre-heated kernels that have already run the notebook);
* ``reference``: Voila's default (``--preheat_kernel=False``: each visit starts
  a kernel and runs the notebook while the participant waits).

For each: seconds from opening the page to the first figure on screen, the
resident memory (RSS) and unique memory (USS) of the largest kernel after the
participant has tried every slider position (every simulated round is kept),
and the kernels alive after the tab is closed and the idle-cull time has passed
(here shortened to 20 s with a 5 s check, to see culling within the run; the
shipped setting is 300 s with a 60 s check).  The load average is printed
because the machine may be shared.

Run: ``.venv/bin/python benchmarks/bench_workshop.py`` (needs /usr/bin/chromium).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_lokakarya_sosialisasi.ipynb"
CHROMIUM = "/usr/bin/chromium"
CULL = ["--MappingKernelManager.cull_idle_timeout=20", "--MappingKernelManager.cull_interval=5"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kernels(server: psutil.Process) -> list[psutil.Process]:
    return [p for p in server.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]


def wait_idle(server: psutil.Process, n: int, timeout: float = 240) -> None:
    """Wait until ``n`` kernels exist and all of them have stopped computing (the pool is warm)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ks = kernels(server)
        if len(ks) >= n and all(k.cpu_percent(interval=0.5) < 5 for k in ks):
            return
        time.sleep(1)


def measure(label: str, extra: list[str]) -> dict:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "ASNSIM_SMALL"}
    proc = subprocess.Popen([sys.executable, "-m", "voila", NOTEBOOK.name, "--no-browser", f"--port={port}",
                             "--Voila.ip=127.0.0.1", *CULL, *extra], cwd=NOTEBOOK.parent, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    server = psutil.Process(proc.pid)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        pool = 0 if "--preheat_kernel=False" in extra else 2
        if pool:
            wait_idle(server, pool)
        from playwright.sync_api import sync_playwright

        with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                        args=["--no-sandbox", "--disable-gpu"],
                                                        viewport={"width": 1200, "height": 2600})
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
            page.wait_for_selector(".asnsim-out-fairness", state="visible", timeout=180_000)
            first = time.perf_counter() - t0
            # a participant tries every position of both sliders (each round is kept in the kernel)
            for handle in range(2):
                for key in ("ArrowRight", "ArrowRight", "Home"):
                    src = page.get_attribute(".asnsim-out-fairness", "src")
                    page.locator(".noUi-handle").nth(handle).focus()
                    page.keyboard.press(key)
                    page.wait_for_function("(s) => document.querySelector('.asnsim-out-fairness').src !== s",
                                           arg=src, timeout=60_000)
            mem = max((k.memory_full_info() for k in kernels(server)), key=lambda m: m.rss)
            ctx.close()
        time.sleep(30)  # past the shortened idle-cull time
        left = len(kernels(server))
        return {"label": label, "first_s": first, "rss_mb": mem.rss / 2**20, "uss_mb": mem.uss / 2**20,
                "culled": left <= pool, "kernels_now": left}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    print(f"notebook 05 at full size; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = [measure("shipped (pre-heated pool of 2)", []), measure("reference (Voila default)",
                                                                   ["--preheat_kernel=False"])]
    print(f"{'configuration':32s} {'first figure s':>15s} {'kernel RSS MB':>14s} {'USS MB':>8s} "
          f"{'culled after tab closed':>24s} {'kernels left':>13s}")
    for r in rows:
        print(f"{r['label']:32s} {r['first_s']:15.1f} {r['rss_mb']:14.0f} {r['uss_mb']:8.0f} "
              f"{'yes' if r['culled'] else 'no':>24s} {r['kernels_now']:13d}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
