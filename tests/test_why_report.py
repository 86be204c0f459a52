"""The decomposition report's sentences, from a toy change with known shares (no simulation)."""

from __future__ import annotations

import numpy as np

from asnsim.outcomes import outcome
from asnsim.policy import load_policy
from asnsim.why.decomposition import Game, decompose
from asnsim.why.policy_change import Player, PolicyChange
from asnsim.why.provisions import Provision
from asnsim.why.report import decomposition_answers, render_decomposition

OUTCOMES = (outcome("spearman", "all"), outcome("share_predikat", "Sangat Baik"))


def _change() -> PolicyChange:
    # matrix: objectivity -0.006, Sangat Baik +33 points; scales: +0.012 and -26 points; replicate noise shared
    shock = np.array([0.0, 0.01, -0.01, 0.005])

    def evaluate(requests):
        return [np.array([[0.66 + shock[r] - 0.006 * (m & 1) + 0.012 * (m >> 1 & 1),
                           0.08 + 0.33 * (m & 1) - 0.26 * (m >> 1 & 1) + shock[r] / 10] for m in req])
                for r, req in enumerate(requests)]

    provs = (Provision("matrix", ("predikat",)), Provision("scales", ("components",)))
    players = tuple(Player(p.name, (p,), 1 << i) for i, p in enumerate(provs))
    result = decompose(Game(("matrix", "scales"), ("spearman", "share_predikat:Sangat Baik"), evaluate), reps=4)
    return PolicyChange(load_policy("pp-30-2019"), load_policy("permenpan-6-2022"), provs, players, {}, OUTCOMES,
                        result, {"n": 10, "reps": 4, "seed": 1, "scenario": "default", "method": "exact",
                                 "orders": None, "hybrids_simulated": 16, "seconds": 0.1})


def test_sentences_name_the_provisions_that_moved_each_outcome():
    first, second = decomposition_answers(_change(), "en")
    assert "went from 0.661 under pp-30-2019 to 0.667 under permenpan-6-2022: +0.006" in first
    assert ", better." in first
    assert "<b>scales</b> +0.012 (± 0.000) and <b>matrix</b> -0.006 (± 0.000)" in first
    assert "rated Sangat Baik</b> went from 8.0% under pp-30-2019 to 15.0%" in second
    assert "<b>matrix</b> +33.0 percentage points" in second and "<b>scales</b> -26.0 percentage points" in second


def test_indonesian_sentences_use_decimal_commas():
    first, second = decomposition_answers(_change(), "id")
    assert "berubah dari 0,661 pada pp-30-2019 menjadi 0,667" in first and "lebih baik" in first
    assert "+33,0 poin persentase" in second


def test_report_page_is_whole():
    html = render_decomposition(_change(), "id")
    assert html.startswith("<!DOCTYPE html><html lang='id'>") and html.rstrip().endswith("</html>")
    assert html.count("data:image/png;base64,") == 2
    assert "Mengapa perubahan dari pp-30-2019 ke permenpan-6-2022" in html
