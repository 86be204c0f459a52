"""Sources that can be checked: every seed citation of a built-in policy or scenario quotes its seed verbatim.

The seed texts are in ``shared/seeds/`` beside the repository (CI clones main with ``../shared`` next to it).
These tests fail, rather than skip, when quotes exist but the seeds cannot be found.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from asnsim.policy import builtin_names, load_policy
from asnsim.policydocs import city_names, seed_of
from asnsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
#: each city model and the seed it quotes (tests/test_policy_builtins.py checks the five of the brief)
CITIES = {c: seed_of(load_policy(c)) for c in city_names()}
SEED_REF = re.compile(r"seeds/(\d{3})")


def _files() -> list[tuple[str, dict]]:
    out = []
    for subdir in ("policies", "scenarios"):
        for res in sorted(resources.files("asnsim").joinpath(subdir).iterdir(), key=lambda r: r.name):
            if res.name.endswith(".toml"):
                out.append((f"{subdir}/{res.name}", tomllib.loads(res.read_text(encoding="utf-8"))))
    return out


FILES = _files()


def _walk(data, path=""):
    """(dotted path, table) of every table in a TOML document, arrays of tables included."""
    if isinstance(data, dict):
        yield path, data
        for k, v in data.items():
            yield from _walk(v, f"{path}.{k}" if path else k)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk(v, f"{path}[{i}]")


def _cited() -> list[tuple[str, str, dict]]:
    """(file, path, source entry) of every [[sources]] entry that cites a seed."""
    return [(name, f"sources[{i}]", s) for name, data in FILES for i, s in enumerate(data.get("sources", []))
            if SEED_REF.search(s.get("source", ""))]


def _normalize(text: str) -> str:
    return " ".join(text.split()).casefold()


def _seed_text(number: str) -> str:
    if not SEEDS.is_dir():
        pytest.fail(f"{len(_cited())} seed quotes to check but no seeds folder at {SEEDS}: the repository must sit "
                    "beside shared/ (as in CI)")
    files = sorted(SEEDS.glob(f"{number}_*.txt"))
    assert len(files) == 1, f"seed {number}: expected one file in {SEEDS}, found {[f.name for f in files]}"
    return _normalize(files[0].read_text(encoding="utf-8"))


def test_there_are_quotes_to_check():
    assert len(_cited()) >= 40


@pytest.mark.parametrize("name, path, entry", _cited(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_seed_source_quotes_its_seed_verbatim(name, path, entry):
    seeds = set(SEED_REF.findall(entry["source"]))
    assert len(seeds) == 1, f"{name}: {path} cites {len(seeds)} seeds; one quote can only check one"
    quote = entry.get("quote", "")
    assert len(quote.split()) >= 2, f"{name}: {path} ({entry['element']}) cites a seed but has no quote"
    assert "..." not in quote and "\u2026" not in quote, f"{name}: {path}: a quote is one verbatim phrase"
    assert _normalize(quote) in _seed_text(seeds.pop()), f"{name}: {path} ({entry['element']}): {quote!r} is not " \
                                                         "in the seed (whitespace and case aside)"


@pytest.mark.parametrize("name, data", FILES, ids=[n for n, _ in FILES])
def test_seed_citations_live_in_sources_with_a_quote(name, data):
    # an inline `source = "..."` on a component, periods, predikat ... cannot carry a quote: seed citations go to
    # [[sources]] (element, source, quote, note); inline sources cite regulations only
    for path, table in _walk(data):
        if path.startswith("sources[") or not isinstance(table.get("source"), str):
            continue
        assert not SEED_REF.search(table["source"]), f"{name}: {path}.source cites a seed; move it to [[sources]]"


@pytest.mark.parametrize("city", sorted(CITIES))
def test_city_sources_quote_its_own_seed_and_name_real_headings(city):
    seed = CITIES[city]
    pol = load_policy(city)
    own = [s for s in pol.sources if "seeds/" in s.source]
    assert len(own) >= 5 and all(f"seeds/{seed}_" in s.source and s.quote and s.note for s in own)
    if not SEEDS.is_dir():
        pytest.fail(f"no seeds folder at {SEEDS}")
    lines = {ln.strip() for ln in next(SEEDS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8").splitlines()}
    headings = {h for s in own for h in re.findall(r"'([^']+)'", s.source)}
    assert headings and headings <= lines, f"{city}: not headings of seed {seed}: {headings - lines}"


@pytest.mark.parametrize("city", sorted(CITIES))
def test_regime_choice_is_an_assumption(city):
    pol = load_policy(city)
    assert not [s for s in pol.sources if s.element == "regime"]
    extends = [a for a in pol.assumptions if a.key == "extends"]
    assert len(extends) == 1 and extends[0].value == pol.extends and "names no" in extends[0].reason


def test_what_the_seeds_do_not_say_is_an_assumption():
    pontianak = load_policy("pontianak")
    seed4 = _seed_text("004")
    assert "school intake" not in seed4 and "terpencil" not in seed4
    # the unit-context reading is stated as the model's, in the description and an assumption
    assert "The model assumes" in pontianak.description
    assert any("school intake" in a.reason and "model's reading" in a.reason for a in pontianak.assumptions)
    assert not any("school intake" in s.quote + s.note for s in pontianak.sources)
    salatiga = load_policy("salatiga")
    assert "does not say" in salatiga.description
    assert any(a.key == "components.hasil_kerja.verified_share" and "assumption" in a.reason
               for a in salatiga.assumptions)
    assert any(a.key == "quota.leader_rating" for a in load_policy("permenpan-6-2022").assumptions)


def test_named_mechanisms_are_encoded():
    pontianak = load_policy("pontianak")
    assert pontianak.components["skp"].items == ("produktivitas", "kualitas_pelayanan", "inovasi")
    assert pontianak.feedback.enabled and not pontianak.feedback.training          # feedback yes, training no
    sawahlunto = load_policy("sawahlunto")
    assert sawahlunto.feedback.training and not sawahlunto.feedback.enabled        # guidance and training
    for city in ("pontianak", "sawahlunto"):
        assert any(a.key == "feedback" for a in load_policy(city).assumptions)     # and why not the other


@pytest.mark.parametrize("name", builtin_names("scenarios"))
def test_scenario_seed_sources_quote(name):
    for s in load_scenario(name).sources:
        if "seeds/" in s.source:
            assert s.quote and _normalize(s.quote) in _seed_text(SEED_REF.search(s.source).group(1))


def test_show_and_docs_print_the_quotes(capsys):
    from asnsim.cli import main

    assert main(["policies", "show", "serang"]) == 0
    out = capsys.readouterr().out
    assert 'quote = "Setiap pegawai diharapkan untuk menyusun rencana kerja tahunan yang jelas dan terukur"' in out
    docs = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    for city in CITIES:
        for s in load_policy(city).sources:
            if s.quote:
                assert f'"{s.quote}"' in docs, (city, s.element)
