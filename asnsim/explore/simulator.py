"""Designs as policies: the simulator behind the explorer's narrow evaluation interface.

A *design* is the base policy with lever values set through the one override
path (:func:`asnsim.overrides.apply_design`; its weight rule re-normalizes
the weights a lever leaves unset, and a lever may bring in a rater role the
base lacks).  A *world* is the base scenario with uncertainty values set the
same way (``rater.leniency``...), or another named scenario (the world key
``scenario``).  Outcomes and their directions come from the outcome registry
(:mod:`asnsim.outcomes`): an outcome is named by its metric, or
``metric[group]`` when the metric has several groups
(``share_predikat[Sangat Baik]``).

Common random numbers: replicate ``r`` of every design and every world is
simulated with the streams of ``(seed, r, scenario 0)``, as ``asnsim
compare`` does for its first scenario, so designs (and worlds) are paired,
and a design's per-replicate outcomes equal those of ``asnsim compare
--policies designs/NAME.toml --seed S --n N`` on the same replicates.  Only
the outcomes asked for are computed (each through its registry ``compute``
on the round), not the whole replicate table.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DesignError
from .evaluation import REPLICATE
from .levers import Lever, LeverSpace
from .objectives import Objective

_NAME = re.compile(r"^([^\[\]]+?)(?:\[(.+)\])?$")
#: the world key naming one of several scenarios
SCENARIO_KEY = "scenario"


def outcome_name(o) -> str:
    """The explorer's name of a registry outcome: its metric, with ``[group]`` unless the group is ``all``."""
    return o.metric if o.group == "all" else f"{o.metric}[{o.group}]"


def find_outcome(name: str, option: str = "--objectives"):
    """The registry outcome named ``metric`` or ``metric[group]``; an unknown name is an error listing the known.

    Examples
    --------
    >>> find_outcome("sex_gap_conditional").group, find_outcome("share_predikat[Sangat Baik]").direction is None
    ('F-M', True)
    """
    from ..outcomes import OUTCOMES, outcome

    m = _NAME.match(str(name).strip())
    hit = outcome(m.group(1).strip(), m.group(2)) if m else None
    if hit is None or not hit.replicate:
        known = ", ".join(outcome_name(o) for o in OUTCOMES if o.replicate)
        raise DesignError(f"{option} {name}: not an outcome of the registry; known: {known}")
    return hit


def registry_objectives(names: str | Sequence[str], lang: str = "en") -> tuple[Objective, ...]:
    """Objectives from outcome names, with the registry's directions and labels; descriptive ones are errors."""
    from .objectives import parse_objectives

    def direction(name: str) -> int:
        o = find_outcome(name)
        if o.direction is None:
            raise DesignError(f"--objectives {name}: a descriptive outcome (no better or worse direction) "
                              f"cannot be an objective; use it in --require")
        return o.direction

    objs = parse_objectives(names, direction)
    return tuple(Objective(o.name, o.direction, find_outcome(o.name).text(lang)) for o in objs)


def _kind_checker(model, option: str, target: str):
    """``key -> kind`` for :meth:`LeverSpace.parse`: the key must be a ``target`` key of ``model``."""
    from ..overrides import key_kind, target_of

    def check(key: str) -> str:
        if key == SCENARIO_KEY and target == "scenario":
            return "choice"
        where, rest = target_of(key)
        if where != target:
            hint = ("rater behaviour is an uncertainty: use --uncertainty" if target == "policy"
                    else "a policy key is a lever: use --lever")
            raise DesignError(f"{option} {key}: a {where} key; {hint}")
        kind = key_kind(model, rest)
        if kind == "table":
            raise DesignError(f"{option} {key}: a table, not a value; name one of its keys")
        return kind

    return check


def check_values(space: LeverSpace, policy, scenario, option: str) -> None:
    """Apply each end of every range and every choice to the base before any work: a value the policy or
    scenario refuses (a weight above 1, an unknown method) is an error naming the key."""
    from ..overrides import apply_design

    for lv in space.levers:
        if lv.key == SCENARIO_KEY:
            continue
        for v in lv.choices if lv.kind == "choice" else (lv.low, lv.high):
            apply_design(policy, scenario, {lv.key: v}, f"{option} {lv.key}={v}")


def lever_space(texts: Sequence[str | Lever], policy, scenario) -> LeverSpace:
    """Levers (policy keys) read with their key's type and checked on the base policy, before any work."""
    space = LeverSpace.parse(texts, "--lever", _kind_checker(policy, "--lever", "policy"))
    check_values(space, policy, scenario, "--lever")
    return space


def uncertainty_space(texts: Sequence[str | Lever], policy, scenario) -> LeverSpace:
    """Uncertainties (scenario keys, and ``scenario`` naming several) checked on the base scenario."""
    space = LeverSpace.parse(texts, "--uncertainty", _kind_checker(scenario, "--uncertainty", "scenario"))
    check_values(space, policy, scenario, "--uncertainty")
    return space


