"""The default behaviours of a sensitivity analysis: every documented effect, valid ranges."""

from __future__ import annotations

import pytest

from asnsim.effects import PANEL_PARAMS, RATER_EFFECTS
from asnsim.overrides import apply_overrides
from asnsim.scenario import IndicatorParams, RaterParams, load_scenario
from asnsim.why.behaviour import BEHAVIOURS, behaviour_label, default_uncertainties

#: scenario keys that are settings of the design, not behaviours with a magnitude (the rater effects' settings
#: and the panel sizes from the rater-effect registry)
NOT_BEHAVIOURS = {"indicators.loading", "indicators.count_per_year", "indicators.workload_sd",
                  "indicators.quality_level", "indicators.budget_per_year",
                  *(f"rater.{k}" for k in PANEL_PARAMS), *(f"rater.{k}" for e in RATER_EFFECTS for k in e.settings)}


def test_every_rater_and_indicator_parameter_is_a_behaviour_or_a_declared_setting():
    keys = {f"rater.{k}" for k in RaterParams.model_fields} | {f"indicators.{k}" for k in IndicatorParams.model_fields}
    covered = {k for b in BEHAVIOURS for k in b.keys}
    assert keys - NOT_BEHAVIOURS - covered == set()  # a new effect must join a behaviour (or be declared here)
    assert not covered & NOT_BEHAVIOURS


def test_default_ranges_run_from_absent_to_twice_the_documented_value():
    default = load_scenario("default")
    ranges = default_uncertainties()
    assert len(ranges) == sum(len(b.keys) for b in BEHAVIOURS)
    for u in ranges:
        value = default.value_of(u.key)
        if u.group in ("rating_noise", "indicator_noise"):
            assert (u.low, u.high) == pytest.approx((value / 2, 2 * value))
        else:
            assert sorted((u.low, u.high)) == pytest.approx(sorted((0.0, 2 * value)))
        for end in (u.low, u.high):  # both ends are valid scenarios
            assert apply_overrides(default, {u.key: end}, "range").value_of(u.key) == pytest.approx(end)


def test_a_reference_without_the_behaviour_has_no_range_for_it():
    ranges = default_uncertainties(load_scenario("favouritism"))
    assert {u.group for u in ranges} == {"favouritism", "rating_noise", "indicator_noise"}


def test_labels_in_both_languages():
    assert behaviour_label("central_tendency") == "central tendency (scale use)"
    assert behaviour_label("halo", "id") == "efek halo"
    assert behaviour_label("rater.favouritism") == "Favouritism toward close ratees (rater.favouritism)"
    assert behaviour_label("population.item_sd") == "population.item_sd"


def test_the_documented_table_is_the_code():
    import re
    from pathlib import Path

    from asnsim.why.behaviour import markdown_table

    doc = (Path(__file__).parents[1] / "docs" / "why.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- behaviours: begin.*?-->\n(.*?)<!-- behaviours: end -->", doc, re.S)
    assert block is not None, "docs/why.md lost its generated behaviour table"
    assert block.group(1) == markdown_table(), "docs/why.md is out of date: run python -m asnsim.effects"
    rows = {line.split("|")[1].strip(): line for line in block.group(1).splitlines()[2:]}
    for b in BEHAVIOURS:   # and the table says what the code does, key by key
        ranges = [u for u in default_uncertainties() if u.group == b.name]
        assert all(f"`{k}`" in rows[b.en] for k in b.keys)
        assert rows[b.en].split("|")[3].strip() == ", ".join(f"{u.low:g} - {u.high:g}" for u in ranges)


def _documented_defaults() -> dict[str, float]:
    """docs/model.md's parameter tables: dotted key -> its value in the ``default`` scenario.

    Each section names its table (``## 2. Indicators (`[indicators]`...``); a cell of backticked keys
    (``| `slack_mean` |`` or ``| `halo_mean`, `halo_sd` |``) is followed by the defaults cell,
    ``neutral (default)`` or one value for both (``0.10``).
    """
    import re
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
    out: dict[str, float] = {}
    section = ""
    for line in doc.splitlines():
        if line.startswith("## "):
            found = re.search(r"`\[(\w+)\]`", line)
            section = found.group(1) if found else ""
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for i, cell in enumerate(cells[:-1]):
            if re.fullmatch(r"`\w+`(, `\w+`)*", cell):
                keys = re.findall(r"`(\w+)`", cell)
                paren = re.search(r"\(([^)]*)\)", cells[i + 1])
                values = (paren.group(1) if paren else cells[i + 1]).split(", ")
                for key, value in zip(keys, values):
                    try:
                        out.setdefault(f"{section}.{key}", float(value.replace(",", "")))
                    except ValueError:
                        pass
    return out


def test_default_ranges_are_built_on_docs_model_md_values():
    # the issue: defaults come from the documented parameter table, so a run with no options is the documented one
    documented = _documented_defaults()
    for u in default_uncertainties():
        assert u.key in documented, f"docs/model.md has no default for {u.key}"
        assert load_scenario("default").value_of(u.key) == pytest.approx(documented[u.key]), u.key
