"""asnsim.plots: the figures draw the numbers they claim, in the language asked for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from asnsim import columns as C
from asnsim import plots


def _scores(predikat, final=None):
    n = len(predikat)
    return pd.DataFrame({C.EMPLOYEE_ID: np.arange(1, n + 1),
                         C.FINAL_SCORE: np.arange(n, dtype=float) if final is None else final,
                         C.PREDIKAT: predikat})


def _employees(truth, closeness):
    n = len(truth)
    return pd.DataFrame({C.EMPLOYEE_ID: np.arange(1, n + 1), C.TRUE_PERFORMANCE: truth, C.CLOSENESS: closeness})


def _bar_lengths(ax):
    return [p.get_width() for p in ax.patches]


def test_predikat_bars_draws_the_shares_best_first():
    s = _scores([C.BAIK, C.BAIK, C.SANGAT_BAIK, C.BUTUH_PERBAIKAN])
    fig = plots.predikat_bars(s, lang="id")
    ax = fig.axes[0]
    # order best to worst: SB 25, Baik 50, BP 25, Kurang 0, SK 0
    assert _bar_lengths(ax) == pytest.approx([25, 50, 25, 0, 0])
    assert [t.get_text() for t in ax.get_yticklabels()] == list(C.PREDIKAT_ORDER[::-1])
    assert ax.get_xlabel() == "% pegawai"
    assert ax.get_title() == "Sebaran predikat"


def test_predikat_bars_accepts_distribution_tables_and_several_runs():
    from asnsim.pipeline import predikat_distribution
    a = _scores([C.BAIK] * 3 + [C.SANGAT_BAIK])
    b = _scores([C.KURANG] * 2 + [C.BAIK] * 2)
    fig = plots.predikat_bars({"a": predikat_distribution(a), "b": b}, lang="en")
    ax = fig.axes[0]
    assert _bar_lengths(ax) == pytest.approx([25, 75, 0, 0, 0, 0, 50, 0, 50, 0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.get_xlabel() == "% of employees"


def test_group_shares_hand_worked():
    s = _scores([C.SANGAT_BAIK, C.BAIK, C.SANGAT_BAIK, C.SANGAT_BAIK, C.BUTUH_PERBAIKAN])
    e = _employees([0.0] * 5, [0, 0, 1, 1, 1])
    tab = plots.group_shares(s, e, C.CLOSENESS)
    assert tab.loc[0].tolist() == pytest.approx([2, 0.5, 1.0])
    assert tab.loc[1].tolist() == pytest.approx([3, 2 / 3, 2 / 3])


def test_fairness_by_group_bars_and_indonesian_labels():
    s = _scores([C.SANGAT_BAIK, C.BAIK, C.SANGAT_BAIK, C.SANGAT_BAIK, C.BUTUH_PERBAIKAN])
    e = _employees([0.0] * 5, [0, 0, 1, 1, 1])
    ax = plots.fairness_by_group(s, e, C.CLOSENESS, lang="id").axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([50, 200 / 3, 100, 200 / 3])
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["tidak dekat\n(n=2)", "dekat\n(n=3)"]
    assert ax.get_title() == "Predikat menurut kedekatan dengan atasan"


def test_score_vs_truth_reports_spearman_and_marks_colleagues():
    rng = np.random.default_rng(3)
    truth = rng.normal(size=60)
    final = 50 + 10 * truth + rng.normal(scale=8, size=60)
    pred = np.where(final > 60, C.SANGAT_BAIK, C.BAIK)
    s = _scores(pred, final)
    e = _employees(truth, np.zeros(60, int))
    rho = stats.spearmanr(final, truth).statistic
    ax = plots.score_vs_truth(s, e, lang="en", highlight={5: "Sari"}).axes[0]
    assert ax.get_title() == f"Score vs true performance: Spearman rho = {rho:.2f}"
    notes = [t.get_text() for t in ax.texts]
    assert notes == [f"Sari: {pred[4]}"]
    # every employee is drawn exactly once (two predikat levels present)
    assert sum(len(c.get_offsets()) for c in ax.collections[:2]) == 60


def test_score_vs_truth_subsamples_large_populations_but_keeps_rho_of_all():
    n = 500
    truth = np.linspace(-2, 2, n)
    s = _scores([C.BAIK] * n, final=np.linspace(0, 100, n))
    ax = plots.score_vs_truth(s, _employees(truth, np.zeros(n, int)), max_points=100).axes[0]
    assert len(ax.collections[0].get_offsets()) == 100
    assert ax.get_title().endswith("= 1.00")


def test_metric_intervals_sorted_with_error_bars():
    tab = pd.DataFrame({"policy": ["a", "b", "c"], "metric": "spearman", "estimate": [0.7, 0.5, 0.9],
                        "ci_low": [0.6, 0.4, 0.85], "ci_high": [0.8, 0.6, 0.95]})
    ax = plots.metric_intervals(tab, "spearman").axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a", "c"]
    segs = ax.collections[0].get_segments()
    assert [tuple(np.round(s[:, 0], 2)) for s in segs] == [(0.4, 0.6), (0.6, 0.8), (0.85, 0.95)]


def test_save_figure_only_when_asked(tmp_path, monkeypatch):
    fig = plots.predikat_bars(_scores([C.BAIK]))
    monkeypatch.delenv("ASNSIM_FIGURES", raising=False)
    assert plots.save_figure(fig, "x.png") is None
    monkeypatch.setenv("ASNSIM_FIGURES", str(tmp_path / "img"))
    path = plots.save_figure(fig, "x.png")
    assert path == tmp_path / "img" / "x.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plots.figure_png(fig)[:4] == b"\x89PNG"


def test_comparison_panel_one_panel_per_metric_same_policy_order():
    rows = []
    for metric, vals in {"spearman": [0.7, 0.8], "rater_hours": [1.5, 5.0]}.items():
        for pol, v in zip(["permenpan", "serang"], vals):
            rows.append({"policy": pol, "metric": metric, "group": "all", "estimate": v,
                         "ci_low": v - 0.1, "ci_high": v + 0.1})
    summary = pd.DataFrame(rows)
    metrics = (("spearman", "Objectivity", "Objektivitas"), ("icc1", "Reliability", "Reliabilitas"),
               ("rater_hours", "Burden", "Beban"))
    fig = plots.comparison_panel(summary, metrics, lang="id")
    axes = [a for a in fig.axes if a.get_visible()]
    assert [a.get_title() for a in axes] == ["Objektivitas", "Reliabilitas", "Beban"]
    for ax in (axes[0], axes[2]):
        assert [t.get_text() for t in ax.get_yticklabels()] == ["permenpan", "serang"]
        assert ax.get_ylim() == (1.5, -0.5)  # first policy on top
    assert axes[0].lines[-1].get_xdata().tolist() == [0.7, 0.8]
    assert axes[2].lines[-1].get_xdata().tolist() == [1.5, 5.0]
    assert [t.get_text() for t in axes[1].texts] == ["tidak berlaku"]  # metric absent: a note, not a crash
    # every value axis says its unit and which way is better
    assert axes[0].get_xlabel() == "makin tinggi makin baik"
    assert axes[2].get_xlabel() == "jam per pegawai per tahun; makin rendah makin baik"
    segs = axes[2].collections[0].get_segments()
    assert [tuple(np.round(s[:, 0], 2)) for s in segs] == [(1.4, 1.6), (4.9, 5.1)]


def test_comparison_panel_leaves_out_rows_where_a_metric_does_not_apply():
    rows = [{"policy": p, "metric": "icc1", "group": "all", "estimate": v, "ci_low": v - 0.1, "ci_high": v + 0.1}
            for p, v in zip(["a", "b", "c"], [0.3, np.nan, 0.5])]
    ax = plots.comparison_panel(pd.DataFrame(rows), (("icc1", "Reliability", "Reliabilitas"),)).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c"]  # no blank row for b
    assert [t.get_text() for t in ax.texts] == ["not shown: 1 policies (needs two or more raters per ratee)"]
    assert ax.get_xlabel() == "higher is better"


def test_figures_show_as_png_in_jupyter_and_save_the_same_bytes_twice(tmp_path):
    fig = plots.predikat_bars(_scores([C.BAIK, C.SANGAT_BAIK]))
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # displayed inline without pyplot
    a = plots.save_figure(fig, "a.png", tmp_path)
    b = plots.save_figure(plots.predikat_bars(_scores([C.BAIK, C.SANGAT_BAIK])), "b.png", tmp_path)
    assert a.read_bytes() == b.read_bytes() and b"matplotlib" not in a.read_bytes()  # no version stamp


def test_age_bands_in_natural_order():
    assert plots.natural_order(["51-60", "41-50", "<=30", "31-40"]) == ["<=30", "31-40", "41-50", "51-60"]
    assert plots.natural_order([">=25", "5-14", "<5", "15-24"]) == ["<5", "5-14", "15-24", ">=25"]
    report = pd.DataFrame({"attribute": "age_band", "group": ["51-60", "<=30", "41-50", "31-40"],
                           "n": [10, 20, 30, 40], "share_sangat_baik": [0.1, 0.2, 0.3, 0.4]})
    ax = plots.fairness_report_bars(report, "age_band").axes[0]
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["<=30", "31-40", "41-50", "51-60"]


def test_fairness_report_bars_draws_groups_with_intervals_and_skips_summary_rows():
    report = pd.DataFrame({
        "attribute": ["sex", "sex", "sex", "sex", "position_class"],
        "group": ["F", "M", "difference", "ratio", "pelaksana"],
        "n": [163, 137, np.nan, np.nan, 10],
        "share_sangat_baik": [0.10, 0.15, 0.05, 0.67, 0.2],
        "share_sangat_baik_ci_low": [0.05, 0.10, 0.0, 0.3, 0.1],
        "share_sangat_baik_ci_high": [0.15, 0.21, 0.13, 0.97, 0.3],
    })
    ax = plots.fairness_report_bars(report, "sex", lang="id").axes[0]
    assert [p.get_height() for p in ax.patches] == pytest.approx([10, 15])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["perempuan\n(n=163)", "laki-laki\n(n=137)"]
    segs = ax.collections[0].get_segments()
    assert [tuple(np.round(s[:, 1], 2)) for s in segs] == [(5, 15), (10, 21)]
    assert ax.get_ylabel() == "% berpredikat Sangat Baik"


def test_every_notebook_saves_the_figure_the_readme_shows():
    """Each notebook's main figure is written by the notebook itself (save_figure) and shown in README and docs."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    docs = (root / "docs" / "notebooks.md").read_text(encoding="utf-8")
    notebooks = sorted((root / "notebooks").glob("0*.ipynb"))
    assert len(notebooks) >= 6   # 06: the policy explorer
    for nb in notebooks:
        code = "".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                       if c["cell_type"] == "code")
        png = f"{nb.stem}.png"
        assert f'"{png}"' in code, f"{nb.name} does not save {png}"
        assert (root / "docs" / "img" / png).stat().st_size > 5000
        assert f"docs/img/{png}" in readme and f"img/{png}" in docs
