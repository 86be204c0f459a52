"""The simulation pipeline: the one place that knows the order of the stages.

policy + scenario + seed --> population --> rater dispositions --> ratings
--> scoring.  Each stage draws from its own :func:`asnsim.rng.stage_rng`
stream, so the population and the raters are the same under every policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import __version__
from . import columns as C
from .policy import Policy, load_policy
from .indicators import simulate_indicators
from .population import add_grown_truth, generate_population, monthly_deviations
from .raters import draw_dispositions, simulate_ratings
from .rng import stage_rng
from .scenario import Scenario, load_scenario
from .scoring import score
from .quota import apply_organisation


@dataclass
class Simulation:
    """The tables of one simulated appraisal round, plus its provenance."""

    policy: Policy
    scenario: Scenario
    seed: int
    employees: pd.DataFrame
    ratings: pd.DataFrame
    scores: pd.DataFrame
    units: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    extra: dict = field(default_factory=dict)

    def manifest(self) -> dict:
        return {
            "asnsim_version": __version__,
            "seed": self.seed,
            "n": int(len(self.employees)),
            "policy": {"name": self.policy.name, "sha256": self.policy.content_hash()},
            "scenario": {"name": self.scenario.name, "sha256": self.scenario.content_hash()},
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables ``asnsim simulate`` writes, by file stem."""
        out = {"employees": self.employees, "ratings": self.ratings, "scores": self.scores}
        if self.units is not None:
            out["units"] = self.units
        if self.indicators is not None:
            out["indicators"] = self.indicators
        return out


def simulate(policy: Policy | str | Path, n: int = 500, seed: int = 1,
             scenario: Scenario | str | Path = "default", replicate: int = 0,
             scenario_index: int = 0, periods: str = "annual",
             population: pd.DataFrame | None = None) -> Simulation:
    """Simulate one appraisal round of a synthetic organisation under a policy.

    Parameters
    ----------
    policy : Policy, str or Path
        A loaded policy, a built-in name or a policy file.
    n : int or str
        Number of employees, or a size preset (``"salatiga"``, ...,
        ``"national"``; see :data:`asnsim.population.PRESETS`).
    seed : int
        The experiment seed; with ``replicate`` it fixes every random draw.
    scenario : Scenario, str or Path
        Behaviour scenario (built-in name or file).
    replicate : int
        Replicate number within an experiment.
    scenario_index : int
        Position of the scenario in an experiment design: part of every random
        stream's key (see :func:`asnsim.rng.stage_rng`), so each scenario of a
        design gets its own independent draws.
    periods : {"annual", "all"}
        Which evaluations produce ratings: the annual one only (default; one
        round, the national-scale setting), or every periodic evaluation of the
        policy plus the annual one (for stability metrics).  Scores use the
        annual ratings.  Indicators always cover every period of the policy.
    population : DataFrame, optional
        A validated employees table (:func:`asnsim.io.population.read_population`):
        its units, positions, demographics and supervisor links replace the
        synthetic organisation (``n`` is then ignored); true performance is still
        drawn from the population stream (:func:`asnsim.io.population.population_from_table`).

    Examples
    --------
    >>> sim = simulate("permenpan-6-2022", n=200, seed=1)
    >>> sorted(sim.scores.columns)[:3]
    ['employee_id', 'final_score', 'predikat']
    """
    pol = load_policy(policy) if not isinstance(policy, Policy) else policy
    scen = load_scenario(scenario)
    key = (replicate, scenario_index)
    if population is not None:
        from .io.population import population_from_table
        employees = population_from_table(population, stage_rng(seed, "population", *key), scen.population)
    else:
        employees = generate_population(n, stage_rng(seed, "population", *key), scen.population)
    monthly = monthly_deviations(employees, scen.population, stage_rng(seed, "truth", *key),
                                 pol.feedback.enabled, pol.feedback.training)
    disp = draw_dispositions(employees, scen.rater, stage_rng(seed, "dispositions", *key))
    indicators = None
    if any(c.measure == "indicators" for c in pol.components.values()):
        indicators = simulate_indicators(employees, pol, scen.indicators, stage_rng(seed, "indicators", *key),
                                         monthly, scen.population.item_sd)
    ratings = simulate_ratings(employees, pol, disp, scen.rater, stage_rng(seed, "ratings", *key), periods,
                               monthly, scen.population.item_sd)
    if pol.correction.method != "none":   # rater-effect correction before scoring (asnsim.correction)
        from .correction import apply_policy_correction
        ratings = apply_policy_correction(pol, ratings, indicators)
    annual = ratings if periods == "annual" else ratings[ratings[C.PERIOD] == "annual"]
    scores = score(pol, annual, employees, indicators)
    # organisation first: unit predikat, the leader's hasil kerja, kurva distribusi in the units that
    # enforce it (rules in the policy, practice in the scenario: asnsim.quota.organisation)
    scores, units, quota_summary = apply_organisation(pol, employees, scores,
                                                      stage_rng(seed, "unit_predikat", *key), scen.quota,
                                                      stage_rng(seed, "quota_compliance", *key))
    # metrics compare with the truth at the time of rating (after feedback/training growth); start kept
    employees = add_grown_truth(employees, scen.population, pol.feedback.enabled, pol.feedback.training)
    return Simulation(pol, scen, seed, employees, ratings, scores, units=units, indicators=indicators,
                      extra={"quota_summary": quota_summary} if quota_summary else {})


def predikat_distribution(scores: pd.DataFrame) -> pd.DataFrame:
    """Count and share of each predikat, in order from Sangat Baik down."""
    counts = scores[C.PREDIKAT].value_counts().reindex(C.PREDIKAT_ORDER[::-1], fill_value=0)
    return pd.DataFrame({"n": counts, "share": counts / counts.sum()}).rename_axis(C.PREDIKAT)
