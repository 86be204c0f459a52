"""The HTML report, the Excel workbook and the console view, on constructed results (no simulation).

The constructed experiment plants known answers: ``p00`` has the best rank
correlation by a wide margin, the first two policies tie on rater hours, the
last policy gives Sangat Baik to 0.8% of employees and has the fewest
undeserved ones, and the sex gap is noise around 0 for everybody.
"""

from __future__ import annotations

import base64
import io
import re
import struct

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.experiment.report import render_report
from asnsim.experiment.store import Results


def constructed(n_policies: int, reps: int = 12, seed: int = 3) -> Results:
    rng = np.random.default_rng(seed)

    def noise(sd: float) -> np.ndarray:  # centred, so every estimate is exactly its planted value
        e = rng.normal(0, sd, reps)
        return e - e.mean()

    names = [f"p{i:02d}" for i in range(n_policies)]
    world = noise(0.03)  # common random numbers: one world per replicate
    rows = []
    for i, p in enumerate(names):
        last = i == n_policies - 1 and n_policies > 1
        sb = 0.008 if last else 0.10 + 0.002 * i
        shares = np.array([0.01, 0.02, 0.2, 0.0, sb])
        shares[3] = 1.0 - shares.sum()
        metrics = {
            "spearman": (0.85 if i == 0 else 0.70 - 0.001 * i) + world + noise(0.003),
            "share_sb_wrongly_given": (0.10 if last else 0.50) + noise(0.01),
            "share_at_least_baik": np.full(reps, shares[3:].sum()),
            "icc1": np.full(reps, np.nan) if i % 2 else 0.4 + 0.01 * i + noise(0.002),
            "favouritism_premium": 0.3 - 0.005 * i + noise(0.01),
            "rater_hours": np.full(reps, 0.25 if i < 2 else 1.0 + 0.1 * i),
        }
        gap = rng.normal(0, 0.02, reps)
        for r in range(reps):
            for m, v in metrics.items():
                rows.append((0, "default", i, p, r, m, "all", float(v[r])))
            rows.append((0, "default", i, p, r, "sex_gap_conditional", "F-M", float(gap[r])))
            for lev, share in zip(C.PREDIKAT_ORDER, shares):
                rows.append((0, "default", i, p, r, "share_predikat", lev, float(share)))
    rep = pd.DataFrame(rows, columns=["scenario_index", "scenario", "policy_index", "policy", "replicate", "metric",
                                      "group", "value"])
    manifest = {"asnsim_version": "test", "seed": 1, "design_hash": "0" * 64,
                "design": {"seed": 1, "n": 1000, "reps": reps, "policies": [{"label": p, "sha256": "0" * 64}
                                                                             for p in names],
                           "scenarios": [{"label": "default", "sha256": "0" * 64}]}}
    return Results.from_replicates(rep, manifest)


def _png_sizes(page: str) -> list[tuple[int, int]]:
    out = []
    for img in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page):
        data = base64.b64decode(img)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        out.append(struct.unpack(">II", data[16:24]))
    return out


@pytest.mark.parametrize("n", [1, 2, 8, 30])
def test_report_reads_at_every_size(n):
    res = constructed(n)
    page = render_report(res)
    sections = re.findall(r"<h2>([^<]+)</h2>", page)
    assert sections[:2] == ["Verdicts", "Headline"]
    sizes = _png_sizes(page)
    assert sizes and all(w <= 1300 for w, _ in sizes)           # shown near full size, text stays legible
    assert all(h <= 90 * (2.2 + 0.45 * n) for _, h in sizes)      # height grows with the policies, no more
    headline = page.split("<table class='headline'>")[1].split("</table>")[0]
    assert headline.count("<tr>") == n + 1
    if n == 1:
        assert "One policy: nothing to compare it with" in page and "class='verdicts'" not in page
        assert "class='best'" not in headline and "All rankings" not in page
        return
    verdicts = page.split("<table class='verdicts'>")[1].split("</table>")[0]
    assert verdicts.count("<tr>") == 6
    assert "p00 is best (0.850)" in verdicts and "higher is better" in verdicts
    assert ("p00 and p01 tie for best (0.25 each)" if n > 2 else "the two are equal (0.25 each)") in verdicts
    assert f"Paired differences (paired.csv) are each policy minus the reference policy, <b>p00</b>" in page
    # best values in bold: p00's rank correlation, and both tied rater-hour cells
    cells = {m.group(1): m.group(2) for m in re.finditer(r"<tr><td>(p\d\d)</td>(.*?)</tr>", headline)}
    assert "class='best'>0.850" in cells["p00"]
    if n > 2:  # the tie is marked on both; with two policies both equal, nobody stands out: no mark
        assert "class='best'>0.25<" in cells["p00"] and "class='best'>0.25<" in cells["p01"]
        assert "class='best'>0.25<" not in cells["p02"]
    else:
        assert "class='best'>0.25<" not in headline
    last = f"p{n - 1:02d}"
    assert f"Caution: under {last} (0.8%), fewer than 2% of employees are rated Sangat Baik" in verdicts
    assert f"Not applicable to {n // 2} policies" in verdicts  # ICC(1): every second policy has one rater


