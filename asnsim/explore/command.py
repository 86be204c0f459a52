"""What ``asnsim explore`` does, from parsed options to results: every check first, then the search, then robustness.

:func:`prepare` reads and checks everything before any work (the base policy,
the scenarios, each lever against the policy, each uncertainty against the
scenario, the objectives and requirements against the outcome registry, the
budget against the lever space, the memory a simulation needs, the storage):
bad input ends there, exit status 2, with the option and the key named, and
nothing written.  :func:`run_plan` searches (:func:`asnsim.explore.explore`
with :class:`~asnsim.explore.simulator.SimulatorEvaluator`) and, when
``--uncertainty`` or several ``--scenario`` are given, re-evaluates the front
across an ensemble of worlds (:mod:`asnsim.explore.robustness`) and runs
scenario discovery for one design (:mod:`asnsim.explore.prim`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DesignError
from .levers import LeverSpace
from .objectives import Objective
from .robustness import Requirement
from .simulator import SCENARIO_KEY, SimulatorEvaluator

#: designs at most re-evaluated across worlds (the front, best first on the first objective)
MAX_ROBUST_DESIGNS = 12


@dataclass
class Plan:
    """Everything a run needs, checked (see :func:`prepare`)."""

    base_ref: str
    policy: Any
    scenarios: dict[str, Any]
    space: LeverSpace
    objectives: tuple[Objective, ...]
    uncertainties: LeverSpace | None
    requirements: tuple[Requirement, ...]
    evaluator: SimulatorEvaluator
    options: dict = field(default_factory=dict)

    @property
    def robust(self) -> bool:
        return self.uncertainties is not None


def _load_scenarios(text: str) -> dict[str, Any]:
    from ..scenario import load_scenario

    refs = [r.strip() for r in str(text).split(",") if r.strip()]
    if not refs:
        raise DesignError("--scenario: name a scenario or a scenario file")
    out: dict[str, Any] = {}
    for ref in refs:
        model = load_scenario(ref)
        if model.name in out:
            raise DesignError(f"--scenario {ref}: two scenarios are named {model.name!r}")
        out[model.name] = model
    return out


def _requirements(texts: Sequence[str]) -> tuple[Requirement, ...]:
    from .simulator import find_outcome

    reqs = tuple(Requirement.parse(t) for t in texts)
    for r in reqs:
        find_outcome(r.name, "--require")
    return reqs


def _check_budget(space: LeverSpace, budget: int) -> None:
    """A budget above the number of distinct designs of an all-discrete space cannot be spent on new designs."""
    if all(lv.kind != "float" or lv.step is not None for lv in space.levers):
        size = space.size()
        if int(budget) > size:
            raise DesignError(f"--budget {budget}: the levers allow only {size} distinct designs; use --budget "
                              f"{size} or less, or widen a --lever")


def prepare(opts: dict) -> Plan:
    """Read and check every option before any work (module notes).

    Parameters
    ----------
    opts : dict
        ``policy, lever, objectives, budget, reps, min_reps, population_size, n, seed, scenario, uncertainty,
        worlds, require, discover, periods, workers, scheduler, storage, out, lang``.
    """
    from ..memory import require_memory, simulation_bytes
    from ..policy import load_policy
    from .simulator import lever_space, registry_objectives, uncertainty_space
    from .study import Settings

    policy = load_policy(opts["policy"])
    scenarios = _load_scenarios(opts["scenario"])
    base_world = next(iter(scenarios.values()))
    space = lever_space(opts["lever"], policy, base_world)
    objectives = registry_objectives(opts["objectives"], opts.get("lang", "en"))
    requirements = _requirements(opts.get("require") or ())
    texts = list(opts.get("uncertainty") or ())
    if len(scenarios) > 1 and texts:
        texts.append(f"{SCENARIO_KEY}=" + ",".join(scenarios))
    uncertainties = uncertainty_space(texts, policy, base_world) if texts else None
    if uncertainties is None and len(scenarios) > 1:
        uncertainties = LeverSpace.parse([f"{SCENARIO_KEY}=" + ",".join(scenarios)], "--scenario")
    if uncertainties is None and (requirements or opts.get("discover")):
        raise DesignError("--require and --discover judge designs across worlds: give --uncertainty KEY=LO:HI "
                          "or several --scenario names")
    if opts.get("discover") and not requirements:
        raise DesignError("--discover: scenario discovery needs at least one --require NAME>=VALUE")
    Settings(opts["budget"], opts["reps"], opts["seed"], opts.get("population_size"), opts.get("min_reps", 2))
    _check_budget(space, opts["budget"])
    if int(opts.get("worlds", 16)) < 2:
        raise DesignError(f"--worlds must be at least 2, got {opts.get('worlds')}")
    outcomes = tuple(dict.fromkeys([o.name for o in objectives] + [r.name for r in requirements]))
    evaluator = SimulatorEvaluator(policy, base_world, outcomes, n=opts["n"], seed=int(opts["seed"]),
                                   periods=opts.get("periods", "annual"), scenarios=scenarios)
    if not opts.get("scheduler"):
        need = simulation_bytes(policy, base_world, opts["n"], opts.get("periods", "annual"))
        require_memory(need * max(1, int(opts.get("workers", 1))), f"--n {opts['n']} with {opts.get('workers', 1)} "
                       "worker(s)", "use a smaller --n or fewer --workers")
    _check_storage(opts)
    return Plan(str(opts["policy"]), policy, scenarios, space, objectives, uncertainties, requirements, evaluator,
                dict(opts))


def _check_storage(opts: dict) -> None:
    """Reach a storage given by URL before any work (the default SQLite file in --out is made by the run)."""
    if opts.get("storage"):
        from .storage import open_storage, storage_url

        backend = open_storage(storage_url(opts["storage"], opts.get("out")))
        engine = getattr(backend, "engine", None)
        if engine is not None:
            engine.dispose()


@dataclass
class RunResult:
    """An exploration and, when asked for, its robustness across worlds."""

    exploration: Any
    worlds: pd.DataFrame | None = None
    per_world: pd.DataFrame | None = None
    robustness: pd.DataFrame | None = None
    discovery: dict | None = None
    seconds: float = 0.0


def run_plan(plan: Plan, out: str | Path, progress: bool = True) -> RunResult:
    """Search, then (when asked for) robustness and scenario discovery; the study lives in ``--storage``."""
    import time

    from . import explore

    o = plan.options
    t0 = time.perf_counter()
    res = explore(plan.space, plan.objectives, plan.evaluator, budget=o["budget"], reps=o["reps"], seed=o["seed"],
                  storage=o.get("storage"), out=out, population_size=o.get("population_size"),
                  min_reps=o.get("min_reps", 2), workers=o.get("workers", 1), scheduler=o.get("scheduler"),
                  progress=progress)
    result = RunResult(res)
    if plan.robust and len(res.pareto):
        _robustness(plan, res, result)
    result.seconds = time.perf_counter() - t0
    return result


def _robustness(plan: Plan, res, result: RunResult) -> None:
    from .robustness import discover, evaluate_worlds, latin_hypercube, robustness_table, world_estimates

    o = plan.options
    keys = [lv.key for lv in plan.uncertainties.levers]
    if keys == [SCENARIO_KEY]:
        worlds = pd.DataFrame({"world": [f"W{i + 1:03d}" for i in range(len(plan.scenarios))],
                               SCENARIO_KEY: list(plan.scenarios)})
    else:
        worlds = latin_hypercube(plan.uncertainties, int(o.get("worlds", 16)), int(o["seed"]))
    front = res.pareto.head(MAX_ROBUST_DESIGNS)
    designs = {r["design"]: {k: _plain(r[k]) for k in plan.space.keys} for _, r in front.iterrows()}
    reps = int(o.get("world_reps") or min(int(o["reps"]), 4))
    outcomes = list(plan.evaluator.outcomes)
    if int(o.get("workers", 1)) > 1 or o.get("scheduler"):
        from ..experiment.runner import executor

        with executor(int(o.get("workers", 1)), o.get("scheduler")) as (ex, slots, *_):
            per = evaluate_worlds(designs, worlds, plan.evaluator, outcomes, reps, ex, slots)
    else:
        per = evaluate_worlds(designs, worlds, plan.evaluator, outcomes, reps)
    est = world_estimates(per, outcomes)
    result.worlds, result.per_world = worlds, est
    result.robustness = robustness_table(est, plan.objectives, plan.requirements)
    if plan.requirements:
        chosen = o.get("discover") or result.robustness.sort_values("share_meeting", ascending=False,
                                                                    kind="stable")["design"].iloc[0]
        if chosen not in designs:
            raise DesignError(f"--discover {chosen}: not a front design; front: {', '.join(designs)}")
        prim, share = discover(worlds, est, chosen, plan.requirements)
        result.discovery = {"design": chosen, "prim": prim, "fail_share": share}


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


__all__ = ["MAX_ROBUST_DESIGNS", "Plan", "RunResult", "prepare", "run_plan"]
