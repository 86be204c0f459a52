"""Experiment designs: sweeps over dotted keys, validation before anything runs, labels."""

from __future__ import annotations

import pytest

from asnsim.errors import AsnsimError, DesignError, PolicyError
from asnsim.experiment.design import Sweep, make_design
from asnsim.overrides import apply_overrides
from asnsim.overrides import target_of as split_target
from asnsim.policy import builtin_names, load_policy
from asnsim.scenario import load_scenario

BASE = "permenpan-6-2022"


def test_sweep_parse_list_range_and_values():
    assert Sweep.parse("rater.favouritism=0:0.5:0.25").values == ((0.0,), (0.25,), (0.5,))
    assert Sweep.parse("rater.favouritism=0,0.1, 0.3").values == ((0,), (0.1,), (0.3,))
    assert Sweep.parse("quota.enabled=true,false").values == ((True,), (False,))
    assert Sweep.parse("quota.unit_predikat=Baik").values == (("Baik",),)
    # 0:1:0.1 gives 11 points without float drift
    assert Sweep.parse("x.y=0:1:0.1").values[-1] == (1.0,)
    assert len(Sweep.parse("x.y=0:1:0.1").values) == 11
    for bad in ("rater.favouritism", "rater.favouritism=", "a=1:0:0.5", "a=0:1:x"):
        with pytest.raises(DesignError):
            Sweep.parse(bad)


def test_split_target():
    assert split_target("rater.favouritism") == ("scenario", "rater.favouritism")
    assert split_target("components.hasil_kerja.weight") == ("policy", "components.hasil_kerja.weight")
    assert split_target("scenario.population.share_close") == ("scenario", "population.share_close")
    with pytest.raises(DesignError, match="prefix"):
        split_target("title")
    with pytest.raises(DesignError, match="neither"):
        split_target("raters.x")


def test_weight_sweep_rescales_the_other_weights():
    p = apply_overrides(load_policy(BASE), {"components.hasil_kerja.weight": 0.8}, "t")
    w = {k: c.weight for k, c in p.components.items()}
    assert w == pytest.approx({"hasil_kerja": 0.8, "perilaku_kerja": 0.2})
    edge = apply_overrides(load_policy(BASE), {"components.hasil_kerja.weight": 1.0}, "t")
    assert edge.components["perilaku_kerja"].weight == 0.0


def test_paired_weights_are_taken_as_given_and_validated():
    base = load_policy(BASE)
    ok = apply_overrides(base, {"components.hasil_kerja.weight": 0.3, "components.perilaku_kerja.weight": 0.7}, "t")
    assert ok.components["perilaku_kerja"].weight == 0.7
    with pytest.raises(PolicyError, match="weights must sum to 1"):
        apply_overrides(base, {"components.hasil_kerja.weight": 0.3, "components.perilaku_kerja.weight": 0.3}, "t")


def test_override_errors_name_the_key():
    base = load_policy(BASE)
    with pytest.raises(PolicyError) as e:
        apply_overrides(base, {"components.hasil_kerja.wieght": 0.5}, "sweep")
    assert "components.hasil_kerja.wieght" in str(e.value) and "weight" in str(e.value)
    with pytest.raises(PolicyError, match=r"components\.hasil_kerja\.weight: .*less than or equal to 1"):
        apply_overrides(base, {"components.hasil_kerja.weight": 1.5}, "sweep")
    with pytest.raises(PolicyError, match=r"rater\.favouritism"):
        apply_overrides(load_scenario("neutral"), {"rater.favouritism": -1.0}, "sweep")
    with pytest.raises(PolicyError, match="unknown key"):
        apply_overrides(base, {"components.no_such.weight": 0.5}, "sweep")


def test_make_design_crosses_policies_scenarios_and_sweeps():
    d = make_design(BASE, n=50, reps=3, seed=7, scenarios="neutral,default",
                    sweeps=["rater.favouritism=0,0.5", "components.hasil_kerja.weight=0.25,0.75"])
    assert [v.label for v in d.policies] == [f"{BASE}[components.hasil_kerja.weight=0.25]",
                                             f"{BASE}[components.hasil_kerja.weight=0.75]"]
    assert len(d.scenarios) == 4
    assert d.scenarios[1].model.rater.favouritism == 0.5
    assert d.tasks()[:2] == [(0, 0), (0, 1)] and len(d.tasks()) == 12
    assert d.stream(3) == 3
    assert make_design(BASE, n=50, reps=1, common_scenario_streams=True).stream(3) == 0


def test_zipped_sweeps_vary_together():
    d = make_design(BASE, n=50, reps=1, zip_sweeps=True,
                    sweeps=["components.hasil_kerja.weight=0.2,0.6", "components.perilaku_kerja.weight=0.8,0.4"])
    assert [(v.model.components["hasil_kerja"].weight, v.model.components["perilaku_kerja"].weight)
            for v in d.policies] == [(0.2, 0.8), (0.6, 0.4)]
    with pytest.raises(DesignError, match="equally many"):
        make_design(BASE, zip_sweeps=True, sweeps=["rater.favouritism=0,1", "rater.noise_sd=1"])


def test_all_means_every_builtin_and_hash_is_stable():
    d = make_design("all", n=50, reps=2)
    assert [v.label for v in d.policies] == builtin_names()
    assert d.hash() == make_design("all", n=50, reps=2).hash()
    assert d.hash() != make_design("all", n=50, reps=2, seed=2).hash()
    desc = d.describe()
    assert desc["policies"][0]["sha256"] == load_policy(builtin_names()[0]).content_hash()


def test_size_presets_and_periods():
    assert make_design(BASE, n="salatiga", reps=1).n == "salatiga"
    assert make_design(BASE, n="250", reps=1).n == 250
    assert make_design(BASE, n=50, reps=1, periods="all").describe()["periods"] == "all"
    with pytest.raises(AsnsimError, match="--n: unknown size preset 'atlantis'"):
        make_design(BASE, n="atlantis")
    with pytest.raises(AsnsimError, match="--n must be at least 2"):
        make_design(BASE, n=1)


@pytest.mark.parametrize("kwargs, match", [
    ({"periods": "monthly"}, "--periods"), ({"reps": 0}, "--reps"), ({"seed": -1}, "--seed"),
    ({"policies": f"{BASE},{BASE}"}, "more than once"), ({"policies": ""}, "at least one"),
])
def test_design_errors(kwargs, match):
    args = {"policies": BASE, **kwargs}
    with pytest.raises(DesignError, match=match):
        make_design(**args)
