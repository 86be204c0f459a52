"""Decomposing the change from policy A to policy B by provision, on the simulator.

:func:`decompose_change` resolves the provisions (:mod:`asnsim.why.provisions`), merges those that cannot be
applied separately (:mod:`asnsim.why.blocks`), builds every hybrid through the override path, simulates the
hybrids of each replicate on that replicate's common draws (:mod:`asnsim.why.runs`), and computes the
Shapley values per replicate (:mod:`asnsim.why.decomposition`).  The result keeps everything the files and
the report need.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..outcomes import Outcome
from ..policy import Policy
from .blocks import separable_blocks
from .decomposition import Decomposition, Game, decompose, summarize_draws
from .provisions import Provision, build_hybrid, hybrid_name, resolve_provisions, validity
from .runs import HybridChunk, chunked, measure_hybrids, ordered_map, outcome_key, select_outcomes
from .shapley import EXACT_MAX

#: hybrids simulated per worker task
CHUNK = 8


@dataclass(frozen=True)
class Player:
    """A provision, or a block of provisions that must move together, as one player of the game."""

    name: str
    provisions: tuple[Provision, ...]
    mask: int  # over the provisions

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for p in self.provisions for k in p.keys)


@dataclass(frozen=True)
class PolicyChange:
    """A decomposed change: the two policies, the players, the invalid hybrids and the Shapley values."""

    a: Policy
    b: Policy
    provisions: tuple[Provision, ...]
    players: tuple[Player, ...]
    invalid: dict[int, str]
    outcomes: tuple[Outcome, ...]
    result: Decomposition
    settings: dict = field(default_factory=dict)

    def shapley(self, level: float = 0.95) -> pd.DataFrame:
        """``provision, metric, group, estimate, mcse, ci_low, ci_high, n_reps, mcse_orders`` (+ ``total``)."""
        return _split_metric(self.result.shapley_table(level), self.outcomes)

    def hybrids(self, level: float = 0.95) -> pd.DataFrame:
        """Every hybrid: evaluated ones with their outcomes, invalid ones with the validator's reason."""
        tab = _split_metric(self.result.hybrid_table(level), self.outcomes)
        masks = tab.pop("hybrid").to_numpy()
        full = [self._provision_mask(int(m)) for m in masks]
        tab.insert(0, "hybrid", [hybrid_name(self.a, list(self.provisions), m) for m in full])
        tab["provisions"] = [bin(m).count("1") for m in full]
        tab = tab.drop(columns="n_provisions")
        tab["status"] = "evaluated"
        bad = pd.DataFrame({"hybrid": [hybrid_name(self.a, list(self.provisions), m) for m in self.invalid],
                            "provisions": [bin(m).count("1") for m in self.invalid],
                            "status": [f"invalid: {why}" for why in self.invalid.values()]})
        out = pd.concat([tab, bad], ignore_index=True) if len(bad) else tab
        return out.sort_values(["provisions", "hybrid"], kind="stable").reset_index(drop=True)

    def _provision_mask(self, player_mask: int) -> int:
        return sum(p.mask for i, p in enumerate(self.players) if player_mask >> i & 1)

    def start(self) -> np.ndarray:
        """A's outcome per metric (mean over the replicates where it is defined; NaN where it never is)."""
        return summarize_draws(self.result.start)[0]


def _split_metric(tab: pd.DataFrame, outcomes: Sequence[Outcome]) -> pd.DataFrame:
    by_key = {outcome_key(o): o for o in outcomes}
    tab = tab.copy()
    keys = tab["metric"]
    at = tab.columns.get_loc("metric")
    tab["metric"] = [by_key[k].metric for k in keys]
    tab.insert(at + 1, "group", [by_key[k].group for k in keys])
    return tab


def players_of(a: Policy, b: Policy, provisions: list[Provision]) -> tuple[list[Player], dict[int, str]]:
    """The game's players: provisions, merged into blocks where hybrids are invalid; and the invalid hybrids."""
    blocks, invalid = separable_blocks(len(provisions), validity(a, b, provisions))
    players = []
    for block in blocks:
        members = tuple(p for i, p in enumerate(provisions) if block >> i & 1)
        players.append(Player(" & ".join(p.name for p in members), members, block))
    return players, invalid


