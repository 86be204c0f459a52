"""Which rater or indicator behaviour each policy's outcomes depend on: Sobol' indices on the simulator.

:func:`behaviour_sensitivity` draws the behaviours (:mod:`asnsim.why.behaviour`, or ``--uncertainty`` ranges)
with SALib's design (:mod:`asnsim.why.sobol`), simulates every point with one policy on the same draws
(common random numbers: the outcomes are a deterministic function of the behaviours, averaged over ``reps``
replicates), and estimates first-order and total indices per outcome.  With several policies the same design
serves every policy, and :meth:`Sensitivity.top` says, per policy and outcome, the behaviour it depends on
most: the comparison mode.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import AsnsimError, PolicyError
from ..outcomes import Outcome
from ..policy import Policy
from .behaviour import behaviour_label, default_uncertainties
from .runs import PointChunk, chunked, measure_points, ordered_map, outcome_key, select_outcomes
from .sobol import SOBOL_COLUMNS, SobolResult, Uncertainty, check_samples, run_sobol, sobol_problem

#: design points simulated per worker task
CHUNK = 8
TOP_COLUMNS = ["policy", "metric", "group", "parameter", "label", "ST", "ST_conf", "S1", "S1_conf", "separable",
               "runner_up", "runner_up_ST"]


def check_uncertainties(scenario, uncertainties: Sequence[Uncertainty]) -> list[Uncertainty]:
    """Refuse, before any run, a key that is not a continuous scenario key or a range the scenario rejects.

    Keys are read and set through the one override path (:mod:`asnsim.overrides`): a ``policy.`` key or a
    policy section, an unknown key, a whole-number or a choice setting, and an end of a range the scenario's
    validator refuses are each an :class:`~asnsim.errors.AsnsimError` naming ``--uncertainty`` and the key.
    """
    from ..errors import DesignError
    from ..overrides import apply_overrides, key_kind, target_of

    sobol_problem(uncertainties)
    out = []
    for u in uncertainties:
        try:
            where, key = target_of(u.key)
        except DesignError:  # a section both have (quota) or neither: sensitivity varies the scenario's
            where, key = "scenario", u.key
        if where == "policy":
            raise AsnsimError(f"--uncertainty {u.key}: a policy key; sensitivity varies behaviour (scenario) keys "
                              f"such as rater.favouritism")
        try:
            kind = key_kind(scenario, key)
        except PolicyError:
            raise AsnsimError(f"--uncertainty {u.key}: not a scenario key (see docs/model.md)") from None
        if kind != "float":
            raise AsnsimError(f"--uncertainty {u.key}: not a continuous behaviour (it takes a {kind}); whole-number "
                              f"and choice settings such as rater.peers are design choices: compare them with --sweep")
        for end in (u.low, u.high):
            try:
                apply_overrides(scenario, {key: end}, scenario.name)
            except PolicyError as exc:
                raise AsnsimError(f"--uncertainty {u.key}={u.low:g}:{u.high:g}: {end:g} is not allowed "
                                  f"({str(exc).split(': ', 2)[-1]})") from None
        out.append(u if key == u.key else replace(u, key=key))  # a "scenario." prefix dropped
    return out


@dataclass(frozen=True)
class Sensitivity:
    """The Sobol' analyses of one or more policies over one design of behaviours."""

    policies: tuple[Policy, ...]
    outcomes: tuple[Outcome, ...]
    uncertainties: tuple[Uncertainty, ...]
    results: tuple[SobolResult, ...]
    settings: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """``[policy,] parameter, metric, group, S1, S1_conf, ST, ST_conf`` (policy only with several)."""
        by_key = {outcome_key(o): o for o in self.outcomes}
        parts = []
        for pol, res in zip(self.policies, self.results):
            t = res.table.copy()
            keys = t["metric"]
            t["metric"] = [by_key[k].metric for k in keys]
            t.insert(2, "group", [by_key[k].group for k in keys])
            if len(self.policies) > 1:
                t.insert(0, "policy", pol.name)
            parts.append(t)
        return pd.concat(parts, ignore_index=True)

    def top(self, lang: str = "en") -> pd.DataFrame:
        """Per policy and outcome, the behaviour with the largest total index, and whether it clearly leads.

        ``separable`` is true when the leader's total index exceeds the runner-up's by more than the two
        bootstrap half-widths together (the intervals do not overlap).  An outcome without a positive index
        under a policy (undefined, constant, or every behaviour inactive) has no row for that policy.
        """
        rows = []
        for pol, res in zip(self.policies, self.results):
            for o in self.outcomes:
                sub = res.table[res.table["metric"] == outcome_key(o)].dropna(subset=["ST"])
                sub = sub.sort_values("ST", ascending=False, kind="stable")
                if sub.empty or sub["ST"].iloc[0] <= 0:
                    continue
                lead = sub.iloc[0]
                second = sub.iloc[1] if len(sub) > 1 else None
                sep = second is None or lead.ST - lead.ST_conf > second.ST + second.ST_conf
                rows.append((pol.name, o.metric, o.group, lead.parameter, behaviour_label(lead.parameter, lang),
                             lead.ST, lead.ST_conf, lead.S1, lead.S1_conf, bool(sep),
                             None if second is None else second.parameter,
                             np.nan if second is None else second.ST))
        return pd.DataFrame(rows, columns=TOP_COLUMNS)


