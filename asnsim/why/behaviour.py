"""The rater and indicator behaviours a sensitivity analysis varies by default, and their ranges.

Each behaviour of docs/model.md (sections 1-3) is one group of scenario keys moved together (a disposition's
mean and its spread between raters, say), so the Sobol' table has one row per behaviour a policy maker can
name.  The default range of every key runs from the behaviour being absent (0: "every effect has a magnitude,
and at zero it is exactly absent", :mod:`asnsim.scenario`) to twice its value in the built-in ``default``
scenario, the calibrated practice documented in docs/model.md's tables (for a negative value, from twice the
value up to 0).  So the analysis asks: over worlds from "this distortion does not exist" to "it is twice as
strong as we assume", which distortion moves each outcome most?

Rating noise is the exception: a world without it is not a world of raters, so its range is half to twice
the documented value.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..effects import listed
from .sobol import Uncertainty


@dataclass(frozen=True)
class Behaviour:
    """A named behaviour: the scenario keys it moves and its names in English and Bahasa Indonesia."""

    name: str
    keys: tuple[str, ...]
    en: str
    id: str
    low_factor: float = 0.0  # the range's lower end as a multiple of the documented value


#: docs/model.md's behaviours, in its order: population context, indicators, raters
BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("unit_context", ("population.unit_context_sd",), "unit context", "konteks unit"),
    Behaviour("indicator_noise", ("indicators.noise_sd",), "indicator measurement noise",
              "galat pengukuran indikator", 0.5),
    Behaviour("target_slack", ("indicators.slack_mean", "indicators.slack_sd"), "lenient targets (slack)",
              "target longgar"),
    Behaviour("gaming", ("indicators.gaming", "indicators.gaming_sd"), "gaming of activity logs",
              "manipulasi log aktivitas"),
    Behaviour("self_report", ("indicators.self_report_inflation", "indicators.self_report_sd"),
              "inflated self-reports", "laporan diri yang dibesarkan"),
    # the raters' behaviours: one per rater effect with magnitudes, from the registry (rating noise first, then
    # the order of the ratings stage): rating_noise, halo, leniency, favouritism, ingroup, drift, self_inflation,
    # recency, central_tendency, fatigue, reciprocity, conformity
    *(Behaviour(e.behaviour[0], tuple(f"rater.{k}" for k in e.magnitudes), e.behaviour[1], e.behaviour[2],
                e.low_factor) for e in listed() if e.magnitudes),
)


def behaviour_label(name: str, lang: str = "en") -> str:
    """A behaviour's display name; a scenario key's label (the key itself when it has none).

    Examples
    --------
    >>> behaviour_label("favouritism", "id")
    'favoritisme (kedekatan)'
    >>> behaviour_label("rater.conformity")
    'Conformity to the superior (rater.conformity)'
    """
    from ..labels import PARAM_LABELS

    for b in BEHAVIOURS:
        if b.name == name:
            return b.id if lang == "id" else b.en
    label = PARAM_LABELS.get(name.rsplit(".", 1)[-1])
    return f"{label.get(lang, label['en'])} ({name})" if label else name


def default_uncertainties(reference=None) -> list[Uncertainty]:
    """Every behaviour's keys with their default ranges, grouped by behaviour.

    Parameters
    ----------
    reference : Scenario, optional
        Where the documented values are read (default: the built-in ``default`` scenario).

    Returns
    -------
    list of Uncertainty
        One per key, ``group`` = the behaviour's name; keys whose reference value is 0 are left out (there
        is no documented size to scale).

    Examples
    --------
    >>> [(u.key, u.low, u.high) for u in default_uncertainties() if u.group == "favouritism"]
    [('rater.favouritism', 0.0, 0.8), ('rater.favouritism_sd', 0.0, 0.4)]
    """
    from ..scenario import load_scenario

    reference = reference if reference is not None else load_scenario("default")
    out = []
    for b in BEHAVIOURS:
        for key in b.keys:
            value = float(reference.value_of(key))
            if value == 0:
                continue
            ends = sorted((round(b.low_factor * value, 12) + 0.0, round(2 * value, 12) + 0.0))  # no -0.0
            out.append(Uncertainty.checked(key, ends[0], ends[1], b.name))
    return out


def markdown_table(reference=None) -> str:
    """The behaviour table of docs/why.md: each behaviour's keys and default ranges (a test keeps the page equal
    to this)."""
    ranges = default_uncertainties(reference)
    lines = ["| behaviour | keys | default range |", "|---|---|---|"]
    for b in BEHAVIOURS:
        span = ", ".join(f"{u.low:g} - {u.high:g}" for u in ranges if u.group == b.name)
        lines.append(f"| {b.en} | {', '.join(f'`{k}`' for k in b.keys)} | {span} |")
    return "\n".join(lines) + "\n"


__all__ = ["BEHAVIOURS", "Behaviour", "behaviour_label", "default_uncertainties", "markdown_table"]
