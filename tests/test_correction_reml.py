"""The REML engine of the crossed model: the Schur pattern, both factorizations, the selected inverse,
and the criterion against a dense computation written from the formulas (Bates et al. 2015, eq. 39-42)."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from asnsim.correction.synthetic import crossed_ratings, province_ratings

reml = importlib.import_module("asnsim.correction.reml")


def _design(df):
    e = pd.factorize(df["ratee_id"], sort=True)[0]
    r = pd.factorize(df["rater_id"], sort=True)[0]
    return df["score"].to_numpy(float), e, r


def _dense_reml(y, X, e, r, theta):
    """The REML criterion from its definition, with dense matrices: Lambda' Z'Z Lambda + I and friends."""
    n, p = X.shape
    Z = np.hstack([np.eye(e.max() + 1)[e] * theta[0], np.eye(r.max() + 1)[r] * theta[1]])
    M = Z.T @ Z + np.eye(Z.shape[1])
    Mi = np.linalg.inv(M)
    rxtrx = X.T @ X - X.T @ Z @ Mi @ Z.T @ X
    beta = np.linalg.solve(rxtrx, X.T @ y - X.T @ Z @ Mi @ Z.T @ y)
    u = Mi @ Z.T @ (y - X @ beta)
    r2 = ((y - X @ beta - Z @ u) ** 2).sum() + (u ** 2).sum()
    dev = (np.linalg.slogdet(M)[1] + np.linalg.slogdet(rxtrx)[1]
           + (n - p) * (1 + np.log(2 * np.pi * r2 / (n - p))))
    return dev, np.diag(Mi)


@pytest.mark.parametrize("dense", [True, False])
def test_criterion_and_conditional_variances_equal_the_dense_formulas(monkeypatch, dense):
    df = crossed_ratings(70, np.random.default_rng(9), mean_unit=8, n_items=2)
    y, e, r = _design(df)
    X = np.column_stack([np.ones(len(y)), df["item"].to_numpy(float)])
    if not dense:
        monkeypatch.setattr(reml, "DENSE_MAX", 0)
        monkeypatch.setattr(reml, "DENSE_LIMIT", 0)
    model = reml.CrossedREML(y, X, e, r)
    assert model.dense is dense
    for theta in [(1.0, 1.0), (0.3, 2.0), (0.0, 0.7), (1.2, 0.0)]:
        ev = model.evaluate(theta)
        want, diag = _dense_reml(y, X, e, r, theta)
        assert ev.deviance == pytest.approx(want, rel=1e-11)
        if min(theta) > 0:
            da, db = model.conditional_variance_diag(ev)
            qe = e.max() + 1
            got = np.concatenate([db, da]) if model.swap else np.concatenate([da, db])
            np.testing.assert_allclose(got, diag, rtol=1e-10)


def test_schur_pattern_equals_the_sparse_product():
    df = crossed_ratings(300, np.random.default_rng(5))
    y, e, r = _design(df)
    model = reml.CrossedREML(y, np.ones((len(y), 1)), e, r)
    w = np.random.default_rng(1).random(model.qa)
    diag = np.random.default_rng(2).random(model.qb) + 5
    want = sp.diags(diag) - model.N.T @ sp.diags(w) @ model.N
    got = model.pattern.upper(model.pattern.values(w, diag))
    np.testing.assert_allclose(got.toarray(), np.triu(want.toarray()), atol=1e-12)


def test_selected_inverse_on_a_province_design_equals_solves(monkeypatch):
    """The Takahashi recurrence on QDLDL's factor gives the same diagonal as solving for unit vectors."""
    monkeypatch.setattr(reml, "DENSE_MAX", 0)
    monkeypatch.setattr(reml, "DENSE_LIMIT", 0)
    df = province_ratings(600, np.random.default_rng(3))
    y, e, r = _design(df)
    model = reml.CrossedREML(y, np.ones((len(y), 1)), e, r)
    assert not model.dense
    ev = model.evaluate((1.0, 0.5))
    da, db = model.conditional_variance_diag(ev)
    _, solve, _ = model._factor(ev.ta, ev.tb, ev.da)
    pick = np.random.default_rng(0).choice(model.qb, 25, replace=False)
    for j in pick:
        unit = np.zeros(model.qb)
        unit[j] = 1.0
        assert solve(unit)[j] == pytest.approx(db[j], rel=1e-10)


def test_fit_reaches_the_minimum_from_any_start_and_refit_reuses_the_design():
    df = crossed_ratings(150, np.random.default_rng(4))
    y, e, r = _design(df)
    model = reml.CrossedREML(y, np.ones((len(y), 1)), e, r)
    a = model.fit()
    b = model.fit(start=(3.0, 0.1))
    np.testing.assert_allclose(a.theta, b.theta, rtol=1e-4)
    for step in ([1e-3, 0], [0, 1e-3], [-1e-3, 0], [0, -1e-3]):
        assert model.deviance(a.theta + step) >= a.best.deviance
    again = a.refit(y + 1.0)                     # a shift changes only the intercept
    np.testing.assert_allclose(again.theta, a.theta, rtol=1e-4)
    assert again.best.beta[0] == pytest.approx(a.best.beta[0] + 1.0, rel=1e-6)


def test_one_factor_held_at_zero():
    rng = np.random.default_rng(6)
    r = rng.integers(0, 30, 400)
    e = np.arange(400)                            # one rating per ratee
    y = 0.7 * rng.normal(size=30)[r] + rng.normal(size=400)
    model = reml.CrossedREML(y, np.ones((400, 1)), e, r, free=(False, True))
    fit = model.fit()
    assert fit.theta[0] == 0.0 and fit.theta[1] > 0
    # the one-way random-effects REML estimate: statsmodels MixedLM with groups = rater
    import statsmodels.api as sm
    ref = sm.MixedLM(y, np.ones((400, 1)), groups=r).fit(reml=True)
    s2_e, s2_r, s2 = fit.variances()
    assert s2_r == pytest.approx(float(np.asarray(ref.cov_re)[0, 0]), rel=1e-3)
    assert s2 == pytest.approx(float(ref.scale), rel=1e-3)
