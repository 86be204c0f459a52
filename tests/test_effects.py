"""The rater-effect registry: order, the scenario model and docs built from it, and a toy effect registered
here that flows to compare's outputs without touching any other file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim import effects
from asnsim.cli import main
from asnsim.effects import (RATER_EFFECTS, RaterEffect, applied, fx_columns, markdown_table, param_fields,
                            rater_effect, register_rater_effect, unregister_rater_effect)
from asnsim.labels import param_labels
from asnsim.raters import draw_dispositions, simulate_ratings
from asnsim.rng import stage_rng
from asnsim.scenario import RaterParams, load_scenario
from asnsim.why.behaviour import BEHAVIOURS

DOCS = Path(__file__).resolve().parents[1] / "docs" / "model.md"
BONUS = 1.5


def test_the_registry_keeps_the_columns_draws_and_order_of_the_ratings_stage():
    """The built-ins keep the order of the fx_ columns, of the disposition draws and of the terms (what keeps
    every seed's outputs); effects added later come after them."""
    assert fx_columns()[:len(effects.BUILTIN)] == tuple(f"fx_{e}" for e in (
        "leniency", "scale_use", "halo", "favouritism", "ingroup", "fatigue", "drift", "reciprocity", "conformity",
        "self_inflation", "recency", "noise"))
    assert [e.disposition for e in effects.dispositions()][:7] == [
        "leniency", "scale_factor", "halo", "favouritism", "ingroup", "drift", "self_inflation"]
    assert [e.name for e in applied() if e.name in effects.BUILTIN] == [
        "halo", "leniency", "favouritism", "ingroup", "drift", "self_inflation", "recency", "scale_use", "fatigue",
        "noise", "reciprocity", "conformity"]


def test_the_scenario_model_and_the_labels_are_the_registrys():
    assert list(RaterParams.model_fields) == list(param_fields())
    assert list(RaterParams.model_fields)[:4] == ["noise_sd", "stakeholder_noise_sd", "leniency_mean", "leniency_sd"]
    assert list(RaterParams.model_fields)[-2:] == ["peers", "stakeholders"]
    labels = param_labels()
    for e in RATER_EFFECTS:
        for key in e.params:
            assert set(labels[key]) == {"en", "id"} and labels[key]["id"], key
    with pytest.raises(ValueError, match="less than or equal to 1"):
        RaterParams(halo_mean=2.0)


def test_every_magnitude_defaults_to_absent_and_neutral_keeps_only_noise():
    defaults = RaterParams()
    for e in RATER_EFFECTS:
        for key in e.magnitudes:
            assert getattr(defaults, key) == 0 or e.low_factor > 0, f"{key}: the default must switch the effect off"
    assert load_scenario("neutral").rater == defaults
    assert {b.name for b in BEHAVIOURS if b.keys[0].startswith("rater.")} == {
        e.behaviour[0] for e in RATER_EFFECTS if e.magnitudes}


def test_docs_model_page_lists_the_registry():
    page = DOCS.read_text(encoding="utf-8")
    block = re.search(r"<!-- rater effects: begin.*?-->\n(.*?)<!-- rater effects: end -->", page, re.S)
    assert block is not None, "docs/model.md lost its generated rater-effect table"
    assert block.group(1) == markdown_table(RaterParams(), load_scenario("default").rater), (
        "docs/model.md is out of date: run python -m asnsim.effects")


def test_registration_refuses_what_would_break_the_stage():
    with pytest.raises(ValueError, match="registered already"):
        register_rater_effect(rater_effect("halo"))
    with pytest.raises(ValueError, match="after the scenario model was built"):
        register_rater_effect(RaterEffect("late", 130, lambda b, out: None, params={"late": (float, 0.0)},
                                          labels={"late": {"en": "late", "id": "terlambat"}},
                                          behaviour=("late", "late", "terlambat")))
    with pytest.raises(ValueError, match="give behaviour"):
        RaterEffect("nameless", 130, lambda b, out: None, params={"nameless": (float, 0.0)},
                    labels={"nameless": {"en": "x", "id": "x"}})
    with pytest.raises(ValueError, match="both disposition and draw"):
        RaterEffect("half", 130, lambda b, out: None, disposition="half")
    with pytest.raises(ValueError, match="no label"):
        RaterEffect("bare", 130, lambda b, out: None, params={"bare": (float, 0.0)})
    assert rater_effect("late") is None


def _atasan_bonus(b, out):
    """The toy effect: a constant bonus on every atasan rating."""
    if b.role != C.ATASAN:
        return None
    out += np.float32(BONUS)
    return out


@pytest.fixture
def toy():
    """A toy rater effect (+1.5 latent SD on every atasan rating, after conformity), removed afterwards."""
    effect = register_rater_effect(RaterEffect("toy_atasan_bonus", 130, _atasan_bonus, roles="atasan"))
    yield effect
    unregister_rater_effect(effect)
    assert rater_effect("toy_atasan_bonus") is None and "fx_toy_atasan_bonus" not in fx_columns()


def test_a_toy_effect_is_its_own_column_and_moves_only_its_role(toy, small_population):
    from asnsim.policy import load_policy

    emp, params = small_population, load_scenario("default").rater
    r = simulate_ratings(emp, load_policy("pp-30-2019"), draw_dispositions(emp, params, stage_rng(2, "dispositions")),
                         params, stage_rng(2, "ratings"))
    atasan = (r[C.RATER_ROLE] == C.ATASAN).to_numpy()
    assert (r.loc[atasan, "fx_toy_atasan_bonus"] == np.float32(BONUS)).all()
    assert (r.loc[~atasan, "fx_toy_atasan_bonus"] == 0).all()
    assert "toy_atasan_bonus" in markdown_table(RaterParams(), params)


def test_a_toy_effect_flows_to_compares_outputs_and_leaves_none_behind(toy, tmp_path):
    def compare(out: Path) -> pd.DataFrame:
        assert main(["compare", "--policies", "pp-30-2019,pp-46-2011", "--n", "120", "--reps", "2", "--seed", "3",
                     "--quiet", "--out", str(out)]) == 0
        return pd.read_csv(out / "summary.csv").set_index(["policy", "metric", "group"])["estimate"]

    with_toy = compare(tmp_path / "toy")
    unregister_rater_effect(toy)
    without = compare(tmp_path / "plain")
    for policy in ("pp-30-2019", "pp-46-2011"):
        # the same draws, every atasan rating higher (no kurva in these policies): no ASN's predikat falls and
        # more are Sangat Baik and Baik or better
        for metric, group in (("share_predikat", "Sangat Baik"), ("share_at_least_baik", "all")):
            assert with_toy[policy, metric, group] > without[policy, metric, group] + 0.02, (policy, metric)
    assert not with_toy.equals(without)
    register_rater_effect(toy)                     # the fixture removes it again
