"""The one override path (asnsim.overrides): dotted keys, the weight rule, diffs, extends."""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asnsim.errors import DesignError, PolicyError
from asnsim.overrides import (ABSENT, apply_design, apply_overrides, diff_policies, key_kind, merge_overrides,
                              split_overrides, target_of, value_at)
from asnsim.policy import Policy, builtin_names, load_policy
from asnsim.policyfiles import _ACCUMULATE, _read_toml, resolve_data
from asnsim.scenario import Scenario, load_scenario


def _old_resolve(ref: str) -> dict:
    """The extends merge as it was written before the override path (deep merge, then drop), to cross-check."""
    def deep_merge(base, override):
        out = copy.deepcopy(base)
        for key, value in override.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = deep_merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out

    chain, current = [], ref
    while current is not None:
        data, _, _ = _read_toml(current)
        chain.append(data)
        current = data.get("extends")
    merged = chain[-1]
    for data in reversed(chain[:-1]):
        base, merged = merged, deep_merge(merged, data)
        for key in _ACCUMULATE:
            if isinstance(base.get(key), list) and isinstance(data.get(key), list):
                merged[key] = base[key] + data[key]
        comps = merged.get("components", {})
        merged["components"] = {k: v for k, v in comps.items() if not (isinstance(v, dict) and v.get("drop"))}
    return merged


@pytest.mark.parametrize("name", builtin_names())
def test_extends_through_the_override_path_equals_the_plain_deep_merge(name):
    new, _ = resolve_data(name)
    old = _old_resolve(name)
    assert new == old
    assert list(new["components"]) == list(old["components"])  # entry order too (it orders ratings)
    for c in new["components"]:
        assert list(new["components"][c].get("raters", {})) == list(old["components"][c].get("raters", {}))


def test_sweeping_one_weight_rescales_the_others_in_proportion():
    serang = load_policy("serang")  # hasil_kerja 0.25, rencana_kerja 0.25, perilaku_kerja 0.5
    p = apply_overrides(serang, {"components.perilaku_kerja.weight": 0.2})
    assert {k: c.weight for k, c in p.components.items()} == pytest.approx(
        {"hasil_kerja": 0.4, "rencana_kerja": 0.4, "perilaku_kerja": 0.2})
    two = apply_overrides(serang, {"components.hasil_kerja.weight": 0.4, "components.rencana_kerja.weight": 0.2})
    assert two.components["perilaku_kerja"].weight == pytest.approx(0.4)
    with pytest.raises(PolicyError, match=r"serang: components: component weights must sum to 1, got .* = 1.5"):
        apply_overrides(serang, {"components.hasil_kerja.weight": 0.5, "components.rencana_kerja.weight": 0.5,
                                 "components.perilaku_kerja.weight": 0.5})


def test_a_rater_lever_brings_in_a_role_and_makes_room_for_it():
    base = load_policy("permenpan-6-2022")
    p = apply_overrides(base, {"components.perilaku_kerja.raters.rekan": 0.25})
    assert dict(p.components["perilaku_kerja"].raters) == {"atasan": 0.75, "rekan": 0.25}
    zero = apply_overrides(base, {"components.perilaku_kerja.raters.rekan": 0.0})
    assert dict(zero.components["perilaku_kerja"].raters) == {"atasan": 1.0, "rekan": 0.0}
    salatiga = load_policy("salatiga")  # self 0.2, atasan 0.5, stakeholder 0.3
    s = apply_overrides(salatiga, {"components.perilaku_kerja.raters.self": 0.0})
    assert dict(s.components["perilaku_kerja"].raters) == pytest.approx(
        {"atasan": 0.625, "self": 0.0, "stakeholder": 0.375})
    with pytest.raises(PolicyError, match=r"raters\.boss: 'boss' is not allowed under components\.perilaku_kerja"
                                          r"\.raters; allowed: atasan, rekan, bawahan, self, stakeholder"):
        apply_overrides(base, {"components.perilaku_kerja.raters.boss": 0.5})


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(["serang", "sawahlunto", "salatiga"]), w=st.floats(0, 1), which=st.integers(0, 2))
def test_the_weight_rule_keeps_what_is_given_and_sums_to_one(name, w, which):
    base = load_policy(name)
    comp = list(base.components)[which % len(base.components)]
    p = apply_overrides(base, {f"components.{comp}.weight": w})
    assert p.components[comp].weight == w
    assert sum(c.weight for c in p.components.values()) == pytest.approx(1.0, abs=1e-9)
    others = [c for c in base.components if c != comp]
    if others and sum(base.components[c].weight for c in others) > 0:  # proportions among the others are kept
        ratios = [p.components[c].weight * base.components[others[0]].weight for c in others]
        expect = [base.components[c].weight * p.components[others[0]].weight for c in others]
        assert ratios == pytest.approx(expect, abs=1e-12)


def test_a_child_file_that_sets_some_weights_gets_the_rule_and_one_that_sets_all_is_checked(tmp_path):
    one = tmp_path / "one.toml"
    one.write_text('name = "one"\ntitle = "t"\nextends = "permenpan-6-2022"\n'
                   '[components.hasil_kerja]\nweight = 0.7\n[components.perilaku_kerja.raters]\nrekan = 0.4\n')
    p = load_policy(str(one))
    assert p.components["perilaku_kerja"].weight == pytest.approx(0.3)
    assert dict(p.components["perilaku_kerja"].raters) == pytest.approx({"atasan": 0.6, "rekan": 0.4})
    both = tmp_path / "both.toml"
    both.write_text('name = "both"\ntitle = "t"\nextends = "permenpan-6-2022"\n'
                    '[components.hasil_kerja]\nweight = 0.7\n[components.perilaku_kerja]\nweight = 0.5\n')
    with pytest.raises(PolicyError, match=r"both.toml: components: component weights must sum to 1"):
        load_policy(str(both))


