"""Scenarios: built-ins, neutral means every effect off, keyed errors, documented parameters."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from asnsim.cli import main
from asnsim.effects import PANEL_PARAMS, RATER_EFFECTS
from asnsim.errors import PolicyError
from asnsim.scenario import IndicatorParams, PopulationParams, RaterParams, load_scenario, scenario_names

#: parameters that are not effects (sizes, noise, base rates); the rater effects' settings and the panel sizes
#: come from the rater-effect registry
NOT_EFFECTS = {"noise_sd", "share_female", "share_pppk", "share_close", "team_size", "component_corr",
               "period_persistence", "innovation_base", "innovation_slope", "loading", "count_per_year",
               "workload_sd", "quality_level", "budget_per_year",
               *PANEL_PARAMS, *(k for e in RATER_EFFECTS for k in e.settings)}


def test_builtins():
    assert {"neutral", "default", "favouritism", "self-inflation", "gaming"} <= set(scenario_names())
    for name in scenario_names():
        s = load_scenario(name)
        assert s.name == name and s.title


def test_neutral_switches_every_effect_off():
    s = load_scenario("neutral")
    for section in (s.population, s.rater, s.indicators):
        for key, value in section.model_dump().items():
            if key not in NOT_EFFECTS:
                assert value == 0, key


def test_showcases_extend_neutral_and_switch_one_mechanism_on():
    neutral = load_scenario("neutral")
    fav = load_scenario("favouritism")
    assert fav.rater.favouritism == 1.0
    assert fav.rater.model_copy(update={"favouritism": 0.0}) == neutral.rater
    assert fav.indicators == neutral.indicators


def test_default_values_are_sourced_or_assumed():
    s = load_scenario("default")
    noted = {x.element for x in s.sources} | {x.key for x in s.assumptions} | {x.key for x in s.fitted}
    text = resources.files("asnsim").joinpath("scenarios", "default.toml").read_text()
    data = tomllib.loads(text)
    for section in ("population", "rater", "indicators"):
        for key, value in data[section].items():
            if value and key not in NOT_EFFECTS | {"fatigue_threshold", "drift_sd", "halo_sd", "favouritism_sd",
                                                  "self_inflation_sd", "scale_use_sd", "slack_sd", "gaming_sd",
                                                  "self_report_sd", "training_growth", "period_persistence"}:
                assert f"{section}.{key}" in noted, f"{section}.{key} has neither a source nor an assumption"
    for key in ("quota.unit_shares", "quota.compliance.share", "quota.compliance.mode"):
        assert key in noted, f"{key} is neither sourced, assumed nor fitted"


def test_every_parameter_is_documented():
    doc = (Path(__file__).parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
    for model in (PopulationParams, RaterParams, IndicatorParams):
        for key in model.model_fields:
            assert f"`{key}`" in doc, f"docs/model.md does not describe {model.__name__}.{key}"
    for key in ("unit_shares", "compliance.share", "compliance.mode", "down-first", "up-first", "nearest"):
        assert f"`{key}`" in doc, f"docs/model.md does not describe the quota practice's {key}"


@pytest.mark.parametrize("body,key,msg", [
    ("[rater]\nhalo_mean = 2.0\n", "rater.halo_mean", "less than or equal to 1"),
    ("[rater]\nleniancy = 0.3\n", "rater.leniancy", "unknown key"),
    ("[population]\ncomponent_corr = [[1.0, 0.9, 0.9, 0.9], [0.9, 1.0, -0.9, 0.0], [0.9, -0.9, 1.0, 0.0], "
     "[0.9, 0.0, 0.0, 1.0]]\n", "population.component_corr", "positive definite"),
    ("[population]\ncomponent_corr = 1.5\n", "population.component_corr", "equicorrelation"),
    ("[rater]\ningroup_attribute = \"religion\"\n", "rater.ingroup_attribute", "religion"),
    ("[quota.compliance]\nshare = 1.5\n", "quota.compliance.share", "less than or equal to 1"),
    ("[quota.compliance]\nmode = \"sideways\"\n", "quota.compliance.mode", "down-first"),
    ("[quota.compliance]\nshares = 0.5\n", "quota.compliance.shares", "unknown key"),
    ("[quota]\nunit_shares = { Baik = 0.5, Istimewa = 0.2 }\n", "quota.unit_shares", "one share for each"),
    ("[quota]\nunit_shares = { \"Sangat Kurang\" = 0, Kurang = 0, \"Butuh Perbaikan\" = 0, Baik = 0.5, "
     "Istimewa = 0.2 }\n", "quota.unit_shares", "sum to 1"),
])
def test_bad_scenarios_name_file_and_key(tmp_path, body, key, msg):
    f = tmp_path / "bad.toml"
    f.write_text(f'name = "bad"\ntitle = "t"\nextends = "neutral"\n{body}')
    with pytest.raises(PolicyError, match=msg) as err:
        load_scenario(str(f))
    assert str(f) in str(err.value) and key in str(err.value)


def test_cli_scenario_file_and_bad_scenario_exit_2(tmp_path, capsys):
    f = tmp_path / "mine.toml"
    f.write_text('name = "mine"\ntitle = "t"\nextends = "neutral"\n[rater]\nleniency_mean = 0.5\n')
    assert main(["simulate", "--policy", "permenpan-6-2022", "--n", "60", "--scenario", str(f),
                 "--out", str(tmp_path / "o")]) == 0
    assert "scenario mine" in capsys.readouterr().out
    f.write_text('name = "mine"\ntitle = "t"\n[rater]\nnoise_sd = -1\n')
    assert main(["simulate", "--policy", "permenpan-6-2022", "--n", "60", "--scenario", str(f),
                 "--out", str(tmp_path / "p")]) == 2
    assert "rater.noise_sd" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_unit_shares_become_cutpoints_that_give_those_shares():
    import numpy as np
    from scipy.stats import norm

    from asnsim.scenario import QuotaPractice
    q = QuotaPractice(unit_shares={"Sangat Kurang": 0.05, "Kurang": 0.05, "Butuh Perbaikan": 0.2, "Baik": 0.5,
                                   "Istimewa": 0.2})
    # the policy's own cutpoints are the standard normal quantiles of these very shares
    assert np.allclose(q.unit_cutpoints(), [-1.6449, -1.2816, -0.5244, 0.8416], atol=1e-4)
    assert QuotaPractice().unit_cutpoints() is None
    z = norm.ppf((np.arange(100_000) + 0.5) / 100_000)
    counts = np.bincount(np.searchsorted(q.unit_cutpoints(), z, side="right"), minlength=5) / len(z)
    assert np.allclose(counts, [0.05, 0.05, 0.2, 0.5, 0.2], atol=1e-4)