@dataclass(frozen=True)
class SimulatorEvaluator:
    """``(design, replicates, world) -> DataFrame[replicate, outcome...]`` by simulation (module notes).

    Parameters
    ----------
    base : Policy
        The policy the levers change.
    scenario : Scenario
        The base world.
    outcomes : tuple of str
        Outcome names (:func:`find_outcome`).
    n : int or str
        Employees per simulated organisation, or a size preset.
    seed : int
        The one seed.
    periods : {"annual", "all"}
        As for ``asnsim compare``.
    scenarios : mapping, optional
        Named scenarios a world may pick with its ``scenario`` key.
    population : DataFrame, optional
        An employees table instead of synthetic organisations.

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> from asnsim.scenario import load_scenario
    >>> ev = SimulatorEvaluator(load_policy("permenpan-6-2022"), load_scenario("default"),
    ...                         ("spearman", "rater_hours"), n=150)
    >>> ev({"components.perilaku_kerja.raters.rekan": 0.3}, [0, 1]).columns.tolist()
    ['replicate', 'spearman', 'rater_hours']
    """

    base: Any
    scenario: Any
    outcomes: tuple[str, ...]
    n: int | str = 500
    seed: int = 1
    periods: str = "annual"
    scenarios: Mapping[str, Any] = field(default_factory=dict)
    population: Any = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        """What fixes the values (part of the study's identity): models' hashes, size, seed, outcomes."""
        def digest(model) -> str:
            blob = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
            return hashlib.sha256(blob.encode()).hexdigest()[:16]

        pop = None
        if self.population is not None:
            pop = hashlib.sha256(pd.util.hash_pandas_object(self.population, index=False).values.tobytes()
                                 ).hexdigest()[:16]
        return json.dumps({"evaluator": "simulator", "policy": digest(self.base), "scenario": digest(self.scenario),
                           "scenarios": {k: digest(v) for k, v in sorted(self.scenarios.items())},
                           "n": self.n, "seed": self.seed, "periods": self.periods, "outcomes": list(self.outcomes),
                           "population": pop}, sort_keys=True)

    def models(self, design: Mapping[str, Any], world: Mapping[str, Any] | None = None):
        """``(policy, scenario)`` of a design in a world, validated."""
        from ..overrides import apply_design

        world = dict(world or {})
        scenario = self.scenario
        if SCENARIO_KEY in world:
            name = world.pop(SCENARIO_KEY)
            scenario = self.scenarios[name]
        label = "design " + ", ".join(f"{k}={v}" for k, v in design.items())
        policy, _ = apply_design(self.base, self.scenario, dict(design), label)
        _, scenario = apply_design(self.base, scenario, world, "world")
        return policy, scenario

    def __call__(self, design: Mapping[str, Any], replicates: Sequence[int],
                 world: Mapping[str, Any] | None = None) -> pd.DataFrame:
        from ..metrics.replicate import Round
        from ..pipeline import simulate

        policy, scenario = self.models(design, world)
        found = [find_outcome(name) for name in self.outcomes]
        rows = []
        for r in replicates:
            sim = simulate(policy, n=self.n, seed=self.seed, scenario=scenario, replicate=int(r), scenario_index=0,
                           periods=self.periods, population=self.population)
            rnd = Round(sim)
            rows.append([int(r)] + [float(o.compute(rnd)) for o in found])
        table = pd.DataFrame(rows, columns=[REPLICATE, *self.outcomes])
        table[list(self.outcomes)] = table[list(self.outcomes)].astype(float)
        return table


def design_overrides(base, policy) -> dict[str, Any]:
    """The dotted keys a design file must set to turn ``base`` into ``policy``.

    The leaves that differ (:func:`asnsim.overrides.diff_policies`), descriptive keys left out, and every weight
    of a weight table one of them touches, so that the file sets the whole table and is read as written (the
    weight rule rescales only weights a file leaves unset).
    """
    from ..overrides import diff_policies, value_at

    diff = {k: new for k, (_, new) in diff_policies(base, policy).items()
            if k.split(".", 1)[0] not in ("name", "title", "sources", "assumptions", "description")}
    out = dict(diff)
    for key in diff:
        parts = key.split(".")
        if parts[0] == "components" and len(parts) == 3 and parts[2] == "weight":
            for comp in policy.components:
                out.setdefault(f"components.{comp}.weight", value_at(policy, f"components.{comp}.weight"))
        if parts[0] == "components" and len(parts) == 4 and parts[2] == "raters":
            for role in policy.components[parts[1]].raters:
                out.setdefault(f"components.{parts[1]}.raters.{role}",
                               value_at(policy, f"components.{parts[1]}.raters.{role}"))
    return {k: out[k] for k in sorted(out)}


def _nest(flat: Mapping[str, Any]) -> dict:
    tree: dict = {}
    for key, value in flat.items():
        node = tree
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return tree


def design_toml(name: str, extends: str, base, policy, header: Sequence[str] = ()) -> str:
    """A policy file that ``extends`` the base and sets what the design changes (``asnsim compare`` reads it).

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> from asnsim.overrides import apply_overrides
    >>> base = load_policy("permenpan-6-2022")
    >>> text = design_toml("D001", "permenpan-6-2022", base,
    ...                    apply_overrides(base, {"components.perilaku_kerja.raters.rekan": 0.25}))
    >>> print(text, end="")
    extends = "permenpan-6-2022"
    name = "D001"
    title = "permenpan-6-2022 with components.perilaku_kerja.raters.atasan=0.75, components.perilaku_kerja.raters.rekan=0.25"
    <BLANKLINE>
    [components]
    [components.perilaku_kerja]
    [components.perilaku_kerja.raters]
    atasan = 0.75
    rekan = 0.25
    """
    from ..policyfiles import dump_toml

    changes = design_overrides(base, policy)
    title = f"{base.name} with " + ", ".join(f"{k}={_fmt(v)}" for k, v in changes.items()) if changes \
        else f"{base.name} (unchanged)"
    text = dump_toml({"extends": extends, "name": name, "title": title, **_nest(changes)})
    return "".join(f"# {line}\n" for line in header) + text


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


__all__ = ["SCENARIO_KEY", "SimulatorEvaluator", "check_values", "design_overrides", "design_toml", "find_outcome",
           "lever_space", "outcome_name", "registry_objectives", "uncertainty_space"]