@dataclass(frozen=True)
class Plan:
    """The provisions of a change and the players they form, every hybrid validated (no simulation yet)."""

    provisions: tuple[Provision, ...]
    players: tuple[Player, ...]
    invalid: dict[int, str]


def plan_change(a: Policy, b: Policy, named: Sequence[Provision] | None = None) -> Plan:
    """Resolve the provisions (named ones plus ``other``, or one per section) and merge inseparable ones."""
    provs = resolve_provisions(a, b, list(named or []))
    players, invalid = players_of(a, b, provs)
    return Plan(tuple(provs), tuple(players), invalid)


def decompose_change(a: Policy, b: Policy, provisions: Sequence[Provision] | Plan | None = None, *, n: int | str = 500,
                     reps: int = 10, seed: int = 1, scenario=None, outcomes: str | Sequence[str] | None = None,
                     method: str = "auto", orders: int = 64, workers: int = 1, scheduler: str | None = None,
                     progress: bool = True) -> PolicyChange:
    """Shapley decomposition of every outcome's change from A to B, by provision, on simulated replicates.

    Parameters
    ----------
    a, b : Policy
        The starting and the target policy.
    provisions : sequence of Provision or Plan, optional
        Named provisions; default one per differing section.  Differences no provision covers form ``other``.
        A :class:`Plan` from :func:`plan_change` is used as it is.
    n, reps, seed, scenario
        As for ``asnsim compare``: organisation size, replicates, the one seed, the behaviour scenario.
    outcomes : str or sequence, optional
        Outcome names (:func:`asnsim.why.runs.select_outcomes`); default the headline outcomes.
    method, orders
        ``auto`` (exact up to 10 players), ``exact`` or ``permutation`` with ``orders`` per replicate.
    workers, scheduler, progress
        Execution, as for ``asnsim compare``.

    Returns
    -------
    PolicyChange
    """
    from ..scenario import load_scenario

    scenario = load_scenario(scenario or "default")
    chosen = tuple(select_outcomes(outcomes))
    plan = provisions if isinstance(provisions, Plan) else plan_change(a, b, provisions)
    provs, players, invalid = list(plan.provisions), plan.players, plan.invalid
    cache: dict[int, Policy] = {}

    def hybrid(player_mask: int) -> Policy:
        if player_mask not in cache:
            full = sum(p.mask for i, p in enumerate(players) if player_mask >> i & 1)
            cache[player_mask] = build_hybrid(a, b, provs, full)
        return cache[player_mask]

    def evaluate(requests):
        jobs = [(r, part) for r, masks in enumerate(requests) for part in chunked(list(masks), CHUNK)]
        chunks = [HybridChunk(r, tuple(hybrid(int(m)) for m in part), scenario, n, seed, chosen) for r, part in jobs]
        values = ordered_map(measure_hybrids, chunks, workers, scheduler, progress,
                             desc=f"{a.name} -> {b.name}: {len(players)} provisions", unit="chunk")
        out: list[list[np.ndarray]] = [[] for _ in requests]
        for (r, _), v in zip(jobs, values):
            out[r].append(v)
        return [np.concatenate(parts) if parts else np.empty((0, len(chosen))) for parts in out]

    game = Game(tuple(p.name for p in players), tuple(outcome_key(o) for o in chosen), evaluate)
    started = time.perf_counter()
    result = decompose(game, reps, seed, method, orders)
    settings = {"n": n, "reps": reps, "seed": seed, "scenario": scenario.name, "method": result.method,
                "orders": orders if result.method == "permutation" else None, "exact_max": EXACT_MAX,
                "hybrids_simulated": int(len(result.coalition_masks)),
                "seconds": round(time.perf_counter() - started, 3)}
    return PolicyChange(a, b, tuple(provs), tuple(players), invalid, chosen, result, settings)


__all__ = ["CHUNK", "Plan", "Player", "PolicyChange", "decompose_change", "plan_change", "players_of"]
