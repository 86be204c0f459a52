"""Behaviour scenarios: how the simulated world and its raters behave.

A scenario is independent of the policy, so one scenario can be crossed with
every policy.  Built-ins live in ``asnsim/scenarios/*.toml`` (``neutral``:
every effect off; ``default``: a realistic mix, each value with its source or
stated assumption).  Files may ``extends`` another scenario, as policies do.
Every effect has a magnitude, and at zero it is exactly absent.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .policy import Assumption, Source, builtin_names, load_model


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PopulationParams(_Frozen):
    """The synthetic organisation (see :mod:`asnsim.population`)."""

    preset: str = "city"
    unit_context_sd: float = Field(0.0, ge=0)
    share_female: float = Field(0.54, ge=0, le=1)
    share_close: float = Field(0.2, ge=0, le=1)
    component_corr: float = Field(0.5, ge=-0.3, le=1)


class RaterParams(_Frozen):
    """Rater dispositions, drawn once per rater, and rating noise (latent SD units)."""

    noise_sd: float = Field(0.5, ge=0)
    leniency_sd: float = Field(0.0, ge=0)
    leniency_mean: float = 0.0
    favouritism: float = Field(0.0, ge=0)


class Scenario(_Frozen):
    name: str
    title: str
    extends: str | None = None
    description: str = ""
    population: PopulationParams = PopulationParams()
    rater: RaterParams = RaterParams()
    sources: tuple[Source, ...] = ()
    assumptions: tuple[Assumption, ...] = ()


def load_scenario(ref: str | Path | Scenario) -> Scenario:
    """Load a scenario by built-in name or file path (errors name the file and key)."""
    return load_model(ref, Scenario, "scenarios")


def scenario_names() -> list[str]:
    return builtin_names("scenarios")
