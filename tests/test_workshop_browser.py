"""End to end: the workshop dashboard (notebook 05) served by Voila, driven by a real headless browser.

The test starts Voila on a free localhost port with the repository's own
configuration (notebooks/voila.json: pre-heated kernels, idle kernels culled;
here a pool of one), opens the page in Debian's chromium through Playwright and
checks the story at the starting position (Bu Sari and Pak Budi equal in true
performance, skor simulasi and predikat, and the sentence above the card says
so), then moves the "Kedekatan personal dengan atasan" slider to *kuat* with the
keyboard and checks that Bu Sari's card, the sentence and the figure change
while Pak Budi's card does not.  It saves a screenshot at each step and stops
the server.  When /usr/bin/chromium is missing it installs it with apt-get (as
root, as CI runs); it skips, saying why, only when that is impossible.
Playwright never downloads a browser here: it drives the system chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_lokakarya_sosialisasi.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("ASNSIM_SCREENSHOTS", ROOT / "out" / "screenshots"))
SCREENSHOT = SHOTS / "workshop_browser.png"
SCREENSHOT_START = SHOTS / "workshop_browser_start.png"
# bounds (about 25 s on an idle 2-core machine; the waits below cap a stuck run at under 2.5 minutes)
SERVER_START_S = 45
PAGE_LOAD_MS = 60_000
CHANGE_MS = 20_000


def ensure_chromium() -> str | None:
    """Install Debian's chromium when missing; return a reason when that is impossible, else None."""
    if os.access(CHROMIUM, os.X_OK):
        return None
    if shutil.which("apt-get") is None:
        return "chromium is missing and apt-get is not available to install it"
    if os.geteuid() != 0:
        return "chromium is missing; installing it needs root (run `apt-get install -y chromium` as root)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, timeout=300, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, check=True, timeout=600,
                       capture_output=True)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return f"chromium is missing and `apt-get install chromium` failed: {exc}"
    return None if os.access(CHROMIUM, os.X_OK) else "apt-get ran but /usr/bin/chromium is still missing"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def voila_url(tmp_path):
    """Serve notebook 05 with Voila (small size) on a free port; stop the server and its kernels after."""
    port = free_port()
    log = open(tmp_path / "voila.log", "w")
    env = dict(os.environ, ASNSIM_SMALL="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", NOTEBOOK.name, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
         "--VoilaConfiguration.show_tracebacks=True", "--pool_size=1"],
        cwd=NOTEBOOK.parent, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"voila exited with status {proc.returncode}: {(tmp_path / 'voila.log').read_text()}")
            try:  # a TCP connection (a GET of the page would start a kernel)
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"voila did not answer on {url} within {SERVER_START_S} s")
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernels it started (one session)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


@pytest.fixture
def browser_page():
    reason = ensure_chromium()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="asnsim-chromium-") as profile, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 2600})
        try:
            yield ctx.new_page()
        finally:
            ctx.close()


def _card(page) -> dict[str, list[str]]:
    """Bu Sari's and Pak Budi's rows of the report card, as cell texts."""
    rows = page.eval_on_selector_all(".asnsim-out-rapor tbody tr",
                                     "rows => rows.map(r => Array.from(r.children).map(c => c.innerText.trim()))")
    return {r[0]: r[1:] for r in rows}


ORDER = ["Sangat Kurang", "Kurang/Misconduct", "Butuh Perbaikan", "Baik", "Sangat Baik"]


def _score(cell: str) -> float:
    assert re.fullmatch(r"\d+,\d", cell), cell  # one decimal, decimal comma
    return float(cell.replace(",", "."))


def test_workshop_story_holds_at_the_start_and_after_moving_the_slider(voila_url, browser_page):
    page = browser_page
    page.goto(voila_url, timeout=PAGE_LOAD_MS)
    page.wait_for_selector(".asnsim-out-rapor table", timeout=PAGE_LOAD_MS)
    page.wait_for_selector(".asnsim-out-truth", timeout=PAGE_LOAD_MS)
    body = page.inner_text("body")
    assert "Lokakarya sosialisasi penilaian kinerja ASN" in body
    assert not re.search(r"\b\d+\.\d+ s\b", body)  # no raw timer on the page
    for jargon in ("satuan SD", "skala kebijakan", "korelasi peringkat", "Geser penggeser", "folder seeds"):
        assert jargon not in body
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_START), full_page=True)

    # columns: close?, true performance ("better than N% pegawai"), skor simulasi, predikat
    before = _card(page)
    assert set(before) == {"Bu Sari", "Pak Budi"}
    sari, budi = before["Bu Sari"], before["Pak Budi"]
    assert (sari[0], budi[0]) == ("ya", "tidak")
    assert sari[1] == budi[1] and sari[1].endswith("% pegawai")       # equal in truth
    assert _score(sari[2]) == _score(budi[2]) and sari[3] == budi[3]  # and in score and predikat
    story = page.inner_text(".asnsim-out-cerita")
    assert "Kinerja Bu Sari dan Pak Budi sama" in story and "penilaian memperlakukan mereka sama" in story
    assert page.locator(".widget-readout").first.inner_text().strip() == "tidak ada"
    img_before = page.get_attribute(".asnsim-out-fairness", "src")
    assert img_before and img_before.startswith(("blob:", "data:image/png"))

    # the first slider is "Kedekatan personal dengan atasan"; End moves it to its last position, "kuat"
    label = page.locator(".widget-slider").first.inner_text()
    assert "Kedekatan personal dengan atasan" in label
    page.locator(".noUi-handle").first.focus()
    page.keyboard.press("End")
    page.wait_for_function(
        "(before) => { const t = document.querySelector('.asnsim-out-rapor tbody tr'); "
        "return t && t.innerText !== before; }",
        arg=page.inner_text(".asnsim-out-rapor tbody tr"), timeout=CHANGE_MS)
    page.wait_for_function("(src) => document.querySelector('.asnsim-out-fairness').src !== src",
                           arg=img_before, timeout=CHANGE_MS)
    after = _card(page)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    assert page.locator(".widget-readout").first.inner_text().strip() == "kuat"
    assert after["Bu Sari"][1] == sari[1]                                  # same true performance
    assert _score(after["Bu Sari"][2]) > _score(sari[2])                    # favoured: higher score
    assert ORDER.index(after["Bu Sari"][3]) > ORDER.index(sari[3])          # and a better predikat
    assert after["Pak Budi"] == budi                                        # the colleague: unchanged
    story = page.inner_text(".asnsim-out-cerita")
    assert "Kinerja Bu Sari dan Pak Budi sama" in story
    assert f"predikat Bu Sari {after['Bu Sari'][3]}, sedangkan Pak Budi {budi[3]}" in story
    assert "Yang membedakan hanya kedekatan Bu Sari dengan atasannya" in story


def test_ensure_chromium_says_why_it_cannot_install(monkeypatch):
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert ensure_chromium() == "chromium is missing and apt-get is not available to install it"
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/apt-get")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "needs root" in ensure_chromium()
    calls = []
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd))
    assert ensure_chromium() == "apt-get ran but /usr/bin/chromium is still missing"
    assert calls == [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]]