def behaviour_sensitivity(policies: Sequence[Policy], uncertainties: Sequence[Uncertainty] | None = None, *,
                          samples: int = 32, n: int | str = 500, reps: int = 1, seed: int = 1, scenario=None,
                          outcomes: str | Sequence[str] | None = None, workers: int = 1,
                          scheduler: str | None = None, progress: bool = True, screen: bool = True) -> Sensitivity:
    """Sobol' indices of each outcome to the behaviours, for each policy.

    Parameters
    ----------
    policies : sequence of Policy
        One policy, or several for the comparison mode (same design, same draws).
    uncertainties : sequence of Uncertainty, optional
        Keys and ranges; default every documented behaviour (:func:`default_uncertainties`).
    samples : int
        SALib's base sample size ``N`` (a power of 2); about ``N (G + 2)`` simulations per policy for ``G``
        active behaviours.
    n, reps, seed, scenario
        Organisation size, replicates averaged at each point, the one seed, the scenario whose other values
        hold.
    outcomes : str or sequence, optional
        Outcome names (default the headline outcomes).
    workers, scheduler, progress
        Execution, as for ``asnsim compare``.
    screen : bool
        Leave out behaviours that change no outcome under a policy (:func:`asnsim.why.sobol.inactive_factors`).

    Returns
    -------
    Sensitivity
    """
    from ..scenario import load_scenario

    scenario = load_scenario(scenario or "default")
    check_samples(samples)
    chosen = tuple(select_outcomes(outcomes))
    ranges = tuple(check_uncertainties(scenario, uncertainties or default_uncertainties()))
    keys = tuple(u.key for u in ranges)
    started = time.perf_counter()
    results = []
    for pol in policies:
        def model(x, pol=pol):
            parts = chunked(x, CHUNK)
            chunks = [PointChunk(pol, scenario, keys, part, n, seed, reps, chosen) for part in parts]
            values = ordered_map(measure_points, chunks, workers, scheduler, progress,
                                 desc=f"{pol.name}: {len(x)} behaviour settings", unit="chunk")
            return np.concatenate(values) if values else np.empty((0, len(chosen)))
        results.append(run_sobol(ranges, model, [outcome_key(o) for o in chosen], samples, seed, screen=screen))
    settings = {"samples": samples, "n": n, "reps": reps, "seed": seed, "scenario": scenario.name,
                "screen": screen, "runs": [r.runs for r in results],
                "seconds": round(time.perf_counter() - started, 3)}
    return Sensitivity(tuple(policies), chosen, ranges, tuple(results), settings)


__all__ = ["SOBOL_COLUMNS", "Sensitivity", "TOP_COLUMNS", "behaviour_sensitivity", "check_uncertainties"]
