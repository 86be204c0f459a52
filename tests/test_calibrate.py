"""Calibration: bivariate normal and polychoric against references, planted parameters recovered,
round trip simulate -> export -> calibrate -> scenario file -> simulate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from asnsim import columns as C
from asnsim.calibrate import bvn_cdf, calibrate, polychoric, scenario_toml, thresholds
from asnsim.cli import main
from asnsim.errors import DesignError, InputError
from asnsim.pipeline import simulate
from asnsim.policy import load_policy
from asnsim.scenario import load_scenario

POLICY = load_policy("permenpan-6-2022")


@pytest.mark.parametrize("rho", [-0.9, -0.3, 0.0, 0.45, 0.95])
def test_bvn_cdf_matches_scipy(rho):
    h = np.array([-2.0, -0.5, 0.0, 0.0, 0.7, 1.5, 8.0, -8.0, 0.3])
    k = np.array([-1.0, 0.4, 0.0, 1.2, 0.0, -0.2, 0.5, 1.0, 8.0])
    ref = np.array([multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([a, b]) for a, b in zip(h, k)])
    np.testing.assert_allclose(bvn_cdf(h, k, rho), ref, atol=2e-6)


def test_bvn_cdf_closed_form_at_the_origin():
    # P(X<=0, Y<=0) = 1/4 + asin(rho) / (2 pi)  (Sheppard's formula)
    for rho in (-0.5, 0.2, 0.8):
        assert bvn_cdf(np.array(0.0), np.array(0.0), rho) == pytest.approx(0.25 + np.arcsin(rho) / (2 * np.pi),
                                                                          abs=1e-9)


def test_polychoric_recovers_a_planted_correlation():
    rng = np.random.default_rng(4)
    z = rng.multivariate_normal([0, 0], [[1, 0.35], [0.35, 1]], size=40000)
    x, y = np.digitize(z[:, 0], [-1.28, 0.84]), np.digitize(z[:, 1], [-0.5, 0.5])
    t = np.zeros((1, 3, 3))
    np.add.at(t[0], (x, y), 1)
    r = polychoric(t, thresholds(t.sum(2)), thresholds(t.sum(1)))
    assert r == pytest.approx(0.35, abs=0.02)
    # and the thresholds are the normal quantiles of the cumulative shares
    np.testing.assert_allclose(thresholds(t.sum(2))[0], [-1.28, 0.84], atol=0.03)


def planted(n_raters, team, lsd, nsd, lm, rho, rng, k=1.0):
    """Supervisor ratings drawn straight from the model in asnsim.calibrate (independent of the engine)."""
    n = n_raters * team
    rater = np.repeat(np.arange(n_raters), team)
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    len_ = lm + lsd * rng.standard_normal(n_raters)
    parts = []
    for ci, (cname, comp) in enumerate(POLICY.components.items()):
        c0 = float(np.mean([comp.scale.cutpoints[0], comp.scale.cutpoints[-1]]))
        for it in comp.items:
            lat = c0 + k * (z[:, ci] + len_[rater] - c0) + nsd * rng.standard_normal(n)
            parts.append(pd.DataFrame({C.RATEE_ID: np.arange(n).astype(str), C.RATER_ID: rater.astype(str),
                                       C.ITEM: it, C.PERIOD: "annual", C.SCORE: comp.scale.quantize(lat)}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("lsd, nsd, lm, rho, k", [(0.4, 0.6, 0.3, 0.45, 1.0), (0.7, 0.9, -0.2, 0.6, 0.75),
                                                  (0.25, 0.4, 0.0, 0.3, 1.25)])
def test_planted_parameters_are_recovered(lsd, nsd, lm, rho, k):
    """Tolerances: about 3 SE at 400 raters x 8 ratees x 11 items (SEs from the rater bootstrap:
    leniency_sd 0.03, noise_sd 0.01, leniency_mean 0.03, log scale factor 0.015, rho 0.015)."""
    cal = calibrate(planted(400, 8, lsd, nsd, lm, rho, np.random.default_rng(11), k), POLICY)
    assert cal.leniency_sd == pytest.approx(lsd, abs=0.1)
    assert cal.noise_sd == pytest.approx(nsd, abs=0.04)
    assert cal.leniency_mean == pytest.approx(lm, abs=0.1)
    assert cal.scale_use_mean == pytest.approx(np.log(k), abs=0.06)
    assert cal.component_corr == pytest.approx(rho, abs=0.06)


def test_bootstrap_standard_errors_are_plausible():
    cal = calibrate(planted(150, 8, 0.4, 0.6, 0.3, 0.45, np.random.default_rng(2)), POLICY, bootstrap=15,
                    rng=np.random.default_rng(3))
    assert 0.02 < cal.se["leniency_sd"] < 0.12 and 0.005 < cal.se["noise_sd"] < 0.05


def test_designs_that_cannot_identify_the_parameters():
    one_each = pd.DataFrame({C.RATEE_ID: ["a", "b", "a", "b"], C.RATER_ID: ["r1", "r2", "r1", "r2"],
                             C.ITEM: ["akuntabel", "akuntabel", "loyal", "loyal"], C.PERIOD: "annual",
                             C.SCORE: [1, 2, 2, 3]})
    with pytest.raises(DesignError, match="no rater rates two ratees"):
        calibrate(one_each, POLICY)
    off_scale = one_each.assign(**{C.SCORE: [1, 2, 2.5, 3]})
    with pytest.raises(InputError, match="score 2.5 is not a level"):
        calibrate(off_scale, POLICY)
    with pytest.raises(InputError, match="item 'mystery' is in no rating component"):
        calibrate(one_each.assign(**{C.ITEM: ["akuntabel", "mystery", "loyal", "loyal"]}), POLICY)


def test_round_trip_simulate_export_calibrate_simulate(tmp_path, capsys):
    """A world with known rater parameters -> ratings in the input format (own column names) -> asnsim
    calibrate -> a scenario file -> simulate again: the parameters and the score distribution come back."""
    base = load_scenario("neutral")
    truth = dict(leniency_sd=0.45, noise_sd=0.65, leniency_mean=0.25, scale_use_mean=float(np.log(0.8)))
    scen = base.model_copy(update={"rater": base.rater.model_copy(update=truth)})
    sim = simulate("permenpan-6-2022", n=3000, seed=21, scenario=scen)
    export = sim.ratings[[C.RATEE_ID, C.RATER_ID, C.ITEM, C.SCORE]].rename(
        columns={C.RATEE_ID: "Pegawai", C.RATER_ID: "Penilai", C.ITEM: "Butir", C.SCORE: "Nilai"})
    export.to_csv(tmp_path / "penilaian.csv", index=False, sep=";")
    out = tmp_path / "kota.toml"
    rc = main(["calibrate", str(tmp_path / "penilaian.csv"), "--ratee", "Pegawai", "--rater", "Penilai",
               "--score", "Nilai", "--item", "Butir", "--bootstrap", "0", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    fitted = load_scenario(str(out))
    assert fitted.rater.leniency_sd == pytest.approx(truth["leniency_sd"], abs=0.1)
    assert fitted.rater.noise_sd == pytest.approx(truth["noise_sd"], abs=0.05)
    assert fitted.rater.leniency_mean == pytest.approx(truth["leniency_mean"], abs=0.1)
    assert fitted.rater.scale_use_mean == pytest.approx(truth["scale_use_mean"], abs=0.08)
    assert fitted.rater.favouritism == 0.0
    again = simulate("permenpan-6-2022", n=3000, seed=22, scenario=fitted)
    share = lambda r: r.groupby(C.COMPONENT, observed=True)[C.SCORE].value_counts(normalize=True).sort_index()
    np.testing.assert_allclose(share(again.ratings).to_numpy(), share(sim.ratings).to_numpy(), atol=0.03)


def test_cli_calibrate_invalid_rows_exit_2_and_write_nothing(tmp_path, capsys):
    r = planted(30, 6, 0.4, 0.6, 0.3, 0.45, np.random.default_rng(5))
    r.loc[7, C.SCORE] = 4
    r.to_csv(tmp_path / "r.csv", index=False)
    out = tmp_path / "fit" / "s.toml"
    assert main(["calibrate", str(tmp_path / "r.csv"), "--out", str(out), "--bootstrap", "0"]) == 2
    err = capsys.readouterr().err
    assert "row 9: column 'score': score outside the scale 1 to 3: got '4.0'" in err
    assert not out.exists() and not (tmp_path / "fit" / "s_rejected_rows.csv").exists()
    assert main(["calibrate", str(tmp_path / "r.csv"), "--out", str(out), "--bootstrap", "0",
                 "--skip-invalid"]) == 0
    rej = pd.read_csv(tmp_path / "fit" / "s_rejected_rows.csv")   # named after the scenario: never a user's file
    assert rej["row"].tolist() == [9] and out.exists()


def test_cli_calibrate_refuses_raw_nips(tmp_path, capsys):
    r = planted(20, 4, 0.4, 0.6, 0.3, 0.45, np.random.default_rng(6))
    r[C.RATER_ID] = "1970010120000310" + r[C.RATER_ID].str.zfill(2)
    r.to_csv(tmp_path / "r.csv", index=False)
    out = tmp_path / "s.toml"
    assert main(["calibrate", str(tmp_path / "r.csv"), "--out", str(out), "--bootstrap", "0"]) == 2
    err = capsys.readouterr().err
    assert "column 'rater_id': holds a raw NIP" in err and "asnsim anonymize" in err and not out.exists()
    assert main(["calibrate", str(tmp_path / "r.csv"), "--out", str(out), "--bootstrap", "0",
                 "--allow-personal-data"]) == 0


def test_scenario_toml_states_what_is_assumed():
    cal = calibrate(planted(100, 8, 0.4, 0.6, 0.3, 0.45, np.random.default_rng(7)), POLICY)
    text = scenario_toml(cal, "kota", "penilaian.csv", base="default")
    assert 'extends = "default"' in text and "favouritism = 0.0" in text and "[[assumptions]]" in text


@pytest.mark.parametrize("g", [0.4, -0.3])
def test_ingroup_bias_recovered_with_an_employees_file(tmp_path, g, capsys):
    base = load_scenario("neutral")
    scen = base.model_copy(update={"rater": base.rater.model_copy(update=dict(
        leniency_sd=0.4, noise_sd=0.6, leniency_mean=0.2, ingroup_bias=g, ingroup_attribute="sex"))})
    sim = simulate("permenpan-6-2022", n=3000, seed=3, scenario=scen)
    sim.ratings[[C.RATEE_ID, C.RATER_ID, C.ITEM, C.SCORE]].to_csv(tmp_path / "r.csv", index=False)
    emp = sim.employees[[C.EMPLOYEE_ID, C.UNIT, C.SUPERVISOR_ID, C.SEX]].astype(str)
    emp.loc[emp[C.SUPERVISOR_ID] == "0", C.SUPERVISOR_ID] = ""
    emp.to_csv(tmp_path / "e.csv", index=False)
    out = tmp_path / "s.toml"
    assert main(["calibrate", str(tmp_path / "r.csv"), "--employees", str(tmp_path / "e.csv"), "--group", "sex",
                 "--bootstrap", "0", "--out", str(out)]) == 0
    fitted = load_scenario(str(out))
    assert fitted.rater.ingroup_bias == pytest.approx(g, abs=0.1)       # measured 0.396 and -0.281 at n=4000
    assert fitted.rater.ingroup_attribute == "sex"
    assert fitted.rater.leniency_mean == pytest.approx(0.2, abs=0.1)    # the in-group shift is not counted twice


def test_self_inflation_recovered_from_self_ratings():
    base = load_scenario("neutral")
    scen = base.model_copy(update={"rater": base.rater.model_copy(update=dict(
        leniency_sd=0.4, noise_sd=0.6, leniency_mean=0.2, self_inflation=0.5))})
    sim = simulate("salatiga", n=2000, seed=3, scenario=scen)
    cal = calibrate(sim.ratings, "salatiga")
    assert cal.group_effects["self_inflation"] == pytest.approx(0.5, abs=0.1)   # measured 0.47 at n=3000
    assert cal.leniency_sd == pytest.approx(0.4, abs=0.1)
