"""Provisions of a reform and the hybrids between two policies."""

from __future__ import annotations

import pytest

from asnsim.policy import load_policy
from asnsim.why.policy_change import players_of
from asnsim.why.provisions import (META_KEYS, Provision, ProvisionError, _strip_notes, build_hybrid,
                                   differing_sections, resolve_provisions)

PP30, PERMENPAN = load_policy("pp-30-2019"), load_policy("permenpan-6-2022")


def _rules(policy):
    """A policy's rules, without its descriptions and source notes (provisions move rules, not notes)."""
    data = policy.model_dump(mode="json")
    return _strip_notes({k: v for k, v in data.items() if k not in META_KEYS})


def test_default_provisions_are_the_differing_sections():
    assert differing_sections(PERMENPAN, load_policy("salatiga")) == ["components", "burden"]
    provs = resolve_provisions(PP30, PERMENPAN)
    assert [p.name for p in provs] == ["regime", "periods", "components", "rating", "predikat", "quota", "burden"]


def test_applying_every_provision_gives_the_target_and_none_the_start():
    for a, b in ((PP30, PERMENPAN), (PERMENPAN, load_policy("serang"))):
        provs = resolve_provisions(a, b)
        full = build_hybrid(a, b, provs, (1 << len(provs)) - 1)
        assert _rules(full) == _rules(b)
        assert build_hybrid(a, b, provs, 0) is a


def test_named_provisions_leave_the_rest_to_other():
    provs = resolve_provisions(PP30, PERMENPAN, [Provision.parse("matrix=predikat"),
                                                 Provision.parse("kurva=quota.enabled,quota.rules")])
    assert [p.name for p in provs] == ["matrix", "kurva", "other"]
    assert provs[-1].keys == ("regime", "periods", "components", "rating", "quota.unit_predikat",
                              "quota.leader_rating", "burden")
    full = build_hybrid(PP30, PERMENPAN, provs, 0b111)
    assert _rules(full) == _rules(PERMENPAN)


def test_regime_and_predikat_cannot_be_separated_and_the_invalid_hybrids_are_kept():
    provs = resolve_provisions(PP30, PERMENPAN)
    players, invalid = players_of(PP30, PERMENPAN, provs)
    assert [p.name for p in players] == ["regime & predikat", "periods", "components", "rating", "quota", "burden"]
    assert len(invalid) == 64  # every hybrid with one of the two but not the other
    assert all((m & 1) != (m >> 4 & 1) for m in invalid)
    assert any("predikat.method must be 'matrix'" in why for why in invalid.values())


@pytest.mark.parametrize("named, message", [
    (["matrix=predikat.matrx"], "predikat.matrx is a key of neither"),
    (["a=quota", "b=quota.rules"], "quota is named twice"),
    (["a=quota", "a=periods"], "a named more than once"),
    (["meta=title"], "describes a policy and rules nothing"),
])
def test_bad_provisions_name_the_key(named, message):
    with pytest.raises(ProvisionError, match=message):
        resolve_provisions(PP30, PERMENPAN, [Provision.parse(t) for t in named])


@pytest.mark.parametrize("text", ["quota", "=quota", "total=quota", "2x=quota", "q="])
def test_provision_syntax(text):
    with pytest.raises(ProvisionError, match="expected NAME=KEY"):
        Provision.parse(text)


def test_a_key_inside_an_entry_only_one_policy_has_must_be_named_by_the_entry():
    with pytest.raises(ProvisionError, match=r"inside components.hasil_kerja, which only permenpan-6-2022 has; "
                                             r"name the table that holds it \(components.hasil_kerja\)"):
        resolve_provisions(PP30, PERMENPAN, [Provision.parse("rhk=components.hasil_kerja.weight")])
    with pytest.raises(ProvisionError, match=r"inside components.skp, which only pp-30-2019 has"):
        resolve_provisions(PP30, PERMENPAN, [Provision.parse("skp=components.skp.aspects")])


def test_an_entry_the_target_adds_or_drops_is_a_provision_of_its_own():
    # diff_policies: B's new component is added whole, A's old ones are removed (ABSENT), through apply_overrides
    provs = resolve_provisions(PP30, PERMENPAN, [Provision.parse("rhk=components.hasil_kerja")])
    assert provs[1].keys[2:5] == ("components.skp", "components.perilaku", "components.perilaku_kerja")
    hybrid = build_hybrid(PP30, PERMENPAN, provs, 0b01)
    assert list(hybrid.components) == ["skp", "perilaku", "hasil_kerja"]
    # the weight rule: the added weight kept, the others share the rest in proportion (70:30)
    w = {k: c.weight for k, c in hybrid.components.items()}
    assert w["hasil_kerja"] == PERMENPAN.components["hasil_kerja"].weight
    assert w["skp"] / w["perilaku"] == pytest.approx(0.7 / 0.3)
    assert sum(w.values()) == pytest.approx(1.0)
    assert _rules(build_hybrid(PP30, PERMENPAN, provs, 0b11)) == _rules(PERMENPAN)


def test_identical_policies_have_nothing_to_decompose():
    with pytest.raises(ProvisionError, match="do not differ"):
        resolve_provisions(PERMENPAN, load_policy("permenpan-6-2022"))
