"""The synthetic organisation: exact sizes, a well-formed tree, documented distributions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from asnsim import columns as C
from asnsim.errors import AsnsimError
from asnsim.population import (AGE_BANDS, AGE_SHARES, PRESETS, STRUCTURAL, TRUE_COMPONENTS,
                               generate_population, monthly_deviations, period_months, resolve_size)
from asnsim.rng import stage_rng
from asnsim.scenario import DEFAULT_CORR, PopulationParams


@pytest.fixture(scope="module")
def big():
    return generate_population(20000, stage_rng(5, "population"), PopulationParams(unit_context_sd=0.4))


@pytest.mark.parametrize("n", [2, 3, 7, 20, 101, 999, 3500, 25000])
def test_exact_size_and_a_tree_rooted_at_the_kepala_daerah(n):
    emp = generate_population(n, stage_rng(n, "population"))
    assert len(emp) == n and (emp[C.EMPLOYEE_ID].to_numpy() == np.arange(1, n + 1)).all()
    sup = emp[C.SUPERVISOR_ID].to_numpy()
    assert set(sup) <= set(range(n + 1))
    assert (sup != emp[C.EMPLOYEE_ID].to_numpy()).all()
    # following supervisors reaches 0 within a few steps: no cycles
    cur = sup.copy()
    for _ in range(8):
        cur = np.where(cur > 0, sup[np.maximum(cur, 1) - 1], 0)
    assert (cur == 0).all()
    assert (sup == 0).sum() == emp[C.PEMDA].nunique()  # one sekda per pemda
    assert emp.groupby(C.UNIT, observed=True).size().min() >= 2


def test_tree_follows_the_pemda_structure():
    emp = generate_population(3500, stage_rng(2, "population"))
    heads = emp.groupby(C.UNIT, observed=True).first()
    by_unit = heads.set_index(C.EMPLOYEE_ID)
    units = heads.reset_index()
    head_of = dict(zip(units[C.UNIT], units[C.EMPLOYEE_ID]))
    type_of = dict(zip(units[C.UNIT], units[C.UNIT_TYPE]))
    for _, h in units.iterrows():  # one row per unit (about 160), not per employee
        if h[C.UNIT_TYPE] == "secretariat":
            assert h[C.SUPERVISOR_ID] == 0
            continue
        parent = h[C.PARENT_UNIT]
        expected_parent = {"kelurahan": "kecamatan", "school": "education", "puskesmas": "health"}.get(
            h[C.UNIT_TYPE], "secretariat")
        assert type_of[parent] == expected_parent
        assert h[C.SUPERVISOR_ID] == head_of[parent]
    counts = units[C.UNIT_TYPE].value_counts()
    assert counts["kelurahan"] == 6 * counts["kecamatan"] and counts["secretariat"] == 1
    assert 30 <= counts.drop(["school", "puskesmas", "kelurahan"]).sum() <= 45  # OPD per pemda kota
    # every rater of staff holds a structural post or heads a unit
    sup_ids = emp[C.SUPERVISOR_ID][emp[C.SUPERVISOR_ID] > 0].unique()
    sups = emp.set_index(C.EMPLOYEE_ID).loc[sup_ids]
    is_head = sups.index.isin(units[C.EMPLOYEE_ID])
    assert (sups[C.POSITION].isin(STRUCTURAL) | is_head).all()
    assert by_unit.loc[by_unit[C.UNIT_TYPE] == "kecamatan", C.POSITION].eq("Administrator").all()
    assert emp[C.POSITION].str.startswith("JF").mean() > 0.3


def test_true_components_have_the_documented_correlations(big):
    z = big[list(TRUE_COMPONENTS)].to_numpy()
    assert np.abs(np.corrcoef(z.T) - np.asarray(DEFAULT_CORR)).max() < 0.03
    assert big[C.TRUE_PERFORMANCE].std() == pytest.approx(1.0, abs=0.03)
    assert np.allclose(big[C.TRUE_PERFORMANCE], z.mean(axis=1) / np.sqrt(np.sum(DEFAULT_CORR) / 16))
    eq = generate_population(20000, stage_rng(5, "population"), PopulationParams(component_corr=0.6))
    c = np.corrcoef(eq[list(TRUE_COMPONENTS)].to_numpy().T)
    assert np.abs(c[np.triu_indices(4, 1)] - 0.6).max() < 0.03


def test_innovation_rises_with_true_performance(big):
    x = sm.add_constant(big[C.TRUE_PERFORMANCE].to_numpy())
    fit = sm.Logit(big[C.INNOVATION].to_numpy().astype(float), x).fit(disp=0)
    assert fit.params[1] == pytest.approx(1.0, abs=4 * fit.bse[1])
    assert fit.params[0] == pytest.approx(np.log(0.1 / 0.9), abs=4 * fit.bse[0])


def test_demographics_and_context(big):
    assert big[C.SEX].eq("F").mean() == pytest.approx(0.54, abs=0.015)
    staff = big[~big[C.POSITION].isin(STRUCTURAL)]
    shares = staff[C.AGE_BAND].value_counts(normalize=True).reindex(AGE_BANDS).to_numpy()
    assert np.abs(shares - np.asarray(AGE_SHARES)).max() < 0.015
    lead = big[big[C.POSITION].isin(STRUCTURAL)]
    assert lead[C.AGE_BAND].isin(["41-50", "51-60"]).mean() > staff[C.AGE_BAND].isin(["41-50", "51-60"]).mean()
    assert big[C.STATUS].eq("PPPK").mean() == pytest.approx(0.11, abs=0.01)
    assert big.loc[big[C.STATUS] == "PPPK", C.POSITION].isin(STRUCTURAL).sum() == 0
    u = big.groupby(C.UNIT, observed=True)[[C.UNIT_CONTEXT, C.UNIT_DIFFICULTY, C.UNIT_RESOURCES]].first()
    assert np.allclose(u[C.UNIT_CONTEXT], 0.4 * (u[C.UNIT_RESOURCES] - u[C.UNIT_DIFFICULTY]) / np.sqrt(2))
    assert u[C.UNIT_CONTEXT].std() == pytest.approx(0.4, rel=0.15)
    assert big[C.CLOSENESS].mean() == pytest.approx(0.2, abs=0.015)
    # no true group differences: any gap in scores is bias
    assert abs(big.groupby(C.SEX, observed=True)[C.TRUE_PERFORMANCE].mean().diff().iloc[-1]) < 0.05


def test_no_context_means_exactly_zero():
    emp = generate_population(500, stage_rng(1, "population"), PopulationParams(unit_context_sd=0.0))
    assert (emp[C.UNIT_CONTEXT] == 0).all() and not np.signbit(emp[C.UNIT_CONTEXT]).any()


def test_same_seed_same_table_and_compact_dtypes():
    a = generate_population(800, stage_rng(9, "population"))
    b = generate_population(800, stage_rng(9, "population"))
    c = generate_population(800, stage_rng(10, "population"))
    pd.testing.assert_frame_equal(a, b)
    assert not a[C.TRUE_PERFORMANCE].equals(c[C.TRUE_PERFORMANCE])
    assert not any(dt == object for dt in a.dtypes)


def test_presets():
    assert resolve_size("national")[0] == 4_282_429
    assert set(PRESETS) >= {"salatiga", "gayungan", "serang", "sawahlunto", "pontianak", "national"}
    assert all(p.basis for p in PRESETS.values())
    emp = generate_population("sawahlunto", stage_rng(1, "population"))
    assert len(emp) == PRESETS["sawahlunto"].n
    with pytest.raises(AsnsimError, match="unknown size preset 'atlantis'"):
        resolve_size("atlantis")
    with pytest.raises(AsnsimError, match="at least 2"):
        resolve_size(1)


def test_many_pemda_above_one_city():
    emp = generate_population(40000, stage_rng(1, "population"))
    assert emp[C.PEMDA].nunique() == 5
    top = emp[emp[C.SUPERVISOR_ID] == 0]
    assert (top[C.UNIT_TYPE] == "secretariat").all() and top[C.PEMDA].is_unique


def test_monthly_deviations_persistence_and_growth(big):
    p = PopulationParams(period_sd=0.4, period_persistence=0.7)
    d = monthly_deviations(big, p, stage_rng(1, "truth"))
    assert np.abs(d.mean(axis=1)).max() < 1e-5
    # centring a 12-month AR(1) path shrinks its SD a little; lag-1 correlation stays high
    assert 0.25 < d.std() < 0.4
    lag1 = np.corrcoef(d[:, :-1].ravel(), d[:, 1:].ravel())[0, 1]
    assert 0.45 < lag1 < 0.75
    assert monthly_deviations(big, PopulationParams(), stage_rng(1, "truth")) is None
    g = monthly_deviations(big, PopulationParams(feedback_growth=0.12, training_growth=0.2),
                           stage_rng(1, "truth"), feedback=True, training=True)
    below = big[C.TRUE_RESULTS].to_numpy() < 0
    assert np.allclose(g[~below, 11], 0.12) and np.allclose(g[below, 11], 0.32)
    assert np.allclose(g[:, 5], g[:, 11] / 2)
    assert monthly_deviations(big, PopulationParams(feedback_growth=0.12), stage_rng(1, "truth")) is None


def test_period_months():
    assert [v.tolist() for v in period_months("quarterly").values()] == [[0, 1, 2], [3, 4, 5], [6, 7, 8],
                                                                         [9, 10, 11]]
    assert list(period_months("monthly"))[:2] == ["M01", "M02"] and list(period_months("annual")) == ["annual"]
