"""Sobol' indices through SALib: the Ishigami function's published indices, determinism, undefined outcomes."""

from __future__ import annotations

import numpy as np
import pytest

from asnsim.errors import DesignError
from asnsim.why.sobol import SOBOL_COLUMNS, Uncertainty, check_samples, run_sobol, sobol_design

A, B = 7.0, 0.1
PI_RANGE = [Uncertainty(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3)]


def ishigami(x: np.ndarray) -> np.ndarray:
    """Ishigami & Homma (1990): sin x1 + a sin^2 x2 + b x3^4 sin x1, each x uniform on [-pi, pi]."""
    return (np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0]))[:, None]


def ishigami_indices() -> tuple[np.ndarray, np.ndarray]:
    """The analytic first-order and total indices (Saltelli et al. 2008, Global Sensitivity Analysis, 3.1)."""
    v1 = 0.5 * (1 + B * np.pi ** 4 / 5) ** 2
    v2 = A ** 2 / 8
    v13 = B ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def test_analytic_indices_are_the_published_ones():
    s1, st = ishigami_indices()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_ishigami_indices_within_their_bootstrap_intervals():
    res = run_sobol(PI_RANGE, ishigami, ["y"], samples=1024, seed=1)
    s1, st = ishigami_indices()
    t = res.table
    assert list(t.columns) == SOBOL_COLUMNS and t["parameter"].tolist() == ["x1", "x2", "x3"]
    assert len(res.design) == 1024 * 5
    assert (np.abs(t["S1"] - s1) <= t["S1_conf"]).all(), t
    assert (np.abs(t["ST"] - st) <= t["ST_conf"]).all(), t
    assert (t["S1_conf"] < 0.1).all() and (t["ST_conf"] < 0.1).all()  # intervals narrow enough to mean something
    assert res.top("y") == "x1"


def test_grouped_parameters_get_one_pair_of_indices():
    # x1 and x3 moved together explain V1 + V13 (first order of the group = its total): 0.5576; x2 0.4424
    grouped = [Uncertainty("x1", -np.pi, np.pi, "x1+x3"), Uncertainty("x2", -np.pi, np.pi),
               Uncertainty("x3", -np.pi, np.pi, "x1+x3")]
    res = run_sobol(grouped, ishigami, ["y"], samples=1024, seed=5)
    t = res.table.set_index("parameter")
    assert t.index.tolist() == ["x1+x3", "x2"] and len(res.design) == 1024 * 4
    s1, st = ishigami_indices()
    for name, truth in (("x1+x3", st[0]), ("x2", s1[1])):
        assert abs(t.loc[name, "S1"] - truth) <= t.loc[name, "S1_conf"]
        assert abs(t.loc[name, "ST"] - truth) <= t.loc[name, "ST_conf"]


def test_same_seed_same_bytes_and_another_seed_differs():
    runs = [run_sobol(PI_RANGE, ishigami, ["y"], samples=64, seed=s).table.to_csv(index=False) for s in (3, 3, 4)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_several_outcomes_and_an_undefined_or_constant_one():
    def model(x):
        return np.c_[ishigami(x), np.ones(len(x)), np.where(x[:, 0] > 0, np.nan, 1.0), 3 * x[:, 2]]

    res = run_sobol(PI_RANGE, model, ["y", "flat", "icc", "z"], samples=32, seed=2)
    t = res.table.set_index(["metric", "parameter"])
    assert len(res.table) == 12
    assert t.loc["flat"][["S1", "ST"]].isna().all().all() and t.loc["icc"]["ST"].isna().all()
    assert res.skipped["flat"] == "does not vary over the ranges"
    assert res.skipped["icc"].startswith("is undefined at")
    z = t.loc["z"]
    assert abs(z.loc["x3", "S1"] - 1.0) <= z.loc["x3", "S1_conf"] and abs(z.loc["x3", "ST"] - 1.0) <= z.loc["x3", "ST_conf"]
    assert (z.loc[["x1", "x2"], "ST"].abs() < 1e-12).all()  # z ignores x1 and x2
    with pytest.raises(KeyError, match="does not vary"):
        res.top("flat")


def test_design_points_lie_in_their_ranges():
    x = sobol_design([Uncertainty("a", 0.2, 0.4), Uncertainty("b", -3, 5)], 8, seed=1)
    assert x.shape == (32, 2)
    assert (x[:, 0] >= 0.2).all() and (x[:, 0] <= 0.4).all() and (x[:, 1] >= -3).all() and (x[:, 1] <= 5).all()


@pytest.mark.parametrize("text, message", [
    ("rater.favouritism", "expected KEY=LO:HI"),
    ("rater.favouritism=0.8", "expected KEY=LO:HI"),
    ("rater.favouritism=a:b", "must be numbers"),
    ("rater.favouritism=0.8:0.2", "rater.favouritism: need finite LO < HI"),
    ("rater.favouritism=0:inf", "need finite LO < HI"),
    ("=0:1", "expected KEY=LO:HI"),
])
def test_bad_uncertainty_names_the_key(text, message):
    with pytest.raises(DesignError, match=message):
        Uncertainty.parse(text)


@pytest.mark.parametrize("samples", [0, 3, 100, -8])
def test_samples_must_be_a_power_of_two(samples):
    with pytest.raises(DesignError, match="--samples must be a power of 2"):
        check_samples(samples)


def test_duplicate_or_missing_parameters_are_refused():
    with pytest.raises(DesignError, match="more than once"):
        sobol_design([Uncertainty("a", 0, 1), Uncertainty("a", 0, 2)], 8, seed=1)
    with pytest.raises(DesignError, match="at least one"):
        sobol_design([], 8, seed=1)


def test_screening_leaves_out_what_changes_nothing_and_reports_it_as_zero():
    calls = []

    def model(x):  # x2 is inert; x4 plays Ishigami's x2 (sin^2: equal at both ends of [-pi, pi])
        calls.append(len(x))
        return np.c_[ishigami(x[:, [0, 3, 2]]), x[:, 2]]

    ranges = PI_RANGE + [Uncertainty("x4", -np.pi, np.pi)]
    ranges = [ranges[0], Uncertainty("x2", 0, 1), ranges[2], ranges[3]]
    res = run_sobol(ranges, model, ["y", "x3"], samples=256, seed=1, screen=True)
    assert res.inactive == ("x2",)
    assert calls == [9, 256 * 5] and res.runs == 9 + 256 * 5
    t = res.table.set_index(["metric", "parameter"])
    assert t.index.get_level_values("parameter")[:4].tolist() == ["x1", "x2", "x3", "x4"]  # the given order
    assert (t.loc[("y", "x2")].to_numpy() == 0).all()
    assert t.loc[("x3", "x3"), "S1"] == pytest.approx(1.0, abs=0.1)
    assert (res.design[:, 1] == 0.5).all()  # the inert parameter sits at its midpoint


def test_everything_inactive_gives_zeros_without_a_design():
    res = run_sobol(PI_RANGE, lambda x: np.ones((len(x), 1)), ["flat"], samples=8, seed=1, screen=True)
    assert res.inactive == ("x1", "x2", "x3") and len(res.design) == 0
    assert (res.table[["S1", "ST"]].to_numpy() == 0).all()