def test_unknown_keys_name_the_key_and_what_is_allowed():
    base = load_policy("permenpan-6-2022")
    cases = [
        ("components.hasil_krja.weight", r"unknown key under components; allowed: hasil_kerja, perilaku_kerja"),
        ("components.hasil_kerja.wieght", r"unknown key under components\.hasil_kerja; allowed: label, kind, weight"),
        ("quota.enabled.x", r"unknown key: quota\.enabled holds a value, not a table"),
        ("nonsense", r"unknown key under \(top level\); allowed: name, title"),
    ]
    for key, message in cases:
        with pytest.raises(PolicyError, match=rf"^x: {key.replace('.', chr(92) + '.')}: {message}"):
            apply_overrides(base, {key: 1}, "x")
    with pytest.raises(PolicyError, match=r"^default: rater\.favouritism: .*greater than or equal to 0"):
        apply_overrides(load_scenario("default"), {"rater.favouritism": -1.0})


def test_a_new_component_is_given_whole_and_absent_removes_one():
    base = load_policy("pp-30-2019")
    comp = base.components["perilaku"].model_dump(mode="json")
    p = apply_overrides(base, {"components.perilaku": ABSENT, "components.skp.weight": 0.5,
                               "components.extra": {**comp, "weight": 0.5, "label": "extra"}})
    assert list(p.components) == ["skp", "extra"] and p.components["extra"].weight == 0.5


def test_diff_then_apply_gives_the_other_policy_for_every_pair_of_built_ins():
    pols = {n: load_policy(n) for n in builtin_names()}
    for a, b in itertools.permutations(pols, 2):
        diff = diff_policies(pols[a], pols[b])
        assert diff and all(x != y for x, y in diff.values())
        hybrid = apply_overrides(pols[a], {k: y for k, (_, y) in diff.items()}, f"{a}->{b}")
        assert hybrid.content_hash() == pols[b].content_hash(), (a, b)
    d = diff_policies(pols["permenpan-6-2022"], pols["serang"])
    assert d["components.hasil_kerja.weight"] == (0.5, 0.25)
    assert d["components.rencana_kerja"][0] is ABSENT
    assert diff_policies(pols["serang"], pols["serang"]) == {}


def test_keys_kinds_values_and_targets():
    assert key_kind(Scenario, "rater.peers") == "int"
    assert key_kind(Scenario, "quota.compliance.mode") == "choice"
    assert key_kind(Policy, "quota.enabled") == "bool"
    assert key_kind(load_policy("serang"), "components.rencana_kerja.weight") == "float"
    with pytest.raises(PolicyError, match="rater.nope: unknown key under rater"):
        key_kind(Scenario, "rater.nope")
    assert value_at(load_policy("serang"), "components.hasil_kerja.raters.rekan") == 0.3
    with pytest.raises(PolicyError, match="no such key"):
        value_at(load_scenario("neutral"), "rater.nope")
    assert target_of("scenario.population.share_close") == ("scenario", "population.share_close")
    with pytest.raises(DesignError, match="prefix"):
        target_of("title")
    assert split_overrides({"rater.halo_mean": 0.1, "policy.quota.enabled": True}) == (
        {"quota.enabled": True}, {"rater.halo_mean": 0.1})
    with pytest.raises(DesignError, match="'quota.enabled' could be a policy or a scenario key"):
        target_of("quota.enabled")
    p, s = apply_design(load_policy("permenpan-6-2022"), load_scenario("neutral"),
                        {"rater.halo_mean": 0.1, "policy.quota.enabled": False})
    assert s.rater.halo_mean == 0.1 and p.quota.enabled is False


def test_merge_overrides_leaves_its_input_alone_and_an_empty_table_changes_nothing():
    data = {"a": {"b": 1}, "components": {"x": {"weight": 0.5}, "y": {"weight": 0.5}}}
    out = merge_overrides(data, {"a": {}, ("components", "x", "weight"): 0.8, "new.deep": 2})
    assert data["components"]["y"]["weight"] == 0.5
    assert out == {"a": {"b": 1}, "components": {"x": {"weight": 0.8}, "y": {"weight": pytest.approx(0.2)}},
                   "new": {"deep": 2}}
    serang = load_policy("serang")
    assert apply_overrides(serang, {}) is serang


@pytest.mark.parametrize("value", [-1.0, 1.5, float("nan")])
def test_a_weight_outside_zero_one_is_named_not_rescaled_into_another(value):
    """The weight rule shares the rest among the unset weights only for given weights in [0, 1]: a -1 would
    otherwise give hasil_kerja 2.0 and the error would name the wrong component."""
    with pytest.raises(PolicyError) as err:
        apply_overrides(load_policy("permenpan-6-2022"), {"components.perilaku_kerja.weight": value}, "x")
    assert err.value.key == "components.perilaku_kerja.weight", (err.value.key, str(err.value))