def test_indonesian_report_has_indonesian_words_and_decimal_commas():
    page = render_report(constructed(8), lang="id")
    assert "<html lang='id'>" in page
    sections = re.findall(r"<h2>([^<]+)</h2>", page)
    assert sections[:4] == ["Kesimpulan", "Ringkasan utama", "Sebaran predikat", "Objektivitas"]
    assert "p00 terbaik (0,850)" in page and "makin tinggi makin baik" in page
    assert "p00 dan p01 sama-sama terbaik (masing-masing 0,25)" in page
    assert "1.000 pegawai per organisasi" in page  # thousands dot
    headline = page.split("<table class='headline'>")[1].split("</table>")[0]
    assert "0,850 (" in headline and "0.850" not in headline
    with pytest.raises(Exception, match="--lang must be one of en, id"):
        render_report(constructed(2), lang="fr")


def test_workbook_one_sheet_per_table_numbers_as_numbers_text_never_a_formula(tmp_path):
    from openpyxl import load_workbook

    from asnsim.experiment.workbook import write_summary_workbook

    res = constructed(3)
    hostile = "=HYPERLINK(\"http://x\",\"click\")"
    res.summary.loc[res.summary["policy"] == "p02", "policy"] = hostile  # a name that looks like a formula
    res.paired.loc[res.paired["policy"] == "p02", "policy"] = hostile
    path = write_summary_workbook(res, tmp_path / "summary.xlsx")
    again = write_summary_workbook(res, tmp_path / "again.xlsx")
    assert path.read_bytes() == again.read_bytes()  # the same tables give the same bytes
    wb = load_workbook(path)
    assert wb.sheetnames == ["verdicts", "headline", "predikat", "summary", "paired", "ranking"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
    summ = wb["summary"]
    header = [c.value for c in summ[1]]
    assert header == list(res.summary.columns)
    est = header.index("estimate") + 1
    assert all(summ.cell(r, est).data_type == "n" for r in range(2, summ.max_row + 1))
    assert summ.cell(2, est).value == pytest.approx(float(res.summary["estimate"].iloc[0]))
    texts = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == hostile]
    assert texts and all(c.data_type == "s" for c in texts)  # stored as text, not as a formula
    head = wb["headline"]
    titles = [c.value for c in head[1]]
    hours = titles.index("rater hours ↓") + 1
    bold = {head.cell(r, 1).value: head.cell(r, hours).font.b for r in range(2, head.max_row + 1)}
    assert bold == {"p00": True, "p01": True, hostile: False}  # the tie is marked on both
    assert head.cell(2, titles.index("SB undeserved ↓") + 1).number_format == "0.0%"
    verdict = wb["verdicts"]
    assert [c.value for c in verdict[1]][:5] == ["scenario", "family", "outcome", "direction", "status"]
    assert wb["predikat"].cell(2, 3).number_format == "0.0%"


def test_indonesian_workbook_names_its_sheets_in_indonesian(tmp_path):
    from openpyxl import load_workbook

    from asnsim.experiment.workbook import write_summary_workbook

    wb = load_workbook(write_summary_workbook(constructed(2), tmp_path / "s.xlsx", lang="id"))
    assert wb.sheetnames[:3] == ["kesimpulan", "ringkasan", "sebaran predikat"]
    assert wb["kesimpulan"].cell(1, 2).value == "kelompok"
    assert "terbaik" in wb["kesimpulan"].cell(2, 11).value


def test_console_view_marks_the_best_and_prints_the_verdicts(capsys, tmp_path):
    from asnsim.cli.compare import print_results

    print_results(constructed(3), tmp_path, "id")
    out = capsys.readouterr().out
    table = out.split("sebaran predikat")[0]
    row = next(line for line in table.splitlines() if line.startswith("p00"))
    assert "0,850 (" in row and row.count("*") >= 2
    assert "kesimpulan:" in out and "- Objektivitas, korelasi peringkat" in out
    assert "p00 terbaik (0,850)" in out
    assert "kebijakan acuan, p00;" in out


def test_constructed_results_round_trip_through_csv(tmp_path):
    from asnsim.experiment import load_results
    from asnsim.experiment.runner import write_results

    res = constructed(2)
    write_results(res, tmp_path / "o", report=False, lang="id")
    back = load_results(tmp_path / "o")
    assert back.reference == "p00"
    v = pd.read_csv(tmp_path / "o" / "verdicts.csv")
    assert list(v["status"]) == list(res.verdicts("id")["status"])
    assert v["sentence"].str.contains("terbaik|tidak dapat dibedakan|menonjol|hanya p00|keduanya sama").all()
    buf = io.BytesIO((tmp_path / "o" / "summary.xlsx").read_bytes())
    assert buf.getvalue()[:2] == b"PK"
