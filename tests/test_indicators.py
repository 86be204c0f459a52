"""Simulated indicators: shape, raw capaian, and each planted indicator effect alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.indicators import FX_GAMING, FX_SELF_REPORT, simulate_indicators
from asnsim.policy import load_policy
from asnsim.population import generate_population, monthly_deviations
from asnsim.rng import stage_rng
from asnsim.scenario import IndicatorParams, PopulationParams, load_scenario

N = 2000
NEUTRAL = load_scenario("neutral").indicators


@pytest.fixture(scope="module")
def emp():
    return generate_population(N, stage_rng(4, "population"), PopulationParams(unit_context_sd=0.5))


def policy(tmp_path, name, body, base="pp-46-2011"):
    f = tmp_path / f"{name}.toml"
    f.write_text(f'name = "{name}"\ntitle = "t"\nextends = "{base}"\n{body}')
    return load_policy(str(f))


def sim(emp, pol, params=NEUTRAL, monthly=None, seed=4):
    return simulate_indicators(emp, pol, params, stage_rng(seed, "indicators"), monthly)


def test_one_row_per_employee_indicator_aspect_period(emp):
    pol = load_policy("pp-46-2011")
    ind = sim(emp, pol)
    comp = pol.components["skp"] if "skp" in pol.components else next(
        c for c in pol.components.values() if c.measure == "indicators")
    assert len(ind) == N * len(comp.items) * len(comp.aspects) * 1
    assert not ind.duplicated([C.EMPLOYEE_ID, C.INDICATOR, C.ASPECT, C.PERIOD]).any()
    assert set(ind[C.ASPECT]) == set(comp.aspects)
    assert np.allclose(ind[C.CAPAIAN], 100 * ind[C.REALISASI] / ind[C.TARGET])
    assert C.SELF_REPORTED not in ind.columns
    # neutral: no gaming, no self-report, targets are the fair targets (counts rounded)
    assert (ind[FX_GAMING] == 0).all() and (ind[FX_SELF_REPORT] == 0).all()
    k = ind[ind[C.ASPECT] == "kuantitas"]
    assert (k[C.TARGET] == np.maximum(1, np.rint(k[C.TARGET_FAIR]))).all()
    assert (k[C.REALISASI] == np.rint(k[C.REALISASI])).all()
    assert (ind.loc[ind[C.ASPECT] == "kualitas", C.REALISASI] <= 100).all()


def test_realisasi_follows_truth_and_context_with_the_stated_loadings(emp, tmp_path):
    pol = policy(tmp_path, "b", "")
    params = NEUTRAL.model_copy(update={"noise_sd": 0.05})
    ind = sim(emp, pol, params)
    for aspect, sign in (("kuantitas", 1), ("waktu", -1), ("biaya", -1)):
        a = ind[ind[C.ASPECT] == aspect]
        y = np.log(a[C.TRUE_REALISASI].clip(lower=0.5) / a[C.TARGET_FAIR]).to_numpy()
        ctx = emp[C.UNIT_CONTEXT].to_numpy()[a[C.EMPLOYEE_ID].to_numpy() - 1]
        X = np.column_stack([np.ones(len(a)), a[C.TRUE_SCORE], ctx])
        if aspect == "kuantitas":  # counts are rounded: keep activities with enough volume
            keep = a[C.TARGET_FAIR].to_numpy() > 20
            X, y = X[keep], y[keep]
        beta = np.linalg.lstsq(X, y, rcond=None)[0]
        assert beta[1] == pytest.approx(sign * 0.15, abs=0.015), aspect
        assert beta[2] == pytest.approx(sign * 0.15, abs=0.02), aspect
    w = ind[ind[C.ASPECT] == "waktu"]
    # good performers finish early: realisasi below the target in months
    top = w[C.TRUE_SCORE] > 1
    assert (w.loc[top, C.REALISASI] < w.loc[top, C.TARGET]).mean() > 0.95


def test_target_slack_lowers_targets_by_its_size(emp):
    pol = load_policy("pp-46-2011")
    ind = sim(emp, pol, NEUTRAL.model_copy(update={"slack_mean": 0.2}))
    base = sim(emp, pol)
    w = ind[ind[C.ASPECT] == "waktu"]
    assert np.allclose(w[C.TARGET] / w[C.TARGET_FAIR], np.exp(0.2))
    b = ind[ind[C.ASPECT] == "biaya"]
    assert np.allclose(b[C.TARGET] / b[C.TARGET_FAIR], np.exp(0.2))
    q = ind[ind[C.ASPECT] == "kualitas"]
    assert np.allclose(q[C.TARGET], 100 * np.exp(-0.2))
    # the true realisations do not move
    assert np.array_equal(ind[C.TRUE_REALISASI].to_numpy(), base[C.TRUE_REALISASI].to_numpy())
    assert ind[C.CAPAIAN].mean() > base[C.CAPAIAN].mean()


def test_gaming_inflates_counts_only_with_activity_logs(emp, tmp_path):
    params = NEUTRAL.model_copy(update={"gaming": 0.4, "count_per_year": 400.0})
    plain = sim(emp, load_policy("pp-46-2011"), params)
    assert (plain[FX_GAMING] == 0).all()
    logs = policy(tmp_path, "logs", "[forum]\nactivity_logs = true\n")
    ind = sim(emp, logs, params)
    k = ind[ind[C.ASPECT] == "kuantitas"]
    ratio = (k[C.REALISASI] / k[C.TRUE_REALISASI]).to_numpy()
    assert np.median(ratio) == pytest.approx(1.4, abs=0.01)
    assert (ind.loc[ind[C.ASPECT] != "kuantitas", FX_GAMING] == 0).all()
    assert np.allclose(k[FX_GAMING], k[C.REALISASI] - k[C.TRUE_REALISASI])


def test_self_reports_inflate_only_unverified_activities(emp, tmp_path):
    pol = load_policy("salatiga")
    cname = next(n for n, c in pol.components.items() if c.self_reported)
    share = pol.components[cname].verified_share
    ind = sim(emp, pol, NEUTRAL.model_copy(update={"self_report_inflation": 0.3, "count_per_year": 400.0}))
    assert {C.SELF_REPORTED, C.VERIFIED} <= set(ind.columns)
    acts = ind.drop_duplicates([C.EMPLOYEE_ID, C.INDICATOR, C.PERIOD])
    assert acts[C.VERIFIED].mean() == pytest.approx(share, abs=0.02)
    # an activity is verified as a whole: every aspect row agrees
    assert (ind.groupby([C.EMPLOYEE_ID, C.INDICATOR, C.PERIOD], observed=True)[C.VERIFIED].nunique() == 1).all()
    v = ind[ind[C.VERIFIED]]
    assert (v[FX_SELF_REPORT] == 0).all()
    u = ind[~ind[C.VERIFIED] & (ind[C.ASPECT] == "kuantitas")]
    assert np.median(u[C.REALISASI] / u[C.TRUE_REALISASI]) == pytest.approx(1.3, abs=0.01)
    uq = ind[~ind[C.VERIFIED] & (ind[C.ASPECT] == "kualitas")]
    assert (uq[C.REALISASI] >= uq[C.TRUE_REALISASI]).all() and (uq[C.REALISASI] <= 100).all()


def test_periods_persistence_and_growth(emp, tmp_path):
    pol = policy(tmp_path, "q", '[periods]\nfrequency = "quarterly"\n')
    monthly = monthly_deviations(emp, PopulationParams(period_sd=0.4), stage_rng(4, "truth"))
    ind = sim(emp, pol, monthly=monthly)
    assert list(ind[C.PERIOD].cat.categories) == ["TW1", "TW2", "TW3", "TW4"]
    waktu = ind[ind[C.ASPECT] == "waktu"]
    assert np.allclose(waktu[C.TARGET], 3.0)  # three months per quarter
    t = ind.drop_duplicates([C.EMPLOYEE_ID, C.INDICATOR, C.PERIOD]).pivot_table(
        index=[C.EMPLOYEE_ID, C.INDICATOR], columns=C.PERIOD, values=C.TRUE_SCORE, observed=True)
    dev = t.sub(t.mean(axis=1), axis=0)
    assert dev.abs().max().max() > 0.05                     # the level moves within the year
    assert np.corrcoef(dev["TW1"], dev["TW2"])[0, 1] > np.corrcoef(dev["TW1"], dev["TW4"])[0, 1]
    base = emp[C.TRUE_RESULTS].to_numpy()[t.index.get_level_values(0) - 1]
    assert np.allclose(t.mean(axis=1), base, atol=1e-5)     # the annual mean is the true level
    # growth from feedback and training (Gayungan): TW4 - TW1 = rate * (11/12 - 2/12)
    grow = monthly_deviations(emp, PopulationParams(feedback_growth=0.2, training_growth=0.4),
                              stage_rng(4, "truth"), feedback=True, training=True)
    g = sim(emp, pol, monthly=grow).drop_duplicates([C.EMPLOYEE_ID, C.INDICATOR, C.PERIOD])
    g = g.pivot_table(index=C.EMPLOYEE_ID, columns=C.PERIOD, values=C.TRUE_SCORE, observed=True)
    below = emp[C.TRUE_RESULTS].to_numpy()[g.index - 1] < 0
    gain = (g["TW4"] - g["TW1"]).to_numpy()
    assert np.allclose(gain[~below], 0.2 * 0.75) and np.allclose(gain[below], 0.6 * 0.75)


def test_no_indicator_component_gives_an_empty_table(emp):
    ind = sim(emp, load_policy("permenpan-6-2022"))
    assert len(ind) == 0 and {C.EMPLOYEE_ID, C.TARGET, C.REALISASI, C.CAPAIAN} <= set(ind.columns)


def test_same_seed_same_indicators(emp):
    pol = load_policy("salatiga")
    a, b = sim(emp, pol, IndicatorParams()), sim(emp, pol, IndicatorParams())
    assert list(a.columns) == list(b.columns) and a.dtypes.equals(b.dtypes)
    assert all(a[c].equals(b[c]) for c in a.columns)  # (assert_frame_equal is slow on categoricals)
    c = sim(emp, pol, IndicatorParams(), seed=5)
    assert not a[C.REALISASI].equals(c[C.REALISASI])
