"""The eight built-in policies: names, titles, provenance as data, docs that cannot drift, simulate for all."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.cli import main
from asnsim.errors import PolicyError
from asnsim.policy import Policy, builtin_names, load_policy
from asnsim.policyfiles import dump_toml as policy_to_toml
from asnsim.policydocs import NATIONAL, city_names, policies_markdown, seed_of
from asnsim.quota import check_quotas, unit_leaders

#: every built-in policy: the national regimes and the city models, read from the package (a new city is one TOML)
EIGHT = builtin_names()
#: each city model and the seed it quotes (shared/seeds/NNN_*.txt)
CITIES = {c: seed_of(load_policy(c)) for c in city_names()}
KNOWN_CITIES = {"salatiga": "000", "gayungan": "001", "serang": "002", "sawahlunto": "003", "pontianak": "004"}
ROOT = Path(__file__).resolve().parents[1]


def test_exactly_eight_builtins_each_with_a_one_line_title(capsys):
    assert set(NATIONAL) == {"permenpan-6-2022", "pp-30-2019", "pp-46-2011"}
    assert CITIES.items() >= KNOWN_CITIES.items()      # the five cities of the brief, each with its seed
    assert EIGHT == sorted([*NATIONAL, *CITIES]) and len(EIGHT) >= 8
    assert main(["policies"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == EIGHT
    for ln, name in zip(lines, EIGHT):
        title = ln[len(name):].strip()
        assert title == load_policy(name).title and len(title) > 20


@pytest.mark.parametrize("city", sorted(CITIES))
def test_city_extends_a_national_regime_and_cites_its_seed(city):
    pol = load_policy(city)
    parent = load_policy(pol.extends)
    assert pol.extends in NATIONAL and pol.regime == pol.extends
    seed = CITIES[city]
    own = [s for s in pol.sources if f"seeds/{seed}_" in s.source]
    assert len(own) >= 5 and all(s.note and s.quote for s in own)
    # every component the city adds or changes is covered by a seed source or an assumption
    covers = [".".join(x.split(".")[:2]) for x in [s.element for s in own] + [a.key for a in pol.assumptions]]
    for name, comp in pol.components.items():
        if name in parent.components and comp == parent.components[name]:
            continue
        assert any(fnmatch(f"components.{name}", c) for c in covers), f"{city}: components.{name} is not covered"
    # own assumptions come on top of the inherited ones, each with a reason
    assert len(pol.assumptions) > len(parent.assumptions)
    assert all(a.reason for a in pol.assumptions)


@pytest.mark.parametrize("city,mechanism", [
    ("salatiga", lambda p: p.components["hasil_kerja"].self_reported and p.components["hasil_kerja"].measure
     == "indicators" and 0 < p.components["hasil_kerja"].verified_share < 1 and p.periods.frequency == "quarterly"
     and set(p.components["perilaku_kerja"].raters) == {"self", "atasan", "stakeholder"}),
    ("gayungan", lambda p: p.feedback.enabled and p.feedback.training),
    ("serang", lambda p: p.forum.enabled and p.forum.frequency == "semiannual" and p.forum.activity_logs
     and "rekan" in p.components["hasil_kerja"].raters and p.periods.frequency == "semiannual"),
    ("sawahlunto", lambda p: {c.kind for c in p.components.values()} == {"results", "competency_technical",
                                                                         "competency_nontechnical"}
     and all(set(c.raters) == {"atasan", "rekan"} for c in p.components.values() if c.kind.startswith("comp"))),
    ("pontianak", lambda p: p.components["skp"].measure == "indicators"
     and p.components["skp"].weight > load_policy("pp-30-2019").components["skp"].weight),
])
def test_distinctive_mechanism_is_modelled(city, mechanism):
    assert mechanism(load_policy(city))


@pytest.mark.parametrize("name", EIGHT)
def test_show_prints_sources_and_assumptions_and_round_trips(name, capsys):
    assert main(["policies", "show", name]) == 0
    out = capsys.readouterr().out
    assert "[[sources]]" in out and "[[assumptions]]" in out
    pol = load_policy(name)
    assert out == policy_to_toml(pol)
    assert Policy.model_validate(tomllib.loads(out)) == pol   # what show prints loads back to the same policy


def test_sawahlunto_drops_pp30_perilaku():
    assert "perilaku" in load_policy("pp-30-2019").components
    assert "perilaku" not in load_policy("sawahlunto").components


def test_docs_policies_md_is_generated():
    committed = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    assert committed == policies_markdown(), "regenerate: asnsim policies table --markdown > docs/policies.md"
    for name in EIGHT:
        assert f"## `{name}`" in committed


def test_policies_table_cli(capsys):
    assert main(["policies", "table"]) == 0
    out = capsys.readouterr().out
    assert "kurva distribusi quotas" in out and "sawahlunto" in out


@pytest.mark.parametrize("extra,fragment", [
    ('[predikat]\nmethod = "bands"\n[[predikat.bands]]\npredikat = "Baik"\nmin_score = 0\n', "must be 'matrix'"),
    ('[components.perilaku_kerja]\nmeasure = "indicators"\n[components.hasil_kerja]\nmeasure = "indicators"\n',
     "at most one component may be measured by indicators"),
    ('[quota]\nunit_predikat = "Hebat"\n', "unit_predikat must be 'draw' or one of"),
    ('[quota]\nunit_cutpoints = [0.0, -1.0, 1.0, 2.0]\n', "strictly increasing"),
])
def test_policy_rules_name_the_key(tmp_path, extra, fragment):
    f = tmp_path / "bad.toml"
    f.write_text('name = "bad"\ntitle = "t"\nextends = "permenpan-6-2022"\n' + extra)
    with pytest.raises(PolicyError, match=re.escape(fragment)):
        load_policy(str(f))


def test_band_predikat_must_be_on_the_ladder(tmp_path):
    f = tmp_path / "b.toml"
    f.write_text('name = "b"\ntitle = "t"\nextends = "pp-46-2011"\n'
                 '[[predikat.bands]]\npredikat = "Hebat"\nmin_score = 0\n')
    with pytest.raises(PolicyError, match=r"predikat.bands.0.predikat: unknown predikat 'Hebat'"):
        load_policy(str(f))


@pytest.mark.parametrize("name", EIGHT)
def test_simulate_every_policy_units_meet_their_quotas(name, tmp_path):
    """Rules as written (``neutral``: every unit enforces its kurva distribusi)."""
    out = tmp_path / name
    assert main(["simulate", "--policy", name, "--n", "300", "--seed", "4", "--scenario", "neutral",
                 "--out", str(out)]) == 0
    scores = pd.read_csv(out / "scores.csv")
    units = pd.read_csv(out / "units.csv", keep_default_na=False)
    emp = pd.read_csv(out / "employees.csv")
    assert {C.UNIT, C.UNIT_PREDIKAT, C.N} <= set(units.columns)
    assert units[C.N].sum() == len(emp) == len(scores) == 300
    assert {C.PREDIKAT, C.PREDIKAT_RAW} <= set(scores.columns)
    assert set(scores[C.PREDIKAT]) <= set(C.PREDIKAT_ORDER)
    pol = load_policy(name)
    if not pol.quota.enabled:
        assert (scores[C.PREDIKAT] == scores[C.PREDIKAT_RAW]).all()
        return
    merged = emp[[C.EMPLOYEE_ID, C.UNIT, C.SUPERVISOR_ID]].merge(scores, on=C.EMPLOYEE_ID)
    rated = merged[~unit_leaders(merged)]
    ok_units = units.loc[units[C.QUOTA_STATUS] != "infeasible"]
    rated = rated[rated[C.UNIT].isin(ok_units[C.UNIT])]
    ups = ok_units.set_index(C.UNIT)[C.UNIT_PREDIKAT]
    assert check_quotas(rated[C.PREDIKAT], rated[C.UNIT], ups, pol.quota).empty
    # the raw distribution did break quotas somewhere, so enforcement did something
    assert not check_quotas(rated[C.PREDIKAT_RAW], rated[C.UNIT], ups, pol.quota).empty
    assert (units[C.QUOTA_STATUS] == "infeasible").sum() <= 0.1 * len(units)


@pytest.mark.parametrize("name", ["permenpan-6-2022", "serang"])
def test_in_the_default_world_units_do_not_enforce_the_kurva(name, tmp_path):
    """Practice (``default``: compliance share 0, fitted): raw predikat stand, broken quotas are reported."""
    out = tmp_path / name
    assert main(["simulate", "--policy", name, "--n", "300", "--seed", "4", "--out", str(out)]) == 0
    scores = pd.read_csv(out / "scores.csv")
    units = pd.read_csv(out / "units.csv", keep_default_na=False)
    assert (scores[C.PREDIKAT] == scores[C.PREDIKAT_RAW]).all()
    assert set(units[C.QUOTA_STATUS]) <= {"met", "not enforced"} and (units[C.QUOTA_STATUS] == "not enforced").any()
    assert (units.loc[units[C.QUOTA_STATUS] == "not enforced", C.QUOTA_BOUND] != "").all()
