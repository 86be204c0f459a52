"""PP 46/2011 + Perka BKN 1/2013: the worked example, the waktu rule's edges and the known public mistakes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.policy import load_policy
from asnsim.scoring import score
from asnsim.scoring.pp46 import activity_scores, efficiency_score, ratio_score


def _activity(rows, employee=1, indicator="kegiatan_1", period="annual"):
    """rows: (aspect, target, realisasi)."""
    return pd.DataFrame([{C.EMPLOYEE_ID: employee, C.INDICATOR: indicator, C.ASPECT: a, C.PERIOD: period,
                          C.TARGET: t, C.REALISASI: r, C.CAPAIAN: 100 * r / t} for a, t, r in rows])


WORKED = [("kuantitas", 10, 10), ("kualitas", 100, 90), ("waktu", 12, 12), ("biaya", 5_000_000, 5_000_000)]


def test_worked_example_85_50():
    act = activity_scores(_activity(WORKED))
    assert act.iloc[0] == pytest.approx(85.50)  # (100 + 90 + 76 + 76) / 4


def test_without_biaya_divides_by_three():
    act = activity_scores(_activity(WORKED[:3]))
    assert act.iloc[0] == pytest.approx((100 + 90 + 76) / 3)


@pytest.mark.parametrize("tw,rw,expected", [
    (12, 12, 76.0),        # on time: e = 0 -> (1.76*12 - 12)/12*100 = 76
    (100, 76, 100.0),      # e = 24 exactly: still the first branch -> 100
    (100, 75, 75.0),       # e = 25: 76 - ((176 - 75) - 100) = 75: the 24% jump (100 -> 75)
    (12, 6, 50.0),         # e = 50: finishing in half the time scores 50 < 76 (early finish penalised)
    (12, 0, 0.0),          # zero realisation -> 0
    (12, 10, 92.6666667),  # e = 16.7: (21.12 - 10)/12*100
    (12, 15, 51.0),        # late: e = -25 -> (21.12 - 15)/12*100 = 51
])
def test_waktu_rule(tw, rw, expected):
    assert efficiency_score(tw, rw).item() == pytest.approx(expected)


def test_jump_at_24_percent_is_a_discontinuity():
    below, above = efficiency_score([100, 100], [76.0, 75.999]).tolist()
    assert below == pytest.approx(100.0) and above == pytest.approx(76 - 0.001, abs=1e-6)
    assert below - above > 23.9


def test_zero_output_scores_zero_activity():
    act = activity_scores(_activity([("kuantitas", 10, 0), ("kualitas", 100, 90), ("waktu", 12, 12)]))
    assert act.iloc[0] == 0.0


# The three public implementation mistakes (DOMAIN.md s.2), written out by hand.
def _mistake_factor_times_difference(tw, rw):
    e = 100 - rw / tw * 100
    base = 1.76 * (tw - rw) / tw * 100
    return base if e <= 24 else 76 - (base - 100)


def _mistake_less_than_25(tw, rw):
    e = 100 - rw / tw * 100
    base = (1.76 * tw - rw) / tw * 100
    return base if e < 25 else 76 - (base - 100)


def _mistake_rb_denominator(tb, rb):
    e = 100 - rb / tb * 100
    base = (1.76 * tb - rb) / rb * 100
    return base if e <= 24 else 76 - (base - 100)


@pytest.mark.parametrize("mistake,t,r,ours,theirs", [
    (_mistake_factor_times_difference, 12, 10, 92.6666667, 29.3333333),
    (_mistake_factor_times_difference, 12, 12, 76.0, 0.0),
    (_mistake_less_than_25, 100, 75.5, 75.5, 100.5),
    (_mistake_rb_denominator, 1000, 900, 86.0, 95.5555556),
])
def test_public_mistakes_give_different_numbers(mistake, t, r, ours, theirs):
    assert efficiency_score(t, r).item() == pytest.approx(ours)
    assert mistake(t, r) == pytest.approx(theirs)
    assert abs(ours - theirs) > 1


def test_ratio_score():
    assert ratio_score([10, 100, 0], [9, 100, 5]).tolist()[:2] == [90.0, 100.0]
    assert np.isnan(ratio_score(0, 5))


def _perilaku(ratee, values):
    pol = load_policy("pp-46-2011")
    items = pol.components["perilaku"].items
    return pd.DataFrame({C.RATEE_ID: ratee, C.RATER_ID: 99, C.RATER_ROLE: "atasan", C.ITEM: list(items),
                         C.PERIOD: "annual", C.SCORE: values, C.COMPONENT: "perilaku"})


def test_final_score_bands_and_kepemimpinan_only_for_structural():
    pol = load_policy("pp-46-2011")
    ind = pd.concat([_activity(WORKED, employee=1), _activity(WORKED, employee=2)], ignore_index=True)
    # five aspects at 80, kepemimpinan at 20: structural mean 70, others 80
    ratings = pd.concat([_perilaku(1, [80, 80, 80, 80, 80, 20]), _perilaku(2, [80, 80, 80, 80, 80, 20])])
    emp = pd.DataFrame({C.EMPLOYEE_ID: [1, 2], C.POSITION_CLASS: ["struktural", "pelaksana"]})
    out = score(pol, ratings, emp, ind).set_index(C.EMPLOYEE_ID)
    assert out.loc[1, "score_perilaku"] == pytest.approx(70.0)
    assert out.loc[2, "score_perilaku"] == pytest.approx(80.0)
    assert out.loc[1, C.FINAL_SCORE] == pytest.approx(0.6 * 85.5 + 0.4 * 70)  # 79.3 -> Baik
    assert out.loc[2, C.FINAL_SCORE] == pytest.approx(0.6 * 85.5 + 0.4 * 80)  # 83.3 -> Baik
    assert out[C.PREDIKAT].tolist() == ["Baik", "Baik"]
    assert out[C.RATING_RESULTS].isna().all()


@pytest.mark.parametrize("final,label,predikat", [
    (91.0, "Sangat Baik", "Sangat Baik"), (90.99, "Baik", "Baik"), (76.0, "Baik", "Baik"),
    (75.99, "Cukup", "Butuh Perbaikan"), (61.0, "Cukup", "Butuh Perbaikan"), (60.5, "Kurang", "Kurang/Misconduct"),
    (51.0, "Kurang", "Kurang/Misconduct"), (50.99, "Buruk", "Sangat Kurang"), (-20.0, "Buruk", "Sangat Kurang"),
])
def test_pp46_bands(final, label, predikat):
    from asnsim.scoring import assign_bands
    pol = load_policy("pp-46-2011")
    p, lab = assign_bands(np.array([final]), pol.predikat.bands, np.array([False]))
    assert (p[0], lab[0]) == (predikat, label)


def test_missing_indicators_is_a_clear_error():
    from asnsim.errors import InputError
    pol = load_policy("pp-46-2011")
    with pytest.raises(InputError, match="measures component 'skp' by indicators"):
        score(pol, _perilaku(1, [80] * 6), pd.DataFrame({C.EMPLOYEE_ID: [1]}), None)
    bad = _activity(WORKED).assign(aspect=["kuantitas", "kualitas", "waktu", "ongkos"])
    with pytest.raises(InputError, match=r"row 4: column 'aspect': unknown aspect 'ongkos'"):
        score(pol, _perilaku(1, [80] * 6), pd.DataFrame({C.EMPLOYEE_ID: [1]}), bad)
