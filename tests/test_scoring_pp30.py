"""PP 30/2019: capaian capped at 120, 70/30 vs 60/40, band edges and the innovation condition;
PermenPAN-RB 6/2022 hasil kerja from indicators; the unit leader's rating."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.errors import InputError
from asnsim.policy import load_policy
from asnsim.scoring import assign_bands, score
from asnsim.scoring.capaian import indicator_capaian


def _ind(employee, rows, period="annual"):
    """rows: (indicator, aspect, target, realisasi)."""
    return pd.DataFrame([{C.EMPLOYEE_ID: employee, C.INDICATOR: i, C.ASPECT: a, C.PERIOD: period,
                          C.TARGET: t, C.REALISASI: r} for i, a, t, r in rows])


def _perilaku(ratee, score_, roles=("atasan",), component="perilaku", policy="pp-30-2019"):
    items = load_policy(policy).components[component].items
    return pd.DataFrame([{C.RATEE_ID: ratee, C.RATER_ID: 50 + k, C.RATER_ROLE: role, C.ITEM: it,
                          C.PERIOD: "annual", C.SCORE: score_, C.COMPONENT: component}
                         for k, role in enumerate(roles) for it in items])


@pytest.mark.parametrize("final,innov,expected", [
    (120.0, True, "Sangat Baik"), (110.0, True, "Sangat Baik"), (109.99, True, "Baik"),
    (115.0, False, "Baik"),  # 110-120 without an innovation is Baik
    (90.0, False, "Baik"), (89.99, True, "Butuh Perbaikan"), (70.0, False, "Butuh Perbaikan"),
    (69.99, False, "Kurang/Misconduct"), (50.0, False, "Kurang/Misconduct"), (49.99, True, "Sangat Kurang"),
])
def test_band_edges(final, innov, expected):
    bands = load_policy("pp-30-2019").predikat.bands
    assert assign_bands(np.array([final]), bands, np.array([innov]))[0][0] == expected


def test_capaian_capped_at_120_per_aspect():
    ind = _ind(1, [("iki_1", "kuantitas", 10, 15),   # 150 -> 120
                   ("iki_1", "kualitas", 100, 90),    # 90
                   ("iki_1", "waktu", 12, 6)])        # 100*12/6 = 200 -> 120 (less is better)
    assert indicator_capaian(ind, 120.0).loc[1, "iki_1"] == pytest.approx((120 + 90 + 120) / 3)
    assert indicator_capaian(ind, None).loc[1, "iki_1"] == pytest.approx((150 + 90 + 200) / 3)


def test_seventy_thirty_and_sixty_forty():
    pol = load_policy("pp-30-2019")
    ind = pd.concat([_ind(e, [("iki_1", "kuantitas", 10, 11), ("iki_2", "kuantitas", 10, 9)]) for e in (1, 2)])
    # employee 1: atasan only -> 70/30; employee 2: atasan and rekan -> 60/40
    ratings = pd.concat([_perilaku(1, 80), _perilaku(2, 80, roles=("atasan", "rekan"))])
    emp = pd.DataFrame({C.EMPLOYEE_ID: [1, 2], C.INNOVATION: [False, False]})
    out = score(pol, ratings, emp, ind).set_index(C.EMPLOYEE_ID)
    assert out["score_skp"].tolist() == pytest.approx([100.0, 100.0])
    assert out.loc[1, C.FINAL_SCORE] == pytest.approx(0.7 * 100 + 0.3 * 80)  # 94
    assert out.loc[2, C.FINAL_SCORE] == pytest.approx(0.6 * 100 + 0.4 * 80)  # 92
    assert out[C.PREDIKAT].tolist() == ["Baik", "Baik"]
    assert out[C.PREDIKAT_LABEL].tolist() == ["Baik", "Baik"]


def test_sangat_baik_needs_innovation_end_to_end():
    pol = load_policy("pp-30-2019")
    ind = pd.concat([_ind(e, [("iki_1", "kuantitas", 10, 12)]) for e in (1, 2)])  # capaian 120
    ratings = pd.concat([_perilaku(1, 110), _perilaku(2, 110)])                   # 0.7*120 + 0.3*110 = 117
    emp = pd.DataFrame({C.EMPLOYEE_ID: [1, 2], C.INNOVATION: [True, False]})
    out = score(pol, ratings, emp, ind)
    assert out[C.FINAL_SCORE].tolist() == pytest.approx([117.0, 117.0])
    assert out[C.PREDIKAT].tolist() == ["Sangat Baik", "Baik"]


def test_missing_innovation_column_is_an_error_only_when_required():
    ind = _ind(1, [("iki_1", "kuantitas", 10, 10)])
    with pytest.raises(InputError, match="column 'innovation'"):
        score(load_policy("pp-30-2019"), _perilaku(1, 90), pd.DataFrame({C.EMPLOYEE_ID: [1]}), ind)
    # PP 46 has no innovation condition: no column needed
    p46 = load_policy("pp-46-2011")
    r46 = _perilaku(1, 80, component="perilaku", policy="pp-46-2011")
    out = score(p46, r46, pd.DataFrame({C.EMPLOYEE_ID: [1]}), ind.assign(indicator="kegiatan_1"))
    assert out[C.FINAL_SCORE].iloc[0] == pytest.approx(0.6 * 100 + 0.4 * 80)  # 92 >= 91
    assert out[C.PREDIKAT].iloc[0] == "Sangat Baik"


def test_sawahlunto_weights_three_components_with_peers():
    pol = load_policy("sawahlunto")
    ind = _ind(1, [("iki_1", "kuantitas", 10, 10)])                      # skp 100
    tech = _perilaku(1, 90, roles=("atasan",), component="kompetensi_teknis", policy="sawahlunto")
    tech_peer = _perilaku(1, 60, roles=("rekan",), component="kompetensi_teknis", policy="sawahlunto")
    non = _perilaku(1, 80, roles=("atasan", "rekan"), component="kompetensi_nonteknis", policy="sawahlunto")
    out = score(pol, pd.concat([tech, tech_peer, non]), pd.DataFrame({C.EMPLOYEE_ID: [1], C.INNOVATION: [False]}),
                ind).iloc[0]
    assert out["score_kompetensi_teknis"] == pytest.approx(0.6 * 90 + 0.4 * 60)  # 78
    assert out["score_kompetensi_nonteknis"] == pytest.approx(80.0)
    assert out[C.FINAL_SCORE] == pytest.approx(0.5 * 100 + 0.25 * 78 + 0.25 * 80)  # 89.5 -> Butuh Perbaikan
    assert out[C.PREDIKAT] == "Butuh Perbaikan"
    assert out[C.PREDIKAT_LABEL] == "Cukup/Butuh Perbaikan"


def _permenpan_perilaku(ratee, scores_, policy="salatiga", roles=("atasan",)):
    items = load_policy(policy).components["perilaku_kerja"].items
    return pd.DataFrame([{C.RATEE_ID: ratee, C.RATER_ID: 40 + k, C.RATER_ROLE: role, C.ITEM: it,
                          C.PERIOD: "annual", C.SCORE: s, C.COMPONENT: "perilaku_kerja"}
                         for k, role in enumerate(roles) for it, s in zip(items, scores_)])


@pytest.mark.parametrize("capaian,expected_results", [
    ([120, 115, 110, 80], C.DI_ATAS),    # 3 of 4 RHK >= 110, no utama below 90
    ([120, 115, 85, 130], C.SESUAI),     # majority above but utama RHK 3 below 90
    ([80, 85, 89.9, 120], C.DI_BAWAH),   # 3 of 4 below 90
    ([100, 100, 100, 100], C.SESUAI),
])
def test_permenpan_results_from_indicators(capaian, expected_results):
    pol = load_policy("salatiga")
    items = pol.components["hasil_kerja"].items
    ind = pd.concat([_ind(1, [(it, "kuantitas", 100, c), (it, "kualitas", 100, c)], period=q)
                     for it, c in zip(items, capaian) for q in ("TW1", "TW2")])
    out = score(pol, _permenpan_perilaku(1, [2] * 7), pd.DataFrame({C.EMPLOYEE_ID: [1]}), ind).iloc[0]
    assert out[C.RATING_RESULTS] == expected_results
    assert out["score_hasil_kerja"] == pytest.approx(np.mean(capaian))


def test_salatiga_pools_self_atasan_stakeholder():
    pol = load_policy("salatiga")
    items = pol.components["hasil_kerja"].items
    ind = _ind(1, [(it, "kuantitas", 100, 100) for it in items])
    # self 3, atasan 2, stakeholder 1 on every item: 0.2*3 + 0.5*2 + 0.3*1 = 1.9 -> rounds to 2 -> Sesuai
    ratings = pd.concat([_permenpan_perilaku(1, [3] * 7, roles=("self",)),
                         _permenpan_perilaku(1, [2] * 7, roles=("atasan",)),
                         _permenpan_perilaku(1, [1] * 7, roles=("stakeholder",))])
    out = score(pol, ratings, pd.DataFrame({C.EMPLOYEE_ID: [1]}), ind).iloc[0]
    assert out[C.RATING_BEHAVIOUR] == C.SESUAI
    assert out[C.PREDIKAT] == "Baik"


@pytest.mark.parametrize("unit_predikat,results,predikat", [
    ("Istimewa", C.DI_ATAS, "Sangat Baik"), ("Baik", C.SESUAI, "Baik"),
    ("Butuh Perbaikan", C.DI_BAWAH, "Butuh Perbaikan"), ("Kurang", C.DI_BAWAH, "Butuh Perbaikan"),
    ("Sangat Kurang", C.DI_BAWAH, "Butuh Perbaikan"),
])
def test_leader_hasil_kerja_follows_unit_predikat(unit_predikat, results, predikat):
    from asnsim.scoring.permenpan import apply_leader_rating
    pol = load_policy("permenpan-6-2022")
    scores = pd.DataFrame({C.EMPLOYEE_ID: [1, 2], C.FINAL_SCORE: [50.0, 50.0],
                           C.RATING_RESULTS: [C.SESUAI, C.SESUAI], C.RATING_BEHAVIOUR: [C.DI_ATAS, C.DI_ATAS],
                           C.PREDIKAT: ["Baik", "Baik"], C.PREDIKAT_LABEL: ["Baik", "Baik"]})
    out = apply_leader_rating(scores, np.array([True, False]), np.array([unit_predikat] * 2), pol)
    assert out[C.RATING_RESULTS].tolist() == [results, C.SESUAI]
    assert out[C.PREDIKAT].tolist() == [predikat, "Baik"]
